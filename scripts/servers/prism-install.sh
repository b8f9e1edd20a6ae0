#!/usr/bin/env bash
# prism-install.sh -- install Stoplight Prism, the OpenAPI validation proxy that stands in front
# of the X fake (fakes/, binary postgate-fake-x) in the tests: every request postgate sends and
# every answer the fake gives is checked against X's own OpenAPI document.
#
# Installs @stoplight/prism-cli into $POSTGATE_SERVERS_DIR/prism (default
# ~/.cache/postgate-servers/prism). 5.14.2 is pinned: it is the newest release that runs on
# Node 20 (5.16 needs Node >= 24). Any Node >= 18.20.1 runs it: the system's when there is one,
# else the Node 22 that pds-install.sh installs. The Node chosen is written to prism/node, so
# supervise-x.sh runs Prism with the same one.
#
# Idempotent: returns at once when the pinned version is there and its Node still runs.
#
# Env: POSTGATE_SERVERS_DIR, PRISM_VERSION (pin below).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

VERSION=${PRISM_VERSION:-5.14.2}
PRISM_DIR=$SERVERS_DIR/prism
STAMP=$PRISM_DIR/installed.txt
WANT="prism-cli=$VERSION"
CLI=$PRISM_DIR/node_modules/@stoplight/prism-cli/dist/index.js

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -f "$CLI" ] &&
  [ -x "$(cat "$PRISM_DIR/node" 2>/dev/null)" ]; then
  say "already installed in $PRISM_DIR ($WANT)"
  exit 0
fi

T0=$(now)
# node_ok NODE: true when NODE runs and is at least 18.20.1 (prism-cli 5.14.2's engines field).
node_ok() {
  "$1" -e 'const [a, b, c] = process.versions.node.split(".").map(Number);
           process.exit(a > 18 || (a === 18 && (b > 20 || (b === 20 && c >= 1))) ? 0 : 1)' 2>/dev/null
}
NODE=$(command -v node || true)
if [ -z "$NODE" ] || ! node_ok "$NODE"; then
  say "no usable system Node; using the Node 22 of pds-install.sh"
  bash "$HERE/pds-install.sh" >&2
  NODE=$(ls -d "$SERVERS_DIR"/pds/node22/node_modules/node-linux-*/bin/node 2>/dev/null | head -n 1 || true)
  [ -n "$NODE" ] && node_ok "$NODE" || die "no Node >= 18.20.1 after pds-install.sh"
fi
NPM=$(dirname "$NODE")/npm
[ -x "$NPM" ] || NPM=$(command -v npm) || die "npm is missing next to $NODE"

mkdir -p "$PRISM_DIR"
say "installing @stoplight/prism-cli@$VERSION with Node $("$NODE" --version)"
PATH="$(dirname "$NODE"):$PATH" "$NPM" install --prefix "$PRISM_DIR" --no-save --no-audit --no-fund \
  --loglevel=error "@stoplight/prism-cli@$VERSION" >&2
[ -f "$CLI" ] || die "prism-cli installed but $CLI is missing"
"$NODE" "$CLI" --version >/dev/null || die "prism does not start under $NODE"

echo "$NODE" >"$PRISM_DIR/node"
echo "$WANT" >"$STAMP"
say "installed in $PRISM_DIR in $(elapsed "$T0")s ($WANT)"
