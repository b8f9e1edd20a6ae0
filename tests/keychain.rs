//! Credentials in a real Secret Service (gnome-keyring on a private D-Bus session).

use crate::support;
use support::{DEFAULT_POLICY, Test, code};

const CANARY: &str = "canary-Zq8-secret-7f3a";

/// An outbox account whose secret may come from `POSTGATE_SECRET_CI_BOX`, as in CI.
const CI_BOX: &str = "\n[[accounts]]\nname = \"ci-box\"\nhandle = \"@ci_{uid}\"\nplatform = \"outbox\"\nkind = \"official\"\ndisplay_name = \"CI\"\nowner = \"Tests\"\npath = \"{dir}/ci-outbox\"\ncredentials = \"keychain-or-env\"\n";

#[test]
fn login_accounts_post_logout_round_trip() {
    let t = Test::new().keychain();
    // Missing credential: refused before anything is asked, with the fix.
    t.post("vault", "x")
        .status(code::CREDENTIAL)
        .stderr_has("credential    MISSING (keychain)")
        .stderr_has("error: no credential in the keychain for account `vault` (@vault_{uid} on local)")
        .stderr_has("hint: run `postgate login vault`")
        .run();
    assert_eq!(t.audit().last().unwrap()["outcome"]["exit_code"], code::CREDENTIAL);

    t.cmd(["login", "vault", "--secret-stdin"])
        .stdin(format!("{CANARY}\n"))
        .stdout("")
        .stderr("stored the credential of `vault` (@vault_{uid} on local) in the keychain\n")
        .run();

    let out = t.cmd(["--json", "accounts"]).run();
    let accounts: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let vault = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "vault")
        .unwrap();
    assert_eq!(vault["credential"]["state"], "present");
    assert_eq!(vault["credential"]["source"], "keychain");
    assert!(vault["credential"]["age_seconds"].as_i64().unwrap() >= 0);
    t.cmd(["accounts"])
        .stdout_has("present (keychain, ")
        .stdout_has(" old)")
        .run();

    t.post("vault", "avec secret")
        .stderr_has("credential    keychain")
        .run();
    assert_eq!(t.outbox("vault-outbox").len(), 1);
    assert_eq!(t.audit().last().unwrap()["credential_source"], "keychain");

    t.cmd(["logout", "vault"])
        .stderr("removed the credential of `vault` from the keychain\n")
        .run();
    t.cmd(["accounts"]).stdout_has("missing").run();
    t.post("vault", "x").status(code::CREDENTIAL).run();
    t.cmd(["logout", "vault"])
        .stderr("`vault` had no credential in the keychain\n")
        .run();

    let actions: Vec<String> = t
        .audit()
        .iter()
        .filter_map(|r| r["action"].as_str().map(String::from))
        .collect();
    assert!(
        actions.iter().any(|a| a == "login") && actions.iter().any(|a| a == "logout"),
        "{actions:?}"
    );
}

#[test]
fn the_canary_secret_never_leaks() {
    let t = Test::new().keychain();
    let outputs = [
        t.cmd(["login", "vault", "--secret-stdin"]).stdin(CANARY).run(),
        t.cmd(["accounts"]).run(),
        t.cmd(["--json", "accounts"]).run(),
        t.post("vault", "x").run(),
        t.cmd(["--json", "post", "-a", "vault", "--confirm-handle", "@nope", "x"])
            .status(code::NOT_CONFIRMED)
            .run(),
        t.cmd(["log"]).run(),
        t.cmd(["--json", "log"]).run(),
    ];
    for out in &outputs {
        for stream in [&out.stdout, &out.stderr] {
            assert!(!String::from_utf8_lossy(stream).contains(CANARY), "canary in output");
        }
    }
    for (path, bytes) in t.all_files_bytes() {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(CANARY),
            "canary in {}",
            path.display()
        );
    }
}

