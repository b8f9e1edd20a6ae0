//! The `Platform` trait and the one place where a policy's `platform` becomes an implementation.
//!
//! Adding a platform is one file in this folder plus one arm in [`connect`] and one in
//! [`validate_handle`].

pub mod bluesky;
pub mod http;
pub mod mastodon;
pub mod outbox;

use crate::credentials::Credential;
use crate::policy::{Account, PlatformName, Target};
use anyhow::Result;

/// What is being published. The text is exactly what the author wrote.
#[derive(Debug, Clone)]
pub struct Draft {
    pub text: String,
    pub reply_to: Option<String>,
    /// ISO 639 language of the post.
    pub language: Option<String>,
    /// Content warning (Mastodon `spoiler_text`).
    pub content_warning: Option<String>,
    /// Overrides the account's default visibility (Mastodon).
    pub visibility: Option<crate::policy::Visibility>,
    /// Attached images, in order.
    pub images: Vec<Image>,
}

/// An image to attach, read once so that what is checked is what is sent.
#[derive(Clone)]
pub struct Image {
    pub file_name: String,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
    /// The description screen readers speak.
    pub alt: Option<String>,
}

impl std::fmt::Debug for Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Image")
            .field("file_name", &self.file_name)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl Image {
    /// An image a person named on the command line (`post --image`): see `media::read_named`.
    pub fn named(path: &std::path::Path, alt: Option<String>, platform: PlatformName) -> Result<Image> {
        let checked = crate::media::read_named(path, crate::media::max_bytes(platform), platform.as_str())
            .map_err(crate::media::Refusal::into_failure)?;
        Ok(Image::of(checked, alt))
    }

    /// An image a plan or queue item names inside its folder `base`: see `media::read_within`.
    pub fn within(base: &std::path::Path, rel: &std::path::Path, alt: Option<String>, platform: &str) -> Result<Image> {
        let (max, platform) = crate::media::max_bytes_named(platform);
        let checked =
            crate::media::read_within(base, rel, max, platform).map_err(crate::media::Refusal::into_failure)?;
        Ok(Image::of(checked, alt))
    }

    fn of(checked: crate::media::Checked, alt: Option<String>) -> Image {
        Image {
            file_name: checked.file_name,
            mime: checked.kind.mime(),
            bytes: checked.bytes,
            alt: alt.filter(|a| !a.trim().is_empty()),
        }
    }

    pub fn sha256(&self) -> String {
        crate::digest::sha256_hex(&self.bytes)
    }
}

impl Draft {
    pub fn text(text: impl Into<String>) -> Draft {
        Draft {
            text: text.into(),
            reply_to: None,
            language: None,
            content_warning: None,
            visibility: None,
            images: Vec::new(),
        }
    }
}

/// Identifies one publish attempt. Platforms use it to make retries land once: the outbox as a
/// file name, Mastodon as the Idempotency-Key, Bluesky to derive the record key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostKey {
    pub id: String,
    /// The time a platform that orders record keys by time (Bluesky) puts in the key. Fixed
    /// for a plan, so that every run of it derives the same record key; `None` means now.
    pub at: Option<jiff::Timestamp>,
}

impl PostKey {
    pub fn new(id: impl Into<String>) -> PostKey {
        PostKey {
            id: id.into(),
            at: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub id: String,
    pub url: String,
    /// True when the platform recognised the key and returned the earlier post.
    pub replayed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum post length, in the platform's own unit (see [`Platform::length`]).
    pub max_characters: usize,
    /// Maximum number of attached images.
    pub max_images: usize,
}

/// Who the platform says the credential belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub handle: String,
    /// A stable id (Mastodon account id, Bluesky DID) where the platform has one.
    pub id: Option<String>,
}

/// What `lockdown` achieved at the platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    /// The platform no longer accepts the credential: checked after revoking it.
    Revoked(String),
    /// Something was revoked, but the credential itself still works until a person revokes
    /// it; `by_hand` says where.
    Partial { done: String, by_hand: String },
    /// There is nothing to revoke (the outbox has no credential).
    NotApplicable,
}

/// A post as the platform lists it, for `reconcile`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemotePost {
    /// The same id postgate records when it publishes (status id, at:// URI, outbox id).
    pub id: String,
    pub url: String,
    pub created_at: Option<jiff::Timestamp>,
    /// Plain text, unsanitized: whoever shows it must sanitize it.
    pub text: String,
}

