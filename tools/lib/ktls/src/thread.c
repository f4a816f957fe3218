// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Minimal threads made with clone3(CLONE_KTLS).
 *
 * One anonymous mapping per thread, from low to high addresses:
 *
 *   guard page | stack | struct ktls_thread ... area ... TCB | guard page
 *                      ^ stack top                       ^ thread pointer
 *
 * The TLS block holds only the TCB and the area at the registered offset
 * from the thread pointer, so the thread must not touch the C library's
 * thread-local state.  The kernel clears ktls_thread.tid and wakes its
 * futex when the thread exits (CLONE_CHILD_CLEARTID); joining waits for
 * that and unmaps everything.
 */
#include <errno.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/mman.h>

#include "internal.h"

struct ktls_thread {
	pid_t tid;		/* cleared by the kernel at exit */
	pid_t saved_tid;
	int (*fn)(void *);
	void *arg;
	int ret;
	void *map;
	size_t map_size;
};

#define KTLS_THREAD_STACK_MIN	(16 * 1024)

static size_t ktls_round_up(size_t x, size_t align)
{
	return (x + align - 1) & ~(align - 1);
}

static void *ktls_mmap(size_t len)
{
	long ret = ktls_arch_syscall6(SYS_mmap, 0, len, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
				      -1, 0);

	return ret < 0 && ret > -4096 ? NULL : (void *)ret;
}

static void ktls_munmap(void *addr, size_t len)
{
	ktls_arch_syscall4(SYS_munmap, (long)addr, len, 0, 0);
}

static int ktls_guard(void *addr, size_t len)
{
	return ktls_arch_syscall4(SYS_mprotect, (long)addr, len, PROT_NONE, 0);
}

static int ktls_sigmask(const uint64_t *set, uint64_t *old)
{
	return ktls_arch_syscall4(SYS_rt_sigprocmask, SIG_SETMASK, (long)set,
				  (long)old, KTLS_ARCH_SIGSET_SIZE);
}

/* Runs on the new thread, with the new TLS block. */
static int ktls_thread_entry(void *arg)
{
	struct ktls_thread *t = arg;

	t->ret = t->fn(t->arg);
	return 0;
}

/* Where the area goes: the registered layout, or libktls's own. */
static int ktls_thread_layout(bool ktls, ptrdiff_t *offset, size_t *size,
			      size_t *align)
{
	int ret;

	*size = sizeof(struct ktls_area);
	*align = __alignof__(struct ktls_area);
	if (!ktls) {
		*offset = ktls_offset();
		return 0;
	}
	ret = ktls_registered_offset(offset);
	if (!ret)
		ret = ktls_query_layout(size, align);
	if (ret)
		return ret;
	if (!*offset)
		return -ENOENT;
	if (*align < __alignof__(struct ktls_area))
		*align = __alignof__(struct ktls_area);
	if (*align & (*align - 1) || *align > KTLS_OFFSET_MAX ||
	    *size > KTLS_OFFSET_MAX || *offset > KTLS_OFFSET_MAX ||
	    *offset < -KTLS_OFFSET_MAX)
		return -EINVAL;
	return 0;
}

int ktls_thread_create_flags(struct ktls_thread **thread,
			     int (*fn)(void *), void *arg, size_t stack_size,
			     bool ktls)
{
	size_t page = ktls_auxval(AT_PAGESZ), size, align, ctl, tls, map_size;
	uint64_t all = ~0ULL, old;
	ptrdiff_t offset, lo, hi;
	struct clone_args args;
	struct ktls_thread *t;
	char *map, *stack, *tp;
	long ret;

	if (!thread || !fn)
		return -EINVAL;
	ret = ktls_thread_layout(ktls, &offset, &size, &align);
	if (ret)
		return ret;
	/* The new thread must not resolve: that would call into libc. */
	ktls_resolve();

	if (!page)
		page = 4096;
	if (align < KTLS_ARCH_TCB_ALIGN)
		align = KTLS_ARCH_TCB_ALIGN;
	if (!stack_size)
		stack_size = KTLS_THREAD_STACK_DEFAULT;
	if (stack_size < KTLS_THREAD_STACK_MIN)
		stack_size = KTLS_THREAD_STACK_MIN;
	if (stack_size > SIZE_MAX / 2)
		return -ENOMEM;
	stack_size = ktls_round_up(stack_size, page);

	/* The TLS block spans [tp + lo, tp + hi). */
	lo = offset < 0 ? offset : 0;
	hi = offset + (ptrdiff_t)size;
	if (hi < KTLS_ARCH_TCB_SIZE)
		hi = KTLS_ARCH_TCB_SIZE;
	ctl = ktls_round_up(sizeof(*t), align);
	tls = ktls_round_up(ctl + (size_t)(hi - lo) + align, page);
	map_size = page + stack_size + tls + page;

	map = ktls_mmap(map_size);
	if (!map)
		return -ENOMEM;
	if (ktls_guard(map, page) || ktls_guard(map + map_size - page, page)) {
		ktls_munmap(map, map_size);
		return -ENOMEM;
	}
	stack = map + page;
	t = (struct ktls_thread *)(stack + stack_size);
	tp = (char *)(((uintptr_t)t + tls - hi) & ~(uintptr_t)(align - 1));
	ktls_arch_init_tcb(tp);

	t->fn = fn;
	t->arg = arg;
	t->map = map;
	t->map_size = map_size;

	args = (struct clone_args){
		.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			 CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
			 CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID |
			 (ktls ? CLONE_KTLS : 0),
		.child_tid = (uintptr_t)&t->tid,
		.parent_tid = (uintptr_t)&t->tid,
		.stack = (uintptr_t)stack,
		.stack_size = stack_size,
		.tls = (uintptr_t)tp,
	};

	/* The child starts, and stays, with every signal blocked. */
	if (ktls_sigmask(&all, &old)) {
		ktls_munmap(map, map_size);
		return -EINVAL;
	}
	ret = ktls_arch_clone3(&args, sizeof(args), ktls_thread_entry, t);
	ktls_sigmask(&old, NULL);
	if (ret < 0) {
		ktls_munmap(map, map_size);
		return ret == -ENOSYS ? -ENOTSUP : ret;
	}
	t->saved_tid = ret;
	*thread = t;
	return 0;
}

KTLS_API int ktls_thread_create(struct ktls_thread **thread,
				int (*fn)(void *), void *arg,
				size_t stack_size)
{
	if (!ktls_kernel_supported())
		return -ENOTSUP;
	return ktls_thread_create_flags(thread, fn, arg, stack_size, true);
}

KTLS_API int ktls_thread_join(struct ktls_thread *thread, int *retval)
{
	pid_t tid;

	if (!thread)
		return -EINVAL;
	/* CLONE_CHILD_CLEARTID wakes a shared (not private) futex. */
	while ((tid = __atomic_load_n(&thread->tid, __ATOMIC_ACQUIRE)))
		ktls_arch_syscall4(SYS_futex, (long)&thread->tid, FUTEX_WAIT,
				   tid, 0);
	if (retval)
		*retval = thread->ret;
	ktls_munmap(thread->map, thread->map_size);
	return 0;
}

KTLS_API pid_t ktls_thread_tid(const struct ktls_thread *thread)
{
	return thread ? thread->saved_tid : -1;
}
