# SPDX-License-Identifier: GPL-2.0
# Shared settings for the harness scripts; sourced, not run.
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${KTLS_BUILD:-$top/build}
base=$build/linux-base		# pristine Debian linux-source-6.1, never edited
tree=$build/linux		# base + project files + patches/series
logs=$build/logs
# Guest programs, the initramfs and consoles; another folder here lets a
# second initramfs be built and booted beside the main one.
gbuild=${KTLS_GUEST_DIR:-$build}
initrd=$gbuild/initramfs.cpio.gz

# The kernel flavour (KTLS_CONFIG):
#   default  the patched kernel, tinyconfig + configs/ktls.config
#   debug    the patched kernel with configs/debug.config over that
#            (KASAN, lockdep, DEBUG_ATOMIC_SLEEP, DEBUG_VM, kmemleak, UBSAN)
#   base     the unpatched base tree with the same configuration, for
#            comparing the upstream selftests
flavour=${KTLS_CONFIG:-default}
case $flavour in
default) obj=$build/obj ;;
debug|base) obj=$build/obj-$flavour ;;
*) echo "error: KTLS_CONFIG=$flavour: expected default, debug or base" >&2; exit 2 ;;
esac
config_fragments() {
	echo "$top/configs/ktls.config"
	[ "$flavour" = debug ] && echo "$top/configs/debug.config"
	return 0
}
tarball=/usr/src/linux-source-6.1.tar.xz
mkdir -p "$build" "$logs" "$gbuild/logs"
# ccache: paths below the project root are hashed relative to it, so that
# a clone in another folder (CI) hits the same cache.
export CCACHE_BASEDIR=$top CCACHE_NOHASHDIR=1

say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Files of the project that are laid over the kernel tree: everything at
# a kernel path except libktls (tools/lib/ktls/), a user-space library
# that is built from the project tree and is not part of the series.
overlay_files() {
	git -C "$top" ls-files -co --exclude-standard -- \
		arch include kernel lib init fs mm tools Documentation \
		':!tools/lib/ktls' | sort -u
}

# patches/series: one line per patch, in order, each followed by
# indented lines naming the new files the patch adds (a path, or DIR/
# for every project file under DIR).
series_patches() {
	awk '/^[^#[:space:]]/ { print $1 }' "$top/patches/series"
}

# "PATCH ENTRY..." per patch: the new files of each, as written.
series_entries() {
	awk 'function out() { if (p != "") print p l; l = "" }
	     /^#/ || /^[[:space:]]*$/ { next }
	     /^[^[:space:]]/ { out(); p = $1; next }
	     { for (i = 1; i <= NF; i++) l = l " " $i }
	     END { out() }' "$top/patches/series"
}

# Kernel files each patch touches.
patched_files() {
	local p
	for p in $(series_patches); do
		sed -n -e 's|^+++ b/\([^[:space:]]*\).*|\1|p' \
			-e 's|^--- a/\([^[:space:]]*\).*|\1|p' "$top/patches/$p"
	done | sort -u
}

# Hash of everything the kernel image is built from.
kernel_inputs_hash() {
	{
		dpkg-query -W -f='${Version}\n' linux-source-6.1
		echo "$flavour"
		cat $(config_fragments)
		if [ "$flavour" != base ]; then
			cat "$top/patches/series"
			for p in $(series_patches); do cat "$top/patches/$p"; done
			overlay_files | grep -v -e '^tools/' -e '^Documentation/' |
				while read -r f; do echo "$f"; cat "$top/$f"; done
		fi
	} | sha256sum | cut -c1-12
}
