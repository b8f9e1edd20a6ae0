//! The one error type that carries an exit code.
//!
//! Everything else travels as `anyhow::Error`; `main` looks for a `Failure` in the chain to pick
//! the exit code, and falls back to `GeneralError`.
//!
//! A failure's hint is not part of its `Display`: a `Failure` attached with `.context(...)` sits
//! in front of its cause, and a hint printed there would be glued between the two. Whoever
//! reports an error prints the whole message, then the hint (`hint_of`) on a line of its own.
//!
//! A failure worded through the catalogue (`Failure::said`, `hint_said`) keeps its English
//! text as its message and hint, which `--json` and the audit log carry, and the words of the
//! language shown beside them, which a person reads (`shown_message_of`, `shown_hint_of`).

use crate::exit_codes::ExitCode;
use crate::i18n::Both;
use std::fmt;

/// A failure with a documented exit code and, where we know one, the fix.
#[derive(Debug)]
pub struct Failure {
    pub code: ExitCode,
    pub message: String,
    pub hint: Option<String>,
    /// No server answered: the address came from the policy, so whoever reports it can say
    /// which account's entry holds it ([`at_account`]).
    pub unreachable: bool,
    /// The message and hint in the language shown, where it is not English.
    pub shown: Option<Box<Shown>>,
}

/// A failure's words in the language shown; None where that text is English.
#[derive(Debug, Default)]
pub struct Shown {
    pub message: Option<String>,
    pub hint: Option<String>,
}

