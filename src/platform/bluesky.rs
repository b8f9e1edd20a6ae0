//! Bluesky, through the AT Protocol's XRPC API on the account's PDS.
//!
//! Credentials are app passwords. A run first tries the stored refresh token
//! (`refreshSession`) and only logs in again (`createSession`) when that fails, because logins
//! are rate-limited (30 per 5 minutes, 300 per day). Identity is the session's DID and handle;
//! DIDs are permanent while handles can change, so a policy should pin the DID.
//!
//! There is no idempotency key in XRPC. Instead the record key (a TID) is chosen here, once per
//! attempt: a retry writes to the same key, and if the first try had in fact landed, the
//! record is found there instead of being written twice.

use super::handles::domain_handle;
use super::http::{self, Answer, HttpError, ID_CAP, NAME_CAP, Retry, TEXT_CAP, URL_CAP, clip};
use super::spec::{
    AccountKeys, Client as PlatformClient, CorrectionStyle, ExactlyOnce, Identity, Limits, Listing, PostKey, Published,
    RemotePost, Revocation, Session, Spec, host_of,
};
use crate::account::{Account, Correction, Destination, PlatformName};
use crate::content::Draft;
use crate::credentials::Credential;
use crate::diagnostic::Diagnostic;
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::redacted::Secret;
use anyhow::Result;
use reqwest::Url;
use reqwest::blocking::Client;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

const NAME: &str = "bluesky";
const COLLECTION: &str = "app.bsky.feed.post";
/// The lexicon's `maxGraphemes` for a post's text.
pub const MAX_GRAPHEMES: usize = 300;
/// The lexicon's `maxLength` (UTF-8 bytes) for a post's text.
pub const MAX_BYTES: usize = 3000;

/// Bluesky's place in the registry.
pub static SPEC: BlueskySpec = BlueskySpec;

pub struct BlueskySpec;

/// A Bluesky account's PDS and what the policy fixes about it.
#[derive(Debug, Clone)]
pub struct Pds {
    pub service: Url,
    /// The DID the credential must belong to.
    pub did: Option<String>,
    /// How `postgate correct` corrects, since Bluesky has no edit.
    pub correction: Correction,
    /// The web host of post URLs (default bsky.app).
    pub web_host: String,
}

impl Destination for Pds {
    fn host(&self) -> String {
        host_of(&self.service)
    }

    fn pinned_id(&self) -> Option<&str> {
        self.did.as_deref()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Keys {
    service: Option<toml::Spanned<String>>,
    did: Option<toml::Spanned<String>>,
    correction: Option<toml::Spanned<Correction>>,
    web_host: Option<toml::Spanned<String>>,
}

fn valid_did(did: &str) -> bool {
    let valid_rest =
        |rest: &str| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || ".:-_%".contains(c));
    did.strip_prefix("did:plc:").is_some_and(valid_rest) || did.strip_prefix("did:web:").is_some_and(valid_rest)
}

impl Spec for BlueskySpec {
    fn name(&self) -> PlatformName {
        PlatformName::new(NAME)
    }

    fn title(&self) -> &'static str {
        "Bluesky"
    }

    /// A DNS name, written with or without a leading `@`.
    fn validate_handle(&self, handle: &str) -> Result<(), String> {
        domain_handle(handle.strip_prefix('@').unwrap_or(handle))
    }

