//! One fluent builder for every integration test, in the style of casey/just's tests.
//!
//! `Test::new()` makes a world: a temp HOME with XDG folders, a policy (the default one or
//! one given), an outbox folder, and on request a real Secret Service. `t.cmd(...)` then runs
//! the real `postgate` binary in that world, checks the exit status and output, and returns
//! what it printed. `.tty()` runs it in a real pseudo-terminal instead.
//!
//! The Secret Service is a private D-Bus session with gnome-keyring, started once per test
//! binary by `scripts/keychain-session.sh` and shared; each test gets unique handles, so
//! their keychain items never collide. If it cannot start, the test fails: a missing service
//! is a failure, never a skip.

#![allow(dead_code)]

pub mod hostile;
pub mod screen;

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// Not an exit status: marks a command whose status is not checked.
const ANY_STATUS: i32 = -1;

pub const BIN: &str = env!("CARGO_BIN_EXE_postgate");

/// Exit codes, mirrored from `src/exit_codes.rs` so a renumbering breaks these tests.
pub mod code {
    pub const SUCCESS: i32 = 0;
    pub const USAGE: i32 = 2;
    pub const BAD_POLICY: i32 = 3;
    pub const CONTENT: i32 = 4;
    pub const NOT_CONFIRMED: i32 = 5;
    pub const CREDENTIAL: i32 = 6;
    pub const IDENTITY: i32 = 7;
    pub const PLATFORM: i32 = 8;
    pub const AUDIT: i32 = 9;
    pub const INCOMPLETE: i32 = 10;
    pub const PLAN_REFUSED: i32 = 11;
    pub const LOCKED_DOWN: i32 = 12;
    pub const FOREIGN_POSTS: i32 = 13;
}

/// The default policy. `{dir}` is the test's temp folder and `{uid}` a suffix unique to the
/// test, so keychain items of parallel tests never collide.
pub const DEFAULT_POLICY: &str = r#"
[audit]
path = "{dir}/state/audit.jsonl"

[[accounts]]
name = "demo"
handle = "@mairie_demo_{uid}"
platform = "outbox"
kind = "official"
display_name = "Ministère (démo)"
owner = "Équipe réseaux sociaux"
path = "{dir}/outbox"

[[accounts]]
name = "perso"
handle = "@camille_{uid}"
platform = "outbox"
kind = "personal"
display_name = "Camille Durand"
owner = "Camille Durand"
path = "{dir}/perso-outbox"

[[accounts]]
name = "vault"
handle = "@vault_{uid}"
platform = "outbox"
kind = "official"
display_name = "Compte à secret"
owner = "Équipe réseaux sociaux"
path = "{dir}/vault-outbox"
credentials = "keychain"
"#;

/// A valid 1×1 PNG, for attaching.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d,
    0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// A policy with one official outbox account `demo`, its audit log at `audit`, and `extra`
/// lines appended to the account's table.
pub fn demo_policy(audit: &str, extra: &str) -> String {
    format!(
        "[audit]\npath = \"{audit}\"\n\n[[accounts]]\nname = \"demo\"\nhandle = \"@mairie_demo_{{uid}}\"\nplatform = \"outbox\"\nkind = \"official\"\ndisplay_name = \"Démo\"\nowner = \"Tests\"\npath = \"{{dir}}/outbox\"\n{extra}\n"
    )
}

/// A helper process that lives as long as the test process: it prints one `KEY=value` line
/// when its service is ready and stops the service when its stdin reaches EOF, which happens
/// when this process exits, however it ends.
struct Supervised {
    value: String,
    _guard: Mutex<ChildStdin>,
}

