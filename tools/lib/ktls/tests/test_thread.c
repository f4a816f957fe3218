// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ktls_pthread_create(): the threads are whole C library threads (stdio,
 * malloc, __thread initial values, mutexes, cancellation, C++ exceptions
 * in the C++ build), with their own IDs, and the function keeps
 * pthread_create()'s contract: return values, attributes, errno values on
 * failure, errno untouched.  Linked with libktls.so (and in the sanitizer
 * builds with its sources: ASan's leak check covers the start block,
 * which the thread or the failure path must free).  On a kernel without
 * KTLS the thread's registration fails with -ENOTSUP and it runs on the
 * system calls; the KTLS path is checked by test_register's flow.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef __cplusplus
#include <stdexcept>
#endif

#include "common.h"

#define NR_THREADS	8
#define MALLOC_LOOPS	2000

/* A __thread variable with a non-zero initializer: 4242 in every thread. */
static __thread int tls_init = 4242;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t barrier;
static int shared_counter;
static pid_t main_tid;

struct worker {
	int index;
	pid_t tid;		/* ktls_gettid() */
	pid_t sys_tid;		/* syscall(SYS_gettid) */
	int tls_seen;		/* tls_init on entry */
	char text[32];		/* snprintf()'d */
	int malloc_bad;		/* heap blocks that lost their contents */
	int caught;		/* C++: the exception came back */
};

static void *worker_fn(void *arg)
{
	struct worker *w = (struct worker *)arg;
	int i;

	w->tls_seen = tls_init;
	tls_init = w->index;	/* each thread's own copy */
	w->tid = ktls_gettid();
	w->sys_tid = syscall(SYS_gettid);
	snprintf(w->text, sizeof(w->text), "thread %d tid %d", w->index,
		 (int)w->tid);

	pthread_barrier_wait(&barrier);
	for (i = 0; i < MALLOC_LOOPS; i++) {
		size_t len = 16 + (i * 37 + w->index * 101) % 4000;
		unsigned char *p = (unsigned char *)malloc(len);

		if (!p) {
			w->malloc_bad++;
			continue;
		}
		memset(p, w->index, len);
		w->malloc_bad += p[0] != w->index || p[len - 1] != w->index;
		free(p);

		pthread_mutex_lock(&lock);
		shared_counter++;
		pthread_mutex_unlock(&lock);
	}
#ifdef __cplusplus
	try {
		throw std::runtime_error("thrown in a ktls_pthread_create thread");
	} catch (const std::runtime_error &e) {
		w->caught = strstr(e.what(), "ktls_pthread_create") != NULL;
	}
#else
	w->caught = 1;
#endif
	if (tls_init != w->index)	/* nobody else wrote our copy */
		w->malloc_bad++;
	return (void *)(intptr_t)(w->index * 3 + 1);
}

/*
 * NR_THREADS threads, all running at once (a barrier with the main
 * thread), while the main thread mallocs too.  Expected, per thread: the
 * join value index * 3 + 1; tls_init 4242 on entry; ktls_gettid() equal
 * to syscall(SYS_gettid), not the main thread's and not another's;
 * snprintf() wrote "thread <i> tid <tid>"; every heap block kept its
 * bytes; the C++ exception was caught.  The mutex-protected counter ends
 * at NR_THREADS * MALLOC_LOOPS.
 */
static void test_workers(void **state)
{
	struct worker w[NR_THREADS];
	pthread_t th[NR_THREADS];
	char expect[32];
	void *ret;
	int i, j, main_bad = 0;

	(void)state;
	memset(w, 0, sizeof(w));
	shared_counter = 0;
	assert_int_equal(pthread_barrier_init(&barrier, NULL,
					      NR_THREADS + 1), 0);
	for (i = 0; i < NR_THREADS; i++) {
		w[i].index = i + 1;
		assert_int_equal(ktls_pthread_create(&th[i], NULL, worker_fn,
						     &w[i]), 0);
	}
	pthread_barrier_wait(&barrier);
	for (i = 0; i < MALLOC_LOOPS; i++) {
		char *p = (char *)malloc(100 + i);

		assert_non_null(p);
		memset(p, 0x5a, 100 + i);
		main_bad += p[99 + i] != 0x5a;
		free(p);
	}
	for (i = 0; i < NR_THREADS; i++) {
		assert_int_equal(pthread_join(th[i], &ret), 0);
		assert_int_equal((intptr_t)ret, w[i].index * 3 + 1);
	}
	assert_int_equal(pthread_barrier_destroy(&barrier), 0);
	assert_int_equal(main_bad, 0);
	assert_int_equal(shared_counter, NR_THREADS * MALLOC_LOOPS);
	assert_int_equal(tls_init, 4242);	/* the main thread's copy */
	for (i = 0; i < NR_THREADS; i++) {
		assert_int_equal(w[i].tls_seen, 4242);
		assert_int_equal(w[i].tid, w[i].sys_tid);
		assert_int_not_equal(w[i].tid, main_tid);
		snprintf(expect, sizeof(expect), "thread %d tid %d",
			 w[i].index, (int)w[i].sys_tid);
		assert_string_equal(w[i].text, expect);
		assert_int_equal(w[i].malloc_bad, 0);
		assert_true(w[i].caught);
		for (j = i + 1; j < NR_THREADS; j++)
			assert_int_not_equal(w[i].tid, w[j].tid);
	}
}

