//! What the shared store (`[audit.shared]`, src/store.rs) costs an audit append (issue 15).
//! Prints figures; asserts nothing about time, only that the records went where they should,
//! so that a fast figure cannot come from a path that silently did nothing.
//!
//! `cargo bench --bench store` for the full run (2,000 appends each way), `-- --quick` for 200.
//! Under `cargo test --all-targets` it runs a tiny smoke pass so the harness keeps working.
//! The figures in docs/performance.md ("Shared store") come from this harness.
//!
//! It starts its own throwaway cluster with scripts/servers/supervise-postgres.sh (TLS only,
//! loopback, fsync and synchronous_commit off: read the figures with that in mind), makes a
//! database, its owner and the role postgate connects as, and runs `store::init` as the owner.
//! Benches cannot use tests/support, so the set-up is its own here.

use postgate::audit::{AccountRef, AuditLog, Outcome, Record};
use postgate::policy::Policy;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// The variables `password_env` names: the policy may not hold a password, so the bench hands
/// the roles' passwords to postgate the way a CI runner would.
const APP_PASSWORD_VAR: &str = "POSTGATE_BENCH_STORE_PASSWORD";
const OWNER_PASSWORD_VAR: &str = "POSTGATE_BENCH_STORE_OWNER_PASSWORD";

const POLICY: &str = r#"
[audit]
path = "{log}"

[audit.shared]
url = "{url}"
password_env = "{var}"
{extra}

