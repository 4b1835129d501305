#!/usr/bin/env bash
# Foundation benchmark behind `./civitas bench`: wrk against a bare MHD hello-world probe, the daemons'
# healthz (direct and via the gateway) and a static file; prints rates, latencies and RSS. Never fails.
#
# Env: CIVITAS_HTTP_PORT (8080), CIVITAS_VAR (./var), CIVITAS_BUILD (./build), CIVITAS_THREADS (CPU
# count, the probe's pool size, as for the daemons), BENCH_DURATION (10s), BENCH_THREADS (2),
# BENCH_CONNECTIONS (32), BENCH_SHORT_DURATION (5s, the other daemons' healthz runs).
# Extension hook: every executable tests/bench/scenarios/*.sh runs afterwards with the same env plus
# BENCH_PROBE_URL / BENCH_PROBE_RPS (the probe is still up) and BENCH_OUT_DIR ($CIVITAS_VAR/bench).
set -uo pipefail
export LC_ALL=C # wrk prints "1.23ms"; awk and printf must agree on the decimal point

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export CIVITAS_HTTP_PORT=${CIVITAS_HTTP_PORT:-8080}
export CIVITAS_VAR=${CIVITAS_VAR:-./var}
export CIVITAS_BUILD=${CIVITAS_BUILD:-./build}
export BENCH_DURATION=${BENCH_DURATION:-10s}
export BENCH_THREADS=${BENCH_THREADS:-2}
export BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-32}

DAEMONS=(content account teleservices payment stats)
IDLE_RSS_LIMIT_MIB=8
PROBE_RATIO_MIN=60
GATEWAY="http://127.0.0.1:${CIVITAS_HTTP_PORT}"
OUT_DIR="${CIVITAS_VAR}/bench"
export BENCH_OUT_DIR=$OUT_DIR

note() { printf '  %s\n' "$*"; }

# A duration in wrk's syntax (10, 10s, 2m, 1h) as whole seconds; 0 when unreadable.
duration_seconds() {
  local d=$1
  case $d in
    *h) echo $((${d%h} * 3600)) ;;
    *m) echo $((${d%m} * 60)) ;;
    *s) echo $((${d%s})) ;;
    *[!0-9]* | '') echo 0 ;;
    *) echo "$d" ;;
  esac 2>/dev/null || echo 0
}

if ! command -v wrk >/dev/null || ! command -v curl >/dev/null; then
  echo "bench skipped: wrk and curl are needed (apt-get install wrk curl)"
  exit 0
fi
if [[ $(duration_seconds "$BENCH_DURATION") -le 0 ]]; then
  echo "bench: BENCH_DURATION '$BENCH_DURATION' is not a duration (e.g. 10s); using 10s"
  BENCH_DURATION=10s
fi
short=$(duration_seconds "${BENCH_SHORT_DURATION:-5s}")
long=$(duration_seconds "$BENCH_DURATION")
[[ $short -gt 0 && $short -le $long ]] || short=$((long < 5 ? long : 5))
SHORT_DURATION="${short}s"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/civitas-bench.XXXXXX")
PROBE_PID=
# shellcheck disable=SC2317 # called through the EXIT trap
cleanup() {
  if [[ -n $PROBE_PID ]] && kill -0 "$PROBE_PID" 2>/dev/null; then
    kill -TERM "$PROBE_PID" 2>/dev/null
    wait "$PROBE_PID" 2>/dev/null
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- processes and memory ------------------------------------------------------------------

# The live pid of a process named in $CIVITAS_VAR/run/<name>.pid ("probe" is ours); empty if none.
pid_of() {
  local name=$1 pid
  if [[ $name == probe ]]; then
    pid=$PROBE_PID
  else
    [[ -r $CIVITAS_VAR/run/$name.pid ]] || return 0
    read -r pid <"$CIVITAS_VAR/run/$name.pid" || true
  fi
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 0
  # An exited daemon nobody reaped still passes kill -0; its state says zombie.
  [[ $(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null) == Z ]] && return 0
  echo "$pid"
}

# VmRSS in kB; for nginx the workers do the work, so the master and its children are summed.
rss_kb() {
  local name=$1 pid total=0 p kb
  pid=$(pid_of "$name")
  [[ -n $pid ]] || return 0
  local pids=("$pid")
  if [[ $name == nginx ]]; then
    mapfile -t -O 1 pids < <(pgrep -P "$pid" 2>/dev/null)
  fi
  for p in "${pids[@]}"; do
    kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null)
    total=$((total + ${kb:-0}))
  done
  echo "$total"
}

