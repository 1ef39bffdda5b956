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

use std::collections::{HashMap, HashSet};
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
                    let mut count = 2;
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

    /// A JSON body redacted as [`Redactor::value`] redacts it, written as compact JSON text
    /// straight from its bytes, in the body's own key order: no tree of the body is built, so
    /// the copy costs its size, not the many times its size a tree costs. `None` when the
    /// body is not JSON.
    pub fn json_text(&self, json: &[u8]) -> Option<String> {
        let mut text = Text {
            out: Vec::with_capacity(json.len()),
            redactor: self,
            pointers: self
                .secret_pointers
                .iter()
                .filter_map(|p| pointer_tokens(p))
                .collect(),
            path: Vec::new(),
        };
        let mut de = serde_json::Deserializer::from_slice(json);
        serde::de::DeserializeSeed::deserialize(
            Redacting {
                text: &mut text,
                masked: false,
            },
            &mut de,
        )
        .ok()?;
        de.end().ok()?;
        // Only whole strings, numbers and JSON punctuation were written.
        String::from_utf8(text.out).ok()
    }
}

/// The tokens of an RFC 6901 pointer (`/a~1b/0` → `a/b`, `0`); `None` when it is not one.
pub(crate) fn pointer_tokens(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// The output of [`Redactor::json_text`] and where in the body it is.
struct Text<'r> {
    out: Vec<u8>,
    redactor: &'r Redactor<'r>,
    /// The secret pointers, as tokens.
    pointers: Vec<Vec<String>>,
    /// The keys and indexes down to the value being read, kept only when there are pointers.
    path: Vec<String>,
}

impl Text<'_> {
    fn string(&mut self, s: &str) {
        // Writing a string into a vector cannot fail.
        let _ = serde_json::to_writer(&mut self.out, s);
    }

    /// A string or a number's text as `walk` leaves it: masked below a personal-data key, and
    /// every credential in it replaced.
    fn leaf(&mut self, s: &str, masked: bool) {
        let masked = masked.then(|| mask(s));
        let s = masked.as_deref().unwrap_or(s);
        match self.redactor.secrets.replace(s) {
            Some(replaced) => self.string(&replaced),
            None => self.string(s),
        }
    }

    fn number(&mut self, n: serde_json::Number, masked: bool) {
        let text = n.to_string();
        if masked || self.redactor.secrets.replace(&text).is_some() {
            self.leaf(&text, masked);
        } else {
            self.out.extend_from_slice(text.as_bytes());
        }
    }

    fn at_pointer(&self) -> bool {
        self.pointers.contains(&self.path)
    }

    fn tracks(&self) -> bool {
        !self.pointers.is_empty()
    }
}

/// Reads one value of the body and writes it redacted.
struct Redacting<'t, 'r> {
    text: &'t mut Text<'r>,
    /// Below a personal-data key.
    masked: bool,
}

