#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the guest programs and pack the test VM's root file system:
# busybox, /init, the test and demo programs, and the shared libraries
# they need (found with ldd).  Writes build/initramfs.cpio.gz (or
# $KTLS_GUEST_DIR/initramfs.cpio.gz).
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ -f "$build/obj/.ktls-built" ] || die "no kernel built yet: run harness/kernel.sh"
guest=$gbuild/guest
root=$gbuild/initramfs
mkdir -p "$guest/ktls"
# Guest programs use the patched kernel's UAPI headers, whatever the flavour.
hdr="-isystem $build/obj/usr/include"
say "initramfs: building guest programs"

# The base tree's own selftests for what ktls touches, built from the
# pristine tree (they also run on the unpatched kernel for comparison).
for d in vDSO rseq clone3 x86; do
	mkdir -p "$guest/upstream/$d"
	make -s -C "$base/tools/testing/selftests/$d" OUTPUT="$guest/upstream/$d" \
		KHDR_INCLUDES="$hdr" >"$logs/guest-upstream-$d.log" 2>&1 ||
		{ tail -n 20 "$logs/guest-upstream-$d.log"; die "$d selftests did not build"; }
done
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
# libktls: its tests run under the patched kernel, and the example.
lk=$guest/libktls
lktests="test_ids test_ids_noinline test_lookup test_crosscheck test_register test_thread"
make -s -C "$top/tools/lib/ktls" OUTPUT="$lk" WERROR=1 all $(for t in $lktests; do
	echo "$lk/tests/$t"; done) >"$logs/guest-libktls.log" 2>&1 ||
	{ tail -n 20 "$logs/guest-libktls.log"; die "libktls did not build"; }
gcc -O2 -Wall -Wextra -Werror -I"$top/tools/lib/ktls/include" -I"$lk/include" \
	-o "$guest/libktls_demo" "$top/examples/libktls_demo.c" "$lk/libktls.a" -lpthread
# The benchmark shown by make run.
make -s -C "$top/bench" guest OUTPUT="$guest/bench" >"$logs/guest-bench.log" 2>&1 ||
	{ tail -n 20 "$logs/guest-bench.log"; die "bench did not build"; }

rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,ktls,etc}
cp /bin/busybox "$root/bin/busybox"
for app in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$app" ] || ln -s busybox "$root/bin/$app"
done
cp "$top/harness/guest/init" "$root/init"
printf '%s\n' "root:x:0:0:root:/:/bin/sh" \
	"nobody:x:65534:65534:nobody:/tmp:/bin/sh" > "$root/etc/passwd"
printf '%s\n' "root:x:0:" "nogroup:x:65534:" > "$root/etc/group"
# The syscall fuzzer run by tests/guest/trinity.sh.
mkdir -p "$root/usr/bin"
cp /usr/bin/trinity "$root/usr/bin/"

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
add run "$top/tests/guest/kernel_version.sh" "$guest/vdso_gettid" "$guest/libktls_demo"
cp "$guest/bench/ktls_bench" "$root/ktls/"
add run "$guest/bench/ktls_bench.sh"
vdso_tests="vdso_test_abi vdso_test_getcpu vdso_test_gettimeofday
	vdso_test_clock_getres vdso_test_correctness vdso_standalone_test_x86"
for t in $vdso_tests; do
	add test "$guest/upstream/vDSO/$t"
done
: > "$root/ktls/upstream.list"
for t in $vdso_tests; do echo "$t" >> "$root/ktls/upstream.list"; done
# rseq: the quick programs (run_param_test.sh takes hours under TCG).
for t in basic_test basic_percpu_ops_test param_test param_test_compare_twice; do
	add upstream "$guest/upstream/rseq/$t"
done
cp "$guest/upstream/rseq/librseq.so" "$root/ktls/"
for t in clone3 clone3_clear_sighand clone3_set_tid clone3_cap_checkpoint_restore; do
	add upstream "$guest/upstream/clone3/$t"
done
# sysret_ss_attrs_64 is left out: it oopses the base kernel and the
# patched one alike under TCG (a far return to a 32-bit code segment in
# a kernel without IA32 emulation), which ends the run.
for t in $(cd "$guest/upstream/x86" && ls *_64); do
	[ "$t" = sysret_ss_attrs_64 ] && continue
	add upstream "$guest/upstream/x86/$t"
done
if [ -d "$guest/ktls" ]; then
	for t in $(cd "$guest/ktls" && ls ktls_* 2>/dev/null); do
		[ -x "$guest/ktls/$t" ] && add test "$guest/ktls/$t"
	done
	# Helpers the tests exec, not tests themselves.
	cp "$guest/ktls/compat32_probe" "$root/ktls/"
fi
for t in $lktests; do
	add test "$lk/tests/$t"
done
add test "$top/tests/guest/trinity.sh"
add test "$top/tests/guest/kmemleak_scan.sh"
cp "$top/tests/guest/inject_fail.sh" "$root/ktls/"
echo inject_fail.sh > "$root/ktls/inject-fail.list"
cp "$guest/guest-exit" "$root/ktls/"
# glibc's tests run in a chroot of the host's file system over 9p
# (harness/glibc-vm.sh): the script that enters it, and where the project is.
cp "$top/tests/glibc/guest.sh" "$root/ktls/glibc-guest.sh"
echo glibc-guest.sh > "$root/ktls/glibc.list"
echo "top=$top" > "$root/ktls/glibc.env"

# Shared libraries of every dynamically linked program.
for p in "$root"/ktls/* "$root/usr/bin/trinity"; do
	ldd "$p" 2>/dev/null | grep -o '/[^ ]*' || true
done | sort -u | while read -r lib; do
	[ -f "$lib" ] || continue
	case "$lib" in "$build"/*|"$gbuild"/*) continue ;; esac
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
# Libraries built here go to the guest's default library folder (their
# build folder's rpath does not exist there).
mkdir -p "$root/usr/lib/x86_64-linux-gnu"
cp -L "$lk/libktls.so.2" "$root/usr/lib/x86_64-linux-gnu/"
[ -e /lib64/ld-linux-x86-64.so.2 ] && mkdir -p "$root/lib64" &&
	cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"

# KTLS_TESTS="ktls_owner ktls_abi": run only these guest tests (a quick
# loop while working on one; make test always runs them all).
if [ -n "${KTLS_TESTS:-}" ]; then
	printf '%s\n' $KTLS_TESTS | grep -Fxf - "$root/ktls/test.list" \
		> "$root/ktls/only.list" || true
	mv "$root/ktls/only.list" "$root/ktls/test.list"
fi
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) \
	> "$initrd.tmp"
mv "$initrd.tmp" "$initrd"
say "initramfs: $(wc -l < "$root/ktls/test.list") tests, $(du -h "$initrd" | cut -f1) in $initrd"
