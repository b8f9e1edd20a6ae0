//! Publishing to Mastodon, against mastodon-mock (a third-party implementation of the client
//! API) on loopback. One server per test binary; a fresh account per test.

use crate::support;
use support::hostile::{Hostile, Reply};
use support::policy::FROM_ENV;
use support::{MastodonUser, Test, code, mastodon_statuses, mastodon_url, mastodon_user};

fn policy(user: &MastodonUser, extra: &str) -> String {
    let account = support::policy::mastodon("masto", &user.handle, mastodon_url());
    format!("{}{FROM_ENV}{extra}\n", support::policy::with_audit(&[&account]))
}

fn user(t: &Test, who: &str) -> MastodonUser {
    mastodon_user(&format!("{who}_{}", t.uid))
}

#[test]
fn login_checks_the_identity_then_post_publishes_once() {
    let t = Test::new().keychain();
    let alice = user(&t, "alice");
    let t = t.policy(&policy(&alice, "language = \"fr\""));
    t.cmd(["login", "masto", "--secret-stdin"])
        .stdin(&alice.token)
        .stderr_has("stored the credential of `masto`")
        .stderr_has(&format!(
            "the platform identifies it as {}; pin it in the policy with account_id = \"{}\"",
            alice.id, alice.id
        ))
        .run();
    let out = t
        .post("masto", "Bonjour depuis postgate")
        .stderr_has("credential    keychain")
        .stderr_has("visibility    public")
        .stderr_has("language      fr")
        .run();
    let statuses = mastodon_statuses(&alice);
    assert_eq!(statuses.len(), 1);
    let id = statuses[0]["id"].as_str().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with(&format!("{id}\t")), "{stdout}");
    assert_eq!(statuses[0]["language"], "fr");
    assert_eq!(statuses[0]["visibility"], "public");
    let audit = t.audit();
    assert_eq!(audit.last().unwrap()["outcome"]["status"], "published");
    assert_eq!(audit.last().unwrap()["outcome"]["id"], id);
}

#[test]
fn login_refuses_a_token_of_another_account() {
    let t = Test::new().keychain();
    let alice = user(&t, "alice");
    let bob = user(&t, "bob");
    let t = t.policy(&policy(&alice, ""));
    t.cmd(["login", "masto", "--secret-stdin"])
        .stdin(&bob.token)
        .status(code::IDENTITY)
        .stderr_has(&format!(
            "identity mismatch: the policy says account `masto` is {}, but mastodon says the credential belongs to {}",
            alice.handle, bob.handle
        ))
        .stderr_has("nothing was stored")
        .run();
    t.cmd(["accounts"]).stdout_has("missing").run();
}

#[test]
fn a_foreign_credential_is_refused_before_anything_is_posted() {
    // A CI runner whose environment holds the wrong account's token.
    let t = Test::new();
    let alice = user(&t, "alice");
    let bob = user(&t, "bob");
    let t = t.policy(&policy(&alice, ""));
    t.post("masto", "Message officiel")
        .env("POSTGATE_SECRET_MASTO", &bob.token)
        .status(code::IDENTITY)
        .stderr_has(&format!("but mastodon says the credential belongs to {}", bob.handle))
        .run();
    assert!(mastodon_statuses(&bob).is_empty(), "posted with a foreign credential");
    assert!(mastodon_statuses(&alice).is_empty());
    let last = t.audit().last().unwrap().clone();
    assert_eq!(last["event"], "refused");
    assert_eq!(last["outcome"]["exit_code"], code::IDENTITY);
    assert_eq!(last["credential_source"], "environment");
}

#[test]
fn a_pinned_account_id_must_match() {
    let t = Test::new();
    let alice = user(&t, "alice");
    let t = t.policy(&policy(&alice, "account_id = \"999999\""));
    t.post("masto", "x")
        .env("POSTGATE_SECRET_MASTO", &alice.token)
        .status(code::IDENTITY)
        .stderr_has(&format!(
            "the policy pins account `masto` to id 999999, but mastodon says the credential belongs to id {}",
            alice.id
        ))
        .run();
    assert!(mastodon_statuses(&alice).is_empty());

    let t = t.policy(&policy(&alice, &format!("account_id = \"{}\"", alice.id)));
    t.post("masto", "x").env("POSTGATE_SECRET_MASTO", &alice.token).run();
    assert_eq!(mastodon_statuses(&alice).len(), 1);
}

