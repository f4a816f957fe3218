/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the KTLS selftests: raw system calls that never touch
 * TLS, the prctl(PR_KTLS) operations, the vDSO accessors, snapshots of a
 * thread's ids through every path, and raw clone3() threads that run on a
 * TCB of their own.
 *
 * Code that runs in a raw thread (or in a child that shares its parent's
 * thread pointer) may only call the functions marked "raw-safe" below: they
 * use no TLS (no errno, no stdio, no malloc) and no stack protector.
 */
#ifndef KT_UTIL_H
#define KT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <linux/auxvec.h>
#include <linux/ktls.h>
#include <linux/prctl.h>
#include <linux/sched.h>

#include "kt_clone3.h"

#ifndef ARCH_SET_FS
#define ARCH_SET_FS		0x1002
#endif
#ifndef ARCH_GET_FS
#define ARCH_GET_FS		0x1003
#endif
#ifndef CLONE_ARGS_SIZE_VER0
#define CLONE_ARGS_SIZE_VER0	64
#endif
#ifndef CLONE_ARGS_SIZE_VER1
#define CLONE_ARGS_SIZE_VER1	80
#endif

/*
 * KT_RAW: for functions that run where the thread pointer may be bogus:
 * no stack protector (its canary is read through %fs) and never inlined
 * (GCC's noipa is noinline and more; one attribute list, so that the macro
 * stays a single attribute).  Without noipa, noinline alone (<sys/cdefs.h>);
 * the Makefile builds without the stack protector anyway.
 */
#if defined(__has_attribute)
#if __has_attribute(no_stack_protector)
#define KT_NOSSP	__attribute__((no_stack_protector))
#if __has_attribute(noipa)
#define KT_RAW	__attribute__((no_stack_protector, noipa))
#endif
#endif
#endif
#ifndef KT_NOSSP
#define KT_NOSSP
#endif
#ifndef KT_RAW
#define KT_RAW	__attribute_noinline__
#endif

/* Flags of a raw thread, as glibc's pthread_create uses them. */
#define KT_THREAD_FLAGS	(CLONE_VM | CLONE_FS | CLONE_FILES |	\
				 CLONE_SIGHAND | CLONE_THREAD |		\
				 CLONE_SYSVSEM | CLONE_SETTLS |		\
				 CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

/* ---- raw system calls (raw-safe): return the value or -errno ---- */

static inline KT_NOSSP long kt_syscall6(long nr, long a1, long a2,
					long a3, long a4, long a5,
					long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ volatile ("syscall"
			  : "=a" (ret)
			  : "0" (nr), "D" (a1), "S" (a2), "d" (a3),
			    "r" (r10), "r" (r8), "r" (r9)
			  : "rcx", "r11", "memory");
	return ret;
}

#define kt_sys0(nr)		kt_syscall6(nr, 0, 0, 0, 0, 0, 0)
#define kt_sys1(nr, a)	kt_syscall6(nr, (long)(a), 0, 0, 0, 0, 0)
#define kt_sys2(nr, a, b)	kt_syscall6(nr, (long)(a), (long)(b), \
					      0, 0, 0, 0)
#define kt_sys3(nr, a, b, c)	kt_syscall6(nr, (long)(a), (long)(b), \
					      (long)(c), 0, 0, 0)
