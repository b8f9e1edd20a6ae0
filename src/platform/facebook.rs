//! Facebook Pages, through Meta's Graph API.
//!
//! The account is a Page: its handle is the Page's username (`@MinistereCulture`), and the
//! policy pins its numeric id as `page_id`, which every request names. The credential is a
//! Page access token, taken by `login` as one secret. Before every publish, `GET /me` with
//! that token must return the pinned Page: Meta's docs say `/me` resolves to "the person or
//! Page whose access token is being used" (developers.facebook.com/docs/graph-api/overview,
//! "Me"), so a token of another Page, or a person's own token, is refused.
//!
//! The Graph API has no idempotency key, and has answered HTTP 500 "unexpected error" (code 2)
//! for posts it had in fact created, so that retries made duplicates (arsduo/koala#699). A post
//! whose outcome is unknown is therefore looked for among the Page's published posts before it
//! is ever sent again ([`ExactlyOnce::LookBeforeWrite`]), as X does.
//!
//! Sources, cited beside the code that relies on them, on developers.facebook.com: the Pages
//! API posts guide (`docs/pages-api/posts`), the Graph API references for `page/feed`,
//! `page/photos`, `page/published_posts`, `post` and `user/permissions`, the error handling
//! guide (`docs/graph-api/guides/error-handling`), the rate limiting overview
//! (`docs/graph-api/overview/rate-limiting`), photo uploads (`docs/graph-api/photo-uploads`),
//! the changelog (versions) and the access token guide (`docs/facebook-login/guides/access-tokens`).

use super::settle::{self, Look, Place};
use super::spec::{
    AccountKeys, Client as PlatformClient, CorrectionStyle, ExactlyOnce, Identity, Limits, Listing, PostKey, Published,
    RemotePost, Revocation, Session, Spec, service_url,
};
use crate::account::{Account, Destination, PlatformName};
use crate::content::{Draft, Image};
use crate::credentials::Credential;
use crate::diagnostic::Diagnostic;
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::platform::http::{self, Answer, ID_CAP, MESSAGE_CAP, NAME_CAP, TEXT_CAP, URL_CAP, clip};
use crate::redacted::Secret;
use crate::sanitize::one_line;
use anyhow::Result;
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::{Method, StatusCode, Url};
use serde::Deserialize;
use serde_json::Value;
use std::cell::Cell;
use std::sync::Arc;
use std::time::Duration;
use toml::Spanned;

pub const NAME: &str = "facebook";

/// The Graph API version postgate was written and tested against. Meta's changelog: v25.0
/// came out on 18 February 2026 and is available until 29 July 2028 (v26.0 followed on 29 July
/// 2026). A pinned version means Meta's changes reach postgate only when someone moves it, with
/// `graph_version` in the policy.
pub const DEFAULT_GRAPH_VERSION: &str = "v25.0";
pub const DEFAULT_API: &str = "https://graph.facebook.com";

/// Meta documents no post length in its API references; 63,206 characters is the limit of
/// Facebook's composer that every scheduler documents (e.g. docs.zernio.com/platforms/facebook,
/// docs.letmepost.dev/platforms/facebook). postgate counts UTF-16 code units, which is never
/// fewer than the characters Meta may count: a text that passes cannot be too long.
pub const MAX_CHARACTERS: usize = 63_206;

/// Images in one post: Meta's posts guide attaches several unpublished photos with
/// `attached_media` without saying how many; schedulers document 10, which postgate keeps.
pub const MAX_IMAGES: usize = 10;

/// "We recommend uploading photos under 4MB" (`docs/graph-api/photo-uploads`, "Supported
/// Formats"): postgate refuses larger ones rather than have Meta refuse or degrade them.
pub const MAX_IMAGE_BYTES: u64 = 4_000_000;

/// Pages of 100 posts a listing reads at most before it says it stopped.
const MAX_PAGES: usize = 10;

/// A `X-Business-Use-Case-Usage` (or `X-App-Usage`) percentage at which postgate warns: Meta
/// throttles at 100 (`docs/graph-api/overview/rate-limiting`).
const USAGE_WARNING: u64 = 80;

/// Throttling codes (`docs/graph-api/overview/rate-limiting`, "Error codes"): 4 app limit, 17
/// user limit, 32 Page limit, 613 custom limit, 80001 Page business use case limit. Meta
/// refuses a throttled call without applying it, so even a post may be sent again.
const THROTTLED: &[i64] = &[4, 17, 32, 613, 80001];

/// Throttled calls are tried this many times in all, waiting [`throttle_wait`] between.
const THROTTLE_ATTEMPTS: u32 = 3;

/// Where a Facebook account's requests go, and the Page the policy pins.
#[derive(Debug, Clone)]
pub struct Graph {
    pub api: Url,
    pub graph_version: String,
    pub page_id: String,
    /// Whether every session first checks the Page token with `debug_token`, using the app
    /// token stored beside it ([`APP_TOKEN`]).
    pub debug_token: bool,
    /// The institution's Meta app, whose id lets `login` exchange a person's token for the
    /// Page's own (the app secret is asked for at a hidden prompt, never taken from argv).
    pub app_id: Option<String>,
}

/// The keychain item beside the credential that holds the app token `debug_token` needs.
pub const APP_TOKEN: &str = "app-token";

/// An expiry this close is warned about at every run, as the pipeline warns about others.
const EXPIRY_WARNING: jiff::SignedDuration = jiff::SignedDuration::from_hours(7 * 24);

impl Destination for Graph {
    fn host(&self) -> String {
        super::spec::host_of(&self.api)
    }

    fn pinned_id(&self) -> Option<&str> {
        Some(&self.page_id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Keys {
    page_id: Option<Spanned<String>>,
    graph_version: Option<Spanned<String>>,
    api: Option<Spanned<String>>,
    debug_token: Option<Spanned<bool>>,
    app_id: Option<Spanned<String>>,
}

/// Facebook's place in the registry.
pub static SPEC: FacebookSpec = FacebookSpec;

pub struct FacebookSpec;

/// Facebook's username rules (facebook.com/help/105399436216001, "What are the guidelines
/// around creating a custom username?"): at least 5 characters, letters, digits and periods
/// only. 50 is the longest Facebook accepts (the same help centre's "Username" page).
pub fn validate_username(name: &str) -> Result<(), String> {
    if name.len() < 5 || name.len() > 50 {
        return Err("a Facebook username has 5 to 50 characters".into());
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
        return Err("a Facebook username holds only letters, digits and `.`".into());
    }
    if !name.chars().any(|c| c.is_ascii_alphabetic()) {
        return Err("a Facebook username is not a number: that would be the Page's id (`page_id`)".into());
    }
    Ok(())
}

/// Graph ids are decimal numbers (Page ids run to 15 or 16 digits today).
pub fn is_id(text: &str) -> bool {
    !text.is_empty() && text.len() <= 24 && text.bytes().all(|b| b.is_ascii_digit())
}

/// `vMAJOR.MINOR`, as Meta names versions in every URL (`/v25.0/...`).
fn is_version(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('v') else {
        return false;
    };
    let Some((major, minor)) = rest.split_once('.') else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
    digits(major) && digits(minor)
}

impl Spec for FacebookSpec {
    fn name(&self) -> PlatformName {
        PlatformName::new(NAME)
    }

    fn title(&self) -> &'static str {
        "Facebook"
    }

    fn validate_handle(&self, handle: &str) -> Result<(), String> {
        let name = handle
            .strip_prefix('@')
            .ok_or("it must start with `@`, as in `@MinistereCulture` (the Page's username)")?;
        validate_username(name)
    }

    fn keys(&self) -> &'static [&'static str] {
        &["page_id", "graph_version", "api", "debug_token", "app_id"]
    }

    fn key_help(&self, key: &str) -> Option<&'static str> {
        match key {
            "page_id" => Some("`page_id` pins a Facebook Page; X pins `user_id`, Mastodon `account_id`, Bluesky `did`"),
            "graph_version" => Some("only Facebook accounts name a Graph API version"),
            "debug_token" => Some("only Facebook accounts check their token with Meta's debug_token"),
            "app_id" => Some("only Facebook accounts log in through a Meta app; X names its app with `client_id`"),
            _ => None,
        }
    }

