//! Secret and personal-data redaction, shared by every provider and every output.
//!
//! Two layers, so that no single missed path can print a credential:
//!
//! 1. **Structure.** Provider bodies (`--raw`, quoted error bodies), the normalized profile and
//!    log lines pass through a [`Redactor`] before anything renders them: secret-named keys and
//!    a provider's secret fields become `"[redacted]"`, personal data is masked, and every
//!    credential of the run is replaced wherever it is echoed (in any string, any object key,
//!    any number).
//! 2. **Bytes out.** Everything written to stdout and stderr goes through a [`Scrub`] writer that
//!    replaces every credential of the run once more, on the final text (see `src/out.rs`).
//!
//! A credential is found in the forms a server or a terminal can plausibly produce: as sent,
//! in any letter case (a URL parser lower-cases a host), percent-encoded in either hex case
//! (and over-encoded: `%61` for `a`), as HTML character references (`&#97;`, `&#x61;`, `&amp;`),
//! and with invisible characters inside it (control characters, escape sequences, zero-width
//! and bidirectional marks) that a terminal would not show, so the echo is redacted as the
//! reader would see it, not only as the exact byte sequence.

use std::ops::Range;
use std::sync::{Arc, LazyLock, RwLock};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde_json::Value;

use crate::sanitize;

pub const REDACTED: &str = "[redacted]";

/// The shortest credential that can be redacted without erasing ordinary text; shorter ones
/// are refused before anything is sent.
pub const MIN_SECRET_LEN: usize = 4;

/// Fragments of a normalized key name (lower case, letters and digits only: `apiKey`,
/// `api-key` and `API_KEY` are all `apikey`) that mark a secret in any provider body.
const SECRET_KEY_PARTS: &[&str] = &[
    "token",
    "secret",
    "password",
    "passwd",
    "passphrase",
    "recovery",
    "credential",
    "apikey",
    "privatekey",
    "authorization",
    "cookie",
];

/// Fragments of a normalized key name that mark personal data, masked unless `--show-pii`.
const PII_KEY_PARTS: &[&str] = &["phone", "mobile", "smsnumber", "nationalid", "nationalcode"];

/// Every credential of one run, prepared once into one case-insensitive multi-pattern matcher.
#[derive(Debug, Default)]
pub struct Secrets {
    matcher: Option<AhoCorasick>,
}

impl Secrets {
    /// Prepares the matcher. Values shorter than [`MIN_SECRET_LEN`] are ignored (they are
    /// refused before any request), as are empty ones.
    pub fn new<'a>(values: impl IntoIterator<Item = &'a str>) -> Secrets {
        let mut patterns: Vec<String> = Vec::new();
        for value in values {
            if value.chars().count() < MIN_SECRET_LEN {
                continue;
            }
            patterns.push(value.to_string());
            if value.trim() != value && value.trim().chars().count() >= MIN_SECRET_LEN {
                patterns.push(value.trim().to_string());
            }
            // Form encoding turns a space into `+`, and form decoding a `+` into a space.
            if value.contains(' ') {
                patterns.push(value.replace(' ', "+"));
            }
            if value.contains('+') {
                patterns.push(value.replace('+', " "));
            }
        }
        patterns.sort();
        patterns.dedup();
        let matcher = (!patterns.is_empty())
            .then(|| {
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&patterns)
                    .ok()
            })
            .flatten();
        Secrets { matcher }
    }

    pub fn is_empty(&self) -> bool {
        self.matcher.is_none()
    }

    /// `text` with every credential replaced, or `None` when there is none (no allocation).
    pub fn replace(&self, text: &str) -> Option<String> {
        let matcher = self.matcher.as_ref()?;
        let mut ranges: Vec<Range<usize>> = matcher
            .find_iter(text.as_bytes())
            .map(|m| m.range())
            .collect();
        // The bytes as sent and the text as seen can differ both ways (an ESC before an echo
        // swallows its first letter on screen but not in JSON): both are redacted.
        if needs_projection(text) {
            ranges = merge(ranges, projected_matches(matcher, text));
        }
        if ranges.is_empty() {
            return None;
        }
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for range in ranges {
            out.push_str(&text[last..range.start]);
            out.push_str(REDACTED);
            last = range.end;
        }
        out.push_str(&text[last..]);
        Some(out)
    }

    /// `text` with every credential replaced.
    pub fn text(&self, text: &str) -> String {
        self.replace(text).unwrap_or_else(|| text.to_string())
    }
}

