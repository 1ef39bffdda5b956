//! The provider's own answer as a result carries it (`--raw`): redacted, kept as compact JSON
//! text in the answer's own key order, and written by every output straight from that text.
//!
//! Text rather than a tree because a tree of a JSON document costs many times the document's
//! size: a 7 MiB answer of small objects is well over 100 MiB as `serde_json::Value`, and a
//! run may hold several answers while they wait their turn to print. Each output reads the
//! text as it writes it (a transcoding: JSON tokens in, the output's serializer called as
//! they come), so pretty JSON, YAML and the `--field`/`--jq` documents see the same values a
//! tree would give them, without the tree of the whole answer ever existing.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{self, Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

/// Redacted JSON text; see the module documentation.
#[derive(Clone, PartialEq)]
pub struct Raw(String);

impl Raw {
    /// Text that [`crate::redact::Redactor::json_text`] wrote: valid JSON, already redacted.
    pub fn from_json(text: String) -> Raw {
        Raw(text)
    }

    /// An answer that is not JSON, as a JSON string of its (already redacted) text.
    pub fn from_text(text: &str) -> Raw {
        Raw(Value::from(text).to_string())
    }

    /// A value already redacted (tests and small documents).
    pub fn from_value(value: &Value) -> Raw {
        Raw(value.to_string())
    }

    /// The compact JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Raw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Raw({} bytes)", self.0.len())
    }
}

impl Serialize for Raw {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut de = serde_json::Deserializer::from_str(&self.0);
        // The text was written from a body read within serde_json's depth limit, and
        // redaction only makes it shallower: it reads back within the same limit.
        Transcode(Cell::new(Some(&mut de))).serialize(serializer)
    }
}

/// A deserializer written into a serializer, token by token. The deserializer is taken on the
/// first (and only) call: `Serialize` only has `&self`.
struct Transcode<D>(Cell<Option<D>>);

impl<'de, D: Deserializer<'de>> Serialize for Transcode<D> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let de = self
            .0
            .take()
            .ok_or_else(|| ser::Error::custom("a value written twice"))?;
        de.deserialize_any(Writes(serializer))
            .map_err(ser::Error::custom)
    }
}

/// The visitor side: each token read becomes the serializer call that writes it.
struct Writes<S>(S);

/// A serializer's error, carried through the deserializer as its own error type.
fn carry<E: de::Error>(e: impl fmt::Display) -> E {
    E::custom(e)
}

impl<'de, S: Serializer> Visitor<'de> for Writes<S> {
    type Value = S::Ok;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_unit<E: de::Error>(self) -> Result<S::Ok, E> {
        self.0.serialize_unit().map_err(carry)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<S::Ok, E> {
        self.0.serialize_bool(v).map_err(carry)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<S::Ok, E> {
        self.0.serialize_i64(v).map_err(carry)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<S::Ok, E> {
        self.0.serialize_u64(v).map_err(carry)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<S::Ok, E> {
        self.0.serialize_f64(v).map_err(carry)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<S::Ok, E> {
        self.0.serialize_str(v).map_err(carry)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<S::Ok, A::Error> {
        let mut seq = self.0.serialize_seq(items.size_hint()).map_err(carry)?;
        while items.next_element_seed(Element(&mut seq))?.is_some() {}
        seq.end().map_err(carry)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<S::Ok, A::Error> {
        let mut map = self.0.serialize_map(entries.size_hint()).map_err(carry)?;
        while entries.next_key_seed(MapKey(&mut map))?.is_some() {
            entries.next_value_seed(MapValue(&mut map))?;
        }
        map.end().map_err(carry)
    }
}

struct Element<'a, S>(&'a mut S);

impl<'de, S: SerializeSeq> DeserializeSeed<'de> for Element<'_, S> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.0
            .serialize_element(&Transcode(Cell::new(Some(d))))
            .map_err(carry)
    }
}

struct MapKey<'a, M>(&'a mut M);

impl<'de, M: SerializeMap> DeserializeSeed<'de> for MapKey<'_, M> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.0
            .serialize_key(&Transcode(Cell::new(Some(d))))
            .map_err(carry)
    }
}

struct MapValue<'a, M>(&'a mut M);

impl<'de, M: SerializeMap> DeserializeSeed<'de> for MapValue<'_, M> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.0
            .serialize_value(&Transcode(Cell::new(Some(d))))
            .map_err(carry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every output sees the text as it would see the tree (here in sorted key order, so
    /// the tree's order and the text's are the same).
    #[test]
    fn writes_as_the_tree_would() {
        let tree = json!({
            "a": [1, -2, 2.5, 1e300, "x\ny\u{202e}", true, false, null, [], {}],
            "b": {"c": {"d": [[{"e": "é"}]]}},
            "big": 18446744073709551615u64,
        });
        let raw = Raw::from_value(&tree);
        assert_eq!(serde_json::to_value(&raw).unwrap(), tree);
        assert_eq!(
            serde_json::to_string_pretty(&raw).unwrap(),
            serde_json::to_string_pretty(&tree).unwrap()
        );
        assert_eq!(
            serde_saphyr::to_string(&raw).unwrap(),
            serde_saphyr::to_string(&tree).unwrap()
        );
        let text = Raw::from_text("<html>\"quoted\"</html>");
        assert_eq!(
            serde_json::to_value(&text).unwrap(),
            json!("<html>\"quoted\"</html>")
        );
    }

    /// The text's own order is the order every output writes.
    #[test]
    fn keeps_the_answer_order() {
        let raw = Raw::from_json(r#"{"z":1,"a":{"y":2,"b":3}}"#.to_string());
        assert_eq!(
            serde_json::to_string(&raw).unwrap(),
            r#"{"z":1,"a":{"y":2,"b":3}}"#
        );
        assert_eq!(format!("{raw:?}"), "Raw(25 bytes)");
    }
}