#[test]
fn keychain_or_env_uses_the_environment_only_without_a_keychain() {
    let policy = "[audit]\npath = \"{dir}/state/audit.jsonl\"\n[[accounts]]\nname = \"ci-box\"\nhandle = \"@ci_{uid}\"\nplatform = \"outbox\"\nkind = \"official\"\ndisplay_name = \"CI\"\nowner = \"Tests\"\npath = \"{dir}/outbox\"\ncredentials = \"keychain-or-env\"\n";
    // No D-Bus session at all, as on a bare CI runner.
    let t = Test::new()
        .policy(policy)
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    t.post("ci-box", "x")
        .status(code::CREDENTIAL)
        .stderr_has("POSTGATE_SECRET_CI_BOX is not set")
        .run();
    t.post("ci-box", "depuis la CI")
        .env("POSTGATE_SECRET_CI_BOX", CANARY)
        .stderr_has("credential    environment")
        .run();
    let last = t.audit().last().unwrap().clone();
    assert_eq!(last["credential_source"], "environment");
    assert_eq!(t.outbox("outbox").len(), 1);

    // With a working keychain the environment is ignored: the missing item must be fixed.
    let t = Test::new().policy(policy).keychain();
    t.post("ci-box", "x")
        .env("POSTGATE_SECRET_CI_BOX", CANARY)
        .status(code::CREDENTIAL)
        .stderr_has("no credential in the keychain for account `ci-box`")
        .run();
}

#[test]
fn no_keychain_reachable_says_how_to_get_one() {
    let t = Test::new().env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    t.post("vault", "x")
        .status(code::CREDENTIAL)
        .stderr_has("error: no keychain is reachable for account `vault`")
        .stderr_has("gnome-keyring-daemon")
        .stderr_has("credentials = \"keychain-or-env\"")
        .stderr_has("POSTGATE_SECRET_VAULT")
        .run();
    t.cmd(["login", "vault", "--secret-stdin"])
        .stdin("s")
        .status(code::CREDENTIAL)
        .stderr_has("no keychain is reachable")
        .run();
}

#[test]
fn login_without_a_terminal_needs_secret_stdin() {
    let t = Test::new().keychain();
    t.cmd(["login", "vault"])
        .status(code::CREDENTIAL)
        .stderr_has("--secret-stdin` (never pass it as an argument)")
        .run();
    t.cmd(["login", "vault", "--secret-stdin"])
        .stdin("")
        .status(code::CREDENTIAL)
        .stderr_has("one non-empty line")
        .run();
}

#[test]
fn login_reads_a_hidden_secret_on_the_terminal() {
    let t = Test::new().keychain();
    let mut tty = t.cmd(["login", "vault"]).tty();
    tty.expect("Secret for vault");
    tty.line(CANARY);
    assert_eq!(tty.finish(), code::SUCCESS);
    assert!(!tty.screen().contains(CANARY), "the secret was echoed");
    t.cmd(["accounts"]).stdout_has("present (keychain").run();
}

#[test]
fn the_hidden_prompt_edits_cancels_and_stores_nothing_on_ctrl_c() {
    let t = Test::new().keychain();
    let mut tty = t.cmd(["login", "vault"]).tty();
    tty.expect("Secret for vault");
    // Typed, then erased with Backspace and Ctrl-U: still never shown.
    tty.keys(&format!("{CANARY}\u{7f}\u{15}abc\u{3}"));
    assert_eq!(tty.finish(), code::CREDENTIAL);
    assert!(
        tty.screen().contains("no secret was stored: cancelled with Ctrl-C"),
        "{}",
        tty.screen()
    );
    assert!(!tty.screen().contains("abc"), "{}", tty.screen());
    t.cmd(["accounts"]).stdout_has("missing").run();
}

/// Stores the vault account's keychain item as if postgate had stored it `days` ago, through
/// secret-tool (libsecret), the way another client of the Secret Service would.
fn store_aged(t: &Test, days: i64) {
    let created = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * days);
    let payload = format!(r#"{{"v":1,"secret":"{CANARY}","created_at":"{created}"}}"#);
    t.keychain_store(&format!("outbox:local:vault_{}", t.uid), &payload);
}

