//! `postgate reconcile`: posts made around postgate (here with curl, straight to mastodon-mock
//! and the reference PDS) are reported, exactly those, with a non-zero exit; postgate's own
//! posts never are.

use crate::support;
use support::hostile::{Hostile, Reply};
use support::{Test, bluesky_user, code, mastodon_url, mastodon_user, pds_url, policy};

fn curl_json(t: &Test, args: &[&str]) -> serde_json::Value {
    let out = t
        .command("curl")
        .args(["-s", "--fail-with-body"])
        .args(args)
        .output()
        .expect("curl");
    assert!(
        out.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).expect("curl got JSON")
}

fn time(text: &str) -> String {
    text.parse::<jiff::Timestamp>().unwrap().to_string()
}

#[test]
fn a_status_posted_with_curl_on_mastodon_is_reported_and_nothing_else() {
    let t = Test::new().keychain();
    let alice = mastodon_user(&format!("rec_{}", t.uid));
    let t = t.policy(&policy::with_audit(&[&policy::mastodon(
        "masto",
        &alice.handle,
        mastodon_url(),
    )]));
    t.cmd(["login", "masto", "--secret-stdin"]).stdin(&alice.token).run();
    t.post("masto", "Premier message officiel").run();
    t.cmd(["reconcile", "masto"])
        .stdout("")
        .stderr_has("masto: 1 post(s) since ")
        .stderr_has(", 0 not made by postgate")
        .run();

    // Someone with the token, at night, without postgate. The text hides a bidi override.
    let text = "Démission & honte \u{202e}!sucof";
    let status = curl_json(
        &t,
        &[
            "-X",
            "POST",
            "-H",
            &format!("Authorization: Bearer {}", alice.token),
            "--data-urlencode",
            &format!("status={text}"),
            &format!("{}/api/v1/statuses", mastodon_url()),
        ],
    );
    t.post("masto", "Second message officiel").run();

    let id = status["id"].as_str().unwrap();
    let url = status["url"].as_str().unwrap();
    let line = format!(
        "masto\t{}\t{id}\t{url}\t{}\n",
        time(status["created_at"].as_str().unwrap()),
        postgate::sanitize::one_line(text)
    );
    assert!(line.contains("⟨U+202E⟩"), "{line}");
    t.cmd(["reconcile", "masto", "--since", "1h"])
        .status(code::FOREIGN_POSTS)
        .stdout(&line)
        .stderr_has("masto: 3 post(s) since ")
        .stderr_has(", 1 not made by postgate (1 seen for the first time)")
        .run();
    let first_seen: Vec<_> = t.audit().into_iter().filter(|r| r["event"] == "foreign").collect();
    assert_eq!(first_seen.len(), 1);
    assert_eq!(first_seen[0]["outcome"]["id"], id);
    assert_eq!(first_seen[0]["text"], text);
    assert_eq!(first_seen[0]["account"]["name"], "masto");

    // The hook runs once per foreign post, with the post in its environment; the post was
    // seen by the run before, so it is not new any more.
    t.cmd([
        "reconcile",
        "masto",
        "--on-foreign",
        "printf '%s|%s|%s|%s\\n' \"$POSTGATE_ACCOUNT\" \"$POSTGATE_POST_ID\" \"$POSTGATE_POST_URL\" \"$POSTGATE_POST_NEW\" >> hook.txt; echo paged",
    ])
    .status(code::FOREIGN_POSTS)
    .stdout(&line)
    .stderr_has("paged")
    .run();
    assert_eq!(t.read("hook.txt"), format!("masto|{id}|{url}|0\n"));

    // After a lockdown the credential is gone, and reconcile still sees the public timeline.
    t.cmd(["lockdown", "masto", "--reason", "publication inconnue"]).run();
    let out = t
        .cmd(["--json", "reconcile", "masto"])
        .status(code::FOREIGN_POSTS)
        .run();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let foreign = report["accounts"][0]["foreign"].as_array().unwrap();
    assert_eq!(foreign.len(), 1);
    assert_eq!(foreign[0]["id"], id);
    assert_eq!(foreign[0]["text"], text);
    assert_eq!(report["accounts"][0]["listed"], 3);
    assert_eq!(foreign[0]["new"], false);
    // Three runs saw it; the audit log says once when it was first seen.
    assert_eq!(t.audit().iter().filter(|r| r["event"] == "foreign").count(), 1);
    t.cmd(["log", "verify"]).run();
}

