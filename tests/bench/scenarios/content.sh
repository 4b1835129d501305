#!/usr/bin/env bash
# Content benchmark (run by tests/bench/run.sh): GET /api/content/v1/articles/{slug} requests per
# second, p50 and p99, directly (HTTP_PORT+21) and through the gateway, next to the hello-world
# probe of the same run (BENCH_PROBE_URL/RPS, or run here when started alone); then search
# requests per second on the demo data. Target: >= 50 % of the probe directly, p99 under 10 ms.
# Reports, never fails. Needs the demo site (CIVITAS_DEMO=1).
set -uo pipefail
export LC_ALL=C
HTTP_PORT=${CIVITAS_HTTP_PORT:-8080}
VAR=${CIVITAS_VAR:-./var}
DIRECT=http://127.0.0.1:$((HTTP_PORT + 21))
GATEWAY=http://127.0.0.1:$HTTP_PORT
DUR=${BENCH_DURATION:-10s}
T=${BENCH_THREADS:-2}
C=${BENCH_CONNECTIONS:-32}
SLUG=${BENCH_CONTENT_SLUG:-le-conseil-municipal}
OUT=${BENCH_OUT_DIR:-$VAR/bench}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "content bench skipped: wrk is needed"; exit 0; }

pid=$(cat "$VAR/run/content.pid" 2>/dev/null || true)
[[ -n $pid && -d /proc/$pid ]] || { echo "content bench skipped: civitas-content is not running"; exit 0; }
code=$(curl -s -o /dev/null -w '%{http_code}' "$DIRECT/api/content/v1/articles/$SLUG")
[[ $code == 200 ]] || { echo "content bench skipped: $SLUG answers $code (demo data?)"; exit 0; }
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null; }

# wrk prints 91.00us, 1.48ms, 1.00s: convert to milliseconds.
ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }

# run NAME URL → RPS_, P50_, P99_, ERR_, PEAK_ (kB of the content daemon)
run() {
  local name=$1 url=$2 peak=0 kb
  wrk --latency -t"$T" -c"$C" -d"$DUR" "$url" >"$TMP/$name.out" 2>&1 &
  local w=$!
  while kill -0 "$w" 2>/dev/null; do
    kb=$(rss)
    [[ -n $kb && $kb -gt $peak ]] && peak=$kb
    sleep 0.5
  done
  wait "$w"
  printf -v "RPS_$name" '%s' "$(awk '/^Requests\/sec:/ {print $2}' "$TMP/$name.out")"
  printf -v "P50_$name" '%s' "$(ms "$(awk '$1 == "50%" {print $2}' "$TMP/$name.out")")"
  printf -v "P99_$name" '%s' "$(ms "$(awk '$1 == "99%" {print $2}' "$TMP/$name.out")")"
  printf -v "ERR_$name" '%s' "$(awk '/Non-2xx/ {print $NF}' "$TMP/$name.out")"
  printf -v "PEAK_$name" '%s' "$peak"
}

probe_rps=${BENCH_PROBE_RPS:-}
if [[ -n ${BENCH_PROBE_URL:-} && -z $probe_rps ]]; then
  run probe "$BENCH_PROBE_URL"
  probe_rps=$RPS_probe
fi
idle=$(rss)
run direct "$DIRECT/api/content/v1/articles/$SLUG"
run gateway "$GATEWAY/api/content/v1/articles/$SLUG"
run search "$DIRECT/api/content/v1/search?q=ecole%20mat"
run search_gw "$GATEWAY/api/content/v1/search?q=loire"

pct=$(awk -v a="${RPS_direct:-0}" -v b="${probe_rps:-0}" 'BEGIN { if (b > 0) printf "%.0f", 100 * a / b; else print "n/a" }')
ok_ratio=$(awk -v p="$pct" 'BEGIN { if (p == "n/a") print "n/a"; else print (p >= 50 ? "yes" : "NO") }')
ok_p99=$(awk -v p="${P99_direct:-999}" 'BEGIN { print (p < 10 ? "yes" : "NO") }')

printf '\n%-44s %12s %10s %10s %8s\n' "content scenario (wrk -t$T -c$C -d$DUR)" "req/s" "p50 ms" "p99 ms" "non-2xx"
printf '%-44s %12s %10s %10s %8s\n' "hello-world probe (same run)" "${probe_rps:-n/a}" "" "" ""
printf '%-44s %12s %10s %10s %8s\n' "GET /articles/$SLUG direct" "${RPS_direct:-?}" "${P50_direct:-?}" "${P99_direct:-?}" "${ERR_direct:-0}"
printf '%-44s %12s %10s %10s %8s\n' "GET /articles/$SLUG via gateway" "${RPS_gateway:-?}" "${P50_gateway:-?}" "${P99_gateway:-?}" "${ERR_gateway:-0}"
printf '%-44s %12s %10s %10s %8s\n' "GET /search?q=ecole mat direct" "${RPS_search:-?}" "${P50_search:-?}" "${P99_search:-?}" "${ERR_search:-0}"
printf '%-44s %12s %10s %10s %8s\n' "GET /search?q=loire via gateway" "${RPS_search_gw:-?}" "${P50_search_gw:-?}" "${P99_search_gw:-?}" "${ERR_search_gw:-0}"
printf 'direct article rate = %s %% of the probe (target >= 50 %%: %s); p99 < 10 ms: %s\n' "$pct" "$ok_ratio" "$ok_p99"
printf 'content RSS: idle %s kB, peak %s kB\n' "${idle:-?}" "$(printf '%s\n' "${PEAK_direct:-0}" "${PEAK_gateway:-0}" "${PEAK_search:-0}" | sort -n | tail -1)"

cat >"$OUT/content.json" <<JSON
{
  "probe_rps": ${probe_rps:-null},
  "article_direct": {"rps": ${RPS_direct:-null}, "p50_ms": ${P50_direct:-null}, "p99_ms": ${P99_direct:-null}},
  "article_gateway": {"rps": ${RPS_gateway:-null}, "p50_ms": ${P50_gateway:-null}, "p99_ms": ${P99_gateway:-null}},
  "search_direct": {"rps": ${RPS_search:-null}, "p50_ms": ${P50_search:-null}, "p99_ms": ${P99_search:-null}},
  "search_gateway": {"rps": ${RPS_search_gw:-null}, "p50_ms": ${P50_search_gw:-null}, "p99_ms": ${P99_search_gw:-null}},
  "direct_pct_of_probe": $( [[ $pct == n/a ]] && echo null || echo "$pct" )
}
JSON
echo "results: $OUT/content.json"
exit 0
