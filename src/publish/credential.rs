//! The pipeline's one handling of the credential: read before the banner, accepted after the
//! content refusals, a renewed session kept after the identity.
//!
//! It is read before the banner (not after the confirmation) so the banner can say where it
//! comes from, and so nobody types a handle only to learn it is missing; reading it sends
//! nothing anywhere. A missing one is refused only after the banner and the content refusals,
//! so the person sees the post and what else is wrong with it first.

use crate::account::Account;
use crate::credentials::{self, Age, Credential, Source};
use crate::platform::spec::Session;
use anyhow::Result;

/// A credential read and not yet accepted.
pub struct Read {
    loaded: Result<Option<Credential>>,
    age: Age,
}

impl Read {
    /// Reads the account's credential; `now` is the time its age is judged at.
    pub fn new(account: &Account, now: jiff::Timestamp) -> Read {
        let loaded = credentials::load(account);
        let age = match &loaded {
            Ok(Some(c)) => credentials::age(account, c, now),
            _ => Age::NotApplicable,
        };
        Read { loaded, age }
    }

    /// Where it comes from (and its age), or that it is missing, for the banner, in the
    /// language shown (the policy's own words, as `keychain-or-env`, stay as written).
    pub fn label(&self, account: &Account) -> String {
        use crate::i18n::t;
        match &self.loaded {
            Ok(None) => t!("credential-none-needed"),
            Ok(Some(c)) => {
                let source = match c.source {
                    Source::None => t!("credential-source-none"),
                    Source::Keychain => t!("credential-source-keychain"),
                    Source::Environment => t!("credential-source-environment"),
                };
                let mut label = match self.age.describe() {
                    Some(age) => format!("{source}, {age}"),
                    None => source,
                };
                if let Some(who) = crate::platform::of(account).acting_as(c) {
                    label.push_str(&t!("credential-acting-as", who = crate::sanitize::one_line(&who)));
                }
                label
            }
            Err(_) => t!("credential-missing", policy = account.credentials.as_str()),
        }
    }

    /// The credential, or why it may not be used: missing, past `max_credential_age_days`, or
    /// stored before the lockdown of a lock lifted at `lifted_at`, which may have been about it.
    pub fn accept(self, account: &Account, lifted_at: Option<jiff::Timestamp>) -> Result<Option<Credential>> {
        let credential = self.loaded?;
        if let Some(refusal) = self.age.refusal(account) {
            return Err(refusal.into());
        }
        if let Some(warning) = self.age.warning(account) {
            eprintln!("warning: {warning}");
        }
        if let Some(c) = credential.as_ref() {
            expiry(account, c, jiff::Timestamp::now())?;
        }
        if let (Some(locked_at), Some(c)) = (lifted_at, credential.as_ref()) {
            if let Some(refusal) = crate::lockdown::stale_credential(account, locked_at, c) {
                return Err(refusal.into());
            }
            if c.source == Source::Environment {
                eprintln!(
                    "warning: `{}` was locked down at {locked_at}; postgate cannot tell whether {} was replaced since",
                    account.name,
                    credentials::env_var_name(&account.name)
                );
            }
        }
        Ok(credential)
    }
}

/// How long before a credential's expiry the pipeline starts saying so.
pub const EXPIRY_WARNING: jiff::SignedDuration = jiff::SignedDuration::from_hours(7 * 24);

/// Refuses a credential past the expiry its platform fixed (exit 6), and warns within
/// [`EXPIRY_WARNING`] of it: a token that dies mid-campaign should not be news on the day.
pub fn expiry(account: &Account, credential: &Credential, now: jiff::Timestamp) -> Result<()> {
    let Some(end) = crate::platform::of(account).credential_expiry(credential) else {
        return Ok(());
    };
    let end_shown = end.round(jiff::Unit::Second).unwrap_or(end);
    if end <= now {
        return Err(crate::error::Failure::new(
            crate::exit_codes::ExitCode::Credential,
            format!("the credential of `{}` expired at {end_shown}", account.name),
        )
        .hint(format!("store a new one with `postgate login {}`", account.name))
        .into());
    }
    if end.duration_since(now) <= EXPIRY_WARNING {
        let days = end.duration_since(now).as_hours() / 24;
        eprintln!(
            "warning: the credential of `{}` expires at {end_shown} (in {days} day(s)); renew it with `postgate login {}`",
            account.name, account.name
        );
    }
    Ok(())
}

/// Keeps a session the platform renewed while it was asked who the credential belongs to:
/// the old refresh token is spent, and losing the new one would force a fresh login. Only
/// after the lockdown re-check, since writing it back would undo a lockdown's clearing.
pub fn keep_renewed(account: &Account, session: &dyn Session, credential: Option<&Credential>) {
    if let (Some(session), Some(c)) = (session.renewed(), credential)
        && let Err(e) = credentials::save_session(account, c, &session)
    {
        eprintln!("warning: could not keep the renewed session: {e:#}");
    }
}
