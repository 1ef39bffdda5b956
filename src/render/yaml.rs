//! YAML: the same document as JSON.

use std::io::{self, Write};

use crate::profile::AccountResult;

pub fn render(results: &[AccountResult], as_list: bool, out: &mut dyn Write) -> io::Result<()> {
    let text = match results {
        [one] if !as_list => serde_saphyr::to_string(one),
        _ => serde_saphyr::to_string(&results),
    }
    .map_err(io::Error::other)?;
    out.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        writeln!(out)?;
    }
    Ok(())
}
