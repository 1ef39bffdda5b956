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
    let text = match results {
        [one] if !as_list => serde_saphyr::to_string(one),
        _ => serde_saphyr::to_string(&results),
    }
    .map_err(io::Error::other)?;
    let text = match terminal {
        true => codes(&text),
        false => text,
    };
    out.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        writeln!(out)?;
    }
    Ok(())
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
            raw: Some(serde_json::json!({"a": ["x\ny", {"z": []}], "e": {}})),
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
