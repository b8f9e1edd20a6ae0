//! Where output goes: results on stdout, everything else (banner, progress, errors) on stderr.
//!
//! With `--json`, stdout carries exactly one JSON value, whatever happens: a command's document
//! is kept here rather than printed, and `finish` prints it once the outcome is known. A failure
//! becomes the error object, which carries the document the command had already made (whoami's
//! comparison, `log verify`'s findings) under `result`, so a script never reads two documents or
//! none. Result lines meant for people go to stderr in that mode.

use crate::exit_codes::ExitCode;
use colored::Colorize;
use serde_json::{Value, json};
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

static JSON_MODE: AtomicBool = AtomicBool::new(false);
static DOCUMENT: Mutex<Option<Value>> = Mutex::new(None);

/// `--color`: whether output is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Decides once whether stderr gets colour. NO_COLOR (any non-empty value) wins over `auto`;
/// `--color always` wins over everything.
pub fn init_color(choice: ColorChoice) {
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
                && std::io::stderr().is_terminal()
        }
    };
    colored::control::set_override(on);
}

/// Switches stdout to the one-JSON-value contract of `--json`.
pub fn init_json(on: bool) {
    JSON_MODE.store(on, Ordering::SeqCst);
}

fn json_mode() -> bool {
    JSON_MODE.load(Ordering::SeqCst)
}

/// The command's JSON document. Under `--json` it is kept for `finish`; otherwise (`check
/// --format json`) it is printed as one line on stdout now.
pub fn json(value: &Value) {
    if json_mode() {
        let mut kept = DOCUMENT.lock().unwrap_or_else(|e| e.into_inner());
        // A command makes one document; a second one is a bug, caught by the JSON contract
        // test in debug builds. The first stays, so what was reported first is not lost.
        debug_assert!(kept.is_none(), "a command made two JSON documents");
        if kept.is_none() {
            *kept = Some(value.clone());
        }
        return;
    }
    print_document(value);
}

/// The document of a command that runs until stopped (a server): printed now, since the end
/// may never come; nothing more is printed at the end.
pub fn json_now(value: &Value) {
    print_document(value);
    EARLY.store(true, Ordering::SeqCst);
}

static EARLY: AtomicBool = AtomicBool::new(false);

/// Prints a result line on stdout (on stderr under `--json`, where stdout is the document).
pub fn result(line: &str) {
    if json_mode() {
        eprintln!("{line}");
        return;
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
}

/// Prints a status line on stderr.
pub fn status(line: &str) {
    eprintln!("{line}");
}

fn print_document(value: &Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", to_safe_json(value));
}

/// `value` as one line of JSON in which every character the screen would not show as itself
/// (by [`crate::sanitize`]'s rule: controls, bidi, invisible, unassigned, private use) is
/// written as a `\uXXXX` escape, astral ones as a surrogate pair. Parsing it gives back exactly
/// the same strings, and a terminal that shows it, or a log that keeps it, is never steered by
/// a post or a server's words.
pub fn to_safe_json(value: &Value) -> String {
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, SafeFormatter);
    // Serializing a Value into memory cannot fail: its map keys are strings.
    let _ = serde::Serialize::serialize(value, &mut ser);
    // The formatter writes only what serde_json hands it, valid UTF-8, and ASCII escapes.
    String::from_utf8(buf).unwrap_or_default()
}

/// serde_json's compact formatter, with the hidden characters of each string escaped.
struct SafeFormatter;

