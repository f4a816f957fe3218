/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef _KTLS_ARCH_H
#define _KTLS_ARCH_H

#if defined(__x86_64__) && !defined(__ILP32__)
#include "arch/x86_64.h"
#else
#error "libktls: unsupported architecture (KTLS exists on x86-64 only)"
#endif

#endif /* _KTLS_ARCH_H */
