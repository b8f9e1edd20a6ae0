//! Help that teaches: each command's examples, the `-a/--account` form next to the positional
//! one, a man page per command, and network errors that say which host, why, and where the
//! policy names it.

use crate::support;
use std::io::{Read, Write};
use std::net::TcpListener;
use support::{Test, code};

#[test]
fn subcommand_help_shows_examples_and_points_to_the_exit_codes() {
    let t = Test::new();
    let out = t.cmd(["post", "--help"]).run();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("Examples:\n"), "{help}");
    assert!(help.contains("postgate post -a demo"), "{help}");
    assert!(!help.contains("Exit codes:"), "post --help repeats the table:\n{help}");
    assert!(help.contains("Exit codes and where the policy is looked for: postgate --help."));
    let top = String::from_utf8(t.cmd(["--help"]).run().stdout).unwrap();
    assert!(top.contains("Exit codes:") && top.contains("Policy lookup:"), "{top}");
}

#[test]
fn the_account_can_be_named_with_dash_a_or_first() {
    let t = Test::new();
    // The outbox demo account needs no credential; `policy show` and `logout` act on it.
    for args in [
        &["policy", "show", "-a", "demo"][..],
        &["policy", "show", "demo"],
        &["policy", "show", "--account", "demo"],
    ] {
        t.cmd(args).stdout_has("demo").run();
    }
    t.cmd(["whoami"])
        .status(code::USAGE)
        .stderr_has("<NAME|--account <NAME>>")
        .run();
    t.cmd(["whoami", "demo", "-a", "demo"]).status(code::USAGE).run();
    // correct and delete: with -a the words start at the post.
    t.cmd(["delete", "-a", "demo", "p1", "extra", "--reason", "r"])
        .status(code::USAGE)
        .stderr_has("unexpected `extra`")
        .run();
    t.cmd(["correct", "-a", "demo", "p1", "a", "b"])
        .status(code::USAGE)
        .stderr_has("put the whole text in one argument")
        .run();
    t.cmd(["--json", "correct", "-a", "demo", "p1", "a", "b"])
        .status(code::USAGE)
        .stdout_has("\"exit_code\":2")
        .run();
}

#[test]
fn delete_with_dash_a_deletes_the_post_the_positional_form_names() {
    let t = Test::new();
    let t = t.policy(&support::policy::with_audit(&[
        "[[accounts]]\nname = \"box\"\nhandle = \"@box_{uid}\"\nplatform = \"outbox\"\nkind = \"official\"\n\
         display_name = \"Mairie\"\nowner = \"Tests\"\npath = \"{dir}/box\"\nallow_delete = true\n",
    ]));
    let handle = t.handle("box");
    let out = t
        .cmd(["post", "-a", "box", "--confirm-handle", &handle, "Bonjour"])
        .run();
    let id = String::from_utf8(out.stdout).unwrap();
    let id = id.split('\t').next().unwrap().to_owned();
    t.cmd([
        "delete",
        "-a",
        "box",
        &id,
        "--reason",
        "doublon",
        "--confirm-handle",
        &handle,
    ])
    .stderr_has("deleted")
    .run();
    let kinds: Vec<String> = t
        .audit()
        .iter()
        .filter_map(|r| r["action"].as_str().map(str::to_owned))
        .collect();
    assert!(kinds.iter().any(|k| k == "delete"), "{kinds:?}");
}

#[test]
fn man_writes_a_page_per_command_and_prints_one() {
    let t = Test::new();
    let dir = t.path().join("man1");
    let out = t.cmd(["man", "--dir", dir.to_str().unwrap()]).run();
    let listed = String::from_utf8(out.stdout).unwrap();
    for page in [
        "postgate.1",
        "postgate-post.1",
        "postgate-queue-publish.1",
        "postgate-log-verify.1",
    ] {
        let path = dir.join(page);
        assert!(path.is_file(), "{page} not written");
        assert!(listed.contains(&path.display().to_string()), "{page} not listed");
    }
    // The top page refers to the others by the names they were written under.
    let top = std::fs::read_to_string(dir.join("postgate.1")).unwrap();
    assert!(
        top.contains("postgate\\-post(1)"),
        "postgate.1 does not refer to postgate-post(1)"
    );
    let one = String::from_utf8(t.cmd(["man", "queue", "publish"]).run().stdout).unwrap();
    assert_eq!(
        one,
        std::fs::read_to_string(dir.join("postgate-queue-publish.1")).unwrap()
    );
    t.cmd(["man", "queue", "nosuch"])
        .status(code::USAGE)
        .stderr_has("`postgate queue` has no command `nosuch`")
        .run();
}

/// A Mastodon account whose instance is `url`; login reaches it with a secret from stdin.
fn login_to(url: &str) -> (Test, std::process::Output) {
    let account = support::policy::mastodon("masto", "@mairie@127.0.0.1", url);
    let t = Test::new().keychain().policy(&support::policy::with_audit(&[&account]));
    let out = t
        .cmd(["login", "-a", "masto", "--secret-stdin"])
        .stdin("not-a-real-token")
        .status(code::PLATFORM)
        .run();
    (t, out)
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_refused_connection_names_the_host_the_cause_and_the_policy_line() {
    // A port that was just free: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (t, out) = login_to(&format!("http://127.0.0.1:{port}"));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("127.0.0.1:{port}: the connection was refused")),
        "{err}"
    );
    assert!(err.contains("check the address and port in the policy"), "{err}");
    let line = std::fs::read_to_string(t.policy_path())
        .unwrap()
        .lines()
        .position(|l| l == "[[accounts]]")
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!(
            "the account `masto` is defined at {}:{line}",
            t.policy_path().display()
        )),
        "{err}"
    );
    assert!(!err.contains("error sending request for url"), "{err}");
}

#[test]
fn a_server_that_is_not_tls_is_named_as_a_tls_failure() {
    // A plain-text server where the policy says https: the handshake fails.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Every attempt (a failed handshake is retried) gets the same answer; the thread ends
    // with the test binary.
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            let mut buf = [0u8; 512];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        }
    });
    let (_t, out) = login_to(&format!("https://127.0.0.1:{port}"));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("127.0.0.1:{port}: the secure connection failed (TLS)")),
        "{err}"
    );
    assert!(err.contains("this machine's clock"), "{err}");
}
