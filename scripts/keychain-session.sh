#!/usr/bin/env bash
# keychain-session.sh -- run a throw-away, unlocked GNOME keyring on a private
# D-Bus session bus, so tests can exercise the real Secret Service backend
# (zbus-secret-service-keyring-store) headless, without touching the user's
# real keyring and without any password prompt.
#
# Usage
#   Supervisor mode (for test harnesses):
#       scripts/keychain-session.sh            # stdin MUST be a pipe from the parent
#     Prints exactly one line to stdout:
#       DBUS_SESSION_BUS_ADDRESS=<address>
#     then closes stdout and blocks reading stdin. When stdin reaches EOF
#     (the parent closed it or exited/crashed: the kernel closes the write end
#     for us), or on SIGTERM/SIGINT/SIGHUP, it kills the daemons and deletes
#     its temp dir.
#
#   Shell mode:
#       scripts/keychain-session.sh --exec CMD [ARGS...]
#     Runs CMD with DBUS_SESSION_BUS_ADDRESS exported (nothing else in CMD's
#     environment changes), cleans up, and exits with CMD's exit status.
#     e.g.  scripts/keychain-session.sh --exec cargo test
#
# Exit status
#   127  a prerequisite (dbus-daemon, gnome-keyring-daemon, dbus-send) is
#        missing -- callers may treat this as "skip"
#   1    the session could not be started (daemon logs are dumped to stderr)
#   2    bad usage
#   otherwise 0 (supervisor mode) or CMD's status (--exec mode)
#
# Requirements (Debian/Ubuntu): dbus-daemon (dbus-daemon), dbus-send (dbus-bin),
# gnome-keyring-daemon (gnome-keyring). Works as root and without a terminal.

set -u
# No `set -e`: cleanup must run on every path, and we check errors ourselves.

PROG=${0##*/}
# Fixed, well-known password for the throw-away login keyring. It only ever
# protects a temp dir that is deleted on exit, so there is nothing to leak.
KEYRING_PASSWORD='postgate-test-keyring'
READY_TIMEOUT=10   # seconds to wait for each daemon to come up

die() {
  printf '%s: error: %s\n' "$PROG" "$*" >&2
  exit 1
}

MODE=supervise
if [ "$#" -gt 0 ]; then
  case "$1" in
    --exec)
      shift
      [ "$#" -gt 0 ] || { printf '%s: error: --exec needs a command\n' "$PROG" >&2; exit 2; }
      MODE=exec
      ;;
    -h|--help)
      sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
      exit 0
      ;;
    *)
      printf '%s: error: unknown argument %s (try --help)\n' "$PROG" "$1" >&2
      exit 2
      ;;
  esac
fi

# --- prerequisites: fail loudly, with a distinct status, before touching anything
missing=
for tool in dbus-daemon gnome-keyring-daemon dbus-send; do
  command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
  printf '%s: error: required program(s) not found on PATH:%s\n' "$PROG" "$missing" >&2
  printf '%s: hint: apt-get install dbus-daemon dbus-bin gnome-keyring\n' "$PROG" >&2
  exit 127
fi

# --- state and cleanup ---------------------------------------------------------
TMP=
DBUS_PID=
GKR_PID=
CLEANED=

