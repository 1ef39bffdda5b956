//! YAML: the same document as JSON.
//!
//! YAML has no escape that works in every scalar style, so invisible characters (controls,
//! zero-width and bidirectional marks) cannot be escaped losslessly as in JSON. In a pipe the
//! text is carried as sent; on a terminal, where a person reads it, each such character is
//! shown as its `\u{…}` code instead, so nothing can reorder or hide what is shown.

use std::io::{self, Write};

use crate::profile::AccountResult;
use crate::sanitize;

pub fn render(
    results: &[AccountResult],
    as_list: bool,
    terminal: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    // Written as it is serialized: the text of a large result is never held whole.
    let mut text = Text {
        out: super::Gathered::new(out),
        terminal,
        ends_line: false,
        error: None,
    };
    let written = match results {
        [one] if !as_list => serde_saphyr::to_fmt_writer(&mut text, one),
        _ => serde_saphyr::to_fmt_writer(&mut text, &results),
    };
    if let Err(e) = written {
        return Err(text.error.take().unwrap_or_else(|| io::Error::other(e)));
    }
    if !text.ends_line {
        writeln!(text.out)?;
    }
    text.out.done()
}

/// The YAML text on its way out: invisible characters shown as codes on a terminal.
struct Text<'w> {
    out: super::Gathered<'w>,
    terminal: bool,
    ends_line: bool,
    /// What the output refused, given back instead of the serializer's own error.
    error: Option<io::Error>,
}

impl std::fmt::Write for Text<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if s.is_empty() {
            return Ok(());
        }
        self.ends_line = s.ends_with('\n');
        let written = match self.terminal {
            true => self.out.write_all(codes(s).as_bytes()),
            false => self.out.write_all(s.as_bytes()),
        };
        written.map_err(|e| {
            self.error.get_or_insert(e);
            std::fmt::Error
        })
    }
}

/// Every invisible character but line breaks and tabs written as its code.
fn codes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match sanitize::is_invisible(c) && !matches!(c, '\n' | '\t') {
            true => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            false => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_written_item_by_item_is_the_list_written_whole() {
        let result = |account: &str| AccountResult {
            endpoint: Some("https://x.example.org/api".into()),
            elapsed_ms: Some(3),
            profile: Some(crate::profile::Profile {
                email: Some("ada@example.org".into()),
                organizations: vec![crate::profile::Organization {
                    id: Some("1".into()),
                    roles: vec!["a".into(), "b".into()],
                    ..Default::default()
                }],
                ..Default::default()
            }),
            raw: Some(crate::raw::Raw::from_value(
                &serde_json::json!({"a": ["x\ny", {"z": []}], "e": {}}),
            )),
            ..AccountResult::example(account)
        };
        let results: Vec<AccountResult> = (0..3).map(|i| result(&format!("a{i}"))).collect();
        let mut whole = Vec::new();
        render(&results, true, false, &mut whole).unwrap();
        let mut streamed = Vec::new();
        for r in &results {
            render(std::slice::from_ref(r), true, false, &mut streamed).unwrap();
        }
        assert_eq!(
            String::from_utf8(streamed).unwrap(),
            String::from_utf8(whole).unwrap()
        );
    }

    #[test]
    fn terminal_output_shows_codes_for_invisible_characters() {
        assert_eq!(
            codes("a\u{200b}: evil\u{202e}txt\n  - ok\tx\n"),
            "a\\u{200b}: evil\\u{202e}txt\n  - ok\tx\n"
        );
    }
}
