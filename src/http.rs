//! The one HTTP path every provider goes through (README, "Security" and `--retries`).
//!
//! reqwest over rustls; OS trust store plus per-account `ca_cert`; connect timeout 5 s and a
//! whole-attempt timeout that covers the body; retries with backoff and jitter on transient
//! failures only; redirects never followed (credentials travel in custom headers that an HTTP
//! client does not strip across hosts); bodies capped at 8 MiB while they stream.
//!
//! What this module must not do: decide what a status *means* for a credential. It reports
//! what happened; [`crate::check`] and the provider classify it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Client, StatusCode, Url};

use crate::redact::Redactor;
use crate::sanitize;

/// Bodies above this are refused as they stream.
pub const MAX_BODY: usize = 8 * 1024 * 1024;
/// A `Retry-After` above this is not waited for: the account ends as `rate_limited`.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const BACKOFF: [Duration; 3] = [
    Duration::from_millis(250),
    Duration::from_secs(1),
    Duration::from_secs(4),
];

/// A request to send: method, a path joined to the base URL (keeping the base URL's own
/// path), headers (the credential's marked sensitive) and an optional JSON body. This module
/// knows nothing else of providers.
#[derive(Debug)]
pub struct Request {
    pub method: reqwest::Method,
    pub path: String,
    pub headers: Vec<(header::HeaderName, HeaderValue)>,
    pub json_body: Option<String>,
}

/// What one exchange ended with, after retries.
#[derive(Debug)]
pub enum Outcome {
    /// A complete answer (any status, 3xx included).
    Reply(Reply),
    /// No complete answer.
    Failed(Failure),
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub retry_after: Option<Duration>,
    /// Shared, not copied, by the values parsed from it.
    pub body: bytes::Bytes,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Timeout(Duration),
    Connect(String),
    Tls(String),
    TooLarge {
        status: u16,
    },
    /// A `Retry-After` longer than we wait.
    RateLimited {
        status: u16,
        retry_after: Duration,
    },
}

/// Per-account limits of one exchange.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub timeout: Duration,
    pub retries: u32,
}

/// The shared clients of one run: one per distinct `ca_cert`, and apart for loopback hosts,
/// which never go through a proxy (a proxy cannot reach this machine's loopback, and the
/// credential would travel to it in clear text). Built only when a request is about to be
/// sent, so commands that send nothing pay no TLS setup.
#[derive(Default)]
pub struct Clients {
    keep_idle: bool,
    built: HashMap<(Option<PathBuf>, bool), Client>,
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(
        "cannot read ca_cert {}: {reason}",
        crate::credential::shown_path(path)
    )]
    CaCert { path: PathBuf, reason: String },
    #[error("cannot set up the HTTP client: {0}")]
    Build(String),
}

impl Clients {
    /// `keep_idle`: keep finished connections for reuse. Without it, open sockets are bounded
    /// by the requests in flight, whatever the number of hosts.
    pub fn new(keep_idle: bool) -> Clients {
        Clients {
            keep_idle,
            built: HashMap::new(),
        }
    }

    /// The client for an account, building it on first use.
    pub fn get(&mut self, ca_cert: Option<&Path>, loopback: bool) -> Result<Client, ClientError> {
        let key = (ca_cert.map(Path::to_path_buf), loopback);
        if let Some(client) = self.built.get(&key) {
            return Ok(client.clone());
        }
        let client = build_client(ca_cert, loopback, self.keep_idle)?;
        self.built.insert(key, client.clone());
        Ok(client)
    }
}

