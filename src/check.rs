//! One account, checked: request → answer → classified result (README, "For scripts" and "Exit codes").
//!
//! The classification lives here, once, for every provider: the status decides unless the
//! provider's body rules say otherwise. A failure to get an answer (timeout, refused, TLS) is
//! always `error`, never `rejected`: not knowing is not a verdict.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Client, Url};
use serde_json::Value;

use crate::bind::Account;
use crate::classify::{Answer, Verdict, Why, classify};
use crate::credential::Credential;
use crate::http::{self, Failure, Limits, Outcome};
use crate::jq::Document;
use crate::profile::{AccountResult, ErrorKind, Profile, ResultError, Status};
use crate::raw::Raw;
use crate::redact::{REDACTED, Redactor, Secrets};
use crate::sanitize;

/// How many characters of an unexpected body an error quotes.
const QUOTE_LIMIT: usize = 200;

/// What the user asked for that shapes every result.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub raw: bool,
    pub show_pii: bool,
    pub min_validity: Option<Duration>,
    pub expect: Vec<(String, String)>,
    /// Every credential of the run: each account's output is redacted of all of them, so a
    /// server echoing another account's token cannot leak it.
    pub secrets: Arc<Secrets>,
    /// The run checks this one account and ends: the values its answer was parsed into are
    /// left for the process's exit to reclaim, all at once, rather than freed one by one
    /// (a tenth of the time of a check of a 2 MiB answer). Never with several accounts,
    /// whose memory must not add up.
    pub alone: bool,
}

/// A live check: everything resolved, nothing sent yet.
pub struct Live {
    pub client: Client,
    pub url: Url,
    pub request: http::Request,
    pub credential: Credential,
    pub limits: Limits,
}

/// Checks one account against its provider.
pub async fn live(account: &Account, job: &Live, options: &Options) -> AccountResult {
    let redactor = redactor(account, options);
    let mut result = AccountResult {
        endpoint: Some(redactor.url(job.url.as_str())),
        credential: Some(job.credential.info.clone()),
        ..blank(account)
    };
    let started = Instant::now();
    let mut expires_at = job.credential.expires_at;
    let outcome = http::send(&job.client, &job.url, &job.request, job.limits, &redactor).await;
    result.elapsed_ms = Some(started.elapsed().as_millis() as u64);
    match outcome {
        Outcome::Reply(reply) => {
            result.http_status = Some(reply.status.as_u16());
            let expiry;
            // Reading a large body takes a while (seconds for one of many thousand objects):
            // it is read off the runtime's thread, so the other accounts' sockets are served
            // meanwhile and no timer of theirs runs out waiting for this one.
            (expiry, result) = if reply.body.len() > OFF_THREAD {
                let (account, options) = (account.clone(), options.clone());
                reader::run(move || {
                    let expiry = understand(&account, &reply, &options, &mut result);
                    (expiry, result)
                })
                .await
            } else {
                (understand(account, &reply, options, &mut result), result)
            };
            // A credential that is not a JWT: the provider's answer may say when it ends.
            if let (Some(at), Some(info), None) = (
                expiry,
                result.credential.as_mut(),
                job.credential.expires_at,
            ) {
                info.expires_at = crate::credential::rfc3339(at);
                info.expiry = crate::profile::Expiry::Provider;
                expires_at = Some(at);
            }
        }
        Outcome::Failed(failure) => {
            let (kind, message, status) = failure_kind(&failure);
            result.http_status = status;
            result.error = Some(ResultError {
                kind,
                message: redactor.text(&message),
            });
        }
    }
    gates(&mut result, expires_at, options, &redactor);
    result
}

/// Bodies larger than this are read on a thread of their own (see [`live`]).
const OFF_THREAD: usize = 256 * 1024;

/// The thread that reads large bodies, one after the other. One thread, not a pool: each
/// thread that allocates gets its own heap from the C allocator, and four of them holding
/// freed megabytes tripled the peak of a run over many large answers.
mod reader {
    use std::sync::OnceLock;
    use std::sync::mpsc::{SendError, Sender, channel};

