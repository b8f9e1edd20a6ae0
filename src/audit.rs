//! The audit log: append-only JSON Lines, each record chained to the previous one by SHA-256.
//!
//! Every attempt to change an account leaves a trace here, refused ones included. The intent
//! record is written (and fsync'd) before anything is sent; if it cannot be written, nothing is
//! published. Appending reads only the last line, so it costs the same with ten records or ten
//! million. The chain makes edits and deletions in the middle evident; to also detect a rewrite
//! of the tail, keep the head hash printed by `postgate log verify` somewhere else.

use crate::digest::sha256_hex;
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::machine::machine;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// `prev` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The account an audit record is about.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AccountRef {
    pub name: String,
    pub handle: String,
    pub kind: String,
    pub platform: String,
    pub host: String,
}

impl AccountRef {
    pub fn of(account: &crate::account::Account) -> AccountRef {
        AccountRef {
            name: account.name.clone(),
            handle: account.handle.clone(),
            kind: account.kind.as_str().to_string(),
            platform: account.platform.as_str().to_string(),
            host: account.host(),
        }
    }
}

/// What happened, in the outcome record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Outcome {
    /// Written before publishing: the attempt is under way.
    Pending,
    Published {
        id: String,
        url: String,
    },
    /// `postgate delete` removed the post.
    Deleted {
        id: String,
    },
    /// `--dry-run`: everything ran but the publish.
    DryRun,
    Refused {
        reason: String,
        exit_code: i32,
    },
    Failed {
        error: String,
        exit_code: i32,
    },
    /// `login` stored a credential or `logout` removed one.
    Credential {
        change: String,
    },
    /// `approve` signed a plan.
    Approved {
        approver: String,
        fingerprint: String,
        signature: String,
    },
    /// An approver declined a plan on the review page, with this reason (the record's
    /// `plan_hash` says which plan).
    Declined {
        approver: String,
        fingerprint: String,
        reason: String,
        file: String,
    },
    /// `sign`: the plan's author signed it (the record's `author` says who).
    Authored {
        signature: String,
    },
    /// `lockdown` locked the account; what it achieved at the platform and in the keychain.
    Lockdown {
        reason: String,
        revocation: String,
        keychain: String,
        /// Where the lock was written, or which copies could not be (older logs have none).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        lock: String,
    },
    /// `reconcile` found a post on the account that postgate did not make (recorded once).
    Foreign {
        id: String,
        url: String,
        /// When the platform says it was posted.
        created_at: Option<String>,
    },
    /// `unlock --sign`: an approver signed the lifting of a lock (the record's `target` is the
    /// lock id). Older logs recorded it as `approved`, with action `unlock --sign`.
    UnlockSigned {
        approver: String,
        fingerprint: String,
        signature: String,
    },
    /// `unlock` lifted a lock, on the signatures of these approvers.
    Unlocked {
        approvers: Vec<String>,
    },
    /// `log checkpoint` (or `--checkpoint`) signed the log's head: the record comes after the
    /// head it signed, so the checkpoint covers the log as it was.
    Checkpoint {
        size: u64,
        head: String,
        signer: String,
        fingerprint: String,
    },
    /// A torn last line was moved aside by `postgate log repair`.
    Repaired {
        fragment_sha256: String,
        fragment_bytes: u64,
        saved_to: String,
    },
}

impl Outcome {
    pub fn status(&self) -> &'static str {
        match self {
            Outcome::Pending => "pending",
            Outcome::Published { .. } => "published",
            Outcome::Deleted { .. } => "deleted",
            Outcome::DryRun => "dry-run",
            Outcome::Refused { .. } => "refused",
            Outcome::Failed { .. } => "failed",
            Outcome::Credential { .. } => "credential",
            Outcome::Approved { .. } => "approved",
            Outcome::Declined { .. } => "declined",
            Outcome::Authored { .. } => "authored",
            Outcome::Lockdown { .. } => "locked",
            Outcome::UnlockSigned { .. } => "unlock-signed",
            Outcome::Unlocked { .. } => "unlocked",
            Outcome::Foreign { .. } => "foreign",
            Outcome::Repaired { .. } => "repaired",
            Outcome::Checkpoint { .. } => "checkpoint",
        }
    }
}

/// One audit record. `seq` and `prev` are filled in by [`AuditLog::append`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub seq: u64,
    pub prev: String,
    pub time: String,
    /// `intent`, `outcome`, `dry-run`, `refused`, `credential` (login/logout) or `repair`.
    pub event: String,
    /// The command: `post`, `log repair`, …
    pub action: String,
    pub user: String,
    pub hostname: String,
    pub version: String,
    pub policy_sha256: Option<String>,
    pub account: Option<AccountRef>,
    pub text_sha256: Option<String>,
    pub text: Option<String>,
    /// `typed`, `yes`, `flag`, or none when refused before confirmation.
    pub confirmation: Option<String>,
    /// `none`, `keychain` or `environment`.
    pub credential_source: Option<String>,
    pub dry_run: bool,
    /// Identity of the publish attempt; platforms use it as their idempotency key.
    pub post_key: Option<String>,
    /// Attached images, as `name sha256:…`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<String>,
    /// What the action acts on: the post a `correct` or `delete` changes, the lock a lockdown
    /// sets or an unlock lifts. Written `target` in the log, as it always was.
    #[serde(rename = "target", default, skip_serializing_if = "Option::is_none")]
    pub acts_on: Option<String>,
    /// Why a post was deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What the content rules found, whatever their level.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<crate::rules::Finding>,
    /// `approve` rules a person overrode at the terminal by typing their id (before signed
    /// approvals existed; kept so older logs still read).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
    /// The plan this attempt carries out (`apply`, `queue publish`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_hash: Option<String>,
    /// The approvals that let it through, as `name SHA256:fingerprint`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvals: Vec<String>,
    /// The plan's author as its authorship signature proves it (entry and key), not as the
    /// plan declares it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<crate::approval::ProvenAuthor>,
    /// Set by [`AuditLog::append`] when the clock that wrote `time` was behind the record
    /// before it: the time this record is at least as late as, by the log's own order. Rate
    /// counts and windows use the later of the two; `time` keeps what the clock said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
    pub outcome: Outcome,
    /// The record's own hash (see [`record_hash`]), written last by [`chained_line`] so that
    /// `verify` can tell the record that was edited from the one whose `prev` it broke. Logs
    /// written before it existed have none and still verify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
}

impl Record {
    /// A record about one account under a policy: what every command outside the publish
    /// pipeline (login, approve, lockdown, unlock, reconcile) records.
    pub fn about(
        policy: &crate::policy::Policy,
        account: &crate::account::Account,
        event: &str,
        action: &str,
        outcome: Outcome,
    ) -> Record {
        let mut r = Record::new(event, action, outcome);
        r.policy_sha256 = Some(policy.sha256.clone());
        r.account = Some(AccountRef::of(account));
        r
    }

