#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make patches-check: check the mailing-list series from a clean state.
#
#   1. Remove build/patches, the series branches and the objects folder,
#      and run harness/format-patches.sh (make patches).
#   2. For each patch, in order:
#      a. scripts/checkpatch.pl --strict (patch on stdin, run from the
#         series repository): 0 errors, 0 warnings, 0 checks;
#      b. build the kernel at that commit (tinyconfig + configs/ktls.config,
#         KCFLAGS=-Werror, ccache if present) in build/upstream-obj; also
#         scripts/kernel-doc and scripts/spdxcheck.py on the files the
#         patch adds, and the KTLS selftests (USERCFLAGS=-Werror, against
#         the commit's UAPI headers) when the patch touches them.
#   3. git am the series onto a fresh branch at the base commit and check
#      that every commit has the same tree and message as the series'.
# The cover letter is exempt from checkpatch.  Logs: build/logs/upstream/.
# The last line is "patches-check: N passed, M failed"; the exit status
# is 0 only when every patch passed and git am reproduced the series.
#
# Environment: KTLS_PATCHES_KEEP_OBJ=1 keeps build/upstream-obj (faster,
# incremental builds; default: start from an empty objects folder).
set -euo pipefail
. "$(dirname "$0")/common.sh"

start=$(date +%s)
git_tree=$build/upstream-git
out=$build/patches
uobj=$build/upstream-obj
ulogs=$logs/upstream
G() {
	git --git-dir="$git_tree/.git" --work-tree="$git_tree" -C "$git_tree" "$@"
}
export GIT_AUTHOR_NAME="ktls developers" GIT_AUTHOR_EMAIL=ktls@localhost
export GIT_COMMITTER_NAME="ktls developers" GIT_COMMITTER_EMAIL=ktls@localhost
elapsed() {
	local s=$(( $(date +%s) - $1 ))
	printf '%dm%02ds' $((s / 60)) $((s % 60))
}

# --- 1. Clean state, then make patches ---------------------------------

say "patches-check: starting from a clean state"
rm -rf "$out" "$ulogs"
mkdir -p "$ulogs"
if [ "${KTLS_PATCHES_KEEP_OBJ:-0}" != 1 ]; then
	rm -rf "$uobj"
fi
if [ -d "$git_tree/.git" ]; then
	if G rev-parse -q --verify refs/tags/ktls-base >/dev/null; then
		G checkout -q -f --detach ktls-base
		G clean -fdxq
		for b in ktls-upstream ktls-am; do
			G branch -q -D "$b" 2>/dev/null || true
		done
	fi
fi
"$top/harness/format-patches.sh"

pats=()
for p in "$out"/[0-9]*.patch; do
	[ "${p##*/}" = 0000-cover-letter.patch ] || pats+=("$p")
