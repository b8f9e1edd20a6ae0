//! The `--json` contract: stdout is exactly one JSON value, for every command, whether it
//! succeeds, fails in the pipeline, or is refused by the command-line parser.
//!
//! The list of commands comes from clap's command tree, so a new command gets the generic
//! cases (an unknown flag, `--help`) automatically, and the test fails until it is given its
//! own success and failure cases below.

use crate::support;
use clap::CommandFactory;
use serde_json::Value;
use std::collections::BTreeSet;
use support::web::{self, Served};
use support::{DEFAULT_POLICY, Test, code};

/// Every leaf command, as the words that name it (`["queue", "check"]`).
fn leaves(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
    let subs: Vec<&clap::Command> = cmd.get_subcommands().filter(|s| s.get_name() != "help").collect();
    if subs.is_empty() && !prefix.is_empty() {
        out.push(prefix.to_vec());
    }
    for sub in subs {
        let mut path = prefix.to_vec();
        path.push(sub.get_name().to_string());
        leaves(sub, &path, out);
    }
}

/// Parses stdout as exactly one JSON value (one line, nothing before or after it).
fn one_value(stdout: &[u8], context: &str) -> Value {
    let text = std::str::from_utf8(stdout).unwrap_or_else(|_| panic!("stdout is not UTF-8{context}"));
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let first = values
        .next()
        .unwrap_or_else(|| panic!("stdout holds no JSON value{context}"))
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}){context}"));
    if let Some(second) = values.next() {
        panic!("stdout holds more than one JSON value (then {second:?}){context}");
    }
    assert!(
        text.ends_with('\n') && text.trim_end().lines().count() == 1,
        "not one line{context}"
    );
    first
}

struct World {
    t: Test,
    seen: BTreeSet<String>,
}

impl World {
    /// Runs `postgate --json ARGS` (placeholders filled in), checks the exit status and that
    /// stdout is one JSON value, and returns that value. A failure's value names the same
    /// exit code as the process.
    fn run(&mut self, args: &[&str], status: i32) -> Value {
        self.run_with(args, status, "")
    }

    fn run_with(&mut self, args: &[&str], status: i32, stdin: &str) -> Value {
        self.run_env(args, status, stdin, &[])
    }

