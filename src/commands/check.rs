//! `postgate check`: the publish pipeline's content rules over draft files, offline.
//!
//! Built for pull-request jobs: one line per finding in the `file:line:col` form editors and CI
//! annotations understand, a summary on stderr, and exit code 4 when any `deny` rule matched.

use crate::account::Account;
use crate::cli::{CheckArgs, CheckFormat, Cli};
use crate::draft::{DraftError, DraftFile};
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::output;
use crate::policy::Policy;
use crate::publish::checks;
use crate::rules::{self, Finding, Level};
use crate::sanitize::one_line;
use anyhow::Result;
use colored::Colorize;
use serde_json::{Value, json};
use std::io::IsTerminal;
use std::path::Path;

/// One checked draft.
pub(super) struct CheckedDraft {
    pub name: String,
    pub account: Option<String>,
    pub draft: Option<DraftFile>,
    pub findings: Vec<Finding>,
    pub error: Option<DraftError>,
}

pub fn run(cli: &Cli, args: &CheckArgs) -> Result<ExitCode> {
    let policy = crate::policy::load_discovered(cli.policy.as_deref())?;
    if let Some(name) = &args.account {
        policy.account(name)?;
    }
    let at = args.at.as_deref().map(parse_at).transpose()?;
    let mut inputs = Vec::new();
    let mut skipped = Vec::new();
    let mut stdin_used = false;
    for p in &args.paths {
        if p == Path::new("-") {
            if stdin_used {
                return Err(Failure::new(ExitCode::Usage, "`-` (stdin) can be given only once").into());
            }
            stdin_used = true;
            inputs.push(None);
        } else if !p.exists() {
            return Err(Failure::new(ExitCode::Usage, format!("{}: no such file or folder", p.display())).into());
        } else {
            let found = crate::draft::expand(std::slice::from_ref(p))
                .map_err(|e| Failure::new(ExitCode::Usage, format!("cannot read {}: {e}", p.display())))?;
            warn_skipped(&found.skipped);
            skipped.extend(found.skipped);
            inputs.extend(found.files.into_iter().map(Some));
        }
    }

    let reports: Vec<CheckedDraft> = inputs
        .iter()
        .map(|input| check_one(&policy, args.account.as_deref(), at, input.as_deref()))
        .collect();

    let json_out = cli.json || args.format == CheckFormat::Json;
    let (mut deny, mut approve, mut warn, mut errors) = (0, 0, 0, 0);
    let mut files = Vec::new();
    for r in &reports {
        let (d, a, w) = rules::tally(&r.findings);
        (deny, approve, warn) = (deny + d, approve + a, warn + w);
        if let Some(e) = &r.error {
            errors += 1;
            // The same located form as findings, on stderr: the check of this file did not run.
            eprintln!(
                "{}:{}:{} {} {}",
                r.name,
                e.line,
                e.col,
                "error".red().bold(),
                crate::sanitize::for_terminal(&e.message)
            );
        }
        if json_out {
            files.push(file_json(r));
        } else {
            for f in &r.findings {
                output::result(&finding_line(r, f));
            }
        }
    }
    let summary = format!(
        "checked {} draft(s): {deny} refused (deny), {approve} need approval, {warn} warning(s){}",
        reports.len(),
        if errors > 0 {
            format!(", {errors} could not be checked")
        } else {
            String::new()
        }
    );
    if json_out {
        output::json(&json!({
            "files": files,
            "skipped": skipped_json(&skipped),
            "summary": { "drafts": reports.len(), "deny": deny, "approve": approve, "warn": warn, "errors": errors },
        }));
    }
    output::status(&summary);
    Ok(if errors > 0 {
        ExitCode::Usage
    } else if deny > 0 {
        ExitCode::ContentRefused
    } else {
        ExitCode::Success
    })
}

/// One warning line per entry a folder walk did not take, so nobody believes it was checked.
pub(super) fn warn_skipped(skipped: &[crate::draft::Skipped]) {
    for s in skipped {
        output::status(&format!(
            "{}: warning: {}",
            crate::sanitize::for_terminal(&s.path.display().to_string()),
            s.why
        ));
    }
}

/// The entries a walk did not take, for `--json`.
pub(super) fn skipped_json(skipped: &[crate::draft::Skipped]) -> Vec<Value> {
    skipped
        .iter()
        .map(|s| json!({ "file": s.path.display().to_string(), "reason": s.why }))
        .collect()
}

fn parse_at(text: &str) -> Result<jiff::Timestamp> {
    if text == "now" {
        return Ok(jiff::Timestamp::now());
    }
    text.parse::<jiff::Timestamp>().map_err(|e| {
        Failure::new(ExitCode::Usage, format!("invalid --at `{}`: {e}", one_line(text)))
            .hint("use `now` or an RFC 3339 time with its offset, like 2026-12-01T23:30:00+01:00")
            .into()
    })
}

fn error_at(name: String, line: usize, col: usize, message: impl Into<String>) -> CheckedDraft {
    CheckedDraft {
        name,
        account: None,
        draft: None,
        findings: Vec::new(),
        error: Some(DraftError {
            line,
            col,
            message: message.into(),
        }),
    }
}