    fn keys(&self) -> &'static [&'static str] {
        &["service", "did", "correction", "web_host"]
    }

    fn key_help(&self, key: &str) -> Option<&'static str> {
        (key == "correction").then_some("only Bluesky, which has no edit, needs a correction method")
    }

    fn destination(&self, keys: &AccountKeys, diags: &mut Vec<Diagnostic>) -> Option<Arc<dyn Destination>> {
        let raw: Keys = keys.parse(diags)?;
        if let Some(did) = &raw.did
            && !valid_did(did.get_ref())
        {
            diags.push(
                Diagnostic::new(
                    format!("invalid DID `{}`", crate::sanitize::one_line(did.get_ref())),
                    did.span(),
                )
                .help("a DID looks like did:plc:ewvi7nxzyoun6zhxrhs64oiz; `postgate login` prints it"),
            );
        }
        let did = raw.did.as_ref().map(|d| d.get_ref().clone());
        let correction = raw.correction.as_ref().map_or(Correction::Reply, |c| *c.get_ref());
        let web_host = match &raw.web_host {
            // A leading `@` was always accepted, as in a handle; the URLs are built without it.
            Some(h) if domain_handle(h.get_ref().strip_prefix('@').unwrap_or(h.get_ref())).is_ok() => {
                h.get_ref().trim_start_matches('@').to_string()
            }
            Some(h) => {
                diags.push(Diagnostic::new(
                    "`web_host` must be a host name like bsky.app",
                    h.span(),
                ));
                String::new()
            }
            None => "bsky.app".to_string(),
        };
        let service = keys.required_url(self.name(), "service", &raw.service, diags)?;
        Some(Arc::new(Pds {
            service,
            did,
            correction,
            web_host,
        }))
    }

    fn offline(&self, _account: &Account, text: &str) -> (usize, Option<Limits>) {
        (crate::graphemes::count(text), Some(LIMITS))
    }

    /// The `app.bsky.embed.images` lexicon caps an image blob at 1,000,000 bytes.
    fn max_image_bytes(&self) -> u64 {
        1_000_000
    }

    fn pin_key(&self) -> Option<&'static str> {
        Some("did")
    }

    fn secret_warning(&self, secret: &str) -> Option<&'static str> {
        (!looks_like_app_password(secret)).then_some(
            "this does not look like a Bluesky app password (xxxx-xxxx-xxxx-xxxx).\n\
             An app password can post but cannot change the account's password or delete it, and can be\n\
             revoked on its own. Create one in Settings → Privacy and security → App passwords, and keep\n\
             the account's main password out of scripts and keychains.",
        )
    }

    /// Bluesky has no edit: the account's `correction` decides.
    fn correction(&self, account: &Account) -> CorrectionStyle {
        CorrectionStyle::Without(account.destination::<Pds>().map_or(Correction::Reply, |p| p.correction))
    }

    /// The record key (a TID) is chosen here, once per attempt.
    fn exactly_once(&self) -> ExactlyOnce {
        ExactlyOnce::ClientKeyed
    }

    fn connect(&self, account: &Account) -> Result<Box<dyn PlatformClient>> {
        let pds = account.destination::<Pds>().ok_or_else(|| {
            Failure::new(
                ExitCode::Platform,
                format!("account `{}` is not a {NAME} account", account.name),
            )
        })?;
        Ok(Box::new(Bluesky::new(
            pds.service.clone(),
            &account.handle,
            account.language.clone(),
            pds.correction,
            pds.web_host.clone(),
            pds.did.clone(),
        )?))
    }
}

/// app.bsky.embed.images takes at most 4 images; the lexicon caps the text at 3,000 UTF-8
/// bytes besides its graphemes, which dense scripts reach first.
const LIMITS: Limits = Limits {
    max_characters: MAX_GRAPHEMES,
    max_images: 4,
    max_bytes: Some(MAX_BYTES),
};

pub struct Bluesky {
    base: Url,
    client: Client,
    /// The policy's handle, used to log in.
    identifier: String,
    language: Option<String>,
    correction: Correction,
    web_host: String,
    /// The DID the policy pins, if any: `reconcile` lists that repository.
    did: Option<String>,
}

#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Tokens {
    access_jwt: Secret,
    refresh_jwt: Secret,
    handle: String,
    did: String,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("handle", &self.handle)
            .field("did", &self.did)
            .finish_non_exhaustive()
    }
}

