#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the test VM (busybox /init): mount the host's file system, shared
# read-only over 9p, and the glibc build folder, shared read-write, at
# the same paths, and enter a chroot there: serve.sh runs the glibc test
# commands the host's make check queues (tests/glibc/remote.sh), or
# programs.sh runs real programs and the benchmark.  Results are written
# to the shared build folder.
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
mkdir -p $h
opts=trans=virtio,version=9p2000.L,msize=262144,cache=loose
mount -t 9p -o "$opts,ro" hostroot $h || { echo "9p: cannot mount the host root"; exit 1; }
# No cache on the read-write share: the host adds job files while it runs.
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 rw "$h$gl" || { echo "9p: cannot mount $gl"; exit 1; }
mount -t proc proc $h/proc
mount -t sysfs sysfs $h/sys
mount -t devtmpfs devtmpfs $h/dev
mkdir -p $h/dev/pts $h/dev/shm
mount -t devpts devpts $h/dev/pts
for i in 0 1 2; do ln -sf /proc/self/fd/$i $h/dev/$(echo stdin stdout stderr | cut -d' ' -f$((i + 1))); done
ln -sf /proc/self/fd $h/dev/fd
mount -t tmpfs tmpfs $h/dev/shm
mount -t tmpfs tmpfs $h/tmp
mount -t tmpfs tmpfs $h/run
# The project's files, from the host root (this script's own folder).
top=$(sed -n 's/^top=//p' /ktls/glibc.env)
run() {
	s=$1
	shift
	chroot $h /usr/bin/env -i PATH=/usr/bin:/bin:/usr/sbin:/sbin HOME=/tmp \
		${tun:+GLIBC_TUNABLES=$tun} /bin/bash "$top/tests/glibc/$s" "$gl" "$@"
}
[ "$tun" = none ] && tun=
case $sel in
programs) run programs.sh "$conf" ;;
serve) run serve.sh ;;
*) echo "unknown ktls.glibc.sel=$sel"; exit 1 ;;
esac
