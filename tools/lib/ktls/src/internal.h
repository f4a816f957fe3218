/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef _KTLS_INTERNAL_H
#define _KTLS_INTERNAL_H

/* The kernel's UAPI header, from -I<tree>/include/uapi. */
#include <linux/ktls.h>
#include "uapi_compat.h"
#include <stdbool.h>
/* The library defines the out-of-line accessors and fills the table. */
#define KTLS_NO_INLINE
#include <ktls/ktls.h>

#include "arch.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The accessors' table, <ktls/ktls.h>'s const ktls_accessors: written by
 * the library only (resolution), read by the inline accessors.
 */
extern struct ktls_accessors ktls_accessors;

#define KTLS_API	__attribute__((visibility("default")))

/* getauxval() without its errno side effect. */
unsigned long ktls_auxval(unsigned long type);

/* Has the running kernel KTLS?  Decided once. */
bool ktls_kernel_supported(void);

/* Did the C library register the offset (and libktls defers to it)? */
bool ktls_libc_owns(void);

/* Resolve the vDSO accessors now, if not done yet. */
void ktls_resolve(void);

#ifdef __cplusplus
}
#endif

#endif /* _KTLS_INTERNAL_H */