/// True for the `xxxx-xxxx-xxxx-xxxx` form of app passwords.
pub fn looks_like_app_password(secret: &str) -> bool {
    let parts: Vec<&str> = secret.split('-').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| p.len() == 4 && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

const TID_ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";

/// A record key (TID): microseconds since the epoch and 10 "clock id" bits, in base32-sortable.
/// The clock bits come from the post key, so two attempts in the same microsecond still differ.
pub fn tid(at: jiff::Timestamp, key: &PostKey) -> String {
    let micros = (at.as_microsecond().max(0) as u64) & ((1 << 53) - 1);
    let clock = u64::from_str_radix(key.id.get(..3).unwrap_or("0"), 16).unwrap_or(0) & 0x3ff;
    let value = (micros << 10) | clock;
    (0..13)
        .rev()
        .map(|i| TID_ALPHABET[((value >> (i * 5)) & 0x1f) as usize] as char)
        .collect()
}

/// The time a record key (TID) carries, if it is one.
pub fn tid_time(rkey: &str) -> Option<jiff::Timestamp> {
    if rkey.len() != 13 {
        return None;
    }
    let mut value: u64 = 0;
    for c in rkey.bytes() {
        let digit = TID_ALPHABET.iter().position(|&a| a == c)? as u64;
        value = (value << 5) | digit;
    }
    jiff::Timestamp::from_microsecond(((value >> 10) & ((1 << 53) - 1)) as i64).ok()
}

/// Records one `listRecords` page asks for (the lexicon's maximum).
const PAGE: usize = 100;
/// The most `listRecords` pages `reconcile` reads (1,000 records): a server that always hands
/// out a new cursor must not keep it listing forever.
pub const MAX_PAGES: usize = 10;

/// Rich-text facets with UTF-8 byte offsets: links, hashtags and mentions. Mentions need a
/// DID, so `resolve` is asked for each one; unresolvable mentions stay plain text.
pub fn facets(text: &str, resolve: &mut dyn FnMut(&str) -> Option<String>) -> Vec<Value> {
    let mut out = Vec::new();
    let mut offset = 0;
    for token in text.split_inclusive(char::is_whitespace) {
        let word = token.trim_end_matches(char::is_whitespace);
        let start = offset;
        offset += token.len();
        if word.is_empty() {
            continue;
        }
        let trimmed = word.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '»', '"', '\'']);
        let end = start + trimmed.len();
        let index = json!({ "byteStart": start, "byteEnd": end });
        if (trimmed.starts_with("https://") || trimmed.starts_with("http://")) && Url::parse(trimmed).is_ok() {
            out.push(
                json!({ "index": index, "features": [{ "$type": "app.bsky.richtext.facet#link", "uri": trimmed }] }),
            );
        } else if let Some(tag) = trimmed.strip_prefix('#') {
            if !tag.is_empty()
                && tag.chars().all(|c| c.is_alphanumeric() || c == '_')
                && !tag.chars().all(|c| c.is_ascii_digit())
            {
                out.push(
                    json!({ "index": index, "features": [{ "$type": "app.bsky.richtext.facet#tag", "tag": tag }] }),
                );
            }
        } else if let Some(handle) = trimmed.strip_prefix('@')
            && domain_handle(handle).is_ok()
            && let Some(did) = resolve(&handle.to_ascii_lowercase())
        {
            out.push(
                json!({ "index": index, "features": [{ "$type": "app.bsky.richtext.facet#mention", "did": did }] }),
            );
        }
    }
    out
}

fn secret(credential: Option<&Credential>) -> Result<&Credential> {
    credential.ok_or_else(|| {
        Failure::new(ExitCode::Credential, "bluesky needs an app password")
            .hint("run `postgate login NAME`")
            .into()
    })
}

impl Bluesky {
    pub fn new(
        base: Url,
        handle: &str,
        language: Option<String>,
        correction: Correction,
        web_host: String,
        did: Option<String>,
    ) -> Result<Bluesky> {
        let identifier = handle.trim_start_matches('@').to_ascii_lowercase();
        Ok(Bluesky {
            base,
            client: http::client()?,
            identifier,
            language,
            correction,
            web_host,
            did,
        })
    }

    fn xrpc(&self, method: &str) -> Result<Url> {
        self.base
            .join(&format!("/xrpc/{method}"))
            .map_err(|e| Failure::new(ExitCode::Platform, format!("bad URL for {method}: {e}")).into())
    }

    fn json<T: for<'de> Deserialize<'de>>(
        resp: reqwest::blocking::Response,
        answer: Answer,
        action: &str,
    ) -> Result<T> {
        Ok(http::read_json(resp, answer, NAME, action)?)
    }

    /// A session as the server gave it, its names cut to size: they reach URLs and messages.
    fn session(resp: reqwest::blocking::Response, action: &str) -> Result<Tokens> {
        let mut session: Tokens = Self::json(resp, Answer::Identity, action)?;
        session.handle = clip(&session.handle, NAME_CAP);
        session.did = clip(&session.did, ID_CAP);
        Ok(session)
    }

