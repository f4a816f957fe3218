#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# In the test VM (from guest.sh): run the glibc test commands that
# tests/glibc/remote.sh queues on the host, each in the background, until
# the host writes <jobs>/stop.  <jobs>/times.log gets each command's time
# in the guest.
#
#   serve.sh <glibc build folder>
set -u
jobs=$1/jobs
echo "glibc: serving test jobs from $jobs on kernel $(uname -r)"
n=0
# Poll without a process a round: a read that times out on a pipe that
# never has data.
exec {nap}<> <(:)
while [ ! -f "$jobs/stop" ]; do
	for j in "$jobs"/*.job; do
		[ -f "$j" ] || continue
		id=${j%.job}
		mv "$j" "$id.run" 2>/dev/null || continue
		in=/dev/null
		[ -f "$id.in" ] && in=$id.in
		(t0=${EPOCHREALTIME/./}
		 bash "$id.run" < "$in" > "$id.out" 2> "$id.err"
		 echo $? > "$id.rc"
		 while read -r l; do cmd=$l; done < "$id.run"
		 echo "$(( (${EPOCHREALTIME/./} - t0) / 1000 )) ms: $cmd" >> "$jobs/times.log"
		 mv "$id.rc" "$id.done") &
		n=$((n + 1))
	done
	read -r -t 0.1 -u "$nap"
done
wait
echo "glibc: ran $n test commands"
touch "$jobs/stopped"