impl<'de> serde::de::DeserializeSeed<'de> for Redacting<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if self.text.tracks() && self.text.at_pointer() {
            <serde::de::IgnoredAny as serde::Deserialize>::deserialize(d)?;
            self.text.string(REDACTED);
            return Ok(());
        }
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Redacting<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.text.out.extend_from_slice(b"null");
        Ok(())
    }

    fn visit_bool<E>(self, b: bool) -> Result<(), E> {
        let b: &[u8] = if b { b"true" } else { b"false" };
        self.text.out.extend_from_slice(b);
        Ok(())
    }

    fn visit_u64<E>(self, n: u64) -> Result<(), E> {
        self.text.number(n.into(), self.masked);
        Ok(())
    }

    fn visit_i64<E>(self, n: i64) -> Result<(), E> {
        self.text.number(n.into(), self.masked);
        Ok(())
    }

    fn visit_f64<E>(self, n: f64) -> Result<(), E> {
        // JSON text has no NaN or infinity; a tree would hold `null` for one.
        match serde_json::Number::from_f64(n) {
            Some(n) => self.text.number(n, self.masked),
            None => self.text.out.extend_from_slice(b"null"),
        }
        Ok(())
    }

    fn visit_str<E>(self, s: &str) -> Result<(), E> {
        self.text.leaf(s, self.masked);
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut items: A) -> Result<(), A::Error> {
        let Redacting { text, masked } = self;
        text.out.push(b'[');
        let mut index = 0usize;
        loop {
            if text.tracks() {
                text.path.push(index.to_string());
            }
            let more = items.next_element_seed(Item {
                value: Redacting {
                    text: &mut *text,
                    masked,
                },
                first: index == 0,
            })?;
            if text.tracks() {
                text.path.pop();
            }
            if more.is_none() {
                break;
            }
            index += 1;
        }
        text.out.push(b']');
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut entries: A) -> Result<(), A::Error> {
        let Redacting { text, masked } = self;
        let redactor = text.redactor;
        text.out.push(b'{');
        // The names given so far to keys that held a credential, and the number each name
        // goes on from: keys that redact alike are numbered (see `walk`), and however many
        // there are (a body may repeat one key), each is named in constant time.
        let mut renamed: HashSet<String> = HashSet::new();
        let mut next: HashMap<String, usize> = HashMap::new();
        let mut first = true;
        while let Some(key) = entries.next_key_seed(Key)? {
            if !first {
                text.out.push(b',');
            }
            first = false;
            let shown = match redactor.secrets.replace(&key) {
                Some(name) => {
                    let mut unique = name.clone();
                    if renamed.contains(&unique) {
                        let count = next.entry(name.clone()).or_insert(2);
                        while renamed.contains(&format!("{name} {count}")) {
                            *count += 1;
                        }
                        unique = format!("{name} {count}");
                        *count += 1;
                    }
                    renamed.insert(unique.clone());
                    std::borrow::Cow::Owned(unique)
                }
                None => std::borrow::Cow::Borrowed(&*key),
            };
            text.string(&shown);
            text.out.push(b':');
            if text.tracks() {
                text.path.push(key.to_string());
            }
            if (text.tracks() && text.at_pointer()) || redactor.is_secret_key(&shown) {
                entries.next_value::<serde::de::IgnoredAny>()?;
                text.string(REDACTED);
            } else {
                let masked = masked || redactor.masks(&shown);
                entries.next_value_seed(Redacting {
                    text: &mut *text,
                    masked,
                })?;
            }
            if text.tracks() {
                text.path.pop();
            }
        }
        text.out.push(b'}');
        Ok(())
    }
}

/// An array item: the comma before all but the first.
struct Item<'t, 'r> {
    value: Redacting<'t, 'r>,
    first: bool,
}

impl<'de> serde::de::DeserializeSeed<'de> for Item<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if !self.first {
            self.value.text.out.push(b',');
        }
        self.value.deserialize(d)
    }
}

/// An object key, borrowed from the body when it has no escapes.
struct Key;

impl<'de> serde::de::DeserializeSeed<'de> for Key {
    type Value = std::borrow::Cow<'de, str>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Key {
    type Value = std::borrow::Cow<'de, str>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Borrowed(s))
    }

    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Owned(s.to_string()))
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

/// The key rules' matchers, built together on first use: that is while a body is being read
/// (every key is tested), before the heap is full of a parsed body's freed pieces, which a
/// large allocation would first have to sort through.
static KEY_PARTS: LazyLock<[AhoCorasick; 2]> =
    LazyLock::new(|| [matcher(SECRET_KEY_PARTS), matcher(PII_KEY_PARTS)]);

/// Whether a key names a secret by the shared rule, in any spelling.
pub fn is_secret_key(key: &str) -> bool {
    names(&KEY_PARTS[0], key)
}

