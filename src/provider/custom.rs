//! Providers defined in the config: any service with a "who am I" endpoint, without code.
//!
//! ```toml
//! [github]
//! provider = "custom"
//! url = "https://api.github.com/user"
//! auth = { header = "Authorization", scheme = "Bearer" }
//! token = { env = "GITHUB_TOKEN" }
//! [github.map]
//! id = "/id"
//! email = "/email"
//! ```
//!
//! A definition becomes a [`Provider`] like the built-in ones, so it runs through the same
//! pipeline: HTTP rules, redaction (its `secret_fields` pointers on top of the generic rule),
//! classification and renderers. Its success envelope is "the `map.id` pointer resolves".
//! Definitions live as long as the process, so they are leaked into `'static` once, at load.

use reqwest::Method;
use reqwest::header::{HeaderName, HeaderValue};
use serde_json::{Map, Value};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{ApiRequest, BadHeader, Provider, Settings};
use crate::credential::Secret;
use crate::profile::{ErrorKind, Profile};

/// The `provider` value that introduces a definition.
pub const ID: &str = "custom";

/// The keys a definition adds to an account table.
pub const KEYS: &[&str] = &[
    "url",
    "method",
    "body",
    "auth",
    "headers",
    "secret_fields",
    "map",
    "reject",
];

/// Profile fields a definition can map, in schema order. `extra` is a table of its own.
const FIELDS: &[&str] = &[
    "id",
    "username",
    "display_name",
    "first_name",
    "last_name",
    "email",
    "email_verified",
    "phone",
    "avatar_url",
    "locale",
    "created_at",
    "updated_at",
    "mfa",
    "extra",
];

/// A provider described by an account's config table.
#[derive(Debug)]
pub struct Custom {
    account: &'static str,
    method: Method,
    body: Option<&'static str>,
    /// The header that carries the credential, and the scheme before it (`Bearer`).
    auth: Option<(HeaderName, Option<&'static str>)>,
    auth_description: &'static str,
    headers: Vec<(HeaderName, HeaderValue)>,
    secret_pointers: &'static [&'static str],
    /// Profile field → JSON pointer.
    map: Vec<(&'static str, &'static str)>,
    extra: Vec<(&'static str, &'static str)>,
    /// Statuses that reject the credential besides 401 and 403 (which always do).
    reject: Option<Vec<u16>>,
}

/// What an account table defines: the provider, and the URL (kept as the account's base URL
/// so that `--base-url` and `WHOAMI_<ACCOUNT>_BASE_URL` override it like any other).
pub struct Definition {
    pub provider: &'static dyn Provider,
    pub url: String,
}

/// Makes a config error at a byte offset of the file.
pub type ErrorAt<'a> = &'a dyn Fn(usize, String) -> crate::config::ConfigError;

type Entry<'a> = (
    &'a Spanned<std::borrow::Cow<'a, str>>,
    &'a Spanned<DeValue<'a>>,
);

