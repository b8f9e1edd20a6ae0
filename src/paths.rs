//! Where postgate keeps its files, following the XDG base directory rules on every OS.
//!
//! One rule everywhere keeps the documentation short and the tests honest: they point
//! `XDG_*_HOME` at a temp folder and nothing leaks into the real home.
//!
//! The file helpers here are the one place that decides how postgate creates files (owner only)
//! and how it reads a file whole (a regular file, up to a bound), so every caller gets both.

use std::env;
use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The largest policy file postgate reads (system or user), in bytes. The example policy is
/// 15 KB; a policy with 100,000 terms is about 2 MB.
pub const MAX_POLICY_BYTES: u64 = 8 << 20;

/// The largest post postgate reads from `--file`, stdin or a draft, in bytes: far above any
/// platform's length limit, small enough that the rules never scan an unbounded text.
pub const MAX_POST_BYTES: u64 = 1 << 20;

/// The largest plan file postgate reads: a post at its largest, with room for the plan's own
/// fields and findings.
pub const MAX_PLAN_BYTES: u64 = 2 << 20;

/// The largest small file postgate reads: an SSH signature (an Ed25519 one is about 300 bytes,
/// an RSA-4096 one under 2 KiB), a lock file, a secret piped to `login`.
pub const MAX_SMALL_BYTES: u64 = 64 << 10;

/// Creates `dir` and its missing parents, readable by the owner only (0700). Folders that
/// already exist keep their mode: they may be shared on purpose.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Options that create files readable by the owner only (0600): the audit log and every file
/// beside it hold post texts, and lock files say who works on what.
pub fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Reads a whole file that must be a regular file of at most `limit` bytes.
///
/// The file is opened without blocking and examined after opening (the same file, not a name
/// that may have changed since), so a FIFO or a device is refused at once instead of hanging or
/// streaming forever. `what` names the file in messages ("policy", "post").
pub fn read_bounded(path: &Path, limit: u64, what: &str) -> io::Result<Vec<u8>> {
    read_bounded_with(path, limit, what, false)
}

/// Like [`read_bounded`], but the last component must not be a symbolic link (`O_NOFOLLOW`):
/// for files a folder walk found, which may have been replaced by a link since.
pub fn read_bounded_nofollow(path: &Path, limit: u64, what: &str) -> io::Result<Vec<u8>> {
    read_bounded_with(path, limit, what, true)
}

fn read_bounded_with(path: &Path, limit: u64, what: &str, nofollow: bool) -> io::Result<Vec<u8>> {
    let file = open_checked(OpenOptions::new().read(true), path, nofollow).map_err(|e| match e {
        Opened::Io(e) => e,
        Opened::NotRegular(kind) => io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not a regular file ({kind}); a {what} must be a file"),
        ),
    })?;
    if file.metadata()?.len() > limit {
        return Err(too_big(what, limit));
    }
    read_capped(file, limit, what)
}

/// Reads a stream (stdin) up to `limit` bytes, refusing a longer one.
pub fn read_stream_bounded(stream: impl Read, limit: u64, what: &str) -> io::Result<Vec<u8>> {
    read_capped(stream, limit, what)
}

fn read_capped(stream: impl Read, limit: u64, what: &str) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    // One byte past the limit tells "exactly at the limit" from "longer": a regular file may grow
    // between the size check and the read.
    stream.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_big(what, limit));
    }
    Ok(bytes)
}

/// Opens `path` with `options` and refuses anything but a regular file, without blocking on a
/// FIFO (`O_NONBLOCK`, which changes nothing for a regular file) or taking a terminal as ours:
/// for files postgate keeps, such as the audit log, which someone may have replaced by a FIFO
/// or a device to hang or flood every run.
pub fn open_regular(options: &mut OpenOptions, path: &Path) -> io::Result<File> {
    open_checked(options, path, false).map_err(|e| match e {
        Opened::Io(e) => e,
        Opened::NotRegular(kind) => io::Error::new(io::ErrorKind::InvalidInput, format!("not a regular file ({kind})")),
    })
}

