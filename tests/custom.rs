//! Providers defined in the config: the GitHub and GitLab definitions of config.example.toml,
//! run against local servers answering with bodies in those services' documented shapes.

mod common;

use common::*;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const GITHUB_TOKEN: &str = "ghp_canaryCanaryCanary0123456789";
const GITLAB_TOKEN: &str = "glpat-canary-0123456789abcdef";

/// The two definitions from config.example.toml, pointed at a local server.
fn definitions(uri: &str) -> String {
    let example = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml"),
    )
    .unwrap();
    let start = example
        .find("[github]")
        .expect("github definition in config.example.toml");
    example[start..]
        .replace("https://api.github.com/user", &format!("{uri}/user"))
        .replace(
            "https://gitlab.com/api/v4/user",
            &format!("{uri}/api/v4/user"),
        )
        .replace("{ env = \"GITHUB_TOKEN\" }", &format!("\"{GITHUB_TOKEN}\""))
        .replace("{ env = \"GITLAB_TOKEN\" }", &format!("\"{GITLAB_TOKEN}\""))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_and_gitlab_definitions_work_end_to_end() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/user"))
        .and(header(
            "authorization",
            format!("Bearer {GITHUB_TOKEN}").as_str(),
        ))
        .and(header("x-github-api-version", "2022-11-28"))
        .and(header("accept", "application/vnd.github+json"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("custom", "github-user.json"), "application/json"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v4/user"))
        .and(header("private-token", GITLAB_TOKEN))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("custom", "gitlab-user.json"), "application/json"),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &definitions(&server.uri()));

    let mut cmd = whoami(dir.path());
    cmd.arg("--config")
        .arg(&cfg)
        .args(["--all", "-o", "json", "--raw", "-vvv"]);
    let (code, out, err) = run_async(cmd).await;
    assert_eq!(code, 0, "{out}{err}");
    let results = json(&out);
    let github = &results[0];
    assert_eq!(github["account"], "github");
    assert_eq!(
        github["provider"], "github",
        "an inline definition is named after its account, never `custom`"
    );
    assert_eq!(github["endpoint"], format!("{}/user", server.uri()));
    assert_eq!(github["profile"]["id"], "5829301", "numbers become strings");
    assert_eq!(github["profile"]["username"], "mona-example");
    assert_eq!(github["profile"]["display_name"], "Mona Example");
    assert_eq!(github["profile"]["email"], "mona@example.org");
    assert_eq!(github["profile"]["mfa"], true);
    assert_eq!(
        github["profile"]["locale"],
        serde_json::Value::Null,
        "unmapped is null"
    );
    assert_eq!(github["profile"]["extra"]["plan"], "pro");
    let gitlab = &results[1];
    assert_eq!(gitlab["profile"]["id"], "4471");
    assert_eq!(gitlab["profile"]["username"], "jo_example");
    assert_eq!(gitlab["profile"]["locale"], "en");
    assert_eq!(gitlab["profile"]["mfa"], false);
    assert_eq!(gitlab["profile"]["extra"]["state"], "active");
    assert!(err.contains("private-token: [redacted]"), "{err}");
    assert_no_secret(&[GITHUB_TOKEN, GITLAB_TOKEN], &[&out, &err], "custom");

    // `whoami providers` lists them beside the built-in ones.
    let (code, out, _) = run(whoami(dir.path())
        .arg("--config")
        .arg(&cfg)
        .arg("providers"));
    assert_eq!(code, 0);
    assert!(
        out.contains("github (custom)") && out.contains("gitlab (custom)"),
        "{out}"
    );
    assert!(
        out.to_ascii_lowercase().contains("private-token: <token>"),
        "{out}"
    );
    assert!(out.contains("chatwoot"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn definitions_classify_like_built_in_providers() {
    let server = MockServer::start().await;
    Mock::given(path("/user"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_raw(fixture("custom", "github-401.json"), "application/json"),
        )
        .mount(&server)
        .await;
    Mock::given(path("/api/v4/user"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw("<html>Sign in to GitLab</html>", "text/html"),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &definitions(&server.uri()));
    let mut cmd = whoami(dir.path());
    cmd.arg("--config")
        .arg(&cfg)
        .args(["--all", "-o", "json", "--retries", "0"]);
    let (code, out, _) = run_async(cmd).await;
    assert_eq!(code, 1, "{out}");
    let results = json(&out);
    assert_eq!(results[0]["error"]["kind"], "invalid_credential");
    assert!(
        results[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Bad credentials")
    );
    assert_eq!(results[1]["error"]["kind"], "unexpected_response");
    assert!(
        results[1]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expected a gitlab profile")
    );

    // A JSON answer without the `map.id` pointer is not a profile either.
    server.reset().await;
    Mock::given(path("/user"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(r#"{"login": "x", "token": "leak-me"}"#, "application/json"),
        )
        .mount(&server)
        .await;
    let mut cmd = whoami(dir.path());
    cmd.arg("--config")
        .arg(&cfg)
        .args(["-a", "github", "-o", "json", "--raw"]);
    let (code, out, _) = run_async(cmd).await;
    assert_eq!(code, 3, "{out}");
    let result = json(&out);
    assert_eq!(result["error"]["kind"], "unexpected_response");
    assert_eq!(result["raw"]["token"], "[redacted]");
    assert!(!out.contains("leak-me"));
}

#[test]
fn broken_definitions_are_exit_2_with_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "[gh]\nprovider = \"custom\"\nauth = { header = \"Authorization\" }\n[gh.map]\nid = \"/id\"\n",
            ":1:",
            "needs `url`",
        ),
        (
            "[gh]\nprovider = \"custom\"\nurl = \"https://x.test/u\"\nauth = { header = \"Authorization\" }\n[gh.map]\nid = \"id\"\n",
            ":6:",
            "map.id",
        ),
        (
            "[gh]\nprovider = \"custom\"\nurl = \"https://x.test/u\"\nauth = { header = \"Authorization\" }\nheadrs = {}\n[gh.map]\nid = \"/id\"\n",
            ":5:",
            "did you mean `headers`",
        ),
        (
            "[gh]\nprovider = \"custom\"\nurl = \"https://x.test/u\"\nauth = { header = \"Authorization\" }\n[gh.map]\nusername = \"/login\"\n",
            ":5:",
            "needs `id`",
        ),
        (
            "[gh]\nprovider = \"custom\"\nurl = \"https://x.test/u\"\nauth = { header = \"Authorization\" }\n[gh.map]\nid = \"/id\"\n",
            ":1:",
            "WHOAMI_GH_TOKEN",
        ),
    ];
    for (text, line, said) in cases {
        let cfg = config(dir.path(), text);
        let (code, _, err) = run(whoami(dir.path())
            .arg("--config")
            .arg(&cfg)
            .args(["config", "check"]));
        assert_eq!(code, 2, "{text}");
        assert!(err.contains(&format!("config.toml{line}")), "{text}\n{err}");
        assert!(err.contains(said), "{text}\n{err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_stay_secret_and_urls_stay_whole() {
    let server = MockServer::start().await;
    Mock::given(path("/me/"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"id": 7, "login": "x", "mfa": {"enabled": true, "seed": "TOTPSEEDSECRET"}, "plan": {"name": "pro", "pk": "PLANSECRET"}}"#,
            "application/json",
        ))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        &format!(
            "[svc]\nprovider = \"custom\"\nurl = \"{}/me/?access_token=STATICQUERYSECRET&v=2\"\n\
             auth = {{ header = \"X-Key\" }}\ntoken = \"custom-canary-0123456789\"\n\
             secret_fields = [\"/mfa/seed\", \"/plan/pk\"]\n\
             [svc.map]\nid = \"/id\"\nmfa = \"/mfa/enabled\"\n[svc.map.extra]\nplan = \"/plan\"\nseed = \"/mfa/seed\"\n",
            server.uri()
        ),
    );
    let mut cmd = whoami(dir.path());
    cmd.arg("--config")
        .arg(&cfg)
        .args(["-a", "svc", "-o", "json", "--raw", "-v"]);
    let (code, out, err) = run_async(cmd).await;
    assert_eq!(code, 0, "{out}{err}");
    let result = json(&out);
    assert_eq!(
        result["profile"]["id"], "7",
        "a secret pointer never empties the profile"
    );
    assert_eq!(result["profile"]["mfa"], true);
    assert_eq!(result["profile"]["extra"]["plan"]["name"], "pro");
    assert_no_secret(
        &[
            "TOTPSEEDSECRET",
            "PLANSECRET",
            "STATICQUERYSECRET",
            "custom-canary-0123456789",
        ],
        &[&out, &err],
        "custom",
    );
    // The trailing slash of a whole URL is kept.
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].url.path(), "/me/");
    let (_, listing, _) = run(whoami(dir.path()).arg("--config").arg(&cfg).arg("accounts"));
    assert!(!listing.contains("STATICQUERYSECRET"), "{listing}");
}
