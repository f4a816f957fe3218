// SPDX-License-Identifier: GPL-2.0
/*
 * KTLS ownership: no path the kernel sees may let a task read an area that
 * belongs to another task.  Each test builds one such path (two tasks on one
 * thread pointer, a fork copy, a shared or not-copied mapping, a vfork
 * child, a tracer's register writes, a thread that frees its own area, a
 * 32-bit system call) and checks the vDSO answers against the system calls
 * of the task that asks, and that the owner keeps (or regains) its fast
 * path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "ktls_util.h"

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK	18
#endif

/* Every test runs in a fresh process: register its offset and main. */
FIXTURE(owner) {
};

FIXTURE_SETUP(owner)
{
	const char *why = ktls_setup_or_why();

	if (why)
		SKIP(return, "%s", why);
}

FIXTURE_TEARDOWN(owner)
{
}

/* Main's area is valid and the vDSO serves main from it. */
static bool main_fast(void)
{
	/* A fallback call enters the kernel, which rewrites a dirty area. */
	ktls_vdso.gettid();
	return ktls_area_valid(&ktls_tls_area, ktls_tp()) &&
	       ktls_fast_path(&ktls_tls_area);
}

static KTLS_RAW int idle(struct ktls_thread *t)
{
	return 0;
}

static KTLS_RAW int wait_go(struct ktls_thread *t)
{
	ktls_wait_for(&t->go, 1);
	return 0;
}

/* Snapshot snap[0] against the area at t->arg, then exit. */
static KTLS_RAW int snap_arg(struct ktls_thread *t)
{
	ktls_snap_take(&t->snap[0], t->arg);
	return 0;
}

/* Move the FS base to t->arg's TCB, snapshot there, move back. */
static KTLS_RAW int visit_tcb(struct ktls_thread *t)
{
	unsigned long to = (unsigned long)t->arg;

	if (ktls_set_fs(to))
		return 1;
	ktls_snap_take(&t->snap[0], (struct ktls_area *)(to + ktls_offset));
	return ktls_set_fs(t->tls) ? 2 : 0;
}

static void expect_snap(struct __test_metadata *_metadata,
			const struct ktls_snap *s, enum ktls_expect e,
			const char *who)
{
	unsigned int bad = ktls_snap_bad(s, e);

	if (bad)
		ktls_snap_check(s, e, who);
	EXPECT_EQ(0U, bad) TH_LOG("%s: %s", who, ktls_bad_str(bad));
}

/*
 * Input: clone3(CLONE_KTLS) whose tls is the creator's own thread
 * pointer.  Expected: EBUSY, and the creator keeps its area.
 */
TEST_F(owner, clone_ktls_onto_own_tp)
{
	struct ktls_thread t;
	long ret;

	ASSERT_EQ(0, ktls_thread_prepare(&t, 0));
	ret = ktls_thread_spawn(&t, KTLS_THREAD_FLAGS | CLONE_KTLS,
				ktls_tp(), 0, idle, NULL);
	if (ret > 0)
		ktls_thread_join(&t);
	EXPECT_EQ(-EBUSY, ret);
	EXPECT_TRUE(main_fast());
	ktls_thread_free(&t);
}

/*
 * Input: clone3(CLONE_KTLS) onto the TCB of a live thread that owns
 * an area.  Expected: EBUSY; the live thread keeps its area.
 */
TEST_F(owner, clone_ktls_onto_live_thread)
{
	struct ktls_thread a, b;
	long ret;

	ASSERT_LT(0, ktls_thread_start(&a, wait_go, NULL));
	ASSERT_EQ(0, ktls_thread_prepare(&b, 0));
	ret = ktls_thread_spawn(&b, KTLS_THREAD_FLAGS | CLONE_KTLS,
				a.tls, 0, idle, NULL);
	if (ret > 0)
		ktls_thread_join(&b);
	EXPECT_EQ(-EBUSY, ret);
	ktls_post(&a.go, 1);
	ktls_thread_join(&a);
	ktls_thread_free(&a);
	ktls_thread_free(&b);
}

/*
 * Input: a plain clone3(CLONE_SETTLS) thread whose tls is the registered
 * main thread's thread pointer.  Expected: the thread gets its own IDs from
 * the vDSO (main's area does not validate while both live), and main's
 * fast path returns once the thread is gone.
 */
