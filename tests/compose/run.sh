#!/usr/bin/env bash
# The composed stack for real (ctest label compose): builds every image of deploy/docker/Dockerfile
# on a local Debian 12 base, starts docker-compose.yml, waits until every service is healthy, then
# through the gateway: each /api/<svc>/v1/readyz, the home page, the demo citizen's school
# registration with vault documents and its acknowledgement in the mail catcher; restarts a daemon
# and PostgreSQL and finds the data again; backs up (pg_dump + the keys volume), restores into a
# fresh stack and finds the citizen's request and documents there; `down -v` leaves nothing.
#
# Usage: run.sh SOURCE_DIR BUILD_DIR [NODE]
# Engine: podman (with deploy/podman/containers.conf, driven by docker-compose 1.29 through
# `podman system service`), else Docker (`docker compose`). Exit 77 (ctest: skipped) only when no
# engine is installed or the engine cannot run a container here, with the reason.
# Each run has its own project names and a free port; it removes its containers, volumes and
# networks even when it fails (the images stay, as build cache). Timings: BUILD_DIR/compose/timings.txt.
set -euo pipefail

# All in one function, called on the last line: bash reads a script as it runs it, and this one
# runs for many minutes while the checkout may change.
main() {

src=$(cd "$1" && pwd)
build=$(mkdir -p "$2" && cd "$2" && pwd)
node=${3:-${CIVITAS_NODE:-node}}
cache=$build/compose
mkdir -p "$cache"
timings=$cache/timings.txt
: >"$timings"

say() { printf 'compose: %s\n' "$*"; }
note() { # a measured figure: printed and kept in timings.txt
	say "$*"
	printf '%s\n' "$*" >>"$timings"
}
fail() {
	printf 'compose: FAIL: %s\n' "$*" >&2
	exit 1
}
skip() {
	printf 'compose: SKIPPED: %s\n' "$*" >&2
	exit 77
}

# ---------- the engine ----------
tmp=$(mktemp -d /tmp/civitas-compose.XXXXXX)
service_pid="" pump_pid="" projects=()
if command -v podman >/dev/null; then
	engine=podman
	export CONTAINERS_CONF=$src/deploy/podman/containers.conf
elif command -v docker >/dev/null; then
	engine=docker
else
	skip "neither podman nor docker is installed (./civitas test installs podman on Debian)"
fi

compose() { # compose PROJECT ARGS…
	local p=$1
	shift
	if [[ $engine == podman ]]; then
		DOCKER_HOST=unix://$tmp/podman.sock COMPOSE_HTTP_TIMEOUT=600 docker-compose -f "$src/docker-compose.yml" -p "$p" "$@"
	elif docker compose version >/dev/null 2>&1; then
		docker compose -f "$src/docker-compose.yml" -p "$p" "$@"
	else
		docker-compose -f "$src/docker-compose.yml" -p "$p" "$@"
	fi
}

# Everything a project leaves: containers, volumes, networks (by compose's project label).
leftovers() {
	local p=$1
	{
		$engine ps -a -q --filter "label=com.docker.compose.project=$p"
		$engine volume ls -q --filter "label=com.docker.compose.project=$p"
		$engine network ls -q --filter "label=com.docker.compose.project=$p"
	} 2>/dev/null
}

purge() { # whatever `down -v` missed, by label
	local p=$1
	$engine ps -a -q --filter "label=com.docker.compose.project=$p" | xargs -r $engine rm -f -v >/dev/null 2>&1 || true
	$engine volume ls -q --filter "label=com.docker.compose.project=$p" | xargs -r $engine volume rm -f >/dev/null 2>&1 || true
	$engine network ls -q --filter "label=com.docker.compose.project=$p" | xargs -r $engine network rm >/dev/null 2>&1 || true
}

cleanup() {
	local rc=$? p
	if ((rc != 0 && rc != 77)); then
		for p in "${projects[@]}"; do
			say "--- containers of $p after the failure"
			$engine ps -a --filter "label=com.docker.compose.project=$p" --format '{{.Names}} {{.Status}}' 2>/dev/null || true
			for c in $($engine ps -a -q --filter "label=com.docker.compose.project=$p" 2>/dev/null); do
				say "--- logs of $($engine inspect --format '{{.Name}}' "$c" 2>/dev/null) (last 25 lines)"
				$engine logs --tail 25 "$c" 2>&1 || true
			done
		done
	fi
	[[ -n $pump_pid ]] && kill "$pump_pid" 2>/dev/null
	for p in "${projects[@]}"; do
		compose "$p" down -v --remove-orphans -t 5 >/dev/null 2>&1 || true
		purge "$p"
	done
	[[ -n $service_pid ]] && kill "$service_pid" 2>/dev/null && wait "$service_pid" 2>/dev/null
	rm -rf "$tmp"
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---------- can the engine work here at all? Then the base image, and a container on it ----------
# (A chroot, e.g. ../shared/tools/fresh-debian12.sh's, cannot even store an image: "remount /".)
mkdir -p "$tmp/probe" && echo civitas >"$tmp/probe/probe" && tar -C "$tmp/probe" -cf "$tmp/probe.tar" .
if ! out=$($engine import "$tmp/probe.tar" "localhost/civitas-probe:$$" 2>&1); then
	skip "$engine cannot store an image on this machine: $(tail -n 1 <<<"$out")"
fi
$engine rmi "localhost/civitas-probe:$$" >/dev/null 2>&1 || true
t=$SECONDS
base=$("$src/tests/compose/base-image.sh" "$engine" "$cache") || fail "no Debian 12 base image (see above)"
note "base image $base ready in $((SECONDS - t)) s"
if ! out=$($engine run --rm --network none "$base" true 2>&1); then
	skip "$engine cannot run a container on this machine: $out"
fi

# ---------- the images ----------
# One tag per checkout: two checkouts testing at once never swap each other's images.
tag=test-$(printf '%s' "$src" | sha1sum | cut -c1-10)
ca=$(cat /usr/local/share/ca-certificates/*.crt 2>/dev/null || true) # a TLS-inspecting proxy's CA, if any
# The four images share no stage but the base: they build side by side, so the downloads (apt,
# npm) of three overlap the compilation of the daemons. Each build's own duration is noted.
# A build that fails is tried once more (its finished steps come from the cache): the four
# builds download at once and a registry's name once failed to resolve for a few seconds; a real
# error fails both times, with the second log kept.
build_image() { # NAME: writes its exit code and duration to $tmp/built-NAME
	local name=$1 t=$SECONDS rc=0 try
	for try in 1 2; do
		rc=0
		nice -n 10 $engine build -q -f "$src/deploy/docker/Dockerfile" --target "$name" \
			--build-arg "DEBIAN=$base" --build-arg "EXTRA_CA_CERTS=$ca" \
			-t "civitas/$name:$tag" "$src" >"$cache/build-$name.log" 2>&1 || rc=$?
		[[ $rc == 0 ]] && break
		cp "$cache/build-$name.log" "$cache/build-$name.try$try.log"
	done
	echo "$rc $((SECONDS - t))" >"$tmp/built-$name"
}
t=$SECONDS
pids=()
for name in daemon gateway postgres mailcatcher; do
	build_image "$name" &
	pids+=($!)
done
wait "${pids[@]}" || true
for name in daemon gateway postgres mailcatcher; do
	read -r rc secs <"$tmp/built-$name" || rc=1 secs=?
	if [[ $rc != 0 ]]; then
		tail -n 40 "$cache/build-$name.log" >&2
		fail "building the $name image failed (log: $cache/build-$name.log)"
	fi
	size=$($engine image inspect --format '{{.Size}}' "civitas/$name:$tag")
	note "image civitas/$name built in $secs s (side by side), $((size / 1000000)) MB"
done
note "the four images built in $((SECONDS - t)) s"

# The Kubernetes manifests name these images: each container's command is in its image.
/usr/bin/python3 "$src/tests/compose/k8s-check.py" "$src" --images-tag "$tag" >"$tmp/k8s-images.txt" ||
	fail "deploy/k8s does not render or validate (tests/compose/k8s-check.py)"
while read -r image cmd; do
	$engine image inspect "$image" >/dev/null 2>&1 || fail "deploy/k8s names $image, which the Dockerfile does not build"
	[[ $cmd == - ]] && continue
	$engine run --rm --network none --entrypoint /bin/sh "$image" -c "command -v '$cmd'" >/dev/null 2>&1 ||
		fail "deploy/k8s runs $cmd in $image, which has no such command"
done <"$tmp/k8s-images.txt"
say "deploy/k8s: every object valid, every container's image and command built here"

# ---------- compose ----------
if [[ $engine == podman ]]; then
	podman system service --time=0 "unix://$tmp/podman.sock" >"$tmp/service.log" 2>&1 &
	service_pid=$!
	for _ in $(seq 1 100); do [[ -S $tmp/podman.sock ]] && break; sleep 0.1; done
	[[ -S $tmp/podman.sock ]] || fail "podman system service did not open its socket: $(cat "$tmp/service.log")"
fi

free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 30000))
		(echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null || {
			echo "$p"
			return
		}
	done
	fail "no free port"
}
port=$(free_port)
gw=http://127.0.0.1:$port
run_id=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
p1=civitasct$run_id p2=civitasct${run_id}r
export CIVITAS_IMAGE_TAG=$tag CIVITAS_BASE_IMAGE=$base CIVITAS_HTTP_PORT=$port CIVITAS_PUBLIC_URL=$gw \
	CIVITAS_DEMO_PASSWORD=civitas-demo-2026
projects=("$p1" "$p2")
# podman schedules healthchecks with systemd timers; with no systemd, run them here, as systemd
# would on a server (every 5 s, the containers of this run only).
if [[ $engine == podman && ! -d /run/systemd/system ]]; then
	(
		while :; do
			for p in "$p1" "$p2"; do
				for c in $(podman ps -q --filter "label=com.docker.compose.project=$p" 2>/dev/null); do
					podman healthcheck run "$c" >/dev/null 2>&1 || true
				done
			done
			sleep 5
		done
	) &
	pump_pid=$!
fi

# Every container of the project is running and healthy (when it has a check), the one-shots
# exited 0. WHAT is printed on timeout.
wait_healthy() {
	local p=$1 limit=$2 line bad
	local deadline=$((SECONDS + limit))
	while :; do
		bad=""
		while read -r line; do
			set -- $line
			# The one-shots (keys, demo) must have finished: a demo job still running is not a
			# seeded stack, and a restart in the middle of its calls would make it fail.
			case "$2 $3 ${4:-}" in
			"keys exited 0" | "demo exited 0") ;;
			keys\ * | demo\ *) bad+=" $1($3 ${4:-})" ;;
			*" running healthy" | *" running " | *" exited 0") ;;
			*) bad+=" $1($3 ${4:-})" ;;
			esac
		done < <($engine ps -a -q --filter "label=com.docker.compose.project=$p" |
			xargs -r $engine inspect --format '{{.Name}} {{index .Config.Labels "com.docker.compose.service"}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}{{if eq .State.Status "exited"}}{{.State.ExitCode}}{{end}}')
		[[ -z $bad ]] && return 0
		((SECONDS < deadline)) || fail "not healthy after $limit s:$bad"
		sleep 2
	done
}

readyz_all() { # every daemon's /readyz through the gateway, within LIMIT seconds
	local limit=$1 s code deadline=$((SECONDS + $1))
	for s in content account teleservices payment stats; do
		until code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 "$gw/api/$s/v1/readyz") && [[ $code == 200 ]]; do
			((SECONDS < deadline)) || fail "$gw/api/$s/v1/readyz answers $code after $limit s"
			sleep 2
		done
	done
}

journey() { "$node" "$src/tests/compose/journey.mjs" "$gw" "$@"; }

# ---------- first stack: up, journey, mail ----------
t=$SECONDS
CIVITAS_DEMO=1 compose "$p1" up -d --no-build >"$tmp/up1.log" 2>&1 || {
	cat "$tmp/up1.log" >&2
	fail "docker-compose up -d failed"
}
wait_healthy "$p1" 600
note "stack up: every service healthy and the demo seeded $((SECONDS - t)) s after \`up -d\`"
readyz_all 60
say "the five /readyz answer 200 through the gateway"
home=$(curl -fsS -m 10 "$gw/") || fail "the home page does not answer"
grep -q '<html' <<<"$home" || fail "the home page is not HTML"
curl -fsS -m 10 "$gw/site.json" | grep -q 'Beaulieu-sur-Loire' || fail "site.json lacks the town's name"
say "the public home page answers through the gateway"

submitted=$(journey submit) || fail "the demo citizen could not submit the school registration"
req_id=$("$node" -e 'console.log(JSON.parse(process.argv[1]).id)' "$submitted")
req_ref=$("$node" -e 'console.log(JSON.parse(process.argv[1]).reference)' "$submitted")
say "the demo citizen signed in and submitted request $req_ref"

deadline=$((SECONDS + 120))
until compose "$p1" exec -T mail sh -c 'cat /var/mail/civitas/*.eml 2>/dev/null' | grep -q "$req_ref"; do
	((SECONDS < deadline)) || fail "no acknowledgement for $req_ref in the mail catcher after 120 s"
	sleep 2
done
compose "$p1" exec -T mail sh -c "grep -l '$req_ref' /var/mail/civitas/*.eml | xargs cat" >"$tmp/ack.eml"
grep -q 'X-Envelope-To: citoyen@example.org' "$tmp/ack.eml" || fail "the acknowledgement is not addressed to the citizen"
grep -q 'Nous avons bien reçu votre demande' "$tmp/ack.eml" || fail "the acknowledgement lacks its text"
say "the acknowledgement of $req_ref reached the mail catcher container"

# ---------- restarts ----------
# restart SERVICE READYZ_LIMIT WHAT: the container restarts, the stack comes back by itself and the
# citizen's request is still there.
restart() {
	local t=$SECONDS
	compose "$p1" restart "$1" >/dev/null 2>&1 || fail "docker-compose restart $1 failed"
	wait_healthy "$p1" 300
	readyz_all "$2"
	journey check "$req_id" "$req_ref" >/dev/null || fail "after restarting $1, the request is gone"
	note "restart of the $1 container: $3, request kept, in $((SECONDS - t)) s"
}
restart account 120 "back and reached again through the gateway"
restart postgres 180 "daemons reconnected by themselves"

# ---------- backup ----------
bk=$tmp/backup
mkdir -p "$bk"
t=$SECONDS
compose "$p1" exec -T postgres pg_dump -U postgres -Fc --create civitas >"$bk/civitas.dump" ||
	fail "pg_dump through docker-compose exec failed"
compose "$p1" run --rm --no-deps -T -v "$bk:/backup" keys tar -C /run/civitas/keys -cf /backup/keys.tar . >/dev/null 2>&1 ||
	fail "the keys volume could not be saved"
[[ -s $bk/civitas.dump && -s $bk/keys.tar ]] || fail "the backup is empty"
note "backup: pg_dump $(($(stat -c %s "$bk/civitas.dump") / 1000)) kB + keys in $((SECONDS - t)) s"

compose "$p1" down -v -t 30 >"$tmp/down1.log" 2>&1 || {
	cat "$tmp/down1.log" >&2
	fail "docker-compose down -v failed"
}
left=$(leftovers "$p1")
[[ -z $left ]] || fail "down -v left: $left"
say "down -v removed every container, volume and network of the first stack"

# ---------- restore into a fresh stack ----------
t=$SECONDS
compose "$p2" run --rm --no-deps -T -v "$bk:/backup:ro" keys tar -C /run/civitas/keys -xpf /backup/keys.tar >/dev/null 2>&1 ||
	fail "the keys could not be restored into a new volume"
CIVITAS_DEMO=0 compose "$p2" up -d --no-build postgres >"$tmp/up2.log" 2>&1 || {
	cat "$tmp/up2.log" >&2
	fail "docker-compose up -d postgres (restore) failed"
}
wait_healthy "$p2" 300
compose "$p2" exec -T postgres dropdb -U postgres civitas || fail "dropdb before the restore failed"
compose "$p2" exec -T postgres pg_restore -U postgres --create --exit-on-error -d postgres <"$bk/civitas.dump" ||
	fail "pg_restore failed"
CIVITAS_DEMO=0 compose "$p2" up -d --no-build >>"$tmp/up2.log" 2>&1 || {
	cat "$tmp/up2.log" >&2
	fail "docker-compose up -d (restore) failed"
}
wait_healthy "$p2" 600
readyz_all 60
journey check "$req_id" "$req_ref" || fail "the restored stack lacks the citizen's request or documents"
note "restore into a fresh stack (no demo seeding): request $req_ref, its documents and the vault present, in $((SECONDS - t)) s"

compose "$p2" down -v -t 30 >/dev/null 2>&1 || fail "docker-compose down -v (restored stack) failed"
left=$(leftovers "$p2")
[[ -z $left ]] || fail "down -v left: $left"
say "down -v removed everything of the restored stack"
say "PASS (figures in $timings)"
}
main "$@"; exit
