//! Credentials: the OS keychain first, the environment only where the policy allows it.
//!
//! A secret is stored under service `postgate` and the user `platform:host:handle`. Binding it
//! to the host means that if a policy is edited to point an account at another server, postgate
//! finds no credential there instead of sending the old secret to a host it was not meant for.
//!
//! The keychain item holds a small JSON document: the secret and when it was stored (issue 6
//! turns that into rotation warnings). Items written by other tools, holding a bare secret,
//! are still read.
//!
//! Every keychain call runs on its own thread under a deadline ([`keychain_timeout`]): a D-Bus
//! session that accepts a connection and never answers would otherwise hang `login` and
//! `post` for ever. A call past its deadline counts as "no keychain is reachable", so an
//! account with `keychain-or-env` falls back to the environment.

use crate::account::Account;
use crate::account::CredentialPolicy;
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::i18n::both;
use crate::redacted::Secret;
use anyhow::Result;
use keyring_core::{Entry, Error as KeyringError};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use zeroize::Zeroizing;

pub const SERVICE: &str = "postgate";

/// How long one keychain call may take by default. Long enough for a person to answer the
/// keychain's own unlock prompt, short enough that a dead D-Bus session does not pass for a
/// slow one for long.
pub const KEYCHAIN_TIMEOUT: Duration = Duration::from_secs(25);

