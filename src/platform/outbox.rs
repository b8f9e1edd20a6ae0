//! The built-in `outbox` platform: posts are JSON files in a folder.
//!
//! It exists so the whole guard (banner, confirmation, credentials, audit) can be used and
//! tested without a network, and so teams can stage posts for another tool to pick up.
//!
//! Layout of the folder:
//! - `identity.json`: the handle the outbox belongs to, written on first publish. Publishing to
//!   it under another handle is an identity mismatch, exactly as a foreign token would be on a
//!   real platform.
//! - `posts/<id>.json`: one file per post; `<id>` comes from the post key, so a retry with the
//!   same key finds the file instead of writing a second one.
//! - `.tmp/`: files being written. Each is locked by the process writing it, so one left by a
//!   killed process is the only kind that is unlocked; the next write removes those.

use super::handles::fediverse_handle;
use super::spec::{
    AccountKeys, Client, CorrectionStyle, ExactlyOnce, Identity, Limits, Listing, PostKey, Published, RemotePost,
    Session, Spec,
};
use crate::account::{Account, Destination, PlatformName};
use crate::content::Draft;
use crate::credentials::Credential;
use crate::diagnostic::Diagnostic;
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The outbox accepts what Mastodon's default instance does.
pub const MAX_CHARACTERS: usize = 500;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredPost {
    pub id: String,
    pub account: String,
    pub handle: String,
    pub text: String,
    pub created_at: String,
    pub reply_to: Option<String>,
    pub media: Vec<String>,
    pub edits: Vec<Edit>,
    #[serde(default)]
    pub deleted_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Edit {
    pub at: String,
    pub previous_text: String,
}

#[derive(Serialize, Deserialize)]
struct IdentityFile {
    handle: String,
}

pub struct Outbox {
    dir: PathBuf,
    account: String,
    handle: String,
}

const NAME: PlatformName = PlatformName::new("outbox");

/// The outbox's place in the registry.
pub static SPEC: OutboxSpec = OutboxSpec;

pub struct OutboxSpec;

/// An outbox account's folder.
#[derive(Debug, Clone)]
pub struct Folder {
    pub path: PathBuf,
}

impl Destination for Folder {
    /// Nothing leaves the machine.
    fn host(&self) -> String {
        "local".to_string()
    }

    fn pinned_id(&self) -> Option<&str> {
        None
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Keys {
    path: Option<toml::Spanned<String>>,
}

impl Spec for OutboxSpec {
    fn name(&self) -> PlatformName {
        NAME
    }

    /// Like a fediverse handle, the domain optional: an outbox stands in for any platform.
    fn validate_handle(&self, handle: &str) -> Result<(), String> {
        fediverse_handle(handle, false)
    }

    fn keys(&self) -> &'static [&'static str] {
        &["path"]
    }

    fn destination(&self, keys: &AccountKeys, diags: &mut Vec<Diagnostic>) -> Option<Arc<dyn Destination>> {
        let raw: Keys = keys.parse(diags)?;
        let path = match &raw.path {
            Some(p) => crate::paths::resolve(p.get_ref(), keys.base),
            // Without a path each outbox account gets its own folder in the state dir.
            None => match crate::paths::state_dir() {
                Some(dir) => dir.join("outbox").join(keys.name),
                None => {
                    keys.missing_place("cannot place the outbox folder", diags);
                    return None;
                }
            },
        };
        Some(Arc::new(Folder { path }))
    }

    fn needs_credential(&self) -> bool {
        false
    }

    fn offline(&self, _account: &Account, text: &str) -> (usize, Option<Limits>) {
        (crate::graphemes::count(text), Some(LIMITS))
    }

    /// What Mastodon takes, so a post tried here is not refused later for its size.
    fn max_image_bytes(&self) -> u64 {
        16 * 1024 * 1024
    }

    fn correction(&self, _account: &Account) -> CorrectionStyle {
        CorrectionStyle::Edit
    }

    /// A post's file is named by its key.
    fn exactly_once(&self) -> ExactlyOnce {
        ExactlyOnce::ClientKeyed
    }

    fn connect(&self, account: &Account) -> Result<Box<dyn Client>> {
        let folder = account
            .destination::<Folder>()
            .ok_or_else(|| platform_error(format!("account `{}` is not an outbox account", account.name)))?;
        Ok(Box::new(Outbox::new(folder.path.clone(), account)))
    }
}

const LIMITS: Limits = Limits {
    max_characters: MAX_CHARACTERS,
    max_images: 4,
    max_bytes: None,
};

fn platform_error(message: String) -> Failure {
    Failure::new(ExitCode::Platform, message)
}

impl Outbox {
    pub fn new(dir: PathBuf, account: &Account) -> Outbox {
        Outbox {
            dir,
            account: account.name.clone(),
            handle: account.handle.clone(),
        }
    }

    fn posts_dir(&self) -> PathBuf {
        self.dir.join("posts")
    }

    fn post_path(&self, id: &str) -> Result<PathBuf> {
        // Ids come from us, but `correct`/`delete` take them from the command line.
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(Failure::new(
                ExitCode::Usage,
                format!("`{}` is not an outbox post id", crate::sanitize::one_line(id)),
            )
            .into());
        }
        Ok(self.posts_dir().join(format!("{id}.json")))
    }

    fn url(path: &Path) -> String {
        let abs = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        reqwest::Url::from_file_path(&abs)
            .map(|u| u.to_string())
            .unwrap_or_else(|_| format!("file://{}", abs.display()))
    }

    fn read_post(&self, id: &str) -> Result<StoredPost> {
        let path = self.post_path(id)?;
        let bytes = fs::read(&path).map_err(|e| platform_error(format!("outbox post {id}: {e}")))?;
        serde_json::from_slice(&bytes).with_context(|| format!("outbox post {} is corrupt", path.display()))
    }

    fn tmp_dir(&self) -> PathBuf {
        self.dir.join(".tmp")
    }

    /// Claims the outbox for this handle, or checks that it is already this handle's. The
    /// claim is an exclusive create, so of two first publishers under different handles one
    /// wins and the other is refused here, whatever `identity` told each of them before.
    fn claim_identity(&self) -> Result<()> {
        let path = self.dir.join("identity.json");
        let body = serde_json::to_vec_pretty(&IdentityFile {
            handle: self.handle.clone(),
        })?;
        if write_new(&self.tmp_dir(), &path, &body)? {
            return Ok(());
        }
        let owner = self.identity()?.handle;
        if owner.eq_ignore_ascii_case(&self.handle) {
            return Ok(());
        }
        Err(Failure::new(
            ExitCode::IdentityMismatch,
            format!(
                "identity mismatch: the outbox {} belongs to {}, not {}; nothing was published",
                self.dir.display(),
                crate::sanitize::one_line(&owner),
                self.handle
            ),
        )
        .hint("two accounts of the policies share this outbox path; give each its own `path`")
        .into())
    }

    /// Removes what killed writers left in the temporary folder (and, from versions that wrote
    /// temporary files beside the posts, there). A file some live writer holds is locked and
    /// stays. Best effort: a leftover costs space, not correctness.
    fn sweep(&self) {
        let sweep_dir = |dir: &Path, only_tmp_names: bool| {
            let Ok(entries) = fs::read_dir(dir) else { return };
            for entry in entries.flatten() {
                if only_tmp_names && !entry.file_name().to_string_lossy().starts_with(".tmp") {
                    continue;
                }
                let path = entry.path();
                if !entry.file_type().is_ok_and(|t| t.is_file()) {
                    continue;
                }
                if let Ok(file) = fs::File::open(&path)
                    && file.try_lock().is_ok()
                {
                    let _ = fs::remove_file(&path);
                }
            }
        };
        sweep_dir(&self.tmp_dir(), false);
        sweep_dir(&self.dir, true);
        sweep_dir(&self.posts_dir(), true);
    }
}

/// A temporary file in `tmp_dir`, locked for as long as it is open, so `sweep` can tell it
/// from one whose writer died.
fn locked_temp(tmp_dir: &Path) -> Result<tempfile::NamedTempFile> {
    crate::paths::create_private_dir(tmp_dir)
        .map_err(|e| platform_error(format!("cannot create outbox {}: {e}", tmp_dir.display())))?;
    loop {
        let tmp = tempfile::NamedTempFile::new_in(tmp_dir)
            .map_err(|e| platform_error(format!("outbox {}: {e}", tmp_dir.display())))?;
        tmp.as_file()
            .lock()
            .map_err(|e| platform_error(format!("cannot lock {}: {e}", tmp.path().display())))?;
        // A sweep may have taken the file between its creation and the lock: start again.
        if same_file(tmp.as_file(), tmp.path()) {
            return Ok(tmp);
        }
    }
}

#[cfg(unix)]
fn same_file(file: &fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &fs::File, path: &Path) -> bool {
    path.exists()
}

/// Writes a file only if it does not exist yet, atomically: the content is complete before the
/// name appears, so a crash never leaves a half-written post under its final name.
/// Returns false if the file was already there.
fn write_new(tmp_dir: &Path, path: &Path, body: &[u8]) -> Result<bool> {
    let dir = path.parent().context("outbox path has no parent")?;
    crate::paths::create_private_dir(dir)
        .map_err(|e| platform_error(format!("cannot create outbox {}: {e}", dir.display())))?;
    let mut tmp = locked_temp(tmp_dir)?;
    tmp.write_all(body)?;
    tmp.as_file().sync_all()?;
    crate::fault::point("outbox-write");
    match fs::hard_link(tmp.path(), path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(platform_error(format!("cannot write {}: {e}", path.display())).into()),
    }
}

fn replace(tmp_dir: &Path, path: &Path, body: &[u8]) -> Result<()> {
    let mut tmp = locked_temp(tmp_dir)?;
    tmp.write_all(body)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path)
        .map_err(|e| platform_error(format!("cannot write {}: {e}", path.display())))?;
    Ok(())
}