fn supervise(script: &str, key: &str) -> Supervised {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(script);
    // Never waited for on purpose: it must outlive every test in this process.
    #[allow(clippy::zombie_processes)]
    let mut child = Command::new("bash")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", script.display()));
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("reading the service address");
    let value = line
        .trim()
        .strip_prefix(&format!("{key}="))
        .unwrap_or_else(|| {
            panic!(
                "{} did not start (got {line:?}); see its stderr above",
                script.display()
            )
        })
        .to_string();
    Supervised {
        value,
        _guard: Mutex::new(child.stdin.take().expect("piped stdin")),
    }
}

static KEYCHAIN: OnceLock<Supervised> = OnceLock::new();
static MASTODON: OnceLock<Supervised> = OnceLock::new();
static PDS: OnceLock<Supervised> = OnceLock::new();

/// The base URL of this test binary's Bluesky PDS.
pub fn pds_url() -> &'static str {
    &PDS.get_or_init(|| supervise("scripts/servers/supervise-pds.sh", "PDS_URL"))
        .value
}

/// A fresh account on the PDS, with an app password.
pub struct BlueskyUser {
    pub handle: String,
    pub did: String,
    pub password: String,
    pub app_password: String,
}

static BSKY_COUNTER: AtomicUsize = AtomicUsize::new(0);

pub fn bluesky_user(prefix: &str) -> BlueskyUser {
    // Handles are `<3-18 letters and digits>.test` on a development PDS.
    let n = BSKY_COUNTER.fetch_add(1, Ordering::SeqCst);
    let name = format!("{prefix}{}{n}", std::process::id() % 100_000);
    let handle = format!("{name}.test");
    let password = format!("main-password-{name}");
    let client = reqwest::blocking::Client::new();
    let xrpc = |method: &str| format!("{}/xrpc/{method}", pds_url());
    let account: Value = client
        .post(xrpc("com.atproto.server.createAccount"))
        .json(&serde_json::json!({ "handle": handle, "email": format!("{name}@example.com"), "password": password }))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("create a PDS account");
    let access = account["accessJwt"].as_str().expect("accessJwt");
    let app: Value = client
        .post(xrpc("com.atproto.server.createAppPassword"))
        .bearer_auth(access)
        .json(&serde_json::json!({ "name": "postgate-tests" }))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("create an app password");
    BlueskyUser {
        handle,
        did: account["did"].as_str().expect("did").to_string(),
        password,
        app_password: app["password"].as_str().expect("password").to_string(),
    }
}

/// The posts in an account's repository, read straight from the PDS.
pub fn bluesky_posts(user: &BlueskyUser) -> Vec<Value> {
    let resp: Value = reqwest::blocking::Client::new()
        .get(format!(
            "{}/xrpc/com.atproto.repo.listRecords?repo={}&collection=app.bsky.feed.post",
            pds_url(),
            user.did
        ))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("list records");
    resp["records"].as_array().cloned().unwrap_or_default()
}

fn keychain_address() -> &'static str {
    &KEYCHAIN
        .get_or_init(|| supervise("scripts/keychain-session.sh", "DBUS_SESSION_BUS_ADDRESS"))
        .value
}

/// The base URL of this test binary's mastodon-mock server.
pub fn mastodon_url() -> &'static str {
    &MASTODON
        .get_or_init(|| supervise("scripts/servers/supervise-mastodon-mock.sh", "MASTODON_URL"))
        .value
}

/// A fresh account on the mastodon-mock server.
pub struct MastodonUser {
    pub username: String,
    pub id: String,
    pub token: String,
    /// `@username@localhost:PORT`, as the server names it.
    pub handle: String,
}

pub fn mastodon_user(name: &str) -> MastodonUser {
    let url = mastodon_url();
    let resp: Value = reqwest::blocking::Client::new()
        .post(format!("{url}/api/v1/_mock/dev_user"))
        .json(&serde_json::json!({ "username": name }))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("create a mastodon-mock user");
    let port = url.rsplit(':').next().expect("port");
    MastodonUser {
        username: name.to_string(),
        id: resp["id"].as_str().expect("id").to_string(),
        token: resp["access_token"].as_str().expect("token").to_string(),
        handle: format!("@{name}@localhost:{port}"),
    }
}

