//! The check pipeline as five small steps: load → select → resolve → check → render.
//!
//! Everything that can be wrong with the invocation or the config is found before the first
//! request is sent: a usage or configuration problem is exit 2 with nothing sent.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;

use crate::bind::{self, Account, Setup};
use crate::check::{self, Live, Options};
use crate::cli::{CheckArgs, Cli, ColorChoice, Format};
use crate::config::{self, Config, Env};
use crate::credential::{self, Source};
use crate::error::{Error, Exit};
use crate::http::{self, Clients, Limits};
use crate::profile::{AccountResult, Status};

use crate::redact::{self, Scrub, Secrets};
use crate::render::{self, RenderOptions};

fn usage(message: impl Into<String>) -> Error {
    Error::usage(message)
}

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_RETRIES: u32 = 2;
const DEFAULT_JOBS: usize = 16;

/// Runs the checks selected by `args`: validate → load → select → check → render.
///
/// With `-o junit` (from the flag or the config), a configuration error is also written as a
/// JUnit document with one failing test case, so a CI test reporter shows why the job failed.
pub fn run_checks(cli: &Cli) -> Result<Exit, Error> {
    // `--field` with `-o junit` is itself the usage error: no report was asked for.
    let mut junit = cli.check.output == Some(Format::Junit) && cli.check.fields.is_empty();
    let result = checks(cli, &mut junit);
    if let (Err(Error::Usage(messages)), true) = (&result, junit) {
        let mut out = crate::report::stdout();
        let written = render::junit_error(messages, &mut out).and_then(|()| out.flush());
        // A reader that closed the pipe wanted no report; the configuration error stands.
        if let Err(e) = written
            && e.kind() != std::io::ErrorKind::BrokenPipe
        {
            // Both went wrong: say why the run stopped, then that the report is lost (exit 4).
            for message in messages {
                crate::report::error(message);
            }
            return Err(Error::Output(e));
        }
    }
    result
}

fn checks(cli: &Cli, junit: &mut bool) -> Result<Exit, Error> {
    let args = &cli.check;
    check_args(args)?;
    let setup = bind::load(cli.config.as_deref(), &Env::from_process())?;
    let output = Output::new(args, &setup.config)?;
    *junit = output.format == Format::Junit && args.fields.is_empty() && args.jq.is_none();
    let accounts = accounts_to_check(&setup, args)?;
    check_accounts(&setup.config, accounts, args, output, true)
}

/// `whoami login`'s live check of a credential before it is saved: the account as it would
/// be configured, its result printed as a table. Sends the one request a check sends.
pub fn verify(config: &Config, account: Account) -> Result<Exit, Error> {
    let args = CheckArgs {
        output: Some(Format::Table),
        ..CheckArgs::default()
    };
    let output = Output::new(&args, config)?;
    check_accounts(config, vec![account], &args, output, false)
}

/// Checks accounts already selected and free of problems, writing each result as it comes.
/// `ends`: the process ends after this (not so for `login`, which goes on to save).
fn check_accounts(
    config: &Config,
    accounts: Vec<Account>,
    args: &CheckArgs,
    output: Output,
    ends: bool,
) -> Result<Exit, Error> {
    let mut options = Options {
        raw: args.raw,
        show_pii: args.show_pii,
        min_validity: args.min_validity,
        expect: args.expect.clone(),
        secrets: Arc::default(),
        alone: ends && accounts.len() == 1,
    };
    init_logging(
        args.verbose,
        std::io::stderr().is_terminal() && output.color,
    );

    let as_list = args.all || accounts.len() != 1;
    let mut output = output.start(as_list);
    match &args.input {
        Some(input) => {
            let body = bytes::Bytes::from(read_input(input)?);
            let result = check::offline(&accounts[0], &body, args.input_status, &options);
            drop(body);
            output.push(result, args)?;
        }
        None => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| usage(format!("cannot start the runtime: {e}")))?;
            runtime.block_on(check_all(config, accounts, args, &mut options, &mut output))?;
        }
    };
    output.finish()
}

