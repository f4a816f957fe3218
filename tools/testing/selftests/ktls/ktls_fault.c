// SPDX-License-Identifier: GPL-2.0
/*
 * KTLS areas the kernel cannot write: when the values change (here, the
 * credentials) and the area is read-only or unmapped, the thread gets
 * SIGSEGV, as with rseq; REGISTER and UNREGISTER report EFAULT instead.
 * Each case runs in a forked child whose fate the parent judges.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest.h"
#include "ktls_util.h"

#define NS_SKIP		100

struct fault_res {
	long unreg, setfs, reg, protect, change;
	long r1, r2;
	uint64_t tp_after;
	int stage;		/* __atomic accesses: the child may die */
	struct kt_snap before, readonly, after;
};

static struct fault_res *fres;
static unsigned long page_size;
static bool is_root;

/* The stage the child reached (it may have died right after). */
static int fres_stage(void)
{
	return __atomic_load_n(&fres->stage, __ATOMIC_RELAXED);
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

static void test_single(enum fkind k)
{
	static const char *const what[] = {
		[F_CONTROL] = "writable area (control)",
		[F_RDONLY] = "area page made read-only",
		[F_UNMAP] = "area page unmapped",
	};
	int st;
	bool ok;

	memset(fres, 0, sizeof(*fres));
	st = kt_fork_run(single_child, (void *)(long)k);
	if (WIFEXITED(st) && WEXITSTATUS(st) == NS_SKIP) {
		ksft_test_result_skip("%s, then unshare(CLONE_NEWUSER) -> %s\n",
				      what[k], kt_ret_str(fres->change));
		return;
	}
	ok = !fres->unreg && !fres->setfs && !fres->reg && !fres->protect;
	if (!ok)
		ksft_print_msg("setup: UNREGISTER %s, SET_FS %s, REGISTER %s, mprotect/munmap %s\n",
			       kt_ret_str(fres->unreg),
			       kt_ret_str(fres->setfs),
			       kt_ret_str(fres->reg),
			       kt_ret_str(fres->protect));
	ok &= kt_snap_check(&fres->before, KT_EXPECT_AREA,
			      "registered on our TCB");
	if (k == F_CONTROL) {
		ok &= WIFEXITED(st) && !WEXITSTATUS(st);
		ok &= kt_snap_check(&fres->after, KT_EXPECT_AREA,
				      "after unshare(CLONE_NEWUSER)");
		ok &= fres->after.sys.uid != fres->before.sys.uid;
		ksft_test_result(ok,
				 "single thread registered on its own TCB, %s, then unshare(CLONE_NEWUSER) (%s): area and vDSO follow the change (uid %ld -> %ld)\n",
				 what[k], kt_status_str(st),
				 fres->before.area_ids.uid,
				 fres->after.area_ids.uid);
		return;
	}
	if (k == F_RDONLY)
		ok &= kt_snap_check(&fres->readonly, KT_EXPECT_AREA,
				      "read-only area before the change");
	ok &= WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && fres_stage() == 1;
	ksft_test_result(ok,
			 "single thread registered on its own TCB, %s, then unshare(CLONE_NEWUSER): %s at stage %d, expected killed by SIGSEGV on the return from unshare (stage 1)\n",
			 what[k], kt_status_str(st), fres_stage());
}

/* ---- a raw thread in a multi-threaded child (root) ---- */

static KT_RAW int ro_thread_fn(struct kt_thread *t)
{
	if (t->val[0])
		fres->protect = kt_sys3(SYS_mprotect, t->val[1], page_size,
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
	struct kt_thread t;
	long ret;

	if (kt_thread_prepare(&t, 0))
		return 250;
	t.val[0] = (long)arg;
	t.val[1] = area_page(&t);
	ret = kt_thread_spawn(&t, KT_THREAD_FLAGS | CLONE_KTLS,
			      t.tls, 0, ro_thread_fn, NULL);
	if (ret <= 0)
		return 251;
	kt_thread_join(&t);
	return 0;
}

static void test_thread(bool rdonly)
{
	int st;
	bool ok;

	if (!is_root) {
		ksft_test_result_skip("CLONE_KTLS thread, %s area, setresuid: needs root\n",
				      rdonly ? "read-only" : "writable");
		return;
	}
	memset(fres, 0, sizeof(*fres));
	st = kt_fork_run(thread_child, (void *)(long)rdonly);
	ok = !fres->protect;
	ok &= kt_snap_check(&fres->before, KT_EXPECT_AREA,
			      "thread before setresuid");
	if (!rdonly) {
		ok &= WIFEXITED(st) && !WEXITSTATUS(st) && !fres->change;
		ok &= kt_snap_check(&fres->after, KT_EXPECT_AREA,
				      "thread after setresuid");
		ok &= fres->after.area_ids.uid == 1001;
		ksft_test_result(ok,
				 "CLONE_KTLS thread, writable area, raw setresuid(1001, 1001, 1001) -> %s (%s): area uid %ld, expected 1001 (control)\n",
				 kt_ret_str(fres->change),
				 kt_status_str(st), fres->after.area_ids.uid);
		return;
	}
	ok &= WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && fres_stage() == 1;
	ksft_test_result(ok,
			 "CLONE_KTLS thread mprotects its area page read-only, then raw setresuid(1001, 1001, 1001): child %s at stage %d, expected killed by SIGSEGV before setresuid returns (stage 1)\n",
			 kt_status_str(st), fres_stage());
}

/* ---- UNREGISTER and REGISTER on a read-only area: EFAULT ---- */

static KT_RAW int unreg_ro_fn(struct kt_thread *t)
{
	kt_sys3(SYS_mprotect, t->val[1], page_size, PROT_READ);
	fres->r1 = kt_unregister();
	kt_snap_take(&fres->before, t->area);
	kt_sys3(SYS_mprotect, t->val[1], page_size, PROT_READ | PROT_WRITE);
	fres->r2 = kt_unregister();
	fres->tp_after = __atomic_load_n(&t->area->owner, __ATOMIC_RELAXED);
	kt_snap_take(&fres->after, t->area);
	__atomic_store_n(&fres->stage, 2, __ATOMIC_RELAXED);
	return 0;
}

static KT_RAW int reg_ro_fn(struct kt_thread *t)
{
	kt_sys3(SYS_mprotect, t->val[1], page_size, PROT_READ);
	fres->r1 = kt_register();
	kt_snap_take(&fres->before, t->area);
	kt_sys3(SYS_mprotect, t->val[1], page_size, PROT_READ | PROT_WRITE);
	fres->r2 = kt_register();
	kt_snap_take(&fres->after, t->area);
	kt_unregister();
	__atomic_store_n(&fres->stage, 2, __ATOMIC_RELAXED);
	return 0;
}

static int efault_child(void *arg)
{
	bool unreg = (bool)(long)arg;
	struct kt_thread t;
	uint64_t flags = KT_THREAD_FLAGS;
	long ret;

	if (kt_thread_prepare(&t, 0))
		return 250;
	t.val[1] = area_page(&t);
	if (unreg)
		flags |= CLONE_KTLS;
	ret = kt_thread_spawn(&t, flags, t.tls, 0,
			      unreg ? unreg_ro_fn : reg_ro_fn, NULL);
	if (ret <= 0)
		return 251;
	kt_thread_join(&t);
	return 0;
}

static void test_efault(bool unreg)
{
	int st;
	bool ok;

	memset(fres, 0, sizeof(*fres));
	st = kt_fork_run(efault_child, (void *)(long)unreg);
	ok = WIFEXITED(st) && !WEXITSTATUS(st) && fres_stage() == 2;
	if (unreg) {
		ok &= fres->r1 == -EFAULT && fres->r2 == 0 &&
		      fres->tp_after == 0;
		ok &= kt_snap_check(&fres->before, KT_EXPECT_AREA,
				      "after the failed UNREGISTER");
		ok &= kt_snap_check(&fres->after, KT_EXPECT_NO_AREA,
				      "after UNREGISTER");
		ksft_test_result(ok,
				 "UNREGISTER with the area page read-only -> %s (expected -EFAULT, %s), the thread stays registered; writable again, UNREGISTER -> %s, tp %#llx (expected 0, tp 0)\n",
				 kt_ret_str(fres->r1), kt_status_str(st),
				 kt_ret_str(fres->r2),
				 (unsigned long long)fres->tp_after);
		return;
	}
	ok &= fres->r1 == -EFAULT && fres->r2 == 0;
	ok &= kt_snap_check(&fres->before, KT_EXPECT_NO_AREA,
			      "after the failed REGISTER");
	ok &= kt_snap_check(&fres->after, KT_EXPECT_AREA,
			      "after REGISTER");
	ksft_test_result(ok,
			 "REGISTER with the area page read-only -> %s (expected -EFAULT, %s) and no area; writable again, REGISTER -> %s (expected 0) with a right area\n",
			 kt_ret_str(fres->r1), kt_status_str(st),
			 kt_ret_str(fres->r2));
}

int main(void)
{
	ksft_print_header();
	kt_setup(true);
	page_size = sysconf(_SC_PAGESIZE);
	is_root = geteuid() == 0;
	fres = kt_shared_alloc(sizeof(*fres));
	ksft_set_plan(3 + 2 + 2);

	test_single(F_CONTROL);
	test_single(F_RDONLY);
	test_single(F_UNMAP);
	test_thread(false);
	test_thread(true);
	test_efault(true);
	test_efault(false);

	ksft_finished();
	return 0;
}
