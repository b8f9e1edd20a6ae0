//! The queue: `queue check` for pull requests, `queue publish --due` for the schedule, and
//! exactly once across re-runs, concurrent runners and a crash.

use crate::support;
use support::{BIN, Test, code, policy};

const POLICY: &str = concat!(
    support::policy::audit_and_demo!(),
    r#"
[[rules]]
id = "consentement"
kind = "mentions"
level = "approve"
on = ["mentions"]

[[rules]]
id = "reserve"
kind = "terms"
level = "deny"
terms = ["votez pour"]

[[approvers]]
name = "sg"
key = "{sg}"
roles = ["secretaire-generale"]
email = "sg@culture.example"

[[authors]]
name = "redaction"
key = "{redaction}"
"#
);

fn setup() -> Test {
    let t = Test::new();
    let sg = t.ssh_key("sg");
    let redaction = t.ssh_key("redaction");
    t.policy(&POLICY.replace("{sg}", &sg).replace("{redaction}", &redaction))
}

/// Signs a queue item as its author `redaction` (`queue/NAME.author.sig`), as the writer does
/// before opening the pull request.
fn author_sign(t: &Test, name: &str) {
    t.cmd([
        "sign",
        &format!("queue/{name}"),
        "--ssh-key",
        "keys/redaction",
        "--plan-hash",
        &hash_of(t, name),
    ])
    .stdout(&format!("queue/{name}.author.sig\n"))
    .run();
}

/// Writes `queue/NAME`. A queue item needs `publish_at` or `expires`; one given neither here
/// gets `expires` a week from now (written in the file, so it is part of what is signed).
fn item(t: &Test, name: &str, front: &str, text: &str) {
    let front = if front.contains("publish_at") || front.contains("expires") {
        front.to_string()
    } else {
        format!("expires = {}\n{front}", from_now(7 * 24))
    };
    t.write(
        &format!("queue/{name}"),
        &format!("+++\naccount = \"demo\"\nauthor = \"redaction@culture.example\"\n{front}+++\n{text}\n"),
    );
}

/// Now plus `hours` (negative: ago), to the second, as front matter writes it.
fn from_now(hours: i64) -> String {
    (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(hours))
        .round(jiff::Unit::Second)
        .unwrap()
        .to_string()
}

/// Signs a queue item as `sg`, the way an approver does on the pull request, after its author
/// signed it (if they had not yet).
fn approve(t: &Test, name: &str) {
    if !t.path().join(format!("queue/{name}.author.sig")).exists() {
        author_sign(t, name);
    }
    t.cmd([
        "approve",
        &format!("queue/{name}"),
        "--ssh-key",
        "keys/sg",
        "--plan-hash",
        &hash_of(t, name),
    ])
    .run();
}

/// The item's plan_hash, as `queue check --json` reports it.
fn hash_of(t: &Test, name: &str) -> String {
    let out = t.cmd(["--json", "queue", "check", "queue"]).status_any().run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["file"] == format!("queue/{name}"))
        .unwrap()["plan_hash"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A time a month from now: not due yet, and within the year a window may open in.
fn in_a_month() -> String {
    (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(30 * 24))
        .round(jiff::Unit::Second)
        .unwrap()
        .to_string()
}

/// Three due items (one needing approval, approved), one for later, one expired.
fn ready_queue(t: &Test) {
    item(
        t,
        "01-bienvenue.md",
        &format!("publish_at = {}\n", from_now(-48)),
        "Bienvenue sur notre compte.",
    );
    item(
        t,
        "02-visite.md",
        &format!("publish_at = {}\n", from_now(-24)),
        "Merci @jeanne pour sa visite.",
    );
    item(t, "03-agenda.md", "", "Conseil municipal jeudi à 18 h.");
    item(
        t,
        "04-demain.md",
        &format!("publish_at = {}\n", in_a_month()),
        "Plus tard.",
    );
    item(
        t,
        "05-perime.md",
        "publish_at = 2020-01-01T08:00:00Z\nexpires = 2020-01-02T08:00:00Z\n",
        "Trop tard.",
    );
    approve(t, "02-visite.md");
}

fn publish<'a>(t: &'a Test) -> support::Cmd<'a> {
    t.cmd([
        "queue",
        "publish",
        "queue",
        "--due",
        "--confirm-handle",
        "@mairie_demo_{uid}",
    ])
}

