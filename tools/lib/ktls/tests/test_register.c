// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Registration helpers.  On a kernel without KTLS each one returns
 * -ENOTSUP and the kernel itself rejects prctl(PR_KTLS) and CLONE_KTLS
 * with EINVAL; on a KTLS kernel the whole flow runs in a forked (so
 * single-threaded) child.
 *
 * The ABI's numbers are spelled out here, as for AT_KTLS_SIZE and
 * AT_KTLS_ALIGN, so that the tests do not depend on the installed kernel
 * headers and check the values themselves against the kernel.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/sched.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "../src/uapi_compat.h"

/* prctl(PR_KTLS, @op, @arg, @size, 0) */
static int pr_ktls(unsigned long op, void *arg, size_t size)
{
	return prctl(PR_KTLS, op, (unsigned long)arg, size,
		     0UL);
}

/* Asks the kernel itself, not the library under test. */
static bool kernel_has_ktls(void)
{
	struct ktls_layout layout;

	return !pr_ktls(PR_KTLS_GET_LAYOUT, &layout, sizeof(layout));
}

/* Threads of this process now (some sanitizers run one of their own). */
static int process_threads(void)
{
	struct dirent *d;
	DIR *dir;
	int n = 0;

	dir = opendir("/proc/self/task");
	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			n++;
	closedir(dir);
	return n;
}

static void *thread_pointer(void)
{
	void *tp;

	asm ("mov %%fs:0, %0" : "=r" (tp));
	return tp;
}

static void test_offset(void **state)
{
	ptrdiff_t offset = ktls_offset();

	(void)state;
	print_message("# ktls_offset() = %td\n", offset);
	assert_true(offset != 0);
	assert_int_equal(offset % KTLS_AREA_ALIGN, 0);
	assert_true(offset <= KTLS_OFFSET_MAX && offset >= -KTLS_OFFSET_MAX);
	assert_int_equal(((uintptr_t)thread_pointer() + offset) %
			 KTLS_AREA_ALIGN, 0);
}

static void *offset_fn(void *arg)
{
	*(ptrdiff_t *)arg = ktls_offset();
	return NULL;
}

/* Initial-exec TLS: one offset for every thread. */
static void test_offset_same_in_threads(void **state)
{
	ptrdiff_t offset = 0;
	pthread_t th;

	(void)state;
	assert_int_equal(pthread_create(&th, NULL, offset_fn, &offset), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(offset, ktls_offset());
}

/*
 * What the library relies on: old kernels reject prctl(PR_KTLS) as an
 * unknown option, and CLONE_KTLS, with EINVAL.  Each operation is issued
 * as libktls issues it, so the EINVAL can only come from PR_KTLS itself.
 */
static void test_kernel_rejects_flags(void **state)
{
	struct ktls_layout layout, unchanged;
	struct ktls_layout set = {
		.size = KTLS_AREA_SIZE,
		.alignment = KTLS_AREA_ALIGN,
		.offset = ktls_offset(),
	};
	const struct {
		unsigned long op;
		void *arg;
		size_t size;
	} ops[] = {
		{ PR_KTLS_GET_LAYOUT, &layout, sizeof(layout) },
		{ PR_KTLS_SET_OFFSET, &set, sizeof(set) },
		{ PR_KTLS_REGISTER, NULL, 0 },
		{ PR_KTLS_UNREGISTER, NULL, 0 },
	};
	struct clone_args args;
	long ret;
	size_t i;

	(void)state;
	memset(&args, 0, sizeof(args));
	args.flags = CLONE_KTLS;
	args.exit_signal = SIGCHLD;
	if (kernel_has_ktls())
		skip();
	assert_int_equal(getauxval(52), 0);	/* AT_KTLS_SIZE */
	assert_int_equal(getauxval(53), 0);	/* AT_KTLS_ALIGN */
	memset(&layout, 0xa5, sizeof(layout));
	unchanged = layout;
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		errno = 0;
		assert_int_equal(pr_ktls(ops[i].op, ops[i].arg, ops[i].size),
				 -1);
		assert_int_equal(errno, EINVAL);
	}
	assert_memory_equal(&layout, &unchanged, sizeof(layout));
	/* Were the flag accepted, this would fork: the child leaves at once. */
	ret = syscall(SYS_clone3, &args, sizeof(args));
	if (ret == 0)
		_exit(0);
	if (ret > 0)
		waitpid(ret, NULL, 0);
	assert_int_equal(ret, -1);
	assert_int_equal(errno, EINVAL);
}

