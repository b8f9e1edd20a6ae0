//! A newcomer's first hour: the README's "A one-minute tour" and the script example after it
//! run as written, read from README.md itself, and `postgate init` writes a policy that works.
//!
//! Each tour line runs through `sh` in a pseudo-terminal, in a fresh HOME with the real
//! keychain, the way a reader pastes it; the lines that need a real server carry the marker
//! [`NEEDS_REAL`] and are the only ones skipped.

use crate::support;
use std::path::{Path, PathBuf};
use support::{BIN, Test, code};

/// What a tour line's comment says when it cannot run on the outbox.
const NEEDS_REAL: &str = "needs a real account";

const HANDLE_PROMPT: &str = "type its handle to publish";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read_repo(rel: &str) -> String {
    std::fs::read_to_string(repo().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

/// The `sh` blocks of the README's tour section: the tour, then the script example.
fn tour_blocks() -> (Vec<String>, Vec<String>) {
    let readme = read_repo("README.md");
    let start = readme
        .find("\n## A one-minute tour\n")
        .expect("README.md has a section \"## A one-minute tour\"");
    let section = &readme[start + 1..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let mut blocks = Vec::new();
    let mut rest = section;
    while let Some(open) = rest.find("```sh\n") {
        let body = &rest[open + 6..];
        let close = body.find("\n```").expect("an sh block is closed");
        blocks.push(body[..close].lines().map(str::to_string).collect::<Vec<_>>());
        rest = &body[close + 4..];
    }
    assert_eq!(
        blocks.len(),
        2,
        "the tour section holds the tour and the script example"
    );
    let script = blocks.pop().expect("script block");
    let tour = blocks.pop().expect("tour block");
    (tour, script)
}

/// A line split at its trailing comment: a `#` after a blank, outside quotes.
fn split_comment(line: &str) -> (String, Option<String>) {
    let mut quote = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '#') if prev.is_whitespace() => {
                return (line[..i].trim_end().to_string(), Some(line[i + 1..].trim().to_string()));
            }
            _ => {}
        }
        prev = c;
    }
    (line.trim_end().to_string(), None)
}

/// Words of a shell command, quotes removed; `|` is a word of its own.
fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote = None;
    for c in command.chars() {
        match (quote, c) {
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => word.push(c),
            (None, '|') => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
                out.push("|".into());
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(word);
    }
    out
}

/// The arguments of the postgate command a line runs (after `postgate`, global flags dropped),
/// when one of its pipeline's commands is postgate.
fn postgate_args(command: &str) -> Option<Vec<String>> {
    let words = words(command);
    let segment = words
        .split(|w| w == "|")
        .find(|seg| seg.first().is_some_and(|w| w == "postgate"))?;
    let mut args = Vec::new();
    let mut it = segment[1..].iter();
    while let Some(w) = it.next() {
        match w.as_str() {
            "--json" => {}
            "--policy" | "--color" => {
                it.next();
            }
            _ => args.push(w.clone()),
        }
    }
    Some(args)
}

/// The exit status a line's comment promises: `(exit N)`, else 0.
fn expected_status(comment: Option<&str>) -> i32 {
    let Some(c) = comment else { return 0 };
    let Some(at) = c.find("(exit ") else { return 0 };
    let digits: String = c[at + 6..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().expect("`(exit N)` names a number")
}

/// The value of `-a NAME` / `--account NAME`, or the first word after the subcommand.
fn account_of(args: &[String]) -> Option<String> {
    if let Some(i) = args.iter().position(|a| a == "-a" || a == "--account") {
        return args.get(i + 1).cloned();
    }
    args.get(1).filter(|a| !a.starts_with('-')).cloned()
}

/// Each account of a policy: its name, platform and handle.
fn accounts(policy: &str) -> Vec<(String, String, String)> {
    let doc: toml::Table = policy.parse().expect("the example policy is TOML");
    doc["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| {
            let field = |k: &str| a[k].as_str().expect("account field").to_string();
            (field("name"), field("platform"), field("handle"))
        })
        .collect()
}

/// Copies a folder of the repository into the test's folder, as a clone has it.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// What the person at the terminal answers during one line.
enum Answer {
    Nothing,
    Handle(String),
    Yes,
}

