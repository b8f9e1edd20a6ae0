//! One run of postgate with its expectations (`Cmd`), the exit codes they name, and runs
//! released together.

use super::builder::Test;
use super::tty::Tty;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

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
    pub const NOT_FOUND: i32 = 14;
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
    pub(super) fn new(test: &'a Test, args: Vec<String>) -> Self {
        Cmd {
            test,
            args,
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
        tty.resize(columns, rows);
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
