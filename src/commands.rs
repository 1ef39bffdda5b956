//! The subcommands that send nothing: `providers`, `accounts`, `config`, `init`,
//! `completions`, and bare `whoami`.

use std::io::Write;
use std::path::Path;

use crate::bind;
use crate::cli::ListFormat;
use crate::config::{self, Env};
use crate::credential::Source;
use crate::error::{Error, Exit};
use crate::provider::{self, Origin, PROVIDERS, Registry, custom};
use crate::render::columns::{self, Column};

/// Writes a listing as JSON (an array or object, pretty) or YAML; `None` for a table.
fn structured<T: serde::Serialize>(
    format: Option<ListFormat>,
    value: &T,
    out: &mut dyn Write,
) -> Result<bool, Error> {
    let text = match format {
        Some(ListFormat::Json) => serde_json::to_string_pretty(value)
            .map_err(|e| Error::usage(format!("cannot write JSON: {e}")))?,
        Some(ListFormat::Yaml) => serde_saphyr::to_string(value)
            .map_err(|e| Error::usage(format!("cannot write YAML: {e}")))?,
        Some(ListFormat::Table) | None => return Ok(false),
    };
    writeln!(out, "{}", text.trim_end())?;
    Ok(true)
}

/// One provider, as `providers -o json` lists it.
#[derive(serde::Serialize)]
struct ProviderRow {
    id: String,
    name: String,
    /// The default base URL; `null` when `base_url` is required.
    base_url: Option<String>,
    request: String,
    auth: String,
    /// The variables that set its credential and keys.
    environment: Vec<String>,
    settings: Vec<String>,
    /// `built-in`, or the user definition's file.
    source: String,
    docs: String,
}

/// One account, as `accounts -o json` lists it.
#[derive(serde::Serialize)]
struct AccountRow {
    account: String,
    provider: String,
    base_url: Option<String>,
    /// Where the credential comes from (`env VAR`, `file PATH`, …); `null` when none is set.
    credential: Option<String>,
    /// `…` and the last four characters, for credentials of 16 characters or more.
    hint: Option<String>,
    /// What stops this account from being checked.
    problems: Vec<String>,
}

/// `config check -o json`.
#[derive(serde::Serialize)]
struct CheckReport {
    /// The file read; `null` when there is none (environment only).
    file: Option<String>,
    ok: bool,
    accounts: usize,
    problems: Vec<String>,
}

/// Bare `whoami`: the effective user name, like coreutils. No config, no network.
pub fn effective_user(out: &mut dyn Write) -> Result<Exit, Error> {
    let uid = nix::unistd::geteuid();
    match nix::unistd::User::from_uid(uid) {
        Ok(Some(user)) => {
            writeln!(out, "{}", user.name)?;
            Ok(Exit::Verified)
        }
        _ => {
            crate::report::note(&format!("cannot find name for user ID {uid}"));
            Ok(Exit::Rejected)
        }
    }
}

/// A listing as lines fitted to the terminal (see `src/render/columns.rs`), every cell
/// sanitized for it.
fn table(columns: &[Column], rows: &[Vec<String>], out: &mut dyn Write) -> Result<(), Error> {
    use std::io::IsTerminal;
    let rows: Vec<Vec<columns::Cell>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| crate::sanitize::terminal(cell).into())
                .collect()
        })
        .collect();
    let width = columns::terminal_width(std::io::stdout().is_terminal());
    Ok(columns::write(columns, &rows, width, true, out)?)
}

/// A column that keeps its width.
const fn fixed(header: &'static str) -> Column {
    Column { header, min: None }
}

/// A column that may shrink to `min`.
const fn shrinks(header: &'static str, min: usize) -> Column {
    Column {
        header,
        min: Some(min),
    }
}

