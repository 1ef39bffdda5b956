//! Where a credential comes from, and the [`Secret`] that carries it to the request.
//!
//! A credential must never reach output, errors or logs. [`Secret`] prints `[redacted]` in
//! both `Debug` and `Display`, is never `Serialize`, and is only opened where a request header
//! is built. Errors from a credential command name its exit status and stderr, never its
//! stdout (the secret) and never the command text (it may embed one).

use std::fmt;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};

use crate::profile::CredentialInfo;

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

/// One of the four credential sources of SPEC §2.
#[derive(Debug, Clone)]
pub enum Source {
    Inline { value: Secret, at: Location },
    Env { var: String },
    File { path: PathBuf, at: Option<Location> },
    Command { command: Secret, at: Location },
}

impl Source {
    /// How `credential.source` describes this source.
    pub fn describe(&self) -> String {
        match self {
            Source::Inline { at, .. } => format!("inline ({at})"),
            Source::Env { var } => format!("env {var}"),
            Source::File { path, .. } => format!("file {}", path.display()),
            Source::Command { at, .. } => format!("command ({at})"),
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
        };
        Credential {
            secret,
            info,
            expires_at,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error("environment variable {var} is not set or empty")]
    EnvMissing { var: String },
    #[error("cannot read credential file {}: {reason}", path.display())]
    FileUnreadable { path: PathBuf, reason: String },
    #[error("credential file {} is empty", path.display())]
    FileEmpty { path: PathBuf },
    #[error("credential command ({at}) {what}{stderr}")]
    Command {
        at: Location,
        what: String,
        stderr: String,
    },
}

/// How long a credential command may run.
const COMMAND_LIMIT: Duration = Duration::from_secs(10);
/// How long to keep reading a command's output after it exited.
const PIPE_GRACE: Duration = Duration::from_millis(200);

/// Reads a pipe to its end into `buf`; what was read stays in `buf` if this is cancelled.
async fn drain<R: tokio::io::AsyncRead + Unpin>(pipe: &mut Option<R>, buf: &mut Vec<u8>) {
    use tokio::io::AsyncReadExt;
    let Some(pipe) = pipe else { return };
    let mut chunk = [0u8; 4096];
    while let Ok(n) = pipe.read(&mut chunk).await {
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Resolves a source to its secret. Env variables are read here, files read and trimmed,
/// commands run with `sh -c` (10 s limit, stdout trimmed).
pub async fn resolve(source: &Source) -> Result<Credential, CredentialError> {
    let secret = match source {
        Source::Inline { value, .. } => value.clone(),
        Source::Env { var } => match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => Secret::new(v.trim()),
            _ => return Err(CredentialError::EnvMissing { var: var.clone() }),
        },
        Source::File { path, .. } => {
            let text =
                std::fs::read_to_string(path).map_err(|e| CredentialError::FileUnreadable {
                    path: path.clone(),
                    reason: e.kind().to_string(),
                })?;
            let trimmed = text.trim();
            if trimmed.is_empty() {
                return Err(CredentialError::FileEmpty { path: path.clone() });
            }
            Secret::new(trimmed)
        }
        Source::Command { command, at } => run_command(command, at).await?,
    };
    Ok(Credential::new(secret, source.describe()))
}

async fn run_command(command: &Secret, at: &Location) -> Result<Secret, CredentialError> {
    let fail = |what: String, stderr: &[u8]| {
        let text = crate::sanitize::terminal(String::from_utf8_lossy(stderr).trim());
        let text: String = text.chars().take(500).collect();
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
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| fail(format!("could not start sh: {}", e.kind()), b""))?;
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let mut out_pipe = child.stdout.take();
    let mut err_pipe = child.stderr.take();
    let status = {
        // Read while waiting (a full pipe would block the command), but finish on the
        // command's exit, not on its pipes closing: a helper it started in the background
        // (an agent) may keep them open long after the credential was printed.
        let reading = async {
            tokio::join!(
                drain(&mut out_pipe, &mut stdout),
                drain(&mut err_pipe, &mut stderr)
            )
        };
        tokio::pin!(reading);
        let mut pipes_closed = false;
        let waiting = async {
            tokio::select! {
                status = child.wait() => status,
                _ = &mut reading => {
                    pipes_closed = true;
                    child.wait().await
                }
            }
        };
        let status = match tokio::time::timeout(COMMAND_LIMIT, waiting).await {
            Ok(Ok(status)) => status,
            Ok(Err(e)) => return Err(fail(format!("failed: {}", e.kind()), b"")),
            Err(_) => return Err(fail("did not finish within 10s".into(), b"")),
        };
        if !pipes_closed {
            let _ = tokio::time::timeout(PIPE_GRACE, &mut reading).await;
        }
        status
    };
    let output = std::process::Output {
        status,
        stdout,
        stderr,
    };
    if !output.status.success() {
        let status = match output.status.code() {
            Some(code) => format!("exited with status {code}"),
            None => "was killed by a signal".to_string(),
        };
        return Err(fail(status, &output.stderr));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let value = stdout.trim();
    if value.is_empty() {
        return Err(fail("printed nothing on stdout".into(), &output.stderr));
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
}
