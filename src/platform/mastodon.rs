//! Mastodon, through its client API.
//!
//! Identity is `@username@domain`: the username from `verify_credentials`, the domain from
//! `/api/v2/instance` (the WebFinger domain, which can differ from the API host). Posts carry
//! an `Idempotency-Key` derived from the post key; Mastodon keeps it for an hour and answers a
//! repeat with the original status, which is what makes retries safe.

use super::handles::fediverse_handle;
use super::http::{self, Answer, ID_CAP, NAME_CAP, Retry, TEXT_CAP, URL_CAP, clip};
use super::spec::{
    AccountKeys, Client as PlatformClient, CorrectionStyle, ExactlyOnce, Identity, Limits, Listing, PostKey, Published,
    RemotePost, Revocation, Session, Spec, host_of,
};
use crate::account::{Account, Destination, PlatformName, Visibility};
use crate::content::{Draft, Image};
use crate::credentials::Credential;
use crate::diagnostic::Diagnostic;
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use anyhow::Result;
use reqwest::Url;
use reqwest::blocking::{Client, RequestBuilder};
use serde::Deserialize;
use std::cell::OnceCell;
use std::sync::Arc;
use unicode_segmentation::UnicodeSegmentation;

const NAME: &str = "mastodon";

/// Mastodon's place in the registry.
pub static SPEC: MastodonSpec = MastodonSpec;

pub struct MastodonSpec;

/// A Mastodon account's server and what the policy fixes about it.
#[derive(Debug, Clone)]
pub struct Server {
    pub instance: Url,
    /// The account id the credential must belong to.
    pub account_id: Option<String>,
    /// The default visibility of posts.
    pub visibility: Visibility,
}

impl Destination for Server {
    fn host(&self) -> String {
        host_of(&self.instance)
    }

    fn pinned_id(&self) -> Option<&str> {
        self.account_id.as_deref()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Keys {
    instance: Option<toml::Spanned<String>>,
    account_id: Option<toml::Spanned<String>>,
    visibility: Option<toml::Spanned<Visibility>>,
}

impl Spec for MastodonSpec {
    fn name(&self) -> PlatformName {
        PlatformName::new(NAME)
    }

    fn title(&self) -> &'static str {
        "Mastodon"
    }

    fn validate_handle(&self, handle: &str) -> Result<(), String> {
        fediverse_handle(handle, true)
    }

    fn keys(&self) -> &'static [&'static str] {
        &["instance", "account_id", "visibility"]
    }

    fn destination(&self, keys: &AccountKeys, diags: &mut Vec<Diagnostic>) -> Option<Arc<dyn Destination>> {
        let raw: Keys = keys.parse(diags)?;
        if let Some(id) = &raw.account_id
            && (id.get_ref().is_empty() || !id.get_ref().chars().all(|c| c.is_ascii_alphanumeric()))
        {
            diags.push(Diagnostic::new(
                "`account_id` must be the account's id, as digits and letters",
                id.span(),
            ));
        }
        let account_id = raw.account_id.as_ref().map(|i| i.get_ref().clone());
        let visibility = raw.visibility.as_ref().map_or(Visibility::Public, |v| *v.get_ref());
        let instance = keys.required_url(self.name(), "instance", &raw.instance, diags)?;
        Some(Arc::new(Server {
            instance,
            account_id,
            visibility,
        }))
    }

    /// Every URL counts as 23 characters unless the instance says otherwise; only the
    /// instance knows its limits.
    fn offline(&self, _account: &Account, text: &str) -> (usize, Option<Limits>) {
        (count(text, 23), None)
    }

    /// Mastodon's default image limit is 16 MiB; an instance may set a lower one, and then
    /// refuses the upload itself.
    fn max_image_bytes(&self) -> u64 {
        16 * 1024 * 1024
    }

