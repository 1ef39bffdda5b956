//! Providers are definitions: `whoami providers show ID` prints each built-in's definition,
//! and what it prints is a valid definition again.

mod common;

use common::*;

use profile_whoami::provider::definition::Definition;

#[test]
fn providers_show_prints_a_valid_definition_for_every_builtin() {
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = providers_under_test()
        .iter()
        .map(|p| p.id().to_string())
        .collect();
    assert!(ids.len() >= 5, "{ids:?}");
    for id in ids {
        let (code, out, err) = run(whoami(dir.path()).args(["providers", "show", &id]));
        assert_eq!(code, 0, "{id}: {err}");
        assert!(
            out.starts_with('#'),
            "{id}: the definition opens with its comments"
        );
        assert!(out.contains("Source"), "{id}: it cites its published shape");
        let definition = Definition::parse(&out).unwrap_or_else(|e| panic!("{id}: {e}"));
        definition
            .validate()
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(definition.id(), id);
    }
}

#[test]
fn providers_show_names_the_known_ids_for_an_unknown_one() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(whoami(dir.path()).args(["providers", "show", "chatwot"]));
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("did you mean `chatwoot`"), "{err}");
}

mod jq {
    use super::*;
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const PROFILE: &str = r#"{"id": 42, "name": "Ada", "email": "ada@example.org", "accounts": [{"id": 1, "name": "Acme", "role": "agent"}]}"#;

    fn accounts(dir: &std::path::Path, ok: &str, rejected: &str) -> std::path::PathBuf {
        config(
            dir,
            &format!(
                "[a]\nprovider = \"chatwoot\"\nbase_url = \"{ok}\"\ntoken = \"token-a-0123456789\"\n\
                 [b]\nprovider = \"chatwoot\"\nbase_url = \"{rejected}\"\ntoken = \"token-b-0123456789\"\n"
            ),
        )
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn jq_runs_on_the_json_document_and_the_exit_code_follows_the_verdicts() {
        let ok = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_raw(PROFILE, "application/json"))
            .mount(&ok)
            .await;
        let rejected = MockServer::start().await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(401)
                    .set_body_raw(r#"{"error": "Invalid Access Token"}"#, "application/json"),
            )
            .mount(&rejected)
            .await;
        let dir = tempfile::tempdir().unwrap();
        let cfg = accounts(dir.path(), &ok.uri(), &rejected.uri());
        let mut one = whoami(dir.path());
        one.arg("--config").arg(&cfg).args([
            "-a",
            "a",
            "--jq",
            ".profile.email, .profile.organizations",
        ]);
        let (code, out, err) = run_async(one).await;
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            out,
            "ada@example.org\n[{\"id\":\"1\",\"name\":\"Acme\",\"role\":\"agent\",\"roles\":[\"agent\"]}]\n"
        );

        let mut all = whoami(dir.path());
        all.arg("--config").arg(&cfg).args([
            "--all",
            "--retries",
            "0",
            "--jq",
            ".[] | [.account, .status] | join(\" \")",
        ]);
        let (code, out, err) = run_async(all).await;
        assert_eq!(code, 1, "a rejection still decides the exit code: {err}");
        assert_eq!(out, "a ok\nb rejected\n");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_expression_that_does_not_compile_is_exit_2_with_nothing_sent() {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_raw(PROFILE, "application/json"))
            .mount(&server)
            .await;
        let dir = tempfile::tempdir().unwrap();
        let cfg = accounts(dir.path(), &server.uri(), &server.uri());
        for expression in [".profile | nosuch", ".profile |", "[.a"] {
            let mut cmd = whoami(dir.path());
            cmd.arg("--config")
                .arg(&cfg)
                .args(["--all", "--jq", expression]);
            let (code, out, err) = run_async(cmd).await;
            assert_eq!(code, 2, "{expression}: {out}{err}");
            assert!(err.contains("--jq"), "{err}");
        }
        assert!(
            server.received_requests().await.unwrap().is_empty(),
            "nothing was sent"
        );
    }
}

