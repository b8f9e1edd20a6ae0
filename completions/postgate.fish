# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_postgate_global_optspecs
    string join \n policy= json color= h/help V/version
end

function __fish_postgate_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_postgate_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_postgate_using_subcommand
    set -l cmd (__fish_postgate_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c postgate -n "__fish_postgate_needs_command" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_needs_command" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_needs_command" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c postgate -n "__fish_postgate_needs_command" -s V -l version -d 'Print version'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "init" -d 'Write a starter policy to the config folder: demo accounts, commented rules, you as approver'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "post" -d 'Publish a post after showing the banner and confirming the account'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "correct" -d 'Correct a published post: an edit with public history (Mastodon; X with `correction = "edit"`), a reply (Bluesky, X)'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "delete" -d 'Delete a published post, where the account\'s policy allows it (allow_delete)'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "check" -d 'Check drafts against the policy\'s rules, like a prose linter (for pull-request jobs)'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "plan" -d 'Write a plan: the post pinned down (text, images, account, window) for review'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "sign" -d 'Sign a plan or a queue item as its author (PLAN.author.sig), with a key the policy lists'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "approve" -d 'Sign a plan or a queue item as one of the policy\'s approvers'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "apply" -d 'Publish a plan exactly as approved, after checking everything again'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "queue" -d 'A folder of prepared posts: check it on pull requests, publish what is due on a schedule'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "keys" -d 'Approval keys kept in the OS keychain, and approvers\' passkeys'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "review" -d 'Web pages where approvers review plans and approve them with a passkey'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "lockdown" -d 'Stop an account now: lock it, revoke its credential at the platform, clear the keychain'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "unlock" -d 'Lift a lockdown on an approver\'s signature; a new `login` is then required'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "reconcile" -d 'List an account\'s recent posts on the platform and report those postgate did not make'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "whoami" -d 'Show who the platform says an account\'s credential belongs to, next to the policy'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "login" -d 'Store an account\'s credential in the OS keychain, once the platform says whose it is: a secret from a hidden prompt or stdin, X\'s OAuth sign-in in the browser, or Facebook\'s token exchange (`app_id`)'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "logout" -d 'Remove an account\'s secret from the keychain'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "accounts" -d 'List the policy\'s accounts and the state of their credentials'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "log" -d 'List or verify the audit log'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "store" -d 'The team\'s shared store ([audit.shared]): create its schema, send the records that wait'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "policy" -d 'Validate and inspect the policy'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "man" -d 'Print a man page (roff) on stdout, or write every page into a folder'
complete -c postgate -n "__fish_postgate_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c postgate -n "__fish_postgate_using_subcommand init" -l key -d 'The keychain approval key to list as yours (made if missing); defaults to the OS user\'s name' -r
complete -c postgate -n "__fish_postgate_using_subcommand init" -l ssh-key -d 'List this SSH public key as yours instead of a keychain key (`unlock --sign --ssh-key`)' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand init" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand init" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand init" -l force -d 'Replace an existing policy, keeping it beside the new one as `policy.toml.<time>.bak`'
complete -c postgate -n "__fish_postgate_using_subcommand init" -l no-key -d 'Do not touch the keychain: the approver entry is left commented, with the command to run (`keys new NAME`, NAME from --key)'
complete -c postgate -n "__fish_postgate_using_subcommand init" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c postgate -n "__fish_postgate_using_subcommand post" -s a -l account -d 'Account name, as in the policy\'s `name`' -r
complete -c postgate -n "__fish_postgate_using_subcommand post" -s f -l file -d 'Read the post\'s text from a file (`-` for stdin)' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand post" -l reply-to -d 'The post this one replies to: its id or its URL' -r
complete -c postgate -n "__fish_postgate_using_subcommand post" -l language -d 'The post\'s language (ISO 639, e.g. `fr`); defaults to the account\'s `language`' -r
complete -c postgate -n "__fish_postgate_using_subcommand post" -l cw -d 'A content warning shown before the post (Mastodon `spoiler_text`)' -r
complete -c postgate -n "__fish_postgate_using_subcommand post" -l visibility -d 'Who sees the post, where the platform has audiences; defaults to the account\'s `visibility`' -r -f -a "public\t''
unlisted\t''
private\t''
direct\t''"
complete -c postgate -n "__fish_postgate_using_subcommand post" -l image -d 'Attach an image (.png, .jpg, .gif, .webp); repeat for several' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand post" -l alt -d 'The description of an image, for people who cannot see it; the first --alt goes with the first --image, and so on' -r
complete -c postgate -n "__fish_postgate_using_subcommand post" -l confirm-handle -d 'The handle of the target account, for scripts. Must match the policy\'s handle' -r
complete -c postgate -n "__fish_postgate_using_subcommand post" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand post" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand post" -l dry-run -d 'Do everything except the change itself; the banner and the audit record say so'
complete -c postgate -n "__fish_postgate_using_subcommand post" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand post" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand correct" -s a -l account -d 'Account name, as in the policy\'s `name`' -r
complete -c postgate -n "__fish_postgate_using_subcommand correct" -s f -l file -d 'Read the corrected text from a file (`-` for stdin)' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand correct" -l confirm-handle -d 'The handle of the target account, for scripts. Must match the policy\'s handle' -r
complete -c postgate -n "__fish_postgate_using_subcommand correct" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand correct" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand correct" -l dry-run -d 'Do everything except the change itself; the banner and the audit record say so'
complete -c postgate -n "__fish_postgate_using_subcommand correct" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand correct" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand delete" -s a -l account -d 'Account name, as in the policy\'s `name`' -r
complete -c postgate -n "__fish_postgate_using_subcommand delete" -l reason -d 'Why the post is deleted; recorded in the audit log, never published' -r
complete -c postgate -n "__fish_postgate_using_subcommand delete" -l confirm-handle -d 'The handle of the target account, for scripts. Must match the policy\'s handle' -r
complete -c postgate -n "__fish_postgate_using_subcommand delete" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand delete" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand delete" -l dry-run -d 'Do everything except the change itself; the banner and the audit record say so'
complete -c postgate -n "__fish_postgate_using_subcommand delete" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand delete" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand check" -s a -l account -d 'The account whose rules apply; a draft may name it in its front matter instead' -r
complete -c postgate -n "__fish_postgate_using_subcommand check" -l format -d 'Output format; the global --json is the same as --format json' -r -f -a "text\t''
json\t''"
complete -c postgate -n "__fish_postgate_using_subcommand check" -l at -d 'Also judge quiet hours and the posting rate as of this time: `now`, or RFC 3339 like 2026-12-01T23:30:00+01:00. Without it, a draft\'s `publish_at` is used if it has one' -r
complete -c postgate -n "__fish_postgate_using_subcommand check" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand check" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand check" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c postgate -n "__fish_postgate_using_subcommand plan" -s a -l account -d 'Account name, as in the policy\'s `name`' -r
complete -c postgate -n "__fish_postgate_using_subcommand plan" -s f -l file -d 'Read the post\'s text from a file (`-` for stdin)' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand plan" -l reply-to -d 'The post this one replies to: its id or its URL' -r
complete -c postgate -n "__fish_postgate_using_subcommand plan" -l language -d 'The post\'s language (ISO 639, e.g. `fr`); defaults to the account\'s `language`' -r
complete -c postgate -n "__fish_postgate_using_subcommand plan" -l cw -d 'A content warning shown before the post (Mastodon `spoiler_text`)' -r
complete -c postgate -n "__fish_postgate_using_subcommand plan" -l visibility -d 'Who sees the post, where the platform has audiences; defaults to the account\'s `visibility`' -r -f -a "public\t''
unlisted\t''
private\t''
direct\t''"
complete -c postgate -n "__fish_postgate_using_subcommand plan" -l image -d 'Attach an image (.png, .jpg, .gif, .webp); repeat for several' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand plan" -l alt -d 'The description of an image, for people who cannot see it; the first --alt goes with the first --image, and so on' -r
complete -c postgate -n "__fish_postgate_using_subcommand plan" -l publish-at -d 'Not to be published before this time (RFC 3339 with its offset)' -r
complete -c postgate -n "__fish_postgate_using_subcommand plan" -l expires -d 'Not to be published from this time on (RFC 3339); defaults to a week after --publish-at, or after now' -r
complete -c postgate -n "__fish_postgate_using_subcommand plan" -l correct -d 'Plan a correction of this published post (id or URL) instead of a new post' -r
complete -c postgate -n "__fish_postgate_using_subcommand plan" -s o -l output -d 'Where to write the plan' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand plan" -l key -d 'The keychain key to sign the plan with as its author (`postgate keys new`); defaults to the OS user\'s name. A plan that needs approval is always signed by its author' -r
complete -c postgate -n "__fish_postgate_using_subcommand plan" -l ssh-key -d 'Sign the plan as its author with an SSH key through ssh-keygen' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand plan" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand plan" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand plan" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand plan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c postgate -n "__fish_postgate_using_subcommand sign" -l key -d 'The keychain key to sign with (`postgate keys new`); defaults to the OS user\'s name' -r
complete -c postgate -n "__fish_postgate_using_subcommand sign" -l ssh-key -d 'Sign with an SSH key through ssh-keygen (a private key file, or a .pub with the key in ssh-agent)' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand sign" -l plan-hash -d 'For scripts: the plan_hash of what you wrote; signing goes ahead only if it matches' -r
complete -c postgate -n "__fish_postgate_using_subcommand sign" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand sign" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand sign" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand sign" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c postgate -n "__fish_postgate_using_subcommand approve" -l key -d 'The keychain key to sign with (`postgate keys new`); defaults to the OS user\'s name' -r
complete -c postgate -n "__fish_postgate_using_subcommand approve" -l ssh-key -d 'Sign with an SSH key through ssh-keygen (a private key file, or a .pub with the key in ssh-agent)' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand approve" -l plan-hash -d 'For scripts: the plan_hash you reviewed; signing goes ahead only if it matches' -r
complete -c postgate -n "__fish_postgate_using_subcommand approve" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand approve" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand approve" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand approve" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand apply" -l confirm-handle -d 'The handle of the target account, for scripts. Must match the policy\'s handle' -r
complete -c postgate -n "__fish_postgate_using_subcommand apply" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand apply" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand apply" -l dry-run -d 'Do everything except the change itself; the banner and the audit record say so'
complete -c postgate -n "__fish_postgate_using_subcommand apply" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand apply" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand queue; and not __fish_seen_subcommand_from check publish help" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand queue; and not __fish_seen_subcommand_from check publish help" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand queue; and not __fish_seen_subcommand_from check publish help" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand queue; and not __fish_seen_subcommand_from check publish help" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand queue; and not __fish_seen_subcommand_from check publish help" -f -a "check" -d 'Lint every item and its approvals, like `check` (for pull-request jobs)'
complete -c postgate -n "__fish_postgate_using_subcommand queue; and not __fish_seen_subcommand_from check publish help" -f -a "publish" -d 'Publish every due, approved item once, in order (for scheduled jobs)'
complete -c postgate -n "__fish_postgate_using_subcommand queue; and not __fish_seen_subcommand_from check publish help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c postgate -n "__fish_postgate_using_subcommand queue; and __fish_seen_subcommand_from check" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand queue; and __fish_seen_subcommand_from check" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand queue; and __fish_seen_subcommand_from check" -l require-approved -d 'Fail (exit 11) when an item lacks the approvals it needs, not only when a signature is bad'
complete -c postgate -n "__fish_postgate_using_subcommand queue; and __fish_seen_subcommand_from check" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand queue; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand queue; and __fish_seen_subcommand_from publish" -l confirm-handle -d 'The handle of an account the queue publishes to; repeat for each account' -r
complete -c postgate -n "__fish_postgate_using_subcommand queue; and __fish_seen_subcommand_from publish" -l checkpoint -d 'At the end of the run, sign a checkpoint of the audit log (`log checkpoint`) and write it to this file, never over an existing one: a witness trail for the CI repository' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand queue; and __fish_seen_subcommand_from publish" -l key -d 'The keychain approval key to sign the checkpoint with; defaults to the OS user\'s name' -r
complete -c postgate -n "__fish_postgate_using_subcommand queue; and __fish_seen_subcommand_from publish" -l ssh-key -d 'Sign the checkpoint with an SSH key through ssh-keygen' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand queue; and __fish_seen_subcommand_from publish" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand queue; and __fish_seen_subcommand_from publish" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand queue; and __fish_seen_subcommand_from publish" -l due -d 'Publish the items whose time has come (required: publishing is never implied)'
complete -c postgate -n "__fish_postgate_using_subcommand queue; and __fish_seen_subcommand_from publish" -l dry-run -d 'Everything but the publish, for each due item: banner, checks, approvals, confirmation, a `dry-run` audit record; nothing is sent and a later run still publishes'
complete -c postgate -n "__fish_postgate_using_subcommand queue; and __fish_seen_subcommand_from publish" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand queue; and __fish_seen_subcommand_from publish" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "check" -d 'Lint every item and its approvals, like `check` (for pull-request jobs)'
complete -c postgate -n "__fish_postgate_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "publish" -d 'Publish every due, approved item once, in order (for scheduled jobs)'
complete -c postgate -n "__fish_postgate_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c postgate -n "__fish_postgate_using_subcommand keys; and not __fish_seen_subcommand_from new show passkey help" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand keys; and not __fish_seen_subcommand_from new show passkey help" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand keys; and not __fish_seen_subcommand_from new show passkey help" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand keys; and not __fish_seen_subcommand_from new show passkey help" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand keys; and not __fish_seen_subcommand_from new show passkey help" -f -a "new" -d 'Create an ed25519 approval key in the keychain and print its public key for the policy'
complete -c postgate -n "__fish_postgate_using_subcommand keys; and not __fish_seen_subcommand_from new show passkey help" -f -a "show" -d 'Print the public key of a keychain approval key'
complete -c postgate -n "__fish_postgate_using_subcommand keys; and not __fish_seen_subcommand_from new show passkey help" -f -a "passkey" -d 'Approvers\' passkeys, for the review page'
complete -c postgate -n "__fish_postgate_using_subcommand keys; and not __fish_seen_subcommand_from new show passkey help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c postgate -n "__fish_postgate_using_subcommand keys; and __fish_seen_subcommand_from new" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand keys; and __fish_seen_subcommand_from new" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand keys; and __fish_seen_subcommand_from new" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand keys; and __fish_seen_subcommand_from new" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand keys; and __fish_seen_subcommand_from show" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand keys; and __fish_seen_subcommand_from show" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand keys; and __fish_seen_subcommand_from show" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand keys; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand keys; and __fish_seen_subcommand_from passkey" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand keys; and __fish_seen_subcommand_from passkey" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand keys; and __fish_seen_subcommand_from passkey" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand keys; and __fish_seen_subcommand_from passkey" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand keys; and __fish_seen_subcommand_from passkey" -f -a "enroll" -d 'Serve a one-time page where an approver makes a passkey, then print its [[approvers]] entry'
complete -c postgate -n "__fish_postgate_using_subcommand keys; and __fish_seen_subcommand_from passkey" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c postgate -n "__fish_postgate_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "new" -d 'Create an ed25519 approval key in the keychain and print its public key for the policy'
complete -c postgate -n "__fish_postgate_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the public key of a keychain approval key'
complete -c postgate -n "__fish_postgate_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "passkey" -d 'Approvers\' passkeys, for the review page'
complete -c postgate -n "__fish_postgate_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c postgate -n "__fish_postgate_using_subcommand review; and not __fish_seen_subcommand_from serve help" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand review; and not __fish_seen_subcommand_from serve help" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand review; and not __fish_seen_subcommand_from serve help" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand review; and not __fish_seen_subcommand_from serve help" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand review; and not __fish_seen_subcommand_from serve help" -f -a "serve" -d 'Serve the plans awaiting approval as web pages, approved with the approvers\' passkeys'
complete -c postgate -n "__fish_postgate_using_subcommand review; and not __fish_seen_subcommand_from serve help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c postgate -n "__fish_postgate_using_subcommand review; and __fish_seen_subcommand_from serve" -l listen -d 'Where to listen' -r
complete -c postgate -n "__fish_postgate_using_subcommand review; and __fish_seen_subcommand_from serve" -l origin -d 'The origin approvers open, as their passkeys name it; by default http://localhost:PORT (https with --tls-cert)' -r
complete -c postgate -n "__fish_postgate_using_subcommand review; and __fish_seen_subcommand_from serve" -l tls-cert -d 'Serve HTTPS with this PEM certificate chain (with --tls-key)' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand review; and __fish_seen_subcommand_from serve" -l tls-key -d 'The PEM private key of --tls-cert' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand review; and __fish_seen_subcommand_from serve" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand review; and __fish_seen_subcommand_from serve" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand review; and __fish_seen_subcommand_from serve" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand review; and __fish_seen_subcommand_from serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c postgate -n "__fish_postgate_using_subcommand review; and __fish_seen_subcommand_from help" -f -a "serve" -d 'Serve the plans awaiting approval as web pages, approved with the approvers\' passkeys'
complete -c postgate -n "__fish_postgate_using_subcommand review; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c postgate -n "__fish_postgate_using_subcommand lockdown" -s a -l account -d 'An account to lock, as in the policy\'s `name`; repeat for several' -r
complete -c postgate -n "__fish_postgate_using_subcommand lockdown" -l reason -d 'Why: kept in the lock, the audit log and every refusal it causes' -r
complete -c postgate -n "__fish_postgate_using_subcommand lockdown" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand lockdown" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand lockdown" -l all -d 'Lock every account in the policy'
complete -c postgate -n "__fish_postgate_using_subcommand lockdown" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand lockdown" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c postgate -n "__fish_postgate_using_subcommand unlock" -s a -l account -d 'The locked account, as in the policy\'s `name`' -r
complete -c postgate -n "__fish_postgate_using_subcommand unlock" -l key -d 'The keychain key to sign with; defaults to the OS user\'s name' -r
complete -c postgate -n "__fish_postgate_using_subcommand unlock" -l ssh-key -d 'Sign with an SSH key through ssh-keygen' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand unlock" -l lock-id -d 'For scripts: the lock id you reviewed; signing goes ahead only if it matches' -r
complete -c postgate -n "__fish_postgate_using_subcommand unlock" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand unlock" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand unlock" -l sign -d 'Sign the unlock as an approver (the lock stays until `postgate unlock NAME` is run)'
complete -c postgate -n "__fish_postgate_using_subcommand unlock" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand unlock" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand reconcile" -s a -l account -d 'An account to check, as in the policy\'s `name`; repeat for several' -r
complete -c postgate -n "__fish_postgate_using_subcommand reconcile" -l since -d 'How far back to look: `30m`, `24h`, `7d`, or an RFC 3339 time' -r
complete -c postgate -n "__fish_postgate_using_subcommand reconcile" -l on-foreign -d 'Run this command (with `sh -c`) once per foreign post; the post is in the environment as POSTGATE_ACCOUNT, POSTGATE_POST_ID, POSTGATE_POST_URL, POSTGATE_POST_TIME, POSTGATE_POST_TEXT (sanitized, at most 4 KiB) and POSTGATE_POST_NEW (1 the first time it is seen); the whole text is on its stdin and in the file POSTGATE_POST_TEXT_FILE' -r
complete -c postgate -n "__fish_postgate_using_subcommand reconcile" -l hook-timeout -d 'Seconds one run of --on-foreign may take; then its process group is killed' -r
complete -c postgate -n "__fish_postgate_using_subcommand reconcile" -l audit-log -d 'Another audit log whose posts count as postgate\'s (a CI runner\'s copy); repeatable' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand reconcile" -l checkpoint -d 'At the end of the run, sign a checkpoint of the audit log (`log checkpoint`) and write it to this file, never over an existing one: a witness trail for the CI repository' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand reconcile" -l key -d 'The keychain approval key to sign the checkpoint with; defaults to the OS user\'s name' -r
complete -c postgate -n "__fish_postgate_using_subcommand reconcile" -l ssh-key -d 'Sign the checkpoint with an SSH key through ssh-keygen' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand reconcile" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand reconcile" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand reconcile" -l all -d 'Check every account in the policy'
complete -c postgate -n "__fish_postgate_using_subcommand reconcile" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand reconcile" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c postgate -n "__fish_postgate_using_subcommand whoami" -s a -l account -d 'Account name, as in the policy\'s `name`' -r
complete -c postgate -n "__fish_postgate_using_subcommand whoami" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand whoami" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand whoami" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand whoami" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand login" -s a -l account -d 'Account name, as in the policy\'s `name`' -r
complete -c postgate -n "__fish_postgate_using_subcommand login" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand login" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand login" -l secret-stdin -d 'Read the secret from stdin instead of a hidden prompt (for scripts and password managers); one per line where the platform asks for several'
complete -c postgate -n "__fish_postgate_using_subcommand login" -l store -d 'Store the password of the shared store ([audit.shared]) instead of an account\'s credential, once the store accepts it'
complete -c postgate -n "__fish_postgate_using_subcommand login" -l paste -d 'X: take the address the browser was redirected to on stdin instead of listening for it (a machine with no browser)'
complete -c postgate -n "__fish_postgate_using_subcommand login" -l no-browser -d 'X: print the authorization address on stderr without opening a browser'
complete -c postgate -n "__fish_postgate_using_subcommand login" -l oauth1 -d 'X: store OAuth 1.0a keys (consumer key and secret, access token and secret), which do not expire: for CI runners'
complete -c postgate -n "__fish_postgate_using_subcommand login" -l app-bearer -d 'X and Facebook: store the app\'s own token beside the posting credential: on X the app-only bearer token `reconcile` reads with (`reconcile_credential = "app-bearer"`), on Facebook the app token `debug_token` checks the Page token with (`debug_token = true`)'
complete -c postgate -n "__fish_postgate_using_subcommand login" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand login" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand logout" -s a -l account -d 'Account name, as in the policy\'s `name`' -r
complete -c postgate -n "__fish_postgate_using_subcommand logout" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand logout" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand logout" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand logout" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand accounts" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand accounts" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand accounts" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand accounts" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand log; and not __fish_seen_subcommand_from verify checkpoint repair who stats help" -l account -d 'Only records about this account' -r
complete -c postgate -n "__fish_postgate_using_subcommand log; and not __fish_seen_subcommand_from verify checkpoint repair who stats help" -l since -d 'Only records newer than this, like `24h`, `7d` or `90m`' -r
complete -c postgate -n "__fish_postgate_using_subcommand log; and not __fish_seen_subcommand_from verify checkpoint repair who stats help" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand log; and not __fish_seen_subcommand_from verify checkpoint repair who stats help" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand log; and not __fish_seen_subcommand_from verify checkpoint repair who stats help" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand log; and not __fish_seen_subcommand_from verify checkpoint repair who stats help" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand log; and not __fish_seen_subcommand_from verify checkpoint repair who stats help" -f -a "verify" -d 'Check the whole hash chain; exits non-zero at the first broken record'
complete -c postgate -n "__fish_postgate_using_subcommand log; and not __fish_seen_subcommand_from verify checkpoint repair who stats help" -f -a "checkpoint" -d 'Sign the log\'s size and head hash with an approval key, as a checkpoint others keep'
complete -c postgate -n "__fish_postgate_using_subcommand log; and not __fish_seen_subcommand_from verify checkpoint repair who stats help" -f -a "repair" -d 'Move a torn last line (a write cut short) into a side file, and record that'
complete -c postgate -n "__fish_postgate_using_subcommand log; and not __fish_seen_subcommand_from verify checkpoint repair who stats help" -f -a "who" -d 'Who published a post and how: the attempt\'s trail, then its corrections and deletion'
complete -c postgate -n "__fish_postgate_using_subcommand log; and not __fish_seen_subcommand_from verify checkpoint repair who stats help" -f -a "stats" -d 'What approvals cost, per account: posts, refusals by rule, corrections, deletions, and the median and 90th percentile of the time from plan to last approval and on to publish'
complete -c postgate -n "__fish_postgate_using_subcommand log; and not __fish_seen_subcommand_from verify checkpoint repair who stats help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from verify" -l checkpoint -d 'Also check a signed checkpoint: the log still holds its head at its size, and its signature is by one of the policy\'s approvers' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from verify" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from verify" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from verify" -l store -d 'Also check the shared store: every machine\'s chain complete and linked, and this machine\'s file and chain in agreement'
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from verify" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from checkpoint" -l key -d 'The keychain approval key to sign the checkpoint with; defaults to the OS user\'s name' -r
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from checkpoint" -l ssh-key -d 'Sign the checkpoint with an SSH key through ssh-keygen' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from checkpoint" -s o -l output -d 'Write the checkpoint to this file (never over an existing one) instead of stdout' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from checkpoint" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from checkpoint" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from checkpoint" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from checkpoint" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from repair" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from repair" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from repair" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from repair" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from who" -l audit-log -d 'Another machine\'s audit log to read too (a CI runner\'s copy); repeatable' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from who" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from who" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from who" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from who" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from stats" -l since -d 'Only what happened in this last stretch of time, like `30d`, `12h` or `2w`' -r
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from stats" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from stats" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from stats" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from stats" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check the whole hash chain; exits non-zero at the first broken record'
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from help" -f -a "checkpoint" -d 'Sign the log\'s size and head hash with an approval key, as a checkpoint others keep'
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from help" -f -a "repair" -d 'Move a torn last line (a write cut short) into a side file, and record that'
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from help" -f -a "who" -d 'Who published a post and how: the attempt\'s trail, then its corrections and deletion'
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from help" -f -a "stats" -d 'What approvals cost, per account: posts, refusals by rule, corrections, deletions, and the median and 90th percentile of the time from plan to last approval and on to publish'
complete -c postgate -n "__fish_postgate_using_subcommand log; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c postgate -n "__fish_postgate_using_subcommand store; and not __fish_seen_subcommand_from init sync help" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand store; and not __fish_seen_subcommand_from init sync help" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand store; and not __fish_seen_subcommand_from init sync help" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand store; and not __fish_seen_subcommand_from init sync help" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand store; and not __fish_seen_subcommand_from init sync help" -f -a "init" -d 'Create the store\'s tables (as the database\'s owner) and grant ROLE INSERT and SELECT on them; prints the SQL it ran'
complete -c postgate -n "__fish_postgate_using_subcommand store; and not __fish_seen_subcommand_from init sync help" -f -a "sync" -d 'Send the records of this machine\'s log that the store does not have yet'
complete -c postgate -n "__fish_postgate_using_subcommand store; and not __fish_seen_subcommand_from init sync help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c postgate -n "__fish_postgate_using_subcommand store; and __fish_seen_subcommand_from init" -l grant -d 'The role postgate connects as on every machine; it gets INSERT and SELECT, nothing more' -r
complete -c postgate -n "__fish_postgate_using_subcommand store; and __fish_seen_subcommand_from init" -l user -d 'Connect as this user (the database\'s owner) instead of the url\'s; its password comes from the same places (keychain, .pgpass, `password_env`)' -r
complete -c postgate -n "__fish_postgate_using_subcommand store; and __fish_seen_subcommand_from init" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand store; and __fish_seen_subcommand_from init" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand store; and __fish_seen_subcommand_from init" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand store; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand store; and __fish_seen_subcommand_from sync" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand store; and __fish_seen_subcommand_from sync" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand store; and __fish_seen_subcommand_from sync" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand store; and __fish_seen_subcommand_from sync" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "init" -d 'Create the store\'s tables (as the database\'s owner) and grant ROLE INSERT and SELECT on them; prints the SQL it ran'
complete -c postgate -n "__fish_postgate_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "sync" -d 'Send the records of this machine\'s log that the store does not have yet'
complete -c postgate -n "__fish_postgate_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c postgate -n "__fish_postgate_using_subcommand policy; and not __fish_seen_subcommand_from check show help" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand policy; and not __fish_seen_subcommand_from check show help" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand policy; and not __fish_seen_subcommand_from check show help" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand policy; and not __fish_seen_subcommand_from check show help" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand policy; and not __fish_seen_subcommand_from check show help" -f -a "check" -d 'Validate the policy and list its accounts'
complete -c postgate -n "__fish_postgate_using_subcommand policy; and not __fish_seen_subcommand_from check show help" -f -a "show" -d 'Show the effective settings and rules of one account'
complete -c postgate -n "__fish_postgate_using_subcommand policy; and not __fish_seen_subcommand_from check show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c postgate -n "__fish_postgate_using_subcommand policy; and __fish_seen_subcommand_from check" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand policy; and __fish_seen_subcommand_from check" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand policy; and __fish_seen_subcommand_from check" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand policy; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand policy; and __fish_seen_subcommand_from show" -s a -l account -d 'Account name, as in the policy\'s `name`' -r
complete -c postgate -n "__fish_postgate_using_subcommand policy; and __fish_seen_subcommand_from show" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand policy; and __fish_seen_subcommand_from show" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand policy; and __fish_seen_subcommand_from show" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand policy; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "check" -d 'Validate the policy and list its accounts'
complete -c postgate -n "__fish_postgate_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show the effective settings and rules of one account'
complete -c postgate -n "__fish_postgate_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c postgate -n "__fish_postgate_using_subcommand completions" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand completions" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand completions" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand completions" -s h -l help -d 'Print help'
complete -c postgate -n "__fish_postgate_using_subcommand man" -l dir -d 'Write every page (postgate.1, postgate-post.1, …) into this folder, creating it' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand man" -l policy -d 'Policy file to use instead of the usual lookup' -r -F
complete -c postgate -n "__fish_postgate_using_subcommand man" -l color -d 'When to colour the banner and messages' -r -f -a "auto\t''
always\t''
never\t''"
complete -c postgate -n "__fish_postgate_using_subcommand man" -l json -d 'Print results on stdout as JSON'
complete -c postgate -n "__fish_postgate_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "init" -d 'Write a starter policy to the config folder: demo accounts, commented rules, you as approver'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "post" -d 'Publish a post after showing the banner and confirming the account'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "correct" -d 'Correct a published post: an edit with public history (Mastodon; X with `correction = "edit"`), a reply (Bluesky, X)'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "delete" -d 'Delete a published post, where the account\'s policy allows it (allow_delete)'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "check" -d 'Check drafts against the policy\'s rules, like a prose linter (for pull-request jobs)'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "plan" -d 'Write a plan: the post pinned down (text, images, account, window) for review'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "sign" -d 'Sign a plan or a queue item as its author (PLAN.author.sig), with a key the policy lists'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "approve" -d 'Sign a plan or a queue item as one of the policy\'s approvers'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "apply" -d 'Publish a plan exactly as approved, after checking everything again'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "queue" -d 'A folder of prepared posts: check it on pull requests, publish what is due on a schedule'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "keys" -d 'Approval keys kept in the OS keychain, and approvers\' passkeys'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "review" -d 'Web pages where approvers review plans and approve them with a passkey'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "lockdown" -d 'Stop an account now: lock it, revoke its credential at the platform, clear the keychain'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "unlock" -d 'Lift a lockdown on an approver\'s signature; a new `login` is then required'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "reconcile" -d 'List an account\'s recent posts on the platform and report those postgate did not make'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "whoami" -d 'Show who the platform says an account\'s credential belongs to, next to the policy'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "login" -d 'Store an account\'s credential in the OS keychain, once the platform says whose it is: a secret from a hidden prompt or stdin, X\'s OAuth sign-in in the browser, or Facebook\'s token exchange (`app_id`)'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "logout" -d 'Remove an account\'s secret from the keychain'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "accounts" -d 'List the policy\'s accounts and the state of their credentials'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "log" -d 'List or verify the audit log'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "store" -d 'The team\'s shared store ([audit.shared]): create its schema, send the records that wait'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "policy" -d 'Validate and inspect the policy'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "man" -d 'Print a man page (roff) on stdout, or write every page into a folder'
complete -c postgate -n "__fish_postgate_using_subcommand help; and not __fish_seen_subcommand_from init post correct delete check plan sign approve apply queue keys review lockdown unlock reconcile whoami login logout accounts log store policy completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c postgate -n "__fish_postgate_using_subcommand help; and __fish_seen_subcommand_from queue" -f -a "check" -d 'Lint every item and its approvals, like `check` (for pull-request jobs)'
complete -c postgate -n "__fish_postgate_using_subcommand help; and __fish_seen_subcommand_from queue" -f -a "publish" -d 'Publish every due, approved item once, in order (for scheduled jobs)'
complete -c postgate -n "__fish_postgate_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "new" -d 'Create an ed25519 approval key in the keychain and print its public key for the policy'
complete -c postgate -n "__fish_postgate_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "show" -d 'Print the public key of a keychain approval key'
complete -c postgate -n "__fish_postgate_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "passkey" -d 'Approvers\' passkeys, for the review page'
complete -c postgate -n "__fish_postgate_using_subcommand help; and __fish_seen_subcommand_from review" -f -a "serve" -d 'Serve the plans awaiting approval as web pages, approved with the approvers\' passkeys'
complete -c postgate -n "__fish_postgate_using_subcommand help; and __fish_seen_subcommand_from log" -f -a "verify" -d 'Check the whole hash chain; exits non-zero at the first broken record'
complete -c postgate -n "__fish_postgate_using_subcommand help; and __fish_seen_subcommand_from log" -f -a "checkpoint" -d 'Sign the log\'s size and head hash with an approval key, as a checkpoint others keep'
complete -c postgate -n "__fish_postgate_using_subcommand help; and __fish_seen_subcommand_from log" -f -a "repair" -d 'Move a torn last line (a write cut short) into a side file, and record that'
complete -c postgate -n "__fish_postgate_using_subcommand help; and __fish_seen_subcommand_from log" -f -a "who" -d 'Who published a post and how: the attempt\'s trail, then its corrections and deletion'
complete -c postgate -n "__fish_postgate_using_subcommand help; and __fish_seen_subcommand_from log" -f -a "stats" -d 'What approvals cost, per account: posts, refusals by rule, corrections, deletions, and the median and 90th percentile of the time from plan to last approval and on to publish'
complete -c postgate -n "__fish_postgate_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "init" -d 'Create the store\'s tables (as the database\'s owner) and grant ROLE INSERT and SELECT on them; prints the SQL it ran'
complete -c postgate -n "__fish_postgate_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "sync" -d 'Send the records of this machine\'s log that the store does not have yet'
complete -c postgate -n "__fish_postgate_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "check" -d 'Validate the policy and list its accounts'
complete -c postgate -n "__fish_postgate_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "show" -d 'Show the effective settings and rules of one account'
