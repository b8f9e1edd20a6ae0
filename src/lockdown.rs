//! Locks: `postgate lockdown` stops every publish to an account until an approver lifts it.
//!
//! A lock is a small JSON file named after the account's identity (platform, host, handle), not
//! its name in the policy, so renaming the account does not slip past it. It is written in the
//! state folder, beside the audit log (where the per-account publish lock also lives, so a
//! lockdown run with another state folder still stops every run that shares the log) and, when
//! the policy sets `[lockdown] shared_path`, in that folder too, so one person can stop every
//! runner that reads it.
//!
//! `unlock` does not delete the file: it marks it lifted. The pipeline then still refuses a
//! credential stored before the lockdown, which is what makes "and then a new login" hold on
//! every machine, including those whose keychain `lockdown` could not reach.

use crate::account::Account;
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::i18n::{Both, both};
use crate::policy::Policy;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    pub v: u32,
    /// The account's name in the policy when it was locked (shown; not used for matching).
    pub account: String,
    pub handle: String,
    pub platform: String,
    pub host: String,
    pub reason: String,
    /// `user@hostname` of whoever ran `lockdown`.
    pub by: String,
    pub at: jiff::Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifted: Option<Lifted>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lifted {
    pub at: jiff::Timestamp,
    pub by: String,
    /// `name SHA256:fingerprint` of each approver whose signature lifted it.
    pub approvers: Vec<String>,
}

/// Where an account stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Open,
    /// Locked, with every copy of the lock that says so.
    Locked(Box<Lock>, Vec<PathBuf>),
    /// Locked once and lifted; credentials stored before `locked_at` are refused.
    Lifted {
        locked_at: jiff::Timestamp,
    },
}

impl Lock {
    pub fn new(account: &Account, reason: &str) -> Lock {
        let (user, host) = crate::machine::machine();
        Lock {
            v: 1,
            account: account.name.clone(),
            handle: account.handle.clone(),
            platform: account.platform.as_str().to_string(),
            host: account.host(),
            reason: reason.to_string(),
            by: format!("{user}@{host}"),
            at: jiff::Timestamp::now(),
            lifted: None,
        }
    }

    /// What an unlock signature signs: `sha256:…` over the lock as `lockdown` wrote it (the
    /// prefix keeps it apart from plan hashes, which share the signing namespace).
    pub fn id(&self) -> String {
        let mut bare = self.clone();
        bare.lifted = None;
        let json = serde_json::to_string(&bare).unwrap_or_default();
        format!(
            "sha256:{}",
            crate::digest::sha256_hex(format!("postgate-lock\n{json}").as_bytes())
        )
    }

    /// The refusal every publish to a locked account gets.
    pub fn refusal(&self, account: &Account, unlock_roles: &[String]) -> Failure {
        let at = self.at.round(jiff::Unit::Second).unwrap_or(self.at).to_string();
        let needs_login = if account.credentials == crate::account::CredentialPolicy::None {
            "no"
        } else {
            "yes"
        };
        Failure::said(
            ExitCode::LockedDown,
            both!(
                "refusal-locked-down",
                name = account.name.as_str(),
                handle = account.handle.as_str(),
                at = at,
                by = crate::sanitize::one_line(&self.by),
                reason = crate::sanitize::one_line(&self.reason)
            ),
        )
        .hint_said(Both::each("hint-locked-down", |language| {
            let or = crate::i18n::text_in(language, "word-or", &[]);
            vec![
                ("anyone", if unlock_roles.is_empty() { "yes" } else { "no" }.into()),
                ("roles", unlock_roles.join(&format!(" {or} ")).into()),
                ("name", account.name.as_str().into()),
                ("login", needs_login.into()),
            ]
        }))
    }
}

/// The file name of an account's lock: a hash of what the credential is bound to.
fn file_name(account: &Account) -> String {
    let id = crate::credentials::keychain_user(account);
    format!("{}.lock", &crate::digest::sha256_hex(id.as_bytes())[..24])
}

