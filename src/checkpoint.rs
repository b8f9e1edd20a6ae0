//! Signed checkpoints of the audit log: its size and head hash, signed by an approval key, as a
//! signed note in the spirit of C2SP `tlog-checkpoint` (<https://c2sp.org/tlog-checkpoint>) and
//! `signed-note` (<https://c2sp.org/signed-note>).
//!
//! ```text
//! postgate audit log
//! 42
//! 3f1c…(64 hex digits)
//!
//! — alice U1NIU0lH…
//! ```
//!
//! The body is the origin line, the size (the `seq` of the last record covered) and that
//! record's hash, as `log verify` prints it; the signed message is the body with its final
//! newline. Each signature line carries the approver's name and an SSHSIG blob in base64, in
//! the `postgate-checkpoint` namespace, so an approval can never pass as a checkpoint.
//! Unlike C2SP, the hash is hex and the signature is SSHSIG rather than a key id and a raw
//! signature: postgate's keys are SSH keys and its hashes are shown in hex everywhere else.

use crate::approval::{Approvals, CHECKPOINT_NAMESPACE};
use crate::audit::AuditLog;
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::sanitize::one_line;
use anyhow::Result;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ssh_key::{HashAlg, PublicKey, SshSig};

/// The origin line every postgate checkpoint starts with.
pub const ORIGIN: &str = "postgate audit log";

/// The em dash and space a signature line starts with (signed-note's U+2014).
const SIG_PREFIX: &str = "\u{2014} ";

/// What a checkpoint asserts: record `size` of the log has hash `head`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub origin: String,
    pub size: u64,
    pub head: String,
}

/// One signature line: the name it claims and the signature.
#[derive(Debug, Clone)]
pub struct NoteSignature {
    pub name: String,
    pub sig: SshSig,
    /// Where the line is in the note, for errors.
    pub line: usize,
}

/// A parsed note: its body and its signatures.
#[derive(Debug, Clone)]
pub struct SignedNote {
    pub note: Note,
    pub signatures: Vec<NoteSignature>,
}

impl Note {
    /// The signed message: every body line with its newline.
    pub fn body(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.size, self.head)
    }
}

/// A note parse error at `line:col` (1-based) of `file`.
fn bad(file: &str, line: usize, col: usize, what: impl std::fmt::Display) -> Failure {
    Failure::new(
        ExitCode::Audit,
        format!("{file}:{line}:{col}: not a postgate checkpoint: {what}"),
    )
    .hint("a checkpoint is written by `postgate log checkpoint`; it must not be edited")
}

