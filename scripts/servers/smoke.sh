#!/usr/bin/env bash
# smoke.sh -- prove that both loopback test servers install, start, serve the
# calls postgate's publishing code depends on, and stop.
#
#   1. pds-install.sh, mastodon-mock-install.sh   (cold: a few minutes; warm: seconds)
#   2. start both on non-default ports, so a developer's own servers on the
#      defaults are left alone
#   3. Bluesky PDS: createInviteCode (admin) -> createAccount -> createSession
#      -> createRecord (app.bsky.feed.post) -> getRecord returns the same text
#   4. mastodon-mock: dev user -> verify_credentials -> the same status posted
#      twice with one Idempotency-Key yields one status id
#   5. stop both, check that the ports are free, print "SMOKE OK"
# Exits non-zero on the first failure; whatever it started is stopped on exit.
#
# Needs curl, and jq or python3 for JSON.
# Env: SMOKE_PDS_PORT (12583), SMOKE_PLC_PORT (12582), SMOKE_MASTODON_PORT (13000),
#      SMOKE_NO_JQ=1 to use the python3 JSON fallback even when jq is installed.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"

PDS_PORT=${SMOKE_PDS_PORT:-12583}
PLC_PORT=${SMOKE_PLC_PORT:-12582}
MASTODON_PORT=${SMOKE_MASTODON_PORT:-13000}
ADMIN_PASSWORD=smoke-admin-$RANDOM$RANDOM

step() { printf '\n== %s\n' "$*" >&2; }
fail() {
  printf '%s: FAILED: %s\n' "$PROG" "$*" >&2
  exit 1
}

command -v curl >/dev/null || die "curl is required"

# json FIELD: print FIELD (a dotted path such as "uri" or "value.text") of the
# JSON document on stdin; empty output if it is missing.
if command -v jq >/dev/null && [ -z "${SMOKE_NO_JQ:-}" ]; then
  json() { jq -r --arg p "$1" 'getpath($p | split(".")) // empty'; }
else
  command -v python3 >/dev/null || die "jq or python3 is required to read JSON"
  json() {
    python3 -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v.get(k) if isinstance(v, dict) else None
if v is not None:
    print(v if isinstance(v, str) else json.dumps(v))
' "$1"
  }
fi

