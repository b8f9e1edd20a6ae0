//! The world of one test: a temp folder with HOME and XDG folders, the policy, and the files
//! in it; `t.cmd(...)` runs postgate in it (see `cmd`).

use super::cmd::Cmd;
use super::policy::DEFAULT_POLICY;
use super::services::keychain_address;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A valid 1×1 PNG, for attaching.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d,
    0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A world for one test.
pub struct Test {
    dir: tempfile::TempDir,
    pub uid: String,
    keychain: bool,
    env: Vec<(String, String)>,
    /// Each account of the policy last written, with its handle.
    handles: Vec<(String, String)>,
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
        let mut t = Test {
            dir,
            uid,
            keychain: false,
            env: Vec::new(),
            handles: Vec::new(),
        };
        t.write_policy(DEFAULT_POLICY);
        t
    }

    /// Replaces the policy (placeholders `{dir}` and `{uid}` are filled in).
    pub fn policy(mut self, text: &str) -> Test {
        self.write_policy(text);
        self
    }

    fn write_policy(&mut self, text: &str) {
        let text = self.fill(text);
        std::fs::write(self.policy_path(), &text).expect("write policy");
        self.handles = account_handles(&text);
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

    /// The handle of `account`: as the policy says, or for a policy that does not parse, as
    /// the default policy says.
    pub fn handle(&self, account: &str) -> String {
        if let Some((_, handle)) = self.handles.iter().find(|(name, _)| name == account) {
            return handle.clone();
        }
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
        Cmd::new(self, args.into_iter().map(|s| s.as_ref().to_string()).collect())
    }

    /// `postgate post -a ACCOUNT --confirm-handle HANDLE TEXT`, the handle being the account's
    /// own (`handle`): the usual post, confirmed without a terminal.
    pub fn post(&self, account: &str, text: &str) -> Cmd<'_> {
        let handle = self.handle(account);
        self.cmd(["post", "-a", account, "--confirm-handle", &handle, text])
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

/// Each `[[accounts]]` table's name and handle, when the policy is valid TOML.
fn account_handles(policy: &str) -> Vec<(String, String)> {
    let Ok(doc) = policy.parse::<toml::Table>() else {
        return Vec::new();
    };
    let Some(accounts) = doc.get("accounts").and_then(|a| a.as_array()) else {
        return Vec::new();
    };
    accounts
        .iter()
        .filter_map(|a| {
            Some((
                a.get("name")?.as_str()?.to_string(),
                a.get("handle")?.as_str()?.to_string(),
            ))
        })
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
