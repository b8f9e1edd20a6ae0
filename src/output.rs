//! Where output goes: results on stdout, everything else (banner, progress, errors) on stderr.

use crate::cli::ColorChoice;
use crate::exit_codes::ExitCode;
use colored::Colorize;
use std::io::{IsTerminal, Write};

/// Decides once whether stderr gets colour. NO_COLOR (any non-empty value) wins over `auto`;
/// `--color always` wins over everything.
pub fn init_color(choice: ColorChoice) {
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
                && std::io::stderr().is_terminal()
        }
    };
    colored::control::set_override(on);
}

/// Prints a JSON value as one line on stdout.
pub fn json(value: &serde_json::Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{value}");
}

/// Prints a result line on stdout.
pub fn result(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
}

/// Prints a status line on stderr.
pub fn status(line: &str) {
    eprintln!("{line}");
}

/// Reports a failure: a human message on stderr, and with `--json` an object on stdout so
/// scripts never have to parse prose.
pub fn error(err: &anyhow::Error, code: ExitCode, as_json: bool) {
    let message = format!("{err:#}");
    // Errors quote policies, posts and (later) servers: never let them drive the terminal.
    eprintln!("{} {}", "error:".red().bold(), crate::sanitize::for_terminal(&message));
    if as_json {
        json(&serde_json::json!({
            "status": "error",
            "exit_code": code.code(),
            "error": code.name(),
            "message": message,
        }));
    }
}
