#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# glibc's test-wrapper (make check test-wrapper=...), on the host: run the
# command in the test VM and return its output and exit status, the way
# glibc's cross-test-ssh.sh runs tests on another machine.  The job goes
# through the 9p-shared folder $KTLS_GLIBC_JOBS, where tests/glibc/serve.sh
# in the guest picks it up: <id>.job (the command, run from the same
# folder; made visible by a rename), <id>.in (stdin, when it is a file),
# then <id>.out, <id>.err and <id>.done (the exit status) from the guest.
set -u
jobs=${KTLS_GLIBC_JOBS:?}
id=$(date +%s%N)-$$
{
	printf 'cd %q || exit 125\n' "$PWD"
	for v in TIMEOUTFACTOR GLIBC_TEST_ALLOW_TIME_SETTING; do
		[ -z "${!v:-}" ] || printf 'export %s=%q\n' "$v" "${!v}"
	done
	printf 'exec'
	printf ' %q' "$@"
	printf '\n'
} > "$jobs/$id.tmp"
if [ -f /proc/self/fd/0 ]; then
	cat > "$jobs/$id.in"
fi
mv "$jobs/$id.tmp" "$jobs/$id.job"
while [ ! -f "$jobs/$id.done" ]; do
	[ -f "$jobs/stopped" ] && { echo "remote.sh: the guest stopped" >&2; exit 125; }
	sleep 0.1
done
cat "$jobs/$id.out"
cat "$jobs/$id.err" >&2
rc=$(cat "$jobs/$id.done")
rm -f "$jobs/$id".*
exit "${rc:-125}"
