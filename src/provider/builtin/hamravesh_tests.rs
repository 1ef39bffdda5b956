//! Hamravesh's former unit tests, now pinning its definition (`providers/hamravesh.toml`).

#![allow(unused_imports)]

use serde_json::{Map, Value, json};

use crate::credential::Secret;
use crate::jq::Document;
use crate::profile::{ErrorKind, Organization, Profile};
use crate::provider::{Definition, Settings, find};
use std::sync::Arc;

fn hamravesh() -> Arc<Definition> {
    find("hamravesh").unwrap()
}

/// The role the definition reads from one organization's `current_user_roles`.
fn roles(value: &Value) -> Option<String> {
    let body = json!({"email": null, "organizations": [{"id": 1, "current_user_roles": value}]});
    hamravesh()
        .normalize(&Document::from(&body), &Settings::default())
        .unwrap()
        .organizations[0]
        .role
        .clone()
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/hamravesh/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn settings(pairs: &[(&str, &str)]) -> Settings {
    pairs.iter().copied().collect()
}

#[test]
fn normalizes_a_full_v1_profile() {
    let p = hamravesh()
        .normalize(
            &Document::from(&fixture("profile-v1.json")),
            &Settings::default(),
        )
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
            role: Some("owner".into()),
            roles: vec!["owner".into()],
        }
    );
    assert_eq!(p.organizations[1].role.as_deref(), Some("admin, developer"));
    assert_eq!(
        p.organizations[1].roles,
        ["admin", "developer"],
        "one by one"
    );
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
    let p = hamravesh()
        .normalize(
            &Document::from(&fixture("profile-v2.json")),
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
    let p = hamravesh()
        .normalize(
            &Document::from(&fixture("minimal.json")),
            &Settings::default(),
        )
        .unwrap();
    assert_eq!(p.email.as_deref(), Some("min@example.com"));
    assert_eq!(p.display_name, None);
    assert_eq!(p.id, None);
    assert!(p.organizations.is_empty());
    assert!(p.extra.is_empty());
}

#[test]
fn tolerates_nulls_and_unknown_fields() {
    let p = hamravesh()
        .normalize(
            &Document::from(&fixture("extra-fields.json")),
            &Settings::default(),
        )
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
    let p = hamravesh()
        .normalize(&Document::from(&body), &Settings::default())
        .unwrap();
    assert_eq!(p.organizations[0].role.as_deref(), Some("admin"));
}

/// An organization with nothing to look up (no roles of its own, no role table) is handed on
/// as it came: the profile still reads only its id and name, whatever else it carries.
#[test]
fn organizations_with_nothing_to_look_up_keep_only_id_and_name() {
    let body = json!({"email": "a@b.c", "organization_roles": {}, "organizations": [
        {"id": 3, "name": "plain", "owner": {"email": "o@b.c"}, "balance": 1.5, "is_active": true},
        {"id": "4", "name": "off", "current_user_roles": false},
        {"id": 5, "name": "none", "current_user_roles": null},
        {"id": 6, "name": "own", "current_user_roles": ["admin"]},
        {"name": "  "},
        "not an organization",
    ]});
    let p = hamravesh()
        .normalize(&Document::from(&body), &Settings::default())
        .unwrap();
    let org = |id: Option<&str>, name: Option<&str>, role: Option<&str>| Organization {
        id: id.map(str::to_string),
        name: name.map(str::to_string),
        role: role.map(str::to_string),
        roles: role.iter().map(|r| r.to_string()).collect(),
    };
    assert_eq!(
        p.organizations,
        [
            org(Some("3"), Some("plain"), None),
            org(Some("4"), Some("off"), None),
            org(Some("5"), Some("none"), None),
            org(Some("6"), Some("own"), Some("admin")),
            org(None, None, None),
        ]
    );
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
            hamravesh()
                .normalize(&Document::from(&body), &Settings::default())
                .is_none(),
            "{body}"
        );
    }
    let p = hamravesh()
        .normalize(
            &Document::from(&json!({"email": null})),
            &Settings::default(),
        )
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
            hamravesh().rejection(
                status,
                Some(&Document::from(&fixture(name))),
                &Settings::default()
            ),
            expected,
            "{status} {name}"
        );
    }
    assert_eq!(
        hamravesh().rejection(401, None, &Settings::default()),
        None,
        "shared rules decide"
    );
    assert_eq!(
        hamravesh().rejection(
            403,
            Some(&Document::from(&json!({"detail": "x"}))),
            &Settings::default()
        ),
        None
    );
}

