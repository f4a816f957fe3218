#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run a selection of glibc's tests against the build tree, on the kernel
# this runs on (in the test VM, from tests/glibc/guest.sh), and write the
# results to <glibc build>/results/<label>/: results.sum (one PASS, FAIL,
# UNSUPPORTED, XPASS or XFAIL line per test) and the failed tests' output.
#
#   check.sh <glibc build folder> ktls|smoke|full <label> [<GLIBC_TUNABLES>|none]
#
# The selections are listed in tests/glibc/selection.  Exits 0 when no test
# failed.
set -uo pipefail
gl=$1 sel=$2 label=$3 tun=${4:-none}
here=$(cd "$(dirname "$0")" && pwd)
src=$gl/src obj=$gl/obj out=$gl/results/$label
# TCG runs tests ten to thirty times slower than the hardware.
export TIMEOUTFACTOR=${TIMEOUTFACTOR:-20}
[ "$tun" = none ] || export GLIBC_TUNABLES=$tun
rm -rf "$out"
mkdir -p "$out"
echo "glibc: $sel selection, $label, kernel $(uname -r), GLIBC_TUNABLES=${GLIBC_TUNABLES:-}"

# "subdir test..." lines of the selection; a subdir alone means all its tests.
lines=$(awk -v s="$sel" '$1 == s ":" { $1 = ""; print }' "$here/selection" | tr ' ' '\n' | sed '/^$/d')
start=$(date +%s)
for item in $lines; do
	d=${item%%/*}
	t=${item#*/}
	[ "$t" = "$item" ] && t=
	if [ -z "$t" ]; then
		rm -f "$obj/$d"/*.test-result "$obj/$d"/*.out
		echo "glibc: running $d/ ($(( $(date +%s) - start )) s)"
		make -C "$src/$d" objdir="$obj" subdir="$d" ..=../ -k check \
			> "$out/make-$d.log" 2>&1
	else
		rm -f "$obj/$d/$t.test-result" "$obj/$d/$t.out"
		make -C "$src/$d" objdir="$obj" subdir="$d" ..=../ -k \
			"$obj/$d/$t.out" > "$out/make-$d-$t.log" 2>&1
	fi
done
for item in $lines; do
	d=${item%%/*}
	t=${item#*/}
	if [ "$t" = "$item" ]; then
		cat "$obj/$d"/*.test-result 2>/dev/null
	else
		cat "$obj/$d/$t.test-result" 2>/dev/null ||
			echo "FAIL: $d/$t (no result: not built?)"
	fi
done | sort -u -k2 > "$out/results.sum"
# Keep the output of every failed test.
grep '^FAIL:' "$out/results.sum" | while read -r _ t; do
	[ -f "$obj/$t.out" ] && cp "$obj/$t.out" "$out/$(echo "$t" | tr / _).out"
done
for r in PASS FAIL UNSUPPORTED XFAIL XPASS; do
	printf '%s %d\n' "$r" "$(grep -c "^$r:" "$out/results.sum")"
done | tee "$out/counts"
echo "glibc: $(wc -l < "$out/results.sum") tests in $(( $(date +%s) - start )) s"
grep '^FAIL:\|^XPASS:' "$out/results.sum" | head -n 50
! grep -q '^FAIL:\|^XPASS:' "$out/results.sum"
