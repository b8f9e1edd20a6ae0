//! `postgate init`: a starter policy in the user's config folder, so a newcomer posts to their
//! own demo accounts without editing the repository's ministry example.
//!
//! The policy holds an official and a personal outbox account, one commented example of each
//! kind of content rule, and the user as an approver (OS user, git e-mail, a keychain approval
//! key) holding the role that lifts a lockdown. The text is checked by the policy loader before
//! anything is written: init never leaves a policy that postgate itself would refuse.

use crate::approval::keys;
use crate::cli::{Cli, InitArgs};
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::output;
use crate::policy::{Origin, Policy};
use crate::sanitize::one_line;
use anyhow::Result;
use std::path::{Path, PathBuf};

/// The role the starter policy gives its user, and that lifts a lock.
const UNLOCK_ROLE: &str = "owner";

/// The user's approval key, as init found it.
enum Key {
    /// Made by this run.
    Created(String),
    /// Already in the keychain under that name: reused, so a re-run keeps earlier signatures valid.
    Existing(String),
    /// An SSH public key the user named, and its file.
    Ssh(String, String),
    /// No key: why, in a few words for the policy's comment, and in full for stderr.
    Missing(&'static str, String),
}

impl Key {
    fn line(&self) -> Option<&str> {
        match self {
            Key::Created(l) | Key::Existing(l) | Key::Ssh(l, _) => Some(l),
            Key::Missing(..) => None,
        }
    }
}

pub fn run(cli: &Cli, args: &InitArgs) -> Result<ExitCode> {
    let path = target(cli)?;
    if path.exists() && !args.force {
        return Err(Failure::new(
            ExitCode::Usage,
            format!("{} already exists; nothing was written", path.display()),
        )
        .hint("`postgate policy check` shows what it holds; `postgate init --force` replaces it and keeps the old one beside it as policy.toml.<time>.bak")
        .into());
    }
    let user = crate::machine::os_user();
    let name = approver_name(&user);
    let key_name = args.key.clone().unwrap_or_else(keys::default_name);
    if key_name.is_empty() || !key_name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(
            Failure::new(ExitCode::Usage, format!("`{}` cannot name a key", one_line(&key_name)))
                .hint("use ASCII letters, digits, `-`, `_` and `.`, or pass --key NAME")
                .into(),
        );
    }
    let key = if args.no_key {
        Key::Missing("init ran with --no-key", "--no-key was given".into())
    } else if let Some(path) = &args.ssh_key {
        // A key the user named is theirs to get right: one that does not read is an error.
        let public = keys::ssh_public(path)?;
        let line = public
            .to_openssh()
            .map_err(|e| Failure::new(ExitCode::GeneralError, format!("cannot encode the key: {e}")))?;
        Key::Ssh(line, signing_path(path).display().to_string())
    } else {
        approval_key(&key_name)
    };
    let email = git_email();
    // Over a system policy, approvers and the lockdown are the system's alone: a user file that
    // named its writer an approver would be refused by the loader, so none is written.
    let system = crate::policy::system_layer_for(&path, Origin::User);
    let text = starter_policy(&user, &name, &key_name, email.as_deref(), &key, system.as_deref());
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    if let Some(system) = &system {
        // A clash with the system's accounts (or a broken system file) is the machine's state,
        // not a bug: the loader's own message says what and where, and nothing is written.
        Policy::check_over(system, &text, &path)?;
    } else if let Err(diags) = Policy::parse(&text, &base) {
        // A bug in the template, never the user's doing: say so rather than write it.
        return Err(Failure::new(
            ExitCode::GeneralError,
            format!(
                "internal error: the starter policy does not pass its own check (a bug; please report it)\n{}",
                crate::diagnostic::render(&path, &text, &diags)
            ),
        )
        .into());
    }
    let backup = write(&path, text.as_bytes(), args.force)?;

