//! The audit log through the command line: listing, filtering, verifying, repairing.

use crate::support;
use std::os::unix::fs::PermissionsExt;
use support::{Test, code};

fn mode(path: &std::path::Path) -> u32 {
    std::fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
}

/// Torn fragments saved beside the audit log.
fn fragments(t: &Test) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(t.path().join("state"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("audit.torn-"))
        .collect()
}

fn tear(t: &Test) {
    let mut bytes = std::fs::read(t.audit_path()).unwrap();
    bytes.extend_from_slice(b"{\"seq\":3,\"prev\":\"deadbeef");
    std::fs::write(t.audit_path(), &bytes).unwrap();
}

fn post(t: &Test, account: &str, text: &str) {
    let handle = t.handle(account);
    t.cmd(["post", "-a", account, "--confirm-handle", &handle, text]).run();
}

#[test]
fn every_record_carries_the_required_fields() {
    let t = Test::new();
    post(&t, "demo", "Bonjour");
    let policy_sha = {
        use std::process::Command;
        let out = Command::new("sha256sum").arg(t.policy_path()).output().unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    };
    let audit = t.audit();
    for r in &audit {
        for key in [
            "seq",
            "prev",
            "time",
            "user",
            "hostname",
            "version",
            "policy_sha256",
            "account",
            "text_sha256",
            "text",
            "confirmation",
            "credential_source",
            "outcome",
        ] {
            assert!(r.get(key).is_some_and(|v| !v.is_null()), "record lacks {key}: {r}");
        }
        assert_eq!(r["policy_sha256"], policy_sha);
        assert_eq!(r["account"]["name"], "demo");
        assert_eq!(r["account"]["kind"], "official");
        assert_eq!(r["account"]["platform"], "outbox");
        assert_eq!(r["account"]["host"], "local");
        assert!(r["time"].as_str().unwrap().ends_with('Z'), "time is UTC");
        assert_eq!(r["version"], env!("CARGO_PKG_VERSION"));
    }
    // SHA-256 of "Bonjour".
    assert_eq!(
        audit[0]["text_sha256"],
        "9172e8eec99f144f72eca9a568759580edadb2cfd154857f07e657569493bc44"
    );
    assert_eq!(audit[0]["prev"], "0".repeat(64));
    assert_eq!(audit[1]["post_key"].as_str().unwrap().len(), 64);
}

#[test]
fn verify_reports_ok_with_the_head() {
    let t = Test::new();
    post(&t, "demo", "un");
    post(&t, "demo", "deux");
    let out = t.cmd(["log", "verify"]).run();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("ok: 4 record(s), head "), "{stdout}");
    let out = t.cmd(["--json", "log", "verify"]).run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["records"], 4);
}

#[test]
fn an_edited_record_is_detected() {
    let t = Test::new();
    post(&t, "demo", "Texte original");
    post(&t, "demo", "suite");
    let text = std::fs::read_to_string(t.audit_path()).unwrap();
    std::fs::write(t.audit_path(), text.replacen("Texte original", "Texte modifié", 1)).unwrap();
    // The edited record is named, not the next one whose `prev` it broke.
    t.cmd(["log", "verify"])
        .status(code::AUDIT)
        .stderr_has(
            "error: audit log does not verify: record 1 (line 1) was changed after it was written: it does not \
             match its own hash",
        )
        .run();
}

/// Five records: a dry run, two posts (intent and outcome each).
fn five_records(t: &Test) {
    let handle = t.handle("demo");
    t.cmd(["post", "-a", "demo", "--confirm-handle", &handle, "--dry-run", "zéro"])
        .run();
    post(t, "demo", "un");
    post(t, "demo", "deux");
    assert_eq!(t.audit().len(), 5);
}

#[test]
fn an_edit_of_record_3_of_5_names_record_3() {
    let t = Test::new();
    five_records(&t);
    let text = std::fs::read_to_string(t.audit_path()).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    assert!(lines[2].contains("\"seq\":3,"), "{}", lines[2]);
    lines[2] = lines[2].replacen("\"event\":\"outcome\"", "\"event\":\"refused\"", 1);
    std::fs::write(t.audit_path(), lines.join("\n") + "\n").unwrap();
    t.cmd(["log", "verify"])
        .status(code::AUDIT)
        .stderr_has("record 3 (line 3) was changed after it was written")
        .stderr_has("2 good record(s) before the break")
        .run();
    let out = t.cmd(["--json", "log", "verify"]).status(code::AUDIT).run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["result"]["problem"]["seq"], 3, "{v}");
    assert_eq!(v["result"]["problem"]["line"], 3, "{v}");
}

