//! The policy's content rules in the publish pipeline: deny refuses, approve needs a signed
//! plan, warn is shown and recorded; schedule and rate judged at publish time.

use crate::support;
use support::{DEFAULT_POLICY, Test, code};

const RULES: &str = r#"
[[rules]]
id = "reserve-electorale"
kind = "terms"
level = "deny"
kinds = ["official"]
message = "période de réserve : « %s »"
terms = ["candidat", "votez pour"]

[[rules]]
id = "consentement"
kind = "mentions"
level = "approve"
kinds = ["official"]
on = ["mentions"]

[[rules]]
id = "francais"
kind = "terms"
level = "warn"

[rules.suggest]
"e-mail" = "courriel"
"#;

fn with_rules(extra: &str) -> Test {
    Test::new().policy(&format!("{DEFAULT_POLICY}{RULES}{extra}"))
}

#[test]
fn a_deny_rule_refuses_shows_the_span_and_is_recorded() {
    let t = with_rules("");
    t.post("demo", "Rencontre avec l’ancien Candidat")
        .env("NO_COLOR", "1")
        .status(code::CONTENT)
        .stderr_has("  ┃ Rencontre avec l’ancien ⟦Candidat⟧\n")
        .stderr_has("    DENY    1:25 reserve-electorale  période de réserve : « Candidat »\n")
        .stderr_has("error: refused by the policy's rules: reserve-electorale (période de réserve : « Candidat »)")
        .stderr_has("hint: change the post; `postgate policy show demo` lists the rules that apply")
        .run();
    assert!(t.outbox("outbox").is_empty());
    let audit = t.audit();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["event"], "refused");
    assert_eq!(audit[0]["outcome"]["exit_code"], code::CONTENT);
    assert_eq!(audit[0]["findings"][0]["rule"], "reserve-electorale");
    assert_eq!(audit[0]["findings"][0]["level"], "deny");
    assert_eq!(
        audit[0]["confirmation"],
        serde_json::Value::Null,
        "refused before confirmation"
    );
}

#[test]
fn rules_do_not_reach_out_of_scope_accounts() {
    let t = with_rules("");
    // `perso` is personal: the official-only rules do not apply.
    t.post("perso", "Mon candidat, @ami").run();
    assert_eq!(t.outbox("perso-outbox").len(), 1);
}

#[test]
fn a_warning_is_published_and_recorded_with_its_suggestion() {
    let t = with_rules("");
    t.post("demo", "Écrivez-nous par e-mail")
        .env("NO_COLOR", "1")
        .stderr_has("    WARN    1:18 francais  use \"courriel\" instead of \"e-mail\" (suggestion: courriel)\n")
        .run();
    assert_eq!(t.outbox("outbox").len(), 1);
    let audit = t.audit();
    assert_eq!(audit.len(), 2);
    for record in &audit {
        assert_eq!(record["findings"][0]["rule"], "francais");
        assert_eq!(record["findings"][0]["suggestion"], "courriel");
    }
    assert_eq!(audit[1]["outcome"]["status"], "published");
}

#[test]
fn an_approve_rule_refuses_a_direct_post_and_says_to_plan_it() {
    let t = with_rules("");
    t.post("demo", "Merci @jeanne pour sa visite")
        .status(code::PLAN_REFUSED)
        .stderr_has(
            "error: this post needs approval: 1 approval(s) from any approver (rule consentement is at level approve)",
        )
        .stderr_has("write a plan (`postgate plan -a demo … -o post.plan`)")
        .run();
    assert!(t.outbox("outbox").is_empty());
    let audit = t.audit();
    assert_eq!(audit[0]["event"], "refused");
    assert_eq!(audit[0]["findings"][0]["level"], "approve");
}

#[test]
fn a_person_at_a_terminal_cannot_wave_an_approve_rule_through() {
    let t = with_rules("");
    let mut tty = t
        .cmd(["post", "-a", "demo", "Merci @jeanne pour sa visite"])
        .env("NO_COLOR", "1")
        .tty();
    tty.expect("APPROVE 1:7 consentement");
    tty.expect("this post needs approval");
    assert_eq!(tty.finish(), code::PLAN_REFUSED);
    assert!(!tty.screen().contains("type its handle"), "{}", tty.screen());
    assert!(t.outbox("outbox").is_empty());
}

#[test]
fn quiet_hours_all_day_need_an_approval() {
    // A window covering the whole day, so the test does not depend on the clock.
    let t = with_rules(
        r#"
[[rules]]
id = "nuit"
kind = "schedule"
level = "approve"
accounts = ["demo"]
timezone = "Europe/Paris"
quiet = "00:00-24:00"
"#,
    );
    t.post("demo", "Bonsoir")
        .status(code::PLAN_REFUSED)
        .stderr_has("this post needs approval: 1 approval(s) from any approver (rule nuit is at level approve)")
        .stderr_has("falls in the quiet hours 00:00–24:00 Europe/Paris")
        .run();
    // The personal account is not listed.
    t.post("perso", "Bonsoir").run();
}

