#!/usr/bin/env bash
# Fuzzes what postgate reads from outside, one libFuzzer target each (fuzz/fuzz_targets/):
#   policy_and_post     the policy parser and the content checker together
#   plan_file           plan files (parse, hash, write back, window)
#   signature_file      SSHSIG files beside a plan
#   draft_front_matter  drafts with +++ TOML front matter
#   audit_lines         audit log bytes (`log verify`, `log repair`)
#   sanitizer           what the terminal is shown (never a raw control, bidi or invisible)
#   platform_responses  Mastodon and Bluesky answers, through the bounded readers
#
#   scripts/fuzz.sh                          # every target, 60 seconds each
#   FUZZ_SECONDS=600 scripts/fuzz.sh plan_file audit_lines
#
# Installs cargo-fuzz if it is missing. Builds with `--sanitizer none`, which works on the
# stable toolchain; with a nightly toolchain, `cargo +nightly fuzz run TARGET` adds
# AddressSanitizer. Seeds are made from the repository's own files each run; whatever the
# fuzzer finds is kept in fuzz/corpus (ignored by git) and crashes in fuzz/artifacts.
# Each target's invariants also run on every `cargo test` as property tests (src/fuzzing.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
all=(policy_and_post plan_file signature_file draft_front_matter audit_lines sanitizer platform_responses)
targets=("$@")
((${#targets[@]})) || targets=("${all[@]}")

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

seed() { # TARGET NAME CONTENT(printf %b)
  mkdir -p "fuzz/corpus/$1"
  printf '%b' "$3" >"fuzz/corpus/$1/seed-$2"
}
seed_file() { # TARGET NAME FILE
  mkdir -p "fuzz/corpus/$1"
  cp "$3" "fuzz/corpus/$1/seed-$2"
}

# policy_and_post: the example policy, NUL, a draft.
pp() { mkdir -p fuzz/corpus/policy_and_post; { cat policy.toml; printf '\0'; printf '%b' "$2"; } >"fuzz/corpus/policy_and_post/seed-$1"; }
pp plain 'Bonjour à toutes et à tous.\n'
pp front '+++\naccount = "culture-gouv"\nlanguage = "fr"\nreply_to = "https://x.example/@a/1"\n+++\nLe candidat et @jeanne@mastodon.social : bit.ly/x https://exemple.org #a #b #c #d\n'
pp hidden '+++\naccount = "demo"\n[[images]]\npath = "a.png"\n+++\nP\xd0\xb0ris \xe2\x80\xae\xe2\x80\x8b FORMIDABLE !!\n'

seed plan_file basic 'format = 1\nplan_hash = "sha256:00"\ncreated = "2026-01-01T00:00:00Z"\n\n[author]\nuser = "u"\nemail = "u@example.org"\n\n[account]\nname = "demo"\nhandle = "@demo"\nplatform = "outbox"\nhost = ""\nkind = "official"\n\n[post]\ntext = "Bonjour"\n\n[window]\nnot_before = "2026-01-01T00:00:00Z"\nexpires = "2026-01-02T00:00:00Z"\n'
seed draft_front_matter front '+++\naccount = "demo"\nlanguage = "fr"\npublish_at = "2026-01-01T10:00:00Z"\n[[images]]\npath = "a.png"\nalt = "x"\n+++\nBonjour\n'
seed draft_front_matter plain 'Bonjour\r\n'
seed audit_lines torn '{"seq":1,"prev":"0000000000000000000000000000000000000000000000000000000000000000","time":"2026-01-01T00:00:00Z"}\n{"seq":2'
seed sanitizer mixed 'a\x1b[2Jb\xe2\x80\xae\xe2\x80\x8bc\xf3\xa0\x81\xa9\xe3\x85\xa4\n\xe2\x80\x8d'
seed platform_responses account '{"id":"1","username":"demo","acct":"demo","display_name":"D","url":"https://h/@demo"}'
seed platform_responses error '{"error":"Record not found"}'
# signature_file: a real signature by the target's own key (a unit test keeps it valid).
seed_file signature_file good fuzz/seeds/signature_file.sig

for t in "${targets[@]}"; do
  cargo fuzz build --sanitizer none "$t"
  mkdir -p "fuzz/corpus/$t"
  cargo fuzz run --sanitizer none "$t" "fuzz/corpus/$t" -- -max_total_time="$seconds" -print_final_stats=1
  echo "fuzz.sh: $t: no crash in ${seconds}s"
done
