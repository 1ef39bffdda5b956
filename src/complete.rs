//! Shell completion (README, "Shell completions"): the shell asks the binary itself
//! (`WHOAMI_COMPLETE=<shell> whoami -- <words>`), so values come from what is installed and
//! configured now: provider ids, account names, field paths, formats.
//!
//! A candidate list never fails and never prints: a config that does not load gives no account
//! names, nothing more.

use clap_complete::engine::CompletionCandidate;

use crate::config::{self, Env};
use crate::provider::Registry;

/// The variable that turns a run into a completion request. Namespaced, not clap's default
/// `COMPLETE`: bare `whoami` must print the user name whatever else is exported.
pub const VAR: &str = "WHOAMI_COMPLETE";

/// Provider ids, built-in and the user's, each with its name.
pub fn providers() -> Vec<CompletionCandidate> {
    let registry = Registry::load(&crate::bind::providers_dir()).unwrap_or_default();
    let mut ids = registry.ids();
    ids.sort();
    ids.into_iter()
        .map(|id| {
            let name = registry
                .find(&id)
                .ok()
                .flatten()
                .map(|d| d.name().to_string());
            CompletionCandidate::new(id).help(name.map(Into::into))
        })
        .collect()
}

/// The accounts of the config in force (`$WHOAMI_CONFIG`, else the default file; a
/// `--config` on the same command line is not seen here) and of the environment.
pub fn accounts() -> Vec<CompletionCandidate> {
    let Ok(config) = config::load(None, &Env::from_process()) else {
        return Vec::new();
    };
    config
        .accounts
        .iter()
        .map(|d| CompletionCandidate::new(&d.name).help(Some(d.provider_id().to_string().into())))
        .collect()
}

/// The paths `--field` takes, list indices as `0`.
pub fn fields() -> Vec<CompletionCandidate> {
    field_paths().map(CompletionCandidate::new).collect()
}

/// `--expect PATH=`: the same paths, ready for a value.
pub fn expectations() -> Vec<CompletionCandidate> {
    field_paths()
        .map(|p| CompletionCandidate::new(format!("{p}=")))
        .collect()
}

fn field_paths() -> impl Iterator<Item = String> {
    crate::profile::FIELD_SCHEMA
        .iter()
        .filter(|p| !p.ends_with('*'))
        .map(|p| p.replace('#', "0"))
}

/// The script that registers the completer with `shell`, as `WHOAMI_COMPLETE=<shell> whoami`
/// prints it. It calls `whoami` from `PATH` when completing.
pub fn registration(
    shell: clap_complete::Shell,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let name = shell.to_string();
    let shells = clap_complete::env::Shells::builtins();
    let completer = shells
        .completer(&name)
        .ok_or_else(|| std::io::Error::other(format!("no completer for {name}")))?;
    completer.write_registration(VAR, "whoami", "whoami", "whoami", out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_candidate_is_a_known_field() {
        let fields: Vec<String> = fields()
            .iter()
            .map(|c| c.get_value().to_string_lossy().into_owned())
            .collect();
        assert!(fields.contains(&"profile.organizations.0.role".to_string()));
        for f in &fields {
            assert!(crate::profile::is_known_field(f), "{f}");
        }
        assert!(
            expectations()
                .iter()
                .all(|c| c.get_value().to_string_lossy().ends_with('='))
        );
    }

    #[test]
    fn providers_include_the_built_ins() {
        let ids: Vec<String> = providers()
            .iter()
            .map(|c| c.get_value().to_string_lossy().into_owned())
            .collect();
        for id in ["chatwoot", "github", "zitadel"] {
            assert!(ids.iter().any(|i| i == id), "{id}");
        }
    }
}
