//! Where a credential comes from, and the [`Secret`] that carries it to the request.
//!
//! A credential must never reach output, errors or logs. [`Secret`] prints `[redacted]` in
//! both `Debug` and `Display`, is never `Serialize`, and is only opened where a request header
//! is built. Errors from a credential command name its exit status and stderr, never its
//! stdout (the secret) and never the command text (it may embed one).
//!
//! Users sometimes paste the credential itself where its source belongs
//! (`{ env = "ghp_…" }`): a source that [`looks_like_secret`] is shown as `[redacted]`.
//!
//! Every source is bounded: files are read only when regular and at most 64 KiB, commands
//! run in their own process group, at most 10 s and 64 KiB of stdout, then the group is
//! killed.

use std::borrow::Cow;
use std::fmt;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};

use crate::profile::{CredentialInfo, Expiry};

/// A credential. `Debug` and `Display` print `[redacted]`.
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(SecretString::from(value.into()))
    }

    /// The only way to the value: call it where a header is built, nowhere else.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Where a position in a config file is: for messages that must not quote the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// One of the credential sources (README, "Configuration"), or a credential typed in for
/// `whoami login`.
#[derive(Debug, Clone)]
pub enum Source {
    Inline {
        value: Secret,
        at: Location,
    },
    Env {
        var: String,
    },
    File {
        path: PathBuf,
        at: Option<Location>,
    },
    Command {
        command: Secret,
        at: Location,
    },
    Keyring {
        entry: crate::keychain::Entry,
    },
    /// Given to `whoami login`, from a prompt or standard input; never stored as such.
    Given {
        value: Secret,
        from: &'static str,
    },
}

impl Source {
    /// How `credential.source` describes this source. An env variable or a file path that
    /// looks like a pasted credential is shown as `[redacted]`.
    pub fn describe(&self) -> String {
        match self {
            Source::Inline { at, .. } => format!("inline ({at})"),
            Source::Env { var } => format!("env {}", shown_var(var)),
            Source::File { path, .. } => format!("file {}", shown_path(path)),
            Source::Command { at, .. } => format!("command ({at})"),
            Source::Keyring { entry } => format!("keyring {entry}"),
            Source::Given { from, .. } => from.to_string(),
        }
    }
}

/// A resolved credential, ready for a request.
#[derive(Debug, Clone)]
pub struct Credential {
    pub secret: Secret,
    pub info: CredentialInfo,
    /// Unix seconds of the JWT `exp`, for `--min-validity`.
    pub expires_at: Option<i64>,
}

impl Credential {
    pub fn new(secret: Secret, source: String) -> Credential {
        let expires_at = jwt_expiry(secret.expose());
        let info = CredentialInfo {
            source,
            hint: hint(secret.expose()),
            expires_at: expires_at.and_then(rfc3339),
            expiry: match expires_at {
                Some(_) => Expiry::Jwt,
                None => Expiry::Unknown,
            },
        };
        Credential {
            secret,
            info,
            expires_at,
        }
    }
}

/// Advice when an env source names no plausible variable: the credential itself was pasted.
fn pasted_hint(var: &str) -> &'static str {
    if shown_var(var) == var {
        ""
    } else {
        " (`{ env = … }` takes the name of a variable, not the credential itself)"
    }
}

/// Why a credential could not be resolved. Env variables and paths are shown through
/// [`shown_var`] and [`shown_path`], so a pasted credential never reaches the message.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error(
        "environment variable {} is not set{}",
        shown_var(var),
        pasted_hint(var)
    )]
    EnvUnset { var: String },
    #[error(
        "environment variable {} is set but empty: is the CI secret defined?",
        shown_var(var)
    )]
    EnvEmpty { var: String },
    #[error("environment variable {} is not valid UTF-8", shown_var(var))]
    EnvNotUnicode { var: String },
    #[error("cannot read credential file {}: {reason}", shown_path(path))]
    FileUnreadable { path: PathBuf, reason: String },
    #[error(
        "credential file {} is not a regular file (a device, FIFO or directory)",
        shown_path(path)
    )]
    FileNotRegular { path: PathBuf },
    #[error(
        "credential file {} is larger than 64 KiB: not a credential",
        shown_path(path)
    )]
    FileTooLarge { path: PathBuf },
    #[error(
        "credential file {} is empty: is the CI secret defined?",
        shown_path(path)
    )]
    FileEmpty { path: PathBuf },
    #[error(
        "the credential from {from} is shorter than {MIN_CREDENTIAL_CHARS} characters; refusing to send something that cannot be redacted from output"
    )]
    TooShort { from: String },
    #[error("{error}{}", keyring_hint(error))]
    Keyring {
        error: crate::keychain::KeyringError,
    },
    #[error("credential command ({at}) {what}{stderr}")]
    Command {
        at: Location,
        what: String,
        stderr: String,
    },
}

