//! LinkedIn's client and session: every request postgate makes to LinkedIn.

use super::credential::Token;
use super::destination::{Api, LIMITS, NAME};
use super::little;
use crate::account::Account;
use crate::content::{Draft, Image};
use crate::credentials::Credential;
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::platform::http::{self, Answer, HttpError, ID_CAP, NAME_CAP, Retry, TEXT_CAP, URL_CAP, clip};
use crate::platform::settle::{self, Look, Place, Sent};
use crate::platform::spec::{
    Client as PlatformClient, Identity, Limits, Listing, PostKey, Published, RemotePost, Revocation, Session,
};
use crate::redacted::Secret;
use crate::sanitize::one_line;
use anyhow::Result;
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::{Method, StatusCode, Url};
use serde::Deserialize;
use serde_json::{Value, json};

/// Posts read per page, and pages at most: `count` may be up to 100 (`posts-api`, "Find Posts
/// by Authors").
const PAGE: usize = 100;
const MAX_PAGES: usize = 10;

/// The roles that allow posting for an organization (`…/organizations/organization-access-control-by-role`;
/// `w_organization_social` names the same three): said in refusals.
const POSTING_ROLES: &str = "ADMINISTRATOR, CONTENT_ADMINISTRATOR or DIRECT_SPONSORED_CONTENT_POSTER";

pub struct LinkedIn {
    account: Account,
    api: Api,
    client: Client,
}