#[test]
fn queue_check_lints_every_item_and_its_approvals() {
    let t = setup();
    ready_queue(&t);
    item(&t, "06-attente.md", "", "Bravo @paul !");
    item(&t, "07-reserve.md", "", "Votez pour nous.");
    t.cmd(["queue", "check", "queue"])
        .status(code::CONTENT)
        .stdout(
            "queue/02-visite.md:6:7 approve consentement @jeanne names a person: get their consent before publishing\n\
             queue/02-visite.md:1:1 ok approvals approved by sg\n\
             queue/05-perime.md:1:1 expired window expired at 2020-01-02T08:00:00Z; it will never be published\n\
             queue/06-attente.md:6:7 approve consentement @paul names a person: get their consent before publishing\n\
             queue/06-attente.md:1:1 approve approvals needs its author's signature (queue/06-attente.md.author.sig, \
             made by `postgate sign queue/06-attente.md`), so self-approval can be ruled out\n\
             queue/06-attente.md:1:1 approve approvals needs 1 approval(s) from any approver (rule consentement is at level approve) (has 0)\n\
             queue/06-attente.md:1:1 approve approvals needs a signature from `sg` (`postgate approve queue/06-attente.md`)\n\
             queue/07-reserve.md:6:1 deny reserve \"Votez pour\" is on the list\n",
        )
        .stderr("checked 7 item(s): 4 ready, 1 refused (deny), 1 awaiting approval, 0 with a bad signature, 1 expired\n")
        .run();
}

#[test]
fn a_pull_request_can_require_every_item_approved() {
    let t = setup();
    item(&t, "a.md", "", "Bravo @paul !");
    t.cmd(["queue", "check", "queue"]).run();
    t.cmd(["queue", "check", "queue", "--require-approved"])
        .status(code::PLAN_REFUSED)
        .stdout_has("queue/a.md:1:1 approve approvals needs a signature from `sg` (`postgate approve queue/a.md`)")
        .stderr_has("not ready to merge: 1 item(s) await approval")
        .run();
    // Once its author has signed, the one who may approve is still named; the author is not.
    author_sign(&t, "a.md");
    t.cmd(["queue", "check", "queue", "--require-approved"])
        .status(code::PLAN_REFUSED)
        .stdout_has("needs a signature from `sg`")
        .run();
    approve(&t, "a.md");
    let out = t
        .cmd(["queue", "check", "queue", "--require-approved"])
        .stdout_has("queue/a.md:1:1 ok approvals approved by sg")
        .run();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("not ready to merge"));
}

#[test]
fn an_item_edited_after_approval_fails_the_check_and_is_not_published() {
    let t = setup();
    item(&t, "a.md", "", "Merci @jeanne pour sa visite.");
    approve(&t, "a.md");
    item(&t, "a.md", "", "Merci @jeanne pour sa visitE.");
    t.cmd(["queue", "check", "queue"])
        .status(code::PLAN_REFUSED)
        .stdout_has("queue/a.md:1:1 error signature queue/a.md.author.sig by `redaction` does not sign this plan")
        .run();
    // The author signs the new text; the approval still signs the old one.
    author_sign(&t, "a.md");
    t.cmd(["queue", "check", "queue"])
        .status(code::PLAN_REFUSED)
        .stdout_has("queue/a.md:1:1 error signature queue/a.md.sg.sig by approver `sg` does not sign this plan")
        .run();
    publish(&t)
        .status(code::PLAN_REFUSED)
        .stderr_has("failed queue/a.md: ")
        .run();
    assert!(t.outbox("outbox").is_empty());
}

#[test]
fn publishing_twice_publishes_each_item_once() {
    let t = setup();
    ready_queue(&t);
    let first = publish(&t)
        .stderr_has("queue queue: 3 published, 0 already published, 1 not due, 1 expired, 0 failed")
        .stderr_has("expired queue/05-perime.md: expired at 2020-01-02T08:00:00Z; never published")
        .run();
    let stdout = String::from_utf8(first.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    // Oldest publish_at first; an item without one counts as due since ever.
    assert!(lines[0].starts_with("queue/03-agenda.md\tpublished\t"), "{stdout}");
    assert!(lines[1].starts_with("queue/01-bienvenue.md\tpublished\t"), "{stdout}");
    assert!(lines[2].starts_with("queue/02-visite.md\tpublished\t"), "{stdout}");
    assert_eq!(t.outbox("outbox").len(), 3);

    publish(&t)
        .stderr_has("queue queue: 0 published, 3 already published, 1 not due, 1 expired, 0 failed")
        .run();
    assert_eq!(t.outbox("outbox").len(), 3);
    let published = t
        .audit()
        .iter()
        .filter(|r| r["outcome"]["status"] == "published")
        .count();
    assert_eq!(published, 3);
}

#[test]
fn an_unapproved_item_fails_the_run_but_not_the_others() {
    let t = setup();
    item(&t, "a.md", "", "Bonjour.");
    item(&t, "b.md", "", "Bravo @paul !");
    author_sign(&t, "b.md");
    let out = publish(&t)
        .status(code::PLAN_REFUSED)
        .stderr_has("queue queue: 1 published, 0 already published, 0 not due, 0 expired, 1 failed")
        .stderr_has("failed queue/b.md: the plan is not approved as the policy requires")
        .run();
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("queue/a.md\tpublished\t")
    );
    assert_eq!(t.outbox("outbox").len(), 1);
}