/// Flag combinations that cannot work, found before the config is even read.
fn check_args(args: &CheckArgs) -> Result<(), Error> {
    if !args.raw
        && let Some((path, _)) = args.expect.iter().find(|(p, _)| p.starts_with("raw."))
    {
        return Err(usage(format!(
            "--expect {path}=…: `raw` is only there with --raw; add --raw"
        )));
    }
    if !args.fields.is_empty()
        && matches!(
            args.output,
            Some(Format::Junit | Format::Github | Format::Prometheus)
        )
    {
        return Err(usage(
            "--field prints values, -o junit, github and prometheus a report: choose one (--field with -o json, yaml or table is fine)",
        ));
    }
    match args
        .fields
        .iter()
        .find(|f| !crate::profile::is_known_field(f))
    {
        Some(field) => Err(usage(format!(
            "--field {}: unknown field{} (e.g. profile.email, profile.organizations.0.role, status)",
            crate::config::shown(field),
            crate::profile::suggest_field(field)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default()
        ))),
        None => Ok(()),
    }
}

/// The selected accounts, each free of problems (a usage error names them all otherwise).
fn accounts_to_check(setup: &Setup, args: &CheckArgs) -> Result<Vec<Account>, Error> {
    let accounts = match args.input {
        Some(_) => vec![input_account(setup, args)?],
        None => select(setup, args)?,
    };
    // Offline (`--input`), a missing base URL or credential does not matter; a bad setting does.
    let problems: Vec<String> = accounts
        .iter()
        .flat_map(|a| match args.input {
            Some(_) => a.problems.clone(),
            None => a.problems(),
        })
        .map(|p| p.to_string())
        .collect();
    match problems.is_empty() {
        true => Ok(accounts),
        false => Err(Error::Usage(problems)),
    }
}

/// Outcome precedence: any rejection (1), then any could-not-tell (3), else 0.
pub fn exit_code(results: &[AccountResult]) -> Exit {
    results
        .iter()
        .fold(Exit::Verified, |exit, r| worse(exit, r.status))
}

/// The exit code so far, with one more result.
fn worse(exit: Exit, status: Status) -> Exit {
    match (exit, status) {
        (Exit::Rejected, _) | (_, Status::Rejected) => Exit::Rejected,
        (Exit::Unknown, _) | (_, Status::Error) => Exit::Unknown,
        _ => exit,
    }
}

