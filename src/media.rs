//! Image files: the one place postgate reads an image it is about to upload.
//!
//! An image is published to the world, so reading the wrong file is a leak: a queue item's
//! `path = "leak.png"` that is a link to `/proc/self/environ` would upload the CI runner's
//! secrets. Two ways in, two sets of rules:
//!
//! - **Inside a folder** ([`read_within`]): a queue item's or a plan's image. The path must be
//!   relative, without `..`, and every component is opened with `O_NOFOLLOW` from the folder
//!   down (`openat`), so no link is followed and nothing can be swapped between a check and
//!   the read: what is checked is the open file itself.
//! - **Named by a person** ([`read_named`]): `post --image PATH` at a terminal. The person chose
//!   the file, so any path and links are accepted.
//!
//! Both then require a regular file (a FIFO or a device is refused without blocking on it),
//! at most the platform's size, whose first bytes are the signature of the type its extension
//! declares (PNG, JPEG, GIF, WebP).

use std::fs::File;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// The image types postgate uploads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Png,
    Jpeg,
    Gif,
    Webp,
}

impl Kind {
    fn from_extension(path: &Path) -> Option<Kind> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "png" => Some(Kind::Png),
            "jpg" | "jpeg" => Some(Kind::Jpeg),
            "gif" => Some(Kind::Gif),
            "webp" => Some(Kind::Webp),
            _ => None,
        }
    }

    /// The type the first bytes announce (the file signatures of the PNG, JPEG/JFIF, GIF and
    /// RIFF/WebP specifications).
    pub fn sniff(bytes: &[u8]) -> Option<Kind> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Kind::Png)
        } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
            Some(Kind::Jpeg)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(Kind::Gif)
        } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
            Some(Kind::Webp)
        } else {
            None
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Kind::Png => "image/png",
            Kind::Jpeg => "image/jpeg",
            Kind::Gif => "image/gif",
            Kind::Webp => "image/webp",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Png => "PNG",
            Kind::Jpeg => "JPEG",
            Kind::Gif => "GIF",
            Kind::Webp => "WebP",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Kind::Png => ".png",
            Kind::Jpeg => ".jpg",
            Kind::Gif => ".gif",
            Kind::Webp => ".webp",
        }
    }
}

/// An image as read: its bytes, checked.
#[derive(Clone)]
pub struct Checked {
    pub file_name: String,
    pub kind: Kind,
    pub bytes: Vec<u8>,
}

/// The bytes are an image's, possibly large: Debug shows their count only.
impl std::fmt::Debug for Checked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checked")
            .field("file_name", &self.file_name)
            .field("kind", &self.kind)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// Why an image was refused; the message names the path as it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub hint: String,
}

impl Refusal {
    fn new(shown: &Path, what: impl std::fmt::Display, hint: impl Into<String>) -> Refusal {
        Refusal {
            message: format!(
                "image `{}` {what}",
                crate::sanitize::one_line(&shown.display().to_string())
            ),
            hint: hint.into(),
        }
    }

