//! A stateful fake of the parts of LinkedIn's API postgate uses for organization pages: the
//! member behind a token, organizations and who may post for them, the Posts API with its
//! little-text commentary, and the Images API.
//!
//! Every rule cites the page it follows, on learn.microsoft.com under `linkedin/` unless a
//! report elsewhere is named. Members, organizations, roles and tokens are made through the
//! control API (`/_fake/...`); counters and faults are per member, so tests that make their own
//! members never need to take turns.

use crate::http::{Reply, Request, Response, percent_decode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

#[cfg(test)]
mod tests;

/// The versions the fake serves unless told otherwise: LinkedIn keeps each monthly version at
/// least a year and serves no request without one (`marketing/versioning`).
pub fn default_versions() -> Vec<String> {
    let mut v = Vec::new();
    for (year, months) in [(2025, 12..=12), (2026, 1..=12)] {
        for m in months {
            v.push(format!("{year}{m:02}"));
        }
    }
    v
}

/// The roles whose holders may create posts for an organization
/// (`community-management/organizations/organization-access-control-by-role`).
pub const POSTING_ROLES: &[&str] = &[
    "ADMINISTRATOR",
    "CONTENT_ADMINISTRATOR",
    "DIRECT_SPONSORED_CONTENT_POSTER",
];

/// Little text's reserved characters (`…/shares/little-text-format`).
const RESERVED: &[char] = &[
    '\\', '|', '{', '}', '@', '[', ']', '(', ')', '<', '>', '#', '*', '_', '~',
];

/// What LinkedIn shows for a little text: `\x` stands for `x`, and an unescaped reserved
/// character ends the text there, the rest lost while the request still succeeds (reported by
/// the crossposter project, release v1.1.5, "silently truncated … at the first parenthesis").
pub fn render(little: &str) -> String {
    let mut out = String::new();
    let mut chars = little.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(n) => out.push(n),
                None => break,
            }
        } else if RESERVED.contains(&c) {
            break;
        } else {
            out.push(c);
        }
    }
    out
}

/// The little text that renders as `text`: how LinkedIn gives a commentary back.
pub fn escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if RESERVED.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FaultKind {
    Unavailable,
    RateLimit,
    DropAfterCommit,
    ErrorAfterCommit,
}

#[derive(Debug, Clone)]
struct Fault {
    method: String,
    route: String,
    kind: FaultKind,
    times: u32,
}

#[derive(Debug, Clone)]
struct Token {
    member: String,
    expires_at_ms: i64,
}

#[derive(Debug, Clone)]
struct Post {
    urn: String,
    author: String,
    /// What a reader sees.
    text: String,
    /// The little text as sent.
    sent: String,
    created_at_ms: i64,
    deleted: bool,
    edits: Vec<String>,
    media: Vec<Value>,
    /// "api" or "direct" (made on linkedin.com, through the control API).
    via: &'static str,
}

#[derive(Default)]
struct State {
    next: u64,
    versions: Vec<String>,
    orgs: HashMap<String, (String, String)>,
    members: HashMap<String, String>,
    /// (member, organization id) → (role, state).
    roles: Vec<(String, String, String, String)>,
    tokens: HashMap<String, Token>,
    posts: Vec<Post>,
    /// image URN → (owner, uploaded bytes).
    images: HashMap<String, (String, Option<usize>)>,
    requests: HashMap<String, HashMap<String, u64>>,
    faults: HashMap<String, Vec<Fault>>,
}

pub struct LinkedInFake {
    state: Mutex<State>,
}

