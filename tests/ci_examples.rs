//! The CI examples in docs/examples/ run here, step by step, against a local git remote: the
//! pull-request job checks the queue, the scheduled job publishes it and pushes the audit log,
//! and a second scheduled run on a fresh clone publishes nothing twice.

use crate::support;
use support::{BIN, Test};
use yaml_rust2::{Yaml, YamlLoader};

fn example(name: &str) -> (String, Yaml) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/examples")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("read example");
    let yaml = YamlLoader::load_from_str(&text).expect("valid YAML").remove(0);
    (text, yaml)
}

#[test]
fn docs_ci_quotes_the_examples_verbatim() {
    let doc = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ci.md")).unwrap();
    for name in ["github-actions.yml", "gitlab-ci.yml"] {
        let (text, _) = example(name);
        assert!(
            doc.contains(&format!("```yaml\n{text}```")),
            "docs/ci.md does not quote {name}"
        );
    }
}

const POLICY: &str = r#"
[audit]
path = "../state/audit.jsonl"

[[accounts]]
name = "culture-gouv"
handle = "@culture_gouv@social.numerique.gouv.fr"
platform = "outbox"
kind = "official"
display_name = "Ministère de la Culture"
owner = "Délégation à l'information et à la communication"
path = "{dir}/outbox"
credentials = "keychain-or-env"

[[rules]]
id = "consentement"
kind = "mentions"
level = "approve"
on = ["mentions"]

[[approvers]]
name = "sg"
key = "{sg}"
roles = ["secretaire-generale"]
email = "sg@culture.example"

[[authors]]
name = "redaction"
key = "{redaction}"
"#;

/// A bare remote holding a posts repository: the policy, two due items (one signed by its
/// author `redaction` and approved by `sg`), one for later.
fn remote(t: &Test) -> std::path::PathBuf {
    let sg = t.ssh_key("sg");
    let redaction = t.ssh_key("redaction");
    let seed = t.path().join("seed");
    t.write(
        "seed/ops/policy.toml",
        &POLICY.replace("{sg}", &sg).replace("{redaction}", &redaction),
    );
    t.write("seed/state/.keep", "");
    t.write(
        "seed/queue/01-expo.md",
        "+++\naccount = \"culture-gouv\"\nauthor = \"redaction@culture.example\"\npublish_at = 2026-01-01T09:00:00+01:00\n+++\nL'exposition « Marbres » ouvre ce matin.\n",
    );
    t.write(
        "seed/queue/02-merci.md",
        "+++\naccount = \"culture-gouv\"\nauthor = \"redaction@culture.example\"\n+++\nMerci @jeanne pour sa visite.\n",
    );
    t.write(
        "seed/queue/03-plus-tard.md",
        &format!(
            "+++\naccount = \"culture-gouv\"\nauthor = \"redaction@culture.example\"\npublish_at = {}\n+++\nPlus tard.\n",
            (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(30 * 24)).round(jiff::Unit::Second).unwrap()
        ),
    );
    let git = |dir: &std::path::Path, args: &[&str]| {
        let out = t.command("git").current_dir(dir).args(args).output().expect("run git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    git(&seed, &["init", "-q", "-b", "main"]);
    // The approver signs on their machine, over the hash `queue check --json` reports.
    let out = t
        .cmd([
            "--policy",
            "seed/ops/policy.toml",
            "--json",
            "queue",
            "check",
            "seed/queue",
        ])
        .run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hash = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["file"] == "seed/queue/02-merci.md")
        .unwrap()["plan_hash"]
        .as_str()
        .unwrap()
        .to_string();
    // Its writer signs it as its author, then the approver approves it.
    t.cmd([
        "--policy",
        "seed/ops/policy.toml",
        "sign",
        "seed/queue/02-merci.md",
        "--ssh-key",
        "keys/redaction",
        "--plan-hash",
        &hash,
    ])
    .run();
    t.cmd([
        "--policy",
        "seed/ops/policy.toml",
        "approve",
        "seed/queue/02-merci.md",
        "--ssh-key",
        "keys/sg",
        "--plan-hash",
        &hash,
    ])
    .run();
    // The approval is an event in the approver's own log, not in the repository's.
    std::fs::remove_file(t.path().join("seed/state/audit.jsonl")).ok();
    git(&seed, &["add", "-A"]);
    git(
        &seed,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.org",
            "commit",
            "-qm",
            "posts",
        ],
    );
    let bare = t.path().join("origin.git");
    git(t.path(), &["clone", "-q", "--bare", "seed", "origin.git"]);
    bare
}

