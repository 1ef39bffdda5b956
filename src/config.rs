//! The TOML config and the environment, turned into accounts (README, "Configuration").
//!
//! This module knows no provider: it turns the file and the `WHOAMI_*` variables into account
//! *declarations* (a name, the provider id as written, the common keys, and every other key
//! kept as written with where it came from). Binding a declaration to its provider, checking
//! its settings and applying a provider SDK's own variables is the next step's (src/bind.rs).
//! Every error carries the file, line, column and key but never quotes the source line, which
//! may hold an inline secret or a command.
//!
//! Errors in the file are reported at once (a broken file is broken for every account).
//! Problems that come from the environment or from required settings belong to one account and
//! are reported only when that account is selected, or by `config check`.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::cli::{ColorChoice, Format, parse_timeout};
use crate::credential::{Location, Secret, Source};

/// The keys every account takes.
pub const COMMON_KEYS: &[&str] = &["provider", "base_url", "token", "ca_cert", "timeout"];
/// Whether every account takes this key (a definition's setting may not be named so).
pub fn is_common_key(key: &str) -> bool {
    COMMON_KEYS.contains(&key) || key == "name"
}

/// How one key's text is read into its place: the file and the `WHOAMI_*` variables go
/// through the same table, so a key cannot mean two things.
type Setter<T> = fn(&mut T, &str) -> Result<(), String>;

/// The keys of `[defaults]` (`WHOAMI_DEFAULTS_<KEY>`).
const DEFAULTS: &[(&str, Setter<Defaults>)] = &[
    ("output", |d, v| {
        d.output = Some(check_output(v)?);
        Ok(())
    }),
    ("timeout", |d, v| {
        d.timeout = Some(parse_timeout(v)?);
        Ok(())
    }),
    ("retries", |d, v| {
        d.retries = Some(whole(v)?);
        Ok(())
    }),
    ("jobs", |d, v| match whole(v)? {
        0 => Err("must be at least 1".into()),
        jobs => {
            d.jobs = Some(jobs);
            Ok(())
        }
    }),
    ("color", |d, v| {
        d.color = Some(check_color(v)?);
        Ok(())
    }),
];

/// The common keys of an account that this layer reads itself (`token` has forms of its own;
/// the file's `base_url` and every other key are left for the provider, src/bind.rs).
const ACCOUNT: &[(&str, Setter<Declaration>)] = &[
    ("ca_cert", |a, v| {
        a.ca_cert = Some(expand_tilde(v));
        Ok(())
    }),
    ("timeout", |a, v| {
        a.timeout = Some(parse_timeout(v)?);
        Ok(())
    }),
];

/// The names of [`DEFAULTS`].
const DEFAULT_KEYS: &[&str] = &["output", "timeout", "retries", "jobs", "color"];

/// A non-negative whole number.
fn whole<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    text.trim()
        .replace('_', "")
        .parse()
        .map_err(|_| "must be a non-negative whole number".to_string())
}

/// A key's setter in a table.
fn setter<T>(table: &[(&str, Setter<T>)], key: &str) -> Option<Setter<T>> {
    table.iter().find(|(k, _)| *k == key).map(|(_, set)| *set)
}

#[derive(Debug)]
pub struct Config {
    /// The file that was read, if any.
    pub file: Option<PathBuf>,
    /// The path a config would be read from (shown by `config path`, written by `init`).
    pub path: PathBuf,
    pub defaults: Defaults,
    /// In configuration order: the file's accounts, then those made from the environment.
    pub accounts: Vec<Declaration>,
    /// The file's text, for the inline definitions of custom accounts (read with their spans
    /// when they are bound).
    pub text: Option<String>,
    /// `WHOAMI_*` variables that name no account and no key: warned about (a typo must not
    /// silently do nothing).
    pub unclaimed: Vec<String>,
    /// Problems in the file's keys and values, one per key. Reported together with what the
    /// binding step finds (src/bind.rs), so that one run names every problem.
    pub errors: Vec<ConfigError>,
}

#[derive(Debug, Default, Clone)]
pub struct Defaults {
    pub output: Option<Format>,
    pub timeout: Option<Duration>,
    pub retries: Option<u32>,
    pub jobs: Option<usize>,
    pub color: Option<ColorChoice>,
}

/// An account as the config file and the environment declare it, before it is bound to its
/// provider.
#[derive(Debug, Clone, Default)]
pub struct Declaration {
    pub name: String,
    /// The provider id as written (`provider = "…"`, or `WHOAMI_<ACCOUNT>_PROVIDER` for an
    /// account made from the environment); `None` means the account's name.
    pub provider: Option<String>,
    /// Where `provider` is written in the file (a byte offset), to point an error at it.
    pub provider_at: Option<usize>,
    /// `WHOAMI_<ACCOUNT>_BASE_URL`, checked. The file's `base_url` is one of `keys` (a custom
    /// account has `url` instead).
    pub base_url: Option<String>,
    pub token: Option<Source>,
    pub ca_cert: Option<PathBuf>,
    pub timeout: Option<Duration>,
    /// Every other key, in order: provider settings, or an inline definition's keys.
    pub keys: Vec<Key>,
    /// Where the account's table starts, for file accounts.
    pub at: Option<Location>,
    /// The table's byte offset in the file.
    pub offset: Option<usize>,
    /// Problems that stop this account (and only it) from being checked.
    pub problems: Vec<ConfigError>,
    /// For an account made from the environment, the variable that made it.
    pub from_var: Option<String>,
}

