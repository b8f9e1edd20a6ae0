//! Plan, approve, apply: a post reviewed, signed by approvers, then published exactly as
//! signed. Keys are real (ssh-keygen, and the keychain for `keys new`).

use crate::support;
use support::{MastodonUser, Test, code, mastodon_statuses, mastodon_url, mastodon_user};

const POLICY: &str = concat!(
    support::policy::audit_and_demo!(),
    r#"
[[rules]]
id = "consentement"
kind = "mentions"
level = "approve"
kinds = ["official"]
on = ["mentions"]
message = "%s : son consentement est-il recueilli ?"

[[approvers]]
name = "sg"
key = "{sg}"
roles = ["secretaire-generale"]
email = "sg@culture.example"

[[approvers]]
name = "com"
key = "{com}"
roles = ["communication"]
email = "com@culture.example"

[[approvals.require]]
accounts = ["demo"]
replies = true
roles = ["secretaire-generale"]

[[authors]]
name = "redaction"
key = "{redaction}"
"#
);

/// A test with two SSH approvers (sg, com) and the author `redaction@culture.example`, whose
/// key `keys/redaction` is in `[[authors]]`.
fn setup() -> Test {
    setup_with("")
}

fn setup_with(extra: &str) -> Test {
    let t = Test::new().git_email("redaction@culture.example");
    let sg = t.ssh_key("sg");
    let com = t.ssh_key("com");
    let redaction = t.ssh_key("redaction");
    let policy = POLICY
        .replace("{sg}", &sg)
        .replace("{com}", &com)
        .replace("{redaction}", &redaction)
        + extra;
    t.policy(&policy)
}

/// Writes `name.plan` for the demo account, signed by its author `redaction`, and returns its
/// plan_hash.
fn plan(t: &Test, name: &str, args: &[&str]) -> String {
    let mut all = vec!["plan", "-a", "demo", "-o", name, "--ssh-key", "keys/redaction"];
    all.extend_from_slice(args);
    let out = t.cmd(all).run();
    let hash = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(hash.starts_with("sha256:") && hash.len() == 71, "{hash}");
    hash
}

fn apply<'a>(t: &'a Test, plan: &str) -> support::Cmd<'a> {
    t.cmd(["apply", plan, "--confirm-handle", "@mairie_demo_{uid}"])
}

#[test]
fn a_plan_is_refused_until_approved_then_published_once() {
    let t = setup();
    let hash = plan(&t, "visite.plan", &["Merci @jeanne pour sa visite"]);
    let text = t.read("visite.plan");
    assert!(text.contains("text = \"Merci @jeanne pour sa visite\""), "{text}");
    assert!(text.contains("email = \"redaction@culture.example\""), "{text}");
    assert!(text.contains(&format!("plan_hash = \"{hash}\"")), "{text}");
    assert!(text.contains("rule = \"consentement\""), "{text}");

    apply(&t, "visite.plan")
        .status(code::PLAN_REFUSED)
        .stderr_has(
            "error: the plan is not approved as the policy requires: 1 approval(s) from any approver \
             (rule consentement is at level approve) (has 0)",
        )
        .stderr_has("hint: nothing was published; an approver signs with `postgate approve visite.plan`")
        .run();
    assert!(t.outbox("outbox").is_empty());

    t.cmd(["approve", "visite.plan", "--ssh-key", "keys/sg", "--plan-hash", &hash])
        .stdout("visite.plan.sg.sig\n")
        .stderr_has(&format!("approved {hash} as `sg`"))
        .run();
    // The banner says who approved, instead of counting the approval as still needed.
    let out = apply(&t, "visite.plan")
        .stderr_has("0 refused · approved by sg · 0 warning(s)")
        .run();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("need approval"));
    let posts = t.outbox("outbox");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["text"], "Merci @jeanne pour sa visite");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with(&format!("{}\t", posts[0]["id"].as_str().unwrap())),
        "{stdout}"
    );

    let audit = t.audit();
    let approval = audit.iter().find(|r| r["event"] == "approval").unwrap();
    assert_eq!(approval["outcome"]["approver"], "sg");
    assert_eq!(approval["plan_hash"], hash.as_str());
    let published = audit.last().unwrap();
    assert_eq!(published["outcome"]["status"], "published");
    assert_eq!(published["plan_hash"], hash.as_str());
    assert!(published["approvals"][0].as_str().unwrap().starts_with("sg SHA256:"));
    // The author recorded is the one the signature proves, by policy entry and key.
    assert_eq!(published["author"]["name"], "redaction");
    assert_eq!(published["author"]["entry"], "[[authors]]");
    assert!(
        published["author"]["fingerprint"]
            .as_str()
            .unwrap()
            .starts_with("SHA256:")
    );
    assert_eq!(approval["author"], published["author"]);

    // Applying again sends nothing and says where the post is.
    apply(&t, "visite.plan")
        .stderr_has("already published to @mairie_demo_")
        .stderr_has("nothing was sent")
        .run();
    assert_eq!(t.outbox("outbox").len(), 1);
}

#[test]
fn replies_need_the_role_the_policy_names() {
    let t = setup();
    let hash = plan(
        &t,
        "reponse.plan",
        &["--reply-to", "ext-123", "Nous vous répondons en message privé."],
    );
    t.cmd(["approve", "reponse.plan", "--ssh-key", "keys/com", "--plan-hash", &hash])
        .run();
    apply(&t, "reponse.plan")
        .status(code::PLAN_REFUSED)
        .stderr_has("1 approval(s) from role secretaire-generale (account demo, replies; policy line ")
        .stderr_has("(has 0)")
        .run();
    t.cmd(["approve", "reponse.plan", "--ssh-key", "keys/sg", "--plan-hash", &hash])
        .run();
    apply(&t, "reponse.plan").run();
    assert_eq!(t.outbox("outbox").len(), 1);
    assert_eq!(t.outbox("outbox")[0]["reply_to"], "ext-123");
}

