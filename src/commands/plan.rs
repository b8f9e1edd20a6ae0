//! `postgate plan`, `sign`, `approve`, `apply` and `keys`: a post reviewed before it goes out.

use crate::account::Account;
use crate::approval::{keys, signature};
use crate::audit::{AuditLog, Outcome, Record};
use crate::banner::{self, BannerInfo};
use crate::cli::{ApplyArgs, ApproveArgs, Cli, KeysArgs, KeysCommand, PlanArgs, SignArgs};
use crate::confirm;
use crate::content::Action;
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::output;
use crate::paths::base_of;
use crate::plan::{self, Author, Plan, PlanFinding, PlanPost, Window};
use crate::policy::Policy;
use crate::publish::{self, PlanGate};
use crate::rules::{Finding, Level};
use crate::sanitize::one_line;
use anyhow::Result;
use std::path::Path;

fn parse_time(flag: &str, text: &str) -> Result<jiff::Timestamp> {
    text.parse::<jiff::Timestamp>().map_err(|e| {
        Failure::new(ExitCode::Usage, format!("invalid {flag} `{}`: {e}", one_line(text)))
            .hint("use an RFC 3339 time with its offset, like 2026-12-01T09:00:00+01:00")
            .into()
    })
}

/// The rules as they judge the post at `at`, with the offline length.
fn findings_at(
    policy: &Policy,
    account: &Account,
    draft: &crate::content::Draft,
    at: jiff::Timestamp,
) -> Result<Vec<Finding>> {
    let (length, _) = crate::platform::offline(account, &draft.text);
    publish::checks::content_findings(policy, account, draft, length, at)
}

