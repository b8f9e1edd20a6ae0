//! Publishing to Bluesky, against the reference PDS (@atproto/pds) on loopback. One server per
//! test binary; a fresh account per test.

use crate::support;
use support::hostile::{Hostile, Reply};
use support::policy::FROM_ENV;
use support::{BlueskyUser, Test, bluesky_posts, bluesky_user, code, pds_url};

fn policy(user: &BlueskyUser, extra: &str) -> String {
    let account = support::policy::bluesky("bsky", &user.handle, pds_url());
    format!("{}{FROM_ENV}{extra}\n", support::policy::with_audit(&[&account]))
}

/// The JSON document postgate keeps in the keychain item, read with secret-tool.
fn keychain_item(t: &Test, user: &BlueskyUser) -> serde_json::Value {
    let host = pds_url().trim_start_matches("http://");
    let out = t
        .command("secret-tool")
        .args([
            "lookup",
            "service",
            "postgate",
            "username",
            &format!("bluesky:{host}:{}", user.handle),
        ])
        .output()
        .expect("secret-tool (from libsecret-tools)");
    serde_json::from_slice(&out.stdout).expect("the item is JSON")
}

#[test]
fn login_then_post_with_facets_language_and_a_pinnable_did() {
    let t = Test::new().keychain();
    let alice = bluesky_user("alice");
    let t = t.policy(&policy(&alice, "language = \"fr\""));
    t.cmd(["login", "bsky", "--secret-stdin"])
        .stdin(&alice.app_password)
        .stderr_has(&format!("pin it in the policy with did = \"{}\"", alice.did))
        .run();
    let text = "Résultats : https://www.interieur.gouv.fr #Elections2026";
    let out = t
        .cmd(["--json", "post", "-a", "bsky", "--confirm-handle", &alice.handle, text])
        .run();
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let posts = bluesky_posts(&alice);
    assert_eq!(posts.len(), 1);
    let record = &posts[0]["value"];
    assert_eq!(record["text"], text);
    assert_eq!(record["langs"], serde_json::json!(["fr"]));
    assert!(record["createdAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!(result["id"], posts[0]["uri"]);
    let rkey = posts[0]["uri"].as_str().unwrap().rsplit('/').next().unwrap();
    assert_eq!(
        result["url"],
        format!("https://bsky.app/profile/{}/post/{rkey}", alice.handle)
    );
    let facets = record["facets"].as_array().unwrap();
    assert_eq!(facets.len(), 2);
    let bytes = text.as_bytes();
    let span = |f: &serde_json::Value| {
        let (s, e) = (
            f["index"]["byteStart"].as_u64().unwrap() as usize,
            f["index"]["byteEnd"].as_u64().unwrap() as usize,
        );
        String::from_utf8(bytes[s..e].to_vec()).unwrap()
    };
    assert_eq!(span(&facets[0]), "https://www.interieur.gouv.fr");
    assert_eq!(span(&facets[1]), "#Elections2026");
}

#[test]
fn later_runs_renew_the_session_instead_of_logging_in() {
    let t = Test::new().keychain();
    let alice = bluesky_user("renew");
    let t = t.policy(&policy(&alice, ""));
    t.cmd(["login", "bsky", "--secret-stdin"])
        .stdin(&alice.app_password)
        .run();
    let first = keychain_item(&t, &alice);
    assert!(first["session"].is_string(), "login keeps the refresh token");
    t.post("bsky", "un").run();
    let second = keychain_item(&t, &alice);
    assert_ne!(
        first["session"], second["session"],
        "the refresh token was rotated and kept"
    );
    assert_eq!(
        first["created_at"], second["created_at"],
        "renewing a session does not reset the credential's age"
    );
    assert_eq!(first["secret"], second["secret"]);
    t.post("bsky", "deux").run();
    assert_eq!(bluesky_posts(&alice).len(), 2);
}

#[test]
fn a_main_password_gets_a_warning_about_app_passwords() {
    let t = Test::new().keychain();
    let alice = bluesky_user("mainpw");
    let t = t.policy(&policy(&alice, ""));
    t.cmd(["login", "bsky", "--secret-stdin"])
        .stdin(&alice.password)
        .stderr_has("warning: this does not look like a Bluesky app password (xxxx-xxxx-xxxx-xxxx)")
        .run();
}

#[test]
fn a_wrong_app_password_is_a_credential_error() {
    let t = Test::new().keychain();
    let alice = bluesky_user("wrongpw");
    let t = t.policy(&policy(&alice, ""));
    t.cmd(["login", "bsky", "--secret-stdin"])
        .stdin("aaaa-bbbb-cccc-dddd")
        .status(code::CREDENTIAL)
        .stderr_has("bluesky: logging in:")
        .stderr_has("App passwords")
        .run();
    t.cmd(["accounts"]).stdout_has("missing").run();
}

#[test]
fn a_pinned_did_must_match() {
    let t = Test::new();
    let alice = bluesky_user("pinned");
    let t = t.policy(&policy(&alice, "did = \"did:plc:aaaaaaaaaaaaaaaaaaaaaaaa\""));
    t.post("bsky", "x")
        .env("POSTGATE_SECRET_BSKY", &alice.app_password)
        .status(code::IDENTITY)
        .stderr_has(&format!(
            "the policy pins account `bsky` to id did:plc:aaaaaaaaaaaaaaaaaaaaaaaa, but bluesky says the credential belongs to id {}",
            alice.did
        ))
        .run();
    assert!(bluesky_posts(&alice).is_empty());
    assert_eq!(t.audit().last().unwrap()["outcome"]["exit_code"], code::IDENTITY);
}

#[test]
fn posts_over_300_graphemes_are_refused_locally() {
    let t = Test::new();
    let alice = bluesky_user("long");
    let t = t.policy(&policy(&alice, ""));
    t.cmd([
        "post",
        "-a",
        "bsky",
        "--confirm-handle",
        &alice.handle,
        &"é".repeat(301),
    ])
    .env("POSTGATE_SECRET_BSKY", &alice.app_password)
    .status(code::CONTENT)
    .stderr_has("301/300 characters: TOO LONG by 1")
    .run();
    assert!(bluesky_posts(&alice).is_empty());
}

#[test]
fn a_reply_points_at_its_parent_and_root() {
    let t = Test::new();
    let alice = bluesky_user("reply");
    let t = t.policy(&policy(&alice, ""));
    let first = t
        .cmd([
            "--json",
            "post",
            "-a",
            "bsky",
            "--confirm-handle",
            &alice.handle,
            "Annonce",
        ])
        .env("POSTGATE_SECRET_BSKY", &alice.app_password)
        .run();
    let first: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    let uri = first["id"].as_str().unwrap().to_string();
    t.cmd([
        "post",
        "-a",
        "bsky",
        "--confirm-handle",
        &alice.handle,
        "--reply-to",
        &uri,
        "Correctif : 18 h, pas 17 h.",
    ])
    .env("POSTGATE_SECRET_BSKY", &alice.app_password)
    .run();
    let posts = bluesky_posts(&alice);
    let reply = posts
        .iter()
        .find(|p| p["value"]["text"] == "Correctif : 18 h, pas 17 h.")
        .unwrap();
    assert_eq!(reply["value"]["reply"]["parent"]["uri"], uri);
    assert_eq!(reply["value"]["reply"]["root"]["uri"], uri);
}

#[test]
fn correct_is_a_reply_and_delete_removes_the_record() {
    let t = Test::new();
    let alice = bluesky_user("fix");
    let t = t.policy(&policy(
        &alice,
        "allow_delete = true\nweb_host = \"social.example.org\"",
    ));
    let out = t
        .cmd([
            "--json",
            "post",
            "-a",
            "bsky",
            "--confirm-handle",
            &alice.handle,
            "Ouverture à 17 h",
        ])
        .env("POSTGATE_SECRET_BSKY", &alice.app_password)
        .run();
    let posted: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let uri = posted["id"].as_str().unwrap().to_string();
    assert!(
        posted["url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("https://social.example.org/profile/{}/post/", alice.handle))
    );

    t.cmd([
        "correct",
        "bsky",
        &uri,
        "--confirm-handle",
        &alice.handle,
        "Correctif : 18 h",
    ])
    .env("POSTGATE_SECRET_BSKY", &alice.app_password)
    .run();
    let posts = bluesky_posts(&alice);
    assert_eq!(posts.len(), 2, "the original stays and the correction replies to it");
    let fix = posts.iter().find(|p| p["value"]["text"] == "Correctif : 18 h").unwrap();
    assert_eq!(fix["value"]["reply"]["parent"]["uri"], uri);

    t.cmd([
        "delete",
        "bsky",
        &uri,
        "--reason",
        "erreur d'horaire",
        "--confirm-handle",
        &alice.handle,
    ])
    .env("POSTGATE_SECRET_BSKY", &alice.app_password)
    .run();
    let posts = bluesky_posts(&alice);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["value"]["text"], "Correctif : 18 h");

    // Deleting it again is not reported as done.
    t.cmd([
        "delete",
        "bsky",
        &uri,
        "--reason",
        "doublon",
        "--confirm-handle",
        &alice.handle,
    ])
    .env("POSTGATE_SECRET_BSKY", &alice.app_password)
    .status(code::PLATFORM)
    .stderr_has("there is no post")
    .run();

    // A reference into someone else's repo never deletes our record with the same key.
    let fix_uri = posts[0]["uri"].as_str().unwrap();
    let rkey = fix_uri.rsplit('/').next().unwrap();
    let foreign = format!("at://{}/app.bsky.feed.post/{rkey}", bluesky_user("other").did);
    t.cmd([
        "delete",
        "bsky",
        &foreign,
        "--reason",
        "mauvais compte",
        "--confirm-handle",
        &alice.handle,
    ])
    .env("POSTGATE_SECRET_BSKY", &alice.app_password)
    .status(code::USAGE)
    .stderr_has("not to this account")
    .run();
    assert_eq!(
        bluesky_posts(&alice).len(),
        1,
        "our post with that record key is still there"
    );
}

#[test]
fn posts_over_3000_bytes_are_refused_locally() {
    let t = Test::new();
    let alice = bluesky_user("bytes");
    let t = t.policy(&policy(&alice, ""));
    // 250 graphemes, each a family emoji of 25 bytes: under the grapheme limit, over the bytes.
    let text = "👨‍👩‍👧‍👦".repeat(250);
    t.post("bsky", &text)
        .env("POSTGATE_SECRET_BSKY", &alice.app_password)
        .status(code::CONTENT)
        .stderr_has("bytes; bluesky allows 3000")
        .run();
    assert!(bluesky_posts(&alice).is_empty());
}

#[test]
fn another_accounts_credential_under_this_name_is_refused() {
    // The keychain item of account A holds account B's app password and session, as if someone
    // had copied the wrong item. The session renews fine, but it is B's: nothing is posted.
    let t = Test::new().keychain();
    let alice = bluesky_user("victim");
    let bob = bluesky_user("intruder");
    let two = format!(
        "{}\n[[accounts]]\nname = \"bob\"\nhandle = \"{}\"\nplatform = \"bluesky\"\nservice = \"{}\"\nkind = \"personal\"\ndisplay_name = \"Bob\"\nowner = \"Bob\"\n",
        policy(&alice, ""),
        bob.handle,
        pds_url()
    );
    let t = t.policy(&two);
    t.cmd(["login", "bob", "--secret-stdin"]).stdin(&bob.app_password).run();
    let bob_item = keychain_item(&t, &bob);
    let host = pds_url().trim_start_matches("http://");
    let mut store = t
        .command("secret-tool")
        .args([
            "store",
            "--label",
            "copied",
            "service",
            "postgate",
            "username",
            &format!("bluesky:{host}:{}", alice.handle),
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("secret-tool");
    use std::io::Write;
    store
        .stdin
        .take()
        .unwrap()
        .write_all(bob_item.to_string().as_bytes())
        .unwrap();
    assert!(store.wait().unwrap().success());

    t.post("bsky", "Message officiel")
        .status(code::IDENTITY)
        .stderr_has(&format!("but bluesky says the credential belongs to {}", bob.handle))
        .run();
    assert!(bluesky_posts(&alice).is_empty());
    assert!(bluesky_posts(&bob).is_empty());
}

#[test]
fn images_are_embedded_with_their_description() {
    let t = Test::new();
    let alice = bluesky_user("image");
    let t = t.policy(&policy(&alice, ""));
    let png = t.png("carte.png");
    t.cmd([
        "post",
        "-a",
        "bsky",
        "--confirm-handle",
        &alice.handle,
        "--image",
        &png,
        "--alt",
        "Carte des bureaux de vote",
        "La carte",
    ])
    .env("POSTGATE_SECRET_BSKY", &alice.app_password)
    .run();
    let posts = bluesky_posts(&alice);
    let embed = &posts[0]["value"]["embed"];
    assert_eq!(embed["$type"], "app.bsky.embed.images");
    assert_eq!(embed["images"][0]["alt"], "Carte des bureaux de vote");
    assert_eq!(embed["images"][0]["image"]["mimeType"], "image/png");
}

#[test]
fn mentions_resolve_to_dids() {
    let t = Test::new();
    let alice = bluesky_user("mention");
    let bob = bluesky_user("mentioned");
    let t = t.policy(&policy(&alice, ""));
    let text = format!("Merci @{} pour le relais !", bob.handle);
    t.post("bsky", &text)
        .env("POSTGATE_SECRET_BSKY", &alice.app_password)
        .run();
    let facets = bluesky_posts(&alice)[0]["value"]["facets"].as_array().unwrap().clone();
    assert_eq!(facets.len(), 1);
    assert_eq!(facets[0]["features"][0]["$type"], "app.bsky.richtext.facet#mention");
    assert_eq!(facets[0]["features"][0]["did"], bob.did);
    let start = facets[0]["index"]["byteStart"].as_u64().unwrap() as usize;
    let end = facets[0]["index"]["byteEnd"].as_u64().unwrap() as usize;
    assert_eq!(&text[start..end], format!("@{}", bob.handle));
}

#[test]
fn delete_and_repost_when_the_policy_chooses_it() {
    let alice = bluesky_user("repost");
    let t = Test::new().policy(&policy(
        &alice,
        "correction = \"delete-and-repost\"\nallow_delete = true",
    ));
    let out = t
        .cmd([
            "--json",
            "post",
            "-a",
            "bsky",
            "--confirm-handle",
            &alice.handle,
            "Ouverture à 17 h",
        ])
        .env("POSTGATE_SECRET_BSKY", &alice.app_password)
        .run();
    let uri = serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    t.cmd([
        "correct",
        "bsky",
        &uri,
        "--confirm-handle",
        &alice.handle,
        "Ouverture à 18 h",
    ])
    .env("POSTGATE_SECRET_BSKY", &alice.app_password)
    .run();
    let posts = bluesky_posts(&alice);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["value"]["text"], "Ouverture à 18 h");
    assert!(posts[0]["value"]["reply"].is_null());
}

#[test]
fn delete_and_repost_is_held_by_allow_delete() {
    let alice = bluesky_user("norepost");
    // Official accounts do not allow deleting by default; a correction that deletes is a delete.
    let t = Test::new().policy(&policy(&alice, "correction = \"delete-and-repost\""));
    let out = t
        .cmd([
            "--json",
            "post",
            "-a",
            "bsky",
            "--confirm-handle",
            &alice.handle,
            "Ouverture à 17 h",
        ])
        .env("POSTGATE_SECRET_BSKY", &alice.app_password)
        .run();
    let uri = serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    t.cmd([
        "correct",
        "bsky",
        &uri,
        "--confirm-handle",
        &alice.handle,
        "Ouverture à 18 h",
    ])
    .env("POSTGATE_SECRET_BSKY", &alice.app_password)
    .status(code::CONTENT)
    .stderr_has("allow_delete = false")
    .run();
    let posts = bluesky_posts(&alice);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["value"]["text"], "Ouverture à 17 h");
    assert_eq!(t.audit().last().unwrap()["event"], "refused");
}

#[test]
fn a_queue_item_killed_after_publishing_is_not_posted_again() {
    let t = Test::new();
    let alice = bluesky_user("queue");
    let t = t.policy(&policy(&alice, ""));
    t.write(
        "queue/annonce.md",
        // Due an hour ago: an item expires a week after its publish_at.
        &format!(
            "+++\naccount = \"bsky\"\npublish_at = {}\n+++\nLa médiathèque ouvre dimanche.\n",
            (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1))
                .round(jiff::Unit::Second)
                .unwrap()
        ),
    );
    let run = || {
        t.cmd(["queue", "publish", "queue", "--due", "--confirm-handle", &alice.handle])
            .env("POSTGATE_SECRET_BSKY", &alice.app_password)
    };
    run().env("POSTGATE_FAULT", "kill-after-publish").status_signal().run();
    let posts = bluesky_posts(&alice);
    assert_eq!(posts.len(), 1);
    assert_eq!(t.audit().last().unwrap()["event"], "intent");

    // The record key comes from the plan hash, so the re-run collides with the first record
    // and finds it instead of creating a second.
    run().stderr_has("1 published, 0 already published").run();
    let posts = bluesky_posts(&alice);
    assert_eq!(posts.len(), 1);
    let last = t.audit().last().unwrap().clone();
    assert_eq!(last["outcome"]["status"], "published");
    assert_eq!(last["outcome"]["id"], posts[0]["uri"]);
    run().stderr_has("0 published, 1 already published").run();
    assert_eq!(bluesky_posts(&alice).len(), 1);
}

/// A queue item's image that is a link to the runner's environment, or over Bluesky's image
/// size, is refused before any upload: the account's repository holds no blob afterwards.
#[test]
fn queue_images_that_must_not_be_read_upload_no_blob() {
    let t = Test::new();
    let alice = bluesky_user("qimage");
    let t = t.policy(&policy(&alice, ""));
    std::fs::create_dir_all(t.path().join("queue")).unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", t.path().join("queue/leak.png")).unwrap();
    let mut big = support::PNG.to_vec();
    big.resize(1_000_001, 0);
    std::fs::write(t.path().join("queue/big.png"), big).unwrap();
    for (name, image) in [("a.md", "leak.png"), ("b.md", "big.png")] {
        t.write(
            &format!("queue/{name}"),
            &format!("+++\naccount = \"bsky\"\n[[images]]\npath = \"{image}\"\nalt = \"Carte\"\n+++\nLa carte\n"),
        );
    }
    t.cmd(["queue", "check", "queue"])
        .status(code::USAGE)
        .stderr_has("queue/a.md:4:8 error image `leak.png` is a symbolic link")
        .stderr_has("queue/b.md:4:8 error image `big.png` is 1000001 bytes; bluesky takes at most 1000000")
        .run();
    t.cmd(["queue", "publish", "queue", "--due", "--confirm-handle", &alice.handle])
        .env("POSTGATE_SECRET_BSKY", &alice.app_password)
        .status(code::USAGE)
        .stderr_has("0 published")
        .run();
    assert!(bluesky_posts(&alice).is_empty());
    let blobs: serde_json::Value = reqwest::blocking::get(format!(
        "{}/xrpc/com.atproto.sync.listBlobs?did={}",
        pds_url(),
        alice.did
    ))
    .and_then(|r| r.error_for_status())
    .and_then(|r| r.json())
    .unwrap();
    assert_eq!(blobs["cids"], serde_json::json!([]), "{blobs}");
}

#[test]
fn a_session_answer_over_its_cap_is_a_platform_error_and_nothing_is_written() {
    let server = Hostile::start();
    server.on("POST", "/xrpc/com.atproto.server.createSession", |_| Reply::Huge {
        status: 200,
        prefix: r#"{"did":"did:plc:x","handle":"mairie.example.org","refreshJwt":"r","accessJwt":""#.into(),
        fill: b'j',
        len: 64 * 1024 * 1024,
        suffix: r#""}"#.into(),
    });
    let t = Test::new()
        .policy(&support::policy::with_audit(&[&(support::policy::bluesky(
            "bsky",
            "mairie.example.org",
            &server.url(),
        ) + FROM_ENV)]))
        .env("POSTGATE_SECRET_BSKY", "abcd-efgh-ijkl-mnop");
    let out = t
        .post("bsky", "Bonjour")
        .status(code::PLATFORM)
        .stderr_has("bluesky: logging in: the answer is larger than 64 KiB (the cap for an identity)")
        .run();
    assert!(out.stdout.len() + out.stderr.len() < 16 * 1024);
    assert_eq!(server.hits("POST", "/xrpc/com.atproto.repo.createRecord"), 0);
}

#[test]
fn a_post_killed_after_publishing_is_not_posted_twice() {
    let t = Test::new();
    let alice = bluesky_user("killp");
    let t = t.policy(&policy(&alice, ""));
    let post = || {
        t.post("bsky", "Une seule fois")
            .env("POSTGATE_SECRET_BSKY", &alice.app_password)
    };
    post().env("POSTGATE_FAULT", "kill-after-publish").status_signal().run();
    assert_eq!(bluesky_posts(&alice).len(), 1);
    // The same record key: the re-run finds the record instead of writing a second.
    post()
        .stderr_has("an earlier run of this post (audit record #1, ")
        .run();
    let posts = bluesky_posts(&alice);
    assert_eq!(posts.len(), 1);
    assert_eq!(t.audit().last().unwrap()["outcome"]["id"], posts[0]["uri"]);
}
