//! `whoami login` and `whoami logout` (README, "Storing credentials"): the commands that
//! change the config after `init`.
//!
//! `login` changes nothing until everything is known to work: the config as it would be
//! written is loaded and bound first (a bad setting or URL is exit 2 before a token is asked
//! for), then the token is checked live (a rejected token is exit 1, nothing saved), then the
//! secret is stored (the OS keyring, or a 0600 file when asked), and only then is the config
//! rewritten, atomically, comments and order kept. The config never holds the token itself.

use std::io::{IsTerminal, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, InlineTable, Item, Table, value};

use crate::bind;
use crate::cli::LoginArgs;
use crate::config::{self, Env};
use crate::credential::{Secret, Source};
use crate::error::{Error, Exit};
use crate::keychain::{self, Entry};
use crate::provider::Definition;
use crate::report;

/// The most a token read from standard input may hold, like any credential source.
const MAX_TOKEN_BYTES: u64 = 64 * 1024;

/// Where `login --insecure-storage` keeps an account's token: `tokens/<account>` beside the
/// config file.
pub fn token_file(config: &Path, account: &str) -> PathBuf {
    config
        .parent()
        .unwrap_or(Path::new("."))
        .join("tokens")
        .join(account)
}

/// Where the secret goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Storage {
    Keyring(Entry),
    File(PathBuf),
}

impl Storage {
    /// What `login` itself stored for `account` under `config`, as its table's `token` says;
    /// `None` for a credential kept anywhere else (a variable, the user's own file or entry).
    fn owned(
        token: Option<&dyn toml_edit::TableLike>,
        config: &Path,
        account: &str,
    ) -> Option<Storage> {
        let token = token?;
        if let Some(entry) = token
            .get("keyring")
            .and_then(Item::as_str)
            .and_then(Entry::parse)
        {
            return (entry == Entry::for_account(account)).then_some(Storage::Keyring(entry));
        }
        // Compared resolved: a config first written through a linked folder still names its
        // token file by the link.
        let file = config::expand_tilde(token.get("file").and_then(Item::as_str)?);
        let mine = token_file(config, account);
        (resolved(&file) == mine).then_some(Storage::File(mine))
    }

    fn source(&self) -> InlineTable {
        let mut table = InlineTable::new();
        match self {
            Storage::Keyring(entry) => table.insert("keyring", entry.to_string().into()),
            Storage::File(path) => table.insert("file", path.display().to_string().into()),
        };
        table
    }

    fn describe(&self) -> String {
        match self {
            Storage::Keyring(entry) => format!("in the OS keyring as {entry}"),
            Storage::File(path) => format!("in {} (mode 0600)", path.display()),
        }
    }

    /// What is stored there now, if anything (`Err`: it cannot be read).
    fn current(&self) -> Result<Option<String>, String> {
        match self {
            Storage::Keyring(entry) => match entry.read() {
                Ok(secret) => Ok(Some(secret)),
                Err(keychain::KeyringError::Missing(_)) => Ok(None),
                Err(e) => Err(e.to_string()),
            },
            Storage::File(path) => match std::fs::read_to_string(path) {
                Ok(secret) => Ok(Some(secret)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(format!(
                    "cannot read {}: {}",
                    path.display(),
                    crate::error::describe(&e)
                )),
            },
        }
    }

    fn save(&self, token: &str) -> Result<(), String> {
        match self {
            Storage::Keyring(entry) => entry.store(token).map_err(|e| e.to_string()),
            Storage::File(path) => write_private(path, token.as_bytes(), 0o600),
        }
    }

    fn remove(&self) -> Result<(), String> {
        match self {
            Storage::Keyring(entry) => entry.delete().map(|_| ()).map_err(|e| e.to_string()),
            Storage::File(path) => match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(format!(
                    "cannot remove {}: {}",
                    path.display(),
                    crate::error::describe(&e)
                )),
                _ => Ok(()),
            },
        }
    }

    /// Puts back what [`Storage::current`] found before a save; says so when it cannot.
    fn restore(&self, before: Option<&str>) {
        let undone = match before {
            Some(secret) => self.save(secret),
            None => self.remove(),
        };
        if let Err(e) = undone {
            report::warn(&format!(
                "could not undo the token saved {}: {e}",
                self.describe()
            ));
        }
    }
}

