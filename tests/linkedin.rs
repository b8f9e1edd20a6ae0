//! Publishing to a LinkedIn organization page, against postgate's stateful LinkedIn fake
//! (`fakes/`). One fake per test binary; fresh organizations and members per test.

use crate::support;
use serde_json::{Value, json};
use support::linkedin::{LiMember, LiOrg};
use support::policy::{FROM_ENV, with_audit};
use support::{Test, code, linkedin_fake};

fn account(org: &LiOrg, extra: &str) -> String {
    format!(
        "[[accounts]]\nname = \"li\"\nhandle = \"@{}\"\nplatform = \"linkedin\"\nkind = \"official\"\n\
         display_name = \"Ministère de la Culture\"\nowner = \"Tests\"\norganization = \"{}\"\napi = \"{}\"\n{extra}\n",
        org.vanity,
        org.urn,
        linkedin_fake().url()
    )
}

fn policy(org: &LiOrg, extra: &str) -> String {
    with_audit(&[&account(org, extra)])
}

/// An organization and a member who is its content administrator.
fn page(prefix: &str) -> (LiOrg, LiMember) {
    let li = linkedin_fake();
    let org = li.organization(prefix);
    let member = li.member("Camille Durand");
    li.role(&member, &org, "CONTENT_ADMINISTRATOR");
    (org, member)
}

fn env_token(token: &str, expires_at: Option<jiff::Timestamp>) -> String {
    let mut v = json!({ "access_token": token });
    if let Some(at) = expires_at {
        v["expires_at"] = json!(at.to_string());
    }
    v.to_string()
}

fn last_outcome(t: &Test) -> Value {
    t.audit().last().expect("an audit record")["outcome"].clone()
}

fn in_days(days: i64) -> jiff::Timestamp {
    jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * days)
}

#[test]
fn login_by_a_member_without_a_posting_role_is_refused_and_nothing_is_stored() {
    let li = linkedin_fake();
    let org = li.organization("culture");
    let analyst = li.member("Analyste");
    li.role(&analyst, &org, "ANALYST");
    let t = Test::new().keychain();
    let t = t.policy(&policy(&org, ""));
    t.cmd(["login", "li", "--secret-stdin"])
        .stdin(li.token(&analyst, None))
        .status(code::IDENTITY)
        .stderr_has("may not post for organization")
        .stderr_has(&org.urn)
        .stderr_has("nothing was published or stored")
        .run();
    t.cmd(["accounts"]).stdout_has("missing").run();
    // The same member once given a posting role: stored, with the expiry the token endpoint's
    // answer gave, and shown by `accounts`.
    li.role(&analyst, &org, "ADMINISTRATOR");
    let answer = json!({ "access_token": li.token(&analyst, None), "expires_in": 5_184_000 });
    t.cmd(["login", "li", "--secret-stdin"])
        .stdin(answer.to_string())
        .stderr_has(&format!("acting as member Analyste ({})", analyst.urn))
        .stderr_has(&format!("for organization @{}", org.vanity))
        .run();
    assert_eq!(last_outcome(&t)["change"], "stored");
    let out = t.cmd(["--json", "accounts"]).run();
    let listed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let expires: jiff::Timestamp = listed[0]["credential"]["expires_at"]
        .as_str()
        .unwrap_or_else(|| panic!("no expires_at in {listed}"))
        .parse()
        .expect("a time");
    assert!(expires > in_days(59) && expires < in_days(61), "{expires}");
    t.cmd(["accounts"]).stdout_has("expires").run();
    // The banner names the member who acts, from the login, before LinkedIn is asked anything.
    t.cmd([
        "post",
        "-a",
        "li",
        "--confirm-handle",
        &format!("@{}", org.vanity),
        "--dry-run",
        "Essai",
    ])
    .stderr_has(&format!("acting as member Analyste ({})", analyst.urn))
    .run();
}

#[test]
fn a_stored_token_that_now_acts_as_another_member_is_refused() {
    let li = linkedin_fake();
    let (org, member) = page("swap");
    let other = li.member("Autre");
    li.role(&other, &org, "ADMINISTRATOR");
    let t = Test::new().policy(&policy(&org, FROM_ENV));
    // What login stored for `member`, holding the token of someone else.
    let document = json!({
        "access_token": li.token(&other, None),
        "member_urn": member.urn,
        "member_name": "Nom affiché",
    });
    t.cmd([
        "post",
        "-a",
        "li",
        "--confirm-handle",
        &format!("@{}", org.vanity),
        "Message",
    ])
    .env("POSTGATE_SECRET_LI", &document.to_string())
    .stderr_has("acting as member Nom affiché")
    .status(code::IDENTITY)
    .stderr_has(&format!("LinkedIn now says it acts as Autre ({})", other.urn))
    .run();
    // The right member under another name: the banner would have named someone else.
    let misnamed = json!({
        "access_token": li.token(&member, None),
        "member_urn": member.urn,
        "member_name": "Le ministre",
    });
    t.cmd([
        "post",
        "-a",
        "li",
        "--confirm-handle",
        &format!("@{}", org.vanity),
        "Message",
    ])
    .env("POSTGATE_SECRET_LI", &misnamed.to_string())
    .status(code::IDENTITY)
    .run();
    assert!(li.posts(&org).is_empty());
}