fn is_pii_key(key: &str) -> bool {
    names(&KEY_PARTS[1], key)
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
/// line (a credential never spans a line: it travels in an HTTP header), each line on its own
/// however many arrive together. The last partial line is written on flush and on drop.
pub struct Scrub<W: std::io::Write> {
    inner: W,
    pending: Vec<u8>,
    secrets: Option<Arc<Secrets>>,
    /// Bytes gathered before whole lines are passed on: 0 passes each line on as it ends.
    hold: usize,
}

impl<W: std::io::Write> Scrub<W> {
    /// Passes each line on as soon as it ends (for an unbuffered stream a person watches).
    pub fn new(inner: W) -> Scrub<W> {
        Scrub {
            inner,
            pending: Vec::new(),
            secrets: run_secrets().filter(|s| !s.is_empty()),
            hold: 0,
        }
    }

    /// Gathers a few kilobytes before passing whole lines on, for a buffered `inner` that
    /// holds its text until a flush anyway: a serializer writes a line in many small pieces,
    /// and scrubbing each line on its own costs more than writing it (a fifth of a
    /// 250 000-organization JSON output).
    pub fn buffered(inner: W) -> Scrub<W> {
        let mut scrub = Scrub::new(inner);
        scrub.hold = 8 * 1024;
        scrub
    }

    /// Writes the first `upto` pending bytes (whole lines), scrubbed.
    fn emit(&mut self, upto: usize) -> std::io::Result<()> {
        let Scrub {
            inner,
            pending,
            secrets,
            ..
        } = self;
        let written = write_scrubbed(inner, &pending[..upto], secrets.as_deref());
        pending.drain(..upto);
        // A long line once is not kept for the rest of the run.
        if pending.capacity() > 64 * 1024 && pending.len() < 16 * 1024 {
            pending.shrink_to(16 * 1024);
        }
        written
    }
}

/// `chunk` (whole lines) written with every credential of `secrets` replaced, a line at a
/// time: what one line holds (an escape left open, a line break a match would take) never
/// changes what is found in the next.
fn write_scrubbed(
    inner: &mut impl std::io::Write,
    chunk: &[u8],
    secrets: Option<&Secrets>,
) -> std::io::Result<()> {
    let Some(secrets) = secrets else {
        return inner.write_all(chunk);
    };
    for line in chunk.split_inclusive(|&b| b == b'\n') {
        // Searched without its line break (a credential holds none), which would otherwise
        // have the line searched a second time as a reader sees it.
        let (text, end) = match line.strip_suffix(b"\n") {
            Some(text) => (text, "\n"),
            None => (line, ""),
        };
        match secrets.replace(&String::from_utf8_lossy(text)) {
            Some(clean) => inner.write_all((clean + end).as_bytes())?,
            None => inner.write_all(line)?,
        }
    }
    Ok(())
}

impl<W: std::io::Write> std::io::Write for Scrub<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.pending.len() + buf.len() < self.hold {
            self.pending.extend_from_slice(buf);
            return Ok(buf.len());
        }
        // Only the new bytes are searched: a serializer writes a long line in many small
        // pieces, and searching the whole pending line each time would be quadratic.
        let Some(nl) = buf.iter().rposition(|&b| b == b'\n') else {
            self.pending.extend_from_slice(buf);
            return Ok(buf.len());
        };
        // Whole lines that arrive whole are written from where they are, not copied first.
        if self.pending.is_empty() {
            write_scrubbed(&mut self.inner, &buf[..=nl], self.secrets.as_deref())?;
        } else {
            let before = self.pending.len();
            self.pending.extend_from_slice(&buf[..=nl]);
            self.emit(before + nl + 1)?;
        }
        self.pending.extend_from_slice(&buf[nl + 1..]);
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

    /// Lines that arrive together are scrubbed each on its own, as if written one by one: an
    /// escape left open on one line does not hide an encoded credential on the next, and a
    /// match never takes a line break.
    #[test]
    fn lines_written_together_scrub_as_lines_written_alone() {
        use std::io::Write;
        let secrets = Arc::new(Secrets::new(["tok/en+42=xyz-secret"]));
        let inputs = [
            "x\x1b]\nnext tok%2Fen%2B42%3Dxyz-secret here\n",
            "split tok/en+42\n=xyz-secret\n",
            "a tok/en+42=xyz-secret\nb t\u{200b}ok/en+42=xyz-secret\nplain\n",
        ];
        for input in inputs {
            let mut alone = Vec::new();
            {
                let mut w = Scrub::new(&mut alone);
                w.secrets = Some(secrets.clone());
                for line in input.split_inclusive('\n') {
                    w.write_all(line.as_bytes()).unwrap();
                }
            }
            for buffered in [false, true] {
                let mut together = Vec::new();
                {
                    let mut w = match buffered {
                        true => Scrub::buffered(&mut together),
                        false => Scrub::new(&mut together),
                    };
                    w.secrets = Some(secrets.clone());
                    w.write_all(input.as_bytes()).unwrap();
                }
                assert_eq!(together, alone, "{input:?}");
            }
            let alone = String::from_utf8(alone).unwrap();
            assert_eq!(alone.lines().count(), input.lines().count(), "{alone:?}");
        }
        // The first and the last hold a credential each line would find on its own.
        let mut out = Vec::new();
        {
            let mut w = Scrub::buffered(&mut out);
            w.secrets = Some(secrets.clone());
            w.write_all(inputs[0].as_bytes()).unwrap();
            w.write_all(inputs[2].as_bytes()).unwrap();
        }
        let out = String::from_utf8(out).unwrap();
        assert!(!out.contains("xyz-secret"), "{out:?}");
    }

    /// A buffered scrubber passes nothing on before its hold fills or it is flushed, then
    /// replaces a credential whatever the pieces it came in, across the hold's edge too.
    #[test]
    fn buffered_scrub_writer_holds_then_replaces() {
        use std::io::Write;
        let mut out = Vec::new();
        let mut w = Scrub::buffered(&mut out);
        // Set here rather than registered: the run's credentials are shared by every test.
        w.secrets = Some(Arc::new(Secrets::new(["held-secret-value-77"])));
        w.write_all(b"a held-secret-").unwrap();
        w.write_all(b"value-77 line\n").unwrap();
        assert!(w.inner.is_empty(), "passed on before the hold filled");
        let filler = "x".repeat(100);
        for _ in 0..200 {
            w.write_all(filler.as_bytes()).unwrap();
            w.write_all(b" held-").unwrap();
            w.write_all(b"secret-value-77\n").unwrap();
        }
        assert!(
            !w.inner.is_empty(),
            "nothing passed on once the hold filled"
        );
        w.write_all(b"last held-secret-value-77").unwrap();
        w.flush().unwrap();
        drop(w);
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains("held-secret"), "{text}");
        assert_eq!(text.matches("[redacted]").count(), 202);
        assert!(text.starts_with("a [redacted] line\n") && text.ends_with("last [redacted]"));
    }

    /// The text copy of a body and the tree copy redact alike: compared as values, for bodies
    /// that exercise every rule (keys, personal data, pointers, echoes in strings, keys and
    /// numbers, escapes, depth).
    #[test]
    fn text_copy_redacts_as_the_tree_does() {
        let s = Secrets::new(["canary-credential-123", "98765432"]);
        let bodies = [
            json!({
                "access_token": "abc",
                "pubsub_token": {"nested": "x"},
                "hmacIdentifier": "h2",
                "name": "Ada canary-credential-123",
                "mobile": "+98 912 000 1234",
                "contact": {"phone": [98765432, "0912 555 6789", true, null, {"apiKey": 1}]},
                "nested": [{"plain": "by pointer", "other": "kept"}, {"plain": "kept"}],
                "canary-credential-123": ["is invalid"],
                "pin": 98765432,
                "ratio": 1.5e300,
                "neg": -3,
                "big": 18446744073709551615u64,
                "esc\"aped\u{7}": "tab\there \u{202e} é",
                "deep": [[[[{"secret": 1, "ok": [[]]}]]]],
                "empty": {},
            }),
            json!([1, "canary-credential-123", {"nested": [{"plain": 2}]}]),
            json!("just canary-credential-123"),
            json!(98765432),
            json!(null),
        ];
        for body in bodies {
            let mut tree = body.clone();
            redactor(&s).value(&mut tree);
            let text = redactor(&s)
                .json_text(body.to_string().as_bytes())
                .expect("JSON in, JSON out");
            let read: Value = serde_json::from_str(&text).expect("valid JSON");
            assert_eq!(read, tree, "{text}");
            assert!(!text.contains("canary-credential"), "{text}");
            assert!(!text.contains("98765432"), "{text}");
        }
    }

    #[test]
    fn text_copy_keeps_the_order_and_refuses_what_is_not_json() {
        let s = secrets();
        let r = redactor(&s);
        assert_eq!(
            r.json_text(br#" {"z": 1, "a": {"y": [true, false], "b": null}, "password": [1,2]} "#)
                .as_deref(),
            Some(r#"{"z":1,"a":{"y":[true,false],"b":null},"password":"[redacted]"}"#)
        );
        // A key repeated many times is numbered in linear time.
        let many = format!(
            "{{{}}}",
            vec![r#""canary-credential-123":0"#; 20_000].join(",")
        );
        let text = r.json_text(many.as_bytes()).unwrap();
        assert!(
            text.contains(r#""[redacted] 20000":0"#),
            "{:.100}",
            &text[text.len() - 100..]
        );
        // Keys that redact alike are numbered in the order they come.
        assert_eq!(
            r.json_text(br#"{"canary-credential-123": 1, "CANARY-credential-123": 2}"#)
                .as_deref(),
            Some(r#"{"[redacted]":1,"[redacted] 2":2}"#)
        );
        for bad in [&b"{\"a\": 1"[..], b"{\"a\": 1} x", b"<html>", b"", b"\xff"] {
            assert_eq!(r.json_text(bad), None, "{}", String::from_utf8_lossy(bad));
        }
        // A pointer to the whole document, and pointers that are not pointers.
        let whole = [String::new(), "nested".to_string()];
        let r = Redactor {
            secret_pointers: &whole,
            ..r
        };
        assert_eq!(
            r.json_text(br#"{"a": 1}"#).as_deref(),
            Some(r#""[redacted]""#)
        );
    }
}
