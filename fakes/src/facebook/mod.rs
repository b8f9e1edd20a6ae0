//! The Facebook Graph API fake: Pages, their tokens and posts, in memory. Written from Meta's
//! docs on developers.facebook.com, each rule with the page it follows beside it; what Meta
//! does not document is marked "guess" where it is done. Meta publishes no machine-readable
//! description of the Graph API, so nothing stands in front of this fake: the rules here are
//! all there is. The control API is under `/_fake/` (see `fakes/README.md`).
//!
//! Everything is scoped per Page (posts, photos, counters, faults, usage), so tests that make
//! their own Pages never need to take turns.

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::http::{Reply, Request, Response, parse_form};
use crate::time::rfc3339;

/// docs `graph-api/overview/rate-limiting`: Page tokens report in `X-Business-Use-Case-Usage`.
pub const USAGE_HEADER: &str = "X-Business-Use-Case-Usage";
/// Guess: Meta does not say how long it refuses a repeated text with error 506. The fake
/// refuses a text equal to a live post of the same Page made in the last 24 hours.
pub const DUPLICATE_WINDOW: f64 = 24.0 * 3600.0;
/// docs `graph-api/photo-uploads`: "We recommend uploading photos under 4MB". The fake
/// refuses larger ones (guess: Meta's own refusal is not documented).
pub const PHOTO_LIMIT: usize = 4_000_000;

#[derive(Debug, Clone)]
struct Page {
    id: String,
    username: String,
    name: String,
    /// The percentage the usage header reports.
    usage: u64,
}

#[derive(Debug, Clone)]
enum Principal {
    /// A Page access token (docs `facebook-login/guides/access-tokens`, "Page Access Token").
    Page { page_id: String },
    /// A person's token: `/me` is that person.
    User { user_id: String, name: String },
    /// An app token (`APP_ID|APP_SECRET`, docs `facebook-login/guides/access-tokens`, "App
    /// Access Tokens"): it may ask `debug_token`, and nothing else here.
    App { app_id: String },
}

#[derive(Debug, Clone)]
struct Token {
    principal: Principal,
    revoked: bool,
    /// The permissions granted (Page tokens: the three postgate asks for, unless the control
    /// API says otherwise).
    scopes: Vec<String>,
    /// Unix seconds; 0: does not expire.
    expires_at: i64,
}

impl Token {
    fn expired(&self) -> bool {
        self.expires_at > 0 && (self.expires_at as f64) <= now()
    }
}

#[derive(Debug, Clone)]
struct Post {
    id: String,
    page_id: String,
    message: String,
    /// Every earlier message, oldest first.
    history: Vec<String>,
    created_time: f64,
    deleted: bool,
    attached: Vec<String>,
    /// "api" or "direct" (made through the control API, as if on facebook.com).
    via: &'static str,
}