pub fn plan(cli: &Cli, args: &PlanArgs) -> Result<ExitCode> {
    let policy = crate::policy::load_discovered(cli.policy.as_deref())?;
    let account = policy.account(&args.content.account)?;
    let created = jiff::Timestamp::now();
    let window = window_of(args, created)?;
    let not_before = window.not_before;
    if args.correct.as_ref().is_some_and(|c| c.trim().is_empty()) {
        return Err(Failure::new(ExitCode::Usage, "--correct needs the id or URL of the post to correct").into());
    }
    let draft = super::post::read_draft(&args.content, false, &policy, Some(base_of(&args.output)))?;
    let findings = findings_at(&policy, account, &draft, not_before.unwrap_or(created))?;
    let base = base_of(&args.output);
    let author_file = signature::author_path(&args.output);
    // The author's own signature of an older plan there is replaced; approvals would be orphaned.
    if signature::files_for(&args.output)?
        .iter()
        .any(|f| f.file_name() != author_file.file_name())
    {
        return Err(Failure::new(
            ExitCode::Usage,
            format!(
                "{} already has approvals beside it; a new plan there would orphan them",
                args.output.display()
            ),
        )
        .hint("write the new plan under another name, or remove the old plan and its .sig files")
        .into());
    }
    let plan = Plan {
        format: plan::FORMAT,
        plan_hash: String::new(),
        created: Some(created),
        author: Author::current(),
        account: Plan::account_ref(account),
        post: PlanPost {
            text: draft.text.clone(),
            corrects: args.correct.as_ref().map(|c| c.trim().to_string()),
            reply_to: draft.reply_to.clone(),
            language: draft.language.clone().or(account.language.clone()),
            content_warning: draft.content_warning.clone(),
            visibility: draft.visibility.map(|v| v.as_str().to_string()),
            images: plan::pin_images(&draft.images, &args.content.image, base)?,
        },
        window,
        findings: findings
            .iter()
            .map(|f| PlanFinding {
                rule: f.rule.clone(),
                level: f.level.as_str().to_string(),
                message: f.message.clone(),
            })
            .collect(),
    }
    .seal();

    let denied: Vec<&Finding> = findings.iter().filter(|f| f.level == Level::Deny).collect();
    if !denied.is_empty() {
        show(&plan, account, &draft, &findings, None);
        let list: Vec<String> = denied
            .iter()
            .map(|f| format!("{} ({})", f.rule, one_line(&f.message)))
            .collect();
        return Err(Failure::new(
            ExitCode::ContentRefused,
            format!(
                "refused by the policy's rules: {}; no plan was written",
                list.join("; ")
            ),
        )
        .into());
    }
    let needs = policy.approvals.needs(account, &findings, draft.reply_to.is_some());
    // Signed before anything is written: a plan that needs approval and cannot carry its
    // author's signature is not worth writing.
    let authored = if needs.is_empty() && args.key.is_none() && args.ssh_key.is_none() {
        None
    } else {
        let signer = keys::Signer::from_args(args.key.as_deref(), args.ssh_key.as_deref());
        let defaulted = args.key.is_none() && args.ssh_key.is_none();
        let signed = signer
            .author(&policy.approvals)
            .and_then(|who| Ok((who, signer.sign_as_author(plan.plan_hash.as_bytes())?)));
        match signed {
            Ok(s) => Some(s),
            Err(e) if defaulted => {
                return Err(Failure::new(
                    ExitCode::PlanRefused,
                    format!(
                        "this post needs approval, so its plan carries its author's signature, and {} could not \
                         sign it: {}; no plan was written",
                        signer.describe(),
                        one_line(&format!("{e:#}"))
                    ),
                )
                .hint(
                    "sign with a key the policy lists in [[authors]] or [[approvers]]: --ssh-key ~/.ssh/id_ed25519, \
                     or --key NAME (`postgate keys new NAME`)",
                )
                .into());
            }
            Err(e) => return Err(e),
        }
    };
    show(&plan, account, &draft, &findings, authored.as_ref().map(|(who, _)| who));
    write_atomic(&args.output, plan.to_toml()?.as_bytes())?;
    match &authored {
        Some((_, sig)) => {
            let written = signature::write(&args.output, crate::approval::AUTHOR_FILE_NAME, sig)?;
            let proven = signature::verify_author(&policy.approvals, &plan, &written)?;
            // Recorded as `sign` records it: where a plan's time to approval starts
            // (`log stats`), and who wrote it.
            let mut record = Record::about(
                &policy,
                account,
                "authorship",
                "plan",
                Outcome::Authored {
                    signature: written.display().to_string(),
                },
            );
            record.plan_hash = Some(plan.plan_hash.clone());
            record.author = Some(proven);
            AuditLog::of(&policy).append(record)?;
        }
        None => match std::fs::remove_file(&author_file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Failure::new(
                    ExitCode::GeneralError,
                    format!("cannot remove the stale {}: {e}", author_file.display()),
                )
                .into());
            }
        },
    }
    if cli.json {
        output::json(&serde_json::json!({
            "plan": args.output.display().to_string(),
            "plan_hash": plan.plan_hash,
            "account": account.name,
            "not_before": plan.window.not_before,
            "expires": plan.window.expires,
            "needs": needs,
            "author": authored.as_ref().map(|(who, _)| who),
        }));
    } else {
        output::result(&plan.plan_hash);
    }
    output::status(&format!("wrote {} ({})", args.output.display(), plan.plan_hash));
    if let Some((who, _)) = &authored {
        output::status(&format!(
            "signed it as its author {}: {}",
            who.describe(),
            author_file.display()
        ));
    }
    if needs.is_empty() {
        output::status(&format!(
            "no approval is required; `postgate apply {}` publishes it",
            args.output.display()
        ));
    } else {
        for need in &needs {
            output::status(&format!("needs {}", need.describe()));
        }
        output::status(&format!(
            "approvers sign it with `postgate approve {}`",
            args.output.display()
        ));
        let described: Vec<String> = needs.iter().map(|n| n.describe()).collect();
        super::hook::notify(
            &policy,
            account,
            &plan,
            &args.output,
            &described,
            super::hook::Waiting::Written,
        );
    }
    Ok(ExitCode::Success)
}

