//! `postgate log who URL|ID`: who published a post and how, read back from the audit logs.

use crate::support;
use serde_json::Value;
use support::{Test, code};

/// Posts with `--json` and returns the post's id and url.
fn post(t: &Test, account: &str, text: &str) -> (String, String) {
    let handle = t.handle(account);
    let out = t
        .cmd(["--json", "post", "-a", account, "--confirm-handle", &handle, text])
        .run();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    (
        v["id"].as_str().unwrap().to_string(),
        v["url"].as_str().unwrap().to_string(),
    )
}

fn who_json(t: &Test, args: &[&str]) -> Value {
    let mut all = vec!["--json", "log", "who"];
    all.extend_from_slice(args);
    let out = t.cmd(all).run();
    serde_json::from_slice(&out.stdout).unwrap()
}

fn stdout(out: std::process::Output) -> String {
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_post_is_found_by_its_url_and_by_its_id() {
    let t = Test::new();
    post(&t, "demo", "Un autre post, avant");
    let (id, url) = post(&t, "demo", "Bonjour à tous");
    post(&t, "demo", "Un autre post, après");

    let by_url = stdout(t.cmd(["log", "who", &url]).run());
    assert!(by_url.starts_with(&format!("post {id} {url}\n")), "{by_url}");
    let handle = t.handle("demo");
    for line in [
        format!("  account       demo {handle} (official, outbox "),
        "  confirmation  flag, credential from none".to_string(),
        "  text          Bonjour à tous".to_string(),
        "  policy        ".to_string(),
        "not deleted".to_string(),
    ] {
        assert!(by_url.contains(&line), "{line:?} in {by_url}");
    }
    // The intent and the outcome are the attempt's own records, from the log.
    let audit = t.audit();
    let outcome = audit.iter().find(|r| r["outcome"]["id"] == id.as_str()).unwrap();
    let intent_seq = outcome["seq"].as_u64().unwrap() - 1;
    assert_eq!(audit[intent_seq as usize - 1]["event"], "intent");
    assert!(
        by_url.contains(&format!(
            "  intent        {} (record #{intent_seq})",
            audit[intent_seq as usize - 1]["time"].as_str().unwrap()
        )),
        "{by_url}"
    );
    assert!(by_url.contains(&format!("(record #{})", outcome["seq"])), "{by_url}");
    let user = outcome["user"].as_str().unwrap();
    let host = outcome["hostname"].as_str().unwrap();
    assert!(
        by_url.contains(&format!("  by            {user} on {host} (postgate ")),
        "{by_url}"
    );

    // The id, and the url with a trailing slash, name the same post; a prefix does not.
    assert_eq!(stdout(t.cmd(["log", "who", &id]).run()), by_url);
    assert_eq!(stdout(t.cmd(["log", "who", &format!("{url}/")]).run()), by_url);
    t.cmd(["log", "who", &id[..id.len() - 1]]).status(code::NOT_FOUND).run();

    let v = who_json(&t, &[&id]);
    assert_eq!(v["post"]["id"], id.as_str());
    assert_eq!(v["post"]["url"], url.as_str());
    assert_eq!(v["post"]["action"], "post");
    assert_eq!(v["post"]["confirmation"], "flag");
    assert_eq!(v["post"]["user"], user);
    assert_eq!(v["post"]["hostname"], host);
    assert_eq!(v["post"]["intent_seq"], intent_seq);
    assert_eq!(v["post"]["outcome_seq"], outcome["seq"]);
    assert_eq!(v["post"]["policy_sha256"], outcome["policy_sha256"]);
    assert_eq!(v["post"]["origin"], t.audit_path().display().to_string());
    assert_eq!(v["corrections"], serde_json::json!([]));
    assert_eq!(v["deletion"], Value::Null);
}

#[test]
fn a_corrected_then_deleted_post_shows_both() {
    let t = Test::new();
    let handle = t.handle("perso");
    let (id, url) = post(&t, "perso", "Rendez-vous lundi");
    // The outbox takes ids only; the url finds the post below all the same.
    t.cmd([
        "correct",
        "perso",
        &id,
        "Rendez-vous mardi",
        "--confirm-handle",
        &handle,
    ])
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

    let v = who_json(&t, &[&url]);
    assert_eq!(v["post"]["id"], id.as_str());
    assert_eq!(v["corrections"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["corrections"][0]["action"], "correct");
    assert_eq!(v["corrections"][0]["acts_on"], id.as_str());
    assert_eq!(v["corrections"][0]["text"], "Rendez-vous mardi");
    assert!(v["corrections"][0]["intent_seq"].is_u64(), "{v}");
    assert_eq!(v["deletion"]["action"], "delete");
    assert_eq!(v["deletion"]["reason"], "annulé");
    assert_eq!(v["deletion"]["acts_on"], id.as_str());

    let text = stdout(t.cmd(["log", "who", &id]).run());
    assert!(text.contains("\ncorrection 1 "), "{text}");
    assert!(text.contains("  text          Rendez-vous mardi"), "{text}");
    assert!(text.contains("\ndeleted\n"), "{text}");
    assert!(text.contains("  reason        annulé"), "{text}");
    assert!(!text.contains("not deleted"), "{text}");
}

#[test]
fn an_unknown_post_exits_14_and_names_the_logs_read() {
    let t = Test::new();
    post(&t, "demo", "Bonjour");
    let out = t
        .cmd(["log", "who", "https://example.org/nosuch"])
        .status(code::NOT_FOUND)
        .stderr_has("no post published as `https://example.org/nosuch` in the audit log(s) read: ")
        .stderr_has("add it with --audit-log FILE")
        .run();
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains(&t.audit_path().display().to_string()), "{err}");
    let out = t.cmd(["--json", "log", "who", "nosuch"]).status(code::NOT_FOUND).run();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"], "not-found");
    // A file asked for that is not there is a mistake, not an empty log.
    t.cmd(["log", "who", "nosuch", "--audit-log", "nosuch.jsonl"])
        .status(code::USAGE)
        .stderr_has("--audit-log nosuch.jsonl")
        .run();
}

#[test]
fn another_machines_post_is_found_in_its_log() {
    let runner = Test::new();
    let (id, _) = post(&runner, "demo", "Publié par la CI");
    let t = Test::new();
    t.cmd(["log", "who", &id]).status(code::NOT_FOUND).run();
    let theirs = runner.audit_path().display().to_string();
    let v = who_json(&t, &[&id, "--audit-log", &theirs]);
    assert_eq!(v["post"]["origin"], theirs.as_str());
    assert_eq!(v["post"]["text"], "Publié par la CI");
    assert!(v["post"]["intent_seq"].is_u64(), "{v}");
}

#[test]
fn hidden_characters_in_a_record_are_made_visible() {
    let t = Test::new();
    // A record someone wrote into the log by hand (the chain kept valid by the library's own
    // append): its fields are shown, never obeyed by the terminal.
    let mut record = postgate::audit::Record::new(
        "outcome",
        "post",
        postgate::audit::Outcome::Published {
            id: "42\u{202e}".into(),
            url: "https://example.org/42".into(),
        },
    );
    record.user = "mallory\u{1b}[2J".into();
    record.text = Some("texte\u{200b}caché".into());
    postgate::audit::AuditLog::new(t.audit_path()).append(record).unwrap();

    let text = stdout(t.cmd(["log", "who", "https://example.org/42"]).run());
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains('\u{200b}'),
        "{text:?}"
    );
    assert!(text.contains("post 42⟨U+202E⟩ https://example.org/42"), "{text}");
    assert!(text.contains("mallory⟨U+001B⟩[2J on "), "{text}");
    assert!(text.contains("texte⟨U+200B⟩caché"), "{text}");
    assert!(text.contains("  intent        not found in this log"), "{text}");
}