#[test]
fn the_limit_is_read_from_the_server_and_checked_locally() {
    let t = Test::new();
    let alice = user(&t, "alice");
    let t = t.policy(&policy(&alice, ""));
    // A URL counts as 23 characters, whatever its length.
    let long_url = format!("https://www.culture.gouv.fr/{}", "x".repeat(200));
    let fits = format!("{} {long_url}", "a".repeat(476));
    t.cmd([
        "post",
        "-a",
        "masto",
        "--dry-run",
        "--confirm-handle",
        &alice.handle,
        &fits,
    ])
    .env("POSTGATE_SECRET_MASTO", &alice.token)
    .stderr_has("500/500 characters")
    .run();
    let too_long = "é".repeat(501);
    t.post("masto", &too_long)
        .env("POSTGATE_SECRET_MASTO", &alice.token)
        .status(code::CONTENT)
        .stderr_has("501/500 characters: TOO LONG by 1")
        .run();
    assert!(mastodon_statuses(&alice).is_empty());
}

#[test]
fn content_warning_visibility_and_reply() {
    let t = Test::new();
    let alice = user(&t, "alice");
    let t = t.policy(&policy(&alice, "visibility = \"unlisted\""));
    let first = t
        .cmd([
            "--json",
            "post",
            "-a",
            "masto",
            "--confirm-handle",
            &alice.handle,
            "Premier",
        ])
        .env("POSTGATE_SECRET_MASTO", &alice.token)
        .run();
    let first: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    let first_url = first["url"].as_str().unwrap().to_string();
    t.cmd([
        "post",
        "-a",
        "masto",
        "--confirm-handle",
        &alice.handle,
        "--cw",
        "Élection",
        "--visibility",
        "private",
        "--reply-to",
        &first_url,
        "Suite",
    ])
    .env("POSTGATE_SECRET_MASTO", &alice.token)
    .stderr_has("warning (CW)  Élection")
    .stderr_has("visibility    private")
    .run();
    let statuses = mastodon_statuses(&alice);
    let reply = statuses
        .iter()
        .find(|s| s["spoiler_text"] == "Élection")
        .expect("the reply");
    assert_eq!(reply["visibility"], "private");
    assert_eq!(reply["in_reply_to_id"], first["id"]);
    let top = statuses.iter().find(|s| s["id"] == first["id"]).unwrap();
    assert_eq!(top["visibility"], "unlisted");
}

#[test]
fn a_revoked_token_is_a_credential_error_with_the_fix() {
    let t = Test::new();
    let alice = user(&t, "alice");
    let t = t.policy(&policy(&alice, ""));
    t.post("masto", "x")
        .env("POSTGATE_SECRET_MASTO", "not-a-valid-token")
        .status(code::CREDENTIAL)
        .stderr_has("mastodon: checking the credential: 401")
        .stderr_has("store a new one with `postgate login`")
        .run();
}

#[test]
fn credentials_are_bound_to_the_host() {
    let t = Test::new().keychain();
    let alice = user(&t, "alice");
    let t = t.policy(&policy(&alice, ""));
    t.cmd(["login", "masto", "--secret-stdin"]).stdin(&alice.token).run();
    t.cmd(["accounts"]).stdout_has("present (keychain").run();
    // The same server under another name is another host: the secret does not follow.
    let other = policy(&alice, "").replace("http://127.0.0.1:", "http://localhost:");
    let t = t.policy(&other);
    t.cmd(["accounts"]).stdout_has("missing").run();
}