TEST_F(owner, clone_settls_onto_owner)
{
	struct ktls_thread t;

	ASSERT_EQ(0, ktls_thread_prepare(&t, 0));
	ASSERT_LT(0, ktls_thread_spawn(&t, KTLS_THREAD_FLAGS, ktls_tp(), 0,
				       snap_arg, &ktls_tls_area));
	ktls_thread_join(&t);
	expect_snap(_metadata, &t.snap[0], KTLS_EXPECT_SHARER, "thread on main's TCB");
	EXPECT_EQ(t.tid, t.snap[0].sys.tid);
	EXPECT_TRUE(main_fast());
	ktls_thread_free(&t);
}

/*
 * Input: a thread without an area moves its FS base onto the registered
 * main thread's TCB with arch_prctl(ARCH_SET_FS), then back.  Expected:
 * there it gets its own IDs; main's fast path returns afterwards.
 */
TEST_F(owner, arch_prctl_onto_owner)
{
	struct ktls_thread t;

	ASSERT_EQ(0, ktls_thread_prepare(&t, 0));
	ASSERT_LT(0, ktls_thread_spawn(&t, KTLS_THREAD_FLAGS, t.tls, 0,
				       visit_tcb, (void *)ktls_tp()));
	ktls_thread_join(&t);
	EXPECT_EQ(0, t.ret);
	expect_snap(_metadata, &t.snap[0], KTLS_EXPECT_SHARER, "thread moved onto main's TCB");
	EXPECT_EQ(t.tid, t.snap[0].sys.tid);
	EXPECT_TRUE(main_fast());
	ktls_thread_free(&t);
}

/*
 * A fork child of a process with a second registered thread A: the child
 * has a copy of A's TCB and area.  A thread the child creates there, and
 * the child's main thread moved there, must not read A's values; the
 * child's main thread has its own area, valid under the child's key.
 */
static int fork_copy_child(void *arg)
{
	struct ktls_thread *a = arg;
	struct ktls_thread b;
	unsigned int bad = 0;
	long ret;

	if (!ktls_area_valid(&ktls_tls_area, ktls_tp()) ||
	    !ktls_fast_path(&ktls_tls_area))
		bad |= 1;
	if (ktls_thread_prepare(&b, 0))
		return 64;
	ret = ktls_thread_spawn(&b, KTLS_THREAD_FLAGS, a->tls, 0, snap_arg, a->area);
	if (ret <= 0)
		return 65;
	ktls_thread_join(&b);
	if (ktls_snap_bad(&b.snap[0], KTLS_EXPECT_NO_AREA) ||
	    b.snap[0].sys.tid != ret)
		bad |= 2;
	/* Now main itself, with raw-safe code only while on A's TCB. */
	b.arg = (void *)a->tls;
	b.tls = ktls_tp();
	if (visit_tcb(&b) || ktls_snap_bad(&b.snap[0], KTLS_EXPECT_NO_AREA))
		bad |= 4;
	return bad;
}

TEST_F(owner, fork_copy_of_other_thread)
{
	struct ktls_thread a;
	int status;

	ASSERT_LT(0, ktls_thread_start(&a, wait_go, NULL));
	/* A's first return to user wrote its area. */
	while (!ktls_area_valid(a.area, a.tls))
		usleep(1000);
	status = ktls_fork_run(fork_copy_child, &a);
	EXPECT_EQ(0, status)
		TH_LOG("child: %s (1 own area, 2 new thread on A's TCB, 4 main moved)",
		       ktls_status_str(status));
	ktls_post(&a.go, 1);
	ktls_thread_join(&a);
	ktls_thread_free(&a);
}

/*
 * Input: an area in a MAP_SHARED mapping, by clone3(CLONE_KTLS) and
 * by REGISTER.  Expected: EINVAL both times (a fork child would write the
 * parent's memory).
 */
static KTLS_RAW int register_self(struct ktls_thread *t)
{
	t->val[0] = ktls_register();
	return 0;
}

TEST_F(owner, shared_mapping_refused)
{
	struct ktls_thread t;

	ASSERT_EQ(0, ktls_thread_prepare(&t, KTLS_PREP_SHARED));
	EXPECT_EQ(-EINVAL, ktls_thread_spawn(&t, KTLS_THREAD_FLAGS | CLONE_KTLS,
					     t.tls, 0, idle, NULL));
	ASSERT_LT(0, ktls_thread_spawn(&t, KTLS_THREAD_FLAGS, t.tls, 0,
				       register_self, NULL));
	ktls_thread_join(&t);
	EXPECT_EQ(-EINVAL, t.val[0]);
	ktls_thread_free(&t);
}

