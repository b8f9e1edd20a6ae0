#!/usr/bin/env bash
# mastodon-mock-stop.sh -- stop the mastodon-mock started by mastodon-mock-start.sh
# on the same PORT (default 3000), using its pid file. No-op if it is not running.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

PORT=${PORT:-3000}
stop_pidfile mastodon-mock "$RUN_DIR/mastodon-mock-$PORT.pid" 10
