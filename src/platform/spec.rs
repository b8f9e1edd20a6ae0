//! What a platform is to postgate: its spec (the rules of the room), its client (what needs no
//! credential), and its session (what a credential opens).
//!
//! Every platform file implements these three traits; the registry in `platform/mod.rs` lists
//! the specs. Nothing outside `src/platform/` knows which platforms exist.

use crate::account::{Account, Correction, Destination, PlatformName, Visibility};
use crate::content::Draft;
use crate::credentials::Credential;
use crate::diagnostic::Diagnostic;
use anyhow::Result;
use reqwest::Url;
use serde::de::DeserializeOwned;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use toml::Spanned;
use toml::de::DeValue;

/// How far before an attempt's intent record its post may be dated: the server's clock may be
/// behind ours. The audit log's searches and a platform's own look before writing use the same.
pub const SERVER_CLOCK_MARGIN: jiff::SignedDuration = jiff::SignedDuration::from_mins(10);

/// Identifies one publish attempt. Platforms use it to make retries land once: the outbox as a
/// file name, Mastodon as the Idempotency-Key, Bluesky to derive the record key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostKey {
    pub id: String,
    /// The time a platform that orders record keys by time (Bluesky) puts in the key. Fixed
    /// for a plan, so that every run of it derives the same record key; `None` means now.
    pub at: Option<jiff::Timestamp>,
    /// When this attempt's intent was recorded: a platform that looks for its post after an
    /// unknown outcome (X) looks from there. `None` outside the pipeline.
    pub since: Option<jiff::Timestamp>,
    /// The posts the audit log already records on this account since the intent (less the
    /// server-clock margin): they are other attempts', so a look must not take one for this.
    pub recorded: Vec<String>,
}

impl PostKey {
    pub fn new(id: impl Into<String>) -> PostKey {
        PostKey::at(id, None)
    }

    /// A key whose platform time is `at`, not yet tied to an intent.
    pub fn at(id: impl Into<String>, at: Option<jiff::Timestamp>) -> PostKey {
        PostKey {
            id: id.into(),
            at,
            since: None,
            recorded: Vec::new(),
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
    /// Maximum post length, in the platform's own unit (see [`Client::length`]).
    pub max_characters: usize,
    /// Maximum number of attached images.
    pub max_images: usize,
    /// Maximum size of the text in UTF-8 bytes, where the platform has one besides its length.
    pub max_bytes: Option<usize>,
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
    /// There is nothing to revoke (the platform takes no credential).
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

/// How a correction reaches the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrectionStyle {
    /// An edit, which the platform shows with its history.
    Edit,
    /// The platform has no edit, and the account's `correction` says how to do without.
    Without(Correction),
}

impl CorrectionStyle {
    /// Whether correcting removes the original post, which only accounts that allow deleting
    /// may do.
    pub fn deletes_original(self) -> bool {
        self == CorrectionStyle::Without(Correction::DeleteAndRepost)
    }
}

/// How a post lands exactly once when a run dies between sending it and recording the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExactlyOnce {
    /// The server recognises a repeated key and answers with the first post, but only for
    /// `lifetime` (said in words as `lifetime_words`); after that a repeat would post twice.
    KeyIdempotent {
        lifetime: jiff::SignedDuration,
        lifetime_words: &'static str,
    },
    /// postgate chooses the post's own key (a record key, a file name), so a repeat finds the
    /// post instead of making a second one, however late.
    ClientKeyed,
    /// Neither: after an unknown outcome, the account's recent posts are searched for this
    /// post before any retry, and postgate refuses to guess when the search is inconclusive.
    LookBeforeWrite,
}

/// An account's keys that belong to its platform, with their spans, and what the platform
/// needs to validate them.
pub struct AccountKeys<'a, 'i> {
    /// A table of exactly the keys the platform declared ([`Spec::keys`]) that were written.
    pub table: Spanned<DeValue<'i>>,
    /// The account's name, for messages.
    pub name: &'a str,
    /// The span of the account's `platform` value: where a missing key is reported.
    pub platform_span: Range<usize>,
    /// The policy's folder, which relative paths are taken from.
    pub base: &'a Path,
}

impl AccountKeys<'_, '_> {
    /// Deserialises the platform's keys into its own raw type, each value with its span.
    pub fn parse<T: DeserializeOwned>(&self, diags: &mut Vec<Diagnostic>) -> Option<T> {
        let de = toml::de::ValueDeserializer::from(self.table.clone());
        match T::deserialize(de) {
            Ok(v) => Some(v),
            Err(e) => {
                diags.push(Diagnostic::of_toml(e));
                None
            }
        }
    }

