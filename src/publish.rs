//! The one pipeline every change to an account goes through, as named steps.
//!
//! ```text
//! resolve → lockdown → plan gate → checks → credential → banner → content refusals
//!   → approvals → confirm → account lock (lockdown and rate again, earlier attempt)
//!   → identity → intent record → publish → outcome record
//! ```
//!
//! `steps` reads as that diagram (docs/architecture.md draws it too), one named function per
//! step. Nothing is sent before the confirmation and the intent record. Until the intent
//! record every error is a refusal, and [`run`] is the one place one is recorded; after it,
//! the outcome record says what happened.

pub mod checks;
mod credential;
#[cfg(test)]
mod tests;

use crate::account::Account;
use crate::audit::{AccountRef, Appended, AuditLog, InDoubt, Outcome, PlanState, Record, observed_now};
use crate::banner::{self, BannerInfo};
use crate::confirm::{self, Method};
use crate::content::{Action, Draft};
use crate::credentials::{self, Credential, Source};
use crate::digest::sha256_hex;
use crate::error::{Failure, exit_code_of};
use crate::exit_codes::ExitCode;
use crate::i18n::both;
use crate::landed::Search;
use crate::plan::{Plan, WindowState};
use crate::platform::{
    self,
    spec::{ExactlyOnce, PostKey, Published, Session},
};
use crate::policy::Policy;
use crate::rules::Finding;
use anyhow::Result;
use checks::Checked;
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

/// What a run that was not refused hands back to the command: what went out (if anything),
/// how it was confirmed, and the audit record that says so.
#[derive(Debug)]
pub struct Receipt {
    pub account: String,
    pub handle: String,
    pub published: Option<Published>,
    pub confirmation: Method,
    pub credential_source: Source,
    pub audit_seq: u64,
    /// The plan had been published by an earlier run; nothing was sent this time.
    pub already: bool,
    /// Each approver whose signature verified, `name SHA256:…`, as the audit record says.
    pub approvals: Vec<String>,
}

/// Why the pipeline stopped without a receipt.
#[derive(Debug)]
enum Stop {
    /// Refused before anything was sent; `run` records it. `?` on any step's error lands
    /// here, so a step cannot forget to.
    Refused(anyhow::Error),
    /// Past the refusals: the outcome record says what happened, or the audit log itself
    /// failed and the error says so. Nothing more is recorded.
    Failed(anyhow::Error),
}

impl From<anyhow::Error> for Stop {
    fn from(err: anyhow::Error) -> Stop {
        Stop::Refused(err)
    }
}

impl From<Failure> for Stop {
    fn from(failure: Failure) -> Stop {
        Stop::Refused(failure.into())
    }
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
    /// The intent record is written: from here on something may have been sent.
    intent_written: bool,
}

impl<'a> Trail<'a> {
    /// A trail that knows only the policy and the action.
    fn blank(policy: &'a Policy, action: &'a Action) -> Trail<'a> {
        Trail {
            log: AuditLog::of(policy),
            action,
            policy,
            account: None,
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
            intent_written: false,
        }
    }

    fn new(policy: &'a Policy, req: &'a Request) -> Trail<'a> {
        Trail {
            text: &req.draft.text,
            dry_run: req.dry_run,
            images: req
                .draft
                .images
                .iter()
                .map(|i| format!("{} sha256:{}", i.file_name, i.sha256()))
                .collect(),
            plan_hash: req.plan.as_ref().map(|g| g.plan.plan_hash.clone()),
            ..Trail::blank(policy, &req.action)
        }
    }

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

    /// The one way a run's receipt is made. A run that stopped before the confirmation (a
    /// plan published earlier) asked nobody and read no credential.
    fn receipt(&self, account: &Account, audit_seq: u64, published: Option<Published>) -> Receipt {
        Receipt {
            account: account.name.clone(),
            handle: account.handle.clone(),
            published,
            confirmation: self.confirmation.unwrap_or(Method::Flag),
            credential_source: self.credential_source.unwrap_or(Source::None),
            audit_seq,
            already: false,
            approvals: self.approvals.clone(),
        }
    }
}

/// Records an attempt refused before the pipeline could start (unreadable text or image, a
/// misused option), so the audit log sees every refused attempt, and hands the error back.
pub fn record_refusal(policy: &Policy, action: &Action, account: &str, err: anyhow::Error) -> anyhow::Error {
    let trail = Trail {
        account: policy.account(account).ok(),
        ..Trail::blank(policy, action)
    };
    trail.refuse(err)
}

