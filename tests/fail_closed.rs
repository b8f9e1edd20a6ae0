//! Without a terminal (as in CI) nothing is published unless the script states the handle.

use crate::support;
use support::{Test, code, demo_policy};

#[test]
fn no_terminal_and_no_flag_refuses() {
    let t = Test::new();
    t.cmd(["post", "-a", "demo", "Bonjour"])
        .status(code::NOT_CONFIRMED)
        .stdout("")
        .stderr_has("error: no terminal to confirm the target account `demo`, and no --confirm-handle")
        .stderr_has("hint: scripts must state the handle they mean: --confirm-handle '@mairie_demo_{uid}'")
        .run();
    assert!(t.outbox("outbox").is_empty());
    let audit = t.audit();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["event"], "refused");
    assert_eq!(audit[0]["outcome"]["exit_code"], code::NOT_CONFIRMED);
    assert_eq!(audit[0]["text"], "Bonjour");
}

#[test]
fn a_wrong_flag_refuses() {
    let t = Test::new();
    t.cmd(["post", "-a", "demo", "--confirm-handle", "@camille_{uid}", "Bonjour"])
        .status(code::NOT_CONFIRMED)
        .stderr_has("error: --confirm-handle does not match: `@camille_{uid}` is not the handle of account `demo` (@mairie_demo_{uid})")
        .run();
    assert!(t.outbox("outbox").is_empty());
    assert_eq!(t.audit()[0]["outcome"]["status"], "refused");
}

#[test]
fn a_look_alike_flag_refuses() {
    let t = Test::new();
    let spoof = t.handle("demo").replacen('a', "\u{430}", 1);
    t.cmd(["post", "-a", "demo", "--confirm-handle", &spoof, "Bonjour"])
        .status(code::NOT_CONFIRMED)
        .stderr_has("looks like @mairie_demo_{uid} but is not (it contains U+0430)")
        .run();
    assert!(t.outbox("outbox").is_empty());
}

#[test]
fn the_right_flag_publishes_and_prints_id_and_url() {
    let t = Test::new();
    let out = t
        .cmd(["post", "-a", "demo", "--confirm-handle", "mairie_demo_{uid}", "Bonjour"])
        .run();
    let posts = t.outbox("outbox");
    assert_eq!(posts.len(), 1);
    let id = posts[0]["id"].as_str().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let expected_url = format!(
        "file://{}/outbox/posts/{id}.json",
        std::fs::canonicalize(t.path()).unwrap().display()
    );
    assert_eq!(stdout, format!("{id}\t{expected_url}\n"));
    let audit = t.audit();
    assert_eq!(audit.len(), 2, "intent then outcome");
    assert_eq!(audit[0]["event"], "intent");
    assert_eq!(audit[0]["outcome"]["status"], "pending");
    assert_eq!(audit[1]["outcome"]["status"], "published");
    assert_eq!(audit[1]["outcome"]["id"], id);
    assert_eq!(audit[1]["confirmation"], "flag");
}

#[test]
fn json_output_is_one_object_on_stdout() {
    let t = Test::new();
    let out = t
        .cmd([
            "--json",
            "post",
            "-a",
            "demo",
            "--confirm-handle",
            "@mairie_demo_{uid}",
            "Bonjour",
        ])
        .run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(v["status"], "published");
    assert_eq!(v["account"], "demo");
    assert_eq!(v["confirmation"], "flag");
    assert_eq!(v["credential_source"], "none");
    assert_eq!(v["audit_seq"], 2);

    let out = t
        .cmd(["--json", "post", "-a", "demo", "Bonjour"])
        .status(code::NOT_CONFIRMED)
        .run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(v["status"], "error");
    assert_eq!(v["error"], "not-confirmed");
    assert_eq!(v["exit_code"], code::NOT_CONFIRMED);
}

#[test]
fn non_interactive_deny_refuses_even_with_the_right_flag() {
    let t = Test::new().policy(&demo_policy("{dir}/state/audit.jsonl", "non_interactive = \"deny\""));
    t.post("demo", "Bonjour")
        .status(code::NOT_CONFIRMED)
        .stderr_has("only accepts posts confirmed by a person at a terminal (non_interactive = \"deny\")")
        .run();
    assert!(t.outbox("outbox").is_empty());
}