#[test]
fn a_record_created_with_curl_on_the_pds_is_reported_and_nothing_else() {
    let t = Test::new().keychain();
    let alice = bluesky_user("recb");
    let t = t.policy(&policy::with_audit(&[&policy::bluesky(
        "bsky",
        &alice.handle,
        pds_url(),
    )]));
    t.cmd(["login", "bsky", "--secret-stdin"])
        .stdin(&alice.app_password)
        .run();
    t.post("bsky", "Message officiel").run();
    t.cmd(["reconcile", "bsky"])
        .stdout("")
        .stderr_has(", 0 not made by postgate")
        .run();

    let xrpc = |m: &str| format!("{}/xrpc/{m}", pds_url());
    let session = curl_json(
        &t,
        &[
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "-d",
            &serde_json::json!({ "identifier": alice.handle, "password": alice.app_password }).to_string(),
            &xrpc("com.atproto.server.createSession"),
        ],
    );
    let created_at = jiff::Timestamp::now().to_string();
    let record = curl_json(
        &t,
        &[
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "-H",
            &format!("Authorization: Bearer {}", session["accessJwt"].as_str().unwrap()),
            "-d",
            &serde_json::json!({
                "repo": alice.did,
                "collection": "app.bsky.feed.post",
                "record": { "$type": "app.bsky.feed.post", "text": "Publié sans postgate", "createdAt": created_at },
            })
            .to_string(),
            &xrpc("com.atproto.repo.createRecord"),
        ],
    );
    let uri = record["uri"].as_str().unwrap();
    let rkey = uri.rsplit('/').next().unwrap();
    t.cmd(["reconcile", "bsky"])
        .status(code::FOREIGN_POSTS)
        .stdout(&format!(
            "bsky\t{}\t{uri}\thttps://bsky.app/profile/{}/post/{rkey}\tPublié sans postgate\n",
            time(&created_at),
            alice.handle
        ))
        .stderr_has("bsky: 2 post(s) since ")
        .stderr_has(", 1 not made by postgate")
        .run();
}

#[test]
fn a_runners_audit_log_counts_and_a_hand_made_outbox_post_does_not() {
    let t = Test::new();
    let handle = t.handle("demo");
    t.cmd(["post", "-a", "demo", "--confirm-handle", &handle, "Depuis le poste"])
        .run();
    // A CI runner with its own audit log publishes to the same account.
    let runner = t
        .fill(&std::fs::read_to_string(t.policy_path()).unwrap())
        .replace("state/audit.jsonl", "runner/audit.jsonl");
    t.write("runner.toml", &runner);
    t.cmd([
        "--policy",
        "runner.toml",
        "post",
        "-a",
        "demo",
        "--confirm-handle",
        &handle,
        "Depuis la CI",
    ])
    .run();
    let ci_post = t
        .outbox("outbox")
        .into_iter()
        .find(|p| p["text"] == "Depuis la CI")
        .unwrap();
    let ci_id = ci_post["id"].as_str().unwrap().to_string();
    t.cmd(["reconcile", "demo"])
        .status(code::FOREIGN_POSTS)
        .stdout_has(&format!("\t{ci_id}\t"))
        .stderr_has("demo: 2 post(s) since ")
        .run();
    t.cmd(["reconcile", "demo", "--audit-log", "runner/audit.jsonl"])
        .stdout("")
        .stderr_has(", 0 not made by postgate")
        .run();

    // A file dropped into the outbox by hand is a post postgate never made.
    let mut forged = ci_post.clone();
    forged["id"] = "forged1".into();
    forged["text"] = "\u{1b}[2JFaux".into();
    t.write("outbox/posts/forged1.json", &forged.to_string());
    let out = t
        .cmd(["reconcile", "demo", "--audit-log", "runner/audit.jsonl"])
        .status(code::FOREIGN_POSTS)
        .run();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("\tforged1\t"), "{stdout}");
    assert!(stdout.ends_with("\t⟨U+001B⟩[2JFaux\n"), "{stdout}");

    t.cmd(["reconcile", "demo", "--since", "yesterday"])
        .status(code::USAGE)
        .stderr_has("--since: `yesterday` is not an age (30m, 24h, 7d, 2w) or an RFC 3339 time")
        .run();
}

