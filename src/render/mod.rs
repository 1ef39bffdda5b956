//! Results to text: table for people, JSON and YAML for programs, `--field` for one value.
//!
//! Provider text that reaches a terminal (table cells, `--field` values on a terminal) goes
//! through [`crate::sanitize`]; JSON and YAML are left as the provider sent them, escaped as
//! their formats require.

use std::io::{self, Write};

use crate::cli::Format;
use crate::profile::{AccountResult, Status};

pub mod columns;
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
    /// stdout is a terminal: `--field` values are sanitized, and tables fit its width.
    pub terminal: bool,
    /// `--quiet`: nothing on stdout; the accounts that are not ok on stderr.
    pub quiet: bool,
}

pub use junit::configuration_error as junit_error;

/// Results written as they come, in configuration order. JSON, YAML, `--field`, `-o github`
/// and `--quiet` print each result and let it go, so a run's memory grows with the accounts
/// in flight, not with the accounts configured. The table (its columns fit every row), JUnit
/// (its header counts the failures), Prometheus (a metric's samples go together) and `--jq`
/// (one document) are written at the end; JUnit, Prometheus and the table of several accounts
/// keep no provider body (`--raw`), which they never print.
pub struct Sink {
    options: RenderOptions,
    /// Written so far: whether a list has been opened, and how many results it holds.
    written: usize,
    kept: Vec<AccountResult>,
}

impl Sink {
    pub fn new(options: RenderOptions) -> Sink {
        Sink {
            options,
            written: 0,
            kept: Vec::new(),
        }
    }

    fn streams(&self) -> bool {
        let o = &self.options;
        o.quiet
            || (o.jq.is_none()
                && (!o.fields.is_empty()
                    || matches!(o.format, Format::Json | Format::Yaml | Format::Github)))
    }

    /// One more result.
    pub fn push(&mut self, mut result: AccountResult, out: &mut dyn Write) -> io::Result<()> {
        if !self.streams() {
            let o = &self.options;
            let prints_raw = o.jq.is_some() || (o.format == Format::Table && !o.as_list);
            if !prints_raw {
                result.raw = None;
            }
            self.kept.push(result);
            return Ok(());
        }
        let o = &self.options;
        let first = self.written == 0;
        self.written += 1;
        if o.quiet {
            quiet(&result);
            Ok(())
        } else if !o.fields.is_empty() {
            field::render(&result, &o.fields, o.as_list, o.terminal, out)
        } else {
            let one = std::slice::from_ref(&result);
            match o.format {
                Format::Json if o.as_list => json::item(&result, first, out),
                Format::Yaml if o.as_list => yaml::render(one, true, o.terminal, out),
                Format::Github => github::render(one, out),
                _ => render(one, o, out),
            }
        }
    }

    /// The end of the run: what waited for every result is written, and a list is closed.
    pub fn finish(self, out: &mut dyn Write) -> io::Result<()> {
        let o = &self.options;
        if !self.streams() {
            return render(&self.kept, o, out);
        }
        match (
            o.quiet,
            o.fields.is_empty(),
            o.format,
            o.as_list,
            self.written,
        ) {
            (false, true, Format::Json, true, 0) => json::render(&[], true, out),
            (false, true, Format::Json, true, _) => json::end(out),
            (false, true, Format::Yaml, true, 0) => yaml::render(&[], true, o.terminal, out),
            _ => Ok(()),
        }
    }
}

/// `--quiet`: only the accounts that are not ok, one line each on stderr.
fn quiet(r: &AccountResult) {
    if r.status != Status::Ok {
        let message = r.error.as_ref().map(|e| e.message.as_str()).unwrap_or("");
        crate::report::plain(&format!("{}: {}: {message}", r.account, r.status.as_str()));
    }
}

/// What a serializer writes, gathered into pieces of a few kilobytes before it reaches `out`:
/// a serializer writes a punctuation mark or a word at a time, and each write through the
/// output's scrubber costs more than the bytes it carries. Once `out` has refused a piece,
/// nothing more is offered to it (a piece is never offered twice); what is left when a
/// renderer stops early for another reason is passed on as it goes.
pub(crate) struct Gathered<'w> {
    out: &'w mut dyn Write,
    gathered: Vec<u8>,
    refused: bool,
}

impl<'w> Gathered<'w> {
    const PIECE: usize = 16 * 1024;

    pub(crate) fn new(out: &'w mut dyn Write) -> Gathered<'w> {
        Gathered {
            out,
            gathered: Vec::with_capacity(Self::PIECE),
            refused: false,
        }
    }

    /// Passes the rest on (without flushing `out`: its owner decides when).
    pub(crate) fn done(mut self) -> io::Result<()> {
        self.pass()
    }

    fn pass(&mut self) -> io::Result<()> {
        if self.refused {
            return Err(io::Error::other("the output refused an earlier piece"));
        }
        let passed = self.out.write_all(&self.gathered);
        self.gathered.clear();
        self.refused = passed.is_err();
        passed
    }
}

impl Write for Gathered<'_> {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf).map(|()| buf.len())
    }

    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        if self.gathered.len() + buf.len() > Self::PIECE {
            self.pass()?;
            // A long text (a whole `--raw` answer) goes on from where it is, not copied.
            if buf.len() >= Self::PIECE {
                let passed = self.out.write_all(buf);
                self.refused = passed.is_err();
                return passed;
            }
        }
        self.gathered.extend_from_slice(buf);
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.pass()?;
        self.out.flush()
    }
}

impl Drop for Gathered<'_> {
    fn drop(&mut self) {
        if !self.gathered.is_empty() && !self.refused {
            let _ = self.pass();
        }
    }
}

/// Results written whole (`--field` and `--quiet` are always written result by result).
fn render(
    results: &[AccountResult],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    if let Some(program) = &options.jq {
        return jq::render(results, program, options.as_list, options.terminal, out);
    }
    match options.format {
        Format::Json => json::render(results, options.as_list, out),
        Format::Yaml => yaml::render(results, options.as_list, options.terminal, out),
        Format::Junit => junit::render(results, out),
        Format::Github => github::render(results, out),
        Format::Prometheus => prometheus::render(results, out),
        Format::Table => table::render(
            results,
            options.as_list,
            options.color,
            options.terminal,
            out,
        ),
    }
}