#[test]
fn json_summarises_the_run() {
    let t = setup();
    ready_queue(&t);
    let out = t
        .cmd([
            "--json",
            "queue",
            "publish",
            "queue",
            "--due",
            "--confirm-handle",
            "@mairie_demo_{uid}",
        ])
        .run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["summary"],
        serde_json::json!({ "published": 3, "already_published": 0, "dry_run": 0, "not_due": 1, "expired": 1, "failed": 0 })
    );
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    let expired = items.iter().find(|i| i["file"] == "queue/05-perime.md").unwrap();
    assert_eq!(expired["status"], "expired");
}

#[test]
fn without_a_terminal_the_handle_must_be_stated() {
    let t = setup();
    item(&t, "a.md", "", "Bonjour.");
    t.cmd(["queue", "publish", "queue", "--due"])
        .status(code::NOT_CONFIRMED)
        .stderr_has("failed queue/a.md: ")
        .run();
    t.cmd([
        "queue",
        "publish",
        "queue",
        "--due",
        "--confirm-handle",
        "@someone_else",
    ])
    .status(code::NOT_CONFIRMED)
    .run();
    assert!(t.outbox("outbox").is_empty());
}

#[test]
fn eight_runners_started_together_publish_each_item_once() {
    let t = setup();
    for i in 0..6 {
        item(&t, &format!("{i:02}.md"), "", &format!("Annonce numéro {i}."));
    }
    let children: Vec<_> = (0..8)
        .map(|_| {
            let mut cmd = t.command(BIN);
            cmd.args(["queue", "publish", "queue", "--due", "--confirm-handle"])
                .arg(t.fill("@mairie_demo_{uid}"))
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            cmd.spawn().expect("spawn a runner")
        })
        .collect();
    let mut published = 0;
    for child in children {
        let out = child.wait_with_output().expect("runner output");
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        published += String::from_utf8(out.stdout).unwrap().matches("\tpublished\t").count();
    }
    assert_eq!(published, 6, "each item published by exactly one runner");
    assert_eq!(t.outbox("outbox").len(), 6);
    let audit = t.audit();
    let mut hashes: Vec<&str> = audit
        .iter()
        .filter(|r| r["outcome"]["status"] == "published")
        .map(|r| r["plan_hash"].as_str().unwrap())
        .collect();
    assert_eq!(hashes.len(), 6);
    hashes.sort_unstable();
    hashes.dedup();
    assert_eq!(hashes.len(), 6);
    t.cmd(["log", "verify"]).run();
}

#[test]
fn a_crash_between_publish_and_record_does_not_duplicate() {
    let t = setup();
    item(&t, "a.md", "", "Premier.");
    item(&t, "b.md", "", "Second.");
    publish(&t)
        .env("POSTGATE_FAULT", "kill-after-publish")
        .status_signal()
        .run();
    // The first item reached the outbox; its outcome was never recorded.
    assert_eq!(t.outbox("outbox").len(), 1);
    assert_eq!(t.audit().last().unwrap()["event"], "intent");

    let out = publish(&t)
        .stderr_has("queue queue: 2 published, 0 already published, 0 not due, 0 expired, 0 failed")
        .run();
    assert_eq!(t.outbox("outbox").len(), 2, "{}", String::from_utf8_lossy(&out.stdout));
    let outcomes: Vec<_> = t
        .audit()
        .into_iter()
        .filter(|r| r["outcome"]["status"] == "published")
        .collect();
    assert_eq!(outcomes.len(), 2);
    assert_ne!(outcomes[0]["outcome"]["id"], outcomes[1]["outcome"]["id"]);
    publish(&t).stderr_has("0 published, 2 already published").run();
    assert_eq!(t.outbox("outbox").len(), 2);
}

#[test]
fn queue_items_name_their_account_and_author() {
    let t = setup();
    t.write("queue/sans-compte.md", "+++\nauthor = \"a@b.fr\"\n+++\nBonjour\n");
    t.write(
        "queue/anonyme.md",
        &format!(
            "+++\naccount = \"demo\"\nexpires = {}\n+++\nMerci @jeanne\n",
            from_now(24)
        ),
    );
    t.cmd(["queue", "check", "queue"])
        .status(code::USAGE)
        .stdout_has(
            "queue/anonyme.md:1:1 approve approvals needs its author's signature (queue/anonyme.md.author.sig, made by \
             `postgate sign queue/anonyme.md`), so self-approval can be ruled out",
        )
        .stderr_has("queue/sans-compte.md:1:1 error no account: pass --account NAME, or set `account` in the draft's +++ front matter")
        .run();
}

