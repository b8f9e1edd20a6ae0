//! `postgate reconcile`: what the platform shows against what postgate recorded.
//!
//! A post on the account that no audit record accounts for was made by someone else: another
//! tool, the web interface, or whoever holds a leaked credential. Run every 5 minutes from
//! cron or a systemd timer, the non-zero exit is the alarm.
//!
//! Listing uses no credential where the platform allows it, so reconcile keeps watching an
//! account after `lockdown` removed its credential.

use crate::account::Account;
use crate::audit::AuditLog;
use crate::cli::{Cli, ReconcileArgs};
use crate::credentials;
use crate::error::{Failure, exit_code_of};
use crate::exit_codes::ExitCode;
use crate::output;
use crate::platform::{self, spec::RemotePost};
use crate::sanitize::one_line;
use anyhow::Result;
use serde_json::json;
use std::collections::HashSet;
use std::path::PathBuf;

/// Parses `--since`: `30m`, `24h`, `7d`, `2w`, or an RFC 3339 time.
pub fn parse_since(text: &str, now: jiff::Timestamp) -> Result<jiff::Timestamp, String> {
    let t = text.trim();
    if let Ok(at) = t.parse::<jiff::Timestamp>() {
        return Ok(at);
    }
    let bad = || format!("`{}` is not an age (30m, 24h, 7d, 2w) or an RFC 3339 time", one_line(t));
    let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = t.split_at(split);
    let n: i64 = number.parse().map_err(|_| bad())?;
    let minutes = match unit {
        "m" | "min" => n,
        "h" => n.checked_mul(60).ok_or_else(bad)?,
        "d" => n.checked_mul(24 * 60).ok_or_else(bad)?,
        "w" => n.checked_mul(7 * 24 * 60).ok_or_else(bad)?,
        _ => return Err(bad()),
    };
    if n == 0 {
        return Err(bad());
    }
    // from_mins panics past i64 seconds; user input must not reach that.
    let seconds = minutes.checked_mul(60).ok_or_else(bad)?;
    now.checked_sub(jiff::SignedDuration::from_secs(seconds))
        .map_err(|_| bad())
}

struct Checked<'a> {
    account: &'a Account,
    /// How many posts were listed, and the foreign ones, each with whether this run is the
    /// first to see it.
    result: Result<(usize, Vec<(RemotePost, bool)>)>,
    /// Why the foreign posts seen for the first time could not all be recorded.
    record_error: Option<String>,
}

/// What is wrong with an audit log reconcile read past: the run still reports what it found.
#[derive(Default)]
struct Damage {
    torn: bool,
    skipped: usize,
    /// Why the log could not be read at all (then every listed post counts as foreign).
    unreadable: Option<String>,
}

impl Damage {
    fn any(&self) -> bool {
        self.torn || self.skipped > 0 || self.unreadable.is_some()
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(why) = &self.unreadable {
            parts.push(format!("it cannot be read ({why})"));
        }
        if self.torn {
            parts.push("its last line is torn (a write was cut short)".to_string());
        }
        if self.skipped > 0 {
            parts.push(format!(
                "{} line(s) in the window are not records and were skipped",
                self.skipped
            ));
        }
        parts.join("; ")
    }
}