[[accounts]]
name = "demo"
handle = "@mairie_demo"
platform = "outbox"
kind = "official"
display_name = "Mairie (démo)"
owner = "Équipe réseaux sociaux"
path = "{dir}/outbox"
"#;

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` does not, and then this only
    // checks that the harness still works, on tiny sizes (still against the real server).
    let smoke = !std::env::args().any(|a| a == "--bench");
    let quick = std::env::args().any(|a| a == "--quick");
    let (appends, backlog) = match (smoke, quick) {
        (true, _) => (20, 50),
        (false, true) => (200, 1_000),
        (false, false) => (2_000, 1_000),
    };

    let app_password = random_hex();
    let owner_password = random_hex();
    // SAFETY: nothing else runs yet (no thread has been started), which is what set_var needs.
    // The passwords are the bench's own, made above; they never reach argv or the output.
    unsafe {
        std::env::set_var(APP_PASSWORD_VAR, &app_password);
        std::env::set_var(OWNER_PASSWORD_VAR, &owner_password);
    }

    eprintln!("store bench: starting a PostgreSQL cluster (scripts/servers/supervise-postgres.sh)");
    let cluster = Cluster::start();
    let db = cluster.fresh_database(&app_password, &owner_password);

    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let up_url = cluster.url(&db.user, &db.name);
    let down_url = cluster.url_at(free_port(), &db.user, &db.name);
    let store_policy = policy(d, "store.jsonl", &up_url, "");
    let down_policy = policy(d, "down.jsonl", &down_url, "required = false");

    // The schema, as the database's owner would run `postgate store init --user APP`.
    let Some(up_cfg) = store_policy.audit_shared.clone() else {
        panic!("the bench policy has an [audit.shared] table")
    };
    let mut owner_cfg = up_cfg.as_user(&db.owner);
    owner_cfg.password_env = Some(OWNER_PASSWORD_VAR.into());
    postgate::store::init(&owner_cfg, &db.user).expect("store init as the database's owner");

    let account = AccountRef::of(&store_policy.accounts[0]);
    println!(
        "## shared store: audit append ({appends} each; loopback, TLS, fsync off on the server; median / p90 / mean)"
    );
    appends_up(&store_policy, &up_cfg, d, &account, appends);
    appends_down(&down_policy, d, &account, appends);
    backlog_runs(d, &up_url, &down_url, &up_cfg, &account, backlog);

    cluster.stop();
}

/// Phase 1: the file alone and the file with the store, in turn, so the machine's drift
/// touches both alike.
fn appends_up(store_policy: &Policy, up_cfg: &postgate::store::Config, d: &Path, account: &AccountRef, n: usize) {
    let file = AuditLog::new(d.join("file.jsonl"));
    let store = AuditLog::of(store_policy);
    // The first append of a process opens the connection (TCP, TLS, SCRAM), as every
    // `postgate post` run does once; the ones after reuse it.
    let start = Instant::now();
    store
        .append(sample_record(0, account))
        .expect("first append with the store");
    let first = start.elapsed();
    assert!(
        postgate::store::connected(up_cfg),
        "the first append must have connected to the store"
    );
    file.append(sample_record(0, account))
        .expect("first append, file alone");

    let mut alone = Vec::with_capacity(n);
    let mut shared = Vec::with_capacity(n);
    for i in 1..=n as u64 {
        alone.push(timed(|| file.append(sample_record(i, account))));
        shared.push(timed(|| store.append(sample_record(i, account))));
    }
    // Every record must be in the store: a copy that failed would only warn, and be fast.
    let chain = store.chain().expect("chain").expect("a chain after appends");
    let top = postgate::store::top(up_cfg, &chain).expect("the store's top");
    assert_eq!(top, n as i64 + 1, "the store holds every record appended");

    let alone = Stats::of(alone);
    let shared = Stats::of(shared);
    alone.print("file alone", None);
    shared.print("file + store", Some(&alone));
    println!(
        "{:<32} {first:>9.3?}  (connects: TCP, TLS, SCRAM, then top + insert)",
        "file + store, first append"
    );
    // A store append is two queries (the chain's top, then the insert): one query alone says
    // how much of the difference is the round trip.
    let query = (0..n).map(|_| timed(|| postgate::store::top(up_cfg, &chain))).collect();
    Stats::of(query).print("one query alone (store::top)", None);
}

/// Phase 2: the store down (a free port, `required = false`): each append writes the file,
/// tries to connect, is refused, and warns once per process. Again in turn with the file alone.
fn appends_down(down_policy: &Policy, d: &Path, account: &AccountRef, n: usize) {
    let file = AuditLog::new(d.join("file-2.jsonl"));
    let down = AuditLog::of(down_policy);
    let Some(down_cfg) = down_policy.audit_shared.clone() else {
        panic!("the bench policy has an [audit.shared] table")
    };
    let mut alone = Vec::with_capacity(n);
    let mut missing = Vec::with_capacity(n);
    for i in 0..n as u64 {
        alone.push(timed(|| file.append(sample_record(i, account))));
        missing.push(timed(|| down.append(sample_record(i, account))));
    }
    assert!(
        !postgate::store::connected(&down_cfg),
        "nothing listens on the down store's port"
    );
    assert_eq!(
        lines(down.path()),
        n,
        "the file holds every record the store could not take"
    );
    let alone = Stats::of(alone);
    let missing = Stats::of(missing);
    alone.print("file alone (second run)", None);
    missing.print("file + store down", Some(&alone));
    // The refused connection alone (password look-up, TLS set-up, name lookup, connect): what
    // the down path adds to the file's append.
    let refused = (0..n)
        .map(|_| {
            let start = Instant::now();
            let got = postgate::store::top(&down_cfg, "bench");
            let took = start.elapsed();
            assert!(got.is_err(), "nothing listens on the down store's port");
            took
        })
        .collect();
    Stats::of(refused).print("a refused connection alone", None);
}

/// Phase 3: `n` records written while the store was down, then sent two ways: by `postgate
/// store sync` (`sync_to_store`), and by the next append once the store is back.
fn backlog_runs(
    d: &Path,
    up_url: &str,
    down_url: &str,
    up_cfg: &postgate::store::Config,
    account: &AccountRef,
    n: usize,
) {
    println!("## shared store: a backlog of {n} records written while it was down");
    for (name, how) in [("backlog.jsonl", "store sync"), ("backlog-2.jsonl", "next append")] {
        let down = AuditLog::of(&policy(d, name, down_url, "required = false"));
        let start = Instant::now();
        for i in 0..n as u64 {
            down.append(sample_record(i, account))
                .expect("append with the store down");
        }
        let written = start.elapsed();
        let up = AuditLog::of(&policy(d, name, up_url, ""));
        let chain = up.chain().expect("chain").expect("a chain after appends");
        // The connection is opened first (the first-append figure above says what that
        // costs), so the figure is the sending alone.
        assert_eq!(
            postgate::store::top(up_cfg, &chain).expect("top"),
            0,
            "nothing of it in the store yet"
        );
        let start = Instant::now();
        let sent = if how == "store sync" {
            up.sync_to_store().expect("store sync")
        } else {
            up.append(sample_record(n as u64, account))
                .expect("append with the store back");
            n + 1
        };
        let took = start.elapsed();
        let top = postgate::store::top(up_cfg, &chain).expect("top");
        assert_eq!(top, sent as i64, "the store holds the whole backlog after the {how}");
        println!(
            "{:<32} {:>9.3?} for {sent} records, {:>9.3?} each  (written down: {:.3?} each)",
            how,
            took,
            took / sent as u32,
            written / n as u32
        );
    }
}

