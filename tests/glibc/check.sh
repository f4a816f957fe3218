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

# The selection's items: "subdir" (all its tests) or "subdir/test".
items=$(awk -v s="$sel:" '$1 == s { for (i = 2; i <= NF; i++) print $i }' "$here/selection")
[ -n "$items" ] || { echo "no selection '$sel' in $here/selection"; exit 1; }
start=$(date +%s)
# One make per subdir (each make reads glibc's makefiles, which takes a
# minute under TCG): "check" for a whole subdir, else its tests' .out files.
for d in $(echo "$items" | cut -d/ -f1 | sort -u); do
	if echo "$items" | grep -qx "$d"; then
		rm -f "$obj/$d"/*.test-result "$obj/$d"/*.out
		targets=check
	else
		targets=
		for t in $(echo "$items" | sed -n "s|^$d/||p"); do
			rm -f "$obj/$d/$t.test-result" "$obj/$d/$t.out"
			targets="$targets $obj/$d/$t.out"
		done
	fi
	echo "glibc: running $d/ ($(( $(date +%s) - start )) s)"
	make -C "$src/$d" objdir="$obj" subdir="$d" ..=../ -k $targets \
		> "$out/make-$d.log" 2>&1
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
done | tee "$out/counts"
echo "glibc: $(wc -l < "$out/results.sum") tests in $(( $(date +%s) - start )) s"
grep '^FAIL:\|^XPASS:' "$out/results.sum" | head -n 50
! grep -q '^FAIL:\|^XPASS:' "$out/results.sum"