#[test]
fn the_same_post_key_publishes_once() {
    use postgate::content::Draft;
    use postgate::platform::{mastodon::Mastodon, spec::Client, spec::PostKey};
    let alice = mastodon_user(&format!("idem_{}", std::process::id()));
    let m = Mastodon::new(
        mastodon_url().parse().unwrap(),
        postgate::account::Visibility::Public,
        None,
        alice.handle.clone(),
        None,
    )
    .unwrap();
    let cred = postgate::credentials::Credential {
        secret: postgate::redacted::Secret::new(alice.token.clone()),
        source: postgate::credentials::Source::Environment,
        created_at: None,
        session: None,
    };
    let key = PostKey::new("a".repeat(64));
    let session = m.open(Some(&cred)).unwrap();
    let first = session.publish(&Draft::text("une seule fois"), &key).unwrap();
    let again = session.publish(&Draft::text("une seule fois"), &key).unwrap();
    assert_eq!(first.id, again.id);
    assert_eq!(mastodon_statuses(&alice).len(), 1);
}

#[test]
fn correct_edits_with_public_history_and_delete_needs_the_policy() {
    let t = Test::new();
    let alice = user(&t, "alice");
    let t = t.policy(&policy(&alice, ""));
    let out = t
        .cmd([
            "--json",
            "post",
            "-a",
            "masto",
            "--confirm-handle",
            &alice.handle,
            "Ouverture à 17 h",
        ])
        .env("POSTGATE_SECRET_MASTO", &alice.token)
        .run();
    let posted: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let url = posted["url"].as_str().unwrap().to_string();
    let id = posted["id"].as_str().unwrap().to_string();

    t.cmd([
        "correct",
        "masto",
        &url,
        "--confirm-handle",
        &alice.handle,
        "Ouverture à 18 h (corrigé)",
    ])
    .env("POSTGATE_SECRET_MASTO", &alice.token)
    .stderr_has(&format!("action        CORRECT {url}"))
    .run();
    let history: Vec<serde_json::Value> = reqwest::blocking::Client::new()
        .get(format!("{}/api/v1/statuses/{id}/history", mastodon_url()))
        .bearer_auth(&alice.token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(history.len(), 2, "the edit history keeps both versions: {history:?}");
    assert_eq!(t.audit().last().unwrap()["action"], "correct");

    // Official accounts correct; they do not delete unless the policy says so.
    t.cmd([
        "delete",
        "masto",
        &id,
        "--reason",
        "doublon",
        "--confirm-handle",
        &alice.handle,
    ])
    .env("POSTGATE_SECRET_MASTO", &alice.token)
    .status(code::CONTENT)
    .stderr_has("account `masto` does not allow deleting posts (allow_delete = false)")
    .stderr_has("correct instead of deleting")
    .run();
    assert_eq!(mastodon_statuses(&alice).len(), 1);

    let t = t.policy(&policy(&alice, "allow_delete = true"));
    t.cmd([
        "delete",
        "masto",
        &id,
        "--reason",
        "doublon",
        "--confirm-handle",
        &alice.handle,
    ])
    .env("POSTGATE_SECRET_MASTO", &alice.token)
    .stdout(&format!("{id}\n"))
    .run();
    assert!(mastodon_statuses(&alice).is_empty());
    let last = t.audit().last().unwrap().clone();
    // Deleting it again says it is not there rather than claiming a delete.
    t.cmd([
        "delete",
        "masto",
        &id,
        "--reason",
        "doublon",
        "--confirm-handle",
        &alice.handle,
    ])
    .env("POSTGATE_SECRET_MASTO", &alice.token)
    .status(code::PLATFORM)
    .stderr_has(&format!("no status {id} on this account"))
    .run();
    assert_eq!(last["action"], "delete");
    assert_eq!(last["reason"], "doublon");
    assert_eq!(last["outcome"]["status"], "deleted");
}

#[test]
fn whoami_shows_both_identities() {
    let t = Test::new();
    let alice = user(&t, "alice");
    let bob = user(&t, "bob");
    let t = t.policy(&policy(&alice, ""));
    t.cmd(["whoami", "masto"])
        .env("POSTGATE_SECRET_MASTO", &alice.token)
        .stdout(&format!(
            "policy  {}  (no pinned id)\nlive    {}  {}\n",
            alice.handle, alice.handle, alice.id
        ))
        .run();
    t.cmd(["whoami", "masto"])
        .env("POSTGATE_SECRET_MASTO", &bob.token)
        .status(code::IDENTITY)
        .stdout_has(&format!("live    {}", bob.handle))
        .run();
}

#[test]
fn images_are_uploaded_with_their_description() {
    let t = Test::new();
    let alice = user(&t, "alice");
    let t = t.policy(&policy(&alice, ""));
    let png = t.png("affiche.png");
    t.cmd([
        "post",
        "-a",
        "masto",
        "--confirm-handle",
        &alice.handle,
        "--image",
        &png,
        "--alt",
        "Affiche du festival, fond bleu",
        "Le programme",
    ])
    .env("POSTGATE_SECRET_MASTO", &alice.token)
    .stderr_has("image 1       affiche.png (1 KB)  alt: Affiche du festival, fond bleu")
    .run();
    let statuses = mastodon_statuses(&alice);
    assert_eq!(statuses.len(), 1);
    let media = statuses[0]["media_attachments"].as_array().unwrap();
    assert_eq!(media.len(), 1);
    assert_eq!(media[0]["description"], "Affiche du festival, fond bleu");
    assert!(
        t.audit().last().unwrap()["images"][0]
            .as_str()
            .unwrap()
            .starts_with("affiche.png sha256:")
    );
}

#[test]
fn an_official_image_without_a_description_is_refused() {
    let t = Test::new();
    let alice = user(&t, "alice");
    let t = t.policy(&policy(&alice, ""));
    let png = t.png("photo.png");
    t.cmd([
        "post",
        "-a",
        "masto",
        "--confirm-handle",
        &alice.handle,
        "--image",
        &png,
        "Photo",
    ])
    .env("POSTGATE_SECRET_MASTO", &alice.token)
    .status(code::CONTENT)
    .stderr_has("NO DESCRIPTION")
    .stderr_has("image photo.png has no description, and account `masto` requires one")
    .run();
    let many: Vec<String> = (0..5)
        .flat_map(|i| ["--image".to_string(), png.clone(), "--alt".into(), format!("image {i}")])
        .collect();
    let mut args = vec!["post", "-a", "masto", "--confirm-handle", &alice.handle];
    args.extend(many.iter().map(String::as_str));
    args.push("Cinq");
    t.cmd(args)
        .env("POSTGATE_SECRET_MASTO", &alice.token)
        .status(code::CONTENT)
        .stderr_has("5 images; mastodon allows 4")
        .run();
    assert!(mastodon_statuses(&alice).is_empty());
}

// A hostile server (tests/support/hostile.rs) in place of the instance: what postgate reads,
// prints and records from it must stay bounded whatever it sends.

/// A policy whose account `masto` is `@alice@localhost:PORT` on the hostile server, with the
/// token in the environment.
fn hostile_world(server: &Hostile) -> Test {
    let t = Test::new();
    let handle = format!("@alice@{}", server.domain());
    let policy =
        support::policy::with_audit(&[&(support::policy::mastodon("masto", &handle, &server.url()) + FROM_ENV)]);
    t.policy(&policy).env("POSTGATE_SECRET_MASTO", "hostile-token")
}

fn post_alice<'a>(t: &'a Test, server: &Hostile) -> support::Cmd<'a> {
    let handle = format!("@alice@{}", server.domain());
    t.cmd(["post", "-a", "masto", "--confirm-handle", &handle, "Bonjour"])
}