#[test]
fn the_rate_cap_counts_published_posts_from_the_audit_log() {
    let t = with_rules(
        r#"
[[rules]]
id = "cadence"
kind = "rate"
level = "deny"
accounts = ["demo"]
max_per_hour = 2
"#,
    );
    let post = |text: &str| t.post("demo", text);
    post("Un").run();
    // Refusals and dry runs do not count.
    post("Le candidat").status(code::CONTENT).run();
    t.cmd([
        "post",
        "-a",
        "demo",
        "--confirm-handle",
        "@mairie_demo_{uid}",
        "--dry-run",
        "Essai",
    ])
    .run();
    post("Deux").run();
    post("Trois")
        .status(code::CONTENT)
        .stderr_has("refused by the policy's rules: cadence (2 posts in the last hour already; the policy allows 2)")
        .run();
    assert_eq!(t.outbox("outbox").len(), 2);
    // Another account's posts are its own.
    t.post("perso", "Quatre").run();
}

#[test]
fn policy_show_lists_the_rules_that_apply_and_where_they_are() {
    let t = with_rules("");
    let out = t.cmd(["policy", "show", "perso"]).run();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("account      perso (PERSONAL)\n"), "{stdout}");
    assert!(
        stdout.contains("\nLEVEL  RULE      KIND   CHECKS   SCOPE         SOURCE\n"),
        "{stdout}"
    );
    let policy = t.policy_path().display().to_string();
    let line = format!("warn   francais  terms  1 terms  all accounts  {policy}:");
    assert!(stdout.contains(&line), "{stdout}");
    assert!(
        !stdout.contains("reserve-electorale"),
        "official-only rule shown for a personal account"
    );

    let out = t.cmd(["--json", "policy", "show", "demo"]).run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["reserve-electorale", "consentement", "francais"]);
    let source = v["rules"][0]["source"].as_str().unwrap();
    let line: usize = source.rsplit(':').next().unwrap().parse().unwrap();
    let text = std::fs::read_to_string(t.policy_path()).unwrap();
    assert_eq!(text.lines().nth(line - 1), Some("[[rules]]"));
    assert_eq!(text.lines().nth(line), Some("id = \"reserve-electorale\""));
}

/// Issue 11, item 5: with the example policy, each of these slipped past `reserve-electorale`.
/// The finding points at the disguised words as written.
#[test]
fn the_example_policy_sees_deny_terms_through_spacing_and_look_alike_letters() {
    let example = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/policy.toml")).unwrap();
    let t = Test::new().policy(&example);
    for (post, col, matched) in [
        ("Votez  pour lui", 1, "Votez  pour"),
        ("Alors votez\npour lui", 7, "votez\npour"),
        ("Le ｃａｎｄｉｄａｔ", 4, "ｃａｎｄｉｄａｔ"),
        ("Le 𝐜𝐚𝐧𝐝𝐢𝐝𝐚𝐭", 4, "𝐜𝐚𝐧𝐝𝐢𝐝𝐚𝐭"),
        ("Le 𝖼𝖺𝗇𝖽𝗂𝖽𝖺𝗍", 4, "𝖼𝖺𝗇𝖽𝗂𝖽𝖺𝗍"),
        ("Le ⓒⓐⓝⓓⓘⓓⓐⓣ", 4, "ⓒⓐⓝⓓⓘⓓⓐⓣ"),
        ("Le ᴄᴀɴᴅɪᴅᴀᴛ", 4, "ᴄᴀɴᴅɪᴅᴀᴛ"),
        ("Le ᶜᵃⁿᵈⁱᵈᵃᵗ", 4, "ᶜᵃⁿᵈⁱᵈᵃᵗ"),
        ("Le cand\u{e0020}idat", 4, "cand\u{e0020}idat"),
        // Enclosed letters with no compatibility decomposition to a plain letter.
        ("Le ⒞⒜⒩⒟⒤⒟⒜⒯", 4, "⒞⒜⒩⒟⒤⒟⒜⒯"),
        ("Le 🄒🄐🄝🄓🄘🄓🄐🄣", 4, "🄒🄐🄝🄓🄘🄓🄐🄣"),
        ("Le 🅲🅰🅽🅳🅸🅳🅰🆃", 4, "🅲🅰🅽🅳🅸🅳🅰🆃"),
        ("Le 🅒🅐🅝🅓🅘🅓🅐🅣", 4, "🅒🅐🅝🅓🅘🅓🅐🅣"),
        ("Le 🇨🇦🇳🇩🇮🇩🇦🇹", 4, "🇨🇦🇳🇩🇮🇩🇦🇹"),
    ] {
        let out = t
            .cmd(["--json", "check", "-a", "culture-gouv", "-"])
            .stdin(post)
            .status(code::CONTENT)
            .run();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let findings: Vec<&serde_json::Value> = v["files"][0]["findings"]
            .as_array()
            .unwrap_or_else(|| panic!("{v}"))
            .iter()
            .filter(|f| f["rule"] == "reserve-electorale")
            .collect();
        assert_eq!(findings.len(), 1, "{post:?}: {v}");
        assert_eq!(findings[0]["col"], col, "{post:?}: {v}");
        assert_eq!(findings[0]["match"], matched, "{post:?}: {v}");
    }
}

