//! Providers are definitions: `whoami providers show ID` prints each built-in's definition,
//! and what it prints is a valid definition again.

mod common;

use common::*;
use profile_whoami::provider::Provider;
use profile_whoami::provider::definition::Definition;

#[test]
fn providers_show_prints_a_valid_definition_for_every_builtin() {
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<&str> = providers_under_test().iter().map(|p| p.id()).collect();
    assert!(ids.len() >= 5, "{ids:?}");
    for id in ids {
        let (code, out, err) = run(whoami(dir.path()).args(["providers", "show", id]));
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