/* Uses about @kib KiB of stack. */
static unsigned long __attribute__((noinline)) dig(unsigned long kib)
{
	volatile char buf[1024];

	buf[0] = (char)kib;
	if (!kib)
		return buf[0];
	return dig(kib - 1) + buf[0] + 1;
}

static void *stack_fn(void *arg)
{
	size_t *size = (size_t *)arg;
	pthread_attr_t attr;
	void *addr;

	if (pthread_getattr_np(pthread_self(), &attr) ||
	    pthread_attr_getstack(&attr, &addr, size))
		*size = 0;
	pthread_attr_destroy(&attr);
	/* 3 MiB of frames */
	return (void *)(uintptr_t)dig(3 * 1024);
}

/*
 * An attr with a custom stack size of 8 MiB.  Expected: the thread's
 * stack (pthread_getattr_np()) is at least that large, 3 MiB of frames
 * run in it, and the join value is what the same dig() gives in the main
 * thread.
 */
static void test_stack_size(void **state)
{
	const size_t want = 8 << 20;
	pthread_attr_t attr;
	size_t got = 0;
	pthread_t th;
	void *ret;

	(void)state;
	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(pthread_attr_setstacksize(&attr, want), 0);
	assert_int_equal(ktls_pthread_create(&th, &attr, stack_fn, &got), 0);
	assert_int_equal(pthread_attr_destroy(&attr), 0);
	assert_int_equal(pthread_join(th, &ret), 0);
	assert_true(got >= want);
	assert_int_equal((uintptr_t)ret, dig(3 * 1024));
}

static void *never_fn(void *arg)
{
	*(int *)arg = 1;
	return NULL;
}

/*
 * pthread_create() fails: an attr with an absurd stack size (2^60
 * bytes, which no mmap() gives).  Expected: EAGAIN, as pthread_create()
 * returns; errno unchanged; the start routine never runs; nothing leaked
 * (ASan's leak check in the sanitizer build).  The same attr with
 * pthread_create() itself returns the same value.
 */
static void test_create_fails(void **state)
{
	pthread_attr_t attr;
	pthread_t th;
	int ran = 0, ret, libc_ret;

	(void)state;
	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(pthread_attr_setstacksize(&attr, (size_t)1 << 60),
			 0);
	libc_ret = pthread_create(&th, &attr, never_fn, &ran);
	errno = 4242;
	ret = ktls_pthread_create(&th, &attr, never_fn, &ran);
	assert_int_equal(errno, 4242);
	assert_int_equal(pthread_attr_destroy(&attr), 0);
	assert_int_equal(ret, EAGAIN);
	assert_int_equal(ret, libc_ret);
	assert_int_equal(ran, 0);
}

/*
 * An attr whose success depends on privilege: PTHREAD_EXPLICIT_SCHED with
 * SCHED_FIFO.  Expected: what pthread_create() returns for the same attr
 * (EPERM without CAP_SYS_NICE, else 0 and the thread runs), and no start
 * block leaked either way.
 */
static void test_create_same_errors(void **state)
{
	struct sched_param param = { 0 };
	pthread_attr_t attr;
	pthread_t th;
	int ran = 0, ret, libc_ret;

	(void)state;
	param.sched_priority = sched_get_priority_min(SCHED_FIFO);
	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(pthread_attr_setinheritsched(&attr,
						      PTHREAD_EXPLICIT_SCHED),
			 0);
	assert_int_equal(pthread_attr_setschedpolicy(&attr, SCHED_FIFO), 0);
	assert_int_equal(pthread_attr_setschedparam(&attr, &param), 0);
	libc_ret = pthread_create(&th, &attr, never_fn, &ran);
	if (!libc_ret)
		assert_int_equal(pthread_join(th, NULL), 0);
	ret = ktls_pthread_create(&th, &attr, never_fn, &ran);
	if (!ret)
		assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(pthread_attr_destroy(&attr), 0);
	assert_int_equal(ret, libc_ret);
	assert_int_equal(ran, libc_ret ? 0 : 1);
}

