//! X's client and session: every request postgate makes to X.

use super::count;
use super::credential::{Tokens, XCredential};
use super::destination::{Api, LIMITS, NAME, XCorrection, is_id, post_id};
use super::oauth1::{self, Keys};
use crate::account::Account;
use crate::content::{Draft, Image};
use crate::credentials::{self, Credential};
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::platform::http::{self, Answer, HttpError, ID_CAP, NAME_CAP, Retry, TEXT_CAP, URL_CAP, clip};
use crate::platform::settle::{self, Look, Place, Sent};
use crate::platform::spec::{
    Client as PlatformClient, Identity, Limits, Listing, PostKey, Published, RemotePost, Revocation, Session,
};
use crate::redacted::Secret;
use anyhow::Result;
use base64::Engine as _;
use reqwest::blocking::{Client, RequestBuilder};
use reqwest::{Method, StatusCode, Url};
use serde::Deserialize;
use serde_json::{Value, json};
use std::cell::OnceCell;

/// The keychain item beside the credential that holds the app-only bearer token.
pub const APP_BEARER: &str = "app-bearer";

/// An access token this close to its end is renewed first: a request sent with it could
/// arrive after it stopped working.
pub(super) const RENEW_MARGIN: jiff::SignedDuration = jiff::SignedDuration::from_secs(120);

/// Pages of 100 posts a listing reads at most. Each post read is billed ("Owned Read", $0.001
/// a post, `x-api/getting-started/pricing`), so a listing stops at 1,000 posts and says so.
const MAX_PAGES: usize = 10;
const PAGE: &str = "100";

/// X's post ids are snowflakes: milliseconds since this epoch, shifted left by 22 bits
/// (`fundamentals/x-ids`). A time therefore gives the id just before every post made since.
const SNOWFLAKE_EPOCH_MS: i64 = 1_288_834_974_657;

pub fn since_id(at: jiff::Timestamp) -> Option<String> {
    let ms = at.as_millisecond() - SNOWFLAKE_EPOCH_MS;
    (ms > 0).then(|| ((ms << 22) - 1).to_string())
}

/// How a request proves who sends it.
pub enum Auth {
    Bearer(Secret),
    OAuth1(Keys),
}

enum Body<'a> {
    None,
    Json(&'a Value),
}

pub struct X {
    account: Account,
    api: Api,
    client: Client,
    /// The username the policy names, without `@`.
    username: String,
}

#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

#[derive(Deserialize)]
struct User {
    id: String,
    username: String,
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

#[derive(Deserialize)]
struct Deleted {
    deleted: bool,
}

#[derive(Deserialize)]
struct MediaData {
    id: String,
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    data: Vec<Listed>,
    #[serde(default)]
    meta: Meta,
}

#[derive(Deserialize, Default)]
struct Meta {
    next_token: Option<String>,
}

#[derive(Deserialize)]
struct Listed {
    id: String,
    #[serde(default)]
    text: String,
    created_at: Option<String>,
    entities: Option<Entities>,
    attachments: Option<Attachments>,
}

#[derive(Deserialize)]
struct Attachments {
    #[serde(default)]
    media_keys: Vec<String>,
}

#[derive(Deserialize)]
struct Entities {
    #[serde(default)]
    urls: Vec<UrlEntity>,
}

#[derive(Deserialize)]
struct UrlEntity {
    url: String,
    expanded_url: Option<String>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    refresh_token: Option<String>,
    expires_in: Option<i64>,
    scope: Option<String>,
}

impl Drop for TokenAnswer {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.access_token.zeroize();
        if let Some(r) = &mut self.refresh_token {
            r.zeroize();
        }
    }
}

/// A listed post with the number of images it carries.
type Counted = (RemotePost, usize);

/// What one `POST /2/tweets` came to.
enum Attempt {
    Done(Published),
    /// X refused the text as a repeat of an earlier post (`403 … duplicate content`), without
    /// saying which.
    Duplicate,
    /// Sent, with no usable answer (a timeout, a reset, a 5xx): it may have landed.
    Unknown(String),
    /// Refused: nothing was published.
    Refused(Failure, Option<StatusCode>),
}

impl X {
    pub fn new(account: &Account, api: &Api) -> Result<X> {
        Ok(X {
            account: account.clone(),
            api: api.clone(),
            client: http::client()?,
            username: account.handle.trim_start_matches('@').to_string(),
        })
    }

    pub fn account(&self) -> &Account {
        &self.account
    }

    fn url(&self, path: &str) -> Result<Url> {
        join(&self.api.api, path)
    }

    fn oauth_url(&self, path: &str) -> Result<Url> {
        join(&self.api.oauth_api, path)
    }

    fn post_url(&self, id: &str) -> String {
        format!("https://x.com/{}/status/{id}", self.username)
    }

