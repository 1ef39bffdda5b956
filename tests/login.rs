//! `whoami login` and `logout` through the binary: the token is checked live against a mock
//! provider before anything is saved, stored in a real Secret Service (gnome-keyring in a
//! private D-Bus session this test starts) or, asked for, a 0600 file; the config points at it
//! and never holds it; a rejected token, an existing account or a missing keyring change
//! nothing.
//!
//! The Secret Service comes from Debian's `gnome-keyring` and `dbus` packages
//! (`scripts/test-packages/install`). Where they are missing the keyring tests print
//! `SKIPPED` on stderr and return, unless `WHOAMI_REAL_SERVERS=required` (CI), where they fail.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const GOOD: &str = "login-good-token-5f2a9c1e7b3d";
const BAD: &str = "login-bad-token-0a1b2c3d4e5f";
const NEWER: &str = "login-newer-token-9e8d7c6b5a4f";

/// A Chatwoot that knows `GOOD` and `NEWER` and rejects anything else.
async fn chatwoot() -> MockServer {
    let server = MockServer::start().await;
    for token in [GOOD, NEWER] {
        Mock::given(method("GET"))
            .and(path("/api/v1/profile"))
            .and(header("api_access_token", token))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(fixture("chatwoot", "profile.json"), "application/json"),
            )
            .with_priority(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_raw(fixture("chatwoot", "401-invalid.json"), "application/json"),
        )
        .with_priority(5)
        .mount(&server)
        .await;
    server
}

/// A private D-Bus session with gnome-keyring's Secret Service, unlocked; stopped on drop.
struct SecretService {
    bus: Child,
    address: String,
}

impl SecretService {
    /// Starts one under `dir`, or says why not (`None`: skipped, loudly).
    fn start(dir: &Path, test: &str) -> Option<SecretService> {
        let missing: Vec<&str> = ["dbus-daemon", "gnome-keyring-daemon"]
            .into_iter()
            .filter(|tool| {
                Command::new("sh")
                    .args(["-c", &format!("command -v {tool}")])
                    .stdout(Stdio::null())
                    .status()
                    .map_or(true, |s| !s.success())
            })
            .collect();
        if !missing.is_empty() {
            skip(
                test,
                &format!(
                    "{} not installed (scripts/test-packages/install)",
                    missing.join(" and ")
                ),
            );
            return None;
        }
        let socket = dir.join("bus");
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .arg(format!("--address=unix:path={}", socket.display()))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .envs(keyring_env(dir))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon starts");
        // From here on the bus goes with this value, whatever fails.
        let stdout = bus.stdout.take().unwrap();
        let mut service = SecretService {
            bus,
            address: String::new(),
        };
        BufReader::new(stdout)
            .read_line(&mut service.address)
            .unwrap();
        service.address = service.address.trim().to_string();
        assert!(
            !service.address.is_empty(),
            "dbus-daemon printed no address"
        );
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--daemonize", "--unlock", "--components=secrets"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .envs(keyring_env(dir))
            .env("DBUS_SESSION_BUS_ADDRESS", &service.address)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon starts");
        // The login keyring's password, on stdin: a new keyring is created with it, unlocked.
        keyring
            .stdin
            .take()
            .unwrap()
            .write_all(b"whoami-test")
            .unwrap();
        let status = keyring.wait().unwrap();
        assert!(status.success(), "gnome-keyring-daemon: {status}");
        Some(service)
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        // gnome-keyring-daemon leaves when its bus goes away.
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

/// Where gnome-keyring keeps its files: inside the test's folder, never the developer's.
fn keyring_env(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    let run = dir.join("run");
    std::fs::create_dir_all(&run).unwrap();
    std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
    vec![
        ("HOME", dir.to_path_buf()),
        ("XDG_DATA_HOME", dir.join("data")),
        ("XDG_RUNTIME_DIR", run),
    ]
}

fn skip(test: &str, why: &str) {
    if std::env::var("WHOAMI_REAL_SERVERS").as_deref() == Ok("required") {
        panic!("keyring test {test}: WHOAMI_REAL_SERVERS=required, but {why}");
    }
    let line = format!("\n!!!!!!!! SKIPPED keyring test {test}: {why}\n");
    let _ = std::io::stderr().write_all(line.as_bytes());
}

/// `whoami --config CFG ARGS…` with `stdin`, on the given bus (a dead one: no keyring).
fn whoami_on(dir: &Path, bus: &str, cfg: &Path, args: &[&str], stdin: &str) -> assert_cmd::Command {
    let mut cmd = whoami(dir);
    cmd.envs(keyring_env(dir))
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .arg("--config")
        .arg(cfg)
        .args(args)
        .write_stdin(stdin.to_string())
        .timeout(Duration::from_secs(30));
    cmd
}

/// A bus address where nothing listens: no keyring.
fn no_bus(dir: &Path) -> String {
    format!("unix:path={}", dir.join("no-bus").display())
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_stores_in_the_keyring_and_logout_removes_it() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let Some(service) = SecretService::start(dir, "login_stores_in_the_keyring") else {
        return;
    };
    let bus = service.address.clone();
    let server = chatwoot().await;
    let cfg = config(
        dir,
        "# my accounts\n[defaults]\ntimeout = \"5s\" # keep\n\n[other]\nprovider = \"vaiz\"\ntoken = { env = \"VAIZ_TOKEN\" }\n",
    );
    let login = |args: &[&str], stdin: &str| {
        let mut full = vec!["login", "-p", "chatwoot", "-a", "work", "--base-url"];
        full.push(Box::leak(server.uri().into_boxed_str()));
        full.extend_from_slice(args);
        whoami_on(dir, &bus, &cfg, &full, stdin)
    };

    let (code, out, err) = run_async(login(&["--with-token"], &format!("{GOOD}\n"))).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("ada@example"),
        "the verified profile is shown: {out}"
    );
    assert!(err.contains("whoami/work"), "{err}");
    let written = read(&cfg);
    assert!(
        written.starts_with("# my accounts\n[defaults]\ntimeout = \"5s\" # keep\n"),
        "{written}"
    );
    assert!(
        written.contains("[work]\nprovider = \"chatwoot\""),
        "{written}"
    );
    assert!(
        written.contains("token = { keyring = \"whoami/work\" }"),
        "{written}"
    );
    assert_no_secret(&[GOOD], &[&written, &out, &err], "login");

    // The stored token works from the config, and `accounts` names where it is.
    let (code, out, err) = run_async(whoami_on(
        dir,
        &bus,
        &cfg,
        &["-a", "work", "-o", "json"],
        "",
    ))
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        at(&json(&out), "credential.source").unwrap(),
        "keyring whoami/work"
    );
    assert_no_secret(&[GOOD], &[&out, &err], "check");
    let (code, out, _) = run_async(whoami_on(dir, &bus, &cfg, &["accounts"], "")).await;
    assert_eq!(code, 0);
    assert!(out.contains("keyring whoami/work"), "{out}");