#[test]
fn nobody_approves_their_own_plan() {
    let t = setup().git_email("SG@culture.example");
    let hash = plan(&t, "visite.plan", &["Merci @jeanne"]);
    t.cmd(["approve", "visite.plan", "--ssh-key", "keys/sg", "--plan-hash", &hash])
        .status(code::PLAN_REFUSED)
        .stderr_has("error: approver `sg` is the plan's author (")
        .stderr_has("nobody approves their own plan")
        .run();
    // A signature made by hand, without postgate, is refused at apply too.
    t.ssh_sign("sg", "postgate", &hash, "visite.plan.sg.sig");
    apply(&t, "visite.plan")
        .status(code::PLAN_REFUSED)
        .stderr_has("visite.plan.sg.sig: approver `sg` is the plan's author")
        .run();
    assert!(t.outbox("outbox").is_empty());
    assert_eq!(t.audit().last().unwrap()["event"], "refused");
}

#[test]
fn a_plan_with_one_byte_changed_is_refused() {
    let t = setup();
    let hash = plan(&t, "visite.plan", &["Merci @jeanne pour sa visite"]);
    t.cmd(["approve", "visite.plan", "--ssh-key", "keys/sg", "--plan-hash", &hash])
        .run();
    let original = t.read("visite.plan");
    t.write("visite.plan", &original.replace("sa visite", "sa visitE"));
    apply(&t, "visite.plan")
        .status(code::PLAN_REFUSED)
        .stderr_has(&format!(
            "visite.plan was changed after it was planned: its plan_hash is {hash} but its content hashes to sha256:"
        ))
        .run();
    assert!(t.outbox("outbox").is_empty());
    assert_eq!(t.audit().last().unwrap()["event"], "refused");
}

#[test]
fn a_signature_of_another_plan_does_not_carry_over() {
    let t = setup();
    let hash = plan(&t, "a.plan", &["Merci @jeanne"]);
    t.cmd(["approve", "a.plan", "--ssh-key", "keys/sg", "--plan-hash", &hash])
        .run();
    plan(&t, "b.plan", &["Merci @jeanne, et votez pour moi"]);
    std::fs::copy(t.path().join("a.plan.sg.sig"), t.path().join("b.plan.sg.sig")).unwrap();
    apply(&t, "b.plan")
        .status(code::PLAN_REFUSED)
        .stderr_has("b.plan.sg.sig by approver `sg` does not sign this plan")
        .run();
    // Signed in another namespace: not an approval either.
    t.ssh_sign("com", "git", &hash, "a.plan.com.sig");
    apply(&t, "a.plan")
        .status(code::PLAN_REFUSED)
        .stderr_has("a.plan.com.sig was signed for `git`, not for postgate")
        .run();
    assert!(t.outbox("outbox").is_empty());
}

#[test]
fn a_key_that_is_not_in_the_policy_is_refused() {
    let t = setup();
    t.ssh_key("intrus");
    let hash = plan(&t, "visite.plan", &["Merci @jeanne"]);
    t.cmd([
        "approve",
        "visite.plan",
        "--ssh-key",
        "keys/intrus",
        "--plan-hash",
        &hash,
    ])
    .status(code::PLAN_REFUSED)
    .stderr_has("error: SSH key keys/intrus (SHA256:")
    .stderr_has(") is not one of the policy's [[approvers]]")
    .run();
    t.ssh_sign("intrus", "postgate", &hash, "visite.plan.intrus.sig");
    apply(&t, "visite.plan")
        .status(code::PLAN_REFUSED)
        .stderr_has("visite.plan.intrus.sig is signed by key SHA256:")
        .stderr_has("which is not one of the policy's [[approvers]]")
        .run();
    // Nor can a key the policy lists nowhere sign as the author.
    std::fs::remove_file(t.path().join("visite.plan.intrus.sig")).unwrap();
    t.ssh_sign("intrus", "postgate-author", &hash, "visite.plan.author.sig");
    apply(&t, "visite.plan")
        .status(code::PLAN_REFUSED)
        .stderr_has("visite.plan.author.sig is signed by key SHA256:")
        .stderr_has("which is not in the policy's [[authors]] or [[approvers]]")
        .run();
    t.write("visite.plan.author.sig", "not a signature\n");
    apply(&t, "visite.plan")
        .status(code::PLAN_REFUSED)
        .stderr_has("visite.plan.author.sig is not an SSH signature")
        .run();
    assert!(t.outbox("outbox").is_empty());
    assert!(t.outbox("outbox").is_empty());
}

#[test]
fn an_expired_plan_is_refused() {
    let t = setup();
    plan(&t, "vieux.plan", &["Bonjour"]);
    // `plan` no longer writes a window that has closed; this one was written long ago.
    let hash = reseal(&t, "vieux.plan", |p| {
        p.window.not_before = Some("2020-01-01T08:00:00Z".parse().unwrap());
        p.window.expires = Some("2020-01-02T08:00:00Z".parse().unwrap());
    });
    t.ssh_sign("redaction", "postgate-author", &hash, "vieux.plan.author.sig");
    t.cmd(["approve", "vieux.plan", "--ssh-key", "keys/sg", "--plan-hash", &hash])
        .status(code::PLAN_REFUSED)
        .stderr_has("error: the plan expired at 2020-01-02T08:00:00Z; it cannot be approved")
        .run();
    apply(&t, "vieux.plan")
        .status(code::PLAN_REFUSED)
        .stderr_has("error: the plan expired at 2020-01-02T08:00:00Z; nothing was published")
        .run();
    assert!(t.outbox("outbox").is_empty());
}

