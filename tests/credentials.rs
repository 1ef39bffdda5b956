//! Credential sources through the binary: bounded files and commands, empty and short
//! credentials, and sources that are a pasted credential. A credential problem is exit 2 with
//! nothing sent; the base URL is a refused loopback port, so nothing could be sent anywhere.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const GITHUB: &str = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
const SLACK: &str = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";

/// A chatwoot account at a refused loopback URL with `token = <source>`.
fn account(dir: &Path, source: &str) -> std::path::PathBuf {
    config(
        dir,
        &format!(
            "[chatwoot]\nbase_url = \"{}\"\ntoken = {source}\n",
            refused_url()
        ),
    )
}

/// `whoami --config CFG -p chatwoot -o json`, killed after 20 s so a hang fails the test.
fn check(dir: &Path, cfg: &Path) -> assert_cmd::Command {
    let mut cmd = whoami(dir);
    cmd.arg("--config")
        .arg(cfg)
        .args(["-p", "chatwoot", "--retries", "0", "-o", "json"])
        .timeout(Duration::from_secs(20));
    cmd
}

/// Runs `cmd`, asserts exit 2 (a credential problem, nothing sent), an empty stdout and an
/// stderr containing `needle`; returns stderr.
fn refused(cmd: &mut assert_cmd::Command, needle: &str) -> String {
    let (code, out, err) = run(cmd);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains(needle), "{needle:?} not in:\n{err}");
    err
}

fn toml_string(path: &Path) -> String {
    format!("{:?}", path.display().to_string())
}

#[test]
fn devices_fifos_and_directories_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for target in [Path::new("/dev/zero"), &fifo, dir.path()] {
        let cfg = account(dir.path(), &format!("{{ file = {} }}", toml_string(target)));
        let started = Instant::now();
        refused(
            &mut check(dir.path(), &cfg),
            &format!(
                "credential file {} is not a regular file (a device, FIFO or directory)",
                target.display()
            ),
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{}: {:?}",
            target.display(),
            started.elapsed()
        );
    }
}

#[test]
fn credential_files_over_64_kib_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.token");
    std::fs::write(&big, "a".repeat(64 * 1024 + 1)).unwrap();
    let cfg = account(dir.path(), &format!("{{ file = {} }}", toml_string(&big)));
    refused(
        &mut check(dir.path(), &cfg),
        &format!(
            "credential file {} is larger than 64 KiB: not a credential",
            big.display()
        ),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_byte_order_mark_is_not_sent() {
    const TOKEN: &str = "bom-canary-token-0123456789";
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/profile"))
        .and(header("api_access_token", TOKEN))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("chatwoot", "profile.json"), "application/json"),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, format!("\u{feff}{TOKEN}\r\n")).unwrap();
    for source in [
        format!("{{ file = {} }}", toml_string(&file)),
        format!("{{ command = \"printf '\\\\357\\\\273\\\\277{TOKEN}'\" }}"),
    ] {
        let cfg = config(
            dir.path(),
            &format!(
                "[chatwoot]\nbase_url = \"{}\"\ntoken = {source}\n",
                server.uri()
            ),
        );
        let (code, out, err) = run_async(check(dir.path(), &cfg)).await;
        assert_eq!(code, 0, "{source}: {out}{err}");
    }
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
}

#[test]
fn unset_and_empty_env_variables_are_told_apart() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = account(dir.path(), "{ env = \"CW_TOKEN\" }");
    refused(
        &mut check(dir.path(), &cfg),
        "environment variable CW_TOKEN is not set",
    );
    for blank in ["", "  \n"] {
        let err = refused(
            check(dir.path(), &cfg).env("CW_TOKEN", blank),
            "environment variable CW_TOKEN is set but empty: is the CI secret defined?",
        );
        assert!(!err.contains("not set"), "{err}");
    }
}