    fn pin_key(&self) -> Option<&'static str> {
        Some("account_id")
    }

    fn correction(&self, _account: &Account) -> CorrectionStyle {
        CorrectionStyle::Edit
    }

    fn visibility(&self, account: &Account) -> Option<Visibility> {
        account.destination::<Server>().map(|s| s.visibility)
    }

    /// Mastodon keeps an Idempotency-Key for an hour (in Mastodon's own code); a little less
    /// here, to keep clear of the edge.
    fn exactly_once(&self) -> ExactlyOnce {
        ExactlyOnce::KeyIdempotent {
            lifetime: jiff::SignedDuration::from_mins(55),
            lifetime_words: "an hour",
        }
    }

    fn connect(&self, account: &Account) -> Result<Box<dyn PlatformClient>> {
        let server = account.destination::<Server>().ok_or_else(|| {
            Failure::new(
                ExitCode::Platform,
                format!("account `{}` is not a {NAME} account", account.name),
            )
        })?;
        Ok(Box::new(Mastodon::new(
            server.instance.clone(),
            server.visibility,
            account.language.clone(),
            account.handle.clone(),
            server.account_id.clone(),
        )?))
    }
}

pub struct Mastodon {
    base: Url,
    client: Client,
    visibility: Visibility,
    language: Option<String>,
    /// The policy's handle and pinned id: `reconcile` finds the account without a credential.
    handle: String,
    account_id: Option<String>,
    instance: OnceCell<Instance>,
}

#[derive(Debug, Clone, Deserialize)]
struct Instance {
    domain: String,
    #[serde(default)]
    configuration: Configuration,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct Configuration {
    #[serde(default)]
    statuses: StatusConfig,
}

#[derive(Debug, Clone, Deserialize)]
struct StatusConfig {
    #[serde(default = "default_max")]
    max_characters: usize,
    #[serde(default = "default_url_len")]
    characters_reserved_per_url: usize,
    #[serde(default = "default_media")]
    max_media_attachments: usize,
}

fn default_media() -> usize {
    4
}

impl Default for StatusConfig {
    fn default() -> Self {
        StatusConfig {
            max_characters: default_max(),
            characters_reserved_per_url: default_url_len(),
            max_media_attachments: default_media(),
        }
    }
}

fn default_max() -> usize {
    500
}

fn default_url_len() -> usize {
    23
}

#[derive(Debug, Deserialize)]
struct ApiAccount {
    id: String,
    username: String,
}

#[derive(Debug, Deserialize)]
struct Media {
    id: String,
    url: Option<String>,
}

/// How often and how long to wait for the server to finish processing an upload (a 202).
const MEDIA_POLLS: u32 = 20;
const MEDIA_POLL_INTERVAL: std::time::Duration = std::time::Duration::from_millis(500);

#[derive(Debug, Deserialize)]
struct Status {
    id: String,
    url: Option<String>,
    uri: Option<String>,
}

/// A status as an account's timeline lists it.
#[derive(Debug, Deserialize)]
struct Listed {
    id: String,
    url: Option<String>,
    uri: Option<String>,
    created_at: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    spoiler_text: String,
    reblog: Option<Box<Listed>>,
}

/// How many statuses one timeline page asks for (Mastodon's maximum).
const PAGE: usize = 40;
/// The most timeline pages `reconcile` reads (1,000 statuses): a server that always answers
/// with a full page must not keep it listing forever.
pub const MAX_PAGES: usize = 25;

/// Mastodon's HTML `content` as plain text: tags dropped, paragraphs and line breaks kept as
/// newlines, the five entities Mastodon escapes decoded. Enough to show a post; not a parser.
pub fn plain_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            rest = &rest[start..];
            break;
        };
        let tag = rest[start + 1..start + end]
            .trim_start_matches('/')
            .to_ascii_lowercase();
        if (tag.starts_with("br") || tag.starts_with('p')) && !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out.trim_end()
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn secret(credential: Option<&Credential>) -> Result<&str> {
    credential.map(|c| c.secret.expose()).ok_or_else(|| {
        Failure::new(ExitCode::Credential, "mastodon needs an access token")
            .hint("run `postgate login NAME`")
            .into()
    })
}