/// Reads a definition from an account table. Keys that are not the definition's (`token`,
/// `timeout`, …) are left to the config loader.
pub fn define(
    account: &str,
    at: usize,
    table: &DeTable<'_>,
    error: ErrorAt<'_>,
) -> Result<Definition, crate::config::ConfigError> {
    let fail = |offset: usize, key: &str, message: String| {
        error(offset, format!("[{account}] {key}: {message}"))
    };
    let string = |(key, value): Entry<'_>| match value.get_ref() {
        DeValue::String(s) => Ok(s.to_string()),
        other => Err(fail(
            value.span().start,
            key.get_ref(),
            format!("must be a string, not a {}", other.type_str()),
        )),
    };
    let mut url = None;
    let mut method = Method::GET;
    let mut body = None;
    let mut auth = None;
    let mut headers = Vec::new();
    let mut headers_at: Vec<(HeaderName, usize)> = Vec::new();
    let mut secret_pointers = Vec::new();
    let mut map = None;
    let mut reject = None;
    for entry in table.iter() {
        let (key, value) = entry;
        let offset = value.span().start;
        match key.get_ref().as_ref() {
            "url" => {
                let text = string(entry)?;
                let checked = crate::config::check_url(&text);
                url = Some(checked.map_err(|m| fail(offset, "url", m))?);
            }
            "method" => {
                method = match string(entry)?.to_ascii_uppercase().as_str() {
                    "GET" => Method::GET,
                    "POST" => Method::POST,
                    _ => {
                        return Err(fail(
                            offset,
                            "method",
                            "only GET or POST (every check is read-only)".to_string(),
                        ));
                    }
                }
            }
            "body" => body = Some(leak(string(entry)?)),
            "auth" => auth = Some(parse_auth(account, value, error)?),
            "headers" => {
                for (name, value, at) in parse_headers(account, value, error)? {
                    headers_at.push((name.clone(), at));
                    headers.push((name, value));
                }
            }
            "secret_fields" => {
                secret_pointers = parse_pointers(account, "secret_fields", value, error)?
            }
            "map" => map = Some(parse_map(account, value, error)?),
            "reject" => reject = Some(parse_reject(account, value, error)?),
            _ => {}
        }
    }
    let url = url.ok_or_else(|| error(at, format!("[{account}]: a custom provider needs `url` (the whole URL of its \"who am I\" endpoint)")))?;
    let (map, extra) = map.ok_or_else(|| {
        error(at, format!("[{account}]: a custom provider needs a [{account}.map] table with at least `id` (a JSON pointer such as \"/id\")"))
    })?;
    if let Some((name, _)) = &auth
        && let Some(offset) = headers_at
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, at)| *at)
    {
        return Err(error(
            offset,
            format!(
                "[{account}] headers: `{name}` is the auth header; the credential goes there, set it only in `auth`"
            ),
        ));
    }
    if auth.is_none() {
        return Err(error(
            at,
            format!(
                "[{account}]: a custom provider needs `auth`, the header that carries the credential (e.g. auth = {{ header = \"Authorization\", scheme = \"Bearer\" }})"
            ),
        ));
    }
    if body.is_some() && method != Method::POST {
        return Err(error(
            at,
            format!("[{account}] body: only a POST sends a body; add method = \"POST\""),
        ));
    }
    let auth_description = leak(match &auth {
        // Listed by `providers`: a credential pasted into the scheme is not shown there.
        Some((name, Some(scheme))) => format!("{name}: {} <token>", crate::config::shown(scheme)),
        Some((name, None)) => format!("{name}: <token>"),
        None => "(none)".to_string(),
    });
    let custom = Custom {
        account: leak(account.to_string()),
        method,
        body,
        auth,
        auth_description,
        headers,
        secret_pointers: Box::leak(secret_pointers.into_boxed_slice()),
        map,
        extra,
        reject,
    };
    Ok(Definition {
        provider: Box::leak(Box::new(custom)),
        url,
    })
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

fn table<'a>(
    account: &str,
    key: &str,
    value: &'a Spanned<DeValue<'a>>,
    error: ErrorAt<'_>,
) -> Result<&'a DeTable<'a>, crate::config::ConfigError> {
    value.get_ref().as_table().ok_or_else(|| {
        error(
            value.span().start,
            format!(
                "[{account}] {key}: must be a table, not a {}",
                value.get_ref().type_str()
            ),
        )
    })
}

fn unknown(
    account: &str,
    key: &str,
    offset: usize,
    name: &str,
    allowed: &[&str],
    error: ErrorAt<'_>,
) -> crate::config::ConfigError {
    let suggestion = crate::config::suggest(name, allowed)
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    error(
        offset,
        format!(
            "[{account}] {key}: unknown key `{}`{suggestion}; allowed: {}",
            crate::config::shown(name),
            allowed.join(", ")
        ),
    )
}

