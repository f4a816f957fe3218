/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __VDSO_KTLS_H
#define __VDSO_KTLS_H

#include <uapi/linux/ktls.h>

/**
 * struct vdso_ktls_data - the process's KTLS data in the vvar area
 * @offset:	the registered offset of every thread's area from its
 *		thread pointer; 0 when none is registered.
 * @tp_sharers:	tasks alive in this address space that share the thread
 *		pointer of the thread that created them (a vfork() child, a
 *		CLONE_VM child without CLONE_SETTLS).  While it is not zero
 *		no thread can prove that an area is its own, and the vDSO
 *		takes the system call.
 * @reserved:	zero.
 *
 * One page per address space, mapped read-only in the vvar area at a
 * fixed offset from the vDSO text; a process that never registered an
 * offset maps the zero page there.  The kernel writes it; the vDSO only
 * reads it.
 */
struct vdso_ktls_data {
	__s64 offset;
	__u32 tp_sharers;
	__u32 reserved;
};

#endif /* __VDSO_KTLS_H */
