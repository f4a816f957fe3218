#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shows that test_generic.c can fail: builds it against broken copies of
# lib/vdso_ktls/ktls.c (one bug each, written to $OUTPUT/mutants/) and
# requires every one of them to make the tests fail.  Prints TAP; exits
# non-zero if a mutant survives, does not apply, or does not compile.
#
# Usage: mutants.sh ROOT OUTPUT CC "CFLAGS"
set -u

root=$1
out=$2/mutants
cc=$3
cflags=$4
src=$root/lib/vdso_ktls/ktls.c
here=$(cd "$(dirname "$0")" && pwd)

# description|perl substitution (applied with perl -0pe to the whole file)
mutants=(
	'no offset==0 check|s/\tif \(!offset\)\n\t\treturn 0;\n//'
	'vvar offset narrowed to short|s/long offset = READ_ONCE\(vd->offset\);/short offset = READ_ONCE(vd->offset);/'
	'no thread pointer check|s/\tif \(\(long\)\*tp <= 0\)\n\t\treturn 0;\n//'
	'thread pointer check !tp (negative accepted)|s/\(long\)\*tp <= 0/!*tp/'
	'thread pointer check < 0 (0 accepted)|s/\(long\)\*tp <= 0/(long)*tp < 0/'
	'thread pointer sign test on the low 32 bits|s/\(long\)\*tp <= 0/(int)*tp <= 0/'
	'owner word load fault ignored|s/!__arch_ktls_load_u64\(offset \+ KTLS_FIELD\(owner\), &owner\) \|\|/(__arch_ktls_load_u64(offset + KTLS_FIELD(owner), \&owner), 0) ||/'
	'no owner word comparison|s/\(owner \^ READ_ONCE\(vd->key\)\) != \*tp/0/'
	'no key XOR (owner == tp)|s/\(owner \^ READ_ONCE\(vd->key\)\) != \*tp/owner != *tp/'
	'owner == tp accepted besides tp ^ key|s/\(owner \^ READ_ONCE\(vd->key\)\) != \*tp/((owner ^ READ_ONCE(vd->key)) != *tp \&\& owner != *tp)/'
	'any key with bit 63 set accepted|s/\(owner \^ READ_ONCE\(vd->key\)\) != \*tp/((owner ^ *tp) >> 63) != 1/'
	'key OR instead of XOR|s/\(owner \^ READ_ONCE\(vd->key\)\)/(owner | READ_ONCE(vd->key))/'
	'key narrowed to 32 bits|s/\(owner \^ READ_ONCE\(vd->key\)\)/(owner ^ (__u32)READ_ONCE(vd->key))/'
	'key read from the offset field|s/READ_ONCE\(vd->key\)/READ_ONCE(vd->offset)/'
	'owner word compared on low 32 bits|s/\(owner \^ READ_ONCE\(vd->key\)\) != \*tp/(__u32)(owner ^ READ_ONCE(vd->key)) != (__u32)*tp/'
	'owner word compared on high 32 bits|s/\(owner \^ READ_ONCE\(vd->key\)\) != \*tp/((owner ^ READ_ONCE(vd->key)) >> 32) != (*tp >> 32)/'
	'owner word read at the wrong offset|s/offset \+ KTLS_FIELD\(owner\)/offset + 8/'
	'field load fault ignored|s/likely\(__arch_ktls_load_u32\(offset \+ field, &val\)\)/(__arch_ktls_load_u32(offset + field, \&val), 1)/'
	'field read with offset 0|s/likely\(offset\) && //'
	'syscall result dropped|s/return __arch_ktls_syscall0\(nr\);/__arch_ktls_syscall0(nr);\n\treturn 0;/'
	'syscall result narrowed to 16 bits|s/return __arch_ktls_syscall0\(nr\);/return (__u16)__arch_ktls_syscall0(nr);/'
	'geteuid reads uid|s/KTLS_FIELD\(euid\), __NR_geteuid/KTLS_FIELD(uid), __NR_geteuid/'
	'getgid calls getegid|s/KTLS_FIELD\(gid\), __NR_getgid/KTLS_FIELD(gid), __NR_getegid/'
	'getpid reads tid|s/KTLS_FIELD\(pid\), __NR_getpid/KTLS_FIELD(tid), __NR_getpid/'
	'errno_location: no offset==0 check|s/\tif \(!offset\)\n\t\treturn \(int \*\)0;\n//'
	'errno_location: vvar offset narrowed to short|s/(errno_location\(void\)\n\{\n.*?\n\t)long offset/$1short offset/s'
	'errno_location: no thread pointer check|s/\(long\)tp <= 0 \|\|\n\t    //'
	'errno_location: thread pointer check !tp (negative accepted)|s/\(long\)tp <= 0/!tp/'
	'errno_location: thread pointer check < 0 (0 accepted)|s/\(long\)tp <= 0/(long)tp < 0/'
	'errno_location: no slot probe|s/ \|\|\n\t    !__arch_ktls_load_u32\(offset \+ KTLS_FIELD\(errno_value\), &val\)//'
	'errno_location: slot probe fault ignored|s/!__arch_ktls_load_u32\(offset \+ KTLS_FIELD\(errno_value\), &val\)/(__arch_ktls_load_u32(offset + KTLS_FIELD(errno_value), \&val), 0)/'
	'errno_location: probes the owner word, not the slot|s/load_u32\(offset \+ KTLS_FIELD\(errno_value\)/load_u32(offset + KTLS_FIELD(owner)/'
	'errno_location: requires a valid owner word|s/\(long\)tp <= 0 \|\|\n/(long)tp <= 0 || !ktls_area_offset(\&tp) ||\n/'
	'errno_location: requires a valid owner word (instead of the probe)|s/!__arch_ktls_load_u32\(offset \+ KTLS_FIELD\(errno_value\), &val\)/!ktls_area_offset(\&tp)/'
	'errno_location: without the field offset|s/return \(int \*\)\(tp \+ offset \+ KTLS_FIELD\(errno_value\)\)/return (int *)(tp + offset)/'
	'errno_location: points at egid|s/return \(int \*\)\(tp \+ offset \+ KTLS_FIELD\(errno_value\)\)/return (int *)(tp + offset + KTLS_FIELD(egid))/'
	'errno_location: issues a syscall instead of NULL|s/return \(int \*\)0;/return (int *)__arch_ktls_syscall0(__NR_gettid);/g'
	'errno_location: truncated to 32 bits|s/return \(int \*\)\(tp/return (int *)(unsigned long)(__u32)(tp/'
)