/// The folders locks live in: the state folder, the one beside the audit log, then the shared
/// one.
pub fn dirs(policy: &Policy) -> Result<Vec<PathBuf>> {
    let local = crate::paths::state_dir().ok_or_else(|| {
        Failure::new(
            ExitCode::LockedDown,
            "cannot place the lockdown folder: neither XDG_STATE_HOME nor HOME is set",
        )
    })?;
    let mut dirs = vec![local.join("lockdown")];
    let beside_log = policy.audit_path.with_extension("locks").join("lockdown");
    if !dirs.contains(&beside_log) {
        dirs.push(beside_log);
    }
    if let Some(shared) = &policy.lockdown.shared_path {
        dirs.push(shared.clone());
    }
    Ok(dirs)
}

/// Reads every copy of the account's lock. A lock that cannot be read counts as locked, and a
/// shared folder that is missing refuses: either may be an attacker hiding a lock.
pub fn state(policy: &Policy, account: &Account) -> Result<State> {
    let name = file_name(account);
    let mut locked: Option<Lock> = None;
    let mut copies = Vec::new();
    let mut lifted_at: Option<jiff::Timestamp> = None;
    for dir in dirs(policy)? {
        let shared = policy.lockdown.shared_path.as_ref() == Some(&dir);
        if shared && !dir.is_dir() {
            return Err(Failure::said(
                ExitCode::LockedDown,
                both!("refusal-shared-lockdown-missing", path = dir.display().to_string()),
            )
            .hint_said(both!("hint-shared-lockdown-missing"))
            .into());
        }
        let path = dir.join(&name);
        let lock = match read(&path) {
            Ok(Some(lock)) => lock,
            Ok(None) => continue,
            Err(why) => {
                return Err(Failure::said(
                    ExitCode::LockedDown,
                    both!(
                        "refusal-lock-unreadable",
                        path = path.display().to_string(),
                        why = why.to_string()
                    ),
                )
                .hint_said(both!("hint-lock-unreadable"))
                .into());
            }
        };
        match &lock.lifted {
            None => {
                if locked.as_ref().is_none_or(|l| lock.at > l.at) {
                    locked = Some(lock);
                }
                copies.push(path);
            }
            Some(_) => lifted_at = Some(lifted_at.map_or(lock.at, |t| t.max(lock.at))),
        }
    }
    if let Some(cfg) = &policy.audit_shared {
        match in_store(cfg, account) {
            Ok(Some(team)) => {
                let same = locked.as_ref().is_some_and(|l| l.id() == team.id());
                match &team.lifted {
                    // Lifted on another machine: this machine's copies of that lock are lifted too.
                    Some(_) if same => {
                        for copy in &copies {
                            let body = serde_json::to_vec_pretty(&team)?;
                            if let Some(dir) = copy.parent() {
                                write_file(dir, copy, &body)?;
                            }
                        }
                        copies.clear();
                        locked = None;
                        lifted_at = Some(lifted_at.map_or(team.at, |t| t.max(team.at)));
                    }
                    Some(_) => lifted_at = Some(lifted_at.map_or(team.at, |t| t.max(team.at))),
                    // Locked from another machine: kept here too, so this machine stays locked
                    // if the store goes away, and an unlock signature has a file to sit beside.
                    None if !same && locked.as_ref().is_none_or(|l| team.at > l.at) => {
                        let Some(dir) = dirs(policy)?.into_iter().next() else {
                            return Err(anyhow::anyhow!("no lockdown folder"));
                        };
                        let path = dir.join(&name);
                        write_file(&dir, &path, &serde_json::to_vec_pretty(&team)?)?;
                        copies = vec![path];
                        locked = Some(team);
                    }
                    None => {}
                }
            }
            Ok(None) => {}
            // A lock this machine cannot read may be there: for an account whose records must
            // reach the store, that is a refusal, as an unreadable lock file is. A lock this
            // machine already has is the better reason, and says more.
            Err(e) if cfg.required_for(account.kind) && locked.is_none() => {
                return Err(e.context(Failure::said(
                    ExitCode::Audit,
                    both!(
                        "refusal-store-unreadable",
                        name = account.name.as_str(),
                        kind = account.kind.as_str()
                    ),
                )));
            }
            Err(_) if locked.is_some() => {}
            Err(e) => crate::store::warn_unreachable(&e),
        }
    }
    Ok(match (locked, lifted_at) {
        (Some(lock), _) => State::Locked(Box::new(lock), copies),
        (None, Some(locked_at)) => State::Lifted { locked_at },
        (None, None) => State::Open,
    })
}

