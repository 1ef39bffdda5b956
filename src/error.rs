//! The process exit codes and the one error type every command returns to [`crate::main`],
//! which reports it once.

use std::fmt;

/// The process exit codes (README, "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Verified = 0,
    Rejected = 1,
    Usage = 2,
    Unknown = 3,
    /// The output could not be written (a full disk, a closed file).
    Output = 4,
}

/// Why a command stopped.
#[derive(Debug)]
pub enum Error {
    /// A usage or configuration problem found before anything was sent: each message on its
    /// own line, then exit 2.
    Usage(Vec<String>),
    /// Writing the output failed. A closed pipe (`| head`) ends quietly; anything else is one
    /// line on stderr and exit 4.
    Output(std::io::Error),
}

impl Error {
    pub fn usage(message: impl Into<String>) -> Error {
        Error::Usage(vec![message.into()])
    }
}

impl From<std::io::Error> for Error {
    /// `?` on a write to the output. Other I/O (reading a file, starting a runtime) is mapped to
    /// a usage error with its own message where it happens.
    fn from(error: std::io::Error) -> Self {
        Error::Output(error)
    }
}

impl From<String> for Error {
    fn from(message: String) -> Self {
        Error::Usage(vec![message])
    }
}

impl From<crate::config::ConfigErrors> for Error {
    /// Each config problem on its own line.
    fn from(errors: crate::config::ConfigErrors) -> Self {
        Error::Usage(errors.messages())
    }
}

impl From<crate::config::ConfigError> for Error {
    fn from(error: crate::config::ConfigError) -> Self {
        Error::Usage(vec![error.to_string()])
    }
}

impl From<crate::http::ClientError> for Error {
    fn from(error: crate::http::ClientError) -> Self {
        Error::Usage(vec![error.to_string()])
    }
}

/// An I/O error as people know it from other tools ("No such file or directory", "Permission
/// denied"), without Rust's wording ("entity not found") or the "(os error 2)" suffix.
pub fn describe(error: &std::io::Error) -> String {
    match error.raw_os_error() {
        Some(code) => {
            let text = std::io::Error::from_raw_os_error(code).to_string();
            match text.rfind(" (os error ") {
                Some(at) => text[..at].to_string(),
                None => text,
            }
        }
        None => error.kind().to_string(),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(messages) => f.write_str(&messages.join("\n")),
            Error::Output(e) => write!(f, "cannot write the output: {}", describe(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_read_like_the_system_says_them() {
        let missing = std::fs::read("/nonexistent/whoami-test").unwrap_err();
        assert_eq!(describe(&missing), "No such file or directory");
        let plain = std::io::Error::other("x");
        assert_eq!(describe(&plain), "other error");
    }
}