/// A fresh checkout, as a runner's checkout step makes.
fn checkout(t: &Test, bare: &std::path::Path, name: &str) -> std::path::PathBuf {
    let out = t
        .command("git")
        .args(["clone", "-q"])
        .arg(bare)
        .arg(name)
        .output()
        .expect("git clone");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    t.path().join(name)
}

/// Runs one shell step with bash, as the CI runner does; returns success and output.
fn sh(t: &Test, dir: &std::path::Path, script: &str, env: &[(String, String)]) -> (bool, String) {
    let bin_dir = std::path::Path::new(BIN).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut cmd = t.command("bash");
    cmd.current_dir(dir)
        .env("PATH", path)
        .args(["-e", "-o", "pipefail", "-c", script]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run bash");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `${{ secrets.X }}`, `${{ github.run_id }}`: what GitHub would put there.
fn github_expr(text: &str) -> String {
    text.replace("${{ secrets.CULTURE_GOUV_TOKEN }}", "token-from-the-secret-store")
        .replace("${{ github.run_id }}", "4242")
}

/// Runs a GitHub Actions job's steps; a failed step skips the rest except `if: always()`.
/// Returns whether the job succeeded and everything it printed.
fn github_job(t: &Test, dir: &std::path::Path, job: &Yaml) -> (bool, String) {
    let mut ok = true;
    let mut log = String::new();
    for step in job["steps"].as_vec().expect("steps") {
        let name = step["name"].as_str().unwrap_or("");
        // Actions are GitHub's own; the test cloned the repository itself. The install step
        // builds postgate from git; the test puts the binary under test on PATH instead.
        if step["uses"].as_str().is_some() || name.starts_with("Install") {
            continue;
        }
        if !ok && step["if"].as_str() != Some("always()") {
            continue;
        }
        let env: Vec<(String, String)> = step["env"]
            .as_hash()
            .map(|h| {
                h.iter()
                    .map(|(k, v)| (k.as_str().unwrap().to_string(), github_expr(v.as_str().unwrap())))
                    .collect()
            })
            .unwrap_or_default();
        let script = github_expr(step["run"].as_str().expect("run"));
        let (success, out) = sh(t, dir, &script, &env);
        log.push_str(&out);
        ok &= success;
    }
    (ok, log)
}

fn outbox_count(t: &Test) -> usize {
    std::fs::read_dir(t.path().join("outbox/posts")).map_or(0, |d| d.count())
}

fn remote_log(t: &Test, bare: &std::path::Path) -> String {
    let out = t
        .command("git")
        .arg("--git-dir")
        .arg(bare)
        .args(["show", "main:state/audit.jsonl"])
        .output()
        .expect("git show");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_github_actions_example_checks_publishes_once_and_keeps_the_log() {
    let t = Test::new();
    let bare = remote(&t);
    let (_, wf) = example("github-actions.yml");
    let jobs = &wf["jobs"];

    let pr = checkout(&t, &bare, "pr");
    let (ok, log) = github_job(&t, &pr, &jobs["check"]);
    assert!(ok, "{log}");
    assert!(
        log.contains(
            "checked 3 item(s): 3 ready, 0 refused (deny), 0 awaiting approval, 0 with a bad signature, 0 expired"
        ),
        "{log}"
    );
    // A pull request that edits an approved post fails the check.
    let merci = pr.join("queue/02-merci.md");
    let text = std::fs::read_to_string(&merci).unwrap();
    std::fs::write(&merci, text.replace("visite", "visite !")).unwrap();
    let (ok, log) = github_job(&t, &pr, &jobs["check"]);
    assert!(!ok, "{log}");
    assert!(log.contains("error signature"), "{log}");
    std::fs::write(&merci, text).unwrap();
    // A pull request in which the approver signs a post as its author (claiming to be
    // someone else in `author`) and approves it fails the check too.
    let own = pr.join("queue/04-moi.md");
    std::fs::write(
        &own,
        "+++\naccount = \"culture-gouv\"\nauthor = \"redaction@culture.example\"\n+++\nBravo @paul !\n",
    )
    .unwrap();
    let (policy, queue) = (pr.join("ops/policy.toml"), pr.join("queue"));
    let (policy, queue) = (policy.display().to_string(), queue.display().to_string());
    let out = t
        .cmd(["--policy", &policy, "--json", "queue", "check", &queue])
        .status_any()
        .run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hash = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["file"].as_str().unwrap().ends_with("04-moi.md"))
        .unwrap()["plan_hash"]
        .as_str()
        .unwrap()
        .to_string();
    t.ssh_sign("sg", "postgate-author", &hash, "pr/queue/04-moi.md.author.sig");
    t.ssh_sign("sg", "postgate", &hash, "pr/queue/04-moi.md.sg.sig");
    let (ok, log) = github_job(&t, &pr, &jobs["check"]);
    assert!(!ok, "{log}");
    assert!(
        log.contains("queue/04-moi.md:1:1 error signature queue/04-moi.md.sg.sig: approver `sg` wrote this plan"),
        "{log}"
    );

    let runner = checkout(&t, &bare, "runner1");
    let (ok, log) = github_job(&t, &runner, &jobs["publish"]);
    assert!(ok, "{log}");
    assert_eq!(outbox_count(&t), 2);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(runner.join("publish.json")).unwrap()).unwrap();
    assert_eq!(summary["summary"]["published"], 2);
    assert_eq!(summary["summary"]["not_due"], 1);
    let pushed = remote_log(&t, &bare);
    assert_eq!(pushed.matches("\"status\":\"published\"").count(), 2, "{pushed}");
    assert!(pushed.contains("\"credential_source\":\"environment\""));
    assert!(
        !pushed.contains("token-from-the-secret-store"),
        "the secret reached the log"
    );

    // The next scheduled run, on a fresh runner, knows from the committed log.
    let runner = checkout(&t, &bare, "runner2");
    let (ok, log) = github_job(&t, &runner, &jobs["publish"]);
    assert!(ok, "{log}");
    assert_eq!(outbox_count(&t), 2);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(runner.join("publish.json")).unwrap()).unwrap();
    assert_eq!(summary["summary"]["published"], 0);
    assert_eq!(summary["summary"]["already_published"], 2);
}