#[test]
fn there_is_no_yes_flag() {
    let t = Test::new();
    t.cmd(["post", "-a", "demo", "--yes", "Bonjour"])
        .status(code::USAGE)
        .stderr_has("unexpected argument '--yes'")
        .run();
}

#[test]
fn dry_run_checks_everything_and_publishes_nothing() {
    let t = Test::new();
    let out = t
        .cmd([
            "post",
            "-a",
            "demo",
            "--dry-run",
            "--confirm-handle",
            "@mairie_demo_{uid}",
            "Bonjour",
        ])
        .stdout("")
        .stderr_has("mode          DRY RUN: nothing will be published")
        .stderr_has("dry run: every check passed; nothing was published")
        .run();
    assert!(out.status.success());
    assert!(t.outbox("outbox").is_empty());
    let audit = t.audit();
    assert_eq!(audit.len(), 1, "a dry run leaves one record");
    assert_eq!(audit[0]["event"], "dry-run");
    assert_eq!(audit[0]["dry_run"], true);
    assert_eq!(audit[0]["confirmation"], "flag");
    assert_eq!(audit[0]["outcome"]["status"], "dry-run");
}

#[test]
fn dry_run_still_refuses_a_wrong_handle() {
    let t = Test::new();
    t.cmd([
        "post",
        "-a",
        "demo",
        "--dry-run",
        "--confirm-handle",
        "@nope",
        "Bonjour",
    ])
    .status(code::NOT_CONFIRMED)
    .run();
    assert_eq!(t.audit()[0]["dry_run"], true);
}

#[test]
fn an_unknown_account_is_refused_and_recorded() {
    let t = Test::new();
    t.cmd(["post", "-a", "nope", "--confirm-handle", "@x", "Bonjour"])
        .status(code::BAD_POLICY)
        .stderr_has("no account named `nope`")
        .stderr_has("hint: known accounts: demo, perso, vault")
        .run();
    assert_eq!(t.audit()[0]["event"], "refused");
}

#[test]
fn over_the_limit_is_refused_before_confirmation() {
    let t = Test::new();
    let long = "é".repeat(501);
    t.post("demo", &long)
        .status(code::CONTENT)
        .stderr_has("501/500 characters: TOO LONG by 1")
        .stderr_has("error: the post is 501 characters; outbox allows 500")
        .run();
    assert!(t.outbox("outbox").is_empty());
    assert_eq!(t.audit()[0]["confirmation"], serde_json::Value::Null);
}

#[test]
fn stdin_and_file_bodies_drop_one_final_newline() {
    let t = Test::new();
    t.post("demo", "-").stdin("ligne 1\nligne 2\n").run();
    std::fs::write(t.path().join("post.txt"), "depuis un fichier\n").unwrap();
    t.cmd([
        "post",
        "-a",
        "demo",
        "--confirm-handle",
        "@mairie_demo_{uid}",
        "--file",
        "post.txt",
    ])
    .run();
    let mut texts: Vec<String> = t
        .outbox("outbox")
        .iter()
        .map(|p| p["text"].as_str().unwrap().to_string())
        .collect();
    texts.sort();
    assert_eq!(texts, vec!["depuis un fichier", "ligne 1\nligne 2"]);
}

#[test]
fn no_text_without_a_terminal_is_a_usage_error() {
    let t = Test::new();
    t.cmd(["post", "-a", "demo", "--confirm-handle", "@mairie_demo_{uid}"])
        .status(code::USAGE)
        .stderr_has("no post text: pass TEXT, --file PATH, or `-` to read stdin")
        .run();
    let audit = t.audit();
    assert_eq!(audit.len(), 1, "a refusal before the pipeline is still recorded");
    assert_eq!(audit[0]["event"], "refused");
    assert_eq!(audit[0]["account"]["name"], "demo");
    assert_eq!(audit[0]["outcome"]["exit_code"], code::USAGE);
}