    /// The refusal as a failure of the command line's input (exit 2).
    pub fn into_failure(self) -> crate::error::Failure {
        crate::error::Failure::new(crate::exit_codes::ExitCode::Usage, self.message).hint(self.hint)
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

const IN_FOLDER: &str = "keep the image file itself in the folder, beside the item or plan that names it, \
                         and name it by a relative path";

/// Reads `rel`, which must lie inside `base` and reach its file through no link, as an image
/// for `platform` (at most `max` bytes).
pub fn read_within(base: &Path, rel: &Path, max: u64, platform: &str) -> Result<Checked, Refusal> {
    let folder = folder_or_dot(base);
    let names = confined_components(folder, rel)?;
    let file = open_within(folder, rel, &names)?;
    finish(rel, file, max, platform)
}

/// Reads a file a person named on the command line, as an image for `platform`. Links are
/// followed: at their own terminal the person chose that file, wherever it is.
pub fn read_named(path: &Path, max: u64, platform: &str) -> Result<Checked, Refusal> {
    if Kind::from_extension(path).is_none() {
        return Err(unknown_extension(path));
    }
    let file = open_nonblocking(path, false).map_err(|e| io_refusal(path, e))?;
    finish(path, file, max, platform)
}

/// The path of `path` relative to `base` when it lies inside it, for a plan to record; a path
/// outside is refused. Folders are compared as they are on disk now; the file's own name is
/// kept as given, so that `read_within` then refuses it if it is a link.
pub fn relative_within(path: &Path, base: &Path) -> Result<PathBuf, Refusal> {
    let folder = folder_or_dot(base);
    let outside = || {
        Refusal::new(
            path,
            format_args!(
                "goes outside the folder `{}` of the plan",
                crate::sanitize::one_line(&folder.display().to_string())
            ),
            "a plan travels with its images: copy the image beside the plan, or write the plan \
             where the image is",
        )
    };
    let Some(name) = path.file_name() else {
        return Err(outside());
    };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let (Ok(parent), Ok(folder)) = (std::fs::canonicalize(parent), std::fs::canonicalize(folder)) else {
        return Err(Refusal::new(path, "cannot be found", IN_FOLDER));
    };
    let inside = parent.strip_prefix(&folder).map_err(|_| outside())?;
    Ok(inside.join(name))
}

/// `base_of` gives "" for a file in the current folder; opening "" fails.
fn folder_or_dot(base: &Path) -> &Path {
    if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base
    }
}

/// The plain names from `base` down to the file; any other component is refused.
fn confined_components(base: &Path, rel: &Path) -> Result<Vec<std::ffi::OsString>, Refusal> {
    let shown_base = crate::sanitize::one_line(&base.display().to_string());
    let mut names = Vec::new();
    for component in rel.components() {
        match component {
            Component::Normal(name) => names.push(name.to_os_string()),
            Component::CurDir => {}
            Component::ParentDir => {
                return Err(Refusal::new(
                    rel,
                    format_args!("goes outside the folder `{shown_base}`"),
                    IN_FOLDER,
                ));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(Refusal::new(
                    rel,
                    format_args!("is an absolute path; name it relative to the folder `{shown_base}`"),
                    IN_FOLDER,
                ));
            }
        }
    }
    if names.is_empty() {
        return Err(Refusal::new(rel, "names no file", IN_FOLDER));
    }
    if Kind::from_extension(rel).is_none() {
        return Err(unknown_extension(rel));
    }
    Ok(names)
}

fn unknown_extension(path: &Path) -> Refusal {
    Refusal::new(
        path,
        "is not a .png, .jpg, .gif or .webp file",
        "only .png, .jpg, .gif and .webp images can be attached",
    )
}

/// Checks the open file and reads it: a regular file, within the size, of its declared type.
fn finish(shown: &Path, mut file: File, max: u64, platform: &str) -> Result<Checked, Refusal> {
    let meta = file.metadata().map_err(|e| io_refusal(shown, e))?;
    if !meta.file_type().is_file() {
        return Err(Refusal::new(
            shown,
            format_args!("is {}, not a regular file", describe(&meta.file_type())),
            "attach the image file itself",
        ));
    }
    let too_big = |size: u64| {
        Refusal::new(
            shown,
            format_args!("is {size} bytes; {platform} takes at most {max}"),
            "make the image smaller (fewer pixels, or a stronger compression)",
        )
    };
    if meta.len() > max {
        return Err(too_big(meta.len()));
    }
    // The size on disk can grow, and files like those of /proc say 0: read one byte past the
    // limit so that either shows.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.by_ref()
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| io_refusal(shown, e))?;
    if bytes.len() as u64 > max {
        return Err(too_big(bytes.len() as u64));
    }
    let Some(declared) = Kind::from_extension(shown) else {
        return Err(unknown_extension(shown));
    };
    match Kind::sniff(&bytes) {
        Some(actual) if actual == declared => {}
        Some(actual) => {
            return Err(Refusal::new(
                shown,
                format_args!("is a {} image, not a {}", actual.name(), declared.name()),
                format!("name it with the extension of its type ({})", actual.extension()),
            ));
        }
        None => {
            return Err(Refusal::new(
                shown,
                format_args!(
                    "is not a {} image (it does not start with the {} signature)",
                    declared.name(),
                    declared.name()
                ),
                "attach a real image; postgate reads the file's first bytes, not only its name",
            ));
        }
    }
    let file_name = shown
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Checked {
        file_name,
        kind: declared,
        bytes,
    })
}