#define kt_sys4(nr, a, b, c, d) \
	kt_syscall6(nr, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define kt_sys5(nr, a, b, c, d, e) \
	kt_syscall6(nr, (long)(a), (long)(b), (long)(c), (long)(d), \
		      (long)(e), 0)

/* prctl(PR_KTLS, op, arg, size, arg5), raw: 0 or -errno. */
static inline KT_NOSSP long kt_prctl(unsigned long op, const void *arg,
				     unsigned long size, unsigned long arg5)
{
	return kt_sys5(SYS_prctl, PR_KTLS, op, arg, size, arg5);
}

static inline KT_NOSSP long kt_register(void)
{
	return kt_prctl(PR_KTLS_REGISTER, NULL, 0, 0);
}

static inline KT_NOSSP long kt_unregister(void)
{
	return kt_prctl(PR_KTLS_UNREGISTER, NULL, 0, 0);
}

static inline KT_NOSSP long kt_get_layout(struct ktls_layout *l)
{
	return kt_prctl(PR_KTLS_GET_LAYOUT, l, sizeof(*l), 0);
}

/* The kernel's size and alignment, and @offset. */
static inline struct ktls_layout kt_layout(long offset)
{
	struct ktls_layout l = {
		.size = KTLS_AREA_SIZE,
		.alignment = KTLS_AREA_ALIGN,
		.offset = offset,
	};

	return l;
}

/* SET_OFFSET of kt_layout(@offset). */
long kt_set_offset(long offset);

/* The thread pointer as the kernel knows it (arch_prctl, raw-safe). */
static inline KT_NOSSP unsigned long kt_get_fs(void)
{
	unsigned long fs = 0;

	if (kt_sys2(SYS_arch_prctl, ARCH_GET_FS, &fs))
		return ~0UL;
	return fs;
}

static inline KT_NOSSP long kt_set_fs(unsigned long fs)
{
	return kt_sys2(SYS_arch_prctl, ARCH_SET_FS, fs);
}

static inline KT_NOSSP long kt_raw_gettid(void)
{
	return kt_sys0(SYS_gettid);
}

static inline KT_NOSSP long kt_raw_getpid(void)
{
	return kt_sys0(SYS_getpid);
}

static inline KT_NOSSP long kt_raw_getuid(void)
{
	return kt_sys0(SYS_getuid);
}

/* Futex helpers on a plain int (raw-safe). */
void kt_futex_wait(int *addr, int val);
void kt_futex_wake(int *addr);
/* Wait until *addr == val (raw-safe; __atomic loads). */
void kt_wait_for(int *addr, int val);
/* Set *addr = val (an __atomic store) and wake its waiters (raw-safe). */
void kt_post(int *addr, int val);

/* ---- ids through each path ---- */

struct kt_ids {
	long tid, pid, uid, euid, gid, egid;
};

struct kt_vdso_fns {
	pid_t (*gettid)(void);
	pid_t (*getpid)(void);
	uid_t (*getuid)(void);
	uid_t (*geteuid)(void);
	gid_t (*getgid)(void);
	gid_t (*getegid)(void);
	int *(*errno_location)(void);
};

extern struct kt_vdso_fns kt_vdso;
/* All seven vDSO symbols were found. */
extern bool kt_vdso_ok;
/* Look the symbols up; returns how many were found (0..7). */
int kt_vdso_init(void);
/* The same for a vDSO mapped at @base (after ARCH_MAP_VDSO_64). */
int kt_vdso_init_at(unsigned long base);

/* Raw-safe. */
void kt_ids_sys(struct kt_ids *ids);
/* Raw-safe; only when kt_vdso_ok. */
void kt_ids_vdso(struct kt_ids *ids);
/* Raw-safe: a copy of the kernel-written fields of @area. */
void kt_ids_area(const struct ktls_area *area, struct kt_ids *ids);
bool kt_ids_eq(const struct kt_ids *a, const struct kt_ids *b);
/* Prints "# who: field a_name=.. b_name=.." for each differing field. */
void kt_ids_diff(const char *who, const char *a_name,
		 const struct kt_ids *a, const char *b_name,
		 const struct kt_ids *b);

/*
 * What one thread saw, taken in that thread (raw-safe): its thread
 * pointer (arch_prctl), the syscalls, the vDSO accessors, the
 * errno_location pointer, and a copy of the area at @area (if not NULL).
 */
struct kt_snap {
	unsigned long fs;
	struct kt_ids sys;
	struct kt_ids vdso;
	bool vdso_done;
	int *errno_loc;
	const struct ktls_area *area;
	__u64 area_owner;
	__u64 key;		/* the taker's address space's key */
	long offset;		/* its registered offset (0: none) */
	__u64 vdso_tp;	/* the thread pointer the vDSO reads (0: none) */
	struct kt_ids area_ids;
	__s32 area_errno;
	bool taken;
};

void kt_snap_take(struct kt_snap *s, const struct ktls_area *area);

enum kt_expect {
	/* The thread owns a valid area at s->area. */
	KT_EXPECT_AREA,
	/* The thread has no area; the memory at s->area is its own TCB's. */
	KT_EXPECT_NO_AREA,
	/* No area, and s->area is not to be judged (bogus TP). */
	KT_EXPECT_NONE,
	/*
	 * A task sharing another thread's thread pointer and memory (vfork
	 * child, CLONE_VM child without CLONE_SETTLS), s->area being that
	 * thread's area: it must not validate; errno_location is that slot.
	 */
	KT_EXPECT_SHARER,
	/* The owner of that area while the sharer lives: the same. */
	KT_EXPECT_AREA_SHARED,
};

/*
 * Check a snapshot: the vDSO accessors equal the syscalls (when the vDSO
 * has them); with KT_EXPECT_AREA, the area's owner word is the thread
 * pointer ^ key and its ids equal the syscalls; otherwise (but
 * KT_EXPECT_NONE) the owner word does not validate.  errno_location is
 * the slot at the thread pointer plus the offset (NULL without an offset;
 * it may be NULL where s->area is not that slot's area, as the slot may
 * be unmapped).  Mismatches are printed with @who.
 */
bool kt_snap_check(const struct kt_snap *s, enum kt_expect e,
		   const char *who);

/* ---- the main thread's area ---- */

extern __thread struct ktls_area kt_tls_area
	__attribute__((tls_model("initial-exec")));
/* The static TLS offset of kt_tls_area (valid after kt_require()). */
extern long kt_offset;
/*
 * Raw-safe: the calling address space's key (struct vdso_ktls_data::key,
 * read from the vvar page; 0 without an offset or without the KTLS vDSO):
 * a valid area's owner word is its thread pointer ^ key.  A fork child
 * has a key of its own.
 */
__u64 kt_key(void);
/* Raw-safe: @area's owner word validates for thread pointer @tp. */
bool kt_area_valid(const struct ktls_area *area, unsigned long tp);
/*
 * Raw-safe, only when kt_vdso_ok: the vDSO serves the calling thread
 * from @area (its fast path): a sentinel written to area->tid comes back
 * from __vdso_ktls_gettid().  The tid is restored.
 */
bool kt_fast_path(struct ktls_area *area);

/* %fs:0, the TCB's self pointer (x86-64 psABI): glibc's thread pointer. */
static inline unsigned long kt_tp(void)
{
	unsigned long tp;

	__asm__ ("mov %%fs:0, %0" : "=r" (tp));
	return tp;
}

/* Offset of kt_tls_area from the thread pointer (same in each pthread). */
long kt_static_offset(void);

/*
 * Skip the whole program (ksft_exit_skip) unless the kernel supports KTLS.
 * Fills @layout (may be NULL) from GET_LAYOUT.
 */
void kt_require(struct ktls_layout *layout);
/*
 * For kselftest_harness fixtures: NULL where the kernel and its vDSO have
 * KTLS, after kt_require() and registering kt_static_offset() for the
 * process and the calling thread (the program fails if the kernel
 * refuses); else, with nothing set up, why not.
 */
const char *kt_setup_or_why(void);
/*
 * Skip the whole program (a TAP header and "1..0 # SKIP", exit 4) unless
 * the kernel has KTLS and the vDSO its accessors.  Registers nothing.
 * Makes stdout line-buffered (the harness _exit()s each test's process).
 */
void kt_require_vdso(void);

/*
 * For kselftest_harness.h programs.  Its 6.1 version runs the test body
 * even after SKIP() in FIXTURE_SETUP: leave the test's process instead,
 * which the harness reports as a skip (exit 255).
 */
#define KT_SKIP_SETUP(fmt, ...)	SKIP(_exit(255), fmt, ##__VA_ARGS__)

/* ---- raw threads ---- */

struct kt_thread;
typedef int (*kt_thread_fn)(struct kt_thread *t);

struct kt_thread {
	/* Set by kt_thread_prepare(); set_tid: 0, or clone3's set_tid. */
	pid_t set_tid;
	char *map;
	size_t map_len;
	char *stack;
	size_t stack_size;
	unsigned long tls;		/* the fake TCB: default clone tls */
	struct ktls_area *area;		/* tls + kt_offset */
	/*
	 * Set by kt_thread_spawn().  ctid and done are shared with
	 * other threads (and the kernel): they are only accessed through
	 * __atomic builtins or the futex helpers above.
	 */
	int ctid;			/* PARENT_SETTID / CHILD_CLEARTID */
	long tid;			/* spawn result */
	kt_thread_fn fn;
	void *arg;
	int ret;			/* fn's return value (in the thread) */
	int done;			/* fn returned */
};

#define KT_PREP_SHARED	0x1	/* MAP_SHARED (visible across fork) */

/*
 * Map a stack and a TLS block: a fake TCB at t->tls (page aligned, first
 * word its own address) with t->area = t->tls + kt_offset inside the
 * block, on a page of its own.  Returns 0 or -errno.
 */
int kt_thread_prepare(struct kt_thread *t, unsigned int prep);
/*
 * Raw-safe: clone3(@flags, tls = @tls, exit_signal = @sig) running
 * fn(t) on t's stack; parent_tid and child_tid both point to t->ctid.
 * Returns the new tid or -errno.
 */
long kt_thread_spawn(struct kt_thread *t, __u64 flags,
		     unsigned long tls, int sig, kt_thread_fn fn,
		     void *arg);
/* Raw-safe: kt_thread_spawn(), then kt_thread_join() if it started. */
long kt_thread_run(struct kt_thread *t, __u64 flags, unsigned long tls,
		   kt_thread_fn fn, void *arg);
/* A thread function (raw-safe): kt_snap_take(t->arg, t->area). */
int kt_thread_snap(struct kt_thread *t);
/* prepare + spawn a KTLS thread (KT_THREAD_FLAGS|CLONE_KTLS). */
long kt_thread_start(struct kt_thread *t, kt_thread_fn fn, void *arg);
/* Raw-safe: wait until the thread has exited (CHILD_CLEARTID). */
void kt_thread_join(struct kt_thread *t);
void kt_thread_free(struct kt_thread *t);

/* ---- processes ---- */

/* mmap(MAP_SHARED|MAP_ANONYMOUS), zeroed; exits the program on failure. */
void *kt_shared_alloc(size_t size);
/*
 * fork(); the child does _exit(fn(arg)) (after flushing stdout); returns
 * the wait status, and sets kt_last_child to the child's pid.
 */
int kt_fork_run(int (*fn)(void *arg), void *arg);
extern pid_t kt_last_child;
/* kt_fork_run(): the child's exit code, or -1 (printed) if it was killed. */
int kt_fork_exit_code(int (*fn)(void *arg), void *arg);
/*
 * The first mapping of /proc/self/maps whose line holds @name ("[vdso]"):
 * its start (0: none) and, if @end, its end.
 */
unsigned long kt_find_mapping(const char *name, unsigned long *end);
/* "exit 3", "killed by SIGSEGV", ... */
const char *kt_status_str(int status);
/* "0", "-EINVAL", "4242" ... (rotating static buffers) */
const char *kt_ret_str(long ret);
const char *kt_errname(int err);

/* ---- checks without output (raw-safe) ---- */

/* What kt_snap_bad() found wrong, as bits. */
enum {
	KT_BAD_NOSNAP	= 1 << 0,	/* no snapshot was taken */
	KT_BAD_VDSO	= 1 << 1,	/* a vDSO accessor != its syscall */
	KT_BAD_NOAREA	= 1 << 2,	/* own area expected, no address */
	KT_BAD_TP	= 1 << 3,	/* own area's owner != tp ^ key */
	KT_BAD_IDS	= 1 << 4,	/* own area's ids != the syscalls */
	KT_BAD_CLAIM	= 1 << 5,	/* no area, yet the owner word validates */
	KT_BAD_ERRNO	= 1 << 6,	/* errno_location() not as expected */
};

/*
 * The checks of kt_snap_check(), without printing (raw-safe, so that
 * a raw thread or a child on a fake TCB can judge itself): 0 when the
 * snapshot is right, else KT_BAD_* bits.
 */
unsigned int kt_snap_bad(const struct kt_snap *s, enum kt_expect e);
/* "vdso!=syscalls,..." for KT_BAD_* bits (rotating static buffers). */
const char *kt_bad_str(unsigned int bad);
/* @names[i] for each bit i < @n of @bits, ","-separated; others in hex. */
const char *kt_bits_str(unsigned int bits, const char *const *names,
			unsigned int n);

/* ---- the FS base ---- */

/* The CPU and kernel let user space use RDFSBASE/WRFSBASE (HWCAP2). */
bool kt_have_fsgsbase(void);
/* Raw-safe; only when kt_have_fsgsbase().  The kernel is not told. */
static inline KT_NOSSP void kt_wrfsbase(unsigned long fs)
{
	__asm__ volatile ("wrfsbase %0" : : "r" (fs) : "memory");
}

/* ---- the exec'd image ---- */

/* What kt_exec_image_check() found wrong, as bits (an exit status). */
enum {
	KT_EXEC_OFFSET	= 1 << 0,	/* GET_LAYOUT failed or offset != 0 */
	KT_EXEC_ACCESSORS	= 1 << 1,	/* vDSO != syscalls, errno_location set */
	KT_EXEC_REGISTER	= 1 << 2,	/* REGISTER did not return -ENOENT */
	KT_EXEC_TID		= 1 << 3,	/* gettid != getpid */
	KT_EXEC_PID		= 1 << 4,	/* getpid != the pid expected */
	KT_EXEC_FRESH		= 1 << 5,	/* SET_OFFSET + REGISTER afresh failed */
};

/*
 * Run in a freshly exec'd image: no offset, no area, vDSO == syscalls,
 * errno_location NULL, REGISTER -ENOENT, gettid == getpid (== @pid when
 * @pid > 0), and a fresh SET_OFFSET + REGISTER works.  Prints what is
 * wrong; returns KT_EXEC_* bits (0: all right).
 */
int kt_exec_image_check(long pid);
/* "all right" or the names of KT_EXEC_* bits of an exit status. */
const char *kt_exec_bits_str(int bits);

#ifdef __KSELFTEST_HARNESS_H
/*
 * For kselftest_harness.h tests: expect snapshot @s to be as @e says
 * (kt_snap_check() logs what differs), and the same for a snapshot of
 * the calling thread's kt_tls_area.
 */
static inline void kt_expect_snap(struct __test_metadata *_metadata,
				  const struct kt_snap *s, enum kt_expect e,
				  const char *who)
{
	EXPECT_TRUE(kt_snap_check(s, e, who)) TH_LOG("%s", who);
}

static inline void kt_expect_self(struct __test_metadata *_metadata,
				  enum kt_expect e, const char *who)
{
	struct kt_snap s;

	kt_snap_take(&s, &kt_tls_area);
	kt_expect_snap(_metadata, &s, e, who);
}

/* A FIXTURE_SETUP's kt_setup_or_why(), the test skipped if it says why. */
static inline void kt_setup_or_skip(struct __test_metadata *_metadata)
{
	const char *why = kt_setup_or_why();

	if (why)
		KT_SKIP_SETUP("%s", why);
}

/* Wait status @st is exit 0; else log @who and what it is. */
static inline void kt_expect_exit0(struct __test_metadata *_metadata,
				   int st, const char *who)
{
	EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st))
		TH_LOG("%s: %s", who, kt_status_str(st));
}
#endif /* __KSELFTEST_HARNESS_H */

#endif /* KT_UTIL_H */
