
use builtin;
use str;

set edit:completion:arg-completer[postgate] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'postgate'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'postgate'= {
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Write a starter policy to the config folder: demo accounts, commented rules, you as approver'
            cand post 'Publish a post after showing the banner and confirming the account'
            cand correct 'Correct a published post: an edit with public history (Mastodon; X with `correction = "edit"`), a reply (Bluesky, X)'
            cand delete 'Delete a published post, where the account''s policy allows it (allow_delete)'
            cand check 'Check drafts against the policy''s rules, like a prose linter (for pull-request jobs)'
            cand plan 'Write a plan: the post pinned down (text, images, account, window) for review'
            cand sign 'Sign a plan or a queue item as its author (PLAN.author.sig), with a key the policy lists'
            cand approve 'Sign a plan or a queue item as one of the policy''s approvers'
            cand apply 'Publish a plan exactly as approved, after checking everything again'
            cand queue 'A folder of prepared posts: check it on pull requests, publish what is due on a schedule'
            cand keys 'Approval keys kept in the OS keychain, and approvers'' passkeys'
            cand review 'Web pages where approvers review plans and approve them with a passkey'
            cand lockdown 'Stop an account now: lock it, revoke its credential at the platform, clear the keychain'
            cand unlock 'Lift a lockdown on an approver''s signature; a new `login` is then required'
            cand reconcile 'List an account''s recent posts on the platform and report those postgate did not make'
            cand whoami 'Show who the platform says an account''s credential belongs to, next to the policy'
            cand login 'Store an account''s credential in the OS keychain, once the platform says whose it is: a secret from a hidden prompt or stdin, X''s OAuth sign-in in the browser, or Facebook''s token exchange (`app_id`)'
            cand logout 'Remove an account''s secret from the keychain'
            cand accounts 'List the policy''s accounts and the state of their credentials'
            cand log 'List or verify the audit log'
            cand store 'The team''s shared store ([audit.shared]): create its schema, send the records that wait'
            cand policy 'Validate and inspect the policy'
            cand completions 'Print a shell completion script'
            cand man 'Print a man page (roff) on stdout, or write every page into a folder'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'postgate;init'= {
            cand --key 'The keychain approval key to list as yours (made if missing); defaults to the OS user''s name'
            cand --ssh-key 'List this SSH public key as yours instead of a keychain key (`unlock --sign --ssh-key`)'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --force 'Replace an existing policy, keeping it beside the new one as `policy.toml.<time>.bak`'
            cand --no-key 'Do not touch the keychain: the approver entry is left commented, with the command to run (`keys new NAME`, NAME from --key)'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'postgate;post'= {
            cand -a 'Account name, as in the policy''s `name`'
            cand --account 'Account name, as in the policy''s `name`'
            cand -f 'Read the post''s text from a file (`-` for stdin)'
            cand --file 'Read the post''s text from a file (`-` for stdin)'
            cand --reply-to 'The post this one replies to: its id or its URL'
            cand --language 'The post''s language (ISO 639, e.g. `fr`); defaults to the account''s `language`'
            cand --cw 'A content warning shown before the post (Mastodon `spoiler_text`)'
            cand --visibility 'Who sees the post, where the platform has audiences; defaults to the account''s `visibility`'
            cand --image 'Attach an image (.png, .jpg, .gif, .webp); repeat for several'
            cand --alt 'The description of an image, for people who cannot see it; the first --alt goes with the first --image, and so on'
            cand --confirm-handle 'The handle of the target account, for scripts. Must match the policy''s handle'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --dry-run 'Do everything except the change itself; the banner and the audit record say so'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;correct'= {
            cand -a 'Account name, as in the policy''s `name`'
            cand --account 'Account name, as in the policy''s `name`'
            cand -f 'Read the corrected text from a file (`-` for stdin)'
            cand --file 'Read the corrected text from a file (`-` for stdin)'
            cand --confirm-handle 'The handle of the target account, for scripts. Must match the policy''s handle'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --dry-run 'Do everything except the change itself; the banner and the audit record say so'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;delete'= {
            cand -a 'Account name, as in the policy''s `name`'
            cand --account 'Account name, as in the policy''s `name`'
            cand --reason 'Why the post is deleted; recorded in the audit log, never published'
            cand --confirm-handle 'The handle of the target account, for scripts. Must match the policy''s handle'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --dry-run 'Do everything except the change itself; the banner and the audit record say so'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;check'= {
            cand -a 'The account whose rules apply; a draft may name it in its front matter instead'
            cand --account 'The account whose rules apply; a draft may name it in its front matter instead'
            cand --format 'Output format; the global --json is the same as --format json'
            cand --at 'Also judge quiet hours and the posting rate as of this time: `now`, or RFC 3339 like 2026-12-01T23:30:00+01:00. Without it, a draft''s `publish_at` is used if it has one'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'postgate;plan'= {
            cand -a 'Account name, as in the policy''s `name`'
            cand --account 'Account name, as in the policy''s `name`'
            cand -f 'Read the post''s text from a file (`-` for stdin)'
            cand --file 'Read the post''s text from a file (`-` for stdin)'
            cand --reply-to 'The post this one replies to: its id or its URL'
            cand --language 'The post''s language (ISO 639, e.g. `fr`); defaults to the account''s `language`'
            cand --cw 'A content warning shown before the post (Mastodon `spoiler_text`)'
            cand --visibility 'Who sees the post, where the platform has audiences; defaults to the account''s `visibility`'
            cand --image 'Attach an image (.png, .jpg, .gif, .webp); repeat for several'
            cand --alt 'The description of an image, for people who cannot see it; the first --alt goes with the first --image, and so on'
            cand --publish-at 'Not to be published before this time (RFC 3339 with its offset)'
            cand --expires 'Not to be published from this time on (RFC 3339); defaults to a week after --publish-at, or after now'
            cand --correct 'Plan a correction of this published post (id or URL) instead of a new post'
            cand -o 'Where to write the plan'
            cand --output 'Where to write the plan'
            cand --key 'The keychain key to sign the plan with as its author (`postgate keys new`); defaults to the OS user''s name. A plan that needs approval is always signed by its author'
            cand --ssh-key 'Sign the plan as its author with an SSH key through ssh-keygen'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'postgate;sign'= {
            cand --key 'The keychain key to sign with (`postgate keys new`); defaults to the OS user''s name'
            cand --ssh-key 'Sign with an SSH key through ssh-keygen (a private key file, or a .pub with the key in ssh-agent)'
            cand --plan-hash 'For scripts: the plan_hash of what you wrote; signing goes ahead only if it matches'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'postgate;approve'= {
            cand --key 'The keychain key to sign with (`postgate keys new`); defaults to the OS user''s name'
            cand --ssh-key 'Sign with an SSH key through ssh-keygen (a private key file, or a .pub with the key in ssh-agent)'
            cand --plan-hash 'For scripts: the plan_hash you reviewed; signing goes ahead only if it matches'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;apply'= {
            cand --confirm-handle 'The handle of the target account, for scripts. Must match the policy''s handle'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --dry-run 'Do everything except the change itself; the banner and the audit record say so'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;queue'= {
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand check 'Lint every item and its approvals, like `check` (for pull-request jobs)'
            cand publish 'Publish every due, approved item once, in order (for scheduled jobs)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'postgate;queue;check'= {
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --require-approved 'Fail (exit 11) when an item lacks the approvals it needs, not only when a signature is bad'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;queue;publish'= {
            cand --confirm-handle 'The handle of an account the queue publishes to; repeat for each account'
            cand --checkpoint 'At the end of the run, sign a checkpoint of the audit log (`log checkpoint`) and write it to this file, never over an existing one: a witness trail for the CI repository'
            cand --key 'The keychain approval key to sign the checkpoint with; defaults to the OS user''s name'
            cand --ssh-key 'Sign the checkpoint with an SSH key through ssh-keygen'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --due 'Publish the items whose time has come (required: publishing is never implied)'
            cand --dry-run 'Everything but the publish, for each due item: banner, checks, approvals, confirmation, a `dry-run` audit record; nothing is sent and a later run still publishes'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;queue;help'= {
            cand check 'Lint every item and its approvals, like `check` (for pull-request jobs)'
            cand publish 'Publish every due, approved item once, in order (for scheduled jobs)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'postgate;queue;help;check'= {
        }
        &'postgate;queue;help;publish'= {
        }
        &'postgate;queue;help;help'= {
        }
        &'postgate;keys'= {
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand new 'Create an ed25519 approval key in the keychain and print its public key for the policy'
            cand show 'Print the public key of a keychain approval key'
            cand passkey 'Approvers'' passkeys, for the review page'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'postgate;keys;new'= {
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;keys;show'= {
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;keys;passkey'= {
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand enroll 'Serve a one-time page where an approver makes a passkey, then print its [[approvers]] entry'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'postgate;keys;passkey;enroll'= {
            cand --origin 'The review page''s origin the passkey will approve on: https://HOST[:PORT], or http://localhost:PORT on the approver''s own machine'
            cand --rp-id 'The relying party id; by default the origin''s host'
            cand --listen 'Where to listen; by default 127.0.0.1 and the origin''s port'
            cand --tls-cert 'Serve HTTPS with this PEM certificate chain (with --tls-key)'
            cand --tls-key 'The PEM private key of --tls-cert'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'postgate;keys;passkey;help'= {
            cand enroll 'Serve a one-time page where an approver makes a passkey, then print its [[approvers]] entry'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'postgate;keys;passkey;help;enroll'= {
        }
        &'postgate;keys;passkey;help;help'= {
        }
        &'postgate;keys;help'= {
            cand new 'Create an ed25519 approval key in the keychain and print its public key for the policy'
            cand show 'Print the public key of a keychain approval key'
            cand passkey 'Approvers'' passkeys, for the review page'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'postgate;keys;help;new'= {
        }
        &'postgate;keys;help;show'= {
        }
        &'postgate;keys;help;passkey'= {
            cand enroll 'Serve a one-time page where an approver makes a passkey, then print its [[approvers]] entry'
        }
        &'postgate;keys;help;passkey;enroll'= {
        }
        &'postgate;keys;help;help'= {
        }
        &'postgate;review'= {
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand serve 'Serve the plans awaiting approval as web pages, approved with the approvers'' passkeys'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'postgate;review;serve'= {
            cand --listen 'Where to listen'
            cand --origin 'The origin approvers open, as their passkeys name it; by default http://localhost:PORT (https with --tls-cert)'
            cand --tls-cert 'Serve HTTPS with this PEM certificate chain (with --tls-key)'
            cand --tls-key 'The PEM private key of --tls-cert'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'postgate;review;help'= {
            cand serve 'Serve the plans awaiting approval as web pages, approved with the approvers'' passkeys'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'postgate;review;help;serve'= {
        }
        &'postgate;review;help;help'= {
        }
        &'postgate;lockdown'= {
            cand -a 'An account to lock, as in the policy''s `name`; repeat for several'
            cand --account 'An account to lock, as in the policy''s `name`; repeat for several'
            cand --reason 'Why: kept in the lock, the audit log and every refusal it causes'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --all 'Lock every account in the policy'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'postgate;unlock'= {
            cand -a 'The locked account, as in the policy''s `name`'
            cand --account 'The locked account, as in the policy''s `name`'
            cand --key 'The keychain key to sign with; defaults to the OS user''s name'
            cand --ssh-key 'Sign with an SSH key through ssh-keygen'
            cand --lock-id 'For scripts: the lock id you reviewed; signing goes ahead only if it matches'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --sign 'Sign the unlock as an approver (the lock stays until `postgate unlock NAME` is run)'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;reconcile'= {
            cand -a 'An account to check, as in the policy''s `name`; repeat for several'
            cand --account 'An account to check, as in the policy''s `name`; repeat for several'
            cand --since 'How far back to look: `30m`, `24h`, `7d`, or an RFC 3339 time'
            cand --on-foreign 'Run this command (with `sh -c`) once per foreign post; the post is in the environment as POSTGATE_ACCOUNT, POSTGATE_POST_ID, POSTGATE_POST_URL, POSTGATE_POST_TIME, POSTGATE_POST_TEXT (sanitized, at most 4 KiB) and POSTGATE_POST_NEW (1 the first time it is seen); the whole text is on its stdin and in the file POSTGATE_POST_TEXT_FILE'
            cand --hook-timeout 'Seconds one run of --on-foreign may take; then its process group is killed'
            cand --audit-log 'Another audit log whose posts count as postgate''s (a CI runner''s copy); repeatable'
            cand --checkpoint 'At the end of the run, sign a checkpoint of the audit log (`log checkpoint`) and write it to this file, never over an existing one: a witness trail for the CI repository'
            cand --key 'The keychain approval key to sign the checkpoint with; defaults to the OS user''s name'
            cand --ssh-key 'Sign the checkpoint with an SSH key through ssh-keygen'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --all 'Check every account in the policy'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'postgate;whoami'= {
            cand -a 'Account name, as in the policy''s `name`'
            cand --account 'Account name, as in the policy''s `name`'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;login'= {
            cand -a 'Account name, as in the policy''s `name`'
            cand --account 'Account name, as in the policy''s `name`'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --secret-stdin 'Read the secret from stdin instead of a hidden prompt (for scripts and password managers); one per line where the platform asks for several'
            cand --store 'Store the password of the shared store ([audit.shared]) instead of an account''s credential, once the store accepts it'
            cand --paste 'X: take the address the browser was redirected to on stdin instead of listening for it (a machine with no browser)'
            cand --no-browser 'X: print the authorization address on stderr without opening a browser'
            cand --oauth1 'X: store OAuth 1.0a keys (consumer key and secret, access token and secret), which do not expire: for CI runners'
            cand --app-bearer 'X and Facebook: store the app''s own token beside the posting credential: on X the app-only bearer token `reconcile` reads with (`reconcile_credential = "app-bearer"`), on Facebook the app token `debug_token` checks the Page token with (`debug_token = true`)'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;logout'= {
            cand -a 'Account name, as in the policy''s `name`'
            cand --account 'Account name, as in the policy''s `name`'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;accounts'= {
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;log'= {
            cand --account 'Only records about this account'
            cand --since 'Only records newer than this, like `24h`, `7d` or `90m`'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand verify 'Check the whole hash chain; exits non-zero at the first broken record'
            cand checkpoint 'Sign the log''s size and head hash with an approval key, as a checkpoint others keep'
            cand repair 'Move a torn last line (a write cut short) into a side file, and record that'
            cand who 'Who published a post and how: the attempt''s trail, then its corrections and deletion'
            cand stats 'What approvals cost, per account: posts, refusals by rule, corrections, deletions, and the median and 90th percentile of the time from plan to last approval and on to publish'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'postgate;log;verify'= {
            cand --checkpoint 'Also check a signed checkpoint: the log still holds its head at its size, and its signature is by one of the policy''s approvers'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --store 'Also check the shared store: every machine''s chain complete and linked, and this machine''s file and chain in agreement'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;log;checkpoint'= {
            cand --key 'The keychain approval key to sign the checkpoint with; defaults to the OS user''s name'
            cand --ssh-key 'Sign the checkpoint with an SSH key through ssh-keygen'
            cand -o 'Write the checkpoint to this file (never over an existing one) instead of stdout'
            cand --output 'Write the checkpoint to this file (never over an existing one) instead of stdout'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;log;repair'= {
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;log;who'= {
            cand --audit-log 'Another machine''s audit log to read too (a CI runner''s copy); repeatable'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;log;stats'= {
            cand --since 'Only what happened in this last stretch of time, like `30d`, `12h` or `2w`'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;log;help'= {
            cand verify 'Check the whole hash chain; exits non-zero at the first broken record'
            cand checkpoint 'Sign the log''s size and head hash with an approval key, as a checkpoint others keep'
            cand repair 'Move a torn last line (a write cut short) into a side file, and record that'
            cand who 'Who published a post and how: the attempt''s trail, then its corrections and deletion'
            cand stats 'What approvals cost, per account: posts, refusals by rule, corrections, deletions, and the median and 90th percentile of the time from plan to last approval and on to publish'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'postgate;log;help;verify'= {
        }
        &'postgate;log;help;checkpoint'= {
        }
        &'postgate;log;help;repair'= {
        }
        &'postgate;log;help;who'= {
        }
        &'postgate;log;help;stats'= {
        }
        &'postgate;log;help;help'= {
        }
        &'postgate;store'= {
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand init 'Create the store''s tables (as the database''s owner) and grant ROLE INSERT and SELECT on them; prints the SQL it ran'
            cand sync 'Send the records of this machine''s log that the store does not have yet'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'postgate;store;init'= {
            cand --grant 'The role postgate connects as on every machine; it gets INSERT and SELECT, nothing more'
            cand --user 'Connect as this user (the database''s owner) instead of the url''s; its password comes from the same places (keychain, .pgpass, `password_env`)'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;store;sync'= {
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;store;help'= {
            cand init 'Create the store''s tables (as the database''s owner) and grant ROLE INSERT and SELECT on them; prints the SQL it ran'
            cand sync 'Send the records of this machine''s log that the store does not have yet'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'postgate;store;help;init'= {
        }
        &'postgate;store;help;sync'= {
        }
        &'postgate;store;help;help'= {
        }
        &'postgate;policy'= {
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
            cand check 'Validate the policy and list its accounts'
            cand show 'Show the effective settings and rules of one account'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'postgate;policy;check'= {
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;policy;show'= {
            cand -a 'Account name, as in the policy''s `name`'
            cand --account 'Account name, as in the policy''s `name`'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;policy;help'= {
            cand check 'Validate the policy and list its accounts'
            cand show 'Show the effective settings and rules of one account'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'postgate;policy;help;check'= {
        }
        &'postgate;policy;help;show'= {
        }
        &'postgate;policy;help;help'= {
        }
        &'postgate;completions'= {
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'postgate;man'= {
            cand --dir 'Write every page (postgate.1, postgate-post.1, …) into this folder, creating it'
            cand --policy 'Policy file to use instead of the usual lookup'
            cand --color 'When to colour the banner and messages'
            cand --json 'Print results on stdout as JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'postgate;help'= {
            cand init 'Write a starter policy to the config folder: demo accounts, commented rules, you as approver'
            cand post 'Publish a post after showing the banner and confirming the account'
            cand correct 'Correct a published post: an edit with public history (Mastodon; X with `correction = "edit"`), a reply (Bluesky, X)'
            cand delete 'Delete a published post, where the account''s policy allows it (allow_delete)'
            cand check 'Check drafts against the policy''s rules, like a prose linter (for pull-request jobs)'
            cand plan 'Write a plan: the post pinned down (text, images, account, window) for review'
            cand sign 'Sign a plan or a queue item as its author (PLAN.author.sig), with a key the policy lists'
            cand approve 'Sign a plan or a queue item as one of the policy''s approvers'
            cand apply 'Publish a plan exactly as approved, after checking everything again'
            cand queue 'A folder of prepared posts: check it on pull requests, publish what is due on a schedule'
            cand keys 'Approval keys kept in the OS keychain, and approvers'' passkeys'
            cand review 'Web pages where approvers review plans and approve them with a passkey'
            cand lockdown 'Stop an account now: lock it, revoke its credential at the platform, clear the keychain'
            cand unlock 'Lift a lockdown on an approver''s signature; a new `login` is then required'
            cand reconcile 'List an account''s recent posts on the platform and report those postgate did not make'
            cand whoami 'Show who the platform says an account''s credential belongs to, next to the policy'
            cand login 'Store an account''s credential in the OS keychain, once the platform says whose it is: a secret from a hidden prompt or stdin, X''s OAuth sign-in in the browser, or Facebook''s token exchange (`app_id`)'
            cand logout 'Remove an account''s secret from the keychain'
            cand accounts 'List the policy''s accounts and the state of their credentials'
            cand log 'List or verify the audit log'
            cand store 'The team''s shared store ([audit.shared]): create its schema, send the records that wait'
            cand policy 'Validate and inspect the policy'
            cand completions 'Print a shell completion script'
            cand man 'Print a man page (roff) on stdout, or write every page into a folder'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'postgate;help;init'= {
        }
        &'postgate;help;post'= {
        }
        &'postgate;help;correct'= {
        }
        &'postgate;help;delete'= {
        }
        &'postgate;help;check'= {
        }
        &'postgate;help;plan'= {
        }
        &'postgate;help;sign'= {
        }
        &'postgate;help;approve'= {
        }
        &'postgate;help;apply'= {
        }
        &'postgate;help;queue'= {
            cand check 'Lint every item and its approvals, like `check` (for pull-request jobs)'
            cand publish 'Publish every due, approved item once, in order (for scheduled jobs)'
        }
        &'postgate;help;queue;check'= {
        }
        &'postgate;help;queue;publish'= {
        }
        &'postgate;help;keys'= {
            cand new 'Create an ed25519 approval key in the keychain and print its public key for the policy'
            cand show 'Print the public key of a keychain approval key'
            cand passkey 'Approvers'' passkeys, for the review page'
        }
        &'postgate;help;keys;new'= {
        }
        &'postgate;help;keys;show'= {
        }
        &'postgate;help;keys;passkey'= {
            cand enroll 'Serve a one-time page where an approver makes a passkey, then print its [[approvers]] entry'
        }
        &'postgate;help;keys;passkey;enroll'= {
        }
        &'postgate;help;review'= {
            cand serve 'Serve the plans awaiting approval as web pages, approved with the approvers'' passkeys'
        }
        &'postgate;help;review;serve'= {
        }
        &'postgate;help;lockdown'= {
        }
        &'postgate;help;unlock'= {
        }
        &'postgate;help;reconcile'= {
        }
        &'postgate;help;whoami'= {
        }
        &'postgate;help;login'= {
        }
        &'postgate;help;logout'= {
        }
        &'postgate;help;accounts'= {
        }
        &'postgate;help;log'= {
            cand verify 'Check the whole hash chain; exits non-zero at the first broken record'
            cand checkpoint 'Sign the log''s size and head hash with an approval key, as a checkpoint others keep'
            cand repair 'Move a torn last line (a write cut short) into a side file, and record that'
            cand who 'Who published a post and how: the attempt''s trail, then its corrections and deletion'
            cand stats 'What approvals cost, per account: posts, refusals by rule, corrections, deletions, and the median and 90th percentile of the time from plan to last approval and on to publish'
        }
        &'postgate;help;log;verify'= {
        }
        &'postgate;help;log;checkpoint'= {
        }
        &'postgate;help;log;repair'= {
        }
        &'postgate;help;log;who'= {
        }
        &'postgate;help;log;stats'= {
        }
        &'postgate;help;store'= {
            cand init 'Create the store''s tables (as the database''s owner) and grant ROLE INSERT and SELECT on them; prints the SQL it ran'
            cand sync 'Send the records of this machine''s log that the store does not have yet'
        }
        &'postgate;help;store;init'= {
        }
        &'postgate;help;store;sync'= {
        }
        &'postgate;help;policy'= {
            cand check 'Validate the policy and list its accounts'
            cand show 'Show the effective settings and rules of one account'
        }
        &'postgate;help;policy;check'= {
        }
        &'postgate;help;policy;show'= {
        }
        &'postgate;help;completions'= {
        }
        &'postgate;help;man'= {
        }
        &'postgate;help;help'= {
        }
    ]
    $completions[$command]
}
