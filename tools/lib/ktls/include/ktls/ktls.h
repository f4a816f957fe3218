/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libktls: user-space side of Kernel Thread Local Storage (KTLS).
 *
 * See ktls(3).  Every function returns 0 or a negative errno value unless
 * documented otherwise (ktls_pthread_create() returns a positive one, as
 * pthread_create() does), and none of them changes errno.
 */
#ifndef _KTLS_KTLS_H
#define _KTLS_KTLS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The kernel's <linux/ktls.h>, installed as <ktls/uapi-ktls.h> the way the
 * kernel's headers_install installs it: with the same include guard, so
 * either may come first.  _UAPI_LINUX_KTLS_H: the kernel tree's
 * include/uapi copy, which libktls itself is built with.
 */
#if !defined(_LINUX_KTLS_H) && !defined(_UAPI_LINUX_KTLS_H)
#include <ktls/uapi-ktls.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define KTLS_VERSION_MAJOR	2
#define KTLS_VERSION_MINOR	0

/* Version node of the vDSO's KTLS functions. */
#define KTLS_VDSO_VERSION	"LINUX_2.6"

/*
 * Identity of the calling thread: the KTLS vDSO function when the running
 * kernel exports it, else the system call.  Thread-safe and
 * async-signal-safe; they never fail.
 *
 * The accessors are static inline functions (__inline__, for C89 too)
 * that call through ktls_accessors, a table of function pointers that
 * libktls's constructor fills: one load and one indirect call, straight
 * into the vDSO.  Until the constructor has run (in another library's
 * constructor, say) every entry makes the system call, which is correct,
 * only slower.  libktls also exports each accessor as a function of the
 * same name, for dlsym() and FFI users; define KTLS_NO_INLINE before
 * including this header to call those instead.  The table is the
 * library's: read-only for programs.  Its size is part of the ABI (a
 * program may hold a copy relocation of it), hence the reserved entries.
 */
struct ktls_accessors {
	pid_t (*gettid)(void);
	pid_t (*getpid)(void);
	uid_t (*getuid)(void);
	uid_t (*geteuid)(void);
	gid_t (*getgid)(void);
	gid_t (*getegid)(void);
	int *(*errno_location)(void);
	void (*reserved[9])(void);
};

/*
 * ktls_errno_location(): the address of the errno_value slot at the
 * calling thread's thread pointer plus the registered offset
 * (__vdso_ktls_errno_location()), area or not, like a __thread variable;
 * NULL when no offset is registered, the slot is not mapped, or the
 * kernel has no KTLS.
 */
#ifdef KTLS_NO_INLINE
pid_t ktls_gettid(void);
pid_t ktls_getpid(void);
uid_t ktls_getuid(void);
uid_t ktls_geteuid(void);
gid_t ktls_getgid(void);
gid_t ktls_getegid(void);
int *ktls_errno_location(void);
#else
extern const struct ktls_accessors ktls_accessors;

/* A relaxed atomic load: a plain load that race detectors understand. */
#define KTLS_ACCESSOR_(name)	\
	__atomic_load_n(&ktls_accessors.name, __ATOMIC_RELAXED)

static __inline__ pid_t ktls_gettid(void)
{
	return KTLS_ACCESSOR_(gettid)();
}

static __inline__ pid_t ktls_getpid(void)
{
	return KTLS_ACCESSOR_(getpid)();
}

static __inline__ uid_t ktls_getuid(void)
{
	return KTLS_ACCESSOR_(getuid)();
}

static __inline__ uid_t ktls_geteuid(void)
{
	return KTLS_ACCESSOR_(geteuid)();
}

static __inline__ gid_t ktls_getgid(void)
{
	return KTLS_ACCESSOR_(getgid)();
}

static __inline__ gid_t ktls_getegid(void)
{
	return KTLS_ACCESSOR_(getegid)();
}

static __inline__ int *ktls_errno_location(void)
{
	return KTLS_ACCESSOR_(errno_location)();
}
#endif /* KTLS_NO_INLINE */

/* ktls_features() bits. */
#define KTLS_FEATURE_VDSO	(1U << 0)	/* all KTLS vDSO functions found */
#define KTLS_FEATURE_KERNEL	(1U << 1)	/* the kernel registers areas */
#define KTLS_FEATURE_LIBC	(1U << 2)	/* the C library registered */

unsigned int ktls_features(void);

/*
 * Registration, for a program or runtime that creates its threads with
 * pthread_create() or ktls_pthread_create().  libktls reserves one struct
 * ktls_area per thread in initial-exec static TLS, so its offset from
 * the thread pointer is the same in every thread.  All return -ENOTSUP
 * on a kernel without KTLS, except for a caller's mistake, which gets the
 * same error on every kernel.
 *
 * When the C library registered at start-up (it exports a non-zero
 * __ktls_size, as glibc with KTLS does; KTLS_FEATURE_LIBC), libktls
 * defers to it: ktls_offset() is the C library's offset and
 * ktls_set_offset() registers nothing and returns 0.
 *
 * libktls exports no layout query (PR_KTLS_GET_LAYOUT): ktls_set_offset()
 * checks the kernel's size and alignment against its own area itself
 * (-ENOSPC) and reports an offset registered by someone else as -EBUSY,
 * and a runtime that lays out areas in its own TCBs does not use
 * libktls's area and talks to the kernel directly (<linux/ktls.h>).
 */

/*
 * Offset of the area from the thread pointer: the C library's when it
 * registered, else libktls's own; never fails.
 */
ptrdiff_t ktls_offset(void);

/*
 * Register ktls_offset() for the thread group: call while the process
 * is single-threaded.  0 when that offset is already registered;
 * -EBUSY for another offset, or when the process has more than one
 * thread (on every kernel: a late call is reported the same way with or
 * without KTLS); -ENOSPC when the kernel asks for more than libktls
 * reserves.
 */
int ktls_set_offset(void);

/*
 * Give the calling thread its area at ktls_offset() (0 if it already has
 * one); -ENOENT when no offset is registered, -EBUSY when the registered
 * offset is not ktls_offset().  A thread need not unregister before it
 * exits: the kernel forgets the area at exit and never writes it again,
 * so the thread's TLS memory may be freed or reused.
 */
int ktls_register_thread(void);

/* Remove the calling thread's area (-ENOENT if it has none). */
int ktls_unregister_thread(void);

/* ktls_set_offset(), then ktls_register_thread(). */
int ktls_setup(void);

/*
 * pthread_create() for threads that have an area: the same arguments and
 * contract, and like it (unlike the other functions here) it returns 0 or
 * a positive errno value (EAGAIN, EINVAL, EPERM; EINVAL also for a NULL
 * @thread or @start_routine, on every kernel).  When the C library
 * registered (KTLS_FEATURE_LIBC) it is pthread_create(): the C library
 * gives the thread its area.  Otherwise the thread calls
 * ktls_register_thread() before @start_routine; when that fails (no KTLS
 * kernel, no offset registered, or any other error) the thread runs all
 * the same, without an area, and the accessors make the system call for
 * it.  See ktls(3).
 */
int ktls_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
			void *(*start_routine)(void *), void *arg);

#ifdef __cplusplus
}
#endif

#endif /* _KTLS_KTLS_H */