/*
 * A kernel without KTLS: every registration helper returns -ENOTSUP and
 * leaves errno alone; no KERNEL feature; no errno slot.
 */
static void test_without_ktls(void **state)
{
	struct ktls_layout layout;
	int late;

	(void)state;
	if (kernel_has_ktls())
		skip();
	errno = 0;
	assert_int_equal(pr_ktls(PR_KTLS_GET_LAYOUT, &layout,
				 sizeof(layout)), -1);
	assert_int_equal(errno, EINVAL);
	errno = 4242;
	/* A caller's mistake (more than one thread) comes first. */
	late = process_threads() > 1 ? -EBUSY : -ENOTSUP;
	assert_int_equal(ktls_set_offset(), late);
	assert_int_equal(ktls_register_thread(), -ENOTSUP);
	assert_int_equal(ktls_unregister_thread(), -ENOTSUP);
	assert_int_equal(ktls_setup(), late);
	assert_int_equal(errno, 4242);
	assert_false(ktls_features() & KTLS_FEATURE_KERNEL);
	assert_null(ktls_errno_location());
}

#define CHECK(n, cond)	do { if (!(cond)) return (n); } while (0)

static void *wait_fn(void *arg)
{
	char c;

	return read(*(int *)arg, &c, 1) == 1 ? NULL : arg;
}

/*
 * The caller's mistake is reported the same way on every kernel: in a
 * forked child with a second thread alive, ktls_set_offset() and
 * ktls_setup() return -EBUSY (not -ENOTSUP on a kernel without KTLS),
 * leave errno alone and register nothing (the kernel's own answer is
 * the oracle).  Once the thread is gone, ktls_set_offset() gives the
 * kernel's answer: 0 with KTLS, -ENOTSUP without (still -EBUSY where a
 * sanitizer runs a thread of its own: /proc/self/task is the oracle).  Each check has a
 * number, the child's exit status when it fails.
 */
static int late_setup_child(void)
{
	struct ktls_layout layout;
	bool ktls = kernel_has_ktls();
	int fds[2], ret;
	pthread_t th;

	CHECK(10, !pipe(fds) && !pthread_create(&th, NULL, wait_fn, &fds[0]));
	errno = 4242;
	CHECK(11, ktls_set_offset() == -EBUSY);
	CHECK(12, ktls_setup() == -EBUSY);
	CHECK(13, errno == 4242);
	memset(&layout, 0xff, sizeof(layout));
	if (ktls)
		CHECK(14, !pr_ktls(PR_KTLS_GET_LAYOUT, &layout,
				   sizeof(layout)) && layout.offset == 0);
	CHECK(15, write(fds[1], "x", 1) == 1 && !pthread_join(th, NULL));
	/*
	 * pthread_join() returns once the thread cleared its tid, a little
	 * before it drops the address space; it leaves /proc/self/task
	 * after that.
	 */
	for (ret = 0; process_threads() > 1 && ret < 10000; ret++)
		usleep(1000);
	ret = ktls_set_offset();
	if (process_threads() > 1)	/* a sanitizer's own thread, still there */
		CHECK(16, ret == -EBUSY);
	else
		CHECK(17, ret == (ktls ? 0 : -ENOTSUP));
	return 0;
}

/*
 * Run @checks in a forked child (a process of its own to register in) and
 * fail with the number of the first CHECK() that failed there.
 */
static void checks_in_child(int (*checks)(void), const char *what)
{
	int status;
	pid_t child;

	child = fork();
	assert_true(child >= 0);
	if (!child)
		_exit(checks());
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status))
		fail_msg("%s: check %d failed", what, WEXITSTATUS(status));
}