/// The deadline of each keychain call: `POSTGATE_KEYCHAIN_TIMEOUT` (seconds, fractions
/// allowed) where set to a positive number, else [`KEYCHAIN_TIMEOUT`].
pub fn keychain_timeout() -> Duration {
    std::env::var("POSTGATE_KEYCHAIN_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| *s > 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .unwrap_or(KEYCHAIN_TIMEOUT)
}

/// Set once a call has missed its deadline. The stuck call still holds the keychain (it may
/// be the one connecting to it), so every later call would queue behind it: they fail at once.
static STUCK: AtomicBool = AtomicBool::new(false);

/// Runs one keychain call on a thread of its own and waits at most [`keychain_timeout`].
/// `Err` says why no answer came; the call itself may still be running, and is abandoned.
fn bounded<T: Send + 'static>(call: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    let timeout = keychain_timeout();
    let late = || {
        format!(
            "the keychain did not answer within {:.1}s (a D-Bus session that accepts connections but never replies?)",
            timeout.as_secs_f64()
        )
    };
    if STUCK.load(Ordering::SeqCst) {
        return Err(late());
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("keychain".into())
        .spawn(move || {
            let _ = tx.send(call());
        })
        .map_err(|e| format!("cannot start the keychain call: {e}"))?;
    match rx.recv_timeout(timeout) {
        Ok(value) => Ok(value),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            STUCK.store(true, Ordering::SeqCst);
            Err(late())
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err("the keychain call failed unexpectedly".into()),
    }
}

/// Where a credential came from; shown in the banner and recorded in the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The account needs no secret (the outbox by default).
    None,
    Keychain,
    Environment,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::None => "none",
            Source::Keychain => "keychain",
            Source::Environment => "environment",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Credential {
    pub secret: Secret,
    pub source: Source,
    pub created_at: Option<jiff::Timestamp>,
    /// A platform session kept between runs (Bluesky's refresh token), so that postgate does
    /// not log in again every time: logins are rate-limited.
    pub session: Option<Secret>,
}

/// The JSON stored in the keychain item.
#[derive(Serialize, Deserialize)]
struct Stored {
    v: u32,
    secret: String,
    created_at: jiff::Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    session: Option<String>,
}

/// The keychain user name for an account: `platform:host:handle`.
pub fn keychain_user(account: &Account) -> String {
    format!(
        "{}:{}:{}",
        account.platform.as_str(),
        account.host(),
        account.handle.trim_start_matches('@').to_ascii_lowercase()
    )
}

/// `POSTGATE_SECRET_<NAME>`, NAME uppercased with every non-alphanumeric character as `_`.
pub fn env_var_name(account_name: &str) -> String {
    let name: String = account_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("POSTGATE_SECRET_{name}")
}

static STORE: OnceLock<Result<(), String>> = OnceLock::new();

/// Connects the platform's credential store once per process.
fn keychain() -> Result<(), String> {
    STORE.get_or_init(init_store).clone()
}

#[cfg(target_os = "linux")]
fn init_store() -> Result<(), String> {
    // Without a session bus the Secret Service cannot exist; say so before zbus does, in words
    // a person can act on.
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none_or(|v| v.is_empty())
        && !std::path::Path::new(&format!("/run/user/{}/bus", unsafe { libc::getuid() })).exists()
    {
        return Err("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset)".into());
    }
    let store = zbus_secret_service_keyring_store::Store::new().map_err(describe)?;
    keyring_core::set_default_store(store);
    Ok(())
}

#[cfg(target_os = "macos")]
fn init_store() -> Result<(), String> {
    let store = apple_native_keyring_store::keychain::Store::new().map_err(describe)?;
    keyring_core::set_default_store(store);
    Ok(())
}

#[cfg(target_os = "windows")]
fn init_store() -> Result<(), String> {
    let store = windows_native_keyring_store::Store::new().map_err(describe)?;
    keyring_core::set_default_store(store);
    Ok(())
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn init_store() -> Result<(), String> {
    Err("postgate has no keychain support on this operating system".into())
}

/// Describes a keyring error without ever printing secret bytes: some variants carry the raw
/// item content, so their own Display/Debug must not be used.
fn describe(err: KeyringError) -> String {
    match err {
        KeyringError::PlatformFailure(e) => format!("keychain failure: {e}"),
        KeyringError::NoStorageAccess(e) => format!("keychain is locked or not accessible: {e}"),
        KeyringError::NoEntry => "no such item".into(),
        KeyringError::BadEncoding(_) | KeyringError::BadDataFormat(..) => {
            "the keychain item is not in a format postgate can read".into()
        }
        KeyringError::NoDefaultStore => "no keychain store is configured".into(),
        KeyringError::NotSupportedByStore(what) => format!("the keychain does not support {what}"),
        KeyringError::Invalid(attr, why) => format!("invalid keychain {attr}: {why}"),
        KeyringError::Ambiguous(items) => format!("{} keychain items match; remove the extras", items.len()),
        KeyringError::TooLong(attr, max) => format!("keychain {attr} is longer than {max}"),
        KeyringError::BadStoreFormat(why) => format!("keychain store: {why}"),
        _ => "unexpected keychain error".into(),
    }
}

fn is_unavailable(err: &KeyringError) -> bool {
    matches!(
        err,
        KeyringError::PlatformFailure(_) | KeyringError::NoStorageAccess(_) | KeyringError::NoDefaultStore
    )
}

fn unavailable_failure(account: &Account, why: &str) -> Failure {
    let start = "start a Secret Service (for example `gnome-keyring-daemon --start --components=secrets` inside a D-Bus \
                 session, or `dbus-run-session -- sh` first on a headless machine)";
    // Suggesting the fallback to an account that already has it would send people in circles:
    // what it cannot do without a keychain is store a credential.
    let hint = if account.credentials == CredentialPolicy::KeychainOrEnv {
        format!(
            "{start}; this account already falls back to {} when no keychain is reachable, for every command but \
             `login` and `logout`, which need the keychain itself",
            env_var_name(&account.name)
        )
    } else {
        format!(
            "{start}; or, for CI runners, set credentials = \"keychain-or-env\" on the account in the policy and \
             provide {}",
            env_var_name(&account.name)
        )
    };
    Failure::new(
        ExitCode::Credential,
        format!("no keychain is reachable for account `{}`: {why}", account.name),
    )
    .hint(hint)
}

/// The keychain user name and label of an account's item, owned so that a keychain call on
/// another thread can take them.
fn names(account: &Account) -> (String, String) {
    let label = format!(
        "postgate: {} on {} ({})",
        account.handle,
        account.host(),
        account.platform.as_str()
    );
    (keychain_user(account), label)
}

fn entry(user: &str, label: &str) -> Result<Entry, String> {
    keychain()?;
    // On Linux the label is what people see in Seahorse; the macOS and Windows stores reject
    // modifiers they do not know, so they get the plain entry.
    #[cfg(target_os = "linux")]
    {
        let modifiers = std::collections::HashMap::from([("label", label)]);
        Entry::new_with_modifiers(SERVICE, user, &modifiers).map_err(describe)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = label;
        Entry::new(SERVICE, user).map_err(describe)
    }
}

/// Opens the account's entry and runs `op` on it, both under the deadline. The outer `Err`
/// means no keychain could be reached (in time).
fn with_entry<T: Send + 'static>(
    account: &Account,
    op: impl FnOnce(&Entry) -> Result<T, KeyringError> + Send + 'static,
) -> Result<Result<T, KeyringError>, String> {
    let (user, label) = names(account);
    bounded(move || entry(&user, &label).map(|e| op(&e)))?
}

fn decode(raw: String) -> Credential {
    let raw = Zeroizing::new(raw);
    match serde_json::from_str::<Stored>(&raw) {
        Ok(stored) => Credential {
            secret: Secret::new(stored.secret),
            source: Source::Keychain,
            created_at: Some(stored.created_at),
            session: stored.session.map(Secret::new),
        },
        Err(_) => Credential {
            secret: Secret::new(raw.to_string()),
            source: Source::Keychain,
            created_at: None,
            session: None,
        },
    }
}

/// What `accounts` shows for a credential.
#[derive(Debug, Clone)]
pub enum Status {
    NotNeeded,
    Present {
        source: Source,
        created_at: Option<jiff::Timestamp>,
    },
    Missing,
    Unavailable(String),
}

/// Why the keychain gave no secret.
enum ReadError {
    /// The keychain works but holds no item for this account.
    Missing,
    /// No keychain can be reached at all (no Secret Service, locked, no store).
    Unreachable(String),
    /// The item exists but cannot be used.
    Broken(String),
}

fn read_keychain(account: &Account) -> Result<Credential, ReadError> {
    match with_entry(account, |e| e.get_password()).map_err(ReadError::Unreachable)? {
        Ok(raw) => Ok(decode(raw)),
        Err(KeyringError::NoEntry) => Err(ReadError::Missing),
        Err(err) if is_unavailable(&err) => Err(ReadError::Unreachable(describe(err))),
        Err(err) => Err(ReadError::Broken(describe(err))),
    }
}

/// Reads the account's credential as its policy says. `Ok(None)` means none is needed.
pub fn load(account: &Account) -> Result<Option<Credential>> {
    if account.credentials == CredentialPolicy::None {
        return Ok(None);
    }
    match (account.credentials, read_keychain(account)) {
        (CredentialPolicy::None, _) => Ok(None),
        (_, Ok(credential)) => Ok(Some(credential)),
        (_, Err(ReadError::Missing)) => Err(missing(account).into()),
        (_, Err(ReadError::Broken(why))) => Err(Failure::said(
            ExitCode::Credential,
            both!("refusal-credential-broken", name = account.name.as_str(), why = why),
        )
        .hint_said(both!("hint-store-again", name = account.name.as_str()))
        .into()),
        // Only a keychain that cannot be reached at all falls back to the environment: a
        // missing or broken item must be fixed, not papered over by a stray variable.
        (CredentialPolicy::KeychainOrEnv, Err(ReadError::Unreachable(why))) => {
            let var = env_var_name(&account.name);
            match std::env::var(&var) {
                Ok(v) if !v.is_empty() => Ok(Some(Credential {
                    secret: Secret::new(v),
                    source: Source::Environment,
                    created_at: None,
                    session: None,
                })),
                _ => Err(Failure::said(
                    ExitCode::Credential,
                    both!(
                        "refusal-no-keychain-no-env",
                        why = why.as_str(),
                        var = var.as_str(),
                        name = account.name.as_str()
                    ),
                )
                .hint_said(both!("hint-no-keychain-no-env", var = var.as_str()))
                .into()),
            }
        }
        (CredentialPolicy::Keychain, Err(ReadError::Unreachable(why))) => {
            Err(unavailable_failure(account, &why).into())
        }
    }
}

fn missing(account: &Account) -> Failure {
    Failure::said(
        ExitCode::Credential,
        both!(
            "refusal-credential-missing",
            name = account.name.as_str(),
            handle = account.handle.as_str(),
            host = account.host()
        ),
    )
    .hint_said(both!("hint-credential-missing", name = account.name.as_str()))
}

/// Stores a secret for the account, replacing any earlier one.
pub fn store(account: &Account, secret: &Secret) -> Result<jiff::Timestamp> {
    let created_at = jiff::Timestamp::now();
    write(account, secret, created_at, None)?;
    Ok(created_at)
}

/// Keeps a new platform session next to the secret, without changing the credential's age.
/// Credentials from the environment have nowhere to keep it; they log in each run.
pub fn save_session(account: &Account, credential: &Credential, session: &Secret) -> Result<()> {
    if credential.source != Source::Keychain {
        return Ok(());
    }
    let created_at = credential.created_at.unwrap_or_else(jiff::Timestamp::now);
    write(account, &credential.secret, created_at, Some(session))
}

fn write(account: &Account, secret: &Secret, created_at: jiff::Timestamp, session: Option<&Secret>) -> Result<()> {
    let payload = Zeroizing::new(serde_json::to_string(&Stored {
        v: 1,
        secret: secret.expose().to_string(),
        created_at,
        session: session.map(|s| s.expose().to_string()),
    })?);
    let outcome =
        with_entry(account, move |e| e.set_password(&payload)).map_err(|why| unavailable_failure(account, &why))?;
    outcome.map_err(|err| {
        if is_unavailable(&err) {
            unavailable_failure(account, &describe(err))
        } else {
            Failure::new(
                ExitCode::Credential,
                format!("cannot store the credential: {}", describe(err)),
            )
        }
    })?;
    Ok(())
}

/// Replaces a credential that the platform renews by rotation (an OAuth 2.0 refresh token that
/// works once), so that no two runs spend the same one and the newest is never lost.
///
/// Under a per-account lock, the keychain is read again: if another run renewed the credential
/// meanwhile, its new one is handed back and `rotate` is not called. Otherwise `rotate` gets the
/// held secret and returns the renewed one, which is written to the keychain before it is
/// handed back, so nothing is sent with tokens the next run could not find. When that write
/// fails the old item is left as it was and the failure says so.
pub fn renew(
    account: &Account,
    held: &Credential,
    rotate: impl FnOnce(&Secret) -> Result<Secret>,
) -> Result<Credential> {
    if held.source != Source::Keychain {
        return Err(Failure::new(
            ExitCode::Credential,
            format!(
                "the credential of `{}` comes from the {} and has expired; it cannot be renewed there",
                account.name,
                held.source.as_str()
            ),
        )
        .hint("give the runner a credential that does not expire (for X: OAuth 1.0a keys), or a fresh one")
        .into());
    }
    let _lock = renewal_lock(account)?;
    // Read again under the lock: a run that renewed meanwhile left its new pair there. And
    // nothing is spent before it is certain the keychain holds this credential and can be
    // reached: a renewed secret that cannot be kept would be lost with the old one.
    match read_keychain(account) {
        Ok(current) if current.secret.expose() != held.secret.expose() => return Ok(current),
        Ok(_) => {}
        Err(ReadError::Missing) => {
            return Err(Failure::new(
                ExitCode::Credential,
                format!(
                    "the credential of `{}` has expired, and only one kept in the keychain can be renewed",
                    account.name
                ),
            )
            .hint(format!("run `postgate login {}` for a fresh one", account.name))
            .into());
        }
        Err(ReadError::Unreachable(why) | ReadError::Broken(why)) => {
            return Err(Failure::new(
                ExitCode::Credential,
                format!(
                    "the credential of `{}` must be renewed, and the keychain cannot keep the new one: {why}",
                    account.name
                ),
            )
            .hint("nothing was renewed or sent; fix the keychain and run again")
            .into());
        }
    }
    let renewed = rotate(&held.secret)?;
    let created_at = held.created_at.unwrap_or_else(jiff::Timestamp::now);
    let written = if crate::fault::fails("keychain-write") {
        Err(Failure::new(ExitCode::Credential, "the keychain refused the write (POSTGATE_FAULT)").into())
    } else {
        write(account, &renewed, created_at, held.session.as_ref())
    };
    written.map_err(|e| {
        let why = e
            .downcast_ref::<Failure>()
            .map_or_else(|| format!("{e:#}"), |f| f.message.clone());
        Failure::new(
            ExitCode::Credential,
            format!(
                "{} renewed the credential of `{}`, but the keychain did not take the new one: {why}; nothing was \
                 sent with it, and the old item is kept",
                account.platform.as_str(),
                account.name
            ),
        )
        .hint(format!(
            "the old refresh token may already be spent: once the keychain works, run `postgate login {}` again",
            account.name
        ))
    })?;
    Ok(Credential {
        secret: renewed,
        source: Source::Keychain,
        created_at: Some(created_at),
        session: held.session.clone(),
    })
}

/// Holds off every renewal of the account's credential while the guard lives: `lockdown`
/// takes it so that no run renews (and writes back) a credential it is revoking and clearing.
pub fn hold_renewals(account: &Account) -> Result<std::fs::File> {
    renewal_lock(account)
}

/// The lock that makes renewals of one account's credential take turns across processes: a
/// file under the state folder, named by a digest of the keychain user (which holds the host).
fn renewal_lock(account: &Account) -> Result<std::fs::File> {
    let failure = |what: String| {
        Failure::new(
            ExitCode::Credential,
            format!("cannot take the renewal lock of `{}`: {what}", account.name),
        )
    };
    let dir = crate::paths::state_dir()
        .ok_or_else(|| failure("neither XDG_STATE_HOME nor HOME is set".into()))?
        .join("credential.locks");
    crate::paths::create_private_dir(&dir).map_err(|e| failure(format!("{}: {e}", dir.display())))?;
    let name = crate::digest::sha256_hex(keychain_user(account).as_bytes());
    let path = dir.join(format!("{}.lock", &name[..24]));
    let file = crate::paths::private_options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| failure(format!("{}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            eprintln!(
                "postgate: waiting for another run renewing the credential of `{}`",
                crate::sanitize::one_line(&account.name)
            );
            file.lock().map_err(|e| failure(format!("{}: {e}", path.display())))?;
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(failure(format!("{}: {e}", path.display())).into()),
    }
    Ok(file)
}

/// Stores a keychain item beside the account's credential (`suffix` names it), for a second
/// secret a platform keeps apart from the posting one.
pub fn store_beside(account: &Account, suffix: &str, secret: &Secret) -> Result<()> {
    let (user, label) = names(account);
    write_item(&format!("{user}:{suffix}"), &format!("{label} [{suffix}]"), secret)
}

/// Reads the item [`store_beside`] stored; `Ok(None)` when there is none.
pub fn read_beside(account: &Account, suffix: &str) -> Result<Option<Secret>> {
    let (user, _) = names(account);
    read_item(&format!("{user}:{suffix}"))
}

/// Removes the item [`store_beside`] stored. Returns false if there was none.
pub fn remove_beside(account: &Account, suffix: &str) -> Result<bool> {
    let (user, label) = names(account);
    match item_call(&format!("{user}:{suffix}"), &label, |e| e.delete_credential())? {
        Ok(()) => Ok(true),
        Err(KeyringError::NoEntry) => Ok(false),
        Err(err) => Err(item_failure(err).into()),
    }
}

/// Removes the account's credential. Returns false if there was none.
pub fn remove(account: &Account) -> Result<bool> {
    match with_entry(account, |e| e.delete_credential()).map_err(|why| unavailable_failure(account, &why))? {
        Ok(()) => Ok(true),
        Err(KeyringError::NoEntry) => Ok(false),
        Err(err) if is_unavailable(&err) => Err(unavailable_failure(account, &describe(err)).into()),
        Err(err) => Err(Failure::new(
            ExitCode::Credential,
            format!("cannot remove the credential: {}", describe(err)),
        )
        .into()),
    }
}

/// The credential's state, for `postgate accounts`. Never fails: problems become a status.
pub fn status(account: &Account) -> Status {
    if account.credentials == CredentialPolicy::None {
        return Status::NotNeeded;
    }
    match read_keychain(account) {
        Ok(c) => Status::Present {
            source: Source::Keychain,
            created_at: c.created_at,
        },
        Err(ReadError::Missing) => Status::Missing,
        Err(ReadError::Broken(why)) => Status::Unavailable(why),
        Err(ReadError::Unreachable(why)) => env_status(account).unwrap_or(Status::Unavailable(why)),
    }
}

fn env_status(account: &Account) -> Option<Status> {
    (account.credentials == CredentialPolicy::KeychainOrEnv
        && std::env::var_os(env_var_name(&account.name)).is_some_and(|v| !v.is_empty()))
    .then_some(Status::Present {
        source: Source::Environment,
        created_at: None,
    })
}

/// How old a credential is, against the account's `rotate_after_days` and
/// `max_credential_age_days`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Age {
    /// No secret, or no limit set.
    NotApplicable,
    /// From the environment: its age is the CI secret store's business.
    Environment,
    /// Stored by another tool, without the time postgate records.
    Unknown,
    Days(i64),
}

