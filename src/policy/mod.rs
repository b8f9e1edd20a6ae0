//! The policy: which accounts exist, what they are, and how each must be confirmed.
//!
//! Loading is strict. Every problem is reported with `file:line:col` and the process exits with
//! the bad-policy code, because a guard that guesses what a broken policy meant is no guard.

pub mod raw;

use crate::diagnostic::{self, Diagnostic, line_col};

use crate::account::Destination;
use crate::account::{
    Account, Confirm, CredentialPolicy, Kind, NonInteractive, first_non_ascii, handles_look_alike, look_alike_keys,
};
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::platform::spec::{AccountKeys, Spec};
use crate::{paths, platform};
use anyhow::Result;
use raw::{RawAccount, RawAccountTable, RawPolicy};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::HashMap;
use std::env;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// A loaded policy and the file it came from.
#[derive(Debug)]
pub struct Policy {
    pub path: PathBuf,
    /// The system policy this one is layered over, if any.
    pub system_path: Option<PathBuf>,
    /// SHA-256 of the file's bytes, recorded in every audit record.
    pub sha256: String,
    pub audit_path: PathBuf,
    pub audit_set: bool,
    /// `[audit.shared]`: the team's store, where every machine's records also go.
    pub audit_shared: Option<crate::store::Config>,
    /// `[audit] syslog`: where records are forwarded as they are appended.
    pub audit_syslog: Option<crate::syslog::Target>,
    pub accounts: Vec<Account>,
    /// The content rules, compiled once.
    pub rules: crate::rules::RuleSet,
    /// Who may approve plans, and what needs approving.
    pub approvals: crate::approval::Approvals,
    pub lockdown: LockdownPolicy,
}

/// `[lockdown]`, validated.
#[derive(Debug, Clone, Default)]
pub struct LockdownPolicy {
    pub shared_path: Option<PathBuf>,
    pub unlock_roles: Vec<String>,
}

/// A policy file's text and SHA-256, refusing what is not a regular UTF-8 file of at most
/// [`paths::MAX_POLICY_BYTES`].
/// The system policy's text, its SHA-256 and what it says; a broken one is blamed by its path.
fn read_system(system: &Path) -> Result<(String, String, Parsed)> {
    let (text, sha256) = read_text(system)?;
    let dir = system.parent().map(Path::to_path_buf).unwrap_or_default();
    let parsed = Policy::parse(&text, &dir).map_err(|diags| {
        Failure::new(ExitCode::BadPolicy, diagnostic::render(system, &text, &diags))
            .hint("the system policy is broken; nothing can be published until its owners fix it")
    })?;
    Ok((text, sha256, parsed))
}

/// `text`, the policy at `path`, over the system policy already read.
fn parse_over(system: &Path, system_text: &str, system_parsed: &Parsed, text: &str, path: &Path) -> Result<Parsed> {
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let layer = SystemLayer {
        text: system_text,
        parsed: system_parsed,
    };
    Policy::parse_layer(text, &dir, Some(&layer)).map_err(|diags| {
        Failure::new(ExitCode::BadPolicy, diagnostic::render(path, text, &diags))
            .hint(format!(
                "this policy is layered over the system policy {}: it may add accounts and rules, not change the system's",
                system.display()
            ))
            .into()
    })
}

