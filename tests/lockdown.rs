//! `postgate lockdown` and `unlock`: the lock refuses every publish path, revocation is checked
//! against the real servers (mastodon-mock, the reference PDS), and only an approver with the
//! policy's unlock role lifts a lock, after which an old credential is refused.

use crate::support;
use support::hostile::Hostile;
use support::{
    BlueskyUser, DEFAULT_POLICY, MastodonUser, Test, bluesky_posts, bluesky_user, code, mastodon_url, mastodon_user,
    pds_url, policy,
};

fn lock_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "lock"))
                .collect()
        })
        .unwrap_or_default()
}

/// Runs curl, returning the HTTP status it got.
fn curl_status(t: &Test, args: &[&str]) -> String {
    let out = t
        .command("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}"])
        .args(args)
        .output()
        .expect("curl");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_locked_account_refuses_post_dry_run_and_apply_with_the_reason_and_who() {
    let t = Test::new().policy(&format!(
        "{DEFAULT_POLICY}\n[lockdown]\nshared_path = \"{{dir}}/shared\"\n"
    ));
    let handle = t.handle("demo");
    // A shared folder that is not there could hide someone else's lock.
    t.cmd(["post", "-a", "demo", "--confirm-handle", &handle, "Bonjour"])
        .status(code::LOCKED_DOWN)
        .stderr_has(&format!(
            "error: the shared lockdown folder {}/shared is not there",
            t.path().display()
        ))
        .run();
    std::fs::create_dir_all(t.path().join("shared")).unwrap();
    // Planned before the incident: the plan must not slip through afterwards.
    t.cmd(["plan", "-a", "demo", "-o", "p.plan", "Prévu avant"]).run();
    let out = t
        .cmd(["post", "-a", "demo", "--confirm-handle", &handle, "Publié avant"])
        .run();
    let before = String::from_utf8(out.stdout)
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_string();

    t.cmd(["lockdown", "demo", "--reason", "insultes publiées cette nuit"])
        .stdout("demo  LOCKED  nothing to revoke; keychain: none needed\n")
        .run();
    assert_eq!(lock_files(&t.path().join("shared")).len(), 1);
    assert_eq!(lock_files(&t.path().join("state/postgate/lockdown")).len(), 1);
    t.cmd(["accounts"]).stdout_has("LOCKED since ").run();

    let refusal = format!("error: account `demo` ({handle}) is locked down since ");
    t.cmd(["post", "-a", "demo", "--confirm-handle", &handle, "Bonjour"])
        .status(code::LOCKED_DOWN)
        .stderr_has(&refusal)
        .stderr_has(": insultes publiées cette nuit")
        .stderr_has("hint: nothing was published; an approver signs the unlock (`postgate unlock demo --sign`)")
        .run();
    t.cmd([
        "post",
        "-a",
        "demo",
        "--dry-run",
        "--confirm-handle",
        &handle,
        "Bonjour",
    ])
    .status(code::LOCKED_DOWN)
    .stderr_has(&refusal)
    .run();
    t.cmd(["apply", "p.plan", "--confirm-handle", &handle])
        .status(code::LOCKED_DOWN)
        .stderr_has(&refusal)
        .run();
    t.cmd(["correct", "demo", &before, "Corrigé", "--confirm-handle", &handle])
        .status(code::LOCKED_DOWN)
        .stderr_has(&refusal)
        .run();
    t.cmd([
        "delete",
        "demo",
        &before,
        "--reason",
        "effacer",
        "--confirm-handle",
        &handle,
    ])
    .status(code::LOCKED_DOWN)
    .stderr_has(&refusal)
    .run();
    // Another machine (another state folder) sharing the folder is stopped too.
    std::fs::create_dir_all(t.path().join("runner-state")).unwrap();
    t.cmd(["post", "-a", "demo", "--confirm-handle", &handle, "Bonjour"])
        .env("XDG_STATE_HOME", &t.path().join("runner-state").display().to_string())
        .status(code::LOCKED_DOWN)
        .stderr_has(&refusal)
        .run();
    let posts = t.outbox("outbox");
    assert_eq!(posts.len(), 1);
    assert!(posts[0]["edits"].as_array().unwrap().is_empty() && posts[0]["deleted_at"].is_null());

    let audit = t.audit();
    let lockdown = audit
        .iter()
        .find(|r| r["event"] == "lockdown")
        .expect("a lockdown record");
    assert_eq!(lockdown["outcome"]["status"], "lockdown");
    assert_eq!(lockdown["reason"], "insultes publiées cette nuit");
    let refused: Vec<_> = audit
        .iter()
        .filter(|r| r["event"] == "refused" && r["outcome"]["exit_code"] == code::LOCKED_DOWN)
        .collect();
    assert_eq!(
        refused.len(),
        7,
        "missing folder, post, dry run, apply, correct, delete, runner"
    );
    assert!(refused.iter().all(|r| r["account"]["name"] == "demo"), "{refused:?}");
}