    /// One request, signed for `auth`. OAuth 1.0a signs the query, not a JSON body (RFC 5849
    /// §3.4.1.3 signs only form bodies, and postgate sends X none); a new nonce each time it is
    /// built, so a retry is not refused as a replay.
    fn request(&self, auth: &Auth, method: Method, url: &Url, body: &Body) -> RequestBuilder {
        let mut b = self.client.request(method.clone(), url.clone());
        b = match auth {
            Auth::Bearer(token) => b.bearer_auth(token.expose()),
            Auth::OAuth1(keys) => b.header(
                reqwest::header::AUTHORIZATION,
                oauth1::authorization(keys, method.as_str(), url, &[]),
            ),
        };
        match body {
            Body::None => b,
            Body::Json(v) => b.json(v),
        }
    }

    fn get<T: for<'de> Deserialize<'de>>(&self, auth: &Auth, url: &Url, answer: Answer, action: &str) -> Result<T> {
        let resp = http::send(|| self.request(auth, Method::GET, url, &Body::None), Retry::Safe)
            .map_err(|e| failure(e, action))?;
        Ok(http::read_json(resp, answer, NAME, action)?)
    }

    fn client_id(&self) -> Result<&str> {
        self.api.client_id.as_deref().ok_or_else(|| {
            Failure::new(
                ExitCode::BadPolicy,
                format!("X account `{}` has no `client_id`", self.account.name),
            )
            .hint(
                "set client_id to the OAuth 2.0 client id of the institution's X app (a Native App), from the \
                 developer portal's \"Keys and tokens\" page",
            )
            .into()
        })
    }

    /// Asks the token endpoint (`POST /2/oauth2/token`, a public client: `client_id` in the
    /// body, no secret) and reads the pair it hands out. Never repeated: a code and a refresh
    /// token each work once.
    fn token(&self, form: &[(&str, &str)], action: &str) -> Result<Tokens> {
        let url = self.oauth_url("/2/oauth2/token")?;
        let resp = http::send(|| self.client.post(url.clone()).form(form), Retry::Never).map_err(|e| {
            let f = e.into_failure(NAME, action);
            Failure {
                code: ExitCode::Credential,
                ..f
            }
        })?;
        let answer: TokenAnswer = http::read_json(resp, Answer::Identity, NAME, action)?;
        let expires_at = answer.expires_in.and_then(|s| {
            jiff::Timestamp::now()
                .checked_add(jiff::SignedDuration::from_secs(s))
                .ok()
        });
        Ok(Tokens {
            access_token: Secret::new(answer.access_token.clone()),
            refresh_token: answer.refresh_token.clone().map(Secret::new),
            expires_at,
            scope: answer.scope.clone(),
        })
    }

    /// Exchanges the authorization code at once: X lets it live 30 seconds.
    pub fn exchange_code(&self, code: &Secret, verifier: &Secret, redirect_uri: &str) -> Result<Tokens> {
        let client_id = self.client_id()?;
        self.token(
            &[
                ("grant_type", "authorization_code"),
                ("code", code.expose()),
                ("redirect_uri", redirect_uri),
                ("client_id", client_id),
                ("code_verifier", verifier.expose()),
            ],
            "exchanging the authorization code",
        )
    }