pub(super) fn check_one(
    policy: &Policy,
    flag: Option<&str>,
    at: Option<jiff::Timestamp>,
    path: Option<&Path>,
) -> CheckedDraft {
    let name = path.map_or_else(|| "<stdin>".to_string(), |p| p.display().to_string());
    let bytes = match path {
        Some(p) => crate::paths::read_bounded(p, crate::paths::MAX_POST_BYTES, "post"),
        None => crate::paths::read_stream_bounded(std::io::stdin(), crate::paths::MAX_POST_BYTES, "post"),
    };
    let source = match bytes.map(String::from_utf8) {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            return error_at(
                name,
                1,
                1,
                format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
            );
        }
        Err(e) => return error_at(name, 1, 1, format!("cannot read: {e}")),
    };
    let draft = match DraftFile::parse(source) {
        Ok(d) => d,
        Err(e) => {
            let mut r = error_at(name, e.line, e.col, "");
            r.error = Some(e);
            return r;
        }
    };
    let account_name = match (flag, draft.front.account.as_deref()) {
        (Some(f), Some(d)) if f != d => {
            return error_at(
                name,
                1,
                1,
                format!("the draft is for account `{}`, but --account says `{f}`", one_line(d)),
            );
        }
        (Some(f), _) => f.to_string(),
        (None, Some(d)) => d.to_string(),
        (None, None) => {
            return error_at(
                name,
                1,
                1,
                "no account: pass --account NAME, or set `account` in the draft's +++ front matter",
            );
        }
    };
    let account = match policy.account(&account_name) {
        Ok(a) => a,
        Err(e) => return error_at(name, 1, 1, format!("{e}")),
    };
    // Each image is read as the queue and `apply` will read it: inside the draft's folder,
    // through no link, a regular file of its type and size. A draft from stdin has no folder
    // of its own; its images are looked for in the current one.
    let base = path.map_or(Path::new("."), crate::paths::base_of);
    for (i, image) in draft.front.images.iter().enumerate() {
        let max = crate::platform::of(account).max_image_bytes();
        if let Err(e) = crate::media::read_within(base, &image.path, max, account.platform.as_str()) {
            let (line, col) = draft.image_line_col(i);
            return error_at(name, line, col, e.message);
        }
    }
    let findings = findings_for(policy, account, &draft, at);
    CheckedDraft {
        name,
        account: Some(account.name.clone()),
        draft: Some(draft),
        findings,
        error: None,
    }
}

/// The rules, plus the refusals `post` would make on its own (platform limits, the account's
/// `require_alt_text`), judged by the pipeline's own [`checks::limits`], so a clean check
/// means a clean publish.
fn findings_for(policy: &Policy, account: &Account, draft: &DraftFile, at: Option<jiff::Timestamp>) -> Vec<Finding> {
    let text = draft.text();
    let (length, limits) = crate::platform::offline(account, text);
    let images: Vec<checks::Attachment> = draft
        .front
        .images
        .iter()
        .map(|i| checks::Attachment {
            name: i.path.display().to_string(),
            described: i.alt.as_deref().is_some_and(|a| !a.trim().is_empty()),
        })
        .collect();
    let at = at.or(draft.front.publish_at);
    let recent = match at {
        Some(at) if policy.rules.needs_recent(account) => checks::recent_posts(policy, account, at).ok(),
        _ => None,
    };
    let subject = rules::Subject {
        text,
        reply_to: draft.front.reply_to.as_deref(),
        language: draft.front.language.as_deref().or(account.language.as_deref()),
        images: images.len(),
        images_without_alt: images.iter().filter(|i| !i.described).count(),
        length,
    };
    let mut findings = policy.rules.check(account, &subject, &rules::Context { at, recent });
    findings.extend(
        checks::limits(account, text, length, &images, limits)
            .iter()
            .map(|b| b.finding(account)),
    );
    findings
}

/// `(line, col)` of a finding in the file; findings about the whole post point at its start.
fn location(r: &CheckedDraft, f: &Finding) -> (usize, usize) {
    match &r.draft {
        Some(d) => d.line_col(f.span.as_ref().map_or(0, |s| s.start)),
        None => (1, 1),
    }
}

pub(super) fn finding_line(r: &CheckedDraft, f: &Finding) -> String {
    let (line, col) = location(r, f);
    // stdout is for pipes and CI logs; colour only when a person reads it directly.
    let colour = colored::control::SHOULD_COLORIZE.should_colorize() && std::io::stdout().is_terminal();
    let level = match (f.level, colour) {
        (l, false) => l.as_str().to_string(),
        (Level::Deny, true) => "deny".red().bold().to_string(),
        (Level::Approve, true) => "approve".yellow().bold().to_string(),
        (Level::Warn, true) => "warn".yellow().to_string(),
    };
    let suggestion = f
        .suggestion
        .as_ref()
        .map_or(String::new(), |s| format!(" (suggestion: {})", one_line(s)));
    format!(
        "{}:{line}:{col} {level} {} {}{suggestion}",
        r.name,
        f.rule,
        one_line(&f.message)
    )
}

pub(super) fn file_json(r: &CheckedDraft) -> Value {
    let findings: Vec<Value> = r
        .findings
        .iter()
        .map(|f| {
            let (line, col) = location(r, f);
            let mut v = json!({
                "line": line,
                "col": col,
                "level": f.level,
                "rule": f.rule,
                "message": f.message,
                "suggestion": f.suggestion,
            });
            if let (Some(span), Some(d)) = (&f.span, &r.draft) {
                let (end_line, end_col) = d.line_col(span.end);
                v["end_line"] = end_line.into();
                v["end_col"] = end_col.into();
                v["match"] = d.text()[span.clone()].into();
            }
            v
        })
        .collect();
    json!({
        "file": r.name,
        "account": r.account,
        "findings": findings,
        "error": r.error.as_ref().map(|e| json!({ "line": e.line, "col": e.col, "message": e.message })),
    })
}
