//! What an X credential is: an OAuth 2.0 token pair (from `login`'s PKCE flow) or an OAuth 1.0a
//! user-context key set (for CI runners, whose tokens never expire).
//!
//! Both are kept as one JSON document: the keychain item's secret, or the value of
//! `POSTGATE_SECRET_<NAME>` where the policy allows the environment. The environment form
//! carries no refresh token: a runner must never have to write a rotated one back into its
//! secret store.

use super::oauth1::Keys;
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::redacted::Secret;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The scopes `login` asks for: posting and reading as the account, renewal without a browser
/// (`offline.access`), and image upload (`media.write`). X's authorization-code page lists them.
pub const SCOPES: &[&str] = &[
    "tweet.read",
    "tweet.write",
    "users.read",
    "offline.access",
    "media.write",
];

/// An X credential, parsed from its JSON document.
pub enum XCredential {
    OAuth2(Tokens),
    OAuth1(Keys),
}

/// An OAuth 2.0 user token pair as `login` stores it.
pub struct Tokens {
    pub access_token: Secret,
    /// Absent in the environment form, and when X gave none (no `offline.access`).
    pub refresh_token: Option<Secret>,
    /// When the access token stops working, if known.
    pub expires_at: Option<jiff::Timestamp>,
    /// The scopes X granted, space-separated as its token endpoint says them.
    pub scope: Option<String>,
}

impl std::fmt::Debug for XCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            XCredential::OAuth2(t) => f
                .debug_struct("OAuth2")
                .field("expires_at", &t.expires_at)
                .field("refreshable", &t.refresh_token.is_some())
                .finish_non_exhaustive(),
            XCredential::OAuth1(_) => f.write_str("OAuth1(..)"),
        }
    }
}

/// The document's fields; which are present says which kind it is.
#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Document {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    access_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<jiff::Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    consumer_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    consumer_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token_secret: Option<String>,
}

impl Drop for Document {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        for s in [
            &mut self.access_token,
            &mut self.refresh_token,
            &mut self.consumer_secret,
            &mut self.token_secret,
        ]
        .into_iter()
        .flatten()
        {
            s.zeroize();
        }
    }
}

fn unreadable(why: &str) -> Failure {
    Failure::new(ExitCode::Credential, format!("the X credential is not usable: {why}")).hint(
        "store it again with `postgate login NAME` (OAuth 2.0) or `postgate login NAME --oauth1`; in the \
         environment it is a JSON object: {\"access_token\": \"…\"} or {\"consumer_key\": \"…\", \
         \"consumer_secret\": \"…\", \"token\": \"…\", \"token_secret\": \"…\"}",
    )
}

impl XCredential {
    /// Reads a credential document. Neither the secret nor serde's message (which can quote the
    /// input) ever reaches the error.
    pub fn parse(secret: &Secret) -> Result<XCredential, Failure> {
        let text = secret.expose().trim();
        if !text.starts_with('{') {
            return Err(unreadable("it is not a JSON object"));
        }
        let mut doc: Document = serde_json::from_str(text).map_err(|e| {
            let why = match e.classify() {
                serde_json::error::Category::Data => "it has a field postgate does not know, or one of the wrong type",
                _ => "it is not valid JSON",
            };
            unreadable(why)
        })?;
        let nonempty = |v: Option<String>| v.filter(|s| !s.is_empty());
        let oauth1 = [&doc.consumer_key, &doc.consumer_secret, &doc.token, &doc.token_secret]
            .iter()
            .any(|v| v.is_some());
        match (doc.access_token.take(), oauth1) {
            (Some(_), true) => Err(unreadable("it mixes OAuth 2.0 and OAuth 1.0a fields")),
            (Some(access), false) if !access.is_empty() => Ok(XCredential::OAuth2(Tokens {
                access_token: Secret::new(access),
                refresh_token: nonempty(doc.refresh_token.take()).map(Secret::new),
                expires_at: doc.expires_at,
                scope: doc.scope.take(),
            })),
            (None, true) => {
                let (Some(ck), Some(cs), Some(t), Some(ts)) = (
                    nonempty(doc.consumer_key.take()),
                    nonempty(doc.consumer_secret.take()),
                    nonempty(doc.token.take()),
                    nonempty(doc.token_secret.take()),
                ) else {
                    return Err(unreadable(
                        "an OAuth 1.0a credential needs consumer_key, consumer_secret, token and token_secret",
                    ));
                };
                Ok(XCredential::OAuth1(Keys {
                    consumer_key: ck,
                    consumer_secret: Secret::new(cs),
                    token: t,
                    token_secret: Secret::new(ts),
                }))
            }
            _ => Err(unreadable("it has no access_token and no OAuth 1.0a keys")),
        }
    }

