#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The guest tests several times in a row, optionally with the host's CPUs
# kept busy, to show that no result depends on timing: a check that passes
# only when the machine is fast is a bug in the check.
#
#   harness/repeat.sh [runs]        (make test-repeat RUNS=N)
#
# KTLS_CONFIG     default or debug (the kernel to boot; built beforehand)
# KTLS_VM_CPU     QEMU CPU model (default max)
# KTLS_REPEAT_LOAD  host CPU hogs beside the VM (default: one per core);
#                 0 for none
#
# Prints one line per run and a summary; exits non-zero when a run failed.
# Each run's console stays in build/logs/repeat-<flavour>-<n>.log.
set -euo pipefail
. "$(dirname "$0")/common.sh"

runs=${1:-3}
load=${KTLS_REPEAT_LOAD:-$(nproc)}
hogs=()
stop_hogs() {
	[ ${#hogs[@]} -eq 0 ] || kill "${hogs[@]}" 2>/dev/null || true
}
trap stop_hogs EXIT
for ((i = 0; i < load; i++)); do
	(while :; do :; done) &
	hogs+=($!)
done
say "repeat: $runs guest runs of the $flavour kernel, $load host CPU hogs beside them"
failed=0
for ((n = 1; n <= runs; n++)); do
	log=$gbuild/logs/repeat-$flavour-$n.log
	start=$SECONDS
	if "$top/harness/vm.sh" test > "$log" 2>&1; then
		res=ok
	else
		res="not ok"
		failed=$((failed + 1))
	fi
	echo "$res $n - $(grep -E '^vm-test\(' "$log" | tail -n 1 || echo 'no summary line') ($((SECONDS - start)) s)"
	[ "$res" = ok ] || grep -E '^(# )*not ok' "$log" | grep -v '# SKIP' | head -n 20 | sed 's/^/#   /'
done
echo "repeat: $((runs - failed)) of $runs runs passed ($load host CPU hogs)"
[ $failed -eq 0 ]
