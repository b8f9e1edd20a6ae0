//! The pipeline's content checks, and the part of them `postgate check` runs offline.
//!
//! [`limits`] is the one judgement of platform limits and account requirements: `check` lists
//! what it finds as findings, the pipeline refuses the first, so a clean `check` means a clean
//! publish by construction. [`content_findings`] runs the policy's rules; it reads the audit
//! log for the rate rules' counts here, above the rules, which know nothing of the log.

use crate::account::Account;
use crate::audit::{AuditLog, observed_now};
use crate::content::{Action, Draft};
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::i18n::both;
use crate::platform::spec::{Client, Limits};
use crate::policy::Policy;
use crate::rules::{self, Finding, Level};
use anyhow::Result;

/// A platform limit or an account requirement a post breaks. `check` and the pipeline each
/// put it in their own words (their messages predate the shared check and tests pin them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Breach {
    TooLong {
        length: usize,
        max: usize,
    },
    TooManyImages {
        count: usize,
        max: usize,
    },
    /// The platform's cap in UTF-8 bytes, which dense scripts reach before the length.
    TooManyBytes {
        bytes: usize,
        max: usize,
    },
    /// `first` names the first image without a description.
    NoAltText {
        count: usize,
        first: String,
    },
}

/// An attached image, as far as [`limits`] cares.
pub struct Attachment {
    pub name: String,
    /// Has a description that is not blank.
    pub described: bool,
}

impl Attachment {
    pub fn of_draft(draft: &Draft) -> Vec<Attachment> {
        draft
            .images
            .iter()
            .map(|i| Attachment {
                name: i.file_name.clone(),
                described: i.alt.as_deref().is_some_and(|a| !a.trim().is_empty()),
            })
            .collect()
    }
}

/// Every limit the post breaks, in the order `check` lists them. `length` is counted as the
/// platform counts; `limits` is `None` where they cannot be known offline (a Mastodon
/// instance's own), and then only what needs no server is judged.
pub fn limits(
    account: &Account,
    text: &str,
    length: usize,
    images: &[Attachment],
    limits: Option<Limits>,
) -> Vec<Breach> {
    let mut breaches = Vec::new();
    if let Some(limits) = limits {
        if length > limits.max_characters {
            breaches.push(Breach::TooLong {
                length,
                max: limits.max_characters,
            });
        }
        if images.len() > limits.max_images {
            breaches.push(Breach::TooManyImages {
                count: images.len(),
                max: limits.max_images,
            });
        }
    }
    if let Some(max) = limits.and_then(|l| l.max_bytes)
        && text.len() > max
    {
        breaches.push(Breach::TooManyBytes { bytes: text.len(), max });
    }
    let mut undescribed = images.iter().filter(|i| !i.described);
    if account.require_alt_text
        && let Some(first) = undescribed.next()
    {
        breaches.push(Breach::NoAltText {
            count: 1 + undescribed.count(),
            first: first.name.clone(),
        });
    }
    breaches
}

impl Breach {
    /// The pipeline refuses images before length, as it always has: a post breaking both is
    /// refused with the message it got before the check was shared.
    fn refusal_order(&self) -> u8 {
        match self {
            Breach::TooManyImages { .. } => 0,
            Breach::NoAltText { .. } => 1,
            Breach::TooLong { .. } => 2,
            Breach::TooManyBytes { .. } => 3,
        }
    }

    /// The pipeline's refusal.
    fn refusal(&self, account: &Account) -> Failure {
        let platform = account.platform.as_str();
        match self {
            Breach::TooManyImages { count, max } => Failure::said(
                ExitCode::ContentRefused,
                both!(
                    "refusal-too-many-images",
                    count = *count,
                    platform = platform,
                    max = *max
                ),
            ),
            Breach::NoAltText { first, .. } => Failure::said(
                ExitCode::ContentRefused,
                both!(
                    "refusal-no-alt-text",
                    number = first.as_str(),
                    name = account.name.as_str()
                ),
            )
            .hint_said(both!("hint-no-alt-text")),
            Breach::TooLong { length, max } => Failure::said(
                ExitCode::ContentRefused,
                both!(
                    "refusal-too-long",
                    length = *length,
                    unit = crate::platform::of(account).length_unit(),
                    platform = platform,
                    max = *max
                ),
            )
            .hint_said(both!("hint-shorten")),
            Breach::TooManyBytes { bytes, max } => Failure::said(
                ExitCode::ContentRefused,
                both!(
                    "refusal-too-many-bytes",
                    bytes = *bytes,
                    platform = platform,
                    max = *max
                ),
            )
            .hint_said(both!("hint-shorten")),
        }
    }

