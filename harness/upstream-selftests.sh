#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the base tree's own selftests for the code ktls touches (vDSO, rseq,
# clone3, x86: fsgsbase, vDSO remap, signals, syscalls) on the patched
# kernel and on the unpatched base kernel built from the same tree and
# configuration, and compare them test by test.  Passes when every test
# has the same result on both kernels and neither kernel reported a bug.
set -euo pipefail
. "$(dirname "$0")/common.sh"

cpu=${KTLS_VM_CPU:-max}
declare -A result
for f in default base; do
	KTLS_CONFIG=$f "$top/harness/kernel.sh"
done
rc=0
for f in default base; do
	# A test that fails on both kernels fails the guest run too; the
	# comparison below is what decides.  A kernel report or an
	# incomplete run still fails.
	KTLS_CONFIG=$f KTLS_VM_CPU=$cpu "$top/harness/vm.sh" upstream \
		> "$logs/upstream-$f.out" 2>&1 || true
	log=$gbuild/logs/console-$f-upstream-$cpu.log
	tap=$gbuild/results/$f-upstream-$cpu/tap.log
	scan=("$build/host/console-scan" --label "upstream($f)" --tap "$tap" "$log")
	if [ ! -s "$tap" ] ||
	   { ! "${scan[@]}" >/dev/null &&
	     grep -q -e "kernel report" -e "no TAP plan" -e "TAP plan" <("${scan[@]}"); }; then
		echo "upstream: the $f kernel's run broke off or reported a bug:"
		"${scan[@]}" || true
		tail -n 60 "$log"
		rc=1
	fi
done
[ $rc -eq 0 ] || exit 1

results() {	# name result, one per line, from the guest's TAP file
	sed -n -e 's/^ok [0-9]* \([^ ]*\) # SKIP.*/\1 skip/p' \
	       -e 's/^ok [0-9]* \([^ ]*\)$/\1 pass/p' \
	       -e 's/^not ok [0-9]* \([^ ]*\).*/\1 FAIL/p' "$1"
}
results "$gbuild/results/default-upstream-$cpu/tap.log" > "$logs/upstream-default.txt"
results "$gbuild/results/base-upstream-$cpu/tap.log" > "$logs/upstream-base.txt"
printf '%-36s %-8s %-8s\n' "selftest ($cpu)" "base" "patched"
join -a1 -a2 -e missing -o 0,1.2,2.2 \
	<(sort "$logs/upstream-base.txt") <(sort "$logs/upstream-default.txt") |
while read -r name b p; do
	mark=
	[ "$b" = "$p" ] || mark="   <- differs"
	printf '%-36s %-8s %-8s%s\n' "$name" "$b" "$p" "$mark"
done | tee "$logs/upstream-compare.txt"
same=$(awk '$2 == $3' "$logs/upstream-compare.txt" | wc -l)
diff=$(grep -c "differs" "$logs/upstream-compare.txt" || true)
echo "upstream-selftests: $same passed, $diff failed"
[ "$diff" -eq 0 ]