/// Why [`open_checked`] gave no file.
enum Opened {
    Io(io::Error),
    /// Something other than a regular file is there: what it is ("a FIFO").
    NotRegular(&'static str),
}

/// The one way postgate opens a file it must not block on or stream from: `O_NONBLOCK` (a FIFO
/// with no writer returns at once; nothing changes for a regular file), `O_NOCTTY` (a terminal
/// device never becomes ours), `O_NOFOLLOW` when asked, then the open file itself is examined,
/// not a name that may have changed since.
fn open_checked(options: &mut OpenOptions, path: &Path, nofollow: bool) -> Result<File, Opened> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let follow = if nofollow { libc::O_NOFOLLOW } else { 0 };
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | follow);
    }
    #[cfg(not(unix))]
    let _ = nofollow;
    let file = options.open(path).map_err(Opened::Io)?;
    let meta = file.metadata().map_err(Opened::Io)?;
    if !meta.is_file() {
        return Err(Opened::NotRegular(file_type_name(&meta)));
    }
    Ok(file)
}

fn too_big(what: &str, limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("larger than {} KiB, the most postgate reads for a {what}", limit / 1024),
    )
}

fn file_type_name(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// Replaces `path` with `bytes` in one step: a reader (`apply`, git) sees the old file or the
/// new one, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes `bytes` to a new file `path` (never an existing one) with mode 0600, and syncs it.
/// On any failure the file is removed, so a full disk leaves nothing half-written behind.
pub fn write_new_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut file: File = private_options().write(true).create_new(true).open(path)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    if let Err(e) = written {
        drop(file);
        // The write error is the one to report: it says why (a full disk), and a removal that
        // fails too has the same cause.
        let _ = std::fs::remove_file(path);
        return Err(e);
    }
    Ok(())
}

pub fn home() -> Option<PathBuf> {
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

/// The folder a file's relative paths (a plan's images and signatures, a queue item's images)
/// are taken from: its parent, or `.` for a bare file name.
pub fn base_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_reads_refuse_what_is_not_a_regular_file_or_too_long() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"12345").unwrap();
        assert_eq!(read_bounded(&file, 5, "post").unwrap(), b"12345");
        let e = read_bounded(&file, 4, "post").unwrap_err();
        assert!(e.to_string().contains("the most postgate reads for a post"), "{e}");
        let e = read_bounded(dir.path(), 5, "post").unwrap_err();
        assert!(e.to_string().contains("not a regular file (a folder)"), "{e}");
        let e = read_bounded(Path::new("/dev/zero"), 5, "post").unwrap_err();
        assert!(e.to_string().contains("a character device"), "{e}");
        assert!(read_stream_bounded(&b"123456"[..], 5, "post").is_err());
        assert_eq!(read_stream_bounded(&b"12345"[..], 5, "post").unwrap(), b"12345");
    }

    #[cfg(unix)]
    #[test]
    fn private_files_and_folders_are_the_owners_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a/b");
        create_private_dir(&sub).unwrap();
        for d in [dir.path().join("a"), sub.clone()] {
            assert_eq!(std::fs::metadata(&d).unwrap().permissions().mode() & 0o777, 0o700);
        }
        let file = sub.join("f");
        write_new_private(&file, b"x").unwrap();
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        // Never over an existing file.
        assert!(write_new_private(&file, b"y").is_err());
        assert_eq!(std::fs::read(&file).unwrap(), b"x");
    }

    #[test]
    fn relative_paths_are_taken_from_the_policy_folder() {
        let base = Path::new("/etc/postgate");
        assert_eq!(resolve("outbox", base), PathBuf::from("/etc/postgate/outbox"));
        assert_eq!(resolve("/var/lib/x", base), PathBuf::from("/var/lib/x"));
    }
}
