//! Hamravesh: `GET {base}/api/v1/users/profile` (or `/api/v2/…` with `api_version = "v2"`)
//! with `Authorization: Api-key <key>`.
//!
//! The profile is large: every organization comes whole, with its owner, balances, invoice
//! settings and invitation lists. Only identity fields reach the normalized profile; the rest
//! stays in `--raw`, where `mobile` and `national_id` are masked by the shared rules and
//! `invoice_settings` is redacted. Errors are Django REST Framework's `{detail, code}`, with
//! `detail` often in Persian, so the rules match on `code`.

use serde_json::{Map, Value};

use super::{ApiRequest, BadHeader, Provider, Settings, generic_error_message, json};
use crate::credential::Secret;
use crate::profile::{ErrorKind, Organization, Profile};

pub struct Hamravesh;

const API_VERSIONS: &[&str] = &["v1", "v2"];

impl Provider for Hamravesh {
    fn id(&self) -> &'static str {
        "hamravesh"
    }

    fn name(&self) -> &'static str {
        "Hamravesh"
    }

    fn docs_url(&self) -> &'static str {
        "https://docs.hamravesh.com"
    }

    fn default_base_url(&self) -> Option<&'static str> {
        Some("https://api.hamravesh.com")
    }

    fn auth_header(&self) -> &'static str {
        "Authorization: Api-key <token>"
    }

    fn settings(&self) -> &'static [&'static str] {
        &["organization", "api_version"]
    }

    fn check_setting(&self, key: &str, value: &str) -> Result<(), String> {
        match key {
            "api_version" if !API_VERSIONS.contains(&value) => {
                Err("unknown API version: use \"v1\" (the default) or \"v2\"".into())
            }
            "organization" if reqwest::header::HeaderValue::from_str(value).is_err() => Err(
                "an organization cannot contain control characters (it is sent as the \
                 x-organization header)"
                    .into(),
            ),
            _ => Ok(()),
        }
    }

    fn secret_fields(&self) -> &'static [&'static str] {
        // Financial details; the generic rule catches tokens and passwords, and the shared PII
        // rule masks `mobile` and `national_id`.
        &["invoice_settings"]
    }

    fn request(&self, settings: &Settings, secret: &Secret) -> Result<ApiRequest, BadHeader> {
        let path = match settings.get("api_version") {
            Some("v2") => "api/v2/users/profile",
            _ => "api/v1/users/profile",
        };
        ApiRequest::get(path)
            .credential("authorization", "Api-key ", secret)?
            .header("x-organization", settings.get("organization"))
    }

    /// DRF answers 403 instead of 401 for a missing or bad credential when its authenticator
    /// sends no `WWW-Authenticate`, so the `code` decides wherever it is set.
    fn rejection(&self, status: u16, body: Option<&Value>) -> Option<ErrorKind> {
        // Hamravesh rejects on 401 and 403 only. The code only decides which kind (a 403 can
        // carry `not_authenticated` when Django sends no WWW-Authenticate header).
        if !matches!(status, 401 | 403) {
            return None;
        }
        match json::text(body?, "/code")?.as_str() {
            "not_authenticated" | "authentication_failed" => Some(ErrorKind::InvalidCredential),
            "permission_denied" => Some(ErrorKind::Forbidden),
            _ => None,
        }
    }

    /// `code: detail` (the code first: `detail` is often Persian prose).
    fn error_message(&self, body: &Value) -> Option<String> {
        match (json::text(body, "/code"), json::text(body, "/detail")) {
            (Some(code), Some(detail)) => Some(format!("{code}: {detail}")),
            (Some(one), None) | (None, Some(one)) => Some(one),
            (None, None) => generic_error_message(body),
        }
    }

    fn normalize(&self, body: &Value, _settings: &Settings) -> Option<Profile> {
        let email = body.as_object()?.get("email")?;
        if !(email.is_string() || email.is_null()) {
            return None;
        }
        let mut extra = Map::new();
        for key in ["is_verified", "is_national_id_verified"] {
            if let Some(value) = json::any(body, &format!("/{key}")) {
                extra.insert(key.into(), value);
            }
        }
        Some(Profile {
            id: json::id(body, "/id"),
            display_name: json::text(body, "/full_name"),
            first_name: json::text(body, "/first_name"),
            last_name: json::text(body, "/last_name"),
            email: json::text(body, "/email"),
            email_verified: json::flag(body, "/is_email_verified"),
            phone: json::id(body, "/mobile"),
            created_at: json::text(body, "/creation_time"),
            organizations: json::list(body, "/organizations")
                .iter()
                .map(|org| organization(org, body.get("organization_roles")))
                .collect(),
            extra,
            ..Profile::default()
        })
    }
}

