//! Typed confirmation in a real pseudo-terminal.

use crate::support;
use support::{Test, code};

const PROMPT: &str = "type its handle to publish";

fn refused_with_nothing_published(t: &Test, reason_part: &str) {
    assert!(t.outbox("outbox").is_empty(), "something was published");
    let audit = t.audit();
    let last = audit.last().expect("an audit record");
    assert_eq!(last["event"], "refused");
    assert_eq!(last["outcome"]["status"], "refused");
    assert_eq!(last["outcome"]["exit_code"], code::NOT_CONFIRMED);
    let reason = last["outcome"]["reason"].as_str().unwrap();
    assert!(reason.contains(reason_part), "reason {reason:?} lacks {reason_part:?}");
}

#[test]
fn the_right_handle_publishes() {
    let t = Test::new();
    let mut tty = t
        .cmd(["post", "-a", "demo", "Bonjour à tous"])
        .env("NO_COLOR", "1")
        .tty();
    tty.expect("OFFICIAL ACCOUNT").expect(PROMPT);
    tty.line(&t.handle("demo"));
    assert_eq!(tty.finish(), code::SUCCESS);
    let posts = t.outbox("outbox");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["text"], "Bonjour à tous");
    let audit = t.audit();
    assert_eq!(audit.last().unwrap()["outcome"]["status"], "published");
    assert_eq!(audit.last().unwrap()["confirmation"], "typed");
}

#[test]
fn the_handle_matches_without_at_and_in_other_case() {
    let t = Test::new();
    let mut tty = t.cmd(["post", "-a", "demo", "x"]).tty();
    tty.expect(PROMPT);
    tty.line(&format!(
        "  {}  ",
        t.handle("demo").trim_start_matches('@').to_uppercase()
    ));
    assert_eq!(tty.finish(), code::SUCCESS);
    assert_eq!(t.outbox("outbox").len(), 1);
}

#[test]
fn a_wrong_handle_three_times_refuses() {
    let t = Test::new();
    let mut tty = t.cmd(["post", "-a", "demo", "x"]).env("NO_COLOR", "1").tty();
    for attempt in 1..=3 {
        tty.expect(&format!("({attempt}/3)"));
        tty.line(&t.handle("perso"));
        tty.expect("is not the handle of account `demo`");
    }
    assert_eq!(tty.finish(), code::NOT_CONFIRMED);
    refused_with_nothing_published(&t, "not confirmed after 3 attempts");
}

#[test]
fn a_look_alike_handle_is_named_as_such() {
    let t = Test::new();
    // Cyrillic а (U+0430) in place of the Latin a.
    let spoof = t.handle("demo").replacen('a', "\u{430}", 1);
    let mut tty = t.cmd(["post", "-a", "demo", "x"]).env("NO_COLOR", "1").tty();
    for _ in 0..3 {
        tty.expect(PROMPT);
        tty.line(&spoof);
        tty.expect("looks like");
        tty.expect("but is not (it contains U+0430)");
    }
    assert_eq!(tty.finish(), code::NOT_CONFIRMED);
    refused_with_nothing_published(&t, "looks like");
}

#[test]
fn an_empty_answer_refuses() {
    let t = Test::new();
    let mut tty = t.cmd(["post", "-a", "demo", "x"]).tty();
    tty.expect(PROMPT);
    tty.line("");
    assert_eq!(tty.finish(), code::NOT_CONFIRMED);
    refused_with_nothing_published(&t, "nothing was typed");
}

#[test]
fn ctrl_d_refuses() {
    let t = Test::new();
    let mut tty = t.cmd(["post", "-a", "demo", "x"]).tty();
    tty.expect(PROMPT);
    tty.keys("\x04");
    assert_eq!(tty.finish(), code::NOT_CONFIRMED);
    refused_with_nothing_published(&t, "Ctrl-D");
}

#[test]
fn ctrl_c_refuses_and_is_recorded() {
    let t = Test::new();
    let mut tty = t.cmd(["post", "-a", "demo", "x"]).tty();
    tty.expect(PROMPT);
    tty.keys("\x03");
    assert_eq!(tty.finish(), code::NOT_CONFIRMED);
    refused_with_nothing_published(&t, "Ctrl-C");
}

#[test]
fn a_piped_body_still_asks_the_person_on_the_terminal() {
    let t = Test::new();
    let mut tty = t
        .cmd(["unused"])
        .tty_shell("printf 'Texte venu de stdin\\n' | postgate post --account demo -");
    tty.expect("Texte venu de stdin").expect(PROMPT);
    tty.line(&t.handle("demo"));
    assert_eq!(tty.finish(), code::SUCCESS);
    let posts = t.outbox("outbox");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["text"], "Texte venu de stdin");
}

