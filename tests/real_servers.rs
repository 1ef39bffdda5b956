//! Built-in definitions against the real servers they describe, installed by
//! `scripts/real-servers/install` (pinned versions, in target/real-servers/) and started here on
//! 127.0.0.1: Synapse (`matrix`), Jupyter Server (`jupyter`) and Verdaccio (`npm`). Each test
//! creates a user, gets a real token for it, and checks that `whoami` names that user, that a
//! wrong token is rejected, and that no token reaches the output.
//!
//! When the servers cannot be installed (no registry at hand) a test prints
//! `SKIPPED real-server test …` on stderr and returns, unless `WHOAMI_REAL_SERVERS=required`
//! (CI), where it fails.

mod common;

use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};

/// How long a server may take to answer its first request.
const STARTUP: Duration = Duration::from_secs(60);

/// target/real-servers, once the install script has run (once per test binary), or why not.
fn installed(test: &str) -> Option<PathBuf> {
    /// The install's outcome: the servers' root, or (one line saying why not, all it said).
    static INSTALL: OnceLock<Result<PathBuf, (String, String)>> = OnceLock::new();
    let result = INSTALL.get_or_init(|| {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let script = repo.join("scripts/real-servers/install");
        let out = Command::new("bash")
            .arg(&script)
            .current_dir(repo)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| {
                let why = format!("cannot run {}: {e}", script.display());
                (why.clone(), why)
            })?;
        let said = String::from_utf8_lossy(&out.stderr).into_owned();
        if out.status.success() {
            return Ok(repo.join("target/real-servers"));
        }
        let last = said.lines().rev().find(|l| !l.trim().is_empty());
        let why = format!(
            "scripts/real-servers/install failed ({}): {}",
            out.status,
            last.unwrap_or("no message")
        );
        Err((why, said))
    });
    let (why, said) = match result {
        Ok(root) => return Some(root.clone()),
        Err(failure) => failure,
    };
    if std::env::var("WHOAMI_REAL_SERVERS").as_deref() == Ok("required") {
        panic!("real-server test {test}: WHOAMI_REAL_SERVERS=required, but {why}\n{said}");
    }
    // Straight to stderr, in one write, not `eprintln!`: the test harness would swallow that
    // for a test that passes, and a skip must be seen.
    let line = format!(
        "\n!!!!!!!! SKIPPED real-server test {test}: {why}\n\
         !!!!!!!! (run scripts/real-servers/install to see all it says; \
         WHOAMI_REAL_SERVERS=required makes this a failure)\n"
    );
    let _ = std::io::stderr().write_all(line.as_bytes());
    None
}

/// A port on 127.0.0.1 that was free a moment ago.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A random token-like string (letters and digits).
fn random(len: usize) -> String {
    std::iter::repeat_with(fastrand::alphanumeric)
        .take(len)
        .collect()
}

