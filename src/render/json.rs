//! JSON: the object alone for one account, an array otherwise (README, "For scripts").

use std::io::{self, Write};

use crate::profile::AccountResult;

pub fn render(results: &[AccountResult], as_list: bool, out: &mut dyn Write) -> io::Result<()> {
    match results {
        [one] if !as_list => serde_json::to_writer_pretty(&mut *out, one)?,
        _ => serde_json::to_writer_pretty(&mut *out, results)?,
    }
    writeln!(out)
}
