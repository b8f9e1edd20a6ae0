//! Plans: a post pinned down for review, then approved and applied exactly as reviewed.
//!
//! A plan file is TOML a person can read. `plan_hash` is a SHA-256 over everything else in it
//! (in a fixed JSON form, so comments and layout do not count), and approvals sign that hash.
//! Changing one byte of the text, the account, an image or the window changes the hash, and
//! the approvals no longer match.
//!
//! A queue item (a draft file with front matter) is also a plan: the same fields come from
//! its front matter and text, and its approvals sit beside it.

use crate::account::Account;
use crate::content::{Draft, Image};
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::platform::spec::PostKey;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const FORMAT: u32 = 1;

/// How long a plan stays valid when `plan` is not told: a plan nobody applied within a week
/// was reviewed against a situation that has moved on.
pub const DEFAULT_LIFETIME_HOURS: i64 = 7 * 24;

/// How far ahead a window may open, and how long after its start it may close. A post planned
/// more than a year ahead was reviewed against a situation nobody can foresee, and the bound
/// keeps every date computation far from the ends of the calendar.
pub const MAX_WINDOW_DAYS: i64 = 366;

/// `t` plus `days`, or the end of time: never a panic on a date near the calendar's end.
pub fn days_after(t: jiff::Timestamp, days: i64) -> jiff::Timestamp {
    t.checked_add(jiff::SignedDuration::from_hours(days.saturating_mul(24)))
        .unwrap_or(jiff::Timestamp::MAX)
}

/// A window that could never be published, or lies out of range: which end, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowProblem {
    /// `true` when `expires` is to blame, `false` for `publish_at`.
    pub at_expires: bool,
    pub message: String,
}

