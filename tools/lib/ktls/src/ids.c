// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Identity accessors: the KTLS vDSO functions where the running kernel
 * exports them, else the system calls.
 *
 * The vDSO is searched once, by a constructor or by whichever call comes
 * first.  Racing resolvers (threads, signal handlers) compute the same
 * pointers, so no lock is needed: each pointer is stored atomically and
 * then published by a release store of ktls_resolved.  Resolution reads
 * the auxiliary vector and the vDSO only, so even the first call is
 * async-signal-safe; later calls are an acquire load and an indirect call.
 */
#include <sys/syscall.h>

#include "internal.h"

typedef void (*ktls_fn_t)(void);

enum {
	KTLS_FN_GETTID,
	KTLS_FN_GETPID,
	KTLS_FN_GETUID,
	KTLS_FN_GETEUID,
	KTLS_FN_GETGID,
	KTLS_FN_GETEGID,
	KTLS_FN_ERRNO_LOCATION,
	KTLS_NR_FNS,
};

static const char *const ktls_vdso_names[KTLS_NR_FNS] = {
	[KTLS_FN_GETTID]	= "__vdso_ktls_gettid",
	[KTLS_FN_GETPID]	= "__vdso_ktls_getpid",
	[KTLS_FN_GETUID]	= "__vdso_ktls_getuid",
	[KTLS_FN_GETEUID]	= "__vdso_ktls_geteuid",
	[KTLS_FN_GETGID]	= "__vdso_ktls_getgid",
	[KTLS_FN_GETEGID]	= "__vdso_ktls_getegid",
	[KTLS_FN_ERRNO_LOCATION] = "__vdso_ktls_errno_location",
};

static ktls_fn_t ktls_fns[KTLS_NR_FNS];
static int ktls_resolved;

void ktls_resolve(void)
{
	void *addr;
	int i;

	if (__atomic_load_n(&ktls_resolved, __ATOMIC_ACQUIRE))
		return;
	for (i = 0; i < KTLS_NR_FNS; i++) {
		if (ktls_vdso_sym(ktls_vdso_names[i], KTLS_VDSO_VERSION, &addr))
			addr = NULL;
		__atomic_store_n(&ktls_fns[i], (ktls_fn_t)addr,
				 __ATOMIC_RELAXED);
	}
	__atomic_store_n(&ktls_resolved, 1, __ATOMIC_RELEASE);
}

__attribute__((constructor))
static void ktls_resolve_ctor(void)
{
	ktls_resolve();
}

static inline ktls_fn_t ktls_fn(int i)
{
	ktls_resolve();
	return __atomic_load_n(&ktls_fns[i], __ATOMIC_RELAXED);
}

#define KTLS_ID_ACCESSOR(type, name, idx, nr)				\
KTLS_API type ktls_##name(void)						\
{									\
	type (*fn)(void) = (type (*)(void))ktls_fn(idx);		\
									\
	return fn ? fn() : (type)ktls_arch_syscall0(nr);		\
}

KTLS_ID_ACCESSOR(pid_t, gettid, KTLS_FN_GETTID, SYS_gettid)
KTLS_ID_ACCESSOR(pid_t, getpid, KTLS_FN_GETPID, SYS_getpid)
KTLS_ID_ACCESSOR(uid_t, getuid, KTLS_FN_GETUID, SYS_getuid)
KTLS_ID_ACCESSOR(uid_t, geteuid, KTLS_FN_GETEUID, SYS_geteuid)
KTLS_ID_ACCESSOR(gid_t, getgid, KTLS_FN_GETGID, SYS_getgid)
KTLS_ID_ACCESSOR(gid_t, getegid, KTLS_FN_GETEGID, SYS_getegid)

KTLS_API int *ktls_errno_location(void)
{
	int *(*fn)(void) = (int *(*)(void))ktls_fn(KTLS_FN_ERRNO_LOCATION);

	return fn ? fn() : NULL;
}

KTLS_API unsigned int ktls_features(void)
{
	unsigned int features = KTLS_FEATURE_VDSO;
	int i;

	for (i = 0; i < KTLS_NR_FNS; i++)
		if (!ktls_fn(i))
			features &= ~KTLS_FEATURE_VDSO;
	if (ktls_kernel_supported())
		features |= KTLS_FEATURE_KERNEL;
	if (ktls_libc_owns())
		features |= KTLS_FEATURE_LIBC;
	return features;
}
