//! Where postgate keeps its files, following the XDG base directory rules on every OS.
//!
//! One rule everywhere keeps the documentation short and the tests honest: they point
//! `XDG_*_HOME` at a temp folder and nothing leaks into the real home.

use std::env;
use std::path::{Path, PathBuf};

fn home() -> Option<PathBuf> {
    env::var_os("HOME")
        .or_else(|| env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

fn xdg(var: &str, fallback: &[&str]) -> Option<PathBuf> {
    match env::var_os(var) {
        // The spec says relative values are invalid and must be ignored.
        Some(v) if Path::new(&v).is_absolute() => Some(PathBuf::from(v)),
        _ => home().map(|h| fallback.iter().fold(h, |p, part| p.join(part))),
    }
}

pub fn config_home() -> Option<PathBuf> {
    xdg("XDG_CONFIG_HOME", &[".config"])
}

pub fn state_home() -> Option<PathBuf> {
    xdg("XDG_STATE_HOME", &[".local", "state"])
}

/// postgate's own state folder: the default audit log and outboxes live here.
pub fn state_dir() -> Option<PathBuf> {
    state_home().map(|p| p.join("postgate"))
}

/// Expands a leading `~/` and resolves relative paths against `base` (the policy's folder), so
/// a policy means the same files whatever the current directory is.
pub fn resolve(path: &str, base: &Path) -> PathBuf {
    if let Some(rest) = path.strip_prefix("~/")
        && let Some(h) = home()
    {
        return h.join(rest);
    }
    let p = Path::new(path);
    if p.is_absolute() { p.to_path_buf() } else { base.join(p) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_taken_from_the_policy_folder() {
        let base = Path::new("/etc/postgate");
        assert_eq!(resolve("outbox", base), PathBuf::from("/etc/postgate/outbox"));
        assert_eq!(resolve("/var/lib/x", base), PathBuf::from("/var/lib/x"));
    }
}
