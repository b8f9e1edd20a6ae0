//! `postgate log`: read, verify and repair the audit log.

use crate::approval::keys::Signer;
use crate::audit::{AuditLog, Outcome};
use crate::checkpoint;
use crate::cli::{CheckpointKeyArgs, Cli, LogArgs, LogCheckpointArgs, LogCommand, LogStatsArgs, LogVerifyArgs};
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::output;
use crate::sanitize::one_line;
use anyhow::Result;
use serde_json::json;

pub fn run(cli: &Cli, args: &LogArgs) -> Result<ExitCode> {
    let policy = crate::policy::load_discovered(cli.policy.as_deref())?;
    let log = AuditLog::of(&policy);
    match &args.command {
        Some(LogCommand::Verify(v)) => {
            let store = v.store.then(|| super::store::configured(&policy)).transpose()?;
            verify(cli, &policy, &log, v, store)
        }
        Some(LogCommand::Checkpoint(c)) => checkpoint_command(cli, &policy, &log, c),
        Some(LogCommand::Repair) => repair(cli, &log),
        Some(LogCommand::Who(who)) => super::who::run(cli, who, &log),
        Some(LogCommand::Stats(s)) => stats(cli, s, &log),
        None => list(cli, args, &log),
    }
}

/// Parses `90m`, `24h`, `7d`, `2w` (or any duration jiff understands, like `1 day 2h`).
pub fn parse_since(text: &str) -> Result<jiff::Timestamp> {
    since_before(text, jiff::Zoned::now())
}

/// [`parse_since`] counted back from `now`, in its time zone (a day is a calendar day).
fn since_before(text: &str, now: jiff::Zoned) -> Result<jiff::Timestamp> {
    let bad = || {
        Failure::new(ExitCode::Usage, format!("invalid --since `{}`", one_line(text)))
            .hint("use a duration such as 90m, 24h, 7d or 2w")
    };
    let span: jiff::Span = text.trim().parse().map_err(|_| bad())?;
    let then = now.checked_sub(span.abs()).map_err(|_| bad())?;
    Ok(then.timestamp())
}

fn list(cli: &Cli, args: &LogArgs, log: &AuditLog) -> Result<ExitCode> {
    let since = args.since.as_deref().map(parse_since).transpose()?;
    let records = log.read_all()?;
    let selected = records.iter().filter(|r| {
        args.account
            .as_deref()
            .is_none_or(|name| r.account.as_ref().is_some_and(|a| a.name == name))
            && since.is_none_or(|t| r.time.parse::<jiff::Timestamp>().is_ok_and(|rt| rt >= t))
    });
    if cli.json {
        let items: Vec<serde_json::Value> = selected.map(|r| serde_json::to_value(r).unwrap_or_default()).collect();
        output::json(&json!(items));
        return Ok(ExitCode::Success);
    }
    for r in selected {
        let account = r
            .account
            .as_ref()
            .map_or("-".to_string(), |a| format!("{} {}", a.name, a.handle));
        let detail = match &r.outcome {
            Outcome::Published { url, .. } => url.clone(),
            Outcome::Refused { reason, .. } => reason.lines().next().unwrap_or_default().to_string(),
            Outcome::Failed { error, .. } => error.lines().next().unwrap_or_default().to_string(),
            // Logs written before unlock signatures had their own kind recorded them so.
            Outcome::Approved { approver, .. } if r.action == "unlock --sign" => {
                unlock_signed(approver, r.acts_on.as_deref())
            }
            Outcome::UnlockSigned { approver, .. } => unlock_signed(approver, r.acts_on.as_deref()),
            Outcome::Declined { approver, reason, .. } => format!(
                "by {approver}, plan {}: {}",
                r.plan_hash.as_deref().unwrap_or("?"),
                crate::sanitize::one_line(reason)
            ),
            Outcome::Approved { approver, .. } => format!(
                "by {approver}, plan {}",
                r.plan_hash
                    .as_deref()
                    .unwrap_or("?")
                    .trim_start_matches("sha256:")
                    .get(..16)
                    .unwrap_or("")
            ),
            Outcome::Lockdown { reason, .. } => format!("LOCKED: {reason}"),
            Outcome::Foreign { url, .. } => format!("NOT MADE BY POSTGATE: {url}"),
            Outcome::Unlocked { approvers } => format!("unlocked on the signature of {}", approvers.join(", ")),
            _ => r
                .text
                .as_deref()
                .map(|t| t.chars().take(50).collect())
                .unwrap_or_default(),
        };
        output::result(&format!(
            "{:>6}  {}  {:<10} {:<10} {}  {}",
            r.seq,
            r.time.get(..19).unwrap_or(&r.time),
            one_line(&r.event),
            r.outcome.status(),
            one_line(&account),
            one_line(&detail)
        ));
    }
    Ok(ExitCode::Success)
}

