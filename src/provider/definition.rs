//! A provider as data: a TOML definition with jq mappings (README, "Any other service").
//!
//! A definition says who the provider is, the request to send, when an answer is its profile,
//! how each profile field is read from the body (jq), which statuses and bodies reject the
//! credential, which fields of its bodies are secret, and hints for known traps. The shared
//! rules (transport, retries, status classes, redaction, rendering) stay in one place for every
//! provider and cannot be weakened by a definition: a rule can only add rejections, a 429 or a
//! 5xx only through an explicit body predicate, and never a status that is not about the
//! credential (407, 408, 421, 425, 429 without a predicate, 431, 499).
//!
//! The built-ins (`providers/*.toml`), user definitions (`<config dir>/whoami/providers/`) and
//! the one-account definitions written inline in the config all load into this one type.
//! Every jq expression of a definition compiles together, once, on first use. Before mapping,
//! every string that is empty or only white space is read as `null`: providers send `""` for
//! unset fields, and `.display_name // .name` should fall back past one.

use std::borrow::Cow;
use std::collections::BTreeMap;

use base64::Engine as _;
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use serde::Deserialize;
use serde_json::Value;

use super::{BadHeader, Settings, generic_error_message};
use crate::credential::Secret;
use crate::http::Request;
use crate::jq::{Document, Item, Programs};
use crate::profile::{ErrorKind, Organization, Profile};

/// The placeholder that stands for the credential in a path, a header or Basic auth.
pub const TOKEN: &str = "token";

/// A loaded definition: validated, its programs compiled on first use.
#[derive(Debug)]
pub struct Definition {
    id: String,
    name: String,
    docs: String,
    base_url: Option<String>,
    replaces: bool,
    setting_rules: BTreeMap<String, SettingRule>,
    env: Vec<SdkVar>,
    method: Method,
    path: String,
    auth: Auth,
    auth_description: String,
    headers: Vec<(HeaderName, String)>,
    body: Option<String>,
    secrets: Vec<String>,
    secret_pointers: Vec<String>,
    inline: bool,
    html_rejections: bool,
    /// Indices into `expressions`, compiled together on first use (see [`crate::jq`]).
    success: usize,
    message: Option<usize>,
    expires_at: Option<usize>,
    fields: Vec<(Field, usize)>,
    organizations: Option<usize>,
    /// `profile.organizations_each`: the top-level key whose list `organizations` maps a batch
    /// of items at a time.
    organizations_each: Option<String>,
    extra: Option<usize>,
    rejections: Vec<Rule>,
    hints: Vec<Hint>,
    /// Every jq expression of the definition with the key it is written under.
    expressions: Vec<(String, String)>,
    programs: std::sync::OnceLock<Option<Programs>>,
}

/// A provider SDK's own environment variable and the key it fills (`VAIZ_API_KEY` → `token`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkVar {
    pub var: String,
    pub key: String,
}

#[derive(Debug, Clone)]
struct SettingRule {
    values: Vec<String>,
    required: bool,
    header: bool,
    default: Option<String>,
    valid: Option<usize>,
    invalid: Option<String>,
}

/// Where the credential travels.
#[derive(Debug)]
enum Auth {
    /// `Authorization: Bearer <token>`, `Api-key: <token>`; the scheme may name a setting
    /// (`{token_type}`). With `basic`, Basic is sent when every setting it names is set.
    Header {
        name: HeaderName,
        scheme: Option<String>,
        basic: Option<(String, String)>,
    },
    /// HTTP Basic from two templates (`{email}` and `{token}`, or `{token}` and nothing).
    Basic { user: String, password: String },
    /// A query parameter (`?key=<token>`).
    Query { name: String },
    /// Only where `{token}` is written: the path (`/bot{token}/getMe`) or a header.
    Placed,
}

#[derive(Debug)]
struct Rule {
    status: Vec<u16>,
    when: Option<usize>,
    kind: ErrorKind,
}

#[derive(Debug)]
struct Hint {
    status: Vec<u16>,
    when: Option<usize>,
    text: String,
}

/// The profile fields a definition maps, by kind of value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Id,
    Username,
    DisplayName,
    FirstName,
    LastName,
    Email,
    EmailVerified,
    Phone,
    AvatarUrl,
    Locale,
    CreatedAt,
    UpdatedAt,
    Mfa,
}

impl Field {
    pub(super) const ALL: &[(&str, Field)] = &[
        ("id", Field::Id),
        ("username", Field::Username),
        ("display_name", Field::DisplayName),
        ("first_name", Field::FirstName),
        ("last_name", Field::LastName),
        ("email", Field::Email),
        ("email_verified", Field::EmailVerified),
        ("phone", Field::Phone),
        ("avatar_url", Field::AvatarUrl),
        ("locale", Field::Locale),
        ("created_at", Field::CreatedAt),
        ("updated_at", Field::UpdatedAt),
        ("mfa", Field::Mfa),
    ];

    /// Every key of `[profile]`, for messages.
    pub(super) fn keys() -> String {
        let mut keys: Vec<&str> = Field::ALL.iter().map(|(name, _)| *name).collect();
        keys.extend(["organizations", "organizations_each", "extra"]);
        keys.join(", ")
    }

    /// Whether the field holds a yes/no.
    pub(super) fn is_flag(self) -> bool {
        matches!(self, Field::EmailVerified | Field::Mfa)
    }

    fn set(self, profile: &mut Profile, value: Option<Value>) {
        let text = || value.as_ref().and_then(text);
        let id = || value.as_ref().and_then(identifier);
        let flag = || value.as_ref().and_then(Value::as_bool);
        match self {
            Field::Id => profile.id = id(),
            Field::Username => profile.username = text(),
            Field::DisplayName => profile.display_name = text(),
            Field::FirstName => profile.first_name = text(),
            Field::LastName => profile.last_name = text(),
            Field::Email => profile.email = text(),
            Field::EmailVerified => profile.email_verified = flag(),
            Field::Phone => profile.phone = id(),
            Field::AvatarUrl => profile.avatar_url = text(),
            Field::Locale => profile.locale = text(),
            Field::CreatedAt => profile.created_at = text(),
            Field::UpdatedAt => profile.updated_at = text(),
            Field::Mfa => profile.mfa = flag(),
        }
    }
}

/// Organizations as they stream out of a mapping, their text kept in one buffer until the
/// stream ends. Allocated one by one between the engine's short-lived values, the strings of a
/// long list pin the heap's free space in place: with 250 000 organizations the process grew
/// by twice what they hold. Built at the end, they lie together.
#[derive(Default)]
struct Staged {
    text: String,
    /// Per organization: id, name and role, then where its roles start in `roles`.
    fields: Vec<([Option<Span>; 3], u32)>,
    roles: Vec<Span>,
    /// Text was refused while the current organization was kept (see [`Staged::keep`]).
    full: bool,
}

/// Where a string lies in [`Staged::text`]: from, to.
type Span = (u32, u32);