#[test]
fn the_readme_tour_runs_as_written_on_the_outbox() {
    let example = read_repo("policy.toml");
    let t = Test::new().keychain().policy(&example);
    // The clone: the example policy (written above as policy.toml) and the files the tour uses.
    copy_tree(&repo().join("docs/examples"), &t.path().join("docs/examples"));
    let editor = t.write("editor.sh", "#!/bin/sh\nprintf 'Écrit dans l’éditeur\\n' > \"$1\"\n");
    let editor = format!("sh {}", editor.display());
    let accounts = accounts(&example);
    let platform_of = |name: &str| accounts.iter().find(|a| a.0 == name).map(|a| a.1.clone());
    let handle_of = |name: &str| {
        accounts
            .iter()
            .find(|a| a.0 == name)
            .map(|a| a.2.clone())
            .unwrap_or_else(|| panic!("the tour names account `{name}`, which the example policy lacks"))
    };

    let (tour, _) = tour_blocks();
    let mut prelude = String::new();
    let mut plans: Vec<(String, String)> = Vec::new();
    let mut published: Vec<String> = Vec::new();
    let mut skipped = Vec::new();
    let mut ran = 0;
    for line in tour.iter().filter(|l| !l.trim().is_empty()) {
        let (command, comment) = split_comment(line);
        let args = postgate_args(&command);
        let needs_real = comment.as_deref().is_some_and(|c| c.contains(NEEDS_REAL));
        // The marker and what the line names agree: a line on an account that is not an
        // outbox, or on every account, is marked, and a marked line is one of those.
        let real = args.as_ref().is_some_and(|a| {
            a.iter().any(|w| w == "--all")
                || account_of(a)
                    .and_then(|n| platform_of(&n))
                    .is_some_and(|p| p != "outbox")
        });
        assert_eq!(
            needs_real,
            real,
            "tour line {line:?}: it {} the marker \"{NEEDS_REAL}\", but {} a real server",
            if needs_real { "carries" } else { "lacks" },
            if real { "needs" } else { "does not need" }
        );
        if needs_real {
            skipped.push(line.clone());
            continue;
        }
        if command.starts_with("export ") {
            prelude.push_str(&command);
            prelude.push('\n');
        }
        let status = expected_status(comment.as_deref());
        let mut answer = Answer::Nothing;
        if let Some(args) = &args {
            let sub = args.first().map(String::as_str).unwrap_or_default();
            let has = |flag: &str| args.iter().any(|a| a == flag);
            if sub == "plan"
                && let (Some(account), Some(i)) = (account_of(args), args.iter().position(|a| a == "-o"))
            {
                plans.push((args[i + 1].clone(), account));
            }
            let account = match sub {
                "apply" => plans
                    .iter()
                    .find(|(file, _)| Some(file) == args.get(1))
                    .map(|(_, account)| account.clone()),
                "post" => account_of(args),
                _ => None,
            };
            // A dry run at a terminal is confirmed too: it is everything but the publish.
            if let Some(account) = account
                && status == code::SUCCESS
                && !has("--confirm-handle")
            {
                answer = Answer::Handle(handle_of(&account));
                if !has("--dry-run") {
                    published.push(line.clone());
                }
            }
            if sub == "unlock" && has("--sign") && !has("--lock-id") {
                answer = Answer::Yes;
            }
        }
        // Which line hung, should one: the harness's deadline names only what the terminal showed.
        eprintln!("tour line: {line}");
        let mut tty = t
            .cmd(["unused"])
            .env("NO_COLOR", "1")
            .env("VISUAL", &editor)
            .tty_shell(&format!("{prelude}{command}"));
        match &answer {
            Answer::Nothing => {}
            Answer::Handle(handle) => {
                tty.expect(HANDLE_PROMPT);
                tty.line(handle);
            }
            Answer::Yes => {
                tty.expect("[y/N]");
                tty.line("y");
            }
        }
        let got = tty.finish();
        assert_eq!(
            got,
            status,
            "tour line {line:?} exited {got}, its comment promises {status}\n--- terminal:\n{}",
            tty.screen()
        );
        ran += 1;
    }
    assert!(ran >= 15, "only {ran} tour lines ran");
    assert!(
        !skipped.is_empty(),
        "the tour shows the commands that need a real account"
    );
    assert!(skipped.iter().all(|l| l.contains(NEEDS_REAL)));

    // What the tour published is in the outbox, the editor's text and the image among it.
    let posts = t.outbox("state/postgate/outbox/demo");
    assert_eq!(posts.len(), published.len(), "posts: {posts:#?}\nlines: {published:#?}");
    assert!(posts.iter().any(|p| p["text"] == "Écrit dans l’éditeur"), "{posts:#?}");
    let log = std::fs::read_to_string(t.path().join("state/postgate/audit.jsonl")).expect("audit log");
    assert!(log.contains("\"event\":\"unlock\""), "the unlock is recorded");
    // After the tour, the account publishes again, and the chain holds.
    t.cmd([
        "post",
        "-a",
        "demo",
        "--confirm-handle",
        "@demo_ministere",
        "Après la visite",
    ])
    .env("POSTGATE_POLICY", "{dir}/essai.toml")
    .run();
    t.cmd(["log", "verify"])
        .env("POSTGATE_POLICY", "{dir}/essai.toml")
        .stdout_has("ok: ")
        .run();
}

