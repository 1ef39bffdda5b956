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
            "ada@example.org\n[{\"id\":\"1\",\"name\":\"Acme\",\"role\":\"agent\"}]\n"
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
