//! What an answer means for a credential: one pure function, [`classify`] (README, "Exit
//! codes").
//!
//! The definition's body rules decide first, then the shared status rules, which no
//! definition can weaken: not knowing (a firewall page, a rate limit, a server error, a body
//! that is not the provider's) is never a verdict on the credential. Nothing here redacts,
//! formats or prints: [`crate::check`] turns the outcome into a result.

use crate::jq::Document;
use crate::profile::{ErrorKind, Profile};
use crate::provider::{Definition, Settings};

/// A complete answer, as the HTTP layer (or `--input`) gives it.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    pub status: u16,
    pub content_type: Option<&'a str>,
    pub location: Option<&'a str>,
    /// A `Retry-After` came with it.
    pub retry_after: bool,
    pub body: &'a bytes::Bytes,
}

/// What the answer says about the credential.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The provider's profile: the credential works and names someone.
    Verified {
        profile: Box<Profile>,
        /// When the credential expires, when the answer says so (Unix seconds).
        expires_at: Option<i64>,
    },
    /// A rejection (a verdict) or a failure to tell, and why.
    Failed { kind: ErrorKind, why: Why },
}

/// Why an answer failed, for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The status, or a definition's body rule.
    Status,
    /// A 2xx that is not the provider's profile, or names no one.
    NotAProfile,
    /// A 401 or 403 with an HTML page: a firewall, CDN or proxy in front of the provider.
    ForeignPage,
}

/// Classifies an answer. `body` is the answer's JSON (see [`Document::parse`]), with its
/// secret fields already hollowed so that no mapping can lift one into the profile.
pub fn classify(
    provider: &Definition,
    settings: &Settings,
    answer: &Answer<'_>,
    body: Option<&Document>,
) -> Verdict {
    let status = answer.status;
    let failed = |kind, why| Verdict::Failed { kind, why };
    // A 401 or 403 page in HTML comes from whatever stands in front of the provider (a
    // firewall, a CDN, a corporate proxy's login): not knowing, never a verdict.
    if matches!(status, 401 | 403)
        && body.is_none()
        && !provider.html_rejections()
        && is_html(answer.content_type, answer.body)
    {
        return failed(ErrorKind::UnexpectedResponse, Why::ForeignPage);
    }
    if let Some(kind) = provider.rejection(status, body, settings) {
        return failed(kind, Why::Status);
    }
    let kind = match status {
        200..=299 => {
            return match body
                .and_then(|b| provider.normalize(b, settings))
                .filter(names_someone)
            {
                Some(profile) => Verdict::Verified {
                    profile: Box::new(profile),
                    expires_at: body.and_then(|b| provider.expiry(b, settings)),
                },
                None => failed(ErrorKind::UnexpectedResponse, Why::NotAProfile),
            };
        }
        300..=399 => ErrorKind::Redirect,
        401 => ErrorKind::InvalidCredential,
        403 => ErrorKind::Forbidden,
        429 => ErrorKind::RateLimited,
        503 if answer.retry_after => ErrorKind::RateLimited,
        500..=599 => ErrorKind::ServerError,
        _ => ErrorKind::UnexpectedResponse,
    };
    failed(kind, Why::Status)
}

/// Whether an answer is an HTML page: by its content type, or by its first characters when
/// the type is missing or generic.
pub fn is_html(content_type: Option<&str>, body: &[u8]) -> bool {
    if content_type.is_some_and(|ct| {
        let ct = ct.to_ascii_lowercase();
        ct.contains("text/html") || ct.contains("application/xhtml")
    }) {
        return true;
    }
    let start: Vec<u8> = body
        .iter()
        .copied()
        .skip_while(|b| b.is_ascii_whitespace() || [0xef, 0xbb, 0xbf].contains(b))
        .take(14)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    start.starts_with(b"<!doctype html")
        || start.starts_with(b"<html")
        || start.starts_with(b"<head")
}