/// The config file `login` and `logout` edit: absolute (a token file beside it is named by an
/// absolute path, valid from any folder), and the file a symbolic link points to (so the link
/// in a dotfiles folder stays a link).
fn edited_path(path: &Path) -> PathBuf {
    let mut path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    // A link is followed even to a target that does not exist yet (a bounded chain).
    for _ in 0..40 {
        let Ok(target) = std::fs::read_link(&path) else {
            break;
        };
        path = path.parent().unwrap_or(Path::new("/")).join(target);
    }
    resolved(&path)
}

/// `path` with every link and `..` of its deepest existing folder resolved, the rest as
/// written: the same path whether the file exists yet or not.
fn resolved(path: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut base = path.to_path_buf();
    loop {
        if let Ok(real) = std::fs::canonicalize(&base) {
            return rest.iter().rev().fold(real, |p, name| p.join(name));
        }
        match base.file_name() {
            Some(name) => rest.push(name.to_owned()),
            None => return path.to_path_buf(),
        }
        base.pop();
    }
}

/// An account name `login` may create: what the config accepts, and not a reserved table.
fn check_name(name: &str) -> Result<(), Error> {
    config::check_account_name(name).map_err(Error::usage)?;
    match name {
        "defaults" | "config" => Err(Error::usage(format!(
            "`{name}` is a reserved table name; choose another account name (-a NAME)"
        ))),
        _ => Ok(()),
    }
}

