//! The system policy (`/etc/postgate/policy.toml`; here `POSTGATE_TEST_SYSTEM_POLICY`, a hook that
//! only debug builds honour, and only while `/etc/postgate/policy.toml` does not exist) lies under
//! every user policy: a user may add accounts and stricter rules, never redefine, weaken or remove
//! what the system says.

use crate::support;
use support::{Test, code};

const SYSTEM: &str = r#"[audit]
path = "{dir}/state/audit.jsonl"

[[accounts]]
name = "ministere"
handle = "@ministere_{uid}"
platform = "outbox"
kind = "official"
display_name = "Ministère"
owner = "Service communication"
path = "{dir}/outbox"

[[accounts]]
name = "camille"
handle = "@camille_{uid}"
platform = "outbox"
kind = "personal"
display_name = "Camille"
owner = "Camille"
path = "{dir}/camille"
confirm = "handle"

[[rules]]
id = "neutralite"
kind = "terms"
level = "deny"
kinds = ["official"]
terms = ["voter pour"]
message = "un compte officiel ne donne pas de consigne de vote"
"#;

const USER_ACCOUNT: &str = r#"
[[accounts]]
name = "service-presse"
handle = "@presse_{uid}"
platform = "outbox"
kind = "official"
display_name = "Service de presse"
owner = "Presse"
path = "{dir}/presse"
"#;

fn layered(user: &str) -> Test {
    let t = Test::new();
    let system = t.write("etc/postgate/policy.toml", SYSTEM);
    let t = t.env("POSTGATE_TEST_SYSTEM_POLICY", &system.display().to_string());
    t.policy(user)
}

/// The system policy with a rate cap and a shared lockdown folder on top.
fn strict(user: &str) -> Test {
    let t = layered(user);
    t.write(
        "etc/postgate/policy.toml",
        &format!(
            "{SYSTEM}\n[[rules]]\nid = \"cadence\"\nkind = \"rate\"\nlevel = \"deny\"\naccounts = [\"ministere\"]\nmax_per_hour = 1\n\n[lockdown]\nshared_path = \"{{dir}}/shared-locks\"\n"
        ),
    );
    std::fs::create_dir_all(t.path().join("shared-locks")).unwrap();
    t
}

/// What any user can set: the variable that once replaced the system file, and a state folder
/// of their own.
fn as_attacker<'a>(cmd: support::Cmd<'a>, t: &Test) -> support::Cmd<'a> {
    let elsewhere = t.path().join("elsewhere");
    cmd.env("POSTGATE_SYSTEM_POLICY", "/nonexistent")
        .env("XDG_STATE_HOME", &elsewhere.display().to_string())
}

/// `policy check` refuses the user policy with `message`, pointing at `line:col` of the user's
/// file, and says what layering allows.
fn refused(user: &str, message: &str, line_col: &str) {
    let t = layered(user);
    t.cmd(["policy", "check"])
        .status(code::BAD_POLICY)
        .stdout("")
        .stderr_has(message)
        .stderr_has(&format!("  --> {}:{line_col}\n", t.policy_path().display()))
        .stderr_has("it may add accounts and rules, not change the system's")
        .run();
}

#[test]
fn a_user_rule_cannot_take_a_system_rule_id_to_weaken_it() {
    refused(
        &format!(
            "{USER_ACCOUNT}\n[[rules]]\nid = \"neutralite\"\nkind = \"terms\"\nlevel = \"warn\"\nterms = [\"voter pour\"]\n"
        ),
        "rule `neutralite` belongs to the system policy (its line 23); a user policy cannot redefine, weaken or remove it",
        "12:6",
    );
}

#[test]
fn a_system_account_cannot_be_redefined_nor_its_confirmation_lowered() {
    refused(
        "[[accounts]]\nname = \"camille\"\nhandle = \"@camille_{uid}\"\nplatform = \"outbox\"\nkind = \"personal\"\ndisplay_name = \"C\"\nowner = \"C\"\npath = \"{dir}/camille\"\nconfirm = \"yes\"\n",
        "account `camille` is defined by the system policy (its line 13); a user policy cannot redefine it",
        "2:8",
    );
    let t = layered(
        "[[accounts]]\nname = \"camille\"\nhandle = \"@camille_{uid}\"\nplatform = \"outbox\"\nkind = \"personal\"\ndisplay_name = \"C\"\nowner = \"C\"\npath = \"{dir}/camille\"\nconfirm = \"yes\"\n",
    );
    t.cmd(["policy", "check"])
        .status(code::BAD_POLICY)
        .stderr_has("this would also lower its confirmation from `handle` to `yes`")
        .run();
}

#[test]
fn a_system_account_cannot_come_back_under_another_name() {
    refused(
        "[[accounts]]\nname = \"raccourci\"\nhandle = \"@ministere_{uid}\"\nplatform = \"outbox\"\nkind = \"personal\"\ndisplay_name = \"M\"\nowner = \"M\"\npath = \"{dir}/outbox\"\n",
        "is (or looks like) the handle of system account `ministere`",
        "3:10",
    );
}

