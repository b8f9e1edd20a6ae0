//! The team's shared store on a real PostgreSQL (tests/support/postgres.rs): several
//! "machines" (each a `Test`, with its own HOME, state and audit log) post to one outbox
//! account and share one database.

use crate::support;
use std::path::Path;
use std::process::Stdio;
use support::postgres::PgDb;
use support::{BIN, Test, code, postgres_server};

const HANDLE: &str = "@mairie_equipe";
const PASSWORD_VAR: &str = "POSTGATE_TEST_STORE_PASSWORD";

/// A database with the schema made by `postgate store init`, run as its owner.
fn store(prefix: &str) -> PgDb {
    let db = postgres_server().fresh_database(prefix);
    let owner = machine(&db, &std::env::temp_dir(), &db.url(), "");
    // The owner's password comes from a libpq password file, as an administrator would keep it.
    let pgpass = owner.write(
        "pgpass",
        &format!("localhost:*:{}:{}:{}\n", db.name, db.owner_user, db.owner_password),
    );
    set_mode(&pgpass, 0o600);
    let out = owner
        .cmd(["store", "init", "--user", &db.owner_user, "--grant", &db.user])
        .env("PGPASSFILE", &pgpass.display().to_string())
        .run();
    let sql = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(sql.contains("CREATE TABLE IF NOT EXISTS postgate_record"), "{sql}");
    assert!(
        sql.contains(&format!(
            "GRANT SELECT, INSERT ON postgate_record, postgate_lock, postgate_unlock TO \"{}\"",
            db.user
        )),
        "{sql}"
    );
    db
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// One machine of the team: the shared outbox account, its own audit log, the store at `url`.
fn machine(db: &PgDb, outbox: &Path, url: &str, extra: &str) -> Test {
    Test::new()
        .policy(&format!(
            "[audit]\npath = \"{{dir}}/state/audit.jsonl\"\n\n[audit.shared]\nurl = \"{url}\"\npassword_env = \"{PASSWORD_VAR}\"\n{extra}\n\n\
             [[accounts]]\nname = \"demo\"\nhandle = \"{HANDLE}\"\nplatform = \"outbox\"\nkind = \"official\"\n\
             display_name = \"Démo\"\nowner = \"Tests\"\npath = \"{}\"\n",
            outbox.display()
        ))
        .env(PASSWORD_VAR, &db.password)
}

fn post<'a>(t: &'a Test, text: &str) -> support::Cmd<'a> {
    t.cmd(["post", "-a", "demo", "--confirm-handle", HANDLE, text])
}

fn rows(db: &PgDb, sql: &str) -> String {
    db.superuser_sql(sql).trim().to_string()
}

/// The posts in the shared outbox.
fn published(outbox: &Path) -> usize {
    std::fs::read_dir(outbox.join("posts")).map_or(0, |d| d.count())
}

/// A loopback port nothing listens on: a store that is down.
fn dead_url(db: &PgDb) -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    db.url()
        .replace(&format!(":{}/", postgres_server().port), &format!(":{port}/"))
}

#[test]
fn two_machines_post_and_reconcile_on_a_third_finds_nothing_foreign() {
    let db = store("two");
    let outbox = tempfile::tempdir().expect("outbox");
    let a = machine(&db, outbox.path(), &db.url(), "");
    let b = machine(&db, outbox.path(), &db.url(), "");
    post(&a, "Conseil municipal ce soir à 19 h").run();
    post(&b, "Fermeture de la piscine lundi").run();
    assert_eq!(rows(&db, "SELECT count(DISTINCT chain) FROM postgate_record"), "2");
    assert_eq!(
        rows(&db, "SELECT count(*) FROM postgate_record WHERE status = 'published'"),
        "2"
    );

    // The cron machine has posted nothing itself, and knows both posts from the store.
    let cron = machine(&db, outbox.path(), &db.url(), "");
    cron.cmd(["reconcile", "demo"])
        .stderr_has("demo: 2 post(s) since ")
        .stderr_has(", 0 not made by postgate")
        .run();

    // The same machine without the store: both are foreign, which is what the store fixes.
    let alone = Test::new().policy(&format!(
        "[audit]\npath = \"{{dir}}/state/audit.jsonl\"\n\n[[accounts]]\nname = \"demo\"\nhandle = \"{HANDLE}\"\n\
         platform = \"outbox\"\nkind = \"official\"\ndisplay_name = \"Démo\"\nowner = \"Tests\"\npath = \"{}\"\n",
        outbox.path().display()
    ));
    alone
        .cmd(["reconcile", "demo"])
        .status(code::FOREIGN_POSTS)
        .stderr_has("2 not made by postgate")
        .run();
}