/// The run's credentials, for the output layer: set once they are resolved, before anything is
/// sent, so that every byte printed afterwards is scrubbed of all of them.
static RUN: RwLock<Option<Arc<Secrets>>> = RwLock::new(None);

/// Makes `secrets` the run's credentials for every output written from now on.
pub fn register(secrets: Arc<Secrets>) {
    if let Ok(mut run) = RUN.write() {
        *run = Some(secrets);
    }
}

/// The run's credentials (none until [`register`]).
pub fn run_secrets() -> Option<Arc<Secrets>> {
    RUN.read().ok().and_then(|run| run.clone())
}

/// The union of two sorted lists of ranges, sorted, overlapping ones joined.
fn merge(a: Vec<Range<usize>>, b: Vec<Range<usize>>) -> Vec<Range<usize>> {
    let mut all: Vec<Range<usize>> = a.into_iter().chain(b).collect();
    all.sort_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(all.len());
    for range in all {
        match out.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => out.push(range),
        }
    }
    out
}

/// Bytes that make a text need the slow path: escapes and encodings a credential can hide in,
/// and every non-ASCII byte (C1 controls, zero-width and bidirectional marks are not ASCII).
fn needs_projection(text: &str) -> bool {
    text.bytes()
        .any(|b| matches!(b, b'%' | b'&' | b'\\') || !(0x20..0x7f).contains(&b))
}

/// Matches on the text as a reader sees it: invisible characters and escape sequences
/// skipped, percent-escapes and HTML character references decoded. Each projected byte
/// remembers the source range it came from, so a match maps back to the exact source span
/// (invisible characters inside it included).
fn projected_matches(matcher: &AhoCorasick, text: &str) -> Vec<Range<usize>> {
    let mut bytes: Vec<u8> = Vec::with_capacity(text.len());
    let mut spans: Vec<Range<usize>> = Vec::with_capacity(text.len());
    let src = text.as_bytes();
    let mut i = 0;
    while i < src.len() {
        let (len, decoded) = step(text, i);
        match decoded {
            Decoded::Skip => {}
            Decoded::Byte(b) => {
                bytes.push(b);
                spans.push(i..i + len);
            }
            Decoded::Char(c) => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    bytes.push(b);
                    spans.push(i..i + len);
                }
            }
            Decoded::Same => {
                for k in 0..len {
                    bytes.push(src[i + k]);
                    spans.push(i..i + len);
                }
            }
        }
        i += len;
    }
    let found = matcher
        .find_iter(&bytes)
        .map(|m| spans[m.start()].start..spans[m.end() - 1].end)
        .collect();
    merge(Vec::new(), found)
}

enum Decoded {
    /// Invisible: not part of what a reader sees.
    Skip,
    /// An escape that stands for one byte (`%2D`).
    Byte(u8),
    /// A character reference that stands for one character (`&#97;`).
    Char(char),
    /// Itself.
    Same,
}

/// The length of the source unit at `i` and what it stands for.
fn step(text: &str, i: usize) -> (usize, Decoded) {
    let src = text.as_bytes();
    let rest = &text[i..];
    let Some(c) = rest.chars().next() else {
        return (1, Decoded::Skip);
    };
    match c {
        '\u{1b}' | '\u{9b}' | '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => {
            (sanitize::escape_len(rest), Decoded::Skip)
        }
        '%' => match hex_byte(src, i + 1) {
            // `%25` + two hex digits: encoded twice.
            Some(b'%') => match hex_byte(src, i + 3) {
                Some(b) => (5, Decoded::Byte(b)),
                None => (3, Decoded::Byte(b'%')),
            },
            Some(b) => (3, Decoded::Byte(b)),
            None => (1, Decoded::Same),
        },
        // JSON escapes in a body that is not valid JSON (truncated, JSONP, sent as text):
        // `\/` (PHP writes every `/` so), `\"`, `\\`, and `\u0054`.
        '\\' if matches!(src.get(i + 1), Some(b'/' | b'"' | b'\\')) => {
            (2, Decoded::Byte(src[i + 1]))
        }
        '\\' if src.get(i + 1) == Some(&b'u') => {
            match (hex_byte(src, i + 2), hex_byte(src, i + 4)) {
                (Some(hi), Some(lo)) => match char::from_u32(u32::from(hi) << 8 | u32::from(lo)) {
                    Some(c) => (6, Decoded::Char(c)),
                    None => (1, Decoded::Same),
                },
                _ => (1, Decoded::Same),
            }
        }
        '&' => match char_reference(rest) {
            Some((len, decoded)) => (len, Decoded::Char(decoded)),
            None => (1, Decoded::Same),
        },
        c if sanitize::is_invisible(c) => (c.len_utf8(), Decoded::Skip),
        c => (c.len_utf8(), Decoded::Same),
    }
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// The byte written as two hex digits at `at`.
fn hex_byte(src: &[u8], at: usize) -> Option<u8> {
    Some(hex(*src.get(at)?)? * 16 + hex(*src.get(at + 1)?)?)
}

