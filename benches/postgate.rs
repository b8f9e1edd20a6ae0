//! Benchmarks with goals from the issues. Prints figures; asserts nothing about time.
//!
//! Run with `cargo bench --bench postgate` (add `-- --quick` for fewer repetitions, or
//! `-- --startup` for the whole-process times alone, 500 runs each).
//! The figures in docs/performance.md come from this harness.

use postgate::audit::{AuditLog, Outcome, Record, chained_line};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const POLICY: &str = r#"
[audit]
path = "{dir}/audit.jsonl"

[[accounts]]
name = "demo"
handle = "@mairie_demo"
platform = "outbox"
kind = "official"
display_name = "Mairie (démo)"
owner = "Équipe réseaux sociaux"
path = "{dir}/outbox"
"#;

fn main() {
    // Re-invoked as the hello-world baseline: a Rust process that prints and exits.
    if std::env::args().any(|a| a == "--hello") {
        println!("hello, world");
        return;
    }
    // `cargo bench` passes --bench; `cargo test --all-targets` does not, and then this only
    // checks that the harness still works, on tiny sizes.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let quick = std::env::args().any(|a| a == "--quick");
    let (runs, records) = match (smoke, quick) {
        (true, _) => (3, 1_000),
        (false, true) => (30, 100_000),
        (false, false) => (200, 1_000_000),
    };

    let dir = tempfile::tempdir().expect("temp dir");
    // `-- --startup` measures only the whole-process times, with more runs: the figures of
    // docs/performance.md's first table.
    if std::env::args().any(|a| a == "--startup") {
        process_startup(dir.path(), if smoke { 3 } else { 500 });
        return;
    }
    process_startup(dir.path(), runs);
    audit_append(
        dir.path(),
        records,
        if smoke {
            3
        } else if quick {
            20
        } else {
            100
        },
    );
    audit_verify(dir.path());
    queue_check(dir.path(), if smoke { 50 } else { 10_000 }, if smoke { 1 } else { 5 });
}

