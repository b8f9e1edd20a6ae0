//! `postgate lockdown` and `unlock`: contain a hijacked account in one command, and lift the
//! lock only on an approver's signature.
//!
//! Lockdown writes the lock first, before any network call: the lock is what stops postgate's
//! own publishers, and it must hold even if the platform is down. Revocations then run in
//! parallel, one thread per account, so `--all` takes as long as the slowest server.

use crate::account::Account;
use crate::approval::{keys, signature};
use crate::audit::{AuditLog, Outcome, Record};
use crate::cli::{Cli, LockdownArgs, UnlockArgs};
use crate::credentials::{self, Credential, Source};
use crate::error::{Failure, exit_code_of};
use crate::exit_codes::ExitCode;
use crate::lockdown::{Lifted, Lock, State};
use crate::output;
use crate::platform::{self, spec::Revocation};
use crate::policy::Policy;
use crate::sanitize::one_line;
use anyhow::Result;
use serde_json::json;
use std::path::PathBuf;

/// What happened to one account.
struct Contained<'a> {
    account: &'a Account,
    lock: Lock,
    locked_in: Result<crate::lockdown::Written>,
    revocation: Result<Revocation>,
    keychain: String,
}

impl Contained<'_> {
    fn revocation_text(&self) -> String {
        match &self.revocation {
            Ok(Revocation::Revoked(done)) => done.clone(),
            Ok(Revocation::Partial { done, .. }) => format!("{done}; REVOKE BY HAND (see below)"),
            Ok(Revocation::NotApplicable) => "nothing to revoke".into(),
            Err(e) => format!("NOT REVOKED: {}", crate::error::message_of(e)),
        }
    }

    /// The lock's state, for the screen and the audit record.
    fn lock_text(&self) -> String {
        match &self.locked_in {
            Err(e) => format!("NOT LOCKED ({e:#})"),
            Ok(w) if w.everywhere() => "LOCKED".to_string(),
            Ok(w) if w.anywhere() => format!("LOCKED ON THIS MACHINE ONLY ({})", w.failures.join("; ")),
            Ok(w) => format!("NOT LOCKED ({})", w.failures.join("; ")),
        }
    }

    fn json(&self) -> serde_json::Value {
        let (status, detail, by_hand) = match &self.revocation {
            Ok(Revocation::Revoked(done)) => ("revoked", done.clone(), None),
            Ok(Revocation::Partial { done, by_hand }) => ("partial", done.clone(), Some(by_hand.clone())),
            Ok(Revocation::NotApplicable) => ("not-applicable", String::new(), None),
            Err(e) => (
                "failed",
                crate::error::message_of(e),
                crate::error::hint_of(e).map(str::to_string),
            ),
        };
        json!({
            "name": self.account.name,
            "handle": self.account.handle,
            "locked": self.locked_in.as_ref().is_ok_and(|w| w.anywhere()),
            "locked_everywhere": self.locked_in.as_ref().is_ok_and(|w| w.everywhere()),
            "locked_in": self.locked_in.as_ref().map(|w| w.paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>()).unwrap_or_default(),
            "lock_error": match &self.locked_in {
                Err(e) => Some(format!("{e:#}")),
                Ok(w) if !w.failures.is_empty() => Some(w.failures.join("; ")),
                Ok(_) => None,
            },
            "lock_id": self.lock.id(),
            "revocation": { "status": status, "detail": detail, "by_hand": by_hand },
            "keychain": self.keychain,
        })
    }
}

