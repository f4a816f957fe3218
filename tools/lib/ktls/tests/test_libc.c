// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Deference to the C library.  This program stands in for a C library
 * that exports its registration: it defines __ktls_offset and __ktls_size
 * and exports them (-rdynamic), so that libktls's load-time dlsym() finds
 * them as it finds glibc's.  Built twice:
 *
 *   test_libc        __ktls_size 64: the C library registered; libktls
 *                    must use its offset and register nothing
 *   test_libc_off    __ktls_size 0 (a C library with KTLS turned off, as
 *                    with glibc.pthread.ktls=0): libktls must use its own
 *                    area, as if the symbols were absent
 *
 * The oracle for "registers nothing" is the kernel: on a kernel without
 * KTLS any registration attempt returns -ENOTSUP, on a KTLS kernel the
 * thread group's registered offset stays 0.  For ktls_pthread_create()
 * it is a count: this program defines ktls_register_thread(), which
 * interposes on libktls's (-rdynamic; libktls.so calls it through its
 * PLT), counts and calls the real one.  test_libc_off checks that the
 * count does see libktls's calls.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"
#include "../src/uapi_compat.h"

#ifndef LIBC_SIZE
#define LIBC_SIZE 64
#endif

/* An offset no real area has: above the TCB, a multiple of 64. */
#define LIBC_OFFSET 0x740

/* C linkage and, in C++, not the internal linkage of a const. */
#ifdef __cplusplus
#define EXPORT	extern "C" __attribute__((visibility("default")))
#else
#define EXPORT	__attribute__((visibility("default")))
#endif

EXPORT const unsigned int __ktls_size = LIBC_SIZE;
EXPORT const ptrdiff_t __ktls_offset = LIBC_OFFSET;

static int register_calls;

/* Interposes on libktls's: counts, then calls it. */
int ktls_register_thread(void)
{
	int (*real)(void) = (int (*)(void))dlsym(RTLD_NEXT,
						 "ktls_register_thread");

	__atomic_fetch_add(&register_calls, 1, __ATOMIC_RELAXED);
	return real ? real() : -ENOSYS;
}

static __thread char own_tls __attribute__((tls_model("initial-exec")));

static bool kernel_has_ktls(void)
{
	struct ktls_layout layout;

	return !prctl(PR_KTLS, PR_KTLS_GET_LAYOUT,
		      (unsigned long)&layout, sizeof(layout), 0UL);
}

/*
 * The C library registered: its offset, no registration of libktls's.
 * Expected: ktls_offset() is LIBC_OFFSET, KTLS_FEATURE_LIBC is set,
 * ktls_set_offset() is 0, and the kernel's registered offset stays 0
 * (on a kernel without KTLS, the kernel rejects PR_KTLS altogether).
 */
static void test_defers(void **state)
{
	struct ktls_layout layout;

	(void)state;
	if (!LIBC_SIZE)
		skip();
	assert_int_equal(ktls_offset(), LIBC_OFFSET);
	assert_true(ktls_features() & KTLS_FEATURE_LIBC);
	/* Nothing to register: 0 on every kernel, no prctl made. */
	assert_int_equal(ktls_set_offset(), 0);
	if (kernel_has_ktls()) {
		assert_int_equal(prctl(PR_KTLS,
				       PR_KTLS_GET_LAYOUT,
				       (unsigned long)&layout, sizeof(layout),
				       0UL), 0);
		assert_int_equal(layout.offset, 0);
	}
}

/* __ktls_size 0: libktls's own area, as without the symbols. */
static void test_own_area(void **state)
{
	ptrdiff_t offset = ktls_offset();

	(void)state;
	if (LIBC_SIZE)
		skip();
	assert_false(ktls_features() & KTLS_FEATURE_LIBC);
	assert_int_not_equal(offset, LIBC_OFFSET);
	/* Static TLS, below the thread pointer like this program's own. */
	assert_true(offset < 0);
	assert_true((char *)&own_tls - (char *)__builtin_thread_pointer() < 0);
	assert_int_equal(ktls_set_offset(),
			 kernel_has_ktls() ? 0 : -ENOTSUP);
}

#define NR_THREADS	4

static void *thread_fn(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)(ktls_gettid() == (pid_t)syscall(SYS_gettid));
}

/*
 * NR_THREADS threads from ktls_pthread_create().  Expected: each runs
 * (join value 1: its ktls_gettid() is its TID), and ktls_register_thread()
 * was called 0 times when the C library registered (it is plain
 * pthread_create()), NR_THREADS times, once in each thread, when not.
 */
static void test_pthread_create(void **state)
{
	pthread_t th[NR_THREADS];
	void *ret;
	int i;

	(void)state;
	__atomic_store_n(&register_calls, 0, __ATOMIC_RELAXED);
	for (i = 0; i < NR_THREADS; i++)
		assert_int_equal(ktls_pthread_create(&th[i], NULL, thread_fn,
						     NULL), 0);
	for (i = 0; i < NR_THREADS; i++) {
		assert_int_equal(pthread_join(th[i], &ret), 0);
		assert_int_equal((intptr_t)ret, 1);
	}
	assert_int_equal(__atomic_load_n(&register_calls, __ATOMIC_RELAXED),
			 LIBC_SIZE ? 0 : NR_THREADS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defers),
		cmocka_unit_test(test_own_area),
		cmocka_unit_test(test_pthread_create),
	};

	return cmocka_run_group_tests_name(LIBC_SIZE ? "ktls_libc" :
					   "ktls_libc_off", tests, NULL, NULL);
}
