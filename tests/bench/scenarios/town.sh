#!/usr/bin/env bash
# Town benchmark (issue 11, run by tests/bench/run.sh): every public list and search, the
# authenticated reads and the agents' lists, measured on the demo stack and on a second stack
# holding the "town" fixture (tests/bench/town.sh: ten years of content, 50,000 accounts, 200,000
# requests), side by side in one run, with each stack's healthz probe; then 64 connections of
# mixed public reads through each gateway, and logins against the argon2id ceiling with the p99
# of healthz during the storm. Public rows go through the gateway (what a visitor meets), the
# authenticated and agents' rows straight to the daemon. Reports, never fails.
#
# Env: BENCH_TOWN=0 skips it; BENCH_TOWN_DURATION (5s, each row), BENCH_MIXED_DURATION (60s),
# BENCH_LOGIN_DURATION (15s, the login storm),
# BENCH_PROBE_PACE_MS (5: each healthz probe connection waits that long between its requests
# during the login storm; 0 sends them back to back, a second storm rather than a probe),
# BENCH_TOWN_ONLY=login runs the login storm alone (no rows, no mixed reads),
# BENCH_TOWN_PORT (HTTP_PORT+100), BENCH_TOWN_KEEP=1 leaves the town stack running (its data stays
# in $CIVITAS_VAR/town either way, so the fixture is generated once).
set -uo pipefail
export LC_ALL=C
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
HTTP_PORT=${CIVITAS_HTTP_PORT:-8080}
VAR=$(cd "${CIVITAS_VAR:-./var}" && pwd)
TOWN_PORT=${BENCH_TOWN_PORT:-$((HTTP_PORT + 100))}
TOWN_VAR=$VAR/town
DUR=${BENCH_TOWN_DURATION:-5s}
MIXED_DUR=${BENCH_MIXED_DURATION:-60s}
T=${BENCH_THREADS:-2}
C=${BENCH_CONNECTIONS:-32}
PASSWORD=${CIVITAS_DEMO_PASSWORD:-civitas-demo-2026}
OUT=${BENCH_OUT_DIR:-$VAR/bench}
TMP=$(mktemp -d)
mkdir -p "$OUT"
[[ ${BENCH_TOWN:-1} == 0 ]] && { echo "town bench skipped (BENCH_TOWN=0)"; exit 0; }
command -v wrk >/dev/null || { echo "town bench skipped: wrk is needed"; exit 0; }

town_cli() { CIVITAS_VAR=$TOWN_VAR CIVITAS_HTTP_PORT=$TOWN_PORT CIVITAS_BUILD=${CIVITAS_BUILD:-$ROOT/build} "$ROOT/civitas" "$@"; }
cleanup() {
  [[ ${BENCH_TOWN_KEEP:-0} == 1 ]] || town_cli down >/dev/null 2>&1
  rm -rf "$TMP"
}
trap cleanup EXIT

echo "town: starting the town stack on port $TOWN_PORT (data in $TOWN_VAR)"
mkdir -p "$TOWN_VAR"
town_cli up >"$TMP/town-up.log" 2>&1 || { echo "town bench skipped: the town stack did not start"; tail -5 "$TMP/town-up.log"; exit 0; }
CIVITAS_VAR=$TOWN_VAR CIVITAS_HTTP_PORT=$TOWN_PORT "$ROOT/tests/bench/town.sh" || { echo "town bench skipped: fixture failed"; exit 0; }

