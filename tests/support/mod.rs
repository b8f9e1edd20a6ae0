//! One fluent builder for every integration test, in the style of casey/just's tests.
//!
//! `Test::new()` makes a world: a temp HOME with XDG folders, a policy (the default one or
//! one given), an outbox folder, and on request a real Secret Service. `t.cmd(...)` then runs
//! the real `postgate` binary in that world, checks the exit status and output, and returns
//! what it printed. `.tty()` runs it in a real pseudo-terminal instead.
//!
//! - `builder`: the world (`Test`) and the files in it;
//! - `cmd`: one run of postgate and its expected status and output (`Cmd`), exit codes;
//! - `tty`: a run in a pseudo-terminal (`Tty`), with `screen` for what a terminal shows;
//! - `policy`: the default policy and the account tables tests put in theirs;
//! - `services`: the real services, each started once per test run and shared;
//! - `mastodon`, `bluesky`: each platform's client, to make accounts and read what was posted;
//! - `facebook`: the Facebook Graph API fake, and its control API;
//! - `linkedin`: the LinkedIn fake and its control API;
//! - `postgres`: a throwaway PostgreSQL cluster (TLS only) and a fresh database per test;
//! - `x`: the X fake behind Prism (X's OpenAPI document), and the fake's control API;
//! - `hostile`: a scriptable HTTP server, for what a real server would not do.
//!
//! The services stop when the test binary exits: a missing service is a failure, never a skip.

#![allow(dead_code)]

pub mod bluesky;
pub mod browser;
pub mod builder;
pub mod cmd;
pub mod control;
pub mod facebook;
pub mod hostile;
pub mod linkedin;
pub mod mastodon;
pub mod passkey;
pub mod policy;
pub mod postgres;
pub mod rsyslog;
pub mod screen;
pub mod services;
pub mod tty;
pub mod web;
pub mod x;

pub use bluesky::{BlueskyUser, bluesky_posts, bluesky_user, pds_url};
pub use builder::{PNG, Test, mkfifo};
pub use cmd::{BIN, Cmd, code, run_together};
pub use facebook::facebook_fake;
pub use linkedin::linkedin_fake;
pub use mastodon::{MastodonUser, mastodon_faults, mastodon_statuses, mastodon_url, mastodon_user};
pub use policy::{DEFAULT_POLICY, demo_policy};
pub use postgres::postgres_server;
pub use tty::Tty;
pub use x::x_fake;