/// `queue check` of a folder of drafts with the example policy (every rule) and approvals:
/// goal <= 1 s for 10,000 drafts.
fn queue_check(dir: &Path, items: usize, runs: usize) {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("policy.toml");
    let queue = dir.join("queue");
    std::fs::create_dir_all(&queue).expect("queue dir");
    let texts = [
        "La médiathèque ouvre ses portes dimanche de 10 h à 18 h. Entrée libre : https://www.culture.gouv.fr/agenda",
        "Merci @jeanne.durand pour sa visite au musée ce matin, et à toute l'équipe de conservation.",
        "Le festival commence vendredi. Programme complet sur le site du ministère. #Patrimoine #Festival",
    ];
    for i in 0..items {
        let text = texts[i % texts.len()];
        std::fs::write(
            queue.join(format!("{i:05}.md")),
            format!(
                "+++\naccount = \"demo\"\nauthor = \"redaction@culture.gouv.example\"\npublish_at = 2026-12-01T09:00:00+01:00\n+++\n{text} ({i})\n"
            ),
        )
        .expect("write item");
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_postgate"));
    let times = time_process(runs, || {
        let mut c = Command::new(bin);
        c.arg("--policy")
            .arg(&example)
            .args(["queue", "check"])
            .arg(&queue)
            .env("XDG_STATE_HOME", dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    });
    println!(
        "postgate queue check ({items} drafts) {:>9.3?} / {:>9.3?}  (median / mean; goal <= 1 s for 10,000)",
        times.0, times.1
    );
}

fn stats(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let median = samples[samples.len() / 2];
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    (median, mean)
}

fn time_process(runs: usize, mut make: impl FnMut() -> Command) -> (Duration, Duration) {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let mut cmd = make();
        cmd.stdout(Stdio::null()).stderr(Stdio::null()).stdin(Stdio::null());
        let start = Instant::now();
        let status = cmd.status().expect("spawn");
        samples.push(start.elapsed());
        assert!(status.success(), "benchmarked command failed: {cmd:?}");
    }
    stats(samples)
}

/// Runs the commands in turn, `runs` rounds, so that the machine's drift touches all alike.
fn time_interleaved(runs: usize, makers: &[&dyn Fn() -> Command]) -> Vec<(Duration, Duration)> {
    let mut samples = vec![Vec::with_capacity(runs); makers.len()];
    for _ in 0..runs {
        for (make, out) in makers.iter().zip(&mut samples) {
            let mut cmd = make();
            cmd.stdout(Stdio::null()).stderr(Stdio::null()).stdin(Stdio::null());
            let start = Instant::now();
            let status = cmd.status().expect("spawn");
            out.push(start.elapsed());
            assert!(status.success(), "benchmarked command failed: {cmd:?}");
        }
    }
    samples.into_iter().map(stats).collect()
}

fn process_startup(dir: &Path, runs: usize) {
    let policy = dir.join("policy.toml");
    std::fs::write(&policy, POLICY.replace("{dir}", &dir.display().to_string())).expect("policy");
    let bin = env!("CARGO_BIN_EXE_postgate");
    let me = std::env::current_exe().expect("current exe");
    let env = |cmd: &mut Command| {
        cmd.env("POSTGATE_POLICY", &policy)
            .env("XDG_STATE_HOME", dir)
            .env("NO_COLOR", "1");
    };
    // The repository's example policy: its rules, three approvers' keys, a time zone.
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("policy.toml");
    let with_example = |args: &[&str]| {
        let mut c = Command::new(bin);
        c.arg("--policy").arg(&example).args(args);
        env(&mut c);
        c.env_remove("POSTGATE_POLICY");
        c
    };
    // `check` of a 500-character draft with the example policy.
    let draft = dir.join("draft.md");
    let mut body = String::new();
    while body.chars().count() < 500 {
        body.push_str("La médiathèque ouvre ses portes samedi de 10 h à 18 h, avec https://www.culture.gouv.fr. ");
    }
    let body: String = body.chars().take(500).collect();
    std::fs::write(&draft, format!("+++\naccount = \"culture-gouv\"\n+++\n{body}\n")).expect("draft");
    let line = dir.join("line.md");
    std::fs::write(
        &line,
        "+++\naccount = \"culture-gouv\"\n+++\nLa médiathèque ouvre ses portes samedi de 10 h à 18 h.\n",
    )
    .expect("draft");
    let draft = draft.display().to_string();
    let line = line.display().to_string();

    let rows: [(&str, &dyn Fn() -> Command); 7] = [
        ("hello-world process", &|| {
            let mut c = Command::new(&me);
            c.arg("--hello");
            c
        }),
        ("policy check (one account)", &|| {
            let mut c = Command::new(bin);
            c.args(["policy", "check"]);
            env(&mut c);
            c
        }),
        ("post --dry-run (one account)", &|| {
            let mut c = Command::new(bin);
            c.args([
                "post",
                "-a",
                "demo",
                "--dry-run",
                "--confirm-handle",
                "@mairie_demo",
                "Bonjour à toutes et à tous",
            ]);
            env(&mut c);
            c
        }),
        ("example: check, one line", &|| with_example(&["check", &line])),
        ("example: post --dry-run demo", &|| {
            with_example(&[
                "post",
                "-a",
                "demo",
                "--dry-run",
                "--confirm-handle",
                "@demo_ministere",
                "Bonjour à toutes et à tous",
            ])
        }),
        ("example: check, 500 chars", &|| with_example(&["check", &draft])),
        ("example: policy check", &|| with_example(&["policy", "check"])),
    ];
    let makers: Vec<&dyn Fn() -> Command> = rows.iter().map(|r| r.1).collect();
    let times = time_interleaved(runs, &makers);
    let hello = times[0].0.as_secs_f64();
    println!("## whole-process time ({runs} runs each, interleaved; median / mean)");
    for ((name, _), (median, mean)) in rows.iter().zip(&times) {
        println!(
            "{name:<30} {median:>9.3?} / {mean:>9.3?}  ({:.2}x hello)",
            median.as_secs_f64() / hello
        );
    }
    println!("(goal <= 2x; the dry runs append and fsync one audit record, which the goal includes)\n");
}

fn sample_record(i: u64) -> Record {
    let mut r = Record::new(
        "outcome",
        "post",
        Outcome::Published {
            id: format!("{i:032x}"),
            url: format!("file:///tmp/outbox/posts/{i:032x}.json"),
        },
    );
    r.text = Some(format!(
        "Post numéro {i}: la mairie informe que la bibliothèque ouvre le samedi de 10 h à 18 h. #culture"
    ));
    r.text_sha256 = Some(postgate::digest::sha256_hex(
        r.text.as_deref().unwrap_or_default().as_bytes(),
    ));
    r.policy_sha256 = Some("ab".repeat(32));
    r.confirmation = Some("flag".into());
    r.credential_source = Some("keychain".into());
    r
}

/// Writes `n` chained records as `append` would, without an fsync per record.
fn build_log(path: &Path, n: u64) {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).expect("create log"));
    let mut prev = postgate::audit::GENESIS.to_string();
    for seq in 1..=n {
        let mut r = sample_record(seq);
        let (line, hash) = chained_line(&mut r, seq, prev).expect("serialise");
        out.write_all(&line).expect("write");
        prev = hash;
    }
    out.flush().expect("flush");
}

fn time_appends(log: &AuditLog, n: usize) -> (Duration, Duration) {
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        let r = sample_record(i as u64);
        let start = Instant::now();
        log.append(r).expect("append");
        samples.push(start.elapsed());
    }
    stats(samples)
}

fn audit_append(dir: &Path, records: u64, appends: usize) {
    let big = dir.join("big.jsonl");
    let start = Instant::now();
    build_log(&big, records);
    let size = std::fs::metadata(&big).map(|m| m.len()).unwrap_or(0);
    println!("## audit log");
    println!(
        "built a {records}-record log ({:.0} MB) in {:.2?}",
        size as f64 / 1e6,
        start.elapsed()
    );
    let empty = time_appends(&AuditLog::new(dir.join("empty.jsonl")), appends);
    let full = time_appends(&AuditLog::new(&big), appends);
    println!(
        "append to a fresh log         {:>9.3?} / {:>9.3?}  (median / mean of {appends}, fsync included)",
        empty.0, empty.1
    );
    println!(
        "append to the {records}-record log {:>9.3?} / {:>9.3?}  ({:.2}x, goal: same cost, <= 2 ms)",
        full.0,
        full.1,
        full.0.as_secs_f64() / empty.0.as_secs_f64()
    );
}

fn audit_verify(dir: &Path) {
    let log = AuditLog::new(dir.join("big.jsonl"));
    let start = Instant::now();
    let v = log.verify().expect("verify");
    let took = start.elapsed();
    assert!(v.problem.is_none(), "the benchmark log must verify");
    println!(
        "log verify of {} records     {:>9.3?}  (goal <= 1.5 s)",
        v.records, took
    );
}
