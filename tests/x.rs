//! Publishing to X, against postgate's stateful X fake (`fakes/`) with Prism in front of it,
//! which checks every request postgate makes and every answer the fake gives against X's
//! OpenAPI document. One fake per test binary; fresh users per test.
//!
//! `api` points at Prism. The OAuth 2.0 endpoints are not in X's document, so `oauth_api` and
//! `authorize_url` point at the fake itself, as do the tests of OAuth 1.0a (Prism cannot check
//! its signatures) and of a dropped connection (Prism turns one into a 500).

use crate::support;
use serde_json::{Value, json};
use sha2::Digest;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use support::hostile::Reply;
use support::policy::{FROM_ENV, with_audit};
use support::x::{XOAuth1Keys, XTokens, XUser};
use support::{BIN, Test, code, run_together, x_fake};

/// Which URL the account's `api` is.
#[derive(Clone, Copy)]
enum Via {
    /// Prism, in front of the fake: the contract is checked.
    Prism,
    /// The fake itself.
    Fake,
}

fn account(name: &str, user: &XUser, via: Via, extra: &str) -> String {
    let x = x_fake();
    let api = match via {
        Via::Prism => x.api_url(),
        Via::Fake => x.fake_url(),
    };
    format!(
        "[[accounts]]\nname = \"{name}\"\nhandle = \"@{}\"\nplatform = \"x\"\nkind = \"official\"\n\
         display_name = \"Ministère\"\nowner = \"Tests\"\napi = \"{api}\"\noauth_api = \"{fake}\"\n\
         authorize_url = \"{fake}/i/oauth2/authorize\"\n{extra}\n",
        user.username,
        fake = x.fake_url()
    )
}

fn policy(user: &XUser, via: Via, extra: &str) -> String {
    with_audit(&[&account("xa", user, via, extra)])
}

fn oauth2_env(tokens: &XTokens) -> String {
    json!({ "access_token": tokens.access_token }).to_string()
}

fn oauth1_env(keys: &XOAuth1Keys) -> String {
    json!({
        "consumer_key": keys.consumer_key, "consumer_secret": keys.consumer_secret,
        "token": keys.token, "token_secret": keys.token_secret,
    })
    .to_string()
}

/// The posts the fake holds for `user` that are neither deleted nor edited away.
fn live(user: &XUser) -> Vec<Value> {
    x_fake()
        .posts(user)
        .into_iter()
        .filter(|p| p["deleted"] != true && p["superseded_by"].is_null())
        .collect()
}

fn last_outcome(t: &Test) -> Value {
    t.audit().last().expect("an audit record")["outcome"].clone()
}

/// A free loopback port for a registered redirect.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Stores an OAuth 2.0 pair in the keychain as `login` would, expiring at `expires_at`.
fn store_pair(t: &Test, user: &XUser, tokens: &XTokens, expires_at: jiff::Timestamp) {
    let host = x_fake().api_url().trim_start_matches("http://").to_string();
    let document = json!({
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "expires_at": expires_at.to_string(),
        "scope": "tweet.read tweet.write users.read offline.access media.write",
    });
    let item = json!({ "v": 1, "secret": document.to_string(), "created_at": jiff::Timestamp::now().to_string() });
    t.keychain_store(&format!("x:{host}:{}", user.username.to_lowercase()), &item.to_string());
}

fn in_secs(secs: i64) -> jiff::Timestamp {
    jiff::Timestamp::now() + jiff::SignedDuration::from_secs(secs)
}

#[test]
fn pkce_login_follows_the_printed_address_checks_the_identity_and_stores_the_pair() {
    let x = x_fake();
    let alice = x.user("pkce");
    let port = free_port();
    let client_id = format!("app-{}", alice.username);
    x.app(&alice, &client_id, &format!("http://127.0.0.1:{port}/callback"));
    let t = Test::new().keychain();
    let t = t.policy(&policy(
        &alice,
        Via::Prism,
        &format!("client_id = \"{client_id}\"\nredirect_port = {port}"),
    ));
    let mut child = t
        .command(BIN)
        .args(["login", "xa", "--no-browser"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("postgate login");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let (address, seen) = printed_address(&mut stderr);
    assert!(address.contains("code_challenge_method=S256"), "{address}");
    assert!(
        address.contains("scope=tweet.read%20tweet.write%20users.read%20offline.access%20media.write"),
        "{address}"
    );
    // The "browser": it follows the fake's consent redirect to postgate's listener.
    let page = reqwest::blocking::get(&address).expect("follow the address");
    assert_eq!(page.status().as_u16(), 200, "the listener's page");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).expect("stderr");
    let status = child.wait().expect("login ends");
    assert!(status.success(), "login failed: {seen}{rest}");
    assert!(
        rest.contains(&format!("pin it in the policy with user_id = \"{}\"", alice.id)),
        "{rest}"
    );
    assert_eq!(x.requests(&alice, "POST", "/2/oauth2/token"), 1);
    let audit = t.audit();
    assert_eq!(audit.last().unwrap()["outcome"]["change"], "stored");
    // The stored pair posts.
    t.post("xa", "Bonjour depuis postgate").run();
    assert_eq!(live(&alice).len(), 1);
    assert_eq!(last_outcome(&t)["status"], "published");
}

/// Reads a child's stderr until a line that starts with `http`: the address `login` prints.
fn printed_address(stderr: &mut impl BufRead) -> (String, String) {
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).expect("stderr") > 0,
            "login printed no address: {seen}"
        );
        seen.push_str(&line);
        if let Some(url) = line.trim().strip_prefix("http") {
            return (format!("http{url}"), seen);
        }
    }
}

