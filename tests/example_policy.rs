//! The repository's own policy.toml is a working example.

use crate::support;
use support::{Test, code};

fn example() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("policy.toml")
        .display()
        .to_string()
}

#[test]
fn the_example_policy_is_valid_and_has_the_promised_accounts() {
    let t = Test::new();
    let out = t.cmd(["--json", "--policy", &example(), "policy", "check"]).run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let accounts = v["accounts"].as_array().unwrap();
    let kinds: Vec<(&str, &str)> = accounts
        .iter()
        .map(|a| (a["name"].as_str().unwrap(), a["kind"].as_str().unwrap()))
        .collect();
    assert!(kinds.contains(&("demo", "official")));
    assert!(kinds.contains(&("camille", "personal")));
    assert!(
        accounts
            .iter()
            .any(|a| a["kind"] == "official" && a["platform"] == "mastodon")
    );
    assert!(accounts.iter().any(|a| a["platform"] == "bluesky"));
    assert!(
        accounts
            .iter()
            .any(|a| a["platform"] == "linkedin" && a["handle"] == "@ministere-culture")
    );
}

#[test]
fn the_readme_demo_posts_to_the_demo_outbox() {
    let t = Test::new();
    t.cmd([
        "--policy",
        &example(),
        "post",
        "-a",
        "demo",
        "--confirm-handle",
        "@demo_ministere",
        "Démo",
    ])
    .stdout_has("file://{dir}/state/postgate/outbox/demo/posts/")
    .run();
    t.cmd(["--policy", &example(), "log", "verify"])
        .stdout_has("ok: 2 record(s)")
        .run();
    t.cmd(["--policy", &example(), "post", "-a", "demo", "Démo"])
        .status(code::NOT_CONFIRMED)
        .run();
}

/// Writes a draft for `account` into the test folder and returns its name.
fn draft(t: &Test, name: &str, account: &str, text: &str) -> String {
    std::fs::write(
        t.path().join(name),
        format!("+++\naccount = \"{account}\"\n+++\n{text}\n"),
    )
    .unwrap();
    name.to_string()
}

#[test]
fn the_example_rules_catch_what_the_ministry_cares_about() {
    let t = Test::new();
    let p = example();
    let d = draft(
        &t,
        "a.md",
        "culture-gouv",
        "Merci @jeanne@mastodon.social ! Le bilan du gouvernement : bit.ly/x et https://www.service-public.fr/a",
    );
    t.cmd(["--policy", &p, "check", &d])
        .status(code::CONTENT)
        .stdout(
            "a.md:4:7 approve consentement @jeanne@mastodon.social : publication qui implique une personne ; son consentement est-il recueilli ?\n\
             a.md:4:36 deny reserve-electorale période de réserve électorale : « bilan du gouvernement » peut se lire comme une prise de position\n\
             a.md:4:60 deny liens-officiels bit.ly is a link shortener: it hides where the link goes\n",
        )
        .run();
    // Near misses: an institutional mention, an allowed link, a word that merely contains a term.
    let d = draft(
        &t,
        "b.md",
        "culture-gouv",
        "Avec @agence@social.numerique.gouv.fr, les candidatures sont ouvertes : https://www.culture.gouv.fr/appel",
    );
    t.cmd(["--policy", &p, "check", &d]).stdout("").run();
}

#[test]
fn the_example_quiet_hours_are_paris_nights() {
    let t = Test::new();
    let p = example();
    let d = draft(&t, "nuit.md", "culture-gouv", "Bonne nuit");
    // 23:30 in Paris in winter is 22:30 UTC.
    t.cmd(["--policy", &p, "check", "--at", "2026-12-01T22:30:00Z", &d])
        .stdout("nuit.md:4:1 approve heures-calmes Tue 23:30 falls in the quiet hours 22:00–07:00 Europe/Paris\n")
        .run();
    // 21:59 and 07:00 in Paris are outside.
    for at in ["2026-12-01T20:59:00Z", "2026-12-02T06:00:00Z"] {
        t.cmd(["--policy", &p, "check", "--at", at, &d]).stdout("").run();
    }
    // The demo outbox account is not under quiet hours.
    let d = draft(&t, "demo.md", "demo", "Bonne nuit");
    t.cmd(["--policy", &p, "check", "--at", "2026-12-01T22:30:00Z", &d])
        .stdout("")
        .run();
}

#[test]
fn the_example_caps_official_accounts_at_ten_posts_an_hour() {
    let t = Test::new();
    let p = example();
    for i in 1..=10 {
        t.cmd([
            "--policy",
            &p,
            "post",
            "-a",
            "demo",
            "--confirm-handle",
            "@demo_ministere",
            &format!("Annonce {i}"),
        ])
        .run();
    }
    t.cmd([
        "--policy",
        &p,
        "post",
        "-a",
        "demo",
        "--confirm-handle",
        "@demo_ministere",
        "Annonce 11",
    ])
    .status(code::CONTENT)
    .stderr_has("cadence (10 posts in the last hour already; the policy allows 10)")
    .run();
    // The same count is what `check --at now` sees.
    let d = draft(&t, "onze.md", "demo", "Annonce 11");
    t.cmd(["--policy", &p, "check", "--at", "now", &d])
        .status(code::CONTENT)
        .stdout_has("deny cadence 10 posts in the last hour already")
        .run();
}

#[test]
fn a_drafts_publish_at_is_judged_against_the_quiet_hours() {
    let t = Test::new();
    let p = example();
    std::fs::write(
        t.path().join("soir.md"),
        "+++\naccount = \"culture-gouv\"\npublish_at = 2026-12-04T23:15:00+01:00\n+++\nBonne soirée\n",
    )
    .unwrap();
    std::fs::write(
        t.path().join("matin.md"),
        "+++\naccount = \"culture-gouv\"\npublish_at = 2026-12-05T09:00:00+01:00\n+++\nBonjour\n",
    )
    .unwrap();
    t.cmd(["--policy", &p, "check", "soir.md", "matin.md"])
        .stdout("soir.md:5:1 approve heures-calmes Fri 23:15 falls in the quiet hours 22:00–07:00 Europe/Paris\n")
        .run();
}

#[test]
fn the_example_sends_replies_to_the_secretary_general() {
    let t = Test::new();
    t.cmd([
        "--policy",
        &example(),
        "post",
        "-a",
        "demo",
        "--confirm-handle",
        "@demo_ministere",
        "--reply-to",
        "ext-1",
        "Merci pour votre message.",
    ])
    .status(code::PLAN_REFUSED)
    .stderr_has("error: this post needs approval: 1 approval(s) from role secretaire-generale (rule reponse-validee; policy line ")
    .run();
    let out = t.cmd(["--json", "--policy", &example(), "policy", "check"]).run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = v["approvers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["secretaire-generale", "cheffe-com", "directeur-cabinet"]);
    assert_eq!(v["approval_requirements"], 2);
    let authors: Vec<&str> = v["authors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(authors, ["redaction", "community-manager"]);
}