#[test]
fn the_rate_cap_holds_across_three_machines_posting_at_once() {
    let db = store("rate");
    let outbox = tempfile::tempdir().expect("outbox");
    let cap =
        "\n[[rules]]\nid = \"cadence\"\nkind = \"rate\"\nlevel = \"deny\"\naccounts = [\"demo\"]\nmax_per_hour = 2\n";
    let machines: Vec<Test> = (0..3)
        .map(|_| {
            let t = machine(&db, outbox.path(), &db.url(), "");
            let policy = std::fs::read_to_string(t.policy_path()).expect("policy") + cap;
            t.policy(&policy)
        })
        .collect();
    // Two posts per machine, all six started before any is released.
    let (reader, mut writer) = std::io::pipe().expect("pipe");
    let children: Vec<_> = machines
        .iter()
        .flat_map(|t| (0..2).map(move |i| (t, i)))
        .map(|(t, i)| {
            t.command("sh")
                .arg("-c")
                .arg(r#"dd bs=1 count=1 status=none >/dev/null && exec "$@""#)
                .arg("sh")
                .arg(BIN)
                .args([
                    "post",
                    "-a",
                    "demo",
                    "--confirm-handle",
                    HANDLE,
                    &format!("Message {i} de {}", t.uid),
                ])
                .stdin(reader.try_clone().expect("pipe"))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    drop(reader);
    std::io::Write::write_all(&mut writer, &[b'x'; 6]).expect("release");
    drop(writer);
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait"))
        .collect();
    let codes: Vec<Option<i32>> = outputs.iter().map(|o| o.status.code()).collect();
    assert_eq!(codes.iter().filter(|c| **c == Some(0)).count(), 2, "{codes:?}");
    assert_eq!(
        codes.iter().filter(|c| **c == Some(code::CONTENT)).count(),
        4,
        "{codes:?}"
    );
    for o in outputs.iter().filter(|o| o.status.code() == Some(code::CONTENT)) {
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(stderr.contains("cadence (2 posts in the last hour already"), "{stderr}");
    }
    let posts = published(outbox.path());
    assert_eq!(posts, 2, "the outbox holds exactly the cap");
    assert_eq!(
        rows(&db, "SELECT count(*) FROM postgate_record WHERE status = 'published'"),
        "2"
    );
}

#[test]
fn a_lockdown_on_one_machine_refuses_a_post_on_another_with_no_shared_folder() {
    let db = store("lock");
    let outbox = tempfile::tempdir().expect("outbox");
    let a = machine(&db, outbox.path(), &db.url(), "");
    let b = machine(&db, outbox.path(), &db.url(), "");
    post(&b, "Avant l'incident").run();
    a.cmd(["lockdown", "demo", "--reason", "insultes publiées cette nuit"])
        .status_any()
        .run();
    assert_eq!(rows(&db, "SELECT count(*) FROM postgate_lock"), "1");
    post(&b, "Après l'incident")
        .status(code::LOCKED_DOWN)
        .stderr_has("insultes publiées cette nuit")
        .run();
    assert_eq!(published(outbox.path()), 1);
    // The postgate role cannot lift it behind the guard's back: the lock row stays.
    let err = db
        .user_sql("DELETE FROM postgate_lock")
        .expect_err("DELETE must be refused");
    assert!(err.contains("permission denied"), "{err}");
}

#[test]
fn the_store_down_with_required_publishes_nothing_and_exits_9() {
    let db = store("down");
    let outbox = tempfile::tempdir().expect("outbox");
    let t = machine(&db, outbox.path(), &dead_url(&db), "required = true");
    post(&t, "Ne doit pas partir")
        .status(code::AUDIT)
        .stderr_has("shared store postgresql://")
        .stderr_has("cannot connect")
        .run();
    assert_eq!(published(outbox.path()), 0);
    let audit = t.audit();
    assert!(audit.iter().all(|r| r["outcome"]["status"] != "published"), "{audit:?}");
    assert!(
        audit.iter().any(|r| r["event"] == "refused"),
        "the refusal is recorded locally: {audit:?}"
    );
}

#[test]
fn the_intent_refused_by_the_store_is_settled_not_left_in_doubt() {
    // The store accepts the connection and the lock, then refuses the insert: the intent is in
    // the file but not the store, so nothing is sent and the refusal settles the attempt.
    let db = store("intent");
    let outbox = tempfile::tempdir().expect("outbox");
    let t = machine(&db, outbox.path(), &db.url(), "");
    db.superuser_sql(&format!("REVOKE INSERT ON postgate_record FROM \"{}\"", db.user));
    post(&t, "Refusé par le magasin")
        .status(code::AUDIT)
        .stderr_has("the intent record could not be written to the shared store")
        .stderr_has("nothing was published")
        .run();
    assert_eq!(published(outbox.path()), 0);
    let audit = t.audit();
    let intent = audit
        .iter()
        .find(|r| r["event"] == "intent")
        .expect("an intent in the file");
    let refused = audit
        .iter()
        .find(|r| r["event"] == "refused")
        .expect("a refusal after it");
    assert_eq!(refused["post_key"], intent["hash"], "the refusal names the attempt");
    // Back in order, the next post goes out at once: nothing is in doubt.
    db.superuser_sql(&format!("GRANT INSERT ON postgate_record TO \"{}\"", db.user));
    post(&t, "Refusé par le magasin").run();
    assert_eq!(published(outbox.path()), 1);
}

#[test]
fn the_store_down_without_required_publishes_spools_and_syncs_once() {
    let db = store("spool");
    let outbox = tempfile::tempdir().expect("outbox");
    let dead = dead_url(&db);
    let down = machine(&db, outbox.path(), &dead, "required = false");
    post(&down, "Publié malgré la panne")
        .stderr_has("warning: shared store")
        .stderr_has("wait in the local log")
        .run();
    post(&down, "Deuxième pendant la panne").run();
    assert_eq!(published(outbox.path()), 2);
    let local = down.audit().len();
    assert!(local >= 4, "{local}");

    // The same machine once the store is back: its policy points at the live server.
    let policy = std::fs::read_to_string(down.policy_path()).expect("policy");
    std::fs::write(down.policy_path(), policy.replace(&dead, &db.url())).expect("policy");
    let out = down.cmd(["--json", "store", "sync"]).run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["sent"], local, "{v}");
    assert_eq!(rows(&db, "SELECT count(*) FROM postgate_record"), local.to_string());
    let again: serde_json::Value =
        serde_json::from_slice(&down.cmd(["--json", "store", "sync"]).run().stdout).expect("json");
    assert_eq!(again["sent"], 0, "nothing is sent twice");
    down.cmd(["log", "verify", "--store"])
        .stdout_has("complete and linked")
        .run();
    // The next record goes straight in after the others.
    post(&down, "Après la panne").run();
    assert_eq!(
        rows(&db, "SELECT count(*) FROM postgate_record"),
        down.audit().len().to_string()
    );
}

#[test]
fn the_postgate_role_cannot_update_or_delete_a_record() {
    let db = store("grants");
    let outbox = tempfile::tempdir().expect("outbox");
    let t = machine(&db, outbox.path(), &db.url(), "");
    post(&t, "Un message").run();
    for sql in [
        "UPDATE postgate_record SET line = '{}'",
        "DELETE FROM postgate_record",
        "TRUNCATE postgate_record",
    ] {
        let err = db.user_sql(sql).expect_err(sql);
        assert!(err.contains("permission denied"), "{sql}: {err}");
    }
    assert_eq!(
        db.user_sql("SELECT count(*) FROM postgate_record")
            .expect("select")
            .trim(),
        t.audit().len().to_string()
    );
}

#[test]
fn log_verify_store_finds_a_row_a_superuser_deleted_and_one_edited() {
    let db = store("verify");
    let outbox = tempfile::tempdir().expect("outbox");
    let t = machine(&db, outbox.path(), &db.url(), "");
    post(&t, "Premier").run();
    post(&t, "Deuxième").run();
    t.cmd(["log", "verify", "--store"])
        .stdout_has("ok: store postgresql://")
        .run();

    db.superuser_sql("DELETE FROM postgate_record WHERE seq = 2");
    t.cmd(["log", "verify", "--store"])
        .status(code::AUDIT)
        .stderr_has("record 3 follows record 1 (record 2 is missing)")
        .stderr_has("record 2 of ")
        .run();
    let v: serde_json::Value = serde_json::from_slice(
        &t.cmd(["--json", "log", "verify", "--store"])
            .status(code::AUDIT)
            .run()
            .stdout,
    )
    .expect("one JSON document");
    assert_eq!(v["exit_code"], code::AUDIT, "{v}");
    assert_eq!(v["result"]["ok"], false, "{v}");
    assert!(
        !v["result"]["store"]["problems"]
            .as_array()
            .expect("problems")
            .is_empty(),
        "{v}"
    );

    let db2 = store("edited");
    let t2 = machine(&db2, outbox.path(), &db2.url(), "");
    post(&t2, "Texte d'origine").run();
    db2.superuser_sql("UPDATE postgate_record SET line = replace(line, 'origine', 'ailleurs') WHERE seq = 1");
    t2.cmd(["log", "verify", "--store"])
        .status(code::AUDIT)
        .stderr_has("record 1 was edited")
        .run();
}

#[test]
fn a_password_in_the_url_or_weak_tls_is_a_policy_error_at_its_place() {
    let t = Test::new().policy(
        "[audit]\npath = \"{dir}/state/audit.jsonl\"\n\n[audit.shared]\nurl = \"postgresql://postgate:secret@db.example.org/postgate\"\n",
    );
    let out = t.cmd(["policy", "check"]).status(code::BAD_POLICY).run();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(":5:7"), "{stderr}");
    assert!(stderr.contains("holds a password"), "{stderr}");
    assert!(!stderr.contains("secret\""), "the password is not echoed: {stderr}");
    let t = Test::new().policy(
        "[audit]\npath = \"{dir}/state/audit.jsonl\"\n\n[audit.shared]\nurl = \"postgresql://postgate@db.example.org/postgate?sslmode=require\"\n",
    );
    t.cmd(["policy", "check"])
        .status(code::BAD_POLICY)
        .stderr_has("verify-full")
        .run();
}

#[test]
fn a_lock_from_one_machine_is_lifted_on_another_with_a_signature_and_both_can_post() {
    let db = store("unlock");
    let outbox = tempfile::tempdir().expect("outbox");
    let roles = "\n[lockdown]\nunlock_roles = [\"secretaire-generale\"]\n";
    let make = || {
        let t = machine(&db, outbox.path(), &db.url(), "");
        let key = t.ssh_key("sg");
        let policy = std::fs::read_to_string(t.policy_path()).expect("policy")
            + roles
            + &format!("\n[[approvers]]\nname = \"sg\"\nroles = [\"secretaire-generale\"]\nkey = \"{key}\"\n");
        t.policy(&policy)
    };
    let (a, b) = (make(), make());
    a.cmd(["lockdown", "demo", "--reason", "mot de passe divulgué"])
        .status_any()
        .run();
    post(&b, "Pendant le verrou").status(code::LOCKED_DOWN).run();
    // B signs and lifts the lock it only knows from the store.
    let out = b.cmd(["--json", "unlock", "demo"]).status(code::LOCKED_DOWN).run();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let id = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("lock id: "))
        .unwrap_or_else(|| panic!("a lock id in: {stderr}"))
        .to_string();
    b.cmd(["unlock", "demo", "--sign", "--ssh-key", "keys/sg", "--lock-id", &id])
        .run();
    b.cmd(["unlock", "demo"]).stdout_has("demo  unlocked").run();
    assert_eq!(rows(&db, "SELECT count(*) FROM postgate_unlock"), "1");
    post(&b, "Après le verrou, depuis B").run();
    // A, which wrote the lock, sees it lifted through the store.
    post(&a, "Après le verrou, depuis A").run();
    assert_eq!(published(outbox.path()), 2);
}