/*
 * Input: a registered thread replaces its area's page with MAP_SHARED
 * memory, changes its egid (so the kernel rewrites the area there), and
 * forks.  Expected: the child, whose copy of that page is the parent's
 * memory, gets its own IDs and never rewrites the parent's area; the
 * parent keeps its own values and fast path.
 */
static KTLS_RAW int shared_remap_fork(struct ktls_thread *t)
{
	unsigned long page = t->val[0];
	unsigned long addr = (unsigned long)t->area & -page;
	int status = 0;
	long pid;

	if (ktls_syscall6(SYS_mmap, addr, page, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != (long)addr)
		return 1;
	if (ktls_sys3(SYS_setresgid, -1, 1009, -1))
		return 2;
	if (!ktls_area_valid(t->area, t->tls) || !ktls_fast_path(t->area))
		return 3;
	pid = ktls_sys2(SYS_clone, SIGCHLD, 0);
	if (pid == 0) {
		struct ktls_ids v, s;

		ktls_ids_vdso(&v);
		ktls_ids_sys(&s);
		ktls_sys1(SYS_exit_group, ktls_ids_eq(&v, &s) ? 0 : 1);
	}
	if (pid < 0 || ktls_sys4(SYS_wait4, pid, &status, 0, 0) != pid)
		return 4;
	t->val[1] = status;
	if (__atomic_load_n(&t->area->tid, __ATOMIC_RELAXED) != ktls_raw_gettid() ||
	    !ktls_area_valid(t->area, t->tls) || !ktls_fast_path(t->area))
		return 5;
	return ktls_sys3(SYS_setresgid, -1, 0, -1) ? 6 : 0;
}

TEST_F(owner, shared_remap_then_fork)
{
	struct ktls_thread t;

	if (geteuid())
		SKIP(return, "changing the egid needs root");
	ASSERT_EQ(0, ktls_thread_prepare(&t, 0));
	t.val[0] = sysconf(_SC_PAGESIZE);
	ASSERT_LT(0, ktls_thread_spawn(&t, KTLS_THREAD_FLAGS | CLONE_KTLS, t.tls,
				       0, shared_remap_fork, NULL));
	ktls_thread_join(&t);
	EXPECT_EQ(0, t.ret)
		TH_LOG("thread: step %d (3 area not rewritten, 5 parent's area changed)",
		       t.ret);
	EXPECT_EQ(0, t.val[1]) TH_LOG("child: %s", ktls_status_str(t.val[1]));
	ktls_thread_free(&t);
}

/*
 * A registered thread whose area page is MADV_DONTFORK (or
 * MADV_WIPEONFORK) forks.  Expected: the child runs (it is not killed for
 * an area it does not have) and its vDSO answers equal its system calls;
 * with WIPEONFORK its own copy of the page is its area, on the fast path.
 */
static KTLS_RAW int fork_and_check(struct ktls_thread *t)
{
	long pid = ktls_sys2(SYS_clone, SIGCHLD, 0);
	int status = 0;

	if (pid == 0) {
		struct ktls_ids v, s;
		int bad = 0;

		ktls_ids_vdso(&v);
		ktls_ids_sys(&s);
		if (!ktls_ids_eq(&v, &s))
			bad |= 1;
		if (t->val[1] && !ktls_fast_path(t->area))
			bad |= 2;
		ktls_sys1(SYS_exit_group, bad);
	}
	if (pid < 0)
		return 100;
	if (ktls_sys4(SYS_wait4, pid, &status, 0, 0) != pid)
		return 101;
	t->val[0] = status;
	return 0;
}

static void fork_with_advice(struct __test_metadata *_metadata, int advice,
			     bool fast_in_child)
{
	long page = sysconf(_SC_PAGESIZE);
	struct ktls_thread t;

	ASSERT_EQ(0, ktls_thread_prepare(&t, 0));
	ASSERT_EQ(0, madvise((void *)((unsigned long)t.area & -page), page, advice));
	t.val[1] = fast_in_child;
	ASSERT_LT(0, ktls_thread_spawn(&t, KTLS_THREAD_FLAGS | CLONE_KTLS,
				       t.tls, 0, fork_and_check, NULL));
	ktls_thread_join(&t);
	EXPECT_EQ(0, t.ret);
	EXPECT_EQ(0, t.val[0])
		TH_LOG("child: %s (1 vdso!=syscalls, 2 not on the fast path)",
		       ktls_status_str(t.val[0]));
	ktls_thread_free(&t);
}

TEST_F(owner, dontfork_area)
{
	fork_with_advice(_metadata, MADV_DONTFORK, false);
}

TEST_F(owner, wipeonfork_area)
{
	fork_with_advice(_metadata, MADV_WIPEONFORK, true);
}

/*
 * Input: a vfork() child (on its parent's thread pointer) calls REGISTER.
 * Expected: EBUSY; its errno slot is the parent's; the parent keeps its
 * area and fast path after the child exits.
 */
static long vf_register, vf_tid;
static int *vf_errno;

TEST_F(owner, vfork_child)
{
	pid_t pid;

	pid = vfork();
	if (pid == 0) {
		__atomic_store_n(&vf_register, ktls_register(), __ATOMIC_RELAXED);
		__atomic_store_n(&vf_tid, ktls_vdso.gettid() - ktls_raw_gettid(),
				 __ATOMIC_RELAXED);
		__atomic_store_n(&vf_errno, ktls_vdso.errno_location(),
				 __ATOMIC_RELAXED);
		_exit(0);
	}
	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	EXPECT_EQ(-EBUSY, vf_register);
	EXPECT_EQ(0, vf_tid);
	EXPECT_EQ(&ktls_tls_area.errno_value, vf_errno);
	EXPECT_TRUE(main_fast());
}

/*
 * Input: a CLONE_VM child without CLONE_SETTLS (on main's thread pointer)
 * that then moves to a TCB of its own with ARCH_SET_FS, as runtimes do.
 * Expected: while it shares, it gets its own IDs; once it moved, main is
 * back on its fast path while the child still lives, and the child has no
 * area on its own TCB.
 */
static KTLS_RAW int share_then_move(struct ktls_thread *t)
{
	ktls_snap_take(&t->snap[0], &ktls_tls_area);
	if (ktls_set_fs(t->tls))
		return 1;
	ktls_post(&t->go, 1);
	ktls_wait_for(&t->go, 2);
	ktls_snap_take(&t->snap[1], t->area);
	return 0;
}

TEST_F(owner, sharer_moves_away)
{
	struct ktls_thread t;

	ASSERT_EQ(0, ktls_thread_prepare(&t, 0));
	ASSERT_LT(0, ktls_thread_spawn(&t, KTLS_THREAD_FLAGS & ~CLONE_SETTLS, 0, 0,
				       share_then_move, NULL));
	ktls_wait_for(&t.go, 1);
	EXPECT_TRUE(main_fast());
	ktls_post(&t.go, 2);
	ktls_thread_join(&t);
	EXPECT_EQ(0, t.ret);
	expect_snap(_metadata, &t.snap[0], KTLS_EXPECT_SHARER, "sharer on main's TCB");
	expect_snap(_metadata, &t.snap[1], KTLS_EXPECT_NO_AREA, "sharer on its own TCB");
	ktls_thread_free(&t);
}

/*
 * Input: a tracer writes the tracee's registers back unchanged
 * (PTRACE_SETREGS, POKEUSER of fs_base and of the FS selector).
 * Expected: the tracee keeps its area and fast path.
 */
TEST_F(owner, ptrace_unchanged_fs_keeps_area)
{
	struct user_regs_struct regs;
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0))
			_exit(2);
		raise(SIGSTOP);
		_exit(main_fast() ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_EQ(0, ptrace(PTRACE_GETREGS, pid, 0, &regs));
	EXPECT_EQ(0, ptrace(PTRACE_SETREGS, pid, 0, &regs));
	EXPECT_EQ(0, ptrace(PTRACE_POKEUSER, pid,
			    offsetof(struct user_regs_struct, fs_base), regs.fs_base));
	EXPECT_EQ(0, ptrace(PTRACE_POKEUSER, pid,
			    offsetof(struct user_regs_struct, fs), regs.fs));
	ASSERT_EQ(0, ptrace(PTRACE_CONT, pid, 0, 0));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("tracee: %s (1: lost its fast path)", ktls_status_str(status));
}

