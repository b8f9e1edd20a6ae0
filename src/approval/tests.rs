use super::*;
use crate::rules::Finding;

const POLICY: &str = r#"
[[accounts]]
name = "culture"
handle = "@culture"
platform = "outbox"
kind = "official"
display_name = "Culture"
owner = "Com"
path = "out"

[[accounts]]
name = "perso"
handle = "@perso"
platform = "outbox"
kind = "personal"
display_name = "Perso"
owner = "Perso"
path = "out2"

[[rules]]
id = "reponse"
kind = "mentions"
level = "approve"
on = ["replies"]

[[rules]]
id = "nuit"
kind = "schedule"
level = "warn"
timezone = "Europe/Paris"
quiet = "22:00-07:00"

[[approvers]]
name = "sg"
key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBnpmNjoYhzM0L166OkNqvXUUmjzYVRjqn7Z8y3iViiK sg"
roles = ["secretaire-generale"]
email = "sg@example.org"

[[approvers]]
name = "com"
key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ2NXvl68fWtnQF7eHLc4j2B48tHcCVxBURh9WJ/iDoP com"
roles = ["communication"]
user = "com"

[[approvals.require]]
rule = "reponse"
roles = ["secretaire-generale"]

[[approvals.require]]
rule = "nuit"
kinds = ["official"]
count = 2
"#;

fn policy() -> crate::policy::Parsed {
    crate::policy::Policy::parse(POLICY, std::path::Path::new("/tmp")).expect("valid policy")
}

fn finding(rule: &str, level: Level) -> Finding {
    Finding {
        rule: rule.into(),
        level,
        message: String::new(),
        suggestion: None,
        span: None,
    }
}

#[test]
fn a_named_rule_takes_its_requirement_and_other_approve_rules_need_one() {
    let p = policy();
    let culture = &p.accounts[0];
    let needs = p.approvals.needs(culture, &[finding("reponse", Level::Approve)], true);
    assert_eq!(needs.len(), 1);
    assert_eq!(needs[0].roles, vec!["secretaire-generale".to_string()]);
    let needs = p.approvals.needs(culture, &[finding("other", Level::Approve)], false);
    assert_eq!(
        needs,
        vec![Need {
            why: "rule other is at level approve".into(),
            count: 1,
            roles: vec![]
        }]
    );
    assert!(p.approvals.needs(culture, &[], false).is_empty());
}

#[test]
fn selectors_must_all_match() {
    let p = policy();
    let (culture, perso) = (&p.accounts[0], &p.accounts[1]);
    let night = [finding("nuit", Level::Warn)];
    assert_eq!(p.approvals.needs(culture, &night, false)[0].count, 2);
    assert!(p.approvals.needs(perso, &night, false).is_empty());
}

#[test]
fn each_approver_counts_once_and_only_with_a_matching_role() {
    let p = policy();
    let sg = p.approvals.approver("sg").unwrap();
    let com = p.approvals.approver("com").unwrap();
    let need = |count, roles: &[&str]| Need {
        why: "x".into(),
        count,
        roles: roles.iter().map(|r| r.to_string()).collect(),
    };
    assert!(unmet(&[need(1, &["secretaire-generale"])], &[sg]).is_empty());
    assert_eq!(unmet(&[need(1, &["secretaire-generale"])], &[com]).len(), 1);
    assert_eq!(unmet(&[need(2, &[])], &[sg, sg]).len(), 1);
    assert!(unmet(&[need(2, &[])], &[sg, com]).is_empty());
}

#[test]
fn the_author_is_known_by_email_or_user() {
    let p = policy();
    let sg = p.approvals.approver("sg").unwrap();
    let com = p.approvals.approver("com").unwrap();
    let author = |user: &str, email: Option<&str>| crate::plan::Author {
        user: user.into(),
        email: email.map(str::to_string),
    };
    assert!(sg.is_author(&author("x", Some("SG@example.org"))));
    assert!(
        !sg.is_author(&author("sg", None)),
        "sg has no user set, so the user name alone says nothing"
    );
    assert!(com.is_author(&author("com", None)));
    assert!(!com.is_author(&author("other", Some("com@example.org"))));
}