fn timed<T>(f: impl FnOnce() -> anyhow::Result<T>) -> Duration {
    let start = Instant::now();
    f().expect("append");
    start.elapsed()
}

struct Stats {
    median: Duration,
    p90: Duration,
    mean: Duration,
}

impl Stats {
    fn of(mut samples: Vec<Duration>) -> Stats {
        samples.sort();
        let at = |q: usize| samples[(samples.len() * q / 100).min(samples.len() - 1)];
        Stats {
            median: at(50),
            p90: at(90),
            mean: samples.iter().sum::<Duration>() / samples.len() as u32,
        }
    }

    fn print(&self, name: &str, against: Option<&Stats>) {
        let extra = against.map_or(String::new(), |base| {
            format!(
                "  (+{:.3?} median, {:.2}x)",
                self.median.saturating_sub(base.median),
                self.median.as_secs_f64() / base.median.as_secs_f64()
            )
        });
        println!(
            "{name:<32} {:>9.3?} / {:>9.3?} / {:>9.3?}{extra}",
            self.median, self.p90, self.mean
        );
    }
}

/// A typical outcome record: a published post of an account, with its text.
fn sample_record(i: u64, account: &AccountRef) -> Record {
    let mut r = Record::new(
        "outcome",
        "post",
        Outcome::Published {
            id: format!("{i:032x}"),
            url: format!("file:///tmp/outbox/posts/{i:032x}.json"),
        },
    );
    r.account = Some(account.clone());
    r.text = Some(format!(
        "Post numéro {i}: la mairie informe que la bibliothèque ouvre le samedi de 10 h à 18 h. #culture"
    ));
    r.text_sha256 = Some(postgate::digest::sha256_hex(
        r.text.as_deref().unwrap_or_default().as_bytes(),
    ));
    r.policy_sha256 = Some("ab".repeat(32));
    r.confirmation = Some("flag".into());
    r.credential_source = Some("keychain".into());
    r
}

fn policy(dir: &Path, log: &str, url: &str, extra: &str) -> Policy {
    let text = POLICY
        .replace("{log}", &dir.join(log).display().to_string())
        .replace("{url}", url)
        .replace("{var}", APP_PASSWORD_VAR)
        .replace("{extra}", extra)
        .replace("{dir}", &dir.display().to_string());
    let path = dir.join(format!("{log}.policy.toml"));
    std::fs::write(&path, text).expect("write the policy");
    Policy::load(&path).unwrap_or_else(|e| panic!("bench policy: {e:#}"))
}

fn lines(path: &Path) -> usize {
    std::fs::read(path)
        .expect("read the log")
        .iter()
        .filter(|b| **b == b'\n')
        .count()
}

/// A port nothing listens on: bound, then released. Nothing else on this machine is expected
/// to take it within the run; a listener that did would make the down phase fail its check.
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("its address").port()
}

/// 32 hex digits from the kernel's random source.
fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .expect("reading /dev/urandom");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The throwaway cluster: stopped by closing the script's stdin (see its header).
struct Cluster {
    child: Child,
    stdin: Option<ChildStdin>,
    port: u16,
    ca: PathBuf,
    bin: PathBuf,
    superuser: String,
    superuser_password: String,
}