/// The account's lock in the shared store, lifted or not.
fn in_store(cfg: &crate::store::Config, account: &Account) -> Result<Option<Lock>> {
    let Some((body, unlock)) = crate::store::lock_of(cfg, account.platform.as_str(), &account.host(), &account.handle)?
    else {
        return Ok(None);
    };
    let text = unlock.as_deref().unwrap_or(&body);
    let lock: Lock = serde_json::from_str(text).map_err(|e| {
        Failure::said(
            ExitCode::LockedDown,
            both!("refusal-lock-unreadable", path = cfg.label(), why = e.to_string()),
        )
        .hint_said(both!("hint-lock-unreadable"))
    })?;
    // An unlock row lifts the lock it names, whatever its body claims.
    Ok(Some(match (unlock, lock.lifted.is_some()) {
        (Some(_), true) | (None, false) => lock,
        (Some(_), false) | (None, true) => {
            return Err(Failure::said(
                ExitCode::LockedDown,
                both!(
                    "refusal-lock-unreadable",
                    path = cfg.label(),
                    why = "a lock row and its unlock disagree"
                ),
            )
            .into());
        }
    }))
}

fn read(path: &Path) -> Result<Option<Lock>, String> {
    // A lock is tiny; anything that is not a small regular file fails to read, which counts as a
    // lock (fail closed), and a FIFO put there cannot hang every publish.
    match crate::paths::read_bounded(path, crate::paths::MAX_SMALL_BYTES, "lock") {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| e.to_string()),
        // No file there, or no folder to hold one (the audit log's folder is a file, say: the
        // log then refuses on its own, as an audit failure).
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(e.to_string()),
    }
}

/// The copies of a lock that were written, and why the others were not.
#[derive(Debug, Default)]
pub struct Written {
    pub paths: Vec<PathBuf>,
    pub failures: Vec<String>,
}

impl Written {
    /// Whether a lock is written at all: then this machine's publishes stop.
    pub fn anywhere(&self) -> bool {
        !self.paths.is_empty()
    }

    /// Whether every copy is written, the shared one included.
    pub fn everywhere(&self) -> bool {
        self.failures.is_empty() && self.anywhere()
    }
}

/// Writes the lock in every lockdown folder, each atomically, trying them all. The local
/// folders are created as needed; the shared one never is: a missing share is usually one not
/// mounted, and a folder made in its place is a local one that no other runner reads.
pub fn write_each(policy: &Policy, account: &Account, lock: &Lock) -> Result<Written> {
    let body = serde_json::to_vec_pretty(lock)?;
    let name = file_name(account);
    let mut written = Written::default();
    for dir in dirs(policy)? {
        let path = dir.join(&name);
        if policy.lockdown.shared_path.as_ref() == Some(&dir) && !dir.is_dir() {
            written.failures.push(format!(
                "the shared lockdown folder {} is not there (an unmounted share?), so the runners that read it are \
                 NOT stopped; postgate does not create it, since a folder made here is one no other runner sees",
                dir.display()
            ));
            continue;
        }
        match write_file(&dir, &path, &body) {
            Ok(()) => written.paths.push(path),
            Err(e) => written.failures.push(format!("{}: {e}", path.display())),
        }
    }
    if let Some(cfg) = &policy.audit_shared {
        // In the store a lock is a row, and lifting it is a second row: nothing is updated.
        let chain = crate::audit::AuditLog::new(&policy.audit_path)
            .chain()
            .ok()
            .flatten()
            .unwrap_or_default();
        let body = String::from_utf8_lossy(&body);
        let id = lock.id();
        let wrote = match &lock.lifted {
            None => crate::store::write_lock(
                cfg,
                &chain,
                &id,
                account.platform.as_str(),
                &account.host(),
                &account.handle,
                &body,
            ),
            // The lock row first: the lock may have been written while the store was away.
            Some(_) => {
                let mut bare = lock.clone();
                bare.lifted = None;
                serde_json::to_string_pretty(&bare)
                    .map_err(anyhow::Error::from)
                    .and_then(|b| {
                        crate::store::write_lock(
                            cfg,
                            &chain,
                            &id,
                            account.platform.as_str(),
                            &account.host(),
                            &account.handle,
                            &b,
                        )
                    })
                    .and_then(|()| crate::store::write_unlock(cfg, &chain, &id, &body))
            }
        };
        match wrote {
            Ok(()) => written.paths.push(PathBuf::from(cfg.label())),
            Err(e) => written.failures.push(format!("{e:#}")),
        }
    }
    Ok(written)
}

