//! `postgate accounts` and `postgate policy check`: what the policy defines.

use crate::account::Account;
use crate::cli::Cli;
use crate::credentials::{self, Status};
use crate::exit_codes::ExitCode;
use crate::output;
use crate::sanitize::one_line;
use anyhow::Result;
use serde_json::json;

fn account_json(a: &Account) -> serde_json::Value {
    json!({
        "name": a.name,
        "kind": a.kind.as_str(),
        "handle": a.handle,
        "display_name": a.display_name,
        "owner": a.owner,
        "platform": a.platform.as_str(),
        "host": a.host(),
        "confirm": a.confirm,
        "non_interactive": a.non_interactive,
        "credentials": a.credentials.as_str(),
        "origin": if a.system { "system" } else { "policy" },
    })
}

/// `FILE:LINE` of a rule or account, in the system policy or the user's.
fn source(policy: &crate::policy::Policy, system: bool, line: usize) -> String {
    match (&policy.system_path, system) {
        (Some(path), true) => format!("{}:{line} (system)", path.display()),
        _ => format!("{}:{line}", policy.path.display()),
    }
}

/// "3d", "5h", "12m": the age of a credential.
pub fn age(since: jiff::Timestamp) -> String {
    let secs = jiff::Timestamp::now()
        .as_second()
        .saturating_sub(since.as_second())
        .max(0);
    match secs {
        s if s >= 86_400 => format!("{}d", s / 86_400),
        s if s >= 3_600 => format!("{}h", s / 3_600),
        s if s >= 60 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                if i + 1 == row.len() {
                    cell.clone()
                } else {
                    format!("{cell:<w$}", w = widths[i])
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

pub fn list(cli: &Cli) -> Result<ExitCode> {
    let policy = crate::policy::load_discovered(cli.policy.as_deref())?;
    let mut rows = vec![
        ["NAME", "KIND", "HANDLE", "PLATFORM", "HOST", "LOCK", "CREDENTIAL"]
            .map(String::from)
            .to_vec(),
    ];
    let mut items = Vec::new();
    for a in &policy.accounts {
        // Never fails: a lock that cannot be read is shown as what it means for posting.
        let lock = match crate::lockdown::state(&policy, a) {
            Ok(crate::lockdown::State::Locked(lock, _)) => format!(
                "LOCKED since {} by {}",
                lock.at.round(jiff::Unit::Second).unwrap_or(lock.at),
                one_line(&lock.by)
            ),
            Ok(crate::lockdown::State::Lifted { .. }) => "lifted".to_string(),
            Ok(crate::lockdown::State::Open) => "-".to_string(),
            Err(e) => format!("REFUSES: {}", crate::error::message_of(&e)),
        };
        let status = credentials::status(a);
        let (state, source, created, text) = match &status {
            Status::NotNeeded => ("not-needed", None, None, "not needed".to_string()),
            Status::Present { source, created_at } => (
                "present",
                Some(source.as_str()),
                *created_at,
                match created_at {
                    Some(t) => {
                        let days = (jiff::Timestamp::now().as_second() - t.as_second()).max(0) / 86_400;
                        let over = |limit: Option<u32>| limit.is_some_and(|l| days > i64::from(l));
                        let mark = if over(a.max_credential_age_days) {
                            "; TOO OLD, refused: postgate login again"
                        } else if over(a.rotate_after_days) {
                            "; rotate it"
                        } else {
                            ""
                        };
                        format!("present ({}, {} old{mark})", source.as_str(), age(*t))
                    }
                    None => format!("present ({})", source.as_str()),
                },
            ),
            Status::Missing => ("missing", None, None, "missing".to_string()),
            Status::Unavailable(why) => ("unavailable", None, None, format!("unavailable: {why}")),
        };
        // When the platform fixed the credential's end (a token stored with its expiry), say
        // it: a token that dies mid-campaign should be seen coming. Only a present credential
        // is read again.
        let expires_at = match &status {
            Status::Present { .. } => credentials::load(a)
                .ok()
                .flatten()
                .and_then(|c| crate::platform::of(a).credential_expiry(&c)),
            _ => None,
        };
        let text = match expires_at {
            Some(end) => {
                let shown = end.round(jiff::Unit::Second).unwrap_or(end);
                let word = if end <= jiff::Timestamp::now() {
                    "EXPIRED at"
                } else {
                    "expires"
                };
                format!("{text}; {word} {shown}")
            }
            None => text,
        };
        let mut v = account_json(a);
        v["credential"] = json!({
            "expires_at": expires_at.map(|t| t.to_string()),
            "state": state,
            "source": source,
            "created_at": created.map(|t| t.to_string()),
            "age_seconds": created.map(|t| jiff::Timestamp::now().as_second() - t.as_second()),
            "rotate_after_days": a.rotate_after_days,
            "max_credential_age_days": a.max_credential_age_days,
        });
        v["lock"] = lock.clone().into();
        items.push(v);
        rows.push(vec![
            a.name.clone(),
            a.kind.as_str().to_uppercase(),
            one_line(&a.handle),
            a.platform.as_str().to_string(),
            one_line(&a.host()),
            one_line(&lock),
            text,
        ]);
    }
    if cli.json {
        output::json(&json!(items));
    } else {
        print!("{}", table(&rows));
    }
    Ok(ExitCode::Success)
}

pub fn policy_check(cli: &Cli) -> Result<ExitCode> {
    let policy = crate::policy::load_discovered(cli.policy.as_deref())?;
    let warnings: Vec<String> = policy
        .accounts
        .iter()
        .flat_map(|a| crate::platform::of(a).warnings(a))
        .collect();
    if cli.json {
        output::json(&json!({
            "status": "ok",
            "warnings": warnings,
            "path": policy.path.display().to_string(),
            "system_path": policy.system_path.as_ref().map(|p| p.display().to_string()),
            "sha256": policy.sha256,
            "audit_path": policy.audit_path.display().to_string(),
            "accounts": policy.accounts.iter().map(account_json).collect::<Vec<_>>(),
            "approvers": policy.approvals.approvers.iter().map(|a| json!({
                "name": a.name, "fingerprint": a.fingerprint(), "roles": a.roles,
                "passkey": a.passkey.as_ref().map(|p| json!({
                    "fingerprint": p.fingerprint(), "rp_id": p.rp_id, "origin": p.origin,
                })),
            })).collect::<Vec<_>>(),
            "approval_requirements": policy.approvals.requirements.len(),
            "authors": policy.approvals.authors.iter().map(|a| json!({
                "name": a.name, "fingerprint": a.key.fingerprint(ssh_key::HashAlg::Sha256).to_string(),
            })).collect::<Vec<_>>(),
        }));
        return Ok(ExitCode::Success);
    }
    let mut rows = vec![
        [
            "NAME",
            "KIND",
            "HANDLE",
            "PLATFORM",
            "HOST",
            "CONFIRM",
            "SCRIPTS",
            "CREDENTIALS",
            "ORIGIN",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for a in &policy.accounts {
        rows.push(vec![
            a.name.clone(),
            a.kind.as_str().to_uppercase(),
            one_line(&a.handle),
            a.platform.as_str().to_string(),
            one_line(&a.host()),
            format!("{:?}", a.confirm).to_lowercase(),
            format!("{:?}", a.non_interactive).to_lowercase(),
            a.credentials.as_str().to_string(),
            if a.system { "system" } else { "policy" }.to_string(),
        ]);
    }
    if policy.system_path.is_none() {
        // Nothing is layered: every row would say the same.
        for row in &mut rows {
            row.pop();
        }
    }
    print!("{}", table(&rows));
    for w in &warnings {
        output::status(&format!("warning: {w}"));
    }
    output::status(&format!(
        "policy {}{} is valid: {} account(s), {} rule(s), {} approver(s), {} approval requirement(s); audit log: {}",
        policy.path.display(),
        policy
            .system_path
            .as_ref()
            .map_or(String::new(), |p| format!(" (over the system policy {})", p.display())),
        policy.accounts.len(),
        policy.rules.rules.len(),
        policy.approvals.approvers.len(),
        policy.approvals.requirements.len(),
        policy.audit_path.display()
    ));
    Ok(ExitCode::Success)
}

/// `postgate policy show NAME`: the account as the policy defines it, and every rule that
/// applies to it, with where the rule is written.
pub fn policy_show(cli: &Cli, name: &str) -> Result<ExitCode> {
    let policy = crate::policy::load_discovered(cli.policy.as_deref())?;
    let account = policy.account(name)?;
    let rules: Vec<&crate::rules::Rule> = policy.rules.for_account(account).collect();
    if cli.json {
        let mut v = account_json(account);
        v["confirm"] = format!("{:?}", account.confirm).to_lowercase().into();
        v["non_interactive"] = format!("{:?}", account.non_interactive).to_lowercase().into();
        v["allow_delete"] = account.allow_delete.into();
        v["require_alt_text"] = account.require_alt_text.into();
        v["language"] = account.language.clone().into();
        v["rules"] = rules
            .iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "kind": r.check.kind(),
                    "level": r.level,
                    "scope": r.scope.describe(),
                    "checks": r.check.describe(),
                    "message": r.message,
                    "source": source(&policy, r.system, r.line),
                    "origin": if r.system { "system" } else { "policy" },
                })
            })
            .collect::<Vec<_>>()
            .into();
        output::json(&v);
        return Ok(ExitCode::Success);
    }
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let rows = [
        (
            "account",
            format!("{} ({})", account.name, account.kind.as_str().to_uppercase()),
        ),
        ("handle", one_line(&account.handle)),
        (
            "platform",
            format!("{} on {}", account.platform.as_str(), one_line(&account.host())),
        ),
        (
            "confirm",
            format!(
                "{} (scripts: {})",
                format!("{:?}", account.confirm).to_lowercase(),
                format!("{:?}", account.non_interactive).to_lowercase()
            ),
        ),
        ("credentials", account.credentials.as_str().to_string()),
        ("delete", yes_no(account.allow_delete).to_string()),
        (
            "alt text",
            if account.require_alt_text {
                "required"
            } else {
                "optional"
            }
            .to_string(),
        ),
        ("language", account.language.clone().unwrap_or_else(|| "not set".into())),
        ("defined in", source(&policy, account.system, account.line)),
    ];
    for (label, value) in rows {
        output::result(&format!("{label:<12} {value}"));
    }
    output::result("");
    if rules.is_empty() {
        output::result("no content rules apply to this account");
        return Ok(ExitCode::Success);
    }
    let mut table_rows = vec![
        ["LEVEL", "RULE", "KIND", "CHECKS", "SCOPE", "SOURCE"]
            .map(String::from)
            .to_vec(),
    ];
    for r in &rules {
        table_rows.push(vec![
            r.level.as_str().to_string(),
            r.id.clone(),
            r.check.kind().to_string(),
            one_line(&r.check.describe()),
            r.scope.describe(),
            source(&policy, r.system, r.line),
        ]);
    }
    print!("{}", table(&table_rows));
    output::status(&format!(
        "{} of the policy's {} rule(s) apply to `{}`",
        rules.len(),
        policy.rules.rules.len(),
        account.name
    ));
    Ok(ExitCode::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns() {
        let rows = vec![
            vec!["A".to_string(), "BB".into(), "C".into()],
            vec!["aaa".into(), "b".into(), "c".into()],
        ];
        assert_eq!(table(&rows), "A    BB  C\naaa  b   c\n");
    }
}