/// What to do about a keyring entry that cannot be read.
fn keyring_hint(error: &crate::keychain::KeyringError) -> &'static str {
    match error {
        crate::keychain::KeyringError::Missing(_) => {
            " (`whoami login -a ACCOUNT --force` stores one)"
        }
        _ => "",
    }
}

/// How long a credential command may run.
const COMMAND_LIMIT: Duration = Duration::from_secs(10);
/// How long to keep reading a command's output after it exited.
const PIPE_GRACE: Duration = Duration::from_millis(200);
/// The most a credential file or a command's stdout may hold (and the most of a command's
/// stderr that is kept).
const MAX_CREDENTIAL_BYTES: usize = 64 * 1024;
/// Shorter credentials are refused: redaction cannot safely find 1–3 character strings.
/// Shorter credentials cannot be told apart from ordinary text to redact them.
const MIN_CREDENTIAL_CHARS: usize = crate::redact::MIN_SECRET_LEN;
/// How much of a failing command's stderr an error quotes.
const MAX_STDERR_CHARS: usize = 500;

/// Separators that split a source text into the pieces [`looks_like_secret`] inspects.
const SEPARATORS: &[char] = &['/', '_', '-', '.', ':', '@', '+', '=', '~'];

/// Prefixes of well-known credential formats, for the pieces the length rules miss (a Slack
/// token is `xoxb-<digits>-<digits>-<letters>`).
const KNOWN_PREFIXES: &[&str] = &[
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "gldt-",
    "glrt-",
    "glptt-",
    "xoxa-",
    "xoxb-",
    "xoxe-",
    "xoxp-",
    "xoxr-",
    "xoxs-",
    "xapp-",
    "sk_live_",
    "sk_test_",
    "rk_live_",
    "rk_test_",
    "npm_",
    "pypi-",
    "hf_",
    "dop_v1_",
    "shpat_",
];

/// Whether `text` (an env variable name, a file path, a word of a command) looks like a
/// pasted credential rather than a name.
///
/// Split on `/ _ - . : @ + = ~` and whitespace, a piece of 32 characters or more, of 16 or
/// more mixing letters and digits, or of 12 or more mixing upper case, lower case and digits
/// looks random. So does a word (split on whitespace, `=` and `:`) that is a JWT
/// (`eyJ….….…`, 32 characters or more) or a UUID, or that starts with a well-known
/// credential prefix (`ghp_`, `glpat-`, `xoxb-`, …) and holds a digit in 20 characters or
/// more.
pub fn looks_like_secret(text: &str) -> bool {
    let core = unquote(text.trim());
    core.split(|c: char| c.is_whitespace() || SEPARATORS.contains(&c))
        .any(random_piece)
        || core
            .split(|c: char| c.is_whitespace() || c == '=' || c == ':')
            .map(unquote)
            .any(|word| jwt_like(word) || is_uuid(word) || known_prefix(word))
}

/// `text` without the quotes and shell punctuation around it.
fn unquote(text: &str) -> &str {
    text.trim_matches(|c: char| "'\"`()[]{}<>;,|&$".contains(c))
}

/// Whether `text` can be an environment variable name: `^[A-Za-z_][A-Za-z0-9_]{0,127}$`.
pub fn is_variable_name(text: &str) -> bool {
    let mut bytes = text.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && text.len() <= 128
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// An env source's variable as messages show it: `[redacted]` unless it is a variable name
/// that does not look like a pasted credential.
pub fn shown_var(var: &str) -> &str {
    if is_variable_name(var) && !looks_like_secret(var) {
        var
    } else {
        "[redacted]"
    }
}

/// A file source's path as messages show it: `[redacted]` when it looks like a pasted
/// credential.
pub fn shown_path(path: &Path) -> Cow<'_, str> {
    let text = path.to_string_lossy();
    if looks_like_secret(&text) {
        Cow::Borrowed("[redacted]")
    } else {
        text
    }
}

