//! Binds account declarations to their providers (README, "Configuration" and "Any other
//! service").
//!
//! The config layer gives declarations: a name, a provider id as written, the common keys, and
//! every other key as written. This step finds each provider (a user definition, a built-in,
//! or the account's own inline definition), checks every other key against the provider's
//! settings, applies the provider SDK's own variables, and orders the accounts. What comes out
//! is an [`Account`]: everything a check needs, nothing sent yet.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use toml::de::DeTable;

use crate::config::{
    self, COMMON_KEYS, Config, ConfigError, ConfigErrors, Declaration, Env, Key, KeyFrom,
};
use crate::credential::{Location, Source};
use crate::provider::{Definition, Registry, Settings, custom};

/// An account bound to its provider.
#[derive(Debug, Clone)]
pub struct Account {
    pub name: String,
    pub provider: Arc<Definition>,
    pub base_url: Option<String>,
    pub token: Option<Source>,
    pub ca_cert: Option<PathBuf>,
    pub timeout: Option<Duration>,
    pub settings: Settings,
    /// Where the account's table starts, for file accounts.
    pub at: Option<Location>,
    /// Problems that stop this account (and only it) from being checked.
    pub problems: Vec<ConfigError>,
}

impl Account {
    /// An account with nothing set but its name and provider.
    pub fn new(name: impl Into<String>, provider: Arc<Definition>) -> Account {
        Account {
            name: name.into(),
            provider,
            base_url: None,
            token: None,
            ca_cert: None,
            timeout: None,
            settings: Settings::default(),
            at: None,
            problems: Vec::new(),
        }
    }

    /// Everything that stops this account from being checked: problems from the environment,
    /// then what is required (checked after the environment and `--base-url` are applied).
    pub fn problems(&self) -> Vec<ConfigError> {
        let mut problems = self.problems.clone();
        let (file, line) = self.place();
        if self.effective_base_url().is_none() {
            problems.push(ConfigError {
                file: file.clone(),
                line,
                message: format!(
                    "[{}] base_url is required for {} (it has no shared host): set `base_url` in the config or {}",
                    self.name,
                    self.provider.name(),
                    self.env_var("base_url")
                ),
            });
        }
        for setting in self.provider.required_settings() {
            if self.settings.get(setting).is_none() {
                problems.push(ConfigError {
                    file: file.clone(),
                    line,
                    message: format!(
                        "[{}] {setting} is required for {}: set `{setting}` in the config or {}",
                        self.name,
                        self.provider.name(),
                        self.env_var(setting)
                    ),
                });
            }
        }
        if self.token.is_none() {
            problems.push(missing_token(self));
        }
        problems
    }

    fn place(&self) -> (Option<PathBuf>, Option<(usize, usize)>) {
        match &self.at {
            Some(at) => (Some(at.file.clone()), Some((at.line, 1))),
            None => (None, None),
        }
    }

    /// The base URL in force: the account's, else the provider's default.
    pub fn effective_base_url(&self) -> Option<&str> {
        self.base_url
            .as_deref()
            .or_else(|| self.provider.default_base_url())
    }

    /// The `WHOAMI_<ACCOUNT>_<KEY>` variable for one of this account's keys.
    pub fn env_var(&self, key: &str) -> String {
        config::env_var_name(&self.name, key)
    }
}

/// The error for an account with no credential.
pub fn missing_token(account: &Account) -> ConfigError {
    let (file, line) = account.place();
    let sdk: Vec<&str> = account
        .provider
        .sdk_env()
        .iter()
        .filter(|v| v.key == "token" && account.name == account.provider.id())
        .map(|v| v.var.as_str())
        .collect();
    let also = if sdk.is_empty() {
        String::new()
    } else {
        format!(" (or {})", sdk.join(", "))
    };
    ConfigError {
        file,
        line,
        message: format!(
            "account `{}` has no credential: set {}{also}, or `token` in [{}] of the config file",
            account.name,
            account.env_var("token"),
            account.name
        ),
    }
}

/// Everything a command needs: the config, the providers and the bound accounts.
pub struct Setup {
    pub config: Config,
    pub registry: Registry,
    pub accounts: Vec<Account>,
}

/// The folder of user definitions: `<config dir>/whoami/providers` (`~/.config/whoami/providers`
/// on Linux), whichever config file is in use: a `--config` pointing into a project does not
/// pick up whatever `providers/` folder sits beside it.
pub fn providers_dir() -> PathBuf {
    config::default_path()
        .parent()
        .unwrap_or(Path::new("."))
        .join("providers")
}

