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
)
# Libraries and tools the user-space library asks for.
if [ -f "$top/tools/lib/ktls/DEPENDS" ]; then
	while read -r p _; do
		case "$p" in ''|'#'*) continue ;; esac
		pkgs+=("$p")
	done < "$top/tools/lib/ktls/DEPENDS"
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
