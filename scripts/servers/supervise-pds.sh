#!/usr/bin/env bash
# supervise-pds.sh -- run a Bluesky PDS (with an in-memory PLC) for one test process.
#
# Tests start this with stdin as a pipe. It installs the PDS if needed, starts it on free
# loopback ports, prints exactly one line `PDS_URL=http://127.0.0.1:PORT`, then waits for EOF
# on stdin (the test process exited, however it ended) and stops the server and its data.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"

bash "$HERE/pds-install.sh" >&2
APP_DIR=$SERVERS_DIR/pds/app
NODE22=$(ls -d "$SERVERS_DIR"/pds/node22/node_modules/node-linux-*/bin/node 2>/dev/null | head -n 1 || true)
[ -n "$NODE22" ] || die "Node 22 is missing after pds-install.sh"
read -r PDS_PORT PLC_PORT < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')
WORK=$(mktemp -d "${TMPDIR:-/tmp}/postgate-pds.XXXXXX")
LOG=$WORK/pds.log

(
  cd "$WORK"
  export PDS_PORT PLC_PORT POSTGATE_PDS_APP_DIR="$APP_DIR" PDS_DATA_DIRECTORY="$WORK/data"
  exec "$NODE22" "$HERE/pds-start.js"
) >"$LOG" 2>&1 </dev/null &
PID=$!
cleanup() {
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP

deadline=$((SECONDS + 90))
until grep -qs '^READY ' "$LOG"; do
  if grep -qs '^FAILED' "$LOG" || ! kill -0 "$PID" 2>/dev/null; then
    cat "$LOG" >&2
    die "the PDS failed to start"
  fi
  ((SECONDS < deadline)) || { cat "$LOG" >&2; die "no READY from the PDS within 90s"; }
  sleep 0.1
done

echo "PDS_URL=http://127.0.0.1:$PDS_PORT"
exec >/dev/null
while IFS= read -r _; do :; done
