//! The command line, and nothing else.

use crate::output::ColorChoice;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// How long a `reconcile --on-foreign` hook may run by default, in seconds (`--hook-timeout`).
pub const HOOK_TIMEOUT_SECS: u64 = 120;

/// The top-level help's and postgate(1)'s closing part; the subcommands' help points here
/// instead of repeating it.
static AFTER_HELP: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{EX_TOP}\n{}\nPolicy lookup: --policy, then $POSTGATE_POLICY, then $XDG_CONFIG_HOME/postgate/policy.toml, \
         then /etc/postgate/policy.toml (never the current directory).",
        crate::exit_codes::ExitCode::table()
    )
});

// Each subcommand's help ends with real invocations (accounts of the example policy.toml), and
// one line saying where the exit codes and the policy lookup are.

const EX_TOP: &str = "Examples:
  # A starter policy of your own, with demo accounts
  postgate init
  # Is the policy valid, and which accounts does it hold?
  postgate policy check
  # Post to init's demo account: the banner, then type its handle
  postgate post -a demo-official \"Bonjour\"
  # The page of one command
  postgate man queue publish | man -l -
";

macro_rules! examples {
    ($name:ident, $text:literal) => {
        const $name: &str = concat!(
            "Examples:\n",
            $text,
            "\nExit codes and where the policy is looked for: postgate --help."
        );
    };
}

