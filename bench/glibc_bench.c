// SPDX-License-Identifier: GPL-2.0
/*
 * glibc's ID calls and thread creation, timed in one process: gettid(),
 * getpid(), getuid(), the raw getpid system call, pthread_create() +
 * pthread_join(), and libktls's ktls_pthread_create() + pthread_join().
 * Run under the KTLS glibc with KTLS on and with
 * GLIBC_TUNABLES=glibc.pthread.ktls=0, and under the stock glibc
 * (tests/glibc/programs.sh), the rows compare the vDSO fast path with the
 * system call, and thread creation with and without CLONE_KTLS.  The
 * ktls_pthread_create row is libktls's thread path: under the KTLS glibc
 * with KTLS on libktls defers to glibc and it is pthread_create() with
 * CLONE_KTLS; elsewhere it is libktls's start routine that registers the
 * new thread's area (one prctl() in the thread), on the kernel's KTLS.
 * That row runs in a child process, after ktls_setup().
 *
 * Each row is the median over 9 rounds of the time per call of a batch
 * calibrated to 2 ms or 50 ticks of CLOCK_MONOTONIC, whichever is longer
 * (a guest without a usable TSC counts in jiffies).  Output:
 * "row <name> <ns>" lines.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ktls/ktls.h>

#define ROUNDS 9

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static volatile long sink;

static void op_gettid(long n) { while (n--) sink = gettid(); }
static void op_getpid(long n) { while (n--) sink = getpid(); }
static void op_getuid(long n) { while (n--) sink = getuid(); }
static void op_sys_getpid(long n) { while (n--) sink = syscall(SYS_getpid); }

static void *thread_fn(void *arg)
{
	sink = gettid();
	return arg;
}

static void op_thread(long n)
{
	while (n--) {
		pthread_t t;

		if (pthread_create(&t, NULL, thread_fn, NULL) ||
		    pthread_join(t, NULL)) {
			perror("pthread_create");
			exit(1);
		}
	}
}

static void op_ktls_thread(long n)
{
	while (n--) {
		pthread_t t;
		int err = ktls_pthread_create(&t, NULL, thread_fn, NULL);

		if (err || pthread_join(t, NULL)) {
			fprintf(stderr, "ktls_pthread_create: error %d\n", err);
			exit(1);
		}
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double batch_ns;

static void row(const char *name, void (*op)(long))
{
	double s[ROUNDS], t;
	long n = 1;

	for (;;) {
		t = now_ns();
		op(n);
		t = now_ns() - t;
		if (t > batch_ns || n > (1L << 30))
			break;
		n *= 2;
	}
	for (int i = 0; i < ROUNDS; i++) {
		t = now_ns();
		op(n);
		s[i] = (now_ns() - t) / n;
	}
	qsort(s, ROUNDS, sizeof(s[0]), cmp);
	printf("row %s %.2f\n", name, s[ROUNDS / 2]);
}

int main(void)
{
	struct timespec res;
	int status;
	pid_t child;
	clock_getres(CLOCK_MONOTONIC, &res);
	batch_ns = 50.0 * (res.tv_sec * 1e9 + res.tv_nsec);
	if (batch_ns < 2e6)
		batch_ns = 2e6;
	row("gettid", op_gettid);
	row("getpid", op_getpid);
	row("getuid", op_getuid);
	row("syscall(getpid)", op_sys_getpid);
	row("pthread_create+join", op_thread);
	/*
	 * libktls registers its own offset and area where glibc did not, and
	 * glibc's ID calls would then read it through the vDSO: a child of
	 * its own, so that the rows above stay what they measure.
	 */
	fflush(stdout);
	child = fork();
	if (child == 0) {
		int setup = ktls_setup();

		printf("# ktls_setup() %d, ktls_features() %#x\n", setup,
		       ktls_features());
		row("ktls_pthread_create+join", op_ktls_thread);
		fflush(stdout);
		_exit(0);
	}
	if (child < 0 || waitpid(child, &status, 0) != child ||
	    !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "ktls_pthread_create row: child failed\n");
		return 1;
	}
	return 0;
}
