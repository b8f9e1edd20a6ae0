//! Retries against mastodon-mock's fault injection. Faults apply to the whole server, so the
//! tests in this file take turns (this binary has its own server).

mod support;
use std::sync::Mutex;
use support::{Test, code, mastodon_fault, mastodon_statuses, mastodon_url, mastodon_user};

static SERIAL: Mutex<()> = Mutex::new(());

fn setup(name: &str) -> (Test, support::MastodonUser) {
    let t = Test::new();
    let user = mastodon_user(&format!("{name}_{}", t.uid));
    let policy = format!(
        "[audit]\npath = \"{{dir}}/state/audit.jsonl\"\n\n[[accounts]]\nname = \"masto\"\nhandle = \"{}\"\nplatform = \"mastodon\"\ninstance = \"{}\"\nkind = \"official\"\ndisplay_name = \"Mairie\"\nowner = \"Tests\"\ncredentials = \"keychain-or-env\"\n",
        user.handle,
        mastodon_url()
    );
    (t.policy(&policy).env("POSTGATE_SECRET_MASTO", &user.token), user)
}

#[test]
fn a_503_is_retried_under_the_same_key_and_publishes_once() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (t, user) = setup("retry503");
    mastodon_fault("POST", "/api/v1/statuses", 503, serde_json::json!({}), 2);
    t.cmd([
        "post",
        "-a",
        "masto",
        "--confirm-handle",
        &user.handle,
        "Malgré les erreurs",
    ])
    .stderr_has("postgate: 503")
    .stderr_has("retrying in 0.5s (1/3)")
    .stderr_has("retrying in 1.0s (2/3)")
    .run();
    assert_eq!(mastodon_statuses(&user).len(), 1);
}

#[test]
fn a_429_waits_as_long_as_retry_after_says() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (t, user) = setup("retry429");
    mastodon_fault(
        "POST",
        "/api/v1/statuses",
        429,
        serde_json::json!({ "Retry-After": "1" }),
        1,
    );
    t.cmd(["post", "-a", "masto", "--confirm-handle", &user.handle, "Limité"])
        .stderr_has("postgate: 429 Too many requests; retrying in 1.0s (1/3)")
        .run();
    assert_eq!(mastodon_statuses(&user).len(), 1);
}

#[test]
fn persistent_failure_records_a_failed_outcome_and_nothing_is_published() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (t, user) = setup("retryfail");
    mastodon_fault("POST", "/api/v1/statuses", 500, serde_json::json!({}), 4);
    t.cmd(["post", "-a", "masto", "--confirm-handle", &user.handle, "Jamais"])
        .status(code::PLATFORM)
        .stderr_has(&format!("post on {} failed", user.handle))
        .stderr_has("mastodon: publishing: 500")
        .run();
    assert!(mastodon_statuses(&user).is_empty());
    let audit = t.audit();
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[0]["event"], "intent");
    assert_eq!(audit[1]["outcome"]["status"], "failed");
    assert_eq!(audit[1]["outcome"]["exit_code"], code::PLATFORM);
}

#[test]
fn a_422_is_a_content_refusal() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (t, user) = setup("reject");
    mastodon_fault("POST", "/api/v1/statuses", 422, serde_json::json!({}), 1);
    t.cmd(["post", "-a", "masto", "--confirm-handle", &user.handle, "Refusé"])
        .status(code::CONTENT)
        .stderr_has("mastodon: publishing: 422")
        .run();
    assert!(mastodon_statuses(&user).is_empty());
}

#[test]
fn a_503_then_a_429_then_success_makes_one_status() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (t, user) = setup("mixed");
    mastodon_fault("POST", "/api/v1/statuses", 503, serde_json::json!({}), 1);
    // Queued after the 503: the next matching request gets the 429.
    mastodon_fault(
        "POST",
        "/api/v1/statuses",
        429,
        serde_json::json!({ "Retry-After": "1" }),
        1,
    );
    t.cmd(["post", "-a", "masto", "--confirm-handle", &user.handle, "Trois essais"])
        .stderr_has("postgate: 503")
        .stderr_has("postgate: 429")
        .run();
    assert_eq!(mastodon_statuses(&user).len(), 1);
}

