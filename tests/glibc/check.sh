#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run a selection of glibc's tests (tests/glibc/selection) with glibc's own
# make check on the host, each test program running in the test VM through
# tests/glibc/remote.sh (glibc's test-wrapper mechanism), and write the
# results to <glibc build>/results/<label>/: results.sum (one PASS, FAIL,
# UNSUPPORTED, XFAIL or XPASS line per test), counts, and the output of
# every failed test.  Called by harness/glibc-vm.sh while the guest serves.
#
#   check.sh <glibc build folder> ktls|smoke|full <label>
#
# With KTLS_GLIBC_RESUME=1, the tests that already have a result keep it
# and only the others run (harness/glibc-conf.sh).  Prints progress every
# five minutes.  Exits 0 when no test failed.
set -uo pipefail
gl=$1 sel=$2 label=$3
here=$(cd "$(dirname "$0")" && pwd)
obj=$gl/obj out=$gl/results/$label
export KTLS_GLIBC_JOBS=$gl/jobs
# TCG runs tests ten to thirty times slower than the hardware.
export TIMEOUTFACTOR=${TIMEOUTFACTOR:-20}
resume=${KTLS_GLIBC_RESUME:-0}
rm -rf "$out"
mkdir -p "$out"

# Progress while a subdir's tests run: how many have a result.  It waits
# on a pipe that never has data, so that killing it leaves no sleep behind.
ticker() {
	exec {nap}<> <(:)
	while ! read -r -t 300 -u "$nap"; do
		echo "glibc: $label: $1/: $(ls "$obj/$1" | grep -c '\.test-result$') results ($(( $(date +%s) - start )) s)"
	done
}

items=$(echo $("$here/items.sh" "$sel"))
[ -n "$items" ] || { echo "no selection '$sel' in $here/selection"; exit 1; }
start=$(date +%s)
# nptl/tst-umask1 makes a FIFO at the path its Makefile gives, in the build
# folder; QEMU's 9p server refuses special files (tests/glibc/guest.sh),
# so the FIFO goes to the guest's /tmp, a tmpfs.
wrap=(test-wrapper="$here/remote.sh" tst-umask1-ARGS=/tmp/tst-umask1.temp)
# glibc's clock-setting tests move the guest's clock by a second and check
# that it moved by 0.9 to 1.1 s; two at once each see two.  They run only
# with GLIBC_TEST_ALLOW_TIME_SETTING (remote.sh passes it to the guest),
# so one at a time, after the others.
clock="misc/tst-adjtimex misc/tst-clock_adjtime misc/tst-ntp_adjtime"
# One test, on its own.
one() {
	rm -f "$obj/$1.test-result" "$obj/$1.out"
	make -C "$obj" "${wrap[@]}" test t="$1" >> "$out/make.log" 2>&1
}
for item in $items; do
	case $item in
	*/*)	[ "$resume" = 1 ] && [ -f "$obj/$item.test-result" ] && continue
		one "$item" ;;
	*)	echo "glibc: $label: running $item/ ($(( $(date +%s) - start )) s)"
		[ "$resume" = 1 ] || rm -f "$obj/$item"/*.test-result "$obj/$item"/*.out
		ticker "$item" &
		tick=$!
		make -C "$obj" -k -j2 "${wrap[@]}" "$item/tests" > "$out/make-$item.log" 2>&1
		kill $tick ;;
	esac
done
for t in $clock; do
	case " $items " in *" $t "*|*" ${t%%/*} "*) ;; *) continue ;; esac
	GLIBC_TEST_ALLOW_TIME_SETTING=1 one "$t"
done
for item in $items; do
	case $item in
	*/*)	cat "$obj/$item.test-result" 2>/dev/null ||
			echo "FAIL: $item (no result)" ;;
	*)	cat "$obj/$item"/*.test-result 2>/dev/null ;;
	esac
done | grep -E '^(PASS|FAIL|UNSUPPORTED|XFAIL|XPASS):' | sort -u -k2 > "$out/results.sum"
# Keep the output of every failed test.
grep '^FAIL:' "$out/results.sum" | while read -r _ t; do
	[ -f "$obj/$t.out" ] && cp "$obj/$t.out" "$out/$(echo "$t" | tr / _).out"
done
for r in PASS FAIL UNSUPPORTED XFAIL XPASS; do
	printf '%s %d\n' "$r" "$(grep -c "^$r:" "$out/results.sum")"
done > "$out/counts"
echo "glibc: $label: $(wc -l < "$out/results.sum") tests in $(( $(date +%s) - start )) s:" \
	$(cat "$out/counts")
grep '^FAIL:\|^XPASS:' "$out/results.sum" | head -n 50
! grep -q '^FAIL:\|^XPASS:' "$out/results.sum"