    /// The document to keep in the keychain.
    pub fn to_secret(&self) -> Secret {
        let doc = match self {
            XCredential::OAuth2(t) => {
                let mut d = Document::default();
                d.access_token = Some(t.access_token.expose().to_string());
                d.refresh_token = t.refresh_token.as_ref().map(|s| s.expose().to_string());
                d.expires_at = t.expires_at;
                d.scope = t.scope.clone();
                d
            }
            XCredential::OAuth1(k) => {
                let mut d = Document::default();
                d.consumer_key = Some(k.consumer_key.clone());
                d.consumer_secret = Some(k.consumer_secret.expose().to_string());
                d.token = Some(k.token.clone());
                d.token_secret = Some(k.token_secret.expose().to_string());
                d
            }
        };
        let text = Zeroizing::new(serde_json::to_string(&doc).unwrap_or_default());
        Secret::new(text.to_string())
    }

    /// What kind of credential this is, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            XCredential::OAuth2(_) => "OAuth 2.0",
            XCredential::OAuth1(_) => "OAuth 1.0a",
        }
    }
}

impl Tokens {
    /// Whether the access token is expired or expires within `margin`: a request sent with it
    /// now could arrive after its end.
    pub fn stale(&self, now: jiff::Timestamp, margin: jiff::SignedDuration) -> bool {
        self.expires_at
            .is_some_and(|end| now.checked_add(margin).is_ok_and(|soon| soon >= end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<XCredential, Failure> {
        XCredential::parse(&Secret::new(text.to_string()))
    }

    #[test]
    fn the_environment_forms_are_read() {
        let XCredential::OAuth2(t) = parse(r#"{"access_token": "at-1"}"#).unwrap() else {
            panic!("not OAuth 2.0")
        };
        assert_eq!(t.access_token.expose(), "at-1");
        assert!(t.refresh_token.is_none() && t.expires_at.is_none());
        let one = parse(r#"{"consumer_key":"ck","consumer_secret":"cs","token":"t","token_secret":"ts"}"#).unwrap();
        let XCredential::OAuth1(k) = one else {
            panic!("not OAuth 1.0a")
        };
        assert_eq!((k.consumer_key.as_str(), k.token_secret.expose()), ("ck", "ts"));
    }

    #[test]
    fn a_stored_pair_survives_the_round_trip() {
        let stored =
            r#"{"access_token":"a","refresh_token":"r","expires_at":"2026-12-02T10:00:00Z","scope":"tweet.read"}"#;
        let c = parse(stored).unwrap();
        let again = parse(c.to_secret().expose()).unwrap();
        let XCredential::OAuth2(t) = again else {
            panic!("not OAuth 2.0")
        };
        assert_eq!(t.refresh_token.as_ref().map(|s| s.expose()), Some("r"));
        assert_eq!(t.expires_at, Some("2026-12-02T10:00:00Z".parse().unwrap()));
    }

    #[test]
    fn broken_documents_are_refused_without_quoting_them() {
        for bad in [
            "plain-token-sk-123",
            r#"{"access_token": ""}"#,
            r#"{"consumer_key":"ck","token":"t"}"#,
            r#"{"access_token":"a","token":"t"}"#,
            r#"{"access_token":"a","password":"sk-123"}"#,
            r#"{"access_token": "sk-123""#,
        ] {
            let e = parse(bad).map(|_| ()).unwrap_err();
            let shown = format!("{e:#} {:?}", e);
            assert!(!shown.contains("sk-123"), "{shown}");
            assert_eq!(e.code, ExitCode::Credential);
        }
    }

    #[test]
    fn staleness_has_a_margin() {
        let t = Tokens {
            access_token: Secret::new("a".into()),
            refresh_token: None,
            expires_at: Some("2026-12-02T10:00:00Z".parse().unwrap()),
            scope: None,
        };
        let m = jiff::SignedDuration::from_secs(60);
        assert!(!t.stale("2026-12-02T09:58:00Z".parse().unwrap(), m));
        assert!(t.stale("2026-12-02T09:59:30Z".parse().unwrap(), m));
        assert!(t.stale("2026-12-02T11:00:00Z".parse().unwrap(), m));
    }
}
