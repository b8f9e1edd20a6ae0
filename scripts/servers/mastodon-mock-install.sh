#!/usr/bin/env bash
# mastodon-mock-install.sh -- install mastodon-mock for loopback integration tests.
#
# There is no real Mastodon-API server installable from apt, npm, PyPI or
# crates.io (Mastodon, GoToSocial, Akkoma, snac2, ... are Ruby/Go/Elixir/C
# projects shipped outside those registries). mastodon-mock (PyPI, FastAPI +
# SQLite) is a third-party mock of the Mastodon client API that does what the
# publishing tests need: tokens, POST /api/v1/statuses with Idempotency-Key,
# edit/delete, media, validation errors and fault injection.
#
# Installs a venv into $POSTGATE_SERVERS_DIR/mastodon-mock (default
# ~/.cache/postgate-servers/mastodon-mock). Idempotent: returns at once when
# the pinned version is already there.
#
# Env: POSTGATE_SERVERS_DIR, MASTODON_MOCK_VERSION (pin below), PYTHON (python3).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

VERSION=${MASTODON_MOCK_VERSION:-0.6.1}
PYTHON=${PYTHON:-python3}
MOCK_DIR=$SERVERS_DIR/mastodon-mock
VENV=$MOCK_DIR/venv
STAMP=$MOCK_DIR/installed.txt
WANT="mastodon-mock=$VERSION"

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -x "$VENV/bin/mastodon_mock" ]; then
  say "already installed in $MOCK_DIR ($WANT)"
  exit 0
fi

T0=$(now)
command -v "$PYTHON" >/dev/null || apt_install python3 python3-venv
# Debian/Ubuntu split venv (ensurepip) into python3-venv.
"$PYTHON" -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv

mkdir -p "$MOCK_DIR"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
say "installing mastodon-mock==$VERSION"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "mastodon-mock==$VERSION"
[ -x "$VENV/bin/mastodon_mock" ] || die "mastodon-mock installed but $VENV/bin/mastodon_mock is missing"

echo "$WANT" >"$STAMP"
say "installed in $MOCK_DIR in $(elapsed "$T0")s ($WANT)"