#[test]
fn a_user_policy_can_neither_weaken_nor_drop_the_system_policys_store() {
    let db = postgres_server().fresh_database("system");
    let outbox = tempfile::tempdir().expect("outbox");
    let dead = dead_url(&db);
    // The system policy names the store (down here), and holds the account.
    let t = machine(&db, outbox.path(), &dead, "");
    let system = t.write(
        "system.toml",
        &std::fs::read_to_string(t.policy_path()).expect("policy"),
    );
    let t = t.env("POSTGATE_TEST_SYSTEM_POLICY", &system.display().to_string());
    // A user policy with nothing of its own: the system's store still holds, and is required.
    std::fs::write(t.policy_path(), "").expect("user policy");
    post(&t, "Sans le magasin ?")
        .status(code::AUDIT)
        .stderr_has("requires its store")
        .run();
    // A user policy that tries to make it optional is refused at its place.
    std::fs::write(
        t.policy_path(),
        format!("[audit.shared]\nurl = \"{dead}\"\nrequired = false\n"),
    )
    .expect("user policy");
    t.cmd(["policy", "check"])
        .status(code::BAD_POLICY)
        .stderr_has("a user policy cannot change that")
        .stderr_has(":1:1")
        .run();
    assert_eq!(published(outbox.path()), 0);
}

