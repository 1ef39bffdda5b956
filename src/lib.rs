//! `whoami`: which identity does this credential belong to, and does it still work?
//!
//! The pipeline, one module per step:
//! [`cli`] parses → [`config`] turns the file and environment into accounts →
//! [`credential`] resolves each secret → [`check`] asks the [`provider`] over [`http`] and
//! classifies the answer into a [`profile`] result → [`render`] prints it.
//! [`redact`] and [`sanitize`] guard every path that prints provider text.

pub mod app;
pub mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod credential;
pub mod http;
pub mod profile;
pub mod provider;
pub mod redact;
pub mod render;
pub mod sanitize;

use std::process::ExitCode;

use app::{Exit, UsageError};
use cli::{Cli, Command, ConfigCommand};

/// Runs one invocation and returns its exit code. Errors are printed here, once.
pub fn main(cli: Cli, argc: usize) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let config = cli.config.as_deref();
    let result = match &cli.command {
        Some(_) if cli.check.selects_anything() => Err(UsageError(vec![
            "-p, -a and --all select accounts to check; they do not go with a subcommand".into(),
        ])),
        Some(Command::Providers) => commands::providers(config, &mut out),
        Some(Command::Accounts) => commands::accounts(config, &mut out),
        Some(Command::Config(ConfigCommand::Path)) => commands::config_path(config, &mut out),
        Some(Command::Config(ConfigCommand::Check)) => commands::config_check(config, &mut out),
        Some(Command::Init { provider }) => commands::init(config, provider.as_deref(), &mut out),
        Some(Command::Completions { shell }) => Ok(commands::completions(*shell, &mut out)),
        None if cli.check.selects_anything() => {
            drop(out);
            app::run_checks(&cli)
        }
        None if argc <= 1 => commands::effective_user(),
        None => Err(UsageError(vec![
            "nothing selected: use -p, -a or --all (bare `whoami` prints the user name)".into(),
        ])),
    };
    match result {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(UsageError(messages)) => {
            for message in messages {
                eprintln!("whoami: error: {message}");
            }
            ExitCode::from(Exit::Usage as u8)
        }
    }
}
