//! The account model every part of postgate shares: an account, its kind, where it publishes,
//! and the handle comparison that guards every publish.
//!
//! This module sits at the bottom of the crate and names no other postgate module: the policy
//! builds accounts, the platforms read their own destination, and everyone else reads the rest.

use serde::{Deserialize, Serialize};
use std::any::Any;
use std::sync::Arc;
use unicode_normalization::UnicodeNormalization;
use unicode_security::confusable_detection::skeleton;

/// Whether an account speaks for an institution or for a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Official,
    Personal,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Official => "official",
            Kind::Personal => "personal",
        }
    }

    /// The kind an audit record names; anything but `personal` is taken as official, so a
    /// damaged record errs on the side of the stricter rules.
    pub fn of_str(text: &str) -> Kind {
        if text == "personal" {
            Kind::Personal
        } else {
            Kind::Official
        }
    }
}

/// How a person proves they mean this account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confirm {
    /// Answer y/N. Only allowed for personal accounts.
    Yes,
    /// Type the account's handle.
    Handle,
}

/// Whether scripts (no terminal) may publish to the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NonInteractive {
    Allow,
    Deny,
}

/// Where the account's secret comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialPolicy {
    None,
    Keychain,
    KeychainOrEnv,
}

impl CredentialPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialPolicy::None => "none",
            CredentialPolicy::Keychain => "keychain",
            CredentialPolicy::KeychainOrEnv => "keychain-or-env",
        }
    }
}

/// The platform an account is on, as the platform registry (`platform::PLATFORMS`) names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct PlatformName(&'static str);

impl PlatformName {
    /// Only the registry makes these, from its platforms' own names.
    pub const fn new(name: &'static str) -> PlatformName {
        PlatformName(name)
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

/// Who may see a post, from everyone to only the people it mentions. Platforms that have
/// audiences map these onto their own; the others take no visibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    Public,
    Unlisted,
    Private,
    Direct,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Private => "private",
            Visibility::Direct => "direct",
        }
    }
}

/// How a correction is published where the platform has no edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Correction {
    /// A reply to the original carrying the correction; the original stays.
    Reply,
    /// Delete the original and post the corrected text anew (likes and replies are lost).
    DeleteAndRepost,
}

/// Where an account publishes, as its platform's own validated policy keys. Only the platform
/// that made it looks inside (through [`Account::destination`]); everyone else asks it for the
/// two things every platform has.
pub trait Destination: AsAny + std::fmt::Debug + Send + Sync {
    /// The host the credential belongs to: the server's host with its port, or `local` where
    /// nothing leaves the machine. Credentials are keyed by it, so a policy that later points
    /// the account elsewhere finds no credential instead of sending the old one to a new host.
    fn host(&self) -> String;
    /// The stable id the policy pins the account to, if it pins one.
    fn pinned_id(&self) -> Option<&str>;
}

/// How a platform gets its own destination type back from an account: implemented for every
/// type, so no platform writes it.
pub trait AsAny {
    fn as_any(&self) -> &dyn Any;
}

impl<T: Any> AsAny for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// One validated `[[accounts]]` entry.
#[derive(Debug, Clone)]
pub struct Account {
    pub name: String,
    pub handle: String,
    pub platform: PlatformName,
    /// The platform's own keys for this account.
    pub destination: Arc<dyn Destination>,
    pub kind: Kind,
    pub display_name: String,
    pub owner: String,
    pub confirm: Confirm,
    pub non_interactive: NonInteractive,
    pub credentials: CredentialPolicy,
    /// Default language of posts (ISO 639, e.g. `fr`).
    pub language: Option<String>,
    /// Whether `postgate delete` may remove posts.
    pub allow_delete: bool,
    /// Whether every image needs a description.
    pub require_alt_text: bool,
    /// Credential age, in days, past which the banner asks for rotation.
    pub rotate_after_days: Option<u32>,
    /// Credential age, in days, past which posting is refused.
    pub max_credential_age_days: Option<u32>,
    /// 1-based line of the account's table, for messages.
    pub line: usize,
    /// Defined by the system policy, which a user policy cannot redefine.
    pub system: bool,
}

impl Account {
    /// See [`Destination::host`].
    pub fn host(&self) -> String {
        self.destination.host()
    }

    /// See [`Destination::pinned_id`].
    pub fn pinned_id(&self) -> Option<&str> {
        self.destination.pinned_id()
    }

    /// The destination as its platform's own type; `None` for another platform's account.
    pub fn destination<T: 'static>(&self) -> Option<&T> {
        // Through the trait object, so the vtable answers for the platform's own type, not the `Arc`.
        (*self.destination).as_any().downcast_ref::<T>()
    }
}

/// The result of comparing what a person typed with the account's handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandleMatch {
    Exact,
    /// Nothing was typed.
    Empty,
    /// Different text that renders like the handle (Cyrillic `а` for Latin `a`, `rn` for `m`).
    LookAlike,
    Different,
}

/// Strips what people reasonably vary when typing a handle: surrounding space, one leading `@`,
/// and Unicode normalisation form.
fn normalise(text: &str) -> String {
    let nfc: String = text.trim().nfc().collect();
    nfc.strip_prefix('@').unwrap_or(&nfc).to_string()
}

