//! `--field`: one value per line, account by account, fields in the order given.

use std::io::{self, Write};

use crate::profile::{self, AccountResult};

pub fn render(
    results: &[AccountResult],
    fields: &[String],
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
            writeln!(out, "{text}")?;
        }
    }
    Ok(())
}