#[test]
fn personal_accounts_ask_yes_no_defaulting_to_no() {
    let t = Test::new();
    let mut tty = t.cmd(["post", "-a", "perso", "mon avis"]).env("NO_COLOR", "1").tty();
    tty.expect("PERSONAL ACCOUNT").expect("[y/N]");
    tty.line("");
    assert_eq!(tty.finish(), code::NOT_CONFIRMED);
    assert!(t.outbox("perso-outbox").is_empty());

    let mut tty = t.cmd(["post", "-a", "perso", "mon avis"]).tty();
    tty.expect("[y/N]");
    tty.line("y");
    assert_eq!(tty.finish(), code::SUCCESS);
    assert_eq!(t.outbox("perso-outbox").len(), 1);
    assert_eq!(t.audit().last().unwrap()["confirmation"], "yes");
}

#[test]
fn official_banner_is_white_on_red_with_colour() {
    let t = Test::new();
    let mut tty = t.cmd(["post", "-a", "demo", "x"]).tty();
    // SGR: bold (1), white foreground (37), red background (41).
    tty.expect("\x1b[1;41;37m");
    tty.expect("OFFICIAL ACCOUNT");
    tty.expect(PROMPT);
    tty.keys("\x04");
    assert_eq!(tty.finish(), code::NOT_CONFIRMED);
}

#[test]
fn the_editor_opens_without_text_and_an_empty_result_aborts() {
    let t = Test::new();
    // An "editor" that writes nothing: the post is empty, so postgate aborts.
    let mut tty = t
        .cmd(["post", "-a", "demo"])
        .env("EDITOR", "true")
        .env("VISUAL", "true")
        .tty();
    tty.expect("aborting: the post is empty");
    assert_eq!(tty.finish(), code::NOT_CONFIRMED);
    assert!(t.outbox("outbox").is_empty());

    // An editor that writes a post.
    let script = t.path().join("write-post.sh");
    std::fs::write(&script, "#!/bin/sh\nprintf 'Écrit dans l’éditeur\\n' > \"$1\"\n").unwrap();
    let editor = format!("sh {}", script.display());
    let mut tty = t.cmd(["post", "-a", "demo"]).env("VISUAL", &editor).tty();
    tty.expect("Écrit dans l’éditeur").expect(PROMPT);
    tty.line(&t.handle("demo"));
    assert_eq!(tty.finish(), code::SUCCESS);
    assert_eq!(t.outbox("outbox")[0]["text"], "Écrit dans l’éditeur");
}

#[test]
fn the_editor_works_in_a_private_folder_that_leaves_nothing_of_the_draft_behind() {
    let t = Test::new();
    std::fs::create_dir_all(t.path().join("tmp")).expect("tmp folder");
    // Saves as many editors do: a backup of the old file, and the new text written beside it
    // and renamed over it, which gives the file the umask's mode rather than the original's.
    let script = t.write(
        "rename-editor.sh",
        "#!/bin/sh\ncp \"$1\" \"$1~\"\nprintf 'Embargoed draft\\n' > \"$1.new\"\nmv \"$1.new\" \"$1\"\n\
         stat -c %a \"$(dirname \"$1\")\" > {dir}/folder-mode\n",
    );
    let mut tty = t
        .cmd(["post", "-a", "demo"])
        .env("VISUAL", &format!("sh {}", script.display()))
        .env("TMPDIR", "{dir}/tmp")
        .tty();
    tty.expect("Embargoed draft").expect(PROMPT);
    tty.line(&t.handle("demo"));
    assert_eq!(tty.finish(), code::SUCCESS);
    assert_eq!(t.outbox("outbox")[0]["text"], "Embargoed draft");
    // Other users of the machine could read a file the editor made with the umask's mode.
    assert_eq!(t.read("folder-mode").trim(), "700");
    let left: Vec<_> = std::fs::read_dir(t.path().join("tmp"))
        .expect("read tmp")
        .map(|e| e.expect("entry").path())
        .collect();
    assert!(left.is_empty(), "the editor's files stay behind: {left:?}");
}