/// `whoami providers`: every provider (built-in, the user's definitions, and the accounts
/// that define theirs inline), with where each comes from. A config or a user definition that
/// does not load is reported on stderr; the rest still prints.
pub fn providers(
    config_flag: Option<&Path>,
    format: Option<ListFormat>,
    out: &mut dyn Write,
) -> Result<Exit, Error> {
    let env = Env::from_process();
    let mut lines: Vec<Vec<String>> = Vec::new();
    let registry = match Registry::load(&bind::providers_dir()) {
        Ok(registry) => registry,
        Err(errors) => {
            for e in errors {
                crate::report::warn(&format!("not listed: {e}"));
            }
            Registry::builtin()
        }
    };
    let mut broken = !registry.skipped().is_empty();
    for skipped in registry.skipped() {
        crate::report::warn(&format!("not listed: {skipped}"));
    }
    let mut rows = Vec::new();
    for (definition, origin) in registry.all() {
        let p = match definition {
            Ok(p) => p,
            Err(e) => {
                crate::report::warn(&format!("not listed: {e}"));
                broken = true;
                continue;
            }
        };
        let mut env = vec![config::env_var_name(p.id(), "token")];
        env.extend(p.sdk_env().iter().map(|v| v.var.clone()));
        let source = match origin {
            Origin::BuiltIn => "built-in".to_string(),
            Origin::File(file) => crate::credential::shown_path(&file).into_owned(),
        };
        rows.push(ProviderRow {
            id: p.id().to_string(),
            name: p.name().to_string(),
            base_url: p.default_base_url().map(str::to_string),
            request: p.request_line(),
            auth: p.auth_header().to_string(),
            environment: env.clone(),
            settings: p.settings().map(str::to_string).collect(),
            source: source.clone(),
            docs: p.docs_url().to_string(),
        });
        lines.push(vec![
            p.id().to_string(),
            p.default_base_url()
                .unwrap_or("(required: base_url)")
                .to_string(),
            p.auth_header().to_string(),
            source,
        ]);
    }
    match bind::load(config_flag, &env) {
        Ok(setup) => {
            for a in setup
                .config
                .accounts
                .iter()
                .filter(|d| d.provider.as_deref() == Some(custom::ID))
            {
                let Some(bound) = setup.accounts.iter().find(|b| b.name == a.name) else {
                    continue;
                };
                let defined =
                    a.at.as_ref()
                        .map(|at| format!("inline at {at}"))
                        .unwrap_or_default();
                rows.push(ProviderRow {
                    id: a.name.clone(),
                    name: a.name.clone(),
                    base_url: bound.base_url.as_deref().map(crate::redact::shown_url),
                    request: bound.provider.request_line(),
                    auth: bound.provider.auth_header().to_string(),
                    environment: vec![bound.env_var("token")],
                    settings: Vec::new(),
                    source: defined.clone(),
                    docs: String::new(),
                });
                lines.push(vec![
                    format!("{} (custom)", a.name),
                    crate::redact::shown_url(bound.base_url.as_deref().unwrap_or_default()),
                    bound.provider.auth_header().to_string(),
                    defined,
                ]);
            }
        }
        Err(e) => {
            for message in e.messages() {
                crate::report::warn(&format!("custom providers not listed: {message}"));
            }
        }
    }
    if !structured(format, &rows, out)? {
        // The variables each reads are in `providers show ID` and `-o json`: a line has no
        // room for them.
        const COLUMNS: [Column; 4] = [
            fixed("PROVIDER"),
            shrinks("BASE URL", 20),
            shrinks("AUTH", 16),
            shrinks("SOURCE", 8),
        ];
        table(&COLUMNS, &lines, out)?;
    }
    Ok(match broken {
        true => Exit::Usage,
        false => Exit::Verified,
    })
}

/// `whoami providers show ID`: a definition as written, comments included: a built-in as it
/// is embedded, a user definition as its file says.
pub fn provider_show(id: &str, out: &mut dyn Write) -> Result<Exit, Error> {
    let registry = Registry::load(&bind::providers_dir()).map_err(config::ConfigErrors)?;
    if let Some((_, Origin::File(file))) = registry
        .all()
        .into_iter()
        .find(|(d, _)| d.as_ref().is_ok_and(|d| d.id() == id))
    {
        let text = provider::read_definition(&file)?;
        out.write_all(text.as_bytes())?;
        return Ok(Exit::Verified);
    }
    match provider::builtin::source(id) {
        Some(text) => {
            out.write_all(text.as_bytes())?;
            Ok(Exit::Verified)
        }
        None => {
            let ids = registry.ids();
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let suggestion = config::suggest(id, &ids)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            Err(Error::usage(format!(
                "providers show {}: no provider of that id{suggestion}; known providers: {}",
                crate::config::shown(id),
                ids.join(", ")
            )))
        }
    }
}