impl Staged {
    /// Keeps what the profile reads of an organization (an object a mapping gave), each part
    /// read where it lies: `roles` as the definition gives them, else `role` split at its
    /// commas; `role` as given, else the roles joined; `id` a string or a number in its JSON
    /// form. A text field is a string that is not blank: a number where a name belongs is not
    /// a name.
    fn push(&mut self, o: &Item<'_>) {
        fn text<'v>(value: Option<Item<'v>>) -> Option<Cow<'v, str>> {
            value?.text().filter(|t| !t.trim().is_empty())
        }
        let (text_before, roles_before) = (self.text.len(), self.roles.len());
        let role = text(o.field("role"));
        match o.field("roles").and_then(|roles| roles.items()) {
            Some(roles) => roles.filter_map(|r| text(Some(r))).for_each(|r| {
                let span = self.keep(&r);
                self.roles.push(span);
            }),
            None => role
                .iter()
                .flat_map(|r| r.split(','))
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .for_each(|r| {
                    let span = self.keep(r);
                    self.roles.push(span);
                }),
        }
        let role = match role {
            Some(role) => Some(self.keep(&role)),
            None if self.roles.len() > roles_before => {
                let roles = &self.roles[roles_before..];
                let joined: Vec<&str> = roles
                    .iter()
                    .map(|&(from, to)| &self.text[from as usize..to as usize])
                    .collect();
                Some(self.keep(&joined.join(", ")))
            }
            None => None,
        };
        let id = o.field("id").and_then(|id| match id.number() {
            Some(number) => Some(Cow::Owned(number)),
            None => text(Some(id)),
        });
        let id = id.map(|id| self.keep(&id));
        let name = text(o.field("name")).map(|name| self.keep(&name));
        // Offsets are 32 bits: an organization whose text would end past 4 GiB (only a
        // runaway mapping makes that much) is left out rather than misread.
        if std::mem::take(&mut self.full) {
            self.text.truncate(text_before);
            self.roles.truncate(roles_before);
            return;
        }
        self.fields.push(([id, name, role], roles_before as u32));
    }

    /// Appends `text`, unless it would end past 4 GiB: then nothing, and [`Staged::full`].
    fn keep(&mut self, text: &str) -> Span {
        let start = self.text.len();
        match u32::try_from(start + text.len()) {
            Ok(end) => {
                self.text.push_str(text);
                (start as u32, end)
            }
            Err(_) => {
                self.full = true;
                (0, 0)
            }
        }
    }

    fn finish(self) -> Vec<Organization> {
        let text = |(from, to): Span| self.text[from as usize..to as usize].to_string();
        let ends = self.fields.iter().skip(1).map(|(_, first)| *first as usize);
        self.fields
            .iter()
            .zip(ends.chain([self.roles.len()]))
            .map(|(([id, name, role], first), end)| Organization {
                id: id.map(text),
                name: name.map(text),
                role: role.map(text),
                roles: self.roles[*first as usize..end]
                    .iter()
                    .map(|r| text(*r))
                    .collect(),
            })
            .collect()
    }
}

/// A text field's value: a string that is not blank; anything else is missing (a number
/// where a name belongs is not a name).
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// An identifier (an id, a phone number): a string, or a number in its JSON form.
fn identifier(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => Some(n.to_string()),
        other => text(other),
    }
}