# api CURL_ARGS...: a request that must succeed; prints the body. On an HTTP
# error the body (the server's error message) goes to stderr and we stop.
api() {
  local out code
  out=$(curl -sS --max-time 20 -w '\n%{http_code}' "$@") || fail "curl $* did not complete"
  code=${out##*$'\n'}
  out=${out%$'\n'*}
  [[ $code == 2?? ]] || fail "HTTP $code from curl $*: $out"
  printf '%s' "$out"
}

# Stop what we started on every exit path (the stop scripts are no-ops when
# the pid file is already gone).
cleanup() {
  PDS_PORT=$PDS_PORT "$HERE/pds-stop.sh" >/dev/null 2>&1 || true
  PORT=$MASTODON_PORT "$HERE/mastodon-mock-stop.sh" >/dev/null 2>&1 || true
}
trap cleanup EXIT

T0=$(now)
step "install"
t=$(now); "$HERE/pds-install.sh"; say "pds-install.sh: $(elapsed "$t")s"
t=$(now); "$HERE/mastodon-mock-install.sh"; say "mastodon-mock-install.sh: $(elapsed "$t")s"

step "start"
t=$(now)
# Not `eval "$(...)"` directly: that would swallow a failed start's exit status.
out=$(PDS_PORT=$PDS_PORT PLC_PORT=$PLC_PORT PDS_ADMIN_PASSWORD=$ADMIN_PASSWORD "$HERE/pds-start.sh") ||
  fail "pds-start.sh failed"
eval "$out"
say "pds-start.sh: $(elapsed "$t")s -> $PDS_URL"
t=$(now)
out=$(PORT=$MASTODON_PORT "$HERE/mastodon-mock-start.sh") || fail "mastodon-mock-start.sh failed"
eval "$out"
say "mastodon-mock-start.sh: $(elapsed "$t")s -> $MASTODON_URL"

# ---- Bluesky PDS ------------------------------------------------------------
step "PDS flow against $PDS_URL"
X=$PDS_URL/xrpc
JSON=(-H 'Content-Type: application/json')
handle=smoke$RANDOM$RANDOM.test
password=pw-$RANDOM$RANDOM

# Invites are off in pds-start.js; creating one anyway proves the admin
# password reached the PDS, and a code is accepted either way.
invite=$(api -u "admin:$ADMIN_PASSWORD" "${JSON[@]}" -X POST "$X/com.atproto.server.createInviteCode" \
  -d '{"useCount":1}' | json code)
[ -n "$invite" ] || fail "createInviteCode returned no code"
echo "createInviteCode: $invite"

did=$(api "${JSON[@]}" -X POST "$X/com.atproto.server.createAccount" \
  -d "{\"handle\":\"$handle\",\"email\":\"$handle@example.com\",\"password\":\"$password\",\"inviteCode\":\"$invite\"}" | json did)
[[ $did == did:plc:* ]] || fail "createAccount returned did '$did', expected did:plc:..."
echo "createAccount: $handle -> $did"

session=$(api "${JSON[@]}" -X POST "$X/com.atproto.server.createSession" \
  -d "{\"identifier\":\"$handle\",\"password\":\"$password\"}")
token=$(json accessJwt <<<"$session")
[ -n "$token" ] && [ "$(json did <<<"$session")" = "$did" ] || fail "createSession: $session"
echo "createSession: ok"

text="postgate smoke $RANDOM"
created=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
record=$(api "${JSON[@]}" -H "Authorization: Bearer $token" -X POST "$X/com.atproto.repo.createRecord" \
  -d "{\"repo\":\"$did\",\"collection\":\"app.bsky.feed.post\",\"record\":{\"\$type\":\"app.bsky.feed.post\",\"text\":\"$text\",\"createdAt\":\"$created\"}}")
uri=$(json uri <<<"$record")
[[ $uri == "at://$did/app.bsky.feed.post/"* ]] || fail "createRecord: $record"
[ "$(json validationStatus <<<"$record")" = valid ] || fail "createRecord not validated: $record"
echo "createRecord: $uri"

got=$(api "$X/com.atproto.repo.getRecord?repo=$did&collection=app.bsky.feed.post&rkey=${uri##*/}" | json value.text)
[ "$got" = "$text" ] || fail "getRecord text '$got', expected '$text'"
echo "getRecord: text matches"

# ---- mastodon-mock ----------------------------------------------------------
step "mastodon-mock flow against $MASTODON_URL"
M=$MASTODON_URL/api/v1
user=smoke$RANDOM
mtoken=$(api "${JSON[@]}" -X POST "$M/_mock/dev_user" -d "{\"username\":\"$user\"}" | json access_token)
[ -n "$mtoken" ] || fail "_mock/dev_user returned no access_token"
echo "dev_user: $user"

me=$(api -H "Authorization: Bearer $mtoken" "$M/accounts/verify_credentials" | json username)
[ "$me" = "$user" ] || fail "verify_credentials says '$me', expected '$user'"
echo "verify_credentials: $me"

key=smoke-$RANDOM$RANDOM
post() {
  api -H "Authorization: Bearer $mtoken" -H "Idempotency-Key: $key" "${JSON[@]}" -X POST "$M/statuses" \
    -d '{"status":"postgate smoke","visibility":"public"}' | json id
}
id1=$(post)
id2=$(post)
[ -n "$id1" ] || fail "POST /statuses returned no id"
[ "$id1" = "$id2" ] || fail "same Idempotency-Key gave two statuses: $id1 and $id2"
echo "statuses: Idempotency-Key honoured (id $id1 twice)"

# ---- stop -------------------------------------------------------------------
step "stop"
t=$(now)
PDS_PORT=$PDS_PORT "$HERE/pds-stop.sh"
PORT=$MASTODON_PORT "$HERE/mastodon-mock-stop.sh"
say "stop: $(elapsed "$t")s"
for p in "$PLC_PORT" "$PDS_PORT" "$MASTODON_PORT"; do
  ! port_busy "$p" || fail "port $p still answers after stop"
done

echo
say "total $(elapsed "$T0")s"
echo "SMOKE OK"
