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
 * The ownership proof.  The vDSO trusts an area only when its owner word
 * equals the calling thread's thread pointer XORed with the address
 * space's key (struct vdso_ktls_data::key, in the vvar page).  The kernel
 * keeps that proof sound on every path it sees:
 *
 *  - Every address space gets a key of its own, never used before: fork
 *    copies, MAP_SHARED memory and any other memory written for another
 *    address space never validate in this one.
 *  - Within an address space, struct ktls_mm files every task that runs
 *    user code under its thread pointer (the FS base on x86-64).  An
 *    owner writes a valid owner word only while it is the only task filed
 *    under its thread pointer, and a task that arrives at a thread
 *    pointer (clone, arch_prctl(ARCH_SET_FS), ptrace) invalidates a valid
 *    word there before its first user instruction.  So a word that
 *    validates was written for the one task that can read it.
 *
 * The contract the kernel keeps:
 *
 *  - It writes an area only from the owning thread's own context: when the
 *    thread registers (synchronously, so a bad area is an error of the
 *    call) and on the return to user space after an event marked the task
 *    (credentials, user namespace or its ID maps changed, a fork or clone
 *    child's first return, a changed thread pointer, the end of a
 *    thread-pointer collision).  Such events set KTLS_TASK_DIRTY (or
 *    KTLS_TASK_MOVED) and TIF_NOTIFY_RESUME, as rseq does for cpu_id, so
 *    no user instruction of the thread runs between the change and the
 *    rewrite.
 *  - It never writes errno_value, and it writes nothing once a thread has
 *    started to exit: a thread may free the memory of its own area.
 *  - An owner whose area cannot be written (unmapped or read-only) is
 *    killed with SIGSEGV, as rseq does: an area that could not be
 *    rewritten must not be read as current.
 *
 * Locking: ktls_mm::lock (a spinlock) orders the registry and every write
 * of an owner word; the writes run with page faults disabled, and a fault
 * is resolved with the lock dropped before the write is tried again.  The
 * registered offset (signal_struct::ktls_offset) is set only while the
 * address space has a single user, and cleared only by execve(), after
 * de_thread().  A task's ktls_area changes only in its own context, or in
 * copy_process() before the child first runs.
 */
#include <linux/bitops.h>
#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/gfp.h>
#include <linux/ktls.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/pagemap.h>
#include <linux/prctl.h>
#include <linux/pid.h>
#include <linux/rbtree.h>
#include <linux/resume_user_mode.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <asm/ktls.h>
#include <vdso/ktls.h>

/**
 * struct ktls_mm - KTLS state of an address space with a registered offset
 * @lock:	orders @tasks and the writes of owner words.
 * @tasks:	every task of the address space that runs user code, ordered
 *		by thread pointer (task_struct::ktls_tp), then by address.
 * @page:	struct vdso_ktls_data, mapped read-only in the vvar area.
 * @data:	@page's contents.
 */
struct ktls_mm {
	spinlock_t lock;	/* orders @tasks and the owner word writes */
	struct rb_root tasks;
	struct page *page;
	struct vdso_ktls_data *data;
};

/* Keys are never reused: bit 63 set, then a count. */
static atomic64_t ktls_key_seq = ATOMIC64_INIT(0);

struct ktls_mm *ktls_mm_alloc(long offset, u32 size)
{
	struct ktls_mm *km = kzalloc(sizeof(*km), GFP_KERNEL);

	if (!km)
		return NULL;
	km->page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!km->page) {
		kfree(km);
		return NULL;
	}
	spin_lock_init(&km->lock);
	km->tasks = RB_ROOT;
	km->data = page_address(km->page);
	km->data->offset = offset;
	km->data->size = size;
	/* Low bits clear: a key never changes an area's alignment bits. */
	km->data->key = BIT_ULL(63) |
			((u64)atomic64_inc_return(&ktls_key_seq) * KTLS_AREA_ALIGN);
	return km;
}

void ktls_mm_free(struct ktls_mm *km)
{
	if (!km)
		return;
	WARN_ON_ONCE(!RB_EMPTY_ROOT(&km->tasks));
	__free_page(km->page);
	kfree(km);
}

struct page *ktls_mm_page(struct ktls_mm *km)
{
	return km->page;
}

/* A fork child's state: the same offset and size, a new key. */
struct ktls_mm *ktls_mm_dup(struct ktls_mm *km)
{
	return ktls_mm_alloc(km->data->offset, km->data->size);
}

