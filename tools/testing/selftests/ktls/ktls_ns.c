// SPDX-License-Identifier: GPL-2.0
/*
 * KTLS and namespaces: the ids in the area and from the vDSO are the ones
 * seen in the thread's own user and pid namespaces, like the syscalls'.
 * The namespaces are entered in forked children (unshare needs a single
 * thread); they leave their snapshots in shared memory for the test's
 * process to judge.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "ktls_util.h"

#define INNER_UID	1000
#define INNER_GID	2000
#define NS_SKIP		100	/* child exit: unshare not permitted */

struct ns_res {
	long unshare_ret;
	int map_err;
	struct kt_snap before_map, after_map, grandchild;
	struct kt_snap pid_self, pid_init, pid_thread;
	long pid_thread_tid;
	int grand_status;
};

static struct ns_res *res;
static long outer_uid, outer_gid;

/* Each test's process: registered, @res zeroed shared memory. */
FIXTURE(ns) {
};

FIXTURE_SETUP(ns)
{
	kt_setup_or_skip(_metadata);
	signal(SIGPIPE, SIG_IGN);
	res = kt_shared_alloc(sizeof(*res));
	outer_uid = geteuid();
	outer_gid = getegid();
}

FIXTURE_TEARDOWN(ns)
{
}

/* The snapshot shows a valid area of the thread that took it. */
static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	int ret = 0;

	if (fd < 0)
		return errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		ret = errno ? errno : EIO;
	close(fd);
	return ret;
}

/* Map INNER_UID/INNER_GID to our outer ids in the user namespace of @pid. */
static int write_maps(const char *pid)
{
	char path[64], buf[64];
	int err;

	snprintf(path, sizeof(path), "/proc/%s/setgroups", pid);
	err = write_file(path, "deny");
	if (err && err != ENOENT)
		return err;
	snprintf(path, sizeof(path), "/proc/%s/uid_map", pid);
	snprintf(buf, sizeof(buf), "%d %ld 1\n", INNER_UID, outer_uid);
	err = write_file(path, buf);
	if (err)
		return err;
	snprintf(path, sizeof(path), "/proc/%s/gid_map", pid);
	snprintf(buf, sizeof(buf), "%d %ld 1\n", INNER_GID, outer_gid);
	return write_file(path, buf);
}

static int snap_child_fn(void *arg)
{
	kt_snap_take(arg, &kt_tls_area);
	return 0;
}

/* ---- user namespace, maps written by the task itself ---- */

static int userns_self_fn(void *arg)
{
	(void)arg;
	res->unshare_ret = kt_sys1(SYS_unshare, CLONE_NEWUSER);
	if (res->unshare_ret)
		return NS_SKIP;
	kt_snap_take(&res->before_map, &kt_tls_area);
	res->map_err = write_maps("self");
	kt_snap_take(&res->after_map, &kt_tls_area);
	res->grand_status = kt_fork_run(snap_child_fn, &res->grandchild);
	return 0;
}

/*
 * A child unshares its user namespace and writes its own uid_map and
 * gid_map: before the maps the area and the vDSO equal the syscalls (the
 * overflow ids), after them the mapped ids; so in a fork child there.
 */
TEST_F(ns, userns_self)
{
	int st = kt_fork_run(userns_self_fn, NULL);

	if (WIFEXITED(st) && WEXITSTATUS(st) == NS_SKIP)
		SKIP(return, "unshare(CLONE_NEWUSER) -> %s",
		     kt_ret_str(res->unshare_ret));
	kt_expect_exit0(_metadata, st, "child");
	kt_expect_snap(_metadata, &res->before_map, KT_EXPECT_AREA,
		       "after unshare(CLONE_NEWUSER)");
	EXPECT_EQ(0, res->map_err) TH_LOG("%s", strerror(res->map_err));
	kt_expect_snap(_metadata, &res->after_map, KT_EXPECT_AREA,
		       "after writing its own maps");
	EXPECT_EQ(INNER_UID, res->after_map.sys.uid);
	EXPECT_EQ(INNER_UID, res->after_map.sys.euid);
	EXPECT_EQ(INNER_GID, res->after_map.sys.gid);
	EXPECT_EQ(INNER_GID, res->after_map.sys.egid);
	kt_expect_exit0(_metadata, res->grand_status, "fork child");
	kt_expect_snap(_metadata, &res->grandchild, KT_EXPECT_AREA,
		       "fork child in the user namespace");
	EXPECT_EQ(INNER_UID, res->grandchild.sys.uid);
}

/* ---- user namespace, maps written by the parent ---- */

static int sync_pipe[2], go_pipe[2];

