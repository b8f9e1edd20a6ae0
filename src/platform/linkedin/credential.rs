//! What a LinkedIn credential is: a member's OAuth 2.0 access token, with its expiry when known.
//!
//! Kept as a JSON document `{"access_token", "expires_at"}` (the keychain item's secret, or
//! `POSTGATE_SECRET_<NAME>` where the policy allows the environment); a bare token is taken too,
//! its expiry then unknown. Tokens last 60 days (`shared/authentication/authorization-code-flow`,
//! "expires_in … 5184000 seconds").

use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::redacted::Secret;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub struct Token {
    pub access_token: Secret,
    pub expires_at: Option<jiff::Timestamp>,
    /// The member the token acted as when `login` stored it: the banner names them before
    /// anything is asked of LinkedIn, and every run checks that the token still acts as them.
    pub member: Option<Member>,
}

/// A LinkedIn member: `urn:li:person:…` and the name `userinfo` gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub urn: String,
    pub name: String,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// The stored document.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    access_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<jiff::Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    member_urn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    member_name: Option<String>,
}

/// The token endpoint's answer, as a person may paste it at `login`: only the two fields
/// postgate keeps are read, the rest (scope, refresh token for partners) is ignored.
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: Option<i64>,
    expires_at: Option<jiff::Timestamp>,
}

impl Drop for Document {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.access_token.zeroize();
    }
}

impl Drop for TokenAnswer {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.access_token.zeroize();
    }
}

fn unreadable(why: &str) -> Failure {
    Failure::new(
        ExitCode::Credential,
        format!("the LinkedIn credential is not usable: {why}"),
    )
    .hint(
        "store it again with `postgate login NAME`: the access token, or {\"access_token\": \"…\", \"expires_at\": \
         \"2027-01-31T00:00:00Z\"}",
    )
}

fn bare(text: &str) -> Result<Token, Failure> {
    if text.is_empty() || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(unreadable("an access token is one word, without spaces"));
    }
    Ok(Token {
        access_token: Secret::new(text.to_string()),
        expires_at: None,
        member: None,
    })
}

fn json_error(e: &serde_json::Error) -> Failure {
    unreadable(match e.classify() {
        serde_json::error::Category::Data => "it has a field postgate does not know, or one of the wrong type",
        _ => "it is not valid JSON",
    })
}

impl Token {
    /// Reads a stored credential. Neither the secret nor serde's message (which can quote the
    /// input) ever reaches the error.
    pub fn parse(secret: &Secret) -> Result<Token, Failure> {
        let text = secret.expose().trim();
        if !text.starts_with('{') {
            return bare(text);
        }
        let doc: Document = serde_json::from_str(text).map_err(|e| json_error(&e))?;
        if doc.access_token.is_empty() {
            return Err(unreadable("its access_token is empty"));
        }
        let member = match (&doc.member_urn, &doc.member_name) {
            (Some(urn), Some(name)) => Some(Member {
                urn: urn.clone(),
                name: name.clone(),
            }),
            _ => None,
        };
        Ok(Token {
            access_token: Secret::new(doc.access_token.clone()),
            expires_at: doc.expires_at,
            member,
        })
    }

    /// What was typed or piped in at `login`: a bare token, a stored document, or the token
    /// endpoint's answer, whose `expires_in` counts from `now`.
    pub fn from_login(secret: &Secret, now: jiff::Timestamp) -> Result<Token, Failure> {
        let text = secret.expose().trim();
        if !text.starts_with('{') {
            return bare(text);
        }
        let answer: TokenAnswer = serde_json::from_str(text).map_err(|e| json_error(&e))?;
        if answer.access_token.is_empty() {
            return Err(unreadable("its access_token is empty"));
        }
        let expires_at = match (answer.expires_at, answer.expires_in) {
            (Some(at), _) => Some(at),
            (None, Some(secs)) if secs > 0 => now.checked_add(jiff::SignedDuration::from_secs(secs)).ok(),
            (None, Some(_)) => return Err(unreadable("its expires_in is not a positive number of seconds")),
            (None, None) => None,
        };
        Ok(Token {
            access_token: Secret::new(answer.access_token.clone()),
            expires_at,
            member: None,
        })
    }

    /// The document to keep in the keychain.
    pub fn to_secret(&self) -> Secret {
        let doc = Document {
            access_token: self.access_token.expose().to_string(),
            expires_at: self.expires_at,
            member_urn: self.member.as_ref().map(|m| m.urn.clone()),
            member_name: self.member.as_ref().map(|m| m.name.clone()),
        };
        let text = Zeroizing::new(serde_json::to_string(&doc).unwrap_or_default());
        Secret::new(text.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Secret {
        Secret::new(text.to_string())
    }

    #[test]
    fn bare_tokens_and_documents_are_read() {
        let t = Token::parse(&s("AQV-tok_123")).unwrap();
        assert_eq!((t.access_token.expose(), t.expires_at), ("AQV-tok_123", None));
        let t = Token::parse(&s(r#"{"access_token":"a","expires_at":"2027-01-31T00:00:00Z"}"#)).unwrap();
        assert_eq!(t.expires_at, Some("2027-01-31T00:00:00Z".parse().unwrap()));
        let again = Token::parse(&t.to_secret()).unwrap();
        assert_eq!((again.access_token.expose(), again.expires_at), ("a", t.expires_at));
        let with = Token {
            member: Some(Member {
                urn: "urn:li:person:abc".into(),
                name: "Camille Durand".into(),
            }),
            ..again
        };
        let kept = Token::parse(&with.to_secret()).unwrap();
        assert_eq!(kept.member, with.member);
    }

    #[test]
    fn the_token_endpoints_answer_gives_the_expiry() {
        let now: jiff::Timestamp = "2026-12-02T00:00:00Z".parse().unwrap();
        let t = Token::from_login(
            &s(r#"{"access_token":"a","expires_in":5184000,"scope":"w_organization_social"}"#),
            now,
        )
        .unwrap();
        assert_eq!(t.expires_at, Some("2027-01-31T00:00:00Z".parse().unwrap()));
        assert!(Token::from_login(&s(r#"{"access_token":"a","expires_in":-1}"#), now).is_err());
    }

    #[test]
    fn broken_credentials_are_refused_without_quoting_them() {
        for bad in [
            "two words-sk-123",
            r#"{"access_token": ""}"#,
            r#"{"access_token":"a","password":"sk-123"}"#,
            r#"{"access_token": "sk-123""#,
        ] {
            let e = Token::parse(&s(bad)).map(|_| ()).unwrap_err();
            let shown = format!("{e:#} {e:?}");
            assert!(!shown.contains("sk-123"), "{shown}");
            assert_eq!(e.code, ExitCode::Credential);
        }
    }
}
