//! The X (Twitter) API v2 fake: in-memory, stateful, written from X's docs and its OpenAPI
//! document (operationIds named beside each route). The tests put Prism, running X's own
//! OpenAPI document in proxy mode, in front of the `/2/...` routes, so the shapes here are
//! checked against X's document on every request; the OAuth 2.0 routes and `/_fake/` are not in
//! that document and are reached directly.
//!
//! Everything the fake does that X does not document is marked "guess" where it is done.
//! The control API is described in `fakes/README.md`.

pub mod oauth1;

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::http::{Reply, Request, Response, parse_form, percent_encode};
use crate::time::{parse_rfc3339, rfc3339};

/// docs `x-api/fundamentals/authentication/oauth-2-0/authorization-code`: "the authorization
/// code ... is only valid for 30 seconds".
pub const CODE_LIFETIME: f64 = 30.0;
/// Same page: access tokens last two hours unless the app asks otherwise.
pub const ACCESS_LIFETIME: i64 = 7200;
/// docs `x-api/fundamentals/edit-posts`: 30 minutes, up to 5 edits.
pub const EDIT_WINDOW: f64 = 30.0 * 60.0;
pub const MAX_EDITS: usize = 5;
/// Guess: X does not document how long it refuses a repeated text. The fake refuses it while
/// the earlier post exists and is less than 24 hours old (in the author's fake time).
pub const DUPLICATE_WINDOW: f64 = 24.0 * 3600.0;
/// RFC 5849 §3.3 leaves the window to the server; X documents none. Five minutes, as the
/// brief for this fake says.
pub const TIMESTAMP_SKEW: i64 = 300;
/// docs `x-api/media/quickstart/media-upload-chunked` / media best practices: images up to 5 MB.
pub const IMAGE_LIMIT: usize = 5 * 1024 * 1024;

const PROBLEM: &str = "application/problem+json";
const INVALID_REQUEST: &str = "https://api.x.com/2/problems/invalid-request";
const NOT_FOUND: &str = "https://api.x.com/2/problems/resource-not-found";
const NOT_AUTHORIZED: &str = "https://api.x.com/2/problems/not-authorized-for-resource";
const INTERNAL: &str = "https://api.x.com/2/problems/internal-error";

#[derive(Debug, Clone)]
struct User {
    id: String,
    username: String,
    name: String,
    premium: bool,
    /// Seconds added to the real clock for everything this user does (posts' ages, token and
    /// code expiry), so one test can jump ahead without moving anyone else's time.
    clock_offset: f64,
}

#[derive(Debug, Clone)]
struct App {
    client_id: String,
    redirect_uri: String,
    user_id: String,
    access_lifetime: i64,
}

#[derive(Debug, Clone)]
struct Code {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    scope: Vec<String>,
    user_id: String,
    issued_at: f64,
    used: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Access,
    Refresh,
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    user_id: String,
    client_id: String,
    scope: Vec<String>,
    expires_at: Option<f64>,
    revoked: bool,
    pair: Option<String>,
}

#[derive(Debug, Clone)]
struct OAuth1Cred {
    consumer_key: String,
    consumer_secret: String,
    token_secret: String,
    user_id: String,
}

#[derive(Debug, Clone)]
struct UrlEntity {
    start: usize,
    end: usize,
    url: String,
    expanded_url: String,
    display_url: String,
}

#[derive(Debug, Clone)]
struct Post {
    id: String,
    author_id: String,
    /// The text as sent.
    original_text: String,
    /// The text as stored, links rewritten to t.co.
    text: String,
    urls: Vec<UrlEntity>,
    created_at: f64,
    deleted: bool,
    /// Every version of this post, oldest first, this one included.
    edit_history: Vec<String>,
    superseded_by: Option<String>,
    reply_to: Option<String>,
    media_ids: Vec<String>,
    /// "api" or "direct" (made through the control API, as if on X's website).
    via: &'static str,
}

/// What a new post is made of, besides its author and time.
#[derive(Debug, Clone, Default)]
struct Draft {
    text: String,
    reply_to: Option<String>,
    media_ids: Vec<String>,
    /// The versions before this one, when it is an edit.
    history: Vec<String>,
}