/// The statuses an account has on the server, newest first.
pub fn mastodon_statuses(user: &MastodonUser) -> Vec<Value> {
    let resp: Value = reqwest::blocking::Client::new()
        .get(format!("{}/api/v1/accounts/{}/statuses", mastodon_url(), user.id))
        .bearer_auth(&user.token)
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("list statuses");
    resp.as_array().cloned().unwrap_or_default()
}

/// Makes the server fail the next `count` matching requests (mastodon-mock fault injection).
pub fn mastodon_fault(method: &str, path: &str, status: u16, headers: Value, count: u32) {
    mastodon_effect(
        method,
        path,
        serde_json::json!({ "type": "status", "status": status, "headers": headers }),
        count,
    );
}

/// Any mastodon-mock fault effect (`latency` with `delay_ms`, `timeout`, …).
pub fn mastodon_effect(method: &str, path: &str, effect: Value, count: u32) {
    reqwest::blocking::Client::new()
        .post(format!("{}/api/v1/_mock/faults", mastodon_url()))
        .json(&serde_json::json!({
            "match": { "methods": [method], "path": path },
            "effect": effect,
            "count": count,
        }))
        .send()
        .and_then(|r| r.error_for_status())
        .expect("inject a fault");
}

/// Makes every request matching `method` and `path_regex` fail, `count` times at most, so that
/// a test can tell afterwards whether any was made (`mastodon_fault_remaining`). Returns the
/// rule's id.
pub fn mastodon_fault_regex(method: &str, path_regex: &str, count: u32) -> String {
    let rule: Value = reqwest::blocking::Client::new()
        .post(format!("{}/api/v1/_mock/faults", mastodon_url()))
        .json(&serde_json::json!({
            "match": { "methods": [method], "path_regex": path_regex },
            "effect": { "type": "status", "status": 500 },
            "count": count,
        }))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("inject a fault");
    rule["id"].as_str().expect("rule id").to_string()
}

/// The budget left on fault rule `id`; `None` once it is spent or removed.
pub fn mastodon_fault_remaining(id: &str) -> Option<u64> {
    let rules: Value = reqwest::blocking::Client::new()
        .get(format!("{}/api/v1/_mock/faults", mastodon_url()))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .expect("list faults");
    rules
        .as_array()?
        .iter()
        .find(|r| r["id"] == id)
        .and_then(|r| r["remaining"].as_u64())
}

