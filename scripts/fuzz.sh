#!/usr/bin/env bash
# Fuzzes the policy parser and the content checker together (fuzz/fuzz_targets/policy_and_post.rs).
#
#   scripts/fuzz.sh            # 60 seconds
#   FUZZ_SECONDS=600 scripts/fuzz.sh
#
# Installs cargo-fuzz if it is missing. Builds with `--sanitizer none`, which works on the
# stable toolchain; with a nightly toolchain, `cargo +nightly fuzz run policy_and_post` adds
# AddressSanitizer. The seed corpus is made from the example policy each run; whatever the
# fuzzer finds is kept in fuzz/corpus (ignored by git) and crashes in fuzz/artifacts.
# The same check runs on every `cargo test` as a property test (rules::tests), on stable.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

corpus=fuzz/corpus/policy_and_post
mkdir -p "$corpus"
# Seeds: the example policy with a few drafts that touch every rule kind. NUL separates them.
seed() {
  { cat policy.toml; printf '\0'; printf '%b' "$2"; } >"$corpus/seed-$1"
}
seed plain 'Bonjour à toutes et à tous.\n'
seed front '+++\naccount = "culture-gouv"\nlanguage = "fr"\nreply_to = "https://x.example/@a/1"\n+++\nLe candidat et @jeanne@mastodon.social : bit.ly/x https://exemple.org #a #b #c #d\n'
seed hidden '+++\naccount = "demo"\n[[images]]\npath = "a.png"\n+++\nP\xd0\xb0ris \xe2\x80\xae\xe2\x80\x8b FORMIDABLE !!\n'

cargo fuzz build --sanitizer none policy_and_post
cargo fuzz run --sanitizer none policy_and_post "$corpus" -- -max_total_time="$seconds" -print_final_stats=1
echo "fuzz.sh: no crash in ${seconds}s"
