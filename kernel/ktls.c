// SPDX-License-Identifier: GPL-2.0+
/*
 * Kernel Thread Local Storage (KTLS)
 *
 * A registered thread has an area, at its thread pointer plus an offset
 * that is the same for every thread of the thread group, holding its TID,
 * PID, uid, euid, gid and egid as the matching system calls would return
 * them.  The vDSO's __vdso_ktls_*() functions read it.  The user-space
 * ABI, the registration flow and every error are described in
 * include/uapi/linux/ktls.h and Documentation/userspace-api/ktls.rst.
 *
 * The contract the kernel keeps:
 *
 *  - It writes an area only from the owning thread's own context: when the
 *    thread registers (synchronously, so a bad area is an error of the
 *    call) and on the return to user space after an event marked the area
 *    dirty (credentials, user namespace or its ID maps changed, a fork
 *    child's first return).  Such events set KTLS_TASK_DIRTY and
 *    TIF_NOTIFY_RESUME, as rseq does for cpu_id, so no user instruction of
 *    the thread runs between the change and the rewrite.  Two exceptions
 *    only clear the area's tp word: clone3(CLONE_RSEQ_KTLS), in the parent
 *    and the shared address space before the new thread runs (which also
 *    proves the area writable), and the exit and exec path (as
 *    CLONE_CHILD_CLEARTID clears its word), so that a recycled stack or
 *    TCB cannot present a dead thread's values.
 *  - It never writes errno_value.
 *  - A write that faults kills the process with SIGSEGV, as rseq does: an
 *    area that could not be rewritten must not be read as current.
 *  - Tasks that share the address space and the thread pointer of their
 *    creator (vfork(), CLONE_VM without CLONE_SETTLS) are counted in the
 *    per-address-space vDSO data; while the count is not zero the vDSO
 *    performs the system calls, so a sharer never reads its creator's area.
 *
 * Locking: the registered offset (signal_struct::ktls_offset) is set only
 * while the address space has a single user, and cleared only by execve(),
 * after de_thread().  A task's ktls_area and ktls_tp change only in its own
 * context, or in copy_process() before the child first runs.
 */
#include <linux/bitops.h>
#include <linux/cred.h>
#include <linux/ktls.h>
#include <linux/log2.h>
#include <linux/mm_types.h>
#include <linux/pid.h>
#include <linux/resume_user_mode.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <asm/ktls.h>

/*
 * Where thread pointer @tp puts the area: -EINVAL for a thread pointer of 0
 * or a misaligned area, -EFAULT for one outside the user address space.
 */
static int ktls_area_at(unsigned long tp, long offset,
			struct ktls_area __user **area)
{
	unsigned long addr = tp + offset;

	if (!tp)
		return -EINVAL;
	if (offset < 0 ? addr > tp : addr < tp)
		return -EFAULT;
	if (!IS_ALIGNED(addr, KTLS_AREA_ALIGN))
		return -EINVAL;
	if (!access_ok((void __user *)addr, KTLS_AREA_SIZE))
		return -EFAULT;
	*area = (struct ktls_area __user *)addr;
	return 0;
}

/* Write the current values into current's area. */
static int ktls_write_area(void)
{
	struct task_struct *t = current;
	struct ktls_area __user *area = t->ktls_area;
	const struct cred *cred = current_cred();
	struct user_namespace *ns = cred->user_ns;
	u32 tid = task_pid_vnr(t);
	u32 pid = task_tgid_vnr(t);
	u32 uid = from_kuid_munged(ns, cred->uid);
	u32 euid = from_kuid_munged(ns, cred->euid);
	u32 gid = from_kgid_munged(ns, cred->gid);
	u32 egid = from_kgid_munged(ns, cred->egid);
	u64 tp = t->ktls_tp;

	if (!user_write_access_begin(area, sizeof(*area)))
		return -EFAULT;
	unsafe_put_user(tid, &area->tid, efault);
	unsafe_put_user(pid, &area->pid, efault);
	unsafe_put_user(uid, &area->uid, efault);
	unsafe_put_user(euid, &area->euid, efault);
	unsafe_put_user(gid, &area->gid, efault);
	unsafe_put_user(egid, &area->egid, efault);
	/* Last: the area is valid only once every value is in place. */
	unsafe_put_user(tp, &area->tp, efault);
	user_write_access_end();
	return 0;
efault:
	user_write_access_end();
	return -EFAULT;
}

static int ktls_clear_area(struct ktls_area __user *area)
{
	return put_user((u64)0, &area->tp) ? -EFAULT : 0;
}

