//! Publishing to a Facebook Page, against postgate's stateful Graph API fake (`fakes/`). One
//! fake per test binary; fresh Pages per test.

use crate::support;
use serde_json::Value;
use support::facebook::FbPage;
use support::policy::{FROM_ENV, with_audit};
use support::{Test, code, facebook_fake};

const ENV: &str = "POSTGATE_SECRET_FB";

fn account(page: &FbPage, extra: &str) -> String {
    format!(
        "[[accounts]]\nname = \"fb\"\nhandle = \"@{}\"\nplatform = \"facebook\"\nkind = \"official\"\n\
         display_name = \"Ministère\"\nowner = \"Tests\"\npage_id = \"{}\"\napi = \"{}\"\n{extra}\n",
        page.username,
        page.id,
        facebook_fake().url()
    )
}

fn policy(page: &FbPage, extra: &str) -> String {
    with_audit(&[&account(page, extra)])
}

fn last_outcome(t: &Test) -> Value {
    t.audit().last().expect("an audit record")["outcome"].clone()
}

fn feed(page: &FbPage) -> String {
    format!("/{}/feed", page.id)
}

/// Posts `text` with the token from the environment; the id postgate recorded.
fn post_one(t: &Test, token: &str, text: &str) -> String {
    t.post("fb", text).env(ENV, token).run();
    last_outcome(t)["id"].as_str().expect("an id").to_string()
}

#[test]
fn login_refuses_another_pages_token_and_a_persons_and_stores_the_pages() {
    let fb = facebook_fake();
    let page = fb.page("Culture");
    let other = fb.page("Autre");
    let t = Test::new().keychain();
    let t = t.policy(&policy(&page, ""));
    t.cmd(["login", "fb", "--secret-stdin"])
        .stdin(fb.page_token(&other))
        .status(code::IDENTITY)
        .stderr_has(&format!(
            "the policy says account `fb` is @{}, but facebook says the credential belongs to @{}",
            page.username, other.username
        ))
        .stderr_has("nothing was stored")
        .run();
    t.cmd(["login", "fb", "--secret-stdin"])
        .stdin(fb.user_token())
        .status(code::IDENTITY)
        .stderr_has("a person's access token, not the Page's")
        .run();
    t.cmd(["accounts"]).stdout_has("missing").run();
    assert!(
        !t.audit().iter().any(|r| r["outcome"]["change"] == "stored"),
        "nothing was stored"
    );
    t.cmd(["login", "fb", "--secret-stdin"])
        .stdin(fb.page_token(&page))
        .run();
    assert_eq!(last_outcome(&t)["change"], "stored");
    t.post("fb", "Bonjour depuis postgate").run();
    assert_eq!(fb.live(&page).len(), 1);
}

#[test]
fn a_post_checks_the_page_then_lands_once_and_is_recorded() {
    let fb = facebook_fake();
    let page = fb.page("Post");
    let t = Test::new().policy(&policy(&page, FROM_ENV));
    let token = fb.page_token(&page);
    let id = post_one(&t, &token, "Ouverture du musée à 9h");
    let posts = fb.live(&page);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["id"], id.as_str());
    assert_eq!(posts[0]["message"], "Ouverture du musée à 9h");
    let outcome = last_outcome(&t);
    assert_eq!(outcome["status"], "published");
    let post = id.split_once('_').expect("PAGE_POST").1;
    assert_eq!(
        outcome["url"],
        format!("https://www.facebook.com/{}/posts/{post}", page.id)
    );
    assert_eq!(fb.requests(&page, "GET", "/me"), 1, "the identity was checked");
    // Another Page's token never posts here: refused before anything is sent.
    let other = fb.page("Other");
    t.post("fb", "Message officiel")
        .env(ENV, &fb.page_token(&other))
        .status(code::IDENTITY)
        .run();
    assert_eq!(fb.requests(&other, "POST", &feed(&page)), 0);
    assert_eq!(fb.live(&page).len(), 1);
    assert_eq!(last_outcome(&t)["status"], "refused");
}

