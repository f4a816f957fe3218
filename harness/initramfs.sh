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
mkdir -p "$guest"
# Guest programs use the patched kernel's UAPI headers, whatever the flavour.
hdr="-isystem $build/obj/usr/include"
say "initramfs: building guest programs"

# The selftests, built and installed by the kernel's own kselftest install
# target (run_kselftest.sh, kselftest-list.txt) against the patched
# kernel's headers: the KTLS ones, and the base tree's own for what ktls
# touches (these folders are the same in the base tree; they also run on
# the unpatched kernel for comparison).
ks=$guest/kselftest
rm -rf "$ks"
make -C "$tree/tools/testing/selftests" O="$build/obj" FORCE_TARGETS=1 \
	TARGETS="ktls vDSO rseq clone3 x86" KSFT_INSTALL_PATH="$ks" install \
	>"$logs/guest-kselftest.log" 2>&1 ||
	{ tail -n 30 "$logs/guest-kselftest.log"; die "the selftests did not build"; }
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
g++ -x c++ -O2 -Wall -Wextra -Werror -I"$top/tools/lib/ktls/include" -I"$lk/include" \
	-o "$guest/libktls_demo_cxx" "$top/examples/libktls_demo.c" -x none \
	"$lk/libktls.a" -lpthread
# The benchmark shown by make run.
make -s -C "$top/bench" guest OUTPUT="$guest/bench" KHDR_DIR="$build/obj/usr/include" >"$logs/guest-bench.log" 2>&1 ||
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

: > "$root/ktls/run.list"
add() {	# add LIST PROGRAM...: copy programs into /ktls and list them
	local list=$1 p
	shift
	for p in "$@"; do
		cp "$p" "$root/ktls/"
		basename "$p" >> "$root/ktls/$list.list"
	done
}
add run "$top/tests/guest/kernel_version.sh" "$guest/vdso_gettid" "$guest/libktls_demo" \
	"$guest/libktls_demo_cxx"
cp "$guest/bench/ktls_bench" "$root/ktls/"
add run "$guest/bench/ktls_bench.sh"

# The project's own guest tests, as one more kselftest collection.
kg=$ks/ktls-guest
mkdir -p "$kg"
guest_tests="kernel_version.sh $lktests trinity.sh kmemleak_scan.sh"
cp "$top/tests/guest/kernel_version.sh" "$top/tests/guest/trinity.sh" \
	"$top/tests/guest/kmemleak_scan.sh" "$top/tests/guest/inject_fail.sh" "$kg/"
for t in $lktests; do cp "$lk/tests/$t" "$kg/"; done
# inject_fail.sh fails on purpose; only ktls.inject=fail selects it.
printf 'ktls-guest:%s\n' $guest_tests inject_fail.sh >> "$ks/kselftest-list.txt"
# Timeouts are set for hardware (45 s unless a collection says otherwise);
# under TCG every collection gets 600 s.
for d in "$ks"/*/; do
	[ "$(basename "$d")" = kselftest ] && continue
	[ -f "$d/settings" ] && sed -i '/^timeout=/d' "$d/settings"
	echo "timeout=600" >> "$d/settings"
done
# busybox's timeout has no --foreground, which kselftest's runner passes,
# and says 143 where the runner looks for coreutils' 124.
mkdir -p "$root/usr/bin"
printf '%s\n' '#!/bin/sh' '[ "$1" = --foreground ] && shift' \
	'/bin/busybox timeout "$@"' 'rc=$?' '[ $rc -eq 143 ] && rc=124' 'exit $rc' \
	> "$root/usr/bin/timeout"
chmod 755 "$root/usr/bin/timeout"
cp -a "$ks" "$root/kselftest"

# What each mode runs: run_kselftest.sh -t COLLECTION:TEST, in this order
# (kmemleak_scan.sh last: it counts what the tests before it leaked).
vdso_tests="vdso_test_abi vdso_test_getcpu vdso_test_gettimeofday
	vdso_test_clock_getres vdso_test_correctness vdso_standalone_test_x86"
{
	grep '^ktls:' "$ks/kselftest-list.txt"
	printf 'vDSO:%s\n' $vdso_tests
	printf 'ktls-guest:%s\n' $guest_tests
} > "$root/ktls/test.list"
{
	printf 'vDSO:%s\n' $vdso_tests
	# rseq: the quick programs (run_param_test.sh takes hours under TCG).
	printf 'rseq:%s\n' basic_test basic_percpu_ops_test param_test \
		param_test_compare_twice
	printf 'clone3:%s\n' clone3 clone3_clear_sighand clone3_set_tid \
		clone3_cap_checkpoint_restore
	# sysret_ss_attrs_64 is left out: it oopses the base kernel and the
	# patched one alike under TCG (a far return to a 32-bit code segment
	# in a kernel without IA32 emulation), which ends the run.
	grep '^x86:.*_64$' "$ks/kselftest-list.txt" | grep -vx 'x86:sysret_ss_attrs_64'
} > "$root/ktls/upstream.list"
echo ktls-guest:inject_fail.sh > "$root/ktls/inject-fail.list"
for l in test upstream; do
	while read -r t; do
		[ -e "$root/kselftest/${t%%:*}/${t#*:}" ] || die "$l.list: no $t installed"
	done < "$root/ktls/$l.list"
done
cp "$guest/guest-exit" "$root/ktls/"

# glibc's tests run in the host's file system, shared over 9p
# (harness/glibc-vm.sh): the script that enters it, and where the project is.
cp "$top/tests/glibc/guest.sh" "$root/ktls/glibc-guest.sh"
echo glibc-guest.sh > "$root/ktls/glibc.list"
echo "top=$top" > "$root/ktls/glibc.env"

# Shared libraries of every dynamically linked program.
for p in "$root"/ktls/* "$root"/kselftest/*/* "$root/usr/bin/trinity"; do
	ldd "$p" 2>/dev/null | grep -o '/[^ ]*' || true
done | sort -u | while read -r lib; do
	[ -f "$lib" ] || continue
	case "$lib" in "$build"/*|"$gbuild"/*) continue ;; esac
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
# glibc loads libgcc_s at run time to unwind (pthread_exit, cancellation).
gcc_s=$(gcc -print-file-name=libgcc_s.so.1)
mkdir -p "$root/lib/x86_64-linux-gnu"
cp -L "$gcc_s" "$root/lib/x86_64-linux-gnu/"
# Libraries built here go to the guest's default library folder (their
# build folder's rpath does not exist there).
mkdir -p "$root/usr/lib/x86_64-linux-gnu"
cp -L "$lk/libktls.so.2" "$root/usr/lib/x86_64-linux-gnu/"
[ -e /lib64/ld-linux-x86-64.so.2 ] && mkdir -p "$root/lib64" &&
	cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"

# KTLS_TESTS="ktls_owner ktls_abi": run only these guest tests (a quick
# loop while working on one; make test always runs them all).
if [ -n "${KTLS_TESTS:-}" ]; then
	printf '%s\n' $KTLS_TESTS | sed 's/^/:/' |
		grep -Ff - "$root/ktls/test.list" > "$root/ktls/only.list" || true
	mv "$root/ktls/only.list" "$root/ktls/test.list"
fi
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) \
	> "$initrd.tmp"
mv "$initrd.tmp" "$initrd"
say "initramfs: $(wc -l < "$root/ktls/test.list") tests, $(du -h "$initrd" | cut -f1) in $initrd"
