//! Approval signatures: one SSHSIG file per approver beside the plan, `PLAN.NAME.sig`.
//!
//! One file per approver means two approvals made on two branches merge in git without a
//! conflict. A signature signs the plan's `plan_hash` (the text `sha256:…`, no newline) in the
//! `postgate` namespace.

use super::{Approvals, Approver, NAMESPACE};
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::plan::Plan;
use anyhow::Result;
use ssh_key::{PublicKey, SshSig};
use std::path::{Path, PathBuf};

/// Where `approver`'s signature of the plan at `plan_path` goes.
pub fn path_for(plan_path: &Path, approver: &str) -> PathBuf {
    let mut p = plan_path.as_os_str().to_owned();
    p.push(format!(".{approver}.sig"));
    p.into()
}

/// The signature files beside a plan, sorted.
pub fn files_for(plan_path: &Path) -> Result<Vec<PathBuf>> {
    let dir = match plan_path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Some(name) = plan_path.file_name().and_then(|n| n.to_str()) else {
        return Ok(Vec::new());
    };
    let prefix = format!("{name}.");
    let mut found = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            return Err(Failure::new(ExitCode::Usage, format!("cannot list {}: {e}", dir.display())).into());
        }
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(file) = file.to_str() else { continue };
        if file.starts_with(&prefix) && file.ends_with(".sig") && file.len() > prefix.len() + 4 {
            found.push(dir.join(file));
        }
    }
    found.sort();
    Ok(found)
}

/// The approvers whose signatures beside the plan are valid. Any signature that does not
/// verify, comes from a key the policy does not list, or comes from the plan's author refuses
/// the whole plan: a bad signature is a sign of tampering, not something to skip.
pub fn verify<'a>(approvals: &'a Approvals, plan: &Plan, plan_path: &Path) -> Result<Vec<&'a Approver>> {
    verify_files(approvals, plan, &files_for(plan_path)?)
}

/// [`verify`] over signature files already listed.
pub fn verify_files<'a>(approvals: &'a Approvals, plan: &Plan, files: &[PathBuf]) -> Result<Vec<&'a Approver>> {
    let mut approved: Vec<&Approver> = Vec::new();
    for file in files {
        let approver = verify_file(approvals, plan, file)?;
        if !approved.iter().any(|a| a.name == approver.name) {
            approved.push(approver);
        }
    }
    Ok(approved)
}

fn refused(message: String) -> Failure {
    Failure::new(ExitCode::PlanRefused, message)
}

pub fn verify_file<'a>(approvals: &'a Approvals, plan: &Plan, file: &Path) -> Result<&'a Approver> {
    let shown = file.display();
    let approver = verify_signed(
        approvals,
        &plan.plan_hash,
        &format!("this plan ({})", plan.plan_hash),
        file,
        ExitCode::PlanRefused,
    )
    .map_err(|f| {
        f.hint(
            "nothing was published; the plan changed after it was approved, or the signature belongs to another plan",
        )
    })?;
    if approver.is_author(&plan.author) {
        return Err(refused(format!(
            "{shown}: approver `{}` is the plan's author ({}); nobody approves their own plan",
            approver.name,
            plan.author.describe()
        ))
        .hint("remove the file and ask another approver")
        .into());
    }
    Ok(approver)
}

/// Checks one signature file over `message` (a `sha256:…` text): an SSH signature in the
/// postgate namespace, by a key the policy lists, over exactly this message. Failures carry
/// `code`, so a bad unlock signature is reported as the lockdown it leaves in place.
pub fn verify_signed<'a>(
    approvals: &'a Approvals,
    message: &str,
    what: &str,
    file: &Path,
    code: ExitCode,
) -> Result<&'a Approver, Failure> {
    let shown = file.display();
    let text =
        std::fs::read_to_string(file).map_err(|e| Failure::new(code, format!("cannot read signature {shown}: {e}")))?;
    let sig = SshSig::from_pem(text.trim()).map_err(|e| {
        Failure::new(code, format!("{shown} is not an SSH signature: {e}")).hint(
            "signatures are made by `postgate approve`, `postgate unlock --sign` or `ssh-keygen -Y sign -n postgate`",
        )
    })?;
    let key = PublicKey::from(sig.public_key().clone());
    let fingerprint = key.fingerprint(ssh_key::HashAlg::Sha256);
    let Some(approver) = approvals.approver_for(&key) else {
        return Err(Failure::new(
            code,
            format!("{shown} is signed by key {fingerprint}, which is not one of the policy's [[approvers]]"),
        )
        .hint("remove the file, or add the key to [[approvers]] through a reviewed policy change"));
    };
    if sig.namespace() != NAMESPACE {
        return Err(Failure::new(
            code,
            format!(
                "{shown} was signed for `{}`, not for postgate (namespace `{NAMESPACE}`)",
                crate::sanitize::one_line(sig.namespace())
            ),
        ));
    }
    key.verify(NAMESPACE, message.as_bytes(), &sig).map_err(|_| {
        Failure::new(
            code,
            format!(
                "{shown} by approver `{}` does not sign {what}: it was made for something else",
                approver.name
            ),
        )
    })?;
    Ok(approver)
}

/// Writes a signature beside the plan; an approver signing again replaces their own file.
pub fn write(plan_path: &Path, approver: &str, sig: &SshSig) -> Result<PathBuf> {
    let path = path_for(plan_path, approver);
    let pem = sig
        .to_pem(ssh_key::LineEnding::LF)
        .map_err(|e| Failure::new(ExitCode::GeneralError, format!("cannot encode the signature: {e}")))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(|e| {
        Failure::new(
            ExitCode::GeneralError,
            format!("cannot write in {}: {e}", dir.display()),
        )
    })?;
    std::io::Write::write_all(&mut tmp, pem.as_bytes())?;
    tmp.persist(&path)
        .map_err(|e| Failure::new(ExitCode::GeneralError, format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}
