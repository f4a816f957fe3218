// SPDX-License-Identifier: GPL-2.0
/*
 * kt_clone3(); see kt_clone3.h.  In assembly: the child must not return
 * into the parent's frame, and runs on a stack the compiler knows nothing
 * of.  It starts with every register but rax, rcx and r11 (syscall's) as
 * the parent had them, so fn and arg travel in r8 and r9.  The new stack's
 * top is 16-byte aligned, and the call keeps the psABI's alignment.
 */
#include "kt_clone3.h"

__asm__("	.text\n"
	"	.p2align 4\n"
	"	.globl kt_clone3\n"
	"	.hidden kt_clone3\n"
	"	.type kt_clone3, @function\n"
	"kt_clone3:\n"
	"	mov %rdx, %r8\n"
	"	mov %rcx, %r9\n"
	"	mov $435, %eax\n"	/* __NR_clone3 */
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jz 1f\n"
	"	ret\n"
	"1:	xor %ebp, %ebp\n"
	"	mov %r9, %rdi\n"
	"	call *%r8\n"
	"	ud2\n"
	"	.size kt_clone3, .-kt_clone3\n");
