//! The X fake (`fakes/`, `postgate-fake-x`) with Prism in front of it, started once per test
//! run (`scripts/servers/supervise-x.sh`), and a client for the fake's control API.
//!
//! Two URLs: `api_url()` is Prism, which checks every request and answer against X's OpenAPI
//! document (`$POSTGATE_X_OPENAPI`) and forwards the `/2/...` API to the fake; `fake_url()` is
//! the fake itself, for what X's document does not have: the OAuth 2.0 routes
//! (`/i/oauth2/authorize`, `/2/oauth2/token`, `/2/oauth2/revoke`) and the control API
//! (`/_fake/...`). Prism answers those 404 without forwarding them. OAuth 1.0a requests too
//! must go to `fake_url()`: Prism 5.14.2 has no handler for the document's `http`/`OAuth`
//! scheme and refuses them with 401.
//!
//! Everything is scoped per user (posts, counters, faults, the fake's clock), so tests that
//! make their own users never need to take turns.

use super::control::{self, text};
use super::services::{Supervised, supervise};
use serde_json::{Value, json};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

pub struct XFake {
    api: String,
    fake: String,
    _supervisor: Supervised,
}

/// A user on the fake.
#[derive(Debug, Clone)]
pub struct XUser {
    pub id: String,
    pub username: String,
}

/// An OAuth 2.0 token pair minted without the browser dance.
#[derive(Debug, Clone)]
pub struct XTokens {
    pub access_token: String,
    pub refresh_token: String,
    pub client_id: String,
    pub expires_in: i64,
}

/// OAuth 1.0a keys: the app's consumer key and secret, the user's token and secret.
#[derive(Debug, Clone)]
pub struct XOAuth1Keys {
    pub consumer_key: String,
    pub consumer_secret: String,
    pub token: String,
    pub token_secret: String,
}

static X: OnceLock<XFake> = OnceLock::new();
static NEXT: AtomicU32 = AtomicU32::new(1);

/// The X fake and Prism every test shares.
pub fn x_fake() -> &'static XFake {
    X.get_or_init(|| {
        let supervisor = supervise("scripts/servers/supervise-x.sh", "X_URLS");
        let (api, fake) = supervisor
            .value
            .split_once(' ')
            .map(|(a, f)| (a.to_string(), f.to_string()))
            .expect("X_URLS=<prism url> <fake url>");
        XFake {
            api,
            fake,
            _supervisor: supervisor,
        }
    })
}

impl XFake {
    /// Prism's URL: the `api` base postgate is pointed at.
    pub fn api_url(&self) -> &str {
        &self.api
    }

    /// The fake's own URL: OAuth 2.0 routes and the control API.
    pub fn fake_url(&self) -> &str {
        &self.fake
    }

    fn control_post(&self, path: &str, body: Value) -> Value {
        control::post(&self.fake, path, body)
    }

    fn control_get(&self, path: &str) -> Value {
        control::get(&self.fake, path)
    }

    /// A fresh user whose username starts with `prefix` (X's rules: at most 15 characters
    /// of `[A-Za-z0-9_]`).
    pub fn user(&self, prefix: &str) -> XUser {
        self.make_user(prefix, false)
    }

    /// A fresh user with X Premium, who may edit posts.
    pub fn premium_user(&self, prefix: &str) -> XUser {
        self.make_user(prefix, true)
    }

    fn make_user(&self, prefix: &str, premium: bool) -> XUser {
        let n = NEXT.fetch_add(1, Ordering::Relaxed).to_string();
        let clean: String = prefix
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(15 - n.len())
            .collect();
        let username = format!("{clean}{n}");
        let v = self.control_post("users", json!({"username": username, "premium": premium}));
        XUser {
            id: text(&v, "id"),
            username,
        }
    }

    /// Registers an OAuth 2.0 app whose consent is `user`'s, with its one callback URL.
    pub fn app(&self, user: &XUser, client_id: &str, redirect_uri: &str) {
        self.control_post(
            "apps",
            json!({"client_id": client_id, "redirect_uri": redirect_uri, "user_id": user.id}),
        );
    }

    /// Like [`XFake::app`], for an app whose access tokens live `lifetime` seconds.
    pub fn app_lasting(&self, user: &XUser, client_id: &str, redirect_uri: &str, lifetime: i64) {
        self.control_post(
            "apps",
            json!({"client_id": client_id, "redirect_uri": redirect_uri, "user_id": user.id,
                   "access_token_lifetime": lifetime}),
        );
    }

    /// An OAuth 2.0 pair for `user` (every scope postgate needs, offline.access included),
    /// the access token living `expires_in` seconds (X's 7200 when `None`).
    pub fn oauth2_tokens(&self, user: &XUser, expires_in: Option<i64>) -> XTokens {
        let mut body = json!({ "user_id": user.id });
        if let Some(e) = expires_in {
            body["expires_in"] = json!(e);
        }
        let v = self.control_post("tokens/oauth2", body);
        XTokens {
            access_token: text(&v, "access_token"),
            refresh_token: text(&v, "refresh_token"),
            client_id: text(&v, "client_id"),
            expires_in: v["expires_in"].as_i64().expect("expires_in"),
        }
    }

    /// OAuth 1.0a keys acting as `user`.
    pub fn oauth1_keys(&self, user: &XUser) -> XOAuth1Keys {
        let v = self.control_post("tokens/oauth1", json!({ "user_id": user.id }));
        XOAuth1Keys {
            consumer_key: text(&v, "consumer_key"),
            consumer_secret: text(&v, "consumer_secret"),
            token: text(&v, "token"),
            token_secret: text(&v, "token_secret"),
        }
    }