fn describe(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if t.is_dir() {
        "a folder"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "not a file"
    }
}

fn io_refusal(shown: &Path, e: std::io::Error) -> Refusal {
    let what = match e.kind() {
        std::io::ErrorKind::NotFound => "cannot be found".to_string(),
        _ => format!("cannot be read: {e}"),
    };
    Refusal::new(
        shown,
        what,
        "check the path, relative to the folder of the file that names it",
    )
}

fn link_refusal(shown: &Path) -> Refusal {
    Refusal::new(
        shown,
        "is a symbolic link; postgate follows no link from a queue or plan folder",
        IN_FOLDER,
    )
}

/// Opens a file without blocking on a FIFO or a device, so that the type check decides.
#[cfg(unix)]
fn open_nonblocking(path: &Path, no_follow: bool) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY;
    if no_follow {
        flags |= libc::O_NOFOLLOW;
    }
    std::fs::OpenOptions::new().read(true).custom_flags(flags).open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path, _no_follow: bool) -> std::io::Result<File> {
    File::open(path)
}

/// Opens `names` below `base`, one component at a time from an open folder, each with
/// `O_NOFOLLOW`: a link anywhere on the way fails the open itself, so nothing can be swapped in
/// between a check and the read.
#[cfg(unix)]
fn open_within(base: &Path, rel: &Path, names: &[std::ffi::OsString]) -> Result<File, Refusal> {
    use std::ffi::CString;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::OpenOptionsExt;

    // The folder itself is the one the item or plan lies in, reached as its path says.
    let mut dir: OwnedFd = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY)
        .open(base)
        .map_err(|e| io_refusal(rel, e))?
        .into();
    let mut walked = base.to_path_buf();
    for (i, name) in names.iter().enumerate() {
        let last = i + 1 == names.len();
        walked.push(name);
        let c_name = CString::new(name.as_bytes()).map_err(|_| Refusal::new(rel, "has a NUL byte", IN_FOLDER))?;
        let mut flags = libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NOCTTY;
        flags |= if last { libc::O_NONBLOCK } else { libc::O_DIRECTORY };
        // SAFETY: `dir` is an open descriptor we own and `c_name` a NUL-terminated string that
        // outlives the call; the result is checked before use.
        let fd = unsafe { libc::openat(dir.as_raw_fd(), c_name.as_ptr(), flags) };
        if fd < 0 {
            let err = std::io::Error::last_os_error();
            // The open failed; only now look at what is there, to say why.
            let is_link = std::fs::symlink_metadata(&walked).is_ok_and(|m| m.file_type().is_symlink());
            return Err(if is_link {
                link_refusal(rel)
            } else if err.raw_os_error() == Some(libc::ENOTDIR) {
                Refusal::new(
                    rel,
                    format_args!("goes through `{}`, which is not a folder", name.to_string_lossy()),
                    IN_FOLDER,
                )
            } else {
                io_refusal(rel, err)
            });
        }
        // SAFETY: `fd` was just returned by openat and is owned by nothing else.
        dir = unsafe { OwnedFd::from_raw_fd(fd) };
    }
    Ok(File::from(dir))
}