static int userns_parent_fn(void *arg)
{
	char c = 0;

	(void)arg;
	close(sync_pipe[0]);
	close(go_pipe[1]);
	res->unshare_ret = kt_sys1(SYS_unshare, CLONE_NEWUSER);
	if (write(sync_pipe[1], &c, 1) != 1 || res->unshare_ret)
		return NS_SKIP;
	if (read(go_pipe[0], &c, 1) != 1)
		return 1;
	kt_snap_take(&res->after_map, &kt_tls_area);
	return 0;
}

/*
 * The parent writes the maps of a child that unshared its user
 * namespace: the child's area and vDSO then give the mapped ids.
 */
TEST_F(ns, userns_parent)
{
	char c, pidstr[32];
	int st, err = -1;
	pid_t pid;

	ASSERT_EQ(0, pipe(sync_pipe));
	ASSERT_EQ(0, pipe(go_pipe));
	fflush(stdout);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(userns_parent_fn(NULL));
	close(sync_pipe[1]);
	close(go_pipe[0]);
	if (read(sync_pipe[0], &c, 1) == 1 && !res->unshare_ret) {
		snprintf(pidstr, sizeof(pidstr), "%d", pid);
		err = write_maps(pidstr);
	}
	if (write(go_pipe[1], &c, 1) != 1)
		err = errno;
	close(sync_pipe[0]);
	close(go_pipe[1]);
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == NS_SKIP)
		SKIP(return, "unshare(CLONE_NEWUSER) -> %s",
		     kt_ret_str(res->unshare_ret));
	EXPECT_EQ(0, err) TH_LOG("writing the maps: %s", strerror(err));
	kt_expect_exit0(_metadata, st, "child");
	kt_expect_snap(_metadata, &res->after_map, KT_EXPECT_AREA,
		       "after the parent wrote the maps");
	EXPECT_EQ(INNER_UID, res->after_map.sys.uid);
	EXPECT_EQ(INNER_GID, res->after_map.sys.gid);
}

/* ---- pid namespace ---- */

static KT_RAW int pid_thread_fn(struct kt_thread *t)
{
	kt_snap_take(&res->pid_thread, t->area);
	return 0;
}

static int pid_init_fn(void *arg)
{
	struct kt_thread t;
	long ret;

	(void)arg;
	kt_snap_take(&res->pid_init, &kt_tls_area);
	ret = kt_thread_start(&t, pid_thread_fn, NULL);
	res->pid_thread_tid = ret;
	if (ret > 0)
		kt_thread_join(&t);
	return 0;
}

static int pidns_fn(void *arg)
{
	long flags = CLONE_NEWPID;

	(void)arg;
	if (geteuid() != 0)
		flags |= CLONE_NEWUSER;
	res->unshare_ret = kt_sys1(SYS_unshare, flags);
	if (res->unshare_ret)
		return NS_SKIP;
	kt_snap_take(&res->pid_self, &kt_tls_area);
	res->grand_status = kt_fork_run(pid_init_fn, NULL);
	return 0;
}

/*
 * unshare(CLONE_NEWPID) does not move the caller (its area keeps its
 * pid); its fork child is the new namespace's init (tid and pid 1 in the
 * area, the vDSO and the syscalls), and a CLONE_KTLS thread of that init
 * has clone3's return as its tid and pid 1.
 */
TEST_F(ns, pidns)
{
	long mypid = kt_raw_getpid();
	pid_t child;
	int st;

	st = kt_fork_run(pidns_fn, NULL);
	child = kt_last_child;
	if (WIFEXITED(st) && WEXITSTATUS(st) == NS_SKIP)
		SKIP(return, "unshare(CLONE_NEWPID) -> %s",
		     kt_ret_str(res->unshare_ret));
	kt_expect_exit0(_metadata, st, "child");
	kt_expect_snap(_metadata, &res->pid_self, KT_EXPECT_AREA,
		       "after unshare(CLONE_NEWPID)");
	EXPECT_EQ(child, res->pid_self.area_ids.pid);
	EXPECT_NE(mypid, res->pid_self.area_ids.pid);
	kt_expect_exit0(_metadata, res->grand_status, "init");
	kt_expect_snap(_metadata, &res->pid_init, KT_EXPECT_AREA,
		       "pid namespace init");
	EXPECT_EQ(1, res->pid_init.sys.pid);
	EXPECT_EQ(1, res->pid_init.sys.tid);
	EXPECT_EQ(1, res->pid_init.area_ids.pid);
	EXPECT_EQ(1, res->pid_init.area_ids.tid);
	EXPECT_LT(1, res->pid_thread_tid);
	kt_expect_snap(_metadata, &res->pid_thread, KT_EXPECT_AREA,
		       "thread in the pid namespace");
	EXPECT_EQ(res->pid_thread_tid, res->pid_thread.area_ids.tid);
	EXPECT_EQ(1, res->pid_thread.area_ids.pid);
}

int main(int argc, char **argv)
{
	kt_require_vdso();
	return test_harness_run(argc, argv);
}