# Private memory (USS: pages only this process has) in kB. VmRSS also counts the pages of
# shared libraries (OpenSSL 3 alone maps ~4 MiB once initialised), which every daemon shares.
private_kb() {
  local pid
  pid=$(pid_of "$1")
  [[ -n $pid && $1 != nginx ]] || return 0
  awk '/^Private_(Clean|Dirty):/ {t += $2} END {print t}' "/proc/$pid/smaps_rollup" 2>/dev/null
}

declare -A IDLE_KB PEAK_KB IDLE_PRIV_KB
sample_peak() {
  local name kb
  for name in "$@"; do
    kb=$(rss_kb "$name")
    [[ -n $kb ]] || continue
    if [[ -z ${PEAK_KB[$name]:-} || $kb -gt ${PEAK_KB[$name]} ]]; then
      PEAK_KB[$name]=$kb
    fi
  done
}

mib() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }

# ---- wrk -----------------------------------------------------------------------------------

# Latency as wrk prints it (91.00us, 1.48ms, 1.00s, 2.00m) in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : (u == "h") ? 3600000 : -1
    if (f < 0 || v == "") print ""; else printf "%.3f", n * f
  }'
}

declare -A LABEL URL STATUS RPS P50 P99 NON2XX SOCKERR DURATION
SCENARIOS=()

http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1" 2>/dev/null || true; }

# run_scenario ID LABEL URL DURATION RSS-NAMES...: wrk against URL while sampling the RSS of the
# named processes every 200 ms. A URL that does not answer 200 first is recorded, not measured.
run_scenario() {
  local id=$1 label=$2 url=$3 dur=$4
  shift 4
  SCENARIOS+=("$id")
  LABEL[$id]=$label URL[$id]=$url DURATION[$id]=$dur
  local code
  code=$(http_code "$url")
  if [[ $code != 200 ]]; then
    STATUS[$id]="http_${code:-000}"
    [[ $code == 000 || -z $code ]] && code="no answer"
    note "$label: $url: $code, not measured"
    return
  fi
  local out="$TMP/$id.wrk"
  wrk --latency -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"$dur" "$url" >"$out" 2>&1 &
  local wrk_pid=$!
  while kill -0 "$wrk_pid" 2>/dev/null; do
    sample_peak "$@"
    sleep 0.2
  done
  wait "$wrk_pid"
  local rc=$?
  local rps p50 p99 non2xx sockerr
  read -r rps p50 p99 non2xx sockerr < <(awk '
    /^Requests\/sec:/ { rps = $2 }
    /Latency Distribution/ { dist = 1 }
    dist && $1 == "50%" { p50 = $2 }
    dist && $1 == "99%" { p99 = $2 }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    /Socket errors:/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) sock += $i + 0 }
    END { print (rps == "" ? "-" : rps), (p50 == "" ? "-" : p50), (p99 == "" ? "-" : p99), non2xx + 0, sock + 0 }
  ' "$out")
  if [[ $rc -ne 0 || $rps == - ]]; then
    STATUS[$id]=wrk_failed
    note "$label: wrk failed (exit $rc): $(tail -n 1 "$out")"
    return
  fi
  STATUS[$id]=ok
  RPS[$id]=$rps P50[$id]=$(to_ms "$p50") P99[$id]=$(to_ms "$p99")
  NON2XX[$id]=$non2xx SOCKERR[$id]=$sockerr
  if [[ $non2xx -gt 0 || $sockerr -gt 0 ]]; then
    note "$label: $non2xx non-2xx answers and $sockerr socket errors during the run"
  fi
}

# ---- the probe -----------------------------------------------------------------------------

start_probe() {
  local bin="$CIVITAS_BUILD/tests/bench/civitas-bench-hello"
  if [[ ! -x $bin ]]; then
    note "probe: $bin not built (cmake --build build), % of probe left empty"
    return
  fi
  local threads=${CIVITAS_THREADS:-$(nproc)} port try i
  # A free port: nothing answers a connect there. Another process could take it before the
  # probe binds, so a probe that dies at once is retried on the next candidate.
  for try in 1 2 3 4 5 6 7 8 9 10; do
    port=$((20000 + RANDOM % 20000))
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
    "$bin" "$port" "$threads" 2>"$TMP/probe.err" &
    PROBE_PID=$!
    for i in $(seq 1 50); do
      [[ $(http_code "http://127.0.0.1:$port/") == 200 ]] && break
      kill -0 "$PROBE_PID" 2>/dev/null || break
      sleep 0.1
    done
    if [[ $(http_code "http://127.0.0.1:$port/") == 200 ]]; then
      PROBE_URL="http://127.0.0.1:$port/"
      return
    fi
    kill -TERM "$PROBE_PID" 2>/dev/null
    wait "$PROBE_PID" 2>/dev/null
    PROBE_PID=
    [[ $try -ge 3 && -s $TMP/probe.err ]] && note "probe: $(head -n 1 "$TMP/probe.err")"
  done
  note "probe: could not start, % of probe left empty"
}