/// An HTML character reference at the start of `rest`: `&#97;`, `&#x61;` or a named one.
fn char_reference(rest: &str) -> Option<(usize, char)> {
    let end = rest.bytes().take(12).position(|b| b == b';')?;
    let body = &rest[1..end];
    let decoded = if let Some(hex) = body.strip_prefix("#x").or(body.strip_prefix("#X")) {
        char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
    } else if let Some(dec) = body.strip_prefix('#') {
        char::from_u32(dec.parse().ok()?)?
    } else {
        match body {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "plus" => '+',
            "sol" => '/',
            "equals" => '=',
            "colon" => ':',
            "period" => '.',
            "lowbar" => '_',
            "dash" | "hyphen" => '-',
            _ => return None,
        }
    };
    Some((end + 1, decoded))
}

/// Redaction rules for one account: the provider's named secret fields and pointers, the
/// run's credentials, and whether personal data may be shown.
#[derive(Debug, Clone, Copy)]
pub struct Redactor<'a> {
    pub secret_fields: &'a [String],
    /// JSON pointers (RFC 6901) to redact, for providers defined in the config.
    pub secret_pointers: &'a [String],
    pub secrets: &'a Secrets,
    pub show_pii: bool,
}

impl<'a> Redactor<'a> {
    /// Redacts a JSON body in place.
    pub fn value(&self, value: &mut Value) {
        self.pointers(value);
        self.walk(value);
    }

    /// Redacts only the secret pointers.
    fn pointers(&self, value: &mut Value) {
        for pointer in self.secret_pointers {
            if let Some(target) = value.pointer_mut(pointer) {
                *target = Value::String(REDACTED.into());
            }
        }
    }

    /// These rules for text that is not a provider body (the normalized profile): the same
    /// keys and credentials, but no pointers, which address the provider's body only.
    pub fn without_pointers(&self) -> Redactor<'a> {
        Redactor {
            secret_pointers: &[],
            ..*self
        }
    }

    fn walk(&self, value: &mut Value) {
        match value {
            Value::Object(map) => {
                // A server may use the credential as a key (`{"<token>": ["is invalid"]}`).
                if map.keys().any(|k| self.secrets.replace(k).is_some()) {
                    let entries = std::mem::take(map);
                    // Keys that redact alike are numbered (`[redacted]`, `[redacted] 2`, …);
                    // the count only grows, so a body of many such keys stays linear.
                    let mut count = 1;
                    for (key, child) in entries {
                        let key = match self.secrets.replace(&key) {
                            Some(mut redacted) => {
                                if map.contains_key(&redacted) {
                                    while map.contains_key(&format!("{redacted} {count}")) {
                                        count += 1;
                                    }
                                    redacted = format!("{redacted} {count}");
                                }
                                redacted
                            }
                            None => key,
                        };
                        map.insert(key, child);
                    }
                }
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
                if let Some(replaced) = self.secrets.replace(s) {
                    *s = replaced;
                }
            }
            // A numeric credential (a PIN, a bot id) echoed as a JSON number.
            Value::Number(n) => {
                if let Some(replaced) = self.secrets.replace(&n.to_string()) {
                    *value = Value::String(replaced);
                }
            }
            Value::Bool(_) | Value::Null => {}
        }
    }

    /// Redacts a URL: every credential wherever it appears, and the value of any query
    /// parameter whose name says it holds a secret (`?access_token=…`, `?api_key=…`).
    pub fn url(&self, text: &str) -> String {
        let Ok(mut url) = url::Url::parse(text) else {
            return self.text(text);
        };
        if url.query().is_some() {
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(k, v)| {
                    let v = if self.is_secret_key(&k) {
                        REDACTED.to_string()
                    } else {
                        v.into_owned()
                    };
                    (k.into_owned(), v)
                })
                .collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
        // Both the URL as parsed (host lower-cased, escapes normalized) and as sent are
        // redacted: the matcher sees through case and percent-encoding.
        self.text(url.as_str())
    }

    /// Redacts free text (a non-JSON body, a header, a message): every credential.
    pub fn text(&self, text: &str) -> String {
        self.secrets.text(text)
    }

    /// Whether a key (or a header name) names a secret, in any spelling.
    pub fn is_secret_key(&self, key: &str) -> bool {
        is_secret_field(key, self.secret_fields)
    }

    /// Whether a key (or a header name) names personal data that is masked.
    pub fn masks(&self, key: &str) -> bool {
        !self.show_pii && is_pii_key(key)
    }
}