    /// `page_id` is required: every request names the Page by it, and the identity check
    /// compares the token's Page with it, so there is no Facebook account without it.
    fn destination(&self, keys: &AccountKeys, diags: &mut Vec<Diagnostic>) -> Option<Arc<dyn Destination>> {
        let raw: Keys = keys.parse(diags)?;
        let page_id = match &raw.page_id {
            None => {
                keys.missing(self.name(), "page_id", diags);
                None
            }
            Some(id) if !is_id(id.get_ref()) => {
                diags.push(
                    Diagnostic::new("`page_id` must be the Page's numeric id", id.span())
                        .help("it is on the Page: About → Page transparency → Page ID"),
                );
                None
            }
            Some(id) => Some(id.get_ref().clone()),
        };
        let graph_version = match &raw.graph_version {
            None => Some(DEFAULT_GRAPH_VERSION.to_string()),
            Some(v) if is_version(v.get_ref()) => Some(v.get_ref().clone()),
            Some(v) => {
                diags.push(Diagnostic::new(
                    format!("`graph_version` must be a Graph API version such as \"{DEFAULT_GRAPH_VERSION}\""),
                    v.span(),
                ));
                None
            }
        };
        let api = match &raw.api {
            None => service_url(DEFAULT_API).ok(),
            Some(v) => match service_url(v.get_ref()) {
                Ok(url) => Some(url),
                Err(why) => {
                    diags.push(Diagnostic::new(format!("invalid `api` URL: {why}"), v.span()));
                    None
                }
            },
        };
        let app_id = match &raw.app_id {
            Some(id) if !is_id(id.get_ref()) => {
                diags.push(
                    Diagnostic::new("`app_id` must be the Meta app's numeric id", id.span())
                        .help("it is at the top of the app's dashboard on developers.facebook.com"),
                );
                None
            }
            other => Some(other.as_ref().map(|v| v.get_ref().clone())),
        };
        Some(Arc::new(Graph {
            api: api?,
            graph_version: graph_version?,
            page_id: page_id?,
            debug_token: raw.debug_token.is_some_and(|v| *v.get_ref()),
            app_id: app_id?,
        }))
    }

    fn offline(&self, _account: &Account, text: &str) -> (usize, Option<Limits>) {
        (length(text), Some(LIMITS))
    }

    fn max_image_bytes(&self) -> u64 {
        MAX_IMAGE_BYTES
    }

    fn pin_key(&self) -> Option<&'static str> {
        Some("page_id")
    }

    /// Meta's user tokens begin `EAA` too, so the shape cannot tell a Page token from a
    /// person's; only `/me` can, and `login` asks it.
    fn secret_warning(&self, secret: &str) -> Option<&'static str> {
        let token = page_token(&Secret::new(secret.to_string()));
        (!token.expose().starts_with("EAA")).then_some(
            "this does not look like a Meta access token (they begin with `EAA`); use the Page's token from \
             /me/accounts (docs/facebook.md)",
        )
    }

    /// `POST /{post-id}` with a new `message` edits a Page post; Facebook shows it as edited,
    /// with its history (Pages API posts guide, "Update a Post").
    fn correction(&self, _account: &Account) -> CorrectionStyle {
        CorrectionStyle::Edit
    }

    fn exactly_once(&self) -> ExactlyOnce {
        ExactlyOnce::LookBeforeWrite
    }

    /// Only known for a token stored with the end `debug_token` gave it (see [`with_expiry`]).
    fn credential_expiry(&self, credential: &Credential) -> Option<jiff::Timestamp> {
        stored(&credential.secret)?.get("expires_at")?.as_str()?.parse().ok()
    }

    fn login_flow(&self) -> Option<&dyn super::spec::LoginFlow> {
        Some(&LOGIN)
    }

    fn connect(&self, account: &Account) -> Result<Box<dyn PlatformClient>> {
        let graph = account.destination::<Graph>().ok_or_else(|| {
            Failure::new(
                ExitCode::Platform,
                format!("account `{}` is not a Facebook account", account.name),
            )
        })?;
        Ok(Box::new(Facebook::new(account, graph)?))
    }
}

pub const LIMITS: Limits = Limits {
    max_characters: MAX_CHARACTERS,
    max_images: MAX_IMAGES,
    max_bytes: None,
};

fn length(text: &str) -> usize {
    text.encode_utf16().count()
}

/// The Graph error object (`docs/graph-api/guides/error-handling`):
/// `{"error": {"message", "type", "code", "error_subcode", "error_user_msg", "fbtrace_id"}}`.
#[derive(Debug, Clone, Default, Deserialize)]
struct GraphError {
    #[serde(default)]
    message: String,
    #[serde(default, rename = "type")]
    kind: String,
    code: Option<i64>,
    error_subcode: Option<i64>,
    error_user_msg: Option<String>,
    fbtrace_id: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: GraphError,
}

impl GraphError {
    fn code(&self) -> i64 {
        self.code.unwrap_or(0)
    }

    /// One line for a message: Meta's text, its user message where it has one, and the codes
    /// support asks for, every server field clipped and made visible.
    fn describe(&self) -> String {
        let mut text = clip(&self.message, MESSAGE_CAP);
        if let Some(user) = self.error_user_msg.as_deref().filter(|m| !m.is_empty()) {
            text = format!("{text} ({})", clip(user, MESSAGE_CAP));
        }
        let mut codes = Vec::new();
        if let Some(c) = self.code {
            codes.push(format!("code {c}"));
        }
        if let Some(s) = self.error_subcode {
            codes.push(format!("subcode {s}"));
        }
        if !self.kind.is_empty() {
            codes.push(clip(&self.kind, 64));
        }
        if let Some(t) = &self.fbtrace_id {
            codes.push(format!("fbtrace_id {}", clip(t, 64)));
        }
        if !codes.is_empty() {
            text = format!("{text} [{}]", codes.join(", "));
        }
        one_line(&text)
    }
}

/// What one request came to.
enum Sent {
    Answer(Response),
    /// Meta answered with an error status, and its error object where it sent one.
    Graph(StatusCode, GraphError),
    /// Sent, and no answer came back: a write's effect is unknown.
    Lost(String),
    /// It may not have left this machine.
    Unsent(String),
}

/// What one publish came to.
enum Attempt {
    Done(Published),
    /// Error 506, "Duplicate status message": Meta refused the text as a repeat, without
    /// saying of which post.
    Duplicate,
    /// Sent without a usable answer (lost, a 5xx, Meta's code 2 "unexpected error"): it may
    /// have landed.
    Unknown(String),
    Refused(Failure),
}