#[test]
fn paste_takes_the_redirected_address_on_stdin_where_nothing_listens() {
    let x = x_fake();
    let alice = x.user("paste");
    let port = free_port();
    let client_id = format!("app-{}", alice.username);
    x.app(&alice, &client_id, &format!("http://127.0.0.1:{port}/callback"));
    let t = Test::new().keychain();
    let t = t.policy(&policy(
        &alice,
        Via::Prism,
        &format!(
            "client_id = \"{client_id}\"\nredirect_port = {port}\nuser_id = \"{}\"",
            alice.id
        ),
    ));
    let mut child = t
        .command(BIN)
        .args(["login", "xa", "--paste"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("postgate login");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let (address, seen) = printed_address(&mut stderr);
    // Nothing listens on the port: the browser only gets as far as the redirect.
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "something listens"
    );
    let browser = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let consent = browser.get(&address).send().expect("consent");
    assert_eq!(consent.status().as_u16(), 302);
    let redirected = consent.headers()["location"].to_str().expect("location").to_string();
    assert!(
        redirected.starts_with(&format!("http://127.0.0.1:{port}/callback?")),
        "{redirected}"
    );
    std::io::Write::write_all(
        &mut child.stdin.take().expect("stdin"),
        format!("{redirected}\n").as_bytes(),
    )
    .expect("paste");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).expect("stderr");
    assert!(child.wait().expect("login ends").success(), "{seen}{rest}");
    assert!(rest.contains("stored the credential of `xa`"), "{rest}");
    t.post("xa", "Collé depuis le navigateur").run();
    assert_eq!(live(&alice).len(), 1);
}

#[test]
fn a_state_that_is_not_postgates_is_refused() {
    let x = x_fake();
    let alice = x.user("state");
    let port = free_port();
    let t = Test::new().keychain();
    let t = t.policy(&policy(
        &alice,
        Via::Prism,
        &format!("client_id = \"app-{}\"\nredirect_port = {port}", alice.username),
    ));
    t.cmd(["login", "xa", "--paste"])
        .stdin(format!("http://127.0.0.1:{port}/callback?state=forged&code=stolen\n"))
        .status(code::CREDENTIAL)
        .stderr_has("state")
        .run();
    t.cmd(["accounts"]).stdout_has("missing").run();
}

#[test]
fn login_refuses_another_accounts_token_and_stores_nothing() {
    let x = x_fake();
    let alice = x.user("alice");
    let bob = x.user("bob");
    let t = Test::new().keychain();
    let t = t.policy(&policy(&alice, Via::Prism, ""));
    t.cmd(["login", "xa", "--secret-stdin"])
        .stdin(oauth2_env(&x.oauth2_tokens(&bob, None)))
        .status(code::IDENTITY)
        .stderr_has(&format!(
            "the policy says account `xa` is @{}, but x says the credential belongs to @{}",
            alice.username, bob.username
        ))
        .stderr_has("nothing was stored")
        .run();
    t.cmd(["accounts"]).stdout_has("missing").run();
}

#[test]
fn a_post_checks_the_handle_and_the_pinned_id_before_anything_is_sent() {
    let x = x_fake();
    let alice = x.user("alice");
    let bob = x.user("bob");
    let t = Test::new().policy(&policy(&alice, Via::Prism, FROM_ENV));
    t.post("xa", "Message officiel")
        .env("POSTGATE_SECRET_XA", &oauth2_env(&x.oauth2_tokens(&bob, None)))
        .status(code::IDENTITY)
        .stderr_has(&format!("x says the credential belongs to @{}", bob.username))
        .run();
    // The right username, but not the id the policy pins.
    let t = t.policy(&policy(&alice, Via::Prism, &format!("{FROM_ENV}user_id = \"42\"")));
    t.post("xa", "Message officiel")
        .env("POSTGATE_SECRET_XA", &oauth2_env(&x.oauth2_tokens(&alice, None)))
        .status(code::IDENTITY)
        .stderr_has(&format!(
            "the policy pins account `xa` to id 42, but x says the credential belongs to id {}",
            alice.id
        ))
        .run();
    assert!(x.posts(&alice).is_empty() && x.posts(&bob).is_empty());
    assert_eq!(x.requests(&alice, "POST", "/2/tweets"), 0);
    assert_eq!(last_outcome(&t)["status"], "refused");
}

#[test]
fn the_weighted_length_decides_and_281_is_refused_with_nothing_sent() {
    let x = x_fake();
    let alice = x.user("count");
    let t = Test::new().policy(&policy(&alice, Via::Prism, FROM_ENV));
    let env = oauth2_env(&x.oauth2_tokens(&alice, None));
    // 140 CJK characters weigh 280: exactly the limit.
    t.post("xa", &"文".repeat(140))
        .env("POSTGATE_SECRET_XA", &env)
        .stderr_has("280/280 weighted characters")
        .run();
    t.post("xa", &format!("{}é", "文".repeat(140)))
        .env("POSTGATE_SECRET_XA", &env)
        .status(code::CONTENT)
        .stderr_has("281/280 weighted characters: TOO LONG by 1")
        .stderr_has("the post is 281 weighted characters; x allows 280")
        .run();
    assert_eq!(x.requests(&alice, "POST", "/2/tweets"), 1);
    assert_eq!(live(&alice).len(), 1);
    t.cmd(["check", "-a", "xa", "-"])
        .stdin("a".repeat(281))
        .status(code::CONTENT)
        .stdout_has("281 weighted characters; x allows 280")
        .run();
}

#[test]
fn an_expired_pair_is_renewed_once_per_run_and_the_new_pair_kept_for_the_next() {
    let x = x_fake();
    let alice = x.user("renew");
    let client_id = format!("app-{}", alice.username);
    // Access tokens of this app live 60 s: less than postgate's renewal margin, so every run
    // renews, with the refresh token the run before it stored.
    let tokens = x.app_tokens(&alice, &client_id, 60);
    let t = Test::new().keychain();
    let t = t.policy(&policy(&alice, Via::Prism, &format!("client_id = \"{client_id}\"")));
    store_pair(&t, &alice, &tokens, in_secs(60));
    t.post("xa", "Premier")
        .stderr_has("renewing the access token of `xa`")
        .run();
    t.post("xa", "Deuxième")
        .stderr_has("renewing the access token of `xa`")
        .run();
    assert_eq!(live(&alice).len(), 2);
    assert_eq!(x.requests(&alice, "POST", "/2/oauth2/token"), 2);
    // The first refresh token was spent and rotated away.
    assert_eq!(x.refresh_status(&client_id, &tokens.refresh_token), 400);
}