/// Compares a typed handle with the expected one.
///
/// The rule: trim surrounding whitespace, make a leading `@` optional, compare ASCII letters
/// case-insensitively; everything else must be exactly equal after NFC. A string that differs
/// but has the same confusable skeleton (UTS #39) is reported as a look-alike, so the message
/// can say so instead of a bare "wrong handle".
pub fn compare_handle(typed: &str, expected: &str) -> HandleMatch {
    let typed = normalise(typed);
    let expected = normalise(expected);
    if typed.is_empty() {
        return HandleMatch::Empty;
    }
    if typed.eq_ignore_ascii_case(&expected) {
        return HandleMatch::Exact;
    }
    if handles_look_alike(&typed, &expected) {
        HandleMatch::LookAlike
    } else {
        HandleMatch::Different
    }
}

/// The confusable skeletons (UTS #39) a handle is compared by: as written and in lower case.
///
/// As written, because `I` looks like `l` and `O` like `0` only in upper case, and lower-casing
/// first would hide that; in lower case, because handles are case-insensitive, so `@LYON` and
/// `@lyon` are one account and their look-alikes are the same. The skeleton is lower-cased
/// after, so two keys never differ by case alone.
pub fn look_alike_keys(handle: &str) -> [String; 2] {
    let key = |s: &str| skeleton(s).collect::<String>().to_lowercase();
    [key(handle), key(&handle.to_lowercase())]
}

/// Whether two handles render alike: a key of one is a key of the other.
pub fn handles_look_alike(a: &str, b: &str) -> bool {
    let (a, b) = (look_alike_keys(a), look_alike_keys(b));
    a.iter().any(|k| b.contains(k))
}

/// Returns the first non-ASCII character of a handle-like string, if any.
pub fn first_non_ascii(text: &str) -> Option<char> {
    text.chars().find(|c| !c.is_ascii())
}

// These enums are written in policies and plans as lowercase strings.
impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "official" => Ok(Kind::Official),
            "personal" => Ok(Kind::Personal),
            other => Err(serde::de::Error::unknown_variant(other, &["official", "personal"])),
        }
    }
}

impl<'de> Deserialize<'de> for Confirm {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "handle" => Ok(Confirm::Handle),
            "yes" => Ok(Confirm::Yes),
            other => Err(serde::de::Error::unknown_variant(other, &["handle", "yes"])),
        }
    }
}

impl<'de> Deserialize<'de> for NonInteractive {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "allow" => Ok(NonInteractive::Allow),
            "deny" => Ok(NonInteractive::Deny),
            other => Err(serde::de::Error::unknown_variant(other, &["allow", "deny"])),
        }
    }
}

impl<'de> Deserialize<'de> for CredentialPolicy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "none" => Ok(CredentialPolicy::None),
            "keychain" => Ok(CredentialPolicy::Keychain),
            "keychain-or-env" => Ok(CredentialPolicy::KeychainOrEnv),
            other => Err(serde::de::Error::unknown_variant(
                other,
                &["none", "keychain", "keychain-or-env"],
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "@culture_gouv@social.example.fr";

    #[test]
    fn exact_modulo_case_space_and_at() {
        assert_eq!(compare_handle(H, H), HandleMatch::Exact);
        assert_eq!(
            compare_handle("  culture_gouv@social.example.fr \n", H),
            HandleMatch::Exact
        );
        assert_eq!(compare_handle("@CULTURE_GOUV@Social.Example.FR", H), HandleMatch::Exact);
    }

    #[test]
    fn empty_is_its_own_answer() {
        assert_eq!(compare_handle("   ", H), HandleMatch::Empty);
        assert_eq!(compare_handle("@", H), HandleMatch::Empty);
    }

    #[test]
    fn cyrillic_a_is_a_look_alike() {
        let spoof = "@culture_gouv@soci\u{430}l.example.fr";
        assert_eq!(compare_handle(spoof, H), HandleMatch::LookAlike);
    }

    #[test]
    fn rn_for_m_is_a_look_alike() {
        assert_eq!(compare_handle("@rninistere", "@ministere"), HandleMatch::LookAlike);
    }

    #[test]
    fn capital_i_for_l_and_capital_o_for_zero_are_look_alikes() {
        assert_eq!(compare_handle("@Iyon_ville", "@lyon_ville"), HandleMatch::LookAlike);
        assert_eq!(
            compare_handle("@mairie_parisO", "@mairie_paris0"),
            HandleMatch::LookAlike
        );
        assert!(handles_look_alike("lyon_ville", "Iyon_ville"));
        assert!(handles_look_alike("mairie_paris0", "mairie_parisO"));
        assert!(!handles_look_alike("lyon_ville", "lyon_villes"));
    }

    #[test]
    fn another_handle_is_different() {
        assert_eq!(compare_handle("@jeanne.martin", H), HandleMatch::Different);
        // The personal account of the same person must never count as the official one.
        assert_eq!(compare_handle("@culture_gouv", H), HandleMatch::Different);
    }

    #[test]
    fn non_ascii_case_is_not_folded() {
        // Only ASCII is case-folded: É and é are different answers.
        assert_ne!(compare_handle("@É", "@é"), HandleMatch::Exact);
    }

    #[test]
    fn nfc_equivalent_forms_match() {
        assert_eq!(compare_handle("@cafe\u{301}", "@caf\u{e9}"), HandleMatch::Exact);
    }
}