    // An existing account is not replaced without --force; a rejected token replaces nothing.
    let (code, _, err) = run_async(login(&["--with-token"], NEWER)).await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--force"), "{err}");
    let (code, out, err) = run_async(login(&["--with-token", "--force"], BAD)).await;
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("nothing saved"), "{err}");
    assert_eq!(read(&cfg), written);
    let (code, out, err) = run_async(whoami_on(dir, &bus, &cfg, &["-a", "work"], "")).await;
    assert_eq!(code, 0, "the old token is still stored: {out}{err}");

    // --force with a good token rotates it in place.
    let (code, out, err) = run_async(login(&["--with-token", "--force"], NEWER)).await;
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(read(&cfg), written, "same account, same config");
    let requests_before = server.received_requests().await.unwrap().len();
    let (code, out, err) = run_async(whoami_on(dir, &bus, &cfg, &["-a", "work"], "")).await;
    assert_eq!(code, 0, "{out}{err}");
    let last = server.received_requests().await.unwrap();
    assert_eq!(last.len(), requests_before + 1);
    assert_eq!(last.last().unwrap().headers["api_access_token"], NEWER);

    // Another config's account of the same name would share the entry: not without --force.
    let elsewhere = dir.join("elsewhere.toml");
    let url = server.uri();
    let args = [
        "login",
        "-p",
        "chatwoot",
        "-a",
        "work",
        "--base-url",
        &url,
        "--with-token",
    ];
    let (code, _, err) = run_async(whoami_on(dir, &bus, &elsewhere, &args, NEWER)).await;
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("already stored in the OS keyring as whoami/work"),
        "{err}"
    );
    assert!(!elsewhere.exists());

    // An account that only points at an entry login made for another is logged out alone.
    let mut with_alias = written.clone();
    with_alias.push_str(&format!(
        "\n[alias]\nprovider = \"chatwoot\"\nbase_url = \"{url}\"\ntoken = {{ keyring = \"whoami/work\" }}\n"
    ));
    std::fs::write(&cfg, &with_alias).unwrap();
    let (code, out, err) =
        run_async(whoami_on(dir, &bus, &cfg, &["logout", "-a", "alias"], "")).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("left its credential (keyring whoami/work)"),
        "{err}"
    );
    assert_eq!(read(&cfg), written);
    let (code, out, err) = run_async(whoami_on(dir, &bus, &cfg, &["-a", "work"], "")).await;
    assert_eq!(code, 0, "whoami/work is still there: {out}{err}");

    // --force moving the token to a file removes the keyring entry nothing refers to now.
    let (code, out, err) = run_async(login(
        &["--with-token", "--force", "--insecure-storage"],
        NEWER,
    ))
    .await;
    assert_eq!(code, 0, "{out}{err}");
    let token_file = dir.join("tokens/work");
    assert_eq!(read(&token_file), NEWER);
    let probe = dir.join("probe.toml");
    std::fs::write(
        &probe,
        format!("[chatwoot]\nbase_url = \"{url}\"\ntoken = {{ keyring = \"whoami/work\" }}\n"),
    )
    .unwrap();
    let (code, out, err) = run_async(whoami_on(dir, &bus, &probe, &["-p", "chatwoot"], "")).await;
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("holds no secret for whoami/work"), "{err}");

    // logout: the secret and the account go, the rest of the file stays.
    let (code, out, err) =
        run_async(whoami_on(dir, &bus, &cfg, &["logout", "-a", "work"], "")).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("removed the token stored in "), "{err}");
    assert!(!token_file.exists());
    let after = read(&cfg);
    assert!(!after.contains("[work]"), "{after}");
    assert!(
        after.contains("# my accounts") && after.contains("[other]"),
        "{after}"
    );

    // Logged in again (the keyring entry was free), then out: the entry goes too.
    let (code, out, err) = run_async(login(&["--with-token"], GOOD)).await;
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) =
        run_async(whoami_on(dir, &bus, &cfg, &["logout", "-a", "work"], "")).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("removed the token stored in the OS keyring as whoami/work"),
        "{err}"
    );
    let (code, out, err) = run_async(whoami_on(dir, &bus, &probe, &["-p", "chatwoot"], "")).await;
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("holds no secret for whoami/work"), "{err}");
    drop(service);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_keyring_nothing_is_saved_unless_a_file_is_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let server = chatwoot().await;
    let cfg = dir.join("conf").join("config.toml");
    let bus = no_bus(dir);
    let args = [
        "login",
        "-p",
        "chatwoot",
        "--base-url",
        &server.uri(),
        "--with-token",
    ];

    let (code, out, err) = run_async(whoami_on(dir, &bus, &cfg, &args, GOOD)).await;
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("no OS keyring available"), "{err}");
    assert!(err.contains("--insecure-storage"), "{err}");
    assert!(!cfg.exists(), "nothing written");
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "nothing sent"
    );

    let mut with_file = args.to_vec();
    with_file.push("--insecure-storage");
    let (code, out, err) = run_async(whoami_on(dir, &bus, &cfg, &with_file, GOOD)).await;
    assert_eq!(code, 0, "{out}{err}");
    let token_file = dir.join("conf/tokens/chatwoot");
    assert_eq!(read(&token_file), GOOD);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&token_file), 0o600);
    assert_eq!(mode(&cfg), 0o600);
    let written = read(&cfg);
    assert!(written.contains("[chatwoot]\n"), "{written}");
    assert!(
        !written.contains("provider ="),
        "the account is named after its provider: {written}"
    );
    assert!(
        written.contains(&format!("file = \"{}\"", token_file.display())),
        "{written}"
    );
    assert_no_secret(&[GOOD], &[&written, &out, &err], "insecure storage");

    let (code, out, err) = run_async(whoami_on(dir, &bus, &cfg, &["-p", "chatwoot"], "")).await;
    assert_eq!(code, 0, "{out}{err}");

    let (code, out, err) = run_async(whoami_on(
        dir,
        &bus,
        &cfg,
        &["logout", "-a", "chatwoot"],
        "",
    ))
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(!token_file.exists());
    assert!(!read(&cfg).contains("[chatwoot]"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_token_or_a_bad_request_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let server = chatwoot().await;
    let cfg = dir.join("config.toml");
    let bus = no_bus(dir);
    let login = |extra: &[&str], stdin: &str| {
        let url: &str = Box::leak(server.uri().into_boxed_str());
        let mut args = vec![
            "login",
            "-p",
            "chatwoot",
            "--insecure-storage",
            "--base-url",
            url,
        ];
        args.extend_from_slice(extra);
        whoami_on(dir, &bus, &cfg, &args, stdin)
    };

    // Rejected: exit 1, nothing written anywhere.
    let (code, out, err) = run_async(login(&["--with-token"], BAD)).await;
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("rejected the token; nothing saved"), "{err}");
    assert!(!cfg.exists() && !dir.join("tokens").exists());
    assert_no_secret(&[BAD], &[&out, &err], "rejected");

    // Not a terminal and no --with-token; an empty token; an unknown setting; a provider
    // that does not exist: exit 2 before anything is sent.
    let sent = server.received_requests().await.unwrap().len();
    for (extra, stdin, needle) in [
        (&[][..], GOOD, "--with-token"),
        (&["--with-token"][..], "  \n", "no token given"),
        (
            &["--with-token", "--set", "colour=red"][..],
            GOOD,
            "has no setting so named",
        ),
        (
            &["--with-token", "--set", "base_url=x"][..],
            GOOD,
            "use --base-url",
        ),
    ] {
        let (code, out, err) = run_async(login(extra, stdin)).await;
        assert_eq!(code, 2, "{extra:?}: {out}{err}");
        assert!(err.contains(needle), "{extra:?}: {err}");
        assert!(!cfg.exists(), "{extra:?}");
    }
    let (code, _, err) = run_async(whoami_on(
        dir,
        &bus,
        &cfg,
        &["login", "-p", "chatwot", "--with-token"],
        GOOD,
    ))
    .await;
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `chatwoot`"), "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), sent);

    // A provider whose base URL is required gets none: named before a token is read.
    let (code, _, err) = run_async(whoami_on(
        dir,
        &bus,
        &cfg,
        &[
            "login",
            "-p",
            "zitadel",
            "--with-token",
            "--insecure-storage",
        ],
        GOOD,
    ))
    .await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("base_url is required"), "{err}");
    assert!(!cfg.exists());

    // logout of an account that is not there.
    std::fs::write(
        &cfg,
        "[work]\nprovider = \"chatwoot\"\ntoken = { env = \"X\" }\n",
    )
    .unwrap();
    let (code, _, err) = run_async(whoami_on(dir, &bus, &cfg, &["logout", "-a", "wrok"], "")).await;
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `work`"), "{err}");
    // A credential whoami did not store is left alone; the account goes.
    let (code, _, err) = run_async(whoami_on(dir, &bus, &cfg, &["logout", "-a", "work"], "")).await;
    assert_eq!(code, 0, "{err}");
    assert!(!read(&cfg).contains("[work]"));
}