// Lines stay within 80 columns, so that clap never wraps a command in the middle.
examples!(
    EX_INIT,
    "  postgate init                                  # ~/.config/postgate/policy.toml, with your approval key
  postgate init --force                          # replace it; the old one is kept as policy.toml.<time>.bak
  postgate --policy ops/policy.toml --json init --no-key
"
);
examples!(
    EX_POST,
    "  # At a terminal: the banner, then type the handle
  postgate post -a demo \"Le programme de la semaine\"
  # An image with its description; --dry-run stops before publishing
  postgate post -a demo --image affiche.png --alt \"L'affiche\" --dry-run \"Demain\"
  # In a script: no prompt, the handle is stated, the result is JSON
  postgate --json post -a demo --confirm-handle @demo_ministere --file post.txt
"
);
examples!(
    EX_CORRECT,
    "  # An edit with public history where the platform has one, else a reply
  postgate correct -a culture-gouv 1098765 \"L'exposition ouvre le 3 mai\"
  # The corrected text from a file
  postgate correct -a culture-bsky 3kabcdefg2k2a --file correction.txt
"
);
examples!(
    EX_DELETE,
    "  # Only where the account's policy sets allow_delete = true
  postgate delete -a demo 2026-12-01T09-00-00Z-ab12 --reason \"doublon\"
  postgate delete -a culture-gouv 1098765 --reason \"publié par erreur\"
"
);
examples!(
    EX_CHECK,
    "  # Every .md and .txt draft in the folder
  postgate check drafts/
  # Also judge quiet hours and the rate as of a time
  postgate check -a culture-gouv --at 2026-12-01T23:30:00+01:00 annonce.md
  echo \"Votez pour nous\" | postgate check -a demo -
"
);
examples!(
    EX_PLAN,
    "  # A reply, to be approved before it is applied
  postgate plan -a culture-gouv -o reponse.plan --reply-to 1098765 \"Merci…\"
  # A post for a given time, its text from a file
  postgate plan -a demo -o annonce.plan --publish-at 2026-12-01T09:00:00+01:00 \\
      --file annonce.txt
  # A correction of a published post
  postgate plan -a culture-gouv -o correction.plan --correct 1098765 \"Corrigé\"
"
);
examples!(
    EX_SIGN,
    "  # With your keychain key (postgate keys new)
  postgate sign queue/2026-12-01-expo.md
  # With an SSH key
  postgate sign queue/2026-12-01-expo.md --ssh-key ~/.ssh/id_ed25519
"
);
examples!(
    EX_APPROVE,
    "  # With your keychain key (postgate keys new)
  postgate approve reponse.plan
  postgate approve queue/2026-12-01-expo.md --ssh-key ~/.ssh/id_ed25519
  # In a script: sign only what you reviewed
  postgate --json approve reponse.plan --plan-hash sha256:…
"
);
examples!(
    EX_APPLY,
    "  postgate apply reponse.plan
  postgate apply reponse.plan --dry-run
  # In a script
  postgate --json apply annonce.plan --confirm-handle @demo_ministere
"
);
examples!(
    EX_QUEUE,
    "  # Pull requests: red until every item is approved
  postgate queue check queue/ --require-approved
  # On a schedule
  postgate queue publish queue/ --due --confirm-handle @demo_ministere
"
);
examples!(
    EX_QUEUE_CHECK,
    "  postgate queue check queue/
  # Red until every item is approved
  postgate queue check queue/ --require-approved
  # Each item's plan_hash and status
  postgate --json queue check queue/
"
);
examples!(
    EX_QUEUE_PUBLISH,
    "  postgate queue publish queue/ --due --confirm-handle @demo_ministere
  # A queue that publishes to two accounts
  postgate queue publish queue/ --due --confirm-handle @demo_ministere \\
      --confirm-handle @camille
  # A signed checkpoint of the audit log after the run, for the CI repository
  postgate queue publish queue/ --due --confirm-handle @demo_ministere \\
      --checkpoint witness/$(date +%F-%H%M).checkpoint --ssh-key ci_key
"
);
examples!(
    EX_KEYS,
    "  # A key named after you; paste the printed line into the policy
  postgate keys new
  postgate keys new astreinte
  postgate keys show
"
);
examples!(
    EX_PASSKEY_ENROLL,
    "  # On the approver's own machine: open the printed address, make the passkey
  postgate keys passkey enroll sg --origin http://localhost:8750
  # For a review page behind the organisation's HTTPS reverse proxy
  postgate keys passkey enroll sg --origin https://relecture.exemple.fr \\
      --listen 127.0.0.1:8750
"
);
examples!(
    EX_REVIEW,
    "  # The plans and queue items awaiting approval, on this machine
  postgate review serve reponse.plan queue/
  # Behind the organisation's HTTPS reverse proxy
  postgate review serve queue/ --origin https://relecture.exemple.fr
  # Served over HTTPS to other devices on the network
  postgate review serve queue/ --listen 0.0.0.0:8750 \\
      --origin https://relecture.exemple.fr:8750 --tls-cert cert.pem --tls-key key.pem
"
);
examples!(
    EX_LOCKDOWN,
    "  postgate lockdown -a culture-gouv --reason \"posts insultants depuis 23h\"
  postgate lockdown --all --reason \"identifiants divulgués\"
"
);
examples!(
    EX_UNLOCK,
    "  # An approver with the policy's unlock role signs
  postgate unlock -a demo --sign
  # Then anyone lifts the lock
  postgate unlock -a demo
  # In a script: sign only the lock you reviewed
  postgate unlock -a demo --sign --ssh-key ~/.ssh/id_ed25519 --lock-id sha256:…
"
);
examples!(
    EX_RECONCILE,
    "  # From cron every 5 minutes: exit 13 on a post postgate did not make
  postgate reconcile --all --since 15m
  # A CI runner's audit log counts as postgate's too
  postgate reconcile -a culture-gouv --since 7d --audit-log runner-audit.jsonl
  postgate reconcile --all --on-foreign 'mail -s \"post inconnu\" astreinte@exemple.fr'
  postgate reconcile --all --checkpoint witness/$(date +%F).checkpoint
"
);
examples!(
    EX_WHOAMI,
    "  postgate whoami -a culture-gouv
  postgate --json whoami -a culture-bsky
"
);
examples!(
    EX_LOGIN,
    "  # A hidden prompt for the token
  postgate login -a culture-gouv
  # From a password manager
  pass show culture/jeton | postgate login -a culture-gouv --secret-stdin
  # X: print the address to open instead of opening a browser
  postgate login -a culture-x --no-browser
"
);
examples!(
    EX_LOGOUT,
    "  postgate logout -a culture-gouv
"
);
examples!(
    EX_ACCOUNTS,
    "  postgate accounts
  postgate --json accounts
"
);
examples!(
    EX_LOG,
    "  postgate log --since 24h
  postgate log --account culture-gouv --since 7d
  postgate log verify
"
);
examples!(
    EX_LOG_VERIFY,
    "  postgate log verify
  postgate --json log verify
  postgate log verify --checkpoint witness/2026-12-02.checkpoint
"
);
examples!(
    EX_LOG_CHECKPOINT,
    "  postgate log checkpoint --output witness/2026-12-02.checkpoint
  postgate log checkpoint --ssh-key ~/.ssh/id_ed25519 > today.checkpoint
  postgate log verify --checkpoint witness/2026-12-02.checkpoint
"
);
examples!(
    EX_LOG_WHO,
    "  postgate log who https://social.example.org/@culture/111
  # A post a CI runner made: read its log too
  postgate --json log who 111 --audit-log runner-audit.jsonl
"
);
examples!(
    EX_LOG_STATS,
    "  postgate log stats
  postgate log stats --since 7d
  postgate --json log stats --since 2w
"
);
examples!(
    EX_LOG_REPAIR,
    "  postgate log repair
"
);
examples!(
    EX_POLICY,
    "  postgate policy check
  postgate --policy ops/policy.toml policy show -a culture-gouv
"
);
examples!(
    EX_POLICY_CHECK,
    "  postgate policy check
  postgate --policy ops/policy.toml --json policy check
"
);
examples!(
    EX_POLICY_SHOW,
    "  postgate policy show -a culture-gouv
"
);
examples!(
    EX_COMPLETIONS,
    "  postgate completions bash > ~/.local/share/bash-completion/completions/postgate
  postgate completions zsh > ~/.zfunc/_postgate
"
);
examples!(
    EX_STORE,
    "  # Once, as the database's owner: the tables, and the role every machine uses
  postgate store init --user owner --grant postgate
  # On each machine: the store's password, in the keychain
  postgate login --store
  # After an outage: send what waits
  postgate store sync
"
);