    if cli.json {
        output::json(&serde_json::json!({
            "path": path.display().to_string(),
            "backup": backup.as_ref().map(|b| b.display().to_string()),
            // Over a system policy the file names no approver: the key is only offered.
            "approver": system.is_none().then_some(&name),
            "system_policy": system.as_ref().map(|s| s.display().to_string()),
            "key": key.line(),
            "key_name": (!matches!(key, Key::Ssh(..))).then_some(&key_name),
            "key_created": matches!(key, Key::Created(_)),
        }));
    } else {
        output::result(&path.display().to_string());
    }
    if let Some(b) = &backup {
        output::status(&format!("kept the previous policy as {}", b.display()));
    }
    match (&key, &system) {
        (Key::Missing(_, why), Some(system)) => output::status(&format!(
            "note: no approval key was made ({why}); the system policy {} decides who approves and who lifts a lockdown",
            system.display()
        )),
        (Key::Ssh(_, path), Some(system)) => output::status(&format!(
            "the system policy {} decides who approves and who lifts a lockdown; to approve, give its owners \
             the SSH key {path} (the policy's last comment holds it)",
            system.display()
        )),
        (_, Some(system)) => output::status(&format!(
            "the system policy {} decides who approves and who lifts a lockdown; to approve, give its owners \
             approval key `{key_name}` (the policy's last comment holds it)",
            system.display()
        )),
        (Key::Created(_), None) => output::status(&format!(
            "created approval key `{key_name}` in the keychain; the policy lists it for approver `{name}`"
        )),
        (Key::Existing(_), None) => output::status(&format!(
            "the keychain already holds approval key `{key_name}`; the policy lists it for approver `{name}`"
        )),
        (Key::Ssh(_, path), None) => output::status(&format!(
            "the policy lists the SSH key {path} for approver `{name}`; sign with `--ssh-key {path}`"
        )),
        (Key::Missing(_, why), None) => output::status(&format!(
            "warning: no approval key in the policy ({why}); until you add one, a lockdown cannot be lifted.\n  \
             run `postgate keys new {key_name}` and paste the key it prints into the [[approvers]] entry, \
             then uncomment it and [lockdown] unlock_roles"
        )),
    }
    if email.is_none() && system.is_none() {
        output::status("note: git has no user.email here, so the approver entry's `email` is a commented placeholder");
    }
    output::status(&format!("wrote a starter policy to {}", path.display()));
    if cli.policy.is_none()
        && let Some(env) = std::env::var_os("POSTGATE_POLICY").filter(|v| !v.is_empty())
    {
        output::status(&format!(
            "note: POSTGATE_POLICY is set ({}), so postgate reads that file, not this one; unset it to use this one",
            one_line(&env.to_string_lossy())
        ));
    }
    output::status(
        "next: `postgate policy check`, then `postgate post -a demo-official \"Hello\"` (nothing leaves the machine)",
    );
    Ok(ExitCode::Success)
}

/// `--policy FILE` when given (the file postgate would then read), else the user's config folder.
fn target(cli: &Cli) -> Result<PathBuf> {
    if let Some(p) = &cli.policy {
        return Ok(p.clone());
    }
    crate::paths::config_home()
        .map(|c| c.join("postgate").join("policy.toml"))
        .ok_or_else(|| {
            Failure::new(
                ExitCode::GeneralError,
                "cannot place the policy: neither XDG_CONFIG_HOME nor HOME is set",
            )
            .hint("pass --policy FILE to say where to write it")
            .into()
        })
}

/// The file to pass to `--ssh-key` when signing: the private key beside a `.pub` when it is
/// there (else the `.pub` itself, for a key in ssh-agent), as an absolute path, since the
/// policy's comment is read from anywhere.
fn signing_path(public: &Path) -> PathBuf {
    let public = std::fs::canonicalize(public).unwrap_or_else(|_| public.to_path_buf());
    match public.extension() {
        Some(e) if e == "pub" && public.with_extension("").is_file() => public.with_extension(""),
        _ => public,
    }
}

/// The approver entry's name: the OS user where it is a valid name, else `me`.
fn approver_name(user: &str) -> String {
    let valid =
        !user.is_empty() && user != "author" && user.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if valid { user.to_string() } else { "me".to_string() }
}

/// The keychain approval key `name`: reused when it exists, made when it does not. A keychain
/// that cannot be reached is not an error here: the policy is still useful without the key.
fn approval_key(name: &str) -> Key {
    let found = match keys::find(name) {
        Ok(Some(public)) => Ok((public, false)),
        Ok(None) => keys::create(name).map(|public| (public, true)),
        Err(e) => Err(e),
    };
    match found.and_then(|(public, created)| {
        let line = public
            .to_openssh()
            .map_err(|e| Failure::new(ExitCode::GeneralError, format!("cannot encode the key: {e}")))?;
        Ok((line, created))
    }) {
        Ok((line, true)) => Key::Created(line),
        Ok((line, false)) => Key::Existing(line),
        Err(e) => Key::Missing(
            "init could not use the keychain",
            one_line(&crate::error::message_of(&e)),
        ),
    }
}