#[test]
fn an_unreadable_lock_counts_as_locked() {
    let t = Test::new();
    let handle = t.handle("demo");
    t.cmd(["lockdown", "demo", "--reason", "test"]).run();
    let lock = &lock_files(&t.path().join("state/postgate/lockdown"))[0];
    std::fs::write(lock, "{ not json").unwrap();
    t.cmd(["post", "-a", "demo", "--confirm-handle", &handle, "Bonjour"])
        .status(code::LOCKED_DOWN)
        .stderr_has("cannot be read")
        .stderr_has("the account is treated as locked")
        .run();
}

const APPROVERS: &str = r#"
[[approvers]]
name = "sg"
key = "{sg}"
roles = ["secretaire-generale"]

[[approvers]]
name = "com"
key = "{com}"
roles = ["cheffe-com"]

[lockdown]
unlock_roles = ["secretaire-generale"]
"#;

#[test]
fn unlock_needs_a_signature_from_the_named_role_then_a_new_login() {
    let t = Test::new().keychain();
    let sg = t.ssh_key("sg");
    let com = t.ssh_key("com");
    let t = t.policy(&format!(
        "{DEFAULT_POLICY}{}",
        APPROVERS.replace("{sg}", &sg).replace("{com}", &com)
    ));
    let handle = t.handle("vault");
    t.cmd(["login", "vault", "--secret-stdin"]).stdin("ancien-secret").run();
    t.cmd(["post", "-a", "vault", "--confirm-handle", &handle, "Avant"])
        .run();

    let out = t
        .cmd(["--json", "lockdown", "vault", "--reason", "mot de passe divulgué"])
        .stderr_has("vault  LOCKED  nothing to revoke; keychain: removed")
        .run();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lock_id = report["accounts"][0]["lock_id"].as_str().unwrap().to_string();
    assert_eq!(report["accounts"][0]["keychain"], "removed");
    t.cmd(["accounts"]).stdout_has("missing").run();

    // No signature: refused, and recorded.
    t.cmd(["unlock", "vault"])
        .status(code::LOCKED_DOWN)
        .stderr_has(
            "account `vault` stays locked: lifting the lock needs the signature of an approver with role \
             secretaire-generale",
        )
        .stderr_has(&format!("lock id: {lock_id}"))
        .run();
    let last = t.audit().last().cloned().unwrap();
    assert_eq!(
        (last["event"].as_str(), last["action"].as_str()),
        (Some("refused"), Some("unlock"))
    );

    // An approver without the role cannot sign it.
    t.cmd([
        "unlock",
        "vault",
        "--sign",
        "--ssh-key",
        "keys/com",
        "--lock-id",
        &lock_id,
    ])
    .status(code::LOCKED_DOWN)
    .stderr_has("approver `com` has none of the roles that may lift a lock (secretaire-generale)")
    .run();
    // A signature made by hand for something else is refused, and the lock stays.
    let lock = lock_files(&t.path().join("state/postgate/lockdown")).remove(0);
    let forged = format!("{}.sg.sig", lock.display());
    t.ssh_sign("sg", "postgate", "sha256:0000", "forged.sig");
    std::fs::rename(t.path().join("forged.sig"), &forged).unwrap();
    t.cmd(["unlock", "vault"])
        .status(code::LOCKED_DOWN)
        .stderr_has("by approver `sg` does not sign this lock")
        .run();
    std::fs::remove_file(&forged).unwrap();

    // Without a terminal, signing needs the reviewed lock id.
    t.cmd(["unlock", "vault", "--sign", "--ssh-key", "keys/sg"])
        .status(code::NOT_CONFIRMED)
        .stderr_has(&format!("--lock-id {lock_id}"))
        .run();
    t.cmd([
        "unlock",
        "vault",
        "--sign",
        "--ssh-key",
        "keys/sg",
        "--lock-id",
        &lock_id,
    ])
    .stderr_has("signed; the lock stays until `postgate unlock vault` is run")
    .run();
    t.cmd(["post", "-a", "vault", "--confirm-handle", &handle, "Pas encore"])
        .status(code::LOCKED_DOWN)
        .run();
    t.cmd(["unlock", "vault"])
        .stdout("vault  unlocked\n")
        .stderr_has("Credentials stored before the lockdown are refused")
        .run();
    t.cmd(["accounts"]).stdout_has(" lifted ").run();
    let last = t.audit().last().cloned().unwrap();
    assert_eq!(last["event"], "unlock");
    assert_eq!(
        last["outcome"]["approvers"][0].as_str().unwrap().split(' ').next(),
        Some("sg")
    );

    // A keychain that still holds the old credential (another machine's) is refused.
    t.keychain_store(
        &format!("outbox:local:vault_{}", t.uid),
        r#"{"v":1,"secret":"ancien-secret","created_at":"2026-01-01T00:00:00Z"}"#,
    );
    t.cmd(["post", "-a", "vault", "--confirm-handle", &handle, "Après"])
        .status(code::LOCKED_DOWN)
        .stderr_has("the credential of `vault` was stored at 2026-01-01T00:00:00Z, before the lockdown of ")
        .stderr_has("hint: revoke it at the platform and store a new one: `postgate login vault`")
        .run();
    t.cmd(["login", "vault", "--secret-stdin"])
        .stdin("nouveau-secret")
        .run();
    t.cmd(["post", "-a", "vault", "--confirm-handle", &handle, "Après"])
        .run();
    assert_eq!(t.outbox("vault-outbox").len(), 2);
}

