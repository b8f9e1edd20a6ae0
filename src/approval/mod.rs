//! Who may write and approve plans, and what needs how many approvals.
//!
//! The policy's `[[approvers]]` name people, their public keys and their roles; `[[authors]]`
//! name people who write plans without approving any. `[[approvals.require]]` says which posts
//! need approvals from whom. A rule at level `approve` needs one approval from anyone unless a
//! requirement names it. A plan's author is the person whose key signed it as author, never
//! what the plan says. The checks live here; the signatures themselves are in [`signature`],
//! the keychain keys in [`keys`].

pub mod decline;
pub mod keys;
pub mod passkey;
pub mod raw;
pub mod signature;

use crate::account::Account;
use crate::account::Kind;
use crate::diagnostic::Diagnostic;
use crate::i18n::both;
use crate::rules::{Finding, Level, RuleSet};
use raw::{RawApprovals, RawApprover, RawAuthor};
use ssh_key::PublicKey;
use std::collections::{BTreeSet, HashMap};
use toml::Spanned;

/// The namespace every approval signature is made in (`ssh-keygen -Y sign -n postgate`), so a
/// signature made for another purpose with the same key can never pass for an approval.
pub const NAMESPACE: &str = "postgate";

/// The namespace of authorship signatures. It differs from [`NAMESPACE`], so an approval can
/// never be replayed as an authorship signature, nor the reverse.
pub const AUTHOR_NAMESPACE: &str = "postgate-author";

/// The namespace of audit-log checkpoints (`postgate log checkpoint`). Its own, so that an
/// approval can never pass as a checkpoint, nor a checkpoint as an approval.
pub const CHECKPOINT_NAMESPACE: &str = "postgate-checkpoint";

/// A name no approver may take: `PLAN.author.sig` is the author's signature file.
pub const AUTHOR_FILE_NAME: &str = "author";

/// One `[[authors]]` entry: a person who writes plans with this key.
#[derive(Debug, Clone)]
pub struct PolicyAuthor {
    pub name: String,
    pub key: PublicKey,
}

/// Who wrote a plan, as its authorship signature proves it: the policy entry whose key signed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProvenAuthor {
    /// The entry's `name`.
    pub name: String,
    /// `SHA256:…` of the key that signed.
    pub fingerprint: String,
    /// The table that lists the key: `[[authors]]` or `[[approvers]]`.
    pub entry: String,
}

impl ProvenAuthor {
    pub fn describe(&self) -> String {
        format!("`{}` of {}, key {}", self.name, self.entry, self.fingerprint)
    }
}

#[derive(Debug, Clone)]
pub struct Approver {
    pub name: String,
    /// The SSH key the approver signs with at a terminal, if any.
    pub key: Option<PublicKey>,
    /// The passkey the approver signs with on the review page, if any. At least one of the two
    /// is set.
    pub passkey: Option<passkey::Passkey>,
    pub roles: Vec<String>,
    pub email: Option<String>,
    pub user: Option<String>,
}

impl Approver {
    /// The SSH key's `SHA256:…`, as `ssh-keygen -l` prints it, or else the passkey's
    /// `passkey SHA256:…`.
    pub fn fingerprint(&self) -> String {
        match (&self.key, &self.passkey) {
            (Some(key), _) => ssh_fingerprint(key),
            (None, Some(passkey)) => passkey.fingerprint(),
            (None, None) => String::new(),
        }
    }

    /// Whether this approver is the person who proved to have written the plan: the same key,
    /// or the same name (one person listed in `[[authors]]` and `[[approvers]]` under one name,
    /// with two keys). Authors sign with SSH keys, so a passkey never matches by key; the name
    /// still makes the person one, whatever key they approve with.
    pub fn wrote(&self, author: &ProvenAuthor) -> bool {
        self.key
            .as_ref()
            .is_some_and(|k| ssh_fingerprint(k) == author.fingerprint)
            || self.name == author.name
    }

