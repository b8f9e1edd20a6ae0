#!/usr/bin/env bash
# supervise-postgres.sh -- a throwaway PostgreSQL cluster for one test process.
#
# initdb in a temp folder, TLS from a test CA made here, listening on 127.0.0.1 only on a free
# port, TCP with TLS and a scram-sha-256 password the only way in (pg_hba.conf has one
# `hostssl` line and no `host` or `local` line, so a client without TLS is refused).
#
# Tests start this with stdin as a pipe. It prints these lines, in this order, when the server
# accepts connections:
#   POSTGRES_PORT=<port on 127.0.0.1>
#   POSTGRES_CA=<PEM file of the CA that signed the server's certificate, for sslmode=verify-full
#                against host localhost>
#   POSTGRES_BIN=<folder of the server's own psql>
#   POSTGRES_SUPERUSER=<superuser name>
#   POSTGRES_SUPERUSER_PASSWORD=<its password>
# then waits for EOF on stdin (the test process exited, however it ended), stops the cluster
# (`pg_ctl stop -m fast`) and removes the folder.
#
# PostgreSQL refuses to run as root: as root the cluster runs as the `postgres` system user
# (made by Debian's `postgresql` package, which scripts/test.sh installs), which owns the
# folder; otherwise as the current user.
#
# Env: POSTGRES_BIN to use another folder of PostgreSQL programs (default: the newest
# /usr/lib/postgresql/*/bin, Debian's layout, else whatever initdb is on PATH).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"

BIN=${POSTGRES_BIN:-}
if [ -z "$BIN" ]; then
  # Debian keeps initdb and pg_ctl off PATH (pg_wrapper only wraps the clients).
  BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$BIN" ] || BIN=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
fi
[ -x "$BIN/initdb" ] && [ -x "$BIN/pg_ctl" ] && [ -x "$BIN/psql" ] ||
  die "no initdb, pg_ctl and psql in $BIN (install Debian's postgresql package, or set POSTGRES_BIN)"
command -v openssl >/dev/null || die "no openssl (Debian package openssl)"
command -v python3 >/dev/null || die "no python3 (it picks the free port)"

if [ "$(id -u)" -eq 0 ]; then
  getent passwd postgres >/dev/null || die "running as root and there is no postgres user to run the server as"
  as_server() { runuser -u postgres -- "$@"; }
  SERVER_USER=postgres
else
  as_server() { "$@"; }
  SERVER_USER=$(id -un)
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/postgate-postgres.XXXXXX")
STARTED=
cleanup() {
  if [ -n "$STARTED" ]; then
    as_server "$BIN/pg_ctl" stop -D "$WORK/data" -m fast -s >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP
# The test process (root, or this same user) reads ca.crt; the key (0600) and the data folder
# (0700, initdb's) stay the server's alone.
chmod 0755 "$WORK"

# The test CA and the server's certificate. EC P-256: fast to make, and every libpq takes it.
(
  cd "$WORK"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=postgate test CA" -keyout ca.key -out ca.crt 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >server.ext
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
    -extfile server.ext -out server.crt 2>/dev/null
  rm -f ca.key server.csr server.ext ca.srl
  chmod 0644 ca.crt server.crt
  chmod 0600 server.key
) || die "openssl could not make the test certificates"

SUPERUSER=postgate_super
PASSWORD=$(openssl rand -hex 24)
# initdb reads the superuser's password from a file, never argv.
(umask 077 && printf '%s\n' "$PASSWORD" >"$WORK/pwfile")
chown -R "$SERVER_USER" "$WORK"

as_server "$BIN/initdb" -D "$WORK/data" -U "$SUPERUSER" --pwfile="$WORK/pwfile" \
  --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-instructions >"$WORK/initdb.log" 2>&1 ||
  {
    cat "$WORK/initdb.log" >&2
    die "initdb failed"
  }
rm -f "$WORK/pwfile"

# Only TLS over TCP from loopback, with a password. No `local` line: the script needs no
# socket login (pg_ctl -w reads postmaster.pid), and the tests connect as a client would.
printf '%s\n' '# TYPE  DATABASE USER ADDRESS      METHOD' \
  'hostssl all      all  127.0.0.1/32 scram-sha-256' >"$WORK/data/pg_hba.conf"
chown "$SERVER_USER" "$WORK/data/pg_hba.conf"

# fsync, synchronous_commit and full_page_writes off: the cluster is thrown away when the run
# ends, so durability across a machine crash buys nothing, and off makes each CREATE DATABASE
# and commit cheaper on a shared 2-core machine. Never settings for a real store.
cat >>"$WORK/data/postgresql.conf" <<EOF

# supervise-postgres.sh
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK'
ssl = on
ssl_cert_file = '$WORK/server.crt'
ssl_key_file = '$WORK/server.key'
ssl_min_protocol_version = 'TLSv1.2'
password_encryption = 'scram-sha-256'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
EOF

# Free port: bind to 0 and release it. Another process may take it before the server binds,
# so a start that fails on the port is tried again with a new one.
PORT=
for attempt in 1 2 3 4 5; do
  candidate=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  sed -i '/^port = /d' "$WORK/data/postgresql.conf"
  echo "port = $candidate" >>"$WORK/data/postgresql.conf"
  : >"$WORK/server.log"
  chown "$SERVER_USER" "$WORK/server.log"
  if as_server "$BIN/pg_ctl" start -D "$WORK/data" -l "$WORK/server.log" -w -t 60 -s >/dev/null 2>&1; then
    PORT=$candidate
    STARTED=1
    break
  fi
  if grep -qs 'could not bind\|Address already in use' "$WORK/server.log"; then
    say "port $candidate was taken (attempt $attempt), trying another"
    continue
  fi
  cat "$WORK/server.log" >&2
  die "PostgreSQL did not start"
done
[ -n "$PORT" ] || die "no free port for PostgreSQL after 5 attempts"

echo "POSTGRES_PORT=$PORT"
echo "POSTGRES_CA=$WORK/ca.crt"
echo "POSTGRES_BIN=$BIN"
echo "POSTGRES_SUPERUSER=$SUPERUSER"
echo "POSTGRES_SUPERUSER_PASSWORD=$PASSWORD"
exec >/dev/null
while IFS= read -r _; do :; done
