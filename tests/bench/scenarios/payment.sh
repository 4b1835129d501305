#!/usr/bin/env bash
# Payment benchmark (run by tests/bench/run.sh): seat holds per second with 64 concurrent buyers on
# one event and the oversell count (seats held or sold beyond capacity, must be 0), then
# checkouts per second (a hold and its checkout with a fresh Idempotency-Key), next to the healthz
# probe of the same run. Tokens are signed with the stack's key (node), the bench event is made
# through content's API. Talks to the daemons' ports directly. Reports, never fails.
set -uo pipefail
export LC_ALL=C
HTTP_PORT=${CIVITAS_HTTP_PORT:-8080}
VAR=${CIVITAS_VAR:-./var}
CONTENT=http://127.0.0.1:$((HTTP_PORT + 21))/api/content/v1
PAY=http://127.0.0.1:$((HTTP_PORT + 24))
DUR=${BENCH_DURATION:-10s}
T=${BENCH_THREADS:-2}
OUT=${BENCH_OUT_DIR:-$VAR/bench}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"

pid=$(cat "$VAR/run/payment.pid" 2>/dev/null || true)
[[ -n $pid && -d /proc/$pid ]] || { echo "payment bench skipped: civitas-payment is not running"; exit 0; }
command -v node >/dev/null || { echo "payment bench skipped: node is needed to sign tokens"; exit 0; }
[[ -r $VAR/keys/jwt-private.pem ]] || { echo "payment bench skipped: no signing key in $VAR/keys"; exit 0; }

# token ROLE: an access token as account issues them, for a fresh user id.
token() {
  node -e '
const { sign, randomUUID } = require("node:crypto");
const fs = require("node:fs");
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
const now = Math.floor(Date.now() / 1000);
const input = b64({ alg: "ES256", typ: "JWT" }) + "." + b64({ iss: "civitas-account", aud: "civitas",
  sub: randomUUID(), role: process.argv[1], jti: randomUUID(), services: [], iat: now, exp: now + 3600 });
const sig = sign("sha256", Buffer.from(input), { key: fs.readFileSync(process.argv[2]), dsaEncoding: "ieee-p1363" });
console.log(input + "." + sig.toString("base64url"));' "$1" "$VAR/keys/jwt-private.pem"
}
admin=$(token admin)
buyer=$(token citizen)
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$1" 2>/dev/null; }

# setup CAPACITY: a fresh bench event (content's API) with one category, so each phase starts
# from zero; sets $event and $label.
setup() {
  local slug="bench-billetterie-$(date +%s%N)"
  label="Place"
  event=$(curl -sS -m 10 -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d "{\"title\":\"Banc d'essai billetterie\",\"slug\":\"$slug\",\"starts_at\":\"2099-06-01T18:00:00Z\",\"ends_at\":\"2099-06-01T20:00:00Z\",\"ticketed\":true}" \
    "$CONTENT/events" | json_field id)
  [[ -n $event ]] || { echo 000; return; }
  curl -sS -m 10 -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d "{\"sales_open_at\":\"2020-01-01T00:00:00Z\",\"sales_close_at\":\"2099-01-01T00:00:00Z\",\"per_order_limit\":4,\"categories\":[{\"label\":\"$label\",\"price_cents\":1000,\"capacity\":$1}]}" \
    "$PAY/api/payment/v1/ticketing/$event"
}
counts() { # held sold capacity of the current category
  curl -sS -m 10 "$PAY/api/payment/v1/ticketing/$event" | python3 -c '
import json, sys
label = sys.argv[1]
for c in json.load(sys.stdin)["categories"]:
    if c["label"] == label:
        print(c["held"], c["sold"], c["capacity"])' "$label"
}

cat >"$TMP/holds.lua" <<LUA
local body = '{"event_id":"' .. os.getenv("BENCH_EVENT") .. '","category":"' .. os.getenv("BENCH_LABEL") .. '","quantity":1,"holder_name":"Banc"}'
ok, full = 0, 0
function request()
  return wrk.format("POST", "/api/payment/v1/holds",
    { ["Content-Type"] = "application/json", Authorization = "Bearer $buyer" }, body)
end
function response(status)
  if status == 201 then ok = ok + 1 elseif status == 409 then full = full + 1 end
end
local threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary)
  local a, b = 0, 0
  for _, t in ipairs(threads) do a = a + t:get("ok"); b = b + t:get("full") end
  io.write(string.format("HOLDS %d %d %.3f\n", a, b, summary.duration / 1e6))
end
LUA

cat >"$TMP/checkouts.lua" <<LUA
local token = "Bearer $buyer"
local hold_body = '{"event_id":"' .. os.getenv("BENCH_EVENT") .. '","category":"' .. os.getenv("BENCH_LABEL") .. '","quantity":1,"holder_name":"Banc"}'
local state, id, n = 0, nil, 0
done_n = 0
function request()
  if state == 0 then
    return wrk.format("POST", "/api/payment/v1/holds", { ["Content-Type"] = "application/json", Authorization = token }, hold_body)
  end
  n = n + 1
  return wrk.format("POST", "/api/payment/v1/checkouts", { ["Content-Type"] = "application/json",
    Authorization = token, ["Idempotency-Key"] = string.format("bench-%d-%d-%d", os.time(), math.random(1e9), n) },
    '{"holds":["' .. id .. '"]}')