/// `-p`, `-a` and `--all`, combined, in configuration order.
fn select(setup: &Setup, args: &CheckArgs) -> Result<Vec<Account>, Error> {
    let (config, accounts) = (&setup.config, &setup.accounts);
    let file = config
        .file
        .as_ref()
        .unwrap_or(&config.path)
        .display()
        .to_string();
    let mut chosen = vec![false; accounts.len()];
    let mut errors = Vec::new();
    if args.all {
        if accounts.is_empty() {
            errors.push(format!(
                "--all: no accounts configured: add one to {file} (`whoami init`) or set WHOAMI_<PROVIDER>_TOKEN"
            ));
        }
        chosen.iter_mut().for_each(|c| *c = true);
    }
    // `-p P`: every account of provider P (an account named P of another provider is not
    // one of them); when no account has provider P, the account named P.
    for p in &args.providers {
        let mut any = false;
        for (i, account) in accounts.iter().enumerate() {
            if account.provider.id() == p && !account.provider.is_inline() {
                chosen[i] = true;
                any = true;
            }
        }
        if !any && let Some(i) = accounts.iter().position(|a| &a.name == p) {
            chosen[i] = true;
            continue;
        }
        if !any && config::shown(p) != p.as_str() {
            // A credential pasted where a provider belongs is never repeated.
            errors.push(format!(
                "-p {}: this looks like a credential, not a provider id; set it as WHOAMI_<PROVIDER>_TOKEN",
                crate::redact::REDACTED
            ));
            continue;
        }
        if !any {
            let what = match setup.registry.find(p) {
                Ok(Some(_)) => String::new(),
                Ok(None) => {
                    let ids = setup.registry.ids();
                    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                    let suggestion = config::suggest(p, &ids)
                        .map(|s| format!(" (did you mean `{s}`?)"))
                        .unwrap_or_default();
                    format!(
                        " `{p}` is not a provider{suggestion}; known providers: {}.",
                        ids.join(", ")
                    )
                }
                Err(e) => format!(" {e}."),
            };
            errors.push(format!(
                "-p {p}: no account named `{p}` and none of provider `{p}`.{what} Set {} or add [{p}] to {file}",
                config::env_var_name(p, "token")
            ));
        }
    }
    for a in &args.accounts {
        match accounts.iter().position(|x| &x.name == a) {
            Some(i) => chosen[i] = true,
            None if config::shown(a) != a.as_str() => errors.push(format!(
                "-a {}: this looks like a credential, not an account name",
                crate::redact::REDACTED
            )),
            None => {
                let names: Vec<&str> = accounts.iter().map(|x| x.name.as_str()).collect();
                let suggestion = config::suggest(a, &names)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                errors.push(format!(
                    "-a {a}: no account named `{a}` in {file}{suggestion}"
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(Error::Usage(errors));
    }
    let selected: Vec<Account> = accounts
        .iter()
        .zip(&chosen)
        .filter(|(_, c)| **c)
        .map(|(a, _)| a.clone())
        .collect();
    let base_url = match &args.base_url {
        Some(url) => {
            Some(config::check_base_url(url).map_err(|m| usage(format!("--base-url {m}")))?)
        }
        None => None,
    };
    if base_url.is_some() && selected.len() != 1 {
        return Err(usage(format!(
            "--base-url needs exactly one selected account ({} selected)",
            selected.len()
        )));
    }
    Ok(selected
        .into_iter()
        .map(|mut a| {
            if let Some(url) = &base_url {
                a.base_url = Some(url.clone());
            }
            a
        })
        .collect())
}

/// The account whose settings interpret an `--input` body: the `-a` account, the account
/// named after `-p`, or a bare account of that provider. No credential is needed.
fn input_account(setup: &Setup, args: &CheckArgs) -> Result<Account, Error> {
    let config = setup;
    if args.all || args.providers.len() + args.accounts.len() != 1 {
        return Err(usage("--input needs exactly one -p PROVIDER or -a ACCOUNT"));
    }
    match (args.providers.first(), args.accounts.first()) {
        (_, Some(name)) => config
            .accounts
            .iter()
            .find(|a| &a.name == name)
            .cloned()
            .ok_or_else(|| usage(format!("-a {}: no account named so", config::shown(name)))),
        (Some(p), None) => {
            // As `select` reads -p: an account of provider P first, else the account named P.
            let of_provider = config
                .accounts
                .iter()
                .find(|a| a.provider.id() == p && !a.provider.is_inline());
            let named = || config.accounts.iter().find(|a| &a.name == p);
            match of_provider.or_else(named) {
                // Its settings apply; the result is named after the provider (README, "For scripts").
                Some(account) => Ok(Account {
                    name: p.clone(),
                    ..account.clone()
                }),
                None => {
                    let provider = setup.registry.find(p)?.ok_or_else(|| {
                        usage(format!(
                            "-p {}: unknown provider; known providers: {}",
                            config::shown(p),
                            setup.registry.ids().join(", ")
                        ))
                    })?;
                    Ok(Account::new(p.clone(), provider))
                }
            }
        }
        (None, None) => unreachable!("checked above"),
    }
}

/// Reads a saved body, at most one byte past the 8 MiB cap (enough to know it is over).
fn read_input(input: &str) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let mut body = Vec::new();
    let result = if input == "-" {
        std::io::stdin()
            .lock()
            .take(http::MAX_BODY as u64 + 1)
            .read_to_end(&mut body)
    } else {
        std::fs::File::open(input)
            .and_then(|f| f.take(http::MAX_BODY as u64 + 1).read_to_end(&mut body))
    };
    result.map_err(|e| usage(format!("--input {input}: {}", crate::error::describe(&e))))?;
    Ok(body)
}

/// Resolves every credential first (a problem is exit 2 with nothing sent), then checks the
/// accounts concurrently, at most `--jobs` at once, keeping configuration order.
async fn check_all(
    config: &Config,
    accounts: Vec<Account>,
    args: &CheckArgs,
    options: &mut Options,
    output: &mut Run,
) -> Result<(), Error> {
    let parallel = args
        .jobs
        .map(|j| j as usize)
        .or(config.defaults.jobs)
        .unwrap_or(DEFAULT_JOBS);
    // At most `--jobs` credential commands at once: a hundred at a time would run out of file
    // descriptors (and hammer a password manager).
    let resolved: Vec<Result<credential::Credential, String>> =
        futures_util::stream::iter(accounts.iter().map(|account| async move {
            match &account.token {
                None => Err(bind::missing_token(account).to_string()),
                Some(source) => credential::resolve(source)
                    .await
                    .map_err(|e| format!("account `{}`: {e}", account.name)),
            }
        }))
        .buffered(parallel)
        .collect()
        .await;
    let mut errors = Vec::new();
    let mut credentials = Vec::new();
    for r in resolved {
        match r {
            Ok(c) => credentials.push(c),
            Err(e) => errors.push(e),
        }
    }
    // Every credential of the run is redacted from every output from here on, whichever
    // account's answer (or error) carries it.
    let secrets = Arc::new(Secrets::new(credentials.iter().map(|c| c.secret.expose())));
    redact::register(secrets.clone());
    options.secrets = secrets;
    if !errors.is_empty() {
        return Err(Error::Usage(errors));
    }
    warn_permissions(&accounts);

    // Each request is built once, here: a credential that cannot travel (a control character
    // in a header) is a usage error before anything is sent.
    let mut urls = Vec::with_capacity(accounts.len());
    let mut requests = Vec::with_capacity(accounts.len());
    for (account, credential) in accounts.iter().zip(&credentials) {
        let base = account.effective_base_url().unwrap_or_default();
        let request = account
            .provider
            .request(&account.settings, &credential.secret)
            .map_err(|e| usage(format!("account `{}`: {e}", account.name)))?;
        let url = http::endpoint(base, &request.path)
            .map_err(|e| usage(format!("account `{}`: {e}", account.name)))?;
        requests.push(request);
        if url.scheme() == "http" && !http::is_loopback(&url) {
            crate::report::warn(&format!(
                "account `{}` uses plain http:// to {}: the credential travels unencrypted",
                account.name,
                url.host_str().unwrap_or("?")
            ));
        }
        urls.push(url);
    }
    // What whoami itself makes of a credential is as secret as the credential: a Basic
    // header's base64 (a server or proxy may echo it back). Every sensitive header value
    // joins the run's secrets.
    let derived: Vec<String> = requests
        .iter()
        .flat_map(|r| &r.headers)
        .filter(|(_, v)| v.is_sensitive())
        .filter_map(|(_, v)| v.to_str().ok())
        // `Basic <base64>`, `Bot <token>`: the part after the scheme (the scheme is a word
        // that must stay readable everywhere else).
        .map(|v| v.split_once(' ').map_or(v, |(_, rest)| rest).to_string())
        .collect();
    if !derived.is_empty() {
        let all = credentials
            .iter()
            .map(|c| c.secret.expose())
            .chain(derived.iter().map(String::as_str));
        let secrets = Arc::new(Secrets::new(all));
        redact::register(secrets.clone());
        options.secrets = secrets;
    }
    // Idle connections are kept for reuse only while there are no more hosts than jobs:
    // otherwise each finished host would hold a socket open until the run ends.
    let hosts: std::collections::HashSet<_> = urls.iter().map(|u| u.origin()).collect();
    let mut clients = Clients::new(hosts.len() <= parallel);
    let mut jobs = Vec::with_capacity(accounts.len());
    let prepared = credentials.into_iter().zip(urls).zip(requests);
    for (account, ((credential, url), request)) in accounts.iter().zip(prepared) {
        let client = clients.get(account.ca_cert.as_deref(), http::is_loopback(&url))?;
        let limits = Limits {
            timeout: args
                .timeout
                .or(account.timeout)
                .or(config.defaults.timeout)
                .unwrap_or(DEFAULT_TIMEOUT),
            retries: args
                .retries
                .or(config.defaults.retries)
                .unwrap_or(DEFAULT_RETRIES),
        };
        jobs.push(Live {
            client,
            url,
            request,
            credential,
            limits,
        });
    }
    let progress = Progress::start(accounts.len(), args.quiet);
    let options = &*options;
    let mut results = futures_util::stream::iter(accounts.iter().zip(&jobs))
        .map(|(account, job)| check::live(account, job, options))
        .buffered(parallel);
    // Each result is written (or kept, for the formats that need them all) as it comes, in
    // configuration order, and its body released.
    while let Some(result) = results.next().await {
        progress.advance();
        progress.suspend(|| output.push(result, args))?;
    }
    progress.finish();
    Ok(())
}

/// A progress line on stderr for runs over several accounts that take more than a moment,
/// and only when stderr is a terminal: logs and pipes stay clean.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    const DELAY: Duration = Duration::from_millis(400);

    fn start(total: usize, quiet: bool) -> Progress {
        if quiet || total < 2 || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(total as u64),
            indicatif::ProgressDrawTarget::hidden(),
        );
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} checking accounts {pos}/{len}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        let shown = bar.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Self::DELAY).await;
            if !shown.is_finished() {
                shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                shown.enable_steady_tick(Duration::from_millis(120));
            }
        });
        Progress(Some(bar))
    }

    fn advance(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }

    /// Runs `f` with the progress line out of the way of what it writes.
    fn suspend<T>(&self, f: impl FnOnce() -> T) -> T {
        match &self.0 {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }
}