#[test]
fn an_image_goes_with_its_description_in_alt_text_custom() {
    let fb = facebook_fake();
    let page = fb.page("Image");
    let t = Test::new().policy(&policy(&page, FROM_ENV));
    let png = t.png("affiche.png");
    t.cmd([
        "post",
        "-a",
        "fb",
        "--confirm-handle",
        &format!("@{}", page.username),
        "--image",
        &png,
        "--alt",
        "Affiche du festival",
        "Le programme",
    ])
    .env(ENV, &fb.page_token(&page))
    .run();
    let posts = fb.live(&page);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["message"], "Le programme");
    assert_eq!(
        posts[0]["alt_texts"],
        serde_json::json!(["Affiche du festival"]),
        "{}",
        posts[0]
    );
    assert_eq!(last_outcome(&t)["id"], posts[0]["id"]);
}

#[test]
fn a_lost_answer_after_the_post_was_made_ends_with_exactly_one_post() {
    let fb = facebook_fake();
    let page = fb.page("Lost");
    let t = Test::new().policy(&policy(&page, FROM_ENV));
    fb.fault(&page, "drop_after_commit", "POST", &feed(&page), 1);
    t.post("fb", "Une seule fois")
        .env(ENV, &fb.page_token(&page))
        .stderr_has("and the post is on the Page")
        .run();
    let posts = fb.live(&page);
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(fb.requests(&page, "POST", &feed(&page)), 1, "nothing sent again");
    let outcome = last_outcome(&t);
    assert_eq!(outcome["status"], "published");
    assert_eq!(outcome["id"], posts[0]["id"]);
}

#[test]
fn a_500_code_2_after_the_post_was_made_ends_with_exactly_one_post() {
    let fb = facebook_fake();
    let page = fb.page("Err500");
    let t = Test::new().policy(&policy(&page, FROM_ENV));
    fb.fault(&page, "error_after_commit", "POST", &feed(&page), 1);
    t.post("fb", "Malgré l'erreur 500")
        .env(ENV, &fb.page_token(&page))
        .stderr_has("500 An unexpected error has occurred")
        .stderr_has("code 2")
        .stderr_has("and the post is on the Page")
        .run();
    let posts = fb.live(&page);
    assert_eq!(posts.len(), 1);
    assert_eq!(fb.requests(&page, "POST", &feed(&page)), 1);
    let outcome = last_outcome(&t);
    assert_eq!(outcome["status"], "published");
    assert_eq!(outcome["id"], posts[0]["id"]);
}

#[test]
fn a_503_before_anything_was_made_is_sent_again_once_and_lands_once() {
    let fb = facebook_fake();
    let page = fb.page("Err503");
    let t = Test::new().policy(&policy(&page, FROM_ENV));
    fb.fault(&page, "unavailable", "POST", &feed(&page), 1);
    t.post("fb", "Après une 503")
        .env(ENV, &fb.page_token(&page))
        .stderr_has("the post is not among the Page's posts, so postgate sends it again, once")
        .run();
    assert_eq!(fb.live(&page).len(), 1);
    assert_eq!(fb.requests(&page, "POST", &feed(&page)), 2);
    assert_eq!(last_outcome(&t)["status"], "published");
}

#[test]
fn throttling_is_waited_out_and_a_usage_near_the_limit_is_warned() {
    let fb = facebook_fake();
    let page = fb.page("Throttle");
    let t = Test::new().policy(&policy(&page, FROM_ENV));
    fb.fault(&page, "throttled", "POST", &feed(&page), 1);
    fb.usage(&page, 93);
    t.post("fb", "Malgré la limite")
        .env(ENV, &fb.page_token(&page))
        .env("POSTGATE_FACEBOOK_BACKOFF_MS", "1")
        .stderr_has("(#32) Page request limit reached")
        .stderr_has("Meta applied nothing, so postgate sends it again")
        .stderr_has("93% of a rate limit is used (x-business-use-case-usage)")
        .run();
    assert_eq!(fb.live(&page).len(), 1);
    assert_eq!(fb.requests(&page, "POST", &feed(&page)), 2);
}

