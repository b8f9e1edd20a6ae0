//! The policy file exactly as written, with the span of every value that validation may blame.
//!
//! Unknown keys are errors (`deny_unknown_fields`): a misspelt `confirm` must never silently
//! fall back to a weaker default.
//!
//! serde stops at the first error, and a person fixing a policy wants every one at once. So the
//! file is read as a TOML document with spans first, then judged piece by piece: each account
//! key on its own, each other top-level key (each table of an array of tables) on its own.

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
    /// `[audit.shared]`: the team's store (src/store.rs).
    pub shared: Option<Spanned<RawShared>>,
    /// Where each record is forwarded: `unix:PATH`, `tcp://HOST:PORT` or `udp://HOST:PORT`.
    pub syslog: Option<Spanned<String>>,
}

/// `[audit.shared]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawShared {
    pub url: Spanned<String>,
    pub required: Option<bool>,
    pub password_env: Option<Spanned<String>>,
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

/// A policy file as written, as far as it could be read: the policy without its accounts (none
/// when any part of it is wrong), every account table that is right, the names of those that
/// are not (so rules naming them are not told the account does not exist), and every error.
pub struct Parse<'i> {
    pub policy: Option<RawPolicy>,
    pub tables: Vec<RawAccountTable<'i>>,
    pub failed_names: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads a policy file. Only a file that is not TOML at all stops at its first error.
pub fn parse(text: &str) -> Result<Parse<'_>, Diagnostic> {
    let mut doc = DeTable::parse(text).map_err(Diagnostic::of_toml)?;
    let mut diagnostics = Vec::new();
    let mut tables = Vec::new();
    let mut failed_names = Vec::new();
    if let Some(accounts) = doc.get_mut().remove("accounts") {
        account_tables(accounts, &mut tables, &mut failed_names, &mut diagnostics);
    }
    let before = diagnostics.len();
    for (key, value) in doc.get_ref().iter() {
        probe_top_level(key, value, &mut diagnostics);
    }
    let policy = if diagnostics.len() == before {
        match RawPolicy::deserialize(toml::de::Deserializer::from(doc)) {
            Ok(policy) => Some(policy),
            Err(e) => {
                diagnostics.push(Diagnostic::of_toml(e));
                None
            }
        }
    } else {
        None
    };
    Ok(Parse {
        policy,
        tables,
        failed_names,
        diagnostics,
    })
}

/// Reads one top-level key as if it were alone in the file (each table of an array of tables
/// alone), so that each part's first error is reported, not only the file's.
fn probe_top_level<'i>(
    key: &Spanned<std::borrow::Cow<'i, str>>,
    value: &Spanned<DeValue<'i>>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let alone = |value: Spanned<DeValue<'i>>| {
        let mut table = DeTable::new();
        table.insert(key.clone(), value);
        let span = key.span().start..key.span().end;
        RawPolicy::deserialize(toml::de::Deserializer::from(Spanned::new(span, table))).err()
    };
    let errors: Vec<toml::de::Error> = match value.get_ref() {
        DeValue::Array(items) if items.iter().all(|i| matches!(i.get_ref(), DeValue::Table(_))) => items
            .iter()
            .filter_map(|item| {
                alone(Spanned::new(
                    value.span(),
                    DeValue::Array(std::iter::once(item.clone()).collect()),
                ))
            })
            .collect(),
        _ => alone(value.clone()).into_iter().collect(),
    };
    diagnostics.extend(errors.into_iter().map(Diagnostic::of_toml));
}