    fn refresh(&self, refresh_token: &Secret) -> Result<Tokens> {
        let client_id = self.client_id()?;
        self.token(
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token.expose()),
                ("client_id", client_id),
            ],
            "renewing the access token",
        )
        .map_err(|e| {
            e.context(
                Failure::new(
                    ExitCode::Credential,
                    format!("X did not renew the access token of `{}`", self.account.name),
                )
                .hint(format!(
                    "a refresh token works once: if another tool used it, or the app's access was revoked, run \
                     `postgate login {}` again",
                    self.account.name
                )),
            )
        })
    }

    /// The credential as a way to sign requests, renewing an OAuth 2.0 pair that is about to
    /// expire first (under the renewal lock, the new pair in the keychain before it is used).
    fn auth(&self, credential: &Credential) -> Result<Auth> {
        let tokens = match XCredential::parse(&credential.secret)? {
            XCredential::OAuth1(keys) => return Ok(Auth::OAuth1(keys)),
            XCredential::OAuth2(t) => t,
        };
        let now = jiff::Timestamp::now();
        if !tokens.stale(now, RENEW_MARGIN) {
            return Ok(Auth::Bearer(tokens.access_token));
        }
        if tokens.refresh_token.is_none() {
            return Err(Failure::new(
                ExitCode::Credential,
                format!(
                    "the X access token of `{}` has expired, and there is no refresh token to renew it",
                    self.account.name
                ),
            )
            .hint(format!(
                "run `postgate login {}`; a CI runner is better served by OAuth 1.0a keys, which do not expire",
                self.account.name
            ))
            .into());
        }
        let renewed = credentials::renew(&self.account, credential, |held| {
            let XCredential::OAuth2(held) = XCredential::parse(held)? else {
                anyhow::bail!("the stored X credential changed kind while it was being renewed");
            };
            let refresh = held
                .refresh_token
                .as_ref()
                .ok_or_else(|| Failure::new(ExitCode::Credential, "the stored X credential has no refresh token"))?;
            eprintln!(
                "postgate: x: renewing the access token of `{}`",
                crate::sanitize::one_line(&self.account.name)
            );
            let mut fresh = self.refresh(refresh)?;
            // X hands out a new refresh token with each renewal; should it not, the old one
            // is kept rather than lost.
            if fresh.refresh_token.is_none() {
                fresh.refresh_token = held.refresh_token.clone();
            }
            Ok(XCredential::OAuth2(fresh).to_secret())
        })?;
        match XCredential::parse(&renewed.secret)? {
            XCredential::OAuth2(t) if !t.stale(jiff::Timestamp::now(), jiff::SignedDuration::ZERO) => {
                Ok(Auth::Bearer(t.access_token))
            }
            XCredential::OAuth2(_) => Err(Failure::new(
                ExitCode::Credential,
                "X handed out an access token that has already expired",
            )
            .hint("check this machine's clock")
            .into()),
            XCredential::OAuth1(keys) => Ok(Auth::OAuth1(keys)),
        }
    }

    /// The identity of a token, as `GET /2/users/me` gives it.
    pub fn me(&self, auth: &Auth) -> Result<Identity> {
        let url = self.url("/2/users/me")?;
        let user: Data<User> = self.get(auth, &url, Answer::Identity, "checking the credential")?;
        Ok(Identity {
            handle: format!("@{}", clip(&user.data.username, NAME_CAP)),
            id: Some(checked_id(user.data.id, "checking the credential", "a user id")?),
        })
    }

    /// Checks that a token is an app-only bearer token of a working app: X lists the
    /// account's posts with it (`max_results=5`, the smallest page), and refuses it at
    /// `/2/users/me`, which only user tokens may call.
    pub fn check_app_bearer(&self, token: &Secret) -> Result<String> {
        let auth = Auth::Bearer(token.clone());
        let url = self.url("/2/users/me")?;
        match http::send(|| self.request(&auth, Method::GET, &url, &Body::None), Retry::Safe) {
            Ok(_) => {
                return Err(Failure::new(
                    ExitCode::Credential,
                    "this token acts as a user (X answered /2/users/me): it is not an app-only bearer token",
                )
                .hint("copy the app's Bearer Token from the developer portal's \"Keys and tokens\" page; nothing was stored")
                .into());
            }
            Err(HttpError::Status { status, .. }) if status == StatusCode::FORBIDDEN => {}
            Err(e) => return Err(failure(e, "checking the bearer token").into()),
        }
        let id = self.user_id(&auth)?;
        let mut list = self.url(&format!("/2/users/{id}/tweets"))?;
        list.query_pairs_mut()
            .append_pair("max_results", "5")
            .append_pair("since_id", &since_id(jiff::Timestamp::now()).unwrap_or_default());
        let _: Value = self.get(&auth, &list, Answer::Page, "listing the account's posts")?;
        Ok(format!("X accepts it for reading the posts of user id {id}"))
    }

    /// The account's X id: pinned in the policy, or looked up by username.
    fn user_id(&self, auth: &Auth) -> Result<String> {
        if let Some(id) = &self.api.user_id {
            return Ok(id.clone());
        }
        let url = self.url(&format!("/2/users/by/username/{}", self.username))?;
        let user: Data<User> = self.get(auth, &url, Answer::Identity, "finding the account")?;
        checked_id(user.data.id, "finding the account", "a user id")
    }

    /// The account's posts since `since`, newest first, their `t.co` links put back as the
    /// addresses they stand for (so a text can be compared with what postgate sent). `since_id`
    /// where the caller wants only posts newer than an id; else `start_time`.
    fn list(&self, auth: &Auth, user_id: &str, since: jiff::Timestamp, by_id: bool) -> Result<Listing> {
        let (posts, cut) = self.list_with_media(auth, user_id, since, by_id)?;
        let posts = posts.into_iter().map(|(p, _)| p).collect();
        Ok(match cut {
            Some(why) => Listing::cut(posts, why),
            None => Listing::whole(posts),
        })
    }

    /// [`X::list`], each post with the number of images it carries, and why the listing was
    /// cut short if it was.
    fn list_with_media(
        &self,
        auth: &Auth,
        user_id: &str,
        since: jiff::Timestamp,
        by_id: bool,
    ) -> Result<(Vec<Counted>, Option<String>)> {
        let mut posts = Vec::new();
        let mut token: Option<String> = None;
        let start = since.round(jiff::Unit::Second).unwrap_or(since);
        for _ in 0..MAX_PAGES {
            let mut url = self.url(&format!("/2/users/{user_id}/tweets"))?;
            {
                let mut q = url.query_pairs_mut();
                q.append_pair("max_results", PAGE)
                    .append_pair("post.fields", "created_at,entities,attachments");
                match since_id(since) {
                    Some(id) if by_id => q.append_pair("since_id", &id),
                    _ => q.append_pair("start_time", &start.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()),
                };
                if let Some(t) = &token {
                    q.append_pair("pagination_token", t);
                }
            }
            let page: Page = self.get(auth, &url, Answer::Page, "listing the account's posts")?;
            for mut post in page.data {
                post.id = checked_id(post.id, "listing the account's posts", "a post id")?;
                let created_at = post
                    .created_at
                    .as_deref()
                    .and_then(|t| t.parse::<jiff::Timestamp>().ok());
                if created_at.is_some_and(|t| t < since) {
                    continue;
                }
                let mut text = post.text.clone();
                for u in post.entities.map(|e| e.urls).unwrap_or_default() {
                    if let Some(expanded) = u.expanded_url {
                        text = text.replacen(&u.url, &expanded, 1);
                    }
                }
                let media = post.attachments.map_or(0, |a| a.media_keys.len());
                posts.push((
                    RemotePost {
                        url: clip(&self.post_url(&post.id), URL_CAP),
                        id: clip(&post.id, ID_CAP),
                        created_at,
                        text: clip(&text, TEXT_CAP),
                    },
                    media,
                ));
            }
            match page.meta.next_token {
                Some(next) if Some(&next) != token.as_ref() => token = Some(next),
                Some(_) => return Ok((posts, Some("X repeated a page".into()))),
                None => return Ok((posts, None)),
            }
        }
        Ok((
            posts,
            Some(format!(
                "the listing stops after {MAX_PAGES} pages (each post read is billed)"
            )),
        ))
    }

    /// Uploads one image (`POST /2/media/upload`, base64 in a JSON body) and gives it its
    /// description (`POST /2/media/metadata`, `alt_text`), as the OpenAPI document shapes them.
    /// A repeated upload only leaves an unattached image, which X discards: safe to retry.
    fn upload(&self, auth: &Auth, image: &Image) -> Result<String> {
        let url = self.url("/2/media/upload")?;
        let category = if image.mime == "image/gif" {
            "tweet_gif"
        } else {
            "tweet_image"
        };
        let body = json!({
            "media": base64::engine::general_purpose::STANDARD.encode(&image.bytes),
            "media_category": category,
        });
        let resp = http::send(
            || self.request(auth, Method::POST, &url, &Body::Json(&body)),
            Retry::Safe,
        )
        .map_err(|e| failure(e, "uploading an image"))?;
        let media: Data<MediaData> = http::read_json(resp, Answer::Media, NAME, "uploading an image")?;
        let id = media.data.id;
        if !is_id(&id) {
            return Err(Failure::new(
                ExitCode::Platform,
                format!(
                    "x: uploading an image: X answered with a media id that is not one: {}",
                    clip(&id, 40)
                ),
            )
            .into());
        }
        if let Some(alt) = &image.alt {
            let meta = self.url("/2/media/metadata")?;
            let body = json!({ "id": id, "metadata": { "alt_text": { "text": alt } } });
            http::send(
                || self.request(auth, Method::POST, &meta, &Body::Json(&body)),
                Retry::Safe,
            )
            .map_err(|e| failure(e, "describing an image"))?;
        }
        Ok(id)
    }

    /// One `POST /2/tweets`. A 429 was not applied, so it is sent again once X's
    /// `x-rate-limit-reset` has passed, if that is soon; nothing else is repeated here.
    fn post_once(&self, auth: &Auth, body: &Value) -> Attempt {
        let url = match self.url("/2/tweets") {
            Ok(u) => u,
            Err(e) => return Attempt::Refused(Failure::new(ExitCode::Platform, format!("{e:#}")), None),
        };
        let mut attempt = 1;
        loop {
            let sent = http::send(
                || self.request(auth, Method::POST, &url, &Body::Json(body)),
                Retry::Never,
            );
            match sent {
                Ok(resp) => {
                    let status = resp.status();
                    return match http::read_json::<Data<Created>>(resp, Answer::Post, NAME, "publishing") {
                        Ok(c) if is_id(&c.data.id) => Attempt::Done(Published {
                            url: self.post_url(&c.data.id),
                            id: c.data.id,
                            replayed: false,
                        }),
                        Ok(_) => {
                            Attempt::Unknown(format!("X answered {} with a post id that is not one", status.as_u16()))
                        }
                        Err(f) => Attempt::Unknown(f.message),
                    };
                }
                Err(HttpError::Status {
                    status, retry_after, ..
                }) if status == StatusCode::TOO_MANY_REQUESTS
                    && attempt < http::MAX_ATTEMPTS
                    && retry_after.is_some_and(|w| w <= http::MAX_WAIT) =>
                {
                    let wait = retry_after.unwrap_or_default();
                    eprintln!(
                        "postgate: x: rate limited; X accepts posts again in {}s (x-rate-limit-reset), then postgate sends it ({attempt}/{})",
                        wait.as_secs(),
                        http::MAX_ATTEMPTS - 1
                    );
                    std::thread::sleep(wait);
                    attempt += 1;
                }
                Err(HttpError::Status { status, message, .. })
                    if status == StatusCode::FORBIDDEN && message.to_lowercase().contains("duplicate content") =>
                {
                    return Attempt::Duplicate;
                }
                Err(HttpError::Status { status, message, .. }) if status.is_server_error() => {
                    return Attempt::Unknown(format!("{} {message}", status.as_u16()));
                }
                Err(HttpError::NoAnswer(e)) => return Attempt::Unknown(format!("no answer ({e})")),
                Err(e) => {
                    let status = match &e {
                        HttpError::Status { status, .. } => Some(*status),
                        _ => None,
                    };
                    return Attempt::Refused(failure(e, "publishing"), status);
                }
            }
        }
    }
}