#[test]
fn a_repeat_meta_calls_a_duplicate_is_settled_by_the_pages_own_posts() {
    let fb = facebook_fake();
    let page = fb.page("Dup");
    let t = Test::new().policy(&policy(&page, FROM_ENV));
    // The same text, posted on facebook.com a minute ago: Meta answers 506, and the post
    // it means is on the Page, so this run records that one and sends nothing more.
    let direct = fb.post_directly(&page, "Communiqué", 60);
    t.post("fb", "Communiqué")
        .env(ENV, &fb.page_token(&page))
        .stderr_has("error 506")
        .run();
    assert_eq!(fb.live(&page).len(), 1);
    assert_eq!(last_outcome(&t)["id"], direct.as_str());
}

#[test]
fn a_revoked_token_is_a_credential_problem_with_the_fix() {
    let fb = facebook_fake();
    let page = fb.page("Expired");
    let t = Test::new().policy(&policy(&page, FROM_ENV));
    let token = fb.page_token(&page);
    reqwest::blocking::Client::new()
        .post(format!("{}/_fake/tokens/revoke", fb.url()))
        .json(&serde_json::json!({ "access_token": token }))
        .send()
        .expect("revoke at the fake");
    t.post("fb", "Message")
        .env(ENV, &token)
        .status(code::CREDENTIAL)
        .stderr_has("code 190")
        .stderr_has("postgate login fb")
        .run();
    assert!(fb.live(&page).is_empty());
}

#[test]
fn a_correction_edits_the_message_and_keeps_its_history() {
    let fb = facebook_fake();
    let page = fb.page("Edit");
    let t = Test::new().policy(&policy(&page, FROM_ENV));
    let token = fb.page_token(&page);
    let id = post_one(&t, &token, "Ouverture à 9h");
    let post = id.split_once('_').expect("PAGE_POST").1.to_string();
    t.cmd([
        "correct",
        "fb",
        &format!("https://www.facebook.com/{}/posts/{post}", page.id),
        "--confirm-handle",
        &format!("@{}", page.username),
        "Ouverture à 10h",
    ])
    .env(ENV, &token)
    .run();
    let posts = fb.live(&page);
    assert_eq!(posts.len(), 1, "an edit, not a new post");
    assert_eq!(posts[0]["message"], "Ouverture à 10h");
    assert_eq!(posts[0]["history"], serde_json::json!(["Ouverture à 9h"]));
    assert_eq!(last_outcome(&t)["id"], id.as_str());
    // A post of another Page is refused before anything is sent.
    t.cmd([
        "correct",
        "fb",
        "123_456",
        "--confirm-handle",
        &format!("@{}", page.username),
        "Ouverture à 11h",
    ])
    .env(ENV, &token)
    .status(code::IDENTITY)
    .stderr_has("is not a post of the Page")
    .run();
    assert_eq!(fb.live(&page)[0]["message"], "Ouverture à 10h");
}

#[test]
fn a_delete_needs_allow_delete() {
    let fb = facebook_fake();
    let page = fb.page("Delete");
    let t = Test::new().policy(&policy(&page, FROM_ENV));
    let token = fb.page_token(&page);
    let id = post_one(&t, &token, "À supprimer");
    let handle = format!("@{}", page.username);
    t.cmd(["delete", "fb", &id, "--reason", "doublon", "--confirm-handle", &handle])
        .env(ENV, &token)
        .status(code::CONTENT)
        .stderr_has("allow_delete")
        .run();
    assert_eq!(fb.live(&page).len(), 1);
    assert_eq!(fb.requests(&page, "DELETE", &format!("/{id}")), 0);
    let t = t.policy(&policy(&page, &format!("{FROM_ENV}allow_delete = true")));
    t.cmd(["delete", "fb", &id, "--reason", "doublon", "--confirm-handle", &handle])
        .env(ENV, &token)
        .run();
    assert!(fb.live(&page).is_empty());
    assert_eq!(last_outcome(&t)["status"], "deleted");
}