pub fn lockdown(cli: &Cli, args: &LockdownArgs) -> Result<ExitCode> {
    let policy = crate::policy::load_discovered(cli.policy.as_deref())?;
    let reason = args.reason.trim();
    if reason.is_empty() {
        return Err(Failure::new(
            ExitCode::Usage,
            "--reason is empty; say why, for whoever meets the lock",
        )
        .into());
    }
    let mut unknown: Option<anyhow::Error> = None;
    let accounts: Vec<&Account> = if args.all {
        policy.accounts.iter().collect()
    } else {
        let mut named: Vec<&Account> = Vec::new();
        for name in args.names() {
            let account = match policy.account(name) {
                Ok(a) => a,
                // A typo must not leave the accounts named correctly open: they are locked
                // first, and the command fails after.
                Err(e) => {
                    unknown.get_or_insert(e);
                    continue;
                }
            };
            // Named twice (`NAME` and `-a NAME`): one lock, one revocation, one record; a
            // second would overwrite the lock file under another id and revoke a dead token.
            if !named.iter().any(|a| a.name == account.name) {
                named.push(account);
            }
        }
        named
    };
    if accounts.is_empty()
        && let Some(e) = unknown.take()
    {
        return Err(e);
    }

    // 1. The locks, before anything else can fail.
    let mut done: Vec<Contained> = accounts
        .iter()
        .map(|&account| {
            let lock = Lock::new(account, reason);
            let locked_in = crate::lockdown::write_each(&policy, account, &lock);
            Contained {
                account,
                lock,
                locked_in,
                revocation: Ok(Revocation::NotApplicable),
                keychain: String::new(),
            }
        })
        .collect();

    // 1b. Each account's publish lock, held to the end: a publish under way finishes first (it
    // saw no lock), every later one meets the lock, and none can write a session back into
    // the keychain after it was cleared below. Taken in one order, so two lockdowns never
    // wait on each other.
    let mut order: Vec<&Account> = accounts.clone();
    order.sort_by_key(|a| credentials::keychain_user(a));
    order.dedup_by_key(|a| credentials::keychain_user(a));
    let _publish_locks: Vec<std::fs::File> = order
        .iter()
        .filter_map(|&a| match crate::publish::lock_account(&policy, a) {
            Ok(lock) => Some(lock),
            // The lock files already stop new publishes; revoking must not wait on this.
            Err(e) => {
                output::status(&format!("warning: `{}`: {e:#}", one_line(&a.name)));
                None
            }
        })
        .collect();
    // 1c. And each credential's renewal lock, taken after the publish lock as a publish takes
    // them: a `whoami` or `reconcile` renewing an OAuth pair right now finishes first, so the
    // pair read below is the one in use, and none is written back after the keychain is cleared.
    let _renewal_locks: Vec<std::fs::File> = order
        .iter()
        .filter(|a| a.credentials != crate::account::CredentialPolicy::None)
        .filter_map(|&a| match credentials::hold_renewals(a) {
            Ok(lock) => Some(lock),
            Err(e) => {
                output::status(&format!("warning: `{}`: {e:#}", one_line(&a.name)));
                None
            }
        })
        .collect();

    // 2. The credentials, read once, one after the other: the keychain is one D-Bus service.
    let credentials: Vec<Option<Credential>> = accounts.iter().map(|&a| credentials::load(a).ok().flatten()).collect();

    // 3. Revocation at each platform, in parallel.
    let policy_ref = &policy;
    let revocations: Vec<Result<Revocation>> = std::thread::scope(|scope| {
        let handles: Vec<_> = accounts
            .iter()
            .zip(&credentials)
            .map(|(&account, credential)| {
                scope.spawn(move || revoke(account, credential.as_ref()).map_err(|e| policy_ref.at_account(account, e)))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(Failure::new(ExitCode::GeneralError, "the revocation thread panicked").into())
                })
            })
            .collect()
    });

    // 4. The keychain, and one audit record per account.
    let log = AuditLog::of(&policy);
    let mut audit_error = None;
    for ((c, revocation), credential) in done.iter_mut().zip(revocations).zip(&credentials) {
        c.revocation = revocation;
        c.keychain = clear_keychain(c.account, credential.as_ref(), &c.revocation);
        let mut record = Record::about(
            &policy,
            c.account,
            "lockdown",
            "lockdown",
            Outcome::Lockdown {
                reason: reason.to_string(),
                revocation: c.revocation_text(),
                keychain: c.keychain.clone(),
                lock: c.lock_text(),
            },
        );
        record.reason = Some(reason.to_string());
        if let Err(e) = log.append(record) {
            audit_error.get_or_insert(e);
        }
    }

    report(cli, &done, audit_error.as_ref());
    let code = exit_code(&done, audit_error.as_ref());
    match unknown {
        Some(e) if code == ExitCode::Success => {
            let mut failure = Failure::new(
                ExitCode::BadPolicy,
                format!("{}; the other accounts named are locked", crate::error::message_of(&e)),
            );
            if let Some(hint) = crate::error::hint_of(&e) {
                failure = failure.hint(hint.to_string());
            }
            Err(failure.into())
        }
        Some(e) => {
            output::status(&format!("error: {}", one_line(&format!("{e:#}"))));
            Ok(code)
        }
        None => Ok(code),
    }
}

