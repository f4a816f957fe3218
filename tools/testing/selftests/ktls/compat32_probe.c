// SPDX-License-Identifier: GPL-2.0
/*
 * A 32-bit (ia32) program, built with -m32 -nostdlib, that ktls_owner runs
 * to check that KTLS stays out of 32-bit tasks: no AT_KTLS_* entries in
 * its auxiliary vector, and every prctl(PR_KTLS) operation fails with
 * EINVAL.  Its exit status is 0 when all is right, else a bit per failed
 * check.
 */
#include <asm-generic/errno-base.h>
#include <linux/auxvec.h>
#include <linux/ktls.h>
#include <linux/prctl.h>

#define NR_EXIT_32	1
#define NR_PRCTL_32	172

static long sys(long nr, long a, long b, long c, long d)
{
	long ret;

	__asm__ volatile ("int $0x80"
			  : "=a" (ret)
			  : "0" (nr), "b" (a), "c" (b), "d" (c), "S" (d), "D" (0L)
			  : "memory");
	return ret;
}

static long ktls(long op, void *arg, long size)
{
	return sys(NR_PRCTL_32, PR_KTLS, op, (long)arg, size);
}

static struct ktls_layout layout;

/* Called by _start below. */
void probe_main(unsigned long *sp)
{
	unsigned long argc = sp[0];
	unsigned long *p = sp + 1 + argc + 1;
	int bad = 0;

	while (*p)		/* the environment */
		p++;
	for (p++; p[0] != AT_NULL; p += 2)
		if (p[0] == AT_KTLS_SIZE || p[0] == AT_KTLS_ALIGN)
			bad |= 1;
	if (ktls(PR_KTLS_GET_LAYOUT, &layout, sizeof(layout)) != -EINVAL)
		bad |= 2;
	layout.size = KTLS_AREA_SIZE;
	layout.alignment = KTLS_AREA_ALIGN;
	layout.offset = -KTLS_AREA_SIZE;
	if (ktls(PR_KTLS_SET_OFFSET, &layout, sizeof(layout)) != -EINVAL)
		bad |= 4;
	if (ktls(PR_KTLS_REGISTER, 0, 0) != -EINVAL)
		bad |= 8;
	for (;;)
		sys(NR_EXIT_32, bad, 0, 0, 0);
}

/* The stack pointer at entry points to argc. */
__asm__(".globl _start\n"
	"_start:\n"
	"	mov %esp, %eax\n"
	"	and $-16, %esp\n"
	"	sub $12, %esp\n"
	"	push %eax\n"
	"	call probe_main\n"
	"	hlt\n");
