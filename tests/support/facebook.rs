//! The Facebook Graph API fake (`fakes/`, `postgate-fake-facebook`), started once per test run
//! (`scripts/servers/supervise-facebook.sh`), and a client for its control API. Nothing stands
//! in front of it: Meta publishes no machine-readable description of the Graph API.
//!
//! Everything is scoped per Page (posts, counters, faults, usage), so tests that make their own
//! Pages never need to take turns.

use super::control::{self, check, text};
use super::services::{Supervised, supervise};
use serde_json::{Value, json};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

pub struct FacebookFake {
    url: String,
    _supervisor: Supervised,
}

/// A Page on the fake.
#[derive(Debug, Clone)]
pub struct FbPage {
    pub id: String,
    pub username: String,
}

static FACEBOOK: OnceLock<FacebookFake> = OnceLock::new();
static NEXT: AtomicU32 = AtomicU32::new(1);

/// The Facebook fake every test shares.
pub fn facebook_fake() -> &'static FacebookFake {
    FACEBOOK.get_or_init(|| {
        let supervisor = supervise("scripts/servers/supervise-facebook.sh", "FACEBOOK_URL");
        FacebookFake {
            url: supervisor.value.clone(),
            _supervisor: supervisor,
        }
    })
}

impl FacebookFake {
    /// The `api` base postgate is pointed at.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn control_post(&self, path: &str, body: Value) -> Value {
        control::post(&self.url, path, body)
    }

    fn control_get(&self, path: &str) -> Value {
        control::get(&self.url, path)
    }

    /// A fresh Page whose username starts with `prefix` (letters and digits only).
    pub fn page(&self, prefix: &str) -> FbPage {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let clean: String = prefix.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        let username = format!("{clean}Page{n}");
        let v = self.control_post("pages", json!({ "username": username }));
        FbPage {
            id: text(&v, "id"),
            username,
        }
    }

    /// A Page access token of `page`.
    pub fn page_token(&self, page: &FbPage) -> String {
        text(
            &self.control_post("tokens/page", json!({ "page_id": page.id })),
            "access_token",
        )
    }

    /// A Page access token of `page` with only `scopes`, expiring in `expires_in` seconds
    /// (`None`: never).
    pub fn page_token_with(&self, page: &FbPage, scopes: &[&str], expires_in: Option<i64>) -> String {
        let mut body = json!({ "page_id": page.id, "scopes": scopes });
        if let Some(e) = expires_in {
            body["expires_in"] = json!(e);
        }
        text(&self.control_post("tokens/page", body), "access_token")
    }

    /// An app token (`APP_ID|…`), which may ask `debug_token`.
    pub fn app_token(&self) -> String {
        text(&self.control_post("tokens/app", json!({})), "access_token")
    }

    /// A Meta app: its id and secret.
    pub fn app(&self) -> (String, String) {
        let v = self.control_post("apps", json!({}));
        (text(&v, "app_id"), text(&v, "app_secret"))
    }

    /// A person's token, of someone who manages `page` with `tasks`.
    pub fn manager_token(&self, page: &FbPage, tasks: &[&str]) -> String {
        let v = self.control_post("tokens/user", json!({ "pages": [{ "id": page.id, "tasks": tasks }] }));
        text(&v, "access_token")
    }

    /// A person's access token (no Page's).
    pub fn user_token(&self) -> String {
        text(&self.control_post("tokens/user", json!({})), "access_token")
    }

    /// "valid", "revoked" or "unknown".
    pub fn token_status(&self, token: &str) -> String {
        let v = check(
            reqwest::blocking::Client::new()
                // The fake's tokens are `EAAfake` and hex digits: nothing to escape.
                .get(format!("{}/_fake/tokens/status?access_token={token}", self.url))
                .send(),
            "tokens/status",
        );
        text(&v, "status")
    }

    /// Every post of `page`, oldest first, deleted ones included (`deleted`, `history`,
    /// `alt_texts`, `via`, ...).
    pub fn posts(&self, page: &FbPage) -> Vec<Value> {
        self.control_get(&format!("pages/{}/posts", page.id))["posts"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The posts of `page` that are not deleted.
    pub fn live(&self, page: &FbPage) -> Vec<Value> {
        self.posts(page).into_iter().filter(|p| p["deleted"] != true).collect()
    }

    /// How many `method path` requests (the path after the version, without the query)
    /// reached the fake with `page`'s token.
    pub fn requests(&self, page: &FbPage, method: &str, path: &str) -> u64 {
        self.control_get(&format!("pages/{}/counters", page.id))["requests"][format!("{method} {path}")]
            .as_u64()
            .unwrap_or(0)
    }

    /// Makes the next `count` requests of `page` matching `method` and the path prefix fail:
    /// `unavailable` (503 code 2), `rate_limit` (429 code 4), `throttled` (400 code 32),
    /// `error_after_commit` (the post is made, then 500 code 2) or `drop_after_commit` (the
    /// post is made, then the connection closes).
    pub fn fault(&self, page: &FbPage, kind: &str, method: &str, path: &str, count: u32) {
        self.control_post(
            &format!("pages/{}/faults", page.id),
            json!({"kind": kind, "method": method, "path": path, "count": count}),
        );
    }

    /// The percentage `X-Business-Use-Case-Usage` reports for `page`.
    pub fn usage(&self, page: &FbPage, percent: u64) {
        self.control_post(&format!("pages/{}/usage", page.id), json!({ "percent": percent }));
    }

    /// A post made straight at the fake, as if on facebook.com, `age_secs` old. Its id.
    pub fn post_directly(&self, page: &FbPage, message: &str, age_secs: u64) -> String {
        let v = self.control_post(
            &format!("pages/{}/posts", page.id),
            json!({"message": message, "age_secs": age_secs}),
        );
        text(&v, "id")
    }
}