fn revoke(account: &Account, credential: Option<&Credential>) -> Result<Revocation> {
    let Some(credential) = credential else {
        return Ok(match platform::of(account).needs_credential() {
            false => Revocation::NotApplicable,
            true => Revocation::Partial {
                done: "no credential on this machine to revoke".into(),
                by_hand: format!(
                    "revoke the account's credentials at {} (whoever leaked one still has it)",
                    account.host()
                ),
            },
        });
    };
    platform::connect(account)?.revoke(credential)
}

fn clear_keychain(account: &Account, credential: Option<&Credential>, revocation: &Result<Revocation>) -> String {
    // Removing a credential the platform still accepts would only take away the means to
    // revoke it: the lock already refuses every publish, and a second lockdown retries.
    if revocation.is_err() && credential.is_some_and(|c| c.source == Source::Keychain) {
        return format!(
            "KEPT, since the revocation failed: `postgate lockdown {}` retries it with this credential; the lock \
             refuses every publish meanwhile",
            account.name
        );
    }
    match credential.map(|c| c.source) {
        Some(Source::Environment) => format!(
            "from the environment: replace {} in the CI secret store",
            credentials::env_var_name(&account.name)
        ),
        _ if account.credentials == crate::account::CredentialPolicy::None => "none needed".into(),
        _ => match credentials::remove(account) {
            Ok(true) => "removed".into(),
            Ok(false) => "nothing stored".into(),
            Err(e) => format!("NOT REMOVED: {e:#}"),
        },
    }
}

fn report(cli: &Cli, done: &[Contained], audit_error: Option<&anyhow::Error>) {
    if cli.json {
        output::json(&json!({
            "accounts": done.iter().map(Contained::json).collect::<Vec<_>>(),
            "audit_error": audit_error.map(|e| format!("{e:#}")),
        }));
    }
    let width = done.iter().map(|c| c.account.name.len()).max().unwrap_or(0);
    for c in done {
        let state = c.lock_text();
        let line = format!(
            "{:width$}  {state}  {}; keychain: {}",
            c.account.name,
            c.revocation_text(),
            c.keychain
        );
        if cli.json {
            output::status(&one_line(&line));
        } else {
            output::result(&one_line(&line));
        }
    }
    for c in done {
        if let Ok(w) = &c.locked_in
            && w.anywhere()
            && !w.everywhere()
        {
            output::status(&format!(
                "error: `{name}` is locked on this machine only; other runners are NOT stopped. Mount or fix the \
                 shared folder, or bring back the shared store, then run `postgate lockdown {name}` again",
                name = one_line(&c.account.name)
            ));
        }
        if let Ok(Revocation::Partial { by_hand, .. }) = &c.revocation {
            output::status(&format!("{}: by hand: {by_hand}", c.account.name));
        }
        if let Err(e) = &c.revocation
            && let Some(hint) = crate::error::hint_of(e)
        {
            output::status(&format!("{}: by hand: {hint}", c.account.name));
        }
    }
    if let Some(e) = audit_error {
        output::status(&format!(
            "warning: the lockdown could not be recorded in the audit log: {e:#}"
        ));
    }
}

/// A lock not written is the worst outcome; then a revocation that failed; then the audit.
fn exit_code(done: &[Contained], audit_error: Option<&anyhow::Error>) -> ExitCode {
    if let Some(e) = done.iter().find_map(|c| c.locked_in.as_ref().err()) {
        return exit_code_of(e);
    }
    if done.iter().any(|c| c.locked_in.as_ref().is_ok_and(|w| !w.everywhere())) {
        return ExitCode::GeneralError;
    }
    if let Some(e) = done.iter().find_map(|c| c.revocation.as_ref().err()) {
        return match exit_code_of(e) {
            ExitCode::GeneralError => ExitCode::Platform,
            other => other,
        };
    }
    if audit_error.is_some() {
        return ExitCode::Audit;
    }
    ExitCode::Success
}

