#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The booted kernel is the one the harness just built: its uname -v holds
# the stamp of the build's inputs, which the harness also passes on the
# kernel command line (ktls.stamp=).
echo "TAP version 13"
echo "1..1"
v=$(uname -v)
echo "# online CPUs: $(cat /sys/devices/system/cpu/online 2>/dev/null)"
if [ -n "$KTLS_STAMP" ] && [ "${v%"$KTLS_STAMP"*}" != "$v" ]; then
	echo "ok 1 uname -v '$v' carries the build stamp $KTLS_STAMP"
	exit 0
fi
echo "not ok 1 uname -v '$v' lacks the build stamp '$KTLS_STAMP'"
exit 1