#[test]
fn a_plan_not_yet_due_waits() {
    let t = setup();
    let at = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(30 * 24))
        .round(jiff::Unit::Second)
        .unwrap()
        .to_string();
    plan(&t, "demain.plan", &["--publish-at", &at, "Bonjour"]);
    apply(&t, "demain.plan")
        .status(code::PLAN_REFUSED)
        .stderr_has(&format!("error: the plan may not be published before {at}"))
        .run();
}

#[test]
fn the_current_policy_judges_the_plan_at_apply() {
    let t = setup();
    plan(&t, "a.plan", &["Bonjour à tous"]);
    // The policy tightened after the plan was written (and approved, had it needed it).
    let sg = t.read("keys/sg.pub");
    let com = t.read("keys/com.pub");
    let redaction = t.read("keys/redaction.pub");
    let stricter = POLICY
        .replace("{sg}", sg.trim())
        .replace("{com}", com.trim())
        .replace("{redaction}", redaction.trim())
        + "\n[[rules]]\nid = \"salut\"\nkind = \"terms\"\nlevel = \"deny\"\nterms = [\"bonjour\"]\n";
    let t = t.policy(&stricter);
    apply(&t, "a.plan")
        .status(code::CONTENT)
        .stderr_has("error: refused by the policy's rules: salut (")
        .run();
    assert!(t.outbox("outbox").is_empty());
}

#[test]
fn a_plan_for_a_moved_account_is_refused() {
    let t = setup();
    plan(&t, "a.plan", &["Bonjour"]);
    let policy = std::fs::read_to_string(t.policy_path()).unwrap();
    std::fs::write(t.policy_path(), policy.replace("@mairie_demo_", "@autre_demo_")).unwrap();
    t.cmd(["apply", "a.plan", "--confirm-handle", "@autre_demo_{uid}"])
        .status(code::PLAN_REFUSED)
        .stderr_has("error: the plan is for account `demo` as @mairie_demo_")
        .stderr_has("but the policy now says @autre_demo_")
        .run();
}

#[test]
fn a_plan_with_deny_findings_is_not_written() {
    let t = setup_with("\n[[rules]]\nid = \"salut\"\nkind = \"terms\"\nlevel = \"deny\"\nterms = [\"bonjour\"]\n");
    t.cmd(["plan", "-a", "demo", "-o", "a.plan", "Bonjour"])
        .status(code::CONTENT)
        .stderr_has("error: refused by the policy's rules: salut (")
        .stderr_has("no plan was written")
        .run();
    assert!(!t.path().join("a.plan").exists());
}

#[test]
fn a_changed_image_is_refused() {
    let t = setup();
    let png = t.png("affiche.png");
    plan(&t, "a.plan", &["--image", &png, "--alt", "L'affiche", "Bonjour"]);
    assert!(t.read("a.plan").contains("path = \"affiche.png\""));
    std::fs::write(&png, b"\x89PNG\r\n\x1a\nchanged").unwrap();
    apply(&t, "a.plan")
        .status(code::PLAN_REFUSED)
        .stderr_has("affiche.png changed since it was planned")
        .run();
    assert!(t.outbox("outbox").is_empty());
}

#[test]
fn a_script_states_the_hash_it_reviewed() {
    let t = setup();
    let hash = plan(&t, "a.plan", &["Merci @jeanne"]);
    t.cmd(["approve", "a.plan", "--ssh-key", "keys/sg"])
        .status(code::NOT_CONFIRMED)
        .stderr_has("error: no terminal to ask whether to sign")
        .stderr_has(&format!(
            "hint: a script states the plan it reviewed: --plan-hash {hash}"
        ))
        .run();
    t.cmd(["approve", "a.plan", "--ssh-key", "keys/sg", "--plan-hash", "sha256:00"])
        .status(code::PLAN_REFUSED)
        .stderr_has("error: --plan-hash sha256:00 is not this plan's hash")
        .run();
    assert!(!t.path().join("a.plan.sg.sig").exists());
}

#[test]
fn an_approver_at_a_terminal_reviews_the_banner_and_answers() {
    let t = setup();
    let hash = plan(&t, "a.plan", &["Merci @jeanne"]);
    let mut tty = t
        .cmd(["approve", "a.plan", "--ssh-key", "keys/sg"])
        .env("NO_COLOR", "1")
        .tty();
    tty.expect("OFFICIAL ACCOUNT")
        .expect("Merci ⟦@jeanne⟧")
        .expect(&hash)
        .expect("Sign this plan as approver `sg`? [y/N] ");
    tty.line("y");
    assert_eq!(tty.finish(), code::SUCCESS);
    assert!(t.path().join("a.plan.sg.sig").exists());
    apply(&t, "a.plan").run();
    assert_eq!(t.outbox("outbox").len(), 1);
}

