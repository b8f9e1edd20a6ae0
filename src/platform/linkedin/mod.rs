//! LinkedIn organization pages, through LinkedIn's versioned Posts API (`/rest/posts`).
//!
//! The credential is a member's OAuth access token (60 days), not the organization's: LinkedIn
//! chooses the author per request. So identity is two questions, asked before every publish
//! and at login: who the member is (`GET /v2/userinfo`), and whether that member may create
//! posts for the pinned organization right now (`/rest/organizationAuthorizations`, which
//! LinkedIn recommends over the role-based `/organizationAcls`). The handle is the
//! organization's vanity name (`GET /rest/organizations/{id}`), and the pinned id its URN.
//!
//! LinkedIn has no idempotency key, so a post whose outcome is unknown is looked for among the
//! organization's posts before it is ever sent again ([`ExactlyOnce::LookBeforeWrite`]).
//!
//! Sources, cited beside the code that relies on them, all on learn.microsoft.com under
//! `linkedin/`: `marketing/versioning`, `marketing/community-management/shares/posts-api`,
//! `…/shares/little-text-format`, `…/shares/images-api`, `…/organizations/organization-authorizations`,
//! `…/organizations/organization-lookup-api`, `consumer/integrations/self-serve/sign-in-with-linkedin-v2`,
//! `shared/authentication/authorization-code-flow` and `shared/api-guide/concepts/error-handling`.

mod api;
pub mod credential;
pub mod destination;
pub mod little;

use super::spec::{AccountKeys, Client, CorrectionStyle, ExactlyOnce, Limits, LoginFlow, Obtained, Spec, service_url};
use crate::account::{Account, Destination, PlatformName};
use crate::credentials::Credential;
use crate::diagnostic::Diagnostic;
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use anyhow::Result;
pub use destination::{Api, DEFAULT_API, DEFAULT_VERSION, LIMITS, NAME};
use serde::Deserialize;
use std::sync::Arc;
use toml::Spanned;

/// LinkedIn's place in the registry.
pub static SPEC: LinkedInSpec = LinkedInSpec;

pub struct LinkedInSpec;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Keys {
    organization: Option<Spanned<String>>,
    linkedin_version: Option<Spanned<String>>,
    api: Option<Spanned<String>>,
}

/// `urn:li:organization:` followed by LinkedIn's numeric id.
pub fn is_organization_urn(text: &str) -> bool {
    text.strip_prefix("urn:li:organization:")
        .is_some_and(|id| !id.is_empty() && id.len() <= 19 && id.bytes().all(|b| b.is_ascii_digit()))
}

/// YYYYMM, optionally with a patch suffix `.NN` (LinkedIn has shipped `202508.02`).
pub fn is_version(text: &str) -> bool {
    let (month, patch) = match text.split_once('.') {
        Some((m, p)) => (m, Some(p)),
        None => (text, None),
    };
    let month_ok = month.len() == 6
        && month.bytes().all(|b| b.is_ascii_digit())
        && matches!(month[4..].parse::<u8>(), Ok(1..=12))
        && month[..4].parse::<u16>().is_ok_and(|y| y >= 2022);
    month_ok && patch.is_none_or(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Vanity names (the `company/…` part of a page's address) hold lower-case letters, digits and
/// hyphens; postgate compares them without case.
pub fn validate_vanity(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 100 {
        return Err("a LinkedIn vanity name has 1 to 100 characters".into());
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err("a LinkedIn vanity name holds only letters, digits and `-`".into());
    }
    Ok(())
}

impl Spec for LinkedInSpec {
    fn name(&self) -> PlatformName {
        PlatformName::new(NAME)
    }

    fn title(&self) -> &'static str {
        "LinkedIn"
    }

    fn validate_handle(&self, handle: &str) -> Result<(), String> {
        let name = handle
            .strip_prefix('@')
            .ok_or("it must be `@` and the organization's vanity name, as in `@ministere-culture`")?;
        validate_vanity(name)
    }

    fn keys(&self) -> &'static [&'static str] {
        &["organization", "linkedin_version", "api"]
    }

    fn key_help(&self, key: &str) -> Option<&'static str> {
        match key {
            "organization" => Some("`organization` pins a LinkedIn organization page"),
            "linkedin_version" => Some("only LinkedIn accounts send a `Linkedin-Version` header"),
            _ => None,
        }
    }

    fn destination(&self, keys: &AccountKeys, diags: &mut Vec<Diagnostic>) -> Option<Arc<dyn Destination>> {
        let raw: Keys = keys.parse(diags)?;
        let organization = match &raw.organization {
            None => {
                keys.missing(self.name(), "organization", diags);
                None
            }
            Some(o) if !is_organization_urn(o.get_ref()) => {
                diags.push(Diagnostic::new(
                    "`organization` must be the organization's URN, as in \"urn:li:organization:123456\" (the number \
                     is in the page's admin address, linkedin.com/company/123456/admin)",
                    o.span(),
                ));
                None
            }
            Some(o) => Some(o.get_ref().clone()),
        };
        let version = match &raw.linkedin_version {
            None => Some(DEFAULT_VERSION.to_string()),
            Some(v) if !is_version(v.get_ref()) => {
                diags.push(Diagnostic::new(
                    "`linkedin_version` must be a LinkedIn API version, YYYYMM as in \"202607\" (see \
                     learn.microsoft.com/linkedin/marketing/versioning)",
                    v.span(),
                ));
                None
            }
            Some(v) => Some(v.get_ref().clone()),
        };
        let (text, span) = match &raw.api {
            Some(v) => (v.get_ref().as_str(), v.span()),
            None => (DEFAULT_API, keys.platform_span.clone()),
        };
        let api = match service_url(text) {
            Ok(url) => Some(url),
            Err(why) => {
                diags.push(Diagnostic::new(format!("invalid `api` URL: {why}"), span));
                None
            }
        };
        Some(Arc::new(Api {
            api: api?,
            organization: organization?,
            version: version?,
        }))
    }

    /// LinkedIn counts the commentary in characters; what it stores is the text as written,
    /// whatever escaping postgate adds to send it.
    fn offline(&self, _account: &Account, text: &str) -> (usize, Option<Limits>) {
        (text.chars().count(), Some(LIMITS))
    }

    /// The Images API gives a pixel limit (36,152,320 pixels), not a file size; 8 MiB keeps a
    /// photo well inside it and a run's memory small.
    fn max_image_bytes(&self) -> u64 {
        8 * 1024 * 1024
    }

    fn pin_key(&self) -> Option<&'static str> {
        Some("organization")
    }

    /// The Posts API's PARTIAL_UPDATE changes the commentary in place (`posts-api`, "Update
    /// Posts").
    fn correction(&self, _account: &Account) -> CorrectionStyle {
        CorrectionStyle::Edit
    }

    fn exactly_once(&self) -> ExactlyOnce {
        ExactlyOnce::LookBeforeWrite
    }

    /// Access tokens live 60 days and, outside LinkedIn's partner programme, cannot be renewed
    /// without the browser (`shared/authentication/programmatic-refresh-tokens`).
    fn credential_expiry(&self, credential: &Credential) -> Option<jiff::Timestamp> {
        credential::Token::parse(&credential.secret).ok()?.expires_at
    }

    fn login_flow(&self) -> Option<&dyn LoginFlow> {
        Some(&FLOW)
    }

    /// The token is a member's, acting for the organization: the banner names both.
    fn acting_as(&self, credential: &Credential) -> Option<String> {
        let member = credential::Token::parse(&credential.secret).ok()?.member?;
        Some(format!("member {} ({})", member.name, member.urn))
    }

    fn connect(&self, account: &Account) -> Result<Box<dyn Client>> {
        let api = account.destination::<Api>().ok_or_else(|| {
            Failure::new(
                ExitCode::Platform,
                format!("account `{}` is not a LinkedIn account", account.name),
            )
        })?;
        Ok(Box::new(api::LinkedIn::new(account, api)?))
    }
}