fn parse_auth(
    account: &str,
    value: &Spanned<DeValue<'_>>,
    error: ErrorAt<'_>,
) -> Result<(HeaderName, Option<&'static str>), crate::config::ConfigError> {
    let mut header = None;
    let mut scheme = None;
    for (key, v) in table(account, "auth", value, error)?.iter() {
        let text = v.get_ref().as_str().ok_or_else(|| {
            error(
                v.span().start,
                format!("[{account}] auth.{}: must be a string", key.get_ref()),
            )
        })?;
        match key.get_ref().as_ref() {
            "header" => {
                header = Some(HeaderName::from_bytes(text.as_bytes()).map_err(|_| {
                    error(
                        v.span().start,
                        format!(
                            "[{account}] auth.header: not a valid HTTP header name (a name such as `Authorization`; the scheme goes in `scheme`, the credential in `token`)"
                        ),
                    )
                })?)
            }
            "scheme" => {
                if HeaderValue::from_str(&format!("{text} x")).is_err() {
                    return Err(error(
                        v.span().start,
                        format!("[{account}] auth.scheme: not valid in an HTTP header"),
                    ));
                }
                scheme = Some(leak(text.trim().to_string())).filter(|s| !s.is_empty())
            }
            other => {
                return Err(unknown(
                    account,
                    "auth",
                    key.span().start,
                    other,
                    &["header", "scheme"],
                    error,
                ));
            }
        }
    }
    let header = header.ok_or_else(|| {
        error(value.span().start, format!("[{account}] auth: needs `header` (e.g. {{ header = \"Authorization\", scheme = \"Bearer\" }})"))
    })?;
    Ok((header, scheme))
}

fn parse_headers(
    account: &str,
    value: &Spanned<DeValue<'_>>,
    error: ErrorAt<'_>,
) -> Result<Vec<(HeaderName, HeaderValue, usize)>, crate::config::ConfigError> {
    table(account, "headers", value, error)?
        .iter()
        .map(|(key, v)| {
            let offset = key.span().start;
            let name = HeaderName::from_bytes(key.get_ref().as_bytes()).map_err(|_| {
                error(
                    offset,
                    format!(
                        "[{account}] headers: `{}` is not a valid HTTP header name",
                        crate::config::shown(key.get_ref())
                    ),
                )
            })?;
            let text = v.get_ref().as_str().ok_or_else(|| {
                error(
                    v.span().start,
                    format!(
                        "[{account}] headers.{}: must be a string",
                        crate::config::shown(key.get_ref())
                    ),
                )
            })?;
            let value = HeaderValue::from_str(text).map_err(|_| {
                error(
                    v.span().start,
                    format!(
                        "[{account}] headers.{}: not a valid header value",
                        crate::config::shown(key.get_ref())
                    ),
                )
            })?;
            Ok((name, value, offset))
        })
        .collect()
}

/// A JSON pointer (RFC 6901): empty, or `/`-separated tokens where `~` only starts `~0`/`~1`.
fn check_pointer(pointer: &str) -> Result<(), String> {
    if !pointer.is_empty() && !pointer.starts_with('/') {
        return Err("not a JSON pointer: it must start with `/` (e.g. \"/id\")".into());
    }
    let mut chars = pointer.chars();
    while let Some(c) = chars.next() {
        if c == '~' && !matches!(chars.next(), Some('0' | '1')) {
            return Err("not a JSON pointer: `~` must be followed by 0 or 1".into());
        }
    }
    Ok(())
}

fn pointer(
    account: &str,
    key: &str,
    value: &Spanned<DeValue<'_>>,
    error: ErrorAt<'_>,
) -> Result<&'static str, crate::config::ConfigError> {
    let text = value.get_ref().as_str().ok_or_else(|| {
        error(
            value.span().start,
            format!("[{account}] {key}: must be a JSON pointer string such as \"/id\""),
        )
    })?;
    check_pointer(text)
        .map_err(|m| error(value.span().start, format!("[{account}] {key}: {m}")))?;
    Ok(leak(text.to_string()))
}

fn parse_pointers(
    account: &str,
    key: &str,
    value: &Spanned<DeValue<'_>>,
    error: ErrorAt<'_>,
) -> Result<Vec<&'static str>, crate::config::ConfigError> {
    let DeValue::Array(items) = value.get_ref() else {
        return Err(error(
            value.span().start,
            format!("[{account}] {key}: must be a list of JSON pointers"),
        ));
    };
    items
        .iter()
        .map(|item| pointer(account, key, item, error))
        .collect()
}

type Mapping = (
    Vec<(&'static str, &'static str)>,
    Vec<(&'static str, &'static str)>,
);