examples!(EX_STORE_INIT, "  postgate store init --user owner --grant postgate\n");

examples!(
    EX_STORE_SYNC,
    "  postgate store sync
  postgate --json store sync
"
);

examples!(
    EX_MAN,
    "  postgate man | man -l -
  postgate man queue publish | man -l -
  # Every page, for MANPATH or a package
  postgate man --dir ~/.local/share/man/man1
"
);

/// A guard for posting to official social-media accounts.
///
/// postgate shows which account will receive a post, makes a person type that account's
/// handle (or a script pass it with --confirm-handle), takes the credential from the OS
/// keychain, publishes once, and records every attempt in a tamper-evident audit log.
#[derive(Debug, Parser)]
#[command(name = "postgate", version, about, long_about, after_help = EX_TOP, after_long_help = AFTER_HELP.as_str())]
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
    /// Write a starter policy to the config folder: demo accounts, commented rules, you as approver.
    ///
    /// The file is `$XDG_CONFIG_HOME/postgate/policy.toml` (or `--policy FILE`); its path is
    /// printed on stdout. An existing file is never replaced without `--force`. Where a system
    /// policy (/etc/postgate/policy.toml) exists, it alone names approvers, so the starter
    /// policy lists none and prints your public key for its owners.
    #[command(after_help = EX_INIT)]
    Init(InitArgs),
    /// Publish a post after showing the banner and confirming the account.
    #[command(after_help = EX_POST)]
    Post(PostArgs),
    /// Correct a published post: an edit with public history (Mastodon; X with `correction = "edit"`), a reply (Bluesky, X).
    #[command(after_help = EX_CORRECT)]
    Correct(CorrectArgs),
    /// Delete a published post, where the account's policy allows it (allow_delete).
    #[command(after_help = EX_DELETE)]
    Delete(DeleteArgs),
    /// Check drafts against the policy's rules, like a prose linter (for pull-request jobs).
    ///
    /// Prints one line per finding, `file:line:col level rule message (suggestion)`, and exits
    /// with code 4 if any rule at level `deny` matched.
    #[command(after_help = EX_CHECK)]
    Check(CheckArgs),
    /// Write a plan: the post pinned down (text, images, account, window) for review.
    ///
    /// The plan file is TOML a person can read; `approve` signs it and `apply` publishes it
    /// exactly as written.
    #[command(after_help = EX_PLAN)]
    Plan(PlanArgs),
    /// Sign a plan or a queue item as its author (PLAN.author.sig), with a key the policy lists.
    ///
    /// A plan that needs approval counts approvals only from people other than its proven
    /// author; `plan` signs what it writes, `sign` signs a queue item or signs a plan again.
    #[command(after_help = EX_SIGN)]
    Sign(SignArgs),
    /// Sign a plan or a queue item as one of the policy's approvers.
    #[command(after_help = EX_APPROVE)]
    Approve(ApproveArgs),
    /// Publish a plan exactly as approved, after checking everything again.
    #[command(after_help = EX_APPLY)]
    Apply(ApplyArgs),
    /// A folder of prepared posts: check it on pull requests, publish what is due on a schedule.
    #[command(after_help = EX_QUEUE)]
    Queue(QueueArgs),
    /// Approval keys kept in the OS keychain, and approvers' passkeys.
    #[command(after_help = EX_KEYS)]
    Keys(KeysArgs),
    /// Web pages where approvers review plans and approve them with a passkey.
    #[command(after_help = EX_REVIEW)]
    Review(ReviewArgs),
    /// Stop an account now: lock it, revoke its credential at the platform, clear the keychain.
    ///
    /// Every later `post`, `correct`, `delete`, `apply` and `queue publish` to a locked account
    /// is refused (exit 12) with the reason, who locked it and when, until an approver signs
    /// `unlock`.
    #[command(after_help = EX_LOCKDOWN)]
    Lockdown(LockdownArgs),
    /// Lift a lockdown on an approver's signature; a new `login` is then required.
    #[command(after_help = EX_UNLOCK)]
    Unlock(UnlockArgs),
    /// List an account's recent posts on the platform and report those postgate did not make.
    ///
    /// Exits 13 when it finds one, so a cron job every 5 minutes raises the alarm.
    #[command(after_help = EX_RECONCILE)]
    Reconcile(ReconcileArgs),
    /// Show who the platform says an account's credential belongs to, next to the policy.
    #[command(after_help = EX_WHOAMI)]
    Whoami(NameArg),
    /// Store an account's credential in the OS keychain, once the platform says whose it is: a secret from a hidden prompt or stdin, X's OAuth sign-in in the browser, or Facebook's token exchange (`app_id`).
    #[command(after_help = EX_LOGIN)]
    Login(LoginArgs),
    /// Remove an account's secret from the keychain.
    #[command(after_help = EX_LOGOUT)]
    Logout(NameArg),
    /// List the policy's accounts and the state of their credentials.
    #[command(after_help = EX_ACCOUNTS)]
    Accounts,
    /// List or verify the audit log.
    #[command(after_help = EX_LOG)]
    Log(LogArgs),
    /// The team's shared store ([audit.shared]): create its schema, send the records that wait.
    #[command(after_help = EX_STORE)]
    Store(StoreArgs),
    /// Validate and inspect the policy.
    #[command(after_help = EX_POLICY)]
    Policy(PolicyArgs),
    /// Print a shell completion script.
    #[command(after_help = EX_COMPLETIONS)]
    Completions(CompletionsArgs),
    /// Print a man page (roff) on stdout, or write every page into a folder.
    ///
    /// `postgate man` is postgate(1), the page that lists every command; `postgate man queue
    /// publish` is postgate-queue-publish(1); `postgate man --dir DIR` writes them all, one file
    /// per command, as packagers and `MANPATH` expect.
    #[command(after_help = EX_MAN)]
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Replace an existing policy, keeping it beside the new one as `policy.toml.<time>.bak`.
    #[arg(long)]
    pub force: bool,

    /// The keychain approval key to list as yours (made if missing); defaults to the OS user's name.
    #[arg(long, value_name = "NAME")]
    pub key: Option<String>,

    /// List this SSH public key as yours instead of a keychain key (`unlock --sign --ssh-key`).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["key", "no_key"])]
    pub ssh_key: Option<PathBuf>,

    /// Do not touch the keychain: the approver entry is left commented, with the command to run
    /// (`keys new NAME`, NAME from --key).
    #[arg(long)]
    pub no_key: bool,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print, as typed after `postgate` (`queue publish`).
    #[arg(value_name = "COMMAND", conflicts_with = "dir")]
    pub command: Vec<String>,

    /// Write every page (postgate.1, postgate-post.1, …) into this folder, creating it.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
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
    #[command(after_help = EX_QUEUE_CHECK)]
    Check(QueueCheckArgs),
    /// Publish every due, approved item once, in order (for scheduled jobs).
    #[command(after_help = EX_QUEUE_PUBLISH)]
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

    /// Everything but the publish, for each due item: banner, checks, approvals, confirmation,
    /// a `dry-run` audit record; nothing is sent and a later run still publishes.
    #[arg(long)]
    pub dry_run: bool,

    /// At the end of the run, sign a checkpoint of the audit log (`log checkpoint`) and write
    /// it to this file, never over an existing one: a witness trail for the CI repository.
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,

    #[command(flatten)]
    pub checkpoint_key: CheckpointKeyArgs,
}