    /// Whether the plan's declared author has this approver's e-mail (any case) or OS user. A
    /// declaration proves nothing, so this only adds refusals to [`Approver::wrote`].
    pub fn is_author(&self, author: &crate::plan::Author) -> bool {
        let email = matches!((&self.email, &author.email), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b));
        let user = matches!(&self.user, Some(u) if *u == author.user);
        email || user
    }
}

fn ssh_fingerprint(key: &PublicKey) -> String {
    key.fingerprint(ssh_key::HashAlg::Sha256).to_string()
}

/// When a requirement applies. Every selector given must match.
#[derive(Debug, Clone, Default)]
pub struct Selector {
    pub rule: Option<String>,
    pub level: Option<Level>,
    pub accounts: Vec<String>,
    pub kinds: Vec<Kind>,
    pub replies: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct Requirement {
    pub select: Selector,
    pub count: usize,
    /// Any of these roles counts; empty means any approver.
    pub roles: Vec<String>,
    pub line: usize,
}

/// What an approver is about to sign, and how a script names the version it reviewed.
pub struct Reviewed<'a> {
    /// `plan` or `lock`.
    pub what: &'a str,
    /// The option a script passes: `--plan-hash`, `--lock-id`.
    pub flag: &'a str,
    /// `hash` or `id`.
    pub noun: &'a str,
    /// The value signed.
    pub expected: &'a str,
    /// The value the script passed, if any.
    pub given: Option<&'a str>,
    /// The exit code of a mismatch.
    pub code: crate::exit_codes::ExitCode,
}

/// Goes ahead only if the approver agreed: a script by naming exactly what it reviewed, a
/// person by answering yes at the terminal. Nothing else signs.
pub fn agree_to_sign(reviewed: &Reviewed, question: &str) -> anyhow::Result<()> {
    use crate::error::Failure;
    use crate::exit_codes::ExitCode;
    let Reviewed {
        what,
        flag,
        noun,
        expected,
        given,
        code,
    } = *reviewed;
    match given {
        Some(g) if g == expected => Ok(()),
        Some(g) => Err(Failure::new(
            code,
            format!(
                "{flag} {} is not this {what}'s {noun} ({expected}); nothing was signed",
                crate::sanitize::one_line(g)
            ),
        )
        .hint(format!("the {what} changed since you reviewed it; review it again"))
        .into()),
        None if crate::confirm::has_terminal() => {
            if crate::confirm::ask_yes(question)? {
                Ok(())
            } else {
                Err(Failure::said(ExitCode::NotConfirmed, both!("refusal-not-signed")).into())
            }
        }
        None => Err(
            Failure::new(ExitCode::NotConfirmed, "no terminal to ask whether to sign")
                .hint(format!("a script states the {what} it reviewed: {flag} {expected}"))
                .into(),
        ),
    }
}

/// What one post needs: `count` distinct approvers holding one of `roles`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Need {
    pub why: String,
    pub count: usize,
    pub roles: Vec<String>,
}