/*
 * Input: a tracer moves a stopped thread's fs_base onto the TCB of the
 * tracee's registered main thread (PTRACE_POKEUSER).  Expected: there the
 * thread gets its own IDs from the vDSO, not main's.
 */
struct ptrace_move {
	struct ktls_thread t;
	int ready;
	unsigned long main_tp;
};

static KTLS_RAW int wait_then_snap(struct ktls_thread *t)
{
	struct ptrace_move *pm = t->arg;

	ktls_post(&pm->ready, 1);
	ktls_wait_for(&t->go, 1);
	ktls_snap_take(&t->snap[0], &ktls_tls_area);
	return 0;
}

static int ptrace_move_child(void *arg)
{
	struct ptrace_move *pm = arg;

	pm->main_tp = ktls_tp();
	if (ktls_thread_spawn(&pm->t, KTLS_THREAD_FLAGS, pm->t.tls, 0,
			      wait_then_snap, pm) <= 0)
		return 64;
	ktls_wait_for(&pm->ready, 2);	/* the tracer moved the thread */
	ktls_post(&pm->t.go, 1);
	ktls_thread_join(&pm->t);
	if (ktls_snap_bad(&pm->t.snap[0], KTLS_EXPECT_SHARER))
		return 1;
	return pm->t.snap[0].sys.tid == pm->t.tid ? 0 : 2;
}