mkdir -p "$out"
echo "TAP version 13"
echo "1..${#mutants[@]}"
fail=0
n=0
for m in "${mutants[@]}"; do
	n=$((n + 1))
	desc=${m%%|*}
	expr=${m#*|}
	mc=$out/ktls-$n.c
	bin=$out/test_generic-$n
	perl -0pe "$expr" "$src" > "$mc"
	if cmp -s "$src" "$mc"; then
		echo "not ok $n - mutant '$desc': substitution did not apply"
		fail=1
		continue
	fi
	# -w: a mutant must compile; warnings about it are not the point.
	if ! $cc $cflags -w -Wno-error -I"$here/mock" -I"$root/include" \
	     -DKTLS_GENERIC_C="\"$mc\"" -o "$bin" "$here/test_generic.c" \
	     -lcmocka > "$out/build-$n.log" 2>&1; then
		echo "not ok $n - mutant '$desc': does not compile (see $out/build-$n.log)"
		fail=1
		continue
	fi
	CMOCKA_MESSAGE_OUTPUT=TAP "$bin" > "$out/run-$n.log" 2>&1
	rc=$?
	failed=$(grep -c '^not ok' "$out/run-$n.log")
	if [ $rc -ne 0 ] && [ "$failed" -gt 0 ]; then
		echo "ok $n - mutant '$desc' killed ($failed tests fail)"
	else
		echo "not ok $n - mutant '$desc' survived (exit $rc)"
		fail=1
	fi
done
exit $fail