/// A Bluesky record key (TID) for a time: microseconds then 10 clock bits, base32-sortable.
fn tid(at: jiff::Timestamp, clock: u64) -> String {
    const ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";
    let value = ((at.as_microsecond() as u64) << 10) | (clock & 0x3ff);
    (0..13)
        .rev()
        .map(|i| ALPHABET[((value >> (i * 5)) & 0x1f) as usize] as char)
        .collect()
}

#[test]
fn a_mastodon_server_that_always_has_another_full_page_is_read_up_to_the_cap() {
    let server = Hostile::start();
    // Every page is full, recent and new: only the page cap ends the listing.
    server.on("GET", "/api/v1/accounts/1/statuses", |request| {
        let below: u64 = request
            .param("max_id")
            .and_then(|m| m.parse().ok())
            .unwrap_or(1_000_000);
        let now = jiff::Timestamp::now().to_string();
        let page: Vec<serde_json::Value> = (1..=40)
            .map(|i| {
                serde_json::json!({
                    "id": (below - i).to_string(),
                    "url": format!("https://hostile.example/@a/{}", below - i),
                    "created_at": now,
                    "content": "<p>encore</p>",
                })
            })
            .collect();
        Reply::Json(200, serde_json::Value::from(page).to_string())
    });
    let t = Test::new().policy(&format!(
        "[audit]\npath = \"{{dir}}/state/audit.jsonl\"\n\n[[accounts]]\nname = \"masto\"\nhandle = \"@alice@{}\"\nplatform = \"mastodon\"\ninstance = \"{}\"\naccount_id = \"1\"\nkind = \"official\"\ndisplay_name = \"Mairie\"\nowner = \"Tests\"\n",
        server.domain(),
        server.url()
    ));
    t.cmd(["reconcile", "masto", "--since", "1h"])
        .status(code::FOREIGN_POSTS)
        .stderr_has("warning: mastodon: the listing stops after 25 pages; only the newest 1000 post(s) were checked, not all since ")
        .stderr_has("masto: 1000 post(s) since ")
        .run();
    assert_eq!(server.hits("GET", "/api/v1/accounts/1/statuses"), 25);
}

#[test]
fn a_mastodon_server_that_repeats_its_page_ends_the_listing() {
    let server = Hostile::start();
    let now = jiff::Timestamp::now().to_string();
    // max_id is ignored: the same full page comes back every time.
    let page: Vec<serde_json::Value> = (1..=40)
        .map(|i| serde_json::json!({ "id": i.to_string(), "created_at": now, "content": "pareil" }))
        .collect();
    server.json(
        "GET",
        "/api/v1/accounts/1/statuses",
        200,
        &serde_json::Value::from(page).to_string(),
    );
    let t = Test::new().policy(&format!(
        "[audit]\npath = \"{{dir}}/state/audit.jsonl\"\n\n[[accounts]]\nname = \"masto\"\nhandle = \"@alice@{}\"\nplatform = \"mastodon\"\ninstance = \"{}\"\naccount_id = \"1\"\nkind = \"official\"\ndisplay_name = \"Mairie\"\nowner = \"Tests\"\n",
        server.domain(),
        server.url()
    ));
    t.cmd(["reconcile", "masto"])
        .status(code::FOREIGN_POSTS)
        .stderr_has("warning: mastodon: the server repeated a page")
        .run();
    assert_eq!(server.hits("GET", "/api/v1/accounts/1/statuses"), 2);
}