    /// A record with the machine fields filled in and everything else empty.
    pub fn new(event: &str, action: &str, outcome: Outcome) -> Record {
        Record {
            seq: 0,
            prev: String::new(),
            time: jiff::Timestamp::now().to_string(),
            event: event.to_string(),
            action: action.to_string(),
            user: machine().0.clone(),
            hostname: machine().1.clone(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            policy_sha256: None,
            account: None,
            text_sha256: None,
            text: None,
            confirmation: None,
            credential_source: None,
            dry_run: false,
            post_key: None,
            images: Vec::new(),
            acts_on: None,
            reason: None,
            findings: Vec::new(),
            overrides: Vec::new(),
            plan_hash: None,
            approvals: Vec::new(),
            author: None,
            not_before: None,
            outcome,
            hash: None,
        }
    }

    /// When the record happened as far as counting goes: its time, or later if the log's
    /// order says so (see `not_before`). `None` if its time cannot be read.
    pub fn effective_time(&self) -> Option<jiff::Timestamp> {
        effective_time(Some(&self.time), self.not_before.as_deref())
    }
}

fn effective_time(time: Option<&str>, not_before: Option<&str>) -> Option<jiff::Timestamp> {
    let time = time.and_then(|t| t.parse::<jiff::Timestamp>().ok());
    let floor = not_before.and_then(|t| t.parse::<jiff::Timestamp>().ok());
    match (time, floor) {
        (Some(t), Some(f)) => Some(t.max(f)),
        (t, f) => t.or(f),
    }
}

/// Serialises a record as the chain's next line (with its newline) and returns its hash.
/// The line ends with the record's own `hash` field: the SHA-256 of the same line without it.
/// Public so benchmarks can build large logs exactly as `append` would.
pub fn chained_line(record: &mut Record, seq: u64, prev: String) -> Result<(Vec<u8>, String)> {
    record.seq = seq;
    record.prev = prev;
    record.hash = None;
    let mut line = serde_json::to_vec(&record).context("serialising the audit record")?;
    let hash = sha256_hex(&line);
    // `hash` is the last field and absent above, so the line ends with the record's `}`.
    line.pop();
    line.extend_from_slice(HASH_FIELD);
    line.extend_from_slice(hash.as_bytes());
    line.extend_from_slice(b"\"}\n");
    record.hash = Some(hash.clone());
    Ok((line, hash))
}

/// How a record's own hash starts, at the end of its line.
const HASH_FIELD: &[u8] = b",\"hash\":\"";
/// `,"hash":"`, 64 hex digits, `"}`.
const HASH_TAIL: usize = HASH_FIELD.len() + 64 + 2;

/// What a line (without its newline) says its hash is, and the line as it was hashed: the line
/// without its `hash` field. `None` for a line without one (a log older than the field).
fn own_hash(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = line.len().checked_sub(HASH_TAIL)?;
    let (body, tail) = line.split_at(at);
    let claimed = tail.strip_prefix(HASH_FIELD)?.strip_suffix(b"\"}")?;
    claimed.iter().all(u8::is_ascii_hexdigit).then_some((body, claimed))
}

/// The hash that chains a record (a line without its newline) to the next one's `prev`, and
/// that names an attempt: the SHA-256 of its line without its own `hash` field, or of the
/// whole line in a log older than that field. Computed from the bytes, never taken from the
/// field, so an edited record never passes as its original.
pub fn record_hash(line: &[u8]) -> String {
    match own_hash(line) {
        Some((body, _)) => {
            let mut hashed = body.to_vec();
            hashed.push(b'}');
            sha256_hex(&hashed)
        }
        None => sha256_hex(line),
    }
}

/// A line of the log as the store keeps it.
fn store_row(chain: &str, line: &[u8]) -> Result<crate::store::Row> {
    let record: Record = serde_json::from_slice(line).context("an audit record that is not valid JSON")?;
    let text = std::str::from_utf8(line).context("an audit record that is not UTF-8")?;
    let (post_id, post_url) = match &record.outcome {
        Outcome::Published { id, url } => (Some(id.clone()), Some(url.clone())),
        Outcome::Deleted { id } => (Some(id.clone()), None),
        _ => (None, None),
    };
    Ok(crate::store::Row {
        chain: chain.to_string(),
        seq: i64::try_from(record.seq).context("seq out of range")?,
        prev: record.prev.clone(),
        hash: record_hash(line),
        line: text.to_string(),
        time: record.effective_time().unwrap_or_else(jiff::Timestamp::now),
        hostname: record.hostname.clone(),
        os_user: record.user.clone(),
        event: record.event.clone(),
        status: record.outcome.status().to_string(),
        account: record
            .account
            .as_ref()
            .map(|a| (a.platform.clone(), a.host.clone(), a.handle.to_ascii_lowercase())),
        post_id,
        post_url,
    })
}

/// What `append` returns: where the record landed in the chain.
#[derive(Debug, Clone)]
pub struct Appended {
    pub seq: u64,
    pub hash: String,
    /// The record's `time`.
    pub time: jiff::Timestamp,
}

pub struct AuditLog {
    path: PathBuf,
    /// `[audit.shared]`: the store every record is copied to.
    shared: Option<crate::store::Config>,
    /// The last record this value wrote to the file but could not copy to a store that had to
    /// have it: the caller settles that attempt (see `publish::intent`).
    not_shared: std::sync::Mutex<Option<Appended>>,
    /// Set by `reading_past_damage`: how many unreadable lines the window scans skipped.
    skipped: Option<std::sync::atomic::AtomicUsize>,
    /// `[audit] syslog`: where each appended record is forwarded after the local fsync.
    syslog: Option<crate::syslog::Target>,
}

fn audit_failure(path: &Path, what: impl std::fmt::Display) -> Failure {
    Failure::new(ExitCode::Audit, format!("audit log {}: {what}", path.display()))
}

/// The time decisions are taken at: the clock, or the audit log's last record if that is later.
/// A clock set back then cannot reopen an expired window or a spent hour; a clock set forward
/// is not caught here (docs/security.md says what a clock can and cannot fool).
pub fn observed_now(log: &AuditLog) -> jiff::Timestamp {
    let clock = jiff::Timestamp::now();
    match log.latest_time() {
        Ok(Some(latest)) if latest > clock => latest,
        _ => clock,
    }
}

impl AuditLog {
    /// The log of a file alone: what `--audit-log FILE` readers and tests use.
    pub fn new(path: impl Into<PathBuf>) -> AuditLog {
        AuditLog {
            path: path.into(),
            shared: None,
            not_shared: std::sync::Mutex::new(None),
            skipped: None,
            syslog: None,
        }
    }

    /// The policy's log: its file, and every copy the policy's `[audit]` table asks for.
    /// Commands that append use this, never [`AuditLog::new`], so no record skips a copy.
    pub fn of(policy: &crate::policy::Policy) -> AuditLog {
        AuditLog {
            syslog: policy.audit_syslog.clone(),
            shared: policy.audit_shared.clone(),
            ..AuditLog::new(&policy.audit_path)
        }
    }

    /// The shared store this log copies to, if any.
    pub fn shared(&self) -> Option<&crate::store::Config> {
        self.shared.as_ref()
    }

    /// The record the last `append` wrote to the file, if the store that had to hold it did
    /// not take it (the append then failed).
    pub fn written_but_not_shared(&self) -> Option<Appended> {
        self.not_shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }

    /// The id of this log's chain in the store: the hash of its first record (so two logs never
    /// share one). `None` for an empty log.
    pub fn chain(&self) -> Result<Option<String>> {
        let file = match crate::paths::open_regular(OpenOptions::new().read(true), &self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(audit_failure(&self.path, format!("cannot open: {e}")).into()),
        };
        let mut first = Vec::new();
        BufReader::new(file)
            .read_until(b'\n', &mut first)
            .map_err(|e| audit_failure(&self.path, e))?;
        if first.pop() != Some(b'\n') {
            return Ok(None);
        }
        Ok(Some(record_hash(&first)))
    }

    /// The file's records after `seq`, as store rows, oldest first: what waited while the store
    /// was away. Reads the whole file, which only a backlog makes necessary.
    fn rows_after(&self, chain: &str, seq: i64) -> Result<Vec<crate::store::Row>> {
        let bytes = std::fs::read(&self.path).map_err(|e| audit_failure(&self.path, e))?;
        let mut rows = Vec::new();
        for line in bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            // A torn or damaged line is `verify`'s to report; the store gets what is whole.
            let Ok(row) = store_row(chain, line) else { continue };
            if row.seq > seq {
                rows.push(row);
            }
        }
        Ok(rows)
    }

