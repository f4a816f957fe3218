#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest wrapper of ktls_bench (the VM's run list passes no arguments):
# the table, then the CSV between "=== csv begin/end ===" lines, which
# bench/guest-csv.sh extracts from the console log on the host.
# KTLS_BENCH_ARGS adds options (e.g. -q).
dir=$(dirname "$0")
exec "$dir/ktls_bench" --csv-stdout -o /tmp/bench-results \
	-n "ktls_bench-guest" ${KTLS_BENCH_ARGS:-}