/// `whoami login`.
pub fn login(config_flag: Option<&Path>, args: &LoginArgs) -> Result<Exit, Error> {
    if let Some(name) = &args.account {
        check_name(name).map_err(|e| match e {
            Error::Usage(m) => Error::Usage(m.into_iter().map(|m| format!("-a: {m}")).collect()),
            other => other,
        })?;
    }
    let env = Env::from_process();
    // The config must load as it is: login does not edit a file it cannot read. A config
    // that does not exist yet is created.
    let (located, _) = config::locate(config_flag, &env);
    let setup = match located.try_exists() {
        Ok(false) => bind::setup(
            config::from_text(None, located.clone(), &env)?,
            config_flag.is_some(),
            &env,
        )?,
        _ => bind::load(config_flag, &env)?,
    };
    let path = edited_path(&located);
    let mut doc: DocumentMut = match &setup.config.text {
        Some(text) => text
            .parse()
            .map_err(|_| Error::usage(format!("{}: cannot be edited", path.display())))?,
        None => DocumentMut::new(),
    };

    // Which account, of which provider.
    let existing = |name: &str| {
        setup
            .accounts
            .iter()
            .find(|a| a.name == name && a.at.is_some())
    };
    let provider_id = match (&args.provider, &args.account) {
        (Some(p), _) => p.clone(),
        (None, Some(name)) => match existing(name) {
            Some(account) if !account.provider.is_inline() => account.provider.id().to_string(),
            Some(_) => {
                return Err(Error::usage(format!(
                    "account `{name}` defines its provider inline; login stores credentials for catalogue and user providers"
                )));
            }
            None => {
                return Err(Error::usage(format!(
                    "no account named `{name}` in {}: pass -p PROVIDER to create it (`whoami providers` lists them)",
                    path.display()
                )));
            }
        },
        (None, None) => {
            return Err(Error::usage(
                "which provider? pass -p PROVIDER (`whoami providers` lists them), and -a NAME to name the account",
            ));
        }
    };
    let provider = match setup.registry.find(&provider_id)? {
        Some(p) if !p.is_inline() => p,
        _ => {
            let ids = setup.registry.ids();
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let suggestion = config::suggest(&provider_id, &ids)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(Error::usage(format!(
                "-p {}: unknown provider{suggestion}; `whoami providers` lists them",
                config::shown(&provider_id)
            )));
        }
    };
    let name = args.account.clone().unwrap_or_else(|| provider_id.clone());
    check_name(&name)?;
    let replacing = doc.contains_key(&name);
    if replacing && !args.force {
        return Err(Error::usage(format!(
            "account `{name}` already exists in {}; pass --force to replace its credential (or -a NAME for another account)",
            path.display()
        )));
    }
    if !replacing && setup.accounts.iter().any(|a| a.name == name) {
        // Made from WHOAMI_* variables only: a [name] table would merge with them.
        report::warn(&format!(
            "account `{name}` is also set by {} variables, which override the config",
            config::env_var_name(&name, "*")
        ));
    }

    // The config as it will be written, loaded and bound like any other: every problem is
    // found now, before anything is asked for.
    let table = match doc.entry(&name).or_insert(Item::Table(Table::new())) {
        Item::Table(table) => table,
        _ => {
            return Err(Error::usage(format!(
                "`{name}` in {} is not a table; fix it by hand",
                path.display()
            )));
        }
    };
    let previous = Storage::owned(
        table.get("token").and_then(Item::as_table_like),
        &path,
        &name,
    );
    if name != provider_id || table.contains_key("provider") {
        table.insert("provider", value(provider_id.as_str()));
    }
    if let Some(url) = &args.base_url {
        let url =
            config::check_instance_url(url).map_err(|m| Error::usage(format!("--base-url {m}")))?;
        table.insert("base_url", value(url));
    }
    for (key, text) in settings(&provider, &args.settings)? {
        table.insert(&key, value(text));
    }
    table.insert(
        "token",
        value(Storage::Keyring(Entry::for_account(&name)).source()),
    );
    let config = config::from_text(Some(doc.to_string()), path.clone(), &env)?;
    if !config.errors.is_empty() {
        return Err(config::ConfigErrors(config.errors).into());
    }
    let accounts = bind::bind(&config, &setup.registry, &env)?;
    let Some(mut account) = accounts.into_iter().find(|a| a.name == name) else {
        return Err(Error::usage(format!("account `{name}` did not load")));
    };
    let problems: Vec<String> = account.problems().iter().map(|p| p.to_string()).collect();
    if !problems.is_empty() {
        return Err(Error::Usage(problems));
    }
    if !matches!(&account.token, Some(Source::Keyring { .. })) {
        report::warn(&format!(
            "{} is set and overrides the stored token for `{name}`",
            account.env_var("token")
        ));
    }

    // Where the secret goes, and what is there now (put back if the config cannot be
    // written). A keyring entry of this name that another config's account uses is not
    // taken over without --force.
    let storage = storage(args, &path, &name, previous.as_ref())?;
    let before = match storage.current() {
        Ok(before) => before,
        // Unreadable (not text, or the keyring failed): --force replaces it all the same.
        Err(e) if args.force => {
            report::warn(&format!("{e}; replacing it"));
            None
        }
        Err(e) => {
            return Err(Error::usage(format!(
                "{e}; nothing saved (--force replaces it)"
            )));
        }
    };
    if before.is_some() && previous.as_ref() != Some(&storage) {
        let stored = storage.describe();
        match args.force {
            false => {
                return Err(Error::usage(format!(
                    "a token is already stored {stored} (for an account of another config?); pass --force to replace it, or -a NAME for another account"
                )));
            }
            true => report::warn(&format!(
                "replacing the token already stored {stored}, which this config did not refer to"
            )),
        }
    }
    if let Some(t) = doc.get_mut(&name).and_then(Item::as_table_mut) {
        t.insert("token", value(storage.source()));
    }
    let text = doc.to_string();

    // The token, checked live.
    let (token, from) = read_token(args, provider.name(), &name)?;
    account.token = Some(Source::Given {
        value: Secret::new(token.as_str()),
        from,
    });
    match crate::run::verify(&config, account)? {
        Exit::Verified => {}
        Exit::Rejected => {
            report::error(&format!(
                "{} rejected the token; nothing saved",
                provider.name()
            ));
            return Ok(Exit::Rejected);
        }
        exit => {
            report::error(&format!(
                "could not tell whether {} accepts the token (see above); nothing saved",
                provider.name()
            ));
            return Ok(exit);
        }
    }

    // Saved: the secret first, then the config that points at it.
    storage.save(&token).map_err(|e| {
        let also = match storage {
            Storage::Keyring(_) => " (--insecure-storage keeps it in a file instead)",
            Storage::File(_) => "",
        };
        Error::usage(format!("cannot store the token: {e}; nothing saved{also}"))
    })?;
    if let Err(e) = write_config(&path, &text) {
        storage.restore(before.as_deref());
        return Err(Error::usage(format!("{e}; nothing saved")));
    }
    // A token login stored elsewhere for this account before (keyring, now a file, or the
    // other way round) is no longer referenced: it goes.
    if let Some(old) = previous.filter(|old| *old != storage)
        && let Err(e) = old.remove()
    {
        report::warn(&format!(
            "the previous token is still stored {}: {e}",
            old.describe()
        ));
    }
    report::note(&format!(
        "{} account `{name}` in {}; its token {}",
        if replacing { "updated" } else { "added" },
        path.display(),
        storage.describe()
    ));
    Ok(Exit::Verified)
}