fn parse_map(
    account: &str,
    value: &Spanned<DeValue<'_>>,
    error: ErrorAt<'_>,
) -> Result<Mapping, crate::config::ConfigError> {
    let mut fields = Vec::new();
    let mut extra = Vec::new();
    for (key, v) in table(account, "map", value, error)?.iter() {
        let name = key.get_ref().as_ref();
        match name {
            "extra" => {
                for (k, p) in table(account, "map.extra", v, error)?.iter() {
                    let pointer =
                        pointer(account, &format!("map.extra.{}", k.get_ref()), p, error)?;
                    extra.push((leak(k.get_ref().to_string()), pointer));
                }
            }
            name if FIELDS.contains(&name) => {
                let field = FIELDS.iter().find(|f| **f == name).copied().unwrap_or("id");
                fields.push((field, pointer(account, &format!("map.{name}"), v, error)?));
            }
            other => {
                return Err(unknown(
                    account,
                    "map",
                    key.span().start,
                    other,
                    FIELDS,
                    error,
                ));
            }
        }
    }
    if !fields.iter().any(|(f, _)| *f == "id") {
        return Err(error(
            value.span().start,
            format!(
                "[{account}] map: needs `id`, the pointer whose presence proves a profile came back (e.g. id = \"/id\")"
            ),
        ));
    }
    Ok((fields, extra))
}

/// Whether a status can be declared a rejection: a 4xx that speaks of the request, not of a
/// proxy (407), a timeout (408, 499), routing (421), replay (425), a rate limit (429) or the
/// request's size (431).
pub fn can_reject(status: u16) -> bool {
    (400..500).contains(&status) && !matches!(status, 407 | 408 | 421 | 425 | 429 | 431 | 499)
}

fn parse_reject(
    account: &str,
    value: &Spanned<DeValue<'_>>,
    error: ErrorAt<'_>,
) -> Result<Vec<u16>, crate::config::ConfigError> {
    let mut statuses = None;
    for (key, v) in table(account, "reject", value, error)?.iter() {
        match key.get_ref().as_ref() {
            "status" => {
                let DeValue::Array(items) = v.get_ref() else {
                    return Err(error(
                        v.span().start,
                        format!(
                            "[{account}] reject.status: must be a list of HTTP statuses, e.g. [401, 403]"
                        ),
                    ));
                };
                let mut list = Vec::new();
                for item in items.iter() {
                    let status = item
                        .get_ref()
                        .as_integer()
                        .and_then(|i| i.as_str().parse::<u16>().ok())
                        .filter(|s| can_reject(*s))
                        .ok_or_else(|| {
                            error(item.span().start, format!(
                                "[{account}] reject.status: only a 4xx status about the request itself can mean a rejected credential; not 407, 408, 421, 425, 429, 431 or 499 (a proxy, a timeout or a rate limit is never a verdict), nor 1xx, 2xx, 3xx or 5xx"
                            ))
                        })?;
                    list.push(status);
                }
                statuses = Some(list);
            }
            other => {
                return Err(unknown(
                    account,
                    "reject",
                    key.span().start,
                    other,
                    &["status"],
                    error,
                ));
            }
        }
    }
    statuses.ok_or_else(|| {
        error(
            value.span().start,
            format!("[{account}] reject: needs `status`, e.g. status = [401, 403]"),
        )
    })
}

/// A mapped value as a profile string: strings as they are, numbers and booleans as text.
fn text(body: &Value, pointer: &str) -> Option<String> {
    match body.pointer(pointer)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn flag(body: &Value, pointer: &str) -> Option<bool> {
    match body.pointer(pointer)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        _ => None,
    }
}

