//! Build facts for `whoami --version`: the commit the binary was built from and its target.
//! Outside the crate's own git checkout (a crates.io tarball, even one unpacked inside some
//! other repository) the commit is `unknown`.

use std::path::PathBuf;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    Command::new("git")
        .arg("--no-optional-locks")
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
}

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").map(PathBuf::from).ok();
    let own = git(&["rev-parse", "--show-toplevel"])
        .map(PathBuf::from)
        .and_then(|top| top.canonicalize().ok())
        .zip(manifest.and_then(|m| m.canonicalize().ok()))
        .is_some_and(|(top, manifest)| top == manifest);
    let commit = own
        .then(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .flatten()
        .filter(|s| !s.is_empty());
    let commit = match commit {
        Some(commit) => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty());
            if dirty {
                format!("{commit}-dirty")
            } else {
                commit
            }
        }
        None => "unknown".into(),
    };
    println!("cargo:rustc-env=WHOAMI_COMMIT={commit}");
    println!(
        "cargo:rustc-env=WHOAMI_TARGET={}",
        std::env::var("TARGET").unwrap_or_else(|_| "unknown".into())
    );
    // A new commit (HEAD, the branch it points to) or a change to the tree re-runs this
    // script; the paths come from git, so a worktree works too.
    if own {
        for path in ["HEAD", "index"] {
            if let Some(p) = git(&["rev-parse", "--git-path", path]) {
                println!("cargo:rerun-if-changed={p}");
            }
        }
        if let Some(branch) =
            git(&["symbolic-ref", "-q", "HEAD"]).and_then(|r| git(&["rev-parse", "--git-path", &r]))
        {
            println!("cargo:rerun-if-changed={branch}");
        }
        println!("cargo:rerun-if-changed=src");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