# ---- tokens: signed in as the demo people; the same claims re-signed for an hour (a run lasts
# longer than an access token), an admin's minted with the stack's key (admins sign in with TOTP).
login() { # BASEPORT EMAIL → access token
  local body
  body=$(python3 -c 'import json,sys; print(json.dumps({"email": sys.argv[1], "password": sys.argv[2]}))' "$2" "$PASSWORD")
  curl -sS -m 20 -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$(($1 + 22))/api/account/v1/login" |
    python3 -c 'import json,sys; print(json.load(sys.stdin).get("access_token",""))' 2>/dev/null
}
resign() { # KEYFILE TOKEN [ROLE] → the same claims, one hour, role replaced when given
  python3 - "$@" <<'PY' 2>/dev/null
import base64, json, sys, time
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
def b64(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
def unb64(s): return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
key = serialization.load_pem_private_key(open(sys.argv[1], "rb").read(), None)
head, body, _ = sys.argv[2].split(".")
claims = json.loads(unb64(body))
claims["exp"] = int(time.time()) + 3600
if len(sys.argv) > 3:
    claims["role"] = sys.argv[3]
    claims["jti"] = claims.get("jti", "x") + "-bench"
msg = (head + "." + b64(json.dumps(claims, separators=(",", ":")).encode())).encode()
r, s = decode_dss_signature(key.sign(msg, ec.ECDSA(hashes.SHA256())))
print(msg.decode() + "." + b64(r.to_bytes(32, "big") + s.to_bytes(32, "big")))
PY
}
declare -A TOK
for stack in demo town; do
  port=$HTTP_PORT keys=$VAR/keys citizen=citoyen@example.org
  [[ $stack == town ]] && port=$TOWN_PORT keys=$TOWN_VAR/keys citizen=habitant77@town.example
  t=$(login "$port" "$citizen")
  TOK[$stack-citizen]=$(resign "$keys/jwt-private.pem" "$t")
  t=$(login "$port" agent.scolaire@mairie.example)
  TOK[$stack-agent]=$(resign "$keys/jwt-private.pem" "$t")
  TOK[$stack-editor]=$(resign "$keys/jwt-private.pem" "$t" editor)
  TOK[$stack-admin]=$(resign "$keys/jwt-private.pem" "$t" admin)
  [[ -n ${TOK[$stack-citizen]} && -n ${TOK[$stack-admin]} ]] || echo "town: no tokens on the $stack stack (python3-cryptography? demo data?)"
done

# ---- rows: label | where (gw, or a service's port offset) | path | token kind | one more header ----
# The agents' queue rows get the page an agent's screen gets (kept a second in the daemon, h_agent.c);
# the "live" row asks past it (Cache-Control: no-cache): what a page costs the first time after a change.
YEAR_AGO=$(date -u -d '1 year ago' +%Y-%m-%d)
ROWS=(
  "healthz (probe)|gw|/api/content/v1/healthz|"
  "home: news x3|gw|/api/content/v1/articles?kind=news&limit=3|"
  "home: agenda x3|gw|/api/content/v1/events?limit=3|"
  "home: alert banner|gw|/api/content/v1/alerts/active|"
  "articles x20|gw|/api/content/v1/articles?limit=20|"
  "articles by section|gw|/api/content/v1/articles?section=SECTION&limit=20|"
  "articles by tag|gw|/api/content/v1/articles?tag=sport&limit=20|"
  "events by period|gw|/api/content/v1/events?from=2026-01-01&to=2026-03-01&limit=20|"
  "directory|gw|/api/content/v1/directory?limit=20|"
  "jobs|gw|/api/content/v1/jobs?limit=20|"
  "search q=ecole|gw|/api/content/v1/search?q=ecole|"
  "search q=conseil municipal|gw|/api/content/v1/search?q=conseil%20municipal|"
  "suggest q=bibl|gw|/api/content/v1/search/suggest?q=bibl|"
  "feed.atom|gw|/api/content/v1/feed.atom|"
  "sitemap.xml|gw|/api/content/v1/sitemap.xml|"
  "procedures catalogue|gw|/api/teleservices/v1/procedures|"
  "/me|22|/api/account/v1/me|citizen"
  "/me/household|22|/api/account/v1/me/household|citizen"
  "/me/documents|22|/api/account/v1/me/documents|citizen"
  "/me/requests|23|/api/teleservices/v1/me/requests|citizen"
  "agent queue (open, late first)|23|/api/teleservices/v1/queue|agent"
  "agent queue status=all|23|/api/teleservices/v1/queue?status=all|agent"
  "agent queue, live (no-cache)|23|/api/teleservices/v1/queue|agent|Cache-Control: no-cache"
  "SLA over a year|23|/api/teleservices/v1/sla?from=$YEAR_AGO|agent"
  "review queue|21|/api/content/v1/review|editor"
  "admin users|22|/api/account/v1/admin/users|admin"
  "admin users q=martin|22|/api/account/v1/admin/users?q=martin|admin"
  "admin audit|22|/api/account/v1/admin/audit|admin"
  "admin audit action=request|22|/api/account/v1/admin/audit?action=request|admin"
)

[[ ${BENCH_TOWN_ONLY:-} == login ]] && ROWS=()
LOGIN_ONLY=$([[ ${BENCH_TOWN_ONLY:-} == login ]] && echo 1)

ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }
# measure OUTFILE URL [wrk args] → "rps p99ms errors"
measure() {
  local out=$1 url=$2
  shift 2
  wrk --latency -t"$T" -c"$C" -d"$DUR" "$@" "$url" >"$out" 2>&1
  local rps p99 err
  rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")
  p99=$(ms "$(awk '$1 == "99%" {print $2}' "$out")")
  err=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i + 0} END {print n + 0}' "$out")
  echo "${rps:-0} $p99 $err"
}
base_of() { # STACK WHERE → base URL
  local port=$HTTP_PORT
  [[ $1 == town ]] && port=$TOWN_PORT
  if [[ $2 == gw ]]; then echo "http://127.0.0.1:$port"; else echo "http://127.0.0.1:$((port + $2))"; fi
}
section_of() { # a section with articles on that stack (the town's own on the town stack)
  if [[ $1 == town ]]; then echo town-rubrique-3; else
    curl -s "$(base_of demo gw)/api/content/v1/articles?limit=1" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["section"]["slug"])' 2>/dev/null
  fi
}
declare -A SEC=([demo]=$(section_of demo) [town]=$(section_of town))

