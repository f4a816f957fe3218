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
	kt_setup_or_skip(_metadata);
}

FIXTURE_TEARDOWN(owner)
{
}

/* Main's area is valid and the vDSO serves main from it. */
static bool main_fast(void)
{
	/* A fallback call enters the kernel, which rewrites a dirty area. */
	kt_vdso.gettid();
	return kt_area_valid(&kt_tls_area, kt_tp()) &&
	       kt_fast_path(&kt_tls_area);
}

static KT_RAW int idle(struct kt_thread *t)
{
	return 0;
}

/* What a raw thread is to look at, and what it saw (its argument). */
struct look {
	const struct ktls_area *area;	/* snap_arg(): the area to read */
	unsigned long tcb;		/* visit_tcb(): the TCB to move to */
	struct kt_snap snap, moved;
	int go;				/* kt_post() / kt_wait_for() */
};

static KT_RAW int wait_go(struct kt_thread *t)
{
	struct look *l = t->arg;

	kt_wait_for(&l->go, 1);
	return 0;
}

/* Snapshot against the area at l->area, then exit. */
static KT_RAW int snap_arg(struct kt_thread *t)
{
	struct look *l = t->arg;

	kt_snap_take(&l->snap, l->area);
	return 0;
}

/* Move the FS base to l->tcb, snapshot there, move back. */
static KT_RAW int visit_tcb(struct kt_thread *t)
{
	struct look *l = t->arg;

	if (kt_set_fs(l->tcb))
		return 1;
	kt_snap_take(&l->snap, (struct ktls_area *)(l->tcb + kt_offset));
	return kt_set_fs(t->tls) ? 2 : 0;
}

/*
 * Input: clone3(CLONE_KTLS) whose tls is the creator's own thread
 * pointer.  Expected: EBUSY, and the creator keeps its area.
 */
TEST_F(owner, clone_ktls_onto_own_tp)
{
	struct kt_thread t;
	long ret;

	ASSERT_EQ(0, kt_thread_prepare(&t, 0));
	ret = kt_thread_run(&t, KT_THREAD_FLAGS | CLONE_KTLS, kt_tp(), idle,
			    NULL);
	EXPECT_EQ(-EBUSY, ret);
	EXPECT_TRUE(main_fast());
	kt_thread_free(&t);
}

/*
 * Input: clone3(CLONE_KTLS) onto the TCB of a live thread that owns
 * an area.  Expected: EBUSY; the live thread keeps its area.
 */
TEST_F(owner, clone_ktls_onto_live_thread)
{
	struct kt_thread a, b;
	struct look la = { 0 };
	long ret;

	ASSERT_LT(0, kt_thread_start(&a, wait_go, &la));
	ASSERT_EQ(0, kt_thread_prepare(&b, 0));
	ret = kt_thread_run(&b, KT_THREAD_FLAGS | CLONE_KTLS, a.tls, idle, NULL);
	EXPECT_EQ(-EBUSY, ret);
	kt_post(&la.go, 1);
	kt_thread_join(&a);
	kt_thread_free(&a);
	kt_thread_free(&b);
}

/*
 * Input: a plain clone3(CLONE_SETTLS) thread whose tls is the registered
 * main thread's thread pointer.  Expected: the thread gets its own IDs from
 * the vDSO (main's area does not validate while both live), and main's
 * fast path returns once the thread is gone.
 */
TEST_F(owner, clone_settls_onto_owner)
{
	struct look l = { .area = &kt_tls_area };
	struct kt_thread t;

	ASSERT_EQ(0, kt_thread_prepare(&t, 0));
	ASSERT_LT(0, kt_thread_run(&t, KT_THREAD_FLAGS, kt_tp(), snap_arg, &l));
	kt_expect_snap(_metadata, &l.snap, KT_EXPECT_SHARER, "thread on main's TCB");
	EXPECT_EQ(t.tid, l.snap.sys.tid);
	EXPECT_TRUE(main_fast());
	kt_thread_free(&t);
}

/*
 * Input: a thread without an area moves its FS base onto the registered
 * main thread's TCB with arch_prctl(ARCH_SET_FS), then back.  Expected:
 * there it gets its own IDs; main's fast path returns afterwards.
 */