impl Failure {
    pub fn new(code: ExitCode, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
            hint: None,
            unreachable: false,
            shown: None,
        }
    }

    /// Marks a failure to reach a server.
    pub fn unreachable(mut self) -> Self {
        self.unreachable = true;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        if let Some(shown) = self.shown.as_mut() {
            shown.hint = None;
        }
        self
    }

    /// A failure worded by the catalogue: `Failure::said(code, both!("id", …))`.
    pub fn said(code: ExitCode, message: Both) -> Self {
        let mut failure = Failure::new(code, message.english);
        if let Some(text) = message.shown {
            failure.shown.get_or_insert_default().message = Some(text);
        }
        failure
    }

    /// A hint worded by the catalogue.
    pub fn hint_said(mut self, hint: Both) -> Self {
        self.hint = Some(hint.english);
        match hint.shown {
            Some(text) => self.shown.get_or_insert_default().hint = Some(text),
            None => {
                if let Some(shown) = self.shown.as_mut() {
                    shown.hint = None;
                }
            }
        }
        self
    }

    /// The message a person reads.
    pub fn shown_message(&self) -> &str {
        self.shown
            .as_ref()
            .and_then(|s| s.message.as_deref())
            .unwrap_or(&self.message)
    }

    /// The hint a person reads.
    pub fn shown_hint(&self) -> Option<&str> {
        self.shown
            .as_ref()
            .and_then(|s| s.hint.as_deref())
            .or(self.hint.as_deref())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
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

/// The fix a failure suggests, if it has one. Found the way `exit_code_of` finds the code,
/// outermost first; a failure without a hint (publish.rs's "post on … failed" over the
/// platform's failure) leaves the word to the failure under it.
pub fn hint_of(err: &anyhow::Error) -> Option<&str> {
    // A Failure attached with `.context(...)` is only reachable through anyhow's downcast.
    if let Some(hint) = err.downcast_ref::<Failure>().and_then(|f| f.hint.as_deref()) {
        return Some(hint);
    }
    err.chain()
        .filter_map(|e| e.downcast_ref::<Failure>())
        .find_map(|f| f.hint.as_deref())
}

/// `hint_of`, in the language shown.
pub fn shown_hint_of(err: &anyhow::Error) -> Option<&str> {
    if let Some(hint) = err.downcast_ref::<Failure>().and_then(Failure::shown_hint) {
        return Some(hint);
    }
    err.chain()
        .filter_map(|e| e.downcast_ref::<Failure>())
        .find_map(Failure::shown_hint)
}

/// `message_of`, in the language shown: each failure of the chain in its shown words, the
/// other causes (a server's answer, an I/O error) as they are.
pub fn shown_message_of(err: &anyhow::Error) -> String {
    let mut parts = Vec::new();
    // The outermost failure may be a context, reachable only through anyhow's downcast.
    let outer = err.downcast_ref::<Failure>();
    for (i, cause) in err.chain().enumerate() {
        // anyhow's downcast also looks under a context: its failure is this layer's only
        // when it words it.
        let failure = cause
            .downcast_ref::<Failure>()
            .or(outer.filter(|f| i == 0 && cause.to_string() == f.message));
        parts.push(match failure {
            Some(f) => f.shown_message().to_string(),
            None => cause.to_string(),
        });
    }
    parts.join(": ")
}

/// The error's whole message, every cause included, without the hint, for summaries that
/// show the hint apart.
pub fn message_of(err: &anyhow::Error) -> String {
    format!("{err:#}")
}

/// Adds, to a failure to reach a server, where the policy defines the account whose address it
/// was (`FILE:LINE`), since that is where the fix goes. Other errors pass unchanged.
pub fn at_account(err: anyhow::Error, account: &str, location: &str) -> anyhow::Error {
    let Some(inner) = err
        .chain()
        .find_map(|e| e.downcast_ref::<Failure>())
        .filter(|f| f.unreachable)
    else {
        return err;
    };
    let hint = match &inner.hint {
        Some(h) => format!("{h}; the account `{account}` is defined at {location}"),
        None => format!("the account `{account}` is defined at {location}"),
    };
    let code = inner.code;
    err.context(Failure::new(code, format!("account `{account}`")).hint(hint))
}

/// The whole message, then the hint on a line of its own: for places that keep an error as one
/// text (a per-item line, a JSON field).
pub fn describe(err: &anyhow::Error) -> String {
    match hint_of(err) {
        Some(hint) => format!("{err:#}\nhint: {hint}"),
        None => format!("{err:#}"),
    }
}

/// `describe`, in the language shown: for a line a person reads.
pub fn shown_describe(err: &anyhow::Error) -> String {
    match shown_hint_of(err) {
        Some(hint) => format!("{}\n{} {hint}", shown_message_of(err), crate::i18n::t!("label-hint")),
        None => shown_message_of(err),
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
    fn a_catalogue_failure_records_english_and_shows_its_language() {
        use crate::i18n::{Both, Language, with_language};
        let (err, english) = with_language(Language::French, || {
            let f = Failure::said(ExitCode::NotConfirmed, Both::of("refusal-nothing-typed", &[]))
                .hint_said(Both::of("hint-login", &[("name", "demo".into())]));
            (
                anyhow::Error::from(f).context("while asking"),
                Failure::new(ExitCode::Usage, "x"),
            )
        });
        assert_eq!(message_of(&err), "while asking: not confirmed: nothing was typed");
        assert_eq!(shown_message_of(&err), "while asking: non confirmé : rien n'a été tapé");
        assert!(
            hint_of(&err).is_some_and(|h| h.starts_with("store")),
            "{:?}",
            hint_of(&err)
        );
        assert!(
            shown_hint_of(&err).is_some_and(|h| h.starts_with("enregistrez")),
            "{:?}",
            shown_hint_of(&err)
        );
        // An English failure shows what it records.
        assert_eq!(english.shown_message(), "x");
        assert_eq!(english.shown_hint(), None);
    }

    #[test]
    fn plain_errors_are_general() {
        let err = anyhow::anyhow!("boom");
        assert_eq!(exit_code_of(&err), ExitCode::GeneralError);
    }

    #[test]
    fn the_hint_comes_after_the_whole_message() {
        let f = Failure::new(ExitCode::Credential, "no credential").hint("run `postgate login demo`");
        assert_eq!(f.to_string(), "no credential");
        let err = anyhow::Error::from(f);
        assert_eq!(hint_of(&err), Some("run `postgate login demo`"));
        assert_eq!(describe(&err), "no credential\nhint: run `postgate login demo`");
    }

    #[test]
    fn a_failure_attached_as_context_keeps_its_hint_and_its_cause() {
        // How publish.rs and bluesky.rs attach failures: over an I/O or HTTP cause.
        let cause = std::io::Error::other("connection reset");
        let err = anyhow::Error::from(cause)
            .context(Failure::new(ExitCode::Platform, "the outcome is unknown").hint("run `postgate reconcile demo`"));
        assert_eq!(exit_code_of(&err), ExitCode::Platform);
        assert_eq!(hint_of(&err), Some("run `postgate reconcile demo`"));
        assert_eq!(message_of(&err), "the outcome is unknown: connection reset");
        assert_eq!(
            describe(&err),
            "the outcome is unknown: connection reset\nhint: run `postgate reconcile demo`"
        );
    }

    #[test]
    fn the_outermost_hint_wins_and_a_failure_without_one_defers() {
        let inner = || Failure::new(ExitCode::Platform, "401").hint("store a new credential");
        let err = anyhow::Error::from(inner()).context(Failure::new(ExitCode::Platform, "post on @a failed"));
        assert_eq!(exit_code_of(&err), ExitCode::Platform);
        assert_eq!(hint_of(&err), Some("store a new credential"));
        let err = anyhow::Error::from(inner())
            .context(Failure::new(ExitCode::Incomplete, "published, not recorded").hint("do not run it again"));
        assert_eq!(hint_of(&err), Some("do not run it again"));
        let err = anyhow::Error::from(inner()).context("while publishing");
        assert_eq!(hint_of(&err), Some("store a new credential"));
    }
}
