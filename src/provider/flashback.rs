//! Flashback: `GET {base}/user/profile` with `Authorization: Bearer <access token>`.
//!
//! The default base is the docs' host, `https://backend.flashback.tech`; the official
//! TypeScript client defaults to `https://api.flashback.tech` instead (UNCONFIRMED which is
//! canonical), so `base_url` overrides it. The credential is a short-lived JWT (an hour, per
//! the docs) from `POST /user/login` or OAuth: its `exp` is decoded generically, which makes
//! `--min-validity` most useful here. Login answers carry the access and refresh tokens, named
//! as secret fields in case such a body is ever fed to `--input`.

use serde_json::{Map, Value};

use super::{ApiRequest, BadHeader, Provider, Settings, json};
use crate::credential::Secret;
use crate::profile::{ErrorKind, Organization, Profile};

pub struct Flashback;

impl Provider for Flashback {
    fn id(&self) -> &'static str {
        "flashback"
    }

    fn name(&self) -> &'static str {
        "Flashback"
    }

    fn docs_url(&self) -> &'static str {
        "https://docs.flashback.tech"
    }

    fn default_base_url(&self) -> Option<&'static str> {
        Some("https://backend.flashback.tech")
    }

    fn auth_header(&self) -> &'static str {
        "Authorization: Bearer <access token>"
    }

    fn secret_fields(&self) -> &'static [&'static str] {
        &["accessToken", "refreshToken"]
    }

    fn request(&self, _settings: &Settings, secret: &Secret) -> Result<ApiRequest, BadHeader> {
        ApiRequest::get("user/profile").credential("authorization", "Bearer ", secret)
    }

    fn rejection(&self, status: u16, body: Option<&Value>) -> Option<ErrorKind> {
        // Flashback's "User not found" (`{success: false, message}`): the token's user does not
        // exist. Any other 404 (an HTML page, another framework's JSON) comes from elsewhere,
        // such as a wrong base_url, and proves nothing about the credential.
        let flashback_error = body.is_some_and(|b| json::flag(b, "/success") == Some(false));
        (status == 404 && flashback_error).then_some(ErrorKind::UserNotFound)
    }

    fn hint(&self, status: u16, body: Option<&Value>) -> Option<&'static str> {
        match status {
            401 => Some(
                "Flashback access tokens expire after about an hour: log in again \
                 (POST /user/login) or refresh the token",
            ),
            404 if body.is_none() => Some(
                "this does not look like Flashback's API: check base_url \
                 (https://backend.flashback.tech, or https://api.flashback.tech)",
            ),
            _ => None,
        }
    }

    fn error_message(&self, body: &Value) -> Option<String> {
        let message = json::text(body, "/message");
        let detail = json::text(body, "/error");
        match (message, detail) {
            (Some(m), Some(d)) if m != d => Some(format!("{m}: {d}")),
            (Some(m), _) => Some(m),
            _ => super::generic_error_message(body),
        }
    }

    fn normalize(&self, body: &Value, _settings: &Settings) -> Option<Profile> {
        let data = body.get("data").filter(|d| d.is_object())?;
        let id = json::id(data, "/id")?;
        let first = json::text(data, "/name");
        let last = json::text(data, "/lastName");
        let display_name = [first.as_deref(), last.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let display_name = Some(display_name).filter(|n| !n.is_empty());
        let organizations = json::id(data, "/orgId")
            .map(|org| Organization {
                id: Some(org),
                name: None,
                role: data.get("orgRole").and_then(role_name),
            })
            .into_iter()
            .collect();
        let mut extra = Map::new();
        for (key, pointer) in [("is_business", "/isBusiness"), ("org_roles", "/orgRoles")] {
            if let Some(value) = json::any(data, pointer) {
                extra.insert(key.into(), value);
            }
        }
        Some(Profile {
            id: Some(id),
            display_name,
            first_name: first,
            last_name: last,
            email: json::text(data, "/email"),
            email_verified: json::flag(data, "/validated"),
            organizations,
            mfa: json::flag(data, "/mfaRequired"),
            extra,
            ..Profile::default()
        })
    }
}

