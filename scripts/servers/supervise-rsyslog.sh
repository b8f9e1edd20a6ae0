#!/usr/bin/env bash
# supervise-rsyslog.sh -- run a private rsyslogd for one test process.
#
# The Debian package rsyslog's daemon (/usr/sbin/rsyslogd), with a configuration of its own in a
# temp folder: no system file is read (-f), its pid file (-i) and work directory are in that
# folder, it reads no /dev/log and no kernel log. It listens on
#   - TCP on a free loopback port (imtcp, port 0; the port it got is written to a file), which
#     accepts octet-counted framing (RFC 6587 §3.4.1) by default;
#   - UDP on a free loopback port (imudp, which cannot report a port of its own choosing, so
#     one is picked by binding port 0 and closing it again);
#   - a datagram socket in the temp folder (imuxsock), read with the normal parser chain
#     (UseSpecialParser off) so an RFC 5424 message is read as one.
# Every message is appended to one file as it arrived (`%rawmsg%`, one per line).
#
# Tests start this with stdin as a pipe. It prints exactly one line
#   RSYSLOG=<tcp port> <udp port> <socket path> <messages file>
# when all three inputs are there, then waits for EOF on stdin (the test process exited, however
# it ended) and stops rsyslogd.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"

RSYSLOGD=${RSYSLOGD:-/usr/sbin/rsyslogd}
[ -x "$RSYSLOGD" ] || die "no $RSYSLOGD (Debian package rsyslog; scripts/test.sh installs it)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/postgate-rsyslog.XXXXXX")
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null || true
  [ -n "$PID" ] && wait "$PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP

UDP_PORT=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir "$WORK/spool"
touch "$WORK/messages"
cat >"$WORK/rsyslog.conf" <<CONF
global(workDirectory="$WORK/spool" maxMessageSize="64k")
module(load="imuxsock" SysSock.Use="off")
module(load="imtcp")
module(load="imudp")
input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName="$WORK/tcp.port")
input(type="imudp" address="127.0.0.1" port="$UDP_PORT")
input(type="imuxsock" socket="$WORK/log.sock" useSpecialParser="off" createPath="off")
template(name="raw" type="string" string="%rawmsg%\n")
action(type="omfile" file="$WORK/messages" template="raw" flushOnTXEnd="on" asyncWriting="off")
CONF

"$RSYSLOGD" -n -f "$WORK/rsyslog.conf" -i "$WORK/rsyslogd.pid" >"$WORK/rsyslogd.log" 2>&1 </dev/null &
PID=$!
deadline=$((SECONDS + 30))
until [ -s "$WORK/tcp.port" ] && [ -S "$WORK/log.sock" ]; do
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/rsyslogd.log" >&2; die "rsyslogd exited during start-up"; }
  ((SECONDS < deadline)) || { cat "$WORK/rsyslogd.log" >&2; die "rsyslogd opened no TCP port and socket within 30s"; }
  sleep 0.05
done

echo "RSYSLOG=$(cat "$WORK/tcp.port") $UDP_PORT $WORK/log.sock $WORK/messages"
exec >/dev/null
while IFS= read -r _; do :; done
