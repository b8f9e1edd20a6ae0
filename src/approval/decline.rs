//! An approver's "no", with the reason: `PLAN.NAME.decline.json`, written by the review page.
//!
//! A decline is signed like an approval, by the approver's passkey, so nobody can decline in
//! someone else's name; its challenge covers the plan hash and the reason, so neither can be
//! swapped. While one lies beside a plan, `apply` and `queue publish` refuse it and `queue
//! check` shows who declined and why. Whoever can write the folder can delete the file: the
//! decline stays in the audit log, and the plan still needs the approvals it lacked.

use super::Approvals;
use super::passkey::Assertion;
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::plan::Plan;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub const SUFFIX: &str = ".decline.json";
/// A reason longer than this is refused: it is a sentence or two for the author, not a letter.
pub const MAX_REASON_CHARS: usize = 2000;

/// What the file holds.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decline {
    pub reason: String,
    pub assertion: Assertion,
}

/// A decline that holds: who declined, why, with which key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Declined {
    pub approver: String,
    pub reason: String,
    pub key: String,
    pub file: PathBuf,
}

/// What a decline's passkey signs: the plan hash and the reason, in a form no approval
/// challenge (a bare plan hash) can take.
pub fn challenge(plan_hash: &str, reason: &str) -> [u8; 32] {
    Sha256::digest(format!("postgate-decline\n{plan_hash}\n{reason}").as_bytes()).into()
}

pub fn path_for(plan_path: &Path, approver: &str) -> PathBuf {
    let mut p = plan_path.as_os_str().to_owned();
    p.push(format!(".{approver}{SUFFIX}"));
    p.into()
}

/// The decline files beside a plan, sorted.
pub fn files_for(plan_path: &Path) -> Vec<PathBuf> {
    let dir = match plan_path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Some(name) = plan_path.file_name().and_then(|n| n.to_str()) else {
        return Vec::new();
    };
    let prefix = format!("{name}.");
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|f| {
            f.strip_suffix(SUFFIX)
                .is_some_and(|stem| stem.len() > prefix.len() && stem.starts_with(&prefix))
        })
        .map(|f| dir.join(f))
        .collect();
    found.sort();
    found
}

/// Checks a decline over this plan: a passkey of the policy's approvers signed exactly this
/// plan hash and this reason.
pub fn verify(approvals: &Approvals, plan: &Plan, file: &Path) -> Result<Declined, Failure> {
    let shown = file.display().to_string();
    let refused = |m: String| Failure::new(ExitCode::PlanRefused, m);
    let bytes = crate::paths::read_bounded(file, crate::paths::MAX_SMALL_BYTES, "decline")
        .map_err(|e| refused(format!("cannot read the decline {shown}: {e}")))?;
    let decline: Decline = serde_json::from_slice(&bytes).map_err(|e| {
        refused(format!("{shown} is not a decline: {e}")).hint("declines are written by `postgate review serve`")
    })?;
    let challenge = challenge(&plan.plan_hash, &decline.reason);
    let (approver, key) = super::signature::verify_passkey_over(approvals, &challenge, &decline.assertion, &shown)
        .map_err(|(who, why)| match who {
            Some(name) => refused(format!(
                "{shown} by approver `{name}` is not a decline of this plan: {why}"
            )),
            None => refused(why),
        })?;
    Ok(Declined {
        approver: approver.name.clone(),
        reason: decline.reason,
        key,
        file: file.to_path_buf(),
    })
}

/// Every decline beside the plan, checked; a decline that does not hold is a refusal too, as
/// a bad signature is.
pub fn verify_all(approvals: &Approvals, plan: &Plan, plan_path: &Path) -> Result<Vec<Declined>, Failure> {
    files_for(plan_path)
        .iter()
        .map(|f| verify(approvals, plan, f))
        .collect()
}

/// The refusal of a plan that an approver declined.
pub fn refusal(declined: &[Declined]) -> Option<Failure> {
    let first = declined.first()?;
    let all: Vec<String> = declined
        .iter()
        .map(|d| format!("`{}`: {}", d.approver, crate::sanitize::one_line(&d.reason)))
        .collect();
    Some(
        Failure::new(
            ExitCode::PlanRefused,
            format!("the plan was declined by {}", all.join("; ")),
        )
        .hint(format!(
            "nothing was published; address the reason in a new plan, or remove {} once the approver agrees",
            first.file.display()
        )),
    )
}