/// Runs the pipeline for one change to an account, and records a refusal: the only place
/// one is recorded.
///
/// A panic (a bug) is recorded as what it is. Before the intent record nothing was sent, so it
/// is a refusal like any other. After it the post may be out: no record may claim either way,
/// so the intent stays without an outcome, which is what the next run and `reconcile` settle by
/// looking at the platform (as after a crash).
pub fn run(policy: &Policy, req: Request) -> Result<Receipt> {
    let mut trail = Trail::new(policy, &req);
    let account = policy.account(&req.account).ok();
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| steps(policy, &req, &mut trail)));
    let stopped = match ran {
        Ok(result) => result,
        Err(_) if trail.intent_written => Err(Stop::Failed(anyhow::anyhow!(
            "internal error after the intent record (the `postgate: internal error` line above says where): whether the change reached the \
             platform is unknown; the attempt stays in doubt until `postgate reconcile` or the next run looks; \
             please report the bug"
        ))),
        Err(_) => Err(Stop::Refused(anyhow::anyhow!(
            "internal error before anything was sent (the `postgate: internal error` line above says where); please report the bug"
        ))),
    };
    stopped
        .map_err(|stop| match stop {
            Stop::Refused(err) => trail.refuse(err),
            Stop::Failed(err) => err,
        })
        .map_err(|err| match account {
            Some(a) => policy.at_account(a, err),
            None => err,
        })
}

/// The pipeline, top to bottom as the diagram above.
fn steps<'a>(policy: &'a Policy, req: &'a Request, trail: &mut Trail<'a>) -> Result<Receipt, Stop> {
    let account = policy.account(&req.account)?;
    trail.account = Some(account);
    let lifted_at = lockdown(policy, account)?;
    let plan = match plan_gate(policy, account, req, trail)? {
        PlanCheck::AlreadyPublished(receipt) => return Ok(receipt),
        PlanCheck::Go(plan) => plan,
    };
    let client = platform::connect(account)?;
    let checked = checks::content(policy, account, &*client, &req.draft, &req.action, &trail.log)?;
    trail.findings = checked.findings.clone();
    let credential = credential::Read::new(account, observed_now(&trail.log));
    // Judged before the banner, so that it names who approved; refused in its place below.
    let approved = approvals(policy, account, req, trail);
    let approved_by = approved.as_ref().map_or(&[][..], Vec::as_slice);
    show_banner(account, req, &checked, &credential.label(account), approved_by);
    checks::verdict(account, &req.action, &req.draft, &checked)?;
    let credential = credential.accept(account, lifted_at)?;
    trail.credential_source = Some(credential.as_ref().map_or(Source::None, |c| c.source));
    approved?;
    let method = confirm::confirm(account, req.confirm_handle.as_deref(), req.interactive)?;
    trail.confirmation = Some(method);
    // Held from here to the outcome record: the counting and the publish are one critical section.
    let _account_lock = lock_account(policy, account)?;
    let _shared_lock = lock_shared(policy, account)?;
    if let Some(receipt) = published_elsewhere(policy, account, req, trail)? {
        return Ok(receipt);
    }
    recheck_under_lock(policy, account, req, credential.as_ref(), checked.length, &trail.log)?;
    let earlier = earlier_attempt(trail, account, req, method)?;
    let session = client.open(credential.as_ref())?;
    identity(policy, account, &*session, credential.as_ref())?;
    if req.dry_run {
        // Nothing will be sent, so one record says it all.
        let done = trail.append("dry-run", Outcome::DryRun).map_err(Stop::Failed)?;
        return Ok(trail.receipt(account, done.seq, None));
    }
    if let Some(receipt) = in_doubt(trail, account, plan.in_doubt, earlier.unknown(), &*session)? {
        return Ok(receipt);
    }
    // The last look before the intent record: a lock set since the confirmation stops it here.
    still_open(policy, account, credential.as_ref())?;
    crate::fault::point("before-intent");
    let key = intent(trail, req.plan.as_ref(), earlier.retry())?;
    let result = publish(&*session, &req.action, &req.draft, &key);
    crate::fault::point("after-publish");
    outcome(trail, account, &req.action, result)
}

