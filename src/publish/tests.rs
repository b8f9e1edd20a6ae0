//! The steps that need no terminal and no network, on outbox accounts of a policy parsed here.

use super::checks::{self, Attachment, Breach, Checked};
use super::*;
use crate::content::Image;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

const ACCOUNTS: &str = r#"
[audit]
path = "audit.jsonl"

[[accounts]]
name = "demo"
handle = "@demo"
platform = "outbox"
kind = "official"
display_name = "Démo"
owner = "Communication"
path = "outbox"
require_alt_text = false

[[accounts]]
name = "strict"
handle = "@strict"
platform = "outbox"
kind = "official"
display_name = "Strict"
owner = "Communication"
path = "outbox2"
require_alt_text = true
allow_delete = true
"#;

/// A policy over [`ACCOUNTS`] and `extra`, its audit log in a folder of its own that is never
/// created: the steps tested here read the log at most, and find it empty.
fn policy(extra: &str) -> Policy {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "postgate-steps-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let text = format!("{ACCOUNTS}\n{extra}");
    let parsed = match Policy::parse(&text, &dir) {
        Ok(p) => p,
        Err(d) => panic!("{}", crate::diagnostic::render(Path::new("p.toml"), &text, &d)),
    };
    Policy {
        path: dir.join("policy.toml"),
        system_path: None,
        sha256: String::new(),
        audit_path: parsed.audit_path,
        audit_shared: None,
        audit_set: parsed.audit_set,
        audit_syslog: parsed.audit_syslog,
        accounts: parsed.accounts,
        rules: parsed.rules,
        approvals: parsed.approvals,
        lockdown: parsed.lockdown,
    }
}

fn image(name: &str, alt: Option<&str>) -> Image {
    Image {
        file_name: name.to_string(),
        mime: "image/png",
        bytes: Vec::new(),
        alt: alt.map(str::to_string),
    }
}

fn with_images(text: &str, images: Vec<Image>) -> Draft {
    Draft {
        images,
        ..Draft::text(text)
    }
}

/// The checks step, then its verdict, as the pipeline runs them around the banner.
fn judge(policy: &Policy, account: &str, action: &Action, draft: &Draft) -> Result<Checked> {
    let account = policy.account(account)?;
    let client = platform::connect(account)?;
    let log = AuditLog::of(policy);
    let checked = checks::content(policy, account, &*client, draft, action, &log)?;
    checks::verdict(account, action, draft, &checked)?;
    Ok(checked)
}

/// The refusal's message and exit code.
fn refusal<T>(result: Result<T>) -> (String, ExitCode) {
    match result {
        Ok(_) => panic!("expected a refusal"),
        Err(e) => (format!("{e:#}"), exit_code_of(&e)),
    }
}

#[test]
fn a_clean_post_passes_with_its_length() {
    let p = policy("");
    let checked = judge(&p, "demo", &Action::Post, &Draft::text("Bonjour 👋🏽")).expect("clean");
    assert_eq!(checked.length, 9);
    assert!(checked.findings.is_empty());
}

#[test]
fn an_empty_post_is_refused_before_the_banner() {
    let p = policy("");
    let account = p.account("demo").expect("account");
    let client = platform::connect(account).expect("outbox");
    let log = AuditLog::of(&p);
    let result = checks::content(&p, account, &*client, &Draft::text(" \n\t"), &Action::Post, &log);
    assert_eq!(
        refusal(result),
        ("the post is empty; nothing published".into(), ExitCode::ContentRefused)
    );
}

#[test]
fn a_post_too_long_is_refused() {
    let p = policy("");
    let text = "a".repeat(501);
    assert_eq!(
        refusal(judge(&p, "demo", &Action::Post, &Draft::text(text))),
        (
            "the post is 501 characters; outbox allows 500".into(),
            ExitCode::ContentRefused
        )
    );
    assert!(judge(&p, "demo", &Action::Post, &Draft::text("a".repeat(500))).is_ok());
}