#[test]
fn a_post_goes_to_the_organization_with_both_version_headers() {
    let li = linkedin_fake();
    let (org, member) = page("post");
    let t = Test::new().policy(&policy(&org, FROM_ENV));
    t.post("li", "Les Journées du patrimoine commencent samedi.")
        .env("POSTGATE_SECRET_LI", &env_token(&li.token(&member, None), None))
        .stderr_has(&format!("acting as member Camille Durand ({})", member.urn))
        .run();
    let posts = li.live(&org);
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0]["text"], "Les Journées du patrimoine commencent samedi.");
    let outcome = last_outcome(&t);
    assert_eq!(outcome["status"], "published");
    assert_eq!(outcome["id"], posts[0]["urn"]);
    assert_eq!(
        outcome["url"],
        format!(
            "https://www.linkedin.com/feed/update/{}/",
            posts[0]["urn"].as_str().unwrap()
        )
    );
    assert_eq!(li.requests(&member, "POST", "/rest/posts"), 1);
    assert_eq!(li.requests(&member, "GET", "/rest/organizationAuthorizations"), 1);
}

#[test]
fn a_member_whose_role_was_withdrawn_or_another_page_is_refused_before_anything_is_sent() {
    let li = linkedin_fake();
    let (org, member) = page("withdrawn");
    let t = Test::new().policy(&policy(&org, FROM_ENV));
    let env = env_token(&li.token(&member, None), None);
    li.control_role(&member, &org, "CONTENT_ADMINISTRATOR", "REVOKED");
    t.post("li", "Message officiel")
        .env("POSTGATE_SECRET_LI", &env)
        .status(code::IDENTITY)
        .stderr_has(&format!("LinkedIn member Camille Durand ({}) may not post", member.urn))
        .run();
    assert_eq!(li.requests(&member, "POST", "/rest/posts"), 0);
    assert_eq!(last_outcome(&t)["status"], "refused");
    // A token that posts for another organization, under a policy whose handle is this one's:
    // the pinned URN is the other page's, so its vanity name is not the policy's.
    let other = li.organization("autre");
    li.role(&member, &other, "ADMINISTRATOR");
    let mismatched = account(&other, FROM_ENV).replace(&format!("@{}", other.vanity), &format!("@{}", org.vanity));
    let t = t.policy(&with_audit(&[&mismatched]));
    t.post("li", "Message officiel")
        .env("POSTGATE_SECRET_LI", &env)
        .status(code::IDENTITY)
        .stderr_has(&format!(
            "but linkedin says the credential belongs to @{}",
            other.vanity
        ))
        .run();
    assert!(li.posts(&other).is_empty() && li.posts(&org).is_empty());
    assert_eq!(last_outcome(&t)["status"], "refused");
}

#[test]
fn a_retired_version_is_a_policy_error_naming_linkedin_version() {
    let li = linkedin_fake();
    let (org, member) = page("version");
    let t = Test::new().policy(&policy(&org, &format!("{FROM_ENV}linkedin_version = \"202301\"")));
    t.post("li", "Jamais publié")
        .env("POSTGATE_SECRET_LI", &env_token(&li.token(&member, None), None))
        .status(code::BAD_POLICY)
        .stderr_has("202301")
        .stderr_has("linkedin_version")
        .run();
    assert!(li.posts(&org).is_empty());
}

#[test]
fn reserved_little_text_characters_reach_linkedin_as_written() {
    let li = linkedin_fake();
    let (org, member) = page("little");
    let t = Test::new().policy(&policy(&org, FROM_ENV));
    let text = "Rendez-vous (entrée libre) #patrimoine avec @culture_gouv : *gratuit* ~ 10h_12h";
    t.post("li", text)
        .env("POSTGATE_SECRET_LI", &env_token(&li.token(&member, None), None))
        .run();
    let posts = li.live(&org);
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0]["text"], text,
        "what LinkedIn shows differs from what was written"
    );
    assert_ne!(posts[0]["sent"], text, "sent without escaping");
}