#[derive(Debug, Clone)]
struct Photo {
    page_id: String,
    alt_text_custom: Option<String>,
    bytes: usize,
    published: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum FaultKind {
    /// 503 with the transient error object, before anything is done.
    Unavailable,
    /// 429 (guess: Meta throttles with 400/403 and a code; the brief asks for a 429 too).
    RateLimit,
    /// 400 with code 32, "Page request limit reached", before anything is done.
    Throttled,
    /// 400 with code 368, Meta's block of an action it deems abusive, before anything is done.
    Blocked,
    /// The post is made, then a 500 with code 2 (arsduo/koala#699).
    ErrorAfterCommit,
    /// The post is made, then the connection closes without an answer.
    DropAfterCommit,
}

#[derive(Debug, Clone)]
struct Fault {
    page_id: String,
    method: String,
    /// The path after the version, as `/{page-id}/feed`.
    path: String,
    kind: FaultKind,
    remaining: u32,
}

#[derive(Default)]
struct State {
    pages: HashMap<String, Page>,
    tokens: HashMap<String, Token>,
    posts: Vec<Post>,
    photos: HashMap<String, Photo>,
    faults: Vec<Fault>,
    /// Per Page, `"METHOD /path"` (after the version) → count.
    requests: HashMap<String, HashMap<String, u64>>,
    /// Per person, the Pages they manage and their tasks on each.
    managed: HashMap<String, Vec<(String, Vec<String>)>>,
    /// Apps: id → secret.
    apps: HashMap<String, String>,
    seq: u64,
}

/// The fake's whole state, behind one lock: every request is served atomically.
#[derive(Default)]
pub struct FacebookFake {
    state: Mutex<State>,
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// The Graph error object (docs `graph-api/guides/error-handling`): `{"error": {message, type,
/// code, error_subcode, fbtrace_id}}`.
fn graph_error(status: u16, code: i64, subcode: Option<i64>, kind: &str, message: &str) -> Response {
    let mut error = json!({
        "message": message, "type": kind, "code": code, "fbtrace_id": "AfakeTraceId0",
    });
    if let Some(s) = subcode {
        error["error_subcode"] = json!(s);
    }
    Response::json(status, &json!({ "error": error }))
}

fn oauth(code: i64, subcode: Option<i64>, message: &str) -> Response {
    graph_error(400, code, subcode, "OAuthException", message)
}

fn invalid_parameter(message: &str) -> Response {
    graph_error(400, 100, None, "GraphMethodException", message)
}

fn unknown_path(path: &str) -> Response {
    graph_error(
        400,
        100,
        Some(33),
        "GraphMethodException",
        &format!("Unsupported request - method type or path {path} is not supported (fake)"),
    )
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `vMAJOR.MINOR` (docs `graph-api/guides/versioning`).
fn is_version(s: &str) -> bool {
    s.strip_prefix('v')
        .and_then(|r| r.split_once('.'))
        .is_some_and(|(a, b)| is_digits(a) && is_digits(b))
}

/// Graph answers times as `2026-12-02T04:40:00+0000`.
fn graph_time(secs: f64) -> String {
    rfc3339(secs).replace('Z', "+0000")
}

fn random_token() -> String {
    use std::io::Read;
    let mut buf = [0u8; 24];
    let _ = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut buf));
    // Meta's tokens begin "EAA" (guess about the rest, which is opaque).
    let hex: String = buf.iter().map(|b| format!("{b:02x}")).collect();
    format!("EAAfake{hex}")
}

/// The parts of a `multipart/form-data` body (RFC 7578): name → bytes.
pub fn multipart(content_type: &str, body: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?
        .trim_matches('"');
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut rest = body;
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let start = find(rest, delimiter.as_bytes())?;
    rest = &rest[start + delimiter.len()..];
    loop {
        if rest.starts_with(b"--") {
            return Some(parts);
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let head_end = find(rest, b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&rest[..head_end]).to_string();
        rest = &rest[head_end + 4..];
        let end = find(rest, format!("\r\n{delimiter}").as_bytes())?;
        let content = rest[..end].to_vec();
        rest = &rest[end + 2 + delimiter.len()..];
        let name = head
            .split(';')
            .find_map(|p| p.trim().strip_prefix("name=").map(|n| n.trim_matches('"').to_string()))?;
        parts.push((name, content));
    }
}

impl FacebookFake {
    pub fn new() -> FacebookFake {
        FacebookFake::default()
    }

    pub fn handle(&self, req: &Request) -> Reply {
        let mut s = match self.state.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(rest) = req.path.strip_prefix("/_fake/") {
            return Reply::Response(control(&mut s, req, rest));
        }
        // Every Graph call names a version first (docs `graph-api/guides/versioning`); the fake
        // refuses unversioned calls rather than guess which version they would get.
        let mut segments = req.path.trim_start_matches('/').splitn(2, '/');
        let version = segments.next().unwrap_or("");
        let rest = format!("/{}", segments.next().unwrap_or(""));
        if !is_version(version) {
            return Reply::Response(unknown_path(&req.path));
        }
        if rest == "/oauth/access_token" {
            return Reply::Response(exchange(&mut s, req));
        }
        graph(&mut s, req, &rest)
    }
}

/// The token of a request: `Authorization: Bearer`, or the `access_token` parameter (docs
/// `graph-api/overview`, "Access Tokens").
fn bearer(req: &Request) -> Option<String> {
    if let Some(h) = req.header("authorization")
        && let Some(t) = h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("OAuth "))
    {
        return Some(t.trim().to_string());
    }
    req.query_param("access_token")
}

fn with_usage(page: Option<&Page>, response: Response) -> Response {
    match page {
        // docs `graph-api/overview/rate-limiting`, "Business Use Case Rate Limits": the header
        // is an object of business ids, each a list of {type, call_count, total_cputime,
        // total_time, estimated_time_to_regain_access}, percentages of the limit.
        Some(p) => response.with_header(
            USAGE_HEADER,
            json!({ p.id.clone(): [{
                "type": "pages", "call_count": p.usage, "total_cputime": p.usage.min(5),
                "total_time": p.usage.min(5), "estimated_time_to_regain_access": 0,
            }]})
            .to_string(),
        ),
        None => response,
    }
}

fn graph(s: &mut State, req: &Request, rest: &str) -> Reply {
    let Some(token) = bearer(req) else {
        // docs `graph-api/guides/error-handling`: code 104 "An access token is required".
        return Reply::Response(oauth(
            104,
            None,
            "An access token is required to request this resource.",
        ));
    };
    let principal = match s.tokens.get(&token) {
        // Subcode 463: "Session has expired" (docs `graph-api/guides/error-handling`).
        Some(t) if t.expired() => {
            return Reply::Response(oauth(
                190,
                Some(463),
                "Error validating access token: Session has expired.",
            ));
        }
        Some(t) if !t.revoked => {
            if let (Principal::Page { .. }, Some(permission)) = (&t.principal, needs(&req.method, rest))
                && !t.scopes.iter().any(|s| s == permission)
            {
                // docs `graph-api/guides/error-handling`: 200–299 are permission errors; Meta's
                // message names the permission (docs `pages-api/posts`, "Requirements").
                return Reply::Response(graph_error(
                    403,
                    200,
                    None,
                    "OAuthException",
                    &format!("(#200) This action requires the {permission} permission"),
                ));
            }
            t.principal.clone()
        }
        // Code 190, subcode 460/463/467: the session was invalidated, expired or the token is
        // invalid (docs `graph-api/guides/error-handling`, "Access token errors").
        Some(_) => {
            return Reply::Response(oauth(
                190,
                Some(460),
                "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.",
            ));
        }
        None => {
            return Reply::Response(oauth(
                190,
                Some(467),
                "Invalid OAuth access token - Cannot parse access token",
            ));
        }
    };
    let page_id = match &principal {
        Principal::Page { page_id } => Some(page_id.clone()),
        Principal::User { .. } | Principal::App { .. } => None,
    };
    if let Some(p) = &page_id {
        *s.requests
            .entry(p.clone())
            .or_default()
            .entry(format!("{} {rest}", req.method))
            .or_default() += 1;
    }
    let page = page_id.as_ref().and_then(|p| s.pages.get(p)).cloned();
    let fault = page_id.as_ref().and_then(|p| take_fault(s, p, &req.method, rest));
    match fault {
        Some(FaultKind::Unavailable) => {
            return Reply::Response(with_usage(
                page.as_ref(),
                graph_error(503, 2, None, "OAuthException", "Service temporarily unavailable"),
            ));
        }
        Some(FaultKind::RateLimit) => {
            return Reply::Response(with_usage(
                page.as_ref(),
                graph_error(429, 4, None, "OAuthException", "(#4) Application request limit reached"),
            ));
        }
        Some(FaultKind::Blocked) => {
            return Reply::Response(with_usage(
                page.as_ref(),
                graph_error(
                    400,
                    368,
                    None,
                    "OAuthException",
                    "(#368) The action attempted has been deemed abusive or is otherwise disallowed",
                ),
            ));
        }
        Some(FaultKind::Throttled) => {
            return Reply::Response(with_usage(
                page.as_ref(),
                graph_error(400, 32, None, "OAuthException", "(#32) Page request limit reached"),
            ));
        }
        _ => {}
    }
    let answer = route(s, req, rest, &principal);
    match fault {
        Some(FaultKind::ErrorAfterCommit) => Reply::Response(with_usage(
            page.as_ref(),
            // arsduo/koala#699: HTTP 500, code 2, while the post was created.
            graph_error(
                500,
                2,
                None,
                "OAuthException",
                "An unexpected error has occurred. Please retry your request later.",
            ),
        )),
        Some(FaultKind::DropAfterCommit) => Reply::Drop,
        _ => Reply::Response(with_usage(page.as_ref(), answer)),
    }
}

fn take_fault(s: &mut State, page_id: &str, method: &str, path: &str) -> Option<FaultKind> {
    let i = s
        .faults
        .iter()
        .position(|f| f.page_id == page_id && f.method == method && path.starts_with(&f.path) && f.remaining > 0)?;
    let f = &mut s.faults[i];
    f.remaining -= 1;
    let kind = f.kind;
    if f.remaining == 0 {
        s.faults.remove(i);
    }
    Some(kind)
}

/// The form fields of a write: Graph takes them form-encoded, or in the query (docs
/// `graph-api/overview`, "Publishing"); multipart for uploads.
fn fields(req: &Request) -> Vec<(String, String)> {
    let mut all = req.query_pairs();
    if req.content_type() == "application/x-www-form-urlencoded" {
        all.extend(parse_form(&String::from_utf8_lossy(&req.body)));
    }
    all
}

fn field(fields: &[(String, String)], name: &str) -> Option<String> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

/// The permission a Page token needs for a route (docs `graph-api/reference/page/feed`,
/// "Creating"; `page/published_posts`, "Requirements"; `post`, "Updating" and "Deleting").
fn needs(method: &str, rest: &str) -> Option<&'static str> {
    let parts: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    match (method, parts.as_slice()) {
        ("POST", [_, "feed" | "photos"]) => Some("pages_manage_posts"),
        ("POST" | "DELETE", [post]) if post.contains('_') => Some("pages_manage_posts"),
        ("GET", [_, "published_posts" | "feed"]) => Some("pages_read_engagement"),
        _ => None,
    }
}

