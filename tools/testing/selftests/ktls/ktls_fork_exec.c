// SPDX-License-Identifier: GPL-2.0
/*
 * KTLS across fork, exec, vfork and CLONE_VM children: a fork child's area
 * shows the child; exec leaves no offset and no area (and clears the
 * exec'ing thread's area); a task sharing its parent's thread pointer is
 * never served the parent's values, and the parent's area survives it.
 *
 * Re-executed as "ktls_fork_exec --exec-check", the program checks the
 * fresh image and reports through its exit status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest.h"
#include "ktls_util.h"

#define SENTINEL	0x600dcafe
#define EXEC_ARG	"--exec-check"

static const char exe_path[] = "/proc/self/exe";
static char exec_arg[] = EXEC_ARG;
/* execve() and posix_spawn() do not write to the strings. */
static char *exec_argv[] = { (char *)exe_path, exec_arg, NULL };

/*
 * The exec'd image (/proc/self/exe EXEC_ARG) checks itself with
 * kt_exec_image_check() and reports what was wrong as its exit status.
 */

/* ---- fork from the registered main thread ---- */

struct fork_res {
	struct kt_snap snap;
	long layout_ret, layout_off, reg_ret, set_ret;
	int32_t errno_value;
};

static int fork_child_fn(void *arg)
{
	struct fork_res *r = arg;
	struct ktls_layout l = { 0 };

	kt_snap_take(&r->snap, &kt_tls_area);
	r->errno_value = kt_tls_area.errno_value;
	r->layout_ret = kt_get_layout(&l);
	r->layout_off = l.offset;
	r->reg_ret = kt_register();
	r->set_ret = kt_set_offset(kt_offset);
	return 0;
}

static void test_fork(void)
{
	struct fork_res *r = kt_shared_alloc(sizeof(*r));
	struct kt_snap before, after;
	long ptid = kt_raw_gettid();
	bool ok;
	int st;

	kt_tls_area.errno_value = SENTINEL;
	kt_snap_take(&before, &kt_tls_area);
	st = kt_fork_run(fork_child_fn, r);
	kt_snap_take(&after, &kt_tls_area);

	ok = WIFEXITED(st) && !WEXITSTATUS(st);
	ok &= kt_snap_check(&r->snap, KT_EXPECT_AREA, "fork child");
	ok &= r->snap.area_ids.tid == kt_last_child &&
	      r->snap.area_ids.pid == kt_last_child &&
	      r->snap.area_ids.tid != ptid;
	ksft_test_result(ok,
			 "fork() from the registered main thread (%s): child's area tid/pid %ld/%ld == fork's return %d == its gettid/getpid, not the parent's %ld; vDSO == syscalls\n",
			 kt_status_str(st), r->snap.area_ids.tid,
			 r->snap.area_ids.pid, kt_last_child, ptid);
	ksft_test_result(r->layout_ret == 0 && r->layout_off == kt_offset &&
			 r->reg_ret == -EBUSY && r->set_ret == -EBUSY &&
			 r->errno_value == SENTINEL,
			 "fork child inherits the offset and its area: GET_LAYOUT -> %s offset %ld (expected 0 %ld), REGISTER -> %s (expected -EBUSY), SET_OFFSET -> %s (expected -EBUSY), errno_value %#x (expected %#x)\n",
			 kt_ret_str(r->layout_ret), r->layout_off,
			 kt_offset, kt_ret_str(r->reg_ret),
			 kt_ret_str(r->set_ret), r->errno_value, SENTINEL);
	ok = kt_snap_check(&after, KT_EXPECT_AREA, "parent after fork");
	ok &= kt_ids_eq(&before.area_ids, &after.area_ids);
	ksft_test_result(ok,
			 "parent's area and vDSO unchanged by fork and the child's exit (tid %ld)\n",
			 ptid);
	munmap(r, sizeof(*r));
}

/* ---- fork from a raw CLONE_KTLS thread ---- */

static struct fork_res *raw_res;

static KT_RAW int raw_fork_fn(struct kt_thread *t)
{
	long pid = kt_sys0(SYS_fork);
	int st = 0;

	if (pid == 0) {
		/* The child: its only thread runs on the raw TCB. */
		kt_snap_take(&raw_res->snap, t->area);
		for (;;)
			kt_sys1(SYS_exit_group, 0);
	}
	t->val[0] = pid;
	if (pid > 0) {
		kt_sys4(SYS_wait4, pid, &st, 0, NULL);
		t->val[1] = st;
	}
	kt_snap_take(&t->snap[0], t->area);
	return 0;
}