static void test_late_setup_same_answer(void **state)
{
	(void)state;
	checks_in_child(late_setup_child, "late setup");
}

/*
 * The flow on a KTLS kernel, in a forked child.  Each check has a number,
 * the child's exit status when it fails.
 */

static int ids_ok(void)
{
	return ktls_gettid() == (pid_t)syscall(SYS_gettid) &&
	       ktls_getpid() == (pid_t)syscall(SYS_getpid) &&
	       ktls_getuid() == (uid_t)syscall(SYS_getuid) &&
	       ktls_geteuid() == (uid_t)syscall(SYS_geteuid) &&
	       ktls_getgid() == (gid_t)syscall(SYS_getgid) &&
	       ktls_getegid() == (gid_t)syscall(SYS_getegid);
}

static int *area_errno(void)
{
	return (int *)((char *)thread_pointer() + ktls_offset() +
		       offsetof(struct ktls_area, errno_value));
}

/* The thread group's registered offset, from the kernel; -1 on error. */
static ptrdiff_t kernel_offset(void)
{
	struct ktls_layout layout;

	if (pr_ktls(PR_KTLS_GET_LAYOUT, &layout, sizeof(layout)))
		return -1;
	return layout.offset;
}

/*
 * A ktls_pthread_create() thread: its IDs are right, its errno slot is
 * its own, and it has an area (unregistering succeeds once).  0, or the
 * first check that failed.
 */
static void *ktls_pthread_fn(void *arg)
{
	int **errno_slot = (int **)arg;

	*errno_slot = ktls_errno_location();
	if (!ids_ok())
		return (void *)1;
	if (*errno_slot != area_errno())
		return (void *)2;
	if (ktls_unregister_thread() != 0 ||
	    ktls_unregister_thread() != -ENOENT)
		return (void *)3;
	return NULL;
}

static void *pthread_fn(void *arg)
{
	int *result = (int *)arg;

	*result = 1;
	/* pthreads start without an area, but with their errno slot */
	if ((ktls_features() & KTLS_FEATURE_VDSO) &&
	    ktls_errno_location() != area_errno())
		return NULL;
	*result = 2;
	if (ktls_register_thread() || !ids_ok())
		return NULL;
	*result = 3;
	if ((ktls_features() & KTLS_FEATURE_VDSO) &&
	    ktls_errno_location() != area_errno())
		return NULL;
	*result = 0;
	return NULL;
}