    fn run_env(&mut self, args: &[&str], status: i32, stdin: &str, env: &[(&str, &str)]) -> Value {
        let mut full = vec!["--json"];
        full.extend_from_slice(args);
        self.seen.insert(command_of(args));
        let mut cmd = self.t.cmd(&full).stdin(stdin).status(status);
        for (k, v) in env {
            cmd = cmd.env(k, v);
        }
        let out = cmd.run();
        let context = format!(
            "\n--- postgate {}\n--- stdout:\n{}\n--- stderr:\n{}",
            full.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let value = one_value(&out.stdout, &context);
        if value["status"] == "error" {
            assert_eq!(value["exit_code"], status, "the error object's exit code{context}");
            assert!(value["message"].is_string(), "the error object has a message{context}");
            assert!(
                value.get("hint").is_some(),
                "the error object has a hint field{context}"
            );
            assert!(!out.stderr.is_empty(), "the human message is still on stderr{context}");
        }
        value
    }
}

/// The leaf command named by a command line: the words that are not flags or their values,
/// matched against the command tree.
fn command_of(args: &[&str]) -> String {
    let mut all = Vec::new();
    leaves(&postgate::cli::Cli::command(), &[], &mut all);
    all.into_iter()
        .map(|l| l.join(" "))
        .filter(|l| {
            let words: Vec<&str> = l.split(' ').collect();
            args.windows(words.len()).next().is_some_and(|w| w == words.as_slice())
        })
        .max_by_key(|l| l.len())
        .unwrap_or_default()
}

#[test]
fn every_command_prints_exactly_one_json_value_on_success_and_on_failure() {
    let policy = format!(
        "{DEFAULT_POLICY}
[[accounts]]
name = \"twin\"
handle = \"@jumeau_{{uid}}\"
platform = \"outbox\"
kind = \"official\"
display_name = \"Jumeau\"
owner = \"Tests\"
path = \"{{dir}}/outbox\"
"
    );
    let t = Test::new().keychain().policy(&policy);
    let demo = t.handle("demo");
    let perso = t.handle("perso");
    std::fs::create_dir_all(t.path().join("queue")).unwrap();
    t.write("draft.txt", "Bonjour à tous\n");
    let mut w = World {
        t,
        seen: BTreeSet::new(),
    };

    let mut all = Vec::new();
    leaves(&postgate::cli::Cli::command(), &[], &mut all);
    assert!(all.len() > 10, "{all:?}");

    // Generic cases, for every command including ones added later: a flag no command has is a
    // usage error object (exit 2), and --help is one value too.
    for leaf in &all {
        let mut args: Vec<&str> = leaf.iter().map(String::as_str).collect();
        args.push("--no-such-flag-anywhere");
        let v = w.run(&args, code::USAGE);
        assert_eq!(v["error"], "usage", "{leaf:?}");
        assert!(
            v["message"].as_str().unwrap().contains("--no-such-flag-anywhere"),
            "{v}"
        );
        args.pop();
        args.push("--help");
        let v = w.run(&args, code::SUCCESS);
        assert!(v["text"].as_str().unwrap().contains("Usage:"), "{v}");
    }
    w.seen.clear();
    // No command at all, and the version.
    let v = w.run(&[], code::USAGE);
    assert_eq!(v["error"], "usage");
    let v = w.run(&["--version"], code::SUCCESS);
    assert!(v["text"].as_str().unwrap().starts_with("postgate "), "{v}");

    // post, correct, delete
    let v = w.run(&["post", "-a", "demo", "--confirm-handle", &demo, "Premier"], 0);
    assert_eq!(v["status"], "published");
    let id = v["id"].as_str().unwrap().to_string();
    let v = w.run(&["log", "who", &id], 0);
    assert_eq!(v["post"]["id"], id.as_str());
    assert!(v["corrections"].is_array() && v["post"]["approvals"].is_array(), "{v}");
    let v = w.run(&["log", "who", "nosuch-post"], code::NOT_FOUND);
    assert_eq!(v["error"], "not-found");
    let v = w.run(&["post", "-a", "demo", "Sans confirmation"], code::NOT_CONFIRMED);
    assert_eq!(
        v["hint"],
        format!("scripts must state the handle they mean: --confirm-handle '{demo}'")
    );
    let v = w.run(&["log", "stats", "--since", "1d"], 0);
    assert_eq!(v["accounts"][0]["name"], "demo", "{v}");
    assert_eq!(v["accounts"][0]["posts"], 1, "{v}");
    assert_eq!(v["accounts"][0]["refusals"]["not-confirmed (exit 5)"], 1, "{v}");
    assert_eq!(
        v["accounts"][0]["plan_to_approval"]["median_s"],
        serde_json::Value::Null
    );
    assert!(v["since"].is_string() && v["until"].is_string(), "{v}");
    let v = w.run(&["log", "stats", "--since", "soon"], code::USAGE);
    assert_eq!(v["error"], "usage");
    w.run(&["post", "--bogus"], code::USAGE);
    w.run(
        &["post", "-a", "demo", "--confirm-handle", &demo, "--dry-run", "Essai"],
        0,
    );
    w.run(
        &[
            "correct",
            "demo",
            &id,
            "--confirm-handle",
            &demo,
            "--dry-run",
            "Corrigé",
        ],
        0,
    );
    w.run(&["correct", "demo", &id, "Corrigé"], code::NOT_CONFIRMED);
    w.run(
        &[
            "delete",
            "perso",
            "nosuch",
            "--reason",
            "test",
            "--confirm-handle",
            &perso,
            "--dry-run",
        ],
        0,
    );
    w.run(
        &["delete", "demo", &id, "--reason", "test", "--confirm-handle", &demo],
        code::CONTENT,
    );

    // check
    w.run(&["check", "-a", "demo", "draft.txt"], 0);
    w.run(&["check", "-a", "demo", "nosuch.txt"], code::USAGE);

    // plan, approve, apply
    let v = w.run(&["plan", "-a", "demo", "-o", "p.plan", "Planifié"], 0);
    assert!(v.is_object(), "{v}");
    w.run(&["plan", "-a", "nosuch", "-o", "q.plan", "x"], code::BAD_POLICY);
    // The plan carries no author signature (the default policy lists no author), so approving
    // it is refused before any key is looked for.
    w.run(&["approve", "p.plan"], code::PLAN_REFUSED);
    w.run(&["sign", "nosuch.plan"], code::USAGE);
    w.run(&["sign", "p.plan"], code::CREDENTIAL);
    w.run(&["apply", "p.plan", "--confirm-handle", &demo, "--dry-run"], 0);
    w.run(&["apply", "nosuch.plan", "--confirm-handle", &demo], code::USAGE);

    // queue
    w.run(&["queue", "check", "queue"], 0);
    w.run(&["queue", "check", "nosuch-queue"], code::USAGE);
    w.run(&["queue", "publish", "queue", "--due"], 0);
    w.run(&["queue", "publish", "nosuch-queue", "--due"], code::USAGE);

    // keys
    let key = format!("cle_{}", w.t.uid);
    w.run(&["keys", "new", &key], 0);
    w.run(&["keys", "show", &key], 0);
    w.run(&["keys", "show", "nosuch_key"], code::CREDENTIAL);

    // whoami: a match, and a mismatch (the report and the error in one object)
    let v = w.run(&["whoami", "demo"], 0);
    assert_eq!(v["match"], true);
    let v = w.run(&["whoami", "twin"], code::IDENTITY);
    assert_eq!(v["error"], "identity-mismatch");
    assert_eq!(v["result"]["match"], false);

    // login, logout, accounts
    w.run_with(&["login", "vault", "--secret-stdin"], 0, "secret-de-test\n");
    w.run(&["login", "nosuch", "--secret-stdin"], code::BAD_POLICY);
    w.run(&["accounts"], 0);
    w.run(&["--policy", "nosuch.toml", "accounts"], code::BAD_POLICY);
    w.run(&["logout", "vault"], 0);
    w.run(&["logout", "nosuch"], code::BAD_POLICY);

    // policy
    w.run(&["policy", "check"], 0);
    w.run(&["--policy", "nosuch.toml", "policy", "check"], code::BAD_POLICY);
    w.run(&["policy", "show", "demo"], 0);
    w.run(&["policy", "show", "nosuch"], code::BAD_POLICY);

    // reconcile
    w.run(&["reconcile", "demo"], 0);
    w.run(&["reconcile", "demo", "--since", "yesterday"], code::USAGE);

    // lockdown, unlock
    w.run(&["lockdown", "perso"], code::USAGE);
    w.run(&["lockdown", "perso", "--reason", "test"], 0);
    w.run(&["unlock", "perso"], code::LOCKED_DOWN);
    w.run(&["unlock", "demo"], 0);
    w.run(&["unlock", "nosuch"], code::BAD_POLICY);

    // init: written where --policy says, then refused over the file it wrote
    let v = w.run(&["init", "--no-key", "--policy", "{dir}/init/policy.toml"], 0);
    assert!(v["path"].as_str().unwrap().ends_with("init/policy.toml"), "{v}");
    w.run(&["init", "--no-key", "--policy", "{dir}/init/policy.toml"], code::USAGE);

    // completions, man
    let v = w.run(&["completions", "bash"], 0);
    assert!(v["script"].as_str().unwrap().contains("postgate"));
    w.run(&["completions", "nosuchshell"], code::USAGE);
    let v = w.run(&["man"], 0);
    assert!(v["man"].as_str().unwrap().contains(".TH"));
    w.run(&["man", "extra"], code::USAGE);

    // log, log verify, log repair: on a good log, then on a torn one
    w.run(&["log"], 0);
    w.run(&["log", "--since", "soon"], code::USAGE);
    w.run(&["log", "verify"], 0);
    w.run(&["log", "repair"], 0);
    // log checkpoint, log verify --checkpoint: by a key the policy lists, then over the torn log
    let alice = w.t.ssh_key("alice");
    let mut text = std::fs::read_to_string(w.t.policy_path()).unwrap();
    text.push_str(&format!(
        "\n[[approvers]]\nname = \"alice\"\nkey = \"{alice}\"\nroles = [\"com\"]\n"
    ));
    std::fs::write(w.t.policy_path(), text).unwrap();
    let alice_key = w.t.path().join("keys/alice").display().to_string();
    let cp = [
        "log",
        "checkpoint",
        "--ssh-key",
        &alice_key,
        "--output",
        "witness.checkpoint",
    ];
    let v = w.run(&cp, 0);
    assert_eq!(v["signer"], "alice", "{v}");
    assert!(v["size"].as_u64().unwrap() > 0, "{v}");
    assert!(v["note"].as_str().unwrap().starts_with("postgate audit log\n"), "{v}");
    w.run(&cp, code::USAGE);
    let v = w.run(&["log", "verify", "--checkpoint", "witness.checkpoint"], 0);
    assert_eq!(v["checkpoint"]["ok"], true, "{v}");
    let v = w.run(&["log", "verify", "--checkpoint", "nosuch.checkpoint"], code::AUDIT);
    assert_eq!(v["result"]["checkpoint"]["ok"], false, "{v}");
    let mut bytes = std::fs::read(w.t.audit_path()).unwrap();
    bytes.extend_from_slice(b"{\"seq\":99,\"prev\":\"torn");
    std::fs::write(w.t.audit_path(), &bytes).unwrap();
    let v = w.run(&["log", "verify"], code::AUDIT);
    assert_eq!(v["result"]["ok"], false);
    assert!(v["hint"].as_str().unwrap().contains("postgate log repair"), "{v}");
    w.run(&["log", "checkpoint", "--ssh-key", &alice_key], code::AUDIT);
    w.run(
        &["post", "-a", "demo", "--confirm-handle", &demo, "Bloqué"],
        code::AUDIT,
    );
    w.run(&["log", "repair"], 0);
    w.run(&["--policy", "nosuch.toml", "log", "repair"], code::BAD_POLICY);

    // store init, login --store, store sync: on a real PostgreSQL; then without a store.
    let db = crate::support::postgres_server().fresh_database("json");
    let shared = w.t.write(
        "shared.toml",
        &format!(
            "[audit]\npath = \"{{dir}}/state/shared-audit.jsonl\"\n\n[audit.shared]\nurl = \"{}\"\n",
            db.url()
        ),
    );
    let shared = shared.display().to_string();
    let pgpass = w.t.write(
        "pgpass",
        &format!("localhost:*:{}:{}:{}\n", db.name, db.owner_user, db.owner_password),
    );
    std::fs::set_permissions(&pgpass, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let pgpass = pgpass.display().to_string();
    let v = w.run_env(
        &[
            "--policy",
            &shared,
            "store",
            "init",
            "--user",
            &db.owner_user,
            "--grant",
            &db.user,
        ],
        0,
        "",
        &[("PGPASSFILE", &pgpass)],
    );
    assert!(v["sql"].as_str().unwrap().contains("GRANT SELECT, INSERT"), "{v}");
    let v = w.run_with(
        &["--policy", &shared, "login", "--store", "--secret-stdin"],
        0,
        &db.password,
    );
    assert_eq!(v["stored"], true, "{v}");
    let v = w.run(&["--policy", &shared, "store", "sync"], 0);
    // The login record went to the store as it was written: nothing waits.
    assert_eq!(v["sent"], 0, "{v}");
    assert_eq!(db.superuser_sql("SELECT count(*) FROM postgate_record").trim(), "1");
    w.run_with(
        &["--policy", &shared, "login", "--store", "--secret-stdin"],
        code::AUDIT,
        "wrong password",
    );
    w.run(&["store", "init"], code::USAGE);
    w.run(&["store", "sync"], code::USAGE);

    // `review serve` runs until stopped: its document is printed as soon as it listens.
    w.seen.insert("review serve".into());
    std::fs::create_dir(w.t.path().join("nothing-to-review")).unwrap();
    let served = Served::start(
        &w.t,
        &[
            "--json",
            "review",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "nothing-to-review",
        ],
    );
    let v = one_value(format!("{}\n", served.line).as_bytes(), "\n--- review serve");
    assert!(v["url"].as_str().unwrap().starts_with("http://localhost:"), "{v}");
    assert_eq!(v["plans"], serde_json::json!([]), "{v}");
    drop(served);
    w.run(&["review", "serve", "nosuch.plan"], code::USAGE);
    // `keys passkey enroll` ends once a passkey is made on its page.
    w.seen.insert("keys passkey enroll".into());
    let sg = crate::support::passkey::Authenticator::new(5);
    let enrol = Served::start(
        &w.t,
        &[
            "--json",
            "keys",
            "passkey",
            "enroll",
            "sg",
            "--origin",
            "http://localhost:8750",
            "--listen",
            "127.0.0.1:0",
        ],
    );
    let url = enrol
        .line
        .trim_start_matches("open ")
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    let path = url.trim_start_matches("http://localhost:8750").to_string();
    let page = web::get(&enrol.addr, "localhost:8750", &path).body;
    let at = page.find("data-challenge=\"").unwrap() + "data-challenge=\"".len();
    let challenge = page[at..].split('"').next().unwrap();
    let (client, attestation) = sg.register(challenge);
    let answer = web::post(
        &enrol.addr,
        "localhost:8750",
        &path,
        &[
            ("Origin", "http://localhost:8750"),
            ("X-CSRF-Token", &web::csrf_of(&page)),
        ],
        &serde_json::json!({ "client_data_json": client, "attestation_object": attestation }).to_string(),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let (status, stdout, stderr) = enrol.wait();
    assert_eq!(status, 0, "{stderr}");
    let v = one_value(stdout.as_bytes(), &format!("\n--- keys passkey enroll\n{stderr}"));
    assert_eq!(v["credential_id"], "Y3JlZGVudGlhbC01", "{v}");
    assert_eq!(v["public_key"], sg.cose(), "{v}");
    assert!(v["entry"].as_str().unwrap().contains(&sg.policy_entry()), "{v}");
    w.run(
        &["keys", "passkey", "enroll", "sg", "--origin", "http://example.org"],
        code::USAGE,
    );

    let missing: Vec<String> = all
        .iter()
        .map(|l| l.join(" "))
        .filter(|l| !w.seen.contains(l))
        .collect();
    assert!(
        missing.is_empty(),
        "give these commands their own success and failure cases here: {missing:?}"
    );
}

#[test]
fn without_json_a_usage_error_prints_nothing_on_stdout() {
    let t = Test::new();
    t.cmd(["lockdown", "demo"])
        .status(code::USAGE)
        .stdout("")
        .stderr_has("--reason <TEXT>")
        .run();
    // After `--`, `--json` is post text, not the flag.
    t.cmd(["post", "--bogus", "--", "--json"])
        .status(code::USAGE)
        .stdout("")
        .run();
}

#[test]
fn a_usage_error_under_json_keeps_clap_text_on_stderr() {
    let t = Test::new();
    let out = t
        .cmd(["lockdown", "demo", "--json"])
        .status(code::USAGE)
        .stderr_has("the following required arguments were not provided")
        .stderr_has("--reason <TEXT>")
        .run();
    let v = one_value(&out.stdout, "");
    assert_eq!(v["status"], "error");
    assert_eq!(v["error"], "usage");
    assert_eq!(v["exit_code"], code::USAGE);
    assert!(v["message"].as_str().unwrap().contains("required arguments"), "{v}");
}
