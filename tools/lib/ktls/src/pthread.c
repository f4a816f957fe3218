// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ktls_pthread_create(): pthread_create() for threads with an area.
 *
 * The C library makes the thread, so it is a whole one (TLS initialised,
 * stdio, malloc, cancellation, C++ exceptions); libktls's area is in its
 * static TLS like every thread's.  When the C library registered, it
 * gives every thread its area (CLONE_KTLS) and this is pthread_create().
 * Otherwise the thread starts in a trampoline that registers the area and
 * then calls the start routine.
 *
 * A failed registration is not reported: the thread runs without an area
 * and the accessors make the system call for it, which gives its own
 * values (the kernel validates an area against its owner's thread
 * pointer, so no thread ever reads another's).  The expected failures are
 * -ENOTSUP (no KTLS kernel) and -ENOENT (no offset registered); others
 * need an unusual thread, e.g. a stack from pthread_attr_setstack() in a
 * shared mapping (-EINVAL), or another offset registered (-EBUSY).
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

struct ktls_start {
	void *(*start_routine)(void *);
	void *arg;
};

static void *ktls_pthread_start(void *p)
{
	struct ktls_start start = *(struct ktls_start *)p;

	free(p);
	/* Every error leaves the thread without an area: see above. */
	(void)ktls_register_thread();
	return start.start_routine(start.arg);
}

KTLS_API int ktls_pthread_create(pthread_t *thread,
				 const pthread_attr_t *attr,
				 void *(*start_routine)(void *), void *arg)
{
	int saved = errno, ret;
	struct ktls_start *start;

	/* The same answer whoever registered, and whatever the kernel. */
	if (!thread || !start_routine)
		return EINVAL;
	if (ktls_libc_owns())
		return pthread_create(thread, attr, start_routine, arg);
	/* Freed by the thread, or here when there is no thread. */
	start = malloc(sizeof(*start));
	if (!start) {
		errno = saved;
		return EAGAIN;
	}
	start->start_routine = start_routine;
	start->arg = arg;
	ret = pthread_create(thread, attr, ktls_pthread_start, start);
	if (ret)
		free(start);
	errno = saved;
	return ret;
}
