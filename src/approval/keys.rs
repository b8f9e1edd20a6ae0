//! Approval keys: ed25519 keys kept in the OS keychain, or an SSH key used through ssh-keygen.
//!
//! Both make the same thing, an SSHSIG signature (in the `postgate` namespace for approvals,
//! `postgate-author` for authorship), so one verifier serves both, and a signature made by
//! `ssh-keygen -Y sign -n postgate` by hand is as good as one made by `postgate approve`.

use super::{AUTHOR_NAMESPACE, NAMESPACE};
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::redacted::Secret;
use anyhow::{Context, Result};
use ssh_key::{Algorithm, HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// The key an approver signs with, as the command line names it.
#[derive(Debug, Clone)]
pub enum Signer {
    Keychain(String),
    Ssh(std::path::PathBuf),
}

impl Signer {
    /// `--ssh-key` if given, else `--key`, else the keychain key named after the OS user.
    pub fn from_args(key: Option<&str>, ssh_key: Option<&Path>) -> Signer {
        match (ssh_key, key) {
            (Some(path), _) => Signer::Ssh(path.to_path_buf()),
            (None, Some(name)) => Signer::Keychain(name.to_string()),
            (None, None) => Signer::Keychain(default_name()),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Signer::Keychain(name) => format!("keychain key `{name}`"),
            Signer::Ssh(path) => format!("SSH key {}", path.display()),
        }
    }

    pub fn public(&self) -> Result<PublicKey> {
        match self {
            Signer::Keychain(name) => public(name),
            Signer::Ssh(path) => ssh_public(path),
        }
    }

    /// An approval (or unlock) signature.
    pub fn sign(&self, message: &[u8]) -> Result<SshSig> {
        self.sign_in(NAMESPACE, message)
    }

    /// An authorship signature: the signer wrote the plan whose hash is `message`.
    pub fn sign_as_author(&self, message: &[u8]) -> Result<SshSig> {
        self.sign_in(AUTHOR_NAMESPACE, message)
    }

    /// A checkpoint signature over an audit-log note (see `crate::checkpoint`).
    pub fn sign_checkpoint(&self, message: &[u8]) -> Result<SshSig> {
        self.sign_in(super::CHECKPOINT_NAMESPACE, message)
    }

    fn sign_in(&self, namespace: &str, message: &[u8]) -> Result<SshSig> {
        match self {
            Signer::Keychain(name) => sign_in(name, namespace, message),
            Signer::Ssh(path) => ssh_sign_in(path, namespace, message),
        }
    }

    /// The policy entry this key writes plans as; a key the policy does not list is refused
    /// (exit 11), with the line to add.
    pub fn author(&self, approvals: &super::Approvals) -> Result<super::ProvenAuthor> {
        let public = self.public()?;
        approvals.author_for(&public).ok_or_else(|| {
            Failure::new(
                ExitCode::PlanRefused,
                format!(
                    "{} ({}) is not in the policy's [[authors]] or [[approvers]], so it cannot sign a plan as its author",
                    self.describe(),
                    public.fingerprint(HashAlg::Sha256)
                ),
            )
            .hint(format!(
                "add it to the policy through a reviewed change: [[authors]] name = \"…\" key = \"{}\"",
                public.to_openssh().unwrap_or_default()
            ))
            .into()
        })
    }

    /// The policy's approver this key belongs to; `code` is the exit code of a refusal.
    pub fn approver<'a>(&self, approvals: &'a super::Approvals, code: ExitCode) -> Result<&'a super::Approver> {
        let public = self.public()?;
        approvals.approver_for(&public).ok_or_else(|| {
            Failure::new(
                code,
                format!(
                    "{} ({}) is not one of the policy's [[approvers]]",
                    self.describe(),
                    public.fingerprint(HashAlg::Sha256)
                ),
            )
            .hint(format!(
                "add it to the policy through a reviewed change: [[approvers]] name = \"…\" key = \"{}\"",
                public.to_openssh().unwrap_or_default()
            ))
            .into()
        })
    }
}

fn item(name: &str) -> String {
    format!("approval-key:{name}")
}

/// The default key name: the OS user, so that `keys new` and `approve` need no flag for the
/// usual one-person-one-key case.
pub fn default_name() -> String {
    crate::machine::os_user()
}