impl Declaration {
    /// A declaration with nothing set but its name (an account made from the environment).
    pub fn new(name: impl Into<String>) -> Declaration {
        Declaration {
            name: name.into(),
            ..Declaration::default()
        }
    }

    /// The provider id: as written, else the account's name.
    pub fn provider_id(&self) -> &str {
        self.provider.as_deref().unwrap_or(&self.name)
    }
}

/// A key the config layer does not interpret, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub name: String,
    /// The value when it is a string; otherwise its TOML type, for the error.
    pub value: Result<String, &'static str>,
    pub from: KeyFrom,
}

/// Where a [`Key`] was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyFrom {
    /// Byte offsets of the key and of its value in the config file.
    File { key: usize, value: usize },
    /// A variable (`WHOAMI_<ACCOUNT>_<KEY>`).
    Env(String),
}

pub fn env_var_name(account: &str, key: &str) -> String {
    format!(
        "WHOAMI_{}_{}",
        account.to_ascii_uppercase().replace('-', "_"),
        key.to_ascii_uppercase()
    )
}

/// A configuration problem. Displayed as `FILE:LINE:COLUMN: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: Option<PathBuf>,
    pub line: Option<(usize, usize)>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some((line, col))) => {
                write!(f, "{}:{line}:{col}: {}", file.display(), self.message)
            }
            (Some(file), None) => write!(f, "{}: {}", file.display(), self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Lets `?` turn one problem into a list of them, for loaders that report every problem.
impl From<ConfigError> for Vec<ConfigError> {
    fn from(error: ConfigError) -> Self {
        vec![error]
    }
}

/// Every problem found in a config, each with its own location.
#[derive(Debug)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl From<ConfigError> for ConfigErrors {
    fn from(error: ConfigError) -> Self {
        ConfigErrors(vec![error])
    }
}

impl ConfigErrors {
    pub fn messages(&self) -> Vec<String> {
        self.0.iter().map(ToString::to_string).collect()
    }
}

impl ConfigError {
    /// A problem in a file other than the config (a provider definition).
    pub fn in_file(file: &Path, line: Option<usize>, message: impl Into<String>) -> Self {
        ConfigError {
            file: Some(file.to_path_buf()),
            line: line.map(|l| (l, 1)),
            message: message.into(),
        }
    }

    fn plain(message: impl Into<String>) -> Self {
        ConfigError {
            file: None,
            line: None,
            message: message.into(),
        }
    }
}

/// Where the config comes from: `--config`, else `$WHOAMI_CONFIG`, else the default path.
pub fn locate(flag: Option<&Path>, env: &Env) -> (PathBuf, bool) {
    if let Some(path) = flag {
        return (path.to_path_buf(), true);
    }
    if let Some(path) = env.get("WHOAMI_CONFIG").filter(|p| !p.is_empty()) {
        return (PathBuf::from(path), true);
    }
    if let Some(path) = &env.config_path {
        return (path.clone(), true);
    }
    (default_path(), false)
}

/// `<config dir>/whoami/config.toml` (`$XDG_CONFIG_HOME/whoami/config.toml` on Linux).
pub fn default_path() -> PathBuf {
    config_dir(
        std::env::var_os("XDG_CONFIG_HOME").as_deref(),
        std::env::var_os("HOME").as_deref(),
    )
    .map(|d| d.join("whoami").join("config.toml"))
    .unwrap_or_else(|| PathBuf::from("whoami.toml"))
}

/// Where the platform's own convention would have put the config (`~/Library/Application
/// Support/whoami` on macOS), when that differs from [`default_path`]'s: a file found there is
/// pointed out rather than silently ignored.
pub fn platform_path() -> Option<PathBuf> {
    let platform = directories::BaseDirs::new()?
        .config_dir()
        .join("whoami")
        .join("config.toml");
    (platform != default_path()).then_some(platform)
}

/// The configuration folder, the way gh and kubectl users expect it on every Unix, macOS
/// included: `$XDG_CONFIG_HOME` when it is an absolute path, else `~/.config` (not
/// `~/Library/Application Support`).
pub fn config_dir(
    xdg_config_home: Option<&std::ffi::OsStr>,
    home: Option<&std::ffi::OsStr>,
) -> Option<PathBuf> {
    if let Some(xdg) = xdg_config_home.map(PathBuf::from)
        && xdg.is_absolute()
    {
        return Some(xdg);
    }
    match home.map(PathBuf::from).filter(|h| h.is_absolute()) {
        Some(home) => Some(home.join(".config")),
        None => directories::BaseDirs::new().map(|d| d.config_dir().to_path_buf()),
    }
}

/// A snapshot of the environment, so that loading is a pure function of its inputs.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
    /// `WHOAMI_CONFIG` when it is not UTF-8: still a path, and still the config to read.
    config_path: Option<PathBuf>,
    /// `WHOAMI_*` variables whose value is not UTF-8: an error, never silently ignored.
    not_utf8: Vec<String>,
}

impl Env {
    pub fn from_process() -> Env {
        let mut env = Env::default();
        for (key, value) in std::env::vars_os() {
            let Ok(key) = key.into_string() else { continue };
            match value.into_string() {
                Ok(value) => {
                    env.vars.insert(key, value);
                }
                Err(value) if key == "WHOAMI_CONFIG" => env.config_path = Some(value.into()),
                Err(_) if key.starts_with("WHOAMI_") => env.not_utf8.push(key),
                Err(_) => {}
            }
        }
        env
    }

