// SPDX-License-Identifier: GPL-2.0
/*
 * KTLS areas the kernel cannot write: when the values change (here, the
 * credentials) and the area is read-only or unmapped, the thread gets
 * SIGSEGV, as with rseq; REGISTER and UNREGISTER report EFAULT instead.
 * Each case runs in a forked child whose fate the test's process judges.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "ktls_util.h"

#define NS_SKIP		100

struct fault_res {
	long unreg, setfs, reg, protect, change;
	long r1, r2;
	__u64 tp_after;
	int stage;		/* __atomic accesses: the child may die */
	struct kt_snap before, readonly, after;
};

static struct fault_res *fres;
static unsigned long page_size;

/* What a raw thread of a child is to do with its area's page. */
struct fault_arg {
	bool rdonly;
	bool unreg;		/* UNREGISTER rather than REGISTER */
	unsigned long page;
};

FIXTURE(fault) {
};

FIXTURE_SETUP(fault)
{
	kt_setup_or_skip(_metadata);
	page_size = sysconf(_SC_PAGESIZE);
	fres = kt_shared_alloc(sizeof(*fres));
}

FIXTURE_TEARDOWN(fault)
{
}

/* The stage the child reached (it may have died right after). */
static int fres_stage(void)
{
	return __atomic_load_n(&fres->stage, __ATOMIC_RELAXED);
}

/* The child was killed by SIGSEGV at stage 1, before the change returned. */
static bool segv_at_stage_1(int st)
{
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && fres_stage() == 1;
}

static unsigned long area_page(const struct kt_thread *t)
{
	return (unsigned long)t->area & ~(page_size - 1);
}

/* ---- single-threaded: the main thread moved onto a TCB of ours ---- */

enum fkind { F_CONTROL, F_RDONLY, F_UNMAP };

static int single_child(void *arg)
{
	enum fkind k = (enum fkind)(long)arg;
	struct kt_thread t;
	unsigned long apage;

	if (kt_thread_prepare(&t, 0))
		return 250;
	apage = area_page(&t);
	/* From here on: raw system calls only, glibc's TLS is left behind. */
	fres->unreg = kt_unregister();
	fres->setfs = kt_set_fs(t.tls);
	fres->reg = kt_register();
	if (fres->unreg || fres->setfs || fres->reg)
		for (;;)
			kt_sys1(SYS_exit_group, 2);
	kt_snap_take(&fres->before, t.area);
	if (k == F_RDONLY) {
		fres->protect = kt_sys3(SYS_mprotect, apage, page_size,
					PROT_READ);
		kt_snap_take(&fres->readonly, t.area);
	} else if (k == F_UNMAP) {
		fres->protect = kt_sys2(SYS_munmap, apage, page_size);
	}
	__atomic_store_n(&fres->stage, 1, __ATOMIC_RELAXED);
	/* A new user namespace changes every id the area shows. */
	fres->change = kt_sys1(SYS_unshare, CLONE_NEWUSER);
	__atomic_store_n(&fres->stage, 2, __ATOMIC_RELAXED);
	if (fres->change)
		for (;;)
			kt_sys1(SYS_exit_group, NS_SKIP);
	if (k == F_CONTROL)
		kt_snap_take(&fres->after, t.area);
	for (;;)
		kt_sys1(SYS_exit_group, 0);
	return 0;
}

/*
 * The main thread of a child moves onto a TCB of ours and registers
 * there; its area's page is left writable (the control: the area and the
 * vDSO follow the change), made read-only or unmapped (SIGSEGV on the
 * return from the change, stage 1); then unshare(CLONE_NEWUSER) changes
 * every id the area shows.
 */
TEST_F(fault, single_thread)
{
	static const char *const what[] = {
		[F_CONTROL] = "writable area", [F_RDONLY] = "read-only area",
		[F_UNMAP] = "unmapped area",
	};
	int k, st;

	for (k = F_CONTROL; k <= F_UNMAP; k++) {
		memset(fres, 0, sizeof(*fres));
		st = kt_fork_run(single_child, (void *)(long)k);
		if (WIFEXITED(st) && WEXITSTATUS(st) == NS_SKIP)
			SKIP(return, "unshare(CLONE_NEWUSER) -> %s",
			     kt_ret_str(fres->change));
		EXPECT_EQ(0, fres->unreg) TH_LOG("%s", what[k]);
		EXPECT_EQ(0, fres->setfs) TH_LOG("%s", what[k]);
		EXPECT_EQ(0, fres->reg) TH_LOG("%s", what[k]);
		EXPECT_EQ(0, fres->protect) TH_LOG("%s", what[k]);
		kt_expect_snap(_metadata, &fres->before, KT_EXPECT_AREA,
			       "registered on our TCB");
		if (k == F_RDONLY)
			kt_expect_snap(_metadata, &fres->readonly, KT_EXPECT_AREA,
				       "read-only area before the change");
		if (k != F_CONTROL) {
			EXPECT_TRUE(segv_at_stage_1(st))
				TH_LOG("%s: %s at stage %d", what[k],
				       kt_status_str(st), fres_stage());
			continue;
		}
		kt_expect_exit0(_metadata, st, what[k]);
		kt_expect_snap(_metadata, &fres->after, KT_EXPECT_AREA,
			       "after unshare(CLONE_NEWUSER)");
		EXPECT_NE(fres->before.sys.uid, fres->after.sys.uid);
	}
}

/* ---- a raw thread in a multi-threaded child (root) ---- */