impl Provider for Custom {
    fn id(&self) -> &'static str {
        ID
    }

    fn name(&self) -> &'static str {
        self.account
    }

    fn docs_url(&self) -> &'static str {
        ""
    }

    fn default_base_url(&self) -> Option<&'static str> {
        None
    }

    fn auth_header(&self) -> &'static str {
        self.auth_description
    }

    fn secret_fields(&self) -> &'static [&'static str] {
        &[]
    }

    fn secret_pointers(&self) -> &'static [&'static str] {
        self.secret_pointers
    }

    fn request(&self, _settings: &Settings, secret: &Secret) -> Result<ApiRequest, BadHeader> {
        let mut headers = self.headers.clone();
        if let Some((name, scheme)) = &self.auth {
            let text = match scheme {
                Some(scheme) => format!("{scheme} {}", secret.expose()),
                None => secret.expose().to_string(),
            };
            let mut value = HeaderValue::from_str(&text).map_err(|_| BadHeader)?;
            value.set_sensitive(true);
            headers.push((name.clone(), value));
        }
        Ok(ApiRequest {
            method: self.method.clone(),
            path: "".into(),
            headers,
            json_body: self.body,
        })
    }

    /// The listed statuses reject on top of the shared rule (401 and 403 always reject).
    fn rejection(&self, status: u16, _body: Option<&Value>) -> Option<ErrorKind> {
        let listed = self.reject.as_ref()?;
        match (listed.contains(&status), status) {
            (false, _) | (true, 401 | 403) => None,
            (true, 404) => Some(ErrorKind::UserNotFound),
            (true, _) => Some(ErrorKind::InvalidCredential),
        }
    }

    fn normalize(&self, body: &Value, _settings: &Settings) -> Option<Profile> {
        let mut profile = Profile::default();
        for (field, pointer) in &self.map {
            match *field {
                "id" => profile.id = Some(text(body, pointer)?),
                "username" => profile.username = text(body, pointer),
                "display_name" => profile.display_name = text(body, pointer),
                "first_name" => profile.first_name = text(body, pointer),
                "last_name" => profile.last_name = text(body, pointer),
                "email" => profile.email = text(body, pointer),
                "email_verified" => profile.email_verified = flag(body, pointer),
                "phone" => profile.phone = text(body, pointer),
                "avatar_url" => profile.avatar_url = text(body, pointer),
                "locale" => profile.locale = text(body, pointer),
                "created_at" => profile.created_at = text(body, pointer),
                "updated_at" => profile.updated_at = text(body, pointer),
                "mfa" => profile.mfa = flag(body, pointer),
                _ => {}
            }
        }
        let mut extra = Map::new();
        for (name, pointer) in &self.extra {
            if let Some(value) = body.pointer(pointer).filter(|v| !v.is_null()) {
                extra.insert(name.to_string(), value.clone());
            }
        }
        profile.extra = extra;
        Some(profile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn define_text(text: &str) -> Result<Definition, String> {
        let doc = DeTable::parse(text).unwrap();
        let (name, value) = doc.get_ref().iter().next().unwrap();
        let error = |offset: usize, message: String| crate::config::ConfigError {
            file: None,
            line: Some((text[..offset].matches('\n').count() + 1, 1)),
            message,
        };
        define(
            name.get_ref(),
            0,
            value.get_ref().as_table().unwrap(),
            &error,
        )
        .map_err(|e| format!("{:?}: {}", e.line, e.message))
    }

    const GITHUB: &str = r#"[github]
provider = "custom"
url = "https://api.github.com/user"
auth = { header = "Authorization", scheme = "Bearer" }
headers = { "X-GitHub-Api-Version" = "2022-11-28" }
secret_fields = ["/token", "/plan/secret~1key"]
[github.map]
id = "/id"
username = "/login"
email = "/email"
email_verified = "/verified"
[github.map.extra]
plan = "/plan/name"
"#;

    #[test]
    fn maps_numbers_to_strings_and_missing_pointers_to_null() {
        let d = define_text(GITHUB).unwrap();
        assert_eq!(d.url, "https://api.github.com/user");
        let body = json!({"id": 583231, "login": "octocat", "email": null, "verified": "true", "plan": {"name": "pro"}});
        let p = d.provider.normalize(&body, &Settings::default()).unwrap();
        assert_eq!(p.id.as_deref(), Some("583231"));
        assert_eq!(p.username.as_deref(), Some("octocat"));
        assert_eq!(p.email, None);
        assert_eq!(p.email_verified, Some(true));
        assert_eq!(p.extra["plan"], "pro");
        assert!(
            d.provider
                .normalize(&json!({"login": "x"}), &Settings::default())
                .is_none(),
            "no id, no profile"
        );
        assert_eq!(
            d.provider.secret_pointers(),
            ["/token", "/plan/secret~1key"]
        );
    }

    #[test]
    fn sends_the_credential_in_the_named_header() {
        let d = define_text(GITHUB).unwrap();
        let request = d
            .provider
            .request(&Settings::default(), &Secret::new("ghp_x"))
            .unwrap();
        assert_eq!(request.method, Method::GET);
        assert_eq!(request.path, "");
        let auth = request
            .headers
            .iter()
            .find(|(n, _)| n == "authorization")
            .unwrap();
        assert_eq!(auth.1.to_str().unwrap(), "Bearer ghp_x");
        assert!(auth.1.is_sensitive());
        assert!(
            request
                .headers
                .iter()
                .any(|(n, v)| n == "x-github-api-version" && v == "2022-11-28")
        );
        assert_eq!(d.provider.auth_header(), "authorization: Bearer <token>");
    }

    #[test]
    fn rejection_statuses_add_to_401_and_403() {
        let d = define_text(&format!("{GITHUB}[github.reject]\nstatus = [400, 404]\n")).unwrap();
        assert_eq!(
            d.provider.rejection(404, None),
            Some(ErrorKind::UserNotFound)
        );
        assert_eq!(
            d.provider.rejection(400, None),
            Some(ErrorKind::InvalidCredential)
        );
        assert_eq!(
            d.provider.rejection(401, None),
            None,
            "the shared rule rejects it"
        );
        assert_eq!(
            d.provider.rejection(403, None),
            None,
            "the shared rule rejects it"
        );
        assert_eq!(d.provider.rejection(500, None), None);
        let plain = define_text(GITHUB).unwrap();
        assert_eq!(plain.provider.rejection(404, None), None);
    }

    #[test]
    fn bad_definitions_name_line_and_key() {
        let cases = [
            (
                "[a]\nurl = \"https://x.test/u\"\nauth = { header = \"Authorization\" }\nheaders = { authorization = \"Basic x\" }\n[a.map]\nid = \"/id\"\n",
                "is the auth header",
            ),
            (
                "[a]\nurl = \"https://x.test/u\"\nauth = { header = \"Authorization\", scheme = \"Bea\\u0001rer\" }\n[a.map]\nid = \"/id\"\n",
                "auth.scheme",
            ),
            (
                "[a]\nprovider = \"custom\"\n[a.map]\nid = \"/id\"\n",
                "needs `url`",
            ),
            ("[a]\nurl = \"https://x.test/u\"\n", "needs a [a.map]"),
            (
                "[a]\nurl = \"https://x.test/u\"\n[a.map]\nid = \"/id\"\n",
                "needs `auth`",
            ),
            (
                "[a]\nurl = \"https://x.test/u\"\nauth = { header = \"X-Key\" }\n[a.map]\nusrname = \"/n\"\n",
                "did you mean",
            ),
            (
                "[a]\nurl = \"https://x.test/u\"\nauth = { header = \"X-Key\" }\n[a.map]\nid = \"id\"\n",
                "must start with `/`",
            ),
            (
                "[a]\nurl = \"https://x.test/u\"\nauth = { header = \"X-Key\" }\n[a.map]\nid = \"/a~2\"\n",
                "~",
            ),
            (
                "[a]\nurl = \"https://x.test/u\"\nauth = { header = \"X-Key\" }\nmethod = \"DELETE\"\n[a.map]\nid = \"/id\"\n",
                "GET or POST",
            ),
            (
                "[a]\nurl = \"https://x.test/u\"\nauth = { scheme = \"Bearer\" }\n[a.map]\nid = \"/id\"\n",
                "needs `header`",
            ),
            (
                "[a]\nurl = \"https://x.test/u\"\nauth = { header = \"Authorization\", shceme = \"x\" }\n[a.map]\nid = \"/id\"\n",
                "did you mean `scheme`",
            ),
            (
                "[a]\nurl = \"https://x.test/u\"\nauth = { header = \"X-Key\" }\n[a.map]\nid = \"/id\"\n[a.reject]\nstatus = [500]\n",
                "never a verdict",
            ),
            (
                "[a]\nurl = \"https://x.test/u\"\nauth = { header = \"X-Key\" }\nbody = \"{}\"\n[a.map]\nid = \"/id\"\n",
                "POST",
            ),
        ];
        for (text, expected) in cases {
            let err = define_text(text)
                .err()
                .unwrap_or_else(|| panic!("accepted: {text}"));
            assert!(err.contains(expected), "{text}\n→ {err}");
            assert!(err.starts_with("Some("), "names a line: {err}");
        }
    }
}
