/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_KTLS_H
#define _LINUX_KTLS_H

#include <linux/sched.h>
#include <uapi/linux/ktls.h>

struct kernel_clone_args;
struct mm_struct;
struct user_namespace;

#ifdef CONFIG_KTLS

/* Bits of task_struct::ktls_flags. */
enum ktls_task_bits {
	KTLS_TASK_DIRTY,	/* values changed: rewrite the area */
	KTLS_TASK_DROP,		/* thread pointer changed: clear, forget */
	KTLS_TASK_TP_SHARER,	/* counted in the mm's tp_sharers */
};

#define RSEQ_FLAGS_KTLS	(RSEQ_FLAG_KTLS_GET_LAYOUT | RSEQ_FLAG_KTLS_SET_OFFSET | \
			 RSEQ_FLAG_KTLS_UNREGISTER | RSEQ_FLAG_KTLS_REGISTER)

long ktls_rseq(void __user *uptr, u32 len, int flags, u32 sig);
int ktls_fork(struct task_struct *p, struct kernel_clone_args *args);
void ktls_fork_commit(struct task_struct *p);
void ktls_mm_release(struct task_struct *t, struct mm_struct *mm);
void ktls_execve(struct task_struct *t);
void ktls_creds_changed(struct task_struct *t);
void ktls_thread_pointer_changed(struct task_struct *t);
void ktls_user_ns_changed(struct user_namespace *ns);
void __ktls_handle_notify_resume(void);

static inline void ktls_handle_notify_resume(void)
{
	if (unlikely(READ_ONCE(current->ktls_flags) &
		     (BIT(KTLS_TASK_DIRTY) | BIT(KTLS_TASK_DROP))))
		__ktls_handle_notify_resume();
}

/* The architecture's vDSO keeps the per-address-space data page. */
int vdso_ktls_publish(struct mm_struct *mm, long offset);
bool vdso_ktls_tp_sharers(struct mm_struct *mm, int delta);

#else /* !CONFIG_KTLS */

static inline int ktls_fork(struct task_struct *p,
			    struct kernel_clone_args *args)
{
	return 0;
}

static inline void ktls_fork_commit(struct task_struct *p) { }

static inline void ktls_mm_release(struct task_struct *t,
				   struct mm_struct *mm) { }

static inline void ktls_execve(struct task_struct *t) { }

static inline void ktls_creds_changed(struct task_struct *t) { }

static inline void ktls_thread_pointer_changed(struct task_struct *t) { }

static inline void ktls_user_ns_changed(struct user_namespace *ns) { }

static inline void ktls_handle_notify_resume(void) { }

#endif /* CONFIG_KTLS */

#endif /* _LINUX_KTLS_H */