/* What a valid owner word says for thread pointer @tp. */
static u64 ktls_owner_word(struct ktls_mm *km, unsigned long tp)
{
	return tp ^ km->data->key;
}

/* ---- the registry: every task of the address space by thread pointer ---- */

static bool ktls_node_less(struct rb_node *a, const struct rb_node *b)
{
	const struct task_struct *ta = rb_entry(a, struct task_struct, ktls_node);
	const struct task_struct *tb = rb_entry(b, struct task_struct, ktls_node);

	if (ta->ktls_tp != tb->ktls_tp)
		return ta->ktls_tp < tb->ktls_tp;
	return ta < tb;
}

static bool ktls_same_tp(struct rb_node *node, unsigned long tp)
{
	return node && rb_entry(node, struct task_struct, ktls_node)->ktls_tp == tp;
}

/* @t is filed and no other task is filed under its thread pointer. */
static bool ktls_alone(struct task_struct *t)
{
	return !ktls_same_tp(rb_prev(&t->ktls_node), t->ktls_tp) &&
	       !ktls_same_tp(rb_next(&t->ktls_node), t->ktls_tp);
}

/* Any task filed under @tp.  Called with km->lock held. */
static struct task_struct *ktls_find_tp(struct ktls_mm *km, unsigned long tp)
{
	struct rb_node *node = km->tasks.rb_node;

	while (node) {
		struct task_struct *t = rb_entry(node, struct task_struct, ktls_node);

		if (tp == t->ktls_tp)
			return t;
		node = tp < t->ktls_tp ? node->rb_left : node->rb_right;
	}
	return NULL;
}

static void ktls_mark(struct task_struct *t, int bit)
{
	set_bit(bit, &t->ktls_flags);
	set_notify_resume(t);
}

static void ktls_file(struct ktls_mm *km, struct task_struct *t)
{
	rb_add(&t->ktls_node, &km->tasks, ktls_node_less);
}

/*
 * Take @t out of the registry.  If that leaves an owner alone under the
 * thread pointer @t leaves, the owner may write a valid word again: mark
 * it.  Called with km->lock held.
 */
static void ktls_unfile(struct ktls_mm *km, struct task_struct *t)
{
	struct rb_node *prev = rb_prev(&t->ktls_node);
	struct rb_node *next = rb_next(&t->ktls_node);
	unsigned long tp = t->ktls_tp;
	struct task_struct *other = NULL;

	rb_erase(&t->ktls_node, &km->tasks);
	RB_CLEAR_NODE(&t->ktls_node);
	if (ktls_same_tp(prev, tp) && !ktls_same_tp(next, tp))
		other = rb_entry(prev, struct task_struct, ktls_node);
	else if (ktls_same_tp(next, tp) && !ktls_same_tp(prev, tp))
		other = rb_entry(next, struct task_struct, ktls_node);
	if (other && other->ktls_area && ktls_alone(other))
		ktls_mark(other, KTLS_TASK_DIRTY);
}

/* ---- areas ---- */

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

/*
 * An area must lie in one private, writable mapping of the caller's
 * address space: -EFAULT when no writable mapping holds it, -EINVAL when
 * the mapping is shared (a fork child would write the parent's memory).
 */
static int ktls_area_mapping(struct ktls_area __user *area)
{
	unsigned long addr = (unsigned long)area;
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	int ret = 0;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	vma = vma_lookup(mm, addr);
	if (!vma || addr + KTLS_AREA_SIZE > vma->vm_end ||
	    !(vma->vm_flags & VM_WRITE))
		ret = -EFAULT;
	else if (vma->vm_flags & (VM_SHARED | VM_MAYSHARE))
		ret = -EINVAL;
	mmap_read_unlock(mm);
	return ret;
}

/*
 * Every field the kernel writes lies in the first KTLS_AREA_SIZE_VER0
 * bytes, the least user space may reserve; fields added later must check
 * the reserved size (struct vdso_ktls_data::size).
 */
static_assert(offsetofend(struct ktls_area, egid) <= KTLS_AREA_SIZE_VER0);