/// Loads the config, the user's definitions and binds every account.
pub fn load(flag: Option<&Path>, env: &Env) -> Result<Setup, ConfigErrors> {
    let config = config::load(flag, env)?;
    setup(config, flag.is_some(), env)
}

/// [`load`] for a config already read (`login` starts from an absent file). `explicit`: the
/// file was named by `--config`.
pub fn setup(config: Config, explicit: bool, env: &Env) -> Result<Setup, ConfigErrors> {
    let registry = Registry::load(&providers_dir()).map_err(ConfigErrors)?;
    for skipped in registry.skipped() {
        crate::report::warn(&format!("skipped: {skipped}"));
    }
    warn_unclaimed(&config, &registry);
    if config.file.is_none()
        && !explicit
        && let Some(platform) = config::platform_path().filter(|p| p.exists())
    {
        crate::report::warn(&format!(
            "{} is not read: whoami reads {} (move the file there)",
            platform.display(),
            config.path.display()
        ));
    }
    let bound = bind(&config, &registry, env);
    // Every problem of the file, in the order of its lines.
    let mut errors = config.errors.clone();
    if let Err(ConfigErrors(more)) = &bound {
        errors.extend(more.iter().cloned());
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(ConfigErrors(errors));
    }
    let accounts = bound?;
    Ok(Setup {
        config,
        registry,
        accounts,
    })
}

/// Warns about every `WHOAMI_*` variable that does nothing: one that names no account and no
/// key, and a `WHOAMI_<NAME>_TOKEN` for no account and no provider. A typo must not silently do
/// nothing; the closest account, provider or key is named.
fn warn_unclaimed(config: &Config, registry: &Registry) {
    let names: Vec<String> = config.accounts.iter().map(|d| d.name.clone()).collect();
    let ids = registry.ids();
    let dropped = config.accounts.iter().filter(|d| {
        d.at.is_none() && d.provider.is_none() && matches!(registry.find(&d.name), Ok(None))
    });
    let mut vars: Vec<(String, String)> = dropped
        .map(|d| {
            let var = d
                .from_var
                .clone()
                .unwrap_or_else(|| config::env_var_name(&d.name, "token"));
            // Named after the variable as written: lower-cased, a pasted credential would no
            // longer look like one.
            if config::shown(&var) != var {
                return (var, "names no account and no provider".to_string());
            }
            let candidates: Vec<&str> = ids.iter().map(String::as_str).collect();
            let key = var
                .rsplit_once(&format!("{}_", config::env_var_name(&d.name, "")).to_string())
                .map(|(_, k)| k.to_ascii_lowercase())
                .unwrap_or_else(|| "token".into());
            let hint = config::suggest(&d.name, &candidates)
                .map(|s| format!(" (did you mean {}?)", config::env_var_name(s, &key)))
                .unwrap_or_default();
            (
                var,
                format!("no account and no provider is named `{}`{hint}", d.name),
            )
        })
        .collect();
    for var in &config.unclaimed {
        let lower = var.trim_start_matches("WHOAMI_").to_ascii_lowercase();
        let mut candidates: Vec<String> = names
            .iter()
            .flat_map(|n| {
                COMMON_KEYS
                    .iter()
                    .map(move |k| config::env_var_name(n, k).to_ascii_lowercase())
            })
            .collect();
        candidates.extend(
            ["output", "timeout", "retries", "jobs", "color"]
                .iter()
                .map(|k| format!("defaults_{k}")),
        );
        let candidates: Vec<String> = candidates
            .into_iter()
            .map(|c| c.trim_start_matches("whoami_").to_string())
            .collect();
        let refs: Vec<&str> = candidates.iter().map(String::as_str).collect();
        let hint = config::suggest(&lower, &refs)
            .map(|s| format!(" (did you mean WHOAMI_{}?)", s.to_ascii_uppercase()))
            .unwrap_or_default();
        vars.push((var.clone(), format!("names no account and no key{hint}")));
    }
    for (var, why) in vars {
        crate::report::warn(&format!("{}: {why}; ignored", config::shown(&var)));
    }
}