static void ktls_forget(struct task_struct *t)
{
	t->ktls_area = NULL;
	t->ktls_tp = 0;
	clear_bit(KTLS_TASK_DIRTY, &t->ktls_flags);
	clear_bit(KTLS_TASK_DROP, &t->ktls_flags);
}

static void ktls_mark(struct task_struct *t, int bit)
{
	set_bit(bit, &t->ktls_flags);
	set_tsk_thread_flag(t, TIF_NOTIFY_RESUME);
}

/* The one path that brings an area up to date, on the return to user. */
void __ktls_handle_notify_resume(void)
{
	struct task_struct *t = current;
	int ret = 0;

	if (test_and_clear_bit(KTLS_TASK_DROP, &t->ktls_flags)) {
		if (t->ktls_area)
			ret = ktls_clear_area(t->ktls_area);
		ktls_forget(t);
	} else if (test_and_clear_bit(KTLS_TASK_DIRTY, &t->ktls_flags) &&
		   t->ktls_area) {
		ret = ktls_write_area();
	}
	if (unlikely(ret))
		force_sigsegv(SIGSEGV);
}

void ktls_creds_changed(struct task_struct *t)
{
	if (t->ktls_area)
		ktls_mark(t, KTLS_TASK_DIRTY);
}

void ktls_thread_pointer_changed(struct task_struct *t)
{
	if (t->ktls_area)
		ktls_mark(t, KTLS_TASK_DROP);
}

/*
 * A uid or gid map of @ns was written: the IDs of every task whose
 * credentials are in @ns now read differently, without a credential
 * change.  Mark their areas dirty and kick them into the kernel.
 */
void ktls_user_ns_changed(struct user_namespace *ns)
{
	struct task_struct *g, *t;

	/* Pairs with smp_mb() in ktls_register(). */
	smp_mb();
	rcu_read_lock();
	for_each_process_thread(g, t) {
		if (READ_ONCE(t->ktls_area) && __task_cred(t)->user_ns == ns) {
			set_bit(KTLS_TASK_DIRTY, &t->ktls_flags);
			set_notify_resume(t);
		}
	}
	rcu_read_unlock();
}

/*
 * Called from copy_process() with the child @p not yet running; may fail.
 * The child starts without an area unless CLONE_RSEQ_KTLS gives it one at
 * its new thread pointer, or it is a fork() child that keeps the parent's
 * thread pointer (and so has a copy of the parent's area).
 */
int ktls_fork(struct task_struct *p, struct kernel_clone_args *args)
{
	u64 flags = args->flags;
	unsigned long tp, child_tp;
	struct ktls_area __user *area;
	long offset;
	int ret;

	p->ktls_area = NULL;
	p->ktls_tp = 0;
	p->ktls_flags = 0;
	if (!(flags & CLONE_THREAD))
		p->signal->ktls_offset = READ_ONCE(current->signal->ktls_offset);
	if (args->fn)	/* Kernel and io threads never run user code. */
		return flags & CLONE_RSEQ_KTLS ? -EINVAL : 0;

	offset = READ_ONCE(current->signal->ktls_offset);
	tp = arch_ktls_thread_pointer(current);
	child_tp = flags & CLONE_SETTLS ? args->tls : tp;

	if (flags & CLONE_RSEQ_KTLS) {
		if (!(flags & CLONE_THREAD) || !(flags & CLONE_SETTLS))
			return -EINVAL;
		if (!offset)
			return -ENOENT;
		ret = ktls_area_at(child_tp, offset, &area);
		if (ret)
			return ret;
		/*
		 * The child's area is in this address space: clearing its tp
		 * word now proves it writable, so that a bad area fails the
		 * clone instead of killing the child on its first return.
		 */
		if (ktls_clear_area(area))
			return -EFAULT;
		p->ktls_area = area;
		p->ktls_tp = child_tp;
		ktls_mark(p, KTLS_TASK_DIRTY);
	} else if (!(flags & CLONE_VM)) {
		if (current->ktls_area && child_tp == tp) {
			p->ktls_area = current->ktls_area;
			p->ktls_tp = current->ktls_tp;
			ktls_mark(p, KTLS_TASK_DIRTY);
		}
	} else if (child_tp == tp) {
		set_bit(KTLS_TASK_TP_SHARER, &p->ktls_flags);
	}
	return 0;
}

/* Called once copy_process() can no longer fail, before @p first runs. */
void ktls_fork_commit(struct task_struct *p)
{
	if (test_bit(KTLS_TASK_TP_SHARER, &p->ktls_flags) &&
	    !vdso_ktls_tp_sharers(p->mm, 1))
		clear_bit(KTLS_TASK_TP_SHARER, &p->ktls_flags);
}