#[test]
fn a_stale_credential_is_refused_and_an_old_one_warned_about() {
    let t = Test::new().keychain();
    let policy = support::DEFAULT_POLICY.replace(
        "credentials = \"keychain\"",
        "credentials = \"keychain\"\nrotate_after_days = 20\nmax_credential_age_days = 30",
    );
    let t = t.policy(&policy);
    store_aged(&t, 45);
    t.cmd(["accounts"])
        .stdout_has("TOO OLD, refused: postgate login again")
        .run();
    t.post("vault", "x")
        .status(code::CREDENTIAL)
        .stderr_has("credential    keychain, 45 day(s) old")
        .stderr_has("error: the credential of `vault` is 45 days old; the policy allows 30 (max_credential_age_days)")
        .stderr_has("hint: store a new credential with `postgate login vault`")
        .run();
    assert!(t.outbox("vault-outbox").is_empty());
    assert_eq!(t.audit().last().unwrap()["event"], "refused");

    store_aged(&t, 25);
    t.cmd(["accounts"]).stdout_has("rotate it").run();
    t.post("vault", "x")
        .stderr_has("warning: the credential of `vault` is 25 days old; rotate it (rotate_after_days = 20): `postgate login vault`, before it is refused at 30 days")
        .run();
    assert_eq!(t.outbox("vault-outbox").len(), 1);
}

/// Runs postgate under `timeout`, so that a hang fails the test instead of the whole suite.
/// A deadline, not a synchronisation: no assertion is made on how long the run took.
fn run_with_deadline(t: &Test, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = t
        .command("timeout")
        .arg("120")
        .arg(support::BIN)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run timeout");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    assert_ne!(out.status.code(), Some(124), "postgate {args:?} hung: {out:?}");
    out
}

#[test]
fn a_keychain_that_accepts_but_never_answers_counts_as_unreachable() {
    // A D-Bus "session" that accepts every connection and never says a word.
    let bus = tempfile::tempdir().expect("temp dir");
    let socket = bus.path().join("bus");
    let listener = std::os::unix::net::UnixListener::bind(&socket).expect("bind the socket");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let t = Test::new()
        .policy(&format!("{DEFAULT_POLICY}{CI_BOX}"))
        .env("DBUS_SESSION_BUS_ADDRESS", &format!("unix:path={}", socket.display()))
        .env("POSTGATE_KEYCHAIN_TIMEOUT", "1")
        .env("POSTGATE_SECRET_CI_BOX", CANARY);

    let handle = t.fill("@ci_{uid}");
    let out = run_with_deadline(
        &t,
        &["post", "-a", "ci-box", "--confirm-handle", &handle, "depuis la CI"],
        "",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code::SUCCESS), "{stderr}");
    assert!(stderr.contains("credential    environment"), "{stderr}");
    assert_eq!(t.outbox("ci-outbox").len(), 1);

    let out = run_with_deadline(&t, &["login", "vault", "--secret-stdin"], "s");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code::CREDENTIAL), "{stderr}");
    assert!(
        stderr.contains("no keychain is reachable for account `vault`: the keychain did not answer within 1.0s"),
        "{stderr}"
    );
}

#[test]
fn the_unreachable_keychain_hint_does_not_offer_an_account_what_it_has() {
    let t = Test::new()
        .policy(&format!("{DEFAULT_POLICY}{CI_BOX}"))
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    let out = t
        .cmd(["login", "ci-box", "--secret-stdin"])
        .stdin("s")
        .status(code::CREDENTIAL)
        .stderr_has("no keychain is reachable for account `ci-box`")
        .stderr_has("this account already falls back to POSTGATE_SECRET_CI_BOX when no keychain is reachable")
        .run();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("set credentials = \"keychain-or-env\""), "{stderr}");
}

/// A secret piped to `login` is read up to 64 KiB: a stream that never ends (`yes`, a device)
/// is refused instead of filling memory, and nothing is stored.
#[test]
fn a_secret_on_stdin_is_bounded() {
    let t = Test::new().keychain();
    let huge = "x".repeat(100 << 10);
    t.cmd(["login", "vault", "--secret-stdin"])
        .stdin(&huge)
        .status(code::CREDENTIAL)
        .stderr_has("the secret on stdin is longer than 64 KiB; nothing was stored")
        .run();
    let out = t.cmd(["--json", "accounts"]).run();
    let accounts: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let vault = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "vault")
        .unwrap();
    assert_eq!(vault["credential"]["state"], "missing");
    // A secret of exactly the cap is still taken.
    t.cmd(["login", "vault", "--secret-stdin"])
        .stdin("y".repeat(64 << 10))
        .run();
}