/// `apiKey`, `api-key`, `API_KEY` → `apikey`: key rules match every spelling.
fn normalized(key: &str) -> impl Iterator<Item = u8> + '_ {
    key.bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.to_ascii_lowercase())
}

/// Whether a key's normalized spelling contains one of `parts` (a matcher built once). Every
/// key of every body passes here: a key of up to 64 letters is normalized on the stack.
fn names(parts: &AhoCorasick, key: &str) -> bool {
    let mut buffer = [0u8; 64];
    let mut length = 0;
    for b in normalized(key) {
        if length == buffer.len() {
            return parts.is_match(&normalized(key).collect::<Vec<u8>>());
        }
        buffer[length] = b;
        length += 1;
    }
    parts.is_match(&buffer[..length])
}

/// Whether a key names a secret by the shared rule or is one of a definition's own secret
/// fields (`response.secrets`), in any spelling.
pub fn is_secret_field(key: &str, fields: &[String]) -> bool {
    is_secret_key(key)
        || fields
            .iter()
            .any(|field| normalized(field).eq(normalized(key)))
}

/// Whether a key names a secret by the shared rule, in any spelling.
pub fn is_secret_key(key: &str) -> bool {
    static PARTS: LazyLock<AhoCorasick> = LazyLock::new(|| matcher(SECRET_KEY_PARTS));
    names(&PARTS, key)
}

fn is_pii_key(key: &str) -> bool {
    static PARTS: LazyLock<AhoCorasick> = LazyLock::new(|| matcher(PII_KEY_PARTS));
    names(&PARTS, key)
}

fn matcher(parts: &[&str]) -> AhoCorasick {
    AhoCorasick::new(parts).expect("fixed, valid patterns")
}

/// A configured URL as listings show it (`accounts`, `providers`): secret query values
/// redacted. No credential is resolved there, so only the key rule applies.
pub fn shown_url(text: &str) -> String {
    let none = Secrets::default();
    let redactor = Redactor {
        secret_fields: &[],
        secret_pointers: &[],
        secrets: &none,
        show_pii: true,
    };
    sanitize::terminal(&redactor.url(text))
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

/// A writer that replaces every credential of the run in what passes through it, line by
/// line (a credential never spans a line: it travels in an HTTP header). The last partial
/// line is written on flush and on drop.
pub struct Scrub<W: std::io::Write> {
    inner: W,
    pending: Vec<u8>,
    secrets: Option<Arc<Secrets>>,
}

impl<W: std::io::Write> Scrub<W> {
    pub fn new(inner: W) -> Scrub<W> {
        Scrub {
            inner,
            pending: Vec::new(),
            secrets: run_secrets().filter(|s| !s.is_empty()),
        }
    }

    fn emit(&mut self, upto: usize) -> std::io::Result<()> {
        let chunk: Vec<u8> = self.pending.drain(..upto).collect();
        match &self.secrets {
            Some(secrets) => {
                let text = String::from_utf8_lossy(&chunk);
                match secrets.replace(&text) {
                    Some(clean) => self.inner.write_all(clean.as_bytes()),
                    None => self.inner.write_all(&chunk),
                }
            }
            None => self.inner.write_all(&chunk),
        }
    }
}

impl<W: std::io::Write> std::io::Write for Scrub<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // Only the new bytes are searched: a serializer writes a long line in many small
        // pieces, and searching the whole pending line each time would be quadratic.
        let before = self.pending.len();
        self.pending.extend_from_slice(buf);
        if let Some(nl) = buf.iter().rposition(|&b| b == b'\n') {
            self.emit(before + nl + 1)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let all = self.pending.len();
        self.emit(all)?;
        self.inner.flush()
    }
}

