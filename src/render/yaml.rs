//! YAML: the same document as JSON.
//!
//! YAML has no escape that works in every scalar style, so invisible characters (controls,
//! zero-width and bidirectional marks) cannot be escaped losslessly as in JSON. In a pipe the
//! text is carried as sent; on a terminal, where a person reads it, each such character is
//! shown as its `\u{…}` code instead, so nothing can reorder or hide what is shown.

use std::io::{self, Write};

use serde_json::Value;

use crate::profile::AccountResult;
use crate::sanitize;

pub fn render(
    results: &[AccountResult],
    as_list: bool,
    terminal: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let text = match (results, terminal) {
        ([one], false) if !as_list => serde_saphyr::to_string(one),
        (_, false) => serde_saphyr::to_string(&results),
        ([one], true) if !as_list => serde_saphyr::to_string(&shown(one)?),
        (_, true) => serde_saphyr::to_string(&shown(&results)?),
    }
    .map_err(io::Error::other)?;
    out.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        writeln!(out)?;
    }
    Ok(())
}

/// The document with every invisible character in keys and strings written as its code.
fn shown(document: &impl serde::Serialize) -> io::Result<Value> {
    let mut value = serde_json::to_value(document).map_err(io::Error::other)?;
    visible(&mut value);
    Ok(value)
}

fn visible(value: &mut Value) {
    match value {
        Value::String(s) if s.chars().any(is_hidden) => *s = codes(s),
        Value::Array(items) => items.iter_mut().for_each(visible),
        Value::Object(map) => {
            if map.keys().any(|k| k.chars().any(is_hidden)) {
                *map = std::mem::take(map)
                    .into_iter()
                    .map(|(k, v)| (codes(&k), v))
                    .collect();
            }
            map.values_mut().for_each(visible);
        }
        _ => {}
    }
}

/// Invisible, but not the line breaks and tabs YAML shows as such.
fn is_hidden(c: char) -> bool {
    sanitize::is_invisible(c) && !matches!(c, '\n' | '\t')
}

fn codes(text: &str) -> String {
    text.chars()
        .map(|c| match is_hidden(c) {
            true => format!("\\u{{{:x}}}", c as u32),
            false => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_output_shows_codes_for_invisible_characters() {
        let mut value = serde_json::json!({"a\u{200b}": ["evil\u{202e}txt", "ok\nline"]});
        visible(&mut value);
        assert_eq!(value["a\\u{200b}"][0], "evil\\u{202e}txt");
        assert_eq!(value["a\\u{200b}"][1], "ok\nline");
    }
}