pub fn run(cli: &Cli, args: &ReconcileArgs) -> Result<ExitCode> {
    let policy = crate::policy::load_discovered(cli.policy.as_deref())?;
    let now = jiff::Timestamp::now();
    let since = parse_since(&args.since, now).map_err(|e| Failure::new(ExitCode::Usage, format!("--since: {e}")))?;
    let accounts: Vec<&Account> = if args.all {
        policy.accounts.iter().collect()
    } else {
        args.names().map(|n| policy.account(n)).collect::<Result<_>>()?
    };
    // A crash leaves a torn last line, and reconcile is the alarm: it reads past damage,
    // reports it, and still lists and reports every foreign post. The policy's own log also
    // reads the shared store, where every machine's posts are.
    let mut logs = vec![policy.audit_path.clone()];
    logs.extend(args.audit_logs.iter().cloned());
    let readers: Vec<AuditLog> = std::iter::once(AuditLog::of(&policy).reading_past_damage())
        .chain(args.audit_logs.iter().map(|p| AuditLog::new(p).reading_past_damage()))
        .collect();
    let mut damage: Vec<Damage> = readers
        .iter()
        .map(|r| Damage {
            torn: r.torn_tail().unwrap_or(false),
            ..Damage::default()
        })
        .collect();
    let log = AuditLog::of(&policy).reading_past_damage();
    let checked: Vec<Checked> = accounts
        .iter()
        .map(|&account| {
            let mut record_error = None;
            let result = foreign_posts(account, &readers, &mut damage, since)
                .map(|(listed, foreign)| {
                    let (foreign, error) = record_new(&log, &policy, account, foreign, since);
                    record_error = error;
                    (listed, foreign)
                })
                .map_err(|e| policy.at_account(account, e));
            Checked {
                account,
                result,
                record_error,
            }
        })
        .collect();

    let timeout = std::time::Duration::from_secs(args.hook_timeout);
    let mut foreign_total = 0;
    let mut first_error = None;
    for c in &checked {
        match &c.result {
            Ok((listed, foreign)) => {
                foreign_total += foreign.len();
                let new = foreign.iter().filter(|(_, new)| *new).count();
                output::status(&format!(
                    "{}: {listed} post(s) since {}, {} not made by postgate{}",
                    c.account.name,
                    since.round(jiff::Unit::Second).unwrap_or(since),
                    foreign.len(),
                    if foreign.is_empty() {
                        String::new()
                    } else {
                        format!(" ({new} seen for the first time)")
                    }
                ));
                if let Some(e) = &c.record_error {
                    output::status(&format!(
                        "warning: {}: the foreign posts are reported but not all recorded in the audit log: {}",
                        c.account.name,
                        crate::sanitize::for_terminal(e)
                    ));
                }
                for (post, new) in foreign {
                    if !cli.json {
                        output::result(&line(c.account, post));
                    }
                    if let Some(cmd) = &args.on_foreign {
                        run_hook(cmd, c.account, post, *new, timeout);
                    }
                }
            }
            Err(e) => {
                output::status(&format!(
                    "error: {}: {}",
                    c.account.name,
                    crate::sanitize::for_terminal(&crate::error::shown_describe(e))
                ));
                first_error.get_or_insert(exit_code_of(e));
            }
        }
    }
    let damaged: Vec<(&PathBuf, &Damage)> = logs.iter().zip(&damage).filter(|(_, d)| d.any()).collect();
    for (path, d) in &damaged {
        output::status(&format!(
            "warning: audit log {} is damaged: {}. Posts whose records cannot be read are reported as foreign.",
            crate::sanitize::for_terminal(&path.display().to_string()),
            d.describe()
        ));
    }
    if !damaged.is_empty() {
        output::status(
            "hint: `postgate log verify` names the damage; `postgate log repair` moves a torn last line aside \
             (docs/incident.md); until then nothing can be published with that log",
        );
    }
    let checkpoint = super::log::end_of_run(
        &policy,
        args.checkpoint.as_deref(),
        &args.checkpoint_key,
        "reconcile --checkpoint",
    );
    if cli.json {
        output::json(&json!({
            "checkpoint": super::log::end_of_run_json(checkpoint.as_ref()),
            "since": since.to_string(),
            "accounts": checked.iter().map(|c| match &c.result {
                Ok((listed, foreign)) => json!({
                    "name": c.account.name,
                    "handle": c.account.handle,
                    "listed": listed,
                    "foreign": foreign.iter().map(|(p, new)| json!({
                        "id": p.id,
                        "url": p.url,
                        "created_at": p.created_at.map(|t| t.to_string()),
                        "text": p.text,
                        "new": new,
                    })).collect::<Vec<_>>(),
                    "record_error": c.record_error,
                }),
                Err(e) => json!({
                    "name": c.account.name,
                    "handle": c.account.handle,
                    "error": format!("{e:#}"),
                    "hint": crate::error::hint_of(e),
                    "exit_code": exit_code_of(e).code(),
                }),
            }).collect::<Vec<_>>(),
            "damaged_logs": damaged.iter().map(|(path, d)| json!({
                "path": path.display().to_string(),
                "torn": d.torn,
                "skipped_lines": d.skipped,
                "unreadable": d.unreadable,
                "message": d.describe(),
            })).collect::<Vec<_>>(),
        }));
    }
    // Foreign posts are the alarm this command exists for; they outrank an account that could
    // not be checked, which outranks a damaged log (reported on stderr all the same).
    // A checkpoint that could not be written fails the run, after foreign posts: the witness
    // trail has a gap someone must see.
    if foreign_total == 0
        && let Some(Err(e)) = checkpoint
    {
        return Err(e);
    }
    Ok(if foreign_total > 0 {
        ExitCode::ForeignPosts
    } else if let Some(code) = first_error {
        code
    } else if !damaged.is_empty() {
        ExitCode::Audit
    } else {
        ExitCode::Success
    })
}