#[test]
fn two_runs_at_once_renew_once_and_the_second_uses_the_first_ones_pair() {
    let x = x_fake();
    let alice = x.user("twice");
    let client_id = format!("app-{}", alice.username);
    // The stored pair says it expires within the renewal margin; a renewed one lasts 2 hours.
    // So whichever run reads the keychain first renews, and the other, before or after the
    // lock, finds a pair it can use: one renewal however the two runs interleave.
    let tokens = x.app_tokens(&alice, &client_id, 7200);
    let t = Test::new().keychain();
    let t = t.policy(&policy(&alice, Via::Prism, &format!("client_id = \"{client_id}\"")));
    store_pair(&t, &alice, &tokens, in_secs(60));
    let handle = format!("@{}", alice.username);
    let run = |text: &str| -> Vec<String> {
        ["post", "-a", "xa", "--confirm-handle", &handle, text]
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    let outs = run_together(&t, &[run("Un"), run("Deux")]);
    for out in &outs {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(live(&alice).len(), 2);
    assert_eq!(
        x.requests(&alice, "POST", "/2/oauth2/token"),
        1,
        "one renewal for both runs"
    );
}

#[test]
fn a_run_that_finds_the_renewal_lock_taken_waits_then_uses_the_pair_stored_meanwhile() {
    let x = x_fake();
    let alice = x.user("waits");
    let client_id = format!("app-{}", alice.username);
    let tokens = x.app_tokens(&alice, &client_id, 7200);
    let t = Test::new().keychain();
    let t = t.policy(&policy(&alice, Via::Prism, &format!("client_id = \"{client_id}\"")));
    store_pair(&t, &alice, &tokens, in_secs(60));
    // Another run renewing: this test holds the renewal lock, as that run would.
    let host = x.api_url().trim_start_matches("http://");
    let user = format!("x:{host}:{}", alice.username.to_lowercase());
    let digest = sha2::Sha256::digest(user.as_bytes());
    let name: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    let locks = t.path().join("state/postgate/credential.locks");
    std::fs::create_dir_all(&locks).expect("lock folder");
    let lock = std::fs::File::create(locks.join(format!("{name}.lock"))).expect("lock file");
    lock.lock().expect("take the renewal lock");
    let mut child = t
        .command(BIN)
        .args([
            "post",
            "-a",
            "xa",
            "--confirm-handle",
            &format!("@{}", alice.username),
            "Après l'attente",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("postgate post");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut seen = String::new();
    while !seen.contains("waiting for another run renewing the credential of `xa`") {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).expect("stderr") > 0,
            "it did not wait: {seen}"
        );
        seen.push_str(&line);
    }
    // What the other run stores before it lets go.
    store_pair(&t, &alice, &x.more_tokens(&alice, &client_id), in_secs(7200));
    drop(lock);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).expect("stderr");
    assert!(child.wait().expect("post ends").success(), "{seen}{rest}");
    assert!(!rest.contains("renewing the access token"), "{rest}");
    assert_eq!(x.requests(&alice, "POST", "/2/oauth2/token"), 0, "it renewed again");
    assert_eq!(live(&alice).len(), 1);
}

#[test]
fn a_renewed_pair_the_keychain_refuses_is_said_and_nothing_is_sent() {
    let x = x_fake();
    let alice = x.user("kcfail");
    let client_id = format!("app-{}", alice.username);
    let tokens = x.app_tokens(&alice, &client_id, 60);
    let t = Test::new().keychain();
    let t = t.policy(&policy(&alice, Via::Prism, &format!("client_id = \"{client_id}\"")));
    store_pair(&t, &alice, &tokens, in_secs(60));
    t.post("xa", "Jamais envoyé")
        .env("POSTGATE_FAULT", "fail-keychain-write")
        .status(code::CREDENTIAL)
        .stderr_has("x renewed the credential of `xa`, but the keychain did not take the new one")
        .stderr_has("nothing was sent with it, and the old item is kept")
        .stderr_has("postgate login xa")
        .run();
    assert!(x.posts(&alice).is_empty());
    // The old item is still there, as it was.
    t.cmd(["accounts"]).stdout_has("keychain").run();
}

#[test]
fn oauth1_keys_are_stored_from_stdin_and_sign_every_request() {
    let x = x_fake();
    let alice = x.user("oauthone");
    let keys = x.oauth1_keys(&alice);
    let t = Test::new().keychain();
    let t = t.policy(&policy(&alice, Via::Fake, ""));
    t.cmd(["login", "xa", "--oauth1", "--secret-stdin"])
        .stdin(format!(
            "{}\n{}\n{}\n{}\n",
            keys.consumer_key, keys.consumer_secret, keys.token, keys.token_secret
        ))
        .stderr_has("stored the credential of `xa`")
        .run();
    t.post("xa", "Signé en OAuth 1.0a").run();
    assert_eq!(live(&alice).len(), 1);
    // Keys that do not sign right are refused by the fake's own RFC 5849 check.
    let t = t.policy(&policy(&alice, Via::Fake, FROM_ENV));
    let wrong = XOAuth1Keys {
        token_secret: "not-the-secret".into(),
        ..keys
    };
    t.post("xa", "Mal signé")
        .env("POSTGATE_SECRET_XA", &oauth1_env(&wrong))
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
        .status(code::CREDENTIAL)
        .run();
    assert_eq!(live(&alice).len(), 1);
}

#[test]
fn a_ci_runner_posts_with_the_environment_form_and_says_so() {
    let x = x_fake();
    let alice = x.user("ci");
    let t = Test::new().policy(&policy(&alice, Via::Fake, FROM_ENV));
    let out = t
        .cmd([
            "--json",
            "post",
            "-a",
            "xa",
            "--confirm-handle",
            &format!("@{}", alice.username),
            "Publié par la CI",
        ])
        .env("CI", "true")
        .env("POSTGATE_SECRET_XA", &oauth1_env(&x.oauth1_keys(&alice)))
        .stdin("")
        .run();
    let answer: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(answer["status"], "published");
    assert_eq!(answer["credential_source"], "environment");
    let posts = live(&alice);
    assert_eq!(posts.len(), 1);
    assert_eq!(answer["id"], posts[0]["id"]);
    assert_eq!(
        answer["url"],
        format!(
            "https://x.com/{}/status/{}",
            alice.username,
            posts[0]["id"].as_str().unwrap()
        )
    );
    // The OAuth 2.0 form too, through Prism.
    let t = t.policy(&policy(&alice, Via::Prism, FROM_ENV));
    t.post("xa", "Publié par la CI, OAuth 2.0")
        .env("POSTGATE_SECRET_XA", &oauth2_env(&x.oauth2_tokens(&alice, None)))
        .run();
    assert_eq!(live(&alice).len(), 2);
}

#[test]
fn a_lost_answer_after_the_post_was_made_ends_with_exactly_one_post() {
    let x = x_fake();
    let alice = x.user("lost");
    let t = Test::new().policy(&policy(&alice, Via::Fake, FROM_ENV));
    x.fault(&alice, "drop_after_commit", "POST", "/2/tweets", 1);
    t.post("xa", "Une seule fois")
        .env("POSTGATE_SECRET_XA", &oauth2_env(&x.oauth2_tokens(&alice, None)))
        .stderr_has("and the post is on the account")
        .run();
    let posts = live(&alice);
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(x.requests(&alice, "POST", "/2/tweets"), 1, "nothing sent again");
    let outcome = last_outcome(&t);
    assert_eq!(outcome["status"], "published");
    assert_eq!(outcome["id"], posts[0]["id"]);
}

#[test]
fn a_500_after_the_post_was_made_ends_with_exactly_one_post() {
    let x = x_fake();
    let alice = x.user("err500");
    let t = Test::new().policy(&policy(&alice, Via::Prism, FROM_ENV));
    x.fault(&alice, "error_after_commit", "POST", "/2/tweets", 1);
    t.post("xa", "Malgré l'erreur 500")
        .env("POSTGATE_SECRET_XA", &oauth2_env(&x.oauth2_tokens(&alice, None)))
        .stderr_has("500")
        .stderr_has("and the post is on the account")
        .run();
    assert_eq!(live(&alice).len(), 1);
    assert_eq!(x.requests(&alice, "POST", "/2/tweets"), 1);
    assert_eq!(last_outcome(&t)["status"], "published");
}

#[test]
fn a_503_before_anything_was_made_is_sent_again_once_and_lands_once() {
    let x = x_fake();
    let alice = x.user("err503");
    let t = Test::new().policy(&policy(&alice, Via::Prism, FROM_ENV));
    x.fault(&alice, "unavailable", "POST", "/2/tweets", 1);
    t.post("xa", "Après une 503")
        .env("POSTGATE_SECRET_XA", &oauth2_env(&x.oauth2_tokens(&alice, None)))
        .stderr_has("the post is not among the account's posts, so postgate sends it again, once")
        .run();
    assert_eq!(live(&alice).len(), 1);
    assert_eq!(x.requests(&alice, "POST", "/2/tweets"), 2);
}

#[test]
fn a_500_whose_listing_fails_too_is_not_guessed_at() {
    let x = x_fake();
    let alice = x.user("guess");
    let t = Test::new().policy(&policy(
        &alice,
        Via::Prism,
        &format!("{FROM_ENV}user_id = \"{}\"", alice.id),
    ));
    x.fault(&alice, "error_after_commit", "POST", "/2/tweets", 1);
    // Every attempt at listing the account's posts (a read is tried 4 times) fails.
    x.fault(
        &alice,
        "unavailable",
        "GET",
        &format!("/2/users/{}/tweets", alice.id),
        4,
    );
    t.post("xa", "Peut-être publié")
        .env("POSTGATE_SECRET_XA", &oauth2_env(&x.oauth2_tokens(&alice, None)))
        .status(code::INCOMPLETE)
        .stderr_has("postgate refuses to guess, and sent nothing more")
        .stderr_has(&format!("look at https://x.com/{}", alice.username))
        .run();
    assert_eq!(x.requests(&alice, "POST", "/2/tweets"), 1, "sent again without knowing");
    assert_eq!(x.posts(&alice).len(), 1);
    assert_eq!(last_outcome(&t)["status"], "failed");
    // The attempt stays in doubt: `reconcile` calls the post postgate's, not foreign.
    t.cmd(["reconcile", "xa", "--since", "1h"])
        .env("POSTGATE_SECRET_XA", &oauth2_env(&x.oauth2_tokens(&alice, None)))
        .stderr_has("is postgate's, in doubt")
        .run();
    // The next run of the same post looks first, finds it, and sends nothing.
    t.post("xa", "Peut-être publié")
        .env("POSTGATE_SECRET_XA", &oauth2_env(&x.oauth2_tokens(&alice, None)))
        .stderr_has("did publish")
        .run();
    assert_eq!(x.requests(&alice, "POST", "/2/tweets"), 1, "sent again");
    assert_eq!(x.posts(&alice).len(), 1, "posted twice");
    assert_eq!(last_outcome(&t)["id"], x.posts(&alice)[0]["id"]);
}

#[test]
fn a_duplicate_403_is_settled_by_the_accounts_own_posts() {
    let x = x_fake();
    let alice = x.user("dup");
    let t = Test::new().policy(&policy(&alice, Via::Prism, FROM_ENV));
    let env = oauth2_env(&x.oauth2_tokens(&alice, None));
    // A recent identical post (an earlier attempt that landed): it is the post.
    let id = x.post_directly(&alice, "Communiqué du jour", 5);
    t.post("xa", "Communiqué du jour")
        .env("POSTGATE_SECRET_XA", &env)
        .stderr_has("X refused it as duplicate content, and the post is on the account")
        .run();
    assert_eq!(last_outcome(&t)["id"], id.as_str());
    assert_eq!(live(&alice).len(), 1);
    // An identical post from hours ago: X refuses, and this run published nothing.
    x.post_directly(&alice, "Communiqué d'hier", 3 * 3600);
    t.post("xa", "Communiqué d'hier")
        .env("POSTGATE_SECRET_XA", &env)
        .status(code::CONTENT)
        .stderr_has("X refused the post as a duplicate of an earlier one")
        .stderr_has("nothing was published by this run")
        .run();
    assert_eq!(live(&alice).len(), 2);
    assert_eq!(last_outcome(&t)["status"], "failed");
}

#[test]
fn a_429_waits_for_x_rate_limit_reset_and_a_far_reset_stops_with_when() {
    let x = x_fake();
    let alice = x.user("rate");
    let t = Test::new().policy(&policy(&alice, Via::Prism, FROM_ENV));
    let env = oauth2_env(&x.oauth2_tokens(&alice, None));
    x.rate_limit(&alice, "POST", "/2/tweets", 1);
    t.post("xa", "Après la limite")
        .env("POSTGATE_SECRET_XA", &env)
        .stderr_has("rate limited; X accepts posts again in")
        .run();
    assert_eq!(live(&alice).len(), 1);
    x.rate_limit(&alice, "POST", "/2/tweets", 900);
    t.post("xa", "Trop tôt")
        .env("POSTGATE_SECRET_XA", &env)
        .status(code::PLATFORM)
        .stderr_has("x: publishing: 429")
        .stderr_has("nothing was published; try again after")
        .run();
    assert_eq!(live(&alice).len(), 1);
}

#[test]
fn an_image_goes_with_its_description() {
    let x = x_fake();
    let alice = x.user("image");
    let t = Test::new().policy(&policy(&alice, Via::Prism, FROM_ENV));
    let png = t.png("affiche.png");
    t.cmd([
        "post",
        "-a",
        "xa",
        "--confirm-handle",
        &format!("@{}", alice.username),
        "--image",
        &png,
        "--alt",
        "Affiche du festival",
        "Le programme",
    ])
    .env("POSTGATE_SECRET_XA", &oauth2_env(&x.oauth2_tokens(&alice, None)))
    .run();
    let posts = live(&alice);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["media_ids"].as_array().map(Vec::len), Some(1), "{}", posts[0]);
    assert_eq!(posts[0]["media_alt_texts"], json!(["Affiche du festival"]));
}

