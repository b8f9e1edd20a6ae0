# postgate's words in English: the reference catalogue. Every id here is in fr.ftl too
# (src/i18n.rs tests it). English is also what --json and the audit log carry.

## Error output

label-error = error:
label-hint = hint:

## Banner

banner-official = OFFICIAL
banner-official-meaning = speaks for the institution
banner-personal = PERSONAL
banner-personal-meaning = speaks for one person
banner-frame-title = { $word } ACCOUNT
banner-account = account
banner-handle = handle
banner-display-name = display name
banner-platform = platform
banner-platform-value = { $platform } (host: { $host })
banner-owner = owner
banner-credential = credential
banner-action = action
banner-reply-to = reply to
banner-image = image { $number }
banner-image-alt = alt: { $alt }
banner-image-no-description = NO DESCRIPTION
banner-visibility = visibility
banner-language = language
banner-content-warning = warning (CW)
banner-mode = mode
banner-dry-run = DRY RUN: nothing will be published
banner-count = { $length }/{ $max } { $unit }
banner-too-long = { $count }: TOO LONG by { $over }
banner-unit-characters = characters
banner-unit-weighted = weighted characters
banner-post = post
banner-hidden = { $count } hidden character(s) shown as ⟨U+…⟩
banner-checks = checks
banner-tally = { $deny } refused · { $approve } need approval · { $warn } warning(s)
banner-tally-approved = { $deny } refused · approved by { $names } · { $warn } warning(s)
banner-suggestion = (suggestion: { $suggestion })
banner-more-lines =
    { $count ->
        [one] … 1 more line
       *[other] … { $count } more lines
    }
banner-more-lines-whole = { $lines }; the whole post is checked and published
banner-level-deny = DENY
banner-level-approve = APPROVE
banner-level-warn = WARN

## Prompts

prompt-account = ({ $display_name }): { $question }
prompt-type-handle = type its handle to publish ({ $attempt }/{ $attempts }):
prompt-publish-yes-no = publish to it? { $choices }
prompt-choices = [y/N]
note-ctrl-d = Ctrl-D ignored: it cancels an empty answer only (Ctrl-C cancels)
note-ignored = { $key } ignored: only printable characters count (Ctrl-C cancels)
note-too-long = { $key } ignored: the answer is longer than { $columns } columns

## Confirmation refusals

mismatch-empty = nothing was typed
mismatch-look-alike = `{ $typed }` looks like { $handle } but is not
mismatch-look-alike-with = `{ $typed }` looks like { $handle } but is not (it contains { $odd })
mismatch-different = `{ $typed }` is not the handle of account `{ $name }` ({ $handle })
refusal-flag-mismatch = --confirm-handle does not match: { $why }
hint-flag-mismatch = pass --confirm-handle '{ $handle }' to publish to `{ $name }`
refusal-no-terminal = no terminal to confirm the target account `{ $name }`, and no --confirm-handle
hint-no-terminal = scripts must state the handle they mean: --confirm-handle '{ $handle }'
refusal-non-interactive-denied = account `{ $name }` only accepts posts confirmed by a person at a terminal (non_interactive = "deny")
hint-non-interactive-denied = run postgate from a terminal, or change the account's policy
refusal-terminal-unreadable = cannot read the answer from the terminal: { $error }
refusal-cancelled-ctrl-c = not confirmed: cancelled with Ctrl-C
refusal-cancelled-ctrl-d = not confirmed: cancelled with Ctrl-D
refusal-cancelled-escape = not confirmed: cancelled with Escape
refusal-terminal-closed = not confirmed: the terminal closed
refusal-nothing-typed = not confirmed: nothing was typed
refusal-attempts = not confirmed after { $attempts } attempts; last answer: { $last }
refusal-not-yes = not confirmed: the answer was not yes

## Credentials

hint-login = store a credential with `postgate login { $name }`
refusal-credential-missing = no credential in the keychain for account `{ $name }` ({ $handle } on { $host })
hint-credential-missing = run `postgate login { $name }`; credentials are bound to the platform host they were stored for, so changing the account's host in the policy also needs a new login
refusal-credential-broken = cannot read the credential of `{ $name }`: { $why }
hint-store-again = store it again with `postgate login { $name }`

## Lockdown

