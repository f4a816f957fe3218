// SPDX-License-Identifier: GPL-2.0
/*
 * Generic vDSO accessors for Kernel Thread Local Storage (KTLS).
 *
 * Each accessor answers a system call (gettid(), getuid(), ...) from the
 * calling thread's KTLS area, found at its thread pointer plus the
 * process's registered offset, and performs the system call itself when
 * the thread has no valid area.  It never fails and never answers with
 * another task's value:
 *
 *  - no offset registered (the vvar data says 0): system call;
 *  - the thread pointer cannot be read (0, or no TCB behind it) or is not
 *    a user-space address: system call;
 *  - the load from the area faults (unmapped, kernel or non-canonical
 *    address): the exception table lands in the system call;
 *  - the area's owner word differs from the thread pointer XOR the
 *    address space's key (never registered, unregistered, another task
 *    shares the thread pointer, copied by fork, garbage): system call.
 *
 * The architecture supplies, in <asm/vdso/ktls.h>:
 *
 *  __arch_get_vdso_ktls_data()	the process's struct vdso_ktls_data
 *  __arch_ktls_thread_pointer()	the thread pointer, 0 if unreadable
 *  __arch_ktls_load_u64(off, val)	load from thread pointer + off;
 *  __arch_ktls_load_u32(off, val)	false, and no signal, if it faulted
 *  __arch_ktls_syscall0(nr)		system call @nr without arguments
 */
#include <vdso/ktls.h>
#include <asm/vdso/ktls.h>

#define KTLS_FIELD(field)	__builtin_offsetof(struct ktls_area, field)

/*
 * The offset of the calling thread's area from its thread pointer, or 0
 * when the thread has no valid area.  *tp receives the thread pointer.
 * A user-space thread pointer is positive, and the key has bit 63 set, so
 * zeroed memory never validates.
 */
static __always_inline long ktls_area_offset(unsigned long *tp)
{
	const struct vdso_ktls_data *vd = __arch_get_vdso_ktls_data();
	long offset = READ_ONCE(vd->offset);
	__u64 owner;

	if (!offset)
		return 0;
	*tp = __arch_ktls_thread_pointer();
	if ((long)*tp <= 0)
		return 0;
	if (!__arch_ktls_load_u64(offset + KTLS_FIELD(owner), &owner) ||
	    (owner ^ READ_ONCE(vd->key)) != *tp)
		return 0;
	return offset;
}

static __always_inline __u32 ktls_read_u32(long field, long nr)
{
	unsigned long tp;
	long offset = ktls_area_offset(&tp);
	__u32 val;

	if (likely(offset) && likely(__arch_ktls_load_u32(offset + field, &val)))
		return val;
	return __arch_ktls_syscall0(nr);
}

static __always_inline int __cvdso_ktls_gettid(void)
{
	return ktls_read_u32(KTLS_FIELD(tid), __NR_gettid);
}

static __always_inline int __cvdso_ktls_getpid(void)
{
	return ktls_read_u32(KTLS_FIELD(pid), __NR_getpid);
}

static __always_inline unsigned int __cvdso_ktls_getuid(void)
{
	return ktls_read_u32(KTLS_FIELD(uid), __NR_getuid);
}

static __always_inline unsigned int __cvdso_ktls_geteuid(void)
{
	return ktls_read_u32(KTLS_FIELD(euid), __NR_geteuid);
}

static __always_inline unsigned int __cvdso_ktls_getgid(void)
{
	return ktls_read_u32(KTLS_FIELD(gid), __NR_getgid);
}

static __always_inline unsigned int __cvdso_ktls_getegid(void)
{
	return ktls_read_u32(KTLS_FIELD(egid), __NR_getegid);
}

/*
 * The calling thread's errno slot: its thread pointer plus the offset, as
 * a __thread variable would be, whether or not the kernel's fields are
 * valid there; NULL when no offset is registered, the thread pointer
 * cannot be read, or no memory is mapped at the slot.
 */
static __always_inline int *__cvdso_ktls_errno_location(void)
{
	const struct vdso_ktls_data *vd = __arch_get_vdso_ktls_data();
	long offset = READ_ONCE(vd->offset);
	unsigned long tp;
	__u32 val;

	if (!offset)
		return (int *)0;
	tp = __arch_ktls_thread_pointer();
	if ((long)tp <= 0 ||
	    !__arch_ktls_load_u32(offset + KTLS_FIELD(errno_value), &val))
		return (int *)0;
	return (int *)(tp + offset + KTLS_FIELD(errno_value));
}