# Browsers send Accept-Encoding: each public row is also measured on the town stack as a browser
# asks ("gzip" columns): what the gateway costs when answers travel compressed.
BROWSER_AE='gzip, deflate, br'
printf '\n%-32s | %9s %8s | %9s %8s | %6s | %9s %8s | %s\n' "town bench (wrk -t$T -c$C -d$DUR)" "demo r/s" "p99 ms" "town r/s" "p99 ms" "town %" "gzip r/s" "p99 ms" "errors d/t/g"
printf -- '-%.0s' $(seq 1 122)
echo
JSON_ROWS=()
i=0
for row in "${ROWS[@]}"; do
  IFS='|' read -r label where path kind header <<<"$row"
  declare -A R=()
  for stack in demo town; do
    p=${path//SECTION/${SEC[$stack]}}
    url="$(base_of "$stack" "$where")$p"
    args=()
    [[ -n $kind ]] && args=(-H "Authorization: Bearer ${TOK[$stack-$kind]}")
    [[ -n $header ]] && args+=(-H "$header")
    code=$(curl -s -o /dev/null -w '%{http_code}' -m 30 "${args[@]}" "$url")
    if [[ $code != 200 ]]; then
      R[$stack]="0 - http_$code"
      continue
    fi
    R[$stack]=$(measure "$TMP/$i-$stack.out" "$url" "${args[@]}")
    [[ $stack == town && $where == gw ]] &&
      R[gzip]=$(measure "$TMP/$i-gzip.out" "$url" -H "Accept-Encoding: $BROWSER_AE")
  done
  # A stack that did not answer 200 shows its status instead of a rate.
  read -r drps dp99 derr <<<"${R[demo]}"
  read -r trps tp99 terr <<<"${R[town]}"
  read -r grps gp99 gerr <<<"${R[gzip]:-- - -}"
  pct=$(awk -v a="$trps" -v b="$drps" 'BEGIN { if (b > 0) printf "%.0f", 100 * a / b; else print "-" }')
  printf '%-32s | %9s %8s | %9s %8s | %5s%% | %9s %8s | %s/%s/%s\n' "$label" "$drps" "$dp99" "$trps" "$tp99" "$pct" "$grps" "$gp99" "$derr" "$terr" "$gerr"
  gz_json=null
  [[ $grps != - ]] && gz_json="{\"rps\": $grps, \"p99_ms\": \"$gp99\", \"errors\": \"$gerr\"}"
  JSON_ROWS+=("{\"label\": \"$label\", \"path\": \"$path\", \"demo\": {\"rps\": $drps, \"p99_ms\": \"$dp99\", \"errors\": \"$derr\"}, \"town\": {\"rps\": $trps, \"p99_ms\": \"$tp99\", \"errors\": \"$terr\"}, \"town_gzip\": $gz_json}")
  i=$((i + 1))
done

# ---- mixed public reads: 64 connections through the gateway ----------------------------------
cat >"$TMP/mixed.lua" <<'LUA'
local paths = {
  "/api/content/v1/articles?kind=news&limit=3", "/api/content/v1/events?limit=3",
  "/api/content/v1/alerts/active", "/api/content/v1/articles?limit=20",
  "/api/content/v1/directory?limit=20", "/api/content/v1/jobs?limit=20",
  "/api/content/v1/search?q=ecole", "/api/content/v1/search/suggest?q=bibl",
  "/api/content/v1/articles/le-conseil-municipal", "/api/teleservices/v1/procedures",
}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
LUA
{ cat "$TMP/mixed.lua"; echo "wrk.headers[\"Accept-Encoding\"] = \"$BROWSER_AE\""; } >"$TMP/mixed-gzip.lua"
echo
echo "mixed public reads through the gateway (wrk -t$T -c64 -d$MIXED_DUR, 10 paths in turn; gzip: as browsers ask)"
for run in $([[ -n $LOGIN_ONLY ]] || echo demo town demo-gzip town-gzip); do
  stack=${run%-gzip} lua=$TMP/mixed.lua
  [[ $run == *-gzip ]] && lua=$TMP/mixed-gzip.lua
  wrk --latency -t"$T" -c64 -d"$MIXED_DUR" -s "$lua" "$(base_of "$stack" gw)/" >"$TMP/mixed-$run.out" 2>&1
  rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$TMP/mixed-$run.out")
  p99=$(ms "$(awk '$1 == "99%" {print $2}' "$TMP/mixed-$run.out")")
  err=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i + 0} END {print n + 0}' "$TMP/mixed-$run.out")
  printf '  %-10s %9s req/s  p99 %8s ms  errors %s (target: 0 errors, p99 < 10 ms)\n' "$run" "$rps" "$p99" "$err"
  printf -v "MIX_${run//-/_}" '{"rps": %s, "p99_ms": "%s", "errors": %s}' "${rps:-0}" "$p99" "$err"