/// `log stats`: the figures of [`crate::stats`] for the window, as a table or one JSON object.
fn stats(cli: &Cli, args: &LogStatsArgs, log: &AuditLog) -> Result<ExitCode> {
    // The log's own latest time if the clock is behind it, so its newest records are in.
    let until = crate::audit::observed_now(log);
    let since = since_before(&args.since, until.to_zoned(jiff::tz::TimeZone::system()))?;
    let records = log.read_all()?;
    let stats = crate::stats::compute(&records, since, until);
    if cli.json {
        output::json(&stats.to_json());
    }
    let window = format!("from {since} to {until}");
    if stats.is_empty() {
        let what = if records.is_empty() {
            format!("the audit log {} is empty", one_line(&log.path().display().to_string()))
        } else {
            "no post, refusal, correction or deletion in the audit log".to_string()
        };
        output::result(&format!("nothing to count: {what} {window}"));
        return Ok(ExitCode::Success);
    }
    if !cli.json {
        print!("{}", stats.render_text());
    }
    output::status(&format!(
        "{} account(s), {window}; times from a plan's author signature to its last approval, then to its publish (nearest-rank median and 90th percentile)",
        stats.accounts.len()
    ));
    Ok(ExitCode::Success)
}

/// The detail of an approver's signature of an unlock: who, and which lock.
fn unlock_signed(approver: &str, lock: Option<&str>) -> String {
    let lock = lock.unwrap_or("?").trim_start_matches("sha256:");
    format!("unlock signed by {approver}, lock {}", lock.get(..16).unwrap_or(lock))
}

fn verify(
    cli: &Cli,
    policy: &crate::policy::Policy,
    log: &AuditLog,
    args: &LogVerifyArgs,
    store: Option<&crate::store::Config>,
) -> Result<ExitCode> {
    let v = log.verify()?;
    // The chain is judged first: a checkpoint over a broken chain would only add noise, and the
    // store is compared with a file that is itself whole, never with a broken one.
    let witnessed = match (&args.checkpoint, &v.problem) {
        (Some(file), None) => Some(check_checkpoint(policy, log, file)),
        _ => None,
    };
    let shared = match store {
        Some(cfg) if v.problem.is_none() => Some((cfg, log.compare_with_store(cfg)?)),
        _ => None,
    };
    if cli.json {
        let mut doc = json!({
            "path": log.path().display().to_string(),
            "ok": v.problem.is_none()
                && witnessed.as_ref().is_none_or(|w| w.is_ok())
                && shared.as_ref().is_none_or(|(_, c)| c.problems.is_empty()),
            "records": v.records,
            "head": v.head,
            "problem": v.problem.as_ref().map(|p| json!({ "line": p.line, "seq": p.seq, "message": p.describe() })),
            "warnings": v.warnings,
        });
        if let Some(w) = &witnessed {
            doc["checkpoint"] = match w {
                Ok((note, witnesses)) => json!({
                    "ok": true,
                    "size": note.size,
                    "head": note.head,
                    "signers": witnesses.iter().map(|w| json!({ "name": w.name, "fingerprint": w.fingerprint })).collect::<Vec<_>>(),
                }),
                Err(e) => json!({ "ok": false, "message": e.to_string() }),
            };
        }
        if let Some((cfg, check)) = &shared {
            doc["store"] = json!({ "url": cfg.label(), "chains": check.chains, "records": check.records,
                "waiting": check.waiting, "problems": check.problems });
        }
        output::json(&doc);
    }
    if let Some(w) = witnessed {
        let (note, witnesses) = w?;
        let names: Vec<&str> = witnesses.iter().map(|w| w.name.as_str()).collect();
        output::status(&format!(
            "checkpoint ok: record {} still has hash {}, signed by {}",
            note.size,
            note.head,
            names.join(", ")
        ));
    }
    for warning in &v.warnings {
        output::status(&format!("warning: {warning}"));
    }
    match &v.problem {
        None => {
            if !cli.json {
                output::result(&format!(
                    "ok: {} record(s), head {}",
                    v.records,
                    v.head.as_deref().unwrap_or("(empty)")
                ));
            }
            match &shared {
                Some((cfg, check)) => store_verdict(cli, cfg, check),
                None => Ok(ExitCode::Success),
            }
        }
        Some(p) => {
            output::status(&format!(
                "{}: {} good record(s) before the break",
                log.path().display(),
                v.records
            ));
            let mut failure = Failure::new(ExitCode::Audit, format!("audit log does not verify: {}", p.describe()));
            if matches!(p.kind, crate::audit::ProblemKind::TornTail { .. }) {
                failure =
                    failure.hint("`postgate log repair` moves the torn fragment into a side file and records that");
            }
            Err(failure.into())
        }
    }
}

