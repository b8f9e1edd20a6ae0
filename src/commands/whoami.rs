//! `postgate whoami`: the live identity next to the policy's.

use crate::cli::Cli;
use crate::credentials;
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::output;
use crate::platform;
use crate::sanitize::one_line;
use anyhow::Result;

pub fn run(cli: &Cli, name: &str) -> Result<ExitCode> {
    let policy = crate::policy::load_discovered(cli.policy.as_deref())?;
    let account = policy.account(name)?;
    ask(cli, &policy, account).map_err(|e| policy.at_account(account, e))
}

fn ask(cli: &Cli, policy: &crate::policy::Policy, account: &crate::account::Account) -> Result<ExitCode> {
    let credential = credentials::load(account)?;
    let client = platform::connect(account)?;
    // Held like a publish holds it, so a lockdown clearing the keychain waits for this run and
    // a session renewed here is never written back after it.
    let _account_lock = crate::publish::lock_account(policy, account)?;
    let session = client.open(credential.as_ref())?;
    let identity = session.identity()?;
    let locked = !matches!(
        crate::lockdown::state(policy, account),
        Ok(crate::lockdown::State::Open | crate::lockdown::State::Lifted { .. })
    );
    if let (Some(session), Some(c), false) = (session.renewed(), credential.as_ref(), locked) {
        credentials::save_session(account, c, &session)?;
    }
    let mismatch = platform::identity_mismatch(account, &identity);
    if cli.json {
        output::json(&serde_json::json!({
            "account": account.name,
            "policy": { "handle": account.handle, "id": account.pinned_id() },
            "live": { "handle": identity.handle, "id": identity.id },
            "match": mismatch.is_none(),
        }));
    } else {
        output::result(&format!(
            "policy  {}  {}",
            account.handle,
            account.pinned_id().unwrap_or("(no pinned id)")
        ));
        output::result(&format!(
            "live    {}  {}",
            one_line(&identity.handle),
            one_line(identity.id.as_deref().unwrap_or("(no id)"))
        ));
    }
    match mismatch {
        None => {
            output::status(&format!(
                "`{}`: the credential belongs to the account the policy names",
                account.name
            ));
            Ok(ExitCode::Success)
        }
        Some(difference) => {
            Err(Failure::new(ExitCode::IdentityMismatch, format!("identity mismatch: {difference}")).into())
        }
    }
}
