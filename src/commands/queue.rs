//! `postgate queue check` (pull requests) and `queue publish --due` (the schedule).

use super::check::{self, CheckedDraft};
use crate::account::{HandleMatch, compare_handle};
use crate::approval::{signature, unmet};
use crate::cli::{Cli, QueueCheckArgs, QueuePublishArgs};
use crate::confirm;
use crate::error::{Failure, exit_code_of};
use crate::exit_codes::ExitCode;
use crate::output;
use crate::plan::{Plan, WindowState};
use crate::policy::Policy;
use crate::publish::{self, PlanGate, Request};
use crate::rules;
use crate::sanitize::one_line;
use anyhow::Result;
use serde_json::json;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// The queue's items, and the entries the walk did not take (links, FIFOs), each warned about.
pub(crate) fn items(dir: &Path) -> Result<crate::draft::Expansion> {
    if !dir.is_dir() {
        return Err(Failure::new(ExitCode::Usage, format!("{}: no such folder", dir.display())).into());
    }
    let found = crate::draft::expand(&[dir.to_path_buf()])
        .map_err(|e| Failure::new(ExitCode::Usage, format!("cannot read {}: {e}", dir.display())))?;
    check::warn_skipped(&found.skipped);
    Ok(found)
}

fn signatures(dir: &Path) -> Result<std::collections::HashMap<PathBuf, Vec<PathBuf>>> {
    crate::queue::signatures(dir)
        .map_err(|e| Failure::new(ExitCode::Usage, format!("cannot list {}: {e}", dir.display())).into())
}

/// What `queue check` found about one item's approvals.
enum Approval {
    NotNeeded,
    Approved(Vec<String>),
    Missing(Vec<String>),
    /// An approver said no, with a reason: waiting, as for a missing approval.
    Declined(Vec<String>),
    Bad(String),
}

