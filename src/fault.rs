//! Fault injection for the crash tests: the points where dying (or a refusal) hurts most.

/// Fault injection for the crash tests: `POSTGATE_FAULT=kill-after-publish` kills the process
/// with SIGKILL right after the platform accepted the post, before the outcome is recorded,
/// which is the worst moment to die; `kill-outbox-write` kills it while the outbox has a
/// temporary file written and not yet in place. It can only ever make postgate stop, never
/// skip a check. `panic-<name>` panics there instead, for the tests of what a bug does.
pub fn point(name: &str) {
    if std::env::var("POSTGATE_FAULT").is_ok_and(|v| v.strip_prefix("panic-") == Some(name)) {
        panic!("fault injected at {name}");
    }
    if std::env::var("POSTGATE_FAULT").is_ok_and(|v| v.strip_prefix("kill-") == Some(name)) {
        #[cfg(unix)]
        // SAFETY: kill on our own pid; SIGKILL cannot be caught, so nothing runs after it.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
        std::process::abort();
    }
}

/// `POSTGATE_FAULT=fail-<name>`: the step at `name` fails as if its system had refused it (the
/// keychain refusing a write), for the tests of what postgate does then. Like [`point`], it can
/// only make postgate stop short, never skip a check.
pub fn fails(name: &str) -> bool {
    std::env::var("POSTGATE_FAULT").is_ok_and(|v| v.strip_prefix("fail-") == Some(name))
}