#[derive(Debug, Clone)]
struct Media {
    owners: Vec<String>,
    alt_text: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum FaultKind {
    RateLimit,
    Unavailable,
    ErrorAfterCommit,
    DropAfterCommit,
    Malformed,
}

#[derive(Debug, Clone)]
struct Fault {
    user_id: String,
    method: String,
    path: String,
    kind: FaultKind,
    remaining: u32,
    reset_in: i64,
}

#[derive(Debug, Clone)]
enum Principal {
    /// A user-context token: OAuth 2.0 (with its scopes) or OAuth 1.0a (`None`: every scope).
    User {
        user_id: String,
        scope: Option<Vec<String>>,
    },
    /// An app-only bearer token, minted for the app of this user.
    App { user_id: String },
}

impl Principal {
    fn user_id(&self) -> &str {
        match self {
            Principal::User { user_id, .. } | Principal::App { user_id } => user_id,
        }
    }
}

#[derive(Default)]
struct State {
    users: HashMap<String, User>,
    apps: HashMap<String, App>,
    codes: HashMap<String, Code>,
    tokens: HashMap<String, Token>,
    oauth1: HashMap<String, OAuth1Cred>,
    bearers: HashMap<String, String>,
    posts: Vec<Post>,
    media: HashMap<String, Media>,
    nonces: HashSet<(String, String, i64)>,
    faults: Vec<Fault>,
    requests: HashMap<String, HashMap<String, u64>>,
    reads: HashMap<String, u64>,
    seq: u64,
}

/// The fake's whole state, behind one lock: every request is served atomically.
#[derive(Default)]
pub struct XFake {
    state: Mutex<State>,
}

fn real_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn problem(status: u16, kind: &str, title: &str, detail: &str, code: i64) -> Response {
    // `type`, `title`, `detail`, `status` are RFC 7807 as X sends them. `code` and `message` are
    // there because the document's `default` error answer is validated by Prism 5.14.2 against
    // the `Error` schema (required: code, message) whatever the content type; without them
    // Prism turns every error into a VIOLATIONS 500. Where X's v1.1 error codes have a match
    // (developer.x.com `x-api/v1/...response-codes`), `code` is that one; else the HTTP status.
    Response::new(
        status,
        PROBLEM,
        json!({
            "type": kind, "title": title, "detail": detail, "status": status,
            "code": code, "message": detail,
        })
        .to_string(),
    )
}

fn unauthorized(code: i64) -> Response {
    problem(401, "about:blank", "Unauthorized", "Unauthorized", code)
}

fn invalid(detail: &str) -> Response {
    problem(400, INVALID_REQUEST, "Invalid Request", detail, 400)
}

fn forbidden(detail: &str) -> Response {
    problem(403, "about:blank", "Forbidden", detail, 403)
}

/// RFC 6749 §5.2 error answer of the token endpoint.
fn oauth_error(status: u16, error: &str, description: &str) -> Response {
    Response::json(status, &json!({"error": error, "error_description": description}))
}

fn random_token(bytes: usize) -> String {
    use std::io::Read;
    let mut buf = vec![0u8; bytes];
    if std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .is_err()
    {
        let seed = format!("{}{:?}", real_now(), std::thread::current().id());
        buf = Sha256::digest(seed.as_bytes())[..bytes.min(32)].to_vec();
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// RFC 7636 §4.6: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) == code_challenge, and the
/// verifier is 43 to 128 unreserved characters (§4.1).
pub fn pkce_s256_matches(verifier: &str, challenge: &str) -> bool {
    let ok_chars = verifier
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~'));
    if !(43..=128).contains(&verifier.len()) || !ok_chars {
        return false;
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge
}

/// The links X turns into t.co links: `http://` and `https://` runs up to white space, less
/// trailing punctuation (twitter-text's extractor does more, e.g. bare domains; the fake does
/// not). Returns the rewritten text and the entities, indices in code points as X gives them.
fn rewrite_urls(text: &str, seed: &str) -> (String, Vec<UrlEntity>) {
    let mut out = String::new();
    let mut entities = Vec::new();
    let mut rest = text;
    let mut n = 0;
    loop {
        let at = [rest.find("https://"), rest.find("http://")]
            .into_iter()
            .flatten()
            .min();
        let Some(at) = at else {
            out.push_str(rest);
            break;
        };
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let len = tail.find(char::is_whitespace).unwrap_or(tail.len());
        let mut url = &tail[..len];
        url = url.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '"', '\'']);
        let scheme_len = if url.starts_with("https://") { 8 } else { 7 };
        if url.len() <= scheme_len {
            out.push_str(&tail[..scheme_len]);
            rest = &tail[scheme_len..];
            continue;
        }
        n += 1;
        let hash = Sha256::digest(format!("{seed}/{n}/{url}").as_bytes());
        let short: String = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(hash)
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(10)
            .collect();
        let tco = format!("https://t.co/{short}");
        let bare = &url[scheme_len..];
        // display_url: the link without its scheme, shortened with an ellipsis (X cuts long
        // ones; where exactly is a guess).
        let display = if bare.chars().count() > 25 {
            format!("{}…", bare.chars().take(25).collect::<String>())
        } else {
            bare.to_string()
        };
        let start = out.chars().count();
        out.push_str(&tco);
        entities.push(UrlEntity {
            start,
            end: start + tco.chars().count(),
            url: tco,
            expanded_url: url.to_string(),
            display_url: display,
        });
        rest = &tail[url.len()..];
    }
    (out, entities)
}

/// Image type and size from the first bytes (PNG and GIF carry their size up front).
fn sniff_image(bytes: &[u8]) -> Option<(&'static str, Option<(u32, u32)>)> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() >= 24 {
        let w = u32::from_be_bytes(bytes[16..20].try_into().ok()?);
        let h = u32::from_be_bytes(bytes[20..24].try_into().ok()?);
        return Some(("image/png", Some((w, h))));
    }
    if bytes.starts_with(b"GIF8") && bytes.len() >= 10 {
        let w = u16::from_le_bytes([bytes[6], bytes[7]]) as u32;
        let h = u16::from_le_bytes([bytes[8], bytes[9]]) as u32;
        return Some(("image/gif", Some((w, h))));
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(("image/jpeg", None));
    }
    if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        return Some(("image/webp", None));
    }
    None
}

/// The parts of a `multipart/form-data` body, by name.
fn multipart(req: &Request) -> Option<Vec<(String, Vec<u8>)>> {
    let ct = req.header("content-type")?;
    let boundary = ct
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))?
        .trim_matches('"');
    let delim = format!("--{boundary}");
    let body = &req.body;
    let mut parts = Vec::new();
    let find = |hay: &[u8], needle: &[u8], from: usize| {
        hay.get(from..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    };
    let mut pos = find(body, delim.as_bytes(), 0)? + delim.len();
    loop {
        if body.get(pos..pos + 2) == Some(b"--") {
            break;
        }
        let head_end = find(body, b"\r\n\r\n", pos)?;
        let head = String::from_utf8_lossy(&body[pos..head_end]).to_string();
        let next = find(body, format!("\r\n{delim}").as_bytes(), head_end + 4)?;
        let name = head
            .split(';')
            .map(str::trim)
            .find_map(|p| p.strip_prefix("name="))
            .map(|n| n.split(['\r', '\n']).next().unwrap_or("").trim_matches('"').to_string())
            .unwrap_or_default();
        parts.push((name, body[head_end + 4..next].to_vec()));
        pos = next + 2 + delim.len();
    }
    Some(parts)
}

fn body_json(req: &Request) -> Result<serde_json::Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(invalid("The request body is not a JSON object.")),
    }
}

/// `additionalProperties: false`, as X answers it (detail from X's live 400 answers).
fn only_keys(m: &serde_json::Map<String, Value>, allowed: &[&str], at: &str) -> Result<(), Response> {
    match m.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(invalid(&format!(
            "{at}{k}: is not defined in the schema and the schema does not allow additional properties"
        ))),
        None => Ok(()),
    }
}

fn is_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 19 && s.bytes().all(|c| c.is_ascii_digit())
}

impl State {
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Post and media ids: snowflakes, as X's are (docs `fundamentals/x-ids`): the creation
    /// time in milliseconds since X's epoch, shifted left 22 bits, with a sequence in the low
    /// bits. So newest first is highest first, and an id made from a time (`since_id`) splits
    /// the posts made before it from those made after, as at X.
    fn next_id(&mut self, at: f64) -> String {
        const EPOCH_MS: u64 = 1_288_834_974_657;
        let ms = ((at * 1000.0) as u64).saturating_sub(EPOCH_MS);
        ((ms << 22) | (self.next_seq() & 0x3F_FFFF)).to_string()
    }

    fn now(&self, user_id: &str) -> f64 {
        real_now() + self.users.get(user_id).map_or(0.0, |u| u.clock_offset)
    }

    fn issue_pair(&mut self, user_id: &str, client_id: &str, scope: &[String], lifetime: i64) -> Value {
        let now = self.now(user_id);
        let access = random_token(32);
        let refresh = scope.iter().any(|s| s == "offline.access").then(|| random_token(32));
        self.tokens.insert(
            access.clone(),
            Token {
                kind: Kind::Access,
                user_id: user_id.into(),
                client_id: client_id.into(),
                scope: scope.to_vec(),
                expires_at: Some(now + lifetime as f64),
                revoked: false,
                pair: refresh.clone(),
            },
        );
        let mut answer = json!({
            "token_type": "bearer",
            "expires_in": lifetime,
            "access_token": access,
            "scope": scope.join(" "),
        });
        if let Some(refresh) = refresh {
            self.tokens.insert(
                refresh.clone(),
                Token {
                    kind: Kind::Refresh,
                    user_id: user_id.into(),
                    client_id: client_id.into(),
                    scope: scope.to_vec(),
                    expires_at: None,
                    revoked: false,
                    pair: Some(access),
                },
            );
            answer["refresh_token"] = json!(refresh);
        }
        answer
    }

