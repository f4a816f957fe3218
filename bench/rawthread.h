/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw clone3() threads for the scale benchmarks: each runs on a stack and
 * a TLS block of its own (a TCB whose first word points to itself, the
 * KTLS area at TCB + the registered offset), and never touches the C
 * library's thread state: it waits on a futex if asked to, then exits.
 */
#ifndef RAWTHREAD_H
#define RAWTHREAD_H

#include <stdbool.h>
#include <stddef.h>

struct rawthread {
	unsigned long tls;		/* the thread pointer (the TCB) */
	char *stack;			/* lowest address of the stack */
	size_t stack_size;
	volatile int ctid;		/* tid; 0 once exited (CHILD_CLEARTID) */
	volatile int *gate;		/* NULL: exit at once; else wait for != 0 */
};

struct rawthread_pool {
	char *map;
	size_t map_len;
	int n;
	struct rawthread *t;
};

/*
 * Map stacks and TLS blocks for @n threads whose KTLS area lies at TCB +
 * @offset (0: no area needed).  Returns 0 or -errno.
 */
int rawthread_pool_init(struct rawthread_pool *p, int n, long offset);
void rawthread_pool_free(struct rawthread_pool *p);

/*
 * clone3(CLONE_THREAD | CLONE_SETTLS | ..., plus CLONE_KTLS if
 * @ktls).  Returns the tid or -errno.
 */
long rawthread_start(struct rawthread *t, bool ktls, volatile int *gate);
/* Wait until the thread has exited. */
void rawthread_join(struct rawthread *t);
/* Set *gate and wake the threads waiting on it. */
void rawthread_open_gate(volatile int *gate);

#endif /* RAWTHREAD_H */