/// Runs `sh -c SCRIPT` without a terminal (its own session, as in CI), postgate on PATH.
fn run_script(t: &Test, script: &str) -> std::process::Output {
    let bin_dir = Path::new(BIN).parent().expect("bin dir");
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut cmd = t.command("sh");
    cmd.env("PATH", path).arg("-c").arg(script);
    cmd.stdin(std::process::Stdio::null());
    #[cfg(unix)]
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    cmd.output().expect("run sh")
}

/// `actual` matches the README's `shown`: the same keys, and the same values, `…` in a string
/// standing for any text.
fn assert_like(shown: &serde_json::Value, actual: &serde_json::Value) {
    let (Some(shown), Some(actual)) = (shown.as_object(), actual.as_object()) else {
        panic!("both are objects: {shown} / {actual}");
    };
    let keys = |o: &serde_json::Map<String, serde_json::Value>| o.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        keys(shown),
        keys(actual),
        "the README shows other keys than postgate prints"
    );
    for (k, v) in shown {
        match v.as_str().and_then(|s| s.split_once('…')) {
            Some((before, after)) => {
                let got = actual[k]
                    .as_str()
                    .unwrap_or_else(|| panic!("`{k}` is a string: {actual:?}"));
                assert!(
                    got.starts_with(before) && got.ends_with(after) && got.len() >= before.len() + after.len(),
                    "`{k}`: {got:?} is not {v}"
                );
            }
            None => assert_eq!(&actual[k], v, "`{k}` differs from the README"),
        }
    }
}