/// Removes fault rule `id`, so later tests on the same server are not affected.
pub fn mastodon_fault_remove(id: &str) {
    reqwest::blocking::Client::new()
        .delete(format!("{}/api/v1/_mock/faults/{id}", mastodon_url()))
        .send()
        .and_then(|r| r.error_for_status())
        .expect("remove a fault");
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A world for one test.
pub struct Test {
    dir: tempfile::TempDir,
    pub uid: String,
    keychain: bool,
    env: Vec<(String, String)>,
}

impl Default for Test {
    fn default() -> Self {
        Self::new()
    }
}

impl Test {
    pub fn new() -> Test {
        let dir = tempfile::Builder::new()
            .prefix("postgate-test-")
            .tempdir()
            .expect("temp dir");
        let uid = format!("{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
        for sub in ["home", "config", "state", "data"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("xdg dirs");
        }
        let t = Test {
            dir,
            uid,
            keychain: false,
            env: Vec::new(),
        };
        t.write_policy(DEFAULT_POLICY);
        t
    }

    /// Replaces the policy (placeholders `{dir}` and `{uid}` are filled in).
    pub fn policy(self, text: &str) -> Test {
        self.write_policy(text);
        self
    }

    fn write_policy(&self, text: &str) {
        std::fs::write(self.policy_path(), self.fill(text)).expect("write policy");
    }

    pub fn fill(&self, text: &str) -> String {
        text.replace("{dir}", &self.dir.path().display().to_string())
            .replace("{uid}", &self.uid)
    }

    /// Gives the commands a real Secret Service.
    pub fn keychain(mut self) -> Test {
        self.keychain = true;
        keychain_address();
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Test {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes the test PNG under `name` in the test folder and returns its path.
    pub fn png(&self, name: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, PNG).expect("write png");
        path.display().to_string()
    }

    pub fn policy_path(&self) -> PathBuf {
        self.dir.path().join("policy.toml")
    }

    /// Writes a file under the test folder (placeholders filled in) and returns its path.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent");
        }
        std::fs::write(&path, self.fill(text)).expect("write file");
        path
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(rel)).expect("read file")
    }

    /// Sets git's `user.email` for the commands, through a real ~/.gitconfig in the test home.
    pub fn git_email(self, email: &str) -> Test {
        std::fs::write(
            self.dir.path().join("home/.gitconfig"),
            format!("[user]\n\temail = {email}\n"),
        )
        .expect("write .gitconfig");
        self
    }

    /// A new ed25519 SSH key made by the real ssh-keygen: `keys/NAME` and `keys/NAME.pub`.
    /// Returns the public key line.
    pub fn ssh_key(&self, name: &str) -> String {
        let dir = self.dir.path().join("keys");
        std::fs::create_dir_all(&dir).expect("keys dir");
        let status = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
            .arg(dir.join(name))
            .status()
            .expect("run ssh-keygen");
        assert!(status.success(), "ssh-keygen failed");
        std::fs::read_to_string(dir.join(format!("{name}.pub")))
            .expect("read public key")
            .trim()
            .to_string()
    }

    /// Signs `message` with `keys/NAME` by hand (`ssh-keygen -Y sign -n NAMESPACE`), the way a
    /// person would without postgate, and writes the signature to `out`.
    pub fn ssh_sign(&self, name: &str, namespace: &str, message: &str, out: &str) {
        let mut child = Command::new("ssh-keygen")
            .args(["-q", "-Y", "sign", "-n", namespace, "-f"])
            .arg(self.dir.path().join("keys").join(name))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("run ssh-keygen");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(message.as_bytes())
            .expect("write message");
        let output = child.wait_with_output().expect("ssh-keygen output");
        assert!(output.status.success(), "ssh-keygen -Y sign failed");
        std::fs::write(self.dir.path().join(out), output.stdout).expect("write signature");
    }

    /// Stores a keychain item under service `postgate` with secret-tool (libsecret), the way
    /// another client of the Secret Service (or another postgate) would.
    pub fn keychain_store(&self, username: &str, payload: &str) {
        let mut child = self
            .command("secret-tool")
            .args(["store", "--label=test", "service", "postgate", "username", username])
            .stdin(Stdio::piped())
            .spawn()
            .expect("secret-tool (from libsecret-tools)");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(payload.as_bytes())
            .expect("write the secret");
        assert!(child.wait().expect("secret-tool").success(), "secret-tool store failed");
    }

    pub fn handle(&self, account: &str) -> String {
        match account {
            "demo" => format!("@mairie_demo_{}", self.uid),
            "perso" => format!("@camille_{}", self.uid),
            "vault" => format!("@vault_{}", self.uid),
            other => panic!("no default handle for {other}"),
        }
    }

    /// The command's environment: nothing from the developer's own session leaks in.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .current_dir(self.dir.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path().join("home"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("POSTGATE_POLICY", self.policy_path())
            .env(
                "POSTGATE_TEST_SYSTEM_POLICY",
                self.dir.path().join("no-system-policy.toml"),
            )
            .env("LANG", "C.UTF-8");
        if self.keychain {
            cmd.env("DBUS_SESSION_BUS_ADDRESS", keychain_address());
        } else {
            // No keychain unless asked for: the developer's own session must not leak in.
            cmd.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/postgate-test-bus");
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn cmd<I, S>(&self, args: I) -> Cmd<'_>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Cmd {
            test: self,
            args: args.into_iter().map(|s| s.as_ref().to_string()).collect(),
            stdin: None,
            status: Some(0),
            stdout: None,
            stderr: None,
            stdout_has: Vec::new(),
            stderr_has: Vec::new(),
            env: Vec::new(),
            env_remove: Vec::new(),
        }
    }

    /// Records of the audit log, parsed.
    pub fn audit(&self) -> Vec<Value> {
        let path = self.dir.path().join("state/audit.jsonl");
        match std::fs::read_to_string(&path) {
            Ok(text) => text
                .lines()
                .map(|l| serde_json::from_str(l).expect("audit line is JSON"))
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    pub fn audit_path(&self) -> PathBuf {
        self.dir.path().join("state/audit.jsonl")
    }

    /// Posts in an outbox folder (relative to the test dir), parsed.
    pub fn outbox(&self, folder: &str) -> Vec<Value> {
        let dir = self.dir.path().join(folder).join("posts");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        entries
            .map(|e| e.expect("dir entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .map(|p| serde_json::from_slice(&std::fs::read(p).expect("read post")).expect("post is JSON"))
            .collect()
    }

    /// Every byte of every file under the test dir, for leak checks.
    pub fn all_files_bytes(&self) -> Vec<(PathBuf, Vec<u8>)> {
        fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if let Ok(bytes) = std::fs::read(&path) {
                    out.push((path, bytes));
                }
            }
        }
        let mut out = Vec::new();
        walk(self.dir.path(), &mut out);
        out
    }
}

/// One run of `postgate` with its expectations.
pub struct Cmd<'a> {
    test: &'a Test,
    args: Vec<String>,
    stdin: Option<Vec<u8>>,
    status: Option<i32>,
    stdout: Option<String>,
    stderr: Option<String>,
    stdout_has: Vec<String>,
    stderr_has: Vec<String>,
    env: Vec<(String, String)>,
    env_remove: Vec<String>,
}