    /// `check`'s finding: `deny`, under the rule id it has always been listed with.
    pub fn finding(&self, account: &Account) -> Finding {
        let platform = account.platform.as_str();
        let (rule, message) = match self {
            Breach::TooLong { length, max } => (
                "platform-limit",
                format!(
                    "{length} {}; {platform} allows {max}",
                    crate::platform::of(account).length_unit()
                ),
            ),
            Breach::TooManyImages { count, max } => {
                ("platform-limit", format!("{count} images; {platform} allows {max}"))
            }
            Breach::TooManyBytes { bytes, max } => {
                ("platform-limit", format!("{bytes} bytes; {platform} allows {max}"))
            }
            Breach::NoAltText { count, .. } => (
                "require_alt_text",
                format!(
                    "{count} image(s) without a description; account `{}` requires one",
                    account.name
                ),
            ),
        };
        Finding {
            rule: rule.to_string(),
            level: Level::Deny,
            message,
            suggestion: None,
            span: None,
        }
    }
}

/// What the checks found before the banner: the banner shows it, [`verdict`] judges it after.
pub(super) struct Checked {
    pub(super) limits: Limits,
    /// As the platform counts it; 0 for a delete, whose text is a reason never published.
    pub(super) length: usize,
    pub(super) findings: Vec<Finding>,
}

/// The checks that need the platform's counting: an empty post is refused here, before the
/// banner; everything else is left for [`verdict`], after it.
pub(super) fn content(
    policy: &Policy,
    account: &Account,
    client: &dyn Client,
    draft: &Draft,
    action: &Action,
    log: &AuditLog,
) -> Result<Checked> {
    let limits = client.limits()?;
    if draft.text.trim().is_empty() {
        return Err(Failure::said(ExitCode::ContentRefused, both!("refusal-empty-post")).into());
    }
    // A delete's text is its reason, which is never published: neither the length limit nor
    // the content rules apply to it.
    if matches!(action, Action::Delete { .. }) {
        return Ok(Checked {
            limits,
            length: 0,
            findings: Vec::new(),
        });
    }
    let length = client.length(draft)?;
    let findings = content_findings(policy, account, draft, length, observed_now(log))?;
    Ok(Checked {
        limits,
        length,
        findings,
    })
}

/// Whether a correction on this account removes the original post.
pub(super) fn deletes_original(account: &Account) -> bool {
    crate::platform::of(account).correction(account).deletes_original()
}

/// The content refusals, shown after the banner so the person sees what was refused: the
/// deletes the account does not allow, the limits, the rules' denials.
pub(super) fn verdict(account: &Account, action: &Action, draft: &Draft, checked: &Checked) -> Result<(), Failure> {
    match action {
        // A delete-and-repost correction deletes too, so the same gate holds it.
        Action::Correct { .. } if deletes_original(account) && !account.allow_delete => {
            return Err(Failure::new(
                ExitCode::ContentRefused,
                format!(
                    "account `{}` corrects by deleting and reposting (correction = \"delete-and-repost\"), \
                     but does not allow deleting posts (allow_delete = false)",
                    account.name
                ),
            )
            .hint("set correction = \"reply\" to keep the original and answer it, or allow_delete = true"));
        }
        Action::Delete { .. } if !account.allow_delete => {
            return Err(Failure::new(
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
            )));
        }
        _ => {}
    }
    // A delete's reason is never published, so no cap on the text applies to it.
    let text = if matches!(action, Action::Delete { .. }) {
        ""
    } else {
        &draft.text
    };
    let images = Attachment::of_draft(draft);
    if let Some(breach) = limits(account, text, checked.length, &images, Some(checked.limits))
        .iter()
        .min_by_key(|b| b.refusal_order())
    {
        return Err(breach.refusal(account));
    }
    denied(&checked.findings).map_err(|summary| {
        Failure::said(ExitCode::ContentRefused, both!("refusal-rules", summary = summary))
            .hint_said(both!("hint-rules", name = account.name.as_str()))
    })
}

/// `Err` with `rule-id (message); …` when any finding denies the post.
pub(super) fn denied(findings: &[Finding]) -> Result<(), String> {
    let denied: Vec<String> = findings
        .iter()
        .filter(|f| f.level == Level::Deny)
        .map(|f| format!("{} ({})", f.rule, crate::sanitize::one_line(&f.message)))
        .collect();
    if denied.is_empty() {
        Ok(())
    } else {
        Err(denied.join("; "))
    }
}

/// Runs the policy's rules on the draft as it would go out at `now`.
pub fn content_findings(
    policy: &Policy,
    account: &Account,
    draft: &Draft,
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
    let day = now
        .checked_sub(jiff::SignedDuration::from_hours(24))
        .unwrap_or(jiff::Timestamp::MIN);
    let times =
        AuditLog::of(policy).published_since(account.platform.as_str(), &account.host(), &account.handle, day)?;
    // `now` well in the past is a question about then (`check --at`): later posts do not count.
    let hypothetical = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_mins(1))
        .is_ok_and(|present| now < present);
    Ok(rules::Recent::count(&times, now, hypothetical.then_some(now)))
}