TEST_F(owner, ptrace_fs_base_onto_owner)
{
	struct ptrace_move *pm = ktls_shared_alloc(sizeof(*pm));
	int status;
	pid_t pid, tid;

	ASSERT_EQ(0, ktls_thread_prepare(&pm->t, 0));
	fflush(stdout);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(ptrace_move_child(pm));
	ktls_wait_for(&pm->ready, 1);
	tid = __atomic_load_n(&pm->t.ctid, __ATOMIC_SEQ_CST);
	ASSERT_EQ(0, ptrace(PTRACE_SEIZE, tid, 0, 0));
	ASSERT_EQ(0, ptrace(PTRACE_INTERRUPT, tid, 0, 0));
	ASSERT_EQ(tid, waitpid(tid, &status, __WALL));
	EXPECT_EQ(0, ptrace(PTRACE_POKEUSER, tid,
			    offsetof(struct user_regs_struct, fs_base), pm->main_tp));
	EXPECT_EQ(0, ptrace(PTRACE_DETACH, tid, 0, 0));
	ktls_post(&pm->ready, 2);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("tracee: %s (1 served main's area, 2 wrong tid)", ktls_status_str(status));
}

/*
 * Input: a registered thread unmaps the page of its own area, maps fresh
 * memory there filled with 0xa5, and exits (as a detached thread that
 * frees its own stack does).  Expected: the kernel writes nothing there.
 */
static KTLS_RAW int free_own_area(struct ktls_thread *t)
{
	unsigned long page = t->val[0];
	unsigned long addr = (unsigned long)t->area & -page;
	unsigned char *p;
	unsigned long i;

	if (ktls_sys2(SYS_munmap, addr, page))
		return 1;
	if (ktls_syscall6(SYS_mmap, addr, page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != (long)addr)
		return 2;
	p = (unsigned char *)addr;
	for (i = 0; i < page; i++)
		__atomic_store_n(&p[i], 0xa5, __ATOMIC_RELAXED);
	return 0;
}

TEST_F(owner, exit_writes_nothing)
{
	long page = sysconf(_SC_PAGESIZE);
	struct ktls_thread t;
	unsigned char *p;
	long i, changed = 0;

	ASSERT_EQ(0, ktls_thread_prepare(&t, 0));
	t.val[0] = page;
	ASSERT_LT(0, ktls_thread_spawn(&t, KTLS_THREAD_FLAGS | CLONE_KTLS,
				       t.tls, 0, free_own_area, NULL));
	ktls_thread_join(&t);
	ASSERT_EQ(0, t.ret);
	p = (unsigned char *)((unsigned long)t.area & -page);
	for (i = 0; i < page; i++)
		changed += p[i] != 0xa5;
	EXPECT_EQ(0, changed);
	ktls_thread_free(&t);
}

/*
 * errno_location is the slot at the thread pointer plus the offset, like
 * a __thread variable: in the registered main thread and in a pthread
 * without an area alike (its static TLS holds the slot too).
 */
static void *pthread_errno(void *arg)
{
	return ktls_vdso.errno_location() == &ktls_tls_area.errno_value ?
	       NULL : (void *)1;
}

TEST_F(owner, errno_slot_is_tls)
{
	pthread_t pt;
	void *res = (void *)2;

	EXPECT_EQ(&ktls_tls_area.errno_value, ktls_vdso.errno_location());
	ASSERT_EQ(0, pthread_create(&pt, NULL, pthread_errno, NULL));
	ASSERT_EQ(0, pthread_join(pt, &res));
	EXPECT_EQ(NULL, res);
}

/*
 * Input: UNREGISTER through the ia32 system call entry (int $0x80, prctl
 * is 172 there) from a registered thread.  Expected: EINVAL, and the
 * thread stays registered.  Skipped when the kernel has no ia32 entry.
 */
static long int80_prctl_ktls(long op)
{
	long ret;

	__asm__ volatile ("int $0x80"
			  : "=a" (ret)
			  : "0" (172L), "b" ((long)PR_KTLS), "c" (op), "d" (0L),
			    "S" (0L), "D" (0L)
			  : "memory");
	return ret;
}

TEST_F(owner, compat_syscall_refused)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (int80_prctl_ktls(PR_KTLS_UNREGISTER) != -EINVAL)
			_exit(1);
		_exit(main_fast() ? 0 : 2);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
		SKIP(return, "no ia32 system call entry (IA32_EMULATION off)");
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("child: %s (1 not EINVAL, 2 lost its area)", ktls_status_str(status));
}