    /// A required key is missing: said at the account's `platform`.
    pub fn missing(&self, platform: PlatformName, key: &str, diags: &mut Vec<Diagnostic>) {
        diags.push(Diagnostic::new(
            format!(
                "missing field `{key}` for {} account `{}`",
                platform.as_str(),
                self.name
            ),
            self.platform_span.clone(),
        ));
    }

    /// A folder or file the account needs cannot be placed: neither XDG_STATE_HOME nor HOME
    /// is set, and the policy gives no path. Said at the account's `platform`.
    pub fn missing_place(&self, what: &str, diags: &mut Vec<Diagnostic>) {
        diags.push(
            Diagnostic::new(
                format!(
                    "{what} of account `{}`: neither XDG_STATE_HOME nor HOME is set",
                    self.name
                ),
                self.platform_span.clone(),
            )
            .help("set `path` on the account"),
        );
    }

    /// A required server URL (see [`service_url`]), reported where it is wrong.
    pub fn required_url(
        &self,
        platform: PlatformName,
        key: &str,
        value: &Option<Spanned<String>>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Url> {
        let Some(v) = value else {
            self.missing(platform, key, diags);
            return None;
        };
        match service_url(v.get_ref()) {
            Ok(url) => Some(url),
            Err(why) => {
                diags.push(Diagnostic::new(format!("invalid `{key}` URL: {why}"), v.span()));
                None
            }
        }
    }
}

/// Service URLs must be https, except on loopback where test servers and local proxies live.
/// A credential must never travel in clear text over a real network.
pub fn service_url(text: &str) -> Result<Url, String> {
    // `social.example` is a relative URL to the parser, and `localhost:3000` one whose scheme is
    // `localhost`: both are a server named without its scheme.
    let expected = || {
        format!(
            "a URL with its scheme is expected, such as `https://{}`",
            text.trim().trim_start_matches('/')
        )
    };
    if !text.contains("://") {
        return Err(expected());
    }
    let url = Url::parse(text).map_err(|e| e.to_string())?;
    let host = url.host_str().ok_or("it has no host")?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => return Err("plain http is only allowed on loopback; use https".into()),
        other => return Err(format!("unsupported scheme `{other}`")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("credentials do not belong in the policy; use `postgate login`".into());
    }
    Ok(url)
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A URL's host with its port: how credentials are keyed (see [`Destination::host`]).
pub fn host_of(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// The account's recent posts as [`Client::recent_posts`] lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// Newest first.
    pub posts: Vec<RemotePost>,
    /// Why the listing stopped before reaching the time it was asked for, if it did: older
    /// posts were not seen, so "not listed" does not mean "not there".
    pub cut: Option<String>,
}

impl Listing {
    /// Every post since the time asked for.
    pub fn whole(posts: Vec<RemotePost>) -> Listing {
        Listing { posts, cut: None }
    }

    /// Only the newest posts: the listing stopped for the reason `why`.
    pub fn cut(posts: Vec<RemotePost>, why: impl Into<String>) -> Listing {
        Listing {
            posts,
            cut: Some(why.into()),
        }
    }
}

/// What `login` was asked to do, besides storing a credential for the account.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoginRequest {
    /// Secrets come from stdin, one per line, instead of a hidden prompt.
    pub secret_stdin: bool,
    /// Take the address the browser was redirected to on stdin instead of listening for it.
    pub paste: bool,
    /// Print the authorization address without opening a browser.
    pub no_browser: bool,
    /// Store OAuth 1.0a keys instead of running the OAuth 2.0 flow.
    pub oauth1: bool,
    /// Store the app-only bearer token that `reconcile` reads with, beside the credential.
    pub app_bearer: bool,
}

impl LoginRequest {
    /// The platform-specific options that were given, as they are spelled on the command line.
    pub fn options(&self) -> Vec<&'static str> {
        [
            (self.paste, "--paste"),
            (self.no_browser, "--no-browser"),
            (self.oauth1, "--oauth1"),
            (self.app_bearer, "--app-bearer"),
        ]
        .into_iter()
        .filter_map(|(given, name)| given.then_some(name))
        .collect()
    }
}

/// What a platform's own login flow obtained.
pub enum Obtained {
    /// The posting credential: `login` checks whose it is, then stores it.
    Credential(crate::redacted::Secret),
    /// A second secret the platform keeps beside the posting one, already checked by the flow
    /// (`checked` says how), stored under `suffix`.
    Beside {
        suffix: &'static str,
        secret: crate::redacted::Secret,
        checked: String,
    },
}

/// A platform's own way to obtain a credential at `login` (an OAuth flow), where one secret
/// typed at a hidden prompt is not enough.
pub trait LoginFlow: Sync {
    /// The [`LoginRequest::options`] this flow takes; any other is refused before it starts.
    fn options(&self) -> &'static [&'static str];
    /// Obtains the credential. `ask` reads one secret: from a hidden prompt, or the next line
    /// of stdin under `--secret-stdin`.
    fn obtain(
        &self,
        account: &Account,
        request: &LoginRequest,
        ask: &mut dyn FnMut(&str) -> Result<crate::redacted::Secret>,
    ) -> Result<Obtained>;
}

