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

#define RSEQ_FLAGS_KTLS	(RSEQ_FLAG_KTLS_GET_LAYOUT | RSEQ_FLAG_KTLS_SET_OFFSET | \
			 RSEQ_FLAG_KTLS_UNREGISTER | RSEQ_FLAG_KTLS_REGISTER)

long ktls_rseq(void __user *uptr, u32 len, int flags, u32 sig);
int ktls_fork(struct task_struct *p, struct kernel_clone_args *args);
void ktls_fork_commit(struct task_struct *p, struct kernel_clone_args *args);
void ktls_mm_release(struct task_struct *t, struct mm_struct *mm);
void ktls_execve(struct task_struct *t);
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
struct ktls_mm *ktls_mm_alloc(long offset);
void ktls_mm_free(struct ktls_mm *km);
struct page *ktls_mm_page(struct ktls_mm *km);
long ktls_mm_offset(struct ktls_mm *km);

/* The architecture's vDSO maps ktls_mm_page() in the vvar area. */
int arch_ktls_mm_publish(struct mm_struct *mm, struct ktls_mm *km);

#else /* !CONFIG_KTLS */

static inline int ktls_fork(struct task_struct *p,
			    struct kernel_clone_args *args)
{
	return 0;
}

static inline void ktls_fork_commit(struct task_struct *p,
				    struct kernel_clone_args *args) { }

static inline void ktls_mm_release(struct task_struct *t,
				   struct mm_struct *mm) { }

static inline void ktls_execve(struct task_struct *t) { }

static inline void ktls_creds_changed(struct task_struct *t) { }

static inline void ktls_thread_pointer_changed(struct task_struct *t) { }

static inline void ktls_user_ns_changed(struct user_namespace *ns) { }

static inline void ktls_handle_notify_resume(void) { }

#endif /* CONFIG_KTLS */

#endif /* _LINUX_KTLS_H */