#[test]
fn ctrl_c_in_the_editor_is_the_editor_s_and_leaves_no_draft_behind() {
    let t = Test::new();
    std::fs::create_dir_all(t.path().join("tmp")).expect("tmp folder");
    // Ctrl-C in a terminal editor reaches the whole foreground group; the editor takes it (vi
    // cancels a command), so postgate must too, as git does, and go on with what was saved.
    let script = t.write(
        "interrupted-editor.sh",
        "#!/bin/sh\ntrap '' INT\nkill -INT 0\nprintf 'Après Ctrl-C\\n' > \"$1\"\n",
    );
    {
        use std::os::unix::fs::PermissionsExt;
        // Run as it is, not through `sh -c`, whose own shell would die of the Ctrl-C.
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let mut tty = t
        .cmd(["post", "-a", "demo"])
        .env("VISUAL", &script.display().to_string())
        .env("TMPDIR", "{dir}/tmp")
        .tty();
    tty.expect("Après Ctrl-C").expect(PROMPT);
    tty.line(&t.handle("demo"));
    assert_eq!(tty.finish(), code::SUCCESS);
    assert_eq!(t.outbox("outbox")[0]["text"], "Après Ctrl-C");
    let left: Vec<_> = std::fs::read_dir(t.path().join("tmp"))
        .expect("read tmp")
        .map(|e| e.expect("entry").path())
        .collect();
    assert!(left.is_empty(), "the draft stays behind: {left:?}");
}

#[test]
fn the_editor_does_not_write_into_a_redirected_stdout() {
    let t = Test::new();
    // A terminal editor draws its screen on its stdout; postgate's stdout here is the JSON
    // document a script reads, and must stay exactly one value.
    let script = t.write(
        "drawing-editor.sh",
        "#!/bin/sh\nprintf 'the editor screen\\n'\nprintf 'Du texte\\n' > \"$1\"\n",
    );
    let mut tty = t
        .cmd(Vec::<String>::new())
        .env("VISUAL", &format!("sh {}", script.display()))
        .tty_shell(&format!(
            "postgate --json post -a demo --confirm-handle {} > {{dir}}/out.json",
            t.handle("demo")
        ));
    assert_eq!(tty.finish(), code::SUCCESS, "{}", tty.screen());
    let out = t.read("out.json");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    assert_eq!(v["status"], "published", "{v}");
    assert!(tty.screen().contains("the editor screen"), "{}", tty.screen());
    assert_eq!(t.outbox("outbox")[0]["text"], "Du texte");
}

#[test]
fn the_prompt_names_the_account_and_its_kind() {
    let t = Test::new();
    let mut tty = t.cmd(["post", "-a", "demo", "x"]).env("NO_COLOR", "1").tty();
    tty.expect(&format!(
        "OFFICIAL {} (Ministère (démo)): type its handle to publish (1/3): ",
        t.handle("demo")
    ));
    tty.keys("\x03");
    assert_eq!(tty.finish(), code::NOT_CONFIRMED);
}

#[test]
fn text_typed_before_the_prompt_is_discarded() {
    let t = Test::new();
    // The handle and Enter are already waiting on the terminal when postgate starts.
    let typed_ahead = format!("{}\r", t.handle("demo"));
    let mut tty = t
        .cmd(["post", "-a", "demo", "x"])
        .env("NO_COLOR", "1")
        .tty_sized(160, 40, &typed_ahead);
    tty.expect("type its handle to publish (1/3): ");
    tty.keys("\x03");
    assert_eq!(tty.finish(), code::NOT_CONFIRMED);
    refused_with_nothing_published(&t, "Ctrl-C");
}

/// The last screen row holding the prompt, as a terminal of 160 columns shows it.
fn answer_row(tty: &support::Tty) -> String {
    let screen = tty.screen_at(160, 40);
    let lines = screen.lines();
    lines
        .iter()
        .rev()
        .find(|l| l.contains("type its handle to publish"))
        .cloned()
        .unwrap_or_else(|| panic!("no prompt on screen:\n{}", screen.text()))
}

/// Posts to `demo` at a 160-column terminal, types `keys`, then the handle and Enter. The post
/// must go out, with the answer row showing exactly the handle.
fn keys_then_the_handle(t: &Test, keys: &str) -> support::Tty {
    let handle = t.handle("demo");
    let mut tty = t
        .cmd(["post", "-a", "demo", "x"])
        .env("NO_COLOR", "1")
        .tty_sized(160, 40, "");
    tty.expect(PROMPT);
    tty.keys(keys);
    tty.keys(&handle);
    tty.keys("\r");
    assert_eq!(tty.finish(), code::SUCCESS, "{}", tty.screen());
    assert_eq!(
        answer_row(&tty),
        format!("OFFICIAL {handle} (Ministère (démo)): type its handle to publish (1/3): {handle}")
    );
    tty
}

#[test]
fn ctrl_d_inside_an_answer_is_refused_and_the_screen_shows_what_is_compared() {
    let t = Test::new();
    // Ctrl-D after text, then three Backspaces: one for each character that was shown.
    let tty = keys_then_the_handle(&t, "@x\x04\x7f\x7f\x7f");
    assert!(tty.screen().contains("Ctrl-D ignored"), "{}", tty.screen());
    assert_eq!(t.audit().last().unwrap()["confirmation"], "typed");
}

#[test]
fn backspace_erases_a_whole_shown_character() {
    let t = Test::new();
    // A zero-width space is shown as ⟨U+200B⟩ (8 cells); one Backspace removes it, and all of
    // its cells. The combining accent joins the e before it: one Backspace takes both.
    keys_then_the_handle(&t, "\u{200b}\x7fe\u{301}\x7f");
    assert_eq!(t.outbox("outbox").len(), 1);
}

#[test]
fn an_answer_over_several_rows_is_erased_row_by_row() {
    let t = Test::new();
    let handle = t.handle("demo");
    let mut tty = t
        .cmd(["post", "-a", "demo", "x"])
        .env("NO_COLOR", "1")
        .tty_sized(40, 30, "");
    tty.expect(PROMPT);
    // 30 zero-width spaces are shown in 240 columns, over seven rows of a 40-column terminal;
    // 30 Backspaces take them all back, rows included.
    tty.keys(&"\u{200b}".repeat(30));
    tty.keys(&"\x7f".repeat(30));
    tty.keys(&handle);
    tty.keys("\r");
    assert_eq!(tty.finish(), code::SUCCESS, "{}", tty.screen());
    let screen = tty.screen_at(40, 30);
    let lines = screen.lines();
    let start = lines
        .iter()
        .rposition(|l| l.starts_with("OFFICIAL @"))
        .unwrap_or_else(|| panic!("no prompt:\n{}", screen.text()));
    let end = start
        + lines[start..]
            .iter()
            .position(|l| l.ends_with(&handle))
            .expect("the answer row");
    // Rows are compared without blanks, which a row's end does not keep.
    let shown: String = lines[start..=end].concat().replace(' ', "");
    let expected = format!("OFFICIAL {handle} (Ministère (démo)): type its handle to publish (1/3): {handle}");
    assert_eq!(shown, expected.replace(' ', ""), "{}", screen.text());
    assert!(!screen.text().contains('⟨'), "{}", screen.text());
}

#[test]
fn editing_keys_are_refused_and_escape_alone_cancels() {
    let t = Test::new();
    // Left arrow, then Tab: neither moves nor enters anything.
    let tty = keys_then_the_handle(&t, "@x\x1b[D\t\x7f\x7f");
    assert!(tty.screen().contains("an editing key ignored"), "{}", tty.screen());
    assert!(tty.screen().contains("Tab ignored"), "{}", tty.screen());

    let mut tty = t.cmd(["post", "-a", "demo", "x"]).tty();
    tty.expect(PROMPT);
    tty.keys("\x1b");
    assert_eq!(tty.finish(), code::NOT_CONFIRMED);
    assert_eq!(t.outbox("outbox").len(), 1);
    let audit = t.audit();
    let reason = audit.last().unwrap()["outcome"]["reason"].as_str().unwrap().to_string();
    assert!(reason.contains("Escape"), "{reason}");
}

#[test]
fn a_prompt_that_ends_on_the_last_column_still_edits_right() {
    let t = Test::new();
    let handle = t.handle("demo");
    let prompt = format!("OFFICIAL {handle} (Ministère (démo)): type its handle to publish (1/3): ");
    let columns = prompt.chars().count();
    let mut tty = t
        .cmd(["post", "-a", "demo", "x"])
        .env("NO_COLOR", "1")
        .tty_sized(columns as u16, 30, "");
    tty.expect(PROMPT);
    tty.keys("\u{200b}\x7f");
    tty.keys(&handle);
    tty.keys("\r");
    assert_eq!(tty.finish(), code::SUCCESS, "{}", tty.screen());
    let screen = tty.screen_at(columns, 30);
    let lines = screen.lines();
    let at = lines
        .iter()
        .rposition(|l| l.starts_with("OFFICIAL @"))
        .unwrap_or_else(|| panic!("no prompt:\n{}", screen.text()));
    assert_eq!(lines[at], prompt.trim_end(), "{}", screen.text());
    assert_eq!(lines[at + 1], handle, "{}", screen.text());
}