/// A lockdown stops everything, dry runs included, before anything is read or shown: the
/// account may be in someone else's hands, and nobody should be typing its handle until that
/// is settled. A lifted lock hands back when it was set: a credential stored before it is
/// refused once the credential is read.
fn lockdown(policy: &Policy, account: &Account) -> Result<Option<jiff::Timestamp>> {
    match crate::lockdown::state(policy, account)? {
        crate::lockdown::State::Locked(lock, _) => Err(lock.refusal(account, &policy.lockdown.unlock_roles).into()),
        crate::lockdown::State::Lifted { locked_at } => Ok(Some(locked_at)),
        crate::lockdown::State::Open => Ok(None),
    }
}

/// Refuses if the account was locked down since the run began (exit 12), or its lock was
/// lifted meanwhile and the credential predates that lockdown. The run calls it wherever time
/// passed that a lockdown could use: after the confirmation, after asking the platform, and
/// last before the intent record.
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

/// What the plan gate decided.
enum PlanCheck {
    /// An earlier run published this plan; nothing is sent again.
    AlreadyPublished(Receipt),
    Go(PlanRun),
}

/// What a run of a plan carries to its later steps; empty for a post without a plan.
#[derive(Default)]
struct PlanRun {
    /// Held until the outcome is recorded, so two runs of one plan (two CI runners, a re-run
    /// during a run) cannot both publish it. Dry runs publish nothing and take none.
    _lock: Option<std::fs::File>,
    /// An earlier run that recorded its intent but not its outcome: audit seq and time.
    in_doubt: Option<(u64, jiff::Timestamp)>,
}

/// A plan: the account as the policy now defines it, what earlier runs did with it, and its
/// window.
fn plan_gate(policy: &Policy, account: &Account, req: &Request, trail: &Trail) -> Result<PlanCheck> {
    let Some(gate) = &req.plan else {
        return Ok(PlanCheck::Go(PlanRun::default()));
    };
    gate.plan.check_account(policy.account(&gate.plan.account.name)?)?;
    let lock = if req.dry_run {
        None
    } else {
        Some(lock_plan(policy, &gate.plan)?)
    };
    let in_doubt = match trail.log.plan_state(&gate.plan.plan_hash)? {
        PlanState::Published { id, url, seq } => {
            let published = Published {
                id,
                url,
                replayed: true,
            };
            return Ok(PlanCheck::AlreadyPublished(Receipt {
                already: true,
                ..trail.receipt(account, seq, Some(published))
            }));
        }
        PlanState::InDoubt { seq, time } => Some((seq, time)),
        PlanState::Unseen => None,
    };
    window(&gate.plan, observed_now(&trail.log))?;
    Ok(PlanCheck::Go(PlanRun { _lock: lock, in_doubt }))
}

/// Refuses a plan outside its window at `now`.
fn window(plan: &Plan, now: jiff::Timestamp) -> Result<(), Failure> {
    match plan.window_refusal(now) {
        Some(WindowState::Expired(at)) => Err(Failure::said(
            ExitCode::PlanRefused,
            both!("refusal-plan-expired", at = at.to_string()),
        )
        .hint_said(both!("hint-plan-expired"))),
        Some(WindowState::NotYet(at)) => Err(Failure::said(
            ExitCode::PlanRefused,
            both!("refusal-plan-not-yet", at = at.to_string()),
        )
        .hint_said(both!("hint-plan-not-yet"))),
        None => Ok(()),
    }
}

/// Shows the banner and the preview on stderr: what is about to happen, to which account.
fn show_banner(account: &Account, req: &Request, checked: &Checked, credential: &str, approved_by: &[String]) {
    eprint!(
        "{}",
        banner::render(&BannerInfo {
            account,
            action: match &req.action {
                Action::Post => None,
                Action::Correct { post } if checks::deletes_original(account) => {
                    Some(format!("CORRECT {post} (DELETES it, then reposts)"))
                }
                Action::Correct { post } => Some(format!("CORRECT {post}")),
                Action::Delete { post, .. } => Some(format!("DELETE {post}")),
            },
            text: &req.draft.text,
            reply_to: req.draft.reply_to.as_deref(),
            length: checked.length,
            max_characters: checked.limits.max_characters,
            unit: platform::of(account).length_unit(),
            content_warning: req.draft.content_warning.as_deref(),
            language: req.draft.language.as_deref().or(account.language.as_deref()),
            visibility: req.draft.visibility.map(|v| v.as_str()).or(default_visibility(account)),
            images: &req.draft.images,
            credential,
            dry_run: req.dry_run,
            findings: &checked.findings,
            approved_by,
        })
    );
}

