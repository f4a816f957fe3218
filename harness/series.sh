#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Edit the patch series as git commits, and move it to a new base.
#
#   harness/series.sh checkout   the series as branch ktls-upstream of
#                                build/upstream-git (make patches), to edit
#                                with git: commit --amend, rebase -i, ...
#   harness/series.sh export [REV]
#                                write the commits ktls-base..REV (default
#                                HEAD of build/upstream-git) back to the
#                                project: patches/NNNN-*.patch with the
#                                edits to existing files, patches/series,
#                                and the new files at their kernel paths
#   harness/series.sh rebase [VERSION]
#                                move the base to linux-source-6.1 VERSION
#                                (default: the newest in the archive):
#                                install it, apply the series with fuzz,
#                                export, record patches/base-version and
#                                build the kernel
#
# A patch in patches/ holds its commit's message and its edits to files
# of the base tree; the files the commit adds live at their kernel paths
# in this repository and are named under the patch in patches/series.
set -euo pipefail
. "$(dirname "$0")/common.sh"

git_tree=$build/upstream-git
G() {
	git --git-dir="$git_tree/.git" --work-tree="$git_tree" -C "$git_tree" "$@"
}

# Files @1 adds, as series entries: a folder the base does not have is
# named once as DIR/, other files one by one.
added_entries() {
	local c=$1 f d top_new
	G diff --name-only --diff-filter=A "$c~1" "$c" | while read -r f; do
		top_new=
		d=$(dirname "$f")
		while [ "$d" != . ] && ! G cat-file -e "ktls-base:$d" 2>/dev/null; do
			top_new=$d
			d=$(dirname "$d")
		done
		if [ -n "$top_new" ]; then echo "$top_new/"; else echo "$f"; fi
	done | awk '!seen[$0]++'
}

export_series() {
	local rev=${1:-HEAD} n=0 c tmp name f
	G rev-parse -q --verify ktls-base >/dev/null ||
		die "no ${git_tree#$top/}: run make patches first"
	mapfile -t commits < <(G rev-list --reverse "ktls-base..$rev")
	[ ${#commits[@]} -gt 0 ] || die "no commit between ktls-base and $rev"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' RETURN
	{
		sed -n '1,/^$/p' "$top/patches/series"
	} > "$tmp/series"
	mkdir "$tmp/p"
	for c in "${commits[@]}"; do
		n=$((n + 1))
		mapfile -t added < <(G diff --name-only --diff-filter=A "$c~1" "$c")
		mapfile -t gone < <(G diff --name-only --diff-filter=DR "$c~1" "$c")
		[ ${#gone[@]} -eq 0 ] || die "$(G log -1 --format=%s "$c"): deletes or renames ${gone[*]}"
		excl=()
		for f in "${added[@]}"; do
			excl+=(":(exclude)$f")
			mkdir -p "$top/$(dirname "$f")"
			G show "$c:$f" > "$top/$f.tmp"
			if [ "$(G ls-tree "$c" -- "$f" | cut -d' ' -f1)" = 100755 ]; then
				chmod 755 "$top/$f.tmp"
			fi
			mv "$top/$f.tmp" "$top/$f"
		done
		G format-patch -q -1 --stdout --no-stat --no-signature --zero-commit \
			--subject-prefix=PATCH "$c" -- . "${excl[@]}" |
			sed -e '1{/^From 0\{40\} /d}' -e '/^Date: /d' > "$tmp/one"
		name=$(printf '%04d-%s.patch' "$n" "$(G log -1 --format=%f "$c" | cut -c1-52)")
		mv "$tmp/one" "$tmp/p/$name"
		echo "$name" >> "$tmp/series"
		added_entries "$c" | sed 's/^/\t/' >> "$tmp/series"
	done
	rm -f "$top"/patches/[0-9][0-9][0-9][0-9]-*.patch
	mv "$tmp"/p/*.patch "$top/patches/"
	mv "$tmp/series" "$top/patches/series"
	say "series: exported $n patches to patches/ (git -C $top status shows what changed)"
}

case ${1:-} in
checkout)
	"$top/harness/format-patches.sh"
	G checkout -q -f ktls-upstream
	say "series: edit ${git_tree#$top/} (branch ktls-upstream), then run $0 export"
	;;
export)
	export_series "${2:-HEAD}"
	;;
rebase)
	[ "$(id -u)" -eq 0 ] || die "rebase installs a package: run as root"
	want=${2:-}
	apt-get update -q >/dev/null
	if [ -z "$want" ]; then
		want=$(apt-cache madison linux-source-6.1 |
			awk -F'|' 'NR == 1 { gsub(/ /, "", $2); v = $2 } END { print v }')
	fi
	old=$(cat "$top/patches/base-version")
	say "series: moving the base from linux-source-6.1 $old to $want"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		--allow-downgrades "linux-source-6.1=$want" >/dev/null
	# The series as commits on the new base; patch(1) with its default
	# fuzz takes moved context, and a hunk it cannot place stops here.
	KTLS_PATCHES_FORCE=1 KTLS_PATCHES_FUZZ=1 "$top/harness/format-patches.sh"
	export_series ktls-upstream
	echo "$want" > "$top/patches/base-version"
	say "series: recorded $want in patches/base-version; building the kernel"
	rm -rf "$base" "$tree"
	"$top/harness/kernel.sh"
	say "series: done; commit patches/ when make test passes"
	;;
*)
	sed -n '3,22p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
