/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * x86-64 specifics of libktls: raw system calls and the thread pointer.
 *
 * Nothing here touches errno or any other C library thread-local state,
 * so it is usable in a signal handler.
 */
#ifndef _KTLS_ARCH_X86_64_H
#define _KTLS_ARCH_X86_64_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>

#define KTLS_ARCH_ELF_MACHINE	EM_X86_64

static inline long ktls_arch_syscall0(long nr)
{
	long ret;

	asm volatile ("syscall"
		      : "=a" (ret)
		      : "a" (nr)
		      : "rcx", "r11", "memory");
	return ret;
}

static inline long ktls_arch_syscall6(long nr, long a1, long a2, long a3,
				      long a4, long a5, long a6)
{
	register long r10 asm ("r10") = a4;
	register long r8 asm ("r8") = a5;
	register long r9 asm ("r9") = a6;
	long ret;

	asm volatile ("syscall"
		      : "=a" (ret)
		      : "a" (nr), "D" (a1), "S" (a2), "d" (a3), "r" (r10),
			"r" (r8), "r" (r9)
		      : "rcx", "r11", "memory");
	return ret;
}

/* The thread pointer: the psABI TCB's first word holds its own address. */
static inline void *ktls_arch_thread_pointer(void)
{
	void *tp;

	asm ("mov %%fs:0, %0" : "=r" (tp));
	return tp;
}

#endif /* _KTLS_ARCH_X86_64_H */