/// Creates a key in the keychain and returns its public half. Refuses to replace one: a
/// replaced key silently invalidates every approval already made with it.
pub fn create(name: &str) -> Result<PublicKey> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(Failure::new(
            ExitCode::Usage,
            format!("`{}` cannot name a key", crate::sanitize::one_line(name)),
        )
        .hint("use ASCII letters, digits, `-`, `_` and `.`, as approver names do")
        .into());
    }
    if crate::credentials::read_item(&item(name))?.is_some() {
        return Err(Failure::new(
            ExitCode::Usage,
            format!("the keychain already holds an approval key named `{name}`"),
        )
        .hint(format!(
            "`postgate keys show {name}` prints its public key; choose another name for a new key"
        ))
        .into());
    }
    let mut key = PrivateKey::random(&mut ssh_key::rand_core::OsRng, Algorithm::Ed25519)
        .context("cannot generate an ed25519 key")?;
    key.set_comment(format!("postgate:{name}"));
    let pem = key.to_openssh(LineEnding::LF).context("cannot encode the key")?;
    crate::credentials::write_item(
        &item(name),
        &format!("approval key {name}"),
        &Secret::new(pem.to_string()),
    )?;
    Ok(key.public_key().clone())
}

fn load(name: &str) -> Result<PrivateKey> {
    let Some(pem) = crate::credentials::read_item(&item(name))? else {
        return Err(Failure::new(
            ExitCode::Credential,
            format!("no approval key named `{name}` in the keychain"),
        )
        .hint(format!(
            "create one with `postgate keys new {name}` and have its public key added to the policy's [[approvers]], \
             or sign with an SSH key: --ssh-key ~/.ssh/id_ed25519"
        ))
        .into());
    };
    PrivateKey::from_openssh(pem.expose()).map_err(|e| {
        Failure::new(
            ExitCode::Credential,
            format!("the keychain item for approval key `{name}` is not a usable key: {e}"),
        )
        .into()
    })
}

/// The public half of the keychain key `name`, or `None` when the keychain has no such key (an
/// unreachable keychain is an error, not `None`).
pub fn find(name: &str) -> Result<Option<PublicKey>> {
    if crate::credentials::read_item(&item(name))?.is_none() {
        return Ok(None);
    }
    public(name).map(Some)
}

pub fn public(name: &str) -> Result<PublicKey> {
    Ok(load(name)?.public_key().clone())
}

/// Signs `message` with the keychain key `name`, as an approval.
pub fn sign(name: &str, message: &[u8]) -> Result<SshSig> {
    sign_in(name, NAMESPACE, message)
}

fn sign_in(name: &str, namespace: &str, message: &[u8]) -> Result<SshSig> {
    load(name)?
        .sign(namespace, HashAlg::Sha512, message)
        .context("cannot sign with the approval key")
}

/// The public key of an SSH key file: `KEY.pub` beside a private key, or the file itself when
/// it is a `.pub` (the private half then sits in ssh-agent).
pub fn ssh_public(path: &Path) -> Result<PublicKey> {
    let pub_path = if path.extension().is_some_and(|e| e == "pub") {
        path.to_path_buf()
    } else {
        let mut p = path.as_os_str().to_owned();
        p.push(".pub");
        p.into()
    };
    let text = std::fs::read_to_string(&pub_path).map_err(|e| {
        Failure::new(ExitCode::Usage, format!("cannot read {}: {e}", pub_path.display())).hint(
            "pass the private key whose .pub file sits beside it, or the .pub file itself with the key in ssh-agent",
        )
    })?;
    PublicKey::from_openssh(text.trim()).map_err(|e| {
        Failure::new(
            ExitCode::Usage,
            format!("{} is not an OpenSSH public key: {e}", pub_path.display()),
        )
        .into()
    })
}

/// Signs `message` with an SSH key through `ssh-keygen -Y sign`, as an approval, so
/// passphrases, ssh-agent and hardware keys work as they do for git commit signing.
pub fn ssh_sign(path: &Path, message: &[u8]) -> Result<SshSig> {
    ssh_sign_in(path, NAMESPACE, message)
}

fn ssh_sign_in(path: &Path, namespace: &str, message: &[u8]) -> Result<SshSig> {
    let mut child = Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", namespace, "-f"])
        .arg(path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| {
            Failure::new(ExitCode::GeneralError, format!("cannot run ssh-keygen: {e}"))
                .hint("install OpenSSH's ssh-keygen, or use a keychain key (`postgate keys new`)")
        })?;
    child
        .stdin
        .take()
        .context("ssh-keygen stdin")?
        .write_all(message)
        .context("cannot give ssh-keygen the plan hash")?;
    let out = child.wait_with_output().context("ssh-keygen")?;
    if !out.status.success() {
        return Err(Failure::new(
            ExitCode::Credential,
            format!("ssh-keygen could not sign with {} ({})", path.display(), out.status),
        )
        .into());
    }
    let pem = String::from_utf8(out.stdout).context("ssh-keygen printed a signature that is not text")?;
    SshSig::from_pem(pem.trim()).map_err(|e| {
        Failure::new(
            ExitCode::GeneralError,
            format!("ssh-keygen printed something that is not a signature: {e}"),
        )
        .into()
    })
}
