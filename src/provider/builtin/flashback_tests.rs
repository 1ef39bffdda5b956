//! Flashback's former unit tests, now pinning its definition (`providers/flashback.toml`).

#![allow(unused_imports)]

use serde_json::{Map, Value, json};

use crate::credential::Secret;
use crate::jq::Document;
use crate::profile::{ErrorKind, Organization, Profile};
use crate::provider::{Definition, Settings, find};
use std::sync::Arc;

fn flashback() -> Arc<Definition> {
    find("flashback").unwrap()
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/flashback/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn normalize(body: &Value) -> Profile {
    flashback()
        .normalize(&Document::from(body), &Settings::default())
        .unwrap()
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
            roles: vec!["owner".into()],
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
            flashback()
                .normalize(&Document::from(&body), &Settings::default())
                .is_none(),
            "{body}"
        );
    }
}

#[test]
fn rejection_rules() {
    let missing = fixture("404-user-not-found.json");
    assert_eq!(
        flashback().rejection(404, Some(&Document::from(&missing)), &Settings::default()),
        Some(ErrorKind::UserNotFound)
    );
    assert_eq!(
        flashback().rejection(404, None, &Settings::default()),
        None,
        "not Flashback's 404"
    );
    let nest = json!({"statusCode": 404, "message": "Cannot GET /user/profile"});
    assert_eq!(
        flashback().rejection(404, Some(&Document::from(&nest)), &Settings::default()),
        None,
        "another framework's 404"
    );
    assert!(
        flashback()
            .hint(404, None, &Settings::default())
            .unwrap()
            .contains("base_url")
    );
    let forbidden = fixture("403-insufficient-permissions.json");
    assert_eq!(
        flashback().rejection(403, Some(&Document::from(&forbidden)), &Settings::default()),
        None,
        "shared rule"
    );
    assert_eq!(
        flashback().rejection(401, None, &Settings::default()),
        None,
        "shared rule"
    );
    assert_eq!(
        flashback().rejection(
            500,
            Some(&Document::from(&fixture("500.json"))),
            &Settings::default()
        ),
        None
    );
    assert_eq!(
        flashback().rejection(200, Some(&Document::from(&missing)), &Settings::default()),
        None
    );
}

#[test]
fn error_messages() {
    assert_eq!(
        flashback()
            .error_message(&fixture("404-user-not-found.json"), &Settings::default())
            .as_deref(),
        Some("User not found")
    );
    assert_eq!(
        flashback()
            .error_message(&fixture("500.json"), &Settings::default())
            .as_deref(),
        Some("Internal server error: database unavailable")
    );
    assert_eq!(
        flashback()
            .error_message(
                &json!({"success": false, "error": "Unauthorized"}),
                &Settings::default()
            )
            .as_deref(),
        Some("Unauthorized")
    );
}

#[test]
fn request_is_a_bearer_get() {
    let secret = Secret::new("flashback-test-token-0123456789");
    let request = flashback().request(&Settings::default(), &secret).unwrap();
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
