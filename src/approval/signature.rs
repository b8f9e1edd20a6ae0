//! Plan signatures: one SSHSIG file per approver beside the plan, `PLAN.NAME.sig`, and the
//! author's, `PLAN.author.sig`.
//!
//! One file per approver means two approvals made on two branches merge in git without a
//! conflict. A signature signs the plan's `plan_hash` (the text `sha256:…`, no newline): an
//! approval in the `postgate` namespace, an authorship in `postgate-author`, so neither can
//! stand for the other.
//!
//! An approver with a passkey approves on the review page instead: `PLAN.NAME.webauthn.json`
//! holds the WebAuthn assertion whose challenge is the plan hash's 32 bytes (see
//! [`super::passkey`]). It sits beside the SSHSIG files, merges the same way, and counts the
//! same.

use super::{AUTHOR_FILE_NAME, AUTHOR_NAMESPACE, Approvals, Approver, NAMESPACE, ProvenAuthor};
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

/// The name ending of a passkey approval file.
pub const WEBAUTHN_SUFFIX: &str = ".webauthn.json";

/// Where `approver`'s passkey approval of the plan at `plan_path` goes.
pub fn webauthn_path(plan_path: &Path, approver: &str) -> PathBuf {
    let mut p = plan_path.as_os_str().to_owned();
    p.push(format!(".{approver}{WEBAUTHN_SUFFIX}"));
    p.into()
}

/// `F.NAME` of an approval file name `F.NAME.sig` or `F.NAME.webauthn.json`; `None` for any
/// other file. Approver names may hold dots, so where `F` ends is for the caller, who knows `F`.
pub fn approval_stem(file: &str) -> Option<&str> {
    file.strip_suffix(WEBAUTHN_SUFFIX).or_else(|| file.strip_suffix(".sig"))
}

fn is_webauthn(file: &Path) -> bool {
    file.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(WEBAUTHN_SUFFIX))
}

/// The signature and passkey approval files beside a plan, sorted.
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
        if approval_stem(file).is_some_and(|stem| stem.len() > prefix.len() && stem.starts_with(&prefix)) {
            found.push(dir.join(file));
        }
    }
    found.sort();
    Ok(found)
}

/// What the signatures beside a plan prove: who wrote it, and who approved it.
#[derive(Debug)]
pub struct Signed<'a> {
    pub author: Option<ProvenAuthor>,
    pub approvers: Vec<&'a Approver>,
    /// The fingerprint of the key each of `approvers` approved with, in the same order.
    pub keys: Vec<String>,
}

impl Signed<'_> {
    /// The proven author, or the refusal of a plan that needs approvals and has none: without
    /// a proven author, an approval could be its writer's own.
    pub fn require_author(&self, plan_path: &Path) -> Result<&ProvenAuthor, Failure> {
        self.author.as_ref().ok_or_else(|| missing_author(plan_path))
    }

    /// Each approver as `name SHA256:…`, for the audit log.
    pub fn approver_list(&self) -> Vec<String> {
        self.approvers
            .iter()
            .zip(&self.keys)
            .map(|(a, key)| format!("{} {key}", a.name))
            .collect()
    }
}

/// The refusal of a plan that needs approval and carries no author signature.
pub fn missing_author(plan_path: &Path) -> Failure {
    let shown = plan_path.display();
    refused(format!(
        "{shown} carries no author signature ({}), so nobody can tell who wrote it, and an approval could be its \
         writer's own",
        author_path(plan_path).display()
    ))
    .hint(format!(
        "nothing was published; its author signs it with `postgate sign {shown} --ssh-key KEY` (or `--key NAME`), \
         with a key the policy lists in [[authors]] or [[approvers]]"
    ))
}

/// Where the author's signature of the plan at `plan_path` goes.
pub fn author_path(plan_path: &Path) -> PathBuf {
    path_for(plan_path, AUTHOR_FILE_NAME)
}

/// The signatures beside a plan, checked: see [`verify_all`].
pub fn verify<'a>(approvals: &'a Approvals, plan: &Plan, plan_path: &Path) -> Result<Signed<'a>> {
    verify_all(approvals, plan, plan_path, &files_for(plan_path)?)
}