    /// An environment of these variables only (for tests and tools).
    pub fn from_vars<'a>(vars: impl IntoIterator<Item = (&'a str, &'a str)>) -> Env {
        Env {
            vars: vars
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Env::default()
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.vars.get(key).map(String::as_str)
    }
}

/// Loads the config file (when there is one) and applies the environment.
pub fn load(flag: Option<&Path>, env: &Env) -> Result<Config, ConfigErrors> {
    let (path, explicit) = locate(flag, env);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => None,
        Err(e) => {
            let hint = if e.kind() == std::io::ErrorKind::NotFound {
                " (`whoami init` creates it)"
            } else {
                ""
            };
            return Err(ConfigError {
                file: Some(path),
                line: None,
                message: format!(
                    "cannot read the config file: {}{hint}",
                    crate::error::describe(&e)
                ),
            }
            .into());
        }
    };
    from_text(text, path, env)
}

/// A config from a file's text (`None`: no file) and the environment.
pub fn from_text(text: Option<String>, path: PathBuf, env: &Env) -> Result<Config, ConfigErrors> {
    let (defaults, mut accounts, errors) = match &text {
        Some(text) => parse_partial(text, &path)?,
        None => (Defaults::default(), Vec::new(), Vec::new()),
    };
    let mut unclaimed = Vec::new();
    let defaults = apply_env(defaults, &mut accounts, env, &mut unclaimed)?;
    unclaimed.sort();
    unclaimed.dedup();
    Ok(Config {
        file: text.as_ref().map(|_| path.clone()),
        path,
        defaults,
        accounts,
        text,
        errors,
        unclaimed,
    })
}

/// Parses a config document. `file` is only used in messages and credential locations.
/// Reports every problem it finds, not only the first: one per key of each table.
pub fn parse(text: &str, file: &Path) -> Result<(Defaults, Vec<Declaration>), ConfigErrors> {
    let (defaults, accounts, errors) = parse_partial(text, file)?;
    match errors.is_empty() {
        true => Ok((defaults, accounts)),
        false => Err(ConfigErrors(errors)),
    }
}

/// Parses a config document as far as it goes: an error only when it is not TOML; otherwise
/// the declarations (an account with a bad key is still declared) and every problem found.
fn parse_partial(
    text: &str,
    file: &Path,
) -> Result<(Defaults, Vec<Declaration>, Vec<ConfigError>), ConfigErrors> {
    let ctx = Ctx::new(text, file);
    // The parser recovers and may report several errors; the first in the file is the cause.
    let (doc, errors) = DeTable::parse_recoverable(text);
    if let Some(e) = errors
        .iter()
        .min_by_key(|e| e.span().map_or(usize::MAX, |s| s.start))
    {
        // Never the source text: an unquoted inline secret is exactly what breaks a file.
        let offset = e.span().map(|s| s.start);
        let key = offset
            .and_then(|o| key_at(text, o))
            .map(|k| format!(" (key `{k}`)"))
            .unwrap_or_default();
        return Err(ConfigError {
            file: Some(file.to_path_buf()),
            line: offset.map(|o| position(text, o)),
            message: format!("invalid TOML: {}{key}", parser_message(e.message())),
        }
        .into());
    }
    let mut defaults = Defaults::default();
    let mut accounts = Vec::new();
    let mut errors = Vec::new();
    for (key, value) in doc.get_ref().iter() {
        let name = key.get_ref().as_ref();
        let shown = shown(name);
        let Some(table) = value.get_ref().as_table() else {
            errors.push(ctx.error(
                key.span().start,
                format!(
                    "`{shown}` must be a table: an account (`[{shown}]`) or `[defaults]`, not a {}",
                    value.get_ref().type_str()
                ),
            ));
            continue;
        };
        match name {
            "defaults" => match ctx.defaults(table) {
                Ok(d) => defaults = d,
                Err(e) => errors.push(e),
            },
            "config" => errors.push(ctx.error(
                key.span().start,
                "`[config]` is a reserved name; choose another account name".to_string(),
            )),
            _ => match ctx.account(name, key.span().start, table) {
                Ok((account, problems)) => {
                    accounts.push(account);
                    errors.extend(problems);
                }
                Err(e) => errors.push(e),
            },
        }
    }
    // `[a-b]` and `[a_b]`, or `[chatwoot]` and `[CHATWOOT]`, share their WHOAMI_* variables:
    // one of them would silently take the other's credential.
    let mut prefixes: HashMap<String, &str> = HashMap::with_capacity(accounts.len());
    for later in &accounts {
        let prefix = env_var_name(&later.name, "");
        match prefixes.get(&prefix) {
            Some(earlier) => errors.push(ConfigError {
                file: Some(file.to_path_buf()),
                line: later.at.as_ref().map(|at| (at.line, 1)),
                message: format!(
                    "accounts `{earlier}` and `{}` both map to {prefix}* variables; rename one",
                    later.name,
                ),
            }),
            None => {
                prefixes.insert(prefix, &later.name);
            }
        }
    }
    Ok((defaults, accounts, errors))
}

/// A value's text: a string as it is, a whole number as its digits.
fn scalar(value: &DeValue<'_>) -> Result<String, String> {
    match value {
        DeValue::String(s) => Ok(s.to_string()),
        DeValue::Integer(i) => Ok(i.as_str().to_string()),
        other => Err(format!("must be a string, not a {}", other.type_str())),
    }
}