impl serde_json::ser::Formatter for SafeFormatter {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, writer: &mut W, fragment: &str) -> std::io::Result<()> {
        let mut start = 0;
        for (at, c, _) in crate::sanitize::hidden_chars(fragment) {
            writer.write_all(&fragment.as_bytes()[start..at])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = at + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

fn take_document() -> Option<Value> {
    DOCUMENT.lock().unwrap_or_else(|e| e.into_inner()).take()
}

/// Under `--json`, prints the one value for a run that returned `code` without an error: the
/// command's document, or, for a command that made none, a status object.
pub fn finish(code: ExitCode) {
    if !json_mode() || EARLY.load(Ordering::SeqCst) {
        return;
    }
    let value = take_document().unwrap_or_else(|| {
        if code == ExitCode::Success {
            json!({ "status": "ok", "exit_code": 0 })
        } else {
            json!({
                "status": "error",
                "exit_code": code.code(),
                "error": code.name(),
                "message": code.description(),
                "hint": null,
            })
        }
    });
    print_document(&value);
}

/// The human form of an error: the whole message, then the hint on a line of its own.
pub fn error_text(err: &anyhow::Error) -> String {
    // Errors quote policies, posts and servers: never let them drive the terminal.
    // In the language shown; `error_object` keeps the English words scripts may match.
    let mut text = format!(
        "{} {}",
        crate::i18n::t!("label-error").red().bold(),
        crate::sanitize::for_terminal(&crate::error::shown_message_of(err))
    );
    if let Some(hint) = crate::error::shown_hint_of(err) {
        text.push_str(&format!(
            "\n{} {}",
            crate::i18n::t!("label-hint"),
            crate::sanitize::for_terminal(hint)
        ));
    }
    text
}

/// The `--json` error object.
pub fn error_object(err: &anyhow::Error, code: ExitCode) -> Value {
    json!({
        "status": "error",
        "exit_code": code.code(),
        "error": code.name(),
        "message": crate::error::message_of(err),
        "hint": crate::error::hint_of(err),
    })
}

/// Reports a failure: a human message on stderr, and with `--json` the error object on stdout
/// so scripts never have to parse prose.
pub fn error(err: &anyhow::Error, code: ExitCode, as_json: bool) {
    eprintln!("{}", error_text(err));
    if as_json || json_mode() {
        let mut object = error_object(err, code);
        if let Some(document) = take_document() {
            object["result"] = document;
        }
        print_document(&object);
    }
}

/// The error object for a command line clap refused (exit 2), or the help or version text
/// clap was asked for (exit 0), as one JSON value.
pub fn clap_object(err: &clap::Error) -> Value {
    let text = err.render().to_string();
    if !err.use_stderr() {
        return json!({ "status": "ok", "exit_code": 0, "text": text });
    }
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    let message = first.strip_prefix("error: ").unwrap_or(first).trim().to_string();
    let rest: Vec<&str> = lines.map(str::trim).filter(|l| !l.is_empty()).collect();
    json!({
        "status": "error",
        "exit_code": ExitCode::Usage.code(),
        "error": ExitCode::Usage.name(),
        "message": message,
        "hint": if rest.is_empty() { Value::Null } else { Value::String(rest.join("\n")) },
    })
}

/// Prints the value `clap_object` makes on stdout.
pub fn clap_error(err: &clap::Error) {
    print_document(&clap_object(err));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Failure;

    fn glued() -> anyhow::Error {
        // publish.rs attaches a hinted Failure over the audit failure that stopped it.
        anyhow::Error::from(Failure::new(
            ExitCode::Audit,
            "audit log a.jsonl: write failed: disk full",
        ))
        .context(
            Failure::new(
                ExitCode::Incomplete,
                "PUBLISHED 42 but the outcome record could not be written",
            )
            .hint("do not run it again"),
        )
    }

    #[test]
    fn a_hint_attached_as_context_follows_the_whole_message() {
        colored::control::set_override(false);
        assert_eq!(
            error_text(&glued()),
            "error: PUBLISHED 42 but the outcome record could not be written: audit log a.jsonl: write failed: disk \
             full\nhint: do not run it again"
        );
    }

    #[test]
    fn the_json_error_carries_the_hint_apart() {
        let object = error_object(&glued(), ExitCode::Incomplete);
        assert_eq!(object["exit_code"], 10);
        assert_eq!(object["error"], "incomplete");
        assert_eq!(
            object["message"],
            "PUBLISHED 42 but the outcome record could not be written: audit log a.jsonl: write failed: disk full"
        );
        assert_eq!(object["hint"], "do not run it again");
        let plain = anyhow::anyhow!("boom");
        assert_eq!(error_object(&plain, ExitCode::GeneralError)["hint"], Value::Null);
    }

    #[test]
    fn json_escapes_what_the_screen_would_hide_and_stays_exact() {
        let text = "a\u{202e}b\u{200b}c\u{7f}\u{9b}d\u{e0041}e\u{f0000}f \u{1f469}\u{200d}\u{1f52c} é\n\"";
        let value = json!({ "text": text, "k\u{202e}ey": [text] });
        let line = to_safe_json(&value);
        assert!(line.contains(r"a\u202eb\u200bc\u007f\u009bd"), "{line}");
        assert!(
            line.contains(r"\udb40\udc41e\udb80\udc00f"),
            "astral escapes are surrogate pairs: {line}"
        );
        // An emoji sequence and plain letters stay readable, as on the screen.
        assert!(line.contains("\u{1f469}\u{200d}\u{1f52c} é"), "{line}");
        assert!(crate::sanitize::hidden_chars(&line).is_empty(), "{line}");
        let back: Value = serde_json::from_str(&line).expect("valid JSON");
        assert_eq!(back, value);
    }

    #[test]
    fn a_hint_cannot_drive_the_terminal() {
        colored::control::set_override(false);
        let err = anyhow::Error::from(Failure::new(ExitCode::Platform, "x").hint("\u{1b}[2Jfake"));
        assert_eq!(error_text(&err), "error: x\nhint: ⟨U+001B⟩[2Jfake");
    }
}
