#!/bin/sh
# PostgreSQL first-start script for docker-compose (mounted in /docker-entrypoint-initdb.d): creates the
# five service roles and schemas in the civitas database with the passwords made by the keys service.
set -eu

keys=${CIVITAS_KEYS_DIR:-/run/civitas/keys}
db=${POSTGRES_DB:-civitas}

for svc in content account teleservices payment stats; do
	psql -v ON_ERROR_STOP=1 -q --username "$POSTGRES_USER" --dbname "$db" \
		-v svc="$svc" -v password="$(cat "$keys/db-$svc.password")" \
		-f /usr/share/civitas/roles.sql
	echo "civitas: role civitas_$svc and schema $svc ready"
done