    /// `postgate store sync`: sends the records the store lacks; returns how many.
    pub fn sync_to_store(&self) -> Result<usize> {
        let (Some(cfg), Some(chain)) = (&self.shared, self.chain()?) else {
            return Ok(0);
        };
        let have = crate::store::top(cfg, &chain)?;
        crate::store::send(cfg, &self.rows_after(&chain, have)?)
    }

    /// `log verify --store`: the store's chains, then this file against its own chain.
    pub fn compare_with_store(&self, cfg: &crate::store::Config) -> Result<crate::store::StoreCheck> {
        let mut check = crate::store::verify(cfg, GENESIS, record_hash)?;
        let Some(chain) = self.chain()? else { return Ok(check) };
        let held = crate::store::hashes(cfg, &chain)?;
        let top = held.keys().max().copied().unwrap_or(0);
        let mut local_top = 0;
        for row in self.rows_after(&chain, 0)? {
            local_top = row.seq;
            match held.get(&row.seq) {
                Some(h) if *h != row.hash => check.problems.push(format!(
                    "record {} differs between {} and the store",
                    row.seq,
                    self.path.display()
                )),
                None if row.seq <= top => check.problems.push(format!(
                    "record {} of {} is missing from the store",
                    row.seq,
                    self.path.display()
                )),
                None => check.waiting += 1,
                Some(_) => {}
            }
        }
        if top > local_top {
            check.problems.push(format!(
                "the store holds records {} to {top} of this machine's chain that {} does not",
                local_top + 1,
                self.path.display()
            ));
        }
        Ok(check)
    }

    /// Copies the record just written to the store. Only a publish's intent must get there
    /// (for an account the store is required for): it is what other machines count and find.
    /// Anything else that cannot be copied waits in the file for a later run.
    fn share(&self, record: &Record, appended: &Appended, line: &[u8]) -> Result<()> {
        let Some(cfg) = &self.shared else { return Ok(()) };
        let required = record.event == "intent"
            && !record.dry_run
            && record
                .account
                .as_ref()
                .is_some_and(|a| cfg.required_for(crate::account::Kind::of_str(&a.kind)));
        let pushed = self.chain().and_then(|chain| {
            let Some(chain) = chain else { return Ok(()) };
            let row = store_row(&chain, line.strip_suffix(b"\n").unwrap_or(line))?;
            crate::store::push(cfg, &row, |have| self.rows_after(&chain, have))
        });
        match pushed {
            Ok(()) => Ok(()),
            Err(e) if required => {
                *self
                    .not_shared
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(appended.clone());
                Err(e.context(Failure::said(
                    ExitCode::Audit,
                    crate::i18n::both!("refusal-store-intent", store = cfg.label()),
                )))
            }
            Err(e) => {
                crate::store::warn_unreachable(&e);
                Ok(())
            }
        }
    }

    /// A reader for `reconcile`, whose job is to raise an alarm even when the log is damaged:
    /// the window scans skip a line that is not a record (and count it, `skipped_lines`)
    /// instead of failing. Skipping can only hide postgate's own records, so a damaged log
    /// makes reconcile report too much, never too little. Everything that decides whether to
    /// publish keeps the strict reader.
    pub fn reading_past_damage(mut self) -> AuditLog {
        self.skipped = Some(std::sync::atomic::AtomicUsize::new(0));
        self
    }