/// Everything the run left behind stays small: what it printed and the audit log.
fn assert_bounded(t: &Test, out: &std::process::Output, limit: usize) {
    assert!(out.stdout.len() < limit, "stdout is {} bytes", out.stdout.len());
    assert!(out.stderr.len() < limit, "stderr is {} bytes", out.stderr.len());
    let audit = std::fs::metadata(t.audit_path()).map_or(0, |m| m.len() as usize);
    assert!(audit < limit, "the audit log is {audit} bytes");
}

const MIB: usize = 1024 * 1024;

#[test]
fn an_identity_answer_over_its_cap_is_a_platform_error_and_nothing_of_it_is_kept() {
    let server = Hostile::start();
    server.mastodon("alice");
    server.on("GET", "/api/v1/accounts/verify_credentials", |_| Reply::Huge {
        status: 200,
        prefix: r#"{"id":"1","username":""#.into(),
        fill: b'a',
        len: 64 * MIB,
        suffix: r#""}"#.into(),
    });
    let t = hostile_world(&server);
    let out = post_alice(&t, &server)
        .status(code::PLATFORM)
        .stderr_has("mastodon: checking the credential: the answer is larger than 64 KiB (the cap for an identity)")
        .run();
    assert_bounded(&t, &out, 16 * 1024);
    assert_eq!(server.hits("POST", "/api/v1/statuses"), 0);
    assert_eq!(t.audit().last().unwrap()["outcome"]["status"], "refused");
}

