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

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[path = "../tests/support/cost.rs"]
mod cost;

use cost::Sample;

/// Runs a command to completion, its output discarded, measured with `wait4`.
fn measure(cmd: &mut Command) -> Sample {
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    cost::measure(cmd)
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

/// Hamravesh's organization mapping (`providers/hamravesh.toml`) as a jq program on the whole
/// body: jq doing the work a check does, beside `jq .` doing the least. (`trim` is defined
/// for jq releases before 1.7.)
const JQ_MAPPING: &str = r#"
def trim: sub("^\\s+"; "") | sub("\\s+$"; "");
. as $root
| "" as $text | [] as $list | {} as $map
| (($root.organization_roles | objects) // $map) as $by
| ($by == $map) as $no_table
| def role:
    if . < $text then empty
    elif . < $list then trim
    elif . < $map then empty
    else .name | select(. >= $text and . < $list) | trim end
    | select(. != $text);
  def roles:
    if . < $text then null
    elif . < $list then role
    elif . < $map then
      if length == 1 then (.[0] | role) // null
      else [.[] | role] | if length == 0 then null elif length == 1 then .[0] else join(", ") end
      end
    else null end;
  def mapped:
    {id, name,
     role: ((.current_user_roles | roles)
            // ($by[.name]? | roles)
            // ($by[.id | if . < $text then select(. > true) | tostring elif . < $list then . else empty end]
                | roles)
            // null)};
  if $no_table then .organizations[] | if . < $map then empty elif has("current_user_roles") then mapped else . end
  else .organizations[] | if . < $map then empty else mapped end end
"#;

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
    report += &format!(
        "machine: {machine}\nruns per measurement: {runs} (medians)\n\
         (a measured process counts this one's resident memory as it starts: {:.1} MiB now)\n\n",
        cost::resident_mib()
    );

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

    // 3. Large answers through --input, side by side with `jq .` on the same file.
    report += &format!(
        "(a measured process counts this one's resident memory as it starts: {:.1} MiB now)\n",
        cost::resident_mib()
    );
    let empty = write(dir, "empty.toml", "");
    // The bodies go to files at once: a process started while this one holds megabytes would
    // count them in its own peak (a child's peak includes what it shared with its parent
    // before `exec`).
    let realistic = write(dir, "realistic.json", &cost::hamravesh_body(600));
    let heavy = write(dir, "many.json", &cost::many_organizations_body(250_000));
    let cases = [
        (
            "realistic",
            "Hamravesh body (600 organizations)",
            realistic,
            runs,
        ),
        (
            "many",
            "Hamravesh body (250 000 tiny organizations)",
            heavy,
            (runs / 5).max(3),
        ),
    ];
    for (name, what, input, runs) in cases {
        let size_mib = std::fs::metadata(&input).map_or(0, |m| m.len()) as f64 / 1048576.0;
        report += &format!("--input of a {size_mib:.1} MiB {what}, whole process, vs jq . FILE\n");
        let variants: &[&[&str]] = match name {
            "realistic" => &[&["-o", "table"], &["-o", "json"]],
            _ => &[
                &["-o", "table"],
                &["-o", "json"],
                &["-o", "json", "--raw"],
                &["-o", "table", "--raw"],
                &["-o", "yaml"],
            ],
        };
        let mut runs_of: Vec<(String, Box<dyn FnMut() -> Command>)> = Vec::new();
        for (label, bin) in &bins {
            for args in variants {
                let (empty, input) = (&empty, &input);
                runs_of.push((
                    format!("{label} {}", args.join(" ")),
                    Box::new(move || {
                        let mut c = whoami(bin, dir, empty);
                        c.args(["-p", "hamravesh", "--input"])
                            .arg(input)
                            .args(*args);
                        c
                    }),
                ));
            }
        }
        let jq_input = input.clone();
        runs_of.push((
            "jq .".into(),
            Box::new(move || {
                let mut c = Command::new("jq");
                c.arg(".").arg(&jq_input);
                c
            }),
        ));
        // jq doing the work whoami does with the body: Hamravesh's organization mapping.
        let mapping = write(dir, "mapping.jq", JQ_MAPPING);
        let jq_input = input.clone();
        runs_of.push((
            "jq -c -f mapping.jq".into(),
            Box::new(move || {
                let mut c = Command::new("jq");
                c.arg("-c").arg("-f").arg(&mapping).arg(&jq_input);
                c
            }),
        ));
        let mut commands: Vec<&mut dyn FnMut() -> Command> =
            runs_of.iter_mut().map(|(_, c)| &mut **c as _).collect();
        let stats = repeat(runs, 0, &mut commands);
        let jq = &stats[stats.len() - 2];
        let mapped = &stats[stats.len() - 1];
        let jq_ok = jq.failures == 0 && mapped.failures == 0;
        for ((label, _), stats) in runs_of.iter().zip(&stats) {
            report += &format!(
                "{}  {label} (failures: {})\n",
                stats.line(""),
                stats.failures
            );
        }
        if !jq_ok {
            report += "  (jq is not installed or failed: no ratios)\n";
        }
        for ((label, _), stats) in runs_of.iter().zip(&stats).filter(|_| jq_ok) {
            if label.starts_with("jq ") {
                continue;
            }
            let (time_target, memory_target) = match name {
                "realistic" => (
                    "<= 0.20x".to_string(),
                    format!("<= {:.1} MiB (4 x size + 16)", 4.0 * size_mib + 16.0),
                ),
                _ => ("<= 1.00x".to_string(), "<= 1.00x".to_string()),
            };
            report += &format!(
                "  {label:<32} time {:5.2}x jq (target {time_target}; {:4.2}x jq mapping)   memory {:5.2}x jq, {:.1} MiB (target {memory_target})\n",
                stats.wall_ms / jq.wall_ms,
                stats.wall_ms / mapped.wall_ms,
                stats.rss_mib / jq.rss_mib,
                stats.rss_mib,
            );
        }
        report += "\n";
    }

    // 4. Many accounts: memory follows the accounts in flight, time the slowest round.
    let megabyte = cost::hamravesh_body(300);
    let big = runtime.block_on(async {
        let s = MockServer::start().await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(200).set_body_raw(megabyte.clone(), "application/json"),
            )
            .mount(&s)
            .await;
        s
    });
    let accounts = |n: usize, provider: &str, uri: &str| {
        (0..n)
            .map(|i| {
                format!(
                    "[acct-{i:04}]\nprovider = \"{provider}\"\nbase_url = \"{uri}\"\ntoken = \"{token}-{i:04}\"\n"
                )
            })
            .collect::<String>()
    };
    let heavy_many = write(
        dir,
        "heavy-many.toml",
        &accounts(100, "hamravesh", &big.uri()),
    );
    let thousand = write(
        dir,
        "thousand.toml",
        &accounts(1000, "chatwoot", &slow.uri()),
    );
    let cases: [(&str, &Path, &[&str], String); 2] = [
        (
            "--all --raw over 100 accounts answering 1 MiB each, --jobs 4",
            &heavy_many,
            &["--jobs", "4", "--raw"],
            "target: memory < 64 MiB".into(),
        ),
        (
            "--all over 1000 accounts answering after 200 ms, --jobs 100",
            &thousand,
            &["--jobs", "100"],
            format!(
                "target: <= {:.0} ms (floor 2000 ms + 10 % + 100 ms), memory < 64 MiB",
                2000.0 * 1.1 + 100.0
            ),
        ),
    ];
    for (what, config, args, target) in cases {
        let mut runs_of: Vec<Box<dyn FnMut() -> Command>> = Vec::new();
        for (_, bin) in &bins {
            runs_of.push(Box::new(move || {
                let mut c = whoami(bin, dir, config);
                c.args(["--all", "-o", "json"]).args(args);
                c
            }));
        }
        let mut commands: Vec<&mut dyn FnMut() -> Command> =
            runs_of.iter_mut().map(|c| &mut **c as _).collect();
        report += &format!("{what}\n");
        for ((label, _), stats) in bins.iter().zip(repeat(all_runs, 0, &mut commands)) {
            report += &format!(
                "{}  {target}  (failures: {})\n",
                stats.line(label),
                stats.failures
            );
        }
        report += "\n";
    }

    let mut out = std::io::stdout().lock();
    let _ = out.write_all(report.as_bytes());
}