impl Need {
    pub fn describe(&self) -> String {
        let who = if self.roles.is_empty() {
            "any approver".to_string()
        } else {
            format!("role {}", self.roles.join(" or "))
        };
        format!("{} approval(s) from {who} ({})", self.count, self.why)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Approvals {
    /// `[approvals] notify`: the command that tells approvers a plan waits for them.
    pub notify: Option<String>,
    /// `[approvals] review_url`: the review page's address, without a trailing `/`.
    pub review_url: Option<String>,
    pub approvers: Vec<Approver>,
    pub requirements: Vec<Requirement>,
    pub authors: Vec<PolicyAuthor>,
}

impl Approvals {
    /// The person a key belongs to when it signs a plan as its author. Approvers write plans
    /// too, with their approver key.
    pub fn author_for(&self, key: &PublicKey) -> Option<ProvenAuthor> {
        let fingerprint = key.fingerprint(ssh_key::HashAlg::Sha256).to_string();
        if let Some(a) = self.approver_for(key) {
            return Some(ProvenAuthor {
                name: a.name.clone(),
                fingerprint,
                entry: "[[approvers]]".into(),
            });
        }
        self.authors
            .iter()
            .find(|a| a.key.key_data() == key.key_data())
            .map(|a| ProvenAuthor {
                name: a.name.clone(),
                fingerprint,
                entry: "[[authors]]".into(),
            })
    }

    /// The approver whose SSH key this is.
    pub fn approver_for(&self, key: &PublicKey) -> Option<&Approver> {
        self.approvers
            .iter()
            .find(|a| a.key.as_ref().is_some_and(|k| k.key_data() == key.key_data()))
    }

    /// The approver whose passkey has this credential id.
    pub fn approver_for_credential(&self, credential_id: &[u8]) -> Option<&Approver> {
        self.approvers
            .iter()
            .find(|a| a.passkey.as_ref().is_some_and(|p| p.credential_id == credential_id))
    }

    pub fn approver(&self, name: &str) -> Option<&Approver> {
        self.approvers.iter().find(|a| a.name == name)
    }

    /// The approvals a post to `account` with these findings needs.
    pub fn needs(&self, account: &Account, findings: &[Finding], is_reply: bool) -> Vec<Need> {
        let mut needs = Vec::new();
        let mut covered: BTreeSet<&str> = BTreeSet::new();
        for req in &self.requirements {
            let s = &req.select;
            let rule_hit = s.rule.as_ref().is_none_or(|id| findings.iter().any(|f| &f.rule == id));
            let level_hit = s.level.is_none_or(|l| findings.iter().any(|f| f.level == l));
            let account_hit = s.accounts.is_empty() || s.accounts.contains(&account.name);
            let kind_hit = s.kinds.is_empty() || s.kinds.contains(&account.kind);
            let reply_hit = s.replies.is_none_or(|r| r == is_reply);
            if !(rule_hit && level_hit && account_hit && kind_hit && reply_hit) {
                continue;
            }
            if let Some(id) = &s.rule {
                covered.insert(id);
            }
            needs.push(Need {
                why: describe_selector(s, req.line),
                count: req.count,
                roles: req.roles.clone(),
            });
        }
        let mut approve_rules: Vec<&str> = findings
            .iter()
            .filter(|f| f.level == Level::Approve)
            .map(|f| f.rule.as_str())
            .collect();
        approve_rules.sort_unstable();
        approve_rules.dedup();
        for rule in approve_rules {
            if !covered.contains(rule) {
                needs.push(Need {
                    why: format!("rule {rule} is at level approve"),
                    count: 1,
                    roles: Vec::new(),
                });
            }
        }
        needs
    }
}

fn describe_selector(s: &Selector, line: usize) -> String {
    let mut parts = Vec::new();
    if let Some(rule) = &s.rule {
        parts.push(format!("rule {rule}"));
    }
    if let Some(level) = s.level {
        parts.push(format!("a finding at level {}", level.as_str()));
    }
    if !s.accounts.is_empty() {
        parts.push(format!("account {}", s.accounts.join(" or ")));
    }
    if !s.kinds.is_empty() {
        let kinds: Vec<&str> = s.kinds.iter().map(|k| k.as_str()).collect();
        parts.push(format!("{} accounts", kinds.join(" or ")));
    }
    match s.replies {
        Some(true) => parts.push("replies".into()),
        Some(false) => parts.push("posts that are not replies".into()),
        None => {}
    }
    if parts.is_empty() {
        parts.push("every post".into());
    }
    format!("{}; policy line {line}", parts.join(", "))
}

/// The needs that the given approvers do not meet, described. Each approver counts once per
/// need, whatever number of roles they hold.
pub fn unmet(needs: &[Need], approvers: &[&Approver]) -> Vec<String> {
    needs
        .iter()
        .filter_map(|need| {
            let have = approvers
                .iter()
                .filter(|a| need.roles.is_empty() || a.roles.iter().any(|r| need.roles.contains(r)))
                .map(|a| a.name.as_str())
                .collect::<BTreeSet<_>>()
                .len();
            (have < need.count).then(|| format!("{} (has {have})", need.describe()))
        })
        .collect()
}

/// Validates `[[approvers]]` and `[approvals]`, blaming the exact spot for each problem.
pub fn compile(
    text: &str,
    raw_approvers: &[Spanned<RawApprover>],
    raw_approvals: Option<&RawApprovals>,
    rules: &RuleSet,
    accounts: &[&str],
    inherited: &Approvals,
    diags: &mut Vec<Diagnostic>,
) -> Approvals {
    let lines = crate::diagnostic::LineIndex::new(text);
    // A user policy over a system one starts from the system's approvers and requirements.
    let mut approvers: Vec<Approver> = inherited.approvers.clone();
    let mut names: HashMap<String, usize> = HashMap::new();
    for spanned in raw_approvers {
        let raw = spanned.get_ref();
        let line = lines.line(spanned.span().start);
        let name = raw.name.get_ref().trim().to_string();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
            diags.push(
                Diagnostic::new(
                    format!("invalid approver name `{}`", crate::sanitize::one_line(&name)),
                    raw.name.span(),
                )
                .help("approver names appear in signature file names: ASCII letters, digits, `-`, `_` and `.`"),
            );
            continue;
        }
        if name == AUTHOR_FILE_NAME {
            diags.push(
                Diagnostic::new(format!("`{name}` cannot name an approver"), raw.name.span()).help(
                    "PLAN.author.sig is the author's signature file; rename the approver (and its signature files)",
                ),
            );
            continue;
        }
        if let Some(first) = names.get(&name) {
            diags.push(
                Diagnostic::new(format!("duplicate approver `{name}`"), raw.name.span())
                    .help(format!("first defined at line {first}")),
            );
            continue;
        }
        names.insert(name.clone(), line);
        if raw.key.is_none() && raw.passkey.is_none() {
            diags.push(
                Diagnostic::new(format!("approver `{name}` has no key"), spanned.span()).help(
                    "give them `ssh_key = \"ssh-ed25519 AAAA…\"` (from `postgate keys new`), or `passkey = { … }` \
                     (from `postgate keys passkey enroll`), or both",
                ),
            );
            continue;
        }
        let key = match &raw.key {
            None => None,
            Some(raw_key) => match PublicKey::from_openssh(raw_key.get_ref().trim()) {
                Ok(k) => Some(k),
                Err(e) => {
                    diags.push(
                        Diagnostic::new(format!("the key of approver `{name}` is not an OpenSSH public key: {e}"), raw_key.span())
                            .help("paste the line `postgate keys new` printed, or the content of an SSH `.pub` file (`ssh-ed25519 AAAA… comment`)"),
                    );
                    continue;
                }
            },
        };
        if let (Some(key), Some(raw_key)) = (&key, &raw.key)
            && let Some(other) = approvers
                .iter()
                .find(|a| a.key.as_ref().is_some_and(|k| k.key_data() == key.key_data()))
        {
            diags.push(
                Diagnostic::new(
                    format!("approvers `{}` and `{name}` have the same key", other.name),
                    raw_key.span(),
                )
                .help("each person signs with their own key; otherwise one signature would count twice"),
            );
            continue;
        }
        let passkey = match &raw.passkey {
            None => None,
            Some(raw_passkey) => {
                let r = raw_passkey.get_ref();
                match passkey::Passkey::parse(&r.credential_id, &r.public_key, &r.rp_id, &r.origin) {
                    Ok(p) => Some(p),
                    Err(e) => {
                        diags.push(
                            Diagnostic::new(
                                format!("the passkey of approver `{name}` is refused: {e}"),
                                raw_passkey.span(),
                            )
                            .help("paste the entry `postgate keys passkey enroll` printed, unchanged"),
                        );
                        continue;
                    }
                }
            }
        };
        if let (Some(p), Some(raw_passkey)) = (&passkey, &raw.passkey)
            && let Some(other) = approvers.iter().find(|a| {
                a.passkey
                    .as_ref()
                    .is_some_and(|q| q.credential_id == p.credential_id || q.cose == p.cose)
            })
        {
            diags.push(
                Diagnostic::new(
                    format!("approvers `{}` and `{name}` have the same passkey", other.name),
                    raw_passkey.span(),
                )
                .help("each person enrols their own passkey; otherwise one approval would count twice"),
            );
            continue;
        }
        let roles: Vec<String> = raw.roles.iter().map(|r| r.get_ref().trim().to_string()).collect();
        if let Some(bad) = raw.roles.iter().find(|r| r.get_ref().trim().is_empty()) {
            diags.push(Diagnostic::new("empty role name", bad.span()));
        }
        approvers.push(Approver {
            name,
            key,
            passkey,
            roles,
            email: raw.email.as_ref().map(|e| e.get_ref().trim().to_string()),
            user: raw.user.as_ref().map(|u| u.get_ref().trim().to_string()),
        });
    }

    let mut requirements = inherited.requirements.clone();
    for spanned in raw_approvals.map(|a| a.require.as_slice()).unwrap_or_default() {
        let raw = spanned.get_ref();
        let line = lines.line(spanned.span().start);
        let before = diags.len();
        if let Some(rule) = &raw.rule
            && !rules.rules.iter().any(|r| r.id == *rule.get_ref())
        {
            diags.push(
                Diagnostic::new(
                    format!("no rule `{}` in this policy", crate::sanitize::one_line(rule.get_ref())),
                    rule.span(),
                )
                .help("name the `id` of one of the [[rules]]"),
            );
        }
        let level = match &raw.level {
            None => None,
            Some(l) => match Level::parse(l.get_ref()) {
                Some(Level::Deny) => {
                    diags.push(
                        Diagnostic::new(
                            "`deny` findings are refused; no approval can let them through",
                            l.span(),
                        )
                        .help("use level = \"approve\" or \"warn\""),
                    );
                    None
                }
                Some(level) => Some(level),
                None => {
                    diags.push(
                        Diagnostic::new(
                            format!("unknown level `{}`", crate::sanitize::one_line(l.get_ref())),
                            l.span(),
                        )
                        .help("use \"approve\" or \"warn\""),
                    );
                    None
                }
            },
        };
        let mut selected_accounts = Vec::new();
        if let Some(list) = &raw.accounts {
            for a in list.get_ref() {
                if accounts.contains(&a.get_ref().as_str()) {
                    selected_accounts.push(a.get_ref().clone());
                } else {
                    diags.push(
                        Diagnostic::new(
                            format!("no account named `{}`", crate::sanitize::one_line(a.get_ref())),
                            a.span(),
                        )
                        .help(format!("known accounts: {}", accounts.join(", "))),
                    );
                }
            }
        }
        let count = match &raw.count {
            None => 1,
            Some(c) if *c.get_ref() >= 1 && *c.get_ref() <= 100 => *c.get_ref() as usize,
            Some(c) => {
                diags.push(Diagnostic::new("`count` must be between 1 and 100", c.span()));
                1
            }
        };
        let roles: Vec<String> = raw.roles.iter().map(|r| r.get_ref().trim().to_string()).collect();
        for role in &raw.roles {
            if !approvers
                .iter()
                .any(|a| a.roles.contains(&role.get_ref().trim().to_string()))
            {
                diags.push(
                    Diagnostic::new(
                        format!(
                            "no approver has the role `{}`",
                            crate::sanitize::one_line(role.get_ref())
                        ),
                        role.span(),
                    )
                    .help("this requirement could never be met; give the role to an approver in [[approvers]]"),
                );
            }
        }
        let able = approvers
            .iter()
            .filter(|a| roles.is_empty() || a.roles.iter().any(|r| roles.contains(r)))
            .count();
        if diags.len() == before && able < count {
            diags.push(
                Diagnostic::new(
                    format!("this requirement asks for {count} approvals but only {able} approver(s) can give one"),
                    raw.count.as_ref().map_or(spanned.span(), |c| c.span()),
                )
                .help("add approvers with the role, or lower `count`; an author never approves their own plan"),
            );
        }
        if diags.len() > before {
            continue;
        }
        requirements.push(Requirement {
            select: Selector {
                rule: raw.rule.as_ref().map(|r| r.get_ref().clone()),
                level,
                accounts: selected_accounts,
                kinds: raw
                    .kinds
                    .as_ref()
                    .map(|k| k.get_ref().iter().map(|k| *k.get_ref()).collect())
                    .unwrap_or_default(),
                replies: raw.replies.as_ref().map(|r| *r.get_ref()),
            },
            count,
            roles,
            line,
        });
    }
    let notify = match raw_approvals.and_then(|a| a.notify.as_ref()) {
        Some(n) if n.get_ref().trim().is_empty() => {
            diags.push(Diagnostic::new("`notify` is empty", n.span()).help("give a command, or remove the key"));
            None
        }
        Some(n) => Some(n.get_ref().clone()),
        None => inherited.notify.clone(),
    };
    let review_url = match raw_approvals.and_then(|a| a.review_url.as_ref()) {
        Some(u) => match url::Url::parse(u.get_ref().trim()) {
            Ok(url) if matches!(url.scheme(), "https" | "http") && url.query().is_none() => {
                Some(u.get_ref().trim().trim_end_matches('/').to_string())
            }
            _ => {
                diags.push(
                    Diagnostic::new("`review_url` is not an http(s) address", u.span())
                        .help("the address approvers open, such as \"https://relecture.exemple.fr\""),
                );
                None
            }
        },
        None => inherited.review_url.clone(),
    };
    Approvals {
        notify,
        review_url,
        approvers,
        requirements,
        authors: inherited.authors.clone(),
    }
}

/// Validates `[[authors]]` into `approvals`. A key appears once in the whole policy: a key
/// listed twice would let one person sign as two.
pub fn compile_authors(raw_authors: &[Spanned<RawAuthor>], approvals: &mut Approvals, diags: &mut Vec<Diagnostic>) {
    for spanned in raw_authors {
        let raw = spanned.get_ref();
        let name = raw.name.get_ref().trim().to_string();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c)) {
            diags.push(
                Diagnostic::new(
                    format!("invalid author name `{}`", crate::sanitize::one_line(&name)),
                    raw.name.span(),
                )
                .help("author names appear in the audit log: ASCII letters, digits, `-`, `_`, `.` and `@`"),
            );
            continue;
        }
        if approvals.authors.iter().any(|a| a.name == name) {
            diags.push(Diagnostic::new(format!("duplicate author `{name}`"), raw.name.span()));
            continue;
        }
        let key = match PublicKey::from_openssh(raw.key.get_ref().trim()) {
            Ok(k) => k,
            Err(e) => {
                diags.push(
                    Diagnostic::new(format!("the key of author `{name}` is not an OpenSSH public key: {e}"), raw.key.span())
                        .help("paste the line `postgate keys new` printed, or the content of an SSH `.pub` file (`ssh-ed25519 AAAA… comment`)"),
                );
                continue;
            }
        };
        if let Some(other) = approvals.author_for(&key) {
            diags.push(
                Diagnostic::new(
                    format!("author `{name}` has the key of {} `{}`", other.entry, other.name),
                    raw.key.span(),
                )
                .help("an approver already writes plans with their approver key; each person has their own key"),
            );
            continue;
        }
        approvals.authors.push(PolicyAuthor { name, key });
    }
}

#[cfg(test)]
mod tests;