# ---- run -----------------------------------------------------------------------------------

echo "civitas bench: wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d$BENCH_DURATION, $(nproc) CPUs (wrk shares them with the servers)"
PROBE_URL=
start_probe

# Idle figures first, before any load touches the daemons.
for name in "${DAEMONS[@]}" nginx probe; do
  kb=$(rss_kb "$name")
  if [[ -n $kb ]]; then
    IDLE_KB[$name]=$kb
    IDLE_PRIV_KB[$name]=$(private_kb "$name")
  elif [[ $name != probe ]]; then
    note "$name: not running (no live pid in $CIVITAS_VAR/run/$name.pid)"
  fi
done

if [[ -n $PROBE_URL ]]; then
  run_scenario probe "hello-world probe (bare MHD)" "$PROBE_URL" "$BENCH_DURATION" probe
fi

port_of() {
  local i
  for i in "${!DAEMONS[@]}"; do
    [[ ${DAEMONS[$i]} == "$1" ]] && echo $((CIVITAS_HTTP_PORT + 21 + i))
  done
}

# A daemon that is not running gets a row that says so instead of a connection-refused wrk run.
direct_scenario() {
  local svc=$1 dur=$2 label port
  port=$(port_of "$svc")
  label="$svc healthz direct :$port"
  [[ $dur == "$BENCH_DURATION" ]] || label="$label ($dur)"
  if [[ -z ${IDLE_KB[$svc]:-} ]]; then
    SCENARIOS+=("$svc-direct")
    LABEL[$svc-direct]=$label URL[$svc-direct]="http://127.0.0.1:$port/api/$svc/v1/healthz"
    STATUS[$svc-direct]=not_running DURATION[$svc-direct]=$dur
    return
  fi
  run_scenario "$svc-direct" "$label" "http://127.0.0.1:$port/api/$svc/v1/healthz" "$dur" "$svc"
}

direct_scenario content "$BENCH_DURATION"
run_scenario content-gateway "content healthz via gateway" \
  "$GATEWAY/api/content/v1/healthz" "$BENCH_DURATION" content nginx
static_path=/robots.txt
for p in /robots.txt /site.json; do
  if [[ $(http_code "$GATEWAY$p") == 200 ]]; then
    static_path=$p
    break
  fi
done
run_scenario static-gateway "static $static_path via gateway" "$GATEWAY$static_path" "$BENCH_DURATION" nginx
for svc in "${DAEMONS[@]:1}"; do
  direct_scenario "$svc" "$SHORT_DURATION"
done

# ---- report --------------------------------------------------------------------------------

probe_rps=${RPS[probe]:-}
pct_of_probe() {
  local rps=${RPS[$1]:-}
  [[ -n $rps && -n $probe_rps ]] || return 0
  awk -v r="$rps" -v p="$probe_rps" 'BEGIN { if (p > 0) printf "%.0f", 100 * r / p }'
}

echo
printf '%-42s | %10s | %8s | %8s | %10s\n' scenario req/s "p50 ms" "p99 ms" "% of probe"
printf -- '-%.0s' $(seq 1 91)
echo
for id in "${SCENARIOS[@]}"; do
  if [[ ${STATUS[$id]} == ok ]]; then
    pct=$(pct_of_probe "$id")
    printf '%-42s | %10.0f | %8.3f | %8.3f | %10s\n' "${LABEL[$id]}" "${RPS[$id]}" "${P50[$id]}" \
      "${P99[$id]}" "${pct:+$pct%}"
  else
    case ${STATUS[$id]} in
      not_running) status="${id%%-*}: not running" ;;
      http_000) status="no answer, not measured" ;;
      http_*) status="answered ${STATUS[$id]#http_}, not measured" ;;
      *) status="wrk failed" ;;
    esac
    printf '%-42s | %s\n' "${LABEL[$id]}" "$status"
  fi
done

echo
printf '%-14s | %10s | %14s | %17s\n' process "idle MiB" "peak load MiB" "idle private MiB"
printf -- '-%.0s' $(seq 1 64)
echo
for name in "${DAEMONS[@]}" nginx probe; do
  label=$name
  [[ $name == nginx ]] && label="nginx (all)"
  if [[ -z ${IDLE_KB[$name]:-} ]]; then
    [[ $name == probe ]] || printf '%-14s | %s\n' "$label" "$name: not running"
    continue
  fi
  peak=-
  [[ -n ${PEAK_KB[$name]:-} ]] && peak=$(mib "${PEAK_KB[$name]}")
  priv=-
  [[ -n ${IDLE_PRIV_KB[$name]:-} ]] && priv=$(mib "${IDLE_PRIV_KB[$name]}")
  printf '%-14s | %10s | %14s | %17s\n' "$label" "$(mib "${IDLE_KB[$name]}")" "$peak" "$priv"