#[derive(Debug, Args)]
pub struct LockdownArgs {
    /// The accounts to lock (or -a NAME, repeatable).
    #[arg(value_name = "NAME", required_unless_present_any = ["all", "account"], conflicts_with = "all")]
    pub names: Vec<String>,

    /// An account to lock, as in the policy's `name`; repeat for several.
    #[arg(short, long = "account", value_name = "NAME", conflicts_with = "all")]
    pub account: Vec<String>,

    /// Lock every account in the policy.
    #[arg(long)]
    pub all: bool,

    /// Why: kept in the lock, the audit log and every refusal it causes.
    #[arg(long, value_name = "TEXT", required = true)]
    pub reason: String,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["name", "account"])))]
pub struct UnlockArgs {
    /// The locked account (or -a NAME).
    #[arg(value_name = "NAME")]
    name: Option<String>,

    /// The locked account, as in the policy's `name`.
    #[arg(short, long, value_name = "NAME")]
    account: Option<String>,

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
    /// The accounts to check (or -a NAME, repeatable).
    #[arg(value_name = "NAME", required_unless_present_any = ["all", "account"], conflicts_with = "all")]
    pub names: Vec<String>,

    /// An account to check, as in the policy's `name`; repeat for several.
    #[arg(short, long = "account", value_name = "NAME", conflicts_with = "all")]
    pub account: Vec<String>,

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