TEST_F(owner, arch_prctl_onto_owner)
{
	struct look l = { .tcb = kt_tp() };
	struct kt_thread t;

	ASSERT_EQ(0, kt_thread_prepare(&t, 0));
	ASSERT_LT(0, kt_thread_run(&t, KT_THREAD_FLAGS, t.tls, visit_tcb, &l));
	EXPECT_EQ(0, t.ret);
	kt_expect_snap(_metadata, &l.snap, KT_EXPECT_SHARER, "thread moved onto main's TCB");
	EXPECT_EQ(t.tid, l.snap.sys.tid);
	EXPECT_TRUE(main_fast());
	kt_thread_free(&t);
}

/*
 * A fork child of a process with a second registered thread A: the child
 * has a copy of A's TCB and area.  A thread the child creates there, and
 * the child's main thread moved there, must not read A's values; the
 * child's main thread has its own area, valid under the child's key.
 */
static int fork_copy_child(void *arg)
{
	struct kt_thread *a = arg;
	struct look lb = { .area = a->area };
	struct kt_thread b;
	unsigned int bad = 0;
	long ret;

	if (!kt_area_valid(&kt_tls_area, kt_tp()) ||
	    !kt_fast_path(&kt_tls_area))
		bad |= 1;
	if (kt_thread_prepare(&b, 0))
		return 64;
	ret = kt_thread_run(&b, KT_THREAD_FLAGS, a->tls, snap_arg, &lb);
	if (ret <= 0)
		return 65;
	if (kt_snap_bad(&lb.snap, KT_EXPECT_NO_AREA) || lb.snap.sys.tid != ret)
		bad |= 2;
	/* Now main itself, with raw-safe code only while on A's TCB. */
	lb.tcb = a->tls;
	b.arg = &lb;
	b.tls = kt_tp();
	if (visit_tcb(&b) || kt_snap_bad(&lb.snap, KT_EXPECT_NO_AREA))
		bad |= 4;
	return bad;
}

TEST_F(owner, fork_copy_of_other_thread)
{
	struct look la = { 0 };
	struct kt_thread a;
	int status;

	ASSERT_LT(0, kt_thread_start(&a, wait_go, &la));
	/* A's first return to user wrote its area. */
	while (!kt_area_valid(a.area, a.tls))
		usleep(1000);
	status = kt_fork_run(fork_copy_child, &a);
	EXPECT_EQ(0, status)
		TH_LOG("child: %s (1 own area, 2 new thread on A's TCB, 4 main moved)",
		       kt_status_str(status));
	kt_post(&la.go, 1);
	kt_thread_join(&a);
	kt_thread_free(&a);
}

/*
 * Input: an area in a MAP_SHARED mapping, by clone3(CLONE_KTLS) and
 * by REGISTER.  Expected: EINVAL both times (a fork child would write the
 * parent's memory).
 */
static KT_RAW int register_self(struct kt_thread *t)
{
	*(long *)t->arg = kt_register();
	return 0;
}

TEST_F(owner, shared_mapping_refused)
{
	struct kt_thread t;
	long reg = 0;

	ASSERT_EQ(0, kt_thread_prepare(&t, KT_PREP_SHARED));
	EXPECT_EQ(-EINVAL, kt_thread_spawn(&t, KT_THREAD_FLAGS | CLONE_KTLS,
					   t.tls, 0, idle, NULL));
	ASSERT_LT(0, kt_thread_run(&t, KT_THREAD_FLAGS, t.tls, register_self,
				   &reg));
	EXPECT_EQ(-EINVAL, reg);
	kt_thread_free(&t);
}

/*
 * Input: a registered thread replaces its area's page with MAP_SHARED
 * memory, changes its egid (so the kernel rewrites the area there), and
 * forks.  Expected: the child, whose copy of that page is the parent's
 * memory, gets its own IDs and never rewrites the parent's area; the
 * parent keeps its own values and fast path.
 */
struct remap {
	unsigned long page;
	int status;		/* the fork child's */
};

