//! The command line, and nothing else.

use crate::output::ColorChoice;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::sync::LazyLock;

/// How long a `reconcile --on-foreign` hook may run by default, in seconds (`--hook-timeout`).
pub const HOOK_TIMEOUT_SECS: u64 = 120;

static AFTER_HELP: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{}\nPolicy lookup: --policy, then $POSTGATE_POLICY, then $XDG_CONFIG_HOME/postgate/policy.toml, \
         then /etc/postgate/policy.toml (never the current directory).",
        crate::exit_codes::ExitCode::table()
    )
});

/// A guard for posting to official social-media accounts.
///
/// postgate shows which account will receive a post, makes a person type that account's
/// handle (or a script pass it with --confirm-handle), takes the credential from the OS
/// keychain, publishes once, and records every attempt in a tamper-evident audit log.
#[derive(Debug, Parser)]
#[command(name = "postgate", version, about, long_about, after_long_help = AFTER_HELP.as_str())]
pub struct Cli {
    /// Policy file to use instead of the usual lookup.
    #[arg(long, global = true, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// Print results on stdout as JSON.
    #[arg(long, global = true)]
    pub json: bool,

    /// When to colour the banner and messages.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Publish a post after showing the banner and confirming the account.
    #[command(after_long_help = AFTER_HELP.as_str())]
    Post(PostArgs),
    /// Correct a published post: an edit with public history (Mastodon; X with `correction = "edit"`), a reply (Bluesky, X).
    #[command(after_long_help = AFTER_HELP.as_str())]
    Correct(CorrectArgs),
    /// Delete a published post, where the account's policy allows it (allow_delete).
    #[command(after_long_help = AFTER_HELP.as_str())]
    Delete(DeleteArgs),
    /// Check drafts against the policy's rules, like a prose linter (for pull-request jobs).
    ///
    /// Prints one line per finding, `file:line:col level rule message (suggestion)`, and exits
    /// with code 4 if any rule at level `deny` matched.
    #[command(after_long_help = AFTER_HELP.as_str())]
    Check(CheckArgs),
    /// Write a plan: the post pinned down (text, images, account, window) for review.
    ///
    /// The plan file is TOML a person can read; `approve` signs it and `apply` publishes it
    /// exactly as written.
    #[command(after_long_help = AFTER_HELP.as_str())]
    Plan(PlanArgs),
    /// Sign a plan or a queue item as its author (PLAN.author.sig), with a key the policy lists.
    ///
    /// A plan that needs approval counts approvals only from people other than its proven
    /// author; `plan` signs what it writes, `sign` signs a queue item or signs a plan again.
    #[command(after_long_help = AFTER_HELP.as_str())]
    Sign(SignArgs),
    /// Sign a plan or a queue item as one of the policy's approvers.
    #[command(after_long_help = AFTER_HELP.as_str())]
    Approve(ApproveArgs),
    /// Publish a plan exactly as approved, after checking everything again.
    #[command(after_long_help = AFTER_HELP.as_str())]
    Apply(ApplyArgs),
    /// A folder of prepared posts: check it on pull requests, publish what is due on a schedule.
    #[command(after_long_help = AFTER_HELP.as_str())]
    Queue(QueueArgs),
    /// Approval keys kept in the OS keychain.
    Keys(KeysArgs),
    /// Stop an account now: lock it, revoke its credential at the platform, clear the keychain.
    ///
    /// Every later `post`, `correct`, `delete`, `apply` and `queue publish` to a locked account
    /// is refused (exit 12) with the reason, who locked it and when, until an approver signs
    /// `unlock`.
    #[command(after_long_help = AFTER_HELP.as_str())]
    Lockdown(LockdownArgs),
    /// Lift a lockdown on an approver's signature; a new `login` is then required.
    #[command(after_long_help = AFTER_HELP.as_str())]
    Unlock(UnlockArgs),
    /// List an account's recent posts on the platform and report those postgate did not make.
    ///
    /// Exits 13 when it finds one, so a cron job every 5 minutes raises the alarm.
    #[command(after_long_help = AFTER_HELP.as_str())]
    Reconcile(ReconcileArgs),
    /// Show who the platform says an account's credential belongs to, next to the policy.
    Whoami(NameArg),
    /// Store an account's credential in the OS keychain, once the platform says whose it is: a secret from a hidden prompt or stdin, X's OAuth sign-in in the browser, or Facebook's token exchange (`app_id`).
    Login(LoginArgs),
    /// Remove an account's secret from the keychain.
    Logout(NameArg),
    /// List the policy's accounts and the state of their credentials.
    Accounts,
    /// List or verify the audit log.
    Log(LogArgs),
    /// Validate and inspect the policy.
    Policy(PolicyArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout.
    Man,
}

#[derive(Debug, Args)]
pub struct PostArgs {
    #[command(flatten)]
    pub content: ContentArgs,

