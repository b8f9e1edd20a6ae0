//! `postgate review serve` over HTTP, without a browser: what it serves, what it refuses, and
//! that an approval posted to it is checked, written, audited and then publishes at `apply`.
//! The assertions come from the software authenticator (`support::passkey`); the browser tests
//! (`browser.rs`) make them with Chromium's.

use crate::support;
use support::passkey::{Authenticator, UP};
use support::web::{self, Served};
use support::{Test, code};

const HOST: &str = "localhost:8750";
const ORIGIN: &str = "http://localhost:8750";

/// `sg` approves with a passkey; `redaction` writes with an SSH key.
fn setup() -> (Test, Authenticator) {
    let sg = Authenticator::new(3);
    let t = Test::new().git_email("redaction@culture.example");
    let redaction = t.ssh_key("redaction");
    let policy = format!(
        "{}\n[[rules]]\nid = \"consentement\"\nkind = \"mentions\"\nlevel = \"approve\"\nkinds = [\"official\"]\n\
         on = [\"mentions\"]\nmessage = \"%s : son consentement est-il recueilli ?\"\n\n\
         [[approvers]]\nname = \"sg\"\n{}\nroles = [\"secretaire-generale\"]\nemail = \"sg@culture.example\"\n\n\
         [[authors]]\nname = \"redaction\"\nkey = \"{redaction}\"\n",
        support::policy::audit_and_demo!(),
        sg.policy_entry(),
    );
    (t.policy(&policy), sg)
}