    fn count(&mut self, user_id: &str, route: String) {
        *self
            .requests
            .entry(user_id.into())
            .or_default()
            .entry(route)
            .or_default() += 1;
    }

    fn take_fault(&mut self, user_id: &str, method: &str, path: &str) -> Option<Fault> {
        let f = self
            .faults
            .iter_mut()
            .find(|f| f.remaining > 0 && f.user_id == user_id && f.method == method && path.starts_with(&f.path))?;
        f.remaining -= 1;
        let taken = f.clone();
        self.faults.retain(|f| f.remaining > 0);
        Some(taken)
    }

    fn post_json(&self, p: &Post, fields: &[String]) -> Value {
        let mut v = json!({"id": p.id, "text": p.text});
        // X's live API names this edit_history_tweet_ids and returns it by default; the OpenAPI
        // document calls it edit_history_post_ids. Both, so either reader finds it.
        v["edit_history_post_ids"] = json!(p.edit_history);
        v["edit_history_tweet_ids"] = json!(p.edit_history);
        let want = |f: &str| fields.iter().any(|x| x == f);
        if want("created_at") {
            v["created_at"] = json!(rfc3339(p.created_at));
        }
        if want("author_id") {
            v["author_id"] = json!(p.author_id);
        }
        if want("conversation_id") {
            v["conversation_id"] = json!(self.conversation_of(p));
        }
        if want("in_reply_to_user_id")
            && let Some(parent) = p.reply_to.as_ref().and_then(|r| self.post(r))
        {
            v["in_reply_to_user_id"] = json!(parent.author_id);
        }
        if want("entities") && !p.urls.is_empty() {
            let urls: Vec<Value> = p
                .urls
                .iter()
                .map(|u| {
                    json!({"start": u.start, "end": u.end, "url": u.url,
                           "expanded_url": u.expanded_url, "display_url": u.display_url})
                })
                .collect();
            v["entities"] = json!({ "urls": urls });
        }
        if want("attachments") && !p.media_ids.is_empty() {
            let keys: Vec<String> = p.media_ids.iter().map(|m| format!("3_{m}")).collect();
            v["attachments"] = json!({ "media_keys": keys });
        }
        if want("edit_controls") {
            let first = self.post(&p.edit_history[0]).map_or(p.created_at, |f| f.created_at);
            let left = MAX_EDITS.saturating_sub(p.edit_history.len() - 1);
            v["edit_controls"] = json!({
                "editable_until": rfc3339(first + EDIT_WINDOW),
                "edits_remaining": left,
                "is_edit_eligible": left > 0,
            });
        }
        v
    }

    fn post(&self, id: &str) -> Option<&Post> {
        self.posts.iter().find(|p| p.id == id)
    }

    fn conversation_of(&self, p: &Post) -> String {
        let mut cur = p;
        while let Some(parent) = cur.reply_to.as_ref().and_then(|r| self.post(r)) {
            cur = parent;
        }
        cur.id.clone()
    }

    fn create_post(&mut self, author_id: &str, draft: Draft, created_at: f64, via: &'static str) -> String {
        let Draft {
            text,
            reply_to,
            media_ids,
            history,
        } = draft;
        let text = text.as_str();
        let id = self.next_id(created_at);
        let (stored, urls) = rewrite_urls(text, &id);
        let mut edit_history = history;
        edit_history.push(id.clone());
        self.posts.push(Post {
            id: id.clone(),
            author_id: author_id.into(),
            original_text: text.into(),
            text: stored,
            urls,
            created_at,
            deleted: false,
            edit_history,
            superseded_by: None,
            reply_to,
            media_ids,
            via,
        });
        id
    }
}

impl XFake {
    pub fn new() -> XFake {
        XFake::default()
    }

    /// Answers one request.
    pub fn handle(&self, req: &Request) -> Reply {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let path = req.path.as_str();
        if let Some(rest) = path.strip_prefix("/_fake/") {
            return Reply::Response(control(&mut s, req, rest));
        }
        let r = match (req.method.as_str(), path) {
            ("GET", "/i/oauth2/authorize") => authorize(&mut s, req),
            ("POST", "/2/oauth2/token") => token(&mut s, req),
            ("POST", "/2/oauth2/revoke") => revoke(&mut s, req),
            _ => return api(&mut s, req),
        };
        Reply::Response(r)
    }
}

// ---- OAuth 2.0 ---------------------------------------------------------------------------

/// `GET /i/oauth2/authorize` (docs `x-api/fundamentals/authentication/oauth-2-0/authorization-code`):
/// the fake's user consents at once, as the user the app was registered with.
fn authorize(s: &mut State, req: &Request) -> Response {
    let page = |detail: &str| {
        Response::new(
            400,
            "text/html; charset=utf-8",
            format!(
                "<!doctype html><title>Something went wrong</title><p>{}</p>",
                detail.replace('<', "&lt;")
            ),
        )
    };
    let q: HashMap<String, String> = req.query_pairs().into_iter().collect();
    for k in [
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
    ] {
        if q.get(k).is_none_or(|v| v.is_empty()) {
            return page(&format!("{k} is missing"));
        }
    }
    if q["response_type"] != "code" {
        return page("response_type must be code");
    }
    if q["code_challenge_method"] != "S256" {
        // X also accepts "plain"; postgate must use S256, so the fake takes nothing else.
        return page("code_challenge_method must be S256");
    }
    let Some(app) = s.apps.get(&q["client_id"]).cloned() else {
        return page("unknown client_id");
    };
    // docs `x-api/fundamentals/developer-apps`: the callback URL must match exactly,
    // trailing slash included.
    if q["redirect_uri"] != app.redirect_uri {
        return page("redirect_uri does not match the app's callback URL");
    }
    let code = random_token(24);
    let issued_at = s.now(&app.user_id);
    s.codes.insert(
        code.clone(),
        Code {
            client_id: app.client_id.clone(),
            redirect_uri: app.redirect_uri.clone(),
            challenge: q["code_challenge"].clone(),
            scope: q["scope"]
                .split(' ')
                .filter(|x| !x.is_empty())
                .map(String::from)
                .collect(),
            user_id: app.user_id.clone(),
            issued_at,
            used: false,
        },
    );
    let sep = if app.redirect_uri.contains('?') { '&' } else { '?' };
    let location = format!(
        "{}{sep}state={}&code={}",
        app.redirect_uri,
        percent_encode(&q["state"]),
        percent_encode(&code)
    );
    Response::new(302, "text/plain", "").with_header("Location", location)
}

/// The client id of a token request: `client_id` in the body (public clients), or the user
/// part of HTTP Basic (confidential clients, docs `.../oauth-2-0/authorization-code`).
fn client_id_of(req: &Request, form: &HashMap<String, String>) -> Option<String> {
    if let Some(basic) = req.header("authorization").and_then(|a| a.strip_prefix("Basic ")) {
        let decoded = base64::engine::general_purpose::STANDARD.decode(basic.trim()).ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        return Some(crate::http::percent_decode(decoded.split(':').next()?));
    }
    form.get("client_id").cloned()
}

