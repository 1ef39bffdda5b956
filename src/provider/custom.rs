//! One-account provider definitions written inline in the config: any service with a "who
//! am I" endpoint, without a definition file.
//!
//! ```toml
//! [github]
//! provider = "custom"
//! url = "https://api.github.com/user"
//! auth = { header = "Authorization", scheme = "Bearer" }
//! token = { env = "GITHUB_TOKEN" }
//! [github.map]
//! id = "/id"            # a JSON pointer…
//! email = ".email"      # …or a jq expression, as in a definition file
//! ```
//!
//! The table is translated into the same [`Definition`] a file gives, named after the account
//! (the results' `provider`), so it runs through the same pipeline: request building, HTTP
//! rules, redaction (its `secret_fields` pointers on top of the generic rule, applied before
//! anything maps the body), classification and renderers. Its success envelope is "`map.id`
//! gives a value".

use std::collections::BTreeMap;

use reqwest::header::{HeaderName, HeaderValue};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::definition::{self, Definition, Field, Raw, RawAuth, RawRequest, RawResponse, RawRule};

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

/// What an account table defines: the provider, and the URL (kept as the account's base URL
/// so that `--base-url` and `WHOAMI_<ACCOUNT>_BASE_URL` override it like any other).
pub struct Inline {
    pub definition: Definition,
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
) -> Result<Inline, crate::config::ConfigError> {
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
    let mut request = RawRequest {
        method: "GET".into(),
        ..RawRequest::default()
    };
    let mut headers_at: Vec<(HeaderName, usize)> = Vec::new();
    let mut secret_pointers = Vec::new();
    let mut map = None;
    let mut reject = Vec::new();
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
                request.method = match string(entry)?.to_ascii_uppercase().as_str() {
                    method @ ("GET" | "POST") => method.to_string(),
                    _ => {
                        return Err(fail(
                            offset,
                            "method",
                            "only GET or POST (every check is read-only)".to_string(),
                        ));
                    }
                }
            }
            "body" => request.body = Some(string(entry)?),
            "auth" => request.auth = Some(parse_auth(account, value, error)?),
            "headers" => {
                for (name, text, at) in parse_headers(account, value, error)? {
                    headers_at.push((name.clone(), at));
                    request.headers.insert(name.as_str().to_string(), text);
                }
            }
            "secret_fields" => {
                secret_pointers = parse_pointers(account, "secret_fields", value, error)?
            }
            "map" => map = Some(parse_map(account, value, error)?),
            "reject" => reject = parse_reject(account, value, error)?,
            _ => {}
        }
    }
    let url = url.ok_or_else(|| error(at, format!("[{account}]: a custom provider needs `url` (the whole URL of its \"who am I\" endpoint)")))?;
    let (profile, success) = map.ok_or_else(|| {
        error(at, format!("[{account}]: a custom provider needs a [{account}.map] table with at least `id` (a JSON pointer such as \"/id\")"))
    })?;
    let Some(auth) = &request.auth else {
        return Err(error(
            at,
            format!(
                "[{account}]: a custom provider needs `auth`, the header that carries the credential (e.g. auth = {{ header = \"Authorization\", scheme = \"Bearer\" }})"
            ),
        ));
    };
    if let Some(name) = auth
        .header
        .as_deref()
        .and_then(|h| HeaderName::from_bytes(h.as_bytes()).ok())
        && let Some(offset) = headers_at
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, at)| *at)
    {
        return Err(error(
            offset,
            format!(
                "[{account}] headers: `{name}` is the auth header; the credential goes there, set it only in `auth`"
            ),
        ));
    }
    if request.body.is_some() && request.method != "POST" {
        return Err(error(
            at,
            format!("[{account}] body: only a POST sends a body; add method = \"POST\""),
        ));
    }
    let raw = Raw {
        id: account.to_string(),
        request,
        response: RawResponse {
            success,
            ..RawResponse::default()
        },
        profile,
        reject,
        secret_pointers,
        inline: true,
        ..Raw::default()
    };
    let definition = Definition::from_raw(raw)
        .and_then(|d| d.validate().map(|()| d))
        .map_err(|m| error(at, format!("[{account}] {m}")))?;
    Ok(Inline { definition, url })
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
) -> Result<RawAuth, crate::config::ConfigError> {
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
                HeaderName::from_bytes(text.as_bytes()).map_err(|_| {
                    error(
                        v.span().start,
                        format!(
                            "[{account}] auth.header: not a valid HTTP header name (a name such as `Authorization`; the scheme goes in `scheme`, the credential in `token`)"
                        ),
                    )
                })?;
                header = Some(text.to_string());
            }
            "scheme" => {
                if HeaderValue::from_str(&format!("{text} x")).is_err() {
                    return Err(error(
                        v.span().start,
                        format!("[{account}] auth.scheme: not valid in an HTTP header"),
                    ));
                }
                scheme = Some(text.trim().to_string()).filter(|s| !s.is_empty())
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
    Ok(RawAuth {
        header: Some(header),
        scheme,
        ..RawAuth::default()
    })
}

