#!/usr/bin/env bash
# supervise-linkedin.sh -- run the LinkedIn fake for one test process.
#
# The fake (fakes/, binary postgate-fake-linkedin) is a stateful stand-in for LinkedIn's
# versioned API (/rest/posts, /rest/images, /rest/organizationAuthorizations, /v2/userinfo)
# with a control API under /_fake/. LinkedIn publishes no machine-readable description of these
# APIs, so nothing stands in front of it.
#
# Tests start this with stdin as a pipe. It prints exactly one line
#   LINKEDIN_URL=<fake url>
# when the fake answers, then waits for EOF on stdin (the test process exited, however it
# ended) and stops it.
#
# The fake binary: target/debug/postgate-fake-linkedin when scripts/test.sh built it; otherwise
# it is built here into target/fakes, a target directory of its own, so this never waits on the
# lock of a running `cargo test`.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$HERE/common.sh"

FAKE=$ROOT/target/debug/postgate-fake-linkedin
if [ ! -x "$FAKE" ]; then
  say "no $FAKE (scripts/test.sh builds it); building it into target/fakes"
  (cd "$ROOT" && cargo build --locked -p postgate-fakes --target-dir target/fakes) >&2
  FAKE=$ROOT/target/fakes/debug/postgate-fake-linkedin
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/postgate-linkedin.XXXXXX")
FAKE_PID=
cleanup() {
  if [ -n "$FAKE_PID" ]; then
    kill "$FAKE_PID" 2>/dev/null || true
    wait "$FAKE_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP

"$FAKE" --port 0 >"$WORK/fake.out" 2>"$WORK/fake.log" </dev/null &
FAKE_PID=$!
deadline=$((SECONDS + 30))
until grep -qs '^LINKEDIN_FAKE_URL=' "$WORK/fake.out"; do
  kill -0 "$FAKE_PID" 2>/dev/null || { cat "$WORK/fake.log" >&2; die "the LinkedIn fake exited during start-up"; }
  ((SECONDS < deadline)) || die "the LinkedIn fake printed no LINKEDIN_FAKE_URL within 30s"
  sleep 0.05
done
FAKE_URL=$(sed -n 's/^LINKEDIN_FAKE_URL=//p' "$WORK/fake.out")

echo "LINKEDIN_URL=$FAKE_URL"
exec >/dev/null
while IFS= read -r _; do :; done
