//! docs/ci.md, run as a reader would follow it: its policy, its `.gitignore`, each of its `sh`
//! blocks and the CI files in docs/examples/ (which the page quotes verbatim), against a bare
//! git remote and a real Mastodon server on loopback. The pull-request job stays red until the
//! approver signs, the scheduled job publishes once and pushes the audit log, a second
//! scheduled run on a fresh clone publishes nothing twice, and `git status` is clean after
//! every job. What the guide names of the reader's world is replaced through one table per
//! text (`subst`), each entry required to occur.

use crate::support;
use sha2::Digest;
use std::path::{Path, PathBuf};
use support::{BIN, MastodonUser, Test, code, mastodon_statuses, mastodon_user};
use yaml_rust2::{Yaml, YamlLoader};

fn repo_file(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).expect("read a repository file")
}

/// A fenced block of the guide: its info string (the language, then the file it is, if it is
/// one) and its text, unindented as it sits in a list item.
struct Block {
    info: String,
    text: String,
}

fn blocks(doc: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<(usize, Block)> = None;
    for line in doc.lines() {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim_start();
        match &mut open {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    open = Some((
                        indent,
                        Block {
                            info: info.trim().to_string(),
                            text: String::new(),
                        },
                    ));
                }
            }
            Some((at, block)) => {
                if trimmed == "```" {
                    out.push(open.take().expect("an open block").1);
                } else {
                    block.text.push_str(line.get(*at..).unwrap_or(trimmed));
                    block.text.push('\n');
                }
            }
        }
    }
    assert!(open.is_none(), "docs/ci.md ends inside a fenced block");
    out
}

/// The one block of the guide that is the file `name` (info string `LANG name`).
fn file_block(doc: &str, name: &str) -> String {
    let found: Vec<Block> = blocks(doc)
        .into_iter()
        .filter(|b| b.info.split_whitespace().nth(1) == Some(name))
        .collect();
    assert_eq!(found.len(), 1, "docs/ci.md should show {name} exactly once");
    found.into_iter().next().map(|b| b.text).unwrap_or_default()
}

/// Who runs each `sh` block of the guide, by its first line, in the guide's order. A block
/// added to the guide without a place here fails the test, so none goes unrun.
const SH_BLOCKS: [&str; 3] = [
    "# Once, in the new repository's clone",
    "# The writer, in their clone",
    "# The approver, in their clone",
];

fn sh_blocks(doc: &str) -> Vec<String> {
    let found: Vec<String> = blocks(doc)
        .into_iter()
        .filter(|b| b.info == "sh")
        .map(|b| b.text)
        .collect();
    assert_eq!(found.len(), SH_BLOCKS.len(), "the sh blocks of docs/ci.md changed");
    for (text, first) in found.iter().zip(SH_BLOCKS) {
        assert!(
            text.starts_with(first),
            "expected a block starting {first:?}, found:\n{text}"
        );
    }
    found
}

/// Replaces each placeholder by its value here; each must occur, so that a placeholder the
/// guide no longer has cannot quietly stand for nothing.
fn subst(text: &str, table: &[(&str, String)]) -> String {
    let mut out = text.to_string();
    for (from, to) in table {
        assert!(out.contains(from), "{from:?} is not in:\n{text}");
        out = out.replace(from, to);
    }
    out
}

#[test]
fn docs_ci_quotes_the_examples_verbatim() {
    let doc = repo_file("docs/ci.md");
    for (name, example) in [
        (".github/workflows/posts.yml", "docs/examples/github-actions.yml"),
        (".gitlab-ci.yml", "docs/examples/gitlab-ci.yml"),
    ] {
        assert_eq!(
            file_block(&doc, name),
            repo_file(example),
            "docs/ci.md does not quote {example}"
        );
    }
}

/// The reader's world, made here: a bare remote, the account on mastodon-mock, the people's
/// keys, and a release of the postgate under test.
struct World {
    t: Test,
    doc: String,
    bare: PathBuf,
    user: MastodonUser,
    /// `file://` URL of the folder holding the tarball and SHA256SUMS.
    release_url: String,
    tarball_sha256: String,
}