/// Definitions a user writes: `<config dir>/whoami/providers/*.toml`, found by id.
mod user {
    use super::*;
    use wiremock::matchers::{body_json, header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const TOKEN: &str = "canary-user-definition-token-0123";

    /// A GraphQL service with a body-level rejection: Linear's shape, made up.
    const GRAPHQL: &str = r#"# A GraphQL service.
id = "graph"
name = "Graph"
docs = "https://example.org/docs"

[request]
method = "POST"
path = "graphql"
auth = { header = "Authorization" }
body = '{"query": "{ viewer { id name email } }"}'

[response]
success = '.data.viewer.id != null'
message = '[.errors[]?.message] | join("; ")'

[profile]
id = ".data.viewer.id"
display_name = ".data.viewer.name"
email = ".data.viewer.email"

[[reject]]
status = [200, 400]
when = 'any(.errors[]?; .extensions.code == "AUTHENTICATION_ERROR")'
kind = "invalid_credential"
"#;

    fn install(dir: &std::path::Path, file: &str, text: &str) -> std::path::PathBuf {
        let folder = dir.join("xdg/whoami/providers");
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join(file);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_user_definition_runs_like_a_builtin() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/graphql"))
            .and(header("authorization", TOKEN))
            .and(body_json(
                serde_json::json!({"query": "{ viewer { id name email } }"}),
            ))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                r#"{"data": {"viewer": {"id": "u-1", "name": "Ada Example", "email": "ada@example.org"}}}"#,
                "application/json",
            ))
            .mount(&server)
            .await;
        let dir = tempfile::tempdir().unwrap();
        install(dir.path(), "any-name.toml", GRAPHQL);
        let cfg = config(
            dir.path(),
            &format!(
                "[work]\nprovider = \"graph\"\nbase_url = \"{}\"\ntoken = \"{TOKEN}\"\n",
                server.uri()
            ),
        );
        let check = || {
            let mut cmd = whoami(dir.path());
            cmd.arg("--config")
                .arg(&cfg)
                .args(["-a", "work", "-o", "json"]);
            run_async(cmd)
        };
        let (code, out, err) = check().await;
        assert_eq!(code, 0, "{out}{err}");
        let result = json(&out);
        assert_eq!(result["provider"], "graph", "the definition's id");
        assert_eq!(result["profile"]["id"], "u-1");
        assert_eq!(result["profile"]["email"], "ada@example.org");