/// Runs a GitLab job: the default `before_script` (the install) is skipped, `script` lines
/// run in one shell and stop at the first failure, `after_script` runs in a new shell anyway.
fn gitlab_job(t: &Test, dir: &std::path::Path, job: &Yaml, env: &[(String, String)]) -> (bool, String) {
    let lines = |key: &str| -> String {
        job[key]
            .as_vec()
            .map(|v| {
                v.iter()
                    .map(|l| l.as_str().unwrap().to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    };
    let (ok, mut log) = sh(t, dir, &lines("script"), env);
    let after = lines("after_script");
    if !after.is_empty() {
        let (_, out) = sh(t, dir, &after, env);
        log.push_str(&out);
    }
    (ok, log)
}

#[test]
fn the_gitlab_example_checks_publishes_once_and_keeps_the_log() {
    let t = Test::new();
    let bare = remote(&t);
    let (_, ci) = example("gitlab-ci.yml");
    let env = vec![
        ("CI_PIPELINE_ID".to_string(), "77".to_string()),
        ("CI_COMMIT_REF_NAME".to_string(), "main".to_string()),
        ("POSTGATE_PUSH_URL".to_string(), bare.display().to_string()),
        (
            "POSTGATE_SECRET_CULTURE_GOUV".to_string(),
            "token-from-ci-variables".to_string(),
        ),
    ];
    let mr = checkout(&t, &bare, "mr");
    let (ok, log) = gitlab_job(&t, &mr, &ci["check-posts"], &env);
    assert!(ok, "{log}");
    assert!(log.contains("checked 3 item(s): 3 ready"), "{log}");

    let runner = checkout(&t, &bare, "runner1");
    let (ok, log) = gitlab_job(&t, &runner, &ci["publish-posts"], &env);
    assert!(ok, "{log}");
    assert_eq!(outbox_count(&t), 2);
    assert_eq!(remote_log(&t, &bare).matches("\"status\":\"published\"").count(), 2);

    let runner = checkout(&t, &bare, "runner2");
    let (ok, log) = gitlab_job(&t, &runner, &ci["publish-posts"], &env);
    assert!(ok, "{log}");
    assert_eq!(outbox_count(&t), 2);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(runner.join("publish.json")).unwrap()).unwrap();
    assert_eq!(summary["summary"]["already_published"], 2);
}