#[test]
fn the_readmes_script_example_runs_and_prints_what_it_shows() {
    let t = Test::new().policy(&read_repo("policy.toml"));
    let (_, script) = tour_blocks();
    let shown = script
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("# {").map(|j| format!("{{{j}")))
        .expect("the script example shows its JSON output");
    let shown: serde_json::Value = serde_json::from_str(&shown).expect("the README's JSON parses");
    let commands: Vec<&str> = script
        .iter()
        .map(String::as_str)
        .filter(|l| !l.starts_with('#'))
        .collect();
    let out = run_script(&t, &commands.join("\n"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(code::SUCCESS),
        "the script example failed\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let actual: serde_json::Value = serde_json::from_str(stdout.trim()).expect("stdout is one JSON value");
    assert_like(&shown, &actual);
    // Without --confirm-handle, the same script is refused: nothing to type the handle into.
    let refused = commands.join("\n").replace(" --confirm-handle @demo_ministere", "");
    let out = run_script(&t, &refused);
    assert_eq!(out.status.code(), Some(code::NOT_CONFIRMED));
}

#[test]
fn the_tour_helpers_read_lines_as_a_shell_would() {
    let (c, comment) = split_comment(r#"postgate post -a demo "a # b" # the comment (exit 4)"#);
    assert_eq!(c, r#"postgate post -a demo "a # b""#);
    assert_eq!(expected_status(comment.as_deref()), 4);
    assert_eq!(expected_status(Some("no status")), 0);
    assert_eq!(
        postgate_args(r#"echo "x" | postgate --json post -a demo -"#).unwrap(),
        ["post", "-a", "demo", "-"]
    );
    assert!(postgate_args(r#"printf '%s' "$(postgate keys show tour)" >> f"#).is_none());
    assert_eq!(account_of(&["unlock".into(), "demo".into()]), Some("demo".into()));
}

// ------------------------------------------------------------------------------------------
// `postgate init`

/// The policy `init` writes, in the test's config folder.
fn init_path(t: &Test) -> PathBuf {
    t.path().join("config/postgate/policy.toml")
}

/// `init` with the usual lookup (no POSTGATE_POLICY), and a key of this test's own: the keychain
/// is shared by every test of the run.
fn init<'a>(t: &'a Test, extra: &[&str]) -> support::Cmd<'a> {
    let key = format!("init_{}", t.uid);
    let mut args = vec!["init", "--key", &key];
    args.extend_from_slice(extra);
    t.cmd(args).env_remove("POSTGATE_POLICY")
}

#[test]
fn init_writes_a_policy_that_checks_posts_and_knows_its_user() {
    let t = Test::new().keychain().git_email("camille@example.org");
    init(&t, &[])
        .stdout("{dir}/config/postgate/policy.toml\n")
        .stderr_has("created approval key `init_{uid}` in the keychain")
        .stderr_has("wrote a starter policy to {dir}/config/postgate/policy.toml")
        .run();
    let text = std::fs::read_to_string(init_path(&t)).expect("the policy is written");
    let key = t.cmd(["keys", "show", &format!("init_{}", t.uid)]).run();
    let key = String::from_utf8_lossy(&key.stdout).trim().to_string();
    assert!(text.contains(&format!("key = \"{key}\"")), "{text}");
    assert!(text.contains("email = \"camille@example.org\""), "{text}");
    // Each platform's guide it names exists.
    let guides: Vec<&str> = text
        .split_whitespace()
        .filter(|w| w.starts_with("docs/") && w.ends_with(".md"))
        .collect();
    assert!(guides.len() >= 5, "{text}");
    for guide in guides {
        assert!(
            repo().join(guide).is_file(),
            "the init policy names {guide}, which does not exist"
        );
    }
    let user = postgate_user(&t);
    assert!(text.contains(&format!("user = \"{user}\"")), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(init_path(&t)).expect("stat").permissions().mode();
        assert_eq!(mode & 0o077, 0, "the policy is the user's own");
    }

    t.cmd(["policy", "check"])
        .env_remove("POSTGATE_POLICY")
        .stdout_has("demo-official  OFFICIAL")
        .stdout_has("demo-personal  PERSONAL")
        .stderr_has("is valid: 2 account(s), 0 rule(s), 1 approver(s)")
        .run();
    t.cmd([
        "post",
        "-a",
        "demo-official",
        "--confirm-handle",
        "@demo_official",
        "Bonjour",
    ])
    .env_remove("POSTGATE_POLICY")
    .stdout_has("file://{dir}/state/postgate/outbox/demo-official/posts/")
    .run();
    assert_eq!(t.outbox("state/postgate/outbox/demo-official").len(), 1);
    // The README's first hour names this account, its handle and where its posts land.
    let readme = read_repo("README.md");
    for shown in [
        "`postgate post -a demo-official \"Bonjour\"`",
        "`@demo_official`",
        "`~/.local/state/postgate/outbox/demo-official/posts/`",
    ] {
        assert!(readme.contains(shown), "README.md lacks {shown}");
    }
}

/// The OS user, as `id` names it.
fn postgate_user(t: &Test) -> String {
    let out = t.command("id").arg("-un").output().expect("run id");
    let user = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(!user.is_empty());
    user
}

#[test]
fn the_init_policy_lifts_its_users_lockdown_and_refuses_self_approval() {
    let t = Test::new().keychain();
    init(&t, &[]).run();
    let key = format!("init_{}", t.uid);
    let policy = init_path(&t).display().to_string();
    let pg = |args: &[&str]| {
        let mut all = vec!["--policy", &policy];
        all.extend_from_slice(args);
        all.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    t.cmd(pg(&["lockdown", "demo-official", "--reason", "essai"])).run();
    t.cmd(pg(&[
        "post",
        "-a",
        "demo-official",
        "--confirm-handle",
        "@demo_official",
        "x",
    ]))
    .status(code::LOCKED_DOWN)
    .run();
    let mut tty = t.cmd(pg(&["unlock", "demo-official", "--sign", "--key", &key])).tty();
    tty.expect("[y/N]");
    tty.line("y");
    assert_eq!(tty.finish(), code::SUCCESS, "{}", tty.screen());
    t.cmd(pg(&["unlock", "demo-official"]))
        .stdout("demo-official  unlocked\n")
        .run();
    t.cmd(pg(&[
        "post",
        "-a",
        "demo-official",
        "--confirm-handle",
        "@demo_official",
        "De retour",
    ]))
    .run();

    // The user's own plan, approved with the user's own key: refused, from the first day.
    t.cmd(pg(&[
        "plan",
        "-a",
        "demo-official",
        "-o",
        "p.plan",
        "--key",
        &key,
        "Texte",
    ]))
    .run();
    t.cmd(pg(&["approve", "p.plan", "--key", &key]))
        .status(code::PLAN_REFUSED)
        .stderr_has("nobody approves their own plan")
        .run();
}

#[test]
fn init_never_replaces_a_policy_without_force_and_then_keeps_a_backup() {
    let t = Test::new().keychain();
    let path = init_path(&t);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("config folder");
    std::fs::write(&path, "# my own policy\n").expect("write");
    init(&t, &[])
        .status(code::USAGE)
        .stderr_has("already exists; nothing was written")
        .stderr_has("--force")
        .run();
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "# my own policy\n");

    let out = init(&t, &["--force", "--json"]).run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON value");
    assert_eq!(v["path"], path.display().to_string());
    let backup = v["backup"].as_str().expect("a backup path");
    assert!(backup.ends_with(".bak"), "{backup}");
    assert_eq!(std::fs::read_to_string(backup).expect("backup"), "# my own policy\n");
    assert_eq!(v["key_created"], true);
    // A second run reuses the key it made, so signatures made with it stay valid.
    let out = init(&t, &["--force", "--json"]).run();
    let again: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON value");
    assert_eq!(again["key_created"], false);
    assert_eq!(again["key"], v["key"]);
    assert_ne!(again["backup"], v["backup"], "an earlier backup is never overwritten");
}

#[test]
fn init_force_refuses_a_fifo_where_the_policy_goes_instead_of_waiting_on_it() {
    let t = Test::new();
    let path = init_path(&t);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("config folder");
    support::mkfifo(&path);
    // Backing it up would read the FIFO, which waits for a writer that never comes.
    init(&t, &["--no-key", "--force"])
        .status(1)
        .stderr_has("not a regular file")
        .run();
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&path)
            .expect("still there")
            .file_type()
            .is_fifo(),
        "the FIFO is left alone"
    );
}

#[test]
fn init_without_a_keychain_still_writes_a_valid_policy_and_says_what_to_run() {
    let t = Test::new();
    init(&t, &[])
        .stderr_has("warning: no approval key in the policy")
        .stderr_has("postgate keys new init_{uid}")
        .stderr_has("note: git has no user.email here")
        .run();
    let text = std::fs::read_to_string(init_path(&t)).expect("written");
    assert!(text.contains("# [[approvers]]"), "{text}");
    assert!(text.contains("# unlock_roles = [\"owner\"]"), "{text}");
    assert!(text.contains("# email = \"you@example.org\""), "{text}");
    t.cmd(["policy", "check"])
        .env_remove("POSTGATE_POLICY")
        .stderr_has("is valid: 2 account(s), 0 rule(s), 0 approver(s)")
        .run();
}

#[test]
fn init_warns_when_postgate_policy_points_elsewhere() {
    let t = Test::new();
    t.cmd(["init", "--no-key"])
        .stderr_has("note: POSTGATE_POLICY is set ({dir}/policy.toml), so postgate reads that file, not this one")
        .run();
}

#[test]
fn every_commented_rule_of_the_init_policy_is_valid_once_uncommented() {
    let t = Test::new();
    init(&t, &["--no-key"]).run();
    let text = std::fs::read_to_string(init_path(&t)).expect("written");
    let rules_start = text.find("# Content rules").expect("a rules section");
    let rules_end = text.find("# You, as an approver").expect("an approvers section");
    let is_toml = |l: &str| {
        l.starts_with('[')
            || l.split_once(" = ")
                .is_some_and(|(k, _)| k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
    };
    let mut uncommented = String::new();
    let mut kinds = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let offset: usize = text.lines().take(i).map(|l| l.len() + 1).sum();
        match line.strip_prefix("# ") {
            Some(code) if (rules_start..rules_end).contains(&offset) && is_toml(code) => {
                if let Some(kind) = code.strip_prefix("kind = ") {
                    kinds.push(kind.trim_matches('"').to_string());
                }
                uncommented.push_str(code);
            }
            _ => uncommented.push_str(line),
        }
        uncommented.push('\n');
    }
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "counts",
            "hidden-characters",
            "language",
            "links",
            "media",
            "mentions",
            "pattern",
            "rate",
            "schedule",
            "terms"
        ],
        "one example of each kind of rule"
    );
    let all = t.write("all-rules.toml", &uncommented);
    t.cmd(["--policy", &all.display().to_string(), "policy", "check"])
        .stderr_has("is valid: 2 account(s), 10 rule(s)")
        .run();
}