/// The key of the `key = value` line holding `offset`, when it is a plain name (a key is safe
/// to show; a value is not).
fn key_at(text: &str, offset: usize) -> Option<&str> {
    let offset = offset.min(text.len());
    let start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let end = text
        .get(offset..)?
        .find('\n')
        .map_or(text.len(), |i| offset + i);
    let line = text.get(start..end)?;
    let equals = line.find('=')?;
    let key = line[..equals].trim().trim_matches('"');
    let plain = !key.is_empty()
        && !crate::credential::looks_like_secret(key)
        && key.len() <= 64
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    plain.then_some(key)
}

/// The TOML parser's message without the source text it quotes (`expected nothing `abc``):
/// only short quotes, which name punctuation (`expected `]``), are kept.
fn parser_message(message: &str) -> String {
    message
        .trim()
        .split(", ")
        .filter(|clause| {
            clause
                .split('`')
                .skip(1)
                .step_by(2)
                .all(|quoted| quoted.chars().count() <= 3)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

struct Ctx<'a> {
    text: &'a str,
    file: &'a Path,
    /// Where each line break is: a position is found without reading the text up to it
    /// (every account has one, and a file of a thousand accounts read them all each time).
    breaks: Vec<usize>,
}

type Entry<'a> = (
    &'a Spanned<std::borrow::Cow<'a, str>>,
    &'a Spanned<DeValue<'a>>,
);

impl<'a> Ctx<'a> {
    fn new(text: &'a str, file: &'a Path) -> Ctx<'a> {
        Ctx {
            text,
            file,
            breaks: text.match_indices('\n').map(|(at, _)| at).collect(),
        }
    }

    fn error(&self, offset: usize, message: String) -> ConfigError {
        ConfigError {
            file: Some(self.file.to_path_buf()),
            line: Some(self.position(offset)),
            message,
        }
    }

    fn location(&self, offset: usize) -> Location {
        Location {
            file: self.file.to_path_buf(),
            line: self.position(offset).0,
        }
    }

    /// [`position`], from the line breaks found once.
    fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.breaks.partition_point(|&at| at < offset);
        let start = line.checked_sub(1).map_or(0, |i| self.breaks[i] + 1);
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |l| l.chars().count());
        (line + 1, column + 1)
    }

    fn string(&self, table: &str, (key, value): Entry<'_>) -> Result<String, ConfigError> {
        match value.get_ref() {
            DeValue::String(s) => Ok(s.to_string()),
            other => Err(self.error(
                value.span().start,
                format!(
                    "`{table}.{}` must be a string, not a {}",
                    key.get_ref(),
                    other.type_str()
                ),
            )),
        }
    }

    fn defaults(&self, table: &DeTable<'_>) -> Result<Defaults, ConfigError> {
        let mut d = Defaults::default();
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            let Some(set) = setter(DEFAULTS, name) else {
                return Err(self.error(
                    key.span().start,
                    unknown_key("defaults", name, DEFAULT_KEYS),
                ));
            };
            let fail =
                |m: String| self.error(value.span().start, format!("`defaults.{name}`: {m}"));
            set(&mut d, &scalar(value.get_ref()).map_err(fail)?).map_err(fail)?;
        }
        Ok(d)
    }

    fn account(
        &self,
        name: &str,
        at: usize,
        table: &DeTable<'_>,
    ) -> Result<(Declaration, Vec<ConfigError>), ConfigError> {
        check_account_name(name).map_err(|m| self.error(at, m))?;
        let mut account = Declaration::new(name);
        account.at = Some(self.location(at));
        account.offset = Some(at);
        let mut errors = Vec::new();
        for entry in table.iter() {
            if let Err(e) = self.account_key(&mut account, entry) {
                errors.push(e);
            }
        }
        Ok((account, errors))
    }

    /// One key of an account table: the common keys are read here, every other is kept for
    /// the provider to check.
    fn account_key(&self, account: &mut Declaration, entry: Entry<'_>) -> Result<(), ConfigError> {
        let (key, value) = entry;
        let name = account.name.clone();
        let key_name = key.get_ref().as_ref();
        let vat = value.span().start;
        let fail = |m: String| self.error(vat, format!("[{name}] {key_name}: {m}"));
        match key_name {
            "provider" => {
                account.provider = Some(self.string(&name, entry)?);
                account.provider_at = Some(vat);
            }
            "token" => account.token = Some(self.token(&name, value)?),
            key_name if let Some(set) = setter(ACCOUNT, key_name) => {
                set(account, &self.string(&name, entry)?).map_err(fail)?
            }
            other => account.keys.push(Key {
                name: other.to_string(),
                value: match value.get_ref() {
                    DeValue::String(s) => Ok(s.to_string()),
                    v => Err(v.type_str()),
                },
                from: KeyFrom::File {
                    key: key.span().start,
                    value: vat,
                },
            }),
        }
        Ok(())
    }

    fn token(&self, account: &str, value: &Spanned<DeValue<'_>>) -> Result<Source, ConfigError> {
        let at = value.span().start;
        match value.get_ref() {
            DeValue::String(s) => Ok(Source::Inline {
                value: Secret::new(s.to_string()),
                at: self.location(at),
            }),
            DeValue::Table(t) => {
                let mut entries = t.iter();
                let (Some((kind, inner)), None) = (entries.next(), entries.next()) else {
                    return Err(self.error(
                        at,
                        format!("[{account}] token: use exactly one of {{ env = \"VAR\" }}, {{ file = \"PATH\" }}, {{ command = \"CMD\" }}, {{ keyring = \"SERVICE/USER\" }}"),
                    ));
                };
                let DeValue::String(text) = inner.get_ref() else {
                    return Err(self.error(
                        inner.span().start,
                        format!("[{account}] token.{}: must be a string", kind.get_ref()),
                    ));
                };
                match kind.get_ref().as_ref() {
                    "env" => Ok(Source::Env { var: text.to_string() }),
                    "file" => Ok(Source::File {
                        path: expand_tilde(text),
                        at: Some(self.location(at)),
                    }),
                    "command" => Ok(Source::Command {
                        command: Secret::new(text.to_string()),
                        at: self.location(at),
                    }),
                    "keyring" => match crate::keychain::Entry::parse(text) {
                        Some(entry) => Ok(Source::Keyring { entry }),
                        None => Err(self.error(
                            inner.span().start,
                            format!("[{account}] token.keyring: takes SERVICE/USER (e.g. \"whoami/{account}\")"),
                        )),
                    },
                    other => Err(self.error(
                        kind.span().start,
                        unknown_key(&format!("{account}.token"), other, &["env", "file", "command", "keyring"]),
                    )),
                }
            }
            other => Err(self.error(
                at,
                format!("[{account}] token: must be a string or a table ({{ env = \"VAR\" }}), not a {}", other.type_str()),
            )),
        }
    }
}