// The document as written. Unknown keys are errors, so a typo never silently does nothing.
// Inline definitions in the config (src/provider/custom.rs) are translated into this too.

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct Raw {
    pub id: String,
    pub name: Option<String>,
    pub docs: Option<String>,
    pub base_url: Option<String>,
    /// A user definition that takes the place of the built-in of the same id.
    #[serde(default)]
    pub replaces: bool,
    #[serde(default)]
    pub settings: BTreeMap<String, RawSetting>,
    #[serde(default)]
    pub env: Vec<RawEnv>,
    pub request: RawRequest,
    pub response: RawResponse,
    /// Profile field → jq expression.
    pub profile: BTreeMap<String, String>,
    #[serde(default)]
    pub reject: Vec<RawRule>,
    #[serde(default)]
    pub hint: Vec<RawHint>,
    /// JSON pointers to secrets (inline definitions only).
    #[serde(skip)]
    pub secret_pointers: Vec<String>,
    /// Written inline in the config (`provider = "custom"`): named after its account, its body
    /// sent as written even when it is not JSON, and no service variables apply to it.
    #[serde(skip)]
    pub inline: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSetting {
    /// The allowed values, when the setting is an enumeration.
    #[serde(default)]
    values: Vec<String>,
    /// An account must set it (Basic auth's user, a tenant in the path).
    #[serde(default)]
    required: bool,
    /// Sent as a header value: no control characters.
    #[serde(default)]
    header: bool,
    /// The value when the account sets none.
    default: Option<String>,
    /// A jq predicate on the value (a string) that must hold.
    valid: Option<String>,
    /// What the user is told when `valid` does not hold.
    invalid: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEnv {
    var: String,
    key: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRequest {
    #[serde(default = "get")]
    pub method: String,
    /// Joined to the base URL; `{setting}` and `{token}` are replaced, percent-encoded.
    #[serde(default)]
    pub path: String,
    pub auth: Option<RawAuth>,
    /// Extra headers; `{setting}` (or `{token}`) is replaced by its value, and a header whose
    /// setting is empty is not sent.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A JSON body (POST), sent as written: a GraphQL query's braces are not placeholders.
    pub body: Option<String>,
}

fn get() -> String {
    "GET".into()
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAuth {
    pub header: Option<String>,
    pub scheme: Option<String>,
    pub basic: Option<RawBasic>,
    pub query: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBasic {
    #[serde(default)]
    user: String,
    #[serde(default)]
    password: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawResponse {
    /// The answer is this provider's profile when this holds.
    pub success: String,
    /// Keys of this provider's bodies that hold secrets the shared rule would miss.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// The provider itself rejects with HTML pages (normally a 401/403 page is a proxy's).
    #[serde(default)]
    pub html_rejections: bool,
    /// The human message of an error body (default: `message`, `error`, `errors`, `detail`…).
    pub message: Option<String>,
    /// When the credential expires, read from a success body: RFC 3339 text or Unix seconds.
    pub expires_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    pub status: Vec<u16>,
    pub when: Option<String>,
    pub kind: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHint {
    /// Any status when absent.
    #[serde(default)]
    status: Vec<u16>,
    when: Option<String>,
    text: String,
}

/// Whether a status can be declared a rejection on its own: a 4xx that speaks of the request,
/// not of a proxy (407), a timeout (408, 499), routing (421), replay (425), a rate limit (429)
/// or the request's size (431).
pub fn can_reject(status: u16) -> bool {
    (400..500).contains(&status) && !matches!(status, 407 | 408 | 421 | 425 | 429 | 431 | 499)
}

impl Definition {
    /// Parses and validates a definition. The error names the key and the problem; the jq
    /// expressions are only compiled by [`Definition::validate`] or on first use.
    pub fn parse(text: &str) -> Result<Definition, String> {
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            match line {
                Some(line) => format!("line {line}: {}", e.message().trim()),
                None => e.message().trim().to_string(),
            }
        })?;
        check_id(&raw.id)?;
        Definition::from_raw(raw)
    }

    /// Parses, validates and compiles a definition from a file's text: the error carries the
    /// line of the key it names, when there is one.
    pub fn load(text: &str) -> Result<Definition, DefinitionError> {
        let fail = |message: String| DefinitionError {
            line: line_of(text, &message),
            message,
        };
        let definition = Definition::parse(text).map_err(fail)?;
        definition.validate().map_err(fail)?;
        Ok(definition)
    }

    pub(super) fn from_raw(raw: Raw) -> Result<Definition, String> {
        let mut expressions: Vec<(String, String)> = Vec::new();
        let mut program = |key: &str, code: &str| -> usize {
            expressions.push((key.to_string(), code.to_string()));
            expressions.len() - 1
        };
        if let Some(url) = &raw.base_url {
            crate::config::check_base_url(url).map_err(|e| format!("base_url: {e}"))?;
        }
        let method = match raw.request.method.to_ascii_uppercase().as_str() {
            "GET" => Method::GET,
            "POST" => Method::POST,
            _ => return Err("request.method: only GET or POST (every check is read-only)".into()),
        };
        if raw.request.body.is_some() && method != Method::POST {
            return Err("request.body: only a POST sends a body; add method = \"POST\"".into());
        }
        if let Some(body) = raw.request.body.as_ref().filter(|_| !raw.inline) {
            serde_json::from_str::<Value>(body)
                .map_err(|e| format!("request.body: not JSON: {e}"))?;
        }
        let known = |name: &str| name == TOKEN || raw.settings.contains_key(name);
        let check_placeholders =
            |key: &str, template: &str| match placeholders(template).find(|name| !known(name)) {
                Some(name) => Err(format!(
                    "{key}: `{{{name}}}` is neither `{{token}}` nor a setting of this definition"
                )),
                None => Ok(()),
            };
        check_placeholders("request.path", &raw.request.path)?;
        if raw.request.path.contains('#') {
            return Err("request.path: no fragment (`#`)".into());
        }
        let mut headers = Vec::new();
        for (name, template) in &raw.request.headers {
            let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                format!("request.headers: `{name}` is not a valid HTTP header name")
            })?;
            check_placeholders(&format!("request.headers.{name}"), template)?;
            if placeholders(template).any(|n| n == TOKEN)
                && let Some(setting) = placeholders(template).find(|n| {
                    *n != TOKEN
                        && raw
                            .settings
                            .get(*n)
                            .is_some_and(|s| !s.required && s.default.is_none())
                })
            {
                return Err(format!(
                    "request.headers.{name}: a header that carries `{{token}}` is always sent, so `{setting}` must be required or have a default"
                ));
            }
            if placeholders(template).next().is_none() && HeaderValue::from_str(template).is_err() {
                return Err(format!("request.headers.{name}: not a valid header value"));
            }
            headers.push((header, template.clone()));
        }
        let placed = placeholders(&raw.request.path).any(|n| n == TOKEN)
            || raw
                .request
                .headers
                .values()
                .any(|t| placeholders(t).any(|n| n == TOKEN));
        let (auth, auth_description) = auth(raw.request.auth.as_ref(), &raw.request.path, placed)?;
        if let Auth::Basic { user, password }
        | Auth::Header {
            basic: Some((user, password)),
            ..
        } = &auth
        {
            check_placeholders("request.auth.basic.user", user)?;
            check_placeholders("request.auth.basic.password", password)?;
        }
        if let Auth::Header {
            scheme: Some(scheme),
            ..
        } = &auth
        {
            check_placeholders("request.auth.scheme", scheme)?;
            if placeholders(scheme).any(|n| n == TOKEN) {
                return Err(
                    "request.auth.scheme: `{token}` goes after the scheme, not in it".into(),
                );
            }
        }
        if let Some(name) = match &auth {
            Auth::Header { name, .. } => Some(name.clone()),
            Auth::Basic { .. } => Some(AUTHORIZATION),
            _ => None,
        } && headers.iter().any(|(h, _)| *h == name)
        {
            return Err(format!(
                "request.headers: `{name}` carries the credential (request.auth); set it only there"
            ));
        }
        let mut fields = Vec::new();
        let mut organizations = None;
        let mut organizations_each = None;
        let mut extra = None;
        for (key, code) in &raw.profile {
            let at = format!("profile.{key}");
            match key.as_str() {
                // With `organizations_each`, the mapping of the list, run on each batch of its
                // items (`$__each`), or on the list where it is in the document (no batches
                // were taken out of it): one program either way (compiling is the costly
                // part). A batch at a time, not an item: what the mapping binds before `.[]`
                // is bound once per batch.
                "organizations" => {
                    organizations = Some(match raw.profile.get("organizations_each") {
                        Some(key) => program(
                            &at,
                            &format!(
                                "(if $__each then . else .[\"{}\"]? | arrays end)\n| {code}",
                                key.escape_default()
                            ),
                        ),
                        None => program(&at, code),
                    })
                }
                "organizations_each" => {
                    if code.is_empty()
                        || !code
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                    {
                        return Err(format!(
                            "{at}: the name of a top-level key (e.g. \"organizations\"), not an expression"
                        ));
                    }
                    organizations_each = Some(code.clone());
                }
                "extra" => extra = Some(program(&at, code)),
                _ => match Field::ALL.iter().find(|(name, _)| name == key) {
                    Some((_, field)) => fields.push((*field, program(&at, code))),
                    None => {
                        return Err(format!("{at}: not a profile field ({})", Field::keys()));
                    }
                },
            }
        }
        if organizations_each.is_some() && organizations.is_none() {
            return Err(
                "profile.organizations_each: names the list `profile.organizations` maps a batch at a time; set that too".into(),
            );
        }
        if !raw.profile.contains_key("id") && !raw.profile.contains_key("email") {
            return Err("profile: map at least `id` (or `email`): the identity".into());
        }
        let mut rejections = Vec::new();
        for (i, rule) in raw.reject.iter().enumerate() {
            let at = format!("reject[{i}]");
            let kind = rejection_kind(&rule.kind).ok_or_else(|| {
                format!("{at}.kind: one of invalid_credential, expired, forbidden, not_member, user_not_found, rate_limited")
            })?;
            if kind == ErrorKind::RateLimited
                && (rule.when.is_none()
                    || rule
                        .status
                        .iter()
                        .any(|s| !matches!(s, 200..=299 | 429 | 500..=599)))
            {
                // A rule may only add a rejection, never take one away: a 401 stays a verdict.
                return Err(format!(
                    "{at}: `rate_limited` needs a `when` predicate and only applies to a 2xx, 429 or 5xx status"
                ));
            }
            if rule.status.is_empty() {
                return Err(format!("{at}.status: at least one status"));
            }
            for &status in &rule.status {
                let by_body = rule.when.is_some() && matches!(status, 200..=299 | 429 | 500..=599);
                if !(can_reject(status) || by_body) {
                    return Err(format!(
                        "{at}.status: {status} is never a verdict on its own (a 2xx, 429 or 5xx needs a `when` predicate on the body; 407, 408, 421, 425, 431 and 499 never reject)"
                    ));
                }
            }
            rejections.push(Rule {
                status: rule.status.clone(),
                when: rule
                    .when
                    .as_deref()
                    .map(|c| program(&format!("{at}.when"), c)),
                kind,
            });
        }
        let mut hints = Vec::new();
        for (i, hint) in raw.hint.into_iter().enumerate() {
            let at = format!("hint[{i}]");
            hints.push(Hint {
                status: hint.status,
                when: hint
                    .when
                    .as_deref()
                    .map(|c| program(&format!("{at}.when"), c)),
                text: hint.text,
            });
        }
        let mut setting_rules = BTreeMap::new();
        for (name, setting) in raw.settings {
            if name == TOKEN
                || name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                return Err(format!(
                    "settings.{name}: a setting is named in lower case, digits and `_`, and not `token`"
                ));
            }
            if crate::config::is_common_key(&name)
                || crate::config::COMMON_KEYS
                    .iter()
                    .any(|k| name.ends_with(&format!("_{k}")))
            {
                return Err(format!(
                    "settings.{name}: `{name}` is a key every account has already"
                ));
            }
            let valid = setting
                .valid
                .as_deref()
                .map(|c| program(&format!("settings.{name}.valid"), c));
            setting_rules.insert(
                name,
                SettingRule {
                    values: setting.values,
                    required: setting.required,
                    header: setting.header,
                    default: setting.default,
                    valid,
                    invalid: setting.invalid,
                },
            );
        }
        let mut env = Vec::new();
        for e in raw.env {
            if e.key != TOKEN && e.key != "base_url" && !setting_rules.contains_key(&e.key) {
                return Err(format!(
                    "env: `{}` sets `{}`, which is not token, base_url or a setting",
                    e.var, e.key
                ));
            }
            env.push(SdkVar {
                var: e.var,
                key: e.key,
            });
        }
        let success = program("response.success", &raw.response.success);
        let message = raw
            .response
            .message
            .as_deref()
            .map(|c| program("response.message", c));
        let expires_at = raw
            .response
            .expires_at
            .as_deref()
            .map(|c| program("response.expires_at", c));
        Ok(Definition {
            name: raw.name.unwrap_or_else(|| raw.id.clone()),
            id: raw.id,
            docs: raw.docs.unwrap_or_default(),
            base_url: raw.base_url,
            replaces: raw.replaces,
            setting_rules,
            env,
            method,
            path: raw.request.path,
            auth,
            auth_description,
            headers,
            body: raw.request.body,
            secrets: raw.response.secrets,
            secret_pointers: raw.secret_pointers,
            inline: raw.inline,
            html_rejections: raw.response.html_rejections,
            success,
            message,
            expires_at,
            fields,
            organizations,
            organizations_each,
            extra,
            rejections,
            hints,
            expressions,
            programs: std::sync::OnceLock::new(),
        })
    }

    /// Compiles every expression now; the error names the key of the one that does not
    /// compile. Built-ins are checked so by a test; a definition from anywhere else is
    /// checked so when it is loaded.
    pub fn validate(&self) -> Result<(), String> {
        let sources: Vec<&str> = self.expressions.iter().map(|(_, c)| c.as_str()).collect();
        match Programs::compile(&sources) {
            Ok(programs) => {
                if let (Some(_), Some(i)) = (&self.organizations_each, self.organizations)
                    && let Some(e) =
                        programs.maps_one_item(i, &self.settings_value(&Settings::default()))
                {
                    return Err(format!(
                        "profile.organizations: with organizations_each, `.` is a batch of items (an array): map each one with `.[] | …` ({e})"
                    ));
                }
                let _ = self.programs.set(Some(programs));
                Ok(())
            }
            Err((i, e)) => Err(format!(
                "{}: the jq expression does not compile: {e}",
                self.expressions.get(i).map_or("?", |(k, _)| k.as_str())
            )),
        }
    }

    /// The compiled expressions, compiled on first use; `None` only for a definition that
    /// [`Definition::validate`] would refuse.
    fn programs(&self) -> Option<&Programs> {
        self.programs
            .get_or_init(|| {
                let sources: Vec<&str> = self.expressions.iter().map(|(_, c)| c.as_str()).collect();
                Programs::compile(&sources).ok()
            })
            .as_ref()
    }

    /// Whether a rule's optional predicate holds; it sees the body as `.`, or `null` when the
    /// body is not JSON.
    fn when(&self, when: Option<usize>, body: Option<&Document>, settings: &Settings) -> bool {
        let Some(i) = when else { return true };
        let Some(programs) = self.programs() else {
            return false;
        };
        let settings = self.settings_value(settings);
        match body {
            Some(body) => programs.holds(i, &body.input(&settings)),
            None => programs.holds(i, &Document::from_value(&Value::Null).input(&settings)),
        }
    }

    /// The settings as programs see them (`$settings`): the account's, else the defaults.
    fn settings_value(&self, settings: &Settings) -> Value {
        Value::Object(
            self.setting_rules
                .keys()
                .filter_map(|k| Some((k.clone(), Value::String(self.setting(settings, k)?.into()))))
                .collect(),
        )
    }

    /// A setting's value: the account's (when not empty), else the definition's default.
    fn setting<'a>(&'a self, settings: &'a Settings, name: &str) -> Option<&'a str> {
        settings.get(name).or_else(|| {
            self.setting_rules
                .get(name)
                .and_then(|r| r.default.as_deref())
        })
    }

    /// A template with every placeholder replaced: `{token}` by the credential, `{setting}` by
    /// its value (an unset one by nothing), each passed through `encode`.
    fn fill(
        &self,
        template: &str,
        settings: &Settings,
        secret: &Secret,
        encode: fn(&str) -> String,
    ) -> String {
        let mut text = String::with_capacity(template.len());
        for piece in pieces(template) {
            match piece {
                Piece::Text(t) => text += t,
                Piece::Name(TOKEN) => text += &encode(secret.expose()),
                Piece::Name(name) => {
                    text += &encode(self.setting(settings, name).unwrap_or_default())
                }
            }
        }
        text
    }
}

/// A definition that does not load: the problem, and the line it is on when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// The line of the key a message opens with (`request.auth.header: …`, `reject[1].when: …`,
/// or the parser's own `line N: …`).
fn line_of(text: &str, message: &str) -> Option<usize> {
    if let Some(rest) = message.strip_prefix("line ") {
        return rest.split(':').next()?.parse().ok();
    }
    let path = message.split(':').next()?;
    let doc = toml::de::DeTable::parse(text).ok()?;
    let mut span = None;
    let mut table = doc.get_ref();
    let mut value: Option<&toml::de::DeValue<'_>> = None;
    for segment in path.split('.') {
        let (key, index) = match segment.split_once('[') {
            Some((key, i)) => (key, i.trim_end_matches(']').parse::<usize>().ok()),
            None => (segment, None),
        };
        if let Some(v) = value {
            table = v.as_table()?;
        }
        // A key that is missing (`request.auth`) points at its table.
        let Some((k, v)) = table.iter().find(|(k, _)| k.get_ref() == key) else {
            break;
        };
        span = Some(k.span());
        let mut v = v;
        if let Some(i) = index {
            let toml::de::DeValue::Array(items) = v.get_ref() else {
                break;
            };
            v = items.get(i)?;
            span = Some(v.span());
        }
        value = Some(v.get_ref());
    }
    let start = span?.start.min(text.len());
    Some(text[..start].matches('\n').count() + 1)
}

/// Checks an id: lower-case letters, digits and `-`.
fn check_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !ok {
        return Err("id: lower-case letters, digits and `-` only".into());
    }
    match id {
        // `provider = "custom"` introduces an inline definition in the config.
        "custom" => {
            Err("id: `custom` is reserved for definitions written inline in the config".into())
        }
        _ => Ok(()),
    }
}

/// Reads `request.auth`: exactly one of a header, Basic or a query parameter, or none when
/// `{token}` is placed in the path or a header. Returns it with its description for people.
fn auth(raw: Option<&RawAuth>, path: &str, placed: bool) -> Result<(Auth, String), String> {
    let Some(raw) = raw else {
        return match placed {
            true if placeholders(path).any(|n| n == TOKEN) => {
                Ok((Auth::Placed, format!("in the path: {}", path.replace("{token}", "<token>"))))
            }
            true => Ok((Auth::Placed, "a header (see request.headers)".into())),
            false => Err("request.auth: say how the credential is sent: { header = \"Authorization\", scheme = \"Bearer\" }, { basic = { user = \"{email}\", password = \"{token}\" } }, { query = \"key\" }, or `{token}` in the path".into()),
        };
    };
    let forms = [
        raw.header.is_some(),
        raw.basic.is_some(),
        raw.query.is_some(),
    ];
    let header_or_basic = raw.header.is_some() && raw.basic.is_some();
    if forms.iter().filter(|f| **f).count() != 1 && !header_or_basic {
        return Err("request.auth: exactly one of `header`, `basic` or `query` (or `header` with `basic`: Basic when its settings are set)".into());
    }
    if raw.scheme.is_some() && raw.header.is_none() {
        return Err("request.auth.scheme: only with `header`".into());
    }
    if let Some(header) = &raw.header {
        let name = HeaderName::from_bytes(header.as_bytes()).map_err(|_| {
            "request.auth.header: not a valid HTTP header name (a name such as `Authorization`; the scheme goes in `scheme`)".to_string()
        })?;
        let scheme = raw
            .scheme
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if let Some(scheme) = scheme
            && placeholders(scheme).next().is_none()
            && HeaderValue::from_str(&format!("{scheme} x")).is_err()
        {
            return Err("request.auth.scheme: not valid in an HTTP header".into());
        }
        // As written (HeaderName lower-cases): `Authorization: Bearer <token>`. A credential
        // pasted into the scheme is not shown.
        let mut description = match scheme {
            Some(s) => format!("{header}: {} <token>", crate::config::shown(s)),
            None => format!("{header}: <token>"),
        };
        let scheme = scheme.map(str::to_string);
        let basic = raw
            .basic
            .as_ref()
            .map(|b| (b.user.clone(), b.password.clone()));
        if let Some((user, password)) = &basic {
            if !placeholders(user)
                .chain(placeholders(password))
                .any(|n| n != TOKEN)
            {
                return Err("request.auth.basic: with `header`, Basic must name a setting (it is sent when that setting is set)".into());
            }
            description = format!(
                "{description}, or Basic {}:{} when set",
                crate::config::shown(user),
                crate::config::shown(password)
            )
            .replace("{token}", "<token>");
        }
        return Ok((
            Auth::Header {
                name,
                scheme,
                basic,
            },
            description,
        ));
    }
    if let Some(basic) = &raw.basic {
        let has_token = |t: &str| placeholders(t).any(|n| n == TOKEN);
        if !has_token(&basic.user) && !has_token(&basic.password) {
            return Err(
                "request.auth.basic: `{token}` goes in `user` or `password` (e.g. user = \"{email}\", password = \"{token}\")".into(),
            );
        }
        let shown = |t: &str| match t {
            "" => "(empty)".to_string(),
            // A credential pasted into a template is not shown.
            t => crate::config::shown(t).replace("{token}", "<token>"),
        };
        let description = format!(
            "Basic: user {}, password {}",
            shown(&basic.user),
            shown(&basic.password)
        );
        return Ok((
            Auth::Basic {
                user: basic.user.clone(),
                password: basic.password.clone(),
            },
            description,
        ));
    }
    let name = raw.query.clone().unwrap_or_default();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err("request.auth.query: a parameter name (letters, digits, `-`, `_`, `.`)".into());
    }
    let description = format!("query: ?{name}=<token>");
    Ok((Auth::Query { name }, description))
}