/// The window `--publish-at` and `--expires` ask for, refused (exit 2, with the range) when it
/// lies out of range or could never be published.
fn window_of(args: &PlanArgs, now: jiff::Timestamp) -> Result<Window> {
    let not_before = args
        .publish_at
        .as_deref()
        .map(|t| parse_time("--publish-at", t))
        .transpose()?;
    let given = args
        .expires
        .as_deref()
        .map(|t| parse_time("--expires", t))
        .transpose()?;
    let usage = |message: String| -> anyhow::Error {
        Failure::new(ExitCode::Usage, message)
            .hint(format!(
                "a plan's window opens within {} days of now and closes within {} days of its start",
                plan::MAX_WINDOW_DAYS,
                plan::MAX_WINDOW_DAYS
            ))
            .into()
    };
    let names = ("--publish-at", "--expires");
    // The start is bounded first, so the default end below is computed on a sane date.
    let opening = Window {
        not_before,
        expires: None,
    };
    if let Some(p) = plan::window_problem(&opening, now, names, "plan") {
        return Err(usage(p.message));
    }
    let expires =
        given.unwrap_or_else(|| plan::days_after(not_before.unwrap_or(now), plan::DEFAULT_LIFETIME_HOURS / 24));
    let window = Window {
        not_before,
        expires: Some(expires),
    };
    if let Some(p) = plan::window_problem(&window, now, names, "plan") {
        return Err(usage(p.message));
    }
    if expires <= now {
        return Err(usage(format!(
            "the window closes at {expires}, which has passed; the plan could never be published"
        )));
    }
    Ok(window)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = base_of(path);
    let fail =
        |e: std::io::Error| Failure::new(ExitCode::GeneralError, format!("cannot write {}: {e}", path.display()));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// The banner, the plan's window, author and hash: what a reviewer needs to see.
fn show(
    plan: &Plan,
    account: &Account,
    draft: &crate::content::Draft,
    findings: &[Finding],
    author: Option<&crate::approval::ProvenAuthor>,
) {
    let (length, limits) = crate::platform::offline(account, &draft.text);
    eprint!(
        "{}",
        banner::render(&BannerInfo {
            account,
            action: Some(match &plan.post.corrects {
                Some(post) => format!(
                    "PLAN to CORRECT {} (nothing is published by this command)",
                    one_line(post)
                ),
                None => "PLAN (nothing is published by this command)".into(),
            }),
            text: &draft.text,
            reply_to: draft.reply_to.as_deref(),
            length,
            max_characters: limits.map_or(0, |l| l.max_characters),
            unit: crate::platform::of(account).length_unit(),
            content_warning: draft.content_warning.as_deref(),
            language: draft.language.as_deref().or(account.language.as_deref()),
            visibility: draft.visibility.map(|v| v.as_str()),
            images: &draft.images,
            credential: "not used until apply",
            dry_run: false,
            findings,
            approved_by: &[],
        })
    );
    let time = |t: Option<jiff::Timestamp>| t.map_or_else(|| "any time".to_string(), |t| t.to_string());
    eprintln!("  plan         {}", plan.plan_hash);
    match author {
        Some(who) => eprintln!("  author       {}", one_line(&who.describe())),
        None => eprintln!(
            "  author       not proven (no author signature); declared: {}",
            one_line(&plan.author.describe())
        ),
    }
    eprintln!("  not before   {}", time(plan.window.not_before));
    eprintln!("  expires      {}", time(plan.window.expires));
}

/// A `.plan` file, or a queue item (a draft with front matter) read as a plan.
/// A plan (or queue item) as a reviewer sees it: see [`crate::review::reviewed`].
fn review(policy: &Policy, path: &Path) -> Result<(Plan, crate::content::Draft, Vec<Finding>)> {
    crate::review::reviewed(policy, path)
}

fn refuse_expired(plan: &Plan, what: &str) -> Result<()> {
    if let Some(plan::WindowState::Expired(t)) = plan.window_refusal(jiff::Timestamp::now()) {
        return Err(Failure::new(
            ExitCode::PlanRefused,
            format!("the plan expired at {t}; it cannot be {what}"),
        )
        .into());
    }
    Ok(())
}

/// `postgate sign`: the author signs what they wrote, a queue item or a plan signed again.
pub fn sign(cli: &Cli, args: &SignArgs) -> Result<ExitCode> {
    let policy = crate::policy::load_discovered(cli.policy.as_deref())?;
    let (plan, draft, findings) = review(&policy, &args.plan)?;
    let account = plan.check_account(policy.account(&plan.account.name)?)?;
    let signer = keys::Signer::from_args(args.key.as_deref(), args.ssh_key.as_deref());
    let who = signer.author(&policy.approvals)?;
    show(&plan, account, &draft, &findings, Some(&who));
    refuse_expired(&plan, "signed")?;
    crate::approval::agree_to_sign(
        &crate::approval::Reviewed {
            what: "plan",
            flag: "--plan-hash",
            noun: "hash",
            expected: &plan.plan_hash,
            given: args.plan_hash.as_deref(),
            code: ExitCode::PlanRefused,
        },
        &format!("Sign this plan as its author `{}`?", who.name),
    )?;
    // An approver who approved this plan cannot then claim to have written it. Approvals that
    // no longer hold are left for `apply` and `queue check` to report.
    let author_file = signature::author_path(&args.plan);
    for file in signature::files_for(&args.plan)? {
        if file.file_name() == author_file.file_name() {
            continue;
        }
        if let Ok(signature::Approval { approver, .. }) = signature::verify_file(&policy.approvals, &plan, &file)
            && approver.wrote(&who)
        {
            return Err(Failure::new(
                ExitCode::PlanRefused,
                format!(
                    "{}: `{}` approved this plan, so they cannot sign it as its author; nothing was signed",
                    file.display(),
                    approver.name
                ),
            )
            .hint("the plan's real author signs it")
            .into());
        }
    }
    let sig = signer.sign_as_author(plan.plan_hash.as_bytes())?;
    let written = signature::write(&args.plan, crate::approval::AUTHOR_FILE_NAME, &sig)?;
    let proven = signature::verify_author(&policy.approvals, &plan, &written)?;
    let mut record = Record::about(
        &policy,
        account,
        "authorship",
        "sign",
        Outcome::Authored {
            signature: written.display().to_string(),
        },
    );
    record.plan_hash = Some(plan.plan_hash.clone());
    record.author = Some(proven);
    AuditLog::of(&policy).append(record)?;
    if cli.json {
        output::json(&serde_json::json!({
            "signature": written.display().to_string(),
            "author": who,
            "plan_hash": plan.plan_hash,
        }));
    } else {
        output::result(&written.display().to_string());
    }
    output::status(&format!(
        "signed {} as its author {}; commit {} beside it",
        plan.plan_hash,
        who.describe(),
        written.display()
    ));
    Ok(ExitCode::Success)
}

pub fn approve(cli: &Cli, args: &ApproveArgs) -> Result<ExitCode> {
    let policy = crate::policy::load_discovered(cli.policy.as_deref())?;
    let (plan, draft, findings) = review(&policy, &args.plan)?;
    let account = plan.check_account(policy.account(&plan.account.name)?)?;
    // Every signature already there must hold, and the author must be proven: an approval
    // counts only from someone other than the person who wrote the plan.
    let signed = signature::verify(&policy.approvals, &plan, &args.plan)?;
    show(&plan, account, &draft, &findings, signed.author.as_ref());
    refuse_expired(&plan, "approved")?;
    let author = signed.require_author(&args.plan)?;

    let signer = keys::Signer::from_args(args.key.as_deref(), args.ssh_key.as_deref());
    let approver = signer.approver(&policy.approvals, ExitCode::PlanRefused)?;
    if approver.wrote(author) {
        return Err(Failure::new(
            ExitCode::PlanRefused,
            format!(
                "approver `{}` wrote this plan (its author signature is by {}); nobody approves their own plan",
                approver.name,
                author.describe()
            ),
        )
        .hint("ask another approver")
        .into());
    }
    if approver.is_author(&plan.author) {
        return Err(Failure::new(
            ExitCode::PlanRefused,
            format!(
                "approver `{}` is the plan's author ({}); nobody approves their own plan",
                approver.name,
                one_line(&plan.author.describe())
            ),
        )
        .into());
    }
    crate::approval::agree_to_sign(
        &crate::approval::Reviewed {
            what: "plan",
            flag: "--plan-hash",
            noun: "hash",
            expected: &plan.plan_hash,
            given: args.plan_hash.as_deref(),
            code: ExitCode::PlanRefused,
        },
        &format!("Sign this plan as approver `{}`?", approver.name),
    )?;

    let sig = signer.sign(plan.plan_hash.as_bytes())?;
    let written = signature::write(&args.plan, &approver.name, &sig)?;
    // Check what was written the way apply will, so a broken signature is caught now.
    signature::verify_file(&policy.approvals, &plan, &written)?;
    let mut record = Record::about(
        &policy,
        account,
        "approval",
        "approve",
        Outcome::Approved {
            approver: approver.name.clone(),
            fingerprint: approver.fingerprint(),
            signature: written.display().to_string(),
        },
    );
    record.plan_hash = Some(plan.plan_hash.clone());
    record.author = Some(author.clone());
    AuditLog::of(&policy).append(record)?;
    if cli.json {
        output::json(&serde_json::json!({
            "signature": written.display().to_string(),
            "approver": approver.name,
            "author": author,
            "plan_hash": plan.plan_hash,
        }));
    } else {
        output::result(&written.display().to_string());
    }
    output::status(&format!(
        "approved {} as `{}`; commit {} beside it",
        plan.plan_hash,
        approver.name,
        written.display()
    ));
    Ok(ExitCode::Success)
}

pub fn apply(cli: &Cli, args: &ApplyArgs) -> Result<ExitCode> {
    let policy = crate::policy::load_discovered(cli.policy.as_deref())?;
    let interactive = confirm::has_terminal();
    let plan = Plan::load(&args.plan).map_err(|e| publish::record_refusal(&policy, &Action::Post, "", e))?;
    let action = plan.action();
    let draft = plan
        .draft(base_of(&args.plan))
        .map_err(|e| publish::record_refusal(&policy, &action, &plan.account.name, e))?;
    let account = plan.account.name.clone();
    super::post::execute_plan(
        cli,
        &policy,
        action,
        &account,
        draft,
        &args.guard,
        interactive,
        Some(PlanGate {
            plan,
            path: args.plan.clone(),
        }),
    )
}

pub fn keys(cli: &Cli, args: &KeysArgs) -> Result<ExitCode> {
    let (name, key) = match &args.command {
        KeysCommand::New(k) => {
            let name = k.name.clone().unwrap_or_else(keys::default_name);
            let key = keys::create(&name)?;
            (name, key)
        }
        KeysCommand::Show(k) => {
            let name = k.name.clone().unwrap_or_else(keys::default_name);
            let key = keys::public(&name)?;
            (name, key)
        }
        KeysCommand::Passkey(p) => match &p.command {
            crate::cli::PasskeyCommand::Enroll(e) => return super::review::enroll(cli, e),
        },
    };
    let line = key
        .to_openssh()
        .map_err(|e| Failure::new(ExitCode::GeneralError, format!("cannot encode the key: {e}")))?;
    let fingerprint = key.fingerprint(ssh_key::HashAlg::Sha256).to_string();
    if cli.json {
        output::json(&serde_json::json!({ "name": name, "public_key": line, "fingerprint": fingerprint }));
    } else {
        output::result(&line);
        if matches!(args.command, KeysCommand::New(_)) {
            output::status(&format!(
                "created approval key `{name}` ({fingerprint}) in the keychain; add it to the policy:\n\n\
                 [[approvers]]\nname = \"{name}\"\nkey = \"{line}\"\nroles = []\n"
            ));
        }
    }
    Ok(ExitCode::Success)
}
