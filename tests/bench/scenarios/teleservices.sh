#!/usr/bin/env bash
# Teleservices benchmark (run by tests/bench/run.sh): complete submissions per second — a draft
# for the demo citizen's conservatoire registration, two 200 KiB PDF uploads, the submission —
# and queue reads per second for the conservatoire agent, next to the healthz probe of the same
# run. Talks to the daemons' ports (logins at HTTP_PORT+22: the gateway rate-limits them).
# Reports, never fails. Needs the demo data (CIVITAS_DEMO=1).
set -uo pipefail
export LC_ALL=C
HTTP_PORT=${CIVITAS_HTTP_PORT:-8080}
VAR=${CIVITAS_VAR:-./var}
ACC=http://127.0.0.1:$((HTTP_PORT + 22))/api/account/v1
TSB=http://127.0.0.1:$((HTTP_PORT + 23))
DUR=${BENCH_DURATION:-10s}
T=${BENCH_THREADS:-2}
C=${BENCH_CONNECTIONS:-32}
PASSWORD=${CIVITAS_DEMO_PASSWORD:-civitas-demo-2026}
OUT=${BENCH_OUT_DIR:-$VAR/bench}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"

pid=$(cat "$VAR/run/teleservices.pid" 2>/dev/null || true)
[[ -n $pid && -d /proc/$pid ]] || { echo "teleservices bench skipped: civitas-teleservices is not running"; exit 0; }
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null; }
token_of() {
  local body
  body=$(python3 -c 'import json,sys; print(json.dumps({"email": sys.argv[1], "password": sys.argv[2]}))' "$1" "$PASSWORD")
  curl -sS -m 10 -H 'Content-Type: application/json' -d "$body" "$ACC/login" |
    python3 -c 'import json,sys; print(json.load(sys.stdin).get("access_token",""))' 2>/dev/null
}
citizen=$(token_of citoyen@example.org)
agent=$(token_of agent.conservatoire@mairie.example)
[[ -n $citizen && -n $agent ]] || { echo "teleservices bench skipped: cannot sign in the demo accounts"; exit 0; }
# The demo citizen's own member id: she registers herself to the conservatoire.
member=$(curl -sS -m 10 -H "Authorization: Bearer $citizen" "$ACC/me/household" | python3 -c '
import json, sys
h = json.load(sys.stdin)
print(next((m["id"] for m in h.get("members", []) if m.get("user_id")), ""))' 2>/dev/null)
[[ -n $member ]] || { echo "teleservices bench skipped: the demo citizen has no household"; exit 0; }

cat >"$TMP/submit.lua" <<LUA
-- One connection per thread walks draft → two uploads → submit, again and again.
local token = "Bearer $citizen"
local member = "$member"
local draft = '{"procedure":"inscription-conservatoire","member_ids":["' .. member .. '"],'
  .. '"answers":{"discipline":"piano","niveau":"debutant","email_contact":"sophie@example.org"}}'
local pdf = "%PDF-1.4\n" .. string.rep("0", 200 * 1024 - 9)
local base = "/api/teleservices/v1/requests"
local state, id = 0, nil
submits = 0
function request()
  if state == 0 then
    return wrk.format("POST", base, { ["Content-Type"] = "application/json", Authorization = token }, draft)
  elseif state == 1 then
    return wrk.format("POST", base .. "/" .. id .. "/documents?kind=identity&filename=identite.pdf&member_id=" .. member,
      { ["Content-Type"] = "application/pdf", Authorization = token }, pdf)
  elseif state == 2 then
    return wrk.format("POST", base .. "/" .. id .. "/documents?kind=qf_certificate&filename=qf.pdf",
      { ["Content-Type"] = "application/pdf", Authorization = token }, pdf)
  end
  return wrk.format("POST", base .. "/" .. id .. "/submit", { Authorization = token }, "")
end
function response(status, headers, body)
  if state == 0 then
    id = status == 201 and body:match('"id": ?"([0-9a-f-]+)"') or nil
    state = id and 1 or 0
  elseif state < 3 then
    state = status == 201 and state + 1 or 0
  else
    if status == 200 then submits = submits + 1 end
    state = 0
  end
end
local threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("submits") end
  io.write(string.format("SUBMITS %d %.3f\n", n, summary.duration / 1e6))
end
LUA

run() { # NAME URL [wrk args...]
  local name=$1 url=$2
  shift 2
  local peak=0 kb
  wrk --latency -d"$DUR" "$@" "$url" >"$TMP/$name.out" 2>&1 &
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
run healthz "$TSB/api/teleservices/v1/healthz" -t"$T" -c"$C"
run queue "$TSB/api/teleservices/v1/queue?service=conservatoire&limit=20" -t"$T" -c"$C" -H "Authorization: Bearer $agent"
run submit "$TSB" -t"$T" -c"$T" -s "$TMP/submit.lua"
read -r _ subs secs < <(grep '^SUBMITS' "$TMP/submit.out" || echo "SUBMITS 0 1")
sub_rps=$(awk -v n="$subs" -v s="$secs" 'BEGIN { if (s > 0) printf "%.1f", n / s; else print 0 }')
mib() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f", 100 * a / b }'; }

echo
echo "teleservices: submissions with two 200 KiB documents, agent queue reads (wrk -d$DUR; $(nproc) CPUs shared with wrk)"
printf '%-46s %12s %10s %10s %12s\n' scenario req/s p99 non-2xx "peak RSS MiB"
printf '%-46s %12s %10s %10s %12s\n' "healthz probe (direct)" "$RPS_healthz" "$P99_healthz" "${ERR_healthz:-0}" "$(mib "$PEAK_healthz")"
printf '%-46s %12s %10s %10s %12s\n' "GET /queue, agent token (direct)" "$RPS_queue" "$P99_queue" "${ERR_queue:-0}" "$(mib "$PEAK_queue")"
printf '%-46s %12s %10s %10s %12s\n' "HTTP calls of the submission walk (-c$T)" "$RPS_submit" "$P99_submit" "${ERR_submit:-0}" "$(mib "$PEAK_submit")"
echo
echo "complete submissions (draft + 2 × 200 KiB upload + submit): $subs in ${secs}s = $sub_rps submissions/s"
echo "queue reads = $(pct "${RPS_queue:-0}" "${RPS_healthz:-0}") % of the healthz rate; RSS idle $(mib "${idle:-0}") MiB"
cat >"$OUT/teleservices.json" <<JSON
{"healthz_rps": ${RPS_healthz:-null}, "queue_rps": ${RPS_queue:-null}, "submissions_per_s": ${sub_rps:-null},
 "submission_http_rps": ${RPS_submit:-null}, "rss_idle_kb": ${idle:-null}, "rss_peak_submit_kb": ${PEAK_submit:-null}}
JSON
exit 0