/// `POST /2/oauth2/token` (docs `.../oauth-2-0/authorization-code` and `user-access-token`).
fn token(s: &mut State, req: &Request) -> Response {
    if req.content_type() != "application/x-www-form-urlencoded" {
        return oauth_error(400, "invalid_request", "the body must be form-encoded");
    }
    let form: HashMap<String, String> = parse_form(&String::from_utf8_lossy(&req.body)).into_iter().collect();
    let Some(client_id) = client_id_of(req, &form) else {
        return oauth_error(401, "invalid_client", "client_id is missing");
    };
    let Some(app) = s.apps.get(&client_id).cloned() else {
        return oauth_error(401, "invalid_client", "unknown client_id");
    };
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let (Some(code), Some(verifier), Some(redirect)) =
                (form.get("code"), form.get("code_verifier"), form.get("redirect_uri"))
            else {
                return oauth_error(
                    400,
                    "invalid_request",
                    "code, code_verifier and redirect_uri are required",
                );
            };
            let Some(c) = s.codes.get(code).cloned() else {
                return oauth_error(
                    400,
                    "invalid_grant",
                    "Value passed for the authorization code was invalid.",
                );
            };
            if c.used {
                return oauth_error(400, "invalid_grant", "the authorization code was already used");
            }
            if s.now(&c.user_id) - c.issued_at > CODE_LIFETIME {
                return oauth_error(400, "invalid_grant", "the authorization code has expired");
            }
            if c.client_id != client_id {
                return oauth_error(400, "invalid_grant", "the code was issued to another client");
            }
            if &c.redirect_uri != redirect {
                return oauth_error(
                    400,
                    "invalid_grant",
                    "redirect_uri differs from the authorization request's",
                );
            }
            if !pkce_s256_matches(verifier, &c.challenge) {
                return oauth_error(400, "invalid_grant", "code_verifier does not match the code_challenge");
            }
            if let Some(c) = s.codes.get_mut(code) {
                c.used = true;
            }
            let answer = s.issue_pair(&c.user_id, &client_id, &c.scope, app.access_lifetime);
            s.count(&c.user_id, "POST /2/oauth2/token".into());
            Response::json(200, &answer)
        }
        Some("refresh_token") => {
            let Some(refresh) = form.get("refresh_token") else {
                return oauth_error(400, "invalid_request", "refresh_token is required");
            };
            let Some(t) = s.tokens.get(refresh).cloned() else {
                return oauth_error(400, "invalid_grant", "Value passed for the token was invalid.");
            };
            if t.kind != Kind::Refresh || t.revoked || t.client_id != client_id {
                return oauth_error(400, "invalid_grant", "Value passed for the token was invalid.");
            }
            // Rotation: "Refresh tokens rotate — always save the newest one" (docs
            // `x-ads-api/mcp`). The old refresh token is dead from here on; strict single use
            // is the fake's reading (X does not say). The old access token lives on until it
            // expires (a guess too).
            if let Some(t) = s.tokens.get_mut(refresh) {
                t.revoked = true;
            }
            let answer = s.issue_pair(&t.user_id, &client_id, &t.scope, app.access_lifetime);
            s.count(&t.user_id, "POST /2/oauth2/token".into());
            Response::json(200, &answer)
        }
        _ => oauth_error(
            400,
            "unsupported_grant_type",
            "grant_type must be authorization_code or refresh_token",
        ),
    }
}

/// `POST /2/oauth2/revoke` (docs `.../oauth-2-0/user-access-token`, RFC 7009): revokes the
/// token and its pair; answers 200 for unknown tokens too (RFC 7009 §2.2).
fn revoke(s: &mut State, req: &Request) -> Response {
    let form: HashMap<String, String> = parse_form(&String::from_utf8_lossy(&req.body)).into_iter().collect();
    if client_id_of(req, &form).is_none() {
        return oauth_error(401, "invalid_client", "client_id is missing");
    }
    if let Some(token) = form.get("token")
        && let Some(t) = s.tokens.get_mut(token)
        && Some(&t.client_id) == client_id_of(req, &form).as_ref()
    {
        t.revoked = true;
        if let Some(pair) = t.pair.clone()
            && let Some(p) = s.tokens.get_mut(&pair)
        {
            p.revoked = true;
        }
    }
    Response::json(200, &json!({"revoked": true}))
}

// ---- the API routes ------------------------------------------------------------------------

fn authenticate(s: &mut State, req: &Request) -> Result<Principal, Response> {
    let Some(auth) = req.header("authorization") else {
        return Err(unauthorized(215));
    };
    if let Some(bearer) = auth.strip_prefix("Bearer ") {
        let bearer = bearer.trim();
        if let Some(t) = s.tokens.get(bearer) {
            let expired = t.expires_at.is_some_and(|e| s.now(&t.user_id) >= e);
            if t.kind != Kind::Access || t.revoked || expired {
                // v1.1 code 89: "Invalid or expired token".
                return Err(unauthorized(89));
            }
            return Ok(Principal::User {
                user_id: t.user_id.clone(),
                scope: Some(t.scope.clone()),
            });
        }
        if let Some(user_id) = s.bearers.get(bearer) {
            return Ok(Principal::App {
                user_id: user_id.clone(),
            });
        }
        return Err(unauthorized(89));
    }
    if auth.starts_with("OAuth ") {
        return oauth1_user(s, req, auth);
    }
    Err(unauthorized(32))
}

/// OAuth 1.0a user context (docs `resources/fundamentals/authentication/oauth-1-0a/authorizing-a-request`).
fn oauth1_user(s: &mut State, req: &Request, auth: &str) -> Result<Principal, Response> {
    // v1.1 code 32: "Could not authenticate you".
    let fail = || unauthorized(32);
    let params = oauth1::header_params(auth).ok_or_else(fail)?;
    let c = oauth1::claims(&params).map_err(|_| fail())?;
    let cred = s.oauth1.get(&c.token).cloned().ok_or_else(fail)?;
    if cred.consumer_key != c.consumer_key {
        return Err(fail());
    }
    if (real_now() as i64 - c.timestamp).abs() > TIMESTAMP_SKEW {
        // v1.1 code 135: "Timestamp out of bounds".
        return Err(unauthorized(135));
    }
    let base = oauth1::base_string(req, &params);
    if !oauth1::signature_matches(&base, &cred.consumer_secret, &cred.token_secret, &c.signature) {
        return Err(fail());
    }
    // RFC 5849 §3.3: a nonce is good once per timestamp, client and token.
    if !s
        .nonces
        .insert((format!("{}&{}", c.consumer_key, c.token), c.nonce, c.timestamp))
    {
        return Err(fail());
    }
    Ok(Principal::User {
        user_id: cred.user_id,
        scope: None,
    })
}

fn needs_scopes(p: &Principal, scopes: &[&str]) -> Result<(), Response> {
    if let Principal::User { scope: Some(have), .. } = p
        && let Some(missing) = scopes.iter().find(|s| !have.iter().any(|h| h == *s))
    {
        return Err(forbidden(&format!(
            "The token lacks the scope this endpoint needs: {missing}."
        )));
    }
    Ok(())
}