fn route(s: &mut State, req: &Request, rest: &str, who: &Principal) -> Response {
    let parts: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    match (req.method.as_str(), parts.as_slice()) {
        ("GET", ["debug_token"]) => debug_token(s, req, who),
        ("GET", ["me"]) => me(s, req, who),
        ("GET", ["me", "accounts"]) => accounts(s, who),
        ("DELETE", ["me", "permissions"]) => revoke_permissions(s, req, who),
        ("POST", [page, "feed"]) => create_post(s, req, who, page),
        ("POST", [page, "photos"]) => create_photo(s, req, who, page),
        ("GET", [page, "published_posts"]) | ("GET", [page, "feed"]) => list(s, req, who, page),
        ("POST", [post]) if post.contains('_') => edit(s, req, who, post),
        ("DELETE", [post]) if post.contains('_') => delete(s, who, post),
        _ => unknown_path(rest),
    }
}

/// docs `graph-api/overview`, "/me": "the person or Page whose access token is being used".
/// A person has no `username` field since v2.0, and asking for it is error 100 (guess: the
/// message is Meta's usual wording for a field a node type does not have).
fn me(s: &State, req: &Request, who: &Principal) -> Response {
    let wanted = req.query_param("fields").unwrap_or_else(|| "id,name".into());
    let wanted: Vec<&str> = wanted.split(',').map(str::trim).collect();
    match who {
        Principal::Page { page_id } => {
            let Some(p) = s.pages.get(page_id) else {
                return oauth(190, None, "Invalid OAuth access token (its Page is gone)");
            };
            let mut out = serde_json::Map::new();
            for f in wanted {
                match f {
                    "id" => out.insert("id".into(), json!(p.id)),
                    "name" => out.insert("name".into(), json!(p.name)),
                    "username" => out.insert("username".into(), json!(p.username)),
                    other => {
                        return invalid_parameter(&format!(
                            "(#100) Tried accessing nonexisting field ({other}) on node type (Page)"
                        ));
                    }
                };
            }
            Response::json(200, &Value::Object(out))
        }
        Principal::App { app_id } => Response::json(200, &json!({ "id": app_id, "name": "postgate test app" })),
        Principal::User { user_id, name } => {
            let mut out = serde_json::Map::new();
            for f in wanted {
                match f {
                    "id" => out.insert("id".into(), json!(user_id)),
                    "name" => out.insert("name".into(), json!(name)),
                    other => {
                        return invalid_parameter(&format!(
                            "(#100) Tried accessing nonexisting field ({other}) on node type (User)"
                        ));
                    }
                };
            }
            Response::json(200, &Value::Object(out))
        }
    }
}