#[test]
fn at_a_terminal_each_item_shows_its_banner_and_asks_for_the_handle() {
    let t = setup();
    item(&t, "a.md", "", "Premier.");
    item(&t, "b.md", "", "Second.");
    let mut tty = t.cmd(["queue", "publish", "queue", "--due"]).env("NO_COLOR", "1").tty();
    tty.expect("Premier.").expect("type its handle to publish (1/3): ");
    tty.line(&t.handle("demo"));
    tty.expect("published queue/a.md → ");
    tty.expect("Second.").expect("type its handle to publish (1/3): ");
    tty.line(&t.handle("demo"));
    tty.expect("published queue/b.md → ");
    assert_eq!(tty.finish(), code::SUCCESS);
    assert!(tty.screen().contains("2 published"), "{}", tty.screen());
    assert_eq!(t.outbox("outbox").len(), 2);
    assert_eq!(t.audit().last().unwrap()["confirmation"], "typed");
}

#[test]
fn a_locked_down_account_publishes_nothing_from_the_queue() {
    let t = setup();
    item(&t, "01-annonce.md", "", "Conseil municipal ce soir.");
    t.cmd(["lockdown", "demo", "--reason", "jeton volé"]).run();
    publish(&t)
        .status(code::LOCKED_DOWN)
        .stderr_has("is locked down since ")
        .stderr_has(": jeton volé")
        .run();
    assert!(t.outbox("outbox").is_empty());
}

#[test]
fn a_queue_item_can_correct_a_published_post() {
    let t = setup();
    let out = t.post("demo", "Réunion à 18 h").run();
    let id = String::from_utf8(out.stdout)
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_string();
    item(
        &t,
        "01-rectificatif.md",
        &format!("corrects = \"{id}\"\n"),
        "Réunion à 19 h",
    );
    publish(&t).stdout_has("queue/01-rectificatif.md\tpublished\t").run();
    let posts = t.outbox("outbox");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["text"], "Réunion à 19 h");
    assert_eq!(posts[0]["edits"][0]["previous_text"], "Réunion à 18 h");
    publish(&t).run();
    assert_eq!(t.outbox("outbox")[0]["edits"].as_array().unwrap().len(), 1);
}

#[test]
fn an_item_that_expires_before_it_is_due_is_an_error_located_at_expires() {
    let t = setup();
    item(
        &t,
        "a.md",
        "publish_at = 2026-12-02T08:00:00Z\nexpires = 2026-12-01T08:00:00Z\n",
        "Jamais.",
    );
    item(&t, "b.md", "publish_at = 9999-01-01T08:00:00Z\n", "Bien trop tard.");
    t.cmd(["queue", "check", "queue"])
        .status(code::USAGE)
        .stderr_has(
            "queue/a.md:5:1 error expires 2026-12-01T08:00:00Z is not after publish_at 2026-12-02T08:00:00Z; \
             the item could never be published",
        )
        .stderr_has("queue/b.md:4:1 error publish_at 9999-01-01T08:00:00Z must lie within 366 days of now")
        .stderr_has("0 ready")
        .run();
    publish(&t)
        .status(code::USAGE)
        .stderr_has("failed queue/a.md: 5:1: expires")
        .run();
    assert!(t.outbox("outbox").is_empty());
}