/// A piece of a template: text as written, or a `{name}` placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Name(&'a str),
}

/// Splits a template into text and placeholders. A placeholder is `{` + lower-case letters,
/// digits or `_` + `}`; any other brace is text (`{"path": "/x"}` stays as written). Checking
/// and filling read templates through this one function, so they cannot disagree.
fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    let bytes = template.as_bytes();
    while i < bytes.len() {
        if bytes[i] == b'{' {
            let name_len = bytes[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || **b == b'_')
                .count();
            if name_len > 0 && bytes.get(i + 1 + name_len) == Some(&b'}') {
                if text_start < i {
                    out.push(Piece::Text(&template[text_start..i]));
                }
                out.push(Piece::Name(&template[i + 1..i + 1 + name_len]));
                i += name_len + 2;
                text_start = i;
                continue;
            }
        }
        i += 1;
    }
    if text_start < template.len() {
        out.push(Piece::Text(&template[text_start..]));
    }
    out
}

/// The `{name}` placeholders of a template.
fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    pieces(template).into_iter().filter_map(|p| match p {
        Piece::Name(name) => Some(name),
        Piece::Text(_) => None,
    })
}

/// Percent-encodes everything but the unreserved characters (RFC 3986), so a value cannot
/// add a path segment, a query or a fragment.
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out += &format!("%{byte:02X}");
        }
    }
    out
}

