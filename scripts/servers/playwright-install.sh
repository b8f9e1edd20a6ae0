#!/usr/bin/env bash
# playwright-install.sh -- install playwright-core, the library the browser tests
# (tests/browser.rs, tests/browser/drive.mjs) drive Debian's headless Chromium with. Only the
# library: it downloads no browser, the tests launch /usr/bin/chromium (test.sh installs it).
#
# Installs playwright-core into $POSTGATE_SERVERS_DIR/playwright (default
# ~/.cache/postgate-servers/playwright). 1.64.1 is pinned. Any Node >= 18 runs it: the system's
# when there is one, else the Node 22 that pds-install.sh installs. The Node chosen is written
# to playwright/node, so the tests run the driver with the same one.
#
# Idempotent: returns at once when the pinned version is there and its Node still runs.
#
# Env: POSTGATE_SERVERS_DIR, PLAYWRIGHT_VERSION (pin below).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

VERSION=${PLAYWRIGHT_VERSION:-1.64.1}
DIR=$SERVERS_DIR/playwright
STAMP=$DIR/installed.txt
WANT="playwright-core=$VERSION"
LIB=$DIR/node_modules/playwright-core/package.json

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -f "$LIB" ] &&
  [ -x "$(cat "$DIR/node" 2>/dev/null)" ]; then
  say "already installed in $DIR ($WANT)"
  exit 0
fi

T0=$(now)
node_ok() {
  "$1" -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' 2>/dev/null
}
NODE=$(command -v node || true)
if [ -z "$NODE" ] || ! node_ok "$NODE"; then
  say "no usable system Node; using the Node 22 of pds-install.sh"
  bash "$HERE/pds-install.sh" >&2
  NODE=$(ls -d "$SERVERS_DIR"/pds/node22/node_modules/node-linux-*/bin/node 2>/dev/null | head -n 1 || true)
  [ -n "$NODE" ] && node_ok "$NODE" || die "no Node >= 18 after pds-install.sh"
fi
NPM=$(dirname "$NODE")/npm
[ -x "$NPM" ] || NPM=$(command -v npm) || die "npm is missing next to $NODE"

mkdir -p "$DIR"
say "installing playwright-core@$VERSION with Node $("$NODE" --version)"
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PATH="$(dirname "$NODE"):$PATH" "$NPM" install --prefix "$DIR" \
  --no-save --no-audit --no-fund --loglevel=error "playwright-core@$VERSION" >&2
[ -f "$LIB" ] || die "playwright-core installed but $LIB is missing"
(cd "$DIR" && "$NODE" -e 'require("playwright-core")') || die "playwright-core does not load under $NODE"

echo "$NODE" >"$DIR/node"
echo "$WANT" >"$STAMP"
say "installed in $DIR in $(elapsed "$T0")s ($WANT)"