#[test]
fn an_item_signed_by_its_approver_as_author_is_refused() {
    let t = setup();
    // sg writes the item, claims redaction wrote it, signs it as author and approves it.
    item(&t, "a.md", "", "Merci @jeanne pour sa visite.");
    let hash = hash_of(&t, "a.md");
    t.cmd(["sign", "queue/a.md", "--ssh-key", "keys/sg", "--plan-hash", &hash])
        .run();
    let out = t.cmd(["--json", "queue", "check", "queue"]).run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["items"][0]["author"]["name"], "sg", "{v}");
    assert_eq!(v["items"][0]["author"]["entry"], "[[approvers]]", "{v}");
    t.cmd(["approve", "queue/a.md", "--ssh-key", "keys/sg", "--plan-hash", &hash])
        .status(code::PLAN_REFUSED)
        .stderr_has(
            "error: approver `sg` wrote this plan (its author signature is by `sg` of [[approvers]], key SHA256:",
        )
        .run();
    t.ssh_sign("sg", "postgate", &hash, "queue/a.md.sg.sig");
    t.cmd(["queue", "check", "queue"])
        .status(code::PLAN_REFUSED)
        .stdout_has("queue/a.md:1:1 error signature queue/a.md.sg.sig: approver `sg` wrote this plan (proven by queue/a.md.author.sig")
        .run();
    publish(&t)
        .status(code::PLAN_REFUSED)
        .stderr_has("failed queue/a.md: queue/a.md.sg.sig: approver `sg` wrote this plan")
        .run();
    assert!(t.outbox("outbox").is_empty());
    // Without the author signature, nothing proves who wrote it: refused too.
    std::fs::remove_file(t.path().join("queue/a.md.author.sig")).unwrap();
    publish(&t)
        .status(code::PLAN_REFUSED)
        .stderr_has("failed queue/a.md: queue/a.md carries no author signature")
        .run();
    assert!(t.outbox("outbox").is_empty());
}

/// The secret a CI runner holds in its environment; it must never leave through an image.
const CANARY: &str = "canary-4f1d9a-never-published";

/// Writes one queue item per way an image path can reach a file postgate must not read, and
/// returns `(item, expected located error)`. Each item's `path` value is on line 5, column 8.
fn hostile_images(t: &Test) -> Vec<(&'static str, &'static str)> {
    use std::os::unix::fs::symlink;
    let q = t.path().join("queue");
    std::fs::create_dir_all(&q).unwrap();
    std::fs::create_dir_all(t.path().join("secret")).unwrap();
    std::fs::write(t.path().join("secret/secret.png"), support::PNG).unwrap();
    let outside = t.png("outside.png");
    symlink("/proc/self/environ", q.join("leak.png")).unwrap();
    let fifo = q.join("fifo.png");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    std::fs::create_dir_all(q.join("dir.png")).unwrap();
    std::fs::write(q.join("text.png"), "Ceci n'est pas une image.\n").unwrap();
    // One byte over the largest image any platform takes, with a PNG signature.
    let mut big = support::PNG.to_vec();
    big.resize(16 * 1024 * 1024 + 1, 0);
    std::fs::write(q.join("big.png"), big).unwrap();
    let cases = [
        ("leak.md", "leak.png", "is a symbolic link"),
        ("escape.md", "../secret/secret.png", "goes outside the folder `queue`"),
        ("absolute.md", outside.as_str(), "is an absolute path"),
        ("fifo.md", "fifo.png", "is a FIFO, not a regular file"),
        ("dir.md", "dir.png", "is a folder, not a regular file"),
        ("text.md", "text.png", "is not a PNG image"),
        ("big.md", "big.png", "is 16777217 bytes; outbox takes at most 16777216"),
    ];
    for (name, path, _) in &cases {
        item(
            t,
            name,
            &format!("[[images]]\npath = \"{path}\"\nalt = \"Une image\"\n"),
            "Voici l'image.",
        );
    }
    cases.into_iter().map(|(name, _, why)| (name, why)).collect()
}

#[test]
fn queue_check_refuses_every_image_it_must_not_read_at_its_path() {
    let t = setup();
    let cases = hostile_images(&t);
    let out = t
        .cmd(["queue", "check", "queue"])
        .env("POSTGATE_SECRET_DEMO", CANARY)
        .status(code::USAGE)
        .stderr_has("checked 7 item(s): 0 ready")
        .run();
    let stderr = String::from_utf8(out.stderr).unwrap();
    for (name, why) in cases {
        let line = stderr
            .lines()
            .find(|l| l.starts_with(&format!("queue/{name}:")))
            .unwrap_or_else(|| panic!("no error for {name} in:\n{stderr}"));
        assert!(line.starts_with(&format!("queue/{name}:6:8 error image ")), "{line}");
        assert!(line.contains(why), "{name}: {line}");
    }
    assert!(!stderr.contains(CANARY) && !String::from_utf8_lossy(&out.stdout).contains(CANARY));
}

#[test]
fn queue_publish_uploads_none_of_those_images() {
    let t = setup();
    let cases = hostile_images(&t);
    let out = publish(&t)
        .env("POSTGATE_SECRET_DEMO", CANARY)
        .status(code::USAGE)
        .stderr_has("queue queue: 0 published, 0 already published, 0 not due, 0 expired, 7 failed")
        .run();
    let stderr = String::from_utf8(out.stderr).unwrap();
    for (name, why) in cases {
        assert!(
            stderr.contains(&format!("failed queue/{name}: 6:8: image ")),
            "{name}:\n{stderr}"
        );
        assert!(stderr.contains(why), "{name}: {why}\n{stderr}");
    }
    assert!(t.outbox("outbox").is_empty());
    // The FIFO would block a reader; nothing else under the test folder may hold the secret.
    std::fs::remove_file(t.path().join("queue/fifo.png")).unwrap();
    std::fs::remove_file(t.path().join("queue/leak.png")).unwrap();
    for (path, bytes) in t.all_files_bytes() {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(CANARY),
            "{} holds the secret",
            path.display()
        );
    }
    assert!(!stderr.contains(CANARY) && !String::from_utf8_lossy(&out.stdout).contains(CANARY));
}

