#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Negative tests of vdso_image_check: copies of a good image, each with one
# defect written by vdso_image_corrupt, must make the checker fail with the
# message that names the defect.  Prints TAP; exits non-zero if a defect
# goes unnoticed.
#
# Usage: image_negative.sh CHECKER CORRUPT IMAGE OUTDIR
set -u

checker=$1
corrupt=$2
image=$3
out=$4/negative

# kind|message the checker must print
cases=(
	'weak|not ok [0-9]* - __vdso_ktls_gettid: binding 2, not STB_GLOBAL'
	'object|not ok [0-9]* - __vdso_ktls_gettid: type 1, not STT_FUNC'
	'undef|not ok [0-9]* - __vdso_ktls_getpid: not defined in an executable section'
	'base-version|not ok [0-9]* - __vdso_ktls_getuid: version linux-vdso.so.1 (index 1), not LINUX_2.6'
	'hidden|not ok [0-9]* - __vdso_ktls_geteuid: version LINUX_2.6 is hidden'
	'dt-rela|not ok [0-9]* - .dynamic: .* DT_RELA(size 0, no size tag)'
	'sht-rela|not ok [0-9]* - no SHT_REL/SHT_RELA/SHT_RELR section with entries: .comment'
	'no-extable|not ok [0-9]* - __ex_table: section missing'
	'extable-from|not ok [0-9]* - __vdso_ktls_getgid: 3 %fs: accesses .*not covered by __ex_table: 0x[0-9a-f]* (.*) has no entry'
	'extable-to|not ok [0-9]* - __vdso_ktls_getgid: 3 %fs: accesses .*fixup 0x[0-9a-f]* outside the function'
)

mkdir -p "$out"
echo "TAP version 13"
echo "1..${#cases[@]}"
fail=0
n=0
for c in "${cases[@]}"; do
	n=$((n + 1))
	kind=${c%%|*}
	want=${c#*|}
	img=$out/$kind.so
	log=$out/$kind.log
	if ! "$corrupt" "$kind" "$image" "$img" 2> "$log"; then
		echo "not ok $n - $kind: could not write the defective image: $(cat "$log")"
		fail=1
		continue
	fi
	"$checker" "$img" > "$log" 2>&1
	rc=$?
	nfail=$(grep -c '^not ok' "$log")
	if [ $rc -eq 1 ] && grep -q -- "^$want" "$log"; then
		echo "ok $n - $kind: checker fails ($nfail checks), as expected: $(grep -- "^$want" "$log" | head -1 | sed 's/^not ok [0-9]* - //')"
	else
		echo "not ok $n - $kind: checker exit $rc, expected 1 with '$want' (see $log)"
		fail=1
	fi
done
exit $fail
