// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Identity accessors: each ktls_*() equals its system call in the main
 * thread, in pthreads, in a forked child and in a signal handler, whether
 * it runs the vDSO function or the fallback.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

/* Number of accessors that disagree with their system call. */
static int id_mismatches(void)
{
	int bad = 0;

	bad += ktls_gettid() != (pid_t)syscall(SYS_gettid);
	bad += ktls_getpid() != (pid_t)syscall(SYS_getpid);
	bad += ktls_getuid() != (uid_t)syscall(SYS_getuid);
	bad += ktls_geteuid() != (uid_t)syscall(SYS_geteuid);
	bad += ktls_getgid() != (gid_t)syscall(SYS_getgid);
	bad += ktls_getegid() != (gid_t)syscall(SYS_getegid);
	return bad;
}

static void test_main_thread(void **state)
{
	(void)state;
	assert_int_equal(id_mismatches(), 0);
	assert_int_equal(ktls_gettid(), ktls_getpid());
}

static void *thread_fn(void *arg)
{
	int *bad = arg;

	*bad = id_mismatches();
	if (ktls_gettid() == ktls_getpid())
		(*bad)++;
	return NULL;
}

static void test_pthread(void **state)
{
	pthread_t th;
	int bad = -1;

	(void)state;
	assert_int_equal(pthread_create(&th, NULL, thread_fn, &bad), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(bad, 0);
}

static void test_fork(void **state)
{
	pid_t parent = ktls_getpid(), child;
	int status;

	(void)state;
	child = fork();
	assert_true(child >= 0);
	if (!child)
		_exit(id_mismatches() + (ktls_getpid() == parent) +
		      (ktls_gettid() != getpid()));
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(ktls_getpid(), parent);
}

#define HAMMER_THREADS	8
#define HAMMER_LOOPS	20000

static void *hammer_fn(void *arg)
{
	pid_t tid = syscall(SYS_gettid), pid = syscall(SYS_getpid);
	int *bad = arg, i;

	for (i = 0; i < HAMMER_LOOPS; i++)
		*bad += ktls_gettid() != tid || ktls_getpid() != pid;
	return NULL;
}

static void test_concurrent(void **state)
{
	pthread_t th[HAMMER_THREADS];
	int bad[HAMMER_THREADS] = { 0 }, i;

	(void)state;
	for (i = 0; i < HAMMER_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, hammer_fn,
						&bad[i]), 0);
	for (i = 0; i < HAMMER_THREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(bad[i], 0);
	}
}

static volatile sig_atomic_t handler_bad = -1;

static void handler(int sig)
{
	(void)sig;
	handler_bad = id_mismatches();
}

static void test_signal_handler(void **state)
{
	struct sigaction sa = { .sa_handler = handler }, old;

	(void)state;
	assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
	assert_int_equal(raise(SIGUSR1), 0);
	assert_int_equal(sigaction(SIGUSR1, &old, NULL), 0);
	assert_int_equal(handler_bad, 0);
}

static void test_errno_untouched(void **state)
{
	(void)state;
	errno = 4242;
	id_mismatches();
	ktls_errno_location();
	ktls_features();
	assert_int_equal(errno, 4242);
}

/* The feature bits agree with what the vDSO exports. */
static void test_features(void **state)
{
	unsigned int features = ktls_features();
	void *addr;
	int ret;

	(void)state;
	print_message("# ktls_features() = %#x: %s vDSO, %s kernel\n",
		      features,
		      features & KTLS_FEATURE_VDSO ? "KTLS" : "no KTLS",
		      features & KTLS_FEATURE_KERNEL ? "KTLS" : "no KTLS");
	ret = ktls_vdso_sym("__vdso_ktls_gettid", KTLS_VDSO_VERSION, &addr);
	if (features & KTLS_FEATURE_VDSO) {
		assert_int_equal(ret, 0);
	} else {
		assert_int_equal(ret, -ENOENT);
		assert_null(ktls_errno_location());
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_main_thread),
		cmocka_unit_test(test_pthread),
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_signal_handler),
		cmocka_unit_test(test_errno_untouched),
		cmocka_unit_test(test_features),
	};

	return cmocka_run_group_tests_name("ktls_ids", tests, NULL, NULL);
}
