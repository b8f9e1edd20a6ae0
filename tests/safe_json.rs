//! `--json` on stdout never carries a character the screen would hide: a foreign post's bidi
//! override or zero-width space is written as a `\uXXXX` escape, and parsing the document gives
//! back the post's exact text.

use crate::support;
use support::{Test, code};

/// The text of a post made around postgate: it reads "Officiel" and hides a reordering and a
/// zero-width space, plus an astral tag character.
const HOSTILE: &str = "Officiel \u{202e}lanigiro\u{200b} ok\u{e0041}";

/// Drops a post into the demo outbox without an audit record: one postgate never made.
fn forge(t: &Test, id: &str, text: &str) {
    let handle = t.handle("demo");
    t.cmd(["post", "-a", "demo", "--confirm-handle", &handle, "Officiel"])
        .run();
    let mut forged = t.outbox("outbox").into_iter().next().expect("the official post");
    forged["id"] = id.into();
    forged["text"] = text.into();
    std::fs::write(t.path().join(format!("outbox/posts/{id}.json")), forged.to_string()).expect("forge");
}

/// Stdout is one line of plain, safe JSON whose strings hold `text` exactly.
fn assert_safe(stdout: &[u8], text: &str) -> serde_json::Value {
    let line = std::str::from_utf8(stdout).expect("stdout is UTF-8");
    for hidden in ['\u{202e}', '\u{200b}', '\u{e0041}'] {
        assert!(!line.contains(hidden), "raw {hidden:?} on stdout: {line:?}");
    }
    assert!(line.contains(r"\u202e"), "{line}");
    assert!(line.contains(r"\u200b"), "{line}");
    assert!(
        line.contains(r"\udb40\udc41"),
        "an astral escape is a surrogate pair: {line}"
    );
    let value: serde_json::Value = serde_json::from_str(line).expect("one JSON value");
    assert!(
        value.to_string().contains(text),
        "parsing gives the text back exactly: {value}"
    );
    value
}

#[test]
fn reconcile_json_escapes_a_foreign_posts_bidi_and_invisible_characters() {
    let t = Test::new();
    forge(&t, "forged1", HOSTILE);
    let out = t.cmd(["--json", "reconcile", "demo"]).status(code::FOREIGN_POSTS).run();
    let report = assert_safe(&out.stdout, HOSTILE);
    assert_eq!(report["accounts"][0]["foreign"][0]["id"], "forged1");
    assert_eq!(report["accounts"][0]["foreign"][0]["text"], HOSTILE);
}

#[test]
fn log_json_escapes_the_foreign_record_too() {
    let t = Test::new();
    forge(&t, "forged2", HOSTILE);
    t.cmd(["reconcile", "demo"]).status(code::FOREIGN_POSTS).run();
    let out = t.cmd(["log", "--json"]).run();
    let records = assert_safe(&out.stdout, HOSTILE);
    let foreign = records
        .as_array()
        .expect("a list of records")
        .iter()
        .find(|r| r["event"] == "foreign")
        .expect("the foreign record");
    assert!(foreign.to_string().contains("forged2"), "{foreign}");
}
