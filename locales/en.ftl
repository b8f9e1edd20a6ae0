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
