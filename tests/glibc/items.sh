#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The items of a selection of tests/glibc/selection, one a line: "subdir"
# (all its tests) or "subdir/test".
#
#   items.sh ktls|smoke|full
exec awk -v s="$1:" '$1 == s { for (i = 2; i <= NF; i++) print $i }' \
	"$(dirname "$0")/selection"