#[test]
fn the_policy_must_give_the_unlock_role_to_someone() {
    let t = Test::new();
    let sg = t.ssh_key("sg");
    let t = t.policy(&format!(
        "{DEFAULT_POLICY}\n[[approvers]]\nname = \"sg\"\nkey = \"{sg}\"\nroles = [\"com\"]\n\n[lockdown]\nunlock_roles = [\"secretaire-generale\"]\n"
    ));
    t.cmd(["policy", "check"])
        .status(code::BAD_POLICY)
        .stderr_has("no approver has the role `secretaire-generale`, so nobody could lift a lock")
        .run();
}

fn mastodon_account(name: &str, user: &MastodonUser) -> String {
    format!("\n{}", policy::mastodon(name, &user.handle, mastodon_url()))
}

fn bluesky_account(name: &str, user: &BlueskyUser) -> String {
    format!("\n{}", policy::bluesky(name, &user.handle, pds_url()))
}

#[test]
fn lockdown_revokes_a_mastodon_token_at_the_server() {
    let t = Test::new().keychain();
    let alice = mastodon_user(&format!("lock_{}", t.uid));
    let t = t.policy(&format!(
        "[audit]\npath = \"{{dir}}/state/audit.jsonl\"\n{}",
        mastodon_account("masto", &alice)
    ));
    t.cmd(["login", "masto", "--secret-stdin"]).stdin(&alice.token).run();
    t.post("masto", "Avant").run();
    let verify = format!("{}/api/v1/accounts/verify_credentials", mastodon_url());
    let bearer = format!("Authorization: Bearer {}", alice.token);
    assert_eq!(curl_status(&t, &["-H", &bearer, &verify]), "200");

    t.cmd(["lockdown", "masto", "--reason", "jeton divulgué"])
        .stdout("masto  LOCKED  token revoked (the server now rejects it); keychain: removed\n")
        .run();
    assert_eq!(curl_status(&t, &["-H", &bearer, &verify]), "401");
    t.cmd(["accounts"]).stdout_has("missing").run();
    t.post("masto", "Après")
        .status(code::LOCKED_DOWN)
        .stderr_has(": jeton divulgué")
        .run();
    let record = t.audit().into_iter().find(|r| r["event"] == "lockdown").unwrap();
    assert_eq!(
        record["outcome"]["revocation"],
        "token revoked (the server now rejects it)"
    );
}

