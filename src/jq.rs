//! jq programs, compiled once and run many times, through the maintained `jaq` crates.
//!
//! Provider definitions map a body to a profile with jq expressions; this module is the one
//! place that knows the engine. A program sees the body as `.` and the account's settings as
//! `$settings`. Running never fails loudly: a definition's mapping is lenient by design (a
//! provider that drops a field still verified the identity), so an error or an empty output
//! reads as `null`.
//!
//! Compiling is the expensive part (the standard library is compiled with every program), so
//! all the expressions of one definition are compiled together, as one program that runs the
//! expression its `$__expr` variable selects; a body is converted once and read many times.

use jaq_core::load::lex::StrPart;
use jaq_core::load::parse::{BinaryOp, Def, Pattern, Term};
use jaq_core::load::{Arena, File, Loader};
use jaq_core::path::Part;
use jaq_core::{Compiler, Ctx, Vars, data};
use std::borrow::Cow;
use std::rc::Rc;

use bytes::{Bytes, BytesMut};
use jaq_json::{Num, Val};
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::redact::REDACTED;

type Data = data::JustLut<Val>;
type Filter = jaq_core::compile::Filter<jaq_core::Native<Data>>;

/// The global variables of every program, in the order they are bound. `$root` is the whole
/// document: `.` itself, except for a list read a batch at a time ([`Document::each_batch`]).
/// `$__each` is true for a program run on one batch of such a list.
const GLOBALS: &[&str] = &["$settings", "$__expr", "$root", "$__each"];

/// Several jq expressions compiled as one program.
pub struct Programs {
    filter: Filter,
}

impl std::fmt::Debug for Programs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Programs")
    }
}

/// A JSON document as programs read it: parsed once, then read by every expression of a
/// definition (the success test, each field, the rules).
pub struct Document {
    body: Val,
    /// The list taken out of it ([`Document::parse_listing`]).
    list: Option<List>,
}

/// A top-level list taken out of a document, read a batch at a time by
/// [`Document::each_batch`].
enum List {
    /// Kept as text, each item parsed only when read: a list of 250 000 objects costs its
    /// text, not the engine's values for all of them at once.
    Text {
        /// The body the list is part of (not a copy of it).
        text: Bytes,
        /// Each item's place in `text`: from, to.
        items: Vec<(u32, u32)>,
    },
    /// Parsed with the rest (a smaller body: finding the items' ends first would cost more
    /// time than the memory it saves).
    Values(Vec<Val>),
}

/// A document with an account's settings (`$settings`), for one round of programs.
pub struct Input<'d> {
    body: &'d Val,
    settings: Val,
    /// `$root`, when it is not `body`.
    root: Option<&'d Val>,
}

impl Document {
    /// Parses a provider's body straight into the engine's values, in one pass and without a
    /// second copy (a byte-order mark before it is tolerated). Strings that are empty or only
    /// white space become `null` on the way (see `src/provider/definition.rs`), and whatever is
    /// below a key for which `secret` holds is hollowed as it is read, keeping its shape (an
    /// expression may count WebAuthn keys): its strings, numbers and keys become
    /// `[redacted]`, so no mapping can lift a secret into the profile. `None` when the body is
    /// not JSON.
    pub fn parse(json: &[u8], secret: &dyn Fn(&str) -> bool) -> Option<Document> {
        Document::parse_listing(&Bytes::copy_from_slice(json), secret, None, false)
    }

    /// [`Document::parse`], with the array at top-level key `list` (when the body is an object
    /// that has one; the last, when the key is there twice) taken out of the document (an
    /// empty array in its place, whatever the body's size) to be read a batch at a time by
    /// [`Document::each_batch`]: kept as text when `as_text`, else parsed with the rest. An
    /// item that would not parse as part of the whole body fails the parse either way.
    ///
    /// Strings without escapes are not copied: each is a piece of `json` (which stays alive
    /// as long as one of them does), as is the list kept as text.
    pub fn parse_listing(
        json: &Bytes,
        secret: &dyn Fn(&str) -> bool,
        list: Option<&str>,
        as_text: bool,
    ) -> Option<Document> {
        let json = match json.starts_with(b"\xef\xbb\xbf") {
            true => json.slice(3..),
            false => json.clone(),
        };
        let mut builder = Builder::new(secret);
        builder.defer = list;
        builder.as_text = as_text;
        builder.source = json.clone();
        let mut de = serde_json::Deserializer::from_slice(&json);
        let body = Node {
            builder: &mut builder,
            hollow: false,
            top: true,
        }
        .deserialize(&mut de)
        .ok()?;
        de.end().ok()?;
        Some(Document {
            body,
            list: builder.list.take(),
        })
    }

    /// Whether a list was taken out ([`Document::parse_listing`]).
    pub fn has_list(&self) -> bool {
        self.list.is_some()
    }

