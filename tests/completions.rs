//! Shell completion in real shells: the scripts `whoami completions <shell>` prints (the README's
//! recipes) make bash, zsh and fish ask the binary, which answers with provider ids, account
//! names from the config, field paths and formats rather than file names.
//!
//! zsh and fish come from `scripts/test-packages/install`, tmux with the machine. Where one is
//! missing its test prints `SKIPPED` on stderr and returns, unless `WHOAMI_REAL_SERVERS=required`
//! (CI), where it fails.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// The folder holding the binary under test, for `PATH`: the scripts call `whoami` by name.
fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_whoami"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn installed(tool: &str, test: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        let why = format!("{tool} is not installed (scripts/test-packages/install)");
        if std::env::var("WHOAMI_REAL_SERVERS").as_deref() == Ok("required") {
            panic!("completion test {test}: WHOAMI_REAL_SERVERS=required, but {why}");
        }
        let line = format!("\n!!!!!!!! SKIPPED completion test {test}: {why}\n");
        let _ = std::io::stderr().write_all(line.as_bytes());
    }
    found
}

/// A home with a config of two accounts; the environment a shell runs in there.
fn home() -> (tempfile::TempDir, Vec<(&'static str, std::ffi::OsString)>) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        "[work]\nprovider = \"chatwoot\"\ntoken = { env = \"A\" }\n\n\
         [personal-gh]\nprovider = \"github\"\ntoken = { env = \"B\" }\n",
    );
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut env: Vec<(&'static str, std::ffi::OsString)> = hermetic_env(dir.path()).into();
    env.retain(|(k, _)| *k != "PATH");
    env.push(("PATH", path.into()));
    env.push(("WHOAMI_CONFIG", cfg.into_os_string()));
    (dir, env)
}

/// Runs `script` with `shell -c` in the hermetic home; its stdout.
fn shell(shell: &str, args: &[&str], script: &str) -> String {
    let (dir, env) = home();
    let out = Command::new(shell)
        .args(args)
        .arg(script)
        .env_clear()
        .envs(env)
        .current_dir(dir.path())
        .output()
        .expect("the shell runs");
    assert!(
        out.status.success(),
        "{shell}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn bash_completes_values_from_the_binary() {
    // One line per completion request: the candidates bash would offer, `|`-separated.
    let out = shell(
        "bash",
        &["-c"],
        r#"source <(whoami completions bash)
ask() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_TYPE=9
  _clap_complete_whoami whoami "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
  local IFS='|'; echo "${COMPREPLY[*]}"; }
ask whoami -p chatw
ask whoami -a ''
ask whoami --field profile.em
ask whoami --expect profile.organizations.0.rol
ask whoami -o j
ask whoami logout -a pers
ask whoami init -p zit
ask whoami log"#,
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "chatwoot",
            "work|personal-gh",
            "profile.email|profile.email_verified",
            "profile.organizations.0.role=|profile.organizations.0.roles=|profile.organizations.0.roles.0=",
            "json|junit",
            "personal-gh",
            "zitadel",
            "login|logout",
        ],
        "{out}"
    );
}

#[test]
fn the_completion_variable_is_whoamis_own() {
    // clap's default `COMPLETE` exported for some other tool must not turn bare `whoami` into
    // a completion script: it prints the user name like coreutils.
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(whoami(dir.path()).env("COMPLETE", "bash"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(!out.contains("complete"), "{out}");
}

#[test]
fn fish_completes_values_from_the_binary() {
    if !installed("fish", "fish_completes_values_from_the_binary") {
        return;
    }
    let out = shell(
        "fish",
        &["--no-config", "-c"],
        "whoami completions fish | source\n\
         complete -C 'whoami -p chatw'\n\
         complete -C 'whoami -a '\n\
         complete -C 'whoami --field profile.organizations.0.'",
    );
    let values: Vec<&str> = out.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert_eq!(
        values,
        [
            "chatwoot",
            "work",
            "personal-gh",
            "profile.organizations.0.id",
            "profile.organizations.0.name",
            "profile.organizations.0.role",
            "profile.organizations.0.roles",
            "profile.organizations.0.roles.0",
        ],
        "{out}"
    );
}

/// The README's zsh recipe, in an interactive zsh on a terminal (tmux): zsh's own `_nothing`
/// claims `whoami` after `compinit`, so a completion file in `fpath` alone would do nothing.
#[test]
fn zsh_completes_values_with_the_readme_recipe() {
    let test = "zsh_completes_values_with_the_readme_recipe";
    if !installed("zsh", test) || !installed("tmux", test) {
        return;
    }
    // What the recipe is up against: without it, zsh completes `whoami` with nothing.
    let claimed = shell(
        "zsh",
        &["-f", "-c"],
        "autoload -U compinit && compinit -u -d $HOME/.zcompdump; print -r -- $_comps[whoami]",
    );
    assert_eq!(claimed.trim(), "_nothing");

    let (dir, env) = home();
    let socket = dir.path().join("tmux.sock");
    let tmux = |args: &[&str]| {
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&socket)
            .args(args)
            .env_clear()
            .envs(env.iter().cloned())
            .current_dir(dir.path())
            .output()
            .expect("tmux runs");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // The tmux server goes with the test, passed or not.
    struct Server(PathBuf);
    impl Drop for Server {
        fn drop(&mut self) {
            let _ = Command::new("tmux")
                .arg("-S")
                .arg(&self.0)
                .arg("kill-server")
                .stderr(Stdio::null())
                .status();
        }
    }
    let _server = Server(socket.clone());
    let zshrc = dir.path().join(".zshrc");
    std::fs::write(
        &zshrc,
        "PS1='> '\nautoload -U compinit && compinit -u -d $HOME/.zcompdump\n\
         source <(whoami completions zsh)\n",
    )
    .unwrap();
    tmux(&[
        "new-session",
        "-d",
        "-x",
        "120",
        "-y",
        "20",
        &format!("ZDOTDIR={} zsh -i", dir.path().display()),
    ]);
    let screen = |want: &str| {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = tmux(&["capture-pane", "-p"]);
            if text.contains(want) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "the screen never showed {want:?}:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    // (tmux drops the spaces that end a line.)
    screen(">");
    tmux(&["send-keys", "whoami -p chatw", "Tab"]);
    screen("> whoami -p chatwoot");
    tmux(&["send-keys", "C-u", "whoami -a personal", "Tab"]);
    screen("> whoami -a personal-gh");
    tmux(&["send-keys", "C-u", "whoami --field profile.ema", "Tab"]);
    screen("> whoami --field profile.email");
}
