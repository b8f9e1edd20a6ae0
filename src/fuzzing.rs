//! Entry points for the fuzz targets in `fuzz/`, one per format postgate reads from outside.
//!
//! Each takes arbitrary bytes, feeds them to the real reader, and panics only when an
//! invariant breaks, so a fuzzer (or the property tests below, which run on every `cargo test`)
//! finds both crashes and wrong answers. They live in the library, not in `fuzz/`, so that the
//! invariants are compiled and exercised with the rest of the code and cannot drift from it.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A plan file: parsing never panics; a parsed plan hashes, serialises back to a plan with the
/// same hash, and answers its window at any instant.
pub fn plan_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(plan) = toml::from_str::<crate::plan::Plan>(text) else {
        return;
    };
    let hash = plan.compute_hash();
    assert!(hash.starts_with("sha256:"), "a plan hash is `sha256:…`: {hash}");
    let _ = plan.post_key();
    for second in [i64::MIN / 4, -1, 0, 1_700_000_000, 253_402_300_799] {
        if let Ok(now) = jiff::Timestamp::from_second(second) {
            let _ = plan.window_refusal(now);
        }
    }
    let _ = plan.window_refusal(jiff::Timestamp::MIN);
    let _ = plan.window_refusal(jiff::Timestamp::MAX);
    if let Ok(written) = plan.to_toml() {
        let again: crate::plan::Plan =
            toml::from_str(&written).unwrap_or_else(|e| panic!("a written plan reads back: {e}\n{written}"));
        assert_eq!(
            again.compute_hash(),
            hash,
            "writing a plan and reading it back keeps its hash"
        );
    }
}

/// The one key the signature target's policy knows, from a fixed seed, so that a test can make
/// a signature the target must accept and the fuzzer can start from it.
fn fuzz_key() -> ssh_key::PrivateKey {
    ssh_key::PrivateKey::from(ssh_key::private::Ed25519Keypair::from_seed(&[7; 32]))
}

/// The message the signature target checks signatures against.
fn fuzz_message() -> String {
    format!("sha256:{}", crate::digest::sha256_hex(b"fuzz"))
}

