//! The CLI contract through the binary: selection, config errors, exit codes, retries,
//! redirects, output formats. Every server is a local wiremock on 127.0.0.1.

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "cli-canary-token-0123456789";

fn chatwoot_profile() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(fixture("chatwoot", "profile.json"), "application/json")
}

async fn chatwoot_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/profile"))
        .and(header("api_access_token", TOKEN))
        .respond_with(chatwoot_profile())
        .mount(&server)
        .await;
    server
}

fn one_account(dir: &std::path::Path, base: &str) -> std::path::PathBuf {
    config(
        dir,
        &format!("[chatwoot]\nbase_url = \"{base}\"\ntoken = \"{TOKEN}\"\n"),
    )
}

fn check(dir: &std::path::Path, cfg: &std::path::Path, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = whoami(dir);
    cmd.arg("--config").arg(cfg).args(args);
    cmd
}

#[test]
fn bare_whoami_prints_the_effective_user_like_coreutils() {
    let dir = tempfile::tempdir().unwrap();
    let expected = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    let (code, out, err) = run(&mut whoami(dir.path()));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, String::from_utf8_lossy(&expected.stdout));
    assert!(err.is_empty());
}

#[test]
fn output_flags_without_a_selection_are_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(whoami(dir.path()).args(["-o", "json"]));
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("nothing selected: use -p, -a or --all"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verified_in_all_three_formats() {
    let server = chatwoot_server().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = one_account(dir.path(), &server.uri());

    let (code, out, err) =
        run_async(check(dir.path(), &cfg, &["-p", "chatwoot", "-o", "json"])).await;
    assert_eq!(code, 0, "{err}");
    let result = json(&out);
    assert_eq!(result["status"], "ok");
    assert_eq!(result["http_status"], 200);
    assert_eq!(result["profile"]["email"], "ada@example.org");
    assert_eq!(
        result["credential"]["source"],
        format!("inline ({}:3)", cfg.display())
    );
    assert_eq!(result["credential"]["hint"], "…6789");
    assert!(result.get("raw").is_none(), "raw only with --raw");

    let (code, out, _) =
        run_async(check(dir.path(), &cfg, &["-p", "chatwoot", "-o", "yaml"])).await;
    assert_eq!(code, 0);
    assert!(out.contains("email: ada@example.org"), "{out}");
    assert!(out.contains("status: ok"), "{out}");

    let (code, out, _) = run_async(check(dir.path(), &cfg, &["-p", "chatwoot"])).await;
    assert_eq!(code, 0);
    assert!(out.contains("ada@example.org (verified)"), "{out}");
    assert!(out.contains("Acme Support (1): administrator"), "{out}");
    assert!(!out.contains('\u{1b}'), "NO_COLOR: no escape codes\n{out}");
    assert_no_secret(&[TOKEN], &[&out], "table");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_timeouts_and_refusals_are_could_not_tell() {
    let server = MockServer::start().await;
    Mock::given(path("/500/api/v1/profile"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    Mock::given(path("/slow/api/v1/profile"))
        .respond_with(chatwoot_profile().set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let refused = refused_url();
    let dir = tempfile::tempdir().unwrap();
    for (base, kind) in [
        (format!("{}/500", server.uri()), "server_error"),
        (format!("{}/slow", server.uri()), "timeout"),
        (refused, "connect"),
    ] {
        let cfg = one_account(dir.path(), &base);
        let cmd = check(
            dir.path(),
            &cfg,
            &[
                "-p",
                "chatwoot",
                "-o",
                "json",
                "--retries",
                "0",
                "--timeout",
                "300ms",
            ],
        );
        let (code, out, err) = run_async(cmd).await;
        assert_eq!(code, 3, "{kind}: {out}{err}");
        let result = json(&out);
        assert_eq!(result["status"], "error");
        assert_eq!(result["error"]["kind"], kind, "{out}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_503s_are_retried() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/profile"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/profile"))
        .respond_with(chatwoot_profile())
        .with_priority(2)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = one_account(dir.path(), &server.uri());
    let (code, out, err) =
        run_async(check(dir.path(), &cfg, &["-p", "chatwoot", "-o", "json"])).await;
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_honoured_and_long_waits_are_not_taken() {
    let server = MockServer::start().await;
    Mock::given(path("/short/api/v1/profile"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/short/api/v1/profile"))
        .respond_with(chatwoot_profile())
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(path("/long/api/v1/profile"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "60"))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();

    let cfg = one_account(dir.path(), &format!("{}/short", server.uri()));
    let started = std::time::Instant::now();
    let (code, out, _) =
        run_async(check(dir.path(), &cfg, &["-p", "chatwoot", "-o", "json"])).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After is a floor"
    );

    let cfg = one_account(dir.path(), &format!("{}/long", server.uri()));
    let (code, out, _) =
        run_async(check(dir.path(), &cfg, &["-p", "chatwoot", "-o", "json"])).await;
    assert_eq!(code, 3, "{out}");
    let result = json(&out);
    assert_eq!(result["error"]["kind"], "rate_limited");
    assert_eq!(result["http_status"], 429);
    let long_requests = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().starts_with("/long"))
        .count();
    assert_eq!(long_requests, 1, "a Retry-After over 10s is not waited for");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_are_not_followed_and_the_token_stays_home() {
    let elsewhere = MockServer::start().await;
    Mock::given(path("/stolen"))
        .respond_with(chatwoot_profile())
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    let location = format!("{}/stolen", elsewhere.uri());
    Mock::given(path("/api/v1/profile"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", location.as_str()))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = one_account(dir.path(), &server.uri());
    let (code, out, _) =
        run_async(check(dir.path(), &cfg, &["-p", "chatwoot", "-o", "json"])).await;
    assert_eq!(code, 3, "{out}");
    let result = json(&out);
    assert_eq!(result["error"]["kind"], "redirect");
    assert_eq!(result["http_status"], 302);
    assert!(
        result["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&location)
    );
    assert!(
        elsewhere.received_requests().await.unwrap().is_empty(),
        "redirect was followed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_html_page_is_an_unexpected_response() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/profile"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            "<html><body>\u{1b}]0;owned\u{7}Sign in</body></html>",
            "text/html; charset=utf-8",
        ))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = one_account(dir.path(), &server.uri());
    let (code, out, _) =
        run_async(check(dir.path(), &cfg, &["-p", "chatwoot", "-o", "json"])).await;
    assert_eq!(code, 3);
    let message = json(&out)["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("HTTP 200"), "{message}");
    assert!(message.contains("text/html"), "{message}");
    assert!(message.contains("Sign in"), "{message}");
    assert!(
        !message.contains('\u{1b}') && !message.contains("owned"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_errors_are_exit_2_with_nothing_sent() {
    let server = chatwoot_server().await;
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            format!(
                "[chatwoot]\nbase_url = \"{}\"\ntoken = \"unterminated\n",
                server.uri()
            ),
            ":3:",
            "invalid TOML",
        ),
        (
            format!(
                "[chatwoot]\nbase_url = \"{}\"\ntokne = \"{TOKEN}\"\n",
                server.uri()
            ),
            ":3:1:",
            "did you mean `token`",
        ),
        (
            format!("[chatwoot]\nbase_url = \"{}\"\n", server.uri()),
            "WHOAMI_CHATWOOT_TOKEN",
            "`token` in [chatwoot]",
        ),
    ];
    for (text, located, said) in cases {
        let cfg = config(dir.path(), &text);
        let (code, out, err) = run_async(check(dir.path(), &cfg, &["-p", "chatwoot"])).await;
        assert_eq!(code, 2, "{text}\n{err}");
        assert!(out.is_empty());
        assert!(err.contains(located), "{err}");
        assert!(err.contains(said), "{err}");
        assert!(
            !err.contains("unterminated"),
            "the source line is never quoted: {err}"
        );
    }
    assert!(server.received_requests().await.unwrap().is_empty());

    let (code, _, err) = run(whoami(dir.path()).args(["--config", "missing.toml", "--all"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("missing.toml") && err.contains("whoami init"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_accounts_concurrently_in_configuration_order() {
    let server = MockServer::start().await;
    Mock::given(path("/good/api/v1/profile"))
        .respond_with(chatwoot_profile().set_delay(Duration::from_millis(300)))
        .mount(&server)
        .await;
    Mock::given(path("/bad/api/v1/profile"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_raw(fixture("chatwoot", "401-invalid.json"), "application/json"),
        )
        .mount(&server)
        .await;
    let refused = refused_url();
    let dir = tempfile::tempdir().unwrap();
    let uri = server.uri();
    let cfg = config(
        dir.path(),
        &format!(
            "[zeta]\nprovider = \"chatwoot\"\nbase_url = \"{uri}/good\"\ntoken = \"{TOKEN}\"\n\
             [alpha]\nprovider = \"chatwoot\"\nbase_url = \"{uri}/bad\"\ntoken = \"{TOKEN}\"\n\
             [mid]\nprovider = \"chatwoot\"\nbase_url = \"{refused}\"\ntoken = \"{TOKEN}\"\n"
        ),
    );
    let (code, out, err) = run_async(check(
        dir.path(),
        &cfg,
        &["--all", "-o", "json", "--retries", "0"],
    ))
    .await;
    assert_eq!(code, 1, "rejected wins over could-not-tell\n{out}{err}");
    let results = json(&out);
    let got: Vec<(&str, &str)> = results
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["account"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [("zeta", "ok"), ("alpha", "rejected"), ("mid", "error")]
    );

    // The multi-account table has one row per account.
    let (_, out, _) = run_async(check(dir.path(), &cfg, &["--all", "--retries", "0"])).await;
    for name in ["zeta", "alpha", "mid"] {
        assert!(out.contains(name), "{out}");
    }
    assert!(out.contains("invalid_credential"), "{out}");

    // -q: nothing on stdout, one line per account that is not ok.
    let (code, out, err) =
        run_async(check(dir.path(), &cfg, &["--all", "-q", "--retries", "0"])).await;
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    assert_eq!(err.lines().count(), 2, "{err}");
    assert!(err.starts_with("alpha: rejected: HTTP 401"), "{err}");

    // -a selects one; -a and -p combine without duplicates.
    let (code, out, _) = run_async(check(dir.path(), &cfg, &["-a", "zeta", "-o", "json"])).await;
    assert_eq!(code, 0);
    assert_eq!(json(&out)["account"], "zeta");
    let (_, out, _) = run_async(check(
        dir.path(),
        &cfg,
        &[
            "-a",
            "zeta",
            "-p",
            "chatwoot",
            "-o",
            "json",
            "--retries",
            "0",
        ],
    ))
    .await;
    assert_eq!(json(&out).as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn environment_alone_is_a_complete_configuration() {
    let server = chatwoot_server().await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = whoami(dir.path());
    cmd.env("WHOAMI_CHATWOOT_TOKEN", TOKEN)
        .env("WHOAMI_CHATWOOT_BASE_URL", server.uri())
        .args([
            "-p",
            "chatwoot",
            "--field",
            "profile.email",
            "--field",
            "credential.source",
        ]);
    let (code, out, err) = run_async(cmd).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "ada@example.org\nenv WHOAMI_CHATWOOT_TOKEN\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fields_print_one_value_per_line() {
    let server = chatwoot_server().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = one_account(dir.path(), &server.uri());
    let args = [
        "-p",
        "chatwoot",
        "--field",
        "profile.organizations.1.role",
        "--field",
        "profile.avatar_url",
        "--field",
        "profile.email_verified",
        "--field",
        "profile.organizations.9.id",
        "--field",
        "profile.organizations.0",
    ];
    let (code, out, _) = run_async(check(dir.path(), &cfg, &args)).await;
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "agent\n\ntrue\n\n{\"id\":\"1\",\"name\":\"Acme Support\",\"role\":\"administrator\",\"roles\":[\"administrator\"]}\n"
    );
    let (code, _, err) = run_async(check(
        dir.path(),
        &cfg,
        &["-p", "chatwoot", "--field", "profile.emial"],
    ))
    .await;
    assert_eq!(code, 2);
    assert!(err.contains("profile.emial"), "{err}");
    assert!(
        server.received_requests().await.unwrap().len() == 1,
        "unknown field sends nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credential_commands_and_failures() {
    let server = chatwoot_server().await;
    let dir = tempfile::tempdir().unwrap();
    let uri = server.uri();
    let cfg = config(
        dir.path(),
        &format!(
            "[chatwoot]\nbase_url = \"{uri}\"\ntoken = {{ command = \"printf '{TOKEN}\\\\n'\" }}\n"
        ),
    );
    let (code, out, err) = run_async(check(
        dir.path(),
        &cfg,
        &["-p", "chatwoot", "--field", "credential.source"],
    ))
    .await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), format!("command ({}:3)", cfg.display()));

    let cfg = config(
        dir.path(),
        &format!(
            "[chatwoot]\nbase_url = \"{uri}\"\ntoken = {{ command = \"echo {TOKEN}; echo denied >&2; exit 4\" }}\n"
        ),
    );
    let (code, out, err) = run_async(check(dir.path(), &cfg, &["-p", "chatwoot"])).await;
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("config.toml:3") && err.contains("status 4") && err.contains("denied"),
        "{err}"
    );
    assert_no_secret(&[TOKEN, "echo"], &[&err], "failing command");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inline_secrets_in_readable_files_are_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let server = chatwoot_server().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = one_account(dir.path(), &server.uri());
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, _, err) =
        run_async(check(dir.path(), &cfg, &["-p", "chatwoot", "-o", "json"])).await;
    assert_eq!(code, 0);
    assert_eq!(
        err.matches("readable by group or others").count(),
        1,
        "{err}"
    );
    assert!(err.contains("chmod 600"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn color_and_logs() {
    let server = chatwoot_server().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = one_account(dir.path(), &server.uri());
    let (_, out, _) = run_async(check(
        dir.path(),
        &cfg,
        &["-p", "chatwoot", "--color", "always"],
    ))
    .await;
    assert!(
        out.contains("\u{1b}["),
        "--color always colors the status\n{out}"
    );
    let (_, out, err) = run_async(check(
        dir.path(),
        &cfg,
        &["-p", "chatwoot", "-o", "json", "-vvv"],
    ))
    .await;
    assert!(err.contains("attempt 1: GET"), "{err}");
    assert!(err.contains("-> 200"), "{err}");
    assert!(err.contains("api_access_token: [redacted]"), "{err}");
    assert!(
        err.contains("content-type: application/json"),
        "-vv shows response headers\n{err}"
    );
    assert_no_secret(&[TOKEN], &[&out, &err], "-vvv");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_to_a_non_loopback_host_warns() {
    // 0.0.0.0 is not a loopback address, yet on Linux it reaches this machine's listeners:
    // the warning path without any traffic leaving the machine.
    let server = chatwoot_server().await;
    let port = server.address().port();
    let dir = tempfile::tempdir().unwrap();
    let cfg = one_account(dir.path(), &format!("http://0.0.0.0:{port}"));
    let (code, _, err) =
        run_async(check(dir.path(), &cfg, &["-p", "chatwoot", "-o", "json"])).await;
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("credential travels unencrypted"), "{err}");

    let cfg = one_account(dir.path(), &server.uri());
    let (_, _, err) = run_async(check(dir.path(), &cfg, &["-p", "chatwoot", "-o", "json"])).await;
    assert!(!err.contains("unencrypted"), "loopback is exempt: {err}");
}

#[test]
fn offline_input_needs_no_credential() {
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("resp.json");
    std::fs::write(&body, fixture("chatwoot", "401-invalid.json")).unwrap();
    let (code, out, _) = run(whoami(dir.path())
        .args([
            "-p",
            "chatwoot",
            "-o",
            "json",
            "--input-status",
            "401",
            "--input",
        ])
        .arg(&body));
    assert_eq!(code, 1);
    let result = json(&out);
    assert_eq!(result["error"]["kind"], "invalid_credential");
    assert_eq!(result["account"], "chatwoot");
    assert_eq!(result["http_status"], 401);
    assert_eq!(result["elapsed_ms"], Value::Null);

    let (code, out, _) = run(whoami(dir.path())
        .args([
            "-p",
            "chatwoot",
            "--field",
            "profile.display_name",
            "--input",
            "-",
        ])
        .write_stdin(fixture("chatwoot", "profile.json")));
    assert_eq!(code, 0);
    assert_eq!(out, "Ada L.\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_failures_and_bad_ca_certs() {
    let server = chatwoot_server().await;
    let dir = tempfile::tempdir().unwrap();
    // Speaking TLS to a plain-HTTP port: the handshake fails, which is `tls`, not a verdict.
    let https = format!("https://127.0.0.1:{}", server.address().port());
    let cfg = one_account(dir.path(), &https);
    let (code, out, err) = run_async(check(
        dir.path(),
        &cfg,
        &["-p", "chatwoot", "-o", "json", "--retries", "0"],
    ))
    .await;
    assert_eq!(code, 3, "{out}{err}");
    assert_eq!(json(&out)["error"]["kind"], "tls", "{out}");

    // A ca_cert that is not PEM is a configuration error: exit 2, nothing sent.
    let pem = dir.path().join("ca.pem");
    std::fs::write(&pem, "not a certificate").unwrap();
    let cfg = config(
        dir.path(),
        &format!(
            "[chatwoot]\nbase_url = \"{}\"\ntoken = \"{TOKEN}\"\nca_cert = \"{}\"\n",
            server.uri(),
            pem.display()
        ),
    );
    let (code, _, err) = run_async(check(dir.path(), &cfg, &["-p", "chatwoot"])).await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("ca.pem"), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credential_files_are_read_trimmed_and_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let server = chatwoot_server().await;
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("token");
    std::fs::write(&secret, format!("\n  {TOKEN}\n")).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o640)).unwrap();
    let cfg = config(
        dir.path(),
        &format!(
            "[chatwoot]\nbase_url = \"{}\"\ntoken = {{ file = \"{}\" }}\n",
            server.uri(),
            secret.display()
        ),
    );
    let (code, out, err) = run_async(check(
        dir.path(),
        &cfg,
        &["-p", "chatwoot", "--field", "credential.source"],
    ))
    .await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), format!("file {}", secret.display()));
    assert!(
        err.contains("token holds a credential and is readable by group or others"),
        "{err}"
    );

    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (_, _, err) = run_async(check(dir.path(), &cfg, &["-p", "chatwoot", "-o", "json"])).await;
    assert!(!err.contains("readable"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_proxy_is_honoured() {
    // The proxy is a local server; the account's host is never resolved or contacted.
    let proxy = chatwoot_server().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = one_account(dir.path(), "http://chat.example.test");
    let mut cmd = check(
        dir.path(),
        &cfg,
        &["-p", "chatwoot", "-o", "json", "--retries", "0"],
    );
    cmd.env("HTTP_PROXY", proxy.uri());
    let (code, out, err) = run_async(cmd).await;
    assert_eq!(code, 0, "{out}{err}");
    let requests = proxy.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].url.host_str(), Some("chat.example.test"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_shows_only_on_a_terminal_and_only_for_slow_runs() {
    assert!(
        std::process::Command::new("script")
            .arg("--version")
            .output()
            .is_ok(),
        "this test needs util-linux `script` (Debian: bsdutils) for a pseudo-terminal"
    );
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/profile"))
        .respond_with(chatwoot_profile().set_delay(Duration::from_millis(1500)))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let uri = server.uri();
    let cfg = config(
        dir.path(),
        &format!(
            "[a]\nprovider = \"chatwoot\"\nbase_url = \"{uri}\"\ntoken = \"{TOKEN}\"\n\
             [b]\nprovider = \"chatwoot\"\nbase_url = \"{uri}\"\ntoken = \"{TOKEN}\"\n"
        ),
    );
    // On a pseudo-terminal (script), a slow run shows the progress line.
    let bin = assert_cmd::cargo::cargo_bin("whoami");
    let line = format!(
        "{} --config {} --all --jobs 1",
        bin.display(),
        cfg.display()
    );
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("TERM", "xterm");
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("checking accounts"), "{screen}");

    // Piped, never.
    let (code, _, err) = run_async(check(dir.path(), &cfg, &["--all", "--jobs", "1"])).await;
    assert_eq!(code, 0);
    assert!(err.is_empty(), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn required_base_url_is_named_and_can_come_from_the_flag() {
    let server = MockServer::start().await;
    Mock::given(path("/auth/v1/users/me"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("zitadel", "machine.json"), "application/json"),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = whoami(dir.path());
    cmd.env("WHOAMI_ZITADEL_TOKEN", TOKEN)
        .args(["-p", "zitadel"]);
    let (code, _, err) = run_async(cmd).await;
    assert_eq!(code, 2);
    assert!(
        err.contains("WHOAMI_ZITADEL_BASE_URL") && err.contains("`base_url`"),
        "{err}"
    );

    let mut cmd = whoami(dir.path());
    cmd.env("WHOAMI_ZITADEL_TOKEN", TOKEN)
        .args([
            "-p",
            "zitadel",
            "--field",
            "profile.display_name",
            "--base-url",
        ])
        .arg(server.uri());
    let (code, out, err) = run_async(cmd).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "CI deploy bot\n");

    // Offline, the base URL does not matter.
    let mut cmd = whoami(dir.path());
    cmd.args([
        "-p",
        "zitadel",
        "--field",
        "profile.display_name",
        "--input",
    ])
    .arg(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/zitadel/machine.json"),
    );
    let (code, out, _) = run_async(cmd).await;
    assert_eq!((code, out.as_str()), (0, "CI deploy bot\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_only_counts_on_429_and_503() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    for (prefix, kind, requests) in [("504", "server_error", 2), ("503", "rate_limited", 1)] {
        server.reset().await;
        Mock::given(path(format!("/{prefix}/api/v1/profile")))
            .respond_with(
                ResponseTemplate::new(prefix.parse::<u16>().unwrap())
                    .insert_header("retry-after", if prefix == "504" { "3600" } else { "60" }),
            )
            .mount(&server)
            .await;
        let cfg = one_account(dir.path(), &format!("{}/{prefix}", server.uri()));
        let started = std::time::Instant::now();
        let cmd = check(
            dir.path(),
            &cfg,
            &["-p", "chatwoot", "-o", "json", "--retries", "1"],
        );
        let (code, out, _) = run_async(cmd).await;
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{prefix}: waited {:?}",
            started.elapsed()
        );
        assert_eq!(code, 3, "{out}");
        assert_eq!(json(&out)["error"]["kind"], kind, "{out}");
        assert_eq!(
            server.received_requests().await.unwrap().len(),
            requests,
            "{prefix}"
        );
    }
}

#[test]
fn user_info_in_urls_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        &format!(
            "[chatwoot]\nbase_url = \"https://admin:SUPERSECRETPW@chat.example.org\"\ntoken = \"{TOKEN}\"\n"
        ),
    );
    let (code, out, err) = run(whoami(dir.path())
        .arg("--config")
        .arg(&cfg)
        .args(["-p", "chatwoot"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("config.toml:2:") && err.contains("user name or password"),
        "{err}"
    );
    assert_no_secret(&["SUPERSECRETPW"], &[&out, &err], "userinfo");

    let cfg = one_account(dir.path(), "https://chat.example.org");
    let (code, _, err) = run(whoami(dir.path()).arg("--config").arg(&cfg).args([
        "-p",
        "chatwoot",
        "--base-url",
        "http://u:SUPERSECRETPW@127.0.0.1:9",
    ]));
    assert_eq!(code, 2);
    assert_no_secret(&["SUPERSECRETPW"], &[&err], "--base-url userinfo");
}

#[test]
fn saved_bodies_follow_live_rules() {
    let dir = tempfile::tempdir().unwrap();
    // Named after the provider, with the settings of that provider's account.
    let cfg = config(
        dir.path(),
        "[support]\nprovider = \"vaiz\"\nspace_id = \"space-77\"\n",
    );
    let body = dir.path().join("vaiz.json");
    std::fs::write(&body, fixture("vaiz", "minimal.json")).unwrap();
    let (code, out, _) = run(whoami(dir.path())
        .arg("--config")
        .arg(&cfg)
        .args(["-p", "vaiz", "-o", "json", "--input"])
        .arg(&body));
    assert_eq!(code, 0, "{out}");
    let result = json(&out);
    assert_eq!(result["account"], "vaiz");
    assert_eq!(result["profile"]["organizations"][0]["id"], "space-77");

    // Over 8 MiB: refused like a live body.
    let big = dir.path().join("big.json");
    std::fs::write(&big, vec![b' '; 8 * 1024 * 1024 + 10]).unwrap();
    let (code, out, _) = run(whoami(dir.path())
        .args(["-p", "chatwoot", "-o", "json", "--input"])
        .arg(&big));
    assert_eq!(code, 3);
    assert_eq!(json(&out)["error"]["kind"], "too_large");
}

#[test]
fn sdk_variables_never_fall_back_to_the_public_host() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(whoami(dir.path())
        .env("VAIZ_API_KEY", TOKEN)
        .env("VAIZ_BASE_URL", "vaiz.internal.corp/v4")
        .args(["-p", "vaiz"]));
    assert_eq!(code, 2);
    assert!(err.contains("VAIZ_BASE_URL"), "{err}");

    // Environment-made accounts come in the providers' order, SDK-made ones included.
    let (code, out, _) = run(whoami(dir.path())
        .env("VAIZ_API_KEY", TOKEN)
        .env("WHOAMI_CHATWOOT_TOKEN", TOKEN)
        .env("WHOAMI_HAMRAVESH_TOKEN", TOKEN)
        .env("WHOAMI_CONFIG_TOKEN", TOKEN)
        .env("WHOAMI_CONFIG_PROVIDER", "chatwoot")
        .arg("accounts"));
    assert_eq!(code, 0);
    let order: Vec<&str> = ["vaiz", "hamravesh", "chatwoot"]
        .into_iter()
        .filter(|name| out.contains(name))
        .collect();
    assert_eq!(order.len(), 3, "{out}");
    let line_of = |name: &str| {
        out.lines()
            .position(|line| line.starts_with(&format!("{name} ")))
    };
    let positions: Vec<usize> = order.iter().map(|n| line_of(n).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{out}");
    assert!(
        line_of("config").is_none(),
        "a reserved name is never an account\n{out}"
    );
}

#[test]
fn field_values_are_sanitized_on_a_terminal_only() {
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("evil.json");
    std::fs::write(
        &body,
        "{\"id\": 1, \"name\": \"Eve\\u001b]0;pwned\\u0007\\u001b[31mRed\\u009b2J\"}",
    )
    .unwrap();
    // Piped: the value as the provider sent it, for programs.
    let (code, out, _) = run(whoami(dir.path())
        .args([
            "-p",
            "chatwoot",
            "--field",
            "profile.display_name",
            "--input",
        ])
        .arg(&body));
    assert_eq!(code, 0);
    assert!(out.contains('\u{1b}'), "{out:?}");

    // On a terminal (script gives one): escape sequences and control characters are gone.
    let bin = assert_cmd::cargo::cargo_bin("whoami");
    let line = format!(
        "{} -p chatwoot --field profile.display_name --input {}",
        bin.display(),
        body.display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .output()
        .expect("util-linux script");
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("EveRed"), "{screen:?}");
    assert!(
        !screen.contains("pwned") && !screen.contains('\u{1b}') && !screen.contains('\u{9b}'),
        "{screen:?}"
    );
}

#[test]
fn an_empty_whoami_config_is_unset() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(whoami(dir.path()).env("WHOAMI_CONFIG", ""));
    assert_eq!(code, 0, "{err}");
    assert!(!out.trim().is_empty());
}

#[test]
fn config_check_names_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        "[chatwoot]\ntokne = \"x\"\ntimeout = \"soon\"\n[vaiz]\ntoken = \"x\"\nspace_idd = \"1\"\n[defaults]\njobs = 0\n",
    );
    let (code, _, err) = run(whoami(dir.path())
        .arg("--config")
        .arg(&cfg)
        .args(["config", "check"]));
    assert_eq!(code, 2);
    for (line, what) in [
        (":2:", "tokne"),
        (":3:", "timeout"),
        (":6:", "space_idd"),
        (":8:", "jobs"),
    ] {
        assert!(
            err.lines().any(|l| l.contains(line) && l.contains(what)),
            "{line} {what}\n{err}"
        );
    }
}

#[test]
fn input_reports_no_status_unless_given_and_expect_raw_needs_raw() {
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("p.json");
    std::fs::write(&body, fixture("chatwoot", "profile.json")).unwrap();
    let (code, out, _) = run(whoami(dir.path())
        .args(["-p", "chatwoot", "-o", "json", "--input"])
        .arg(&body));
    assert_eq!(code, 0);
    assert_eq!(json(&out)["http_status"], Value::Null);

    let (code, _, err) = run(whoami(dir.path())
        .args([
            "-p",
            "chatwoot",
            "--expect",
            "raw.email=ada@example.org",
            "--input",
        ])
        .arg(&body));
    assert_eq!(code, 2);
    assert!(err.contains("--raw"), "{err}");
    let (code, _, _) = run(whoami(dir.path())
        .args([
            "-p",
            "chatwoot",
            "--raw",
            "--expect",
            "raw.email=ada@example.org",
            "--input",
        ])
        .arg(&body));
    assert_eq!(code, 0);
}

#[test]
fn p_selects_every_account_of_the_provider_before_the_account_of_that_name() {
    let dir = tempfile::tempdir().unwrap();
    // An account named `chatwoot` of another provider does not hide the chatwoot accounts.
    let cfg = config(
        dir.path(),
        "[chatwoot]\nprovider = \"vaiz\"\ntoken = \"tok-vaiz-0001\"\n\
         [support]\nprovider = \"chatwoot\"\ntoken = \"tok-cw-0001\"\n\
         [sales]\nprovider = \"chatwoot\"\ntoken = \"tok-cw-0002\"\n\
         [ops]\nprovider = \"vaiz\"\ntoken = \"tok-vaiz-0002\"\n",
    );
    let (code, out, err) = run(whoami(dir.path())
        .arg("--config")
        .arg(&cfg)
        .args([
            "-p",
            "chatwoot",
            "-o",
            "json",
            "--timeout",
            "1s",
            "--retries",
            "0",
        ])
        .env("WHOAMI_SUPPORT_BASE_URL", refused_url())
        .env("WHOAMI_SALES_BASE_URL", refused_url()));
    assert_eq!(code, 3, "{out}{err}");
    let accounts: Vec<String> = json(&out)
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["account"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(accounts, ["support", "sales"], "{out}");
    // No account of provider `nope`-like names: the account named so is the fallback.
    let (code, out, err) = run(whoami(dir.path())
        .arg("--config")
        .arg(&cfg)
        .args([
            "-p",
            "ops",
            "-o",
            "json",
            "--timeout",
            "1s",
            "--retries",
            "0",
        ])
        .env("WHOAMI_OPS_BASE_URL", refused_url()));
    assert_eq!(code, 3, "{out}{err}");
    assert_eq!(json(&out)["account"], "ops");
}

#[test]
fn field_mistakes_are_usage_errors_that_help() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(whoami(dir.path()).args([
        "-p",
        "chatwoot",
        "--field",
        "profile.emial",
        "--input",
        "x.json",
    ]));
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("did you mean `profile.email`"), "{err}");
    let (code, out, err) = run(whoami(dir.path()).args([
        "-p",
        "chatwoot",
        "--field",
        "profile.email",
        "-o",
        "junit",
        "--input",
        "x.json",
    ]));
    assert_eq!(code, 2);
    assert!(out.is_empty(), "no report was asked for: {out}");
    assert!(err.contains("choose one"), "{err}");
    for format in ["github", "prometheus"] {
        let (code, _, err) = run(whoami(dir.path()).args([
            "-p", "chatwoot", "--field", "status", "-o", format, "--input", "x.json",
        ]));
        assert_eq!(code, 2, "{format}");
        assert!(err.contains("choose one"), "{err}");
    }
    // A credential pasted where a provider or an account belongs is not repeated.
    let pasted = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
    let (code, _, err) = run(whoami(dir.path()).args(["-p", pasted, "-a", pasted]));
    assert_eq!(code, 2);
    assert!(!err.to_ascii_lowercase().contains("16c7e42f"), "{err}");
    let (code, _, err) = run(whoami(dir.path()).args([
        "-p",
        "chatwoot",
        "--expect",
        "profile.organizations.0.rol=agent",
        "--input",
        "x.json",
    ]));
    assert_eq!(code, 2);
    assert!(
        err.contains("did you mean `profile.organizations.0.role`"),
        "{err}"
    );
}

#[test]
fn version_names_the_commit_and_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(whoami(dir.path()).arg("--version"));
    assert_eq!(code, 0, "{err}");
    let line = out.trim();
    assert!(
        line.starts_with(&format!("whoami {} (", env!("CARGO_PKG_VERSION"))),
        "{line}"
    );
    assert!(line.contains(env!("WHOAMI_TARGET")), "the target: {line}");
    let commit = line
        .split_once('(')
        .and_then(|(_, rest)| rest.split(',').next())
        .unwrap_or_default();
    assert!(
        commit == "unknown"
            || commit
                .trim_end_matches("-dirty")
                .chars()
                .all(|c| c.is_ascii_hexdigit()),
        "a commit: {line}"
    );
}

/// Several accounts read one line each, fitted to the terminal: `COLUMNS`, else 80 in a pipe.
#[tokio::test]
async fn the_accounts_table_fits_the_terminal() {
    let server = MockServer::start().await;
    let mut profile: serde_json::Value =
        serde_json::from_slice(&fixture("chatwoot", "profile.json")).unwrap();
    profile["email"] = "ada.lovelace-analytical-engine@operations.example.org".into();
    Mock::given(path("/good/api/v1/profile"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&profile))
        .mount(&server)
        .await;
    Mock::given(path("/bad/api/v1/profile"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_raw(fixture("chatwoot", "401-invalid.json"), "application/json"),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let uri = server.uri();
    let mut text = String::new();
    for (name, at) in [
        ("production-support-inbox", "good"),
        ("staging", "bad"),
        ("ci", "good"),
        ("eu-west-backup-support-inbox", "bad"),
        ("dev", "good"),
        ("qa", "bad"),
    ] {
        text += &format!(
            "[{name}]\nprovider = \"chatwoot\"\nbase_url = \"{uri}/{at}\"\ntoken = \"{TOKEN}\"\n"
        );
    }
    let cfg = config(dir.path(), &text);
    let table = |columns: Option<&str>| {
        let mut cmd = check(dir.path(), &cfg, &["--all"]);
        match columns {
            Some(columns) => cmd.env("COLUMNS", columns),
            None => cmd.env_remove("COLUMNS"),
        };
        cmd
    };
    for (columns, width) in [(None, 80), (Some("80"), 80), (Some("60"), 60)] {
        let (code, out, err) = run_async(table(columns)).await;
        assert_eq!(code, 1, "{err}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 7, "a header and one line per account:\n{out}");
        assert!(lines[0].starts_with("ACCOUNT"), "{out}");
        for line in &lines {
            assert!(line.chars().count() <= width, "{columns:?}: {line:?}");
        }
        assert!(out.contains('…'), "{out}");
        assert!(
            lines[2].contains("rejected") && lines[2].contains("invalid_credential"),
            "{out}"
        );
        assert!(
            !out.contains("EXPIRES"),
            "an empty column is left out:\n{out}"
        );
    }
    // Wide enough, nothing is cut.
    let (_, out, _) = run_async(table(Some("300"))).await;
    assert!(!out.contains('…'), "{out}");
    assert!(
        out.contains("ada.lovelace-analytical-engine@operations.example.org"),
        "{out}"
    );
    assert!(out.contains("eu-west-backup-support-inbox"), "{out}");
}

/// `providers` and `accounts` list one line each, fitted to the terminal too.
#[test]
fn listings_fit_the_terminal_one_line_each() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(whoami(dir.path()).env("COLUMNS", "80").arg("providers"));
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.len(),
        1 + profile_whoami::provider::PROVIDERS.len(),
        "{out}"
    );
    assert!(lines[0].starts_with("PROVIDER"), "{out}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("vaiz ") && l.ends_with("built-in")),
        "{out}"
    );
    for line in &lines {
        assert!(line.chars().count() <= 80, "{line:?}");
    }
    let cfg = config(
        dir.path(),
        "[support-production-eu-west]\nprovider = \"chatwoot\"\n\
         base_url = \"https://chatwoot.support.operations.example.org/inbox/eu-west-1\"\n\
         token = { env = \"SUPPORT_PRODUCTION_EU_WEST_CHATWOOT_ACCESS_TOKEN\" }\n\
         [ci]\nprovider = \"vaiz\"\ntoken = { env = \"VAIZ_CI\" }\n",
    );
    let listing = |columns: &str| {
        let (code, out, err) = run(whoami(dir.path())
            .env("COLUMNS", columns)
            .arg("--config")
            .arg(&cfg)
            .arg("accounts"));
        assert_eq!(code, 0, "{err}");
        out
    };
    let out = listing("80");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    for line in &lines {
        assert!(line.chars().count() <= 80, "{line:?}");
    }
    assert!(
        lines[1].contains('…') && lines[2].starts_with("ci "),
        "{out}"
    );
    let out = listing("200");
    assert!(
        out.contains("env SUPPORT_PRODUCTION_EU_WEST_CHATWOOT_ACCESS_TOKEN"),
        "{out}"
    );
}

#[test]
fn color_always_wins_over_no_color_and_never_leaves_bare_resets() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/chatwoot/profile.json");
    let table = |color: Option<&str>| {
        let mut cmd = whoami(dir.path());
        cmd.env("NO_COLOR", "1")
            .args(["-p", "chatwoot", "--input"])
            .arg(&fixture);
        if let Some(c) = color {
            cmd.args(["--color", c]);
        }
        let (code, out, err) = run(&mut cmd);
        assert_eq!(code, 0, "{err}");
        out
    };
    let forced = table(Some("always"));
    assert!(forced.contains("\u{1b}[32mok"), "green status: {forced:?}");
    assert!(!forced.contains("\u{1b}[m"), "a bare reset: {forced:?}");
    let plain = table(None);
    assert!(!plain.contains('\u{1b}'), "NO_COLOR: {plain:?}");
}

#[test]
fn a_misspelled_variable_is_named_never_silently_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(whoami(dir.path())
        .env("WHOAMI_CHATWOT_TOKEN", "canary-typo-0123")
        .env("WHOAMI_DEFAULTS_TIMOUT", "3s")
        .env("WHOAMI_CHATWOOT_TOKEN", "canary-right-0123")
        .env("WHOAMI_Xk9mQ2vL7pR4zT8wCanary_TOKEN", "x")
        .arg("accounts"));
    assert_eq!(code, 0, "{err}");
    assert!(
        !err.to_ascii_lowercase().contains("xk9mq2vl7pr4zt8w"),
        "a credential pasted into a variable's name is not repeated: {err}"
    );
    assert!(
        err.contains("WHOAMI_CHATWOT_TOKEN") && err.contains("did you mean WHOAMI_CHATWOOT_TOKEN"),
        "{err}"
    );
    assert!(
        err.contains("WHOAMI_DEFAULTS_TIMOUT")
            && err.contains("did you mean WHOAMI_DEFAULTS_TIMEOUT"),
        "{err}"
    );
    assert!(!err.contains("canary"), "{err}");
    // A key the account's provider does not take stops that account, and says what was meant.
    let (code, _, err) = run(whoami(dir.path())
        .env("WHOAMI_CHATWOOT_TOKEN", "canary-right-0123")
        .env("WHOAMI_CHATWOOT_BASEURL", "https://chat.example.org")
        .args(["config", "check"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("did you mean WHOAMI_CHATWOOT_BASE_URL"),
        "{err}"
    );
}

#[test]
fn listings_speak_json_and_yaml_for_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        "[support]\nprovider = \"chatwoot\"\ntoken = { env = \"CW_TOKEN\" }\n[zitadel]\n",
    );
    let listing = |args: &[&str]| {
        let (code, out, err) = run(whoami(dir.path())
            .env("CW_TOKEN", "canary-listing-token-0123456789")
            .arg("--config")
            .arg(&cfg)
            .args(args));
        (code, out, err)
    };
    let (code, out, err) = listing(&["accounts", "-o", "json"]);
    assert_eq!(code, 0, "{err}");
    let accounts = json(&out);
    assert_eq!(accounts[0]["account"], "support");
    assert_eq!(accounts[0]["provider"], "chatwoot");
    assert_eq!(accounts[0]["credential"], "env CW_TOKEN");
    assert_eq!(accounts[0]["hint"], "…6789");
    assert_eq!(accounts[0]["problems"], serde_json::json!([]));
    let problems = accounts[1]["problems"].as_array().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p.as_str().unwrap().contains("base_url is required")),
        "{out}"
    );
    assert!(!out.contains("canary-listing"), "{out}");

    let (code, out, _) = listing(&["providers", "-o", "json"]);
    assert_eq!(code, 0);
    let providers = json(&out);
    let list = providers.as_array().unwrap();
    assert!(list.len() >= 37);
    let github = list.iter().find(|p| p["id"] == "github").unwrap();
    assert_eq!(github["request"], "GET /user");
    assert_eq!(github["source"], "built-in");
    assert_eq!(github["base_url"], "https://api.github.com");

    // `config check -o json` reports on stdout whatever the verdict; the exit code says it.
    let (code, out, err) = listing(&["config", "check", "-o", "json"]);
    assert_eq!(code, 2, "{err}");
    let report = json(&out);
    assert_eq!(report["ok"], false);
    assert_eq!(report["accounts"], 2);
    assert!(report["file"].as_str().unwrap().ends_with("config.toml"));
    let (code, out, _) = listing(&["accounts", "-o", "yaml"]);
    assert_eq!(code, 0);
    assert!(out.contains("account: support"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn field_over_several_accounts_says_whose_value_it_is() {
    let server = chatwoot_server().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        &format!(
            "[support]\nprovider = \"chatwoot\"\nbase_url = \"{0}\"\ntoken = \"{TOKEN}\"\n\
             [sales]\nprovider = \"chatwoot\"\nbase_url = \"{0}\"\ntoken = \"{TOKEN}\"\n",
            server.uri()
        ),
    );
    let (code, out, err) = run_async(check(
        dir.path(),
        &cfg,
        &[
            "--all",
            "--field",
            "profile.display_name",
            "--field",
            "status",
        ],
    ))
    .await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out, "support\tAda L.\nsupport\tok\nsales\tAda L.\nsales\tok\n",
        "account<TAB>value, one line per field"
    );
    // One account: the bare value, as before.
    let (_, out, _) = run_async(check(
        dir.path(),
        &cfg,
        &["-a", "sales", "--field", "status"],
    ))
    .await;
    assert_eq!(out, "ok\n");
}