#[test]
fn unreadable_images_and_stray_alts_are_refused_and_recorded() {
    let t = Test::new();
    t.cmd([
        "post",
        "-a",
        "demo",
        "--confirm-handle",
        "@mairie_demo_{uid}",
        "--image",
        "missing.png",
        "Bonjour",
    ])
    .status(code::USAGE)
    .stderr_has("image `missing.png` cannot be found")
    .run();
    t.cmd([
        "post",
        "-a",
        "demo",
        "--confirm-handle",
        "@mairie_demo_{uid}",
        "--alt",
        "une photo",
        "Bonjour",
    ])
    .status(code::USAGE)
    .stderr_has("1 --alt for 0 --image")
    .run();
    let audit = t.audit();
    assert_eq!(audit.len(), 2);
    assert!(audit.iter().all(|r| r["event"] == "refused"));
    assert!(t.outbox("outbox").is_empty());
}

#[test]
fn an_unwritable_audit_log_means_no_publish() {
    let t = Test::new().policy(&demo_policy("{dir}/blocked/audit.jsonl", ""));
    // A file where the audit folder should be: the log cannot be created.
    std::fs::write(t.path().join("blocked"), "not a folder").unwrap();
    t.post("demo", "Bonjour")
        .status(code::AUDIT)
        .stderr_has("error: audit log")
        .run();
    assert!(t.outbox("outbox").is_empty(), "published without an audit record");
}

#[test]
fn the_outbox_of_another_account_is_an_identity_mismatch() {
    let t = Test::new();
    t.post("demo", "premier").run();
    // The policy is edited so that another account points at the same outbox folder.
    let t = t.policy(
        r#"
[audit]
path = "{dir}/state/audit.jsonl"
[[accounts]]
name = "other"
handle = "@autre_{uid}"
platform = "outbox"
kind = "official"
display_name = "Autre"
owner = "Tests"
path = "{dir}/outbox"
"#,
    );
    t.cmd(["post", "-a", "other", "--confirm-handle", "@autre_{uid}", "second"])
        .status(code::IDENTITY)
        .stderr_has("identity mismatch: the policy says account `other` is @autre_{uid}, but outbox says the credential belongs to @mairie_demo_{uid}")
        .run();
    assert_eq!(t.outbox("outbox").len(), 1);
    assert_eq!(t.audit().last().unwrap()["outcome"]["exit_code"], code::IDENTITY);
}

#[test]
fn a_post_body_is_at_most_1_mib_and_a_file_must_be_a_regular_one() {
    let t = Test::new();
    let post = |source: &[&str]| {
        let mut args = vec!["post", "-a", "demo", "--confirm-handle", "@mairie_demo_{uid}"];
        args.extend_from_slice(source);
        t.cmd(args)
    };
    let big = "a".repeat((1 << 20) + 1);
    std::fs::write(t.path().join("big.txt"), &big).unwrap();
    post(&["--file", "big.txt"])
        .status(code::USAGE)
        .stderr_has("cannot read big.txt: larger than 1024 KiB, the most postgate reads for a post")
        .run();
    post(&["-"])
        .stdin(&big)
        .status(code::USAGE)
        .stderr_has("cannot read stdin: larger than 1024 KiB")
        .run();
    let fifo = t.path().join("post.fifo");
    support::mkfifo(&fifo);
    post(&["--file", "post.fifo"])
        .status(code::USAGE)
        .stderr_has("cannot read post.fifo: not a regular file (a FIFO); a post must be a file")
        .run();
    post(&["--file", "/dev/zero"])
        .status(code::USAGE)
        .stderr_has("not a regular file (a character device)")
        .run();
    assert!(t.outbox("outbox").is_empty());
}