#[test]
fn queue_publish_to_mastodon_never_uploads_a_linked_secret() {
    // Its fault rule would catch other tests' uploads on the shared server.
    let faults = support::mastodon_faults();
    let t = Test::new();
    let user = faults.user(&format!("queue_{}", t.uid));
    let t = t.policy(&policy::with_audit(&[&(policy::mastodon(
        "masto",
        &user.handle,
        user.url,
    ) + policy::FROM_ENV)]));
    std::fs::create_dir_all(t.path().join("queue")).unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", t.path().join("queue/leak.png")).unwrap();
    t.write(
        "queue/leak.md",
        "+++\naccount = \"masto\"\n[[images]]\npath = \"leak.png\"\nalt = \"Affiche\"\n+++\nL'affiche\n",
    );
    // Any upload would spend this rule's budget: it must be whole after the run.
    let rule = faults.fault_regex("POST", "^/api/v[12]/media$", 1000);
    let out = t
        .cmd(["queue", "publish", "queue", "--due", "--confirm-handle", &user.handle])
        .env("POSTGATE_SECRET_MASTO", &user.token)
        .env("POSTGATE_SECRET_CANARY", CANARY)
        .status(code::USAGE)
        .stderr_has("failed queue/leak.md: 4:8: image `leak.png` is a symbolic link")
        .run();
    let said = [
        out.stdout,
        out.stderr,
        std::fs::read(t.audit_path()).unwrap_or_default(),
    ]
    .concat();
    assert!(!String::from_utf8_lossy(&said).contains(CANARY));
    assert_eq!(faults.remaining(&rule), Some(1000));
    faults.remove(&rule);
    assert!(support::mastodon_statuses(&user).is_empty());
}

#[test]
fn the_queue_walk_follows_no_link_and_names_each() {
    let t = setup();
    item(&t, "a.md", "", "Bonjour.");
    let q = t.path().join("queue");
    std::os::unix::fs::symlink("/", q.join("root")).unwrap();
    std::os::unix::fs::symlink(".", q.join("sub")).unwrap();
    std::os::unix::fs::symlink("a.md", q.join("b.md")).unwrap();
    fn warned(cmd: support::Cmd<'_>) -> support::Cmd<'_> {
        cmd.stderr_has("queue/b.md: warning: a symbolic link, not followed")
            .stderr_has("queue/root: warning: a symbolic link, not followed")
            .stderr_has("queue/sub: warning: a symbolic link, not followed")
    }
    warned(t.cmd(["queue", "check", "queue"]))
        .stderr_has("checked 1 item(s): 1 ready, 0 refused (deny), 0 awaiting approval, 0 with a bad signature, 0 expired, 3 skipped (links or not regular files)\n")
        .run();
    // The gate before merging: the folder must hold exactly what will be published.
    warned(t.cmd(["queue", "check", "queue", "--require-approved"]))
        .status(code::USAGE)
        .run();
    let out = warned(publish(&t))
        .status(code::USAGE)
        .stderr_has("queue queue: 1 published, 0 already published, 0 not due, 0 expired, 3 failed")
        .stderr_has("failed queue/root: a symbolic link, not followed")
        .run();
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 1);
    assert_eq!(t.outbox("outbox").len(), 1);
    let out = t.cmd(["--json", "queue", "check", "queue"]).run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["skipped"], 3);
    let skipped: Vec<&str> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["file"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, ["queue/b.md", "queue/root", "queue/sub"]);
    assert_eq!(v["skipped"][0]["reason"], "a symbolic link, not followed");
}

/// An item over the size of a post is read no further than its cap, by `queue check` and by
/// `queue publish` alike, and nothing of it is published.
#[test]
fn an_item_larger_than_a_post_is_refused_by_check_and_publish() {
    let t = setup();
    item(&t, "01-gros.md", "", &"a".repeat(1 << 20));
    t.cmd(["queue", "check", "queue"])
        .status(code::USAGE)
        .stderr_has("queue/01-gros.md:1:1 error cannot read: larger than 1024 KiB, the most postgate reads for a post")
        .run();
    publish(&t)
        .status(code::USAGE)
        .stderr_has("failed queue/01-gros.md: ")
        .stderr_has("larger than 1024 KiB, the most postgate reads for a post")
        .run();
    assert!(t.outbox("outbox").is_empty());
}