impl Mastodon {
    pub fn new(
        base: Url,
        visibility: Visibility,
        language: Option<String>,
        handle: String,
        account_id: Option<String>,
    ) -> Result<Mastodon> {
        Ok(Mastodon {
            base,
            client: http::client()?,
            visibility,
            language,
            handle,
            account_id,
            instance: OnceCell::new(),
        })
    }

    fn url(&self, path: &str) -> Result<Url> {
        self.base
            .join(path)
            .map_err(|e| Failure::new(ExitCode::Platform, format!("bad URL {path}: {e}")).into())
    }

    fn get_json<T: for<'de> Deserialize<'de>>(
        &self,
        action: &str,
        answer: Answer,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<T> {
        let resp = http::send(build, Retry::Safe).map_err(|e| e.into_failure(NAME, action))?;
        Ok(http::read_json(resp, answer, NAME, action)?)
    }

    fn instance(&self) -> Result<&Instance> {
        if let Some(i) = self.instance.get() {
            return Ok(i);
        }
        let url = self.url("/api/v2/instance")?;
        let mut instance: Instance = self.get_json("reading the instance", Answer::Instance, || {
            self.client.get(url.clone())
        })?;
        instance.domain = clip(&instance.domain, NAME_CAP);
        Ok(self.instance.get_or_init(|| instance))
    }

    /// Uploads one image with its description and waits (bounded) until the server has
    /// processed it, as a 202 answer asks.
    fn upload(&self, token: &str, image: &Image) -> Result<String> {
        let url = self.url("/api/v2/media")?;
        let build = || {
            let part = reqwest::blocking::multipart::Part::bytes(image.bytes.clone())
                .file_name(image.file_name.clone())
                .mime_str(image.mime)
                .expect("a fixed, valid MIME type");
            let mut form = reqwest::blocking::multipart::Form::new().part("file", part);
            if let Some(alt) = &image.alt {
                form = form.text("description", alt.clone());
            }
            self.client.post(url.clone()).bearer_auth(token).multipart(form)
        };
        // An upload that is retried only leaves an unattached media item behind, which the
        // server cleans up; that is acceptable, unlike a duplicate post.
        let resp = http::send(build, Retry::Safe).map_err(|e| e.into_failure(NAME, "uploading an image"))?;
        let processing = resp.status() == reqwest::StatusCode::ACCEPTED;
        let media: Media = http::read_json(resp, Answer::Media, NAME, "uploading an image")?;
        if !processing || media.url.is_some() {
            return Ok(media.id);
        }
        let poll = self.url(&format!("/api/v1/media/{}", media.id))?;
        for _ in 0..MEDIA_POLLS {
            std::thread::sleep(MEDIA_POLL_INTERVAL);
            let resp = http::send(|| self.client.get(poll.clone()).bearer_auth(token), Retry::Safe)
                .map_err(|e| e.into_failure(NAME, "waiting for an image"))?;
            if resp.status() == reqwest::StatusCode::OK {
                return Ok(media.id);
            }
        }
        Err(Failure::new(
            ExitCode::Platform,
            format!(
                "{NAME}: {} was still being processed after {}s; nothing was posted",
                image.file_name,
                MEDIA_POLLS / 2
            ),
        )
        .into())
    }

    fn status_url(&self, id: &str) -> Result<Url> {
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Failure::new(
                ExitCode::Usage,
                format!("`{}` is not a status id", crate::sanitize::one_line(id)),
            )
            .into());
        }
        self.url(&format!("/api/v1/statuses/{id}"))
    }

    fn published(status: Status, replayed: bool) -> Published {
        let url = status.url.or(status.uri).unwrap_or_default();
        Published {
            id: clip(&status.id, ID_CAP),
            url: clip(&url, URL_CAP),
            replayed,
        }
    }
}

