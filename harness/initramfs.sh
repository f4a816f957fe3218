#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the guest programs and pack the test VM's root file system:
# busybox, /init, the test and demo programs, and the shared libraries
# they need (found with ldd).  Writes build/initramfs.cpio.gz.
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ -f "$obj/.ktls-built" ] || die "no kernel built yet: run harness/kernel.sh"
guest=$build/guest
root=$build/initramfs
mkdir -p "$guest/vDSO" "$guest/ktls"
hdr="-isystem $obj/usr/include"
say "initramfs: building guest programs"

# The base tree's own vDSO selftests.
make -s -C "$tree/tools/testing/selftests/vDSO" OUTPUT="$guest/vDSO" \
	KHDR_INCLUDES="$hdr" >"$logs/guest-vdso.log" 2>&1 ||
	{ tail -n 20 "$logs/guest-vdso.log"; die "vDSO selftests did not build"; }
# The ktls selftests.
if [ -d "$tree/tools/testing/selftests/ktls" ]; then
	make -s -C "$tree/tools/testing/selftests/ktls" OUTPUT="$guest/ktls" \
		KHDR_INCLUDES="$hdr" >"$logs/guest-ktls.log" 2>&1 ||
		{ tail -n 20 "$logs/guest-ktls.log"; die "ktls selftests did not build"; }
fi
gcc -O2 -Wall -Werror -static -o "$guest/guest-exit" "$top/harness/guest/guest-exit.c"
# The examples shown by make run.
vdso_sel=$tree/tools/testing/selftests/vDSO
gcc -O2 -Wall -Wextra -Werror $hdr -I"$vdso_sel" -o "$guest/vdso_gettid" \
	"$top/examples/vdso_gettid.c" "$vdso_sel/parse_vdso.c" -lpthread

rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,ktls,etc}
cp /bin/busybox "$root/bin/busybox"
for app in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$app" ] || ln -s busybox "$root/bin/$app"
done
cp "$top/harness/guest/init" "$root/init"
echo "root:x:0:0:root:/:/bin/sh" > "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"

: > "$root/ktls/test.list"
: > "$root/ktls/run.list"
add() {	# add LIST PROGRAM...: copy programs into /ktls and list them
	local list=$1 p
	shift
	for p in "$@"; do
		cp "$p" "$root/ktls/"
		basename "$p" >> "$root/ktls/$list.list"
	done
}
add test "$top/tests/guest/kernel_version.sh"
add run "$top/tests/guest/kernel_version.sh" "$guest/vdso_gettid"
for t in vdso_test_abi vdso_test_getcpu vdso_test_gettimeofday \
	 vdso_test_clock_getres vdso_test_correctness vdso_standalone_test_x86; do
	add test "$guest/vDSO/$t"
done
if [ -d "$guest/ktls" ]; then
	for t in $(cd "$guest/ktls" && ls ktls_* 2>/dev/null); do
		[ -x "$guest/ktls/$t" ] && add test "$guest/ktls/$t"
	done
fi
cp "$top/tests/guest/inject_fail.sh" "$root/ktls/"
echo inject_fail.sh > "$root/ktls/inject-fail.list"
cp "$guest/guest-exit" "$root/ktls/"

# Shared libraries of every dynamically linked program.
for p in "$root"/ktls/*; do
	ldd "$p" 2>/dev/null | grep -o '/[^ ]*' || true
done | sort -u | while read -r lib; do
	[ -f "$lib" ] || continue
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
[ -e /lib64/ld-linux-x86-64.so.2 ] && mkdir -p "$root/lib64" &&
	cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) \
	> "$build/initramfs.cpio.gz.tmp"
mv "$build/initramfs.cpio.gz.tmp" "$build/initramfs.cpio.gz"
say "initramfs: $(wc -l < "$root/ktls/test.list") tests, $(du -h "$build/initramfs.cpio.gz" | cut -f1) in build/initramfs.cpio.gz"
