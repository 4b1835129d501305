#!/bin/sh
# Gateway container start: renders deploy/nginx/civitas.conf.template (the one `./civitas up` uses)
# from environment variables, writes site.json, then runs nginx in the foreground.
set -eu

share=${CIVITAS_SHARE:-/usr/share/civitas}   # template, web/ and openapi/ as the image installs them
template=$share/nginx/civitas.conf.template
run=${CIVITAS_GATEWAY_RUN:-/tmp/civitas-gateway}
www=$run/www
conf=$run/nginx.conf

fail() { echo "civitas-gateway: configuration error: $*" >&2; exit 2; }

# host:port only: the values go into nginx.conf, nothing else may slip in.
for name in UPSTREAM_CONTENT UPSTREAM_ACCOUNT UPSTREAM_TELESERVICES UPSTREAM_PAYMENT UPSTREAM_STATS CIVITAS_LISTEN; do
	value=""
	eval "value=\${$name:-}"
	printf '%s' "$value" | grep -Eq '^[A-Za-z0-9._-]+:[0-9]{1,5}$|^\[[0-9A-Fa-f:]+\]:[0-9]{1,5}$' ||
		fail "$name=\"$value\" must be host:port"
done

mkdir -p "$run/tmp" "$www/openapi"
cp "$share"/openapi/*.json "$www/openapi/"

# Town settings for the front end (same fields as var/www/site.json written by ./civitas up).
jq -n \
	--arg town_name "${CIVITAS_TOWN_NAME:-Ville de Beaulieu-sur-Loire}" \
	--arg logo_url "${CIVITAS_TOWN_LOGO:-/assets/logo.svg}" \
	--arg contact_email "${CIVITAS_TOWN_EMAIL:-mairie@beaulieu-sur-loire.example}" \
	--arg phone "${CIVITAS_TOWN_PHONE:-02 38 00 00 00}" \
	--arg address "${CIVITAS_TOWN_ADDRESS:-1 place de la Mairie, 45630 Beaulieu-sur-Loire}" \
	'{town_name: $town_name, logo_url: $logo_url, contact_email: $contact_email, phone: $phone, address: $address}' \
	>"$www/site.json"
# The same values, HTML-escaped, for the pages' server-side includes (web/public/partials/).
mkdir -p "$www/site"
for key in town_name logo_url contact_email phone address; do
	jq -j --arg k "$key" '.[$k] | @html' "$www/site.json" >"$www/site/$key.html"
done

# Logs go to the container's stdout/stderr. Reopening /dev/stdout needs the uid that owns the
# runtime's pipe (root), so the master runs as root and the workers as www-data; as non-root, set
# CIVITAS_ACCESS_LOG to a writable file if the runtime refuses /dev/stdout.
# Strict-Transport-Security only when the operator says the portal is reached over HTTPS only.
case ${CIVITAS_HSTS:-off} in
on) hsts="max-age=31536000" ;;
off | "") hsts="" ;;
*) fail "CIVITAS_HSTS=\"$CIVITAS_HSTS\" must be on or off" ;;
esac

user_directive=""
[ "$(id -u)" = 0 ] && user_directive="user www-data;"
access_log=${CIVITAS_ACCESS_LOG:-/dev/stdout}
mkdir -p "$run/log"

sed -e "s|@USER_DIRECTIVE@|$user_directive|" \
	-e "s|@LISTEN@|$CIVITAS_LISTEN|" \
	-e "s|@PID_FILE@|$run/nginx.pid|" \
	-e "s|@ERROR_LOG@|stderr|" \
	-e "s|@ACCESS_LOG@|$access_log|" \
	-e "s|@TMP_DIR@|$run/tmp|" \
	-e "s|@WEB_ROOT@|$share/web|" \
	-e "s|@WWW_DIR@|$www|" \
	-e "s|@UPSTREAM_CONTENT@|$UPSTREAM_CONTENT|" \
	-e "s|@UPSTREAM_ACCOUNT@|$UPSTREAM_ACCOUNT|" \
	-e "s|@UPSTREAM_TELESERVICES@|$UPSTREAM_TELESERVICES|" \
	-e "s|@UPSTREAM_PAYMENT@|$UPSTREAM_PAYMENT|" \
	-e "s|@UPSTREAM_STATS@|$UPSTREAM_STATS|" \
	-e "s|@HSTS@|$hsts|" \
	"$template" >"$conf"

if [ "${1:-}" = "--check" ]; then
	exec nginx -e stderr -t -c "$conf" -p "$run/"
fi

# nginx resolves the upstream names once, when it loads its configuration, and a daemon container
# that restarts may come back with another address (podman gives a new one on every start). So
# nginx runs as this script's child and the script looks the names up every
# CIVITAS_UPSTREAM_RECHECK_S seconds (5; 0: never): when an address changed, `nginx -s reload`
# (graceful: requests in flight finish on the old workers). TERM and INT become nginx's graceful
# QUIT.
recheck=${CIVITAS_UPSTREAM_RECHECK_S:-5}
case $recheck in '' | *[!0-9]*) fail "CIVITAS_UPSTREAM_RECHECK_S=\"$recheck\" must be a number of seconds" ;; esac
if [ "$recheck" = 0 ]; then
	exec nginx -e stderr -c "$conf" -p "$run/" -g 'daemon off;'
fi
addresses() {
	for u in "$UPSTREAM_CONTENT" "$UPSTREAM_ACCOUNT" "$UPSTREAM_TELESERVICES" "$UPSTREAM_PAYMENT" "$UPSTREAM_STATS"; do
		printf '%s=%s;' "$u" "$(getent ahosts "${u%:*}" 2>/dev/null | awk '{print $1}' | sort -u | tr '\n' ,)"
	done
}
nginx -e stderr -c "$conf" -p "$run/" -g 'daemon off;' &
nginx_pid=$!
trap 'kill -QUIT "$nginx_pid" 2>/dev/null' TERM INT QUIT
known=$(addresses)
while kill -0 "$nginx_pid" 2>/dev/null; do
	sleep "$recheck" &
	wait $! || true
	now=$(addresses)
	if [ "$now" != "$known" ] && kill -0 "$nginx_pid" 2>/dev/null; then
		echo "civitas-gateway: an upstream's address changed: reloading nginx" >&2
		nginx -e stderr -c "$conf" -p "$run/" -s reload || true
		known=$now
	fi
done
status=0
wait "$nginx_pid" || status=$?
exit "$status"