impl<'a> Cmd<'a> {
    pub fn stdin(mut self, input: impl AsRef<[u8]>) -> Self {
        self.stdin = Some(input.as_ref().to_vec());
        self
    }

    /// The expected exit status (default 0).
    pub fn status(mut self, code: i32) -> Self {
        self.status = Some(code);
        self
    }

    /// The exact expected stdout (placeholders filled in).
    /// Expects the process to be killed by SIGKILL (the fault-injection hook).
    pub fn status_signal(mut self) -> Self {
        self.status = None;
        self
    }

    /// Accepts any exit status (for commands run only to read their output).
    pub fn status_any(mut self) -> Self {
        self.status = Some(ANY_STATUS);
        self
    }

    pub fn stdout(mut self, text: &str) -> Self {
        self.stdout = Some(self.test.fill(text));
        self
    }

    /// The exact expected stderr (placeholders filled in).
    pub fn stderr(mut self, text: &str) -> Self {
        self.stderr = Some(self.test.fill(text));
        self
    }

    pub fn stdout_has(mut self, text: &str) -> Self {
        self.stdout_has.push(self.test.fill(text));
        self
    }

    pub fn stderr_has(mut self, text: &str) -> Self {
        self.stderr_has.push(self.test.fill(text));
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), self.test.fill(value)));
        self
    }

    pub fn env_remove(mut self, key: &str) -> Self {
        self.env_remove.push(key.into());
        self
    }

    fn command(&self) -> Command {
        let mut cmd = self.test.command(BIN);
        cmd.args(self.args.iter().map(|a| self.test.fill(a)));
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        for k in &self.env_remove {
            cmd.env_remove(k);
        }
        cmd
    }

    /// Runs without a terminal (stdin, stdout and stderr are pipes) and checks expectations.
    pub fn run(self) -> Output {
        let mut cmd = self.command();
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        // No controlling terminal either: the child gets its own session, as in CI.
        #[cfg(unix)]
        unsafe {
            use std::os::unix::process::CommandExt;
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
        let mut child = cmd.spawn().expect("spawn postgate");
        let mut stdin = child.stdin.take().expect("stdin");
        let input = self.stdin.clone().unwrap_or_default();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let output = child.wait_with_output().expect("wait for postgate");
        writer.join().expect("stdin writer");
        self.check(&output);
        output
    }

    fn check(&self, output: &Output) {
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let context = format!(
            "\n--- command: postgate {}\n--- status: {:?}\n--- stdout:\n{stdout}\n--- stderr:\n{stderr}",
            self.args.join(" "),
            output.status.code()
        );
        if self.status == Some(ANY_STATUS) {
        } else if let Some(code) = self.status {
            assert_eq!(output.status.code(), Some(code), "unexpected exit status{context}");
        } else {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(output.status.signal(), Some(9), "expected SIGKILL{context}");
        }
        if let Some(expected) = &self.stdout {
            assert_eq!(&*stdout, expected, "unexpected stdout{context}");
        }
        if let Some(expected) = &self.stderr {
            assert_eq!(&*stderr, expected, "unexpected stderr{context}");
        }
        for needle in &self.stdout_has {
            assert!(stdout.contains(needle.as_str()), "stdout lacks {needle:?}{context}");
        }
        for needle in &self.stderr_has {
            assert!(stderr.contains(needle.as_str()), "stderr lacks {needle:?}{context}");
        }
    }

    /// Runs in a real pseudo-terminal. The returned session is driven with `expect`/`send`.
    pub fn tty(self) -> Tty {
        let mut cmd = self.command();
        cmd.env("TERM", "xterm-256color");
        Tty::spawn(cmd)
    }

    /// Runs in a pseudo-terminal of `columns`×`rows`. postgate starts only once that size is
    /// set (a shell waits for a first line that is sent after the resize), and `typed_ahead` is
    /// already waiting on the terminal's input when it starts, as keys typed too early would.
    pub fn tty_sized(self, columns: u16, rows: u16, typed_ahead: &str) -> Tty {
        let mut cmd = self.test.command("sh");
        cmd.env("TERM", "xterm-256color")
            .arg("-c")
            .arg("read -r _ && exec \"$0\" \"$@\"")
            .arg(BIN)
            .args(self.args.iter().map(|a| self.test.fill(a)));
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        for k in &self.env_remove {
            cmd.env_remove(k);
        }
        let mut tty = Tty::spawn(cmd);
        tty.session
            .get_process_mut()
            .set_window_size(columns, rows)
            .expect("set the pty's window size");
        tty.keys(&format!("\n{typed_ahead}"));
        tty
    }

    /// Runs `sh -c SCRIPT` in a pseudo-terminal, with `postgate` on PATH and this test's
    /// environment: for pipelines like `printf body | postgate post -a demo -`.
    pub fn tty_shell(self, script: &str) -> Tty {
        let mut cmd = self.test.command("sh");
        let bin_dir = Path::new(BIN).parent().expect("bin dir");
        let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
        cmd.env("PATH", path)
            .env("TERM", "xterm-256color")
            .arg("-c")
            .arg(self.test.fill(script));
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        Tty::spawn(cmd)
    }
}