    /// Hands `each` the items of the list taken out ([`Document::parse_listing`]), a batch at a
    /// time as an array (with this document as `$root` and `$__each` true). An item kept as
    /// text is parsed (its secrets hollowed by `secret`) only for its batch, and released with
    /// it. A
    /// batch, not an item, per run: starting a program costs more than mapping an item.
    /// `each` returns whether to go on (a program's error ends the list, as it ends the
    /// outputs of one run).
    pub fn each_batch(
        &self,
        settings: &Value,
        secret: &dyn Fn(&str) -> bool,
        mut each: impl FnMut(&Input<'_>) -> bool,
    ) {
        /// Items per batch: a few hundred small values at a time.
        const BATCH: usize = 256;
        let Some(list) = &self.list else {
            return;
        };
        let mut builder = Builder::new(secret);
        let settings = builder.value(settings);
        if let List::Text { text, .. } = list {
            builder.source = text.clone();
        }
        let mut run = |batch: Vec<Val>| {
            let batch = Val::Arr(Rc::new(batch));
            each(&Input {
                body: &batch,
                settings: settings.clone(),
                root: Some(&self.body),
            })
        };
        match list {
            List::Values(items) => {
                for batch in items.chunks(BATCH) {
                    if !run(batch.to_vec()) {
                        return;
                    }
                }
            }
            List::Text { text, items } => {
                for places in items.chunks(BATCH) {
                    let mut batch = Vec::with_capacity(places.len());
                    for &(from, to) in places {
                        let item = &text[from as usize..to as usize];
                        let mut de = serde_json::Deserializer::from_slice(item);
                        let node = Node {
                            builder: &mut builder,
                            hollow: false,
                            top: false,
                        };
                        // Checked when the list was found (`Check`): an item always parses.
                        if let Ok(item) = node.deserialize(&mut de) {
                            batch.push(item);
                        }
                    }
                    if !run(batch) {
                        return;
                    }
                }
            }
        }
    }

    /// A document already parsed (a body redacted for a message, a test's literal), read the
    /// same way: blank strings as `null`.
    pub fn from_value(value: &Value) -> Document {
        let mut builder = Builder::new(&|_| false);
        Document {
            body: builder.value(value),
            list: None,
        }
    }

    /// A JSON document converted as it is (for `--jq` on whoami's own output: nothing is read
    /// as `null` that was not).
    pub fn exact(json: &[u8]) -> Option<Document> {
        // Within the parser's depth limit: a document nested deeper (a raw answer at the
        // limit, a level or two down here; an `extra` built deep) is refused, not a crash.
        let mut de = serde_json::Deserializer::from_slice(json);
        let body = Val::deserialize(&mut de).ok()?;
        de.end().ok()?;
        Some(Document { body, list: None })
    }

    /// Replaces the value a JSON pointer (RFC 6901) addresses, when there is one, by `with`.
    pub fn replace(&mut self, pointer: &str, with: &str) {
        let Some(tokens) = crate::redact::pointer_tokens(pointer) else {
            return;
        };
        let mut target = &mut self.body;
        for token in tokens {
            target = match target {
                Val::Obj(map) => match Rc::make_mut(map).get_mut(&Val::utf8_str(token)) {
                    Some(child) => child,
                    None => return,
                },
                Val::Arr(items) => match token.parse::<usize>().ok().filter(|_| {
                    !token.starts_with('+') && (token == "0" || !token.starts_with('0'))
                }) {
                    Some(i) if i < items.len() => &mut Rc::make_mut(items)[i],
                    _ => return,
                },
                _ => return,
            };
        }
        *target = Val::utf8_str(with.to_string());
    }

    /// This document with `settings` as `$settings`.
    pub fn input(&self, settings: &Value) -> Input<'_> {
        Input {
            body: &self.body,
            settings: Builder::new(&|_| false).value(settings),
            root: None,
        }
    }
}

impl From<&Value> for Document {
    fn from(value: &Value) -> Document {
        Document::from_value(value)
    }
}

impl Programs {
    /// Compiles `expressions` together. On an error, the index of the first expression that
    /// does not compile, and what is wrong with it (with a character offset).
    pub fn compile(expressions: &[&str]) -> Result<Programs, (usize, String)> {
        let mut code = String::new();
        for (i, expression) in expressions.iter().enumerate() {
            let keyword = if i == 0 { "if" } else { "elif" };
            code += &format!("{keyword} $__expr == {i} then (\n{expression}\n) ");
        }
        code += if expressions.is_empty() {
            "empty"
        } else {
            "else empty end"
        };
        match compile(&code) {
            Ok(filter) => Ok(Programs { filter }),
            // Only on an error: compiled one by one to name the culprit and the place.
            Err(combined) => Err(expressions
                .iter()
                .enumerate()
                .find_map(|(i, e)| compile(e).err().map(|error| (i, error)))
                .unwrap_or((0, combined))),
        }
    }

    /// Hands every output of expression `index` on `input` to `each` as it comes (an infinite
    /// stream prints as it goes, like jq); an error ends the outputs with its message.
    pub fn each<E>(
        &self,
        index: usize,
        input: &Input<'_>,
        mut each: impl FnMut(Result<Value, String>) -> Result<(), E>,
    ) -> Result<(), E> {
        for out in self.run(index, input) {
            match out {
                Ok(v) => each(Ok(to_value(&v)))?,
                Err(e) => return each(Err(e)),
            }
        }
        Ok(())
    }