fn post_one(t: &Test, env: &str, text: &str) -> String {
    t.post("xa", text).env("POSTGATE_SECRET_XA", env).run();
    last_outcome(t)["id"].as_str().expect("an id").to_string()
}

#[test]
fn a_correction_is_a_reply_by_default() {
    let x = x_fake();
    let alice = x.user("reply");
    let t = Test::new().policy(&policy(&alice, Via::Prism, FROM_ENV));
    let env = oauth2_env(&x.oauth2_tokens(&alice, None));
    let id = post_one(&t, &env, "Ouverture à 9h");
    t.cmd([
        "correct",
        "xa",
        &format!("https://x.com/{}/status/{id}", alice.username),
        "--confirm-handle",
        &format!("@{}", alice.username),
        "Correction : ouverture à 10h",
    ])
    .env("POSTGATE_SECRET_XA", &env)
    .run();
    let posts = live(&alice);
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[1]["in_reply_to"], id.as_str());
    assert_eq!(posts[1]["text"], "Correction : ouverture à 10h");
}

#[test]
fn an_edit_where_x_allows_it_and_a_reply_where_it_refuses() {
    let x = x_fake();
    let premium = x.premium_user("edit");
    let t = Test::new().policy(&policy(
        &premium,
        Via::Prism,
        &format!("{FROM_ENV}correction = \"edit\""),
    ));
    let env = oauth2_env(&x.oauth2_tokens(&premium, None));
    let id = post_one(&t, &env, "Ouverture à 9h");
    let handle = format!("@{}", premium.username);
    t.cmd(["correct", "xa", &id, "--confirm-handle", &handle, "Ouverture à 10h"])
        .env("POSTGATE_SECRET_XA", &env)
        .run();
    let posts = x.posts(&premium);
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0]["superseded_by"], posts[1]["id"], "{posts:?}");
    assert_eq!(last_outcome(&t)["id"], posts[1]["id"]);
    // Without X Premium, X refuses the edit: the correction becomes a reply, said so.
    let plain = x.user("noedit");
    let t = t.policy(&policy(&plain, Via::Prism, &format!("{FROM_ENV}correction = \"edit\"")));
    let env = oauth2_env(&x.oauth2_tokens(&plain, None));
    let id = post_one(&t, &env, "Ouverture à 9h");
    t.cmd([
        "correct",
        "xa",
        &id,
        "--confirm-handle",
        &format!("@{}", plain.username),
        "Ouverture à 10h",
    ])
    .env("POSTGATE_SECRET_XA", &env)
    .stderr_has("X refused the edit")
    .stderr_has("publishing the correction as a reply to the post instead")
    .run();
    let posts = live(&plain);
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[1]["in_reply_to"], id.as_str());
}

