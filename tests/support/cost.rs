//! What a process costs, as the operating system counts it, and the large answers that
//! measure it: shared by the cost tests (`tests/cost.rs`) and the benchmark (`benches/perf.rs`).

// `wait4` is the only way to read one child's peak memory; std has no wrapper for it.
#![allow(unsafe_code, dead_code)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Wall time, CPU time and peak resident memory of one finished process.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    pub wall: Duration,
    pub cpu: Duration,
    pub max_rss_kib: i64,
    /// The exit code, or -1 when a signal ended it.
    pub status: i32,
}

impl Sample {
    pub fn rss_mib(&self) -> f64 {
        self.max_rss_kib as f64 / 1024.0
    }
}

/// Runs a command to completion (its output discarded unless the command says otherwise),
/// measuring it with `wait4` so the memory is its own.
///
/// Linux counts in a child's peak what it had before `exec`. Started the usual way (sharing
/// this process's memory until `exec`), that is this process's own peak; forked, it is only
/// what this process holds at the time. So the child is forked (a hook before `exec` makes
/// std fork), and a caller holds no large buffer when it measures; what the C allocator keeps
/// of memory freed earlier is handed back first. [`resident_mib`] is the floor that remains.
pub fn measure(cmd: &mut Command) -> Sample {
    use std::os::unix::process::CommandExt;
    trim();
    cmd.stdin(Stdio::null());
    // SAFETY: the hook does nothing, which is safe between fork and exec.
    unsafe {
        cmd.pre_exec(|| Ok(()));
    }
    let started = Instant::now();
    let child = cmd.spawn().expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child, status and usage are valid for writes.
    let waited = loop {
        // SAFETY: as above.
        let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if waited != -1 || std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted
        {
            break waited;
        }
    };
    let wall = started.elapsed();
    assert_eq!(waited, pid, "wait4 failed");
    std::mem::forget(child); // already reaped
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    Sample {
        wall,
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        max_rss_kib: usage.ru_maxrss,
        status: if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -1
        },
    }
}

/// Hands the memory this process freed back to the system (glibc keeps it otherwise), so that
/// a child forked now does not start out counting it.
fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// This process's resident memory now: the least a child forked from it can count.
pub fn resident_mib() -> f64 {
    trim();
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// A Hamravesh v1 profile of `n` organizations with the provider's many keys, each with its
/// role: about 3.4 KiB each (600 make 2 MiB, 300 make 1 MiB).
pub fn hamravesh_body(n: usize) -> String {
    let orgs: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"id": {i}, "name": "org-{i}", "creation_time": "2024-01-{:02}T10:00:00+03:30",
                "description": "{}", "owner": {{"email": "owner{i}@example.org", "full_name": "Owner {i}", "mobile": "0912000{i:04}"}},
                "balance": {}.5, "budget": 100.0, "credit": 0.0, "debt": 0.0, "is_active": true,
                "available_clusters": [{{"name": "c1", "region": "thr"}}, {{"name": "c2", "region": "ams"}}],
                "invitations": ["a{i}@example.org", "b{i}@example.org"],
                "features": {{"darkube": true, "object_storage": false, "dns": true, "cdn": false}},
                "invoice_settings": {{"national_id": "00{i:08}", "economic_code": "x"}},
                "k1": "v", "k2": "v", "k3": "v", "k4": "v", "k5": "v", "k6": "v", "k7": "v", "k8": "v",
                "k9": "v", "k10": "v", "k11": "v", "k12": "v", "k13": "v", "k14": "v", "k15": "v"}}"#,
                i % 28 + 1,
                "lorem ipsum ".repeat(220),
                i * 10
            )
        })
        .collect();
    let roles: Vec<String> = (0..n).map(|i| format!(r#""org-{i}": ["admin"]"#)).collect();
    format!(
        r#"{{"first_name": "Ada", "last_name": "Example", "full_name": "Ada Example", "email": "ada@example.org",
        "is_email_verified": true, "is_verified": true, "mobile": "09121234567", "national_id": "0012345678",
        "is_national_id_verified": true, "is_mobile_verified": true, "creation_time": "2023-05-01T08:00:00+03:30",
        "profile_settings": {{}}, "organization_roles": {{{}}}, "organizations": [{}]}}"#,
        roles.join(", "),
        orgs.join(", ")
    )
}

/// A Hamravesh profile of `n` tiny organizations (250 000 make about 7 MiB, under the 8 MiB
/// cap): the most objects an answer can hold, which is what memory is spent on.
pub fn many_organizations_body(n: usize) -> String {
    let mut body = String::from(
        r#"{"first_name":"Ada","last_name":"Example","email":"ada@example.org","organization_roles":{},"organizations":["#,
    );
    for i in 0..n {
        if i > 0 {
            body.push(',');
        }
        body += &format!(r#"{{"id":{i},"name":"o{i}"}}"#);
    }
    body += "]}";
    body
}