fn as_is(value: &str) -> String {
    value.to_string()
}

fn rejection_kind(name: &str) -> Option<ErrorKind> {
    Some(match name {
        "invalid_credential" => ErrorKind::InvalidCredential,
        "expired" => ErrorKind::Expired,
        "forbidden" => ErrorKind::Forbidden,
        "not_member" => ErrorKind::NotMember,
        "user_not_found" => ErrorKind::UserNotFound,
        "rate_limited" => ErrorKind::RateLimited,
        _ => return None,
    })
}

/// What the rest of whoami asks of a provider.
impl Definition {
    /// Lower-case id: the `provider` value in the config and the `-p` argument.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The provider's own spelling, for people.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The API documentation of the endpoint called (may be empty for a user's definition).
    pub fn docs_url(&self) -> &str {
        &self.docs
    }

    /// `None` when the provider has no shared host, making `base_url` required.
    pub fn default_base_url(&self) -> Option<&str> {
        self.base_url.as_deref()
    }

    /// Whether the definition is written inline in an account of the config.
    pub fn is_inline(&self) -> bool {
        self.inline
    }

    /// Whether a user definition takes the place of the built-in of the same id.
    pub fn replaces(&self) -> bool {
        self.replaces
    }

    /// How the credential is sent, for `whoami providers` (e.g. `Authorization: Bearer <token>`).
    pub fn auth_header(&self) -> &str {
        &self.auth_description
    }

    /// The request for people: `GET /user`, or `GET` the base URL itself.
    pub fn request_line(&self) -> String {
        match self.path.as_str() {
            "" => format!("{} the base URL itself", self.method),
            path => format!("{} /{}", self.method, path.trim_start_matches('/')),
        }
    }

    /// The settings an account of this provider takes beyond the common keys.
    pub fn settings(&self) -> impl Iterator<Item = &str> {
        self.setting_rules.keys().map(String::as_str)
    }

    pub fn has_setting(&self, key: &str) -> bool {
        self.setting_rules.contains_key(key)
    }

    /// A setting's default (`None`: unset unless the account sets it) and the values it takes
    /// (empty: any), for the skeleton `whoami init` writes.
    pub fn setting_shape(&self, key: &str) -> (Option<&str>, &[String]) {
        match self.setting_rules.get(key) {
            Some(rule) => (rule.default.as_deref(), &rule.values),
            None => (None, &[]),
        }
    }

    /// The settings an account must set.
    pub fn required_settings(&self) -> impl Iterator<Item = &str> {
        self.setting_rules
            .iter()
            .filter(|(_, r)| r.required && r.default.is_none())
            .map(|(k, _)| k.as_str())
    }

    /// Checks one setting's value; the error says what is allowed and never repeats the value.
    pub fn check_setting(&self, key: &str, value: &str) -> Result<(), String> {
        let Some(rule) = self.setting_rules.get(key) else {
            return Ok(());
        };
        if !rule.values.is_empty() && !rule.values.iter().any(|v| v == value) {
            let allowed: Vec<String> = rule
                .values
                .iter()
                .map(|v| match rule.default.as_deref() == Some(v.as_str()) {
                    true => format!("\"{v}\" (the default)"),
                    false => format!("\"{v}\""),
                })
                .collect();
            return Err(format!("must be one of {}", allowed.join(", ")));
        }
        if rule.header && HeaderValue::from_str(value).is_err() {
            return Err("it is sent as a header: no control characters".into());
        }
        // An empty value is no value (the setting is unset): there is nothing to check.
        if let Some(i) = rule.valid.filter(|_| !value.trim().is_empty()) {
            let holds = self.programs().is_some_and(|p| {
                p.holds(
                    i,
                    &Document::from_value(&Value::String(value.into())).input(&Value::Null),
                )
            });
            if !holds {
                return Err(rule
                    .invalid
                    .clone()
                    .unwrap_or_else(|| "not a valid value".into()));
            }
        }
        Ok(())
    }

    /// The provider SDK's own variables, read at the lowest precedence.
    pub fn sdk_env(&self) -> &[SdkVar] {
        &self.env
    }

    /// Keys in this provider's bodies that hold secrets the generic rule would miss.
    pub fn secret_fields(&self) -> &[String] {
        &self.secrets
    }

    /// JSON pointers to secrets (inline definitions in the config).
    pub fn secret_pointers(&self) -> &[String] {
        &self.secret_pointers
    }

    /// Whether this provider itself answers a rejected credential with an HTML page. Normally
    /// a 401 or 403 in HTML comes from a firewall, CDN or proxy in front of the provider, and
    /// is "could not tell", not a verdict.
    pub fn html_rejections(&self) -> bool {
        self.html_rejections
    }