/// `--set KEY=VALUE` flags (of `login` and `init`), each a setting `provider` takes.
pub fn settings(provider: &Definition, flags: &[String]) -> Result<Vec<(String, String)>, Error> {
    let mut settings = Vec::new();
    for setting in flags {
        let Some((key, text)) = setting.split_once('=') else {
            return Err(Error::usage(
                "--set takes KEY=VALUE (e.g. --set email=ada@example.org); there is no `=`",
            ));
        };
        if config::is_common_key(key) {
            return Err(Error::usage(format!(
                "--set {key}=…: `{key}` is not a provider setting{}",
                match key {
                    "base_url" => "; use --base-url",
                    "provider" => "; use -p",
                    "token" => "; the token is never written to the config (see `whoami login`)",
                    _ => "",
                }
            )));
        }
        if !provider.has_setting(key) {
            let known: Vec<&str> = provider.settings().collect();
            return Err(Error::usage(format!(
                "--set {}: {} has no setting so named{}",
                config::shown(key),
                provider.name(),
                match known.is_empty() {
                    true => String::new(),
                    false => format!(" (its settings: {})", known.join(", ")),
                }
            )));
        }
        provider
            .check_setting(key, text)
            .map_err(|m| Error::usage(format!("--set {key}=…: {m}")))?;
        settings.push((key.to_string(), text.to_string()));
    }
    Ok(settings)
}

/// The OS keyring, unless `--insecure-storage` asks for a file or there is no keyring (then
/// the file only with the user's yes, on a terminal).
fn storage(
    args: &LoginArgs,
    config: &Path,
    name: &str,
    previous: Option<&Storage>,
) -> Result<Storage, Error> {
    let file = token_file(config, name);
    // A token file this config does not refer to is not taken over without --force (asked
    // before the question below, which would be for nothing).
    if !args.force && previous != Some(&Storage::File(file.clone())) && file.exists() {
        return Err(Error::usage(format!(
            "a token is already stored in {} (for an account of another config?); pass --force to replace it, or -a NAME for another account",
            file.display()
        )));
    }
    if args.insecure_storage {
        return Ok(Storage::File(file));
    }
    let Err(e) = keychain::available() else {
        return Ok(Storage::Keyring(Entry::for_account(name)));
    };
    let interactive = !args.with_token && std::io::stdin().is_terminal();
    if interactive {
        eprint!(
            "{e}. Keep the token in {} instead (readable only by you)? [y/N] ",
            file.display()
        );
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
            return Ok(Storage::File(file));
        }
        return Err(Error::usage("nothing saved"));
    }
    Err(Error::usage(format!(
        "{e}; nothing saved. --insecure-storage keeps the token in {} (mode 0600) instead",
        file.display()
    )))
}

/// The token: from standard input with `--with-token`, else asked for with hidden input.
fn read_token(
    args: &LoginArgs,
    provider: &str,
    name: &str,
) -> Result<(String, &'static str), Error> {
    let (token, from) = if args.with_token {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(MAX_TOKEN_BYTES + 1)
            .read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_TOKEN_BYTES {
            return Err(Error::usage(
                "standard input holds more than 64 KiB: not a token; nothing saved",
            ));
        }
        let token = String::from_utf8(bytes).map_err(|_| {
            Error::usage("the token on standard input is not UTF-8 text; nothing saved")
        })?;
        (token, "stdin")
    } else if std::io::stdin().is_terminal() {
        let token = rpassword::prompt_password(format!("{provider} token for `{name}` (hidden): "))
            .map_err(|e| {
                Error::usage(format!(
                    "cannot read the token: {}",
                    crate::error::describe(&e)
                ))
            })?;
        (token, "prompt")
    } else {
        return Err(Error::usage(
            "standard input is not a terminal: pass --with-token to read the token from it (e.g. `whoami login -p P --with-token < token.txt`)",
        ));
    };
    let token = token.trim().to_string();
    if token.is_empty() {
        return Err(Error::usage("no token given; nothing saved"));
    }
    Ok((token, from))
}