static void test_raw_fork(void)
{
	struct kt_thread t;
	long ret;
	bool ok;

	raw_res = kt_shared_alloc(sizeof(*raw_res));
	ret = kt_thread_start(&t, raw_fork_fn, NULL);
	if (ret > 0)
		kt_thread_join(&t);
	ok = ret > 0 && t.val[0] > 0 && WIFEXITED(t.val[1]) &&
	     !WEXITSTATUS(t.val[1]);
	if (ok) {
		ok &= kt_snap_check(&raw_res->snap, KT_EXPECT_AREA,
				      "child of raw thread");
		ok &= kt_snap_check(&t.snap[0], KT_EXPECT_AREA,
				      "raw thread after fork");
		ok &= raw_res->snap.area_ids.tid == t.val[0] &&
		      raw_res->snap.area_ids.pid == t.val[0];
	}
	ksft_test_result(ok,
			 "raw fork() in a CLONE_KTLS thread (%s, fork -> %s): the child's area at the raw TCB shows tid == pid == %ld, vDSO == syscalls; the forking thread's area still right\n",
			 kt_ret_str(ret), kt_ret_str(t.val[0]), t.val[0]);
	kt_thread_free(&t);
	munmap(raw_res, sizeof(*raw_res));
}

/* ---- fork from a pthread without an area ---- */

struct pt_fork {
	struct fork_res *r;
	int status;
	pid_t pid;
};

static int pt_child_fn(void *arg)
{
	struct fork_res *r = arg;

	kt_snap_take(&r->snap, &kt_tls_area);
	return 0;
}

static void *pt_fork_fn(void *arg)
{
	struct pt_fork *p = arg;

	p->status = kt_fork_run(pt_child_fn, p->r);
	p->pid = kt_last_child;
	return NULL;
}

static void test_pthread_fork(void)
{
	struct pt_fork p = { .r = kt_shared_alloc(sizeof(struct fork_res)) };
	pthread_t th;
	bool ok;

	ok = !pthread_create(&th, NULL, pt_fork_fn, &p);
	if (ok)
		pthread_join(th, NULL);
	ok &= WIFEXITED(p.status) && !WEXITSTATUS(p.status);
	ok &= kt_snap_check(&p.r->snap, KT_EXPECT_NO_AREA,
			      "child of a pthread");
	ok &= p.r->snap.sys.pid == p.pid;
	ksft_test_result(ok,
			 "fork() in a pthread without an area (%s): the child has no area, vDSO == syscalls (pid %d), errno_location NULL\n",
			 kt_status_str(p.status), p.pid);
	munmap(p.r, sizeof(struct fork_res));
}

/* ---- exec ---- */

static int exec_fn(void *arg)
{
	(void)arg;
	execve(exe_path, exec_argv, environ);
	return 99;
}

static void test_exec(void)
{
	struct kt_snap after;
	int st = kt_fork_run(exec_fn, NULL);
	int bits = WIFEXITED(st) ? WEXITSTATUS(st) : -1;

	kt_snap_take(&after, &kt_tls_area);
	ksft_test_result(bits == 0 &&
			 kt_snap_check(&after, KT_EXPECT_AREA,
				       "parent after the exec child"),
			 "fork + execve(/proc/self/exe %s) from the registered main thread (%s: %s): no offset (GET_LAYOUT 0), vDSO == syscalls, errno_location NULL, REGISTER -ENOENT, a fresh SET_OFFSET+REGISTER works; parent's area unaffected\n",
			 EXEC_ARG, kt_status_str(st), kt_exec_bits_str(bits));
}

struct exec_thread_res {
	uint64_t tp_before;
	uint64_t key;
	long exec_ret;
};

static struct exec_thread_res *ex_res;

static KT_RAW int exec_thread_fn(struct kt_thread *t)
{
	ex_res->tp_before = __atomic_load_n(&t->area->owner, __ATOMIC_RELAXED);
	ex_res->key = kt_key();
	ex_res->exec_ret = kt_sys3(SYS_execve, exe_path, exec_argv, environ);
	for (;;)
		kt_sys1(SYS_exit_group, 99);
	return 0;
}

static int exec_thread_child(void *arg)
{
	struct kt_thread *t = arg;
	long ret;

	ret = kt_thread_spawn(t, KT_THREAD_FLAGS | CLONE_KTLS,
			      t->tls, 0, exec_thread_fn, NULL);
	if (ret <= 0)
		return 98;
	/* The exec in the other thread ends this one. */
	for (;;)
		pause();
	return 97;
}

