#!/usr/bin/env bash
# supervise-mastodon-mock.sh -- run mastodon-mock for one test process.
#
# Tests start this with stdin as a pipe. It installs mastodon-mock if needed, starts it on a
# free loopback port, prints exactly one line `MASTODON_URL=http://127.0.0.1:PORT`, then waits
# for EOF on stdin (the test process exited, however it ended) and stops the server. Nothing
# outlives the test run, and two servers (the tests start a second one for fault injection)
# never share a port.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"

bash "$HERE/mastodon-mock-install.sh" >&2
BIN=$SERVERS_DIR/mastodon-mock/venv/bin/mastodon_mock
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
LOG=$(mktemp "${TMPDIR:-/tmp}/mastodon-mock-$PORT.XXXXXX.log")

# mastodon-mock reads ./.mastodon_mock.toml or ./pyproject.toml from its working directory:
# start it somewhere neutral so no project file changes its behaviour.
(cd "$(dirname "$LOG")" && exec "$BIN" serve --in-memory --host 127.0.0.1 --port "$PORT" --log-level warning) \
  >"$LOG" 2>&1 </dev/null &
PID=$!
cleanup() {
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  rm -f "$LOG"
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP

deadline=$((SECONDS + 30))
until curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/api/v1/instance"; do
  kill -0 "$PID" 2>/dev/null || { cat "$LOG" >&2; die "mastodon-mock exited during start-up"; }
  ((SECONDS < deadline)) || { cat "$LOG" >&2; die "mastodon-mock did not answer within 30s"; }
  sleep 0.1
done

echo "MASTODON_URL=http://127.0.0.1:$PORT"
exec >/dev/null
while IFS= read -r _; do :; done