static KT_RAW int shared_remap_fork(struct kt_thread *t)
{
	struct remap *r = t->arg;
	unsigned long page = r->page;
	unsigned long addr = (unsigned long)t->area & -page;
	int status = 0;
	long pid;

	if (kt_syscall6(SYS_mmap, addr, page, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != (long)addr)
		return 1;
	if (kt_sys3(SYS_setresgid, -1, 1009, -1))
		return 2;
	if (!kt_area_valid(t->area, t->tls) || !kt_fast_path(t->area))
		return 3;
	pid = kt_sys2(SYS_clone, SIGCHLD, 0);
	if (pid == 0) {
		struct kt_ids v, s;

		kt_ids_vdso(&v);
		kt_ids_sys(&s);
		kt_sys1(SYS_exit_group, kt_ids_eq(&v, &s) ? 0 : 1);
	}
	if (pid < 0 || kt_sys4(SYS_wait4, pid, &status, 0, 0) != pid)
		return 4;
	r->status = status;
	if (__atomic_load_n(&t->area->tid, __ATOMIC_RELAXED) != kt_raw_gettid() ||
	    !kt_area_valid(t->area, t->tls) || !kt_fast_path(t->area))
		return 5;
	return kt_sys3(SYS_setresgid, -1, 0, -1) ? 6 : 0;
}

TEST_F(owner, shared_remap_then_fork)
{
	struct remap r = { .page = sysconf(_SC_PAGESIZE) };
	struct kt_thread t;

	if (geteuid())
		SKIP(return, "changing the egid needs root");
	ASSERT_EQ(0, kt_thread_prepare(&t, 0));
	ASSERT_LT(0, kt_thread_run(&t, KT_THREAD_FLAGS | CLONE_KTLS, t.tls,
				   shared_remap_fork, &r));
	EXPECT_EQ(0, t.ret)
		TH_LOG("thread: step %d (3 area not rewritten, 5 parent's area changed)",
		       t.ret);
	EXPECT_EQ(0, r.status) TH_LOG("child: %s", kt_status_str(r.status));
	kt_thread_free(&t);
}

/*
 * A registered thread whose area page is MADV_DONTFORK (or
 * MADV_WIPEONFORK) forks.  Expected: the child runs (it is not killed for
 * an area it does not have) and its vDSO answers equal its system calls;
 * with WIPEONFORK its own copy of the page is its area, on the fast path.
 */
struct fork_check {
	bool fast_in_child;	/* the child is to be on its fast path */
	int status;		/* the child's */
};

static KT_RAW int fork_and_check(struct kt_thread *t)
{
	struct fork_check *f = t->arg;
	long pid = kt_sys2(SYS_clone, SIGCHLD, 0);
	int status = 0;

	if (pid == 0) {
		struct kt_ids v, s;
		int bad = 0;

		kt_ids_vdso(&v);
		kt_ids_sys(&s);
		if (!kt_ids_eq(&v, &s))
			bad |= 1;
		if (f->fast_in_child && !kt_fast_path(t->area))
			bad |= 2;
		kt_sys1(SYS_exit_group, bad);
	}
	if (pid < 0)
		return 100;
	if (kt_sys4(SYS_wait4, pid, &status, 0, 0) != pid)
		return 101;
	f->status = status;
	return 0;
}

TEST_F(owner, dontfork_wipeonfork_area)
{
	static const struct {
		int advice;
		bool fast_in_child;
		const char *what;
	} rows[] = {
		{ MADV_DONTFORK, false, "MADV_DONTFORK" },
		{ MADV_WIPEONFORK, true, "MADV_WIPEONFORK" },
	};
	long page = sysconf(_SC_PAGESIZE);
	struct fork_check f;
	struct kt_thread t;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		f = (struct fork_check){ .fast_in_child = rows[i].fast_in_child };
		ASSERT_EQ(0, kt_thread_prepare(&t, 0));
		ASSERT_EQ(0, madvise((void *)((unsigned long)t.area & -page),
				     page, rows[i].advice));
		ASSERT_LT(0, kt_thread_run(&t, KT_THREAD_FLAGS | CLONE_KTLS,
					   t.tls, fork_and_check, &f));
		EXPECT_EQ(0, t.ret) TH_LOG("%s", rows[i].what);
		EXPECT_EQ(0, f.status)
			TH_LOG("%s child: %s (1 vdso!=syscalls, 2 not on the fast path)",
			       rows[i].what, kt_status_str(f.status));
		kt_thread_free(&t);
	}
}

/*
 * Input: a vfork() child (on its parent's thread pointer) calls REGISTER.
 * Expected: EBUSY; __vdso_ktls_gettid and getpid and the raw system calls
 * give vfork's return; its errno slot is the parent's (shared like its
 * TLS); the parent keeps its area and fast path after the child exits.
 */
static long vf_register, vf_ids[4];	/* raw tid, pid; vDSO tid, pid */
static int *vf_errno;

