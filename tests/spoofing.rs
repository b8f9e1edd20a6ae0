//! Nothing from a post reaches the terminal raw.

use crate::support;
use support::Test;

#[test]
fn escape_sequences_carriage_returns_bidi_and_zero_width_are_shown_not_run() {
    let t = Test::new();
    let text = "Avant\x1b[2J\rAPRÈS \u{202e}lirpa\u{202c} pay\u{200b}pal \u{9b}31m";
    let out = t.post("demo", text).run();
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

#[test]
fn an_argument_the_command_line_refuses_is_quoted_back_shown_not_run() {
    let t = Test::new();
    // A post text that starts like an option, as `post -a demo "$TEXT"` passes it: the
    // command-line parser quotes it back, in colour on a terminal, where it would otherwise run.
    let mut tty = t
        .cmd(["post", "-a", "demo", "--\x1b]0;pwned\x07\x1b[2J\u{202e}txet"])
        .tty();
    assert_eq!(tty.finish(), support::code::USAGE);
    let screen = tty.screen();
    for raw in ["\x1b]", "\x07", "\x1b[2J", "\u{202e}"] {
        assert!(!screen.contains(raw), "raw {raw:?} in {screen:?}");
    }
    assert!(
        screen.contains("--⟨U+001B⟩]0;pwned⟨U+0007⟩⟨U+001B⟩[2J⟨U+202E⟩txet"),
        "{screen}"
    );
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
            .post("demo", post)
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
    t.post("demo", post)
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
        t.post("demo", post)
            .env("NO_COLOR", "1")
            .status(support::code::CONTENT)
            .stderr_has(marked)
            .stderr_has("refused by the policy's rules: reserve-electorale")
            .run();
    }
    assert!(t.outbox("outbox").is_empty());
}

/// The issue's repro: rows of blanks push a fake frame, padded to the terminal's width, to the
/// start of screen rows, where the terminal's own wrapping would leave it without a gutter.
fn fake_frame_post(columns: usize) -> String {
    let pad = |s: &str, fill: char, last: char| {
        let used = s.chars().count() + 1;
        format!("{s}{}{last}", fill.to_string().repeat(columns - used))
    };
    let mut text = String::from("Bonjour");
    text.push_str(&"\n".repeat(34));
    text.push_str(&" ".repeat(columns - 4));
    text.push_str(&pad("┌", '─', '┐'));
    let label = if columns >= 50 {
        "│  PERSONAL ACCOUNT · speaks for one person"
    } else {
        "│  PERSONAL ACCOUNT"
    };
    text.push_str(&pad(label, ' ', '│'));
    text.push_str(&pad("└", '─', '┘'));
    text.push_str("  handle        @camille");
    text
}