#[test]
fn lockdown_says_revoke_by_hand_and_where_locks_and_refuses_the_next_post() {
    let fb = facebook_fake();
    let page = fb.page("Lock");
    let token = fb.page_token(&page);
    let t = Test::new().keychain();
    let t = t.policy(&policy(&page, ""));
    t.cmd(["login", "fb", "--secret-stdin"]).stdin(token.clone()).run();
    t.post("fb", "Avant l'incident").run();
    t.cmd(["lockdown", "fb", "--reason", "jeton divulgué"])
        .stdout_has("REVOKE BY HAND")
        .stdout_has("Meta still accepts the Page token")
        .stderr_has("Business integrations")
        .stderr_has("Business settings")
        .run();
    assert_eq!(
        fb.requests(&page, "DELETE", "/me/permissions"),
        1,
        "what the API allows was tried"
    );
    assert_eq!(
        fb.token_status(&token),
        "valid",
        "the fake, like Meta, keeps the Page token alive"
    );
    let record = t
        .audit()
        .into_iter()
        .find(|r| r["event"] == "lockdown")
        .expect("a lockdown record");
    assert!(
        record["outcome"]["revocation"]
            .as_str()
            .is_some_and(|r| r.contains("REVOKE BY HAND")),
        "{record}"
    );
    t.post("fb", "Après l'incident").status(code::LOCKED_DOWN).run();
    assert_eq!(fb.live(&page).len(), 1);
}

#[test]
fn reconcile_finds_a_post_made_straight_on_the_page() {
    let fb = facebook_fake();
    let page = fb.page("Recon");
    let t = Test::new().policy(&policy(&page, FROM_ENV));
    let token = fb.page_token(&page);
    post_one(&t, &token, "Publié par postgate");
    let foreign = fb.post_directly(&page, "Publié sur facebook.com", 10);
    t.cmd(["reconcile", "fb", "--since", "1h"])
        .env(ENV, &token)
        .status(code::FOREIGN_POSTS)
        .stdout_has(&foreign)
        .stdout_has("Publié sur facebook.com")
        .run();
    let found: Vec<_> = t.audit().into_iter().filter(|r| r["event"] == "foreign").collect();
    assert_eq!(found.len(), 1, "only the post postgate did not make");
    assert_eq!(found[0]["outcome"]["id"], foreign.as_str());
}

#[test]
fn facebook_keys_are_checked_where_they_are_written() {
    let fb = facebook_fake();
    let page = fb.page("Keys");
    let bad = FbPage {
        id: "not-a-number".into(),
        username: page.username.clone(),
    };
    let t = Test::new().policy(&policy(&bad, "graph_version = \"25\"\n"));
    t.cmd(["policy", "check"])
        .status(code::BAD_POLICY)
        .stderr_has("`page_id` must be the Page's numeric id")
        .stderr_has("`graph_version` must be a Graph API version")
        .run();
    let missing = with_audit(&[&format!(
        "[[accounts]]\nname = \"fb\"\nhandle = \"@{}\"\nplatform = \"facebook\"\nkind = \"official\"\n\
         display_name = \"Ministère\"\nowner = \"Tests\"\n",
        page.username
    )]);
    let t = t.policy(&missing);
    t.cmd(["policy", "check"])
        .status(code::BAD_POLICY)
        .stderr_has("missing field `page_id` for facebook account `fb`")
        .run();
    let t = t.policy(&policy(&page, ""));
    t.cmd(["policy", "check"]).run();
}

const ALL: &[&str] = &["pages_manage_posts", "pages_read_engagement", "pages_show_list"];

