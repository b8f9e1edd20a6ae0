#!/usr/bin/env bash
# pds-start.sh -- start the local did:plc directory + Bluesky PDS (pds-start.js)
# in the background on loopback and wait until it is ready.
#
# Run pds-install.sh first. Every start is a clean slate: the PLC is in memory
# and the PDS data directory is wiped, so tests create their own accounts
# (no invite code needed; handles must end in ".test").
#
# Prints, on stdout and as the last line:   PDS_URL=http://localhost:PDS_PORT
# so callers can run `out=$(scripts/servers/pds-start.sh) && eval "$out"`. The URL says
# "localhost", not 127.0.0.1, because that is the PDS's own public URL: with
# hostname "localhost" the PDS gives out *.test handles and writes
# http://localhost:PORT into every DID document as the service endpoint.
# The servers only listen on 127.0.0.1.
#
# Env:
#   PDS_PORT (2583), PLC_PORT (2582)
#   PDS_ADMIN_PASSWORD (admin-pass)   for admin calls such as createInviteCode
#   PDS_START_TIMEOUT (60)            seconds to wait for READY
#   POSTGATE_SERVERS_DIR, POSTGATE_SERVERS_RUN_DIR   see common.sh
#   other PDS_* variables reach the PDS unchanged (see pds-start.js)
# Files (per PDS port, so several can run side by side):
#   $RUN_DIR/pds-PORT.pid, $RUN_DIR/pds-PORT.log, $RUN_DIR/pds-PORT-data/
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

PDS_PORT=${PDS_PORT:-2583}
PLC_PORT=${PLC_PORT:-2582}
TIMEOUT=${PDS_START_TIMEOUT:-60}
APP_DIR=$SERVERS_DIR/pds/app
NODE22=
for n in "$SERVERS_DIR"/pds/node22/node_modules/node-linux-*/bin/node; do # -x64 or -arm64
  [ -x "$n" ] && NODE22=$n && break
done
PIDFILE=$RUN_DIR/pds-$PDS_PORT.pid
LOG=$RUN_DIR/pds-$PDS_PORT.log

[ -n "$NODE22" ] && [ -d "$APP_DIR/node_modules/@atproto/pds" ] ||
  die "the PDS is not installed; run $HERE/pds-install.sh"
[ "$PDS_PORT" != "$PLC_PORT" ] || die "PDS_PORT and PLC_PORT are both $PDS_PORT"
is_running "$PIDFILE" && die "already running (pid $(cat "$PIDFILE"), $PIDFILE); stop it with $HERE/pds-stop.sh"
for p in "$PLC_PORT" "$PDS_PORT"; do
  port_busy "$p" && die "port $p on 127.0.0.1 is already in use; pick others with PDS_PORT=... PLC_PORT=..."
done

mkdir -p "$RUN_DIR"
T0=$(now)
# setsid: own session, so the server outlives this script and ignores a Ctrl-C
# aimed at the caller. Started from a script without job control, setsid does
# not fork, so $! is the node process itself.
(
  cd "$RUN_DIR"
  export PDS_PORT PLC_PORT POSTGATE_PDS_APP_DIR="$APP_DIR" PDS_DATA_DIRECTORY="$RUN_DIR/pds-$PDS_PORT-data"
  exec setsid "$NODE22" "$HERE/pds-start.js"
) >"$LOG" 2>&1 </dev/null &
echo $! >"$PIDFILE"

# pds-start.js prints READY once both servers accept requests, or FAILED.
deadline=$((SECONDS + TIMEOUT))
until grep -q '^READY ' "$LOG"; do
  if grep -q '^FAILED' "$LOG" || ! is_running "$PIDFILE"; then
    cat "$LOG" >&2
    stop_pidfile pds "$PIDFILE" 5
    die "the PDS failed to start (log above, $LOG)"
  fi
  if ((SECONDS >= deadline)); then
    cat "$LOG" >&2
    stop_pidfile pds "$PIDFILE" 5
    die "no READY from the PDS within ${TIMEOUT}s (log above)"
  fi
  sleep 0.1
done
say "ready in $(elapsed "$T0")s (pid $(cat "$PIDFILE"), log $LOG): $(grep -m1 '^READY ' "$LOG")"
echo "PDS_URL=http://localhost:$PDS_PORT"
