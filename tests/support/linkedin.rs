//! The LinkedIn fake (`fakes/`, `postgate-fake-linkedin`), started once per test run
//! (`scripts/servers/supervise-linkedin.sh`), and a client for its control API.
//!
//! Everything is scoped per member (counters, faults) or per organization (posts), so tests
//! that make their own never need to take turns.

use super::control::{self, text};
use super::services::{Supervised, supervise};
use serde_json::{Value, json};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

pub struct LinkedInFake {
    url: String,
    _supervisor: Supervised,
}

/// An organization on the fake.
#[derive(Debug, Clone)]
pub struct LiOrg {
    pub id: String,
    pub urn: String,
    pub vanity: String,
}

/// A member on the fake.
#[derive(Debug, Clone)]
pub struct LiMember {
    pub sub: String,
    pub urn: String,
    pub name: String,
}

static FAKE: OnceLock<LinkedInFake> = OnceLock::new();
static NEXT: AtomicU32 = AtomicU32::new(1);

/// The LinkedIn fake every test shares.
pub fn linkedin_fake() -> &'static LinkedInFake {
    FAKE.get_or_init(|| {
        let supervisor = supervise("scripts/servers/supervise-linkedin.sh", "LINKEDIN_URL");
        LinkedInFake {
            url: supervisor.value.clone(),
            _supervisor: supervisor,
        }
    })
}

impl LinkedInFake {
    pub fn url(&self) -> &str {
        &self.url
    }

    fn control_post(&self, path: &str, body: Value) -> Value {
        control::post(&self.url, path, body)
    }

    fn control_get(&self, path: &str) -> Value {
        control::get(&self.url, path)
    }

    /// A fresh organization whose vanity name starts with `prefix`.
    pub fn organization(&self, prefix: &str) -> LiOrg {
        let vanity = format!("{prefix}-{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let v = self.control_post(
            "organizations",
            json!({ "vanity": vanity, "name": "Ministère de la Culture" }),
        );
        LiOrg {
            id: text(&v, "id"),
            urn: text(&v, "urn"),
            vanity,
        }
    }

    pub fn member(&self, name: &str) -> LiMember {
        let v = self.control_post("members", json!({ "name": name }));
        LiMember {
            sub: text(&v, "sub"),
            urn: text(&v, "urn"),
            name: name.to_string(),
        }
    }

    /// Gives `member` an approved `role` on `org`.
    pub fn role(&self, member: &LiMember, org: &LiOrg, role: &str) {
        self.control_post(
            "roles",
            json!({ "member": member.sub, "organization": org.urn, "role": role, "state": "APPROVED" }),
        );
    }

    /// Sets the state of `member`'s `role` on `org` (APPROVED, REVOKED, REQUESTED).
    pub fn control_role(&self, member: &LiMember, org: &LiOrg, role: &str, state: &str) {
        self.control_post(
            "roles",
            json!({ "member": member.sub, "organization": org.urn, "role": role, "state": state }),
        );
    }

    /// An access token for `member`, living `expires_in` seconds (LinkedIn's 60 days when `None`).
    pub fn token(&self, member: &LiMember, expires_in: Option<i64>) -> String {
        let mut body = json!({ "member": member.sub });
        if let Some(s) = expires_in {
            body["expires_in"] = json!(s);
        }
        text(&self.control_post("tokens", body), "access_token")
    }

    /// Every post of `org`, deleted and edited ones included, with the text a reader sees.
    pub fn posts(&self, org: &LiOrg) -> Vec<Value> {
        let v = self.control_get(&format!("posts?organization={}", org.id));
        v["posts"].as_array().cloned().unwrap_or_default()
    }

    /// The posts of `org` that are not deleted.
    pub fn live(&self, org: &LiOrg) -> Vec<Value> {
        self.posts(org).into_iter().filter(|p| p["deleted"] != true).collect()
    }

    /// A post made on linkedin.com, not through postgate; returns its URN.
    pub fn post_directly(&self, org: &LiOrg, text_: &str) -> String {
        text(
            &self.control_post("posts", json!({ "organization": org.id, "text": text_ })),
            "urn",
        )
    }

    /// How many requests `member`'s tokens made to `method route` (`/rest/posts`,
    /// `/rest/posts/{urn}`, …).
    pub fn requests(&self, member: &LiMember, method: &str, route: &str) -> u64 {
        let v = self.control_get(&format!("requests?member={}", member.sub));
        v["requests"][format!("{method} {route}")].as_u64().unwrap_or(0)
    }

    /// The next `times` requests of `member` to `method route` meet `kind`: unavailable,
    /// rate_limit, drop_after_commit or error_after_commit.
    pub fn fault(&self, member: &LiMember, kind: &str, method: &str, route: &str, times: u32) {
        self.control_post(
            "faults",
            json!({ "member": member.sub, "kind": kind, "method": method, "route": route, "times": times }),
        );
    }
}