/// One send as the shared loop reads it.
fn sent(attempt: Attempt) -> settle::Sent {
    match attempt {
        Attempt::Done(p) => settle::Sent::Done(p),
        Attempt::Duplicate => settle::Sent::Duplicate("Meta refused it as a duplicate (error 506)".into()),
        Attempt::Unknown(why) => settle::Sent::Unknown(why),
        Attempt::Refused(f) => settle::Sent::Refused(f.into()),
    }
}

/// The permission each kind of request needs (Graph API reference, `page/feed` "Creating" and
/// `page/published_posts` "Requirements").
#[derive(Clone, Copy)]
enum Need {
    Publish,
    Read,
    Identity,
}

impl Need {
    fn permission(self) -> &'static str {
        match self {
            Need::Publish => "pages_manage_posts (with pages_read_engagement, and the CREATE_CONTENT task on the Page)",
            Need::Read => "pages_read_engagement (and the MODERATE or CREATE_CONTENT task on the Page)",
            Need::Identity => "pages_show_list",
        }
    }
}

pub struct Facebook {
    account: Account,
    graph: Graph,
    client: Client,
    /// Whether the usage warning was already given in this run: once is enough.
    warned: Cell<bool>,
}

#[derive(Deserialize)]
struct Me {
    id: String,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// `GET /debug_token`'s answer (Graph API reference, `debug_token`; the access token guide,
/// "Debugging"): `type` is `PAGE` for a Page token, `profile_id` the Page it acts as.
#[derive(Deserialize)]
struct Debugged {
    data: TokenInfo,
}

#[derive(Deserialize)]
struct TokenInfo {
    #[serde(default)]
    is_valid: bool,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    profile_id: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    /// Unix seconds; 0 for a token that does not expire.
    expires_at: Option<i64>,
}

/// `GET /oauth/access_token?grant_type=fb_exchange_token`'s answer.
#[derive(Deserialize)]
struct Exchanged {
    access_token: String,
}

impl Drop for Exchanged {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.access_token.zeroize();
    }
}

/// `GET /me/accounts`: the Pages a person manages, each with its Page token and the tasks the
/// person may do on it (Pages API, "Get a Page Access Token"; `user/accounts`).
#[derive(Deserialize)]
struct Accounts {
    #[serde(default)]
    data: Vec<ManagedPage>,
}

#[derive(Deserialize)]
struct ManagedPage {
    id: String,
    #[serde(default)]
    name: String,
    access_token: Option<String>,
    #[serde(default)]
    tasks: Vec<String>,
}

impl Drop for ManagedPage {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        if let Some(t) = &mut self.access_token {
            t.zeroize();
        }
    }
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

#[derive(Deserialize)]
struct Success {
    #[serde(default)]
    success: bool,
}

#[derive(Deserialize)]
struct PostsPage {
    #[serde(default)]
    data: Vec<Listed>,
    #[serde(default)]
    paging: Option<Paging>,
}

#[derive(Deserialize)]
struct Paging {
    cursors: Option<Cursors>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct Cursors {
    after: Option<String>,
}

#[derive(Deserialize)]
struct Listed {
    id: String,
    #[serde(default)]
    message: Option<String>,
    created_time: Option<String>,
}

impl Facebook {
    pub fn new(account: &Account, graph: &Graph) -> Result<Facebook> {
        Ok(Facebook {
            account: account.clone(),
            graph: graph.clone(),
            client: http::client()?,
            warned: Cell::new(false),
        })
    }

    fn url(&self, path: &str) -> Result<Url> {
        let path = format!("/{}/{}", self.graph.graph_version, path.trim_start_matches('/'));
        self.graph
            .api
            .join(&path)
            .map_err(|e| Failure::new(ExitCode::Platform, format!("bad URL {path}: {e}")).into())
    }

    fn page(&self) -> &str {
        &self.graph.page_id
    }

    /// A post's address on facebook.com: `{page-id}_{post-id}` is shown at
    /// `https://www.facebook.com/{page-id}/posts/{post-id}`.
    fn post_url(&self, id: &str) -> String {
        match id.split_once('_') {
            Some((page, post)) => format!("https://www.facebook.com/{page}/posts/{post}"),
            None => format!("https://www.facebook.com/{id}"),
        }
    }

    /// The token goes in the `Authorization` header (Graph takes OAuth 2.0 bearer tokens), never
    /// in the URL, where proxies and logs would keep it.
    fn request(&self, token: &Secret, method: Method, url: &Url) -> RequestBuilder {
        self.client.request(method, url.clone()).bearer_auth(token.expose())
    }

    /// One request, with its error object read (capped) where Meta sent one.
    fn once(&self, build: &dyn Fn() -> RequestBuilder) -> Sent {
        let (client, request) = build().build_split();
        let request = match request {
            Ok(r) => r,
            Err(e) => return Sent::Unsent(e.without_url().to_string()),
        };
        let read = matches!(*request.method(), Method::GET | Method::HEAD);
        match client.execute(request) {
            Ok(resp) => {
                self.usage(&resp);
                let status = resp.status();
                if status.is_success() {
                    return Sent::Answer(resp);
                }
                let error = http::read_json::<ErrorBody>(resp, Answer::Error, NAME, "reading the error")
                    .map(|b| b.error)
                    .unwrap_or_else(|f| GraphError {
                        message: format!("an answer that is not a Graph error object ({})", f.message),
                        ..GraphError::default()
                    });
                Sent::Graph(status, error)
            }
            // Without the URL: `debug_token` and the token exchange carry secrets in their
            // query, as Meta documents them, and reqwest's errors would print it.
            Err(e) if e.is_connect() => Sent::Unsent(e.without_url().to_string()),
            Err(e) if read => Sent::Unsent(format!(
                "no answer to a read, which changed nothing: {}",
                e.without_url()
            )),
            Err(e) => Sent::Lost(e.without_url().to_string()),
        }
    }

    /// Warns once a run when Meta's usage headers say a limit is near
    /// (`docs/graph-api/overview/rate-limiting`: `X-Business-Use-Case-Usage` for Page tokens,
    /// `X-App-Usage` and `X-Page-Usage` for the older limits; percentages of the limit).
    fn usage(&self, resp: &Response) {
        if self.warned.get() {
            return;
        }
        for name in ["x-business-use-case-usage", "x-app-usage", "x-page-usage"] {
            let Some(value) = resp.headers().get(name).and_then(|v| v.to_str().ok()) else {
                continue;
            };
            let Ok(json) = serde_json::from_str::<Value>(value) else {
                continue;
            };
            let top = highest_usage(&json);
            if top >= USAGE_WARNING {
                self.warned.set(true);
                eprintln!(
                    "postgate: facebook: warning: Meta says {top}% of a rate limit is used ({name}); at 100% it refuses \
                     calls for a while (code 4, 17, 32 or 80001)"
                );
                return;
            }
        }
    }

