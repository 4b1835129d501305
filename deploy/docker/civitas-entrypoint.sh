#!/bin/sh
# Daemon container start: runs civitas-$SERVICE, or the command given (e.g. civitas-keys, or a
# daemon named explicitly as docker-compose.yml does).
set -eu

if [ "$#" -gt 0 ]; then
	exec "$@"
fi
case "${SERVICE:-}" in
content | account | teleservices | payment | stats)
	exec "/usr/bin/civitas-$SERVICE"
	;;
*)
	echo "civitas: configuration error: SERVICE=\"${SERVICE:-}\" must be content, account, teleservices, payment or stats" >&2
	exit 2
	;;
esac