fn parse_headers(
    account: &str,
    value: &Spanned<DeValue<'_>>,
    error: ErrorAt<'_>,
) -> Result<Vec<(HeaderName, String, usize)>, crate::config::ConfigError> {
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
            HeaderValue::from_str(text).map_err(|_| {
                error(
                    v.span().start,
                    format!(
                        "[{account}] headers.{}: not a valid header value",
                        crate::config::shown(key.get_ref())
                    ),
                )
            })?;
            Ok((name, text.to_string(), offset))
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

/// A JSON pointer string (secret_fields), checked.
fn pointer(
    account: &str,
    key: &str,
    value: &Spanned<DeValue<'_>>,
    error: ErrorAt<'_>,
) -> Result<String, crate::config::ConfigError> {
    let text = value.get_ref().as_str().ok_or_else(|| {
        error(
            value.span().start,
            format!("[{account}] {key}: must be a JSON pointer string such as \"/id\""),
        )
    })?;
    check_pointer(text)
        .map_err(|m| error(value.span().start, format!("[{account}] {key}: {m}")))?;
    Ok(text.to_string())
}

fn parse_pointers(
    account: &str,
    key: &str,
    value: &Spanned<DeValue<'_>>,
    error: ErrorAt<'_>,
) -> Result<Vec<String>, crate::config::ConfigError> {
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

/// How a mapped value is read: as text (numbers and booleans as their text, as this format
/// always did), as a yes/no (`"true"`, non-zero numbers), or as it is (`extra`).
#[derive(Clone, Copy)]
enum Reading {
    Text,
    Flag,
    AsIs,
}

/// One `map` entry as a jq expression: a JSON pointer (`/a/0`) is translated, anything else
/// is a jq expression and must compile on its own.
fn mapping(
    account: &str,
    key: &str,
    value: &Spanned<DeValue<'_>>,
    reading: Reading,
    error: ErrorAt<'_>,
) -> Result<String, crate::config::ConfigError> {
    let at = value.span().start;
    let text = value.get_ref().as_str().ok_or_else(|| {
        error(
            at,
            format!(
                "[{account}] {key}: must be a JSON pointer (\"/id\") or a jq expression (\".id\")"
            ),
        )
    })?;
    let path = match text.starts_with('/') || text.is_empty() {
        true => {
            check_pointer(text).map_err(|m| error(at, format!("[{account}] {key}: {m}")))?;
            pointer_to_jq(text)
        }
        false => {
            crate::jq::Programs::compile(&[text]).map_err(|(_, e)| {
                // The engine's message names what it could not read: never a pasted credential.
                let pasted = text
                    .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                    .any(crate::credential::looks_like_secret);
                let detail = if pasted { String::new() } else { format!(" ({e})") };
                error(
                    at,
                    format!(
                        "[{account}] {key}: not a JSON pointer (a pointer must start with `/`, e.g. \"/id\") nor a jq expression that compiles{detail}"
                    ),
                )
            })?;
            // On a line of its own: a `#` comment in it cannot swallow the parenthesis.
            format!("(\n{text}\n)")
        }
    };
    Ok(match reading {
        Reading::Text => format!(
            "{path} | if type == \"number\" or type == \"boolean\" then tostring else . end"
        ),
        Reading::Flag => format!(
            "{path} | if type == \"string\" then (if . == \"true\" then true elif . == \"false\" then false else null end) elif type == \"number\" then . != 0 else . end"
        ),
        Reading::AsIs => path,
    })
}

/// A JSON pointer (RFC 6901) as a jq path: `/a/0` reads `.["a"]`, then index 0 of an array or
/// key "0" of an object. A step into anything else fails, which reads as "missing".
fn pointer_to_jq(pointer: &str) -> String {
    let mut jq = String::from(".");
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        let key = serde_json::Value::String(token.clone()).to_string();
        // An array index is `0` or digits without a leading zero (RFC 6901).
        let index =
            token.bytes().all(|b| b.is_ascii_digit()) && (token == "0" || !token.starts_with('0'));
        match token.parse::<usize>() {
            Ok(i) if index => {
                jq += &format!(" | if type == \"array\" then .[{i}] else .[{key}] end")
            }
            _ => jq += &format!(" | .[{key}]"),
        }
    }
    format!("({jq})")
}

/// The `map` table: profile field → jq expression, and the success predicate (`map.id`
/// gives a value).
fn parse_map(
    account: &str,
    value: &Spanned<DeValue<'_>>,
    error: ErrorAt<'_>,
) -> Result<(BTreeMap<String, String>, String), crate::config::ConfigError> {
    let mut profile = BTreeMap::new();
    for (key, v) in table(account, "map", value, error)?.iter() {
        let name = key.get_ref().as_ref();
        match name {
            "extra" => {
                let mut parts = Vec::new();
                for (k, p) in table(account, "map.extra", v, error)?.iter() {
                    let at = format!("map.extra.{}", k.get_ref());
                    let jq = mapping(account, &at, p, Reading::AsIs, error)?;
                    let key = serde_json::Value::String(k.get_ref().to_string()).to_string();
                    parts.push(format!("{key}: ({jq})"));
                }
                profile.insert("extra".to_string(), format!("{{{}}}", parts.join(", ")));
            }
            name if FIELDS.contains(&name) => {
                let flag = Field::ALL.iter().any(|(n, f)| *n == name && f.is_flag());
                let reading = if flag { Reading::Flag } else { Reading::Text };
                let jq = mapping(account, &format!("map.{name}"), v, reading, error)?;
                profile.insert(name.to_string(), jq);
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
    let Some(id) = profile.get("id") else {
        return Err(error(
            value.span().start,
            format!(
                "[{account}] map: needs `id`, the pointer whose presence proves a profile came back (e.g. id = \"/id\")"
            ),
        ));
    };
    // A profile's id is text or a number: an object, an array or the whole body is not one.
    let success = format!("({id}) | type == \"string\" or type == \"number\"");
    Ok((profile, success))
}

/// The `reject` table: statuses that reject on top of the shared rule (401 and 403 always
/// do); a 404 says the user is not found, any other the credential is invalid.
fn parse_reject(
    account: &str,
    value: &Spanned<DeValue<'_>>,
    error: ErrorAt<'_>,
) -> Result<Vec<RawRule>, crate::config::ConfigError> {
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
                        .filter(|s| definition::can_reject(*s))
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
    let statuses = statuses.ok_or_else(|| {
        error(
            value.span().start,
            format!("[{account}] reject: needs `status`, e.g. status = [401, 403]"),
        )
    })?;
    let rule = |status: Vec<u16>, kind: &str| RawRule {
        status,
        when: None,
        kind: kind.to_string(),
    };
    let (not_found, others): (Vec<u16>, Vec<u16>) = statuses
        .into_iter()
        .filter(|s| !matches!(s, 401 | 403))
        .partition(|s| *s == 404);
    Ok([
        (not_found, "user_not_found"),
        (others, "invalid_credential"),
    ]
    .into_iter()
    .filter(|(s, _)| !s.is_empty())
    .map(|(s, kind)| rule(s, kind))
    .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::Secret;
    use crate::jq::Document;
    use crate::profile::ErrorKind;
    use crate::provider::Settings;
    use reqwest::Method;
    use serde_json::{Value, json};

    fn define_text(text: &str) -> Result<Inline, String> {
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
        let p = d
            .definition
            .normalize(&Document::from(&body), &Settings::default())
            .unwrap();
        assert_eq!(p.id.as_deref(), Some("583231"));
        assert_eq!(p.username.as_deref(), Some("octocat"));
        assert_eq!(p.email, None);
        assert_eq!(p.email_verified, Some(true));
        assert_eq!(p.extra["plan"], "pro");
        assert!(
            d.definition
                .normalize(
                    &Document::from(&json!({"login": "x"})),
                    &Settings::default()
                )
                .is_none(),
            "no id, no profile"
        );
        assert_eq!(
            d.definition.secret_pointers(),
            ["/token", "/plan/secret~1key"]
        );
    }

    #[test]
    fn pointers_read_as_rfc_6901_says() {
        let body =
            json!({"items": ["a", "b"], "m": {"01": "x", "a/b": "s", "t~": "u"}, "id": {"x": 1}});
        for (pointer, expected) in [
            ("/items/1", json!("b")),
            ("/items/01", Value::Null),
            ("/m/01", json!("x")),
            ("/m/a~1b", json!("s")),
            ("/m/t~0", json!("u")),
        ] {
            let code = pointer_to_jq(pointer);
            let p = crate::jq::Programs::compile(&[code.as_str()]).unwrap();
            let document = Document::from(&body);
            let input = document.input(&Value::Null);
            assert_eq!(
                p.first(0, &input).unwrap_or(Value::Null),
                expected,
                "{pointer}"
            );
        }
        // An object where the id belongs is no profile.
        let d = define_text(GITHUB).unwrap();
        assert!(
            d.definition
                .normalize(
                    &Document::from(&json!({"id": {"x": 1}})),
                    &Settings::default()
                )
                .is_none()
        );
    }

    #[test]
    fn sends_the_credential_in_the_named_header() {
        let d = define_text(GITHUB).unwrap();
        let request = d
            .definition
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
        assert_eq!(d.definition.auth_header(), "Authorization: Bearer <token>");
    }

    #[test]
    fn rejection_statuses_add_to_401_and_403() {
        let d = define_text(&format!("{GITHUB}[github.reject]\nstatus = [400, 404]\n")).unwrap();
        assert_eq!(
            d.definition.rejection(404, None, &Settings::default()),
            Some(ErrorKind::UserNotFound)
        );
        assert_eq!(
            d.definition.rejection(400, None, &Settings::default()),
            Some(ErrorKind::InvalidCredential)
        );
        assert_eq!(
            d.definition.rejection(401, None, &Settings::default()),
            None,
            "the shared rule rejects it"
        );
        assert_eq!(
            d.definition.rejection(403, None, &Settings::default()),
            None,
            "the shared rule rejects it"
        );
        assert_eq!(
            d.definition.rejection(500, None, &Settings::default()),
            None
        );
        let plain = define_text(GITHUB).unwrap();
        assert_eq!(
            plain.definition.rejection(404, None, &Settings::default()),
            None
        );
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
