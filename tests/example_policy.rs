//! The repository's own policy.toml is a working example.

mod support;
use support::{Test, code};

fn example() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("policy.toml")
        .display()
        .to_string()
}

#[test]
fn the_example_policy_is_valid_and_has_the_promised_accounts() {
    let t = Test::new();
    let out = t.cmd(["--json", "--policy", &example(), "policy", "check"]).run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let accounts = v["accounts"].as_array().unwrap();
    let kinds: Vec<(&str, &str)> = accounts
        .iter()
        .map(|a| (a["name"].as_str().unwrap(), a["kind"].as_str().unwrap()))
        .collect();
    assert!(kinds.contains(&("demo", "official")));
    assert!(kinds.contains(&("camille", "personal")));
    assert!(
        accounts
            .iter()
            .any(|a| a["kind"] == "official" && a["platform"] == "mastodon")
    );
    assert!(accounts.iter().any(|a| a["platform"] == "bluesky"));
}

#[test]
fn the_readme_demo_posts_to_the_demo_outbox() {
    let t = Test::new();
    t.cmd([
        "--policy",
        &example(),
        "post",
        "-a",
        "demo",
        "--confirm-handle",
        "@demo_ministere",
        "Démo",
    ])
    .stdout_has("file://{dir}/state/postgate/outbox/demo/posts/")
    .run();
    t.cmd(["--policy", &example(), "log", "verify"])
        .stdout_has("ok: 2 record(s)")
        .run();
    t.cmd(["--policy", &example(), "post", "-a", "demo", "Démo"])
        .status(code::NOT_CONFIRMED)
        .run();
}
