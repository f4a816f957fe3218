// SPDX-License-Identifier: GPL-2.0
/*
 * Raw clone3() threads; see rawthread.h.  The code that runs in the child
 * uses raw system calls only (no errno, no TLS) and is built without the
 * stack protector (its TCB carries a copy of the canary all the same).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <linux/ktls.h>

#include "kt_clone3.h"
#include "rawthread.h"

#define RAW_STACK_SIZE		(16 * 1024)
#define RAW_TCB_SIZE		64
#define RAW_THREAD_FLAGS	(CLONE_VM | CLONE_FS | CLONE_FILES |	\
				 CLONE_SIGHAND | CLONE_THREAD |		\
				 CLONE_SYSVSEM | CLONE_SETTLS |		\
				 CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

/* The Makefile builds this file with -fno-stack-protector. */
#define RAW	__attribute__((noinline))

/* A system call with up to three arguments; the fourth (r10) is 0. */
static inline long raw_syscall3(long nr, long a1, long a2, long a3)
{
	register long r10 asm("r10") = 0;
	long ret;

	asm volatile("syscall"
		     : "=a" (ret)
		     : "0" (nr), "D" (a1), "S" (a2), "d" (a3), "r" (r10)
		     : "rcx", "r11", "memory");
	return ret;
}

/* The child's side of rawthread_start(): kt_clone3() calls it. */
static RAW void rawthread_entry(void *arg)
{
	struct rawthread *t = arg;
	volatile int *gate = t->gate;

	if (gate)
		while (!__atomic_load_n(gate, __ATOMIC_ACQUIRE))
			raw_syscall3(SYS_futex, (long)gate, FUTEX_WAIT, 0);
	for (;;)
		raw_syscall3(SYS_exit, 0, 0, 0);
}

int rawthread_pool_init(struct rawthread_pool *p, int n, long offset)
{
	size_t page = sysconf(_SC_PAGESIZE);
	size_t below = 0, above = RAW_TCB_SIZE, slot;
	unsigned long canary;
	int i;

	memset(p, 0, sizeof(*p));
	if (offset < 0)
		below = -offset;
	if (offset > 0 && (size_t)offset + KTLS_AREA_SIZE > above)
		above = offset + KTLS_AREA_SIZE;
	below = (below + page - 1) / page * page;
	above = (above + page - 1) / page * page;
	slot = RAW_STACK_SIZE + below + above;
	p->map_len = slot * n;
	p->map = mmap(NULL, p->map_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->map == MAP_FAILED) {
		p->map = NULL;
		return -errno;
	}
	p->t = calloc(n, sizeof(*p->t));
	if (!p->t) {
		munmap(p->map, p->map_len);
		p->map = NULL;
		return -ENOMEM;
	}
	asm("mov %%fs:0x28, %0" : "=r" (canary));
	for (i = 0; i < n; i++) {
		struct rawthread *t = &p->t[i];
		unsigned long *tcb;

		t->stack = p->map + slot * i;
		t->stack_size = RAW_STACK_SIZE;
		t->tls = (unsigned long)(t->stack + RAW_STACK_SIZE + below);
		tcb = (unsigned long *)t->tls;
		tcb[0] = t->tls;		/* psABI: the TCB points to itself */
		tcb[2] = t->tls;		/* glibc's "self" */
		tcb[5] = canary;		/* %fs:0x28 */
	}
	p->n = n;
	return 0;
}

void rawthread_pool_free(struct rawthread_pool *p)
{
	if (p->map)
		munmap(p->map, p->map_len);
	free(p->t);
	memset(p, 0, sizeof(*p));
}

RAW long rawthread_start(struct rawthread *t, bool ktls, volatile int *gate)
{
	struct clone_args ca;

	__builtin_memset(&ca, 0, sizeof(ca));
	t->gate = gate;
	t->ctid = 0;
	ca.flags = RAW_THREAD_FLAGS | (ktls ? CLONE_KTLS : 0);
	ca.parent_tid = (uintptr_t)&t->ctid;
	ca.child_tid = (uintptr_t)&t->ctid;
	ca.stack = (uintptr_t)t->stack;
	ca.stack_size = t->stack_size;
	ca.tls = t->tls;
	return kt_clone3(&ca, CLONE_ARGS_SIZE_VER0, rawthread_entry, t);
}

void rawthread_join(struct rawthread *t)
{
	int v;

	while ((v = __atomic_load_n(&t->ctid, __ATOMIC_ACQUIRE)) != 0)
		raw_syscall3(SYS_futex, (long)&t->ctid, FUTEX_WAIT, v);
}

void rawthread_open_gate(volatile int *gate)
{
	__atomic_store_n(gate, 1, __ATOMIC_RELEASE);
	raw_syscall3(SYS_futex, (long)gate, FUTEX_WAKE, 0x7fffffff);
}