done
mapfile -t commits < <(G rev-list --reverse ktls-base..ktls-upstream)
n=${#pats[@]}
[ "$n" -gt 0 ] || die "make patches wrote no patch"
[ "$n" -eq ${#commits[@]} ] ||
	die "$n patch files but ${#commits[@]} commits on ktls-upstream"
declare -a fails
for i in "${!pats[@]}"; do fails[$i]=""; done
fail() {	# INDEX WHAT
	fails[$1]="${fails[$1]:+${fails[$1]}, }$2"
}
label() {
	printf '[%d/%d] %s' $(($1 + 1)) "$n" "$(basename "${pats[$1]}")"
}

# checkpatch and spdxcheck want a python3 with ply and GitPython
# (Debian: python3-ply python3-git); without one, checkpatch skips its
# SPDX check and so does this script.
pydir=
for py in "$(command -v python3 || true)" /usr/bin/python3; do
	[ -n "$py" ] && [ -x "$py" ] || continue
	if "$py" -c 'import ply, git' 2>/dev/null; then
		pydir=$(dirname "$py")
		break
	fi
done
[ -n "$pydir" ] ||
	say "patches-check: note: no python3 with ply and git (apt-get install python3-ply python3-git): SPDX checks skipped"
cp_path=${pydir:+$pydir:}$PATH

# --- 2a. checkpatch ---------------------------------------------------------

say "patches-check: (a) scripts/checkpatch.pl --strict on $n patches"
for i in "${!pats[@]}"; do
	p=${pats[$i]}
	log=$ulogs/checkpatch-$(printf %02d $((i + 1))).log
	(cd "$git_tree" && PATH=$cp_path perl scripts/checkpatch.pl --strict - < "$p") \
		> "$log" 2>&1 || true
	total=$(grep -E '^total: [0-9]+ errors, [0-9]+ warnings, ([0-9]+ checks, )?[0-9]+ lines checked' "$log" | tail -n 1)
	if [[ $total =~ ^total:\ 0\ errors,\ 0\ warnings,\ 0\ checks, ]]; then
		echo "  $(label "$i"): ${total#total: }"
	else
		echo "  $(label "$i"): FAILED: ${total#total: }"
		grep -E '^(ERROR|WARNING|CHECK):' "$log" | sort | uniq -c | sort -rn | sed 's/^/    /'
		grep -E '^#[0-9]+: FILE: ' "$log" | sed -e 's/^#[0-9]*: FILE: //' -e 's/:[0-9]*:$//' |
			sort | uniq -c | sed 's/^ */    at: /' | head -n 20
		echo "    full report: ${log#$top/}"
		fail "$i" checkpatch
	fi
done

# --- 2b. Build every commit in turn ----------------------------------------

cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"
kmake() {
	make -C "$git_tree" O="$uobj" ARCH=x86_64 -j"$(nproc)" \
		CC="$cc" HOSTCC="$cc" KCFLAGS=-Werror \
		KBUILD_BUILD_TIMESTAMP=ktls-upstream KBUILD_BUILD_USER=ktls \
		KBUILD_BUILD_HOST=ktls KBUILD_BUILD_VERSION=1 "$@"
}
configure() {
	local line bad=0
	kmake -s tinyconfig
	"$git_tree/scripts/kconfig/merge_config.sh" -m -O "$uobj" "$uobj/.config" \
		"$top/configs/ktls.config"
	kmake -s olddefconfig
	while read -r line; do
		case "$line" in CONFIG_*=y) ;; *) continue ;; esac
		# Before the Kconfig patch there is no KTLS option to set.
		if [ "$line" = CONFIG_KTLS=y ] &&
		   ! grep -q '^config KTLS$' "$git_tree/init/Kconfig"; then
			continue
		fi
		grep -qx "$line" "$uobj/.config" ||
			{ echo "error: $line did not survive olddefconfig"; bad=1; }
	done < "$top/configs/ktls.config"
	return $bad
}

say "patches-check: (b) building the kernel after each patch (tinyconfig + configs/ktls.config, KCFLAGS=-Werror, CC='$cc', $(nproc) cores)"
mkdir -p "$uobj"
for i in "${!pats[@]}"; do
	c=${commits[$i]}
	nn=$(printf %02d $((i + 1)))
	log=$ulogs/build-$nn.log
	t0=$(date +%s)
	G checkout -q -f --detach "$c"
	echo "  $(label "$i"): building ..."
	if ! configure > "$ulogs/config-$nn.log" 2>&1; then
		echo "  $(label "$i"): FAILED to configure; last lines of ${ulogs#$top/}/config-$nn.log:"
		tail -n 20 "$ulogs/config-$nn.log" | sed 's/^/    /'
		fail "$i" config
		continue
	fi
	if ! kmake bzImage headers > "$log" 2>&1; then
		echo "  $(label "$i"): FAILED to build; the compiler's last lines (${log#$top/}):"
		grep -E 'error|warning|Error [0-9]' "$log" | head -n 20 | sed 's/^/    /'
		echo "    ..."
		tail -n 25 "$log" | sed 's/^/    /'
		fail "$i" build
		continue
	fi
	if grep -qx CONFIG_KTLS=y "$uobj/.config"; then
		extra=" with CONFIG_KTLS=y"
	else
		extra=" (no KTLS option yet)"
	fi
	# Files the patch adds: kernel-doc comments and SPDX identifiers.
	mapfile -t added < <(G diff --name-only --diff-filter=A "$c~1" "$c")
	kd=()
	for f in "${added[@]}"; do
		case $f in *.c|*.h) grep -q '^/\*\*' "$git_tree/$f" && kd+=("$f") ;; esac
	done
	if [ ${#kd[@]} -gt 0 ]; then
		kdout=$(cd "$git_tree" && scripts/kernel-doc -none "${kd[@]}" 2>&1) || true
		if [ -n "$kdout" ]; then
			echo "  $(label "$i"): FAILED: kernel-doc:"
			echo "$kdout" | head -n 20 | sed 's/^/    /'
			fail "$i" kernel-doc
		else
			extra+=", kernel-doc ok (${#kd[@]} files)"
		fi
	fi
	if [ -n "$pydir" ] && [ ${#added[@]} -gt 0 ]; then
		spdx=$(cd "$git_tree" && PATH=$cp_path scripts/spdxcheck.py "${added[@]}" 2>&1) || true
		if [ -n "$spdx" ]; then
			echo "  $(label "$i"): FAILED: spdxcheck:"
			echo "$spdx" | head -n 20 | sed 's/^/    /'
			fail "$i" spdx
		else
			extra+=", SPDX ok"
		fi
	fi
	# The KTLS selftests, when the patch touches them.
	if grep -q '^tools/testing/selftests/ktls/' <<< "$(G diff --name-only "$c~1" "$c")"; then
		slog=$ulogs/selftests-$nn.log
		rm -rf "$uobj/kselftest/ktls"
		mkdir -p "$uobj/kselftest/ktls"
		if make -C "$git_tree/tools/testing/selftests/ktls" \
			OUTPUT="$uobj/kselftest/ktls" \
			KHDR_INCLUDES="-isystem $uobj/usr/include" \
			USERCFLAGS=-Werror > "$slog" 2>&1; then
			extra+=", selftests build"
		else
			echo "  $(label "$i"): FAILED: the KTLS selftests do not build (${slog#$top/}):"
			tail -n 20 "$slog" | sed 's/^/    /'
			fail "$i" selftests
		fi
		G clean -fdxq -- tools/testing/selftests
	fi
	echo "  $(label "$i"): built in $(elapsed "$t0")$extra${fails[$i]:+; FAILED: ${fails[$i]}}"
done

# --- 3. git am onto a fresh branch ------------------------------------------

say "patches-check: (c) git am of the series on a fresh branch at ktls-base"
am_ok=1
G checkout -q -f -B ktls-am ktls-base
if ! G am -q "${pats[@]}" > "$ulogs/git-am.log" 2>&1; then
	echo "  git am FAILED (${ulogs#$top/}/git-am.log):"
	tail -n 20 "$ulogs/git-am.log" | sed 's/^/    /'
	G am --abort >/dev/null 2>&1 || true
	am_ok=0
else
	mapfile -t amc < <(G rev-list --reverse ktls-base..ktls-am)
	if [ ${#amc[@]} -ne "$n" ]; then
		echo "  git am made ${#amc[@]} commits, the series has $n"
		am_ok=0
	else
		for i in "${!amc[@]}"; do
			if [ "$(G rev-parse "${amc[$i]}^{tree}")" != "$(G rev-parse "${commits[$i]}^{tree}")" ]; then
				echo "  $(label "$i"): the tree after git am differs from the series commit"
				am_ok=0
			fi
			if [ "$(G log -1 --format=%B "${amc[$i]}")" != "$(G log -1 --format=%B "${commits[$i]}")" ]; then
				echo "  $(label "$i"): the message after git am differs from the series commit"
				am_ok=0
			fi
		done
	fi
	[ $am_ok -eq 1 ] &&
		echo "  git am: $n commits; each tree and message equals the series' (final tree $(G rev-parse --short "ktls-am^{tree}"))"
fi
G checkout -q -f ktls-upstream

# --- Summary ------------------------------------------------------------

passed=0 failed=0
for i in "${!pats[@]}"; do
	if [ -z "${fails[$i]}" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "  FAILED $(label "$i"): ${fails[$i]}"
	fi
done
say "patches-check: done in $(elapsed "$start"); git am: $([ $am_ok -eq 1 ] && echo ok || echo FAILED)"
echo "patches-check: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ $am_ok -eq 1 ]
