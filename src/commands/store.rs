//! `postgate store`: the team's shared store ([audit.shared]).

use crate::cli::{Cli, StoreCommand, StoreInitArgs};
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::output;
use crate::policy::Policy;
use anyhow::Result;
use serde_json::json;

pub fn run(cli: &Cli, command: &StoreCommand) -> Result<ExitCode> {
    let policy = crate::policy::load_discovered(cli.policy.as_deref())?;
    let cfg = configured(&policy)?;
    match command {
        StoreCommand::Init(args) => init(cli, cfg, args),
        StoreCommand::Sync => sync(cli, &policy, cfg),
    }
}

/// The policy's store, or the usage error that says how to name one.
pub fn configured(policy: &Policy) -> Result<&crate::store::Config> {
    policy.audit_shared.as_ref().ok_or_else(|| {
        Failure::new(
            ExitCode::Usage,
            format!("the policy {} names no shared store", policy.path.display()),
        )
        .hint("add [audit.shared] with url = \"postgresql://USER@HOST/DATABASE?sslmode=verify-full\" (docs/team.md)")
        .into()
    })
}

fn init(cli: &Cli, cfg: &crate::store::Config, args: &StoreInitArgs) -> Result<ExitCode> {
    let owner = args.user.as_deref().map(|u| cfg.as_user(u));
    let sql = crate::store::init(owner.as_ref().unwrap_or(cfg), &args.grant)?;
    if cli.json {
        output::json(&json!({ "store": cfg.label(), "role": args.grant, "sql": sql }));
    } else {
        println!("{sql}");
        eprintln!(
            "postgate: the schema is in {}; `{}` may INSERT and SELECT, nothing more",
            cfg.label(),
            args.grant
        );
    }
    Ok(ExitCode::Success)
}

fn sync(cli: &Cli, policy: &Policy, cfg: &crate::store::Config) -> Result<ExitCode> {
    let sent = crate::audit::AuditLog::of(policy).sync_to_store()?;
    if cli.json {
        output::json(&json!({ "store": cfg.label(), "sent": sent }));
    } else {
        println!("{sent} record(s) sent to {}", cfg.label());
    }
    Ok(ExitCode::Success)
}
