//! The built-in providers: definitions (`providers/*.toml`) embedded in the binary.
//!
//! Each is parsed on first use of its id, so a lookup of one provider pays for one; its jq
//! expressions compile on first use of the provider. A test below loads every one, so a
//! broken built-in fails the build's tests, never a user's run.

use std::sync::{Arc, OnceLock};

use super::definition::Definition;

/// The embedded definitions, in the order `whoami providers` lists them: the five launch
/// providers, then the catalogue by id.
const SOURCES: &[(&str, &str)] = &[
    ("vaiz", include_str!("../../providers/vaiz.toml")),
    ("hamravesh", include_str!("../../providers/hamravesh.toml")),
    ("flashback", include_str!("../../providers/flashback.toml")),
    ("zitadel", include_str!("../../providers/zitadel.toml")),
    ("chatwoot", include_str!("../../providers/chatwoot.toml")),
    ("airtable", include_str!("../../providers/airtable.toml")),
    ("asana", include_str!("../../providers/asana.toml")),
    ("atlassian", include_str!("../../providers/atlassian.toml")),
    ("bitbucket", include_str!("../../providers/bitbucket.toml")),
    ("circleci", include_str!("../../providers/circleci.toml")),
    (
        "cloudflare",
        include_str!("../../providers/cloudflare.toml"),
    ),
    (
        "digitalocean",
        include_str!("../../providers/digitalocean.toml"),
    ),
    ("discord", include_str!("../../providers/discord.toml")),
    ("gitea", include_str!("../../providers/gitea.toml")),
    ("github", include_str!("../../providers/github.toml")),
    ("gitlab", include_str!("../../providers/gitlab.toml")),
    ("grafana", include_str!("../../providers/grafana.toml")),
    ("heroku", include_str!("../../providers/heroku.toml")),
    (
        "huggingface",
        include_str!("../../providers/huggingface.toml"),
    ),
    ("jupyter", include_str!("../../providers/jupyter.toml")),
    (
        "kubernetes",
        include_str!("../../providers/kubernetes.toml"),
    ),
    ("linear", include_str!("../../providers/linear.toml")),
    ("mastodon", include_str!("../../providers/mastodon.toml")),
    ("matrix", include_str!("../../providers/matrix.toml")),
    (
        "mattermost",
        include_str!("../../providers/mattermost.toml"),
    ),
    ("netlify", include_str!("../../providers/netlify.toml")),
    ("notion", include_str!("../../providers/notion.toml")),
    ("npm", include_str!("../../providers/npm.toml")),
    ("oidc", include_str!("../../providers/oidc.toml")),
    ("okta", include_str!("../../providers/okta.toml")),
    ("sentry", include_str!("../../providers/sentry.toml")),
    ("slack", include_str!("../../providers/slack.toml")),
    ("stripe", include_str!("../../providers/stripe.toml")),
    ("telegram", include_str!("../../providers/telegram.toml")),
    ("terraform", include_str!("../../providers/terraform.toml")),
    ("vault", include_str!("../../providers/vault.toml")),
    ("vercel", include_str!("../../providers/vercel.toml")),
];

/// The parsed definitions, by position in [`SOURCES`].
static PARSED: [OnceLock<Option<Arc<Definition>>>; SOURCES.len()] =
    [const { OnceLock::new() }; SOURCES.len()];

/// The ids of the built-ins, in listing order.
pub fn ids() -> impl Iterator<Item = &'static str> {
    SOURCES.iter().map(|(id, _)| *id)
}

/// A built-in definition, parsed on first use. One that does not parse is `None` (and fails
/// `every_builtin_definition_loads`).
pub fn find(id: &str) -> Option<Arc<Definition>> {
    let i = SOURCES.iter().position(|(i, _)| *i == id)?;
    PARSED[i]
        .get_or_init(|| Definition::parse(SOURCES[i].1).ok().map(Arc::new))
        .clone()
}

/// The variables a built-in's `[[env]]` tables name, read from its text without parsing it,
/// so that a run looks at the services' own variables without loading every definition. A
/// line that only looks like one costs a parse, never a missed variable.
pub fn env_vars(id: &str) -> impl Iterator<Item = &'static str> {
    source(id)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.trim().strip_prefix("var"))
        .filter_map(|rest| rest.trim_start().strip_prefix('='))
        .map(|rest| rest.trim().trim_matches('"'))
}

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
mod zitadel_tests;

