//! postgate: parse the command line, run it, turn the outcome into a documented exit code.

use clap::Parser;
use postgate::exit_codes::ExitCode;
use postgate::{cli, commands, error, output};

fn main() -> std::process::ExitCode {
    // Behave like other Unix tools when stdout is a closed pipe (`postgate log | head`).
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::Usage.into()
            } else {
                ExitCode::Success.into()
            };
        }
    };
    output::init_color(cli.color);
    let as_json = cli.json;
    match commands::run(cli) {
        Ok(code) => code.into(),
        Err(err) => {
            let code = error::exit_code_of(&err);
            output::error(&err, code, as_json);
            code.into()
        }
    }
}
