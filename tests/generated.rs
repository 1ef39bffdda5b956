//! Files generated from the code stay in step with it: shell completions, the example
//! config, and `init`'s skeleton.

mod common;

use std::path::Path;

use common::*;

const SHELLS: &[(&str, &str)] = &[
    ("bash", "whoami.bash"),
    ("zsh", "_whoami"),
    ("fish", "whoami.fish"),
    ("powershell", "_whoami.ps1"),
    ("elvish", "whoami.elv"),
];

#[test]
fn completions_are_fresh() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (shell, file) in SHELLS {
        let (code, generated, err) = run(whoami(dir.path()).args(["completions", shell]));
        assert_eq!(code, 0, "{err}");
        assert!(generated.contains("whoami"), "{shell}");
        let committed =
            std::fs::read_to_string(root.join("completions").join(file)).unwrap_or_default();
        assert!(
            committed == generated,
            "completions/{file} is stale; regenerate all with:\n  \
             for s in bash:whoami.bash zsh:_whoami fish:whoami.fish powershell:_whoami.ps1 elvish:whoami.elv; \
             do cargo run -q -- completions ${{s%%:*}} > completions/${{s#*:}}; done"
        );
    }
}

#[test]
fn the_example_config_passes_config_check() {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let (code, out, err) = run(whoami(dir.path())
        .arg("--config")
        .arg(&example)
        .args(["config", "check"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("ok, 8 account(s)"), "{out}");
}

#[test]
fn init_writes_a_private_skeleton_once() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/whoami.toml");
    let (code, out, err) =
        run(whoami(dir.path())
            .arg("--config")
            .arg(&path)
            .args(["init", "--provider", "chatwoot"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("whoami.toml"));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let (code, out, _) = run(whoami(dir.path())
        .arg("--config")
        .arg(&path)
        .args(["config", "check"]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ok, 1 account(s)"), "{out}");

    std::fs::write(&path, "# mine\n").unwrap();
    let (code, _, err) = run(whoami(dir.path()).arg("--config").arg(&path).arg("init"));
    assert_eq!(code, 2);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "# mine\n",
        "never overwrites"
    );
}

#[test]
fn default_config_path_follows_xdg() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run(whoami(dir.path()).args(["config", "path"]));
    assert_eq!(code, 0);
    assert_eq!(
        out.trim(),
        dir.path()
            .join("xdg/whoami/config.toml")
            .display()
            .to_string()
    );
    let (_, out, _) = run(whoami(dir.path())
        .env("WHOAMI_CONFIG", "/elsewhere.toml")
        .args(["config", "path"]));
    assert_eq!(out.trim(), "/elsewhere.toml");
}