/// `post --image` takes what a person names at their terminal, links included, but only a
/// regular file, within the platform's size, that really is an image of its type.
#[test]
fn post_images_must_be_regular_files_of_their_type_and_size() {
    let t = Test::new();
    let dir = t.path();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(dir.join("fifo.png"))
            .status()
            .unwrap()
            .success()
    );
    std::fs::create_dir(dir.join("dir.png")).unwrap();
    std::fs::write(dir.join("text.png"), "POSTGATE_SECRET_X=canary\n").unwrap();
    std::fs::write(dir.join("photo.gif"), support::PNG).unwrap();
    let mut big = support::PNG.to_vec();
    big.resize(16 * 1024 * 1024 + 1, 0);
    std::fs::write(dir.join("big.png"), big).unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", dir.join("leak.png")).unwrap();
    for (file, why) in [
        ("fifo.png", "image `fifo.png` is a FIFO, not a regular file"),
        ("dir.png", "image `dir.png` is a folder, not a regular file"),
        ("text.png", "image `text.png` is not a PNG image"),
        ("photo.gif", "image `photo.gif` is a PNG image, not a GIF"),
        (
            "big.png",
            "image `big.png` is 16777217 bytes; outbox takes at most 16777216",
        ),
        ("leak.png", "image `leak.png` is not a PNG image"),
    ] {
        t.cmd([
            "post",
            "-a",
            "demo",
            "--confirm-handle",
            "@mairie_demo_{uid}",
            "--image",
            file,
            "--alt",
            "une image",
            "Bonjour",
        ])
        .env("POSTGATE_SECRET_X", "canary-in-the-environment")
        .status(code::USAGE)
        .stderr_has(why)
        .run();
    }
    assert!(t.outbox("outbox").is_empty());
    let audit = std::fs::read_to_string(t.audit_path()).unwrap();
    assert!(!audit.contains("canary-in-the-environment"));
    assert_eq!(t.audit().len(), 6);
    assert!(t.audit().iter().all(|r| r["event"] == "refused"));
}

#[test]
fn two_accounts_sharing_an_outbox_started_together_publish_under_one_handle_only() {
    let t = Test::new();
    // A second policy names another handle for the same outbox folder.
    let other = t
        .fill(&std::fs::read_to_string(t.policy_path()).unwrap())
        .replace("@mairie_demo_", "@usurpateur_");
    t.write("other.toml", &other);
    let runs: Vec<Vec<String>> = (0..6)
        .map(|i| {
            let mut args: Vec<String> = Vec::new();
            let handle = if i % 2 == 0 {
                "@mairie_demo_{uid}".to_string()
            } else {
                args.extend(["--policy".to_string(), "other.toml".to_string()]);
                "@usurpateur_{uid}".to_string()
            };
            args.extend(
                [
                    "post",
                    "-a",
                    "demo",
                    "--confirm-handle",
                    &handle,
                    &format!("Message {i}"),
                ]
                .map(String::from),
            );
            args
        })
        .collect();
    let outputs = support::run_together(&t, &runs);
    let codes: Vec<Option<i32>> = outputs.iter().map(|o| o.status.code()).collect();
    let posts = t.outbox("outbox");
    let handles: std::collections::BTreeSet<&str> = posts.iter().map(|p| p["handle"].as_str().unwrap()).collect();
    assert_eq!(handles.len(), 1, "{handles:?} {codes:?}");
    // Whoever claimed the outbox first published all three; the other three were refused.
    assert_eq!(posts.len(), 3, "{codes:?}");
    assert_eq!(
        codes.iter().filter(|c| **c == Some(code::IDENTITY)).count(),
        3,
        "{codes:?}"
    );
}

#[test]
fn a_post_killed_while_writing_the_outbox_leaves_nothing_behind_after_the_next_run() {
    let t = Test::new();
    let post = |text: &str| t.post("demo", text);
    post("Un")
        .env("POSTGATE_FAULT", "kill-outbox-write")
        .status_signal()
        .run();
    let stray = |t: &Test| -> Vec<String> {
        let mut found = Vec::new();
        for dir in ["outbox", "outbox/posts", "outbox/.tmp"] {
            for entry in std::fs::read_dir(t.path().join(dir)).into_iter().flatten().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with(".tmp") && entry.file_type().unwrap().is_file() {
                    found.push(format!("{dir}/{name}"));
                }
            }
        }
        found
    };
    assert_eq!(stray(&t).len(), 1, "the kill left its temporary file: {:?}", stray(&t));
    post("Deux").run();
    assert_eq!(stray(&t), Vec::<String>::new());
}