/// One warning per file when an inline secret or a credential file is readable by others, or
/// when a config that runs credential commands is writable by others (whoever can write it can
/// make us run anything).
fn warn_permissions(accounts: &[Account]) {
    use std::collections::BTreeSet;
    use std::os::unix::fs::PermissionsExt;
    // (file, what it holds, the mode bits that must not be set, what those bits allow)
    let mut files = BTreeSet::new();
    for account in accounts {
        match &account.token {
            Some(Source::Inline { at, .. }) => {
                files.insert((at.file.clone(), "holds an inline secret", 0o077, "readable"))
            }
            Some(Source::File { path, .. }) => {
                files.insert((path.clone(), "holds a credential", 0o077, "readable"))
            }
            Some(Source::Command { at, .. }) => files.insert((
                at.file.clone(),
                "runs credential commands",
                0o022,
                "writable",
            )),
            _ => false,
        };
    }
    for (file, what, forbidden, allows) in files {
        let Ok(meta) = std::fs::metadata(&file) else {
            continue;
        };
        let mode = meta.permissions().mode();
        if mode & forbidden != 0 {
            crate::report::warn(&format!(
                "{} {what} and is {allows} by group or others (mode {:o}); run: chmod 600 {}",
                file.display(),
                mode & 0o777,
                file.display()
            ));
        }
    }
}