/* Write current's values and owner word, page faults disabled. */
static int ktls_write_area_locked(struct ktls_mm *km, struct ktls_area __user *area)
{
	struct task_struct *t = current;
	const struct cred *cred = current_cred();
	struct user_namespace *ns = cred->user_ns;
	u32 tid = task_pid_vnr(t);
	u32 pid = task_tgid_vnr(t);
	u32 uid = from_kuid_munged(ns, cred->uid);
	u32 euid = from_kuid_munged(ns, cred->euid);
	u32 gid = from_kgid_munged(ns, cred->gid);
	u32 egid = from_kgid_munged(ns, cred->egid);
	u64 owner = ktls_owner_word(km, t->ktls_tp);

	if (!user_write_access_begin(area, sizeof(*area)))
		return -EFAULT;
	/* First: a reader that raced sees no valid word while values change. */
	unsafe_put_user(0ULL, &area->owner, efault);
	unsafe_put_user(tid, &area->tid, efault);
	unsafe_put_user(pid, &area->pid, efault);
	unsafe_put_user(uid, &area->uid, efault);
	unsafe_put_user(euid, &area->euid, efault);
	unsafe_put_user(gid, &area->gid, efault);
	unsafe_put_user(egid, &area->egid, efault);
	/* Last: the area is valid only once every value is in place. */
	unsafe_put_user(owner, &area->owner, efault);
	user_write_access_end();
	return 0;
efault:
	user_write_access_end();
	return -EFAULT;
}

/*
 * Make the owner word at @area invalid if it is valid for @tp, page
 * faults disabled: -EFAULT if it could not be read, -EACCES if a valid
 * word could not be written.  Memory that does not hold a valid word is
 * left alone: a task without an area may have anything at its thread
 * pointer plus the offset.
 */
static int ktls_invalidate_locked(struct ktls_mm *km,
				  struct ktls_area __user *area, unsigned long tp)
{
	u64 word;

	if (__get_user(word, &area->owner))
		return -EFAULT;
	if (word != ktls_owner_word(km, tp))
		return 0;
	return __put_user(0ULL, &area->owner) ? -EACCES : 0;
}

/*
 * Bring the word at current's thread pointer plus the offset to what the
 * registry says: the owner, alone under its thread pointer, writes its
 * values and a valid word; any other task makes a valid word invalid.
 * -EFAULT when the owner's area, or memory holding a valid word, cannot be
 * written.
 */
static int ktls_sync(struct ktls_mm *km)
{
	struct task_struct *t = current;
	struct ktls_area __user *area;
	bool write;
	int ret;

	for (;;) {
		/* A task being killed stops retrying; it writes nothing more. */
		if (fatal_signal_pending(t))
			return -EFAULT;
		spin_lock(&km->lock);
		area = t->ktls_area;
		write = area && ktls_alone(t);
		if (!area && ktls_area_at(t->ktls_tp, km->data->offset, &area)) {
			spin_unlock(&km->lock);
			return 0;	/* no user memory there */
		}
		pagefault_disable();
		if (write)
			ret = ktls_write_area_locked(km, area);
		else
			ret = ktls_invalidate_locked(km, area, t->ktls_tp);
		pagefault_enable();
		spin_unlock(&km->lock);
		if (!ret)
			return 0;
		/* Resolve the fault without the lock, then try again. */
		if (write || ret == -EACCES) {
			if (fault_in_safe_writeable((const char __user *)area, sizeof(*area)))
				return -EFAULT;
		} else if (fault_in_readable((char __user *)&area->owner,
					     sizeof(area->owner))) {
			return 0;	/* nothing mapped: nothing to invalidate */
		}
	}
}

/*
 * A task with an area is listed in the user namespace of its credentials,
 * so that a write of that namespace's ID maps finds the areas to rewrite
 * without walking unrelated tasks.
 */
static void ktls_ns_add(struct task_struct *t, struct user_namespace *ns)
{
	spin_lock(&ns->ktls_lock);
	list_add(&t->ktls_ns_node, &ns->ktls_tasks);
	t->ktls_ns = ns;
	spin_unlock(&ns->ktls_lock);
}

static void ktls_ns_del(struct task_struct *t)
{
	struct user_namespace *ns = t->ktls_ns;

	if (!ns)
		return;
	spin_lock(&ns->ktls_lock);
	list_del(&t->ktls_ns_node);
	t->ktls_ns = NULL;
	spin_unlock(&ns->ktls_lock);
}

/* The area of @t no longer exists for the kernel. */
static void ktls_forget(struct task_struct *t)
{
	ktls_ns_del(t);
	t->ktls_area = NULL;
	clear_bit(KTLS_TASK_DIRTY, &t->ktls_flags);
}