/// `whoami providers check FILE`: loads one definition (parse, keys, jq compilation) and
/// sends nothing.
pub fn provider_check(file: &Path, out: &mut dyn Write) -> Result<Exit, Error> {
    let definition = provider::load_file(file).map_err(|e| Error::Usage(vec![e.to_string()]))?;
    let builtin = provider::builtin::ids().any(|b| b == definition.id());
    if builtin && !definition.replaces() {
        return Err(Error::usage(format!(
            "{}: id: `{}` is a built-in provider; choose another id, or add `replaces = true` to use this definition instead of the built-in",
            crate::credential::shown_path(file),
            definition.id()
        )));
    }
    writeln!(
        out,
        "{}: ok, provider `{}` ({}; {})",
        crate::credential::shown_path(file),
        definition.id(),
        definition.auth_header(),
        definition.default_base_url().unwrap_or("base_url required")
    )?;
    Ok(Exit::Verified)
}

/// `whoami accounts`: configured accounts and where each credential comes from. Runs no
/// credential command and prints no secret.
pub fn accounts(
    config_flag: Option<&Path>,
    format: Option<ListFormat>,
    out: &mut dyn Write,
) -> Result<Exit, Error> {
    let setup = bind::load(config_flag, &Env::from_process())?;
    let config = &setup.config;
    if setup.accounts.is_empty() && !matches!(format, Some(ListFormat::Json | ListFormat::Yaml)) {
        writeln!(
            out,
            "no accounts configured in {} (see `whoami init`)",
            config.path.display()
        )?;
        return Ok(Exit::Verified);
    }
    let mut lines: Vec<Vec<String>> = Vec::new();
    let mut rows = Vec::new();
    for a in &setup.accounts {
        let (source, hint) = match &a.token {
            None => (format!("missing: set {}", a.env_var("token")), None),
            Some(source @ (Source::Command { .. } | Source::Keyring { .. })) => {
                (source.describe(), None)
            }
            Some(source) => {
                let hint = peek_hint(source);
                (source.describe(), hint)
            }
        };
        rows.push(AccountRow {
            account: a.name.clone(),
            provider: a.provider.id().to_string(),
            base_url: a.effective_base_url().map(crate::redact::shown_url),
            credential: a.token.as_ref().map(Source::describe),
            hint: hint.clone(),
            problems: a.problems().iter().map(|p| p.to_string()).collect(),
        });
        lines.push(vec![
            a.name.clone(),
            a.provider.id().to_string(),
            a.effective_base_url()
                .map_or_else(|| "(missing)".to_string(), crate::redact::shown_url),
            source,
            hint.unwrap_or_default(),
        ]);
    }
    if !structured(format, &rows, out)? {
        const COLUMNS: [Column; 5] = [
            shrinks("ACCOUNT", 12),
            fixed("PROVIDER"),
            shrinks("BASE URL", 20),
            shrinks("CREDENTIAL", 20),
            fixed("HINT"),
        ];
        table(&COLUMNS, &lines, out)?;
    }
    Ok(Exit::Verified)
}

/// The hint of an inline, env or file credential, read without running anything.
fn peek_hint(source: &Source) -> Option<String> {
    let value = match source {
        Source::Inline { value, .. } => value.expose().to_string(),
        Source::Env { var } => std::env::var(var).ok()?,
        // Bounded like any credential read: a device or a FIFO never hangs a listing.
        Source::File { path, .. } => crate::credential::read_file(path)
            .ok()?
            .expose()
            .to_string(),
        Source::Given { value, .. } => value.expose().to_string(),
        // Reading it could block on an unlock prompt: a listing never does that.
        Source::Command { .. } | Source::Keyring { .. } => return None,
    };
    crate::credential::hint(value.trim())
}

/// `whoami config path`.
pub fn config_path(config_flag: Option<&Path>, out: &mut dyn Write) -> Result<Exit, Error> {
    let (path, _) = config::locate(config_flag, &Env::from_process());
    writeln!(out, "{}", path.display())?;
    Ok(Exit::Verified)
}