fn user_context(p: &Principal) -> Result<String, Response> {
    match p {
        Principal::User { user_id, .. } => Ok(user_id.clone()),
        // The answer X gives app-only tokens on user-context endpoints.
        Principal::App { .. } => Err(problem(
            403,
            "https://api.x.com/2/problems/unsupported-authentication",
            "Unsupported Authentication",
            "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
            403,
        )),
    }
}

fn api(s: &mut State, req: &Request) -> Reply {
    let path = req.path.clone();
    let method = req.method.as_str();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let known = matches!(
        (method, segments.as_slice()),
        ("GET", ["2", "users", "me"])
            | ("GET", ["2", "users", "by", "username", _])
            | ("POST", ["2", "tweets"])
            | ("DELETE", ["2", "tweets", _])
            | ("GET", ["2", "users", _, "tweets"])
            | ("POST", ["2", "media", "upload"])
            | ("POST", ["2", "media", "metadata"])
    );
    if !known {
        return Reply::Response(problem(
            404,
            "about:blank",
            "Not Found Error",
            &format!("The fake does not serve {method} {path}."),
            34,
        ));
    }
    let principal = match authenticate(s, req) {
        Ok(p) => p,
        Err(r) => return Reply::Response(r),
    };
    let user_id = principal.user_id().to_string();
    s.count(&user_id, format!("{method} {path}"));
    let fault = s.take_fault(&user_id, method, &path);
    match fault.as_ref().map(|f| f.kind) {
        Some(FaultKind::RateLimit) => {
            let f = fault.as_ref().expect("fault");
            // docs `x-api/fundamentals/rate-limits`: 429 with x-rate-limit-limit, -remaining
            // and -reset (epoch seconds).
            let reset = real_now() as i64 + f.reset_in;
            return Reply::Response(
                problem(429, "about:blank", "Too Many Requests", "Too Many Requests", 88)
                    .with_header("x-rate-limit-limit", "100")
                    .with_header("x-rate-limit-remaining", "0")
                    .with_header("x-rate-limit-reset", reset.to_string()),
            );
        }
        Some(FaultKind::Unavailable) => {
            return Reply::Response(problem(
                503,
                "about:blank",
                "Service Unavailable",
                "Service Unavailable",
                130,
            ));
        }
        _ => {}
    }
    let answer = match (method, segments.as_slice()) {
        ("GET", ["2", "users", "me"]) => users_me(s, &principal),
        ("GET", ["2", "users", "by", "username", name]) => user_by_username(s, name),
        ("POST", ["2", "tweets"]) => create_post(s, req, &principal),
        ("DELETE", ["2", "tweets", id]) => delete_post(s, &principal, id),
        ("GET", ["2", "users", id, "tweets"]) => timeline(s, req, &principal, id),
        ("POST", ["2", "media", "upload"]) => media_upload(s, req, &principal),
        ("POST", ["2", "media", "metadata"]) => media_metadata(s, req, &principal),
        _ => unreachable!("matched above"),
    };
    let answer = answer.unwrap_or_else(|e| e);
    match fault.map(|f| f.kind) {
        Some(FaultKind::ErrorAfterCommit) => {
            Reply::Response(problem(500, INTERNAL, "Internal Error", "Internal error", 131))
        }
        Some(FaultKind::DropAfterCommit) => Reply::Drop,
        Some(FaultKind::Malformed) => Reply::Response(Response {
            // Violates every success schema the fake serves (an id must be a string, a post
            // has text, a timeline's data is an array): for the tests that prove Prism bites.
            body: json!({"data": {"id": 12345}}).to_string().into_bytes(),
            ..answer
        }),
        _ => Reply::Response(answer),
    }
}

/// operationId `getUsersMe`.
fn users_me(s: &mut State, p: &Principal) -> Result<Response, Response> {
    let user_id = user_context(p)?;
    needs_scopes(p, &["tweet.read", "users.read"])?;
    let u = &s.users[&user_id];
    Ok(Response::json(
        200,
        &json!({"data": {"id": u.id, "name": u.name, "username": u.username}}),
    ))
}

/// operationId `getUsersByUsername`: any token, app-only ones included; usernames compared
/// without case, as X compares them.
fn user_by_username(s: &mut State, name: &str) -> Result<Response, Response> {
    let Some(u) = s.users.values().find(|u| u.username.eq_ignore_ascii_case(name)) else {
        return Err(problem(
            404,
            "https://api.x.com/2/problems/resource-not-found",
            "Not Found Error",
            &format!("Could not find user with username: [{name}]."),
            50,
        ));
    };
    Ok(Response::json(
        200,
        &json!({"data": {"id": u.id, "name": u.name, "username": u.username}}),
    ))
}