#[test]
fn error_messages_prefer_the_code() {
    assert_eq!(
        hamravesh()
            .error_message(&fixture("401-not-authenticated.json"), &Settings::default())
            .as_deref(),
        Some("not_authenticated: اطلاعات برای اعتبارسنجی ارسال نشده است.")
    );
    assert_eq!(
        hamravesh()
            .error_message(&json!({"detail": "فقط متن"}), &Settings::default())
            .as_deref(),
        Some("فقط متن")
    );
    assert_eq!(
        hamravesh()
            .error_message(
                &json!({"code": "throttled", "detail": ""}),
                &Settings::default()
            )
            .as_deref(),
        Some("throttled")
    );
    assert_eq!(
        hamravesh()
            .error_message(&json!({"message": "m"}), &Settings::default())
            .as_deref(),
        Some("m")
    );
}

#[test]
fn request_paths_and_headers() {
    let secret = Secret::new("hmr-key-0123456789abcdef");
    let r = hamravesh().request(&Settings::default(), &secret).unwrap();
    assert_eq!(r.method, reqwest::Method::GET);
    assert_eq!(r.path, "api/v1/users/profile");
    assert_eq!(r.json_body, None);
    assert_eq!(r.headers.len(), 1);
    assert_eq!(r.headers[0].0, "authorization");
    assert!(r.headers[0].1.is_sensitive());

    let r = hamravesh()
        .request(
            &settings(&[("api_version", "v2"), ("organization", "acme-cloud")]),
            &secret,
        )
        .unwrap();
    assert_eq!(r.path, "api/v2/users/profile");
    assert_eq!(r.headers[1].0, "x-organization");
    assert_eq!(r.headers[1].1, "acme-cloud");

    let r = hamravesh()
        .request(&settings(&[("api_version", "v1")]), &secret)
        .unwrap();
    assert_eq!(r.path, "api/v1/users/profile");
}

#[test]
fn api_version_is_checked() {
    assert!(hamravesh().check_setting("api_version", "v1").is_ok());
    assert!(hamravesh().check_setting("api_version", "v2").is_ok());
    for bad in ["v3", "V2", "2", ""] {
        let message = hamravesh().check_setting("api_version", bad).unwrap_err();
        assert!(
            message.contains("\"v1\"") && message.contains("\"v2\""),
            "{message}"
        );
    }
    assert!(
        hamravesh()
            .check_setting("organization", "acme-cloud")
            .is_ok()
    );
    assert!(hamravesh().check_setting("organization", "a\rb").is_err());
}

/// A large answer's organizations are read a batch at a time (`organizations_each`): the
/// profile is the same as when the list is parsed with the rest.
#[test]
fn organizations_read_a_batch_at_a_time_map_the_same() {
    let secret = |k: &str| crate::redact::is_secret_field(k, hamravesh().secret_fields());
    let mut bodies: Vec<Value> = [
        "profile-v1.json",
        "profile-v2.json",
        "extra-fields.json",
        "minimal.json",
    ]
    .iter()
    .map(|f| fixture(f))
    .collect();
    for roles in [
        json!(["a", "b"]),
        json!([{"name": "x"}, "", " y "]),
        json!("dev, ops"),
        json!(null),
    ] {
        bodies.push(json!({"email": "a@b.c", "organization_roles": {"n": ["r"], "7": "s"},
            "organizations": [{"id": 1, "current_user_roles": roles}, {"id": 7}, {"name": "n"}, "x"]}));
    }
    for body in bodies {
        let text = serde_json::to_vec(&body).unwrap();
        let whole = hamravesh().normalize(
            &Document::parse(&text, &secret).unwrap(),
            &Settings::default(),
        );
        assert!(
            whole.as_ref().is_some_and(|p| !p.organizations.is_empty())
                || body.get("organizations").is_none(),
            "{body}"
        );
        for as_text in [true, false] {
            let listed = Document::parse_listing(
                &bytes::Bytes::copy_from_slice(&text),
                &secret,
                hamravesh().list_key(),
                as_text,
            )
            .unwrap();
            assert_eq!(
                listed.has_list(),
                body.get("organizations").is_some_and(Value::is_array),
                "{body}"
            );
            let batched = hamravesh().normalize(&listed, &Settings::default());
            assert_eq!(batched, whole, "{body}");
        }
    }
}