    /// A request that may be repeated (reads, edits with the same text, deletes, unpublished
    /// uploads): throttling is waited out (bounded), and a 5xx or lost answer retried.
    fn call(&self, build: &dyn Fn() -> RequestBuilder, need: Need, action: &str) -> Result<Response, Failure> {
        let mut attempt = 1;
        loop {
            let outcome = self.once(build);
            let retry_why = match &outcome {
                Sent::Answer(_) => None,
                Sent::Graph(_, e) if THROTTLED.contains(&e.code()) => Some(format!("throttled ({})", e.describe())),
                Sent::Graph(s, e) if s.is_server_error() || e.code() == 2 => {
                    Some(format!("{} {}", s.as_u16(), e.describe()))
                }
                Sent::Graph(..) => None,
                Sent::Lost(e) | Sent::Unsent(e) => Some(format!("no answer ({})", clip(e, MESSAGE_CAP))),
            };
            match (outcome, retry_why) {
                (Sent::Answer(resp), _) => return Ok(resp),
                (_, Some(why)) if attempt < http::MAX_ATTEMPTS => {
                    let wait = throttle_wait(attempt);
                    eprintln!(
                        "postgate: facebook: {action}: {why}; retrying in {:.1}s ({attempt}/{})",
                        wait.as_secs_f64(),
                        http::MAX_ATTEMPTS - 1
                    );
                    std::thread::sleep(wait);
                    attempt += 1;
                }
                (Sent::Graph(status, e), _) => return Err(self.failure(status, &e, need, action)),
                (Sent::Lost(e) | Sent::Unsent(e), _) => {
                    return Err(Failure::new(
                        ExitCode::Platform,
                        format!(
                            "facebook: {action}: no answer from Meta: {}",
                            one_line(&clip(&e, MESSAGE_CAP))
                        ),
                    ));
                }
            }
        }
    }

    /// Meta's error object as a failure (`docs/graph-api/guides/error-handling`, "Error
    /// Codes"): what it means for this account, with the fix.
    fn failure(&self, status: StatusCode, e: &GraphError, need: Need, action: &str) -> Failure {
        let text = format!("facebook: {action}: {} {}", status.as_u16(), e.describe());
        let name = &self.account.name;
        match e.code() {
            // 190 "Access token has expired", invalid, or invalidated (a password change, a
            // person who lost their role on the Page, the app removed); 102 the older session
            // error.
            190 | 102 => Failure::new(ExitCode::Credential, text).hint(format!(
                "Meta no longer accepts the Page token of `{name}`; make a new one (docs/facebook.md) and run \
                 `postgate login {name}`"
            )),
            // 10 and 200–299: the app or the token lacks a permission.
            10 | 200..=299 => Failure::new(ExitCode::Credential, text).hint(format!(
                "the Page token of `{name}` lacks a permission this needs: {}; make a new token with it \
                 (docs/facebook.md) and run `postgate login {name}`",
                need.permission()
            )),
            c if THROTTLED.contains(&c) => Failure::new(ExitCode::Platform, text).hint(
                "Meta throttles this app or Page for now; nothing more was sent; try again in an hour \
                 (X-Business-Use-Case-Usage says when access returns)",
            ),
            // 368 "The action attempted has been deemed abusive or is otherwise disallowed".
            368 => Failure::new(ExitCode::ContentRefused, text).hint(
                "Meta blocked this for the Page (its policies, or a temporary block); look at the Page's \
                 Support inbox / Account status in Meta Business Suite before trying again",
            ),
            506 => Failure::new(ExitCode::ContentRefused, text)
                .hint("Meta refuses the text as a duplicate of a recent post of the Page"),
            100 if e.message.contains("(User)") => Failure::new(ExitCode::IdentityMismatch, text).hint(
                "this is a person's access token, not the Page's: take the Page's token from /me/accounts \
                 (docs/facebook.md)",
            ),
            _ => Failure::new(ExitCode::Platform, text),
        }
    }

    fn read<T: for<'de> Deserialize<'de>>(
        &self,
        token: &Secret,
        url: &Url,
        answer: Answer,
        need: Need,
        action: &str,
    ) -> Result<T> {
        let resp = self.call(&|| self.request(token, Method::GET, url), need, action)?;
        Ok(http::read_json(resp, answer, NAME, action)?)
    }

    /// `GET /me?fields=id,name,username`: with a Page token, the Page.
    fn me(&self, token: &Secret) -> Result<Identity> {
        let mut url = self.url("me")?;
        url.query_pairs_mut().append_pair("fields", "id,name,username");
        let me: Me = self.read(token, &url, Answer::Identity, Need::Identity, "checking the credential")?;
        let handle = match &me.username {
            Some(u) => format!("@{}", clip(u, NAME_CAP)),
            None => format!(
                "a Page without a username ({})",
                clip(me.name.as_deref().unwrap_or("no name"), NAME_CAP)
            ),
        };
        Ok(Identity {
            handle,
            id: Some(clip(&me.id, ID_CAP)),
        })
    }

    /// Exchanges a person's token for a long-lived one (the access token guide, "Long-Lived
    /// User Access Tokens": `fb_exchange_token` with the app's id and secret, as Meta documents
    /// it, in the query), then takes the pinned Page's token from `/me/accounts`. A Page token
    /// made from a long-lived user token has no expiry date (same guide, "Long-Lived Page
    /// Access Tokens"). Nothing but the Page token is kept.
    fn exchange(&self, app_id: &str, app_secret: &Secret, user_token: &Secret) -> Result<Secret> {
        let mut url = self.url("oauth/access_token")?;
        url.query_pairs_mut()
            .append_pair("grant_type", "fb_exchange_token")
            .append_pair("client_id", app_id)
            .append_pair("client_secret", app_secret.expose())
            .append_pair("fb_exchange_token", user_token.expose());
        // The exchange carries its secrets in the query, so no Authorization header.
        let resp = self
            .call(
                &|| self.client.get(url.clone()),
                Need::Identity,
                "exchanging the user token",
            )
            .map_err(|f| Failure {
                code: ExitCode::Credential,
                ..f
            })?;
        let long: Exchanged = http::read_json(resp, Answer::Identity, NAME, "exchanging the user token")?;
        let long = Secret::new(long.access_token.clone());
        let mut url = self.url("me/accounts")?;
        url.query_pairs_mut()
            .append_pair("fields", "id,name,access_token,tasks")
            .append_pair("limit", "100");
        let pages: Accounts = self.read(&long, &url, Answer::Page, Need::Identity, "listing the person's Pages")?;
        let Some(page) = pages.data.iter().find(|p| p.id == self.page()) else {
            let managed: Vec<String> = pages
                .data
                .iter()
                .map(|p| {
                    format!(
                        "{} ({})",
                        one_line(&clip(&p.name, NAME_CAP)),
                        one_line(&clip(&p.id, ID_CAP))
                    )
                })
                .collect();
            return Err(Failure::new(
                ExitCode::IdentityMismatch,
                format!(
                    "facebook: this person does not manage the Page {} that account `{}` pins; they manage: {}",
                    self.page(),
                    self.account.name,
                    if managed.is_empty() {
                        "no Page".to_string()
                    } else {
                        managed.join(", ")
                    }
                ),
            )
            .hint("log in as a person with a role on the Page; nothing was stored")
            .into());
        };
        if !page.tasks.iter().any(|t| t == "CREATE_CONTENT") {
            return Err(Failure::new(
                ExitCode::Credential,
                format!(
                    "facebook: this person may not create content on the Page {} (their tasks: {})",
                    self.page(),
                    one_line(&clip(&page.tasks.join(", "), MESSAGE_CAP))
                ),
            )
            .hint("give them the Page's Content access (or full control), then log in again; nothing was stored")
            .into());
        }
        let token = page.access_token.as_deref().ok_or_else(|| {
            Failure::new(
                ExitCode::Credential,
                "facebook: /me/accounts gave no Page token: the person's token lacks pages_show_list or \
                 pages_manage_posts",
            )
        })?;
        Ok(Secret::new(token.to_string()))
    }

    /// Asks `GET /debug_token?input_token=…` with the app token what `input` is.
    fn debug(&self, input: &Secret, app: &Secret) -> Result<TokenInfo> {
        let mut url = self.url("debug_token")?;
        url.query_pairs_mut().append_pair("input_token", input.expose());
        let answer: Debugged = self.read(app, &url, Answer::Identity, Need::Identity, "asking debug_token")?;
        Ok(answer.data)
    }

