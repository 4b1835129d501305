#!/usr/bin/env bash
# The systemd units of deploy/systemd: one per daemon, each restarted on failure, hardened and
# under its own system user, and accepted by systemd itself (systemd-analyze verify, with the
# binaries of this build in place of /usr/bin and no environment files).
# Usage: systemd-units.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
units=$src/deploy/systemd
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for s in content account teleservices payment stats; do
	u=$units/civitas-$s.service
	[[ -f $u ]] || fail "no unit for $s ($u)"
	for want in "User=civitas-$s" "Group=civitas" "ExecStart=/usr/bin/civitas-$s" "Restart=on-failure" \
		"RestartPreventExitStatus=2" "NoNewPrivileges=yes" "ProtectSystem=strict" "PrivateTmp=yes" \
		"ProtectHome=yes" "CapabilityBoundingSet=" "EnvironmentFile=/etc/civitas/$s.env"; do
		grep -qxF "$want" "$u" || fail "civitas-$s.service lacks the line $want"
	done
	grep -q "^u civitas-$s " "$units/civitas.sysusers" || fail "civitas.sysusers does not create civitas-$s"
	grep -q "civitas-$s.service" "$units/civitas.target" || fail "civitas.target does not want civitas-$s.service"
	sed -e "s|^ExecStart=.*|ExecStart=$build/services/$s/civitas-$s|" -e "s|^EnvironmentFile=.*|EnvironmentFile=/dev/null|" \
		"$u" >"$tmp/civitas-$s.service"
done
cp "$units/civitas.target" "$tmp/"
if ! command -v systemd-analyze >/dev/null; then
	echo "systemd-analyze not found: only the contents were checked" >&2
	exit 77
fi
# verify prints a line for any unknown key, bad value or missing binary.
out=$(systemd-analyze verify "$tmp"/*.service "$tmp/civitas.target" 2>&1) || fail "systemd-analyze verify: $out"
[[ -z $out ]] || fail "systemd-analyze verify: $out"
echo "5 units: hardened, restarted on failure, accepted by systemd-analyze verify"