pub trait Platform {
    /// The post-length limit, possibly read from the server.
    fn limits(&self) -> Result<Limits>;
    /// The post's length as the platform counts it. Graphemes unless the platform says otherwise.
    fn length(&self, draft: &Draft) -> Result<usize> {
        Ok(crate::graphemes::count(&draft.text))
    }
    /// A session the platform opened or renewed during this run, to keep for the next one
    /// (Bluesky's refresh token). Most platforms have none.
    fn renewed_session(&self) -> Option<crate::redacted::Secret> {
        None
    }
    /// Asks the platform who the credential belongs to.
    fn identity(&self, credential: Option<&Credential>) -> Result<Identity>;
    /// Publishes once per key: a repeat with the same key returns the first post.
    fn publish(&self, credential: Option<&Credential>, draft: &Draft, key: &PostKey) -> Result<Published>;
    /// Replaces a post's text, keeping its history where the platform has one.
    fn edit(&self, credential: Option<&Credential>, id: &str, draft: &Draft) -> Result<Published>;
    /// Corrects a published post. By default an edit; platforms without one override this.
    fn correct(&self, credential: Option<&Credential>, id: &str, draft: &Draft, _key: &PostKey) -> Result<Published> {
        self.edit(credential, id, draft)
    }
    /// Removes a post. Repeating it is harmless.
    fn delete(&self, credential: Option<&Credential>, id: &str) -> Result<()>;
    /// Revokes the credential at the platform, then checks that the platform rejects it.
    fn revoke(&self, _credential: &Credential) -> Result<Revocation> {
        Ok(Revocation::NotApplicable)
    }
    /// The account's posts created since `since`, newest first. Works without a credential
    /// (public posts only), because `reconcile` must keep watching after a lockdown removed it.
    fn recent_posts(&self, credential: Option<&Credential>, since: jiff::Timestamp) -> Result<Vec<RemotePost>>;
}

/// Says on stderr that `recent_posts` stopped before reaching `since`, so that nobody reads a
/// clean reconcile as "nothing else was posted": older posts in the window were not checked.
pub(crate) fn listing_cut(platform: &str, why: &str, listed: usize, since: jiff::Timestamp) {
    crate::output::status(&format!(
        "warning: {platform}: {why}; only the newest {listed} post(s) were checked, not all since {}: \
         run reconcile more often, with a shorter --since",
        since.round(jiff::Unit::Second).unwrap_or(since)
    ));
}

/// Builds the platform client for an account. Credentials are passed per call, so the
/// transport never holds a secret longer than one request needs it.
/// The length and limits that can be known without asking the server: everything but a
/// Mastodon instance's own limits (`None` then). For `postgate check`, which runs offline.
pub fn offline_length(account: &Account, text: &str) -> (usize, Option<Limits>) {
    match account.platform {
        PlatformName::Outbox => (
            crate::graphemes::count(text),
            Some(Limits {
                max_characters: outbox::MAX_CHARACTERS,
                max_images: 4,
            }),
        ),
        PlatformName::Bluesky => (
            crate::graphemes::count(text),
            Some(Limits {
                max_characters: bluesky::MAX_GRAPHEMES,
                max_images: 4,
            }),
        ),
        // Every URL counts as 23 characters unless the instance says otherwise.
        PlatformName::Mastodon => (mastodon::count(text, 23), None),
    }
}

pub fn connect(account: &Account) -> Result<Box<dyn Platform>> {
    match &account.target {
        Target::Outbox { path } => Ok(Box::new(outbox::Outbox::new(path.clone(), account))),
        Target::Mastodon {
            instance,
            visibility,
            account_id,
        } => Ok(Box::new(mastodon::Mastodon::new(
            instance.clone(),
            *visibility,
            account.language.clone(),
            account.handle.clone(),
            account_id.clone(),
        )?)),
        Target::Bluesky {
            service,
            correction,
            web_host,
            did,
        } => Ok(Box::new(bluesky::Bluesky::new(
            service.clone(),
            &account.handle,
            account.language.clone(),
            *correction,
            web_host.clone(),
            did.clone(),
        )?)),
    }
}

