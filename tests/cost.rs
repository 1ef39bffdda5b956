//! What a check costs in memory, as the operating system counts it (`wait4`'s peak resident
//! size of the child), held under fixed bounds so that a regression fails CI (README,
//! "Performance"). Not timing tests: time is measured by `cargo bench --bench perf`.
//!
//! A debug build occupies more memory before it reads anything (its code is larger): bounds
//! on one answer are on what a run grows by past the same run over a tiny answer.
//!
//! A child's peak includes what it shared with this process before `exec`: the tests take
//! turns ([`turn`]) and hold no large buffer when they start one, so that no test's data is
//! counted in another's measurement.

mod common;
#[path = "support/cost.rs"]
mod cost;

use std::path::Path;
use std::process::{Command, Stdio};

use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn whoami(dir: &Path) -> Command {
    // `COST_BIN=target/release/whoami` measures a release build instead.
    let bin = std::env::var_os("COST_BIN").unwrap_or(env!("CARGO_BIN_EXE_whoami").into());
    let mut cmd = Command::new(bin);
    cmd.env_clear()
        .envs(common::hermetic_env(dir))
        .current_dir(dir);
    cmd
}

/// One test at a time (see the module's comment).
fn turn() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A runtime for the local servers, beside the test's turn (which is not held across awaits).
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Runs `whoami ARGS` with its stdout in `DIR/stdout`.
fn measured_to_file(dir: &Path, args: &[&str]) -> cost::Sample {
    let mut cmd = whoami(dir);
    cmd.args(args)
        .stdout(std::fs::File::create(dir.join("stdout")).unwrap())
        .stderr(Stdio::null());
    let sample = cost::measure(&mut cmd);
    eprintln!(
        "whoami {}: peak {:.1} MiB",
        args.join(" "),
        sample.rss_mib()
    );
    sample
}

/// Runs `whoami ARGS`; the sample and what it printed.
fn measured(dir: &Path, args: &[&str]) -> (cost::Sample, String) {
    let sample = measured_to_file(dir, args);
    let out = std::fs::read_to_string(dir.join("stdout")).unwrap_or_default();
    (sample, out)
}

/// `whoami --config CONFIG --all ARGS` from a test's runtime (its servers keep serving).
async fn all_accounts(dir: &Path, config: &Path, args: &[&str]) -> cost::Sample {
    let (dir, config) = (dir.to_path_buf(), config.to_str().unwrap().to_string());
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let mut all = vec!["--config", &config, "--all"];
        all.extend(args.iter().map(String::as_str));
        measured_to_file(&dir, &all)
    })
    .await
    .unwrap()
}

/// A local server answering `template` to everything.
async fn serve(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(template)
        .mount(&server)
        .await;
    server
}

/// Peak memory of reading the smallest Hamravesh profile: what every run costs anyway.
fn baseline(dir: &Path, config: &str) -> f64 {
    let input = dir.join("minimal.json");
    std::fs::write(&input, common::fixture("hamravesh", "minimal.json")).unwrap();
    let input = input.to_str().unwrap();
    let (sample, out) = measured(
        dir,
        &[
            "--config",
            config,
            "-p",
            "hamravesh",
            "--input",
            input,
            "-o",
            "json",
        ],
    );
    assert_eq!(sample.status, 0, "{out:.300}");
    sample.rss_mib()
}