/// An item whose `expires` passed while it waited, with no `publish_at`, has simply expired: it
/// is reported as expired, as one with both is, and breaks neither the check nor the run.
#[test]
fn an_item_that_ran_past_its_expiry_is_expired_not_an_error() {
    let t = setup();
    item(&t, "a.md", "expires = 2026-01-01T08:00:00Z\n", "Trop tard.");
    t.cmd(["queue", "check", "queue"])
        .stdout_has("queue/a.md:1:1 expired window expired at 2026-01-01T08:00:00Z; it will never be published")
        .stderr_has("1 expired")
        .run();
    publish(&t).run();
    assert!(t.outbox("outbox").is_empty());
}

/// An item with `publish_at` and no `expires` expires a week after `publish_at`, as a plan
/// does, without changing the hash its signers signed; one with neither end is refused with
/// the fix, since "a week from now" means nothing for a file that waits in git.
#[test]
fn an_item_expires_a_week_after_publish_at_unless_it_says_otherwise() {
    let t = setup();
    let eight_days_ago = from_now(-8 * 24);
    item(
        &t,
        "a.md",
        &format!("publish_at = {eight_days_ago}\n"),
        "Il y a huit jours.",
    );
    let yesterday = from_now(-24);
    item(&t, "b.md", &format!("publish_at = {yesterday}\n"), "Hier.");
    let hash = hash_of(&t, "a.md");
    // What the signer is shown is the window the item will have, not "any time".
    let b_expires = yesterday.parse::<jiff::Timestamp>().unwrap() + jiff::SignedDuration::from_hours(7 * 24);
    t.cmd([
        "sign",
        "queue/b.md",
        "--ssh-key",
        "keys/redaction",
        "--plan-hash",
        &hash_of(&t, "b.md"),
    ])
    .stderr_has(&format!("  expires      {b_expires}\n"))
    .run();
    let out = t.cmd(["--json", "queue", "check", "queue"]).run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let a = &v["items"][0];
    assert_eq!(a["file"], "queue/a.md");
    assert_eq!(a["expired"], true);
    assert_eq!(a["expires_by_default"], true);
    let start: jiff::Timestamp = eight_days_ago.parse().unwrap();
    let expires: jiff::Timestamp = a["expires"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires, start + jiff::SignedDuration::from_hours(7 * 24));
    assert_eq!(v["items"][1]["expired"], false);
    // The default is not in the hash: what was signed before it existed still verifies.
    assert_eq!(a["plan_hash"], hash.as_str());
    publish(&t)
        .stderr_has("queue queue: 1 published, 0 already published, 0 not due, 1 expired, 0 failed")
        .stderr_has(&format!("expired queue/a.md: expired at {expires}; never published"))
        .run();

    t.write("queue/c.md", "+++\naccount = \"demo\"\n+++\nUn jour.\n");
    t.cmd(["queue", "check", "queue"])
        .status(code::USAGE)
        .stderr_has(
            "queue/c.md:1:1 error a queue item needs `expires` or `publish_at` in its +++ front matter: without \
             either it would wait in the queue for ever; add for instance `expires = ",
        )
        .run();
    publish(&t)
        .status(code::USAGE)
        .stderr_has("failed queue/c.md: 1:1: a queue item needs `expires` or `publish_at`")
        .run();
    // The writer learns it when signing, before any pull request.
    t.cmd(["sign", "queue/c.md", "--ssh-key", "keys/redaction"])
        .status(code::USAGE)
        .stderr_has("queue/c.md:1:1: a queue item needs `expires` or `publish_at`")
        .run();
}

