//! Secret and personal-data redaction of provider bodies, shared by every provider (SPEC §7).
//!
//! Provider responses carry secrets too: Chatwoot returns the user's own access token, Vaiz
//! its recovery codes and, in a 400, the very token it was sent. Every body is passed through
//! [`Redactor::value`] or [`Redactor::text`] before anything renders it (`--raw`, quoted error
//! bodies, logs). Our own schema carries no secret, so it needs no pass.

use serde_json::Value;

pub const REDACTED: &str = "[redacted]";

/// Key fragments that mark a secret in any provider body, matched case-insensitively.
const SECRET_KEY_PARTS: &[&str] = &[
    "token",
    "secret",
    "password",
    "recovery",
    "credential",
    "api_key",
];

/// Key fragments that mark personal data to mask unless `--show-pii`.
const PII_KEY_PARTS: &[&str] = &["phone", "mobile", "national_id"];

/// Redaction rules for one account: the provider's named secret fields, the credential that
/// was sent (wherever it is echoed), and whether personal data may be shown.
#[derive(Debug, Clone, Copy)]
pub struct Redactor<'a> {
    pub secret_fields: &'a [&'a str],
    /// JSON pointers (RFC 6901) to redact, for providers defined in the config.
    pub secret_pointers: &'a [&'a str],
    pub credential: Option<&'a str>,
    pub show_pii: bool,
}

impl<'a> Redactor<'a> {
    /// Redacts a JSON body in place.
    pub fn value(&self, value: &mut Value) {
        self.pointers(value);
        self.walk(value);
    }

    /// Redacts only the secret pointers. A body is passed through this before a provider
    /// defined in the config maps it, so no mapping can lift a secret into the profile.
    pub fn pointers(&self, value: &mut Value) {
        for pointer in self.secret_pointers {
            if let Some(target) = value.pointer_mut(pointer) {
                *target = Value::String(REDACTED.into());
            }
        }
    }

    /// These rules for text that is not a provider body (the normalized profile): the same
    /// keys and credential, but no pointers, which address the provider's body only.
    pub fn without_pointers(&self) -> Redactor<'a> {
        Redactor {
            secret_pointers: &[],
            ..*self
        }
    }

    fn walk(&self, value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (key, child) in map.iter_mut() {
                    if self.is_secret_key(key) {
                        *child = Value::String(REDACTED.into());
                    } else if !self.show_pii && is_pii_key(key) {
                        mask_value(child);
                        self.walk(child);
                    } else {
                        self.walk(child);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| self.walk(item)),
            Value::String(s) => {
                if let Some(replaced) = self.replace_credential(s) {
                    *s = replaced;
                }
            }
            _ => {}
        }
    }

    /// Redacts a URL: the credential wherever it appears, and the value of any query
    /// parameter whose name says it holds a secret (`?access_token=…`, `?api_key=…`).
    pub fn url(&self, text: &str) -> String {
        let Ok(mut url) = url::Url::parse(text) else {
            return self.text(text);
        };
        if url.query().is_some() {
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(k, v)| {
                    let secret = self.is_secret_key(&k.replace('-', "_"));
                    let v = if secret {
                        REDACTED.to_string()
                    } else {
                        v.into_owned()
                    };
                    (k.into_owned(), v)
                })
                .collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
        self.text(url.as_str())
    }

    /// Redacts free text (a non-JSON body, a header value): the credential string itself.
    pub fn text(&self, text: &str) -> String {
        self.replace_credential(text)
            .unwrap_or_else(|| text.to_string())
    }

    /// Replaces the credential, and its URL-encoded forms (a server may echo it in a query
    /// string or a redirect target), with `[redacted]`.
    fn replace_credential(&self, text: &str) -> Option<String> {
        let credential = self.credential.filter(|c| c.len() >= 4)?;
        let encoded: String = url::form_urlencoded::byte_serialize(credential.as_bytes()).collect();
        let mut forms = vec![credential.to_string()];
        if encoded != credential {
            forms.push(lowercase_escapes(&encoded));
            forms.push(encoded.replace('+', "%20"));
            forms.push(encoded);
        }
        let mut out: Option<String> = None;
        for form in &forms {
            let current = out.as_deref().unwrap_or(text);
            if current.contains(form.as_str()) {
                out = Some(current.replace(form.as_str(), REDACTED));
            }
        }
        out
    }

    /// Whether a key (or a header name in snake case) names a secret.
    pub fn is_secret_key(&self, key: &str) -> bool {
        let lower = key.to_ascii_lowercase();
        SECRET_KEY_PARTS.iter().any(|part| lower.contains(part))
            || self
                .secret_fields
                .iter()
                .any(|field| field.eq_ignore_ascii_case(key))
    }
}

/// A configured URL as listings show it (`accounts`, `providers`): secret query values
/// redacted. No credential is known there, so only the key rule applies.
pub fn shown_url(text: &str) -> String {
    let redactor = Redactor {
        secret_fields: &[],
        secret_pointers: &[],
        credential: None,
        show_pii: true,
    };
    crate::sanitize::terminal(&redactor.url(text))
}