/// An id X answered with, checked before it goes into a URL path (`/2/users/{id}/tweets`,
/// where `../` would lead elsewhere), a message or the audit record.
fn checked_id(id: String, action: &str, what: &str) -> Result<String> {
    if is_id(&id) {
        return Ok(id);
    }
    Err(Failure::new(
        ExitCode::Platform,
        format!(
            "x: {action}: X answered with {what} that is not one: {}",
            crate::sanitize::one_line(&clip(&id, ID_CAP))
        ),
    )
    .into())
}

fn join(base: &Url, path: &str) -> Result<Url> {
    base.join(path)
        .map_err(|e| Failure::new(ExitCode::Platform, format!("bad URL {path}: {e}")).into())
}

/// One send as the shared loop reads it.
fn sent(attempt: Attempt) -> Sent {
    match attempt {
        Attempt::Done(p) => Sent::Done(p),
        Attempt::Duplicate => Sent::Duplicate("X refused it as duplicate content".into()),
        Attempt::Unknown(why) => Sent::Unknown(why),
        Attempt::Refused(f, _) => Sent::Refused(f.into()),
    }
}

/// Turns an HTTP error into a failure, with X's meaning of its statuses.
fn failure(e: HttpError, action: &str) -> Failure {
    let forbidden = matches!(&e, HttpError::Status { status, .. } if *status == StatusCode::FORBIDDEN);
    let rate = match &e {
        HttpError::Status {
            status, retry_after, ..
        } if *status == StatusCode::TOO_MANY_REQUESTS => Some(*retry_after),
        _ => None,
    };
    let f = e.into_failure(NAME, action);
    if let Some(wait) = rate {
        let when = wait.map_or_else(
            || "later".to_string(),
            |w| {
                let at = jiff::Timestamp::now()
                    .checked_add(jiff::SignedDuration::from_secs(w.as_secs() as i64))
                    .unwrap_or_else(|_| jiff::Timestamp::now());
                format!(
                    "after {} (x-rate-limit-reset)",
                    at.round(jiff::Unit::Second).unwrap_or(at)
                )
            },
        );
        return f.hint(format!(
            "X's rate limit for this is used up; nothing was published; try again {when}"
        ));
    }
    if forbidden {
        return f.hint(
            "X refused it for this account or app: the app may lack a scope (log in again), its access level may not \
             allow this call, or the account may not do this (edits need X Premium)",
        );
    }
    f
}