#[test]
fn log_who_on_another_machine_names_who_posted_from_the_store() {
    let db = store("who");
    let outbox = tempfile::tempdir().expect("outbox");
    let a = machine(&db, outbox.path(), &db.url(), "");
    post(&a, "Horaires d'été de la médiathèque").run();
    let published = a
        .audit()
        .into_iter()
        .find(|r| r["outcome"]["status"] == "published")
        .expect("a published record");
    let url = published["outcome"]["url"].as_str().expect("url").to_string();
    let intent = a.audit().into_iter().find(|r| r["event"] == "intent").expect("intent");

    // B has posted nothing: only the store knows.
    let b = machine(&db, outbox.path(), &db.url(), "");
    b.cmd(["log", "who", &url])
        .stdout_has("Horaires d'été de la médiathèque")
        .stdout_has("store postgresql://")
        .run();
    let v: serde_json::Value =
        serde_json::from_slice(&b.cmd(["--json", "log", "who", &url]).run().stdout).expect("json");
    assert_eq!(v["post"]["url"], url, "{v}");
    assert_eq!(v["post"]["confirmation"], "flag", "{v}");
    assert_eq!(
        v["post"]["intent_seq"], intent["seq"],
        "the intent came from the store too: {v}"
    );
    assert!(
        v["post"]["origin"]
            .as_str()
            .expect("origin")
            .starts_with("store postgresql://"),
        "{v}"
    );

    // Without the store, B's own log does not know it.
    let alone = Test::new();
    alone.cmd(["log", "who", &url]).status(14).run();
}