/// The account's own visibility, where its platform has one.
fn default_visibility(account: &Account) -> Option<&'static str> {
    platform::of(account).visibility(account).map(|v| v.as_str())
}

/// What the post needs approved (requirements, `approve` rules), met only by signatures of a
/// plan. Signatures are checked whenever there is a plan, needed or not: a signature that does
/// not verify means someone tampered with something. The approvers and the author found go
/// into the trail before any refusal, so the refusal's record names them. Hands back the
/// names of the approvers who signed, for the banner.
fn approvals(policy: &Policy, account: &Account, req: &Request, trail: &mut Trail) -> Result<Vec<String>> {
    let needs = if matches!(req.action, Action::Delete { .. }) {
        Vec::new()
    } else {
        policy
            .approvals
            .needs(account, &trail.findings, req.draft.reply_to.is_some())
    };
    let Some(gate) = &req.plan else {
        if needs.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = needs.iter().map(|n| n.describe()).collect();
        let correct = match &req.action {
            Action::Correct { post } => format!(" --correct {}", crate::sanitize::one_line(post)),
            _ => String::new(),
        };
        return Err(Failure::said(
            ExitCode::PlanRefused,
            both!("refusal-needs-approval", needs = list.join("; ")),
        )
        .hint_said(both!(
            "hint-needs-approval",
            name = account.name.as_str(),
            correct = correct
        ))
        .into());
    };
    let signed = crate::approval::signature::verify(&policy.approvals, &gate.plan, &gate.path)?;
    trail.approvals = signed.approver_list();
    trail.author = signed.author.clone();
    let declined = crate::approval::decline::verify_all(&policy.approvals, &gate.plan, &gate.path)?;
    if let Some(refusal) = crate::approval::decline::refusal(&declined) {
        return Err(refusal.into());
    }
    if !needs.is_empty() {
        signed.require_author(&gate.path)?;
    }
    let missing = crate::approval::unmet(&needs, &signed.approvers);
    if !missing.is_empty() {
        return Err(Failure::said(
            ExitCode::PlanRefused,
            both!("refusal-approvals-missing", missing = missing.join("; ")),
        )
        .hint_said(both!("hint-approvals-missing", path = gate.path.display().to_string()))
        .into());
    }
    Ok(signed.approvers.iter().map(|a| a.name.clone()).collect())
}

/// Under the account lock, what may have changed while a person typed the handle: a lockdown
/// set (or lifted, over this credential) meanwhile, and the rate rules' counts, which another
/// run may have raised; the count before the banner may be stale by now.
fn recheck_under_lock(
    policy: &Policy,
    account: &Account,
    req: &Request,
    credential: Option<&Credential>,
    length: usize,
    log: &AuditLog,
) -> Result<()> {
    still_open(policy, account, credential)?;
    if matches!(req.action, Action::Delete { .. }) || !policy.rules.needs_recent(account) {
        return Ok(());
    }
    let recount = checks::content_findings(policy, account, &req.draft, length, observed_now(log))?;
    checks::denied(&recount).map_err(|summary| {
        Failure::said(ExitCode::ContentRefused, both!("refusal-rules", summary = summary))
            .hint_said(both!("hint-rules-rechecked"))
            .into()
    })
}

/// Asks the platform who the credential belongs to, and refuses a mismatch with the policy.
fn identity(policy: &Policy, account: &Account, session: &dyn Session, credential: Option<&Credential>) -> Result<()> {
    let identity = session.identity()?;
    // Lockdown may have removed the keychain item while the platform was asked: writing a
    // renewed session back would undo it.
    still_open(policy, account, credential)?;
    credential::keep_renewed(account, session, credential);
    match platform::identity_mismatch(account, &identity) {
        Some(difference) => Err(Failure::said(
            ExitCode::IdentityMismatch,
            both!("refusal-identity-mismatch", difference = difference),
        )
        .hint_said(both!("hint-identity-mismatch"))
        .into()),
        None => Ok(()),
    }
}