    #[command(flatten)]
    pub guard: Guard,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub content: ContentArgs,

    /// Not to be published before this time (RFC 3339 with its offset).
    #[arg(long, value_name = "TIME")]
    pub publish_at: Option<String>,

    /// Not to be published from this time on (RFC 3339); defaults to a week after
    /// --publish-at, or after now.
    #[arg(long, value_name = "TIME")]
    pub expires: Option<String>,

    /// Plan a correction of this published post (id or URL) instead of a new post.
    #[arg(long, value_name = "POST", conflicts_with = "reply_to")]
    pub correct: Option<String>,

    /// Where to write the plan.
    #[arg(short, long, value_name = "FILE.plan")]
    pub output: PathBuf,

    /// The keychain key to sign the plan with as its author (`postgate keys new`); defaults to
    /// the OS user's name. A plan that needs approval is always signed by its author.
    #[arg(long, value_name = "NAME", conflicts_with = "ssh_key")]
    pub key: Option<String>,

    /// Sign the plan as its author with an SSH key through ssh-keygen.
    #[arg(long, value_name = "PATH")]
    pub ssh_key: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The plan file, or a queue item (a draft with front matter), that you wrote.
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,

    /// The keychain key to sign with (`postgate keys new`); defaults to the OS user's name.
    #[arg(long, value_name = "NAME", conflicts_with = "ssh_key")]
    pub key: Option<String>,

    /// Sign with an SSH key through ssh-keygen (a private key file, or a .pub with the key in
    /// ssh-agent).
    #[arg(long, value_name = "PATH")]
    pub ssh_key: Option<PathBuf>,

    /// For scripts: the plan_hash of what you wrote; signing goes ahead only if it matches.
    #[arg(long, value_name = "sha256:HEX")]
    pub plan_hash: Option<String>,
}

#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The plan file, or a queue item (a draft with front matter).
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,

    /// The keychain key to sign with (`postgate keys new`); defaults to the OS user's name.
    #[arg(long, value_name = "NAME", conflicts_with = "ssh_key")]
    pub key: Option<String>,

    /// Sign with an SSH key through ssh-keygen (a private key file, or a .pub with the key in
    /// ssh-agent).
    #[arg(long, value_name = "PATH")]
    pub ssh_key: Option<PathBuf>,

    /// For scripts: the plan_hash you reviewed; signing goes ahead only if it matches.
    #[arg(long, value_name = "sha256:HEX")]
    pub plan_hash: Option<String>,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The plan file.
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,

    #[command(flatten)]
    pub guard: Guard,
}

#[derive(Debug, Args)]
pub struct QueueArgs {
    #[command(subcommand)]
    pub command: QueueCommand,
}

#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// Lint every item and its approvals, like `check` (for pull-request jobs).
    Check(QueueCheckArgs),
    /// Publish every due, approved item once, in order (for scheduled jobs).
    Publish(QueuePublishArgs),
}

#[derive(Debug, Args)]
pub struct QueueCheckArgs {
    /// The queue folder.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Fail (exit 11) when an item lacks the approvals it needs, not only when a signature is bad.
    #[arg(long)]
    pub require_approved: bool,
}

#[derive(Debug, Args)]
pub struct QueuePublishArgs {
    /// The queue folder.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Publish the items whose time has come (required: publishing is never implied).
    #[arg(long, required = true)]
    pub due: bool,

    /// The handle of an account the queue publishes to; repeat for each account.
    #[arg(long, value_name = "HANDLE")]
    pub confirm_handle: Vec<String>,
}

#[derive(Debug, Args)]
pub struct LockdownArgs {
    /// The accounts to lock.
    #[arg(value_name = "NAME", required_unless_present = "all", conflicts_with = "all")]
    pub names: Vec<String>,

