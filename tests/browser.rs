//! The review page in a real browser: headless Chromium with a virtual authenticator enrols a
//! passkey on `keys passkey enroll`'s page, approves and declines on `review serve`'s, and
//! `apply` then publishes what it approved, or refuses what was tampered with.
//!
//! Screenshots at a phone's viewport and a desktop's are written to
//! `target/tmp/review-artefacts/`; `POSTGATE_UPDATE_SCREENSHOTS=1` copies them to
//! `docs/images/`, where docs/approvals.md shows them.

use crate::support;
use support::browser::Browser;
use support::web::Served;
use support::{Test, code};

/// A loopback port nobody listens on now. The enrolment page and the review page must share it:
/// a passkey's origin names its port, and the enrolment page runs before the review page.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn policy(sg_entry: &str, redaction: &str) -> String {
    format!(
        "{}\n[[rules]]\nid = \"consentement\"\nkind = \"mentions\"\nlevel = \"approve\"\nkinds = [\"official\"]\n\
         on = [\"mentions\"]\nmessage = \"%s : son consentement est-il recueilli ?\"\n\n{}\n\n\
         [[authors]]\nname = \"redaction\"\nkey = \"{redaction}\"\n",
        support::policy::audit_and_demo!(),
        sg_entry.replace(
            "roles = []",
            "roles = [\"secretaire-generale\"]\nemail = \"sg@culture.example\""
        ),
    )
}

fn plan(t: &Test, name: &str, text: &str) -> String {
    let out = t
        .cmd(["plan", "-a", "demo", "-o", name, "--ssh-key", "keys/redaction", text])
        .run();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// The `/plan/ID` link of `file` on the list page.
fn link_of(b: &mut Browser, file: &str) -> String {
    let html = b.html();
    let at = html
        .find(file)
        .unwrap_or_else(|| panic!("{file} is not listed: {html}"));
    let before = &html[..at];
    let href = before.rfind("href=\"/plan/").expect("a link before the file name") + "href=\"".len();
    before[href..].split('"').next().expect("a link").to_string()
}

/// Width and height of a PNG, from its IHDR chunk.
fn png_size(path: &std::path::Path) -> (u32, u32) {
    let bytes = std::fs::read(path).expect("the screenshot");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{} is not a PNG", path.display());
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    (be(16), be(20))
}

/// Takes the screenshot and checks that the OFFICIAL banner is in it, across the viewport.
fn screenshot_with_banner(b: &mut Browser, name: &str, width: u32, height: u32) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("review-artefacts");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("review-{name}.png"));
    b.screenshot(&path, width, height);
    assert_eq!(png_size(&path), (width, height));
    let banner = b.bounding_box("#kind");
    let (y, w, h) = (
        banner["y"].as_f64().unwrap(),
        banner["width"].as_f64().unwrap(),
        banner["height"].as_f64().unwrap(),
    );
    assert!(
        y >= 0.0 && y + h <= f64::from(height),
        "the banner is off the {name} screen: {banner}"
    );
    assert!(
        w >= f64::from(width) * 0.9,
        "the banner does not span the {name} screen: {banner}"
    );
    assert!(b.text("#kind").contains("OFFICIAL ACCOUNT"));
    let seen = b.eval("getComputedStyle(document.querySelector('#kind')).backgroundColor");
    assert_eq!(seen, "rgb(176, 0, 32)", "the banner's colour on the {name} screen");
    if std::env::var_os("POSTGATE_UPDATE_SCREENSHOTS").is_some() {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/images");
        std::fs::create_dir_all(&docs).unwrap();
        std::fs::copy(&path, docs.join(format!("review-{name}.png"))).unwrap();
    }
}

