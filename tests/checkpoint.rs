//! Signed checkpoints of the audit log: `log checkpoint`, `log verify --checkpoint`.

use crate::support;
use postgate::audit::{Record, chained_line};
use support::{DEFAULT_POLICY, Test, code};

/// A test whose policy lists `alice` (SSH key `keys/alice`) as an approver.
fn with_approver() -> Test {
    let t = Test::new();
    let alice = t.ssh_key("alice");
    t.policy(&format!(
        "{DEFAULT_POLICY}\n[[approvers]]\nname = \"alice\"\nkey = \"{alice}\"\nroles = [\"com\"]\n"
    ))
}

fn post(t: &Test, text: &str) {
    let handle = t.handle("demo");
    t.cmd(["post", "-a", "demo", "--confirm-handle", &handle, text]).run();
}

fn key(t: &Test, name: &str) -> String {
    t.path().join("keys").join(name).display().to_string()
}

fn checkpoint(t: &Test, file: &str) {
    let out = t.path().join(file).display().to_string();
    t.cmd(["log", "checkpoint", "--ssh-key", &key(t, "alice"), "--output", &out])
        .run();
}

fn verify_with<'t>(t: &'t Test, file: &str) -> support::cmd::Cmd<'t> {
    let path = t.path().join(file).display().to_string();
    t.cmd(["log", "verify", "--checkpoint", &path])
}

/// Rewrites every record from `from` on (1-based seq) with a changed text, re-chained as
/// `append` would chain it, so the chain alone still verifies.
fn rewrite_tail(t: &Test, from: u64) {
    let text = std::fs::read_to_string(t.audit_path()).unwrap();
    let mut out = Vec::new();
    let mut prev = String::new();
    for (i, line) in text.lines().enumerate() {
        let seq = i as u64 + 1;
        if seq < from {
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
            prev = serde_json::from_str::<Record>(line).unwrap().hash.unwrap();
            continue;
        }
        let mut record: Record = serde_json::from_str(line).unwrap();
        if record.text.is_some() {
            record.text = Some("rewritten".into());
        }
        record.user = "someone-else".into();
        let (bytes, hash) = chained_line(&mut record, seq, prev).unwrap();
        out.extend_from_slice(&bytes);
        prev = hash;
    }
    std::fs::write(t.audit_path(), out).unwrap();
}

#[test]
fn a_checkpoint_signs_the_head_verifies_and_is_recorded_after_it() {
    let t = with_approver();
    post(&t, "un");
    post(&t, "deux");
    let out = t.cmd(["log", "verify"]).run();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let head = stdout.trim().rsplit(' ').next().unwrap().to_string();
    // On stdout by default: the note alone, byte for byte.
    let out = t.cmd(["log", "checkpoint", "--ssh-key", &key(&t, "alice")]).run();
    let note = String::from_utf8(out.stdout).unwrap();
    assert!(
        note.starts_with(&format!("postgate audit log\n4\n{head}\n\n\u{2014} alice ")),
        "{note}"
    );
    std::fs::write(t.path().join("cp"), &note).unwrap();
    // Writing it was recorded, after the head it signed.
    let records = t.audit();
    assert_eq!(records.len(), 5);
    assert_eq!(records[4]["outcome"]["status"], "checkpoint");
    assert_eq!(records[4]["outcome"]["size"], 4);
    assert_eq!(records[4]["outcome"]["head"], head.as_str());
    assert_eq!(records[4]["outcome"]["signer"], "alice");
    post(&t, "trois");
    verify_with(&t, "cp")
        .stderr_has("checkpoint ok: record 4 still has hash")
        .run();
    let out = t
        .cmd([
            "--json",
            "log",
            "verify",
            "--checkpoint",
            &t.path().join("cp").display().to_string(),
        ])
        .run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["checkpoint"]["size"], 4);
    assert_eq!(v["checkpoint"]["signers"][0]["name"], "alice");
}

#[test]
fn a_rewritten_tail_passes_plain_verify_but_not_the_checkpoint() {
    let t = with_approver();
    post(&t, "un");
    post(&t, "deux");
    checkpoint(&t, "cp");
    rewrite_tail(&t, 3);
    t.cmd(["log", "verify"]).stdout_has("ok: 5 record(s)").run();
    verify_with(&t, "cp")
        .status(code::AUDIT)
        .stderr_has("record 4 has hash")
        .stderr_has("the log was rewritten since")
        .run();
}

#[test]
fn a_truncated_log_is_refused() {
    let t = with_approver();
    post(&t, "un");
    post(&t, "deux");
    checkpoint(&t, "cp");
    let text = std::fs::read_to_string(t.audit_path()).unwrap();
    let kept: String = text.lines().take(2).map(|l| format!("{l}\n")).collect();
    std::fs::write(t.audit_path(), kept).unwrap();
    t.cmd(["log", "verify"]).stdout_has("ok: 2 record(s)").run();
    verify_with(&t, "cp")
        .status(code::AUDIT)
        .stderr_has("fewer than the 4 record(s) checkpointed")
        .run();
}

#[test]
fn a_tampered_note_is_refused() {
    let t = with_approver();
    post(&t, "un");
    post(&t, "deux");
    checkpoint(&t, "cp");
    let note = std::fs::read_to_string(t.path().join("cp")).unwrap();
    // The size changed to one the log also has: only the signature can tell.
    std::fs::write(t.path().join("size"), note.replacen("\n4\n", "\n2\n", 1)).unwrap();
    verify_with(&t, "size")
        .status(code::AUDIT)
        .stderr_has("size:5:1: approver `alice`'s signature does not sign this note")
        .run();
    let head = note.lines().nth(2).unwrap();
    let other = format!("{}{}", if head.starts_with('0') { "1" } else { "0" }, &head[1..]);
    std::fs::write(t.path().join("hash"), note.replacen(head, &other, 1)).unwrap();
    verify_with(&t, "hash")
        .status(code::AUDIT)
        .stderr_has("does not sign this note")
        .run();
    std::fs::write(t.path().join("syntax"), note.replacen("\n4\n", "\n4 \n", 1)).unwrap();
    verify_with(&t, "syntax")
        .status(code::AUDIT)
        .stderr_has("syntax:2:2: not a postgate checkpoint")
        .run();
}

