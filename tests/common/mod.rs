//! Shared helpers: a hermetic `whoami` command and config files in a temp dir.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// `whoami` with an empty environment (PATH kept for `sh`), HOME and XDG dirs in `dir`, so no
/// test can read the developer's config or a real credential.
pub fn whoami(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("whoami").expect("binary built");
    cmd.env_clear().envs(hermetic_env(dir)).current_dir(dir);
    cmd
}

/// The whole environment of a hermetic run (after `env_clear`): PATH kept for `sh`, HOME and
/// XDG dirs in `dir`, no color, tables wide enough to hold every value whole (the test of
/// fitting the terminal sets its own width), and a D-Bus session bus where nothing listens, so
/// no test can reach the developer's keyring (tests/login.rs starts a keyring of its own).
pub fn hermetic_env(dir: &Path) -> [(&'static str, std::ffi::OsString); 7] {
    [
        ("PATH", std::env::var_os("PATH").unwrap_or_default()),
        ("HOME", dir.as_os_str().to_owned()),
        ("XDG_CONFIG_HOME", dir.join("xdg").into_os_string()),
        ("XDG_RUNTIME_DIR", dir.join("run").into_os_string()),
        (
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", dir.join("no-bus").display()).into(),
        ),
        ("NO_COLOR", "1".into()),
        ("COLUMNS", "1000".into()),
    ]
}

/// Writes `text` as a config file (mode 0600) and returns its path.
pub fn config(dir: &Path, text: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

pub fn fixture(provider: &str, name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(provider)
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs a command, returning (exit code, stdout, stderr).
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("whoami runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs a blocking command from an async test without stalling the mock server.
pub async fn run_async(mut cmd: Command) -> (i32, String, String) {
    tokio::task::spawn_blocking(move || run(&mut cmd))
        .await
        .unwrap()
}

pub fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"))
}

/// A dotted path into JSON, list items by index.
pub fn at<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |v, seg| match v {
        Value::Object(m) => m.get(seg),
        Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// Asserts that none of `secrets` appears in any of `outputs`.
pub fn assert_no_secret(secrets: &[&str], outputs: &[&str], context: &str) {
    for secret in secrets {
        for output in outputs {
            assert!(
                !output.contains(secret),
                "{context}: secret {secret:?} leaked into output:\n{output}"
            );
        }
    }
}

/// A loopback URL where nothing listens: the port was just free.
pub fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// The registered providers, narrowed by `CONFORMANCE_ONLY=<id>` while working on one.
pub fn providers_under_test() -> Vec<std::sync::Arc<profile_whoami::provider::Definition>> {
    let only = std::env::var("CONFORMANCE_ONLY").ok();
    profile_whoami::provider::PROVIDERS
        .iter()
        .filter(|p| only.as_deref().is_none_or(|o| o == p.id()))
        .cloned()
        .collect()
}
