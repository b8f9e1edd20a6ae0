//! `postgate login` and `logout`: put a secret in the keychain, or take it out.

use crate::account::Account;
use crate::account::CredentialPolicy;
use crate::audit::{AuditLog, Outcome, Record};
use crate::cli::{Cli, LoginArgs};
use crate::confirm;
use crate::credentials;
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::output;
use crate::policy::Policy;
use crate::redacted::Secret;
use anyhow::Result;
use std::io::Read;
use zeroize::Zeroizing;

fn record(policy: &Policy, account: &Account, action: &str, change: &str) -> Result<()> {
    let r = Record::about(
        policy,
        account,
        "credential",
        action,
        Outcome::Credential {
            change: change.to_string(),
        },
    );
    AuditLog::new(&policy.audit_path).append(r).map(|_| ())
}

#[cfg(unix)]
fn read_hidden(prompt: &str) -> Result<Secret> {
    match confirm::hidden_line(prompt) {
        Ok(confirm::Hidden::Line(secret)) => Ok(secret),
        Ok(confirm::Hidden::Cancelled(why)) => {
            Err(Failure::new(ExitCode::Credential, format!("no secret was stored: {why}")).into())
        }
        Err(e) => Err(Failure::new(ExitCode::Credential, format!("cannot read the secret: {e}")).into()),
    }
}

#[cfg(not(unix))]
fn read_hidden(prompt: &str) -> Result<Secret> {
    let value = dialoguer::Password::new()
        .with_prompt(prompt)
        .interact()
        .map_err(|e| Failure::new(ExitCode::Credential, format!("cannot read the secret: {e}")))?;
    Ok(Secret::new(value))
}

fn read_secret(args: &LoginArgs, account: &Account) -> Result<Secret> {
    let secret = if args.secret_stdin {
        let mut buf = Zeroizing::new(Vec::new());
        // One byte past the cap tells a secret of exactly the cap from a stream that never ends.
        let cap = crate::paths::MAX_SMALL_BYTES;
        std::io::stdin()
            .take(cap + 1)
            .read_to_end(&mut buf)
            .map_err(|e| Failure::new(ExitCode::Credential, format!("cannot read the secret from stdin: {e}")))?;
        if buf.len() as u64 > cap {
            return Err(Failure::new(
                ExitCode::Credential,
                format!("the secret on stdin is longer than {} KiB; nothing was stored", cap / 1024),
            )
            .hint("pipe only the token or app password, for example `printf '%s' \"$TOKEN\" | postgate login NAME --secret-stdin`")
            .into());
        }
        let text = std::str::from_utf8(&buf)
            .map_err(|_| Failure::new(ExitCode::Credential, "the secret on stdin is not UTF-8"))?;
        Secret::new(text.trim_end_matches(['\n', '\r']).to_string())
    } else if confirm::has_terminal() {
        let prompt = format!("Secret for {} ({} on {})", account.name, account.handle, account.host());
        read_hidden(&prompt)?
    } else {
        return Err(Failure::new(ExitCode::Credential, "no terminal for the hidden prompt")
            .hint(format!(
                "pipe the secret in: `... | postgate login {} --secret-stdin` (never pass it as an argument)",
                account.name
            ))
            .into());
    };
    if secret.is_empty() || secret.expose().contains(['\n', '\r']) {
        return Err(Failure::new(ExitCode::Credential, "the secret must be one non-empty line").into());
    }
    Ok(secret)
}

pub fn login(cli: &Cli, args: &LoginArgs) -> Result<ExitCode> {
    let policy = crate::policy::load_discovered(cli.policy.as_deref())?;
    let account = policy.account(&args.name)?;
    if account.credentials == CredentialPolicy::None {
        return Err(Failure::new(
            ExitCode::Usage,
            format!(
                "account `{}` needs no credential (credentials = \"none\")",
                account.name
            ),
        )
        .hint("set credentials = \"keychain\" on the account to require one")
        .into());
    }
    let secret = read_secret(args, account)?;
    let spec = crate::platform::of(account);
    if let Some(warning) = spec.secret_warning(secret.expose()) {
        eprintln!("warning: {warning}");
    }
    // Ask the platform whose credential this is before keeping it: a token for the wrong
    // account must never be stored under this one's name.
    let candidate = credentials::Credential {
        secret,
        source: credentials::Source::Keychain,
        created_at: None,
        session: None,
    };
    let client = spec.connect(account)?;
    let session = client.open(Some(&candidate))?;
    let identity = session.identity()?;
    if let Some(difference) = crate::platform::identity_mismatch(account, &identity) {
        return Err(
            Failure::new(ExitCode::IdentityMismatch, format!("identity mismatch: {difference}"))
                .hint("nothing was stored; log in with the credential of the account the policy names")
                .into(),
        );
    }
    let created_at = credentials::store(account, &candidate.secret)?;
    if let Some(renewed) = session.renewed() {
        drop(session);
        let stored = credentials::Credential {
            created_at: Some(created_at),
            ..candidate
        };
        credentials::save_session(account, &stored, &renewed)?;
    }
    record(&policy, account, "login", "stored")?;
    if cli.json {
        output::json(&serde_json::json!({
            "account": account.name,
            "handle": account.handle,
            "host": account.host(),
            "stored": true,
            "created_at": created_at.to_string(),
            "identity": { "handle": identity.handle, "id": identity.id },
        }));
    }
    output::status(&format!(
        "stored the credential of `{}` ({} on {}) in the keychain",
        account.name,
        account.handle,
        account.host()
    ));
    if let (Some(id), None, Some(key)) = (&identity.id, account.pinned_id(), spec.pin_key()) {
        output::status(&format!(
            "the platform identifies it as {0}; pin it in the policy with {key} = \"{0}\"",
            crate::sanitize::one_line(id)
        ));
    }
    Ok(ExitCode::Success)
}

pub fn logout(cli: &Cli, name: &str) -> Result<ExitCode> {
    let policy = crate::policy::load_discovered(cli.policy.as_deref())?;
    let account = policy.account(name)?;
    if account.credentials == CredentialPolicy::None {
        return Err(Failure::new(
            ExitCode::Usage,
            format!("account `{}` has no credential to remove", account.name),
        )
        .into());
    }
    let removed = credentials::remove(account)?;
    if removed {
        record(&policy, account, "logout", "removed")?;
    }
    if cli.json {
        output::json(&serde_json::json!({ "account": account.name, "removed": removed }));
    }
    output::status(&if removed {
        format!("removed the credential of `{}` from the keychain", account.name)
    } else {
        format!("`{}` had no credential in the keychain", account.name)
    });
    Ok(ExitCode::Success)
}
