//! A real PostgreSQL server (`scripts/servers/supervise-postgres.sh`): one throwaway cluster per
//! test run, TLS only, on a free loopback port, and a fresh database per test.
//!
//! Three roles touch a test's database, so that least-privilege tests mean something:
//! - the cluster's superuser, which only this helper uses: it makes the roles and the database
//!   and lets tests look behind postgate's back (`PgDb::superuser_sql`);
//! - the database's owner (`PgDb::owner_user`), neither superuser nor able to make roles or
//!   databases: the role `postgate store init` runs as, which makes the schema and grants;
//! - the postgate role (`PgDb::user`), which owns nothing and may only connect: everything else
//!   it may do is what store init grants it.
//!
//! No role gets a database of another test: CONNECT is revoked from PUBLIC on every database
//! made here, and granted to its two roles only.

use super::services::{Supervised, supervise_all};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

pub struct PgServer {
    pub port: u16,
    /// The test CA's certificate: clients verify the server with `sslmode=verify-full` against
    /// host `localhost`.
    pub ca: PathBuf,
    /// The folder of the server's own `psql`.
    bin: PathBuf,
    superuser: String,
    superuser_password: String,
    _supervisor: Supervised,
}

/// A database of its own, with its owner role and its postgate role (see the module's comment).
#[derive(Clone)]
pub struct PgDb {
    pub name: String,
    /// The postgate role: connects, and has only what store init grants.
    pub user: String,
    pub password: String,
    /// The database's owner, which store init runs as.
    pub owner_user: String,
    pub owner_password: String,
    server: &'static PgServer,
}

// Passwords are the tests' own, but a failing assertion should not print them either.
impl std::fmt::Debug for PgDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgDb")
            .field("name", &self.name)
            .field("user", &self.user)
            .field("owner_user", &self.owner_user)
            .finish_non_exhaustive()
    }
}

static POSTGRES: OnceLock<PgServer> = OnceLock::new();
static NEXT: AtomicU32 = AtomicU32::new(1);

/// The PostgreSQL server every test shares.
pub fn postgres_server() -> &'static PgServer {
    POSTGRES.get_or_init(|| {
        let s = supervise_all(
            "scripts/servers/supervise-postgres.sh",
            &[
                "POSTGRES_PORT",
                "POSTGRES_CA",
                "POSTGRES_BIN",
                "POSTGRES_SUPERUSER",
                "POSTGRES_SUPERUSER_PASSWORD",
            ],
        );
        PgServer {
            port: s.values[0]
                .parse()
                .unwrap_or_else(|_| panic!("supervise-postgres.sh printed port {:?}", s.values[0])),
            ca: PathBuf::from(&s.values[1]),
            bin: PathBuf::from(&s.values[2]),
            superuser: s.values[3].clone(),
            superuser_password: s.values[4].clone(),
            _supervisor: s,
        }
    })
}

/// 32 hex digits from the kernel's random source: a password nobody else can guess.
fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .expect("reading /dev/urandom");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl PgServer {
    /// A libpq URL for `user` on `database`, verifying the server against the test CA. No
    /// password in it: give that in PGPASSWORD (`psql`) or the client's own way.
    pub fn url(&self, user: &str, database: &str) -> String {
        // The CA's path is mktemp's (letters, digits, `/`, `.`, `-`): nothing to escape.
        format!(
            "postgresql://{user}@localhost:{}/{database}?sslmode=verify-full&sslrootcert={}",
            self.port,
            self.ca.display()
        )
    }

    /// Runs `sql` with the server's `psql` on `url`, with `password` in PGPASSWORD and the SQL
    /// on stdin (neither in argv). Stdout on success, stderr on failure.
    pub fn psql(&self, url: &str, password: &str, sql: &str) -> Result<String, String> {
        let mut child = Command::new(self.bin.join("psql"))
            .args(["-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-d", url])
            // Only this URL and this password: nothing from the engineer's own environment.
            .env_remove("PGSERVICE")
            .env_remove("PGSSLMODE")
            .env_remove("PGHOST")
            .env_remove("PGUSER")
            .env_remove("PGDATABASE")
            .env("PGPASSFILE", "/dev/null")
            .env("PGPASSWORD", password)
            .env("PGCONNECT_TIMEOUT", "10")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.bin.join("psql").display()));
        child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(sql.as_bytes())
            .expect("writing SQL to psql");
        let Output { status, stdout, stderr } = child.wait_with_output().expect("waiting for psql");
        if status.success() {
            Ok(String::from_utf8_lossy(&stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&stderr).into_owned())
        }
    }

    fn superuser_sql_in(&self, database: &str, sql: &str) -> String {
        self.psql(&self.url(&self.superuser, database), &self.superuser_password, sql)
            .unwrap_or_else(|e| panic!("superuser SQL in {database} failed: {e}"))
    }

    /// A new database with a new owner role and a new postgate role, named from `prefix`, this
    /// process's id and a counter, so no two tests (or two runs) share one.
    pub fn fresh_database(&'static self, prefix: &str) -> PgDb {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let clean: String = prefix
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .take(30)
            .collect();
        // Lowercase letters, digits and `_` only, so the names need no quoting below.
        let name = format!("t_{clean}_{}_{n}", std::process::id());
        let db = PgDb {
            user: format!("{name}_app"),
            password: random_hex(),
            owner_user: format!("{name}_owner"),
            owner_password: random_hex(),
            name,
            server: self,
        };
        // NOCREATEDB NOCREATEROLE NOSUPERUSER are the defaults; spelt out because the tests
        // count on them. The passwords go to psql's stdin, never its argv.
        self.superuser_sql_in(
            "postgres",
            &format!(
                "CREATE ROLE {owner} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '{owner_pw}';\n\
                 CREATE ROLE {user} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '{user_pw}';\n\
                 CREATE DATABASE {name} OWNER {owner};\n\
                 REVOKE ALL ON DATABASE {name} FROM PUBLIC;\n\
                 GRANT CONNECT ON DATABASE {name} TO {owner}, {user};\n",
                owner = db.owner_user,
                owner_pw = db.owner_password,
                user = db.user,
                user_pw = db.password,
                name = db.name,
            ),
        );
        // PostgreSQL 15 already gives CREATE on `public` to nobody but its owner
        // (pg_database_owner, here the owner role); said again so an older server or a
        // changed template cannot hand it to the postgate role.
        self.superuser_sql_in(&db.name, "REVOKE CREATE ON SCHEMA public FROM PUBLIC;");
        db
    }
}

impl PgDb {
    /// The postgate role's URL (no password in it).
    pub fn url(&self) -> String {
        self.server.url(&self.user, &self.name)
    }

    /// The owner role's URL (no password in it).
    pub fn owner_url(&self) -> String {
        self.server.url(&self.owner_user, &self.name)
    }

    /// Runs `sql` as the cluster's superuser in this database; its output (`-A -t`: unaligned,
    /// tuples only). Panics with psql's stderr when it fails.
    pub fn superuser_sql(&self, sql: &str) -> String {
        self.server.superuser_sql_in(&self.name, sql)
    }

    /// Runs `sql` as the postgate role in this database.
    pub fn user_sql(&self, sql: &str) -> Result<String, String> {
        self.server.psql(&self.url(), &self.password, sql)
    }

    /// Runs `sql` as the owner role in this database.
    pub fn owner_sql(&self, sql: &str) -> Result<String, String> {
        self.server.psql(&self.owner_url(), &self.owner_password, sql)
    }
}
