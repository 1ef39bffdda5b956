//! `--field`: one value per line, account by account, fields in the order given. With several
//! accounts (`--all`, or more than one selected) each line starts with the account's name and
//! a tab, so a script can tell whose value it is (`cut -f2`, `while IFS=$'\t' read a v`).

use std::io::{self, Write};

use crate::profile::{self, AccountResult};

pub fn render(
    results: &[AccountResult],
    fields: &[String],
    as_list: bool,
    terminal: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    for result in results {
        let value = serde_json::to_value(result).map_err(io::Error::other)?;
        for path in fields {
            let text = profile::field_text(profile::lookup(&value, path));
            let text = if terminal {
                crate::sanitize::terminal(&text)
            } else {
                text
            };
            match as_list {
                // Account names are letters, digits, `-` and `_`: never a tab.
                true => writeln!(out, "{}\t{text}", result.account)?,
                false => writeln!(out, "{text}")?,
            }
        }
    }
    Ok(())
}