impl<W: std::io::Write> Drop for Scrub<W> {
    fn drop(&mut self) {
        if !self.pending.is_empty() {
            let _ = std::io::Write::flush(self);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn secrets() -> Secrets {
        Secrets::new(["canary-credential-123", "other-account-key-9"])
    }

    static FIELDS: std::sync::LazyLock<[String; 1]> =
        std::sync::LazyLock::new(|| ["hmac_identifier".to_string()]);
    static POINTERS: std::sync::LazyLock<[String; 1]> =
        std::sync::LazyLock::new(|| ["/nested/0/plain".to_string()]);

    fn redactor(secrets: &Secrets) -> Redactor<'_> {
        Redactor {
            secret_fields: &*FIELDS,
            secret_pointers: &*POINTERS,
            secrets,
            show_pii: false,
        }
    }

    #[test]
    fn redacts_secret_keys_named_fields_and_echoes() {
        let s = secrets();
        let mut body = json!({
            "access_token": "abc",
            "pubsub_token": {"nested": "x"},
            "hmac_identifier": "h",
            "hmacIdentifier": "h2",
            "recoveryCodes": [{"code": "1"}],
            "webAuthnCredentials": [1, 2],
            "API_KEY": "k",
            "apiKey": "k",
            "api-key": "k",
            "privateKey": "k",
            "private_key": "k",
            "clientSecret": "k",
            "name": "Ada",
            "error": {"meta": {"description": "bad canary-credential-123 here"}},
            "nested": [{"plain": "by pointer", "other": "kept"}],
        });
        redactor(&s).value(&mut body);
        for key in [
            "access_token",
            "pubsub_token",
            "hmac_identifier",
            "hmacIdentifier",
            "recoveryCodes",
            "webAuthnCredentials",
            "API_KEY",
            "apiKey",
            "api-key",
            "privateKey",
            "private_key",
            "clientSecret",
        ] {
            assert_eq!(body[key], REDACTED, "{key}");
        }
        assert_eq!(body["name"], "Ada");
        assert_eq!(body["nested"][0]["plain"], REDACTED);
        assert_eq!(body["nested"][0]["other"], "kept");
        assert_eq!(body["error"]["meta"]["description"], "bad [redacted] here");
    }

    #[test]
    fn masks_personal_data_but_not_flags() {
        let s = secrets();
        let mut body = json!({
            "mobile": "09121234567",
            "national_id": 1234567890u64,
            "nationalId": "1234567890",
            "phoneNumber": "+4915112345678",
            "is_mobile_verified": true,
            "phone": {"phone": "+4915112345678", "isPhoneVerified": false},
        });
        redactor(&s).value(&mut body);
        assert_eq!(body["mobile"], "••••4567");
        assert_eq!(body["national_id"], "••••7890");
        assert_eq!(body["nationalId"], "••••7890");
        assert_eq!(body["phoneNumber"], "••••5678");
        assert_eq!(body["is_mobile_verified"], true);
        assert_eq!(body["phone"]["phone"], "••••5678");
        assert_eq!(body["phone"]["isPhoneVerified"], false);

        let mut shown = json!({"mobile": "09121234567"});
        Redactor {
            show_pii: true,
            ..redactor(&s)
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
    fn keys_numbers_and_every_account_are_redacted() {
        let s = Secrets::new(["canary-credential-123", "98765432"]);
        let mut body = json!({
            "canary-credential-123": ["is invalid"],
            "pin": 98765432,
            "other": 1,
            "list": [{"Bearer canary-credential-123": true}],
        });
        redactor(&s).value(&mut body);
        let text = body.to_string();
        assert!(!text.contains("canary-credential"), "{text}");
        assert!(!text.contains("98765432"), "{text}");
        assert_eq!(body["[redacted]"], json!(["is invalid"]));
        assert_eq!(body["other"], 1);
    }

    #[test]
    fn every_plausible_echo_is_found() {
        let token = "abc/def+ghi=JKL==-xyz";
        let s = Secrets::new([token]);
        let encoded: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
        for echoed in [
            format!("raw {token} end"),
            format!("t={encoded}&x"),
            format!("t={}", encoded.to_lowercase()),
            "t=%61bc%2Fdef%2Bghi%3DJKL%3D%3D%2D%78yz".to_string(),
            format!("host {}", token.to_lowercase()),
            format!(
                "<p>{}</p>",
                token.replace('/', "&#x2F;").replace('=', "&#61;")
            ),
            format!("amp {}", "abc/def+ghi=JKL==-xyz".replace('+', "&#43;")),
            // Invisible characters inside the echo: a terminal shows the whole token.
            format!("{}\u{7}{}", &token[..3], &token[3..]),
            format!("{}\u{0}{}", &token[..3], &token[3..]),
            format!("{}\u{85}{}", &token[..3], &token[3..]),
            format!("{}\u{1b}[0m{}", &token[..3], &token[3..]),
            format!("{}\u{1b}]0;t\u{7}{}", &token[..3], &token[3..]),
            format!("{}\u{200b}{}\u{202e}", &token[..3], &token[3..]),
            "t=%2561bc%252Fdef%252Bghi%253DJKL%253D%253D-xyz".to_string(),
            format!("broken json \\u0061{}", &token[1..]),
            format!("php json {}", token.replace('/', "\\/")),
            format!("decoded {}", token.replace('+', " ")),
        ] {
            let shown = s.text(&echoed);
            assert!(shown.contains(REDACTED), "{echoed:?} → {shown:?}");
            let visible: String = sanitize::terminal(&shown);
            assert!(
                !visible.to_lowercase().contains("ghi=jkl"),
                "{echoed:?} → {shown:?}"
            );
            assert!(!shown.contains("ghi"), "{echoed:?} → {shown:?}");
        }
        assert_eq!(s.replace("nothing to see here"), None);
        assert_eq!(s.replace("50% off & more"), None);
    }

    proptest::proptest! {
        /// Whatever surrounds an echo and whatever invisible characters are spliced into it,
        /// no form of the credential survives, as bytes or as a terminal shows them.
        #[test]
        fn no_echo_survives(
            before in ".{0,20}",
            after in ".{0,20}",
            cuts in proptest::collection::vec((0usize..21, "[\\x00-\\x1f\\x7f-\\x9f\\u{200b}\\u{202e}\\u{2066}\\u{feff}]"), 0..4),
            upper in proptest::bool::ANY,
        ) {
            let token = "Zq7-token_value.42xY";
            let s = Secrets::new([token]);
            let mut echo = if upper { token.to_ascii_uppercase() } else { token.to_string() };
            let mut cuts = cuts;
            cuts.sort_by_key(|c| std::cmp::Reverse(c.0));
            for (at, invisible) in cuts {
                echo.insert_str(at.min(echo.len()), &invisible);
            }
            let text = format!("{before}{echo}{after}");
            let shown = s.text(&text);
            let visible = crate::sanitize::terminal(&shown).to_ascii_lowercase();
            proptest::prop_assert!(!visible.contains("zq7-token_value.42xy"), "{text:?} → {shown:?}");
            proptest::prop_assert!(!shown.to_ascii_lowercase().contains("zq7-token_value.42xy"));
        }
    }

    #[test]
    fn short_values_are_not_patterns() {
        let s = Secrets::new(["abc", ""]);
        assert!(s.is_empty());
        assert_eq!(s.replace("abc"), None);
    }

    #[test]
    fn urls_lose_secret_query_values() {
        let s = secrets();
        let r = redactor(&s);
        let shown = r.url("https://x.test/u?access_token=STATIC123&page=2&X-Api-Key=K9");
        assert!(
            !shown.contains("STATIC123") && !shown.contains("K9"),
            "{shown}"
        );
        assert!(shown.contains("page=2"), "{shown}");
        assert_eq!(r.url("https://x.test/plain"), "https://x.test/plain");
        let host = r.url("https://CANARY-CREDENTIAL-123.example/");
        assert!(!host.contains("canary"), "{host}");
    }

    #[test]
    fn scrub_writer_replaces_across_writes() {
        use std::io::Write;
        register(Arc::new(Secrets::new(["scrub-me-please-42"])));
        let mut out = Vec::new();
        {
            let mut w = Scrub::new(&mut out);
            w.write_all(b"first scrub-me-").unwrap();
            w.write_all(b"please-42 line\nsecond SCRUB-ME-PLEASE-42")
                .unwrap();
        }
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "first [redacted] line\nsecond [redacted]");
    }
}