/// operationId `createPosts` (request `CreatePostsRequest`, `additionalProperties: false`).
fn create_post(s: &mut State, req: &Request, p: &Principal) -> Result<Response, Response> {
    let user_id = user_context(p)?;
    needs_scopes(p, &["tweet.read", "tweet.write", "users.read"])?;
    let body = body_json(req)?;
    only_keys(
        &body,
        &[
            "card_uri",
            "community_id",
            "direct_message_deep_link",
            "edit_options",
            "for_super_followers_only",
            "geo",
            "made_with_ai",
            "media",
            "nullcast",
            "paid_partnership",
            "poll",
            "quote_tweet_id",
            "reply",
            "reply_settings",
            "share_with_followers",
            "text",
        ],
        "$.",
    )?;
    let text = match body.get("text") {
        None => None,
        Some(Value::String(t)) => Some(t.clone()),
        Some(_) => return Err(invalid("$.text: string found, but other type expected")),
    };
    let object = |k: &str, allowed: &[&str]| -> Result<Option<serde_json::Map<String, Value>>, Response> {
        match body.get(k) {
            None => Ok(None),
            Some(Value::Object(m)) => {
                only_keys(m, allowed, &format!("$.{k}."))?;
                Ok(Some(m.clone()))
            }
            Some(_) => Err(invalid(&format!("$.{k}: must be an object"))),
        }
    };
    let id_field = |m: &serde_json::Map<String, Value>, k: &str, at: &str| -> Result<String, Response> {
        match m.get(k) {
            Some(Value::String(v)) if is_id(v) => Ok(v.clone()),
            _ => Err(invalid(&format!("{at}.{k}: a post id is required"))),
        }
    };
    let reply = object(
        "reply",
        &[
            "auto_populate_reply_metadata",
            "exclude_reply_user_ids",
            "in_reply_to_tweet_id",
        ],
    )?
    .map(|m| id_field(&m, "in_reply_to_tweet_id", "$.reply"))
    .transpose()?;
    let media_ids: Vec<String> = match object(
        "media",
        &[
            "call_to_actions",
            "description",
            "embeddable",
            "media_ids",
            "preview_media_id",
            "tagged_user_ids",
            "title",
        ],
    )? {
        None => Vec::new(),
        Some(m) => match m.get("media_ids") {
            Some(Value::Array(a)) if (1..=4).contains(&a.len()) => a
                .iter()
                .map(|v| v.as_str().filter(|v| is_id(v)).map(String::from))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| invalid("$.media.media_ids: ids must be strings of digits"))?,
            _ => return Err(invalid("$.media.media_ids: 1 to 4 media ids are required")),
        },
    };
    let previous = object("edit_options", &["previous_post_id"])?
        .map(|m| id_field(&m, "previous_post_id", "$.edit_options"))
        .transpose()?;
    if text.as_deref().is_none_or(str::is_empty) && media_ids.is_empty() {
        return Err(invalid("A post needs text or media."));
    }
    let text = text.unwrap_or_default();
    let now = s.now(&user_id);

    // Edits (docs `x-api/fundamentals/edit-posts`): premium, own post, the latest version,
    // within 30 minutes of the first version, fewer than 5 edits so far.
    let mut history = Vec::new();
    if let Some(prev) = &previous {
        let refuse = |d: &str| Err(forbidden(d));
        let Some(old) = s.post(prev).cloned() else {
            return refuse("The post to edit does not exist.");
        };
        if old.deleted {
            return refuse("The post to edit was deleted.");
        }
        if old.author_id != user_id {
            return refuse("You can only edit your own posts.");
        }
        if !s.users[&user_id].premium {
            return refuse("Editing posts needs X Premium.");
        }
        if old.superseded_by.is_some() {
            return refuse("Only the latest version of a post can be edited.");
        }
        let first = s.post(&old.edit_history[0]).map_or(old.created_at, |f| f.created_at);
        if now - first >= EDIT_WINDOW {
            return refuse("The post can no longer be edited: the 30 minutes are over.");
        }
        if old.edit_history.len() > MAX_EDITS {
            return refuse("The post has been edited 5 times already.");
        }
        history = old.edit_history.clone();
    }
    // Duplicates: the answer X gives (akrherz/iembot#163). The window is a guess, see
    // DUPLICATE_WINDOW. Versions of the post being edited do not count.
    let duplicate = s.posts.iter().any(|q| {
        q.author_id == user_id
            && !q.deleted
            && q.superseded_by.is_none()
            && now - q.created_at < DUPLICATE_WINDOW
            && q.original_text == text
            && !history.contains(&q.id)
    });
    if duplicate && !text.is_empty() {
        return Err(problem(
            403,
            "about:blank",
            "Forbidden",
            "You are not allowed to create a Tweet with duplicate content.",
            187,
        ));
    }
    if let Some(target) = &reply
        && s.post(target).is_none_or(|t| t.deleted)
    {
        return Err(forbidden(
            "You attempted to reply to a Tweet that is deleted or not visible to you.",
        ));
    }
    for m in &media_ids {
        if s.media.get(m).is_none_or(|m| !m.owners.contains(&user_id)) {
            // v1.1 code 324.
            return Err(invalid("Your media IDs are invalid."));
        }
    }
    let draft = Draft {
        text,
        reply_to: reply,
        media_ids,
        history,
    };
    let id = s.create_post(&user_id, draft, now, "api");
    if let Some(prev) = &previous
        && let Some(old) = s.posts.iter_mut().find(|q| &q.id == prev)
    {
        old.superseded_by = Some(id.clone());
    }
    let post = s.post(&id).expect("just made");
    Ok(Response::json(
        201,
        &json!({"data": {"id": post.id, "text": post.text, "edit_history_post_ids": post.edit_history}}),
    ))
}

/// operationId `deletePosts`: own posts only; deleting a version deletes the whole chain
/// (docs `x-api/fundamentals/edit-posts`).
fn delete_post(s: &mut State, p: &Principal, id: &str) -> Result<Response, Response> {
    let user_id = user_context(p)?;
    needs_scopes(p, &["tweet.read", "tweet.write", "users.read"])?;
    let Some(post) = s.post(id).filter(|q| !q.deleted).cloned() else {
        // Guess: X's answer for a missing post is not documented here.
        return Err(problem(
            404,
            NOT_FOUND,
            "Not Found Error",
            &format!("Could not find post with id: [{id}]."),
            144,
        ));
    };
    if post.author_id != user_id {
        return Err(problem(
            403,
            NOT_AUTHORIZED,
            "Forbidden",
            "You are not authorized to delete this Post.",
            403,
        ));
    }
    for q in s.posts.iter_mut() {
        if post.edit_history.contains(&q.id) || q.edit_history.contains(&post.id) {
            q.deleted = true;
        }
    }
    Ok(Response::json(200, &json!({"data": {"deleted": true}})))
}

/// operationId `getUsersPosts`: newest first; user tokens and app-only bearer tokens; each
/// post returned is one billed read (docs `x-api/getting-started/pricing`, "Owned Reads").
fn timeline(s: &mut State, req: &Request, p: &Principal, id: &str) -> Result<Response, Response> {
    needs_scopes(p, &["tweet.read", "users.read"])?;
    if !s.users.contains_key(id) {
        return Ok(Response::json(
            200,
            &json!({"errors": [{
                "value": id, "detail": format!("Could not find user with id: [{id}]."),
                "title": "Not Found Error", "resource_type": "user", "parameter": "id",
                "resource_id": id, "type": NOT_FOUND,
            }]}),
        ));
    }
    let q: HashMap<String, String> = req.query_pairs().into_iter().collect();
    let max = match q.get("max_results") {
        None => 10,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (5..=100).contains(&n) => n,
            _ => {
                return Err(invalid(
                    "The `max_results` query parameter value is not between 5 and 100",
                ));
            }
        },
    };
    let time = |k: &str| -> Result<Option<f64>, Response> {
        q.get(k)
            .map(|v| parse_rfc3339(v).ok_or_else(|| invalid(&format!("Invalid {k}: {v}"))))
            .transpose()
    };
    let (start, end) = (time("start_time")?, time("end_time")?);
    let num = |k: &str| -> Result<Option<u64>, Response> {
        q.get(k)
            .map(|v| v.parse::<u64>().map_err(|_| invalid(&format!("Invalid {k}: {v}"))))
            .transpose()
    };
    let (since, until) = (num("since_id")?, num("until_id")?);
    let below = match q.get("pagination_token") {
        None => None,
        Some(t) => Some(u64::from_str_radix(t, 16).map_err(|_| invalid("Invalid pagination_token"))?),
    };
    let no_replies = q.get("exclude").is_some_and(|e| e.split(',').any(|x| x == "replies"));
    // `post.fields` in the OpenAPI document, `tweet.fields` in X's live API and docs: both.
    let fields: Vec<String> = ["post.fields", "tweet.fields"]
        .iter()
        .filter_map(|k| q.get(*k))
        .flat_map(|v| v.split(',').map(String::from).collect::<Vec<_>>())
        .collect();
    let mut matching: Vec<&Post> = s
        .posts
        .iter()
        .filter(|x| x.author_id == id && !x.deleted && x.superseded_by.is_none())
        .filter(|x| !(no_replies && x.reply_to.is_some()))
        .filter(|x| {
            let n: u64 = x.id.parse().unwrap_or(0);
            since.is_none_or(|s| n > s)
                && until.is_none_or(|u| n < u)
                && below.is_none_or(|b| n < b)
                // start_time inclusive, end_time exclusive (docs: "the newest ... to which").
                && start.is_none_or(|t| x.created_at >= t)
                && end.is_none_or(|t| x.created_at < t)
        })
        .collect();
    matching.sort_by_key(|x| std::cmp::Reverse(x.id.parse::<u64>().unwrap_or(0)));
    let more = matching.len() > max;
    matching.truncate(max);
    let data: Vec<Value> = matching.iter().map(|x| s.post_json(x, &fields)).collect();
    let mut meta = json!({"result_count": data.len()});
    if let (Some(first), Some(last)) = (matching.first(), matching.last()) {
        meta["newest_id"] = json!(first.id);
        meta["oldest_id"] = json!(last.id);
        if more {
            meta["next_token"] = json!(format!("{:x}", last.id.parse::<u64>().unwrap_or(0)));
        }
    }
    let n = data.len() as u64;
    *s.reads.entry(p.user_id().to_string()).or_default() += n;
    let mut answer = json!({"meta": meta});
    if n > 0 {
        answer["data"] = json!(data);
    }
    Ok(Response::json(200, &answer))
}