#[test]
fn keychain_keys_sign_like_ssh_keys() {
    let t = Test::new().keychain().git_email("redaction@culture.example");
    let sg = t.ssh_key("sg");
    let key_name = format!("com_{}", t.uid);
    let out = t.cmd(["keys", "new", &key_name]).stderr_has("[[approvers]]").run();
    let com = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(com.starts_with("ssh-ed25519 AAAA"), "{com}");
    assert!(com.ends_with(&format!("postgate:{key_name}")), "{com}");
    t.cmd(["keys", "new", &key_name])
        .status(code::USAGE)
        .stderr_has(&format!(
            "the keychain already holds an approval key named `{key_name}`"
        ))
        .run();
    t.cmd(["keys", "show", &key_name]).stdout(&format!("{com}\n")).run();
    let redaction = t.ssh_key("redaction");
    let t = t.policy(
        &POLICY
            .replace("{sg}", &sg)
            .replace("{com}", &com)
            .replace("{redaction}", &redaction),
    );
    let hash = plan(&t, "a.plan", &["Merci @jeanne"]);
    t.cmd(["approve", "a.plan", "--key", &key_name, "--plan-hash", &hash])
        .stdout("a.plan.com.sig\n")
        .run();
    apply(&t, "a.plan").run();
    assert_eq!(t.outbox("outbox").len(), 1);
    // A keychain key signs as an author too, in the authorship namespace.
    let out = t
        .cmd(["plan", "-a", "demo", "-o", "b.plan", "--key", &key_name, "Merci @paul"])
        .stderr_has("signed it as its author `com` of [[approvers]]")
        .run();
    let hash = String::from_utf8(out.stdout).unwrap().trim().to_string();
    t.cmd(["approve", "b.plan", "--key", &key_name, "--plan-hash", &hash])
        .status(code::PLAN_REFUSED)
        .stderr_has("error: approver `com` wrote this plan")
        .run();
    t.cmd(["approve", "b.plan", "--ssh-key", "keys/sg", "--plan-hash", &hash])
        .run();
    apply(&t, "b.plan").run();
    assert_eq!(t.outbox("outbox").len(), 2);
    // The private key never reaches a file or the audit log.
    for (path, bytes) in t.all_files_bytes() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("OPENSSH PRIVATE KEY") || path.starts_with(t.path().join("keys")),
            "{path:?}"
        );
    }
}

fn masto_policy(t: &Test, user: &MastodonUser) -> String {
    let sg = t.ssh_key("sg");
    let redaction = t.ssh_key("redaction");
    format!(
        "[audit]\npath = \"{{dir}}/state/audit.jsonl\"\n\n[[accounts]]\nname = \"masto\"\nhandle = \"{}\"\n\
         platform = \"mastodon\"\ninstance = \"{}\"\nkind = \"official\"\ndisplay_name = \"Mairie\"\nowner = \"Tests\"\n\
         credentials = \"keychain-or-env\"\n\n[[approvers]]\nname = \"sg\"\nkey = \"{sg}\"\n\n\
         [[authors]]\nname = \"redaction\"\nkey = \"{redaction}\"\n\n\
         [[approvals.require]]\naccounts = [\"masto\"]\n",
        user.handle,
        mastodon_url()
    )
}

#[test]
fn on_mastodon_a_plan_publishes_once_even_after_a_crash() {
    let t = Test::new().git_email("redaction@culture.example");
    let alice = mastodon_user(&format!("plan_{}", t.uid));
    let policy = masto_policy(&t, &alice);
    let t = t.policy(&policy);
    let secret = ("POSTGATE_SECRET_MASTO", alice.token.as_str());
    let out = t
        .cmd([
            "plan",
            "-a",
            "masto",
            "-o",
            "a.plan",
            "--ssh-key",
            "keys/redaction",
            "Conseil municipal ce soir à 18 h",
        ])
        .run();
    let hash = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let apply = || {
        t.cmd(["apply", "a.plan", "--confirm-handle", &alice.handle])
            .env(secret.0, secret.1)
    };
    apply()
        .status(code::PLAN_REFUSED)
        .stderr_has("1 approval(s) from any approver (account masto; policy line ")
        .run();
    t.cmd(["approve", "a.plan", "--ssh-key", "keys/sg", "--plan-hash", &hash])
        .run();

    // Killed right after the server accepted the post, before the outcome was recorded.
    let killed = apply()
        .env("POSTGATE_FAULT", "kill-after-publish")
        .status_signal()
        .run();
    assert_eq!(mastodon_statuses(&alice).len(), 1);
    assert!(killed.stdout.is_empty());
    assert_eq!(t.audit().last().unwrap()["event"], "intent");

    // The re-run sends the same Idempotency-Key; the server answers with the first status.
    apply().run();
    let statuses = mastodon_statuses(&alice);
    assert_eq!(statuses.len(), 1);
    let last = t.audit().last().unwrap().clone();
    assert_eq!(last["outcome"]["status"], "published");
    assert_eq!(last["outcome"]["id"], statuses[0]["id"]);
    apply().stderr_has("already published").run();
    assert_eq!(mastodon_statuses(&alice).len(), 1);
}

/// Writes the intent record of an earlier run of the plan that died `minutes` ago without
/// recording an outcome, through the library's own append (so the chain stays valid).
fn died_earlier(t: &Test, plan: &str, minutes: i64) {
    let plan = postgate::plan::Plan::load(&t.path().join(plan)).unwrap();
    let mut record = postgate::audit::Record::new("intent", "apply", postgate::audit::Outcome::Pending);
    record.plan_hash = Some(plan.plan_hash.clone());
    record.time = (jiff::Timestamp::now() - jiff::SignedDuration::from_mins(minutes)).to_string();
    postgate::audit::AuditLog::new(t.audit_path()).append(record).unwrap();
}

