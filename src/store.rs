//! The team's shared store: every machine's audit records, locks and rate counts in one
//! PostgreSQL database (`[audit.shared]`).
//!
//! The local file stays the source of truth and the spool: a record is fsync'd there first,
//! then copied to the store under the same `seq`, `prev` and `hash`, in a chain per local log.
//! The chain's id is the hash of the log's first record, so two logs never share one and the
//! store can be checked against any machine's file. A record the store could not take waits in
//! the file; the next append (or `postgate store sync`) sends what the store lacks, in order,
//! and the primary key `(chain, seq)` makes a second send of one record a no-op.
//!
//! Only the intent record of a publish must reach the store when it is `required`: it is what
//! lets every other machine count the post and find it. Everything else is best effort.
//!
//! The postgate role needs INSERT and SELECT only ([`SCHEMA`]); records, locks and unlocks are
//! rows that are never updated, so a lifted lock is a lock row with an unlock row beside it.

use crate::error::Failure;
use crate::exit_codes::ExitCode;
use anyhow::{Context, Result};
use std::sync::Mutex;
use std::time::Duration;

/// `[audit.shared]` as the policy gives it.
#[derive(Clone, PartialEq)]
pub struct Config {
    host: String,
    port: u16,
    user: String,
    dbname: String,
    /// `sslrootcert`: the CA file that signs the server's certificate; `None` for the system's
    /// roots.
    root_cert: Option<std::path::PathBuf>,
    connect_timeout: Duration,
    /// `None`: required for OFFICIAL accounts, not for PERSONAL ones.
    pub required: Option<bool>,
    /// The environment variable the password may come from, when the policy allows one.
    pub password_env: Option<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Holds no secret, but say so by showing only what `label` shows.
        f.debug_struct("store::Config")
            .field("at", &self.label())
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Parses the policy's `url`. A password in it, a weaker `sslmode` than `verify-full`, or
    /// an option postgate does not know is refused: each would change what is checked.
    pub fn parse(text: &str) -> Result<Config, String> {
        let url = url::Url::parse(text).map_err(|e| format!("not a URL ({e})"))?;
        if !matches!(url.scheme(), "postgresql" | "postgres") {
            return Err(format!(
                "`{}:` is not a PostgreSQL URL; write postgresql://USER@HOST/DATABASE",
                url.scheme()
            ));
        }
        if url.password().is_some() {
            return Err(
                "holds a password; a policy is not a place for secrets: use `postgate login --store`, \
                 a .pgpass file, or `password_env`"
                    .into(),
            );
        }
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d.to_string(),
            Some(url::Host::Ipv4(a)) => a.to_string(),
            Some(url::Host::Ipv6(a)) => a.to_string(),
            None => return Err("names no host".into()),
        };
        let user = url.username();
        if user.is_empty() {
            return Err("names no user (postgresql://USER@HOST/DATABASE)".into());
        }
        let user = percent_encoding::percent_decode_str(user)
            .decode_utf8_lossy()
            .into_owned();
        let dbname = url.path().trim_start_matches('/');
        if dbname.is_empty() || dbname.contains('/') {
            return Err("names no database (postgresql://USER@HOST/DATABASE)".into());
        }
        let dbname = percent_encoding::percent_decode_str(dbname)
            .decode_utf8_lossy()
            .into_owned();
        let mut root_cert = None;
        let mut connect_timeout = Duration::from_secs(10);
        for (key, value) in url.query_pairs() {
            match &*key {
                "sslmode" if value == "verify-full" => {}
                "sslmode" => {
                    return Err(format!(
                        "sslmode={value}: postgate connects only with sslmode=verify-full (TLS, the server's certificate and name checked)"
                    ));
                }
                "sslrootcert" if value == "system" => root_cert = None,
                "sslrootcert" => root_cert = Some(std::path::PathBuf::from(&*value)),
                "connect_timeout" => {
                    let secs: u64 = value
                        .parse()
                        .ok()
                        .filter(|s| (1..=300).contains(s))
                        .ok_or_else(|| format!("connect_timeout={value}: give whole seconds, 1 to 300"))?;
                    connect_timeout = Duration::from_secs(secs);
                }
                other => {
                    return Err(format!(
                        "`{other}` is not an option postgate knows here; it knows sslmode, sslrootcert and connect_timeout"
                    ));
                }
            }
        }
        Ok(Config {
            host,
            port: url.port().unwrap_or(5432),
            user,
            dbname,
            root_cert,
            connect_timeout,
            required: None,
            password_env: None,
        })
    }

    /// How the store is named in messages and records: no password, no options.
    pub fn label(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("postgresql://{}@{host}:{}/{}", self.user, self.port, self.dbname)
    }

    /// The keychain item that holds the store's password (`postgate login --store`).
    pub fn keychain_user(&self) -> String {
        format!("store:{}", self.label().trim_start_matches("postgresql://"))
    }

    /// The same store, reached as another user (`store init --user`).
    pub fn as_user(&self, user: &str) -> Config {
        Config {
            user: user.to_string(),
            ..self.clone()
        }
    }

    /// Whether an intent for an account of this kind must reach the store before anything is
    /// sent.
    pub fn required_for(&self, kind: crate::account::Kind) -> bool {
        self.required.unwrap_or(kind == crate::account::Kind::Official)
    }
}

