#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the ktls kernel under QEMU and run the guest's programs.
#
#   harness/vm.sh [test|run]
#
# KTLS_VM_ACCEL   tcg (default) or kvm (only where the host has hardware
#                 virtualization; see README)
# KTLS_VM_CPU     QEMU CPU model: max (default, has FSGSBASE and SMAP) or
#                 qemu64 (has neither)
# KTLS_VM_TIMEOUT seconds before a hung guest is killed (default 1200)
# KTLS_VM_INJECT  fail|panic|hang: make the guest misbehave on purpose, to
#                 check that the harness notices
# KTLS_VM_9P      a host folder: share the host's root file system read-only
#                 (9p tag hostroot) and this folder read-write (tag rw), for
#                 the glibc tests (harness/glibc-vm.sh)
# KTLS_VM_APPEND  more kernel command line (ktls.* settings for the guest)
# KTLS_VM_MEM     guest memory in MiB (default 1024)
# KTLS_VM_SMP     guest CPUs (default 2)
# KTLS_VM_LABEL   names this run's results folder and console log (default
#                 <flavour>-<mode>-<cpu>), so that VMs can run side by side
#
# The guest reports through isa-debug-exit: QEMU exits 33 when every
# guest test passed, 35 when one failed; anything else (a panic reboots,
# a timeout kills) is a failure.  Its results come back as files, over a
# 9p share (tag results) of build/results/<label>/: the TAP
# stream (tap.log), kselftest's own log, the benchmark's CSV.  The TAP
# file is checked, and the console for kernel reports; a failure prints
# the console's last 60 lines.
set -euo pipefail
. "$(dirname "$0")/common.sh"

mode=${1:-test}
accel=${KTLS_VM_ACCEL:-tcg}
cpu=${KTLS_VM_CPU:-max}
limit=${KTLS_VM_TIMEOUT:-1200}
inject=${KTLS_VM_INJECT:-none}
mem=${KTLS_VM_MEM:-1024}
smp=${KTLS_VM_SMP:-2}
label=${KTLS_VM_LABEL:-$flavour-$mode-$cpu}
results=$gbuild/results/$label
rm -rf "$results"
mkdir -p "$results"
share=(-virtfs "local,path=$results,mount_tag=results,security_model=none")
if [ -n "${KTLS_VM_9P:-}" ]; then
	share+=(-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
		-virtfs "local,path=$KTLS_VM_9P,mount_tag=rw,security_model=none")
fi
kernel=$obj/arch/x86/boot/bzImage
[ -f "$kernel" ] && [ -f "$initrd" ] || die "run 'make kernel initramfs' first"
stamp=$(cat "$obj/kernel.stamp")
console=$gbuild/logs/console-$label.log
scan=$build/host/console-scan
[ -x "$scan" ] || die "missing $scan: run 'make host'"

say "vm: booting $flavour kernel $stamp ($mode, accel=$accel, cpu=$cpu, timeout ${limit}s)"
[ "$accel" = tcg ] && say "vm: TCG emulation: expect about a minute to boot and run"
set +e
timeout --foreground -k 10 "$limit" qemu-system-x86_64 \
	-accel "$accel" -cpu "$cpu" -smp $smp,sockets=$smp -m "$mem" \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 loglevel=5 panic=-1 oops=panic ktls.mode=$mode ktls.inject=$inject ktls.stamp=$stamp ${KTLS_VM_APPEND:-}" \
	"${share[@]}" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-display none -serial stdio -monitor none -no-reboot \
	</dev/null 2>&1 | sed -u 's/\r//g' | tee "$console"
rc=${PIPESTATUS[0]}
set -e

why=
case $rc in
33)	;;
35)	why="a guest test failed" ;;
124|137) why="the guest hung: killed after ${limit}s" ;;
0)	why="the guest rebooted or panicked without reporting" ;;
*)	why="QEMU exited with status $rc" ;;
esac
if [ ! -s "$results/tap.log" ]; then
	why=${why:-"the guest wrote no $results/tap.log"}
elif "$scan" --label "vm-$mode($flavour,$cpu)" --tap "$results/tap.log" "$console" &&
     [ -z "$why" ]; then
	exit 0
fi
echo "vm: FAILED: ${why:-the console shows a failure}; last 60 console lines ($console):"
tail -n 60 "$console"
exit 1