    /// The Page token, as `debug_token` describes it, must be valid, a Page token, of the
    /// pinned Page, with `pages_manage_posts`, and not expired; an expiry within a week is
    /// warned about. Returns what was checked, and the expiry where there is one.
    fn check_page_token(&self, token: &Secret, app: &Secret) -> Result<(String, Option<jiff::Timestamp>)> {
        let info = self.debug(token, app)?;
        let name = &self.account.name;
        let relogin = format!("make a new Page token (docs/facebook.md) and run `postgate login {name}`");
        if !info.is_valid {
            return Err(Failure::new(
                ExitCode::Credential,
                format!("facebook: debug_token says the Page token of `{name}` is no longer valid"),
            )
            .hint(relogin)
            .into());
        }
        let kind = info.kind.as_deref().unwrap_or("untyped");
        if kind != "PAGE" {
            return Err(Failure::new(
                ExitCode::IdentityMismatch,
                format!(
                    "facebook: debug_token says the credential of `{name}` is a {} token, not a Page token",
                    one_line(&clip(kind, 32))
                ),
            )
            .hint("take the Page's own token from /me/accounts (docs/facebook.md)")
            .into());
        }
        let profile = info.profile_id.as_deref().unwrap_or("");
        if profile != self.page() {
            return Err(Failure::new(
                ExitCode::IdentityMismatch,
                format!(
                    "facebook: debug_token says the Page token of `{name}` acts as Page {}, but the policy pins {}",
                    one_line(&clip(profile, ID_CAP)),
                    self.page()
                ),
            )
            .into());
        }
        if !info.scopes.iter().any(|s| s == "pages_manage_posts") {
            return Err(Failure::new(
                ExitCode::Credential,
                format!("facebook: the Page token of `{name}` lacks the pages_manage_posts permission"),
            )
            .hint(relogin)
            .into());
        }
        let mut ends = None;
        let expiry = match info.expires_at.filter(|e| *e > 0) {
            None => "does not expire".to_string(),
            Some(at) => {
                let at = jiff::Timestamp::from_second(at).map_err(|e| {
                    Failure::new(
                        ExitCode::Platform,
                        format!("facebook: debug_token gave an expiry that is not a time: {e}"),
                    )
                })?;
                let now = jiff::Timestamp::now();
                if at <= now {
                    return Err(Failure::new(
                        ExitCode::Credential,
                        format!("facebook: the Page token of `{name}` expired at {at}"),
                    )
                    .hint(relogin)
                    .into());
                }
                if now.checked_add(EXPIRY_WARNING).is_ok_and(|soon| at <= soon) {
                    eprintln!("postgate: facebook: warning: the Page token of `{name}` expires at {at}; {relogin}");
                }
                ends = Some(at);
                format!("expires at {at}")
            }
        };
        let checked = format!(
            "debug_token: a Page token of Page {}, with pages_manage_posts, that {expiry}",
            self.page()
        );
        Ok((checked, ends))
    }

    /// The Page's posts since `since`, newest first, through `GET /{page-id}/published_posts`
    /// (`page/published_posts`: Unix `since`, cursor paging). Only `paging.cursors.after` is
    /// taken from Meta's paging: its `next` is a whole URL, and the token must only go where
    /// the policy says.
    fn list(&self, token: &Secret, since: jiff::Timestamp) -> Result<Listing> {
        let mut posts = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut url = self.url(&format!("{}/published_posts", self.page()))?;
            {
                let mut q = url.query_pairs_mut();
                q.append_pair("fields", "id,message,created_time")
                    .append_pair("since", &since.as_second().to_string())
                    .append_pair("limit", "100");
                if let Some(a) = &after {
                    q.append_pair("after", a);
                }
            }
            let page: PostsPage = self.read(token, &url, Answer::Page, Need::Read, "listing the Page's posts")?;
            for post in page.data {
                // A post whose id has not Meta's shape cannot be recorded, corrected or deleted
                // later; nor may it be left out, or a search would call its post missing.
                if !post_id_shape(&post.id) {
                    return Ok(Listing::cut(
                        posts,
                        format!(
                            "Meta listed a post whose id is not one ({})",
                            one_line(&clip(&post.id, 40))
                        ),
                    ));
                }
                let created_at = post.created_time.as_deref().and_then(graph_time);
                if created_at.is_some_and(|t| t < since) {
                    continue;
                }
                // The address is made from the id, never taken from Meta's `permalink_url`: what
                // the audit log records as the post's address must be on facebook.com.
                posts.push(RemotePost {
                    id: clip(&post.id, ID_CAP),
                    url: clip(&self.post_url(&post.id), URL_CAP),
                    created_at,
                    text: clip(post.message.as_deref().unwrap_or(""), TEXT_CAP),
                });
            }
            let next = page.paging.as_ref().and_then(|p| p.next.as_ref()).is_some();
            match page.paging.and_then(|p| p.cursors).and_then(|c| c.after) {
                Some(a) if next && Some(&a) != after.as_ref() => after = Some(a),
                Some(_) if next => return Ok(Listing::cut(posts, "Meta repeated a page of posts")),
                _ => return Ok(Listing::whole(posts)),
            }
        }
        Ok(Listing::cut(
            posts,
            format!("the listing stops after {MAX_PAGES} pages of 100 posts"),
        ))
    }

    /// Uploads one image as an unpublished photo of the Page, with its description in
    /// `alt_text_custom` (`page/photos` "Creating": `published=false` keeps it off the Page
    /// until a post attaches it; `alt_text_custom` is the photo's accessible description).
    /// Repeating it leaves only an unpublished photo: safe to retry.
    fn upload(&self, token: &Secret, image: &Image) -> Result<String> {
        let url = self.url(&format!("{}/photos", self.page()))?;
        let build = || {
            let part = reqwest::blocking::multipart::Part::bytes(image.bytes.clone())
                .file_name(image.file_name.clone())
                .mime_str(image.mime)
                .unwrap_or_else(|_| reqwest::blocking::multipart::Part::bytes(image.bytes.clone()));
            let mut form = reqwest::blocking::multipart::Form::new()
                .text("published", "false")
                .part("source", part);
            if let Some(alt) = &image.alt {
                form = form.text("alt_text_custom", alt.clone());
            }
            self.request(token, Method::POST, &url).multipart(form)
        };
        let resp = self.call(&build, Need::Publish, "uploading an image")?;
        let photo: Created = http::read_json(resp, Answer::Media, NAME, "uploading an image")?;
        if !is_id(&photo.id) {
            return Err(Failure::new(
                ExitCode::Platform,
                format!(
                    "facebook: uploading an image: Meta answered with a photo id that is not one: {}",
                    one_line(&clip(&photo.id, 40))
                ),
            )
            .into());
        }
        Ok(photo.id)
    }

