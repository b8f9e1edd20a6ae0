//! `postgate post`: gather the text, then run the publish pipeline.

use crate::cli::{Cli, PostArgs};
use crate::confirm;
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::output;
use crate::platform::Draft;
use crate::publish::{self, Request};
use anyhow::Result;
use std::io::{IsTerminal, Read};

pub fn run(cli: &Cli, args: &PostArgs) -> Result<ExitCode> {
    let policy = super::load_policy(cli)?;
    let interactive = confirm::has_terminal();
    let text = read_text(args, interactive)?;
    let report = publish::run(
        &policy,
        Request {
            account: args.account.clone(),
            draft: Draft {
                text,
                reply_to: args.reply_to.clone(),
                language: args.language.clone(),
                content_warning: args.cw.clone(),
                visibility: args.visibility,
            },
            dry_run: args.dry_run,
            confirm_handle: args.confirm_handle.clone(),
            interactive,
        },
    )?;
    let base = serde_json::json!({
        "account": report.account,
        "handle": report.handle,
        "confirmation": report.confirmation.as_str(),
        "credential_source": report.credential_source.as_str(),
        "audit_seq": report.audit_seq,
    });
    match &report.published {
        Some(p) => {
            if cli.json {
                let mut v = base;
                v["status"] = "published".into();
                v["id"] = p.id.clone().into();
                v["url"] = p.url.clone().into();
                v["replayed"] = p.replayed.into();
                output::json(&v);
            } else {
                output::result(&format!("{}\t{}", p.id, p.url));
                output::status(&format!("published to {} as {}", report.handle, p.id));
            }
        }
        None => {
            if cli.json {
                let mut v = base;
                v["status"] = "dry-run".into();
                output::json(&v);
            }
            output::status("dry run: every check passed; nothing was published");
        }
    }
    Ok(ExitCode::Success)
}

fn usage(message: impl Into<String>) -> anyhow::Error {
    Failure::new(ExitCode::Usage, message).into()
}

/// Reads the post from the argument, a file, stdin, or an editor. One trailing newline (as
/// files and heredocs end with) is dropped; everything else is kept exactly.
fn read_text(args: &PostArgs, interactive: bool) -> Result<String> {
    let from_stdin = args.text.as_deref() == Some("-") || args.file.as_deref() == Some(std::path::Path::new("-"));
    let text = if from_stdin {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| usage(format!("cannot read stdin: {e}")))?;
        String::from_utf8(buf).map_err(|e| {
            usage(format!(
                "stdin is not UTF-8 text (byte {})",
                e.utf8_error().valid_up_to()
            ))
        })?
    } else if let Some(text) = &args.text {
        return Ok(text.clone());
    } else if let Some(path) = &args.file {
        let bytes = std::fs::read(path).map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?;
        String::from_utf8(bytes).map_err(|e| {
            usage(format!(
                "{} is not UTF-8 text (byte {})",
                path.display(),
                e.utf8_error().valid_up_to()
            ))
        })?
    } else if interactive && std::io::stdin().is_terminal() {
        let edited = dialoguer::Editor::new()
            .extension(".txt")
            .edit("")
            .map_err(|e| usage(format!("cannot run the editor ($VISUAL or $EDITOR): {e}")))?;
        match edited {
            Some(t) if !t.trim().is_empty() => t,
            _ => {
                return Err(Failure::new(ExitCode::NotConfirmed, "aborting: the post is empty").into());
            }
        }
    } else {
        return Err(usage("no post text: pass TEXT, --file PATH, or `-` to read stdin"));
    };
    Ok(strip_final_newline(text))
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
    use super::strip_final_newline;

    #[test]
    fn only_one_final_newline_goes() {
        assert_eq!(strip_final_newline("a\n".into()), "a");
        assert_eq!(strip_final_newline("a\r\n".into()), "a");
        assert_eq!(strip_final_newline("a\n\n".into()), "a\n");
        assert_eq!(strip_final_newline("a".into()), "a");
    }
}
