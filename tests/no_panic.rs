//! No panic reaches the user: every command, run on broken environment values, ends with a
//! documented exit code and its own message, never Rust's exit 101 and "panicked at".
//!
//! The commands come from clap's command tree, so a new command is covered without a change
//! here; their required arguments are filled in from the tree too. Every account is an outbox
//! one, so nothing leaves the machine.

use crate::support;
use clap::CommandFactory;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::process::Stdio;
use support::{BIN, Test, code};

/// Every leaf command with its required arguments filled in: an account where one is named,
/// a file name that does not exist, the first value of a closed list, a word otherwise.
fn command_lines(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
    let subs: Vec<&clap::Command> = cmd.get_subcommands().filter(|s| s.get_name() != "help").collect();
    if subs.is_empty() && !prefix.is_empty() {
        let mut line = prefix.to_vec();
        for arg in cmd.get_arguments().filter(|a| a.is_required_set()) {
            let name = arg.get_id().as_str().to_lowercase();
            let value = if let Some(first) = arg.get_possible_values().first() {
                first.get_name().to_string()
            } else if name.contains("account") {
                "demo".to_string()
            } else if name.contains("reason") {
                "test".to_string()
            } else {
                "nosuch".to_string()
            };
            if arg.is_positional() {
                line.push(value);
            } else if let Some(long) = arg.get_long() {
                line.push(format!("--{long}"));
                line.push(value);
            }
        }
        out.push(line);
    }
    for sub in subs {
        let mut path = prefix.to_vec();
        path.push(sub.get_name().to_string());
        command_lines(sub, &path, out);
    }
}

/// The broken environments: one variable set to a value a user's shell can leave behind.
fn bad_environments(t: &Test) -> Vec<(&'static str, OsString)> {
    let a_file = t.write("not-a-folder", "");
    vec![
        ("VISUAL", "".into()),
        ("EDITOR", "".into()),
        ("HOME", "".into()),
        ("XDG_STATE_HOME", "".into()),
        ("XDG_STATE_HOME", "relative/state".into()),
        ("XDG_CONFIG_HOME", a_file.into_os_string()),
        ("XDG_CONFIG_HOME", "".into()),
        ("POSTGATE_POLICY", "".into()),
        ("POSTGATE_KEYCHAIN_TIMEOUT", "abc".into()),
        ("POSTGATE_KEYCHAIN_TIMEOUT", "-1".into()),
        ("LANG", "xx_YY.garbage@nothing".into()),
        ("LC_ALL", "\u{1b}[2J".into()),
        ("TERM", "".into()),
        ("COLUMNS", "0".into()),
        ("COLUMNS", "-1".into()),
        ("COLUMNS", "99999999999999999999".into()),
        ("LINES", "0".into()),
        ("NO_COLOR", OsStr::from_bytes(b"\xff\xfe").into()),
        ("VISUAL", OsStr::from_bytes(b"vi\xff").into()),
        ("HOME", OsStr::from_bytes(b"/tmp/\xff\xfe-home").into()),
    ]
}

#[test]
fn no_command_panics_on_a_broken_environment() {
    let t = Test::new();
    let mut lines = Vec::new();
    command_lines(&postgate::cli::Cli::command(), &[], &mut lines);
    assert!(lines.len() > 15, "the command tree lists every command: {lines:?}");
    for must in ["post", "lockdown", "unlock", "reconcile", "log", "man", "completions"] {
        assert!(lines.iter().any(|l| l[0] == must), "{must} is in the tree: {lines:?}");
    }
    let mut runs = 0;
    // Every other environment under --json too, which takes other paths (the error object)
    // without doubling the runs.
    for (n, (key, value)) in bad_environments(&t).into_iter().enumerate() {
        for line in &lines {
            {
                let json = n % 2 == 1;
                let mut cmd = t.command(BIN);
                cmd.args(line)
                    .env(key, &value)
                    .env("RUST_BACKTRACE", "1")
                    .stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped());
                if json {
                    cmd.arg("--json");
                }
                let out = cmd.output().expect("run postgate");
                runs += 1;
                let stderr = String::from_utf8_lossy(&out.stderr);
                let context = format!(
                    "postgate {} {}with {key}={value:?}: status {:?}\n--- stderr:\n{stderr}",
                    line.join(" "),
                    if json { "--json " } else { "" },
                    out.status.code()
                );
                assert_ne!(out.status.code(), Some(101), "{context}");
                assert!(out.status.code().is_some(), "killed by a signal: {context}");
                assert!(!stderr.contains("panicked at"), "{context}");
            }
        }
    }
    assert!(runs > 300, "{runs} runs");
}