/// Checks the signature files of the plan at `plan_path`, already listed. Any signature that
/// does not verify, comes from a key the policy does not list, or is an approval by the proven
/// (or declared) author refuses the whole plan: a bad signature is a sign of tampering, not
/// something to skip.
pub fn verify_all<'a>(
    approvals: &'a Approvals,
    plan: &Plan,
    plan_path: &Path,
    files: &[PathBuf],
) -> Result<Signed<'a>> {
    let author_file = author_path(plan_path);
    // The files were listed beside the plan; the name alone tells the author's from the rest
    // (`./a.plan.author.sig` and `a.plan.author.sig` are one file).
    let (author_files, approval_files): (Vec<&PathBuf>, Vec<&PathBuf>) =
        files.iter().partition(|f| f.file_name() == author_file.file_name());
    let author = match author_files.first() {
        Some(file) => Some(verify_author(approvals, plan, file)?),
        None => None,
    };
    let mut approved: Vec<&Approver> = Vec::new();
    let mut keys = Vec::new();
    for file in approval_files {
        let Approval { approver, key } = verify_file(approvals, plan, file)?;
        if let Some(author) = &author
            && approver.wrote(author)
        {
            return Err(refused(format!(
                "{}: approver `{}` wrote this plan (proven by {}, key {}); nobody approves their own plan",
                file.display(),
                approver.name,
                author_file.display(),
                author.fingerprint
            ))
            .hint("remove the file and ask another approver")
            .into());
        }
        if !approved.iter().any(|a| a.name == approver.name) {
            approved.push(approver);
            keys.push(key);
        }
    }
    Ok(Signed {
        author,
        approvers: approved,
        keys,
    })
}

/// Checks the author's signature file: an SSH signature in the authorship namespace, by a key
/// the policy lists in `[[authors]]` or `[[approvers]]`, over exactly this plan's hash.
pub fn verify_author(approvals: &Approvals, plan: &Plan, file: &Path) -> Result<ProvenAuthor> {
    let shown = file.display();
    let fix = "nothing was published; its author signs it again with `postgate sign`, with a key the policy lists";
    let text = read_signature(file).map_err(|e| refused(format!("cannot read the author signature {shown}: {e}")))?;
    let sig = SshSig::from_pem(text.trim()).map_err(|e| {
        refused(format!("{shown} is not an SSH signature: {e}")).hint(
            "author signatures are made by `postgate plan`, `postgate sign` or `ssh-keygen -Y sign -n postgate-author`",
        )
    })?;
    let key = PublicKey::from(sig.public_key().clone());
    let fingerprint = key.fingerprint(ssh_key::HashAlg::Sha256);
    let Some(author) = approvals.author_for(&key) else {
        return Err(refused(format!(
            "{shown} is signed by key {fingerprint}, which is not in the policy's [[authors]] or [[approvers]]"
        ))
        .hint("remove the file, or add the key to [[authors]] through a reviewed policy change")
        .into());
    };
    if sig.namespace() != AUTHOR_NAMESPACE {
        let what = if sig.namespace() == NAMESPACE {
            "it is an approval, not an author signature".to_string()
        } else {
            format!("it was signed for `{}`", crate::sanitize::one_line(sig.namespace()))
        };
        return Err(refused(format!(
            "{shown} by `{}` is not signed as an author (namespace `{AUTHOR_NAMESPACE}`): {what}",
            author.name
        ))
        .hint(fix)
        .into());
    }
    key.verify(AUTHOR_NAMESPACE, plan.plan_hash.as_bytes(), &sig)
        .map_err(|_| {
            refused(format!(
                "{shown} by `{}` does not sign this plan ({}): the plan changed after it was signed, or the signature \
             belongs to another plan",
                author.name, plan.plan_hash
            ))
            .hint(fix)
        })?;
    Ok(author)
}

fn refused(message: String) -> Failure {
    Failure::new(ExitCode::PlanRefused, message)
}

/// One approval that holds: who approved, and the fingerprint of the key they approved with.
#[derive(Debug)]
pub struct Approval<'a> {
    pub approver: &'a Approver,
    pub key: String,
}

