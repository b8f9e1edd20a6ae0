#!/usr/bin/env bash
# mastodon-mock-start.sh -- start mastodon-mock in the background on 127.0.0.1.
#
# Run mastodon-mock-install.sh first. The server keeps its state in memory, so
# every start begins empty apart from the seeded account "testuser" (bearer
# token "mock_token"). Tests get their own accounts with
#   POST /api/v1/_mock/dev_user {"username": "..."}   -> {"access_token": ...}
# and can wipe everything with POST /api/v1/_mock/reset.
#
# Prints, on stdout and as the last line:   MASTODON_URL=http://127.0.0.1:PORT
# so callers can run `out=$(scripts/servers/mastodon-mock-start.sh) && eval "$out"`.
#
# Env:
#   PORT (3000)                       port on 127.0.0.1
#   MASTODON_MOCK_START_TIMEOUT (30)  seconds to wait until it answers
#   MASTODON_MOCK_CONFIG              optional .mastodon_mock.toml (seed accounts,
#                                     auth.permissive, limits, ...)
#   POSTGATE_SERVERS_DIR, POSTGATE_SERVERS_RUN_DIR   see common.sh
# Files (per port, so several can run side by side):
#   $RUN_DIR/mastodon-mock-PORT.pid, $RUN_DIR/mastodon-mock-PORT.log
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

PORT=${PORT:-3000}
TIMEOUT=${MASTODON_MOCK_START_TIMEOUT:-30}
BIN=$SERVERS_DIR/mastodon-mock/venv/bin/mastodon_mock
PIDFILE=$RUN_DIR/mastodon-mock-$PORT.pid
LOG=$RUN_DIR/mastodon-mock-$PORT.log
URL=http://127.0.0.1:$PORT

[ -x "$BIN" ] || die "mastodon-mock is not installed; run $HERE/mastodon-mock-install.sh"
command -v curl >/dev/null || die "curl is needed to check that the server answers"
is_running "$PIDFILE" && die "already running (pid $(cat "$PIDFILE"), $PIDFILE); stop it with $HERE/mastodon-mock-stop.sh"
# Fail clearly instead of waiting for a server that cannot bind, or worse,
# reporting ready because some other process answers on the port.
port_busy "$PORT" && die "port $PORT on 127.0.0.1 is already in use; pick another with PORT=..."

mkdir -p "$RUN_DIR"
T0=$(now)
args=(serve --in-memory --host 127.0.0.1 --port "$PORT" --log-level warning)
[ -z "${MASTODON_MOCK_CONFIG:-}" ] || args+=(--config "$(cd "$(dirname "$MASTODON_MOCK_CONFIG")" && pwd)/${MASTODON_MOCK_CONFIG##*/}")
# Run from the run directory: without --config, mastodon-mock reads
# ./.mastodon_mock.toml or [tool.mastodon_mock] in ./pyproject.toml from its
# working directory, and the caller's directory must not change its behaviour.
# setsid: the server gets its own session, so it outlives this script and does
# not receive a Ctrl-C meant for the caller's foreground job. (Started from a
# script without job control, setsid does not fork, so $! is the server's pid.)
(cd "$RUN_DIR" && exec setsid "$BIN" "${args[@]}") >"$LOG" 2>&1 </dev/null &
echo $! >"$PIDFILE"

# Ready = the instance endpoint answers 200. Bounded; on failure show the log
# and leave nothing running.
deadline=$((SECONDS + TIMEOUT))
until curl -sf -o /dev/null --max-time 2 "$URL/api/v1/instance"; do
  if ! is_running "$PIDFILE"; then
    cat "$LOG" >&2
    rm -f "$PIDFILE"
    die "mastodon-mock exited during start-up (log above, $LOG)"
  fi
  if ((SECONDS >= deadline)); then
    cat "$LOG" >&2
    stop_pidfile mastodon-mock "$PIDFILE" 5
    die "mastodon-mock did not answer on $URL within ${TIMEOUT}s (log above)"
  fi
  sleep 0.1
done
say "ready in $(elapsed "$T0")s (pid $(cat "$PIDFILE"), log $LOG)"
echo "MASTODON_URL=$URL"