#[test]
fn an_empty_visual_falls_back_to_editor() {
    let t = Test::new();
    let script = t.write("write-post.sh", "#!/bin/sh\nprintf 'Écrit par EDITOR\\n' > \"$1\"\n");
    let mut tty = t
        .cmd(["post", "-a", "demo"])
        .env("VISUAL", "")
        .env("EDITOR", &format!("sh {}", script.display()))
        .env("NO_COLOR", "1")
        .tty();
    tty.expect("Écrit par EDITOR").expect("type its handle to publish");
    tty.line(&t.handle("demo"));
    assert_eq!(tty.finish(), code::SUCCESS);
    assert_eq!(t.outbox("outbox")[0]["text"], "Écrit par EDITOR");
}

#[test]
fn an_editor_path_with_spaces_runs_without_quoting() {
    let t = Test::new();
    let script = t.write(
        "My Editors/write post",
        "#!/bin/sh\nprintf 'Chemin avec espaces\\n' > \"$1\"\n",
    );
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    let mut tty = t
        .cmd(["post", "-a", "demo"])
        .env("VISUAL", &script.display().to_string())
        .env("NO_COLOR", "1")
        .tty();
    tty.expect("Chemin avec espaces").expect("type its handle to publish");
    tty.line(&t.handle("demo"));
    assert_eq!(tty.finish(), code::SUCCESS);
}

#[test]
fn an_editor_that_fails_publishes_nothing_and_says_so() {
    let t = Test::new();
    let mut tty = t
        .cmd(["post", "-a", "demo"])
        .env("VISUAL", "false --wait")
        .env("NO_COLOR", "1")
        .tty();
    tty.expect("the editor `false --wait` failed");
    assert_eq!(tty.finish(), code::NOT_CONFIRMED);
    assert!(t.outbox("outbox").is_empty());
    let refused = t.audit();
    assert_eq!(refused.last().expect("a record")["event"], "refused", "{refused:?}");
}

#[test]
fn a_panic_before_the_intent_is_a_refusal_with_exit_1() {
    let t = Test::new();
    let out = t
        .post("demo", "Un bug avant l’envoi")
        .env("POSTGATE_FAULT", "panic-before-intent")
        .env("RUST_BACKTRACE", "1")
        .status(1)
        .stderr_has("internal error")
        .stderr_has("please report")
        .stderr_has("src/publish.rs:")
        .run();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked at"));
    assert!(t.outbox("outbox").is_empty());
    let records = t.audit();
    let last = records.last().expect("a record");
    assert_eq!(last["event"], "refused", "{records:?}");
    assert_eq!(last["outcome"]["exit_code"], 1, "{last}");
    assert!(records.iter().all(|r| r["event"] != "intent"), "{records:?}");
}

#[test]
fn a_panic_after_the_intent_leaves_the_attempt_in_doubt_for_the_next_run() {
    let t = Test::new();
    t.post("demo", "Un bug après l’envoi")
        .env("POSTGATE_FAULT", "panic-after-publish")
        .status(1)
        .stderr_has("whether the change reached the platform is unknown")
        .run();
    let records = t.audit();
    // The post went out, and no record claims otherwise: the intent is the last word.
    assert_eq!(records.last().expect("a record")["event"], "intent", "{records:?}");
    assert_eq!(t.outbox("outbox").len(), 1);
    // The next run presents the same key: the outbox finds its post, nothing is sent twice.
    t.post("demo", "Un bug après l’envoi").run();
    assert_eq!(t.outbox("outbox").len(), 1);
}

#[test]
fn a_panic_under_json_still_ends_in_one_error_object() {
    let t = Test::new();
    let handle = t.handle("demo");
    let out = t
        .cmd(["post", "-a", "demo", "--json", "--confirm-handle", &handle, "Un bug"])
        .env("POSTGATE_FAULT", "panic-before-intent")
        .status(1)
        .run();
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON value");
    assert_eq!(value["exit_code"], 1);
    assert!(
        value["message"].as_str().unwrap_or_default().contains("internal error"),
        "{value}"
    );
}

#[test]
fn a_panic_while_the_post_is_read_is_a_recorded_refusal() {
    let t = Test::new();
    t.post("demo", "Texte")
        .env("POSTGATE_FAULT", "panic-read-post")
        .status(1)
        .stderr_has("internal error while reading the post")
        .run();
    let records = t.audit();
    let last = records.last().expect("a record");
    assert_eq!(last["event"], "refused", "{records:?}");
    assert!(
        last["outcome"]["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("internal error"),
        "{last}"
    );
    assert!(t.outbox("outbox").is_empty());
}