/// Everything postgate knows about one platform, in one place. One value per platform, listed
/// in the registry.
pub trait Spec: Sync {
    /// The name policies write as `platform = "…"`.
    fn name(&self) -> PlatformName;
    /// The platform's name in sentences ("Mastodon forgets…").
    fn title(&self) -> &'static str {
        self.name().as_str()
    }
    /// The handle's syntax; the error says what is wrong.
    fn validate_handle(&self, handle: &str) -> Result<(), String>;
    /// The policy keys this platform takes besides every account's own.
    fn keys(&self) -> &'static [&'static str];
    /// Help for one of [`Spec::keys`] found on another platform's account.
    fn key_help(&self, _key: &str) -> Option<&'static str> {
        None
    }
    /// Validates the platform's keys (only those of [`Spec::keys`] that were written) into the
    /// account's destination; every problem goes to `diags` with its span.
    fn destination(&self, keys: &AccountKeys, diags: &mut Vec<Diagnostic>) -> Option<Arc<dyn Destination>>;
    /// Whether publishing needs a secret. Platforms that need none take `credentials = "none"`.
    fn needs_credential(&self) -> bool {
        true
    }
    /// The length of `text` as the platform counts it, and the limits known without asking
    /// the server (`None` when only the server knows them). For `postgate check`, which runs
    /// offline, and as the limits' floor everywhere.
    fn offline(&self, account: &Account, text: &str) -> (usize, Option<Limits>);
    /// The largest image file the platform takes.
    fn max_image_bytes(&self) -> u64;
    /// The policy key that pins the account's stable id, for `login` to suggest.
    fn pin_key(&self) -> Option<&'static str> {
        None
    }
    /// A warning for `login` when a secret does not look like the kind this platform wants.
    fn secret_warning(&self, _secret: &str) -> Option<&'static str> {
        None
    }
    /// How corrections reach the platform for this account.
    fn correction(&self, account: &Account) -> CorrectionStyle;
    /// The account's default audience, where the platform has audiences.
    fn visibility(&self, _account: &Account) -> Option<Visibility> {
        None
    }
    /// How a post lands exactly once; see [`ExactlyOnce`].
    fn exactly_once(&self) -> ExactlyOnce;
    /// When the credential stops working, where the platform fixes it and postgate knows it
    /// (a token stored with its expiry). The pipeline refuses a credential past it and warns
    /// ahead of it; `accounts` shows it. A credential the platform renews returns `None`.
    fn credential_expiry(&self, _credential: &Credential) -> Option<jiff::Timestamp> {
        None
    }
    /// Who acts with the credential, where that is a person acting for the account (a LinkedIn
    /// member for an organization), as `login` recorded it: the banner names them.
    fn acting_as(&self, _credential: &Credential) -> Option<String> {
        None
    }
    /// What a length from [`Spec::offline`] counts, in words for the banner and refusals.
    fn length_unit(&self) -> &'static str {
        "characters"
    }
    /// What `policy check` should warn about this account on this platform.
    fn warnings(&self, _account: &Account) -> Vec<String> {
        Vec::new()
    }
    /// The platform's own login flow, where it has one; `None` takes one secret at a hidden
    /// prompt (or on stdin) and checks it.
    fn login_flow(&self) -> Option<&dyn LoginFlow> {
        None
    }
    /// The platform's client for an account. No request is made yet.
    fn connect(&self, account: &Account) -> Result<Box<dyn Client>>;
}

