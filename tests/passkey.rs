//! Passkey approvals at `apply`: `PLAN.NAME.webauthn.json` counts exactly as an SSHSIG file
//! does, and each way of spoiling one refuses the plan (exit 11) with nothing published. The
//! assertions are made here by a software authenticator (`support::passkey`); the browser
//! tests make them with Chromium's.

use crate::support;
use support::passkey::{Authenticator, UP};
use support::{Test, code};

/// `sg` approves with a passkey only; `com` with an SSH key and a passkey; `redaction` writes.
fn setup() -> (Test, Authenticator, Authenticator) {
    let sg = Authenticator::new(3);
    let com = Authenticator::new(4);
    let t = Test::new().git_email("redaction@culture.example");
    let com_ssh = t.ssh_key("com");
    let redaction = t.ssh_key("redaction");
    let policy = format!(
        "{}\n[[rules]]\nid = \"consentement\"\nkind = \"mentions\"\nlevel = \"approve\"\nkinds = [\"official\"]\n\
         on = [\"mentions\"]\nmessage = \"%s : son consentement est-il recueilli ?\"\n\n\
         [[approvers]]\nname = \"sg\"\n{}\nroles = [\"secretaire-generale\"]\nemail = \"sg@culture.example\"\n\n\
         [[approvers]]\nname = \"com\"\nssh_key = \"{com_ssh}\"\n{}\nroles = [\"communication\"]\n\n\
         [[authors]]\nname = \"redaction\"\nkey = \"{redaction}\"\n",
        support::policy::audit_and_demo!(),
        sg.policy_entry(),
        com.policy_entry(),
    );
    (t.policy(&policy), sg, com)
}

fn plan(t: &Test, name: &str, text: &str, author_key: &str) -> String {
    let out = t
        .cmd(["plan", "-a", "demo", "-o", name, "--ssh-key", author_key, text])
        .run();
    let hash = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(hash.starts_with("sha256:") && hash.len() == 71, "{hash}");
    hash
}

fn apply<'a>(t: &'a Test, plan: &str) -> support::Cmd<'a> {
    t.cmd(["apply", plan, "--confirm-handle", "@mairie_demo_{uid}"])
}

/// Applying is refused with exit 11, says `why`, publishes nothing and records the refusal.
fn refused(t: &Test, plan: &str, why: &str) {
    apply(t, plan).status(code::PLAN_REFUSED).stderr_has(why).run();
    assert!(t.outbox("outbox").is_empty());
    let last = t.audit().last().cloned().unwrap();
    assert_eq!(last["event"], "refused", "{last}");
    assert_eq!(last["outcome"]["exit_code"], code::PLAN_REFUSED, "{last}");
    assert!(last["outcome"]["reason"].as_str().unwrap().contains(why), "{last}");
}

#[test]
fn a_passkey_approval_publishes_and_the_audit_names_the_approver_and_the_key() {
    let (t, sg, _) = setup();
    let hash = plan(&t, "visite.plan", "Merci @jeanne pour sa visite", "keys/redaction");
    refused(&t, "visite.plan", "the plan is not approved as the policy requires");
    t.write("visite.plan.sg.webauthn.json", &sg.approve(&hash).json());
    apply(&t, "visite.plan").stderr_has("approved by sg").run();
    let posts = t.outbox("outbox");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["text"], "Merci @jeanne pour sa visite");
    let published = t.audit().last().cloned().unwrap();
    assert_eq!(published["outcome"]["status"], "published");
    let approval = published["approvals"][0].as_str().unwrap();
    assert!(approval.starts_with("sg passkey SHA256:"), "{approval}");
    // The fingerprint is the one `policy check --json` gives for sg's passkey.
    let out = t.cmd(["--json", "policy", "check"]).run();
    let policy: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sg_entry = &policy["approvers"][0];
    assert_eq!(sg_entry["name"], "sg");
    assert_eq!(
        format!("sg {}", sg_entry["passkey"]["fingerprint"].as_str().unwrap()),
        approval
    );
}

#[test]
fn an_approver_with_both_keys_counts_once_and_the_audit_names_the_key_used() {
    let (t, _, com) = setup();
    let hash = plan(&t, "visite.plan", "Merci @jeanne pour sa visite", "keys/redaction");
    t.write("visite.plan.com.webauthn.json", &com.approve(&hash).json());
    t.cmd(["approve", "visite.plan", "--ssh-key", "keys/com", "--plan-hash", &hash])
        .run();
    apply(&t, "visite.plan").stderr_has("approved by com ·").run();
    let published = t.audit().last().cloned().unwrap();
    let approvals = published["approvals"].as_array().unwrap();
    assert_eq!(approvals.len(), 1, "{published}");
    // `com.sig` sorts before `com.webauthn.json`: the SSH signature is the one counted.
    assert!(approvals[0].as_str().unwrap().starts_with("com SHA256:"), "{published}");
}