#[test]
fn on_mastodon_a_plan_left_in_doubt_for_over_an_hour_goes_to_a_person() {
    let t = Test::new().git_email("redaction@culture.example");
    let alice = mastodon_user(&format!("doubt_{}", t.uid));
    let policy = masto_policy(&t, &alice);
    let t = t.policy(&policy);
    for name in ["old", "recent"] {
        let out = t
            .cmd([
                "plan",
                "-a",
                "masto",
                "-o",
                &format!("{name}.plan"),
                "--ssh-key",
                "keys/redaction",
                &format!("Annonce {name}"),
            ])
            .run();
        let hash = String::from_utf8(out.stdout).unwrap().trim().to_string();
        t.cmd([
            "approve",
            &format!("{name}.plan"),
            "--ssh-key",
            "keys/sg",
            "--plan-hash",
            &hash,
        ])
        .run();
    }
    let apply = |plan: &str| {
        t.cmd(["apply", plan, "--confirm-handle", &alice.handle])
            .env("POSTGATE_SECRET_MASTO", &alice.token)
    };

    // Mastodon has forgotten the key by now: a re-run could post twice, so a person decides.
    died_earlier(&t, "old.plan", 120);
    apply("old.plan")
        .status(code::INCOMPLETE)
        .stderr_has(
            "stopped before recording whether it published, and Mastodon forgets its idempotency keys after an hour",
        )
        .stderr_has(&format!("hint: look at {} on the server", alice.handle))
        .run();
    assert!(mastodon_statuses(&alice).is_empty());
    let last = t.audit().last().cloned().unwrap();
    assert_eq!(last["event"], "refused");
    assert_eq!(last["outcome"]["exit_code"], code::INCOMPLETE);

    // Within the hour the key still protects the re-run, which goes ahead and posts once.
    died_earlier(&t, "recent.plan", 10);
    apply("recent.plan").run();
    assert_eq!(mastodon_statuses(&alice).len(), 1);
}

#[test]
fn a_correction_that_needs_approval_is_planned_signed_and_applied_once() {
    let t = setup();
    let out = t.post("demo", "Visite du musée ce matin").run();
    let id = String::from_utf8(out.stdout)
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_string();
    let corrected = "Visite du musée ce matin avec @jeanne";

    t.cmd([
        "correct",
        "demo",
        &id,
        corrected,
        "--confirm-handle",
        "@mairie_demo_{uid}",
    ])
    .status(code::PLAN_REFUSED)
    .stderr_has(&format!(
        "write a plan (`postgate plan -a demo --correct {id} … -o post.plan`)"
    ))
    .run();
    let out = t
        .cmd([
            "plan",
            "-a",
            "demo",
            "--correct",
            &id,
            "-o",
            "c.plan",
            "--ssh-key",
            "keys/redaction",
            corrected,
        ])
        .stderr_has(&format!("PLAN to CORRECT {id} (nothing is published by this command)"))
        .run();
    let hash = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(t.read("c.plan").contains(&format!("corrects = \"{id}\"")));
    apply(&t, "c.plan").status(code::PLAN_REFUSED).run();
    t.cmd(["approve", "c.plan", "--ssh-key", "keys/sg", "--plan-hash", &hash])
        .run();

    apply(&t, "c.plan").stderr_has(&format!("CORRECT {id}")).run();
    let posts = t.outbox("outbox");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["text"], corrected);
    assert_eq!(posts[0]["edits"][0]["previous_text"], "Visite du musée ce matin");
    apply(&t, "c.plan").stderr_has("already published").run();
    assert_eq!(t.outbox("outbox")[0]["edits"].as_array().unwrap().len(), 1);
    let last = t.audit().last().cloned().unwrap();
    assert_eq!(
        (last["action"].as_str(), last["target"].as_str()),
        (Some("correct"), Some(id.as_str()))
    );

    t.cmd(["plan", "-a", "demo", "--correct", " ", "-o", "d.plan", "x"])
        .status(code::USAGE)
        .stderr_has("--correct needs the id or URL of the post to correct")
        .run();
}

/// Edits a plan file through the library and seals it with a fresh `plan_hash`, as anyone
/// with write access to the file can; the author signature that no longer matches is dropped.
fn reseal(t: &Test, name: &str, edit: impl FnOnce(&mut postgate::plan::Plan)) -> String {
    let path = t.path().join(name);
    let mut plan = postgate::plan::Plan::load(&path).unwrap();
    edit(&mut plan);
    let plan = plan.seal();
    std::fs::write(&path, plan.to_toml().unwrap()).unwrap();
    std::fs::remove_file(t.path().join(format!("{name}.author.sig"))).ok();
    plan.plan_hash
}

/// What someone with write access to a plan file can do without any key: rewrite the text and
/// the declared `[author]`, and seal the result with a fresh `plan_hash`.
fn rewrite(t: &Test, name: &str, text: &str, author: postgate::plan::Author) -> String {
    reseal(t, name, |plan| {
        plan.post.text = text.to_string();
        plan.author = author;
    })
}

#[test]
fn a_plan_claiming_another_author_is_not_published_on_its_writers_approval() {
    // The approver `sg` writes the plan with no git e-mail, claims `redaction` wrote it, then
    // approves it with their own key.
    let t = setup().git_email("");
    std::fs::remove_file(t.path().join("home/.gitconfig")).unwrap();
    plan(&t, "visite.plan", &["Bonjour"]);
    let author = postgate::plan::Author {
        user: "redaction".into(),
        email: Some("redaction@culture.example".into()),
    };
    let hash = rewrite(&t, "visite.plan", "Merci @jeanne pour sa visite", author);
    t.ssh_sign("sg", "postgate", &hash, "visite.plan.sg.sig");
    apply(&t, "visite.plan")
        .status(code::PLAN_REFUSED)
        .stderr_has("carries no author signature")
        .stderr_has("postgate sign visite.plan")
        .run();
    assert!(t.outbox("outbox").is_empty());
    let last = t.audit().last().cloned().unwrap();
    assert_eq!(last["event"], "refused");
    assert_eq!(last["outcome"]["exit_code"], code::PLAN_REFUSED);
}