impl Client for Outbox {
    fn limits(&self) -> Result<Limits> {
        Ok(LIMITS)
    }

    /// The outbox takes no credential: its session is the folder.
    fn open<'a>(&'a self, _credential: Option<&'a Credential>) -> Result<Box<dyn Session + 'a>> {
        Ok(Box::new(self))
    }

    fn recent_posts(&self, _credential: Option<&Credential>, since: jiff::Timestamp) -> Result<Listing> {
        let mut found = Vec::new();
        for post in list(&self.dir).map_err(|e| platform_error(format!("outbox {}: {e:#}", self.dir.display())))? {
            // A post whose time cannot be read is listed: hiding it would hide a forgery.
            let created_at = post.created_at.parse::<jiff::Timestamp>().ok();
            if post.deleted_at.is_some() || created_at.is_some_and(|t| t < since) {
                continue;
            }
            found.push(RemotePost {
                url: Self::url(&self.posts_dir().join(format!("{}.json", post.id))),
                id: post.id,
                created_at,
                text: post.text,
            });
        }
        found.reverse();
        Ok(Listing::whole(found))
    }
}

impl Session for Outbox {
    fn identity(&self) -> Result<Identity> {
        let path = self.dir.join("identity.json");
        match fs::read(&path) {
            Ok(bytes) => {
                let id: IdentityFile = serde_json::from_slice(&bytes)
                    .map_err(|e| platform_error(format!("{} is corrupt: {e}", path.display())))?;
                Ok(Identity {
                    handle: id.handle,
                    id: None,
                })
            }
            // An unclaimed outbox belongs to whoever publishes first; that claim is then fixed.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Identity {
                handle: self.handle.clone(),
                id: None,
            }),
            Err(e) => Err(platform_error(format!("cannot read {}: {e}", path.display())).into()),
        }
    }

    fn publish(&self, draft: &Draft, key: &PostKey) -> Result<Published> {
        self.sweep();
        self.claim_identity()?;
        let id: String = key.id.chars().take(32).collect();
        let path = self.post_path(&id)?;
        let post = StoredPost {
            id: id.clone(),
            account: self.account.clone(),
            handle: self.handle.clone(),
            text: draft.text.clone(),
            created_at: jiff::Timestamp::now().to_string(),
            reply_to: draft.reply_to.clone(),
            // The outbox records which images (by name and SHA-256) and their descriptions.
            media: draft
                .images
                .iter()
                .map(|i| {
                    format!(
                        "{} sha256:{} alt:{}",
                        i.file_name,
                        i.sha256(),
                        i.alt.as_deref().unwrap_or("")
                    )
                })
                .collect(),
            edits: Vec::new(),
            deleted_at: None,
        };
        let created = write_new(&self.tmp_dir(), &path, &serde_json::to_vec_pretty(&post)?)?;
        Ok(Published {
            id,
            url: Self::url(&path),
            replayed: !created,
        })
    }

    fn edit(&self, id: &str, draft: &Draft) -> Result<Published> {
        self.sweep();
        let mut post = self.read_post(id)?;
        post.edits.push(Edit {
            at: jiff::Timestamp::now().to_string(),
            previous_text: post.text.clone(),
        });
        post.text = draft.text.clone();
        let path = self.post_path(id)?;
        replace(&self.tmp_dir(), &path, &serde_json::to_vec_pretty(&post)?)?;
        Ok(Published {
            id: id.to_string(),
            url: Self::url(&path),
            replayed: false,
        })
    }

    fn delete(&self, id: &str) -> Result<()> {
        self.sweep();
        let mut post = self.read_post(id)?;
        if post.deleted_at.is_none() {
            post.deleted_at = Some(jiff::Timestamp::now().to_string());
            replace(
                &self.tmp_dir(),
                &self.post_path(id)?,
                &serde_json::to_vec_pretty(&post)?,
            )?;
        }
        Ok(())
    }

    fn recent_posts(&self, since: jiff::Timestamp) -> Result<Listing> {
        Client::recent_posts(self, None, since)
    }
}