/// What `postgate store init` runs, as the database's owner. `{role}` is the role postgate
/// connects as. Every table is INSERT and SELECT for it: no row is ever changed or removed.
pub const SCHEMA: &str = "\
CREATE TABLE IF NOT EXISTS postgate_record (
    chain     text        NOT NULL,
    seq       bigint      NOT NULL CHECK (seq > 0),
    prev      text        NOT NULL,
    hash      text        NOT NULL,
    line      text        NOT NULL,
    time      timestamptz NOT NULL,
    hostname  text        NOT NULL,
    os_user   text        NOT NULL,
    event     text        NOT NULL,
    status    text        NOT NULL,
    platform  text,
    host      text,
    handle    text,
    post_id   text,
    post_url  text,
    received  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (chain, seq)
);
CREATE INDEX IF NOT EXISTS postgate_record_account ON postgate_record (platform, host, handle, time);
CREATE INDEX IF NOT EXISTS postgate_record_post_id ON postgate_record (post_id);
CREATE INDEX IF NOT EXISTS postgate_record_post_url ON postgate_record (post_url);
CREATE TABLE IF NOT EXISTS postgate_lock (
    id        text        PRIMARY KEY,
    platform  text        NOT NULL,
    host      text        NOT NULL,
    handle    text        NOT NULL,
    body      text        NOT NULL,
    chain     text        NOT NULL,
    written   timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS postgate_unlock (
    lock_id   text        PRIMARY KEY REFERENCES postgate_lock (id),
    body      text        NOT NULL,
    chain     text        NOT NULL,
    written   timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON postgate_record, postgate_lock, postgate_unlock FROM PUBLIC;
GRANT SELECT, INSERT ON postgate_record, postgate_lock, postgate_unlock TO {role};
";

/// The schema for `role`, quoted as an identifier.
pub fn schema_for(role: &str) -> String {
    SCHEMA.replace("{role}", &format!("\"{}\"", role.replace('"', "\"\"")))
}

fn store_failure(cfg: &Config, what: impl std::fmt::Display) -> Failure {
    Failure::new(ExitCode::Audit, format!("shared store {}: {what}", cfg.label()))
}

/// The password, from the first place that has one: the keychain (`postgate login --store`),
/// libpq's password file (`PGPASSFILE`, else `~/.pgpass`), then the environment variable the
/// policy names. Never the policy text or argv.
fn password(cfg: &Config) -> Result<Option<crate::redacted::Secret>> {
    // A machine without a keychain (a CI runner) goes on to the other places.
    if let Ok(Some(s)) = crate::credentials::read_item(&cfg.keychain_user()) {
        return Ok(Some(s));
    }
    if let Some(s) = pgpass(cfg) {
        return Ok(Some(s));
    }
    if let Some(var) = &cfg.password_env
        && let Ok(v) = std::env::var(var)
        && !v.is_empty()
    {
        return Ok(Some(crate::redacted::Secret::new(v)));
    }
    Ok(None)
}

/// libpq's password file: `host:port:database:user:password` lines, `*` matching anything,
/// `\:` and `\\` escaped. Like libpq, a file others can read is ignored (with a warning).
fn pgpass(cfg: &Config) -> Option<crate::redacted::Secret> {
    let path = match std::env::var_os("PGPASSFILE") {
        Some(p) => std::path::PathBuf::from(p),
        None => crate::paths::home()?.join(".pgpass"),
    };
    let meta = std::fs::metadata(&path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            eprintln!(
                "warning: password file {} has group or world access; it is ignored (chmod 0600 it)",
                path.display()
            );
            return None;
        }
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let port = cfg.port.to_string();
    let wanted = [cfg.host.as_str(), port.as_str(), cfg.dbname.as_str(), cfg.user.as_str()];
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = pgpass_fields(line);
        if fields.len() != 5 {
            continue;
        }
        if fields[..4].iter().zip(wanted).all(|(f, w)| f == "*" || f == w) {
            return Some(crate::redacted::Secret::new(fields[4].clone()));
        }
    }
    None
}

fn pgpass_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next()
                    && let Some(last) = fields.last_mut()
                {
                    last.push(n);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => {
                if let Some(last) = fields.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    fields
}

fn tls(cfg: &Config) -> Result<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    match &cfg.root_cert {
        Some(path) => {
            use rustls::pki_types::pem::PemObject;
            let certs = rustls::pki_types::CertificateDer::pem_file_iter(path)
                .map_err(|e| store_failure(cfg, format!("cannot read sslrootcert {}: {e}", path.display())))?;
            for cert in certs {
                let cert = cert.map_err(|e| store_failure(cfg, format!("sslrootcert {}: {e}", path.display())))?;
                roots
                    .add(cert)
                    .map_err(|e| store_failure(cfg, format!("sslrootcert {}: {e}", path.display())))?;
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                // A system root rustls cannot parse is one fewer root, not a reason to stop.
                let _ = roots.add(cert);
            }
        }
    }
    if roots.is_empty() {
        return Err(store_failure(cfg, "no CA certificate to check the server against")
            .hint("set sslrootcert=FILE in the url")
            .into());
    }
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS set-up")?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

fn connect(cfg: &Config) -> Result<postgres::Client> {
    connect_with(cfg, password(cfg)?)
}

/// Checks a password by logging in with it (`postgate login --store`), before it is stored.
pub fn check_password(cfg: &Config, password: &crate::redacted::Secret) -> Result<()> {
    connect_with(cfg, Some(crate::redacted::Secret::new(password.expose().to_string()))).map(|_| ())
}

fn connect_with(cfg: &Config, password: Option<crate::redacted::Secret>) -> Result<postgres::Client> {
    let mut pg = postgres::Config::new();
    pg.host(&cfg.host)
        .port(cfg.port)
        .user(&cfg.user)
        .dbname(&cfg.dbname)
        .application_name("postgate")
        .connect_timeout(cfg.connect_timeout)
        // The TLS connector checks the certificate and the name: verify-full.
        .ssl_mode(postgres::config::SslMode::Require);
    if let Some(pw) = password {
        pg.password(pw.expose().as_bytes());
    }
    let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls(cfg)?);
    pg.connect(tls).map_err(|e| {
        let hint = if e.as_db_error().is_some_and(|d| d.code().code() == "28P01") {
            "store its password with `postgate login --store`, in a .pgpass file, or in the variable `password_env` names"
        } else {
            "check the url in [audit.shared], that the server is up, and that this machine can reach it"
        };
        store_failure(cfg, format!("cannot connect: {}", describe(&e))).hint(hint).into()
    })
}

/// rust-postgres's errors, with their cause: its own Display says only "error connecting".
fn describe(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{} ({})", db.message(), db.code().code());
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The store this run could not reach, and why.
static UNREACHABLE: Mutex<Option<(String, String)>> = Mutex::new(None);

/// One connection per process, opened on first use: the advisory locks live on it, so every
/// query of a run must go through the same one.
static CONNECTION: Mutex<Option<(String, postgres::Client)>> = Mutex::new(None);

/// Runs `f` on the process's connection to the store, connecting first if needed. A broken
/// connection is dropped, so the next call connects again.
pub fn with<T>(cfg: &Config, f: impl FnOnce(&mut postgres::Client) -> Result<T, postgres::Error>) -> Result<T> {
    let mut held = CONNECTION.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let label = cfg.label();
    if held.as_ref().is_none_or(|(l, c)| *l != label || c.is_closed()) {
        *held = None;
        // A store that could not be reached once is not tried again in this run: a record
        // that waits costs nothing more, where each new try could cost the connect timeout.
        let mut failed = UNREACHABLE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((l, why)) = failed.as_ref()
            && *l == label
        {
            return Err(store_failure(cfg, why).into());
        }
        match connect(cfg) {
            Ok(client) => *held = Some((label.clone(), client)),
            Err(e) => {
                let why = e
                    .downcast_ref::<Failure>()
                    .map_or_else(|| format!("{e:#}"), |f| f.message.clone())
                    .trim_start_matches(&format!("shared store {label}: "))
                    .to_string();
                *failed = Some((label, why));
                return Err(e);
            }
        }
    }
    let Some((_, client)) = held.as_mut() else {
        return Err(store_failure(cfg, "no connection").into());
    };
    match f(client) {
        Ok(v) => Ok(v),
        Err(e) => {
            if e.as_db_error().is_none() {
                *held = None;
            }
            let hint = if e.as_db_error().is_some_and(|d| d.code().code() == "42P01") {
                "create the schema first: `postgate store init` (as the database's owner)"
            } else {
                "check the server's log; `postgate store sync` sends what waits once it is back"
            };
            Err(store_failure(cfg, describe(&e)).hint(hint).into())
        }
    }
}

/// Whether this process already holds a connection to `cfg` (so it was reachable this run).
pub fn connected(cfg: &Config) -> bool {
    CONNECTION
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .as_ref()
        .is_some_and(|(l, c)| *l == cfg.label() && !c.is_closed())
}

/// Says once per run that the store could not be reached and records wait in the local log.
pub fn warn_unreachable(err: &anyhow::Error) {
    static SAID: std::sync::Once = std::sync::Once::new();
    SAID.call_once(|| {
        eprintln!("warning: {err:#}; the records wait in the local log and go to the store on a later run (`postgate store sync`)");
    });
}

/// A record as the store keeps it: its line, and the fields the queries select on. The audit
/// log makes these (it alone reads records); the store only moves them.
#[derive(Debug, Clone)]
pub struct Row {
    pub chain: String,
    pub seq: i64,
    pub prev: String,
    pub hash: String,
    pub line: String,
    pub time: jiff::Timestamp,
    pub hostname: String,
    pub os_user: String,
    pub event: String,
    pub status: String,
    /// The account as the platform knows it, the handle in lower case.
    pub account: Option<(String, String, String)>,
    pub post_id: Option<String>,
    pub post_url: Option<String>,
}

/// Writes a row; `Some(hash)` if the store already holds another record at its place.
fn insert(client: &mut postgres::Client, row: &Row) -> Result<Option<String>, postgres::Error> {
    let time = std::time::SystemTime::from(row.time);
    let account = row.account.as_ref();
    let inserted = client.execute(
        "INSERT INTO postgate_record (chain, seq, prev, hash, line, time, hostname, os_user, event, status, \
         platform, host, handle, post_id, post_url) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
         ON CONFLICT (chain, seq) DO NOTHING",
        &[
            &row.chain,
            &row.seq,
            &row.prev,
            &row.hash,
            &row.line,
            &time,
            &row.hostname,
            &row.os_user,
            &row.event,
            &row.status,
            &account.map(|a| a.0.as_str()),
            &account.map(|a| a.1.as_str()),
            &account.map(|a| a.2.as_str()),
            &row.post_id,
            &row.post_url,
        ],
    )?;
    if inserted == 1 {
        return Ok(None);
    }
    // Already there: from an earlier send, or, if its hash differs, from another history.
    let held: String = client
        .query_one(
            "SELECT hash FROM postgate_record WHERE chain = $1 AND seq = $2",
            &[&row.chain, &row.seq],
        )?
        .get(0);
    Ok((held != row.hash).then_some(held))
}

fn write(cfg: &Config, row: &Row) -> Result<()> {
    match with(cfg, |c| insert(c, row))? {
        None => Ok(()),
        Some(held) => Err(store_failure(
            cfg,
            format!(
                "holds another record at seq {} of chain {} (hash {held}, here {})",
                row.seq,
                short(&row.chain),
                row.hash
            ),
        )
        .hint("the local log or the store was rewritten: compare them with `postgate log verify --store`")
        .into()),
    }
}

fn short(chain: &str) -> &str {
    chain.get(..12).unwrap_or(chain)
}

/// How far the store has a chain: its highest seq, 0 for none.
pub fn top(cfg: &Config, chain: &str) -> Result<i64> {
    with(cfg, |c| {
        c.query_one(
            "SELECT coalesce(max(seq), 0) FROM postgate_record WHERE chain = $1",
            &[&chain],
        )
        .map(|r| r.get(0))
    })
}

/// Writes `rows` (a chain's records the store lacks, oldest first) and returns how many.
pub fn send(cfg: &Config, rows: &[Row]) -> Result<usize> {
    for row in rows {
        write(cfg, row)?;
    }
    Ok(rows.len())
}

/// Copies the record just appended. The fast path is one query and one insert; if the store
/// lacks records before it (they waited while it was away), `backlog(top)` gives every record
/// after `top`, this one included, and they go in order.
pub fn push(cfg: &Config, row: &Row, backlog: impl FnOnce(i64) -> Result<Vec<Row>>) -> Result<()> {
    let have = top(cfg, &row.chain)?;
    if have + 1 < row.seq {
        return send(cfg, &backlog(have)?).map(|_| ());
    }
    write(cfg, row)
}

/// A post's time and, when asked, its id, from every machine's records in the store except
/// `except_chain` (this machine's, which the local file answers for).
pub fn published_since(
    cfg: &Config,
    except_chain: Option<&str>,
    platform: &str,
    host: &str,
    handle: &str,
    since: jiff::Timestamp,
) -> Result<Vec<(jiff::Timestamp, String)>> {
    let since = std::time::SystemTime::from(since);
    let handle = handle.to_ascii_lowercase();
    let rows = with(cfg, |c| {
        c.query(
            "SELECT time, post_id FROM postgate_record WHERE platform = $1 AND host = $2 AND handle = $3 \
             AND status = 'published' AND time >= $4 AND chain IS DISTINCT FROM $5 ORDER BY time DESC",
            &[&platform, &host, &handle, &since, &except_chain],
        )
    })?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let t: std::time::SystemTime = r.get(0);
            let id: Option<String> = r.get(1);
            Some((jiff::Timestamp::try_from(t).ok()?, id?))
        })
        .collect())
}