/// Writes the lock in every lockdown folder, as [`write_each`], and fails unless every copy
/// was written. Returns the files written.
pub fn write(policy: &Policy, account: &Account, lock: &Lock) -> Result<Vec<PathBuf>> {
    let written = write_each(policy, account, lock)?;
    if written.failures.is_empty() {
        Ok(written.paths)
    } else {
        Err(Failure::new(
            ExitCode::GeneralError,
            format!("the lock could not be written: {}", written.failures.join("; ")),
        )
        .into())
    }
}

fn write_file(dir: &Path, path: &Path, body: &[u8]) -> std::io::Result<()> {
    crate::paths::create_private_dir(dir)?;
    // Created 0600, like every file postgate writes.
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, body)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Refuses a credential stored before the last lockdown of a lifted lock: the lockdown may
/// have been about that very credential.
pub fn stale_credential(
    account: &Account,
    locked_at: jiff::Timestamp,
    credential: &crate::credentials::Credential,
) -> Option<Failure> {
    use crate::credentials::Source;
    let stored = match (credential.source, credential.created_at) {
        (Source::Keychain, Some(t)) if t > locked_at => return None,
        (Source::Keychain, Some(t)) => format!("was stored at {}", t.round(jiff::Unit::Second).unwrap_or(t)),
        (Source::Keychain, None) => "has no storage time".to_string(),
        // The CI secret store is the environment's business; the caller warns.
        (Source::Environment | Source::None, _) => return None,
    };
    Some(
        Failure::new(
            ExitCode::LockedDown,
            format!(
                "the credential of `{}` {stored}, before the lockdown of {}; it may be the leaked one",
                account.name,
                locked_at.round(jiff::Unit::Second).unwrap_or(locked_at)
            ),
        )
        .hint(format!(
            "revoke it at the platform and store a new one: `postgate login {}`",
            account.name
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lock() -> Lock {
        Lock {
            v: 1,
            account: "culture".into(),
            handle: "@culture@social.example".into(),
            platform: "mastodon".into(),
            host: "social.example".into(),
            reason: "leaked token".into(),
            by: "camille@poste-12".into(),
            at: "2026-07-14T23:10:00Z".parse().unwrap(),
            lifted: None,
        }
    }

    #[test]
    fn the_id_ignores_the_lifting_and_nothing_else() {
        let a = lock();
        let mut b = a.clone();
        b.lifted = Some(Lifted {
            at: "2026-07-15T08:00:00Z".parse().unwrap(),
            by: "x".into(),
            approvers: vec![],
        });
        assert_eq!(a.id(), b.id());
        let mut c = a.clone();
        c.reason.push('!');
        assert_ne!(a.id(), c.id());
        assert!(a.id().starts_with("sha256:"));
    }

    #[test]
    fn lock_files_round_trip_and_reject_unknown_fields() {
        let json = serde_json::to_string(&lock()).unwrap();
        assert_eq!(serde_json::from_str::<Lock>(&json).unwrap(), lock());
        let extra = json.replacen('{', "{\"x\":1,", 1);
        assert!(serde_json::from_str::<Lock>(&extra).is_err());
    }
}
