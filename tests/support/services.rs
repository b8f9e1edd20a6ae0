//! The real services the tests talk to, each started once per test run (this binary) the first
//! time a test needs it, and shared by every test after that.
//!
//! Each runs under a supervisor script that prints one `KEY=value` line (or a few, in a fixed
//! order: `supervise_all`) when its service is ready and stops the service when its stdin reaches EOF. That stdin is a pipe whose write end
//! only this process holds (pipes are close-on-exec, so no postgate child inherits it): it
//! closes when this process exits, however it ends, and every service stops with it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// A service's supervisor, alive as long as the test process.
pub struct Supervised {
    /// The first value (the only one, for `supervise`).
    pub value: String,
    /// Every value, in the order of the keys asked for.
    pub values: Vec<String>,
    _guard: Mutex<ChildStdin>,
}

pub fn supervise(script: &str, key: &str) -> Supervised {
    supervise_all(script, &[key])
}

/// `supervise` for a script that prints one `KEY=value` line per key of `keys`, in that order.
pub fn supervise_all(script: &str, keys: &[&str]) -> Supervised {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(script);
    let mut command = Command::new("bash");
    command
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    // A supervisor lives as long as this process, so it must hold none of the descriptors
    // other tests' threads have open when it starts: the pseudo-terminal crate (ptyprocess)
    // opens its terminal and the pipe it waits on until its child has started without
    // close-on-exec, and a supervisor holding that pipe would leave the test waiting forever
    // (seen once in lockdown's tests). Everything above stderr is closed when bash starts.
    // SAFETY: close_range only changes descriptor flags; it allocates nothing.
    unsafe {
        use std::os::unix::process::CommandExt;
        command.pre_exec(|| {
            if libc::close_range(3, libc::c_uint::MAX, libc::CLOSE_RANGE_CLOEXEC as libc::c_int) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    // Never waited for on purpose: it must outlive every test in this process.
    #[allow(clippy::zombie_processes)]
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", script.display()));
    let stdout = child.stdout.take().expect("piped stdout");
    let mut stdout = BufReader::new(stdout);
    let values: Vec<String> = keys
        .iter()
        .map(|key| {
            let mut line = String::new();
            stdout.read_line(&mut line).expect("reading the service address");
            line.trim()
                .strip_prefix(&format!("{key}="))
                .unwrap_or_else(|| {
                    panic!(
                        "{} did not start (got {line:?} for {key}); see its stderr above",
                        script.display()
                    )
                })
                .to_string()
        })
        .collect();
    Supervised {
        value: values[0].clone(),
        values,
        _guard: Mutex::new(child.stdin.take().expect("piped stdin")),
    }
}

static KEYCHAIN: OnceLock<Supervised> = OnceLock::new();
static MASTODON: OnceLock<Supervised> = OnceLock::new();
static MASTODON_FAULTS: OnceLock<Supervised> = OnceLock::new();
static PDS: OnceLock<Supervised> = OnceLock::new();

/// The D-Bus address of the Secret Service: a private session bus with an unlocked
/// gnome-keyring (`scripts/keychain-session.sh`). Tests use unique handles, so their keychain
/// items never collide.
pub fn keychain_address() -> &'static str {
    &KEYCHAIN
        .get_or_init(|| supervise("scripts/keychain-session.sh", "DBUS_SESSION_BUS_ADDRESS"))
        .value
}

/// The base URL of the mastodon-mock server every test shares.
pub fn mastodon_url() -> &'static str {
    &MASTODON
        .get_or_init(|| supervise("scripts/servers/supervise-mastodon-mock.sh", "MASTODON_URL"))
        .value
}

/// The base URL of a second mastodon-mock server, only for the tests that inject faults:
/// a fault applies to every request that matches its method and path, whoever makes it, so it
/// must not land on the shared server. Those tests take turns (`mastodon::mastodon_faults`).
pub fn mastodon_faults_url() -> &'static str {
    &MASTODON_FAULTS
        .get_or_init(|| supervise("scripts/servers/supervise-mastodon-mock.sh", "MASTODON_URL"))
        .value
}

/// The base URL of the Bluesky PDS (with its in-memory PLC directory) every test shares.
pub fn pds_url() -> &'static str {
    &PDS.get_or_init(|| supervise("scripts/servers/supervise-pds.sh", "PDS_URL"))
        .value
}