impl Default for LinkedInFake {
    fn default() -> Self {
        LinkedInFake::new()
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// LinkedIn's error body: `{message, serviceErrorCode, status}` (`shared/api-guide/concepts/error-handling`),
/// with the `code` the Posts API adds.
fn error(status: u16, code: &str, message: &str) -> Response {
    Response::json(
        status,
        &json!({ "status": status, "serviceErrorCode": service_code(status), "code": code, "message": message }),
    )
}

fn service_code(status: u16) -> u32 {
    match status {
        401 => 65601,
        403 => 100,
        426 => 1001,
        _ => 0,
    }
}

fn empty(status: u16) -> Response {
    Response {
        status,
        headers: Vec::new(),
        body: Vec::new(),
    }
}

/// A numeric id as a post or image URN.
fn numbered(s: &mut State, kind: &str) -> String {
    s.next += 1;
    format!("urn:li:{kind}:{}", 7_000_000_000_000_000_000u64 + s.next)
}

impl State {
    fn may_post(&self, member: &str, org_id: &str) -> bool {
        self.roles.iter().any(|(m, o, role, state)| {
            m == member && o == org_id && state == "APPROVED" && POSTING_ROLES.contains(&role.as_str())
        })
    }

    fn count(&mut self, member: &str, key: String) {
        *self.requests.entry(member.into()).or_default().entry(key).or_default() += 1;
    }

    fn fault(&mut self, member: &str, method: &str, route: &str) -> Option<FaultKind> {
        let list = self.faults.get_mut(member)?;
        let f = list
            .iter_mut()
            .find(|f| f.method == method && f.route == route && f.times > 0)?;
        f.times -= 1;
        Some(f.kind)
    }

    fn commit(&mut self, author: &str, sent: &str, media: Vec<Value>, via: &'static str) -> String {
        let urn = numbered(self, "share");
        self.posts.push(Post {
            urn: urn.clone(),
            author: author.into(),
            text: render(sent),
            sent: sent.into(),
            created_at_ms: now_ms(),
            deleted: false,
            edits: Vec::new(),
            media,
            via,
        });
        urn
    }
}

/// The organization id of `urn:li:organization:N`, or `N` itself.
fn org_id(text: &str) -> &str {
    text.strip_prefix("urn:li:organization:").unwrap_or(text)
}

fn post_json(p: &Post) -> Value {
    let mut v = json!({
        "id": p.urn,
        "author": p.author,
        "commentary": escape(&p.text),
        "visibility": "PUBLIC",
        "distribution": { "feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": [] },
        "lifecycleState": "PUBLISHED",
        "createdAt": p.created_at_ms,
        "publishedAt": p.created_at_ms,
        "lastModifiedAt": p.created_at_ms,
    });
    match p.media.len() {
        0 => {}
        1 => v["content"] = json!({ "media": p.media[0] }),
        _ => v["content"] = json!({ "multiImage": { "images": p.media } }),
    }
    v
}

impl LinkedInFake {
    pub fn new() -> LinkedInFake {
        LinkedInFake {
            state: Mutex::new(State {
                versions: default_versions(),
                ..State::default()
            }),
        }
    }

    pub fn handle(&self, req: &Request) -> Reply {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(rest) = req.path.strip_prefix("/_fake/") {
            return Reply::Response(control(&mut s, req, rest));
        }
        api(&mut s, req)
    }
}

/// The member a request's bearer token belongs to: an unknown or expired token is 401
/// (`shared/authentication/authorization-code-flow`, "Step 4"; error-handling: 401 "the
/// token … has expired or been revoked").
fn member_of(s: &State, req: &Request) -> Result<String, Response> {
    let token = req
        .header("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| error(401, "MISSING_ACCESS_TOKEN", "Empty oauth2 access token"))?;
    let t = s
        .tokens
        .get(token)
        .ok_or_else(|| error(401, "INVALID_ACCESS_TOKEN", "Invalid access token"))?;
    if t.expires_at_ms <= now_ms() {
        return Err(error(
            401,
            "EXPIRED_ACCESS_TOKEN",
            "The token used in the request has expired",
        ));
    }
    Ok(t.member.clone())
}

/// A route's name for counters and faults: the path with its ids taken out.
fn route(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["", "rest", "posts", _] => "/rest/posts/{urn}".into(),
        ["", "rest", "organizations", _] => "/rest/organizations/{id}".into(),
        ["", "rest", "organizationAuthorizations", ..] => "/rest/organizationAuthorizations".into(),
        ["", "_upload", _] => "/_upload/{id}".into(),
        _ => path.into(),
    }
}

fn api(s: &mut State, req: &Request) -> Reply {
    let member = match member_of(s, req) {
        Ok(m) => m,
        Err(r) => return Reply::Response(r),
    };
    let name = route(&req.path);
    s.count(&member, format!("{} {name}", req.method));
    match s.fault(&member, &req.method, &name) {
        Some(FaultKind::Unavailable) => {
            return Reply::Response(error(503, "SERVICE_UNAVAILABLE", "Service Unavailable"));
        }
        Some(FaultKind::RateLimit) => {
            // "daily … limits … 429" (`shared/api-guide/concepts/rate-limits`); no wait hint.
            return Reply::Response(error(429, "TOO_MANY_REQUESTS", "Resource level throttle limit reached"));
        }
        Some(kind) => return committing(s, req, &member, kind),
        None => {}
    }
    if req.path == "/v2/userinfo" {
        return Reply::Response(userinfo(s, &member));
    }
    if req.path.starts_with("/_upload/") {
        return Reply::Response(upload(s, req));
    }
    if let Some(refused) = versioned(s, req) {
        return Reply::Response(refused);
    }
    Reply::Response(rest(s, req, &member))
}

/// A fault that lets the post be made, then loses or spoils the answer.
fn committing(s: &mut State, req: &Request, member: &str, kind: FaultKind) -> Reply {
    let answer = rest(s, req, member);
    if answer.status >= 300 {
        return Reply::Response(answer);
    }
    match kind {
        FaultKind::DropAfterCommit => Reply::Drop,
        _ => Reply::Response(error(500, "INTERNAL_SERVER_ERROR", "Internal Server Error")),
    }
}

/// `Linkedin-Version` is required and must be a live version; `X-Restli-Protocol-Version:
/// 2.0.0` is required too (`marketing/versioning`: the latest version is not applied by
/// default; a sunset one is answered 426).
fn versioned(s: &State, req: &Request) -> Option<Response> {
    let Some(version) = req.header("linkedin-version") else {
        return Some(error(
            400,
            "VERSION_MISSING",
            "A version must be present. Please specify a version by adding the LinkedIn-Version header.",
        ));
    };
    if !s.versions.iter().any(|v| v == version) {
        return Some(error(
            426,
            "NONEXISTENT_VERSION",
            &format!("Requested version {version} is not active"),
        ));
    }
    if req.header("x-restli-protocol-version") != Some("2.0.0") {
        return Some(error(
            400,
            "ILLEGAL_ARGUMENT",
            "X-Restli-Protocol-Version 2.0.0 is required",
        ));
    }
    None
}

/// OpenID Connect's userinfo (`consumer/integrations/self-serve/sign-in-with-linkedin-v2`).
fn userinfo(s: &State, member: &str) -> Response {
    let name = s.members.get(member).cloned().unwrap_or_default();
    Response::json(
        200,
        &json!({ "sub": member, "name": name, "email_verified": true, "locale": "fr_FR" }),
    )
}

fn rest(s: &mut State, req: &Request, member: &str) -> Response {
    let parts: Vec<&str> = req.path.split('/').collect();
    match (req.method.as_str(), parts.as_slice()) {
        ("GET", ["", "rest", "organizations", id]) => match s.orgs.get(*id) {
            // `organization-lookup-api`: admins read the organization by id.
            Some((vanity, name)) => Response::json(
                200,
                &json!({ "id": id.parse::<u64>().unwrap_or(0), "vanityName": vanity, "localizedName": name }),
            ),
            None => error(404, "NOT_FOUND", "Organization not found"),
        },
        ("GET", ["", "rest", "organizationAuthorizations", key]) => authorization(s, member, key),
        ("POST", ["", "rest", "posts"]) => create(s, req, member),
        ("GET", ["", "rest", "posts"]) => find(s, req, member),
        ("GET", ["", "rest", "posts", urn]) => {
            let urn = percent_decode(urn);
            match s.posts.iter().find(|p| p.urn == urn && !p.deleted) {
                Some(p) => Response::json(200, &post_json(p)),
                None => error(404, "NOT_FOUND", &format!("Post {urn} not found")),
            }
        }
        ("POST", ["", "rest", "posts", urn]) => update(s, req, member, &percent_decode(urn)),
        ("DELETE", ["", "rest", "posts", urn]) => {
            // "Delete … returns 204 … a repeated delete of a deleted post too" (`posts-api`).
            let urn = percent_decode(urn);
            if let Some(p) = s.posts.iter_mut().find(|p| p.urn == urn) {
                if !s_may_post_author(&s.roles, member, &p.author) {
                    return error(403, "ACCESS_DENIED", "Not enough permissions to delete this post");
                }
                p.deleted = true;
            }
            empty(204)
        }
        ("POST", ["", "rest", "images"]) if req.query == "action=initializeUpload" => initialize(s, req, member),
        _ => error(404, "NOT_FOUND", &format!("No route {} {}", req.method, req.path)),
    }
}

fn s_may_post_author(roles: &[(String, String, String, String)], member: &str, author: &str) -> bool {
    let id = org_id(author);
    roles
        .iter()
        .any(|(m, o, role, st)| m == member && o == id && st == "APPROVED" && POSTING_ROLES.contains(&role.as_str()))
}

/// `GET /rest/organizationAuthorizations/(impersonator:…,organization:…,action:(…))`
/// (`…/organization-authorizations/organization-authorizations`): whether the member may take
/// the action on the organization now. Only ORGANIC_SHARE_CREATE is served.
fn authorization(s: &State, member: &str, key: &str) -> Response {
    let key = percent_decode(key);
    let field = |name: &str| -> Option<String> {
        let at = key.find(&format!("{name}:"))? + name.len() + 1;
        Some(key[at..].chars().take_while(|c| *c != ',' && *c != ')').collect())
    };
    let (Some(impersonator), Some(organization)) = (field("impersonator"), field("organization")) else {
        return error(
            400,
            "ILLEGAL_ARGUMENT",
            "the key needs impersonator, organization and action",
        );
    };
    if !key.contains("organizationContentAuthorizationAction:(actionType:ORGANIC_SHARE_CREATE)") {
        return error(400, "ILLEGAL_ARGUMENT", "the fake serves only ORGANIC_SHARE_CREATE");
    }
    if impersonator != format!("urn:li:person:{member}") {
        return error(
            403,
            "ACCESS_DENIED",
            "the impersonator must be the authenticated member",
        );
    }
    let status = if s.may_post(member, org_id(&organization)) {
        json!({ "com.linkedin.organization.Approved": {} })
    } else {
        json!({ "com.linkedin.organization.Denied": { "reason": "NOT_AUTHORIZED" } })
    };
    Response::json(
        200,
        &json!({
            "impersonator": impersonator,
            "organization": organization,
            "action": { "organizationContentAuthorizationAction": { "actionType": "ORGANIC_SHARE_CREATE" } },
            "status": status,
        }),
    )
}

/// The fields `POST /rest/posts` takes (`posts-api`, "Post Schema").
const POST_FIELDS: &[&str] = &[
    "author",
    "commentary",
    "visibility",
    "distribution",
    "lifecycleState",
    "isReshareDisabledByAuthor",
    "content",
    "contentLandingPage",
    "contentCallToActionLabel",
    "container",
    "reshareContext",
];

fn media_of(s: &State, author: &str, content: Option<&Value>) -> Result<Vec<Value>, Response> {
    let Some(content) = content else {
        return Ok(Vec::new());
    };
    let list: Vec<Value> = if let Some(m) = content.get("media") {
        vec![m.clone()]
    } else if let Some(images) = content.pointer("/multiImage/images").and_then(Value::as_array) {
        images.clone()
    } else {
        return Err(error(
            422,
            "UNPROCESSABLE_ENTITY",
            "content must be media or multiImage",
        ));
    };
    for m in &list {
        let id = m["id"].as_str().unwrap_or_default();
        match s.images.get(id) {
            Some((owner, Some(_))) if owner == author => {}
            Some((_, None)) => {
                return Err(error(
                    422,
                    "UNPROCESSABLE_ENTITY",
                    &format!("image {id} was never uploaded"),
                ));
            }
            _ => return Err(error(422, "UNPROCESSABLE_ENTITY", &format!("unknown image {id}"))),
        }
    }
    Ok(list)
}

fn create(s: &mut State, req: &Request, member: &str) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
        return error(400, "ILLEGAL_ARGUMENT", "the body is not JSON");
    };
    let Some(fields) = body.as_object() else {
        return error(400, "ILLEGAL_ARGUMENT", "the body is not an object");
    };
    if let Some(unknown) = fields.keys().find(|k| !POST_FIELDS.contains(&k.as_str())) {
        return error(422, "UNPROCESSABLE_ENTITY", &format!("unrecognized field {unknown}"));
    }
    for required in ["author", "commentary", "visibility", "distribution", "lifecycleState"] {
        if !fields.contains_key(required) {
            return error(
                422,
                "UNPROCESSABLE_ENTITY",
                &format!("missing required field {required}"),
            );
        }
    }
    let author = body["author"].as_str().unwrap_or_default().to_string();
    if !s_may_post_author(&s.roles, member, &author) {
        return error(
            403,
            "ACCESS_DENIED",
            "Not enough permissions to access: partnerApiPostsExternal.CREATE",
        );
    }
    let sent = body["commentary"].as_str().unwrap_or_default().to_string();
    let text = render(&sent);
    if text.chars().count() > 3000 {
        return error(422, "UNPROCESSABLE_ENTITY", "commentary is longer than 3000 characters");
    }
    let media = match media_of(s, &author, body.get("content")) {
        Ok(m) => m,
        Err(r) => return r,
    };
    // A repeat of a live post's text is refused and names it (Arisamiga/Linkedin-RSS#5).
    if let Some(earlier) = s
        .posts
        .iter()
        .find(|p| p.author == author && !p.deleted && p.text == text)
    {
        return error(
            422,
            "DUPLICATE_POST",
            &format!("Content is a duplicate of {}", earlier.urn),
        );
    }
    let urn = s.commit(&author, &sent, media, "api");
    // "201 … x-restli-id" (`posts-api`, "Create a Post").
    empty(201).with_header("x-restli-id", urn)
}

