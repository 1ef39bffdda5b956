//! What pipelines rely on: expiry gates, expectations, JUnit, and the commands that send
//! nothing (`accounts`, `config check`).

mod common;

use base64::Engine as _;
use common::*;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn jwt(exp: i64) -> String {
    let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk",
        enc.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
        enc.encode(format!(r#"{{"sub":"ada","exp":{exp}}}"#))
    )
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/profile"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("chatwoot", "profile.json"), "application/json"),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn min_validity_rejects_credentials_that_expire_too_soon() {
    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    let token = jwt(now() + 86_400);
    let cfg = config(
        dir.path(),
        &format!(
            "[chatwoot]\nbase_url = \"{}\"\ntoken = \"{token}\"\n",
            server.uri()
        ),
    );
    let run_with = |extra: &'static [&'static str]| {
        let mut cmd = whoami(dir.path());
        cmd.arg("--config")
            .arg(&cfg)
            .args(["-p", "chatwoot", "-o", "json"])
            .args(extra);
        run_async(cmd)
    };

    let (code, out, _) = run_with(&["--min-validity", "7d"]).await;
    assert_eq!(code, 1, "{out}");
    let result = json(&out);
    assert_eq!(result["status"], "rejected");
    assert_eq!(result["error"]["kind"], "expiring");
    let expires = result["credential"]["expires_at"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        result["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&expires),
        "{out}"
    );
    assert_eq!(
        result["profile"]["email"], "ada@example.org",
        "the verified identity is still shown"
    );
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "the request is still sent"
    );

    let (code, out, _) = run_with(&["--min-validity", "1h"]).await;
    assert_eq!(code, 0, "{out}");

    let (_, out, _) = run_with(&[]).await;
    assert_no_secret(&[&token], &[&out], "jwt");
    let (_, table, _) = {
        let mut cmd = whoami(dir.path());
        cmd.arg("--config").arg(&cfg).args(["-p", "chatwoot"]);
        run_async(cmd).await
    };
    assert!(
        table.contains(&expires),
        "the table shows the expiry\n{table}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn min_validity_ignores_credentials_without_expiry() {
    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        &format!(
            "[chatwoot]\nbase_url = \"{}\"\ntoken = \"opaque-token-0123456789\"\n",
            server.uri()
        ),
    );
    let mut cmd = whoami(dir.path());
    cmd.arg("--config")
        .arg(&cfg)
        .args(["-p", "chatwoot", "-o", "json", "--min-validity", "30d"]);
    let (code, out, _) = run_async(cmd).await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        json(&out)["credential"]["expires_at"],
        serde_json::Value::Null
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expectations_catch_the_wrong_identity() {
    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        &format!(
            "[chatwoot]\nbase_url = \"{}\"\ntoken = \"opaque-token-0123456789\"\n",
            server.uri()
        ),
    );
    let expect = |args: Vec<&'static str>| {
        let mut cmd = whoami(dir.path());
        cmd.arg("--config")
            .arg(&cfg)
            .args(["-p", "chatwoot", "-o", "json"])
            .args(args);
        run_async(cmd)
    };
    let (code, out, _) = expect(vec![
        "--expect",
        "profile.email=ada@example.org",
        "--expect",
        "profile.organizations.0.role=administrator",
    ])
    .await;
    assert_eq!(code, 0, "{out}");

    let (code, out, _) = expect(vec!["--expect", "profile.email=ci@acme.org"]).await;
    assert_eq!(code, 1);
    let result = json(&out);
    assert_eq!(result["error"]["kind"], "expectation");
    let message = result["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("profile.email")
            && message.contains("ada@example.org")
            && message.contains("ci@acme.org"),
        "{message}"
    );

    let (code, _, err) = expect(vec!["--expect", "profile.nope=1"]).await;
    assert_eq!(code, 2, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn junit_has_one_case_per_account() {
    let server = server().await;
    Mock::given(path("/bad/api/v1/profile"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_raw(r#"{"error":"Invalid <Access> Token"}"#, "application/json"),
        )
        .mount(&server)
        .await;
    Mock::given(path("/down/api/v1/profile"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let uri = server.uri();
    let cfg = config(
        dir.path(),
        &format!(
            "[good]\nprovider = \"chatwoot\"\nbase_url = \"{uri}\"\ntoken = \"t-0123456789abcdef\"\n\
             [bad]\nprovider = \"chatwoot\"\nbase_url = \"{uri}/bad\"\ntoken = \"t-0123456789abcdef\"\n\
             [down]\nprovider = \"chatwoot\"\nbase_url = \"{uri}/down\"\ntoken = \"t-0123456789abcdef\"\n"
        ),
    );
    let mut cmd = whoami(dir.path());
    cmd.arg("--config")
        .arg(&cfg)
        .args(["--all", "-o", "junit", "--retries", "0"]);
    let (code, out, _) = run_async(cmd).await;
    assert_eq!(code, 1);
    let doc = roxmltree::Document::parse(&out).unwrap_or_else(|e| panic!("{e}\n{out}"));
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("tests"), Some("3"));
    assert_eq!(suite.attribute("failures"), Some("1"));
    assert_eq!(suite.attribute("errors"), Some("1"));
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let names: Vec<_> = cases.iter().map(|c| c.attribute("name").unwrap()).collect();
    assert_eq!(names, ["good", "bad", "down"]);
    assert!(
        cases
            .iter()
            .all(|c| c.attribute("time").unwrap().parse::<f64>().is_ok())
    );
    let failure = cases[1]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert_eq!(failure.attribute("type"), Some("invalid_credential"));
    assert!(
        failure
            .attribute("message")
            .unwrap()
            .contains("Invalid <Access> Token")
    );
    let error = cases[2]
        .children()
        .find(|n| n.has_tag_name("error"))
        .unwrap();
    assert_eq!(error.attribute("type"), Some("server_error"));
    assert!(
        cases[0]
            .children()
            .all(|n| !n.has_tag_name("failure") && !n.has_tag_name("error"))
    );
}

#[test]
fn accounts_lists_sources_without_running_commands_or_showing_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let cfg = config(
        dir.path(),
        &format!(
            "[chatwoot]\ntoken = \"inline-secret-0123456789abcd\"\n\
             [cw-cmd]\nprovider = \"chatwoot\"\ntoken = {{ command = \"touch {}; echo x\" }}\n\
             [cw-env]\nprovider = \"chatwoot\"\nbase_url = \"https://chat.example.org\"\ntoken = {{ env = \"CW_ENV\" }}\n\
             [cw-none]\nprovider = \"chatwoot\"\n",
            marker.display()
        ),
    );
    let (code, out, err) = run(whoami(dir.path())
        .env("CW_ENV", "env-secret-abcdefghijklmnop")
        .arg("--config")
        .arg(&cfg)
        .arg("accounts"));
    assert_eq!(code, 0, "{err}");
    assert!(
        !marker.exists(),
        "accounts must not run credential commands"
    );
    assert_no_secret(
        &[
            "inline-secret-0123456789abcd",
            "env-secret-abcdefghijklmnop",
            "touch",
        ],
        &[&out, &err],
        "accounts",
    );
    for needle in [
        "…abcd",
        "…mnop",
        "env CW_ENV",
        "command (",
        "https://chat.example.org",
        "WHOAMI_CW_NONE_TOKEN",
    ] {
        assert!(out.contains(needle), "{needle}\n{out}");
    }
}

#[test]
fn config_check_names_each_problem_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let good = config(
        dir.path(),
        &format!(
            "[chatwoot]\ntoken = {{ command = \"touch {}\" }}\n",
            marker.display()
        ),
    );
    let (code, out, _) = run(whoami(dir.path())
        .arg("--config")
        .arg(&good)
        .args(["config", "check"]));
    assert_eq!(code, 0, "{out}");
    assert!(!marker.exists());

    let bad = config(
        dir.path(),
        "[chatwoot]\ntoken = \"x\"\ntimeout = \"forever\"\n",
    );
    let (code, _, err) = run(whoami(dir.path())
        .arg("--config")
        .arg(&bad)
        .args(["config", "check"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("config.toml:3:") && err.contains("timeout"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absurd_expiry_claims_do_not_crash() {
    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    for exp in [
        "-1e19",
        "1e30",
        "9223372036854775807",
        "-9223372036854775808",
    ] {
        let token = format!(
            "{}.{}.sig",
            enc.encode("{}"),
            enc.encode(format!(r#"{{"exp":{exp}}}"#))
        );
        let cfg = config(
            dir.path(),
            &format!(
                "[chatwoot]\nbase_url = \"{}\"\ntoken = \"{token}\"\n",
                server.uri()
            ),
        );
        let mut cmd = whoami(dir.path());
        cmd.arg("--config").arg(&cfg).args([
            "-p",
            "chatwoot",
            "-o",
            "json",
            "--min-validity",
            "1d",
        ]);
        let (code, out, err) = run_async(cmd).await;
        assert!(code == 0 || code == 1, "exp {exp}: exit {code}\n{err}");
        let far_future = exp.starts_with('1') || exp.starts_with('9');
        assert_eq!(code, if far_future { 0 } else { 1 }, "exp {exp}: {out}");
    }
}

mod annotations_and_metrics {
    use super::*;
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    /// Two accounts: one verified, one rejected with a message that tries to start a command.
    async fn two_accounts(dir: &std::path::Path) -> (MockServer, MockServer, std::path::PathBuf) {
        let ok = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                r#"{"id": 42, "name": "Ada", "email": "ada@example.org"}"#,
                "application/json",
            ))
            .mount(&ok)
            .await;
        let bad = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(401).set_body_raw(
                "{\"error\": \"Invalid\\n::add-mask::x, 100%\"}",
                "application/json",
            ))
            .mount(&bad)
            .await;
        let cfg = config(
            dir,
            &format!(
                "[support]\nprovider = \"chatwoot\"\nbase_url = \"{}\"\ntoken = \"tok-ok-0123456789\"\n\
                 [sales]\nprovider = \"chatwoot\"\nbase_url = \"{}\"\ntoken = \"tok-bad-0123456789\"\n",
                ok.uri(),
                bad.uri()
            ),
        );
        (ok, bad, cfg)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn github_annotations_per_account() {
        let dir = tempfile::tempdir().unwrap();
        let (_ok, _bad, cfg) = two_accounts(dir.path()).await;
        let mut cmd = whoami(dir.path());
        cmd.arg("--config")
            .arg(&cfg)
            .args(["--all", "-o", "github"]);
        let (code, out, err) = run_async(cmd).await;
        assert_eq!(code, 1, "the exit code still follows the verdicts: {err}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert_eq!(
            lines[0],
            "::notice title=whoami support (chatwoot)::ok: ada@example.org (Ada)"
        );
        assert!(
            lines[1].starts_with(
                "::error title=whoami sales (chatwoot)::rejected (invalid_credential): HTTP 401"
            ),
            "{out}"
        );
        // The provider's newline cannot start a command of its own (two lines, no more), and
        // `%` is escaped as the runner reads it.
        assert!(lines[1].contains("::add-mask::x, 100%25"), "{out}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn prometheus_textfile_metrics() {
        let dir = tempfile::tempdir().unwrap();
        let (_ok, _bad, cfg) = two_accounts(dir.path()).await;
        let mut cmd = whoami(dir.path());
        cmd.arg("--config")
            .arg(&cfg)
            .args(["--all", "-o", "prometheus"]);
        let (code, out, err) = run_async(cmd).await;
        assert_eq!(code, 1, "{err}");
        for line in [
            "# TYPE whoami_credential_up gauge",
            "whoami_credential_up{account=\"support\",provider=\"chatwoot\"} 1",
            "whoami_credential_up{account=\"sales\",provider=\"chatwoot\"} 0",
            "whoami_credential_status{account=\"sales\",provider=\"chatwoot\",status=\"rejected\"} 1",
            "whoami_credential_status{account=\"sales\",provider=\"chatwoot\",status=\"ok\"} 0",
            "# HELP whoami_credential_expiry_timestamp_seconds When the credential expires (Unix seconds), for credentials whose expiry is known.",
        ] {
            assert!(out.lines().any(|l| l == line), "{line}\n{out}");
        }
        assert!(
            out.lines()
                .any(|l| l.starts_with("whoami_check_duration_seconds{account=\"support\"")),
            "{out}"
        );
        // Every sample line is `name{labels} value` with a number for a value.
        for line in out.lines().filter(|l| !l.starts_with('#')) {
            let value = line.rsplit(' ').next().unwrap();
            assert!(value.parse::<f64>().is_ok(), "{line}");
            assert!(line.starts_with("whoami_"), "{line}");
        }
        // Prometheus's own checker, when the machine has it (Debian's `prometheus` package).
        let file = dir.path().join("whoami.prom");
        std::fs::write(&file, &out).unwrap();
        match std::process::Command::new("promtool")
            .args(["check", "metrics"])
            .stdin(std::fs::File::open(&file).unwrap())
            .output()
        {
            Ok(checked) => assert!(
                checked.status.success(),
                "promtool: {}{}",
                String::from_utf8_lossy(&checked.stdout),
                String::from_utf8_lossy(&checked.stderr)
            ),
            Err(_) => eprintln!("SKIPPED promtool check: promtool is not installed here"),
        }
    }
}

#[test]
fn expect_on_roles_accepts_one_of_several() {
    let dir = tempfile::tempdir().unwrap();
    let body = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hamravesh/profile-v1.json");
    let expect = |expectation: &str| {
        let (code, out, err) = run(whoami(dir.path())
            .args([
                "-p",
                "hamravesh",
                "-o",
                "json",
                "--expect",
                expectation,
                "--input",
            ])
            .arg(&body));
        (code, out, err)
    };
    let (code, out, err) = expect("profile.organizations.1.roles=developer");
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        json(&out)["profile"]["organizations"][1]["roles"],
        serde_json::json!(["admin", "developer"])
    );
    let (code, out, _) = expect("profile.organizations.1.role=developer");
    assert_eq!(code, 1, "`role` is the whole wording: {out}");
    let (code, _, _) = expect("profile.organizations.1.roles=billing");
    assert_eq!(code, 1);
}
