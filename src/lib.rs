//! `whoami`: which identity does this credential belong to, and does it still work?
//!
//! Data flows one way, one module per step (README, "Development"):
//! [`cli`] parses → [`config`] turns the file and environment into account declarations →
//! [`bind`] binds each to its [`provider`] definition → [`run`] resolves each secret
//! ([`credential`]), builds each request once and checks the accounts concurrently over
//! [`http`] → [`classify`] decides what each answer means ([`check`] puts it in a [`profile`]
//! result) → [`render`] prints it. [`redact`] and [`sanitize`] guard every path that prints
//! provider text.

pub mod bind;
pub mod check;
pub mod classify;
pub mod cli;
pub mod commands;
pub mod complete;
pub mod config;
pub mod credential;
pub mod error;
pub mod http;
pub mod jq;
pub mod keychain;
pub mod login;
pub mod profile;
pub mod provider;
pub mod raw;
pub mod redact;
pub mod render;
pub mod report;
pub mod run;
pub mod sanitize;

use std::io::Write;
use std::process::ExitCode;

use cli::{Cli, Command, ConfigCommand, ProvidersCommand};
use error::{Error, Exit};

/// Runs one invocation and returns its exit code. Errors are reported here, once.
pub fn main(cli: Cli, argc: usize) -> ExitCode {
    let config = cli.config.as_deref();
    let mut out = report::stdout();
    let result = match &cli.command {
        Some(_) if cli.check.selects_anything() => Err(Error::usage(
            "-p, -a and --all select accounts to check; they do not go with a subcommand",
        )),
        Some(Command::Providers {
            action: None,
            output,
        }) => commands::providers(config, *output, &mut out),
        Some(Command::Providers {
            action: Some(ProvidersCommand::Show { id }),
            ..
        }) => commands::provider_show(id, &mut out),
        Some(Command::Providers {
            action: Some(ProvidersCommand::Check { file }),
            ..
        }) => commands::provider_check(file, &mut out),
        Some(Command::Accounts { output }) => commands::accounts(config, *output, &mut out),
        Some(Command::Config(ConfigCommand::Path)) => commands::config_path(config, &mut out),
        Some(Command::Config(ConfigCommand::Check { output })) => {
            commands::config_check(config, *output, &mut out)
        }
        Some(Command::Init {
            provider,
            base_url,
            settings,
        }) => commands::init(
            config,
            provider.as_deref(),
            base_url.as_deref(),
            settings,
            &mut out,
        ),
        Some(Command::Login(args)) => login::login(config, args),
        Some(Command::Logout { account }) => login::logout(config, account),
        Some(Command::Completions { shell }) => commands::completions(*shell, &mut out),
        None if cli.check.selects_anything() => run::run_checks(&cli),
        None if argc <= 1 => commands::effective_user(&mut out),
        None => Err(Error::usage(
            "nothing selected: use -p, -a or --all (bare `whoami` prints the user name)",
        )),
    };
    // Output lost to a full disk must not look like success: the flush is part of the command.
    let result = result.and_then(|exit| out.flush().map(|()| exit).map_err(Error::Output));
    let exit = match result {
        Ok(exit) => exit,
        Err(Error::Usage(messages)) => {
            for message in messages {
                report::error(&message);
            }
            Exit::Usage
        }
        // A reader that closed the pipe early (`| head`) wanted no more: not an error.
        Err(Error::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Verified,
        Err(e @ Error::Output(_)) => {
            report::error(&e.to_string());
            Exit::Output
        }
    };
    ExitCode::from(exit as u8)
}