fn read_text(path: &Path) -> Result<(String, String)> {
    let bytes = paths::read_bounded(path, paths::MAX_POLICY_BYTES, "policy").map_err(|e| {
        Failure::new(
            ExitCode::BadPolicy,
            format!("cannot read policy {}: {e}", path.display()),
        )
        .hint("a policy is a TOML file; see the commented example policy.toml and docs/policy.md")
    })?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let text = String::from_utf8(bytes).map_err(|e| {
        Failure::new(
            ExitCode::BadPolicy,
            format!(
                "policy {} is not UTF-8 (byte {})",
                path.display(),
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    Ok((text, sha256))
}

/// The system policy a user policy is layered over: its text (for its raw rules) and what it
/// says, validated.
pub struct SystemLayer<'a> {
    pub text: &'a str,
    pub parsed: &'a Parsed,
}

/// What a policy file says, validated; [`Policy::load`] adds where it came from.
#[derive(Debug)]
pub struct Parsed {
    pub audit_path: PathBuf,
    /// Whether `[audit] path` was written (not the default): a system policy that sets it
    /// keeps it.
    pub audit_set: bool,
    pub audit_shared: Option<crate::store::Config>,
    /// `[audit] syslog`; a system policy's is kept over the user's.
    pub audit_syslog: Option<crate::syslog::Target>,
    pub accounts: Vec<Account>,
    pub rules: crate::rules::RuleSet,
    pub approvals: crate::approval::Approvals,
    pub lockdown: LockdownPolicy,
}

impl Policy {
    /// `FILE:LINE` of the account's table, in the system policy or this one.
    pub fn locate(&self, account: &Account) -> String {
        let file = match (&self.system_path, account.system) {
            (Some(system), true) => system,
            _ => &self.path,
        };
        format!("{}:{}", file.display(), account.line)
    }

    /// Names the account's policy entry in a failure to reach its server.
    pub fn at_account(&self, account: &Account, err: anyhow::Error) -> anyhow::Error {
        crate::error::at_account(err, &account.name, &self.locate(account))
    }

    pub fn account(&self, name: &str) -> Result<&Account> {
        if let Some(a) = self.accounts.iter().find(|a| a.name == name) {
            return Ok(a);
        }
        let known: Vec<&str> = self.accounts.iter().map(|a| a.name.as_str()).collect();
        let mut failure = Failure::new(
            ExitCode::BadPolicy,
            format!(
                "no account named `{}` in {}",
                crate::sanitize::one_line(name),
                self.path.display()
            ),
        );
        failure = if known.is_empty() {
            failure.hint("the policy defines no accounts; add an [[accounts]] table")
        } else {
            failure.hint(format!("known accounts: {}", known.join(", ")))
        };
        Err(failure.into())
    }

    /// Reads and validates a policy file.
    pub fn load(path: &Path) -> Result<Policy> {
        let (text, sha256) = read_text(path)?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let parsed = Self::parse(&text, &base).map_err(|diags| {
            Failure::new(ExitCode::BadPolicy, diagnostic::render(path, &text, &diags))
                .hint("see the commented example policy.toml and docs/policy.md")
        })?;
        Ok(Policy {
            path: path.to_path_buf(),
            system_path: None,
            sha256,
            audit_path: parsed.audit_path,
            audit_set: parsed.audit_set,
            audit_shared: parsed.audit_shared.clone(),
            audit_syslog: parsed.audit_syslog,
            accounts: parsed.accounts,
            rules: parsed.rules,
            approvals: parsed.approvals,
            lockdown: parsed.lockdown,
        })
    }

    /// Loads the system policy, then `path` over it. Errors name the file they are in.
    pub fn load_over(system: &Path, path: &Path) -> Result<Policy> {
        let (system_text, system_sha256, system_parsed) = read_system(system)?;
        let (text, sha256) = read_text(path)?;
        let parsed = parse_over(system, &system_text, &system_parsed, &text, path)?;
        Ok(Policy {
            path: path.to_path_buf(),
            system_path: Some(system.to_path_buf()),
            // Both files decide what happens: the audit records both.
            sha256: hex::encode(Sha256::digest(format!("{system_sha256}\n{sha256}").as_bytes())),
            audit_path: parsed.audit_path,
            audit_set: parsed.audit_set,
            audit_shared: parsed.audit_shared.clone(),
            audit_syslog: parsed.audit_syslog,
            accounts: parsed.accounts,
            rules: parsed.rules,
            approvals: parsed.approvals,
            lockdown: parsed.lockdown,
        })
    }

    /// Validates `text`, meant for `path`, over the system policy `system` exactly as
    /// [`Policy::load_over`] would once it is written there.
    pub fn check_over(system: &Path, text: &str, path: &Path) -> Result<()> {
        let (system_text, _, system_parsed) = read_system(system)?;
        parse_over(system, &system_text, &system_parsed, text, path).map(drop)
    }

    /// Parses and validates policy text; `base` resolves relative paths.
    pub fn parse(text: &str, base: &Path) -> Result<Parsed, Vec<Diagnostic>> {
        Self::parse_layer(text, base, None)
    }

    /// [`Policy::parse`], over a system policy when there is one.
    pub fn parse_layer(text: &str, base: &Path, system: Option<&SystemLayer>) -> Result<Parsed, Vec<Diagnostic>> {
        let read = raw::parse(text).map_err(|d| vec![d])?;
        let mut diags = read.diagnostics;
        let raw_accounts = read.tables;
        let Some(raw) = read.policy else {
            // The rest of the file is wrong: its accounts are still judged, since each stands
            // alone, but not what refers to the parts that could not be read.
            for table in &raw_accounts {
                validate_account(text, table, base, &mut diags);
            }
            return Err(in_order(diags));
        };

        let written_audit = raw.audit.as_ref().and_then(|a| a.path.as_ref());
        let mut audit_path = match written_audit {
            Some(p) if p.get_ref().trim().is_empty() => {
                diags.push(Diagnostic::new("`audit.path` is empty", p.span()));
                PathBuf::new()
            }
            Some(p) => paths::resolve(p.get_ref(), base),
            None => match paths::state_dir() {
                Some(dir) => dir.join("audit.jsonl"),
                None => {
                    diags.push(Diagnostic {
                        message: "cannot place the audit log: neither XDG_STATE_HOME nor HOME is set".into(),
                        span: None,
                        help: Some("set [audit] path in the policy".into()),
                    });
                    PathBuf::new()
                }
            },
        };
        let mut audit_set = written_audit.is_some();
        if let Some(system) = system
            && system.parsed.audit_set
        {
            match written_audit {
                Some(p) if audit_path != system.parsed.audit_path => diags.push(
                    Diagnostic::new(
                        format!(
                            "the system policy keeps the audit log at {}; a user policy cannot move it",
                            system.parsed.audit_path.display()
                        ),
                        p.span(),
                    )
                    .help("remove [audit] path from this file"),
                ),
                _ => {}
            }
            audit_path = system.parsed.audit_path.clone();
            audit_set = true;
        }

        let mut audit_shared = raw
            .audit
            .as_ref()
            .and_then(|a| a.shared.as_ref())
            .and_then(|shared| shared_store(shared.get_ref(), &mut diags));
        if let Some(system) = system
            && let Some(theirs) = &system.parsed.audit_shared
        {
            if let Some(shared) = raw.audit.as_ref().and_then(|a| a.shared.as_ref())
                && audit_shared.as_ref() != Some(theirs)
            {
                diags.push(
                    Diagnostic::new(
                        format!(
                            "the system policy sends the audit records to {}; a user policy cannot change that",
                            theirs.label()
                        ),
                        shared.span(),
                    )
                    .help("remove [audit.shared] from this file"),
                );
            }
            audit_shared = Some(theirs.clone());
        }
        let written_syslog = raw.audit.as_ref().and_then(|a| a.syslog.as_ref());
        let mut audit_syslog = written_syslog.and_then(|v| match crate::syslog::parse_target(v.get_ref()) {
            Ok(t) => Some(t),
            Err(why) => {
                diags.push(Diagnostic::new(format!("`audit.syslog`: {why}"), v.span()));
                None
            }
        });
        // The organisation's forwarding is the system policy's to set: a user policy may add
        // one where there is none, never turn the system's off or send it elsewhere.
        if let Some(system) = system
            && let Some(theirs) = &system.parsed.audit_syslog
        {
            if let Some(v) = written_syslog
                && audit_syslog.as_ref().is_some_and(|mine| mine != theirs)
            {
                diags.push(
                    Diagnostic::new(
                        format!("the system policy forwards the audit log to {theirs}; a user policy cannot change it"),
                        v.span(),
                    )
                    .help("remove [audit] syslog from this file"),
                );
            }
            audit_syslog = Some(theirs.clone());
        }

        let mut accounts = Vec::new();
        for table in &raw_accounts {
            if let Some(a) = validate_account(text, table, base, &mut diags) {
                accounts.push((a, table.common.get_ref()));
            }
        }
        check_unique(&accounts, &mut diags);
        let inherited: &[Account] = system.map_or(&[], |s| s.parsed.accounts.as_slice());
        for (account, raw_account) in &accounts {
            check_not_system(account, raw_account, inherited, &mut diags);
        }
        let mut names: Vec<&str> = inherited.iter().map(|a| a.name.as_str()).collect();
        names.extend(raw_accounts.iter().map(|a| a.common.get_ref().name.get_ref().as_str()));
        // An account whose table is wrong is still an account: a rule naming it is not wrong.
        names.extend(read.failed_names.iter().map(String::as_str));

        // The system's raw rules are compiled again with the user's, into one set; they were
        // validated on their own already.
        let system_raw: Option<RawPolicy> = system.and_then(|s| toml::from_str(s.text).ok());
        let mut layers = Vec::new();
        if let Some(raw_system) = &system_raw {
            layers.push(crate::rules::compile::Layer {
                text: system.map_or("", |s| s.text),
                rules: &raw_system.rules,
                system: true,
            });
        }
        layers.push(crate::rules::compile::Layer {
            text,
            rules: &raw.rules,
            system: false,
        });
        let rules = crate::rules::compile::compile_layers(&layers, &names, &mut diags);

        let empty = crate::approval::Approvals::default();
        let mut approvals = match system {
            None => crate::approval::compile(
                text,
                &raw.approvers,
                raw.approvals.as_ref(),
                &rules,
                &names,
                &empty,
                &mut diags,
            ),
            Some(system) => {
                // Approvers decide what gets published on the system's accounts; letting a user
                // file add one would let its author approve their own posts.
                if let Some(first) = raw.approvers.first() {
                    diags.push(
                        Diagnostic::new(
                            "a user policy cannot add [[approvers]] over a system policy",
                            first.span(),
                        )
                        .help("approvers are named in the system policy only; ask its owners"),
                    );
                }
                crate::approval::compile(
                    text,
                    &[],
                    raw.approvals.as_ref(),
                    &rules,
                    &names,
                    &system.parsed.approvals,
                    &mut diags,
                )
            }
        };

        // Authors over a system policy are refused like approvers: an approver who could add an
        // author key under another name would approve their own plans.
        match (system, raw.authors.first()) {
            (Some(_), Some(first)) => diags.push(
                Diagnostic::new(
                    "a user policy cannot add [[authors]] over a system policy",
                    first.span(),
                )
                .help("authors are named in the system policy only; ask its owners"),
            ),
            _ => crate::approval::compile_authors(&raw.authors, &mut approvals, &mut diags),
        }

        let lockdown = match system {
            None => validate_lockdown(raw.lockdown.as_ref(), &approvals, base, &mut diags),
            Some(system) => {
                if raw.lockdown.is_some() {
                    let span = raw.lockdown.as_ref().and_then(|l| {
                        l.shared_path
                            .as_ref()
                            .map(|p| p.span())
                            .or(l.unlock_roles.first().map(|r| r.span()))
                    });
                    diags.push(Diagnostic {
                        message: "[lockdown] belongs to the system policy; a user policy cannot change who may lift a \
                                  lock or where locks are shared"
                            .into(),
                        span,
                        help: Some("remove the [lockdown] table from this file".into()),
                    });
                }
                system.parsed.lockdown.clone()
            }
        };

        if diags.is_empty() {
            let mut all: Vec<Account> = inherited
                .iter()
                .cloned()
                .map(|mut a| {
                    a.system = true;
                    a
                })
                .collect();
            all.extend(accounts.into_iter().map(|(a, _)| a));
            Ok(Parsed {
                audit_path,
                audit_set,
                audit_shared,
                audit_syslog,
                accounts: all,
                rules,
                approvals,
                lockdown,
            })
        } else {
            Err(in_order(diags))
        }
    }
}

/// The errors in the order of the file, as a person reads and fixes it; those about no place
/// in it (a folder that cannot be placed) first.
fn in_order(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diags.sort_by_key(|d| d.span.as_ref().map(|s| s.start));
    diags
}

fn confirm_name(c: Confirm) -> &'static str {
    match c {
        Confirm::Yes => "yes",
        Confirm::Handle => "handle",
    }
}

/// Refuses a user account that is a system account again: the same name, or the same identity
/// (or a look-alike) under another name, which would escape rules scoped to the system's name.
fn check_not_system(account: &Account, raw: &RawAccount, system: &[Account], diags: &mut Vec<Diagnostic>) {
    if let Some(s) = system.iter().find(|s| s.name == account.name) {
        let mut help = "add your own account under another name; the system's stays as it is".to_string();
        if account.confirm < s.confirm {
            help = format!(
                "this would also lower its confirmation from `{}` to `{}`, which only the system policy may decide",
                confirm_name(s.confirm),
                confirm_name(account.confirm)
            );
        }
        diags.push(
            Diagnostic::new(
                format!(
                    "account `{}` is defined by the system policy (its line {}); a user policy cannot redefine it",
                    account.name, s.line
                ),
                raw.name.span(),
            )
            .help(help),
        );
        return;
    }
    let handle = normalised_handle(&account.handle);
    let bare = |h: &str| h.trim().trim_start_matches('@').to_string();
    if let Some(s) = system.iter().find(|s| {
        normalised_handle(&s.handle) == handle || handles_look_alike(&bare(&s.handle), &bare(&account.handle))
    }) {
        diags.push(
            Diagnostic::new(
                format!(
                    "handle `{}` is (or looks like) the handle of system account `{}`",
                    account.handle, s.name
                ),
                raw.handle.span(),
            )
            .help("an account of the system policy cannot be defined again under another name"),
        );
    }
}

fn validate_lockdown(
    raw: Option<&crate::policy::raw::RawLockdown>,
    approvals: &crate::approval::Approvals,
    base: &Path,
    diags: &mut Vec<Diagnostic>,
) -> LockdownPolicy {
    let Some(raw) = raw else {
        return LockdownPolicy::default();
    };
    let shared_path = match &raw.shared_path {
        Some(p) if p.get_ref().trim().is_empty() => {
            diags.push(Diagnostic::new("`lockdown.shared_path` is empty", p.span()));
            None
        }
        Some(p) => Some(paths::resolve(p.get_ref(), base)),
        None => None,
    };
    let mut unlock_roles = Vec::new();
    for role in &raw.unlock_roles {
        // A role nobody holds would make every lock permanent without anyone noticing.
        if !approvals.approvers.iter().any(|a| a.roles.contains(role.get_ref())) {
            diags.push(
                Diagnostic::new(
                    format!(
                        "no approver has the role `{}`, so nobody could lift a lock",
                        crate::sanitize::one_line(role.get_ref())
                    ),
                    role.span(),
                )
                .help("give the role to an [[approvers]] entry, or name a role one of them holds"),
            );
        }
        unlock_roles.push(role.get_ref().clone());
    }
    LockdownPolicy {
        shared_path,
        unlock_roles,
    }
}

fn validate_account(text: &str, table: &RawAccountTable, base: &Path, diags: &mut Vec<Diagnostic>) -> Option<Account> {
    let raw = table.common.get_ref();
    let before = diags.len();
    let name = raw.name.get_ref().clone();
    let kind = *raw.kind.get_ref();
    let Some(spec) = platform::by_name(raw.platform.get_ref()) else {
        diags.push(Diagnostic::new(
            format!(
                "unknown variant `{}`, expected one of {}",
                crate::sanitize::one_line(raw.platform.get_ref()),
                platform::names()
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            raw.platform.span(),
        ));
        return None;
    };
    let platform_name = spec.name();

    if !valid_name(&name) {
        diags.push(
            Diagnostic::new(format!("invalid account name `{}`", crate::sanitize::one_line(&name)), raw.name.span())
                .help("names are what you type after --account: lowercase ASCII letters, digits, `-` and `_`, starting with a letter or digit"),
        );
    }

    let handle = raw.handle.get_ref().trim().to_string();
    if let Some(c) = first_non_ascii(&handle) {
        diags.push(
            Diagnostic::new(
                format!("handle of `{name}` contains the non-ASCII character U+{:04X}", c as u32),
                raw.handle.span(),
            )
            .help("handles are ASCII on every supported platform; a non-ASCII letter is usually a look-alike"),
        );
    } else if let Err(why) = spec.validate_handle(&handle) {
        diags.push(Diagnostic::new(
            format!(
                "invalid {} handle `{}` for account `{name}`: {why}",
                platform_name.as_str(),
                handle
            ),
            raw.handle.span(),
        ));
    }

    let confirm = match (&raw.confirm, kind) {
        (Some(c), Kind::Official) if *c.get_ref() < Confirm::Handle => {
            diags.push(
                Diagnostic::new(
                    format!("official account `{name}` cannot use confirm = \"yes\""),
                    c.span(),
                )
                .help("official accounts are always confirmed by typing their handle; remove this line or set confirm = \"handle\""),
            );
            Confirm::Handle
        }
        (Some(c), _) => *c.get_ref(),
        (None, Kind::Official) => Confirm::Handle,
        (None, Kind::Personal) => Confirm::Yes,
    };

    let needs_secret = spec.needs_credential();
    let credentials = match &raw.credentials {
        Some(c) if needs_secret && *c.get_ref() == CredentialPolicy::None => {
            diags.push(
                Diagnostic::new(
                    format!(
                        "{} accounts need a credential; `none` is only for the {}",
                        platform_name.as_str(),
                        platform::PLATFORMS
                            .iter()
                            .filter(|p| !p.needs_credential())
                            .map(|p| p.name().as_str())
                            .collect::<Vec<_>>()
                            .join(" and ")
                    ),
                    c.span(),
                )
                .help("use \"keychain\" (or \"keychain-or-env\" for CI runners without a keychain)"),
            );
            CredentialPolicy::Keychain
        }
        Some(c) => *c.get_ref(),
        None if needs_secret => CredentialPolicy::Keychain,
        None => CredentialPolicy::None,
    };

    let destination = platform_keys(table, spec, &name, base, diags);
    let language = raw.language.as_ref().and_then(|l| {
        if valid_language(l.get_ref()) {
            Some(l.get_ref().clone())
        } else {
            diags.push(
                Diagnostic::new(
                    format!("invalid language `{}`", crate::sanitize::one_line(l.get_ref())),
                    l.span(),
                )
                .help("use an ISO 639 code such as \"fr\" or \"en\""),
            );
            None
        }
    });

    let days = |field: &Option<toml::Spanned<i64>>, key: &str, diags: &mut Vec<Diagnostic>| -> Option<u32> {
        let v = field.as_ref()?;
        if (1..=3650).contains(v.get_ref()) {
            Some(*v.get_ref() as u32)
        } else {
            diags.push(Diagnostic::new(
                format!("`{key}` must be between 1 and 3650 days"),
                v.span(),
            ));
            None
        }
    };
    let rotate_after_days = days(&raw.rotate_after_days, "rotate_after_days", diags);
    let max_credential_age_days = days(&raw.max_credential_age_days, "max_credential_age_days", diags);
    if let (Some(r), Some(m), Some(span)) = (
        rotate_after_days,
        max_credential_age_days,
        raw.rotate_after_days.as_ref().map(|r| r.span()),
    ) && r >= m
    {
        diags.push(
            Diagnostic::new(
                format!("`rotate_after_days` ({r}) must be less than `max_credential_age_days` ({m})"),
                span,
            )
            .help("the warning comes first, then the refusal"),
        );
    }
    if credentials == CredentialPolicy::None
        && let Some(span) = raw
            .rotate_after_days
            .as_ref()
            .or(raw.max_credential_age_days.as_ref())
            .map(|s| s.span())
    {
        diags.push(Diagnostic::new(
            format!("account `{name}` has no credential (credentials = \"none\"), so it has no age to limit"),
            span,
        ));
    }

    if diags.len() > before {
        return None;
    }
    // A platform that made no destination must have said why; if it did not, the account would
    // vanish from a valid-looking policy, and with it what the system policy says about it.
    let Some(destination) = destination else {
        diags.push(Diagnostic::new(
            format!("{} could not place account `{name}`", platform_name.as_str()),
            raw.platform.span(),
        ));
        return None;
    };
    Some(Account {
        name,
        handle,
        platform: platform_name,
        destination,
        kind,
        display_name: raw.display_name.clone(),
        owner: raw.owner.clone(),
        confirm,
        non_interactive: raw.non_interactive.unwrap_or(NonInteractive::Allow),
        credentials,
        language,
        // Official accounts correct rather than delete: a deleted post leaves no public record.
        allow_delete: raw.allow_delete.unwrap_or(kind == Kind::Personal),
        // An institution's images must be described for the people who cannot see them.
        require_alt_text: raw.require_alt_text.unwrap_or(kind == Kind::Official),
        rotate_after_days,
        max_credential_age_days,
        line: line_col(text, table.common.span().start).0,
        system: false,
    })
}

/// Hands the account's platform the keys it declared, and reports the others, which belong to
/// another platform: they do not apply here.
fn platform_keys(
    table: &RawAccountTable,
    spec: &dyn Spec,
    name: &str,
    base: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Option<Arc<dyn Destination>> {
    let mut own = DeTable::new();
    for (key, value) in &table.others {
        let key_name = key.get_ref().as_str();
        if spec.keys().contains(&key_name) {
            own.insert(
                Spanned::new(key.span(), Cow::Owned(key_name.to_string())),
                value.clone(),
            );
        } else {
            // Every other key is another platform's: `raw::parse` refused the rest.
            let owner = platform::PLATFORMS.iter().find(|p| p.keys().contains(&key_name));
            let mut d = Diagnostic::new(
                format!(
                    "`{key_name}` does not apply to {} account `{name}`",
                    spec.name().as_str()
                ),
                value.span(),
            );
            d.help = owner.and_then(|o| o.key_help(key_name)).map(str::to_string);
            diags.push(d);
        }
    }
    let keys = AccountKeys {
        table: Spanned::new(table.common.span(), DeValue::Table(own)),
        name,
        platform_span: table.common.get_ref().platform.span(),
        base,
    };
    spec.destination(&keys, diags)
}

/// ISO 639 codes, optionally with BCP 47 subtags (`fr`, `en-GB`).
fn valid_language(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_lowercase())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && name.len() <= 64
}

fn normalised_handle(handle: &str) -> String {
    handle.trim().trim_start_matches('@').to_ascii_lowercase()
}

/// Names and handles must be unique, and no two handles may look alike: telling two accounts
/// apart is the whole point of typing the handle.
fn check_unique(accounts: &[(Account, &RawAccount)], diags: &mut Vec<Diagnostic>) {
    let mut names: HashMap<&str, usize> = HashMap::new();
    let mut handles: HashMap<String, usize> = HashMap::new();
    let mut skeletons: HashMap<String, usize> = HashMap::new();
    for (i, (account, raw)) in accounts.iter().enumerate() {
        if let Some(&first) = names.get(account.name.as_str()) {
            diags.push(
                Diagnostic::new(format!("duplicate account name `{}`", account.name), raw.name.span())
                    .help(format!("first defined at line {}", accounts[first].0.line)),
            );
        } else {
            names.insert(&account.name, i);
        }
        let handle = normalised_handle(&account.handle);
        let keys = look_alike_keys(account.handle.trim().trim_start_matches('@'));
        if let Some(&first) = handles.get(&handle) {
            diags.push(
                Diagnostic::new(format!("duplicate handle `{}`", account.handle), raw.handle.span()).help(format!(
                    "already used by account `{}` at line {}",
                    accounts[first].0.name, accounts[first].0.line
                )),
            );
        } else if let Some(&first) = keys.iter().find_map(|k| skeletons.get(k)) {
            diags.push(
                Diagnostic::new(
                    format!(
                        "handle `{}` looks like `{}` (account `{}`)",
                        account.handle, accounts[first].0.handle, accounts[first].0.name
                    ),
                    raw.handle.span(),
                )
                .help("two accounts whose handles look alike defeat the typed confirmation"),
            );
        } else {
            handles.insert(handle, i);
            for key in keys {
                skeletons.entry(key).or_insert(i);
            }
        }
    }
}

/// Where the policy was found, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Flag,
    Env,
    User,
    System,
}

/// The system policy. Only root can write in `/etc`, which is what makes this file the
/// institution's: nothing a user sets (environment, their own policy, `--policy`) can move,
/// replace or remove it.
pub const SYSTEM_POLICY: &str = "/etc/postgate/policy.toml";

/// The tests' way to put a system policy somewhere else. Only debug builds read it (a release
/// build does not contain the lookup), and never while [`SYSTEM_POLICY`] exists, so on a machine
/// with a system policy it cannot take that policy away even in a debug build.
#[cfg(debug_assertions)]
pub const TEST_SYSTEM_POLICY_VAR: &str = "POSTGATE_TEST_SYSTEM_POLICY";

fn test_hook() -> Option<std::ffi::OsString> {
    #[cfg(debug_assertions)]
    {
        env::var_os(TEST_SYSTEM_POLICY_VAR).filter(|p| !p.is_empty())
    }
    #[cfg(not(debug_assertions))]
    {
        None
    }
}

/// Whether something is at `path`. Only "not found" means absent: a file that cannot be
/// examined (a folder without permission, say) is there, so loading it fails and nothing is
/// published, instead of the system layer quietly disappearing.
fn present(path: &Path) -> bool {
    !matches!(std::fs::symlink_metadata(path), Err(e) if e.kind() == std::io::ErrorKind::NotFound)
}

/// The system policy path: `real` when anything is there, else the test hook if given.
fn choose_system_path(real: &Path, hook: Option<std::ffi::OsString>) -> PathBuf {
    if present(real) {
        return real.to_path_buf();
    }
    hook.map(PathBuf::from).unwrap_or_else(|| real.to_path_buf())
}

/// The system-wide policy path: [`SYSTEM_POLICY`], or in debug builds the test hook while
/// [`SYSTEM_POLICY`] does not exist.
pub fn system_policy_path() -> PathBuf {
    choose_system_path(Path::new(SYSTEM_POLICY), test_hook())
}

/// The system policy `path` is layered over: the system file when it exists and is not `path`
/// itself. A system file that exists but cannot be read is still returned, so that loading it
/// fails closed.
pub fn system_layer_for(path: &Path, origin: Origin) -> Option<PathBuf> {
    if origin == Origin::System {
        return None;
    }
    let system = system_policy_path();
    if !present(&system) {
        return None;
    }
    let same = match (std::fs::canonicalize(&system), std::fs::canonicalize(path)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    (!same).then_some(system)
}

/// Finds the policy: `--policy`, then `POSTGATE_POLICY`, then the user's config folder, then the
/// system file. The current directory is never searched, so a cloned repository cannot slip in
/// its own account definitions.
pub fn discover(flag: Option<&Path>) -> Result<(PathBuf, Origin)> {
    if let Some(p) = flag {
        return Ok((p.to_path_buf(), Origin::Flag));
    }
    if let Some(p) = env::var_os("POSTGATE_POLICY").filter(|p| !p.is_empty()) {
        return Ok((PathBuf::from(p), Origin::Env));
    }
    let mut tried = Vec::new();
    if let Some(user) = paths::config_home().map(|c| c.join("postgate").join("policy.toml")) {
        if user.is_file() {
            return Ok((user, Origin::User));
        }
        tried.push(user);
    }
    let system = system_policy_path();
    if present(&system) {
        return Ok((system, Origin::System));
    }
    tried.push(system);
    let list: Vec<String> = tried.iter().map(|p| format!("  {}", p.display())).collect();
    Err(Failure::new(
        ExitCode::BadPolicy,
        format!("no policy found; looked in:\n{}", list.join("\n")),
    )
    .hint(
        "`postgate init` writes a starter policy to the first of these; or pass --policy FILE or set POSTGATE_POLICY \
         (the repository's policy.toml is a commented example)",
    )
    .into())
}

/// Finds and loads the policy named by `--policy` (`flag`) or the usual lookup, over the system
/// policy when one exists: a user cannot step out of the institution's rules by pointing
/// --policy elsewhere.
pub fn load_discovered(flag: Option<&Path>) -> Result<Policy> {
    // Earlier versions read this variable; whoever still sets it should learn it does nothing.
    if std::env::var_os("POSTGATE_SYSTEM_POLICY").is_some() {
        crate::output::status(&format!(
            "warning: POSTGATE_SYSTEM_POLICY is ignored; the system policy is always {}",
            SYSTEM_POLICY
        ));
    }
    let (path, origin) = discover(flag)?;
    match system_layer_for(&path, origin) {
        Some(system) => Policy::load_over(&system, &path),
        None => Policy::load(&path),
    }
}

/// `[audit.shared]`, validated: a bad url is reported at the url.
fn shared_store(raw: &raw::RawShared, diags: &mut Vec<Diagnostic>) -> Option<crate::store::Config> {
    let mut config = match crate::store::Config::parse(raw.url.get_ref()) {
        Ok(c) => c,
        Err(why) => {
            diags.push(Diagnostic::new(format!("`audit.shared.url` {why}"), raw.url.span()));
            return None;
        }
    };
    config.required = raw.required;
    if let Some(var) = &raw.password_env {
        let name = var.get_ref();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            diags.push(Diagnostic::new(
                "`audit.shared.password_env` must name an environment variable (letters, digits, _)",
                var.span(),
            ));
            return None;
        }
        config.password_env = Some(name.clone());
    }
    Some(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Account>, Vec<Diagnostic>> {
        Policy::parse(text, Path::new("/tmp")).map(|p| p.accounts)
    }

    const OK: &str = r#"
[audit]
path = "audit.jsonl"

[[accounts]]
name = "demo"
handle = "@demo"
platform = "outbox"
kind = "official"
display_name = "Demo"
owner = "Comms"
path = "outbox"
"#;

    #[test]
    fn defaults_follow_the_kind() {
        let accounts = parse(OK).unwrap();
        let a = &accounts[0];
        assert_eq!(a.confirm, Confirm::Handle);
        assert_eq!(a.credentials, CredentialPolicy::None);
        assert_eq!(a.non_interactive, NonInteractive::Allow);
        assert_eq!(a.line, 5);
        assert_eq!(a.host(), "local");
        let folder = a
            .destination::<crate::platform::outbox::Folder>()
            .map(|f| f.path.clone());
        assert_eq!(folder, Some(PathBuf::from("/tmp/outbox")));
    }

    #[test]
    fn personal_defaults_to_yes_and_keychain_for_remote_platforms() {
        let text = r#"
[[accounts]]
name = "jeanne"
handle = "@jeanne@mastodon.example"
platform = "mastodon"
instance = "https://mastodon.example"
kind = "personal"
display_name = "Jeanne"
owner = "Jeanne Martin"
"#;
        let a = &parse(text).unwrap()[0];
        assert_eq!(a.confirm, Confirm::Yes);
        assert_eq!(a.credentials, CredentialPolicy::Keychain);
        assert_eq!(a.host(), "mastodon.example");
    }

    #[cfg(unix)]
    #[test]
    fn the_test_hook_never_replaces_an_existing_system_policy() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("policy.toml");
        let hook = Some(std::ffi::OsString::from("/nonexistent"));
        // Absent: the hook (debug builds only) may point elsewhere.
        assert_eq!(choose_system_path(&real, hook.clone()), PathBuf::from("/nonexistent"));
        assert_eq!(choose_system_path(&real, None), real);
        std::fs::write(&real, "").unwrap();
        assert_eq!(choose_system_path(&real, hook.clone()), real);
        // Whatever is there counts, even what is not a readable file: loading it then fails.
        std::fs::remove_file(&real).unwrap();
        std::os::unix::fs::symlink("/nonexistent", &real).unwrap();
        assert_eq!(choose_system_path(&real, hook), real);
        assert!(Policy::load(&real).is_err());
    }

    #[test]
    fn keys_of_other_platforms_are_reported_in_the_order_written() {
        let text = format!("{OK}web_host = \"bsky.app\"\naccount_id = \"1\"\n");
        let diags = parse(&text).unwrap_err();
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`web_host` does not apply to outbox account `demo`",
                "`account_id` does not apply to outbox account `demo`"
            ]
        );
    }

    #[test]
    fn a_key_of_no_platform_and_a_missing_one_are_both_told_in_the_order_of_the_file() {
        let text = "[[accounts]]\nname = \"n\"\nhandle = \"@n@social.example\"\nkind = \"official\"\n\
                    display_name = \"N\"\nbogus = 1\nplatform = \"mastodon\"\ninstance = \"https://social.example\"\n";
        let diags = parse(text).unwrap_err();
        assert_eq!(diags.len(), 2, "{diags:?}");
        assert_eq!(diags[0].message, "missing field `owner`");
        assert_eq!(diags[0].span.as_ref().map(|s| line_col(text, s.start)), Some((1, 1)));
        let unknown = &diags[1];
        assert!(
            unknown
                .message
                .starts_with("unknown field `bogus`, expected one of `name`"),
            "{}",
            unknown.message
        );
        assert!(
            unknown.message.ends_with("`instance`, `account_id`, `visibility`"),
            "{}",
            unknown.message
        );
        assert_eq!(unknown.span.as_ref().map(|s| line_col(text, s.start)), Some((6, 1)));
    }

    #[test]
    fn names_are_restricted() {
        assert!(valid_name("culture-gouv_2"));
        assert!(!valid_name("Culture"));
        assert!(!valid_name("-x"));
        assert!(!valid_name(""));
    }
}