#[derive(Deserialize)]
struct UserInfo {
    sub: String,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Organization {
    #[serde(default)]
    vanity_name: Option<String>,
    #[serde(default)]
    localized_name: Option<String>,
}

#[derive(Deserialize)]
struct Authorization {
    #[serde(default)]
    status: serde_json::Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Listed {
    id: String,
    #[serde(default)]
    commentary: String,
    created_at: Option<i64>,
    #[serde(default)]
    lifecycle_state: Option<String>,
}

#[derive(Deserialize)]
struct PostsPage {
    #[serde(default)]
    elements: Vec<Listed>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InitializeUpload {
    value: UploadValue,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UploadValue {
    upload_url: String,
    image: String,
}

/// What one `POST /rest/posts` came to.
enum Attempt {
    Done(Published),
    /// `422 DUPLICATE_POST`, naming the earlier post when LinkedIn does.
    Duplicate(Option<String>),
    /// Sent, with no usable answer: it may have landed.
    Unknown(String),
    Refused(Failure),
}

/// A post's address on linkedin.com.
fn post_url(urn: &str) -> String {
    format!("https://www.linkedin.com/feed/update/{urn}/")
}

/// Share and ugcPost URNs are what the Posts API returns (`posts-api`).
fn is_post_urn(text: &str) -> bool {
    let Some(rest) = text
        .strip_prefix("urn:li:share:")
        .or_else(|| text.strip_prefix("urn:li:ugcPost:"))
    else {
        return false;
    };
    !rest.is_empty() && rest.len() <= 30 && rest.bytes().all(|b| b.is_ascii_digit())
}

/// Takes a post URN or its linkedin.com address and returns the URN.
fn post_urn(reference: &str) -> Result<String, Failure> {
    let trimmed = reference.trim().trim_end_matches('/');
    let last = trimmed.rsplit('/').next().unwrap_or(trimmed);
    let decoded = last.replace("%3A", ":").replace("%3a", ":");
    if is_post_urn(&decoded) {
        Ok(decoded)
    } else {
        Err(Failure::new(
            ExitCode::Usage,
            format!("`{}` is not a LinkedIn post URN or post address", one_line(reference)),
        )
        .hint("give the post's URN, as in urn:li:share:7123456789012345678, or https://www.linkedin.com/feed/update/urn:li:share:…/"))
    }
}

/// URNs go into paths and queries with their colons encoded (`organization-authorizations`:
/// "All URNs must be URL Encoded").
fn encode(urn: &str) -> String {
    urn.replace(':', "%3A")
}

/// The earlier post a `422 DUPLICATE_POST` names: "Content is a duplicate of urn:li:share:…"
/// (reported in Arisamiga/Linkedin-RSS#5).
fn duplicate_of(message: &str) -> Option<String> {
    let at = message.find("urn:li:")?;
    let urn: String = message[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == ':')
        .collect();
    is_post_urn(&urn).then_some(urn)
}

impl LinkedIn {
    pub fn new(account: &Account, api: &Api) -> Result<LinkedIn> {
        Ok(LinkedIn {
            account: account.clone(),
            api: api.clone(),
            client: http::client()?,
        })
    }

    fn url(&self, path: &str) -> Result<Url> {
        self.api
            .api
            .join(path)
            .map_err(|e| Failure::new(ExitCode::Platform, format!("bad URL {path}: {e}")).into())
    }

    /// Every versioned request carries `Linkedin-Version` and the Rest.li protocol version
    /// (`marketing/versioning`; `posts-api`: "X-Restli-Protocol-Version: 2.0.0").
    fn request(&self, token: &Secret, method: Method, url: &Url) -> RequestBuilder {
        self.client
            .request(method, url.clone())
            .bearer_auth(token.expose())
            .header("Linkedin-Version", &self.api.version)
            .header("X-Restli-Protocol-Version", "2.0.0")
    }

    fn get<T: for<'de> Deserialize<'de>>(&self, token: &Secret, url: &Url, answer: Answer, action: &str) -> Result<T> {
        let resp =
            http::send(|| self.request(token, Method::GET, url), Retry::Safe).map_err(|e| self.failure(e, action))?;
        Ok(http::read_json(resp, answer, NAME, action)?)
    }

    /// Turns an HTTP error into a failure with LinkedIn's meaning of it. A missing, unknown or
    /// sunset version is answered 426 or 400 with a message about the version
    /// (`marketing/versioning`): a configuration problem, named by its policy key.
    fn failure(&self, e: HttpError, action: &str) -> Failure {
        if let HttpError::Status { status, message, .. } = &e {
            let about_version = message.to_lowercase().contains("version");
            if *status == StatusCode::UPGRADE_REQUIRED || (*status == StatusCode::BAD_REQUEST && about_version) {
                return Failure::new(
                    ExitCode::BadPolicy,
                    format!(
                        "linkedin: {action}: LinkedIn refused the API version {} ({} {message})",
                        self.api.version,
                        status.as_u16()
                    ),
                )
                .hint(format!(
                    "set linkedin_version on account `{}` to a version LinkedIn still serves (YYYYMM; the current \
                     ones are listed at learn.microsoft.com/linkedin/marketing/versioning); nothing was published",
                    self.account.name
                ));
            }
            if *status == StatusCode::FORBIDDEN {
                let f = e.into_failure(NAME, action);
                return f.hint(
                    "LinkedIn refused it for this member or app: the token needs w_organization_social (posting), \
                     r_organization_social (reading posts) and rw_organization_admin (checking the member's role), \
                     from the Community Management API product; log in again with a token that has them",
                );
            }
        }
        e.into_failure(NAME, action)
    }

    /// The member the token belongs to (`GET /v2/userinfo`, OpenID Connect:
    /// `consumer/integrations/self-serve/sign-in-with-linkedin-v2`), as a person URN and a name.
    pub(super) fn member(&self, token: &Secret) -> Result<(String, String)> {
        let url = self.url("/v2/userinfo")?;
        let info: UserInfo = self.get(token, &url, Answer::Identity, "checking the credential")?;
        let id = clip(&info.sub, ID_CAP);
        let name = info.name.map(|n| clip(&n, NAME_CAP)).unwrap_or_else(|| id.clone());
        Ok((format!("urn:li:person:{id}"), name))
    }

    /// The pinned organization's vanity name and name (`GET /rest/organizations/{id}`,
    /// `…/organizations/organization-lookup-api`).
    fn organization(&self, token: &Secret) -> Result<(String, String)> {
        let url = self.url(&format!("/rest/organizations/{}", self.api.organization_id()))?;
        let org: Organization = self.get(token, &url, Answer::Identity, "reading the organization")?;
        let vanity = org.vanity_name.map(|v| clip(&v, NAME_CAP)).ok_or_else(|| {
            Failure::new(
                ExitCode::Platform,
                format!("linkedin: organization {} has no vanity name", self.api.organization),
            )
        })?;
        let name = org
            .localized_name
            .map(|n| clip(&n, NAME_CAP))
            .unwrap_or_else(|| vanity.clone());
        Ok((vanity, name))
    }

    /// Whether the member may create posts for the organization now: LinkedIn recommends the
    /// permission-based `/organizationAuthorizations` to "authorize user to post as an
    /// organization" over the role-based `/organizationAcls`
    /// (`…/organization-authorizations/getting-started`). The answer's `status` is
    /// `com.linkedin.organization.Approved` or a denial.
    fn may_post(&self, token: &Secret, person: &str) -> Result<bool> {
        let key = format!(
            "/rest/organizationAuthorizations/(impersonator:{},organization:{},action:(organizationContentAuthorizationAction:(actionType:ORGANIC_SHARE_CREATE)))",
            encode(person),
            encode(&self.api.organization)
        );
        let url = self.url(&key)?;
        let answer: Authorization = self.get(token, &url, Answer::Identity, "checking the member's role")?;
        Ok(answer.status.keys().any(|k| k.ends_with(".Approved")))
    }

    /// The organization's posts since `since`, newest first, their commentary read back from
    /// little text (`posts-api`, "Find Posts by Authors": `q=author`, `sortBy=CREATED`).
    fn list(&self, token: &Secret, since: jiff::Timestamp) -> Result<Listing> {
        let mut posts = Vec::new();
        for page in 0..MAX_PAGES {
            let mut url = self.url("/rest/posts")?;
            url.query_pairs_mut()
                .append_pair("q", "author")
                .append_pair("author", &self.api.organization)
                .append_pair("sortBy", "CREATED")
                .append_pair("start", &(page * PAGE).to_string())
                .append_pair("count", &PAGE.to_string());
            let got: PostsPage = self.get(token, &url, Answer::Page, "listing the organization's posts")?;
            let full = got.elements.len() >= PAGE;
            let mut older = false;
            for p in got.elements {
                let created_at = p.created_at.and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok());
                if created_at.is_some_and(|t| t < since) {
                    older = true;
                    continue;
                }
                if p.lifecycle_state.as_deref().is_some_and(|s| s != "PUBLISHED") {
                    continue;
                }
                let id = clip(&p.id, ID_CAP);
                posts.push(RemotePost {
                    url: clip(&post_url(&id), URL_CAP),
                    id,
                    created_at,
                    text: clip(&little::unescape(&p.commentary), TEXT_CAP),
                });
            }
            if older || !full {
                return Ok(Listing::whole(posts));
            }
        }
        Ok(Listing::cut(
            posts,
            format!("the listing stops after {MAX_PAGES} pages of {PAGE} posts"),
        ))
    }

    /// One image through the Images API (`…/shares/images-api`): `initializeUpload` gives an
    /// upload address and the image's URN, then the bytes are PUT there. A repeat only leaves
    /// an unused image behind: safe to retry.
    fn upload(&self, token: &Secret, image: &Image) -> Result<String> {
        let url = self.url("/rest/images?action=initializeUpload")?;
        let body = json!({ "initializeUploadRequest": { "owner": self.api.organization } });
        let resp = http::send(|| self.request(token, Method::POST, &url).json(&body), Retry::Safe)
            .map_err(|e| self.failure(e, "uploading an image"))?;
        let init: InitializeUpload = http::read_json(resp, Answer::Media, NAME, "uploading an image")?;
        let upload = crate::platform::spec::service_url(&init.value.upload_url).map_err(|why| {
            Failure::new(
                ExitCode::Platform,
                format!("linkedin: uploading an image: LinkedIn gave an upload address postgate will not use: {why}"),
            )
        })?;
        http::send(
            || {
                self.client
                    .put(upload.clone())
                    .bearer_auth(token.expose())
                    .header(reqwest::header::CONTENT_TYPE, image.mime)
                    .body(image.bytes.clone())
            },
            Retry::Safe,
        )
        .map_err(|e| self.failure(e, "uploading an image"))?;
        let urn = clip(&init.value.image, ID_CAP);
        if !urn.starts_with("urn:li:image:") {
            return Err(Failure::new(
                ExitCode::Platform,
                format!(
                    "linkedin: uploading an image: LinkedIn answered with an image URN that is not one: {}",
                    one_line(&urn)
                ),
            )
            .into());
        }
        Ok(urn)
    }

    /// The body of `POST /rest/posts` (`posts-api`, "Create a Post"): the organization as
    /// author, the commentary as little text, public, in the main feed, published now.
    fn body(&self, token: &Secret, draft: &Draft) -> Result<Value> {
        let mut body = json!({
            "author": self.api.organization,
            "commentary": little::escape(&draft.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": false,
        });
        let media = draft
            .images
            .iter()
            .map(|image| {
                let id = self.upload(token, image)?;
                Ok(json!({ "id": id, "altText": image.alt.clone().unwrap_or_default() }))
            })
            .collect::<Result<Vec<_>>>()?;
        // One image is `content.media`; several are `content.multiImage.images`
        // (`…/shares/multiimage-post-api`).
        match media.len() {
            0 => {}
            1 => body["content"] = json!({ "media": media[0] }),
            _ => body["content"] = json!({ "multiImage": { "images": media } }),
        }
        Ok(body)
    }

    /// One `POST /rest/posts`, never repeated here: LinkedIn has no idempotency key.
    fn post_once(&self, token: &Secret, body: &Value) -> Attempt {
        let url = match self.url("/rest/posts") {
            Ok(u) => u,
            Err(e) => return Attempt::Refused(Failure::new(ExitCode::Platform, format!("{e:#}"))),
        };
        match http::send(|| self.request(token, Method::POST, &url).json(body), Retry::Never) {
            // "A successful response returns 201 … the Post ID in the x-restli-id response
            // header" (`posts-api`).
            Ok(resp) => match restli_id(&resp) {
                Some(id) if is_post_urn(&id) => Attempt::Done(Published {
                    url: post_url(&id),
                    id,
                    replayed: false,
                }),
                Some(id) => Attempt::Unknown(format!(
                    "LinkedIn answered {} with a post id that is not one: {}",
                    resp.status().as_u16(),
                    one_line(&clip(&id, 60))
                )),
                None => Attempt::Unknown(format!(
                    "LinkedIn answered {} without x-restli-id",
                    resp.status().as_u16()
                )),
            },
            Err(HttpError::Status { status, message, .. })
                if status == StatusCode::UNPROCESSABLE_ENTITY && message.to_lowercase().contains("duplicate") =>
            {
                Attempt::Duplicate(duplicate_of(&message))
            }
            Err(HttpError::Status { status, message, .. }) if status.is_server_error() => {
                Attempt::Unknown(format!("{} {message}", status.as_u16()))
            }
            Err(HttpError::NoAnswer(e)) => Attempt::Unknown(format!("no answer ({e})")),
            Err(e) => Attempt::Refused(self.failure(e, "publishing")),
        }
    }

    /// One post by URN, for a duplicate that names it.
    fn read_post(&self, token: &Secret, urn: &str) -> Result<Listed> {
        let url = self.url(&format!("/rest/posts/{}", encode(urn)))?;
        self.get(token, &url, Answer::Post, "reading the post LinkedIn calls a duplicate")
    }

    fn token(&self, credential: Option<&Credential>) -> Result<Token> {
        let credential = credential.ok_or_else(|| {
            Failure::new(
                ExitCode::Credential,
                format!(
                    "LinkedIn needs a member's access token, and account `{}` has none",
                    self.account.name
                ),
            )
            .hint(format!("store one with `postgate login {}`", self.account.name))
        })?;
        Ok(Token::parse(&credential.secret)?)
    }
}

fn restli_id(resp: &Response) -> Option<String> {
    resp.headers()
        .get("x-restli-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().replace("%3A", ":"))
}

/// Two texts are the same post if they read the same once spacing and Unicode forms are
/// evened out.
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

impl PlatformClient for LinkedIn {
    fn limits(&self) -> Result<Limits> {
        Ok(LIMITS)
    }

    fn length(&self, draft: &Draft) -> Result<usize> {
        Ok(draft.text.chars().count())
    }

    fn open<'a>(&'a self, credential: Option<&'a Credential>) -> Result<Box<dyn Session + 'a>> {
        let token = self.token(credential)?;
        Ok(Box::new(LinkedInSession {
            li: self,
            stored_member: token.member.clone(),
            token: token.access_token,
        }))
    }

    /// LinkedIn's token revocation (`POST https://www.linkedin.com/oauth/v2/revoke`, form
    /// `token`, `client_id`, `client_secret`, as third-party guides show it; no LinkedIn page
    /// read for this describes a revocation without the secret) takes the app's client secret,
    /// and postgate never holds the secret of the institution's app; so the person revokes by
    /// hand, and postgate's lockdown removes the token from this machine.
    fn revoke(&self, _credential: &Credential) -> Result<Revocation> {
        Ok(Revocation::Partial {
            done: "nothing could be revoked through LinkedIn's API: revoking a token needs the app's client secret, \
                   which postgate does not hold"
                .into(),
            by_hand: "the member whose token it was: linkedin.com → Settings & Privacy → Data privacy → Permitted \
                      services → the institution's app → Remove; and the page's super admin: the organization's page \
                      → Admin tools → Manage admins, to remove that member's role if the member is not trusted"
                .into(),
        })
    }

    fn recent_posts(&self, credential: Option<&Credential>, since: jiff::Timestamp) -> Result<Listing> {
        let token = self.token(credential).map_err(|e| {
            e.context(format!(
                "LinkedIn lists an organization's posts only to a member of it (r_organization_social), so \
                 `reconcile` of `{}` needs its token",
                self.account.name
            ))
        })?;
        self.list(&token.access_token, since)
    }
}

struct LinkedInSession<'a> {
    li: &'a LinkedIn,
    token: Secret,
    /// The member `login` saw the token act as, shown in the banner: checked again here, name
    /// included, since the banner showed the name.
    stored_member: Option<crate::platform::linkedin::credential::Member>,
}

impl LinkedInSession<'_> {
    /// Looks for `text` among the posts since `since`. A post the audit log records as another
    /// attempt's (`recorded`) is not this one, and an undated post may be older than the
    /// window: neither settles it.
    fn look(&self, text: &str, since: jiff::Timestamp, recorded: &[String]) -> Look {
        let listing = match self.li.list(&self.token, since) {
            Ok(l) => l,
            Err(e) => return Look::Inconclusive(format!("listing the organization's posts failed: {e:#}")),
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

    /// One send as the shared loop reads it. A duplicate that names this very post (the same
    /// text, and not a post the log records as another attempt's) is the post.
    fn sent(&self, text: &str, recorded: &[String], attempt: Attempt) -> Sent {
        match attempt {
            Attempt::Done(p) => Sent::Done(p),
            Attempt::Refused(f) => Sent::Refused(f.into()),
            Attempt::Unknown(why) => Sent::Unknown(why),
            Attempt::Duplicate(None) => Sent::Duplicate("LinkedIn refused it as a duplicate".into()),
            Attempt::Duplicate(Some(urn)) if recorded.contains(&urn) => Sent::Duplicate(format!(
                "LinkedIn calls it a duplicate of {}, which the audit log records as another attempt's",
                one_line(&urn)
            )),
            Attempt::Duplicate(Some(urn)) => match self.li.read_post(&self.token, &urn) {
                Ok(post) if same_text(text, &little::unescape(&post.commentary)) => {
                    eprintln!(
                        "postgate: linkedin: LinkedIn calls the post a duplicate of {}, which is this post: recorded \
                         as published, nothing sent again",
                        one_line(&urn)
                    );
                    Sent::Done(Published {
                        url: post_url(&urn),
                        id: urn,
                        replayed: true,
                    })
                }
                Ok(_) => Sent::Duplicate(format!(
                    "LinkedIn calls it a duplicate of {}, whose text differs",
                    one_line(&urn)
                )),
                // After a delete, the post a duplicate names can answer 404
                // (ComposioHQ/composio#2710): look among the posts instead.
                Err(e) => Sent::Duplicate(format!(
                    "LinkedIn calls it a duplicate of {}, which cannot be read ({e:#})",
                    one_line(&urn)
                )),
            },
        }
    }

    /// Publishes `body` exactly once: the shared look-before-write loop (`platform::settle`),
    /// with the organization's own listing.
    fn settle(&self, body: &Value, text: &str, key: &PostKey, first: Attempt) -> Result<Published> {
        let since = key.since.unwrap_or_else(jiff::Timestamp::now);
        let since = since
            .checked_sub(crate::platform::spec::SERVER_CLOCK_MARGIN)
            .unwrap_or(since);
        let place = Place {
            platform: NAME,
            refuser: "LinkedIn",
            on: "the organization's page",
            posts: "the organization's posts",
            // The vanity name is the organization's page address on linkedin.com.
            address: format!(
                "https://www.linkedin.com/company/{}/",
                self.li.account.handle.trim_start_matches('@')
            ),
            since,
        };
        settle::settle(
            &place,
            self.sent(text, &key.recorded, first),
            &mut || self.sent(text, &key.recorded, self.li.post_once(&self.token, body)),
            &mut || self.look(text, since, &key.recorded),
        )
    }
}

impl Session for LinkedInSession<'_> {
    /// Who acts (the member) and for whom (the organization): the identity is the
    /// organization, compared with the policy's handle and pinned URN; a member without a
    /// posting role is refused here, as a credential for the wrong account is.
    fn identity(&self) -> Result<Identity> {
        let (person, member) = self.li.member(&self.token)?;
        if let Some(stored) = self
            .stored_member
            .as_ref()
            .filter(|m| m.urn != person || m.name != member)
        {
            return Err(Failure::new(
                ExitCode::IdentityMismatch,
                format!(
                    "identity mismatch: the token was stored acting as member {} ({}), the banner said so, but \
                     LinkedIn now says it acts as {} ({})",
                    one_line(&stored.name),
                    one_line(&stored.urn),
                    one_line(&member),
                    one_line(&person)
                ),
            )
            .hint("nothing was published; log in again with the token of the member who should act")
            .into());
        }
        let (vanity, org_name) = self.li.organization(&self.token)?;
        if !self.li.may_post(&self.token, &person)? {
            return Err(Failure::new(
                ExitCode::IdentityMismatch,
                format!(
                    "identity mismatch: LinkedIn member {} ({}) may not post for organization {} ({}): the member \
                     holds no approved {POSTING_ROLES} role on it",
                    one_line(&member),
                    one_line(&person),
                    one_line(&org_name),
                    self.li.api.organization
                ),
            )
            .hint(
                "nothing was published or stored; a super admin of the page gives the member a posting role (Admin \
                 tools → Manage admins), or log in with the token of a member who has one",
            )
            .into());
        }
        eprintln!(
            "postgate: linkedin: acting as member {} ({}) for organization @{} ({}, {})",
            one_line(&member),
            one_line(&person),
            one_line(&vanity),
            one_line(&org_name),
            self.li.api.organization
        );
        Ok(Identity {
            handle: format!("@{vanity}"),
            id: Some(self.li.api.organization.clone()),
        })
    }

    fn publish(&self, draft: &Draft, key: &PostKey) -> Result<Published> {
        let body = self.li.body(&self.token, draft)?;
        let first = self.li.post_once(&self.token, &body);
        self.settle(&body, &draft.text, key, first)
    }

    /// `PARTIAL_UPDATE` of the commentary (`posts-api`, "Update Posts": `X-RestLi-Method:
    /// PARTIAL_UPDATE`, `{"patch": {"$set": {"commentary": …}}}`, 204). Setting a value is
    /// idempotent, so it may be repeated.
    fn edit(&self, id: &str, draft: &Draft) -> Result<Published> {
        if !draft.images.is_empty() {
            return Err(Failure::new(
                ExitCode::Usage,
                "LinkedIn changes only a post's text in an edit; its images stay as they are",
            )
            .hint("correct the text alone, or delete the post and publish it again")
            .into());
        }
        let urn = post_urn(id)?;
        let url = self.li.url(&format!("/rest/posts/{}", encode(&urn)))?;
        let body = json!({ "patch": { "$set": { "commentary": little::escape(&draft.text) } } });
        http::send(
            || {
                self.li
                    .request(&self.token, Method::POST, &url)
                    .header("X-RestLi-Method", "PARTIAL_UPDATE")
                    .json(&body)
            },
            Retry::Safe,
        )
        .map_err(|e| self.li.failure(e, "editing the post"))?;
        Ok(Published {
            url: post_url(&urn),
            id: urn,
            replayed: false,
        })
    }

    /// `DELETE /rest/posts/{urn}`: 204, and 204 again for a post already deleted (`posts-api`,
    /// "Delete Posts").
    fn delete(&self, id: &str) -> Result<()> {
        let urn = post_urn(id)?;
        let url = self.li.url(&format!("/rest/posts/{}", encode(&urn)))?;
        http::send(|| self.li.request(&self.token, Method::DELETE, &url), Retry::Safe)
            .map_err(|e| self.li.failure(e, "deleting"))?;
        Ok(())
    }

    fn recent_posts(&self, since: jiff::Timestamp) -> Result<Listing> {
        self.li.list(&self.token, since)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duplicate_names_the_earlier_post() {
        assert_eq!(
            duplicate_of("Content is a duplicate of urn:li:share:7123456789012345678").as_deref(),
            Some("urn:li:share:7123456789012345678")
        );
        assert_eq!(duplicate_of("Content is a duplicate"), None);
        assert_eq!(duplicate_of("duplicate of urn:li:person:abc"), None);
    }

    #[test]
    fn post_references_are_urns_or_their_addresses() {
        assert_eq!(post_urn("urn:li:share:123").unwrap(), "urn:li:share:123");
        assert_eq!(
            post_urn("https://www.linkedin.com/feed/update/urn:li:ugcPost:456/").unwrap(),
            "urn:li:ugcPost:456"
        );
        assert_eq!(post_urn("urn%3Ali%3Ashare%3A789").unwrap(), "urn:li:share:789");
        assert!(post_urn("urn:li:organization:1").is_err());
        assert!(post_urn("").is_err());
    }
}
