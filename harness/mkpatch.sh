#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Write one patch of the series from edited copies of kernel files.
#
#   harness/mkpatch.sh NAME.patch MESSAGE-FILE FILE...
#
# Each FILE (a path in the kernel tree) is compared between the pristine
# base (build/linux-base/FILE) and its edited copy (build/work/FILE).
# MESSAGE-FILE holds the subject on its first line, then the description.
# The result is a git-am-compatible patch in patches/NAME.patch.
#
#   harness/mkpatch.sh --refresh NAME.patch
#
# rewrites an existing patch from build/work with its own message and files
# (copy the patched files there first, e.g. from build/linux).
set -euo pipefail
. "$(dirname "$0")/common.sh"
if [ "${1:-}" = --refresh ] && [ $# -eq 2 ]; then
	old=$top/patches/$2
	[ -f "$old" ] || die "no patch $2"
	msg=$(mktemp)
	trap 'rm -f "$msg"' EXIT
	awk '/^Subject: \[PATCH\] / { sub(/^Subject: \[PATCH\] /, ""); print; body = 1; next }
	     body && (/^Signed-off-by:/ || /^---$/) { exit }
	     body { print }' "$old" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' > "$msg"
	mapfile -t files < <(sed -n 's|^diff --git a/\([^ ]*\) .*|\1|p' "$old")
	exec "$0" "$2" "$msg" "${files[@]}"
fi
[ $# -ge 3 ] || die "usage: $0 NAME.patch MESSAGE-FILE FILE..."
name=$1 msg=$2
shift 2
out=$top/patches/$name
{
	echo "From: ktls developers <ktls@localhost>"
	echo "Subject: [PATCH] $(head -n 1 "$msg")"
	echo
	tail -n +2 "$msg" | sed '1{/^$/d}'
	echo
	echo "Signed-off-by: ktls developers <ktls@localhost>"
	echo "---"
	for f in "$@"; do
		[ -f "$build/work/$f" ] || die "no edited copy build/work/$f"
		echo "diff --git a/$f b/$f"
		diff -u --label "a/$f" --label "b/$f" "$base/$f" "$build/work/$f" || true
	done
	echo "-- "
	echo "ktls"
} > "$out"
grep -q '^+++ ' "$out" || die "$name: no change in $*"
echo "wrote patches/$name"