#[test]
fn a_lost_answer_is_retried_under_the_same_key_and_makes_one_status() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (t, user) = setup("lost");
    // The server receives the post and creates the status, but answers after the client has
    // given up waiting: the outcome is unknown to postgate, which retries with the same key.
    support::mastodon_effect(
        "POST",
        "/api/v1/statuses",
        serde_json::json!({ "type": "latency", "delay_ms": 1500 }),
        1,
    );
    t.cmd([
        "post",
        "-a",
        "masto",
        "--confirm-handle",
        &user.handle,
        "Une seule fois",
    ])
    .env("POSTGATE_HTTP_TIMEOUT", "0.7")
    .stderr_has("no answer")
    .stderr_has("retrying")
    .run();
    assert_eq!(mastodon_statuses(&user).len(), 1);
    let last = t.audit().last().unwrap().clone();
    assert_eq!(last["outcome"]["status"], "published");
}

#[test]
fn lockdown_reports_a_token_the_server_still_accepts_and_locks_anyway() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (t, user) = setup("keep");
    // The revocation endpoint fails on every attempt, so the token stays valid.
    mastodon_fault("POST", "/oauth/revoke", 503, serde_json::json!({}), 10);
    t.cmd(["lockdown", "masto", "--reason", "jeton divulgué"])
        .status(code::PLATFORM)
        .stdout_has("masto  LOCKED  NOT REVOKED: mastodon: the token is NOT revoked: ")
        .stdout_has("; keychain: from the environment: replace POSTGATE_SECRET_MASTO in the CI secret store\n")
        .stderr_has("masto: by hand: revoke it now on ")
        .stderr_has("Preferences → Account → Authorized apps")
        .run();
    // Not revoked, but locked all the same: the lock never depends on the platform.
    t.cmd(["post", "-a", "masto", "--confirm-handle", &user.handle, "Après"])
        .status(code::LOCKED_DOWN)
        .run();
    let record = t.audit().into_iter().find(|r| r["event"] == "lockdown").unwrap();
    assert!(
        record["outcome"]["revocation"]
            .as_str()
            .unwrap()
            .starts_with("NOT REVOKED"),
        "{record}"
    );
    assert!(mastodon_statuses(&user).is_empty());
}

#[test]
fn the_platform_hint_under_the_pipeline_failure_is_its_own_line_and_json_field() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (t, user) = setup("refused401");
    // publish.rs wraps the platform's failure (which has the hint) in "post on … failed".
    mastodon_fault("POST", "/api/v1/statuses", 401, serde_json::json!({}), 1);
    let out = t
        .cmd([
            "--json",
            "post",
            "-a",
            "masto",
            "--confirm-handle",
            &user.handle,
            "Refusé",
        ])
        .status(code::CREDENTIAL)
        .run();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr.trim_end().lines().collect();
    let error = lines.iter().position(|l| l.starts_with("error: ")).unwrap();
    assert!(
        lines[error].starts_with(&format!(
            "error: post on {} failed: mastodon: publishing: 401",
            user.handle
        )),
        "{stderr}"
    );
    // The hint is the line after the whole message, and the last one.
    assert_eq!(lines.len(), error + 2, "{stderr}");
    assert!(
        lines[error + 1].starts_with("hint: ") && lines[error + 1].contains("postgate login"),
        "{stderr}"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["exit_code"], code::CREDENTIAL);
    assert!(!v["message"].as_str().unwrap().contains("\nhint:"), "{v}");
    assert_eq!(
        v["hint"].as_str(),
        lines[error + 1].strip_prefix("hint: "),
        "{v}\n{stderr}"
    );
    assert!(mastodon_statuses(&user).is_empty());
}