fn plan(t: &Test, name: &str, text: &str) -> String {
    let out = t
        .cmd(["plan", "-a", "demo", "-o", name, "--ssh-key", "keys/redaction", text])
        .run();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn serve(t: &Test, sources: &[&str]) -> Served {
    let mut args = vec!["review", "serve", "--listen", "127.0.0.1:0", "--origin", ORIGIN];
    args.extend_from_slice(sources);
    let served = Served::start(t, &args);
    assert_eq!(served.line, format!("{ORIGIN}/"));
    served
}

/// The one plan link of the list page, and the page's CSRF token.
fn first_plan(s: &Served) -> (String, String) {
    let list = web::get(&s.addr, HOST, "/");
    assert_eq!(list.status, 200, "{}", list.body);
    let links = web::plan_links(&list.body);
    assert_eq!(links.len(), 1, "{}", list.body);
    (links[0].clone(), web::csrf_of(&list.body))
}

fn approval_body(hash: &str, assertion: &str) -> String {
    let assertion: serde_json::Value = serde_json::from_str(assertion).unwrap();
    serde_json::json!({ "plan_hash": hash, "assertion": assertion }).to_string()
}

#[test]
fn an_approval_posted_to_the_page_is_checked_written_audited_and_then_publishes() {
    let (t, sg) = setup();
    let hash = plan(&t, "visite.plan", "Merci @jeanne pour sa visite");
    let s = serve(&t, &["visite.plan"]);
    let (link, csrf) = first_plan(&s);
    let body = approval_body(&hash, &sg.approve(&hash).json());
    let answer = web::post(
        &s.addr,
        HOST,
        &format!("{link}/approve"),
        &[("Origin", ORIGIN), ("X-CSRF-Token", &csrf)],
        &body,
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["approver"], "sg");
    assert_eq!(answer.json()["missing"], serde_json::json!([]));
    let written: serde_json::Value = serde_json::from_str(&t.read("visite.plan.sg.webauthn.json")).unwrap();
    assert_eq!(
        written,
        serde_json::from_str::<serde_json::Value>(&sg.approve(&hash).json()).unwrap()
    );
    let approval = t
        .audit()
        .into_iter()
        .find(|r| r["event"] == "approval")
        .expect("an approval record");
    assert_eq!(approval["action"], "review serve");
    assert_eq!(approval["outcome"]["approver"], "sg");
    assert!(
        approval["outcome"]["fingerprint"]
            .as_str()
            .unwrap()
            .starts_with("passkey SHA256:")
    );
    assert_eq!(approval["plan_hash"], hash.as_str());
    assert_eq!(approval["author"]["name"], "redaction");
    let stderr = s.stop();
    assert!(
        stderr.contains("visite.plan: approved by `sg` with passkey SHA256:"),
        "{stderr}"
    );

    t.cmd(["apply", "visite.plan", "--confirm-handle", "@mairie_demo_{uid}"])
        .stderr_has("approved by sg")
        .run();
    assert_eq!(t.outbox("outbox").len(), 1);
}

#[test]
fn the_page_refuses_a_post_without_its_origin_or_csrf_token_and_another_host() {
    let (t, sg) = setup();
    let hash = plan(&t, "visite.plan", "Merci @jeanne");
    let s = serve(&t, &["visite.plan"]);
    let (link, csrf) = first_plan(&s);
    let body = approval_body(&hash, &sg.approve(&hash).json());
    let path = format!("{link}/approve");
    let no_token = web::post(&s.addr, HOST, &path, &[("Origin", ORIGIN)], &body);
    assert_eq!(no_token.status, 403);
    assert!(
        no_token.json()["error"]
            .as_str()
            .unwrap()
            .contains("no valid CSRF token")
    );
    let wrong_token = web::post(
        &s.addr,
        HOST,
        &path,
        &[("Origin", ORIGIN), ("X-CSRF-Token", "x")],
        &body,
    );
    assert_eq!(wrong_token.status, 403);
    let other_site = web::post(
        &s.addr,
        HOST,
        &path,
        &[("Origin", "http://evil.example"), ("X-CSRF-Token", &csrf)],
        &body,
    );
    assert_eq!(other_site.status, 403);
    assert!(other_site.json()["error"].as_str().unwrap().contains("origin"));
    // A DNS name rebound to 127.0.0.1 names another host.
    let rebound = web::post(
        &s.addr,
        "evil.example:8750",
        &path,
        &[("Origin", ORIGIN), ("X-CSRF-Token", &csrf)],
        &body,
    );
    assert_eq!(rebound.status, 421);
    assert_eq!(web::get(&s.addr, "evil.example", "/").status, 421);
    assert!(!t.path().join("visite.plan.sg.webauthn.json").exists());
    assert!(t.audit().iter().all(|r| r["event"] != "approval"));
}

#[test]
fn only_the_plans_named_are_served_and_every_answer_carries_the_security_headers() {
    let (t, _) = setup();
    plan(&t, "a.plan", "Merci @jeanne");
    plan(&t, "b.plan", "Merci @paul");
    let s = serve(&t, &["a.plan"]);
    let list = web::get(&s.addr, HOST, "/");
    let csp = list.header("content-security-policy").unwrap();
    assert!(csp.starts_with("default-src 'none'; script-src 'self';"), "{csp}");
    assert_eq!(list.header("x-frame-options"), Some("DENY"));
    assert_eq!(list.header("cache-control"), Some("no-store"));
    assert!(
        list.body.contains("a.plan") && !list.body.contains("b.plan"),
        "{}",
        list.body
    );
    let b = format!("/plan/{}", postgate::review::id_of(std::path::Path::new("b.plan")));
    assert_eq!(web::get(&s.addr, HOST, &b).status, 404);
    let a = format!("/plan/{}", postgate::review::id_of(std::path::Path::new("a.plan")));
    assert_eq!(web::get(&s.addr, HOST, &a).status, 200);
    for path in ["/../b.plan", "/plan/../../etc/passwd", "/b.plan", "/policy.toml"] {
        assert_eq!(web::get(&s.addr, HOST, path).status, 404, "{path}");
    }
}

#[test]
fn the_plan_page_shows_markup_and_hidden_characters_escaped_and_visible() {
    let (t, _) = setup();
    plan(
        &t,
        "piege.plan",
        "<script>alert(1)</script> pay\u{200b}pal \u{202e}evil @jeanne",
    );
    let s = serve(&t, &["piege.plan"]);
    let (link, _) = first_plan(&s);
    let page = web::get(&s.addr, HOST, &link).body;
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{page}");
    assert!(page.contains("<span class=\"hidden\">⟨U+200B⟩</span>"), "{page}");
    assert!(page.contains("<span class=\"hidden\">⟨U+202E⟩</span>"), "{page}");
    assert!(!page.contains('\u{202e}') && !page.contains('\u{200b}'));
    // The finding is marked where the banner highlights it.
    assert!(page.contains("<mark class=\"approve\">@jeanne</mark>"), "{page}");
    assert!(
        page.contains("<header class=\"kind official\" id=\"kind\"><strong>OFFICIAL ACCOUNT</strong>"),
        "{page}"
    );
    // The only script is the page's own file.
    assert_eq!(page.matches("<script").count(), 1, "{page}");
    assert!(page.contains("<script src=\"/app.js\" defer></script>"));
}

#[test]
fn an_assertion_for_another_plan_or_by_the_author_is_refused_and_nothing_written() {
    let (t, sg) = setup();
    let a = plan(&t, "a.plan", "Merci @jeanne");
    let s = serve(&t, &["a.plan"]);
    let (link, csrf) = first_plan(&s);
    let headers = [("Origin", ORIGIN), ("X-CSRF-Token", csrf.as_str())];
    let other = "sha256:".to_string() + &"ab".repeat(32);
    let wrong = web::post(
        &s.addr,
        HOST,
        &format!("{link}/approve"),
        &headers,
        &approval_body(&a, &sg.approve(&other).json()),
    );
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(
        wrong.json()["error"]
            .as_str()
            .unwrap()
            .contains("its challenge is not this plan's hash")
    );
    let mut no_uv = sg.approve(&a);
    no_uv.flags = UP;
    let refused = web::post(
        &s.addr,
        HOST,
        &format!("{link}/approve"),
        &headers,
        &approval_body(&a, &no_uv.json()),
    );
    assert_eq!(refused.status, 422);
    assert!(refused.json()["error"].as_str().unwrap().contains("UV flag unset"));
    let stale = web::post(
        &s.addr,
        HOST,
        &format!("{link}/approve"),
        &headers,
        &approval_body(&other, &sg.approve(&other).json()),
    );
    assert_eq!(stale.status, 409);
    assert!(
        stale.json()["error"]
            .as_str()
            .unwrap()
            .contains("the plan changed since this page was loaded")
    );
    assert!(!t.path().join("a.plan.sg.webauthn.json").exists());
    drop(s);

    // sg declared as the author (by e-mail) cannot approve on the page.
    let t = t.git_email("sg@culture.example");
    let b = plan(&t, "b.plan", "Merci @jeanne");
    let s = serve(&t, &["b.plan"]);
    let (link, csrf) = first_plan(&s);
    let own = web::post(
        &s.addr,
        HOST,
        &format!("{link}/approve"),
        &[("Origin", ORIGIN), ("X-CSRF-Token", &csrf)],
        &approval_body(&b, &sg.approve(&b).json()),
    );
    assert_eq!(own.status, 403, "{}", own.body);
    assert!(
        own.json()["error"]
            .as_str()
            .unwrap()
            .contains("nobody approves their own plan")
    );
    assert!(!t.path().join("b.plan.sg.webauthn.json").exists());
}

/// Writes a queue item that expires in a day, signs it as its author, gives its plan hash.
fn queue_item(t: &Test, name: &str, text: &str) -> String {
    let expires = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24))
        .round(jiff::Unit::Second)
        .unwrap();
    t.write(
        name,
        &format!("+++\naccount = \"demo\"\nauthor = \"redaction@culture.example\"\nexpires = {expires}\n+++\n{text}\n"),
    );
    let out = t.cmd(["--json", "queue", "check", "queue"]).status_any().run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hash = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["file"] == name)
        .unwrap()["plan_hash"]
        .as_str()
        .unwrap()
        .to_string();
    t.cmd(["sign", name, "--ssh-key", "keys/redaction", "--plan-hash", &hash])
        .run();
    hash
}

