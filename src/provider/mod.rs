//! The providers: one file each, behind one trait, listed once in [`PROVIDERS`].
//!
//! A provider knows its request (method, path, headers), its success envelope and how to
//! normalize it, its body-level rejection rules and its secret fields. It knows nothing of
//! transport, retries, status classes, redaction or rendering: those are shared, so adding a
//! provider is one file, one line in [`PROVIDERS`] and one fixture folder.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::credential::Secret;
use crate::profile::{ErrorKind, Profile};

pub mod builtin;
pub mod custom;
pub mod definition;

/// Every built-in provider, in the order `whoami providers` lists them: the definitions of
/// `providers/*.toml`, embedded in the binary.
pub static PROVIDERS: std::sync::LazyLock<Vec<&'static dyn Provider>> =
    std::sync::LazyLock::new(|| {
        let mut all: Vec<&'static dyn Provider> = builtin::DEFINITIONS
            .iter()
            .map(|d| d as &'static dyn Provider)
            .collect();
        all.sort_by_key(|p| ORDER.iter().position(|id| *id == p.id()));
        all
    });

/// The order `whoami providers` lists the launch providers in (the catalogue follows).
const ORDER: &[&str] = &["vaiz", "hamravesh", "flashback", "zitadel", "chatwoot"];

/// Looks a built-in provider up by id.
pub fn find(id: &str) -> Option<&'static dyn Provider> {
    PROVIDERS.iter().copied().find(|p| p.id() == id)
}

/// The ids of every built-in provider, for messages and suggestions.
pub fn ids() -> Vec<&'static str> {
    PROVIDERS.iter().map(|p| p.id()).collect()
}

/// A provider's own environment variable (its SDK's) and the config key it sets.
#[derive(Debug, Clone, Copy)]
pub struct SdkVar {
    pub var: &'static str,
    pub key: &'static str,
}

pub trait Provider: Sync {
    /// Lower-case id: the `provider` value in the config and the `-p` argument.
    fn id(&self) -> &'static str;
    /// The provider's own spelling, for people.
    fn name(&self) -> &'static str;
    /// The API documentation of the endpoint we call.
    fn docs_url(&self) -> &'static str;
    /// `None` when the provider has no shared host, making `base_url` required.
    fn default_base_url(&self) -> Option<&'static str>;
    /// How the credential is sent, for `whoami providers` (e.g. `Authorization: Bearer`).
    fn auth_header(&self) -> &'static str;
    /// Config keys this provider takes beyond the common ones.
    fn settings(&self) -> &'static [&'static str] {
        &[]
    }
    /// Checks one provider-specific setting's value; the error says what is allowed.
    fn check_setting(&self, _key: &str, _value: &str) -> Result<(), String> {
        Ok(())
    }
    /// The provider SDK's own variables, read at the lowest precedence.
    fn sdk_env(&self) -> &'static [SdkVar] {
        &[]
    }
    /// Keys in this provider's bodies that hold secrets the generic rule would miss.
    fn secret_fields(&self) -> &'static [&'static str];
    /// JSON pointers to secrets, for providers defined in the config.
    fn secret_pointers(&self) -> &'static [&'static str] {
        &[]
    }
    /// The "current user" request.
    fn request(&self, settings: &Settings, secret: &Secret) -> Result<ApiRequest, BadHeader>;
    /// Body-level rules that decide a rejection beyond the shared status rules (401 and 403).
    /// `None` leaves the decision to the status.
    fn rejection(&self, _status: u16, _body: Option<&Value>) -> Option<ErrorKind> {
        None
    }
    /// Whether this provider itself answers a rejected credential with an HTML page. Normally
    /// a 401 or 403 in HTML comes from a firewall, CDN or proxy in front of the provider, and
    /// is "could not tell", not a verdict.
    fn html_rejections(&self) -> bool {
        false
    }
    /// Advice for a failure, when the provider has a known trap (e.g. a proxy dropping a header).
    fn hint(&self, _status: u16, _body: Option<&Value>) -> Option<&'static str> {
        None
    }
    /// The human message of an error body.
    fn error_message(&self, body: &Value) -> Option<String> {
        generic_error_message(body)
    }
    /// The normalized profile, or `None` when `body` is not this provider's success envelope.
    fn normalize(&self, body: &Value, settings: &Settings) -> Option<Profile>;
}