/*
 * Input: a real 32-bit program (compat32_probe, beside this one), exec'd
 * by a process with a registered offset.  Expected: no AT_KTLS_* in its
 * auxiliary vector, and GET_LAYOUT, SET_OFFSET and REGISTER fail with
 * EINVAL.  Skipped when the kernel cannot run 32-bit programs.
 */
TEST_F(owner, compat_program)
{
	char path[4096];
	int status;
	ssize_t n;
	pid_t pid;

	n = readlink("/proc/self/exe", path, sizeof(path) - 32);
	ASSERT_LT(0, n);
	path[n] = 0;
	strcpy(strrchr(path, '/') + 1, "compat32_probe");
	if (access(path, X_OK))
		SKIP(return, "compat32_probe not built");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		execl(path, path, (char *)NULL);
		_exit(errno == ENOEXEC ? 100 : 101);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 100)
		SKIP(return, "the kernel cannot run ia32 programs");
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("compat32_probe: %s (1 AT_KTLS_* present; not EINVAL: %s)",
		       ktls_status_str(status), "2 GET_LAYOUT, 4 SET_OFFSET, 8 REGISTER");
}

/*
 * Input: this program exec'd by nobody as a setuid-root copy (AT_SECURE),
 * and as a plain copy (the control).  Expected: SET_OFFSET fails with
 * EPERM in the setuid one, so its IDs always come from the kernel, and
 * works in the plain one.
 */
#define SECURE_PROBE	"--ktls-secure-probe"

/* glibc passes argc and argv to constructors. */
static void __attribute__((constructor)) secure_probe(int argc, char **argv)
{
	bool secure;
	long ret;

	if (argc != 3 || strcmp(argv[1], SECURE_PROBE))
		return;
	secure = argv[2][0] == '1';
	if (getauxval(AT_SECURE) != secure || getuid() != 65534)
		_exit(1);
	ret = ktls_set_offset(ktls_static_offset());
	_exit(ret == (secure ? -EPERM : 0) ? 0 : 2);
}

static int copy_self(const char *to, mode_t mode)
{
	int in = open("/proc/self/exe", O_RDONLY);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0700);
	char buf[65536];
	ssize_t n = 0;

	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			n = -1;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return in < 0 || out < 0 || n < 0 || chmod(to, mode) ? -1 : 0;
}

static int run_as_nobody(const char *path, const char *secure)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(3);
		execl(path, path, SECURE_PROBE, secure, (char *)NULL);
		_exit(4);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

TEST_F(owner, setuid_program_refused)
{
	const char *path = "/tmp/ktls_owner_probe";
	int status;

	if (geteuid())
		SKIP(return, "needs root to make a setuid copy");
	ASSERT_EQ(0, copy_self(path, 0755));
	status = run_as_nobody(path, "0");
	EXPECT_EQ(0, status) TH_LOG("plain copy: %s", ktls_status_str(status));
	ASSERT_EQ(0, chmod(path, 04755));
	status = run_as_nobody(path, "1");
	EXPECT_EQ(0, status)
		TH_LOG("setuid copy: %s (1 no AT_SECURE, 2 SET_OFFSET not EPERM)",
		       ktls_status_str(status));
	unlink(path);
}

TEST_HARNESS_MAIN