#[test]
fn an_assertion_for_another_plan_copied_beside_this_one_is_refused() {
    let (t, sg, _) = setup();
    let a = plan(&t, "a.plan", "Merci @jeanne", "keys/redaction");
    plan(&t, "b.plan", "Merci @jeanne, et votez pour moi", "keys/redaction");
    t.write("b.plan.sg.webauthn.json", &sg.approve(&a).json());
    refused(
        &t,
        "b.plan",
        "b.plan.sg.webauthn.json by approver `sg` does not approve this plan (sha256:",
    );
    refused(
        &t,
        "b.plan",
        "its challenge is not this plan's hash: it approves another plan",
    );
}

#[test]
fn one_plan_byte_changed_after_approval_is_refused() {
    let (t, sg, _) = setup();
    let hash = plan(&t, "visite.plan", "Merci @jeanne pour sa visite", "keys/redaction");
    t.write("visite.plan.sg.webauthn.json", &sg.approve(&hash).json());
    let original = t.read("visite.plan");
    t.write("visite.plan", &original.replace("sa visite", "sa visitE"));
    refused(&t, "visite.plan", "visite.plan was changed after it was planned");
    // Sealed again with a fresh hash and signed again by its author, the approval no longer
    // matches: its challenge is the old hash.
    let path = t.path().join("visite.plan");
    std::fs::write(&path, &original).unwrap();
    let mut edited = postgate::plan::Plan::load(&path).unwrap();
    edited.post.text = "Merci @jeanne pour sa visitE".into();
    let edited = edited.seal();
    std::fs::write(&path, edited.to_toml().unwrap()).unwrap();
    t.cmd([
        "sign",
        "visite.plan",
        "--ssh-key",
        "keys/redaction",
        "--plan-hash",
        &edited.plan_hash,
    ])
    .run();
    refused(&t, "visite.plan", "its challenge is not this plan's hash");
}

#[test]
fn an_assertion_without_user_verification_is_refused() {
    let (t, sg, _) = setup();
    let hash = plan(&t, "visite.plan", "Merci @jeanne", "keys/redaction");
    let mut ceremony = sg.approve(&hash);
    ceremony.flags = UP;
    t.write("visite.plan.sg.webauthn.json", &ceremony.json());
    refused(&t, "visite.plan", "(UV flag unset)");
}

#[test]
fn an_assertion_made_on_another_origin_is_refused() {
    let (t, sg, _) = setup();
    let hash = plan(&t, "visite.plan", "Merci @jeanne", "keys/redaction");
    let mut ceremony = sg.approve(&hash);
    ceremony.origin = "http://localhost:9999".into();
    t.write("visite.plan.sg.webauthn.json", &ceremony.json());
    refused(
        &t,
        "visite.plan",
        "it was made on the page at http://localhost:9999, not at http://localhost:8750",
    );
}

#[test]
fn an_assertion_for_another_rp_id_is_refused() {
    let (t, sg, _) = setup();
    let hash = plan(&t, "visite.plan", "Merci @jeanne", "keys/redaction");
    let mut ceremony = sg.approve(&hash);
    ceremony.rp_id = "evil.example".into();
    t.write("visite.plan.sg.webauthn.json", &ceremony.json());
    refused(
        &t,
        "visite.plan",
        "its rpIdHash is not the hash of the RP id `localhost`",
    );
}

#[test]
fn a_passkey_that_is_not_in_the_policy_is_refused() {
    let (t, _, _) = setup();
    let hash = plan(&t, "visite.plan", "Merci @jeanne", "keys/redaction");
    let stranger = Authenticator::new(9);
    t.write("visite.plan.sg.webauthn.json", &stranger.approve(&hash).json());
    refused(
        &t,
        "visite.plan",
        "visite.plan.sg.webauthn.json is signed by passkey Y3JlZGVudGlhbC05, which is not one of the policy's [[approvers]]",
    );
}

#[test]
fn the_author_approving_their_own_plan_with_a_passkey_is_refused() {
    // `com` writes the plan with their SSH key, then approves it with their passkey.
    let (t, _, com) = setup();
    let hash = plan(&t, "visite.plan", "Merci @jeanne", "keys/com");
    t.write("visite.plan.com.webauthn.json", &com.approve(&hash).json());
    refused(
        &t,
        "visite.plan",
        "visite.plan.com.webauthn.json: approver `com` wrote this plan (proven by visite.plan.author.sig",
    );
    // `sg` declared as the author by e-mail (they ran `plan` with redaction's key) cannot
    // approve it either.
    let t2 = {
        let (t2, sg, _) = setup();
        let t2 = t2.git_email("sg@culture.example");
        let hash = plan(&t2, "visite.plan", "Merci @jeanne", "keys/redaction");
        t2.write("visite.plan.sg.webauthn.json", &sg.approve(&hash).json());
        t2
    };
    refused(
        &t2,
        "visite.plan",
        "visite.plan.sg.webauthn.json: approver `sg` is the plan's author (",
    );
}