/// docs `graph-api/reference/user/permissions`, "Deleting": a person's token de-authorises the
/// app, and every token of it stops working. With a Page token the fake refuses (guess: Meta
/// documents the edge on User nodes only).
fn revoke_permissions(s: &mut State, _req: &Request, who: &Principal) -> Response {
    match who {
        Principal::Page { .. } | Principal::App { .. } => graph_error(
            400,
            100,
            None,
            "GraphMethodException",
            "(#100) Unsupported delete request: permissions are a person's, not a Page's (fake)",
        ),
        Principal::User { user_id, .. } => {
            for t in s.tokens.values_mut() {
                if matches!(&t.principal, Principal::User { user_id: u, .. } if u == user_id) {
                    t.revoked = true;
                }
            }
            Response::json(200, &json!({ "success": true }))
        }
    }
}

/// docs `graph-api/reference/debug_token`: asked with an app token, describes `input_token`:
/// `{data: {app_id, type, application, expires_at, is_valid, issued_at, profile_id, scopes,
/// user_id}}`; `type` is `PAGE` for a Page token, and `profile_id` its Page. An unknown or
/// revoked input is `is_valid: false` (guess: Meta adds an `error` object too).
fn debug_token(s: &State, req: &Request, who: &Principal) -> Response {
    let Principal::App { app_id } = who else {
        return oauth(
            100,
            None,
            "(#100) You must provide an app access token, or a user access token that is an owner or developer of the app",
        );
    };
    let input = req.query_param("input_token").unwrap_or_default();
    let Some(t) = s.tokens.get(&input) else {
        return Response::json(
            200,
            &json!({ "data": { "app_id": app_id, "is_valid": false, "scopes": [] } }),
        );
    };
    let mut data = json!({
        "app_id": app_id, "application": "postgate test app", "is_valid": !t.revoked && !t.expired(),
        "expires_at": t.expires_at, "issued_at": now() as i64, "scopes": t.scopes,
    });
    match &t.principal {
        Principal::Page { page_id } => {
            data["type"] = json!("PAGE");
            data["profile_id"] = json!(page_id);
            data["user_id"] = json!("500000000000001");
        }
        Principal::User { user_id, .. } => {
            data["type"] = json!("USER");
            data["user_id"] = json!(user_id);
        }
        Principal::App { .. } => data["type"] = json!("APP"),
    }
    Response::json(200, &json!({ "data": data }))
}

