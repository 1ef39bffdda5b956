//! Every registered provider against its fixtures, on a local server: the request it sends
//! (method, path, headers, body), the profile it normalizes, how it classifies each failure
//! shape, and that no secret reaches the output. Driven by tests/fixtures/<id>/conformance.json,
//! so a new provider is tested by adding its fixture folder.

mod common;

use std::collections::BTreeMap;

use common::*;
use serde::Deserialize;
use serde_json::Value;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Debug, Deserialize)]
struct Conformance {
    token: String,
    #[serde(default)]
    base_path: String,
    #[serde(default)]
    settings: BTreeMap<String, String>,
    request: ExpectedRequest,
    success: Vec<Success>,
    failures: Vec<Failure>,
    #[serde(default)]
    secrets: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct ExpectedRequest {
    method: String,
    path: String,
    headers: BTreeMap<String, String>,
    /// Query parameters the request must carry (a credential sent as `?key=…`).
    #[serde(default)]
    query: BTreeMap<String, String>,
    #[serde(default)]
    absent_headers: Vec<String>,
    #[serde(default)]
    body: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct Success {
    response: String,
    expect: BTreeMap<String, Value>,
}

#[derive(Debug, Deserialize)]
struct Failure {
    status: u16,
    #[serde(default)]
    response: Option<String>,
    #[serde(default)]
    content_type: Option<String>,
    kind: String,
    exit: i32,
    #[serde(default)]
    message_contains: Option<String>,
}

fn load(id: &str) -> Conformance {
    serde_json::from_slice(&fixture(id, "conformance.json"))
        .unwrap_or_else(|e| panic!("{id}/conformance.json: {e}"))
}

fn config_text(id: &str, case: &Conformance, base: &str) -> String {
    let mut text = format!(
        "[{id}]\nbase_url = \"{base}{}\"\ntoken = \"{}\"\n",
        case.base_path, case.token
    );
    for (k, v) in &case.settings {
        text += &format!("{k} = \"{v}\"\n");
    }
    text
}

fn secrets(case: &Conformance) -> Vec<&str> {
    std::iter::once(case.token.as_str())
        .chain(case.secrets.iter().map(String::as_str))
        .collect()
}

async fn mount_success(server: &MockServer, case: &Conformance, body: Vec<u8>) {
    let mut mock =
        Mock::given(method(case.request.method.as_str())).and(path(case.request.path.as_str()));
    for (k, v) in &case.request.headers {
        mock = mock.and(header(k.as_str(), v.as_str()));
    }
    for (k, v) in &case.request.query {
        mock = mock.and(query_param(k.as_str(), v.as_str()));
    }
    mock.respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(server)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_provider_conforms() {
    for provider in providers_under_test() {
        let dir = tempfile::tempdir().unwrap();
        conforms(provider.id(), provider.id(), dir.path()).await;
    }
}

/// The round trip: what `whoami providers show ID` prints, saved as a user definition under
/// another id, behaves exactly as the built-in: same request, profile and failure shapes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_builtin_round_trips_as_a_user_definition() {
    for provider in providers_under_test() {
        let id = provider.id();
        let dir = tempfile::tempdir().unwrap();
        let (code, shown, err) = run(whoami(dir.path()).args(["providers", "show", id]));
        assert_eq!(code, 0, "{id}: {err}");
        let copy = format!("{id}-copy");
        let original = format!("id = \"{id}\"");
        assert!(shown.contains(&original), "{id}: {shown}");
        let folder = dir.path().join("xdg/whoami/providers");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("copy.toml"),
            shown.replacen(&original, &format!("id = \"{copy}\""), 1),
        )
        .unwrap();
        conforms(id, &copy, dir.path()).await;
    }
}

/// Runs provider `id`'s conformance case against the definition `as_id` (the same one, or a
/// copy under another id).
async fn conforms(id: &str, as_id: &str, dir: &std::path::Path) {
    {
        let case = load(id);
        let server = MockServer::start().await;
        let cfg = config(dir, &config_text(as_id, &case, &server.uri()));

        for success in &case.success {
            server.reset().await;
            mount_success(&server, &case, fixture(id, &success.response)).await;
            let mut cmd = whoami(dir);
            cmd.args(["--config"])
                .arg(&cfg)
                .args(["-p", as_id, "-o", "json", "--raw", "-vvv"]);
            let (code, out, err) = run_async(cmd).await;
            let context = format!("{as_id} {}", success.response);
            assert_eq!(
                code, 0,
                "{context}: exit {code}\nstdout:\n{out}\nstderr:\n{err}"
            );
            let result = json(&out);
            for (field, expected) in &success.expect {
                // A copy reports its own id; everything else is the built-in's.
                let expected = match field.as_str() {
                    "provider" => &Value::String(as_id.to_string()),
                    _ => expected,
                };
                assert_eq!(
                    at(&result, field).unwrap_or(&Value::Null),
                    expected,
                    "{context}: {field}\n{out}"
                );
            }
            assert_no_secret(&secrets(&case), &[&out, &err], &context);

            let requests = server.received_requests().await.unwrap();
            assert_eq!(requests.len(), 1, "{context}: exactly one request");
            for absent in &case.request.absent_headers {
                assert!(
                    !requests[0].headers.contains_key(absent.as_str()),
                    "{context}: {absent} sent"
                );
            }
            if let Some(body) = &case.request.body {
                let sent: Value = serde_json::from_slice(&requests[0].body).expect("JSON body");
                assert_eq!(&sent, body, "{context}: request body");
            }

            // The same body offline gives the same profile.
            let mut cmd = whoami(dir);
            cmd.args(["--config"])
                .arg(&cfg)
                .args(["-p", as_id, "-o", "json", "--input"]);
            cmd.arg(dir.join("body.json"));
            std::fs::write(dir.join("body.json"), fixture(id, &success.response)).unwrap();
            let (code, out, _) = run_async(cmd).await;
            assert_eq!(code, 0, "{context} --input:\n{out}");
            let offline = json(&out);
            assert_eq!(
                offline["profile"], result["profile"],
                "{context}: --input differs from live"
            );
            assert_eq!(offline["endpoint"], Value::Null);
            assert_eq!(offline["credential"], Value::Null);
        }

        for failure in &case.failures {
            server.reset().await;
            let body = failure
                .response
                .as_deref()
                .map(|f| fixture(id, f))
                .unwrap_or_default();
            let content_type = failure
                .content_type
                .as_deref()
                .unwrap_or("application/json");
            Mock::given(method(case.request.method.as_str()))
                .respond_with(
                    ResponseTemplate::new(failure.status).set_body_raw(body, content_type),
                )
                .mount(&server)
                .await;
            let context = format!("{as_id} {} {:?}", failure.status, failure.response);
            for format in ["json", "table", "yaml"] {
                let mut cmd = whoami(dir);
                cmd.args(["--config"]).arg(&cfg);
                cmd.args(["-p", as_id, "-o", format, "--retries", "0", "--raw", "-vvv"]);
                let (code, out, err) = run_async(cmd).await;
                assert_eq!(
                    code, failure.exit,
                    "{context} {format}: exit\nstdout:\n{out}\nstderr:\n{err}"
                );
                assert_no_secret(&secrets(&case), &[&out, &err], &context);
                if format != "json" {
                    continue;
                }
                let result = json(&out);
                assert_eq!(
                    result["error"]["kind"],
                    failure.kind.as_str(),
                    "{context}\n{out}"
                );
                assert_eq!(result["http_status"], failure.status, "{context}");
                if let Some(needle) = &failure.message_contains {
                    let message = result["error"]["message"].as_str().unwrap_or_default();
                    assert!(
                        message.contains(needle.as_str()),
                        "{context}: {message:?} lacks {needle:?}"
                    );
                }
            }
        }
    }
}