/// Two texts are the same post if they read the same once spacing is evened out and links
/// are compared as addresses. A link X gave back only as `t.co` (no `expanded_url`) stands for
/// any link; one it expanded must be the same address, or a post with other words around the
/// same link, or the same words around another link, would be taken for ours.
fn same_text(mine: &str, theirs: &str) -> bool {
    // X's API gives a post's text with `&`, `<` and `>` as HTML entities; a server that does
    // not is matched as it is.
    let unescaped = theirs.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    same_words(mine, theirs) || (unescaped != theirs && same_words(mine, &unescaped))
}

fn same_words(mine: &str, theirs: &str) -> bool {
    use unicode_normalization::UnicodeNormalization;
    let words = |t: &str| -> Vec<String> {
        let t: String = t.nfc().collect();
        t.split_whitespace().map(str::to_string).collect()
    };
    let link = |w: &str| (w.starts_with("http://") || w.starts_with("https://")).then(|| Url::parse(w).ok());
    let (mine, theirs) = (words(mine), words(theirs));
    mine.len() == theirs.len()
        && mine.iter().zip(&theirs).all(|(a, b)| match (link(a), link(b)) {
            (Some(_), Some(Some(t))) if t.host_str() == Some("t.co") => true,
            (Some(Some(a)), Some(Some(b))) => a == b,
            _ => a == b,
        })
}

