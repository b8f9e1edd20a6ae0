//! The one pipeline every change to an account goes through.
//!
//! ```text
//! resolve account → content checks → credential → banner → confirmation → live identity
//!                                                   → intent record → publish → outcome record
//! ```
//!
//! The credential is read before the banner (not after the confirmation) so the banner can say
//! where it comes from, and so nobody types a handle only to learn the credential is missing.
//! Nothing is sent before the confirmation and the intent record. Every refusal after the
//! policy loaded is recorded.

use crate::account::Account;
use crate::audit::{AccountRef, Appended, AuditLog, Outcome, PlanState, Record};
use crate::banner::{self, BannerInfo};
use crate::confirm::{self, Method};
use crate::content::{Action, Draft};
use crate::credentials::{self, Credential, Source};
use crate::digest::sha256_hex;
use crate::error::{Failure, exit_code_of};
use crate::exit_codes::ExitCode;
use crate::plan::{Plan, WindowState};
use crate::platform::{self, spec::ExactlyOnce, spec::PostKey, spec::Published};
use crate::policy::Policy;
use crate::rules::{self, Finding, Level};
use anyhow::Result;
use std::path::PathBuf;

pub struct Request {
    pub action: Action,
    pub account: String,
    pub draft: Draft,
    pub dry_run: bool,
    pub confirm_handle: Option<String>,
    /// Whether a person can be asked (decided once by the caller).
    pub interactive: bool,
    /// The reviewed plan this publish carries out (`apply`, `queue publish`).
    pub plan: Option<PlanGate>,
}

/// A plan and where it lies; its approvals are the signature files beside it.
#[derive(Debug, Clone)]
pub struct PlanGate {
    pub plan: Plan,
    pub path: PathBuf,
}

/// What a successful run produced.
#[derive(Debug)]
pub struct Report {
    pub account: String,
    pub handle: String,
    pub published: Option<Published>,
    pub confirmation: Method,
    pub credential_source: Source,
    pub audit_seq: u64,
    /// The plan had been published by an earlier run; nothing was sent this time.
    pub already: bool,
}

/// Builds audit records that share the attempt's fields.
struct Trail<'a> {
    log: AuditLog,
    action: &'a Action,
    policy: &'a Policy,
    account: Option<&'a Account>,
    text: &'a str,
    dry_run: bool,
    confirmation: Option<Method>,
    credential_source: Option<Source>,
    post_key: Option<String>,
    /// `name sha256:…` of each image.
    images: Vec<String>,
    findings: Vec<Finding>,
    plan_hash: Option<String>,
    approvals: Vec<String>,
    author: Option<crate::approval::ProvenAuthor>,
}

impl Trail<'_> {
    fn record(&self, event: &str, outcome: Outcome) -> Record {
        let mut r = Record::new(event, self.action.name(), outcome);
        match self.action {
            Action::Post => {}
            Action::Correct { post } => r.acts_on = Some(post.clone()),
            Action::Delete { post, reason } => {
                r.acts_on = Some(post.clone());
                r.reason = Some(reason.clone());
            }
        }
        r.policy_sha256 = Some(self.policy.sha256.clone());
        r.account = self.account.map(AccountRef::of);
        r.text_sha256 = Some(sha256_hex(self.text.as_bytes()));
        r.text = Some(self.text.to_string());
        r.confirmation = self.confirmation.map(|m| m.as_str().to_string());
        r.credential_source = self.credential_source.map(|s| s.as_str().to_string());
        r.dry_run = self.dry_run;
        r.post_key = self.post_key.clone();
        r.images = self.images.clone();
        r.findings = self.findings.clone();
        r.plan_hash = self.plan_hash.clone();
        r.approvals = self.approvals.clone();
        r.author = self.author.clone();
        r
    }

    fn append(&self, event: &str, outcome: Outcome) -> Result<Appended> {
        self.log.append(self.record(event, outcome))
    }

    /// Records a refusal and hands the error back. If even that record cannot be written, the
    /// refusal still stands; the person is told the trace is missing.
    fn refuse(&self, err: anyhow::Error) -> anyhow::Error {
        let code = exit_code_of(&err);
        let reason = format!("{err:#}");
        if let Err(audit_err) = self.append(
            "refused",
            Outcome::Refused {
                reason,
                exit_code: code.code(),
            },
        ) {
            eprintln!("warning: the refusal could not be recorded: {audit_err:#}");
        }
        err
    }
}

