// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The thread machinery of ktls_thread_create() (stack, guard pages, TLS
 * block, TCB, signal mask, join), run without CLONE_KTLS through the
 * library's internal entry point so that it works on any kernel.  Linked
 * with libktls.a.  The thread functions use no C library state, only the
 * library's raw system calls.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>

#include "common.h"
#include "internal.h"

struct probe {
	pid_t parent_tid;
	pid_t tid;
	pid_t ktls_tid;
	pid_t ktls_pid;
	void *tp;
	void *tcb_self;
	uintptr_t canary;
	int area_zero;
	uint64_t sigmask;
	unsigned long depth;
};

/* Use about @depth KiB of stack. */
static unsigned long __attribute__((noinline)) dig(unsigned long depth)
{
	volatile char buf[1024];

	buf[0] = depth;
	if (!depth)
		return buf[0];
	return dig(depth - 1) + buf[0] + 1;
}

static int probe_fn(void *arg)
{
	struct probe *p = arg;
	unsigned char *area;
	size_t i;

	p->tp = ktls_arch_thread_pointer();
	p->tcb_self = *(void **)p->tp;
	p->canary = *(uintptr_t *)((char *)p->tp + KTLS_ARCH_TCB_CANARY);
	p->tid = ktls_arch_syscall0(SYS_gettid);
	p->ktls_tid = ktls_gettid();
	p->ktls_pid = ktls_getpid();
	ktls_arch_syscall4(SYS_rt_sigprocmask, SIG_BLOCK, 0,
			   (long)&p->sigmask, KTLS_ARCH_SIGSET_SIZE);

	/* The area's bytes: zero, then writable. */
	area = (unsigned char *)p->tp + ktls_offset();
	p->area_zero = 1;
	for (i = 0; i < sizeof(struct ktls_area); i++) {
		p->area_zero &= !area[i];
		area[i] = 0xa5;
	}
	p->depth = dig(64);
	return 42;
}

static void test_probe(void **state)
{
	struct probe p = { .parent_tid = ktls_gettid() };
	uintptr_t canary;
	struct ktls_thread *t = NULL;
	int ret = 0;

	(void)state;
	assert_int_equal(ktls_thread_create_flags(&t, probe_fn, &p, 0, false),
			 0);
	assert_non_null(t);
	assert_true(ktls_thread_tid(t) > 0);
	assert_int_equal(ktls_thread_join(t, &ret), 0);
	assert_int_equal(ret, 42);

	assert_int_equal(p.tid, p.ktls_tid);
	assert_int_not_equal(p.tid, p.parent_tid);
	assert_int_equal(p.ktls_pid, ktls_getpid());
	assert_ptr_equal(p.tcb_self, p.tp);
	assert_int_equal((uintptr_t)p.tp % KTLS_AREA_ALIGN, 0);
	assert_int_equal(((uintptr_t)p.tp + ktls_offset()) % KTLS_AREA_ALIGN,
			 0);
	asm ("mov %%fs:%c1, %0" : "=r" (canary) : "i" (KTLS_ARCH_TCB_CANARY));
	assert_int_equal(p.canary, canary);
	assert_true(p.area_zero);
	/* all but SIGKILL and SIGSTOP, which cannot be blocked */
	assert_int_equal(p.sigmask, ~0ULL & ~(1ULL << (SIGKILL - 1)) &
			 ~(1ULL << (SIGSTOP - 1)));
	assert_int_equal(p.depth, 64 + 64 * 65 / 2);
}

static int tid_fn(void *arg)
{
	pid_t *tid = arg;

	*tid = ktls_gettid();
	dig(8);
	return *tid == ktls_arch_syscall0(SYS_gettid) ? 0 : 1;
}

/* Many threads at once, with default, minimal and large stacks. */
static void test_many(void **state)
{
	static const size_t stacks[] = { 0, 1, 20000, 1 << 20 };
	struct ktls_thread *t[16];
	pid_t tids[16];
	int i, j, ret;

	(void)state;
	for (i = 0; i < 16; i++)
		assert_int_equal(ktls_thread_create_flags(&t[i], tid_fn,
							  &tids[i],
							  stacks[i % 4],
							  false), 0);
	for (i = 0; i < 16; i++) {
		assert_int_equal(ktls_thread_join(t[i], &ret), 0);
		assert_int_equal(ret, 0);
	}
	for (i = 0; i < 16; i++)
		for (j = i + 1; j < 16; j++)
			assert_int_not_equal(tids[i], tids[j]);
}

/* Create and join many times: nothing leaks or lingers. */
static void test_churn(void **state)
{
	struct ktls_thread *t;
	pid_t tid;
	int i, ret;

	(void)state;
	for (i = 0; i < 500; i++) {
		assert_int_equal(ktls_thread_create_flags(&t, tid_fn, &tid,
							  0, false), 0);
		assert_int_equal(ktls_thread_join(t, &ret), 0);
		assert_int_equal(ret, 0);
	}
}

static void test_bad_arguments(void **state)
{
	struct ktls_thread *t = NULL;

	(void)state;
	assert_int_equal(ktls_thread_create_flags(NULL, tid_fn, NULL, 0,
						  false), -EINVAL);
	assert_int_equal(ktls_thread_create_flags(&t, NULL, NULL, 0, false),
			 -EINVAL);
	assert_null(t);
	assert_int_equal(ktls_thread_join(NULL, NULL), -EINVAL);
	assert_int_equal(ktls_thread_tid(NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_churn),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests_name("ktls_thread", tests, NULL, NULL);
}
