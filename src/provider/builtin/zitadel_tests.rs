//! Zitadel's former unit tests, now pinning its definition (`providers/zitadel.toml`).

#![allow(unused_imports)]

use serde_json::{Map, Value, json};

use crate::credential::Secret;
use crate::jq::Document;
use crate::profile::{ErrorKind, Organization, Profile};
use crate::provider::{Definition, Settings, find};
use std::sync::Arc;

fn zitadel() -> Arc<Definition> {
    find("zitadel").unwrap()
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/zitadel/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn normalize(body: &Value) -> Profile {
    zitadel()
        .normalize(&Document::from(body), &Settings::default())
        .unwrap()
}

#[test]
fn normalizes_a_human_user() {
    let p = normalize(&fixture("human.json"));
    assert_eq!(p.id.as_deref(), Some("284739201847362918"));
    assert_eq!(p.username.as_deref(), Some("ada"));
    assert_eq!(p.display_name.as_deref(), Some("Ada Example"));
    assert_eq!(p.first_name.as_deref(), Some("Ada"));
    assert_eq!(p.last_name.as_deref(), Some("Example"));
    assert_eq!(p.email.as_deref(), Some("ada@example.org"));
    assert_eq!(p.email_verified, Some(true));
    assert_eq!(
        p.phone.as_deref(),
        Some("+41795555678"),
        "masked later, by the shared rules"
    );
    assert_eq!(
        p.avatar_url.as_deref(),
        Some("https://acme-x1y2.zitadel.cloud/assets/v1/avatar.png")
    );
    assert_eq!(p.locale.as_deref(), Some("de"));
    assert_eq!(p.created_at.as_deref(), Some("2024-03-05T10:11:12.345678Z"));
    assert_eq!(p.updated_at.as_deref(), Some("2026-01-20T08:00:00.5Z"));
    assert_eq!(
        p.organizations,
        vec![Organization {
            id: Some("284739201847360001".into()),
            name: None,
            role: None,
            roles: vec![],
        }]
    );
    assert_eq!(p.mfa, None);
    assert_eq!(p.extra["kind"], "human");
    assert_eq!(p.extra["state"], "USER_STATE_ACTIVE");
    assert_eq!(p.extra["login_name"], "ada@acme.zitadel.cloud");
    assert_eq!(p.extra.len(), 3);
}

#[test]
fn normalizes_a_machine_user() {
    let p = normalize(&fixture("machine.json"));
    assert_eq!(p.id.as_deref(), Some("290011223344556677"));
    assert_eq!(p.username.as_deref(), Some("ci-bot"));
    assert_eq!(p.display_name.as_deref(), Some("CI deploy bot"));
    assert_eq!(p.first_name, None);
    assert_eq!(p.email, None);
    assert_eq!(p.email_verified, None, "machines have no email");
    assert_eq!(p.phone, None);
    assert_eq!(p.locale, None);
    assert_eq!(p.organizations[0].id.as_deref(), Some("284739201847360001"));
    assert_eq!(p.extra["kind"], "machine");
    assert_eq!(p.extra["state"], "USER_STATE_ACTIVE");
    assert_eq!(p.extra["login_name"], "ci-bot@acme.zitadel.cloud");
}

#[test]
fn sequence_may_be_a_string_or_a_number() {
    assert!(fixture("human.json")["user"]["details"]["sequence"].is_string());
    assert!(fixture("machine.json")["user"]["details"]["sequence"].is_number());
    for name in ["human.json", "machine.json", "minimal.json", "sparse.json"] {
        assert!(normalize(&fixture(name)).id.is_some(), "{name}");
    }
}

#[test]
fn minimal_user_gives_nulls_not_errors() {
    let p = normalize(&fixture("minimal.json"));
    assert_eq!(p.id.as_deref(), Some("300000000000000001"));
    assert_eq!(p.display_name, None);
    assert_eq!(p.created_at, None);
    assert!(p.organizations.is_empty());
    assert!(p.extra.is_empty());
}

#[test]
fn omitted_and_null_optionals() {
    let p = normalize(&fixture("sparse.json"));
    assert_eq!(p.id.as_deref(), Some("300000000000000002"));
    // displayName is "", so the ?? falls through; a human has no machine name.
    assert_eq!(p.display_name, None);
    assert_eq!(p.first_name.as_deref(), Some("Bo"));
    assert_eq!(p.last_name, None, "null lastName");
    assert_eq!(p.avatar_url, None, "absent avatarUrl");
    assert_eq!(p.phone, None, "null phone");
    assert_eq!(p.email.as_deref(), Some("bo@example.com"));
    assert_eq!(
        p.email_verified,
        Some(false),
        "protojson omits a false isEmailVerified"
    );
    assert_eq!(p.extra["kind"], "human");
    assert_eq!(p.extra["state"], "USER_STATE_INITIAL");
    assert!(p.extra.get("login_name").is_none());
}

#[test]
fn machine_name_is_only_a_fallback() {
    let body = json!({"user": {"id": "1", "human": {"profile": {"displayName": "H"}},
                               "machine": {"name": "M"}}});
    assert_eq!(normalize(&body).display_name.as_deref(), Some("H"));
    let body = json!({"user": {"id": "1", "machine": {"name": "", "description": "d"}}});
    let p = normalize(&body);
    assert_eq!(p.display_name, None);
    assert_eq!(p.extra["kind"], "machine");
}

#[test]
fn accepts_the_get_my_profile_shape() {
    let p = normalize(&fixture("my-profile.json"));
    assert_eq!(p.id, None);
    assert_eq!(p.email, None);
    assert_eq!(p.email_verified, None);
    assert_eq!(p.display_name.as_deref(), Some("Ada Example"));
    assert_eq!(p.first_name.as_deref(), Some("Ada"));
    assert_eq!(p.last_name.as_deref(), Some("Example"));
    assert_eq!(p.locale.as_deref(), Some("en"));
    assert_eq!(p.created_at.as_deref(), Some("2024-03-05T10:11:12.345678Z"));
    assert_eq!(p.organizations[0].id.as_deref(), Some("284739201847360001"));
    assert_eq!(p.extra["kind"], "human");
}

#[test]
fn recognises_only_its_envelope() {
    for body in [
        json!({}),
        json!({"user": null}),
        json!({"user": "284739201847362918"}),
        json!({"profile": []}),
        json!({"details": {"sequence": "1"}}),
        json!({"code": 16, "message": "x"}),
        json!([1]),
    ] {
        assert!(
            zitadel()
                .normalize(&Document::from(&body), &Settings::default())
                .is_none(),
            "{body}"
        );
    }
    // The identity is the user id: a `user` without one is not a profile.
    assert!(
        zitadel()
            .normalize(
                &Document::from(&json!({"user": {"username": "x"}})),
                &Settings::default()
            )
            .is_none()
    );
}

#[test]
fn rejection_rules() {
    let expired = fixture("403-invalid-token.json");
    assert_eq!(
        zitadel().rejection(403, Some(&Document::from(&expired)), &Settings::default()),
        Some(ErrorKind::Expired)
    );
    let shouting = json!({"code": 7, "message": "Invalid Token (AUTH-7fs1e)"});
    assert_eq!(
        zitadel().rejection(403, Some(&Document::from(&shouting)), &Settings::default()),
        Some(ErrorKind::Expired)
    );
    let denied = json!({"code": 7, "message": "No matching permissions found (AUTH-5mWD2)"});
    assert_eq!(
        zitadel().rejection(403, Some(&Document::from(&denied)), &Settings::default()),
        None
    );
    assert_eq!(zitadel().rejection(403, None, &Settings::default()), None);

    let unauthenticated = fixture("500-unauthenticated.json");
    assert_eq!(
        zitadel().rejection(
            500,
            Some(&Document::from(&unauthenticated)),
            &Settings::default()
        ),
        Some(ErrorKind::InvalidCredential)
    );
    let internal = json!({"code": 13, "message": "internal error (QUERY-Dfbg2)"});
    assert_eq!(
        zitadel().rejection(500, Some(&Document::from(&internal)), &Settings::default()),
        None
    );
    assert_eq!(zitadel().rejection(500, None, &Settings::default()), None);

    let invalid = fixture("401-unauthenticated.json");
    assert_eq!(
        zitadel().rejection(401, Some(&Document::from(&invalid)), &Settings::default()),
        None,
        "shared rule"
    );
    assert_eq!(
        zitadel().rejection(200, Some(&Document::from(&expired)), &Settings::default()),
        None
    );
}

#[test]
fn error_message_is_the_message() {
    assert_eq!(
        zitadel()
            .error_message(&fixture("401-unauthenticated.json"), &Settings::default())
            .as_deref(),
        Some("auth header missing or invalid (AUTH-7fs1e)")
    );
}

#[test]
fn request_carries_the_org_header_when_configured() {
    let secret = Secret::new("zitadel-test-token-0123456789");
    let plain = zitadel().request(&Settings::default(), &secret).unwrap();
    assert_eq!(plain.path, "auth/v1/users/me");
    assert_eq!(plain.method, reqwest::Method::GET);
    assert_eq!(plain.headers.len(), 1);
    assert_eq!(
        plain.headers[0].1.to_str().unwrap(),
        "Bearer zitadel-test-token-0123456789"
    );
    assert!(plain.headers[0].1.is_sensitive());

    let mut settings = Settings::default();
    settings.0.insert("org_id".into(), "123456789".into());
    let scoped = zitadel().request(&settings, &secret).unwrap();
    assert_eq!(scoped.headers[1].0.as_str(), "x-zitadel-orgid");
    assert_eq!(scoped.headers[1].1.to_str().unwrap(), "123456789");
}

#[test]
fn org_id_must_fit_a_header() {
    assert!(
        zitadel()
            .check_setting("org_id", "284739201847360001")
            .is_ok()
    );
    assert!(zitadel().check_setting("org_id", "").is_ok());
    assert!(zitadel().check_setting("org_id", "12 34").is_err());
    assert!(zitadel().check_setting("org_id", "12\n34").is_err());
}
