#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need, then runs them, and
# says at the end how long it all took (build included), whether it passed or not.
#
# The integration tests are one test binary (tests/lib.rs, a module per feature), so each real
# service below starts once per run, the first time a test needs it, and stops when that binary
# exits (each runs under a supervisor that stops it when the binary's end of a pipe closes):
# - a Secret Service: a private D-Bus session with an unlocked gnome-keyring
#   (scripts/keychain-session.sh);
# - mastodon-mock, a third-party Mastodon API server, on a free loopback port
#   (scripts/servers/supervise-mastodon-mock.sh), and a second one for the tests that inject
#   faults, which apply to the whole server;
# - the reference Bluesky PDS with an in-memory PLC directory, on free loopback ports
#   (scripts/servers/supervise-pds.sh).
# - the X fake (fakes/, binary postgate-fake-x, built here before the tests) behind Prism running
#   X's OpenAPI document in proxy mode (scripts/servers/supervise-x.sh). The document stays out
#   of the repository (X's licence): POSTGATE_X_OPENAPI names it, and when unset it is
#   downloaded once into ~/.cache/postgate-servers.
# - the Facebook Graph API fake (fakes/, binary postgate-fake-facebook, built here before the
#   tests; scripts/servers/supervise-facebook.sh), with nothing in front of it: Meta publishes no
#   machine-readable description of the Graph API.
# - PostgreSQL, a throwaway cluster (initdb and pg_ctl in a temp folder, as the postgres user when
#   run as root) on a free loopback port, TLS only, with a test CA made by openssl
#   (scripts/servers/supervise-postgres.sh); each store test makes its own database and roles.
# The servers are installed under ~/.cache/postgate-servers the first time (a Python venv;
# Node 22 and @atproto/pds, and Prism, from the npm registry).
# This script makes sure the system programs exist, installing them with apt on Debian/Ubuntu
# when they are missing (as root, or through sudo), and installs mastodon-mock up front so its
# download is not charged to the first test.
set -euo pipefail
cd "$(dirname "$0")/.."

# Printed however the script ends: success, a failed step, or the deadline below. The CPU
# time of everything it ran says how much of the wall time was this run's on a busy machine.
started=$SECONDS
took() {
  local s=$((SECONDS - started)) t cpu
  t=$(mktemp)
  times >"$t" # a builtin, run in this shell: its second line is the children's user and system time
  cpu=$(tail -n 1 "$t")
  rm -f "$t"
  echo "test.sh: took $((s / 60))m$((s % 60))s, exit status $1 (CPU: user ${cpu% *}, system ${cpu#* })" >&2
}
trap 'took $?' EXIT

missing=()
command -v dbus-daemon >/dev/null || missing+=(dbus-daemon)
command -v dbus-send >/dev/null || missing+=(dbus-bin)
command -v gnome-keyring-daemon >/dev/null || missing+=(gnome-keyring)
command -v curl >/dev/null || missing+=(curl)
command -v secret-tool >/dev/null || missing+=(libsecret-tools)
command -v python3 >/dev/null || missing+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
# tests/release.rs builds the release files with scripts/release.sh: dpkg-shlibdeps computes the
# package's Depends, file and objdump prove the tarball's binary static, libc.a links it.
command -v dpkg-shlibdeps >/dev/null || missing+=(dpkg-dev)
command -v file >/dev/null || missing+=(file)
command -v objdump >/dev/null || missing+=(binutils)
# tests/store_server.rs and the store tests: Debian's postgresql package keeps initdb and pg_ctl in
# /usr/lib/postgresql/<version>/bin; openssl makes the cluster's test CA.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
command -v openssl >/dev/null || missing+=(openssl)
# The review page's tests run in a real browser (tests/browser.rs).
[ -x /usr/bin/chromium ] || missing+=(chromium)
# tests/syslog.rs forwards audit records to a private rsyslogd (scripts/servers/supervise-rsyslog.sh).
[ -x /usr/sbin/rsyslogd ] || missing+=(rsyslog)
case $(cc -print-file-name=libc.a 2>/dev/null) in /*) ;; *) missing+=(libc6-dev) ;; esac
if ((${#missing[@]})); then
  echo "test.sh: installing ${missing[*]}" >&2
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

bash scripts/servers/mastodon-mock-install.sh
bash scripts/servers/pds-install.sh
bash scripts/servers/prism-install.sh
bash scripts/servers/playwright-install.sh
if [ -z "${POSTGATE_X_OPENAPI:-}" ]; then
  spec=${POSTGATE_SERVERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/postgate-servers}/x-openapi.json
  if [ ! -s "$spec" ]; then
    mkdir -p "$(dirname "$spec")"
    curl -fsS --max-time 60 -o "$spec.part" https://api.x.com/2/openapi.json && mv "$spec.part" "$spec" || {
      rm -f "$spec.part"
      echo "test.sh: cannot download X's OpenAPI document from https://api.x.com/2/openapi.json;" \
        "set POSTGATE_X_OPENAPI to a copy of it (the X tests check against it)" >&2
      exit 1
    }
  fi
  export POSTGATE_X_OPENAPI=$spec
fi
bash scripts/servers/twitter-text-install.sh
# tests/x_counting.rs reads twitter-text's conformance vectors from this variable (they stay out
# of the repository): .ci/run sets it to CI's copy; elsewhere they are downloaded once.
if [ -z "${POSTGATE_TWITTER_TEXT_CONFORMANCE:-}" ]; then
  tt_yml=${POSTGATE_SERVERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/postgate-servers}/twitter-text-validate-30e2430.yml
  if [ ! -s "$tt_yml" ]; then
    mkdir -p "$(dirname "$tt_yml")"
    curl -fsSL --max-time 30 -o "$tt_yml.part" \
      https://raw.githubusercontent.com/twitter/twitter-text/30e2430/conformance/validate.yml &&
      mv "$tt_yml.part" "$tt_yml" || {
      rm -f "$tt_yml.part"
      echo "test.sh: cannot download twitter-text's conformance/validate.yml (commit 30e2430):" \
        "set POSTGATE_TWITTER_TEXT_CONFORMANCE to a copy of validate.yml" >&2
      exit 1
    }
  fi
  export POSTGATE_TWITTER_TEXT_CONFORMANCE=$tt_yml
fi

cargo fmt --all --check
cargo clippy --locked --all-targets -- -D warnings
# The fakes are a workspace member outside default-members: linted, unit-tested and built by name.
# Built before the tests, so supervise-x.sh and supervise-facebook.sh find their fake in target/debug.
cargo clippy --locked -p postgate-fakes --all-targets -- -D warnings
cargo test --locked -p postgate-fakes
cargo build --locked -p postgate-fakes
# Dependency licences, sources and advisories (deny.toml), when cargo-deny is installed; .ci/run
# installs it first.
bash scripts/deny.sh
# A deadline on the whole run, so that a test stuck on a terminal or a server fails with a
# message here instead of silently using up the CI job's time. A full run on 2 cores took 6m21s
# on a fresh clone, build included (7 CPU minutes), and 2 to 3 minutes once target/ is built.
limit=${POSTGATE_TEST_DEADLINE:-2700}
status=0
# --no-fail-fast: a failing target does not hide the ones after it (the benches' smoke runs).
timeout --kill-after=30 "$limit" cargo test --locked --all-targets --no-fail-fast || status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  echo "test.sh: the tests did not finish within ${limit}s; the last test named above is stuck" >&2
fi
exit "$status"
