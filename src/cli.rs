//! The command line (README, "Usage"). Each flag's doc comment is its `--help` text.
//!
//! Conventions: selection flags (`-p`, `-a`, `--all`) are repeatable and combine; output flags
//! need a selection; with no argument at all, `whoami` is the coreutils command.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::engine::ArgValueCandidates;

use crate::complete;

/// `whoami --version`: the version, the commit it was built from and the target (build.rs).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("WHOAMI_COMMIT"),
    ", ",
    env!("WHOAMI_TARGET"),
    ")"
);

#[derive(Debug, Parser)]
#[command(
    name = "whoami",
    version = VERSION,
    about = "Which identity does this credential belong to, and does it still work?",
    long_about = "Which identity does this credential belong to, and does it still work?\n\n\
        With no arguments, prints the effective user name (like coreutils whoami).\n\
        With -p, -a or --all, calls each selected account's \"current user\" API and prints a \
        normalized profile.",
    after_help = "Exit codes: 0 verified, 1 rejected, 2 usage or configuration error, 3 could not tell, \
        4 the output could not be written."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub check: CheckArgs,

    /// Config file [default: $WHOAMI_CONFIG, else $XDG_CONFIG_HOME/whoami/config.toml]
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Default, Args)]
pub struct CheckArgs {
    /// Every account of provider P; when none, the account named P (repeatable)
    #[arg(short = 'p', long = "provider", value_name = "P", add = ArgValueCandidates::new(complete::providers))]
    pub providers: Vec<String>,

    /// One configured account, by name (repeatable)
    #[arg(short = 'a', long = "account", value_name = "NAME", add = ArgValueCandidates::new(complete::accounts))]
    pub accounts: Vec<String>,

    /// Every configured account, concurrently
    #[arg(long)]
    pub all: bool,

    /// Output format
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
    pub output: Option<Format>,

    /// Print only this field, one value per line (repeatable; e.g. profile.email,
    /// profile.organizations.0.role)
    #[arg(long = "field", value_name = "PATH", add = ArgValueCandidates::new(complete::fields))]
    pub fields: Vec<String>,

    /// Print what this jq expression makes of the JSON output (the object for one account,
    /// the array otherwise): strings bare, other values as compact JSON, one per line
    #[arg(long, value_name = "EXPR", conflicts_with = "fields")]
    pub jq: Option<String>,

    /// Include the provider's own response (redacted) as `raw`
    #[arg(long)]
    pub raw: bool,

    /// Read a saved response body instead of calling the API (`-` for stdin)
    #[arg(long, value_name = "FILE")]
    pub input: Option<String>,

    /// The HTTP status the --input body came with
    #[arg(long, value_name = "N", requires = "input", value_parser = clap::value_parser!(u16).range(100..=599))]
    pub input_status: Option<u16>,

    /// Override the base URL (exactly one account selected)
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,

    /// Whole-attempt timeout, body included (e.g. 10s, 1500ms) [default: 10s]
    #[arg(long, value_name = "D", value_parser = parse_timeout)]
    pub timeout: Option<Duration>,

    /// Retries on transient failures (connection errors, timeouts, 429, 502, 503, 504) [default: 2]
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,

    /// Accounts checked at once [default: 16]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub jobs: Option<u64>,

    /// A credential expiring sooner than D counts as rejected (JWT credentials; e.g. 7d)
    #[arg(long, value_name = "D", value_parser = parse_duration)]
    pub min_validity: Option<Duration>,

    /// The result's field at PATH must equal VALUE, else rejected (repeatable)
    #[arg(long, value_name = "PATH=VALUE", value_parser = ExpectParser, add = ArgValueCandidates::new(complete::expectations))]
    pub expect: Vec<(String, String)>,

    /// When to use color
    #[arg(long, value_enum, value_name = "WHEN")]
    pub color: Option<ColorChoice>,

    /// Show phone numbers and national IDs unmasked
    #[arg(long)]
    pub show_pii: bool,

    /// Nothing on stdout; one stderr line per account that is not ok
    #[arg(short, long)]
    pub quiet: bool,