pub fn age(account: &Account, credential: &Credential, now: jiff::Timestamp) -> Age {
    if credential.source == Source::Environment {
        return Age::Environment;
    }
    match credential.created_at {
        Some(t) => Age::Days((now.as_second() - t.as_second()).max(0) / 86_400),
        None if account.rotate_after_days.is_some() || account.max_credential_age_days.is_some() => Age::Unknown,
        None => Age::NotApplicable,
    }
}

impl Age {
    /// For the banner.
    pub fn describe(self) -> Option<String> {
        match self {
            Age::Days(d) => Some(format!("{d} day(s) old")),
            Age::Unknown => Some("age unknown".into()),
            Age::NotApplicable | Age::Environment => None,
        }
    }

    /// Past `max_credential_age_days` (or of unknown age where a maximum is set): refused.
    pub fn refusal(self, account: &Account) -> Option<Failure> {
        let max = account.max_credential_age_days?;
        let fix = format!(
            "store a new credential with `postgate login {}` (and revoke the old one at the platform)",
            account.name
        );
        match self {
            Age::Days(d) if d > i64::from(max) => Some(
                Failure::new(
                    ExitCode::Credential,
                    format!(
                        "the credential of `{}` is {d} days old; the policy allows {max} (max_credential_age_days)",
                        account.name
                    ),
                )
                .hint(fix),
            ),
            Age::Unknown => Some(
                Failure::new(
                    ExitCode::Credential,
                    format!(
                        "the age of the credential of `{}` is unknown (it was not stored by postgate), and the policy \
                         limits it to {max} days",
                        account.name
                    ),
                )
                .hint(fix),
            ),
            _ => None,
        }
    }

