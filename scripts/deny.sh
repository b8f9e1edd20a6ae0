#!/usr/bin/env bash
# Checks the dependency tree with cargo-deny against deny.toml: licences, sources and bans
# (offline, from Cargo.lock), then RustSec advisories.
#
#   scripts/deny.sh             # when cargo-deny is installed (scripts/test.sh calls this)
#   scripts/deny.sh --install   # install it first if missing (.ci/run does this)
#
# cargo-deny is installed with `cargo install --locked` into ~/.cache/postgate-tools, and reused
# from there, like the test servers. Advisories need the RustSec database
# (github.com/rustsec/advisory-db): set POSTGATE_ADVISORY_DB to a clone of it to check offline,
# or let cargo-deny fetch it. When neither works, the advisories are reported as NOT CHECKED, in
# capitals, and the other checks still decide the result (see docs/security.md).
set -euo pipefail
cd "$(dirname "$0")/.."
version=0.20.2
tools="${XDG_CACHE_HOME:-$HOME/.cache}/postgate-tools"
export PATH="$tools/bin:$PATH"

if ! command -v cargo-deny >/dev/null; then
  if [ "${1:-}" != --install ]; then
    echo "deny.sh: cargo-deny is not installed; run scripts/deny.sh --install (CI always does)" >&2
    exit 0
  fi
  echo "deny.sh: installing cargo-deny $version into $tools" >&2
  cargo install --quiet --locked --root "$tools" cargo-deny --version "$version"
fi

# `--offline` below reads the crates from Cargo's cache: on a fresh machine nothing has
# downloaded them yet, so fetch exactly what Cargo.lock names first.
cargo fetch --locked --quiet
cargo deny --offline check --hide-inclusion-graph licenses sources bans

if [ -n "${POSTGATE_ADVISORY_DB:-}" ]; then
  # cargo-deny keeps its database under db-path in a folder named after the URL's hash; a
  # private config points db-path at a copy laid out that way.
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/dbs"
  git clone -q "$POSTGATE_ADVISORY_DB" "$work/dbs/advisory-db-3157b0e258782691"
  sed 's|^ignore = \[\]|ignore = []\ndb-path = "'"$work"'/dbs"|' deny.toml >"$work/deny.toml"
  cargo deny --offline --config "$work/deny.toml" check advisories
elif timeout 120 cargo deny fetch db >/dev/null 2>&1; then
  cargo deny check advisories
else
  echo "deny.sh: advisories NOT CHECKED: the RustSec database could not be fetched from github.com;" >&2
  echo "deny.sh: set POSTGATE_ADVISORY_DB to a clone of github.com/rustsec/advisory-db" >&2
fi
