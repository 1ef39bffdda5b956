//! Vaiz's former unit tests, now pinning its definition (`providers/vaiz.toml`).

#![allow(unused_imports)]

use serde_json::{Map, Value, json};

use crate::credential::Secret;
use crate::jq::Document;
use crate::profile::{ErrorKind, Organization, Profile};
use crate::provider::{Definition, Settings, find};
use std::sync::Arc;

fn vaiz() -> Arc<Definition> {
    find("vaiz").unwrap()
}

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/vaiz/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn space(id: &str) -> Settings {
    Settings([("space_id".to_string(), id.to_string())].into())
}

fn profile(p: Value) -> Value {
    json!({"type": "GetProfile", "payload": {"profile": p}})
}

#[test]
fn normalizes_a_full_profile() {
    let p = vaiz()
        .normalize(
            &Document::from(&fixture("profile.json")),
            &space("space-canary-42"),
        )
        .unwrap();
    assert_eq!(p.id.as_deref(), Some("65f0c0ffee00000000000a01"));
    assert_eq!(p.username.as_deref(), Some("nova"));
    assert_eq!(p.display_name.as_deref(), Some("Nova Tester"));
    assert_eq!(p.first_name, None);
    assert_eq!(p.email.as_deref(), Some("nova.tester@example.com"));
    assert_eq!(p.email_verified, Some(true));
    assert_eq!(p.phone.as_deref(), Some("+15555550123"), "masked later");
    assert!(p.avatar_url.as_deref().unwrap().starts_with("https://"));
    assert_eq!(p.created_at.as_deref(), Some("2024-03-12T08:31:07.000Z"));
    assert_eq!(p.updated_at.as_deref(), Some("2026-10-01T12:00:00.000Z"));
    assert_eq!(
        p.organizations,
        vec![Organization {
            id: Some("space-canary-42".into()),
            name: None,
            role: None,
            roles: vec![],
        }]
    );
    assert_eq!(p.mfa, Some(true));
    assert_eq!(p.extra["member_id"], "65f0c0ffee00000000000b77");
    assert_eq!(p.extra["incomplete_steps"], json!(["connectCalendar"]));
    assert_eq!(p.extra["webauthn_keys"], 2);
    let shown = serde_json::to_string(&p).unwrap();
    for secret in ["RECOVERY", "WEBAUTHN", "cData", "Europe/Berlin"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[test]
fn normalizes_a_minimal_profile() {
    let p = vaiz()
        .normalize(
            &Document::from(&fixture("minimal.json")),
            &Settings::default(),
        )
        .unwrap();
    assert_eq!(p.id.as_deref(), Some("65f0c0ffee00000000000a02"));
    assert_eq!(p.email.as_deref(), Some("min@example.com"));
    assert_eq!(p.display_name, None);
    assert_eq!(
        p.mfa, None,
        "absent webAuthnCredentials is unknown, not false"
    );
    assert!(p.organizations.is_empty(), "no space configured");
    assert!(p.extra.is_empty());
}

#[test]
fn empty_strings_fall_back() {
    let body = fixture("extra-fields.json");
    let p = vaiz()
        .normalize(&Document::from(&body), &Settings::default())
        .unwrap();
    assert_eq!(p.display_name.as_deref(), Some("quiet"), "fullName \"\"");
    assert_eq!(p.created_at.as_deref(), Some("2023-07-01T00:00:00Z"));
    assert_eq!(p.updated_at, None);
    assert_eq!(p.avatar_url, None);
    assert_eq!(p.phone, None);
    assert_eq!(p.email_verified, Some(false));
    assert_eq!(p.mfa, Some(false));
    assert_eq!(p.extra["webauthn_keys"], 0);
    assert_eq!(p.extra["member_id"], "4711", "numeric ids become strings");
    assert!(!p.extra.contains_key("incomplete_steps"), "null is absent");

    let p = vaiz()
        .normalize(
            &Document::from(&profile(json!({"_id": 7, "fullName": " ", "nickName": ""}))),
            &space(""),
        )
        .unwrap();
    assert_eq!(p.id.as_deref(), Some("7"));
    assert_eq!(p.display_name, None);
    assert!(p.organizations.is_empty(), "an empty space_id is no space");
}

#[test]
fn recognises_only_its_envelope() {
    for body in [
        json!({}),
        json!({"payload": null}),
        json!({"payload": {"profile": null}}),
        json!({"payload": {"profile": "x"}}),
        json!({"_id": "1", "email": "a@example.com"}),
        fixture("400-invalid-signature.json"),
        json!([1]),
    ] {
        assert!(
            vaiz()
                .normalize(&Document::from(&body), &Settings::default())
                .is_none(),
            "{body}"
        );
    }
}

#[test]
fn rejection_rules() {
    let cases = [
        (
            400,
            "400-invalid-signature.json",
            Some(ErrorKind::InvalidCredential),
        ),
        (
            400,
            "400-signature-no-code.json",
            Some(ErrorKind::InvalidCredential),
        ),
        (
            401,
            "401-unauthorized.json",
            Some(ErrorKind::InvalidCredential),
        ),
        (400, "400-jwt-expired.json", Some(ErrorKind::Expired)),
        (401, "400-jwt-expired.json", Some(ErrorKind::Expired)),
        (400, "400-member-not-found.json", Some(ErrorKind::NotMember)),
        (403, "403-access-denied.json", None),
        (400, "400-validation.json", None),
        (429, "429-rate-limit.json", None),
        (200, "400-jwt-expired.json", None),
        (500, "400-invalid-signature.json", None),
    ];
    for (status, name, expected) in cases {
        assert_eq!(
            vaiz().rejection(
                status,
                Some(&Document::from(&fixture(name))),
                &Settings::default()
            ),
            expected,
            "{status} {name}"
        );
    }
    assert_eq!(
        vaiz().rejection(401, None, &Settings::default()),
        None,
        "the shared 401 rule decides"
    );
    assert_eq!(
        vaiz().rejection(
            400,
            Some(&Document::from(&json!("x"))),
            &Settings::default()
        ),
        None
    );
}

#[test]
fn error_messages_never_show_the_token() {
    let body = fixture("400-invalid-signature.json");
    let message = vaiz().error_message(&body, &Settings::default()).unwrap();
    assert_eq!(message, "JwtIncorrect: invalid signature");
    assert_eq!(
        vaiz()
            .error_message(&fixture("400-member-not-found.json"), &Settings::default())
            .as_deref(),
        Some("MemberDidNotFound")
    );
    assert_eq!(
        vaiz()
            .error_message(&fixture("400-signature-no-code.json"), &Settings::default())
            .as_deref(),
        Some("invalid signature")
    );
    assert_eq!(
        vaiz()
            .error_message(&json!({"message": "down"}), &Settings::default())
            .as_deref(),
        Some("down")
    );
}

#[test]
fn hints() {
    assert!(
        vaiz()
            .hint(
                400,
                Some(&Document::from(&fixture("400-member-not-found.json"))),
                &Settings::default()
            )
            .unwrap()
            .contains("space_id")
    );
    assert!(
        vaiz()
            .hint(
                400,
                Some(&Document::from(&fixture("400-validation.json"))),
                &Settings::default()
            )
            .unwrap()
            .contains("recommended")
    );
    assert!(
        vaiz()
            .hint(
                400,
                Some(&Document::from(&fixture("400-invalid-signature.json"))),
                &Settings::default()
            )
            .is_none()
    );
}

#[test]
fn request_shape() {
    let secret = Secret::new("tok-1234567890abcdef");
    let r = vaiz().request(&space("s1"), &secret).unwrap();
    assert_eq!(r.method, reqwest::Method::POST);
    assert_eq!(r.path, "getProfile");
    assert_eq!(r.json_body.as_deref(), Some("{}"));
    let names: Vec<&str> = r.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["authorization", "current-space-id"]);
    assert!(r.headers[0].1.is_sensitive());
    assert_eq!(r.headers[1].1, "s1");
    let r = vaiz().request(&Settings::default(), &secret).unwrap();
    assert_eq!(r.headers.len(), 1, "no space header without a space");
}

#[test]
fn settings_and_sdk_variables() {
    assert!(vaiz().check_setting("space_id", "65f0c0ffee").is_ok());
    assert!(vaiz().check_setting("space_id", "a\nb").is_err());
    let vaiz = vaiz();
    let vars: Vec<(&str, &str)> = vaiz
        .sdk_env()
        .iter()
        .map(|v| (v.var.as_str(), v.key.as_str()))
        .collect();
    assert!(vars.contains(&("VAIZ_API_TOKEN", "token")));
    assert!(vars.contains(&("VAIZ_SPACE_ID", "space_id")));
}