/// `login`: one access token, typed at a hidden prompt or piped in. The token endpoint's whole
/// answer (`{"access_token", "expires_in", …}`) is taken too, so that the expiry is kept.
struct Flow;

static FLOW: Flow = Flow;

impl LoginFlow for Flow {
    fn options(&self) -> &'static [&'static str] {
        &[]
    }

    fn obtain(
        &self,
        account: &Account,
        _request: &crate::platform::spec::LoginRequest,
        ask: &mut dyn FnMut(&str) -> Result<crate::redacted::Secret>,
    ) -> Result<Obtained> {
        let typed = ask("LinkedIn access token")?;
        let mut token = credential::Token::from_login(&typed, jiff::Timestamp::now())?;
        // Who the token acts as, kept with it so the banner can say so before any request;
        // `login` then checks that this member may post for the organization.
        let api = account.destination::<Api>().ok_or_else(|| {
            Failure::new(
                ExitCode::Platform,
                format!("`{}` is not a LinkedIn account", account.name),
            )
        })?;
        let (urn, name) = api::LinkedIn::new(account, api)?.member(&token.access_token)?;
        token.member = Some(credential::Member { urn, name });
        if token.expires_at.is_none() {
            eprintln!(
                "postgate: linkedin: the token's expiry is unknown; LinkedIn's tokens last 60 days: to be warned \
                 ahead of it, paste the token endpoint's answer ({{\"access_token\": …, \"expires_in\": …}}) or \
                 {{\"access_token\": …, \"expires_at\": \"2027-01-31T00:00:00Z\"}} instead"
            );
        }
        Ok(Obtained::Credential(token.to_secret()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_vanity_names() {
        let ok = |h: &str| SPEC.validate_handle(h).is_ok();
        assert!(ok("@ministere-culture"));
        assert!(ok("@a1"));
        assert!(!ok("ministere-culture"));
        assert!(!ok("@"));
        assert!(!ok("@minist\u{e8}re"));
        assert!(!ok("@ministere culture"));
    }

    #[test]
    fn organizations_and_versions_have_their_shapes() {
        assert!(is_organization_urn("urn:li:organization:123456"));
        assert!(!is_organization_urn("urn:li:person:123456"));
        assert!(!is_organization_urn("urn:li:organization:"));
        assert!(!is_organization_urn("urn:li:organization:12a"));
        assert!(is_version("202607"));
        assert!(is_version("202508.02"));
        assert!(is_version(DEFAULT_VERSION));
        assert!(!is_version("202613"));
        assert!(!is_version("2026-07"));
        assert!(!is_version("20260701"));
        assert!(!is_version("202107"));
    }
}
