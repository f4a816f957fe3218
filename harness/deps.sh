#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages that building, booting and testing ktls need.
# Idempotent: installs only what is missing, and says what to do when it
# cannot (not root, no apt).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

pkgs=(
	linux-source-6.1 build-essential bc bison flex libelf-dev libssl-dev
	dwarves cpio xz-utils kmod ccache qemu-system-x86 busybox-static
	libcmocka-dev elfutils pkg-config python3-docutils gnuplot-nox
	clang libcap-dev python3-ply python3-git git trinity
	glibc-source gawk stress-ng rsync
)
# Libraries and tools the user-space library asks for.
if [ -f "$top/tools/lib/ktls/DEPENDS" ]; then
	while read -r p _; do
		case "$p" in ''|'#'*) continue ;; esac
		pkgs+=("$p")
	done < "$top/tools/lib/ktls/DEPENDS"
fi

# The base the series is tested on (patches/base-version).  Debian's
# security archive moves linux-source-6.1 every few weeks; install the
# recorded version while the archive has it, else say so and take the
# newest (patches/series applies with --fuzz=0 and names any hunk that
# no longer applies; make rebase moves the series to it).
base_ver=$(cat "$top/patches/base-version")
have_ver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)
if [ "$have_ver" != "$base_ver" ] && [ "$(id -u)" -eq 0 ] &&
   command -v apt-get >/dev/null; then
	export DEBIAN_FRONTEND=noninteractive
	# madison prints "linux-source-6.1 |  6.1.192-3 | <archive>": compare
	# the version column, not a spacing.
	in_archive() {
		apt-cache madison linux-source-6.1 2>/dev/null |
			awk -F'|' -v v="$base_ver" '{ gsub(/ /, "", $2) } $2 == v { f = 1 } END { exit !f }'
	}
	in_archive || apt-get update -q >/dev/null
	if in_archive; then
		echo "deps: installing linux-source-6.1=$base_ver (patches/base-version)"
		apt-get install -y -q --no-install-recommends --allow-downgrades \
			"linux-source-6.1=$base_ver" >/dev/null
	elif [ -n "$have_ver" ]; then
		echo "deps: note: linux-source-6.1 $base_ver is no longer in the archive;" \
			"building on the installed $have_ver (make rebase records it)" >&2
	else
		echo "deps: note: linux-source-6.1 $base_ver is no longer in the archive;" \
			"installing the newest (make rebase records it)" >&2
	fi
fi

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: these Debian packages are missing and installing them needs root:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
if ! command -v apt-get >/dev/null; then
	echo "deps: no apt-get here; install by hand: ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
