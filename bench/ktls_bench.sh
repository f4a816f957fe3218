#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest wrapper of ktls_bench (the VM's run list passes no arguments): the
# table on the console, the CSV and JSON into the results share that
# harness/vm.sh brings back (KTLS_RESULTS, set by the guest's /init).
# KTLS_BENCH_ARGS adds options (e.g. -q).
dir=$(dirname "$0")
exec "$dir/ktls_bench" -o "${KTLS_RESULTS:-/tmp}" \
	-n "ktls_bench-guest" ${KTLS_BENCH_ARGS:-}
