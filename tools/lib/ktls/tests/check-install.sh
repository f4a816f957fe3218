#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# check-install.sh STAGE PREFIX SOURCE OUT: build SOURCE against the
# libktls installed in DESTDIR STAGE with PREFIX, through pkg-config and
# without the kernel tree's headers, shared and static, and run both.

set -e
stage=$1 prefix=$2 src=$3 out=$4

export PKG_CONFIG_PATH="$stage$prefix/lib/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$stage"
cflags=$(pkg-config --cflags ktls)
libs=$(pkg-config --libs ktls)
libdir="$stage$prefix/lib"

${CC:-cc} -std=gnu11 -Wall -Wextra -Werror $cflags -o "$out" "$src" $libs
LD_LIBRARY_PATH="$libdir" "$out"
${CC:-cc} -std=gnu11 -Wall -Wextra -Werror $cflags -o "$out-static" "$src" \
	"$libdir/libktls.a"
"$out-static"
test -f "$stage$prefix/share/man/man3/ktls.3"
test -f "$stage$prefix/share/man/man3/ktls_gettid.3"
echo "check-install: built and ran against $stage$prefix (shared, static)"
