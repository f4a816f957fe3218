// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Identity accessors: the KTLS vDSO functions where the running kernel
 * exports them, else the system calls.
 *
 * ktls_accessors holds one function per accessor; <ktls/ktls.h>'s inline
 * accessors call through it.  It starts out with libktls's system-call
 * functions, so a call made before resolution is correct, and the vDSO is
 * searched once, by a constructor or by whichever exported accessor comes
 * first.  Racing resolvers (threads, signal handlers) compute the same
 * pointers, so no lock is needed: each entry is stored atomically, and a
 * reader sees either the system-call function or the vDSO function, both
 * right; ktls_resolved is published last, with release.  Resolution reads
 * the auxiliary vector and the vDSO only, so even the first call is
 * async-signal-safe.
 *
 * ktls_accessors is exported data that a program may hold a copy
 * relocation of: the library must reach it through the GOT (it does, as a
 * default-visibility symbol compiled with -fPIC), never as a local symbol.
 */
#include <sys/syscall.h>

#include "internal.h"
#include "elf_lookup.h"

#define KTLS_SYSCALL_FN(type, name, nr)					\
static type ktls_sys_##name(void)					\
{									\
	return (type)ktls_arch_syscall0(nr);				\
}

KTLS_SYSCALL_FN(pid_t, gettid, SYS_gettid)
KTLS_SYSCALL_FN(pid_t, getpid, SYS_getpid)
KTLS_SYSCALL_FN(uid_t, getuid, SYS_getuid)
KTLS_SYSCALL_FN(uid_t, geteuid, SYS_geteuid)
KTLS_SYSCALL_FN(gid_t, getgid, SYS_getgid)
KTLS_SYSCALL_FN(gid_t, getegid, SYS_getegid)

/* Without the vDSO function there is no slot to point to. */
static int *ktls_sys_errno_location(void)
{
	return NULL;
}

#define KTLS_FALLBACK {						\
	.gettid		= ktls_sys_gettid,				\
	.getpid		= ktls_sys_getpid,				\
	.getuid		= ktls_sys_getuid,				\
	.geteuid	= ktls_sys_geteuid,				\
	.getgid		= ktls_sys_getgid,				\
	.getegid	= ktls_sys_getegid,				\
	.errno_location	= ktls_sys_errno_location,			\
}

static const struct ktls_accessors ktls_fallback = KTLS_FALLBACK;

KTLS_API struct ktls_accessors ktls_accessors = KTLS_FALLBACK;

static int ktls_resolved;
/* Every vDSO function was found (KTLS_FEATURE_VDSO). */
static bool ktls_vdso_all;

/* One entry: the vDSO function __vdso_ktls_<name>, else the fallback. */
#define KTLS_RESOLVE(name)						\
do {									\
	__typeof__(ktls_accessors.name) fn = ktls_fallback.name;	\
	void *addr;							\
									\
	if (!ktls_vdso_sym("__vdso_ktls_" #name, KTLS_VDSO_VERSION, &addr)) \
		fn = (__typeof__(fn))addr;				\
	else								\
		all = false;						\
	__atomic_store_n(&ktls_accessors.name, fn, __ATOMIC_RELAXED);	\
} while (0)

void ktls_resolve(void)
{
	bool all = true;

	if (__atomic_load_n(&ktls_resolved, __ATOMIC_ACQUIRE))
		return;
	KTLS_RESOLVE(gettid);
	KTLS_RESOLVE(getpid);
	KTLS_RESOLVE(getuid);
	KTLS_RESOLVE(geteuid);
	KTLS_RESOLVE(getgid);
	KTLS_RESOLVE(getegid);
	KTLS_RESOLVE(errno_location);
	__atomic_store_n(&ktls_vdso_all, all, __ATOMIC_RELAXED);
	__atomic_store_n(&ktls_resolved, 1, __ATOMIC_RELEASE);
}

__attribute__((constructor))
static void ktls_resolve_ctor(void)
{
	ktls_resolve();
}

/* The exported accessors, for dlsym() and FFI users and KTLS_NO_INLINE. */
#define KTLS_ID_ACCESSOR(type, name)					\
KTLS_API type ktls_##name(void)						\
{									\
	ktls_resolve();							\
	return __atomic_load_n(&ktls_accessors.name, __ATOMIC_RELAXED)(); \
}

KTLS_ID_ACCESSOR(pid_t, gettid)
KTLS_ID_ACCESSOR(pid_t, getpid)
KTLS_ID_ACCESSOR(uid_t, getuid)
KTLS_ID_ACCESSOR(uid_t, geteuid)
KTLS_ID_ACCESSOR(gid_t, getgid)
KTLS_ID_ACCESSOR(gid_t, getegid)
KTLS_ID_ACCESSOR(int *, errno_location)

KTLS_API unsigned int ktls_features(void)
{
	unsigned int features = 0;

	ktls_resolve();
	if (__atomic_load_n(&ktls_vdso_all, __ATOMIC_RELAXED))
		features |= KTLS_FEATURE_VDSO;
	if (ktls_kernel_supported())
		features |= KTLS_FEATURE_KERNEL;
	if (ktls_libc_owns())
		features |= KTLS_FEATURE_LIBC;
	return features;
}
