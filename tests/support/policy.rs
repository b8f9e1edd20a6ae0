//! Policies: the default one, and the account tables many tests put in theirs.
//!
//! `{dir}` is the test's temp folder and `{uid}` a suffix unique to the test (filled in by
//! `Test::fill`), so keychain items of parallel tests never collide.

/// The `[audit]` table and the official outbox account `demo` that start the default policy,
/// as a literal for `concat!` (the policies of plan.rs and queue.rs start the same way).
macro_rules! audit_and_demo {
    () => {
        r#"
[audit]
path = "{dir}/state/audit.jsonl"

[[accounts]]
name = "demo"
handle = "@mairie_demo_{uid}"
platform = "outbox"
kind = "official"
display_name = "Ministère (démo)"
owner = "Équipe réseaux sociaux"
path = "{dir}/outbox"
"#
    };
}
pub(crate) use audit_and_demo;

/// The default policy: three outbox accounts, `demo` (official), `perso` (personal) and
/// `vault` (official, its secret in the keychain).
pub const DEFAULT_POLICY: &str = concat!(
    audit_and_demo!(),
    r#"
[[accounts]]
name = "perso"
handle = "@camille_{uid}"
platform = "outbox"
kind = "personal"
display_name = "Camille Durand"
owner = "Camille Durand"
path = "{dir}/perso-outbox"

[[accounts]]
name = "vault"
handle = "@vault_{uid}"
platform = "outbox"
kind = "official"
display_name = "Compte à secret"
owner = "Équipe réseaux sociaux"
path = "{dir}/vault-outbox"
credentials = "keychain"
"#
);

/// The `[audit]` table of a policy written by a test: the log in the test's state folder,
/// where `Test::audit` reads it.
pub const AUDIT: &str = "[audit]\npath = \"{dir}/state/audit.jsonl\"\n";

/// The line that lets an account's secret come from `POSTGATE_SECRET_<NAME>`.
pub const FROM_ENV: &str = "credentials = \"keychain-or-env\"\n";

/// An official Mastodon account table `name` ("Mairie", owner "Tests") for `handle` on
/// `instance`.
pub fn mastodon(name: &str, handle: &str, instance: &str) -> String {
    format!(
        "[[accounts]]\nname = \"{name}\"\nhandle = \"{handle}\"\nplatform = \"mastodon\"\ninstance = \"{instance}\"\nkind = \"official\"\ndisplay_name = \"Mairie\"\nowner = \"Tests\"\n"
    )
}

/// An official Bluesky account table `name` ("Mairie", owner "Tests") for `handle` on the PDS
/// at `service`.
pub fn bluesky(name: &str, handle: &str, service: &str) -> String {
    format!(
        "[[accounts]]\nname = \"{name}\"\nhandle = \"{handle}\"\nplatform = \"bluesky\"\nservice = \"{service}\"\nkind = \"official\"\ndisplay_name = \"Mairie\"\nowner = \"Tests\"\n"
    )
}

/// A whole policy: `AUDIT`, then each table after a blank line.
pub fn with_audit(tables: &[&str]) -> String {
    let mut policy = AUDIT.to_string();
    for table in tables {
        policy.push('\n');
        policy.push_str(table);
    }
    policy
}

/// A policy with one official outbox account `demo`, its audit log at `audit`, and `extra`
/// lines appended to the account's table.
pub fn demo_policy(audit: &str, extra: &str) -> String {
    format!(
        "[audit]\npath = \"{audit}\"\n\n[[accounts]]\nname = \"demo\"\nhandle = \"@mairie_demo_{{uid}}\"\nplatform = \"outbox\"\nkind = \"official\"\ndisplay_name = \"Démo\"\nowner = \"Tests\"\npath = \"{{dir}}/outbox\"\n{extra}\n"
    )
}