#[test]
fn debug_token_checks_the_page_token_type_page_and_permission_and_warns_of_its_expiry() {
    let fb = facebook_fake();
    let page = fb.page("Debug");
    let t = Test::new().keychain();
    let t = t.policy(&policy(&page, "debug_token = true\n"));
    // The app token goes in first, checked on its own: no Page token is stored yet.
    t.cmd(["login", "fb", "--app-bearer", "--secret-stdin"])
        .stdin(fb.app_token())
        .stderr_has("debug_token calls it a valid app token")
        .run();
    assert_eq!(last_outcome(&t)["change"], "stored app-token");
    // A Page token without pages_manage_posts, and a person's token, are refused.
    t.cmd(["login", "fb", "--secret-stdin"])
        .stdin(fb.page_token_with(&page, &["pages_read_engagement"], None))
        .status(code::CREDENTIAL)
        .stderr_has("lacks the pages_manage_posts permission")
        .run();
    t.cmd(["login", "fb", "--secret-stdin"])
        .stdin(fb.user_token())
        .status(code::IDENTITY)
        .stderr_has("is a USER token, not a Page token")
        .run();
    t.cmd(["accounts"]).stdout_has("missing").run();
    // A Page token that ends in three days is stored, and every run warns of its end.
    t.cmd(["login", "fb", "--secret-stdin"])
        .stdin(fb.page_token_with(&page, ALL, Some(3 * 24 * 3600)))
        .stderr_has("expires at")
        .run();
    assert_eq!(last_outcome(&t)["change"], "stored");
    // Stored with its end, so the pipeline warns too, as for every credential with one.
    t.post("fb", "Avec debug_token")
        .stderr_has("warning: the Page token of `fb` expires at")
        .stderr_has("warning: the credential of `fb` expires at")
        .run();
    assert_eq!(fb.live(&page).len(), 1);
    assert_eq!(last_outcome(&t)["status"], "published");
    // One that has ended is refused, and nothing is stored.
    t.cmd(["login", "fb", "--secret-stdin"])
        .stdin(fb.page_token_with(&page, ALL, Some(-60)))
        .status(code::CREDENTIAL)
        .stderr_has("is no longer valid")
        .run();
    // The stored token is still the one that works.
    t.post("fb", "Toujours avec le bon jeton").run();
    assert_eq!(fb.live(&page).len(), 2);
}

#[test]
fn whoami_shows_the_page_the_token_belongs_to() {
    let fb = facebook_fake();
    let page = fb.page("Whoami");
    let t = Test::new().policy(&policy(&page, FROM_ENV));
    t.cmd(["whoami", "fb"])
        .env(ENV, &fb.page_token(&page))
        .stdout_has(&format!("@{}", page.username))
        .stdout_has(&page.id)
        .run();
}

#[test]
fn several_images_go_up_unpublished_then_in_one_post() {
    let fb = facebook_fake();
    let page = fb.page("Images");
    let t = Test::new().policy(&policy(&page, FROM_ENV));
    let one = t.png("un.png");
    let two = t.png("deux.png");
    t.cmd([
        "post",
        "-a",
        "fb",
        "--confirm-handle",
        &format!("@{}", page.username),
        "--image",
        &one,
        "--alt",
        "Première affiche",
        "--image",
        &two,
        "--alt",
        "Seconde affiche",
        "Deux affiches",
    ])
    .env(ENV, &fb.page_token(&page))
    .run();
    let posts = fb.live(&page);
    assert_eq!(posts.len(), 1, "one post, not one per image");
    assert_eq!(
        posts[0]["alt_texts"],
        serde_json::json!(["Première affiche", "Seconde affiche"])
    );
    assert_eq!(fb.requests(&page, "POST", &format!("/{}/photos", page.id)), 2);
}

#[test]
fn debug_token_without_an_app_token_refuses_before_anything_is_sent() {
    let fb = facebook_fake();
    let page = fb.page("NoApp");
    let t = Test::new().keychain();
    let t = t.policy(&policy(&page, "debug_token = true\n"));
    t.cmd(["login", "fb", "--secret-stdin"])
        .stdin(fb.page_token(&page))
        .status(code::CREDENTIAL)
        .stderr_has("holds no app token")
        .stderr_has("postgate login fb --app-bearer")
        .run();
    assert_eq!(
        fb.requests(&page, "GET", "/me"),
        0,
        "refused before asking Meta anything"
    );
    t.cmd(["accounts"]).stdout_has("missing").run();
}

