//! The providers: data, not code. Every provider is a [`Definition`] (README, "Any other
//! service"): the built-ins embedded from `providers/*.toml`, the user's definitions from the
//! `providers/` folder beside the config file, and one-account definitions written inline in
//! the config. [`Registry`] finds them by id.
//!
//! A provider knows its request, its success envelope and how to normalize it, its body-level
//! rejection rules and its secret fields. It knows nothing of transport, retries, status
//! classes, redaction or rendering: those are shared.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use crate::config::ConfigError;

pub mod builtin;
pub mod custom;
pub mod definition;

pub use definition::{Definition, SdkVar};

/// Every built-in provider, in the order `whoami providers` lists them. Parses every
/// built-in: a run that needs one provider uses [`builtin::find`].
pub static PROVIDERS: std::sync::LazyLock<Vec<Arc<Definition>>> =
    std::sync::LazyLock::new(|| builtin::ids().filter_map(builtin::find).collect());

/// Where a definition comes from, for `whoami providers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    BuiltIn,
    /// A user definition: its file.
    File(PathBuf),
}

/// The providers of one run: the built-ins, and the user's definitions from one folder.
#[derive(Debug, Default)]
pub struct Registry {
    user: Vec<UserDefinition>,
    /// Ids that two files claim, or a built-in's id claimed without `replaces`: an error when
    /// that id is used.
    conflicts: Vec<(String, ConfigError)>,
    /// Files whose id cannot be read: skipped, with a warning.
    skipped: Vec<ConfigError>,
}

/// A user definition file: its id read at once, the rest parsed and compiled on first use.
#[derive(Debug)]
struct UserDefinition {
    file: PathBuf,
    id: String,
    /// The `[[env]]` variables, read with the id: a service's own token variable can make an
    /// account before the definition is loaded.
    env: Vec<String>,
    text: String,
    loaded: OnceLock<Result<Arc<Definition>, ConfigError>>,
}

impl UserDefinition {
    fn get(&self) -> Result<Arc<Definition>, ConfigError> {
        self.loaded
            .get_or_init(|| {
                Definition::load(&self.text)
                    .map(Arc::new)
                    .map_err(|e| ConfigError::in_file(&self.file, e.line, e.message))
            })
            .clone()
    }
}

/// The keys read from every user definition when the folder is listed.
#[derive(serde::Deserialize)]
struct Head {
    id: String,
    #[serde(default)]
    replaces: bool,
    #[serde(default)]
    env: Vec<HeadEnv>,
}

#[derive(serde::Deserialize)]
struct HeadEnv {
    var: String,
}

impl Registry {
    /// The built-ins only.
    pub fn builtin() -> Registry {
        Registry::default()
    }

