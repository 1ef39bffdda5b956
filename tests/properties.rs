//! No panics on hostile input: arbitrary JSON to every provider, arbitrary bytes as a saved
//! response, arbitrary text as a config file. Each returns a result or a clear error.

use std::path::Path;

use profile_whoami::bind::Account;
use profile_whoami::check::{self, Options};
use profile_whoami::config;
use profile_whoami::jq::{Document, Programs};
use profile_whoami::provider::{PROVIDERS, Settings};
use proptest::prelude::*;
use serde_json::Value;

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".*".prop_map(Value::String),
        // Keys the providers look for, so the strategy reaches deep into their code.
        prop::sample::select(vec![
            "id", "_id", "email", "user", "payload", "profile", "data", "human", "machine"
        ])
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        let keys = prop::sample::select(vec![
            "id",
            "_id",
            "email",
            "user",
            "payload",
            "profile",
            "data",
            "human",
            "machine",
            "details",
            "organizations",
            "accounts",
            "account_id",
            "orgRole",
            "orgId",
            "error",
            "code",
            "message",
            "mobile",
            "phone",
            "phoneNumber",
            "webAuthnCredentials",
            "organization_roles",
            "name",
            "current_user_roles",
            "meta",
            "description",
            "lastName",
            "displayName",
            "x",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(keys, inner, 0..8).prop_map(|m| Value::Object(
                m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

fn account(index: usize, settings: &[(&str, &str)]) -> Account {
    let provider = PROVIDERS[index % PROVIDERS.len()].clone();
    Account {
        name: provider.id().into(),
        provider,
        base_url: None,
        token: None,
        ca_cert: None,
        timeout: None,
        settings: Settings(
            settings
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ),
        at: None,
        problems: Vec::new(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn providers_never_panic_on_json(body in arb_json(), status in 100u16..600) {
        let document = Document::from(&body);
        for provider in PROVIDERS.iter() {
            let settings = Settings(
                provider.settings().map(|k| (k.to_string(), "v2".to_string())).collect(),
            );
            let _ = provider.normalize(&document, &settings);
            let _ = provider.rejection(status, Some(&document), &Settings::default());
            let _ = provider.error_message(&body, &Settings::default());
            let _ = provider.hint(status, Some(&document), &Settings::default());
        }
    }

    /// A body parsed straight from its bytes reads exactly as the same bytes parsed into a
    /// JSON value and converted.
    #[test]
    fn bodies_parse_as_their_values_read(body in arb_json()) {
        let text = serde_json::to_vec(&body).unwrap();
        let parsed = Document::parse(&text, &|_| false).expect("JSON parses");
        let value: Value = serde_json::from_slice(&text).unwrap();
        let whole = Programs::compile(&["."]).unwrap();
        prop_assert_eq!(
            whole.first(0, &parsed.input(&Value::Null)),
            whole.first(0, &Document::from(&value).input(&Value::Null))
        );
    }

    #[test]
    fn saved_responses_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512), status in 100u16..600, which in 0usize..16, raw: bool) {
        let account = account(which, &[]);
        let options = Options { raw, ..Options::default() };
        let result = check::offline(&account, &bytes.into(), Some(status), &options);
        // Either verified with a profile, or an error that says why.
        prop_assert!(result.profile.is_some() || result.error.is_some());
    }

    #[test]
    fn json_bodies_classify_consistently(body in arb_json(), status in 100u16..600, which in 0usize..16) {
        let account = account(which, &[]);
        let bytes = serde_json::to_vec(&body).unwrap();
        let result = check::offline(&account, &bytes.into(), Some(status), &Options::default());
        let ok = result.error.is_none();
        prop_assert_eq!(ok, result.profile.is_some());
        if ok {
            prop_assert!((200..300).contains(&status));
        }
    }

    #[test]
    fn config_text_never_panics(text in ".{0,400}") {
        let _ = config::parse(&text, Path::new("fuzz.toml"));
    }

    #[test]
    fn toml_shaped_config_never_panics(
        lines in prop::collection::vec(
            prop_oneof![
                "\\[[a-z_-]{0,12}\\]",
                "(provider|base_url|token|timeout|ca_cert|space_id|org_id|api_version|output|jobs) = \"[ -~]{0,20}\"",
                "token = \\{ (env|file|command|x) = \"[ -~]{0,10}\" \\}",
                "[a-z]{1,8} = [0-9]{1,5}",
                "[ -~]{0,30}",
            ],
            0..12,
        )
    ) {
        let _ = config::parse(&lines.join("\n"), Path::new("fuzz.toml"));
    }
}

#[test]
fn deeply_nested_and_huge_json_is_a_clear_error() {
    let account = account(PROVIDERS.len() - 1, &[]);
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    let result = check::offline(&account, &deep.into(), None, &Options::default());
    let error = result.error.expect("not a profile");
    assert!(error.message.contains("expected a"), "{}", error.message);
    assert!(error.message.chars().count() < 400, "quotes stay short");
}
