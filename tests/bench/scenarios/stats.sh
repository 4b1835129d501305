#!/usr/bin/env bash
# Statistics ingest benchmark (run by tests/bench/run.sh): audience beacons accepted per second
# with 64 connections and the rows written per second behind them, next to the stats daemon's
# healthz probe and a pgbench run of single-row INSERTs into the same table, all in one session.
# Then checks that every accepted (202) beacon is in the database. Reports, never fails.
# Targets (issue 13): beacons >= 50 % of healthz, >= 3x the single-row insert rate, none lost.
set -uo pipefail
export LC_ALL=C
HTTP_PORT=${CIVITAS_HTTP_PORT:-8080}
VAR=${CIVITAS_VAR:-./var}
BASE=http://127.0.0.1:$((HTTP_PORT + 25))
PG_PORT=$((HTTP_PORT + 30))
DUR=${BENCH_DURATION:-10s}
T=${BENCH_THREADS:-2}
C=64
OUT=${BENCH_OUT_DIR:-$VAR/bench}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"

pid=$(cat "$VAR/run/stats.pid" 2>/dev/null || true)
[[ -n $pid && -d /proc/$pid ]] || { echo "stats bench skipped: civitas-stats is not running"; exit 0; }
pw=$(cat "$VAR/keys/db-stats.password" 2>/dev/null || true)
[[ -n $pw ]] || { echo "stats bench skipped: no database password in $VAR/keys"; exit 0; }
DB="postgresql://civitas_stats:$pw@127.0.0.1:$PG_PORT/civitas"
sql() { psql -X -q -t -A -d "$DB" -c "$1"; }
TAG=bench-$(date +%s)-$$

cat >"$TMP/hits.lua" <<LUA
-- Each request is a distinct page view (a fresh pv), as browsers send them.
local hex = "0123456789abcdef"
local function rnd(n)
  local t = {}
  for i = 1, n do local k = math.random(1, 16); t[i] = hex:sub(k, k) end
  return table.concat(t)
end
accepted, refused = 0, 0
local threads = {}
function setup(thread)
  thread:set("id", math.random(1, 1e9))
  table.insert(threads, thread)
end
function init(args) math.randomseed(id or os.time()) end
function request()
  local pv = rnd(8) .. "-" .. rnd(4) .. "-4" .. rnd(3) .. "-8" .. rnd(3) .. "-" .. rnd(12)
  return wrk.format("POST", "/api/stats/v1/hits", {
    ["Content-Type"] = "application/json",
    ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 civitas-bench",
  }, '{"pv":"' .. pv .. '","path":"/$TAG.html","screen":"large"}')
end
function response(status, headers, body)
  if status == 202 then accepted = accepted + 1 else refused = refused + 1 end
end
function done(summary, latency, requests)
  local a, r = 0, 0
  for _, t in ipairs(threads) do a = a + t:get("accepted"); r = r + t:get("refused") end
  io.write(string.format("ACCEPTED %d %d %.3f\n", a, r, summary.duration / 1e6))
end
LUA

cat >"$TMP/insert.sql" <<SQL
INSERT INTO stats.hits (pv, at, day, visitor, path) VALUES (gen_random_uuid(), now(), current_date, '\x00112233445566778899aabbccddeeff', '/$TAG-pgbench.html');
SQL

rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
wrk --latency -t"$T" -c"$C" -d"$DUR" "$BASE/api/stats/v1/healthz" >"$TMP/healthz.out" 2>&1
start=$(date +%s.%N)
wrk --latency -t"$T" -c"$C" -d"$DUR" -s "$TMP/hits.lua" "$BASE" >"$TMP/hits.out" 2>&1
read -r _ accepted refused secs < <(grep '^ACCEPTED' "$TMP/hits.out" || echo "ACCEPTED 0 0 1")
# Rows written: wait (at most 60 s) until the writer has caught up with what was accepted.
rows=0
for _ in $(seq 1 600); do
  rows=$(sql "SELECT count(*) FROM stats.hits WHERE path = '/$TAG.html'" 2>/dev/null || echo 0)
  [[ $rows -ge $accepted ]] && break
  sleep 0.1
done
end=$(date +%s.%N)
pgbench -n -c "$C" -j "$T" -T "${DUR%s}" -f "$TMP/insert.sql" "$DB" >"$TMP/pgbench.out" 2>&1
pg_tps=$(awk '/^tps = / {print $3; exit}' "$TMP/pgbench.out")

hz=$(rps "$TMP/healthz.out")
hits_rps=$(awk -v a="$accepted" -v s="$secs" 'BEGIN { if (s > 0) printf "%.0f", a / s; else print 0 }')
rows_rps=$(awk -v r="$rows" -v a="$start" -v b="$end" 'BEGIN { if (b > a) printf "%.0f", r / (b - a); else print 0 }')
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f", 100 * a / b; else print "?" }'; }
times() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "?" }'; }
lost=$((accepted > rows ? accepted - rows : 0))
extra=$((rows > accepted ? rows - accepted : 0)) # answered after wrk stopped counting (at most one per connection)

echo
echo "stats: audience beacons with $C connections (wrk -d$DUR -t$T; $(nproc) CPUs shared with wrk and PostgreSQL)"
printf '%-52s %12s %10s\n' scenario rate p99
printf '%-52s %12s %10s\n' "healthz probe (direct)" "$hz req/s" "$(awk '$1 == "99%" {print $2}' "$TMP/healthz.out")"
printf '%-52s %12s %10s\n' "POST /hits accepted (202)" "$hits_rps /s" "$(awk '$1 == "99%" {print $2}' "$TMP/hits.out")"
printf '%-52s %12s\n' "rows written (accepted rows / time to write them)" "$rows_rps /s"
printf '%-52s %12s\n' "pgbench single-row INSERT, $C clients" "${pg_tps:-?} tps"
echo
echo "beacons = $(pct "$hits_rps" "$hz") % of healthz (target >= 50 %); $(times "$rows_rps" "${pg_tps:-0}")x single-row inserts (target >= 3x)"
echo "accepted $accepted, refused $refused (503 when the queue is full), in the database $rows: lost $lost ($extra more rows: requests still in flight when wrk stopped)"
cat >"$OUT/stats.json" <<JSON
{"healthz_rps": ${hz:-null}, "hits_accepted_per_s": ${hits_rps:-null}, "rows_written_per_s": ${rows_rps:-null},
 "pgbench_single_insert_tps": ${pg_tps:-null}, "accepted": $accepted, "refused": $refused, "rows": $rows, "lost": $lost, "in_flight_at_end": $extra}
JSON
sql "DELETE FROM stats.hits WHERE path IN ('/$TAG.html', '/$TAG-pgbench.html')" >/dev/null 2>&1 || true
exit 0
