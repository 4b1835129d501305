#!/usr/bin/env bash
# town.sh — loads the "town" fixture (tests/bench/town/*.sql: ten years of a real town's content,
# accounts and requests) into the stack of CIVITAS_VAR / CIVITAS_HTTP_PORT, once: a stamp file
# in CIVITAS_VAR says it is there. Each file runs in one transaction as its service's own role,
# then the tables are analysed. TOWN_SCALE (1) multiplies every count.
# Usage: tests/bench/town.sh   (the stack must be up; ./civitas bench starts one for it)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VAR=${CIVITAS_VAR:?CIVITAS_VAR names the stack}
HTTP_PORT=${CIVITAS_HTTP_PORT:?CIVITAS_HTTP_PORT names the stack}
SCALE=${TOWN_SCALE:-1}
[[ $SCALE =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "town: TOWN_SCALE=$SCALE is not a number" >&2; exit 2; }
STAMP=$VAR/.town-fixture
if [[ -e $STAMP ]]; then
  echo "town fixture already loaded ($(cat "$STAMP"))"
  exit 0
fi
PG_PORT=$((HTTP_PORT + 30))
url() { echo "postgresql://civitas_$1:$(cat "$VAR/keys/db-$1.password")@127.0.0.1:$PG_PORT/civitas"; }
t0=$SECONDS
# account first: the others' rows point at its users and households (by the same derived ids).
for svc in account content teleservices stats; do
  t=$SECONDS
  PGOPTIONS="-c town.scale=$SCALE -c client_min_messages=warning" \
    psql -X -q -v ON_ERROR_STOP=1 -1 -d "$(url "$svc")" -f "$HERE/town/$svc.sql" >/dev/null
  # ANALYZE of the whole database: the role may analyse its own tables only, the rest is skipped.
  PGOPTIONS="-c client_min_messages=error" psql -X -q -d "$(url "$svc")" -c "ANALYZE" >/dev/null
  echo "town fixture: $svc loaded in $((SECONDS - t)) s"
done
echo "scale $SCALE, loaded $(date -u +%Y-%m-%dT%H:%M:%SZ) in $((SECONDS - t0)) s" >"$STAMP"
echo "town fixture loaded in $((SECONDS - t0)) s"