/*
 * NULL arguments.  Expected: EINVAL for a NULL thread handle and for a
 * NULL start routine, on every kernel and whoever registered, and no
 * thread started.
 */
static void test_create_null(void **state)
{
	int ran = 0;
	pthread_t th;

	(void)state;
	assert_int_equal(ktls_pthread_create(NULL, NULL, never_fn, &ran), EINVAL);
	assert_int_equal(ktls_pthread_create(&th, NULL, NULL, &ran), EINVAL);
	assert_int_equal(ran, 0);
}

static void *exit_fn(void *arg)
{
	pthread_exit(arg);
	return NULL;
}

/*
 * pthread_exit() in the start routine.  Expected: its value comes back
 * from pthread_join().
 */
static void test_pthread_exit(void **state)
{
	static int token;
	pthread_t th;
	void *ret = NULL;

	(void)state;
	assert_int_equal(ktls_pthread_create(&th, NULL, exit_fn, &token), 0);
	assert_int_equal(pthread_join(th, &ret), 0);
	assert_ptr_equal(ret, &token);
}

static void *cancel_fn(void *arg)
{
	int *fds = (int *)arg;
	char c;

	/* read() is a cancellation point; nothing is ever written */
	for (;;)
		if (read(fds[0], &c, 1) >= 0)
			break;
	return NULL;
}

/*
 * Deferred cancellation of a thread blocked in read().  Expected:
 * pthread_join() returns PTHREAD_CANCELED.
 */
static void test_cancel(void **state)
{
	int fds[2];
	pthread_t th;
	void *ret = NULL;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(ktls_pthread_create(&th, NULL, cancel_fn, fds), 0);
	assert_int_equal(pthread_cancel(th), 0);
	assert_int_equal(pthread_join(th, &ret), 0);
	assert_ptr_equal(ret, PTHREAD_CANCELED);
	close(fds[0]);
	close(fds[1]);
}

static int detached_done;

static void *detached_fn(void *arg)
{
	(void)arg;
	__atomic_store_n(&detached_done, ktls_gettid() ==
			 (pid_t)syscall(SYS_gettid) ? 1 : 2,
			 __ATOMIC_RELEASE);
	return NULL;
}

/*
 * A detached thread (attr PTHREAD_CREATE_DETACHED): it runs, frees its
 * own start block (ASan's leak check).  Expected: it reports 1 (its
 * ktls_gettid() was its TID) within 10 seconds.
 */
static void test_detached(void **state)
{
	pthread_attr_t attr;
	pthread_t th;
	int i, done = 0;

	(void)state;
	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(pthread_attr_setdetachstate(&attr,
						     PTHREAD_CREATE_DETACHED),
			 0);
	assert_int_equal(ktls_pthread_create(&th, &attr, detached_fn, NULL),
			 0);
	assert_int_equal(pthread_attr_destroy(&attr), 0);
	for (i = 0; i < 10000 && !done; i++) {
		done = __atomic_load_n(&detached_done, __ATOMIC_ACQUIRE);
		if (!done)
			usleep(1000);
	}
	assert_int_equal(done, 1);
}

static void *tid_fn(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)(ktls_gettid() == (pid_t)syscall(SYS_gettid));
}

/*
 * Create and join 300 threads one after another: nothing leaks or
 * lingers (ASan), and each has its TID.  Expected: every join value 1.
 */
static void test_churn(void **state)
{
	pthread_t th;
	void *ret;
	int i;

	(void)state;
	for (i = 0; i < 300; i++) {
		assert_int_equal(ktls_pthread_create(&th, NULL, tid_fn, NULL),
				 0);
		assert_int_equal(pthread_join(th, &ret), 0);
		assert_int_equal((intptr_t)ret, 1);
	}
}

/*
 * ktls_pthread_create() leaves errno alone on success, as every libktls
 * function does.  Expected: errno still 4242 after a create and a join.
 */
static void test_errno_untouched(void **state)
{
	pthread_t th;

	(void)state;
	errno = 4242;
	assert_int_equal(ktls_pthread_create(&th, NULL, tid_fn, NULL), 0);
	assert_int_equal(errno, 4242);
	assert_int_equal(pthread_join(th, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_workers),
		cmocka_unit_test(test_stack_size),
		cmocka_unit_test(test_create_fails),
		cmocka_unit_test(test_create_same_errors),
		cmocka_unit_test(test_create_null),
		cmocka_unit_test(test_pthread_exit),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_detached),
		cmocka_unit_test(test_churn),
		cmocka_unit_test(test_errno_untouched),
	};

	main_tid = syscall(SYS_gettid);
	return cmocka_run_group_tests_name("ktls_pthread", tests, NULL, NULL);
}
