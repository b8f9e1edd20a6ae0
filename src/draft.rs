//! Draft files: a post prepared in a repository, for `postgate check` and CI.
//!
//! A draft is the post's text, optionally preceded by TOML front matter between `+++` lines:
//!
//! ```text
//! +++
//! account = "ministere"
//! language = "fr"
//! publish_at = "2026-12-01T09:00:00+01:00"
//! expires = "2026-12-02T09:00:00+01:00"
//! author = "redaction@culture.gouv.fr"
//! reply_to = "https://social.example/@someone/123"
//! [[images]]
//! path = "affiche.png"
//! alt = "L'affiche de la journée portes ouvertes"
//! +++
//! Le texte du post.
//! ```
//!
//! The text is everything after the closing `+++` line, with one final newline dropped, exactly
//! as `postgate post --file` reads it.

use crate::diagnostic::line_col;
use serde::Deserialize;
use std::ops::Range;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub account: Option<String>,
    pub language: Option<String>,
    pub reply_to: Option<String>,
    /// The published post this item corrects (id or URL); a queue item is a new post otherwise.
    pub corrects: Option<String>,
    /// When the post is meant to go out; `check` judges quiet hours at this time. A TOML
    /// date-time or a string, with its UTC offset.
    #[serde(default, deserialize_with = "timestamp")]
    pub publish_at: Option<jiff::Timestamp>,
    /// After this time the post is never published (the queue reports it as expired).
    #[serde(default, deserialize_with = "timestamp")]
    pub expires: Option<jiff::Timestamp>,
    /// Who wrote the post (an e-mail), so that they cannot approve it themselves.
    pub author: Option<String>,
    #[serde(default)]
    pub images: Vec<ImageRef>,
}

fn timestamp<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<jiff::Timestamp>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Toml(toml::value::Datetime),
        Text(String),
    }
    let text = match Either::deserialize(d)? {
        Either::Toml(dt) => dt.to_string(),
        Either::Text(t) => t,
    };
    text.parse::<jiff::Timestamp>().map(Some).map_err(|e| {
        serde::de::Error::custom(format!(
            "`{text}` is not a time with its UTC offset, like 2026-12-01T09:00:00+01:00 ({e})"
        ))
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageRef {
    /// Relative to the draft's folder, and inside it (see `media::read_within`).
    pub path: PathBuf,
    pub alt: Option<String>,
    /// Where the `path` value lies in the draft file (bytes), so that a refused image is
    /// reported at its `file:line:col`; empty when unknown.
    #[serde(skip)]
    pub at: Range<usize>,
}

/// The same front matter again, only for where each image's `path` is written.
#[derive(Deserialize)]
struct Located {
    #[serde(default)]
    images: Vec<LocatedImage>,
}

#[derive(Deserialize)]
struct LocatedImage {
    path: Option<toml::Spanned<toml::Value>>,
}

/// A parsed draft. Offsets are bytes into `source`, so findings in the text can be reported as
/// `line:col` of the file.
#[derive(Debug)]
pub struct DraftFile {
    pub source: String,
    pub front: FrontMatter,
    /// Where the post's text lies in `source`.
    pub text: Range<usize>,
}

/// A problem in a draft file, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl DraftFile {
    pub fn text(&self) -> &str {
        &self.source[self.text.clone()]
    }

    /// `line:col` in the file of a byte offset in the text.
    pub fn line_col(&self, offset_in_text: usize) -> (usize, usize) {
        line_col(&self.source, self.text.start + offset_in_text)
    }

    /// `line:col` in the file of the `path` value of image `index`; 1:1 when unknown.
    pub fn image_line_col(&self, index: usize) -> (usize, usize) {
        let at = self.front.images.get(index).map_or(0, |i| i.at.start);
        line_col(&self.source, at)
    }

    pub fn parse(source: String) -> Result<DraftFile, DraftError> {
        let opening = ["+++\n", "+++\r\n"].into_iter().find(|o| source.starts_with(o));
        let Some(opening) = opening else {
            let end = text_end(&source, 0);
            return Ok(DraftFile {
                source,
                front: FrontMatter::default(),
                text: 0..end,
            });
        };
        let body_start = opening.len();
        let close = find_closing(&source, body_start).ok_or(DraftError {
            line: 1,
            col: 1,
            message: "front matter opened with +++ is never closed by a +++ line".into(),
        })?;
        let toml_text = &source[body_start..close.start];
        let mut front: FrontMatter = toml::from_str(toml_text).map_err(|e| {
            let offset = body_start + e.span().map_or(0, |s| s.start);
            let (line, col) = line_col(&source, offset);
            DraftError {
                line,
                col,
                message: format!("front matter: {}", e.message()),
            }
        })?;
        // The front matter parsed, so it parses again; without spans an error points at 1:1.
        if let Ok(located) = toml::from_str::<Located>(toml_text) {
            for (image, found) in front.images.iter_mut().zip(located.images) {
                if let Some(path) = found.path {
                    let span = path.span();
                    image.at = body_start + span.start..body_start + span.end;
                }
            }
        }
        let end = text_end(&source, close.end);
        Ok(DraftFile {
            source,
            front,
            text: close.end..end,
        })
    }
}

/// The `+++` line that closes the front matter: its range including the newline.
fn find_closing(source: &str, from: usize) -> Option<Range<usize>> {
    let mut offset = from;
    for line in source[from..].split_inclusive('\n') {
        if line.trim_end_matches(['\n', '\r']) == "+++" {
            return Some(offset..offset + line.len());
        }
        offset += line.len();
    }
    None
}

/// The end of the text: one final newline (LF or CRLF) is not part of the post.
fn text_end(source: &str, start: usize) -> usize {
    let rest = &source[start..];
    let trimmed = rest
        .strip_suffix("\r\n")
        .or_else(|| rest.strip_suffix('\n'))
        .unwrap_or(rest);
    start + trimmed.len()
}

/// What expanding files and folders found: the draft files, and what the walk left alone.
#[derive(Debug, Default)]
pub struct Expansion {
    pub files: Vec<PathBuf>,
    /// Entries a folder walk did not take although they looked like drafts or folders.
    pub skipped: Vec<Skipped>,
}

/// An entry a walk did not take, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub why: &'static str,
}