#[test]
fn lockdown_ends_the_bluesky_session_and_says_the_app_password_is_for_a_person() {
    let t = Test::new().keychain();
    let alice = bluesky_user("lockb");
    let t = t.policy(&format!(
        "[audit]\npath = \"{{dir}}/state/audit.jsonl\"\n{}",
        bluesky_account("bsky", &alice)
    ));
    t.cmd(["login", "bsky", "--secret-stdin"])
        .stdin(&alice.app_password)
        .run();
    t.post("bsky", "Avant").run();
    let host = pds_url().trim_start_matches("http://");
    let item = t
        .command("secret-tool")
        .args(["lookup", "service", "postgate", "username"])
        .arg(format!("bluesky:{host}:{}", alice.handle))
        .output()
        .expect("secret-tool");
    let item: serde_json::Value = serde_json::from_slice(&item.stdout).unwrap();
    let refresh = item["session"].as_str().expect("a kept session").to_string();

    t.cmd(["lockdown", "bsky", "--reason", "session volée"])
        .stdout(
            "bsky  LOCKED  session ended (the server now rejects it); REVOKE BY HAND (see below); keychain: removed\n",
        )
        .stderr_has("bsky: by hand: revoke the app password in Settings → Privacy and security → App passwords")
        .run();
    let refresh_url = format!("{}/xrpc/com.atproto.server.refreshSession", pds_url());
    let status = curl_status(
        &t,
        &[
            "-X",
            "POST",
            "-H",
            &format!("Authorization: Bearer {refresh}"),
            &refresh_url,
        ],
    );
    assert!(status.starts_with('4'), "the old session still renews: {status}");
}