#[test]
fn an_answer_of_a_quarter_million_objects_stays_within_bounds() {
    let _turn = turn();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let input = dir.join("body.json");
    std::fs::write(&input, cost::many_organizations_body(250_000)).unwrap();
    let size = std::fs::metadata(&input).unwrap().len();
    assert!(size > 7 << 20 && size < 8 << 20);
    let config = common::config(dir, "");
    let input = input.to_str().unwrap();
    let config = config.to_str().unwrap();
    let baseline = baseline(dir, config);
    // Before the body was parsed once, this grew by 710 MiB; before its list was read a batch
    // at a time, by 160 MiB; before `--raw` was kept as text, by 230 MiB with it (`jq .` on
    // it: 124–127 MiB in all). The answer itself (`--raw`), YAML and a field read from the
    // output are held to the same bound.
    for format in [
        &["-o", "json"][..],
        &["-o", "table"],
        &["-o", "json", "--raw"],
        &["-o", "table", "--raw"],
        &["-o", "yaml"],
        &["--field", "profile.organizations"],
    ] {
        let mut args = vec!["--config", config, "-p", "hamravesh", "--input", input];
        args.extend(format);
        let (sample, out) = measured(dir, &args);
        assert_eq!(sample.status, 0, "{format:?}: {out:.300}");
        // Every organization: `"name": "o7"` in JSON, `o7 (7)` on a line of the table.
        let count = match format {
            ["-o", "json"] => Some(out.matches(r#""name": "o"#).count()),
            ["-o", "table"] => Some(
                out.lines()
                    .filter(|l| l.contains(" o") && l.ends_with(')'))
                    .count(),
            ),
            _ => None,
        };
        assert!(count.is_none_or(|c| c == 250_000), "{format:?}: {count:?}");
        assert!(out.contains("o249999"), "{format:?}");
        assert!(
            sample.rss_mib() - baseline < 110.0,
            "{format:?}: peak {:.0} MiB for a 7 MiB answer ({baseline:.0} MiB for a tiny one)",
            sample.rss_mib()
        );
    }
}

#[test]
fn a_realistic_answer_costs_at_most_four_times_its_size() {
    let _turn = turn();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let input = dir.join("body.json");
    std::fs::write(&input, cost::hamravesh_body(600)).unwrap();
    let size = std::fs::metadata(&input).unwrap().len();
    let config = common::config(dir, "");
    let (input, config) = (input.to_str().unwrap(), config.to_str().unwrap());
    // Four times the answer, and 8 MiB (with the ~8 MiB of a release build's run over a tiny
    // answer, the "4 × size + 16 MiB" of the README's performance table).
    let bound = baseline(dir, config) + 4.0 * size as f64 / 1048576.0 + 8.0;
    for format in ["table", "json"] {
        let (sample, out) = measured(
            dir,
            &[
                "--config",
                config,
                "-p",
                "hamravesh",
                "--input",
                input,
                "-o",
                format,
            ],
        );
        assert_eq!(sample.status, 0, "{out:.300}");
        assert!(out.contains("org-599"), "{format}");
        assert!(
            sample.rss_mib() <= bound,
            "-o {format}: peak {:.1} MiB, bound {bound:.1} MiB",
            sample.rss_mib()
        );
    }
}

/// With `--all`, memory grows with the accounts in flight, not with those configured: each
/// result is written and released as it comes.
#[test]
fn many_accounts_cost_what_is_in_flight() {
    let _turn = turn();
    runtime().block_on(many_accounts());
}

async fn many_accounts() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().to_path_buf();
    let body = cost::hamravesh_body(300);
    assert!(body.len() > 1 << 20);
    let server = serve(ResponseTemplate::new(200).set_body_raw(body, "application/json")).await;
    let mut text = String::new();
    for i in 0..100 {
        text += &format!(
            "[acct-{i:03}]\nprovider = \"hamravesh\"\nbase_url = \"{}\"\ntoken = \"cost-token-{i:03}\"\n",
            server.uri()
        );
    }
    let config = common::config(&dir, &text);
    let sample = all_accounts(&dir, &config, &["--raw", "--jobs", "4", "-o", "json"]).await;
    let out = dir.join("stdout");
    assert_eq!(sample.status, 0);
    // Over 100 MiB of output: read a line at a time (held whole, it would weigh on the
    // measurements that follow).
    use std::io::BufRead;
    let lines = std::io::BufReader::new(std::fs::File::open(&out).unwrap()).lines();
    let (mut accounts, mut emails) = (Vec::new(), 0);
    for line in lines.map(Result::unwrap) {
        if let Some(name) = line.strip_prefix(r#"    "account": ""#) {
            accounts.push(name.trim_end_matches([',', '"']).to_string());
        }
        emails += usize::from(line.trim_start() == r#""email": "ada@example.org","#);
    }
    let expected: Vec<String> = (0..100).map(|i| format!("acct-{i:03}")).collect();
    assert_eq!(accounts, expected, "every account, in configuration order");
    assert_eq!(emails, 200, "each account's profile and raw body");
    assert!(
        sample.rss_mib() < 64.0,
        "peak {:.0} MiB for 100 accounts of 1 MiB (100 MiB of answers)",
        sample.rss_mib()
    );
}

/// A large answer is read off the thread that serves the sockets: another account's answer,
/// arriving meanwhile, is taken as it comes. Read on that thread, the 50 000 organizations
/// hold it for over 4 s in a debug build (the build `cargo test` runs); a release build reads
/// them too fast for this test to tell.
#[test]
fn a_large_answer_does_not_stall_the_others() {
    let _turn = turn();
    runtime().block_on(large_and_slow());
}

async fn large_and_slow() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().to_path_buf();
    let large = serve(
        ResponseTemplate::new(200)
            .set_body_raw(cost::many_organizations_body(50_000), "application/json"),
    )
    .await;
    let slow = serve(
        ResponseTemplate::new(200)
            .set_body_raw(
                common::fixture("hamravesh", "minimal.json"),
                "application/json",
            )
            .set_delay(std::time::Duration::from_secs(1)),
    )
    .await;
    let text = format!(
        "[large]\nprovider = \"hamravesh\"\nbase_url = \"{}\"\ntoken = \"cost-token-large\"\n\
         [slow]\nprovider = \"hamravesh\"\nbase_url = \"{}\"\ntoken = \"cost-token-slow\"\ntimeout = \"3s\"\n",
        large.uri(),
        slow.uri()
    );
    let config = common::config(&dir, &text);
    let sample = all_accounts(&dir, &config, &["-o", "json"]).await;
    let out = std::fs::read_to_string(dir.join("stdout")).unwrap();
    let results: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(results[0]["status"], "ok", "{:.300}", results[0]);
    assert_eq!(results[1]["status"], "ok", "{}", results[1]["error"]);
    let waited = results[1]["elapsed_ms"].as_u64().unwrap();
    assert!(waited < 3000, "the 1 s answer took {waited} ms");
    assert_eq!(sample.status, 0);
}