#[test]
fn an_edited_author_with_a_recomputed_hash_does_not_let_an_approver_approve_their_own_plan() {
    let t = setup().git_email("sg@culture.example");
    plan(&t, "visite.plan", &["Bonjour"]);
    let author = postgate::plan::Author {
        user: "redaction".into(),
        email: Some("redaction@culture.example".into()),
    };
    let hash = rewrite(&t, "visite.plan", "Merci @jeanne pour sa visite", author);
    // `approve` sees the declared author is no longer sg, but no proven author either.
    t.cmd(["approve", "visite.plan", "--ssh-key", "keys/sg", "--plan-hash", &hash])
        .status(code::PLAN_REFUSED)
        .stderr_has("carries no author signature")
        .run();
    t.ssh_sign("sg", "postgate", &hash, "visite.plan.sg.sig");
    apply(&t, "visite.plan")
        .status(code::PLAN_REFUSED)
        .stderr_has("carries no author signature")
        .run();
    // Signing as the author with the approver's own key proves who wrote it: sg.
    t.ssh_sign("sg", "postgate-author", &hash, "visite.plan.author.sig");
    apply(&t, "visite.plan")
        .status(code::PLAN_REFUSED)
        .stderr_has("visite.plan.sg.sig: approver `sg` wrote this plan (proven by visite.plan.author.sig, key SHA256:")
        .stderr_has("nobody approves their own plan")
        .run();
    // The author's real key signs something else: the signature does not carry over.
    t.ssh_sign("redaction", "postgate-author", "sha256:0000", "visite.plan.author.sig");
    apply(&t, "visite.plan")
        .status(code::PLAN_REFUSED)
        .stderr_has("visite.plan.author.sig by `redaction` does not sign this plan")
        .run();
    assert!(t.outbox("outbox").is_empty());
}

#[test]
fn a_time_out_of_range_is_a_usage_error_not_a_panic() {
    let t = setup();
    for args in [
        vec!["--publish-at", "9999-12-25T00:00:00Z"],
        vec!["--expires", "9999-12-25T00:00:00Z"],
        vec!["--publish-at", "2999-01-01T08:00:00Z"],
    ] {
        let mut all = vec!["--json", "plan", "-a", "demo", "-o", "p.plan"];
        all.extend(args);
        all.push("x");
        t.cmd(all)
            .status(code::USAGE)
            .stderr_has("must lie within 366 days")
            .run();
        assert!(!t.path().join("p.plan").exists());
    }
}

#[test]
fn a_window_that_can_never_be_published_is_not_written() {
    let t = setup();
    t.cmd([
        "plan",
        "-a",
        "demo",
        "-o",
        "p.plan",
        "--publish-at",
        "2020-01-01T00:00:00Z",
        "x",
    ])
    .status(code::USAGE)
    .stderr_has("the window closes at 2020-01-08T00:00:00Z, which has passed; the plan could never be published")
    .run();
    t.cmd([
        "plan",
        "-a",
        "demo",
        "-o",
        "p.plan",
        "--publish-at",
        "2020-01-01T00:00:00Z",
        "--expires",
        "2020-01-02T00:00:00Z",
        "x",
    ])
    .status(code::USAGE)
    .stderr_has("the window closes at 2020-01-02T00:00:00Z, which has passed")
    .run();
    assert!(!t.path().join("p.plan").exists());
}

#[test]
fn an_approval_and_an_authorship_cannot_stand_for_each_other() {
    let t = setup();
    let hash = plan(&t, "a.plan", &["Merci @jeanne"]);
    t.cmd(["approve", "a.plan", "--ssh-key", "keys/sg", "--plan-hash", &hash])
        .run();
    // sg's approval put where the author's signature goes.
    std::fs::copy(t.path().join("a.plan.sg.sig"), t.path().join("a.plan.author.sig")).unwrap();
    apply(&t, "a.plan")
        .status(code::PLAN_REFUSED)
        .stderr_has(
            "a.plan.author.sig by `sg` is not signed as an author (namespace `postgate-author`): it is an approval",
        )
        .run();
    // An authorship signature by an approver's key put where an approval goes.
    t.ssh_sign("sg", "postgate-author", &hash, "a.plan.author.sig");
    t.ssh_sign("com", "postgate-author", &hash, "a.plan.com.sig");
    apply(&t, "a.plan")
        .status(code::PLAN_REFUSED)
        .stderr_has("a.plan.com.sig was signed for `postgate-author`, not for postgate")
        .run();
    assert!(t.outbox("outbox").is_empty());
}

#[test]
fn a_plan_that_needs_approval_is_written_only_with_a_known_authors_signature() {
    let t = setup();
    t.ssh_key("intrus");
    t.cmd(["plan", "-a", "demo", "-o", "a.plan", "Merci @jeanne"])
        .status(code::PLAN_REFUSED)
        .stderr_has("error: this post needs approval, so its plan carries its author's signature, and keychain key `")
        .stderr_has("no plan was written")
        .stderr_has("hint: sign with a key the policy lists in [[authors]] or [[approvers]]")
        .run();
    t.cmd([
        "plan",
        "-a",
        "demo",
        "-o",
        "a.plan",
        "--ssh-key",
        "keys/intrus",
        "Merci @jeanne",
    ])
    .status(code::PLAN_REFUSED)
    .stderr_has("error: SSH key keys/intrus (SHA256:")
    .stderr_has("is not in the policy's [[authors]] or [[approvers]], so it cannot sign a plan as its author")
    .stderr_has("hint: add it to the policy through a reviewed change: [[authors]] name = ")
    .run();
    assert!(!t.path().join("a.plan").exists());
    // A plan that needs no approval needs no key.
    t.cmd(["plan", "-a", "demo", "-o", "b.plan", "Bonjour"]).run();
    assert!(!t.path().join("b.plan.author.sig").exists());
}

