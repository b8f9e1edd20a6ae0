//! postgate: parse the command line, run it, turn the outcome into a documented exit code.
//!
//! With `--json` anywhere on the command line, stdout is exactly one JSON value in every case:
//! the command's document, the error object, or the error object for a command line clap
//! refused (its human text still on stderr).

use clap::{CommandFactory, FromArgMatches};
use postgate::exit_codes::ExitCode;
use postgate::{cli, commands, error, output};

/// Whether the command line asks for JSON, read before clap so that a command line clap refuses
/// still gets its error object. Arguments after `--` are post text, not flags.
fn json_requested() -> bool {
    std::env::args_os()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "--json")
}

/// `Cli::try_parse`, without dropping clap's description of the whole command line: freeing its
/// thousands of small allocations costs more than parsing the arguments, and the process ends
/// soon after anyway.
fn parse() -> Result<cli::Cli, clap::Error> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    match parse_from(args.clone()) {
        Err(e) if e.use_stderr() => {
            // clap quotes the refused words back, raw and on a terminal in colour; they may be a
            // post's text (`post -a NAME "$TEXT"`). The same command line with every hidden
            // character made visible gives the same refusal, safe to show.
            let shown: Vec<std::ffi::OsString> = args
                .iter()
                .map(|a| postgate::sanitize::for_terminal(&a.to_string_lossy()).into())
                .collect();
            if shown == args {
                return Err(e);
            }
            match parse_from(shown) {
                Err(safe) if safe.use_stderr() => Err(safe),
                // Made visible, the words parse: only clap's plain text, made safe, is left.
                _ => {
                    let text = e.render().to_string();
                    let text = text.strip_prefix("error: ").unwrap_or(&text);
                    Err(clap::Error::raw(e.kind(), postgate::sanitize::for_terminal(text)))
                }
            }
        }
        parsed => parsed,
    }
}

fn parse_from(args: Vec<std::ffi::OsString>) -> Result<cli::Cli, clap::Error> {
    let mut command = postgate::i18n::localize_help(cli::Cli::command());
    let parsed = command
        .try_get_matches_from_mut(args)
        .and_then(|mut matches| cli::Cli::from_arg_matches_mut(&mut matches).map_err(|e| e.format(&mut command)))
        .and_then(|cli| match cli.validate() {
            Ok(()) => Ok(cli),
            Err(msg) => {
                let mut sub = command.clone();
                Err(clap::Error::raw(clap::error::ErrorKind::ArgumentConflict, format!("{msg}\n")).format(&mut sub))
            }
        });
    std::mem::forget(command);
    parsed
}

/// The panic hook: where the bug is and what it said, on stderr, made safe for the terminal
/// (a panic message may quote a post or a server). `RUST_BACKTRACE` adds the backtrace.
fn report_panic(info: &std::panic::PanicHookInfo<'_>) {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    let place = info
        .location()
        .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
        .unwrap_or_else(|| "an unknown place".into());
    let thread = std::thread::current();
    eprintln!(
        "postgate: internal error in thread {} at {place}: {}",
        postgate::sanitize::one_line(thread.name().unwrap_or("(unnamed)")),
        postgate::sanitize::for_terminal(message)
    );
    let backtrace = std::backtrace::Backtrace::capture();
    if backtrace.status() == std::backtrace::BacktraceStatus::Captured {
        eprintln!("{backtrace}");
    }
}

fn main() -> std::process::ExitCode {
    // Behave like other Unix tools when stdout is a closed pipe (`postgate log | head`).
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                ExitCode::Usage
            } else {
                ExitCode::Success
            };
            if json_requested() {
                // People still read clap's text, on stderr; stdout is the document.
                if e.use_stderr() {
                    let _ = e.print();
                } else {
                    eprint!("{}", e.render());
                }
                output::clap_error(&e);
            } else {
                let _ = e.print();
            }
            return code.into();
        }
    };
    output::init_color(cli.color);
    let as_json = cli.json;
    output::init_json(as_json);
    // A panic is a bug: the person gets its place and a request to report it, never Rust's
    // own "panicked at" page, and under --json the error object still ends the run. The
    // pipeline records a panic in the audit log itself (publish::run); here it becomes exit 1.
    std::panic::set_hook(Box::new(report_panic));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| commands::run(cli))).unwrap_or_else(|_| {
        Err(anyhow::anyhow!(
            "internal error: postgate stopped on a bug (the `postgate: internal error` line above says where); please report it"
        ))
    });
    match outcome {
        Ok(code) => {
            output::finish(code);
            code.into()
        }
        Err(err) => {
            let code = error::exit_code_of(&err);
            output::error(&err, code, as_json);
            code.into()
        }
    }
}