/// Checks one approval file of the plan, an SSHSIG file or a passkey assertion by its name, and
/// that its approver is not the plan's declared author.
pub fn verify_file<'a>(approvals: &'a Approvals, plan: &Plan, file: &Path) -> Result<Approval<'a>> {
    let shown = file.display();
    let approval = if is_webauthn(file) {
        verify_passkey(approvals, plan, file)?
    } else {
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
        Approval {
            approver,
            key: approver.fingerprint(),
        }
    };
    if approval.approver.is_author(&plan.author) {
        return Err(refused(format!(
            "{shown}: approver `{}` is the plan's author ({}); nobody approves their own plan",
            approval.approver.name,
            plan.author.describe()
        ))
        .hint("remove the file and ask another approver")
        .into());
    }
    Ok(approval)
}

/// Checks a passkey approval file: a WebAuthn assertion by a passkey the policy lists, whose
/// challenge is this plan's hash. Every check is [`super::passkey::verify`]'s; the page that
/// carried the assertion is not trusted with any.
fn verify_passkey<'a>(approvals: &'a Approvals, plan: &Plan, file: &Path) -> Result<Approval<'a>, Failure> {
    let shown = file.display().to_string();
    let text = read_signature(file).map_err(|e| refused(format!("cannot read the passkey approval {shown}: {e}")))?;
    let assertion: super::passkey::Assertion = serde_json::from_str(&text).map_err(|e| {
        refused(format!("{shown} is not a passkey approval: {e}")).hint(
            "passkey approvals are written by `postgate review serve`; they hold credential_id, authenticator_data, \
             client_data_json and signature",
        )
    })?;
    verify_assertion(approvals, plan, &assertion, &shown)
}

/// Checks an assertion over this plan's hash, from a file named `shown` or from the review
/// page before it writes one: by a passkey the policy lists, on its origin and RP id, with the
/// approver present and verified.
pub fn verify_assertion<'a>(
    approvals: &'a Approvals,
    plan: &Plan,
    assertion: &super::passkey::Assertion,
    shown: &str,
) -> Result<Approval<'a>, Failure> {
    let Some(challenge) = super::passkey::challenge_of(&plan.plan_hash) else {
        return Err(refused(format!(
            "the plan's hash `{}` is not `sha256:` and 64 hex digits",
            crate::sanitize::one_line(&plan.plan_hash)
        )));
    };
    let (approver, key) =
        verify_passkey_over(approvals, &challenge, assertion, shown).map_err(|(who, why)| match who {
            Some(name) => refused(format!(
                "{shown} by approver `{name}` does not approve this plan ({}): {why}",
                plan.plan_hash
            ))
            .hint(
                "nothing was published; remove the file, and the approver approves this plan again on the review \
                 page (`postgate review serve`)",
            ),
            None => refused(why)
                .hint("remove the file, or add the passkey to [[approvers]] through a reviewed policy change"),
        })?;
    Ok(Approval { approver, key })
}

/// The approver whose passkey made `assertion` over `challenge`, and that passkey's
/// fingerprint. A refusal says whose passkey it was, when the policy knows it.
pub fn verify_passkey_over<'a>(
    approvals: &'a Approvals,
    challenge: &[u8; 32],
    assertion: &super::passkey::Assertion,
    shown: &str,
) -> Result<(&'a Approver, String), (Option<String>, String)> {
    use base64::Engine;
    let credential = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&assertion.credential_id)
        .map_err(|_| (None, format!("{shown}: its credential id is not unpadded base64url")))?;
    let found = approvals
        .approver_for_credential(&credential)
        .and_then(|a| a.passkey.as_ref().map(|p| (a, p)));
    let Some((approver, key)) = found else {
        return Err((
            None,
            format!(
                "{shown} is signed by passkey {}, which is not one of the policy's [[approvers]]",
                crate::sanitize::one_line(&assertion.credential_id)
            ),
        ));
    };
    super::passkey::verify(key, challenge, assertion).map_err(|why| (Some(approver.name.clone()), why.to_string()))?;
    Ok((approver, key.fingerprint()))
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
    let text = read_signature(file).map_err(|e| Failure::new(code, format!("cannot read signature {shown}: {e}")))?;
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
    crate::paths::write_atomic(&path, pem.as_bytes())
        .map_err(|e| Failure::new(ExitCode::GeneralError, format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}

/// A signature file's text: a regular file of at most [`crate::paths::MAX_SMALL_BYTES`], never
/// a FIFO that would hang the check.
fn read_signature(file: &Path) -> std::io::Result<String> {
    let bytes = crate::paths::read_bounded(file, crate::paths::MAX_SMALL_BYTES, "signature")?;
    String::from_utf8(bytes).map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))
}