/// A process in a pseudo-terminal.
pub struct Tty {
    session: expectrl::session::OsSession,
    seen: String,
}

impl Tty {
    fn spawn(cmd: Command) -> Tty {
        let mut session = expectrl::session::Session::spawn(cmd).expect("spawn in a pty");
        // A generous bound so a hang fails the test instead of blocking the suite; it is a
        // deadline, not a synchronisation sleep.
        session.set_expect_timeout(Some(std::time::Duration::from_secs(30)));
        Tty {
            session,
            seen: String::new(),
        }
    }

    /// Waits for `text` to appear on the terminal.
    pub fn expect(&mut self, text: &str) -> &mut Self {
        use expectrl::Expect;
        match self.session.expect(text) {
            // as_bytes() is what came before the match and the match itself.
            Ok(found) => self.seen.push_str(&String::from_utf8_lossy(found.as_bytes())),
            Err(e) => panic!("terminal never showed {text:?}: {e}\n--- seen so far:\n{}", self.seen),
        }
        self
    }

    /// Types a line and presses Enter.
    pub fn line(&mut self, text: &str) -> &mut Self {
        use expectrl::Expect;
        self.session.send(format!("{text}\r")).expect("type into the pty");
        self
    }

    /// Sends raw bytes (for example "\x04" for Ctrl-D, "\x03" for Ctrl-C).
    pub fn keys(&mut self, bytes: &str) -> &mut Self {
        use expectrl::Expect;
        self.session.send(bytes).expect("type into the pty");
        self
    }