/// git's `user.email`, when git is installed and has one.
fn git_email() -> Option<String> {
    crate::plan::Author::current().email
}

/// Writes `bytes` to `path` without ever replacing a file that appeared meanwhile; with `force`,
/// an existing file is first copied to a backup beside it. Returns the backup's path.
fn write(path: &Path, bytes: &[u8], force: bool) -> Result<Option<PathBuf>> {
    let fail = |what: &str, p: &Path, e: std::io::Error| {
        anyhow::Error::from(Failure::new(
            ExitCode::GeneralError,
            format!("cannot {what} {}: {e}", p.display()),
        ))
    };
    // A policy linked from elsewhere (a dotfiles repository) is replaced where it lives, so the
    // link keeps pointing at it.
    let linked;
    let path = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() && force => {
            linked = std::fs::canonicalize(path).map_err(|e| fail("follow the link", path, e))?;
            linked.as_path()
        }
        _ => path,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    crate::paths::create_private_dir(dir).map_err(|e| fail("create the folder", dir, e))?;
    let tmp = dir.join(format!(".policy.toml.init-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    crate::paths::write_new_private(&tmp, bytes).map_err(|e| fail("write", &tmp, e))?;
    let outcome = (|| {
        if force && path.exists() {
            let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ").to_string();
            let file = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
            // Bounded and regular only: a FIFO there would wait for ever, a device stream.
            let old = crate::paths::read_bounded(path, crate::paths::MAX_POLICY_BYTES, "policy")
                .map_err(|e| fail("read", path, e))?;
            // Never over an earlier backup: two --force in one second get `.1.bak`, `.2.bak`…
            let mut n = 0;
            let backup = loop {
                let suffix = if n == 0 { String::new() } else { format!(".{n}") };
                let candidate = dir.join(format!("{file}.{stamp}{suffix}.bak"));
                match crate::paths::write_new_private(&candidate, &old) {
                    Ok(()) => break candidate,
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
                    Err(e) => return Err(fail("back up the policy to", &candidate, e)),
                }
            };
            std::fs::rename(&tmp, path).map_err(|e| fail("replace", path, e))?;
            return Ok(Some(backup));
        }
        // A hard link fails if the name exists, so a file written since the check is kept.
        std::fs::hard_link(&tmp, path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                anyhow::Error::from(
                    Failure::new(
                        ExitCode::Usage,
                        format!("{} appeared while init ran; nothing was written", path.display()),
                    )
                    .hint("run `postgate init --force` to replace it"),
                )
            } else {
                fail("write", path, e)
            }
        })?;
        Ok(None)
    })();
    let _ = std::fs::remove_file(&tmp);
    outcome
}

/// The platform that needs no credential and sends nothing anywhere, from the registry: the
/// demo accounts' platform.
fn local_platform() -> &'static str {
    crate::platform::PLATFORMS
        .iter()
        .find(|p| !p.needs_credential())
        .map_or("", |p| p.name().as_str())
}

