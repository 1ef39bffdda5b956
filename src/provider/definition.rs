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
//! Every jq program is compiled once, when the definition is loaded. Before mapping, every
//! string that is empty or only white space is read as `null`: providers send `""` for unset
//! fields, and `.display_name // .name` should fall back past one.

use std::collections::BTreeMap;

use reqwest::Method;
use reqwest::header::{HeaderName, HeaderValue};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{ApiRequest, BadHeader, Provider, SdkVar, Settings, generic_error_message};
use crate::credential::Secret;
use crate::jq::{Input, Programs};
use crate::profile::{ErrorKind, Organization, Profile};

/// A loaded definition: validated, its programs compiled.
#[derive(Debug)]
pub struct Definition {
    id: &'static str,
    name: &'static str,
    docs: &'static str,
    base_url: Option<&'static str>,
    settings: &'static [&'static str],
    setting_rules: BTreeMap<String, SettingRule>,
    env: &'static [SdkVar],
    method: Method,
    path: &'static str,
    auth: Auth,
    auth_description: &'static str,
    headers: Vec<(HeaderName, String)>,
    body: Option<&'static str>,
    secrets: &'static [&'static str],
    html_rejections: bool,
    /// Indices into `expressions`, compiled together on first use (see [`crate::jq`]).
    success: usize,
    message: Option<usize>,
    fields: Vec<(Field, usize)>,
    organizations: Option<usize>,
    extra: Option<usize>,
    rejections: Vec<Rule>,
    hints: Vec<Hint>,
    /// Every jq expression of the definition with the key it is written under.
    expressions: Vec<(String, String)>,
    programs: std::sync::OnceLock<Option<Programs>>,
}

#[derive(Debug, Clone)]
struct SettingRule {
    values: Vec<String>,
    header: bool,
    default: Option<String>,
    valid: Option<usize>,
    invalid: Option<String>,
}

#[derive(Debug)]
struct Auth {
    header: HeaderName,
    scheme: Option<String>,
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
    text: &'static str,
}