word-or = or
refusal-locked-down = account `{ $name }` ({ $handle }) is locked down since { $at } by { $by }: { $reason }
hint-locked-down =
    nothing was published; { $anyone ->
        [yes] an approver
       *[no] an approver with role { $roles }
    } signs the unlock (`postgate unlock { $name } --sign`), then `postgate unlock { $name }`{ $login ->
        [yes] {" "}and `postgate login { $name }` with a new credential
       *[no] {""}
    }

## Identity

refusal-identity-mismatch = identity mismatch: { $difference }
hint-identity-mismatch = nothing was published; check which credential is stored (`postgate login` again) and the policy's handle

## Content

refusal-empty-post = the post is empty; nothing published
refusal-rules = refused by the policy's rules: { $summary }
refusal-store-unreadable = `{ $name }` is { $kind }, and [audit.shared] requires its store, which cannot be read: nothing was published
refusal-store-intent = the intent record could not be written to the shared store { $store }, which [audit.shared] requires for this account; nothing was published
hint-rules = change the post; `postgate policy show { $name }` lists the rules that apply
hint-rules-rechecked = checked again after the confirmation (another run may have published meanwhile); nothing was sent
refusal-too-many-images = { $count } images; { $platform } allows { $max }
refusal-no-alt-text = image { $number } has no description, and account `{ $name }` requires one
hint-no-alt-text = describe it with --alt "…" after its --image (require_alt_text in the policy)
refusal-too-long = the post is { $length } { $unit }; { $platform } allows { $max }
refusal-too-many-bytes = the post is { $bytes } bytes; { $platform } allows { $max }
hint-shorten = shorten it; nothing was sent

## Plans and approvals

refusal-plan-expired = the plan expired at { $at }; nothing was published
hint-plan-expired = plan the post again if it is still wanted, and have it approved again
refusal-plan-not-yet = the plan may not be published before { $at }
hint-plan-not-yet = apply it from then on; `postgate queue publish --due` picks it up when it is due
refusal-needs-approval = this post needs approval: { $needs }
hint-needs-approval = nothing was published; write a plan (`postgate plan -a { $name }{ $correct } … -o post.plan`), have it signed (`postgate approve post.plan`), then `postgate apply post.plan`
refusal-approvals-missing = the plan is not approved as the policy requires: { $missing }
hint-approvals-missing = nothing was published; an approver signs with `postgate approve { $path }`

## The banner's credential line

credential-none-needed = none needed
credential-source-none = none
credential-source-keychain = keychain
credential-source-environment = environment
credential-acting-as = , acting as { $who }
credential-missing = MISSING ({ $policy })

## An earlier attempt in doubt

note-retry-in-doubt = an earlier run of this post (audit record #{ $seq }, { $when }) stopped before recording whether it published; trying again under its key, so the platform finds that post rather than making a second
question-in-doubt = An earlier run of this post (audit record #{ $seq }, { $when }) stopped before recording whether it published, and { $platform } has forgotten its key. Look at { $handle } first. Is the post missing there, and should it go out now?

## What a publish reports on stderr

status-already-published = already published to { $handle } as { $id } (audit record #{ $seq }); nothing was sent
status-deleted = deleted { $id } from { $handle }
status-done = { $verb }: { $handle } as { $id }
status-dry-run =
    { $verb ->
        [post] dry run: every check passed; nothing was published
       *[other] dry run: every check passed; nothing was changed
    }

## Keys the answer editor does not take

key-editing = an editing key
key-not-utf8 = a byte that is not UTF-8
key-not-utf8-sequence = a byte sequence that is not UTF-8

## Lock files

refusal-shared-lockdown-missing = the shared lockdown folder { $path } is not there, so a lock set by someone else cannot be seen
hint-shared-lockdown-missing = mount or create it, or correct [lockdown] shared_path in the policy; nothing was published
refusal-lock-unreadable = the lock file { $path } cannot be read ({ $why }); the account is treated as locked
hint-lock-unreadable = look at the file: `postgate unlock` rewrites a lock it can read; nothing was published

## Keychain

refusal-no-keychain-no-env = no keychain is reachable ({ $why }) and { $var } is not set, for account `{ $name }`
hint-no-keychain-no-env = set { $var } from your CI secret store, or run postgate where a keychain is available

## Signing

refusal-not-signed = not signed: the answer was not yes

## clap's headings in --help (English keeps clap's own)

clap-usage-heading = Usage:
clap-commands-heading = Commands