pub const LINK_NOT_FOLLOWED: &str = "a symbolic link, not followed";
pub const NOT_REGULAR: &str = "not a regular file, not read";

/// Expands files and folders into draft files, sorted; folders are searched recursively for
/// `.md` and `.txt` files, skipping hidden entries.
///
/// A path given here is taken as it is, link or not: whoever ran the command named it. Inside
/// a folder no link is followed, neither to a folder (`ln -s / q/root` would walk the whole
/// disk, `ln -s . q/sub` would count each item again and again) nor to a file (an item must be
/// in the folder reviewed, not elsewhere); each is reported in `skipped` instead, as is a FIFO
/// or device named like a draft, which a reader would block on.
pub fn expand(paths: &[PathBuf]) -> std::io::Result<Expansion> {
    let mut out = Expansion::default();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.files.push(p.clone());
        }
    }
    Ok(out)
}

/// Reads a file a walk found: not through a link (`O_NOFOLLOW`), and only a regular file (a
/// FIFO is opened without blocking, then refused), in case the entry was replaced after the
/// walk looked at it.
pub fn read_walked(path: &Path) -> std::io::Result<Vec<u8>> {
    crate::paths::read_bounded_nofollow(path, crate::paths::MAX_POST_BYTES, "post")
}

fn walk(dir: &Path, out: &mut Expansion) -> std::io::Result<()> {
    let mut entries: Vec<(PathBuf, std::fs::FileType)> = std::fs::read_dir(dir)?
        .map(|e| e.and_then(|e| Ok((e.path(), e.file_type()?))))
        .collect::<Result<_, _>>()?;
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, kind) in entries {
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        let draft_like = matches!(path.extension().and_then(|e| e.to_str()), Some("md" | "txt"));
        // `file_type` is the entry's own type: a link is a link here, never what it points to.
        if kind.is_symlink() {
            // Only to say so: a link to a folder or named like a draft is what a person may
            // have expected to be read. Looking at its target reads no content.
            if draft_like || std::fs::metadata(&path).is_ok_and(|m| m.is_dir()) {
                out.skipped.push(Skipped {
                    path,
                    why: LINK_NOT_FOLLOWED,
                });
            }
        } else if kind.is_dir() {
            walk(&path, out)?;
        } else if draft_like {
            if kind.is_file() {
                out.files.push(path);
            } else {
                out.skipped.push(Skipped { path, why: NOT_REGULAR });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_all_post_minus_one_newline() {
        let d = DraftFile::parse("Bonjour\n\n".into()).unwrap();
        assert_eq!(d.text(), "Bonjour\n");
        assert!(d.front.account.is_none());
    }

    #[test]
    fn front_matter_and_line_numbers() {
        let src = "+++\naccount = \"demo\"\nlanguage = \"fr\"\n+++\nLigne 1\nLe candidat\n";
        let d = DraftFile::parse(src.into()).unwrap();
        assert_eq!(d.front.account.as_deref(), Some("demo"));
        assert_eq!(d.text(), "Ligne 1\nLe candidat");
        let at = d.text().find("candidat").unwrap();
        assert_eq!(d.line_col(at), (6, 4));
    }

    #[test]
    fn publish_at_is_a_toml_date_time_or_a_string_with_an_offset() {
        for value in ["2026-12-01T09:00:00+01:00", "\"2026-12-01T08:00:00Z\""] {
            let d = DraftFile::parse(format!("+++\npublish_at = {value}\n+++\nx")).unwrap();
            assert_eq!(d.front.publish_at.unwrap().as_second(), 1_796_112_000, "{value}");
        }
        let e = DraftFile::parse("+++\npublish_at = 2026-12-01T09:00:00\n+++\nx".into()).unwrap_err();
        assert!(e.message.contains("UTC offset"), "{}", e.message);
        assert_eq!(e.line, 2);
    }

    #[test]
    fn image_paths_are_located() {
        let src =
            "+++\naccount = \"demo\"\n[[images]]\nalt = \"a\"\npath = \"a.png\"\n[[images]]\npath = 'b.png'\n+++\nx";
        let d = DraftFile::parse(src.into()).unwrap();
        assert_eq!(d.image_line_col(0), (5, 8));
        assert_eq!(d.image_line_col(1), (7, 8));
        assert_eq!(d.image_line_col(2), (1, 1));
    }

    #[cfg(unix)]
    #[test]
    fn a_walk_follows_no_link_and_reports_each() {
        let dir = tempfile::tempdir().unwrap();
        let q = dir.path();
        std::fs::create_dir(q.join("sub")).unwrap();
        std::fs::write(q.join("a.md"), "x").unwrap();
        std::fs::write(q.join("sub/b.txt"), "x").unwrap();
        std::fs::write(q.join("image.png"), "x").unwrap();
        std::os::unix::fs::symlink("/", q.join("root")).unwrap();
        std::os::unix::fs::symlink(".", q.join("loop")).unwrap();
        std::os::unix::fs::symlink("a.md", q.join("c.md")).unwrap();
        std::os::unix::fs::symlink("image.png", q.join("d.png")).unwrap();
        let found = expand(&[q.to_path_buf()]).unwrap();
        assert_eq!(found.files, [q.join("a.md"), q.join("sub/b.txt")]);
        let skipped: Vec<_> = found.skipped.iter().map(|s| (s.path.clone(), s.why)).collect();
        assert_eq!(
            skipped,
            [
                (q.join("c.md"), LINK_NOT_FOLLOWED),
                (q.join("loop"), LINK_NOT_FOLLOWED),
                (q.join("root"), LINK_NOT_FOLLOWED),
            ]
        );
        std::os::unix::fs::symlink("/proc/self/environ", q.join("swapped.md")).unwrap();
        let e = read_walked(&q.join("swapped.md")).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ELOOP), "{e}");
        assert_eq!(read_walked(&q.join("a.md")).unwrap(), b"x");
        // A link named on the command line is what the person asked for.
        assert_eq!(expand(&[q.join("loop")]).unwrap().files.len(), 2);
    }

    #[test]
    fn front_matter_errors_are_located() {
        let src = "+++\naccount = \"demo\"\nacount = 1\n+++\nx";
        let e = DraftFile::parse(src.into()).unwrap_err();
        assert_eq!((e.line, e.col), (3, 1));
        assert!(e.message.contains("unknown field `acount`"), "{}", e.message);
        let e = DraftFile::parse("+++\naccount = \"x\"\n".into()).unwrap_err();
        assert!(e.message.contains("never closed"));
    }
}