fn build_client(
    ca_cert: Option<&Path>,
    loopback: bool,
    keep_idle: bool,
) -> Result<Client, ClientError> {
    // ring is the process's crypto provider; installing it twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut headers = HeaderMap::new();
    headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    let mut builder = Client::builder()
        .user_agent(concat!("whoami/", env!("CARGO_PKG_VERSION")))
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(CONNECT_TIMEOUT);
    if loopback {
        builder = builder.no_proxy();
    }
    if !keep_idle {
        builder = builder.pool_max_idle_per_host(0);
    }
    if let Some(path) = ca_cert {
        let pem = std::fs::read(path).map_err(|e| ClientError::CaCert {
            path: path.to_path_buf(),
            reason: crate::error::describe(&e),
        })?;
        let certs =
            reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| ClientError::CaCert {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })?;
        if certs.is_empty() {
            return Err(ClientError::CaCert {
                path: path.to_path_buf(),
                reason: "no PEM certificate in the file".into(),
            });
        }
        builder = builder.tls_certs_merge(certs);
    }
    builder
        .build()
        .map_err(|e| ClientError::Build(e.to_string()))
}

/// Joins a provider path to a base URL, keeping the base URL's own path:
/// `https://example.org/chatwoot` + `api/v1/profile` → `https://example.org/chatwoot/api/v1/profile`.
pub fn endpoint(base: &str, path: &str) -> Result<Url, String> {
    if path.is_empty() || path.starts_with('?') {
        // A provider defined in the config gives the whole URL (with, maybe, a query that
        // carries the credential).
        let whole = match (path, base.contains('?')) {
            ("", _) => base.to_string(),
            (query, true) => format!("{base}&{}", &query[1..]),
            (query, false) => format!("{base}{query}"),
        };
        return Url::parse(&whole).map_err(|e| format!("invalid URL: {e}"));
    }
    let joined = format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    );
    Url::parse(&joined).map_err(|e| format!("invalid base URL: {e}"))
}

/// Whether a URL's host is loopback, where plain HTTP carries no risk.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        None => false,
    }
}

/// Sends a request with the retry policy of [`next_step`].
pub async fn send(
    client: &Client,
    url: &Url,
    request: &Request,
    limits: Limits,
    redactor: &Redactor<'_>,
) -> Outcome {
    let method = &request.method;
    let shown_url = sanitize::terminal(&redactor.url(url.as_str()));
    let mut attempt = 0;
    loop {
        attempt += 1;
        let started = Instant::now();
        let result = tokio::time::timeout(limits.timeout, once(client, url, request, redactor))
            .await
            .unwrap_or(Err(Failure::Timeout(limits.timeout)));
        let elapsed = started.elapsed().as_millis();
        let shown = match &result {
            Ok(reply) => reply.status.as_u16().to_string(),
            Err(failure) => sanitize::terminal(&redactor.text(&format!("{failure:?}"))),
        };
        tracing::info!("attempt {attempt}: {method} {shown_url} -> {shown} in {elapsed} ms");
        let floor = match next_step(&result) {
            Step::Finish => return outcome(result),
            Step::GiveUp(failure) => return Outcome::Failed(failure),
            Step::Retry(floor) => floor,
        };
        if attempt > limits.retries {
            return outcome(result);
        }
        let backoff = BACKOFF[(attempt as usize - 1).min(BACKOFF.len() - 1)];
        let jittered = backoff.mul_f64(0.8 + 0.4 * fastrand::f64());
        let delay = jittered.max(floor.unwrap_or_default());
        tracing::info!("retrying in {} ms", delay.as_millis());
        tokio::time::sleep(delay).await;
    }
}

fn outcome(result: Result<Reply, Failure>) -> Outcome {
    match result {
        Ok(reply) => Outcome::Reply(reply),
        Err(failure) => Outcome::Failed(failure),
    }
}

/// What to do after one attempt.
#[derive(Debug, PartialEq)]
enum Step {
    /// The answer (or failure) is final.
    Finish,
    /// Transient: try again, no sooner than the floor (`Retry-After`).
    Retry(Option<Duration>),
    /// The server asks for a longer wait than we take.
    GiveUp(Failure),
}

