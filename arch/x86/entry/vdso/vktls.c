// SPDX-License-Identifier: GPL-2.0
/*
 * KTLS accessors in the x86-64 vDSO: __vdso_ktls_gettid() and friends.
 * The logic is generic (lib/vdso_ktls/ktls.c); the thread pointer, the
 * fault-safe loads and the system call are in <asm/vdso/ktls.h>.
 */
#include "extable.h"
#include <asm/vdso/ktls.h>

#include "../../../../lib/vdso_ktls/ktls.c"

int __vdso_ktls_gettid(void)
{
	return __cvdso_ktls_gettid();
}

int __vdso_ktls_getpid(void)
{
	return __cvdso_ktls_getpid();
}

unsigned int __vdso_ktls_getuid(void)
{
	return __cvdso_ktls_getuid();
}

unsigned int __vdso_ktls_geteuid(void)
{
	return __cvdso_ktls_geteuid();
}

unsigned int __vdso_ktls_getgid(void)
{
	return __cvdso_ktls_getgid();
}

unsigned int __vdso_ktls_getegid(void)
{
	return __cvdso_ktls_getegid();
}

int *__vdso_ktls_errno_location(void)
{
	return __cvdso_ktls_errno_location();
}