/// Ten accounts on two servers and the outbox, locked in one command. The figure it prints is
/// a measurement for docs/performance.md, not an assertion.
#[test]
fn lockdown_all_contains_ten_accounts_at_once() {
    let t = Test::new().keychain();
    let mut policy = String::from("[audit]\npath = \"{dir}/state/audit.jsonl\"\n");
    let mut masto = Vec::new();
    for i in 0..5 {
        let user = mastodon_user(&format!("all{i}_{}", t.uid));
        policy.push_str(&mastodon_account(&format!("m{i}"), &user));
        masto.push(user);
    }
    let mut bsky = Vec::new();
    for i in 0..3 {
        let user = bluesky_user("all");
        policy.push_str(&bluesky_account(&format!("b{i}"), &user));
        bsky.push(user);
    }
    for i in 0..2 {
        policy.push_str(&format!(
            "\n[[accounts]]\nname = \"o{i}\"\nhandle = \"@o{i}_{{uid}}\"\nplatform = \"outbox\"\nkind = \"official\"\ndisplay_name = \"O\"\nowner = \"T\"\npath = \"{{dir}}/o{i}\"\n"
        ));
    }
    let t = t.policy(&policy);
    for (i, user) in masto.iter().enumerate() {
        t.cmd(["login", &format!("m{i}"), "--secret-stdin"])
            .stdin(&user.token)
            .run();
    }
    for (i, user) in bsky.iter().enumerate() {
        t.cmd(["login", &format!("b{i}"), "--secret-stdin"])
            .stdin(&user.app_password)
            .run();
    }
    let started = std::time::Instant::now();
    let out = t.cmd(["--json", "lockdown", "--all", "--reason", "exercice"]).run();
    eprintln!("lockdown --all on 10 accounts: {:?}", started.elapsed());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let accounts = report["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 10);
    let status = |name: &str| {
        accounts.iter().find(|a| a["name"] == name).unwrap()["revocation"]["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    for i in 0..5 {
        assert_eq!(status(&format!("m{i}")), "revoked");
    }
    for i in 0..3 {
        assert_eq!(status(&format!("b{i}")), "partial");
    }
    for i in 0..2 {
        assert_eq!(status(&format!("o{i}")), "not-applicable");
    }
    assert!(accounts.iter().all(|a| a["locked"] == true));
    let verify = format!("{}/api/v1/accounts/verify_credentials", mastodon_url());
    for user in &masto {
        let bearer = format!("Authorization: Bearer {}", user.token);
        assert_eq!(curl_status(&t, &["-H", &bearer, &verify]), "401");
    }
    assert_eq!(t.audit().iter().filter(|r| r["event"] == "lockdown").count(), 10);
}

#[test]
fn an_approver_at_a_terminal_sees_the_lock_and_answers_before_signing() {
    let t = Test::new();
    let sg = t.ssh_key("sg");
    let com = t.ssh_key("com");
    let t = t.policy(&format!(
        "{DEFAULT_POLICY}{}",
        APPROVERS.replace("{sg}", &sg).replace("{com}", &com)
    ));
    let handle = t.handle("demo");
    t.cmd(["lockdown", "demo", "--reason", "compte \u{1b}[31mcompromis"])
        .run();
    let sign = || {
        t.cmd(["unlock", "demo", "--sign", "--ssh-key", "keys/sg"])
            .env("NO_COLOR", "1")
            .tty()
    };
    let mut tty = sign();
    tty.expect(&format!("account `demo` ({handle}) locked at "))
        .expect("reason: compte ⟨U+001B⟩[31mcompromis")
        .expect("lock id: sha256:")
        .expect("Sign the unlock of `demo` as approver `sg`? [y/N] ");
    tty.line("n");
    assert_eq!(tty.finish(), code::NOT_CONFIRMED);
    t.cmd(["unlock", "demo"]).status(code::LOCKED_DOWN).run();

    let mut tty = sign();
    tty.expect("[y/N] ");
    tty.line("y");
    assert_eq!(tty.finish(), code::SUCCESS);
    t.cmd(["unlock", "demo"]).stdout("demo  unlocked\n").run();
    t.cmd(["post", "-a", "demo", "--confirm-handle", &handle, "De retour"])
        .run();
    assert_eq!(t.outbox("outbox").len(), 1);
}

#[test]
fn a_credential_that_could_not_be_revoked_stays_so_a_second_lockdown_can_retry() {
    // A server that says "revoked" but still accepts the token: the RFC 7009 answer proves
    // nothing, the check after it does.
    let server = Hostile::start();
    server.mastodon("alice");
    server.json("POST", "/oauth/revoke", 200, "{}");
    let handle = format!("@alice@{}", server.domain());
    let t = Test::new().keychain().policy(&policy::with_audit(&[&policy::mastodon(
        "masto",
        &handle,
        &server.url(),
    )]));
    t.cmd(["login", "masto", "--secret-stdin"])
        .stdin("still-valid-token")
        .run();
    t.cmd(["lockdown", "masto", "--reason", "jeton divulgué"])
        .status(code::PLATFORM)
        .stdout_has("masto  LOCKED  NOT REVOKED: mastodon: the token is NOT revoked")
        .stdout_has("keychain: KEPT, since the revocation failed: `postgate lockdown masto` retries it")
        .run();
    t.cmd(["accounts"]).stdout_has("present (keychain").run();
    // The credential is still there to retry with, and the lock holds meanwhile.
    t.cmd(["lockdown", "masto", "--reason", "nouvel essai"])
        .status(code::PLATFORM)
        .stdout_has("keychain: KEPT")
        .run();
    assert_eq!(server.hits("POST", "/oauth/revoke"), 2);
    t.cmd([
        "post",
        "-a",
        "masto",
        "--confirm-handle",
        &format!("@alice@{}", server.domain()),
        "x",
    ])
    .status(code::LOCKED_DOWN)
    .run();
    assert_eq!(server.hits("POST", "/api/v1/statuses"), 0);

    // Once the server rejects the token, the next lockdown revokes and removes it.
    server.json(
        "GET",
        "/api/v1/accounts/verify_credentials",
        401,
        r#"{"error":"The access token was revoked"}"#,
    );
    t.cmd(["lockdown", "masto", "--reason", "révoqué enfin"])
        .stdout("masto  LOCKED  token revoked (the server now rejects it); keychain: removed\n")
        .run();
    t.cmd(["accounts"]).stdout_has("missing").run();
}

/// The keychain item of a Bluesky account, read with secret-tool (libsecret), if there is one.
fn bluesky_item(t: &Test, user: &BlueskyUser) -> Option<String> {
    let host = pds_url().trim_start_matches("http://");
    let out = t
        .command("secret-tool")
        .args(["lookup", "service", "postgate", "username"])
        .arg(format!("bluesky:{host}:{}", user.handle))
        .output()
        .expect("secret-tool");
    (out.status.success() && !out.stdout.is_empty()).then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// No intent may follow the lockdown record in the log.
fn nothing_attempted_after_the_lockdown(t: &Test) {
    let audit = t.audit();
    let locked = audit
        .iter()
        .position(|r| r["event"] == "lockdown")
        .expect("a lockdown record");
    let after: Vec<&serde_json::Value> = audit[locked + 1..].iter().collect();
    assert!(after.iter().all(|r| r["event"] != "intent"), "{after:#?}");
    let last = after.last().expect("the refusal is recorded");
    assert_eq!(last["event"], "refused");
    assert_eq!(last["outcome"]["exit_code"], code::LOCKED_DOWN);
}

#[test]
fn a_lockdown_while_the_handle_is_asked_stops_the_bluesky_post_and_keeps_the_keychain_clear() {
    let t = Test::new().keychain();
    let alice = bluesky_user("lockw");
    let t = t.policy(&format!(
        "[audit]\npath = \"{{dir}}/state/audit.jsonl\"\n{}",
        bluesky_account("bsky", &alice)
    ));
    t.cmd(["login", "bsky", "--secret-stdin"])
        .stdin(&alice.app_password)
        .run();
    assert!(bluesky_item(&t, &alice).is_some());

    let mut tty = t.cmd(["post", "-a", "bsky", "Après le verrou"]).tty();
    tty.expect("OFFICIAL ACCOUNT").expect("type its handle to publish");
    t.cmd(["lockdown", "bsky", "--reason", "session volée"])
        .stdout_has("bsky  LOCKED")
        .run();
    assert_eq!(bluesky_item(&t, &alice), None);
    tty.line(&alice.handle);
    assert_eq!(tty.finish(), code::LOCKED_DOWN, "{}", tty.screen());
    assert!(tty.screen().contains("is locked down"), "{}", tty.screen());

    assert!(bluesky_posts(&alice).is_empty());
    // Nothing logged in again and wrote a session back.
    assert_eq!(bluesky_item(&t, &alice), None);
    nothing_attempted_after_the_lockdown(&t);
}

#[test]
fn a_lockdown_while_the_handle_is_asked_stops_the_outbox_post() {
    let t = Test::new();
    let mut tty = t.cmd(["post", "-a", "demo", "Après le verrou"]).tty();
    tty.expect("OFFICIAL ACCOUNT").expect("type its handle to publish");
    t.cmd(["lockdown", "demo", "--reason", "poste volé"]).run();
    tty.line(&t.handle("demo"));
    assert_eq!(tty.finish(), code::LOCKED_DOWN, "{}", tty.screen());
    assert!(t.outbox("outbox").is_empty());
    nothing_attempted_after_the_lockdown(&t);
}

#[test]
fn lockdown_waits_for_a_publish_under_way_and_writes_its_lock_first() {
    use std::io::BufRead;
    let t = Test::new();
    t.post("demo", "Avant").run();
    // Hold the account's publish lock, as a publish between its confirmation and its outcome
    // record does.
    let locks: Vec<_> = std::fs::read_dir(t.path().join("state/audit.locks"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("account-"))
        .collect();
    assert_eq!(locks.len(), 1, "{locks:?}");
    let held = std::fs::OpenOptions::new().write(true).open(&locks[0]).unwrap();
    held.lock().unwrap();

    let mut lockdown = t
        .command(support::BIN)
        .args(["lockdown", "demo", "--reason", "poste volé"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(lockdown.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("waiting for another postgate run on `demo` to finish") {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "lockdown ended without waiting"
        );
    }
    // Waiting, its lock is already written: no new publish gets past it meanwhile.
    assert_eq!(lock_files(&t.path().join("state/postgate/lockdown")).len(), 1);
    t.post("demo", "Pendant").status(code::LOCKED_DOWN).run();
    drop(held);
    let out = lockdown.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(t.outbox("outbox").len(), 1);
}

#[test]
fn whoami_on_a_locked_account_writes_no_session_back() {
    let t = Test::new().keychain();
    let alice = bluesky_user("lockwho");
    let t = t.policy(&format!(
        "[audit]\npath = \"{{dir}}/state/audit.jsonl\"\n{}",
        bluesky_account("bsky", &alice)
    ));
    t.cmd(["lockdown", "bsky", "--reason", "session volée"]).run();
    // Someone stores the credential again during the lock; whoami renews its session.
    t.cmd(["login", "bsky", "--secret-stdin"])
        .stdin(&alice.app_password)
        .run();
    let session = |t: &Test| -> serde_json::Value {
        let item = bluesky_item(t, &alice).expect("the item login stored");
        serde_json::from_str::<serde_json::Value>(&item).unwrap()["session"].clone()
    };
    let before = session(&t);
    assert!(before.is_string());
    t.cmd(["whoami", "bsky"]).stdout_has(&alice.handle).run();
    // Compared without printing: the tokens are secrets even here.
    assert!(session(&t) == before, "whoami wrote a renewed session back");
}

/// A lockdown run from another state folder (another shell, another user's session) but with
/// the same policy and audit log stops a post waiting at its handle prompt: the lock is also
/// written beside the audit log, where every run that shares it looks.
#[test]
fn a_lockdown_from_another_state_folder_stops_a_post_sharing_the_audit_log() {
    let t = Test::new();
    let mut tty = t.cmd(["post", "-a", "demo", "Après le verrou"]).tty();
    tty.expect("OFFICIAL ACCOUNT").expect("type its handle to publish");
    let elsewhere = t.path().join("state-elsewhere");
    t.cmd(["lockdown", "demo", "--reason", "depuis un autre poste"])
        .env("XDG_STATE_HOME", &elsewhere.display().to_string())
        .run();
    tty.line(&t.handle("demo"));
    assert_eq!(tty.finish(), code::LOCKED_DOWN, "{}", tty.screen());
    assert!(t.outbox("outbox").is_empty());
    nothing_attempted_after_the_lockdown(&t);
    // Later runs from the first state folder see it too.
    t.post("demo", "Encore")
        .status(code::LOCKED_DOWN)
        .stderr_has("depuis un autre poste")
        .run();
}

#[test]
fn unlocking_an_account_without_a_login_gives_no_login_advice_and_is_logged_as_an_unlock() {
    let t = Test::new();
    let sg = t.ssh_key("sg");
    let com = t.ssh_key("com");
    let t = t.policy(&format!(
        "{DEFAULT_POLICY}{}",
        APPROVERS.replace("{sg}", &sg).replace("{com}", &com)
    ));
    let out = t.cmd(["--json", "lockdown", "demo", "--reason", "test"]).run();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lock_id = report["accounts"][0]["lock_id"].as_str().unwrap().to_string();
    t.cmd([
        "unlock",
        "demo",
        "--sign",
        "--ssh-key",
        "keys/sg",
        "--lock-id",
        &lock_id,
    ])
    .run();
    let signed = t.audit().last().cloned().unwrap();
    assert_eq!(signed["event"], "unlock-sign", "{signed}");
    assert_eq!(signed["outcome"]["status"], "unlock-signed", "{signed}");
    assert_eq!(signed["outcome"]["approver"], "sg", "{signed}");
    assert_eq!(signed["target"], lock_id.as_str(), "{signed}");
    assert!(signed.get("plan_hash").is_none(), "an unlock is no plan: {signed}");

    let out = t.cmd(["unlock", "demo"]).stdout("demo  unlocked\n").run();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("account `demo` is unlocked; it needs no credential, so it can publish again now"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("postgate login"),
        "no login exists for an outbox account: {stderr}"
    );

    let short = lock_id.trim_start_matches("sha256:").get(..16).unwrap().to_string();
    let out = t.cmd(["log"]).run();
    let listing = String::from_utf8_lossy(&out.stdout);
    let line = listing
        .lines()
        .find(|l| l.contains("unlock-sign"))
        .unwrap_or_else(|| panic!("no unlock-sign line in:\n{listing}"));
    assert!(line.contains(&format!("unlock signed by sg, lock {short}")), "{line}");
    assert!(!listing.contains("plan"), "{listing}");
    t.cmd(["log", "verify"]).stdout_has("ok: 3 record(s)").run();
}

#[test]
fn an_unlock_signature_in_an_older_log_still_reads_as_one() {
    let t = Test::new();
    t.cmd(["lockdown", "demo", "--reason", "test"]).run();
    // How postgate recorded an unlock signature before it had its own kind.
    let log = postgate::audit::AuditLog::new(t.audit_path());
    let mut old = postgate::audit::Record::new(
        "approval",
        "unlock --sign",
        postgate::audit::Outcome::Approved {
            approver: "sg".into(),
            fingerprint: "SHA256:abc".into(),
            signature: "lock.sg.sig".into(),
        },
    );
    old.acts_on = Some("sha256:0123456789abcdef0123".into());
    log.append(old).expect("append");
    t.cmd(["log"])
        .stdout_has("unlock signed by sg, lock 0123456789abcdef")
        .run();
    t.cmd(["log", "verify"]).stdout_has("ok: 2 record(s)").run();
}

#[test]
fn a_lockdown_whose_shared_folder_is_missing_locks_here_revokes_and_says_others_are_not_stopped() {
    let t = Test::new().keychain().policy(&format!(
        "{DEFAULT_POLICY}\n[lockdown]\nshared_path = \"{{dir}}/share/locks\"\n"
    ));
    // The mount point is there, the share is not mounted: its folder is missing.
    std::fs::create_dir_all(t.path().join("share")).unwrap();
    t.cmd(["login", "vault", "--secret-stdin"])
        .stdin("secret-de-test")
        .run();
    let shared = format!("{}/share/locks", t.path().display());
    let out = t
        .cmd(["lockdown", "vault", "--reason", "fuite"])
        .status(1)
        .stdout_has("vault  LOCKED ON THIS MACHINE ONLY (the shared lockdown folder ")
        .stdout_has(&format!(
            "{shared} is not there (an unmounted share?), so the runners that read it are NOT stopped"
        ))
        .stdout_has("; keychain: removed")
        .stderr_has(
            "error: `vault` is locked on this machine only; other runners are NOT stopped. Mount or fix the shared \
             folder, or bring back the shared store, then run `postgate lockdown vault` again",
        )
        .run();
    assert!(out.status.code() != Some(0));
    // Nothing made in the share's place, and the local lock holds.
    assert!(!t.path().join("share/locks").exists());
    assert_eq!(lock_files(&t.path().join("state/postgate/lockdown")).len(), 1);
    let record = t.audit().into_iter().rev().find(|r| r["event"] == "lockdown").unwrap();
    assert!(
        record["outcome"]["lock"]
            .as_str()
            .unwrap()
            .starts_with("LOCKED ON THIS MACHINE ONLY"),
        "{record}"
    );
    assert_eq!(record["outcome"]["keychain"], "removed");

    let out = t
        .cmd(["--json", "lockdown", "vault", "--reason", "fuite"])
        .status(1)
        .run();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let account = &report["accounts"][0];
    assert_eq!(account["locked"], true, "{report}");
    assert_eq!(account["locked_everywhere"], false, "{report}");
    assert!(account["lock_error"].as_str().unwrap().contains(&shared), "{report}");

    // Mounted again, the same command completes the lockdown.
    std::fs::create_dir_all(t.path().join("share/locks")).unwrap();
    t.cmd(["lockdown", "vault", "--reason", "fuite"])
        .stdout_has("vault  LOCKED  ")
        .run();
    assert_eq!(lock_files(&t.path().join("share/locks")).len(), 1);
}

/// An account named twice, positionally and with -a, is locked, revoked and recorded once: a
/// second revocation of a token the first one killed would fail and make the lockdown look
/// incomplete.
#[test]
fn an_account_named_twice_is_locked_once() {
    let t = Test::new();
    let out = t
        .cmd([
            "--json", "lockdown", "demo", "perso", "demo", "-a", "demo", "--reason", "r",
        ])
        .run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON value");
    let names: Vec<&str> = v["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| a["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["demo", "perso"], "{v}");
    let records = t.audit().iter().filter(|r| r["event"] == "lockdown").count();
    assert_eq!(records, 2);
}

/// A misspelt name among several fails the command, after the others are locked: in an
/// emergency, a typo must not leave the account that was named correctly open.
#[test]
fn a_misspelt_name_does_not_stop_the_others_being_locked() {
    let t = Test::new();
    t.cmd(["lockdown", "demo", "nosuch", "--reason", "r"])
        .status(code::BAD_POLICY)
        .stderr_has("no account named `nosuch`")
        .stderr_has("the other accounts named are locked")
        .run();
    t.post("demo", "x").status(code::LOCKED_DOWN).run();
    // Named alone, it locks nothing and says so.
    t.cmd(["lockdown", "nosuch", "--reason", "r"])
        .status(code::BAD_POLICY)
        .run();
}