/// Records an attempt refused before the pipeline could start (unreadable text or image, a
/// misused option), so the audit log sees every refused attempt, and hands the error back.
pub fn record_refusal(policy: &Policy, action: &Action, account: &str, err: anyhow::Error) -> anyhow::Error {
    let trail = Trail {
        log: AuditLog::new(&policy.audit_path),
        action,
        policy,
        account: policy.account(account).ok(),
        text: "",
        dry_run: false,
        confirmation: None,
        credential_source: None,
        post_key: None,
        images: Vec::new(),
        findings: Vec::new(),
        plan_hash: None,
        approvals: Vec::new(),
        author: None,
    };
    trail.refuse(err)
}

/// Runs the policy's rules on the draft as it would go out at `now`.
pub fn content_findings(
    policy: &Policy,
    account: &Account,
    draft: &crate::content::Draft,
    length: usize,
    now: jiff::Timestamp,
) -> Result<Vec<Finding>> {
    let recent = if policy.rules.needs_recent(account) {
        Some(recent_posts(policy, account, now)?)
    } else {
        None
    };
    let subject = rules::Subject {
        text: &draft.text,
        reply_to: draft.reply_to.as_deref(),
        language: draft.language.as_deref().or(account.language.as_deref()),
        images: draft.images.len(),
        images_without_alt: draft.images.iter().filter(|i| i.alt.is_none()).count(),
        length,
    };
    Ok(policy
        .rules
        .check(account, &subject, &rules::Context { at: Some(now), recent }))
}

/// How many posts the account published in the last hour and day, from the audit log.
pub fn recent_posts(policy: &Policy, account: &Account, now: jiff::Timestamp) -> Result<rules::Recent> {
    // Checked: `now` may be a planned time, and must never panic near the calendar's start.
    let back = |hours| {
        now.checked_sub(jiff::SignedDuration::from_hours(hours))
            .unwrap_or(jiff::Timestamp::MIN)
    };
    let day = back(24);
    let hour = back(1);
    let times = AuditLog::new(&policy.audit_path).published_since(
        account.platform.as_str(),
        &account.host(),
        &account.handle,
        day,
    )?;
    // `now` may be in the past (`check --at`): what came after it does not count. Otherwise a
    // record later than the clock counts all the same: the clock is behind the log, and a
    // clock set back must not make earlier posts vanish from the count.
    let hypothetical = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_mins(1))
        .is_ok_and(|present| now < present);
    let before = |t: &&jiff::Timestamp| !hypothetical || **t <= now;
    Ok(rules::Recent {
        last_hour: times.iter().filter(before).filter(|t| **t >= hour).count(),
        last_day: times.iter().filter(before).count(),
    })
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

/// Refuses if the account was locked down since the run began (exit 12), or its lock was
/// lifted meanwhile and the credential predates that lockdown.
fn still_open(policy: &Policy, account: &Account, credential: Option<&Credential>) -> Result<()> {
    match crate::lockdown::state(policy, account)? {
        crate::lockdown::State::Locked(lock, _) => Err(lock.refusal(account, &policy.lockdown.unlock_roles).into()),
        crate::lockdown::State::Lifted { locked_at } => match credential {
            Some(c) => crate::lockdown::stale_credential(account, locked_at, c).map_or(Ok(()), |f| Err(f.into())),
            None => Ok(()),
        },
        crate::lockdown::State::Open => Ok(()),
    }
}

