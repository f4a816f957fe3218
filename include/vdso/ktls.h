/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __VDSO_KTLS_H
#define __VDSO_KTLS_H

#include <uapi/linux/ktls.h>

/**
 * struct vdso_ktls_data - the process's KTLS data in the vvar area
 * @offset:	the registered offset of every thread's area from its
 *		thread pointer; 0 when none is registered.
 * @key:	this address space's key, never used by another: an area is
 *		valid for thread pointer tp only when its owner word equals
 *		tp ^ key.  Bit 63 is set and the low bits are clear, so a
 *		valid word is never 0 for a user-space thread pointer.
 * @size:	the bytes of every area that user space reserved (at most
 *		KTLS_AREA_SIZE): a field beyond it is not kept, and an
 *		accessor for it takes the system call.
 * @reserved:	zero.
 *
 * One page per address space, mapped read-only in the vvar area at a
 * fixed offset from the vDSO text; a process that never registered an
 * offset maps the zero page there.  The kernel writes it once, before it
 * is mapped; the vDSO only reads it.
 */
struct vdso_ktls_data {
	__s64 offset;
	__u64 key;
	__u32 size;
	__u32 reserved;
};

#endif /* __VDSO_KTLS_H */