#[test]
fn a_passkey_enrolled_in_the_browser_approves_a_plan_that_apply_then_publishes() {
    let t = Test::new().git_email("redaction@culture.example");
    let redaction = t.ssh_key("redaction");
    let port = free_port();
    let origin = format!("http://localhost:{port}");
    let listen = format!("127.0.0.1:{port}");
    let mut b = Browser::start();

    // Enrol: the page works once, and prints the entry for the policy.
    let enrol = Served::start(&t, &["keys", "passkey", "enroll", "sg", "--origin", &origin]);
    let url = enrol
        .line
        .trim_start_matches("open ")
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    assert!(url.starts_with(&format!("{origin}/enroll/")), "{url}");
    assert_eq!(b.goto(&url)["status"], 200);
    b.click("#enrol");
    b.wait_text("#result", "Enrolled: passkey SHA256:");
    let (status, entry, stderr) = enrol.wait();
    assert_eq!(status, 0, "{stderr}");
    assert!(
        entry.starts_with("[[approvers]]\nname = \"sg\"\npasskey = { credential_id = \""),
        "{entry}"
    );
    assert!(
        entry.contains(&format!("rp_id = \"localhost\", origin = \"{origin}\" }}")),
        "{entry}"
    );
    assert!(stderr.contains("made sg's passkey (ES256, passkey SHA256:"), "{stderr}");
    let credentials = b.send(serde_json::json!({ "op": "credentials" }));
    assert_eq!(
        credentials["credentials"].as_array().map(Vec::len),
        Some(1),
        "{credentials}"
    );

    let t = t.policy(&policy(&entry, &redaction));
    let hash = plan(&t, "visite.plan", "Merci @jeanne pour sa visite");
    let other = plan(&t, "autre.plan", "Merci @jeanne, et votez pour moi");
    let s = Served::start(
        &t,
        &["review", "serve", "--listen", &listen, "visite.plan", "autre.plan"],
    );
    assert_eq!(s.line, format!("{origin}/"));

    // The list, then the plan page: the banner's facts, at a phone's width and a desktop's.
    b.goto(&format!("{origin}/"));
    assert!(b.text("main").contains("needs 1 approval(s) from any approver"));
    let visite = link_of(&mut b, "visite.plan");
    b.goto(&format!("{origin}{visite}"));
    assert_eq!(b.text("#handle"), t.handle("demo"));
    assert_eq!(b.text("#plan-hash"), hash);
    assert!(b.html().contains("<mark class=\"approve\">@jeanne</mark>"));
    screenshot_with_banner(&mut b, "phone", 390, 844);
    screenshot_with_banner(&mut b, "desktop", 1280, 900);

    // Approve: the passkey signs the plan hash; the server checks and writes the file.
    b.click("#approve");
    let said = b.wait_text("#result", "Approved by sg");
    assert!(
        said.contains("visite.plan.sg.webauthn.json") && said.contains("Nothing more is needed"),
        "{said}"
    );
    let file = t.read("visite.plan.sg.webauthn.json");
    let assertion: serde_json::Value = serde_json::from_str(&file).unwrap();
    assert_eq!(assertion.as_object().map(|o| o.len()), Some(4), "{file}");

    // Decline the other plan, with a reason.
    let autre = {
        b.goto(&format!("{origin}/"));
        link_of(&mut b, "autre.plan")
    };
    b.goto(&format!("{origin}{autre}"));
    b.click("#review summary");
    b.fill("#reason", "Pas de consigne de vote sur le compte de la mairie.");
    b.click("#decline");
    b.wait_text("#result", "Declined by sg");
    let stderr = s.stop();
    assert!(
        stderr.contains("visite.plan: approved by `sg` with passkey SHA256:"),
        "{stderr}"
    );
    assert!(stderr.contains("autre.plan: declined by `sg`"), "{stderr}");

    // The browser's own assertion with one signature byte changed is refused (exit 11).
    let mut bad = assertion.clone();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut sig = b64.decode(bad["signature"].as_str().unwrap()).unwrap();
    let last = sig.len() - 1;
    sig[last] ^= 0x01;
    bad["signature"] = b64.encode(sig).into();
    t.write("visite.plan.sg.webauthn.json", &bad.to_string());
    t.cmd(["apply", "visite.plan", "--confirm-handle", "@mairie_demo_{uid}"])
        .status(code::PLAN_REFUSED)
        .stderr_has("its signature does not verify with the approver's key")
        .run();
    assert!(t.outbox("outbox").is_empty());
    t.write("visite.plan.sg.webauthn.json", &file);

    // apply publishes what the passkey approved, and the audit names the approver and the key.
    t.cmd(["apply", "visite.plan", "--confirm-handle", "@mairie_demo_{uid}"])
        .stderr_has("approved by sg")
        .run();
    assert_eq!(t.outbox("outbox").len(), 1);
    let published = t.audit().last().cloned().unwrap();
    assert_eq!(published["outcome"]["status"], "published");
    let fingerprint = stderr
        .split("with ")
        .nth(1)
        .and_then(|r| r.split(" (").next())
        .expect("the key named")
        .to_string();
    assert_eq!(published["approvals"][0], format!("sg {fingerprint}"));
    t.cmd(["apply", "autre.plan", "--confirm-handle", "@mairie_demo_{uid}"])
        .status(code::PLAN_REFUSED)
        .stderr_has("the plan was declined by `sg`: Pas de consigne de vote sur le compte de la mairie.")
        .run();

    // The browser's own assertion, tampered with, is refused at apply (exit 11).
    std::fs::remove_file(t.path().join("autre.plan.sg.decline.json")).unwrap();
    t.write("autre.plan.sg.webauthn.json", &file);
    t.cmd(["apply", "autre.plan", "--confirm-handle", "@mairie_demo_{uid}"])
        .status(code::PLAN_REFUSED)
        .stderr_has(&format!(
            "autre.plan.sg.webauthn.json by approver `sg` does not approve this plan ({other}): its challenge is not \
             this plan's hash"
        ))
        .run();
    assert_eq!(t.outbox("outbox").len(), 1);
}