    /// How many unreadable lines the scans of a `reading_past_damage` reader skipped so far.
    pub fn skipped_lines(&self) -> usize {
        self.skipped
            .as_ref()
            .map_or(0, |n| n.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Whether the file ends in the middle of a line: the mark of a write cut short, which
    /// blocks appends until `postgate log repair`. Reads one byte.
    pub fn torn_tail(&self) -> Result<bool> {
        let mut file = match crate::paths::open_regular(OpenOptions::new().read(true), &self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(audit_failure(&self.path, format!("cannot open: {e}")).into()),
        };
        let len = file.metadata().map_err(|e| audit_failure(&self.path, e))?.len();
        if len == 0 {
            return Ok(false);
        }
        let mut last = [0u8];
        file.seek(SeekFrom::Start(len - 1))
            .and_then(|_| file.read_exact(&mut last))
            .map_err(|e| audit_failure(&self.path, e))?;
        Ok(last[0] != b'\n')
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn open_for_append(&self) -> Result<File> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::paths::create_private_dir(dir)
                .map_err(|e| audit_failure(&self.path, format!("cannot create its folder: {e}")))?;
        }
        // Records hold post texts; keep them to the owner.
        crate::paths::open_regular(
            crate::paths::private_options().read(true).append(true).create(true),
            &self.path,
        )
        .map_err(|e| audit_failure(&self.path, format!("cannot open: {e}")).into())
    }

    /// Appends a record, chaining it to the last one, and fsyncs before returning.
    ///
    /// Holds an exclusive lock for the read-last-line-then-write step, so concurrent postgate
    /// processes never fork the chain.
    pub fn append(&self, mut record: Record) -> Result<Appended> {
        let mut file = self.open_for_append()?;
        file.lock()
            .map_err(|e| audit_failure(&self.path, format!("cannot lock: {e}")))?;
        let len = file.metadata().map_err(|e| audit_failure(&self.path, e))?.len();
        let (seq, prev) = if len == 0 {
            (1, GENESIS.to_string())
        } else {
            let last = read_last_line(&mut file, len).map_err(|e| audit_failure(&self.path, e))?;
            let Some(last) = last else {
                return Err(audit_failure(&self.path, "its last line is torn (a write was cut short)")
                    .hint("inspect it with `postgate log verify`, then move the fragment aside with `postgate log repair`")
                    .into());
            };
            let link: Link = serde_json::from_slice(&last).map_err(|e| {
                audit_failure(&self.path, format!("its last record is not valid JSON ({e})"))
                    .hint("run `postgate log verify`")
            })?;
            // A clock set back (or a machine whose clock is behind) must not make this record
            // look older than the one before it: rate counts and windows read `not_before`.
            if let (Some(floor), Ok(time)) = (link.effective_time(), record.time.parse::<jiff::Timestamp>())
                && time < floor
            {
                record.not_before = Some(floor.to_string());
            }
            (link.seq + 1, record_hash(&last))
        };
        let (line, hash) = chained_line(&mut record, seq, prev)?;
        file.write_all(&line)
            .map_err(|e| audit_failure(&self.path, format!("write failed: {e}")))?;
        file.sync_data()
            .map_err(|e| audit_failure(&self.path, format!("fsync failed: {e}")))?;
        if let Some(target) = &self.syslog {
            crate::syslog::forward(target, &self.path, &mut file, len, &line);
        }
        let time = record.time.parse().unwrap_or_else(|_| jiff::Timestamp::now());
        let appended = Appended { seq, hash, time };
        // The file's lock is released first: the store may take a while to answer.
        drop(file);
        self.share(&record, &appended, &line)?;
        Ok(appended)
    }

    /// Reads every complete record, in order. A torn last line is skipped here; `verify`
    /// reports it.
    pub fn read_all(&self) -> Result<Vec<Record>> {
        let file = match crate::paths::open_regular(OpenOptions::new().read(true), &self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(audit_failure(&self.path, format!("cannot open: {e}")).into()),
        };
        let mut records = Vec::new();
        for (n, line) in BufReader::new(file).split(b'\n').enumerate() {
            let line = line.map_err(|e| audit_failure(&self.path, e))?;
            match serde_json::from_slice::<Record>(&line) {
                Ok(r) => records.push(r),
                Err(e) => {
                    return Err(
                        audit_failure(&self.path, format!("line {} is not a valid record: {e}", n + 1))
                            .hint("run `postgate log verify`")
                            .into(),
                    );
                }
            }
        }
        Ok(records)
    }

    /// Checks the whole chain and reports the first break.
    pub fn verify(&self) -> Result<Verification> {
        let file = match crate::paths::open_regular(OpenOptions::new().read(true), &self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Verification {
                    records: 0,
                    head: None,
                    problem: None,
                    warnings: Vec::new(),
                });
            }
            Err(e) => return Err(audit_failure(&self.path, format!("cannot open: {e}")).into()),
        };
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut line = Vec::with_capacity(4096);
        let mut prev_hash = GENESIS.to_string();
        // Whether the record before carried its own hash: from the first that does, all do.
        let mut hashed_before = false;
        let mut count = 0u64;
        let mut offset = 0u64;
        let mut warnings = Vec::new();
        // The latest time seen so far in the log's order, and on which line.
        let mut latest: Option<(jiff::Timestamp, u64)> = None;
        loop {
            line.clear();
            let n = reader
                .read_until(b'\n', &mut line)
                .map_err(|e| audit_failure(&self.path, e))?;
            if n == 0 {
                break;
            }
            let line_no = count + 1;
            if line.last() != Some(&b'\n') {
                return Ok(Verification {
                    records: count,
                    head: Some(prev_hash),
                    warnings,
                    problem: Some(Problem {
                        line: line_no,
                        seq: None,
                        kind: ProblemKind::TornTail {
                            offset,
                            bytes: n as u64,
                        },
                    }),
                });
            }
            let body = &line[..line.len() - 1];
            let problem = |seq, kind| Problem {
                line: line_no,
                seq,
                kind,
            };
            let link: Link = match serde_json::from_slice(body) {
                Ok(l) => l,
                Err(e) => {
                    return Ok(Verification {
                        records: count,
                        head: Some(prev_hash),
                        warnings,
                        problem: Some(problem(None, ProblemKind::Unparsable(e.to_string()))),
                    });
                }
            };
            let hash = record_hash(body);
            let claimed = own_hash(body).map(|(_, claimed)| claimed);
            // A record that carries its own hash is judged by it first, so an edit is blamed on
            // the record edited, not on the next one whose `prev` it broke.
            let found = if claimed.is_some_and(|c| c != hash.as_bytes()) {
                Some(ProblemKind::Edited)
            } else if claimed.is_none() && hashed_before {
                Some(ProblemKind::HashRemoved)
            } else if link.seq != line_no {
                Some(ProblemKind::BadSeq {
                    expected: line_no,
                    found: link.seq,
                })
            } else if link.prev != prev_hash {
                Some(ProblemKind::BadPrev {
                    previous_hashed: hashed_before,
                })
            } else {
                None
            };
            if let Some(kind) = found {
                return Ok(Verification {
                    records: count,
                    head: Some(prev_hash),
                    warnings,
                    problem: Some(problem(Some(link.seq), kind)),
                });
            }
            if let Some(time) = link.time.as_deref().and_then(|t| t.parse::<jiff::Timestamp>().ok()) {
                match latest {
                    Some((before, before_line)) if time < before => warnings.push(format!(
                        "line {line_no} (seq {}): its time {time} is earlier than {before} on line {before_line}; \
                         the clock that wrote it was set back or is behind",
                        link.seq
                    )),
                    _ => latest = Some((time, line_no)),
                }
            }
            prev_hash = hash;
            hashed_before = claimed.is_some();
            count += 1;
            offset += n as u64;
        }
        let head = (count > 0).then_some(prev_hash);
        Ok(Verification {
            records: count,
            head,
            problem: None,
            warnings,
        })
    }

    /// Moves a torn last line into a side file and records that in the chain.
    ///
    /// Never automatic: a torn line may be evidence, so a person decides, and the fragment is
    /// kept byte for byte.
    pub fn repair(&self) -> Result<Option<Appended>> {
        let verification = self.verify()?;
        let Some(Problem {
            kind: ProblemKind::TornTail { offset, bytes },
            ..
        }) = verification.problem
        else {
            if let Some(p) = verification.problem {
                return Err(audit_failure(&self.path, format!("cannot repair: {}", p.describe()))
                    .hint("only a torn last line can be repaired; a broken chain needs a person to investigate")
                    .into());
            }
            return Ok(None);
        };
        let mut file = crate::paths::open_regular(OpenOptions::new().read(true).write(true), &self.path)
            .map_err(|e| audit_failure(&self.path, e))?;
        file.lock()
            .map_err(|e| audit_failure(&self.path, format!("cannot lock: {e}")))?;
        let mut fragment = Vec::with_capacity(bytes as usize);
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| audit_failure(&self.path, e))?;
        file.read_to_end(&mut fragment)
            .map_err(|e| audit_failure(&self.path, e))?;
        let saved = save_fragment(&self.path, &fragment).map_err(|e| {
            audit_failure(&self.path, format!("cannot save fragment: {e}"))
                .hint("the log is unchanged and nothing was left behind; free some space, then run `postgate log repair` again")
        })?;
        file.set_len(offset).map_err(|e| audit_failure(&self.path, e))?;
        file.sync_all().map_err(|e| audit_failure(&self.path, e))?;
        drop(file);
        let record = Record::new(
            "repair",
            "log repair",
            Outcome::Repaired {
                fragment_sha256: sha256_hex(&fragment),
                fragment_bytes: fragment.len() as u64,
                saved_to: saved.display().to_string(),
            },
        );
        self.append(record).map(Some)
    }
}

/// The fields the chain and the log's order need; parsing only these keeps `verify` fast.
#[derive(Deserialize)]
struct Link {
    seq: u64,
    prev: String,
    #[serde(default)]
    time: Option<String>,
    #[serde(default)]
    not_before: Option<String>,
}

impl Link {
    fn effective_time(&self) -> Option<jiff::Timestamp> {
        effective_time(self.time.as_deref(), self.not_before.as_deref())
    }
}

#[derive(Debug)]
pub struct Verification {
    /// Records that verified before the first problem.
    pub records: u64,
    /// SHA-256 of the last good record.
    pub head: Option<String>,
    pub problem: Option<Problem>,
    /// Records whose time goes backwards: the chain holds, but a clock was wrong.
    pub warnings: Vec<String>,
}

#[derive(Debug, PartialEq)]
pub struct Problem {
    /// 1-based line number in the file.
    pub line: u64,
    pub seq: Option<u64>,
    pub kind: ProblemKind,
}

#[derive(Debug, PartialEq)]
pub enum ProblemKind {
    /// The file ends without a newline: a write was cut short.
    TornTail {
        offset: u64,
        bytes: u64,
    },
    Unparsable(String),
    /// A record is missing or was inserted.
    BadSeq {
        expected: u64,
        found: u64,
    },
    /// The record does not match its own `hash`: it was changed after it was written.
    Edited,
    /// The record has no `hash` although the one before it has: it was rewritten without it.
    HashRemoved,
    /// `prev` does not match the record before. When that record carries its own hash (and it
    /// matched), it was rewritten together with its hash; otherwise either may have changed.
    BadPrev {
        previous_hashed: bool,
    },
}