    /// Every item of expression `index`'s outputs, in order: an array output gives its
    /// elements one by one, any other output itself; an error ends them. A list is read an
    /// item at a time, so the whole of a large one never exists twice.
    /// `false` when an error ended them.
    pub fn items(&self, index: usize, input: &Input<'_>, mut each: impl FnMut(Item<'_>)) -> bool {
        for out in self.run(index, input) {
            match out {
                Ok(Val::Arr(items)) => items.iter().for_each(|item| each(Item(item))),
                Ok(other) => each(Item(&other)),
                Err(_) => return false,
            }
        }
        true
    }

    /// The first output of expression `index` on `input`, or `None` when it has none or fails.
    pub fn first(&self, index: usize, input: &Input<'_>) -> Option<Value> {
        let out = self.run(index, input).next()?.ok()?;
        Some(to_value(&out))
    }

    fn run<'p>(
        &'p self,
        index: usize,
        input: &Input<'_>,
    ) -> impl Iterator<Item = Result<Val, String>> + 'p {
        let root = input.root.unwrap_or(input.body).clone();
        let each = Val::Bool(input.root.is_some());
        let vars = Vars::new([input.settings.clone(), Val::from(index), root, each]);
        let ctx = Ctx::<Data>::new(&self.filter.lut, vars);
        self.filter.id.run((ctx, input.body.clone())).map(outcome)
    }

    /// Whether expression `index`, run as the mapping of a list read a batch at a time
    /// (`$__each`), reads like a mapping of one item: it fails on an empty batch but not on an
    /// empty object (`{id, name}`, `.name`), where a batch mapping (`.[] | …`) fails on
    /// neither, and one that fails for another reason (what it binds first) fails on both.
    /// The error on the batch, when so.
    pub fn maps_one_item(&self, index: usize, settings: &Value) -> Option<String> {
        let settings = Builder::new(&|_| false).value(settings);
        let root = Val::obj(std::iter::empty().collect());
        let error = |body: &Val| {
            let input = Input {
                body,
                settings: settings.clone(),
                root: Some(&root),
            };
            self.run(index, &input).find_map(Result::err)
        };
        let on_batch = error(&Val::Arr(Rc::new(Vec::new())))?;
        error(&root).is_none().then_some(on_batch)
    }

    /// Whether expression `index`'s first output is truthy (neither `null` nor `false`).
    pub fn holds(&self, index: usize, input: &Input<'_>) -> bool {
        !matches!(
            self.first(index, input),
            None | Some(Value::Null) | Some(Value::Bool(false))
        )
    }
}

/// One item of [`Programs::items`], read a field at a time: an object of a long list is never
/// converted whole (a JSON object per item costs far more than the fields it gives).
pub struct Item<'v>(&'v Val);

impl<'v> Item<'v> {
    pub fn is_object(&self) -> bool {
        matches!(self.0, Val::Obj(_))
    }

    /// An object's field; `None` when absent or when this is not an object.
    pub fn field(&self, key: &str) -> Option<Item<'v>> {
        match self.0 {
            Val::Obj(map) => map
                .iter()
                .find(|(k, _)| matches!(k, Val::TStr(b) if &b[..] == key.as_bytes()))
                .map(|(_, v)| Item(v)),
            _ => None,
        }
    }

    /// A string's text, read where it lies when it is UTF-8 (as it is from a JSON body).
    pub fn text(&self) -> Option<Cow<'v, str>> {
        match self.0 {
            Val::TStr(b) | Val::BStr(b) => Some(String::from_utf8_lossy(b)),
            _ => None,
        }
    }

    /// A number in its JSON form.
    pub fn number(&self) -> Option<String> {
        match self.0 {
            Val::Num(_) => match to_value(self.0) {
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            },
            _ => None,
        }
    }

    /// An array's items; `None` when this is not an array.
    pub fn items(&self) -> Option<impl Iterator<Item = Item<'v>> + use<'v>> {
        match self.0 {
            Val::Arr(items) => Some(items.iter().map(Item)),
            _ => None,
        }
    }
}

/// An output or its error. Never exits the process (jaq's own `unwrap_valr` does on `halt`;
/// `halt` is not offered anyway, see [`FORBIDDEN`]).
fn outcome(value: jaq_core::ValX<Val>) -> Result<Val, String> {
    value.map_err(|e| match e.get_err() {
        Ok(error) => error.to_string(),
        Err(_) => "the expression halted".to_string(),
    })
}

/// Functions a definition or `--jq` may not call: they would read the environment (where
/// credentials live), end the process, read other input or write past the redaction.
const FORBIDDEN: &[&str] = &[
    "env",
    "halt",
    "halt_error",
    "input",
    "inputs",
    "debug",
    "debug_empty",
    "stderr",
    "stderr_empty",
    "input_filename",
];

/// jq's definitions that jaq's standard library lacks.
const PRELUDE: &str = "def IN(s): any(s == .; .); def IN(src; s): any(src == s; .); ";

/// How many distinct keys a parse remembers the secret rule's answer for: a body of many
/// distinct keys costs the rule each time past these, not memory.
const KEYS_REMEMBERED: usize = 1024;

/// Builds the engine's values. jaq's strings are `bytes::Bytes`: a string as it is in the
/// text being parsed (no escapes) is a piece of that text, shared rather than copied; any
/// other is copied into a shared buffer as it comes, each string a frozen piece of it (`split`
/// then `freeze`): one allocation per string for jaq's box and one per chunk of text.
struct Builder<'a> {
    /// The text being parsed, when it is shared (empty otherwise).
    source: Bytes,
    text: BytesMut,
    secret: &'a dyn Fn(&str) -> bool,
    /// What `secret` said of each key met so far (a body repeats its few keys in every item
    /// of its lists), up to [`KEYS_REMEMBERED`] of them.
    secret_keys: std::collections::HashMap<Box<str>, bool>,
    /// The top-level key whose array is taken out, whether it is kept as text, and the list
    /// once found.
    defer: Option<&'a str>,
    as_text: bool,
    list: Option<List>,
}

