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
 * thread group's registered offset stays 0.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/prctl.h>

#include "common.h"

#ifndef LIBC_SIZE
#define LIBC_SIZE 64
#endif

/* An offset no real area has: above the TCB, a multiple of 64. */
#define LIBC_OFFSET 0x740

__attribute__((visibility("default"))) const unsigned int __ktls_size =
	LIBC_SIZE;
__attribute__((visibility("default"))) const ptrdiff_t __ktls_offset =
	LIBC_OFFSET;

static __thread char own_tls __attribute__((tls_model("initial-exec")));

static bool kernel_has_ktls(void)
{
	struct ktls_layout layout;

	return !prctl(0x4b544c53 /* PR_KTLS */, 1 /* GET_LAYOUT */,
		      (unsigned long)&layout, sizeof(layout), 0UL);
}

/* The C library registered: its offset, no registration of libktls's. */
static void test_defers(void **state)
{
	ptrdiff_t registered = -1;

	(void)state;
	if (!LIBC_SIZE)
		skip();
	assert_int_equal(ktls_offset(), LIBC_OFFSET);
	assert_true(ktls_features() & KTLS_FEATURE_LIBC);
	/* Nothing to register: 0 on every kernel, no prctl made. */
	assert_int_equal(ktls_set_offset(), 0);
	if (kernel_has_ktls()) {
		assert_int_equal(ktls_registered_offset(&registered), 0);
		assert_int_equal(registered, 0);
	} else {
		assert_int_equal(ktls_registered_offset(&registered),
				 -ENOTSUP);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defers),
		cmocka_unit_test(test_own_area),
	};

	return cmocka_run_group_tests_name(LIBC_SIZE ? "ktls_libc" :
					   "ktls_libc_off", tests, NULL, NULL);
}
