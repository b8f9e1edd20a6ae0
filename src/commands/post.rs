//! `postgate post`, `correct` and `delete`: gather the text, then run the publish pipeline.

use crate::cli::{Cli, ContentArgs, CorrectArgs, DeleteArgs, Guard, PostArgs};
use crate::confirm;
use crate::content::Action;
use crate::content::Draft;
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::i18n::t;
use crate::output;
use crate::publish::{self, Request};
use crate::sanitize::one_line;
use anyhow::Result;
use std::ffi::{OsStr, OsString};
use std::io::IsTerminal;
use std::path::Path;
use std::process::Command;

pub fn run(cli: &Cli, args: &PostArgs) -> Result<ExitCode> {
    let policy = crate::policy::load_discovered(cli.policy.as_deref())?;
    let interactive = confirm::has_terminal();
    let draft = read_draft(&args.content, interactive, &policy, None)
        .map_err(|e| publish::record_refusal(&policy, &Action::Post, &args.content.account, e))?;
    execute(
        cli,
        &policy,
        Action::Post,
        &args.content.account,
        draft,
        &args.guard,
        interactive,
    )
}

/// Everything the person handed in, read once. A failure here is still a refused attempt.
///
/// Images are read for the account's platform (its size limit). For a plan, `plan_folder` is
/// the folder the plan is written to: its images must lie inside it, reached through no link,
/// as `apply` will read them; for `post`, a person names any file (`media::read_named`).
pub(super) fn read_draft(
    args: &ContentArgs,
    interactive: bool,
    policy: &crate::policy::Policy,
    plan_folder: Option<&std::path::Path>,
) -> Result<Draft> {
    guarded(|| read_draft_unguarded(args, interactive, policy, plan_folder))
}

/// Runs a step that gathers the post, turning a panic (a bug, in an editor library say) into an
/// error, so the caller records the refused attempt in the audit log like any other. Nothing
/// was sent: the pipeline has not started.
fn guarded<T>(step: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(step)).unwrap_or_else(|_| {
        Err(anyhow::anyhow!(
            "internal error while reading the post (the `postgate: internal error` line above says where); nothing was published; please \
             report the bug"
        ))
    })
}

fn read_draft_unguarded(
    args: &ContentArgs,
    interactive: bool,
    policy: &crate::policy::Policy,
    plan_folder: Option<&std::path::Path>,
) -> Result<Draft> {
    let text = read_text(args.text.as_deref(), args.file.as_deref(), interactive)?;
    if args.alt.len() > args.image.len() {
        return Err(usage(format!(
            "{} --alt for {} --image: each --alt describes one image",
            args.alt.len(),
            args.image.len()
        )));
    }
    let mut images = Vec::new();
    if !args.image.is_empty() {
        let account = policy.account(&args.account)?;
        let (max, platform) = (
            crate::platform::of(account).max_image_bytes(),
            account.platform.as_str(),
        );
        for (i, path) in args.image.iter().enumerate() {
            let alt = args.alt.get(i).cloned();
            images.push(match plan_folder {
                None => crate::content::Image::named(path, alt, max, platform)?,
                Some(folder) => {
                    let rel =
                        crate::media::relative_within(path, folder).map_err(crate::media::Refusal::into_failure)?;
                    crate::content::Image::within(folder, &rel, alt, max, platform)?
                }
            });
        }
    }
    Ok(Draft {
        images,
        text,
        reply_to: args.reply_to.clone(),
        language: args.language.clone(),
        content_warning: args.cw.clone(),
        visibility: args.visibility,
    })
}

pub fn correct(cli: &Cli, args: &CorrectArgs) -> Result<ExitCode> {
    let target = args.target().map_err(|m| Failure::new(ExitCode::Usage, m))?;
    let policy = crate::policy::load_discovered(cli.policy.as_deref())?;
    let interactive = confirm::has_terminal();
    let action = Action::Correct {
        post: target.post.to_owned(),
    };
    let text = guarded(|| read_text(target.text, args.file.as_deref(), interactive))
        .map_err(|e| publish::record_refusal(&policy, &action, target.account, e))?;
    execute(
        cli,
        &policy,
        action,
        target.account,
        Draft::text(text),
        &args.guard,
        interactive,
    )
}

