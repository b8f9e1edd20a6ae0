#!/usr/bin/env bash
# bench-platforms.sh -- time `postgate post` against the loopback servers, next to curl making
# the same HTTP requests. Prints figures; asserts nothing. Goal (issue 3): postgate <= 1.5x curl.
#
# What each side does per post:
#   Mastodon  postgate: GET /api/v2/instance, GET verify_credentials, POST /api/v1/statuses,
#                       plus the policy, banner, confirmation and two fsync'd audit records.
#             curl:     the same three requests, one curl process each.
#   Bluesky   postgate: createSession (environment credential, nothing kept), getSession,
#                       createRecord, plus the same local work.
#             curl:     the same three requests.
#   X         postgate: GET /2/users/me, POST /2/tweets (an OAuth 2.0 token from the
#                       environment), plus the same local work; against the fake X API
#                       (fakes/) directly, without Prism, which would time itself.
#             curl:     the same two requests.
#   LinkedIn  postgate: GET /v2/userinfo, GET /rest/organizations/{id}, GET
#                       /rest/organizationAuthorizations/(…), POST /rest/posts (a token from the
#                       environment), plus the same local work; against the LinkedIn fake.
#             curl:     the same four requests.
#   Facebook  postgate: GET /me, POST /{page-id}/feed (a Page token from the environment), plus
#                       the same local work; against the fake Graph API (fakes/).
#             curl:     the same two requests.
# Usage: scripts/bench-platforms.sh [RUNS]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}
cargo build --release --quiet
cargo build --release --quiet -p postgate-fakes
BIN=$PWD/target/release/postgate
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The supervisors stop their server when their stdin closes, i.e. when this script exits and
# the descriptors it holds (3 and 4) close.
mkfifo "$WORK/mm.in" "$WORK/mm.out" "$WORK/pds.in" "$WORK/pds.out" "$WORK/x.out" "$WORK/li.out" "$WORK/fb.out"
bash scripts/servers/supervise-mastodon-mock.sh <"$WORK/mm.in" >"$WORK/mm.out" 2>/dev/null &
exec 3>"$WORK/mm.in"
bash scripts/servers/supervise-pds.sh <"$WORK/pds.in" >"$WORK/pds.out" 2>/dev/null &
exec 4>"$WORK/pds.in"
target/release/postgate-fake-x --port 0 >"$WORK/x.out" 2>/dev/null &
XPID=$!
target/release/postgate-fake-linkedin --port 0 >"$WORK/li.out" 2>/dev/null &
LIPID=$!
target/release/postgate-fake-facebook --port 0 >"$WORK/fb.out" 2>/dev/null &
FBPID=$!
trap 'kill $XPID $LIPID $FBPID 2>/dev/null; rm -rf "$WORK"' EXIT
read -r line <"$WORK/x.out"; X_URL=${line#X_FAKE_URL=}
read -r line <"$WORK/li.out"; LI_URL=${line#LINKEDIN_FAKE_URL=}
read -r line <"$WORK/fb.out"; FB_URL=${line#FACEBOOK_FAKE_URL=}
read -r line <"$WORK/mm.out"; MASTODON_URL=${line#MASTODON_URL=}
read -r line <"$WORK/pds.out"; PDS_URL=${line#PDS_URL=}

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
ms() { python3 -c "import time; print(time.monotonic_ns() // 1000)"; }

# Accounts.
MTOKEN=$(curl -sf -X POST -H 'Content-Type: application/json' -d '{"username":"bench"}' "$MASTODON_URL/api/v1/_mock/dev_user" | json '["access_token"]')
MPORT=${MASTODON_URL##*:}
BHANDLE=bench$$.test
curl -sf -X POST -H 'Content-Type: application/json' \
  -d "{\"handle\":\"$BHANDLE\",\"email\":\"b$$@example.com\",\"password\":\"main-pw-bench\"}" \
  "$PDS_URL/xrpc/com.atproto.server.createAccount" >/dev/null

XUSER=$(curl -sf -X POST -H 'Content-Type: application/json' -d '{"username":"bench"}' "$X_URL/_fake/users" | json '["id"]')
XTOKEN=$(curl -sf -X POST -H 'Content-Type: application/json' -d "{\"user_id\":\"$XUSER\"}" "$X_URL/_fake/tokens/oauth2" | json '["access_token"]')
FBPAGE=$(curl -sf -X POST -H 'Content-Type: application/json' -d '{"username":"BenchPage"}' "$FB_URL/_fake/pages" | json '["id"]')
FBTOKEN=$(curl -sf -X POST -H 'Content-Type: application/json' -d "{\"page_id\":\"$FBPAGE\"}" "$FB_URL/_fake/tokens/page" | json '["access_token"]')

LIORG=$(curl -sf -X POST -H 'Content-Type: application/json' -d '{"vanity":"bench-org"}' "$LI_URL/_fake/organizations" | json '["urn"]')
LIMEMBER=$(curl -sf -X POST -H 'Content-Type: application/json' -d '{"name":"Bench"}' "$LI_URL/_fake/members" | json '["sub"]')
curl -sf -X POST -H 'Content-Type: application/json' \
  -d "{\"member\":\"$LIMEMBER\",\"organization\":\"$LIORG\",\"role\":\"ADMINISTRATOR\"}" "$LI_URL/_fake/roles" >/dev/null
LITOKEN=$(curl -sf -X POST -H 'Content-Type: application/json' -d "{\"member\":\"$LIMEMBER\"}" "$LI_URL/_fake/tokens" | json '["access_token"]')

cat >"$WORK/policy.toml" <<TOML
[audit]
path = "$WORK/audit.jsonl"
[[accounts]]
name = "masto"
handle = "@bench@localhost:$MPORT"
platform = "mastodon"
instance = "$MASTODON_URL"
kind = "official"
display_name = "Bench"
owner = "Bench"
credentials = "keychain-or-env"
[[accounts]]
name = "bsky"
handle = "$BHANDLE"
platform = "bluesky"
service = "$PDS_URL"
kind = "official"
display_name = "Bench"
owner = "Bench"
credentials = "keychain-or-env"
[[accounts]]
name = "x"
handle = "@bench"
platform = "x"
api = "$X_URL"
kind = "official"
display_name = "Bench"
owner = "Bench"
credentials = "keychain-or-env"
[[accounts]]
name = "li"
handle = "@bench-org"
platform = "linkedin"
organization = "$LIORG"
api = "$LI_URL"
kind = "official"
display_name = "Bench"
owner = "Bench"
credentials = "keychain-or-env"
[[accounts]]
name = "fb"
handle = "@BenchPage"
platform = "facebook"
page_id = "$FBPAGE"
api = "$FB_URL"
kind = "official"
display_name = "Bench"
owner = "Bench"
credentials = "keychain-or-env"
TOML
export POSTGATE_POLICY=$WORK/policy.toml DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent
export POSTGATE_SECRET_MASTO=$MTOKEN POSTGATE_SECRET_BSKY=main-pw-bench
export POSTGATE_SECRET_X="{\"access_token\":\"$XTOKEN\"}" POSTGATE_SECRET_LI=$LITOKEN POSTGATE_SECRET_FB=$FBTOKEN

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

time_runs() { # name command...
  local name=$1; shift
  local t0 t1
  for i in $(seq "$RUNS"); do
    t0=$(ms); "$@" "$i" >/dev/null 2>"$WORK/err" || { echo "$name failed:" >&2; tail -5 "$WORK/err" >&2; exit 1; }; t1=$(ms)
    echo $((t1 - t0))
  done | median
}

postgate_masto() { "$BIN" post -a masto --confirm-handle "@bench@localhost:$MPORT" "bench postgate $1"; }
curl_masto() {
  curl -sf "$MASTODON_URL/api/v2/instance" >/dev/null
  curl -sf -H "Authorization: Bearer $MTOKEN" "$MASTODON_URL/api/v1/accounts/verify_credentials" >/dev/null
  curl -sf -X POST -H "Authorization: Bearer $MTOKEN" -H "Idempotency-Key: curl-$$-$1" \
    -H 'Content-Type: application/json' -d "{\"status\":\"bench curl $1\"}" "$MASTODON_URL/api/v1/statuses"
}
postgate_bsky() { "$BIN" post -a bsky --confirm-handle "$BHANDLE" "bench postgate $1"; }
curl_bsky() {
  local s access did
  s=$(curl -sf -X POST -H 'Content-Type: application/json' \
    -d "{\"identifier\":\"$BHANDLE\",\"password\":\"main-pw-bench\"}" "$PDS_URL/xrpc/com.atproto.server.createSession")
  access=$(printf '%s' "$s" | json '["accessJwt"]'); did=$(printf '%s' "$s" | json '["did"]')
  curl -sf -H "Authorization: Bearer $access" "$PDS_URL/xrpc/com.atproto.server.getSession" >/dev/null
  curl -sf -X POST -H "Authorization: Bearer $access" -H 'Content-Type: application/json' \
    -d "{\"repo\":\"$did\",\"collection\":\"app.bsky.feed.post\",\"record\":{\"\$type\":\"app.bsky.feed.post\",\"text\":\"bench curl $1\",\"createdAt\":\"$(date -u +%Y-%m-%dT%H:%M:%S.000Z)\"}}" \
    "$PDS_URL/xrpc/com.atproto.repo.createRecord"
}

postgate_x() { "$BIN" post -a x --confirm-handle @bench "bench postgate $1"; }
curl_x() {
  curl -sf -H "Authorization: Bearer $XTOKEN" "$X_URL/2/users/me" >/dev/null
  curl -sf -X POST -H "Authorization: Bearer $XTOKEN" -H 'Content-Type: application/json' \
    -d "{\"text\":\"bench curl $1\"}" "$X_URL/2/tweets"
}

postgate_li() { "$BIN" post -a li --confirm-handle @bench-org "bench postgate $1"; }
curl_li() {
  local h=(-H "Authorization: Bearer $LITOKEN" -H 'Linkedin-Version: 202607' -H 'X-Restli-Protocol-Version: 2.0.0')
  local org=${LIORG//:/%3A}
  curl -sf "${h[@]}" "$LI_URL/v2/userinfo" >/dev/null
  curl -sf "${h[@]}" "$LI_URL/rest/organizations/${LIORG##*:}" >/dev/null
  curl -sf "${h[@]}" "$LI_URL/rest/organizationAuthorizations/(impersonator:urn%3Ali%3Aperson%3A$LIMEMBER,organization:$org,action:(organizationContentAuthorizationAction:(actionType:ORGANIC_SHARE_CREATE)))" >/dev/null
  curl -sf "${h[@]}" -X POST -H 'Content-Type: application/json' \
    -d "{\"author\":\"$LIORG\",\"commentary\":\"bench curl $1\",\"visibility\":\"PUBLIC\",\"distribution\":{\"feedDistribution\":\"MAIN_FEED\",\"targetEntities\":[],\"thirdPartyDistributionChannels\":[]},\"lifecycleState\":\"PUBLISHED\"}" \
    "$LI_URL/rest/posts"
}
postgate_fb() { "$BIN" post -a fb --confirm-handle @BenchPage "bench postgate $1"; }
curl_fb() {
  curl -sf -H "Authorization: Bearer $FBTOKEN" "$FB_URL/v25.0/me?fields=id,name,username" >/dev/null
  curl -sf -X POST -H "Authorization: Bearer $FBTOKEN" --data-urlencode "message=bench curl $1" \
    "$FB_URL/v25.0/$FBPAGE/feed"
}

echo "## post against loopback servers ($RUNS runs each, median, microseconds)"
pm=$(time_runs postgate-mastodon postgate_masto); cm=$(time_runs curl-mastodon curl_masto)
pb=$(time_runs postgate-bluesky postgate_bsky); cb=$(time_runs curl-bluesky curl_bsky)
px=$(time_runs postgate-x postgate_x); cx=$(time_runs curl-x curl_x)
pl=$(time_runs postgate-linkedin postgate_li); cl=$(time_runs curl-linkedin curl_li)
pf=$(time_runs postgate-facebook postgate_fb); cf=$(time_runs curl-facebook curl_fb)
awk -v pm="$pm" -v cm="$cm" -v pb="$pb" -v cb="$cb" -v px="$px" -v cx="$cx" -v pl="$pl" -v cl="$cl" -v pf="$pf" -v cf="$cf" 'BEGIN {
  printf "mastodon  postgate %8d  curl %8d  ratio %.2f (goal <= 1.5)\n", pm, cm, pm / cm
  printf "bluesky   postgate %8d  curl %8d  ratio %.2f (goal <= 1.5)\n", pb, cb, pb / cb
  printf "x         postgate %8d  curl %8d  ratio %.2f (goal <= 1.5)\n", px, cx, px / cx
  printf "linkedin  postgate %8d  curl %8d  ratio %.2f (goal <= 1.5)\n", pl, cl, pl / cl
  printf "facebook  postgate %8d  curl %8d  ratio %.2f (goal <= 1.5)\n", pf, cf, pf / cf
  print "(curl runs one process per request and python3 to read JSON for Bluesky, as a shell script would)"
}'