#[test]
fn the_page_shows_a_hostile_text_escaped_and_refuses_a_post_without_its_csrf_token() {
    let t = Test::new().git_email("redaction@culture.example");
    let redaction = t.ssh_key("redaction");
    let t = t.policy(&policy("", &redaction));
    plan(
        &t,
        "piege.plan",
        "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\"> pay\u{200b}pal \u{202e}lanif @jeanne",
    );
    let port = free_port();
    let origin = format!("http://localhost:{port}");
    let s = Served::start(
        &t,
        &[
            "review",
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "piege.plan",
        ],
    );
    let mut b = Browser::start();
    b.goto(&format!("{origin}/"));
    let piege = link_of(&mut b, "piege.plan");
    b.goto(&format!("{origin}{piege}"));
    let text = b.text("#text");
    assert!(
        text.starts_with(
            "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\"> pay⟨U+200B⟩pal ⟨U+202E⟩lanif"
        ),
        "{text}"
    );
    assert_eq!(b.eval("typeof window.pwned"), "undefined");
    assert_eq!(b.eval("document.querySelectorAll('#text script, #text img').length"), 0);
    assert_eq!(b.eval("document.querySelectorAll('#text .hidden').length"), 2);
    // A script on the page's own origin, without the page's token: refused.
    let body = serde_json::json!({ "plan_hash": b.text("#plan-hash"), "assertion": {
        "credential_id": "AA", "authenticator_data": "AA", "client_data_json": "AA", "signature": "AA" } });
    let answer = b.send(serde_json::json!({
        "op": "fetch", "url": format!("{piege}/approve"), "method": "POST",
        "headers": { "Content-Type": "application/json" }, "body": body.to_string(),
    }));
    assert_eq!(answer["status"], 403, "{answer}");
    assert!(
        answer["body"].as_str().unwrap().contains("no valid CSRF token"),
        "{answer}"
    );
    // No approver has a passkey here: the page says so instead of offering a button.
    assert!(b.text("main").contains("No approver in the policy has a passkey for"));
    drop(s);
}