/// Where and how results are written.
struct Output {
    format: Format,
    fields: Vec<String>,
    jq: Option<Arc<crate::jq::Programs>>,
    quiet: bool,
    color: bool,
}

impl Output {
    fn new(args: &CheckArgs, config: &Config) -> Result<Output, Error> {
        let format = args
            .output
            .or(config.defaults.output)
            .unwrap_or(Format::Table);
        let choice = args
            .color
            .or(config.defaults.color)
            .unwrap_or(ColorChoice::Auto);
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && std::io::stdout().is_terminal(),
        };
        Ok(Output {
            format,
            fields: args.fields.clone(),
            jq: jq_program(args)?,
            quiet: args.quiet,
            color,
        })
    }

    /// The results' way out, for a run of one account or a list of them.
    fn start(self, as_list: bool) -> Run {
        let options = RenderOptions {
            format: self.format,
            fields: self.fields,
            jq: self.jq,
            as_list,
            color: self.color,
            terminal: std::io::stdout().is_terminal(),
            quiet: self.quiet,
        };
        Run {
            sink: render::Sink::new(options),
            out: None,
            closed: false,
            exit: Exit::Verified,
        }
    }
}

/// A run's results on their way out, and the exit code they add up to.
struct Run {
    sink: render::Sink,
    /// stdout, opened with the first result: by then every credential of the run is known to
    /// the scrubbing writer.
    out: Option<Scrub<std::io::BufWriter<std::io::StdoutLock<'static>>>>,
    /// The reader closed the pipe: nothing more is written, the verdicts still stand.
    closed: bool,
    exit: Exit,
}