/// A child on a new pseudo-terminal, its controlling terminal, so a prompt that opens
/// `/dev/tty` (hidden input) reads what is typed here.
mod pty {
    #![allow(unsafe_code)]

    use std::fs::File;
    use std::io::{Read, Write};
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    use std::process::{Child, Command};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    pub struct Terminal {
        pub child: Child,
        master: File,
        screen: Arc<Mutex<Vec<u8>>>,
        reader: Option<std::thread::JoinHandle<()>>,
    }

    impl Drop for Terminal {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    impl Terminal {
        pub fn spawn(cmd: &mut Command) -> Terminal {
            let (mut master, mut slave) = (0, 0);
            let opened = unsafe {
                libc::openpty(
                    &mut master,
                    &mut slave,
                    std::ptr::null_mut(),
                    std::ptr::null(),
                    std::ptr::null(),
                )
            };
            assert_eq!(opened, 0, "openpty: {}", std::io::Error::last_os_error());
            let (master, slave) =
                unsafe { (File::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
            cmd.stdin(slave.try_clone().unwrap())
                .stdout(slave.try_clone().unwrap())
                .stderr(slave);
            unsafe {
                cmd.pre_exec(|| {
                    if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
            let child = cmd.spawn().expect("spawns on the terminal");
            // The command keeps its copies of the terminal's other side until replaced: without
            // this the reader would never see the end.
            cmd.stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null());
            let screen = Arc::new(Mutex::new(Vec::new()));
            let mut reader = master.try_clone().unwrap();
            let seen = screen.clone();
            let reader = std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                // EIO once the child and every copy of the terminal's other side are gone.
                while let Ok(n @ 1..) = reader.read(&mut buf) {
                    seen.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            });
            Terminal {
                child,
                master,
                screen,
                reader: Some(reader),
            }
        }

        pub fn screen(&self) -> String {
            String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned()
        }

        /// Waits until the screen shows `text` (30 s at most, then fails with the screen).
        pub fn wait_for(&self, text: &str) {
            let deadline = Instant::now() + Duration::from_secs(30);
            while !self.screen().contains(text) {
                assert!(
                    Instant::now() < deadline,
                    "never showed {text:?}:\n{}",
                    self.screen()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }

        /// Waits until the terminal no longer echoes what is typed (a hidden prompt shows
        /// itself a moment before it turns echo off).
        pub fn wait_for_hidden_input(&self) {
            use std::os::fd::AsRawFd;
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                let mut termios: libc::termios = unsafe { std::mem::zeroed() };
                let read = unsafe { libc::tcgetattr(self.master.as_raw_fd(), &mut termios) };
                assert_eq!(read, 0, "tcgetattr: {}", std::io::Error::last_os_error());
                if termios.c_lflag & libc::ECHO == 0 {
                    return;
                }
                assert!(
                    Instant::now() < deadline,
                    "echo never went off:\n{}",
                    self.screen()
                );
                std::thread::sleep(Duration::from_millis(5));
            }
        }

        pub fn type_line(&mut self, line: &str) {
            self.master
                .write_all(format!("{line}\n").as_bytes())
                .unwrap();
        }

        /// The exit code, once the child has ended (30 s at most) and all it wrote is read.
        pub fn wait(&mut self) -> i32 {
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                if let Some(status) = self.child.try_wait().unwrap() {
                    // The reader ends at the terminal's end: everything shown is in `screen`.
                    if let Some(reader) = self.reader.take() {
                        reader.join().unwrap();
                    }
                    return status.code().unwrap_or(-1);
                }
                assert!(
                    Instant::now() < deadline,
                    "still running:\n{}",
                    self.screen()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_terminal_the_token_is_asked_for_hidden_and_a_file_offered() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let server = chatwoot().await;
    let cfg = dir.join("config.toml");
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin!("whoami"));
    cmd.env_clear()
        .envs(hermetic_env(dir))
        .envs(keyring_env(dir))
        .env("DBUS_SESSION_BUS_ADDRESS", no_bus(dir))
        .env("TERM", "dumb")
        .current_dir(dir)
        .arg("--config")
        .arg(&cfg)
        .args(["login", "-p", "chatwoot", "--base-url", &server.uri()]);
    let screen = tokio::task::spawn_blocking(move || {
        let mut terminal = pty::Terminal::spawn(&mut cmd);
        terminal.wait_for("[y/N] ");
        terminal.type_line("y");
        terminal.wait_for("(hidden): ");
        terminal.wait_for_hidden_input();
        terminal.type_line(GOOD);
        let code = terminal.wait();
        (code, terminal.screen())
    })
    .await
    .unwrap();
    let (code, screen) = screen;
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("no OS keyring available"), "{screen}");
    assert!(
        screen.contains("Chatwoot token for `chatwoot` (hidden): "),
        "{screen}"
    );
    assert_no_secret(&[GOOD], &[&screen], "typed token echoed");
    assert_eq!(read(&dir.join("tokens/chatwoot")), GOOD);
    assert!(read(&cfg).contains("tokens/chatwoot"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_keep_links_absolute_paths_and_files_login_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    // Resolved: the temporary folder may itself be behind a link (macOS).
    let dir = &std::fs::canonicalize(dir.path()).unwrap();
    let server = chatwoot().await;
    let bus = no_bus(dir);
    let url = server.uri();
    // The config is a link into a dotfiles folder, named by a relative path.
    std::fs::create_dir_all(dir.join("dotfiles")).unwrap();
    let real = dir.join("dotfiles/whoami.toml");
    let own_token = dir.join("my-token");
    std::fs::write(&own_token, NEWER).unwrap();
    std::fs::write(
        &real,
        format!(
            "[mine]\nprovider = \"chatwoot\"\nbase_url = \"{url}\"\ntoken = {{ file = \"{}\" }}\n",
            own_token.display()
        ),
    )
    .unwrap();
    std::os::unix::fs::symlink(&real, dir.join("link.toml")).unwrap();
    let rel = Path::new("link.toml");
    let args = [
        "login",
        "-p",
        "chatwoot",
        "--base-url",
        &url,
        "--with-token",
        "--insecure-storage",
    ];
    let (code, out, err) = run_async(whoami_on(dir, &bus, rel, &args, GOOD)).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        std::fs::symlink_metadata(dir.join("link.toml"))
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link is still a link"
    );
    let written = read(&real);
    // Beside the file the link points to, named absolutely: valid from any folder.
    let token_file = dir.join("dotfiles/tokens/chatwoot");
    assert_eq!(read(&token_file), GOOD);
    assert!(
        written.contains(&format!("file = \"{}\"", token_file.display())),
        "{written}"
    );

    // A credential file of the user's own is left alone by logout.
    let (code, _, err) = run_async(whoami_on(dir, &bus, rel, &["logout", "-a", "mine"], "")).await;
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("left its credential (file "), "{err}");
    assert_eq!(read(&own_token), NEWER);
    assert!(!read(&real).contains("[mine]"));

    // Names login must not take: a reserved table, one that shares another's variables, one
    // that looks like a credential (never repeated); and logout never removes [defaults].
    std::fs::write(&real, "[defaults]\ntimeout = \"5s\"\n\n[work-x]\nprovider = \"chatwoot\"\ntoken = { env = \"A\" }\n").unwrap();
    let before = read(&real);
    let pasted = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
    for (name, needle) in [
        ("defaults", "reserved"),
        ("work_x", "WHOAMI_WORK_X_"),
        (pasted, "looks like a credential"),
    ] {
        let args = [
            "login",
            "-p",
            "chatwoot",
            "-a",
            name,
            "--base-url",
            &url,
            "--with-token",
            "--insecure-storage",
        ];
        let (code, out, err) = run_async(whoami_on(dir, &bus, rel, &args, GOOD)).await;
        assert_eq!(code, 2, "{name}: {out}{err}");
        assert!(err.contains(needle), "{name}: {err}");
        assert_no_secret(&[pasted, GOOD], &[&out, &err], name);
        assert_eq!(read(&real), before, "{name}");
    }
    let (code, _, err) =
        run_async(whoami_on(dir, &bus, rel, &["logout", "-a", "defaults"], "")).await;
    assert_eq!(code, 2, "{err}");
    assert_eq!(read(&real), before);
    assert!(!dir.join("dotfiles/tokens/work_x").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_first_written_through_a_linked_folder_is_still_ours() {
    let dir = tempfile::tempdir().unwrap();
    let dir = &std::fs::canonicalize(dir.path()).unwrap();
    let server = chatwoot().await;
    let bus = no_bus(dir);
    let url = server.uri();
    std::fs::create_dir(dir.join("real")).unwrap();
    std::os::unix::fs::symlink(dir.join("real"), dir.join("linked")).unwrap();
    // The config and its folder do not exist yet; the folder is reached through a link.
    let cfg = dir.join("linked/whoami/config.toml");
    let login = |extra: &[&str], token: &str| {
        let mut args = vec![
            "login",
            "-p",
            "chatwoot",
            "--base-url",
            &url,
            "--with-token",
        ];
        args.extend_from_slice(extra);
        whoami_on(dir, &bus, &cfg, &args, token)
    };
    let (code, out, err) = run_async(login(&["--insecure-storage"], GOOD)).await;
    assert_eq!(code, 0, "{out}{err}");
    let token_file = dir.join("real/whoami/tokens/chatwoot");
    assert_eq!(read(&token_file), GOOD);
    // Logging in again is a replacement of our own file (with --force), not a takeover.
    let (code, out, err) = run_async(login(&["--insecure-storage", "--force"], NEWER)).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(!err.contains("did not refer to"), "{err}");
    assert_eq!(read(&token_file), NEWER);
    let (code, out, err) = run_async(whoami_on(
        dir,
        &bus,
        &cfg,
        &["logout", "-a", "chatwoot"],
        "",
    ))
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(!token_file.exists(), "{err}");

    // A token file no config refers to is not taken over without --force.
    std::fs::write(&token_file, "someone-elses-token-1234").unwrap();
    let (code, _, err) = run_async(login(&["--insecure-storage"], GOOD)).await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("already stored in"), "{err}");
    assert_eq!(read(&token_file), "someone-elses-token-1234");
}