    /// At the end of the run, sign a checkpoint of the audit log (`log checkpoint`) and write
    /// it to this file, never over an existing one: a witness trail for the CI repository.
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,

    #[command(flatten)]
    pub checkpoint_key: CheckpointKeyArgs,
}

#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: KeysCommand,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create an ed25519 approval key in the keychain and print its public key for the policy.
    #[command(after_help = EX_KEYS)]
    New(KeyName),
    /// Print the public key of a keychain approval key.
    #[command(after_help = EX_KEYS)]
    Show(KeyName),
    /// Approvers' passkeys, for the review page.
    #[command(after_help = EX_PASSKEY_ENROLL)]
    Passkey(PasskeyArgs),
}

#[derive(Debug, Args)]
pub struct PasskeyArgs {
    #[command(subcommand)]
    pub command: PasskeyCommand,
}

#[derive(Debug, Subcommand)]
pub enum PasskeyCommand {
    /// Serve a one-time page where an approver makes a passkey, then print its [[approvers]] entry.
    ///
    /// The approver opens the printed address on the device that keeps the passkey (a phone,
    /// a laptop). The entry is printed on stdout once the passkey is made; it counts only once
    /// it is in the policy, through a reviewed change.
    #[command(after_help = EX_PASSKEY_ENROLL)]
    Enroll(PasskeyEnrollArgs),
}

#[derive(Debug, Args)]
pub struct PasskeyEnrollArgs {
    /// The approver's name, as in [[approvers]].
    #[arg(value_name = "NAME")]
    pub name: String,

    /// The review page's origin the passkey will approve on: https://HOST[:PORT], or
    /// http://localhost:PORT on the approver's own machine.
    #[arg(long, value_name = "URL")]
    pub origin: String,

    /// The relying party id; by default the origin's host.
    #[arg(long, value_name = "DOMAIN")]
    pub rp_id: Option<String>,

    /// Where to listen; by default 127.0.0.1 and the origin's port.
    #[arg(long, value_name = "HOST:PORT")]
    pub listen: Option<String>,

    #[command(flatten)]
    pub tls: TlsArgs,
}

#[derive(Debug, Args)]
pub struct TlsArgs {
    /// Serve HTTPS with this PEM certificate chain (with --tls-key).
    #[arg(long, value_name = "PATH", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "PATH", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(subcommand)]
    pub command: ReviewCommand,
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Serve the plans awaiting approval as web pages, approved with the approvers' passkeys.
    ///
    /// Only the plans and queue folders named are served. An approval is checked here exactly
    /// as `apply` checks it, then written beside the plan as PLAN.APPROVER.webauthn.json.
    /// Prints the address on stdout; stops on Ctrl-C.
    #[command(after_help = EX_REVIEW)]
    Serve(ReviewServeArgs),
}

#[derive(Debug, Args)]
pub struct ReviewServeArgs {
    /// Plan files and queue folders to serve.
    #[arg(value_name = "PLAN|QUEUE_DIR", required = true)]
    pub sources: Vec<PathBuf>,

    /// Where to listen.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8750")]
    pub listen: String,

    /// The origin approvers open, as their passkeys name it; by default http://localhost:PORT
    /// (https with --tls-cert).
    #[arg(long, value_name = "URL")]
    pub origin: Option<String>,

    #[command(flatten)]
    pub tls: TlsArgs,
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
#[command(override_usage = "postgate correct -a <NAME> <POST> [TEXT]\n       postgate correct <NAME> <POST> [TEXT]")]
pub struct CorrectArgs {
    /// Account name, as in the policy's `name`.
    #[arg(short, long, value_name = "NAME")]
    pub account: Option<String>,