/// Without `openat`, each component is checked not to be a link and the file opened after;
/// the check and the open are two steps there.
#[cfg(not(unix))]
fn open_within(base: &Path, rel: &Path, names: &[std::ffi::OsString]) -> Result<File, Refusal> {
    let mut walked = base.to_path_buf();
    for name in names {
        walked.push(name);
        match std::fs::symlink_metadata(&walked) {
            Ok(m) if m.file_type().is_symlink() => return Err(link_refusal(rel)),
            Ok(_) => {}
            Err(e) => return Err(io_refusal(rel, e)),
        }
    }
    open_nonblocking(&walked, true).map_err(|e| io_refusal(rel, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    fn folder() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/a.png"), PNG).unwrap();
        dir
    }

    #[test]
    fn signatures_decide_the_type() {
        assert_eq!(Kind::sniff(PNG), Some(Kind::Png));
        assert_eq!(Kind::sniff(b"\xff\xd8\xff\xe0\0\x10JFIF"), Some(Kind::Jpeg));
        assert_eq!(Kind::sniff(b"GIF89a\x01\0"), Some(Kind::Gif));
        assert_eq!(Kind::sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Some(Kind::Webp));
        assert_eq!(Kind::sniff(b"RIFF\x24\0\0\0WAVEfmt "), None);
        assert_eq!(Kind::sniff(b"HOME=/root\0PATH=/bin\0"), None);
        assert_eq!(Kind::sniff(b""), None);
    }

    #[test]
    fn a_file_inside_is_read_and_checked() {
        let dir = folder();
        let image = read_within(dir.path(), Path::new("./sub/a.png"), 100, "outbox").unwrap();
        assert_eq!(image.bytes, PNG);
        assert_eq!(image.kind.mime(), "image/png");
        assert_eq!(image.file_name, "a.png");
    }

    #[test]
    fn escapes_absolute_paths_and_links_are_refused() {
        let dir = folder();
        let outside = dir.path().join("sub/a.png");
        for (rel, why) in [
            (Path::new("../a.png"), "goes outside the folder"),
            (Path::new("sub/../../a.png"), "goes outside the folder"),
            (outside.as_path(), "is an absolute path"),
            (Path::new("missing.png"), "cannot be found"),
            (Path::new("a.png/b.png"), "which is not a folder"),
        ] {
            let e = read_within(&dir.path().join("sub"), rel, 100, "outbox").unwrap_err();
            assert!(e.message.contains(why), "{rel:?}: {}", e.message);
        }
        std::os::unix::fs::symlink("sub", dir.path().join("link")).unwrap();
        std::os::unix::fs::symlink("sub/a.png", dir.path().join("b.png")).unwrap();
        for rel in ["link/a.png", "b.png"] {
            let e = read_within(dir.path(), Path::new(rel), 100, "outbox").unwrap_err();
            assert!(e.message.contains("is a symbolic link"), "{rel}: {}", e.message);
        }
    }

    #[test]
    fn only_regular_files_within_the_size_and_of_their_type() {
        let dir = folder();
        std::fs::create_dir(dir.path().join("d.png")).unwrap();
        std::fs::write(dir.path().join("t.png"), "texte").unwrap();
        std::fs::write(dir.path().join("g.gif"), PNG).unwrap();
        std::fs::write(dir.path().join("n.txt"), PNG).unwrap();
        for (rel, max, why) in [
            ("d.png", 100, "is a folder, not a regular file"),
            ("t.png", 100, "is not a PNG image"),
            ("g.gif", 100, "is a PNG image, not a GIF"),
            ("n.txt", 100, "is not a .png, .jpg, .gif or .webp file"),
            ("sub/a.png", 10, "is 16 bytes; outbox takes at most 10"),
        ] {
            let e = read_within(dir.path(), Path::new(rel), max, "outbox").unwrap_err();
            assert!(e.message.contains(why), "{rel}: {}", e.message);
        }
        // On the command line a link is followed, and what it reaches is still checked: a file
        // that says it is empty but is not (like those of /proc) is read, bounded, and refused.
        let env = dir.path().join("env.png");
        std::os::unix::fs::symlink("/proc/self/environ", &env).unwrap();
        let e = read_named(&env, 1_000_000, "outbox").unwrap_err();
        assert!(e.message.contains("is not a PNG image"), "{}", e.message);
        assert!(read_named(&dir.path().join("sub/a.png"), 100, "outbox").is_ok());
    }

    #[test]
    fn a_plan_records_paths_inside_its_folder_only() {
        let dir = folder();
        let base = dir.path().join("sub");
        assert_eq!(relative_within(&base.join("a.png"), &base).unwrap(), Path::new("a.png"));
        assert_eq!(
            relative_within(&dir.path().join("sub/../sub/a.png"), dir.path()).unwrap(),
            Path::new("sub/a.png")
        );
        let e = relative_within(&dir.path().join("x.png"), &base).unwrap_err();
        assert!(e.message.contains("goes outside the folder"), "{}", e.message);
    }
}
