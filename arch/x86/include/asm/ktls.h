/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_X86_KTLS_H
#define _ASM_X86_KTLS_H

#include <asm/fsgsbase.h>

/* The thread pointer of the x86-64 psABI is the FS base. */
static inline unsigned long arch_ktls_thread_pointer(struct task_struct *t)
{
	return x86_fsbase_read_task(t);
}

#endif /* _ASM_X86_KTLS_H */