    type Job = Box<dyn FnOnce() + Send>;

    /// Runs `work` on the reader thread and waits for it without blocking the runtime; where
    /// the thread is not there (it could not start), runs it here.
    pub async fn run<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
        static READER: OnceLock<Option<Sender<Job>>> = OnceLock::new();
        let reader = READER.get_or_init(|| {
            let (jobs, queue) = channel::<Job>();
            std::thread::Builder::new()
                .name("whoami-reader".into())
                // The main thread's size: a definition's expressions may recurse as deep on a
                // large body here as they would on a small one there.
                .stack_size(8 << 20)
                .spawn(move || queue.into_iter().for_each(|job| job()))
                .ok()
                .map(|_| jobs)
        });
        let (done, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(work());
        });
        let unsent = match reader {
            Some(reader) => reader.send(job).err().map(|SendError(job)| job),
            None => Some(job),
        };
        if let Some(job) = unsent {
            job();
        }
        // Only a read that panicked drops its answer: the panic goes on here.
        answer
            .await
            .unwrap_or_else(|_| panic!("reading an answer failed"))
    }
}

/// [`interpret`] for a live answer.
fn understand(
    account: &Account,
    reply: &http::Reply,
    options: &Options,
    result: &mut AccountResult,
) -> Option<i64> {
    let answer = Answer {
        status: reply.status.as_u16(),
        content_type: reply.content_type.as_deref(),
        location: reply.location.as_deref(),
        retry_after: reply.retry_after.is_some(),
        body: &reply.body,
    };
    interpret(
        account,
        &answer,
        &redactor(account, options),
        options,
        result,
    )
}

fn redactor<'a>(account: &'a Account, options: &'a Options) -> Redactor<'a> {
    Redactor {
        secret_fields: account.provider.secret_fields(),
        secret_pointers: account.provider.secret_pointers(),
        secrets: &options.secrets,
        show_pii: options.show_pii,
    }
}

/// A result that says nothing yet: `error` until an answer proves otherwise.
fn blank(account: &Account) -> AccountResult {
    AccountResult {
        account: account.name.clone(),
        provider: account.provider.id().to_string(),
        endpoint: None,
        status: Status::Error,
        http_status: None,
        elapsed_ms: None,
        credential: None,
        profile: None,
        error: None,
        raw: None,
    }
}

/// The body size above which a definition's `organizations_each` list is kept as text.
const LIST_AS_TEXT_FROM: usize = 4 * 1024 * 1024;

/// Interprets a saved body (`--input`) exactly as a live answer with that status; a body over
/// 8 MiB is refused as a live one would be.
pub fn offline(
    account: &Account,
    body: &bytes::Bytes,
    input_status: Option<u16>,
    options: &Options,
) -> AccountResult {
    // Classified as the status it came with, 200 unless told; reported only when told.
    let status = input_status.unwrap_or(200);
    let redactor = redactor(account, options);
    let mut result = AccountResult {
        http_status: input_status,
        ..blank(account)
    };
    if body.len() > http::MAX_BODY {
        result.error = Some(ResultError {
            kind: ErrorKind::TooLarge,
            message: format!("HTTP {status}: the body is larger than 8 MiB; refused"),
        });
        return result;
    }
    let answer = Answer {
        status,
        content_type: None,
        location: None,
        retry_after: false,
        body,
    };
    let expiry = interpret(account, &answer, &redactor, options, &mut result);
    gates(&mut result, expiry, options, &redactor);
    result
}

fn failure_kind(failure: &Failure) -> (ErrorKind, String, Option<u16>) {
    match failure {
        Failure::Timeout(limit) if !limit.is_zero() => (
            ErrorKind::Timeout,
            format!(
                "no complete answer within {}",
                humantime::format_duration(*limit)
            ),
            None,
        ),
        Failure::Timeout(_) => (ErrorKind::Timeout, "the request timed out".into(), None),
        Failure::Connect(m) => (ErrorKind::Connect, format!("could not connect: {m}"), None),
        Failure::Tls(m) => (ErrorKind::Tls, format!("TLS failed: {m}"), None),
        Failure::TooLarge { status } => (
            ErrorKind::TooLarge,
            format!("HTTP {status}: the body is larger than 8 MiB; refused"),
            Some(*status),
        ),
        Failure::RateLimited {
            status,
            retry_after,
        } => (
            ErrorKind::RateLimited,
            format!(
                "HTTP {status}: rate limited; the server asks to retry after {}s (more than we wait)",
                retry_after.as_secs()
            ),
            Some(*status),
        ),
    }
}