/// One entry of `organizations[]`: its role is its own `current_user_roles` (v2), else the
/// profile's `organization_roles[name]` (v1; by id as a last resort).
fn organization(org: &Value, roles_by_org: Option<&Value>) -> Organization {
    let id = json::id(org, "/id");
    let name = json::text(org, "/name");
    let role = org.get("current_user_roles").and_then(roles).or_else(|| {
        let roles_by_org = roles_by_org?.as_object()?;
        [name.as_deref(), id.as_deref()]
            .into_iter()
            .flatten()
            .find_map(|key| roles_by_org.get(key).and_then(roles))
    });
    Organization { id, name, role }
}

/// Role names joined by ", ": a list of strings (or of `{name}` objects) or one string; `None`
/// when empty (providers send `""` for unset fields).
fn roles(value: &Value) -> Option<String> {
    let names: Vec<String> = match value {
        Value::Array(items) => items
            .iter()
            .filter_map(|r| match r {
                Value::String(s) => Some(s.trim().to_string()),
                other => json::text(other, "/name"),
            })
            .filter(|s| !s.is_empty())
            .collect(),
        Value::String(s) => vec![s.trim().to_string()],
        _ => Vec::new(),
    };
    let joined = names.join(", ");
    (!joined.is_empty()).then_some(joined)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/hamravesh/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn settings(pairs: &[(&str, &str)]) -> Settings {
        Settings(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn normalizes_a_full_v1_profile() {
        let p = Hamravesh
            .normalize(&fixture("profile-v1.json"), &Settings::default())
            .unwrap();
        assert_eq!(p.id, None, "v1 has no user id");
        assert_eq!(p.username, None);
        assert_eq!(p.display_name.as_deref(), Some("آرش نمونه"));
        assert_eq!(p.first_name.as_deref(), Some("آرش"));
        assert_eq!(p.last_name.as_deref(), Some("نمونه"));
        assert_eq!(p.email.as_deref(), Some("arash.sample@example.com"));
        assert_eq!(p.email_verified, Some(true));
        assert_eq!(p.phone.as_deref(), Some("09125550123"), "masked later");
        assert_eq!(
            p.created_at.as_deref(),
            Some("2022-04-18T09:12:44.123456+04:30")
        );
        assert_eq!(p.updated_at, None);
        assert_eq!(p.mfa, None);
        assert_eq!(p.organizations.len(), 3);
        assert_eq!(
            p.organizations[0],
            Organization {
                id: Some("1042".into()),
                name: Some("arash-sample".into()),
                role: Some("owner".into())
            }
        );
        assert_eq!(p.organizations[1].role.as_deref(), Some("admin, developer"));
        assert_eq!(p.organizations[2].id.as_deref(), Some("2210"));
        assert_eq!(p.organizations[2].role.as_deref(), Some("viewer"));
        assert_eq!(p.extra["is_verified"], true);
        assert_eq!(p.extra["is_national_id_verified"], false);
        assert_eq!(p.extra.len(), 2);
        let shown = serde_json::to_string(&p).unwrap();
        for hidden in [
            "balance",
            "invoice",
            "sara.owner@example.org",
            "invit",
            "0012345678",
            "partner@example.net",
        ] {
            assert!(!shown.contains(hidden), "{hidden} in {shown}");
        }
    }

    #[test]
    fn normalizes_a_v2_profile_with_its_own_roles() {
        let p = Hamravesh
            .normalize(
                &fixture("profile-v2.json"),
                &settings(&[("api_version", "v2")]),
            )
            .unwrap();
        assert_eq!(p.id.as_deref(), Some("8812"));
        assert_eq!(p.organizations.len(), 2);
        assert_eq!(
            p.organizations[0].role.as_deref(),
            Some("owner, billing"),
            "current_user_roles wins over organization_roles"
        );
        assert_eq!(
            p.organizations[1].role.as_deref(),
            Some("developer"),
            "an empty current_user_roles falls back to organization_roles[name]"
        );
    }

    #[test]
    fn normalizes_a_minimal_profile() {
        let p = Hamravesh
            .normalize(&fixture("minimal.json"), &Settings::default())
            .unwrap();
        assert_eq!(p.email.as_deref(), Some("min@example.com"));
        assert_eq!(p.display_name, None);
        assert_eq!(p.id, None);
        assert!(p.organizations.is_empty());
        assert!(p.extra.is_empty());
    }

    #[test]
    fn tolerates_nulls_and_unknown_fields() {
        let p = Hamravesh
            .normalize(&fixture("extra-fields.json"), &Settings::default())
            .unwrap();
        assert_eq!(p.id.as_deref(), Some("u-77"));
        assert_eq!(p.display_name, None, "full_name \"\" is missing");
        assert_eq!(p.first_name, None);
        assert_eq!(p.last_name, None);
        assert_eq!(p.email_verified, None);
        assert_eq!(
            p.phone.as_deref(),
            Some("9125550199"),
            "a number becomes a string"
        );
        assert_eq!(p.created_at, None);
        assert_eq!(p.organizations.len(), 3);
        assert_eq!(p.organizations[0].id.as_deref(), Some("5001"));
        assert_eq!(p.organizations[0].role, None, "no roles anywhere");
        assert_eq!(p.organizations[1].role.as_deref(), Some("admin, viewer"));
        assert_eq!(p.organizations[2].name, None);
        assert_eq!(
            p.organizations[2].role.as_deref(),
            Some("developer"),
            "roles keyed by id when the name is missing"
        );
        assert!(!p.extra.contains_key("is_verified"), "null is absent");
        assert_eq!(p.extra["is_national_id_verified"], true);
    }

    #[test]
    fn roles_join_and_treat_empty_as_missing() {
        assert_eq!(roles(&json!(["a", "b"])).as_deref(), Some("a, b"));
        assert_eq!(
            roles(&json!([{"name": "x"}, "", " y "])).as_deref(),
            Some("x, y")
        );
        assert_eq!(roles(&json!("solo")).as_deref(), Some("solo"));
        assert_eq!(roles(&json!([])), None);
        assert_eq!(roles(&json!("")), None);
        assert_eq!(roles(&json!(null)), None);
        let body = json!({
            "email": "r@example.com",
            "organization_roles": {"acme": ["admin"]},
            "organizations": [{"id": 1, "name": "acme", "current_user_roles": []}]
        });
        let p = Hamravesh.normalize(&body, &Settings::default()).unwrap();
        assert_eq!(p.organizations[0].role.as_deref(), Some("admin"));
    }

    #[test]
    fn recognises_only_its_envelope() {
        for body in [
            json!({}),
            json!({"detail": "x", "success": false, "code": "not_authenticated"}),
            json!({"email": ["This field is required."]}),
            json!({"user": {"email": "a@example.com"}}),
            json!([{"email": "a@example.com"}]),
            json!("email"),
        ] {
            assert!(
                Hamravesh.normalize(&body, &Settings::default()).is_none(),
                "{body}"
            );
        }
        let p = Hamravesh
            .normalize(&json!({"email": null}), &Settings::default())
            .unwrap();
        assert_eq!(p.email, None);
    }

    #[test]
    fn rejection_rules() {
        let cases = [
            (
                401,
                "401-not-authenticated.json",
                Some(ErrorKind::InvalidCredential),
            ),
            (
                401,
                "401-authentication-failed.json",
                Some(ErrorKind::InvalidCredential),
            ),
            (
                403,
                "403-not-authenticated.json",
                Some(ErrorKind::InvalidCredential),
            ),
            (
                403,
                "403-permission-denied.json",
                Some(ErrorKind::Forbidden),
            ),
            (429, "429-throttled.json", None),
            (500, "401-not-authenticated.json", None),
            (200, "401-not-authenticated.json", None),
            (404, "404-not-found.json", None),
            (400, "401-not-authenticated.json", None),
        ];
        for (status, name, expected) in cases {
            assert_eq!(
                Hamravesh.rejection(status, Some(&fixture(name))),
                expected,
                "{status} {name}"
            );
        }
        assert_eq!(Hamravesh.rejection(401, None), None, "shared rules decide");
        assert_eq!(
            Hamravesh.rejection(403, Some(&json!({"detail": "x"}))),
            None
        );
    }

    #[test]
    fn error_messages_prefer_the_code() {
        assert_eq!(
            Hamravesh
                .error_message(&fixture("401-not-authenticated.json"))
                .as_deref(),
            Some("not_authenticated: اطلاعات برای اعتبارسنجی ارسال نشده است.")
        );
        assert_eq!(
            Hamravesh
                .error_message(&json!({"detail": "فقط متن"}))
                .as_deref(),
            Some("فقط متن")
        );
        assert_eq!(
            Hamravesh
                .error_message(&json!({"code": "throttled", "detail": ""}))
                .as_deref(),
            Some("throttled")
        );
        assert_eq!(
            Hamravesh.error_message(&json!({"message": "m"})).as_deref(),
            Some("m")
        );
    }

    #[test]
    fn request_paths_and_headers() {
        let secret = Secret::new("hmr-key-0123456789abcdef");
        let r = Hamravesh.request(&Settings::default(), &secret).unwrap();
        assert_eq!(r.method, reqwest::Method::GET);
        assert_eq!(r.path, "api/v1/users/profile");
        assert_eq!(r.json_body, None);
        assert_eq!(r.headers.len(), 1);
        assert_eq!(r.headers[0].0, "authorization");
        assert!(r.headers[0].1.is_sensitive());

        let r = Hamravesh
            .request(
                &settings(&[("api_version", "v2"), ("organization", "acme-cloud")]),
                &secret,
            )
            .unwrap();
        assert_eq!(r.path, "api/v2/users/profile");
        assert_eq!(r.headers[1].0, "x-organization");
        assert_eq!(r.headers[1].1, "acme-cloud");

        let r = Hamravesh
            .request(&settings(&[("api_version", "v1")]), &secret)
            .unwrap();
        assert_eq!(r.path, "api/v1/users/profile");
    }

    #[test]
    fn api_version_is_checked() {
        assert!(Hamravesh.check_setting("api_version", "v1").is_ok());
        assert!(Hamravesh.check_setting("api_version", "v2").is_ok());
        for bad in ["v3", "V2", "2", ""] {
            let message = Hamravesh.check_setting("api_version", bad).unwrap_err();
            assert!(
                message.contains("\"v1\"") && message.contains("\"v2\""),
                "{message}"
            );
        }
        assert!(
            Hamravesh
                .check_setting("organization", "acme-cloud")
                .is_ok()
        );
        assert!(Hamravesh.check_setting("organization", "a\rb").is_err());
    }
}