struct Database {
    name: String,
    user: String,
    owner: String,
}

impl Cluster {
    fn start() -> Cluster {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/servers/supervise-postgres.sh");
        // Through bash, as tests/support/services.rs does: the script is not executable in git.
        let mut child = Command::new("bash")
            .arg(&script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        let stdin = child.stdin.take();
        let Some(stdout) = child.stdout.take() else {
            panic!("the script's stdout is piped")
        };
        let mut values = std::collections::HashMap::new();
        // The script prints its five lines once the server accepts connections, then sends
        // its stdout to /dev/null: reading to those lines is the wait, no sleep needed.
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("reading supervise-postgres.sh");
            if let Some((k, v)) = line.split_once('=') {
                values.insert(k.to_string(), v.to_string());
            }
            if values.len() == 5 {
                break;
            }
        }
        let mut get = |k: &str| {
            values
                .remove(k)
                .unwrap_or_else(|| panic!("supervise-postgres.sh ended without printing {k}"))
        };
        let port = get("POSTGRES_PORT");
        Cluster {
            port: port
                .parse()
                .unwrap_or_else(|_| panic!("supervise-postgres.sh printed port {port:?}")),
            ca: PathBuf::from(get("POSTGRES_CA")),
            bin: PathBuf::from(get("POSTGRES_BIN")),
            superuser: get("POSTGRES_SUPERUSER"),
            superuser_password: get("POSTGRES_SUPERUSER_PASSWORD"),
            child,
            stdin,
        }
    }

    fn url(&self, user: &str, database: &str) -> String {
        self.url_at(self.port, user, database)
    }

    fn url_at(&self, port: u16, user: &str, database: &str) -> String {
        // The CA's path is mktemp's (letters, digits, `/`, `.`, `-`): nothing to escape.
        format!(
            "postgresql://{user}@localhost:{port}/{database}?sslmode=verify-full&sslrootcert={}",
            self.ca.display()
        )
    }

    /// As tests/support/postgres.rs `fresh_database`: an owner that may not make roles or
    /// databases, and a role that may only connect until `store init` grants it more.
    fn fresh_database(&self, app_password: &str, owner_password: &str) -> Database {
        let name = format!("bench_store_{}", std::process::id());
        let db = Database {
            user: format!("{name}_app"),
            owner: format!("{name}_owner"),
            name,
        };
        self.superuser_sql(
            "postgres",
            &format!(
                "CREATE ROLE {owner} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '{owner_password}';\n\
                 CREATE ROLE {user} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '{app_password}';\n\
                 CREATE DATABASE {name} OWNER {owner};\n\
                 REVOKE ALL ON DATABASE {name} FROM PUBLIC;\n\
                 GRANT CONNECT ON DATABASE {name} TO {owner}, {user};\n",
                owner = db.owner,
                user = db.user,
                name = db.name,
            ),
        );
        self.superuser_sql(&db.name, "REVOKE CREATE ON SCHEMA public FROM PUBLIC;");
        db
    }

    /// Runs `sql` with the server's psql as the superuser: the password in PGPASSWORD and the
    /// SQL (which holds the roles' passwords) on stdin, neither in argv.
    fn superuser_sql(&self, database: &str, sql: &str) {
        let psql = self.bin.join("psql");
        let mut child = Command::new(&psql)
            .args(["-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-d"])
            .arg(self.url(&self.superuser, database))
            .env_remove("PGSERVICE")
            .env_remove("PGSSLMODE")
            .env_remove("PGHOST")
            .env_remove("PGUSER")
            .env_remove("PGDATABASE")
            .env("PGPASSFILE", "/dev/null")
            .env("PGPASSWORD", &self.superuser_password)
            .env("PGCONNECT_TIMEOUT", "10")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", psql.display()));
        child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(sql.as_bytes())
            .expect("writing SQL to psql");
        let out = child.wait_with_output().expect("waiting for psql");
        assert!(
            out.status.success(),
            "superuser SQL in {database} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Closes the script's stdin and waits for it to stop the server and remove its folder.
    fn stop(mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}