/// `GET /rest/posts?q=author&author=…` (`posts-api`, "Find Posts by Authors"), newest first.
fn find(s: &State, req: &Request, member: &str) -> Response {
    if req.query_param("q").as_deref() != Some("author") {
        return error(400, "ILLEGAL_ARGUMENT", "q=author is required");
    }
    let Some(author) = req.query_param("author") else {
        return error(400, "ILLEGAL_ARGUMENT", "author is required");
    };
    if !s_may_post_author(&s.roles, member, &author) {
        return error(
            403,
            "ACCESS_DENIED",
            "Not enough permissions to read this organization's posts",
        );
    }
    let start: usize = req.query_param("start").and_then(|v| v.parse().ok()).unwrap_or(0);
    let count: usize = req
        .query_param("count")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
        .min(100);
    let mut posts: Vec<&Post> = s.posts.iter().filter(|p| p.author == author && !p.deleted).collect();
    posts.sort_by(|a, b| b.created_at_ms.cmp(&a.created_at_ms).then(b.urn.cmp(&a.urn)));
    let page: Vec<Value> = posts.iter().skip(start).take(count).map(|p| post_json(p)).collect();
    Response::json(
        200,
        &json!({ "elements": page, "paging": { "start": start, "count": count, "total": posts.len() } }),
    )
}