#[test]
fn a_newcomer_without_a_policy_is_pointed_at_init_which_fixes_it() {
    let t = Test::new();
    t.cmd(["policy", "check"])
        .env_remove("POSTGATE_POLICY")
        .status(code::BAD_POLICY)
        .stderr_has("no policy found")
        .stderr_has("`postgate init` writes a starter policy")
        .run();
    init(&t, &["--no-key"]).run();
    t.cmd(["policy", "check"]).env_remove("POSTGATE_POLICY").run();
}

#[test]
fn the_platform_guides_are_linked_from_the_readme_and_the_policy_reference() {
    for guide in ["mastodon.md", "bluesky.md"] {
        let text = read_repo(&format!("docs/{guide}"));
        assert!(text.contains("## What each error at login means"), "{guide}");
        assert!(
            read_repo("README.md").contains(&format!("(docs/{guide})")),
            "README → {guide}"
        );
        assert!(
            read_repo("docs/policy.md").contains(&format!("({guide})")),
            "policy.md → {guide}"
        );
    }
    // The tour's markers send the reader to a guide that exists.
    let (tour, _) = tour_blocks();
    for line in tour.iter().filter(|l| l.contains(NEEDS_REAL)) {
        if let Some(at) = line.find("(docs/") {
            let rel = &line[at + 1..at + 1 + line[at + 1..].find(')').expect("closed")];
            assert!(repo().join(rel).is_file(), "{line}: {rel} does not exist");
        }
    }
}

