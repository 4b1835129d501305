#!/bin/sh
# PostgreSQL container start (the postgres stage of deploy/docker/Dockerfile): on an empty data
# volume, initdb with the superuser password from POSTGRES_PASSWORD_FILE, the scripts of
# /docker-entrypoint-initdb.d run against a server that listens on its socket only (so "ready" on
# TCP means they are done), then the server in the foreground. The same variables and volume
# layout as the official postgres image, whose data volume it can take over.
set -eu

: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"

fail() { echo "civitas-postgres: configuration error: $*" >&2; exit 2; }

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	[ -n "${POSTGRES_PASSWORD_FILE:-}" ] && [ -s "$POSTGRES_PASSWORD_FILE" ] ||
		fail "POSTGRES_PASSWORD_FILE must name a non-empty file (the superuser's password)"
	# Local socket: trusted (only this container reaches it, e.g. `docker-compose exec postgres
	# pg_dump -U postgres`); over the network: a password, scram-sha-256.
	initdb -D "$PGDATA" -U "$POSTGRES_USER" -E UTF8 --locale=C.UTF-8 \
		--auth-local=trust --auth-host=scram-sha-256 --pwfile="$POSTGRES_PASSWORD_FILE" >/dev/null
	echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
	pg_ctl -D "$PGDATA" -w -t 120 -o "-c listen_addresses=''" start >/dev/null
	if [ "$POSTGRES_DB" != postgres ]; then
		psql -X -q -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres \
			-c "CREATE DATABASE \"$POSTGRES_DB\" ENCODING 'UTF8' TEMPLATE template0"
	fi
	for f in /docker-entrypoint-initdb.d/*; do
		case $f in
		*.sh) echo "civitas-postgres: running $f" && . "$f" ;;
		*.sql) echo "civitas-postgres: running $f" && psql -X -q -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -f "$f" ;;
		esac
	done
	pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
	echo "civitas-postgres: cluster ready in $PGDATA"
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