    /// The "current user" request. Fails only when the credential (or a setting) cannot
    /// travel in a header.
    pub fn request(&self, settings: &Settings, secret: &Secret) -> Result<Request, BadHeader> {
        let sensitive = |text: String| {
            HeaderValue::from_str(&text)
                .map_err(|_| BadHeader)
                .map(|mut v| {
                    v.set_sensitive(true);
                    v
                })
        };
        let mut path = self.fill(&self.path, settings, secret, percent_encode);
        let mut headers = Vec::with_capacity(self.headers.len() + 1);
        match &self.auth {
            Auth::Header {
                basic: Some((user, password)),
                ..
            } if self.all_set(user, settings) && self.all_set(password, settings) => {
                headers.push((AUTHORIZATION, self.basic(user, password, settings, secret)?));
            }
            Auth::Header { name, scheme, .. } => {
                let scheme = scheme
                    .as_deref()
                    .map(|s| self.fill(s, settings, secret, as_is))
                    .filter(|s| !s.trim().is_empty());
                let text = match scheme {
                    Some(scheme) => format!("{} {}", scheme.trim(), secret.expose()),
                    None => secret.expose().to_string(),
                };
                headers.push((name.clone(), sensitive(text)?));
            }
            Auth::Basic { user, password } => {
                headers.push((AUTHORIZATION, self.basic(user, password, settings, secret)?));
            }
            Auth::Query { name } => {
                let separator = if path.contains('?') { '&' } else { '?' };
                path = format!(
                    "{path}{separator}{name}={}",
                    percent_encode(secret.expose())
                );
            }
            Auth::Placed => {}
        }
        for (name, template) in &self.headers {
            let carries_token = placeholders(template).any(|n| n == TOKEN);
            // A header made from an empty setting is not sent; one that carries the
            // credential always is (its settings are required, see `from_raw`).
            if !carries_token && !self.all_set(template, settings) {
                continue;
            }
            let text = self.fill(template, settings, secret, as_is);
            let value = match carries_token {
                true => sensitive(text)?,
                false => HeaderValue::from_str(&text).map_err(|_| BadHeader)?,
            };
            headers.push((name.clone(), value));
        }
        Ok(Request {
            method: self.method.clone(),
            path,
            headers,
            json_body: self.body.clone(),
        })
    }

    /// Whether every setting a template names is set.
    fn all_set(&self, template: &str, settings: &Settings) -> bool {
        placeholders(template).all(|n| n == TOKEN || self.setting(settings, n).is_some())
    }