/// `whoami logout -a NAME`: the stored secret first (nothing changes when that fails), then
/// the account's table.
pub fn logout(config_flag: Option<&Path>, name: &str) -> Result<Exit, Error> {
    let env = Env::from_process();
    let setup = bind::load(config_flag, &env)?;
    let path = edited_path(&setup.config.path);
    let text = setup.config.text.as_deref().unwrap_or_default();
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|_| Error::usage(format!("{}: cannot be edited", path.display())))?;
    let in_file = setup
        .accounts
        .iter()
        .any(|a| a.name == name && a.at.is_some());
    let table = doc.get(name).and_then(Item::as_table_like);
    let Some(table) = table.filter(|_| in_file) else {
        let from_env = setup.accounts.iter().any(|a| a.name == name);
        let names: Vec<&str> = setup.accounts.iter().map(|a| a.name.as_str()).collect();
        return Err(Error::usage(match from_env {
            true => format!(
                "account `{name}` is made from {} variables, not {}: unset them",
                config::env_var_name(name, "*"),
                path.display()
            ),
            false => format!(
                "-a {}: no account named so in {}{}",
                config::shown(name),
                path.display(),
                config::suggest(name, &names)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default()
            ),
        }));
    };
    let token = table.get("token").and_then(Item::as_table_like);
    let owned = Storage::owned(token, &path, name);
    // What was stored, to put back should the config not be written.
    let mut before = None;
    match &owned {
        Some(storage) => {
            before = storage.current().unwrap_or(None);
            storage.remove().map_err(|e| {
                Error::usage(format!(
                    "cannot remove the token of `{name}`: {e}; nothing changed"
                ))
            })?;
        }
        None => {
            if let Some(source) = setup
                .accounts
                .iter()
                .find(|a| a.name == name)
                .and_then(|a| a.token.as_ref())
            {
                report::note(&format!(
                    "left its credential ({}) as it is: whoami did not store it",
                    source.describe()
                ));
            }
        }
    }
    doc.remove(name);
    if let Err(e) = write_config(&path, &doc.to_string()) {
        if let Some(storage) = &owned {
            storage.restore(before.as_deref());
        }
        return Err(Error::usage(format!("{e}; nothing changed")));
    }
    if let Some(storage) = &owned {
        report::note(&format!("removed the token stored {}", storage.describe()));
    }
    report::note(&format!("removed account `{name}` from {}", path.display()));
    Ok(Exit::Verified)
}

/// Writes the config in one step (a temporary file beside it, renamed over it), keeping its
/// mode; a new config is 0600 in a 0700 folder, like `init` makes it.
fn write_config(path: &Path, text: &str) -> Result<(), String> {
    let mode = std::fs::metadata(path).map_or(0o600, |m| m.permissions().mode() & 0o777);
    write_private(path, text.as_bytes(), mode)
}

/// Writes `bytes` to `path` through a temporary file in the same folder (created 0700 when
/// missing), then renames it into place: a reader sees the old file or the new one, never
/// half of one.
fn write_private(path: &Path, bytes: &[u8], mode: u32) -> Result<(), String> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let fail = |what: &str, p: &Path, e: std::io::Error| {
        format!(
            "cannot {what} {}: {}",
            p.display(),
            crate::error::describe(&e)
        )
    };
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| fail("create", dir, e))?;
    let name = path
        .file_name()
        .map_or_else(Default::default, |n| n.to_string_lossy());
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode & 0o600)
            .open(&temp)?;
        // The mode asked for, whatever the umask (which `open` applies).
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    if let Err(e) = written.and_then(|()| std::fs::rename(&temp, path)) {
        let _ = std::fs::remove_file(&temp);
        return Err(fail("write", path, e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_files_sit_beside_the_config() {
        assert_eq!(
            token_file(Path::new("/home/u/.config/whoami/config.toml"), "ci"),
            Path::new("/home/u/.config/whoami/tokens/ci")
        );
    }

    #[test]
    fn edited_paths_resolve_links_even_to_files_not_there_yet() {
        let dir = tempfile::tempdir().unwrap();
        let real = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir(real.join("dotfiles")).unwrap();
        std::os::unix::fs::symlink(real.join("dotfiles"), real.join("cfg")).unwrap();
        // Through a linked folder, to a file and a folder that do not exist yet.
        assert_eq!(
            edited_path(&real.join("cfg/whoami/config.toml")),
            real.join("dotfiles/whoami/config.toml")
        );
        // A link to a file that does not exist yet: its target, not the link.
        std::os::unix::fs::symlink("dotfiles/w.toml", real.join("link.toml")).unwrap();
        assert_eq!(
            edited_path(&real.join("link.toml")),
            real.join("dotfiles/w.toml")
        );
        assert_eq!(
            edited_path(&real.join("dotfiles/../cfg/x.toml")),
            real.join("dotfiles/x.toml")
        );
    }

    #[test]
    fn writes_replace_the_file_whole_and_keep_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("config.toml");
        write_config(&path, "a = 1\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a = 1\n");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_config(&path, "b = 2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "b = 2\n");
        assert_eq!(mode(&path), 0o640);
        let left: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file left behind");
    }
}