#[test]
fn approvers_lockdown_and_the_audit_log_stay_with_the_system() {
    refused(
        &format!(
            "{USER_ACCOUNT}\n[[approvers]]\nname = \"moi\"\nkey = \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGb2hbbC1XBo7mj3h6L8oR9Rr4ITHH0rI8YNq0RqMdbF moi\"\n"
        ),
        "a user policy cannot add [[approvers]] over a system policy",
        "11:1",
    );
    refused(
        &format!("{USER_ACCOUNT}\n[lockdown]\nshared_path = \"/tmp/ailleurs\"\n"),
        "[lockdown] belongs to the system policy",
        "12:15",
    );
    refused(
        &format!("[audit]\npath = \"{{dir}}/ailleurs.jsonl\"\n{USER_ACCOUNT}"),
        "the system policy keeps the audit log at ",
        "2:8",
    );
}

#[test]
fn a_user_policy_adds_accounts_and_stricter_rules_and_show_marks_the_origin() {
    let t = layered(&format!(
        "{USER_ACCOUNT}\n[[rules]]\nid = \"sobriete\"\nkind = \"terms\"\nlevel = \"deny\"\naccounts = [\"ministere\"]\nterms = [\"incroyable\"]\n"
    ));
    let system = t.path().join("etc/postgate/policy.toml");
    let user = t.policy_path();
    t.cmd(["policy", "check"])
        .stdout_has("ministere       OFFICIAL")
        .stdout_has("system\n")
        .stdout_has("policy\n")
        .stderr_has(&format!("(over the system policy {})", system.display()))
        .stderr_has("3 account(s), 2 rule(s)")
        .run();
    let out = t.cmd(["policy", "show", "ministere"]).run();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(&format!("defined in   {}:4 (system)\n", system.display())),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{}:23 (system)\n", system.display())),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("{}:11\n", user.display())), "{stdout}");

    // The system's rule covers the user's own official account too.
    let presse = format!("@presse_{}", t.uid);
    t.cmd([
        "post",
        "-a",
        "service-presse",
        "--confirm-handle",
        &presse,
        "Il faut voter pour le projet",
    ])
    .status(code::CONTENT)
    .stderr_has("neutralite")
    .run();
    // And the user's stricter rule covers the system's account.
    let ministere = format!("@ministere_{}", t.uid);
    t.cmd([
        "post",
        "-a",
        "ministere",
        "--confirm-handle",
        &ministere,
        "Un résultat incroyable",
    ])
    .status(code::CONTENT)
    .stderr_has("sobriete")
    .run();
    t.cmd([
        "post",
        "-a",
        "ministere",
        "--confirm-handle",
        &ministere,
        "Un bon résultat",
    ])
    .run();
}

#[test]
fn a_broken_system_policy_is_blamed_by_its_own_path() {
    let t = layered(USER_ACCOUNT);
    let system = t.write(
        "etc/postgate/policy.toml",
        &SYSTEM.replace("kind = \"personal\"", "kind = \"perso\""),
    );
    t.cmd(["policy", "check"])
        .status(code::BAD_POLICY)
        .stderr_has(&format!("  --> {}:", system.display()))
        .stderr_has("hint: the system policy is broken; nothing can be published until its owners fix it")
        .run();
}

#[test]
fn a_user_policy_cannot_add_authors_over_a_system_policy() {
    // An approver who could list a second key under another name would approve their own plans.
    refused(
        &format!(
            "{USER_ACCOUNT}\n[[authors]]\nname = \"moi\"\nkey = \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGb2hbbC1XBo7mj3h6L8oR9Rr4ITHH0rI8YNq0RqMdbF moi\"\n"
        ),
        "a user policy cannot add [[authors]] over a system policy",
        "11:1",
    );
}

#[test]
fn the_environment_cannot_remove_the_system_layer_to_make_its_official_account_personal() {
    let t = strict(
        "[[accounts]]\nname = \"ministere\"\nhandle = \"@ministere_{uid}\"\nplatform = \"outbox\"\nkind = \"personal\"\ndisplay_name = \"M\"\nowner = \"M\"\npath = \"{dir}/outbox\"\nconfirm = \"yes\"\n",
    );
    as_attacker(t.cmd(["policy", "check"]), &t)
        .status(code::BAD_POLICY)
        .stderr_has("warning: POSTGATE_SYSTEM_POLICY is ignored; the system policy is always /etc/postgate/policy.toml")
        .stderr_has("account `ministere` is defined by the system policy")
        .stderr_has("this would also lower its confirmation from `handle` to `yes`")
        .run();
    as_attacker(
        t.cmd([
            "post",
            "-a",
            "ministere",
            "--confirm-handle",
            "@ministere_{uid}",
            "Bonjour",
        ]),
        &t,
    )
    .status(code::BAD_POLICY)
    .run();
    assert!(t.outbox("outbox").is_empty());
}