    /// Opens a session: the stored refresh token if it still works, else a fresh login.
    fn open_session(&self, credential: &Credential) -> Result<Tokens> {
        if let Some(refresh) = &credential.session {
            let url = self.xrpc("com.atproto.server.refreshSession")?;
            match http::send(
                || self.client.post(url.clone()).bearer_auth(refresh.expose()),
                Retry::Safe,
            ) {
                Ok(resp) => return Self::session(resp, "renewing the session"),
                // An expired or revoked refresh token just means logging in again.
                Err(HttpError::Status { status, .. }) if status.is_client_error() => {}
                Err(e) => return Err(e.into_failure(NAME, "renewing the session").into()),
            }
        }
        let url = self.xrpc("com.atproto.server.createSession")?;
        let body = json!({ "identifier": self.identifier, "password": credential.secret.expose() });
        let resp = http::send(|| self.client.post(url.clone()).json(&body), Retry::Safe).map_err(|e| match e {
            HttpError::Status { status, message, .. } if status.as_u16() == 401 => Failure::new(
                ExitCode::Credential,
                format!("{NAME}: logging in: {message}"),
            )
            .hint("the app password was refused; create a new one in Settings → Privacy and security → App passwords, then `postgate login NAME`"),
            e => e.into_failure(NAME, "logging in"),
        })?;
        Self::session(resp, "logging in")
    }

    fn get_record(&self, session: &Tokens, rkey: &str) -> Result<Option<Value>> {
        let mut url = self.xrpc("com.atproto.repo.getRecord")?;
        url.query_pairs_mut()
            .append_pair("repo", &session.did)
            .append_pair("collection", COLLECTION)
            .append_pair("rkey", rkey);
        match http::send(
            || self.client.get(url.clone()).bearer_auth(session.access_jwt.expose()),
            Retry::Safe,
        ) {
            Ok(resp) => Ok(Some(Self::json(resp, Answer::Post, "reading a post")?)),
            Err(HttpError::Status { status, .. }) if status.as_u16() == 400 || status.as_u16() == 404 => Ok(None),
            Err(e) => Err(e.into_failure(NAME, "reading a post").into()),
        }
    }

    fn resolve_handle(&self, handle: &str) -> Option<String> {
        let mut url = self.xrpc("com.atproto.identity.resolveHandle").ok()?;
        url.query_pairs_mut().append_pair("handle", handle);
        let resp = http::send(|| self.client.get(url.clone()), Retry::Safe).ok()?;
        let v: Value = http::read_json(resp, Answer::Identity, NAME, "resolving a mention").ok()?;
        // A DID that does not fit is not used: a cut one would point the mention elsewhere.
        v["did"].as_str().filter(|d| d.len() <= ID_CAP).map(str::to_string)
    }

    /// `at://did/app.bsky.feed.post/rkey` or a bsky.app post URL → (repo, rkey).
    fn parse_reference(reference: &str) -> Option<(String, String)> {
        let r = reference.trim();
        if let Some(rest) = r.strip_prefix("at://") {
            let parts: Vec<&str> = rest.split('/').collect();
            return (parts.len() == 3 && parts[1] == COLLECTION).then(|| (parts[0].to_string(), parts[2].to_string()));
        }
        let url = Url::parse(r).ok()?;
        let segs: Vec<&str> = url.path_segments()?.collect();
        (segs.len() == 4 && segs[0] == "profile" && segs[2] == "post")
            .then(|| (segs[1].to_string(), segs[3].to_string()))
    }

    /// The `reply` block: the parent, and the root of its thread.
    fn reply_block(&self, session: &Tokens, reference: &str) -> Result<Value> {
        let bad = || {
            Failure::new(
                ExitCode::Usage,
                format!(
                    "`{}` is not a Bluesky post (at://… or https://bsky.app/profile/…/post/…)",
                    crate::sanitize::one_line(reference)
                ),
            )
        };
        let (repo, rkey) = Self::parse_reference(reference).ok_or_else(bad)?;
        let mut url = self.xrpc("com.atproto.repo.getRecord")?;
        url.query_pairs_mut()
            .append_pair("repo", &repo)
            .append_pair("collection", COLLECTION)
            .append_pair("rkey", &rkey);
        let resp = http::send(
            || self.client.get(url.clone()).bearer_auth(session.access_jwt.expose()),
            Retry::Safe,
        )
        .map_err(|e| e.into_failure(NAME, "reading the post replied to"))?;
        let parent: Value = Self::json(resp, Answer::Post, "reading the post replied to")?;
        let parent_ref = json!({ "uri": parent["uri"], "cid": parent["cid"] });
        let root = parent["value"]["reply"]["root"].clone();
        Ok(json!({ "root": if root.is_null() { parent_ref.clone() } else { root }, "parent": parent_ref }))
    }