/// Settles an earlier run of this post or plan that stopped before recording its outcome,
/// once the session is open and its identity checked. Where the platform recognises no repeat,
/// the account's posts are searched (see [`look_before_write`]); elsewhere a plan's key is
/// presented again, unless the platform no longer remembers it: the earlier run may have
/// published, and a new attempt would then post twice.
fn in_doubt(
    trail: &Trail,
    account: &Account,
    plan_in_doubt: Option<(u64, jiff::Timestamp)>,
    post_in_doubt: Option<&InDoubt>,
    session: &dyn Session,
) -> Result<Option<Receipt>> {
    if let Some(doubt) = post_in_doubt {
        return look_before_write(trail, account, session, doubt);
    }
    let Some((seq, time)) = plan_in_doubt else {
        return Ok(None);
    };
    if platform::of(account).exactly_once() == ExactlyOnce::LookBeforeWrite {
        let doubt = trail
            .log
            .in_doubt_since(account.platform.as_str(), &account.host(), &account.handle, time)?
            .into_iter()
            .find(|d| d.seq == seq)
            .ok_or_else(|| {
                Failure::new(
                    ExitCode::Incomplete,
                    format!("the audit log no longer shows the earlier run of this plan (audit record #{seq})"),
                )
                .hint("`postgate log --verify` checks the log; nothing was sent")
            })?;
        return look_before_write(trail, account, session, &doubt);
    }
    let Some(words) = key_forgotten(account, time, observed_now(&trail.log)) else {
        return Ok(None);
    };
    Err(Failure::new(
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
    .into())
}

/// Whether the platform has forgotten the post key of an attempt made at `attempted`, so that
/// sending it again could publish a second post; the words say how long it keeps keys.
fn key_forgotten(account: &Account, attempted: jiff::Timestamp, now: jiff::Timestamp) -> Option<&'static str> {
    match platform::of(account).exactly_once() {
        ExactlyOnce::KeyIdempotent {
            lifetime,
            lifetime_words,
        } if now.duration_since(attempted) > lifetime => Some(lifetime_words),
        _ => None,
    }
}

/// Writes the intent record, before any publish, and hands back the attempt's post key. Its
/// hash names a fresh attempt: the platform sees the same key on every retry of this attempt,
/// and no other attempt shares it. A plan's key, or that of an earlier attempt in doubt, is
/// known beforehand and goes into the intent record, so a later run can tell this attempt's
/// outcome from the attempt it repeats.
fn intent(trail: &mut Trail, plan: Option<&PlanGate>, earlier: Option<&InDoubt>) -> Result<PostKey, Stop> {
    let known = match (plan, earlier) {
        (Some(gate), _) => Some(gate.plan.post_key()),
        (None, Some(doubt)) => Some(PostKey::at(doubt.key.clone(), Some(doubt.time))),
        (None, None) => None,
    };
    trail.post_key = known.as_ref().map(|k| k.id.clone());
    let intent = match trail.append("intent", Outcome::Pending) {
        Ok(intent) => intent,
        Err(err) => {
            // The file has the intent but the store that had to have it does not: nothing is
            // sent, and the refusal recorded next, under the attempt's key, settles it.
            if let Some(written) = trail.log.written_but_not_shared() {
                trail.post_key = Some(known.map_or(written.hash, |k| k.id));
                return Err(Stop::Refused(err));
            }
            return Err(Stop::Failed(err));
        }
    };
    trail.intent_written = true;
    // The time fixes Bluesky's record key, so a retry of this attempt derives the same one.
    let mut key = known.unwrap_or_else(|| PostKey::at(intent.hash.clone(), Some(intent.time)));
    key.since = Some(intent.time);
    if let Some(account) = trail.account {
        let from = intent
            .time
            .checked_sub(crate::audit::SERVER_CLOCK_MARGIN)
            .unwrap_or(intent.time);
        key.recorded = trail
            .log
            .published_ids_since(account.platform.as_str(), &account.host(), &account.handle, from)
            .map_err(Stop::Failed)?
            .into_iter()
            .collect();
    }
    trail.post_key = Some(key.id.clone());
    Ok(key)
}

/// Sends the change to the platform.
fn publish(session: &dyn Session, action: &Action, draft: &Draft, key: &PostKey) -> Result<Published> {
    match action {
        Action::Post => session.publish(draft, key),
        Action::Correct { post } => session.correct(post, draft, key),
        Action::Delete { post, .. } => session.delete(post).map(|()| Published {
            id: post.clone(),
            url: String::new(),
            replayed: false,
        }),
    }
}