done

# The checks cover the daemons that ran; with none running they cannot be answered.
idle_ok='' idle_bad=()
ratio_ok='' ratio_bad=()
for svc in "${DAEMONS[@]}"; do
  if [[ -n ${IDLE_KB[$svc]:-} ]]; then
    idle_ok=${idle_ok:-yes}
    if [[ ${IDLE_KB[$svc]} -ge $((IDLE_RSS_LIMIT_MIB * 1024)) ]]; then
      idle_ok=no idle_bad+=("$svc")
    fi
  fi
  pct=$(pct_of_probe "$svc-direct")
  if [[ -n $pct ]]; then
    ratio_ok=${ratio_ok:-yes}
    if [[ $pct -lt $PROBE_RATIO_MIN ]]; then
      ratio_ok=no ratio_bad+=("$svc $pct%")
    fi
  fi
done
echo
echo "idle RSS < ${IDLE_RSS_LIMIT_MIB} MiB: ${idle_ok:-n/a (no daemon running)}${idle_bad[*]:+ (over: ${idle_bad[*]})}"
ratio_why="n/a (no daemon measured)"
[[ -z $probe_rps ]] && ratio_why="n/a (no probe)"
echo "daemon ≥ ${PROBE_RATIO_MIN}% of probe: ${ratio_ok:-$ratio_why}${ratio_bad[*]:+ (under: ${ratio_bad[*]})}"

# ---- JSON ----------------------------------------------------------------------------------

num_or_null() { if [[ -n ${1:-} && $1 != - ]]; then echo "$1"; else echo null; fi; }
bool_or_null() {
  case ${1:-} in yes) echo true ;; no) echo false ;; *) echo null ;; esac
}

mkdir -p "$OUT_DIR"
json="$OUT_DIR/foundation.json"
{
  printf '{\n  "generated_at": "%s",\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  printf '  "wrk": {"threads": %s, "connections": %s, "duration": "%s"},\n' \
    "$BENCH_THREADS" "$BENCH_CONNECTIONS" "$BENCH_DURATION"
  printf '  "cpu_count": %s,\n  "scenarios": [\n' "$(nproc)"
  sep=
  for id in "${SCENARIOS[@]}"; do
    printf '%s    {"id": "%s", "label": "%s", "url": "%s", "duration": "%s", "status": "%s", ' \
      "$sep" "$id" "${LABEL[$id]}" "${URL[$id]}" "${DURATION[$id]}" "${STATUS[$id]}"
    printf '"requests_per_sec": %s, "p50_ms": %s, "p99_ms": %s, "percent_of_probe": %s, ' \
      "$(num_or_null "${RPS[$id]:-}")" "$(num_or_null "${P50[$id]:-}")" \
      "$(num_or_null "${P99[$id]:-}")" "$(num_or_null "$(pct_of_probe "$id")")"
    printf '"non_2xx": %s, "socket_errors": %s}' \
      "$(num_or_null "${NON2XX[$id]:-}")" "$(num_or_null "${SOCKERR[$id]:-}")"
    sep=$',\n'
  done
  printf '\n  ],\n  "rss_mib": [\n'
  sep=
  for name in "${DAEMONS[@]}" nginx probe; do
    running=false idle=null peak=null
    if [[ -n ${IDLE_KB[$name]:-} ]]; then
      running=true idle=$(mib "${IDLE_KB[$name]}")
      [[ -n ${PEAK_KB[$name]:-} ]] && peak=$(mib "${PEAK_KB[$name]}")
    fi
    printf '%s    {"name": "%s", "running": %s, "idle": %s, "peak_under_load": %s}' \
      "$sep" "$name" "$running" "$idle" "$peak"
    sep=$',\n'
  done
  printf '\n  ],\n  "checks": {"idle_rss_under_%s_mib": %s, "daemon_at_least_%s_pct_of_probe": %s}\n}\n' \
    "$IDLE_RSS_LIMIT_MIB" "$(bool_or_null "$idle_ok")" "$PROBE_RATIO_MIN" "$(bool_or_null "$ratio_ok")"
} >"$json"
echo "results: $json"

# ---- extension hook ------------------------------------------------------------------------

export BENCH_PROBE_URL=$PROBE_URL BENCH_PROBE_RPS=${probe_rps:-}
shopt -s nullglob
for scenario in "$BENCH_DIR"/scenarios/*.sh; do
  [[ -x $scenario ]] || continue
  echo
  echo "== $(basename "$scenario")"
  "$scenario"
  rc=$?
  [[ $rc -eq 0 ]] || echo "$(basename "$scenario") exited $rc (reported, not a failure)"
done
exit 0