pub fn check(cli: &Cli, args: &QueueCheckArgs) -> Result<ExitCode> {
    let policy = crate::policy::load_discovered(cli.policy.as_deref())?;
    let crate::draft::Expansion { files, skipped } = items(&args.dir)?;
    let sigs = signatures(&args.dir)?;
    let now = jiff::Timestamp::now();
    let (mut deny, mut awaiting, mut bad, mut expired, mut errors, mut ready) = (0, 0, 0, 0, 0, 0);
    let mut out = Vec::new();
    for file in &files {
        let report = check::check_one(&policy, None, None, Some(file));
        // An item that cannot be read, or read as a plan, is one error line and no more.
        let mut item_error = |e: &crate::draft::DraftError| {
            errors += 1;
            eprintln!(
                "{}:{}:{} error {}",
                report.name,
                e.line,
                e.col,
                crate::sanitize::for_terminal(&e.message)
            );
            out.push(json!({ "file": report.name, "error": e.message }));
        };
        if let Some(e) = &report.error {
            item_error(e);
            continue;
        }
        let Some(draft) = &report.draft else { continue };
        let plan = match crate::queue::plan_of(&policy, file, draft) {
            Ok(p) => p,
            Err(e) => {
                item_error(&e);
                continue;
            }
        };
        let (d, _, _) = rules::tally(&report.findings);
        deny += d;
        let (approval, author) = approval_of(
            &policy,
            &plan,
            file,
            &report,
            sigs.get(file).map_or(&[][..], Vec::as_slice),
        );
        let window = plan.window_refusal(now);
        let mut lines: Vec<String> = report
            .findings
            .iter()
            .map(|f| check::finding_line(&report, f))
            .collect();
        match &approval {
            Approval::NotNeeded => {}
            Approval::Approved(by) => lines.push(format!(
                "{}:1:1 ok approvals {}",
                report.name,
                crate::banner::approved_by(by)
            )),
            Approval::Missing(what) => {
                awaiting += 1;
                for w in what {
                    lines.push(format!("{}:1:1 approve approvals needs {w}", report.name));
                }
            }
            Approval::Declined(what) => {
                awaiting += 1;
                for w in what {
                    lines.push(format!("{}:1:1 declined approvals {w}", report.name));
                }
            }
            Approval::Bad(why) => {
                bad += 1;
                lines.push(format!("{}:1:1 error signature {}", report.name, one_line(why)));
            }
        }
        if let Some(WindowState::Expired(t)) = window {
            expired += 1;
            lines.push(format!(
                "{}:1:1 expired window expired at {t}; it will never be published",
                report.name
            ));
        }
        if d == 0
            && matches!(approval, Approval::NotNeeded | Approval::Approved(_))
            && window.is_none_or(|w| !matches!(w, WindowState::Expired(_)))
        {
            ready += 1;
        }
        if cli.json {
            let mut v = check::file_json(&report);
            v["plan_hash"] = plan.plan_hash.clone().into();
            v["publish_at"] = json!(plan.window.not_before);
            v["expires"] = json!(plan.window.expires);
            v["expires_by_default"] = crate::queue::default_expiry(draft).into();
            v["expired"] = matches!(window, Some(WindowState::Expired(_))).into();
            v["approval"] = match &approval {
                Approval::NotNeeded => json!({ "status": "not-needed" }),
                Approval::Approved(by) => json!({ "status": "approved", "by": by }),
                Approval::Missing(what) => json!({ "status": "missing", "needs": what }),
                Approval::Declined(what) => json!({ "status": "declined", "declined": what }),
                Approval::Bad(why) => json!({ "status": "invalid", "error": why }),
            };
            v["author"] = json!(author);
            out.push(v);
        } else {
            for line in lines {
                output::result(&line);
            }
        }
    }
    let summary = format!(
        "checked {} item(s): {ready} ready, {deny} refused (deny), {awaiting} awaiting approval, {bad} with a bad signature, \
         {expired} expired{}{}",
        files.len(),
        if errors > 0 {
            format!(", {errors} could not be checked")
        } else {
            String::new()
        },
        if skipped.is_empty() {
            String::new()
        } else {
            format!(", {} skipped (links or not regular files)", skipped.len())
        }
    );
    if cli.json {
        output::json(&json!({
            "items": out,
            "skipped": check::skipped_json(&skipped),
            "summary": { "items": files.len(), "ready": ready, "deny": deny, "awaiting": awaiting,
                          "bad_signatures": bad, "expired": expired, "errors": errors,
                          "skipped": skipped.len() },
        }));
    }
    output::status(&summary);
    if args.require_approved && awaiting > 0 {
        output::status(&format!(
            "not ready to merge: {awaiting} item(s) await approval; the `approve approvals needs` lines say who \
             still has to sign"
        ));
    }
    // Before a merge (`--require-approved`) the folder must hold exactly what will be
    // published: a link in it is something a reviewer may believe will go out, and will not.
    Ok(if errors > 0 || (args.require_approved && !skipped.is_empty()) {
        ExitCode::Usage
    } else if deny > 0 {
        ExitCode::ContentRefused
    } else if bad > 0 || (args.require_approved && awaiting > 0) {
        ExitCode::PlanRefused
    } else {
        ExitCode::Success
    })
}