/// `rule-id (message); …` for refusal messages.
fn summary(findings: &[&Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("{} ({})", f.rule, crate::sanitize::one_line(&f.message)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Whether a correction on this account removes the original post.
fn deletes_original(account: &Account) -> bool {
    platform::of(account).correction(account).deletes_original()
}

/// Whether the platform has forgotten the key of an attempt made at `then`, so that sending it
/// again could publish a second post; the words say how long it keeps keys.
fn key_forgotten(account: &Account, then: jiff::Timestamp, now: jiff::Timestamp) -> Option<&'static str> {
    match platform::of(account).exactly_once() {
        ExactlyOnce::KeyIdempotent {
            lifetime,
            lifetime_words,
        } if now.duration_since(then) > lifetime => Some(lifetime_words),
        _ => None,
    }
}

/// Runs the pipeline for one post.
pub fn run(policy: &Policy, req: Request) -> Result<Report> {
    let mut trail = Trail {
        log: AuditLog::new(&policy.audit_path),
        action: &req.action,
        policy,
        account: None,
        text: &req.draft.text,
        dry_run: req.dry_run,
        confirmation: None,
        credential_source: None,
        post_key: None,
        images: req
            .draft
            .images
            .iter()
            .map(|i| format!("{} sha256:{}", i.file_name, i.sha256()))
            .collect(),
        findings: Vec::new(),
        plan_hash: req.plan.as_ref().map(|g| g.plan.plan_hash.clone()),
        approvals: Vec::new(),
        author: None,
    };
    let account = policy.account(&req.account).map_err(|e| trail.refuse(e))?;
    trail.account = Some(account);

    // A lockdown stops everything, dry runs included: the account may be in someone else's
    // hands, and nobody should be typing its handle until that is settled.
    let lifted_at = match crate::lockdown::state(policy, account).map_err(|e| trail.refuse(e))? {
        crate::lockdown::State::Locked(lock, _) => {
            return Err(trail.refuse(lock.refusal(account, &policy.lockdown.unlock_roles).into()));
        }
        crate::lockdown::State::Lifted { locked_at } => Some(locked_at),
        crate::lockdown::State::Open => None,
    };

    // A plan: the account as the policy now defines it, its window, and what earlier runs
    // did with it. The lock is held until the outcome is recorded, so two runs of one plan
    // (two CI runners, a re-run during a run) cannot both publish it.
    let mut _plan_lock = None;
    let mut in_doubt = None;
    if let Some(gate) = &req.plan {
        policy
            .account(&gate.plan.account.name)
            .and_then(|a| gate.plan.check_account(a))
            .map_err(|e| trail.refuse(e))?;
        if !req.dry_run {
            _plan_lock = Some(lock_plan(policy, &gate.plan).map_err(|e| trail.refuse(e))?);
        }
        match trail
            .log
            .plan_state(&gate.plan.plan_hash)
            .map_err(|e| trail.refuse(e))?
        {
            PlanState::Published { id, url, seq } => {
                return Ok(Report {
                    account: account.name.clone(),
                    handle: account.handle.clone(),
                    published: Some(Published {
                        id,
                        url,
                        replayed: true,
                    }),
                    confirmation: Method::Flag,
                    credential_source: Source::None,
                    audit_seq: seq,
                    already: true,
                });
            }
            PlanState::InDoubt { seq, time } => in_doubt = Some((seq, time)),
            PlanState::Unseen => {}
        }
        match gate.plan.window_refusal(observed_now(&trail.log)) {
            Some(WindowState::Expired(at)) => {
                return Err(trail.refuse(
                    Failure::new(
                        ExitCode::PlanRefused,
                        format!("the plan expired at {at}; nothing was published"),
                    )
                    .hint("plan the post again if it is still wanted, and have it approved again")
                    .into(),
                ));
            }
            Some(WindowState::NotYet(at)) => {
                return Err(trail.refuse(
                    Failure::new(
                        ExitCode::PlanRefused,
                        format!("the plan may not be published before {at}"),
                    )
                    .hint("apply it from then on; `postgate queue publish --due` picks it up when it is due")
                    .into(),
                ));
            }
            None => {}
        }
    }

    // Content checks. Issue 4 adds the policy's rules here; for now, the platform's limit.
    let client = platform::connect(account).map_err(|e| trail.refuse(e))?;
    let limits = client.limits().map_err(|e| trail.refuse(e))?;
    if req.draft.text.trim().is_empty() {
        return Err(trail.refuse(Failure::new(ExitCode::ContentRefused, "the post is empty; nothing published").into()));
    }

    // A delete's text is its reason, which is never published: no length limit applies.
    let length = match req.action {
        Action::Delete { .. } => 0,
        _ => client.length(&req.draft).map_err(|e| trail.refuse(e))?,
    };
    // The content rules. A delete's text is a reason that is never published, so they do not
    // apply to it.
    if !matches!(req.action, Action::Delete { .. }) {
        let findings = content_findings(policy, account, &req.draft, length, observed_now(&trail.log))
            .map_err(|e| trail.refuse(e))?;
        trail.findings = findings;
    }
    let credential = credentials::load(account);
    let now = observed_now(&trail.log);
    let age = match &credential {
        Ok(Some(c)) => credentials::age(account, c, now),
        _ => credentials::Age::NotApplicable,
    };
    let credential_label = match &credential {
        Ok(None) => "none needed".to_string(),
        Ok(Some(c)) => match age.describe() {
            Some(age) => format!("{}, {age}", c.source.as_str()),
            None => c.source.as_str().to_string(),
        },
        Err(_) => format!("MISSING ({})", account.credentials.as_str()),
    };
    eprint!(
        "{}",
        banner::render(&BannerInfo {
            account,
            action: match &req.action {
                Action::Post => None,
                Action::Correct { post } if deletes_original(account) => {
                    Some(format!("CORRECT {post} (DELETES it, then reposts)"))
                }
                Action::Correct { post } => Some(format!("CORRECT {post}")),
                Action::Delete { post, .. } => Some(format!("DELETE {post}")),
            },
            text: &req.draft.text,
            reply_to: req.draft.reply_to.as_deref(),
            length,
            max_characters: limits.max_characters,
            content_warning: req.draft.content_warning.as_deref(),
            language: req.draft.language.as_deref().or(account.language.as_deref()),
            visibility: req
                .draft
                .visibility
                .or(platform::of(account).visibility(account))
                .map(|v| v.as_str()),
            images: &req.draft.images,
            credential: &credential_label,
            dry_run: req.dry_run,
            findings: &trail.findings,
        })
    );

    // Content refusals come after the banner, so the person sees what was refused.
    // A delete-and-repost correction deletes too, so the same gate holds it.
    if matches!(req.action, Action::Correct { .. }) && deletes_original(account) && !account.allow_delete {
        return Err(trail.refuse(
            Failure::new(
                ExitCode::ContentRefused,
                format!(
                    "account `{}` corrects by deleting and reposting (correction = \"delete-and-repost\"), \
                     but does not allow deleting posts (allow_delete = false)",
                    account.name
                ),
            )
            .hint("set correction = \"reply\" to keep the original and answer it, or allow_delete = true")
            .into(),
        ));
    }
    if matches!(req.action, Action::Delete { .. }) && !account.allow_delete {
        return Err(trail.refuse(
            Failure::new(
                ExitCode::ContentRefused,
                format!(
                    "account `{}` does not allow deleting posts (allow_delete = false)",
                    account.name
                ),
            )
            .hint(format!(
                "correct instead of deleting: `postgate correct {} POST TEXT` keeps the record public; \
                 or set allow_delete = true on the account if the policy really allows it",
                account.name
            ))
            .into(),
        ));
    }
    if req.draft.images.len() > limits.max_images {
        return Err(trail.refuse(
            Failure::new(
                ExitCode::ContentRefused,
                format!(
                    "{} images; {} allows {}",
                    req.draft.images.len(),
                    account.platform.as_str(),
                    limits.max_images
                ),
            )
            .into(),
        ));
    }
    if account.require_alt_text
        && let Some(image) = req.draft.images.iter().find(|i| i.alt.is_none())
    {
        return Err(trail.refuse(
            Failure::new(
                ExitCode::ContentRefused,
                format!(
                    "image {} has no description, and account `{}` requires one",
                    image.file_name, account.name
                ),
            )
            .hint("describe it with --alt \"…\" after its --image (require_alt_text in the policy)")
            .into(),
        ));
    }
    if length > limits.max_characters {
        return Err(trail.refuse(
            Failure::new(
                ExitCode::ContentRefused,
                format!(
                    "the post is {length} characters; {} allows {}",
                    account.platform.as_str(),
                    limits.max_characters
                ),
            )
            .hint("shorten it; nothing was sent")
            .into(),
        ));
    }
    let denied: Vec<&Finding> = trail.findings.iter().filter(|f| f.level == Level::Deny).collect();
    if !denied.is_empty() {
        return Err(trail.refuse(
            Failure::new(
                ExitCode::ContentRefused,
                format!("refused by the policy's rules: {}", summary(&denied)),
            )
            .hint(format!(
                "change the post; `postgate policy show {}` lists the rules that apply",
                account.name
            ))
            .into(),
        ));
    }
    let credential: Option<Credential> = credential.map_err(|e| trail.refuse(e))?;
    if let Some(refusal) = age.refusal(account) {
        return Err(trail.refuse(refusal.into()));
    }
    if let Some(warning) = age.warning(account) {
        eprintln!("warning: {warning}");
    }
    if let (Some(locked_at), Some(c)) = (lifted_at, credential.as_ref()) {
        if let Some(refusal) = crate::lockdown::stale_credential(account, locked_at, c) {
            return Err(trail.refuse(refusal.into()));
        }
        if c.source == Source::Environment {
            eprintln!(
                "warning: `{}` was locked down at {locked_at}; postgate cannot tell whether {} was replaced since",
                account.name,
                credentials::env_var_name(&account.name)
            );
        }
    }
    trail.credential_source = Some(credential.as_ref().map_or(Source::None, |c| c.source));

    // Approvals: what the post needs (requirements, `approve` rules), met only by signatures
    // of a plan. Signatures are checked whenever there is a plan, needed or not: a signature
    // that does not verify means someone tampered with something.
    let needs = if matches!(req.action, Action::Delete { .. }) {
        Vec::new()
    } else {
        policy
            .approvals
            .needs(account, &trail.findings, req.draft.reply_to.is_some())
    };
    match &req.plan {
        None if !needs.is_empty() => {
            let list: Vec<String> = needs.iter().map(|n| n.describe()).collect();
            return Err(trail.refuse(
                Failure::new(
                    ExitCode::PlanRefused,
                    format!("this post needs approval: {}", list.join("; ")),
                )
                .hint(format!(
                    "nothing was published; write a plan (`postgate plan -a {}{} … -o post.plan`), have it signed \
                     (`postgate approve post.plan`), then `postgate apply post.plan`",
                    account.name,
                    match &req.action {
                        Action::Correct { post } => format!(" --correct {}", crate::sanitize::one_line(post)),
                        _ => String::new(),
                    }
                ))
                .into(),
            ));
        }
        None => {}
        Some(gate) => {
            let signed = crate::approval::signature::verify(&policy.approvals, &gate.plan, &gate.path)
                .map_err(|e| trail.refuse(e))?;
            trail.approvals = signed.approver_list();
            trail.author = signed.author.clone();
            if !needs.is_empty() {
                signed.require_author(&gate.path).map_err(|f| trail.refuse(f.into()))?;
            }
            let missing = crate::approval::unmet(&needs, &signed.approvers);
            if !missing.is_empty() {
                return Err(trail.refuse(
                    Failure::new(
                        ExitCode::PlanRefused,
                        format!(
                            "the plan is not approved as the policy requires: {}",
                            missing.join("; ")
                        ),
                    )
                    .hint(format!(
                        "nothing was published; an approver signs with `postgate approve {}`",
                        gate.path.display()
                    ))
                    .into(),
                ));
            }
        }
    }

    let method = confirm::confirm(account, req.confirm_handle.as_deref(), req.interactive)
        .map_err(|f| trail.refuse(f.into()))?;
    trail.confirmation = Some(method);

    // From here to the outcome record the run holds the account's lock (never while a person
    // is being asked). Concurrent runs on one account take turns, so the posts counted below
    // are all the posts there are; `lockdown` takes the same lock, so it waits for a publish
    // under way and every later run sees its lock.
    let _account_lock = lock_account(policy, account).map_err(|e| trail.refuse(e))?;
    still_open(policy, account, credential.as_ref()).map_err(|e| trail.refuse(e))?;
    if !matches!(req.action, Action::Delete { .. }) && policy.rules.needs_recent(account) {
        // Counted again under the lock: the count before the banner may be stale by now.
        let recount = content_findings(policy, account, &req.draft, length, observed_now(&trail.log))
            .map_err(|e| trail.refuse(e))?;
        let denied: Vec<&Finding> = recount.iter().filter(|f| f.level == Level::Deny).collect();
        if !denied.is_empty() {
            return Err(trail.refuse(
                Failure::new(
                    ExitCode::ContentRefused,
                    format!("refused by the policy's rules: {}", summary(&denied)),
                )
                .hint(
                    "checked again after the confirmation (another run may have published meanwhile); nothing was sent",
                )
                .into(),
            ));
        }
    }
    // An earlier run of this very post that died before recording its outcome: its post key
    // is presented again, so the platform finds that post instead of making a second one.
    let earlier = match (&req.action, &req.plan, req.dry_run) {
        (Action::Post, None, false) => {
            earlier_attempt(&trail, account, &req.draft, method, req.interactive).map_err(|e| trail.refuse(e))?
        }
        _ => None,
    };

    let session = client.open(credential.as_ref()).map_err(|e| trail.refuse(e))?;
    let identity = session.identity().map_err(|e| trail.refuse(e))?;
    // Lockdown may have removed the keychain item while the platform was asked: writing a
    // renewed session back would undo it.
    still_open(policy, account, credential.as_ref()).map_err(|e| trail.refuse(e))?;
    if let (Some(session), Some(c)) = (session.renewed(), credential.as_ref()) {
        // The old refresh token is spent; losing the new one would force a fresh login.
        if let Err(e) = credentials::save_session(account, c, &session) {
            eprintln!("warning: could not keep the renewed session: {e:#}");
        }
    }
    if let Some(difference) = platform::identity_mismatch(account, &identity) {
        let failure = Failure::new(ExitCode::IdentityMismatch, format!("identity mismatch: {difference}")).hint(
            "nothing was published; check which credential is stored (`postgate login` again) and the policy's handle",
        );
        return Err(trail.refuse(failure.into()));
    }

    if req.dry_run {
        // Nothing will be sent, so one record says it all.
        let done = trail.append("dry-run", Outcome::DryRun)?;
        return Ok(Report {
            account: account.name.clone(),
            handle: account.handle.clone(),
            published: None,
            confirmation: method,
            credential_source: trail.credential_source.unwrap_or(Source::None),
            audit_seq: done.seq,
            already: false,
        });
    }

    // The intent record comes before any publish. Its hash names the attempt: the platform
    // sees the same key on every retry of this attempt, and no other attempt shares it.
    if let Some((seq, time)) = in_doubt
        && let Some(words) = key_forgotten(account, time, observed_now(&trail.log))
    {
        return Err(trail.refuse(
            Failure::new(
                ExitCode::Incomplete,
                format!(
                    "an earlier run of this plan (audit record #{seq}, {time}) stopped before recording whether it \
                     published, and {} forgets its idempotency keys after {words}",
                    platform::of(account).title()
                ),
            )
            .hint(format!(
                "look at {} on the server: if the post is there, remove the plan (or queue item); if not, plan it again",
                account.handle
            ))
            .into(),
        ));
    }
    // The last look before the intent record: a lock set since the confirmation stops it here.
    still_open(policy, account, credential.as_ref()).map_err(|e| trail.refuse(e))?;
    // A key known beforehand goes into the intent record, so a later run can tell this
    // attempt's outcome from the attempt it repeats.
    let known = match (&req.plan, &earlier) {
        (Some(gate), _) => Some(gate.plan.post_key()),
        (None, Some(doubt)) => Some(PostKey {
            id: doubt.key.clone(),
            at: Some(doubt.time),
        }),
        (None, None) => None,
    };
    trail.post_key = known.as_ref().map(|k| k.id.clone());
    let intent = trail.append("intent", Outcome::Pending)?;
    // A fresh attempt is named by its intent record; the time fixes Bluesky's record key, so
    // a retry of this attempt derives the same one.
    let key = known.unwrap_or_else(|| PostKey {
        id: intent.hash.clone(),
        at: Some(intent.time),
    });
    trail.post_key = Some(key.id.clone());

    let result = match &req.action {
        Action::Post => session.publish(&req.draft, &key),
        Action::Correct { post } => session.correct(post, &req.draft, &key),
        Action::Delete { post, .. } => session.delete(post).map(|()| Published {
            id: post.clone(),
            url: String::new(),
            replayed: false,
        }),
    };
    crate::fault::point("after-publish");
    let published = match result {
        Ok(p) => p,
        Err(err) => {
            let code = match exit_code_of(&err) {
                ExitCode::GeneralError => ExitCode::Platform,
                other => other,
            };
            let outcome = Outcome::Failed {
                error: format!("{err:#}"),
                exit_code: code.code(),
            };
            if let Err(audit_err) = trail.append("outcome", outcome) {
                eprintln!("warning: the failure could not be recorded: {audit_err:#}");
            }
            return Err(err.context(Failure::new(
                code,
                format!("{} on {} failed", req.action.name(), account.handle),
            )));
        }
    };
    let done = trail
        .append(
            "outcome",
            match req.action {
                Action::Delete { .. } => Outcome::Deleted {
                    id: published.id.clone(),
                },
                _ => Outcome::Published {
                    id: published.id.clone(),
                    url: published.url.clone(),
                },
            },
        )
        .map_err(|e| {
            // The change is out; say so loudly, with where it is, since the log will not. Exit 9
            // would claim nothing was published.
            let what = if matches!(req.action, Action::Delete { .. }) {
                "DELETED"
            } else {
                "PUBLISHED"
            };
            e.context(
                Failure::new(
                    ExitCode::Incomplete,
                    format!(
                        "{what} {} {} but the outcome record could not be written",
                        crate::sanitize::one_line(&published.id),
                        crate::sanitize::one_line(&published.url)
                    ),
                )
                .hint(
                    "do not run it again; the intent record (`postgate log`) names this attempt, so note the id there",
                ),
            )
        })?;
    Ok(Report {
        account: account.name.clone(),
        handle: account.handle.clone(),
        published: Some(published),
        confirmation: method,
        credential_source: trail.credential_source.unwrap_or(Source::None),
        audit_seq: done.seq,
        already: false,
    })
}

/// Finds an earlier attempt at this same post (same account, text and images) that recorded
/// its intent but not its outcome. It is reused when the platform will recognise its key;
/// otherwise a person says whether it went out, and a script is refused.
fn earlier_attempt(
    trail: &Trail,
    account: &Account,
    draft: &Draft,
    method: Method,
    interactive: bool,
) -> Result<Option<crate::audit::InDoubt>> {
    let now = observed_now(&trail.log);
    let since = now.checked_sub(IN_DOUBT_WINDOW).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let text = sha256_hex(draft.text.as_bytes());
    let Some(doubt) = trail
        .log
        .in_doubt_since(account.platform.as_str(), &account.host(), &account.handle, since)?
        .into_iter()
        .find(|d| {
            d.action == "post"
                && d.plan_hash.is_none()
                && d.text_sha256.as_deref() == Some(&text)
                && d.images == trail.images
        })
    else {
        return Ok(None);
    };
    let when = doubt.time.round(jiff::Unit::Second).unwrap_or(doubt.time);
    let Some(words) = key_forgotten(account, doubt.time, now) else {
        eprintln!(
            "postgate: an earlier run of this post (audit record #{}, {when}) stopped before recording whether it published; trying again under its key, so the platform finds that post rather than making a second",
            doubt.seq
        );
        return Ok(Some(doubt));
    };
    let title = platform::of(account).title();
    let question = format!(
        "An earlier run of this post (audit record #{}, {when}) stopped before recording whether it published, and {title} has forgotten its key. Look at {} first. Is the post missing there, and should it go out now?",
        doubt.seq, account.handle
    );
    // Only someone who typed the handle is asked; a flag cannot answer this.
    if interactive && method != Method::Flag && confirm::ask_yes(&question)? {
        // Nothing ties the new attempt to the old one at the platform; the log says who decided.
        let mut settled = trail.record(
            "in-doubt",
            Outcome::Failed {
                error: format!(
                    "the attempt of audit record #{} was declared not published at the terminal; posted again",
                    doubt.seq
                ),
                exit_code: ExitCode::Incomplete.code(),
            },
        );
        settled.post_key = Some(doubt.key.clone());
        trail.log.append(settled)?;
        return Ok(None);
    }
    Err(Failure::new(
        ExitCode::Incomplete,
        format!(
            "an earlier run of this post (audit record #{}, {when}) stopped before recording whether it published, and {title} forgets its idempotency keys after {words}; nothing was sent",
            doubt.seq
        ),
    )
    .hint(format!(
        "look at {} on the server: if the post is there, it is done (`postgate reconcile` lists it as in doubt); if not, run the same post at a terminal and type the handle: postgate asks",
        account.handle
    ))
    .into())
}

/// How far back a repeated post looks for an earlier attempt left in doubt.
const IN_DOUBT_WINDOW: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);

/// The lock a run holds on an account from its last count of the account's posts through its
/// outcome record; `lockdown` holds it while it revokes and clears the credentials. One file
/// per account identity (as the lock files of `lockdown` are named), beside the audit log.
/// Released when dropped.
pub fn lock_account(policy: &Policy, account: &Account) -> Result<std::fs::File> {
    let name = sha256_hex(credentials::keychain_user(account).as_bytes());
    lock_file(policy, &format!("account-{}.lock", &name[..24]), || {
        eprintln!(
            "postgate: waiting for another postgate run on `{}` to finish",
            crate::sanitize::one_line(&account.name)
        );
    })
}

/// An exclusive lock for one plan, beside the audit log. Released when dropped.
fn lock_plan(policy: &Policy, plan: &Plan) -> Result<std::fs::File> {
    lock_file(policy, &format!("{}.lock", plan.post_key().id), || {})
}

/// Opens `name` in the lock folder beside the audit log and locks it exclusively, calling
/// `waiting` first if another process holds it.
fn lock_file(policy: &Policy, name: &str, waiting: impl FnOnce()) -> Result<std::fs::File> {
    let dir = policy.audit_path.with_extension("locks");
    // The locks belong to the log they guard: failing here is an audit failure (exit 9).
    let failure = |what: String| {
        Failure::new(
            ExitCode::Audit,
            format!("audit log {}: {what}", policy.audit_path.display()),
        )
    };
    crate::paths::create_private_dir(&dir)
        .map_err(|e| failure(format!("cannot create the lock folder {}: {e}", dir.display())))?;
    let path = dir.join(name);
    let file = crate::paths::private_options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| failure(format!("cannot open {}: {e}", path.display())))?;
    let locked = match file.try_lock() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => {
            waiting();
            file.lock()
        }
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    };
    locked.map_err(|e| failure(format!("cannot lock {}: {e}", path.display())))?;
    Ok(file)
}