static void test_exec_thread(void)
{
	struct kt_thread t;
	int st, bits;

	ex_res = kt_shared_alloc(sizeof(*ex_res));
	if (kt_thread_prepare(&t, 0))
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	st = kt_fork_run(exec_thread_child, &t);
	bits = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	ksft_test_result(bits == 0 && ex_res->key &&
			 ex_res->tp_before == (t.tls ^ ex_res->key),
			 "execve() in a raw CLONE_KTLS thread (%s: %s, execve %s): owner word %#llx before (expected tp ^ key %#llx); the new image starts without offset or area\n",
			 kt_status_str(st), kt_exec_bits_str(bits),
			 ex_res->exec_ret ? kt_ret_str(ex_res->exec_ret) :
			 "ok", (unsigned long long)ex_res->tp_before,
			 (unsigned long long)(t.tls ^ ex_res->key));
	kt_thread_free(&t);
	munmap(ex_res, sizeof(*ex_res));
}

static void test_posix_spawn(void)
{
	struct kt_snap after;
	int st = -1, bits = -1, err;
	pid_t pid;
	bool ok;

	err = posix_spawn(&pid, exe_path, NULL, NULL, exec_argv, environ);
	if (!err) {
		waitpid(pid, &st, 0);
		bits = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	}
	kt_snap_take(&after, &kt_tls_area);
	ok = kt_snap_check(&after, KT_EXPECT_AREA,
			   "parent after posix_spawn");
	ksft_test_result(!err && bits == 0 && ok,
			 "posix_spawn (CLONE_VM|CLONE_VFORK + exec) of %s %s (%s: %s); afterwards the parent's area and vDSO still right\n",
			 exe_path, EXEC_ARG, err ? strerror(err) :
			 kt_status_str(st), kt_exec_bits_str(bits));
}

/* ---- tasks sharing the parent's thread pointer ---- */

/* Written by the vfork child, read by the parent: __atomic accesses. */
static long vf_raw_tid, vf_raw_pid, vf_tid, vf_pid;
static int *vf_errno;

/*
 * KT_RAW for its noinline: the child runs in this frame, not the
 * caller's, on the parent's thread pointer.
 */
static KT_RAW pid_t do_vfork(void)
{
	pid_t pid = vfork();

	if (pid == 0) {
		__atomic_store_n(&vf_raw_tid, kt_raw_gettid(), __ATOMIC_RELAXED);
		__atomic_store_n(&vf_raw_pid, kt_raw_getpid(), __ATOMIC_RELAXED);
		__atomic_store_n(&vf_tid, kt_vdso.gettid(), __ATOMIC_RELAXED);
		__atomic_store_n(&vf_pid, kt_vdso.getpid(), __ATOMIC_RELAXED);
		__atomic_store_n(&vf_errno, kt_vdso.errno_location(),
				 __ATOMIC_RELAXED);
		_exit(0);
	}
	return pid;
}

static void test_vfork(void)
{
	long ptid = kt_raw_gettid();
	long raw_tid, raw_pid, tid, vpid;
	struct kt_snap after;
	int *errno_loc;
	int st = 0;
	pid_t pid;
	bool ok;

	if (!kt_vdso_ok) {
		ksft_test_result_skip("vfork child: vDSO lacks __vdso_ktls_*\n");
		ksft_test_result_skip("parent after vfork: vDSO lacks __vdso_ktls_*\n");
		return;
	}
	pid = do_vfork();
	if (pid > 0)
		waitpid(pid, &st, 0);
	raw_tid = __atomic_load_n(&vf_raw_tid, __ATOMIC_RELAXED);
	raw_pid = __atomic_load_n(&vf_raw_pid, __ATOMIC_RELAXED);
	tid = __atomic_load_n(&vf_tid, __ATOMIC_RELAXED);
	vpid = __atomic_load_n(&vf_pid, __ATOMIC_RELAXED);
	errno_loc = __atomic_load_n(&vf_errno, __ATOMIC_RELAXED);
	ok = pid > 0 && tid == pid && vpid == pid && raw_tid == pid &&
	     raw_pid == pid && errno_loc == &kt_tls_area.errno_value;
	ksft_test_result(ok,
			 "vfork() child (shares the parent's thread pointer): __vdso_ktls_gettid %ld getpid %ld, raw %ld %ld, expected vfork's return %d (parent tid %ld); errno_location %p (the parent's slot, shared like its TLS)\n",
			 tid, vpid, raw_tid, raw_pid, pid, ptid, errno_loc);
	kt_snap_take(&after, &kt_tls_area);
	ksft_test_result(kt_snap_check(&after, KT_EXPECT_AREA,
				       "parent after vfork"),
			 "parent after the vfork child exited: area (tp, tid %ld) and vDSO right, errno_location its slot\n",
			 ptid);
}

