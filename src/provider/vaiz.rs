//! Vaiz: `POST {base}/getProfile` with the body `{}` and `Authorization: Bearer`.
//!
//! RPC style: every call is a POST to `/<action>` below a base that includes `/v4`. The
//! `current-space-id` header scopes the call to a space (the SDK always sends it; `memberId` in
//! the answer is the membership there). A bad token is a 400 whose error body echoes the token
//! in `error.meta.token`, and the profile carries recovery codes and WebAuthn credentials: all
//! are secret fields, and only a count of the WebAuthn keys reaches the profile.

use serde_json::{Map, Value};

use super::{ApiRequest, BadHeader, Provider, SdkVar, Settings, generic_error_message, json};
use crate::credential::Secret;
use crate::profile::{ErrorKind, Organization, Profile};

pub struct Vaiz;

/// `error.code` values (and `error.meta.description` texts) that reject the credential.
const INVALID: &[&str] = &["Unauthorized", "JwtIncorrect"];
const INVALID_DESCRIPTIONS: &[&str] = &["invalid signature", "jwt malformed", "invalid token"];
const EXPIRED: &[&str] = &["JwtExpired"];
const EXPIRED_DESCRIPTIONS: &[&str] = &["jwt expired"];
const NOT_MEMBER: &[&str] = &["MemberDidNotFound"];