/// `%2F` → `%2f`: some encoders write lower-case hex.
fn lowercase_escapes(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut rest = encoded;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let escape = rest.get(i..i + 3).unwrap_or(&rest[i..]);
        out.push_str(&escape.to_ascii_lowercase());
        rest = &rest[i + escape.len()..];
    }
    out.push_str(rest);
    out
}

fn is_pii_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    PII_KEY_PARTS.iter().any(|part| lower.contains(part))
}

/// Masks strings and numbers below a personal-data key, leaving booleans such as
/// `is_mobile_verified` readable.
fn mask_value(value: &mut Value) {
    match value {
        Value::String(s) => *s = mask(s),
        Value::Number(n) => *value = Value::String(mask(&n.to_string())),
        Value::Array(items) => items.iter_mut().for_each(mask_value),
        Value::Object(map) => map.values_mut().for_each(mask_value),
        Value::Bool(_) | Value::Null => {}
    }
}

/// `••••` and the last four characters; `••••` alone for four characters or fewer.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= 4 {
        "••••".to_string()
    } else {
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("••••{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const R: Redactor<'static> = Redactor {
        secret_fields: &["hmac_identifier"],
        secret_pointers: &["/nested/0/plain"],
        credential: Some("canary-credential-123"),
        show_pii: false,
    };

    #[test]
    fn redacts_secret_keys_named_fields_and_echoes() {
        let mut body = json!({
            "access_token": "abc",
            "pubsub_token": {"nested": "x"},
            "hmac_identifier": "h",
            "recoveryCodes": [{"code": "1"}],
            "webAuthnCredentials": [1, 2],
            "API_KEY": "k",
            "name": "Ada",
            "error": {"meta": {"description": "bad canary-credential-123 here"}},
            "nested": [{"plain": "by pointer", "other": "kept"}],
        });
        R.value(&mut body);
        assert_eq!(body["access_token"], REDACTED);
        assert_eq!(body["pubsub_token"], REDACTED);
        assert_eq!(body["hmac_identifier"], REDACTED);
        assert_eq!(body["recoveryCodes"], REDACTED);
        assert_eq!(body["webAuthnCredentials"], REDACTED);
        assert_eq!(body["API_KEY"], REDACTED);
        assert_eq!(body["name"], "Ada");
        assert_eq!(body["nested"][0]["plain"], REDACTED);
        assert_eq!(body["nested"][0]["other"], "kept");
        assert_eq!(body["error"]["meta"]["description"], "bad [redacted] here");
    }

    #[test]
    fn masks_personal_data_but_not_flags() {
        let mut body = json!({
            "mobile": "09121234567",
            "national_id": 1234567890u64,
            "is_mobile_verified": true,
            "phone": {"phone": "+4915112345678", "isPhoneVerified": false},
            "pin": "12",
        });
        R.value(&mut body);
        assert_eq!(body["mobile"], "••••4567");
        assert_eq!(body["national_id"], "••••7890");
        assert_eq!(body["is_mobile_verified"], true);
        assert_eq!(body["phone"]["phone"], "••••5678");
        assert_eq!(body["phone"]["isPhoneVerified"], false);

        let mut shown = json!({"mobile": "09121234567"});
        Redactor {
            show_pii: true,
            ..R
        }
        .value(&mut shown);
        assert_eq!(shown["mobile"], "09121234567");
    }

    #[test]
    fn masks_short_values_entirely() {
        assert_eq!(mask("123"), "••••");
        assert_eq!(mask("1234"), "••••");
        assert_eq!(mask("12345"), "••••2345");
    }

    #[test]
    fn url_encoded_echoes_are_redacted_too() {
        let r = Redactor {
            credential: Some("abc/def+ghi=jkl=="),
            ..R
        };
        for echoed in [
            "t=abc%2Fdef%2Bghi%3Djkl%3D%3D",
            "t=abc%2fdef%2bghi%3djkl%3d%3d",
            "raw abc/def+ghi=jkl==",
        ] {
            let shown = r.text(echoed);
            assert!(shown.contains(REDACTED), "{echoed} → {shown}");
            assert!(!shown.contains("ghi"), "{echoed} → {shown}");
        }
    }

    #[test]
    fn urls_lose_secret_query_values() {
        let shown = R.url("https://x.test/u?access_token=STATIC123&page=2&X-Api-Key=K9");
        assert!(
            !shown.contains("STATIC123") && !shown.contains("K9"),
            "{shown}"
        );
        assert!(shown.contains("page=2"), "{shown}");
        assert_eq!(R.url("https://x.test/plain"), "https://x.test/plain");
    }

    #[test]
    fn text_replaces_the_credential() {
        assert_eq!(R.text("token canary-credential-123!"), "token [redacted]!");
        assert_eq!(R.text("nothing"), "nothing");
    }
}
