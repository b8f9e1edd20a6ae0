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

const HIDDEN_AND_TERMS: &str = r#"
[[rules]]
id = "caracteres-caches"
kind = "hidden-characters"
level = "deny"

[[rules]]
id = "reserve-electorale"
kind = "terms"
level = "deny"
terms = ["candidat", "votez pour"]
"#;

/// Issue 11, item 4: these reached the terminal raw, counted as 0 hidden characters, and were
/// published despite a `hidden-characters` deny rule.
#[test]
fn tag_characters_fillers_and_blanks_are_shown_counted_and_refused() {
    let t = Test::new().policy(&format!("{}{HIDDEN_AND_TERMS}", support::DEFAULT_POLICY));
    let tags = "Bonjour\u{e0069}\u{e0067}\u{e006e}\u{e006f}\u{e0072}\u{e0065}";
    let others = "a\u{206a}\u{206f}\u{fff9}\u{fffb}\u{34f}\u{1d173}\u{fe0f}\u{115f}\u{1160}\u{17b4}\u{17b5}b";
    for (post, shown, count) in [
        (
            tags,
            "  ┃ Bonjour⟦⟨U+E0069⟩⟨U+E0067⟩⟨U+E006E⟩⟨U+E006F⟩⟨U+E0072⟩⟨U+E0065⟩⟧\n",
            6,
        ),
        (
            others,
            "  ┃ a⟦⟨U+206A⟩⟨U+206F⟩⟨U+FFF9⟩⟨U+FFFB⟩⟨U+034F⟩⟨U+1D173⟩⟨U+FE0F⟩⟨U+115F⟩⟨U+1160⟩⟨U+17B4⟩⟨U+17B5⟩⟧b\n",
            11,
        ),
        ("\u{3164}\u{3164}", "  ┃ ⟦⟨U+3164⟩⟨U+3164⟩⟧\n", 2),
        ("\u{2800}", "  ┃ ⟦⟨U+2800⟩⟧\n", 1),
    ] {
        let out = t
            .cmd(["post", "-a", "demo", "--confirm-handle", "@mairie_demo_{uid}", post])
            .env("NO_COLOR", "1")
            .status(support::code::CONTENT)
            .stderr_has(shown)
            .stderr_has(&format!("{count} hidden character(s) shown as ⟨U+…⟩"))
            .stderr_has("refused by the policy's rules: caracteres-caches")
            .run();
        let stderr = String::from_utf8(out.stderr).unwrap();
        for c in post.chars().filter(|c| !c.is_ascii_alphabetic()) {
            assert!(
                !stderr.contains(c),
                "U+{:04X} reached the terminal raw: {stderr}",
                c as u32
            );
        }
    }
    assert!(t.outbox("outbox").is_empty());
}

/// The exceptions are real: an emoji ZWJ sequence and an emoji presentation selector are
/// printed as themselves and published.
#[test]
fn emoji_sequences_are_printed_as_themselves_and_published() {
    let t = Test::new().policy(&format!("{}{HIDDEN_AND_TERMS}", support::DEFAULT_POLICY));
    let post = "Bravo à l’équipe 👩\u{200d}🔬 ❤\u{fe0f}";
    t.cmd(["post", "-a", "demo", "--confirm-handle", "@mairie_demo_{uid}", post])
        .env("NO_COLOR", "1")
        .stderr_has(&format!("  ┃ {post}\n"))
        .run();
    assert_eq!(t.outbox("outbox")[0]["text"], post);
}

/// Issue 11, item 5: a deny term disguised with fullwidth letters, small capitals or a tag
/// character is refused, and the banner marks the disguised word as written.
#[test]
fn disguised_deny_terms_are_refused_and_marked_where_they_are_written() {
    let t = Test::new().policy(&format!("{}{HIDDEN_AND_TERMS}", support::DEFAULT_POLICY));
    for (post, marked) in [
        ("Le ｃａｎｄｉｄａｔ sortant", "  ┃ Le ⟦ｃａｎｄｉｄａｔ⟧ sortant\n"),
        ("Le ᴄᴀɴᴅɪᴅᴀᴛ sortant", "  ┃ Le ⟦ᴄᴀɴᴅɪᴅᴀᴛ⟧ sortant\n"),
        ("Votez   pour lui", "  ┃ ⟦Votez   pour⟧ lui\n"),
    ] {
        t.cmd(["post", "-a", "demo", "--confirm-handle", "@mairie_demo_{uid}", post])
            .env("NO_COLOR", "1")
            .status(support::code::CONTENT)
            .stderr_has(marked)
            .stderr_has("refused by the policy's rules: reserve-electorale")
            .run();
    }
    assert!(t.outbox("outbox").is_empty());
}