/// docs `facebook-login/guides/access-tokens/get-long-lived`: `grant_type=fb_exchange_token`,
/// `client_id`, `client_secret`, `fb_exchange_token` (a person's token) → a long-lived token of
/// the same person, `{access_token, token_type, expires_in}` (about 60 days).
fn exchange(s: &mut State, req: &Request) -> Response {
    let q = |n: &str| req.query_param(n).unwrap_or_default();
    if q("grant_type") != "fb_exchange_token" {
        return invalid_parameter("(#100) grant_type must be fb_exchange_token");
    }
    if s.apps.get(&q("client_id")) != Some(&q("client_secret")) {
        return oauth(101, None, "Error validating client secret.");
    }
    let user = match s.tokens.get(&q("fb_exchange_token")) {
        Some(Token {
            principal: p @ Principal::User { .. },
            revoked: false,
            ..
        }) => p.clone(),
        _ => return oauth(190, None, "Invalid OAuth access token - Cannot parse access token"),
    };
    let token = random_token();
    s.tokens.insert(
        token.clone(),
        Token {
            principal: user,
            revoked: false,
            scopes: vec!["public_profile".into()],
            expires_at: now() as i64 + 5_183_944,
        },
    );
    Response::json(
        200,
        &json!({ "access_token": token, "token_type": "bearer", "expires_in": 5_183_944 }),
    )
}

/// docs `pages-api/overview` ("Get a Page Access Token") and `user/accounts`: each Page the
/// person manages, with `id`, `name`, `access_token` (a new Page token of it) and `tasks`.
fn accounts(s: &mut State, who: &Principal) -> Response {
    let Principal::User { user_id, .. } = who else {
        return invalid_parameter("(#100) Tried accessing nonexisting field (accounts) on node type (Page)");
    };
    let managed = s.managed.get(user_id).cloned().unwrap_or_default();
    let mut data = Vec::new();
    for (page_id, tasks) in managed {
        let Some(name) = s.pages.get(&page_id).map(|p| p.name.clone()) else {
            continue;
        };
        let token = random_token();
        s.tokens.insert(
            token.clone(),
            Token {
                principal: Principal::Page {
                    page_id: page_id.clone(),
                },
                revoked: false,
                scopes: ["pages_manage_posts", "pages_read_engagement", "pages_show_list"]
                    .map(str::to_string)
                    .to_vec(),
                expires_at: 0,
            },
        );
        data.push(json!({ "id": page_id, "name": name, "access_token": token, "tasks": tasks, "category": "Government organization" }));
    }
    Response::json(200, &json!({ "data": data }))
}

/// The caller may write as `page` only with that Page's token (docs `pages-api/posts`:
/// "a Page access token requested by a person who can perform the CREATE_CONTENT task").
fn as_page<'a>(s: &'a State, who: &Principal, page: &str) -> Result<&'a Page, Response> {
    match who {
        Principal::Page { page_id } if page_id == page => s
            .pages
            .get(page)
            .ok_or_else(|| invalid_parameter("(#100) The Page does not exist")),
        Principal::Page { .. } => Err(graph_error(
            403,
            200,
            None,
            "OAuthException",
            "(#200) The Page token belongs to another Page: requires pages_manage_posts on this Page",
        )),
        Principal::User { .. } | Principal::App { .. } => Err(graph_error(
            403,
            200,
            None,
            "OAuthException",
            "(#200) If posting to a Page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission",
        )),
    }
}

/// docs `graph-api/reference/page/feed`, "Creating": `message`, `link`, `published`,
/// `attached_media` (each `{"media_fbid": id}` of an unpublished photo of the Page). Answers
/// `{"id": "{page-id}_{post-id}"}`.
fn create_post(s: &mut State, req: &Request, who: &Principal, page: &str) -> Response {
    let page = match as_page(s, who, page) {
        Ok(p) => p.id.clone(),
        Err(r) => return r,
    };
    let f = fields(req);
    let message = field(&f, "message").unwrap_or_default();
    let link = field(&f, "link");
    let mut attached = Vec::new();
    for (k, v) in &f {
        if !k.starts_with("attached_media") {
            continue;
        }
        let id = serde_json::from_str::<Value>(v)
            .ok()
            .and_then(|m| m["media_fbid"].as_str().map(str::to_string));
        let Some(id) = id else {
            return invalid_parameter("(#100) param attached_media must be an array of {\"media_fbid\": id}");
        };
        match s.photos.get(&id) {
            Some(p) if p.page_id == page && !p.published => attached.push(id),
            _ => return invalid_parameter(&format!("(#100) Invalid attached_media: {id}")),
        }
    }
    if message.is_empty() && link.is_none() && attached.is_empty() {
        return invalid_parameter("(#100) Missing message or attachment");
    }
    let t = now();
    // Error 506, "Duplicate status message" (facebook-csharp-sdk#119); the window is a guess.
    if !message.is_empty()
        && s.posts
            .iter()
            .any(|p| p.page_id == page && !p.deleted && p.message == message && t - p.created_time < DUPLICATE_WINDOW)
    {
        return graph_error(400, 506, None, "OAuthException", "(#506) Duplicate status message");
    }
    for id in &attached {
        if let Some(p) = s.photos.get_mut(id) {
            p.published = true;
        }
    }
    let id = commit(s, &page, &message, t, attached, "api");
    Response::json(200, &json!({ "id": id }))
}

