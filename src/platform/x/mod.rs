//! X (formerly Twitter), through its API v2.
//!
//! Identity is `@username`, checked before every publish with `GET /2/users/me`, whose numeric
//! `id` the policy pins as `user_id`. Credentials are an OAuth 2.0 token pair from `login`'s
//! PKCE flow (renewed by rotation, under a lock: see [`crate::credentials::renew`]) or OAuth
//! 1.0a keys for CI runners. X has no idempotency key, so a post whose outcome is unknown is
//! looked for among the account's own posts before it is ever sent again
//! ([`ExactlyOnce::LookBeforeWrite`]).
//!
//! Sources, cited beside the code that relies on them: X's docs (docs.x.com: `x-api/posts`,
//! `fundamentals/authentication/oauth-2-0/authorization-code`, `fundamentals/counting-characters`,
//! `fundamentals/edit-posts`, `fundamentals/rate-limits`, `x-api/media`) and X's OpenAPI
//! document (`https://api.x.com/2/openapi.json`, v2.167), against which the tests check every
//! request and answer.

mod api;
pub mod count;
pub mod credential;
pub mod destination;
mod login;
pub mod oauth1;
pub mod pkce;

use super::spec::{AccountKeys, Client, CorrectionStyle, ExactlyOnce, Limits, Spec, service_url};
use crate::account::{Account, Correction, Destination, PlatformName};
use crate::diagnostic::Diagnostic;
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use anyhow::Result;
use destination::{Api, LIMITS, NAME, XCorrection, is_id};
use reqwest::Url;
use serde::Deserialize;
use std::sync::Arc;
use toml::Spanned;

/// X's place in the registry.
pub static SPEC: XSpec = XSpec;

pub struct XSpec;

/// The one value `reconcile_credential` takes besides the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum ReconcileCredential {
    /// The posting credential (the default).
    Posting,
    /// An app-only bearer token, stored with `postgate login NAME --app-bearer`.
    AppBearer,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Keys {
    user_id: Option<Spanned<String>>,
    client_id: Option<Spanned<String>>,
    redirect_port: Option<Spanned<u16>>,
    api: Option<Spanned<String>>,
    oauth_api: Option<Spanned<String>>,
    authorize_url: Option<Spanned<String>>,
    correction: Option<Spanned<XCorrection>>,
    reconcile_credential: Option<Spanned<ReconcileCredential>>,
}

pub const DEFAULT_API: &str = "https://api.x.com";
pub const DEFAULT_AUTHORIZE: &str = "https://x.com/i/oauth2/authorize";

/// Usernames are 1 to 15 letters, digits or underscores (X's help page "Username rules").
pub fn validate_username(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 15 {
        return Err("an X username has 1 to 15 characters".into());
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err("an X username holds only letters, digits and `_`".into());
    }
    Ok(())
}

fn url_key(key: &str, value: &Option<Spanned<String>>, default: &str, diags: &mut Vec<Diagnostic>) -> Option<Url> {
    let (text, span) = match value {
        Some(v) => (v.get_ref().as_str(), Some(v.span())),
        None => (default, None),
    };
    match service_url(text) {
        Ok(url) => Some(url),
        Err(why) => {
            diags.push(Diagnostic::new(
                format!("invalid `{key}` URL: {why}"),
                span.unwrap_or_default(),
            ));
            None
        }
    }
}

impl Spec for XSpec {
    fn name(&self) -> PlatformName {
        PlatformName::new(NAME)
    }