/// operationId `mediaUpload` (request `MediaUploadRequest`: JSON with base64 `media`, or
/// multipart with raw bytes; `media_category` required).
fn media_upload(s: &mut State, req: &Request, p: &Principal) -> Result<Response, Response> {
    let user_id = user_context(p)?;
    needs_scopes(p, &["media.write"])?;
    let (bytes, category, owners) = if req.content_type() == "multipart/form-data" {
        let parts = multipart(req).ok_or_else(|| invalid("The multipart body could not be read."))?;
        let get = |n: &str| parts.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        if let Some((k, _)) = parts
            .iter()
            .find(|(k, _)| !["media", "media_category", "additional_owners"].contains(&k.as_str()))
        {
            return Err(invalid(&format!("{k}: is not defined in the schema")));
        }
        (
            get("media"),
            get("media_category").map(|c| String::from_utf8_lossy(&c).to_string()),
            get("additional_owners").map(|c| String::from_utf8_lossy(&c).to_string()),
        )
    } else {
        let body = body_json(req)?;
        only_keys(&body, &["additional_owners", "media", "media_category"], "$.")?;
        let media = match body.get("media") {
            Some(Value::String(b64)) => Some(
                base64::engine::general_purpose::STANDARD
                    .decode(b64.trim())
                    .map_err(|_| invalid("$.media: not base64"))?,
            ),
            _ => None,
        };
        (
            media,
            body.get("media_category").and_then(Value::as_str).map(String::from),
            body.get("additional_owners").and_then(Value::as_str).map(String::from),
        )
    };
    let Some(bytes) = bytes.filter(|b| !b.is_empty()) else {
        return Err(invalid("$.media: required"));
    };
    let categories = [
        "tweet_image",
        "tweet_video",
        "tweet_gif",
        "dm_image",
        "dm_video",
        "dm_gif",
        "subtitles",
    ];
    let Some(category) = category.filter(|c| categories.contains(&c.as_str())) else {
        return Err(invalid(
            "$.media_category: required, one of tweet_image, tweet_video, tweet_gif, dm_image, dm_video, dm_gif, subtitles",
        ));
    };
    let image = category.ends_with("_image");
    if image && bytes.len() > IMAGE_LIMIT {
        return Err(invalid("Images must be 5 MB or smaller."));
    }
    let sniffed = sniff_image(&bytes);
    if image && sniffed.is_none() {
        return Err(invalid("The media is not an image X accepts (JPEG, PNG, GIF, WEBP)."));
    }
    let id = s.next_id(s.now(p.user_id()));
    let mut all_owners = vec![user_id];
    all_owners.extend(
        owners
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(String::from),
    );
    s.media.insert(
        id.clone(),
        Media {
            owners: all_owners,
            alt_text: None,
        },
    );
    let mut data = json!({
        "id": id, "media_key": format!("3_{id}"), "size": bytes.len(),
        "expires_after_secs": 86400,
    });
    if let Some((kind, dims)) = sniffed {
        data["image"] = json!({"image_type": kind});
        if let Some((w, h)) = dims {
            data["image"]["w"] = json!(w);
            data["image"]["h"] = json!(h);
        }
    }
    Ok(Response::json(200, &json!({ "data": data })))
}

/// operationId `createMediaMetadata`: alt text (up to 1000 characters) on one's own media.
fn media_metadata(s: &mut State, req: &Request, p: &Principal) -> Result<Response, Response> {
    let user_id = user_context(p)?;
    needs_scopes(p, &["media.write"])?;
    let body = body_json(req)?;
    let Some(id) = body.get("id").and_then(Value::as_str).filter(|i| is_id(i)) else {
        return Err(invalid("$.id: a media id is required"));
    };
    let metadata = body.get("metadata").cloned().unwrap_or(json!({}));
    let alt = metadata.pointer("/alt_text/text").and_then(Value::as_str);
    if alt.is_some_and(|a| a.chars().count() > 1000) {
        return Err(invalid("$.metadata.alt_text.text: longer than 1000 characters"));
    }
    let Some(m) = s.media.get_mut(id) else {
        return Err(problem(
            404,
            NOT_FOUND,
            "Not Found Error",
            &format!("Could not find media with id: [{id}]."),
            404,
        ));
    };
    if !m.owners.contains(&user_id) {
        return Err(problem(
            403,
            NOT_AUTHORIZED,
            "Forbidden",
            "The media belongs to another user.",
            403,
        ));
    }
    if let Some(alt) = alt {
        m.alt_text = Some(alt.to_string());
    }
    Ok(Response::json(
        200,
        &json!({"data": {"id": id, "associated_metadata": metadata}}),
    ))
}

// ---- the control API -------------------------------------------------------------------------

fn control_error(status: u16, detail: &str) -> Response {
    Response::json(status, &json!({ "error": detail }))
}

