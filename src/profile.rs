//! The normalized profile and the per-account result: the output contract (README, "For scripts").
//!
//! Field names and their order here *are* the JSON and YAML schema. New fields may be added;
//! none may be renamed or removed without a major version. Nothing in these types ever holds a
//! secret: credentials stay in [`crate::credential::Secret`] and provider bodies are redacted
//! before they reach `raw`.

use std::borrow::Cow;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// The same fields whatever the provider. A field the provider does not give is `null`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Always a string, even where the provider uses numbers.
    pub id: Option<String>,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    /// Masked (`••••1234`) unless `--show-pii`.
    pub phone: Option<String>,
    pub avatar_url: Option<String>,
    pub locale: Option<String>,
    /// RFC 3339, as the provider sent it.
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub organizations: Vec<Organization>,
    pub mfa: Option<bool>,
    /// Provider-specific, non-secret details.
    pub extra: Map<String, Value>,
}

/// An organization, space or account the identity belongs to, with its role there.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    pub id: Option<String>,
    pub name: Option<String>,
    /// The role as the provider words it; several are joined with `, ` (`developer, billing`).
    pub role: Option<String>,
    /// Every role, one by one: `--expect profile.organizations.0.roles=developer` holds when
    /// `developer` is one of them.
    #[serde(default)]
    pub roles: Vec<String>,
}

impl Organization {
    /// Every text it holds: id, name, role, then each of its roles.
    pub fn texts_mut(&mut self) -> impl Iterator<Item = &mut String> {
        [&mut self.id, &mut self.name, &mut self.role]
            .into_iter()
            .flatten()
            .chain(&mut self.roles)
    }
}

/// What happened to one account: `ok` (verified), `rejected` (the provider refused the
/// credential: a fact) or `error` (we could not tell).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Error,
    Rejected,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Rejected => "rejected",
            Status::Error => "error",
        }
    }
}

/// Why an account is not `ok`. Each kind belongs to exactly one [`Status`], so a timeout can
/// never be reported as a bad credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    InvalidCredential,
    Expired,
    Forbidden,
    NotMember,
    UserNotFound,
    Expiring,
    Expectation,
    Timeout,
    Connect,
    Tls,
    RateLimited,
    ServerError,
    Redirect,
    TooLarge,
    UnexpectedResponse,
}

impl ErrorKind {
    pub fn status(self) -> Status {
        use ErrorKind::*;
        match self {
            InvalidCredential | Expired | Forbidden | NotMember | UserNotFound | Expiring
            | Expectation => Status::Rejected,
            Timeout | Connect | Tls | RateLimited | ServerError | Redirect | TooLarge
            | UnexpectedResponse => Status::Error,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultError {
    pub kind: ErrorKind,
    pub message: String,
}

/// Where the credential came from, never the credential itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CredentialInfo {
    /// `inline (FILE:LINE)`, `env VAR`, `file PATH` or `command (FILE:LINE)`.
    pub source: String,
    /// `…` and the last four characters, for credentials of 16 characters or more.
    pub hint: Option<String>,
    /// RFC 3339: a JWT's `exp` (decoded, not verified), else what the provider answered.
    pub expires_at: Option<String>,
    /// Where `expires_at` comes from; `unknown` means `--min-validity` cannot check it.
    pub expiry: Expiry,
}

/// The source of a credential's expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expiry {
    /// The credential is a JWT and its `exp` claim says when it ends.
    Jwt,
    /// The provider's answer says when it ends (a definition's `response.expires_at`).
    Provider,
    /// Not a JWT, and the provider does not say: nothing we can read says when it ends.
    Unknown,
}

/// One result per selected account, in configuration order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountResult {
    pub account: String,
    pub provider: String,
    pub endpoint: Option<String>,
    pub status: Status,
    pub http_status: Option<u16>,
    pub elapsed_ms: Option<u64>,
    pub credential: Option<CredentialInfo>,
    pub profile: Option<Profile>,
    pub error: Option<ResultError>,
    /// The provider's own response, redacted; only with `--raw`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<crate::raw::Raw>,
}

impl AccountResult {
    /// Marks a verified result as rejected (failed `--min-validity` or `--expect`), keeping the
    /// profile so the user can see what was verified.
    pub fn reject(&mut self, kind: ErrorKind, message: String) {
        self.status = kind.status();
        self.error = Some(ResultError { kind, message });
    }
}