/// Takes a status id, or a status URL (`https://host/@user/123`), and returns the id.
pub fn status_id(reference: &str) -> String {
    let trimmed = reference.trim().trim_end_matches('/');
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// Counts like Mastodon's StatusLengthValidator: grapheme clusters, every URL as
/// `url_len` characters, and a mention as `@user` without its domain.
pub fn count(text: &str, url_len: usize) -> usize {
    let mut total = text.graphemes(true).count();
    for token in text.split_whitespace() {
        total = total - token.graphemes(true).count() + count_token(token, url_len);
    }
    total
}

fn count_token(token: &str, url_len: usize) -> usize {
    if token.starts_with("http://") || token.starts_with("https://") {
        return url_len;
    }
    match split_mention(token) {
        Some((local, rest)) => local.graphemes(true).count() + rest.graphemes(true).count(),
        None => token.graphemes(true).count(),
    }
}

/// Splits `@user@domain.tld!` into `@user` and what follows the domain (`!`).
fn split_mention(token: &str) -> Option<(&str, &str)> {
    let rest = token.strip_prefix('@')?;
    let at = rest.find('@')?;
    let user = &rest[..at];
    if user.is_empty() || !user.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let after = &rest[at + 1..];
    let mut end = after
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        .unwrap_or(after.len());
    while after[..end].ends_with('.') {
        end -= 1;
    }
    after[..end].contains('.').then(|| (&token[..1 + at], &after[end..]))
}

impl PlatformClient for Mastodon {
    fn limits(&self) -> Result<Limits> {
        let statuses = &self.instance()?.configuration.statuses;
        Ok(Limits {
            max_characters: statuses.max_characters,
            max_images: statuses.max_media_attachments,
            max_bytes: None,
        })
    }

    fn length(&self, draft: &Draft) -> Result<usize> {
        let url_len = self.instance()?.configuration.statuses.characters_reserved_per_url;
        let cw = draft
            .content_warning
            .as_deref()
            .map_or(0, |c| c.graphemes(true).count());
        Ok(count(&draft.text, url_len) + cw)
    }

    /// A bearer token needs no login; the first request that carries it is the identity check.
    fn open<'a>(&'a self, credential: Option<&'a Credential>) -> Result<Box<dyn Session + 'a>> {
        Ok(Box::new(MastodonSession {
            client: self,
            token: secret(credential)?,
        }))
    }

    fn revoke(&self, credential: &Credential) -> Result<Revocation> {
        let token = credential.secret.expose();
        let url = self.url("/oauth/revoke")?;
        // RFC 7009: the server answers 200 even for a token it does not know, so the answer
        // proves nothing; asking who the token belongs to afterwards does.
        let asked = http::send(|| self.client.post(url.clone()).form(&[("token", token)]), Retry::Safe);
        let check = self.url("/api/v1/accounts/verify_credentials")?;
        match http::send(|| self.client.get(check.clone()).bearer_auth(token), Retry::Safe) {
            Err(http::HttpError::Status { status, .. }) if status == reqwest::StatusCode::UNAUTHORIZED => {
                Ok(Revocation::Revoked("token revoked (the server now rejects it)".into()))
            }
            Ok(_) => {
                let why = match asked {
                    Ok(_) => "the server accepted the request but still accepts the token (Mastodon revokes only \
                              with the app's client credentials)"
                        .to_string(),
                    Err(e) => format!("{}", e.into_failure(NAME, "revoking the token")),
                };
                Err(
                    Failure::new(ExitCode::Platform, format!("{NAME}: the token is NOT revoked: {why}"))
                        .hint(format!(
                            "revoke it now on {}: Preferences → Account → Authorized apps (or change the account's \
                         password, which ends every session)",
                            self.base
                        ))
                        .into(),
                )
            }
            Err(e) => Err(Failure::new(
                ExitCode::Platform,
                format!(
                    "{NAME}: cannot tell whether the token is revoked: {}",
                    e.into_failure(NAME, "checking the token")
                ),
            )
            .hint(format!(
                "check on {}: Preferences → Account → Authorized apps",
                self.base
            ))
            .into()),
        }
    }

    fn recent_posts(&self, credential: Option<&Credential>, since: jiff::Timestamp) -> Result<Listing> {
        self.list_since(credential.map(|c| c.secret.expose()), since)
    }
}

impl Mastodon {
    /// The account's statuses since `since`, with the token where there is one (it shows posts
    /// only followers see) or without.
    fn list_since(&self, token: Option<&str>, since: jiff::Timestamp) -> Result<Listing> {
        let authed = |b: RequestBuilder| match token {
            Some(t) => b.bearer_auth(t),
            None => b,
        };
        let id = match &self.account_id {
            Some(id) => id.clone(),
            None => {
                let username = self
                    .handle
                    .trim_start_matches('@')
                    .split('@')
                    .next()
                    .unwrap_or_default();
                let mut url = self.url("/api/v1/accounts/lookup")?;
                url.query_pairs_mut().append_pair("acct", username);
                let account: ApiAccount = self.get_json("finding the account", Answer::Identity, || {
                    authed(self.client.get(url.clone()))
                })?;
                account.id
            }
        };
        let mut posts = Vec::new();
        let mut max_id: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut url = self.url(&format!("/api/v1/accounts/{id}/statuses"))?;
            url.query_pairs_mut().append_pair("limit", &PAGE.to_string());
            if let Some(m) = &max_id {
                url.query_pairs_mut().append_pair("max_id", m);
            }
            let page: Vec<Listed> = self.get_json("listing the account's posts", Answer::Page, || {
                authed(self.client.get(url.clone()))
            })?;
            let full = page.len() >= PAGE;
            let mut older = false;
            let before = max_id.clone();
            for status in page {
                max_id = Some(status.id.clone());
                // The server sets created_at, so it bounds the scan; an unreadable one is listed.
                let created_at = status.created_at.parse::<jiff::Timestamp>().ok();
                if created_at.is_some_and(|t| t < since) {
                    older = true;
                    continue;
                }
                let text = match &status.reblog {
                    Some(original) => format!(
                        "(boost of {}) {}",
                        original
                            .url
                            .as_deref()
                            .or(original.uri.as_deref())
                            .unwrap_or(&original.id),
                        plain_text(&original.content)
                    ),
                    None if status.spoiler_text.is_empty() => plain_text(&status.content),
                    None => format!("[CW: {}] {}", status.spoiler_text, plain_text(&status.content)),
                };
                posts.push(RemotePost {
                    url: clip(&status.url.or(status.uri).unwrap_or_default(), URL_CAP),
                    id: clip(&status.id, ID_CAP),
                    created_at,
                    text: clip(&text, TEXT_CAP),
                });
            }
            if older || !full {
                return Ok(Listing::whole(posts));
            }
            // A server that hands back the page it was asked to go past would be read again
            // and again; what it listed so far is all it has to show.
            if max_id == before {
                return Ok(Listing::cut(posts, "the server repeated a page"));
            }
        }
        Ok(Listing::cut(
            posts,
            format!("the listing stops after {MAX_PAGES} pages"),
        ))
    }
}