#[cfg(test)]
mod tests {
    use super::super::Settings;
    use super::*;
    use crate::jq::Document;
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
            // The quick reading of the variables finds every one the definition declares.
            let quick: Vec<&str> = env_vars(id).collect();
            for var in definition.sdk_env() {
                assert!(quick.contains(&var.var.as_str()), "{id}: {}", var.var);
            }
        }
        assert_eq!(ids().count(), SOURCES.len());
    }

    fn fixture(provider: &str, name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/{provider}/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn chatwoot() -> Arc<Definition> {
        find("chatwoot").unwrap()
    }

    #[test]
    fn chatwoot_normalizes_a_full_profile() {
        let p = chatwoot()
            .normalize(
                &Document::from(&fixture("chatwoot", "profile.json")),
                &Settings::default(),
            )
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
        let p = chatwoot()
            .normalize(&Document::from(&body), &Settings::default())
            .unwrap();
        assert_eq!(p.display_name.as_deref(), Some("Bo"));
        assert_eq!(p.id.as_deref(), Some("7"));
        assert!(p.organizations.is_empty());
    }

    #[test]
    fn chatwoot_recognises_only_its_envelope() {
        for body in [json!({}), json!({"error": "x"}), json!([1]), json!("id")] {
            assert!(
                chatwoot()
                    .normalize(&Document::from(&body), &Settings::default())
                    .is_none()
            );
        }
    }

    #[test]
    fn chatwoot_hints_at_proxies_dropping_the_header() {
        let body = fixture("chatwoot", "401-no-token.json");
        assert!(
            chatwoot()
                .hint(401, Some(&Document::from(&body)), &Settings::default())
                .unwrap()
                .contains("underscore")
        );
        let invalid = fixture("chatwoot", "401-invalid.json");
        assert!(
            chatwoot()
                .hint(401, Some(&Document::from(&invalid)), &Settings::default())
                .is_none()
        );
    }

    /// Edge cases a review found where a first version of the definitions differed from the
    /// Rust providers they replaced.
    #[test]
    fn definitions_keep_the_rust_behaviour_on_odd_bodies() {
        let none = Settings::default();
        let p = |id: &str, body: Value| find(id).unwrap().normalize(&Document::from(&body), &none);
        // An organization without a role and without an id is kept.
        let h = p(
            "hamravesh",
            json!({"email": "a@b.c", "organizations": [{"name": "Org"}]}),
        );
        assert_eq!(h.unwrap().organizations.len(), 1);
        // One odd entry does not cost the others.
        let c = p(
            "chatwoot",
            json!({"id": 1, "accounts": [{"id": 1, "name": "A", "role": "admin"}, "x"]}),
        );
        assert_eq!(c.unwrap().organizations.len(), 1);
        // An id that is not a string or a number is no identity.
        assert!(p("chatwoot", json!({"id": {"message": "x"}, "email": "e@x"})).is_none());
        assert!(p("chatwoot", json!({"id": false, "email": "e@x"})).is_none());
        // A number is not a name: the fallback is taken.
        let c = p(
            "chatwoot",
            json!({"id": 1, "display_name": 5, "available_name": "av"}),
        );
        assert_eq!(c.unwrap().display_name.as_deref(), Some("av"));
        // The availability of the current account, false included, ids as text or numbers.
        let c = p(
            "chatwoot",
            json!({"id": 1, "account_id": "7", "accounts": [{"id": 7, "availability": false}]}),
        );
        assert_eq!(c.unwrap().extra["availability"], json!(false));
        // A numeric error code does not hide a readable description.
        let vaiz = find("vaiz").unwrap();
        let body = json!({"error": {"code": 401, "meta": {"description": "jwt expired"}}});
        assert_eq!(
            vaiz.rejection(400, Some(&Document::from(&body)), &Settings::default()),
            Some(crate::profile::ErrorKind::Expired)
        );
        // Unicode white space around a Flashback role number.
        let f = p(
            "flashback",
            json!({"data": {"id": "u1", "orgId": "o1", "orgRole": "\u{a0}255"}}),
        );
        assert_eq!(f.unwrap().organizations[0].role.as_deref(), Some("owner"));
    }
}