fn repair(cli: &Cli, log: &AuditLog) -> Result<ExitCode> {
    let repaired = log.repair()?;
    if cli.json {
        output::json(&json!({ "repaired": repaired.is_some(), "seq": repaired.as_ref().map(|a| a.seq) }));
    }
    match repaired {
        Some(a) => output::status(&format!("moved the torn last line aside; recorded as seq {}", a.seq)),
        None => output::status("nothing to repair: the log has no torn last line"),
    }
    Ok(ExitCode::Success)
}

/// What `log verify --store` says once the file is whole.
fn store_verdict(cli: &Cli, cfg: &crate::store::Config, check: &crate::store::StoreCheck) -> Result<ExitCode> {
    if !cli.json {
        for p in &check.problems {
            output::status(&format!("store {}: {}", cfg.label(), one_line(p)));
        }
    }
    if check.problems.is_empty() {
        if !cli.json {
            output::result(&format!(
                "ok: store {}: {} machine chain(s), {} record(s), complete and linked; {} record(s) of this machine wait to be sent",
                cfg.label(),
                check.chains,
                check.records,
                check.waiting
            ));
        }
        return Ok(ExitCode::Success);
    }
    Err(Failure::new(
        ExitCode::Audit,
        format!("store {}: {} problem(s) found", cfg.label(), check.problems.len()),
    )
    .hint("a row missing from the store or changed in it was removed or edited there; the machines' files say what it held")
    .into())
}

/// Reads, parses and checks a checkpoint file against the policy's approvers and the log.
fn check_checkpoint(
    policy: &crate::policy::Policy,
    log: &AuditLog,
    file: &std::path::Path,
) -> Result<(checkpoint::Note, Vec<checkpoint::Witness>), Failure> {
    let shown = one_line(&file.display().to_string());
    let bytes = crate::paths::read_bounded(file, crate::paths::MAX_SMALL_BYTES, "checkpoint")
        .map_err(|e| Failure::new(ExitCode::Audit, format!("cannot read checkpoint {shown}: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Failure::new(
            ExitCode::Audit,
            format!("{shown}: not a postgate checkpoint: not UTF-8 text"),
        )
    })?;
    let signed = checkpoint::parse(&text, &shown)?;
    let witnesses = checkpoint::verify_signatures(&policy.approvals, &signed, &shown)?;
    checkpoint::verify_against_log(log, &signed.note, &shown)?;
    Ok((signed.note, witnesses))
}

/// A checkpoint written: what it says, who signed it and the audit record of it.
pub struct Written {
    pub note: checkpoint::Note,
    pub signer: String,
    pub fingerprint: String,
    pub text: String,
    pub path: Option<std::path::PathBuf>,
    pub seq: u64,
}

impl Written {
    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "size": self.note.size,
            "head": self.note.head,
            "signer": self.signer,
            "fingerprint": self.fingerprint,
            "path": self.path.as_ref().map(|p| p.display().to_string()),
            "note": self.text,
            "record": self.seq,
        })
    }
}