#[test]
fn too_many_images_are_refused_before_the_length() {
    let p = policy("");
    let images = (0..5).map(|i| image(&format!("{i}.png"), Some("desc"))).collect();
    let draft = with_images(&"a".repeat(501), images);
    assert_eq!(
        refusal(judge(&p, "demo", &Action::Post, &draft)),
        ("5 images; outbox allows 4".into(), ExitCode::ContentRefused)
    );
}

#[test]
fn an_image_without_alt_text_is_refused_where_the_account_requires_it() {
    let p = policy("");
    let draft = with_images("Bonjour", vec![image("a.png", Some("ok")), image("b.png", None)]);
    assert_eq!(
        refusal(judge(&p, "strict", &Action::Post, &draft)),
        (
            "image b.png has no description, and account `strict` requires one".into(),
            ExitCode::ContentRefused
        )
    );
    assert!(judge(&p, "demo", &Action::Post, &draft).is_ok());
}

#[test]
fn a_denied_finding_is_refused_with_its_rule() {
    let p = policy(
        r#"
[[rules]]
id = "reserve"
kind = "terms"
level = "deny"
message = "période de réserve : « %s »"
terms = ["votez"]
"#,
    );
    let (message, code) = refusal(judge(&p, "demo", &Action::Post, &Draft::text("Votez dimanche")));
    assert_eq!(code, ExitCode::ContentRefused);
    assert!(
        message.starts_with("refused by the policy's rules: reserve ("),
        "{message}"
    );
}

#[test]
fn a_delete_is_refused_where_the_account_does_not_allow_it() {
    let p = policy("");
    let delete = Action::Delete {
        post: "x1".into(),
        reason: "typo".into(),
    };
    assert_eq!(
        refusal(judge(&p, "demo", &delete, &Draft::text("typo"))),
        (
            "account `demo` does not allow deleting posts (allow_delete = false)".into(),
            ExitCode::ContentRefused
        )
    );
}

#[test]
fn a_delete_reason_is_not_held_to_the_length_nor_the_rules() {
    let p = policy(
        r#"
[[rules]]
id = "reserve"
kind = "terms"
level = "deny"
terms = ["votez"]
"#,
    );
    let delete = Action::Delete {
        post: "x1".into(),
        reason: "votez".into(),
    };
    let reason = format!("votez {}", "a".repeat(600));
    let checked = judge(&p, "strict", &delete, &Draft::text(reason)).expect("a reason is never published");
    assert_eq!(checked.length, 0);
    assert!(checked.findings.is_empty());
}

#[test]
fn check_and_the_pipeline_judge_limits_alike() {
    let p = policy("");
    let account = p.account("strict").expect("account");
    let limits = platform::spec::Limits {
        max_characters: 10,
        max_images: 1,
        max_bytes: None,
    };
    let images = [
        Attachment {
            name: "a.png".into(),
            described: false,
        },
        Attachment {
            name: "b.png".into(),
            described: false,
        },
    ];
    let breaches = checks::limits(account, "0123456789ab", 12, &images, Some(limits));
    assert_eq!(
        breaches,
        vec![
            Breach::TooLong { length: 12, max: 10 },
            Breach::TooManyImages { count: 2, max: 1 },
            Breach::NoAltText {
                count: 2,
                first: "a.png".into()
            },
        ]
    );
    let lines: Vec<String> = breaches
        .iter()
        .map(|b| {
            let f = b.finding(account);
            format!("{} {}", f.rule, f.message)
        })
        .collect();
    assert_eq!(
        lines,
        [
            "platform-limit 12 characters; outbox allows 10",
            "platform-limit 2 images; outbox allows 1",
            "require_alt_text 2 image(s) without a description; account `strict` requires one",
        ]
    );
    // Offline, without the limits (a Mastodon instance's own), only the account's own rule.
    assert_eq!(checks::limits(account, "0123456789ab", 12, &images, None).len(), 1);
}