/// Compares what the platform says with what the policy says: the handle always, the pinned
/// id when the policy has one. Returns a description of the difference.
pub fn identity_mismatch(account: &Account, identity: &Identity) -> Option<String> {
    use crate::account::{HandleMatch, compare_handle};
    let shown = crate::sanitize::one_line(&identity.handle);
    if compare_handle(&identity.handle, &account.handle) != HandleMatch::Exact {
        return Some(format!(
            "the policy says account `{}` is {}, but {} says the credential belongs to {shown}",
            account.name,
            account.handle,
            account.platform.as_str()
        ));
    }
    match (account.pinned_id(), &identity.id) {
        (Some(pinned), Some(actual)) if pinned != actual => Some(format!(
            "the policy pins account `{}` to id {pinned}, but {} says the credential belongs to id {} ({shown})",
            account.name,
            account.platform.as_str(),
            crate::sanitize::one_line(actual)
        )),
        (Some(pinned), None) => Some(format!(
            "the policy pins account `{}` to id {pinned}, but {} gave no id to compare",
            account.name,
            account.platform.as_str()
        )),
        _ => None,
    }
}

/// Checks a handle's syntax for its platform; the error says what is wrong.
pub fn validate_handle(platform: PlatformName, handle: &str) -> Result<(), String> {
    match platform {
        PlatformName::Outbox => outbox::validate_handle(handle),
        PlatformName::Mastodon => fediverse_handle(handle, true),
        PlatformName::Bluesky => domain_handle(handle.strip_prefix('@').unwrap_or(handle)),
    }
}

/// `@user@domain` (Mastodon and other ActivityPub servers); the domain is optional when
/// `require_domain` is false.
pub(crate) fn fediverse_handle(handle: &str, require_domain: bool) -> Result<(), String> {
    let rest = handle.strip_prefix('@').ok_or("it must start with `@`")?;
    let (user, domain) = match rest.split_once('@') {
        Some((u, d)) => (u, Some(d)),
        None => (rest, None),
    };
    if user.is_empty() {
        return Err("the user part is empty".into());
    }
    let ok_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-';
    if !user.chars().all(ok_char) || user.starts_with(['.', '-']) || user.ends_with(['.', '-']) {
        return Err("the user part may hold letters, digits and `_`, with `.` or `-` only inside".into());
    }
    match domain {
        // Local test servers name themselves `localhost:PORT`; only loopback may carry a port.
        Some(d) if is_loopback_domain(d) => Ok(()),
        Some(d) => domain_handle(d).map_err(|e| format!("the domain {e}")),
        None if require_domain => Err("it must be the full `@user@domain` form".into()),
        None => Ok(()),
    }
}

fn is_loopback_domain(domain: &str) -> bool {
    let (host, port) = domain.split_once(':').unwrap_or((domain, "0"));
    matches!(host, "localhost" | "127.0.0.1") && port.parse::<u16>().is_ok()
}

/// A DNS name with at least two labels, as Bluesky handles and fediverse domains are.
pub(crate) fn domain_handle(name: &str) -> Result<(), String> {
    if name.len() > 253 {
        return Err("is longer than 253 characters".into());
    }
    let labels: Vec<&str> = name.split('.').collect();
    if labels.len() < 2 {
        return Err(format!("`{name}` needs at least two labels, like `name.example.org`"));
    }
    for label in &labels {
        let valid = !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !valid {
            return Err(format!("`{name}` has an invalid label `{label}`"));
        }
    }
    if labels
        .last()
        .is_some_and(|tld| tld.starts_with(|c: char| c.is_ascii_digit()))
    {
        return Err(format!("`{name}` ends in a label that starts with a digit"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mastodon_needs_the_full_form() {
        assert!(validate_handle(PlatformName::Mastodon, "@culture@social.example.fr").is_ok());
        assert!(validate_handle(PlatformName::Mastodon, "@culture").is_err());
        assert!(validate_handle(PlatformName::Mastodon, "culture@social.example.fr").is_err());
        assert!(validate_handle(PlatformName::Mastodon, "@cul ture@social.example.fr").is_err());
        assert!(validate_handle(PlatformName::Mastodon, "@alice@localhost:3000").is_ok());
        assert!(validate_handle(PlatformName::Mastodon, "@alice@social.example:3000").is_err());
    }

    #[test]
    fn bluesky_handles_are_domains() {
        assert!(validate_handle(PlatformName::Bluesky, "ministere.bsky.social").is_ok());
        assert!(validate_handle(PlatformName::Bluesky, "@ministere.bsky.social").is_ok());
        assert!(validate_handle(PlatformName::Bluesky, "ministere").is_err());
        assert!(validate_handle(PlatformName::Bluesky, "a..b").is_err());
        assert!(validate_handle(PlatformName::Bluesky, "a.-b.fr").is_err());
        assert!(validate_handle(PlatformName::Bluesky, "a.b.123").is_err());
    }
}
