#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Extract the CSV that ktls_bench.sh printed into a guest console log.
#
#   bench/guest-csv.sh build/logs/console-default-run-max.log > results/guest-max.csv
#
# The guest's /init prefixes program output with "# "; it is removed.
# The program column is rewritten to NAME (default: ktls_bench-guest).
set -eu
[ $# -ge 1 ] || { echo "usage: $0 CONSOLE_LOG [NAME]" >&2; exit 2; }
name=${2:-ktls_bench-guest}
sed -e 's/\r$//' -e 's/^# //' "$1" | awk -v name="$name" -F, -v OFS=, '
	/^=== csv begin / { on = 1; next }
	/^=== csv end /   { on = 0; found = 1; next }
	on && /^program,/ { print; next }
	on                { $1 = name; print }
	END               { if (!found) { print "no CSV in the log" > "/dev/stderr"; exit 1 } }'