/// The profile fields a definition maps, by kind of value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
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
    const ALL: &[(&str, Field)] = &[
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    id: String,
    name: String,
    docs: String,
    base_url: Option<String>,
    #[serde(default)]
    settings: BTreeMap<String, RawSetting>,
    #[serde(default)]
    env: Vec<RawEnv>,
    request: RawRequest,
    response: RawResponse,
    /// Profile field → jq expression.
    profile: BTreeMap<String, String>,
    #[serde(default)]
    reject: Vec<RawRule>,
    #[serde(default)]
    hint: Vec<RawHint>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSetting {
    /// The allowed values, when the setting is an enumeration.
    #[serde(default)]
    values: Vec<String>,
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
struct RawEnv {
    var: String,
    key: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest {
    #[serde(default = "get")]
    method: String,
    path: String,
    auth: RawAuth,
    /// Extra headers; `{setting}` is replaced by the setting's value, and a header whose
    /// setting is empty is not sent.
    #[serde(default)]
    headers: BTreeMap<String, String>,
    /// A JSON body (POST).
    body: Option<String>,
}

fn get() -> String {
    "GET".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuth {
    header: String,
    scheme: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResponse {
    /// The answer is this provider's profile when this holds.
    success: String,
    /// Keys of this provider's bodies that hold secrets the shared rule would miss.
    #[serde(default)]
    secrets: Vec<String>,
    /// The provider itself rejects with HTML pages (normally a 401/403 page is a proxy's).
    #[serde(default)]
    html_rejections: bool,
    /// The human message of an error body (default: `message`, `error`, `errors`, `detail`…).
    message: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    status: Vec<u16>,
    when: Option<String>,
    kind: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHint {
    /// Any status when absent.
    #[serde(default)]
    status: Vec<u16>,
    when: Option<String>,
    text: String,
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

impl Definition {
    /// Parses and validates a definition, compiling its programs. The error names the key and
    /// the problem. Definitions are loaded once per process (built-ins are static), so their
    /// text is kept for the life of the process.
    pub fn parse(text: &str) -> Result<Definition, String> {
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            match line {
                Some(line) => format!("line {line}: {}", e.message()),
                None => e.message().to_string(),
            }
        })?;
        Definition::from_raw(raw)
    }

    fn from_raw(raw: Raw) -> Result<Definition, String> {
        let mut expressions: Vec<(String, String)> = Vec::new();
        let mut program = |key: &str, code: &str| -> Result<usize, String> {
            expressions.push((key.to_string(), code.to_string()));
            Ok(expressions.len() - 1)
        };
        if raw.id.is_empty()
            || !raw
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err("id: lower-case letters, digits and `-` only".into());
        }
        if let Some(url) = &raw.base_url {
            crate::config::check_base_url(url).map_err(|e| format!("base_url: {e}"))?;
        }
        let method = match raw.request.method.to_ascii_uppercase().as_str() {
            "GET" => Method::GET,
            "POST" => Method::POST,
            _ => return Err("request.method: only GET or POST (every check is read-only)".into()),
        };
        if raw.request.body.is_some() && method != Method::POST {
            return Err("request.body: only a POST sends a body".into());
        }
        if let Some(body) = &raw.request.body {
            serde_json::from_str::<Value>(body)
                .map_err(|e| format!("request.body: not JSON: {e}"))?;
        }
        let header = HeaderName::from_bytes(raw.request.auth.header.as_bytes())
            .map_err(|_| "request.auth.header: not a valid HTTP header name".to_string())?;
        // As written (HeaderName lower-cases): `Authorization: Bearer <token>`.
        let written = &raw.request.auth.header;
        let auth_description = leak(match &raw.request.auth.scheme {
            Some(scheme) => format!("{written}: {scheme} <token>"),
            None => format!("{written}: <token>"),
        });
        for setting in placeholders(&raw.request.path) {
            if !raw.settings.contains_key(setting) {
                return Err(format!(
                    "request.path: `{{{setting}}}` names no setting of this definition"
                ));
            }
        }
        let mut headers = Vec::new();
        for (name, template) in &raw.request.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                format!("request.headers: `{name}` is not a valid HTTP header name")
            })?;
            for setting in placeholders(template) {
                if !raw.settings.contains_key(setting) {
                    return Err(format!(
                        "request.headers.{name}: `{{{setting}}}` names no setting of this definition"
                    ));
                }
            }
            headers.push((name, template.clone()));
        }
        let mut fields = Vec::new();
        let mut organizations = None;
        let mut extra = None;
        for (key, code) in &raw.profile {
            let at = format!("profile.{key}");
            match key.as_str() {
                "organizations" => organizations = Some(program(&at, code)?),
                "extra" => extra = Some(program(&at, code)?),
                _ => match Field::ALL.iter().find(|(name, _)| name == key) {
                    Some((_, field)) => fields.push((*field, program(&at, code)?)),
                    None => {
                        return Err(format!(
                            "{at}: not a profile field (id, username, display_name, first_name, last_name, email, email_verified, phone, avatar_url, locale, created_at, updated_at, mfa, organizations, extra)"
                        ));
                    }
                },
            }
        }
        if !fields.iter().any(|(f, _)| *f == Field::Id) && !raw.profile.contains_key("email") {
            return Err("profile: map at least `id` (or `email`): the identity".into());
        }
        let mut rejections = Vec::new();
        for (i, rule) in raw.reject.iter().enumerate() {
            let at = format!("reject[{i}]");
            let kind = rejection_kind(&rule.kind).ok_or_else(|| {
                format!("{at}.kind: one of invalid_credential, expired, forbidden, not_member, user_not_found")
            })?;
            if rule.status.is_empty() {
                return Err(format!("{at}.status: at least one status"));
            }
            for &status in &rule.status {
                let by_body = rule.when.is_some() && matches!(status, 200..=299 | 429 | 500..=599);
                if !(super::custom::can_reject(status) || by_body) {
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
                    .map(|c| program(&format!("{at}.when"), c))
                    .transpose()?,
                kind,
            });
        }
        let mut hints = Vec::new();
        for (i, hint) in raw.hint.iter().enumerate() {
            let at = format!("hint[{i}]");
            hints.push(Hint {
                status: hint.status.clone(),
                when: hint
                    .when
                    .as_deref()
                    .map(|c| program(&format!("{at}.when"), c))
                    .transpose()?,
                text: leak(hint.text.clone()),
            });
        }
        let mut setting_rules = BTreeMap::new();
        for (name, setting) in raw.settings {
            let valid = setting
                .valid
                .as_deref()
                .map(|c| program(&format!("settings.{name}.valid"), c))
                .transpose()?;
            setting_rules.insert(
                name,
                SettingRule {
                    values: setting.values,
                    header: setting.header,
                    default: setting.default,
                    valid,
                    invalid: setting.invalid,
                },
            );
        }
        let settings: Vec<&'static str> = setting_rules.keys().map(|k| leak(k.clone())).collect();
        let mut env = Vec::new();
        for e in raw.env {
            if e.key != "token" && e.key != "base_url" && !setting_rules.contains_key(&e.key) {
                return Err(format!(
                    "env: `{}` sets `{}`, which is not token, base_url or a setting",
                    e.var, e.key
                ));
            }
            env.push(SdkVar {
                var: leak(e.var),
                key: leak(e.key),
            });
        }
        let success = program("response.success", &raw.response.success)?;
        let message = raw
            .response
            .message
            .as_deref()
            .map(|c| program("response.message", c))
            .transpose()?;
        let definition = Definition {
            id: leak(raw.id),
            name: leak(raw.name),
            docs: leak(raw.docs),
            base_url: raw.base_url.map(leak),
            settings: Box::leak(settings.into_boxed_slice()),
            setting_rules,
            env: Box::leak(env.into_boxed_slice()),
            method,
            path: leak(raw.request.path),
            auth: Auth {
                header,
                scheme: raw.request.auth.scheme,
            },
            auth_description,
            headers,
            body: raw.request.body.map(leak),
            secrets: Box::leak(
                raw.response
                    .secrets
                    .into_iter()
                    .map(leak)
                    .collect::<Vec<_>>()
                    .into_boxed_slice(),
            ),
            html_rejections: raw.response.html_rejections,
            success,
            message,
            fields,
            organizations,
            extra,
            rejections,
            hints,
            expressions,
            programs: std::sync::OnceLock::new(),
        };
        Ok(definition)
    }

    /// Compiles every expression now; the error names the key of the one that does not
    /// compile. Built-ins are checked so by a test; a definition from anywhere else must be
    /// checked so when it is loaded.
    pub fn validate(&self) -> Result<(), String> {
        let sources: Vec<&str> = self.expressions.iter().map(|(_, c)| c.as_str()).collect();
        match Programs::compile(&sources) {
            Ok(programs) => {
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
    fn when(&self, when: Option<usize>, body: Option<&Value>) -> bool {
        let Some(i) = when else { return true };
        self.programs()
            .zip(Programs::input(
                body.unwrap_or(&Value::Null),
                &Value::Object(Map::new()),
            ))
            .is_some_and(|(p, input)| p.holds(i, &input))
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

    /// A template with every `{setting}` replaced (an unset one by nothing).
    fn fill(&self, template: &str, settings: &Settings) -> String {
        let mut text = template.to_string();
        for name in placeholders(template) {
            let value = self.setting(settings, name).unwrap_or_default();
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

/// The `{name}` placeholders of a template.
fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
}

fn rejection_kind(name: &str) -> Option<ErrorKind> {
    Some(match name {
        "invalid_credential" => ErrorKind::InvalidCredential,
        "expired" => ErrorKind::Expired,
        "forbidden" => ErrorKind::Forbidden,
        "not_member" => ErrorKind::NotMember,
        "user_not_found" => ErrorKind::UserNotFound,
        _ => return None,
    })
}

impl Provider for Definition {
    fn id(&self) -> &'static str {
        self.id
    }

    fn name(&self) -> &'static str {
        self.name
    }

    fn docs_url(&self) -> &'static str {
        self.docs
    }

    fn default_base_url(&self) -> Option<&'static str> {
        self.base_url
    }

    fn auth_header(&self) -> &'static str {
        self.auth_description
    }

    fn settings(&self) -> &'static [&'static str] {
        self.settings
    }

    fn check_setting(&self, key: &str, value: &str) -> Result<(), String> {
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
            let holds = self
                .programs()
                .zip(Programs::input(&Value::String(value.into()), &Value::Null))
                .is_some_and(|(p, input)| p.holds(i, &input));
            if !holds {
                return Err(rule
                    .invalid
                    .clone()
                    .unwrap_or_else(|| "not a valid value".into()));
            }
        }
        Ok(())
    }

    fn sdk_env(&self) -> &'static [SdkVar] {
        self.env
    }

    fn secret_fields(&self) -> &'static [&'static str] {
        self.secrets
    }

    fn html_rejections(&self) -> bool {
        self.html_rejections
    }

    fn request(&self, settings: &Settings, secret: &Secret) -> Result<ApiRequest, BadHeader> {
        let scheme = self
            .auth
            .scheme
            .as_deref()
            .map(|s| format!("{s} "))
            .unwrap_or_default();
        let mut value = HeaderValue::from_str(&format!("{scheme}{}", secret.expose()))
            .map_err(|_| BadHeader)?;
        value.set_sensitive(true);
        let mut request = ApiRequest {
            method: self.method.clone(),
            path: self.fill(self.path, settings).into(),
            headers: vec![(self.auth.header.clone(), value)],
            json_body: self.body,
        };
        'headers: for (name, template) in &self.headers {
            let mut text = template.clone();
            for setting in placeholders(template) {
                match self.setting(settings, setting) {
                    Some(v) => text = text.replace(&format!("{{{setting}}}"), v),
                    // A header made from an empty setting is not sent.
                    None => continue 'headers,
                }
            }
            let value = HeaderValue::from_str(&text).map_err(|_| BadHeader)?;
            request.headers.push((name.clone(), value));
        }
        Ok(request)
    }

    fn rejection(&self, status: u16, body: Option<&Value>) -> Option<ErrorKind> {
        self.rejections
            .iter()
            .find(|rule| rule.status.contains(&status) && self.when(rule.when, body))
            .map(|rule| rule.kind)
    }

    fn hint(&self, status: u16, body: Option<&Value>) -> Option<&'static str> {
        self.hints
            .iter()
            .find(|hint| {
                (hint.status.is_empty() || hint.status.contains(&status))
                    && self.when(hint.when, body)
            })
            .map(|hint| hint.text)
    }

    fn error_message(&self, body: &Value) -> Option<String> {
        // The definition's own message first; when it gives nothing, the usual fields.
        let own = self.message.and_then(|i| {
            let input = Programs::input(body, &Value::Object(Map::new()))?;
            self.programs()?.first(i, &input).as_ref().and_then(text)
        });
        own.or_else(|| generic_error_message(body))
    }

    fn normalize(&self, body: &Value, settings: &Settings) -> Option<Profile> {
        let programs = self.programs()?;
        let input: Input = Programs::input(body, &self.settings_value(settings))?;
        if !programs.holds(self.success, &input) {
            return None;
        }
        let mut profile = Profile::default();
        for &(field, i) in &self.fields {
            field.set(&mut profile, programs.first(i, &input));
        }
        if let Some(i) = self.organizations
            && let Some(Value::Array(items)) = programs.first(i, &input)
        {
            profile.organizations = items
                .iter()
                .filter(|o| o.is_object())
                .map(|o| Organization {
                    id: o.get("id").and_then(identifier),
                    name: o.get("name").and_then(text),
                    role: o.get("role").and_then(text),
                })
                .collect();
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
            .normalize(&serde_json::json!({"id": 7}), &Settings::default())
            .unwrap();
        assert_eq!(p.id.as_deref(), Some("7"));
        assert!(
            d.normalize(&serde_json::json!({"x": 1}), &Settings::default())
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
}
