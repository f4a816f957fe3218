// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bench_wrapper: what libktls's dispatch costs on top of the function it
 * dispatches to.  Prints one table, ns per call (best of several runs);
 * there are no thresholds, it is not a test.
 *
 * Calls run back to back, so out-of-order execution hides part of any
 * wrapper: the numbers are an upper bound on what dispatch saves.
 *
 * Rows:
 *   syscall(SYS_gettid)          glibc's syscall() wrapper
 *   gettid, raw syscall          the syscall instruction, inline
 *   __vdso_ktls_gettid, pointer  the vDSO function through a pointer
 *                                (n/a when this kernel has none)
 *   ktls_gettid()                what a program that includes
 *                                <ktls/ktls.h> calls
 *   ktls_gettid, dlsym'd         the exported function through a pointer
 *                                from dlsym() (FFI users)
 *   stand-in, pointer            a pointer call to a function that only
 *                                returns: the floor of any dispatch
 *   ktls_errno_location()        on a kernel without KTLS the library
 *                                answers NULL itself: dispatch alone
 *   ktls_errno_location, dlsym'd the same through dlsym()
 *   pthread_create + join        a thread that returns at once, ns per
 *                                thread: no area
 *   ktls_pthread_create + join   the same with libktls's trampoline,
 *                                which registers the thread's area (one
 *                                prctl() in the thread) where the kernel
 *                                has KTLS
 *
 * It calls ktls_setup() first, so that on a KTLS kernel the main thread
 * has an area and ktls_gettid() takes the vDSO's fast path.
 * Where the vDSO has no KTLS function ktls_gettid() makes the system call,
 * so its row minus the raw syscall row is the dispatch cost, and the
 * ktls_errno_location() rows show it without a system call.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <ktls/ktls.h>

#define RUNS	7

static unsigned long iters;

#define SINK(x)	asm volatile ("" : : "r" (x) : "memory")

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static long raw_gettid(void)
{
	long ret;

	asm volatile ("syscall" : "=a" (ret) : "a" ((long)SYS_gettid)
		      : "rcx", "r11", "memory");
	return ret;
}

static __attribute__((noinline)) int *stand_in(void)
{
	asm volatile ("");
	return NULL;
}

/* The loop bodies: one call each, its result kept. */
#define BENCH_FN(name, expr)						\
static double name(void *p)						\
{									\
	double t0, t1;							\
	unsigned long i;						\
									\
	(void)p;							\
	t0 = now_ns();							\
	for (i = 0; i < iters; i++)					\
		SINK(expr);						\
	t1 = now_ns();							\
	return (t1 - t0) / iters;					\
}

typedef pid_t (*pid_fn)(void);
typedef int *(*ptr_fn)(void);

BENCH_FN(b_syscall, syscall(SYS_gettid))
BENCH_FN(b_raw, raw_gettid())
BENCH_FN(b_vdso, ((pid_fn)p)())
BENCH_FN(b_ktls_gettid, ktls_gettid())
BENCH_FN(b_dlsym_gettid, ((pid_fn)p)())
BENCH_FN(b_stand_in, ((ptr_fn)p)())
BENCH_FN(b_errno_location, ktls_errno_location())
BENCH_FN(b_dlsym_errno, ((ptr_fn)p)())

/* Best of RUNS runs of enough calls for about 20 ms each. */
static double measure(double (*fn)(void *), void *p)
{
	double best = 1e30, t;
	int r;

	iters = 1000;
	t = fn(p);
	iters = t > 0 ? 20e6 / t : 1000000;
	if (iters < 1000)
		iters = 1000;
	for (r = 0; r < RUNS; r++) {
		t = fn(p);
		if (t < best)
			best = t;
	}
	return best;
}

#define THREADS	100

static void *nop(void *arg)
{
	return arg;
}

/* ns per thread to create and join THREADS threads, one at a time. */
static double b_create(void *p)
{
	int (*create)(pthread_t *, const pthread_attr_t *,
		      void *(*)(void *), void *) = p;
	double t0, t1;
	pthread_t th;
	int i;

	t0 = now_ns();
	for (i = 0; i < THREADS; i++) {
		if (create(&th, NULL, nop, NULL) || pthread_join(th, NULL))
			return -1;
	}
	t1 = now_ns();
	return (t1 - t0) / THREADS;
}

static void row_create(const char *name, void *create)
{
	double best = 1e30, t;
	int r;

	for (r = 0; r < RUNS; r++) {
		t = b_create(create);
		if (t < 0) {
			printf("%-32s %10s\n", name, "failed");
			return;
		}
		if (t < best)
			best = t;
	}
	printf("%-32s %10.0f\n", name, best);
}

static void row(const char *name, double (*fn)(void *), void *p)
{

	if (!p && fn != b_syscall && fn != b_raw && fn != b_ktls_gettid &&
	    fn != b_errno_location) {
		printf("%-32s %10s\n", name, "n/a");
		return;
	}
	printf("%-32s %10.2f\n", name, measure(fn, p));
}

int main(void)
{
	void *vdso = dlopen("linux-vdso.so.1", RTLD_NOW | RTLD_NOLOAD);
	void *vdso_gettid = vdso ? dlvsym(vdso, "__vdso_ktls_gettid",
					  KTLS_VDSO_VERSION) : NULL;

	int setup = ktls_setup();

	printf("# libktls wrapper cost, ns/call, best of %d runs of ~20 ms"
	       "\n# ktls_setup() %d, features %#x\n", RUNS, setup,
	       ktls_features());
	printf("%-32s %10s\n", "call", "ns/call");
	row("syscall(SYS_gettid)", b_syscall, NULL);
	row("gettid, raw syscall", b_raw, NULL);
	row("__vdso_ktls_gettid, pointer", b_vdso, vdso_gettid);
	row("ktls_gettid()", b_ktls_gettid, NULL);
	row("ktls_gettid, dlsym'd", b_dlsym_gettid,
	    dlsym(RTLD_DEFAULT, "ktls_gettid"));
	row("stand-in, pointer", b_stand_in, (void *)stand_in);
	row("ktls_errno_location()", b_errno_location, NULL);
	row("ktls_errno_location, dlsym'd", b_dlsym_errno,
	    dlsym(RTLD_DEFAULT, "ktls_errno_location"));
	printf("%-32s %10s\n", "thread, best of 7 x 100", "ns/thread");
	row_create("pthread_create + join", (void *)pthread_create);
	row_create("ktls_pthread_create + join", (void *)ktls_pthread_create);
	return 0;
}