#[test]
fn a_checkpoint_by_a_key_the_policy_does_not_know_is_refused() {
    let t = with_approver();
    post(&t, "un");
    t.ssh_key("mallory");
    t.cmd(["log", "checkpoint", "--ssh-key", &key(&t, "mallory")])
        .status(code::AUDIT)
        .stderr_has("is not one of the policy's [[approvers]]")
        .run();
    // Made by hand with the right namespace and body, it is still refused.
    let v = t.cmd(["--json", "log", "verify"]).run();
    let v: serde_json::Value = serde_json::from_slice(&v.stdout).unwrap();
    let body = format!(
        "postgate audit log\n{}\n{}\n",
        v["records"],
        v["head"].as_str().unwrap()
    );
    t.ssh_sign("mallory", "postgate-checkpoint", &body, "mallory.sig");
    let note = forge(&t, &body, "alice", "mallory.sig");
    std::fs::write(t.path().join("cp"), note).unwrap();
    verify_with(&t, "cp")
        .status(code::AUDIT)
        .stderr_has("cp:5:1: the checkpoint is signed by key SHA256:")
        .stderr_has("which is not one of the policy's [[approvers]]")
        .run();
}

#[test]
fn an_approval_signature_cannot_pass_as_a_checkpoint() {
    let t = with_approver();
    post(&t, "un");
    let v = t.cmd(["--json", "log", "verify"]).run();
    let v: serde_json::Value = serde_json::from_slice(&v.stdout).unwrap();
    let body = format!(
        "postgate audit log\n{}\n{}\n",
        v["records"],
        v["head"].as_str().unwrap()
    );
    t.ssh_sign("alice", "postgate", &body, "approval.sig");
    std::fs::write(t.path().join("cp"), forge(&t, &body, "alice", "approval.sig")).unwrap();
    verify_with(&t, "cp")
        .status(code::AUDIT)
        .stderr_has("was made for `postgate`, not as a checkpoint")
        .run();
}

/// A note put together by hand from an `ssh-keygen -Y sign` file.
fn forge(t: &Test, body: &str, name: &str, sig: &str) -> String {
    let pem = std::fs::read_to_string(t.path().join(sig)).unwrap();
    let blob: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    format!("{body}\n\u{2014} {name} {blob}\n")
}

#[test]
fn an_existing_output_file_is_never_overwritten() {
    let t = with_approver();
    post(&t, "un");
    std::fs::write(t.path().join("cp"), "kept").unwrap();
    let out = t.path().join("cp").display().to_string();
    t.cmd(["log", "checkpoint", "--ssh-key", &key(&t, "alice"), "--output", &out])
        .status(code::USAGE)
        .stderr_has("a checkpoint is never written over another")
        .run();
    assert_eq!(std::fs::read_to_string(t.path().join("cp")).unwrap(), "kept");
}

#[test]
fn reconcile_and_queue_publish_write_a_verifiable_checkpoint_at_the_end() {
    let t = with_approver();
    post(&t, "un");
    let alice = key(&t, "alice");
    let out = t
        .cmd([
            "--json",
            "reconcile",
            "-a",
            "demo",
            "--checkpoint",
            "r.checkpoint",
            "--ssh-key",
            &alice,
        ])
        .run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["checkpoint"]["signer"], "alice", "{v}");
    let records = t.audit();
    let last = records.last().unwrap();
    assert_eq!(last["outcome"]["status"], "checkpoint");
    assert_eq!(last["action"], "reconcile --checkpoint");
    assert_eq!(last["outcome"]["size"], records.len() as u64 - 1);
    verify_with(&t, "r.checkpoint").stderr_has("checkpoint ok").run();

    std::fs::create_dir_all(t.path().join("queue")).unwrap();
    t.cmd([
        "queue",
        "publish",
        "queue",
        "--due",
        "--checkpoint",
        "q.checkpoint",
        "--ssh-key",
        &alice,
    ])
    .stderr_has("checkpoint of record")
    .run();
    verify_with(&t, "q.checkpoint").stderr_has("checkpoint ok").run();
    // The same file again is refused, and the run says so by its exit code.
    t.cmd([
        "queue",
        "publish",
        "queue",
        "--due",
        "--checkpoint",
        "q.checkpoint",
        "--ssh-key",
        &alice,
    ])
    .status(code::USAGE)
    .stderr_has("no checkpoint was written to q.checkpoint")
    .run();
}

#[test]
fn a_keychain_approval_key_signs_a_checkpoint_too() {
    let t = Test::new().keychain();
    let key_name = format!("cp_{}", t.uid);
    let out = t.cmd(["keys", "new", &key_name]).run();
    let public = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let t = t.policy(&format!(
        "{DEFAULT_POLICY}\n[[approvers]]\nname = \"bob\"\nkey = \"{public}\"\nroles = [\"com\"]\n"
    ));
    post(&t, "un");
    let out = t.cmd(["log", "checkpoint", "--key", &key_name]).run();
    let note = String::from_utf8(out.stdout).unwrap();
    assert!(note.contains("\n\n\u{2014} bob "), "{note}");
    std::fs::write(t.path().join("cp"), note).unwrap();
    verify_with(&t, "cp").stderr_has("signed by bob").run();
}