fn random_piece(piece: &str) -> bool {
    let len = piece.chars().count();
    let letters = piece.chars().any(char::is_alphabetic);
    let digits = piece.chars().any(|c| c.is_ascii_digit());
    let upper = piece.chars().any(char::is_uppercase);
    let lower = piece.chars().any(char::is_lowercase);
    len >= 32 || (len >= 16 && letters && digits) || (len >= 12 && upper && lower && digits)
}

/// Three base64url parts, the first a JSON header (`{"` encodes as `eyJ`, `{\n` as `ewo`).
fn jwt_like(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    let base64url = |p: &&str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'=')
    };
    text.len() >= 32
        && parts.len() == 3
        && parts.iter().all(base64url)
        && (parts[0].starts_with("ey") || parts[0].starts_with("ew"))
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn known_prefix(text: &str) -> bool {
    text.len() >= 20
        && !text.contains(char::is_whitespace)
        && text.bytes().any(|b| b.is_ascii_digit())
        && KNOWN_PREFIXES.iter().any(|p| text.starts_with(p))
}

/// Replaces in `text` every word of `command` that looks like a secret (and each random
/// piece of such a word) by `[redacted]`: a shell quoting the command it could not run
/// (`sh: 1: ghp_…: not found`) must not show the credential pasted into it.
fn redact_command_words(text: &str, command: &str) -> String {
    let mut needles: Vec<&str> = Vec::new();
    for word in command.split_whitespace() {
        if !looks_like_secret(word) {
            continue;
        }
        let core = unquote(word);
        needles.extend([word, core]);
        needles.extend(
            core.split(|c: char| SEPARATORS.contains(&c) || "'\"`=$".contains(c))
                .filter(|p| random_piece(p)),
        );
        // `NAME=value` and `--flag=value`: the value on its own.
        if let Some((_, value)) = core.split_once('=') {
            needles.push(value);
        }
    }
    needles.retain(|n| n.chars().count() >= MIN_CREDENTIAL_CHARS);
    needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
    needles.dedup();
    let mut out = text.to_string();
    for needle in needles {
        out = out.replace(needle, "[redacted]");
    }
    out
}

/// A value without a leading UTF-8 byte-order mark, trimmed.
fn clean(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text).trim()
}