/// `text` matched as itself inside a LIKE pattern: its `\`, `%` and `_` escaped.
fn like_literal(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Every machine's lines that contain one of `pieces`, as `(chain, hostname, line)`, oldest
/// first: what `log who` reads. A scan of the table (no index serves a substring); fine for a
/// team's volume, and the one query `log who` makes per step.
pub fn lines_containing(cfg: &Config, pieces: &[String]) -> Result<Vec<(String, String, String)>> {
    if pieces.is_empty() {
        return Ok(Vec::new());
    }
    let patterns: Vec<String> = pieces.iter().map(|p| format!("%{}%", like_literal(p))).collect();
    let rows = with(cfg, |c| {
        c.query(
            "SELECT chain, hostname, line FROM postgate_record WHERE line LIKE ANY ($1) ORDER BY time, chain, seq",
            &[&patterns],
        )
    })?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
}

/// A plan published by another machine: its id, url and that machine's host name.
pub fn plan_published(
    cfg: &Config,
    plan_hash: &str,
    except_chain: Option<&str>,
) -> Result<Option<(String, String, String)>> {
    let pattern = format!("%\"plan_hash\":\"{}\"%", like_literal(plan_hash));
    let rows = with(cfg, |c| {
        c.query(
            "SELECT post_id, coalesce(post_url, ''), hostname FROM postgate_record WHERE status = 'published' \
             AND event = 'outcome' AND line LIKE $1 AND chain IS DISTINCT FROM $2 ORDER BY time LIMIT 1",
            &[&pattern, &except_chain],
        )
    })?;
    Ok(rows
        .first()
        .map(|r| (r.get::<_, Option<String>>(0).unwrap_or_default(), r.get(1), r.get(2))))
}

/// Held while an account is counted and published: a PostgreSQL advisory lock on this
/// process's connection, so the count and the publish are one critical section across machines.
pub struct AccountLock {
    cfg: Config,
    key: i64,
}

impl Drop for AccountLock {
    fn drop(&mut self) {
        // The lock ends with the session anyway; releasing it lets the next run in sooner.
        let _ = with(&self.cfg, |c| c.execute("SELECT pg_advisory_unlock($1)", &[&self.key]));
    }
}

/// Takes the account's advisory lock, waiting for another machine that holds it.
pub fn lock_account(cfg: &Config, platform: &str, host: &str, handle: &str) -> Result<AccountLock> {
    let digest =
        crate::digest::sha256_hex(format!("postgate {platform} {host} {}", handle.to_ascii_lowercase()).as_bytes());
    let key = i64::from_str_radix(&digest[..15], 16).unwrap_or(0);
    let got: bool = with(cfg, |c| {
        c.query_one("SELECT pg_try_advisory_lock($1)", &[&key])
            .map(|r| r.get(0))
    })?;
    if !got {
        eprintln!("postgate: waiting for a postgate run on another machine to finish with {handle}");
        with(cfg, |c| c.execute("SELECT pg_advisory_lock($1)", &[&key]))?;
    }
    Ok(AccountLock { cfg: cfg.clone(), key })
}

/// The account's latest lock in the store, as its body and, if it was lifted, the unlock's.
pub fn lock_of(cfg: &Config, platform: &str, host: &str, handle: &str) -> Result<Option<(String, Option<String>)>> {
    let handle = handle.to_ascii_lowercase();
    let rows = with(cfg, |c| {
        c.query(
            "SELECT l.body, u.body FROM postgate_lock l LEFT JOIN postgate_unlock u ON u.lock_id = l.id \
             WHERE l.platform = $1 AND l.host = $2 AND l.handle = $3 ORDER BY (u.lock_id IS NULL) DESC, l.written DESC LIMIT 1",
            &[&platform, &host, &handle],
        )
    })?;
    Ok(rows.first().map(|r| (r.get(0), r.get(1))))
}

/// Writes a lock row (a lockdown). Writing one that is already there is a no-op.
pub fn write_lock(
    cfg: &Config,
    chain: &str,
    id: &str,
    platform: &str,
    host: &str,
    handle: &str,
    body: &str,
) -> Result<()> {
    let handle = handle.to_ascii_lowercase();
    with(cfg, |c| {
        c.execute(
            "INSERT INTO postgate_lock (id, platform, host, handle, body, chain) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (id) DO NOTHING",
            &[&id, &platform, &host, &handle, &body, &chain],
        )
    })
    .map(|_| ())
}

/// Writes the unlock row that lifts lock `id`.
pub fn write_unlock(cfg: &Config, chain: &str, id: &str, body: &str) -> Result<()> {
    with(cfg, |c| {
        c.execute(
            "INSERT INTO postgate_unlock (lock_id, body, chain) VALUES ($1, $2, $3) ON CONFLICT (lock_id) DO NOTHING",
            &[&id, &body, &chain],
        )
    })
    .map(|_| ())
}

/// Creates the schema and grants `role` what it needs; returns the SQL it ran.
pub fn init(cfg: &Config, role: &str) -> Result<String> {
    let sql = schema_for(role);
    with(cfg, |c| c.batch_execute(&sql))?;
    Ok(sql)
}

/// What `log verify --store` found.
#[derive(Debug, Default, serde::Serialize)]
pub struct StoreCheck {
    pub chains: usize,
    pub records: usize,
    pub problems: Vec<String>,
    /// This machine's records the store does not have yet (spooled, not a problem).
    pub waiting: usize,
}

/// Checks every chain in the store: each starts at 1 with `genesis`, has no gap, each `prev`
/// is the hash of the record before, and each hash is what `hash_of` makes of its line.
pub fn verify(cfg: &Config, genesis: &str, hash_of: fn(&[u8]) -> String) -> Result<StoreCheck> {
    let rows = with(cfg, |c| {
        c.query(
            "SELECT chain, seq, prev, hash, line FROM postgate_record ORDER BY chain, seq",
            &[],
        )
    })?;
    let mut check = StoreCheck::default();
    let mut last: Option<(String, i64, String)> = None;
    for r in &rows {
        let (chain, seq, prev, hash, line): (String, i64, String, String, String) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
        check.records += 1;
        let (want_seq, want_prev) = match &last {
            Some((c, s, h)) if *c == chain => (s + 1, h.clone()),
            _ => {
                check.chains += 1;
                (1, genesis.to_string())
            }
        };
        let name = short(&chain);
        if seq != want_seq {
            let missing = if seq - 1 == want_seq {
                format!("record {want_seq} is missing")
            } else {
                format!("records {want_seq} to {} are missing", seq - 1)
            };
            check.problems.push(format!(
                "chain {name}: record {seq} follows record {} ({missing})",
                want_seq - 1
            ));
        } else if prev != want_prev {
            check.problems.push(format!(
                "chain {name}: record {seq} does not chain to record {}",
                seq - 1
            ));
        }
        if hash_of(line.as_bytes()) != hash {
            check.problems.push(format!(
                "chain {name}: record {seq} was edited (its hash does not match its line)"
            ));
        }
        if seq == 1 && hash != chain {
            check
                .problems
                .push(format!("chain {name}: its first record is not the one that names it"));
        }
        last = Some((chain, seq, hash));
    }
    Ok(check)
}

/// A chain's hashes by seq, to compare with the machine's file.
pub fn hashes(cfg: &Config, chain: &str) -> Result<std::collections::HashMap<i64, String>> {
    let rows = with(cfg, |c| {
        c.query("SELECT seq, hash FROM postgate_record WHERE chain = $1", &[&chain])
    })?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_secrets_weak_tls_or_unknown_options_are_refused() {
        assert!(
            Config::parse("postgresql://postgate:pw@db/postgate")
                .unwrap_err()
                .contains("password")
        );
        assert!(
            Config::parse("postgresql://postgate@db/postgate?sslmode=require")
                .unwrap_err()
                .contains("verify-full")
        );
        assert!(
            Config::parse("postgresql://postgate@db/postgate?sslcert=x")
                .unwrap_err()
                .contains("sslcert")
        );
        assert!(
            Config::parse("mysql://postgate@db/postgate")
                .unwrap_err()
                .contains("PostgreSQL")
        );
        assert!(Config::parse("postgresql://db/postgate").unwrap_err().contains("user"));
        assert!(Config::parse("postgresql://u@db/").unwrap_err().contains("database"));
        let c =
            Config::parse("postgresql://postgate@db.example.org/team?sslmode=verify-full&sslrootcert=/ca.pem").unwrap();
        assert_eq!(c.label(), "postgresql://postgate@db.example.org:5432/team");
        assert_eq!(c.root_cert.as_deref(), Some(std::path::Path::new("/ca.pem")));
        assert_eq!(c.keychain_user(), "store:postgate@db.example.org:5432/team");
    }

    #[test]
    fn pgpass_lines_unescape_and_wildcards_match() {
        assert_eq!(
            pgpass_fields(r"db:5432:*:u:p\:w\\d"),
            vec!["db", "5432", "*", "u", r"p:w\d"]
        );
        assert_eq!(pgpass_fields("a:b:c:d:e:f"), vec!["a", "b", "c", "d", "e:f"]);
    }

    #[test]
    fn the_schema_quotes_the_role_and_grants_no_update_or_delete() {
        let sql = schema_for("team\"x");
        assert!(sql.contains("TO \"team\"\"x\";"));
        assert!(!sql.to_uppercase().contains("UPDATE"));
        assert!(!sql.to_uppercase().contains("DELETE"));
    }
}
