//! The exit codes postgate promises to scripts.
//!
//! These numbers are part of the public interface: CI jobs branch on them. Never renumber a
//! variant; add new ones at the end.

/// A documented, stable process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExitCode {
    /// Everything asked for was done.
    Success,
    /// An unexpected failure that fits no other class (a bug, an I/O error on a local file).
    GeneralError,
    /// The command line was wrong (unknown flag, missing argument, bad value).
    Usage,
    /// The policy file is missing, unreadable or invalid.
    BadPolicy,
    /// The post breaks a content rule or a platform limit; nothing was sent.
    ContentRefused,
    /// Nobody confirmed the target account (wrong or missing handle, no terminal, Ctrl-C).
    NotConfirmed,
    /// The credential is missing, unreadable, or the keychain is unreachable.
    Credential,
    /// The credential belongs to another account than the policy says.
    IdentityMismatch,
    /// The platform or the network failed. Nothing was published, unless the server never
    /// answered; the message then says the outcome is unknown.
    Platform,
    /// The audit log could not be written or does not verify (nor against a signed checkpoint:
    /// `log verify --checkpoint`, `log checkpoint`); nothing was published.
    Audit,
    /// The platform was changed but the run did not complete: published but not recorded, or
    /// the original deleted but the correction not reposted. The message says what stands.
    Incomplete,
    /// A plan was refused: approvals missing, a signature invalid, unknown or the author's own,
    /// the plan changed since it was signed, or it expired. Nothing was published.
    PlanRefused,
    /// The account is locked down (`postgate lockdown`), or its credential predates the last
    /// lockdown. Nothing was published.
    LockedDown,
    /// `reconcile` found posts on the platform that did not go through postgate.
    ForeignPosts,
    /// `log who` found no published post by that id or URL in the logs it read.
    NotFound,
}

impl ExitCode {
    /// Every variant, in numeric order, for documentation and tests.
    pub const ALL: [ExitCode; 15] = [
        ExitCode::Success,
        ExitCode::GeneralError,
        ExitCode::Usage,
        ExitCode::BadPolicy,
        ExitCode::ContentRefused,
        ExitCode::NotConfirmed,
        ExitCode::Credential,
        ExitCode::IdentityMismatch,
        ExitCode::Platform,
        ExitCode::Audit,
        ExitCode::Incomplete,
        ExitCode::PlanRefused,
        ExitCode::LockedDown,
        ExitCode::ForeignPosts,
        ExitCode::NotFound,
    ];

    pub fn code(self) -> i32 {
        match self {
            ExitCode::Success => 0,
            ExitCode::GeneralError => 1,
            ExitCode::Usage => 2,
            ExitCode::BadPolicy => 3,
            ExitCode::ContentRefused => 4,
            ExitCode::NotConfirmed => 5,
            ExitCode::Credential => 6,
            ExitCode::IdentityMismatch => 7,
            ExitCode::Platform => 8,
            ExitCode::Audit => 9,
            ExitCode::Incomplete => 10,
            ExitCode::PlanRefused => 11,
            ExitCode::LockedDown => 12,
            ExitCode::ForeignPosts => 13,
            ExitCode::NotFound => 14,
        }
    }

    /// A short stable name, used in `--json` output and audit records.
    pub fn name(self) -> &'static str {
        match self {
            ExitCode::Success => "success",
            ExitCode::GeneralError => "error",
            ExitCode::Usage => "usage",
            ExitCode::BadPolicy => "bad-policy",
            ExitCode::ContentRefused => "content-refused",
            ExitCode::NotConfirmed => "not-confirmed",
            ExitCode::Credential => "credential",
            ExitCode::IdentityMismatch => "identity-mismatch",
            ExitCode::Platform => "platform",
            ExitCode::Audit => "audit",
            ExitCode::Incomplete => "incomplete",
            ExitCode::PlanRefused => "plan-refused",
            ExitCode::LockedDown => "locked-down",
            ExitCode::ForeignPosts => "foreign-posts",
            ExitCode::NotFound => "not-found",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            ExitCode::Success => "success",
            ExitCode::GeneralError => "unexpected error",
            ExitCode::Usage => "usage error (bad flags or arguments)",
            ExitCode::BadPolicy => "bad or missing policy",
            ExitCode::ContentRefused => "refused by content policy or platform limit",
            ExitCode::NotConfirmed => "not confirmed (wrong handle, no terminal, cancelled)",
            ExitCode::Credential => "credential problem (missing, keychain unreachable)",
            ExitCode::IdentityMismatch => "identity mismatch (credential belongs to another account)",
            ExitCode::Platform => {
                "platform or network error (nothing published unless the message says the outcome is unknown)"
            }
            ExitCode::Audit => "audit log failure, nothing published",
            ExitCode::Incomplete => {
                "changed on the platform but incomplete (published but not recorded, or deleted but not reposted)"
            }
            ExitCode::PlanRefused => {
                "plan refused: approvals missing or invalid, self-approved, changed since signed, or expired"
            }
            ExitCode::LockedDown => "account locked down (or its credential predates the lockdown); nothing published",
            ExitCode::ForeignPosts => "reconcile found posts that did not go through postgate",
            ExitCode::NotFound => "log who found no published post by that id or URL in the logs it read",
        }
    }

    /// The exit-code table shown at the end of `--help` and in the README.
    pub fn table() -> String {
        let mut out = String::from("Exit codes:\n");
        for code in Self::ALL {
            out.push_str(&format!("  {:>2}  {}\n", code.code(), code.description()));
        }
        out
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(code: ExitCode) -> Self {
        // All codes are below 256 by construction (checked by a test).
        std::process::ExitCode::from(code.code() as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_distinct_and_fit_in_a_byte() {
        let codes: HashSet<i32> = ExitCode::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(codes.len(), ExitCode::ALL.len());
        assert!(
            codes.iter().all(|c| (0..=125).contains(c)),
            "keep clear of shell-reserved codes"
        );
    }

    #[test]
    fn names_are_distinct() {
        let names: HashSet<&str> = ExitCode::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names.len(), ExitCode::ALL.len());
    }

    #[test]
    fn all_is_in_numeric_order_so_the_table_reads_well() {
        let codes: Vec<i32> = ExitCode::ALL.iter().map(|c| c.code()).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        assert_eq!(codes, sorted);
    }

    #[test]
    fn the_published_numbers_never_change() {
        // Scripts depend on these; changing one is a breaking change.
        assert_eq!(ExitCode::Success.code(), 0);
        assert_eq!(ExitCode::Usage.code(), 2);
        assert_eq!(ExitCode::BadPolicy.code(), 3);
        assert_eq!(ExitCode::ContentRefused.code(), 4);
        assert_eq!(ExitCode::NotConfirmed.code(), 5);
        assert_eq!(ExitCode::Credential.code(), 6);
        assert_eq!(ExitCode::IdentityMismatch.code(), 7);
        assert_eq!(ExitCode::Platform.code(), 8);
        assert_eq!(ExitCode::Audit.code(), 9);
        assert_eq!(ExitCode::Incomplete.code(), 10);
        assert_eq!(ExitCode::PlanRefused.code(), 11);
        assert_eq!(ExitCode::LockedDown.code(), 12);
        assert_eq!(ExitCode::ForeignPosts.code(), 13);
        assert_eq!(ExitCode::NotFound.code(), 14);
    }

    #[test]
    fn table_lists_every_code() {
        let table = ExitCode::table();
        for code in ExitCode::ALL {
            assert!(table.contains(code.description()), "{code:?} missing from table");
        }
    }
}