static struct ktls_mm *ktls_mm_of(struct mm_struct *mm)
{
	/* Pairs with smp_store_release() in arch_ktls_mm_publish(). */
	return mm ? smp_load_acquire(arch_ktls_mm(mm)) : NULL;
}

/*
 * File current anew when its thread pointer changed: it loses any area
 * (registered for the old thread pointer) and must invalidate what a
 * valid word at the new one says.
 */
static void ktls_moved(struct ktls_mm *km)
{
	struct task_struct *t = current;
	unsigned long tp = arch_ktls_thread_pointer(t);

	if (tp == t->ktls_tp)
		return;
	spin_lock(&km->lock);
	ktls_unfile(km, t);
	t->ktls_tp = tp;
	ktls_file(km, t);
	spin_unlock(&km->lock);
	ktls_forget(t);
	set_bit(KTLS_TASK_DIRTY, &t->ktls_flags);
}

/* The one path that brings an area up to date, on the return to user. */
void __ktls_handle_notify_resume(void)
{
	struct task_struct *t = current;
	struct ktls_mm *km = ktls_mm_of(t->mm);

	if (!km || RB_EMPTY_NODE(&t->ktls_node)) {
		clear_bit(KTLS_TASK_MOVED, &t->ktls_flags);
		ktls_forget(t);
		return;
	}
	if (test_and_clear_bit(KTLS_TASK_MOVED, &t->ktls_flags))
		ktls_moved(km);
	/* Fully ordered: a later event marks the task again. */
	if (!test_and_clear_bit(KTLS_TASK_DIRTY, &t->ktls_flags))
		return;
	if (unlikely(ktls_sync(km)))
		force_sigsegv(SIGSEGV);
}

/* Called by commit_creds(), for current, with the new credentials in. */
void ktls_creds_changed(struct task_struct *t)
{
	struct user_namespace *ns = current_user_ns();

	if (!t->ktls_area)
		return;
	if (t->ktls_ns != ns) {
		ktls_ns_del(t);
		ktls_ns_add(t, ns);
	}
	ktls_mark(t, KTLS_TASK_DIRTY);
}

/*
 * @t's FS base may have been written (arch_prctl(), ptrace).  Called in
 * any context, even atomic; @t sorts it out on its return to user mode.
 */
void ktls_thread_pointer_changed(struct task_struct *t)
{
	ktls_mark(t, KTLS_TASK_MOVED);
}

/*
 * A uid or gid map of @ns was written: the IDs of every task whose
 * credentials are in @ns now read differently, without a credential
 * change.  Mark their areas dirty and kick them into the kernel.  The
 * cost is that of the tasks with an area in @ns, whatever else runs.
 */
void ktls_user_ns_changed(struct user_namespace *ns)
{
	struct task_struct *t;

	/*
	 * The maps are written before the lock is taken: a task listed
	 * after it is released reads them when it writes its area.
	 */
	spin_lock(&ns->ktls_lock);
	list_for_each_entry(t, &ns->ktls_tasks, ktls_ns_node)
		ktls_mark(t, KTLS_TASK_DIRTY);
	spin_unlock(&ns->ktls_lock);
}

/*
 * Whether an area at @addr in @mm comes along into a fork child: only from
 * a private mapping that fork copies.  Called by the parent.
 */
static bool ktls_area_forks(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma;
	bool ret;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	ret = vma && !(vma->vm_flags & (VM_SHARED | VM_MAYSHARE | VM_DONTCOPY));
	mmap_read_unlock(mm);
	return ret;
}

/*
 * Called from copy_process() with the child @p not yet running, after
 * copy_mm(); may fail.  The child starts without an area unless
 * CLONE_KTLS gives it one at its new thread pointer, or it is a fork()
 * child that keeps the parent's thread pointer (and so has a copy of the
 * parent's area).
 */
