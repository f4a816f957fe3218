# SPDX-License-Identifier: GPL-2.0
# Called by plot.sh, which sets: datafile (label, median, p10, p90,
# colour; tab separated), outfile, nrows, xmin, plot_title and the
# terminal.
set output outfile
set datafile separator "\t"
set title plot_title
set logscale x 10
set xrange [xmin:*]
set yrange [nrows:-1]
set xlabel "ns per call (median bar, p10..p90 whisker), log scale"
set grid xtics mxtics
set ytics scale 0 nomirror
set border 3
set style fill solid 0.7 noborder
set key off
set lmargin 62
# colours: fast path, fallback, system call, vDSO/loads, other
set linetype 1 lc rgb "#2a9d4b"
set linetype 2 lc rgb "#e08a1e"
set linetype 3 lc rgb "#c0392b"
set linetype 4 lc rgb "#3a6fb0"
set linetype 5 lc rgb "#888888"
plot datafile using 2:0:(xmin):2:($0-0.38):($0+0.38):5:ytic(1) \
		with boxxyerror lc variable, \
     datafile using 2:0:3:4 with xerrorbars pt 7 ps 0.4 lc rgb "#222222", \
     datafile using 2:0:(sprintf(" %.3g", $2)) with labels left offset 0.8,0 font ",8"