    /// The built-ins and every `*.toml` of `folder` (when it exists). Each file's id is read
    /// now; the rest of a definition is parsed and compiled when something uses it. A file
    /// that is not TOML or has no id is skipped (see [`Registry::skipped`]); a user definition
    /// with a built-in's id that does not say `replaces = true`, and two files with one id,
    /// are errors when that id is used. Only an unreadable folder is an error here.
    pub fn load(folder: &Path) -> Result<Registry, Vec<ConfigError>> {
        let entries = match std::fs::read_dir(folder) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Registry::default()),
            Err(e) => {
                return Err(vec![ConfigError::in_file(
                    folder,
                    None,
                    format!(
                        "cannot read the providers folder: {}",
                        crate::error::describe(&e)
                    ),
                )]);
            }
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        let mut user: Vec<UserDefinition> = Vec::new();
        let mut conflicts = Vec::new();
        let mut skipped = Vec::new();
        for file in files {
            let head = read_definition(&file).and_then(|text| {
                let head: Head = toml::from_str(&text).map_err(|e| {
                    let line = e
                        .span()
                        .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
                    ConfigError::in_file(&file, line, e.message().trim().to_string())
                })?;
                Ok((head, text))
            });
            let (head, text) = match head {
                Ok(loaded) => loaded,
                Err(e) => {
                    skipped.push(e);
                    continue;
                }
            };
            let id = head.id;
            if let Some(other) = user.iter().find(|d| d.id == id) {
                let error = ConfigError::in_file(
                    &file,
                    None,
                    format!(
                        "id: `{}` is also the id of {}; one id, one definition",
                        crate::config::shown(&id),
                        crate::credential::shown_path(&other.file)
                    ),
                );
                conflicts.push((id, error));
            } else if builtin::ids().any(|b| b == id) && !head.replaces {
                let error = ConfigError::in_file(
                    &file,
                    None,
                    format!(
                        "id: `{id}` is a built-in provider; choose another id, or add `replaces = true` to use this definition instead of the built-in"
                    ),
                );
                conflicts.push((id, error));
            } else {
                user.push(UserDefinition {
                    file,
                    id,
                    env: head.env.into_iter().map(|e| e.var).collect(),
                    text,
                    loaded: OnceLock::new(),
                });
            }
        }
        Ok(Registry {
            user,
            conflicts,
            skipped,
        })
    }

    /// The files that were skipped because their id cannot be read, with why.
    pub fn skipped(&self) -> &[ConfigError] {
        &self.skipped
    }

    /// The variables a provider's `[[env]]` names, without loading its definition.
    pub fn env_vars(&self, id: &str) -> Vec<String> {
        match self.user.iter().find(|d| d.id == id) {
            Some(d) => d.env.clone(),
            None => builtin::env_vars(id).map(str::to_string).collect(),
        }
    }

    /// The provider of an id: a user definition, else the built-in. A user definition that
    /// does not load is an error naming its file, line and key.
    pub fn find(&self, id: &str) -> Result<Option<Arc<Definition>>, ConfigError> {
        if let Some((_, error)) = self.conflicts.iter().find(|(i, _)| i == id) {
            return Err(error.clone());
        }
        match self.user.iter().find(|d| d.id == id) {
            Some(d) => d.get().map(Some),
            None => Ok(builtin::find(id)),
        }
    }

    /// Whether a user definition has this id (a built-in's replacement, for one).
    pub fn is_user(&self, id: &str) -> bool {
        self.user.iter().any(|d| d.id == id)
    }

    /// Every id, built-ins first, for messages and suggestions.
    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = builtin::ids().map(str::to_string).collect();
        for d in &self.user {
            if !ids.contains(&d.id) {
                ids.push(d.id.clone());
            }
        }
        ids
    }

    /// Every provider with where it comes from: the built-ins (a replaced one shows its
    /// replacement), then the user's own. Loads every user definition.
    pub fn all(&self) -> Vec<(Result<Arc<Definition>, ConfigError>, Origin)> {
        let user = |d: &UserDefinition| (d.get(), Origin::File(d.file.clone()));
        let mut all: Vec<_> = builtin::ids()
            .filter_map(|id| match self.user.iter().find(|d| d.id == id) {
                Some(d) => Some(user(d)),
                None => Some((Ok(builtin::find(id)?), Origin::BuiltIn)),
            })
            .collect();
        all.extend(
            self.user
                .iter()
                .filter(|d| !builtin::ids().any(|b| b == d.id))
                .map(user),
        );
        all.extend(self.conflicts.iter().map(|(_, e)| {
            let file = e.file.clone().unwrap_or_default();
            (Err(e.clone()), Origin::File(file))
        }));
        all
    }

    /// The position of an id in listing order (built-ins first), for sorting accounts.
    pub fn rank(&self, id: &str) -> usize {
        builtin::ids()
            .position(|b| b == id)
            .or_else(|| {
                self.user
                    .iter()
                    .position(|d| d.id == id)
                    .map(|i| i + builtin::ids().count())
            })
            .unwrap_or(usize::MAX)
    }
}

/// The largest definition file read: definitions are a few kilobytes.
const MAX_DEFINITION_BYTES: u64 = 256 * 1024;

/// Reads a definition file: a regular file of at most 256 KiB.
pub fn read_definition(file: &Path) -> Result<String, ConfigError> {
    use std::io::Read;
    let unreadable = |reason: String| {
        ConfigError::in_file(file, None, format!("cannot read the definition: {reason}"))
    };
    // Looked at before it is opened: opening a FIFO would wait for a writer.
    let meta = std::fs::metadata(file).map_err(|e| unreadable(crate::error::describe(&e)))?;
    if !meta.is_file() {
        return Err(unreadable("not a regular file".into()));
    }
    let opened = std::fs::File::open(file).map_err(|e| unreadable(crate::error::describe(&e)))?;
    let mut text = String::new();
    opened
        .take(MAX_DEFINITION_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| unreadable(crate::error::describe(&e)))?;
    if text.len() as u64 > MAX_DEFINITION_BYTES {
        return Err(unreadable("larger than 256 KiB".into()));
    }
    Ok(text)
}

/// Reads, parses and compiles one definition file (`whoami providers check FILE`); the error
/// names the file, the line and the key.
pub fn load_file(file: &Path) -> Result<Definition, ConfigError> {
    let text = read_definition(file)?;
    Definition::load(&text).map_err(|e| ConfigError::in_file(file, e.line, e.message))
}

