#!/usr/bin/env bash
# pds-stop.sh -- stop the PDS + PLC started by pds-start.sh on the same PDS_PORT
# (default 2583), using its pid file. No-op if it is not running. The PDS data
# directory is left for post-mortems; the next start wipes it.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

PDS_PORT=${PDS_PORT:-2583}
# pds-start.js gives open connections 10 s to close before it exits anyway.
stop_pidfile pds "$RUN_DIR/pds-$PDS_PORT.pid" 15
