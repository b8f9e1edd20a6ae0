//! Shell completions and the man page, generated from the clap definitions so they never drift.

use crate::cli::Cli;
use clap::CommandFactory;
use std::io::Write;

pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "postgate", out);
}

pub fn man(out: &mut dyn Write) -> std::io::Result<()> {
    clap_mangen::Man::new(Cli::command()).render(out)
}
