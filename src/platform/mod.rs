//! The platform registry: the one list of platforms, and the few questions asked of "the
//! account's platform" that need it.
//!
//! Adding a platform is one file (or folder) in this folder, implementing the traits of
//! [`spec`], and one line in [`PLATFORMS`].

pub mod bluesky;
pub mod facebook;
pub mod fuzzing;
pub mod handles;
pub mod http;
pub mod linkedin;
pub mod mastodon;
pub mod outbox;
pub mod settle;
pub mod spec;
pub mod x;

use crate::account::{Account, HandleMatch, compare_handle};
use anyhow::Result;
use spec::{Client, Identity, Spec};

/// Every platform postgate can publish to.
pub static PLATFORMS: &[&dyn Spec] = &[
    &outbox::SPEC,
    &mastodon::SPEC,
    &bluesky::SPEC,
    &x::SPEC,
    &linkedin::SPEC,
    &facebook::SPEC,
];

/// The platform a policy names, if there is one by that name.
pub fn by_name(name: &str) -> Option<&'static dyn Spec> {
    PLATFORMS.iter().copied().find(|p| p.name().as_str() == name)
}

/// The account's platform. Accounts are only made by the policy loader, from a registered
/// platform, so this always finds it.
pub fn of(account: &Account) -> &'static dyn Spec {
    by_name(account.platform.as_str()).unwrap_or_else(|| unreachable!("accounts come from registered platforms"))
}

/// The names of every platform, for messages.
pub fn names() -> Vec<&'static str> {
    PLATFORMS.iter().map(|p| p.name().as_str()).collect()
}

/// The largest image a platform named in a plan or queue file takes. A name no platform has
/// gets the smallest limit of all, so a file naming a platform that was removed cannot carry
/// a larger image than any platform takes.
pub fn max_image_bytes(name: &str) -> u64 {
    match by_name(name) {
        Some(p) => p.max_image_bytes(),
        None => PLATFORMS.iter().map(|p| p.max_image_bytes()).min().unwrap_or(0),
    }
}

/// The post's length as the account's platform counts it, and the limits known offline: see
/// [`Spec::offline`].
pub fn offline(account: &Account, text: &str) -> (usize, Option<spec::Limits>) {
    of(account).offline(account, text)
}

/// The account's client. No request is made yet.
pub fn connect(account: &Account) -> Result<Box<dyn Client>> {
    of(account).connect(account)
}

/// Compares what the platform says with what the policy says: the handle always, the pinned
/// id when the policy has one. Returns a description of the difference.
pub fn identity_mismatch(account: &Account, identity: &Identity) -> Option<String> {
    let shown = crate::sanitize::one_line(&identity.handle);
    if compare_handle(&identity.handle, &account.handle) != HandleMatch::Exact {
        return Some(format!(
            "the policy says account `{}` is {}, but {} says the credential belongs to {shown}",
            account.name,
            account.handle,
            account.platform.as_str()
        ));
    }
    match (account.pinned_id(), &identity.id) {
        (Some(pinned), Some(actual)) if pinned != actual => Some(format!(
            "the policy pins account `{}` to id {pinned}, but {} says the credential belongs to id {} ({shown})",
            account.name,
            account.platform.as_str(),
            crate::sanitize::one_line(actual)
        )),
        (Some(pinned), None) => Some(format!(
            "the policy pins account `{}` to id {pinned}, but {} gave no id to compare",
            account.name,
            account.platform.as_str()
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_platform_is_found_by_its_own_name_and_names_are_unique() {
        let names = names();
        for name in &names {
            assert_eq!(by_name(name).map(|p| p.name().as_str()), Some(*name));
            assert_eq!(names.iter().filter(|n| *n == name).count(), 1, "{name} twice");
        }
        assert!(by_name("myspace").is_none());
    }

    #[test]
    fn an_unknown_platform_gets_the_smallest_image_limit() {
        let smallest = PLATFORMS.iter().map(|p| p.max_image_bytes()).min();
        assert_eq!(Some(max_image_bytes("myspace")), smallest);
    }
}
