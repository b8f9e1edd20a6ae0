//! `postgate check` over drafts, as a pull-request job runs it: exact lines, exit codes, JSON.

use crate::support;
use support::{DEFAULT_POLICY, Test, code};

const RULES: &str = r#"
[[rules]]
id = "reserve-electorale"
kind = "terms"
level = "deny"
kinds = ["official"]
terms = ["candidat"]

[[rules]]
id = "liens"
kind = "links"
level = "approve"
allow = ["gouv.fr"]

[[rules]]
id = "francais"
kind = "terms"
level = "warn"

[rules.suggest]
"e-mail" = "courriel"
"#;

fn drafts() -> Test {
    let t = Test::new().policy(&format!("{DEFAULT_POLICY}{RULES}"));
    let dir = t.path().join("drafts");
    std::fs::create_dir_all(dir.join("semaine-2")).unwrap();
    std::fs::write(
        dir.join("a-propre.md"),
        "+++\naccount = \"demo\"\n+++\nLe programme sur https://www.culture.gouv.fr\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("semaine-2/b-refus.md"),
        "+++\naccount = \"demo\"\nlanguage = \"fr\"\n+++\nBonjour,\nle candidat écrit par e-mail : https://exemple.org\n",
    )
    .unwrap();
    // Not a draft: other extensions and hidden files are skipped.
    std::fs::write(dir.join("notes.json"), "{}").unwrap();
    std::fs::write(dir.join(".brouillon.md"), "candidat").unwrap();
    t
}

#[test]
fn a_folder_of_drafts_gives_one_located_line_per_finding() {
    let t = drafts();
    t.cmd(["check", "drafts"])
        .status(code::CONTENT)
        .stdout(
            "drafts/semaine-2/b-refus.md:6:4 deny reserve-electorale \"candidat\" is on the list\n\
             drafts/semaine-2/b-refus.md:6:23 warn francais use \"courriel\" instead of \"e-mail\" (suggestion: courriel)\n\
             drafts/semaine-2/b-refus.md:6:32 approve liens link to exemple.org, outside the allowed domains (gouv.fr)\n",
        )
        .stderr("checked 2 draft(s): 1 refused (deny), 1 need approval, 1 warning(s)\n")
        .run();
}

#[test]
fn clean_drafts_pass_and_approvals_alone_do_not_fail_the_job() {
    let t = drafts();
    t.cmd(["check", "drafts/a-propre.md"])
        .stdout("")
        .stderr("checked 1 draft(s): 0 refused (deny), 0 need approval, 0 warning(s)\n")
        .run();
    t.cmd(["check", "-a", "demo", "-"])
        .stdin("voir https://exemple.org\n")
        .stdout("<stdin>:1:6 approve liens link to exemple.org, outside the allowed domains (gouv.fr)\n")
        .run();
}

#[test]
fn json_output_carries_positions_and_matches() {
    let t = drafts();
    let out = t
        .cmd(["check", "--format", "json", "drafts"])
        .status(code::CONTENT)
        .run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["drafts"], 2);
    assert_eq!(v["summary"]["deny"], 1);
    let f = &v["files"][1]["findings"][0];
    assert_eq!(v["files"][1]["file"], "drafts/semaine-2/b-refus.md");
    assert_eq!(v["files"][1]["account"], "demo");
    assert_eq!(
        (f["line"].as_u64(), f["col"].as_u64(), f["end_col"].as_u64()),
        (Some(6), Some(4), Some(12))
    );
    assert_eq!(f["match"], "candidat");
    assert_eq!(f["level"], "deny");
    // --json is the same as --format json.
    let again = t.cmd(["--json", "check", "drafts"]).status(code::CONTENT).run();
    assert_eq!(again.stdout, out.stdout);
}