// ------------------------------------------------------------------------------------------
// The platform guides say what `login` prints: each fragment below is in the guide and in what
// login printed against the real test server.

/// Checks that the guide `doc` quotes `fragment` and that `stderr` holds it.
fn quoted_and_printed(doc: &str, fragment: &str, stderr: &[u8]) {
    let guide = read_repo(doc);
    assert!(guide.contains(fragment), "{doc} does not quote {fragment:?}");
    let stderr = String::from_utf8_lossy(stderr);
    assert!(stderr.contains(fragment), "login did not print {fragment:?}:\n{stderr}");
}

fn mastodon_account(instance: &str, handle: &str, extra: &str) -> String {
    let account = support::policy::mastodon("masto", handle, instance);
    format!("{}{extra}\n", support::policy::with_audit(&[&account]))
}

#[test]
fn the_mastodon_guide_quotes_what_login_prints() {
    const DOC: &str = "docs/mastodon.md";
    let t = Test::new().keychain();
    let alice = support::mastodon_user(&format!("guide_a_{}", t.uid));
    let bob = support::mastodon_user(&format!("guide_b_{}", t.uid));
    let t = t.policy(&mastodon_account(alice.url, &alice.handle, ""));
    let login = |token: &str, status: i32| {
        t.cmd(["login", "masto", "--secret-stdin"])
            .stdin(token)
            .status(status)
            .run()
            .stderr
    };
    let err = login("not-a-token", code::CREDENTIAL);
    quoted_and_printed(DOC, "mastodon: checking the credential: 401", &err);
    let err = login(&bob.token, code::IDENTITY);
    quoted_and_printed(DOC, "identity mismatch: the policy says account `", &err);
    quoted_and_printed(DOC, "but mastodon says the credential belongs to", &err);
    let err = login(&alice.token, code::SUCCESS);
    quoted_and_printed(DOC, "pin it in the policy with account_id = \"", &err);
    assert!(String::from_utf8_lossy(&err).contains(&alice.id));

    let t = t.policy(&mastodon_account(alice.url, &alice.handle, "account_id = \"1\""));
    let err = t
        .cmd(["login", "masto", "--secret-stdin"])
        .stdin(&alice.token)
        .status(code::IDENTITY)
        .run()
        .stderr;
    quoted_and_printed(DOC, "identity mismatch: the policy pins account `", &err);

    // Nothing listens on port 9 of loopback.
    let t = t.policy(&mastodon_account("http://127.0.0.1:9", &alice.handle, ""));
    let err = t
        .cmd(["login", "masto", "--secret-stdin"])
        .stdin(&alice.token)
        .status(code::PLATFORM)
        .run()
        .stderr;
    quoted_and_printed(DOC, "mastodon: checking the credential: could not reach ", &err);
    quoted_and_printed(DOC, ": the connection was refused", &err);
}