fn locked(policy: &Policy, account: &Account) -> Result<Option<(Lock, Vec<PathBuf>)>> {
    Ok(match crate::lockdown::state(policy, account)? {
        State::Locked(lock, copies) => Some((*lock, copies)),
        _ => None,
    })
}

fn describe(lock: &Lock) -> String {
    format!(
        "account `{}` ({}) locked at {} by {}\n  reason: {}\n  lock id: {}",
        one_line(&lock.account),
        one_line(&lock.handle),
        lock.at.round(jiff::Unit::Second).unwrap_or(lock.at),
        one_line(&lock.by),
        one_line(&lock.reason),
        lock.id()
    )
}

pub fn unlock(cli: &Cli, args: &UnlockArgs) -> Result<ExitCode> {
    let policy = crate::policy::load_discovered(cli.policy.as_deref())?;
    let account = policy.account(args.name())?;
    let Some((lock, copies)) = locked(&policy, account)? else {
        output::status(&format!("account `{}` is not locked", account.name));
        if cli.json {
            output::json(&json!({ "name": account.name, "locked": false }));
        }
        return Ok(ExitCode::Success);
    };
    if policy.lockdown.unlock_roles.is_empty() {
        return Err(Failure::new(
            ExitCode::LockedDown,
            "the policy names no role that may lift a lock, so the lock stays",
        )
        .hint("set [lockdown] unlock_roles = [\"…\"] in the policy, through a reviewed change")
        .into());
    }
    if args.sign {
        sign(cli, &policy, account, &lock, &copies, args)
    } else {
        lift(cli, &policy, account, lock, &copies)
    }
}

/// An approver signs the lock's id; the signature goes beside every copy of the lock.
fn sign(
    cli: &Cli,
    policy: &Policy,
    account: &Account,
    lock: &Lock,
    copies: &[PathBuf],
    args: &UnlockArgs,
) -> Result<ExitCode> {
    let signer = keys::Signer::from_args(args.key.as_deref(), args.ssh_key.as_deref());
    let approver = signer.approver(&policy.approvals, ExitCode::LockedDown)?;
    if !approver.roles.iter().any(|r| policy.lockdown.unlock_roles.contains(r)) {
        return Err(Failure::new(
            ExitCode::LockedDown,
            format!(
                "approver `{}` has none of the roles that may lift a lock ({})",
                approver.name,
                policy.lockdown.unlock_roles.join(", ")
            ),
        )
        .into());
    }
    output::status(&describe(lock));
    let id = lock.id();
    crate::approval::agree_to_sign(
        &crate::approval::Reviewed {
            what: "lock",
            flag: "--lock-id",
            noun: "id",
            expected: &id,
            given: args.lock_id.as_deref(),
            code: ExitCode::LockedDown,
        },
        &format!("Sign the unlock of `{}` as approver `{}`?", account.name, approver.name),
    )?;
    let sig = signer.sign(id.as_bytes())?;
    let mut written = Vec::new();
    for copy in copies {
        let path = signature::write(copy, &approver.name, &sig)?;
        signature::verify_signed(&policy.approvals, &id, "this lock", &path, ExitCode::LockedDown)?;
        written.push(path);
    }
    let mut record = Record::about(
        policy,
        account,
        "unlock-sign",
        "unlock --sign",
        Outcome::UnlockSigned {
            approver: approver.name.clone(),
            fingerprint: approver.fingerprint(),
            signature: written.first().map(|p| p.display().to_string()).unwrap_or_default(),
        },
    );
    record.acts_on = Some(id.clone());
    AuditLog::of(policy).append(record)?;
    if cli.json {
        output::json(&json!({
            "name": account.name,
            "approver": approver.name,
            "lock_id": id,
            "signatures": written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        }));
    } else {
        for p in &written {
            output::result(&p.display().to_string());
        }
    }
    output::status(&format!(
        "signed; the lock stays until `postgate unlock {}` is run",
        account.name
    ));
    Ok(ExitCode::Success)
}

