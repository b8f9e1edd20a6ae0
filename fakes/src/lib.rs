//! Stateful fakes of the platform APIs postgate posts to, for postgate's tests.
//!
//! X (Twitter) has no server anyone can run, so `x` is written from X's docs and its OpenAPI
//! document; the tests put Prism (X's document, proxy mode) in front of it, so both what
//! postgate sends and what the fake answers are checked against X's own description.
//! `facebook` is written from Meta's Graph API docs alone: Meta publishes no machine-readable
//! description, so nothing checks it from outside. `linkedin` follows LinkedIn's Posts API docs.
//!
//! Each fake is a binary (`postgate-fake-x`, `postgate-fake-facebook`, `postgate-fake-linkedin`) serving on loopback, with a control API under
//! `/_fake/` (see `README.md` beside this crate's `Cargo.toml`).

pub mod facebook;
pub mod http;
pub mod linkedin;
pub mod time;
pub mod x;
