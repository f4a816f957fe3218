#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs last in the guest: on a kernel with kmemleak (the debug flavour),
# scan for objects leaked since /init cleared the list before the tests.
# Skips on kernels without kmemleak.
echo "TAP version 13"
echo "1..1"
k=/sys/kernel/debug/kmemleak
if [ ! -w $k ]; then
	echo "ok 1 # SKIP no $k in this kernel"
	exit 4
fi
# Two scans: an object is reported once it stayed unreferenced across one.
echo scan > $k
sleep 6
echo scan > $k
if grep -q "unreferenced object" $k; then
	sed 's/^/# /' $k | head -n 60
	echo "not ok 1 kmemleak found objects leaked during the tests"
	exit 1
fi
echo "ok 1 kmemleak found no object leaked during the tests"