fn control(s: &mut State, req: &Request, rest: &str) -> Response {
    let body: Value = if req.body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&req.body) {
            Ok(v) => v,
            Err(e) => return control_error(400, &format!("body is not JSON: {e}")),
        }
    };
    let str_of = |k: &str| body.get(k).and_then(Value::as_str).map(String::from);
    let segments: Vec<&str> = rest.split('/').collect();
    let user_of = |s: &State, id: &str| s.users.get(id).cloned();
    match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["health"]) => Response::json(200, &json!({"ok": true})),
        ("POST", ["users"]) => {
            let Some(username) = str_of("username") else {
                return control_error(400, "username is required");
            };
            if s.users.values().any(|u| u.username.eq_ignore_ascii_case(&username)) {
                return control_error(409, "username is taken");
            }
            let id = match str_of("id") {
                Some(id) if is_id(&id) => id,
                Some(_) => return control_error(400, "id must be 1 to 19 digits"),
                None => (1_000_000_000 + s.next_seq()).to_string(),
            };
            if s.users.contains_key(&id) {
                return control_error(409, "id is taken");
            }
            let user = User {
                id: id.clone(),
                name: str_of("name").unwrap_or_else(|| username.clone()),
                username,
                premium: body.get("premium").and_then(Value::as_bool).unwrap_or(false),
                clock_offset: 0.0,
            };
            let answer = json!({"id": user.id, "username": user.username, "name": user.name, "premium": user.premium});
            s.users.insert(id, user);
            Response::json(201, &answer)
        }
        ("POST", ["apps"]) => {
            let (Some(client_id), Some(redirect_uri), Some(user_id)) =
                (str_of("client_id"), str_of("redirect_uri"), str_of("user_id"))
            else {
                return control_error(400, "client_id, redirect_uri and user_id are required");
            };
            if user_of(s, &user_id).is_none() {
                return control_error(404, "no such user");
            }
            let access_lifetime = body
                .get("access_token_lifetime")
                .and_then(Value::as_i64)
                .unwrap_or(ACCESS_LIFETIME);
            s.apps.insert(
                client_id.clone(),
                App {
                    client_id: client_id.clone(),
                    redirect_uri: redirect_uri.clone(),
                    user_id: user_id.clone(),
                    access_lifetime,
                },
            );
            Response::json(
                201,
                &json!({"client_id": client_id, "redirect_uri": redirect_uri, "user_id": user_id, "access_token_lifetime": access_lifetime}),
            )
        }
        ("POST", ["tokens", kind]) => {
            let Some(user_id) = str_of("user_id").filter(|u| s.users.contains_key(u)) else {
                return control_error(404, "user_id names no user");
            };
            match *kind {
                "oauth2" => {
                    let client_id = str_of("client_id").unwrap_or_else(|| format!("fake-app-{user_id}"));
                    if !s.apps.contains_key(&client_id) {
                        s.apps.insert(
                            client_id.clone(),
                            App {
                                client_id: client_id.clone(),
                                redirect_uri: "http://127.0.0.1/callback".into(),
                                user_id: user_id.clone(),
                                access_lifetime: ACCESS_LIFETIME,
                            },
                        );
                    }
                    let scope: Vec<String> = str_of("scope")
                        .unwrap_or_else(|| "tweet.read tweet.write users.read offline.access media.write".into())
                        .split(' ')
                        .filter(|x| !x.is_empty())
                        .map(String::from)
                        .collect();
                    let lifetime = body
                        .get("expires_in")
                        .and_then(Value::as_i64)
                        .unwrap_or(ACCESS_LIFETIME);
                    let mut answer = s.issue_pair(&user_id, &client_id, &scope, lifetime);
                    answer["client_id"] = json!(client_id);
                    Response::json(201, &answer)
                }
                "oauth1" => {
                    let cred = OAuth1Cred {
                        consumer_key: random_token(18),
                        consumer_secret: random_token(30),
                        token_secret: random_token(30),
                        user_id: user_id.clone(),
                    };
                    let token = format!("{user_id}-{}", random_token(24));
                    let answer = json!({
                        "consumer_key": cred.consumer_key, "consumer_secret": cred.consumer_secret,
                        "token": token, "token_secret": cred.token_secret,
                    });
                    s.oauth1.insert(token, cred);
                    Response::json(201, &answer)
                }
                "bearer" => {
                    let token = format!("AAAA{}", random_token(40));
                    s.bearers.insert(token.clone(), user_id);
                    Response::json(201, &json!({"bearer_token": token}))
                }
                _ => control_error(404, "token kinds: oauth2, oauth1, bearer"),
            }
        }
        (method, ["users", id, what]) => {
            let Some(user) = user_of(s, id) else {
                return control_error(404, "no such user");
            };
            match (method, *what) {
                ("GET", "posts") => {
                    let posts: Vec<Value> = s
                        .posts
                        .iter()
                        .filter(|p| p.author_id == user.id)
                        .map(|p| {
                            let urls: Vec<Value> = p.urls.iter().map(|u| json!({"start": u.start, "end": u.end, "url": u.url, "expanded_url": u.expanded_url, "display_url": u.display_url})).collect();
                            json!({
                                "id": p.id, "text": p.text, "original_text": p.original_text,
                                "created_at": rfc3339(p.created_at), "deleted": p.deleted,
                                "edit_history_post_ids": p.edit_history,
                                "superseded_by": p.superseded_by, "in_reply_to": p.reply_to,
                                "media_ids": p.media_ids, "urls": urls, "via": p.via,
                                "media_alt_texts": p.media_ids.iter().map(|m| s.media.get(m).and_then(|m| m.alt_text.clone())).collect::<Vec<_>>(),
                            })
                        })
                        .collect();
                    Response::json(200, &json!({ "posts": posts }))
                }
                ("POST", "posts") => {
                    let Some(text) = str_of("text") else {
                        return control_error(400, "text is required");
                    };
                    let age = body.get("age_secs").and_then(Value::as_f64).unwrap_or(0.0);
                    let at = s.now(&user.id) - age;
                    let draft = Draft {
                        text,
                        ..Draft::default()
                    };
                    let id = s.create_post(&user.id, draft, at, "direct");
                    let p = s.post(&id).expect("just made");
                    Response::json(
                        201,
                        &json!({"id": p.id, "text": p.text, "created_at": rfc3339(p.created_at)}),
                    )
                }
                ("GET", "counters") => Response::json(
                    200,
                    &json!({
                        "billed_reads": s.reads.get(&user.id).copied().unwrap_or(0),
                        "requests": s.requests.get(&user.id).cloned().unwrap_or_default(),
                    }),
                ),
                ("POST", "faults") => {
                    let kind = match str_of("kind").as_deref() {
                        Some("rate_limit") => FaultKind::RateLimit,
                        Some("unavailable") => FaultKind::Unavailable,
                        Some("error_after_commit") => FaultKind::ErrorAfterCommit,
                        Some("drop_after_commit") => FaultKind::DropAfterCommit,
                        Some("malformed") => FaultKind::Malformed,
                        _ => {
                            return control_error(
                                400,
                                "kind: rate_limit, unavailable, error_after_commit, drop_after_commit or malformed",
                            );
                        }
                    };
                    let (Some(method), Some(path)) = (str_of("method"), str_of("path")) else {
                        return control_error(400, "method and path (a prefix) are required");
                    };
                    let count = body.get("count").and_then(Value::as_u64).unwrap_or(1) as u32;
                    let reset_in = body.get("reset_in").and_then(Value::as_i64).unwrap_or(900);
                    s.faults.push(Fault {
                        user_id: user.id.clone(),
                        method: method.to_ascii_uppercase(),
                        path,
                        kind,
                        remaining: count,
                        reset_in,
                    });
                    Response::json(201, &json!({"ok": true}))
                }
                ("POST", "clock") => {
                    let advance = body.get("advance_secs").and_then(Value::as_f64).unwrap_or(0.0);
                    let u = s.users.get_mut(&user.id).expect("exists");
                    u.clock_offset += advance;
                    let now = s.now(&user.id);
                    Response::json(
                        200,
                        &json!({"now": rfc3339(now), "offset_secs": s.users[&user.id].clock_offset}),
                    )
                }
                _ => control_error(404, "unknown control route"),
            }
        }
        _ => control_error(404, "unknown control route"),
    }
}

#[cfg(test)]
mod tests;
