//! A client for the Bluesky PDS: accounts with app passwords, and what they posted.

use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use super::services::pds_url;

/// A fresh account on the PDS, with an app password.
pub struct BlueskyUser {
    pub handle: String,
    pub did: String,
    pub password: String,
    pub app_password: String,
}

static BSKY_COUNTER: AtomicUsize = AtomicUsize::new(0);

pub fn bluesky_user(prefix: &str) -> BlueskyUser {
    // Handles are `<3-18 letters and digits>.test` on a development PDS.
    let n = BSKY_COUNTER.fetch_add(1, Ordering::SeqCst);
    let name = format!("{prefix}{}{n}", std::process::id() % 100_000);
    let handle = format!("{name}.test");
    let password = format!("main-password-{name}");
    let client = reqwest::blocking::Client::new();
    let xrpc = |method: &str| format!("{}/xrpc/{method}", pds_url());
    let account: Value = client
        .post(xrpc("com.atproto.server.createAccount"))
        .json(&serde_json::json!({ "handle": handle, "email": format!("{name}@example.com"), "password": password }))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("create a PDS account");
    let access = account["accessJwt"].as_str().expect("accessJwt");
    let app: Value = client
        .post(xrpc("com.atproto.server.createAppPassword"))
        .bearer_auth(access)
        .json(&serde_json::json!({ "name": "postgate-tests" }))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("create an app password");
    BlueskyUser {
        handle,
        did: account["did"].as_str().expect("did").to_string(),
        password,
        app_password: app["password"].as_str().expect("password").to_string(),
    }
}

/// The posts in an account's repository, read straight from the PDS.
pub fn bluesky_posts(user: &BlueskyUser) -> Vec<Value> {
    let resp: Value = reqwest::blocking::Client::new()
        .get(format!(
            "{}/xrpc/com.atproto.repo.listRecords?repo={}&collection=app.bsky.feed.post",
            pds_url(),
            user.did
        ))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("list records");
    resp["records"].as_array().cloned().unwrap_or_default()
}