/// A running server: its own process group, killed (with its children) when dropped, panic or
/// not. Its stdout and stderr go to `log`.
struct Server {
    name: &'static str,
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    fn start(name: &'static str, port: u16, dir: &Path, cmd: &mut Command) -> Server {
        let log = dir.join(format!("{name}.log"));
        let file = File::create(&log).unwrap();
        let child = cmd
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir)
            .env("LANG", "C.UTF-8")
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name} ({cmd:?}): {e}"));
        Server {
            name,
            child,
            port,
            log,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The last lines of the server's log, for failure messages.
    fn tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let from = lines.len().saturating_sub(40);
        format!(
            "--- last lines of {} ({}) ---\n{}",
            self.name,
            self.log.display(),
            lines[from..].join("\n")
        )
    }

    /// Polls `GET path` until the server answers `200`, for at most `STARTUP`.
    fn wait_ready(&mut self, path: &str) {
        let started = Instant::now();
        loop {
            if let Ok((200, _)) = http(self.port, "GET", path, &[], None) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{} exited before answering ({status})\n{}",
                    self.name,
                    self.tail()
                );
            }
            assert!(
                started.elapsed() < STARTUP,
                "{} did not answer GET {path} within {STARTUP:?}\n{}",
                self.name,
                self.tail()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// A request that must succeed (2xx), its body as JSON.
    fn call(&self, method: &str, path: &str, body: &Value) -> Value {
        let body = body.to_string();
        let headers = [("Content-Type", "application/json")];
        let (status, text) = http(self.port, method, path, &headers, Some(&body))
            .unwrap_or_else(|e| panic!("{method} {path}: {e}\n{}", self.tail()));
        assert!(
            (200..300).contains(&status),
            "{method} {path}: HTTP {status}: {text}\n{}",
            self.tail()
        );
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{method} {path}: not JSON ({e}): {text}\n{}", self.tail()))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        use nix::sys::signal::{Signal, killpg};
        use nix::unistd::Pid;
        // The group is the child's pid (process_group(0)): the server and all it started.
        let group = Pid::from_raw(self.child.id() as i32);
        let _ = killpg(group, Signal::SIGKILL);
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.0 client (so no chunked answers) for setting up the servers: (status, body).
fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    let mut request = format!("{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    let body = body.unwrap_or("");
    if !body.is_empty() || method != "GET" {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("Connection: close\r\n\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes())?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let answer = String::from_utf8_lossy(&answer);
    let bad = || std::io::Error::other(format!("not an HTTP answer: {answer:?}"));
    let (head, body) = answer.split_once("\r\n\r\n").ok_or_else(bad)?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(bad)?;
    Ok((status, body.to_string()))
}

/// What one `whoami -p <provider> --base-url <url> -o json` run gave.
struct Run {
    code: i32,
    out: String,
    err: String,
}

impl Run {
    fn json(&self) -> Value {
        json(&self.out)
    }
}

fn whoami_with(dir: &Path, provider: &str, url: &str, token: &str) -> Run {
    let var = format!("WHOAMI_{}_TOKEN", provider.to_uppercase());
    let (code, out, err) =
        run(whoami(dir)
            .env(var, token)
            .args(["-p", provider, "--base-url", url, "-o", "json"]));
    Run { code, out, err }
}

/// The checks every provider gets: `good` names the user (`expect`: dotted paths into the
/// result and their values), `wrong` is rejected as an invalid credential, and neither token
/// is in any output.
fn check(server: &Server, provider: &str, good: &str, expect: &[(&str, Value)]) {
    let dir = tempfile::tempdir().unwrap();
    let url = server.url();
    let wrong = format!("wrong{}", random(32));

    let secrets = [good, wrong.as_str()];
    let ok = whoami_with(dir.path(), provider, &url, good);
    assert_no_secret(&secrets, &[&ok.out, &ok.err], provider);
    let context = |r: &Run| format!("stdout:\n{}\nstderr:\n{}\n{}", r.out, r.err, server.tail());
    assert_eq!(ok.code, 0, "{provider}: a real token\n{}", context(&ok));
    let result = ok.json();
    assert_eq!(result["status"], "ok", "{}", context(&ok));
    assert_eq!(result["provider"], provider, "{}", context(&ok));
    for (path, value) in expect {
        assert_eq!(
            at(&result, path),
            Some(value),
            "{provider}: {path}\n{}",
            context(&ok)
        );
    }

    let bad = whoami_with(dir.path(), provider, &url, &wrong);
    assert_no_secret(&secrets, &[&bad.out, &bad.err], provider);
    assert_eq!(
        bad.code,
        1,
        "{provider}: a wrong token must be rejected\n{}",
        context(&bad)
    );
    let result = bad.json();
    assert_eq!(result["status"], "rejected", "{}", context(&bad));
    assert_eq!(
        result["error"]["kind"],
        "invalid_credential",
        "{}",
        context(&bad)
    );
}

#[test]
fn matrix_against_synapse() {
    let Some(root) = installed("matrix_against_synapse") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let port = free_port();
    let shared_secret = random(32);
    // A signing key in Synapse's format (`ed25519 <key id> <unpadded base64 seed>`), so that
    // starting does not need a separate `--generate-keys` run.
    let seed: Vec<u8> = std::iter::repeat_with(|| fastrand::u8(..))
        .take(32)
        .collect();
    use base64::Engine as _;
    let seed = base64::engine::general_purpose::STANDARD_NO_PAD.encode(seed);
    std::fs::write(d.join("signing.key"), format!("ed25519 a_test {seed}\n")).unwrap();
    let config = format!(
        r#"server_name: "localhost"
listeners:
  - port: {port}
    bind_addresses: ["127.0.0.1"]
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: "{db}"
media_store_path: "{media}"
signing_key_path: "{key}"
registration_shared_secret: "{shared_secret}"
macaroon_secret_key: "{macaroon}"
form_secret: "{form}"
report_stats: false
enable_metrics: false
trusted_key_servers: []
suppress_key_server_warning: true
"#,
        db = d.join("homeserver.db").display(),
        media = d.join("media").display(),
        key = d.join("signing.key").display(),
        macaroon = random(32),
        form = random(32),
    );
    let config_path = d.join("homeserver.yaml");
    std::fs::write(&config_path, config).unwrap();
    let python = root.join("venv/bin/python");
    let mut server = Server::start(
        "synapse",
        port,
        d,
        Command::new(&python)
            .args(["-m", "synapse.app.homeserver", "-c"])
            .arg(&config_path),
    );
    server.wait_ready("/_matrix/client/versions");

    let password = random(24);
    let out = Command::new(root.join("venv/bin/register_new_matrix_user"))
        .args([
            "-u",
            "ada",
            "-p",
            &password,
            "--no-admin",
            "-k",
            &shared_secret,
        ])
        .arg(server.url())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "register_new_matrix_user: {}{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        server.tail()
    );
    let login = server.call(
        "POST",
        "/_matrix/client/v3/login",
        &json!({
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": "ada"},
            "password": password,
        }),
    );
    let token = login["access_token"].as_str().expect("access_token");
    let device = login["device_id"].clone();
    assert_eq!(login["user_id"], "@ada:localhost", "{login}");

    check(
        &server,
        "matrix",
        token,
        &[
            ("profile.id", json!("@ada:localhost")),
            ("profile.username", json!("ada")),
            ("profile.extra.server_name", json!("localhost")),
            ("profile.extra.device_id", device),
            ("profile.extra.is_guest", json!(false)),
        ],
    );

    // The same token, logged out on the server: now a verdict, rejected.
    let bearer = format!("Bearer {token}");
    let (status, text) = http(
        port,
        "POST",
        "/_matrix/client/v3/logout",
        &[
            ("Authorization", bearer.as_str()),
            ("Content-Type", "application/json"),
        ],
        Some("{}"),
    )
    .unwrap_or_else(|e| panic!("logout: {e}\n{}", server.tail()));
    assert_eq!(status, 200, "logout: {text}\n{}", server.tail());
    let out_dir = tempfile::tempdir().unwrap();
    let url = server.url();
    let logged_out = whoami_with(out_dir.path(), "matrix", &url, token);
    assert_eq!(
        logged_out.code, 1,
        "a logged-out token is rejected\n{}{}",
        logged_out.out, logged_out.err
    );
    assert_eq!(logged_out.json()["error"]["kind"], "invalid_credential");
    assert_no_secret(&[token], &[&logged_out.out, &logged_out.err], "logged out");

    // The server gone: not knowing is never a verdict.
    drop(server);
    let gone = whoami_with(out_dir.path(), "matrix", &url, token);
    assert_eq!(
        gone.code, 3,
        "a stopped server is \"could not tell\"\n{}{}",
        gone.out, gone.err
    );
    assert_eq!(gone.json()["status"], "error");
}

#[test]
fn jupyter_against_jupyter_server() {
    let Some(root) = installed("jupyter_against_jupyter_server") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let port = free_port();
    let token = random(48);
    std::fs::create_dir(d.join("notebooks")).unwrap();
    // The default identity provider names a token user at random ("Anonymous Io"): this one
    // names it Ada, as a JupyterHub single-user server names its user.
    let config_path = d.join("jupyter_server_config.py");
    std::fs::write(
        &config_path,
        r#"from jupyter_server.auth.identity import IdentityProvider, User


class Ada(IdentityProvider):
    def generate_anonymous_user(self, handler):
        return User(username="ada", name="Ada Example", display_name="Ada", initials="AE")


c.ServerApp.identity_provider_class = Ada
"#,
    )
    .unwrap();
    let mut server = Server::start(
        "jupyter-server",
        port,
        d,
        Command::new(root.join("venv/bin/jupyter-server"))
            .arg(format!("--config={}", config_path.display()))
            .arg(format!("--IdentityProvider.token={token}"))
            .args(["--ip=127.0.0.1", "--no-browser", "--allow-root"])
            .arg(format!("--port={port}"))
            .arg("--ServerApp.port_retries=0")
            .arg(format!(
                "--ServerApp.root_dir={}",
                d.join("notebooks").display()
            ))
            .env("JUPYTER_CONFIG_DIR", d.join("config"))
            .env("JUPYTER_DATA_DIR", d.join("data"))
            .env("JUPYTER_RUNTIME_DIR", d.join("runtime")),
    );
    server.wait_ready("/api");

    check(
        &server,
        "jupyter",
        &token,
        &[
            ("profile.id", json!("ada")),
            ("profile.username", json!("ada")),
            ("profile.display_name", json!("Ada")),
            ("profile.extra.name", json!("Ada Example")),
            ("profile.extra.initials", json!("AE")),
        ],
    );
}

#[test]
fn npm_against_verdaccio() {
    let Some(root) = installed("npm_against_verdaccio") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let port = free_port();
    let config_path = d.join("config.yaml");
    std::fs::write(
        &config_path,
        format!(
            r#"storage: "{storage}"
auth:
  htpasswd:
    file: "{htpasswd}"
    max_users: 10
uplinks: {{}}
packages:
  "**":
    access: $authenticated
    publish: $authenticated
web:
  enable: false
log: {{ type: stdout, format: pretty, level: http }}
"#,
            storage = d.join("storage").display(),
            htpasswd = d.join("htpasswd").display(),
        ),
    )
    .unwrap();
    let mut server = Server::start(
        "verdaccio",
        port,
        d,
        Command::new("node")
            .arg(root.join("node/node_modules/verdaccio/bin/verdaccio"))
            .arg("--config")
            .arg(&config_path)
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}")),
    );
    server.wait_ready("/-/ping");

    // `npm adduser`'s request: creates the user and answers with a token for it.
    let user = "ada.example";
    let created = server.call(
        "PUT",
        &format!("/-/user/org.couchdb.user:{user}"),
        &json!({"name": user, "password": random(24), "type": "user", "roles": []}),
    );
    let token = created["token"].as_str().expect("token");

    check(
        &server,
        "npm",
        token,
        &[
            ("profile.id", json!(user)),
            ("profile.username", json!(user)),
        ],
    );
}