    /// Past `rotate_after_days`: a warning.
    pub fn warning(self, account: &Account) -> Option<String> {
        let rotate = account.rotate_after_days?;
        match self {
            Age::Days(d) if d > i64::from(rotate) => Some(format!(
                "the credential of `{}` is {d} days old; rotate it (rotate_after_days = {rotate}): `postgate login {}`{}",
                account.name,
                account.name,
                account
                    .max_credential_age_days
                    .map_or(String::new(), |m| format!(", before it is refused at {m} days"))
            )),
            _ => None,
        }
    }
}

/// A keychain item that is not an account's credential (an approver's signing key), by its
/// user name under the `postgate` service. `Ok(None)` when the keychain has no such item.
pub fn read_item(user: &str) -> Result<Option<Secret>> {
    match item_call(user, user, |e| e.get_password())? {
        Ok(raw) => Ok(Some(Secret::new(raw))),
        Err(KeyringError::NoEntry) => Ok(None),
        Err(err) => Err(item_failure(err).into()),
    }
}

/// Stores a keychain item under `user`, labelled `label` where the keychain shows labels.
pub fn write_item(user: &str, label: &str, value: &Secret) -> Result<()> {
    let value = value.clone();
    item_call(user, label, move |e| e.set_password(value.expose()))?.map_err(|err| item_failure(err).into())
}

