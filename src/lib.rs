//! postgate as a library: the modules behind the `postgate` binary.
//!
//! The binary is the product; the library exists so benchmarks and integration harnesses can
//! reach the same code (the audit log, the sanitizer) without going through a process.

pub mod account;
pub mod approval;
pub mod audit;
pub mod banner;
pub mod checkpoint;
pub mod cli;
pub mod commands;
pub mod confirm;
pub mod content;
pub mod credentials;
pub mod diagnostic;
pub mod digest;
pub mod draft;
pub mod error;
pub mod exit_codes;
pub mod fault;
pub mod fuzzing;
pub mod generation;
pub mod graphemes;
pub mod http;
pub mod i18n;
pub mod landed;
pub mod lockdown;
pub mod machine;
pub mod media;
pub mod output;
pub mod paths;
pub mod plan;
pub mod platform;
pub mod policy;
pub mod publish;
pub mod queue;
pub mod redacted;
pub mod review;
pub mod rules;
pub mod sanitize;
pub mod stats;
pub mod store;
pub mod syslog;