/// A success body is an identity only when it names someone: a profile with no id, user name,
/// email or display name (an empty envelope, a different document) is not a verification.
fn names_someone(profile: &Profile) -> bool {
    profile.id.is_some()
        || profile.username.is_some()
        || profile.email.is_some()
        || profile.display_name.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ErrorKind::*;

    /// A Slack-like definition: a 200 envelope with `ok`, a body rule on 200 and one on 500.
    const DEFINITION: &str = r#"
id = "t"
base_url = "https://t.example.org"
[request]
path = "me"
auth = { header = "Authorization", scheme = "Bearer" }
[response]
success = ".ok == true"
expires_at = ".exp"
[profile]
id = ".user.id"
email = ".user.email"
[[reject]]
status = [200]
when = '.ok == false and .error == "invalid_auth"'
kind = "invalid_credential"
[[reject]]
status = [200]
when = '.ok == false and .error == "ratelimited"'
kind = "rate_limited"
[[reject]]
status = [500]
when = '.message | strings | test("Unauthenticated")'
kind = "expired"
[[reject]]
status = [404]
kind = "user_not_found"
"#;

    fn kind_of(
        d: &Definition,
        status: u16,
        content_type: &str,
        body: &str,
        retry_after: bool,
    ) -> Result<Profile, (ErrorKind, Why)> {
        let answer = Answer {
            status,
            content_type: Some(content_type),
            location: None,
            retry_after,
            body: &bytes::Bytes::copy_from_slice(body.as_bytes()),
        };
        let json = Document::parse(answer.body, &|_| false);
        match classify(d, &Settings::default(), &answer, json.as_ref()) {
            Verdict::Verified { profile, .. } => Ok(*profile),
            Verdict::Failed { kind, why } => Err((kind, why)),
        }
    }

    #[test]
    fn every_answer_shape() {
        let d = Definition::load(DEFINITION).unwrap();
        let html = "<!DOCTYPE html><title>Access denied</title>";
        let j = "application/json";
        type Row<'a> = (u16, &'a str, &'a str, bool, Result<(), (ErrorKind, Why)>);
        let table: &[Row] = &[
            (
                200,
                j,
                r#"{"ok": true, "user": {"id": "U1"}}"#,
                false,
                Ok(()),
            ),
            // A BOM before the JSON is tolerated.
            (
                200,
                j,
                "\u{feff}{\"ok\": true, \"user\": {\"id\": \"U1\"}}",
                false,
                Ok(()),
            ),
            (
                200,
                j,
                r#"{"ok": true, "user": {}}"#,
                false,
                Err((UnexpectedResponse, Why::NotAProfile)),
            ),
            (
                200,
                j,
                r#"{"ok": false, "error": "invalid_auth"}"#,
                false,
                Err((InvalidCredential, Why::Status)),
            ),
            (
                200,
                j,
                r#"{"ok": false, "error": "ratelimited"}"#,
                false,
                Err((RateLimited, Why::Status)),
            ),
            (
                200,
                j,
                r#"{"ok": false, "error": "other"}"#,
                false,
                Err((UnexpectedResponse, Why::NotAProfile)),
            ),
            (
                200,
                "text/html",
                html,
                false,
                Err((UnexpectedResponse, Why::NotAProfile)),
            ),
            (
                204,
                j,
                "",
                false,
                Err((UnexpectedResponse, Why::NotAProfile)),
            ),
            (302, "text/html", html, false, Err((Redirect, Why::Status))),
            (
                401,
                j,
                r#"{"error": "bad"}"#,
                false,
                Err((InvalidCredential, Why::Status)),
            ),
            (
                401,
                "text/html",
                html,
                false,
                Err((UnexpectedResponse, Why::ForeignPage)),
            ),
            (
                403,
                "",
                html,
                false,
                Err((UnexpectedResponse, Why::ForeignPage)),
            ),
            (
                401,
                "text/plain",
                "Unauthorized",
                false,
                Err((InvalidCredential, Why::Status)),
            ),
            (403, j, "{}", false, Err((Forbidden, Why::Status))),
            (404, j, "{}", false, Err((UserNotFound, Why::Status))),
            (400, j, "{}", false, Err((UnexpectedResponse, Why::Status))),
            (407, j, "{}", false, Err((UnexpectedResponse, Why::Status))),
            (429, j, "{}", false, Err((RateLimited, Why::Status))),
            (503, j, "{}", true, Err((RateLimited, Why::Status))),
            (503, j, "{}", false, Err((ServerError, Why::Status))),
            (
                500,
                j,
                r#"{"message": "Unauthenticated"}"#,
                false,
                Err((Expired, Why::Status)),
            ),
            (
                500,
                j,
                r#"{"message": "boom"}"#,
                false,
                Err((ServerError, Why::Status)),
            ),
            (
                500,
                "text/html",
                html,
                false,
                Err((ServerError, Why::Status)),
            ),
        ];
        for (status, ct, body, retry_after, expected) in table {
            let got = kind_of(&d, *status, ct, body, *retry_after).map(|_| ());
            assert_eq!(&got, expected, "{status} {ct} {body:?}");
        }
    }

    #[test]
    fn a_provider_may_reject_with_its_own_html() {
        let text = DEFINITION.replace("[response]", "[response]\nhtml_rejections = true");
        let d = Definition::load(&text).unwrap();
        let got = kind_of(&d, 401, "text/html", "<html>no</html>", false);
        assert_eq!(got, Err((InvalidCredential, Why::Status)));
    }

    #[test]
    fn a_verified_answer_says_when_the_credential_expires() {
        let d = Definition::load(DEFINITION).unwrap();
        let body = r#"{"ok": true, "user": {"id": "U1"}, "exp": 1893456000}"#;
        let answer = Answer {
            status: 200,
            content_type: None,
            location: None,
            retry_after: false,
            body: &bytes::Bytes::copy_from_slice(body.as_bytes()),
        };
        let json = Document::parse(answer.body, &|_| false);
        let outcome = classify(&d, &Settings::default(), &answer, json.as_ref());
        assert!(matches!(
            outcome,
            Verdict::Verified {
                expires_at: Some(1_893_456_000),
                ..
            }
        ));
    }
}
