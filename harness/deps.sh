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
	glibc-source gawk stress-ng rsync gdb python3-pexpect
)
# Libraries and tools the user-space library asks for.
if [ -f "$top/tools/lib/ktls/DEPENDS" ]; then
	while read -r p _; do
		case "$p" in ''|'#'*) continue ;; esac
		pkgs+=("$p")
	done < "$top/tools/lib/ktls/DEPENDS"
fi

# The bases the series are tested on: Debian's security archive moves
# linux-source-6.1 and glibc-source every few weeks, and both series
# apply with --fuzz=0.  Install the recorded version while the archive
# has it; else say so and take the newest (the build names any hunk that
# no longer applies; for the kernel, make rebase moves the series).
# pin PACKAGE VERSION-FILE HOW-TO-MOVE
pin() {
	local pkg=$1 want have
	want=$(cat "$top/$2")
	have=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)
	[ "$have" = "$want" ] && return 0
	if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
		echo "deps: note: $pkg ${have:-is not installed}; $2 records $want" >&2
		return 0
	fi
	export DEBIAN_FRONTEND=noninteractive
	# madison prints "pkg |  6.1.192-3 | <archive>": compare the version
	# column, not a spacing.
	in_archive() {
		apt-cache madison "$pkg" 2>/dev/null |
			awk -F'|' -v v="$want" '{ gsub(/ /, "", $2) } $2 == v { f = 1 } END { exit !f }'
	}
	in_archive || apt-get update -q >/dev/null
	if in_archive; then
		echo "deps: installing $pkg=$want ($2)"
		apt-get install -y -q --no-install-recommends --allow-downgrades \
			"$pkg=$want" >/dev/null
	else
		echo "deps: note: $pkg $want ($2) is no longer in the archive;" \
			"${have:+building on the installed $have; }$3" >&2
	fi
}
pin linux-source-6.1 patches/base-version "make rebase moves the series to the newest"
pin glibc-source libc/glibc/base-version \
	"once libc/glibc/series applies to it, record that version there"

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