#[test]
fn the_bluesky_guide_quotes_what_login_prints() {
    const DOC: &str = "docs/bluesky.md";
    let t = Test::new().keychain();
    let alice = support::bluesky_user("guide");
    let account = support::policy::bluesky("bsky", &alice.handle, support::pds_url());
    let t = t.policy(&format!("{}\n", support::policy::with_audit(&[&account])));
    let err = t
        .cmd(["login", "bsky", "--secret-stdin"])
        .stdin("aaaa-bbbb-cccc-dddd")
        .status(code::CREDENTIAL)
        .run()
        .stderr;
    quoted_and_printed(DOC, "bluesky: logging in: ", &err);
    quoted_and_printed(DOC, "the app password was refused", &err);
    let err = t
        .cmd(["login", "bsky", "--secret-stdin"])
        .stdin(&alice.app_password)
        .run()
        .stderr;
    quoted_and_printed(DOC, "pin it in the policy with did = \"", &err);
    assert!(String::from_utf8_lossy(&err).contains(&alice.did));
    let err = t
        .cmd(["login", "bsky", "--secret-stdin"])
        .stdin(&alice.password)
        .run()
        .stderr;
    quoted_and_printed(
        DOC,
        "warning: this does not look like a Bluesky app password (xxxx-xxxx-xxxx-xxxx).",
        &err,
    );

    let pinned = format!("{account}did = \"did:plc:aaaaaaaaaaaaaaaaaaaaaaaa\"\n");
    let t = t.policy(&format!("{}\n", support::policy::with_audit(&[&pinned])));
    let err = t
        .cmd(["login", "bsky", "--secret-stdin"])
        .stdin(&alice.app_password)
        .status(code::IDENTITY)
        .run()
        .stderr;
    quoted_and_printed(DOC, "identity mismatch: the policy pins account `", &err);
}

#[test]
fn init_can_list_an_ssh_key_the_user_already_has() {
    let t = Test::new();
    let public = t.ssh_key("me");
    let path = init_path(&t);
    let out = t
        .cmd(["--json", "init", "--ssh-key", "keys/me.pub"])
        .env_remove("POSTGATE_POLICY")
        .stderr_has("sign with `--ssh-key {dir}/keys/me`")
        .run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON value");
    assert_eq!(v["key"], public);
    assert_eq!(v["key_name"], serde_json::Value::Null);
    let text = std::fs::read_to_string(&path).expect("written");
    assert!(text.contains(&format!("key = \"{public}\"")), "{text}");
    // The lock it can lift, signed with that SSH key (ssh-keygen -Y sign).
    t.cmd(["lockdown", "demo-official", "--reason", "essai"])
        .env_remove("POSTGATE_POLICY")
        .run();
    let mut tty = t
        .cmd(["unlock", "demo-official", "--sign", "--ssh-key", "keys/me"])
        .env_remove("POSTGATE_POLICY")
        .tty();
    tty.expect("[y/N]");
    tty.line("y");
    assert_eq!(tty.finish(), code::SUCCESS, "{}", tty.screen());
    t.cmd(["unlock", "demo-official"]).env_remove("POSTGATE_POLICY").run();
    // A key file that is not there is an error, and nothing is written.
    std::fs::remove_file(&path).expect("start again");
    t.cmd(["init", "--ssh-key", "keys/none.pub"])
        .env_remove("POSTGATE_POLICY")
        .status(code::USAGE)
        .run();
    assert!(!path.exists());
}

#[cfg(unix)]
#[test]
fn init_force_replaces_a_linked_policy_where_it_lives() {
    let t = Test::new();
    let real = t.write("dotfiles/policy.toml", "# kept in a dotfiles repository\n");
    let path = init_path(&t);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("config folder");
    std::os::unix::fs::symlink(&real, &path).expect("link");
    init(&t, &["--force", "--no-key"]).run();
    assert!(
        std::fs::symlink_metadata(&path).expect("stat").file_type().is_symlink(),
        "the link is kept"
    );
    let text = std::fs::read_to_string(&real).expect("read");
    assert!(text.contains("written by `postgate init`"), "{text}");
    let backups: Vec<_> = std::fs::read_dir(t.path().join("dotfiles"))
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".bak"))
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
}
