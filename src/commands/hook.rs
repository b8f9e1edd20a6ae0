//! The `--on-foreign` hook of `reconcile`: a command run once per foreign post, bounded.
//!
//! The hook is the alarm, so it must run whatever the post holds, and it must not outlive the
//! run that started it:
//! - the post's text goes in a private temporary file, given as the hook's stdin and named by
//!   `POSTGATE_POST_TEXT_FILE`; the environment gets only a capped, sanitized copy, so a long
//!   post cannot make `exec` fail with "Argument list too long" (Linux refuses any one
//!   environment string over 128 KiB);
//! - the hook runs in its own process group, and that group is killed when the hook ends, when
//!   its time is up, and when postgate is stopped by SIGINT, SIGTERM or SIGHUP;
//! - on Linux, the hook's shell gets SIGKILL if postgate dies (PR_SET_PDEATHSIG), and postgate
//!   is a child subreaper, so every process of the group is reaped before reconcile goes on.

use std::io::Write;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

/// The most any one `POSTGATE_*` variable holds, in bytes; longer values are cut at a character
/// boundary and end with `…`. Far below the kernel's 128 KiB per string, and small enough that
/// a dozen of them leave the argument space (ARG_MAX) to the hook.
pub const ENV_CAP: usize = 4096;

/// The process group of the hook running now (0: none), for the signal handler.
static RUNNING_GROUP: AtomicI32 = AtomicI32::new(0);

/// How one run of the hook ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// It exited; `None` is success, otherwise how it failed (`exit status: 3`).
    Exited(Option<String>),
    /// Its time was up; its process group was killed.
    TimedOut,
}

/// Cuts `value` to at most `ENV_CAP` bytes, on a character boundary. Returns whether it cut.
pub fn capped(value: &str) -> (String, bool) {
    if value.len() <= ENV_CAP {
        return (value.to_string(), false);
    }
    let marker = "…";
    let mut end = ENV_CAP - marker.len();
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    (format!("{}{marker}", &value[..end]), true)
}

/// The post's text in a private temporary file (mode 0600), and that file opened for reading.
fn text_file(text: &str) -> std::io::Result<(tempfile::NamedTempFile, std::fs::File)> {
    let mut file = tempfile::Builder::new().prefix("postgate-post-").tempfile()?;
    file.write_all(text.as_bytes())?;
    file.flush()?;
    let stdin = file.reopen()?;
    Ok((file, stdin))
}

/// Runs `sh -c cmd` with `env` (each value already capped) and `text` on stdin and in the file
/// named by `POSTGATE_POST_TEXT_FILE`; its stdout goes to our stderr. Waits at most `timeout`.
pub fn run(cmd: &str, env: &[(&str, String)], text: &str, timeout: Duration) -> std::io::Result<Ended> {
    let mut command = std::process::Command::new("sh");
    command
        .arg("-c")
        .arg(cmd)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(std::io::stderr());
    // The alarm matters more than the text: without a temporary folder the hook still runs,
    // with the capped text of its environment only.
    // Kept until the hook has ended; dropping it deletes the file.
    let file = match text_file(text) {
        Ok((file, stdin)) => {
            command.env("POSTGATE_POST_TEXT_FILE", file.path()).stdin(stdin);
            Some(file)
        }
        Err(e) => {
            crate::output::status(&format!(
                "warning: --on-foreign gets no POSTGATE_POST_TEXT_FILE and an empty stdin: {e}"
            ));
            command.stdin(std::process::Stdio::null());
            None
        }
    };
    prepare(&mut command);
    // A signal between the spawn and the store would find no group to kill: hold the signals
    // until the handler can see it. (`prepare` clears the mask in the child.)
    let held = hold_signals();
    let spawned = command.spawn();
    if let Ok(child) = &spawned {
        RUNNING_GROUP.store(child.id() as i32, Ordering::SeqCst);
    }
    release_signals(held);
    let mut child = spawned?;
    let group = child.id() as i32;

    // std has no wait with a timeout: a thread waits, this one waits for it with one.
    let (tx, rx) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let ended = match rx.recv_timeout(timeout) {
        Ok(Ok(status)) if status.success() => Ended::Exited(None),
        Ok(Ok(status)) => Ended::Exited(Some(status.to_string())),
        Ok(Err(e)) => Ended::Exited(Some(format!("could not be waited for: {e}"))),
        Err(_) => Ended::TimedOut,
    };
    // Whatever the hook left behind (a background job, or all of it on a timeout) goes now.
    kill_group(group);
    let _ = waiter.join();
    reap_group(group);
    RUNNING_GROUP.store(0, Ordering::SeqCst);
    drop(file);
    Ok(ended)
}

#[cfg(unix)]
fn prepare(command: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    install_signal_handlers();
    #[cfg(target_os = "linux")]
    // SAFETY: prctl on our own process; it only changes who reaps our orphaned descendants.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: only async-signal-safe calls (sigemptyset, sigprocmask, prctl, getppid) between
    // fork and exec.
    unsafe {
        command.pre_exec(move || {
            // The fork happened while `run` held SIGINT, SIGTERM and SIGHUP, and std does not
            // clear the mask: a hook that cannot be stopped by them is not wanted.
            let mut none: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut none);
            libc::sigprocmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());
            // The death signal fires when the thread that forked exits: this is the command's
            // own thread, which outlives the hook.
            #[cfg(target_os = "linux")]
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // postgate died before the prctl: do not start an orphan.
            if libc::getppid() != parent {
                return Err(std::io::Error::other("postgate exited before the hook started"));
            }
            Ok(())
        });
    }
    command.process_group(0);
}