/// Requests made with the account's access token.
struct MastodonSession<'a> {
    client: &'a Mastodon,
    token: &'a str,
}

impl Session for MastodonSession<'_> {
    fn identity(&self) -> Result<Identity> {
        let token = self.token;
        let m = self.client;
        let url = m.url("/api/v1/accounts/verify_credentials")?;
        let account: ApiAccount = m.get_json("checking the credential", Answer::Identity, || {
            m.client.get(url.clone()).bearer_auth(token)
        })?;
        let domain = &m.instance()?.domain;
        Ok(Identity {
            handle: format!("@{}@{}", clip(&account.username, NAME_CAP), domain),
            id: Some(clip(&account.id, ID_CAP)),
        })
    }

    fn publish(&self, draft: &Draft, key: &PostKey) -> Result<Published> {
        let token = self.token;
        let m = self.client;
        let url = m.url("/api/v1/statuses")?;
        let mut body = serde_json::json!({
            "status": draft.text,
            "visibility": draft.visibility.unwrap_or(m.visibility).as_str(),
        });
        if let Some(lang) = draft.language.as_ref().or(m.language.as_ref()) {
            body["language"] = lang.clone().into();
        }
        if let Some(cw) = &draft.content_warning {
            body["spoiler_text"] = cw.clone().into();
        }
        if let Some(reply) = &draft.reply_to {
            body["in_reply_to_id"] = status_id(reply).into();
        }
        if !draft.images.is_empty() {
            let ids = draft
                .images
                .iter()
                .map(|image| m.upload(token, image))
                .collect::<Result<Vec<_>>>()?;
            body["media_ids"] = ids.into();
        }
        // The same key on every retry: Mastodon returns the first status instead of a second.
        let status: Status = m.get_json("publishing", Answer::Post, || {
            m.client
                .post(url.clone())
                .bearer_auth(token)
                .header("Idempotency-Key", &key.id)
                .json(&body)
        })?;
        Ok(Mastodon::published(status, false))
    }

    fn edit(&self, id: &str, draft: &Draft) -> Result<Published> {
        let token = self.token;
        let m = self.client;
        let url = m.status_url(&status_id(id))?;
        let mut body = serde_json::json!({ "status": draft.text });
        if let Some(cw) = &draft.content_warning {
            body["spoiler_text"] = cw.clone().into();
        }
        if let Some(lang) = draft.language.as_ref().or(m.language.as_ref()) {
            body["language"] = lang.clone().into();
        }
        // An edit with the same text is harmless to repeat.
        let status: Status = m.get_json("editing", Answer::Post, || {
            m.client.put(url.clone()).bearer_auth(token).json(&body)
        })?;
        Ok(Mastodon::published(status, false))
    }

    fn delete(&self, id: &str) -> Result<()> {
        let token = self.token;
        let m = self.client;
        let url = m.status_url(&status_id(id))?;
        match http::send(|| m.client.delete(url.clone()).bearer_auth(token), Retry::Safe) {
            Ok(_) => Ok(()),
            // Saying "deleted" for a mistyped id would be a lie: a 404 is reported as such.
            Err(http::HttpError::Status { status, .. }) if status == reqwest::StatusCode::NOT_FOUND => {
                Err(Failure::new(
                    ExitCode::Platform,
                    format!(
                        "{NAME}: no status {} on this account (already deleted, or not this account's)",
                        crate::sanitize::one_line(id)
                    ),
                )
                .into())
            }
            Err(e) => Err(e.into_failure(NAME, "deleting").into()),
        }
    }

    fn recent_posts(&self, since: jiff::Timestamp) -> Result<Listing> {
        self.client.list_since(Some(self.token), since)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_need_the_full_form() {
        let ok = |h: &str| SPEC.validate_handle(h).is_ok();
        assert!(ok("@culture@social.example.fr"));
        assert!(!ok("@culture"));
        assert!(!ok("culture@social.example.fr"));
        assert!(!ok("@cul ture@social.example.fr"));
        assert!(ok("@alice@localhost:3000"));
        assert!(!ok("@alice@social.example:3000"));
    }

    #[test]
    fn html_content_becomes_plain_text() {
        assert_eq!(
            plain_text("<p>Bonjour &amp; merci</p><p>ligne<br>deux &lt;b&gt;</p>"),
            "Bonjour & merci\nligne\ndeux <b>"
        );
        assert_eq!(plain_text("<p><a href=\"x\">@a</a> salut</p>"), "@a salut");
    }

    #[test]
    fn urls_count_as_23_and_mentions_without_domain() {
        assert_eq!(count("hello", 23), 5);
        assert_eq!(
            count("voir https://www.culture.gouv.fr/actualites/un-tres-long-chemin", 23),
            5 + 23
        );
        assert_eq!(count("merci @camille@mastodon.social !", 23), 6 + 8 + 2);
        assert_eq!(count("merci @camille !", 23), 16);
        assert_eq!(count("ligne 1\nhttps://a.fr/x", 23), 8 + 23);
        assert_eq!(count("👨‍👩‍👧 café", 23), 6);
    }

    #[test]
    fn status_ids_come_from_urls_too() {
        assert_eq!(status_id("109876543210"), "109876543210");
        assert_eq!(
            status_id("https://social.example/@culture/109876543210"),
            "109876543210"
        );
        assert_eq!(
            status_id("https://social.example/@culture/109876543210/"),
            "109876543210"
        );
    }
}
