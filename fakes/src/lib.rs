//! Stateful fakes of the platform APIs postgate posts to, for postgate's tests.
//!
//! X (Twitter) has no server anyone can run, so `x` is written from X's docs and its OpenAPI
//! document; the tests put Prism (X's document, proxy mode) in front of it, so both what
//! postgate sends and what the fake answers are checked against X's own description.
//! Facebook and LinkedIn fakes are to join it here.
//!
//! Each fake is a binary (`postgate-fake-x`) serving on loopback, with a control API under
//! `/_fake/` (see `README.md` beside this crate's `Cargo.toml`).

pub mod http;
pub mod time;
pub mod x;