impl<'a> Builder<'a> {
    fn new(secret: &'a dyn Fn(&str) -> bool) -> Builder<'a> {
        /// Text per allocation (a full chunk is followed by one of the same size, or one that
        /// fits a longer string).
        const CHUNK: usize = 4 * 1024;
        Builder {
            source: Bytes::new(),
            text: BytesMut::with_capacity(CHUNK),
            secret,
            secret_keys: std::collections::HashMap::new(),
            defer: None,
            as_text: false,
            list: None,
        }
    }

    /// Whether `key` names a secret.
    fn is_secret(&mut self, key: &str) -> bool {
        if let Some(&secret) = self.secret_keys.get(key) {
            return secret;
        }
        let secret = (self.secret)(key);
        if self.secret_keys.len() < KEYS_REMEMBERED {
            self.secret_keys.insert(key.into(), secret);
        }
        secret
    }

    fn string(&mut self, text: &str) -> Val {
        self.text.extend_from_slice(text.as_bytes());
        Val::TStr(Box::new(self.text.split().freeze()))
    }

    /// A string the parser found in the source as it is: a piece of the source, when it is
    /// one, else a copy.
    fn shared(&mut self, text: &str) -> Val {
        let from = self.source.as_ptr() as usize;
        let at = text.as_ptr() as usize;
        match at >= from && at + text.len() <= from + self.source.len() {
            true => Val::TStr(Box::new(self.source.slice_ref(text.as_bytes()))),
            false => self.string(text),
        }
    }

    /// [`Builder::text`] of a string found in the source as it is.
    fn shared_text(&mut self, text: &str) -> Val {
        match text.trim().is_empty() {
            true => Val::Null,
            false => self.shared(text),
        }
    }

    /// A text value: `null` when blank.
    fn text(&mut self, text: &str) -> Val {
        if text.trim().is_empty() {
            Val::Null
        } else {
            self.string(text)
        }
    }

    /// A value already parsed, its strings (keys included) through [`Builder::text`].
    fn value(&mut self, value: &Value) -> Val {
        match value {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => number(n),
            Value::String(s) => self.text(s),
            Value::Array(items) => items.iter().map(|v| self.value(v)).collect(),
            Value::Object(map) => Val::obj(
                map.iter()
                    .map(|(k, v)| (self.string(k), self.value(v)))
                    .collect(),
            ),
        }
    }
}

fn number(n: &serde_json::Number) -> Val {
    match (n.as_i64(), n.as_u64(), n.as_f64()) {
        (Some(i), _, _) => Val::Num(Num::from_integral(i)),
        // Above i64: keep the digits (jaq reads them as a big integer).
        (None, Some(u), _) => Val::Num(Num::from_integral(u)),
        (None, None, Some(f)) => Val::from(f),
        (None, None, None) => Val::Null,
    }
}

/// One JSON value being parsed; `hollow` below a secret key; `top` for the document itself.
struct Node<'b, 'a> {
    builder: &'b mut Builder<'a>,
    hollow: bool,
    top: bool,
}

impl Node<'_, '_> {
    fn redacted(&mut self) -> Val {
        self.builder.string(REDACTED)
    }
}

impl<'de> DeserializeSeed<'de> for Node<'_, '_> {
    type Value = Val;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Val, D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_, '_> {
    type Value = Val;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Val, E> {
        Ok(Val::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Val, E> {
        Ok(Val::Bool(b))
    }

    fn visit_i64<E>(mut self, n: i64) -> Result<Val, E> {
        Ok(match self.hollow {
            true => self.redacted(),
            false => Val::Num(Num::from_integral(n)),
        })
    }

    fn visit_u64<E>(mut self, n: u64) -> Result<Val, E> {
        Ok(match self.hollow {
            true => self.redacted(),
            false => Val::Num(Num::from_integral(n)),
        })
    }

    fn visit_f64<E>(mut self, n: f64) -> Result<Val, E> {
        Ok(match self.hollow {
            true => self.redacted(),
            false => Val::from(n),
        })
    }

    fn visit_str<E>(mut self, text: &str) -> Result<Val, E> {
        Ok(match self.hollow {
            true => self.redacted(),
            false => self.builder.text(text),
        })
    }

    fn visit_borrowed_str<E>(mut self, text: &'de str) -> Result<Val, E> {
        Ok(match self.hollow {
            true => self.redacted(),
            false => self.builder.shared_text(text),
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Val, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Node {
            builder: &mut *self.builder,
            hollow: self.hollow,
            top: false,
        })? {
            items.push(item);
        }
        items.shrink_to_fit();
        Ok(Val::Arr(Rc::new(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Val, A::Error> {
        let mut entries: Vec<(Val, Val)> = Vec::new();
        while let Some((key, secret, listed)) = map.next_key_seed(Key {
            builder: &mut *self.builder,
            hollow: self.hollow,
            index: entries.len(),
            top: self.top,
        })? {
            let value = match listed {
                true => map.next_value_seed(Listed {
                    builder: &mut *self.builder,
                })?,
                false => map.next_value_seed(Node {
                    builder: &mut *self.builder,
                    hollow: self.hollow || secret,
                    top: false,
                })?,
            };
            entries.push((key, value));
        }
        Ok(Val::obj(entries.into_iter().collect()))
    }
}

/// An object's key, and whether it names a secret. Below a secret key, keys are hollowed too
/// (`[redacted]`, `[redacted] 2`, …: an object keeps its size).
struct Key<'b, 'a> {
    builder: &'b mut Builder<'a>,
    hollow: bool,
    index: usize,
    top: bool,
}

/// A key: its value, whether it names a secret, and whether its value is the list kept as
/// text.
type KeyRead = (Val, bool, bool);

impl<'de> DeserializeSeed<'de> for Key<'_, '_> {
    type Value = KeyRead;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<KeyRead, D::Error> {
        de.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_, '_> {
    type Value = KeyRead;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, key: &str) -> Result<KeyRead, E> {
        Ok(self.read(key, false))
    }

    fn visit_borrowed_str<E>(self, key: &'de str) -> Result<KeyRead, E> {
        Ok(self.read(key, true))
    }
}

impl Key<'_, '_> {
    /// The key read; `shared` when it is in the source as it is.
    fn read(self, key: &str, shared: bool) -> KeyRead {
        match (self.hollow, self.index) {
            (true, 0) => (self.builder.string(REDACTED), true, false),
            (true, i) => (
                self.builder.string(&format!("{REDACTED} {}", i + 1)),
                true,
                false,
            ),
            (false, _) => {
                let secret = self.builder.is_secret(key);
                // Every occurrence: the last one wins, as in any object.
                let listed = self.top && !secret && self.builder.defer == Some(key);
                let key = match shared {
                    true => self.builder.shared(key),
                    false => self.builder.string(key),
                };
                (key, secret, listed)
            }
        }
    }
}

/// The value of the deferred key: an array is taken out of the document (kept as text, one
/// pass finding its items' ends and checking each, or parsed) and stands as `[]` in it;
/// anything else is read as usual, and drops a list an earlier occurrence of the key took out.
struct Listed<'b, 'a> {
    builder: &'b mut Builder<'a>,
}

impl<'de> DeserializeSeed<'de> for Listed<'_, '_> {
    type Value = Val;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Val, D::Error> {
        self.builder.list = None;
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Listed<'_, '_> {
    type Value = Val;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Val, A::Error> {
        if !self.builder.as_text {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element_seed(Node {
                builder: &mut *self.builder,
                hollow: false,
                top: false,
            })? {
                items.push(item);
            }
            self.builder.list = Some(List::Values(items));
            return Ok(Val::Arr(Rc::new(Vec::new())));
        }
        // Each item's place in the source: the list is not copied.
        let source = self.builder.source.clone();
        let from = source.as_ptr() as usize;
        let mut places = Vec::new();
        while let Some(item) = seq.next_element::<&'de serde_json::value::RawValue>()? {
            // Finding an item's end checks less than parsing it (numbers out of range, lone
            // surrogates, depth): checked now, it fails the body as a whole parse would.
            let mut de = serde_json::Deserializer::from_str(item.get());
            Check { depth: 1 }
                .deserialize(&mut de)
                .map_err(serde::de::Error::custom)?;
            let at = (item.get().as_ptr() as usize).wrapping_sub(from);
            if at + item.get().len() > source.len() {
                return Err(serde::de::Error::custom("a list item outside the body"));
            }
            places.push((at as u32, (at + item.get().len()) as u32));
        }
        self.builder.list = Some(List::Text {
            text: source,
            items: places,
        });
        Ok(Val::Arr(Rc::new(Vec::new())))
    }

    fn visit_unit<E>(self) -> Result<Val, E> {
        Ok(Val::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Val, E> {
        Ok(Val::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Val, E> {
        Ok(Val::Num(Num::from_integral(n)))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Val, E> {
        Ok(Val::Num(Num::from_integral(n)))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Val, E> {
        Ok(Val::from(n))
    }

    fn visit_str<E>(self, text: &str) -> Result<Val, E> {
        Ok(self.builder.text(text))
    }

    fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Val, E> {
        Ok(self.builder.shared_text(text))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Val, A::Error> {
        Node {
            builder: self.builder,
            hollow: false,
            top: false,
        }
        .visit_map(map)
    }
}

/// Reads one item of a list kept as text to the end, keeping nothing, and fails where parsing
/// it inside the whole body would: on a value the parser refuses, or nested deeper than the
/// parser allows below the body's object and its list.
struct Check {
    /// The item's own array or object is 1.
    depth: usize,
}

/// The arrays and objects an item may nest: the parser's 127, less the body and the list.
const ITEM_DEPTH: usize = 125;

impl<'de> DeserializeSeed<'de> for Check {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Check {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.depth > ITEM_DEPTH {
            return Err(serde::de::Error::custom("recursion limit exceeded"));
        }
        while seq
            .next_element_seed(Check {
                depth: self.depth + 1,
            })?
            .is_some()
        {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        if self.depth > ITEM_DEPTH {
            return Err(serde::de::Error::custom("recursion limit exceeded"));
        }
        while map.next_key::<serde::de::IgnoredAny>()?.is_some() {
            map.next_value_seed(Check {
                depth: self.depth + 1,
            })?;
        }
        Ok(())
    }
}

/// An output of a program as JSON.
fn to_value(value: &Val) -> Value {
    match value {
        Val::Null => Value::Null,
        Val::Bool(b) => Value::Bool(*b),
        Val::Num(Num::Int(i)) => Value::from(*i as i64),
        Val::Num(Num::Float(f)) => {
            serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
        }
        // Big integers and decimals keep their digits, as jq prints them.
        Val::Num(n) => serde_json::from_str(&n.to_string()).unwrap_or(Value::Null),
        Val::TStr(b) | Val::BStr(b) => Value::String(String::from_utf8_lossy(b).into_owned()),
        Val::Arr(items) => Value::Array(items.iter().map(to_value).collect()),
        Val::Obj(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Val::TStr(b) | Val::BStr(b) => String::from_utf8_lossy(b).into_owned(),
                        other => other.to_string(),
                    };
                    (key, to_value(v))
                })
                .collect(),
        ),
    }
}

fn compile(code: &str) -> Result<Filter, String> {
    let code = &format!("{PRELUDE}{code}");
    let funs = jaq_core::funs()
        .chain(jaq_std::funs())
        .chain(jaq_json::funs())
        .filter(|(name, _, _)| !FORBIDDEN.contains(name));
    let arena = Arena::default();
    let modules = Loader::new(library(code))
        .load(&arena, File { code, path: () })
        .map_err(|errors| load_errors(code, errors))?;
    Compiler::default()
        .with_funs(funs)
        .with_global_vars(GLOBALS.iter().copied())
        .compile(modules)
        .map_err(|errors| {
            let names: Vec<String> = errors
                .into_iter()
                .flat_map(|(_, errors)| errors)
                .map(|(name, undefined)| format!("undefined {} `{name}`", undefined.as_str()))
                .collect();
            names.join("; ")
        })
}

/// The definitions of jaq's standard library that `code` can call: those it names, and those
/// they call in turn. A program calls a handful of the ~130, and compiling all of them was most
/// of the cost of compiling a definition's expressions (once per process, on every lookup).
/// The names are read from `code`'s words, a superset of its calls; a definition left out is
/// one that nothing in the program can reach, so the program means the same.
fn library(code: &str) -> Vec<Def<&'static str>> {
    let all: Vec<Def<&'static str>> = jaq_core::defs()
        .chain(jaq_std::defs())
        .chain(jaq_json::defs())
        .filter(|def| !FORBIDDEN.contains(&def.name))
        .collect();
    let mut wanted = std::collections::HashSet::new();
    let mut todo: Vec<&str> = code
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '@'))
        .filter(|word| !word.is_empty())
        .collect();
    while let Some(name) = todo.pop() {
        if wanted.insert(name) {
            for def in all.iter().filter(|def| def.name == name) {
                calls(&def.body, &mut todo);
            }
        }
    }
    all.into_iter()
        .filter(|def| wanted.contains(def.name))
        .collect()
}

/// Every filter name a term calls (a format such as `@json` included).
fn calls<'a>(term: &Term<&'a str>, out: &mut Vec<&'a str>) {
    match term {
        Term::Id | Term::Recurse | Term::Num(_) | Term::Var(_) | Term::Break(_) => {}
        Term::Str(format, parts) => {
            out.extend(format);
            for part in parts {
                if let StrPart::Term(t) = part {
                    calls(t, out);
                }
            }
        }
        Term::Arr(t) => all_calls(t.as_deref(), out),
        Term::Obj(entries) => {
            for (key, value) in entries {
                calls(key, out);
                all_calls(value, out);
            }
        }
        Term::Neg(t) | Term::Label(_, t) => calls(t, out),
        Term::BinOp(l, op, r) => {
            if let BinaryOp::Pipe(Some(pattern)) = op {
                pattern_calls(pattern, out);
            }
            calls(l, out);
            calls(r, out);
        }
        Term::Fold(_, xs, pattern, args) => {
            calls(xs, out);
            pattern_calls(pattern, out);
            all_calls(args, out);
        }
        Term::TryCatch(t, catch) => {
            calls(t, out);
            all_calls(catch.as_deref(), out);
        }
        Term::IfThenElse(branches, otherwise) => {
            for (condition, then) in branches {
                calls(condition, out);
                calls(then, out);
            }
            all_calls(otherwise.as_deref(), out);
        }
        Term::Def(defs, t) => {
            all_calls(defs.iter().map(|def| &def.body), out);
            calls(t, out);
        }
        Term::Call(name, args) => {
            out.push(name);
            all_calls(args, out);
        }
        Term::Path(t, path) => {
            calls(t, out);
            for (part, _) in &path.0 {
                match part {
                    Part::Index(i) => calls(i, out),
                    Part::Range(from, to) => {
                        all_calls(from, out);
                        all_calls(to, out);
                    }
                }
            }
        }
    }
}

fn all_calls<'t, 'a: 't>(
    terms: impl IntoIterator<Item = &'t Term<&'a str>>,
    out: &mut Vec<&'a str>,
) {
    terms.into_iter().for_each(|t| calls(t, out));
}

fn pattern_calls<'a>(pattern: &Pattern<&'a str>, out: &mut Vec<&'a str>) {
    match pattern {
        Pattern::Var(_) => {}
        Pattern::Arr(patterns) => patterns.iter().for_each(|p| pattern_calls(p, out)),
        Pattern::Obj(entries) => entries.iter().for_each(|(key, p)| {
            calls(key, out);
            pattern_calls(p, out);
        }),
    }
}

fn load_errors<P>(code: &str, errors: jaq_core::load::Errors<&str, P>) -> String {
    use jaq_core::load::Error;
    // Offsets count from the expression as written, after the prelude.
    let at = |s: &str| {
        let offset = (s.as_ptr() as usize).saturating_sub(code.as_ptr() as usize);
        let before = code
            .get(..offset.min(code.len()))
            .map_or(0, |b| b.chars().count());
        before.saturating_sub(PRELUDE.chars().count()) + 1
    };
    let mut messages = Vec::new();
    for (_, error) in errors {
        match error {
            Error::Io(items) => messages.extend(items.into_iter().map(|(_, e)| e)),
            Error::Lex(items) => messages.extend(items.into_iter().map(|(expect, pos)| {
                format!("expected {} at character {}", expect.as_str(), at(pos))
            })),
            Error::Parse(items) => messages.extend(items.into_iter().map(|(expect, pos)| {
                format!("expected {} at character {}", expect.as_str(), at(pos))
            })),
        }
    }
    messages.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn runs_each_expression_with_settings_and_reads_lenient() {
        let p = Programs::compile(&[
            "[.display_name // .name, $settings.space_id, (.id | tostring)]",
            ".a.b",
            ".ok == true",
            "empty",
            r#".name | IN("Bo", "Ada")"#,
        ])
        .unwrap();
        let document = Document::from(&json!({"id": 42, "name": "Ada", "a": 1, "ok": true}));
        let input = document.input(&json!({"space_id": "s1"}));
        assert_eq!(p.first(0, &input), Some(json!(["Ada", "s1", "42"])));
        assert_eq!(p.first(1, &input), None, "an error reads as nothing");
        assert!(p.holds(2, &input));
        assert_eq!(p.first(3, &input), None);
        assert_eq!(p.first(4, &input), Some(json!(true)), "jq's IN is there");
        assert_eq!(p.first(9, &input), None);
    }

    #[test]
    fn bodies_convert_whole_with_blank_strings_as_null() {
        let p = Programs::compile(&[".", "[.. | strings] | length", ".b[2] | keys[0]"]).unwrap();
        let body = json!({
            "a": " \u{a0}", "b": ["x", "", {"c\u{e9}": " y "}], "": 1, "e": {},
            "big": 18446744073709551615u64, "f": 1.5, "n": -3, "t": true, "z": null,
        });
        let document = Document::from(&body);
        let input = document.input(&json!({}));
        let expected = json!({
            "a": null, "b": ["x", null, {"c\u{e9}": " y "}], "": 1, "e": {},
            "big": 18446744073709551615u64, "f": 1.5, "n": -3, "t": true, "z": null,
        });
        assert_eq!(p.first(0, &input), Some(expected));
        assert_eq!(p.first(1, &input), Some(json!(2)));
        assert_eq!(p.first(2, &input), Some(json!("c\u{e9}")));
        // More text than one chunk of the conversion's buffer, and a string longer than one.
        let long: Vec<String> = [40_000, 40_000, 100_000, 3]
            .iter()
            .enumerate()
            .map(|(i, &n)| char::from(b'a' + i as u8).to_string().repeat(n))
            .collect();
        let body = json!({"long": long, "then": "x"});
        let document = Document::from(&body);
        let input = document.input(&json!({}));
        assert_eq!(p.first(0, &input), Some(body));
    }

    #[test]
    fn a_list_kept_as_text_is_read_a_batch_at_a_time() {
        let p = Programs::compile(&[".", "[$__each, ($root | .n)]", "[.[] | .id]"]).unwrap();
        let secret = |key: &str| key == "token";
        let items: Vec<Value> = (0..600)
            .map(|i| json!({"id": i, "token": format!("t{i}"), "name": " "}))
            .collect();
        let body = serde_json::to_vec(&json!({"n": 1, "orgs": items, "other": [1]})).unwrap();
        let document = Document::parse_listing(&body.into(), &secret, Some("orgs"), true).unwrap();
        assert!(document.has_list());
        // The list is not in the document; the rest is, as usual.
        assert_eq!(
            p.first(0, &document.input(&Value::Null)),
            Some(json!({"n": 1, "orgs": [], "other": [1]}))
        );
        let mut seen = Vec::new();
        let mut batches = 0;
        document.each_batch(&Value::Null, &secret, |input| {
            batches += 1;
            let _ = &mut seen;
            assert_eq!(p.first(1, input), Some(json!([true, 1])), "$__each, $root");
            let out = p.first(0, input).unwrap();
            for item in out.as_array().unwrap() {
                // Each item parsed as the body is: secrets hollowed, blank strings null.
                assert_eq!(item["token"], "[redacted]");
                assert_eq!(item["name"], Value::Null);
                seen.push(item["id"].as_i64().unwrap());
            }
            true
        });
        assert_eq!(seen, (0..600).collect::<Vec<_>>(), "every item, in order");
        assert_eq!(batches, 3);

        // A key that is not a list is read as usual; no key, nothing kept.
        for (body, list) in [
            (json!({"orgs": {"a": 1}}), false),
            (json!({"orgs": null}), false),
            (json!({"orgs": []}), true),
            (json!({"nested": {"orgs": [1]}}), false),
        ] {
            let text = serde_json::to_vec(&body).unwrap();
            let document =
                Document::parse_listing(&text.clone().into(), &secret, Some("orgs"), true).unwrap();
            assert_eq!(document.has_list(), list, "{body}");
            if !list {
                assert_eq!(p.first(0, &document.input(&Value::Null)), Some(body));
            }
        }
        // The key twice: the last one stands, as in any object.
        for (text, list) in [
            (&br#"{"orgs": [1], "orgs": [2, 3]}"#[..], Some(2)),
            (br#"{"orgs": [1], "orgs": null}"#, None),
        ] {
            for as_text in [true, false] {
                let document = Document::parse_listing(
                    &Bytes::copy_from_slice(text),
                    &secret,
                    Some("orgs"),
                    as_text,
                )
                .unwrap();
                let mut count = None;
                document.each_batch(&Value::Null, &secret, |input| {
                    count = p.first(0, input).and_then(|v| v.as_array().map(Vec::len));
                    true
                });
                assert_eq!(count, list, "{as_text}");
            }
        }
        // An item a whole parse refuses fails the body kept as text too: a number out of range,
        // a lone surrogate, nesting deeper than the parser allows within the whole body.
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        for item in [
            "1e400".to_string(),
            r#""\ud800""#.to_string(),
            nested(124),
            nested(125),
            nested(126),
            nested(127),
        ] {
            let text = format!(r#"{{"orgs": [{{"a": 1}}, {item}]}}"#);
            let whole = Document::parse(text.as_bytes(), &secret).is_some();
            for as_text in [true, false] {
                let listed = Document::parse_listing(
                    &Bytes::copy_from_slice(text.as_bytes()),
                    &secret,
                    Some("orgs"),
                    as_text,
                )
                .is_some();
                assert_eq!(listed, whole, "{:.20}… as_text {as_text}", item);
            }
        }
        assert!(
            Document::parse(
                format!(r#"{{"orgs": [{}]}}"#, nested(124)).as_bytes(),
                &secret
            )
            .is_some()
        );
        assert!(
            Document::parse(
                format!(r#"{{"orgs": [{}]}}"#, nested(126)).as_bytes(),
                &secret
            )
            .is_none()
        );

        // Without a key to keep, the parse is the usual one.
        let document =
            Document::parse(&serde_json::to_vec(&json!({"orgs": [1]})).unwrap(), &secret).unwrap();
        assert!(!document.has_list());
        assert_eq!(p.first(2, &document.input(&Value::Null)), None);
    }

    /// A string as it is in the body is a piece of the body, not a copy; an escaped one, a
    /// key named secret's value and a blank one are not pieces of it.
    #[test]
    fn strings_are_pieces_of_the_body() {
        let body =
            Bytes::from_static(br#"{"name": "Ada", "esc": "a\nb", "token": "t", "blank": " "}"#);
        let document = Document::parse_listing(&body, &|k| k == "token", None, false).unwrap();
        let inside = |v: &Val| match v {
            Val::TStr(b) => {
                let (from, at) = (body.as_ptr() as usize, b.as_ptr() as usize);
                at >= from && at < from + body.len()
            }
            other => panic!("not a string: {other:?}"),
        };
        let Val::Obj(map) = &document.body else {
            panic!("an object");
        };
        let get = |k: &str| map.get(&Val::utf8_str(k.to_string())).unwrap();
        assert!(inside(get("name")));
        assert!(map.keys().all(inside), "keys too");
        assert!(!inside(get("esc")));
        assert!(!inside(get("token")));
        assert_eq!(get("blank"), &Val::Null);
    }

    #[test]
    fn bodies_parse_once_with_secrets_hollowed_in_shape() {
        let p = Programs::compile(&["."]).unwrap();
        let read = |document: &Document| p.first(0, &document.input(&Value::Null));
        let secret = |key: &str| key.to_ascii_lowercase().contains("token");
        let body = br#"{"name": " ", "user": {"id": 7, "Token": {"a": "x", "b": [1, true, null, {"c": 2.5}]}},
            "list": [{"access_token": 12}, "ok"], "tokens": []}"#;
        let expected = json!({
            "name": null,
            "user": {"id": 7, "Token": {
                "[redacted]": "[redacted]",
                "[redacted] 2": ["[redacted]", true, null, {"[redacted]": "[redacted]"}],
            }},
            "list": [{"access_token": "[redacted]"}, "ok"],
            "tokens": [],
        });
        assert_eq!(
            read(&Document::parse(body, &secret).unwrap()),
            Some(expected)
        );
        // A byte-order mark is tolerated; anything that is not one JSON document is refused.
        assert_eq!(
            read(&Document::parse(b"\xef\xbb\xbf[1]", &secret).unwrap()),
            Some(json!([1]))
        );
        for not_json in [&b""[..], b"{", b"[1] [2]", b"<html>", b"{\"a\": 1} x"] {
            assert!(Document::parse(not_json, &secret).is_none());
        }
        // Nesting deeper than serde_json's limit is refused, not a crash.
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(Document::parse(deep.as_bytes(), &secret).is_none());
    }

    #[test]
    fn a_pointer_replaces_only_what_it_addresses() {
        let p = Programs::compile(&["."]).unwrap();
        let body = json!({"a": {"b/c": [1, {"~k": 2}]}, "x": 3});
        let replaced = |pointer: &str| {
            let mut document = Document::from(&body);
            document.replace(pointer, "[redacted]");
            p.first(0, &document.input(&Value::Null)).unwrap()
        };
        assert_eq!(replaced("/a/b~1c/1/~0k")["a"]["b/c"][1]["~k"], "[redacted]");
        assert_eq!(
            replaced("/a/b~1c/0")["a"]["b/c"],
            json!(["[redacted]", {"~k": 2}])
        );
        assert_eq!(replaced("/x")["x"], "[redacted]");
        assert_eq!(replaced(""), json!("[redacted]"));
        for nowhere in ["/nope", "/a/b~1c/2", "/a/b~1c/01", "/x/y", "x"] {
            assert_eq!(replaced(nowhere), body, "{nowhere}");
        }
    }

    #[test]
    fn programs_compile_with_the_library_definitions_they_reach() {
        // Every definition of the library, called: all that it calls in turn is found.
        let every = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        for def in every.filter(|def| !FORBIDDEN.contains(&def.name)) {
            let call = match def.args.len() {
                0 => def.name.to_string(),
                n => format!("{}({})", def.name, vec!["."; n].join("; ")),
            };
            assert!(compile(&call).is_ok(), "{call}");
        }
        assert!(library(".").is_empty());
        assert!(library("[.[] | strings]").len() < 10);
    }

    #[test]
    fn errors_name_the_expression_what_and_where() {
        let (i, e) = Programs::compile(&[".a", ".a | nosuch"]).unwrap_err();
        assert_eq!(i, 1);
        assert!(e.contains("undefined") && e.contains("nosuch"), "{e}");
        let (i, e) = Programs::compile(&[".a |", ".b"]).unwrap_err();
        assert_eq!(i, 0);
        assert!(e.contains("expected"), "{e}");
        assert!(e.contains("at character 5"), "{e}");
        // Nothing that reads the environment, ends the process or writes past the redaction.
        for forbidden in [
            "env",
            "$ENV",
            "halt",
            "halt_error(1)",
            "input",
            "debug",
            "stderr",
        ] {
            assert!(Programs::compile(&[forbidden]).is_err(), "{forbidden}");
        }
        // One expression cannot escape its parentheses into the next.
        assert!(Programs::compile(&[".a) else (.b"]).is_err());
    }
}
