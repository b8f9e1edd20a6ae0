//! Shell completions and the man pages, generated from the clap definitions so they never drift.

use crate::cli::Cli;
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use clap::CommandFactory;
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "postgate", out);
}

/// The whole command tree, built, so that each subcommand carries its display name
/// (`postgate-queue-publish`), which is both its page's title and the name the parent's page
/// refers to.
fn tree() -> clap::Command {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// The page of the command named by `path` (empty: postgate(1) itself).
pub fn man(path: &[String], out: &mut dyn Write) -> anyhow::Result<()> {
    let mut cmd = tree();
    for (depth, word) in path.iter().enumerate() {
        let Some(sub) = cmd.find_subcommand(word).cloned() else {
            let known: Vec<&str> = cmd.get_subcommands().map(|s| s.get_name()).collect();
            let under = if depth == 0 {
                "postgate".to_owned()
            } else {
                format!("postgate {}", path[..depth].join(" "))
            };
            return Err(
                Failure::new(ExitCode::Usage, format!("`{under}` has no command `{word}`"))
                    .hint(format!("its commands are: {}", known.join(", ")))
                    .into(),
            );
        };
        cmd = sub;
    }
    clap_mangen::Man::new(cmd).render(out)?;
    Ok(())
}

/// Every page, one file per command, into `dir`; the files written, parents before children.
pub fn man_pages(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    fn walk(cmd: &clap::Command, dir: &Path, written: &mut Vec<PathBuf>) -> anyhow::Result<()> {
        let page = clap_mangen::Man::new(cmd.clone());
        let path = dir.join(page.get_filename());
        let mut text = Vec::new();
        page.render(&mut text)?;
        // Man pages are public text for packagers and MANPATH, so they are written with the
        // usual permissions, unlike postgate's state.
        std::fs::write(&path, text).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        written.push(path);
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, dir, written)?;
        }
        Ok(())
    }
    std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    let mut written = Vec::new();
    walk(&tree(), dir, &mut written)?;
    Ok(written)
}
