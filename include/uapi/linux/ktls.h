/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _UAPI_LINUX_KTLS_H
#define _UAPI_LINUX_KTLS_H

/**
 * DOC: Overview
 *
 * A KTLS area is a small per-thread structure, placed at a fixed offset
 * from each thread's thread pointer, that the kernel fills and keeps
 * current: the thread's TID and PID as seen in its pid namespace, and its
 * uid, euid, gid and egid as seen in its user namespace.  The vDSO
 * functions __vdso_ktls_gettid() and friends read it; they perform the
 * system call themselves when the calling thread has no valid area, so
 * they never fail and never return another thread's value.
 *
 * The area's layout is private to the kernel and the vDSO: applications
 * call the vDSO functions (or a library wrapping them), not the fields.
 * Only errno_value is user space's to read and write; the kernel never
 * writes it.
 *
 * Registration goes through prctl(PR_KTLS, op, arg, size, 0), with the
 * PR_KTLS operations of <linux/prctl.h>; clone3() takes CLONE_KTLS
 * (<linux/sched.h>); the auxiliary vector carries AT_KTLS_SIZE and
 * AT_KTLS_ALIGN (<linux/auxvec.h>).  A C library follows this flow:
 *
 * 1. At start-up, learn the area's size and alignment from the auxiliary
 *    vector (AT_KTLS_SIZE, AT_KTLS_ALIGN; absent on kernels without
 *    KTLS), or with PR_KTLS_GET_LAYOUT.
 * 2. Reserve that many bytes, so aligned, at the same offset from the
 *    thread pointer in every thread (static TLS or the TCB).
 * 3. While still single-threaded, register the offset for the thread
 *    group with PR_KTLS_SET_OFFSET.  The offset stays until execve(); a
 *    fork() child inherits it.
 * 4. Opt the main thread in with PR_KTLS_REGISTER, and create every
 *    further thread with clone3() and CLONE_KTLS, which gives the child
 *    an area at its new thread pointer plus the offset.
 *
 * A thread has no area when it never opted in, after PR_KTLS_UNREGISTER,
 * after execve(), and after the kernel sees its thread pointer change to
 * another value (arch_prctl(ARCH_SET_FS), ptrace writes of fs_base or of
 * the FS selector): the kernel cannot know that the new TCB reserves the
 * space.  A write of the same value keeps the area, so a debugger that
 * writes back every register costs nothing.
 */

/**
 * DOC: Ownership
 *
 * The area holds an owner word: the owner's thread pointer XORed with a
 * key that belongs to the address space and is never used by another
 * one.  The vDSO trusts the area only when the word matches the calling
 * thread's thread pointer and its address space's key, so memory copied
 * by fork() or shared with another process never validates.  The kernel
 * keeps a registry of every task of the address space by thread pointer:
 * an area is valid only while its owner is the only task with that
 * thread pointer.  A task that comes to share it (a vfork() child, a
 * CLONE_VM child without CLONE_SETTLS, a thread moved onto another's TCB)
 * invalidates the word before its first instruction; both then get the
 * system call.  When the sharer leaves (exit, execve(), a new thread
 * pointer), the owner's area is rewritten on its next entry to the kernel
 * (its next accessor call, at the latest).
 *
 * The kernel writes the area only in the owning thread's own context: on
 * registration, and on the return to user space that follows any change
 * of the values (credentials, user namespace, ID map writes, fork), as
 * rseq does for cpu_id.  It writes nothing when a thread exits or execs,
 * so a thread may unmap the memory of its own area (as a detached thread
 * that frees its stack does); a valid word left behind is invalidated by
 * the next task that arrives at that thread pointer.  If the owner's area
 * cannot be written (unmapped or made read-only), the thread is killed
 * with SIGSEGV (not catchable), as with rseq: the kernel never leaves
 * stale values that look valid.  The same holds for a task that arrives
 * at a thread pointer whose area holds a valid word in memory it cannot
 * write.
 *
 * errno_value belongs to user space: __vdso_ktls_errno_location() returns
 * its address (thread pointer + offset + offsetof(errno_value)) in every
 * thread whose thread pointer is readable and whose slot is mapped, valid
 * area or not, like a __thread variable: a vfork() child shares its
 * parent's slot as it shares the parent's TLS.  It returns NULL when no
 * offset is registered, the thread pointer is unreadable or the slot
 * unmapped.
 *
 * Limits: a thread pointer changed without the kernel (WRFSBASE, loading a
 * segment selector into FS) is not seen; a thread that moves that way
 * onto another live thread's TCB can read that thread's values.  Without
 * FSGSBASE the vDSO takes the thread pointer from the TCB's self pointer
 * (%fs:0), as the psABI defines it.  KTLS is for 64-bit tasks: every
 * operation fails with EINVAL in a 32-bit (ia32 or x32) system call, and
 * 32-bit programs get no AT_KTLS_SIZE or AT_KTLS_ALIGN entries.
 */

#include <linux/types.h>

