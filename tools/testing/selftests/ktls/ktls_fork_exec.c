// SPDX-License-Identifier: GPL-2.0
/*
 * KTLS across fork, exec and CLONE_VM children: a fork child's area
 * shows the child; exec leaves no offset and no area (and clears the
 * exec'ing thread's area); a task sharing its parent's thread pointer is
 * never served the parent's values, and the parent's area survives it
 * (vfork(): ktls_owner's vfork_child).
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

#include "../kselftest_harness.h"
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

FIXTURE(fork_exec) {
};

FIXTURE_SETUP(fork_exec)
{
	kt_setup_or_skip(_metadata);
}

FIXTURE_TEARDOWN(fork_exec)
{
}

/* The exec'd image's verdict: exit 0, or the KT_EXEC_* bits wrong. */
static void expect_exec_ok(struct __test_metadata *_metadata, int st)
{
	int bits = WIFEXITED(st) ? WEXITSTATUS(st) : -1;

	EXPECT_EQ(0, bits) TH_LOG("%s: %s", kt_status_str(st),
				  kt_exec_bits_str(bits));
}

/* ---- fork from the registered main thread ---- */

struct fork_res {
	struct kt_snap snap;
	long layout_ret, layout_off, reg_ret, set_ret;
	__s32 errno_value;
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

/*
 * fork() from the registered main thread: the child's area shows fork's
 * return as tid and pid (its gettid/getpid, not the parent's); it
 * inherits the offset and its area (GET_LAYOUT 0 and the offset, REGISTER
 * and SET_OFFSET -EBUSY, errno_value kept); the parent's area and vDSO are
 * unchanged by the fork and the child's exit.
 */
TEST_F(fork_exec, fork_main)
{
	struct fork_res *r = kt_shared_alloc(sizeof(*r));
	struct kt_snap before, after;
	long ptid = kt_raw_gettid();
	int st;

	kt_tls_area.errno_value = SENTINEL;
	kt_snap_take(&before, &kt_tls_area);
	st = kt_fork_run(fork_child_fn, r);
	kt_snap_take(&after, &kt_tls_area);

	kt_expect_exit0(_metadata, st, "child");
	kt_expect_snap(_metadata, &r->snap, KT_EXPECT_AREA, "fork child");
	EXPECT_EQ(kt_last_child, r->snap.area_ids.tid);
	EXPECT_EQ(kt_last_child, r->snap.area_ids.pid);
	EXPECT_NE(ptid, r->snap.area_ids.tid);
	EXPECT_EQ(0, r->layout_ret);
	EXPECT_EQ(kt_offset, r->layout_off);
	EXPECT_EQ(-EBUSY, r->reg_ret);
	EXPECT_EQ(-EBUSY, r->set_ret);
	EXPECT_EQ(SENTINEL, r->errno_value);
	kt_expect_snap(_metadata, &after, KT_EXPECT_AREA, "parent after fork");
	EXPECT_TRUE(kt_ids_eq(&before.area_ids, &after.area_ids));
}

/* ---- fork from a raw CLONE_KTLS thread ---- */

/* What the forking raw thread saw; the child's snapshot is shared. */
struct raw_fork {
	struct fork_res *child;
	struct kt_snap after;
	long pid;
	int status;
};

static KT_RAW int raw_fork_fn(struct kt_thread *t)
{
	struct raw_fork *f = t->arg;
	long pid = kt_sys0(SYS_fork);

	if (pid == 0) {
		/* The child: its only thread runs on the raw TCB. */
		kt_snap_take(&f->child->snap, t->area);
		for (;;)
			kt_sys1(SYS_exit_group, 0);
	}
	f->pid = pid;
	if (pid > 0)
		kt_sys4(SYS_wait4, pid, &f->status, 0, NULL);
	kt_snap_take(&f->after, t->area);
	return 0;
}

/*
 * Raw fork() in a CLONE_KTLS thread: the child's area at the raw TCB shows
 * tid == pid == fork's return, vDSO == syscalls; the forking thread's
 * area is still right.
 */
TEST_F(fork_exec, fork_raw_thread)
{
	struct raw_fork f = { .child = kt_shared_alloc(sizeof(*f.child)) };
	struct kt_thread t;

	ASSERT_LT(0, kt_thread_start(&t, raw_fork_fn, &f));
	kt_thread_join(&t);
	ASSERT_LT(0, f.pid) TH_LOG("fork -> %s", kt_ret_str(f.pid));
	kt_expect_exit0(_metadata, f.status, "child");
	kt_expect_snap(_metadata, &f.child->snap, KT_EXPECT_AREA,
		       "child of raw thread");
	kt_expect_snap(_metadata, &f.after, KT_EXPECT_AREA,
		       "raw thread after fork");
	EXPECT_EQ(f.pid, f.child->snap.area_ids.tid);
	EXPECT_EQ(f.pid, f.child->snap.area_ids.pid);
	kt_thread_free(&t);
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

/*
 * fork() in a pthread without an area: the child has no area, vDSO ==
 * syscalls, errno_location NULL.
 */
TEST_F(fork_exec, fork_pthread)
{
	struct pt_fork p = { .r = kt_shared_alloc(sizeof(struct fork_res)) };
	pthread_t th;

	ASSERT_EQ(0, pthread_create(&th, NULL, pt_fork_fn, &p));
	pthread_join(th, NULL);
	kt_expect_exit0(_metadata, p.status, "child");
	kt_expect_snap(_metadata, &p.r->snap, KT_EXPECT_NO_AREA,
		       "child of a pthread");
	EXPECT_EQ(p.pid, p.r->snap.sys.pid);
}

/* ---- exec ---- */

static int exec_fn(void *arg)
{
	(void)arg;
	execve(exe_path, exec_argv, environ);
	return 99;
}

/*
 * fork + execve(/proc/self/exe --exec-check) from the registered main
 * thread: the new image has no offset (GET_LAYOUT 0), vDSO == syscalls,
 * errno_location NULL, REGISTER -ENOENT, and a fresh SET_OFFSET+REGISTER
 * works; the parent's area is unaffected.
 */
TEST_F(fork_exec, exec_main)
{
	expect_exec_ok(_metadata, kt_fork_run(exec_fn, NULL));
	kt_expect_self(_metadata, KT_EXPECT_AREA,
		       "parent after the exec child");
}

struct exec_thread_res {
	__u64 tp_before;
	__u64 key;
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

/*
 * execve() in a raw CLONE_KTLS thread of a child: its owner word was
 * tp ^ key before; the new image starts without offset or area.
 */
TEST_F(fork_exec, exec_raw_thread)
{
	struct kt_thread t;
	int st;

	ex_res = kt_shared_alloc(sizeof(*ex_res));
	ASSERT_EQ(0, kt_thread_prepare(&t, 0));
	st = kt_fork_run(exec_thread_child, &t);
	expect_exec_ok(_metadata, st);
	EXPECT_NE(0UL, ex_res->key);
	EXPECT_EQ(t.tls ^ ex_res->key, ex_res->tp_before)
		TH_LOG("execve -> %s", kt_ret_str(ex_res->exec_ret));
	kt_thread_free(&t);
}

/*
 * posix_spawn (CLONE_VM|CLONE_VFORK + exec) of /proc/self/exe
 * --exec-check: the image checks itself; the parent's area and vDSO are
 * still right afterwards.
 */
TEST_F(fork_exec, posix_spawn)
{
	pid_t pid;
	int st;

	ASSERT_EQ(0, posix_spawn(&pid, exe_path, NULL, NULL, exec_argv, environ));
	waitpid(pid, &st, 0);
	expect_exec_ok(_metadata, st);
	kt_expect_self(_metadata, KT_EXPECT_AREA, "parent after posix_spawn");
}

/* ---- tasks sharing the parent's thread pointer ---- */

/*
 * A child on the parent's thread pointer: the area there is the parent's.
 * Its two looks, with the parent's handshake in between (__atomic).
 */
struct sharer {
	const struct ktls_area *area;
	struct kt_snap first, second;
	int go;
};

static KT_RAW int sharer_fn(struct kt_thread *t)
{
	struct sharer *sh = t->arg;

	kt_snap_take(&sh->first, sh->area);
	kt_post(&sh->go, 1);
	kt_wait_for(&sh->go, 2);
	kt_snap_take(&sh->second, sh->area);
	return 0;
}

static KT_RAW int vfork_sharer_fn(struct kt_thread *t)
{
	struct sharer *sh = t->arg;

	kt_snap_take(&sh->first, sh->area);
	return 0;
}

/*
 * clone3(CLONE_VM|CLONE_VFORK, no CLONE_SETTLS) child: its vDSO == its
 * own syscalls (its tid), not the parent's; the parent is right after.
 */
TEST_F(fork_exec, clone_vm_vfork)
{
	struct sharer sh = { .area = &kt_tls_area };
	struct kt_thread t;
	long pid;
	int st = 0;

	ASSERT_EQ(0, kt_thread_prepare(&t, 0));
	pid = kt_thread_spawn(&t, CLONE_VM | CLONE_VFORK, 0, SIGCHLD,
			      vfork_sharer_fn, &sh);
	ASSERT_LT(0, pid) TH_LOG("%s", kt_ret_str(pid));
	waitpid(pid, &st, 0);
	kt_expect_exit0(_metadata, st, "child");
	kt_expect_snap(_metadata, &sh.first, KT_EXPECT_SHARER,
		       "clone3(CLONE_VM|CLONE_VFORK) child");
	EXPECT_EQ(pid, sh.first.sys.tid);
	kt_expect_self(_metadata, KT_EXPECT_AREA,
		       "parent after CLONE_VFORK child");
	kt_thread_free(&t);
}

/*
 * clone3(CLONE_VM, no CLONE_SETTLS) child sharing the parent's thread
 * pointer: its vDSO == its own syscalls, at two looks.  While it lives
 * the parent's area does not validate (its vDSO == its syscalls); after
 * it exited, the parent's area, vDSO and errno_location are right again.
 */
TEST_F(fork_exec, clone_vm)
{
	struct sharer sh = { .area = &kt_tls_area };
	struct kt_snap during;
	struct kt_thread t;
	long pid;
	int st = 0;

	ASSERT_EQ(0, kt_thread_prepare(&t, 0));
	pid = kt_thread_spawn(&t, CLONE_VM, 0, SIGCHLD, sharer_fn, &sh);
	ASSERT_LT(0, pid) TH_LOG("%s", kt_ret_str(pid));
	kt_wait_for(&sh.go, 1);
	kt_snap_take(&during, &kt_tls_area);
	kt_post(&sh.go, 2);
	waitpid(pid, &st, 0);

	kt_expect_exit0(_metadata, st, "child");
	kt_expect_snap(_metadata, &sh.first, KT_EXPECT_SHARER,
		       "CLONE_VM child");
	kt_expect_snap(_metadata, &sh.second, KT_EXPECT_SHARER,
		       "CLONE_VM child, second look");
	EXPECT_EQ(pid, sh.first.sys.tid);
	kt_expect_snap(_metadata, &during, KT_EXPECT_AREA_SHARED,
		       "parent while the CLONE_VM child lives");
	kt_expect_self(_metadata, KT_EXPECT_AREA,
		       "parent after the CLONE_VM child");
	kt_thread_free(&t);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], EXEC_ARG))
		return kt_exec_image_check(0);
	kt_require_vdso();
	return test_harness_run(argc, argv);
}
