//! `postgate log`: read, verify and repair the audit log.

use crate::audit::{AuditLog, Outcome};
use crate::cli::{Cli, LogArgs, LogCommand};
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
        Some(LogCommand::Verify(a)) => {
            let store = a.store.then(|| super::store::configured(&policy)).transpose()?;
            verify(cli, &log, store)
        }
        Some(LogCommand::Repair) => repair(cli, &log),
        Some(LogCommand::Who(who)) => super::who::run(cli, who, &log),
        None => list(cli, args, &log),
    }
}

/// Parses `90m`, `24h`, `7d`, `2w` (or any duration jiff understands, like `1 day 2h`).
pub fn parse_since(text: &str) -> Result<jiff::Timestamp> {
    let bad = || {
        Failure::new(ExitCode::Usage, format!("invalid --since `{}`", one_line(text)))
            .hint("use a duration such as 90m, 24h, 7d or 2w")
    };
    let span: jiff::Span = text.trim().parse().map_err(|_| bad())?;
    let now = jiff::Zoned::now();
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

/// The detail of an approver's signature of an unlock: who, and which lock.
fn unlock_signed(approver: &str, lock: Option<&str>) -> String {
    let lock = lock.unwrap_or("?").trim_start_matches("sha256:");
    format!("unlock signed by {approver}, lock {}", lock.get(..16).unwrap_or(lock))
}

fn verify(cli: &Cli, log: &AuditLog, store: Option<&crate::store::Config>) -> Result<ExitCode> {
    let v = log.verify()?;
    // The store is compared with a file that is itself whole, never with a broken one.
    let shared = match store {
        Some(cfg) if v.problem.is_none() => Some((cfg, log.compare_with_store(cfg)?)),
        _ => None,
    };
    if cli.json {
        let mut doc = json!({
            "path": log.path().display().to_string(),
            "ok": v.problem.is_none() && shared.as_ref().is_none_or(|(_, c)| c.problems.is_empty()),
            "records": v.records,
            "head": v.head,
            "problem": v.problem.as_ref().map(|p| json!({ "line": p.line, "seq": p.seq, "message": p.describe() })),
            "warnings": v.warnings,
        });
        if let Some((cfg, check)) = &shared {
            doc["store"] = json!({ "url": cfg.label(), "chains": check.chains, "records": check.records,
                "waiting": check.waiting, "problems": check.problems });
        }
        output::json(&doc);
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