/// The built-in of an id.
pub fn find(id: &str) -> Option<Arc<Definition>> {
    builtin::find(id)
}

/// The ids of every built-in provider, for messages and suggestions.
pub fn ids() -> Vec<&'static str> {
    builtin::ids().collect()
}

/// An account's provider-specific settings (`space_id`, `org_id`, …), already validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings(pub BTreeMap<String, String>);

/// Settings from `(key, value)` pairs (tests, and anything built by hand).
impl<'a> FromIterator<(&'a str, &'a str)> for Settings {
    fn from_iter<I: IntoIterator<Item = (&'a str, &'a str)>>(pairs: I) -> Self {
        Settings(
            pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }
}

impl Settings {
    /// The setting's value; an empty string counts as absent.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// A credential that cannot travel in an HTTP header (a newline, a control character).
#[derive(Debug, thiserror::Error)]
#[error("the credential contains characters that are not allowed in an HTTP header")]
pub struct BadHeader;

/// Lenient readers over a JSON body, addressed by JSON pointer (RFC 6901). A missing field, a
/// `null` or a value of another type is `None`, never an error: providers add, omit and
/// retype fields, and a profile with one field less is still a verified identity.
pub mod json {
    use serde_json::Value;

    /// A non-empty string (`""` counts as missing: providers send it for unset fields).
    pub fn text(body: &Value, pointer: &str) -> Option<String> {
        match body.pointer(pointer)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            _ => None,
        }
    }

    /// An identifier: a string, or a number normalized to a string.
    pub fn id(body: &Value, pointer: &str) -> Option<String> {
        match body.pointer(pointer)? {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    pub fn flag(body: &Value, pointer: &str) -> Option<bool> {
        body.pointer(pointer)?.as_bool()
    }

    /// Any value that is present and not null, for `extra`.
    pub fn any(body: &Value, pointer: &str) -> Option<Value> {
        body.pointer(pointer).filter(|v| !v.is_null()).cloned()
    }

    pub fn list<'a>(body: &'a Value, pointer: &str) -> &'a [Value] {
        body.pointer(pointer)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// The message of a typical error body: `message`, `error` (string or `{message|code}`),
/// `errors` (list of strings), `detail`, `description`.
pub fn generic_error_message(body: &Value) -> Option<String> {
    let from_list = || {
        let items: Vec<String> = json::list(body, "/errors")
            .iter()
            .filter_map(|e| {
                e.as_str()
                    .map(str::to_string)
                    .or_else(|| json::text(e, "/message"))
            })
            .collect();
        (!items.is_empty()).then(|| items.join("; "))
    };
    json::text(body, "/message")
        .or_else(|| json::text(body, "/error"))
        .or_else(|| json::text(body, "/error/message"))
        .or_else(|| json::text(body, "/error/code"))
        .or_else(from_list)
        .or_else(|| json::text(body, "/detail"))
        .or_else(|| json::text(body, "/description"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::HashSet;
    use std::path::Path;

    #[test]
    fn ids_are_unique_lower_case_and_have_fixtures() {
        let mut seen = HashSet::new();
        for provider in PROVIDERS.iter() {
            let id = provider.id();
            assert!(seen.insert(id), "duplicate provider id {id}");
            assert!(
                id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
                "{id} must be lower-case ascii"
            );
            let fixtures = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(id);
            assert!(fixtures.is_dir(), "{id} has no fixture folder");
            assert!(provider.docs_url().starts_with("https://"));
            if let Some(url) = provider.default_base_url() {
                assert!(url.starts_with("https://"), "{id}: {url}");
            }
        }
    }

    #[test]
    fn lenient_readers() {
        let body = json!({"a": {"id": 42, "s": "", "t": "x", "b": true, "n": null}});
        assert_eq!(json::id(&body, "/a/id").as_deref(), Some("42"));
        assert_eq!(json::text(&body, "/a/s"), None);
        assert_eq!(json::text(&body, "/a/t").as_deref(), Some("x"));
        assert_eq!(json::text(&body, "/a/id"), None);
        assert_eq!(json::flag(&body, "/a/b"), Some(true));
        assert_eq!(json::any(&body, "/a/n"), None);
        assert!(json::list(&body, "/a").is_empty());
    }

    #[test]
    fn generic_messages() {
        assert_eq!(
            generic_error_message(&json!({"error": "Invalid Access Token"})).as_deref(),
            Some("Invalid Access Token")
        );
        assert_eq!(
            generic_error_message(&json!({"errors": ["a", "b"]})).as_deref(),
            Some("a; b")
        );
        assert_eq!(generic_error_message(&json!({"x": 1})), None);
    }
}