/**
 * DOC: Operations
 *
 * prctl(PR_KTLS, op, arg, size, 0); the fifth argument is 0 for all of
 * them.
 *
 * PR_KTLS_GET_LAYOUT
 *	copy the kernel's struct ktls_layout to arg, at most size bytes
 *	(size at least KTLS_LAYOUT_SIZE_VER0).  Its offset is the registered
 *	offset, 0 if none.
 * PR_KTLS_SET_OFFSET
 *	register the thread group's offset, from the struct ktls_layout at
 *	arg, size bytes long: a larger struct from newer user space is
 *	accepted when the bytes the kernel does not know are zero.  Its size
 *	is what user space reserves in every thread, at least
 *	KTLS_AREA_SIZE_VER0; the kernel writes no byte of an area beyond it.
 *	Its alignment must be at least KTLS_AREA_ALIGN and a power of two;
 *	its offset a non-zero multiple of KTLS_AREA_ALIGN within plus or
 *	minus KTLS_OFFSET_MAX.
 * PR_KTLS_REGISTER
 *	give the calling thread an area at its thread pointer plus the
 *	registered offset, written before the call returns (arg and size
 *	0).  The area must lie in one private, writable mapping.
 * PR_KTLS_UNREGISTER
 *	remove the calling thread's area (arg and size 0).
 * clone3() with CLONE_KTLS
 *	the child gets an area at its new thread pointer (clone_args.tls)
 *	plus the registered offset, written before its first instruction.
 *	Requires CLONE_THREAD and CLONE_SETTLS, and no task of the address
 *	space may have clone_args.tls as its thread pointer.  Kernels
 *	without KTLS reject it with EINVAL.
 *
 * A fork() child keeps a copy of the forking thread's area, rewritten for
 * it, unless the area's memory is not copied into the child
 * (MADV_DONTFORK) or is shared with the parent.
 */

/**
 * DOC: Errors
 *
 * EINVAL
 *	an unknown operation; a non-zero fifth argument, or arg or size not
 *	as required; a size below KTLS_LAYOUT_SIZE_VER0; SET_OFFSET with a
 *	size below KTLS_AREA_SIZE_VER0, an alignment below KTLS_AREA_ALIGN
 *	or not a power of two, an offset of 0, not a multiple of
 *	KTLS_AREA_ALIGN, or beyond KTLS_OFFSET_MAX; REGISTER or clone3()
 *	with CLONE_KTLS when the thread pointer is 0 or the area would not
 *	be aligned to KTLS_AREA_ALIGN, or when the area lies in a shared
 *	mapping; CLONE_KTLS without CLONE_THREAD and CLONE_SETTLS; any
 *	operation from a 32-bit system call.  Kernels without KTLS answer
 *	EINVAL to PR_KTLS and to CLONE_KTLS.
 * E2BIG
 *	SET_OFFSET with a size larger than the kernel's struct ktls_layout
 *	whose extra bytes are not zero.
 * EFAULT
 *	arg unreadable or unwritable; the area (thread pointer plus offset)
 *	outside the user address space or not in one writable mapping; an
 *	UNREGISTER that could not clear the area (the thread stays
 *	registered).
 * EBUSY
 *	SET_OFFSET when an offset is already registered, or when the
 *	address space is shared with another task (more than one thread, or
 *	a CLONE_VM child); REGISTER when the calling thread already has an
 *	area, or another task of the address space has the same thread
 *	pointer; CLONE_KTLS when a task of the address space has
 *	clone_args.tls as its thread pointer.
 * ENOENT
 *	REGISTER or CLONE_KTLS when no offset is registered; UNREGISTER when
 *	the calling thread has no area.
 * ENOMEM
 *	SET_OFFSET could not allocate the process's vDSO data page.
 * EPERM
 *	SET_OFFSET in a program exec'd with AT_SECURE (setuid, setgid, file
 *	capabilities) or its fork children: their IDs always come from the
 *	system calls, never from memory a bug could forge.
 *
 * clone3() keeps its own errors besides these: for example EPERM for a
 * clone_args.tls beyond the user address space.
 */

/**
 * struct ktls_layout - what the kernel asks user space to reserve
 * @size:	bytes of the area: from the kernel, the bytes it fills
 *		(KTLS_AREA_SIZE here, AT_KTLS_SIZE; it may grow); to the
 *		kernel, the bytes user space reserved.
 * @alignment:	alignment of the area, a power of two.
 * @offset:	offset of the area from the thread pointer, the same in every
 *		thread of the thread group; 0 when none is registered.
 */
struct ktls_layout {
	__u32 size;
	__u32 alignment;
	__s64 offset;
};

/* The first struct ktls_layout: size, alignment, offset. */
#define KTLS_LAYOUT_SIZE_VER0	16

/* The area this kernel fills, and the smallest one user space may reserve. */
#define KTLS_AREA_SIZE		64
#define KTLS_AREA_SIZE_VER0	64
#define KTLS_AREA_ALIGN		64
/* Largest registrable |offset| from the thread pointer. */
#define KTLS_OFFSET_MAX		(1LL << 30)

/**
 * struct ktls_area - one thread's KTLS area
 * @owner:	the owner's thread pointer XORed with the address space's
 *		key; anything else (0 included) when the area is not valid.
 *		The vDSO checks it against the calling thread's thread
 *		pointer before trusting any field.
 * @tid:	gettid() of the owning thread, in its pid namespace.
 * @pid:	getpid() of the owning thread, in its pid namespace.
 * @uid:	getuid(), in the thread's user namespace.
 * @euid:	geteuid(), in the thread's user namespace.
 * @gid:	getgid(), in the thread's user namespace.
 * @egid:	getegid(), in the thread's user namespace.
 * @errno_value: owned by user space (an errno-style slot); never written
 *		by the kernel.
 * @reserved:	kernel-owned, for later fields; user space must not rely on
 *		its contents.
 *
 * Every field except errno_value is written by the kernel only; user
 * space must treat them as read-only and read them through the vDSO.
 */
struct ktls_area {
	__u64 owner;
	__u32 tid;
	__u32 pid;
	__u32 uid;
	__u32 euid;
	__u32 gid;
	__u32 egid;
	__s32 errno_value;
	__u32 reserved[7];
} __attribute__((aligned(KTLS_AREA_ALIGN)));

#endif /* _UAPI_LINUX_KTLS_H */
