#!/bin/sh
# One-shot key maker for docker-compose: the ES256 token key pair, the internal bearer secret and the
# database passwords, created in $CIVITAS_KEYS_DIR only when absent, each readable by its one reader.
set -eu

dir=${CIVITAS_KEYS_DIR:-/run/civitas/keys}
umask 077
mkdir -p "$dir"
cd "$dir"

# Owners (numeric, as used in docker-compose.yml): the postgres image runs as 999; each daemon has
# its own uid and the shared group 10000, so a compromised daemon cannot read another's password.
PG_UID=999
GROUP=10000
uid_of() {
	case "$1" in
	content) echo 10001 ;; account) echo 10002 ;; teleservices) echo 10003 ;;
	payment) echo 10004 ;; stats) echo 10005 ;;
	esac
}

# ES256 = ECDSA on P-256. The private key is the account service's alone.
if [ ! -s jwt-private.pem ]; then
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out jwt-private.pem.tmp
	openssl pkey -in jwt-private.pem.tmp -pubout -out jwt-public.pem
	mv jwt-private.pem.tmp jwt-private.pem
	echo "civitas-keys: created the ES256 key pair"
fi
[ -s jwt-public.pem ] || openssl pkey -in jwt-private.pem -pubout -out jwt-public.pem
chown "$(uid_of account):$GROUP" jwt-private.pem && chmod 0400 jwt-private.pem
chown 0:0 jwt-public.pem && chmod 0444 jwt-public.pem

# 256 bits, hex: visible ASCII as libcommon requires for a header value.
if [ ! -s internal-secret ]; then
	openssl rand -hex 32 >internal-secret
	echo "civitas-keys: created the internal secret"
fi
chown "0:$GROUP" internal-secret && chmod 0440 internal-secret

if [ ! -s postgres.password ]; then
	openssl rand -hex 24 >postgres.password
fi
chown "$PG_UID:$PG_UID" postgres.password && chmod 0400 postgres.password

for svc in content account teleservices payment stats; do
	if [ ! -s "db-$svc.password" ]; then
		openssl rand -hex 24 >"db-$svc.password"
		echo "civitas-keys: created the database password of civitas_$svc"
	fi
	# Read by the PostgreSQL init script, which creates the role with it.
	chown "$PG_UID:$PG_UID" "db-$svc.password" && chmod 0400 "db-$svc.password"
	# libpq password file for the daemon (CIVITAS_DB_URL=...?passfile=...): must be 0600 and its own.
	printf '*:*:*:civitas_%s:%s\n' "$svc" "$(cat "db-$svc.password")" >"pgpass-$svc"
	chown "$(uid_of "$svc"):$GROUP" "pgpass-$svc" && chmod 0600 "pgpass-$svc"
done
echo "civitas-keys: keys ready in $dir"
