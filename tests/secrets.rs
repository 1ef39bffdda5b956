//! The canary suite: for every provider × outcome × output format × verbosity, neither the
//! credential nor any secret a provider body carries appears in stdout or stderr.
//!
//! The server is hostile on purpose: it echoes the credential in bodies, headers and redirect
//! targets, so that only redaction (not luck) keeps it out of the output.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::*;
use futures_util::StreamExt;
use profile_whoami::provider::PROVIDERS;
use serde::Deserialize;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Deserialize)]
struct Conformance {
    token: String,
    #[serde(default)]
    base_path: String,
    #[serde(default)]
    settings: BTreeMap<String, String>,
    success: Vec<Case>,
    failures: Vec<Failure>,
    #[serde(default)]
    secrets: Vec<String>,
}

#[derive(Deserialize)]
struct Case {
    response: String,
}

#[derive(Deserialize)]
struct Failure {
    status: u16,
    #[serde(default)]
    response: Option<String>,
}

const FORMATS: &[&[&str]] = &[
    &["-o", "table"],
    &["-o", "json"],
    &["-o", "yaml"],
    &[
        "--field",
        "profile.email",
        "--field",
        "error.message",
        "--field",
        "raw",
    ],
    &["-o", "json", "--raw"],
    &["-o", "table", "--raw"],
    &["-o", "junit"],
    &["-o", "github"],
    &["-o", "prometheus"],
];
const VERBOSITY: &[&[&str]] = &[&[], &["-v"], &["-vv"], &["-vvv"]];

/// The launch providers, checked at every format and verbosity.
const LAUNCH: &[&str] = &["vaiz", "hamravesh", "flashback", "zitadel", "chatwoot"];