    /// One `POST /{page-id}/feed`, form-encoded (`page/feed` "Creating": `message`, and each
    /// `attached_media[i]={"media_fbid":…}`). Throttling (not applied by Meta) is waited out;
    /// nothing else is repeated here.
    fn post_once(&self, token: &Secret, form: &[(String, String)]) -> Attempt {
        let url = match self.url(&format!("{}/feed", self.page())) {
            Ok(u) => u,
            Err(e) => return Attempt::Refused(Failure::new(ExitCode::Platform, format!("{e:#}"))),
        };
        let mut attempt = 1;
        loop {
            match self.once(&|| self.request(token, Method::POST, &url).form(form)) {
                Sent::Answer(resp) => {
                    let status = resp.status();
                    return match http::read_json::<Created>(resp, Answer::Post, NAME, "publishing") {
                        Ok(c) if post_id_shape(&c.id) => Attempt::Done(Published {
                            url: self.post_url(&c.id),
                            id: c.id,
                            replayed: false,
                        }),
                        Ok(_) => Attempt::Unknown(format!(
                            "Meta answered {} with a post id that is not one",
                            status.as_u16()
                        )),
                        Err(f) => Attempt::Unknown(f.message),
                    };
                }
                Sent::Graph(_, e) if THROTTLED.contains(&e.code()) && attempt < THROTTLE_ATTEMPTS => {
                    let wait = throttle_wait(attempt);
                    eprintln!(
                        "postgate: facebook: throttled ({}); Meta applied nothing, so postgate sends it again in \
                         {:.1}s ({attempt}/{})",
                        e.describe(),
                        wait.as_secs_f64(),
                        THROTTLE_ATTEMPTS - 1
                    );
                    std::thread::sleep(wait);
                    attempt += 1;
                }
                Sent::Graph(_, e) if e.code() == 506 => return Attempt::Duplicate,
                // Code 1 "unknown error" and 2 "service temporarily unavailable" are Meta's
                // transient errors, and with a 5xx the post may well have been made (koala#699).
                Sent::Graph(s, e) if s.is_server_error() || matches!(e.code(), 1 | 2) => {
                    return Attempt::Unknown(format!("{} {}", s.as_u16(), e.describe()));
                }
                Sent::Graph(s, e) => return Attempt::Refused(self.failure(s, &e, Need::Publish, "publishing")),
                Sent::Lost(e) => return Attempt::Unknown(format!("no answer ({})", one_line(&clip(&e, MESSAGE_CAP)))),
                Sent::Unsent(e) => {
                    return Attempt::Refused(Failure::new(
                        ExitCode::Platform,
                        format!(
                            "facebook: publishing: could not reach Meta: {}",
                            one_line(&clip(&e, MESSAGE_CAP))
                        ),
                    ));
                }
            }
        }
    }

    /// Takes a post id (`{page-id}_{post-id}`) or its address
    /// (`https://www.facebook.com/{page-id}/posts/{post-id}`), and returns the id, refusing a
    /// post of another Page.
    fn post_id(&self, reference: &str) -> Result<String, Failure> {
        let trimmed = reference.trim().trim_end_matches('/');
        let path = trimmed.split(['?', '#']).next().unwrap_or(trimmed);
        let id = if post_id_shape(path) {
            Some(path.to_string())
        } else {
            let parts: Vec<&str> = path.rsplit('/').take(3).collect();
            match parts.as_slice() {
                [post, "posts", page] if is_id(post) && is_id(page) => Some(format!("{page}_{post}")),
                _ => None,
            }
        };
        let Some(id) = id else {
            return Err(Failure::new(
                ExitCode::Usage,
                format!("`{}` is not a Facebook post id or post URL", one_line(reference)),
            )
            .hint("give the id postgate printed (PAGEID_POSTID), or https://www.facebook.com/PAGEID/posts/POSTID"));
        };
        if !id.starts_with(&format!("{}_", self.page())) {
            return Err(Failure::new(
                ExitCode::IdentityMismatch,
                format!(
                    "post {} is not a post of the Page {} that account `{}` pins",
                    one_line(&id),
                    self.page(),
                    self.account.name
                ),
            ));
        }
        Ok(id)
    }
}

/// A Page token that `debug_token` says will end is stored with its end, as
/// `{"page_token": …, "expires_at": …}`, so that the pipeline refuses it past that time and
/// warns ahead of it ([`Spec::credential_expiry`]). Any other token is stored as it is.
fn with_expiry(fb: &Facebook, account: &Account, token: Secret) -> Result<Secret> {
    if !fb.graph.debug_token {
        return Ok(token);
    }
    let Some(app) = crate::credentials::read_beside(account, APP_TOKEN)? else {
        // `open` refuses next, saying how to store the app token.
        return Ok(token);
    };
    let (checked, ends) = fb.check_page_token(&token, &app)?;
    eprintln!("postgate: facebook: {checked}");
    Ok(match ends {
        None => token,
        Some(at) => {
            Secret::new(serde_json::json!({ "page_token": token.expose(), "expires_at": at.to_string() }).to_string())
        }
    })
}

/// The Page token in a stored credential: the secret itself, or its `page_token` when it was
/// stored with an expiry.
fn page_token(secret: &Secret) -> Secret {
    stored(secret)
        .and_then(|v| {
            v.get("page_token")
                .and_then(Value::as_str)
                .map(|t| Secret::new(t.to_string()))
        })
        .unwrap_or_else(|| secret.clone())
}

fn stored(secret: &Secret) -> Option<Value> {
    let text = secret.expose();
    if !text.starts_with('{') {
        return None;
    }
    serde_json::from_str::<Value>(text).ok()
}

/// `{page-id}_{post-id}`, as `POST /{page-id}/feed` answers.
fn post_id_shape(text: &str) -> bool {
    text.split_once('_')
        .is_some_and(|(page, post)| is_id(page) && is_id(post))
}

/// The highest percentage in a usage header: `X-App-Usage` is one object of percentages,
/// `X-Business-Use-Case-Usage` an object of business ids, each a list of such objects.
fn highest_usage(v: &Value) -> u64 {
    match v {
        Value::Object(map) => map
            .iter()
            .map(|(k, x)| match x {
                Value::Number(n) if k != "estimated_time_to_regain_access" => n.as_u64().unwrap_or(0),
                other => highest_usage(other),
            })
            .max()
            .unwrap_or(0),
        Value::Array(items) => items.iter().map(highest_usage).max().unwrap_or(0),
        _ => 0,
    }
}

/// The wait before a retry: short, bounded, growing. `POSTGATE_FACEBOOK_BACKOFF_MS` shortens
/// it for tests.
fn throttle_wait(attempt: u32) -> Duration {
    let base = std::env::var("POSTGATE_FACEBOOK_BACKOFF_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(1000)
        .min(10_000);
    Duration::from_millis(base.saturating_mul(2u64.saturating_pow(attempt.saturating_sub(1))))
}

/// Graph times look like `2026-12-02T04:40:00+0000` (ISO 8601 without the offset's colon).
fn graph_time(text: &str) -> Option<jiff::Timestamp> {
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Some(t);
    }
    let (head, tail) = text.split_at(text.len().checked_sub(5)?);
    let colon = format!("{head}{}:{}", tail.get(..3)?, tail.get(3..)?);
    colon.parse::<jiff::Timestamp>().ok()
}

