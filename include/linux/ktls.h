/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_KTLS_H
#define _LINUX_KTLS_H

#include <linux/sched.h>
#include <uapi/linux/ktls.h>

struct kernel_clone_args;
struct ktls_mm;
struct mm_struct;
struct page;
struct user_namespace;

#ifdef CONFIG_KTLS

/* Bits of task_struct::ktls_flags. */
enum ktls_task_bits {
	KTLS_TASK_DIRTY,	/* sync the word at the thread pointer */
	KTLS_TASK_MOVED,	/* the FS base may have changed */
};

long ktls_prctl(unsigned long op, unsigned long arg, unsigned long size,
		unsigned long arg5);
int ktls_fork(struct task_struct *p, struct kernel_clone_args *args);
void ktls_fork_commit(struct task_struct *p, struct kernel_clone_args *args);
void ktls_mm_release(struct task_struct *t, struct mm_struct *mm);
void ktls_execve(struct task_struct *t, bool secure);
void ktls_creds_changed(struct task_struct *t);
void ktls_thread_pointer_changed(struct task_struct *t);
void ktls_user_ns_changed(struct user_namespace *ns);
void __ktls_handle_notify_resume(void);

static inline void ktls_handle_notify_resume(void)
{
	if (unlikely(READ_ONCE(current->ktls_flags) &
		     (BIT(KTLS_TASK_DIRTY) | BIT(KTLS_TASK_MOVED))))
		__ktls_handle_notify_resume();
}

/* Per address space state; the architecture keeps the pointer. */
struct ktls_mm *ktls_mm_alloc(long offset, u32 size);
struct ktls_mm *ktls_mm_dup(struct ktls_mm *km);
void ktls_mm_free(struct ktls_mm *km);
struct page *ktls_mm_page(struct ktls_mm *km);

/* The architecture's vDSO maps ktls_mm_page() in the vvar area. */
int arch_ktls_mm_publish(struct mm_struct *mm, struct ktls_mm *km);

#else /* !CONFIG_KTLS */

static inline long ktls_prctl(unsigned long op, unsigned long arg,
			      unsigned long size, unsigned long arg5)
{
	return -EINVAL;
}

static inline int ktls_fork(struct task_struct *p,
			    struct kernel_clone_args *args)
{
	return 0;
}

static inline void ktls_fork_commit(struct task_struct *p,
				    struct kernel_clone_args *args) { }

static inline void ktls_mm_release(struct task_struct *t,
				   struct mm_struct *mm) { }

static inline void ktls_execve(struct task_struct *t, bool secure) { }

static inline void ktls_creds_changed(struct task_struct *t) { }

static inline void ktls_thread_pointer_changed(struct task_struct *t) { }

static inline void ktls_user_ns_changed(struct user_namespace *ns) { }

static inline void ktls_handle_notify_resume(void) { }

#endif /* CONFIG_KTLS */

#endif /* _LINUX_KTLS_H */