#[test]
fn a_deletion_of_record_3_of_5_names_the_gap() {
    let t = Test::new();
    five_records(&t);
    let text = std::fs::read_to_string(t.audit_path()).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .enumerate()
        .filter(|(i, _)| *i != 2)
        .map(|(_, l)| l)
        .collect();
    std::fs::write(t.audit_path(), kept.join("\n") + "\n").unwrap();
    t.cmd(["log", "verify"])
        .status(code::AUDIT)
        .stderr_has("line 3: record 3 is missing (expected seq 3, found 4): removed from the log")
        .run();
}

#[test]
fn a_deleted_record_is_detected() {
    let t = Test::new();
    post(&t, "demo", "un");
    post(&t, "demo", "deux");
    let text = std::fs::read_to_string(t.audit_path()).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, l)| l)
        .collect();
    std::fs::write(t.audit_path(), kept.join("\n") + "\n").unwrap();
    t.cmd(["log", "verify"])
        .status(code::AUDIT)
        .stderr_has("line 2: record 2 is missing (expected seq 2, found 3): removed from the log")
        .run();
}

#[test]
fn a_torn_last_line_is_reported_blocks_posting_and_can_be_repaired() {
    let t = Test::new();
    post(&t, "demo", "un");
    let mut bytes = std::fs::read(t.audit_path()).unwrap();
    bytes.extend_from_slice(b"{\"seq\":3,\"prev\":\"deadbeef");
    std::fs::write(t.audit_path(), &bytes).unwrap();

    t.cmd(["log", "verify"])
        .status(code::AUDIT)
        .stderr_has("line 3 is torn: 25 bytes at offset")
        .run();
    // Fail closed: no audit record can be appended, so nothing is published.
    t.post("demo", "deux")
        .status(code::AUDIT)
        .stderr_has("its last line is torn")
        .run();
    assert_eq!(t.outbox("outbox").len(), 1);
    // The torn bytes are still there: nothing was silently dropped or overwritten.
    assert!(std::fs::read(t.audit_path()).unwrap().ends_with(b"deadbeef"));

    t.cmd(["log", "repair"])
        .stderr("moved the torn last line aside; recorded as seq 3\n")
        .run();
    t.cmd(["log", "verify"]).stdout_has("ok: 3 record(s)").run();
    let last = t.audit().last().unwrap().clone();
    assert_eq!(last["outcome"]["status"], "repaired");
    assert_eq!(last["outcome"]["fragment_bytes"], 25);
    let saved = last["outcome"]["saved_to"].as_str().unwrap();
    assert_eq!(std::fs::read(saved).unwrap(), b"{\"seq\":3,\"prev\":\"deadbeef");
    post(&t, "demo", "deux");
}

#[test]
fn log_lists_and_filters() {
    let t = Test::new();
    post(&t, "demo", "officiel");
    t.post("perso", "perso").run();
    let out = t.cmd(["--json", "log", "--account", "perso"]).run();
    let records: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(records.len(), 2);
    assert!(records.iter().all(|r| r["account"]["name"] == "perso"));

    let out = t.cmd(["--json", "log", "--since", "1h"]).run();
    let records: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(records.len(), 4);

    let out = t.cmd(["log"]).run();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 4);
    assert!(
        text.lines()
            .nth(1)
            .unwrap()
            .contains("outcome    published  demo @mairie_demo_")
    );

    t.cmd(["log", "--since", "bientôt"])
        .status(code::USAGE)
        .stderr_has("invalid --since `bientôt`")
        .run();
}

#[test]
fn refused_attempts_are_recorded_with_their_reason() {
    let t = Test::new();
    t.cmd(["post", "-a", "demo", "--confirm-handle", "@wrong", "x"])
        .status(code::NOT_CONFIRMED)
        .run();
    let r = &t.audit()[0];
    assert_eq!(r["event"], "refused");
    assert_eq!(r["outcome"]["exit_code"], code::NOT_CONFIRMED);
    assert!(
        r["outcome"]["reason"]
            .as_str()
            .unwrap()
            .contains("--confirm-handle does not match")
    );
}

#[test]
fn repair_keeps_the_fragment_to_the_owner_and_leaves_nothing_when_it_cannot_write() {
    let t = Test::new();
    post(&t, "demo", "un");
    tear(&t);
    let torn = std::fs::read(t.audit_path()).unwrap();
    // A full disk, as far as postgate can tell: no file may grow (SIGXFSZ ignored, so the write
    // fails with EFBIG instead of killing the process).
    let out = t
        .command("sh")
        .args(["-c", "trap '' XFSZ; ulimit -f 0; exec \"$0\" log repair", support::BIN])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code::AUDIT), "{stderr}");
    assert!(stderr.contains("cannot save fragment"), "{stderr}");
    assert!(fragments(&t).is_empty(), "a failed repair left {:?}", fragments(&t));
    assert_eq!(std::fs::read(t.audit_path()).unwrap(), torn, "the log is untouched");

    t.cmd(["log", "repair"]).run();
    let saved = fragments(&t);
    assert_eq!(saved.len(), 1);
    assert_eq!(mode(&saved[0]), 0o600, "the fragment holds a record's text");
    // A second repair in the same second never overwrites the first fragment.
    tear(&t);
    t.cmd(["log", "repair"]).run();
    assert_eq!(fragments(&t).len(), 2);
}