/// Reads a credential file: a regular file (or a link to one) of at most 64 KiB, UTF-8,
/// without a leading byte-order mark, trimmed, not empty. Devices, FIFOs and directories are
/// refused without being opened for reading, so this never blocks nor reads without end.
pub fn read_file(path: &Path) -> Result<Secret, CredentialError> {
    use std::os::unix::fs::OpenOptionsExt;
    let unreadable = |e: std::io::Error| CredentialError::FileUnreadable {
        path: path.to_path_buf(),
        reason: crate::error::describe(&e),
    };
    let check = |meta: &std::fs::Metadata| {
        if !meta.is_file() {
            Err(CredentialError::FileNotRegular {
                path: path.to_path_buf(),
            })
        } else if meta.len() > MAX_CREDENTIAL_BYTES as u64 {
            Err(CredentialError::FileTooLarge {
                path: path.to_path_buf(),
            })
        } else {
            Ok(())
        }
    };
    check(&std::fs::metadata(path).map_err(unreadable)?)?;
    // Non-blocking, and checked again once open: the path may have been replaced by a FIFO
    // in between. (O_NONBLOCK changes nothing for a regular file.)
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
        .open(path)
        .map_err(unreadable)?;
    check(&file.metadata().map_err(unreadable)?)?;
    let mut bytes = Vec::new();
    file.take(MAX_CREDENTIAL_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() > MAX_CREDENTIAL_BYTES {
        return Err(CredentialError::FileTooLarge {
            path: path.to_path_buf(),
        });
    }
    let text = String::from_utf8(bytes).map_err(|_| CredentialError::FileUnreadable {
        path: path.to_path_buf(),
        reason: "not UTF-8 text".into(),
    })?;
    let value = clean(&text);
    if value.is_empty() {
        return Err(CredentialError::FileEmpty {
            path: path.to_path_buf(),
        });
    }
    Ok(Secret::new(value))
}

fn read_env(var: &str) -> Result<Secret, CredentialError> {
    // `=`, NUL or an empty name cannot be set (and may make the lookup panic).
    let value = if var.is_empty() || var.contains(['=', '\0']) {
        None
    } else {
        std::env::var_os(var)
    };
    env_secret(var, value)
}

/// The secret an env variable holds: unset, set but blank, and not UTF-8 are told apart.
fn env_secret(var: &str, value: Option<std::ffi::OsString>) -> Result<Secret, CredentialError> {
    let value = value
        .ok_or_else(|| CredentialError::EnvUnset { var: var.into() })?
        .into_string()
        .map_err(|_| CredentialError::EnvNotUnicode { var: var.into() })?;
    match clean(&value) {
        "" => Err(CredentialError::EnvEmpty { var: var.into() }),
        value => Ok(Secret::new(value)),
    }
}

/// More than [`MAX_CREDENTIAL_BYTES`] on a command's stdout.
struct TooMuch;

/// Reads a pipe to its end into `buf`; what was read stays in `buf` if this is cancelled.
/// Past [`MAX_CREDENTIAL_BYTES`], a `strict` pipe (stdout) fails, another (stderr) is still
/// drained, so the command does not block on it, but no longer kept.
async fn drain<R: tokio::io::AsyncRead + Unpin>(
    pipe: &mut Option<R>,
    buf: &mut Vec<u8>,
    strict: bool,
) -> Result<(), TooMuch> {
    use tokio::io::AsyncReadExt;
    let Some(pipe) = pipe else { return Ok(()) };
    let mut chunk = [0u8; 4096];
    while let Ok(n) = pipe.read(&mut chunk).await {
        if n == 0 {
            break;
        }
        let room = MAX_CREDENTIAL_BYTES - buf.len();
        if n > room && strict {
            return Err(TooMuch);
        }
        buf.extend_from_slice(&chunk[..n.min(room)]);
    }
    Ok(())
}

/// Resolves a source to its secret. Env variables are read here, files read and trimmed,
/// commands run with `sh -c` (10 s limit, stdout trimmed). A credential shorter than four
/// characters is refused.
pub async fn resolve(source: &Source) -> Result<Credential, CredentialError> {
    let secret = match source {
        // Trimmed like every other source: an HTTP server drops the spaces around a header
        // value, so the credential it echoes is the trimmed one.
        Source::Inline { value, .. } => Secret::new(clean(value.expose())),
        Source::Env { var } => read_env(var)?,
        Source::File { path, .. } => read_file(path)?,
        Source::Command { command, at } => run_command(command, at, COMMAND_LIMIT).await?,
        Source::Keyring { entry } => read_keyring(entry.clone()).await?,
        Source::Given { value, .. } => Secret::new(clean(value.expose())),
    };
    if clean(secret.expose()).chars().count() < MIN_CREDENTIAL_CHARS {
        return Err(CredentialError::TooShort {
            from: source.describe(),
        });
    }
    Ok(Credential::new(secret, source.describe()))
}

/// Reads a keyring entry off the runtime's thread. [`crate::keychain`] bounds the call itself
/// (its own thread is left behind when it does not answer in time), so this task always ends.
async fn read_keyring(entry: crate::keychain::Entry) -> Result<Secret, CredentialError> {
    match tokio::task::spawn_blocking(move || entry.read()).await {
        Ok(result) => result
            .map(|s| Secret::new(clean(&s)))
            .map_err(|error| CredentialError::Keyring { error }),
        Err(_) => Err(CredentialError::Keyring {
            error: crate::keychain::KeyringError::Unavailable("the keyring call failed".into()),
        }),
    }
}

/// How a credential command ended.
enum Ended {
    Exited(std::process::ExitStatus),
    WaitFailed(std::io::Error),
    TimedOut,
    TooMuch,
}

/// Runs `command` with `sh -c` in its own process group. On timeout or too much stdout the
/// whole group is killed; after a successful exit nothing is killed (a helper the command
/// left in the background, an agent, keeps running).
async fn run_command(
    command: &Secret,
    at: &Location,
    limit: Duration,
) -> Result<Secret, CredentialError> {
    let fail = |what: String, stderr: &[u8]| {
        let text = crate::sanitize::terminal(String::from_utf8_lossy(stderr).trim());
        let text = redact_command_words(&text, command.expose());
        let text: String = text.chars().take(MAX_STDERR_CHARS).collect();
        CredentialError::Command {
            at: at.clone(),
            what,
            stderr: if text.is_empty() {
                String::new()
            } else {
                format!(": {text}")
            },
        }
    };
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command.expose())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            fail(
                format!("could not start sh: {}", crate::error::describe(&e)),
                b"",
            )
        })?;
    // The group's id is the child's pid. It is killed only on timeout (the child is not
    // reaped yet, so the number cannot have been reused) or on too much output (a member is
    // still writing to the pipe, which keeps the group's number reserved).
    let group = child
        .id()
        .and_then(|id| i32::try_from(id).ok())
        .map(nix::unistd::Pid::from_raw);
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let mut out_pipe = child.stdout.take();
    let mut err_pipe = child.stderr.take();
    let ended = {
        // Read while waiting (a full pipe would block the command), but finish on the
        // command's exit, not on its pipes closing: a helper it started in the background
        // (an agent) may keep them open long after the credential was printed.
        let reading = async {
            tokio::try_join!(
                drain(&mut out_pipe, &mut stdout, true),
                drain(&mut err_pipe, &mut stderr, false)
            )
            .map(|_| ())
        };
        tokio::pin!(reading);
        let mut pipes_closed = false;
        let waiting = async {
            tokio::select! {
                status = child.wait() => Ok(status),
                read = &mut reading => match read {
                    Err(TooMuch) => Err(TooMuch),
                    Ok(()) => {
                        pipes_closed = true;
                        Ok(child.wait().await)
                    }
                },
            }
        };
        match tokio::time::timeout(limit, waiting).await {
            Err(_) => Ended::TimedOut,
            Ok(Err(TooMuch)) => Ended::TooMuch,
            Ok(Ok(Err(e))) => Ended::WaitFailed(e),
            Ok(Ok(Ok(status))) if pipes_closed => Ended::Exited(status),
            Ok(Ok(Ok(status))) => match tokio::time::timeout(PIPE_GRACE, &mut reading).await {
                Ok(Err(TooMuch)) => Ended::TooMuch,
                _ => Ended::Exited(status),
            },
        }
    };
    let status = match ended {
        Ended::Exited(status) => status,
        Ended::WaitFailed(e) => {
            return Err(fail(format!("failed: {}", crate::error::describe(&e)), b""));
        }
        Ended::TimedOut | Ended::TooMuch => {
            if let Some(group) = group {
                let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
            }
            let _ = tokio::time::timeout(PIPE_GRACE, child.wait()).await;
            return Err(if matches!(ended, Ended::TimedOut) {
                fail(
                    format!(
                        "did not finish within {}",
                        humantime::format_duration(limit)
                    ),
                    b"",
                )
            } else {
                fail(
                    "printed more than 64 KiB on stdout: not a credential".into(),
                    &stderr,
                )
            });
        }
    };
    if !status.success() {
        let status = match status.code() {
            Some(code) => format!("exited with status {code}"),
            None => "was killed by a signal".to_string(),
        };
        return Err(fail(status, &stderr));
    }
    let stdout = String::from_utf8_lossy(&stdout);
    let value = clean(&stdout);
    if value.is_empty() {
        return Err(fail("printed nothing on stdout".into(), &stderr));
    }
    Ok(Secret::new(value))
}