/// Signs the log as it is now and writes the note to `out` (never over an existing file), or
/// hands the text back for stdout when `out` is `None`; then records that, after the head it
/// signed. `reconcile --checkpoint` and `queue publish --checkpoint` come here too.
pub fn write_checkpoint(
    policy: &crate::policy::Policy,
    log: &AuditLog,
    keys: &CheckpointKeyArgs,
    out: Option<&std::path::Path>,
    action: &str,
) -> Result<Written> {
    let signer = Signer::from_args(keys.key.as_deref(), keys.ssh_key.as_deref());
    let approver = signer.approver(&policy.approvals, ExitCode::Audit)?;
    let note = checkpoint::current(log)?;
    let sig = signer.sign_checkpoint(note.body().as_bytes())?;
    let fingerprint = approver.fingerprint();
    let text = checkpoint::render(&note, &approver.name, &sig)?;
    if let Some(path) = out {
        write_new(path, text.as_bytes())?;
    }
    let mut record = crate::audit::Record::new(
        "checkpoint",
        action,
        Outcome::Checkpoint {
            size: note.size,
            head: note.head.clone(),
            signer: approver.name.clone(),
            fingerprint: fingerprint.clone(),
        },
    );
    record.policy_sha256 = Some(policy.sha256.clone());
    let appended = log.append(record)?;
    Ok(Written {
        note,
        signer: approver.name.clone(),
        fingerprint,
        text,
        path: out.map(std::path::Path::to_path_buf),
        seq: appended.seq,
    })
}

/// Creates `path` with `bytes`, refusing an existing file: a witness trail is never rewritten.
fn write_new(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let shown = path.display();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            let f = Failure::new(ExitCode::Usage, format!("cannot write checkpoint {shown}: {e}"));
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                f.hint("a checkpoint is never written over another: choose a new file name, such as one with the date")
            } else {
                f
            }
        })?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| Failure::new(ExitCode::GeneralError, format!("cannot write checkpoint {shown}: {e}")))?;
    Ok(())
}

fn checkpoint_command(
    cli: &Cli,
    policy: &crate::policy::Policy,
    log: &AuditLog,
    args: &LogCheckpointArgs,
) -> Result<ExitCode> {
    let written = write_checkpoint(policy, log, &args.signer, args.output.as_deref(), "log checkpoint")?;
    if cli.json {
        output::json(&written.to_json());
    } else if written.path.is_none() {
        // The note itself is the result: printed as is, so `> file` keeps it byte for byte.
        for line in written.text.lines() {
            output::result(line);
        }
    }
    output::status(&format!(
        "checkpoint of record {} (hash {}) signed by {}{}; recorded as seq {}",
        written.note.size,
        written.note.head,
        written.signer,
        written
            .path
            .as_ref()
            .map(|p| format!(", written to {}", p.display()))
            .unwrap_or_default(),
        written.seq
    ));
    Ok(ExitCode::Success)
}

/// `--checkpoint FILE` at the end of a `reconcile` or `queue publish` run: `None` without the
/// flag. The run's own records come first, so the checkpoint covers them.
pub fn end_of_run(
    policy: &crate::policy::Policy,
    out: Option<&std::path::Path>,
    keys: &CheckpointKeyArgs,
    action: &str,
) -> Option<Result<Written>> {
    let out = out?;
    let written = write_checkpoint(policy, &AuditLog::of(policy), keys, Some(out), action);
    match &written {
        Ok(w) => output::status(&format!(
            "checkpoint of record {} signed by {}, written to {}",
            w.note.size,
            w.signer,
            out.display()
        )),
        Err(e) => output::status(&format!(
            "error: no checkpoint was written to {}: {}",
            out.display(),
            crate::sanitize::for_terminal(&crate::error::shown_describe(e))
        )),
    }
    Some(written)
}

/// The `checkpoint` member of a run's JSON document.
pub fn end_of_run_json(written: Option<&Result<Written>>) -> serde_json::Value {
    match written {
        None => serde_json::Value::Null,
        Some(Ok(w)) => w.to_json(),
        Some(Err(e)) => json!({ "error": format!("{e:#}"), "exit_code": crate::error::exit_code_of(e).code() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_accepts_friendly_durations() {
        let now = jiff::Timestamp::now();
        let t = parse_since("24h").unwrap();
        let diff = now.as_second() - t.as_second();
        assert!((86_399..=86_401).contains(&diff), "{diff}");
        assert!(parse_since("7d").is_ok());
        assert!(parse_since("90m").is_ok());
        assert!(parse_since("soon").is_err());
    }
}
