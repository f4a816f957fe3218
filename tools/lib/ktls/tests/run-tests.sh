#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Run cmocka test programs with TAP output (CMOCKA_MESSAGE_OUTPUT, TAP by
# default), print their output and a closing "N passed, N failed" line.
# Exits non-zero when a test fails or a program exits non-zero.

: "${CMOCKA_MESSAGE_OUTPUT:=TAP}"
export CMOCKA_MESSAGE_OUTPUT

passed=0
failed=0
skipped=0
status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in "$@"; do
	echo "# $t"
	"$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	if [ "$CMOCKA_MESSAGE_OUTPUT" = TAP ]; then
		s=$(grep -c '^\(not \)\?ok .*# SKIP' "$log")
		p=$(grep -v '# SKIP' "$log" | grep -c '^ok ')
		f=$(grep -v '# SKIP' "$log" | grep -c '^not ok ')
	else
		# the summary lines: "[  PASSED  ] N test(s)." and the like
		s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log")
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log")
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log")
		s=${s:-0} p=${p:-0} f=${f:-0}
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	if [ $rc -ne 0 ]; then
		echo "# $t exited with $rc"
		[ $f -eq 0 ] && failed=$((failed + 1))
		status=1
	fi
done

[ $failed -ne 0 ] && status=1
echo "ktls: $passed passed, $failed failed, $skipped skipped"
exit $status