done

# ---- logins against the argon2id ceiling, healthz during the storm (town stack) ---------------
# The ceiling: the time of one hash at the account service's cost, and what every CPU hashing at
# once does, from tests/bench/argon2_ceiling.c (memory kept between hashes, as the daemon does);
# without that probe, python's binding of libargon2 (one hash, fresh memory each time).
hash_ms="" par_rps="" par_n=""
probe=${CIVITAS_BUILD:-$ROOT/build}/tests/bench/civitas-bench-argon2
if [[ -x $probe ]] && line=$("$probe" 15); then
  hash_ms=$(sed -n 's/.*hash_ms=\([0-9.]*\).*/\1/p' <<<"$line")
  par_rps=$(sed -n 's/.*parallel_per_s=\([0-9.]*\).*/\1/p' <<<"$line")
  par_n=$(sed -n 's/.*parallel_threads=\([0-9]*\).*/\1/p' <<<"$line")
  echo "argon2id probe: $line"
else
  hash_ms=$(python3 - <<'PY' 2>/dev/null
import ctypes, time
lib = ctypes.CDLL("libargon2.so.1")
u32, sz, p = ctypes.c_uint32, ctypes.c_size_t, ctypes.c_char_p
lib.argon2id_hash_raw.argtypes = [u32, u32, u32, p, sz, p, sz, ctypes.c_void_p, sz]
out = ctypes.create_string_buffer(32)
runs = []
for _ in range(5):
    t = time.perf_counter()
    if lib.argon2id_hash_raw(2, 19456, 1, b"civitas-demo-2026", 17, b"0123456789abcdef", 16, out, 32) != 0:
        raise SystemExit(1)
    runs.append((time.perf_counter() - t) * 1000)
print("%.1f" % sorted(runs)[2])
PY
  )
