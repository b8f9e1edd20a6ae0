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
use crate::platform::spec::{LoginRequest, Obtained};
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
    AuditLog::of(policy).append(r).map(|_| ())
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

/// Everything on stdin, bounded: the secret (or secrets, one per line) a script pipes in.
fn read_stdin() -> Result<Zeroizing<String>> {
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
    Ok(Zeroizing::new(text.to_string()))
}

fn one_line(secret: Secret) -> Result<Secret> {
    if secret.is_empty() || secret.expose().contains(['\n', '\r']) {
        return Err(Failure::new(ExitCode::Credential, "the secret must be one non-empty line").into());
    }
    Ok(secret)
}

fn no_terminal(account: &Account) -> Failure {
    Failure::new(ExitCode::Credential, "no terminal for the hidden prompt").hint(format!(
        "pipe the secret in: `... | postgate login {} --secret-stdin` (never pass it as an argument)",
        account.name
    ))
}

fn read_secret(args: &LoginArgs, account: &Account) -> Result<Secret> {
    let secret = if args.secret_stdin {
        let text = read_stdin()?;
        Secret::new(text.trim_end_matches(['\n', '\r']).to_string())
    } else if confirm::has_terminal() {
        let prompt = format!("Secret for {} ({} on {})", account.name, account.handle, account.host());
        read_hidden(&prompt)?
    } else {
        return Err(no_terminal(account).into());
    };
    one_line(secret)
}

/// Asks for the secrets a platform's login flow needs, one at a time: at a hidden prompt each,
/// or as the successive lines of stdin under `--secret-stdin`.
struct Asker<'a> {
    args: &'a LoginArgs,
    account: &'a Account,
    lines: Option<std::vec::IntoIter<Secret>>,
}

impl Asker<'_> {
    fn ask(&mut self, what: &str) -> Result<Secret> {
        if !self.args.secret_stdin {
            if !confirm::has_terminal() {
                return Err(no_terminal(self.account).into());
            }
            return one_line(read_hidden(&format!("{what} for {}", self.account.name))?);
        }
        if self.lines.is_none() {
            let text = read_stdin()?;
            let lines: Vec<Secret> = text
                .lines()
                .map(|l| Secret::new(l.trim_end_matches('\r').to_string()))
                .collect();
            self.lines = Some(lines.into_iter());
        }
        match self.lines.as_mut().and_then(Iterator::next) {
            Some(line) => one_line(line).map_err(|_| {
                Failure::new(ExitCode::Credential, format!("stdin: the line for the {what} is empty")).into()
            }),
            None => Err(Failure::new(
                ExitCode::Credential,
                format!("stdin ended before the {what}; nothing was stored"),
            )
            .hint("give one secret per line, in the order the prompts ask for them")
            .into()),
        }
    }
}

pub fn login(cli: &Cli, args: &LoginArgs) -> Result<ExitCode> {
    let policy = crate::policy::load_discovered(cli.policy.as_deref())?;
    if args.store {
        return login_store(cli, args, &policy);
    }
    let account = policy.account(args.name())?;
    store(cli, args, &policy, account).map_err(|e| policy.at_account(account, e))
}

fn store(cli: &Cli, args: &LoginArgs, policy: &crate::policy::Policy, account: &Account) -> Result<ExitCode> {
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
    let spec = crate::platform::of(account);
    let request = LoginRequest {
        secret_stdin: args.secret_stdin,
        paste: args.paste,
        no_browser: args.no_browser,
        oauth1: args.oauth1,
        app_bearer: args.app_bearer,
    };
    let takes = spec.login_flow().map_or(&[][..], |f| f.options());
    if let Some(option) = request.options().into_iter().find(|o| !takes.contains(o)) {
        return Err(Failure::new(
            ExitCode::Usage,
            format!("{option} does not apply to {} account `{}`", spec.title(), account.name),
        )
        .into());
    }
    let secret = match spec.login_flow() {
        None => read_secret(args, account)?,
        Some(flow) => {
            let mut asker = Asker {
                args,
                account,
                lines: None,
            };
            match flow.obtain(account, &request, &mut |what| asker.ask(what))? {
                Obtained::Credential(secret) => secret,
                Obtained::Beside {
                    suffix,
                    secret,
                    checked,
                } => {
                    credentials::store_beside(account, suffix, &secret)?;
                    record(policy, account, "login", &format!("stored {suffix}"))?;
                    if cli.json {
                        output::json(&serde_json::json!({
                            "account": account.name,
                            "stored": suffix,
                            "checked": checked,
                        }));
                    }
                    output::status(&format!(
                        "stored the {suffix} of `{}` in the keychain, beside its credential: {checked}",
                        account.name
                    ));
                    return Ok(ExitCode::Success);
                }
            }
        }
    };
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
    record(policy, account, "login", "stored")?;
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

/// `login --store`: the shared store's password, into the keychain once the store accepts it.
fn login_store(cli: &Cli, args: &LoginArgs, policy: &Policy) -> Result<ExitCode> {
    let cfg = super::store::configured(policy)?;
    let secret = if args.secret_stdin {
        let text = read_stdin()?;
        Secret::new(text.trim_end_matches(['\n', '\r']).to_string())
    } else if confirm::has_terminal() {
        read_hidden(&format!("Password for {}", cfg.label()))?
    } else {
        return Err(
            Failure::new(ExitCode::Usage, "no terminal to ask for the store's password")
                .hint("pipe it with --secret-stdin")
                .into(),
        );
    };
    if secret.is_empty() {
        return Err(Failure::new(ExitCode::Usage, "the password is empty").into());
    }
    crate::store::check_password(cfg, &secret)?;
    crate::credentials::write_item(&cfg.keychain_user(), &format!("postgate: {}", cfg.label()), &secret)?;
    let mut r = Record::new(
        "credential",
        "login --store",
        Outcome::Credential {
            change: "stored".to_string(),
        },
    );
    r.policy_sha256 = Some(policy.sha256.clone());
    r.acts_on = Some(cfg.label());
    AuditLog::of(policy).append(r)?;
    if cli.json {
        crate::output::json(&serde_json::json!({ "store": cfg.label(), "stored": true }));
    } else {
        println!(
            "the store accepted the password; it is in the keychain for {}",
            cfg.label()
        );
    }
    Ok(ExitCode::Success)
}