    /// An app-only bearer token of `user`'s app (reads timelines; `/2/users/me` refuses it).
    pub fn bearer(&self, user: &XUser) -> String {
        text(
            &self.control_post("tokens/bearer", json!({ "user_id": user.id })),
            "bearer_token",
        )
    }

    /// Every post `user` ever made, oldest first, deleted and edited-away versions included
    /// (`deleted`, `superseded_by`, `edit_history_post_ids`, `original_text`, `via`, ...).
    pub fn posts(&self, user: &XUser) -> Vec<Value> {
        self.control_get(&format!("users/{}/posts", user.id))["posts"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// How many posts were returned to `user`'s tokens by timeline reads (X bills each).
    pub fn reads(&self, user: &XUser) -> u64 {
        self.control_get(&format!("users/{}/counters", user.id))["billed_reads"]
            .as_u64()
            .expect("billed_reads")
    }

    /// How many `method path` requests (path exact, without the query) reached the fake with
    /// `user`'s credentials. A request Prism refused never reaches it.
    pub fn requests(&self, user: &XUser, method: &str, path: &str) -> u64 {
        self.control_get(&format!("users/{}/counters", user.id))["requests"][format!("{method} {path}")]
            .as_u64()
            .unwrap_or(0)
    }

    /// Makes the next `count` requests of `user` matching `method` and the path prefix fail:
    /// `kind` is `rate_limit` (429 with x-rate-limit-* headers), `unavailable` (503),
    /// `error_after_commit` (500 once the post is made), `drop_after_commit` (the connection
    /// closes once the post is made; through Prism this arrives as a 500 `FetchError`), or
    /// `malformed` (the route runs, its answer breaks X's document).
    pub fn fault(&self, user: &XUser, kind: &str, method: &str, path: &str, count: u32) {
        self.control_post(
            &format!("users/{}/faults", user.id),
            json!({"kind": kind, "method": method, "path": path, "count": count}),
        );
    }

    /// A post made straight at the fake, as if from X's website, `age_secs` old. Returns its id.
    pub fn post_directly(&self, user: &XUser, text_: &str, age_secs: u64) -> String {
        let v = self.control_post(
            &format!("users/{}/posts", user.id),
            json!({"text": text_, "age_secs": age_secs}),
        );
        text(&v, "id")
    }

    /// Moves `user`'s clock (and only theirs) forward: post ages, token and code expiry.
    pub fn advance_clock(&self, user: &XUser, secs: u64) {
        self.control_post(&format!("users/{}/clock", user.id), json!({ "advance_secs": secs }));
    }
}

impl XFake {
    /// Registers an OAuth 2.0 app whose consent is `user`'s and whose access tokens live
    /// `lifetime` seconds, and mints a pair for it: the pair a login through that app stores.
    pub fn app_tokens(&self, user: &XUser, client_id: &str, lifetime: i64) -> XTokens {
        self.control_post(
            "apps",
            json!({"client_id": client_id, "redirect_uri": "http://127.0.0.1:9/callback",
                   "user_id": user.id, "access_token_lifetime": lifetime}),
        );
        let v = self.control_post(
            "tokens/oauth2",
            json!({"user_id": user.id, "client_id": client_id, "expires_in": lifetime}),
        );
        XTokens {
            access_token: text(&v, "access_token"),
            refresh_token: text(&v, "refresh_token"),
            client_id: text(&v, "client_id"),
            expires_in: v["expires_in"].as_i64().expect("expires_in"),
        }
    }

    /// A pair for the app `client_id` (registered by [`XFake::app_tokens`]), as a second
    /// login or another run's renewal would get.
    pub fn more_tokens(&self, user: &XUser, client_id: &str) -> XTokens {
        let v = self.control_post("tokens/oauth2", json!({"user_id": user.id, "client_id": client_id}));
        XTokens {
            access_token: text(&v, "access_token"),
            refresh_token: text(&v, "refresh_token"),
            client_id: text(&v, "client_id"),
            expires_in: v["expires_in"].as_i64().expect("expires_in"),
        }
    }

    /// Like [`XFake::fault`], for a 429 whose `x-rate-limit-reset` is `reset_in` seconds away.
    pub fn rate_limit(&self, user: &XUser, method: &str, path: &str, reset_in: u64) {
        self.control_post(
            &format!("users/{}/faults", user.id),
            json!({"kind": "rate_limit", "method": method, "path": path, "count": 1, "reset_in": reset_in}),
        );
    }

    /// Asks the fake directly, with `token`, who it belongs to: the status code.
    pub fn me_status(&self, token: &str) -> u16 {
        reqwest::blocking::Client::new()
            .get(format!("{}/2/users/me", self.fake))
            .bearer_auth(token)
            .send()
            .expect("GET /2/users/me")
            .status()
            .as_u16()
    }

    /// Asks the fake's token endpoint to renew with `refresh_token`: the status code.
    pub fn refresh_status(&self, client_id: &str, refresh_token: &str) -> u16 {
        reqwest::blocking::Client::new()
            .post(format!("{}/2/oauth2/token", self.fake))
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
                ("client_id", client_id),
            ])
            .send()
            .expect("POST /2/oauth2/token")
            .status()
            .as_u16()
    }
}