fn scratch(name: &str) -> PathBuf {
    // One file per thread, reused across inputs: a fuzzer runs millions of them.
    let dir = std::env::temp_dir().join(format!("postgate-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let thread = format!("{:?}", std::thread::current().id());
    let thread: String = thread.chars().filter(char::is_ascii_alphanumeric).collect();
    dir.join(format!("{name}-{thread}"))
}

fn write_scratch(path: &Path, data: &[u8]) -> bool {
    std::fs::File::create(path).and_then(|mut f| f.write_all(data)).is_ok()
}

/// A policy that knows one approver, the fuzz key.
fn policy_approvals() -> Option<&'static crate::approval::Approvals> {
    static APPROVALS: std::sync::OnceLock<Option<crate::approval::Approvals>> = std::sync::OnceLock::new();
    APPROVALS.get_or_init(|| {
        let key = fuzz_key().public_key().to_openssh().ok()?;
        // A platform that needs no credential takes the fewest keys.
        let platform = crate::platform::PLATFORMS.iter().find(|p| !p.needs_credential())?.name();
        let platform = platform.as_str();
        let policy = format!(
            "[[accounts]]\nname = \"a\"\nhandle = \"@a\"\nplatform = \"{platform}\"\nkind = \"official\"\ndisplay_name = \"A\"\nowner = \"O\"\npath = \"/nonexistent\"\n\n\
             [[approvers]]\nname = \"fuzz\"\nkey = \"{key}\"\nroles = [\"r\"]\n"
        );
        crate::policy::Policy::parse(&policy, Path::new("/nonexistent"))
            .ok()
            .map(|p| p.approvals)
    })
    .as_ref()
}

/// An SSHSIG file beside a plan: whatever it holds, checking it never panics, and an accepted
/// signature names the policy's approver.
pub fn signature_file(data: &[u8]) {
    let Some(approvals) = policy_approvals() else {
        panic!("the signature target's own policy must parse");
    };
    let file = scratch("sig");
    if !write_scratch(&file, data) {
        return;
    }
    let message = fuzz_message();
    if let Ok(approver) = crate::approval::signature::verify_signed(
        approvals,
        &message,
        "the plan",
        &file,
        crate::exit_codes::ExitCode::PlanRefused,
    ) {
        assert_eq!(approver.name, "fuzz");
    }
}

/// A draft with `+++` front matter: parsing never panics, the text lies inside the source on
/// character boundaries, and errors are located at a real line and column.
pub fn draft_front_matter(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match crate::draft::DraftFile::parse(text.to_string()) {
        Ok(draft) => {
            assert!(draft.text.start <= draft.text.end && draft.text.end <= text.len());
            assert!(text.is_char_boundary(draft.text.start) && text.is_char_boundary(draft.text.end));
            let body = draft.text();
            for (i, _) in body.char_indices().take(64) {
                let (line, col) = draft.line_col(i);
                assert!(line >= 1 && col >= 1);
            }
        }
        Err(e) => {
            assert!(e.line >= 1 && e.col >= 1, "a draft error is located: {e:?}");
            assert!(e.line <= text.lines().count().max(1) + 1, "the line exists: {e:?}");
        }
    }
}

/// Audit log lines: `log verify` on arbitrary bytes reports a problem or a head, never panics;
/// a torn tail, once repaired, leaves a chain that verifies.
pub fn audit_lines(data: &[u8]) {
    let path = scratch("audit.jsonl");
    if !write_scratch(&path, data) {
        return;
    }
    let log = crate::audit::AuditLog::new(&path);
    let Ok(verification) = log.verify() else {
        return;
    };
    let complete_lines = data.iter().filter(|&&b| b == b'\n').count() as u64;
    assert!(verification.records <= complete_lines, "no more records than lines");
    match &verification.problem {
        None => {
            assert_eq!(
                verification.records, complete_lines,
                "a clean chain verifies every line"
            );
            assert_eq!(verification.head.is_some(), complete_lines > 0);
        }
        Some(problem) => {
            assert_eq!(
                problem.line,
                verification.records + 1,
                "the problem is on the first bad line"
            );
            let torn = matches!(problem.kind, crate::audit::ProblemKind::TornTail { .. });
            if torn && log.repair().is_ok() {
                let after = log.verify().ok().and_then(|v| v.problem.map(|p| p.describe()));
                assert_eq!(after, None, "a repaired log verifies");
            }
        }
    }
    let _ = log.read_all();
    if let Some(dir) = path.parent()
        && let Ok(entries) = std::fs::read_dir(dir)
    {
        // `repair` keeps each torn fragment beside the log; drop them between inputs.
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().contains(".torn-") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// The sanitizer: what it shows holds nothing it would hide again (a zero-width joiner or a
/// variation selector stays raw only inside the emoji or variation sequence it belongs to), no
/// control or bidi character at all, a one-line field holds no line break, and text with
/// nothing hidden passes unchanged.
pub fn sanitizer(data: &[u8]) {
    use crate::sanitize::{Hidden, classify, for_terminal, hidden_chars, one_line};
    let text = String::from_utf8_lossy(data);
    let shown = for_terminal(&text);
    assert!(
        hidden_chars(&shown).is_empty(),
        "for_terminal left something hidden: {shown:?}"
    );
    assert_eq!(for_terminal(&shown), shown, "what is shown is shown as it is");
    for c in shown.chars() {
        if let Some(h @ (Hidden::Control | Hidden::Bidi)) = classify(c) {
            panic!("for_terminal left U+{:04X} ({h:?}) raw", c as u32);
        }
    }
    let line = one_line(&text);
    assert!(!line.contains('\n'), "one_line keeps no newline");
    assert!(
        hidden_chars(&line).is_empty(),
        "one_line left something hidden: {line:?}"
    );
    if hidden_chars(&text).is_empty() {
        assert_eq!(shown, text, "text with nothing hidden is shown as it is");
    }
}

/// One fuzzing round: `data` is a policy, a NUL byte, and a draft (front matter allowed). Any
/// policy that parses is run against the draft for every account, at a time and with counts
/// taken from the data, and every finding's span must land on character boundaries.
///
/// Lives here, not in the fuzz crate, so the unit tests run it too on stable Rust (see
/// `rules/tests.rs`).
pub fn policy_and_post(data: &[u8]) {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (Ok(policy), Ok(draft)) = (
        std::str::from_utf8(&data[..split]),
        std::str::from_utf8(data.get(split + 1..).unwrap_or_default()),
    ) else {
        return;
    };
    let Ok(parsed) = crate::policy::Policy::parse(policy, std::path::Path::new("/nonexistent")) else {
        return;
    };
    let Ok(draft) = crate::draft::DraftFile::parse(draft.to_string()) else {
        return;
    };
    let text = draft.text();
    let seed = data
        .iter()
        .fold(0u64, |h, &b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let ctx = crate::rules::Context {
        at: jiff::Timestamp::from_second(1_700_000_000 + (seed % 100_000_000) as i64).ok(),
        recent: Some(crate::rules::Recent {
            last_hour: (seed % 13) as usize,
            last_day: (seed % 97) as usize,
        }),
    };
    for account in &parsed.accounts {
        let subject = crate::rules::Subject {
            text,
            reply_to: draft.front.reply_to.as_deref(),
            language: draft.front.language.as_deref(),
            images: draft.front.images.len(),
            images_without_alt: draft.front.images.iter().filter(|i| i.alt.is_none()).count(),
            length: text.chars().count(),
        };
        for f in parsed.rules.check(account, &subject, &ctx) {
            if let Some(span) = f.span {
                assert!(span.start <= span.end && span.end <= text.len(), "span out of the text");
                assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
                let _ = draft.line_col(span.start);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn plan_file(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            super::plan_file(&data);
        }

        #[test]
        fn signature_file(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            super::signature_file(&data);
        }

        #[test]
        fn draft_front_matter(text in "(\\+\\+\\+\n)?[a-z =\"\\[\\]\n+]{0,200}") {
            super::draft_front_matter(text.as_bytes());
        }

        #[test]
        fn audit_lines(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            super::audit_lines(&data);
        }

        #[test]
        fn sanitizer(text in any::<String>()) {
            super::sanitizer(text.as_bytes());
        }

        #[test]
        fn platform_responses(text in "(\\PC|[<>&;#@/:. \n\u{200b}\u{202e}\u{1b}a-z0-9])*") {
            crate::platform::fuzzing::platform_responses(text.as_bytes());
        }
    }

    #[test]
    fn a_real_plan_round_trips() {
        let plan = "format = 1\nplan_hash = \"sha256:00\"\n\n[author]\nuser = \"u\"\n\n[account]\nname = \"a\"\nhandle = \"@a\"\nplatform = \"outbox\"\nhost = \"\"\nkind = \"official\"\n\n[post]\ntext = \"x\"\n\n[window]\n";
        super::plan_file(plan.as_bytes());
    }

    /// A signature the target accepts, so that it is known to reach the end of the check.
    pub(crate) fn good_signature() -> Vec<u8> {
        let sig = super::fuzz_key()
            .sign(
                crate::approval::NAMESPACE,
                ssh_key::HashAlg::Sha512,
                super::fuzz_message().as_bytes(),
            )
            .map(|s| s.to_pem(ssh_key::LineEnding::LF));
        match sig {
            Ok(Ok(pem)) => pem.into_bytes(),
            other => panic!("signing with the fuzz key: {other:?}"),
        }
    }

    #[test]
    fn a_good_signature_is_accepted_and_one_changed_byte_is_not() {
        let good = good_signature();
        super::signature_file(&good);
        let file = super::scratch("sig-test");
        std::fs::write(&file, &good).unwrap();
        let approvals = super::policy_approvals().expect("the fuzz policy parses");
        let message = super::fuzz_message();
        let check = |path: &std::path::Path| {
            crate::approval::signature::verify_signed(
                approvals,
                &message,
                "the plan",
                path,
                crate::exit_codes::ExitCode::PlanRefused,
            )
            .map(|a| a.name.clone())
        };
        assert_eq!(check(&file).ok().as_deref(), Some("fuzz"));
        let other = crate::digest::sha256_hex(b"other");
        let refused = crate::approval::signature::verify_signed(
            approvals,
            &format!("sha256:{other}"),
            "the plan",
            &file,
            crate::exit_codes::ExitCode::PlanRefused,
        );
        assert!(refused.is_err(), "a signature over another message is refused");
    }

    /// `scripts/fuzz.sh` starts the signature target from this committed file. Ed25519
    /// signatures are deterministic: after a change of key, `POSTGATE_WRITE_FUZZ_SEED=1` writes
    /// it again.
    #[test]
    fn the_committed_signature_seed_is_accepted() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/signature_file.sig");
        if std::env::var_os("POSTGATE_WRITE_FUZZ_SEED").is_some() {
            std::fs::write(&path, good_signature()).unwrap();
        }
        let approvals = super::policy_approvals().expect("the fuzz policy parses");
        let accepted = crate::approval::signature::verify_signed(
            approvals,
            &super::fuzz_message(),
            "the plan",
            &path,
            crate::exit_codes::ExitCode::PlanRefused,
        );
        assert!(accepted.is_ok(), "fuzz/seeds/signature_file.sig verifies: {accepted:?}");
    }

    #[test]
    fn platform_answers_the_target_must_handle() {
        crate::platform::fuzzing::platform_responses(
            br#"{"error":"Record not found","error_description":"\u001b[2J gone"}"#,
        );
        crate::platform::fuzzing::platform_responses(
            "<p>Bonjour &amp; merci</p><br>#tag @a.bsky.social https://x.example".as_bytes(),
        );
        crate::platform::fuzzing::platform_responses(b"3jzfcijpj2z2a");
        // Found by the fuzzer: a body of controls is shown eight characters a control, which is
        // still bounded, but more than the cap in characters of the raw body.
        let mut controls = vec![2u8];
        controls.extend(std::iter::repeat_n(1u8, 83));
        controls.push(b'-');
        crate::platform::fuzzing::platform_responses(&controls);
    }

    #[test]
    fn a_torn_log_is_repaired() {
        super::audit_lines(b"{\"seq\":1");
    }
}