#[test]
fn a_decline_with_its_reason_is_shown_by_queue_check_audited_and_refused_at_apply() {
    let (t, sg) = setup();
    let hash = queue_item(&t, "queue/visite.md", "Merci @jeanne");
    let s = serve(&t, &["queue"]);
    let (link, csrf) = first_plan(&s);
    let reason = "Le consentement de Jeanne n'est pas recueilli.";
    let mut ceremony = sg.approve(&hash);
    ceremony.challenge = postgate::approval::decline::challenge(&hash, reason).to_vec();
    let assertion: serde_json::Value = serde_json::from_str(&ceremony.json()).unwrap();
    let headers = [("Origin", ORIGIN), ("X-CSRF-Token", csrf.as_str())];
    // The decline's signature covers its reason: another reason does not verify.
    let swapped = serde_json::json!({ "plan_hash": hash, "reason": "OK", "assertion": assertion }).to_string();
    let answer = web::post(&s.addr, HOST, &format!("{link}/decline"), &headers, &swapped);
    assert_eq!(answer.status, 422, "{}", answer.body);
    let body = serde_json::json!({ "plan_hash": hash, "reason": reason, "assertion": assertion }).to_string();
    let answer = web::post(&s.addr, HOST, &format!("{link}/decline"), &headers, &body);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let page = web::get(&s.addr, HOST, &link).body;
    assert!(
        page.contains("declined by sg: Le consentement de Jeanne n&#39;est pas recueilli."),
        "{page}"
    );
    drop(s);

    let declined = t
        .audit()
        .into_iter()
        .find(|r| r["event"] == "decline")
        .expect("a decline record");
    assert_eq!(declined["outcome"]["status"], "declined");
    assert_eq!(declined["outcome"]["reason"], reason);
    assert_eq!(declined["plan_hash"], hash.as_str());
    t.cmd(["queue", "check", "queue"])
        .stdout_has(&format!(
            "queue/visite.md:1:1 declined approvals declined by `sg`: {reason} (remove queue/visite.md.sg.decline.json once addressed)"
        ))
        .run();
    t.cmd([
        "queue",
        "publish",
        "queue",
        "--due",
        "--confirm-handle",
        "@mairie_demo_{uid}",
    ])
    .status(code::PLAN_REFUSED)
    .stderr_has(&format!("the plan was declined by `sg`: {reason}"))
    .run();
    assert!(t.outbox("outbox").is_empty());
    // A decline file forged without sg's passkey is a refusal too, never ignored.
    t.write(
        "queue/visite.md.sg.decline.json",
        &format!("{{\"reason\": \"x\", \"assertion\": {}}}", sg.approve(&hash).json()),
    );
    t.cmd([
        "queue",
        "publish",
        "queue",
        "--due",
        "--confirm-handle",
        "@mairie_demo_{uid}",
    ])
    .status(code::PLAN_REFUSED)
    .stderr_has("queue/visite.md.sg.decline.json by approver `sg` is not a decline of this plan")
    .run();
}