/// Lists the posts in an outbox folder, oldest first. Used by `postgate accounts` and tests.
pub fn list(dir: &Path) -> Result<Vec<StoredPost>> {
    let mut posts = Vec::new();
    let entries = match fs::read_dir(dir.join("posts")) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(posts),
        Err(e) => return Err(e.into()),
    };
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "json") {
            posts.push(serde_json::from_slice::<StoredPost>(&fs::read(&path)?)?);
        }
    }
    posts.sort_by(|a, b| a.created_at.cmp(&b.created_at));
    Ok(posts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{Confirm, CredentialPolicy, Kind, NonInteractive};

    fn outbox(dir: &Path, handle: &str) -> Outbox {
        let account = Account {
            name: "demo".into(),
            handle: handle.into(),
            platform: NAME,
            destination: Arc::new(Folder {
                path: dir.to_path_buf(),
            }),
            kind: Kind::Official,
            display_name: "Demo".into(),
            owner: "Comms".into(),
            confirm: Confirm::Handle,
            non_interactive: NonInteractive::Allow,
            credentials: CredentialPolicy::None,
            language: None,
            allow_delete: false,
            require_alt_text: true,
            rotate_after_days: None,
            max_credential_age_days: None,
            system: false,
            line: 1,
        };
        Outbox::new(dir.to_path_buf(), &account)
    }

    fn draft(text: &str) -> Draft {
        Draft::text(text)
    }

    #[test]
    fn same_key_publishes_once() {
        let dir = tempfile::tempdir().unwrap();
        let ob = outbox(dir.path(), "@demo");
        let key = PostKey::new("0123456789abcdef0123456789abcdef99");
        let first = ob.publish(&draft("bonjour"), &key).unwrap();
        let again = ob.publish(&draft("bonjour"), &key).unwrap();
        assert!(!first.replayed);
        assert!(again.replayed);
        assert_eq!(first.id, again.id);
        assert!(first.url.starts_with("file:///"));
        assert_eq!(list(dir.path()).unwrap().len(), 1);
    }

    #[test]
    fn identity_is_fixed_by_the_first_publisher() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(outbox(dir.path(), "@demo").identity().unwrap().handle, "@demo");
        outbox(dir.path(), "@demo")
            .publish(&draft("x"), &PostKey::new("aa"))
            .unwrap();
        assert_eq!(outbox(dir.path(), "@other").identity().unwrap().handle, "@demo");
    }

    #[test]
    fn a_claim_made_after_the_identity_check_is_seen_at_publish() {
        // Both looked at an unclaimed outbox; the other one published first.
        let dir = tempfile::tempdir().unwrap();
        let ours = outbox(dir.path(), "@demo");
        assert_eq!(ours.identity().unwrap().handle, "@demo");
        outbox(dir.path(), "@other")
            .publish(&draft("x"), &PostKey::new("aa"))
            .unwrap();
        let err = ours.publish(&draft("y"), &PostKey::new("bb")).unwrap_err();
        assert_eq!(crate::error::exit_code_of(&err), ExitCode::IdentityMismatch);
        assert!(format!("{err:#}").contains("belongs to @other"), "{err:#}");
        let posts = list(dir.path()).unwrap();
        assert_eq!(posts.len(), 1);
        assert_eq!(posts[0].handle, "@other");
    }

    #[test]
    fn temporary_files_of_dead_writers_are_swept_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let ob = outbox(dir.path(), "@demo");
        ob.publish(&draft("v1"), &PostKey::new("cc")).unwrap();
        // Left by writers killed mid-write: in the temporary folder, and where older versions
        // wrote them.
        fs::write(dir.path().join(".tmp/.tmpDEAD01"), "x").unwrap();
        fs::write(dir.path().join(".tmpDEAD02"), "x").unwrap();
        fs::write(dir.path().join("posts/.tmpDEAD03"), "x").unwrap();
        // One a live writer holds.
        let live_path = dir.path().join(".tmp/.tmpLIVE");
        let live = fs::File::create(&live_path).unwrap();
        live.lock().unwrap();
        ob.publish(&draft("v2"), &PostKey::new("dd")).unwrap();
        let left: Vec<String> = [
            dir.path().join(".tmp"),
            dir.path().to_path_buf(),
            dir.path().join("posts"),
        ]
        .iter()
        .flat_map(|d| fs::read_dir(d).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp") && n != ".tmp")
        .collect();
        assert_eq!(left, vec![".tmpLIVE".to_string()]);
        drop(live);
        assert_eq!(list(dir.path()).unwrap().len(), 2);
    }

    #[test]
    fn edit_keeps_history_and_delete_marks() {
        let dir = tempfile::tempdir().unwrap();
        let ob = outbox(dir.path(), "@demo");
        let p = ob.publish(&draft("v1"), &PostKey::new("bb")).unwrap();
        ob.edit(&p.id, &draft("v2")).unwrap();
        ob.delete(&p.id).unwrap();
        ob.delete(&p.id).unwrap();
        let stored = &list(dir.path()).unwrap()[0];
        assert_eq!(stored.text, "v2");
        assert_eq!(stored.edits[0].previous_text, "v1");
        assert!(stored.deleted_at.is_some());
        assert!(ob.edit("../etc", &draft("x")).is_err());
    }
}
