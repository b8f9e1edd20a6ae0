//! `postgate reconcile`: what the platform shows against what postgate recorded.
//!
//! A post on the account that no audit record accounts for was made by someone else: another
//! tool, the web interface, or whoever holds a leaked credential. Run every 5 minutes from
//! cron or a systemd timer, the non-zero exit is the alarm.
//!
//! Listing uses no credential where the platform allows it, so reconcile keeps watching an
//! account after `lockdown` removed its credential.

use crate::audit::AuditLog;
use crate::cli::{Cli, ReconcileArgs};
use crate::credentials;
use crate::error::{Failure, exit_code_of};
use crate::exit_codes::ExitCode;
use crate::output;
use crate::platform::{self, RemotePost};
use crate::policy::Account;
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
}

pub fn run(cli: &Cli, args: &ReconcileArgs) -> Result<ExitCode> {
    let policy = super::load_policy(cli)?;
    let now = jiff::Timestamp::now();
    let since = parse_since(&args.since, now).map_err(|e| Failure::new(ExitCode::Usage, format!("--since: {e}")))?;
    let accounts: Vec<&Account> = if args.all {
        policy.accounts.iter().collect()
    } else {
        args.names.iter().map(|n| policy.account(n)).collect::<Result<_>>()?
    };
    let mut logs = vec![policy.audit_path.clone()];
    logs.extend(args.audit_logs.iter().cloned());

    let log = AuditLog::new(&policy.audit_path);
    let checked: Vec<Checked> = accounts
        .iter()
        .map(|&account| Checked {
            account,
            result: foreign_posts(account, &logs, since)
                .and_then(|(listed, foreign)| Ok((listed, record_new(&log, &policy, account, foreign, since)?))),
        })
        .collect();

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
                for (post, new) in foreign {
                    if !cli.json {
                        output::result(&line(c.account, post));
                    }
                    if let Some(cmd) = &args.on_foreign {
                        run_hook(cmd, c.account, post, *new);
                    }
                }
            }
            Err(e) => {
                output::status(&format!(
                    "error: {}: {}",
                    c.account.name,
                    crate::sanitize::for_terminal(&format!("{e:#}"))
                ));
                first_error.get_or_insert(exit_code_of(e));
            }
        }
    }
    if cli.json {
        output::json(&json!({
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
                }),
                Err(e) => json!({
                    "name": c.account.name,
                    "handle": c.account.handle,
                    "error": format!("{e:#}"),
                    "exit_code": exit_code_of(e).code(),
                }),
            }).collect::<Vec<_>>(),
        }));
    }
    // Foreign posts are the alarm this command exists for; they outrank an account that could
    // not be checked, which is reported on stderr all the same.
    Ok(if foreign_total > 0 {
        ExitCode::ForeignPosts
    } else {
        first_error.unwrap_or(ExitCode::Success)
    })
}

/// Lists the account's posts since `since` and keeps those no audit log accounts for.
fn foreign_posts(account: &Account, logs: &[PathBuf], since: jiff::Timestamp) -> Result<(usize, Vec<RemotePost>)> {
    // The credential, if there is one, shows posts only followers see; without it (after a
    // lockdown) the public ones are still listed.
    let credential = credentials::load(account).ok().flatten();
    let posts = platform::connect(account)?.recent_posts(credential.as_ref(), since)?;
    // A post is recorded after the platform made it, with a local clock that may differ from
    // the server's: a day's margin on the audit side costs little and avoids false alarms.
    let margin = since.checked_sub(jiff::SignedDuration::from_hours(24)).unwrap_or(since);
    let mut ours: HashSet<String> = HashSet::new();
    let mut in_doubt = Vec::new();
    for log in logs {
        let log = AuditLog::new(log);
        ours.extend(log.published_ids_since(account.platform.as_str(), &account.host(), &account.handle, margin)?);
        in_doubt.extend(log.in_doubt_since(account.platform.as_str(), &account.host(), &account.handle, margin)?);
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
                .find(|d| !matched.contains(&d.key) && d.may_be(&p.text, p.created_at))
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
/// it once. Returns each post with whether it is new.
fn record_new(
    log: &AuditLog,
    policy: &crate::policy::Policy,
    account: &Account,
    foreign: Vec<RemotePost>,
    since: jiff::Timestamp,
) -> Result<Vec<(RemotePost, bool)>> {
    if foreign.is_empty() {
        return Ok(Vec::new());
    }
    let margin = since.checked_sub(jiff::SignedDuration::from_hours(24)).unwrap_or(since);
    let seen = log.foreign_ids_since(account.platform.as_str(), &account.host(), &account.handle, margin)?;
    let mut out = Vec::new();
    for post in foreign {
        let new = !seen.contains(&post.id);
        if new {
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
            record.text_sha256 = Some(crate::audit::sha256_hex(post.text.as_bytes()));
            record.text = Some(post.text.clone());
            log.append(record)?;
        }
        out.push((post, new));
    }
    Ok(out)
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

/// Runs `--on-foreign` for one post. Its output goes to stderr, so stdout stays the list.
fn run_hook(cmd: &str, account: &Account, post: &RemotePost, new: bool) {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .env("POSTGATE_ACCOUNT", &account.name)
        .env("POSTGATE_HANDLE", &account.handle)
        .env("POSTGATE_POST_ID", one_line(&post.id))
        .env("POSTGATE_POST_URL", one_line(&post.url))
        .env(
            "POSTGATE_POST_TIME",
            post.created_at.map(|t| t.to_string()).unwrap_or_default(),
        )
        .env("POSTGATE_POST_TEXT", one_line(&post.text))
        .env("POSTGATE_POST_NEW", if new { "1" } else { "0" })
        .stdin(std::process::Stdio::null())
        .stdout(std::io::stderr())
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => output::status(&format!(
            "warning: --on-foreign for {} exited with {s}",
            one_line(&post.id)
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