/// The paths `--field` and `--expect` accept, checked before anything is sent. `*` after a
/// prefix accepts any key below it; `#` is a list index.
pub const FIELD_SCHEMA: &[&str] = &[
    "account",
    "provider",
    "endpoint",
    "status",
    "http_status",
    "elapsed_ms",
    "credential",
    "credential.source",
    "credential.hint",
    "credential.expires_at",
    "credential.expiry",
    "profile",
    "profile.id",
    "profile.username",
    "profile.display_name",
    "profile.first_name",
    "profile.last_name",
    "profile.email",
    "profile.email_verified",
    "profile.phone",
    "profile.avatar_url",
    "profile.locale",
    "profile.created_at",
    "profile.updated_at",
    "profile.organizations",
    "profile.organizations.#",
    "profile.organizations.#.id",
    "profile.organizations.#.name",
    "profile.organizations.#.role",
    "profile.organizations.#.roles",
    "profile.organizations.#.roles.#",
    "profile.mfa",
    "profile.extra",
    "profile.extra.*",
    "error",
    "error.kind",
    "error.message",
    "raw",
    "raw.*",
];

/// Whether `path` names a field of the result schema (see [`FIELD_SCHEMA`]).
///
/// ```
/// use profile_whoami::profile::is_known_field;
/// assert!(is_known_field("profile.organizations.0.role"));
/// assert!(is_known_field("profile.extra.availability"));
/// assert!(!is_known_field("profile.emial"));
/// ```
pub fn is_known_field(path: &str) -> bool {
    if path.is_empty() {
        return false;
    }
    let segments: Vec<&str> = path.split('.').collect();
    FIELD_SCHEMA.iter().any(|pattern| {
        let pat: Vec<&str> = pattern.split('.').collect();
        if pat.last() == Some(&"*") {
            let prefix = &pat[..pat.len() - 1];
            segments.len() > prefix.len() && matches_segments(prefix, &segments[..prefix.len()])
        } else {
            pat.len() == segments.len() && matches_segments(&pat, &segments)
        }
    })
}

/// The known field closest to a misspelled one (`profile.emial` → `profile.email`), with the
/// path's own list indices kept.
pub fn suggest_field(path: &str) -> Option<String> {
    let index = path
        .split('.')
        .find(|s| s.parse::<usize>().is_ok())
        .unwrap_or("0");
    FIELD_SCHEMA
        .iter()
        .filter(|p| !p.ends_with('*'))
        .map(|p| p.replace('#', index))
        .map(|c| (strsim::jaro_winkler(path, &c), c))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

fn matches_segments(pattern: &[&str], segments: &[&str]) -> bool {
    pattern.iter().zip(segments).all(|(p, s)| match *p {
        "#" => s.parse::<usize>().is_ok(),
        _ => p == s,
    })
}

/// `result` as compact JSON text, for [`lookup`]: text rather than a tree, because a tree of
/// a long list of organizations (or of a `--raw` answer) costs many times the text.
pub fn document(result: &AccountResult) -> String {
    serde_json::to_string(result).unwrap_or_else(|_| "null".into())
}

/// Looks up a dotted path in a serialized result ([`document`]): the value's own text, read
/// past everything else without building it. List items are addressed by index; where a key
/// is there twice, the last one counts, as in any JSON object.
///
/// ```
/// use profile_whoami::profile::{field_text, lookup};
/// let result = r#"{"profile": {"organizations": [{"role": "admin"}]}}"#;
/// assert_eq!(field_text(lookup(result, "profile.organizations.0.role")), "admin");
/// assert_eq!(field_text(lookup(result, "profile.organizations.5.role")), "");
/// ```
pub fn lookup<'a>(json: &'a str, path: &str) -> Option<&'a RawValue> {
    let path: Vec<&str> = path.split('.').collect();
    let mut de = serde_json::Deserializer::from_str(json);
    // A value of the wrong kind on the way is no value, as is a document that is not JSON.
    Seek(&path).deserialize(&mut de).ok().flatten()
}

/// Finds the value at a path below the value being read.
struct Seek<'p>(&'p [&'p str]);

impl<'de> DeserializeSeed<'de> for Seek<'_> {
    type Value = Option<&'de RawValue>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        match self.0 {
            [] => <&RawValue>::deserialize(d).map(Some),
            _ => d.deserialize_any(self),
        }
    }
}

impl<'de> Visitor<'de> for Seek<'_> {
    type Value = Option<&'de RawValue>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object or a list")
    }

    // A value of another kind has nothing below it (and a later key of the same name may).
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (first, rest) = self.0.split_first().expect("a path below");
        let mut found = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key == *first {
                true => found = map.next_value_seed(Seek(rest))?,
                false => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Self::Value, A::Error> {
        let (first, rest) = self.0.split_first().expect("a path below");
        let wanted = first.parse::<usize>().ok();
        let mut found = None;
        for i in 0.. {
            let more = match Some(i) == wanted {
                true => items.next_element_seed(Seek(rest))?.map(|f| found = f),
                false => items.next_element::<IgnoredAny>()?.map(|_| ()),
            };
            if more.is_none() {
                break;
            }
        }
        Ok(found)
    }
}