impl std::fmt::Debug for dyn Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// An account's provider-specific settings (`space_id`, `org_id`, …), already validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings(pub BTreeMap<String, String>);

impl Settings {
    /// The setting's value; an empty string counts as absent.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// A credential that cannot travel in an HTTP header (a newline, a control character).
#[derive(Debug, thiserror::Error)]
#[error("the credential contains characters that are not allowed in an HTTP header")]
pub struct BadHeader;

/// What a provider asks the HTTP layer to send: the HTTP layer's own request type.
pub use crate::http::Request as ApiRequest;

/// Lenient readers over a JSON body, addressed by JSON pointer (RFC 6901). A missing field, a
/// `null` or a value of another type is `None`, never an error: providers add, omit and
/// retype fields, and a profile with one field less is still a verified identity.
pub mod json {
    use serde_json::Value;

    /// A non-empty string (`""` counts as missing: providers send it for unset fields).
    pub fn text(body: &Value, pointer: &str) -> Option<String> {
        match body.pointer(pointer)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            _ => None,
        }
    }

    /// An identifier: a string, or a number normalized to a string.
    pub fn id(body: &Value, pointer: &str) -> Option<String> {
        match body.pointer(pointer)? {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    pub fn flag(body: &Value, pointer: &str) -> Option<bool> {
        body.pointer(pointer)?.as_bool()
    }

    /// Any value that is present and not null, for `extra`.
    pub fn any(body: &Value, pointer: &str) -> Option<Value> {
        body.pointer(pointer).filter(|v| !v.is_null()).cloned()
    }

    pub fn list<'a>(body: &'a Value, pointer: &str) -> &'a [Value] {
        body.pointer(pointer)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// The message of a typical error body: `message`, `error` (string or `{message|code}`),
/// `errors` (list of strings), `detail`, `description`.
pub fn generic_error_message(body: &Value) -> Option<String> {
    let from_list = || {
        let items: Vec<String> = json::list(body, "/errors")
            .iter()
            .filter_map(|e| {
                e.as_str()
                    .map(str::to_string)
                    .or_else(|| json::text(e, "/message"))
            })
            .collect();
        (!items.is_empty()).then(|| items.join("; "))
    };
    json::text(body, "/message")
        .or_else(|| json::text(body, "/error"))
        .or_else(|| json::text(body, "/error/message"))
        .or_else(|| json::text(body, "/error/code"))
        .or_else(from_list)
        .or_else(|| json::text(body, "/detail"))
        .or_else(|| json::text(body, "/description"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::HashSet;
    use std::path::Path;

    #[test]
    fn ids_are_unique_lower_case_and_have_fixtures() {
        let mut seen = HashSet::new();
        for provider in PROVIDERS.iter() {
            let id = provider.id();
            assert!(seen.insert(id), "duplicate provider id {id}");
            assert!(
                id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
                "{id} must be lower-case ascii"
            );
            let fixtures = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(id);
            assert!(fixtures.is_dir(), "{id} has no fixture folder");
            assert!(
                !provider.secret_fields().is_empty() || provider.id() == "zitadel",
                "{id} names no secret field"
            );
            assert!(provider.docs_url().starts_with("https://"));
            if let Some(url) = provider.default_base_url() {
                assert!(url.starts_with("https://"), "{id}: {url}");
            }
        }
    }

    #[test]
    fn lenient_readers() {
        let body = json!({"a": {"id": 42, "s": "", "t": "x", "b": true, "n": null}});
        assert_eq!(json::id(&body, "/a/id").as_deref(), Some("42"));
        assert_eq!(json::text(&body, "/a/s"), None);
        assert_eq!(json::text(&body, "/a/t").as_deref(), Some("x"));
        assert_eq!(json::text(&body, "/a/id"), None);
        assert_eq!(json::flag(&body, "/a/b"), Some(true));
        assert_eq!(json::any(&body, "/a/n"), None);
        assert!(json::list(&body, "/a").is_empty());
    }

    #[test]
    fn generic_messages() {
        assert_eq!(
            generic_error_message(&json!({"error": "Invalid Access Token"})).as_deref(),
            Some("Invalid Access Token")
        );
        assert_eq!(
            generic_error_message(&json!({"errors": ["a", "b"]})).as_deref(),
            Some("a; b")
        );
        assert_eq!(generic_error_message(&json!({"x": 1})), None);
    }
}