static KT_RAW int ro_thread_fn(struct kt_thread *t)
{
	struct fault_arg *a = t->arg;

	if (a->rdonly)
		fres->protect = kt_sys3(SYS_mprotect, a->page, page_size,
					PROT_READ);
	kt_snap_take(&fres->before, t->area);
	__atomic_store_n(&fres->stage, 1, __ATOMIC_RELAXED);
	fres->change = kt_sys3(SYS_setresuid, 1001, 1001, 1001);
	__atomic_store_n(&fres->stage, 2, __ATOMIC_RELAXED);
	kt_snap_take(&fres->after, t->area);
	return 0;
}

static int thread_child(void *arg)
{
	struct fault_arg a = { .rdonly = (bool)(long)arg };
	struct kt_thread t;
	long ret;

	if (kt_thread_prepare(&t, 0))
		return 250;
	a.page = area_page(&t);
	ret = kt_thread_run(&t, KT_THREAD_FLAGS | CLONE_KTLS, t.tls,
			    ro_thread_fn, &a);
	return ret > 0 ? 0 : 251;
}

/*
 * A child's CLONE_KTLS thread changes its uid with raw setresuid(1001,
 * 1001, 1001) (needs root): -> 0 and area uid 1001 (the control); with
 * its area page made read-only first, the child is killed by SIGSEGV
 * before setresuid returns (stage 1).
 */
TEST_F(fault, raw_thread)
{
	int rdonly, st;

	if (geteuid() != 0)
		SKIP(return, "setresuid needs root");
	for (rdonly = 0; rdonly <= 1; rdonly++) {
		memset(fres, 0, sizeof(*fres));
		st = kt_fork_run(thread_child, (void *)(long)rdonly);
		EXPECT_EQ(0, fres->protect);
		kt_expect_snap(_metadata, &fres->before, KT_EXPECT_AREA,
			       "thread before setresuid");
		if (rdonly) {
			EXPECT_TRUE(segv_at_stage_1(st))
				TH_LOG("%s at stage %d", kt_status_str(st),
				       fres_stage());
			continue;
		}
		kt_expect_exit0(_metadata, st, "writable area");
		EXPECT_EQ(0, fres->change);
		kt_expect_snap(_metadata, &fres->after, KT_EXPECT_AREA,
			       "thread after setresuid");
		EXPECT_EQ(1001, fres->after.area_ids.uid);
	}
}

/* ---- UNREGISTER and REGISTER on a read-only area: EFAULT ---- */

/* The call, with the area page read-only, then writable again. */
static KT_RAW int ro_call_fn(struct kt_thread *t)
{
	struct fault_arg *a = t->arg;

	kt_sys3(SYS_mprotect, a->page, page_size, PROT_READ);
	fres->r1 = a->unreg ? kt_unregister() : kt_register();
	kt_snap_take(&fres->before, t->area);
	kt_sys3(SYS_mprotect, a->page, page_size, PROT_READ | PROT_WRITE);
	fres->r2 = a->unreg ? kt_unregister() : kt_register();
	fres->tp_after = __atomic_load_n(&t->area->owner, __ATOMIC_RELAXED);
	kt_snap_take(&fres->after, t->area);
	if (!a->unreg)
		kt_unregister();
	__atomic_store_n(&fres->stage, 2, __ATOMIC_RELAXED);
	return 0;
}

/* UNREGISTER in a CLONE_KTLS thread, REGISTER in a thread without area. */
static int efault_child(void *arg)
{
	struct fault_arg a = { .unreg = (bool)(long)arg };
	struct kt_thread t;
	long ret;

	if (kt_thread_prepare(&t, 0))
		return 250;
	a.page = area_page(&t);
	ret = kt_thread_run(&t, KT_THREAD_FLAGS | (a.unreg ? CLONE_KTLS : 0),
			    t.tls, ro_call_fn, &a);
	return ret > 0 ? 0 : 251;
}

/*
 * With the area page read-only, UNREGISTER -> -EFAULT and the thread
 * stays registered; writable again, UNREGISTER -> 0 and owner word 0.
 * REGISTER with the area page read-only -> -EFAULT and no area; writable
 * again, REGISTER -> 0 with a right area.
 */
TEST_F(fault, readonly_area_efault)
{
	int unreg, st;

	for (unreg = 0; unreg <= 1; unreg++) {
		const char *what = unreg ? "UNREGISTER" : "REGISTER";

		memset(fres, 0, sizeof(*fres));
		st = kt_fork_run(efault_child, (void *)(long)unreg);
		kt_expect_exit0(_metadata, st, what);
		EXPECT_EQ(2, fres_stage()) TH_LOG("%s", what);
		EXPECT_EQ(-EFAULT, fres->r1) TH_LOG("%s on a read-only area", what);
		EXPECT_EQ(0, fres->r2) TH_LOG("%s", what);
		if (unreg)
			EXPECT_EQ(0UL, fres->tp_after);
		kt_expect_snap(_metadata, &fres->before,
			       unreg ? KT_EXPECT_AREA : KT_EXPECT_NO_AREA,
			       unreg ? "after the failed UNREGISTER" :
			       "after the failed REGISTER");
		kt_expect_snap(_metadata, &fres->after,
			       unreg ? KT_EXPECT_NO_AREA : KT_EXPECT_AREA, what);
	}
}

int main(int argc, char **argv)
{
	kt_require_vdso();
	return test_harness_run(argc, argv);
}
