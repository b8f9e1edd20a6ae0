//! Subcommands. `post` hands over to the publish pipeline; the others never publish.

mod accounts;
mod check;
mod hook;
mod init;
mod lockdown;
mod log;
mod login;
mod plan;
mod post;
mod queue;
mod reconcile;
mod review;
mod store;
mod who;
mod whoami;

use crate::cli::{Cli, Command, PolicyCommand};
use crate::exit_codes::ExitCode;
use anyhow::Result;

pub fn run(cli: Cli) -> Result<ExitCode> {
    match &cli.command {
        Command::Init(args) => init::run(&cli, args),
        Command::Post(args) => post::run(&cli, args),
        Command::Correct(args) => post::correct(&cli, args),
        Command::Delete(args) => post::delete(&cli, args),
        Command::Check(args) => check::run(&cli, args),
        Command::Plan(args) => plan::plan(&cli, args),
        Command::Sign(args) => plan::sign(&cli, args),
        Command::Approve(args) => plan::approve(&cli, args),
        Command::Apply(args) => plan::apply(&cli, args),
        Command::Keys(args) => plan::keys(&cli, args),
        Command::Review(args) => match &args.command {
            crate::cli::ReviewCommand::Serve(s) => review::serve(&cli, s),
        },
        Command::Lockdown(args) => lockdown::lockdown(&cli, args),
        Command::Unlock(args) => lockdown::unlock(&cli, args),
        Command::Reconcile(args) => reconcile::run(&cli, args),
        Command::Queue(args) => match &args.command {
            crate::cli::QueueCommand::Check(a) => queue::check(&cli, a),
            crate::cli::QueueCommand::Publish(a) => queue::publish(&cli, a),
        },
        Command::Whoami(args) => whoami::run(&cli, args.name()),
        Command::Login(args) => login::login(&cli, args),
        Command::Logout(args) => login::logout(&cli, args.name()),
        Command::Accounts => accounts::list(&cli),
        Command::Log(args) => log::run(&cli, args),
        Command::Store(args) => store::run(&cli, &args.command),
        Command::Policy(args) => match &args.command {
            PolicyCommand::Check => accounts::policy_check(&cli),
            PolicyCommand::Show(args) => accounts::policy_show(&cli, args.name()),
        },
        // Under --json the script or page is a string in the one JSON document.
        Command::Completions(args) if cli.json => {
            let mut script = Vec::new();
            crate::generation::completions(args.shell, &mut script);
            crate::output::json(&serde_json::json!({
                "shell": args.shell.to_string(),
                "script": String::from_utf8_lossy(&script),
            }));
            Ok(ExitCode::Success)
        }
        Command::Completions(args) => {
            crate::generation::completions(args.shell, &mut std::io::stdout());
            Ok(ExitCode::Success)
        }
        Command::Man(args) => man(&cli, args),
    }
}

fn man(cli: &Cli, args: &crate::cli::ManArgs) -> Result<ExitCode> {
    if let Some(dir) = &args.dir {
        let written = crate::generation::man_pages(dir)?;
        if cli.json {
            let files: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
            crate::output::json(&serde_json::json!({ "dir": dir.display().to_string(), "files": files }));
        } else {
            for path in &written {
                crate::output::result(&path.display().to_string());
            }
            crate::output::status(&format!("wrote {} man pages into {}", written.len(), dir.display()));
        }
        return Ok(ExitCode::Success);
    }
    if cli.json {
        let mut page = Vec::new();
        crate::generation::man(&args.command, &mut page)?;
        crate::output::json(&serde_json::json!({ "man": String::from_utf8_lossy(&page) }));
    } else {
        crate::generation::man(&args.command, &mut std::io::stdout())?;
    }
    Ok(ExitCode::Success)
}