#[test]
fn a_plan_goes_out_only_inside_its_window() {
    let at = |s: &str| s.parse::<jiff::Timestamp>().expect("time");
    let plan = Plan {
        window: crate::plan::Window {
            not_before: Some(at("2026-12-01T09:00:00Z")),
            expires: Some(at("2026-12-02T09:00:00Z")),
        },
        ..sample_plan()
    };
    let (early, late) = (
        window(&plan, at("2026-12-01T08:59:59Z")),
        window(&plan, at("2026-12-02T09:00:00Z")),
    );
    assert_eq!(
        early.map_err(|f| (f.message, f.code)),
        Err((
            "the plan may not be published before 2026-12-01T09:00:00Z".into(),
            ExitCode::PlanRefused
        ))
    );
    assert_eq!(
        late.map_err(|f| (f.message, f.code)),
        Err((
            "the plan expired at 2026-12-02T09:00:00Z; nothing was published".into(),
            ExitCode::PlanRefused
        ))
    );
    assert!(window(&plan, at("2026-12-01T09:00:00Z")).is_ok());
}

fn sample_plan() -> Plan {
    toml::from_str(
        r#"
format = 1
plan_hash = ""

[author]
user = "alice"

[account]
name = "demo"
handle = "@demo"
platform = "outbox"
host = "local"
kind = "official"

[post]
text = "Bonjour"
"#,
    )
    .expect("plan")
}

#[test]
fn a_post_that_needs_approval_is_refused_without_a_plan() {
    let p = policy(
        r#"
[[rules]]
id = "partenariat"
kind = "terms"
level = "approve"
terms = ["partenariat"]
"#,
    );
    let account = p.account("demo").expect("account");
    let req = Request {
        action: Action::Post,
        account: "demo".into(),
        draft: Draft::text("Un partenariat nouveau"),
        dry_run: false,
        confirm_handle: None,
        interactive: false,
        plan: None,
    };
    let mut trail = Trail::new(&p, &req);
    let log = AuditLog::of(&p);
    trail.findings = checks::content_findings(&p, account, &req.draft, 24, observed_now(&log)).expect("rules");
    assert_eq!(trail.findings.len(), 1, "{:?}", trail.findings);
    let err = approvals(&p, account, &req, &mut trail).expect_err("needs approval");
    assert_eq!(exit_code_of(&err), ExitCode::PlanRefused);
    assert!(format!("{err}").starts_with("this post needs approval: "), "{err}");
    assert!(
        crate::error::hint_of(&err).is_some_and(|h| h.contains("postgate plan -a demo … -o post.plan")),
        "{:?}",
        crate::error::hint_of(&err)
    );

    let plain = Request {
        draft: Draft::text("Bonjour"),
        ..req
    };
    let mut trail = Trail::new(&p, &plain);
    assert!(approvals(&p, account, &plain, &mut trail).is_ok());
}

#[test]
fn recent_posts_are_counted_by_the_hour_and_the_day() {
    let at = |s: &str| s.parse::<jiff::Timestamp>().expect("time");
    let now = at("2026-12-01T12:00:00Z");
    let times = [
        at("2026-12-01T11:30:00Z"),
        at("2026-12-01T10:00:00Z"),
        // Later than `now`: the clock went back, and it still counts unless `until` says not.
        at("2026-12-01T12:10:00Z"),
    ];
    let all = crate::rules::Recent::count(&times, now, None);
    assert_eq!((all.last_hour, all.last_day), (2, 3));
    let until_now = crate::rules::Recent::count(&times, now, Some(now));
    assert_eq!((until_now.last_hour, until_now.last_day), (1, 2));
}

use crate::platform::spec::testing::Lists;