/// Two texts are the same post if they read the same once Unicode and spacing are evened out:
/// Meta may normalise both.
fn same_text(mine: &str, theirs: &str) -> bool {
    use unicode_normalization::UnicodeNormalization;
    let even = |t: &str| {
        t.nfc()
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    even(mine) == even(theirs)
}

impl PlatformClient for Facebook {
    fn limits(&self) -> Result<Limits> {
        Ok(LIMITS)
    }

    fn length(&self, draft: &Draft) -> Result<usize> {
        Ok(length(&draft.text))
    }

    fn open<'a>(&'a self, credential: Option<&'a Credential>) -> Result<Box<dyn Session + 'a>> {
        let credential = credential.ok_or_else(|| {
            Failure::new(ExitCode::Credential, "Facebook needs the Page's access token")
                .hint(format!("run `postgate login {}`", self.account.name))
        })?;
        if self.graph.debug_token {
            let app =
                crate::credentials::read_beside(&self.account, APP_TOKEN)?.ok_or_else(|| {
                    Failure::new(
                    ExitCode::Credential,
                    format!(
                        "account `{}` checks its Page token with debug_token (debug_token = true), and the keychain \
                         holds no app token for it",
                        self.account.name
                    ),
                )
                .hint(format!("store it with `postgate login {} --app-bearer`", self.account.name))
                })?;
            self.check_page_token(&page_token(&credential.secret), &app)?;
        }
        Ok(Box::new(FacebookSession {
            fb: self,
            token: page_token(&credential.secret),
        }))
    }

    /// There is no call that revokes one Page token for good (the access token guide lists
    /// none; Page tokens end when their person's token does). What the API allows is
    /// `DELETE /me/permissions` (`user/permissions` "Deleting"), which de-authorises the app for
    /// a person, and so every Page token made through it; with a Page token Meta may refuse it.
    /// Whatever it answered, `/me` then says whether the token still works.
    fn revoke(&self, credential: &Credential) -> Result<Revocation> {
        let token = &page_token(&credential.secret);
        let url = self.url("me/permissions")?;
        let asked = match self.once(&|| self.request(token, Method::DELETE, &url)) {
            Sent::Answer(_) => "Meta accepted DELETE /me/permissions".to_string(),
            Sent::Graph(s, e) => format!("Meta refused DELETE /me/permissions ({} {})", s.as_u16(), e.describe()),
            Sent::Lost(e) | Sent::Unsent(e) => format!(
                "DELETE /me/permissions got no answer ({})",
                one_line(&clip(&e, MESSAGE_CAP))
            ),
        };
        let mut me = self.url("me")?;
        me.query_pairs_mut().append_pair("fields", "id");
        let by_hand = format!(
            "remove the app from the Page: on Facebook, the Page's Settings → Business integrations → the app → \
             Remove; in Meta Business Suite, Business settings → Accounts → Apps → the app → remove the Page {}; \
             and have every person whose token made this one change their password or log out of the app \
             (docs/facebook.md)",
            self.page()
        );
        match self.once(&|| self.request(token, Method::GET, &me)) {
            Sent::Graph(_, e) if matches!(e.code(), 190 | 102) => Ok(Revocation::Revoked(format!(
                "{asked}, and Meta now rejects the Page token (code {})",
                e.code()
            ))),
            Sent::Answer(_) => Ok(Revocation::Partial {
                done: format!("{asked}; Meta still accepts the Page token"),
                by_hand,
            }),
            Sent::Graph(s, e) => Ok(Revocation::Partial {
                done: format!(
                    "{asked}; whether the token still works is unknown ({} {})",
                    s.as_u16(),
                    e.describe()
                ),
                by_hand,
            }),
            Sent::Lost(e) | Sent::Unsent(e) => Ok(Revocation::Partial {
                done: format!(
                    "{asked}; whether the token still works is unknown (no answer: {})",
                    one_line(&clip(&e, MESSAGE_CAP))
                ),
                by_hand,
            }),
        }
    }

    /// Meta lists a Page's published posts only to a Page token of it, so `reconcile` needs
    /// the credential; after a lockdown removed it, the Page must be watched on Facebook.
    fn recent_posts(&self, credential: Option<&Credential>, since: jiff::Timestamp) -> Result<Listing> {
        let Some(credential) = credential else {
            return Err(Failure::new(
                ExitCode::Credential,
                format!(
                    "Meta lists a Page's posts only to its Page token, and account `{}` has none",
                    self.account.name
                ),
            )
            .hint(format!(
                "store one with `postgate login {}`, or look at the Page on facebook.com",
                self.account.name
            ))
            .into());
        };
        self.list(&page_token(&credential.secret), since)
    }
}

/// `login` for Facebook: the Page token (one secret, as for every platform), or with
/// `--app-bearer` the app token `debug_token` is asked with.
pub static LOGIN: FacebookLogin = FacebookLogin;

pub struct FacebookLogin;

impl super::spec::LoginFlow for FacebookLogin {
    fn options(&self) -> &'static [&'static str] {
        &["--app-bearer"]
    }

    /// The app token is checked before it is kept: against the stored Page token when there is
    /// one (the whole `debug_token` check), else on its own (`type: APP`, valid).
    fn obtain(
        &self,
        account: &Account,
        request: &super::spec::LoginRequest,
        ask: &mut dyn FnMut(&str) -> Result<Secret>,
    ) -> Result<super::spec::Obtained> {
        let graph = account.destination::<Graph>().ok_or_else(|| {
            Failure::new(
                ExitCode::Platform,
                format!("`{}` is not a Facebook account", account.name),
            )
        })?;
        let fb = Facebook::new(account, graph)?;
        if !request.app_bearer {
            let token = match &graph.app_id {
                None => ask("Page access token")?,
                Some(app_id) => {
                    let app_secret = ask("App secret (the app's Settings → Basic)")?;
                    let user_token = ask(
                        "User access token (Graph API Explorer, with pages_manage_posts, pages_read_engagement and \
                         pages_show_list)",
                    )?;
                    fb.exchange(app_id, &app_secret, &user_token)?
                }
            };
            return Ok(super::spec::Obtained::Credential(with_expiry(&fb, account, token)?));
        }
        let app = ask("App access token (APP_ID|APP_SECRET, from the app's Settings → Basic)")?;
        // No stored Page token (or none readable) leaves the app token to be checked alone;
        // the Page token is checked with it at its own login and at every run.
        let checked = match crate::credentials::load(account) {
            Ok(Some(page)) => fb.check_page_token(&page_token(&page.secret), &app)?.0,
            Ok(None) | Err(_) => {
                let info = fb.debug(&app, &app)?;
                if !info.is_valid || info.kind.as_deref() != Some("APP") {
                    return Err(Failure::new(
                        ExitCode::Credential,
                        "facebook: debug_token does not call this a valid app token; nothing was stored",
                    )
                    .into());
                }
                "debug_token calls it a valid app token (no Page token is stored yet to check with it)".to_string()
            }
        };
        Ok(super::spec::Obtained::Beside {
            suffix: APP_TOKEN,
            secret: app,
            checked,
        })
    }
}

struct FacebookSession<'a> {
    fb: &'a Facebook,
    token: Secret,
}

impl FacebookSession<'_> {
    /// Looks for `text` among the posts since `since`. A post the audit log records as another
    /// attempt's (`recorded`) is not this one, and an undated post may be older than the
    /// window: neither settles it.
    fn look(&self, text: &str, since: jiff::Timestamp, recorded: &[String]) -> Look {
        let listing = match self.fb.list(&self.token, since) {
            Ok(l) => l,
            Err(e) => return Look::Inconclusive(format!("listing the Page's posts failed: {e:#}")),
        };
        let mut same = listing
            .posts
            .into_iter()
            .filter(|p| !recorded.contains(&p.id) && same_text(text, &p.text));
        if let Some(post) = same.next() {
            if post.created_at.is_none() {
                return Look::Inconclusive("a post with this text is listed without a time".into());
            }
            return Look::Found(post);
        }
        match listing.cut {
            Some(why) => Look::Inconclusive(why),
            None => Look::NotFound,
        }
    }

    /// Publishes `form` exactly once: the shared look-before-write loop (`platform::settle`),
    /// with the Page's own listing.
    fn settle(&self, form: &[(String, String)], text: &str, key: &PostKey, first: Attempt) -> Result<Published> {
        let since = key.since.unwrap_or_else(jiff::Timestamp::now);
        let since = since.checked_sub(super::spec::SERVER_CLOCK_MARGIN).unwrap_or(since);
        let place = Place {
            platform: NAME,
            refuser: "Meta",
            on: "the Page",
            posts: "the Page's posts",
            address: format!("https://www.facebook.com/{}", self.fb.page()),
            since,
        };
        settle::settle(
            &place,
            sent(first),
            &mut || sent(self.fb.post_once(&self.token, form)),
            &mut || self.look(text, since, &key.recorded),
        )
    }
}