#[test]
fn a_delete_needs_allow_delete() {
    let x = x_fake();
    let alice = x.user("delete");
    let t = Test::new().policy(&policy(&alice, Via::Prism, FROM_ENV));
    let env = oauth2_env(&x.oauth2_tokens(&alice, None));
    let id = post_one(&t, &env, "À supprimer");
    let handle = format!("@{}", alice.username);
    t.cmd(["delete", "xa", &id, "--reason", "doublon", "--confirm-handle", &handle])
        .env("POSTGATE_SECRET_XA", &env)
        .status(code::CONTENT)
        .stderr_has("allow_delete")
        .run();
    assert_eq!(live(&alice).len(), 1);
    let t = t.policy(&policy(&alice, Via::Prism, &format!("{FROM_ENV}allow_delete = true")));
    t.cmd(["delete", "xa", &id, "--reason", "doublon", "--confirm-handle", &handle])
        .env("POSTGATE_SECRET_XA", &env)
        .run();
    assert!(live(&alice).is_empty());
    assert_eq!(last_outcome(&t)["status"], "deleted");
}

#[test]
fn lockdown_revokes_the_pair_checks_the_401_and_refuses_the_next_post() {
    let x = x_fake();
    let alice = x.user("lock");
    let client_id = format!("app-{}", alice.username);
    let tokens = x.app_tokens(&alice, &client_id, 7200);
    let t = Test::new().keychain();
    let t = t.policy(&policy(&alice, Via::Prism, &format!("client_id = \"{client_id}\"")));
    store_pair(&t, &alice, &tokens, in_secs(7200));
    t.post("xa", "Avant l'incident").run();
    t.cmd(["lockdown", "xa", "--reason", "jeton divulgué"])
        .stdout_has("access and refresh tokens revoked (X now rejects the access token)")
        .run();
    assert_eq!(x.me_status(&tokens.access_token), 401);
    assert_eq!(x.refresh_status(&client_id, &tokens.refresh_token), 400);
    t.post("xa", "Après l'incident").status(code::LOCKED_DOWN).run();
    assert_eq!(live(&alice).len(), 1);
    t.cmd(["accounts"]).stdout_has("missing").run();
}