/// `whoami config check`: structure only; sends nothing, runs no credential command.
pub fn config_check(
    config_flag: Option<&Path>,
    format: Option<ListFormat>,
    out: &mut dyn Write,
) -> Result<Exit, Error> {
    let env = Env::from_process();
    let (setup, problems) = match bind::load(config_flag, &env) {
        Ok(setup) => {
            let problems: Vec<String> = setup
                .accounts
                .iter()
                .flat_map(|a| a.problems())
                .map(|p| p.to_string())
                .collect();
            (Some(setup), problems)
        }
        Err(e) => (None, e.messages()),
    };
    let (path, _) = config::locate(config_flag, &env);
    // The file in use, even when it does not load (then `setup` is none).
    let file = setup
        .as_ref()
        .and_then(|s| s.config.file.clone())
        .or_else(|| path.exists().then(|| path.clone()));
    let report = CheckReport {
        file: file.as_ref().map(|f| f.display().to_string()),
        ok: problems.is_empty(),
        accounts: setup.as_ref().map_or(0, |s| s.accounts.len()),
        problems: problems.clone(),
    };
    // Structured output is written whatever the verdict: a script reads the problems there.
    let structured = structured(format, &report, out)?;
    if !problems.is_empty() {
        return Err(Error::Usage(problems));
    }
    if !structured {
        let source = match &file {
            Some(file) => file.display().to_string(),
            None => format!("{} (absent; environment only)", path.display()),
        };
        writeln!(out, "{source}: ok, {} account(s)", report.accounts)?;
    }
    Ok(Exit::Verified)
}

/// `whoami init [-p P [--base-url URL] [--set K=V]…]`: a commented skeleton, mode 0600, never
/// overwriting. What it writes loads as written, and with any one account uncommented.
pub fn init(
    config_flag: Option<&Path>,
    only: Option<&str>,
    base_url: Option<&str>,
    settings: &[String],
    out: &mut dyn Write,
) -> Result<Exit, Error> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    let active = match only {
        None => None,
        Some(p) => {
            let Some(provider) = provider::find(p) else {
                return Err(Error::usage(format!(
                    "--provider {}: unknown provider; known providers: {}",
                    config::shown(p),
                    provider::ids().join(", ")
                )));
            };
            let base_url = match base_url {
                Some(url) => Some(
                    config::check_instance_url(url)
                        .map_err(|m| Error::usage(format!("--base-url {m}")))?,
                ),
                None if provider.default_base_url().is_none() => {
                    return Err(Error::usage(format!(
                        "{} has no shared host: add your instance's URL, `whoami init -p {} --base-url https://…`",
                        provider.name(),
                        provider.id()
                    )));
                }
                None => None,
            };
            let settings = crate::login::settings(&provider, settings)?;
            if let Some(missing) = provider
                .required_settings()
                .find(|r| !settings.iter().any(|(k, _)| k == r))
            {
                return Err(Error::usage(format!(
                    "{} requires `{missing}`: add --set {missing}=…",
                    provider.name()
                )));
            }
            Some(Active {
                provider,
                base_url,
                settings,
            })
        }
    };
    let (path, _) = config::locate(config_flag, &Env::from_process());
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Private whatever the umask: the directory will hold a file that names credentials.
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| {
                format!(
                    "cannot create {}: {}",
                    dir.display(),
                    crate::error::describe(&e)
                )
            })?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                format!("{} already exists; not overwriting it", path.display())
            }
            _ => format!(
                "cannot create {}: {}",
                path.display(),
                crate::error::describe(&e)
            ),
        })?;
    file.write_all(skeleton(active.as_ref()).as_bytes())
        .map_err(|e| {
            format!(
                "cannot write {}: {}",
                path.display(),
                crate::error::describe(&e)
            )
        })?;
    writeln!(out, "wrote {}", path.display())?;
    Ok(Exit::Verified)
}

/// The account `init -p` writes uncommented.
pub struct Active {
    pub provider: std::sync::Arc<provider::Definition>,
    pub base_url: Option<String>,
    pub settings: Vec<(String, String)>,
}

