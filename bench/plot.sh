#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Plot ns per call of every method that ran (section "calls", status
# ok) from one or more benchmark CSVs: median bars with p10..p90 whiskers,
# log scale.  Needs gnuplot (Debian: gnuplot-nox).
#
#   bench/plot.sh [-o OUT.svg|OUT.png] [-t TITLE] FILE.csv...
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=plot.svg
title="ktls: ns per call (median, p10..p90), log scale"
while getopts o:t: opt; do
	case $opt in
	o) out=$OPTARG ;;
	t) title=$OPTARG ;;
	*) echo "usage: $0 [-o OUT] [-t TITLE] FILE.csv..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "$0: no CSV given" >&2; exit 2; }
if ! command -v gnuplot >/dev/null; then
	echo "plot: gnuplot not installed (apt-get install gnuplot-nox): no plot" >&2
	exit 0
fi
dat=$(mktemp)
trap 'rm -f "$dat"' EXIT
# label, median, p10, p90, colour (by path)
awk -F, -v OFS='\t' '
	FNR == 1 { next }
	$2 == "calls" && $16 == "ok" {
		c = 5
		if ($4 == "fast") c = 1
		else if ($4 == "fallback" || $4 == "no offset") c = 2
		else if ($4 == "syscall") c = 3
		else if ($4 == "vdso" || $4 == "load") c = 4
		lab = $1 ": " $3
		if ($4 != "") lab = lab " [" $4 "]"
		if ($5 != "" && $5 != "main thread") lab = lab " (" $5 ")"
		print lab, $9, $10, $11, c
	}' "$@" > "$dat"
n=$(wc -l < "$dat")
[ "$n" -gt 0 ] || { echo "plot: no rows to plot" >&2; exit 0; }
xmin=$(awk -F'\t' 'NR == 1 || $3 < m { m = $3 } END {
	e = int(log(m / 1.5) / log(10)); if (m / 1.5 < 1) e -= 1; print 10 ^ e }' "$dat")
case $out in
*.png) term="pngcairo size 1200,$((n * 22 + 160)) noenhanced font 'sans,10'"
       gnuplot -e "set terminal pngcairo" -e "exit" 2>/dev/null ||
		term="png size 1200,$((n * 22 + 160)) noenhanced" ;;
*)     term="svg size 1200,$((n * 22 + 160)) dynamic noenhanced font 'sans,11' background '#ffffff'" ;;
esac
gnuplot -e "datafile='$dat'; outfile='$out'; nrows=$n; xmin=$xmin" \
	-e "set terminal $term" -e "plot_title='$title'" "$here/plot.gp"
echo "plot: wrote $out ($n rows)"