#[test]
fn the_environment_cannot_remove_the_system_deny_rules_and_rate_caps() {
    let t = strict(USER_ACCOUNT);
    let post = |text: &str| {
        as_attacker(
            t.cmd(["post", "-a", "ministere", "--confirm-handle", "@ministere_{uid}", text]),
            &t,
        )
    };
    post("Il faut voter pour le projet")
        .status(code::CONTENT)
        .stderr_has("neutralite")
        .run();
    post("Un").run();
    post("Deux")
        .status(code::CONTENT)
        .stderr_has("cadence (1 posts in the last hour already; the policy allows 1)")
        .run();
    assert_eq!(t.outbox("outbox").len(), 1);
}

#[test]
fn the_environment_cannot_move_the_audit_log_the_system_placed() {
    let t = strict(USER_ACCOUNT);
    as_attacker(
        t.cmd([
            "post",
            "-a",
            "service-presse",
            "--confirm-handle",
            "@presse_{uid}",
            "Bonjour",
        ]),
        &t,
    )
    .run();
    let published: Vec<_> = t
        .audit()
        .into_iter()
        .filter(|r| r["outcome"]["status"] == "published")
        .collect();
    assert_eq!(published.len(), 1, "the record is in the system's log");
    assert!(!t.path().join("elsewhere/postgate/audit.jsonl").exists());
}

#[test]
fn a_lock_in_the_system_shared_folder_stops_every_publish_whatever_the_state_folder() {
    let t = strict(USER_ACCOUNT);
    for account in ["ministere", "service-presse"] {
        t.cmd(["lockdown", account, "--reason", "compte compromis"]).run();
    }
    let shared = std::fs::read_dir(t.path().join("shared-locks")).unwrap().count();
    assert_eq!(shared, 2);
    for (account, handle) in [("ministere", "@ministere_{uid}"), ("service-presse", "@presse_{uid}")] {
        as_attacker(
            t.cmd(["post", "-a", account, "--confirm-handle", handle, "Bonjour"]),
            &t,
        )
        .status(code::LOCKED_DOWN)
        .stderr_has("is locked down since ")
        .run();
    }
    assert!(t.outbox("outbox").is_empty());
    assert!(t.outbox("presse").is_empty());
}

/// `init` with the usual lookup and a key of this test's own.
fn init(t: &Test) -> support::Cmd<'_> {
    t.cmd(["init", "--key", &format!("init_{}", t.uid)])
        .env_remove("POSTGATE_POLICY")
}

#[test]
fn init_over_a_system_policy_writes_a_policy_that_loads_and_approves_nothing_itself() {
    let t = layered(USER_ACCOUNT).keychain();
    init(&t)
        .stderr_has("the system policy {dir}/etc/postgate/policy.toml decides who approves")
        .run();
    let text = t.read("config/postgate/policy.toml");
    // The loader refuses both tables over a system policy: writing them would leave a policy
    // postgate cannot load, and whoever wrote it an approver of their own posts.
    for table in ["[[approvers]]", "[lockdown]"] {
        assert!(!text.lines().any(|l| l.trim() == table), "{table} in\n{text}");
    }
    let key = t.cmd(["keys", "show", &format!("init_{}", t.uid)]).run();
    let key = String::from_utf8_lossy(&key.stdout).trim().to_string();
    assert!(
        text.contains(&format!("#   {key}")),
        "the key to hand over is in\n{text}"
    );
    t.cmd(["policy", "check"])
        .env_remove("POSTGATE_POLICY")
        .stderr_has("0 approver(s)")
        .run();
    t.cmd([
        "post",
        "-a",
        "demo-personal",
        "--confirm-handle",
        "@demo_personal",
        "Hello",
    ])
    .env_remove("POSTGATE_POLICY")
    .run();

    let out = t
        .cmd(["--json", "init", "--force", "--key", &format!("init_{}", t.uid)])
        .env_remove("POSTGATE_POLICY")
        .run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON value");
    assert_eq!(v["approver"], serde_json::Value::Null, "{v}");
    assert_eq!(v["key"], key, "{v}");
    assert_eq!(v["system_policy"], t.fill("{dir}/etc/postgate/policy.toml"), "{v}");
}

#[test]
fn init_refuses_a_demo_account_the_system_policy_already_has() {
    let t = layered(USER_ACCOUNT);
    let system = SYSTEM.replace("name = \"camille\"", "name = \"demo-personal\"");
    t.write("etc/postgate/policy.toml", &system);
    init(&t)
        .status(code::BAD_POLICY)
        .stderr_has("demo-personal")
        .stderr_has("layered over the system policy")
        .run();
    assert!(
        !t.path().join("config/postgate/policy.toml").exists(),
        "nothing is written"
    );
}