/// A name from the file as a message shows it: `[redacted]` when it looks like a credential
/// pasted where a key, a table name or a provider name belongs.
pub(crate) fn shown(name: &str) -> &str {
    match crate::credential::looks_like_secret(name) {
        true => crate::redact::REDACTED,
        false => name,
    }
}

pub fn unknown_key(table: &str, key: &str, allowed: &[&str]) -> String {
    let mut message = format!("unknown key `{}` in [{table}]", shown(key));
    if let Some(s) = suggest(key, allowed) {
        message += &format!(" (did you mean `{s}`?)");
    }
    message
}

/// The closest known name, when it is close enough to be a typo.
pub fn suggest<'a>(input: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(input, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// 1-based line and column of a byte offset.
pub fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// An account name: letters, digits, `-` and `_`, and not a pasted credential.
pub fn check_account_name(name: &str) -> Result<(), String> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!(
            "account name `{}` may only use letters, digits, `-` and `_`",
            shown(name)
        ));
    }
    if shown(name) != name {
        return Err(
            "this account name looks like a credential: name the account, and put the credential in `token`"
                .into(),
        );
    }
    Ok(())
}

/// One of a flag's values, as the flag takes them: the config and the command line accept the
/// same words, from one list.
fn choice<T: clap::ValueEnum>(what: &str, value: &str) -> Result<T, String> {
    T::from_str(value, false).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value())
            .map(|p| p.get_name().to_string())
            .collect();
        format!("unknown {what}; choose from {}", names.join(", "))
    })
}

pub fn check_output(value: &str) -> Result<Format, String> {
    choice("output", value)
}

pub fn check_color(value: &str) -> Result<ColorChoice, String> {
    choice("color", value)
}

/// A base URL: an http(s) URL with a host, no user info, no query and no fragment (a path is
/// joined to it, so `?x` or `#` would swallow the provider's path and send the request to a
/// landing page).
pub fn check_base_url(value: &str) -> Result<String, String> {
    let checked = check_url(value)?;
    match reqwest::Url::parse(value) {
        Ok(url) if url.query().is_some() || url.fragment().is_some() => Err(
            "must not have a query (`?…`) or a fragment (`#…`): the provider's path is joined to it"
                .into(),
        ),
        _ => Ok(checked),
    }
}

/// A base URL typed for `init` and `login`: a real instance, not a documentation placeholder
/// (`example.com`, `*.example`, `*.invalid`), which would pass every other check and fail only
/// when used.
pub fn check_instance_url(value: &str) -> Result<String, String> {
    let checked = check_base_url(value)?;
    let host = reqwest::Url::parse(&checked)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
        })
        .unwrap_or_default();
    let placeholder = ["example.com", "example.net", "example.org"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
        || [".example", ".invalid"].iter().any(|t| host.ends_with(t))
        || matches!(host.as_str(), "example" | "invalid");
    match placeholder {
        true => Err(format!(
            "{host} is a placeholder, not an instance: use your instance's URL"
        )),
        false => Ok(checked),
    }
}

/// A whole URL (a provider defined in the config): http(s), a host, no user info (a password
/// in a URL would be printed wherever the endpoint is: results, logs, `accounts`), and no
/// fragment (never sent, so never what was meant). A query is allowed.
pub fn check_url(value: &str) -> Result<String, String> {
    match reqwest::Url::parse(value) {
        Ok(url) if !url.username().is_empty() || url.password().is_some() => {
            Err("must not carry a user name or password: put the credential in `token`".into())
        }
        Ok(url) if url.fragment().is_some() => {
            Err("must not have a fragment (`#…`): it is never sent".into())
        }
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
            // Kept as written: a provider's whole URL may need its trailing slash, and
            // joining a path to a base URL handles one either way.
            Ok(value.to_string())
        }
        _ => Err("must be an http:// or https:// URL (e.g. https://chat.example.org)".into()),
    }
}

pub fn expand_tilde(path: &str) -> PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => directories::BaseDirs::new()
            .map(|d| d.home_dir().join(rest))
            .unwrap_or_else(|| PathBuf::from(path)),
        None => PathBuf::from(path),
    }
}

