//! `--jq EXPR`: the JSON output document through a jq expression (like `gh --jq`). Strings
//! print bare, other values as compact JSON, one per line. On a terminal, text is sanitized
//! like `--field`.

use std::io::{self, Write};

use crate::jq::{Document, Programs};
use crate::profile::AccountResult;

pub fn render(
    results: &[AccountResult],
    program: &Programs,
    as_list: bool,
    terminal: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    // Through text, not a tree: the engine's values are the only whole copy.
    let document = match results {
        [one] if !as_list => serde_json::to_vec(one),
        _ => serde_json::to_vec(results),
    }
    .map_err(io::Error::other)?;
    let Some(document) = Document::exact(&document) else {
        return Err(io::Error::other("the output document cannot be read by jq"));
    };
    program.each(0, &document.input(&serde_json::Value::Null), |output| {
        match output {
            Ok(value) => {
                let text = match value {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                let text = match terminal {
                    true => crate::sanitize::terminal(&text),
                    false => text,
                };
                writeln!(out, "{text}")?;
            }
            // jq's own behaviour: an error ends the outputs and is reported.
            Err(e) => crate::report::error(&format!("--jq: {e}")),
        }
        Ok::<(), io::Error>(())
    })?;
    Ok(())
}