#[test]
fn a_signature_with_one_byte_changed_is_refused() {
    let (t, sg, _) = setup();
    let hash = plan(&t, "visite.plan", "Merci @jeanne", "keys/redaction");
    let mut ceremony = sg.approve(&hash);
    ceremony.flip_signature_byte = true;
    t.write("visite.plan.sg.webauthn.json", &ceremony.json());
    refused(
        &t,
        "visite.plan",
        "its signature does not verify with the approver's key",
    );
}

#[test]
fn a_file_that_is_not_an_assertion_is_refused() {
    let (t, _, _) = setup();
    plan(&t, "visite.plan", "Merci @jeanne", "keys/redaction");
    t.write("visite.plan.sg.webauthn.json", "{\"credential_id\": \"AA\"}");
    refused(
        &t,
        "visite.plan",
        "visite.plan.sg.webauthn.json is not a passkey approval",
    );
}

#[test]
fn a_passkey_approval_counts_in_queue_check() {
    let (t, sg, _) = setup();
    let expires = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24))
        .round(jiff::Unit::Second)
        .unwrap();
    t.write(
        "queue/visite.md",
        &format!(
            "+++\naccount = \"demo\"\nauthor = \"redaction@culture.example\"\nexpires = {expires}\n+++\nMerci @jeanne\n"
        ),
    );
    let out = t.cmd(["--json", "queue", "check", "queue"]).status_any().run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hash = v["items"][0]["plan_hash"].as_str().unwrap().to_string();
    t.cmd([
        "sign",
        "queue/visite.md",
        "--ssh-key",
        "keys/redaction",
        "--plan-hash",
        &hash,
    ])
    .run();
    t.cmd(["queue", "check", "queue"])
        .stdout_has("queue/visite.md:1:1 approve approvals needs 1 approval(s)")
        .stdout_has(
            "needs a signature from `sg` or `com` (`postgate approve queue/visite.md`, or a passkey on \
             `postgate review serve queue/visite.md`)",
        )
        .run();
    t.write("queue/visite.md.sg.webauthn.json", &sg.approve(&hash).json());
    t.cmd(["queue", "check", "queue", "--require-approved"])
        .stdout_has("queue/visite.md:1:1 ok approvals approved by sg")
        .run();
    // A spoiled one is a bad signature there, as it is at apply.
    let mut spoiled = sg.approve(&hash);
    spoiled.flags = UP;
    t.write("queue/visite.md.sg.webauthn.json", &spoiled.json());
    t.cmd(["queue", "check", "queue"])
        .status(code::PLAN_REFUSED)
        .stdout_has(
            "queue/visite.md:1:1 error signature queue/visite.md.sg.webauthn.json by approver `sg` does not approve",
        )
        .run();
}

#[test]
fn an_approver_needs_a_key_and_a_passkey_must_be_whole() {
    let t = Test::new();
    let policy = format!(
        "{}\n[[approvers]]\nname = \"sg\"\nroles = [\"x\"]\n",
        support::policy::audit_and_demo!()
    );
    let t = t.policy(&policy);
    t.cmd(["policy", "check"])
        .status(code::BAD_POLICY)
        .stderr_has("approver `sg` has no key")
        .run();
    let sg = Authenticator::new(3);
    let broken = sg
        .policy_entry()
        .replace("rp_id = \"localhost\"", "rp_id = \"example.org\"");
    let policy = format!(
        "{}\n[[approvers]]\nname = \"sg\"\n{broken}\n",
        support::policy::audit_and_demo!()
    );
    t.write("policy.toml", &policy);
    t.cmd(["policy", "check"])
        .status(code::BAD_POLICY)
        .stderr_has(
            "the passkey of approver `sg` is refused: the RP id `example.org` is not the origin's host `localhost`",
        )
        .run();
    let twice = format!(
        "{}\n[[approvers]]\nname = \"sg\"\n{}\n\n[[approvers]]\nname = \"sg2\"\n{}\n",
        support::policy::audit_and_demo!(),
        sg.policy_entry(),
        sg.policy_entry()
    );
    t.write("policy.toml", &twice);
    t.cmd(["policy", "check"])
        .status(code::BAD_POLICY)
        .stderr_has("approvers `sg` and `sg2` have the same passkey")
        .run();
}