#[test]
fn an_author_signs_a_plan_again_and_an_approver_cannot_claim_it() {
    let t = setup();
    let hash = plan(&t, "a.plan", &["Merci @jeanne"]);
    std::fs::remove_file(t.path().join("a.plan.author.sig")).unwrap();
    t.cmd(["sign", "a.plan", "--ssh-key", "keys/redaction"])
        .status(code::NOT_CONFIRMED)
        .stderr_has(&format!(
            "hint: a script states the plan it reviewed: --plan-hash {hash}"
        ))
        .run();
    t.cmd(["sign", "a.plan", "--ssh-key", "keys/redaction", "--plan-hash", &hash])
        .stdout("a.plan.author.sig\n")
        .stderr_has("signed ")
        .stderr_has("as its author `redaction` of [[authors]], key SHA256:")
        .run();
    let authored = t.audit().last().cloned().unwrap();
    assert_eq!(authored["event"], "authorship");
    assert_eq!(authored["author"]["name"], "redaction");
    t.cmd(["approve", "a.plan", "--ssh-key", "keys/sg", "--plan-hash", &hash])
        .run();
    // The approver then tries to sign as the author.
    t.cmd(["sign", "a.plan", "--ssh-key", "keys/sg", "--plan-hash", &hash])
        .status(code::PLAN_REFUSED)
        .stderr_has("a.plan.sg.sig: `sg` approved this plan, so they cannot sign it as its author; nothing was signed")
        .run();
    // Done by hand, it proves sg wrote it, and sg's approval stops counting.
    t.ssh_sign("sg", "postgate-author", &hash, "a.plan.author.sig");
    apply(&t, "a.plan")
        .status(code::PLAN_REFUSED)
        .stderr_has("a.plan.sg.sig: approver `sg` wrote this plan (proven by ")
        .run();
    assert!(t.outbox("outbox").is_empty());
}

#[test]
fn an_approver_who_writes_under_another_email_is_still_the_author() {
    let t = setup().git_email("quelqu.un@ailleurs.example");
    let out = t
        .cmd([
            "plan",
            "-a",
            "demo",
            "-o",
            "a.plan",
            "--ssh-key",
            "keys/sg",
            "Merci @jeanne",
        ])
        .stderr_has("signed it as its author `sg` of [[approvers]], key SHA256:")
        .run();
    let hash = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(t.read("a.plan").contains("email = \"quelqu.un@ailleurs.example\""));
    t.cmd(["approve", "a.plan", "--ssh-key", "keys/sg", "--plan-hash", &hash])
        .status(code::PLAN_REFUSED)
        .stderr_has(
            "error: approver `sg` wrote this plan (its author signature is by `sg` of [[approvers]], key SHA256:",
        )
        .run();
    t.ssh_sign("sg", "postgate", &hash, "a.plan.sg.sig");
    apply(&t, "a.plan")
        .status(code::PLAN_REFUSED)
        .stderr_has("a.plan.sg.sig: approver `sg` wrote this plan (proven by a.plan.author.sig, key SHA256:")
        .run();
    // Another approver's signature counts.
    std::fs::remove_file(t.path().join("a.plan.sg.sig")).unwrap();
    t.cmd(["approve", "a.plan", "--ssh-key", "keys/com", "--plan-hash", &hash])
        .run();
    apply(&t, "a.plan").run();
    let published = t.audit().last().cloned().unwrap();
    assert_eq!(published["author"]["name"], "sg");
    assert_eq!(published["author"]["entry"], "[[approvers]]");
    assert_eq!(t.outbox("outbox").len(), 1);
}

#[test]
fn planning_again_replaces_the_authors_signature_but_never_orphans_approvals() {
    let t = setup();
    plan(&t, "a.plan", &["Merci @jeanne"]);
    let hash = plan(&t, "a.plan", &["Merci @jeanne !"]);
    t.cmd(["approve", "a.plan", "--ssh-key", "keys/sg", "--plan-hash", &hash])
        .run();
    t.cmd([
        "plan",
        "-a",
        "demo",
        "-o",
        "a.plan",
        "--ssh-key",
        "keys/redaction",
        "Autre",
    ])
    .status(code::USAGE)
    .stderr_has("a.plan already has approvals beside it")
    .run();
    apply(&t, "a.plan").run();
    assert_eq!(t.outbox("outbox")[0]["text"], "Merci @jeanne !");
    // A plan that needs no approval, written over one that had an author signature, drops it
    // rather than leave a signature of another plan beside it.
    plan(&t, "b.plan", &["Bonjour"]);
    assert!(t.path().join("b.plan.author.sig").exists());
    t.cmd(["plan", "-a", "demo", "-o", "b.plan", "Bonjour !"]).run();
    assert!(!t.path().join("b.plan.author.sig").exists());
    t.cmd(["apply", "b.plan", "--confirm-handle", "@mairie_demo_{uid}"])
        .run();
}