#[test]
fn every_file_postgate_writes_is_the_owners_only() {
    let t = Test::new().policy(&format!(
        "{}\n[lockdown]\nshared_path = \"{{dir}}/shared/locks\"\n",
        support::DEFAULT_POLICY
    ));
    // The share is mounted (postgate never creates it, see tests/lockdown.rs); the lock in it
    // and in the state folder are postgate's.
    std::os::unix::fs::DirBuilderExt::mode(std::fs::DirBuilder::new().recursive(true), 0o700)
        .create(t.path().join("shared/locks"))
        .unwrap();
    t.cmd(["lockdown", "perso", "--reason", "essai"]).run();
    post(&t, "demo", "un");
    t.cmd(["plan", "-a", "demo", "-o", "p.plan", "Prévu"]).run();
    t.cmd(["apply", "p.plan", "--confirm-handle", "@mairie_demo_{uid}"])
        .run();
    std::fs::create_dir_all(t.path().join("queue")).unwrap();
    t.cmd(["queue", "publish", "queue", "--due"]).run();
    tear(&t);
    t.cmd(["log", "repair"]).run();

    let mut seen = Vec::new();
    fn walk(dir: &std::path::Path, seen: &mut Vec<(std::path::PathBuf, u32)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            seen.push((path.clone(), mode(&path)));
            if path.is_dir() {
                walk(&path, seen);
            }
        }
    }
    // What postgate created: the state folder's content (the test made the folder itself),
    // the outbox, the plan and the lock.
    for dir in ["state", "outbox"] {
        walk(&t.path().join(dir), &mut seen);
    }
    for made in ["outbox", "p.plan", "shared", "queue/.postgate-queue.lock"] {
        seen.push((t.path().join(made), mode(&t.path().join(made))));
    }
    walk(&t.path().join("shared"), &mut seen);
    assert!(seen.iter().any(|(p, _)| p.to_string_lossy().contains("audit.torn-")));
    assert!(seen.iter().any(|(p, _)| p.extension().is_some_and(|e| e == "lock")));
    for (path, mode) in &seen {
        let want = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(*mode, want, "{} is {mode:o}", path.display());
    }
}

#[test]
fn verify_warns_when_time_goes_backwards() {
    let t = Test::new();
    post(&t, "demo", "un");
    // A run whose clock was set back three hours, then one with the clock right again.
    let log = postgate::audit::AuditLog::new(t.audit_path());
    let mut back = postgate::audit::Record::new("dry-run", "post", postgate::audit::Outcome::DryRun);
    back.time = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(3)).to_string();
    log.append(back).unwrap();
    post(&t, "demo", "deux");
    let out = t
        .cmd(["log", "verify"])
        .stderr_has("warning: line 3 (seq 3): its time ")
        .stderr_has(" is earlier than ")
        .stderr_has("the clock that wrote it was set back or is behind")
        .run();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok: 5 record(s), head "));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("warning:").count(), 1, "{stderr}");
    let out = t.cmd(["--json", "log", "verify"]).run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["warnings"].as_array().unwrap().len(), 1);
    // The record keeps what its clock said, and how late it is by the log's order.
    let records = t.audit();
    assert!(records[2]["not_before"].as_str().is_some(), "{:?}", records[2]);
}

/// An audit log replaced by a FIFO or a device would hang or flood every run: it is refused at
/// once, as an audit failure, and nothing is published.
#[test]
fn an_audit_log_that_is_not_a_regular_file_is_refused_at_once() {
    let t = Test::new();
    let log = t.path().join("state/audit.jsonl");
    std::fs::create_dir_all(log.parent().unwrap()).unwrap();
    support::mkfifo(&log);
    t.post("demo", "Bonjour")
        .status(code::AUDIT)
        .stderr_has("not a regular file (a FIFO)")
        .run();
    t.cmd(["log", "verify"])
        .status(code::AUDIT)
        .stderr_has("not a regular file (a FIFO)")
        .run();
    std::fs::remove_file(&log).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &log).unwrap();
    t.cmd(["log", "verify"])
        .status(code::AUDIT)
        .stderr_has("not a regular file (a character device)")
        .run();
    t.post("demo", "Bonjour").status(code::AUDIT).run();
    assert!(t.outbox("outbox").is_empty());
}
