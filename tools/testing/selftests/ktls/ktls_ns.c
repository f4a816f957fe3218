// SPDX-License-Identifier: GPL-2.0
/*
 * KTLS and namespaces: the ids in the area and from the vDSO are the ones
 * seen in the thread's own user and pid namespaces, like the syscalls'.
 * Everything runs in forked children (unshare needs a single thread and
 * must not touch the test process); they leave their snapshots in shared
 * memory for the parent to judge.
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

#include "../kselftest.h"
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

static void test_userns_self(void)
{
	int st;
	bool ok;

	memset(res, 0, sizeof(*res));
	st = kt_fork_run(userns_self_fn, NULL);
	if (WIFEXITED(st) && WEXITSTATUS(st) == NS_SKIP) {
		ksft_test_result_skip("unshare(CLONE_NEWUSER) -> %s\n",
				      kt_ret_str(res->unshare_ret));
		ksft_test_result_skip("uid_map written by the task itself\n");
		ksft_test_result_skip("fork child in the user namespace\n");
		return;
	}
	ok = WIFEXITED(st) && !WEXITSTATUS(st);
	ok &= kt_snap_check(&res->before_map, KT_EXPECT_AREA,
			      "after unshare(CLONE_NEWUSER)");
	ksft_test_result(ok,
			 "after unshare(CLONE_NEWUSER), no maps yet (%s): area and vDSO equal the syscalls (uid %ld gid %ld, the overflow ids)\n",
			 kt_status_str(st), res->before_map.sys.uid,
			 res->before_map.sys.gid);
	ok = !res->map_err;
	ok &= kt_snap_check(&res->after_map, KT_EXPECT_AREA,
			      "after writing its own uid_map/gid_map");
	ok &= res->after_map.sys.uid == INNER_UID &&
	      res->after_map.sys.euid == INNER_UID &&
	      res->after_map.sys.gid == INNER_GID &&
	      res->after_map.sys.egid == INNER_GID;
	ksft_test_result(ok,
			 "the task writes its uid_map \"%d %ld 1\" and gid_map \"%d %ld 1\" (%s): area %ld/%ld and vDSO equal the syscalls %ld/%ld, expected %d/%d\n",
			 INNER_UID, outer_uid, INNER_GID, outer_gid,
			 res->map_err ? strerror(res->map_err) : "ok",
			 res->after_map.area_ids.uid,
			 res->after_map.area_ids.gid, res->after_map.sys.uid,
			 res->after_map.sys.gid, INNER_UID, INNER_GID);
	ok = WIFEXITED(res->grand_status) && !WEXITSTATUS(res->grand_status);
	ok &= kt_snap_check(&res->grandchild, KT_EXPECT_AREA,
			      "fork child in the user namespace");
	ok &= res->grandchild.sys.uid == INNER_UID;
	ksft_test_result(ok,
			 "fork child in that user namespace (%s): area and vDSO equal the syscalls, uid %ld (expected %d)\n",
			 kt_status_str(res->grand_status),
			 res->grandchild.area_ids.uid, INNER_UID);
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

static void test_userns_parent(void)
{
	char c, pidstr[32];
	int st, err = -1;
	pid_t pid;
	bool ok;

	memset(res, 0, sizeof(*res));
	if (pipe(sync_pipe) || pipe(go_pipe))
		ksft_exit_fail_msg("pipe: %s\n", strerror(errno));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		ksft_exit_fail_msg("fork: %s\n", strerror(errno));
	if (pid == 0) {
		int ret = userns_parent_fn(NULL);

		fflush(stdout);
		_exit(ret);
	}
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
	if (WIFEXITED(st) && WEXITSTATUS(st) == NS_SKIP) {
		ksft_test_result_skip("unshare(CLONE_NEWUSER) -> %s (maps written by the parent)\n",
				      kt_ret_str(res->unshare_ret));
		return;
	}
	ok = WIFEXITED(st) && !WEXITSTATUS(st) && !err;
	ok &= kt_snap_check(&res->after_map, KT_EXPECT_AREA,
			      "after the parent wrote the maps");
	ok &= res->after_map.sys.uid == INNER_UID &&
	      res->after_map.sys.gid == INNER_GID;
	ksft_test_result(ok,
			 "child in a new user namespace whose maps the parent wrote (%s, %s): area %ld/%ld and vDSO equal the syscalls %ld/%ld, expected %d/%d\n",
			 err > 0 ? strerror(err) : err ? "not written" : "ok",
			 kt_status_str(st), res->after_map.area_ids.uid,
			 res->after_map.area_ids.gid, res->after_map.sys.uid,
			 res->after_map.sys.gid, INNER_UID, INNER_GID);
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

static void test_pidns(void)
{
	long mypid = kt_raw_getpid();
	pid_t child;
	int st;
	bool ok;

	memset(res, 0, sizeof(*res));
	st = kt_fork_run(pidns_fn, NULL);
	child = kt_last_child;
	if (WIFEXITED(st) && WEXITSTATUS(st) == NS_SKIP) {
		ksft_test_result_skip("unshare(CLONE_NEWPID) -> %s\n",
				      kt_ret_str(res->unshare_ret));
		ksft_test_result_skip("pid namespace init\n");
		ksft_test_result_skip("thread in the pid namespace\n");
		return;
	}
	ok = WIFEXITED(st) && !WEXITSTATUS(st);
	ok &= kt_snap_check(&res->pid_self, KT_EXPECT_AREA,
			      "after unshare(CLONE_NEWPID)");
	ok &= res->pid_self.area_ids.pid == child &&
	      res->pid_self.area_ids.pid != mypid;
	ksft_test_result(ok,
			 "unshare(CLONE_NEWPID) does not move the caller (%s): area pid %ld, expected its pid %d\n",
			 kt_status_str(st), res->pid_self.area_ids.pid, child);
	ok = WIFEXITED(res->grand_status) && !WEXITSTATUS(res->grand_status);
	ok &= kt_snap_check(&res->pid_init, KT_EXPECT_AREA,
			      "pid namespace init");
	ok &= res->pid_init.sys.pid == 1 && res->pid_init.sys.tid == 1 &&
	      res->pid_init.area_ids.pid == 1 &&
	      res->pid_init.area_ids.tid == 1;
	ksft_test_result(ok,
			 "fork child in the new pid namespace (%s): area tid/pid %ld/%ld, vDSO %ld/%ld, syscalls %ld/%ld, expected 1/1\n",
			 kt_status_str(res->grand_status),
			 res->pid_init.area_ids.tid, res->pid_init.area_ids.pid,
			 res->pid_init.vdso.tid, res->pid_init.vdso.pid,
			 res->pid_init.sys.tid, res->pid_init.sys.pid);
	ok = res->pid_thread_tid > 1;
	ok &= kt_snap_check(&res->pid_thread, KT_EXPECT_AREA,
			      "thread in the pid namespace");
	ok &= res->pid_thread.area_ids.tid == res->pid_thread_tid &&
	      res->pid_thread.area_ids.pid == 1;
	ksft_test_result(ok,
			 "CLONE_KTLS thread of that init: area tid %ld pid %ld, expected clone3's return %ld and pid 1\n",
			 res->pid_thread.area_ids.tid,
			 res->pid_thread.area_ids.pid, res->pid_thread_tid);
}

int main(void)
{
	ksft_print_header();
	kt_setup(true);
	ksft_set_plan(3 + 1 + 3);
	signal(SIGPIPE, SIG_IGN);
	res = kt_shared_alloc(sizeof(*res));
	outer_uid = geteuid();
	outer_gid = getegid();

	test_userns_self();
	test_userns_parent();
	test_pidns();

	ksft_finished();
	return 0;
}