int ktls_fork(struct task_struct *p, struct kernel_clone_args *args)
{
	u64 flags = args->flags;
	struct ktls_area __user *area;
	unsigned long child_tp;
	struct ktls_mm *km;
	long offset;
	int ret;

	p->ktls_area = NULL;
	p->ktls_tp = 0;
	p->ktls_flags = 0;
	p->ktls_ns = NULL;
	RB_CLEAR_NODE(&p->ktls_node);
	if (!(flags & CLONE_THREAD)) {
		p->signal->ktls_offset = READ_ONCE(current->signal->ktls_offset);
		p->signal->ktls_denied = current->signal->ktls_denied;
	}
	if (args->fn)	/* Kernel and io threads never run user code. */
		return flags & CLONE_KTLS ? -EINVAL : 0;

	offset = READ_ONCE(current->signal->ktls_offset);
	/* After copy_thread(): the FS base the child will run on. */
	child_tp = arch_ktls_thread_pointer(p);
	p->ktls_tp = child_tp;

	if (flags & CLONE_KTLS) {
		if (!(flags & CLONE_THREAD) || !(flags & CLONE_SETTLS) ||
		    in_compat_syscall())
			return -EINVAL;
		km = ktls_mm_of(current->mm);
		if (!offset || !km)
			return -ENOENT;
		ret = ktls_area_at(child_tp, offset, &area);
		if (!ret)
			ret = ktls_area_mapping(area);
		if (ret)
			return ret;
		/* Early answer only: the registry decides again on commit. */
		spin_lock(&km->lock);
		ret = ktls_find_tp(km, child_tp) ? -EBUSY : 0;
		spin_unlock(&km->lock);
		if (ret)
			return ret;
		p->ktls_area = area;
	} else if (!(flags & CLONE_VM) && current->ktls_area &&
		   child_tp == current->ktls_tp &&
		   ktls_area_forks(current->mm, (unsigned long)current->ktls_area)) {
		p->ktls_area = current->ktls_area;
	}
	return 0;
}

/*
 * Called once copy_process() can no longer fail, before @p first runs:
 * file @p in its address space's registry.  Its first return to user mode
 * writes its area, or invalidates a valid word at its thread pointer.
 */
void ktls_fork_commit(struct task_struct *p, struct kernel_clone_args *args)
{
	struct ktls_mm *km;

	if (args->fn)
		return;
	km = ktls_mm_of(p->mm);
	if (!km) {
		p->ktls_area = NULL;
		return;
	}
	spin_lock(&km->lock);
	ktls_file(km, p);
	spin_unlock(&km->lock);
	if (p->ktls_area)
		ktls_ns_add(p, task_cred_xxx(p, user_ns));
	ktls_mark(p, KTLS_TASK_DIRTY);
}

/*
 * @t (current) leaves @mm: it exits or execs.  Nothing is written: the
 * thread's memory may be gone already.  A valid word it leaves behind is
 * invalidated by the next task that arrives at its thread pointer.
 */
void ktls_mm_release(struct task_struct *t, struct mm_struct *mm)
{
	struct ktls_mm *km = ktls_mm_of(mm);

	if (km && !RB_EMPTY_NODE(&t->ktls_node)) {
		spin_lock(&km->lock);
		ktls_unfile(km, t);
		spin_unlock(&km->lock);
	}
	ktls_forget(t);
	clear_bit(KTLS_TASK_MOVED, &t->ktls_flags);
}

/*
 * After a successful execve(): the new image registers afresh, unless it
 * runs with AT_SECURE (setuid, setgid, file capabilities): its IDs then
 * come from the kernel only, never from memory a bug could overwrite.
 */
void ktls_execve(struct task_struct *t, bool secure)
{
	ktls_forget(t);
	WRITE_ONCE(t->signal->ktls_offset, 0);
	t->signal->ktls_denied = secure;
}

static long ktls_get_layout(struct ktls_layout __user *ulayout, size_t usize)
{
	struct ktls_layout layout = {
		.size = KTLS_AREA_SIZE,
		.alignment = KTLS_AREA_ALIGN,
		.offset = READ_ONCE(current->signal->ktls_offset),
	};

	if (usize < KTLS_LAYOUT_SIZE_VER0)
		return -EINVAL;
	if (copy_to_user(ulayout, &layout, min(usize, sizeof(layout))))
		return -EFAULT;
	return 0;
}