/// The skeleton `init` writes, generated from the catalogue: a block for each provider with a
/// shared host, commented out unless it is the `active` one, then the providers that need
/// your instance's URL as instructions.
///
/// An account's block is its lines from `# [id]` to the blank line; removing the `# ` that
/// starts each of them gives an account that loads: a token from `WHOAMI_<ACCOUNT>_TOKEN`
/// (one naming scheme, the one that overrides the file anyway), and every optional key as a
/// comment that stays a comment (`# # key = …`), so that uncommenting changes no default.
pub fn skeleton(active: Option<&Active>) -> String {
    let mut text = String::from(
        "# whoami configuration. Each [table] is an account, named as you like; `provider`\n\
         # defaults to the table's name. Uncomment an account to use it, then run\n\
         # `whoami config check`.\n\
         #\n\
         # The token never goes in this file: `token = { env = \"VAR\" }`, `{ file = \"PATH\" }`,\n\
         # `{ command = \"CMD\" }` or `{ keyring = \"SERVICE/USER\" }`. `whoami login -p PROVIDER`\n\
         # checks a token and keeps it in the OS keyring for you. WHOAMI_<ACCOUNT>_<KEY>\n\
         # variables override any key of this file.\n\n\
         [defaults]\n\
         output = \"table\"   # table, json, yaml, junit, github, prometheus\n\
         timeout = \"10s\"\n",
    );
    let is_active = |p: &provider::Definition| active.is_some_and(|a| a.provider.id() == p.id());
    let mut instance_only = Vec::new();
    for p in PROVIDERS.iter() {
        if p.default_base_url().is_none() && !is_active(p) {
            instance_only.push(p);
            continue;
        }
        let (c, active) = match active.filter(|_| is_active(p)) {
            Some(a) => ("", Some(a)),
            None => ("# ", None),
        };
        text.push_str(&format!(
            "\n# {} — {}\n{c}[{}]\n{c}token = {{ env = \"{}\" }}\n",
            p.name(),
            p.docs_url(),
            p.id(),
            config::env_var_name(p.id(), "token")
        ));
        match (
            active.and_then(|a| a.base_url.as_deref()),
            p.default_base_url(),
        ) {
            (Some(url), _) => text.push_str(&format!("{c}base_url = {}\n", toml_string(url))),
            (None, Some(url)) => text.push_str(&format!(
                "{c}# base_url = {}   (the default)\n",
                toml_string(url)
            )),
            (None, None) => {}
        }
        for key in p.settings() {
            if let Some((_, value)) = active.and_then(|a| a.settings.iter().find(|(k, _)| k == key))
            {
                text.push_str(&format!("{c}{key} = {}\n", toml_string(value)));
                continue;
            }
            let (default, values) = p.setting_shape(key);
            let example = default.or(values.first().map(String::as_str));
            let line = match example {
                Some(v) => format!("{key} = {}", toml_string(v)),
                None => format!("{key} = \"…\""),
            };
            let note = match (default, values) {
                (Some(_), []) => "the default".to_string(),
                (Some(_), v) => format!("the default; also {}", others(v, default)),
                (None, []) => "optional".to_string(),
                (None, v) => format!("optional; {}", others(v, None)),
            };
            text.push_str(&format!("{c}# {line}   ({note})\n"));
        }
    }
    if !instance_only.is_empty() {
        text.push_str(
            "\n# These have no shared host. Add one with your instance's URL:\n\
             #   whoami login -p ID --base-url https://…   (checks the token, keeps it in the keyring)\n\
             # or start a config for it with `whoami init -p ID --base-url https://…`.\n",
        );
        for p in instance_only {
            let required: Vec<&str> = p.required_settings().collect();
            let also = match required.is_empty() {
                true => String::new(),
                false => format!(" (also --set {}=…)", required.join("=… --set ")),
            };
            text.push_str(&format!("#   {:<12} {}{also}\n", p.id(), p.name()));
        }
    }
    text
}