fn commit(s: &mut State, page: &str, message: &str, at: f64, attached: Vec<String>, via: &'static str) -> String {
    s.seq += 1;
    let id = format!("{page}_{}", 9_000_000_000u64 + s.seq);
    s.posts.push(Post {
        id: id.clone(),
        page_id: page.to_string(),
        message: message.to_string(),
        history: Vec::new(),
        created_time: at,
        deleted: false,
        attached,
        via,
    });
    id
}

/// docs `graph-api/reference/page/photos`, "Creating": a file in `source` (multipart),
/// `published=false` for a photo a post attaches later, `alt_text_custom` its description.
fn create_photo(s: &mut State, req: &Request, who: &Principal, page: &str) -> Response {
    let page = match as_page(s, who, page) {
        Ok(p) => p.id.clone(),
        Err(r) => return r,
    };
    let Some(parts) = multipart(req.header("content-type").unwrap_or(""), &req.body) else {
        return invalid_parameter("(#324) Requires upload file (a multipart/form-data body)");
    };
    let text = |n: &str| {
        parts
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| String::from_utf8_lossy(v).to_string())
    };
    let Some((_, bytes)) = parts.iter().find(|(k, _)| k == "source") else {
        return graph_error(400, 324, None, "OAuthException", "(#324) Requires upload file");
    };
    if bytes.len() > PHOTO_LIMIT {
        return graph_error(
            400,
            1,
            None,
            "OAuthException",
            "An unknown error occurred (the photo is over 4 MB)",
        );
    }
    if text("published").as_deref() != Some("false") {
        // Guess: postgate always uploads unpublished photos; a published one would be a post
        // of its own, which this fake does not model.
        return invalid_parameter("(#100) the fake only takes unpublished photos (published=false)");
    }
    s.seq += 1;
    let id = format!("{}", 7_000_000_000u64 + s.seq);
    s.photos.insert(
        id.clone(),
        Photo {
            page_id: page,
            alt_text_custom: text("alt_text_custom"),
            bytes: bytes.len(),
            published: false,
        },
    );
    Response::json(200, &json!({ "id": id }))
}

/// docs `graph-api/reference/page/published_posts` (and `page/feed`, "Reading"): newest
/// first, `since` (Unix seconds), `limit` (guess: at most 100), cursor paging with `after`.
fn list(s: &State, req: &Request, who: &Principal, page: &str) -> Response {
    let page = match who {
        Principal::Page { page_id } if page_id == page => page_id.clone(),
        _ => {
            return graph_error(
                403,
                10,
                None,
                "OAuthException",
                "(#10) This endpoint requires the 'pages_read_engagement' permission or the 'Page Public Content Access' feature",
            );
        }
    };
    let since = match req.query_param("since") {
        Some(v) => match v.parse::<f64>() {
            Ok(n) => n,
            Err(_) => return invalid_parameter("(#100) since must be a Unix timestamp"),
        },
        None => 0.0,
    };
    let limit = req
        .query_param("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(25)
        .clamp(1, 100);
    let offset = req
        .query_param("after")
        .and_then(|a| a.strip_prefix("cursor").and_then(|n| n.parse::<usize>().ok()))
        .unwrap_or(0);
    let mut posts: Vec<&Post> = s
        .posts
        .iter()
        .filter(|p| p.page_id == page && !p.deleted && p.created_time >= since)
        .collect();
    posts.sort_by(|a, b| b.created_time.total_cmp(&a.created_time).then(b.id.cmp(&a.id)));
    let chunk: Vec<Value> = posts
        .iter()
        .skip(offset)
        .take(limit)
        .map(|p| {
            json!({
                "id": p.id, "message": p.message, "created_time": graph_time(p.created_time),
                "permalink_url": format!("https://www.facebook.com/{}", p.id.replace('_', "/posts/")),
            })
        })
        .collect();
    let mut answer = json!({ "data": chunk });
    let end = offset + limit;
    let mut paging = json!({ "cursors": { "before": format!("cursor{offset}"), "after": format!("cursor{end}") } });
    if end < posts.len() {
        paging["next"] = json!(format!(
            "https://graph.facebook.com/vX/{page}/published_posts?after=cursor{end}"
        ));
    }
    answer["paging"] = paging;
    Response::json(200, &answer)
}

fn own_post<'a>(s: &'a mut State, who: &Principal, id: &str) -> Result<&'a mut Post, Response> {
    let page = match who {
        Principal::Page { page_id } => page_id.clone(),
        Principal::User { .. } | Principal::App { .. } => {
            return Err(graph_error(
                403,
                200,
                None,
                "OAuthException",
                "(#200) requires pages_manage_posts",
            ));
        }
    };
    match s.posts.iter_mut().find(|p| p.id == id && !p.deleted) {
        Some(p) if p.page_id == page => Ok(p),
        Some(_) => Err(graph_error(
            403,
            200,
            None,
            "OAuthException",
            "(#200) The post belongs to another Page",
        )),
        // docs `graph-api/guides/error-handling`: code 100, subcode 33 for an object that does
        // not exist or cannot be loaded.
        None => Err(graph_error(
            400,
            100,
            Some(33),
            "GraphMethodException",
            &format!("Unsupported post request. Object with ID '{id}' does not exist"),
        )),
    }
}

