/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libktls: user-space side of Kernel Thread Local Storage (KTLS).
 *
 * See ktls(3).  Every function returns 0 or a negative errno value unless
 * documented otherwise, and none of them changes errno.
 */
#ifndef _KTLS_KTLS_H
#define _KTLS_KTLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The kernel's <linux/ktls.h>, installed as <ktls/uapi-ktls.h>.  Both
 * share one include guard, so either may come first.
 */
#ifndef _UAPI_LINUX_KTLS_H
#include <ktls/uapi-ktls.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define KTLS_VERSION_MAJOR	1
#define KTLS_VERSION_MINOR	0

/* Version node of the vDSO's KTLS functions. */
#define KTLS_VDSO_VERSION	"LINUX_2.6"

/*
 * Identity of the calling thread: the KTLS vDSO function when the running
 * kernel exports it, else the system call.  Thread-safe and
 * async-signal-safe; they never fail.
 */
pid_t ktls_gettid(void);
pid_t ktls_getpid(void);
uid_t ktls_getuid(void);
uid_t ktls_geteuid(void);
gid_t ktls_getgid(void);
gid_t ktls_getegid(void);

/*
 * Address of the errno_value slot at the calling thread's thread pointer
 * plus the registered offset (__vdso_ktls_errno_location()), area or not,
 * like a __thread variable; NULL when no offset is registered, the slot is
 * not mapped, or the kernel has no KTLS.
 */
int *ktls_errno_location(void);

/* ktls_features() bits. */
#define KTLS_FEATURE_VDSO	(1U << 0)	/* all KTLS vDSO functions found */
#define KTLS_FEATURE_KERNEL	(1U << 1)	/* the kernel registers areas */
#define KTLS_FEATURE_LIBC	(1U << 2)	/* the C library registered */

unsigned int ktls_features(void);

/*
 * vDSO symbol lookup.
 *
 * ktls_vdso_lookup() finds @name in the ELF64 image [@image, @image +
 * @image_size) through its dynamic section (DT_GNU_HASH, else DT_HASH)
 * and stores the symbol's address inside the image in *@addr.  Offsets
 * are file offsets, which for the vDSO are its mapped layout.  Only
 * defined (not SHN_UNDEF or SHN_ABS) global or weak symbols of type
 * STT_FUNC, STT_OBJECT or STT_NOTYPE are found.  With @version, the
 * symbol must carry that version (DT_VERSYM and DT_VERDEF); with NULL,
 * its default (non-hidden) version.  It never reads outside the image,
 * allocates nothing and is async-signal-safe.
 *
 * Returns 0, -EINVAL (a NULL argument), -ENOENT (no such symbol or
 * version) or -ENOEXEC (malformed image: not an ELF64 shared object for
 * this machine, or a header, table, string or hash chain out of bounds
 * or inconsistent).
 */
int ktls_vdso_lookup(const void *image, size_t image_size, const char *name,
		     const char *version, void **addr);

/*
 * The running process's vDSO: its address from getauxval(AT_SYSINFO_EHDR)
 * and its size, the end of its last PT_LOAD file extent.  -ENXIO when
 * there is no vDSO, -ENOEXEC when its headers are not sane.
 */
int ktls_vdso_image(const void **image, size_t *image_size);

/* ktls_vdso_lookup() in the running process's vDSO. */
int ktls_vdso_sym(const char *name, const char *version, void **addr);

/*
 * Registration, for a runtime that owns thread creation.  libktls
 * reserves one struct ktls_area per thread in initial-exec static TLS,
 * so its offset from the thread pointer is the same in every thread.
 * All return -ENOTSUP on a kernel without KTLS.
 *
 * When the C library registered at start-up (it exports a non-zero
 * __ktls_size, as glibc with KTLS does; KTLS_FEATURE_LIBC), libktls
 * defers to it: ktls_offset() is the C library's offset and
 * ktls_set_offset() registers nothing and returns 0.
 */

/*
 * Size and alignment the kernel asks for: auxv first, then
 * prctl(PR_KTLS, PR_KTLS_GET_LAYOUT).
 */
int ktls_query_layout(size_t *size, size_t *alignment);

/* The thread group's registered offset (0 when none). */
int ktls_registered_offset(ptrdiff_t *offset);

/*
 * Offset of the area from the thread pointer: the C library's when it
 * registered, else libktls's own; never fails.
 */
ptrdiff_t ktls_offset(void);

/*
 * Register ktls_offset() for the thread group: call while the process
 * is single-threaded.  0 when that offset is already registered;
 * -EBUSY for another offset or more than one thread; -ENOSPC when the
 * kernel asks for more than libktls reserves.
 */
int ktls_set_offset(void);

/* Give the calling thread its area (0 if it already has one). */
int ktls_register_thread(void);

/* Remove the calling thread's area (-ENOENT if it has none). */
int ktls_unregister_thread(void);

/* ktls_set_offset(), then ktls_register_thread(). */
int ktls_setup(void);

/*
 * Minimal threads created with clone3(CLONE_KTLS): own stack (with
 * guard pages) and own TLS block holding a TCB and the area at the
 * registered offset.  The thread starts with all signals blocked.  @fn
 * must not use the C library's thread-local state: no errno, malloc,
 * stdio, pthread or locale functions; system calls through ktls_*() or
 * raw instructions only.  See ktls(3).
 */
struct ktls_thread;

#define KTLS_THREAD_STACK_DEFAULT	(256 * 1024)

/*
 * Start @fn(@arg) on a stack of @stack_size bytes (0: the default,
 * rounded up to pages).  -ENOENT when no offset is registered, -ENOMEM,
 * or the clone3() error.
 */
int ktls_thread_create(struct ktls_thread **thread, int (*fn)(void *),
		       void *arg, size_t stack_size);

/* Wait for @thread to exit, store @fn's return value, free the thread. */
int ktls_thread_join(struct ktls_thread *thread, int *retval);

/* TID of @thread (valid until ktls_thread_join()). */
pid_t ktls_thread_tid(const struct ktls_thread *thread);

#ifdef __cplusplus
}
#endif

#endif /* _KTLS_KTLS_H */