#[test]
fn a_huge_error_body_is_not_read_nor_printed_on_each_retry() {
    let server = Hostile::start();
    server.mastodon("alice");
    server.on("GET", "/api/v1/accounts/verify_credentials", |_| Reply::Huge {
        status: 500,
        prefix: r#"{"error":""#.into(),
        fill: b'x',
        len: 64 * MIB,
        suffix: r#""}"#.into(),
    });
    let t = hostile_world(&server);
    let out = post_alice(&t, &server)
        .status(code::PLATFORM)
        .stderr_has("postgate: 500 (an error body larger than 64 KiB, not read); retrying in 0.5s (1/3)")
        .stderr_has("mastodon: checking the credential: 500 (an error body larger than 64 KiB, not read)")
        .run();
    // A 5xx on a read is retried: every attempt met the same body, none was printed.
    assert_eq!(server.hits("GET", "/api/v1/accounts/verify_credentials"), 4);
    assert_bounded(&t, &out, 16 * 1024);
}

#[test]
fn long_fields_within_the_cap_are_cut_with_a_marker_before_any_message_or_record() {
    let server = Hostile::start();
    server.mastodon("alice");
    // 25,007 characters: under the identity cap, far over any real username.
    let long = format!("mallory{}", "\\u001b[31m".repeat(5_000));
    server.json(
        "GET",
        "/api/v1/accounts/verify_credentials",
        200,
        &format!(r#"{{"id":"1","username":"{long}"}}"#),
    );
    server.json(
        "POST",
        "/api/v1/statuses",
        500,
        &format!(r#"{{"error":"{}"}}"#, "e".repeat(60_000)),
    );
    let t = hostile_world(&server);
    let out = post_alice(&t, &server)
        .status(code::IDENTITY)
        .stderr_has("says the credential belongs to @mallory⟨U+001B⟩[31m")
        .stderr_has("…[cut: 25007 bytes in all]")
        .run();
    assert_bounded(&t, &out, 8 * 1024);
    let refusal = t.audit().last().unwrap().clone();
    assert!(refusal.to_string().contains("…[cut: 25007 bytes in all]"), "{refusal}");

    // An error message within the error cap is cut the same way.
    server.mastodon("alice");
    let out = post_alice(&t, &server)
        .status(code::PLATFORM)
        .stderr_has("mastodon: publishing: 500 eeee")
        .stderr_has("…[cut: 60000 bytes in all]")
        .run();
    assert_bounded(&t, &out, 16 * 1024);
}

#[test]
fn an_instance_that_answers_401_is_a_platform_error_not_a_refused_credential() {
    let server = Hostile::start();
    server.mastodon("alice");
    server.json(
        "GET",
        "/api/v2/instance",
        401,
        r#"{"error":"This API requires an authenticated user"}"#,
    );
    let t = hostile_world(&server);
    let out = post_alice(&t, &server)
        .status(code::PLATFORM)
        .stderr_has("mastodon: reading the instance: 401 This API requires an authenticated user")
        .stderr_has("no credential was sent")
        .run();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("store a new one"),
        "a 401 to a request without a credential blamed the credential"
    );
}

#[test]
fn a_read_that_gets_no_answer_does_not_claim_a_post_may_be_out() {
    let server = Hostile::start();
    server.mastodon("alice");
    server.on("GET", "/api/v1/accounts/verify_credentials", |_| Reply::Silent);
    let t = hostile_world(&server);
    let out = post_alice(&t, &server)
        .env("POSTGATE_HTTP_TIMEOUT", "0.5")
        .status(code::PLATFORM)
        .stderr_has("mastodon: checking the credential: no answer from the server")
        .stderr_has("this was a read, so it changed nothing")
        .run();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("post it twice"), "{stderr}");
    assert!(!stderr.contains("outcome is unknown"), "{stderr}");
    assert_eq!(server.hits("POST", "/api/v1/statuses"), 0);
}

