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

/// Compiles the policy once, then times `check` on the post.
fn measure(terms: usize, patterns: usize, text: &str, runs: usize) -> (Duration, Duration, usize) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let source = policy(terms, patterns, &mut rng);
    let start = Instant::now();
    let parsed = Policy::parse(&source, Path::new("/tmp")).unwrap_or_else(|d| panic!("bench policy: {d:?}"));
    let load = start.elapsed();
    let account = &parsed.accounts[0];
    let subject = Subject {
        text,
        language: Some("fr"),
        length: text.chars().count(),
        ..Subject::default()
    };
    let mut found = 0;
    let samples = (0..runs)
        .map(|_| {
            let start = Instant::now();
            found = parsed.rules.check(account, &subject, &Context::default()).len();
            start.elapsed()
        })
        .collect();
    (load, median(samples), found)
}

fn main() {
    let smoke = !std::env::args().any(|a| a == "--bench");
    let (scale, runs) = if smoke { (10, 3) } else { (1, 400) };
    let text = post(10 * 1024, &mut Rng(42));
    let (terms, patterns) = (10_000 / scale, 500 / scale);
    let (load1, t1, f1) = measure(terms, patterns, &text, runs);
    let (load10, t10, f10) = measure(terms * 10, patterns * 10, &text, runs);
    println!("## content rules against a {} byte post (median of {runs})", text.len());
    println!(
        "{terms} terms + {patterns} patterns       check {t1:>9.3?}  (goal <= 5 ms; load {load1:.2?}; {f1} findings)"
    );
    println!(
        "{} terms + {} patterns     check {t10:>9.3?}  ({:.2}x, goal <= 1.5x; load {load10:.2?}; {f10} findings)",
        terms * 10,
        patterns * 10,
        t10.as_secs_f64() / t1.as_secs_f64()
    );
    // Where the time goes: each automaton alone.
    for (t, p) in [(terms, 0), (terms * 10, 0), (0, patterns), (0, patterns * 10)] {
        let (_, took, _) = measure(t, p, &text, runs);
        println!("  {t:>6} terms alone / {p:>5} patterns alone  check {took:>9.3?}");
    }
}