/// The lower-case name of an `orgRole`; an unknown number stays a number (as a string).
/// Matched on the number: the docs spell the names two ways. A string is accepted too.
fn role_name(role: &Value) -> Option<String> {
    let number = match role {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => match s.trim().parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => return Some(s.trim().to_lowercase()).filter(|s| !s.is_empty()),
        },
        _ => return None,
    };
    let name = match number {
        Some(0) => "user",
        Some(1) => "billing",
        Some(2) => "workspaces",
        Some(254) => "administrators",
        Some(255) => "owner",
        _ => {
            return Some(match role {
                Value::String(s) => s.trim().to_string(),
                other => other.to_string(),
            });
        }
    };
    Some(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/flashback/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn normalize(body: &Value) -> Profile {
        Flashback.normalize(body, &Settings::default()).unwrap()
    }

    #[test]
    fn normalizes_a_full_profile() {
        let p = normalize(&fixture("profile.json"));
        assert_eq!(
            p.id.as_deref(),
            Some("6f1c2b9e-3d4a-4c5b-9e8f-0a1b2c3d4e5f")
        );
        assert_eq!(p.username, None);
        assert_eq!(p.display_name.as_deref(), Some("Ada Example"));
        assert_eq!(p.first_name.as_deref(), Some("Ada"));
        assert_eq!(p.last_name.as_deref(), Some("Example"));
        assert_eq!(p.email.as_deref(), Some("ada@example.org"));
        assert_eq!(p.email_verified, Some(true));
        assert_eq!(p.phone, None);
        assert_eq!(p.created_at, None);
        assert_eq!(
            p.organizations,
            vec![Organization {
                id: Some("0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d".into()),
                name: None,
                role: Some("owner".into()),
            }]
        );
        assert_eq!(p.mfa, Some(false));
        assert_eq!(p.extra["is_business"], true);
        assert_eq!(p.extra["org_roles"], json!([255, 254]));
        assert_eq!(p.extra.len(), 2);
    }

    #[test]
    fn minimal_profile_gives_nulls_not_errors() {
        let p = normalize(&fixture("minimal.json"));
        assert_eq!(
            p.id.as_deref(),
            Some("11111111-2222-4333-8444-555555555555")
        );
        assert_eq!(p.display_name, None);
        assert_eq!(p.email, None);
        assert_eq!(p.email_verified, None);
        assert_eq!(p.mfa, None);
        assert!(p.organizations.is_empty());
        assert!(p.extra.is_empty());
    }

    #[test]
    fn omitted_and_null_optionals() {
        let p = normalize(&fixture("sparse.json"));
        assert_eq!(p.display_name.as_deref(), Some("Bo"), "null lastName");
        assert_eq!(p.last_name, None);
        assert_eq!(p.email_verified, Some(false));
        assert_eq!(p.organizations.len(), 1);
        assert_eq!(
            p.organizations[0].id.as_deref(),
            Some("42"),
            "numeric orgId"
        );
        assert_eq!(p.organizations[0].role, None, "null orgRole");
        assert_eq!(p.extra.get("is_business"), None, "absent isBusiness");
        assert_eq!(p.extra["org_roles"], json!([]));
    }

    #[test]
    fn display_name_is_trimmed_and_null_when_empty() {
        let cases = [
            (
                json!({"name": "  Ada ", "lastName": " Example  "}),
                Some("Ada Example"),
            ),
            (json!({"name": "Ada", "lastName": ""}), Some("Ada")),
            (
                json!({"name": null, "lastName": "Example"}),
                Some("Example"),
            ),
            (json!({"name": " ", "lastName": "  "}), None),
            (json!({}), None),
        ];
        for (mut data, expected) in cases {
            data["id"] = json!("u1");
            let p = normalize(&json!({"success": true, "data": data}));
            assert_eq!(p.display_name.as_deref(), expected, "{data}");
        }
    }

    #[test]
    fn org_roles_map_by_number() {
        let cases = [
            (json!(0), Some("user")),
            (json!(1), Some("billing")),
            (json!(2), Some("workspaces")),
            (json!(254), Some("administrators")),
            (json!(255), Some("owner")),
            (json!(7), Some("7")),
            (json!(-1), Some("-1")),
            (json!("255"), Some("owner")),
            (json!("OWNER"), Some("owner")),
            (json!(null), None),
            (json!(true), None),
        ];
        for (role, expected) in cases {
            let body = json!({"data": {"id": "u1", "orgId": "o1", "orgRole": role}});
            let p = normalize(&body);
            assert_eq!(p.organizations[0].role.as_deref(), expected, "{role}");
        }
        let absent = normalize(&json!({"data": {"id": "u1", "orgId": "o1"}}));
        assert_eq!(absent.organizations[0].role, None);
    }

    #[test]
    fn organizations_only_with_an_org_id() {
        for org in [json!(null), json!("")] {
            let body = json!({"data": {"id": "u1", "orgId": org, "orgRole": 255}});
            assert!(normalize(&body).organizations.is_empty(), "{org}");
        }
    }

    #[test]
    fn recognises_only_its_envelope() {
        for body in [
            json!({}),
            json!({"success": true}),
            json!({"success": true, "data": null}),
            json!({"success": true, "data": {"email": "a@example.org"}}),
            json!({"success": true, "data": [{"id": "u1"}]}),
            json!({"id": "u1"}),
            fixture("404-user-not-found.json"),
            json!("data"),
        ] {
            assert!(
                Flashback.normalize(&body, &Settings::default()).is_none(),
                "{body}"
            );
        }
    }

    #[test]
    fn rejection_rules() {
        let missing = fixture("404-user-not-found.json");
        assert_eq!(
            Flashback.rejection(404, Some(&missing)),
            Some(ErrorKind::UserNotFound)
        );
        assert_eq!(Flashback.rejection(404, None), None, "not Flashback's 404");
        let nest = json!({"statusCode": 404, "message": "Cannot GET /user/profile"});
        assert_eq!(
            Flashback.rejection(404, Some(&nest)),
            None,
            "another framework's 404"
        );
        assert!(Flashback.hint(404, None).unwrap().contains("base_url"));
        let forbidden = fixture("403-insufficient-permissions.json");
        assert_eq!(
            Flashback.rejection(403, Some(&forbidden)),
            None,
            "shared rule"
        );
        assert_eq!(Flashback.rejection(401, None), None, "shared rule");
        assert_eq!(Flashback.rejection(500, Some(&fixture("500.json"))), None);
        assert_eq!(Flashback.rejection(200, Some(&missing)), None);
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            Flashback
                .error_message(&fixture("404-user-not-found.json"))
                .as_deref(),
            Some("User not found")
        );
        assert_eq!(
            Flashback.error_message(&fixture("500.json")).as_deref(),
            Some("Internal server error: database unavailable")
        );
        assert_eq!(
            Flashback
                .error_message(&json!({"success": false, "error": "Unauthorized"}))
                .as_deref(),
            Some("Unauthorized")
        );
    }

    #[test]
    fn request_is_a_bearer_get() {
        let secret = Secret::new("flashback-test-token-0123456789");
        let request = Flashback.request(&Settings::default(), &secret).unwrap();
        assert_eq!(request.method, reqwest::Method::GET);
        assert_eq!(request.path, "user/profile");
        assert_eq!(request.headers.len(), 1);
        assert_eq!(request.headers[0].0.as_str(), "authorization");
        assert_eq!(
            request.headers[0].1.to_str().unwrap(),
            "Bearer flashback-test-token-0123456789"
        );
        assert!(request.headers[0].1.is_sensitive());
    }
}