    /// Request log on stderr (repeat for more: -vv response headers, -vvv request headers)
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

impl CheckArgs {
    pub fn selects_anything(&self) -> bool {
        self.all || !self.providers.is_empty() || !self.accounts.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Yaml,
    /// JUnit XML: one test case per account, for CI test reporters
    Junit,
    /// GitHub Actions workflow commands: an annotation per account
    Github,
    /// Prometheus text format, for node_exporter's textfile collector
    Prometheus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The formats of the listing commands (`accounts`, `providers`, `config check`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Yaml,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Every provider: base URL, auth, where it is defined (-o json: its variables too)
    Providers {
        #[command(subcommand)]
        action: Option<ProvidersCommand>,
        /// Output format
        #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
        output: Option<ListFormat>,
    },
    /// Configured accounts and where each credential comes from (sends nothing)
    Accounts {
        /// Output format
        #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
        output: Option<ListFormat>,
    },
    /// Where the config is, and whether it is valid
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Write a commented config skeleton (mode 0600; never overwrites)
    Init {
        /// Only this provider's account
        #[arg(long, short = 'p', value_name = "P", add = ArgValueCandidates::new(complete::providers))]
        provider: Option<String>,
        /// That account's base URL (required for a provider without a shared host)
        #[arg(long, value_name = "URL", requires = "provider")]
        base_url: Option<String>,
        /// A setting of that account (repeatable)
        #[arg(long = "set", value_name = "KEY=VALUE", requires = "provider")]
        settings: Vec<String>,
    },
    /// Verify a token live, store it in the OS keyring and add its account to the config
    Login(LoginArgs),
    /// Remove an account from the config, and the secret `login` stored for it
    Logout {
        /// The account to remove
        #[arg(short = 'a', long = "account", value_name = "NAME", add = ArgValueCandidates::new(complete::accounts))]
        account: String,
    },
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// `whoami login` (README, "Storing credentials").
#[derive(Debug, Default, Args)]
pub struct LoginArgs {
    /// The provider [default: the account's own, when it exists]
    #[arg(short = 'p', long = "provider", value_name = "P", add = ArgValueCandidates::new(complete::providers))]
    pub provider: Option<String>,

    /// The account's name [default: the provider id]
    #[arg(short = 'a', long = "account", value_name = "NAME", add = ArgValueCandidates::new(complete::accounts))]
    pub account: Option<String>,

    /// The account's base URL (your instance, for providers without a shared host)
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,

    /// A provider setting for the account (repeatable; see `whoami providers show P`)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub settings: Vec<String>,

    /// Read the token from standard input instead of asking for it
    #[arg(long)]
    pub with_token: bool,

    /// Replace an existing account's credential (and the keys given here)
    #[arg(long)]
    pub force: bool,

    /// Keep the token in a file beside the config (mode 0600) instead of the OS keyring
    #[arg(long)]
    pub insecure_storage: bool,
}

#[derive(Debug, Subcommand)]
pub enum ProvidersCommand {
    /// Print a provider's definition (TOML with jq mappings, comments included)
    Show {
        /// The provider's id
        #[arg(add = ArgValueCandidates::new(complete::providers))]
        id: String,
    },
    /// Validate a definition file (keys, jq expressions); sends nothing
    Check {
        /// The definition file
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the config file's path
    Path,
    /// Validate the config (keys, types, providers, required settings); sends nothing
    Check {
        /// Output format
        #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
        output: Option<ListFormat>,
    },
}

/// `10s`, `1500ms`, `2m`, `7d`.
pub fn parse_duration(value: &str) -> Result<Duration, String> {
    humantime::parse_duration(value.trim())
        .map_err(|_| "not a duration (examples: 10s, 1500ms, 2m, 7d)".to_string())
}

/// A timeout: a duration longer than zero (a zero timeout would fail every request, or worse,
/// be read as "no timeout").
pub fn parse_timeout(value: &str) -> Result<Duration, String> {
    match parse_duration(value)? {
        d if d.is_zero() => Err("the timeout must be longer than zero (e.g. 10s)".into()),
        d => Ok(d),
    }
}

/// `--expect PATH=VALUE`. Its errors never quote the argument: the value may be a credential
/// (clap's own messages would repeat it), and a forgotten `PATH=` leaves only the value.
#[derive(Clone)]
struct ExpectParser;

impl clap::builder::TypedValueParser for ExpectParser {
    type Value = (String, String);

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Self::Value, clap::Error> {
        let fail = |message: String| {
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("--expect: {message}\n"),
            )
            .with_cmd(cmd)
        };
        let value = value
            .to_str()
            .ok_or_else(|| fail("not valid UTF-8".into()))?;
        parse_expect(value).map_err(fail)
    }
}

fn parse_expect(value: &str) -> Result<(String, String), String> {
    let (path, expected) = value.split_once('=').ok_or_else(|| {
        "takes PATH=VALUE (e.g. profile.email=ada@example.org); there is no `=`".to_string()
    })?;
    if !crate::profile::is_known_field(path) {
        let shown = match crate::credential::looks_like_secret(path) {
            true => crate::redact::REDACTED,
            false => path,
        };
        let suggestion = match shown == path {
            true => crate::profile::suggest_field(path)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default(),
            false => String::new(),
        };
        return Err(format!(
            "unknown field `{shown}`{suggestion} (e.g. profile.email, profile.organizations.0.role, status)"
        ));
    }
    Ok((path.to_string(), expected.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn selection_flags_repeat_and_combine() {
        let cli = Cli::try_parse_from(["whoami", "-p", "chatwoot", "-p", "vaiz", "-a", "staging"])
            .unwrap();
        assert_eq!(cli.check.providers, ["chatwoot", "vaiz"]);
        assert_eq!(cli.check.accounts, ["staging"]);
        assert!(cli.check.selects_anything());
    }

    #[test]
    fn expectations_parse() {
        let cli =
            Cli::try_parse_from(["whoami", "--all", "--expect", "profile.email=a=b@c"]).unwrap();
        assert_eq!(cli.check.expect, [("profile.email".into(), "a=b@c".into())]);
        assert!(Cli::try_parse_from(["whoami", "--all", "--expect", "profile.nope=x"]).is_err());
    }
}
