//! The policy file exactly as written, with the span of every value that validation may blame.
//!
//! Unknown keys are errors (`deny_unknown_fields`): a misspelt `confirm` must never silently
//! fall back to a weaker default.

use crate::account::{Confirm, CredentialPolicy, Kind, NonInteractive};
use crate::diagnostic::Diagnostic;
use crate::platform::spec::Spec;
use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub audit: Option<RawAudit>,
    /// Always empty: [`parse`] takes the accounts out first. Declared so that a misspelt
    /// `[[acounts]]` is told that `accounts` is what it could have meant.
    #[serde(default)]
    pub accounts: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    pub rules: Vec<Spanned<crate::rules::raw::RawRule>>,
    #[serde(default)]
    pub approvers: Vec<Spanned<crate::approval::raw::RawApprover>>,
    pub approvals: Option<crate::approval::raw::RawApprovals>,
    #[serde(default)]
    pub authors: Vec<Spanned<crate::approval::raw::RawAuthor>>,
    pub lockdown: Option<RawLockdown>,
}

/// `[lockdown]`: where locks are shared, and who may lift them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLockdown {
    /// A folder every publisher reads (a shared mount): a lock written there stops them all.
    pub shared_path: Option<Spanned<String>>,
    /// The approver roles whose signature lifts a lock.
    #[serde(default)]
    pub unlock_roles: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAudit {
    pub path: Option<Spanned<String>>,
}

/// The keys every account has, whatever its platform. Each platform declares its own (see
/// `platform::spec::Spec::keys`); a key that is in neither list is an unknown field.
pub const ACCOUNT_KEYS: &[&str] = &[
    "name",
    "handle",
    "platform",
    "kind",
    "display_name",
    "owner",
    "confirm",
    "non_interactive",
    "credentials",
    "language",
    "allow_delete",
    "require_alt_text",
    "rotate_after_days",
    "max_credential_age_days",
];

/// The keys of [`ACCOUNT_KEYS`], as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAccount {
    pub name: Spanned<String>,
    pub handle: Spanned<String>,
    /// Checked against the platform registry by the loader.
    pub platform: Spanned<String>,
    pub kind: Spanned<Kind>,
    pub display_name: String,
    pub owner: String,
    pub confirm: Option<Spanned<Confirm>>,
    pub non_interactive: Option<NonInteractive>,
    pub credentials: Option<Spanned<CredentialPolicy>>,
    /// The posts' language (ISO 639), unless `--language` says otherwise.
    pub language: Option<Spanned<String>>,
    /// Whether `postgate delete` may remove posts. Default: false for official accounts.
    pub allow_delete: Option<bool>,
    /// Whether every image needs a description. Default: true for official accounts.
    pub require_alt_text: Option<bool>,
    /// Past this age the banner asks for a new credential.
    pub rotate_after_days: Option<Spanned<i64>>,
    /// Past this age posting is refused until `postgate login` stores a new one.
    pub max_credential_age_days: Option<Spanned<i64>>,
}

/// One `[[accounts]]` table: the keys every account has, and the rest, left for its platform
/// to judge, each with its span.
pub struct RawAccountTable<'i> {
    pub common: Spanned<RawAccount>,
    pub others: Vec<(Spanned<String>, Spanned<DeValue<'i>>)>,
}

/// A policy file as written: everything but the accounts through serde, and the accounts split
/// between the keys the policy owns and the keys their platform owns.
pub fn parse(text: &str) -> Result<(RawPolicy, Vec<RawAccountTable<'_>>), Diagnostic> {
    let error = Diagnostic::of_toml;
    let mut doc = DeTable::parse(text).map_err(error)?;
    // The accounts first: serde, which read the whole file before them, took its tables in
    // the order of their names, so an error in `[[accounts]]` was the one it reported.
    let tables = match doc.get_mut().remove("accounts") {
        Some(accounts) => account_tables(accounts)?,
        None => Vec::new(),
    };
    let policy = RawPolicy::deserialize(toml::de::Deserializer::from(doc)).map_err(error)?;
    Ok((policy, tables))
}

/// The `[[accounts]]` tables, each split between the keys every account has and its
/// platform's. A key that no platform has is refused here, before anything else about its
/// account, as serde refused it when every key was one struct's.
fn account_tables(accounts: Spanned<DeValue<'_>>) -> Result<Vec<RawAccountTable<'_>>, Diagnostic> {
    let error = Diagnostic::of_toml;
    let mut tables = Vec::new();
    let not_tables = |span| {
        Diagnostic::new(
            "`accounts` must be an array of tables: write each as [[accounts]]",
            span,
        )
    };
    let span = accounts.span();
    let DeValue::Array(items) = accounts.into_inner() else {
        return Err(not_tables(span));
    };
    for item in items {
        let span = item.span();
        let DeValue::Table(table) = item.into_inner() else {
            return Err(not_tables(span));
        };
        let platform = table
            .get("platform")
            .and_then(|p| p.get_ref().as_str())
            .and_then(crate::platform::by_name);
        let mut common = DeTable::new();
        let mut others = Vec::new();
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            if ACCOUNT_KEYS.contains(&name) {
                common.insert(key, value);
            } else if crate::platform::PLATFORMS.iter().any(|p| p.keys().contains(&name)) {
                others.push((Spanned::new(key.span(), name.to_string()), value));
            } else {
                return Err(unknown_key(name, key.span(), platform));
            }
        }
        // In the order written, so the errors about them are too.
        others.sort_by_key(|(key, _)| key.span().start);
        let de = toml::de::ValueDeserializer::from(Spanned::new(span.clone(), DeValue::Table(common)));
        let common = RawAccount::deserialize(de).map_err(error)?;
        tables.push(RawAccountTable {
            common: Spanned::new(span, common),
            others,
        });
    }
    Ok(tables)
}

/// An account key no platform has. The keys it could have meant: every account's, and its
/// platform's (every platform's while the platform is not known).
fn unknown_key(name: &str, span: std::ops::Range<usize>, platform: Option<&dyn Spec>) -> Diagnostic {
    let mut expected: Vec<&str> = ACCOUNT_KEYS.to_vec();
    match platform {
        Some(p) => expected.extend(p.keys()),
        None => {
            for key in crate::platform::PLATFORMS.iter().flat_map(|p| p.keys()) {
                if !expected.contains(key) {
                    expected.push(key);
                }
            }
        }
    }
    let expected: Vec<String> = expected.iter().map(|k| format!("`{k}`")).collect();
    Diagnostic::new(
        format!(
            "unknown field `{}`, expected one of {}",
            crate::sanitize::one_line(name),
            expected.join(", ")
        ),
        span,
    )
}