/// The allowed values other than `except`, for a comment.
fn others(values: &[String], except: Option<&str>) -> String {
    let mut rest: Vec<String> = values
        .iter()
        .filter(|v| Some(v.as_str()) != except)
        .map(|v| format!("\"{v}\""))
        .collect();
    match rest.len() {
        0 => "no other value".to_string(),
        1 => rest.remove(0),
        _ => format!("one of {}", rest.join(", ")),
    }
}

/// A TOML string literal.
fn toml_string(text: &str) -> String {
    toml_edit::Value::from(text).to_string().trim().to_string()
}

/// The script registers `whoami` itself as the completer: values (provider ids, account
/// names, field paths) come from what is installed and configured when the shell asks.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<Exit, Error> {
    crate::complete::registration(shell, out)?;
    Ok(Exit::Verified)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every account block of `text`: its lines from `# [id]` to the blank line.
    fn blocks(text: &str) -> Vec<std::ops::Range<usize>> {
        let lines: Vec<&str> = text.lines().collect();
        let mut blocks = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if line.starts_with("# [") {
                let end = (i..lines.len())
                    .find(|&j| lines[j].is_empty())
                    .unwrap_or(lines.len());
                blocks.push(i..end);
            }
        }
        blocks
    }

    /// Binds `text` as a config, returning every problem (a missing variable is none: the
    /// token is an env source, read only when checked).
    fn problems(text: &str) -> Vec<String> {
        let env = Env::from_vars([]);
        let config = match config::from_text(Some(text.into()), "init.toml".into(), &env) {
            Ok(c) => c,
            Err(e) => return e.messages(),
        };
        let registry = provider::Registry::default();
        match bind::bind(&config, &registry, &env) {
            Ok(accounts) => config
                .errors
                .iter()
                .map(|e| e.to_string())
                .chain(
                    accounts
                        .iter()
                        .flat_map(|a| a.problems())
                        .map(|p| p.to_string()),
                )
                .collect(),
            Err(e) => e.messages(),
        }
    }

    #[test]
    fn the_skeleton_loads_as_written_and_with_any_account_uncommented() {
        let text = skeleton(None);
        assert_eq!(problems(&text), Vec::<String>::new());
        assert!(!text.contains("= \"\""), "no empty settings:\n{text}");
        assert!(
            !text.contains("example.invalid"),
            "no placeholder host:\n{text}"
        );
        let lines: Vec<&str> = text.lines().collect();
        let blocks = blocks(&text);
        assert!(blocks.len() >= 20, "{}", blocks.len());
        for block in blocks {
            let mut edited: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            for line in &mut edited[block.clone()] {
                *line = line.strip_prefix("# ").unwrap_or(line).to_string();
            }
            let edited = edited.join("\n");
            let name = lines[block.start];
            assert_eq!(
                problems(&edited),
                Vec::<String>::new(),
                "{name} uncommented:\n{edited}"
            );
            let (_, accounts) = config::parse(&edited, Path::new("init.toml")).unwrap();
            assert_eq!(accounts.len(), 1, "{name}");
            // One naming scheme: the variable that overrides the file anyway.
            let id = &accounts[0].name;
            assert!(
                edited.contains(&format!(
                    "token = {{ env = \"{}\" }}",
                    config::env_var_name(id, "token")
                )),
                "{name}"
            );
        }
        for id in ["zitadel", "atlassian", "vault"] {
            assert!(
                text.contains(&format!("#   {id:<12} ")),
                "{id} listed as needing an instance"
            );
        }
        assert!(
            text.contains("--set email=…"),
            "atlassian's required setting is named"
        );
    }

    #[test]
    fn an_active_account_loads_with_its_url_and_settings() {
        let active = Active {
            provider: provider::find("atlassian").unwrap(),
            base_url: Some("https://acme.atlassian.net".into()),
            settings: vec![("email".into(), "ada@acme.test".into())],
        };
        let text = skeleton(Some(&active));
        assert_eq!(problems(&text), Vec::<String>::new());
        let (_, accounts) = config::parse(&text, Path::new("init.toml")).unwrap();
        assert_eq!(accounts.len(), 1);
        assert!(text.contains("[atlassian]\ntoken = { env = \"WHOAMI_ATLASSIAN_TOKEN\" }\nbase_url = \"https://acme.atlassian.net\"\nemail = \"ada@acme.test\"\n"), "{text}");
    }
}
