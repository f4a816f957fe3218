/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kt_clone3(): the raw clone3() of the KTLS selftests, also built into the
 * benchmarks (bench/rawthread.c).  The C library's clone() wrappers cannot
 * serve: they take no clone_args (so no CLONE_KTLS), and glibc's
 * clone3() wrapper is internal.
 */
#ifndef KT_CLONE3_H
#define KT_CLONE3_H

#include <stddef.h>
#include <linux/sched.h>

/*
 * clone3(@args, @size).  The parent gets the new tid or -errno.  The child
 * starts on args->stack with the thread pointer args->tls gave it and
 * calls @fn(@arg), which must not return: it ends with a raw exit.  So
 * @fn and everything it calls use no TLS (no errno, no stdio, no malloc)
 * and no stack protector.
 */
long kt_clone3(struct clone_args *args, size_t size,
	       void (*fn)(void *arg), void *arg);

#endif /* KT_CLONE3_H */
