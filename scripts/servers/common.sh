# common.sh -- shared settings and helpers for the loopback test-server scripts
# in scripts/servers/. Sourced, never run.
#
# Everything these scripts install or write lives under one cache directory
# outside the repository, so a clone stays clean and a second run reuses the
# first run's downloads:
#   $POSTGATE_SERVERS_DIR            default ~/.cache/postgate-servers
#     pds/                           Node 22 + @atproto/pds + @did-plc/server
#     mastodon-mock/                 Python venv with mastodon-mock
#     run/                           pid files, logs and PDS data, one set per port
# (set POSTGATE_SERVERS_RUN_DIR to keep the run/ part elsewhere, e.g. per CI job).

# shellcheck shell=bash

SERVERS_DIR=${POSTGATE_SERVERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/postgate-servers}
# The brief for these scripts fixes the default at ~/.cache; XDG_CACHE_HOME is
# only honoured when the user has set it, which is what they would expect.
# shellcheck disable=SC2034 # used by the scripts that source this file
RUN_DIR=${POSTGATE_SERVERS_RUN_DIR:-$SERVERS_DIR/run}

PROG=${0##*/}

say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() {
  printf '%s: error: %s\n' "$PROG" "$*" >&2
  exit 1
}

# Run a command as root when it has to install system packages: directly when
# we are root, through sudo otherwise (same convention as scripts/test.sh).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  command -v apt-get >/dev/null ||
    die "missing system packages ($*) and no apt-get here; install them by hand"
  say "installing $* with apt-get"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Seconds since the epoch with a fraction, for the timings the scripts print.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# is_running PIDFILE -> true if the pid in PIDFILE is a live process.
is_running() {
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

# port_busy PORT -> true if something already accepts TCP connections on
# 127.0.0.1:PORT. Uses bash's /dev/tcp so it needs no extra tool.
port_busy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# stop_pidfile NAME PIDFILE [TIMEOUT_S]: SIGTERM the process, wait for it to
# exit (both servers shut down cleanly on SIGTERM, the PDS in about 2 s), then
# SIGKILL if it will not. Removes the pid file. A missing or stale pid file is
# not an error: stopping something that is not running is a no-op.
stop_pidfile() {
  local name=$1 pidfile=$2 timeout=${3:-15} pid i
  if [ ! -f "$pidfile" ]; then
    say "$name: no pid file $pidfile, nothing to stop"
    return 0
  fi
  pid=$(cat "$pidfile")
  if ! kill -0 "$pid" 2>/dev/null; then
    say "$name: pid $pid is not running (stale pid file removed)"
    rm -f "$pidfile"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "$name: pid $pid ignored SIGTERM for ${timeout}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  say "$name: stopped (pid $pid)"
}