    fn title(&self) -> &'static str {
        "X"
    }

    fn validate_handle(&self, handle: &str) -> Result<(), String> {
        let name = handle
            .strip_prefix('@')
            .ok_or("it must start with `@`, as in `@MinistereCC`")?;
        validate_username(name)
    }

    fn keys(&self) -> &'static [&'static str] {
        &[
            "user_id",
            "client_id",
            "redirect_port",
            "api",
            "oauth_api",
            "authorize_url",
            "correction",
            "reconcile_credential",
        ]
    }

    fn key_help(&self, key: &str) -> Option<&'static str> {
        match key {
            "redirect_port" | "client_id" | "authorize_url" => Some("only X accounts log in through an X app"),
            "user_id" => Some("`user_id` pins an X account; Mastodon pins `account_id`, Bluesky `did`"),
            _ => None,
        }
    }

    fn destination(&self, keys: &AccountKeys, diags: &mut Vec<Diagnostic>) -> Option<Arc<dyn Destination>> {
        let raw: Keys = keys.parse(diags)?;
        if let Some(id) = &raw.user_id
            && !is_id(id.get_ref())
        {
            diags.push(Diagnostic::new(
                "`user_id` must be X's numeric id of the account (1 to 19 digits), as `postgate login` prints it",
                id.span(),
            ));
        }
        if let Some(id) = &raw.client_id
            && (id.get_ref().is_empty() || id.get_ref().chars().any(|c| c.is_whitespace() || c.is_control()))
        {
            diags.push(Diagnostic::new(
                "`client_id` must be the app's OAuth 2.0 client id, from the developer portal",
                id.span(),
            ));
        }
        if let Some(port) = &raw.redirect_port
            && *port.get_ref() == 0
        {
            diags.push(Diagnostic::new(
                "`redirect_port` must be the port of the redirect registered for the app, 1 to 65535",
                port.span(),
            ));
        }
        let api = url_key("api", &raw.api, DEFAULT_API, diags);
        let oauth_api = match &raw.oauth_api {
            Some(_) => url_key("oauth_api", &raw.oauth_api, DEFAULT_API, diags),
            None => api.clone(),
        };
        let authorize_url = url_key("authorize_url", &raw.authorize_url, DEFAULT_AUTHORIZE, diags);
        Some(Arc::new(Api {
            api: api?,
            oauth_api: oauth_api?,
            authorize_url: authorize_url?,
            user_id: raw.user_id.map(|v| v.into_inner()),
            client_id: raw.client_id.map(|v| v.into_inner()),
            redirect_port: raw.redirect_port.map(|v| v.into_inner()),
            correction: raw.correction.map_or(XCorrection::Reply, |v| v.into_inner()),
            reconcile_with_app: raw
                .reconcile_credential
                .is_some_and(|v| *v.get_ref() == ReconcileCredential::AppBearer),
        }))
    }

    /// X weighs characters: most Latin ones count 1, CJK and emoji 2, every link 23.
    fn length_unit(&self) -> &'static str {
        "weighted characters"
    }

    fn offline(&self, _account: &Account, text: &str) -> (usize, Option<Limits>) {
        (count::weighted_length(text), Some(LIMITS))
    }

    /// "Image 5 MB" (`x-api/media/quickstart/media-upload-chunked`, and the v2 upload page).
    fn max_image_bytes(&self) -> u64 {
        5 * 1024 * 1024
    }

    fn pin_key(&self) -> Option<&'static str> {
        Some("user_id")
    }

    fn correction(&self, account: &Account) -> CorrectionStyle {
        match account
            .destination::<Api>()
            .map_or(XCorrection::Reply, |a| a.correction)
        {
            XCorrection::Edit => CorrectionStyle::Edit,
            XCorrection::Reply => CorrectionStyle::Without(Correction::Reply),
        }
    }

    fn exactly_once(&self) -> ExactlyOnce {
        ExactlyOnce::LookBeforeWrite
    }

    /// Without a pinned id, only the username ties a token to the account, and usernames can
    /// be given up and taken by someone else; the id cannot.
    fn warnings(&self, account: &Account) -> Vec<String> {
        if account.kind == crate::account::Kind::Official && account.pinned_id().is_none() {
            vec![format!(
                "official X account `{}` pins no `user_id`: only the username ties its token to it; run `postgate \
                 login {}`, which prints the id, and set user_id = \"…\" on the account",
                account.name, account.name
            )]
        } else {
            Vec::new()
        }
    }

    fn login_flow(&self) -> Option<&dyn super::spec::LoginFlow> {
        Some(&login::FLOW)
    }

    fn connect(&self, account: &Account) -> Result<Box<dyn Client>> {
        let api = account.destination::<Api>().ok_or_else(|| {
            Failure::new(
                ExitCode::Platform,
                format!("account `{}` is not an {NAME} account", account.name),
            )
        })?;
        Ok(Box::new(api::X::new(account, api)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_follow_xs_username_rules() {
        let ok = |h: &str| SPEC.validate_handle(h).is_ok();
        assert!(ok("@MinistereCC"));
        assert!(ok("@a"));
        assert!(ok("@abcdefghijklmn_"));
        assert!(!ok("@abcdefghijklmnop"));
        assert!(!ok("MinistereCC"));
        assert!(!ok("@"));
        assert!(!ok("@minist\u{e8}re"));
        assert!(!ok("@culture@x.com"));
        assert!(!ok("@cul-ture"));
    }
}