/// What can be done at the platform without a session: limits, listing, revoking.
pub trait Client {
    /// The post-length limit, possibly read from the server.
    fn limits(&self) -> Result<Limits>;
    /// The post's length as the platform counts it. Graphemes unless the platform says otherwise.
    fn length(&self, draft: &Draft) -> Result<usize> {
        Ok(crate::graphemes::count(&draft.text))
    }
    /// Opens a session with the credential (a login where the platform has sessions). This is
    /// the first request that carries the secret.
    fn open<'a>(&'a self, credential: Option<&'a Credential>) -> Result<Box<dyn Session + 'a>>;
    /// Revokes the credential at the platform, then checks that the platform rejects it. On the
    /// client, not a session: revoking must work when the credential no longer opens one.
    fn revoke(&self, _credential: &Credential) -> Result<Revocation> {
        Ok(Revocation::NotApplicable)
    }
    /// The account's posts created since `since`, newest first. Works without a credential
    /// (public posts only), because `reconcile` must keep watching after a lockdown removed it.
    fn recent_posts(&self, credential: Option<&Credential>, since: jiff::Timestamp) -> Result<Listing>;
}

/// A session borrowed from the client that opened it, as the outbox's session is the outbox.
impl<T: Session + ?Sized> Session for &T {
    fn identity(&self) -> Result<Identity> {
        (**self).identity()
    }
    fn renewed(&self) -> Option<crate::redacted::Secret> {
        (**self).renewed()
    }
    fn publish(&self, draft: &Draft, key: &PostKey) -> Result<Published> {
        (**self).publish(draft, key)
    }
    fn edit(&self, id: &str, draft: &Draft) -> Result<Published> {
        (**self).edit(id, draft)
    }
    fn correct(&self, id: &str, draft: &Draft, key: &PostKey) -> Result<Published> {
        (**self).correct(id, draft, key)
    }
    fn delete(&self, id: &str) -> Result<()> {
        (**self).delete(id)
    }
    fn recent_posts(&self, since: jiff::Timestamp) -> Result<Listing> {
        (**self).recent_posts(since)
    }
}

/// What a credential opened: every request made as the account.
pub trait Session {
    /// Asks the platform who the session belongs to.
    fn identity(&self) -> Result<Identity>;
    /// A session secret the platform issued or renewed while opening this one, to keep for the
    /// next run (Bluesky's refresh token). Most platforms have none.
    fn renewed(&self) -> Option<crate::redacted::Secret> {
        None
    }
    /// Publishes once per key: a repeat with the same key returns the first post.
    fn publish(&self, draft: &Draft, key: &PostKey) -> Result<Published>;
    /// Replaces a post's text, keeping its history where the platform has one.
    fn edit(&self, id: &str, draft: &Draft) -> Result<Published>;
    /// Corrects a published post. By default an edit; platforms without one override this.
    fn correct(&self, id: &str, draft: &Draft, _key: &PostKey) -> Result<Published> {
        self.edit(id, draft)
    }
    /// Removes a post. Repeating it is harmless.
    fn delete(&self, id: &str) -> Result<()>;
    /// The account's posts created since `since`, newest first, as the session sees them: with
    /// the token it opened with, which on platforms that rotate tokens is not the stored one.
    fn recent_posts(&self, since: jiff::Timestamp) -> Result<Listing>;
}

/// Stand-ins for the unit tests of what uses the traits above.
#[cfg(test)]
pub mod testing {
    use crate::content::Draft;
    use crate::platform::spec::{Identity, Listing, PostKey, Published, Session};
    use anyhow::Result;

    /// A session that only lists: what a listing says is all a search may use, and it sends
    /// nothing.
    pub struct Lists(pub Listing);

    impl Session for Lists {
        fn identity(&self) -> Result<Identity> {
            anyhow::bail!("not asked")
        }
        fn publish(&self, _: &Draft, _: &PostKey) -> Result<Published> {
            anyhow::bail!("looking sends nothing")
        }
        fn edit(&self, _: &str, _: &Draft) -> Result<Published> {
            anyhow::bail!("looking sends nothing")
        }
        fn delete(&self, _: &str) -> Result<()> {
            anyhow::bail!("looking sends nothing")
        }
        fn recent_posts(&self, _since: jiff::Timestamp) -> Result<Listing> {
            Ok(self.0.clone())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_on_loopback() {
        assert!(service_url("http://127.0.0.1:2583").is_ok());
        assert!(service_url("http://localhost:3000").is_ok());
        assert!(service_url("http://[::1]:3000").is_ok());
        assert!(service_url("http://social.example").is_err());
        assert!(service_url("https://user:pw@social.example").is_err());
    }
}