#[test]
fn a_pds_that_always_hands_out_a_new_cursor_is_read_up_to_the_cap() {
    let server = Hostile::start();
    let pages = std::sync::atomic::AtomicU64::new(0);
    server.on("GET", "/xrpc/com.atproto.repo.listRecords", move |_| {
        let n = pages.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let now = jiff::Timestamp::now();
        let records: Vec<serde_json::Value> = (0..100)
            .map(|i| {
                let rkey = tid(now, n * 100 + i);
                serde_json::json!({
                    "uri": format!("at://did:plc:hostile/app.bsky.feed.post/{rkey}"),
                    "cid": "bafy",
                    "value": { "text": "encore", "createdAt": now.to_string() },
                })
            })
            .collect();
        Reply::Json(
            200,
            serde_json::json!({ "records": records, "cursor": format!("c{n}") }).to_string(),
        )
    });
    let t = Test::new().policy(&format!(
        "[audit]\npath = \"{{dir}}/state/audit.jsonl\"\n\n[[accounts]]\nname = \"bsky\"\nhandle = \"hostile.example.org\"\nplatform = \"bluesky\"\nservice = \"{}\"\ndid = \"did:plc:hostile\"\nkind = \"official\"\ndisplay_name = \"Mairie\"\nowner = \"Tests\"\n",
        server.url()
    ));
    t.cmd(["reconcile", "bsky", "--since", "1h"])
        .status(code::FOREIGN_POSTS)
        .stderr_has("warning: bluesky: the listing stops after 10 pages; only the newest 1000 post(s) were checked")
        .run();
    assert_eq!(server.hits("GET", "/xrpc/com.atproto.repo.listRecords"), 10);
}

#[test]
fn a_post_killed_before_its_outcome_is_in_doubt_not_foreign_and_a_rerun_records_it() {
    let t = Test::new();
    let post = || t.post("demo", "Annonce");
    post().env("POSTGATE_FAULT", "kill-after-publish").status_signal().run();
    let posts = t.outbox("outbox");
    assert_eq!(posts.len(), 1);
    let id = posts[0]["id"].as_str().unwrap().to_string();
    assert_eq!(t.audit().last().unwrap()["event"], "intent");

    // Reconcile knows the post for postgate's own, unfinished, attempt.
    t.cmd(["reconcile", "demo"])
        .stdout("")
        .stderr_has(&format!("demo: {id} is postgate's, in doubt: audit record #1 ("))
        .stderr_has(", 0 not made by postgate")
        .run();
    // A post of the same text made around postgate is foreign all the same.
    let mut copy = posts[0].clone();
    copy["id"] = "copy1".into();
    // A second earlier than postgate's own: with the very same time, which of the two is paired
    // with the unfinished attempt would depend on the order the folder lists them in.
    let made: jiff::Timestamp = posts[0]["created_at"].as_str().unwrap().parse().unwrap();
    copy["created_at"] = (made - jiff::SignedDuration::from_secs(1)).to_string().into();
    t.write("outbox/posts/copy1.json", &copy.to_string());
    t.cmd(["reconcile", "demo"])
        .status(code::FOREIGN_POSTS)
        .stdout_has("\tcopy1\t")
        .run();
    std::fs::remove_file(t.path().join("outbox/posts/copy1.json")).unwrap();

    // The re-run presents the same key: the outbox finds the post, and the log records it.
    let out = post()
        .stderr_has("an earlier run of this post (audit record #1, ")
        .run();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with(&format!("{id}\t")));
    assert_eq!(t.outbox("outbox").len(), 1);
    let last = t.audit().last().unwrap().clone();
    assert_eq!(last["outcome"]["status"], "published");
    assert_eq!(last["outcome"]["id"], id.as_str());
    let reconciled = t.cmd(["reconcile", "demo"]).stdout("").run();
    assert!(!String::from_utf8_lossy(&reconciled.stderr).contains("in doubt"));
    // Settled: the same text again is a new post.
    post().run();
    assert_eq!(t.outbox("outbox").len(), 2);
}