const ITEM: &str = "queue/2026-12-01-expo.md";

impl World {
    fn new(ci_file: &str, example: &str, name: &str) -> World {
        let t = Test::new();
        let user = mastodon_user(&format!("{name}{}", t.uid.replace('_', "")));
        let doc = repo_file("docs/ci.md");
        let bare = t.path().join("origin.git");
        let out = t
            .command("git")
            .args(["init", "-q", "--bare", "-b", "main"])
            .arg(&bare)
            .output()
            .expect("git init");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        t.ssh_key("sg");
        t.ssh_key("redaction");
        let (release_url, tarball_sha256) = release(&t, &version(example), Path::new(BIN));
        let w = World {
            t,
            doc,
            bare,
            user,
            release_url,
            tarball_sha256,
        };
        w.set_up(ci_file, example);
        w
    }

    fn public_key(&self, name: &str) -> String {
        self.t.read(&format!("keys/{name}.pub")).trim().to_string()
    }

    /// The guide's policy, with the reader's keys and the server's address put in.
    fn policy(&self) -> String {
        subst(
            &file_block(&self.doc, "ops/policy.toml"),
            &[
                (
                    "<sg's public key: the line of ~/.ssh/id_ed25519.pub>",
                    self.public_key("sg"),
                ),
                (
                    "<the writer's public key: the line of ~/.ssh/id_ed25519.pub>",
                    self.public_key("redaction"),
                ),
                ("https://social.numerique.gouv.fr", self.user.url.to_string()),
                ("@culture_gouv@social.numerique.gouv.fr", self.user.handle.clone()),
            ],
        )
    }

    /// A CI file with the account's handle on this server and the release served here.
    fn ci_text(&self, example: &str) -> String {
        subst(
            &repo_file(example),
            &[
                ("@culture_gouv@social.numerique.gouv.fr", self.user.handle.clone()),
                (
                    "<SHA-256 of postgate-0.1.0-x86_64-linux-static.tar.gz>",
                    self.tarball_sha256.clone(),
                ),
                ("https://downloads.example.org/postgate", self.release_url.clone()),
            ],
        )
    }

    fn clone(&self, name: &str) -> PathBuf {
        let out = self
            .t
            .command("git")
            .args(["clone", "-q"])
            .arg(&self.bare)
            .arg(name)
            .output()
            .expect("git clone");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        self.t.path().join(name)
    }

    /// Runs a block of the guide as a person at their machine: their postgate on PATH, git
    /// set up with their name.
    fn person(&self, dir: &Path, who: &str, script: &str) -> String {
        let bin_dir = Path::new(BIN).parent().expect("the binary's folder");
        let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
        let email = format!("{who}@culture.example");
        let env = [
            ("PATH", path),
            ("GIT_AUTHOR_NAME", who.to_string()),
            ("GIT_AUTHOR_EMAIL", email.clone()),
            ("GIT_COMMITTER_NAME", who.to_string()),
            ("GIT_COMMITTER_EMAIL", email),
        ];
        let (status, log) = bash(&self.t, dir, script, &env);
        assert_eq!(status, 0, "{who}'s commands failed:\n{script}\n{log}");
        log
    }

    /// The guide's first block: the repository set up, with the guide's files and `ci_file`.
    fn set_up(&self, ci_file: &str, example: &str) {
        let dir = self.clone("setup");
        let write = |rel: &str, text: &str| {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("create a folder");
            std::fs::write(path, text).expect("write a file");
        };
        write("ops/policy.toml", &self.policy());
        write(".gitignore", &file_block(&self.doc, ".gitignore"));
        write(ci_file, &self.ci_text(example));
        self.person(&dir, "admin", &sh_blocks(&self.doc)[0]);
    }

