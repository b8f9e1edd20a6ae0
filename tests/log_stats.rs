//! `postgate log stats`: what approvals cost, from a log made of real runs and of plan records
//! appended through the library (so the chain is the real one) at times chosen for exact figures.

use crate::support;
use postgate::audit::{AccountRef, AuditLog, Outcome, Record};
use serde_json::{Value, json};
use support::{DEFAULT_POLICY, Test, code};

const RULE: &str = r#"
[[rules]]
id = "no-sondage"
kind = "terms"
level = "deny"
message = "pas de sondage : « %s »"
terms = ["sondage"]
"#;

const HOUR: i64 = 3_600;
const MINUTE: i64 = 60;

/// Appends records about `account` in time order, as other machines' runs would have.
struct Crafter {
    log: AuditLog,
    account: AccountRef,
}

impl Crafter {
    fn new(t: &Test, name: &str) -> Crafter {
        Crafter {
            log: AuditLog::new(t.audit_path()),
            account: AccountRef {
                name: name.into(),
                handle: t.handle("demo"),
                kind: "official".into(),
                platform: "outbox".into(),
                host: "local".into(),
            },
        }
    }

    fn append(&self, event: &str, action: &str, outcome: Outcome, plan: &str, at: jiff::Timestamp) {
        let mut r = Record::new(event, action, outcome);
        r.time = at.to_string();
        r.account = Some(self.account.clone());
        if !plan.is_empty() {
            r.plan_hash = Some(format!("sha256:{plan}"));
        }
        self.log.append(r).unwrap();
    }

    /// A plan signed at `start`, approved `approvals` seconds after it (the last one counts),
    /// published `publish` seconds after it.
    fn plan(&self, plan: &str, start: jiff::Timestamp, approvals: &[i64], publish: i64) {
        let after = |s: i64| start + jiff::SignedDuration::from_secs(s);
        let signature = format!("{plan}.plan.author.sig");
        self.append("authorship", "sign", Outcome::Authored { signature }, plan, start);
        for (i, a) in approvals.iter().enumerate() {
            let approved = Outcome::Approved {
                approver: format!("approver{i}"),
                fingerprint: "SHA256:test".into(),
                signature: format!("{plan}.plan.approver{i}.sig"),
            };
            self.append("approval", "approve", approved, plan, after(*a));
        }
        let published = Outcome::Published {
            id: format!("id-{plan}"),
            url: format!("file:///{plan}"),
        };
        self.append("outcome", "post", published, plan, after(publish));
    }
}

fn days_ago(days: i64) -> jiff::Timestamp {
    let now = jiff::Timestamp::now().round(jiff::Unit::Second).unwrap();
    now - jiff::SignedDuration::from_hours(24 * days)
}

/// Three plans ten days ago (1h, 2h and 5h to their last approval; 10m, 30m and 1h on to
/// publish), one forty days ago (20h, 1h), then real runs: a post, a refusal by a rule and
/// one for want of a confirmation on `demo`; a post, its correction and its deletion on `perso`.
fn world() -> Test {
    let t = Test::new().policy(&format!("{DEFAULT_POLICY}{RULE}"));
    let demo = Crafter::new(&t, "demo");
    demo.plan("old", days_ago(40), &[20 * HOUR], 21 * HOUR);
    let base = days_ago(10);
    let at = |s: i64| base + jiff::SignedDuration::from_secs(s);
    demo.plan("a", at(0), &[HOUR], HOUR + 10 * MINUTE);
    demo.plan("b", at(2 * HOUR), &[30 * MINUTE, 2 * HOUR], 2 * HOUR + 30 * MINUTE);
    demo.plan("c", at(5 * HOUR), &[5 * HOUR], 6 * HOUR);

    t.post("demo", "Bonjour").run();
    t.post("demo", "Un sondage pour vous").status(code::CONTENT).run();
    t.cmd(["post", "-a", "demo", "Sans confirmation"])
        .status(code::NOT_CONFIRMED)
        .run();
    let handle = t.handle("perso");
    let out = t
        .cmd(["--json", "post", "-a", "perso", "--confirm-handle", &handle, "Lundi"])
        .run();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = v["id"].as_str().unwrap().to_string();
    t.cmd(["correct", "perso", &id, "Mardi", "--confirm-handle", &handle])
        .run();
    t.cmd([
        "delete",
        "perso",
        &id,
        "--reason",
        "annulé",
        "--confirm-handle",
        &handle,
    ])
    .run();
    // The crafted records are part of a chain that verifies.
    t.cmd(["log", "verify"]).stdout_has("ok: ").run();
    t
}

fn stats_json(t: &Test, args: &[&str]) -> Value {
    let mut all = vec!["--json", "log", "stats"];
    all.extend_from_slice(args);
    let out = t.cmd(all).run();
    serde_json::from_slice(&out.stdout).unwrap()
}