    /// Reads until the process closes the terminal and returns its exit code.
    pub fn finish(&mut self) -> i32 {
        use expectrl::Expect;
        match self.session.expect(expectrl::Eof) {
            // as_bytes() is what came before the match and the match itself.
            Ok(found) => self.seen.push_str(&String::from_utf8_lossy(found.as_bytes())),
            Err(e) => {
                // Waiting on a process that never closes the terminal would block the whole
                // suite until CI's deadline; kill it and fail here, with what it showed.
                let process = self.session.get_process_mut();
                let _ = process.kill(expectrl::process::unix::Signal::SIGKILL);
                let _ = process.wait();
                panic!("postgate never closed the terminal: {e}\n--- seen:\n{}", self.seen);
            }
        }
        match self.session.get_process().wait() {
            Ok(expectrl::process::unix::WaitStatus::Exited(_, code)) => code,
            other => panic!("postgate did not exit normally: {other:?}\n--- seen:\n{}", self.seen),
        }
    }

    /// Everything the terminal showed so far.
    pub fn screen(&self) -> &str {
        &self.seen
    }

    /// What a terminal of `columns`×`rows` shows after everything seen so far.
    pub fn screen_at(&self, columns: usize, rows: usize) -> screen::Screen {
        screen::Screen::of(columns, rows, &self.seen)
    }
}

/// Runs `postgate ARGS` once per argument list, all released at the same moment: each process
/// first waits for one byte on a pipe they share, and the bytes are written only once every
/// process exists. No terminal, as in CI. Returns the outputs in the order given.
pub fn run_together(t: &Test, runs: &[Vec<String>]) -> Vec<Output> {
    let (reader, mut writer) = std::io::pipe().expect("pipe");
    let children: Vec<_> = runs
        .iter()
        .map(|args| {
            let mut cmd = t.command("sh");
            cmd.arg("-c")
                .arg(r#"dd bs=1 count=1 status=none >/dev/null && exec "$@""#)
                .arg("sh")
                .arg(BIN)
                .args(args.iter().map(|a| t.fill(a)))
                .stdin(reader.try_clone().expect("pipe"))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            #[cfg(unix)]
            unsafe {
                use std::os::unix::process::CommandExt;
                cmd.pre_exec(|| {
                    libc::setsid();
                    Ok(())
                });
            }
            cmd.spawn().expect("spawn postgate")
        })
        .collect();
    drop(reader);
    writer.write_all(&vec![b'x'; runs.len()]).expect("release the runs");
    drop(writer);
    children
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait for postgate"))
        .collect()
}

/// Makes a FIFO at `path`, for tests of what postgate does when a file it reads is one.
pub fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).expect("a path without NUL");
    // SAFETY: a valid NUL-terminated path; mkfifo does not keep the pointer.
    assert_eq!(
        unsafe { libc::mkfifo(c.as_ptr(), 0o600) },
        0,
        "mkfifo {}",
        path.display()
    );
}
