//! The performance targets of the README ("Performance"), measured: `cargo bench --bench perf`.
//!
//! Offline, on loopback: it starts its own HTTP servers and compares whole-process wall time,
//! CPU time (user + system) and peak memory (max RSS), all from `wait4`, of the release `whoami`
//! with `curl` fetching the same endpoint. Medians over repeated runs; the commands compared in
//! one measurement take turns, so a change of load on the machine weighs on each alike (CPU
//! time moves less with the load than wall time does). It prints a report and never fails CI:
//! it is a measurement, not a timed test. `PERF_RUNS=N` changes the repetitions (default 30);
//! `PERF_BASELINE=/path/to/whoami` also measures that binary (e.g. built from an earlier
//! commit) in turn with this one, for a before/after under the same conditions.

// `wait4` is the only way to read one child's peak memory; std has no wrapper for it.
#![allow(unsafe_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Wall time, CPU time and peak resident memory of one finished process.
#[derive(Clone, Copy)]
struct Sample {
    wall: Duration,
    cpu: Duration,
    max_rss_kib: i64,
    status: i32,
}

/// Runs a command to completion, measuring it with `wait4` so the memory is its own.
fn measure(cmd: &mut Command) -> Sample {
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let started = Instant::now();
    let child = cmd.spawn().expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child, status and usage are valid for writes.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
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

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

struct Stats {
    wall_ms: f64,
    cpu_ms: f64,
    rss_mib: f64,
    failures: usize,
}

impl Stats {
    fn of(samples: &[Sample], expect_status: i32) -> Stats {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        Stats {
            wall_ms: median(samples.iter().map(|s| ms(s.wall)).collect()),
            cpu_ms: median(samples.iter().map(|s| ms(s.cpu)).collect()),
            rss_mib: median(
                samples
                    .iter()
                    .map(|s| s.max_rss_kib as f64 / 1024.0)
                    .collect(),
            ),
            failures: samples.iter().filter(|s| s.status != expect_status).count(),
        }
    }

    /// `  label  wall ms  cpu ms  MiB` (then whatever the measurement adds).
    fn line(&self, label: &str) -> String {
        format!(
            "  {label:<9} {:7.1} ms  cpu {:6.1} ms  {:6.1} MiB",
            self.wall_ms, self.cpu_ms, self.rss_mib
        )
    }
}

/// Runs each command `runs` times, in turns (one of each, then again), and the stats of each.
fn repeat(
    runs: usize,
    expect_status: i32,
    commands: &mut [&mut dyn FnMut() -> Command],
) -> Vec<Stats> {
    let mut samples: Vec<Vec<Sample>> = vec![Vec::with_capacity(runs); commands.len()];
    for _ in 0..runs {
        for (make, samples) in commands.iter_mut().zip(&mut samples) {
            samples.push(measure(&mut make()));
        }
    }
    samples
        .iter()
        .map(|s| Stats::of(s, expect_status))
        .collect()
}

/// This build's `whoami`, then the baseline's (`PERF_BASELINE`) when there is one.
fn whoami_bins() -> Vec<(&'static str, PathBuf)> {
    let mut bins = vec![("whoami", PathBuf::from(env!("CARGO_BIN_EXE_whoami")))];
    if let Some(baseline) = std::env::var_os("PERF_BASELINE") {
        bins.push(("baseline", PathBuf::from(baseline)));
    }
    bins
}

fn whoami(bin: &Path, dir: &Path, config: &Path) -> Command {
    let mut cmd = Command::new(bin);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .arg("--config")
        .arg(config);
    cmd
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A Hamravesh v1 profile of about 2 MiB: 600 organizations with the provider's many keys.
fn big_hamravesh_body() -> String {
    let orgs: Vec<String> = (0..600)
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
    let roles: Vec<String> = (0..600)
        .map(|i| format!(r#""org-{i}": ["admin"]"#))
        .collect();
    format!(
        r#"{{"first_name": "Ada", "last_name": "Example", "full_name": "Ada Example", "email": "ada@example.org",
        "is_email_verified": true, "is_verified": true, "mobile": "09121234567", "national_id": "0012345678",
        "is_national_id_verified": true, "is_mobile_verified": true, "creation_time": "2023-05-01T08:00:00+03:30",
        "profile_settings": {{}}, "organization_roles": {{{}}}, "organizations": [{}]}}"#,
        roles.join(", "),
        orgs.join(", ")
    )
}

fn main() {
    // `cargo bench` passes --bench; a filter argument is not used.
    let runs: usize = std::env::var("PERF_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let profile = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/chatwoot/profile.json"),
    )
    .unwrap();

    let fast = runtime.block_on(async {
        let s = MockServer::start().await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(200).set_body_raw(profile.clone(), "application/json"),
            )
            .mount(&s)
            .await;
        s
    });
    let slow = runtime.block_on(async {
        let s = MockServer::start().await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(profile.clone(), "application/json")
                    .set_delay(Duration::from_millis(200)),
            )
            .mount(&s)
            .await;
        s
    });

    let mut report = String::new();
    let machine = format!(
        "{} cores, {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(
                |c| c.lines().find(|l| l.starts_with("model name")).map(|l| l
                    .split(':')
                    .nth(1)
                    .unwrap_or("")
                    .trim()
                    .to_string())
            )
            .unwrap_or_else(|| "unknown CPU".into())
    );
    report += &format!("machine: {machine}\nruns per measurement: {runs} (medians)\n\n");

    // 1. One lookup against curl.
    let token = "bench-token-0123456789abcdef";
    let single = write(
        dir,
        "single.toml",
        &format!(
            "[chatwoot]\nbase_url = \"{}\"\ntoken = \"{token}\"\n",
            fast.uri()
        ),
    );
    let url = format!("{}/api/v1/profile", fast.uri());
    let bins = whoami_bins();
    let mut lookups: Vec<Box<dyn FnMut() -> Command>> = Vec::new();
    for (_, bin) in &bins {
        let single = &single;
        lookups.push(Box::new(move || {
            let mut c = whoami(bin, dir, single);
            c.args(["-p", "chatwoot", "-o", "json"]);
            c
        }));
    }
    lookups.push(Box::new(|| {
        let mut c = Command::new("curl");
        c.args([
            "-sS",
            "-o",
            "/dev/null",
            "-H",
            &format!("api_access_token: {token}"),
            "-H",
            "Accept: application/json",
            &url,
        ]);
        c
    }));
    let mut commands: Vec<&mut dyn FnMut() -> Command> =
        lookups.iter_mut().map(|c| &mut **c as _).collect();
    let stats = repeat(runs, 0, &mut commands);
    let curl = stats.last().expect("curl was measured");
    report += "one lookup (whoami -p chatwoot -o json vs curl, same local endpoint)\n";
    for ((label, _), ours) in bins.iter().zip(&stats) {
        report += &format!("{}  (failures: {})\n", ours.line(label), ours.failures);
    }
    report += &format!("{}  (failures: {})\n", curl.line("curl"), curl.failures);
    for ((label, _), ours) in bins.iter().zip(&stats) {
        report += &format!(
            "  ratio {label:<9} {:5.2}x      cpu {:6.2}x     {:6.2}x     target <= 1.5x\n",
            ours.wall_ms / curl.wall_ms,
            ours.cpu_ms / curl.cpu_ms,
            ours.rss_mib / curl.rss_mib
        );
    }
    report += "\n";

    // 2. --all over 100 accounts answering after 200 ms.
    let mut many = String::new();
    for i in 0..100 {
        many += &format!(
            "[acct-{i:03}]\nprovider = \"chatwoot\"\nbase_url = \"{}\"\ntoken = \"{token}\"\n",
            slow.uri()
        );
    }
    let many = write(dir, "many.toml", &many);
    let all_runs = (runs / 5).max(3);
    report += "--all over 100 accounts, server answers after 200 ms\n";
    for jobs in [50usize, 16] {
        let mut runs_of: Vec<Box<dyn FnMut() -> Command>> = Vec::new();
        for (_, bin) in &bins {
            let many = &many;
            runs_of.push(Box::new(move || {
                let mut c = whoami(bin, dir, many);
                c.args(["--all", "-o", "json", "--jobs", &jobs.to_string()]);
                c
            }));
        }
        let mut commands: Vec<&mut dyn FnMut() -> Command> =
            runs_of.iter_mut().map(|c| &mut **c as _).collect();
        let floor = 100usize.div_ceil(jobs) as f64 * 200.0;
        let target = floor * 1.15 + 200.0;
        for ((label, _), stats) in bins.iter().zip(repeat(all_runs, 0, &mut commands)) {
            report += &format!(
                "{}  --jobs {jobs}: floor {floor:.0} ms, target <= {target:.0} ms  (failures: {})\n",
                stats.line(label),
                stats.failures
            );
        }
    }
    let slow_url = format!("{}/api/v1/profile", slow.uri());
    let started = Instant::now();
    for _ in 0..100 {
        let mut c = Command::new("curl");
        c.args([
            "-sS",
            "-o",
            "/dev/null",
            "-H",
            &format!("api_access_token: {token}"),
            &slow_url,
        ]);
        measure(&mut c);
    }
    report += &format!(
        "  sequential curl loop {:7.1} ms\n\n",
        started.elapsed().as_secs_f64() * 1000.0
    );

    // 3. --input of a 2 MiB Hamravesh body.
    let body = big_hamravesh_body();
    let input = write(dir, "hamravesh.json", &body);
    let empty = write(dir, "empty.toml", "");
    report += &format!(
        "--input of a {:.1} MiB Hamravesh body (600 organizations), whole process\n",
        body.len() as f64 / 1048576.0
    );
    for format in ["table", "json"] {
        let mut runs_of: Vec<Box<dyn FnMut() -> Command>> = Vec::new();
        for (_, bin) in &bins {
            let (empty, input) = (&empty, &input);
            runs_of.push(Box::new(move || {
                let mut c = whoami(bin, dir, empty);
                c.args(["-p", "hamravesh", "-o", format, "--input"])
                    .arg(input);
                c
            }));
        }
        let mut commands: Vec<&mut dyn FnMut() -> Command> =
            runs_of.iter_mut().map(|c| &mut **c as _).collect();
        for ((label, _), stats) in bins.iter().zip(repeat(runs, 0, &mut commands)) {
            report += &format!(
                "{}  -o {format}: target < 40 ms  (failures: {})\n",
                stats.line(label),
                stats.failures
            );
        }
    }

    let mut out = std::io::stdout().lock();
    let _ = out.write_all(report.as_bytes());
}