#[test]
fn an_image_goes_with_its_description() {
    let li = linkedin_fake();
    let (org, member) = page("image");
    let t = Test::new().policy(&policy(&org, FROM_ENV));
    let png = t.png("affiche.png");
    let handle = format!("@{}", org.vanity);
    t.cmd([
        "post",
        "-a",
        "li",
        "--confirm-handle",
        &handle,
        "--image",
        &png,
        "--alt",
        "Affiche des Journées du patrimoine",
        "Le programme",
    ])
    .env("POSTGATE_SECRET_LI", &env_token(&li.token(&member, None), None))
    .run();
    let posts = li.live(&org);
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0]["media"][0]["altText"], "Affiche des Journées du patrimoine",
        "{}",
        posts[0]
    );
    assert!(
        posts[0]["media"][0]["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("urn:li:image:")),
        "{}",
        posts[0]
    );
    assert_eq!(li.requests(&member, "PUT", "/_upload/{id}"), 1);
}

#[test]
fn a_lost_answer_after_the_post_was_made_ends_with_exactly_one_post() {
    let li = linkedin_fake();
    let (org, member) = page("lost");
    let t = Test::new().policy(&policy(&org, FROM_ENV));
    li.fault(&member, "drop_after_commit", "POST", "/rest/posts", 1);
    t.post("li", "Une seule fois")
        .env("POSTGATE_SECRET_LI", &env_token(&li.token(&member, None), None))
        .stderr_has("and the post is on the organization's page")
        .run();
    let posts = li.live(&org);
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(li.requests(&member, "POST", "/rest/posts"), 1, "nothing sent again");
    let outcome = last_outcome(&t);
    assert_eq!(outcome["status"], "published");
    assert_eq!(outcome["id"], posts[0]["urn"]);
}

#[test]
fn a_503_before_anything_was_made_is_looked_for_then_sent_again_once() {
    let li = linkedin_fake();
    let (org, member) = page("busy");
    let t = Test::new().policy(&policy(&org, FROM_ENV));
    li.fault(&member, "unavailable", "POST", "/rest/posts", 1);
    t.post("li", "Après une 503")
        .env("POSTGATE_SECRET_LI", &env_token(&li.token(&member, None), None))
        .stderr_has("so postgate sends it again, once")
        .run();
    assert_eq!(li.live(&org).len(), 1);
    assert_eq!(li.requests(&member, "POST", "/rest/posts"), 2);
}

#[test]
fn a_429_publishes_nothing_and_says_it_is_a_rate_limit() {
    let li = linkedin_fake();
    let (org, member) = page("limit");
    let t = Test::new().policy(&policy(&org, FROM_ENV));
    li.fault(&member, "rate_limit", "POST", "/rest/posts", 1);
    t.post("li", "Limité")
        .env("POSTGATE_SECRET_LI", &env_token(&li.token(&member, None), None))
        .status(code::PLATFORM)
        .stderr_has("429")
        .stderr_has("rate limited")
        .run();
    assert!(li.posts(&org).is_empty());
    assert_eq!(li.requests(&member, "POST", "/rest/posts"), 1, "a 429 was sent again");
    assert_eq!(last_outcome(&t)["status"], "failed");
}

#[test]
fn a_duplicate_naming_this_very_post_is_published_not_failed() {
    let li = linkedin_fake();
    let (org, member) = page("dup");
    // The post is already there (an earlier run whose answer was lost, its record gone).
    let urn = li.post_directly(&org, "Ouverture exceptionnelle (lundi)");
    let t = Test::new().policy(&policy(&org, FROM_ENV));
    t.post("li", "Ouverture exceptionnelle (lundi)")
        .env("POSTGATE_SECRET_LI", &env_token(&li.token(&member, None), None))
        .stderr_has(&format!("duplicate of {urn}, which is this post"))
        .run();
    assert_eq!(li.live(&org).len(), 1);
    let outcome = last_outcome(&t);
    assert_eq!(outcome["status"], "published");
    assert_eq!(outcome["id"], urn.as_str());
}

fn post_one(t: &Test, env: &str, text: &str) -> String {
    t.post("li", text).env("POSTGATE_SECRET_LI", env).run();
    last_outcome(t)["id"].as_str().expect("an id").to_string()
}

#[test]
fn a_correction_edits_the_commentary_in_place() {
    let li = linkedin_fake();
    let (org, member) = page("correct");
    let t = Test::new().policy(&policy(&org, FROM_ENV));
    let env = env_token(&li.token(&member, None), None);
    let urn = post_one(&t, &env, "Ouverture à 9h");
    let handle = format!("@{}", org.vanity);
    t.cmd([
        "correct",
        "li",
        &urn,
        "--confirm-handle",
        &handle,
        "Ouverture à 10h (et non 9h)",
    ])
    .env("POSTGATE_SECRET_LI", &env)
    .run();
    let posts = li.posts(&org);
    assert_eq!(posts.len(), 1, "an edit, not a second post: {posts:?}");
    assert_eq!(posts[0]["text"], "Ouverture à 10h (et non 9h)");
    assert_eq!(posts[0]["edits"], json!(["Ouverture à 9h"]));
    assert_eq!(li.requests(&member, "POST", "/rest/posts/{urn}"), 1);
    assert_eq!(last_outcome(&t)["id"], urn.as_str());
}