impl PlatformClient for X {
    fn limits(&self) -> Result<Limits> {
        Ok(LIMITS)
    }

    fn length(&self, draft: &Draft) -> Result<usize> {
        Ok(count::weighted_length(&draft.text))
    }

    fn open<'a>(&'a self, credential: Option<&'a Credential>) -> Result<Box<dyn Session + 'a>> {
        let credential = credential.ok_or_else(|| {
            Failure::new(ExitCode::Credential, "X needs a credential").hint("run `postgate login NAME`")
        })?;
        Ok(Box::new(XSession {
            x: self,
            auth: self.auth(credential)?,
            user_id: OnceCell::new(),
        }))
    }

    fn revoke(&self, credential: &Credential) -> Result<Revocation> {
        let tokens = match XCredential::parse(&credential.secret)? {
            XCredential::OAuth1(_) => {
                return Ok(Revocation::Partial {
                    done: "nothing could be revoked through X's API, which has no call that revokes OAuth 1.0a keys"
                        .into(),
                    by_hand: "regenerate (which revokes) the app's Access Token and Secret in the X developer portal: \
                              Projects & Apps → the app → Keys and tokens"
                        .into(),
                });
            }
            XCredential::OAuth2(t) => t,
        };
        let url = self.oauth_url("/2/oauth2/revoke")?;
        let client_id = self.client_id()?;
        // An access token past its end gets a 401 whether or not anything was revoked: then the
        // check below proves nothing about the refresh token, which may still mint new ones.
        let lapsed = tokens.expires_at.is_some_and(|end| end <= jiff::Timestamp::now());
        // RFC 7009 §2.2: a revocation endpoint answers 200 even for a token it does not know,
        // so only asking X afterwards says whether the token is dead.
        let mut asked = Vec::new();
        let pairs = [
            Some((tokens.access_token.expose(), "access_token")),
            tokens.refresh_token.as_ref().map(|r| (r.expose(), "refresh_token")),
        ];
        for (token, hint) in pairs.into_iter().flatten() {
            let form = [("token", token), ("token_type_hint", hint), ("client_id", client_id)];
            asked.push(http::send(|| self.client.post(url.clone()).form(&form), Retry::Safe).err());
        }
        let me = self.url("/2/users/me")?;
        let auth = Auth::Bearer(tokens.access_token.clone());
        // The 401 speaks for the access token only (which may also have simply expired): a
        // refused revocation of the refresh token leaves it able to mint new access tokens.
        let refused = asked.into_iter().flatten().next();
        match (
            http::send(|| self.request(&auth, Method::GET, &me, &Body::None), Retry::Safe),
            refused,
        ) {
            (Err(HttpError::Status { status, .. }), None)
                if status == StatusCode::UNAUTHORIZED && lapsed && tokens.refresh_token.is_some() =>
            {
                Ok(Revocation::Partial {
                    done: "X was asked to revoke the access and refresh tokens and did not refuse, but the access \
                           token had already expired, so its 401 does not show the refresh token is dead"
                        .into(),
                    by_hand: "make sure on x.com: Settings → Security and account access → Apps and sessions → \
                              Connected apps → the app → Revoke app permissions"
                        .into(),
                })
            }
            (Err(HttpError::Status { status, .. }), None) if status == StatusCode::UNAUTHORIZED => Ok(
                Revocation::Revoked("access and refresh tokens revoked (X now rejects the access token)".into()),
            ),
            other => {
                let why = match other {
                    (Ok(_), None) => "X accepted the revocation but still accepts the access token".to_string(),
                    (_, Some(e)) => format!("{}", e.into_failure(NAME, "revoking the token")),
                    (Err(e), None) => format!("cannot tell: {}", e.into_failure(NAME, "checking the token")),
                };
                Err(
                    Failure::new(ExitCode::Platform, format!("x: the token is NOT revoked: {why}"))
                        .hint(
                            "revoke the app's access by hand: on x.com, Settings → Security and account access → Apps \
                         and sessions → Connected apps → the app → Revoke app permissions",
                        )
                        .into(),
                )
            }
        }
    }

