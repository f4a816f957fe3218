/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * x86-64 specifics of libktls: raw system calls, the thread pointer, the
 * TCB of threads made by ktls_thread_create() and the clone3() trampoline.
 *
 * Nothing here touches errno or any other C library thread-local state,
 * so it is usable in a signal handler and in a thread whose TLS block was
 * not set up by the C library.
 */
#ifndef _KTLS_ARCH_X86_64_H
#define _KTLS_ARCH_X86_64_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>

#define KTLS_ARCH_ELF_MACHINE	EM_X86_64

/* For C library headers older than the system calls. */
#ifndef SYS_clone3
#define SYS_clone3		435
#endif

/* The kernel's sigset_t: 64 signals. */
#define KTLS_ARCH_SIGSET_SIZE	8

/*
 * TCB of a thread made by ktls_thread_create(), at its thread pointer
 * (psABI TLS variant II: static TLS lies below it).  Word 0 points to
 * itself, as the psABI requires; 0x28 holds the stack protector canary
 * that GCC and Clang read as %fs:0x28.
 */
#define KTLS_ARCH_TCB_SIZE	64
#define KTLS_ARCH_TCB_ALIGN	64
#define KTLS_ARCH_TCB_CANARY	0x28

static inline long ktls_arch_syscall0(long nr)
{
	long ret;

	asm volatile ("syscall"
		      : "=a" (ret)
		      : "a" (nr)
		      : "rcx", "r11", "memory");
	return ret;
}

static inline long ktls_arch_syscall4(long nr, long a1, long a2, long a3,
				      long a4)
{
	register long r10 asm ("r10") = a4;
	long ret;

	asm volatile ("syscall"
		      : "=a" (ret)
		      : "a" (nr), "D" (a1), "S" (a2), "d" (a3), "r" (r10)
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

/* Fill the TCB at @tp of a new thread. */
static inline void ktls_arch_init_tcb(void *tp)
{
	uintptr_t canary;

	asm ("mov %%fs:%c1, %0" : "=r" (canary) : "i" (KTLS_ARCH_TCB_CANARY));
	*(void **)tp = tp;
	*(uintptr_t *)((char *)tp + KTLS_ARCH_TCB_CANARY) = canary;
}

/*
 * clone3(@args, @size).  In the child, which starts on the stack and with
 * the thread pointer given in @args, call @entry(@arg) and exit the thread
 * with its return value; the child never returns here.  In the parent,
 * return the child's TID or a negative errno.
 */
static inline long ktls_arch_clone3(void *args, size_t size,
				    int (*entry)(void *), void *arg)
{
	register long rax asm ("rax") = SYS_clone3;
	register void *rdi asm ("rdi") = args;
	register size_t rsi asm ("rsi") = size;
	register int (*rdx)(void *) asm ("rdx") = entry;
	register void *r8 asm ("r8") = arg;

	asm volatile ("syscall\n\t"
		      "test %%rax, %%rax\n\t"
		      "jnz 1f\n\t"
		      /* child: new stack, new thread pointer */
		      "xor %%ebp, %%ebp\n\t"
		      "and $-16, %%rsp\n\t"
		      "mov %%r8, %%rdi\n\t"
		      "call *%%rdx\n\t"
		      "mov %%eax, %%edi\n\t"
		      "mov %[nr_exit], %%eax\n\t"
		      "syscall\n\t"
		      "hlt\n"
		      "1:"
		      : "+r" (rax)
		      : "r" (rdi), "r" (rsi), "r" (rdx), "r" (r8),
			[nr_exit] "i" (SYS_exit)
		      : "rcx", "r11", "memory", "cc");
	return rax;
}

#endif /* _KTLS_ARCH_X86_64_H */