static long ktls_set_offset(struct ktls_layout __user *ulayout, size_t usize)
{
	struct task_struct *t = current;
	struct ktls_layout layout;
	struct ktls_mm *km;
	long ret;

	if (usize < KTLS_LAYOUT_SIZE_VER0)
		return -EINVAL;
	ret = copy_struct_from_user(&layout, sizeof(layout), ulayout, usize);
	if (ret)
		return ret;
	if (layout.size < KTLS_AREA_SIZE_VER0 ||
	    layout.alignment < KTLS_AREA_ALIGN || !is_power_of_2(layout.alignment))
		return -EINVAL;
	if (!layout.offset || !IS_ALIGNED(layout.offset, KTLS_AREA_ALIGN) ||
	    layout.offset > KTLS_OFFSET_MAX || layout.offset < -KTLS_OFFSET_MAX)
		return -EINVAL;
	if (t->signal->ktls_denied)
		return -EPERM;
	if (READ_ONCE(t->signal->ktls_offset))
		return -EBUSY;
	if (!current_is_single_threaded())
		return -EBUSY;
	km = ktls_mm_alloc(layout.offset, min_t(u32, layout.size, KTLS_AREA_SIZE));
	if (!km)
		return -ENOMEM;
	/* Alone in the address space: nobody else can be filed meanwhile. */
	t->ktls_tp = arch_ktls_thread_pointer(t);
	ktls_file(km, t);
	ret = arch_ktls_mm_publish(t->mm, km);
	if (ret) {
		RB_CLEAR_NODE(&t->ktls_node);
		km->tasks = RB_ROOT;
		ktls_mm_free(km);
		return ret;
	}
	WRITE_ONCE(t->signal->ktls_offset, layout.offset);
	return 0;
}

static long ktls_register(void)
{
	struct task_struct *t = current;
	long offset = READ_ONCE(t->signal->ktls_offset);
	struct ktls_mm *km = ktls_mm_of(t->mm);
	struct ktls_area __user *area;
	int ret;

	if (t->ktls_area)
		return -EBUSY;
	if (!offset || !km || RB_EMPTY_NODE(&t->ktls_node))
		return -ENOENT;
	/* File the thread under its FS base as it is now. */
	clear_bit(KTLS_TASK_MOVED, &t->ktls_flags);
	ktls_moved(km);
	ret = ktls_area_at(t->ktls_tp, offset, &area);
	if (!ret)
		ret = ktls_area_mapping(area);
	if (ret)
		return ret;
	spin_lock(&km->lock);
	if (!ktls_alone(t)) {
		spin_unlock(&km->lock);
		return -EBUSY;
	}
	WRITE_ONCE(t->ktls_area, area);
	spin_unlock(&km->lock);
	/*
	 * Listed before the ID maps are read: a map writer that takes the
	 * list's lock later marks the task; one that took it earlier wrote
	 * the maps before, and they are read after the lock.
	 */
	ktls_ns_add(t, current_user_ns());
	test_and_clear_bit(KTLS_TASK_DIRTY, &t->ktls_flags);
	if (!ktls_sync(km))
		return 0;
	ktls_forget(t);
	return -EFAULT;
}

static long ktls_unregister(void)
{
	struct task_struct *t = current;
	struct ktls_mm *km = ktls_mm_of(t->mm);
	struct ktls_area __user *area = t->ktls_area;
	int ret;

	if (!area || !km)
		return -ENOENT;
	for (;;) {
		if (fatal_signal_pending(t))
			return -EINTR;
		spin_lock(&km->lock);
		pagefault_disable();
		ret = ktls_invalidate_locked(km, area, t->ktls_tp);
		pagefault_enable();
		if (!ret)
			ktls_forget(t);
		spin_unlock(&km->lock);
		if (!ret)
			return 0;
		if (fault_in_safe_writeable((const char __user *)area, sizeof(*area)))
			return -EFAULT;
	}
}

/* prctl(PR_KTLS, op, arg, size, arg5) */
long ktls_prctl(unsigned long op, unsigned long arg, unsigned long size,
		unsigned long arg5)
{
	void __user *uptr = (void __user *)arg;

	if (arg5)
		return -EINVAL;
	/* The 32-bit ABIs have no KTLS vDSO and another thread pointer. */
	if (in_compat_syscall())
		return -EINVAL;

	switch (op) {
	case PR_KTLS_GET_LAYOUT:
		return ktls_get_layout(uptr, size);
	case PR_KTLS_SET_OFFSET:
		return ktls_set_offset(uptr, size);
	case PR_KTLS_REGISTER:
		if (arg || size)
			return -EINVAL;
		return ktls_register();
	case PR_KTLS_UNREGISTER:
		if (arg || size)
			return -EINVAL;
		return ktls_unregister();
	}
	return -EINVAL;
}
