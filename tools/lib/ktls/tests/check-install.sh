#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# check-install.sh STAGE PREFIX SOURCE OUT: build SOURCE against the
# libktls installed in DESTDIR STAGE with PREFIX, through pkg-config and
# without the kernel tree's headers: as C (shared and static) and as C++,
# and run each.  Then move the installed tree to STAGE/moved and do it
# again: the .pc file finds its prefix from its own folder.

set -e
stage=$1 prefix=$2 src=$3 out=$4

build_run() {
	root=$1
	libdir="$root$prefix/lib"
	export PKG_CONFIG_PATH="$libdir/pkgconfig"
	cflags=$(pkg-config --cflags ktls)
	libs=$(pkg-config --libs ktls)
	inc=$(pkg-config --variable=includedir ktls)
	if [ "$(cd "$inc" && pwd -P)" != "$(cd "$root$prefix/include" && pwd -P)" ]; then
		echo "check-install: pkg-config's includedir is $inc," \
			"not in the tree at $root$prefix" >&2
		exit 1
	fi
	${CC:-cc} -std=gnu11 -Wall -Wextra -Werror $cflags -o "$out" "$src" $libs -pthread
	LD_LIBRARY_PATH="$libdir" "$out"
	${CC:-cc} -std=gnu11 -Wall -Wextra -Werror $cflags -o "$out-static" \
		"$src" "$libdir/libktls.a" -pthread
	"$out-static"
	${CXX:-c++} -x c++ -std=c++17 -Wall -Wextra -Werror $cflags \
		-o "$out-cxx" "$src" $libs -pthread
	LD_LIBRARY_PATH="$libdir" "$out-cxx"
	test -f "$root$prefix/share/man/man3/ktls.3"
	test -f "$root$prefix/share/man/man3/ktls_gettid.3"
}

build_run "$stage"
echo "check-install: built and ran against $stage$prefix (C shared and static, C++)"
rm -rf "$stage/moved"
mkdir -p "$(dirname "$stage/moved$prefix")"
mv "$stage$prefix" "$stage/moved$prefix"
build_run "$stage/moved"
echo "check-install: the same after moving the tree to $stage/moved$prefix"
