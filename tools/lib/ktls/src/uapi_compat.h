/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The KTLS ABI constants that live outside <linux/ktls.h> (the auxiliary
 * vector's, prctl()'s and clone3()'s), for system headers older than
 * KTLS: their one definition outside the kernel tree, used by the library
 * and its tests.  Spelled as in the kernel's UAPI headers, so those may
 * come before or after; kernels without KTLS leave the auxv entries out,
 * answer PR_KTLS with EINVAL and refuse CLONE_KTLS with EINVAL.
 */
#ifndef _KTLS_UAPI_COMPAT_H
#define _KTLS_UAPI_COMPAT_H

#include <linux/auxvec.h>
#include <linux/prctl.h>
#include <linux/sched.h>

/* auxv entries of a KTLS kernel (0 from getauxval() elsewhere). */
#ifndef AT_KTLS_SIZE
#define AT_KTLS_SIZE	52
#endif
#ifndef AT_KTLS_ALIGN
#define AT_KTLS_ALIGN	53
#endif

/* prctl(PR_KTLS, op, arg, size, 0) */
#ifndef PR_KTLS
#define PR_KTLS			0x4b544c53	/* "KTLS" */
#define PR_KTLS_GET_LAYOUT	1
#define PR_KTLS_SET_OFFSET	2
#define PR_KTLS_REGISTER	3
#define PR_KTLS_UNREGISTER	4
#endif

#ifndef CLONE_KTLS
#define CLONE_KTLS		0x400000000ULL
#endif

#endif /* _KTLS_UAPI_COMPAT_H */