#[test]
fn lockdown_of_oauth1_keys_says_revoke_by_hand_and_locks_anyway() {
    let x = x_fake();
    let alice = x.user("lockone");
    let keys = x.oauth1_keys(&alice);
    let t = Test::new().keychain();
    let t = t.policy(&policy(&alice, Via::Fake, ""));
    t.cmd(["login", "xa", "--oauth1", "--secret-stdin"])
        .stdin(format!(
            "{}\n{}\n{}\n{}\n",
            keys.consumer_key, keys.consumer_secret, keys.token, keys.token_secret
        ))
        .run();
    t.cmd(["lockdown", "xa", "--reason", "clés divulguées"])
        .stdout_has("REVOKE BY HAND")
        .stderr_has("Keys and tokens")
        .run();
    t.post("xa", "Après l'incident").status(code::LOCKED_DOWN).run();
    assert!(live(&alice).is_empty());
}

#[test]
fn reconcile_finds_a_post_made_on_x_and_a_quiet_account_costs_no_read() {
    let x = x_fake();
    let alice = x.user("recon");
    let t = Test::new().policy(&policy(&alice, Via::Prism, FROM_ENV));
    let env = oauth2_env(&x.oauth2_tokens(&alice, None));
    post_one(&t, &env, "Publié par postgate");
    let foreign = x.post_directly(&alice, "Publié sur x.com", 10);
    t.cmd(["reconcile", "xa", "--since", "1h"])
        .env("POSTGATE_SECRET_XA", &env)
        .status(code::FOREIGN_POSTS)
        .stdout_has(&foreign)
        .stdout_has("Publié sur x.com")
        .run();
    let quiet = x.user("quiet");
    let t = t.policy(&policy(&quiet, Via::Prism, FROM_ENV));
    t.cmd(["reconcile", "xa", "--since", "1h"])
        .env("POSTGATE_SECRET_XA", &oauth2_env(&x.oauth2_tokens(&quiet, None)))
        .run();
    assert_eq!(x.reads(&quiet), 0, "a quiet account read posts");
    assert_eq!(x.requests(&quiet, "GET", &format!("/2/users/{}/tweets", quiet.id)), 1);
}

#[test]
fn reconcile_keeps_watching_with_the_app_bearer_after_a_lockdown() {
    let x = x_fake();
    let alice = x.user("watch");
    let client_id = format!("app-{}", alice.username);
    let tokens = x.app_tokens(&alice, &client_id, 7200);
    let t = Test::new().keychain();
    let t = t.policy(&policy(
        &alice,
        Via::Prism,
        &format!("client_id = \"{client_id}\"\nreconcile_credential = \"app-bearer\""),
    ));
    store_pair(&t, &alice, &tokens, in_secs(7200));
    // A user token is not an app-only bearer token.
    t.cmd(["login", "xa", "--app-bearer", "--secret-stdin"])
        .stdin(&tokens.access_token)
        .status(code::CREDENTIAL)
        .stderr_has("it is not an app-only bearer token")
        .run();
    t.cmd(["login", "xa", "--app-bearer", "--secret-stdin"])
        .stdin(x.bearer(&alice))
        .stderr_has("stored the app-bearer of `xa`")
        .run();
    t.cmd(["lockdown", "xa", "--reason", "jeton divulgué"]).run();
    let foreign = x.post_directly(&alice, "Posté par l'intrus", 10);
    t.cmd(["reconcile", "xa", "--since", "1h"])
        .status(code::FOREIGN_POSTS)
        .stdout_has(&foreign)
        .run();
}

#[test]
fn policy_check_warns_about_an_official_account_without_a_pinned_id() {
    let x = x_fake();
    let alice = x.user("pin");
    let t = Test::new().policy(&policy(&alice, Via::Prism, ""));
    t.cmd(["policy", "check"])
        .stderr_has("warning: official X account `xa` pins no `user_id`")
        .run();
    let t = t.policy(&policy(&alice, Via::Prism, &format!("user_id = \"{}\"", alice.id)));
    let out = t.cmd(["policy", "check"]).run();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("pins no"));
}

#[test]
fn x_keys_are_checked_where_they_are_written() {
    let t = Test::new().policy(&with_audit(&[
        "[[accounts]]\nname = \"xa\"\nhandle = \"@MinistereCC\"\nplatform = \"x\"\nkind = \"official\"\n\
         display_name = \"M\"\nowner = \"T\"\nuser_id = \"12ab\"\napi = \"http://api.example.org\"\n",
    ]));
    t.cmd(["policy", "check"])
        .status(code::BAD_POLICY)
        .stderr_has("`user_id` must be X's numeric id")
        .stderr_has("plain http is only allowed on loopback")
        .run();
    let t = t.policy(&with_audit(&[
        "[[accounts]]\nname = \"xa\"\nhandle = \"@Ministere-CC\"\nplatform = \"x\"\nkind = \"official\"\n\
         display_name = \"M\"\nowner = \"T\"\n",
    ]));
    t.cmd(["policy", "check"])
        .status(code::BAD_POLICY)
        .stderr_has("an X username holds only letters, digits and `_`")
        .run();
}

#[test]
fn login_refuses_an_expired_pair_of_another_account_piped_over_a_stored_one() {
    let x = x_fake();
    let alice = x.user("stale");
    let bob = x.user("stalebob");
    let client_id = format!("app-{}", alice.username);
    let mine = x.app_tokens(&alice, &client_id, 7200);
    let theirs = x.more_tokens(&bob, &client_id);
    let t = Test::new().keychain();
    let t = t.policy(&policy(&alice, Via::Prism, &format!("client_id = \"{client_id}\"")));
    store_pair(&t, &alice, &mine, in_secs(7200));
    // An expired pair cannot be asked whose it is without renewing it first; renewing it
    // went through the keychain, which answered with the stored pair (alice's), so bob's
    // document used to pass the identity check and replace it.
    let expired = json!({
        "access_token": theirs.access_token,
        "refresh_token": theirs.refresh_token,
        "expires_at": in_secs(-60).to_string(),
    });
    t.cmd(["login", "xa", "--secret-stdin"])
        .stdin(expired.to_string())
        .status(code::CREDENTIAL)
        .stderr_has("nothing was stored")
        .run();
    // Alice's pair is still the one kept: the next post goes out as her, with no renewal.
    t.post("xa", "Toujours Alice").run();
    assert_eq!(live(&alice).len(), 1);
    assert_eq!(
        x.requests(&bob, "POST", "/2/oauth2/token"),
        0,
        "bob's refresh token unspent"
    );
}