#[test]
fn drafts_that_cannot_be_checked_fail_with_their_location() {
    let t = drafts();
    std::fs::write(t.path().join("sans-compte.md"), "Bonjour").unwrap();
    std::fs::write(
        t.path().join("mauvais.md"),
        "+++\naccount = \"demo\"\nlangue = \"fr\"\n+++\nx",
    )
    .unwrap();
    std::fs::write(t.path().join("autre.md"), "+++\naccount = \"ailleurs\"\n+++\nx").unwrap();
    t.cmd(["check", "sans-compte.md", "mauvais.md", "autre.md"])
        .status(code::USAGE)
        .stderr_has("sans-compte.md:1:1 error no account: pass --account NAME, or set `account` in the draft's +++ front matter\n")
        .stderr_has("mauvais.md:3:1 error front matter: unknown field `langue`")
        .stderr_has("autre.md:1:1 error no account named `ailleurs`")
        .stderr_has("3 could not be checked")
        .run();
    t.cmd(["check", "-a", "perso", "drafts/a-propre.md"])
        .status(code::USAGE)
        .stderr_has("the draft is for account `demo`, but --account says `perso`")
        .run();
    t.cmd(["check", "nulle-part"])
        .status(code::USAGE)
        .stderr_has("nulle-part: no such file or folder")
        .run();
}

#[test]
fn platform_limits_and_missing_alt_text_are_reported_like_post_would() {
    let t = drafts();
    let long = "é".repeat(501);
    std::fs::write(
        t.path().join("long.md"),
        format!("+++\naccount = \"demo\"\n+++\n{long}"),
    )
    .unwrap();
    t.png("affiche.png");
    std::fs::write(
        t.path().join("image.md"),
        "+++\naccount = \"demo\"\n[[images]]\npath = \"affiche.png\"\n+++\nL'affiche",
    )
    .unwrap();
    t.cmd(["check", "long.md", "image.md"])
        .status(code::CONTENT)
        .stdout(
            "long.md:4:1 deny platform-limit 501 characters; outbox allows 500\n\
             image.md:6:1 deny require_alt_text 1 image(s) without a description; account `demo` requires one\n",
        )
        .run();
}

#[test]
fn a_draft_is_a_regular_file_of_at_most_1_mib() {
    let t = drafts();
    let big = format!("+++\naccount = \"demo\"\n+++\n{}", "a".repeat(1 << 20));
    std::fs::write(t.path().join("drafts/gros.md"), big).unwrap();
    let fifo = t.path().join("drafts/tube.md");
    support::mkfifo(&fifo);
    // A folder walk passes over the FIFO with a warning; named on its own, it is refused. Either
    // way nothing waits for a writer.
    t.cmd(["check", "drafts"])
        .status(code::USAGE)
        .stderr_has("gros.md:1:1 error cannot read: larger than 1024 KiB, the most postgate reads for a post")
        .stderr_has("drafts/tube.md: warning: not a regular file, not read")
        .run();
    t.cmd(["check", "drafts/tube.md"])
        .status(code::USAGE)
        .stderr_has("tube.md:1:1 error cannot read: not a regular file (a FIFO)")
        .run();
}

#[test]
fn a_drafts_folder_is_walked_without_following_links() {
    let t = drafts();
    let dir = t.path().join("drafts");
    std::os::unix::fs::symlink("/", dir.join("root")).unwrap();
    std::os::unix::fs::symlink(".", dir.join("boucle")).unwrap();
    std::os::unix::fs::symlink("a-propre.md", dir.join("copie.md")).unwrap();
    let out = t
        .cmd(["check", "drafts"])
        .status(code::CONTENT)
        .stderr_has("drafts/boucle: warning: a symbolic link, not followed")
        .stderr_has("drafts/copie.md: warning: a symbolic link, not followed")
        .stderr_has("drafts/root: warning: a symbolic link, not followed")
        .stderr_has("checked 2 draft(s)")
        .run();
    assert!(!String::from_utf8(out.stdout).unwrap().contains("copie.md"));
    let out = t.cmd(["--json", "check", "drafts"]).status(code::CONTENT).run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["skipped"].as_array().unwrap().len(), 3);
    assert_eq!(v["skipped"][0]["file"], "drafts/boucle");
    assert_eq!(v["skipped"][0]["reason"], "a symbolic link, not followed");
}

#[test]
fn a_draft_image_outside_its_folder_is_an_error_at_its_path() {
    let t = Test::new();
    t.png("affiche.png");
    t.write(
        "drafts/a.md",
        "+++\naccount = \"demo\"\n[[images]]\nalt = \"L'affiche\"\npath = \"../affiche.png\"\n+++\nL'affiche",
    );
    t.cmd(["check", "drafts/a.md"])
        .status(code::USAGE)
        .stderr_has("drafts/a.md:5:8 error image `../affiche.png` goes outside the folder `drafts`")
        .run();
}
