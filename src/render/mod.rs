//! Results to text: table for people, JSON and YAML for programs, `--field` for one value.
//!
//! Provider text that reaches a terminal (table cells, `--field` values on a terminal) goes
//! through [`crate::sanitize`]; JSON and YAML are left as the provider sent them, escaped as
//! their formats require.

use std::io::{self, Write};

use crate::cli::Format;
use crate::profile::AccountResult;

mod field;
mod github;
mod jq;
mod json;
mod junit;
mod prometheus;
mod table;
mod yaml;

pub struct RenderOptions {
    pub format: Format,
    pub fields: Vec<String>,
    /// `--jq`: compiled before anything was sent.
    pub jq: Option<std::sync::Arc<crate::jq::Programs>>,
    /// An array even for one result (`--all`, or more than one account selected).
    pub as_list: bool,
    pub color: bool,
    /// stdout is a terminal: `--field` values are sanitized.
    pub terminal: bool,
}

pub use junit::configuration_error as junit_error;

pub fn render(
    results: &[AccountResult],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    if let Some(program) = &options.jq {
        return jq::render(results, program, options.as_list, options.terminal, out);
    }
    if !options.fields.is_empty() {
        return field::render(
            results,
            &options.fields,
            options.as_list,
            options.terminal,
            out,
        );
    }
    match options.format {
        Format::Json => json::render(results, options.as_list, out),
        Format::Yaml => yaml::render(results, options.as_list, options.terminal, out),
        Format::Junit => junit::render(results, out),
        Format::Github => github::render(results, out),
        Format::Prometheus => prometheus::render(results, out),
        Format::Table => table::render(results, options.as_list, options.color, out),
    }
}
