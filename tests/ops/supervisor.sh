#!/usr/bin/env bash
# A daemon of the running stack that crashes comes back by itself: each of the five is killed
# with SIGKILL, its supervisor starts it again (new pid, /readyz 200 through the gateway), the
# crash is in its log and in `./civitas status`; a second crash within the minute waits longer
# (backoff). Runs on the stack that ./civitas test started (skips, exit 77, outside it).
set -euo pipefail
[[ -n ${CIVITAS_VAR:-} && -n ${CIVITAS_TEST_BASE_URL:-} && -n ${CIVITAS_TEST_ROOT:-} ]] || exit 77
run=$CIVITAS_VAR/run logs=$CIVITAS_VAR/log cli=$CIVITAS_TEST_ROOT/civitas
services=(content account teleservices payment stats)
fail() {
	echo "FAIL: $*" >&2
	"$cli" status >&2 || true
	exit 1
}
live_pid() { # the daemon's pid once it runs again (the supervisor rewrites run/<svc>.pid)
	local p
	p=$(cat "$run/$1.pid" 2>/dev/null) || return 1
	[[ -n $p && -d /proc/$p ]] && echo "$p"
}
# A process is its pid and its start time (field 22 of /proc/<pid>/stat, after the command name
# in parentheses): with pid_max 32768 and a busy machine, a restarted daemon can get the very pid
# its killed predecessor had (seen: teleservices killed as 12513 came back as 12513).
live_proc() {
	local p st
	p=$(live_pid "$1") || return 1
	st=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f20) || return 1
	[[ -n $st ]] && echo "$p:$st"
}
wait_back() { # SERVICE OLD_PROC (pid:start): a new daemon, ready through the gateway, within 120 s
	local s=$1 old=$2 p code
	for ((i = 0; i < 600; i++)); do
		if p=$(live_proc "$s") && [[ $p != "$old" ]]; then
			code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$CIVITAS_TEST_BASE_URL/api/$s/v1/readyz") || code=000
			[[ $code == 200 ]] && return 0
		fi
		sleep 0.2
	done
	fail "civitas-$s did not come back after kill -9 of pid $old"
}

declare -A old
for s in "${services[@]}"; do
	old[$s]=$(live_proc "$s") || fail "civitas-$s is not running before the test"
	[[ -s $run/$s.supervisor.pid ]] || fail "civitas-$s has no supervisor"
done
for s in "${services[@]}"; do kill -KILL "${old[$s]%%:*}"; done
for s in "${services[@]}"; do wait_back "$s" "${old[$s]}"; done
status=$("$cli" status) || fail "status is not all ready after the restarts"
for s in "${services[@]}"; do
	grep -E "^$s +[0-9]+ +ready .*supervised, restarts: 1 \(last exit: killed by signal 9 " <<<"$status" >/dev/null ||
		fail "status does not show the restart of $s"
	grep -F '"tag":"supervisor"' "$logs/$s.log" | grep -F "civitas-$s died (killed by signal 9" | grep -qF "restart 1 in 1 s" ||
		fail "$logs/$s.log does not record the crash"
done

# A second crash soon after: the next start waits 2 s instead of 1.
p=$(live_proc stats)
kill -KILL "${p%%:*}"
wait_back stats "$p"
grep -F '"tag":"supervisor"' "$logs/stats.log" | grep -qF "restart 2 in 2 s" || fail "no backoff on the second crash of stats"
status=$("$cli" status) || fail "status is not all ready after the second restart"
grep -E "^stats .*restarts: 2 " <<<"$status" >/dev/null || fail "status does not count the second restart"
echo "five daemons killed with SIGKILL came back by themselves; the second crash waited 2 s"