/// The item's approval status, and its author as the author signature proves it.
fn approval_of(
    policy: &Policy,
    plan: &Plan,
    file: &Path,
    report: &CheckedDraft,
    files: &[PathBuf],
) -> (Approval, Option<crate::approval::ProvenAuthor>) {
    let Ok(account) = policy.account(&plan.account.name) else {
        return (Approval::Bad("unknown account".into()), None);
    };
    let needs = policy
        .approvals
        .needs(account, &report.findings, plan.post.reply_to.is_some());
    let signed = match signature::verify_all(&policy.approvals, plan, file, files) {
        Ok(s) => s,
        Err(e) => return (Approval::Bad(format!("{e:#}")), None),
    };
    let declined = match crate::approval::decline::verify_all(&policy.approvals, plan, file) {
        Ok(d) => d,
        Err(e) => return (Approval::Bad(format!("{e:#}")), None),
    };
    if !declined.is_empty() {
        let what = declined
            .iter()
            .map(|d| {
                format!(
                    "declined by `{}`: {} (remove {} once addressed)",
                    d.approver,
                    one_line(&d.reason),
                    d.file.display()
                )
            })
            .collect();
        return (Approval::Declined(what), signed.author);
    }
    let names = || signed.approvers.iter().map(|a| a.name.clone()).collect();
    if needs.is_empty() {
        let approval = if signed.approvers.is_empty() {
            Approval::NotNeeded
        } else {
            Approval::Approved(names())
        };
        return (approval, signed.author);
    }
    // Approvals count only against a proven author; the item waits for its author's signature.
    let mut missing = Vec::new();
    if signed.author.is_none() {
        missing.push(format!(
            "its author's signature ({}, made by `postgate sign {}`), so self-approval can be ruled out",
            signature::author_path(file).display(),
            file.display()
        ));
    }
    missing.extend(unmet(&needs, &signed.approvers));
    let can_sign = who_can_sign(policy, &needs, &signed);
    if !missing.is_empty() && !can_sign.is_empty() {
        let names: Vec<String> = can_sign.iter().map(|a| format!("`{}`", one_line(&a.name))).collect();
        let how = match (
            can_sign.iter().any(|a| a.key.is_some()),
            can_sign.iter().any(|a| a.passkey.is_some()),
        ) {
            (true, false) => format!("`postgate approve {}`", file.display()),
            (false, _) => format!("a passkey, on `postgate review serve {}`", file.display()),
            (true, true) => format!(
                "`postgate approve {0}`, or a passkey on `postgate review serve {0}`",
                file.display()
            ),
        };
        missing.push(format!("a signature from {} ({how})", names.join(" or ")));
    }
    let approval = if missing.is_empty() {
        Approval::Approved(names())
    } else {
        Approval::Missing(missing)
    };
    (approval, signed.author)
}

/// The approvers who could still meet an unmet need: holding one of its roles, not signed yet,
/// not the item's proven author. A writer waiting on a red pull request learns whom to ask.
fn who_can_sign<'p>(
    policy: &'p Policy,
    needs: &[crate::approval::Need],
    signed: &signature::Signed,
) -> Vec<&'p crate::approval::Approver> {
    policy
        .approvals
        .approvers
        .iter()
        .filter(|a| {
            needs.iter().any(|n| {
                !unmet(std::slice::from_ref(n), &signed.approvers).is_empty()
                    && (n.roles.is_empty() || a.roles.iter().any(|r| n.roles.contains(r)))
            })
        })
        .filter(|a| signed.approvers.iter().all(|s| s.name != a.name))
        .filter(|a| signed.author.as_ref().is_none_or(|p| !a.wrote(p)))
        .collect()
}

/// One item's fate in a publishing run.
struct Done {
    file: String,
    status: &'static str,
    id: Option<String>,
    url: Option<String>,
    detail: Option<String>,
    exit_code: Option<i32>,
    /// The approvers whose signatures verified, `name SHA256:…`.
    approvals: Vec<String>,
}

