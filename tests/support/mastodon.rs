//! A client for mastodon-mock: accounts, what they posted, and fault injection.

use super::services;
use serde_json::Value;
use std::sync::{Mutex, MutexGuard};

pub use super::services::mastodon_url;

/// A fresh account on a mastodon-mock server.
pub struct MastodonUser {
    pub username: String,
    pub id: String,
    pub token: String,
    /// `@username@localhost:PORT`, as the server names it.
    pub handle: String,
    /// The base URL of the server the account is on.
    pub url: &'static str,
}

/// A fresh account on the shared server.
pub fn mastodon_user(name: &str) -> MastodonUser {
    user_on(mastodon_url(), name)
}

fn user_on(url: &'static str, name: &str) -> MastodonUser {
    let resp: Value = reqwest::blocking::Client::new()
        .post(format!("{url}/api/v1/_mock/dev_user"))
        .json(&serde_json::json!({ "username": name }))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("create a mastodon-mock user");
    let port = url.rsplit(':').next().expect("port");
    MastodonUser {
        username: name.to_string(),
        id: resp["id"].as_str().expect("id").to_string(),
        token: resp["access_token"].as_str().expect("token").to_string(),
        handle: format!("@{name}@localhost:{port}"),
        url,
    }
}

/// The statuses an account has on its server, newest first.
pub fn mastodon_statuses(user: &MastodonUser) -> Vec<Value> {
    let resp: Value = reqwest::blocking::Client::new()
        .get(format!("{}/api/v1/accounts/{}/statuses", user.url, user.id))
        .bearer_auth(&user.token)
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("list statuses");
    resp.as_array().cloned().unwrap_or_default()
}

static TURN: Mutex<()> = Mutex::new(());

/// A turn on the mastodon-mock server kept for fault injection. Faults apply to the whole
/// server, so the tests that inject them take turns: the turn lasts as long as this value.
pub struct Faults {
    _turn: MutexGuard<'static, ()>,
}

/// Waits for this test's turn on the fault server.
pub fn mastodon_faults() -> Faults {
    Faults {
        _turn: TURN.lock().unwrap_or_else(|e| e.into_inner()),
    }
}

impl Faults {
    /// The base URL of the fault server.
    pub fn url(&self) -> &'static str {
        services::mastodon_faults_url()
    }

    /// A fresh account on the fault server.
    pub fn user(&self, name: &str) -> MastodonUser {
        user_on(self.url(), name)
    }

    /// Makes the server fail the next `count` matching requests.
    pub fn fault(&self, method: &str, path: &str, status: u16, headers: Value, count: u32) {
        self.effect(
            method,
            path,
            serde_json::json!({ "type": "status", "status": status, "headers": headers }),
            count,
        );
    }

    /// Any mastodon-mock fault effect (`latency` with `delay_ms`, `timeout`, …).
    pub fn effect(&self, method: &str, path: &str, effect: Value, count: u32) {
        reqwest::blocking::Client::new()
            .post(format!("{}/api/v1/_mock/faults", self.url()))
            .json(&serde_json::json!({
                "match": { "methods": [method], "path": path },
                "effect": effect,
                "count": count,
            }))
            .send()
            .and_then(|r| r.error_for_status())
            .expect("inject a fault");
    }

    /// Makes every request matching `method` and `path_regex` fail, `count` times at most, so
    /// that a test can tell afterwards whether any was made (`remaining`). Returns the rule's id.
    pub fn fault_regex(&self, method: &str, path_regex: &str, count: u32) -> String {
        let rule: Value = reqwest::blocking::Client::new()
            .post(format!("{}/api/v1/_mock/faults", self.url()))
            .json(&serde_json::json!({
                "match": { "methods": [method], "path_regex": path_regex },
                "effect": { "type": "status", "status": 500 },
                "count": count,
            }))
            .send()
            .and_then(|r| r.error_for_status())
            .and_then(|r| r.json())
            .expect("inject a fault");
        rule["id"].as_str().expect("rule id").to_string()
    }

    /// The budget left on fault rule `id`; `None` once it is spent or removed.
    pub fn remaining(&self, id: &str) -> Option<u64> {
        let rules: Value = reqwest::blocking::Client::new()
            .get(format!("{}/api/v1/_mock/faults", self.url()))
            .send()
            .and_then(|r| r.error_for_status())
            .and_then(|r| r.json())
            .expect("list faults");
        rules
            .as_array()?
            .iter()
            .find(|r| r["id"] == id)
            .and_then(|r| r["remaining"].as_u64())
    }

    /// Removes fault rule `id`, so later tests on the same server are not affected.
    pub fn remove(&self, id: &str) {
        reqwest::blocking::Client::new()
            .delete(format!("{}/api/v1/_mock/faults/{id}", self.url()))
            .send()
            .and_then(|r| r.error_for_status())
            .expect("remove a fault");
    }
}
