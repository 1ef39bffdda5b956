//! The built-in providers that are definitions (`providers/*.toml`), embedded in the binary.
//!
//! Each is parsed on first use of the registry; its jq expressions compile on first use of
//! the provider. A test below loads every one, so a broken built-in fails the build's tests,
//! never a user's run.

use std::sync::LazyLock;

use super::definition::Definition;

/// The embedded definitions, in the order `whoami providers` lists them (after the providers
/// still written in Rust).
const SOURCES: &[(&str, &str)] = &[
    ("vaiz", include_str!("../../providers/vaiz.toml")),
    ("hamravesh", include_str!("../../providers/hamravesh.toml")),
    ("flashback", include_str!("../../providers/flashback.toml")),
    ("chatwoot", include_str!("../../providers/chatwoot.toml")),
];

/// The parsed built-in definitions. One that does not parse is left out (and fails
/// `every_builtin_definition_loads`).
pub static DEFINITIONS: LazyLock<Vec<Definition>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .filter_map(|(_, text)| Definition::parse(text).ok())
        .collect()
});

/// A built-in definition's text, comments included.
pub fn source(id: &str) -> Option<&'static str> {
    SOURCES
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(_, text)| *text)
}

#[cfg(test)]
mod flashback_tests;
#[cfg(test)]
mod hamravesh_tests;
#[cfg(test)]
mod vaiz_tests;

#[cfg(test)]
mod tests {
    use super::super::{Provider, Settings, find};
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn every_builtin_definition_loads() {
        for (id, text) in SOURCES {
            let definition = Definition::parse(text).unwrap_or_else(|e| panic!("{id}: {e}"));
            definition
                .validate()
                .unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(definition.id(), *id);
            assert!(source(id).is_some());
        }
        assert_eq!(DEFINITIONS.len(), SOURCES.len());
    }

    fn fixture(provider: &str, name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/{provider}/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn chatwoot() -> &'static dyn Provider {
        find("chatwoot").unwrap()
    }

    #[test]
    fn chatwoot_normalizes_a_full_profile() {
        let p = chatwoot()
            .normalize(&fixture("chatwoot", "profile.json"), &Settings::default())
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
    fn chatwoot_display_name_falls_back() {
        let body = json!({"id": "7", "display_name": "", "available_name": null, "name": "Bo"});
        let p = chatwoot().normalize(&body, &Settings::default()).unwrap();
        assert_eq!(p.display_name.as_deref(), Some("Bo"));
        assert_eq!(p.id.as_deref(), Some("7"));
        assert!(p.organizations.is_empty());
    }

    #[test]
    fn chatwoot_recognises_only_its_envelope() {
        for body in [json!({}), json!({"error": "x"}), json!([1]), json!("id")] {
            assert!(chatwoot().normalize(&body, &Settings::default()).is_none());
        }
    }

    #[test]
    fn chatwoot_hints_at_proxies_dropping_the_header() {
        let body = fixture("chatwoot", "401-no-token.json");
        assert!(
            chatwoot()
                .hint(401, Some(&body))
                .unwrap()
                .contains("underscore")
        );
        let invalid = fixture("chatwoot", "401-invalid.json");
        assert!(chatwoot().hint(401, Some(&invalid)).is_none());
    }

    /// A definition behaves exactly as the Rust provider it replaces, on every fixture of that
    /// provider and with each of `settings`: profile, message, rejection and hint at each
    /// status, and the request.
    #[allow(dead_code)] // used while a provider moves from Rust to a definition
    pub(super) fn equivalent(rust: &dyn Provider, settings: &[Settings]) {
        let id = rust.id();
        let (_, text) = SOURCES.iter().find(|(i, _)| *i == id).unwrap();
        let definition = Definition::parse(text).unwrap();
        definition.validate().unwrap();
        assert_eq!(
            definition.default_base_url(),
            rust.default_base_url(),
            "{id}"
        );
        assert_eq!(definition.secret_fields(), rust.secret_fields(), "{id}");
        let mut ours: Vec<_> = definition.settings().to_vec();
        let mut theirs: Vec<_> = rust.settings().to_vec();
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs, "{id}");
        let env = |p: &dyn Provider| -> Vec<(String, String)> {
            p.sdk_env()
                .iter()
                .map(|v| (v.var.to_string(), v.key.to_string()))
                .collect()
        };
        assert_eq!(env(&definition), env(rust), "{id}");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(id);
        let secret = crate::credential::Secret::new("equivalence-token-0123456789");
        for settings in settings {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let Ok(body) = serde_json::from_slice::<Value>(&std::fs::read(&path).unwrap())
                else {
                    continue;
                };
                let name = format!("{} {settings:?}", path.display());
                assert_eq!(
                    definition.normalize(&body, settings),
                    rust.normalize(&body, settings),
                    "{name}"
                );
                assert_eq!(
                    definition.error_message(&body),
                    rust.error_message(&body),
                    "{name}"
                );
                for status in [200, 400, 401, 403, 404, 429, 500, 502, 503] {
                    for body in [Some(&body), None] {
                        assert_eq!(
                            definition.rejection(status, body),
                            rust.rejection(status, body),
                            "{name} {status} {}",
                            body.is_some()
                        );
                        assert_eq!(
                            definition.hint(status, body),
                            rust.hint(status, body),
                            "{name} {status} {}",
                            body.is_some()
                        );
                    }
                }
            }
            let (a, b) = (
                definition.request(settings, &secret).unwrap(),
                rust.request(settings, &secret).unwrap(),
            );
            assert_eq!(
                (a.method, a.path, a.json_body),
                (b.method, b.path, b.json_body),
                "{id}"
            );
            assert_eq!(a.headers, b.headers, "{id} {settings:?}");
        }
    }

    #[allow(dead_code)]
    fn settings(pairs: &[(&str, &str)]) -> Settings {
        Settings(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn hamravesh_roles_without_organization_roles() {
        let body = json!({"email": "a@b.c", "organizations": [
            {"id": 3, "name": "acme", "current_user_roles": [" developer ", {"name": "billing"}, ""]},
            {"id": 4, "name": "solo"}
        ]});
        let p = find("hamravesh")
            .unwrap()
            .normalize(&body, &Settings::default())
            .unwrap();
        assert_eq!(p.organizations.len(), 2);
        assert_eq!(p.organizations[0].id.as_deref(), Some("3"));
        assert_eq!(
            p.organizations[0].role.as_deref(),
            Some("developer, billing")
        );
        assert_eq!(p.organizations[1].role, None);
    }
}