/// A post dropped into the demo outbox by hand, with `text`: one postgate never made.
fn forge(t: &Test, id: &str, text: &str) {
    let handle = t.handle("demo");
    if t.outbox("outbox").is_empty() {
        t.cmd(["post", "-a", "demo", "--confirm-handle", &handle, "Officiel"])
            .run();
    }
    let mut forged = t.outbox("outbox").into_iter().next().unwrap();
    forged["id"] = id.into();
    forged["text"] = text.into();
    std::fs::write(t.path().join(format!("outbox/posts/{id}.json")), forged.to_string()).unwrap();
}

#[test]
fn a_torn_audit_log_still_reports_foreign_posts_and_runs_the_hook() {
    let t = Test::new();
    forge(&t, "forged1", "Faux message");
    // A crash mid-write leaves a torn last line.
    let mut bytes = std::fs::read(t.audit_path()).unwrap();
    bytes.extend_from_slice(b"{\"seq\":3,\"prev\":\"dead");
    std::fs::write(t.audit_path(), &bytes).unwrap();

    t.cmd([
        "reconcile",
        "demo",
        "--on-foreign",
        "printf '%s\\n' \"$POSTGATE_POST_ID\" >> hook.txt",
    ])
    .status(code::FOREIGN_POSTS)
    .stdout_has("\tforged1\t")
    .stderr_has("demo: 2 post(s) since ")
    .stderr_has(", 1 not made by postgate (1 seen for the first time)")
    .stderr_has("is damaged: its last line is torn (a write was cut short)")
    .stderr_has("`postgate log repair` moves a torn last line aside")
    .stderr_has("the foreign posts are reported but not all recorded in the audit log")
    .run();
    assert_eq!(t.read("hook.txt"), "forged1\n");
    // Nothing was written over the torn bytes.
    assert!(std::fs::read(t.audit_path()).unwrap().ends_with(b"\"dead"));

    let out = t.cmd(["--json", "reconcile", "demo"]).status(code::FOREIGN_POSTS).run();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["accounts"][0]["foreign"][0]["id"], "forged1");
    assert_eq!(report["damaged_logs"][0]["torn"], true);

    // Repaired, the log takes the record, and the next run is clean but for the post.
    t.cmd(["log", "repair"]).run();
    t.cmd(["reconcile", "demo"]).status(code::FOREIGN_POSTS).run();
    assert_eq!(t.audit().iter().filter(|r| r["event"] == "foreign").count(), 1);
}

#[test]
fn a_garbage_line_in_the_audit_log_is_skipped_and_reported() {
    let t = Test::new();
    forge(&t, "forged2", "Faux");
    let text = std::fs::read_to_string(t.audit_path()).unwrap();
    std::fs::write(t.audit_path(), format!("{text}not a record\n")).unwrap();
    t.cmd(["reconcile", "demo"])
        .status(code::FOREIGN_POSTS)
        .stdout_has("\tforged2\t")
        .stderr_has("is damaged: 1 line(s) in the window are not records and were skipped")
        .run();
}

#[test]
fn a_damaged_log_without_foreign_posts_exits_9() {
    let t = Test::new();
    let handle = t.handle("demo");
    t.cmd(["post", "-a", "demo", "--confirm-handle", &handle, "Officiel"])
        .run();
    let mut bytes = std::fs::read(t.audit_path()).unwrap();
    bytes.extend_from_slice(b"{\"seq\":3");
    std::fs::write(t.audit_path(), &bytes).unwrap();
    t.cmd(["reconcile", "demo"])
        .status(code::AUDIT)
        .stdout("")
        .stderr_has(", 0 not made by postgate")
        .stderr_has("is damaged: its last line is torn")
        .run();
    t.cmd(["log", "repair"]).run();
    // A runner's log that cannot be read at all accounts for nothing, and says so.
    std::fs::create_dir_all(t.path().join("runner.jsonl")).unwrap();
    t.cmd(["reconcile", "demo", "--audit-log", "runner.jsonl"])
        .status(code::AUDIT)
        .stderr_has(", 0 not made by postgate")
        .stderr_has("runner.jsonl is damaged: it cannot be read (audit log runner.jsonl: ")
        .run();
}