#[test]
fn the_stats_page_shows_what_log_stats_counts_with_its_chart() {
    let (t, sg) = setup();
    let hash = plan(&t, "visite.plan", "Merci @jeanne pour sa visite");
    let s = serve(&t, &["visite.plan"]);
    let (link, csrf) = first_plan(&s);
    let answer = web::post(
        &s.addr,
        HOST,
        &format!("{link}/approve"),
        &[("Origin", ORIGIN), ("X-CSRF-Token", &csrf)],
        &approval_body(&hash, &sg.approve(&hash).json()),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    drop(s);
    t.cmd(["apply", "visite.plan", "--confirm-handle", "@mairie_demo_{uid}"])
        .run();
    let out = t.cmd(["--json", "log", "stats", "--since", "7d"]).run();
    let figures: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(figures["accounts"][0]["posts"], 1, "{figures}");
    assert_eq!(figures["accounts"][0]["plan_to_approval"]["count"], 1, "{figures}");
    let s = serve(&t, &["visite.plan"]);
    let page = web::get(&s.addr, HOST, "/stats?days=7");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<strong>7 days</strong>"), "{}", page.body);
    assert!(
        page.body
            .contains("<tr><th scope=\"row\">demo</th><td>1</td><td>0</td><td>0</td><td>0</td><td>n 1,"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Median time from plan to last approval"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<script>"));
}

/// `[approvals] notify` writes what it was told to `notified.txt`, one line per variable.
const NOTIFY: &str = "\n[approvals]\nnotify = \"printf '%s|%s|%s|%s|%s|%s|%s\\\\n' \\\"$POSTGATE_EVENT\\\" \\\"$POSTGATE_PLAN\\\" \
    \\\"$POSTGATE_PLAN_HASH\\\" \\\"$POSTGATE_ACCOUNT\\\" \\\"$POSTGATE_KIND\\\" \\\"$POSTGATE_REVIEW_URL\\\" \\\"$POSTGATE_SUMMARY\\\" \
    >> notified.txt\"\nreview_url = \"https://relecture.exemple.fr/\"\n";

fn with_notify(t: Test) -> Test {
    let policy = std::fs::read_to_string(t.policy_path()).unwrap() + NOTIFY;
    t.policy(&policy)
}

#[test]
fn notify_tells_approvers_of_a_plan_written_with_its_facts_in_variables_never_in_the_command() {
    let (t, _) = setup();
    let t = with_notify(t);
    let hostile = "Merci @jeanne $(touch pwned) `touch pwned2`; touch pwned3";
    let hash = plan(&t, "visite.plan", hostile);
    let id = postgate::review::id_of(std::path::Path::new("visite.plan"));
    assert_eq!(
        t.read("notified.txt"),
        format!("plan-written|visite.plan|{hash}|demo|official|https://relecture.exemple.fr/plan/{id}|{hostile}\n")
    );
    for f in ["pwned", "pwned2", "pwned3"] {
        assert!(!t.path().join(f).exists(), "{f}: the text reached a shell");
    }
    // A plan that needs nobody's approval tells nobody.
    plan(&t, "annonce.plan", "Le programme de la semaine");
    assert_eq!(t.read("notified.txt").lines().count(), 1);
}

#[test]
fn notify_tells_approvers_once_when_a_queue_item_falls_due_without_approval() {
    let (t, _) = setup();
    let t = with_notify(t);
    let hash = queue_item(&t, "queue/visite.md", "Merci @jeanne");
    let publish = [
        "queue",
        "publish",
        "queue",
        "--due",
        "--confirm-handle",
        "@mairie_demo_{uid}",
    ];
    t.cmd(publish).status(code::PLAN_REFUSED).run();
    let told = t.read("notified.txt");
    assert!(
        told.starts_with(&format!(
            "due-without-approval|queue/visite.md|{hash}|demo|official|https://relecture.exemple.fr/plan/"
        )),
        "{told}"
    );
    t.cmd(publish).status(code::PLAN_REFUSED).run();
    assert_eq!(t.read("notified.txt").lines().count(), 1, "told twice");
    assert!(t.outbox("outbox").is_empty());
}

#[test]
fn the_server_will_not_start_while_someone_else_holds_localhost_on_ipv6() {
    // Browsers may try ::1 first for localhost: whoever listens there gets the approvers.
    let squatter = std::net::TcpListener::bind("[::1]:0").expect("IPv6 loopback");
    let port = squatter.local_addr().unwrap().port();
    let (t, _) = setup();
    plan(&t, "visite.plan", "Merci @jeanne");
    t.cmd([
        "review",
        "serve",
        "--listen",
        &format!("127.0.0.1:{port}"),
        "visite.plan",
    ])
    .status(code::USAGE)
    .stderr_has(&format!(
        "error: another program listens on [::1]:{port}, where browsers also look for localhost:{port}"
    ))
    .run();
    t.cmd([
        "keys",
        "passkey",
        "enroll",
        "sg",
        "--origin",
        &format!("http://localhost:{port}"),
    ])
    .status(code::USAGE)
    .stderr_has(&format!("another program listens on [::1]:{port}"))
    .run();
}