/// The retry policy: connection errors, timeouts, 429, 502, 503 and 504 are
/// transient; `Retry-After` counts on 429 and 503 only, and over 10 s ends the account as
/// `rate_limited` without waiting. Nothing else is ever retried.
fn next_step(result: &Result<Reply, Failure>) -> Step {
    match result {
        Ok(reply) => match (reply.status.as_u16(), reply.retry_after) {
            (status @ (429 | 503), Some(wait)) if wait > MAX_RETRY_AFTER => {
                Step::GiveUp(Failure::RateLimited {
                    status,
                    retry_after: wait,
                })
            }
            (429 | 503, floor) => Step::Retry(floor),
            (502 | 504, _) => Step::Retry(None),
            _ => Step::Finish,
        },
        Err(Failure::TooLarge { .. } | Failure::RateLimited { .. }) => Step::Finish,
        Err(Failure::Timeout(_) | Failure::Connect(_) | Failure::Tls(_)) => Step::Retry(None),
    }
}

async fn once(
    client: &Client,
    url: &Url,
    request: &Request,
    redactor: &Redactor<'_>,
) -> Result<Reply, Failure> {
    let mut builder = client.request(request.method.clone(), url.clone());
    for (name, value) in &request.headers {
        builder = builder.header(name, value.clone());
    }
    if let Some(body) = &request.json_body {
        // A provider's own Content-Type (a config definition may set one) wins.
        if !request
            .headers
            .iter()
            .any(|(n, _)| n == header::CONTENT_TYPE)
        {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
        }
        builder = builder.body(body.clone());
    }
    let built = builder
        .build()
        .map_err(|e| Failure::Connect(describe(&e)))?;
    if tracing::enabled!(tracing::Level::TRACE) {
        for (name, value) in built.headers() {
            tracing::trace!("> {}", shown_header(name, value, true, redactor));
        }
    }
    let response = client.execute(built).await.map_err(|e| transport(&e))?;
    let status = response.status();
    if tracing::enabled!(tracing::Level::DEBUG) {
        for (name, value) in response.headers() {
            tracing::debug!("< {}", shown_header(name, value, false, redactor));
        }
    }
    let text_header = |name: header::HeaderName| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let content_type = text_header(header::CONTENT_TYPE);
    let location = text_header(header::LOCATION);
    let retry_after = text_header(header::RETRY_AFTER).and_then(|v| parse_retry_after(&v));
    let body = read_capped(response, status).await?;
    Ok(Reply {
        status,
        content_type,
        location,
        retry_after,
        body: body.into(),
    })
}

/// Headers that carry credentials or sessions whatever their value looks like.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// A header as the log shows it (`name: value`): credentials, cookies and any header whose
/// name says it holds a secret (`x-auth-token`, `x-api-key`) are `[redacted]`, personal data
/// (`x-phone-number`) is masked like in a body, and the whole line, name included, is redacted
/// of every credential and sanitized.
fn shown_header(
    name: &header::HeaderName,
    value: &HeaderValue,
    outgoing: bool,
    redactor: &Redactor<'_>,
) -> String {
    let text = String::from_utf8_lossy(value.as_bytes());
    let value = if value.is_sensitive()
        || SECRET_HEADERS.contains(&name.as_str())
        || redactor.is_secret_key(name.as_str())
        // What we send may carry a credential under a name that does not say so (a header a
        // config-defined provider sets); what comes back keeps its ids and etags readable.
        || (outgoing && crate::credential::looks_like_secret(&text))
    {
        crate::redact::REDACTED.to_string()
    } else if redactor.masks(name.as_str()) {
        crate::redact::mask(&text)
    } else {
        text.into_owned()
    };
    sanitize::terminal(&redactor.text(&format!("{name}: {value}")))
}

async fn read_capped(
    mut response: reqwest::Response,
    status: StatusCode,
) -> Result<Vec<u8>, Failure> {
    let too_large = Failure::TooLarge {
        status: status.as_u16(),
    };
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY as u64)
    {
        return Err(too_large);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| transport(&e))? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(too_large);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// `Retry-After` as seconds or an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let wait = when.duration_since(jiff::Timestamp::now());
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

fn transport(error: &reqwest::Error) -> Failure {
    let message = describe(error);
    if error.is_timeout() {
        return Failure::Timeout(Duration::ZERO);
    }
    if is_tls(error) {
        return Failure::Tls(message);
    }
    Failure::Connect(message)
}