/// `POST /rest/posts/{urn}` with `X-RestLi-Method: PARTIAL_UPDATE` and
/// `{"patch": {"$set": {"commentary": …}}}`: 204 (`posts-api`, "Update Posts").
fn update(s: &mut State, req: &Request, member: &str, urn: &str) -> Response {
    if req.header("x-restli-method") != Some("PARTIAL_UPDATE") {
        return error(
            400,
            "ILLEGAL_ARGUMENT",
            "an update needs X-RestLi-Method: PARTIAL_UPDATE",
        );
    }
    let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
        return error(400, "ILLEGAL_ARGUMENT", "the body is not JSON");
    };
    let Some(set) = body.pointer("/patch/$set").and_then(Value::as_object) else {
        return error(400, "ILLEGAL_ARGUMENT", "the body must be {\"patch\": {\"$set\": {…}}}");
    };
    if let Some(other) = set
        .keys()
        .find(|k| !["commentary", "contentCallToActionLabel", "lifecycleState"].contains(&k.as_str()))
    {
        return error(422, "UNPROCESSABLE_ENTITY", &format!("field {other} cannot be updated"));
    }
    let Some(p) = s.posts.iter_mut().find(|p| p.urn == urn && !p.deleted) else {
        return error(404, "NOT_FOUND", &format!("Post {urn} not found"));
    };
    if !s_may_post_author(&s.roles, member, &p.author) {
        return error(403, "ACCESS_DENIED", "Not enough permissions to update this post");
    }
    if let Some(c) = set.get("commentary").and_then(Value::as_str) {
        let previous = std::mem::replace(&mut p.text, render(c));
        p.edits.push(previous);
        p.sent = c.to_string();
    }
    empty(204)
}

