//! JSON: the object alone for one account, an array otherwise (README, "For scripts").
//!
//! Provider text is carried as sent, but every character a terminal would not show as itself
//! (controls, C1, zero-width and bidirectional marks) is written as a `\uXXXX` escape: the
//! same string for a program, and nothing that can reorder or hide text for a person reading
//! the JSON on a terminal.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

use crate::profile::AccountResult;
use crate::sanitize;

pub fn render(results: &[AccountResult], as_list: bool, out: &mut dyn Write) -> io::Result<()> {
    let mut out = super::Gathered::new(out);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Visible(PrettyFormatter::new()));
    let written = match results {
        [one] if !as_list => one.serialize(&mut ser),
        _ => results.serialize(&mut ser),
    };
    if let Err(e) = written {
        return Err(out.reason(e));
    }
    writeln!(out)?;
    out.done()
}

/// One result of a list, written as it comes: the list is opened before the first and closed
/// by [`end`]. The text is what [`render`] writes for the whole list.
pub fn item(result: &AccountResult, first: bool, out: &mut dyn Write) -> io::Result<()> {
    let mut out = super::Gathered::new(out);
    out.write_all(if first { b"[\n  " } else { b",\n  " })?;
    // Pretty JSON has no line break inside a string (they are escaped): every one is between
    // values, and each line moves in by one level.
    let mut indented = Indent(&mut out);
    let mut ser =
        serde_json::Serializer::with_formatter(&mut indented, Visible(PrettyFormatter::new()));
    if let Err(e) = result.serialize(&mut ser) {
        return Err(out.reason(e));
    }
    out.done()
}

/// Closes a list opened by [`item`].
pub fn end(out: &mut dyn Write) -> io::Result<()> {
    out.write_all(b"\n]\n")
}

/// Indents every line after the first by two spaces.
struct Indent<W: Write>(W);

impl<W: Write> Write for Indent<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for (i, line) in buf.split(|&b| b == b'\n').enumerate() {
            if i > 0 {
                self.0.write_all(b"\n  ")?;
            }
            self.0.write_all(line)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// serde_json's pretty formatter, with invisible characters escaped.
struct Visible<'a>(PrettyFormatter<'a>);

impl Formatter for Visible<'_> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // Printable ASCII, most text, is never invisible (serde_json has escaped the controls
        // below it): written without a look at each character.
        if fragment.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return writer.write_all(fragment.as_bytes());
        }
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if sanitize::is_invisible(c) {
                writer.write_all(&fragment.as_bytes()[start..at])?;
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
                start = at + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_written_item_by_item_is_the_list_written_whole() {
        let result = |account: &str, message: &str| AccountResult {
            status: crate::profile::Status::Error,
            http_status: Some(500),
            error: Some(crate::profile::ResultError {
                kind: crate::profile::ErrorKind::ServerError,
                message: message.into(),
            }),
            raw: Some(crate::raw::Raw::from_value(
                &serde_json::json!({"a\nb": ["x\ny", {"z": []}], "e": {}}),
            )),
            ..AccountResult::example(account)
        };
        for n in 1..=3 {
            let results: Vec<AccountResult> = (0..n)
                .map(|i| result(&format!("acct-{i}"), "line\nbreak"))
                .collect();
            let mut whole = Vec::new();
            render(&results, true, &mut whole).unwrap();
            let mut streamed = Vec::new();
            for (i, r) in results.iter().enumerate() {
                item(r, i == 0, &mut streamed).unwrap();
            }
            end(&mut streamed).unwrap();
            assert_eq!(
                String::from_utf8(streamed).unwrap(),
                String::from_utf8(whole).unwrap()
            );
        }
    }

    #[test]
    fn invisible_characters_are_escaped_and_the_value_is_unchanged() {
        let text = "evil\u{202e}txt\u{200b}x\u{85}y\u{9b}31m\u{e0041}é\"\n";
        let mut out = Vec::new();
        let mut ser =
            serde_json::Serializer::with_formatter(&mut out, Visible(PrettyFormatter::new()));
        serde_json::json!({"name": text, "list": [1, {"k": "v"}]})
            .serialize(&mut ser)
            .unwrap();
        let written = String::from_utf8(out).unwrap();
        assert!(
            !written
                .chars()
                .any(|c| sanitize::is_invisible(c) && c != '\n'),
            "{written}"
        );
        assert!(
            written.contains("\\u202e") && written.contains("\\udb40\\udc41"),
            "{written}"
        );
        let back: serde_json::Value = serde_json::from_str(&written).unwrap();
        assert_eq!(back["name"], text);
        assert_eq!(back["list"][1]["k"], "v");
    }
}