fn capped(max_per_hour: u32) -> Test {
    with_rules(&format!(
        "\n[[rules]]\nid = \"cadence\"\nkind = \"rate\"\nlevel = \"deny\"\naccounts = [\"demo\"]\nmax_per_hour = {max_per_hour}\n"
    ))
}

fn post_args(text: &str) -> Vec<String> {
    ["post", "-a", "demo", "--confirm-handle", "@mairie_demo_{uid}", text]
        .map(str::to_string)
        .to_vec()
}

#[test]
fn ten_posts_started_together_publish_no_more_than_the_cap() {
    let t = capped(2);
    let runs: Vec<Vec<String>> = (0..10).map(|i| post_args(&format!("Message {i}"))).collect();
    let outputs = support::run_together(&t, &runs);
    let codes: Vec<Option<i32>> = outputs.iter().map(|o| o.status.code()).collect();
    assert_eq!(codes.iter().filter(|c| **c == Some(0)).count(), 2, "{codes:?}");
    assert_eq!(
        codes.iter().filter(|c| **c == Some(code::CONTENT)).count(),
        8,
        "{codes:?}"
    );
    for o in outputs.iter().filter(|o| o.status.code() == Some(code::CONTENT)) {
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(stderr.contains("cadence (2 posts in the last hour already"), "{stderr}");
    }
    assert_eq!(t.outbox("outbox").len(), 2);
    let published = t
        .audit()
        .into_iter()
        .filter(|r| r["outcome"]["status"] == "published")
        .count();
    assert_eq!(published, 2);
}

/// Appends records to the test's audit log through the library, as a postgate whose clock
/// read `time` would have.
fn published_at(t: &Test, times: &[jiff::Timestamp]) {
    let log = postgate::audit::AuditLog::new(t.audit_path());
    for (i, time) in times.iter().enumerate() {
        let mut r = postgate::audit::Record::new(
            "outcome",
            "post",
            postgate::audit::Outcome::Published {
                id: format!("earlier{i}"),
                url: String::new(),
            },
        );
        r.time = time.to_string();
        r.account = Some(postgate::audit::AccountRef {
            name: "demo".into(),
            handle: t.handle("demo"),
            kind: "official".into(),
            platform: "outbox".into(),
            host: "local".into(),
        });
        log.append(r).unwrap();
    }
}

#[test]
fn posts_recorded_later_than_the_clock_still_count() {
    // What `faketime -f -10m postgate post …` sees: the last two posts are "in the future".
    let t = capped(2);
    let ahead = jiff::Timestamp::now() + jiff::SignedDuration::from_mins(10);
    published_at(&t, &[ahead, ahead + jiff::SignedDuration::from_secs(1)]);
    t.cmd(post_args("Trois"))
        .status(code::CONTENT)
        .stderr_has("cadence (2 posts in the last hour already")
        .run();
    assert!(t.outbox("outbox").is_empty());
}

#[test]
fn a_record_whose_time_went_back_does_not_end_the_count() {
    // Two posts, then a run whose clock had been set back two days (past the day the count
    // reads back).
    let t = capped(2);
    let now = jiff::Timestamp::now();
    let m = jiff::SignedDuration::from_mins;
    published_at(&t, &[now - m(5), now - m(4)]);
    let log = postgate::audit::AuditLog::new(t.audit_path());
    let mut back = postgate::audit::Record::new("dry-run", "post", postgate::audit::Outcome::DryRun);
    back.time = (now - m(2 * 24 * 60)).to_string();
    log.append(back).unwrap();
    t.cmd(post_args("Trois"))
        .status(code::CONTENT)
        .stderr_has("cadence (2 posts in the last hour already")
        .run();
    assert!(t.outbox("outbox").is_empty());
}
