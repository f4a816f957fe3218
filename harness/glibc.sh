#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build glibc 2.36 with the KTLS series (libc/glibc/series) out of tree:
# Debian's glibc-source tarball is extracted to build/glibc/src, the
# series applied with --fuzz=0, configured and built in build/glibc/obj
# with ccache, and installed into build/glibc/root for the guest.  Skips
# every step whose inputs did not change.
#
#   harness/glibc.sh [build | tests <selection>]
#
# "tests" also builds the test programs of every subdir the selection of
# tests/glibc/selection names (make tests run-built-tests=no), so that the
# guest only runs them.
set -euo pipefail
. "$(dirname "$0")/common.sh"

what=${1:-build}
gl=$build/glibc
src=$gl/src
gobj=$gl/obj
root=$gl/root
tar=/usr/src/glibc/glibc-2.36.tar.xz
[ -f "$tar" ] || die "$tar missing: run harness/deps.sh"
log=$logs/glibc-build.log

# Progress for a long make: one line every 500 lines of output.
progress() {
	awk -v what="$1" '{ if (++n % 500 == 0) { printf "  ... %s: %d steps\n", what, n; fflush() } }'
}

series=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$top/libc/glibc/series")
hash=$( { dpkg-query -W -f='${Version}\n' glibc-source
	for p in $series; do cat "$top/libc/glibc/$p"; done; } | sha256sum | cut -c1-12)
start=$(date +%s)

if [ "$(cat "$src/.ktls-series" 2>/dev/null)" != "$hash" ]; then
	ver=$(dpkg-query -W -f='${Version}' glibc-source)
	[ "$ver" = "$(cat "$top/libc/glibc/base-version")" ] ||
		say "glibc: note: glibc-source is $ver; the series is tested on $(cat "$top/libc/glibc/base-version") (libc/glibc/base-version)"
	say "glibc: extracting $(basename "$tar") ($ver) and applying libc/glibc/series"
	rm -rf "$src" "$gobj" "$root"
	mkdir -p "$gl"
	tar -C "$gl" -xf "$tar"
	mv "$gl/glibc-2.36" "$src"
	for p in $series; do
		patch -d "$src" -p1 -s --fuzz=0 --no-backup-if-mismatch \
			< "$top/libc/glibc/$p" || die "libc/glibc/$p does not apply to glibc-source $ver"
	done
	echo "$hash" > "$src/.ktls-series"
fi

if [ ! -f "$gobj/config.status" ]; then
	say "glibc: configuring in $gobj"
	mkdir -p "$gobj"
	(cd "$gobj" && CC="ccache gcc" CXX="ccache g++" "$src/configure" \
		--prefix=/usr --disable-werror --disable-profile \
		--disable-crypt --without-selinux) > "$logs/glibc-configure.log" 2>&1 ||
		{ tail -n 30 "$logs/glibc-configure.log"; die "glibc configure failed"; }
fi

jobs=$(nproc)
if [ ! -f "$gobj/.ktls-built" ]; then
	say "glibc: building with 'ccache gcc' on $jobs cores (about 50 core-minutes from a cold cache, a few warm)"
	if ! make -C "$gobj" -j"$jobs" > >(tee "$log" | progress build) 2>&1; then
		sleep 1
		grep -e 'error:' -e '\*\*\*' "$log" | cut -c1-300 | head -n 20 || true
		die "glibc build failed (log: $log)"
	fi
	sleep 1
	touch "$gobj/.ktls-built"
fi

if [ ! -f "$root/.ktls-installed" ]; then
	say "glibc: installing into $root"
	rm -rf "$root"
	make -C "$gobj" -j"$jobs" install DESTDIR="$root" > "$logs/glibc-install.log" 2>&1 ||
		{ tail -n 30 "$logs/glibc-install.log"; die "glibc install failed"; }
	touch "$root/.ktls-installed"
fi

if [ "$what" = tests ]; then
	sel=${2:?usage: glibc.sh tests <selection>}
	subdirs=$("$top/tests/glibc/items.sh" "$sel" | cut -d/ -f1 | sort -u)
	[ -n "$subdirs" ] || die "no selection '$sel' in tests/glibc/selection"
	for d in $subdirs; do
		[ -f "$gobj/$d/.ktls-tests-built" ] && continue
		say "glibc: building the tests of $d/"
		if ! make -C "$src/$d" objdir="$gobj" subdir="$d" ..=../ -j"$jobs" \
			tests run-built-tests=no \
			> >(tee "$logs/glibc-tests-$d.log" | progress "$d tests") 2>&1; then
			sleep 1
			grep -e 'error:' -e '\*\*\*' "$logs/glibc-tests-$d.log" | cut -c1-300 | head -n 20 || true
			die "building glibc's $d tests failed"
		fi
		touch "$gobj/$d/.ktls-tests-built"
	done
	# The root that glibc's container tests (test-container) copy; the
	# smaller selections have none.
	if [ "$sel" = full ] && [ ! -f "$gobj/testroot.pristine/install.stamp" ]; then
		say "glibc: installing the container tests' root (testroot.pristine)"
		make -C "$gobj" -j"$jobs" "$gobj/testroot.pristine/install.stamp" \
			> "$logs/glibc-testroot.log" 2>&1 ||
			{ tail -n 20 "$logs/glibc-testroot.log"; die "testroot.pristine failed"; }
	fi
fi
say "glibc: ready in $gobj ($(( $(date +%s) - start )) s)"
