//! Chatwoot: `GET {base}/api/v1/profile` with the `api_access_token` header.
//!
//! Very often self-hosted, so `base_url` matters. The profile echoes the user's own access
//! token (and a pubsub token and HMAC identifier): all three are secret fields.

use serde_json::{Map, Value};

use super::{ApiRequest, BadHeader, Provider, Settings, json};
use crate::credential::Secret;
use crate::profile::{Organization, Profile};

pub struct Chatwoot;

impl Provider for Chatwoot {
    fn id(&self) -> &'static str {
        "chatwoot"
    }

    fn name(&self) -> &'static str {
        "Chatwoot"
    }

    fn docs_url(&self) -> &'static str {
        "https://developers.chatwoot.com/api-reference/profile/fetch-user-profile"
    }

    fn default_base_url(&self) -> Option<&'static str> {
        Some("https://app.chatwoot.com")
    }

    fn auth_header(&self) -> &'static str {
        "api_access_token: <token>"
    }

    fn secret_fields(&self) -> &'static [&'static str] {
        &["access_token", "pubsub_token", "hmac_identifier"]
    }

    fn request(&self, _settings: &Settings, secret: &Secret) -> Result<ApiRequest, BadHeader> {
        ApiRequest::get("api/v1/profile").credential("api_access_token", "", secret)
    }

    fn hint(&self, status: u16, body: Option<&Value>) -> Option<&'static str> {
        let no_token = body
            .map(|b| json::list(b, "/errors"))
            .unwrap_or_default()
            .iter()
            .any(|e| e.as_str().is_some_and(|s| s.contains("sign in")));
        (status == 401 && no_token).then_some(
            "the server saw no token: a reverse proxy in front of Chatwoot may drop headers \
             with underscores (api_access_token); nginx needs `underscores_in_headers on`",
        )
    }

    fn normalize(&self, body: &Value, _settings: &Settings) -> Option<Profile> {
        let id = json::id(body, "/id")?;
        let accounts = json::list(body, "/accounts");
        let current = json::id(body, "/account_id");
        let mut extra = Map::new();
        if let Some(availability) = accounts
            .iter()
            .find(|a| current.is_some() && json::id(a, "/id") == current)
            .and_then(|a| json::any(a, "/availability"))
        {
            extra.insert("availability".into(), availability);
        }
        for (key, pointer) in [("type", "/type"), ("provider", "/provider")] {
            if let Some(value) = json::any(body, pointer) {
                extra.insert(key.into(), value);
            }
        }
        Some(Profile {
            id: Some(id),
            display_name: json::text(body, "/display_name")
                .or_else(|| json::text(body, "/available_name"))
                .or_else(|| json::text(body, "/name")),
            email: json::text(body, "/email"),
            email_verified: json::flag(body, "/confirmed"),
            avatar_url: json::text(body, "/avatar_url"),
            organizations: accounts
                .iter()
                .map(|a| Organization {
                    id: json::id(a, "/id"),
                    name: json::text(a, "/name"),
                    role: json::text(a, "/role"),
                })
                .collect(),
            extra,
            ..Profile::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/chatwoot/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn normalizes_a_full_profile() {
        let p = Chatwoot
            .normalize(&fixture("profile.json"), &Settings::default())
            .unwrap();
        assert_eq!(p.id.as_deref(), Some("42"));
        assert_eq!(p.display_name.as_deref(), Some("Ada L."));
        assert_eq!(p.email.as_deref(), Some("ada@example.org"));
        assert_eq!(p.email_verified, Some(true));
        assert_eq!(p.avatar_url, None, "an empty avatar_url is no avatar");
        assert_eq!(p.organizations.len(), 2);
        assert_eq!(p.organizations[0].id.as_deref(), Some("1"));
        assert_eq!(p.organizations[0].role.as_deref(), Some("administrator"));
        assert_eq!(p.extra["availability"], "online");
        assert_eq!(p.extra["type"], "SuperAdmin");
    }

    #[test]
    fn display_name_falls_back() {
        let body = json!({"id": "7", "display_name": "", "available_name": null, "name": "Bo"});
        let p = Chatwoot.normalize(&body, &Settings::default()).unwrap();
        assert_eq!(p.display_name.as_deref(), Some("Bo"));
        assert_eq!(p.id.as_deref(), Some("7"));
        assert!(p.organizations.is_empty());
    }

    #[test]
    fn recognises_only_its_envelope() {
        for body in [json!({}), json!({"error": "x"}), json!([1]), json!("id")] {
            assert!(Chatwoot.normalize(&body, &Settings::default()).is_none());
        }
    }

    #[test]
    fn hints_at_proxies_dropping_the_header() {
        let body = fixture("401-no-token.json");
        assert!(
            Chatwoot
                .hint(401, Some(&body))
                .unwrap()
                .contains("underscore")
        );
        assert!(
            Chatwoot
                .hint(401, Some(&fixture("401-invalid.json")))
                .is_none()
        );
    }
}