/// `--dry-run` goes through everything but the publish for each due item, records a
/// `dry-run` per item, and leaves exactly-once alone: the real run afterwards publishes all.
#[test]
fn a_dry_run_publishes_nothing_and_the_real_run_still_publishes() {
    let t = setup();
    ready_queue(&t);
    let out = t
        .cmd([
            "--json",
            "queue",
            "publish",
            "queue",
            "--due",
            "--dry-run",
            "--confirm-handle",
            "@mairie_demo_{uid}",
        ])
        .stderr_has("DRY RUN: nothing will be published")
        .stderr_has("queue queue (dry run: 3 would be published, nothing was sent): 0 published")
        .run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["summary"],
        serde_json::json!({ "published": 0, "already_published": 0, "dry_run": 3, "not_due": 1, "expired": 1, "failed": 0 })
    );
    // Who approved is in the JSON too, as in the audit log: the approved item names `sg`.
    let visite = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["file"] == "queue/02-visite.md")
        .unwrap();
    assert_eq!(visite["status"], "dry-run");
    assert!(
        visite["approvals"][0].as_str().unwrap().starts_with("sg SHA256:"),
        "{visite}"
    );
    let bienvenue = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["file"] == "queue/01-bienvenue.md")
        .unwrap();
    assert_eq!(bienvenue["approvals"], serde_json::json!([]));
    assert!(t.outbox("outbox").is_empty());
    let audit = t.audit();
    let dry: Vec<&serde_json::Value> = audit.iter().filter(|r| r["event"] == "dry-run").collect();
    assert_eq!(dry.len(), 3, "{audit:#?}");
    assert!(
        dry.iter()
            .all(|r| r["plan_hash"].as_str().is_some_and(|h| h.starts_with("sha256:")))
    );
    assert!(
        !t.path().join("queue/.postgate-queue.lock").exists(),
        "a dry run took the queue lock"
    );
    // A dry run still refuses what the real run would refuse: the handle is checked too.
    t.cmd(["queue", "publish", "queue", "--due", "--dry-run"])
        .status(code::NOT_CONFIRMED)
        .run();
    assert!(t.outbox("outbox").is_empty());

    publish(&t)
        .stderr_has("queue queue: 3 published, 0 already published, 1 not due, 1 expired, 0 failed")
        .run();
    assert_eq!(t.outbox("outbox").len(), 3);
}

/// The banner of a queue item that needs approval and has it names the approver, in the words
/// `queue check` uses, instead of counting it as needing approval.
#[test]
fn the_banner_names_who_approved_the_item() {
    let t = setup();
    item(&t, "a.md", "", "Merci @jeanne pour sa visite.");
    approve(&t, "a.md");
    let mut tty = t.cmd(["queue", "publish", "queue", "--due"]).env("NO_COLOR", "1").tty();
    tty.expect("checks  0 refused · approved by sg · 0 warning(s)")
        .expect("type its handle to publish (1/3): ");
    tty.line(&t.handle("demo"));
    tty.expect("published queue/a.md → ");
    assert_eq!(tty.finish(), code::SUCCESS);
    assert!(!tty.screen().contains("need approval"), "{}", tty.screen());
    assert_eq!(t.outbox("outbox").len(), 1);
    let last = t.audit().last().unwrap().clone();
    assert!(
        last["approvals"][0].as_str().unwrap().starts_with("sg SHA256:"),
        "{last}"
    );

    // Without the approval, the banner still counts what is needed, and the run is refused.
    item(&t, "b.md", "", "Bravo @paul !");
    author_sign(&t, "b.md");
    publish(&t)
        .status(code::PLAN_REFUSED)
        .stderr_has("0 refused · 1 need approval · 0 warning(s)")
        .run();
}

/// A queue item's signatures sign its plan hash, which a plan file of the same fields shares.
/// Written as a plan without `expires`, the item must still end a week after `publish_at`, as
/// the queue ends it: a signed item that expired unpublished cannot come back through `apply`.
#[test]
fn an_expired_item_replayed_as_a_plan_without_expires_is_still_expired() {
    let t = setup();
    let start = from_now(-8 * 24);
    item(&t, "vieux.md", &format!("publish_at = {start}\n"), "Merci @jeanne");
    let hash = hash_of(&t, "vieux.md");
    t.cmd(["queue", "publish", "queue", "--due"])
        .stderr_has("expired queue/vieux.md")
        .run();
    t.write(
        "p.plan",
        &format!(
            "format = 1\nplan_hash = \"{hash}\"\n\n[author]\nuser = \"\"\nemail = \"redaction@culture.example\"\n\n\
             [account]\nname = \"demo\"\nhandle = \"{handle}\"\nplatform = \"outbox\"\nhost = \"local\"\nkind = \"official\"\n\n\
             [post]\ntext = \"Merci @jeanne\"\n\n[window]\nnot_before = \"{start}\"\n",
            handle = t.handle("demo"),
        ),
    );
    // The signatures the approver and the author made while the item was due: they sign the
    // hash alone, so they hold for the plan file too.
    t.ssh_sign("sg", "postgate", &hash, "p.plan.sg.sig");
    t.ssh_sign("redaction", "postgate-author", &hash, "p.plan.author.sig");
    t.cmd(["apply", "p.plan", "--confirm-handle", &t.handle("demo")])
        .status(code::PLAN_REFUSED)
        .stderr_has("expired")
        .run();
    assert!(t.outbox("outbox").is_empty(), "nothing is published");
}
