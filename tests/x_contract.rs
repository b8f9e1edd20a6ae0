//! The contract check in front of the X fake bites: Prism, running X's own OpenAPI document,
//! passes what the document allows and turns everything else into a failure, whichever side
//! broke it. The fake's behaviour itself is unit-tested in `fakes/src/x/tests.rs`.

use crate::support::x_fake;
use reqwest::blocking::{Client, Response};
use serde_json::{Value, json};

fn send_post(token: &str, body: Value) -> Response {
    Client::new()
        .post(format!("{}/2/tweets", x_fake().api_url()))
        .bearer_auth(token)
        .json(&body)
        .send()
        .expect("POST /2/tweets through Prism")
}

#[test]
fn a_valid_post_passes_the_contract_both_ways() {
    let x = x_fake();
    let user = x.user("contract");
    let tokens = x.oauth2_tokens(&user, None);
    let resp = send_post(
        &tokens.access_token,
        json!({"text": "contract ok https://example.org/a"}),
    );
    assert_eq!(resp.status(), 201);
    assert!(resp.headers().get("sl-violations").is_none());
    let body: Value = resp.json().unwrap();
    let id = body["data"]["id"].as_str().expect("an id");
    assert!(
        body["data"]["text"].as_str().unwrap().contains("https://t.co/"),
        "{body}"
    );
    let posts = x.posts(&user);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["id"], id);
    assert_eq!(x.requests(&user, "POST", "/2/tweets"), 1);

    // The fake's error answers pass the document too: a duplicate arrives as X sends it.
    let resp = send_post(
        &tokens.access_token,
        json!({"text": "contract ok https://example.org/a"}),
    );
    assert_eq!(resp.status(), 403);
    let body: Value = resp.json().unwrap();
    assert_eq!(
        body["detail"],
        "You are not allowed to create a Tweet with duplicate content."
    );

    // And a timeline read with an app-only token, with the fields postgate asks for.
    let resp = Client::new()
        .get(format!(
            "{}/2/users/{}/tweets?max_results=5&tweet.fields=created_at,entities",
            x.api_url(),
            user.id
        ))
        .bearer_auth(x.bearer(&user))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().unwrap();
    assert_eq!(body["data"][0]["id"], id, "{body}");
    assert_eq!(x.reads(&user), 1);
}

#[test]
fn a_request_the_document_forbids_is_refused_by_prism_and_never_reaches_the_fake() {
    let x = x_fake();
    let user = x.user("contract");
    let tokens = x.oauth2_tokens(&user, None);
    let resp = send_post(&tokens.access_token, json!({"text": "hi", "idempotency_key": "k1"}));
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().unwrap();
    assert!(
        body["validation"].to_string().contains("idempotency_key"),
        "Prism names the field: {body}"
    );
    assert_eq!(x.requests(&user, "POST", "/2/tweets"), 0);
    assert!(x.posts(&user).is_empty());
}

#[test]
fn an_answer_the_document_forbids_becomes_a_violation() {
    let x = x_fake();
    let user = x.user("contract");
    let tokens = x.oauth2_tokens(&user, None);
    x.fault(&user, "malformed", "POST", "/2/tweets", 1);
    let resp = send_post(&tokens.access_token, json!({"text": "answered badly"}));
    assert_eq!(resp.status(), 500);
    assert!(resp.headers().get("sl-violations").is_some());
    let body: Value = resp.json().unwrap();
    assert!(body["type"].as_str().unwrap().ends_with("#VIOLATIONS"), "{body}");
    assert!(body["validation"].to_string().contains("data.id"), "{body}");
    // The request did reach the fake, which made the post before answering badly.
    assert_eq!(x.requests(&user, "POST", "/2/tweets"), 1);
    assert_eq!(x.posts(&user).len(), 1);
}

#[test]
fn prism_forwards_nothing_outside_the_document() {
    let x = x_fake();
    // X's document has no OAuth 2.0 routes: Prism answers them itself, 404, so postgate's token
    // URL must point at the fake (`fake_url()`), not at Prism.
    let resp = Client::new()
        .post(format!("{}/2/oauth2/token", x.api_url()))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", "r"),
            ("client_id", "c"),
        ])
        .send()
        .unwrap();
    assert_eq!(resp.status(), 404);
    let body: Value = resp.json().unwrap();
    assert!(
        body["type"].as_str().unwrap().ends_with("NO_PATH_MATCHED_ERROR"),
        "{body}"
    );
    // The same request at the fake is answered by the fake (RFC 6749: 401 invalid_client).
    let resp = Client::new()
        .post(format!("{}/2/oauth2/token", x.fake_url()))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", "r"),
            ("client_id", "c"),
        ])
        .send()
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.json::<Value>().unwrap()["error"], "invalid_client");
}

#[test]
fn prism_refuses_oauth1_so_signed_requests_go_to_the_fake() {
    let x = x_fake();
    let user = x.user("contract");
    let keys = x.oauth1_keys(&user);
    // Any OAuth header will do to show Prism's side: it has no handler for the document's
    // `http`/`OAuth` security scheme and answers 401 before forwarding.
    let header = format!(
        r#"OAuth oauth_consumer_key="{}", oauth_token="{}", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1", oauth_nonce="n", oauth_version="1.0", oauth_signature="x""#,
        keys.consumer_key, keys.token
    );
    let resp = Client::new()
        .get(format!("{}/2/users/me", x.api_url()))
        .header("Authorization", &header)
        .send()
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(x.requests(&user, "GET", "/2/users/me"), 0);
}