    /// Lock every account in the policy.
    #[arg(long)]
    pub all: bool,

    /// Why: kept in the lock, the audit log and every refusal it causes.
    #[arg(long, value_name = "TEXT", required = true)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct UnlockArgs {
    /// The locked account.
    #[arg(value_name = "NAME")]
    pub name: String,

    /// Sign the unlock as an approver (the lock stays until `postgate unlock NAME` is run).
    #[arg(long)]
    pub sign: bool,

    /// The keychain key to sign with; defaults to the OS user's name.
    #[arg(long, value_name = "NAME", requires = "sign", conflicts_with = "ssh_key")]
    pub key: Option<String>,

    /// Sign with an SSH key through ssh-keygen.
    #[arg(long, value_name = "PATH", requires = "sign")]
    pub ssh_key: Option<PathBuf>,

    /// For scripts: the lock id you reviewed; signing goes ahead only if it matches.
    #[arg(long, value_name = "sha256:HEX", requires = "sign")]
    pub lock_id: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// The accounts to check.
    #[arg(value_name = "NAME", required_unless_present = "all", conflicts_with = "all")]
    pub names: Vec<String>,

    /// Check every account in the policy.
    #[arg(long)]
    pub all: bool,

    /// How far back to look: `30m`, `24h`, `7d`, or an RFC 3339 time.
    #[arg(long, value_name = "AGE|TIME", default_value = "24h")]
    pub since: String,

    /// Run this command (with `sh -c`) once per foreign post; the post is in the environment
    /// as POSTGATE_ACCOUNT, POSTGATE_POST_ID, POSTGATE_POST_URL, POSTGATE_POST_TIME,
    /// POSTGATE_POST_TEXT (sanitized, at most 4 KiB) and POSTGATE_POST_NEW (1 the first time
    /// it is seen); the whole text is on its stdin and in the file POSTGATE_POST_TEXT_FILE.
    #[arg(long, value_name = "CMD")]
    pub on_foreign: Option<String>,

    /// Seconds one run of --on-foreign may take; then its process group is killed.
    #[arg(long, value_name = "SECONDS", default_value_t = HOOK_TIMEOUT_SECS,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub hook_timeout: u64,

    /// Another audit log whose posts count as postgate's (a CI runner's copy); repeatable.
    #[arg(long = "audit-log", value_name = "FILE")]
    pub audit_logs: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: KeysCommand,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create an ed25519 approval key in the keychain and print its public key for the policy.
    New(KeyName),
    /// Print the public key of a keychain approval key.
    Show(KeyName),
}

#[derive(Debug, Args)]
pub struct KeyName {
    /// The key's name; defaults to the OS user's name.
    pub name: Option<String>,
}

/// What a post is made of, for `post` and `plan`.
#[derive(Debug, Args)]
pub struct ContentArgs {
    /// Account name, as in the policy's `name`.
    #[arg(short, long, value_name = "NAME")]
    pub account: String,

    /// The post's text; `-` reads it from stdin. Without text or --file, a terminal opens
    /// $VISUAL or $EDITOR.
    #[arg(value_name = "TEXT", conflicts_with = "file")]
    pub text: Option<String>,

    /// Read the post's text from a file (`-` for stdin).
    #[arg(short, long, value_name = "PATH")]
    pub file: Option<PathBuf>,

    /// The post this one replies to: its id or its URL.
    #[arg(long, value_name = "ID|URL")]
    pub reply_to: Option<String>,

    /// The post's language (ISO 639, e.g. `fr`); defaults to the account's `language`.
    #[arg(long, value_name = "LANG")]
    pub language: Option<String>,

    /// A content warning shown before the post (Mastodon `spoiler_text`).
    #[arg(long, value_name = "TEXT")]
    pub cw: Option<String>,

    /// Who sees the post, where the platform has audiences; defaults to the account's
    /// `visibility`.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub visibility: Option<crate::account::Visibility>,

    /// Attach an image (.png, .jpg, .gif, .webp); repeat for several.
    #[arg(long, value_name = "PATH")]
    pub image: Vec<PathBuf>,

    /// The description of an image, for people who cannot see it; the first --alt goes with
    /// the first --image, and so on.
    #[arg(long, value_name = "TEXT")]
    pub alt: Vec<String>,
}

