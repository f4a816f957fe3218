// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Identity accessors: each ktls_*() equals its system call in the main
 * thread, in pthreads, in a forked child, in a signal handler and before
 * libktls's constructor, whether it runs the vDSO function or the
 * fallback.  Built twice: the inline accessors of <ktls/ktls.h>
 * (test_ids), and with KTLS_NO_INLINE the exported functions
 * (test_ids_noinline).
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/auxv.h>
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

/*
 * Before libktls's constructor has resolved anything: in the static
 * (sanitizer) builds this constructor runs first, having a priority; in
 * the shared ones libktls's runs first.  Either way the accessors must
 * agree with their system calls.  Expected: 0 mismatches.
 */
static int early_mismatches = -1;

__attribute__((constructor(101)))
static void early(void)
{
	early_mismatches = id_mismatches();
}

static void test_before_constructor(void **state)
{
	(void)state;
	assert_int_equal(early_mismatches, 0);
}

/*
 * Main thread: every accessor equals its system call, and the TID is the
 * PID.  In the inline build the exported function, as a dlsym() user
 * calls it, gives the same TID (when the program sees the symbol).
 */
static void test_main_thread(void **state)
{
	(void)state;
	assert_int_equal(id_mismatches(), 0);
	assert_int_equal(ktls_gettid(), ktls_getpid());
#ifndef KTLS_NO_INLINE
	{
		pid_t (*fn)(void) = (pid_t (*)(void))dlsym(RTLD_DEFAULT,
							   "ktls_gettid");

		if (fn)
			assert_int_equal(fn(), ktls_gettid());
	}
#endif
}

static void *thread_fn(void *arg)
{
	int *bad = (int *)arg;

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
	int *bad = (int *)arg, i;

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
	struct sigaction sa, old;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
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

#ifndef KTLS_NO_INLINE
/*
 * The table behind the inline accessors.  Expected: with the vDSO
 * functions, each entry is the one glibc's dynamic linker finds; without,
 * each entry is set and none points into the vDSO.
 */
static void check_entry(void *vdso, const char *name, void *entry, bool in)
{
	const void *base = (const void *)getauxval(AT_SYSINFO_EHDR);
	Dl_info info;

	assert_non_null(entry);
	if (in) {
		assert_ptr_equal(entry, dlvsym(vdso, name, KTLS_VDSO_VERSION));
		return;
	}
	assert_null(dlvsym(vdso, name, KTLS_VDSO_VERSION));
	assert_true(dladdr(entry, &info));
	assert_ptr_not_equal(info.dli_fbase, base);
}

#define CHECK_ENTRY(name)						\
	check_entry(vdso, "__vdso_ktls_" #name,				\
		    (void *)ktls_accessors.name, in)

static void check_table(void *vdso, bool in)
{
	size_t i;

	CHECK_ENTRY(gettid);
	CHECK_ENTRY(getpid);
	CHECK_ENTRY(getuid);
	CHECK_ENTRY(geteuid);
	CHECK_ENTRY(getgid);
	CHECK_ENTRY(getegid);
	CHECK_ENTRY(errno_location);
	for (i = 0; i < ARRAY_SIZE(ktls_accessors.reserved); i++)
		assert_null((void *)ktls_accessors.reserved[i]);
}
#endif

/*
 * The feature bits agree with what the vDSO exports, asked of glibc's
 * dynamic linker (linux-vdso.so.1) rather than of libktls's own lookup.
 * Expected: KTLS_FEATURE_VDSO exactly when __vdso_ktls_gettid is there;
 * without it ktls_errno_location() is NULL.
 */
static void test_features(void **state)
{
	unsigned int features = ktls_features();
	void *vdso = dlopen("linux-vdso.so.1", RTLD_NOW | RTLD_NOLOAD);
	void *sym;

	(void)state;
	print_message("# ktls_features() = %#x: %s vDSO, %s kernel\n",
		      features,
		      features & KTLS_FEATURE_VDSO ? "KTLS" : "no KTLS",
		      features & KTLS_FEATURE_KERNEL ? "KTLS" : "no KTLS");
	assert_non_null(vdso);
	sym = dlvsym(vdso, "__vdso_ktls_gettid", KTLS_VDSO_VERSION);
	if (features & KTLS_FEATURE_VDSO) {
		assert_non_null(sym);
	} else {
		assert_null(sym);
		assert_null(ktls_errno_location());
	}
#ifndef KTLS_NO_INLINE
	check_table(vdso, features & KTLS_FEATURE_VDSO);
#endif
	dlclose(vdso);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_before_constructor),
		cmocka_unit_test(test_main_thread),
		cmocka_unit_test(test_pthread),
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_signal_handler),
		cmocka_unit_test(test_errno_untouched),
		cmocka_unit_test(test_features),
	};

#ifdef KTLS_NO_INLINE
	return cmocka_run_group_tests_name("ktls_ids_noinline", tests, NULL,
					   NULL);
#else
	return cmocka_run_group_tests_name("ktls_ids", tests, NULL, NULL);
#endif
}
