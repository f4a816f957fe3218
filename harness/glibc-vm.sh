#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run a selection of glibc's tests (tests/glibc/selection) in the test VM
# against the glibc built by harness/glibc.sh, in each configuration:
#
#   on    the patched kernel, KTLS registered (the default)
#   off   the patched kernel with GLIBC_TUNABLES=glibc.pthread.ktls=0
#   base  the unpatched base kernel (no KTLS: glibc runs as before)
#
#   harness/glibc-vm.sh <ktls|smoke|full|programs> [on off base]
#
# glibc's own make check runs on the host with the test VM as its test
# machine: the guest mounts the host's file system and the glibc build
# folder over 9p, and runs each test program that tests/glibc/remote.sh
# (the test-wrapper) queues there.  "programs" runs tests/glibc/programs.sh
# in the guest instead: xz, stress-ng, libktls and bench/glibc_bench.c under this
# glibc and the stock one.  Each configuration is one harness/glibc-conf.sh;
# the full selection runs them side by side (KTLS_GLIBC_RESUME=1 resumes
# an interrupted run).  Results land in
# build/glibc/results/<selection>-<config>/.  Prints a table of the counts
# and every test whose result differs between the configurations.  Exits
# non-zero when a test failed or differs.
set -euo pipefail
. "$(dirname "$0")/common.sh"

sel=${1:?usage: glibc-vm.sh ktls|smoke|full|programs [on off base]}
shift
confs=("$@")
[ ${#confs[@]} -gt 0 ] || confs=(on off base)
for c in "${confs[@]}"; do
	case $c in on|off|base) ;; *) die "unknown configuration $c (on, off or base)" ;; esac
done
gl=$build/glibc
res=$gl/results
# One run at a time per build folder: the guest serves the job folder.
mkdir -p "$gl"
exec 9> "$gl/.vm-lock"
flock -n 9 || die "another harness/glibc-vm.sh is using $gl"
begin=$(date +%s)
if [ "$sel" = programs ]; then
	"$top/harness/glibc.sh" build
	mkdir -p "$gl/bench"
	# libktls: deferring to glibc's registration, and the benchmark's
	# ktls_pthread_create() row (programs.sh).
	make -s -C "$top/tools/lib/ktls" OUTPUT="$gl/libktls" WERROR=1 all
	gcc -O2 -Wall -Wextra -Werror -I"$top/tools/lib/ktls/include" \
		-I"$gl/libktls/include" -o "$gl/bench/glibc_bench" \
		"$top/bench/glibc_bench.c" "$gl/libktls/libktls.a" -lpthread
	gcc -O2 -Wall -Wextra -Werror -isystem "$build/obj/usr/include" \
		-I"$top/tools/lib/ktls/include" \
		-I"$gl/libktls/include" -o "$gl/bench/libktls_defer" \
		"$top/tests/glibc/libktls_defer.c" "$gl/libktls/libktls.a" -lpthread
else
	"$top/harness/glibc.sh" tests "$sel"
fi
[[ " ${confs[*]} " = *" base "* ]] && KTLS_CONFIG=base "$top/harness/kernel.sh"

rc=0
if [ "$sel" = full ]; then
	# Hours under TCG: the configurations run side by side, one guest CPU
	# each, every one with its own copy of obj/ (harness/glibc-conf.sh).
	# Six guest CPUs on two host cores make the thread-heavy tests crawl
	# (nptl/tst-stack4: over 17 minutes instead of 9), so
	# posix/tst-sysconf-empty-chroot, which needs two, is UNSUPPORTED.
	# Each in its own process group, so that stopping this script stops
	# their VMs and make checks too.
	pids=()
	trap 'for p in "${pids[@]}"; do kill -TERM -- -"$p" 2>/dev/null; done; exit 130' INT TERM
	for c in "${confs[@]}"; do
		KTLS_VM_SMP=${KTLS_VM_SMP:-1} setsid "$top/harness/glibc-conf.sh" "$sel" "$c" own 9>&- &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || rc=1
	done
	trap - INT TERM
else
	for c in "${confs[@]}"; do
		"$top/harness/glibc-conf.sh" "$sel" "$c" 9>&- || rc=1
	done
fi

if [ "$sel" = programs ]; then
	for c in "${confs[@]}"; do
		echo
		echo "== programs, configuration $c"
		cat "$res/programs-$c/programs.txt" 2>/dev/null || { echo "no results"; rc=1; }
	done
	say "glibc: the glibc part took $(( $(date +%s) - begin )) s"
	exit $rc
fi

# The table, and the tests whose result differs between configurations.
printf '\n%-22s %6s %6s %12s %6s %6s\n' configuration PASS FAIL UNSUPPORTED XFAIL XPASS
for c in "${confs[@]}"; do
	f=$res/$sel-$c/counts
	[ -f "$f" ] || { printf '%-22s no results\n' "$sel-$c"; rc=1; continue; }
	printf '%-22s %6s %6s %12s %6s %6s\n' "$sel-$c" \
		$(for r in PASS FAIL UNSUPPORTED XFAIL XPASS; do awk -v r=$r '$1 == r { print $2 }' "$f"; done)
done
if [ ${#confs[@]} -gt 1 ]; then
	diffs=$(for c in "${confs[@]}"; do
		sed "s/^/$c /" "$res/$sel-$c/results.sum" 2>/dev/null
	done | awk '{ r[$3] = r[$3] " " $1 "=" $2
		if (!(($3, $2) in seen)) { seen[$3, $2] = 1; n[$3]++ } }
		END { for (t in r) if (n[t] > 1) print t ":" r[t] }' | sort)
	if [ -n "$diffs" ]; then
		echo "glibc: results that differ between configurations:"
		echo "$diffs"
		rc=1
	else
		echo "glibc: every test has the same result in ${confs[*]}"
	fi
fi
say "glibc: the glibc part took $(( $(date +%s) - begin )) s (build, tests, VM runs)"
exit $rc