    /// With the app-only bearer token where the policy says so (it survives a lockdown that
    /// revoked the posting token), else with the credential. By `since_id`, so an account that
    /// posted nothing since costs no post read.
    fn recent_posts(&self, credential: Option<&Credential>, since: jiff::Timestamp) -> Result<Listing> {
        let auth =
            if self.api.reconcile_with_app {
                let token =
                    credentials::read_beside(&self.account, APP_BEARER)?.ok_or_else(|| {
                        Failure::new(
                    ExitCode::Credential,
                    format!(
                        "account `{}` reads with an app-only bearer token (reconcile_credential = \"app-bearer\"), \
                         and the keychain has none",
                        self.account.name
                    ),
                )
                .hint(format!("store it with `postgate login {} --app-bearer`", self.account.name))
                    })?;
                Auth::Bearer(token)
            } else {
                match credential {
                    Some(c) => self.auth(c)?,
                    None => {
                        return Err(Failure::new(
                        ExitCode::Credential,
                        format!(
                            "X lists no posts without a credential, and account `{}` has none",
                            self.account.name
                        ),
                    )
                    .hint(format!(
                        "to keep watching after a lockdown, set reconcile_credential = \"app-bearer\" on the account \
                         and store the app's bearer token with `postgate login {} --app-bearer`",
                        self.account.name
                    ))
                    .into());
                    }
                }
            };
        let id = self.user_id(&auth)?;
        self.list(&auth, &id, since, true)
    }
}

/// Requests made as the account.
struct XSession<'a> {
    x: &'a X,
    auth: Auth,
    /// The id `/2/users/me` gave, for listing where the policy pins none.
    user_id: OnceCell<String>,
}

impl XSession<'_> {
    fn user_id(&self) -> Result<String> {
        if let Some(id) = self.x.api.user_id.as_ref().or(self.user_id.get()) {
            return Ok(id.clone());
        }
        let me = self.identity()?;
        me.id
            .ok_or_else(|| Failure::new(ExitCode::Platform, "x: /2/users/me gave no id").into())
    }

    /// Looks for `text` with `images` images among the posts made since `since`: the same
    /// words without the images (or with others' count) are another post.
    fn look(&self, text: &str, images: usize, since: jiff::Timestamp, recorded: &[String]) -> Look {
        let (posts, cut) = match self
            .user_id()
            .and_then(|id| self.x.list_with_media(&self.auth, &id, since, false))
        {
            Ok(l) => l,
            Err(e) => return Look::Inconclusive(format!("listing the account's posts failed: {e:#}")),
        };
        // Only a post X dates within the window is ours: one without `created_at` (asked for,
        // so a server that leaves it out may also have ignored `start_time`) could be years old.
        let mut undated = false;
        for (post, _) in posts
            .into_iter()
            .filter(|(p, media)| *media == images && !recorded.contains(&p.id) && same_text(text, &p.text))
        {
            if post.created_at.is_some() {
                return Look::Found(post);
            }
            undated = true;
        }
        if undated {
            return Look::Inconclusive("X listed a post with this text without saying when it was made".into());
        }
        match cut {
            Some(why) => Look::Inconclusive(why),
            None => Look::NotFound,
        }
    }

    /// Publishes `body` exactly once, X having no idempotency key: the shared look-before-write
    /// loop (`platform::settle`), with X's own listing and comparison.
    fn settle(&self, body: &Value, text: &str, key: &PostKey, first: Attempt) -> Result<Published> {
        let since = key.since.unwrap_or_else(jiff::Timestamp::now);
        let since = since
            .checked_sub(crate::platform::spec::SERVER_CLOCK_MARGIN)
            .unwrap_or(since);
        let images = body
            .pointer("/media/media_ids")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let place = Place {
            platform: NAME,
            refuser: "X",
            on: "the account",
            posts: "the account's posts",
            address: format!("https://x.com/{}", self.x.username),
            since,
        };
        settle::settle(
            &place,
            sent(first),
            &mut || sent(self.x.post_once(&self.auth, body)),
            &mut || self.look(text, images, since, &key.recorded),
        )
    }

    fn body(&self, draft: &Draft, edit_of: Option<&str>) -> Result<Value> {
        let mut body = json!({ "text": draft.text });
        if let Some(reply) = &draft.reply_to {
            body["reply"] = json!({ "in_reply_to_tweet_id": post_id(reply)? });
        }
        if let Some(previous) = edit_of {
            body["edit_options"] = json!({ "previous_post_id": post_id(previous)? });
        }
        if !draft.images.is_empty() {
            let ids = draft
                .images
                .iter()
                .map(|image| self.x.upload(&self.auth, image))
                .collect::<Result<Vec<_>>>()?;
            body["media"] = json!({ "media_ids": ids });
        }
        Ok(body)
    }

    fn reply(&self, id: &str, draft: &Draft, key: &PostKey) -> Result<Published> {
        let reply = Draft {
            reply_to: Some(id.to_string()),
            ..draft.clone()
        };
        self.publish(&reply, key)
    }
}

