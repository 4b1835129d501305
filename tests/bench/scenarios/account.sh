#!/usr/bin/env bash
# Account benchmark (run by tests/bench/run.sh): logins per second against the argon2id ceiling
# (CPUs ÷ the time of one hash with the service's parameters, measured here with the same
# libargon2), GET /me with a valid token against the account daemon's own healthz rate, and the
# daemon's RSS under each load. Talks to the daemon's port (HTTP_PORT+22): the gateway
# rate-limits logins. Reports, never fails. Needs the demo citizen (CIVITAS_DEMO=1).
set -uo pipefail
export LC_ALL=C
HTTP_PORT=${CIVITAS_HTTP_PORT:-8080}
VAR=${CIVITAS_VAR:-./var}
BASE=http://127.0.0.1:$((HTTP_PORT + 22))/api/account/v1
DUR=${BENCH_DURATION:-10s}
T=${BENCH_THREADS:-2}
C=${BENCH_CONNECTIONS:-32}
EMAIL=citoyen@example.org
PASSWORD=${CIVITAS_DEMO_PASSWORD:-civitas-demo-2026}
OUT=${BENCH_OUT_DIR:-$VAR/bench}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"

pid=$(cat "$VAR/run/account.pid" 2>/dev/null || true)
[[ -n $pid && -d /proc/$pid ]] || { echo "account bench skipped: civitas-account is not running"; exit 0; }
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null; }

# One argon2id hash (m=19456 KiB, t=2, p=1), median of 5, through ctypes on the same library.
hash_ms=$(python3 - <<'PY' 2>/dev/null
import ctypes, time
lib = ctypes.CDLL("libargon2.so.1")
out = ctypes.create_string_buffer(32)
runs = []
for _ in range(5):
    t = time.perf_counter()
    lib.argon2id_hash_raw(2, 19456, 1, b"civitas-demo-2026", 17, b"0123456789abcdef", 16, out, 32)
    runs.append((time.perf_counter() - t) * 1000)
print("%.1f" % sorted(runs)[2])
PY
)
cpus=$(nproc)

body=$(python3 -c 'import json,sys; print(json.dumps({"email": sys.argv[1], "password": sys.argv[2]}))' "$EMAIL" "$PASSWORD")
login=$(curl -sS -m 10 -H 'Content-Type: application/json' -d "$body" "$BASE/login" || true)
token=$(printf '%s' "$login" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("access_token",""))' 2>/dev/null || true)
[[ -n $token ]] || { echo "account bench skipped: cannot sign in as $EMAIL (demo data?)"; exit 0; }

cat >"$TMP/login.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
LUA

# run NAME URL [wrk args...] → sets RPS_<NAME>, P99_<NAME>, PEAK_<NAME> (kB)
run() {
  local name=$1 url=$2
  shift 2
  local peak=0 kb
  wrk --latency -t"$T" -c"$C" -d"$DUR" "$@" "$url" >"$TMP/$name.out" 2>&1 &
  local w=$!
  while kill -0 "$w" 2>/dev/null; do
    kb=$(rss)
    [[ -n $kb && $kb -gt $peak ]] && peak=$kb
    sleep 0.5
  done
  wait "$w"
  printf -v "RPS_$name" '%s' "$(awk '/^Requests\/sec:/ {print $2}' "$TMP/$name.out")"
  printf -v "P99_$name" '%s' "$(awk '$1 == "99%" {print $2}' "$TMP/$name.out")"
  printf -v "ERR_$name" '%s' "$(awk '/Non-2xx/ {print $NF}' "$TMP/$name.out")"
  printf -v "PEAK_$name" '%s' "$peak"
}

idle=$(rss)
run healthz "$BASE/healthz"
run me "$BASE/me" -H "Authorization: Bearer $token"
# Logins are CPU-bound by design: fewer connections than the other runs.
C_SAVE=$C
C=4
run login "$BASE/login" -s "$TMP/login.lua"
C=$C_SAVE

ceiling=$(awk -v c="$cpus" -v ms="$hash_ms" 'BEGIN { if (ms > 0) printf "%.1f", c * 1000 / ms }')
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f", 100 * a / b }'; }
mib() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }

echo
echo "account: logins, GET /me and memory (wrk -t$T -c$C -d$DUR; logins with -c4; $cpus CPUs shared with wrk)"
printf '%-34s %12s %10s %10s %12s\n' scenario req/s p99 non-2xx "peak RSS MiB"
printf '%-34s %12s %10s %10s %12s\n' "account healthz (direct)" "$RPS_healthz" "$P99_healthz" "${ERR_healthz:-0}" "$(mib "$PEAK_healthz")"
printf '%-34s %12s %10s %10s %12s\n' "GET /me with a token (direct)" "$RPS_me" "$P99_me" "${ERR_me:-0}" "$(mib "$PEAK_me")"
printf '%-34s %12s %10s %10s %12s\n' "POST /login (argon2id)" "$RPS_login" "$P99_login" "${ERR_login:-0}" "$(mib "$PEAK_login")"
echo
echo "one argon2id hash (m=19456 KiB, t=2, p=1): ${hash_ms:-?} ms → ceiling $cpus CPUs ÷ hash = ${ceiling:-?} logins/s"
echo "logins/s = $(pct "${RPS_login:-0}" "${ceiling:-0}") % of the argon2id ceiling"
echo "GET /me = $(pct "${RPS_me:-0}" "${RPS_healthz:-0}") % of the account healthz rate (target ≥ 50 %)"
echo "RSS idle $(mib "${idle:-0}") MiB"

cat >"$OUT/account.json" <<JSON
{"hash_ms": ${hash_ms:-null}, "cpus": $cpus, "login_ceiling_rps": ${ceiling:-null},
 "login_rps": ${RPS_login:-null}, "me_rps": ${RPS_me:-null}, "healthz_rps": ${RPS_healthz:-null},
 "rss_idle_kb": ${idle:-null}, "rss_peak_login_kb": ${PEAK_login:-null}, "rss_peak_me_kb": ${PEAK_me:-null}}
JSON
exit 0
