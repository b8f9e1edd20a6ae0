//! `[[rules]]` exactly as written, with the span of every value that validation may blame.
//!
//! Unknown keys are errors (`deny_unknown_fields`), as everywhere in the policy.

use crate::account::Kind;
use serde::Deserialize;
use toml::Spanned;

/// One `[[rules]]` entry. Every kind's keys live here; validation rejects the keys that do not
/// belong to the rule's kind, so a `max_images` under a `terms` rule is an error, not a no-op.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub id: Spanned<String>,
    pub kind: Spanned<String>,
    pub level: Spanned<String>,
    pub message: Option<Spanned<String>>,
    /// Scope: account kinds (`official`, `personal`).
    pub kinds: Option<Spanned<Vec<Spanned<Kind>>>>,
    /// Scope: account names.
    pub accounts: Option<Spanned<Vec<Spanned<String>>>>,
    // terms
    pub terms: Option<Spanned<Vec<Spanned<String>>>>,
    pub suggest: Option<Spanned<std::collections::BTreeMap<String, String>>>,
    // pattern
    pub patterns: Option<Spanned<Vec<Spanned<RawPattern>>>>,
    // links
    pub allow: Option<Spanned<Vec<Spanned<String>>>>,
    pub deny: Option<Spanned<Vec<Spanned<String>>>>,
    pub shorteners: Option<Spanned<String>>,
    // mentions
    pub on: Option<Spanned<Vec<Spanned<String>>>>,
    pub except: Option<Spanned<Vec<Spanned<String>>>>,
    // hidden-characters
    pub mixed_script: Option<Spanned<bool>>,
    // media
    pub require_alt: Option<Spanned<bool>>,
    pub max_images: Option<Spanned<i64>>,
    // counts
    pub max_hashtags: Option<Spanned<i64>>,
    pub max_mentions: Option<Spanned<i64>>,
    pub max_length: Option<Spanned<i64>>,
    // language
    pub languages: Option<Spanned<Vec<Spanned<String>>>>,
    // schedule
    pub timezone: Option<Spanned<String>>,
    pub quiet: Option<Spanned<String>>,
    pub days: Option<Spanned<Vec<Spanned<String>>>>,
    // rate
    pub max_per_hour: Option<Spanned<i64>>,
    pub max_per_day: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPattern {
    pub regex: Spanned<String>,
    pub message: Option<String>,
}