#[test]
fn a_post_longer_than_an_environment_string_reaches_the_hook_whole() {
    let t = Test::new();
    // Linux refuses any environment string over 128 KiB (MAX_ARG_STRLEN).
    let text = format!("Début {} fin", "très long message ".repeat(12_000));
    assert!(text.len() > 200 * 1024);
    forge(&t, "forged3", &text);
    t.cmd([
        "reconcile",
        "demo",
        "--on-foreign",
        "cat > stdin.txt; cp \"$POSTGATE_POST_TEXT_FILE\" file.txt; printf %s \"$POSTGATE_POST_TEXT_FILE\" > path.txt; \
         printf %s \"$POSTGATE_POST_TEXT\" > env.txt; printf %s \"$POSTGATE_POST_TEXT_TRUNCATED\" > cut.txt; \
         while read -r k v; do [ \"$k\" = SigBlk: ] && printf %s \"$v\" > mask.txt; done < /proc/$$/status",
    ])
    .status(code::FOREIGN_POSTS)
    .run();
    assert_eq!(t.read("stdin.txt"), text);
    assert_eq!(t.read("file.txt"), text);
    assert_eq!(t.read("cut.txt"), "1");
    let env = t.read("env.txt");
    assert!(env.len() <= 4096, "{}", env.len());
    assert!(
        env.starts_with("Début très long message") && env.ends_with('…'),
        "{env}"
    );
    // The hook can be stopped like any process: SIGHUP, SIGINT and SIGTERM are not held.
    let mask = u64::from_str_radix(t.read("mask.txt").trim(), 16).unwrap();
    assert_eq!(mask & 0x4003, 0, "{mask:x}");
    // The file held the post only while the hook ran.
    assert!(!std::path::Path::new(&t.read("path.txt")).exists());
}

fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

#[test]
fn a_hook_that_outlives_its_timeout_is_killed_with_its_process_group() {
    let t = Test::new();
    forge(&t, "forged4", "Faux");
    t.cmd([
        "reconcile",
        "demo",
        "--hook-timeout",
        "1",
        "--on-foreign",
        "echo $$ > hook.pid; sleep 100000 & echo $! > sleep.pid; wait",
    ])
    .status(code::FOREIGN_POSTS)
    .stdout_has("\tforged4\t")
    .stderr_has(
        "warning: --on-foreign for forged4 did not finish within 1s (--hook-timeout); its process group was killed",
    )
    .run();
    // `run` returned, so stderr reached EOF: nothing of the hook holds it any more, and
    // postgate reaped the whole group.
    for file in ["hook.pid", "sleep.pid"] {
        let pid: i32 = t.read(file).trim().parse().unwrap();
        assert!(!alive(pid), "{file}: {pid} is still there");
    }
    t.cmd(["reconcile", "demo", "--hook-timeout", "0", "--on-foreign", "true"])
        .status(code::USAGE)
        .run();
}

/// Starts `reconcile demo` with a hook that writes a pid into the FIFO `pid.fifo`; returns
/// postgate, that pid, and postgate's stderr, which the hook's processes hold too.
fn start_with_hook(t: &Test, hook: &str) -> (std::process::Child, i32, std::process::ChildStderr) {
    let fifo = t.path().join("pid.fifo");
    support::mkfifo(&fifo);
    let mut child = t
        .command(support::BIN)
        .args(["reconcile", "demo", "--on-foreign", hook])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Opening the FIFO waits for the hook to open it: no sleep, no polling.
    let pid: i32 = std::fs::read_to_string(&fifo).unwrap().trim().parse().unwrap();
    let stderr = child.stderr.take().unwrap();
    (child, pid, stderr)
}

