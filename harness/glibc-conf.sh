#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# One configuration of harness/glibc-vm.sh: boot the test VM for it and,
# for a test selection, run glibc's make check against it
# (tests/glibc/check.sh).
#
#   harness/glibc-conf.sh <ktls|smoke|full|programs> <on|off|base> [own]
#
# With "own", the configuration has its own copy of the glibc build
# folder's obj/ and jobs/ (build/glibc/conf/<config>/), bound over
# build/glibc/obj and build/glibc/jobs in a private mount namespace that
# QEMU's 9p server shares too, so that configurations run side by side:
# glibc's objdir is an absolute path, and make check writes every test's
# .out and .test-result there.  The copy keeps the results of an earlier
# run when KTLS_GLIBC_RESUME=1, so that make check runs only the tests
# that have no result yet.
set -euo pipefail
. "$(dirname "$0")/common.sh"

sel=$1 c=$2 own=${3:-}
gl=$build/glibc
label=$sel-$c
if [ "$own" = own ] && [ -z "${KTLS_GLIBC_NS:-}" ]; then
	mine=$gl/conf/$c
	mkdir -p "$mine/obj" "$mine/jobs"
	if [ "${KTLS_GLIBC_RESUME:-0}" = 1 ]; then
		# A test killed half-way has an .out and no .test-result.
		find "$mine/obj" -name '*.out' | while read -r o; do
			[ -f "${o%.out}.test-result" ] || rm -f "$o"
		done
		# Keep what make check generated there (locales, the
		# container root); a rebuilt file is copied, and the tests
		# that depend on it run again.
		del=
	else
		# obj/ as it is, without test results.
		del=--delete-excluded
	fi
	say "glibc: $label: copying the glibc build to $mine/obj"
	rsync -a $del --exclude='*.out' --exclude='*.test-result' \
		"$gl/obj/" "$mine/obj/"
	exec env KTLS_GLIBC_NS=1 unshare -m --propagation private \
		/bin/bash -c 'mount --bind "$1/obj" "$2/obj" && mount --bind "$1/jobs" "$2/jobs" && exec "$3" "$4" "$5" "$6"' \
		- "$mine" "$gl" "$0" "$sel" "$c" own
fi

flav=default tun=none
case $c in
on) ;;
off) [ "$sel" = programs ] || tun=glibc.pthread.ktls=0 ;;
base) flav=base ;;
*) die "unknown configuration $c (on, off or base)" ;;
esac
case $sel in
full) limit=${KTLS_VM_TIMEOUT:-21600} ;;
*) limit=${KTLS_VM_TIMEOUT:-3600} ;;
esac
gsel=serve
[ "$sel" = programs ] && gsel=programs
jobs=$gl/jobs
mkdir -p "$jobs"
rm -f "$jobs"/*
t0=$(date +%s)
say "glibc: $sel selection, configuration $c"
# The VM in the background; when it ends, waiting jobs give up.  Side by
# side, its console goes to a log, shown when it fails.
mkdir -p "$gl/results"
vmlog=$gl/results/$label.vm.log
(s=0
 [ "$own" = own ] && exec > "$vmlog" 2>&1
 KTLS_CONFIG=$flav KTLS_VM_TIMEOUT=$limit KTLS_VM_MEM=2048 KTLS_VM_9P=$gl \
 KTLS_VM_LABEL=glibc-$label \
 KTLS_VM_APPEND="ktls.glibc=$gl ktls.glibc.sel=$gsel ktls.glibc.conf=$label ktls.glibc.tunables=$tun KTLS_TEST_TIMEOUT=$limit" \
	"$top/harness/vm.sh" glibc || s=$?
 touch "$jobs/stopped"
 exit $s) &
vm=$!
rc=0
if [ "$sel" != programs ]; then
	"$top/tests/glibc/check.sh" "$gl" "$sel" "$label" || rc=1
	touch "$jobs/stop"
fi
if ! wait $vm; then
	rc=1
	[ "$own" = own ] && tail -n 60 "$vmlog"
fi
say "glibc: $label took $(( $(date +%s) - t0 )) s"
exit $rc