# Stop one daemon we started: TERM, give it ~2s, then KILL; always reap it so
# no zombie is left behind (PID 1 in containers often does not reap).
stop_pid() {
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

cleanup() {
  [ -n "$CLEANED" ] && return 0
  CLEANED=1
  # Keyring first (it would exit by itself once the bus vanishes, but be explicit).
  stop_pid "$GKR_PID"
  stop_pid "$DBUS_PID"
  [ -n "$TMP" ] && rm -rf -- "$TMP"
  return 0
}

dump_logs() {
  local f
  for f in "$TMP/dbus.log" "$TMP/gkr.log"; do
    [ -s "$f" ] || continue
    printf '%s: ---- %s ----\n' "$PROG" "${f##*/}" >&2
    sed 's/^/    /' "$f" >&2
  done
}

fail() {
  printf '%s: error: %s\n' "$PROG" "$*" >&2
  dump_logs
  cleanup
  exit 1
}

trap cleanup EXIT
# Turn signals into a normal exit so the EXIT trap does the cleanup.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
# If the parent stops reading our stdout/stderr, do not die half-way.
trap '' PIPE

# --- private directories ----------------------------------------------------------
# Everything the daemons persist (keyring files, control sockets, bus socket)
# goes under one 0700 temp dir, so nothing touches the real $HOME and
# deleting the dir is a complete cleanup.
TMP=$(mktemp -d "${TMPDIR:-/tmp}/postgate-keychain.XXXXXXXX") || die "mktemp failed"
mkdir -p "$TMP/home" "$TMP/data" "$TMP/config" "$TMP/run" || fail "cannot create dirs in $TMP"
chmod 700 "$TMP/run"

# --- private session bus ---------------------------------------------------------------
# Our own bus config instead of `--session`'s session.conf: identical policy,
# but (1) the socket lives in our temp dir and (2) there are NO service dirs,
# so nothing is D-Bus-activated. That matters: with the stock config, a call
# to org.freedesktop.secrets after our keyring died would silently auto-start
# a fresh, *locked* gnome-keyring, and a lock prompt would try to activate
# gcr-prompter; here both fail fast instead of hanging.
cat >"$TMP/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$TMP/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF

# --nofork + '&' (rather than --fork) keeps dbus-daemon our child, so we know
# its PID and can reap it. It writes its address to fd 3 once it is listening;
# fd 3 is a FIFO, so `read` below blocks exactly until the bus is ready (or
# gets EOF if the daemon dies first). stdin/stdout/stderr are NOT inherited
# from us: a daemon holding our stdout would keep the parent's pipe open.
mkfifo "$TMP/addr.fifo" || fail "mkfifo failed"
dbus-daemon --nofork --config-file="$TMP/bus.conf" --print-address=3 \
  3>"$TMP/addr.fifo" </dev/null >"$TMP/dbus.log" 2>&1 &
DBUS_PID=$!
BUS_ADDR=
IFS= read -r -t "$READY_TIMEOUT" BUS_ADDR <"$TMP/addr.fifo"
[ -n "$BUS_ADDR" ] || fail "dbus-daemon did not report an address"
export DBUS_SESSION_BUS_ADDRESS="$BUS_ADDR"

# --- keyring daemon -------------------------------------------------------------------
# --unlock reads the login password from stdin; with an empty keyring dir it
# creates the "login" collection with that password, unlocked, and the
# Secret Service "default" alias resolves to it -- so creating items needs no
# prompt. --foreground + '&' keeps it our child (as above). HOME/XDG_* point
# into the temp dir only for the daemon; DISPLAY etc. are dropped so it never
# tries a GUI. Only the secrets component: no ssh/pkcs11 agents.
printf '%s' "$KEYRING_PASSWORD" | env -u DISPLAY -u WAYLAND_DISPLAY \
  HOME="$TMP/home" XDG_DATA_HOME="$TMP/data" XDG_CONFIG_HOME="$TMP/config" \
  XDG_RUNTIME_DIR="$TMP/run" DBUS_SESSION_BUS_ADDRESS="$BUS_ADDR" \
  gnome-keyring-daemon --foreground --unlock --components=secrets \
  --control-directory="$TMP/run/keyring" >"$TMP/gkr.log" 2>&1 &
GKR_PID=$!   # PID of the last pipeline element, i.e. the daemon

# Poll until the daemon owns org.freedesktop.secrets, the "default" alias
# resolves to a collection, and that collection is unlocked.
dbus_get() { # dest path method args... -> prints the reply body, no header
  dbus-send --session --print-reply=literal --reply-timeout=2000 "$@" 2>/dev/null
}
ready=
deadline=$(( $(date +%s) + READY_TIMEOUT ))
while [ "$(date +%s)" -le "$deadline" ]; do
  kill -0 "$GKR_PID" 2>/dev/null || fail "gnome-keyring-daemon exited during startup"
  coll=$(dbus_get --dest=org.freedesktop.secrets /org/freedesktop/secrets \
           org.freedesktop.Secret.Service.ReadAlias string:default) || coll=
  coll=$(printf '%s' "$coll" | tr -d '[:space:]')
  if [ -n "$coll" ] && [ "$coll" != "/" ]; then
    locked=$(dbus_get --dest=org.freedesktop.secrets "$coll" \
               org.freedesktop.DBus.Properties.Get \
               string:org.freedesktop.Secret.Collection string:Locked) || locked=
    case "$locked" in
      *false*) ready=1; break ;;
    esac
  fi
  sleep 0.05
done
[ -n "$ready" ] || fail "keyring's default collection did not become available and unlocked within ${READY_TIMEOUT}s"

# --- hand over -------------------------------------------------------------------------
if [ "$MODE" = exec ]; then
  # Run CMD in the foreground (it keeps our stdin/tty); bash runs the traps
  # after it returns, so Ctrl-C still cleans up.
  "$@"
  rc=$?
  cleanup
  exit "$rc"
fi

[ -t 0 ] && printf '%s: note: stdin is a terminal; press Ctrl-D to stop the session\n' "$PROG" >&2
printf 'DBUS_SESSION_BUS_ADDRESS=%s\n' "$BUS_ADDR"
# Close stdout so a parent that reads it to EOF does not hang on us.
exec >/dev/null

# Block until the parent goes away. `read` is a builtin, so a trapped signal
# interrupts it immediately (an external `cat` would delay the trap).
while IFS= read -r _line; do :; done
exit 0