/// Lists the account's posts since `since` and keeps those no audit log accounts for.
fn foreign_posts(
    account: &Account,
    logs: &[AuditLog],
    damage: &mut [Damage],
    since: jiff::Timestamp,
) -> Result<(usize, Vec<RemotePost>)> {
    // The credential, if there is one, shows posts only followers see; without it (after a
    // lockdown) the public ones are still listed.
    let credential = credentials::load(account).ok().flatten();
    let listing = platform::connect(account)?.recent_posts(credential.as_ref(), since)?;
    // Nobody must read a clean reconcile as "nothing else was posted" when older posts in the
    // window were not checked.
    if let Some(why) = &listing.cut {
        crate::output::status(&format!(
            "warning: {}: {why}; only the newest {} post(s) were checked, not all since {}: \
             run reconcile more often, with a shorter --since",
            account.platform.as_str(),
            listing.posts.len(),
            since.round(jiff::Unit::Second).unwrap_or(since)
        ));
    }
    let posts = listing.posts;
    // A post is recorded after the platform made it, with a local clock that may differ from
    // the server's: a day's margin on the audit side costs little and avoids false alarms.
    let margin = since.checked_sub(jiff::SignedDuration::from_hours(24)).unwrap_or(since);
    let mut ours: HashSet<String> = HashSet::new();
    let mut in_doubt = Vec::new();
    for (log, damage) in logs.iter().zip(damage.iter_mut()) {
        let before = log.skipped_lines();
        // A log that cannot be read accounts for nothing: its posts are reported, not hidden.
        match log.published_ids_since(account.platform.as_str(), &account.host(), &account.handle, margin) {
            Ok(ids) => ours.extend(ids),
            Err(e) => damage.unreadable = Some(format!("{e:#}")),
        }
        let between = log.skipped_lines();
        match log.in_doubt_since(account.platform.as_str(), &account.host(), &account.handle, margin) {
            Ok(doubts) => in_doubt.extend(doubts),
            Err(e) => damage.unreadable = Some(format!("{e:#}")),
        }
        // Each scan, and every account, reads the same window of the log: count its bad lines
        // once.
        let scanned = (between - before).max(log.skipped_lines() - between);
        damage.skipped = damage.skipped.max(scanned);
    }
    let listed = posts.len();
    // A post that may be an attempt postgate never finished recording is not foreign; each such
    // attempt (one post key, however many retries) accounts for one post at most.
    let mut matched: HashSet<String> = HashSet::new();
    let foreign = posts
        .into_iter()
        .filter(|p| !ours.contains(&p.id))
        .filter(|p| {
            let Some(doubt) = in_doubt
                .iter()
                .find(|d| !matched.contains(&d.key) && crate::landed::may_be(d, p))
            else {
                return true;
            };
            matched.insert(doubt.key.clone());
            crate::output::status(&format!(
                "{}: {} is postgate's, in doubt: audit record #{} ({}) stopped before recording its outcome; \
                 run that post again to record it",
                account.name,
                one_line(&p.id),
                doubt.seq,
                doubt.time.round(jiff::Unit::Second).unwrap_or(doubt.time)
            ));
            false
        })
        .collect();
    Ok((listed, foreign))
}

