//! ZITADEL: `GET {base}/auth/v1/users/me` with `Authorization: Bearer <token>`.
//!
//! No shared host: every instance has its own domain (`<instance>.zitadel.cloud` or a custom,
//! often self-hosted, one), so `base_url` is required. `/users/me` rather than Get My Profile
//! because personal access tokens exist only for machine users and the profile call fails for
//! them; `/users/me` answers for humans and machines alike. `--input` still accepts a saved
//! Get My Profile answer (`{details, profile}`: no id, no email).
//!
//! The gateway speaks protojson: empty fields are omitted (a `false` flag is simply absent),
//! enums are strings, `details.sequence` is a string or a number. The body holds no secret;
//! the phone number is masked by the shared rules.

use serde_json::{Map, Value};

use super::{ApiRequest, BadHeader, Provider, Settings, json};
use crate::credential::Secret;
use crate::profile::{ErrorKind, Organization, Profile};

pub struct Zitadel;

impl Provider for Zitadel {
    fn id(&self) -> &'static str {
        "zitadel"
    }

    fn name(&self) -> &'static str {
        "ZITADEL"
    }

    fn docs_url(&self) -> &'static str {
        "https://zitadel.com/docs/apis/resources/auth/auth-service-get-my-user"
    }

    fn default_base_url(&self) -> Option<&'static str> {
        None
    }

    fn auth_header(&self) -> &'static str {
        "Authorization: Bearer <token>"
    }

    fn settings(&self) -> &'static [&'static str] {
        &["org_id"]
    }

    fn check_setting(&self, key: &str, value: &str) -> Result<(), String> {
        let fits_a_header = value.chars().all(|c| c.is_ascii_graphic());
        if key == "org_id" && !fits_a_header {
            return Err(
                "org_id must be a ZITADEL organization id (e.g. 123456789012345678): \
                 no spaces or special characters"
                    .into(),
            );
        }
        Ok(())
    }

    fn secret_fields(&self) -> &'static [&'static str] {
        &[]
    }

    fn request(&self, settings: &Settings, secret: &Secret) -> Result<ApiRequest, BadHeader> {
        ApiRequest::get("auth/v1/users/me")
            .credential("authorization", "Bearer ", secret)?
            .header("x-zitadel-orgid", settings.get("org_id"))
    }

    fn rejection(&self, status: u16, body: Option<&Value>) -> Option<ErrorKind> {
        let message = body
            .and_then(|b| json::text(b, "/message"))
            .unwrap_or_default()
            .to_lowercase();
        match status {
            // Before August 2024 an expired token was a 403 (gRPC code 7) "invalid token".
            403 if message.contains("invalid token") => Some(ErrorKind::Expired),
            // A cloud regression answered a bad token with 500 (gRPC code 2) "Unauthenticated".
            500 if message.contains("unauthenticated") => Some(ErrorKind::InvalidCredential),
            _ => None,
        }
    }

    fn error_message(&self, body: &Value) -> Option<String> {
        json::text(body, "/message").or_else(|| super::generic_error_message(body))
    }

    fn normalize(&self, body: &Value, _settings: &Settings) -> Option<Profile> {
        let user_of = body.pointer("/user").filter(|u| u.is_object());
        if let Some(u) = user_of {
            // The identity is the user id: a `user` without one is not this answer.
            user(u).filter(|p| p.id.is_some())
        } else if body.pointer("/profile").is_some_and(Value::is_object) {
            Some(my_profile(body))
        } else {
            None
        }
    }
}

/// The `/users/me` shape (auth API v1: `id`, `userName`, `firstName`, `isEmailVerified`) or
/// the user API v2 shape that current SDKs return (`GetUserByID`, `/v2/users/{id}`: `userId`,
/// `username`, `givenName`, `familyName`, `isVerified`): `user` with `human` or `machine`.
fn user(user: &Value) -> Option<Profile> {
    let human = user.get("human").filter(|h| h.is_object());
    let machine = user.get("machine").filter(|m| m.is_object());
    let mut profile = match human {
        Some(human) => human_profile(human, "/profile"),
        None => Profile::default(),
    };
    profile.id = json::id(user, "/id").or_else(|| json::id(user, "/userId"));
    profile.username = json::text(user, "/userName").or_else(|| json::text(user, "/username"));
    if profile.display_name.is_none() {
        profile.display_name = json::text(user, "/machine/name");
    }
    if let Some(human) = human {
        profile.email = json::text(human, "/email/email");
        // protojson omits `false`: an email without the flag is an unverified one.
        profile.email_verified = json::flag(human, "/email/isEmailVerified")
            .or_else(|| json::flag(human, "/email/isVerified"))
            .or_else(|| profile.email.as_ref().map(|_| false));
        profile.phone = json::text(human, "/phone/phone");
    }
    details(user, &mut profile);
    let kind = match (human, machine) {
        (Some(_), _) => Some("human"),
        (None, Some(_)) => Some("machine"),
        (None, None) => None,
    };
    if let Some(kind) = kind {
        profile.extra.insert("kind".into(), kind.into());
    }
    if let Some(state) = json::any(user, "/state") {
        profile.extra.insert("state".into(), state);
    }
    if let Some(login) = json::text(user, "/preferredLoginName") {
        profile.extra.insert("login_name".into(), login.into());
    }
    Some(profile)
}