impl Session for XSession<'_> {
    fn identity(&self) -> Result<Identity> {
        let me = self.x.me(&self.auth)?;
        if let Some(id) = &me.id {
            let _ = self.user_id.set(id.clone());
        }
        Ok(me)
    }

    /// `POST /2/tweets` with only `text`, `reply` and `media`: the body takes no unknown field
    /// (`additionalProperties: false` in the OpenAPI document).
    fn publish(&self, draft: &Draft, key: &PostKey) -> Result<Published> {
        let body = self.body(draft, None)?;
        let first = self.x.post_once(&self.auth, &body);
        self.settle(&body, &draft.text, key, first)
    }

    fn edit(&self, id: &str, draft: &Draft) -> Result<Published> {
        let body = self.body(draft, Some(id))?;
        let first = self.x.post_once(&self.auth, &body);
        self.settle(&body, &draft.text, &PostKey::new(""), first)
    }

    /// A reply by default. An edit where the account asks for one, which X allows only with X
    /// Premium, within 30 minutes and 5 times (`fundamentals/edit-posts`): an edit X refuses
    /// becomes a reply, said on stderr.
    fn correct(&self, id: &str, draft: &Draft, key: &PostKey) -> Result<Published> {
        if self.x.api.correction == XCorrection::Reply {
            return self.reply(id, draft, key);
        }

        let body = self.body(draft, Some(id))?;
        match self.x.post_once(&self.auth, &body) {
            // X refuses an edit it does not allow with 403 (or 400 for a post it cannot edit);
            // a rate limit or a refused credential would refuse the reply just the same.
            Attempt::Refused(f, Some(status))
                if status == StatusCode::FORBIDDEN || status == StatusCode::BAD_REQUEST =>
            {
                eprintln!(
                    "postgate: x: X refused the edit ({}); publishing the correction as a reply to the post instead",
                    f.message
                );
                self.reply(id, draft, key)
            }
            first => self.settle(&body, &draft.text, key, first),
        }
    }

    fn delete(&self, id: &str) -> Result<()> {
        let id = post_id(id)?;
        let url = self.x.url(&format!("/2/tweets/{id}"))?;
        let resp = match http::send(
            || self.x.request(&self.auth, Method::DELETE, &url, &Body::None),
            Retry::Safe,
        ) {
            Ok(r) => r,
            Err(HttpError::Status { status, .. }) if status == StatusCode::NOT_FOUND => {
                return Err(Failure::new(
                    ExitCode::Platform,
                    format!("x: no post {id} on this account (already deleted, or not this account's)"),
                )
                .into());
            }
            Err(e) => return Err(failure(e, "deleting").into()),
        };
        let answer: Data<Deleted> = http::read_json(resp, Answer::Post, NAME, "deleting")?;
        if answer.data.deleted {
            Ok(())
        } else {
            Err(Failure::new(
                ExitCode::Platform,
                format!("x: X answered that post {id} was not deleted"),
            )
            .into())
        }
    }

    fn recent_posts(&self, since: jiff::Timestamp) -> Result<Listing> {
        self.x.list(&self.auth, &self.user_id()?, since, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_is_the_same_whatever_x_did_to_its_links_and_spacing() {
        assert!(same_text(
            "Voir https://www.culture.gouv.fr/actualites  demain",
            "Voir https://t.co/AbC123 demain"
        ));
        assert!(same_text("Cafe\u{301} ouvert", "Café ouvert"));
        assert!(!same_text("Voir https://a.fr demain", "Voir https://t.co/x hier"));
        assert!(!same_text("Bonjour", "Bonjour !"));
        // An address X expanded is compared, its host without case.
        assert!(same_text("Voir https://A.fr/x demain", "Voir https://a.fr/x demain"));
        assert!(!same_text("Voir https://a.fr/x demain", "Voir https://a.fr/y demain"));
        assert!(!same_text("Voir https://a.fr/x demain", "Voir demain https://a.fr/x"));
        // As X's API gives texts back: `&`, `<` and `>` escaped.
        assert!(same_text(
            "Culture & patrimoine <3 > 2",
            "Culture &amp; patrimoine &lt;3 &gt; 2"
        ));
        assert!(same_text("Tapez &amp;", "Tapez &amp;amp;"));
        assert!(same_text("Tapez &amp;", "Tapez &amp;"));
        assert!(!same_text("Culture et patrimoine", "Culture &amp; patrimoine"));
    }

    #[test]
    fn since_ids_are_the_snowflake_just_before_a_time() {
        // 2021-01-06T18:40:40.344Z is the time of post 1346889436626259968 (X's example id):
        // (1609958440344 - 1288834974657) << 22 = 1346889436626259968 minus its low bits.
        let at: jiff::Timestamp = "2021-01-06T18:40:40.344Z".parse().unwrap();
        let id: u64 = since_id(at).unwrap().parse().unwrap();
        assert!(id < 1_346_889_436_626_259_968);
        assert!(1_346_889_436_626_259_968 - id < (1 << 22));
        assert_eq!(since_id("2010-11-04T00:00:00Z".parse().unwrap()), None);
    }
}