pub fn publish(cli: &Cli, args: &QueuePublishArgs) -> Result<ExitCode> {
    let policy = crate::policy::load_discovered(cli.policy.as_deref())?;
    let crate::draft::Expansion { files, skipped } = items(&args.dir)?;
    let lock_path = args.dir.join(".postgate-queue.lock");
    // A dry run changes nothing the lock protects (it takes no plan lock either), so it
    // neither waits for a publishing run nor makes one wait.
    let _lock = if args.dry_run {
        None
    } else {
        Some(
            crate::queue::lock(&args.dir, || {
                output::status(&format!("waiting for another run to release {}", lock_path.display()))
            })
            .map_err(|e| {
                Failure::new(
                    ExitCode::GeneralError,
                    format!("cannot lock {}: {e}", lock_path.display()),
                )
            })?,
        )
    };

    // Time is read after the lock: a run that waited must judge what is due now.
    let now = jiff::Timestamp::now();
    let mut done: Vec<Done> = Vec::new();
    let mut due: Vec<(PathBuf, Plan)> = Vec::new();
    // A link is never followed, and fails the run (after the others are published) so that
    // whoever put it there learns that it published nothing.
    for s in &skipped {
        done.push(Done {
            file: s.path.display().to_string(),
            status: "failed",
            id: None,
            url: None,
            detail: Some(s.why.to_string()),
            exit_code: Some(ExitCode::Usage.code()),
            approvals: Vec::new(),
        });
    }
    for file in &files {
        let name = file.display().to_string();
        match crate::queue::item_plan(&policy, file) {
            Err(e) => done.push(Done {
                file: name,
                status: "failed",
                id: None,
                url: None,
                detail: Some(format!("{}:{}: {}", e.line, e.col, e.message)),
                exit_code: Some(ExitCode::Usage.code()),
                approvals: Vec::new(),
            }),
            Ok(plan) => match plan.window_refusal(now) {
                Some(WindowState::Expired(t)) => done.push(Done {
                    file: name,
                    status: "expired",
                    id: None,
                    url: None,
                    detail: Some(format!("expired at {t}; never published")),
                    exit_code: None,
                    approvals: Vec::new(),
                }),
                Some(WindowState::NotYet(t)) => done.push(Done {
                    file: name,
                    status: "not-due",
                    id: None,
                    url: None,
                    detail: Some(format!("due at {t}")),
                    exit_code: None,
                    approvals: Vec::new(),
                }),
                None => due.push((file.clone(), plan)),
            },
        }
    }
    // Oldest first; the file name breaks ties so every runner agrees on the order.
    due.sort_by(|a, b| (a.1.window.not_before, &a.0).cmp(&(b.1.window.not_before, &b.0)));

    let interactive = confirm::has_terminal();
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(due.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let mut stop = false;
    for (file, plan) in due {
        let name = file.display().to_string();
        if stop {
            done.push(Done {
                file: name,
                status: "skipped",
                id: None,
                url: None,
                detail: Some("not attempted after the audit log failed".into()),
                exit_code: None,
                approvals: Vec::new(),
            });
            continue;
        }
        if let Some(bar) = &bar {
            bar.set_message(name.clone());
        }
        let outcome = run_item(&policy, &file, plan, args, interactive, bar.as_ref());
        let line = match outcome {
            Ok(report) => {
                let p = report.published.unwrap_or(crate::platform::spec::Published {
                    id: String::new(),
                    url: String::new(),
                    replayed: false,
                });
                let status = if report.already {
                    "already-published"
                } else if args.dry_run {
                    "dry-run"
                } else {
                    "published"
                };
                let line = format!("{status} {name} → {} {}", one_line(&p.id), one_line(&p.url));
                if !cli.json {
                    output::result(&format!("{name}\t{status}\t{}\t{}", one_line(&p.id), one_line(&p.url)));
                }
                done.push(Done {
                    file: name,
                    status,
                    id: Some(p.id),
                    url: Some(p.url),
                    detail: None,
                    exit_code: None,
                    approvals: report.approvals,
                });
                line
            }
            Err(err) => {
                let code = exit_code_of(&err);
                stop = code == ExitCode::Audit;
                if code == ExitCode::PlanRefused {
                    tell_approvers(&policy, &file, &err);
                }
                let line = format!(
                    "failed {name}: {}",
                    crate::sanitize::for_terminal(&crate::error::shown_describe(&err))
                );
                done.push(Done {
                    file: name,
                    status: "failed",
                    id: None,
                    url: None,
                    detail: Some(crate::error::describe(&err)),
                    exit_code: Some(code.code()),
                    approvals: Vec::new(),
                });
                line
            }
        };
        match &bar {
            Some(bar) => {
                bar.println(line);
                bar.inc(1);
            }
            None => output::status(&line),
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }

    let count = |s: &str| done.iter().filter(|d| d.status == s).count();
    let summary = format!(
        "queue {}{}: {} published, {} already published, {} not due, {} expired, {} failed",
        args.dir.display(),
        if args.dry_run {
            format!(" (dry run: {} would be published, nothing was sent)", count("dry-run"))
        } else {
            String::new()
        },
        count("published"),
        count("already-published"),
        count("not-due"),
        count("expired"),
        count("failed") + count("skipped"),
    );
    for d in done
        .iter()
        .filter(|d| matches!(d.status, "expired" | "failed" | "skipped"))
    {
        output::status(&format!(
            "{} {}: {}",
            d.status,
            d.file,
            crate::sanitize::for_terminal(d.detail.as_deref().unwrap_or(""))
        ));
    }
    let checkpoint = super::log::end_of_run(
        &policy,
        args.checkpoint.as_deref(),
        &args.checkpoint_key,
        "queue publish --checkpoint",
    );
    if cli.json {
        let items: Vec<serde_json::Value> = done
            .iter()
            .map(|d| json!({ "file": d.file, "status": d.status, "id": d.id, "url": d.url, "detail": d.detail, "exit_code": d.exit_code, "approvals": d.approvals }))
            .collect();
        output::json(&json!({
            "checkpoint": super::log::end_of_run_json(checkpoint.as_ref()),
            "items": items,
            "summary": {
                "published": count("published"), "already_published": count("already-published"),
                "dry_run": count("dry-run"),
                "not_due": count("not-due"), "expired": count("expired"),
                "failed": count("failed") + count("skipped"),
            },
        }));
    }
    output::status(&summary);
    let first_failure = done.iter().find_map(|d| d.exit_code);
    // An item's failure outranks a missing checkpoint; a run that went well but left no
    // witness fails, so the gap in the trail is seen.
    if first_failure.is_none()
        && let Some(Err(e)) = checkpoint
    {
        return Err(e);
    }
    Ok(match first_failure {
        Some(code) => ExitCode::ALL
            .into_iter()
            .find(|c| c.code() == code)
            .unwrap_or(ExitCode::GeneralError),
        None => ExitCode::Success,
    })
}

fn run_item(
    policy: &Policy,
    file: &Path,
    plan: Plan,
    args: &QueuePublishArgs,
    interactive: bool,
    bar: Option<&indicatif::ProgressBar>,
) -> Result<publish::Receipt> {
    let action = plan.action();
    let draft = plan
        .draft(crate::paths::base_of(file))
        .map_err(|e| publish::record_refusal(policy, &action, &plan.account.name, e))?;
    // The flag naming this item's account; otherwise the first one, which then fails as a
    // mismatch with the usual message (fail closed, never skip confirmation).
    let handles = &args.confirm_handle;
    let confirm_handle = handles
        .iter()
        .find(|h| compare_handle(h, &plan.account.handle) == HandleMatch::Exact)
        .or(handles.first())
        .cloned();
    let request = Request {
        action,
        account: plan.account.name.clone(),
        draft,
        dry_run: args.dry_run,
        confirm_handle,
        interactive,
        plan: Some(PlanGate {
            plan,
            path: file.to_path_buf(),
        }),
    };
    match bar {
        Some(bar) => bar.suspend(|| publish::run(policy, request)),
        None => publish::run(policy, request),
    }
}

/// `[approvals] notify` for an item due without its approvals, the first time a run finds it
/// so: once its refusal is the only one the audit log holds for its plan hash, so a schedule
/// every 15 minutes does not tell the approvers every 15 minutes.
fn tell_approvers(policy: &Policy, file: &Path, err: &anyhow::Error) {
    if policy.approvals.notify.is_none() {
        return;
    }
    let Ok(plan) = crate::queue::item_plan(policy, file) else {
        return;
    };
    let Ok(account) = policy.account(&plan.account.name) else {
        return;
    };
    let refusals = crate::audit::AuditLog::of(policy).read_all().map_or(0, |records| {
        records
            .iter()
            .filter(|r| r.event == "refused" && r.plan_hash.as_deref() == Some(plan.plan_hash.as_str()))
            .count()
    });
    if refusals > 1 {
        return;
    }
    let why = vec![crate::error::describe(err)];
    super::hook::notify(policy, account, &plan, file, &why, super::hook::Waiting::Due);
}