/// Writes the outcome record: the failure, or what went out. A change that is out but could
/// not be recorded is said loudly, with where it is, since the log will not say it.
fn outcome(trail: &Trail, account: &Account, action: &Action, result: Result<Published>) -> Result<Receipt, Stop> {
    let published = result.map_err(|err| failed(trail, account, action, err))?;
    let (recorded, what) = match action {
        Action::Delete { .. } => (
            Outcome::Deleted {
                id: published.id.clone(),
            },
            "DELETED",
        ),
        _ => (
            Outcome::Published {
                id: published.id.clone(),
                url: published.url.clone(),
            },
            "PUBLISHED",
        ),
    };
    let done = trail.append("outcome", recorded).map_err(|e| {
        // Exit 9 would claim nothing was published.
        Stop::Failed(
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
            ),
        )
    })?;
    Ok(trail.receipt(account, done.seq, Some(published)))
}

/// Records that the platform refused or failed the change, and says which change failed.
fn failed(trail: &Trail, account: &Account, action: &Action, err: anyhow::Error) -> Stop {
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
    Stop::Failed(err.context(Failure::new(
        code,
        format!("{} on {} failed", action.name(), account.handle),
    )))
}

/// Finds an earlier run of this very post (same account, text and images) that recorded its
/// intent but not its outcome: its post key is presented again, so the platform finds that
/// post instead of making a second one. It is reused when the platform will recognise its
/// key; otherwise a person says whether it went out, and a script is refused. Only a new post
/// without a plan is looked for: a plan's key is its own, and a dry run sends nothing.
fn earlier_attempt(trail: &Trail, account: &Account, req: &Request, method: Method) -> Result<Earlier> {
    if !matches!((&req.action, &req.plan, req.dry_run), (Action::Post, None, false)) {
        return Ok(Earlier::Fresh);
    }
    let (draft, interactive) = (&req.draft, req.interactive);
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
        return Ok(Earlier::Fresh);
    };
    if platform::of(account).exactly_once() == ExactlyOnce::LookBeforeWrite {
        return Ok(Earlier::Unknown(doubt));
    }
    let when = doubt.time.round(jiff::Unit::Second).unwrap_or(doubt.time);
    let Some(words) = key_forgotten(account, doubt.time, now) else {
        eprintln!(
            "postgate: {}",
            crate::i18n::t!("note-retry-in-doubt", seq = doubt.seq, when = when.to_string())
        );
        return Ok(Earlier::Retry(doubt));
    };
    let title = platform::of(account).title();
    let question = crate::i18n::t!(
        "question-in-doubt",
        seq = doubt.seq,
        when = when.to_string(),
        platform = title,
        handle = account.handle.as_str()
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
        return Ok(Earlier::Fresh);
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

/// What an earlier run of the same post, left in doubt, means for this one.
enum Earlier {
    /// None in doubt, or it did not publish: this is a fresh attempt.
    Fresh,
    /// Present its key again: the platform finds its post instead of making a second.
    Retry(InDoubt),
    /// The platform recognises no repeat: the account's posts are searched for it once the
    /// session is open ([`look_before_write`]).
    Unknown(InDoubt),
}

impl Earlier {
    fn retry(&self) -> Option<&InDoubt> {
        match self {
            Earlier::Retry(doubt) => Some(doubt),
            _ => None,
        }
    }

    fn unknown(&self) -> Option<&InDoubt> {
        match self {
            Earlier::Unknown(doubt) => Some(doubt),
            _ => None,
        }
    }
}

/// On a platform that recognises no repeat (look-before-write), an attempt left in doubt is
/// looked for among the account's posts before anything is sent again, with the search
/// `reconcile` uses. Found, it is recorded as published and nothing is sent; absent from a
/// listing that reaches back past it, this run is a fresh attempt; when the listing stops
/// short, nothing is sent.
fn look_before_write(
    trail: &Trail,
    account: &Account,
    session: &dyn Session,
    doubt: &InDoubt,
) -> Result<Option<Receipt>> {
    let since = doubt
        .time
        .checked_sub(crate::audit::SERVER_CLOCK_MARGIN)
        .unwrap_or(doubt.time);
    let known = trail
        .log
        .published_ids_since(account.platform.as_str(), &account.host(), &account.handle, since)?;
    let when = doubt.time.round(jiff::Unit::Second).unwrap_or(doubt.time);
    let earlier = format!("an earlier run of this post (audit record #{}, {when})", doubt.seq);
    match crate::landed::search(session, doubt, &|id| known.contains(id))? {
        Search::Found(post) => {
            let mut record = trail.record(
                "outcome",
                Outcome::Published {
                    id: post.id.clone(),
                    url: post.url.clone(),
                },
            );
            record.post_key = Some(doubt.key.clone());
            let done = trail.log.append(record)?;
            eprintln!(
                "postgate: {earlier} did publish, as {}; recorded now, and nothing was sent again",
                crate::sanitize::one_line(&post.url)
            );
            let published = Published {
                id: post.id,
                url: post.url,
                replayed: true,
            };
            Ok(Some(Receipt {
                already: true,
                ..trail.receipt(account, done.seq, Some(published))
            }))
        }
        Search::NotFound => {
            let mut settled = trail.record(
                "in-doubt",
                Outcome::Failed {
                    error: format!(
                        "the attempt of audit record #{} is not among the account's posts: it did not publish",
                        doubt.seq
                    ),
                    exit_code: ExitCode::Incomplete.code(),
                },
            );
            settled.post_key = Some(doubt.key.clone());
            trail.log.append(settled)?;
            Ok(None)
        }
        Search::Inconclusive(why) => Err(Failure::new(
            ExitCode::Incomplete,
            format!(
                "{earlier} stopped before recording whether it published, and {} cannot say: {why}; nothing was sent",
                platform::of(account).title()
            ),
        )
        .hint(format!(
            "look at {} on the platform: if the post is there, it is done (`postgate reconcile` lists it as in doubt); if not, run the same post again",
            account.handle
        ))
        .into()),
    }
}

/// How far back a repeated post looks for an earlier attempt left in doubt.
const IN_DOUBT_WINDOW: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);

