//! Files generated from the code stay in step with it: shell completions, the README's table
//! of providers, the example config, and `init`'s skeleton.

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

    // A provider without a shared host needs a real instance URL, and its required settings.
    let other = dir.path().join("zitadel.toml");
    let init = |args: &[&str]| {
        run(whoami(dir.path())
            .arg("--config")
            .arg(&other)
            .arg("init")
            .args(args))
    };
    let (code, _, err) = init(&["-p", "zitadel"]);
    assert_eq!(code, 2);
    assert!(err.contains("--base-url https://"), "{err}");
    let (code, _, err) = init(&["-p", "zitadel", "--base-url", "https://id.example.com"]);
    assert_eq!(code, 2);
    assert!(err.contains("placeholder"), "{err}");
    let (code, _, err) = init(&[
        "-p",
        "atlassian",
        "--base-url",
        "https://acme.atlassian.net",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--set email="), "{err}");
    assert!(!other.exists(), "nothing written on a usage error");
    let (code, _, err) = init(&["-p", "zitadel", "--base-url", "https://auth.acme.dev"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = run(whoami(dir.path())
        .arg("--config")
        .arg(&other)
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

/// The README's providers table, made from the definitions themselves.
fn providers_table() -> String {
    let mut table = String::from(
        "| id | service | request | credential | default base URL |\n| --- | --- | --- | --- | --- |\n",
    );
    for p in profile_whoami::provider::PROVIDERS.iter() {
        let base = p
            .default_base_url()
            .map_or("required".to_string(), |u| format!("`{u}`"));
        table += &format!(
            "| `{}` | {} | `{}` | `{}` | {base} |\n",
            p.id(),
            p.name(),
            p.request_line(),
            p.auth_header().replace('|', "\\|"),
        );
    }
    table
}

#[test]
fn the_readme_lists_every_provider() {
    const START: &str = "<!-- providers: generated by tests/generated.rs -->\n";
    const END: &str = "<!-- /providers -->";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let start = readme
        .find(START)
        .expect("the README marks its providers table")
        + START.len();
    let end = start + readme[start..].find(END).expect("the table's end marker");
    let table = providers_table();
    if readme[start..end] != table && std::env::var_os("UPDATE_README").is_some() {
        std::fs::write(
            &path,
            format!("{}{table}{}", &readme[..start], &readme[end..]),
        )
        .unwrap();
        return;
    }
    assert!(
        readme[start..end] == table,
        "the README's providers table is stale; regenerate it with:\n  UPDATE_README=1 cargo test --test generated"
    );
    assert!(profile_whoami::provider::PROVIDERS.len() >= 37);
}

/// `rust-version` is the real minimum: the highest any locked dependency declares. Only the
/// dependencies of this machine's target are at hand offline (the keyring's macOS and Windows
/// stores are not downloaded here).
#[test]
fn rust_version_is_the_locked_dependencies_minimum() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .args(["--filter-platform", env!("WHOAMI_TARGET")])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // `1.89` is `1.89.0`.
    let version = |v: &str| -> Vec<u32> {
        let mut parts: Vec<u32> = v.split('.').filter_map(|p| p.parse().ok()).collect();
        parts.resize(3, 0);
        parts
    };
    let packages = metadata["packages"].as_array().unwrap();
    let (needed, by) = packages
        .iter()
        .filter(|p| p["name"] != "profile-whoami")
        .filter_map(|p| Some((version(p["rust_version"].as_str()?), p["name"].as_str()?)))
        .max()
        .unwrap();
    let ours = packages
        .iter()
        .find(|p| p["name"] == "profile-whoami")
        .and_then(|p| p["rust_version"].as_str())
        .map(version)
        .unwrap();
    assert!(
        ours >= needed,
        "rust-version {ours:?} is below what {by} needs ({needed:?})"
    );
}

/// The man page: clap's own sections (synopsis, options, subcommands) and ours (exit status,
/// configuration, environment, files). No version section: it would name the commit.
fn man_page() -> String {
    use clap::CommandFactory;
    let man = clap_mangen::Man::new(profile_whoami::cli::Cli::command())
        .source(format!("whoami {}", env!("CARGO_PKG_VERSION")))
        .manual("User Commands");
    let mut page = Vec::new();
    man.render_title(&mut page).unwrap();
    man.render_name_section(&mut page).unwrap();
    man.render_synopsis_section(&mut page).unwrap();
    man.render_description_section(&mut page).unwrap();
    man.render_options_section(&mut page).unwrap();
    man.render_subcommands_section(&mut page).unwrap();
    page.extend_from_slice(
        br#".SH "EXIT STATUS"
.TP
\fB0\fR
every selected credential was verified (or the subcommand succeeded)
.TP
\fB1\fR
a credential was rejected by its provider (invalid, expired, forbidden, \-\-min\-validity, \-\-expect)
.TP
\fB2\fR
usage or configuration error; nothing was sent
.TP
\fB3\fR
could not tell: timeout, refused connection, TLS, rate limit, server error, or an answer that is not the provider's
.TP
\fB4\fR
the output could not be written
.SH CONFIGURATION
A TOML file; each table is an account (\fBprovider\fR defaults to the table's name), \fB[defaults]\fR sets output, timeout, retries, jobs and color. A credential is a string, \fB{ env = "VAR" }\fR, \fB{ file = "PATH" }\fR or \fB{ command = "CMD" }\fR. \fBwhoami init\fR writes a commented skeleton; \fBwhoami config check\fR validates it without sending anything.
.SH ENVIRONMENT
.TP
\fBWHOAMI_CONFIG\fR
the config file, when \-\-config is not given
.TP
\fBWHOAMI_\fIACCOUNT\fB_\fIKEY\fR
any key of an account (\fBWHOAMI_CHATWOOT_TOKEN\fR, \fBWHOAMI_ZITADEL_BASE_URL\fR); wins over the file; \fBWHOAMI_\fIPROVIDER\fB_TOKEN\fR alone makes that provider's account
.TP
\fBWHOAMI_DEFAULTS_\fIKEY\fR
a key of [defaults]
.TP
\fBNO_COLOR\fR
no colour unless \-\-color always
.SH FILES
.TP
\fI~/.config/whoami/config.toml\fR
the config file ($XDG_CONFIG_HOME/whoami/config.toml)
.TP
\fI~/.config/whoami/providers/*.toml\fR
the user's own provider definitions (see \fBwhoami providers show\fR for the language)
.TP
\fI~/.config/whoami/tokens/ACCOUNT\fR
a token kept by \fBwhoami login --insecure-storage\fR (mode 0600) where no OS keyring is available
"#,
    );
    String::from_utf8(page).unwrap()
}

#[test]
fn the_man_page_is_fresh() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("man/whoami.1");
    let generated = man_page();
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated && std::env::var_os("UPDATE_MAN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    assert!(
        committed == generated,
        "man/whoami.1 is stale; regenerate it with:\n  UPDATE_MAN=1 cargo test --test generated"
    );
    for section in ["SYNOPSIS", "OPTIONS", "EXIT STATUS", "ENVIRONMENT", "FILES"] {
        assert!(generated.contains(section), "{section}");
    }
}
