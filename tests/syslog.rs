//! `[audit] syslog`: every record reaches a real rsyslogd once, in order, with its structured
//! data, over TCP, UDP and a local socket; a server that cannot be reached delays records,
//! never a publish.

use crate::support;
use support::rsyslog::rsyslog;
use support::{Test, code};

/// A policy with one official outbox account `name`, its records forwarded to `target`.
fn policy(name: &str, target: &str) -> String {
    format!(
        "[audit]\npath = \"{{dir}}/state/audit.jsonl\"\nsyslog = \"{target}\"\n\n[[accounts]]\nname = \"{name}\"\nhandle = \"@{name}_{{uid}}\"\nplatform = \"outbox\"\nkind = \"official\"\ndisplay_name = \"Démo\"\nowner = \"Tests\"\npath = \"{{dir}}/outbox\"\n"
    )
}

/// The run printed no forwarding warning.
fn no_warning(out: std::process::Output) {
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("syslog"), "{stderr}");
}

/// What a message says in its structured data, by parameter.
fn param(message: &str, name: &str) -> String {
    let start = message
        .find(&format!(" {name}=\""))
        .unwrap_or_else(|| panic!("no {name} in {message}"))
        + name.len()
        + 3;
    let end = message[start..].find('"').expect("closing quote") + start;
    message[start..end].to_string()
}

/// Each message is one audit record, in the log's order, each exactly once: its seq, hash,
/// account and outcome are the record's, and its MSG is the record's line.
fn matches_the_log(t: &Test, account: &str, messages: &[String]) {
    let log = std::fs::read_to_string(t.audit_path()).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(messages.len(), lines.len(), "one message per record: {messages:#?}");
    for (message, line) in messages.iter().zip(&lines) {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(
            message.starts_with("<85>1 ") || message.starts_with("<84>1 "),
            "not an RFC 5424 authpriv message: {message}"
        );
        assert!(message.contains(" postgate "), "APP-NAME: {message}");
        assert!(
            message.contains(&format!(" {} [postgate@32473 ", record["event"].as_str().unwrap())),
            "MSGID: {message}"
        );
        assert_eq!(param(message, "seq"), record["seq"].to_string());
        assert_eq!(param(message, "hash"), record["hash"].as_str().unwrap());
        assert_eq!(param(message, "account"), account);
        assert_eq!(param(message, "outcome"), record["outcome"]["status"].as_str().unwrap());
        assert!(
            message.ends_with(&format!("\u{feff}{line}")),
            "MSG is the record: {message}"
        );
    }
}

#[test]
fn each_record_reaches_rsyslog_over_tcp_once_in_order() {
    let server = rsyslog();
    let t = Test::new().policy(&policy("sltcp", &format!("tcp://127.0.0.1:{}", server.tcp_port)));
    no_warning(t.post("sltcp", "Premier").run());
    t.post("sltcp", "Second").run();
    // A refusal is forwarded too, at severity warning.
    t.cmd(["post", "-a", "sltcp", "--confirm-handle", "@someone_else", "Refusé"])
        .status(code::NOT_CONFIRMED)
        .run();
    let messages = server.wait_for("sltcp", 5);
    matches_the_log(&t, "sltcp", &messages);
    assert!(
        messages[4].starts_with("<84>1 "),
        "a refusal is a warning: {}",
        messages[4]
    );
    assert!(
        messages[0].starts_with("<85>1 "),
        "an intent is a notice: {}",
        messages[0]
    );
}

#[test]
fn each_record_reaches_rsyslog_over_a_unix_socket() {
    let server = rsyslog();
    let t = Test::new().policy(&policy("slunix", &format!("unix:{}", server.socket.display())));
    no_warning(t.post("slunix", "Par la socket").run());
    let messages = server.wait_for("slunix", 2);
    matches_the_log(&t, "slunix", &messages);
}

#[test]
fn each_record_reaches_rsyslog_over_udp() {
    let server = rsyslog();
    let t = Test::new().policy(&policy("sludp", &format!("udp://127.0.0.1:{}", server.udp_port)));
    no_warning(t.post("sludp", "Par datagramme").run());
    let messages = server.wait_for("sludp", 2);
    matches_the_log(&t, "sludp", &messages);
}