impl Problem {
    pub fn describe(&self) -> String {
        match &self.kind {
            ProblemKind::TornTail { offset, bytes } => format!(
                "line {} is torn: {bytes} bytes at offset {offset} without a final newline (a write was cut short)",
                self.line
            ),
            ProblemKind::Unparsable(e) => format!("line {} is not a valid record: {e}", self.line),
            ProblemKind::BadSeq { expected, found } if found > expected => {
                let missing = if found - expected == 1 {
                    format!("record {expected} is missing")
                } else {
                    format!("records {expected} to {} are missing", found - 1)
                };
                format!(
                    "line {}: {missing} (expected seq {expected}, found {found}): removed from the log",
                    self.line
                )
            }
            ProblemKind::BadSeq { expected, found } => format!(
                "line {}: expected seq {expected}, found {found} (a record was inserted, or records reordered)",
                self.line
            ),
            ProblemKind::Edited => format!(
                "record {} (line {}) was changed after it was written: it does not match its own hash",
                self.seq.unwrap_or(0),
                self.line
            ),
            ProblemKind::HashRemoved => format!(
                "record {} (line {}) has no hash although the records before it have: it was rewritten",
                self.seq.unwrap_or(0),
                self.line
            ),
            ProblemKind::BadPrev { previous_hashed: true } => format!(
                "record {seq} (line {}): its `prev` does not match record {before}, which matches its own hash: \
                 record {before} was rewritten along with its hash",
                self.line,
                seq = self.seq.unwrap_or(0),
                before = self.seq.unwrap_or(1).saturating_sub(1),
            ),
            ProblemKind::BadPrev { previous_hashed: false } => format!(
                "record {before} or {seq} was changed (line {}): record {seq}'s `prev` does not match record {before}",
                self.line,
                seq = self.seq.unwrap_or(0),
                before = self.seq.unwrap_or(1).saturating_sub(1),
            ),
        }
    }
}

/// Returns the last complete line (without its newline), or `None` if the file does not end
/// with a newline. Reads backwards in growing chunks so the cost depends on the record size,
/// not the log size.
/// Which account a record is about, for counting: the identity at the platform, not the
/// policy's name, so renaming an account in the policy does not reset its rate.
fn same_account(r: &AccountRef, platform: &str, host: &str, handle: &str) -> bool {
    r.platform == platform && r.host == host && r.handle.eq_ignore_ascii_case(handle)
}

/// An attempt whose outcome the log does not know (see [`AuditLog::in_doubt_since`]).
#[derive(Debug, Clone, PartialEq)]
pub struct InDoubt {
    /// The intent record.
    pub seq: u64,
    pub time: jiff::Timestamp,
    /// The post key the attempt presented to the platform.
    pub key: String,
    pub action: String,
    pub plan_hash: Option<String>,
    pub text_sha256: Option<String>,
    pub text: Option<String>,
    pub images: Vec<String>,
}

pub use crate::platform::spec::SERVER_CLOCK_MARGIN;

impl InDoubt {
    /// Whether a post found on the platform may be this attempt's: the same text (spacing
    /// aside, since a platform may render it as HTML and back), and not made before the
    /// attempt (with a margin for the server's clock).
    pub fn may_be(&self, text: &str, created_at: Option<jiff::Timestamp>) -> bool {
        let margin = SERVER_CLOCK_MARGIN;
        let spaced = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        let same_text = self.text_sha256.as_deref() == Some(sha256_hex(text.as_bytes()).as_str())
            || self.text.as_deref().is_some_and(|mine| spaced(mine) == spaced(text));
        same_text && created_at.is_none_or(|t| self.time.checked_sub(margin).is_ok_and(|earliest| t >= earliest))
    }
}

/// What the log says about one plan.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanState {
    /// Never attempted, or every attempt ended without publishing.
    Unseen,
    Published {
        id: String,
        url: String,
        seq: u64,
    },
    /// An attempt recorded its intent and nothing after it: it may or may not have reached the
    /// platform (a crash, a killed job).
    InDoubt {
        seq: u64,
        time: jiff::Timestamp,
    },
}

