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
/// nothing more is offered to it (a piece is never offered twice) and every later write fails
/// as that one did; what is left when a renderer stops early for another reason is passed on
/// as it goes.
pub(crate) struct Gathered<'w> {
    out: &'w mut dyn Write,
    gathered: Vec<u8>,
    /// How `out` refused a piece, if it did.
    refused: Option<io::ErrorKind>,
}

impl<'w> Gathered<'w> {
    const PIECE: usize = 16 * 1024;

    pub(crate) fn new(out: &'w mut dyn Write) -> Gathered<'w> {
        Gathered {
            out,
            gathered: Vec::with_capacity(Self::PIECE),
            refused: None,
        }
    }

    /// Passes the rest on (without flushing `out`: its owner decides when).
    pub(crate) fn done(mut self) -> io::Result<()> {
        self.pass()
    }

    /// The output's own error when it refused a piece, else `error` (a serializer reports the
    /// output's refusal as its own error, which would hide a closed pipe).
    pub(crate) fn reason(&self, error: impl Into<io::Error>) -> io::Error {
        match self.refused {
            Some(kind) => io::Error::new(kind, "the output refused to be written"),
            None => error.into(),
        }
    }

    fn pass(&mut self) -> io::Result<()> {
        let passed = self.give(None);
        self.gathered.clear();
        passed
    }

    /// Offers `out` the gathered bytes, or `text` when given, unless it refused before.
    fn give(&mut self, text: Option<&[u8]>) -> io::Result<()> {
        if let Some(kind) = self.refused {
            return Err(io::Error::new(kind, "the output refused an earlier piece"));
        }
        let passed = self.out.write_all(text.unwrap_or(&self.gathered));
        self.refused = passed.as_ref().err().map(io::Error::kind);
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
        if self.gathered.len() + buf.len() > Self::PIECE || self.refused.is_some() {
            self.pass()?;
            // A long text (a whole `--raw` answer) goes on from where it is, not copied.
            if buf.len() >= Self::PIECE {
                return self.give(Some(buf));
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
        if !self.gathered.is_empty() && self.refused.is_none() {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An output that takes `room` bytes, then refuses as a closed pipe does; it counts the
    /// refusals.
    struct Closes {
        taken: Vec<u8>,
        room: usize,
        refusals: usize,
    }

    impl Closes {
        fn new(room: usize) -> Closes {
            Closes {
                taken: Vec::new(),
                room,
                refusals: 0,
            }
        }
    }

    impl Write for Closes {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 && !buf.is_empty() {
                self.refusals += 1;
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            let n = buf.len().min(self.room);
            self.taken.extend_from_slice(&buf[..n]);
            self.room -= n;
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Writes of every size (none, small, a whole piece, longer than one) arrive in order and
    /// whole; once the output refuses, every later write fails as it did and the output is
    /// never offered anything again, not even when the gatherer is dropped.
    #[test]
    fn gathered_pieces_arrive_in_order_and_stop_at_a_refusal() {
        let sizes = [0, 3, 16 * 1024, 5, 16 * 1024 - 5, 40_000, 1, 0, 7, 20_000];
        let writes: Vec<Vec<u8>> = sizes
            .iter()
            .enumerate()
            .map(|(i, &n)| (0..n).map(|j| (i * 31 + j % 251) as u8).collect())
            .collect();
        let all = writes.concat();
        let mut out = Closes::new(usize::MAX);
        let mut gathered = Gathered::new(&mut out);
        for w in &writes {
            gathered.write_all(w).unwrap();
        }
        gathered.done().unwrap();
        assert!(out.taken == all, "bytes lost or out of order");

        for room in [0, 10, 16 * 1024, 30_000, 60_000] {
            let mut out = Closes::new(room);
            let mut gathered = Gathered::new(&mut out);
            let mut first = None;
            for w in &writes {
                first = first.or(gathered.write_all(w).err());
            }
            let first = first
                .or(gathered.flush().err())
                .expect("the output refused");
            assert_eq!(first.kind(), io::ErrorKind::BrokenPipe, "room {room}");
            let later = gathered.write_all(b"more").unwrap_err();
            assert_eq!(later.kind(), io::ErrorKind::BrokenPipe, "room {room}");
            assert_eq!(
                gathered.reason(io::Error::other("serializer")).kind(),
                io::ErrorKind::BrokenPipe
            );
            drop(gathered);
            assert_eq!(
                out.refusals, 1,
                "room {room}: offered again after a refusal"
            );
            assert!(all.starts_with(&out.taken), "room {room}");
        }
    }

    /// A closed pipe while a long `--raw` answer is written reads as a closed pipe (which ends
    /// a run quietly), in JSON, a JSON list and YAML, not as the serializer's own error.
    #[test]
    fn a_closed_pipe_during_a_long_answer_stays_a_closed_pipe() {
        let result = AccountResult {
            raw: Some(crate::raw::Raw::from_value(
                &serde_json::json!({"big": "x".repeat(100_000), "list": [1, 2, 3]}),
            )),
            ..AccountResult::example("acct")
        };
        let one = std::slice::from_ref(&result);
        for room in [100, 20_000, 60_000] {
            let mut out = Closes::new(room);
            let e = json::render(one, false, &mut out).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::BrokenPipe, "json, room {room}");
            let mut out = Closes::new(room);
            let e = json::item(&result, true, &mut out).unwrap_err();
            assert_eq!(
                e.kind(),
                io::ErrorKind::BrokenPipe,
                "json list, room {room}"
            );
            let mut out = Closes::new(room);
            let e = yaml::render(one, false, false, &mut out).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::BrokenPipe, "yaml, room {room}");
        }
    }
}