impl Provider for Vaiz {
    fn id(&self) -> &'static str {
        "vaiz"
    }

    fn name(&self) -> &'static str {
        "Vaiz"
    }

    fn docs_url(&self) -> &'static str {
        "https://github.com/vaizcom/vaiz-python-sdk"
    }

    fn default_base_url(&self) -> Option<&'static str> {
        Some("https://api.vaiz.com/v4")
    }

    fn auth_header(&self) -> &'static str {
        "Authorization: Bearer <token>"
    }

    fn settings(&self) -> &'static [&'static str] {
        &["space_id"]
    }

    fn check_setting(&self, key: &str, value: &str) -> Result<(), String> {
        match key {
            "space_id" if reqwest::header::HeaderValue::from_str(value).is_err() => Err(
                "a space id cannot contain control characters (it is sent as the \
                 current-space-id header)"
                    .into(),
            ),
            _ => Ok(()),
        }
    }

    fn sdk_env(&self) -> &'static [SdkVar] {
        &[
            SdkVar {
                var: "VAIZ_API_KEY",
                key: "token",
            },
            SdkVar {
                var: "VAIZ_API_TOKEN",
                key: "token",
            },
            SdkVar {
                var: "VAIZ_SPACE_ID",
                key: "space_id",
            },
            SdkVar {
                var: "VAIZ_BASE_URL",
                key: "base_url",
            },
        ]
    }

    fn secret_fields(&self) -> &'static [&'static str] {
        // `token`: error.meta.token echoes the credential. `cData` is free-form custom data
        // that the provider documents as personal data; naming it here is the only way a provider
        // can keep it out of `--raw`.
        &["recoveryCodes", "webAuthnCredentials", "token", "cData"]
    }

    fn request(&self, settings: &Settings, secret: &Secret) -> Result<ApiRequest, BadHeader> {
        ApiRequest::post_json("getProfile", "{}")
            .credential("authorization", "Bearer ", secret)?
            .header("current-space-id", settings.get("space_id"))
    }

    fn rejection(&self, status: u16, body: Option<&Value>) -> Option<ErrorKind> {
        if !matches!(status, 400 | 401 | 403) {
            return None;
        }
        let body = body?;
        let code = json::text(body, "/error/code").unwrap_or_default();
        let description = json::text(body, "/error/meta/description").unwrap_or_default();
        let code_is = |codes: &[&str]| codes.iter().any(|c| c.eq_ignore_ascii_case(&code));
        let description_is = |texts: &[&str]| {
            texts
                .iter()
                .any(|t| t.eq_ignore_ascii_case(description.trim()))
        };
        if code_is(EXPIRED) || description_is(EXPIRED_DESCRIPTIONS) {
            Some(ErrorKind::Expired)
        } else if code_is(NOT_MEMBER) {
            Some(ErrorKind::NotMember)
        } else if code_is(INVALID) || description_is(INVALID_DESCRIPTIONS) {
            Some(ErrorKind::InvalidCredential)
        } else {
            None
        }
    }

    fn hint(&self, status: u16, body: Option<&Value>) -> Option<&'static str> {
        let code = body.and_then(|b| json::text(b, "/error/code"));
        match code.as_deref() {
            Some(c) if NOT_MEMBER.iter().any(|n| n.eq_ignore_ascii_case(c)) => Some(
                "the user is not a member of the space sent in current-space-id: check the \
                 account's space_id (or VAIZ_SPACE_ID)",
            ),
            _ if status == 400 && self.rejection(status, body).is_none() => Some(
                "Vaiz calls are scoped to a space: setting space_id (or VAIZ_SPACE_ID), sent as \
                 the current-space-id header, is recommended",
            ),
            _ => None,
        }
    }

    /// `code: description` from the error envelope; never `meta.token`.
    fn error_message(&self, body: &Value) -> Option<String> {
        let code = json::text(body, "/error/code");
        let description = json::text(body, "/error/meta/description");
        match (code, description) {
            (Some(code), Some(description)) => Some(format!("{code}: {description}")),
            (Some(one), None) | (None, Some(one)) => Some(one),
            (None, None) => generic_error_message(body),
        }
    }

    fn normalize(&self, body: &Value, settings: &Settings) -> Option<Profile> {
        let p = body.pointer("/payload/profile").filter(|p| p.is_object())?;
        let webauthn = p.get("webAuthnCredentials").and_then(Value::as_array);
        let mut extra = Map::new();
        if let Some(member) = json::id(p, "/memberId") {
            extra.insert("member_id".into(), member.into());
        }
        if let Some(steps) = json::any(p, "/incompleteSteps") {
            extra.insert("incomplete_steps".into(), steps);
        }
        if let Some(keys) = webauthn {
            extra.insert("webauthn_keys".into(), keys.len().into());
        }
        Some(Profile {
            id: json::id(p, "/_id"),
            username: json::text(p, "/nickName"),
            display_name: json::text(p, "/fullName").or_else(|| json::text(p, "/nickName")),
            email: json::text(p, "/email"),
            email_verified: json::flag(p, "/isEmailConfirmed"),
            phone: json::id(p, "/phoneNumber"),
            avatar_url: json::text(p, "/avatar"),
            created_at: json::text(p, "/createdAt").or_else(|| json::text(p, "/registeredDate")),
            updated_at: json::text(p, "/updatedAt"),
            organizations: settings
                .get("space_id")
                .map(|space| Organization {
                    id: Some(space.to_string()),
                    name: None,
                    role: None,
                })
                .into_iter()
                .collect(),
            mfa: webauthn.map(|keys| !keys.is_empty()),
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
        let p = Vaiz
            .normalize(&fixture("profile.json"), &space("space-canary-42"))
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
                role: None
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
        let p = Vaiz
            .normalize(&fixture("minimal.json"), &Settings::default())
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
        let p = Vaiz.normalize(&body, &Settings::default()).unwrap();
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

        let p = Vaiz
            .normalize(
                &profile(json!({"_id": 7, "fullName": " ", "nickName": ""})),
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
                Vaiz.normalize(&body, &Settings::default()).is_none(),
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
                Vaiz.rejection(status, Some(&fixture(name))),
                expected,
                "{status} {name}"
            );
        }
        assert_eq!(
            Vaiz.rejection(401, None),
            None,
            "the shared 401 rule decides"
        );
        assert_eq!(Vaiz.rejection(400, Some(&json!("x"))), None);
    }

    #[test]
    fn error_messages_never_show_the_token() {
        let body = fixture("400-invalid-signature.json");
        let message = Vaiz.error_message(&body).unwrap();
        assert_eq!(message, "JwtIncorrect: invalid signature");
        assert_eq!(
            Vaiz.error_message(&fixture("400-member-not-found.json"))
                .as_deref(),
            Some("MemberDidNotFound")
        );
        assert_eq!(
            Vaiz.error_message(&fixture("400-signature-no-code.json"))
                .as_deref(),
            Some("invalid signature")
        );
        assert_eq!(
            Vaiz.error_message(&json!({"message": "down"})).as_deref(),
            Some("down")
        );
    }

    #[test]
    fn hints() {
        assert!(
            Vaiz.hint(400, Some(&fixture("400-member-not-found.json")))
                .unwrap()
                .contains("space_id")
        );
        assert!(
            Vaiz.hint(400, Some(&fixture("400-validation.json")))
                .unwrap()
                .contains("recommended")
        );
        assert!(
            Vaiz.hint(400, Some(&fixture("400-invalid-signature.json")))
                .is_none()
        );
    }

    #[test]
    fn request_shape() {
        let secret = Secret::new("tok-1234567890abcdef");
        let r = Vaiz.request(&space("s1"), &secret).unwrap();
        assert_eq!(r.method, reqwest::Method::POST);
        assert_eq!(r.path, "getProfile");
        assert_eq!(r.json_body, Some("{}"));
        let names: Vec<&str> = r.headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["authorization", "current-space-id"]);
        assert!(r.headers[0].1.is_sensitive());
        assert_eq!(r.headers[1].1, "s1");
        let r = Vaiz.request(&Settings::default(), &secret).unwrap();
        assert_eq!(r.headers.len(), 1, "no space header without a space");
    }

    #[test]
    fn settings_and_sdk_variables() {
        assert!(Vaiz.check_setting("space_id", "65f0c0ffee").is_ok());
        assert!(Vaiz.check_setting("space_id", "a\nb").is_err());
        let vars: Vec<(&str, &str)> = Vaiz.sdk_env().iter().map(|v| (v.var, v.key)).collect();
        assert!(vars.contains(&("VAIZ_API_TOKEN", "token")));
        assert!(vars.contains(&("VAIZ_SPACE_ID", "space_id")));
    }
}
