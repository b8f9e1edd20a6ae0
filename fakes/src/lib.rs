//! Stateful fakes of the platform APIs postgate posts to, for postgate's tests.
//!
//! X (Twitter) has no server anyone can run, so `x` is written from X's docs and its OpenAPI
//! document; the tests put Prism (X's document, proxy mode) in front of it, so both what
//! postgate sends and what the fake answers are checked against X's own description.
//! `linkedin` follows LinkedIn's Posts API docs; a Facebook fake is to join them.
//!
//! Each fake is a binary (`postgate-fake-x`, `postgate-fake-linkedin`) serving on loopback, with a control API under
//! `/_fake/` (see `README.md` beside this crate's `Cargo.toml`).

pub mod http;
pub mod linkedin;
pub mod time;
pub mod x;