/// The `[[accounts]]` tables, each split between the keys every account has and its
/// platform's. Every error of every table is reported: a key that no platform has, and each
/// key every account has whose value is wrong or that is missing.
fn account_tables<'i>(
    accounts: Spanned<DeValue<'i>>,
    tables: &mut Vec<RawAccountTable<'i>>,
    failed_names: &mut Vec<String>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let not_tables = |span| {
        Diagnostic::new(
            "`accounts` must be an array of tables: write each as [[accounts]]",
            span,
        )
    };
    let span = accounts.span();
    let DeValue::Array(items) = accounts.into_inner() else {
        diagnostics.push(not_tables(span));
        return;
    };
    for item in items {
        let span = item.span();
        let DeValue::Table(table) = item.into_inner() else {
            diagnostics.push(not_tables(span));
            continue;
        };
        let platform = table
            .get("platform")
            .and_then(|p| p.get_ref().as_str())
            .and_then(crate::platform::by_name);
        let name = table.get("name").and_then(|n| n.get_ref().as_str()).map(str::to_string);
        let before = diagnostics.len();
        let mut common = DeTable::new();
        let mut others = Vec::new();
        for (key, value) in table {
            let key_name = key.get_ref().as_ref();
            if ACCOUNT_KEYS.contains(&key_name) {
                common.insert(key, value);
            } else if crate::platform::PLATFORMS.iter().any(|p| p.keys().contains(&key_name)) {
                others.push((Spanned::new(key.span(), key_name.to_string()), value));
            } else {
                diagnostics.push(unknown_key(key_name, key.span(), platform));
            }
        }
        // In the order written, so the errors about them are too.
        others.sort_by_key(|(key, _)| key.span().start);
        let common = raw_account(common, span.clone(), diagnostics);
        match common {
            Some(common) if diagnostics.len() == before => tables.push(RawAccountTable {
                common: Spanned::new(span, common),
                others,
            }),
            _ => failed_names.extend(name),
        }
    }
}

/// The value of `key` in `table`, read as a `T` on its own, so that an error in one key does not
/// hide the next. `Ok(None)` when the key is absent; `Err(())` when it is wrong (reported).
fn field<'i, T: Deserialize<'i>>(
    table: &mut DeTable<'i>,
    key: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Option<T>, ()> {
    let Some(value) = table.remove(key) else {
        return Ok(None);
    };
    let span = value.span();
    T::deserialize(toml::de::ValueDeserializer::from(value))
        .map(Some)
        .map_err(|e| {
            let mut d = Diagnostic::of_toml(e);
            // A value's error without a place of its own is about the whole value.
            d.span = d.span.or(Some(span));
            diagnostics.push(d);
        })
}

/// A required key of `field`: an absent one is reported at the account's table, in serde's
/// words.
fn required<'i, T: Deserialize<'i>>(
    table: &mut DeTable<'i>,
    key: &str,
    span: &std::ops::Range<usize>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<T, ()> {
    match field(table, key, diagnostics)? {
        Some(value) => Ok(value),
        None => {
            diagnostics.push(Diagnostic::new(format!("missing field `{key}`"), span.clone()));
            Err(())
        }
    }
}

/// [`RawAccount`] from its keys, each read on its own: every wrong or missing key is reported.
fn raw_account<'i>(mut t: DeTable<'i>, span: std::ops::Range<usize>, d: &mut Vec<Diagnostic>) -> Option<RawAccount> {
    let name = required(&mut t, "name", &span, d);
    let handle = required(&mut t, "handle", &span, d);
    let platform = required(&mut t, "platform", &span, d);
    let kind = required(&mut t, "kind", &span, d);
    let display_name = required(&mut t, "display_name", &span, d);
    let owner = required(&mut t, "owner", &span, d);
    let confirm = field(&mut t, "confirm", d);
    let non_interactive = field(&mut t, "non_interactive", d);
    let credentials = field(&mut t, "credentials", d);
    let language = field(&mut t, "language", d);
    let allow_delete = field(&mut t, "allow_delete", d);
    let require_alt_text = field(&mut t, "require_alt_text", d);
    let rotate_after_days = field(&mut t, "rotate_after_days", d);
    let max_credential_age_days = field(&mut t, "max_credential_age_days", d);
    Some(RawAccount {
        name: name.ok()?,
        handle: handle.ok()?,
        platform: platform.ok()?,
        kind: kind.ok()?,
        display_name: display_name.ok()?,
        owner: owner.ok()?,
        confirm: confirm.ok()?,
        non_interactive: non_interactive.ok()?,
        credentials: credentials.ok()?,
        language: language.ok()?,
        allow_delete: allow_delete.ok()?,
        require_alt_text: require_alt_text.ok()?,
        rotate_after_days: rotate_after_days.ok()?,
        max_credential_age_days: max_credential_age_days.ok()?,
    })
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
