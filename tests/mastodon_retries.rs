//! Retries against mastodon-mock's fault injection. Faults apply to the whole server, so these
//! tests run on a server of their own and take turns on it (`mastodon_faults`).

use crate::support;
use support::mastodon::Faults;
use support::policy::{self, FROM_ENV};
use support::{Test, code, mastodon_faults, mastodon_statuses};

fn setup(faults: &Faults, name: &str) -> (Test, support::MastodonUser) {
    let t = Test::new();
    let user = faults.user(&format!("{name}_{}", t.uid));
    let policy = policy::with_audit(&[&(policy::mastodon("masto", &user.handle, user.url) + FROM_ENV)]);
    (t.policy(&policy).env("POSTGATE_SECRET_MASTO", &user.token), user)
}

#[test]
fn a_503_is_retried_under_the_same_key_and_publishes_once() {
    let faults = mastodon_faults();
    let (t, user) = setup(&faults, "retry503");
    faults.fault("POST", "/api/v1/statuses", 503, serde_json::json!({}), 2);
    t.post("masto", "Malgré les erreurs")
        .stderr_has("postgate: 503")
        .stderr_has("retrying in 0.5s (1/3)")
        .stderr_has("retrying in 1.0s (2/3)")
        .run();
    assert_eq!(mastodon_statuses(&user).len(), 1);
}

#[test]
fn a_429_waits_as_long_as_retry_after_says() {
    let faults = mastodon_faults();
    let (t, user) = setup(&faults, "retry429");
    faults.fault(
        "POST",
        "/api/v1/statuses",
        429,
        serde_json::json!({ "Retry-After": "1" }),
        1,
    );
    t.post("masto", "Limité")
        .stderr_has("postgate: 429 Too many requests; retrying in 1.0s (1/3)")
        .run();
    assert_eq!(mastodon_statuses(&user).len(), 1);
}

#[test]
fn persistent_failure_records_a_failed_outcome_and_nothing_is_published() {
    let faults = mastodon_faults();
    let (t, user) = setup(&faults, "retryfail");
    faults.fault("POST", "/api/v1/statuses", 500, serde_json::json!({}), 4);
    t.post("masto", "Jamais")
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
    let faults = mastodon_faults();
    let (t, user) = setup(&faults, "reject");
    faults.fault("POST", "/api/v1/statuses", 422, serde_json::json!({}), 1);
    t.post("masto", "Refusé")
        .status(code::CONTENT)
        .stderr_has("mastodon: publishing: 422")
        .run();
    assert!(mastodon_statuses(&user).is_empty());
}

#[test]
fn a_503_then_a_429_then_success_makes_one_status() {
    let faults = mastodon_faults();
    let (t, user) = setup(&faults, "mixed");
    faults.fault("POST", "/api/v1/statuses", 503, serde_json::json!({}), 1);
    // Queued after the 503: the next matching request gets the 429.
    faults.fault(
        "POST",
        "/api/v1/statuses",
        429,
        serde_json::json!({ "Retry-After": "1" }),
        1,
    );
    t.post("masto", "Trois essais")
        .stderr_has("postgate: 503")
        .stderr_has("postgate: 429")
        .run();
    assert_eq!(mastodon_statuses(&user).len(), 1);
}

#[test]
fn a_lost_answer_is_retried_under_the_same_key_and_makes_one_status() {
    let faults = mastodon_faults();
    let (t, user) = setup(&faults, "lost");
    // The server receives the post and creates the status, but answers after the client has
    // given up waiting: the outcome is unknown to postgate, which retries with the same key.
    faults.effect(
        "POST",
        "/api/v1/statuses",
        serde_json::json!({ "type": "latency", "delay_ms": 1500 }),
        1,
    );
    t.post("masto", "Une seule fois")
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
    let faults = mastodon_faults();
    let (t, user) = setup(&faults, "keep");
    // The revocation endpoint fails on every attempt, so the token stays valid.
    faults.fault("POST", "/oauth/revoke", 503, serde_json::json!({}), 10);
    t.cmd(["lockdown", "masto", "--reason", "jeton divulgué"])
        .status(code::PLATFORM)
        .stdout_has("masto  LOCKED  NOT REVOKED: mastodon: the token is NOT revoked: ")
        .stdout_has("; keychain: from the environment: replace POSTGATE_SECRET_MASTO in the CI secret store\n")
        .stderr_has("masto: by hand: revoke it now on ")
        .stderr_has("Preferences → Account → Authorized apps")
        .run();
    // Not revoked, but locked all the same: the lock never depends on the platform.
    t.post("masto", "Après").status(code::LOCKED_DOWN).run();
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
    let faults = mastodon_faults();
    let (t, user) = setup(&faults, "refused401");
    // publish.rs wraps the platform's failure (which has the hint) in "post on … failed".
    faults.fault("POST", "/api/v1/statuses", 401, serde_json::json!({}), 1);
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
