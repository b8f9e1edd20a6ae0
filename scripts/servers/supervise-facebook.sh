#!/usr/bin/env bash
# supervise-facebook.sh -- run the Facebook Graph API fake for one test process.
#
# The fake (fakes/, binary postgate-fake-facebook) is a stateful stand-in for the parts of
# Meta's Graph API postgate uses. Meta publishes no OpenAPI document for the Graph API, so
# there is no Prism in front of it (unlike supervise-x.sh): the fake's rules, each citing the
# doc page it follows, are all that checks postgate's requests.
#
# Tests start this with stdin as a pipe. It prints exactly one line
#   FACEBOOK_URL=<fake url>
# when the fake answers, then waits for EOF on stdin (the test process exited, however it
# ended) and stops it. The Graph routes (`/v25.0/...`) and the control API (`/_fake/...`) are
# both on that url.
#
# The fake binary: target/debug/postgate-fake-facebook when scripts/test.sh built it;
# otherwise it is built here into target/fakes, a target directory of its own, so this never
# waits on the lock of a running `cargo test`.
#
# Env: POSTGATE_SERVERS_DIR (see common.sh).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$HERE/common.sh"

FAKE=$ROOT/target/debug/postgate-fake-facebook
if [ ! -x "$FAKE" ]; then
  say "no $FAKE (scripts/test.sh builds it); building it into target/fakes"
  (cd "$ROOT" && cargo build --locked -p postgate-fakes --target-dir target/fakes) >&2
  FAKE=$ROOT/target/fakes/debug/postgate-fake-facebook
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/postgate-facebook.XXXXXX")
FAKE_PID=
cleanup() {
  [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null || true
  [ -n "$FAKE_PID" ] && wait "$FAKE_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP

"$FAKE" --port 0 >"$WORK/fake.out" 2>"$WORK/fake.log" </dev/null &
FAKE_PID=$!
deadline=$((SECONDS + 30))
until grep -qs '^FACEBOOK_FAKE_URL=' "$WORK/fake.out"; do
  kill -0 "$FAKE_PID" 2>/dev/null || { cat "$WORK/fake.log" >&2; die "the Facebook fake exited during start-up"; }
  ((SECONDS < deadline)) || die "the Facebook fake printed no FACEBOOK_FAKE_URL within 30s"
  sleep 0.05
done
FAKE_URL=$(sed -n 's/^FACEBOOK_FAKE_URL=//p' "$WORK/fake.out")

echo "FACEBOOK_URL=$FAKE_URL"
exec >/dev/null
while IFS= read -r _; do :; done
