//! What the policy says about an X account, and the shapes of X's ids: what every part of the
//! X platform shares.

use super::count;
use crate::account::Destination;
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::platform::spec::Limits;
use reqwest::Url;
use serde::Deserialize;

pub const NAME: &str = "x";

/// Where an X account's requests go, and what the policy pins about it.
#[derive(Debug, Clone)]
pub struct Api {
    /// The API base (`https://api.x.com`).
    pub api: Url,
    /// The base of the OAuth 2.0 token and revocation endpoints (`/2/oauth2/token`,
    /// `/2/oauth2/revoke`): `api` unless the policy says otherwise. They are not in X's OpenAPI
    /// document, so a proxy that checks requests against it (as the tests put in front of
    /// `api`) cannot pass them on.
    pub oauth_api: Url,
    /// Where the browser is sent to consent (`https://x.com/i/oauth2/authorize`).
    pub authorize_url: Url,
    /// X's numeric id of the account.
    pub user_id: Option<String>,
    /// The institution's X app (a Native App: a public client, so no secret).
    pub client_id: Option<String>,
    /// The port of the app's registered redirect `http://127.0.0.1:PORT/callback`.
    pub redirect_port: Option<u16>,
    pub correction: XCorrection,
    /// Whether `reconcile` reads with the app-only bearer token kept beside the credential.
    pub reconcile_with_app: bool,
}

impl Destination for Api {
    fn host(&self) -> String {
        crate::platform::spec::host_of(&self.api)
    }

    fn pinned_id(&self) -> Option<&str> {
        self.user_id.as_deref()
    }
}

/// How a correction reaches an X post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum XCorrection {
    /// A reply carrying the correction: works for every account.
    Reply,
    /// An edit (`edit_options.previous_post_id`), which X allows only with X Premium, within
    /// 30 minutes and 5 times (`fundamentals/edit-posts`); a refused edit becomes a reply.
    Edit,
}

/// X's limits (`fundamentals/counting-characters`, `x-api/posts/manage-tweets`: at most four
/// images).
pub const LIMITS: Limits = Limits {
    max_characters: count::MAX_WEIGHTED_LENGTH,
    max_images: 4,
    max_bytes: None,
};

/// X's ids are decimal numbers of up to 19 digits (the spec's `^[0-9]{1,19}$`).
pub fn is_id(text: &str) -> bool {
    !text.is_empty() && text.len() <= 19 && text.bytes().all(|b| b.is_ascii_digit())
}

/// Takes a post id, or a post URL (`https://x.com/user/status/123`), and returns the id.
pub fn post_id(reference: &str) -> Result<String, Failure> {
    let trimmed = reference.trim().trim_end_matches('/');
    let last = trimmed.split(['?', '#']).next().unwrap_or(trimmed);
    let id = last.rsplit('/').next().unwrap_or(last);
    if is_id(id) {
        Ok(id.to_string())
    } else {
        Err(Failure::new(
            ExitCode::Usage,
            format!(
                "`{}` is not an X post id or post URL",
                crate::sanitize::one_line(reference)
            ),
        )
        .hint(
            "give the number at the end of the post's URL, as in https://x.com/MinistereCC/status/1346889436626259968",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_ids_come_from_urls_too() {
        assert_eq!(post_id("1346889436626259968").unwrap(), "1346889436626259968");
        assert_eq!(
            post_id("https://x.com/MinistereCC/status/1346889436626259968?s=20").unwrap(),
            "1346889436626259968"
        );
        assert!(post_id("https://x.com/MinistereCC").is_err());
        assert!(post_id("12345678901234567890").is_err());
        assert!(post_id("").is_err());
    }
}