/// Runs `op` on a keychain item that is not an account's credential, under the deadline.
fn item_call<T: Send + 'static>(
    user: &str,
    label: &str,
    op: impl FnOnce(&Entry) -> Result<T, KeyringError> + Send + 'static,
) -> Result<Result<T, KeyringError>> {
    let unreachable = |why: String| {
        Failure::new(ExitCode::Credential, format!("no keychain is reachable: {why}")).hint(
            "start a Secret Service (for example `gnome-keyring-daemon --start --components=secrets` inside a D-Bus \
             session)",
        )
    };
    let (user, label) = (user.to_string(), format!("postgate: {label}"));
    Ok(bounded(move || entry(&user, &label).map(|e| op(&e)))
        .and_then(|r| r)
        .map_err(unreachable)?)
}

fn item_failure(err: KeyringError) -> Failure {
    Failure::new(ExitCode::Credential, format!("keychain: {}", describe(err)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_are_uppercased_and_safe() {
        assert_eq!(env_var_name("culture-gouv"), "POSTGATE_SECRET_CULTURE_GOUV");
        assert_eq!(env_var_name("demo_2"), "POSTGATE_SECRET_DEMO_2");
    }

    #[test]
    fn bare_items_from_other_tools_are_read() {
        let c = decode("plain-token".into());
        assert_eq!(c.secret.expose(), "plain-token");
        assert!(c.created_at.is_none());
        let json = r#"{"v":1,"secret":"s3","created_at":"2026-01-02T03:04:05Z"}"#;
        let c = decode(json.into());
        assert_eq!(c.secret.expose(), "s3");
        assert!(c.created_at.is_some());
    }
}