/// Checks a window as written (`plan --publish-at/--expires`, a queue item's front matter):
/// it opens within [`MAX_WINDOW_DAYS`] of `now`, closes after it opens and within
/// [`MAX_WINDOW_DAYS`] of its start. `names` are what the writer called the two ends;
/// `what` is "plan" or "item".
pub fn window_problem(window: &Window, now: jiff::Timestamp, names: (&str, &str), what: &str) -> Option<WindowProblem> {
    let (start_name, end_name) = names;
    let latest = days_after(now, MAX_WINDOW_DAYS);
    if let Some(start) = window.not_before
        && start > latest
    {
        return Some(WindowProblem {
            at_expires: false,
            message: format!(
                "{start_name} {start} must lie within {MAX_WINDOW_DAYS} days of now (no later than {})",
                latest.round(jiff::Unit::Second).unwrap_or(latest)
            ),
        });
    }
    let start = window.not_before.unwrap_or(now);
    let expires = window.expires?;
    if expires <= start {
        let after = match window.not_before {
            Some(s) => format!("{start_name} {s}"),
            None => "now".to_string(),
        };
        return Some(WindowProblem {
            at_expires: true,
            message: format!("{end_name} {expires} is not after {after}; the {what} could never be published"),
        });
    }
    let last = days_after(start, MAX_WINDOW_DAYS);
    if expires > last {
        return Some(WindowProblem {
            at_expires: true,
            message: format!(
                "{end_name} {expires} must lie within {MAX_WINDOW_DAYS} days of the time the post may go out \
                 (no later than {})",
                last.round(jiff::Unit::Second).unwrap_or(last)
            ),
        });
    }
    None
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Author {
    /// The OS user who wrote the plan; empty when unknown (a queue item names an e-mail).
    #[serde(default)]
    pub user: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl Author {
    /// The OS user, plus git's `user.email` where git has one.
    pub fn current() -> Author {
        let email = std::process::Command::new("git")
            .args(["config", "user.email"])
            .stderr(std::process::Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        Author {
            user: crate::machine::os_user(),
            email,
        }
    }

    pub fn describe(&self) -> String {
        match (&self.email, self.user.is_empty()) {
            (Some(e), true) => e.clone(),
            (Some(e), false) => format!("{} <{e}>", self.user),
            (None, false) => self.user.clone(),
            (None, true) => "unknown".into(),
        }
    }

    pub fn is_known(&self) -> bool {
        !self.user.is_empty() || self.email.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanAccount {
    pub name: String,
    pub handle: String,
    pub platform: String,
    pub host: String,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanImage {
    /// Relative to the plan's folder, inside it (`apply` refuses an absolute path, `..` or a link).
    pub path: PathBuf,
    pub sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanPost {
    pub text: String,
    /// The published post this plan corrects (`postgate plan --correct`); none for a new post.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrects: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_warning: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<PlanImage>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<jiff::Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<jiff::Timestamp>,
}

/// A finding as it stood when the plan was written, for the reviewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFinding {
    pub rule: String,
    pub level: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub format: u32,
    pub plan_hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<jiff::Timestamp>,
    pub author: Author,
    pub account: PlanAccount,
    pub post: PlanPost,
    #[serde(default)]
    pub window: Window,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<PlanFinding>,
}

/// Everything the hash covers, in a fixed order.
#[derive(Serialize)]
struct Hashed<'a> {
    format: u32,
    created: &'a Option<jiff::Timestamp>,
    author: &'a Author,
    account: &'a PlanAccount,
    post: &'a PlanPost,
    window: &'a Window,
    findings: &'a [PlanFinding],
}

fn refused(message: impl Into<String>) -> Failure {
    Failure::new(ExitCode::PlanRefused, message)
}

impl Plan {
    /// What applying the plan does: a new post, or a correction of a published one.
    pub fn action(&self) -> crate::content::Action {
        match &self.post.corrects {
            Some(post) => crate::content::Action::Correct { post: post.clone() },
            None => crate::content::Action::Post,
        }
    }

    /// `sha256:<hex>` over the plan's content.
    pub fn compute_hash(&self) -> String {
        let hashed = Hashed {
            format: self.format,
            created: &self.created,
            author: &self.author,
            account: &self.account,
            post: &self.post,
            window: &self.window,
            findings: &self.findings,
        };
        // Serialising plain structs of strings cannot fail.
        let json = serde_json::to_vec(&hashed).unwrap_or_default();
        let mut input = b"postgate-plan\n".to_vec();
        input.extend_from_slice(&json);
        format!("sha256:{}", crate::digest::sha256_hex(&input))
    }

    pub fn seal(mut self) -> Plan {
        self.plan_hash = self.compute_hash();
        self
    }

    pub fn account_ref(account: &Account) -> PlanAccount {
        PlanAccount {
            name: account.name.clone(),
            handle: account.handle.clone(),
            platform: account.platform.as_str().to_string(),
            host: account.host(),
            kind: account.kind.as_str().to_string(),
        }
    }

    /// The platform key every run of this plan uses, so a platform that has already seen it
    /// (Mastodon's Idempotency-Key, Bluesky's record key, the outbox's file name) answers with
    /// the first post instead of making a second.
    pub fn post_key(&self) -> PostKey {
        let hex = self.plan_hash.trim_start_matches("sha256:").to_string();
        // Bluesky keys carry a time; a fixed one from the plan keeps the key the same on
        // every run. Plans without a time take one from the hash, within 2024.
        let at = self.window.not_before.or(self.created).unwrap_or_else(|| {
            let offset = u64::from_str_radix(hex.get(..12).unwrap_or("0"), 16).unwrap_or(0) % (365 * 86_400);
            jiff::Timestamp::from_second(1_704_067_200 + offset as i64).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        });
        PostKey::at(hex, Some(at))
    }

    pub fn to_toml(&self) -> Result<String> {
        let body = toml::to_string_pretty(self)?;
        Ok(format!(
            "# postgate plan. Review it, then `postgate approve FILE`; `postgate apply FILE` publishes it\n\
             # exactly as written. Any change to the values below voids its approvals.\n{body}"
        ))
    }

    /// Reads a plan file and checks its hash. The error names the file, line and column.
    pub fn load(path: &Path) -> Result<Plan> {
        let cannot = |e: String| Failure::new(ExitCode::Usage, format!("cannot read plan {}: {e}", path.display()));
        let bytes = crate::paths::read_bounded(path, crate::paths::MAX_PLAN_BYTES, "plan")
            .map_err(|e| cannot(e.to_string()))?;
        let text = String::from_utf8(bytes)
            .map_err(|e| cannot(format!("not UTF-8 (byte {})", e.utf8_error().valid_up_to())))?;
        let plan: Plan = toml::from_str(&text).map_err(|e| {
            let (line, col) = crate::diagnostic::line_col(&text, e.span().map_or(0, |s| s.start));
            refused(format!(
                "{}:{line}:{col}: not a postgate plan: {}",
                path.display(),
                e.message()
            ))
        })?;
        if plan.format != FORMAT {
            return Err(refused(format!(
                "{}: plan format {} is not one this postgate reads ({FORMAT})",
                path.display(),
                plan.format
            ))
            .into());
        }
        plan.verify_hash(path)?;
        let mut plan = plan;
        // A plan file shares its hash, and so its signatures, with a queue item of the same
        // fields: without the queue's default end, a signed item that expired unpublished
        // would come back through `apply` with no end at all.
        plan.close_window();
        if plan.window.expires.is_none() {
            return Err(refused(format!(
                "{}: the plan has no `expires`, no `not_before` and no `created`: it would never expire",
                path.display()
            ))
            .hint("write a new plan with `postgate plan` (it always sets --expires) and have it approved again")
            .into());
        }
        Ok(plan)
    }

    /// Gives a window that names no end the default one: [`DEFAULT_LIFETIME_HOURS`] after it
    /// opens, or after the plan was made. Derived from signed data, it only narrows what the
    /// signers agreed to.
    pub fn close_window(&mut self) {
        if let Some(start) = self.window.not_before.or(self.created) {
            self.window
                .expires
                .get_or_insert(days_after(start, DEFAULT_LIFETIME_HOURS / 24));
        }
    }

    pub fn verify_hash(&self, path: &Path) -> Result<()> {
        let actual = self.compute_hash();
        if actual != self.plan_hash {
            return Err(refused(format!(
                "{} was changed after it was planned: its plan_hash is {} but its content hashes to {actual}",
                path.display(),
                self.plan_hash
            ))
            .hint("nothing was published; write a new plan with `postgate plan` and have it approved again")
            .into());
        }
        Ok(())
    }

    /// Checks that the plan was made for this account as the policy now defines it: a policy
    /// that moved the account to another handle or host must not inherit its approvals.
    pub fn check_account<'p>(&self, account: &'p Account) -> Result<&'p Account> {
        let now = Plan::account_ref(account);
        if now != self.account {
            return Err(refused(format!(
                "the plan is for account `{}` as {} on {} ({}), but the policy now says {} on {} ({})",
                self.account.name,
                self.account.handle,
                self.account.host,
                self.account.platform,
                now.handle,
                now.host,
                now.platform
            ))
            .hint("nothing was published; plan the post again for the account as it is now")
            .into());
        }
        Ok(account)
    }

    /// The draft to publish, with each image read and compared with its pinned hash.
    pub fn draft(&self, base: &Path) -> Result<Draft> {
        let mut images = Vec::new();
        for pinned in &self.post.images {
            let path = base.join(&pinned.path);
            let platform = &self.account.platform;
            let max = crate::platform::max_image_bytes(platform);
            let image = Image::within(base, &pinned.path, pinned.alt.clone(), max, platform)?;
            let actual = image.sha256();
            if actual != pinned.sha256 {
                return Err(refused(format!(
                    "image {} changed since it was planned (sha256 {actual}, plan says {})",
                    path.display(),
                    pinned.sha256
                ))
                .hint("nothing was published; plan the post again with the new image")
                .into());
            }
            images.push(image);
        }
        let visibility = match self.post.visibility.as_deref() {
            None => None,
            Some(v) => Some(parse_visibility(v).ok_or_else(|| refused(format!("unknown visibility `{v}`")))?),
        };
        Ok(Draft {
            text: self.post.text.clone(),
            reply_to: self.post.reply_to.clone(),
            language: self.post.language.clone(),
            content_warning: self.post.content_warning.clone(),
            visibility,
            images,
        })
    }

    /// Why the plan may not go out at `now`, if it may not: expired, or not yet due.
    pub fn window_refusal(&self, now: jiff::Timestamp) -> Option<WindowState> {
        if let Some(expires) = self.window.expires
            && now >= expires
        {
            return Some(WindowState::Expired(expires));
        }
        if let Some(not_before) = self.window.not_before
            && now < not_before
        {
            return Some(WindowState::NotYet(not_before));
        }
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowState {
    Expired(jiff::Timestamp),
    NotYet(jiff::Timestamp),
}

pub fn parse_visibility(v: &str) -> Option<crate::account::Visibility> {
    use crate::account::Visibility;
    match v {
        "public" => Some(Visibility::Public),
        "unlisted" => Some(Visibility::Unlisted),
        "private" => Some(Visibility::Private),
        "direct" => Some(Visibility::Direct),
        _ => None,
    }
}

/// Pins images for a plan: path (relative to `base`, the plan's folder) and hash. The images
/// were read from inside that folder (`commands::post::read_draft`), so `apply` finds them
/// again there, or refuses.
pub fn pin_images(images: &[Image], paths: &[PathBuf], base: &Path) -> Result<Vec<PlanImage>> {
    images
        .iter()
        .zip(paths)
        .map(|(image, path)| {
            Ok(PlanImage {
                path: crate::media::relative_within(path, base).map_err(crate::media::Refusal::into_failure)?,
                sha256: image.sha256(),
                alt: image.alt.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Plan {
        Plan {
            format: FORMAT,
            plan_hash: String::new(),
            created: Some("2026-11-23T10:00:00Z".parse().unwrap()),
            author: Author {
                user: "alice".into(),
                email: Some("alice@example.org".into()),
            },
            account: PlanAccount {
                name: "demo".into(),
                handle: "@demo".into(),
                platform: "outbox".into(),
                host: "local".into(),
                kind: "official".into(),
            },
            post: PlanPost {
                text: "Bonjour\n\u{202E}ligne".into(),
                corrects: None,
                reply_to: None,
                language: Some("fr".into()),
                content_warning: None,
                visibility: None,
                images: vec![],
            },
            window: Window::default(),
            findings: vec![],
        }
        .seal()
    }

    #[test]
    fn a_plan_round_trips_through_toml_with_the_same_hash() {
        let plan = sample();
        let text = plan.to_toml().unwrap();
        let back: Plan = toml::from_str(&text).unwrap();
        assert_eq!(back, plan);
        assert_eq!(back.compute_hash(), plan.plan_hash);
    }

    #[test]
    fn any_change_to_the_content_changes_the_hash() {
        let plan = sample();
        let mut other = plan.clone();
        other.post.text.push('.');
        assert_ne!(other.compute_hash(), plan.plan_hash);
        let mut other = plan.clone();
        other.account.handle = "@demo2".into();
        assert_ne!(other.compute_hash(), plan.plan_hash);
        let mut other = plan.clone();
        other.window.expires = Some("2026-12-01T00:00:00Z".parse().unwrap());
        assert_ne!(other.compute_hash(), plan.plan_hash);
        // A new post approved as such cannot be turned into a correction of another post.
        let mut other = plan.clone();
        other.post.corrects = Some("123".into());
        assert_ne!(other.compute_hash(), plan.plan_hash);
    }

    #[test]
    fn the_post_key_is_the_same_on_every_run_and_differs_between_plans() {
        let plan = sample();
        assert_eq!(plan.post_key(), plan.post_key());
        let mut other = plan.clone();
        other.post.text = "autre".into();
        let other = other.seal();
        assert_ne!(other.post_key().id, plan.post_key().id);
    }

    #[test]
    fn the_window_says_expired_and_not_yet() {
        let mut plan = sample();
        plan.window.not_before = Some("2026-11-23T12:00:00Z".parse().unwrap());
        plan.window.expires = Some("2026-11-24T12:00:00Z".parse().unwrap());
        let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        assert!(matches!(
            plan.window_refusal(at("2026-11-23T11:00:00Z")),
            Some(WindowState::NotYet(_))
        ));
        assert_eq!(plan.window_refusal(at("2026-11-23T13:00:00Z")), None);
        assert!(matches!(
            plan.window_refusal(at("2026-11-24T12:00:00Z")),
            Some(WindowState::Expired(_))
        ));
    }

    #[test]
    fn windows_out_of_range_or_closed_before_they_open_are_problems() {
        let now: jiff::Timestamp = "2026-12-01T00:00:00Z".parse().unwrap();
        let at = |s: &str| Some(s.parse::<jiff::Timestamp>().unwrap());
        let check = |not_before, expires| {
            window_problem(&Window { not_before, expires }, now, ("publish_at", "expires"), "item")
        };
        assert_eq!(check(None, None), None);
        assert_eq!(check(at("2027-12-01T00:00:00Z"), None), None);
        let far = check(at("9999-12-25T00:00:00Z"), None).unwrap();
        assert!(!far.at_expires);
        assert!(
            far.message
                .contains("must lie within 366 days of now (no later than 2027-12-02T00:00:00Z)")
        );
        let closed = check(at("2026-12-02T00:00:00Z"), at("2026-12-01T12:00:00Z")).unwrap();
        assert!(closed.at_expires);
        assert!(
            closed
                .message
                .contains("is not after publish_at 2026-12-02T00:00:00Z; the item could never be published")
        );
        let long = check(None, at("9999-12-25T00:00:00Z")).unwrap();
        assert!(
            long.at_expires
                && long
                    .message
                    .contains("must lie within 366 days of the time the post may go out")
        );
        // Dates at the calendar's end stay dates, never a panic.
        assert_eq!(days_after(jiff::Timestamp::MAX, 7), jiff::Timestamp::MAX);
    }
}