/// Checks the screen a person sees at the prompt: the real frame, the preview behind its gutter
/// on every row up to the `… N more lines` row, and the prompt naming the account. Returns the
/// preview's rows and the number of lines said to be hidden.
fn check_prompt_screen(t: &Test, screen: &support::screen::Screen) -> (usize, usize) {
    let lines = screen.lines();
    // The prompt's first row; on a narrow terminal the prompt goes on over further rows.
    let prompt = lines
        .iter()
        .rposition(|l| l.starts_with("OFFICIAL @"))
        .unwrap_or_else(|| panic!("no prompt on screen:\n{}", screen.text()));
    let frame = lines
        .iter()
        .position(|l| l.contains("OFFICIAL ACCOUNT"))
        .unwrap_or_else(|| panic!("the real frame scrolled off:\n{}", screen.text()));
    assert!(
        lines[frame].starts_with('║') && lines[frame - 1].starts_with('╔'),
        "{}",
        screen.text()
    );
    let post = lines
        .iter()
        .position(|l| l.starts_with("  post  "))
        .expect("the post row");
    assert!(frame < post && post < prompt);
    let more = &lines[prompt - 1];
    let hidden: usize = more
        .strip_prefix("  … ")
        .and_then(|m| m.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no `… N more lines` row before the prompt:\n{}", screen.text()));
    assert!(more.contains(&format!("{hidden} more lines")), "{more}");
    let preview = &lines[post + 1..prompt - 1];
    for row in preview {
        assert!(
            row.starts_with("  ┃"),
            "a preview row without the gutter: {row:?}\n{}",
            screen.text()
        );
    }
    // Nothing the post wrote starts a row: whatever says PERSONAL sits behind the gutter.
    for row in lines.iter().chain(&screen.scrolled_off) {
        assert!(
            !row.contains("PERSONAL") || row.starts_with("  ┃ "),
            "{row:?}\n{}",
            screen.text()
        );
    }
    // Compared without blanks, which the end of a wrapped row does not keep.
    let expected = format!(
        "OFFICIAL {} (Ministère (démo)): type its handle to publish (1/3):",
        t.handle("demo")
    );
    assert_eq!(
        lines[prompt..].concat().replace(' ', ""),
        expected.replace(' ', ""),
        "{}",
        screen.text()
    );
    (preview.len(), hidden)
}

#[test]
fn a_post_cannot_wrap_a_fake_banner_over_the_real_one() {
    let t = Test::new();
    let post = fake_frame_post(100);
    let mut tty = t
        .cmd(["post", "-a", "demo", &post])
        .env("NO_COLOR", "1")
        .tty_sized(100, 40, "");
    tty.expect("type its handle to publish (1/3): ");
    let (rows, hidden) = check_prompt_screen(&t, &tty.screen_at(100, 40));
    assert!(rows <= 20 && hidden > 0, "{rows} rows, {hidden} hidden");
    tty.keys("\x03");
    assert_eq!(tty.finish(), support::code::NOT_CONFIRMED);
    assert!(t.outbox("outbox").is_empty());
}

#[test]
fn at_40_columns_the_frame_stays_on_screen_above_a_fake_one() {
    let t = Test::new();
    let post = fake_frame_post(40);
    let mut tty = t
        .cmd(["post", "-a", "demo", &post])
        .env("NO_COLOR", "1")
        .tty_sized(40, 30, "");
    tty.expect("type its handle to publish (1/3): ");
    let (rows, hidden) = check_prompt_screen(&t, &tty.screen_at(40, 30));
    assert!(rows >= 3 && hidden > 0, "{rows} rows, {hidden} hidden");
    tty.keys("\x03");
    assert_eq!(tty.finish(), support::code::NOT_CONFIRMED);
}

#[test]
fn a_long_post_is_cut_in_the_preview_but_published_whole() {
    let t = Test::new();
    let post = format!("début{}fin", "\n".repeat(450));
    let mut tty = t
        .cmd(["post", "-a", "demo", &post])
        .env("NO_COLOR", "1")
        .tty_sized(100, 40, "");
    tty.expect("type its handle to publish (1/3): ");
    let (rows, hidden) = check_prompt_screen(&t, &tty.screen_at(100, 40));
    assert_eq!(rows + hidden, 451, "{rows} rows shown, {hidden} said hidden");
    tty.line(&t.handle("demo"));
    assert_eq!(tty.finish(), support::code::SUCCESS);
    assert_eq!(t.outbox("outbox")[0]["text"], post);
}

/// The frame's rows as drawn: each must hold its two corners or sides, on one screen row.
fn frame_rows(screen: &support::screen::Screen) -> Vec<String> {
    let lines = screen.lines();
    let top = lines
        .iter()
        .position(|l| l.starts_with('╔'))
        .unwrap_or_else(|| panic!("no frame:\n{}", screen.text()));
    let bottom = top
        + lines[top..]
            .iter()
            .position(|l| l.starts_with('╚'))
            .expect("frame bottom");
    lines[top..=bottom].to_vec()
}

#[test]
fn the_frame_fits_the_terminal_width() {
    for (columns, label_rows) in [(40, 2), (100, 1)] {
        let t = Test::new();
        let mut tty = t
            .cmd(["post", "-a", "demo", "x"])
            .env("NO_COLOR", "1")
            .tty_sized(columns, 30, "");
        tty.expect("type its handle to publish (1/3): ");
        let rows = frame_rows(&tty.screen_at(columns as usize, 30));
        assert_eq!(rows.len(), 2 + label_rows, "{rows:#?}");
        let width = rows[0].chars().count();
        assert!(width <= columns as usize && width >= 32, "{rows:#?}");
        assert!(
            rows[0].ends_with('╗') && rows[rows.len() - 1].ends_with('╝'),
            "{rows:#?}"
        );
        for row in &rows[1..rows.len() - 1] {
            assert!(row.starts_with('║') && row.ends_with('║'), "{rows:#?}");
        }
        assert!(rows.iter().all(|r| r.chars().count() == width), "{rows:#?}");
        let label = rows.concat();
        assert!(label.contains("OFFICIAL ACCOUNT") && label.contains("speaks for the institution"));
        tty.keys("\x03");
        assert_eq!(tty.finish(), support::code::NOT_CONFIRMED);
    }
}
