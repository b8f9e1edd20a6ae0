//! The integration tests: one test binary, as casey/just does it.
//!
//! Every file beside this one is a module of this crate (`autotests = false` and one `[[test]]`
//! in Cargo.toml), so the real services the tests talk to (the Secret Service, mastodon-mock,
//! the Bluesky PDS) start once per run, the first time a test needs them, and stop when this
//! binary exits (see `support::services`). One link instead of one per feature, too.
//!
//! Run one feature with `cargo test --test postgate mastodon::`, one test by its full path.

mod support;

mod architecture;
mod audit;
mod bluesky;
mod bluesky_lost_answer;
mod browser;
mod check;
mod checkpoint;
mod ci_examples;
mod completions;
mod confirm;
mod end_to_end;
mod example_policy;
mod facebook;
mod fail_closed;
mod french;
mod help;
mod json_contract;
mod keychain;
mod linkedin;
mod lockdown;
mod log_stats;
mod mastodon;
mod mastodon_retries;
mod no_panic;
mod passkey;
mod plan;
mod policy_errors;
mod queue;
mod reconcile;
mod release;
mod review;
mod rules;
mod safe_json;
mod spoofing;
mod store;
mod store_server;
mod syslog;
mod system_policy;
mod tour;
mod who;
mod x;
mod x_contract;
mod x_counting;