/// Reads `stderr` to its end, which comes when every process holding it has exited. A guard
/// kills `pid` if that takes more than a minute, so a surviving hook fails the
/// test instead of hanging it; returns whether the guard had to.
fn wait_for_eof(mut stderr: std::process::ChildStderr, pid: i32) -> bool {
    use std::io::Read;
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let guard = std::thread::spawn(move || {
        if rx.recv_timeout(std::time::Duration::from_secs(60)).is_err() {
            // SAFETY: a signal to the hook's process, which the test started.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            return true;
        }
        false
    });
    let mut rest = Vec::new();
    let _ = stderr.read_to_end(&mut rest);
    let _ = tx.send(());
    guard.join().unwrap()
}

#[test]
fn the_hook_dies_when_postgate_is_killed() {
    let t = Test::new();
    forge(&t, "forged5", "Faux");
    let (mut child, pid, stderr) = start_with_hook(&t, "echo $$ > pid.fifo; exec sleep 100000");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!wait_for_eof(stderr, pid), "the hook outlived postgate's SIGKILL");
}

#[test]
fn the_hook_group_dies_when_postgate_is_terminated() {
    let t = Test::new();
    forge(&t, "forged6", "Faux");
    let (child, pid, stderr) = start_with_hook(&t, "sleep 100000 & echo $! > pid.fifo; wait");
    // SAFETY: SIGTERM to the postgate this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let mut child = child;
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(libc::SIGTERM));
    assert!(
        !wait_for_eof(stderr, pid),
        "the hook's background job outlived postgate's SIGTERM"
    );
}

#[test]
fn without_a_temporary_folder_the_hook_still_runs() {
    let t = Test::new();
    forge(&t, "forged7", "Faux");
    t.cmd([
        "reconcile",
        "demo",
        "--on-foreign",
        "printf %s \"$POSTGATE_POST_ID\" > ran.txt",
    ])
    .env("TMPDIR", "/nonexistent/postgate-tmp")
    .status(code::FOREIGN_POSTS)
    .stderr_has("warning: --on-foreign gets no POSTGATE_POST_TEXT_FILE and an empty stdin")
    .run();
    assert_eq!(t.read("ran.txt"), "forged7");
}

/// A torn last line longer than the chunk the log is read backwards in, and a long garbage
/// line, are passed over like short ones: the foreign post is still reported and the hook runs,
/// and the posts postgate made before them still count as its own.
#[test]
fn long_torn_and_garbage_lines_do_not_stop_reconcile() {
    let t = Test::new();
    forge(&t, "forged9", "Faux message");
    let mut bytes = std::fs::read(t.audit_path()).unwrap();
    let good = bytes.clone();
    bytes.extend_from_slice(b"{\"seq\":3,\"prev\":\"");
    bytes.extend(std::iter::repeat_n(b'x', 200_000));
    std::fs::write(t.audit_path(), &bytes).unwrap();
    t.cmd([
        "reconcile",
        "demo",
        "--on-foreign",
        "printf '%s\\n' \"$POSTGATE_POST_ID\" >> hook.txt",
    ])
    .status(code::FOREIGN_POSTS)
    .stdout_has("\tforged9\t")
    .stderr_has(", 1 not made by postgate")
    .stderr_has("is damaged: its last line is torn")
    .run();
    assert_eq!(t.read("hook.txt"), "forged9\n");

    // The same length of garbage as a whole line, between good records.
    let mut bytes = good;
    bytes.extend(std::iter::repeat_n(b'y', 200_000));
    bytes.push(b'\n');
    std::fs::write(t.audit_path(), &bytes).unwrap();
    t.cmd(["reconcile", "demo"])
        .status(code::FOREIGN_POSTS)
        .stdout_has("\tforged9\t")
        .stderr_has(", 1 not made by postgate")
        .run();
}