#[test]
fn one_plan_applied_on_two_machines_is_published_once() {
    let db = store("plan");
    let outbox = tempfile::tempdir().expect("outbox");
    let a = machine(&db, outbox.path(), &db.url(), "");
    let b = machine(&db, outbox.path(), &db.url(), "");
    let key = a.ssh_key("redaction");
    for t in [&a, &b] {
        let policy = std::fs::read_to_string(t.policy_path()).expect("policy")
            + &format!("\n[[authors]]\nname = \"redaction\"\nkey = \"{key}\"\n");
        std::fs::write(t.policy_path(), policy).expect("policy");
    }
    a.cmd([
        "plan",
        "-a",
        "demo",
        "-o",
        "annonce.plan",
        "--ssh-key",
        "keys/redaction",
        "Annonce du conseil",
    ])
    .run();
    // The plan and its signature reach B as a queue repository would bring them.
    for entry in std::fs::read_dir(a.path()).expect("dir") {
        let path = entry.expect("entry").path();
        if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("annonce.plan"))
        {
            std::fs::copy(&path, b.path().join(path.file_name().expect("name"))).expect("copy");
        }
    }
    a.cmd(["apply", "annonce.plan", "--confirm-handle", HANDLE]).run();
    b.cmd(["apply", "annonce.plan", "--confirm-handle", HANDLE])
        .stderr_has("was published from ")
        .run();
    assert_eq!(published(outbox.path()), 1);
    assert!(
        b.audit().iter().all(|r| r["event"] != "intent"),
        "B sent nothing: {:?}",
        b.audit()
    );
}

#[test]
fn login_store_asks_on_the_terminal_checks_the_password_then_keeps_it_in_the_keychain() {
    let db = store("login");
    let outbox = tempfile::tempdir().expect("outbox");
    // No password_env: the keychain is the one place the password can come from.
    let t = Test::new().keychain().policy(&format!(
        "[audit]\npath = \"{{dir}}/state/audit.jsonl\"\n\n[audit.shared]\nurl = \"{}\"\n\n\
         [[accounts]]\nname = \"demo\"\nhandle = \"{HANDLE}\"\nplatform = \"outbox\"\nkind = \"official\"\n\
         display_name = \"Démo\"\nowner = \"Tests\"\npath = \"{}\"\n",
        db.url(),
        outbox.path().display()
    ));
    post(&t, "Avant le mot de passe").status(code::AUDIT).run();

    let mut tty = t.cmd(["login", "--store"]).tty();
    tty.expect("Password for postgresql://");
    tty.line("pas-le-bon");
    assert_eq!(tty.finish(), code::AUDIT, "{}", tty.screen());
    assert!(tty.screen().contains("cannot connect"), "{}", tty.screen());

    let mut tty = t.cmd(["login", "--store"]).tty();
    tty.expect("Password for postgresql://");
    tty.line(&db.password);
    assert_eq!(tty.finish(), code::SUCCESS, "{}", tty.screen());
    assert!(!tty.screen().contains(&db.password), "the password was echoed");
    assert!(
        tty.screen().contains("the store accepted the password"),
        "{}",
        tty.screen()
    );

    post(&t, "Après le mot de passe").run();
    assert_eq!(published(outbox.path()), 1);
    let audit = std::fs::read_to_string(t.audit_path()).expect("audit");
    assert!(!audit.contains(&db.password), "the password is not in the audit log");
}
