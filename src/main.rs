//! The `whoami` binary: parse, run, exit. Everything else is in the library.

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

fn main() -> ExitCode {
    // `WHOAMI_COMPLETE=<shell> whoami -- <words>`: the shell asking for completions. Answers
    // and exits; otherwise does nothing.
    clap_complete::CompleteEnv::with_factory(profile_whoami::cli::Cli::command)
        .var(profile_whoami::complete::VAR)
        .complete();
    let argc = std::env::args_os().len();
    let cli = match profile_whoami::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout (exit 0) and usage errors to stderr (2).
            // Help lost to a full disk is exit 4, like any other output; a closed pipe is not.
            return match e.print() {
                Err(w) if !e.use_stderr() && w.kind() != std::io::ErrorKind::BrokenPipe => {
                    profile_whoami::report::error(&format!(
                        "cannot write the output: {}",
                        w.kind()
                    ));
                    ExitCode::from(4)
                }
                _ => ExitCode::from(if e.use_stderr() { 2 } else { 0 }),
            };
        }
    };
    profile_whoami::main(cli, argc)
}