/// docs `graph-api/reference/post`, "Updating": `message`; answers `{"success": true}`.
fn edit(s: &mut State, req: &Request, who: &Principal, id: &str) -> Response {
    let f = fields(req);
    let Some(message) = field(&f, "message") else {
        return invalid_parameter("(#100) Missing message");
    };
    match own_post(s, who, id) {
        Ok(p) => {
            let old = std::mem::replace(&mut p.message, message);
            p.history.push(old);
            Response::json(200, &json!({ "success": true }))
        }
        Err(r) => r,
    }
}

/// docs `graph-api/reference/post`, "Deleting": answers `{"success": true}`.
fn delete(s: &mut State, who: &Principal, id: &str) -> Response {
    match own_post(s, who, id) {
        Ok(p) => {
            p.deleted = true;
            Response::json(200, &json!({ "success": true }))
        }
        Err(r) => r,
    }
}

fn control_error(status: u16, detail: &str) -> Response {
    Response::json(status, &json!({ "error": detail }))
}

fn body(req: &Request) -> Value {
    serde_json::from_slice(&req.body).unwrap_or(Value::Null)
}

/// The control API (`fakes/README.md`).
fn control(s: &mut State, req: &Request, rest: &str) -> Response {
    let parts: Vec<&str> = rest.split('/').collect();
    let b = body(req);
    match (req.method.as_str(), parts.as_slice()) {
        ("POST", ["pages"]) => {
            let Some(username) = b["username"].as_str() else {
                return control_error(400, "username is required");
            };
            s.seq += 1;
            let id = b["id"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| format!("{}", 100_064_000_000_000u64 + s.seq));
            let name = b["name"].as_str().unwrap_or(username).to_string();
            s.pages.insert(
                id.clone(),
                Page {
                    id: id.clone(),
                    username: username.to_string(),
                    name,
                    usage: 1,
                },
            );
            Response::json(200, &json!({ "id": id, "username": username }))
        }
        ("POST", ["tokens", "page"]) => {
            let Some(page) = b["page_id"].as_str().filter(|p| s.pages.contains_key(*p)) else {
                return control_error(404, "no such page_id");
            };
            let token = random_token();
            let scopes = match b["scopes"].as_array() {
                Some(list) => list.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
                None => ["pages_manage_posts", "pages_read_engagement", "pages_show_list"]
                    .map(str::to_string)
                    .to_vec(),
            };
            let expires_at = b["expires_in"].as_i64().map_or(0, |e| now() as i64 + e);
            s.tokens.insert(
                token.clone(),
                Token {
                    principal: Principal::Page {
                        page_id: page.to_string(),
                    },
                    revoked: false,
                    scopes,
                    expires_at,
                },
            );
            Response::json(200, &json!({ "access_token": token }))
        }
        ("POST", ["tokens", "user"]) => {
            s.seq += 1;
            let user_id = format!("{}", 500_000_000_000u64 + s.seq);
            let name = b["name"].as_str().unwrap_or("Agent du ministère").to_string();
            // `pages`: [{"id", "tasks": [...]}], the Pages this person manages.
            let managed = b["pages"]
                .as_array()
                .map(|list| {
                    list.iter()
                        .filter_map(|p| {
                            let id = p["id"].as_str()?.to_string();
                            let tasks = p["tasks"]
                                .as_array()
                                .map(|t| t.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                                .unwrap_or_else(|| vec!["CREATE_CONTENT".to_string(), "MODERATE".to_string()]);
                            Some((id, tasks))
                        })
                        .collect()
                })
                .unwrap_or_default();
            s.managed.insert(user_id.clone(), managed);
            let token = random_token();
            s.tokens.insert(
                token.clone(),
                Token {
                    principal: Principal::User {
                        user_id: user_id.clone(),
                        name,
                    },
                    revoked: false,
                    scopes: vec!["public_profile".into()],
                    expires_at: 0,
                },
            );
            Response::json(200, &json!({ "access_token": token, "user_id": user_id }))
        }
        ("POST", ["apps"]) => {
            s.seq += 1;
            let app_id = format!("{}", 870_000_000_000u64 + s.seq);
            let secret = format!("secret{}", random_token().trim_start_matches("EAAfake"));
            s.apps.insert(app_id.clone(), secret.clone());
            Response::json(200, &json!({ "app_id": app_id, "app_secret": secret }))
        }
        ("POST", ["tokens", "app"]) => {
            s.seq += 1;
            let app_id = format!("{}", 880_000_000_000u64 + s.seq);
            let token = format!("{app_id}|{}", random_token().trim_start_matches("EAAfake"));
            s.tokens.insert(
                token.clone(),
                Token {
                    principal: Principal::App { app_id: app_id.clone() },
                    revoked: false,
                    scopes: Vec::new(),
                    expires_at: 0,
                },
            );
            Response::json(200, &json!({ "access_token": token, "app_id": app_id }))
        }
        ("POST", ["tokens", "revoke"]) => {
            let Some(t) = b["access_token"].as_str().and_then(|t| s.tokens.get_mut(t)) else {
                return control_error(404, "no such token");
            };
            t.revoked = true;
            Response::json(200, &json!({ "revoked": true }))
        }
        ("GET", ["tokens", "status"]) => {
            let token = req.query_param("access_token").unwrap_or_default();
            let state = match s.tokens.get(&token) {
                Some(t) if t.revoked => "revoked",
                Some(_) => "valid",
                None => "unknown",
            };
            Response::json(200, &json!({ "status": state }))
        }
        ("GET", ["pages", id, "posts"]) => {
            let posts: Vec<Value> = s
                .posts
                .iter()
                .filter(|p| p.page_id == *id)
                .map(|p| {
                    let alts: Vec<Value> = p
                        .attached
                        .iter()
                        .map(|a| json!(s.photos.get(a).and_then(|ph| ph.alt_text_custom.clone())))
                        .collect();
                    let sizes: Vec<Value> = p
                        .attached
                        .iter()
                        .map(|a| json!(s.photos.get(a).map(|ph| ph.bytes)))
                        .collect();
                    json!({
                        "id": p.id, "message": p.message, "history": p.history,
                        "created_time": graph_time(p.created_time), "deleted": p.deleted,
                        "attached_media": p.attached, "alt_texts": alts, "photo_bytes": sizes, "via": p.via,
                    })
                })
                .collect();
            Response::json(200, &json!({ "posts": posts }))
        }
        ("POST", ["pages", id, "posts"]) => {
            if !s.pages.contains_key(*id) {
                return control_error(404, "no such page");
            }
            let message = b["message"].as_str().unwrap_or("").to_string();
            let age = b["age_secs"].as_f64().unwrap_or(0.0);
            let at = now() - age;
            let id = commit(s, id, &message, at, Vec::new(), "direct");
            Response::json(200, &json!({ "id": id }))
        }
        ("GET", ["pages", id, "counters"]) => {
            let requests = s.requests.get(*id).cloned().unwrap_or_default();
            Response::json(200, &json!({ "requests": requests }))
        }
        ("POST", ["pages", id, "usage"]) => {
            let Some(p) = s.pages.get_mut(*id) else {
                return control_error(404, "no such page");
            };
            p.usage = b["percent"].as_u64().unwrap_or(1);
            Response::json(200, &json!({ "percent": p.usage }))
        }
        ("POST", ["pages", id, "faults"]) => {
            let kind = match b["kind"].as_str() {
                Some("unavailable") => FaultKind::Unavailable,
                Some("rate_limit") => FaultKind::RateLimit,
                Some("throttled") => FaultKind::Throttled,
                Some("blocked") => FaultKind::Blocked,
                Some("error_after_commit") => FaultKind::ErrorAfterCommit,
                Some("drop_after_commit") => FaultKind::DropAfterCommit,
                _ => {
                    return control_error(
                        400,
                        "kind: unavailable, rate_limit, throttled, blocked, error_after_commit or drop_after_commit",
                    );
                }
            };
            let (Some(method), Some(path)) = (b["method"].as_str(), b["path"].as_str()) else {
                return control_error(400, "method and path are required");
            };
            s.faults.push(Fault {
                page_id: id.to_string(),
                method: method.to_string(),
                path: path.to_string(),
                kind,
                remaining: b["count"].as_u64().unwrap_or(1) as u32,
            });
            Response::json(200, &json!({ "ok": true }))
        }
        _ => control_error(404, "no such control route"),
    }
}
