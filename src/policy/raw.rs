//! The policy file exactly as written, with the span of every value that validation may blame.
//!
//! Unknown keys are errors (`deny_unknown_fields`): a misspelt `confirm` must never silently
//! fall back to a weaker default.

use crate::account::{Confirm, CredentialPolicy, Kind, NonInteractive};
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub audit: Option<RawAudit>,
    #[serde(default)]
    pub accounts: Vec<Spanned<RawAccount>>,
    #[serde(default)]
    pub rules: Vec<Spanned<crate::rules::raw::RawRule>>,
    #[serde(default)]
    pub approvers: Vec<Spanned<crate::approval::raw::RawApprover>>,
    pub approvals: Option<crate::approval::raw::RawApprovals>,
    #[serde(default)]
    pub authors: Vec<Spanned<crate::approval::raw::RawAuthor>>,
    pub lockdown: Option<RawLockdown>,
}

/// `[lockdown]`: where locks are shared, and who may lift them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLockdown {
    /// A folder every publisher reads (a shared mount): a lock written there stops them all.
    pub shared_path: Option<Spanned<String>>,
    /// The approver roles whose signature lifts a lock.
    #[serde(default)]
    pub unlock_roles: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAudit {
    pub path: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlatformName {
    Outbox,
    Mastodon,
    Bluesky,
}

impl PlatformName {
    pub fn as_str(self) -> &'static str {
        match self {
            PlatformName::Outbox => "outbox",
            PlatformName::Mastodon => "mastodon",
            PlatformName::Bluesky => "bluesky",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAccount {
    pub name: Spanned<String>,
    pub handle: Spanned<String>,
    pub platform: Spanned<PlatformName>,
    pub kind: Spanned<Kind>,
    pub display_name: String,
    pub owner: String,
    pub confirm: Option<Spanned<Confirm>>,
    pub non_interactive: Option<NonInteractive>,
    pub credentials: Option<Spanned<CredentialPolicy>>,
    pub path: Option<Spanned<String>>,
    pub instance: Option<Spanned<String>>,
    pub service: Option<Spanned<String>>,
    /// Mastodon: the account id the credential must belong to.
    pub account_id: Option<Spanned<String>>,
    /// Bluesky: the DID the credential must belong to.
    pub did: Option<Spanned<String>>,
    /// Mastodon: the default visibility of posts.
    pub visibility: Option<Spanned<Visibility>>,
    /// The posts' language (ISO 639), unless `--language` says otherwise.
    pub language: Option<Spanned<String>>,
    /// Whether `postgate delete` may remove posts. Default: false for official accounts.
    pub allow_delete: Option<bool>,
    /// Whether every image needs a description. Default: true for official accounts.
    pub require_alt_text: Option<bool>,
    /// Bluesky: how `postgate correct` corrects, since Bluesky has no edit.
    pub correction: Option<Spanned<Correction>>,
    /// Bluesky: the web host of post URLs (default bsky.app).
    pub web_host: Option<Spanned<String>>,
    /// Past this age the banner asks for a new credential.
    pub rotate_after_days: Option<Spanned<i64>>,
    /// Past this age posting is refused until `postgate login` stores a new one.
    pub max_credential_age_days: Option<Spanned<i64>>,
}

/// How a correction is published where the platform has no edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Correction {
    /// A reply to the original carrying the correction; the original stays.
    Reply,
    /// Delete the original and post the corrected text anew (likes and replies are lost).
    DeleteAndRepost,
}

/// Mastodon's visibility levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    Public,
    Unlisted,
    Private,
    Direct,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Private => "private",
            Visibility::Direct => "direct",
        }
    }
}

// The enums above are shared with the validated policy; they deserialise from lowercase strings.
impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "official" => Ok(Kind::Official),
            "personal" => Ok(Kind::Personal),
            other => Err(serde::de::Error::unknown_variant(other, &["official", "personal"])),
        }
    }
}

impl<'de> Deserialize<'de> for Confirm {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "handle" => Ok(Confirm::Handle),
            "yes" => Ok(Confirm::Yes),
            other => Err(serde::de::Error::unknown_variant(other, &["handle", "yes"])),
        }
    }
}

impl<'de> Deserialize<'de> for NonInteractive {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "allow" => Ok(NonInteractive::Allow),
            "deny" => Ok(NonInteractive::Deny),
            other => Err(serde::de::Error::unknown_variant(other, &["allow", "deny"])),
        }
    }
}

impl<'de> Deserialize<'de> for CredentialPolicy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "none" => Ok(CredentialPolicy::None),
            "keychain" => Ok(CredentialPolicy::Keychain),
            "keychain-or-env" => Ok(CredentialPolicy::KeychainOrEnv),
            other => Err(serde::de::Error::unknown_variant(
                other,
                &["none", "keychain", "keychain-or-env"],
            )),
        }
    }
}