/// Whether `--expect` holds: the field's text equals the expected value, or, for a list (such
/// as `roles`), one of its items does.
pub fn expect_holds(value: Option<&RawValue>, expected: &str) -> bool {
    if field_text(value) == expected {
        return true;
    }
    match value.map(|v| serde_json::from_str::<Vec<&RawValue>>(v.get())) {
        Some(Ok(items)) => items.iter().any(|item| field_text(Some(item)) == expected),
        _ => false,
    }
}

/// A value as `--field` prints it and `--expect` compares it: strings bare, `null` empty,
/// objects and arrays as compact JSON.
pub fn field_text(value: Option<&RawValue>) -> String {
    let Some(text) = value.map(RawValue::get) else {
        return String::new();
    };
    match text.as_bytes().first() {
        Some(b'"') => serde_json::from_str(text).unwrap_or_default(),
        _ if text == "null" => String::new(),
        _ => text.to_string(),
    }
}

#[cfg(test)]
impl AccountResult {
    /// A verified chatwoot result with nothing else in it, for tests to fill in.
    pub fn example(account: &str) -> AccountResult {
        AccountResult {
            account: account.into(),
            provider: "chatwoot".into(),
            endpoint: None,
            status: Status::Ok,
            http_status: Some(200),
            elapsed_ms: None,
            credential: None,
            profile: None,
            error: None,
            raw: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_read_the_result_as_it_is_written() {
        let result = AccountResult {
            provider: "hamravesh".into(),
            profile: Some(Profile {
                email: Some("ada@example.org".into()),
                organizations: vec![Organization {
                    name: Some("Acme \"One\"".into()),
                    roles: vec!["owner".into(), "dev".into()],
                    ..Default::default()
                }],
                ..Default::default()
            }),
            ..AccountResult::example("a")
        };
        let text = document(&result);
        assert_eq!(
            field_text(lookup(&text, "profile.email")),
            "ada@example.org"
        );
        assert_eq!(
            field_text(lookup(&text, "profile.organizations.0.name")),
            "Acme \"One\""
        );
        assert_eq!(field_text(lookup(&text, "http_status")), "200");
        assert_eq!(field_text(lookup(&text, "profile.id")), "");
        assert!(expect_holds(
            lookup(&text, "profile.organizations.0.roles"),
            "dev"
        ));
        assert!(!expect_holds(
            lookup(&text, "profile.organizations.0.roles"),
            "admin"
        ));
        assert!(expect_holds(lookup(&text, "status"), "ok"));
    }

    #[test]
    fn known_fields_follow_the_schema() {
        for ok in [
            "profile.email",
            "profile.organizations.0.role",
            "profile.organizations.12",
            "profile.extra.availability",
            "raw.accounts.0.name",
            "status",
            "credential.hint",
        ] {
            assert!(is_known_field(ok), "{ok} should be known");
        }
        for bad in [
            "",
            "profile.emial",
            "profile.organizations.x.role",
            "profile.extra",
            "nope",
            "raw",
        ] {
            let expected = bad == "profile.extra" || bad == "raw";
            assert_eq!(is_known_field(bad), expected, "{bad}");
        }
    }

    #[test]
    fn lookup_walks_objects_and_lists() {
        let v = r#"{"profile":{"organizations":[{"role":"admin"}],"email":null,"n":1.5},"x":1,"x":[true]}"#;
        assert_eq!(
            lookup(v, "profile.organizations.0.role").map(RawValue::get),
            Some(r#""admin""#)
        );
        for none in [
            "profile.organizations.1.role",
            "profile.organizations.first",
            "profile.email.x",
            "profile.n.0",
            "nope",
            "x.1",
        ] {
            assert_eq!(lookup(v, none).map(RawValue::get), None, "{none}");
        }
        assert_eq!(field_text(lookup(v, "profile.email")), "");
        assert_eq!(field_text(lookup(v, "profile.n")), "1.5");
        assert_eq!(
            field_text(lookup(v, "profile.organizations")),
            r#"[{"role":"admin"}]"#
        );
        // The last of a key that is there twice, as a JSON object reads.
        assert_eq!(field_text(lookup(v, "x.0")), "true");
        assert!(lookup("not json", "x").is_none());
    }

    #[test]
    fn every_kind_has_one_status() {
        assert_eq!(ErrorKind::Timeout.status(), Status::Error);
        assert_eq!(ErrorKind::RateLimited.status(), Status::Error);
        assert_eq!(ErrorKind::InvalidCredential.status(), Status::Rejected);
        assert_eq!(ErrorKind::Expiring.status(), Status::Rejected);
    }
}
