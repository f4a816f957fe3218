/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_X86_KTLS_H
#define _ASM_X86_KTLS_H

#include <linux/mm_types.h>
#include <asm/fsgsbase.h>

/* The thread pointer of the x86-64 psABI is the FS base. */
static inline unsigned long arch_ktls_thread_pointer(struct task_struct *t)
{
	return x86_fsbase_read_task(t);
}

/* Where the address space keeps its struct ktls_mm (NULL: none). */
static inline struct ktls_mm **arch_ktls_mm(struct mm_struct *mm)
{
	return &mm->context.ktls;
}

#endif /* _ASM_X86_KTLS_H */
