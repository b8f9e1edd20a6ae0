//! The content rules' speed goals (issue 4). Prints figures; asserts nothing about time.
//!
//! `cargo bench --bench rules` for the full run. Under `cargo test --all-targets` it runs a
//! tiny smoke pass so the harness keeps compiling and working.
//!
//! - 10,000 terms and 500 patterns against a 10 KB post: goal ≤ 5 ms;
//! - ten times the rules: goal ≤ 1.5x that time.

use postgate::policy::Policy;
use postgate::rules::{Context, Subject};
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

/// A small deterministic generator (xorshift), so every run checks the same text.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn word(&mut self) -> String {
        const SYLLABLES: [&str; 24] = [
            "ré", "pu", "bli", "que", "mi", "nis", "tè", "re", "cul", "tu", "é", "lec", "tion", "vo", "te", "ca", "di",
            "dat", "com", "mu", "ni", "ca", "pé", "ri",
        ];
        let n = 2 + (self.next() % 3) as usize;
        (0..n).map(|_| SYLLABLES[(self.next() % 24) as usize]).collect()
    }
}

fn policy(terms: usize, patterns: usize, rng: &mut Rng) -> String {
    let mut p = String::from(
        "[audit]\npath = \"/tmp/postgate-bench-audit.jsonl\"\n\n[[accounts]]\nname = \"demo\"\nhandle = \"@demo\"\n\
         platform = \"outbox\"\nkind = \"official\"\ndisplay_name = \"Démo\"\nowner = \"Bench\"\npath = \"/tmp/postgate-bench\"\n",
    );
    // Rules of 100 terms and 10 patterns each, as a large policy would be split.
    for r in 0..terms / 100 {
        let _ = write!(
            p,
            "\n[[rules]]\nid = \"t{r}\"\nkind = \"terms\"\nlevel = \"warn\"\nterms = ["
        );
        for _ in 0..100 {
            let _ = write!(p, "\"{} {}\", ", rng.word(), rng.word());
        }
        p.push_str("]\n");
    }
    for r in 0..patterns / 10 {
        let _ = write!(
            p,
            "\n[[rules]]\nid = \"p{r}\"\nkind = \"pattern\"\nlevel = \"warn\"\npatterns = ["
        );
        for i in 0..10 {
            let _ = write!(p, "{{ regex = '\\b{}{}\\d{{2,4}}\\b' }}, ", rng.word(), r * 10 + i);
        }
        p.push_str("]\n");
    }
    p
}

fn post(bytes: usize, rng: &mut Rng) -> String {
    let mut text = String::new();
    while text.len() < bytes {
        text.push_str(&rng.word());
        text.push(if rng.next().is_multiple_of(12) { '\n' } else { ' ' });
    }
    text
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// A compiled policy and the time it took to load.
fn load(terms: usize, patterns: usize) -> (postgate::policy::Parsed, Duration) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let source = policy(terms, patterns, &mut rng);
    let start = Instant::now();
    let parsed = Policy::parse(&source, Path::new("/tmp")).unwrap_or_else(|d| panic!("bench policy: {d:?}"));
    (parsed, start.elapsed())
}

/// Times `check` of the post under each policy, interleaved run by run so that the machine's
/// drift (frequency, other processes) touches every policy alike. Returns medians and the
/// number of findings.
fn measure(policies: &[&postgate::policy::Parsed], text: &str, runs: usize) -> Vec<(Duration, usize)> {
    let subject = Subject {
        text,
        language: Some("fr"),
        length: text.chars().count(),
        ..Subject::default()
    };
    let mut samples = vec![Vec::with_capacity(runs); policies.len()];
    let mut found = vec![0; policies.len()];
    for _ in 0..runs {
        for (i, p) in policies.iter().enumerate() {
            let start = Instant::now();
            found[i] = p.rules.check(&p.accounts[0], &subject, &Context::default()).len();
            samples[i].push(start.elapsed());
        }
    }
    samples.into_iter().map(median).zip(found).collect()
}

fn main() {
    let smoke = !std::env::args().any(|a| a == "--bench");
    let (scale, runs) = if smoke { (10, 3) } else { (1, 400) };
    let text = post(10 * 1024, &mut Rng(42));
    let (terms, patterns) = (10_000 / scale, 500 / scale);
    let (both1, load1) = load(terms, patterns);
    let (both10, load10) = load(terms * 10, patterns * 10);
    let (terms1, _) = load(terms, 0);
    let (terms10, _) = load(terms * 10, 0);
    let (pat1, _) = load(0, patterns);
    let (pat10, _) = load(0, patterns * 10);
    let m = measure(&[&both1, &both10, &terms1, &terms10, &pat1, &pat10], &text, runs);
    let ratio = |a: usize, b: usize| m[b].0.as_secs_f64() / m[a].0.as_secs_f64();
    println!(
        "## content rules against a {} byte post (median of {runs}, interleaved)",
        text.len()
    );
    println!(
        "{terms} terms + {patterns} patterns       check {:>9.3?}  (goal <= 5 ms; load {load1:.2?}; {} findings)",
        m[0].0, m[0].1
    );
    println!(
        "{} terms + {} patterns     check {:>9.3?}  ({:.2}x, goal <= 1.5x; load {load10:.2?}; {} findings)",
        terms * 10,
        patterns * 10,
        m[1].0,
        ratio(0, 1),
        m[1].1
    );
    // Where the time goes: each automaton alone.
    println!(
        "  terms alone:    {:>9.3?} -> {:>9.3?}  ({:.2}x)",
        m[2].0,
        m[3].0,
        ratio(2, 3)
    );
    println!(
        "  patterns alone: {:>9.3?} -> {:>9.3?}  ({:.2}x; {} -> {} findings, each searched for its span)",
        m[4].0,
        m[5].0,
        ratio(4, 5),
        m[4].1,
        m[5].1
    );
}