/// `…` and the last four characters, for credentials of 16 characters or more: enough to tell
/// two keys apart, too little to use one.
pub fn hint(secret: &str) -> Option<String> {
    let chars: Vec<char> = secret.chars().collect();
    (chars.len() >= 16).then(|| {
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("…{tail}")
    })
}

/// The `exp` claim of a JWT, decoded and never verified: it only tells the user when the
/// credential stops working.
pub fn jwt_expiry(token: &str) -> Option<i64> {
    let mut parts = token.split('.');
    let (_header, payload, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = claims.get("exp")?;
    exp.as_i64().or_else(|| exp.as_f64().map(|f| f as i64))
}

/// Unix seconds as RFC 3339 UTC.
pub fn rfc3339(seconds: i64) -> Option<String> {
    jiff::Timestamp::from_second(seconds)
        .ok()
        .map(|t| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.sig",
            enc.encode(r#"{"alg":"HS256"}"#),
            enc.encode(claims)
        )
    }

    #[test]
    fn secret_never_formats() {
        let s = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{s}"), "[redacted]");
        assert_eq!(format!("{s:?}"), "[redacted]");
        let source = Source::Inline {
            value: s,
            at: Location {
                file: "c.toml".into(),
                line: 3,
            },
        };
        assert!(!format!("{source:?}").contains("hunter2"));
    }

    #[test]
    fn hints_only_long_credentials() {
        assert_eq!(hint("0123456789abcdef"), Some("…cdef".into()));
        assert_eq!(hint("short-token"), None);
    }

    #[test]
    fn decodes_jwt_expiry() {
        assert_eq!(
            jwt_expiry(&jwt(r#"{"exp":1700000000}"#)),
            Some(1_700_000_000)
        );
        assert_eq!(jwt_expiry(&jwt(r#"{"sub":"x"}"#)), None);
        assert_eq!(jwt_expiry("not-a-jwt"), None);
        assert_eq!(jwt_expiry("a.b.c.d"), None);
        assert_eq!(rfc3339(1_700_000_000).unwrap(), "2023-11-14T22:13:20Z");
    }

    #[tokio::test]
    async fn command_failure_names_status_and_stderr_not_stdout() {
        let at = Location {
            file: "c.toml".into(),
            line: 7,
        };
        let source = Source::Command {
            command: Secret::new("echo s3cr3t-out; echo oops >&2; exit 3"),
            at,
        };
        let err = resolve(&source).await.unwrap_err().to_string();
        assert!(err.contains("c.toml:7"), "{err}");
        assert!(err.contains("status 3"), "{err}");
        assert!(err.contains("oops"), "{err}");
        assert!(!err.contains("s3cr3t-out"), "{err}");
        assert!(!err.contains("echo"), "{err}");
    }

    #[tokio::test]
    async fn a_background_helper_holding_stdout_does_not_block() {
        let source = Source::Command {
            command: Secret::new("(sleep 5 &); echo tok-before-agent"),
            at: Location {
                file: "c.toml".into(),
                line: 1,
            },
        };
        let started = std::time::Instant::now();
        let cred = resolve(&source).await.unwrap();
        assert_eq!(cred.secret.expose(), "tok-before-agent");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test]
    async fn command_output_is_trimmed() {
        let source = Source::Command {
            command: Secret::new("printf '  tok-from-command \\n'"),
            at: Location {
                file: "c.toml".into(),
                line: 1,
            },
        };
        let cred = resolve(&source).await.unwrap();
        assert_eq!(cred.secret.expose(), "tok-from-command");
        assert_eq!(cred.info.source, "command (c.toml:1)");
    }

    fn at(line: usize) -> Location {
        Location {
            file: "c.toml".into(),
            line,
        }
    }

    fn command(text: &str) -> Source {
        Source::Command {
            command: Secret::new(text),
            at: at(1),
        }
    }

    fn file(path: &Path) -> Source {
        Source::File {
            path: path.to_path_buf(),
            at: None,
        }
    }

    const GITHUB: &str = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
    const SLACK: &str = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";

    #[test]
    fn pasted_credentials_look_like_secrets_and_names_do_not() {
        let jwt = jwt(r#"{"sub":"ada","exp":1700000000}"#);
        for secret in [
            GITHUB,
            "github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTU",
            "glpat-xB3kT9mQ2vL8nR4wZ7pY",
            SLACK,
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "d41d8cd98f00b204e9800998ecf8427e",
            jwt.as_str(),
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
            "550e8400-e29b-41d4-a716-446655440000",
            "AKIAIOSFODNN7EXAMPLE",
            "Bearer aB3dE5gH7jK9",
            "~/ghp_16C7e42F292c6912E7710c838347Ae178B4a",
            "'ghp_16C7e42F292c6912E7710c838347Ae178B4a'",
        ] {
            assert!(looks_like_secret(secret), "{secret}");
        }
        for name in [
            "CHATWOOT_API_TOKEN",
            "GITHUB_TOKEN",
            "~/.config/zitadel/pat",
            "/run/secrets/vaiz_token",
            "pass show chatwoot/selfhosted",
            "HTTP_PROXY",
            "/home/ada/.local/share/whoami/prod-2024.token",
            "WHOAMI_CHATWOOT_SELFHOSTED_TOKEN",
            "op read op://Private/Chatwoot/credential",
            "hf_models_directory_path",
            "whoami-chatwoot-credentials.production.json",
            "/var/run/secrets/kubernetes.io/serviceaccount/token",
            "",
        ] {
            assert!(!looks_like_secret(name), "{name}");
        }
    }

    #[test]
    fn variable_names() {
        for name in ["CW_TOKEN", "_x", "a", "A1_B2", &"V".repeat(128)] {
            assert!(is_variable_name(name), "{name}");
        }
        for text in ["", "1ABC", "MY-VAR", "A B", "A=B", "é", &"V".repeat(129)] {
            assert!(!is_variable_name(text), "{text}");
        }
    }

    #[test]
    fn sources_that_look_pasted_are_described_as_redacted() {
        let env = |var: &str| Source::Env { var: var.into() }.describe();
        assert_eq!(env("CW_TOKEN"), "env CW_TOKEN");
        assert_eq!(env(GITHUB), "env [redacted]");
        assert_eq!(env(SLACK), "env [redacted]");
        assert_eq!(env("not a variable"), "env [redacted]");
        assert_eq!(
            file(Path::new("/run/secrets/vaiz_token")).describe(),
            "file /run/secrets/vaiz_token"
        );
        assert_eq!(file(Path::new(GITHUB)).describe(), "file [redacted]");
        for error in [
            CredentialError::EnvUnset { var: GITHUB.into() },
            CredentialError::EnvEmpty { var: GITHUB.into() },
            CredentialError::EnvNotUnicode { var: GITHUB.into() },
            CredentialError::FileEmpty {
                path: GITHUB.into(),
            },
            CredentialError::FileNotRegular {
                path: GITHUB.into(),
            },
            CredentialError::FileTooLarge {
                path: GITHUB.into(),
            },
            CredentialError::FileUnreadable {
                path: GITHUB.into(),
                reason: "entity not found".into(),
            },
        ] {
            let text = error.to_string();
            assert!(
                text.contains("[redacted]") && !text.contains("16C7e42F"),
                "{text}"
            );
        }
    }

    #[test]
    fn unset_and_empty_env_variables_are_told_apart() {
        let err = |value: Option<&str>| {
            env_secret("CW_TOKEN", value.map(Into::into))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(err(None), "environment variable CW_TOKEN is not set");
        for blank in ["", "  \n", "\u{feff}"] {
            assert_eq!(
                err(Some(blank)),
                "environment variable CW_TOKEN is set but empty: is the CI secret defined?"
            );
        }
        let secret = env_secret("CW_TOKEN", Some("\u{feff} tok-from-env\n".into())).unwrap();
        assert_eq!(secret.expose(), "tok-from-env");
        let err = read_env("WHOAMI_TEST_SURELY_UNSET_7F3A").unwrap_err();
        assert!(matches!(err, CredentialError::EnvUnset { .. }));
        assert!(matches!(
            read_env("A=B").unwrap_err(),
            CredentialError::EnvUnset { .. }
        ));
    }

    #[tokio::test]
    async fn credentials_shorter_than_four_characters_are_refused() {
        let inline = |value: &str| Source::Inline {
            value: Secret::new(value),
            at: at(2),
        };
        for short in ["a", "abc", "  ab \n", "é€"] {
            let err = resolve(&inline(short)).await.unwrap_err().to_string();
            assert_eq!(
                err,
                "the credential from inline (c.toml:2) is shorter than 4 characters; \
                 refusing to send something that cannot be redacted from output"
            );
        }
        assert!(resolve(&inline("abcd")).await.is_ok());
        let err = resolve(&command("echo ab")).await.unwrap_err().to_string();
        assert!(
            err.contains("command (c.toml:1) is shorter than 4"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn devices_fifos_and_directories_are_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        for path in [Path::new("/dev/zero"), &fifo, dir.path()] {
            let started = std::time::Instant::now();
            let err = resolve(&file(path)).await.unwrap_err();
            assert!(
                matches!(err, CredentialError::FileNotRegular { .. }),
                "{}: {err}",
                path.display()
            );
            assert_eq!(
                err.to_string(),
                format!(
                    "credential file {} is not a regular file (a device, FIFO or directory)",
                    path.display()
                )
            );
            assert!(started.elapsed() < Duration::from_secs(1));
        }
    }

    #[tokio::test]
    async fn files_are_at_most_64_kib() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        std::fs::write(&path, "a".repeat(MAX_CREDENTIAL_BYTES)).unwrap();
        let cred = resolve(&file(&path)).await.unwrap();
        assert_eq!(cred.secret.expose().len(), MAX_CREDENTIAL_BYTES);
        std::fs::write(&path, "a".repeat(MAX_CREDENTIAL_BYTES + 1)).unwrap();
        let err = resolve(&file(&path)).await.unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "credential file {} is larger than 64 KiB: not a credential",
                path.display()
            )
        );
    }

    #[tokio::test]
    async fn file_credentials_lose_their_bom_and_links_are_followed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "\u{feff}tok-from-file\r\n").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        for source in [file(&path), file(&link)] {
            let cred = resolve(&source).await.unwrap();
            assert_eq!(cred.secret.expose(), "tok-from-file");
        }
        std::fs::write(&path, [0xff, 0xfe, b'a', b'b', b'c', b'd']).unwrap();
        let err = resolve(&file(&path)).await.unwrap_err().to_string();
        assert!(err.ends_with(": not UTF-8 text"), "{err}");
    }

    #[tokio::test]
    async fn empty_files_say_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        for blank in ["", " \n\t\n", "\u{feff}\n"] {
            std::fs::write(&path, blank).unwrap();
            let err = resolve(&file(&path)).await.unwrap_err().to_string();
            assert_eq!(
                err,
                format!(
                    "credential file {} is empty: is the CI secret defined?",
                    path.display()
                )
            );
        }
    }

    #[tokio::test]
    async fn command_output_loses_its_bom() {
        let cred = resolve(&command(r"printf '\357\273\277tok-from-command\n'"))
            .await
            .unwrap();
        assert_eq!(cred.secret.expose(), "tok-from-command");
    }

    #[tokio::test]
    async fn command_stdout_is_capped_and_stderr_kept_bounded() {
        let started = std::time::Instant::now();
        let err = resolve(&command(r"head -c 100000 /dev/zero | tr '\0' a"))
            .await
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "credential command (c.toml:1) printed more than 64 KiB on stdout: not a credential"
        );
        // Endless output: stopped at the cap, not at the time limit.
        let err = resolve(&command("yes tok")).await.unwrap_err().to_string();
        assert!(err.contains("more than 64 KiB"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));

        let err = resolve(&command(
            r"head -c 1000000 /dev/zero | tr '\0' e >&2; exit 1",
        ))
        .await
        .unwrap_err()
        .to_string();
        assert!(err.contains("status 1: eeee"), "{err}");
        assert!(err.len() < 600, "{}", err.len());
    }

    fn gone(pid: nix::unistd::Pid) -> bool {
        match nix::sys::signal::kill(pid, None) {
            Err(nix::errno::Errno::ESRCH) => true,
            // Killed but not yet reaped (its new parent may not reap at once).
            Ok(()) => std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .map(|stat| stat.rsplit(") ").next().is_some_and(|s| s.starts_with('Z')))
                .unwrap_or(true),
            Err(_) => false,
        }
    }

    #[tokio::test]
    async fn a_command_over_its_limit_is_killed_with_its_children() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("pid");
        let text = format!("sleep 30 & echo $! > {}; sleep 30", pidfile.display());
        let started = std::time::Instant::now();
        let err = run_command(&Secret::new(text), &at(4), Duration::from_millis(300))
            .await
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "credential command (c.toml:4) did not finish within 300ms"
        );
        assert!(started.elapsed() < Duration::from_secs(2));
        let pid: i32 = std::fs::read_to_string(&pidfile)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let pid = nix::unistd::Pid::from_raw(pid);
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        while !gone(pid) && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(gone(pid), "the background sleep {pid} outlived the command");
    }

    #[test]
    fn command_words_that_look_like_secrets_are_redacted_from_stderr() {
        let cmd = format!("curl -H 'Authorization: token {GITHUB}' TOKEN={SLACK} x");
        let stderr = format!("sh: 1: {GITHUB}: not found; {SLACK}; curl: x failed");
        let out = redact_command_words(&stderr, &cmd);
        assert_eq!(
            out,
            "sh: 1: [redacted]: not found; [redacted]; curl: x failed"
        );
        assert_eq!(
            redact_command_words("no such file", "cat x"),
            "no such file"
        );
    }

    #[tokio::test]
    async fn a_pasted_command_does_not_show_in_its_error() {
        let err = resolve(&command(GITHUB)).await.unwrap_err().to_string();
        assert!(err.contains("status 127"), "{err}");
        assert!(err.contains("[redacted]"), "{err}");
        assert!(!err.contains("16C7e42F"), "{err}");
    }
}
