//! The queue: a folder of draft files, each a post with its front matter, approved by the
//! signature files beside it and published once when due.
//!
//! Exactly once rests on three things: the queue lock (one publishing run at a time), the
//! audit log (what was published, by plan hash), and the platforms' own idempotency (a key
//! derived from the plan hash), for a run that died between publishing and recording.

use crate::draft::{DraftError, DraftFile};
use crate::plan::{self, Author, Plan, PlanImage, PlanPost, Window};
use crate::policy::Policy;
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

/// A queue item read as a plan. Errors are located in the item's file.
pub fn item_plan(policy: &Policy, path: &Path) -> Result<Plan, DraftError> {
    let source = crate::draft::read_walked(path)
        .map_err(|e| at_start(format!("cannot read: {e}")))
        .and_then(|b| {
            String::from_utf8(b)
                .map_err(|e| at_start(format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to())))
        })?;
    let draft = DraftFile::parse(source)?;
    plan_of(policy, path, &draft)
}

fn at_start(message: String) -> DraftError {
    DraftError {
        line: 1,
        col: 1,
        message,
    }
}

/// The plan a parsed queue item stands for.
///
/// The hash covers the window as written. An item with `publish_at` and no `expires` then
/// expires [`plan::DEFAULT_LIFETIME_HOURS`] after `publish_at`, as a plan does: the default is
/// derived from signed data and only narrows what the signers agreed to, so signatures made
/// before the default existed still verify and no item waits for ever. An item with neither
/// end is refused: in a repository, "now" is whenever a runner happens to read the file.
pub fn plan_of(policy: &Policy, path: &Path, draft: &DraftFile) -> Result<Plan, DraftError> {
    let front = &draft.front;
    window_error(draft)?;
    let name = front
        .account
        .as_deref()
        .ok_or_else(|| at_start("a queue item needs `account` in its +++ front matter".into()))?;
    let account = policy.account(name).map_err(|e| at_start(format!("{e}")))?;
    let base = crate::paths::base_of(path);
    let mut images = Vec::new();
    for (i, image) in front.images.iter().enumerate() {
        let read = crate::media::read_within(
            base,
            &image.path,
            crate::platform::of(account).max_image_bytes(),
            account.platform.as_str(),
        );
        let checked = read.map_err(|e| {
            let (line, col) = draft.image_line_col(i);
            DraftError {
                line,
                col,
                message: e.message,
            }
        })?;
        images.push(PlanImage {
            path: image.path.clone(),
            sha256: crate::digest::sha256_hex(&checked.bytes),
            alt: image.alt.clone().filter(|a| !a.trim().is_empty()),
        });
    }
    if front.publish_at.is_none() && front.expires.is_none() {
        return Err(at_start(format!(
            "a queue item needs `expires` or `publish_at` in its +++ front matter: without either it would wait \
             in the queue for ever; add for instance `expires = {}` (or a `publish_at`, which expires a week \
             later by default), then have it signed again",
            plan::days_after(jiff::Timestamp::now(), plan::DEFAULT_LIFETIME_HOURS / 24)
                .round(jiff::Unit::Second)
                .unwrap_or(jiff::Timestamp::now())
        )));
    }
    let mut plan = Plan {
        format: plan::FORMAT,
        plan_hash: String::new(),
        created: None,
        author: Author {
            user: String::new(),
            email: front.author.clone(),
        },
        account: Plan::account_ref(account),
        post: PlanPost {
            text: draft.text().to_string(),
            corrects: front.corrects.clone(),
            reply_to: front.reply_to.clone(),
            language: front.language.clone(),
            content_warning: None,
            visibility: None,
            images,
        },
        window: Window {
            not_before: front.publish_at,
            expires: front.expires,
        },
        findings: Vec::new(),
    }
    .seal();
    // `created` is empty in an item's plan, so only `publish_at` opens the default week.
    plan.close_window();
    Ok(plan)
}

/// Whether the item's `expires` is the default one, not written in its front matter.
pub fn default_expiry(draft: &DraftFile) -> bool {
    draft.front.expires.is_none() && draft.front.publish_at.is_some()
}

/// A window that could never be published (it closes before it opens) or lies out of range,
/// located at the key to blame.
fn window_error(draft: &DraftFile) -> Result<(), DraftError> {
    let window = Window {
        not_before: draft.front.publish_at,
        expires: draft.front.expires,
    };
    let now = jiff::Timestamp::now();
    let Some(problem) = plan::window_problem(&window, now, ("publish_at", "expires"), "item") else {
        return Ok(());
    };
    // An item waits in a repository while time passes: one whose `expires` has gone by without
    // a `publish_at` simply expired, and is reported as expired, like one with both.
    if problem.at_expires && window.not_before.is_none() && window.expires.is_some_and(|e| e <= now) {
        return Ok(());
    }
    let key = if problem.at_expires { "expires" } else { "publish_at" };
    let (line, col) = front_key(&draft.source, key).unwrap_or((1, 1));
    Err(DraftError {
        line,
        col,
        message: problem.message,
    })
}

/// `line:col` of a top-level key in the `+++` front matter.
fn front_key(source: &str, key: &str) -> Option<(usize, usize)> {
    for (i, line) in source.lines().enumerate().skip(1) {
        if line.trim_end() == "+++" {
            return None;
        }
        let indent = line.len() - line.trim_start().len();
        if let Some(rest) = line.trim_start().strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            return Some((i + 1, indent + 1));
        }
    }
    None
}

/// The signature files of a folder, by the file they sign: one listing for the whole queue
/// instead of one per item.
pub fn signatures(dir: &Path) -> std::io::Result<HashMap<PathBuf, Vec<PathBuf>>> {
    let mut out: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let path = entry.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            if entry.file_type()?.is_dir() {
                stack.push(path);
                continue;
            }
            let Some(stem) = crate::approval::signature::approval_stem(name) else {
                continue;
            };
            // `item.md.NAME.sig` signs `item.md`. NAME may hold dots (`j.doe`), so the file
            // goes under every name it could sign; only items are ever looked up.
            for (at, _) in stem.match_indices('.') {
                if at > 0 && at + 1 < stem.len() {
                    out.entry(d.join(&stem[..at])).or_default().push(path.clone());
                }
            }
        }
    }
    for files in out.values_mut() {
        files.sort();
    }
    Ok(out)
}

/// The queue's lock file, held for the whole publishing run. Another run waits for it, after
/// `waiting` says so.
pub fn lock(dir: &Path, waiting: impl FnOnce()) -> std::io::Result<File> {
    let file = crate::paths::private_options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(".postgate-queue.lock"))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            waiting();
            file.lock()?;
            Ok(file)
        }
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}