/// The lock a run holds on an account from its last count of the account's posts through its
/// outcome record, taken after the confirmation (never while a person is asked); `lockdown`
/// holds it while it revokes and clears the credentials. Concurrent runs on one account take
/// turns, so the posts counted under it are all the posts there are, and `lockdown` waits for
/// a publish under way, so every later run sees its lock. One file per account identity (as
/// the lock files of `lockdown` are named), beside the audit log. Released when dropped.
pub fn lock_account(policy: &Policy, account: &Account) -> Result<std::fs::File> {
    let name = sha256_hex(credentials::keychain_user(account).as_bytes());
    lock_file(policy, &format!("account-{}.lock", &name[..24]), || {
        eprintln!(
            "postgate: waiting for another postgate run on `{}` to finish",
            crate::sanitize::one_line(&account.name)
        );
    })
}

/// With a shared store, the account's advisory lock in it, held with the local one: the count
/// and the publish are then one critical section across machines. A store that cannot be
/// reached refuses where it is required, and is passed over (with a warning) where not.
fn lock_shared(policy: &Policy, account: &Account) -> Result<Option<crate::store::AccountLock>> {
    let Some(cfg) = &policy.audit_shared else {
        return Ok(None);
    };
    match crate::store::lock_account(cfg, account.platform.as_str(), &account.host(), &account.handle) {
        Ok(lock) => Ok(Some(lock)),
        Err(e) if cfg.required_for(account.kind) => Err(e),
        Err(e) => {
            crate::store::warn_unreachable(&e);
            Ok(None)
        }
    }
}

/// A plan another machine already published, as the store says, asked under the store's
/// account lock: two runners given the same queue publish it once between them. The local log
/// answered for this machine at the plan gate.
fn published_elsewhere(policy: &Policy, account: &Account, req: &Request, trail: &Trail) -> Result<Option<Receipt>> {
    let (Some(cfg), Some(gate)) = (&policy.audit_shared, &req.plan) else {
        return Ok(None);
    };
    let chain = trail.log.chain()?;
    let found = match crate::store::plan_published(cfg, &gate.plan.plan_hash, chain.as_deref()) {
        Ok(found) => found,
        Err(e) if cfg.required_for(account.kind) => return Err(e),
        Err(e) => {
            crate::store::warn_unreachable(&e);
            None
        }
    };
    Ok(found.map(|(id, url, host)| {
        crate::output::status(&format!(
            "plan {} was published from {}: {} {}",
            gate.plan.plan_hash,
            crate::sanitize::one_line(&host),
            crate::sanitize::one_line(&id),
            crate::sanitize::one_line(&url)
        ));
        Receipt {
            already: true,
            ..trail.receipt(
                account,
                0,
                Some(Published {
                    id,
                    url,
                    replayed: true,
                }),
            )
        }
    }))
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