/* KT_RAW for its noinline: the child returns from no frame of the test. */
static KT_RAW pid_t do_vfork(void)
{
	pid_t pid = vfork();

	if (pid == 0) {
		__atomic_store_n(&vf_register, kt_register(), __ATOMIC_RELAXED);
		__atomic_store_n(&vf_ids[0], kt_raw_gettid(), __ATOMIC_RELAXED);
		__atomic_store_n(&vf_ids[1], kt_raw_getpid(), __ATOMIC_RELAXED);
		__atomic_store_n(&vf_ids[2], kt_vdso.gettid(), __ATOMIC_RELAXED);
		__atomic_store_n(&vf_ids[3], kt_vdso.getpid(), __ATOMIC_RELAXED);
		__atomic_store_n(&vf_errno, kt_vdso.errno_location(),
				 __ATOMIC_RELAXED);
		_exit(0);
	}
	return pid;
}

TEST_F(owner, vfork_child)
{
	pid_t pid = do_vfork();
	int i;

	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	EXPECT_EQ(-EBUSY, vf_register);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(pid, vf_ids[i]) TH_LOG("raw tid, pid; vDSO tid, pid: %d", i);
	EXPECT_EQ(&kt_tls_area.errno_value, vf_errno);
	EXPECT_TRUE(main_fast());
	kt_expect_self(_metadata, KT_EXPECT_AREA, "parent after vfork");
}

/*
 * Input: a CLONE_VM child without CLONE_SETTLS (on main's thread pointer)
 * that then moves to a TCB of its own with ARCH_SET_FS, as runtimes do.
 * Expected: while it shares, it gets its own IDs; once it moved, main is
 * back on its fast path while the child still lives, and the child has no
 * area on its own TCB.
 */
static KT_RAW int share_then_move(struct kt_thread *t)
{
	struct look *l = t->arg;

	kt_snap_take(&l->snap, l->area);
	if (kt_set_fs(t->tls))
		return 1;
	kt_post(&l->go, 1);
	kt_wait_for(&l->go, 2);
	kt_snap_take(&l->moved, t->area);
	return 0;
}

TEST_F(owner, sharer_moves_away)
{
	struct look l = { .area = &kt_tls_area };
	struct kt_thread t;

	ASSERT_EQ(0, kt_thread_prepare(&t, 0));
	ASSERT_LT(0, kt_thread_spawn(&t, KT_THREAD_FLAGS & ~CLONE_SETTLS, 0, 0,
				     share_then_move, &l));
	kt_wait_for(&l.go, 1);
	EXPECT_TRUE(main_fast());
	kt_post(&l.go, 2);
	kt_thread_join(&t);
	EXPECT_EQ(0, t.ret);
	kt_expect_snap(_metadata, &l.snap, KT_EXPECT_SHARER, "sharer on main's TCB");
	kt_expect_snap(_metadata, &l.moved, KT_EXPECT_NO_AREA, "sharer on its own TCB");
	kt_thread_free(&t);
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
	kt_expect_exit0(_metadata, status, "tracee (1: lost its fast path)");
}

/*
 * Input: a tracer moves a stopped thread's fs_base onto the TCB of the
 * tracee's registered main thread (PTRACE_POKEUSER).  Expected: there the
 * thread gets its own IDs from the vDSO, not main's.
 */
struct ptrace_move {
	struct kt_thread t;
	int ready, go;
	unsigned long main_tp;
	struct kt_snap snap;	/* the thread's, on main's TCB */
};

static KT_RAW int wait_then_snap(struct kt_thread *t)
{
	struct ptrace_move *pm = t->arg;

	kt_post(&pm->ready, 1);
	kt_wait_for(&pm->go, 1);
	kt_snap_take(&pm->snap, &kt_tls_area);
	return 0;
}

static int ptrace_move_child(void *arg)
{
	struct ptrace_move *pm = arg;

	pm->main_tp = kt_tp();
	if (kt_thread_spawn(&pm->t, KT_THREAD_FLAGS, pm->t.tls, 0,
			    wait_then_snap, pm) <= 0)
		return 64;
	kt_wait_for(&pm->ready, 2);	/* the tracer moved the thread */
	kt_post(&pm->go, 1);
	kt_thread_join(&pm->t);
	if (kt_snap_bad(&pm->snap, KT_EXPECT_SHARER))
		return 1;
	return pm->snap.sys.tid == pm->t.tid ? 0 : 2;
}