#[test]
fn policy_errors_name_the_problem() {
    let bad = POLICY.replace("rule = \"reponse\"", "rule = \"absent\"");
    let diags = crate::policy::Policy::parse(&bad, std::path::Path::new("/tmp")).unwrap_err();
    assert!(
        diags.iter().any(|d| d.message == "no rule `absent` in this policy"),
        "{diags:?}"
    );
    let bad = POLICY.replace("count = 2", "count = 3");
    let diags = crate::policy::Policy::parse(&bad, std::path::Path::new("/tmp")).unwrap_err();
    assert!(
        diags
            .iter()
            .any(|d| d.message == "this requirement asks for 3 approvals but only 2 approver(s) can give one"),
        "{diags:?}"
    );
    let bad = POLICY.replace("AAAAIJ2NXvl68fWtnQF7eHLc4j2B48tHcCVxBURh9WJ/iDoP", "AAAAnotakey");
    let diags = crate::policy::Policy::parse(&bad, std::path::Path::new("/tmp")).unwrap_err();
    assert!(
        diags[0]
            .message
            .starts_with("the key of approver `com` is not an OpenSSH public key"),
        "{diags:?}"
    );
}

/// A fresh key, which the test policy lists nowhere.
fn unknown_key() -> PublicKey {
    let key = ssh_key::PrivateKey::random(&mut ssh_key::rand_core::OsRng, ssh_key::Algorithm::Ed25519).unwrap();
    key.public_key().clone()
}

const AUTHOR_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBnpmNjoYhzM0L166OkNqvXUUmjzYVRjqn7Z8y3iViiK";

#[test]
fn an_author_is_proven_by_key_and_an_approver_never_approves_what_they_wrote() {
    let other = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBKqfBSmN107CGeKs29RK9b/utDD3F5OO9+Rm4kDuAVt";
    let text = format!(
        "{POLICY}\n[[authors]]\nname = \"redaction\"\nkey = \"{other} r\"\n\n[[authors]]\nname = \"sg\"\nkey = \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGL7KB7C0uu3OW2nEdm1jtQZxgVdu3FsoD50auUOvpn/ sg2\"\n"
    );
    let p = crate::policy::Policy::parse(&text, std::path::Path::new("/tmp")).expect("valid policy");
    let sg = p.approvals.approver("sg").unwrap();
    let com = p.approvals.approver("com").unwrap();
    let key = |line: &str| PublicKey::from_openssh(line).unwrap();
    let redaction = p.approvals.author_for(&key(other)).unwrap();
    assert_eq!(
        (redaction.name.as_str(), redaction.entry.as_str()),
        ("redaction", "[[authors]]")
    );
    assert!(!sg.wrote(&redaction) && !com.wrote(&redaction));
    // sg's approver key, and sg's second key listed under the same name in [[authors]].
    let by_key = p.approvals.author_for(sg.key.as_ref().unwrap()).unwrap();
    assert_eq!(by_key.entry, "[[approvers]]");
    assert!(sg.wrote(&by_key) && !com.wrote(&by_key));
    let by_name = p
        .approvals
        .author_for(&key(
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGL7KB7C0uu3OW2nEdm1jtQZxgVdu3FsoD50auUOvpn/",
        ))
        .unwrap();
    assert_eq!(by_name.entry, "[[authors]]");
    assert!(sg.wrote(&by_name), "one person, two keys, one name");
    assert!(p.approvals.author_for(&unknown_key()).is_none());
}

#[test]
fn author_keys_are_unique_and_no_approver_is_named_author() {
    let text = format!("{POLICY}\n[[authors]]\nname = \"redaction\"\nkey = \"{AUTHOR_KEY} copy\"\n");
    let diags = crate::policy::Policy::parse(&text, std::path::Path::new("/tmp")).unwrap_err();
    assert!(
        diags
            .iter()
            .any(|d| d.message == "author `redaction` has the key of [[approvers]] `sg`"),
        "{diags:?}"
    );
    let text = POLICY.replace("name = \"com\"", "name = \"author\"");
    let diags = crate::policy::Policy::parse(&text, std::path::Path::new("/tmp")).unwrap_err();
    assert!(
        diags.iter().any(|d| d.message == "`author` cannot name an approver"),
        "{diags:?}"
    );
    let text = format!("{POLICY}\n[[authors]]\nname = \"r\"\nkey = \"nope\"\n");
    let diags = crate::policy::Policy::parse(&text, std::path::Path::new("/tmp")).unwrap_err();
    assert!(
        diags[0]
            .message
            .starts_with("the key of author `r` is not an OpenSSH public key"),
        "{diags:?}"
    );
}