    /// The writer's post, written by the test (the guide's item has fixed dates): due an hour
    /// ago, with the guide's image.
    fn write_post(&self, dir: &Path) {
        let due = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1))
            .round(jiff::Unit::Second)
            .expect("a time");
        std::fs::write(
            dir.join(ITEM),
            format!(
                "+++\naccount = \"culture-gouv\"\nauthor = \"redaction@culture.gouv.fr\"\npublish_at = {due}\n\
                 [[images]]\npath = \"affiche.png\"\nalt = \"L'affiche de l'exposition\"\n+++\n\
                 L'exposition « Marbres » ouvre ce matin au musée.\n"
            ),
        )
        .expect("write the post");
        std::fs::write(dir.join("queue/affiche.png"), support::PNG).expect("write the image");
    }

    /// The plan hash `queue check --json` reports for the post, in `dir`.
    fn plan_hash(&self, dir: &Path) -> String {
        let (_, out) = bash(
            &self.t,
            dir,
            &format!("{BIN} --policy ops/policy.toml --json queue check queue/ 2>/dev/null"),
            &[],
        );
        let v: serde_json::Value = serde_json::from_str(&out).expect("queue check --json");
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["file"] == ITEM)
            .and_then(|i| i["plan_hash"].as_str())
            .expect("the post's plan_hash")
            .to_string()
    }

    /// The guide's writer block, then its approver block, each with the person's own key and,
    /// for the question `sign` and `approve` ask at a terminal, the hash the person reviewed.
    fn writer(&self) -> String {
        let dir = self.clone("writer");
        self.write_post(&dir);
        let hash = self.plan_hash(&dir);
        let key = self.t.path().join("keys/redaction").display().to_string();
        let block = subst(
            &sh_blocks(&self.doc)[1],
            &[(
                "--ssh-key ~/.ssh/id_ed25519",
                format!("--ssh-key {key} --plan-hash {hash}"),
            )],
        );
        self.person(&dir, "redaction", &block);
        assert_clean(&self.t, &dir);
        hash
    }

    fn approver(&self, hash: &str) {
        let dir = self.clone("approver");
        let key = self.t.path().join("keys/sg").display().to_string();
        let block = subst(
            &sh_blocks(&self.doc)[2],
            &[(
                "--ssh-key ~/.ssh/id_ed25519",
                format!("--ssh-key {key} --plan-hash {hash}"),
            )],
        );
        self.person(&dir, "sg", &block);
        assert_clean(&self.t, &dir);
    }

    /// What the merge button does: the branch merged into main.
    fn merge(&self) {
        let dir = self.clone("merge");
        self.person(
            &dir,
            "maintainer",
            "git fetch -q origin expo && git merge -q --no-ff -m 'Merge expo' origin/expo && git push -q",
        );
    }

    /// A fresh checkout of `branch`, as a runner's checkout step makes, and the runner's home.
    fn runner(&self, name: &str, branch: &str) -> (PathBuf, PathBuf) {
        let dir = self.clone(name);
        if branch != "main" {
            self.person(&dir, "runner", &format!("git switch -q {branch}"));
        }
        let home = self.t.path().join(format!("{name}-home"));
        std::fs::create_dir_all(&home).expect("the runner's home");
        (dir, home)
    }

    fn remote_log(&self) -> String {
        let out = self
            .t
            .command("git")
            .arg("--git-dir")
            .arg(&self.bare)
            .args(["show", "main:state/audit.jsonl"])
            .output()
            .expect("git show");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// POSTGATE_VERSION as the CI file pins it.
fn version(example: &str) -> String {
    let yaml = load(&repo_file(example));
    let vars = if yaml["env"].is_badvalue() {
        &yaml["variables"]
    } else {
        &yaml["env"]
    };
    vars["POSTGATE_VERSION"].as_str().expect("POSTGATE_VERSION").to_string()
}

/// The release files `scripts/release.sh` makes, holding `binary`: the tarball
/// `postgate-VERSION-x86_64-linux-static.tar.gz` (with `postgate-VERSION/postgate`) and
/// SHA256SUMS. Returns their folder as a `file://` URL and the tarball's SHA-256.
fn release(t: &Test, version: &str, binary: &Path) -> (String, String) {
    let dir = t.path().join("release");
    let inner = dir.join(format!("postgate-{version}"));
    std::fs::create_dir_all(&inner).expect("release folder");
    std::fs::copy(binary, inner.join("postgate")).expect("copy the binary");
    let tarball = format!("postgate-{version}-x86_64-linux-static.tar.gz");
    // The debug binary is large: the fastest gzip keeps the test short on a shared machine.
    let out = t
        .command("bash")
        .current_dir(&dir)
        .args([
            "-e",
            "-o",
            "pipefail",
            "-c",
            &format!("tar -cf - postgate-{version} | gzip -1 > {tarball}"),
        ])
        .output()
        .expect("run tar");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_dir_all(&inner).expect("remove the unpacked copy");
    let sha = hex::encode(sha2::Sha256::digest(
        std::fs::read(dir.join(&tarball)).expect("read the tarball"),
    ));
    std::fs::write(dir.join("SHA256SUMS"), format!("{sha}  {tarball}\n")).expect("write SHA256SUMS");
    (format!("file://{}", dir.display()), sha)
}

fn load(text: &str) -> Yaml {
    YamlLoader::load_from_str(text).expect("valid YAML").remove(0)
}

/// Runs a script with bash as CI runners do (`-e -o pipefail`); the exit code and all output.
fn bash(t: &Test, dir: &Path, script: &str, env: &[(&str, String)]) -> (i32, String) {
    let mut cmd = t.command("bash");
    cmd.current_dir(dir).args(["-e", "-o", "pipefail", "-c", script]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run bash");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), log)
}

/// The test's PATH without any folder that holds a `postgate`: a job finds postgate only
/// where its install step put it.
fn path_without_postgate() -> String {
    std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .filter(|d| !d.is_empty() && !Path::new(d).join("postgate").exists())
        .collect::<Vec<_>>()
        .join(":")
}

fn assert_clean(t: &Test, dir: &Path) {
    let out = t
        .command("git")
        .current_dir(dir)
        .args(["status", "--porcelain", "--untracked-files=all"])
        .output()
        .expect("git status");
    let status = String::from_utf8_lossy(&out.stdout);
    assert!(status.is_empty(), "{} is not clean:\n{status}", dir.display());
}

/// What a job did: the first failed step's exit code (0: none failed) and its log.
struct Job {
    code: i32,
    log: String,
}

/// Runs a GitHub Actions job's `run:` steps in `dir` as a runner does: `uses:` steps are
/// GitHub's own (the test made the checkout), a failed step skips the rest but `if: always()`,
/// the workflow's and the step's `env` apply, and what a step appends to $GITHUB_PATH comes
/// first on PATH in the steps after it. PATH starts without any postgate: the install step
/// must put one there.
fn github_job(w: &World, workflow: &Yaml, job: &str, dir: &Path, home: &Path) -> Job {
    let expr = |text: &str| {
        text.replace("${{ secrets.CULTURE_GOUV_TOKEN }}", &w.user.token)
            .replace("${{ github.run_id }}", "4242")
    };
    let temp = home.join("runner-temp");
    std::fs::create_dir_all(&temp).expect("RUNNER_TEMP");
    let github_path = home.join("github-path");
    std::fs::write(&github_path, "").expect("GITHUB_PATH");
    let vars = |y: &Yaml| -> Vec<(String, String)> {
        y.as_hash()
            .map(|h| {
                h.iter()
                    .filter_map(|(k, v)| Some((k.as_str()?.to_string(), expr(v.as_str()?))))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (mut code, mut log) = (0, String::new());
    for step in workflow["jobs"][job]["steps"].as_vec().expect("steps") {
        if step["uses"].as_str().is_some() || (code != 0 && step["if"].as_str() != Some("always()")) {
            continue;
        }
        let added: Vec<String> = std::fs::read_to_string(&github_path)
            .unwrap_or_default()
            .lines()
            .rev()
            .map(str::to_string)
            .collect();
        let path = added
            .into_iter()
            .chain(std::iter::once(path_without_postgate()))
            .collect::<Vec<_>>()
            .join(":");
        let mut env: Vec<(String, String)> = vars(&workflow["env"]);
        env.extend(vars(&step["env"]));
        env.extend([
            ("PATH".to_string(), path),
            ("HOME".to_string(), home.display().to_string()),
            ("RUNNER_TEMP".to_string(), temp.display().to_string()),
            ("GITHUB_PATH".to_string(), github_path.display().to_string()),
        ]);
        let env: Vec<(&str, String)> = env.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let script = expr(step["run"].as_str().expect("a run step"));
        let (status, out) = bash(&w.t, dir, &script, &env);
        log.push_str(&out);
        if code == 0 {
            code = status;
        }
    }
    Job { code, log }
}

/// Runs a GitLab job as a runner does: the default `before_script` (the install) and `script`
/// in one shell, stopping at the first failure; `after_script` in a new shell anyway; the
/// file's `variables` and the predefined ones given.
fn gitlab_job(w: &World, ci: &Yaml, job: &str, dir: &Path, home: &Path) -> Job {
    let lines = |y: &Yaml| -> String {
        y.as_vec()
            .map(|v| v.iter().filter_map(|l| l.as_str()).collect::<Vec<_>>().join("\n"))
            .unwrap_or_default()
    };
    let mut env: Vec<(&str, String)> = ci["variables"]
        .as_hash()
        .map(|h| {
            h.iter()
                .filter_map(|(k, v)| Some((k.as_str()?, v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    env.extend([
        ("PATH", path_without_postgate()),
        ("HOME", home.display().to_string()),
        ("CI_PIPELINE_ID", "77".to_string()),
        ("CI_COMMIT_REF_NAME", "main".to_string()),
        ("POSTGATE_PUSH_URL", w.bare.display().to_string()),
        ("POSTGATE_SECRET_CULTURE_GOUV", w.user.token.clone()),
    ]);
    let script = format!(
        "{}\n{}",
        lines(&ci["default"]["before_script"]),
        lines(&ci[job]["script"])
    );
    let (code, mut log) = bash(&w.t, dir, &script, &env);
    let after = lines(&ci[job]["after_script"]);
    if !after.is_empty() {
        let (_, out) = bash(&w.t, dir, &after, &env);
        log.push_str(&out);
    }
    Job { code, log }
}

/// The whole guide on one CI system: set up, a post written, red until approved, merged,
/// published once, then nothing on the next run.
fn follow_the_guide(
    ci_file: &str,
    example: &str,
    name: &str,
    run: fn(&World, &Yaml, &str, &Path, &Path) -> Job,
    (check, publish): (&str, &str),
) {
    let w = World::new(ci_file, example, name);
    let ci = load(&w.ci_text(example));
    let hash = w.writer();

    // The pull request before the approver has signed: red, naming who has to sign.
    let (pr, home) = w.runner("pr1", "expo");
    let job = run(&w, &ci, check, &pr, &home);
    assert_eq!(job.code, code::PLAN_REFUSED, "{}", job.log);
    assert!(
        job.log.contains(&format!(
            "{ITEM}:1:1 approve approvals needs a signature from `sg` (`postgate approve {ITEM}`)"
        )),
        "{}",
        job.log
    );
    assert!(
        job.log.contains("not ready to merge: 1 item(s) await approval"),
        "{}",
        job.log
    );
    assert!(
        home.join(".local/bin/postgate").is_file(),
        "the install step put no postgate in place"
    );
    assert_clean(&w.t, &pr);

    w.approver(&hash);
    let (pr, home) = w.runner("pr2", "expo");
    let job = run(&w, &ci, check, &pr, &home);
    assert_eq!(job.code, 0, "{}", job.log);
    assert!(
        job.log.contains(&format!("{ITEM}:1:1 ok approvals approved by sg")),
        "{}",
        job.log
    );
    assert!(job.log.contains("checked 1 item(s): 1 ready"), "{}", job.log);
    assert_clean(&w.t, &pr);
    w.merge();

    let (runner, home) = w.runner("runner1", "main");
    let job = run(&w, &ci, publish, &runner, &home);
    assert_eq!(job.code, 0, "{}", job.log);
    assert!(
        job.log.contains("approved by sg"),
        "the banner does not name the approver:\n{}",
        job.log
    );
    let statuses = mastodon_statuses(&w.user);
    assert_eq!(statuses.len(), 1, "{statuses:#?}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(runner.join("publish.json")).expect("publish.json"))
            .expect("publish.json is JSON");
    assert_eq!(summary["summary"]["published"], 1, "{summary}");
    let pushed = w.remote_log();
    assert_eq!(pushed.matches("\"status\":\"published\"").count(), 1, "{pushed}");
    assert!(pushed.contains("\"credential_source\":\"environment\""), "{pushed}");
    assert!(!pushed.contains(&w.user.token), "the secret reached the log");
    assert!(!job.log.contains(&w.user.token), "the secret reached the job's log");
    assert_clean(&w.t, &runner);

    // The next scheduled run, on a fresh runner, knows from the committed log.
    let (runner, home) = w.runner("runner2", "main");
    let job = run(&w, &ci, publish, &runner, &home);
    assert_eq!(job.code, 0, "{}", job.log);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(runner.join("publish.json")).expect("publish.json"))
            .expect("publish.json is JSON");
    assert_eq!(summary["summary"]["published"], 0, "{summary}");
    assert_eq!(summary["summary"]["already_published"], 1, "{summary}");
    assert_eq!(mastodon_statuses(&w.user).len(), 1);
    assert_clean(&w.t, &runner);
}

#[test]
fn the_guide_on_github_actions_is_red_until_approved_then_publishes_once() {
    follow_the_guide(
        ".github/workflows/posts.yml",
        "docs/examples/github-actions.yml",
        "cigh",
        github_job,
        ("check", "publish"),
    );
}

#[test]
fn the_guide_on_gitlab_is_red_until_approved_then_publishes_once() {
    follow_the_guide(
        ".gitlab-ci.yml",
        "docs/examples/gitlab-ci.yml",
        "cigl",
        gitlab_job,
        ("check-posts", "publish-posts"),
    );
}

/// The install step refuses a tarball that is not the pinned one, and nothing is installed.
#[test]
fn the_install_step_refuses_a_tarball_other_than_the_pinned_one() {
    let t = Test::new();
    let version = version("docs/examples/github-actions.yml");
    // Refused before it is unpacked, so any file stands in for the binary.
    let stand_in = t.write("stand-in", "#!/bin/sh\n");
    let (url, _) = release(&t, &version, &stand_in);
    let workflow = load(&repo_file("docs/examples/github-actions.yml"));
    let step = workflow["jobs"]["publish"]["steps"]
        .as_vec()
        .expect("steps")
        .iter()
        .find(|s| s["name"].as_str() == Some("Install postgate"))
        .expect("the install step");
    let home = t.path().join("home");
    std::fs::create_dir_all(home.join("tmp")).expect("RUNNER_TEMP");
    let env = [
        ("POSTGATE_VERSION", version),
        ("POSTGATE_SHA256", "0".repeat(64)),
        ("POSTGATE_RELEASE_URL", url),
        ("HOME", home.display().to_string()),
        ("RUNNER_TEMP", home.join("tmp").display().to_string()),
        ("GITHUB_PATH", home.join("github-path").display().to_string()),
    ];
    let (status, log) = bash(&t, t.path(), step["run"].as_str().expect("run"), &env);
    assert_ne!(status, 0, "{log}");
    assert!(log.contains("FAILED"), "{log}");
    assert!(!home.join(".local/bin/postgate").exists(), "{log}");
}