#[test]
fn a_plan_takes_only_images_inside_its_folder_and_never_a_link() {
    let t = setup();
    std::fs::create_dir_all(t.path().join("plans")).unwrap();
    let outside = t.png("affiche.png");
    t.cmd([
        "plan",
        "-a",
        "demo",
        "-o",
        "plans/a.plan",
        "--image",
        &outside,
        "--alt",
        "L'affiche",
        "Bonjour",
    ])
    .status(code::USAGE)
    .stderr_has("goes outside the folder `plans`")
    .run();
    assert!(!t.path().join("plans/a.plan").exists());
    std::os::unix::fs::symlink("/proc/self/environ", t.path().join("plans/leak.png")).unwrap();
    t.cmd([
        "plan",
        "-a",
        "demo",
        "-o",
        "plans/a.plan",
        "--image",
        "plans/leak.png",
        "--alt",
        "x",
        "Bonjour",
    ])
    .status(code::USAGE)
    .stderr_has("image `leak.png` is a symbolic link")
    .run();
    assert!(!t.path().join("plans/a.plan").exists());
}

#[test]
fn apply_refuses_an_image_replaced_by_a_link_and_reads_nothing_through_it() {
    let t = setup();
    let png = t.png("affiche.png");
    plan(&t, "a.plan", &["--image", &png, "--alt", "L'affiche", "Bonjour"]);
    std::fs::remove_file(&png).unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", &png).unwrap();
    apply(&t, "a.plan")
        .status(code::USAGE)
        .stderr_has("image `affiche.png` is a symbolic link")
        .run();
    assert!(t.outbox("outbox").is_empty());
}

/// A plan file written by hand (its hash recomputed) that points its image outside its folder,
/// at a file whose hash the writer knows, is refused by `apply`: nothing is read or published.
#[test]
fn apply_refuses_an_image_outside_the_plan_folder_even_with_its_hash() {
    let t = setup();
    std::fs::create_dir_all(t.path().join("plans")).unwrap();
    let inside = t.path().join("plans/affiche.png");
    std::fs::write(&inside, support::PNG).unwrap();
    plan(
        &t,
        "plans/a.plan",
        &["--image", "plans/affiche.png", "--alt", "L'affiche", "Bonjour"],
    );
    let secret = t.png("secret.png");
    let hash = postgate::digest::sha256_hex(support::PNG);
    for (path, why) in [
        ("../secret.png".to_string(), "goes outside the folder `plans`"),
        (secret.clone(), "is an absolute path"),
    ] {
        let mut p = postgate::plan::Plan::load(&t.path().join("plans/a.plan")).unwrap();
        p.post.images[0].path = path.into();
        p.post.images[0].sha256 = hash.clone();
        let p = p.seal();
        std::fs::write(t.path().join("plans/b.plan"), p.to_toml().unwrap()).unwrap();
        apply(&t, "plans/b.plan").status(code::USAGE).stderr_has(why).run();
    }
    assert!(t.outbox("outbox").is_empty());
}

#[test]
fn a_clock_set_back_does_not_reopen_an_expired_plan() {
    let t = setup();
    let now = jiff::Timestamp::now().round(jiff::Unit::Second).unwrap();
    let expires = (now + jiff::SignedDuration::from_mins(10)).to_string();
    let hash = plan(&t, "bientot.plan", &["--expires", &expires, "Bonjour"]);
    t.cmd(["approve", "bientot.plan", "--ssh-key", "keys/sg", "--plan-hash", &hash])
        .run();
    // The log has seen a time past the expiry: this machine's clock is behind it.
    let mut later = postgate::audit::Record::new("dry-run", "post", postgate::audit::Outcome::DryRun);
    later.time = (now + jiff::SignedDuration::from_mins(20)).to_string();
    postgate::audit::AuditLog::new(t.audit_path()).append(later).unwrap();
    apply(&t, "bientot.plan")
        .status(code::PLAN_REFUSED)
        .stderr_has(&format!("error: the plan expired at {expires}; nothing was published"))
        .run();
    assert!(t.outbox("outbox").is_empty());
}

/// A plan or a signature beside it that is a FIFO, or far too big, is refused at once: nothing
/// waits for a writer, nothing reads without end, nothing is published.
#[test]
fn plans_and_signatures_are_regular_files_of_bounded_size() {
    let t = setup();
    support::mkfifo(&t.path().join("tube.plan"));
    apply(&t, "tube.plan")
        .status(code::USAGE)
        .stderr_has("cannot read plan")
        .stderr_has("not a regular file (a FIFO)")
        .run();
    t.write("gros.plan", &"#".repeat(3 << 20));
    apply(&t, "gros.plan")
        .status(code::USAGE)
        .stderr_has("larger than 2048 KiB, the most postgate reads for a plan")
        .run();

    let hash = plan(&t, "visite.plan", &["Merci @jeanne pour sa visite"]);
    support::mkfifo(&t.path().join("visite.plan.com.sig"));
    t.cmd(["approve", "visite.plan", "--ssh-key", "keys/sg", "--plan-hash", &hash])
        .status(code::PLAN_REFUSED)
        .stderr_has("cannot read signature")
        .stderr_has("not a regular file (a FIFO)")
        .run();
    std::fs::remove_file(t.path().join("visite.plan.com.sig")).unwrap();
    t.write("visite.plan.com.sig", &"A".repeat(100 << 10));
    apply(&t, "visite.plan")
        .status(code::PLAN_REFUSED)
        .stderr_has("larger than 64 KiB, the most postgate reads for a signature")
        .run();
    std::fs::remove_file(t.path().join("visite.plan.author.sig")).unwrap();
    support::mkfifo(&t.path().join("visite.plan.author.sig"));
    std::fs::remove_file(t.path().join("visite.plan.com.sig")).unwrap();
    apply(&t, "visite.plan")
        .status(code::PLAN_REFUSED)
        .stderr_has("cannot read the author signature")
        .stderr_has("not a regular file (a FIFO)")
        .run();
    assert!(t.outbox("outbox").is_empty());
}