#[cfg(not(unix))]
fn prepare(_command: &mut std::process::Command) {}

#[cfg(unix)]
fn kill_group(group: i32) {
    if group > 0 {
        // SAFETY: a signal to the hook's own process group, never to pid 0 or -1.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
    }
}

#[cfg(not(unix))]
fn kill_group(_group: i32) {}

/// Waits for every process left in the group (ours to reap as a subreaper), so none is still
/// there when reconcile goes on or exits.
#[cfg(unix)]
fn reap_group(group: i32) {
    if group <= 0 {
        return;
    }
    loop {
        let mut status = 0;
        // SAFETY: waitpid on our own children of that group.
        let r = unsafe { libc::waitpid(-group, &mut status, 0) };
        if r > 0 {
            continue;
        }
        if std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
            continue;
        }
        break;
    }
}

#[cfg(not(unix))]
fn reap_group(_group: i32) {}

/// On SIGINT, SIGTERM or SIGHUP while a hook runs, its group goes first, then postgate ends as
/// the signal asks. (The hook is in its own group, so a Ctrl-C at the terminal does not reach it.)
#[cfg(unix)]
fn install_signal_handlers() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    extern "C" fn on_signal(signal: libc::c_int) {
        let group = RUNNING_GROUP.load(Ordering::SeqCst);
        // SAFETY: kill, signal and raise are async-signal-safe.
        unsafe {
            if group > 0 {
                libc::kill(-group, libc::SIGKILL);
            }
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
    }
    ONCE.call_once(|| {
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            // SAFETY: installs a handler that only makes async-signal-safe calls.
            unsafe {
                libc::signal(signal, on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t);
            }
        }
    });
}

#[cfg(unix)]
fn hold_signals() -> libc::sigset_t {
    // SAFETY: plain signal-mask calls on this thread, with sets we initialise.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(&mut set, signal);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut old);
        old
    }
}

#[cfg(unix)]
fn release_signals(old: libc::sigset_t) {
    // SAFETY: restores the mask `hold_signals` saved.
    unsafe {
        libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
    }
}

#[cfg(not(unix))]
fn hold_signals() {}

#[cfg(not(unix))]
fn release_signals(_old: ()) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_capped_on_a_character_boundary() {
        let (short, cut) = capped("court");
        assert_eq!((short.as_str(), cut), ("court", false));
        let long = "é".repeat(ENV_CAP);
        let (value, cut) = capped(&long);
        assert!(cut);
        assert!(value.len() <= ENV_CAP, "{}", value.len());
        assert!(value.ends_with('…'));
        assert!(value.trim_end_matches('…').chars().all(|c| c == 'é'));
    }
}

/// Why approvers are told: a plan that needs them was written, or a queue item is due
/// without their approvals.
#[derive(Debug, Clone, Copy)]
pub enum Waiting {
    Written,
    Due,
}

/// Runs `[approvals] notify`, if the policy has one, for the plan at `path`: its facts in
/// `POSTGATE_*` variables (capped, made visible), its text on stdin, never in the command line.
/// A notification that fails is a warning: the plan is written, or left waiting, either way.
pub fn notify(
    policy: &crate::policy::Policy,
    account: &crate::account::Account,
    plan: &crate::plan::Plan,
    path: &std::path::Path,
    needs: &[String],
    why: Waiting,
) {
    let Some(cmd) = &policy.approvals.notify else {
        return;
    };
    let one = |v: &str| capped(&crate::sanitize::one_line(v)).0;
    let review = policy
        .approvals
        .review_url
        .as_ref()
        .map(|u| format!("{u}/plan/{}", crate::review::id_of(path)))
        .unwrap_or_default();
    let (summary, cut) = capped(&crate::sanitize::one_line(&plan.post.text));
    let env = [
        (
            "POSTGATE_EVENT",
            match why {
                Waiting::Written => "plan-written",
                Waiting::Due => "due-without-approval",
            }
            .to_string(),
        ),
        ("POSTGATE_PLAN", one(&path.display().to_string())),
        ("POSTGATE_PLAN_HASH", plan.plan_hash.clone()),
        ("POSTGATE_ACCOUNT", one(&account.name)),
        ("POSTGATE_HANDLE", one(&account.handle)),
        ("POSTGATE_KIND", account.kind.as_str().to_string()),
        ("POSTGATE_AUTHOR", one(&plan.author.describe())),
        ("POSTGATE_NEEDS", one(&needs.join("; "))),
        ("POSTGATE_SUMMARY", summary),
        ("POSTGATE_SUMMARY_TRUNCATED", if cut { "1" } else { "0" }.to_string()),
        ("POSTGATE_REVIEW_URL", review),
    ];
    match run(cmd, &env, &plan.post.text, Duration::from_secs(30)) {
        Ok(Ended::Exited(None)) => {}
        Ok(Ended::Exited(Some(how))) => {
            crate::output::status(&format!("warning: [approvals] notify exited with {how}"));
        }
        Ok(Ended::TimedOut) => {
            crate::output::status("warning: [approvals] notify did not finish within 30s; its process group was killed")
        }
        Err(e) => crate::output::status(&format!("warning: [approvals] notify could not run: {e}")),
    }
}
