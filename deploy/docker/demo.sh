#!/bin/sh
# One-shot demo seeding for docker-compose (the `demo` service), the same calls as `./civitas up`:
# each service seeds its own schema with its own code (POST /internal/v1/demo, idempotent: an
# already seeded service changes nothing), in an order where later services can look up what
# earlier ones made. A service with nothing to seed answers 404. CIVITAS_DEMO=0 (the default of
# docker-compose.yml: a town's portal starts empty) does nothing.
set -eu

if [ "${CIVITAS_DEMO:-0}" != 1 ]; then
	echo "civitas-demo: CIVITAS_DEMO is not 1: no demo data"
	exit 0
fi
secret=$(cat "${CIVITAS_INTERNAL_SECRET_FILE:-/run/civitas/keys/internal-secret}")
password=${CIVITAS_DEMO_PASSWORD:-civitas-demo-2026}
case $password in
*[!A-Za-z0-9._~@%+=:,-]*) echo "civitas-demo: CIVITAS_DEMO_PASSWORD may hold letters, digits and ._~@%+=:,- only" >&2 && exit 2 ;;
esac
for svc in account content teleservices payment stats; do
	url=$(printenv "CIVITAS_$(echo "$svc" | tr a-z A-Z)_URL")
	# A 503 (a service it looks things up in is busy or starting) or no answer is tried again:
	# the seeding is idempotent, and containers start in any order.
	tries=0
	while :; do
		code=$(curl -sS -o /tmp/demo.json -w '%{http_code}' -m 300 -X POST \
			-H "Authorization: Bearer $secret" -H 'Content-Type: application/json' \
			--data "{\"password\":\"$password\"}" "$url/internal/v1/demo") || code=000
		case $code in 503 | 000) ;; *) break ;; esac
		tries=$((tries + 1))
		[ "$tries" -lt 10 ] || break
		echo "civitas-demo: $svc answered $code; trying again in 3 s" >&2
		sleep 3
	done
	case $code in
	2??) echo "civitas-demo: $svc seeded" ;;
	404) echo "civitas-demo: $svc has no demo data" ;;
	*) echo "civitas-demo: seeding $svc failed ($code): $(head -c 500 /tmp/demo.json 2>/dev/null)" >&2 && exit 1 ;;
	esac
done
