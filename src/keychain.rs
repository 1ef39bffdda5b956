//! The OS keyring (README, "Storing credentials"): the Secret Service on Linux and the BSDs,
//! the Keychain on macOS, the Credential Manager on Windows, through the `keyring` crate.
//!
//! An entry is a service and a user (`{ keyring = "whoami/work" }`: service `whoami`, user
//! `work`). Every call may block on D-Bus or an unlock prompt: call these off the async
//! runtime. Errors never carry the keyring's own error value, which may hold the secret's
//! bytes (a value that is not UTF-8); only the platform's reason is kept.

use std::fmt;
use std::time::Duration;

/// The service `whoami login` stores under; the user is the account's name.
pub const SERVICE: &str = "whoami";

/// A keyring entry, `service/user`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub service: String,
    pub user: String,
}

impl Entry {
    /// Parses `service/user` (the user may hold further slashes).
    pub fn parse(text: &str) -> Option<Entry> {
        let (service, user) = text.split_once('/')?;
        (!service.trim().is_empty() && !user.trim().is_empty()).then(|| Entry {
            service: service.to_string(),
            user: user.to_string(),
        })
    }

    /// The entry `whoami login` uses for an account.
    pub fn for_account(account: &str) -> Entry {
        Entry {
            service: SERVICE.to_string(),
            user: account.to_string(),
        }
    }

    fn open(&self) -> Result<keyring::Entry, KeyringError> {
        if let Err(e) = keyring::Entry::store_status() {
            return Err(KeyringError::Unavailable(reason(e)));
        }
        keyring::Entry::new(&self.service, &self.user).map_err(|e| convert(e, self))
    }

    /// The stored secret.
    pub fn read(&self) -> Result<String, KeyringError> {
        self.limited("read", |entry| {
            entry.open()?.get_password().map_err(|e| convert(e, entry))
        })
    }

    /// Stores `secret`, replacing what was there.
    pub fn store(&self, secret: &str) -> Result<(), KeyringError> {
        let secret = secret.to_string();
        self.limited("store", move |entry| {
            entry
                .open()?
                .set_password(&secret)
                .map_err(|e| convert(e, entry))
        })
    }

    /// Removes the stored secret; `Ok(false)` when there was none.
    pub fn delete(&self) -> Result<bool, KeyringError> {
        self.limited("delete", |entry| match entry.open()?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(convert(e, entry)),
        })
    }

    /// Runs one keyring call on a thread of its own, at most [`limit`]: D-Bus, or an unlock
    /// prompt nobody answers, may block for ever. A call that does not answer in time is left
    /// behind (the process does not wait for it at exit), its outcome unknown.
    fn limited<T: Send + 'static>(
        &self,
        what: &str,
        call: impl FnOnce(&Entry) -> Result<T, KeyringError> + Send + 'static,
    ) -> Result<T, KeyringError> {
        let entry = self.clone();
        bounded(&self.to_string(), what, move || call(&entry))
    }
}

/// Runs `call` on a thread of its own, at most [`limit`] (see [`Entry::limited`]).
fn bounded<T: Send + 'static>(
    entry: &str,
    what: &str,
    call: impl FnOnce() -> Result<T, KeyringError> + Send + 'static,
) -> Result<T, KeyringError> {
    let (send, receive) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("keyring".into())
        .spawn(move || {
            let _ = send.send(call());
        });
    if let Err(e) = spawned {
        return Err(KeyringError::Unavailable(e.to_string()));
    }
    let limit = limit();
    receive.recv_timeout(limit).unwrap_or_else(|e| {
            Err(KeyringError::Failed {
                entry: entry.to_string(),
                reason: match e {
                    std::sync::mpsc::RecvTimeoutError::Timeout => format!(
                        "no answer to the {what} within {} s (is the keyring waiting to be unlocked?); its outcome is unknown",
                        limit.as_secs()
                    ),
                    std::sync::mpsc::RecvTimeoutError::Disconnected => {
                        format!("the {what} failed")
                    }
                },
            })
        })
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.service, self.user)
    }
}

/// How long a keyring call may take: 10 s, like a credential command; a minute when someone
/// is at the terminal to answer an unlock prompt.
pub fn limit() -> Duration {
    use std::io::IsTerminal;
    match std::io::stdin().is_terminal() || std::io::stderr().is_terminal() {
        true => Duration::from_secs(60),
        false => Duration::from_secs(10),
    }
}

/// Whether a keyring can be reached at all: `Err` says why not.
pub fn available() -> Result<(), KeyringError> {
    bounded("the OS keyring", "connection", || {
        keyring::Entry::store_status()
            .as_ref()
            .map(|_| ())
            .map_err(|e| KeyringError::Unavailable(reason(e)))
    })
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    /// No keyring to talk to (no D-Bus session, no Secret Service, a locked store).
    #[error("no OS keyring available ({0})")]
    Unavailable(String),
    #[error("the OS keyring holds no secret for {0}")]
    Missing(String),
    #[error("the secret stored for {0} is not UTF-8 text")]
    NotText(String),
    #[error("the OS keyring failed for {entry}: {reason}")]
    Failed { entry: String, reason: String },
}

fn convert(error: keyring::Error, entry: &Entry) -> KeyringError {
    match error {
        keyring::Error::NoEntry => KeyringError::Missing(entry.to_string()),
        keyring::Error::BadEncoding(_) | keyring::Error::BadDataFormat(..) => {
            KeyringError::NotText(entry.to_string())
        }
        keyring::Error::NoStorageAccess(_) | keyring::Error::NoDefaultStore => {
            KeyringError::Unavailable(reason(&error))
        }
        other => KeyringError::Failed {
            entry: entry.to_string(),
            reason: reason(&other),
        },
    }
}

/// The platform's reason, one line, without the value-carrying variants.
fn reason(error: &keyring::Error) -> String {
    let text = match error {
        keyring::Error::PlatformFailure(e) | keyring::Error::NoStorageAccess(e) => e.to_string(),
        keyring::Error::NoDefaultStore => "no credential store on this platform".to_string(),
        keyring::Error::NoEntry => "no such entry".to_string(),
        keyring::Error::TooLong(what, max) => format!("{what} is longer than {max}"),
        keyring::Error::Invalid(what, why) => format!("{what} {why}"),
        keyring::Error::Ambiguous(_) => "several entries match".to_string(),
        keyring::Error::NotSupportedByStore(what) => what.clone(),
        _ => "unexpected error".to_string(),
    };
    crate::sanitize::terminal(&text.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_parse_as_service_and_user() {
        let e = Entry::parse("whoami/work").unwrap();
        assert_eq!((e.service.as_str(), e.user.as_str()), ("whoami", "work"));
        assert_eq!(Entry::parse("a/b/c").unwrap().user, "b/c");
        for bad in ["whoami", "/work", "whoami/", " /x", ""] {
            assert_eq!(Entry::parse(bad), None, "{bad:?}");
        }
        assert_eq!(Entry::for_account("ci").to_string(), "whoami/ci");
    }
}
