//! `--field`: one value per line, account by account, fields in the order given. With several
//! accounts (`--all`, or more than one selected) each line starts with the account's name and
//! a tab, so a script can tell whose value it is (`cut -f2`, `while IFS=$'\t' read a v`).
//!
//! One value is always one line: a backslash, tab, line feed or carriage return in a value is
//! written as `\\`, `\t`, `\n` or `\r`, so no provider text can forge a line, or another
//! account's value.

use std::io::{self, Write};

use crate::profile::{self, AccountResult};

pub fn render(
    result: &AccountResult,
    fields: &[String],
    as_list: bool,
    terminal: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let value = profile::document(result);
    for path in fields {
        let text = profile::field_text(profile::lookup(&value, path));
        let text = if terminal {
            crate::sanitize::terminal(&text)
        } else {
            text
        };
        let text = one_line(&text);
        match as_list {
            // Account names are letters, digits, `-` and `_`: never a tab.
            true => writeln!(out, "{}\t{text}", result.account)?,
            false => writeln!(out, "{text}")?,
        }
    }
    Ok(())
}

/// A value on one line, its separators escaped.
fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_value_cannot_forge_a_line() {
        assert_eq!(super::one_line("x\nprod\tadmin\\"), "x\\nprod\\tadmin\\\\");
    }
}