impl Session for FacebookSession<'_> {
    fn identity(&self) -> Result<Identity> {
        self.fb.me(&self.token)
    }

    fn publish(&self, draft: &Draft, key: &PostKey) -> Result<Published> {
        if draft.reply_to.is_some() {
            return Err(Failure::new(
                ExitCode::ContentRefused,
                "a Facebook Page post cannot be a reply: a reply on Facebook is a comment, which postgate does not \
                 publish",
            )
            .into());
        }
        let mut form = vec![("message".to_string(), draft.text.clone())];
        for (i, image) in draft.images.iter().enumerate() {
            let id = self.fb.upload(&self.token, image)?;
            form.push((
                format!("attached_media[{i}]"),
                serde_json::json!({ "media_fbid": id }).to_string(),
            ));
        }
        let first = self.fb.post_once(&self.token, &form);
        self.settle(&form, &draft.text, key, first)
    }

    /// `POST /{post-id}` with the new `message` (`post` "Updating"): the same text twice is
    /// the same edit, so it may be retried.
    fn edit(&self, id: &str, draft: &Draft) -> Result<Published> {
        let id = self.fb.post_id(id)?;
        let url = self.fb.url(&id)?;
        let form = [("message", draft.text.as_str())];
        let resp = self.fb.call(
            &|| self.fb.request(&self.token, Method::POST, &url).form(&form),
            Need::Publish,
            "editing the post",
        )?;
        let answer: Success = http::read_json(resp, Answer::Post, NAME, "editing the post")?;
        if !answer.success {
            return Err(Failure::new(
                ExitCode::Platform,
                format!("facebook: Meta answered that post {id} was not edited"),
            )
            .into());
        }
        Ok(Published {
            url: self.fb.post_url(&id),
            id,
            replayed: false,
        })
    }

    /// `DELETE /{post-id}` (`post` "Deleting"), answered `{"success": true}`.
    fn delete(&self, id: &str) -> Result<()> {
        let id = self.fb.post_id(id)?;
        let url = self.fb.url(&id)?;
        let resp = self.fb.call(
            &|| self.fb.request(&self.token, Method::DELETE, &url),
            Need::Publish,
            "deleting the post",
        )?;
        let answer: Success = http::read_json(resp, Answer::Post, NAME, "deleting the post")?;
        if answer.success {
            Ok(())
        } else {
            Err(Failure::new(
                ExitCode::Platform,
                format!("facebook: Meta answered that post {id} was not deleted"),
            )
            .into())
        }
    }

    fn recent_posts(&self, since: jiff::Timestamp) -> Result<Listing> {
        self.fb.list(&self.token, since)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_follow_facebooks_username_rules() {
        let ok = |h: &str| SPEC.validate_handle(h).is_ok();
        assert!(ok("@MinistereCulture"));
        assert!(ok("@culture.gouv"));
        assert!(!ok("MinistereCulture"));
        assert!(!ok("@abcd"));
        assert!(!ok("@culture_gouv"));
        assert!(!ok("@minist\u{e8}re"));
        assert!(!ok("@1000645678901"));
        assert!(!ok(&format!("@{}", "a".repeat(51))));
    }

    #[test]
    fn versions_and_ids_have_metas_shapes() {
        assert!(is_version("v25.0"));
        assert!(!is_version("25.0"));
        assert!(!is_version("v25"));
        assert!(!is_version("v25.0/../x"));
        assert!(is_id("100064123456789"));
        assert!(!is_id("10006x"));
        assert!(post_id_shape("100064123456789_987654321"));
        assert!(!post_id_shape("100064123456789"));
        assert!(!post_id_shape("_1"));
    }

    #[test]
    fn graph_times_parse_with_or_without_the_offsets_colon() {
        let t = graph_time("2026-12-02T04:40:00+0000").unwrap();
        assert_eq!(t, "2026-12-02T04:40:00Z".parse::<jiff::Timestamp>().unwrap());
        assert_eq!(graph_time("2026-12-02T05:40:00+01:00"), Some(t));
        assert_eq!(graph_time("yesterday"), None);
        assert_eq!(graph_time(""), None);
    }

    #[test]
    fn the_highest_usage_is_found_in_either_header_shape() {
        let business: Value = serde_json::from_str(
            r#"{"1234":[{"type":"pages","call_count":12,"total_cputime":85,"total_time":3,"estimated_time_to_regain_access":900}]}"#,
        )
        .unwrap();
        assert_eq!(highest_usage(&business), 85);
        let app: Value = serde_json::from_str(r#"{"call_count":7,"total_time":2,"total_cputime":1}"#).unwrap();
        assert_eq!(highest_usage(&app), 7);
        assert_eq!(highest_usage(&Value::Null), 0);
    }

    #[test]
    fn graph_errors_read_as_one_visible_line() {
        let body: ErrorBody = serde_json::from_str(
            r#"{"error":{"message":"Invalid OAuth access token.\u001b[2J","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"AbC"}}"#,
        )
        .unwrap();
        let line = body.error.describe();
        assert!(line.starts_with("Invalid OAuth access token.⟨U+001B⟩[2J"), "{line}");
        assert!(
            line.contains("code 190, subcode 463, OAuthException, fbtrace_id AbC"),
            "{line}"
        );
        assert!(!line.contains('\u{1b}'));
    }

    #[test]
    fn a_token_stored_with_its_end_gives_both_and_a_bare_one_gives_itself() {
        let bare = Secret::new("EAAbare".to_string());
        assert_eq!(page_token(&bare).expose(), "EAAbare");
        let doc = Secret::new(r#"{"page_token":"EAAinside","expires_at":"2027-01-01T00:00:00Z"}"#.to_string());
        assert_eq!(page_token(&doc).expose(), "EAAinside");
        let credential = |secret: Secret| Credential {
            secret,
            source: crate::credentials::Source::Keychain,
            created_at: None,
            session: None,
        };
        assert_eq!(
            SPEC.credential_expiry(&credential(doc)),
            Some("2027-01-01T00:00:00Z".parse().unwrap())
        );
        assert_eq!(SPEC.credential_expiry(&credential(bare)), None);
        assert!(SPEC.secret_warning(r#"{"page_token":"EAAx"}"#).is_none());
        assert!(SPEC.secret_warning("not-a-token").is_some());
    }

    #[test]
    fn lengths_count_utf16_units_so_a_passing_text_is_never_too_long() {
        assert_eq!(length("abc"), 3);
        assert_eq!(length("é"), 1);
        assert_eq!(length("🎉"), 2);
    }

    #[test]
    fn texts_compare_after_unicode_and_spacing_are_evened_out() {
        assert!(same_text("Cafe\u{301}  ouvert", "Café ouvert"));
        assert!(!same_text("Bonjour", "Bonjour !"));
    }
}