/// Parses a note strictly: exactly three body lines, a blank line, one or more signature lines,
/// each ending with a newline, nothing else. `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<SignedNote, Failure> {
    if let Some(at) = text.find(['\r', '\0']) {
        let (line, col) = position(text, at);
        return Err(bad(file, line, col, "carriage return or NUL byte"));
    }
    let Some(stripped) = text.strip_suffix('\n') else {
        let line = text.split('\n').count();
        let col = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        return Err(bad(file, line, col, "the last line has no newline"));
    };
    let lines: Vec<&str> = stripped.split('\n').collect();
    let at = |i: usize| lines.get(i).copied();
    let origin = at(0).unwrap_or_default();
    if origin != ORIGIN {
        return Err(bad(
            file,
            1,
            1,
            format!("the origin line must be `{ORIGIN}`, found `{}`", one_line(origin)),
        ));
    }
    let Some(size_text) = at(1) else {
        return Err(bad(file, 2, 1, "the size line is missing"));
    };
    let size_ok = !size_text.is_empty()
        && size_text.bytes().all(|b| b.is_ascii_digit())
        && (size_text == "0" || !size_text.starts_with('0'));
    let size: u64 = match size_text.parse() {
        Ok(n) if size_ok => n,
        _ => {
            let col = size_text
                .char_indices()
                .position(|(_, c)| !c.is_ascii_digit())
                .map_or(1, |p| p + 1);
            return Err(bad(
                file,
                2,
                col,
                format!(
                    "the size must be a decimal number without leading zeros, found `{}`",
                    one_line(size_text)
                ),
            ));
        }
    };
    let Some(head) = at(2) else {
        return Err(bad(file, 3, 1, "the hash line is missing"));
    };
    if let Some(p) = head.chars().position(|c| !matches!(c, '0'..='9' | 'a'..='f')) {
        return Err(bad(file, 3, p + 1, "the hash must be 64 lowercase hex digits"));
    }
    if head.len() != 64 {
        return Err(bad(file, 3, head.len() + 1, "the hash must be 64 lowercase hex digits"));
    }
    match at(3) {
        Some("") => {}
        Some(other) => {
            return Err(bad(
                file,
                4,
                1,
                format!("a blank line must follow the hash, found `{}`", one_line(other)),
            ));
        }
        None => return Err(bad(file, 4, 1, "the blank line and the signatures are missing")),
    }
    if lines.len() < 5 {
        return Err(bad(file, 5, 1, "the note has no signature line"));
    }
    let mut signatures = Vec::new();
    for (i, line) in lines.iter().enumerate().skip(4) {
        let n = i + 1;
        let Some(rest) = line.strip_prefix(SIG_PREFIX) else {
            return Err(bad(
                file,
                n,
                1,
                "a signature line starts with `— ` (an em dash and a space)",
            ));
        };
        let prefix_cols = SIG_PREFIX.chars().count();
        let Some((name, blob)) = rest.split_once(' ') else {
            return Err(bad(file, n, prefix_cols + 1, "a signature line is `— NAME BASE64`"));
        };
        if name.is_empty() || name.chars().any(char::is_whitespace) {
            return Err(bad(
                file,
                n,
                prefix_cols + 1,
                "the signer's name is empty or has spaces",
            ));
        }
        let blob_col = prefix_cols + name.chars().count() + 2;
        let sig = decode_sig(blob).map_err(|e| bad(file, n, blob_col, e))?;
        signatures.push(NoteSignature {
            name: name.to_string(),
            sig,
            line: n,
        });
    }
    Ok(SignedNote {
        note: Note {
            origin: origin.to_string(),
            size,
            head: head.to_string(),
        },
        signatures,
    })
}