pub fn delete(cli: &Cli, args: &DeleteArgs) -> Result<ExitCode> {
    let target = args.target().map_err(|m| Failure::new(ExitCode::Usage, m))?;
    let policy = crate::policy::load_discovered(cli.policy.as_deref())?;
    let interactive = confirm::has_terminal();
    let action = Action::Delete {
        post: target.post.to_owned(),
        reason: args.reason.clone(),
    };
    // The banner previews the reason, which is what the person is asked to stand behind.
    execute(
        cli,
        &policy,
        action,
        target.account,
        Draft::text(args.reason.clone()),
        &args.guard,
        interactive,
    )
}

pub(super) fn execute(
    cli: &Cli,
    policy: &crate::policy::Policy,
    action: Action,
    account: &str,
    draft: Draft,
    guard: &Guard,
    interactive: bool,
) -> Result<ExitCode> {
    execute_plan(cli, policy, action, account, draft, guard, interactive, None)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn execute_plan(
    cli: &Cli,
    policy: &crate::policy::Policy,
    action: Action,
    account: &str,
    draft: Draft,
    guard: &Guard,
    interactive: bool,
    plan: Option<publish::PlanGate>,
) -> Result<ExitCode> {
    let verb = action.name();
    let report = publish::run(
        policy,
        Request {
            action,
            account: account.to_string(),
            draft,
            dry_run: guard.dry_run,
            confirm_handle: guard.confirm_handle.clone(),
            interactive,
            plan,
        },
    )?;
    if report.already {
        if let Some(p) = &report.published {
            let (id, url) = (one_line(&p.id), one_line(&p.url));
            if cli.json {
                output::json(&serde_json::json!({
                    "action": verb, "account": report.account, "handle": report.handle,
                    "status": "already-published", "id": p.id, "url": p.url, "audit_seq": report.audit_seq,
                }));
            } else {
                output::result(&format!("{id}\t{url}"));
                output::status(&t!(
                    "status-already-published",
                    handle = report.handle.as_str(),
                    id = id.as_str(),
                    seq = report.audit_seq
                ));
            }
        }
        return Ok(ExitCode::Success);
    }
    let mut v = serde_json::json!({
        "action": verb,
        "account": report.account,
        "handle": report.handle,
        "confirmation": report.confirmation.as_str(),
        "credential_source": report.credential_source.as_str(),
        "audit_seq": report.audit_seq,
    });
    match &report.published {
        Some(p) => {
            if cli.json {
                v["status"] = if verb == "delete" { "deleted" } else { "published" }.into();
                v["id"] = p.id.clone().into();
                v["url"] = p.url.clone().into();
                v["replayed"] = p.replayed.into();
                output::json(&v);
            } else {
                // Ids and URLs come from the server: never let them drive the terminal.
                let (id, url) = (one_line(&p.id), one_line(&p.url));
                if verb == "delete" {
                    output::result(&id);
                    output::status(&t!("status-deleted", id = id.as_str(), handle = report.handle.as_str()));
                } else {
                    output::result(&format!("{id}\t{url}"));
                    output::status(&t!(
                        "status-done",
                        verb = verb,
                        handle = report.handle.as_str(),
                        id = id.as_str()
                    ));
                }
            }
        }
        None => {
            if cli.json {
                v["status"] = "dry-run".into();
                output::json(&v);
            }
            output::status(&t!("status-dry-run", verb = verb));
        }
    }
    Ok(ExitCode::Success)
}

fn usage(message: impl Into<String>) -> anyhow::Error {
    Failure::new(ExitCode::Usage, message).into()
}

/// Reads the post from the argument, a file, stdin, or an editor. One trailing newline (as
/// files and heredocs end with) is dropped; everything else is kept exactly.
fn read_text(text: Option<&str>, file: Option<&std::path::Path>, interactive: bool) -> Result<String> {
    crate::fault::point("read-post");
    let from_stdin = text == Some("-") || file == Some(std::path::Path::new("-"));
    let text = if from_stdin {
        let buf = crate::paths::read_stream_bounded(std::io::stdin(), crate::paths::MAX_POST_BYTES, "post")
            .map_err(|e| usage(format!("cannot read stdin: {e}")))?;
        String::from_utf8(buf).map_err(|e| {
            usage(format!(
                "stdin is not UTF-8 text (byte {})",
                e.utf8_error().valid_up_to()
            ))
        })?
    } else if let Some(text) = text {
        return Ok(text.to_string());
    } else if let Some(path) = file {
        let bytes = crate::paths::read_bounded(path, crate::paths::MAX_POST_BYTES, "post")
            .map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?;
        String::from_utf8(bytes).map_err(|e| {
            usage(format!(
                "{} is not UTF-8 text (byte {})",
                path.display(),
                e.utf8_error().valid_up_to()
            ))
        })?
    } else if interactive && std::io::stdin().is_terminal() {
        let edited = edit_in_editor()?;
        if edited.trim().is_empty() {
            return Err(Failure::new(ExitCode::NotConfirmed, "aborting: the post is empty").into());
        }
        edited
    } else {
        return Err(usage("no post text: pass TEXT, --file PATH, or `-` to read stdin"));
    };
    Ok(strip_final_newline(text))
}

/// The editor's command line, chosen as git chooses it: `$VISUAL`, then `$EDITOR`, then `vi`,
/// each skipped when empty or blank (an exported `VISUAL=` means "not set", not "no editor").
fn editor_command(visual: Option<OsString>, editor: Option<OsString>) -> OsString {
    let blank = |v: &OsString| v.as_encoded_bytes().iter().all(u8::is_ascii_whitespace);
    [visual, editor]
        .into_iter()
        .flatten()
        .find(|v| !blank(v))
        .unwrap_or_else(|| OsString::from("vi"))
}

/// How the editor is started on `file`. A value that names an executable file is run as it is,
/// so a path with spaces needs no quoting; anything else is a shell command line, as git and
/// most Unix tools read it (`code --wait`, `"/opt/My Editor/ed" -n`), with the file appended as
/// one argument, never pasted into the command text.
fn editor_process(command: &OsStr, file: &Path) -> Command {
    let as_path = Path::new(command);
    if as_path.components().count() > 1 && as_path.is_file() {
        let mut cmd = Command::new(as_path);
        cmd.arg(file);
        return cmd;
    }
    let mut script = command.to_os_string();
    script.push(" \"$@\"");
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(script).arg(command).arg(file);
    cmd
}

/// Opens the editor on an empty file and reads what was saved. An editor that cannot start or
/// exits with a failure publishes nothing.
///
/// The file is alone in a private folder: an editor that saves by renaming a new file over it,
/// or leaves a backup or swap file beside it, gives that file the umask's mode, so in a shared
/// temporary folder others could read a post before it is out; the folder goes, with all of
/// them, when the text has been read.
fn edit_in_editor() -> Result<String> {
    let command = editor_command(std::env::var_os("VISUAL"), std::env::var_os("EDITOR"));
    let shown = one_line(&command.to_string_lossy());
    let cannot = |e: std::io::Error| usage(format!("cannot make a file for the editor: {e}"));
    let folder = tempfile::Builder::new()
        .prefix("postgate-post-")
        .tempdir()
        .map_err(cannot)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // tempfile makes it 0700 already; said here so that no version of it can loosen this.
        std::fs::set_permissions(folder.path(), std::fs::Permissions::from_mode(0o700)).map_err(cannot)?;
    }
    let file = folder.path().join("post.txt");
    crate::paths::write_new_private(&file, b"").map_err(cannot)?;
    let mut editor = editor_process(&command, &file);
    if !std::io::stdout().is_terminal() {
        // stdout is a file or a pipe a script reads (the `--json` document, a post's id): a
        // terminal editor draws its screen on its own stdout, which goes to stderr instead.
        editor.stdout(std::io::stderr());
    }
    // Ctrl-C in the editor reaches postgate too (one foreground group): it is the editor's to
    // act on, as git leaves it, and postgate dying of it would leave the draft behind. The
    // editor gets the default dispositions back, so it is not started deaf to Ctrl-C.
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: `signal` is async-signal-safe, as what runs between fork and exec must be.
        unsafe {
            editor.pre_exec(|| {
                libc::signal(libc::SIGINT, libc::SIG_DFL);
                libc::signal(libc::SIGQUIT, libc::SIG_DFL);
                Ok(())
            });
        }
    }
    let status = {
        let _held = IgnoreInterrupts::now();
        editor.status()
    }
    .map_err(|e| usage(format!("cannot run the editor `{shown}` ($VISUAL or $EDITOR): {e}")))?;
    if !status.success() {
        return Err(Failure::new(
            ExitCode::NotConfirmed,
            format!("aborting: the editor `{shown}` failed ({status}); nothing was published"),
        )
        .into());
    }
    let bytes = crate::paths::read_bounded(&file, crate::paths::MAX_POST_BYTES, "post")
        .map_err(|e| usage(format!("cannot read what the editor saved: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        usage(format!(
            "what the editor saved is not UTF-8 text (byte {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// SIGINT and SIGQUIT ignored until dropped, then as they were.
struct IgnoreInterrupts {
    #[cfg(unix)]
    before: [libc::sighandler_t; 2],
}

impl IgnoreInterrupts {
    fn now() -> IgnoreInterrupts {
        IgnoreInterrupts {
            // SAFETY: SIG_IGN is a valid disposition; the previous ones are put back on drop.
            #[cfg(unix)]
            before: unsafe {
                [
                    libc::signal(libc::SIGINT, libc::SIG_IGN),
                    libc::signal(libc::SIGQUIT, libc::SIG_IGN),
                ]
            },
        }
    }
}

impl Drop for IgnoreInterrupts {
    fn drop(&mut self) {
        // SAFETY: the dispositions `signal` returned above, unchanged.
        #[cfg(unix)]
        unsafe {
            libc::signal(libc::SIGINT, self.before[0]);
            libc::signal(libc::SIGQUIT, self.before[1]);
        }
    }
}

fn strip_final_newline(mut text: String) -> String {
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{editor_command, editor_process, strip_final_newline};
    use std::ffi::OsString;

    fn chosen(visual: Option<&str>, editor: Option<&str>) -> OsString {
        editor_command(visual.map(OsString::from), editor.map(OsString::from))
    }

    #[test]
    fn an_empty_or_blank_editor_variable_counts_as_unset() {
        assert_eq!(chosen(Some(""), Some("nano")), "nano");
        assert_eq!(chosen(Some(" \t"), Some("nano")), "nano");
        assert_eq!(chosen(Some(""), Some("")), "vi");
        assert_eq!(chosen(None, None), "vi");
        assert_eq!(chosen(Some("code --wait"), Some("nano")), "code --wait");
        assert_eq!(chosen(None, Some("nano")), "nano");
    }

    #[test]
    fn an_editor_with_arguments_runs_through_the_shell_with_the_file_as_one_argument() {
        let cmd = editor_process("code --wait".as_ref(), "/tmp/a b.txt".as_ref());
        assert_eq!(cmd.get_program(), "sh");
        let args: Vec<_> = cmd.get_args().collect();
        assert_eq!(args, ["-c", "code --wait \"$@\"", "code --wait", "/tmp/a b.txt"]);
    }

    #[test]
    fn an_editor_path_with_spaces_runs_as_it_is() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("My Editor");
        std::fs::write(&path, "#!/bin/sh\n").expect("write the editor");
        let cmd = editor_process(path.as_os_str(), "/tmp/post.txt".as_ref());
        assert_eq!(cmd.get_program(), path.as_os_str());
        assert_eq!(cmd.get_args().collect::<Vec<_>>(), ["/tmp/post.txt"]);
    }

    #[test]
    fn only_one_final_newline_goes() {
        assert_eq!(strip_final_newline("a\n".into()), "a");
        assert_eq!(strip_final_newline("a\r\n".into()), "a");
        assert_eq!(strip_final_newline("a\n\n".into()), "a\n");
        assert_eq!(strip_final_newline("a".into()), "a");
    }
}