end
function response(status, headers, body)
  if state == 0 then
    id = status == 201 and body:match('"id": ?"([0-9a-f-]+)"') or nil
    state = id and 1 or 0
  else
    if status == 201 then done_n = done_n + 1 end
    state = 0
  end
end
local threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary)
  local a = 0
  for _, t in ipairs(threads) do a = a + t:get("done_n") end
  io.write(string.format("CHECKOUTS %d %.3f\n", a, summary.duration / 1e6))
end
LUA

run() { # NAME URL [wrk args...]
  local name=$1 url=$2
  shift 2
  wrk --latency -d"$DUR" "$@" "$url" >"$TMP/$name.out" 2>&1
  printf -v "RPS_$name" '%s' "$(awk '/^Requests\/sec:/ {print $2}' "$TMP/$name.out")"
  printf -v "P99_$name" '%s' "$(awk '$1 == "99%" {print $2}' "$TMP/$name.out")"
}

run healthz "$PAY/api/payment/v1/healthz" -t"$T" -c64
# Holds, large capacity: the rate of successful holds on one row.
setup 100000 >"$TMP/setup.code"
[[ $(cat "$TMP/setup.code") == 200 ]] || { echo "payment bench skipped: cannot set up ticketing"; exit 0; }
export BENCH_LABEL=$label BENCH_EVENT=$event
run holds "$PAY" -t"$T" -c64 -s "$TMP/holds.lua"
read -r _ h_ok h_full h_secs < <(grep '^HOLDS' "$TMP/holds.out" || echo "HOLDS 0 0 1")
read -r held1 sold1 cap1 < <(counts)
# Oversell check under contention: 64 buyers for 500 seats.
setup 500 >/dev/null
export BENCH_LABEL=$label BENCH_EVENT=$event
run contention "$PAY" -t"$T" -c64 -s "$TMP/holds.lua"
read -r _ c_ok c_full _ < <(grep '^HOLDS' "$TMP/contention.out" || echo "HOLDS 0 0 1")
read -r held2 sold2 cap2 < <(counts)
# Checkouts: hold + checkout pairs.
setup 100000 >/dev/null
export BENCH_LABEL=$label BENCH_EVENT=$event
run checkouts "$PAY" -t"$T" -c64 -s "$TMP/checkouts.lua"
read -r _ co_n co_secs < <(grep '^CHECKOUTS' "$TMP/checkouts.out" || echo "CHECKOUTS 0 1")

rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print 0 }'; }
holds_rps=$(rate "$h_ok" "$h_secs")
co_rps=$(rate "$co_n" "$co_secs")
over1=$(( ${held1:-0} + ${sold1:-0} > ${cap1:-0} ? ${held1:-0} + ${sold1:-0} - ${cap1:-0} : 0 ))
over2=$(( ${held2:-0} + ${sold2:-0} > ${cap2:-0} ? ${held2:-0} + ${sold2:-0} - ${cap2:-0} : 0 ))
mismatch=$(( ${c_ok:-0} != ${held2:-0} ))
echo
echo "payment: seat holds with 64 concurrent buyers on one event, checkouts (wrk -d$DUR; $(nproc) CPUs shared with wrk)"
printf '%-52s %12s %10s\n' scenario req/s p99
printf '%-52s %12s %10s\n' "healthz probe (direct, -c64)" "$RPS_healthz" "$P99_healthz"
printf '%-52s %12s %10s\n' "POST /holds, 64 buyers, one category" "$holds_rps" "$P99_holds"
printf '%-52s %12s %10s\n' "POST /holds, 64 buyers for 500 seats" "$RPS_contention" "$P99_contention"
printf '%-52s %12s %10s\n' "hold + POST /checkouts (checkouts/s)" "$co_rps" "$P99_checkouts"
echo
echo "holds: $h_ok in ${h_secs}s = $holds_rps holds/s (target >= 2000); held $held1 of $cap1, oversell $over1"
echo "contention: $c_ok holds granted, $c_full refused, held $held2 of $cap2: oversell $over2 (must be 0)$([[ $mismatch == 1 ]] && echo ', MISMATCH between granted and held')"
echo "checkouts: $co_n in ${co_secs}s = $co_rps checkouts/s"
cat >"$OUT/payment.json" <<JSON
{"healthz_rps": ${RPS_healthz:-null}, "holds_per_s": ${holds_rps:-0}, "oversell": $((over1 + over2)),
 "contention_granted": ${c_ok:-0}, "contention_capacity": ${cap2:-0}, "checkouts_per_s": ${co_rps:-0}}
JSON
exit 0