/// Binds every declaration. Problems in the file (an unknown provider, an unknown key, a bad
/// setting) are errors for the whole config, as a broken file is broken for every account;
/// problems from the environment belong to their account.
pub fn bind(config: &Config, registry: &Registry, env: &Env) -> Result<Vec<Account>, ConfigErrors> {
    let text = config.text.as_deref().unwrap_or_default();
    let file = config.file.clone().unwrap_or_else(|| config.path.clone());
    let error_at = |offset: usize, message: String| ConfigError {
        file: Some(file.clone()),
        line: Some(config::position(text, offset)),
        message,
    };
    // Parsed again only when an account defines its provider inline: the definition's errors
    // point at their own lines.
    let document = config
        .accounts
        .iter()
        .any(|d| d.provider.as_deref() == Some(custom::ID))
        .then(|| DeTable::parse(text).ok())
        .flatten();
    let mut errors = Vec::new();
    let mut accounts = Vec::new();
    for declaration in &config.accounts {
        let inline = declaration.provider.as_deref() == Some(custom::ID);
        let provider = match inline {
            true => {
                let table = document.as_ref().and_then(|doc| {
                    doc.get_ref()
                        .get(declaration.name.as_str())
                        .and_then(|t| t.get_ref().as_table())
                });
                let offset = declaration.offset.unwrap_or_default();
                match table.map(|t| custom::define(&declaration.name, offset, t, &error_at)) {
                    Some(Ok(inline)) => Ok(Some((Arc::new(inline.definition), Some(inline.url)))),
                    Some(Err(e)) => Err(e),
                    None => Ok(None),
                }
            }
            false => registry
                .find(declaration.provider_id())
                .map(|found| found.map(|p| (p, None))),
        };
        let (provider, url) = match provider {
            Ok(Some(found)) => found,
            Ok(None) => {
                if let Some(e) = unknown_provider(declaration, registry, &error_at) {
                    errors.push(e);
                }
                continue;
            }
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        match account(declaration, provider, url, &error_at) {
            Ok(account) => accounts.push(account),
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(ConfigErrors(errors));
    }
    apply_sdk_env(&mut accounts, registry, env);
    // Accounts made from the environment (WHOAMI_* or a provider SDK's variables) come after
    // the file's, in the order `whoami providers` lists providers, then by name. The sort is
    // stable and file accounts share one key, so the file's order stands.
    accounts.sort_by_key(|a| match a.at {
        Some(_) => (0, 0, String::new()),
        None => (1, registry.rank(a.provider.id()), a.name.clone()),
    });
    Ok(accounts)
}

/// The error for a provider id nothing defines, or `None` for a `WHOAMI_<X>_TOKEN` that names
/// no account and no provider (a variable that is not ours).
fn unknown_provider(
    declaration: &Declaration,
    registry: &Registry,
    error_at: &dyn Fn(usize, String) -> ConfigError,
) -> Option<ConfigError> {
    let id = declaration.provider_id();
    let ids = registry.ids();
    let names: Vec<&str> = ids.iter().map(String::as_str).collect();
    let suggestion = config::suggest(id, &names)
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    let known = format!("known providers: {}", names.join(", "));
    let name = &declaration.name;
    match (declaration.offset, &declaration.provider) {
        (Some(offset), Some(_)) => Some(error_at(
            declaration.provider_at.unwrap_or(offset),
            format!(
                "[{name}] provider: unknown provider `{}`{suggestion}; {known}, or `custom` with a url, auth and map",
                config::shown(id)
            ),
        )),
        (Some(offset), None) => Some(error_at(
            offset,
            format!(
                "[{name}]: `{name}` is not a provider; add `provider = \"…\"` to this table{suggestion}; {known}, or `custom` with a url, auth and map"
            ),
        )),
        (None, Some(_)) => Some(ConfigError {
            file: None,
            line: None,
            message: format!(
                "{}: unknown provider `{}`{suggestion}; {known}",
                config::env_var_name(name, "provider"),
                config::shown(id)
            ),
        }),
        (None, None) => None,
    }
}

/// One declaration bound to its provider: every key that is not a common one must be one of
/// the provider's settings (or, for an inline definition, one of the definition's keys).
fn account(
    declaration: &Declaration,
    provider: Arc<Definition>,
    url: Option<String>,
    error_at: &dyn Fn(usize, String) -> ConfigError,
) -> Result<Account, Vec<ConfigError>> {
    let name = &declaration.name;
    let inline = url.is_some();
    let mut account = Account {
        name: name.clone(),
        base_url: declaration.base_url.clone(),
        token: declaration.token.clone(),
        ca_cert: declaration.ca_cert.clone(),
        timeout: declaration.timeout,
        settings: Settings::default(),
        at: declaration.at.clone(),
        problems: declaration.problems.clone(),
        provider,
    };
    let provider = account.provider.clone();
    let allowed: Vec<&str> = match inline {
        true => COMMON_KEYS
            .iter()
            .filter(|k| **k != "base_url")
            .chain(custom::KEYS)
            .copied()
            .collect(),
        false => COMMON_KEYS
            .iter()
            .copied()
            .chain(provider.settings())
            .collect(),
    };
    let mut errors = Vec::new();
    let mut file_base_url = None;
    for key in &declaration.keys {
        let Key {
            name: key_name,
            value,
            from,
        } = key;
        match from {
            KeyFrom::File {
                key: key_at,
                value: value_at,
            } => {
                let fail = |m: String| error_at(*value_at, format!("[{name}] {key_name}: {m}"));
                let string = || {
                    value
                        .clone()
                        .map_err(|kind| fail(format!("must be a string, not a {kind}")))
                };
                let result = match key_name.as_str() {
                    k if inline && custom::KEYS.contains(&k) => Ok(()),
                    "base_url" if !inline => string().and_then(|v| {
                        config::check_base_url(&v)
                            .map(|url| file_base_url = Some(url))
                            .map_err(fail)
                    }),
                    k if !inline && provider.has_setting(k) => string().and_then(|v| {
                        provider.check_setting(k, &v).map_err(fail)?;
                        account.settings.0.insert(k.to_string(), v);
                        Ok(())
                    }),
                    other => Err(error_at(
                        *key_at,
                        config::unknown_key(name, other, &allowed)
                            + &format!(
                                " (a {} account takes: {})",
                                shown_id(&provider, inline),
                                allowed.join(", ")
                            ),
                    )),
                };
                if let Err(e) = result {
                    errors.push(e);
                }
            }
            KeyFrom::Env(var) => {
                let problem = |m: String| ConfigError {
                    file: None,
                    line: None,
                    message: format!("{var}: {m}"),
                };
                let value = value.clone().unwrap_or_default();
                let result = match key_name.as_str() {
                    k if !inline && provider.has_setting(k) => provider
                        .check_setting(k, &value)
                        .map(|()| {
                            account.settings.0.insert(k.to_string(), value);
                        })
                        .map_err(problem),
                    k => Err(problem(format!(
                        "a {} account has no `{}` setting{} (it takes: {})",
                        shown_id(&provider, inline),
                        config::shown(k),
                        config::suggest(k, &allowed)
                            .map(|s| format!("; did you mean {}?", config::env_var_name(name, s)))
                            .unwrap_or_default(),
                        allowed.join(", ")
                    ))),
                };
                if let Err(e) = result {
                    account.problems.push(e);
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // The environment's base URL, else the file's, else an inline definition's `url`.
    account.base_url = account.base_url.or(file_base_url).or(url);
    Ok(account)
}

fn shown_id(provider: &Definition, inline: bool) -> &str {
    match inline {
        true => custom::ID,
        false => provider.id(),
    }
}

/// A provider SDK's variables, for the account named after the provider, below the file and
/// `WHOAMI_*`. A token variable creates that account when nothing else did. The built-ins'
/// variables are read, and those of the user's definitions that an account uses (the others
/// are not loaded).
fn apply_sdk_env(accounts: &mut Vec<Account>, registry: &Registry, env: &Env) {
    let set = |var: &str| env.get(var).is_some_and(|v| !v.trim().is_empty());
    for id in registry.ids() {
        let builtin = crate::provider::ids().contains(&id.as_str());
        // A built-in is only loaded when one of its variables is set (a lookup of one provider
        // pays for one definition); a user definition only when an account uses it.
        let wanted = registry.env_vars(&id).iter().any(|v| set(v))
            || (builtin && registry.is_user(&id))
            || (!builtin && accounts.iter().any(|a| a.provider.id() == id));
        if !wanted {
            continue;
        }
        let Ok(Some(provider)) = registry.find(&id) else {
            continue;
        };
        let set: Vec<_> = provider
            .sdk_env()
            .iter()
            // Unlike WHOAMI_* variables, an empty SDK variable is ignored: it is not ours, and
            // other tools leave such variables set but empty.
            .filter_map(|v| Some((v, env.get(&v.var).filter(|x| !x.trim().is_empty())?)))
            .collect();
        if set.is_empty() {
            continue;
        }
        let index = match accounts.iter().position(|a| a.name == provider.id()) {
            Some(i) => i,
            None if set.iter().any(|(v, _)| v.key == "token") => {
                accounts.push(Account::new(provider.id(), provider.clone()));
                accounts.len() - 1
            }
            None => continue,
        };
        let account = &mut accounts[index];
        // An account of another provider, or one that defines its own inline (named like a
        // service, it is still not that service: its variables never go to it).
        if account.provider.id() != provider.id() || account.provider.is_inline() {
            continue;
        }
        for (sdk, value) in set {
            match sdk.key.as_str() {
                "token" if account.token.is_none() => {
                    account.token = Some(Source::Env {
                        var: sdk.var.clone(),
                    })
                }
                "base_url" if account.base_url.is_none() => match config::check_base_url(value) {
                    Ok(url) => account.base_url = Some(url),
                    // Never fall back to the public host with a credential meant elsewhere.
                    Err(m) => account.problems.push(ConfigError {
                        file: None,
                        line: None,
                        message: format!("{}: {m}", sdk.var),
                    }),
                },
                key if provider.has_setting(key) && account.settings.get(key).is_none() => {
                    match provider.check_setting(key, value) {
                        Ok(()) => {
                            account
                                .settings
                                .0
                                .insert(key.to_string(), value.to_string());
                        }
                        Err(m) => account.problems.push(ConfigError {
                            file: None,
                            line: None,
                            message: format!("{}: {m}", sdk.var),
                        }),
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Env {
        Env::from_vars(vars.iter().copied())
    }

    /// Binds a config text with the built-in providers.
    fn bound(text: &str, vars: &[(&str, &str)]) -> Result<Vec<Account>, String> {
        let env = env(vars);
        let messages = |e: ConfigErrors| e.messages().join("\n");
        let config = config::from_text(Some(text.into()), PathBuf::from("c.toml"), &env)
            .map_err(messages)?;
        if !config.errors.is_empty() {
            return Err(messages(ConfigErrors(config.errors)));
        }
        bind(&config, &Registry::builtin(), &env).map_err(messages)
    }

    #[test]
    fn binds_providers_settings_and_base_urls() {
        let accounts = bound(
            "[cw-self]\nprovider = \"chatwoot\"\nbase_url = \"https://example.org/chatwoot/\"\n[hamravesh]\napi_version = \"v2\"\n",
            &[],
        )
        .unwrap();
        assert_eq!(accounts[0].provider.id(), "chatwoot");
        assert_eq!(
            accounts[0].base_url.as_deref(),
            Some("https://example.org/chatwoot/"),
            "kept as written; joining handles the slash"
        );
        assert_eq!(accounts[1].provider.id(), "hamravesh");
        assert_eq!(accounts[1].settings.get("api_version"), Some("v2"));
    }

    #[test]
    fn unknown_providers_keys_and_bad_values_name_the_line() {
        let err = |text: &str| bound(text, &[]).unwrap_err();
        assert!(err("[chatwot]\ntoken = \"x\"").contains("did you mean `chatwoot`"));
        assert!(err("[a]\nprovider = \"nope\"").contains("unknown provider `nope`"));
        assert!(err("[chatwoot]\nbase_url = \"ftp://x\"").contains("base_url"));
        let typo = err("[chatwoot]\ntokne = \"x\"\n");
        assert!(typo.starts_with("c.toml:2:1:"), "{typo}");
        assert!(typo.contains("`tokne`"), "{typo}");
        assert!(typo.contains("did you mean `token`"), "{typo}");
        let setting = err("[hamravesh]\napi_version = \"v3\"\n");
        assert!(setting.starts_with("c.toml:2:15:"), "{setting}");
        assert!(setting.contains("\"v1\" (the default)"), "{setting}");
        assert!(
            !setting.contains("v3"),
            "the value is not quoted: {setting}"
        );
        assert!(err("[vaiz]\nspace_id = 5\n").contains("must be a string, not a integer"));
    }

    #[test]
    fn env_makes_accounts_only_for_providers_in_provider_order() {
        let accounts = bound(
            "[cw-self]\nprovider = \"chatwoot\"\ntoken = \"inline-token\"\n",
            &[
                ("WHOAMI_CHATWOOT_TOKEN", "t"),
                ("WHOAMI_VAIZ_TOKEN", "t"),
                ("WHOAMI_NOPROVIDER_TOKEN", "x"),
                ("WHOAMI_CW2_PROVIDER", "chatwoot"),
                ("WHOAMI_CW2_TOKEN", "x"),
            ],
        )
        .unwrap();
        let names: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["cw-self", "vaiz", "chatwoot", "cw2"]);
        assert_eq!(accounts[3].provider.id(), "chatwoot");
        let err = bound(
            "",
            &[("WHOAMI_X_PROVIDER", "nope"), ("WHOAMI_X_TOKEN", "t")],
        );
        assert!(
            err.unwrap_err()
                .contains("WHOAMI_X_PROVIDER: unknown provider `nope`")
        );
    }

    #[test]
    fn env_problems_belong_to_their_account() {
        let accounts = bound(
            "[chatwoot]\ntoken = \"x\"\n[support]\nprovider = \"chatwoot\"\n[vaiz]\n",
            &[
                ("WHOAMI_CHATWOOT_JOBS", "1"),
                ("WHOAMI_SUPPORT_PROVIDER", "vaiz-not-real"),
                ("WHOAMI_VAIZ_SPACE_ID", "a\nb"),
            ],
        )
        .unwrap();
        let problem = accounts[0].problems[0].to_string();
        assert!(problem.contains("WHOAMI_CHATWOOT_JOBS"), "{problem}");
        assert_eq!(accounts[1].provider.id(), "chatwoot");
        assert!(!accounts[1].problems.is_empty());
        assert!(accounts[2].problems[0].to_string().contains("header"));
    }

    #[test]
    fn sdk_variables_fill_the_account_named_after_the_provider() {
        let accounts = bound(
            "",
            &[("VAIZ_API_TOKEN", "t0k3n-vaiz"), ("VAIZ_SPACE_ID", "s1")],
        )
        .unwrap();
        assert_eq!(accounts[0].name, "vaiz");
        assert_eq!(accounts[0].settings.get("space_id"), Some("s1"));
        assert_eq!(
            accounts[0].token.as_ref().unwrap().describe(),
            "env VAIZ_API_TOKEN"
        );
    }

    #[test]
    fn missing_token_names_the_variable_and_key() {
        let accounts = bound("[cw-self]\nprovider = \"chatwoot\"\n", &[]).unwrap();
        let msg = missing_token(&accounts[0]).to_string();
        assert!(msg.contains("WHOAMI_CW_SELF_TOKEN"), "{msg}");
        assert!(msg.contains("`token` in [cw-self]"), "{msg}");
        assert!(msg.starts_with("c.toml:1:"), "{msg}");
    }

    #[test]
    fn a_service_variable_never_goes_to_an_inline_account_of_that_name() {
        let text = "[vault]\nprovider = \"custom\"\nurl = \"https://proxy.example.org/me\"\nauth = { header = \"X-Key\" }\n[vault.map]\nid = \"/id\"\n";
        let accounts = bound(text, &[("VAULT_TOKEN", "hvs.canary-0123456789")]).unwrap();
        assert_eq!(accounts.len(), 1);
        assert!(accounts[0].provider.is_inline());
        assert!(
            accounts[0].token.is_none(),
            "VAULT_TOKEN must not reach proxy.example.org"
        );
    }

    #[test]
    fn service_settings_are_checked_like_any_other() {
        let accounts = bound(
            "",
            &[("VAIZ_API_TOKEN", "t0k3n-vaiz"), ("VAIZ_SPACE_ID", "a\nb")],
        )
        .unwrap();
        let problem = accounts[0].problems[0].to_string();
        assert!(problem.starts_with("VAIZ_SPACE_ID:"), "{problem}");
    }

    #[test]
    fn a_whoami_variable_applies_to_an_account_the_services_own_variable_makes() {
        let accounts = bound(
            "",
            &[
                ("VAULT_TOKEN", "hvs.canary-0123456789"),
                ("WHOAMI_VAULT_BASE_URL", "https://vault.internal"),
            ],
        )
        .unwrap();
        assert_eq!(accounts.len(), 1);
        assert_eq!(
            accounts[0].base_url.as_deref(),
            Some("https://vault.internal")
        );
        assert_eq!(
            accounts[0].token.as_ref().unwrap().describe(),
            "env VAULT_TOKEN"
        );
    }
}