impl AuditLog {
    /// What became of the plan with this hash, from every record that names it.
    ///
    /// Only lines that contain the hash are parsed, so a long log costs one scan of its bytes.
    pub fn plan_state(&self, plan_hash: &str) -> Result<PlanState> {
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(PlanState::Unseen),
            Err(e) => return Err(audit_failure(&self.path, format!("cannot read: {e}")).into()),
        };
        let finder = memchr::memmem::Finder::new(plan_hash.as_bytes());
        let mut state = PlanState::Unseen;
        let mut at = 0;
        while let Some(found) = finder.find(&bytes[at..]) {
            let hit = at + found;
            let start = bytes[..hit].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let end = memchr::memchr(b'\n', &bytes[hit..]).map_or(bytes.len(), |i| hit + i);
            at = end;
            let Ok(record) = serde_json::from_slice::<Record>(&bytes[start..end]) else {
                // A torn last line; `log verify` reports it.
                continue;
            };
            if record.plan_hash.as_deref() != Some(plan_hash) || record.dry_run {
                continue;
            }
            match (&record.outcome, record.event.as_str()) {
                (Outcome::Published { id, url }, _) => {
                    state = PlanState::Published {
                        id: id.clone(),
                        url: url.clone(),
                        seq: record.seq,
                    };
                }
                (Outcome::Pending, "intent") if !matches!(state, PlanState::Published { .. }) => {
                    state = PlanState::InDoubt {
                        seq: record.seq,
                        time: record.time.parse().unwrap_or(jiff::Timestamp::UNIX_EPOCH),
                    };
                }
                (Outcome::Failed { .. }, _) if matches!(state, PlanState::InDoubt { .. }) => {
                    state = PlanState::Unseen;
                }
                _ => {}
            }
            if at >= bytes.len() {
                break;
            }
        }
        Ok(state)
    }

    /// When the account published (posts and corrections) since `since`, newest first.
    pub fn published_since(
        &self,
        platform: &str,
        host: &str,
        handle: &str,
        since: jiff::Timestamp,
    ) -> Result<Vec<jiff::Timestamp>> {
        let mut out = Vec::new();
        self.scan_back(since, |record, time| {
            if matches!(record.outcome, Outcome::Published { .. })
                && record
                    .account
                    .as_ref()
                    .is_some_and(|a| same_account(a, platform, host, handle))
            {
                out.push(time);
            }
        })?;
        out.extend(
            self.shared_published(platform, host, handle, since)
                .into_iter()
                .map(|(t, _)| t),
        );
        out.sort_unstable_by(|a, b| b.cmp(a));
        Ok(out)
    }

    /// The ids of the posts postgate published on the account since `since`: what `reconcile`
    /// expects to find on the platform.
    pub fn published_ids_since(
        &self,
        platform: &str,
        host: &str,
        handle: &str,
        since: jiff::Timestamp,
    ) -> Result<std::collections::HashSet<String>> {
        let mut ids = self.ids_since(platform, host, handle, since, |o| match o {
            Outcome::Published { id, .. } => Some(id),
            _ => None,
        })?;
        ids.extend(
            self.shared_published(platform, host, handle, since)
                .into_iter()
                .map(|(_, id)| id),
        );
        Ok(ids)
    }

    /// The posts other machines published on the account since `since`, from the store. A
    /// store that cannot be read adds nothing, with a warning: where the store is required the
    /// publish is refused anyway (its lock and its intent need it).
    fn shared_published(
        &self,
        platform: &str,
        host: &str,
        handle: &str,
        since: jiff::Timestamp,
    ) -> Vec<(jiff::Timestamp, String)> {
        let Some(cfg) = &self.shared else { return Vec::new() };
        let chain = self.chain().ok().flatten();
        match crate::store::published_since(cfg, chain.as_deref(), platform, host, handle, since) {
            Ok(found) => found,
            Err(e) => {
                crate::store::warn_unreachable(&e);
                Vec::new()
            }
        }
    }

    /// The ids of the foreign posts `reconcile` already recorded for the account since `since`.
    pub fn foreign_ids_since(
        &self,
        platform: &str,
        host: &str,
        handle: &str,
        since: jiff::Timestamp,
    ) -> Result<std::collections::HashSet<String>> {
        self.ids_since(platform, host, handle, since, |o| match o {
            Outcome::Foreign { id, .. } => Some(id),
            _ => None,
        })
    }

    /// The attempts on the account since `since` that recorded their intent and never their
    /// outcome (a crash, a SIGKILL, a lost outcome record), newest first. Each may or may not
    /// have reached the platform; its post key is what a retry must present again.
    pub fn in_doubt_since(
        &self,
        platform: &str,
        host: &str,
        handle: &str,
        since: jiff::Timestamp,
    ) -> Result<Vec<InDoubt>> {
        let mut settled = std::collections::HashSet::new();
        let mut out = Vec::new();
        self.scan_back_lines(since, |record, time, line| {
            if !record
                .account
                .as_ref()
                .is_some_and(|a| same_account(a, platform, host, handle))
                || record.dry_run
            {
                return;
            }
            if record.event != "intent" {
                // Scanning backwards, an attempt's outcome comes before its intent. A failure
                // that could not say whether the post went out (exit 10: X gave no answer and
                // its listing could not tell) settles nothing: the attempt stays in doubt, for
                // the next run and `reconcile` to settle by looking.
                let unknown = record.event == "outcome"
                    && matches!(record.outcome, Outcome::Failed { exit_code, .. } if exit_code == crate::exit_codes::ExitCode::Incomplete.code());
                if let Some(key) = record.post_key.as_ref().filter(|_| !unknown) {
                    settled.insert(key.clone());
                }
                return;
            }
            if !matches!(record.outcome, Outcome::Pending) {
                return;
            }
            // The key the attempt used: written in the intent when it was known beforehand
            // (a plan, a retry of an earlier attempt), else the intent's own hash.
            let key = record
                .post_key
                .clone()
                .or_else(|| {
                    record
                        .plan_hash
                        .as_ref()
                        .map(|h| h.trim_start_matches("sha256:").to_string())
                })
                .unwrap_or_else(|| record_hash(line));
            if settled.contains(&key) {
                return;
            }
            out.push(InDoubt {
                seq: record.seq,
                // As the attempt saw it: a Bluesky record key was derived from it.
                time: record.time.parse().unwrap_or(time),
                key,
                action: record.action.clone(),
                plan_hash: record.plan_hash.clone(),
                text_sha256: record.text_sha256.clone(),
                text: record.text.clone(),
                images: record.images.clone(),
            });
        })?;
        Ok(out)
    }

    /// When the log's last record happened, by its effective time: a clock behind this is
    /// behind the log. `None` for an empty log or a torn last line.
    pub fn latest_time(&self) -> Result<Option<jiff::Timestamp>> {
        let mut file = match crate::paths::open_regular(OpenOptions::new().read(true), &self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(audit_failure(&self.path, format!("cannot open: {e}")).into()),
        };
        let len = file.metadata().map_err(|e| audit_failure(&self.path, e))?.len();
        if len == 0 {
            return Ok(None);
        }
        let last = read_last_line(&mut file, len).map_err(|e| audit_failure(&self.path, e))?;
        Ok(last
            .and_then(|l| serde_json::from_slice::<Link>(&l).ok())
            .and_then(|l| l.effective_time()))
    }

    fn ids_since(
        &self,
        platform: &str,
        host: &str,
        handle: &str,
        since: jiff::Timestamp,
        pick: impl Fn(&Outcome) -> Option<&String>,
    ) -> Result<std::collections::HashSet<String>> {
        let mut out = std::collections::HashSet::new();
        self.scan_back(since, |record, _| {
            if let Some(id) = pick(&record.outcome)
                && record
                    .account
                    .as_ref()
                    .is_some_and(|a| same_account(a, platform, host, handle))
            {
                out.insert(id.clone());
            }
        })?;
        Ok(out)
    }

    /// Calls `each` on every record from the newest back to the first one older than `since`.
    fn scan_back(&self, since: jiff::Timestamp, mut each: impl FnMut(&Record, jiff::Timestamp)) -> Result<()> {
        self.scan_back_lines(since, |record, time, _| each(record, time))
    }

    /// [`Self::scan_back`], with each record's line (for its hash).
    ///
    /// Reads backwards from the end and stops at the first older record, so the cost follows
    /// the window, not the size of the log. "Older" is by the effective time (see
    /// `Record::not_before`), which never goes backwards along the log, so a record written by
    /// a clock set back cannot end the scan before the records it follows.
    fn scan_back_lines(
        &self,
        since: jiff::Timestamp,
        mut each: impl FnMut(&Record, jiff::Timestamp, &[u8]),
    ) -> Result<()> {
        const CHUNK: u64 = 64 * 1024;
        let mut file = match crate::paths::open_regular(OpenOptions::new().read(true), &self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(audit_failure(&self.path, format!("cannot open: {e}")).into()),
        };
        let len = file.metadata().map_err(|e| audit_failure(&self.path, e))?.len();
        if len == 0 {
            return Ok(());
        }
        let mut last = [0u8];
        file.seek(SeekFrom::Start(len - 1))
            .and_then(|_| file.read_exact(&mut last))
            .map_err(|e| audit_failure(&self.path, e))?;
        // A torn last line (no newline) is `verify`'s business; appends refuse until repaired.
        // It is skipped here however long it is, up to the newline before it.
        let mut in_torn_tail = last[0] != b'\n';
        // The line being read, in pieces from the end backwards: a line longer than a chunk is
        // put together once, when its start is found, so a long line costs its length, not its
        // length squared.
        let mut pending: Vec<Vec<u8>> = Vec::new();
        let mut pos = len;
        while pos > 0 {
            let n = CHUNK.min(pos);
            pos -= n;
            let mut chunk = vec![0; n as usize];
            file.seek(SeekFrom::Start(pos))
                .and_then(|_| file.read_exact(&mut chunk))
                .map_err(|e| audit_failure(&self.path, e))?;
            let mut end = chunk.len();
            while let Some(nl) = memchr::memrchr(b'\n', &chunk[..end]) {
                if in_torn_tail {
                    in_torn_tail = false;
                    pending.clear();
                } else {
                    let line = joined(&chunk[nl + 1..end], &mut pending);
                    if !self.scan_one(&line, since, &mut each)? {
                        return Ok(());
                    }
                }
                end = nl;
            }
            if !in_torn_tail {
                pending.push(chunk[..end].to_vec());
            }
        }
        if !in_torn_tail {
            let line = joined(&[], &mut pending);
            self.scan_one(&line, since, &mut each)?;
        }
        Ok(())
    }

    /// One line of [`Self::scan_back_lines`]: false once a record older than `since` ends the
    /// scan.
    fn scan_one(
        &self,
        line: &[u8],
        since: jiff::Timestamp,
        each: &mut impl FnMut(&Record, jiff::Timestamp, &[u8]),
    ) -> Result<bool> {
        if line.is_empty() {
            return Ok(true);
        }
        let record: Record = match (serde_json::from_slice(line), &self.skipped) {
            (Ok(record), _) => record,
            (Err(_), Some(skipped)) => {
                skipped.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return Ok(true);
            }
            (Err(e), None) => {
                return Err(audit_failure(&self.path, format!("a record is not valid JSON ({e})"))
                    .hint("run `postgate log verify`")
                    .into());
            }
        };
        let Some(time) = record.effective_time() else {
            return Ok(true);
        };
        if time < since {
            return Ok(false);
        }
        each(&record, time, line);
        Ok(true)
    }
}

/// `head` followed by the pieces read after it, which `pending` holds last first; empties it.
fn joined(head: &[u8], pending: &mut Vec<Vec<u8>>) -> Vec<u8> {
    let mut line = Vec::with_capacity(head.len() + pending.iter().map(Vec::len).sum::<usize>());
    line.extend_from_slice(head);
    for piece in pending.drain(..).rev() {
        line.extend_from_slice(&piece);
    }
    line
}

