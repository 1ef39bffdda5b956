//! Trust problems, through the binary: credentials that leak through config errors, headers,
//! JSON keys, invisible characters, encodings and other accounts' answers; verdicts that a
//! proxy page, an empty credential or a missing expiry must not fake; output that cannot be
//! written; resources (file descriptors) that many hosts must not exhaust; and files that must
//! stay private. Every server is on 127.0.0.1.

mod common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use serde_json::Value;
use wiremock::matchers::{any, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "trust-canary-0123456789abcdef";
/// Mixed case, so that an echo lower-cased by a URL parser differs from the credential.
const MIXED: &str = "Trust-Canary-0123456789ABCDEF";
const BIN: &str = env!("CARGO_BIN_EXE_whoami");
const PROFILE: &str = r#"{"id": 42, "name": "Ada", "email": "ada@example.org"}"#;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn chatwoot(dir: &Path, base: &str, token: &str) -> PathBuf {
    config(
        dir,
        &format!("[chatwoot]\nbase_url = \"{base}\"\ntoken = \"{token}\"\n"),
    )
}

/// A server answering every request with `response`.
async fn serve(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

/// `whoami --config CFG --retries 0 ARGS…`, killed after 60 s so that a hang fails the test.
fn check(dir: &Path, cfg: &Path, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = whoami(dir);
    cmd.arg("--config")
        .arg(cfg)
        .args(["--retries", "0"])
        .args(args)
        .timeout(Duration::from_secs(60));
    cmd
}

/// `whoami config check` on `text`: (exit code, stdout, stderr).
fn config_check(text: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), text);
    run(whoami(dir.path())
        .arg("--config")
        .arg(&cfg)
        .args(["config", "check"]))
}

/// `sh -c SCRIPT whoami ARGS…` with the hermetic environment of [`whoami`]: the script ends
/// with `exec "$0" "$@"` (or names its arguments itself).
fn sh(dir: &Path, script: &str, args: &[&OsStr]) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new("sh");
    cmd.env_clear()
        .envs(hermetic_env(dir))
        .current_dir(dir)
        .arg("-c")
        .arg(script)
        .arg(BIN)
        .args(args)
        .timeout(Duration::from_secs(120));
    cmd
}

/// The binary as a plain `std::process::Command` (for stdout redirections), hermetic.
fn plain(dir: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(BIN);
    cmd.env_clear().envs(hermetic_env(dir)).current_dir(dir);
    cmd
}

/// Characters a reader does not see: controls (C0, DEL, C1), zero-width, joiner,
/// bidirectional and byte-order marks, and the other default-ignorable code points a terminal
/// draws as nothing (tags, variation selectors, deprecated format characters).
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{34f}'
                | '\u{61c}'
                | '\u{17b4}'..='\u{17b5}'
                | '\u{180b}'..='\u{180f}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{feff}'
                | '\u{fff0}'..='\u{fffb}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0000}'..='\u{e0fff}'
        )
}

/// `text` as a terminal shows it: CSI sequences (`ESC[0m`) and invisible characters removed.
fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let csi = match c {
            '\u{1b}' if chars.peek() == Some(&'[') => {
                chars.next();
                true
            }
            '\u{9b}' => true,
            _ => false,
        };
        if csi {
            for c in chars.by_ref() {
                if ('\u{40}'..='\u{7e}').contains(&c) {
                    break;
                }
            }
        } else if !invisible(c) {
            out.push(c);
        }
    }
    out
}

/// `text` with percent-escapes (any hex case) and HTML character references decoded.
fn decoded(text: &str) -> String {
    let src = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(src.len());
    let mut i = 0;
    while i < src.len() {
        let hex = |b: Option<&u8>| b.and_then(|b| (*b as char).to_digit(16));
        if src[i] == b'%'
            && let (Some(hi), Some(lo)) = (hex(src.get(i + 1)), hex(src.get(i + 2)))
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        if src[i] == b'&'
            && let Some(end) = src[i..].iter().take(12).position(|b| *b == b';')
            && let Ok(body) = std::str::from_utf8(&src[i + 1..i + end])
        {
            let c = if let Some(h) = body.strip_prefix("#x").or(body.strip_prefix("#X")) {
                u32::from_str_radix(h, 16).ok().and_then(char::from_u32)
            } else if let Some(d) = body.strip_prefix('#') {
                d.parse().ok().and_then(char::from_u32)
            } else {
                match body {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "sol" => Some('/'),
                    "hyphen" | "dash" => Some('-'),
                    "plus" => Some('+'),
                    "equals" => Some('='),
                    "colon" => Some(':'),
                    "period" => Some('.'),
                    "lowbar" => Some('_'),
                    _ => None,
                }
            };
            if let Some(c) = c {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                i += end + 1;
                continue;
            }
        }
        out.push(src[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `text` with JSON and YAML backslash escapes (`\u0007`, `\a`, `\x85`, `\N`, `\e`, …) decoded,
/// as a program reading the document would see its strings.
fn unescaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push(c);
            break;
        };
        let hex = |chars: &mut std::str::Chars<'_>, n: usize| {
            let digits: String = chars.clone().take(n).collect();
            let code = u32::from_str_radix(&digits, 16).ok()?;
            (digits.len() == n).then(|| {
                for _ in 0..n {
                    chars.next();
                }
            })?;
            char::from_u32(code)
        };
        let decoded = match e {
            'x' => hex(&mut chars, 2),
            'u' => hex(&mut chars, 4),
            'U' => hex(&mut chars, 8),
            '0' => Some('\0'),
            'a' => Some('\u{7}'),
            'b' => Some('\u{8}'),
            'e' => Some('\u{1b}'),
            'f' => Some('\u{c}'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\u{b}'),
            'N' => Some('\u{85}'),
            '_' => Some('\u{a0}'),
            'L' => Some('\u{2028}'),
            'P' => Some('\u{2029}'),
            other => Some(other),
        };
        match decoded {
            Some(d) => out.push(d),
            None => {
                out.push(c);
                out.push(e);
            }
        }
    }
    out
}

fn strings(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::String(s) => into.push(s.clone()),
        Value::Number(n) => into.push(n.to_string()),
        Value::Array(items) => items.iter().for_each(|i| strings(i, into)),
        Value::Object(map) => {
            for (k, v) in map {
                into.push(k.clone());
                strings(v, into);
            }
        }
        Value::Bool(_) | Value::Null => {}
    }
}

/// Every way a reader or a program could see a credential in `output`: as printed, with
/// invisible characters and escape sequences removed, with percent-escapes and HTML references
/// decoded, with JSON/YAML escapes decoded, and (for JSON) in every parsed string and key.
fn views(output: &str) -> Vec<String> {
    let mut texts = vec![output.to_string(), unescaped(output)];
    if let Ok(value) = serde_json::from_str::<Value>(output) {
        strings(&value, &mut texts);
    }
    let mut views = Vec::new();
    for t in texts {
        views.push(visible(&decoded(&t)));
        views.push(decoded(&visible(&t)));
        views.push(visible(&t));
        views.push(t);
    }
    views
}

/// The first of `secrets` that some form of `outputs` shows (compared case-insensitively),
/// with the output and the view it can be read in.
fn readable<'a>(secrets: &[&'a str], outputs: &[&str]) -> Option<(&'a str, String, String)> {
    for output in outputs {
        let views = views(output);
        for secret in secrets {
            let needle = secret.to_lowercase();
            if let Some(view) = views.iter().find(|v| v.to_lowercase().contains(&needle)) {
                return Some((secret, output.to_string(), view.clone()));
            }
        }
    }
    None
}