    /// The post to correct (its id or URL), then the corrected text; without -a, the account
    /// name comes first. A text of `-` reads it from stdin; without text or --file, a terminal
    /// opens $VISUAL or $EDITOR.
    #[arg(value_name = "POST", num_args = 1..=3, required = true)]
    pub words: Vec<String>,

    /// Read the corrected text from a file (`-` for stdin).
    #[arg(short, long, value_name = "PATH")]
    pub file: Option<PathBuf>,

    #[command(flatten)]
    pub guard: Guard,
}

#[derive(Debug, Args)]
#[command(
    override_usage = "postgate delete -a <NAME> <POST> --reason <TEXT>\n       postgate delete <NAME> <POST> --reason <TEXT>"
)]
pub struct DeleteArgs {
    /// Account name, as in the policy's `name`.
    #[arg(short, long, value_name = "NAME")]
    pub account: Option<String>,

    /// The post to delete (its id or URL); without -a, the account name comes first.
    #[arg(value_name = "POST", num_args = 1..=2, required = true)]
    pub words: Vec<String>,

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
#[command(group(clap::ArgGroup::new("which").required(true).args(["name", "account", "store"])))]
pub struct LoginArgs {
    /// Account name, as in the policy's `name` (or -a NAME).
    #[arg(value_name = "NAME")]
    name: Option<String>,

    /// Account name, as in the policy's `name`.
    #[arg(short, long, value_name = "NAME")]
    account: Option<String>,

    /// Read the secret from stdin instead of a hidden prompt (for scripts and password managers);
    /// one per line where the platform asks for several.
    #[arg(long)]
    pub secret_stdin: bool,

    /// Store the password of the shared store ([audit.shared]) instead of an account's
    /// credential, once the store accepts it.
    #[arg(long)]
    pub store: bool,

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
#[command(group(clap::ArgGroup::new("which").required(true).args(["name", "account"])))]
pub struct NameArg {
    /// Account name, as in the policy's `name` (or -a NAME).
    #[arg(value_name = "NAME")]
    name: Option<String>,

    /// Account name, as in the policy's `name`.
    #[arg(short, long, value_name = "NAME")]
    account: Option<String>,
}

/// The commands that name one account take it as `-a NAME` or, as they always have, as their
/// first word; clap's group makes exactly one of the two present.
macro_rules! one_account {
    ($($args:ty),*) => {$(
        impl $args {
            /// The account named on the command line.
            pub fn name(&self) -> &str {
                self.account.as_deref().or(self.name.as_deref()).unwrap_or_default()
            }
        }
    )*};
}
one_account!(NameArg, LoginArgs, UnlockArgs);

impl LockdownArgs {
    /// The accounts named, positional and `-a` together, in the order given.
    pub fn names(&self) -> impl Iterator<Item = &String> {
        self.names.iter().chain(&self.account)
    }
}

impl ReconcileArgs {
    /// The accounts named, positional and `-a` together, in the order given.
    pub fn names(&self) -> impl Iterator<Item = &String> {
        self.names.iter().chain(&self.account)
    }
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
    #[command(after_help = EX_LOG_VERIFY)]
    Verify(LogVerifyArgs),
    /// Sign the log's size and head hash with an approval key, as a checkpoint others keep.
    #[command(after_help = EX_LOG_CHECKPOINT)]
    Checkpoint(LogCheckpointArgs),
    /// Move a torn last line (a write cut short) into a side file, and record that.
    #[command(after_help = EX_LOG_REPAIR)]
    Repair,
    /// Who published a post and how: the attempt's trail, then its corrections and deletion.
    #[command(after_help = EX_LOG_WHO)]
    Who(WhoArgs),
    /// What approvals cost, per account: posts, refusals by rule, corrections, deletions, and
    /// the median and 90th percentile of the time from plan to last approval and on to publish.
    #[command(after_help = EX_LOG_STATS)]
    Stats(LogStatsArgs),
}

#[derive(Debug, Args)]
pub struct LogStatsArgs {
    /// Only what happened in this last stretch of time, like `30d`, `12h` or `2w`.
    #[arg(long, value_name = "DURATION", default_value = "30d")]
    pub since: String,
}

#[derive(Debug, Args)]
pub struct WhoArgs {
    /// The post's id or URL (a trailing `/` or a `www.` aside, it must match exactly).
    #[arg(value_name = "URL|ID")]
    pub post: String,