TEST_F(owner, ptrace_fs_base_onto_owner)
{
	struct ptrace_move *pm = kt_shared_alloc(sizeof(*pm));
	int status;
	pid_t pid, tid;

	ASSERT_EQ(0, kt_thread_prepare(&pm->t, 0));
	fflush(stdout);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(ptrace_move_child(pm));
	kt_wait_for(&pm->ready, 1);
	tid = __atomic_load_n(&pm->t.ctid, __ATOMIC_SEQ_CST);
	ASSERT_EQ(0, ptrace(PTRACE_SEIZE, tid, 0, 0));
	ASSERT_EQ(0, ptrace(PTRACE_INTERRUPT, tid, 0, 0));
	ASSERT_EQ(tid, waitpid(tid, &status, __WALL));
	EXPECT_EQ(0, ptrace(PTRACE_POKEUSER, tid,
			    offsetof(struct user_regs_struct, fs_base), pm->main_tp));
	EXPECT_EQ(0, ptrace(PTRACE_DETACH, tid, 0, 0));
	kt_post(&pm->ready, 2);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	kt_expect_exit0(_metadata, status, "tracee (1 served main's area, 2 wrong tid)");
}

/*
 * Input: a registered thread unmaps the page of its own area, maps fresh
 * memory there filled with 0xa5, and exits (as a detached thread that
 * frees its own stack does).  Expected: the kernel writes nothing there.
 */
static KT_RAW int free_own_area(struct kt_thread *t)
{
	unsigned long page = *(long *)t->arg;
	unsigned long addr = (unsigned long)t->area & -page;
	unsigned char *p;
	unsigned long i;

	if (kt_sys2(SYS_munmap, addr, page))
		return 1;
	if (kt_syscall6(SYS_mmap, addr, page, PROT_READ | PROT_WRITE,
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
	struct kt_thread t;
	unsigned char *p;
	long i, changed = 0;

	ASSERT_EQ(0, kt_thread_prepare(&t, 0));
	ASSERT_LT(0, kt_thread_run(&t, KT_THREAD_FLAGS | CLONE_KTLS, t.tls,
				   free_own_area, &page));
	ASSERT_EQ(0, t.ret);
	p = (unsigned char *)((unsigned long)t.area & -page);
	for (i = 0; i < page; i++)
		changed += p[i] != 0xa5;
	EXPECT_EQ(0, changed);
	kt_thread_free(&t);
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

static int int80_unregister_child(void *arg)
{
	if (int80_prctl_ktls(PR_KTLS_UNREGISTER) != -EINVAL)
		return 1;
	return main_fast() ? 0 : 2;
}

TEST_F(owner, compat_syscall_refused)
{
	int status = kt_fork_run(int80_unregister_child, NULL);

	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
		SKIP(return, "no ia32 system call entry (IA32_EMULATION off)");
	kt_expect_exit0(_metadata, status, "child (1 not EINVAL, 2 lost its area)");
}

/*
 * Input: a real 32-bit program (compat32_probe, beside this one), exec'd
 * by a process with a registered offset.  Expected: no AT_KTLS_* in its
 * auxiliary vector, and GET_LAYOUT, SET_OFFSET and REGISTER fail with
 * EINVAL.  Skipped when the kernel cannot run 32-bit programs.
 */
static int exec_child(void *path)
{
	execl(path, path, (char *)NULL);
	return errno == ENOEXEC ? 100 : 101;
}

TEST_F(owner, compat_program)
{
	char path[4096];
	int status;
	ssize_t n;

	n = readlink("/proc/self/exe", path, sizeof(path) - 32);
	ASSERT_LT(0, n);
	path[n] = 0;
	strcpy(strrchr(path, '/') + 1, "compat32_probe");
	if (access(path, X_OK))
		SKIP(return, "compat32_probe not built");
	status = kt_fork_run(exec_child, path);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 100)
		SKIP(return, "the kernel cannot run ia32 programs");
	kt_expect_exit0(_metadata, status,
			"compat32_probe (1 AT_KTLS_* present; not EINVAL: 2 GET_LAYOUT, 4 SET_OFFSET, 8 REGISTER)");
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
	ret = kt_set_offset(kt_static_offset());
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
	EXPECT_EQ(0, status) TH_LOG("plain copy: %s", kt_status_str(status));
	ASSERT_EQ(0, chmod(path, 04755));
	status = run_as_nobody(path, "1");
	EXPECT_EQ(0, status)
		TH_LOG("setuid copy: %s (1 no AT_SECURE, 2 SET_OFFSET not EPERM)",
		       kt_status_str(status));
	unlink(path);
}

int main(int argc, char **argv)
{
	kt_require_vdso();
	return test_harness_run(argc, argv);
}