        // The body-level rule: a 200 carrying an authentication error is a verdict.
        server.reset().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                r#"{"errors": [{"message": "Authentication required", "extensions": {"code": "AUTHENTICATION_ERROR"}}]}"#,
                "application/json",
            ))
            .mount(&server)
            .await;
        let (code, out, err) = check().await;
        assert_eq!(code, 1, "{out}{err}");
        let result = json(&out);
        assert_eq!(result["error"]["kind"], "invalid_credential");
        assert!(
            result["error"]["message"]
                .as_str()
                .unwrap()
                .contains("Authentication required"),
            "{out}"
        );

        // `providers` lists it with its file; `providers show` prints the file.
        let (code, out, _) = run(whoami(dir.path()).arg("providers"));
        assert_eq!(code, 0);
        let line = out
            .lines()
            .find(|l| l.contains("graph"))
            .unwrap_or_default();
        assert!(line.contains("any-name.toml"), "{out}");
        assert!(
            out.lines()
                .any(|l| l.contains("vaiz") && l.contains("built-in")),
            "{out}"
        );
        let (code, out, _) = run(whoami(dir.path()).args(["providers", "show", "graph"]));
        assert_eq!(code, 0);
        assert_eq!(out, GRAPHQL);
    }

    #[test]
    fn a_builtin_id_needs_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let text = GRAPHQL.replace("id = \"graph\"", "id = \"chatwoot\"");
        let file = install(dir.path(), "chatwoot.toml", &text);
        let cfg = config(
            dir.path(),
            "[chatwoot]\nbase_url = \"https://chat.example.org\"\n",
        );
        let (code, _, err) = run(whoami(dir.path())
            .arg("--config")
            .arg(&cfg)
            .args(["config", "check"]));
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains("chatwoot.toml") && err.contains("replaces = true"),
            "{err}"
        );
        // With `replaces = true` it is used instead of the built-in.
        std::fs::write(&file, format!("replaces = true\n{text}")).unwrap();
        let (code, out, err) = run(whoami(dir.path())
            .arg("--config")
            .arg(&cfg)
            .args(["-p", "chatwoot", "-o", "json", "--input", "-"])
            .write_stdin(r#"{"data": {"viewer": {"id": "u-9"}}}"#));
        assert_eq!(code, 0, "{out}{err}");
        assert_eq!(json(&out)["profile"]["id"], "u-9");
        let (_, out, _) = run(whoami(dir.path()).arg("providers"));
        let line = out
            .lines()
            .find(|l| l.contains("chatwoot"))
            .unwrap_or_default();
        assert!(
            line.contains("chatwoot.toml"),
            "the replacement is listed: {out}"
        );
    }

    #[test]
    fn broken_definitions_name_file_line_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let text = GRAPHQL.replace("id = \".data.viewer.id\"", "id = \".data.viewer.id |\"");
        let file = install(dir.path(), "graph.toml", &text);
        let line = text
            .lines()
            .position(|l| l.starts_with("id = \".data"))
            .unwrap()
            + 1;
        // Loaded only when used: another account's run does not stop on it.
        let other = config(dir.path(), "[chatwoot]\ntoken = \"x-token-1234\"\n");
        let (code, _, err) = run(whoami(dir.path())
            .arg("--config")
            .arg(&other)
            .args(["config", "check"]));
        assert_eq!(code, 0, "{err}");
        let cfg = config(
            dir.path(),
            "[g]\nprovider = \"graph\"\nbase_url = \"https://g.example.org\"\n",
        );
        let (code, _, err) = run(whoami(dir.path())
            .arg("--config")
            .arg(&cfg)
            .args(["config", "check"]));
        assert_eq!(code, 2);
        assert!(err.contains(&format!("graph.toml:{line}:")), "{err}");
        assert!(
            err.contains("profile.id: the jq expression does not compile"),
            "{err}"
        );
        // `providers check` says the same without a config, and sends nothing.
        let (code, out, err) = run(whoami(dir.path()).args(["providers", "check"]).arg(&file));
        assert_eq!(code, 2, "{out}");
        assert!(err.contains(&format!("graph.toml:{line}:")), "{err}");
        std::fs::write(&file, GRAPHQL).unwrap();
        let (code, out, err) = run(whoami(dir.path()).args(["providers", "check"]).arg(&file));
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("ok, provider `graph`"), "{out}");
        // A file that is not TOML is named whatever runs.
        std::fs::write(&file, "id = \n").unwrap();
        let (code, _, err) = run(whoami(dir.path())
            .arg("--config")
            .arg(&cfg)
            .args(["config", "check"]));
        assert_eq!(code, 2);
        assert!(err.contains("graph.toml:1:"), "{err}");
    }

    #[test]
    fn no_mapping_lifts_a_secret_into_the_profile() {
        let dir = tempfile::tempdir().unwrap();
        let text = GRAPHQL
            .replace(
                "display_name = \".data.viewer.name\"",
                "display_name = \".data.viewer.recovery[0]\"\nusername = \".data.viewer.api_key\"\nextra = '{codes: (.data.viewer.recovery | length)}'",
            )
            .replace("[response]", "[response]\nsecrets = [\"recovery\"]");
        install(dir.path(), "graph.toml", &text);
        let body = r#"{"data": {"viewer": {"id": "u-1", "recovery": ["RECOVERY-CODE-ONE", "RECOVERY-CODE-TWO"], "api_key": "BODY-API-KEY-VALUE"}}}"#;
        let (code, out, err) = run(whoami(dir.path())
            .args(["-p", "graph", "-o", "json", "--raw", "--input", "-"])
            .write_stdin(body));
        assert_eq!(code, 0, "{out}{err}");
        for secret in ["RECOVERY-CODE", "BODY-API-KEY"] {
            assert!(!out.contains(secret), "{secret} lifted:\n{out}");
        }
        let result = json(&out);
        assert_eq!(result["profile"]["display_name"], "[redacted]");
        assert_eq!(
            result["profile"]["extra"]["codes"], 2,
            "the shape stays countable"
        );
    }

    #[test]
    fn a_user_definitions_own_variable_makes_its_account() {
        let dir = tempfile::tempdir().unwrap();
        let text = GRAPHQL.replace(
            "[request]",
            "[[env]]\nvar = \"GRAPH_API_KEY\"\nkey = \"token\"\n\n[request]",
        );
        install(dir.path(), "graph.toml", &text);
        let (code, out, err) = run(whoami(dir.path())
            .env("GRAPH_API_KEY", "canary-graph-key-0123")
            .arg("accounts"));
        assert_eq!(code, 0, "{err}");
        assert!(
            out.contains("graph") && out.contains("env GRAPH_API_KEY"),
            "{out}"
        );
    }

    #[test]
    fn a_file_without_an_id_is_skipped_loudly_and_a_fifo_never_hangs() {
        let dir = tempfile::tempdir().unwrap();
        install(dir.path(), "notes.toml", "just some notes\n");
        let fifo = dir.path().join("xdg/whoami/providers/pipe.toml");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let cfg = config(dir.path(), "[chatwoot]\ntoken = \"x-token-1234\"\n");
        let (code, _, err) = run(whoami(dir.path())
            .arg("--config")
            .arg(&cfg)
            .args(["config", "check"])
            .timeout(std::time::Duration::from_secs(20)));
        assert_eq!(code, 0, "another provider's run goes on: {err}");
        assert!(
            err.contains("skipped") && err.contains("notes.toml"),
            "{err}"
        );
        assert!(
            err.contains("pipe.toml") && err.contains("not a regular file"),
            "{err}"
        );
        let (code, _, _) = run(whoami(dir.path()).arg("providers"));
        assert_eq!(code, 2, "`providers` says its listing is incomplete");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_echoed_basic_header_is_redacted() {
        let server = MockServer::start().await;
        // A proxy's page that quotes the request's Authorization header.
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(502).set_body_raw(
                "bad gateway for request with Authorization: Basic YWRhQGV4YW1wbGUub3JnOmNhbmFyeS1iYXNpYy1zZWNyZXQtMDEy",
                "text/plain",
            ))
            .mount(&server)
            .await;
        let dir = tempfile::tempdir().unwrap();
        let cfg = config(
            dir.path(),
            &format!(
                "[jira]\nprovider = \"atlassian\"\nbase_url = \"{}\"\nemail = \"ada@example.org\"\ntoken = \"canary-basic-secret-012\"\n",
                server.uri()
            ),
        );
        let mut cmd = whoami(dir.path());
        cmd.arg("--config").arg(&cfg).args([
            "-a",
            "jira",
            "-o",
            "json",
            "--raw",
            "--retries",
            "0",
            "-vvv",
        ]);
        let (code, out, err) = run_async(cmd).await;
        assert_eq!(code, 3, "{out}{err}");
        assert!(
            !out.contains("YWRhQGV4YW1wbGUub3JnOmNhbmFyeS1iYXNpYy1zZWNyZXQtMDEy")
                && !err.contains("YWRhQGV4YW1wbGUub3JnOmNhbmFyeS1iYXNpYy1zZWNyZXQtMDEy"),
            "{out}\n{err}"
        );
    }
}