/// Lifts the lock if an approver with an unlock role signed it.
fn lift(cli: &Cli, policy: &Policy, account: &Account, lock: Lock, copies: &[PathBuf]) -> Result<ExitCode> {
    let id = lock.id();
    let mut files = Vec::new();
    for copy in copies {
        // Unlocks are signed at a terminal; a passkey file beside a lock signs nothing.
        files.extend(
            signature::files_for(copy)?
                .into_iter()
                .filter(|f| f.extension().is_some_and(|e| e == "sig")),
        );
    }
    let refusal = |message: String| {
        let mut record = Record::about(
            policy,
            account,
            "refused",
            "unlock",
            Outcome::Refused {
                reason: message.clone(),
                exit_code: ExitCode::LockedDown.code(),
            },
        );
        record.acts_on = Some(id.clone());
        if let Err(e) = AuditLog::of(policy).append(record) {
            output::status(&format!("warning: the refusal could not be recorded: {e:#}"));
        }
        message
    };
    let mut approvers: Vec<&crate::approval::Approver> = Vec::new();
    for file in &files {
        let approver = signature::verify_signed(&policy.approvals, &id, "this lock", file, ExitCode::LockedDown)
            .map_err(|f| {
                Failure::new(ExitCode::LockedDown, refusal(f.to_string())).hint("remove the file; the lock stays")
            })?;
        if !approvers.iter().any(|a| a.name == approver.name) {
            approvers.push(approver);
        }
    }
    let qualified: Vec<&&crate::approval::Approver> = approvers
        .iter()
        .filter(|a| a.roles.iter().any(|r| policy.lockdown.unlock_roles.contains(r)))
        .collect();
    if qualified.is_empty() {
        let message = refusal(format!(
            "account `{}` stays locked: lifting the lock needs the signature of an approver with role {}",
            account.name,
            policy.lockdown.unlock_roles.join(" or ")
        ));
        return Err(
            Failure::new(ExitCode::LockedDown, format!("{message}\n{}", describe(&lock)))
                .hint(format!(
                    "the approver runs `postgate unlock {} --sign`, then you run `postgate unlock {}` again",
                    account.name, account.name
                ))
                .into(),
        );
    }

    let (user, host) = crate::machine::machine();
    let names: Vec<String> = qualified
        .iter()
        .map(|a| format!("{} {}", a.name, a.fingerprint()))
        .collect();
    let mut lifted = lock.clone();
    lifted.lifted = Some(Lifted {
        at: jiff::Timestamp::now(),
        by: format!("{user}@{host}"),
        approvers: names.clone(),
    });
    // The audit record first: an unlock nobody can trace must not happen.
    let mut record = Record::about(
        policy,
        account,
        "unlock",
        "unlock",
        Outcome::Unlocked {
            approvers: names.clone(),
        },
    );
    record.acts_on = Some(id.clone());
    AuditLog::of(policy).append(record)?;
    crate::lockdown::write(policy, account, &lifted)?;
    for file in &files {
        // Spent: a signature of this lock cannot lift a later one (its id differs anyway).
        let _ = std::fs::remove_file(file);
    }
    if cli.json {
        output::json(&json!({ "name": account.name, "unlocked": true, "approvers": names }));
    } else {
        output::result(&format!("{}  unlocked", account.name));
    }
    output::status(&after_unlock(account));
    Ok(ExitCode::Success)
}

/// What to do once a lock is lifted: a new credential where the account has one to log in with;
/// an account that needs none (a local outbox) is ready as it is.
fn after_unlock(account: &Account) -> String {
    if account.credentials == crate::account::CredentialPolicy::None {
        return format!(
            "account `{}` is unlocked; it needs no credential, so it can publish again now",
            one_line(&account.name)
        );
    }
    format!(
        "account `{name}` is unlocked. Credentials stored before the lockdown are refused: store a new one with \
         `postgate login {name}`",
        name = one_line(&account.name)
    )
}