/*
 * @t (current) leaves @mm: it exits or execs.  Called before
 * CLONE_CHILD_CLEARTID stores and wakes, so that a joiner that reuses the
 * thread's memory never sees this late write.
 */
void ktls_mm_release(struct task_struct *t, struct mm_struct *mm)
{
	if (test_and_clear_bit(KTLS_TASK_TP_SHARER, &t->ktls_flags))
		vdso_ktls_tp_sharers(mm, -1);
	/* Nothing to report on failure: the thread is leaving. */
	if (t->ktls_area)
		ktls_clear_area(t->ktls_area);
	ktls_forget(t);
}

/* After a successful execve(): the new image registers afresh. */
void ktls_execve(struct task_struct *t)
{
	ktls_forget(t);
	WRITE_ONCE(t->signal->ktls_offset, 0);
}

static long ktls_get_layout(struct ktls_layout __user *ulayout, u32 len)
{
	struct ktls_layout layout = {
		.size = KTLS_AREA_SIZE,
		.alignment = KTLS_AREA_ALIGN,
		.offset = READ_ONCE(current->signal->ktls_offset),
	};

	if (len != sizeof(layout))
		return -EINVAL;
	if (copy_to_user(ulayout, &layout, sizeof(layout)))
		return -EFAULT;
	return 0;
}

static long ktls_set_offset(struct ktls_layout __user *ulayout, u32 len)
{
	struct ktls_layout layout;
	long ret;

	if (len != sizeof(layout))
		return -EINVAL;
	if (copy_from_user(&layout, ulayout, sizeof(layout)))
		return -EFAULT;
	if (layout.size < KTLS_AREA_SIZE || layout.alignment < KTLS_AREA_ALIGN ||
	    !is_power_of_2(layout.alignment))
		return -EINVAL;
	if (!layout.offset || !IS_ALIGNED(layout.offset, KTLS_AREA_ALIGN) ||
	    layout.offset > KTLS_OFFSET_MAX || layout.offset < -KTLS_OFFSET_MAX)
		return -EINVAL;
	if (READ_ONCE(current->signal->ktls_offset))
		return -EBUSY;
	if (!current_is_single_threaded())
		return -EBUSY;
	ret = vdso_ktls_publish(current->mm, layout.offset);
	if (ret)
		return ret;
	WRITE_ONCE(current->signal->ktls_offset, layout.offset);
	return 0;
}

static long ktls_register(void)
{
	struct task_struct *t = current;
	long offset = READ_ONCE(t->signal->ktls_offset);
	struct ktls_area __user *area;
	unsigned long tp;
	int ret;

	if (t->ktls_area)
		return -EBUSY;
	if (!offset)
		return -ENOENT;
	tp = arch_ktls_thread_pointer(t);
	ret = ktls_area_at(tp, offset, &area);
	if (ret)
		return ret;
	t->ktls_tp = tp;
	WRITE_ONCE(t->ktls_area, area);
	/* Read the ID maps only after a map writer can see the area. */
	smp_mb();
	ret = ktls_write_area();
	if (ret)
		ktls_forget(t);
	else
		clear_bit(KTLS_TASK_DIRTY, &t->ktls_flags);
	return ret;
}

static long ktls_unregister(void)
{
	struct task_struct *t = current;

	if (!t->ktls_area)
		return -ENOENT;
	if (ktls_clear_area(t->ktls_area))
		return -EFAULT;
	ktls_forget(t);
	return 0;
}

/* rseq(uptr, len, flags, sig) with one of the RSEQ_FLAG_KTLS_* flags. */
long ktls_rseq(void __user *uptr, u32 len, int flags, u32 sig)
{
	if ((flags & ~RSEQ_FLAGS_KTLS) || hweight32(flags) != 1 || sig)
		return -EINVAL;

	switch (flags) {
	case RSEQ_FLAG_KTLS_GET_LAYOUT:
		return ktls_get_layout(uptr, len);
	case RSEQ_FLAG_KTLS_SET_OFFSET:
		return ktls_set_offset(uptr, len);
	case RSEQ_FLAG_KTLS_REGISTER:
		if (uptr || len)
			return -EINVAL;
		return ktls_register();
	case RSEQ_FLAG_KTLS_UNREGISTER:
		if (uptr || len)
			return -EINVAL;
		return ktls_unregister();
	}
	return -EINVAL;
}
