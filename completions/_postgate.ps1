
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'postgate' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'postgate'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'postgate' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a starter policy to the config folder: demo accounts, commented rules, you as approver')
            [CompletionResult]::new('post', 'post', [CompletionResultType]::ParameterValue, 'Publish a post after showing the banner and confirming the account')
            [CompletionResult]::new('correct', 'correct', [CompletionResultType]::ParameterValue, 'Correct a published post: an edit with public history (Mastodon; X with `correction = "edit"`), a reply (Bluesky, X)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a published post, where the account''s policy allows it (allow_delete)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check drafts against the policy''s rules, like a prose linter (for pull-request jobs)')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Write a plan: the post pinned down (text, images, account, window) for review')
            [CompletionResult]::new('sign', 'sign', [CompletionResultType]::ParameterValue, 'Sign a plan or a queue item as its author (PLAN.author.sig), with a key the policy lists')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Sign a plan or a queue item as one of the policy''s approvers')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Publish a plan exactly as approved, after checking everything again')
            [CompletionResult]::new('queue', 'queue', [CompletionResultType]::ParameterValue, 'A folder of prepared posts: check it on pull requests, publish what is due on a schedule')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Approval keys kept in the OS keychain, and approvers'' passkeys')
            [CompletionResult]::new('review', 'review', [CompletionResultType]::ParameterValue, 'Web pages where approvers review plans and approve them with a passkey')
            [CompletionResult]::new('lockdown', 'lockdown', [CompletionResultType]::ParameterValue, 'Stop an account now: lock it, revoke its credential at the platform, clear the keychain')
            [CompletionResult]::new('unlock', 'unlock', [CompletionResultType]::ParameterValue, 'Lift a lockdown on an approver''s signature; a new `login` is then required')
            [CompletionResult]::new('reconcile', 'reconcile', [CompletionResultType]::ParameterValue, 'List an account''s recent posts on the platform and report those postgate did not make')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show who the platform says an account''s credential belongs to, next to the policy')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Store an account''s credential in the OS keychain, once the platform says whose it is: a secret from a hidden prompt or stdin, X''s OAuth sign-in in the browser, or Facebook''s token exchange (`app_id`)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove an account''s secret from the keychain')
            [CompletionResult]::new('accounts', 'accounts', [CompletionResultType]::ParameterValue, 'List the policy''s accounts and the state of their credentials')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'List or verify the audit log')
            [CompletionResult]::new('store', 'store', [CompletionResultType]::ParameterValue, 'The team''s shared store ([audit.shared]): create its schema, send the records that wait')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Validate and inspect the policy')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print a man page (roff) on stdout, or write every page into a folder')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'postgate;init' {
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The keychain approval key to list as yours (made if missing); defaults to the OS user''s name')
            [CompletionResult]::new('--ssh-key', '--ssh-key', [CompletionResultType]::ParameterName, 'List this SSH public key as yours instead of a keychain key (`unlock --sign --ssh-key`)')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace an existing policy, keeping it beside the new one as `policy.toml.<time>.bak`')
            [CompletionResult]::new('--no-key', '--no-key', [CompletionResultType]::ParameterName, 'Do not touch the keychain: the approver entry is left commented, with the command to run (`keys new NAME`, NAME from --key)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'postgate;post' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Account name, as in the policy''s `name`')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account name, as in the policy''s `name`')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Read the post''s text from a file (`-` for stdin)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read the post''s text from a file (`-` for stdin)')
            [CompletionResult]::new('--reply-to', '--reply-to', [CompletionResultType]::ParameterName, 'The post this one replies to: its id or its URL')
            [CompletionResult]::new('--language', '--language', [CompletionResultType]::ParameterName, 'The post''s language (ISO 639, e.g. `fr`); defaults to the account''s `language`')
            [CompletionResult]::new('--cw', '--cw', [CompletionResultType]::ParameterName, 'A content warning shown before the post (Mastodon `spoiler_text`)')
            [CompletionResult]::new('--visibility', '--visibility', [CompletionResultType]::ParameterName, 'Who sees the post, where the platform has audiences; defaults to the account''s `visibility`')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'Attach an image (.png, .jpg, .gif, .webp); repeat for several')
            [CompletionResult]::new('--alt', '--alt', [CompletionResultType]::ParameterName, 'The description of an image, for people who cannot see it; the first --alt goes with the first --image, and so on')
            [CompletionResult]::new('--confirm-handle', '--confirm-handle', [CompletionResultType]::ParameterName, 'The handle of the target account, for scripts. Must match the policy''s handle')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Do everything except the change itself; the banner and the audit record say so')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;correct' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Account name, as in the policy''s `name`')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account name, as in the policy''s `name`')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Read the corrected text from a file (`-` for stdin)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read the corrected text from a file (`-` for stdin)')
            [CompletionResult]::new('--confirm-handle', '--confirm-handle', [CompletionResultType]::ParameterName, 'The handle of the target account, for scripts. Must match the policy''s handle')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Do everything except the change itself; the banner and the audit record say so')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;delete' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Account name, as in the policy''s `name`')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account name, as in the policy''s `name`')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why the post is deleted; recorded in the audit log, never published')
            [CompletionResult]::new('--confirm-handle', '--confirm-handle', [CompletionResultType]::ParameterName, 'The handle of the target account, for scripts. Must match the policy''s handle')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Do everything except the change itself; the banner and the audit record say so')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;check' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'The account whose rules apply; a draft may name it in its front matter instead')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'The account whose rules apply; a draft may name it in its front matter instead')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format; the global --json is the same as --format json')
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'Also judge quiet hours and the posting rate as of this time: `now`, or RFC 3339 like 2026-12-01T23:30:00+01:00. Without it, a draft''s `publish_at` is used if it has one')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'postgate;plan' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Account name, as in the policy''s `name`')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account name, as in the policy''s `name`')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Read the post''s text from a file (`-` for stdin)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read the post''s text from a file (`-` for stdin)')
            [CompletionResult]::new('--reply-to', '--reply-to', [CompletionResultType]::ParameterName, 'The post this one replies to: its id or its URL')
            [CompletionResult]::new('--language', '--language', [CompletionResultType]::ParameterName, 'The post''s language (ISO 639, e.g. `fr`); defaults to the account''s `language`')
            [CompletionResult]::new('--cw', '--cw', [CompletionResultType]::ParameterName, 'A content warning shown before the post (Mastodon `spoiler_text`)')
            [CompletionResult]::new('--visibility', '--visibility', [CompletionResultType]::ParameterName, 'Who sees the post, where the platform has audiences; defaults to the account''s `visibility`')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'Attach an image (.png, .jpg, .gif, .webp); repeat for several')
            [CompletionResult]::new('--alt', '--alt', [CompletionResultType]::ParameterName, 'The description of an image, for people who cannot see it; the first --alt goes with the first --image, and so on')
            [CompletionResult]::new('--publish-at', '--publish-at', [CompletionResultType]::ParameterName, 'Not to be published before this time (RFC 3339 with its offset)')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'Not to be published from this time on (RFC 3339); defaults to a week after --publish-at, or after now')
            [CompletionResult]::new('--correct', '--correct', [CompletionResultType]::ParameterName, 'Plan a correction of this published post (id or URL) instead of a new post')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to write the plan')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Where to write the plan')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The keychain key to sign the plan with as its author (`postgate keys new`); defaults to the OS user''s name. A plan that needs approval is always signed by its author')
            [CompletionResult]::new('--ssh-key', '--ssh-key', [CompletionResultType]::ParameterName, 'Sign the plan as its author with an SSH key through ssh-keygen')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'postgate;sign' {
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The keychain key to sign with (`postgate keys new`); defaults to the OS user''s name')
            [CompletionResult]::new('--ssh-key', '--ssh-key', [CompletionResultType]::ParameterName, 'Sign with an SSH key through ssh-keygen (a private key file, or a .pub with the key in ssh-agent)')
            [CompletionResult]::new('--plan-hash', '--plan-hash', [CompletionResultType]::ParameterName, 'For scripts: the plan_hash of what you wrote; signing goes ahead only if it matches')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'postgate;approve' {
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The keychain key to sign with (`postgate keys new`); defaults to the OS user''s name')
            [CompletionResult]::new('--ssh-key', '--ssh-key', [CompletionResultType]::ParameterName, 'Sign with an SSH key through ssh-keygen (a private key file, or a .pub with the key in ssh-agent)')
            [CompletionResult]::new('--plan-hash', '--plan-hash', [CompletionResultType]::ParameterName, 'For scripts: the plan_hash you reviewed; signing goes ahead only if it matches')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;apply' {
            [CompletionResult]::new('--confirm-handle', '--confirm-handle', [CompletionResultType]::ParameterName, 'The handle of the target account, for scripts. Must match the policy''s handle')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Do everything except the change itself; the banner and the audit record say so')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;queue' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Lint every item and its approvals, like `check` (for pull-request jobs)')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Publish every due, approved item once, in order (for scheduled jobs)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'postgate;queue;check' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--require-approved', '--require-approved', [CompletionResultType]::ParameterName, 'Fail (exit 11) when an item lacks the approvals it needs, not only when a signature is bad')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;queue;publish' {
            [CompletionResult]::new('--confirm-handle', '--confirm-handle', [CompletionResultType]::ParameterName, 'The handle of an account the queue publishes to; repeat for each account')
            [CompletionResult]::new('--checkpoint', '--checkpoint', [CompletionResultType]::ParameterName, 'At the end of the run, sign a checkpoint of the audit log (`log checkpoint`) and write it to this file, never over an existing one: a witness trail for the CI repository')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The keychain approval key to sign the checkpoint with; defaults to the OS user''s name')
            [CompletionResult]::new('--ssh-key', '--ssh-key', [CompletionResultType]::ParameterName, 'Sign the checkpoint with an SSH key through ssh-keygen')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--due', '--due', [CompletionResultType]::ParameterName, 'Publish the items whose time has come (required: publishing is never implied)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Everything but the publish, for each due item: banner, checks, approvals, confirmation, a `dry-run` audit record; nothing is sent and a later run still publishes')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;queue;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Lint every item and its approvals, like `check` (for pull-request jobs)')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Publish every due, approved item once, in order (for scheduled jobs)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'postgate;queue;help;check' {
            break
        }
        'postgate;queue;help;publish' {
            break
        }
        'postgate;queue;help;help' {
            break
        }
        'postgate;keys' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('new', 'new', [CompletionResultType]::ParameterValue, 'Create an ed25519 approval key in the keychain and print its public key for the policy')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the public key of a keychain approval key')
            [CompletionResult]::new('passkey', 'passkey', [CompletionResultType]::ParameterValue, 'Approvers'' passkeys, for the review page')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'postgate;keys;new' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;keys;show' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;keys;passkey' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('enroll', 'enroll', [CompletionResultType]::ParameterValue, 'Serve a one-time page where an approver makes a passkey, then print its [[approvers]] entry')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'postgate;keys;passkey;enroll' {
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'The review page''s origin the passkey will approve on: https://HOST[:PORT], or http://localhost:PORT on the approver''s own machine')
            [CompletionResult]::new('--rp-id', '--rp-id', [CompletionResultType]::ParameterName, 'The relying party id; by default the origin''s host')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Where to listen; by default 127.0.0.1 and the origin''s port')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Serve HTTPS with this PEM certificate chain (with --tls-key)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The PEM private key of --tls-cert')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'postgate;keys;passkey;help' {
            [CompletionResult]::new('enroll', 'enroll', [CompletionResultType]::ParameterValue, 'Serve a one-time page where an approver makes a passkey, then print its [[approvers]] entry')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'postgate;keys;passkey;help;enroll' {
            break
        }
        'postgate;keys;passkey;help;help' {
            break
        }
        'postgate;keys;help' {
            [CompletionResult]::new('new', 'new', [CompletionResultType]::ParameterValue, 'Create an ed25519 approval key in the keychain and print its public key for the policy')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the public key of a keychain approval key')
            [CompletionResult]::new('passkey', 'passkey', [CompletionResultType]::ParameterValue, 'Approvers'' passkeys, for the review page')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'postgate;keys;help;new' {
            break
        }
        'postgate;keys;help;show' {
            break
        }
        'postgate;keys;help;passkey' {
            [CompletionResult]::new('enroll', 'enroll', [CompletionResultType]::ParameterValue, 'Serve a one-time page where an approver makes a passkey, then print its [[approvers]] entry')
            break
        }
        'postgate;keys;help;passkey;enroll' {
            break
        }
        'postgate;keys;help;help' {
            break
        }
        'postgate;review' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the plans awaiting approval as web pages, approved with the approvers'' passkeys')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'postgate;review;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Where to listen')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'The origin approvers open, as their passkeys name it; by default http://localhost:PORT (https with --tls-cert)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Serve HTTPS with this PEM certificate chain (with --tls-key)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The PEM private key of --tls-cert')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'postgate;review;help' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the plans awaiting approval as web pages, approved with the approvers'' passkeys')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'postgate;review;help;serve' {
            break
        }
        'postgate;review;help;help' {
            break
        }
        'postgate;lockdown' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'An account to lock, as in the policy''s `name`; repeat for several')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'An account to lock, as in the policy''s `name`; repeat for several')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why: kept in the lock, the audit log and every refusal it causes')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Lock every account in the policy')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'postgate;unlock' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'The locked account, as in the policy''s `name`')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'The locked account, as in the policy''s `name`')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The keychain key to sign with; defaults to the OS user''s name')
            [CompletionResult]::new('--ssh-key', '--ssh-key', [CompletionResultType]::ParameterName, 'Sign with an SSH key through ssh-keygen')
            [CompletionResult]::new('--lock-id', '--lock-id', [CompletionResultType]::ParameterName, 'For scripts: the lock id you reviewed; signing goes ahead only if it matches')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--sign', '--sign', [CompletionResultType]::ParameterName, 'Sign the unlock as an approver (the lock stays until `postgate unlock NAME` is run)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;reconcile' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'An account to check, as in the policy''s `name`; repeat for several')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'An account to check, as in the policy''s `name`; repeat for several')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'How far back to look: `30m`, `24h`, `7d`, or an RFC 3339 time')
            [CompletionResult]::new('--on-foreign', '--on-foreign', [CompletionResultType]::ParameterName, 'Run this command (with `sh -c`) once per foreign post; the post is in the environment as POSTGATE_ACCOUNT, POSTGATE_POST_ID, POSTGATE_POST_URL, POSTGATE_POST_TIME, POSTGATE_POST_TEXT (sanitized, at most 4 KiB) and POSTGATE_POST_NEW (1 the first time it is seen); the whole text is on its stdin and in the file POSTGATE_POST_TEXT_FILE')
            [CompletionResult]::new('--hook-timeout', '--hook-timeout', [CompletionResultType]::ParameterName, 'Seconds one run of --on-foreign may take; then its process group is killed')
            [CompletionResult]::new('--audit-log', '--audit-log', [CompletionResultType]::ParameterName, 'Another audit log whose posts count as postgate''s (a CI runner''s copy); repeatable')
            [CompletionResult]::new('--checkpoint', '--checkpoint', [CompletionResultType]::ParameterName, 'At the end of the run, sign a checkpoint of the audit log (`log checkpoint`) and write it to this file, never over an existing one: a witness trail for the CI repository')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The keychain approval key to sign the checkpoint with; defaults to the OS user''s name')
            [CompletionResult]::new('--ssh-key', '--ssh-key', [CompletionResultType]::ParameterName, 'Sign the checkpoint with an SSH key through ssh-keygen')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Check every account in the policy')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'postgate;whoami' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Account name, as in the policy''s `name`')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account name, as in the policy''s `name`')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;login' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Account name, as in the policy''s `name`')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account name, as in the policy''s `name`')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--secret-stdin', '--secret-stdin', [CompletionResultType]::ParameterName, 'Read the secret from stdin instead of a hidden prompt (for scripts and password managers); one per line where the platform asks for several')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Store the password of the shared store ([audit.shared]) instead of an account''s credential, once the store accepts it')
            [CompletionResult]::new('--paste', '--paste', [CompletionResultType]::ParameterName, 'X: take the address the browser was redirected to on stdin instead of listening for it (a machine with no browser)')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'X: print the authorization address on stderr without opening a browser')
            [CompletionResult]::new('--oauth1', '--oauth1', [CompletionResultType]::ParameterName, 'X: store OAuth 1.0a keys (consumer key and secret, access token and secret), which do not expire: for CI runners')
            [CompletionResult]::new('--app-bearer', '--app-bearer', [CompletionResultType]::ParameterName, 'X and Facebook: store the app''s own token beside the posting credential: on X the app-only bearer token `reconcile` reads with (`reconcile_credential = "app-bearer"`), on Facebook the app token `debug_token` checks the Page token with (`debug_token = true`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;logout' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Account name, as in the policy''s `name`')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account name, as in the policy''s `name`')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;accounts' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;log' {
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Only records about this account')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only records newer than this, like `24h`, `7d` or `90m`')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the whole hash chain; exits non-zero at the first broken record')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Sign the log''s size and head hash with an approval key, as a checkpoint others keep')
            [CompletionResult]::new('repair', 'repair', [CompletionResultType]::ParameterValue, 'Move a torn last line (a write cut short) into a side file, and record that')
            [CompletionResult]::new('who', 'who', [CompletionResultType]::ParameterValue, 'Who published a post and how: the attempt''s trail, then its corrections and deletion')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'What approvals cost, per account: posts, refusals by rule, corrections, deletions, and the median and 90th percentile of the time from plan to last approval and on to publish')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'postgate;log;verify' {
            [CompletionResult]::new('--checkpoint', '--checkpoint', [CompletionResultType]::ParameterName, 'Also check a signed checkpoint: the log still holds its head at its size, and its signature is by one of the policy''s approvers')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Also check the shared store: every machine''s chain complete and linked, and this machine''s file and chain in agreement')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;log;checkpoint' {
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The keychain approval key to sign the checkpoint with; defaults to the OS user''s name')
            [CompletionResult]::new('--ssh-key', '--ssh-key', [CompletionResultType]::ParameterName, 'Sign the checkpoint with an SSH key through ssh-keygen')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the checkpoint to this file (never over an existing one) instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the checkpoint to this file (never over an existing one) instead of stdout')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;log;repair' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;log;who' {
            [CompletionResult]::new('--audit-log', '--audit-log', [CompletionResultType]::ParameterName, 'Another machine''s audit log to read too (a CI runner''s copy); repeatable')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;log;stats' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only what happened in this last stretch of time, like `30d`, `12h` or `2w`')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;log;help' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the whole hash chain; exits non-zero at the first broken record')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Sign the log''s size and head hash with an approval key, as a checkpoint others keep')
            [CompletionResult]::new('repair', 'repair', [CompletionResultType]::ParameterValue, 'Move a torn last line (a write cut short) into a side file, and record that')
            [CompletionResult]::new('who', 'who', [CompletionResultType]::ParameterValue, 'Who published a post and how: the attempt''s trail, then its corrections and deletion')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'What approvals cost, per account: posts, refusals by rule, corrections, deletions, and the median and 90th percentile of the time from plan to last approval and on to publish')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'postgate;log;help;verify' {
            break
        }
        'postgate;log;help;checkpoint' {
            break
        }
        'postgate;log;help;repair' {
            break
        }
        'postgate;log;help;who' {
            break
        }
        'postgate;log;help;stats' {
            break
        }
        'postgate;log;help;help' {
            break
        }
        'postgate;store' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the store''s tables (as the database''s owner) and grant ROLE INSERT and SELECT on them; prints the SQL it ran')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Send the records of this machine''s log that the store does not have yet')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'postgate;store;init' {
            [CompletionResult]::new('--grant', '--grant', [CompletionResultType]::ParameterName, 'The role postgate connects as on every machine; it gets INSERT and SELECT, nothing more')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Connect as this user (the database''s owner) instead of the url''s; its password comes from the same places (keychain, .pgpass, `password_env`)')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;store;sync' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;store;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the store''s tables (as the database''s owner) and grant ROLE INSERT and SELECT on them; prints the SQL it ran')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Send the records of this machine''s log that the store does not have yet')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'postgate;store;help;init' {
            break
        }
        'postgate;store;help;sync' {
            break
        }
        'postgate;store;help;help' {
            break
        }
        'postgate;policy' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate the policy and list its accounts')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the effective settings and rules of one account')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'postgate;policy;check' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;policy;show' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Account name, as in the policy''s `name`')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account name, as in the policy''s `name`')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;policy;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate the policy and list its accounts')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the effective settings and rules of one account')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'postgate;policy;help;check' {
            break
        }
        'postgate;policy;help;show' {
            break
        }
        'postgate;policy;help;help' {
            break
        }
        'postgate;completions' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'postgate;man' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write every page (postgate.1, postgate-post.1, …) into this folder, creating it')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Policy file to use instead of the usual lookup')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the banner and messages')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print results on stdout as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'postgate;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a starter policy to the config folder: demo accounts, commented rules, you as approver')
            [CompletionResult]::new('post', 'post', [CompletionResultType]::ParameterValue, 'Publish a post after showing the banner and confirming the account')
            [CompletionResult]::new('correct', 'correct', [CompletionResultType]::ParameterValue, 'Correct a published post: an edit with public history (Mastodon; X with `correction = "edit"`), a reply (Bluesky, X)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a published post, where the account''s policy allows it (allow_delete)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check drafts against the policy''s rules, like a prose linter (for pull-request jobs)')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Write a plan: the post pinned down (text, images, account, window) for review')
            [CompletionResult]::new('sign', 'sign', [CompletionResultType]::ParameterValue, 'Sign a plan or a queue item as its author (PLAN.author.sig), with a key the policy lists')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Sign a plan or a queue item as one of the policy''s approvers')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Publish a plan exactly as approved, after checking everything again')
            [CompletionResult]::new('queue', 'queue', [CompletionResultType]::ParameterValue, 'A folder of prepared posts: check it on pull requests, publish what is due on a schedule')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Approval keys kept in the OS keychain, and approvers'' passkeys')
            [CompletionResult]::new('review', 'review', [CompletionResultType]::ParameterValue, 'Web pages where approvers review plans and approve them with a passkey')
            [CompletionResult]::new('lockdown', 'lockdown', [CompletionResultType]::ParameterValue, 'Stop an account now: lock it, revoke its credential at the platform, clear the keychain')
            [CompletionResult]::new('unlock', 'unlock', [CompletionResultType]::ParameterValue, 'Lift a lockdown on an approver''s signature; a new `login` is then required')
            [CompletionResult]::new('reconcile', 'reconcile', [CompletionResultType]::ParameterValue, 'List an account''s recent posts on the platform and report those postgate did not make')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show who the platform says an account''s credential belongs to, next to the policy')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Store an account''s credential in the OS keychain, once the platform says whose it is: a secret from a hidden prompt or stdin, X''s OAuth sign-in in the browser, or Facebook''s token exchange (`app_id`)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove an account''s secret from the keychain')
            [CompletionResult]::new('accounts', 'accounts', [CompletionResultType]::ParameterValue, 'List the policy''s accounts and the state of their credentials')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'List or verify the audit log')
            [CompletionResult]::new('store', 'store', [CompletionResultType]::ParameterValue, 'The team''s shared store ([audit.shared]): create its schema, send the records that wait')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Validate and inspect the policy')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print a man page (roff) on stdout, or write every page into a folder')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'postgate;help;init' {
            break
        }
        'postgate;help;post' {
            break
        }
        'postgate;help;correct' {
            break
        }
        'postgate;help;delete' {
            break
        }
        'postgate;help;check' {
            break
        }
        'postgate;help;plan' {
            break
        }
        'postgate;help;sign' {
            break
        }
        'postgate;help;approve' {
            break
        }
        'postgate;help;apply' {
            break
        }
        'postgate;help;queue' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Lint every item and its approvals, like `check` (for pull-request jobs)')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Publish every due, approved item once, in order (for scheduled jobs)')
            break
        }
        'postgate;help;queue;check' {
            break
        }
        'postgate;help;queue;publish' {
            break
        }
        'postgate;help;keys' {
            [CompletionResult]::new('new', 'new', [CompletionResultType]::ParameterValue, 'Create an ed25519 approval key in the keychain and print its public key for the policy')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the public key of a keychain approval key')
            [CompletionResult]::new('passkey', 'passkey', [CompletionResultType]::ParameterValue, 'Approvers'' passkeys, for the review page')
            break
        }
        'postgate;help;keys;new' {
            break
        }
        'postgate;help;keys;show' {
            break
        }
        'postgate;help;keys;passkey' {
            [CompletionResult]::new('enroll', 'enroll', [CompletionResultType]::ParameterValue, 'Serve a one-time page where an approver makes a passkey, then print its [[approvers]] entry')
            break
        }
        'postgate;help;keys;passkey;enroll' {
            break
        }
        'postgate;help;review' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the plans awaiting approval as web pages, approved with the approvers'' passkeys')
            break
        }
        'postgate;help;review;serve' {
            break
        }
        'postgate;help;lockdown' {
            break
        }
        'postgate;help;unlock' {
            break
        }
        'postgate;help;reconcile' {
            break
        }
        'postgate;help;whoami' {
            break
        }
        'postgate;help;login' {
            break
        }
        'postgate;help;logout' {
            break
        }
        'postgate;help;accounts' {
            break
        }
        'postgate;help;log' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the whole hash chain; exits non-zero at the first broken record')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Sign the log''s size and head hash with an approval key, as a checkpoint others keep')
            [CompletionResult]::new('repair', 'repair', [CompletionResultType]::ParameterValue, 'Move a torn last line (a write cut short) into a side file, and record that')
            [CompletionResult]::new('who', 'who', [CompletionResultType]::ParameterValue, 'Who published a post and how: the attempt''s trail, then its corrections and deletion')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'What approvals cost, per account: posts, refusals by rule, corrections, deletions, and the median and 90th percentile of the time from plan to last approval and on to publish')
            break
        }
        'postgate;help;log;verify' {
            break
        }
        'postgate;help;log;checkpoint' {
            break
        }
        'postgate;help;log;repair' {
            break
        }
        'postgate;help;log;who' {
            break
        }
        'postgate;help;log;stats' {
            break
        }
        'postgate;help;store' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the store''s tables (as the database''s owner) and grant ROLE INSERT and SELECT on them; prints the SQL it ran')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Send the records of this machine''s log that the store does not have yet')
            break
        }
        'postgate;help;store;init' {
            break
        }
        'postgate;help;store;sync' {
            break
        }
        'postgate;help;policy' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate the policy and list its accounts')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the effective settings and rules of one account')
            break
        }
        'postgate;help;policy;check' {
            break
        }
        'postgate;help;policy;show' {
            break
        }
        'postgate;help;completions' {
            break
        }
        'postgate;help;man' {
            break
        }
        'postgate;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
