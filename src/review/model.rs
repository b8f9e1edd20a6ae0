//! What the review pages show: the plans named on the command line, each read afresh from
//! disk with its signatures checked, as `apply` would check them.

use crate::account::Account;
use crate::approval::{Need, ProvenAuthor, decline, signature};
use crate::content::Draft;
use crate::plan::Plan;
use crate::policy::Policy;
use crate::rules::Finding;
use anyhow::Result;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The review server's state: the policy, what was named, and the page's origin.
pub struct Site {
    pub policy: Policy,
    /// Plan files and queue folders, as named on the command line.
    pub sources: Vec<PathBuf>,
    /// `scheme://host[:port]`, exactly as the approvers' passkeys name it.
    pub origin: String,
    pub rp_id: String,
    /// Sent in each page and required on each POST, so another site's page cannot post here.
    pub csrf: String,
}

/// One plan as the pages show it, read afresh.
pub struct Item {
    pub id: String,
    pub path: PathBuf,
    pub loaded: Result<Loaded, String>,
}

pub struct Loaded {
    pub plan: Plan,
    pub draft: Draft,
    pub findings: Vec<Finding>,
    pub account: Account,
    pub needs: Vec<Need>,
    /// The approvers who signed, with their keys; or why the signatures do not hold.
    pub signed: Result<Signed, String>,
    pub declined: Vec<decline::Declined>,
    /// What the plan still needs, described; empty when it is approved.
    pub missing: Vec<String>,
    /// Why the plan cannot be approved now (expired), if so.
    pub closed: Option<String>,
}

pub struct Signed {
    pub author: Option<ProvenAuthor>,
    /// `name passkey SHA256:…` or `name SHA256:…`.
    pub approvals: Vec<String>,
    pub names: Vec<String>,
}

/// A plan file, or a queue item read as one.
pub fn load_any(policy: &Policy, path: &Path) -> Result<Plan> {
    if path.extension().is_some_and(|e| e == "plan") {
        Plan::load(path)
    } else {
        crate::queue::item_plan(policy, path).map_err(|e| {
            crate::error::Failure::new(
                crate::exit_codes::ExitCode::Usage,
                format!("{}:{}:{}: {}", path.display(), e.line, e.col, e.message),
            )
            .into()
        })
    }
}

/// A plan (or queue item) as a reviewer sees it, at a terminal or on the review page: account
/// checked, draft read with its images checked against their pinned hashes, findings of the
/// current policy at the time it would be published.
pub fn reviewed(policy: &Policy, path: &Path) -> Result<(Plan, Draft, Vec<Finding>)> {
    let plan = load_any(policy, path)?;
    let account = plan.check_account(policy.account(&plan.account.name)?)?;
    let draft = plan.draft(crate::paths::base_of(path))?;
    let at = plan.window.not_before.unwrap_or_else(jiff::Timestamp::now);
    let (length, _) = crate::platform::offline(account, &draft.text);
    let findings = crate::publish::checks::content_findings(policy, account, &draft, length, at)?;
    Ok((plan, draft, findings))
}

/// A plan's id in URLs: a digest of its path, so a URL names nothing the server was not given.
pub fn id_of(path: &Path) -> String {
    hex::encode(&Sha256::digest(path.as_os_str().as_encoded_bytes())[..8])
}

impl Site {
    /// The plans named, queue folders expanded, in the order given.
    pub fn paths(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for source in &self.sources {
            if source.is_dir() {
                if let Ok(found) = crate::draft::expand(std::slice::from_ref(source)) {
                    out.extend(found.files);
                }
            } else {
                out.push(source.clone());
            }
        }
        out.dedup();
        out
    }

    pub fn items(&self) -> Vec<Item> {
        self.paths().into_iter().map(|p| self.item(p)).collect()
    }

    pub fn find(&self, id: &str) -> Option<Item> {
        self.paths().into_iter().find(|p| id_of(p) == id).map(|p| self.item(p))
    }

    pub fn item(&self, path: PathBuf) -> Item {
        let loaded = self.load(&path).map_err(|e| format!("{e:#}"));
        Item {
            id: id_of(&path),
            path,
            loaded,
        }
    }

    fn load(&self, path: &Path) -> Result<Loaded> {
        let (plan, draft, findings) = reviewed(&self.policy, path)?;
        let account = plan.check_account(self.policy.account(&plan.account.name)?)?.clone();
        let needs = self
            .policy
            .approvals
            .needs(&account, &findings, plan.post.reply_to.is_some());
        let signed = signature::verify(&self.policy.approvals, &plan, path)
            .map(|s| Signed {
                author: s.author.clone(),
                approvals: s.approver_list(),
                names: s.approvers.iter().map(|a| a.name.clone()).collect(),
            })
            .map_err(|e| format!("{e:#}"));
        // A decline that does not hold is shown as signatures that do not hold, as apply
        // refuses it, never as no decline.
        let (signed, declined) = match decline::verify_all(&self.policy.approvals, &plan, path) {
            Ok(d) => (signed, d),
            Err(e) => (Err(e.to_string()), Vec::new()),
        };
        let mut missing = Vec::new();
        if let Ok(s) = &signed {
            if !needs.is_empty() && s.author.is_none() {
                missing.push(format!(
                    "its author's signature ({})",
                    signature::author_path(path).display()
                ));
            }
            let approvers: Vec<&crate::approval::Approver> = s
                .names
                .iter()
                .filter_map(|n| self.policy.approvals.approver(n))
                .collect();
            missing.extend(crate::approval::unmet(&needs, &approvers));
        }
        let closed = match plan.window_refusal(jiff::Timestamp::now()) {
            Some(crate::plan::WindowState::Expired(t)) => Some(format!("the plan expired at {t}")),
            _ => None,
        };
        Ok(Loaded {
            plan,
            draft,
            findings,
            account,
            needs,
            signed,
            declined,
            missing,
            closed,
        })
    }

    /// The approvers who may approve here: a passkey made for this origin.
    pub fn passkey_approvers(&self) -> Vec<&crate::approval::Approver> {
        self.policy
            .approvals
            .approvers
            .iter()
            .filter(|a| a.passkey.as_ref().is_some_and(|p| p.origin == self.origin))
            .collect()
    }
}