/// The account keys a variable can end with, longest first: they decide where the account's
/// name ends (`WHOAMI_CHATWOOT_SELFHOSTED_BASE_URL` is account `chatwoot_selfhosted`).
const ENV_KEYS: &[&str] = &["base_url", "provider", "ca_cert", "timeout", "token"];

/// Splits `WHOAMI_<ACCOUNT>_<KEY>` on a common key: (`CHATWOOT_SELFHOSTED`, `base_url`).
fn split_var(var: &str) -> Option<(&str, &'static str)> {
    let rest = var.strip_prefix("WHOAMI_")?;
    ENV_KEYS.iter().find_map(|key| {
        let upper = key.to_ascii_uppercase();
        let account = rest.strip_suffix(upper.as_str())?.strip_suffix('_')?;
        (!account.is_empty()).then_some((account, *key))
    })
}

/// The account part of a variable name: `cw-self` → `CW_SELF`.
fn env_name(account: &str) -> String {
    account.to_ascii_uppercase().replace('-', "_")
}

/// Applies `WHOAMI_*` variables on top of the file (README, "Configuration"): the defaults,
/// the common keys of every account, accounts made from a `WHOAMI_<ACCOUNT>_TOKEN`, and any
/// other `WHOAMI_<ACCOUNT>_<KEY>` of a known account as a key for its provider to check.
fn apply_env(
    mut defaults: Defaults,
    accounts: &mut Vec<Declaration>,
    env: &Env,
    unclaimed: &mut Vec<String>,
) -> Result<Defaults, ConfigError> {
    if let Some(var) = env.not_utf8.first() {
        return Err(ConfigError::plain(format!(
            "{var}: the value is not valid UTF-8"
        )));
    }
    let ours = env
        .vars
        .iter()
        // WHOAMI_CONFIG is the config's path, WHOAMI_COMPLETE a shell asking for completions.
        .filter(|(k, _)| {
            k.starts_with("WHOAMI_")
                && !matches!(k.as_str(), "WHOAMI_CONFIG" | crate::complete::VAR)
        })
        // An empty variable is unset, except a credential: CI systems turn an undefined secret
        // into an empty string, and that must fail loudly ("set but empty"), not make the
        // account vanish from the run.
        .filter(|(k, v)| !v.is_empty() || k.ends_with("_TOKEN"));

    // [defaults]
    let mut rest = Vec::new();
    for (var, value) in ours {
        let Some(key) = var.strip_prefix("WHOAMI_DEFAULTS_") else {
            rest.push((var.as_str(), value.as_str()));
            continue;
        };
        let fail = |m: String| ConfigError::plain(format!("{var}: {m}"));
        match setter(DEFAULTS, &key.to_ascii_lowercase()) {
            Some(set) => set(&mut defaults, value).map_err(fail)?,
            None => unclaimed.push(var.clone()),
        }
    }

    // Accounts made from the environment: a variable of a common key (`WHOAMI_VAULT_TOKEN`,
    // or `WHOAMI_VAULT_BASE_URL` beside the service's own `VAULT_TOKEN`) declares the account it
    // names. Sorted by name; the binding step orders them by provider, and drops (with a
    // warning) those no provider takes.
    let mut created: Vec<Declaration> = Vec::new();
    for &(var, _) in &rest {
        let Some((env_account, key)) = split_var(var) else {
            continue;
        };
        // `WHOAMI_ACME_IDP_PROVIDER` beside `[acme]` is acme's `idp_provider` setting, not an
        // account `acme_idp`: only a credential variable makes an account whatever precedes it.
        let of_existing = accounts.iter().any(|a| {
            env_account
                .strip_prefix(env_name(&a.name).as_str())
                .is_some_and(|rest| rest.starts_with('_'))
        });
        if key != "token" && of_existing {
            continue;
        }
        let name = env_account.to_ascii_lowercase();
        if name == "config"
            || accounts.iter().any(|a| env_name(&a.name) == env_account)
            || created.iter().any(|a| a.name == name)
        {
            continue; // a reserved name (WHOAMI_CONFIG is the config path), or already there
        }
        if check_account_name(&name).is_err() {
            unclaimed.push(var.to_string());
            continue;
        }
        let mut account = Declaration::new(name);
        account.from_var = Some(var.to_string());
        account.provider = env
            .get(&format!("WHOAMI_{env_account}_PROVIDER"))
            .filter(|p| !p.is_empty())
            .map(str::to_string);
        created.push(account);
    }
    created.sort_by(|a, b| a.name.cmp(&b.name));
    accounts.extend(created);

    // Every other variable, to the account it names: split on a common key, else the longest
    // account name it starts with.
    let mut names: Vec<(String, usize)> = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| (env_name(&a.name), i))
        .collect();
    names.sort_by_key(|(n, _)| std::cmp::Reverse(n.len()));
    for &(var, value) in &rest {
        let by_prefix = || {
            names.iter().find_map(|(n, i)| {
                let key = var.strip_prefix("WHOAMI_")?.strip_prefix(n.as_str())?;
                let key = key.strip_prefix('_').filter(|k| !k.is_empty())?;
                Some((*i, key.to_ascii_lowercase()))
            })
        };
        // A common key names the account before it; when no account has that name, the
        // variable may still be a setting that ends like one (`WHOAMI_ACME_IDP_PROVIDER`).
        let target = split_var(var)
            .and_then(|(env_account, key)| {
                names
                    .iter()
                    .find(|(n, _)| n == env_account)
                    .map(|&(_, i)| (i, key.to_string()))
            })
            .or_else(by_prefix);
        match target {
            Some((i, key)) => set_from_env(&mut accounts[i], var, &key, value),
            None => unclaimed.push(var.to_string()),
        }
    }
    Ok(defaults)
}