fn outcomes(id: &str, case: &Conformance) -> Vec<(String, ResponseTemplate)> {
    let token = &case.token;
    let mut list: Vec<(String, ResponseTemplate)> = Vec::new();
    for s in &case.success {
        list.push((
            format!("verified {}", s.response),
            ResponseTemplate::new(200)
                .set_body_raw(fixture(id, &s.response), "application/json")
                .insert_header("x-echo", token.as_str()),
        ));
    }
    for f in &case.failures {
        let body = f
            .response
            .as_deref()
            .map(|r| fixture(id, r))
            .unwrap_or_default();
        list.push((
            format!("{} {:?}", f.status, f.response),
            ResponseTemplate::new(f.status).set_body_raw(body, "application/json"),
        ));
    }
    list.push((
        "500 echoing the token".into(),
        ResponseTemplate::new(500)
            .set_body_raw(format!("internal error for token {token}"), "text/plain"),
    ));
    list.push((
        "html echoing the token".into(),
        ResponseTemplate::new(200)
            .set_body_raw(format!("<html><p>Bearer {token}</p></html>"), "text/html"),
    ));
    list.push((
        "broken json echoing the token".into(),
        ResponseTemplate::new(200)
            .set_body_raw(format!("{{\"token\": \"{token}\", "), "application/json"),
    ));
    list.push((
        "json error echoing the token everywhere".into(),
        ResponseTemplate::new(400).set_body_raw(
            format!(r#"{{"message": "bad {token}", "error": {{"meta": {{"token": "{token}", "x": ["{token}"]}}}}}}"#),
            "application/json",
        ),
    ));
    list.push((
        "redirect carrying the token".into(),
        ResponseTemplate::new(307).insert_header(
            "location",
            format!("https://elsewhere.invalid/?t={token}").as_str(),
        ),
    ));
    let encoded: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
    list.push((
        "redirect carrying the url-encoded token".into(),
        ResponseTemplate::new(302).insert_header(
            "location",
            format!("https://elsewhere.invalid/?t={encoded}").as_str(),
        ),
    ));
    // Forms the exact-bytes search misses: the token as an object key, with invisible
    // characters spliced in, in a content type, in a header name, as HTML references, in a
    // redirect host (lower-cased by URL parsing), percent-encoded in lower-case hex with
    // over-encoded letters.
    let (head, tail) = token.split_at(6);
    list.push((
        "token as a JSON key".into(),
        ResponseTemplate::new(400).set_body_raw(
            format!(r#"{{"{token}": ["is invalid"], "errors": {{"{token}": 1}}}}"#),
            "application/json",
        ),
    ));
    for invisible in [
        "\\u0007",
        "\\u0000",
        "\\u0085",
        "\\u001b[0m",
        "\\u200b",
        "\\u202e",
    ] {
        list.push((
            format!("token echoed with {invisible} inside"),
            ResponseTemplate::new(401).set_body_raw(
                format!(r#"{{"message": "bad {head}{invisible}{tail}", "error": "{head}{invisible}{tail}"}}"#),
                "application/json",
            ),
        ));
    }
    // A header name cannot hold every token's characters (`:` `/` `=`): where it cannot, the
    // token travels in the header's value instead.
    let header_name = format!("x-{token}");
    let echo = match reqwest::header::HeaderName::from_bytes(header_name.as_bytes()) {
        Ok(_) => ResponseTemplate::new(200).insert_header(header_name.as_str(), "1"),
        Err(_) => ResponseTemplate::new(200).insert_header("x-echo", token),
    };
    list.push((
        "token in the content type and in a header name".into(),
        echo.set_body_raw("not a profile", format!("text/plain; t={token}").as_str()),
    ));
    let entities: String = token.chars().map(|c| format!("&#{};", c as u32)).collect();
    list.push((
        "html page with the token as character references".into(),
        ResponseTemplate::new(401).set_body_raw(
            format!("<html><p>Bearer {entities}</p></html>"),
            "text/html",
        ),
    ));
    list.push((
        "redirect to a host named after the token".into(),
        ResponseTemplate::new(302).insert_header(
            "location",
            format!("https://{}.example/", token.to_ascii_uppercase()).as_str(),
        ),
    ));
    let over_encoded: String = token.bytes().map(|b| format!("%{b:02x}")).collect();
    list.push((
        "token over-encoded in lower-case hex".into(),
        ResponseTemplate::new(200).set_body_raw(
            format!(r#"{{"next": "https://x.example/?t={over_encoded}"}}"#),
            "application/json",
        ),
    ));
    list.push((
        "secret response headers".into(),
        ResponseTemplate::new(500)
            .insert_header("set-cookie", "session=SESSION-SECRET-123; HttpOnly")
            .insert_header("x-auth-token", "HDR-SECRET-456")
            .insert_header("x-api-key", "HDR-SECRET-789"),
    ));
    // Every string of every success body carrying the credential: only redaction of the
    // normalized profile keeps it out.
    for s in &case.success {
        let mut body: serde_json::Value =
            serde_json::from_slice(&fixture(id, &s.response)).unwrap();
        echo_everywhere(&mut body, token);
        list.push((
            format!("verified {} echoing the token in every string", s.response),
            ResponseTemplate::new(200).set_body_json(body),
        ));
    }
    list.push((
        "timeout".into(),
        ResponseTemplate::new(200).set_delay(Duration::from_secs(3)),
    ));
    list
}

fn secrets(case: &Conformance) -> Vec<&str> {
    std::iter::once(case.token.as_str())
        .chain(case.secrets.iter().map(String::as_str))
        .chain(["SESSION-SECRET-123", "HDR-SECRET-456", "HDR-SECRET-789"])
        .collect()
}

/// Appends the token to every string but the identifiers an envelope needs.
fn echo_everywhere(value: &mut serde_json::Value, token: &str) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                match (key.as_str(), &mut *child) {
                    ("id" | "_id" | "type" | "success", _) => {}
                    (_, serde_json::Value::String(s)) => s.push_str(&format!(" {token}")),
                    (_, other) => echo_everywhere(other, token),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|i| echo_everywhere(i, token)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_any_output() {
    for provider in providers_under_test() {
        let id = provider.id();
        let case: Conformance = serde_json::from_slice(&fixture(id, "conformance.json")).unwrap();
        let server = MockServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        let mut text = format!(
            "[{id}]\nbase_url = \"{}{}\"\ntoken = \"{}\"\n",
            server.uri(),
            case.base_path,
            case.token
        );
        for (k, v) in &case.settings {
            text += &format!("{k} = \"{v}\"\n");
        }
        let cfg = config(dir.path(), &text);
        // The five launch providers run every format at every verbosity; the catalogue runs
        // each format once per outcome, the verbosity turning with the outcome, so that every
        // pair still comes up across a provider's outcomes at a quarter of the cost.
        let full = LAUNCH.contains(&id);
        for (n, (name, response)) in outcomes(id, &case).into_iter().enumerate() {
            server.reset().await;
            Mock::given(any())
                .respond_with(response)
                .mount(&server)
                .await;
            // The runs of one outcome are independent: four at a time.
            let runs: Vec<(&[&str], &[&str])> = FORMATS
                .iter()
                .enumerate()
                .flat_map(|(i, format)| {
                    VERBOSITY
                        .iter()
                        .enumerate()
                        .filter(move |(v, _)| full || *v == (i + n) % VERBOSITY.len())
                        .map(move |(_, v)| (*format, *v))
                })
                .collect();
            let results: Vec<_> = futures_util::stream::iter(runs)
                .map(|(format, verbosity)| {
                    let mut cmd = whoami(dir.path());
                    cmd.arg("--config").arg(&cfg).args([
                        "-p",
                        id,
                        "--retries",
                        "0",
                        "--timeout",
                        "300ms",
                    ]);
                    cmd.args(format).args(verbosity);
                    async move { (format, verbosity, run_async(cmd).await) }
                })
                .buffer_unordered(4)
                .collect()
                .await;
            for (format, verbosity, (code, out, err)) in results {
                let context = format!("{id} / {name} / {format:?} / {verbosity:?} (exit {code})");
                assert!(code != 2 && code != 101, "{context}: {err}");
                assert_no_secret(&secrets(&case), &[&out, &err], &context);
                assert_not_visible(&case.token, &[&out, &err], &context);
            }
        }
    }
}

/// The token is not there as a reader would see it either: in any letter case, once the
/// escapes JSON and YAML write for invisible characters, the characters themselves and
/// terminal escape sequences are taken out.
fn assert_not_visible(token: &str, outputs: &[&str], context: &str) {
    for output in outputs {
        let visible = visible(output).to_ascii_lowercase();
        assert!(
            !visible.contains(&token.to_ascii_lowercase()),
            "{context}: the token shows on screen in:\n{output}"
        );
    }
}

fn visible(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // JSON `\u0007`, YAML `\x07`, `\a`, `\0`, `\e`, `\N`, `\_`, …
            '\\' => {
                let skip = match chars.next() {
                    Some('u') => 4,
                    Some('U') => 8,
                    Some('x') => 2,
                    _ => 0,
                };
                if skip > 0 {
                    chars.nth(skip - 1);
                }
            }
            '\u{1b}' => {
                if chars.peek() == Some(&'[') {
                    chars.next();
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                } else {
                    chars.next();
                }
            }
            c if c.is_control()
                || ('\u{200b}'..='\u{200f}').contains(&c)
                || ('\u{202a}'..='\u{202e}').contains(&c) => {}
            c => out.push(c),
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_connections_and_failing_commands_leak_nothing() {
    let refused = refused_url();
    let dir = tempfile::tempdir().unwrap();
    let token = "refused-canary-0123456789abcdef";
    for provider in PROVIDERS.iter() {
        let id = provider.id();
        for (source, expected_exit) in [
            (format!("\"{token}\""), 3),
            (format!("{{ command = \"echo {token}; exit 1\" }}"), 2),
            (format!("{{ command = \"echo {token} >&2; exit 1\" }}"), 2),
        ] {
            // Settings an account must have, as the provider's conformance case sets them.
            let case: Conformance =
                serde_json::from_slice(&fixture(id, "conformance.json")).unwrap();
            let settings: String = case
                .settings
                .iter()
                .map(|(k, v)| format!("{k} = \"{v}\"\n"))
                .collect();
            let cfg = config(
                dir.path(),
                &format!("[{id}]\nbase_url = \"{refused}\"\ntoken = {source}\n{settings}"),
            );
            for verbosity in VERBOSITY {
                let mut cmd = whoami(dir.path());
                cmd.arg("--config")
                    .arg(&cfg)
                    .args(["-p", id, "--retries", "0", "-o", "json"])
                    .args(*verbosity);
                let (code, out, err) = run_async(cmd).await;
                let context = format!("{id} / {source} / {verbosity:?}");
                assert_eq!(code, expected_exit, "{context}: {out}{err}");
                // The command's stderr is quoted on purpose (it explains the failure), so the
                // last case may show the token it printed there; stdout never is.
                let canaries: &[&str] = if source.contains(">&2") {
                    &[]
                } else {
                    &[token]
                };
                assert_no_secret(canaries, &[&out, &err], &context);
                assert!(
                    !err.contains("echo"),
                    "{context}: the command text is never shown: {err}"
                );
            }
        }
    }
}
