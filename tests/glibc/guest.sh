#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the test VM (busybox /init): mount the host's file system, shared
# read-only over 9p, and the glibc build folder, shared read-write, at
# the same paths, and make the host's file system the root of a mount
# namespace of its own, as switch_root does: serve.sh runs the glibc test
# commands the host's make check queues (tests/glibc/remote.sh), or
# programs.sh runs real programs and the benchmark.  Results are written
# to the shared build folder.
#
# Not a chroot: in a chroot, unshare(CLONE_NEWUSER) fails with EPERM
# (glibc's container tests) and /proc/self/fd names a terminal by its
# path outside the chroot (misc/tst-ttyname).
#
# Kernel command line: ktls.glibc=<glibc build folder on the host>
#   ktls.glibc.sel=serve|programs  ktls.glibc.conf=<results label>
#   ktls.glibc.tunables=<GLIBC_TUNABLES value, or none>
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p"; }
gl=$(arg ktls.glibc)
sel=$(arg ktls.glibc.sel)
conf=$(arg ktls.glibc.conf)
tun=$(arg ktls.glibc.tunables)
[ -n "$gl" ] || { echo "no ktls.glibc= on the kernel command line"; exit 1; }
h=/host
top=$(sed -n 's/^top=//p' /ktls/glibc.env)	# the project, on the host
opts=trans=virtio,version=9p2000.L,msize=262144
mkdir -p $h /keep/top /keep/glibc
mount -t 9p -o "$opts,cache=loose,ro" hostroot $h ||
	{ echo "9p: cannot mount the host root"; exit 1; }
# No cache on the read-write share: the host adds job files while it runs.
mount -t 9p -o "$opts" rw /keep/glibc || { echo "9p: cannot mount $gl"; exit 1; }
# The project may live under the host's /tmp, which a tmpfs replaces in
# the chroot: keep it aside and bind it back, then the build folder.
mount -o bind "$h$top" /keep/top
mount -t proc proc $h/proc
mount -t sysfs sysfs $h/sys
mount -t devtmpfs devtmpfs $h/dev
mkdir -p $h/dev/pts $h/dev/shm
mount -t devpts devpts $h/dev/pts
for i in 0 1 2; do ln -sf /proc/self/fd/$i $h/dev/$(echo stdin stdout stderr | cut -d' ' -f$((i + 1))); done
ln -sfn /proc/self/fd $h/dev/fd
mount -t tmpfs tmpfs $h/dev/shm
mount -t tmpfs tmpfs $h/tmp
mount -t tmpfs tmpfs $h/run
mkdir -p "$h$top" 2>/dev/null
mount -o bind /keep/top "$h$top" || { echo "cannot bind $top"; exit 1; }
mkdir -p "$h$gl" 2>/dev/null
mount -o bind /keep/glibc "$h$gl" || { echo "cannot bind $gl"; exit 1; }
# QEMU's 9p server will not open a FIFO or a socket on the host, so
# mknod() and bind() fail with ENXIO on the shares.  The container tests'
# root (support/test-container copies testroot.pristine there for each
# test, and misc/tst-syslog binds /dev/log in it) is the guest's own.
mkdir -p "$h$gl/obj/testroot.root" &&
	mount -t tmpfs tmpfs "$h$gl/obj/testroot.root" ||
	{ echo "cannot mount the container tests' root"; exit 1; }
# The environment of a root login (HOME as in the host's passwd, which
# posix/globtest's tilde tests compare with).
run() {
	s=$1
	shift
	unshare -m sh -c 'cd "$0" && mount --move . / && exec chroot . "$@"' $h \
		/usr/bin/env -i PATH=/usr/bin:/bin:/usr/sbin:/sbin HOME=/root \
		${tun:+GLIBC_TUNABLES=$tun} /bin/bash "$top/tests/glibc/$s" "$gl" "$@"
}
[ "$tun" = none ] && tun=
case $sel in
programs) run programs.sh "$conf" ;;
serve) run serve.sh ;;
*) echo "unknown ktls.glibc.sel=$sel"; exit 1 ;;
esac