#[test]
fn a_post_on_the_account_with_another_link_is_not_taken_for_ours() {
    let x = x_fake();
    let alice = x.user("link");
    let t = Test::new().policy(&policy(&alice, Via::Prism, FROM_ENV));
    // A colleague's post on x.com, the same words around a different link; X gives its
    // address back in `expanded_url`, so the two can be told apart.
    x.post_directly(&alice, "Inscriptions ouvertes : https://example.org/atelier-b", 30);
    x.fault(&alice, "unavailable", "POST", "/2/tweets", 1);
    t.post("xa", "Inscriptions ouvertes : https://example.org/atelier-a")
        .env("POSTGATE_SECRET_XA", &oauth2_env(&x.oauth2_tokens(&alice, None)))
        .stderr_has("the post is not among the account's posts, so postgate sends it again, once")
        .run();
    let posts = live(&alice);
    assert_eq!(posts.len(), 2, "{posts:?}");
    assert_eq!(x.requests(&alice, "POST", "/2/tweets"), 2);
    assert_eq!(last_outcome(&t)["id"], posts[1]["id"]);
}

/// An X account whose every request goes to `server`, a scripted loopback server that answers
/// as a careless or compromised X would; `/2/users/me` says the token is @hostile, id `me_id`,
/// and every post is answered 500, so each run goes on to read the account's posts.
fn hostile_x(server: &support::hostile::Hostile, me_id: &str) -> Test {
    let me = json!({ "data": { "id": me_id, "name": "H", "username": "hostile" } }).to_string();
    server.json("GET", "/2/users/me", 200, &me);
    server.json(
        "POST",
        "/2/tweets",
        500,
        r#"{"title":"Internal Error","detail":"Internal error","type":"about:blank","status":500}"#,
    );
    let url = server.url();
    let account = format!(
        "[[accounts]]\nname = \"xa\"\nhandle = \"@hostile\"\nplatform = \"x\"\nkind = \"official\"\n\
         display_name = \"Ministère\"\nowner = \"Tests\"\napi = \"{url}\"\noauth_api = \"{url}\"\n{FROM_ENV}"
    );
    Test::new()
        .policy(&with_audit(&[&account]))
        .env("POSTGATE_SECRET_XA", r#"{"access_token": "at-hostile"}"#)
}

fn listing(posts: Value) -> String {
    json!({ "data": posts, "meta": { "result_count": 1 } }).to_string()
}

#[test]
fn a_listed_post_without_a_time_is_not_taken_for_the_one_just_sent() {
    let server = support::hostile::Hostile::start();
    // A server that ignores start_time and leaves out created_at: this post may be years old.
    server.json(
        "GET",
        "/2/users/5/tweets",
        200,
        &listing(json!([{ "id": "99", "text": "Communiqué" }])),
    );
    let t = hostile_x(&server, "5");
    t.post("xa", "Communiqué")
        .status(code::INCOMPLETE)
        .stderr_has("cannot say whether it landed")
        .run();
    assert_eq!(server.hits("POST", "/2/tweets"), 1, "nothing sent again");
    assert_eq!(last_outcome(&t)["status"], "failed");
}

#[test]
fn ids_x_answers_with_are_checked_before_they_go_into_a_url_or_the_record() {
    let server = support::hostile::Hostile::start();
    // "5/../../../elsewhere" would take the listing to /elsewhere/tweets.
    let now = jiff::Timestamp::now().to_string();
    server.json(
        "GET",
        "/elsewhere/tweets",
        200,
        &listing(json!([{ "id": "99", "text": "Communiqué", "created_at": now }])),
    );
    let t = hostile_x(&server, "5/../../../elsewhere");
    t.post("xa", "Communiqué")
        .status(code::PLATFORM)
        .stderr_has("not one")
        .run();
    assert_eq!(server.hits("GET", "/elsewhere/tweets"), 0);
    assert_eq!(server.hits("POST", "/2/tweets"), 0, "refused at the identity check");
    // A listed post whose id is not an id is not recorded as the post.
    let server = support::hostile::Hostile::start();
    server.json(
        "GET",
        "/2/users/5/tweets",
        200,
        &listing(json!([{ "id": "99\u{1b}[2J", "text": "Communiqué", "created_at": now }])),
    );
    let t = hostile_x(&server, "5");
    t.post("xa", "Communiqué").status(code::INCOMPLETE).run();
    assert_eq!(last_outcome(&t)["status"], "failed");
}

#[test]
fn a_duplicate_after_a_lost_answer_does_not_say_nothing_was_published() {
    let server = support::hostile::Hostile::start();
    let t = hostile_x(&server, "5");
    // The first send lands but its answer is a 500; the account's posts do not show it yet
    // (X's timelines lag), so postgate sends again, and X calls that one a duplicate: of the
    // first, most likely. Saying "nothing was published" would invite a third copy.
    let sends = std::sync::atomic::AtomicUsize::new(0);
    server.on("POST", "/2/tweets", move |_| {
        if sends.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            Reply::Json(500, r#"{"title":"Internal Error","detail":"Internal error","type":"about:blank","status":500}"#.into())
        } else {
            Reply::Json(
                403,
                r#"{"title":"Forbidden","detail":"You are not allowed to create a Tweet with duplicate content.","type":"about:blank","status":403}"#.into(),
            )
        }
    });
    server.json("GET", "/2/users/5/tweets", 200, r#"{"meta":{"result_count":0}}"#);
    let out = t
        .post("xa", "Communiqué")
        .status(code::INCOMPLETE)
        .stderr_has("may be the post X means")
        .stderr_has("if the post is there, do not post it again")
        .run();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("nothing was published by this run"), "{stderr}");
    assert!(!stderr.contains("reword the post"), "{stderr}");
    assert_eq!(server.hits("POST", "/2/tweets"), 2);
}

#[test]
fn lockdown_does_not_call_a_pair_revoked_when_x_refused_to_revoke_its_refresh_token() {
    let server = support::hostile::Hostile::start();
    let url = server.url();
    // The access token has expired on its own, so X rejects it whatever became of the
    // revocation; only the refresh token's revocation says whether the pair is dead, and it
    // failed.
    server.json(
        "GET",
        "/2/users/me",
        401,
        r#"{"title":"Unauthorized","detail":"Unauthorized","type":"about:blank","status":401}"#,
    );
    server.json(
        "POST",
        "/2/oauth2/revoke",
        503,
        r#"{"error":"temporarily_unavailable"}"#,
    );
    let account = format!(
        "[[accounts]]\nname = \"xa\"\nhandle = \"@hostile\"\nplatform = \"x\"\nkind = \"official\"\n\
         display_name = \"Ministère\"\nowner = \"Tests\"\napi = \"{url}\"\noauth_api = \"{url}\"\n\
         client_id = \"app\"\n{FROM_ENV}"
    );
    let t = Test::new().policy(&with_audit(&[&account])).env(
        "POSTGATE_SECRET_XA",
        r#"{"access_token": "at-old", "refresh_token": "rt-live"}"#,
    );
    let out = t
        .cmd(["lockdown", "xa", "--reason", "jeton divulgué"])
        .status_any()
        .run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("access and refresh tokens revoked"), "{stdout}");
    assert!(stdout.contains("NOT REVOKED"), "{stdout}");
}