static int ktls_flow(void)
{
	bool vdso = ktls_features() & KTLS_FEATURE_VDSO;
	struct ktls_layout layout;
	int *slot = NULL, ret = -1, status;
	void *tret = (void *)-1;
	pthread_t th;
	pid_t child;

	/* libktls's area fits what the kernel asks for */
	CHECK(10, pr_ktls(PR_KTLS_GET_LAYOUT, &layout,
			  sizeof(layout)) == 0);
	CHECK(11, layout.size <= sizeof(struct ktls_area));
	CHECK(12, layout.alignment && layout.alignment <= KTLS_AREA_ALIGN &&
		  !(layout.alignment & (layout.alignment - 1)));
	CHECK(13, layout.offset == 0);
	/* no offset: nothing to register a thread at */
	CHECK(19, ktls_register_thread() == -ENOENT);
	CHECK(14, ktls_setup() == 0);
	CHECK(15, ktls_setup() == 0);
	CHECK(16, kernel_offset() == ktls_offset());
	CHECK(17, ids_ok());
	CHECK(18, !vdso || ktls_errno_location() == area_errno());

	CHECK(20, ktls_pthread_create(&th, NULL, ktls_pthread_fn, &slot) == 0);
	CHECK(22, pthread_join(th, &tret) == 0);
	CHECK(23, tret == NULL);
	CHECK(24, !vdso || (slot && slot != ktls_errno_location()));

	CHECK(30, ktls_unregister_thread() == 0);
	CHECK(31, ktls_unregister_thread() == -ENOENT);
	CHECK(32, !vdso || ktls_errno_location() == area_errno());
	CHECK(33, ids_ok());
	CHECK(34, ktls_register_thread() == 0);
	CHECK(35, ktls_register_thread() == 0);
	CHECK(36, !vdso || ktls_errno_location() == area_errno());

	CHECK(40, pthread_create(&th, NULL, pthread_fn, &ret) == 0);
	CHECK(41, pthread_join(th, NULL) == 0);
	CHECK(42, ret == 0);
	/* the offset is registered: the same one again is fine */
	CHECK(43, ktls_set_offset() == 0);

	child = fork();
	CHECK(50, child >= 0);
	if (!child)
		_exit(ids_ok() && (!vdso || ktls_errno_location()) ? 0 : 1);
	CHECK(51, waitpid(child, &status, 0) == child);
	CHECK(52, WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(53, ids_ok());
	return 0;
}

static void test_ktls_flow(void **state)
{
	(void)state;
	if (!kernel_has_ktls())
		skip();
	checks_in_child(ktls_flow, "KTLS flow");
}

/*
 * Another runtime registered first: the kernel holds an offset that is
 * not libktls's (a second copy of libktls, with its own __thread area, is
 * such a runtime).  Expected: libktls registers nothing and says -EBUSY
 * from ktls_set_offset(), ktls_setup() and ktls_register_thread(); the
 * kernel's offset and the other runtime's area stay as they were; the
 * accessors answer right (through the other runtime's area in its
 * thread); ktls_pthread_create() threads run, without an area, on the
 * system call.
 */
static __thread struct ktls_area other_area
	__attribute__((tls_model("initial-exec")));

static void *other_first_fn(void *arg)
{
	(void)arg;
	/* No area: the other runtime's slot in this thread stays unwritten. */
	if (other_area.owner || other_area.tid)
		return (void *)1;
	return ids_ok() ? NULL : (void *)2;
}

static int other_first(void)
{
	ptrdiff_t off = (char *)&other_area - (char *)thread_pointer();
	struct ktls_layout set = {
		.size = sizeof(struct ktls_area),
		.alignment = KTLS_AREA_ALIGN,
		.offset = off,
	};
	void *tret = (void *)-1;
	pthread_t th;

	CHECK(10, off != ktls_offset());
	CHECK(11, pr_ktls(PR_KTLS_SET_OFFSET, &set, sizeof(set)) == 0);
	CHECK(12, pr_ktls(PR_KTLS_REGISTER, NULL, 0) == 0);
	CHECK(13, other_area.tid == syscall(SYS_gettid));
	CHECK(20, ktls_set_offset() == -EBUSY);
	CHECK(21, ktls_setup() == -EBUSY);
	CHECK(22, ktls_register_thread() == -EBUSY);
	CHECK(23, kernel_offset() == off);
	CHECK(24, other_area.tid == syscall(SYS_gettid));
	CHECK(25, ids_ok());
	/* the vDSO reads the other runtime's area: a magic tid shows it */
	if (ktls_features() & KTLS_FEATURE_VDSO) {
		other_area.tid = 0x7ffffff0;
		CHECK(26, ktls_gettid() == 0x7ffffff0);
		other_area.tid = syscall(SYS_gettid);
	}
	CHECK(30, ktls_pthread_create(&th, NULL, other_first_fn, NULL) == 0);
	CHECK(31, pthread_join(th, &tret) == 0);
	CHECK(32, tret == NULL);
	CHECK(33, kernel_offset() == off);
	return 0;
}

static void test_other_runtime_first(void **state)
{
	(void)state;
	if (!kernel_has_ktls())
		skip();
	checks_in_child(other_first, "another runtime first");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offset),
		cmocka_unit_test(test_offset_same_in_threads),
		cmocka_unit_test(test_kernel_rejects_flags),
		cmocka_unit_test(test_without_ktls),
		cmocka_unit_test(test_late_setup_same_answer),
		cmocka_unit_test(test_ktls_flow),
		cmocka_unit_test(test_other_runtime_first),
	};

	return cmocka_run_group_tests_name("ktls_register", tests, NULL,
					   NULL);
}