    /// An HTTP Basic `Authorization` value from two templates.
    fn basic(
        &self,
        user: &str,
        password: &str,
        settings: &Settings,
        secret: &Secret,
    ) -> Result<HeaderValue, BadHeader> {
        let pair = format!(
            "{}:{}",
            self.fill(user, settings, secret, as_is),
            self.fill(password, settings, secret, as_is)
        );
        let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
        let mut value =
            HeaderValue::from_str(&format!("Basic {encoded}")).map_err(|_| BadHeader)?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// When the credential expires, as the provider's success body says (`response.expires_at`):
    /// Unix seconds.
    pub fn expiry(&self, body: &Document, settings: &Settings) -> Option<i64> {
        let i = self.expires_at?;
        let input = body.input(&self.settings_value(settings));
        match self.programs()?.first(i, &input)? {
            Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
            Value::String(s) => s
                .trim()
                .parse::<jiff::Timestamp>()
                .ok()
                .map(|t| t.as_second()),
            _ => None,
        }
    }

    /// Body-level rules that decide a rejection beyond the shared status rules (401 and 403).
    /// `None` leaves the decision to the status. On a status that is not a verdict on its own
    /// (a 2xx, 429 or 5xx) a rule needs evidence: a JSON body, never a page from whatever
    /// stands in front of the provider.
    pub fn rejection(
        &self,
        status: u16,
        body: Option<&Document>,
        settings: &Settings,
    ) -> Option<ErrorKind> {
        if body.is_none() && !can_reject(status) {
            return None;
        }
        self.rejections
            .iter()
            .find(|rule| rule.status.contains(&status) && self.when(rule.when, body, settings))
            .map(|rule| rule.kind)
    }

    /// Advice for a failure, when the provider has a known trap (e.g. a proxy dropping a header).
    pub fn hint(&self, status: u16, body: Option<&Document>, settings: &Settings) -> Option<&str> {
        self.hints
            .iter()
            .find(|hint| {
                (hint.status.is_empty() || hint.status.contains(&status))
                    && self.when(hint.when, body, settings)
            })
            .map(|hint| hint.text.as_str())
    }

    /// The human message of an error body: the definition's own, else the usual fields.
    pub fn error_message(&self, body: &Value, settings: &Settings) -> Option<String> {
        let own = self.message.and_then(|i| {
            let document = Document::from_value(body);
            let input = document.input(&self.settings_value(settings));
            self.programs()?.first(i, &input).as_ref().and_then(text)
        });
        own.or_else(|| generic_error_message(body))
    }

    /// The top-level key whose list is read a batch at a time (`profile.organizations_each`):
    /// the body is parsed with that list kept as text ([`Document::parse_listing`]).
    pub fn list_key(&self) -> Option<&str> {
        self.organizations_each.as_deref()
    }

    /// The normalized profile, or `None` when `body` is not this provider's success envelope.
    pub fn normalize(&self, body: &Document, settings: &Settings) -> Option<Profile> {
        let programs = self.programs()?;
        let input = body.input(&self.settings_value(settings));
        if !programs.holds(self.success, &input) {
            return None;
        }
        let mut profile = Profile::default();
        for &(field, i) in &self.fields {
            field.set(&mut profile, programs.first(i, &input));
        }
        // Organizations come as an array or as a stream of objects, read one at a time: a
        // definition that streams them (`.orgs[] | {id, name}`) never holds the whole list
        // twice, whatever its size.
        if let Some(i) = self.organizations {
            let mut staged = Staged::default();
            let mut stage = |input: &crate::jq::Input<'_>| {
                programs.items(i, input, |o| {
                    if o.is_object() {
                        staged.push(&o);
                    }
                })
            };
            match &self.organizations_each {
                // Kept as text: a batch of items at a time (`$root` the document), each item's
                // secrets hollowed as the body's are.
                Some(_) if body.has_list() => body.each_batch(
                    &self.settings_value(settings),
                    &|k| crate::redact::is_secret_field(k, &self.secrets),
                    &mut stage,
                ),
                // Parsed with the rest (or no list): one run over the whole list.
                _ => {
                    stage(&input);
                }
            }
            profile.organizations = staged.finish();
        }
        if let Some(i) = self.extra
            && let Some(Value::Object(map)) = programs.first(i, &input)
        {
            profile.extra = map.into_iter().filter(|(_, v)| !v.is_null()).collect();
        }
        Some(profile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
id = "example"
name = "Example"
docs = "https://example.org/docs"
base_url = "https://api.example.org"
[request]
path = "user"
auth = { header = "Authorization", scheme = "Bearer" }
[response]
success = ".id != null"
[profile]
id = ".id"
"#;

    #[test]
    fn a_minimal_definition_loads() {
        let d = Definition::parse(MINIMAL).unwrap();
        d.validate().unwrap();
        assert_eq!(d.id(), "example");
        assert_eq!(d.auth_header(), "Authorization: Bearer <token>");
        let p = d
            .normalize(
                &Document::from(&serde_json::json!({"id": 7})),
                &Settings::default(),
            )
            .unwrap();
        assert_eq!(p.id.as_deref(), Some("7"));
        assert!(
            d.normalize(
                &Document::from(&serde_json::json!({"x": 1})),
                &Settings::default()
            )
            .is_none()
        );
    }

    #[test]
    fn bad_definitions_name_the_key() {
        for (change, key) in [
            (
                "[profile]\nid = \".id\"",
                "profile.nick: not a profile field",
            ),
            (
                "success = \".id != null\"",
                "response.success: the jq expression",
            ),
            (
                "auth = { header = \"Authorization\", scheme = \"Bearer\" }",
                "request.auth.header",
            ),
        ] {
            let text = match key {
                k if k.starts_with("profile.nick") => {
                    MINIMAL.replace(change, "[profile]\nid = \".id\"\nnick = \".x\"")
                }
                k if k.starts_with("response.success") => {
                    MINIMAL.replace(change, "success = \".id != \"")
                }
                _ => MINIMAL.replace(change, "auth = { header = \"Bad Header\" }"),
            };
            let error = Definition::parse(&text)
                .and_then(|d| d.validate())
                .unwrap_err();
            assert!(error.contains(key), "{key}: {error}");
        }
        let typo = MINIMAL.replace("[response]", "[response]\nsecret = []");
        assert!(Definition::parse(&typo).unwrap_err().contains("secret"));
        let weak = format!("{MINIMAL}[[reject]]\nstatus = [503]\nkind = \"invalid_credential\"\n");
        assert!(
            Definition::parse(&weak)
                .unwrap_err()
                .contains("never a verdict")
        );
        let by_body = format!(
            "{MINIMAL}[[reject]]\nstatus = [500]\nwhen = '.message | test(\"Unauthenticated\")'\nkind = \"invalid_credential\"\n"
        );
        assert!(Definition::parse(&by_body).unwrap().validate().is_ok());
    }

    fn with(request: &str, extra: &str) -> Definition {
        let text = MINIMAL.replace(
            "[request]\npath = \"user\"\nauth = { header = \"Authorization\", scheme = \"Bearer\" }",
            request,
        ) + extra;
        Definition::load(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    #[test]
    fn a_list_read_a_batch_at_a_time_maps_as_the_whole_list_does() {
        let definition = MINIMAL.replace(
            "[profile]\nid = \".id\"",
            "[profile]\nid = \".id\"\norganizations_each = \"orgs\"\n\
             organizations = '.[] | objects | {id, name, role: $root.roles[.name]}'",
        );
        let d = Definition::parse(&definition).unwrap();
        d.validate().unwrap();
        assert_eq!(d.list_key(), Some("orgs"));
        let orgs: Vec<Value> = (0..1000)
            .map(|i| match i % 3 {
                0 => serde_json::json!({"id": i, "name": format!("o{i}")}),
                1 => serde_json::json!({"id": i, "name": "admins", "password": "p"}),
                _ => serde_json::json!("not an organization"),
            })
            .collect();
        let body = serde_json::json!({"id": 1, "roles": {"admins": "admin"}, "orgs": orgs});
        let text = serde_json::to_vec(&body).unwrap();
        let secret = |k: &str| crate::redact::is_secret_field(k, &[]);
        let whole = d
            .normalize(
                &Document::parse(&text, &secret).unwrap(),
                &Settings::default(),
            )
            .unwrap();
        assert_eq!(whole.organizations.len(), 667);
        assert_eq!(whole.organizations[1].role.as_deref(), Some("admin"));
        // Taken out of the body, kept as text or parsed: the same profile.
        let listed: Vec<Document> = [true, false]
            .map(|as_text| {
                Document::parse_listing(
                    &bytes::Bytes::copy_from_slice(&text),
                    &secret,
                    d.list_key(),
                    as_text,
                )
                .unwrap()
            })
            .into();
        for listed in &listed {
            assert!(listed.has_list());
            assert_eq!(d.normalize(listed, &Settings::default()).unwrap(), whole);
        }
        // An error ends the list either way (here: `.id` of the first string, item 2).
        let strict = Definition::parse(&definition.replace("| objects ", "")).unwrap();
        let whole = strict
            .normalize(
                &Document::parse(&text, &secret).unwrap(),
                &Settings::default(),
            )
            .unwrap();
        assert_eq!(whole.organizations.len(), 2);
        for listed in &listed {
            assert_eq!(
                strict.normalize(listed, &Settings::default()).unwrap(),
                whole
            );
        }

        // A mapping written for one item, not a batch, is refused when loaded.
        let one = definition.replace("'.[] | objects | ", "'");
        let e = Definition::parse(&one)
            .and_then(|d| d.validate().map(|()| d))
            .err()
            .unwrap_or_default();
        assert!(e.contains("map each one with `.[] | …`"), "{e}");
        // One that fails on what it binds first (here, a profile without `memberships`) is
        // not taken for one; it fails as any expression does when it runs.
        let binds = definition.replace(
            "'.[] | objects | ",
            "'($root.memberships | map(.)) as $m | .[] | objects | ",
        );
        Definition::parse(&binds).unwrap().validate().unwrap();
        for (change, error) in [
            (
                "organizations = '.[] | objects | {id, name, role: $root.roles[.name]}'",
                "set that too",
            ),
            (
                "organizations_each = \"orgs\"",
                "organizations_each: the name",
            ),
        ] {
            let replacement = match change.starts_with("organizations =") {
                true => "",
                false => "organizations_each = \".orgs[]\"",
            };
            let broken = definition.replace(change, replacement);
            let e = Definition::parse(&broken)
                .and_then(|d| d.validate().map(|()| d))
                .err()
                .unwrap_or_default();
            assert!(e.contains(error), "{change}: {e}");
        }
    }

    #[test]
    fn organizations_come_as_one_list_or_as_a_stream() {
        let body = serde_json::json!({"id": 1, "orgs": [
            {"id": 7, "name": "Ada Ltd", "roles": ["owner", "billing"]},
            "not an organization",
            {"id": "b", "role": "dev, ops"},
            {"name": "C\u{e9}", "roles": []},
            {"id": 9, "name": "D", "role": "admin", "roles": ["admin", "x"]},
        ]});
        let org = |id: Option<&str>, name: Option<&str>, role: Option<&str>, roles: &[&str]| {
            Organization {
                id: id.map(Into::into),
                name: name.map(Into::into),
                role: role.map(Into::into),
                roles: roles.iter().map(|r| r.to_string()).collect(),
            }
        };
        let expected = vec![
            org(
                Some("7"),
                Some("Ada Ltd"),
                Some("owner, billing"),
                &["owner", "billing"],
            ),
            org(Some("b"), None, Some("dev, ops"), &["dev", "ops"]),
            org(None, Some("C\u{e9}"), None, &[]),
            org(Some("9"), Some("D"), Some("admin"), &["admin", "x"]),
        ];
        for expression in [".orgs", ".orgs[]", "[.orgs[] | objects] | .[:2], .[2:]"] {
            let d = with(
                "[request]\npath = \"user\"\nauth = { header = \"Authorization\", scheme = \"Bearer\" }",
                &format!("organizations = '{expression}'\n"),
            );
            let profile = d
                .normalize(&Document::from(&body), &Settings::default())
                .unwrap();
            assert_eq!(profile.organizations, expected, "{expression}");
        }
    }

    fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
        request
            .headers
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.to_str().ok())
    }

    fn settings(pairs: &[(&str, &str)]) -> Settings {
        pairs.iter().copied().collect()
    }

    #[test]
    fn the_credential_travels_where_the_definition_says() {
        let secret = Secret::new("t0k/en?#x");
        let none = Settings::default();
        // In the path, percent-encoded: it cannot add a segment, a query or a fragment.
        let d = with("[request]\npath = \"bot{token}/getMe\"", "");
        let r = d.request(&none, &secret).unwrap();
        assert_eq!(r.path, "bott0k%2Fen%3F%23x/getMe");
        assert!(r.headers.is_empty());
        assert_eq!(d.auth_header(), "in the path: bot<token>/getMe");
        // A query parameter.
        let d = with(
            "[request]\npath = \"me?v=2\"\nauth = { query = \"key\" }",
            "",
        );
        assert_eq!(
            d.request(&none, &secret).unwrap().path,
            "me?v=2&key=t0k%2Fen%3F%23x"
        );
        // Basic, user from a required setting.
        let d = with(
            "[request]\npath = \"myself\"\nauth = { basic = { user = \"{email}\", password = \"{token}\" } }",
            "[settings.email]\nrequired = true\n",
        );
        assert_eq!(d.required_settings().collect::<Vec<_>>(), ["email"]);
        let r = d
            .request(&settings(&[("email", "a@example.org")]), &secret)
            .unwrap();
        // base64("a@example.org:t0k/en?#x")
        assert_eq!(
            header(&r, "authorization"),
            Some("Basic YUBleGFtcGxlLm9yZzp0MGsvZW4/I3g=")
        );
        assert!(r.headers[0].1.is_sensitive());
        // A header template, and a scheme from a setting (with its default).
        let d = with(
            "[request]\npath = \"me\"\nauth = { header = \"Authorization\", scheme = \"{kind}\" }\nheaders = { \"X-Vault-Token\" = \"{token}\" }",
            "[settings.kind]\nvalues = [\"Bot\", \"Bearer\"]\ndefault = \"Bot\"\n",
        );
        let r = d.request(&none, &secret).unwrap();
        assert_eq!(header(&r, "authorization"), Some("Bot t0k/en?#x"));
        assert_eq!(header(&r, "x-vault-token"), Some("t0k/en?#x"));
        let r = d
            .request(&settings(&[("kind", "Bearer")]), &secret)
            .unwrap();
        assert_eq!(header(&r, "authorization"), Some("Bearer t0k/en?#x"));
        // Basic when its setting is set, else the header.
        let d = with(
            "[request]\npath = \"user\"\nauth = { header = \"Authorization\", scheme = \"Bearer\", basic = { user = \"{username}\", password = \"{token}\" } }",
            "[settings.username]\n",
        );
        let bearer = d.request(&none, &secret).unwrap();
        assert_eq!(header(&bearer, "authorization"), Some("Bearer t0k/en?#x"));
        let basic = d
            .request(&settings(&[("username", "ada")]), &secret)
            .unwrap();
        assert!(
            header(&basic, "authorization")
                .unwrap()
                .starts_with("Basic ")
        );
        // A GraphQL body goes as written: its braces are not placeholders.
        let d = with(
            "[request]\nmethod = \"POST\"\npath = \"graphql\"\nauth = { header = \"Authorization\" }\nbody = '{\"query\": \"{ viewer { id } }\"}'",
            "",
        );
        let r = d.request(&none, &secret).unwrap();
        assert_eq!(
            r.json_body.as_deref(),
            Some("{\"query\": \"{ viewer { id } }\"}")
        );
        // A credential that cannot be a header value is refused, not sent mangled.
        let d = with("[request]\npath = \"u\"\nauth = { header = \"X-Key\" }", "");
        assert!(d.request(&none, &Secret::new("a\nb")).is_err());
    }

    #[test]
    fn auth_mistakes_are_named() {
        for (request, expected) in [
            ("[request]\npath = \"u\"", "request.auth: say how"),
            (
                "[request]\npath = \"u\"\nauth = { header = \"A\", query = \"k\" }",
                "exactly one",
            ),
            (
                "[request]\npath = \"u\"\nauth = { basic = { user = \"x\", password = \"y\" } }",
                "`{token}` goes in",
            ),
            (
                "[request]\npath = \"u/{nope}\"\nauth = { query = \"k\" }",
                "`{nope}` is neither",
            ),
            (
                "[request]\npath = \"u\"\nauth = { query = \"a b\" }",
                "parameter name",
            ),
            (
                "[request]\npath = \"u\"\nauth = { header = \"X-Key\" }\nheaders = { \"x-key\" = \"v\" }",
                "carries the credential",
            ),
        ] {
            let text = MINIMAL.replace(
                "[request]\npath = \"user\"\nauth = { header = \"Authorization\", scheme = \"Bearer\" }",
                request,
            );
            let e = Definition::load(&text).unwrap_err();
            assert!(e.message.contains(expected), "{request}: {e}");
            assert!(e.line.is_some(), "{request}: a line for {e}");
        }
    }

    #[test]
    fn body_rules_rate_limits_and_expiry() {
        let d = with(
            "[request]\npath = \"auth.test\"\nauth = { header = \"Authorization\", scheme = \"Bearer\" }",
            "[[reject]]\nstatus = [200]\nwhen = '.ok == false and .error == \"invalid_auth\"'\nkind = \"invalid_credential\"\n\
             [[reject]]\nstatus = [200, 429]\nwhen = '.error == \"ratelimited\"'\nkind = \"rate_limited\"\n",
        );
        let body = |error: &str| serde_json::json!({"ok": false, "error": error});
        assert_eq!(
            d.rejection(
                200,
                Some(&Document::from(&body("invalid_auth"))),
                &Settings::default()
            ),
            Some(ErrorKind::InvalidCredential)
        );
        assert_eq!(
            d.rejection(
                200,
                Some(&Document::from(&body("ratelimited"))),
                &Settings::default()
            ),
            Some(ErrorKind::RateLimited)
        );
        assert_eq!(
            d.rejection(
                200,
                Some(&Document::from(&body("other"))),
                &Settings::default()
            ),
            None
        );
        // A rate-limit rule may not take a verdict away.
        let weakening = format!(
            "{MINIMAL}[[reject]]\nstatus = [401]\nwhen = 'true'\nkind = \"rate_limited\"\n"
        );
        assert!(
            Definition::load(&weakening)
                .unwrap_err()
                .message
                .contains("rate_limited")
        );
        let d = with(
            "[request]\npath = \"u\"\nauth = { header = \"X-Vault-Token\" }",
            "",
        );
        assert_eq!(
            d.expiry(
                &Document::from(&serde_json::json!({})),
                &Settings::default()
            ),
            None
        );
        let text = MINIMAL.replace(
            "success = \".id != null\"",
            "success = \".id != null\"\nexpires_at = \".exp\"",
        );
        let d = Definition::load(&text).unwrap();
        assert_eq!(
            d.expiry(
                &Document::from(&serde_json::json!({"exp": "2030-01-01T00:00:00Z"})),
                &Settings::default()
            ),
            Some(1_893_456_000)
        );
        assert_eq!(
            d.expiry(
                &Document::from(&serde_json::json!({"exp": 1_893_456_000})),
                &Settings::default()
            ),
            Some(1_893_456_000)
        );
        assert_eq!(
            d.expiry(
                &Document::from(&serde_json::json!({"exp": "soon"})),
                &Settings::default()
            ),
            None
        );
    }

    #[test]
    fn errors_carry_the_line_of_their_key() {
        let text = format!("{MINIMAL}[[reject]]\nstatus = [401]\nkind = \"nope\"\n");
        let e = Definition::load(&text).unwrap_err();
        assert!(e.message.starts_with("reject[0].kind"), "{e}");
        assert_eq!(e.line, Some(text.lines().count()), "{e}");
        let broken = MINIMAL.replace("id = \".id\"", "id = \".id |\"");
        let e = Definition::load(&broken).unwrap_err();
        assert!(
            e.message.starts_with("profile.id: the jq expression"),
            "{e}"
        );
        assert_eq!(e.line, Some(broken.lines().count()), "{e}");
    }

    #[test]
    fn templates_are_read_one_way() {
        assert_eq!(
            pieces("a{{token}}b"),
            [Piece::Text("a{"), Piece::Name("token"), Piece::Text("}b")]
        );
        assert_eq!(
            pieces(r#"{"path": "/x"}"#),
            [Piece::Text(r#"{"path": "/x"}"#)]
        );
        assert_eq!(pieces("{A}{}"), [Piece::Text("{A}{}")]);
        let d = with("[request]\npath = \"bot{{token}}/getMe\"", "");
        let r = d
            .request(&Settings::default(), &Secret::new("tok-1234"))
            .unwrap();
        assert_eq!(
            r.path, "bot{tok-1234}/getMe",
            "what is checked is what is sent"
        );
        // A header that carries the credential is always sent: its settings must be there.
        let text = MINIMAL.replace(
            "auth = { header = \"Authorization\", scheme = \"Bearer\" }",
            "headers = { \"X-Auth\" = \"{org}:{token}\" }",
        ) + "[settings.org]\n";
        let e = Definition::load(&text).unwrap_err();
        assert!(e.message.contains("must be required"), "{e}");
        assert!(
            Definition::parse(&MINIMAL.replace("id = \"example\"", "id = \"custom\"")).is_err()
        );
    }

    #[test]
    fn a_rule_needs_a_json_body_where_the_status_is_no_verdict() {
        let d = with(
            "[request]\npath = \"me\"\nauth = { header = \"X-Key\" }",
            "[[reject]]\nstatus = [200, 502]\nwhen = '.ok != true'\nkind = \"invalid_credential\"\n",
        );
        let none = Settings::default();
        assert_eq!(
            d.rejection(200, None, &none),
            None,
            "a captive portal's page"
        );
        assert_eq!(
            d.rejection(502, None, &none),
            None,
            "a load balancer's page"
        );
        assert_eq!(
            d.rejection(
                200,
                Some(&Document::from(&serde_json::json!({"ok": false}))),
                &none
            ),
            Some(ErrorKind::InvalidCredential)
        );
    }
}