#[test]
fn a_redirect_says_where_it_points_made_visible_and_cut() {
    let server = Hostile::start();
    server.mastodon("alice");
    let target = format!("https://elsewhere.example/\u{202e}{}", "y".repeat(5_000));
    server.on("GET", "/api/v2/instance", move |_| Reply::Raw {
        status: 307,
        headers: vec![("Location".into(), target.clone())],
        body: "An error occurred".into(),
    });
    let t = hostile_world(&server);
    let out = post_alice(&t, &server)
        .status(code::PLATFORM)
        .stderr_has("mastodon: reading the instance: 307 redirects to https://elsewhere.example/⟨U+202E⟩yyy")
        .stderr_has("…[cut: 5029 bytes in all]")
        .stderr_has("postgate never follows redirects")
        .run();
    assert_bounded(&t, &out, 8 * 1024);
    assert_eq!(server.hits("GET", "/api/v2/instance"), 1);
}

#[test]
fn a_post_killed_after_publishing_is_not_posted_twice() {
    let t = Test::new();
    let alice = user(&t, "killed");
    let t = t.policy(&policy(&alice, ""));
    let post = || t.post("masto", "Une fois").env("POSTGATE_SECRET_MASTO", &alice.token);
    post().env("POSTGATE_FAULT", "kill-after-publish").status_signal().run();
    assert_eq!(mastodon_statuses(&alice).len(), 1);
    // The same Idempotency-Key: the server answers with the first status.
    post()
        .stderr_has("an earlier run of this post (audit record #1, ")
        .run();
    let statuses = mastodon_statuses(&alice);
    assert_eq!(statuses.len(), 1);
    assert_eq!(t.audit().last().unwrap()["outcome"]["id"], statuses[0]["id"]);
}

#[test]
fn a_post_left_in_doubt_for_over_an_hour_is_refused_to_a_script() {
    let t = Test::new();
    let alice = user(&t, "doubt");
    let t = t.policy(&policy(&alice, ""));
    let text = "Une fois";
    // An earlier run two hours ago that died after its intent record.
    let mut record = postgate::audit::Record::new("intent", "post", postgate::audit::Outcome::Pending);
    record.time = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(2)).to_string();
    record.text = Some(text.into());
    record.text_sha256 = Some(postgate::digest::sha256_hex(text.as_bytes()));
    record.account = Some(postgate::audit::AccountRef {
        name: "masto".into(),
        handle: alice.handle.clone(),
        kind: "official".into(),
        platform: "mastodon".into(),
        host: mastodon_url().trim_start_matches("http://").to_string(),
    });
    postgate::audit::AuditLog::new(t.audit_path()).append(record).unwrap();
    t.post("masto", text)
        .env("POSTGATE_SECRET_MASTO", &alice.token)
        .status(code::INCOMPLETE)
        .stderr_has("an earlier run of this post (audit record #1, ")
        .stderr_has("Mastodon forgets its idempotency keys after an hour; nothing was sent")
        .stderr_has("run the same post at a terminal and type the handle")
        .run();
    assert!(mastodon_statuses(&alice).is_empty());
    // At a terminal the person who typed the handle says whether it went out.
    let mut tty = t
        .cmd(["post", "-a", "masto", text])
        .env("POSTGATE_SECRET_MASTO", &alice.token)
        .tty();
    tty.expect("type its handle to publish").line(&alice.handle);
    tty.expect("Mastodon has forgotten its key").expect("[y/N]").line("y");
    assert_eq!(tty.finish(), code::SUCCESS, "{}", tty.screen());
    assert_eq!(mastodon_statuses(&alice).len(), 1);
    let settled = t.audit().into_iter().find(|r| r["event"] == "in-doubt").unwrap();
    assert!(settled["post_key"].is_string());
    // Another text is another post.
    t.post("masto", "Autre chose")
        .env("POSTGATE_SECRET_MASTO", &alice.token)
        .run();
    assert_eq!(mastodon_statuses(&alice).len(), 2);
}