    fn published(&self, session: &Tokens, uri: String, rkey: &str, replayed: bool) -> Published {
        let url = format!("https://{}/profile/{}/post/{rkey}", self.web_host, session.handle);
        Published { id: uri, url, replayed }
    }
}

impl PlatformClient for Bluesky {
    fn limits(&self) -> Result<Limits> {
        Ok(LIMITS)
    }

    fn length(&self, draft: &Draft) -> Result<usize> {
        // The lexicon also caps the text at 3,000 UTF-8 bytes, which dense scripts reach first.
        if draft.text.len() > MAX_BYTES {
            return Err(Failure::new(
                ExitCode::ContentRefused,
                format!("the post is {} bytes; bluesky allows {MAX_BYTES}", draft.text.len()),
            )
            .hint("shorten it; nothing was sent")
            .into());
        }
        Ok(crate::graphemes::count(&draft.text))
    }

    /// Logs in: the stored refresh token if it still works, else the app password.
    fn open<'a>(&'a self, credential: Option<&'a Credential>) -> Result<Box<dyn Session + 'a>> {
        let tokens = self.open_session(secret(credential)?)?;
        Ok(Box::new(BlueskySession { client: self, tokens }))
    }

    fn revoke(&self, credential: &Credential) -> Result<Revocation> {
        let by_hand = "revoke the app password in Settings → Privacy and security → App passwords: an app \
                       password cannot revoke app passwords, and whoever holds it can open new sessions"
            .to_string();
        let Some(refresh) = &credential.session else {
            return Ok(Revocation::Partial {
                done: "no session was kept".into(),
                by_hand,
            });
        };
        let url = self.xrpc("com.atproto.server.deleteSession")?;
        match http::send(
            || self.client.post(url.clone()).bearer_auth(refresh.expose()),
            Retry::Safe,
        ) {
            Ok(_) => {}
            // Already expired or revoked: the check below says which.
            Err(HttpError::Status { status, .. }) if status.is_client_error() => {}
            Err(e) => return Err(e.into_failure(NAME, "ending the session").into()),
        }
        let check = self.xrpc("com.atproto.server.refreshSession")?;
        match http::send(
            || self.client.post(check.clone()).bearer_auth(refresh.expose()),
            Retry::Safe,
        ) {
            Err(HttpError::Status { status, .. }) if status.is_client_error() => Ok(Revocation::Partial {
                done: "session ended (the server now rejects it)".into(),
                by_hand,
            }),
            Ok(_) => Err(Failure::new(
                ExitCode::Platform,
                format!("{NAME}: the session is NOT ended: the server still renews it"),
            )
            .hint(by_hand)
            .into()),
            Err(e) => Err(e.into_failure(NAME, "checking the session").into()),
        }
    }

    fn recent_posts(&self, _credential: Option<&Credential>, since: jiff::Timestamp) -> Result<Listing> {
        // listRecords is public: no session, so this works after a lockdown removed the secret.
        let repo = self.did.clone().unwrap_or_else(|| self.identifier.clone());
        let mut posts = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut url = self.xrpc("com.atproto.repo.listRecords")?;
            url.query_pairs_mut()
                .append_pair("repo", &repo)
                .append_pair("collection", COLLECTION)
                .append_pair("limit", &PAGE.to_string());
            if let Some(c) = &cursor {
                url.query_pairs_mut().append_pair("cursor", c);
            }
            let resp = http::send(|| self.client.get(url.clone()), Retry::Safe)
                .map_err(|e| e.into_failure(NAME, "listing the account's posts"))?;
            let page: Value = Self::json(resp, Answer::Page, "listing the account's posts")?;
            let records = page["records"].as_array().cloned().unwrap_or_default();
            let mut older = false;
            for record in &records {
                let uri = record["uri"].as_str().unwrap_or_default().to_string();
                let rkey = uri.rsplit('/').next().unwrap_or_default().to_string();
                let key_time = tid_time(&rkey);
                // createdAt is the client's word; the record key orders the listing. A post is
                // listed if either is recent, so backdating one of them does not hide it.
                let created_at = record["value"]["createdAt"]
                    .as_str()
                    .and_then(|t| t.parse::<jiff::Timestamp>().ok());
                let recent = |t: Option<jiff::Timestamp>| t.is_none_or(|t| t >= since);
                if key_time.is_some_and(|t| t < since) {
                    older = true;
                }
                if !recent(key_time) && !recent(created_at) {
                    continue;
                }
                let handle = self.identifier.clone();
                posts.push(RemotePost {
                    url: clip(
                        &format!("https://{}/profile/{handle}/post/{rkey}", self.web_host),
                        URL_CAP,
                    ),
                    id: clip(&uri, URL_CAP),
                    created_at,
                    text: clip(record["value"]["text"].as_str().unwrap_or_default(), TEXT_CAP),
                });
            }
            let next = page["cursor"].as_str().map(str::to_string);
            if older || next.is_none() || records.len() < PAGE {
                return Ok(Listing::whole(posts));
            }
            // A cursor that does not move would list the same page for ever.
            if next == cursor {
                return Ok(Listing::cut(posts, "the server repeated its cursor"));
            }
            cursor = next;
        }
        Ok(Listing::cut(
            posts,
            format!("the listing stops after {MAX_PAGES} pages"),
        ))
    }
}