#[test]
fn a_delete_needs_allow_delete() {
    let li = linkedin_fake();
    let (org, member) = page("delete");
    let t = Test::new().policy(&policy(&org, FROM_ENV));
    let env = env_token(&li.token(&member, None), None);
    let urn = post_one(&t, &env, "À supprimer");
    let handle = format!("@{}", org.vanity);
    t.cmd(["delete", "li", &urn, "--reason", "doublon", "--confirm-handle", &handle])
        .env("POSTGATE_SECRET_LI", &env)
        .status(code::CONTENT)
        .stderr_has("allow_delete")
        .run();
    assert_eq!(li.live(&org).len(), 1);
    assert_eq!(li.requests(&member, "DELETE", "/rest/posts/{urn}"), 0);
    let t = t.policy(&policy(&org, &format!("{FROM_ENV}allow_delete = true")));
    t.cmd(["delete", "li", &urn, "--reason", "doublon", "--confirm-handle", &handle])
        .env("POSTGATE_SECRET_LI", &env)
        .run();
    assert!(li.live(&org).is_empty());
    assert_eq!(last_outcome(&t)["status"], "deleted");
}

#[test]
fn a_token_near_its_end_is_warned_about_and_one_past_it_refused() {
    let li = linkedin_fake();
    let (org, member) = page("expiry");
    let t = Test::new().policy(&policy(&org, FROM_ENV));
    let token = li.token(&member, None);
    t.post("li", "Bientôt expiré")
        .env("POSTGATE_SECRET_LI", &env_token(&token, Some(in_days(3))))
        .stderr_has("warning: the credential of `li` expires at")
        .run();
    assert_eq!(li.live(&org).len(), 1);
    t.post("li", "Expiré")
        .env("POSTGATE_SECRET_LI", &env_token(&token, Some(in_days(-1))))
        .status(code::CREDENTIAL)
        .stderr_has("expired at")
        .run();
    assert_eq!(li.live(&org).len(), 1);
    assert_eq!(
        li.requests(&member, "POST", "/rest/posts"),
        1,
        "an expired token was sent"
    );
}

#[test]
fn lockdown_says_revoke_by_hand_and_locks_anyway() {
    let li = linkedin_fake();
    let (org, member) = page("lock");
    let t = Test::new().keychain();
    let t = t.policy(&policy(&org, ""));
    t.cmd(["login", "li", "--secret-stdin"])
        .stdin(li.token(&member, None))
        .stderr_has("the token's expiry is unknown")
        .run();
    t.post("li", "Avant l'incident").run();
    t.cmd(["lockdown", "li", "--reason", "jeton divulgué"])
        .stdout_has("REVOKE BY HAND")
        .stderr_has("Permitted services")
        .run();
    t.post("li", "Après l'incident").status(code::LOCKED_DOWN).run();
    assert_eq!(li.live(&org).len(), 1);
    t.cmd(["accounts"]).stdout_has("missing").run();
}

#[test]
fn reconcile_finds_a_post_made_straight_on_linkedin() {
    let li = linkedin_fake();
    let (org, member) = page("recon");
    let t = Test::new().policy(&policy(&org, FROM_ENV));
    let env = env_token(&li.token(&member, None), None);
    post_one(&t, &env, "Publié par postgate");
    let foreign = li.post_directly(&org, "Publié sur linkedin.com (à la main)");
    t.cmd(["reconcile", "li", "--since", "1h"])
        .env("POSTGATE_SECRET_LI", &env)
        .status(code::FOREIGN_POSTS)
        .stdout_has(&foreign)
        .stdout_has("Publié sur linkedin.com (à la main)")
        .run();
}

#[test]
fn linkedin_keys_are_checked_where_they_are_written() {
    let li = linkedin_fake();
    let org = li.organization("keys");
    let bad = format!(
        "[[accounts]]\nname = \"li\"\nhandle = \"@{}\"\nplatform = \"linkedin\"\nkind = \"official\"\n\
         display_name = \"M\"\nowner = \"T\"\norganization = \"urn:li:person:1\"\nlinkedin_version = \"2026-07\"\n",
        org.vanity
    );
    let t = Test::new().policy(&with_audit(&[&bad]));
    t.cmd(["policy", "check"])
        .status(code::BAD_POLICY)
        .stderr_has("`organization` must be the organization's URN")
        .stderr_has("`linkedin_version` must be a LinkedIn API version")
        .run();
}