fn stdout(out: std::process::Output) -> String {
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn figures_are_exact_in_text_and_in_json() {
    let t = world();
    let out = t.cmd(["log", "stats"]).stderr_has("2 account(s), from ").run();
    assert_eq!(
        stdout(out),
        "\
ACCOUNT  POSTS  CORRECTIONS  DELETIONS  REFUSED  PLAN TO APPROVAL        APPROVAL TO PUBLISH      REFUSALS BY CAUSE
demo     4      0            0          2        n 3, median 2h, p90 5h  n 3, median 30m, p90 1h  no-sondage 1, not-confirmed (exit 5) 1
perso    1      1            1          0        -                       -                        -
"
    );

    let v = stats_json(&t, &[]);
    assert_eq!(
        v["accounts"],
        json!([
            {
                "name": "demo", "posts": 4, "refused": 2,
                "refusals": { "no-sondage": 1, "not-confirmed (exit 5)": 1 },
                "corrections": 0, "deletions": 0,
                "plan_to_approval": { "count": 3, "median_s": 2 * HOUR, "p90_s": 5 * HOUR },
                "approval_to_publish": { "count": 3, "median_s": 30 * MINUTE, "p90_s": HOUR },
            },
            {
                "name": "perso", "posts": 1, "refused": 0, "refusals": {},
                "corrections": 1, "deletions": 1,
                "plan_to_approval": { "count": 0, "median_s": null, "p90_s": null },
                "approval_to_publish": { "count": 0, "median_s": null, "p90_s": null },
            },
        ])
    );
    // The default window is the last 30 days, ending now.
    let since: jiff::Timestamp = v["since"].as_str().unwrap().parse().unwrap();
    let until: jiff::Timestamp = v["until"].as_str().unwrap().parse().unwrap();
    let days = (until - since).get_seconds() as f64 / 86_400.0;
    assert!((29.9..=30.1).contains(&days), "{days}");
    assert!(until <= jiff::Timestamp::now() && until > days_ago(1), "{until}");
}

#[test]
fn since_leaves_older_records_out() {
    let t = world();
    // Forty days back, the old plan joins: 1h, 2h, 5h, 20h and 10m, 30m, 1h, 1h.
    let v = stats_json(&t, &["--since", "60d"]);
    assert_eq!(v["accounts"][0]["posts"], 5);
    assert_eq!(
        v["accounts"][0]["plan_to_approval"],
        json!({ "count": 4, "median_s": 2 * HOUR, "p90_s": 20 * HOUR })
    );
    assert_eq!(
        v["accounts"][0]["approval_to_publish"],
        json!({ "count": 4, "median_s": 30 * MINUTE, "p90_s": HOUR })
    );
    // A week back, only today's runs.
    for since in ["7d", "1w", "12h"] {
        let v = stats_json(&t, &["--since", since]);
        assert_eq!(v["accounts"][0]["name"], "demo");
        assert_eq!(v["accounts"][0]["posts"], 1, "{since}: {v}");
        assert_eq!(v["accounts"][0]["refused"], 2, "{since}: {v}");
        assert_eq!(v["accounts"][0]["plan_to_approval"]["count"], 0, "{since}: {v}");
        assert_eq!(v["accounts"][1]["corrections"], 1, "{since}: {v}");
    }
    let text = stdout(t.cmd(["log", "stats", "--since", "2w"]).run());
    assert!(
        text.contains("\ndemo     4      0            0          2        n 3, median 2h, p90 5h "),
        "{text}"
    );
}

#[test]
fn an_empty_log_or_an_empty_window_says_so_and_exits_0() {
    let t = Test::new();
    let out = t
        .cmd(["log", "stats"])
        .stdout_has("nothing to count: the audit log ")
        .stdout_has(" is empty from ")
        .run();
    assert_eq!(stdout(out).lines().count(), 1);
    let v = stats_json(&t, &[]);
    assert_eq!(v["accounts"], json!([]));

    Crafter::new(&t, "demo").plan("old", days_ago(40), &[HOUR], 2 * HOUR);
    let out = t
        .cmd(["log", "stats"])
        .stdout_has("nothing to count: no post, refusal, correction or deletion in the audit log from ")
        .run();
    assert_eq!(stdout(out).lines().count(), 1);
    let out = t.cmd(["--json", "log", "stats"]).stderr_has("nothing to count: ").run();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["accounts"], json!([]));
}

#[test]
fn a_bad_since_is_a_usage_error() {
    let t = Test::new();
    for bad in ["soon", "", "30x"] {
        t.cmd(["log", "stats", "--since", bad])
            .status(code::USAGE)
            .stderr_has("invalid --since")
            .stderr_has("use a duration such as 90m, 24h, 7d or 2w")
            .run();
    }
    let out = t
        .cmd(["--json", "log", "stats", "--since", "bientôt"])
        .status(code::USAGE)
        .run();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"], "usage");
}

#[test]
fn hidden_characters_in_account_names_are_made_visible() {
    let t = Test::new();
    let evil = Crafter::new(&t, "de\u{202e}mo\u{1b}[2J");
    evil.plan("x", days_ago(1), &[HOUR], 2 * HOUR);
    let out = t.cmd(["log", "stats"]).run();
    let text = stdout(out);
    assert!(text.contains("\nde⟨U+202E⟩mo⟨U+001B⟩[2J  1 "), "{text}");
    assert!(!text.contains('\u{202e}') && !text.contains('\u{1b}'), "{text}");
    // JSON carries the name as it is: escaping is the reader's.
    let v = stats_json(&t, &[]);
    assert_eq!(v["accounts"][0]["name"], "de\u{202e}mo\u{1b}[2J");
}
