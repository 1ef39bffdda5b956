//! The one way to stderr. Every line goes through the run's credential scrubber and the
//! terminal sanitizer: a warning or an error can quote a config name or a provider's text,
//! and neither may carry a credential or a control character to the screen.

use std::io::Write;

use crate::redact::Scrub;
use crate::sanitize;

/// `whoami: error: …`
pub fn error(message: &str) {
    line("error: ", message);
}

/// `whoami: warning: …`
pub fn warn(message: &str) {
    line("warning: ", message);
}

/// `whoami: …` (a note, or the coreutils-style message of bare `whoami`).
pub fn note(message: &str) {
    line("", message);
}

/// A line as it is, without the `whoami:` prefix (the `-q` summary lines).
pub fn plain(message: &str) {
    let mut err = Scrub::new(std::io::stderr().lock());
    let _ = writeln!(err, "{}", sanitize::terminal(message));
}

fn line(level: &str, message: &str) {
    let mut err = Scrub::new(std::io::stderr().lock());
    // Nothing is left to tell anyone when stderr itself cannot be written.
    let _ = writeln!(err, "whoami: {level}{}", sanitize::terminal(message));
}

/// stdout, scrubbed of every credential of the run.
pub fn stdout() -> Scrub<std::io::BufWriter<std::io::StdoutLock<'static>>> {
    Scrub::buffered(std::io::BufWriter::new(std::io::stdout().lock()))
}

/// stderr, scrubbed of every credential of the run (for the request log).
pub fn stderr() -> Scrub<std::io::Stderr> {
    Scrub::new(std::io::stderr())
}
