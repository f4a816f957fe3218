#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Real programs and the benchmark under the KTLS glibc, next to the stock
# glibc, on the kernel this runs on (in the test VM, from guest.sh).
#
#   programs.sh <glibc build folder> <label>
#
# - xz -T2: compresses the same data under both C libraries; the outputs
#   must be byte-identical and decompress to the input.
# - stress-ng's pthread, fork and clone stressors: both must complete
#   with the same outcome.
# - libktls (tests/glibc/libktls_defer.c): defers to the KTLS glibc's
#   registration when it has one, keeps its own otherwise.
# - bench/glibc_bench: gettid, getpid, getuid, the raw system call,
#   pthread_create+join and libktls's ktls_pthread_create+join under the
#   KTLS glibc with KTLS on and with glibc.pthread.ktls=0, and under the
#   stock glibc, three times in turn.
# Writes <glibc build>/results/<label>/programs.txt; exits 0 when every
# program matched.
set -uo pipefail
gl=$1 label=$2
out=$gl/results/$label
mkdir -p "$out"
root=$gl/root
ldso=$root/lib64/ld-linux-x86-64.so.2
libs=$root/lib64:$root/usr/lib64:/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu
# Run a program under the KTLS glibc.
ktls() { "$ldso" --library-path "$libs" "$@"; }
tmp=$(mktemp -d)
fail=0
exec > >(tee "$out/programs.txt") 2>&1
echo "programs: kernel $(uname -r), $(ktls "$root/lib64/libc.so.6" | head -n 1)"

# xz -T2 round trip.
seq 1 400000 | sed 's/$/ ktls glibc xz round trip/' > "$tmp/in"
xz -T2 -6 -c < "$tmp/in" > "$tmp/stock.xz"
if ktls /usr/bin/xz -T2 -6 -c < "$tmp/in" > "$tmp/ktls.xz" &&
   cmp -s "$tmp/stock.xz" "$tmp/ktls.xz" &&
   ktls /usr/bin/xz -T2 -d -c < "$tmp/ktls.xz" | cmp -s - "$tmp/in"; then
	echo "ok xz -T2: $(stat -c %s "$tmp/in") bytes, same output as the stock glibc, round trip exact"
else
	echo "not ok xz -T2: output differs from the stock glibc's or does not round-trip"
	fail=1
fi

# stress-ng: pthread, fork and clone stressors, a bounded number of ops.
if command -v stress-ng > /dev/null; then
	sng="stress-ng --pthread 2 --pthread-ops 200 --fork 2 --fork-ops 200 --clone 2 --clone-ops 200 --timeout 120s"
	(cd "$tmp" && $sng > "$tmp/stock.log" 2>&1); s1=$?
	(cd "$tmp" && ktls $(command -v stress-ng) ${sng#stress-ng} > "$tmp/ktls.log" 2>&1); s2=$?
	if [ $s1 -eq 0 ] && [ $s2 -eq 0 ] && grep -q "successful run completed" "$tmp/ktls.log"; then
		echo "ok stress-ng pthread, fork, clone: both C libraries completed ($s1, $s2)"
	else
		echo "not ok stress-ng: stock exit $s1, KTLS glibc exit $s2"
		sed 's/^/  ktls: /' "$tmp/ktls.log" | tail -n 20
		fail=1
	fi
else
	echo "not ok stress-ng: not installed (harness/deps.sh installs it)"
	fail=1
fi

# libktls: under the KTLS glibc with KTLS on it must use glibc's
# registration and read the areas glibc gives its pthreads; with the
# tunable off, on the base kernel and under the stock glibc it keeps its
# own (tests/glibc/libktls_defer.c).
defer=$gl/bench/libktls_defer
# defer_check <C library> <expected registration> [runner]
defer_check() {
	local name=$1 mode=$2 s
	shift 2
	"$@" "$defer" "$mode" > "$tmp/defer" 2>&1
	s=$?
	sed 's/^/  /' "$tmp/defer"
	if [ $s -eq 0 ]; then
		echo "ok libktls under the $name: $mode registration, as expected"
	else
		echo "not ok libktls under the $name: expected the $mode registration"
		fail=1
	fi
}
if [ -x "$defer" ]; then
	case $label in
	*-on) want=libc ;;
	*) want=own ;;
	esac
	defer_check "KTLS glibc" "$want" ktls
	GLIBC_TUNABLES=glibc.pthread.ktls=0 \
		defer_check "KTLS glibc, glibc.pthread.ktls=0" own ktls
	defer_check "stock glibc" own
else
	echo "not ok libktls_defer: $defer not built"
	fail=1
fi

# The benchmark: the three configurations in turn, three times over, so
# that a drift of the emulated machine's speed hits each of them alike;
# each cell is the median of its three runs, with their range.
bench=$gl/bench/glibc_bench
if [ -x "$bench" ]; then
	for r in 1 2 3; do
		ktls "$bench" > "$tmp/on.$r" &&
		GLIBC_TUNABLES=glibc.pthread.ktls=0 ktls "$bench" > "$tmp/off.$r" &&
		"$bench" > "$tmp/stock.$r" || { echo "not ok glibc_bench did not run"; fail=1; break; }
	done
	# "<row>\t<median>\t<min>\t<max>" of a configuration's three runs.
	med3() {
		sed -n 's/^row //p' "$tmp/$1".[123] |
			awk '{ v[$1] = v[$1] " " $2 }
			     END { for (k in v) { n = split(v[k], a, " ");
				   for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
					if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
				   printf "%s\t%s\t%s\t%s\n", k, a[int((n + 1) / 2)], a[1], a[n] } }' |
			sort
	}
	echo
	echo "glibc_bench (ns per call, TCG; median of 3 runs of a median of 9 rounds, [range]; $label)"
	printf '%-22s %24s %24s %8s %12s\n' call "KTLS on" "ktls=0" "ratio" "stock glibc"
	join -t $'\t' <(med3 on) <(med3 off) | join -t $'\t' - <(med3 stock) |
		awk -F'\t' '{ printf "%-22s %9.0f [%6.0f-%6.0f] %9.0f [%6.0f-%6.0f] %7.1fx %12.0f\n",
			$1, $2, $3, $4, $5, $6, $7, ($2 > 0 ? $5 / $2 : 0), $8 }' > "$tmp/table"
	cat "$tmp/table"
	[ "$(wc -l < "$tmp/table")" -eq 6 ] || { echo "not ok glibc_bench: incomplete table"; fail=1; }
	echo "(the ratio is ktls=0 over KTLS on: the cost of the system call the area saves;"
	echo " pthread_create+join: with CLONE_KTLS against without;"
	echo " ktls_pthread_create+join: glibc's CLONE_KTLS (KTLS on) against libktls's"
	echo " start routine registering the area (ktls=0, and the stock glibc column))"
else
	echo "not ok glibc_bench: $bench not built"
	fail=1
fi
rm -rf "$tmp"
exit $fail