/// What every command that changes an account shares.
#[derive(Debug, Args)]
pub struct Guard {
    /// The handle of the target account, for scripts. Must match the policy's handle.
    #[arg(long, value_name = "HANDLE")]
    pub confirm_handle: Option<String>,

    /// Do everything except the change itself; the banner and the audit record say so.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct CorrectArgs {
    /// Account name, as in the policy's `name`.
    pub name: String,

    /// The post to correct: its id or URL.
    #[arg(value_name = "POST")]
    pub post: String,

    /// The corrected text; `-` reads it from stdin. Without text or --file, a terminal opens
    /// $VISUAL or $EDITOR.
    #[arg(value_name = "TEXT", conflicts_with = "file")]
    pub text: Option<String>,

    /// Read the corrected text from a file (`-` for stdin).
    #[arg(short, long, value_name = "PATH")]
    pub file: Option<PathBuf>,

    #[command(flatten)]
    pub guard: Guard,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Account name, as in the policy's `name`.
    pub name: String,

    /// The post to delete: its id or URL.
    #[arg(value_name = "POST")]
    pub post: String,

    /// Why the post is deleted; recorded in the audit log, never published.
    #[arg(long, value_name = "TEXT", required = true)]
    pub reason: String,

    #[command(flatten)]
    pub guard: Guard,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The account whose rules apply; a draft may name it in its front matter instead.
    #[arg(short, long, value_name = "NAME")]
    pub account: Option<String>,

    /// Draft files, or folders searched for .md and .txt drafts; `-` reads one draft from stdin.
    #[arg(value_name = "FILE|DIR|-", required = true)]
    pub paths: Vec<PathBuf>,

    /// Output format; the global --json is the same as --format json.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text, value_name = "FORMAT")]
    pub format: CheckFormat,

    /// Also judge quiet hours and the posting rate as of this time: `now`, or RFC 3339 like
    /// 2026-12-01T23:30:00+01:00. Without it, a draft's `publish_at` is used if it has one.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Account name, as in the policy's `name`.
    pub name: String,

    /// Read the secret from stdin instead of a hidden prompt (for scripts and password managers);
    /// one per line where the platform asks for several.
    #[arg(long)]
    pub secret_stdin: bool,

    /// X: take the address the browser was redirected to on stdin instead of listening for it
    /// (a machine with no browser).
    #[arg(long)]
    pub paste: bool,

    /// X: print the authorization address on stderr without opening a browser.
    #[arg(long)]
    pub no_browser: bool,

    /// X: store OAuth 1.0a keys (consumer key and secret, access token and secret), which do not
    /// expire: for CI runners.
    #[arg(long)]
    pub oauth1: bool,

    /// X and Facebook: store the app's own token beside the posting credential: on X the
    /// app-only bearer token `reconcile` reads with (`reconcile_credential = "app-bearer"`), on
    /// Facebook the app token `debug_token` checks the Page token with (`debug_token = true`).
    #[arg(long)]
    pub app_bearer: bool,
}

#[derive(Debug, Args)]
pub struct NameArg {
    /// Account name, as in the policy's `name`.
    pub name: String,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct LogArgs {
    #[command(subcommand)]
    pub command: Option<LogCommand>,

    /// Only records about this account.
    #[arg(long, value_name = "NAME")]
    pub account: Option<String>,

    /// Only records newer than this, like `24h`, `7d` or `90m`.
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Check the whole hash chain; exits non-zero at the first broken record.
    Verify,
    /// Move a torn last line (a write cut short) into a side file, and record that.
    Repair,
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub command: PolicyCommand,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Validate the policy and list its accounts.
    Check,
    /// Show the effective settings and rules of one account.
    Show(NameArg),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn there_is_no_yes_flag() {
        let err = Cli::try_parse_from(["postgate", "post", "-a", "demo", "--yes", "hi"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::UnknownArgument);
    }

    #[test]
    fn secrets_are_never_arguments() {
        let err = Cli::try_parse_from(["postgate", "login", "demo", "hunter2"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::UnknownArgument);
    }

    #[test]
    fn help_ends_with_the_exit_codes() {
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("Exit codes:"));
        assert!(help.contains("identity mismatch"));
    }
}