#[test]
fn an_empty_credential_file_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, " \n\n").unwrap();
    let cfg = account(dir.path(), &format!("{{ file = {} }}", toml_string(&file)));
    refused(
        &mut check(dir.path(), &cfg),
        &format!(
            "credential file {} is empty: is the CI secret defined?",
            file.display()
        ),
    );
}

#[test]
fn credentials_shorter_than_four_characters_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let refusal = "is shorter than 4 characters; refusing to send something that cannot be redacted from output";
    let cfg = account(dir.path(), "{ env = \"CW_TOKEN\" }");
    let err = refused(check(dir.path(), &cfg).env("CW_TOKEN", " abc\n"), refusal);
    assert!(
        err.contains("the credential from env CW_TOKEN is shorter"),
        "{err}"
    );
    let cfg = account(dir.path(), "\"ab\"");
    refused(&mut check(dir.path(), &cfg), refusal);
    let cfg = account(dir.path(), "{ command = \"echo x\" }");
    refused(&mut check(dir.path(), &cfg), refusal);
}

#[test]
fn a_command_printing_too_much_is_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = account(
        dir.path(),
        "{ command = \"head -c 100000 /dev/zero | tr '\\\\0' a\" }",
    );
    refused(
        &mut check(dir.path(), &cfg),
        "printed more than 64 KiB on stdout: not a credential",
    );
}

/// Whether `pid` no longer runs (gone, or killed and not yet reaped by its new parent).
fn gone(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat.rsplit(") ").next().is_some_and(|s| s.starts_with('Z')),
    }
}

#[test]
fn a_command_over_the_time_limit_is_killed_with_its_children() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("pid");
    let cfg = account(
        dir.path(),
        &format!(
            "{{ command = \"sleep 60 & echo $! > {}; sleep 60\" }}",
            pidfile.display()
        ),
    );
    let started = Instant::now();
    refused(&mut check(dir.path(), &cfg), "did not finish within 10s");
    assert!(started.elapsed() < Duration::from_secs(15));
    let pid = std::fs::read_to_string(&pidfile).unwrap();
    let pid = pid.trim();
    let deadline = Instant::now() + Duration::from_secs(3);
    while !gone(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(gone(pid), "the background sleep {pid} outlived whoami");
}

#[test]
fn a_pasted_credential_in_place_of_its_source_is_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    for token in [GITHUB, SLACK] {
        for (kind, in_error, listed) in [
            (
                "env",
                "environment variable [redacted] is not set",
                "env [redacted]",
            ),
            ("file", "credential file [redacted]", "file [redacted]"),
            ("command", "credential command (", "command ("),
        ] {
            let source = format!("{{ {kind} = \"{token}\" }}");
            let cfg = account(dir.path(), &source);
            for verbosity in [&[][..], &["-vvv"]] {
                let (code, out, err) = run(check(dir.path(), &cfg).args(verbosity));
                let context = format!("{source} {verbosity:?}");
                assert_eq!(code, 2, "{context}: {out}{err}");
                assert!(err.contains(in_error), "{context}: {err}");
                assert_no_secret(&[token], &[&out, &err], &context);
            }
            let (code, out, err) = run(whoami(dir.path())
                .arg("--config")
                .arg(&cfg)
                .arg("accounts")
                .timeout(Duration::from_secs(20)));
            assert_eq!(code, 0, "{source}: {err}");
            assert!(out.contains(listed), "{source}: {out}");
            assert_no_secret(&[token], &[&out, &err], &format!("accounts {source}"));
        }
    }
}

#[test]
fn ordinary_sources_are_still_named() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = account(dir.path(), "{ env = \"CHATWOOT_API_TOKEN\" }");
    refused(
        &mut check(dir.path(), &cfg),
        "environment variable CHATWOOT_API_TOKEN is not set",
    );
    let missing = dir.path().join("prod-2024.token");
    let cfg = account(
        dir.path(),
        &format!("{{ file = {} }}", toml_string(&missing)),
    );
    refused(
        &mut check(dir.path(), &cfg),
        &format!("cannot read credential file {}", missing.display()),
    );
}