fn is_tls(error: &(dyn std::error::Error + 'static)) -> bool {
    causes(error).any(|e| e.is::<rustls::Error>())
}

/// Every cause of an error. `io::Error::source` skips the error it wraps (rustls' handshake
/// errors sit two `io::Error`s deep), so wrapped errors are entered explicitly.
fn causes<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(error), |e| match e.downcast_ref::<std::io::Error>() {
        Some(io) => match io.get_ref() {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => None,
        },
        None => e.source(),
    })
}

/// The innermost cause of a transport error: `Connection refused (os error 111)` says more
/// than `error sending request`.
fn describe(error: &reqwest::Error) -> String {
    match causes(error).skip(1).last() {
        Some(cause) => cause.to_string(),
        None => error.without_url_ref(),
    }
}

trait WithoutUrl {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    fn without_url_ref(&self) -> String {
        // The URL is shown separately; never print it twice (it may carry user info).
        let mut text = self.to_string();
        if let Some(url) = self.url() {
            text = text.replace(&format!(" for url ({url})"), "");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_joins_the_whole_url_as_it_is() {
        let url = endpoint("https://idp.example.org/userinfo", "?key=abc").unwrap();
        assert_eq!(url.as_str(), "https://idp.example.org/userinfo?key=abc");
        let url = endpoint("https://x.example.org/u?v=1", "?key=abc").unwrap();
        assert_eq!(url.as_str(), "https://x.example.org/u?v=1&key=abc");
    }

    #[test]
    fn endpoint_keeps_the_base_path() {
        assert_eq!(
            endpoint("https://example.org/chatwoot", "api/v1/profile")
                .unwrap()
                .as_str(),
            "https://example.org/chatwoot/api/v1/profile"
        );
        assert_eq!(
            endpoint("https://api.vaiz.com/v4/", "getProfile")
                .unwrap()
                .as_str(),
            "https://api.vaiz.com/v4/getProfile"
        );
    }

    #[test]
    fn loopback_hosts() {
        for url in [
            "http://127.0.0.1:8080",
            "http://localhost/x",
            "http://[::1]/",
            "http://127.3.4.5",
        ] {
            assert!(is_loopback(&Url::parse(url).unwrap()), "{url}");
        }
        for url in [
            "http://example.org",
            "http://10.0.0.1",
            "http://localhost.evil.com",
        ] {
            assert!(!is_loopback(&Url::parse(url).unwrap()), "{url}");
        }
    }

    #[test]
    fn retry_policy() {
        let reply = |status: u16, retry_after: Option<Duration>| {
            Ok(Reply {
                status: StatusCode::from_u16(status).unwrap(),
                content_type: None,
                location: None,
                retry_after,
                body: bytes::Bytes::new(),
            })
        };
        let secs = |s| Some(Duration::from_secs(s));
        assert_eq!(next_step(&reply(200, None)), Step::Finish);
        assert_eq!(next_step(&reply(401, secs(1))), Step::Finish);
        assert_eq!(
            next_step(&reply(500, None)),
            Step::Finish,
            "500 is never retried"
        );
        assert_eq!(next_step(&reply(302, None)), Step::Finish);
        assert_eq!(next_step(&reply(429, secs(3))), Step::Retry(secs(3)));
        assert_eq!(next_step(&reply(503, None)), Step::Retry(None));
        assert_eq!(next_step(&reply(504, secs(3600))), Step::Retry(None));
        assert_eq!(next_step(&reply(502, None)), Step::Retry(None));
        assert_eq!(
            next_step(&reply(429, secs(11))),
            Step::GiveUp(Failure::RateLimited {
                status: 429,
                retry_after: Duration::from_secs(11)
            })
        );
        assert_eq!(
            next_step(&Err(Failure::Connect("refused".into()))),
            Step::Retry(None)
        );
        assert_eq!(
            next_step(&Err(Failure::Timeout(Duration::ZERO))),
            Step::Retry(None)
        );
        assert_eq!(
            next_step(&Err(Failure::TooLarge { status: 200 })),
            Step::Finish
        );
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