#[test]
fn login_through_the_app_exchanges_a_persons_token_for_the_pinned_pages_own() {
    let fb = facebook_fake();
    let page = fb.page("Exchange");
    let other = fb.page("Elsewhere");
    let (app_id, secret) = fb.app();
    let t = Test::new().keychain();
    let t = t.policy(&policy(&page, &format!("app_id = \"{app_id}\"\n")));
    // Someone who manages only another Page: refused, with the Pages they do manage.
    let out = t
        .cmd(["login", "fb", "--secret-stdin"])
        .stdin(format!("{secret}\n{}\n", fb.manager_token(&other, &["CREATE_CONTENT"])))
        .status(code::IDENTITY)
        .stderr_has(&format!("does not manage the Page {}", page.id))
        .stderr_has(&other.id)
        .run();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains(&secret),
        "the app secret was shown"
    );
    // Someone who may not create content on it: refused too.
    t.cmd(["login", "fb", "--secret-stdin"])
        .stdin(format!("{secret}\n{}\n", fb.manager_token(&page, &["ANALYZE"])))
        .status(code::CREDENTIAL)
        .stderr_has("may not create content on the Page")
        .run();
    // A wrong app secret is a credential problem, and says nothing of the secret.
    let out = t
        .cmd(["login", "fb", "--secret-stdin"])
        .stdin(format!(
            "not-the-secret\n{}\n",
            fb.manager_token(&page, &["CREATE_CONTENT"])
        ))
        .status(code::CREDENTIAL)
        .stderr_has("Error validating client secret")
        .run();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("not-the-secret"));
    t.cmd(["accounts"]).stdout_has("missing").run();
    // Someone with Content access: the Page's own token is stored, and posts.
    t.cmd(["login", "fb", "--secret-stdin"])
        .stdin(format!(
            "{secret}\n{}\n",
            fb.manager_token(&page, &["CREATE_CONTENT", "MODERATE"])
        ))
        .run();
    assert_eq!(last_outcome(&t)["change"], "stored");
    t.post("fb", "Par le jeton de la Page").run();
    assert_eq!(fb.live(&page).len(), 1);
    let audit = std::fs::read_to_string(t.path().join("state/audit.jsonl")).expect("the audit log");
    assert!(!audit.contains(&secret), "the app secret reached the audit log");
}

#[test]
fn a_missing_permission_is_named_and_a_block_is_metas_refusal() {
    let fb = facebook_fake();
    let page = fb.page("Perm");
    let t = Test::new().policy(&policy(&page, FROM_ENV));
    t.post("fb", "Sans la permission")
        .env(ENV, &fb.page_token_with(&page, &["pages_read_engagement"], None))
        .status(code::CREDENTIAL)
        .stderr_has("(#200) This action requires the pages_manage_posts permission")
        .stderr_has("lacks a permission this needs: pages_manage_posts")
        .run();
    assert!(fb.posts(&page).is_empty());
    // Sent, and refused by Meta: "failed" in the audit log, nothing published.
    assert_eq!(last_outcome(&t)["status"], "failed");
    fb.fault(&page, "blocked", "POST", &feed(&page), 1);
    t.post("fb", "Bloqué par Meta")
        .env(ENV, &fb.page_token(&page))
        .status(code::CONTENT)
        .stderr_has("code 368")
        .stderr_has("Meta blocked this for the Page")
        .run();
    assert!(fb.posts(&page).is_empty());
    // The fake counts only requests whose token may post: the block, once.
    assert_eq!(fb.requests(&page, "POST", &feed(&page)), 1, "a block is not sent again");
    assert_eq!(last_outcome(&t)["status"], "failed");
}

#[test]
fn a_stored_token_past_its_end_is_refused_before_anything_is_sent() {
    let fb = facebook_fake();
    let page = fb.page("Ended");
    let t = Test::new().keychain();
    let t = t.policy(&policy(&page, ""));
    let document = serde_json::json!({
        "page_token": fb.page_token(&page),
        "expires_at": "2026-01-01T00:00:00Z",
    });
    let item = serde_json::json!({
        "v": 1, "secret": document.to_string(), "created_at": "2025-12-01T00:00:00Z",
    });
    let host = fb.url().trim_start_matches("http://").to_string();
    t.keychain_store(
        &format!("facebook:{host}:{}", page.username.to_lowercase()),
        &item.to_string(),
    );
    t.post("fb", "Trop tard")
        .status(code::CREDENTIAL)
        .stderr_has("the credential of `fb` expired at 2026-01-01T00:00:00Z")
        .run();
    assert_eq!(fb.requests(&page, "GET", "/me"), 0, "refused before asking Meta");
    assert!(fb.posts(&page).is_empty());
}
