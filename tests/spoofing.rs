//! Nothing from a post reaches the terminal raw.

mod support;
use support::Test;

#[test]
fn escape_sequences_carriage_returns_bidi_and_zero_width_are_shown_not_run() {
    let t = Test::new();
    let text = "Avant\x1b[2J\rAPRÈS \u{202e}lirpa\u{202c} pay\u{200b}pal \u{9b}31m";
    let out = t
        .cmd(["post", "-a", "demo", "--confirm-handle", "@mairie_demo_{uid}", text])
        .run();
    let stderr = out.stderr;
    for raw in ["\x1b", "\r", "\u{202e}", "\u{202c}", "\u{200b}", "\u{9b}"] {
        let needle = raw.as_bytes();
        assert!(
            !stderr.windows(needle.len()).any(|w| w == needle),
            "banner contains raw {raw:?}"
        );
    }
    let shown = String::from_utf8(stderr).unwrap();
    assert!(
        shown.contains("  ┃ Avant⟨U+001B⟩[2J⟨U+000D⟩APRÈS ⟨U+202E⟩lirpa⟨U+202C⟩ pay⟨U+200B⟩pal ⟨U+009B⟩31m\n"),
        "{shown}"
    );
    assert!(shown.contains("6 hidden character(s) shown as ⟨U+…⟩"));
    // The published text is exactly what the author wrote.
    assert_eq!(t.outbox("outbox")[0]["text"], text);
}

#[test]
fn a_post_cannot_draw_a_fake_banner() {
    let t = Test::new();
    let fake = "x\n╔══════╗\n║  PERSONAL ACCOUNT  ║\n╚══════╝";
    let out = t
        .cmd([
            "post",
            "-a",
            "demo",
            "--dry-run",
            "--confirm-handle",
            "@mairie_demo_{uid}",
            fake,
        ])
        .run();
    let shown = String::from_utf8(out.stderr).unwrap();
    // Every line of the post sits behind the gutter, so it never starts a line of its own.
    assert!(shown.contains("  ┃ ║  PERSONAL ACCOUNT  ║\n"));
    assert!(!shown.lines().any(|l| l.starts_with("║  PERSONAL")));
}

#[test]
fn policy_text_is_sanitized_too() {
    let t = Test::new().policy(
        "[audit]\npath = \"{dir}/state/audit.jsonl\"\n[[accounts]]\nname = \"demo\"\nhandle = \"@mairie_demo_{uid}\"\nplatform = \"outbox\"\nkind = \"official\"\ndisplay_name = \"Mairie\\u001b[31m\"\nowner = \"Comms\\u202e\"\npath = \"{dir}/outbox\"\n",
    );
    let out = t
        .cmd([
            "post",
            "-a",
            "demo",
            "--dry-run",
            "--confirm-handle",
            "@mairie_demo_{uid}",
            "x",
        ])
        .run();
    let shown = String::from_utf8(out.stderr).unwrap();
    assert!(shown.contains("display name  Mairie⟨U+001B⟩[31m"));
    assert!(shown.contains("owner         Comms⟨U+202E⟩"));
}

#[test]
fn error_messages_are_sanitized() {
    let t = Test::new();
    let out = t
        .cmd(["post", "-a", "demo", "--confirm-handle", "@evil\x1b]0;pwned\x07", "x"])
        .status(support::code::NOT_CONFIRMED)
        .run();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains('\x1b') && !stderr.contains('\x07'), "{stderr:?}");
    assert!(
        stderr.contains("`@evil⟨U+001B⟩]0;pwned⟨U+0007⟩` is not the handle"),
        "{stderr}"
    );

    // A quoted key holding an escape sequence: the parser's message quotes it back.
    let t = Test::new().policy(&support::demo_policy("{dir}/a.jsonl", "\"\\u001b[2J\" = 1"));
    let out = t.cmd(["policy", "check"]).status(support::code::BAD_POLICY).run();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains('\x1b'), "{stderr:?}");
    assert!(stderr.contains("unknown field `⟨U+001B⟩[2J`"), "{stderr}");
}