static KT_RAW int sharer_fn(struct kt_thread *t)
{
	/* The area at this thread pointer is the parent's. */
	kt_snap_take(&t->snap[0], (struct ktls_area *)t->arg);
	kt_post(&t->go, 1);
	kt_wait_for(&t->go, 2);
	kt_snap_take(&t->snap[1], (struct ktls_area *)t->arg);
	return 0;
}

static KT_RAW int vfork_sharer_fn(struct kt_thread *t)
{
	kt_snap_take(&t->snap[0], (struct ktls_area *)t->arg);
	return 0;
}

static void test_clone_vfork(void)
{
	struct kt_thread t;
	struct kt_snap after;
	long pid;
	int st = 0;
	bool ok;

	if (kt_thread_prepare(&t, 0))
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	pid = kt_thread_spawn(&t, CLONE_VM | CLONE_VFORK, 0, SIGCHLD,
			      vfork_sharer_fn, &kt_tls_area);
	if (pid > 0)
		waitpid(pid, &st, 0);
	ok = pid > 0 && WIFEXITED(st) && !WEXITSTATUS(st);
	ok &= kt_snap_check(&t.snap[0], KT_EXPECT_SHARER,
			      "clone3(CLONE_VM|CLONE_VFORK) child");
	ok &= t.snap[0].sys.tid == pid;
	ksft_test_result(ok,
			 "clone3(CLONE_VM|CLONE_VFORK, no CLONE_SETTLS) child %s: vDSO == its own syscalls (tid %ld), not the parent's\n",
			 kt_ret_str(pid), t.snap[0].vdso.tid);
	kt_snap_take(&after, &kt_tls_area);
	ksft_test_result(kt_snap_check(&after, KT_EXPECT_AREA,
				       "parent after CLONE_VFORK child"),
			 "parent after the CLONE_VM|CLONE_VFORK child exited: area and vDSO right\n");
	kt_thread_free(&t);
}

static void test_clone_vm(void)
{
	struct kt_thread t;
	struct kt_snap during, after;
	long pid;
	int st = 0;
	bool ok;

	if (kt_thread_prepare(&t, 0))
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	pid = kt_thread_spawn(&t, CLONE_VM, 0, SIGCHLD, sharer_fn,
			      &kt_tls_area);
	if (pid > 0) {
		kt_wait_for(&t.go, 1);
		kt_snap_take(&during, &kt_tls_area);
		kt_post(&t.go, 2);
		waitpid(pid, &st, 0);
	} else {
		memset(&during, 0, sizeof(during));
	}
	kt_snap_take(&after, &kt_tls_area);

	ok = pid > 0 && WIFEXITED(st) && !WEXITSTATUS(st);
	ok &= kt_snap_check(&t.snap[0], KT_EXPECT_SHARER,
			      "CLONE_VM child");
	ok &= kt_snap_check(&t.snap[1], KT_EXPECT_SHARER,
			      "CLONE_VM child, second look");
	ok &= t.snap[0].sys.tid == pid;
	ksft_test_result(ok,
			 "clone3(CLONE_VM, no CLONE_SETTLS) child %s sharing the parent's thread pointer: its vDSO == its own syscalls (tid %ld)\n",
			 kt_ret_str(pid), t.snap[0].vdso.tid);
	ksft_test_result(pid > 0 &&
			 kt_snap_check(&during, KT_EXPECT_AREA_SHARED,
				       "parent while the CLONE_VM child lives"),
			 "parent while the CLONE_VM child lives: its area not valid (shared thread pointer), its vDSO == its syscalls (tid %ld)\n",
			 during.sys.tid);
	ksft_test_result(kt_snap_check(&after, KT_EXPECT_AREA,
				       "parent after the CLONE_VM child"),
			 "parent after the CLONE_VM child exited: area and vDSO right, errno_location its slot again\n");
	kt_thread_free(&t);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], EXEC_ARG))
		return kt_exec_image_check(0);

	ksft_print_header();
	kt_setup(true);
	ksft_set_plan(3 + 1 + 1 + 1 + 1 + 1 + 2 + 2 + 3);

	test_fork();
	test_raw_fork();
	test_pthread_fork();
	test_exec();
	test_exec_thread();
	test_posix_spawn();
	test_vfork();
	test_clone_vfork();
	test_clone_vm();

	ksft_finished();
	return 0;
}