/// Requests made with a session's access token.
struct BlueskySession<'a> {
    client: &'a Bluesky,
    tokens: Tokens,
}

impl Session for BlueskySession<'_> {
    fn identity(&self) -> Result<Identity> {
        let b = self.client;
        // Ask again with the access token: this is the identity the PDS will write as.
        let url = b.xrpc("com.atproto.server.getSession")?;
        let resp = http::send(
            || b.client.get(url.clone()).bearer_auth(self.tokens.access_jwt.expose()),
            Retry::Safe,
        )
        .map_err(|e| e.into_failure(NAME, "checking the session"))?;
        let who: Value = Bluesky::json(resp, Answer::Identity, "checking the session")?;
        let handle = clip(who["handle"].as_str().unwrap_or_default(), NAME_CAP);
        let did = clip(who["did"].as_str().unwrap_or_default(), ID_CAP);
        Ok(Identity { handle, id: Some(did) })
    }

    fn renewed(&self) -> Option<Secret> {
        Some(self.tokens.refresh_jwt.clone())
    }

    fn publish(&self, draft: &Draft, key: &PostKey) -> Result<Published> {
        let session = &self.tokens;
        let b = self.client;
        let rkey = tid(key.at.unwrap_or_else(jiff::Timestamp::now), key);
        let mut record = json!({
            "$type": COLLECTION,
            "text": draft.text,
            "createdAt": jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        });
        if let Some(lang) = draft.language.as_ref().or(b.language.as_ref()) {
            record["langs"] = json!([lang]);
        }
        let facets = facets(&draft.text, &mut |h| b.resolve_handle(h));
        if !facets.is_empty() {
            record["facets"] = json!(facets);
        }
        if let Some(reply) = &draft.reply_to {
            record["reply"] = b.reply_block(session, reply)?;
        }
        if !draft.images.is_empty() {
            let mut images = Vec::new();
            for image in &draft.images {
                let url = b.xrpc("com.atproto.repo.uploadBlob")?;
                // Uploading the same bytes twice yields the same blob: safe to retry.
                let resp = http::send(
                    || {
                        b.client
                            .post(url.clone())
                            .bearer_auth(session.access_jwt.expose())
                            .header("Content-Type", image.mime)
                            .body(image.bytes.clone())
                    },
                    Retry::Safe,
                )
                .map_err(|e| e.into_failure(NAME, "uploading an image"))?;
                let uploaded: Value = Bluesky::json(resp, Answer::Media, "uploading an image")?;
                images.push(json!({ "alt": image.alt.clone().unwrap_or_default(), "image": uploaded["blob"] }));
            }
            record["embed"] = json!({ "$type": "app.bsky.embed.images", "images": images });
        }
        let body = json!({ "repo": session.did, "collection": COLLECTION, "rkey": rkey, "record": record });
        let url = b.xrpc("com.atproto.repo.createRecord")?;
        let mut last = None;
        for attempt in 1..=http::MAX_ATTEMPTS {
            match http::send(
                || {
                    b.client
                        .post(url.clone())
                        .bearer_auth(session.access_jwt.expose())
                        .json(&body)
                },
                Retry::Never,
            ) {
                Ok(resp) => {
                    let created: Value = Bluesky::json(resp, Answer::Post, "publishing")?;
                    let uri = created["uri"].as_str().filter(|u| !u.is_empty()).ok_or_else(|| {
                        Failure::new(
                            ExitCode::Platform,
                            format!("{NAME}: publishing: the server answered without the post's address"),
                        )
                        .hint(format!(
                            "the post may exist under record key {rkey}; check before posting again"
                        ))
                    })?;
                    return Ok(b.published(session, clip(uri, URL_CAP), &rkey, attempt > 1));
                }
                Err(e @ HttpError::Status { .. }) if !matches!(&e, HttpError::Status { status, .. } if status.is_server_error() || status.as_u16() == 429) =>
                {
                    return Err(e.into_failure(NAME, "publishing").into());
                }
                Err(e) => {
                    // The first try may have landed: the key is ours, so look before writing again.
                    // If the look fails too, the write's fate is unknown, whatever the look says.
                    let found = b.get_record(session, &rkey).map_err(|look| {
                        look.context(
                            Failure::new(
                                ExitCode::Platform,
                                format!("{NAME}: publishing: {}; the outcome is unknown", http::describe(&e)),
                            )
                            .hint(format!(
                                "the post may exist under record key {rkey}: check the account before posting again"
                            )),
                        )
                    })?;
                    if let Some(found) = found {
                        let uri = found["uri"].as_str().map_or_else(
                            || format!("at://{}/{COLLECTION}/{rkey}", session.did),
                            |u| clip(u, URL_CAP),
                        );
                        return Ok(b.published(session, uri, &rkey, true));
                    }
                    if attempt < http::MAX_ATTEMPTS {
                        eprintln!(
                            "postgate: bluesky: publishing failed; trying again under the same record key ({attempt}/{})",
                            http::MAX_ATTEMPTS - 1
                        );
                        std::thread::sleep(std::time::Duration::from_millis(500 * 2u64.pow(attempt - 1)));
                    }
                    last = Some(e);
                }
            }
        }
        Err(last.map_or_else(
            || anyhow::anyhow!("publishing failed"),
            |e| e.into_failure(NAME, "publishing").into(),
        ))
    }

    fn correct(&self, id: &str, draft: &Draft, key: &PostKey) -> Result<Published> {
        match self.client.correction {
            Correction::Reply => {
                let reply = Draft {
                    reply_to: Some(id.to_string()),
                    ..draft.clone()
                };
                self.publish(&reply, key)
            }
            Correction::DeleteAndRepost => {
                self.delete(id)?;
                self.publish(draft, key).map_err(|e| {
                    // The old post is gone: the person must not read "nothing published" and
                    // think the original still stands.
                    e.context(
                        Failure::new(
                            ExitCode::Incomplete,
                            format!(
                                "the original post {} WAS DELETED, but the corrected post could not be published",
                                crate::sanitize::one_line(id)
                            ),
                        )
                        .hint("publish the correction now with `postgate post`; the deletion is in the audit log"),
                    )
                })
            }
        }
    }

    fn edit(&self, _id: &str, _draft: &Draft) -> Result<Published> {
        Err(Failure::new(
            ExitCode::Usage,
            "Bluesky has no edit; publish the correction as a reply to the post",
        )
        .into())
    }

    fn delete(&self, id: &str) -> Result<()> {
        let session = &self.tokens;
        let b = self.client;
        let (repo, rkey) = Bluesky::parse_reference(id).ok_or_else(|| {
            Failure::new(
                ExitCode::Usage,
                format!("`{}` is not a Bluesky post", crate::sanitize::one_line(id)),
            )
        })?;
        // deleteRecord only ever acts on the session's own repo; a reference to someone else's
        // post must not quietly delete ours that happens to share the record key.
        if repo != session.did && !repo.eq_ignore_ascii_case(&session.handle) {
            return Err(Failure::new(
                ExitCode::Usage,
                format!(
                    "`{}` belongs to {}, not to this account ({})",
                    crate::sanitize::one_line(id),
                    crate::sanitize::one_line(&repo),
                    session.handle
                ),
            )
            .hint("an account can only delete its own posts; check the reference")
            .into());
        }
        // deleteRecord succeeds on a missing record too; look first so "deleted" is true.
        if b.get_record(session, &rkey)?.is_none() {
            return Err(Failure::new(
                ExitCode::Platform,
                format!("bluesky: there is no post {} to delete", crate::sanitize::one_line(id)),
            )
            .hint("it may already be deleted; `postgate log` shows what postgate did")
            .into());
        }
        let url = b.xrpc("com.atproto.repo.deleteRecord")?;
        let body = json!({ "repo": session.did, "collection": COLLECTION, "rkey": rkey });
        // deleteRecord "ensures it doesn't exist": safe to repeat.
        http::send(
            || {
                b.client
                    .post(url.clone())
                    .bearer_auth(session.access_jwt.expose())
                    .json(&body)
            },
            Retry::Safe,
        )
        .map_err(|e| e.into_failure(NAME, "deleting"))?;
        Ok(())
    }

    /// `listRecords` is public: the session adds nothing to it.
    fn recent_posts(&self, since: jiff::Timestamp) -> Result<Listing> {
        PlatformClient::recent_posts(self.client, None, since)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_domains() {
        let ok = |h: &str| SPEC.validate_handle(h).is_ok();
        assert!(ok("ministere.bsky.social"));
        assert!(ok("@ministere.bsky.social"));
        assert!(!ok("ministere"));
        assert!(!ok("a..b"));
        assert!(!ok("a.-b.fr"));
        assert!(!ok("a.b.123"));
    }

    #[test]
    fn app_passwords_have_four_groups_of_four() {
        assert!(looks_like_app_password("abcd-efgh-ijkl-mnop"));
        assert!(looks_like_app_password("ab12-ef34-ij56-mn78"));
        assert!(!looks_like_app_password("correct horse battery staple"));
        assert!(!looks_like_app_password("abcd-efgh-ijkl"));
    }

    #[test]
    fn tid_times_round_trip() {
        let at = jiff::Timestamp::from_microsecond(1_700_000_000_123_456).unwrap();
        assert_eq!(tid_time(&tid(at, &PostKey::new("fff"))), Some(at));
        assert_eq!(tid_time("self"), None);
        assert_eq!(tid_time("3jzfcijpj2z2!"), None);
    }

    #[test]
    fn tids_are_13_sortable_characters() {
        let key = PostKey::new("abc".repeat(20));
        let a = tid(jiff::Timestamp::from_second(1_700_000_000).unwrap(), &key);
        let b = tid(jiff::Timestamp::from_second(1_700_000_001).unwrap(), &key);
        assert_eq!(a.len(), 13);
        assert!(a < b);
        assert!(a.chars().all(|c| TID_ALPHABET.contains(&(c as u8))));
        assert!("234567abcdefghij".contains(a.chars().next().unwrap()));
    }

    #[test]
    fn facets_use_utf8_byte_offsets() {
        let text = "Élection : https://www.interieur.gouv.fr. #Vote2026 @culture.gouv.fr !";
        let found = facets(text, &mut |h| {
            (h == "culture.gouv.fr").then(|| "did:plc:abc".to_string())
        });
        assert_eq!(found.len(), 3);
        let link = &found[0];
        let (s, e) = (
            link["index"]["byteStart"].as_u64().unwrap() as usize,
            link["index"]["byteEnd"].as_u64().unwrap() as usize,
        );
        assert_eq!(&text[s..e], "https://www.interieur.gouv.fr");
        let tag = &found[1];
        assert_eq!(tag["features"][0]["tag"], "Vote2026");
        let (s, e) = (
            tag["index"]["byteStart"].as_u64().unwrap() as usize,
            tag["index"]["byteEnd"].as_u64().unwrap() as usize,
        );
        assert_eq!(&text[s..e], "#Vote2026");
        assert_eq!(found[2]["features"][0]["did"], "did:plc:abc");
    }

    #[test]
    fn references_are_at_uris_or_bsky_urls() {
        assert_eq!(
            Bluesky::parse_reference("at://did:plc:abc/app.bsky.feed.post/3kabc"),
            Some(("did:plc:abc".into(), "3kabc".into()))
        );
        assert_eq!(
            Bluesky::parse_reference("https://bsky.app/profile/culture.gouv.fr/post/3kabc"),
            Some(("culture.gouv.fr".into(), "3kabc".into()))
        );
        assert_eq!(Bluesky::parse_reference("3kabc"), None);
    }
}
