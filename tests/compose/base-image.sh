#!/usr/bin/env bash
# The plain Debian 12 image every Civitas image is built on, for a machine that cannot pull
# debian:12-slim: a minimal debootstrap root (the way ../shared/tools/fresh-debian12.sh makes one),
# with this machine's apt sources, imported into the container engine.
# Usage: base-image.sh ENGINE CACHE_DIR     (ENGINE: podman or docker)
# Prints the image's name, localhost/civitas-debian:12-<hash of the root>. The root's tarball is
# cached in CACHE_DIR, and the import is skipped when the engine has that image already: a second
# run takes a second, and the images built on it keep their build cache.
set -euo pipefail
engine=$1 cache=$2
mkdir -p "$cache"
tarball=$cache/debian-12-root.tar

if [[ ! -s $tarball ]]; then
	command -v debootstrap >/dev/null || { echo "base-image: debootstrap is not installed" >&2; exit 1; }
	# The mirror this machine's apt already uses.
	mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
	[[ -n $mirror ]] || mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
	[[ -n $mirror ]] || mirror=http://deb.debian.org/debian
	root=$(mktemp -d "$cache/root.XXXXXX")
	trap 'rm -rf --one-file-system "$root"' EXIT
	echo "base-image: debootstrap bookworm from $mirror (a few minutes, once)" >&2
	nice -n 10 debootstrap --variant=minbase bookworm "$root" "$mirror" >"$cache/debootstrap.log" 2>&1 || {
		tail -n 20 "$cache/debootstrap.log" >&2
		echo "base-image: debootstrap failed (log: $cache/debootstrap.log)" >&2
		exit 1
	}
	# As debian:12-slim: no documentation from later installs, no apt lists or caches kept.
	cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CFG
	# This machine's sources (main, updates, security), else debootstrap's one line stays.
	if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
		cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/"
		rm -f "$root/etc/apt/sources.list"
	fi
	rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
		"$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/*
	: >"$root/etc/resolv.conf"
	tar --numeric-owner -C "$root" -cf "$tarball.part" .
	mv "$tarball.part" "$tarball"
fi

image=localhost/civitas-debian:12-$(sha256sum "$tarball" | cut -c1-12)
if ! "$engine" image inspect "$image" >/dev/null 2>&1; then
	echo "base-image: importing $tarball as $image" >&2
	out=$("$engine" import --change 'CMD ["/bin/bash"]' --change 'ENV LANG=C.UTF-8' "$tarball" "$image" 2>&1) || {
		echo "$out" >&2
		echo "base-image: $engine import failed" >&2
		exit 1
	}
fi
echo "$image"
