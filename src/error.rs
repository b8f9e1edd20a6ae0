//! The one error type that carries an exit code.
//!
//! Everything else travels as `anyhow::Error`; `main` looks for a `Failure` in the chain to pick
//! the exit code, and falls back to `GeneralError`.

use crate::exit_codes::ExitCode;
use std::fmt;

/// A failure with a documented exit code and, where we know one, the fix.
#[derive(Debug)]
pub struct Failure {
    pub code: ExitCode,
    pub message: String,
    pub hint: Option<String>,
}

impl Failure {
    pub fn new(code: ExitCode, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}

/// The exit code an error maps to.
pub fn exit_code_of(err: &anyhow::Error) -> ExitCode {
    // A Failure attached with `.context(...)` is only reachable through anyhow's downcast.
    if let Some(f) = err.downcast_ref::<Failure>() {
        return f.code;
    }
    err.chain()
        .find_map(|e| e.downcast_ref::<Failure>())
        .map(|f| f.code)
        .unwrap_or(ExitCode::GeneralError)
}

/// The fix a failure suggests, if it has one.
pub fn hint_of(err: &anyhow::Error) -> Option<&str> {
    err.chain()
        .find_map(|e| e.downcast_ref::<Failure>())
        .and_then(|f| f.hint.as_deref())
}

/// The error's message without its hint, for one-line summaries that show the hint apart.
pub fn message_of(err: &anyhow::Error) -> String {
    match err.downcast_ref::<Failure>() {
        Some(f) => f.message.clone(),
        None => format!("{err:#}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_survives_added_context() {
        let err = anyhow::Error::from(Failure::new(ExitCode::Audit, "disk full")).context("while recording the intent");
        assert_eq!(exit_code_of(&err), ExitCode::Audit);
    }

    #[test]
    fn plain_errors_are_general() {
        let err = anyhow::anyhow!("boom");
        assert_eq!(exit_code_of(&err), ExitCode::GeneralError);
    }

    #[test]
    fn display_includes_the_hint() {
        let f = Failure::new(ExitCode::Credential, "no credential").hint("run `postgate login demo`");
        assert_eq!(f.to_string(), "no credential\nhint: run `postgate login demo`");
    }
}