fn read_last_line(file: &mut File, len: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut chunk: u64 = 4096;
    loop {
        let start = len.saturating_sub(chunk);
        file.seek(SeekFrom::Start(start))?;
        let mut buf = vec![0; (len - start) as usize];
        file.read_exact(&mut buf)?;
        if buf.last() != Some(&b'\n') {
            return Ok(None);
        }
        let body = &buf[..buf.len() - 1];
        if let Some(i) = body.iter().rposition(|&b| b == b'\n') {
            return Ok(Some(body[i + 1..].to_vec()));
        }
        if start == 0 {
            return Ok(Some(body.to_vec()));
        }
        chunk *= 4;
    }
}

/// Saves a torn fragment beside the log as `<log>.torn-<unix time>`, owner only, under a name
/// not taken yet (a second repair in the same second adds `-2`, `-3`, ...): a fragment may be
/// evidence and is never overwritten. Nothing is left behind if the write fails.
fn save_fragment(log: &Path, fragment: &[u8]) -> std::io::Result<PathBuf> {
    let stamp = jiff::Timestamp::now().as_second();
    for n in 1..=100u32 {
        let suffix = if n == 1 { String::new() } else { format!("-{n}") };
        let saved = log.with_extension(format!("torn-{stamp}{suffix}"));
        match crate::paths::write_new_private(&saved, fragment) {
            Ok(()) => {
                // The name must survive a crash too, before the log is cut.
                let dir = saved.parent().filter(|d| !d.as_os_str().is_empty());
                if let Some(Err(e)) = dir.map(|d| File::open(d).and_then(|f| f.sync_all())) {
                    let _ = std::fs::remove_file(&saved);
                    return Err(e);
                }
                return Ok(saved);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        "a hundred fragments were saved this second already",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_since_counts_this_account_back_to_the_window() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::new(dir.path().join("audit.jsonl"));
        let account = |handle: &str| AccountRef {
            name: "x".into(),
            handle: handle.into(),
            kind: "official".into(),
            platform: "mastodon".into(),
            host: "social.example".into(),
        };
        let base = jiff::Timestamp::from_second(1_800_000_000).unwrap();
        // 3000 records (several 64 KiB chunks), one a minute; every third is ours and published.
        for i in 0..3000i64 {
            let outcome = if i % 3 == 0 {
                Outcome::Published {
                    id: i.to_string(),
                    url: String::new(),
                }
            } else {
                Outcome::Pending
            };
            let mut r = Record::new("outcome", "post", outcome);
            r.time = (base + jiff::SignedDuration::from_mins(i)).to_string();
            r.account = Some(account(if i % 2 == 0 { "@us" } else { "@them" }));
            r.text = Some("x".repeat(100));
            log.append(r).unwrap();
        }
        let last = base + jiff::SignedDuration::from_mins(2999);
        let since = last - jiff::SignedDuration::from_mins(60);
        let found = log.published_since("mastodon", "social.example", "@US", since).unwrap();
        // Minutes 2939..=2999 that are multiples of 6 (ours: even; published: multiple of 3).
        let expected = (2939..=2999).filter(|i| i % 6 == 0).count();
        assert_eq!(found.len(), expected);
        assert!(found.windows(2).all(|w| w[0] > w[1]), "newest first");
        let all = log.published_since("mastodon", "social.example", "@us", base).unwrap();
        assert_eq!(all.len(), 500);
        assert!(
            log.published_since("bluesky", "social.example", "@us", base)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_clock_set_back_neither_hides_earlier_posts_nor_passes_verify_unnoticed() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::new(dir.path().join("audit.jsonl"));
        let us = AccountRef {
            name: "x".into(),
            handle: "@us".into(),
            kind: "official".into(),
            platform: "outbox".into(),
            host: "local".into(),
        };
        let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
        let at = |mins: i64| (now - jiff::SignedDuration::from_mins(mins)).to_string();
        for (time, outcome) in [
            (
                at(5),
                Outcome::Published {
                    id: "1".into(),
                    url: String::new(),
                },
            ),
            (
                at(4),
                Outcome::Published {
                    id: "2".into(),
                    url: String::new(),
                },
            ),
            // Written three hours "earlier" by a clock set back.
            (at(180), Outcome::DryRun),
        ] {
            let mut r = Record::new("outcome", "post", outcome);
            r.time = time;
            r.account = Some(us.clone());
            log.append(r).unwrap();
        }
        let records = log.read_all().unwrap();
        assert_eq!(records[2].not_before.as_deref(), Some(at(4).as_str()));
        assert_eq!(
            records[2].effective_time(),
            Some(now - jiff::SignedDuration::from_mins(4))
        );
        // The scan reads past the record that went back.
        let hour = now - jiff::SignedDuration::from_hours(1);
        assert_eq!(log.published_since("outbox", "local", "@us", hour).unwrap().len(), 2);
        assert_eq!(
            log.latest_time().unwrap(),
            Some(now - jiff::SignedDuration::from_mins(4))
        );
        let v = log.verify().unwrap();
        assert!(v.problem.is_none());
        assert_eq!(v.warnings.len(), 1, "{:?}", v.warnings);
        assert!(
            v.warnings[0].starts_with("line 3 (seq 3): its time"),
            "{}",
            v.warnings[0]
        );
    }

    #[test]
    fn an_intent_without_outcome_is_in_doubt_until_an_outcome_names_its_key() {
        let (_d, log) = log_with(0);
        let us = AccountRef {
            name: "x".into(),
            handle: "@us".into(),
            kind: "official".into(),
            platform: "outbox".into(),
            host: "local".into(),
        };
        let intent = |text: &str, key: Option<&str>| {
            let mut r = Record::new("intent", "post", Outcome::Pending);
            r.account = Some(us.clone());
            r.text = Some(text.into());
            r.text_sha256 = Some(sha256_hex(text.as_bytes()));
            r.post_key = key.map(str::to_string);
            log.append(r).unwrap()
        };
        let outcome = |key: &str| {
            let mut r = Record::new(
                "outcome",
                "post",
                Outcome::Published {
                    id: "p".into(),
                    url: String::new(),
                },
            );
            r.account = Some(us.clone());
            r.post_key = Some(key.into());
            log.append(r).unwrap();
        };
        let done = intent("fini", None);
        outcome(&done.hash);
        let killed = intent("tué", None);
        let since = jiff::Timestamp::UNIX_EPOCH;
        let doubt = log.in_doubt_since("outbox", "local", "@us", since).unwrap();
        assert_eq!(doubt.len(), 1);
        assert_eq!(
            (doubt[0].seq, doubt[0].key.as_str()),
            (killed.seq, killed.hash.as_str())
        );
        assert!(doubt[0].may_be("tué", None));
        assert!(!doubt[0].may_be("autre", None));
        // A retry under the same key, itself killed: still one attempt in doubt, the retry.
        let retry = intent("tué", Some(&killed.hash));
        let doubt = log.in_doubt_since("outbox", "local", "@us", since).unwrap();
        assert_eq!(
            doubt.iter().map(|d| d.seq).collect::<Vec<_>>(),
            vec![retry.seq, killed.seq]
        );
        assert!(doubt.iter().all(|d| d.key == killed.hash));
        // Its outcome settles both.
        outcome(&killed.hash);
        assert!(log.in_doubt_since("outbox", "local", "@us", since).unwrap().is_empty());
        assert!(
            log.in_doubt_since("outbox", "local", "@them", since)
                .unwrap()
                .is_empty()
        );
    }

    fn log_with(n: usize) -> (tempfile::TempDir, AuditLog) {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::new(dir.path().join("sub/audit.jsonl"));
        for i in 0..n {
            let mut r = Record::new("intent", "post", Outcome::Pending);
            r.text = Some(format!("post {i}\nwith a newline"));
            log.append(r).unwrap();
        }
        (dir, log)
    }

    #[test]
    fn chain_verifies_and_seq_counts_up() {
        let (_d, log) = log_with(5);
        let v = log.verify().unwrap();
        assert_eq!(v.records, 5);
        assert!(v.problem.is_none());
        let records = log.read_all().unwrap();
        assert_eq!(records.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5]);
        assert_eq!(records[0].prev, GENESIS);
    }

    #[test]
    fn long_records_are_found_from_the_end() {
        let (_d, log) = log_with(1);
        let mut r = Record::new("intent", "post", Outcome::Pending);
        r.text = Some("x".repeat(100_000));
        log.append(r).unwrap();
        log.append(Record::new("outcome", "post", Outcome::DryRun)).unwrap();
        assert!(log.verify().unwrap().problem.is_none());
    }

    #[test]
    fn edited_record_is_detected() {
        let (_d, log) = log_with(4);
        let text = std::fs::read_to_string(log.path()).unwrap();
        std::fs::write(log.path(), text.replacen("post 1", "post X", 1)).unwrap();
        let p = log.verify().unwrap().problem.unwrap();
        // "post 1" is record 2: it is the one named, not record 3 whose `prev` it broke.
        assert_eq!((p.line, p.seq, &p.kind), (2, Some(2), &ProblemKind::Edited));
        assert_eq!(
            p.describe(),
            "record 2 (line 2) was changed after it was written: it does not match its own hash"
        );
    }

    /// A log as postgate wrote it before records carried their own hash: each `prev` is the
    /// SHA-256 of the whole line before.
    fn old_log(n: u64) -> (tempfile::TempDir, AuditLog) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.jsonl");
        let mut prev = GENESIS.to_string();
        let mut text = Vec::new();
        for seq in 1..=n {
            let mut r = Record::new("intent", "post", Outcome::Pending);
            r.seq = seq;
            r.prev = prev;
            r.text = Some(format!("post {seq}"));
            let line = serde_json::to_vec(&r).unwrap();
            assert!(!String::from_utf8_lossy(&line).contains("\"hash\""));
            prev = sha256_hex(&line);
            text.extend_from_slice(&line);
            text.push(b'\n');
        }
        std::fs::write(&path, text).unwrap();
        (dir, AuditLog::new(path))
    }

    #[test]
    fn a_log_older_than_record_hashes_still_verifies_and_takes_new_records() {
        let (_d, log) = old_log(3);
        assert!(log.verify().unwrap().problem.is_none());
        log.append(Record::new("intent", "post", Outcome::Pending)).unwrap();
        log.append(Record::new("outcome", "post", Outcome::DryRun)).unwrap();
        let v = log.verify().unwrap();
        assert_eq!((v.records, v.problem), (5, None));
        assert_eq!(log.read_all().unwrap()[4].hash.as_deref(), v.head.as_deref());
    }

    #[test]
    fn an_edit_in_an_old_log_names_both_records_it_may_be() {
        let (_d, log) = old_log(5);
        let text = std::fs::read_to_string(log.path()).unwrap();
        std::fs::write(log.path(), text.replacen("post 3", "post X", 1)).unwrap();
        let p = log.verify().unwrap().problem.unwrap();
        assert_eq!(p.kind, ProblemKind::BadPrev { previous_hashed: false });
        assert_eq!(
            p.describe(),
            "record 3 or 4 was changed (line 4): record 4's `prev` does not match record 3"
        );
    }

    #[test]
    fn an_edit_that_rewrites_the_hash_too_is_blamed_on_the_rewritten_record() {
        let (_d, log) = log_with(4);
        let text = std::fs::read_to_string(log.path()).unwrap();
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        let mut r: Record = serde_json::from_str(&lines[1]).unwrap();
        r.text = Some("forged".into());
        let prev = r.prev.clone();
        let (line, _) = chained_line(&mut r, 2, prev).unwrap();
        lines[1] = String::from_utf8(line).unwrap().trim_end().to_string();
        std::fs::write(log.path(), lines.join("\n") + "\n").unwrap();
        let p = log.verify().unwrap().problem.unwrap();
        assert_eq!((p.line, &p.kind), (3, &ProblemKind::BadPrev { previous_hashed: true }));
        assert!(
            p.describe().contains("record 2 was rewritten along with its hash"),
            "{}",
            p.describe()
        );
    }

    #[test]
    fn a_record_stripped_of_its_hash_is_caught() {
        let (_d, log) = log_with(3);
        let text = std::fs::read_to_string(log.path()).unwrap();
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        let cut = lines[2].len() - HASH_TAIL;
        lines[2] = format!("{}}}", &lines[2][..cut]);
        std::fs::write(log.path(), lines.join("\n") + "\n").unwrap();
        let p = log.verify().unwrap().problem.unwrap();
        assert_eq!((p.line, p.kind), (3, ProblemKind::HashRemoved));
    }

    #[test]
    fn the_chain_and_the_attempt_key_use_the_records_own_hash() {
        let (_d, log) = log_with(0);
        let appended = log.append(Record::new("intent", "post", Outcome::Pending)).unwrap();
        let line = std::fs::read(log.path()).unwrap();
        let line = &line[..line.len() - 1];
        assert_eq!(record_hash(line), appended.hash);
        let record: Record = serde_json::from_slice(line).unwrap();
        assert_eq!(record.hash.as_deref(), Some(appended.hash.as_str()));
    }

    #[test]
    fn deleted_record_is_detected() {
        let (_d, log) = log_with(4);
        let text = std::fs::read_to_string(log.path()).unwrap();
        let kept: Vec<&str> = text
            .lines()
            .enumerate()
            .filter(|(i, _)| *i != 1)
            .map(|(_, l)| l)
            .collect();
        std::fs::write(log.path(), kept.join("\n") + "\n").unwrap();
        let p = log.verify().unwrap().problem.unwrap();
        assert_eq!(p.line, 2);
        assert_eq!(p.kind, ProblemKind::BadSeq { expected: 2, found: 3 });
        assert_eq!(
            p.describe(),
            "line 2: record 2 is missing (expected seq 2, found 3): removed from the log"
        );
    }

    #[test]
    fn torn_tail_blocks_appends_until_repaired() {
        let (_d, log) = log_with(2);
        let good_len = std::fs::metadata(log.path()).unwrap().len();
        let mut f = OpenOptions::new().append(true).open(log.path()).unwrap();
        f.write_all(b"{\"seq\":3,\"prev\":\"ab").unwrap();
        drop(f);
        let p = log.verify().unwrap().problem.unwrap();
        assert_eq!(
            p.kind,
            ProblemKind::TornTail {
                offset: good_len,
                bytes: 19
            }
        );
        let err = log.append(Record::new("intent", "post", Outcome::Pending)).unwrap_err();
        assert_eq!(crate::error::exit_code_of(&err), ExitCode::Audit);

        let appended = log.repair().unwrap().unwrap();
        assert_eq!(appended.seq, 3);
        let v = log.verify().unwrap();
        assert!(v.problem.is_none(), "{:?}", v.problem);
        let last = log.read_all().unwrap().pop().unwrap();
        let Outcome::Repaired {
            fragment_bytes,
            saved_to,
            ..
        } = last.outcome
        else {
            panic!()
        };
        assert_eq!(fragment_bytes, 19);
        assert_eq!(std::fs::read(saved_to).unwrap(), b"{\"seq\":3,\"prev\":\"ab");
    }

    #[test]
    fn concurrent_appends_keep_one_chain() {
        let (_d, log) = log_with(0);
        let path = log.path().to_path_buf();
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let log = AuditLog::new(path);
                    for _ in 0..25 {
                        log.append(Record::new("intent", "post", Outcome::Pending)).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let v = log.verify().unwrap();
        assert_eq!(v.records, 100);
        assert!(v.problem.is_none());
    }
}