    /// Another machine's audit log to read too (a CI runner's copy); repeatable.
    #[arg(long = "audit-log", value_name = "FILE")]
    pub audit_logs: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct StoreArgs {
    #[command(subcommand)]
    pub command: StoreCommand,
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Create the store's tables (as the database's owner) and grant ROLE INSERT and SELECT on
    /// them; prints the SQL it ran.
    #[command(after_help = EX_STORE_INIT)]
    Init(StoreInitArgs),
    /// Send the records of this machine's log that the store does not have yet.
    #[command(after_help = EX_STORE_SYNC)]
    Sync,
}

#[derive(Debug, Args)]
pub struct StoreInitArgs {
    /// The role postgate connects as on every machine; it gets INSERT and SELECT, nothing more.
    #[arg(long, value_name = "ROLE", default_value = "postgate")]
    pub grant: String,

    /// Connect as this user (the database's owner) instead of the url's; its password comes from
    /// the same places (keychain, .pgpass, `password_env`).
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
}

#[derive(Debug, Args)]
pub struct LogVerifyArgs {
    /// Also check a signed checkpoint: the log still holds its head at its size, and its
    /// signature is by one of the policy's approvers.
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,

    /// Also check the shared store: every machine's chain complete and linked, and this
    /// machine's file and chain in agreement.
    #[arg(long)]
    pub store: bool,
}

/// The key a checkpoint is signed with, and where it goes.
#[derive(Debug, Args)]
pub struct CheckpointKeyArgs {
    /// The keychain approval key to sign the checkpoint with; defaults to the OS user's name.
    #[arg(long, value_name = "NAME", conflicts_with = "ssh_key")]
    pub key: Option<String>,

    /// Sign the checkpoint with an SSH key through ssh-keygen.
    #[arg(long, value_name = "PATH")]
    pub ssh_key: Option<PathBuf>,
}

impl CheckpointKeyArgs {
    /// A key given for a checkpoint nobody asked for would be silently ignored: a usage error.
    fn only_with(&self, checkpoint: Option<&Path>) -> Result<(), String> {
        let named = if self.key.is_some() {
            "--key"
        } else if self.ssh_key.is_some() {
            "--ssh-key"
        } else {
            return Ok(());
        };
        match checkpoint {
            Some(_) => Ok(()),
            None => Err(format!("{named} signs a checkpoint: give --checkpoint FILE too")),
        }
    }
}

#[derive(Debug, Args)]
pub struct LogCheckpointArgs {
    #[command(flatten)]
    pub signer: CheckpointKeyArgs,

    /// Write the checkpoint to this file (never over an existing one) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub command: PolicyCommand,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Validate the policy and list its accounts.
    #[command(after_help = EX_POLICY_CHECK)]
    Check,
    /// Show the effective settings and rules of one account.
    #[command(after_help = EX_POLICY_SHOW)]
    Show(NameArg),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// What `correct` and `delete` were given once the two forms are told apart.
#[derive(Debug, PartialEq, Eq)]
pub struct Target<'a> {
    pub account: &'a str,
    pub post: &'a str,
    pub text: Option<&'a str>,
}

/// Splits `[NAME] POST [TEXT]`: with `-a`, the words start at the post. `most` is how many
/// words may follow the post (1 for the text of `correct`, 0 for `delete`).
fn target<'a>(account: Option<&'a str>, words: &'a [String], most: usize) -> Result<Target<'a>, String> {
    let (account, rest) = match account {
        Some(a) => (a, words),
        None => match words.split_first() {
            Some((a, rest)) => (a.as_str(), rest),
            None => return Err("name the account with -a NAME".into()),
        },
    };
    match rest {
        [] => Err(format!(
            "which post of `{account}`? give its id or URL after the account"
        )),
        [post, more @ ..] if more.len() <= most => Ok(Target {
            account,
            post,
            text: more.first().map(String::as_str),
        }),
        [_, more @ ..] => Err(format!(
            "unexpected `{}`: {}",
            more[most],
            if most == 0 {
                "delete takes the account and the post only (the reason goes in --reason)"
            } else {
                "put the whole text in one argument (quote it), or use --file"
            }
        )),
    }
}

impl CorrectArgs {
    pub fn target(&self) -> Result<Target<'_>, String> {
        let t = target(self.account.as_deref(), &self.words, 1)?;
        if t.text.is_some() && self.file.is_some() {
            return Err("give the corrected text either as an argument or with --file, not both".into());
        }
        Ok(t)
    }
}

impl DeleteArgs {
    pub fn target(&self) -> Result<Target<'_>, String> {
        target(self.account.as_deref(), &self.words, 0)
    }
}

