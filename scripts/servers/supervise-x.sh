#!/usr/bin/env bash
# supervise-x.sh -- run the X fake with Prism in front of it, for one test process.
#
# The fake (fakes/, binary postgate-fake-x) is a stateful stand-in for X's API v2; Prism runs
# X's own OpenAPI document ($POSTGATE_X_OPENAPI) in proxy mode with --errors, so a request
# that breaks the document gets a 422 and never reaches the fake, and an answer of the fake
# that breaks it becomes a 500 whose type ends in VIOLATIONS.
#
# Tests start this with stdin as a pipe. It prints exactly one line
#   X_URLS=<prism url> <fake url>
# when both answer, then waits for EOF on stdin (the test process exited, however it ended)
# and stops both. The `/2/...` API goes through Prism; the OAuth 2.0 routes (`/i/oauth2/...`,
# `/2/oauth2/...`) and the control API (`/_fake/...`) are not in X's document, so Prism answers
# them 404 without forwarding: call the fake's own url for those.
#
# The fake binary: target/debug/postgate-fake-x when scripts/test.sh built it; otherwise it is
# built here into target/fakes, a target directory of its own, so this never waits on the lock
# of a running `cargo test`.
#
# Env: POSTGATE_X_OPENAPI (required: path to X's openapi.json, which stays out of the
# repository; scripts/test.sh downloads it, .ci/run points at shared/specs/),
# POSTGATE_SERVERS_DIR (see common.sh).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$HERE/common.sh"

[ -n "${POSTGATE_X_OPENAPI:-}" ] ||
  die "POSTGATE_X_OPENAPI is not set: point it at X's OpenAPI document (https://api.x.com/2/openapi.json; scripts/test.sh downloads it)"
[ -f "$POSTGATE_X_OPENAPI" ] || die "POSTGATE_X_OPENAPI=$POSTGATE_X_OPENAPI is not a file"

bash "$HERE/prism-install.sh" >&2
PRISM_DIR=$SERVERS_DIR/prism
NODE=$(cat "$PRISM_DIR/node")
PRISM=$PRISM_DIR/node_modules/@stoplight/prism-cli/dist/index.js

FAKE=$ROOT/target/debug/postgate-fake-x
if [ ! -x "$FAKE" ]; then
  say "no $FAKE (scripts/test.sh builds it); building it into target/fakes"
  (cd "$ROOT" && cargo build --locked -p postgate-fakes --target-dir target/fakes) >&2
  FAKE=$ROOT/target/fakes/debug/postgate-fake-x
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/postgate-x.XXXXXX")
FAKE_PID= PRISM_PID=
cleanup() {
  for pid in $PRISM_PID $FAKE_PID; do kill "$pid" 2>/dev/null || true; done
  for pid in $PRISM_PID $FAKE_PID; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP

"$FAKE" --port 0 >"$WORK/fake.out" 2>"$WORK/fake.log" </dev/null &
FAKE_PID=$!
deadline=$((SECONDS + 30))
until grep -qs '^X_FAKE_URL=' "$WORK/fake.out"; do
  kill -0 "$FAKE_PID" 2>/dev/null || { cat "$WORK/fake.log" >&2; die "the X fake exited during start-up"; }
  ((SECONDS < deadline)) || die "the X fake printed no X_FAKE_URL within 30s"
  sleep 0.05
done
FAKE_URL=$(sed -n 's/^X_FAKE_URL=//p' "$WORK/fake.out")

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$NODE" "$PRISM" proxy "$POSTGATE_X_OPENAPI" "$FAKE_URL" --errors -h 127.0.0.1 -p "$PORT" \
  >"$WORK/prism.log" 2>&1 </dev/null &
PRISM_PID=$!
PRISM_URL=http://127.0.0.1:$PORT
# Ready = Prism answers at all (with X's 858 KB document it takes a few seconds to load).
deadline=$((SECONDS + 90))
until curl -s -o /dev/null --max-time 2 "$PRISM_URL/"; do
  kill -0 "$PRISM_PID" 2>/dev/null || { cat "$WORK/prism.log" >&2; die "Prism exited during start-up"; }
  ((SECONDS < deadline)) || { cat "$WORK/prism.log" >&2; die "Prism did not answer within 90s"; }
  sleep 0.1
done

echo "X_URLS=$PRISM_URL $FAKE_URL"
exec >/dev/null
while IFS= read -r _; do :; done