#[test]
fn a_planned_post_shows_its_plan_its_author_and_its_approvals() {
    let t = Test::new().git_email("redaction@culture.example");
    let sg = t.ssh_key("sg");
    let redaction = t.ssh_key("redaction");
    let policy = concat!(
        support::policy::audit_and_demo!(),
        r#"
[[approvers]]
name = "sg"
key = "{sg}"
roles = ["secretaire-generale"]

[[authors]]
name = "redaction"
key = "{redaction}"

[[approvals.require]]
accounts = ["demo"]
roles = ["secretaire-generale"]
"#
    )
    .replace("{sg}", &sg)
    .replace("{redaction}", &redaction);
    let t = t.policy(&policy);
    let out = t
        .cmd([
            "plan",
            "-a",
            "demo",
            "-o",
            "a.plan",
            "--ssh-key",
            "keys/redaction",
            "Visite du musée",
        ])
        .run();
    let hash = stdout(out).trim().to_string();
    t.cmd(["approve", "a.plan", "--ssh-key", "keys/sg", "--plan-hash", &hash])
        .run();
    let out = t
        .cmd(["--json", "apply", "a.plan", "--confirm-handle", "@mairie_demo_{uid}"])
        .run();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = v["id"].as_str().unwrap().to_string();

    let v = who_json(&t, &[&id]);
    assert_eq!(v["post"]["plan_hash"], hash.as_str());
    assert!(
        v["post"]["approvals"][0].as_str().unwrap().starts_with("sg SHA256:"),
        "{v}"
    );
    assert_eq!(v["post"]["author"]["name"], "redaction");
    assert!(v["post"]["intent_seq"].is_u64(), "{v}");
    let text = stdout(t.cmd(["log", "who", &id]).run());
    assert!(text.contains(&format!("  plan          {hash}")), "{text}");
    assert!(
        text.contains("  plan author   `redaction` of [[authors]], key SHA256:"),
        "{text}"
    );
    assert!(text.contains("  approved by   sg SHA256:"), "{text}");
}

#[test]
fn a_post_reconcile_found_foreign_is_said_to_be_not_postgates() {
    let t = Test::new();
    // What `reconcile` records when it finds a post postgate did not make.
    let mut record = postgate::audit::Record::new(
        "foreign",
        "reconcile",
        postgate::audit::Outcome::Foreign {
            id: "777".into(),
            url: "https://example.org/777".into(),
            created_at: None,
        },
    );
    record.seq = 0;
    postgate::audit::AuditLog::new(t.audit_path()).append(record).unwrap();
    t.cmd(["log", "who", "https://example.org/777/"])
        .status(code::NOT_FOUND)
        .stderr_has("no post published as `https://example.org/777/`")
        .stderr_has("hint: `postgate reconcile` recorded it as NOT MADE BY POSTGATE on ? at ")
        .stderr_has("(record #1 of ")
        .run();
}