/// The Get My Profile shape, `{details, profile}`: a human's profile without id or email.
fn my_profile(body: &Value) -> Profile {
    let mut profile = human_profile(body, "/profile");
    details(body, &mut profile);
    profile.extra.insert("kind".into(), "human".into());
    profile
}

/// The fields of a `Profile` message found at `pointer` below `parent`.
fn human_profile(parent: &Value, pointer: &str) -> Profile {
    let field = |name: &str| json::text(parent, &format!("{pointer}/{name}"));
    Profile {
        display_name: field("displayName"),
        first_name: field("firstName").or_else(|| field("givenName")),
        last_name: field("lastName").or_else(|| field("familyName")),
        avatar_url: field("avatarUrl"),
        locale: field("preferredLanguage"),
        extra: Map::new(),
        ..Profile::default()
    }
}

/// `details`: creation and change dates, and the resource owner (the user's organization).
fn details(parent: &Value, profile: &mut Profile) {
    profile.created_at = json::text(parent, "/details/creationDate");
    profile.updated_at = json::text(parent, "/details/changeDate");
    profile.organizations = json::id(parent, "/details/resourceOwner")
        .map(|id| Organization {
            id: Some(id),
            name: None,
            role: None,
        })
        .into_iter()
        .collect();
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/zitadel/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn normalize(body: &Value) -> Profile {
        Zitadel.normalize(body, &Settings::default()).unwrap()
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
                Zitadel.normalize(&body, &Settings::default()).is_none(),
                "{body}"
            );
        }
        // The identity is the user id: a `user` without one is not a profile.
        assert!(
            Zitadel
                .normalize(&json!({"user": {"username": "x"}}), &Settings::default())
                .is_none()
        );
    }

    #[test]
    fn rejection_rules() {
        let expired = fixture("403-invalid-token.json");
        assert_eq!(
            Zitadel.rejection(403, Some(&expired)),
            Some(ErrorKind::Expired)
        );
        let shouting = json!({"code": 7, "message": "Invalid Token (AUTH-7fs1e)"});
        assert_eq!(
            Zitadel.rejection(403, Some(&shouting)),
            Some(ErrorKind::Expired)
        );
        let denied = json!({"code": 7, "message": "No matching permissions found (AUTH-5mWD2)"});
        assert_eq!(Zitadel.rejection(403, Some(&denied)), None);
        assert_eq!(Zitadel.rejection(403, None), None);

        let unauthenticated = fixture("500-unauthenticated.json");
        assert_eq!(
            Zitadel.rejection(500, Some(&unauthenticated)),
            Some(ErrorKind::InvalidCredential)
        );
        let internal = json!({"code": 13, "message": "internal error (QUERY-Dfbg2)"});
        assert_eq!(Zitadel.rejection(500, Some(&internal)), None);
        assert_eq!(Zitadel.rejection(500, None), None);

        let invalid = fixture("401-unauthenticated.json");
        assert_eq!(Zitadel.rejection(401, Some(&invalid)), None, "shared rule");
        assert_eq!(Zitadel.rejection(200, Some(&expired)), None);
    }

    #[test]
    fn error_message_is_the_message() {
        assert_eq!(
            Zitadel
                .error_message(&fixture("401-unauthenticated.json"))
                .as_deref(),
            Some("auth header missing or invalid (AUTH-7fs1e)")
        );
    }

    #[test]
    fn request_carries_the_org_header_when_configured() {
        let secret = Secret::new("zitadel-test-token-0123456789");
        let plain = Zitadel.request(&Settings::default(), &secret).unwrap();
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
        let scoped = Zitadel.request(&settings, &secret).unwrap();
        assert_eq!(scoped.headers[1].0.as_str(), "x-zitadel-orgid");
        assert_eq!(scoped.headers[1].1.to_str().unwrap(), "123456789");
    }

    #[test]
    fn org_id_must_fit_a_header() {
        assert!(
            Zitadel
                .check_setting("org_id", "284739201847360001")
                .is_ok()
        );
        assert!(Zitadel.check_setting("org_id", "").is_ok());
        assert!(Zitadel.check_setting("org_id", "12 34").is_err());
        assert!(Zitadel.check_setting("org_id", "12\n34").is_err());
    }
}