/// `POST /rest/images?action=initializeUpload` (`…/shares/images-api`): an upload address and
/// the image's URN, owned by the organization named.
fn initialize(s: &mut State, req: &Request, member: &str) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
        return error(400, "ILLEGAL_ARGUMENT", "the body is not JSON");
    };
    let Some(owner) = body.pointer("/initializeUploadRequest/owner").and_then(Value::as_str) else {
        return error(422, "UNPROCESSABLE_ENTITY", "initializeUploadRequest.owner is required");
    };
    if !s_may_post_author(&s.roles, member, owner) {
        return error(403, "ACCESS_DENIED", "Not enough permissions to upload for this owner");
    }
    let urn = numbered(s, "image");
    s.images.insert(urn.clone(), (owner.to_string(), None));
    let host = req.header("host").unwrap_or("127.0.0.1");
    let n = urn.rsplit(':').next().unwrap_or_default();
    Response::json(
        200,
        &json!({ "value": {
            "uploadUrlExpiresAt": now_ms() + 3_600_000,
            "uploadUrl": format!("http://{host}/_upload/{n}"),
            "image": urn,
        }}),
    )
}

fn upload(s: &mut State, req: &Request) -> Response {
    if req.method != "PUT" {
        return error(405, "METHOD_NOT_ALLOWED", "upload with PUT");
    }
    let n = req.path.trim_start_matches("/_upload/");
    let urn = format!("urn:li:image:{n}");
    match s.images.get_mut(&urn) {
        Some(img) if !req.body.is_empty() => {
            img.1 = Some(req.body.len());
            empty(201)
        }
        Some(_) => error(400, "ILLEGAL_ARGUMENT", "empty upload"),
        None => error(404, "NOT_FOUND", "no such upload"),
    }
}