fn position(text: &str, byte: usize) -> (usize, usize) {
    let before = &text[..byte];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The SSHSIG blob of a signature line; its PEM armour is rebuilt for `ssh-key`.
fn decode_sig(blob: &str) -> Result<SshSig, String> {
    let bytes = STANDARD
        .decode(blob)
        .map_err(|e| format!("the signature is not base64: {e}"))?;
    let body = STANDARD.encode(bytes);
    let mut pem = String::from("-----BEGIN SSH SIGNATURE-----\n");
    for chunk in body.as_bytes().chunks(70) {
        pem.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str("-----END SSH SIGNATURE-----\n");
    SshSig::from_pem(&pem).map_err(|e| format!("the signature is not an SSH signature: {e}"))
}

/// The base64 SSHSIG blob of a signature, as a signature line carries it.
fn encode_sig(sig: &SshSig) -> Result<String> {
    let pem = sig
        .to_pem(ssh_key::LineEnding::LF)
        .map_err(|e| Failure::new(ExitCode::GeneralError, format!("cannot encode the signature: {e}")))?;
    Ok(pem.lines().filter(|l| !l.starts_with("-----")).collect())
}

/// The note's text with one signature by `name`.
pub fn render(note: &Note, name: &str, sig: &SshSig) -> Result<String> {
    Ok(format!("{}\n{SIG_PREFIX}{name} {}\n", note.body(), encode_sig(sig)?))
}

/// What `log checkpoint` signs: the log as it is now, which must verify. An empty log has
/// nothing to witness.
pub fn current(log: &AuditLog) -> Result<Note> {
    let v = log.verify()?;
    if let Some(p) = &v.problem {
        return Err(Failure::new(
            ExitCode::Audit,
            format!("audit log does not verify, so no checkpoint was made: {}", p.describe()),
        )
        .into());
    }
    let Some(head) = v.head.filter(|_| v.records > 0) else {
        return Err(Failure::new(
            ExitCode::Audit,
            format!(
                "{} has no records yet: there is nothing to checkpoint",
                log.path().display()
            ),
        )
        .into());
    };
    Ok(Note {
        origin: ORIGIN.to_string(),
        size: v.records,
        head,
    })
}

/// Who signed a checkpoint that verified.
#[derive(Debug, Clone)]
pub struct Witness {
    pub name: String,
    pub fingerprint: String,
}

/// Checks every signature of `note` against the policy's approvers, in the checkpoint
/// namespace; the note is refused unless all verify and at least one does.
pub fn verify_signatures(approvals: &Approvals, signed: &SignedNote, file: &str) -> Result<Vec<Witness>, Failure> {
    let body = signed.note.body();
    let mut witnesses = Vec::new();
    for s in &signed.signatures {
        let key = PublicKey::from(s.sig.public_key().clone());
        let fingerprint = key.fingerprint(HashAlg::Sha256).to_string();
        let Some(approver) = approvals.approver_for(&key) else {
            return Err(Failure::new(
                ExitCode::Audit,
                format!(
                    "{file}:{}:1: the checkpoint is signed by key {fingerprint}, which is not one of the policy's [[approvers]]",
                    s.line
                ),
            )
            .hint("only a key the policy lists can witness the log"));
        };
        if s.sig.namespace() != CHECKPOINT_NAMESPACE {
            return Err(Failure::new(
                ExitCode::Audit,
                format!(
                    "{file}:{}:1: the signature was made for `{}`, not as a checkpoint (namespace `{CHECKPOINT_NAMESPACE}`)",
                    s.line,
                    one_line(s.sig.namespace())
                ),
            ));
        }
        if approver.name != s.name {
            return Err(Failure::new(
                ExitCode::Audit,
                format!(
                    "{file}:{}:3: the signature line names `{}`, but the key is approver `{}`'s",
                    s.line,
                    one_line(&s.name),
                    approver.name
                ),
            ));
        }
        key.verify(CHECKPOINT_NAMESPACE, body.as_bytes(), &s.sig).map_err(|_| {
            Failure::new(
                ExitCode::Audit,
                format!(
                    "{file}:{}:1: approver `{}`'s signature does not sign this note: its size or hash was changed",
                    s.line, approver.name
                ),
            )
        })?;
        witnesses.push(Witness {
            name: approver.name.clone(),
            fingerprint,
        });
    }
    Ok(witnesses)
}

/// Checks that the log still holds the checkpointed head: record `seq == size` has that hash.
pub fn verify_against_log(log: &AuditLog, note: &Note, file: &str) -> Result<(), Failure> {
    let hash = hash_at(log, note.size)
        .map_err(|e| Failure::new(ExitCode::Audit, format!("cannot read {}: {e}", log.path().display())))?;
    match hash {
        None => Err(Failure::new(
            ExitCode::Audit,
            format!(
                "{}: the log has fewer than the {} record(s) checkpointed in {file}: records were removed",
                log.path().display(),
                note.size
            ),
        )),
        Some(h) if h != note.head => Err(Failure::new(
            ExitCode::Audit,
            format!(
                "{}: record {} has hash {h}, but {file} checkpointed {}: the log was rewritten since",
                log.path().display(),
                note.size,
                note.head
            ),
        )),
        Some(_) => Ok(()),
    }
}

/// The hash of the record on line `seq` (lines and `seq` agree in a log that verifies), or
/// `None` when the log is shorter.
fn hash_at(log: &AuditLog, seq: u64) -> std::io::Result<Option<String>> {
    use std::io::BufRead;
    if seq == 0 {
        return Ok(None);
    }
    let file = match crate::paths::open_regular(std::fs::OpenOptions::new().read(true), log.path()) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let mut line = Vec::with_capacity(4096);
    let mut n = 0u64;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        n += 1;
        if n == seq {
            // A torn line is not a record.
            return Ok(line.strip_suffix(b"\n").map(crate::audit::record_hash));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn signed_text() -> (String, PublicKey) {
        let key = ssh_key::PrivateKey::random(&mut ssh_key::rand_core::OsRng, ssh_key::Algorithm::Ed25519).unwrap();
        let note = Note {
            origin: ORIGIN.into(),
            size: 42,
            head: HEAD.into(),
        };
        let sig = key
            .sign(CHECKPOINT_NAMESPACE, HashAlg::Sha512, note.body().as_bytes())
            .unwrap();
        (render(&note, "alice", &sig).unwrap(), key.public_key().clone())
    }

    fn err(text: &str) -> String {
        parse(text, "cp").unwrap_err().to_string()
    }

    #[test]
    fn a_rendered_note_parses_back() {
        let (text, key) = signed_text();
        let n = parse(&text, "cp").unwrap();
        assert_eq!(n.note.size, 42);
        assert_eq!(n.note.head, HEAD);
        assert_eq!(n.signatures.len(), 1);
        assert_eq!(n.signatures[0].name, "alice");
        assert_eq!(n.signatures[0].line, 5);
        key.verify(CHECKPOINT_NAMESPACE, n.note.body().as_bytes(), &n.signatures[0].sig)
            .unwrap();
    }

    #[test]
    fn errors_point_at_line_and_column() {
        let (text, _) = signed_text();
        assert!(err(&text.replacen("postgate", "other", 1)).contains("cp:1:1:"));
        assert!(err(&text.replacen("\n42\n", "\n4x2\n", 1)).contains("cp:2:2:"));
        assert!(err(&text.replacen("\n42\n", "\n042\n", 1)).contains("cp:2:"));
        assert!(err(&text.replacen("\n42\n", "\n\n", 1)).contains("cp:2:"));
        assert!(err(&text.replacen(HEAD, &HEAD[..63], 1)).contains("cp:3:64:"));
        assert!(err(&text.replacen("0123456789abcdef", "0123456789aBcdef", 1)).contains("cp:3:12:"));
        assert!(err(&text.replacen("\n\n", "\nx\n", 1)).contains("cp:4:1:"));
        assert!(err(&text.replacen('\u{2014}', "-", 1)).contains("cp:5:1:"));
        assert!(err(&text.replacen("alice ", "alice !", 1)).contains("cp:5:9:"));
        assert!(err(text.trim_end()).contains("the last line has no newline"));
        assert!(err(&text.replacen("\n42", "\r\n42", 1)).contains("cp:1:19:"));
        assert!(
            err(&format!("{ORIGIN}\n42\n{HEAD}\n\n"))
                .contains("cp:5:1: not a postgate checkpoint: the note has no signature")
        );
        assert!(err(&format!("{text}trailing\n")).contains("cp:6:1:"));
    }

    #[test]
    fn every_truncation_or_doubled_line_is_refused_without_panicking() {
        let (text, _) = signed_text();
        for (at, _) in text.char_indices().skip(1) {
            assert!(parse(&text[..at], "cp").is_err(), "{:?}", &text[..at]);
        }
        for (i, line) in text.lines().enumerate().take(4) {
            let doubled = text.replacen(&format!("{line}\n"), &format!("{line}\n{line}\n"), 1);
            assert!(parse(&doubled, "cp").is_err(), "line {i} doubled");
        }
    }

    #[test]
    fn the_body_is_what_is_signed() {
        let note = Note {
            origin: ORIGIN.into(),
            size: 7,
            head: HEAD.into(),
        };
        assert_eq!(note.body(), format!("postgate audit log\n7\n{HEAD}\n"));
    }
}