/// One comment line per network platform, naming its guide in docs/.
fn guides() -> String {
    crate::platform::PLATFORMS
        .iter()
        .filter(|p| p.needs_credential())
        .map(|p| format!("#   {:<10} docs/{}.md", p.title(), p.name().as_str()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A TOML basic string holding `s`.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn starter_policy(
    user: &str,
    name: &str,
    key_name: &str,
    email: Option<&str>,
    key: &Key,
    system: Option<&Path>,
) -> String {
    if let Some(system) = system {
        return STARTER
            .replace("{local}", local_platform())
            .replace("{guides}", &guides())
            .replace("{people}", &system_people(system, key));
    }
    let email_line = match email {
        Some(e) => format!("email = {}", quoted(e)),
        None => {
            "# email = \"you@example.org\"   # git has no user.email here: set yours (`git config --global user.email`)"
                .to_string()
        }
    };
    let approver = format!(
        "name = {name}\nuser = {user}\n{email_line}\nkey = {key}\nroles = [\"{UNLOCK_ROLE}\"]\n",
        name = quoted(name),
        user = quoted(user),
        key = quoted(key.line().unwrap_or("ssh-ed25519 PASTE-THE-KEY-HERE")),
    );
    let (approver, unlock) = match key {
        Key::Missing(why, _) => (
            format!(
                "# No key yet: {why}. Run `postgate keys new {key_name}`, put the line it\n\
                 # prints as `key`, then remove the `# ` in front of these lines and of unlock_roles below.\n{}",
                format!("[[approvers]]\n{approver}")
                    .lines()
                    .map(|l| format!("# {l}\n"))
                    .collect::<String>()
            ),
            format!("# unlock_roles = [\"{UNLOCK_ROLE}\"]"),
        ),
        _ => (
            format!("[[approvers]]\n{approver}"),
            format!("unlock_roles = [\"{UNLOCK_ROLE}\"]"),
        ),
    };
    let key_origin = match key {
        Key::Ssh(_, path) => format!(
            "The key is the SSH key\n# {}; sign with `--ssh-key` and that file.",
            path.replace('\n', " ")
        ),
        _ => format!(
            "The key is the public half of the\n# keychain key `{key_name}` (`postgate keys show {key_name}` prints it again)."
        ),
    };
    // The approver last: its user and e-mail come from outside and may hold any text.
    STARTER
        .replace("{local}", local_platform())
        .replace("{guides}", &guides())
        .replace("{people}", OWN_PEOPLE)
        .replace("{key_origin}", &key_origin)
        .replace("{unlock}", &unlock)
        .replace("{key_name}", key_name)
        .replace("{role}", UNLOCK_ROLE)
        .replace("{approver}", &approver)
}

/// The end of the starter policy over a system policy: who approves is the system's to say, so
/// the key is only offered, in a comment, for its owners to list.
fn system_people(system: &Path, key: &Key) -> String {
    let system = system.display().to_string().replace('\n', " ");
    let key = match key.line() {
        Some(line) => format!(
            "# To approve plans or lift a lock yourself, give them your public key:\n#   {}\n",
            line.replace('\n', " ")
        ),
        None => "# To approve plans or lift a lock yourself, make a key (`postgate keys new NAME`) and give\n\
                 # them the line it prints.\n"
            .to_string(),
    };
    format!(
        "# You, as an approver: the system policy {system}\n\
         # lies under this file and alone names the approvers and who may lift a lockdown\n\
         # (`postgate lockdown NAME --reason \"…\"` stops every publish to an account at once). A\n\
         # policy here cannot add [[approvers]] or [lockdown]: postgate refuses them (docs/policy.md).\n\
         {key}"
    )
}

/// The starter policy's end without a system policy: the user approves and lifts locks.
const OWN_PEOPLE: &str = r##"# You, as an approver: your key signs plans (`postgate approve`) and lifts a lockdown
# (`postgate unlock NAME --sign`). `user` and `email` are what a plan you write declares,
# so an approval of your own plan with this key is refused from the first day (an approval
# counts only from another person: docs/approvals.md). {key_origin}
# Add the people who approve your posts as further [[approvers]], each with their own key.
{approver}
# ---------------------------------------------------------------------------------------
# `postgate lockdown NAME --reason "…"` stops every publish to an account at once. Lifting
# the lock needs the signature of an approver with one of these roles (you, with role
# "{role}"): `postgate unlock NAME --sign`, then `postgate unlock NAME`.
[lockdown]
{unlock}
"##;

/// The starter policy. `{people}` (the approvers and the lockdown), `{local}` and `{guides}` are
/// filled in, then in `{people}`: `{approver}`, `{unlock}`, `{key_name}`, `{key_origin}` and
/// `{role}`.
/// Every commented rule is valid TOML once its `# ` is removed (a test uncomments them all).
const STARTER: &str = r##"# postgate policy, written by `postgate init`. Check it with: postgate policy check
#
# Every key is described in docs/policy.md, every rule kind in docs/rules.md. Unknown keys are
# errors, so a misspelt setting never quietly falls back to something weaker. postgate never
# reads a policy from the current directory; this file is found through $XDG_CONFIG_HOME
# (or ~/.config) unless --policy or $POSTGATE_POLICY names another.

# [audit]
# The hash-chained log of every attempt. Default: $XDG_STATE_HOME/postgate/audit.jsonl
# path = "~/.local/state/postgate/audit.jsonl"

# ---------------------------------------------------------------------------------------
# Two demonstration accounts on the built-in {local} platform: each post is a JSON file
# under $XDG_STATE_HOME/postgate/{local}/NAME/posts/, nothing leaves the machine. Try:
#   postgate post -a demo-official "Hello"     (the red banner: type @demo_official)
#   postgate post -a demo-personal "Hello"     (the cyan banner: answer y)
# A real account goes next to them; how to set one up and log in, per platform, in
# postgate's documentation:
{guides}
[[accounts]]
name = "demo-official"
handle = "@demo_official"
platform = "{local}"
# "official" speaks for the institution: white-on-red banner, the handle must be typed.
kind = "official"
display_name = "Official account (demo)"
owner = "Communication team"

[[accounts]]
name = "demo-personal"
handle = "@demo_personal"
platform = "{local}"
# "personal" speaks for one person: cyan banner, a y/N question is enough by default.
kind = "personal"
display_name = "My own account (demo)"
owner = "Me"

# ---------------------------------------------------------------------------------------
# Content rules, one example of each kind, all commented out. Remove the `# ` in front of a
# rule's lines to turn it on; each is valid as it stands. Levels: "deny" refuses (exit 4),
# "approve" needs a plan signed by an approver (docs/approvals.md), "warn" is shown and
# recorded. `kinds` or `accounts` limit a rule to some accounts.

# Words and phrases, matched on whole words ignoring case, accents and look-alike letters.
# [[rules]]
# id = "neutrality"
# kind = "terms"
# level = "deny"
# kinds = ["official"]
# terms = ["vote for", "vote against", "candidate"]

# Regular expressions (Rust syntax; single quotes keep backslashes).
# [[rules]]
# id = "no-shouting"
# kind = "pattern"
# level = "warn"
# patterns = [{ regex = '!{2,}', message = "one exclamation mark is enough" }]

# Links: allowed domains (subdomains included); link shorteners hide where a link goes.
# [[rules]]
# id = "links"
# kind = "links"
# level = "approve"
# kinds = ["official"]
# allow = ["example.org"]
# shorteners = "deny"

# Mentions and replies: naming a person, or answering someone, needs an approval.
# [[rules]]
# id = "consent"
# kind = "mentions"
# level = "approve"
# kinds = ["official"]
# on = ["mentions", "replies"]
# except = ["*.example.org"]

# Alt text and the number of images.
# [[rules]]
# id = "accessible-images"
# kind = "media"
# level = "deny"
# require_alt = true
# max_images = 4

# Bidi overrides, zero-width characters and words that mix scripts (a Cyrillic "а" in "Pаris").
# [[rules]]
# id = "hidden-characters"
# kind = "hidden-characters"
# level = "deny"
# mixed_script = true

# Hashtags, mentions and length, below the platform's own limits.
# [[rules]]
# id = "measure"
# kind = "counts"
# level = "warn"
# max_hashtags = 3
# max_length = 450

# Every post says its language (ISO 639), for screen readers and translation.
# [[rules]]
# id = "language"
# kind = "language"
# level = "deny"
# languages = ["en", "fr"]

# Quiet hours: an official post at night needs an approval.
# [[rules]]
# id = "quiet-hours"
# kind = "schedule"
# level = "approve"
# kinds = ["official"]
# timezone = "Europe/Paris"
# quiet = "22:00-07:00"

# A cap on the pace, counted from the audit log: a stolen session cannot flood the account.
# [[rules]]
# id = "pace"
# kind = "rate"
# level = "deny"
# kinds = ["official"]
# max_per_hour = 10

# ---------------------------------------------------------------------------------------
{people}"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_approver_name_is_the_os_user_when_valid() {
        assert_eq!(approver_name("camille"), "camille");
        assert_eq!(approver_name("jean.dupont"), "jean.dupont");
        assert_eq!(approver_name("DOMAIN\\jean"), "me");
        assert_eq!(approver_name("author"), "me");
        assert_eq!(approver_name(""), "me");
    }

    #[test]
    fn the_starter_policy_parses_with_and_without_a_key() {
        let dir = tempfile::tempdir().unwrap();
        let line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPpu63AeMI8SYlAXACxvpA0Sra7MQ06x+VGCwHXLA9Il t";
        for (key, email) in [
            (Key::Created(line.into()), Some("a\"b@example.org")),
            (Key::Missing("no keychain", String::new()), None),
            (
                Key::Ssh(line.into(), "/home/c/.ssh/id_ed25519".into()),
                Some("c@example.org"),
            ),
        ] {
            let text = starter_policy("camille", "camille", "camille", email, &key, None);
            if let Err(d) = Policy::parse(&text, dir.path()) {
                panic!("{}", crate::diagnostic::render(Path::new("p.toml"), &text, &d));
            }
        }
    }
}
