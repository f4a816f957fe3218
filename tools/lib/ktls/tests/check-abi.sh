#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# check-abi.sh LIB SONAME MAP: LIB has soname SONAME and exports exactly
# the global symbols of version script MAP, each at its version.

lib=$1 soname=$2 map=$3

actual=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ "$actual" != "$soname" ]; then
	echo "check-abi: soname '$actual', expected '$soname'"
	exit 1
fi

version=$(sed -n 's/^\([A-Z0-9_.]*\) {.*/\1/p' "$map")
expected=$(sed -n '/global:/,/local:/p' "$map" | grep -v ':' |
	   tr -d ' \t;' | grep . | sed "s/\$/@@$version/" | sort)
exported=$(nm -D --defined-only "$lib" | awk '$2 != "A" { print $3 }' |
	   sort)
if [ "$expected" != "$exported" ]; then
	echo "check-abi: exported symbols differ from $map:"
	echo "$expected" > "$lib.expected"
	echo "$exported" | diff -u "$lib.expected" - 
	rm -f "$lib.expected"
	exit 1
fi
echo "check-abi: $soname exports the $(echo "$exported" | wc -l) symbols of $version"