#[test]
fn a_browser_login_whose_token_needs_renewing_at_once_checks_that_token_not_the_stored_one() {
    let x = x_fake();
    let alice = x.user("brief");
    let bob = x.user("briefbob");
    let port = free_port();
    let client_id = format!("app-{}", alice.username);
    // The consent is bob's (signed in to X as the wrong account), and this app's access
    // tokens live 60 s: less than the renewal margin, so the fresh pair counts as stale.
    x.app_lasting(&bob, &client_id, &format!("http://127.0.0.1:{port}/callback"), 60);
    let mine = x.oauth2_tokens(&alice, None);
    let t = Test::new().keychain();
    let t = t.policy(&policy(
        &alice,
        Via::Prism,
        &format!("client_id = \"{client_id}\"\nredirect_port = {port}"),
    ));
    store_pair(&t, &alice, &mine, in_secs(7200));
    let mut child = t
        .command(BIN)
        .args(["login", "xa", "--no-browser"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("postgate login");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut seen = String::new();
    let address = loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).expect("stderr") > 0,
            "login printed no address: {seen}"
        );
        seen.push_str(&line);
        if let Some(url) = line.trim().strip_prefix("http") {
            break format!("http{url}");
        }
    };
    let _ = reqwest::blocking::get(&address).expect("follow the address");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).expect("stderr");
    let status = child.wait().expect("login ends");
    assert!(!status.success(), "bob's pair was stored for alice: {rest}");
    assert!(rest.contains("nothing was stored"), "{rest}");
    // Alice's pair is still the one kept.
    t.post("xa", "Toujours Alice").run();
    assert_eq!(live(&alice).len(), 1);
    assert!(live(&bob).is_empty());
}

#[test]
fn a_post_with_the_same_words_but_not_the_image_is_not_taken_for_ours() {
    let x = x_fake();
    let alice = x.user("media");
    let t = Test::new().policy(&policy(&alice, Via::Prism, FROM_ENV));
    let png = t.png("affiche.png");
    // The same words, posted without the poster a moment ago on x.com. (The fake, like X as
    // far as its docs say, then refuses the resend as a duplicate: ours cannot land, but the
    // other post must not be recorded as it.)
    let theirs = x.post_directly(&alice, "Le programme", 30);
    x.fault(&alice, "unavailable", "POST", "/2/tweets", 1);
    t.cmd([
        "post",
        "-a",
        "xa",
        "--confirm-handle",
        &format!("@{}", alice.username),
        "--image",
        &png,
        "--alt",
        "Affiche du festival",
        "Le programme",
    ])
    .env("POSTGATE_SECRET_XA", &oauth2_env(&x.oauth2_tokens(&alice, None)))
    .status(code::INCOMPLETE)
    .stderr_has("the post is not among the account's posts, so postgate sends it again, once")
    .run();
    let outcome = last_outcome(&t);
    assert_eq!(outcome["status"], "failed", "{outcome}");
    assert_ne!(outcome["id"], theirs.as_str());
    assert_eq!(x.requests(&alice, "POST", "/2/tweets"), 2);
}

// The pipeline hands the session the ids the audit log already records (`PostKey::recorded`),
// as its own search leaves them out: a post recorded as one run's is never another's.
#[test]
fn a_duplicate_of_a_post_postgate_already_recorded_is_not_recorded_again_as_new() {
    let x = x_fake();
    let alice = x.user("again");
    let t = Test::new().policy(&policy(&alice, Via::Prism, FROM_ENV));
    let env = oauth2_env(&x.oauth2_tokens(&alice, None));
    t.post("xa", "Communiqué du matin")
        .env("POSTGATE_SECRET_XA", &env)
        .run();
    let first = last_outcome(&t)["id"].clone();
    t.post("xa", "Communiqué du matin")
        .env("POSTGATE_SECRET_XA", &env)
        .status(code::CONTENT)
        .stderr_has("X refused the post as a duplicate of an earlier one")
        .run();
    let outcome = last_outcome(&t);
    assert!(
        outcome["status"] != "published" || outcome["id"] != first,
        "the post of the first run was recorded again as the second's: {outcome}"
    );
    assert_eq!(live(&alice).len(), 1);
}

// An access token that expired on its own gets a 401 too, and RFC 7009 lets the revocation
// endpoint answer 200 for a token it did not revoke (here: the policy's client_id is not the
// pair's app): lockdown then says REVOKE BY HAND rather than vouching for the refresh token.
#[test]
fn lockdown_of_a_pair_whose_access_token_expired_does_not_vouch_for_the_refresh_token() {
    let x = x_fake();
    let alice = x.user("lapsed");
    let client_id = format!("app-{}", alice.username);
    let tokens = x.app_tokens(&alice, &client_id, 60);
    x.advance_clock(&alice, 120);
    let t = Test::new().keychain();
    let t = t.policy(&policy(&alice, Via::Prism, "client_id = \"app-renamed\""));
    store_pair(&t, &alice, &tokens, in_secs(-60));
    let out = t
        .cmd(["lockdown", "xa", "--reason", "jeton divulgué"])
        .status_any()
        .run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("REVOKE BY HAND"), "{stdout}");
    let alive = x.refresh_status(&client_id, &tokens.refresh_token) == 200;
    assert!(
        !(alive && stdout.contains("access and refresh tokens revoked")),
        "lockdown called a live refresh token revoked: {stdout}"
    );
}