/// Turns an answer into a result: classified once ([`classify`]), then redacted and put in
/// words. Returns when the credential expires, when a verified answer says so.
fn interpret(
    account: &Account,
    answer: &Answer<'_>,
    redactor: &Redactor<'_>,
    options: &Options,
    result: &mut AccountResult,
) -> Option<i64> {
    let provider = &account.provider;
    let status = answer.status;
    // The body as the definition reads it: parsed once, its secrets hollowed as it is read.
    // The list a definition reads a batch at a time is taken out of the body; in a large body
    // it is kept as text until then, so its items never all exist as values at once. (In a
    // smaller one, finding the items' ends first would cost more time than the memory saves.)
    let secret = |key: &str| redactor.is_secret_key(key);
    let as_text = answer.body.len() > LIST_AS_TEXT_FROM;
    let body = Document::parse_listing(answer.body, &secret, provider.list_key(), as_text).map(
        |mut body| {
            for pointer in redactor.secret_pointers {
                body.replace(pointer, REDACTED);
            }
            body
        },
    );
    let json = answer
        .body
        .strip_prefix(b"\xef\xbb\xbf")
        .unwrap_or(answer.body);
    // The whole body, redacted, as a tree: only built for the message of an answer that is
    // not a profile (its quote, the definition's `message`), from the bytes again.
    let redacted = || {
        serde_json::from_slice::<Value>(json).ok().map(|mut b| {
            redactor.value(&mut b);
            b
        })
    };
    // `--raw`: redacted as text straight from the bytes, whatever else was built.
    let raw = || match redactor.json_text(json) {
        Some(text) => Raw::from_json(text),
        None => Raw::from_text(&redactor.text(&String::from_utf8_lossy(answer.body))),
    };
    let (kind, why) = match classify(provider, &account.settings, answer, body.as_ref()) {
        Verdict::Verified {
            profile,
            expires_at,
        } => {
            // The parsed body is no longer needed: released before anything else is built, or
            // left to the exit that follows (see `Options::alone`).
            match options.alone {
                true => std::mem::forget(body),
                false => drop(body),
            }
            result.status = Status::Ok;
            result.profile = Some(protect(*profile, redactor));
            if options.raw {
                result.raw = Some(raw());
            }
            return expires_at;
        }
        Verdict::Failed { kind, why } => (kind, why),
    };
    if options.raw {
        result.raw = Some(raw());
    }
    let redacted = redacted();
    let message = match (kind, why) {
        (ErrorKind::Redirect, _) => format!(
            "HTTP {status}: redirect to {} not followed (the credential would travel with it); set base_url to the final address",
            answer
                .location
                .map(|l| sanitize::terminal(&redactor.url(l)))
                .unwrap_or_else(|| "(no Location)".into())
        ),
        (_, Why::NotAProfile) => format!(
            "expected a {} profile, got HTTP {status} ({}): {}",
            provider.name(),
            describe_type(answer.content_type, redactor),
            quote(answer.body, redacted.as_ref(), redactor)
        ),
        (_, Why::ForeignPage) => format!(
            "HTTP {status} with an HTML page ({}), not a {} answer: most likely a firewall, CDN \
             or proxy in front of it refused the request, so this says nothing about the \
             credential: {} (hint: check the network path and base_url)",
            describe_type(answer.content_type, redactor),
            provider.name(),
            quote(answer.body, redacted.as_ref(), redactor)
        ),
        (_, Why::Status) => {
            let detail = redacted
                .as_ref()
                .and_then(|b| provider.error_message(b, &account.settings))
                .map(|m| truncate(&sanitize::terminal(&m)))
                .unwrap_or_else(|| {
                    format!(
                        "({}) {}",
                        describe_type(answer.content_type, redactor),
                        quote(answer.body, redacted.as_ref(), redactor)
                    )
                });
            let mut message = format!("HTTP {status}: {detail}");
            if let Some(hint) = provider.hint(status, body.as_ref(), &account.settings) {
                message += &format!(" (hint: {hint})");
            }
            message
        }
    };
    result.status = kind.status();
    result.error = Some(ResultError { kind, message });
    None
}