fi
# Each login signs in one of 5,000 town accounts drawn at random: the same account from 8
# connections at once would meet its own lockout (attempts reserved before the hash, issue 15)
# and measure 429s instead of hashes.
cat >"$TMP/login.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local pw = $(python3 -c 'import json,sys; print(json.dumps(json.dumps(sys.argv[1])))' "$PASSWORD")
math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "1", 16) % 100000)
request = function()
  return wrk.format(nil, nil, nil,
    string.format('{"email":"habitant%d@town.example","password":%s}', math.random(1, 5000), pw))
end
LUA
# The healthz probe measures what other requests wait during the storm. Paced, it is traffic
# that leaves the CPUs to the hashes between its requests, as a town's other visitors do; back
# to back (pace 0) its four connections take a fair share of the CPUs from the hashes by design.
PACE=${BENCH_PROBE_PACE_MS:-5}
[[ $PACE =~ ^[0-9]+$ ]] || PACE=5
if ((PACE > 0)); then echo "delay = function() return $PACE end" >"$TMP/probe.lua"; else : >"$TMP/probe.lua"; fi
ACC=http://127.0.0.1:$((TOWN_PORT + 22))/api/account/v1
LDUR=${BENCH_LOGIN_DURATION:-15s}
wrk --latency -t2 -c8 -d"$LDUR" -s "$TMP/login.lua" "$ACC/login" >"$TMP/login.out" 2>&1 &
wl=$!
sleep 1
wrk --latency -t1 -c4 -s "$TMP/probe.lua" -d"$(( ${LDUR%s} > 2 ? ${LDUR%s} - 2 : 1 ))s" "$ACC/healthz" >"$TMP/hz.out" 2>&1
wait "$wl"
lrps=$(awk '/^Requests\/sec:/ {printf "%.1f", $2}' "$TMP/login.out")
lerr=$(awk '/Non-2xx/ {print $NF}' "$TMP/login.out")
hz99=$(ms "$(awk '$1 == "99%" {print $2}' "$TMP/hz.out")")
ceiling=$(awk -v c="$(nproc)" -v ms="$hash_ms" 'BEGIN { if (ms > 0) printf "%.1f", c * 1000 / ms }')
lpct=$(awk -v a="$lrps" -v b="$ceiling" 'BEGIN { if (b > 0) printf "%.0f", 100 * a / b; else print "-" }')
echo
printf 'logins (8 clients, town stack, %s): %s/s, %s%% of the argon2id ceiling %s/s (%s CPUs / %s ms a hash); non-2xx %s\n' \
  "$LDUR" "${lrps:-0}" "$lpct" "$ceiling" "$(nproc)" "$hash_ms" "${lerr:-0}"
# The same machine with every CPU hashing and nothing else: hashes share the memory bus and the
# last-level cache, so this is what a perfect login path could reach.
[[ -n $par_rps ]] && printf '  %s threads hashing alone: %s hashes/s (logins are %s%% of it)\n' "$par_n" "$par_rps" \
  "$(awk -v a="$lrps" -v b="$par_rps" 'BEGIN { if (b > 0) printf "%.0f", 100 * a / b; else print "-" }')"
printf 'account healthz p99 during the login storm: %s ms (target < 10 ms; 4 connections, %s ms between requests, %s req/s)\n' \
  "$hz99" "$PACE" "$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$TMP/hz.out")"

{
  printf '{\n  "generated_at": "%s",\n  "wrk": {"threads": %s, "connections": %s, "duration": "%s"},\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$T" "$C" "$DUR"
  printf '  "rows": [\n    %s\n  ],\n' "$(IFS=$'\n'; echo "${JSON_ROWS[*]}" | paste -sd, | sed 's/},{/},\n    {/g')"
  printf '  "mixed_64": {"demo": %s, "town": %s, "demo_gzip": %s, "town_gzip": %s},\n' "${MIX_demo:-null}" \
    "${MIX_town:-null}" "${MIX_demo_gzip:-null}" "${MIX_town_gzip:-null}"
  printf '  "login": {"rps": %s, "ceiling_rps": %s, "hash_ms": %s, "parallel_hash_rps": %s, "healthz_p99_ms": "%s", "probe_pace_ms": %s}\n}\n' \
    "${lrps:-0}" "${ceiling:-0}" "${hash_ms:-0}" "${par_rps:-null}" "$hz99" "$PACE"
} >"$OUT/town.json"
echo "results: $OUT/town.json"
exit 0