impl Run {
    fn push(&mut self, result: AccountResult, args: &CheckArgs) -> Result<(), Error> {
        self.exit = worse(self.exit, result.status);
        if args.min_validity.is_some()
            && result
                .credential
                .as_ref()
                .is_some_and(|c| c.expires_at.is_none())
        {
            crate::report::warn(&format!(
                "account `{}`: expiry unknown: the credential is not a JWT with an `exp` claim, so --min-validity cannot check it",
                result.account
            ));
        }
        if self.closed {
            return Ok(());
        }
        let out = self.out.get_or_insert_with(crate::report::stdout);
        let written = self.sink.push(result, out).and_then(|()| out.flush());
        self.written(written)
    }

    fn finish(self) -> Result<Exit, Error> {
        if !self.closed {
            let mut out = self.out.unwrap_or_else(crate::report::stdout);
            let written = self.sink.finish(&mut out).and_then(|()| out.flush());
            closed(written)?;
        }
        Ok(self.exit)
    }

    fn written(&mut self, written: std::io::Result<()>) -> Result<(), Error> {
        self.closed = closed(written)?;
        Ok(())
    }
}

/// Whether the reader closed the pipe: it wanted no more, and the verdicts still stand. Any
/// other failure to write is the run's error.
fn closed(written: std::io::Result<()>) -> Result<bool, Error> {
    match written {
        Ok(()) => Ok(false),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(true),
        Err(e) => Err(Error::Output(e)),
    }
}

/// `--jq`, compiled before anything is sent: an expression that does not compile is exit 2.
fn jq_program(args: &CheckArgs) -> Result<Option<Arc<crate::jq::Programs>>, Error> {
    let Some(expression) = &args.jq else {
        return Ok(None);
    };
    crate::jq::Programs::compile(&[expression])
        .map(|p| Some(Arc::new(p)))
        .map_err(|(_, e)| usage(format!("--jq: {e}")))
}

fn init_logging(verbose: u8, ansi: bool) {
    let level = match verbose {
        0 => return,
        1 => tracing::Level::INFO,
        2 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    };
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    // Only our own events: every line is built from redacted, sanitized text. The HTTP and TLS
    // crates' own traces would bypass that.
    let ours =
        tracing_subscriber::filter::Targets::new().with_target(env!("CARGO_CRATE_NAME"), level);
    let format = tracing_subscriber::fmt::layer()
        .with_writer(crate::report::stderr)
        .without_time()
        .with_target(false)
        .with_level(false)
        .with_ansi(ansi);
    let _ = tracing_subscriber::registry()
        .with(format)
        .with(ours)
        .try_init();
}
