#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A bounded trinity run in the guest, as an unprivileged user, on the
# system calls around KTLS, while ktls_stress keeps registered processes
# busy (if it is in the guest).  Prints TAP: 1 is ok when trinity ran and
# the kernel is still alive and untainted (the harness also fails the run
# on any kernel report in the console); 2 is the verdict of the ktls_stress
# runs beside it.  Skips (exit 4) without trinity.
#
# KTLS_TRINITY_SECS  wall-clock bound (default 60)
# KTLS_TRINITY_OPS   system calls, trinity -N (default 100000)
# KTLS_TRINITY_SEED  trinity -s, to replay a run (default: trinity's choice)
#
# Debian's trinity (1.9+git20230109) cannot be pointed at rseq (its table
# names it "rseq,", which -c cannot parse), and marks clone3 and
# arch_prctl AVOID, which -c refuses: those three are fuzzed by
# ktls_hostile instead.  Here: prctl, the set*id family, setgroups,
# capset and unshare (user namespaces), each a path that rewrites or
# must leave alone KTLS areas.
echo "TAP version 13"
PATH=/usr/bin:/bin:/usr/sbin:/sbin:$PATH
trinity=$(command -v trinity)
if [ -z "$trinity" ]; then
	echo "1..0 # SKIP trinity is not in this guest"
	exit 4
fi
# The KTLS selftests are a sibling collection of this one (kselftest
# install): ktls_soak runs whole ktls_stress runs beside trinity.
stress=$(cd "$(dirname "$0")/../ktls" 2>/dev/null && pwd)/ktls_soak
# Both are part of the guest: missing, they fail result 2, never
# shrink the plan.
missing=
[ -x "$stress" ] && [ -x "${stress%/*}/ktls_stress" ] || { missing=$stress; stress=; }
echo "1..2"
secs=${KTLS_TRINITY_SECS:-60}
ops=${KTLS_TRINITY_OPS:-100000}
seed=${KTLS_TRINITY_SEED:+-s $KTLS_TRINITY_SEED}
calls="prctl setresuid setresgid setreuid setregid setuid setgid"
calls="$calls setfsuid setfsgid setgroups capset unshare"

# trinity refuses root: run it as nobody (busybox su, which needs the
# user in /etc/passwd).
grep -q '^nobody:' /etc/passwd ||
	echo "nobody:x:65534:65534:nobody:/tmp:/bin/sh" >> /etc/passwd
grep -q '^nogroup:' /etc/group ||
	echo "nogroup:x:65534:" >> /etc/group
dir=/tmp/trinity
rm -rf $dir
mkdir -p $dir
chown 65534:65534 $dir
taint0=$(cat /proc/sys/kernel/tainted)

# Registered processes busy at the same time: whole ktls_stress runs (of
# about 25 s), one after the other, started during the first secs - 20 s
# (ktls_soak --soak; no kernel memory comparison beside trinity).
soak=
if [ -n "$stress" ]; then
	$stress --soak $((secs > 30 ? secs - 20 : 10)) -B 20 \
		> $dir/soak.log 2>&1 &
	soak=$!
fi

# No socket, perf or pseudo-file descriptors: none of these calls takes
# one, and creating them costs minutes under TCG.
args="-q -l off -a 64 -C 4 -N $ops --enable-fds=pipes $seed"
for c in $calls; do
	args="$args -c $c"
done
echo "# trinity $args (as nobody, at most ${secs}s)"
start=$(cut -d' ' -f1 /proc/uptime)
timeout -s INT -k 10 "$secs" su -s /bin/sh nobody -c \
	"cd $dir && exec $trinity $args" > $dir/trinity.log 2>&1
rc=$?
end=$(cut -d' ' -f1 /proc/uptime)
# Whatever trinity left behind.
su -s /bin/sh nobody -c 'kill -9 -1' 2>/dev/null
sed -e '/Couldn.t open socket/d' -e "/Can't do protocol/d" \
	-e '/^\[main\] futex: /d' $dir/trinity.log | tail -n 25 | sed 's/^/# /'

soak_rc=0
if [ -n "$soak" ]; then
	wait $soak
	soak_rc=$?
	# On failure: the failed run's results that did not pass and its
	# diagnostics (passing results left out, so the failure is in view).
	[ $soak_rc -eq 0 ] ||
		grep -v -E '^#   +ok [0-9]' $dir/soak.log | tail -n 60 |
		sed 's/^/# /'
fi

# Still alive: a process, a file, the clock.
alive=no
echo alive > $dir/alive && [ "$(cat $dir/alive)" = alive ] && alive=yes
taint1=$(cat /proc/sys/kernel/tainted)
ran=$(sed -n 's/.*Ran \([0-9]*\) syscalls.*/\1/p' $dir/trinity.log | tail -n 1)
why=
case $rc in
0) ;;
124|130|137|143) why="stopped at the ${secs}s bound" ;;
*) why="trinity exited $rc" ;;
esac
failed=0
if [ -z "$ran" ] && ! grep -q 'Marking syscall' $dir/trinity.log; then
	echo "not ok 1 trinity did not start ($why): see its output above"
	failed=1
elif [ "$alive" != yes ] || [ "$taint1" != "$taint0" ]; then
	echo "not ok 1 after trinity: kernel alive: $alive, taint $taint0 -> $taint1"
	failed=1
else
	echo "ok 1 trinity ran ${ran:-?} system calls ($calls) as nobody in $(awk "BEGIN { print $end - $start }")s${why:+ ($why)}; kernel alive, taint $taint1 unchanged"
fi
if [ -n "$missing" ]; then
	echo "not ok 2 ktls_soak beside trinity: $missing or ktls_stress beside it is missing"
	failed=1
elif [ -n "$soak" ]; then
	res=$(grep -E '^(ok|not ok) 1 soak' $dir/soak.log | sed 's/^\(not \)*ok 1 //')
	case $soak_rc in
	0)	echo "ok 2 ktls_soak beside trinity: $res" ;;
	4)	echo "ok 2 # SKIP ktls_soak beside trinity: $(grep -m1 SKIP $dir/soak.log)" ;;
	*)	echo "not ok 2 ktls_soak beside trinity (exit $soak_rc): $res"
		failed=1 ;;
	esac
fi
exit $failed