impl Cli {
    /// Checks what clap cannot express (the two forms of `correct` and `delete`), so that a
    /// command line is refused as a usage error before anything runs.
    pub fn validate(&self) -> Result<(), String> {
        match &self.command {
            Command::Correct(a) => a.target().map(drop),
            Command::Delete(a) => a.target().map(drop),
            Command::Reconcile(a) => a.checkpoint_key.only_with(a.checkpoint.as_deref()),
            Command::Queue(q) => match &q.command {
                QueueCommand::Publish(a) => a.checkpoint_key.only_with(a.checkpoint.as_deref()),
                QueueCommand::Check(_) => Ok(()),
            },
            _ => Ok(()),
        }
    }
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
    fn a_checkpoint_key_without_a_checkpoint_is_a_usage_error() {
        let cli = Cli::try_parse_from(["postgate", "reconcile", "--all", "--ssh-key", "k"]).unwrap();
        assert!(cli.validate().unwrap_err().contains("--checkpoint FILE"));
        let cli = Cli::try_parse_from(["postgate", "queue", "publish", "q", "--due", "--key", "sg"]).unwrap();
        assert!(cli.validate().unwrap_err().contains("--key signs a checkpoint"));
        let cli =
            Cli::try_parse_from(["postgate", "reconcile", "--all", "--ssh-key", "k", "--checkpoint", "c"]).unwrap();
        assert!(cli.validate().is_ok());
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

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn correct_and_delete_take_the_account_either_way() {
        let w = words(&["demo", "123", "new text"]);
        assert_eq!(
            target(None, &w, 1),
            Ok(Target {
                account: "demo",
                post: "123",
                text: Some("new text")
            })
        );
        let w = words(&["123", "new text"]);
        assert_eq!(
            target(Some("demo"), &w, 1),
            Ok(Target {
                account: "demo",
                post: "123",
                text: Some("new text")
            })
        );
        let w = words(&["123"]);
        assert_eq!(
            target(Some("demo"), &w, 0),
            Ok(Target {
                account: "demo",
                post: "123",
                text: None
            })
        );
        assert!(target(None, &w, 0).unwrap_err().contains("which post"));
        let w = words(&["demo", "123", "extra"]);
        assert!(target(None, &w, 0).unwrap_err().contains("unexpected `extra`"));
        let w = words(&["123", "a", "b"]);
        assert!(target(Some("demo"), &w, 1).unwrap_err().contains("unexpected `b`"));
    }

    #[test]
    fn every_account_command_takes_dash_a() {
        for line in [
            &["postgate", "correct", "-a", "demo", "1", "t"][..],
            &["postgate", "delete", "-a", "demo", "1", "--reason", "r"],
            &["postgate", "login", "-a", "demo"],
            &["postgate", "logout", "--account", "demo"],
            &["postgate", "whoami", "-a", "demo"],
            &["postgate", "lockdown", "-a", "demo", "--reason", "r"],
            &["postgate", "unlock", "-a", "demo"],
            &["postgate", "reconcile", "-a", "demo"],
            &["postgate", "policy", "show", "-a", "demo"],
        ] {
            let cli = Cli::try_parse_from(line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
            assert_eq!(cli.validate(), Ok(()), "{line:?}");
        }
        for line in [
            &["postgate", "login"][..],
            &["postgate", "login", "demo", "-a", "demo"],
            &["postgate", "lockdown", "--reason", "r"],
            &["postgate", "lockdown", "--all", "-a", "demo", "--reason", "r"],
        ] {
            assert!(Cli::try_parse_from(line).is_err(), "{line:?} parsed");
        }
    }

    #[test]
    fn subcommand_help_gives_examples_not_the_exit_codes() {
        fn walk(cmd: &mut clap::Command, checked: &mut usize) {
            for sub in cmd.get_subcommands_mut().filter(|s| s.get_name() != "help") {
                let help = sub.render_long_help().to_string();
                assert!(help.contains("Examples:"), "{} has no examples", sub.get_name());
                assert!(
                    !help.contains("Exit codes:"),
                    "{} repeats the exit codes",
                    sub.get_name()
                );
                *checked += 1;
                walk(sub, checked);
            }
        }
        let mut top = Cli::command();
        top.build();
        let mut checked = 0;
        walk(&mut top, &mut checked);
        assert!(checked > 25, "only {checked} commands");
    }

    #[test]
    fn help_ends_with_the_exit_codes() {
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("Exit codes:"));
        assert!(help.contains("identity mismatch"));
    }
}