#[test]
fn records_wait_while_the_server_is_down_and_arrive_once_in_order_on_the_next_run() {
    let server = rsyslog();
    // A port nobody listens on: bound, then given back.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let target = format!("tcp://127.0.0.1:{dead}");
    let t = Test::new().policy(&policy("sldown", &target));
    let out = t.post("sldown", "Pendant la panne").run();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("not forwarded to syslog"))
        .collect();
    // One line per record appended, each naming the target; the post itself went out.
    assert_eq!(warnings.len(), 2, "{stderr}");
    assert!(
        warnings[0].contains(&target) && warnings[0].contains("1 wait"),
        "{stderr}"
    );
    assert!(warnings[1].contains("2 wait"), "{stderr}");
    assert_eq!(t.outbox("outbox").len(), 1, "the post was published");
    t.post("sldown", "Toujours en panne").stderr_has("4 wait").run();
    assert_eq!(t.audit().len(), 4, "every record is in the local log");
    assert!(server.messages("sldown").is_empty());

    // The server is back (here: the policy points at one that listens).
    let t = t.policy(&policy("sldown", &format!("tcp://127.0.0.1:{}", server.tcp_port)));
    no_warning(t.post("sldown", "Après la panne").run());
    let messages = server.wait_for("sldown", 6);
    matches_the_log(&t, "sldown", &messages);
    // Nothing waits any more, so the next run sends only its own records.
    no_warning(t.post("sldown", "Encore").run());
    let messages = server.wait_for("sldown", 8);
    matches_the_log(&t, "sldown", &messages);
}

#[test]
fn a_missing_socket_is_a_warning_and_the_post_goes_out() {
    let t = Test::new();
    let target = format!("unix:{}/no-such.sock", t.path().display());
    let t = t.policy(&policy("slnosock", &target));
    t.post("slnosock", "Sans syslog")
        .stderr_has(&format!("syslog {target}: "))
        .run();
    assert_eq!(t.outbox("outbox").len(), 1);
    assert_eq!(t.audit().len(), 2);
}

#[test]
fn a_bad_syslog_value_is_a_located_policy_error() {
    for (value, message) in [
        ("syslog://host:514", "`audit.syslog`: expected"),
        ("tcp://host", "needs HOST:PORT"),
        ("unix:dev/log", "must be absolute"),
    ] {
        let text = policy("slbad", value);
        let t = Test::new().policy(&text);
        let out = t.cmd(["policy", "check"]).status(code::BAD_POLICY).stdout("").run();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(message), "{value}: {stderr}");
        let location = format!("  --> {}:3:10\n", t.policy_path().display());
        assert!(stderr.contains(&location), "{value}: no {location:?} in {stderr}");
    }
}

#[test]
fn a_system_policys_syslog_is_kept_under_a_user_policy() {
    let server = rsyslog();
    let t = Test::new();
    let system = t.write(
        "etc/postgate/policy.toml",
        &policy("slsystem", &format!("tcp://127.0.0.1:{}", server.tcp_port)),
    );
    let t = t.env("POSTGATE_TEST_SYSTEM_POLICY", &system.display().to_string());
    // The user's file says nothing of syslog: the system's forwarding still applies.
    let t = t.policy("[audit]\npath = \"{dir}/state/audit.jsonl\"\n");
    let handle = t.fill("@slsystem_{uid}");
    no_warning(
        t.cmd([
            "post",
            "-a",
            "slsystem",
            "--confirm-handle",
            &handle,
            "Depuis la politique système",
        ])
        .run(),
    );
    let messages = server.wait_for("slsystem", 2);
    matches_the_log(&t, "slsystem", &messages);

    // Sending elsewhere is refused, at the user's line.
    let t = t.policy("[audit]\npath = \"{dir}/state/audit.jsonl\"\nsyslog = \"udp://127.0.0.1:9\"\n");
    let out = t.cmd(["policy", "check"]).status(code::BAD_POLICY).stdout("").run();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("a user policy cannot change it"), "{stderr}");
    assert!(
        stderr.contains(&format!("{}:3:10", t.policy_path().display())),
        "{stderr}"
    );
}