/// Records each foreign post the audit log does not mention yet, so the log tells when each
/// was first seen; a 5-minute job over a longer window sees a post several times but records
/// it once. Returns each post with whether it is new, and why recording stopped if it did: a
/// log that cannot take a record (torn, full disk) must not hide the posts.
fn record_new(
    log: &AuditLog,
    policy: &crate::policy::Policy,
    account: &Account,
    foreign: Vec<RemotePost>,
    since: jiff::Timestamp,
) -> (Vec<(RemotePost, bool)>, Option<String>) {
    if foreign.is_empty() {
        return (Vec::new(), None);
    }
    let margin = since.checked_sub(jiff::SignedDuration::from_hours(24)).unwrap_or(since);
    let mut error = None;
    let seen = log
        .foreign_ids_since(account.platform.as_str(), &account.host(), &account.handle, margin)
        .unwrap_or_else(|e| {
            error = Some(crate::error::describe(&e));
            HashSet::new()
        });
    let mut out = Vec::new();
    for post in foreign {
        let new = !seen.contains(&post.id);
        if new && error.is_none() {
            let mut record = crate::audit::Record::about(
                policy,
                account,
                "foreign",
                "reconcile",
                crate::audit::Outcome::Foreign {
                    id: post.id.clone(),
                    url: post.url.clone(),
                    created_at: post.created_at.map(|t| t.to_string()),
                },
            );
            record.text_sha256 = Some(crate::digest::sha256_hex(post.text.as_bytes()));
            record.text = Some(post.text.clone());
            if let Err(e) = log.append(record) {
                error = Some(crate::error::describe(&e));
            }
        }
        out.push((post, new));
    }
    (out, error)
}

/// `account TAB time TAB id TAB url TAB text`, the text on one line and made visible.
fn line(account: &Account, post: &RemotePost) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}",
        account.name,
        post.created_at.map(|t| t.to_string()).unwrap_or_else(|| "?".into()),
        one_line(&post.id),
        one_line(&post.url),
        one_line(&post.text)
    )
}

/// Runs `--on-foreign` for one post (see `hook`). Its output goes to stderr, so stdout stays
/// the list.
fn run_hook(cmd: &str, account: &Account, post: &RemotePost, new: bool, timeout: std::time::Duration) {
    let (text, cut) = super::hook::capped(&one_line(&post.text));
    let env = [
        ("POSTGATE_ACCOUNT", account.name.clone()),
        ("POSTGATE_HANDLE", account.handle.clone()),
        ("POSTGATE_POST_ID", super::hook::capped(&one_line(&post.id)).0),
        ("POSTGATE_POST_URL", super::hook::capped(&one_line(&post.url)).0),
        (
            "POSTGATE_POST_TIME",
            post.created_at.map(|t| t.to_string()).unwrap_or_default(),
        ),
        ("POSTGATE_POST_TEXT", text),
        ("POSTGATE_POST_TEXT_TRUNCATED", if cut { "1" } else { "0" }.to_string()),
        ("POSTGATE_POST_NEW", if new { "1" } else { "0" }.to_string()),
    ];
    match super::hook::run(cmd, &env, &post.text, timeout) {
        Ok(super::hook::Ended::Exited(None)) => {}
        Ok(super::hook::Ended::Exited(Some(how))) => output::status(&format!(
            "warning: --on-foreign for {} exited with {how}",
            one_line(&post.id)
        )),
        Ok(super::hook::Ended::TimedOut) => output::status(&format!(
            "warning: --on-foreign for {} did not finish within {}s (--hook-timeout); its process group was killed",
            one_line(&post.id),
            timeout.as_secs()
        )),
        Err(e) => output::status(&format!("warning: --on-foreign could not run: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_ages_and_times() {
        let now: jiff::Timestamp = "2026-11-23T12:00:00Z".parse().unwrap();
        assert_eq!(parse_since("24h", now).unwrap().to_string(), "2026-11-22T12:00:00Z");
        assert_eq!(parse_since("30m", now).unwrap().to_string(), "2026-11-23T11:30:00Z");
        assert_eq!(parse_since("7d", now).unwrap().to_string(), "2026-11-16T12:00:00Z");
        assert_eq!(parse_since("2w", now).unwrap().to_string(), "2026-11-09T12:00:00Z");
        assert_eq!(
            parse_since("2026-11-20T08:00:00+01:00", now).unwrap().to_string(),
            "2026-11-20T07:00:00Z"
        );
        for bad in ["", "h", "24", "0h", "5y", "-3h", "99999999999999w"] {
            assert!(parse_since(bad, now).is_err(), "{bad}");
        }
    }
}
