#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the ktls kernel: extract Debian's linux-source-6.1 once, lay the
# project's files over it, apply patches/series, configure from tinyconfig
# plus configs/ktls.config, and build bzImage, vmlinux, the vDSO image and
# the UAPI headers.  Skips the build when no input changed.
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ -f "$tarball" ] || die "$tarball missing: run harness/deps.sh"
version=$(dpkg-query -W -f='${Version}' linux-source-6.1)

# 1. The pristine base tree, extracted once per package version.
if [ "$(cat "$base/.ktls-base-version" 2>/dev/null)" != "$version" ]; then
	say "kernel: extracting linux-source-6.1 $version (about 15 s)"
	rm -rf "$base" "$tree" "$obj" "$build/linux-source-6.1"
	tar -C "$build" -xf "$tarball"
	mv "$build/linux-source-6.1" "$base"
	echo "$version" > "$base/.ktls-base-version"
	chmod -R a-w "$base"
fi
# The working tree shares the base's files through hard links; every file
# the project changes is replaced (unlinked first), never written in place.
if [ ! -d "$tree" ]; then
	say "kernel: creating the working tree"
	cp -al "$base" "$tree"
	chmod u+w -R "$tree"
fi

src=$tree
[ "$flavour" = base ] && src=$base

# 2. Stage the wanted content of every file the project changes.
stage=$build/stage
if [ "$flavour" != base ]; then
rm -rf "$stage"
mkdir -p "$stage"
for f in $(patched_files); do
	if [ -f "$base/$f" ]; then
		mkdir -p "$stage/$(dirname "$f")"
		cp "$base/$f" "$stage/$f"
		chmod u+w "$stage/$f"
	fi
done
for p in $(series_patches); do
	[ -f "$top/patches/$p" ] || die "patches/series names $p, which does not exist"
	if ! out=$(patch -d "$stage" -p1 --forward --fuzz=0 \
			--no-backup-if-mismatch -i "$top/patches/$p" 2>&1); then
		echo "$out" >&2
		echo "error: patch $p does not apply to linux-source-6.1 $version (make rebase moves the series)" >&2
		find "$stage" -name '*.rej' | while read -r r; do
			echo "--- rejected hunks: ${r#$stage/}" >&2
			cat "$r" >&2
		done
		exit 1
	fi
done
find "$stage" -name '*.orig' -delete
while read -r f; do
	mkdir -p "$stage/$(dirname "$f")"
	cp "$top/$f" "$stage/$f"
done < <(overlay_files)

# 3. Bring the working tree to the staged content, touching only what
#    differs, and restore files the project no longer changes.
(cd "$stage" && find . -type f | sed 's|^\./||' | sort) > "$build/stage.list"
changed=0
while read -r f; do
	if ! cmp -s "$stage/$f" "$tree/$f"; then
		mkdir -p "$tree/$(dirname "$f")"
		rm -f "$tree/$f"
		cp "$stage/$f" "$tree/$f"
		changed=$((changed + 1))
	fi
done < "$build/stage.list"
if [ -f "$build/overlay.list" ]; then
	comm -23 "$build/overlay.list" "$build/stage.list" | while read -r f; do
		rm -f "$tree/$f"
		if [ -f "$base/$f" ]; then
			cp "$base/$f" "$tree/$f"
		fi
	done
fi
mv "$build/stage.list" "$build/overlay.list"
say "kernel: tree ready ($changed files updated, $(wc -l < "$build/overlay.list") differ from the base)"
fi

# 4. Configure when a fragment changed.
mkdir -p "$obj"
mapfile -t frags < <(config_fragments)
fraghash=$(cat "${frags[@]}" | sha256sum | cut -c1-12)
kmake() {
	make -C "$src" O="$obj" ARCH=x86_64 -j"$(nproc)" \
		CC="$cc" HOSTCC="$cc" \
		KBUILD_BUILD_TIMESTAMP="ktls-$stamp" KBUILD_BUILD_USER=ktls \
		KBUILD_BUILD_HOST=ktls KBUILD_BUILD_VERSION=1 "$@"
}
cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"
stamp=$(kernel_inputs_hash)
if [ "$(cat "$obj/.ktls-config-hash" 2>/dev/null)" != "$fraghash" ] ||
   [ ! -f "$obj/.config" ]; then
	say "kernel: configuring $flavour (tinyconfig + ${frags[*]#$top/})"
	kmake -s tinyconfig >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
		"${frags[@]}" > "$logs/merge-config-$flavour.log" 2>&1
	kmake -s olddefconfig >>"$logs/merge-config-$flavour.log" 2>&1
	bad=0
	while read -r line; do
		case "$line" in CONFIG_*=y) ;; *) continue ;; esac
		# The base tree has no KTLS option.
		[ "$flavour" = base ] && [ "$line" = CONFIG_KTLS=y ] && continue
		grep -qx "$line" "$obj/.config" ||
			{ echo "error: $line did not survive olddefconfig" >&2; bad=1; }
	done < <(cat "${frags[@]}")
	[ $bad -eq 0 ] || exit 1
	echo "$fraghash" > "$obj/.ktls-config-hash"
fi

# 5. Build, unless the same inputs were built already.
if [ "$(cat "$obj/.ktls-built" 2>/dev/null)" = "$stamp" ] &&
   [ -f "$obj/arch/x86/boot/bzImage" ]; then
	say "kernel: $flavour up to date (ktls-$stamp)"
	exit 0
fi
say "kernel: building $flavour bzImage ktls-$stamp with '$cc' on $(nproc) cores (from a cold ccache about 25 core-minutes)"
log=$logs/kernel-build-$flavour.log
start=$(date +%s)
set +e
kmake bzImage headers 2>&1 | tee "$log" | {
	n=0
	while IFS= read -r l; do
		case "$l" in
		*warning:*|*error:*|*Error\ *) echo "$l" ;;
		"  "[A-Z]*) n=$((n + 1)); [ $((n % 250)) -eq 0 ] && echo "  ... $n steps" ;;
		esac
	done
}
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" -ne 0 ]; then
	echo "error: kernel build failed; last lines of $log:" >&2
	tail -n 40 "$log" >&2
	exit 1
fi
for f in arch/x86/boot/bzImage vmlinux arch/x86/entry/vdso/vdso64.so.dbg; do
	[ -f "$obj/$f" ] || die "build finished without $f"
done
echo "$stamp" > "$obj/.ktls-built"
echo "ktls-$stamp" > "$obj/kernel.stamp"
say "kernel: built in $(( $(date +%s) - start )) s: $obj/arch/x86/boot/bzImage"