/// Sets one key from a `WHOAMI_*` variable; a problem is recorded on the account.
fn set_from_env(account: &mut Declaration, var: &str, key: &str, value: &str) {
    let problem = |m: String| ConfigError::plain(format!("{var}: {m}"));
    let result = match key {
        "token" => {
            account.token = Some(Source::Env {
                var: var.to_string(),
            });
            Ok(())
        }
        "provider" => {
            if account.at.is_none() || account.provider_id() == value {
                Ok(())
            } else {
                Err(problem(format!(
                    "cannot change the provider of account `{}` (it is `{}` in the config file)",
                    account.name,
                    shown(account.provider_id())
                )))
            }
        }
        "base_url" => check_base_url(value)
            .map(|v| account.base_url = Some(v))
            .map_err(problem),
        key if let Some(set) = setter(ACCOUNT, key) => set(account, value).map_err(problem),
        key => {
            account.keys.retain(|k| k.name != key);
            account.keys.push(Key {
                name: key.to_string(),
                value: Ok(value.to_string()),
                from: KeyFrom::Env(var.to_string()),
            });
            Ok(())
        }
    };
    if let Err(e) = result {
        account.problems.push(e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Env {
        Env::from_vars(vars.iter().copied())
    }

    fn parse_ok(text: &str) -> (Defaults, Vec<Declaration>) {
        parse(text, Path::new("c.toml")).unwrap()
    }

    fn parse_err(text: &str) -> String {
        parse(text, Path::new("c.toml"))
            .unwrap_err()
            .messages()
            .join("\n")
    }

    /// Positions found from the line breaks found once are those found by reading the text.
    #[test]
    fn positions_from_the_line_breaks_match_reading_the_text() {
        let text = "a = 1\n\n[é-x]\r\nkey = \"ü€\"\n  b = 2";
        let ctx = Ctx::new(text, Path::new("c.toml"));
        for (offset, _) in text
            .char_indices()
            .chain([(text.len(), ' '), (text.len() + 5, ' ')])
        {
            assert_eq!(ctx.position(offset), position(text, offset), "at {offset}");
        }
    }

    /// Every account whose variables another's share is named, with the first of them.
    #[test]
    fn accounts_sharing_variables_are_each_named_with_the_first() {
        let text = "[a-b]\ntoken = \"x\"\n[x]\ntoken = \"y\"\n[a_b]\ntoken = \"z\"\n[A-B]\ntoken = \"w\"\n";
        let e = parse_err(text);
        assert!(
            e.contains("c.toml:5:1: accounts `a-b` and `a_b` both map to WHOAMI_A_B_* variables"),
            "{e}"
        );
        assert!(
            e.contains("c.toml:7:1: accounts `a-b` and `A-B` both map to WHOAMI_A_B_*"),
            "{e}"
        );
        assert_eq!(e.matches("both map to").count(), 2, "{e}");
        assert!(e.find("c.toml:5:1:") < e.find("c.toml:7:1:"), "{e}");
    }

    #[test]
    fn parses_accounts_in_order_with_sources() {
        let (defaults, accounts) = parse_ok(
            r#"
[defaults]
timeout = "3s"
jobs = 4

[chatwoot]
token = { env = "CW_TOKEN" }

[cw-self]
provider = "chatwoot"
base_url = "https://example.org/chatwoot/"
token = { command = "pass show x" }
timeout = "1500ms"
"#,
        );
        assert_eq!(defaults.timeout, Some(Duration::from_secs(3)));
        assert_eq!(defaults.jobs, Some(4));
        assert_eq!(accounts.len(), 2);
        assert_eq!(accounts[0].name, "chatwoot");
        assert_eq!(accounts[0].provider_id(), "chatwoot");
        assert_eq!(
            accounts[0].token.as_ref().unwrap().describe(),
            "env CW_TOKEN"
        );
        assert_eq!(accounts[1].provider.as_deref(), Some("chatwoot"));
        assert_eq!(accounts[1].keys[0].name, "base_url");
        assert_eq!(
            accounts[1].keys[0].value.as_deref(),
            Ok("https://example.org/chatwoot/"),
            "kept as written, for the provider to check"
        );
        assert_eq!(accounts[1].timeout, Some(Duration::from_millis(1500)));
        assert_eq!(
            accounts[1].token.as_ref().unwrap().describe(),
            "command (c.toml:12)"
        );
    }

    #[test]
    fn broken_toml_names_the_line_without_quoting_it() {
        let err = parse_err("[chatwoot]\ntoken = \"s3cret-inline\nfoo");
        assert!(err.starts_with("c.toml:2:"), "{err}");
        assert!(!err.contains("s3cret-inline"), "{err}");
    }

    #[test]
    fn duplicate_keys_are_named() {
        let err = parse_err("[chatwoot]\ntoken = \"a\"\ntoken = \"b\"\n");
        assert!(err.starts_with("c.toml:3:1:"), "{err}");
        assert!(err.contains("duplicate key (key `token`)"), "{err}");
    }

    #[test]
    fn bad_values_of_the_common_keys() {
        assert!(parse_err("[chatwoot]\ntimeout = \"soon\"").contains("c.toml:2:11"));
        assert!(parse_err("output = \"json\"").contains("must be a table"));
        assert!(parse_err("[config]").contains("reserved"));
        assert!(parse_err("[defaults]\njobs = 0").contains("at least 1"));
        assert!(
            parse_err("[chatwoot]\ntoken = { env = \"A\", file = \"b\" }").contains("exactly one")
        );
        assert!(parse_err("[chatwoot]\ntoken = 5").contains("must be a string or a table"));
    }

    #[test]
    fn env_overrides_and_creates_declarations() {
        let (defaults, mut accounts) =
            parse_ok("[cw-self]\nprovider = \"chatwoot\"\ntoken = \"inline-token\"\n");
        let mut unclaimed = Vec::new();
        let defaults = apply_env(
            defaults,
            &mut accounts,
            &env(&[
                ("WHOAMI_CW_SELF_BASE_URL", "https://chat.example.org"),
                ("WHOAMI_CW_SELF_ACCOUNT_ID", "7"),
                ("WHOAMI_CHATWOOT_TOKEN", "t"),
                ("WHOAMI_DEFAULTS_TIMEOUT", "2s"),
                ("WHOAMI_UNRELATED_THING", "x"),
                ("WHOAMI_NOPROVIDER_TOKEN", "x"),
                ("WHOAMI_DEFAULTS_TIMOUT", "3s"),
            ]),
            &mut unclaimed,
        )
        .unwrap();
        assert_eq!(
            unclaimed,
            ["WHOAMI_DEFAULTS_TIMOUT", "WHOAMI_UNRELATED_THING"],
            "warned about, never silently ignored"
        );
        assert_eq!(defaults.timeout, Some(Duration::from_secs(2)));
        assert_eq!(
            accounts[0].base_url.as_deref(),
            Some("https://chat.example.org")
        );
        assert_eq!(
            accounts[0].keys,
            [Key {
                name: "account_id".into(),
                value: Ok("7".into()),
                from: KeyFrom::Env("WHOAMI_CW_SELF_ACCOUNT_ID".into()),
            }]
        );
        // Every token variable declares an account; binding drops the ones no provider takes.
        let names: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["cw-self", "chatwoot", "noprovider"]);
        assert_eq!(
            accounts[1].token.as_ref().unwrap().describe(),
            "env WHOAMI_CHATWOOT_TOKEN"
        );
    }

    #[test]
    fn splits_variables_on_a_common_key_first() {
        assert_eq!(
            split_var("WHOAMI_CHATWOOT_SELFHOSTED_BASE_URL"),
            Some(("CHATWOOT_SELFHOSTED", "base_url"))
        );
        assert_eq!(
            split_var("WHOAMI_CHATWOOT_TOKEN"),
            Some(("CHATWOOT", "token"))
        );
        assert_eq!(split_var("WHOAMI_TOKEN"), None);
        assert_eq!(split_var("OTHER_TOKEN"), None);
        assert_eq!(split_var("WHOAMI_VAIZ_SPACE_ID"), None);
        // A setting goes to the longest account name it starts with.
        let (defaults, mut accounts) = parse_ok("[a]\n[a_b]\n");
        apply_env(
            defaults,
            &mut accounts,
            &env(&[("WHOAMI_A_B_SPACE_ID", "s"), ("WHOAMI_A_SPACE_ID", "t")]),
            &mut Vec::new(),
        )
        .unwrap();
        assert_eq!(accounts[0].keys[0].value.as_deref(), Ok("t"));
        assert_eq!(accounts[1].keys[0].value.as_deref(), Ok("s"));
    }

    #[test]
    fn output_and_color_are_the_flags_own_values() {
        let (defaults, _) = parse_ok("[defaults]\noutput = \"junit\"\ncolor = \"never\"\n");
        assert_eq!(defaults.output, Some(Format::Junit));
        assert_eq!(defaults.color, Some(ColorChoice::Never));
        let err = parse_err("[defaults]\noutput = \"xml\"\n");
        assert!(
            err.contains("choose from table, json, yaml, junit"),
            "{err}"
        );
        assert!(!err.contains("xml"), "the value is not quoted: {err}");
    }

    #[test]
    fn a_setting_that_ends_like_a_common_key_still_finds_its_account() {
        let (defaults, mut accounts) = parse_ok("[acme]\n");
        apply_env(
            defaults,
            &mut accounts,
            &env(&[("WHOAMI_ACME_IDP_PROVIDER", "okta")]),
            &mut Vec::new(),
        )
        .unwrap();
        assert_eq!(accounts.len(), 1);
        assert_eq!(accounts[0].keys[0].name, "idp_provider");
    }

    #[test]
    fn the_config_folder_is_xdg_on_every_unix() {
        use std::ffi::OsStr;
        let dir = |x: Option<&str>, h: Option<&str>| {
            config_dir(x.map(OsStr::new), h.map(OsStr::new)).unwrap()
        };
        assert_eq!(dir(Some("/x/cfg"), Some("/home/ada")), Path::new("/x/cfg"));
        assert_eq!(
            dir(None, Some("/Users/ada")),
            Path::new("/Users/ada/.config")
        );
        // A relative XDG_CONFIG_HOME is ignored, as the XDG specification says.
        assert_eq!(
            dir(Some("cfg"), Some("/home/ada")),
            Path::new("/home/ada/.config")
        );
        assert_eq!(
            dir(Some(""), Some("/home/ada")),
            Path::new("/home/ada/.config")
        );
    }
}
