//! What is being published: the text exactly as the author wrote it, what it answers, and its
//! images, read once so that what is checked is what is sent.

use anyhow::Result;
use std::path::Path;

/// What is being published. The text is exactly what the author wrote.
#[derive(Debug, Clone)]
pub struct Draft {
    pub text: String,
    pub reply_to: Option<String>,
    /// ISO 639 language of the post.
    pub language: Option<String>,
    /// Content warning (Mastodon `spoiler_text`).
    pub content_warning: Option<String>,
    /// Overrides the account's default visibility (Mastodon).
    pub visibility: Option<crate::account::Visibility>,
    /// Attached images, in order.
    pub images: Vec<Image>,
}

/// An image to attach, read once so that what is checked is what is sent.
#[derive(Clone)]
pub struct Image {
    pub file_name: String,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
    /// The description screen readers speak.
    pub alt: Option<String>,
}

impl std::fmt::Debug for Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Image")
            .field("file_name", &self.file_name)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl Image {
    /// An image a person named on the command line (`post --image`), of at most `max` bytes
    /// (the platform's limit): see `media::read_named`.
    pub fn named(path: &Path, alt: Option<String>, max: u64, platform: &str) -> Result<Image> {
        let checked = crate::media::read_named(path, max, platform).map_err(crate::media::Refusal::into_failure)?;
        Ok(Image::of(checked, alt))
    }

    /// An image a plan or queue item names inside its folder `base`: see `media::read_within`.
    pub fn within(base: &Path, rel: &Path, alt: Option<String>, max: u64, platform: &str) -> Result<Image> {
        let checked =
            crate::media::read_within(base, rel, max, platform).map_err(crate::media::Refusal::into_failure)?;
        Ok(Image::of(checked, alt))
    }

    fn of(checked: crate::media::Checked, alt: Option<String>) -> Image {
        Image {
            file_name: checked.file_name,
            mime: checked.kind.mime(),
            bytes: checked.bytes,
            alt: alt.filter(|a| !a.trim().is_empty()),
        }
    }

    pub fn sha256(&self) -> String {
        crate::digest::sha256_hex(&self.bytes)
    }
}

impl Draft {
    pub fn text(text: impl Into<String>) -> Draft {
        Draft {
            text: text.into(),
            reply_to: None,
            language: None,
            content_warning: None,
            visibility: None,
            images: Vec::new(),
        }
    }
}

/// What the pipeline is asked to do to the account.
#[derive(Debug, Clone)]
pub enum Action {
    Post,
    /// Correct a published post: an edit where the platform keeps a public history, a reply
    /// (or delete and repost) where it has no edit.
    Correct {
        post: String,
    },
    /// Remove a post; only where the policy allows it.
    Delete {
        post: String,
        reason: String,
    },
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::Post => "post",
            Action::Correct { .. } => "correct",
            Action::Delete { .. } => "delete",
        }
    }
}