/// Asserts that no form of any of `secrets` (compared case-insensitively) shows in `outputs`.
fn assert_hidden(secrets: &[&str], outputs: &[&str], context: &str) {
    if let Some((secret, output, view)) = readable(secrets, outputs) {
        panic!(
            "{context}: {secret:?} can be read in the output:\n{output}\n--- as seen ---\n{view}"
        );
    }
}

/// The list of results of an `--all` JSON run.
fn results(out: &str) -> Vec<Value> {
    match json(out) {
        Value::Array(items) => items,
        other => panic!("expected a JSON array:\n{other}"),
    }
}

// ---------------------------------------------------------------------------------------------
// 1. A config error never quotes the value that broke it
// ---------------------------------------------------------------------------------------------

#[test]
fn an_unquoted_token_is_named_by_file_line_and_key_but_never_shown() {
    let secret = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &format!("[chatwoot]\ntoken = {secret}\n"));
    for args in [
        &["-p", "chatwoot"][..],
        &["-p", "chatwoot", "-o", "json"],
        &["config", "check"],
        &["accounts"],
    ] {
        let (code, out, err) = run(whoami(dir.path()).arg("--config").arg(&cfg).args(args));
        let context = format!("{args:?}");
        assert_eq!(code, 2, "{context}: {out}{err}");
        assert!(
            err.contains(&cfg.display().to_string()),
            "{context}: names the file: {err}"
        );
        assert!(err.contains(":2:"), "{context}: names line 2: {err}");
        assert!(err.contains("token"), "{context}: names the key: {err}");
        let chars: Vec<char> = secret.chars().collect();
        for window in chars.windows(8) {
            let piece: String = window.iter().collect();
            assert!(
                !out.contains(&piece) && !err.contains(&piece),
                "{context}: {piece:?} of the token shown:\n{out}{err}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Headers: content type, header names, personal data in header values
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credential_in_a_content_type_is_not_quoted() {
    let server = serve(ResponseTemplate::new(200).set_body_raw(
        "this is not a profile",
        format!("text/plain; x={MIXED}").as_str(),
    ))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = chatwoot(dir.path(), &server.uri(), MIXED);
    for args in [
        &["-p", "chatwoot", "-o", "json"][..],
        &["-p", "chatwoot", "-o", "json", "--raw"],
        &["-p", "chatwoot"],
        &["-p", "chatwoot", "-vv"],
    ] {
        let (code, out, err) = run_async(check(dir.path(), &cfg, args)).await;
        let context = format!("{args:?}");
        assert_eq!(code, 3, "{context}: {out}{err}");
        assert_hidden(&[MIXED], &[&out, &err], &context);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logged_response_headers_hide_credentials_in_names_and_mask_phone_numbers() {
    let server = serve(
        ResponseTemplate::new(200)
            .set_body_raw(PROFILE, "application/json")
            .insert_header(format!("x-{MIXED}").as_str(), "1")
            .insert_header("x-phone-number", "+15555550142"),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = chatwoot(dir.path(), &server.uri(), MIXED);
    for verbosity in ["-vv", "-vvv"] {
        let (code, out, err) = run_async(check(
            dir.path(),
            &cfg,
            &["-p", "chatwoot", "-o", "json", verbosity],
        ))
        .await;
        assert_eq!(code, 0, "{verbosity}: {out}{err}");
        assert!(
            err.contains("x-phone-number"),
            "{verbosity}: response headers are logged:\n{err}"
        );
        assert_hidden(&[MIXED], &[&out, &err], verbosity);
        assert!(
            !err.contains("5555550142") && !out.contains("5555550142"),
            "{verbosity}: the phone number is masked:\n{err}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 3. A credential used as a JSON key
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credential_used_as_a_json_key_is_redacted() {
    let server = serve(ResponseTemplate::new(400).set_body_raw(
        format!(r#"{{"{TOKEN}": ["is invalid"]}}"#),
        "application/json",
    ))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = chatwoot(dir.path(), &server.uri(), TOKEN);
    for args in [
        &["-p", "chatwoot", "-o", "json", "--raw"][..],
        &["-p", "chatwoot", "-o", "yaml", "--raw"],
        &["-p", "chatwoot", "-o", "table"],
        &["-p", "chatwoot", "-o", "table", "--raw"],
    ] {
        let (code, out, err) = run_async(check(dir.path(), &cfg, args)).await;
        let context = format!("{args:?} (exit {code})");
        assert!(code != 0 && code != 2 && code != 101, "{context}: {err}");
        assert_hidden(&[TOKEN], &[&out, &err], &context);
        // The body is there with --raw, its key redacted, in every format that prints it.
        if args.contains(&"--raw") {
            assert!(out.contains("is invalid"), "{context}: {out}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Invisible characters inside an echoed credential
// ---------------------------------------------------------------------------------------------

/// Serves a 401 whose body echoes the token with `inserted` (a JSON escape) spliced into it,
/// and lists every run (of `formats`) in which the token can still be read.
async fn readable_through(insertions: &[(&str, &str)], formats: &[&[&str]]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let mut leaks = Vec::new();
    for (name, inserted) in insertions {
        let body = format!(
            r#"{{"error": "bad {}{inserted}{}"}}"#,
            &TOKEN[..6],
            &TOKEN[6..]
        );
        let server = serve(ResponseTemplate::new(401).set_body_raw(body, "application/json")).await;
        let cfg = chatwoot(dir.path(), &server.uri(), TOKEN);
        for args in formats {
            let (code, out, err) = run_async(check(dir.path(), &cfg, args)).await;
            let context = format!("{name} / {args:?} (exit {code})");
            assert_eq!(code, 1, "{context}: {out}{err}");
            if readable(&[TOKEN], &[&out, &err]).is_some() {
                let line = out
                    .lines()
                    .chain(err.lines())
                    .find(|l| l.contains(&TOKEN[..6]))
                    .unwrap_or_default()
                    .to_string();
                leaks.push(format!("{context}: {line:?}"));
            }
        }
    }
    leaks
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invisible_characters_inside_an_echo_do_not_hide_it_from_redaction() {
    // JSON escapes, written as such in the body.
    let insertions = [
        ("BEL", r"\u0007"),
        ("NUL", r"\u0000"),
        ("C1 NEL", r"\u0085"),
        ("ESC[0m", r"\u001b[0m"),
        ("zero-width space", r"\u200b"),
    ];
    let formats: &[&[&str]] = &[
        &["-p", "chatwoot", "-o", "json", "--raw"],
        &["-p", "chatwoot", "-o", "yaml", "--raw"],
        &["-p", "chatwoot", "-o", "table"],
    ];
    let leaks = readable_through(&insertions, formats).await;
    assert!(
        leaks.is_empty(),
        "the echo is readable:\n{}",
        leaks.join("\n")
    );
}

/// Beyond the brief's list: other characters a terminal draws as nothing (Unicode
/// default-ignorable code points) hide an echo just as well as a zero-width space does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_ignorable_characters_inside_an_echo_do_not_hide_it() {
    let insertions = [
        ("TAG LATIN CAPITAL LETTER A", r"\udb40\udc41"),
        ("CANCEL TAG", r"\udb40\udc7f"),
        ("INHIBIT SYMMETRIC SWAPPING", r"\u206a"),
        ("VARIATION SELECTOR-1", r"\ufe00"),
        ("MONGOLIAN FREE VARIATION SELECTOR ONE", r"\u180b"),
    ];
    let formats: &[&[&str]] = &[
        &["-p", "chatwoot", "-o", "json", "--raw"],
        &["-p", "chatwoot", "-o", "table"],
    ];
    let leaks = readable_through(&insertions, formats).await;
    assert!(
        leaks.is_empty(),
        "the echo is readable through these characters:\n{}",
        leaks.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// 5. Encodings: HTML references, percent-encoding, a lower-cased host
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encoded_and_case_changed_echoes_are_redacted() {
    let html = format!(
        "<html><body><p>Bearer &#84;{}</p><p>Trust&#x2D;Canary&#x2d;0123456789ABCDEF</p>\
         <p>Trust&#45;Canary&#45;0123456789ABCDEF</p></body></html>",
        &MIXED[1..]
    );
    let percent = "next=https%3a%2f%2fexample.org%2f%3ft%3d%54rust%2dC%61n%61ry%2d0123456789ABCDEF";
    let upper_host = format!("https://{}.example/", MIXED.to_uppercase());
    let cases = [
        (
            "401 html with character references",
            ResponseTemplate::new(401).set_body_raw(html, "text/html"),
        ),
        (
            "200 percent-encoded, lower-case hex, over-encoded",
            ResponseTemplate::new(200).set_body_raw(percent, "text/plain"),
        ),
        (
            "302 to an upper-case host",
            ResponseTemplate::new(302).insert_header("location", upper_host.as_str()),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, response) in cases {
        let server = serve(response).await;
        let cfg = chatwoot(dir.path(), &server.uri(), MIXED);
        for args in [
            &["-p", "chatwoot", "-o", "json", "--raw"][..],
            &["-p", "chatwoot", "-o", "json"],
            &["-p", "chatwoot", "-o", "table"],
            &["-p", "chatwoot", "-o", "yaml", "--raw", "-vvv"],
        ] {
            let (code, out, err) = run_async(check(dir.path(), &cfg, args)).await;
            let context = format!("{name} / {args:?} (exit {code})");
            assert!(code != 0 && code != 2 && code != 101, "{context}: {err}");
            assert_hidden(&[MIXED], &[&out, &err], &context);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 6. Another account's credential, echoed under --all
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_accounts_credential_is_redacted_too() {
    const A: &str = "account-a-canary-0123456789abcdef";
    const B: &str = "account-b-canary-fedcba9876543210";
    let server_a = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/profile"))
        .and(header("api_access_token", A))
        .respond_with(ResponseTemplate::new(200).set_body_raw(PROFILE, "application/json"))
        .mount(&server_a)
        .await;
    let b_answers = [
        (
            "401 echoing a's token",
            ResponseTemplate::new(401).set_body_raw(
                format!(r#"{{"errors": ["invalid token; did you mean {A}?"], "hint": "{A}"}}"#),
                "application/json",
            ),
        ),
        (
            "200 with a's token in string fields",
            ResponseTemplate::new(200).set_body_raw(
                format!(
                    r#"{{"id": 7, "name": "{A}", "email": "b@example.org", "message_signature": "sent with {A}", "custom_attributes": {{"note": "{A}"}}}}"#
                ),
                "application/json",
            ),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, answer) in b_answers {
        let server_b = serve(answer).await;
        let cfg = config(
            dir.path(),
            &format!(
                "[a]\nprovider = \"chatwoot\"\nbase_url = \"{}\"\ntoken = \"{A}\"\n\n\
                 [b]\nprovider = \"chatwoot\"\nbase_url = \"{}\"\ntoken = \"{B}\"\n",
                server_a.uri(),
                server_b.uri()
            ),
        );
        for args in [
            &["--all", "-o", "json", "--raw"][..],
            &["--all", "-o", "table"],
            &["--all", "-o", "table", "--raw"],
            &["--all", "-o", "json", "--raw", "-vvv"],
        ] {
            // Whole, and cut to a narrow terminal: a cut never leaves part of a credential.
            for columns in ["1000", "40"] {
                let mut cmd = check(dir.path(), &cfg, args);
                cmd.env("COLUMNS", columns);
                let (code, out, err) = run_async(cmd).await;
                let context = format!("{name} / {args:?} / COLUMNS={columns} (exit {code})");
                assert!(code != 2 && code != 101, "{context}: {err}");
                assert_hidden(&[A, B], &[&out, &err], &context);
                assert!(
                    !out.contains(&A[..12]) && !out.contains(&B[..12]),
                    "{context}: {out}"
                );
            }
        }
    }
}

/// A large answer is read on a thread of its own: the same redaction holds there, in every
/// format, with the credential echoed in a value, as a key and under a secret key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_answer_that_echoes_the_credential_is_redacted() {
    let padding: Vec<String> = (0..15000)
        .map(|i| format!(r#"{{"n": {i}, "x": "pad"}}"#))
        .collect();
    let body = format!(
        r#"{{"id": 7, "name": "{TOKEN}", "email": "ada@example.org", "{TOKEN}": "as a key",
            "access_token": "{TOKEN}", "custom_attributes": {{"note": "sent with {TOKEN}", "pad": [{}]}}}}"#,
        padding.join(", ")
    );
    assert!(body.len() > 256 * 1024, "read off the socket thread");
    let server = serve(ResponseTemplate::new(200).set_body_raw(body, "application/json")).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = chatwoot(dir.path(), &server.uri(), TOKEN);
    for args in [
        &["-p", "chatwoot", "-o", "json", "--raw"][..],
        &["-p", "chatwoot", "-o", "yaml", "--raw"],
        &["-p", "chatwoot", "-o", "table", "--raw"],
        &["--all", "-o", "table"],
        &["-p", "chatwoot", "-o", "json", "--raw", "-vvv"],
    ] {
        let (code, out, err) = run_async(check(dir.path(), &cfg, args)).await;
        let context = format!("{args:?} (exit {code})");
        assert_eq!(code, 0, "{context}: {err}");
        assert!(out.contains("ada@example.org"), "{context}: verified");
        assert_hidden(&[TOKEN], &[&out, &err], &context);
    }
}

/// A list over 4 MiB is kept as text and its items parsed a batch at a time
/// (`organizations_each`): the same hollowing and redaction hold for every item, in every
/// format, with the credential echoed in names, as a key and under secret keys. Every other
/// organization has no roles of its own and is handed on by the mapping as it came, with a
/// role, an escape left open and the credential split by an invisible mark; the output is
/// long enough to cross every piece the output is gathered and scrubbed in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_read_a_batch_at_a_time_keeps_every_secret() {
    const HIDDEN: &str = "item-secret-5f3c9a1e7b";
    let (head, tail) = TOKEN.split_at(6);
    let orgs: Vec<String> = (0..25_000)
        .map(|i| match i % 2 {
            0 => format!(
                r#"{{"id": {i}, "name": "o{i} {TOKEN}", "{TOKEN}": 1, "password": "{HIDDEN}",
                "invoice_settings": {{"national_id": "{HIDDEN}"}}, "current_user_roles": ["r\u001b[2J{TOKEN}"]}}"#
            ),
            _ => format!(
                r#"{{"id": {i}, "name": "o{i} {head}\u200b{tail}", "{TOKEN}": 1, "api_key": "{HIDDEN}",
                "role": "x\u001b]0;{TOKEN}", "invoice_settings": {{"national_id": "{HIDDEN}"}}}}"#
            ),
        })
        .collect();
    let body = format!(
        r#"{{"email": "ada@example.org", "organization_roles": {{}}, "organizations": [{}]}}"#,
        orgs.join(", ")
    );
    assert!(
        body.len() > 4 << 20 && body.len() < 8 << 20,
        "kept as text: {}",
        body.len()
    );
    let server = serve(ResponseTemplate::new(200).set_body_raw(body, "application/json")).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        &format!(
            "[hamravesh]\nbase_url = \"{}\"\ntoken = \"{TOKEN}\"\n",
            server.uri()
        ),
    );
    for args in [
        &["-p", "hamravesh", "-o", "json"][..],
        &["-p", "hamravesh", "-o", "json", "--raw"],
        &["-p", "hamravesh", "-o", "yaml"],
        &["-p", "hamravesh", "-o", "table"],
        &[
            "-p",
            "hamravesh",
            "--field",
            "profile.organizations.24999.name",
        ],
    ] {
        let (code, out, err) = run_async(check(dir.path(), &cfg, args)).await;
        let context = format!("{args:?} (exit {code})");
        assert_eq!(code, 0, "{context}: {err:.500}");
        assert!(out.contains("o24999"), "{context}: every organization");
        assert!(!out.contains('\u{1b}'), "{context}: no control character");
        assert_hidden(&[TOKEN, HIDDEN], &[&out, &err], &context);
    }
}

/// `whoami login` checks the token against a server that echoes it everywhere: the profile it
/// prints, its errors and the config it writes never show it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_against_an_echoing_server_shows_no_credential() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::header("api_access_token", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!(
                r#"{{"id": 1, "name": "{TOKEN}", "email": "ada@example.org", "{MIXED}": "k",
                "access_token": "{TOKEN}", "available_name": "x\u0000{TOKEN}"}}"#
            ),
            "application/json",
        ))
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(401).set_body_raw(
            format!(r#"{{"error": "Invalid token {MIXED}"}}"#),
            "application/json",
        ))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    let url = server.uri();
    for (token, code) in [(MIXED, 1), (TOKEN, 0)] {
        let mut cmd = whoami(dir.path());
        cmd.arg("--config")
            .arg(&cfg)
            .args(["login", "-p", "chatwoot", "--base-url", &url])
            .args(["--with-token", "--insecure-storage"])
            .write_stdin(format!("{token}\n"))
            .timeout(Duration::from_secs(60));
        let (got, out, err) = run_async(cmd).await;
        let context = format!("login with {token:.5}… (exit {got})");
        assert_eq!(got, code, "{context}: {err}");
        let written = std::fs::read_to_string(&cfg).unwrap_or_default();
        assert_hidden(&[TOKEN, MIXED], &[&out, &err, &written], &context);
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("tokens/chatwoot")).unwrap(),
        TOKEN,
        "only the file login writes holds it"
    );
}

// ---------------------------------------------------------------------------------------------
// 7. A numeric credential echoed as a JSON number
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_numeric_credential_echoed_as_a_number_is_redacted() {
    const PIN: &str = "98765432";
    let dir = tempfile::tempdir().unwrap();
    for body in [
        r#"{"id": 1, "name": "Ada", "email": "ada@example.org", "pin": 98765432}"#,
        r#"{"id": 98765432, "name": "Ada", "email": "ada@example.org"}"#,
    ] {
        let server = serve(ResponseTemplate::new(200).set_body_raw(body, "application/json")).await;
        let cfg = chatwoot(dir.path(), &server.uri(), PIN);
        for args in [
            &["-p", "chatwoot", "-o", "json", "--raw"][..],
            &["-p", "chatwoot", "-o", "yaml", "--raw"],
            &["-p", "chatwoot", "-o", "table", "--raw"],
        ] {
            let (code, out, err) = run_async(check(dir.path(), &cfg, args)).await;
            let context = format!("{body} / {args:?} (exit {code})");
            assert!(code != 2 && code != 101, "{context}: {err}");
            assert!(
                !out.contains(PIN) && !err.contains(PIN),
                "{context}: the numeric credential is shown:\n{out}{err}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 8. --expect with a credential as the expected value
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expectation_naming_the_credential_does_not_print_it() {
    let server = serve(ResponseTemplate::new(200).set_body_raw(PROFILE, "application/json")).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = chatwoot(dir.path(), &server.uri(), TOKEN);
    let expect = format!("profile.email={TOKEN}");
    for format in ["json", "table", "yaml", "junit"] {
        let (code, out, err) = run_async(check(
            dir.path(),
            &cfg,
            &["-p", "chatwoot", "--expect", &expect, "-o", format],
        ))
        .await;
        assert_eq!(code, 1, "{format}: rejected: {out}{err}");
        assert_hidden(&[TOKEN], &[&out, &err], format);
    }
}

// ---------------------------------------------------------------------------------------------
// 9. Secret-named keys in every spelling, personal data in camelCase
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_keys_in_any_spelling_are_redacted_and_personal_data_masked() {
    let canaries = [
        ("apiKey", "canary-apikey-camel-0123456789"),
        ("api-key", "canary-api-dash-key-0123456789"),
        ("privateKey", "canary-private-key-0123456789"),
        ("client_secret", "canary-client-secret-0123456789"),
        ("clientSecret", "canary-clientsecret-camel-0123456789"),
    ];
    let mut body = serde_json::json!({
        "id": 42,
        "name": "Ada",
        "email": "ada@example.org",
        "nationalId": "1234567890",
        "phoneNumber": "+15555550142",
    });
    for (key, value) in canaries {
        body[key] = Value::String(value.into());
    }
    let server = serve(ResponseTemplate::new(200).set_body_json(body)).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = chatwoot(dir.path(), &server.uri(), TOKEN);
    let (code, out, err) = run_async(check(
        dir.path(),
        &cfg,
        &["-p", "chatwoot", "--raw", "-o", "json"],
    ))
    .await;
    assert_eq!(code, 0, "{out}{err}");
    let secrets: Vec<&str> = canaries.iter().map(|(_, v)| *v).collect();
    assert_hidden(&secrets, &[&out, &err], "--raw -o json");
    for (shown, masked) in [("1234567890", "••••7890"), ("5555550142", "••••0142")]
    {
        assert!(!out.contains(shown), "{shown} is masked:\n{out}");
        assert!(out.contains(masked), "{masked} expected:\n{out}");
    }
    let result = json(&out);
    assert_eq!(result["raw"]["nationalId"], "••••7890", "{out}");
    assert_eq!(result["raw"]["phoneNumber"], "••••0142", "{out}");
}

// ---------------------------------------------------------------------------------------------
// 10. An empty credential variable fails loudly
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_credential_variable_fails_loudly_and_the_account_does_not_vanish() {
    let dir = tempfile::tempdir().unwrap();
    let refused = refused_url();

    let mut cmd = whoami(dir.path());
    cmd.env("WHOAMI_ZITADEL_TOKEN", "")
        .env("WHOAMI_ZITADEL_BASE_URL", &refused)
        .args(["-p", "zitadel", "--retries", "0"]);
    let (code, out, err) = run_async(cmd).await;
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("WHOAMI_ZITADEL_TOKEN"), "{err}");
    assert!(err.contains("set but empty"), "{err}");

    // A CI test reporter gets a document saying why.
    let mut cmd = whoami(dir.path());
    cmd.env("WHOAMI_ZITADEL_TOKEN", "")
        .env("WHOAMI_ZITADEL_BASE_URL", &refused)
        .args(["-p", "zitadel", "--retries", "0", "-o", "junit"]);
    let (code, out, err) = run_async(cmd).await;
    assert_eq!(code, 2, "{out}{err}");
    let doc =
        roxmltree::Document::parse(&out).unwrap_or_else(|e| panic!("not XML ({e}):\n{out}\n{err}"));
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 1, "{out}");
    let problem = cases[0]
        .children()
        .find(|n| n.has_tag_name("error") || n.has_tag_name("failure"))
        .unwrap_or_else(|| panic!("no error or failure in the test case:\n{out}"));
    let message = problem.attribute("message").unwrap_or_default();
    assert!(
        message.contains("WHOAMI_ZITADEL_TOKEN"),
        "the message names the variable: {message:?}\n{out}"
    );

    // Under --all, the empty account is an error, not one fewer account.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/profile"))
        .and(header("api_access_token", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_raw(PROFILE, "application/json"))
        .mount(&server)
        .await;
    let mut cmd = whoami(dir.path());
    cmd.env("WHOAMI_CHATWOOT_TOKEN", TOKEN)
        .env("WHOAMI_CHATWOOT_BASE_URL", server.uri())
        .env("WHOAMI_VAIZ_TOKEN", "")
        .args(["--all", "--retries", "0", "-o", "json"]);
    let (code, out, err) = run_async(cmd).await;
    assert_eq!(code, 2, "an empty credential is not a pass: {out}{err}");
    assert!(err.contains("WHOAMI_VAIZ_TOKEN"), "{err}");
    assert_no_secret(&[TOKEN], &[&out, &err], "--all");
}

// ---------------------------------------------------------------------------------------------
// 11. A proxy's or firewall's page is not a verdict
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_firewall_page_is_could_not_tell_not_rejected() {
    let page = "<html><body>Access denied by firewall</body></html>";
    let server = MockServer::start().await;
    for status in [401u16, 403] {
        Mock::given(path(format!("/fw{status}/api/v1/profile")))
            .respond_with(ResponseTemplate::new(status).set_body_raw(page, "text/html"))
            .mount(&server)
            .await;
    }
    Mock::given(path("/json/api/v1/profile"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_raw(r#"{"error": "Invalid Access Token"}"#, "application/json"),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    for status in [401, 403] {
        let cfg = chatwoot(dir.path(), &format!("{}/fw{status}", server.uri()), TOKEN);
        let (code, out, err) =
            run_async(check(dir.path(), &cfg, &["-p", "chatwoot", "-o", "json"])).await;
        assert_eq!(code, 3, "{status}: {out}{err}");
        let result = json(&out);
        assert_eq!(result["status"], "error", "{out}");
        assert_eq!(result["error"]["kind"], "unexpected_response", "{out}");
        let message = result["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("proxy"),
            "{status}: the message explains a proxy may be in the way: {message}"
        );
    }
    let cfg = chatwoot(dir.path(), &format!("{}/json", server.uri()), TOKEN);
    let (code, out, err) =
        run_async(check(dir.path(), &cfg, &["-p", "chatwoot", "-o", "json"])).await;
    assert_eq!(code, 1, "a JSON 401 is still a rejection: {out}{err}");
    assert_eq!(json(&out)["status"], "rejected");
}

// ---------------------------------------------------------------------------------------------
// 12. ZITADEL's user API v2 shape
// ---------------------------------------------------------------------------------------------

#[test]
fn zitadel_v2_users_are_profiles_and_a_user_without_id_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let v2 = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/zitadel/v2-user.json");
    let (code, out, err) = run(whoami(dir.path())
        .args(["-p", "zitadel", "-o", "json", "--input"])
        .arg(&v2));
    assert_eq!(code, 0, "{out}{err}");
    let result = json(&out);
    assert_eq!(result["status"], "ok", "{out}");
    assert_eq!(result["profile"]["id"], "284739201847369999", "{out}");
    assert_eq!(result["profile"]["email_verified"], true, "{out}");

    let no_id = dir.path().join("no-id.json");
    std::fs::write(&no_id, r#"{"user": {"username": "x"}}"#).unwrap();
    let (code, out, err) = run(whoami(dir.path())
        .args(["-p", "zitadel", "-o", "json", "--input"])
        .arg(&no_id));
    assert_eq!(code, 3, "{out}{err}");
    let result = json(&out);
    assert_eq!(result["status"], "error", "{out}");
    assert_eq!(result["error"]["kind"], "unexpected_response", "{out}");
}

// ---------------------------------------------------------------------------------------------
// 13. --min-validity on a credential whose expiry cannot be known
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn min_validity_on_an_opaque_credential_says_expiry_unknown() {
    let server = serve(ResponseTemplate::new(200).set_body_raw(PROFILE, "application/json")).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = chatwoot(dir.path(), &server.uri(), TOKEN);
    let (code, out, err) = run_async(check(
        dir.path(),
        &cfg,
        &["-p", "chatwoot", "--min-validity", "7d", "-o", "json"],
    ))
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        err.matches("expiry unknown").count(),
        1,
        "one warning for the account:\n{err}"
    );
    assert!(err.contains("chatwoot"), "names the account:\n{err}");
    let result = json(&out);
    assert_eq!(
        at(&result, "credential.expires_at"),
        Some(&Value::Null),
        "{out}"
    );
    assert_eq!(
        at(&result, "credential.expiry").and_then(Value::as_str),
        Some("unknown"),
        "{out}"
    );
}

// ---------------------------------------------------------------------------------------------
// 14. Many hosts and many credential commands with few file descriptors
// ---------------------------------------------------------------------------------------------

/// A keep-alive HTTP/1.1 server on a fresh loopback port answering every request with a
/// Chatwoot profile.
async fn tiny_server() -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                     connection: keep-alive\r\n\r\n{PROFILE}",
                    PROFILE.len()
                );
                let mut pending: Vec<u8> = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => pending.extend_from_slice(&chunk[..n]),
                    }
                    while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                        pending.drain(..end + 4);
                        if socket.write_all(response.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_hosts_fit_in_128_file_descriptors() {
    let mut text = String::new();
    for i in 0..300 {
        let port = tiny_server().await;
        text += &format!(
            "[cw{i:03}]\nprovider = \"chatwoot\"\nbase_url = \"http://127.0.0.1:{port}\"\n\
             token = \"tok-{i:04}-0123456789abcdef\"\n\n"
        );
    }
    let (code, out, err) = all_with_few_descriptors(&text, 128, "8", "10s").await;
    assert_eq!(code, 0, "{err}");
    let list = results(&out);
    assert_eq!(list.len(), 300);
    for r in &list {
        assert_eq!(r["status"], "ok", "{r}");
    }
}

/// `whoami --all -o json` over the config `text` with at most `limit` open file descriptors;
/// fails the test if it ran out of them.
async fn all_with_few_descriptors(
    text: &str,
    limit: u32,
    jobs: &str,
    timeout: &str,
) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), text);
    let script = format!(r#"ulimit -n {limit} || exit 99; exec "$0" "$@""#);
    let args = [
        "--all",
        "-o",
        "json",
        "--jobs",
        jobs,
        "--retries",
        "0",
        "--timeout",
        timeout,
    ];
    let mut all: Vec<&OsStr> = vec![OsStr::new("--config"), cfg.as_os_str()];
    all.extend(args.iter().map(OsStr::new));
    let (code, out, err) = run_async(sh(dir.path(), &script, &all)).await;
    assert!(
        !out.contains("Too many open files") && !err.contains("Too many open files"),
        "ran out of file descriptors:\n{err}\n{out}"
    );
    (code, out, err)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_credential_commands_run_at_most_jobs_at_a_time() {
    let refused = refused_url();
    let mut text = String::new();
    for i in 0..60 {
        text += &format!(
            "[cw{i:02}]\nprovider = \"chatwoot\"\nbase_url = \"{refused}\"\n\
             token = {{ command = \"sleep 0.1; echo tok-{i:04}-0123456789abcdef\" }}\n\n"
        );
    }
    let (code, out, err) = all_with_few_descriptors(&text, 48, "4", "5s").await;
    assert_eq!(code, 3, "every command ran, nothing could connect:\n{err}");
    let list = results(&out);
    assert_eq!(list.len(), 60);
    for r in &list {
        assert_eq!(r["error"]["kind"], "connect", "{r}");
    }
}

// ---------------------------------------------------------------------------------------------
// 15. Output that cannot be written
// ---------------------------------------------------------------------------------------------

#[test]
fn a_full_disk_is_exit_4_with_one_error_line() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&[][..], &["completions", "bash"], &["providers"]] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = plain(dir.path())
            .args(args)
            .stdout(full)
            .output()
            .expect("whoami runs");
        let code = out.status.code().unwrap_or(-1);
        let err = String::from_utf8_lossy(&out.stderr);
        let context = format!("{args:?} (exit {code})");
        assert!(!err.contains("panicked"), "{context}: {err}");
        assert_ne!(code, 101, "{context}: {err}");
        assert_eq!(code, 4, "{context}: {err}");
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "{context}: exactly one line:\n{err}");
        assert!(lines[0].starts_with("whoami: error:"), "{context}: {err}");
    }
}

/// Beyond the brief's list: help and version text are output too (exit code 4 is "the output
/// could not be written"); coreutils' `whoami --help >/dev/full` fails the same way.
#[test]
fn help_and_version_on_a_full_disk_are_exit_4() {
    let dir = tempfile::tempdir().unwrap();
    let mut wrong = Vec::new();
    for args in [&["--help"][..], &["--version"], &["help"]] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = plain(dir.path())
            .args(args)
            .stdout(full)
            .output()
            .expect("whoami runs");
        let code = out.status.code().unwrap_or(-1);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!err.contains("panicked") && code != 101, "{args:?}: {err}");
        let lines: Vec<&str> = err.lines().collect();
        if code != 4 || lines.len() != 1 || !lines[0].starts_with("whoami: error:") {
            wrong.push(format!("{args:?}: exit {code}, stderr {err:?}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "lost output reported as success:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/chatwoot/profile.json");
    let runs: [Vec<&OsStr>; 3] = [
        vec![OsStr::new("providers")],
        vec![
            OsStr::new("-p"),
            OsStr::new("chatwoot"),
            OsStr::new("--input"),
            fixture.as_os_str(),
        ],
        vec![
            OsStr::new("-p"),
            OsStr::new("chatwoot"),
            OsStr::new("-o"),
            OsStr::new("json"),
            OsStr::new("--input"),
            fixture.as_os_str(),
        ],
    ];
    for args in runs {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = plain(dir.path())
            .args(&args)
            .stdout(writer)
            .output()
            .expect("whoami runs");
        let code = out.status.code().unwrap_or(-1);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: nothing on stderr:\n{err}");
    }
}

// ---------------------------------------------------------------------------------------------
// 16. Bidirectional and zero-width characters from a provider
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bidirectional_and_zero_width_marks_never_reach_the_terminal() {
    let body = serde_json::json!({
        "id": 42,
        "name": "evil\u{202e}txt.exe\u{2066}x\u{200b}y",
        "email": "ada\u{200f}@example.org\u{202a}",
        "message_signature": "sig\u{2069}\u{200d}",
    });
    let server = serve(ResponseTemplate::new(200).set_body_json(body)).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = chatwoot(dir.path(), &server.uri(), TOKEN);
    for args in [
        &["-p", "chatwoot"][..],
        &["-p", "chatwoot", "-o", "table", "--raw"],
        // JSON escapes them (`\u202e`): the same string for a program.
        &["-p", "chatwoot", "-o", "json", "--raw"],
    ] {
        let (code, out, err) = run_async(check(dir.path(), &cfg, args)).await;
        assert_eq!(code, 0, "{args:?}: {out}{err}");
        assert!(
            out.contains("txt.exe"),
            "{args:?}: the name is shown:\n{out}"
        );
        let marks: Vec<char> = out
            .chars()
            .filter(|c| {
                matches!(
                    c,
                    '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200b}'..='\u{200f}'
                )
            })
            .collect();
        assert!(
            marks.is_empty(),
            "{args:?}: invisible marks {marks:?} in:\n{out}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 17. Loopback never goes through a proxy
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_is_never_proxied() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/profile"))
        .and(header("api_access_token", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_raw(PROFILE, "application/json"))
        .mount(&server)
        .await;
    let proxy = refused_url();
    let dir = tempfile::tempdir().unwrap();
    let cfg = chatwoot(dir.path(), &server.uri(), TOKEN);
    let mut cmd = check(
        dir.path(),
        &cfg,
        &["-p", "chatwoot", "-o", "json", "--timeout", "5s"],
    );
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env(var, &proxy);
    }
    let (code, out, err) = run_async(cmd).await;
    assert_eq!(code, 0, "{out}{err}");
    let received = server.received_requests().await.unwrap_or_default();
    assert_eq!(received.len(), 1, "the mock itself answered");
}

// ---------------------------------------------------------------------------------------------
// 18. Zero timeouts and statuses that can never mean "rejected"
// ---------------------------------------------------------------------------------------------

#[test]
fn zero_timeouts_and_non_verdict_reject_statuses_are_config_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = chatwoot(dir.path(), &refused_url(), TOKEN);
    let (code, out, err) = run(whoami(dir.path()).arg("--config").arg(&cfg).args([
        "-p",
        "chatwoot",
        "--retries",
        "0",
        "--timeout",
        "0s",
    ]));
    assert_eq!(code, 2, "--timeout 0s: {out}{err}");
    assert!(err.contains("timeout"), "{err}");

    let (code, out, err) = config_check(&format!(
        "[chatwoot]\nbase_url = \"https://chat.example.org\"\ntoken = \"{TOKEN}\"\ntimeout = \"0s\"\n"
    ));
    assert_eq!(code, 2, "timeout = \"0s\": {out}{err}");
    assert!(err.contains("timeout"), "{err}");

    let (code, out, err) = config_check(&format!(
        "[x]\nprovider = \"custom\"\nurl = \"https://api.example.org/user\"\n\
         auth = {{ header = \"Authorization\", scheme = \"Bearer\" }}\ntoken = \"{TOKEN}\"\n\
         [x.map]\nid = \"/id\"\n[x.reject]\nstatus = [408]\n"
    ));
    assert_eq!(code, 2, "reject.status = [408]: {out}{err}");
    assert!(err.contains("408"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// 19. A base URL with a query or a fragment
// ---------------------------------------------------------------------------------------------

#[test]
fn a_base_url_with_a_query_or_fragment_is_a_config_error() {
    for base in [
        "https://chat.example.org/#",
        "https://chat.example.org/?x=1",
    ] {
        let (code, out, err) = config_check(&format!(
            "[chatwoot]\nbase_url = \"{base}\"\ntoken = \"{TOKEN}\"\n"
        ));
        assert_eq!(code, 2, "{base}: {out}{err}");
        assert!(err.contains("base_url"), "{base}: {err}");
    }
}

// ---------------------------------------------------------------------------------------------
// 20. A config path that is not UTF-8
// ---------------------------------------------------------------------------------------------

#[test]
fn a_non_utf8_config_path_is_still_read() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(OsStr::from_bytes(b"conf-\xff-broken.toml"));
    std::fs::write(&file, "[nope]\n").unwrap();
    let (code, out, err) = run(whoami(dir.path())
        .env("WHOAMI_CONFIG", &file)
        .args(["config", "check"]));
    assert_eq!(code, 2, "the broken file was read: {out}{err}");
    assert!(
        err.contains("-broken.toml"),
        "the error is about that file:\n{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// 21. init creates private directories whatever the umask
// ---------------------------------------------------------------------------------------------

#[test]
fn init_creates_a_private_directory_and_file_under_umask_000() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let xdg = dir.path().join("fresh/nested/xdg");
    let mut cmd = sh(dir.path(), r#"umask 000; exec "$0" init"#, &[]);
    cmd.env("XDG_CONFIG_HOME", &xdg);
    let (code, out, err) = run(&mut cmd);
    assert_eq!(code, 0, "{out}{err}");
    let whoami_dir = xdg.join("whoami");
    let file = whoami_dir.join("config.toml");
    let dir_mode = std::fs::metadata(&whoami_dir).unwrap().permissions().mode() & 0o777;
    let file_mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(dir_mode, 0o700, "directory mode {dir_mode:o}");
    assert_eq!(file_mode, 0o600, "file mode {file_mode:o}");
}

// ---------------------------------------------------------------------------------------------
// 22. A config that runs commands and that others can write
// ---------------------------------------------------------------------------------------------

#[test]
fn a_writable_config_running_commands_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    for mode in [0o666, 0o620] {
        let dir = tempfile::tempdir().unwrap();
        let cfg = config(
            dir.path(),
            &format!(
                "[chatwoot]\nbase_url = \"{}\"\ntoken = {{ command = \"echo tok-0123456789abcdef\" }}\n",
                refused_url()
            ),
        );
        std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(mode)).unwrap();
        let (code, out, err) = run(&mut check(
            dir.path(),
            &cfg,
            &["-p", "chatwoot", "-o", "json", "--timeout", "2s"],
        ));
        assert_eq!(code, 3, "{mode:o}: {out}{err}");
        assert!(
            err.contains("runs credential commands and is writable by group or others"),
            "{mode:o}: {err}"
        );
        assert!(
            err.contains(&cfg.display().to_string()),
            "{mode:o}: names the file: {err}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 23. Account names that share their environment variables
// ---------------------------------------------------------------------------------------------

#[test]
fn accounts_sharing_environment_variables_are_a_config_error() {
    let (code, out, err) = config_check(
        "[a-b]\nprovider = \"vaiz\"\ntoken = \"vaiz-canary-0123456789abcdef\"\n\n\
         [a_b]\nprovider = \"vaiz\"\ntoken = \"vaiz-canary-fedcba9876543210\"\n",
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.lines().any(|l| l.contains("a-b") && l.contains("a_b")),
        "one error names both accounts:\n{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// Found in review
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inline_credential_with_spaces_around_it_is_trimmed_and_redacted() {
    // An HTTP server drops the spaces around a header value and echoes the bare token.
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::header("api_access_token", TOKEN))
        .respond_with(ResponseTemplate::new(401).set_body_raw(
            format!(r#"{{"error": "invalid token: {TOKEN}"}}"#),
            "application/json",
        ))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = chatwoot(dir.path(), &server.uri(), &format!("  {TOKEN}\t "));
    let (code, out, err) =
        run_async(check(dir.path(), &cfg, &["-p", "chatwoot", "-o", "json"])).await;
    assert_eq!(code, 1, "the trimmed token was sent: {out}{err}");
    assert_hidden(&[TOKEN], &[&out, &err], "inline with spaces");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_rejection_labelled_html_is_still_a_rejection_and_redacted() {
    let body = r#"{"error": "Invalid Access Token", "pubsub_token": "PUBSUB-SECRET-123", "recovery_codes": ["RC-1111-2222"]}"#;
    let server = serve(ResponseTemplate::new(401).set_body_raw(body, "text/html")).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = chatwoot(dir.path(), &server.uri(), TOKEN);
    for format in ["json", "table"] {
        let (code, out, err) = run_async(check(
            dir.path(),
            &cfg,
            &["-p", "chatwoot", "--raw", "-o", format],
        ))
        .await;
        assert_eq!(
            code, 1,
            "{format}: a JSON body is the provider's: {out}{err}"
        );
        assert_hidden(
            &["PUBSUB-SECRET-123", "RC-1111-2222"],
            &[&out, &err],
            format,
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expectations_never_echo_a_credential_with_quotes_or_backslashes() {
    let token = r#"Tok"Canary\0123456789abcdefXY"#;
    let server = serve(ResponseTemplate::new(200).set_body_raw(PROFILE, "application/json")).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        &format!(
            "[chatwoot]\nbase_url = \"{}\"\ntoken = '{token}'\n",
            server.uri()
        ),
    );
    let expect = format!("profile.display_name={token}");
    for format in ["json", "table"] {
        let (code, out, err) = run_async(check(
            dir.path(),
            &cfg,
            &["-p", "chatwoot", "--expect", &expect, "-o", format],
        ))
        .await;
        assert_eq!(code, 1, "{format}: {out}{err}");
        let escaped = serde_json::to_string(token).unwrap();
        for shown in [token, escaped.trim_matches('"'), "0123456789abcdef"] {
            assert!(
                !out.contains(shown) && !err.contains(shown),
                "{format}: {shown} in {out}{err}"
            );
        }
    }
    // A forgotten `PATH=` leaves only the value: the usage error does not repeat it.
    for bad in [TOKEN.to_string(), format!("profile.bogus={TOKEN}")] {
        let (code, out, err) = run(whoami(dir.path()).args(["-p", "chatwoot", "--expect", &bad]));
        assert_eq!(code, 2, "{out}{err}");
        assert!(err.contains("--expect"), "{err}");
        assert_hidden(&[TOKEN], &[&out, &err], &bad);
    }
}

#[test]
fn a_base64_credential_on_its_own_line_is_not_quoted_as_a_key() {
    let pasted = "dGhpc2lzYXNlY3JldHRva2VudmFsdWUxMjM0NTY3OA==";
    for text in [
        format!("[chatwoot]\n{pasted}\n"),
        format!("[chatwoot]\ntoken.{pasted} = 1\n"),
        format!("[{pasted}]\ntoken = \"x\"\n"),
        format!("{pasted} = 1\n"),
    ] {
        let (code, out, err) = config_check(&text);
        assert_eq!(code, 2, "{text}: {out}{err}");
        assert!(
            !out.contains("dGhpc2lz") && !err.contains("dGhpc2lz"),
            "{text}: {err}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_line_of_escaped_characters_is_written_in_linear_time() {
    // serde_json writes each escaped character on its own; the output scrubber must not search
    // the whole pending line again for each (a hostile body would stall the run for hours).
    let name: String = "\u{1}".repeat(400_000);
    let body = serde_json::json!({"id": 1, "name": name});
    let server = serve(ResponseTemplate::new(200).set_body_json(body)).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = chatwoot(dir.path(), &server.uri(), TOKEN);
    let (code, out, err) = run_async(check(
        dir.path(),
        &cfg,
        &["-p", "chatwoot", "-o", "json", "--raw"],
    ))
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\\u0001"), "escaped as JSON");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_escapes_in_a_body_that_is_not_json_do_not_hide_the_credential() {
    // PHP's json_encode writes every `/` as `\/`; a truncated or JSONP body is quoted as text.
    let token = "abcd/efgh+ijkl/mnop==";
    let escaped = token.replace('/', "\\/");
    for body in [
        format!(r#"callback({{"error": "bad token {escaped}"}})"#),
        format!(r#"{{"error": "bad token {escaped}", "#),
    ] {
        let server =
            serve(ResponseTemplate::new(401).set_body_raw(body.clone(), "text/plain")).await;
        let dir = tempfile::tempdir().unwrap();
        let cfg = chatwoot(dir.path(), &server.uri(), token);
        for format in ["json", "table"] {
            let (code, out, err) = run_async(check(
                dir.path(),
                &cfg,
                &["-p", "chatwoot", "--raw", "-o", format],
            ))
            .await;
            assert_eq!(code, 1, "{body}: {out}{err}");
            for shown in ["ijkl", "efgh"] {
                assert!(
                    !out.contains(shown) && !err.contains(shown),
                    "{body} / {format}:\n{out}{err}"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_byte_order_mark_before_a_json_profile_is_still_a_profile() {
    let body = format!("\u{feff}{PROFILE}");
    let server = serve(ResponseTemplate::new(200).set_body_raw(body, "application/json")).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = chatwoot(dir.path(), &server.uri(), TOKEN);
    let (code, out, err) =
        run_async(check(dir.path(), &cfg, &["-p", "chatwoot", "-o", "json"])).await;
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(json(&out)["profile"]["id"], "42");
}

/// `--raw` is kept as redacted text and every output writes it from that text (JSON, YAML, a
/// table, `--field raw.…`, `--expect`, `--jq`): the credential echoed as a repeated key, in
/// another case, split by an invisible character, spelled in JSON escapes and nested deep, a
/// secret-named key's value and a phone number stay out of every one, and no control
/// character from the provider reaches the table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_raw_answer_written_from_text_keeps_every_secret() {
    const HIDDEN: &str = "raw-secret-8d2e41c0";
    const PHONE: &str = "09121234567";
    let (head, tail) = TOKEN.split_at(6);
    let escaped: String = TOKEN
        .chars()
        .map(|c| format!("\\u{:04x}", c as u32))
        .collect();
    let body = format!(
        r#"{{"id": 42, "name": "Ada", "email": "ada@example.org",
        "{TOKEN}": 1, "{TOKEN}": 2, "{MIXED}": 3,
        "note": "a {head}\u200b{tail} b \u001b[2J c", "escaped": "{escaped}",
        "api_key": "{HIDDEN}", "nested": [{{"password": ["{HIDDEN}"]}}],
        "mobile": "{PHONE}", "list": [[["x {TOKEN} y"]]]}}"#
    );
    let server = serve(ResponseTemplate::new(200).set_body_raw(body, "application/json")).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = chatwoot(dir.path(), &server.uri(), TOKEN);
    for args in [
        &["-o", "json"][..],
        &["-o", "yaml"],
        &["-o", "table"],
        &[
            "--field",
            "raw.note",
            "--field",
            "raw.list",
            "--field",
            "raw.mobile",
        ],
        &["--expect", "raw.name=Ada", "-o", "json"],
        &["--jq", ".raw"],
    ] {
        let mut all = vec!["-p", "chatwoot", "--raw"];
        all.extend(args);
        let (code, out, err) = run_async(check(dir.path(), &cfg, &all)).await;
        let context = format!("{args:?}");
        assert_eq!(code, 0, "{context}: {err}");
        assert_hidden(&[TOKEN, HIDDEN, PHONE], &[&out, &err], &context);
        assert!(out.contains("[redacted]"), "{context}: {out}");
        if args == ["-o", "table"] {
            assert!(
                !out.contains('\u{1b}') && !out.contains('\u{200b}'),
                "{context}: a control character from the provider: {out:?}"
            );
        }
        if args == ["-o", "json"] {
            let raw = &json(&out)["raw"];
            for key in ["[redacted]", "[redacted] 2", "[redacted] 3"] {
                assert!(raw.get(key).is_some(), "{key} in {raw}");
            }
            assert_eq!(raw["mobile"], "••••4567");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_keys_that_redact_alike_are_numbered_in_linear_time() {
    // Case variants of the token as keys all redact to `[redacted]`: numbering them must not
    // search again from the start for each (a hostile body would stall the run).
    let mut body = serde_json::Map::new();
    body.insert("id".into(), 42.into());
    let letters: Vec<char> = TOKEN.chars().collect();
    for n in 0..20_000u32 {
        let variant: String = letters
            .iter()
            .enumerate()
            .map(|(i, c)| match (n >> (i % 16)) & 1 {
                1 => c.to_ascii_uppercase(),
                _ => c.to_ascii_lowercase(),
            })
            .collect();
        body.insert(format!("{variant}{n}"), 1.into());
    }
    let server = serve(ResponseTemplate::new(200).set_body_json(Value::Object(body))).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = chatwoot(dir.path(), &server.uri(), TOKEN);
    let (code, out, err) = run_async(check(
        dir.path(),
        &cfg,
        &["-p", "chatwoot", "--raw", "-o", "json"],
    ))
    .await;
    assert_eq!(code, 0, "{err}");
    let raw = &json(&out)["raw"];
    assert_eq!(
        raw.as_object().map(|m| m.len()),
        Some(20_001),
        "no key lost"
    );
    assert_hidden(&[TOKEN], &[&out, &err], "keys");
}

#[test]
fn a_credential_pasted_into_a_custom_provider_is_not_quoted() {
    let pasted = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
    for table in [
        format!(
            "auth = {{ header = \"Authorization: Bearer {pasted}\" }}\n[x.map]\nid = \"/id\"\n"
        ),
        format!("auth = {{ header = \"Authorization\" }}\n[x.map]\nid = \"{pasted}\"\n"),
        format!(
            "auth = {{ header = \"Authorization\", {pasted} = \"x\" }}\n[x.map]\nid = \"/id\"\n"
        ),
    ] {
        let text = format!(
            "[x]\nprovider = \"custom\"\nurl = \"https://api.example.org/user\"\ntoken = \"abcd1234\"\n{table}"
        );
        let (code, out, err) = config_check(&text);
        assert_eq!(code, 2, "{text}: {out}{err}");
        assert!(
            !out.contains("16C7e42F") && !err.contains("16C7e42F"),
            "{text}:\n{err}"
        );
    }
}

#[test]
fn missing_files_are_named_as_the_system_names_them() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        "[chatwoot]\nbase_url = \"http://127.0.0.1:1\"\ntoken = { file = \"/nonexistent/tok\" }\n",
    );
    for args in [
        vec!["--config", "/nonexistent/whoami.toml", "-p", "chatwoot"],
        vec!["-p", "chatwoot", "--input", "/nonexistent/body.json"],
        vec!["--config", cfg.to_str().unwrap(), "-p", "chatwoot"],
    ] {
        let (code, out, err) = run(whoami(dir.path()).args(&args));
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains("No such file or directory"), "{args:?}: {err}");
        assert!(
            !err.contains("entity not found") && !err.contains("os error"),
            "{err}"
        );
    }
}
