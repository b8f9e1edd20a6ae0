//! `[[approvers]]`, `[[authors]]` and `[approvals]` exactly as written, with the span of every
//! value that validation may blame.
//!
//! Unknown keys are errors (`deny_unknown_fields`), as everywhere in the policy.

use crate::account::Kind;
use serde::Deserialize;
use toml::Spanned;

/// One `[[approvers]]` entry: a person who may sign plans.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawApprover {
    pub name: Spanned<String>,
    /// An OpenSSH public key line, as `postgate keys new` or `ssh-keygen` print it. `ssh_key`
    /// is the same key under the name that says its kind beside `passkey`.
    #[serde(alias = "ssh_key")]
    pub key: Option<Spanned<String>>,
    /// A passkey, as `postgate keys passkey enroll` prints it.
    pub passkey: Option<Spanned<RawPasskey>>,
    #[serde(default)]
    pub roles: Vec<Spanned<String>>,
    /// Who this person is when they write plans, so they cannot approve their own.
    pub email: Option<Spanned<String>>,
    pub user: Option<Spanned<String>>,
}

/// `passkey = { … }` of an approver: what `postgate keys passkey enroll` printed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPasskey {
    /// Unpadded base64url, as the browser's `rawId`.
    pub credential_id: String,
    /// The COSE_Key, unpadded base64url.
    pub public_key: String,
    pub rp_id: String,
    pub origin: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawApprovals {
    #[serde(default)]
    pub require: Vec<Spanned<RawRequirement>>,
    /// A command run (by `sh -c`, the plan's facts in `POSTGATE_*` variables only) when a plan
    /// that needs approval is written, or a queue item falls due without it.
    pub notify: Option<Spanned<String>>,
    /// The review page's address, for the link `notify` gets (`postgate review serve`).
    pub review_url: Option<Spanned<String>>,
}

/// One `[[approvals.require]]` entry: when it applies (every selector given must match) and
/// what it asks for.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRequirement {
    pub rule: Option<Spanned<String>>,
    pub level: Option<Spanned<String>>,
    pub accounts: Option<Spanned<Vec<Spanned<String>>>>,
    pub kinds: Option<Spanned<Vec<Spanned<Kind>>>>,
    pub replies: Option<Spanned<bool>>,
    pub count: Option<Spanned<i64>>,
    #[serde(default)]
    pub roles: Vec<Spanned<String>>,
}

/// One `[[authors]]` entry: a person who writes plans and signs them as their author.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAuthor {
    pub name: Spanned<String>,
    /// An OpenSSH public key line, as `postgate keys new` or `ssh-keygen` print it.
    pub key: Spanned<String>,
}