// ---- control API ------------------------------------------------------------------------

fn control(s: &mut State, req: &Request, rest: &str) -> Response {
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let text = |k: &str| body[k].as_str().map(str::to_string);
    match (req.method.as_str(), rest) {
        ("POST", "organizations") => {
            let (Some(vanity), name) = (text("vanity"), text("name")) else {
                return error(400, "BAD", "vanity is required");
            };
            s.next += 1;
            let id = (100_000 + s.next).to_string();
            s.orgs.insert(id.clone(), (vanity.clone(), name.unwrap_or(vanity)));
            Response::json(200, &json!({ "id": id, "urn": format!("urn:li:organization:{id}") }))
        }
        ("POST", "members") => {
            s.next += 1;
            let sub = format!("m{}x{}", s.next, now_ms() % 100_000);
            s.members
                .insert(sub.clone(), text("name").unwrap_or_else(|| sub.clone()));
            Response::json(200, &json!({ "sub": sub, "urn": format!("urn:li:person:{sub}") }))
        }
        ("POST", "roles") => {
            let (Some(member), Some(org), Some(role)) = (text("member"), text("organization"), text("role")) else {
                return error(400, "BAD", "member, organization and role are required");
            };
            let state = text("state").unwrap_or_else(|| "APPROVED".into());
            let id = org_id(&org).to_string();
            s.roles.retain(|(m, o, r, _)| !(m == &member && o == &id && r == &role));
            s.roles.push((member, id, role, state));
            Response::json(200, &json!({}))
        }
        ("POST", "tokens") => {
            let Some(member) = text("member").filter(|m| s.members.contains_key(m)) else {
                return error(400, "BAD", "a known member is required");
            };
            // "Access tokens … 60 days" (`shared/authentication/authorization-code-flow`).
            let expires_in = body["expires_in"].as_i64().unwrap_or(5_184_000);
            s.next += 1;
            let token = format!("AQV{}_{}", s.next, now_ms());
            s.tokens.insert(
                token.clone(),
                Token {
                    member,
                    expires_at_ms: now_ms() + expires_in * 1000,
                },
            );
            Response::json(200, &json!({ "access_token": token, "expires_in": expires_in }))
        }
        ("POST", "posts") => {
            let (Some(org), Some(t)) = (text("organization"), text("text")) else {
                return error(400, "BAD", "organization and text are required");
            };
            let author = format!("urn:li:organization:{}", org_id(&org));
            let urn = s.commit(&author, &escape(&t), Vec::new(), "direct");
            Response::json(200, &json!({ "urn": urn }))
        }
        ("GET", "posts") => {
            let Some(org) = req.query_param("organization") else {
                return error(400, "BAD", "organization is required");
            };
            let author = format!("urn:li:organization:{}", org_id(&org));
            let list: Vec<Value> = s
                .posts
                .iter()
                .filter(|p| p.author == author)
                .map(|p| {
                    json!({
                        "urn": p.urn, "text": p.text, "sent": p.sent, "deleted": p.deleted,
                        "edits": p.edits, "media": p.media, "via": p.via, "created_at": p.created_at_ms,
                    })
                })
                .collect();
            Response::json(200, &json!({ "posts": list }))
        }
        ("GET", "requests") => {
            let member = req.query_param("member").unwrap_or_default();
            let counts = s.requests.get(&member).cloned().unwrap_or_default();
            Response::json(200, &json!({ "requests": counts }))
        }
        ("POST", "faults") => {
            let (Some(member), Some(method), Some(route)) = (text("member"), text("method"), text("route")) else {
                return error(400, "BAD", "member, method and route are required");
            };
            let kind = match text("kind").as_deref() {
                Some("unavailable") => FaultKind::Unavailable,
                Some("rate_limit") => FaultKind::RateLimit,
                Some("drop_after_commit") => FaultKind::DropAfterCommit,
                Some("error_after_commit") => FaultKind::ErrorAfterCommit,
                _ => {
                    return error(
                        400,
                        "BAD",
                        "kind: unavailable, rate_limit, drop_after_commit or error_after_commit",
                    );
                }
            };
            let times = body["times"].as_u64().unwrap_or(1) as u32;
            s.faults.entry(member).or_default().push(Fault {
                method,
                route,
                kind,
                times,
            });
            Response::json(200, &json!({}))
        }
        ("POST", "versions") => {
            let Some(list) = body["accepted"].as_array() else {
                return error(400, "BAD", "accepted: [\"YYYYMM\", …]");
            };
            s.versions = list.iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
            Response::json(200, &json!({}))
        }
        _ => error(
            404,
            "NOT_FOUND",
            &format!("no control route {} /_fake/{rest}", req.method),
        ),
    }
}