/// An attempt at "Bonjour" on `demo` that recorded its intent and nothing after, as a run
/// killed mid-publish leaves it; with the trail of a second run of the same post.
fn left_in_doubt(p: &Policy) -> (Request, InDoubt) {
    std::fs::create_dir_all(p.audit_path.parent().expect("folder")).expect("audit folder");
    let req = Request {
        action: Action::Post,
        account: "demo".into(),
        draft: Draft::text("Bonjour"),
        dry_run: false,
        confirm_handle: None,
        interactive: false,
        plan: None,
    };
    second_run(p, &req).append("intent", Outcome::Pending).expect("intent");
    let account = p.account("demo").expect("account");
    let doubt = AuditLog::of(p)
        .in_doubt_since(
            account.platform.as_str(),
            &account.host(),
            &account.handle,
            jiff::Timestamp::UNIX_EPOCH,
        )
        .expect("log")
        .pop()
        .expect("one attempt in doubt");
    (req, doubt)
}

/// The trail of a second run of the post [`left_in_doubt`] made.
fn second_run<'a>(p: &'a Policy, req: &'a Request) -> Trail<'a> {
    let mut trail = Trail::new(p, req);
    trail.account = p.account("demo").ok();
    trail
}

/// How many attempts on `demo` the audit log holds in doubt.
fn in_doubt(p: &Policy) -> usize {
    AuditLog::of(p)
        .in_doubt_since("outbox", "local", "@demo", jiff::Timestamp::UNIX_EPOCH)
        .expect("log")
        .len()
}

fn listed(text: &str, after: jiff::Timestamp) -> crate::platform::spec::RemotePost {
    crate::platform::spec::RemotePost {
        id: "found-1".into(),
        url: "https://example.org/found-1".into(),
        created_at: after.checked_add(jiff::SignedDuration::from_secs(2)).ok(),
        text: text.into(),
    }
}

#[test]
fn look_before_write_records_a_post_that_did_land_and_sends_nothing() {
    let p = policy("");
    let (req, doubt) = left_in_doubt(&p);
    let account = p.account("demo").expect("account");
    let trail = second_run(&p, &req);
    let client = Lists(crate::platform::spec::Listing::whole(vec![listed(
        "Bonjour", doubt.time,
    )]));
    let receipt = look_before_write(&trail, account, &client, &doubt)
        .expect("search")
        .expect("found");
    assert!(receipt.already);
    assert_eq!(receipt.published.as_ref().map(|p| p.id.as_str()), Some("found-1"));
    assert_eq!(in_doubt(&p), 0, "the attempt is settled");
    let ids = AuditLog::of(&p)
        .published_ids_since("outbox", "local", "@demo", jiff::Timestamp::UNIX_EPOCH)
        .expect("log");
    assert!(ids.contains("found-1"), "{ids:?}");
}

#[test]
fn look_before_write_goes_on_when_a_whole_listing_lacks_the_post() {
    let p = policy("");
    let (req, doubt) = left_in_doubt(&p);
    let account = p.account("demo").expect("account");
    let trail = second_run(&p, &req);
    let client = Lists(crate::platform::spec::Listing::whole(vec![listed(
        "Bonsoir", doubt.time,
    )]));
    let found = look_before_write(&trail, account, &client, &doubt).expect("search");
    assert!(found.is_none());
    assert_eq!(in_doubt(&p), 0, "the attempt is settled as not published");
}

#[test]
fn look_before_write_refuses_to_guess_from_a_cut_listing() {
    let p = policy("");
    let (req, doubt) = left_in_doubt(&p);
    let account = p.account("demo").expect("account");
    let trail = second_run(&p, &req);
    let client = Lists(crate::platform::spec::Listing::cut(
        vec![listed("Bonsoir", doubt.time)],
        "the listing stops after 25 pages",
    ));
    let err = look_before_write(&trail, account, &client, &doubt).expect_err("inconclusive");
    assert_eq!(exit_code_of(&err), ExitCode::Incomplete);
    assert!(
        format!("{err}").contains("the listing stops after 25 pages; nothing was sent"),
        "{err}"
    );
    assert_eq!(in_doubt(&p), 1, "still in doubt");
}