/// Applies the redaction rules to the normalized profile as a whole: a provider (or a server
/// in between) may echo the credential into any field, not only the ones named secret, and
/// personal data is masked wherever it sits.
fn protect(mut profile: Profile, redactor: &Redactor<'_>) -> Profile {
    // An organization's keys (id, name, role, roles) name neither a secret nor personal data:
    // only its text is searched, one string at a time, so a list of any length costs no copy.
    let mut organizations = std::mem::take(&mut profile.organizations);
    for organization in &mut organizations {
        for text in organization.texts_mut() {
            if let Some(redacted) = redactor.secrets.replace(text) {
                *text = redacted;
            }
        }
    }
    let Ok(mut value) = serde_json::to_value(&profile) else {
        return Profile::default();
    };
    redactor.without_pointers().value(&mut value);
    // The rules only replace strings, or values under secret- and PII-named keys, which the
    // schema has only inside `extra`: the shape always survives. Were it ever not to, an empty
    // profile is the safe answer, never the unredacted one.
    match serde_json::from_value::<Profile>(value) {
        Ok(profile) => Profile {
            organizations,
            ..profile
        },
        Err(_) => Profile::default(),
    }
}

fn describe_type(content_type: Option<&str>, redactor: &Redactor<'_>) -> String {
    match content_type {
        Some(ct) => format!(
            "content type {}",
            truncate(&sanitize::terminal(&redactor.text(ct)))
        ),
        None => "no content type".into(),
    }
}

/// At most [`QUOTE_LIMIT`] sanitized characters of a redacted body.
fn quote(body: &[u8], redacted: Option<&Value>, redactor: &Redactor<'_>) -> String {
    if body.iter().all(u8::is_ascii_whitespace) {
        return "empty body".into();
    }
    let text = match redacted {
        Some(value) => value.to_string(),
        None => redactor.text(&String::from_utf8_lossy(body)),
    };
    format!("{:?}", truncate(&sanitize::terminal(&text)))
}

fn truncate(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(QUOTE_LIMIT).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// `--min-validity` and `--expect`: a verified credential that fails either is rejected.
fn gates(
    result: &mut AccountResult,
    expires_at: Option<i64>,
    options: &Options,
    redactor: &Redactor<'_>,
) {
    if result.status != Status::Ok {
        return;
    }
    if let (Some(min), Some(exp)) = (options.min_validity, expires_at) {
        let now = jiff::Timestamp::now().as_second();
        let min_secs = i64::try_from(min.as_secs()).unwrap_or(i64::MAX);
        if exp.saturating_sub(now) < min_secs {
            let when = crate::credential::rfc3339(exp).unwrap_or_else(|| exp.to_string());
            let verb = if exp <= now { "expired" } else { "expires" };
            result.reject(
                ErrorKind::Expiring,
                format!(
                    "the credential {verb} at {when}, sooner than --min-validity {}",
                    humantime::format_duration(min)
                ),
            );
            return;
        }
    }
    if options.expect.is_empty() {
        return;
    }
    let value = crate::profile::document(result);
    for (path, expected) in &options.expect {
        let found = crate::profile::lookup(&value, path);
        if !crate::profile::expect_holds(found, expected) {
            let actual = crate::profile::field_text(found);
            // Either side may be a credential (`--expect` is typed by a person): redacted.
            let (actual, expected) = (redactor.text(&actual), redactor.text(expected));
            result.reject(
                ErrorKind::Expectation,
                format!("{path} is {actual:?}, expected {expected:?}"),
            );
            return;
        }
    }
}
