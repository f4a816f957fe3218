// SPDX-License-Identifier: GPL-2.0
/*
 * KTLS and credentials: a raw system call that changes one thread's
 * credentials (glibc's wrappers would change every thread) updates that
 * thread's area and vDSO answers, and no other thread's.  The changes of
 * ids need root; credential commits that change nothing run for anyone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "../kselftest.h"
#include "ktls_util.h"

#define KEEP		(-2L)
#define OP_CAPSET	(-100L)
#define ANY_RET		(-200L)

struct cred_op {
	long nr, a, b, c;
	long ret;			/* expected return, or ANY_RET (>= 0) */
	long uid, euid, gid, egid;	/* expected afterwards, or KEEP */
	const char *name;
};

struct cred_case {
	bool root;
	int nops;
	struct cred_op ops[2];
};

static struct __user_cap_header_struct cap_hdr = {
	.version = _LINUX_CAPABILITY_VERSION_3,
};

static struct __user_cap_data_struct cap_cur[2], cap_drop[2];
static gid_t one_group[1] = { 3000 };

#define OP(n, x, y, z, r, u, eu, g, eg, s) \
	{ n, (long)(x), (long)(y), (long)(z), r, u, eu, g, eg, s }

static const struct cred_case cases[] = {
	{ true, 1, { OP(SYS_setresuid, 1001, 1002, 1003, 0,
			1001, 1002, KEEP, KEEP, "setresuid(1001, 1002, 1003)") } },
	{ true, 1, { OP(SYS_setresgid, 2001, 2002, 2003, 0,
			KEEP, KEEP, 2001, 2002, "setresgid(2001, 2002, 2003)") } },
	{ true, 1, { OP(SYS_setreuid, 1004, 1005, 0, 0,
			1004, 1005, KEEP, KEEP, "setreuid(1004, 1005)") } },
	{ true, 1, { OP(SYS_setregid, 2004, 2005, 0, 0,
			KEEP, KEEP, 2004, 2005, "setregid(2004, 2005)") } },
	{ true, 1, { OP(SYS_setuid, 1006, 0, 0, 0,
			1006, 1006, KEEP, KEEP, "setuid(1006)") } },
	{ true, 1, { OP(SYS_setgid, 2006, 0, 0, 0,
			KEEP, KEEP, 2006, 2006, "setgid(2006)") } },
	{ true, 2, { OP(SYS_setresuid, -1, 1007, -1, 0,
			KEEP, 1007, KEEP, KEEP, "setresuid(-1, 1007, -1)"),
		     OP(SYS_setresuid, -1, 0, -1, 0,
			KEEP, 0, KEEP, KEEP, "then setresuid(-1, 0, -1)") } },
	{ true, 2, { OP(SYS_setresgid, -1, 2008, -1, 0,
			KEEP, KEEP, KEEP, 2008, "setresgid(-1, 2008, -1)"),
		     OP(SYS_setresgid, -1, 0, -1, 0,
			KEEP, KEEP, KEEP, 0, "then setresgid(-1, 0, -1)") } },
	{ true, 1, { OP(SYS_setfsuid, 1009, 0, 0, ANY_RET,
			KEEP, KEEP, KEEP, KEEP, "setfsuid(1009)") } },
	{ true, 1, { OP(SYS_setfsgid, 2009, 0, 0, ANY_RET,
			KEEP, KEEP, KEEP, KEEP, "setfsgid(2009)") } },
	{ true, 1, { OP(SYS_setgroups, 1, one_group, 0, 0,
			KEEP, KEEP, KEEP, KEEP, "setgroups(1, {3000})") } },
	{ true, 1, { OP(OP_CAPSET, 1, 0, 0, 0,
			KEEP, KEEP, KEEP, KEEP,
			"capset(effective without CAP_SYS_ADMIN)") } },
	{ false, 1, { OP(SYS_setresuid, -1, -1, -1, 0,
			 KEEP, KEEP, KEEP, KEEP, "setresuid(-1, -1, -1)") } },
	{ false, 1, { OP(SYS_setresgid, -1, -1, -1, 0,
			 KEEP, KEEP, KEEP, KEEP, "setresgid(-1, -1, -1)") } },
	{ false, 1, { OP(OP_CAPSET, 0, 0, 0, 0,
			 KEEP, KEEP, KEEP, KEEP, "capset(the current sets)") } },
	{ false, 1, { OP(SYS_setfsuid, -1, 0, 0, ANY_RET,
			 KEEP, KEEP, KEEP, KEEP, "setfsuid(-1)") } },
};

static KT_RAW long do_op(const struct cred_op *op)
{
	if (op->nr == OP_CAPSET)
		return kt_sys2(SYS_capset, &cap_hdr,
				 op->a ? cap_drop : cap_cur);
	return kt_sys3(op->nr, op->a, op->b, op->c);
}

static KT_RAW int op_fn(struct kt_thread *t)
{
	const struct cred_case *c = t->arg;
	int i;

	kt_snap_take(&t->snap[0], t->area);
	for (i = 0; i < c->nops; i++) {
		t->val[i] = do_op(&c->ops[i]);
		kt_snap_take(&t->snap[1 + i], t->area);
	}
	return 0;
}

/*
 * A second raw thread reads its own vDSO accessors and area in a loop
 * while the first one changes its credentials: nothing may change for it.
 */
static KT_RAW int bystander_fn(struct kt_thread *t)
{
	struct kt_ids ref, v, a;

	kt_snap_take(&t->snap[0], t->area);
	ref = t->snap[0].sys;
	while (!__atomic_load_n(&t->go, __ATOMIC_SEQ_CST)) {
		kt_ids_area(t->area, &a);
		if (!kt_ids_eq(&a, &ref))
			t->val[0]++;
		if (kt_vdso_ok) {
			kt_ids_vdso(&v);
			if (!kt_ids_eq(&v, &ref))
				t->val[0]++;
		}
		t->val[1]++;
	}
	kt_snap_take(&t->snap[1], t->area);
	return 0;
}

/* One id after op: op's expected value, or the one before if KEEP. */
static bool expect_id(const struct cred_op *op, const char *who,
		      const char *id, long expected, long before, long after)
{
	long want = expected == KEEP ? before : expected;

	if (after != want) {
		ksft_print_msg("%s: after %s the syscall says %s=%ld, expected %ld\n",
			       who, op->name, id, after, want);
		return false;
	}
	return true;
}

static bool check_expect(const struct cred_op *op, const struct kt_ids *before,
			 const struct kt_ids *after, const char *who)
{
	bool ok = true;

	ok &= expect_id(op, who, "uid", op->uid, before->uid, after->uid);
	ok &= expect_id(op, who, "euid", op->euid, before->euid, after->euid);
	ok &= expect_id(op, who, "gid", op->gid, before->gid, after->gid);
	ok &= expect_id(op, who, "egid", op->egid, before->egid, after->egid);
	if (after->tid != before->tid || after->pid != before->pid) {
		ksft_print_msg("%s: tid/pid changed %ld/%ld -> %ld/%ld\n", who,
			       before->tid, before->pid, after->tid,
			       after->pid);
		ok = false;
	}
	return ok;
}

static void run_case(const struct cred_case *c, bool root)
{
	struct kt_thread op, by;
	struct kt_snap m0, m1;
	char desc[160], who[200];
	bool ok = true;
	long r1, r2 = 0;
	int i;

	snprintf(desc, sizeof(desc), "%s%s%s", c->ops[0].name,
		 c->nops > 1 ? ", " : "", c->nops > 1 ? c->ops[1].name : "");
	if (c->root && !root) {
		ksft_test_result_skip("%s in one raw thread: needs root\n",
				      desc);
		return;
	}
	kt_snap_take(&m0, &kt_tls_area);
	r1 = kt_thread_start(&by, bystander_fn, NULL);
	if (r1 > 0) {
		while (!__atomic_load_n(&by.snap[0].taken, __ATOMIC_SEQ_CST))
			kt_sys0(SYS_sched_yield);
		r2 = kt_thread_start(&op, op_fn, (void *)c);
		if (r2 > 0)
			kt_thread_join(&op);
		kt_post(&by.go, 1);
		kt_thread_join(&by);
	}
	kt_snap_take(&m1, &kt_tls_area);

	if (r1 <= 0 || r2 <= 0) {
		ksft_test_result_fail("%s: clone3(CLONE_KTLS) -> %s, %s\n",
				      desc, kt_ret_str(r1),
				      kt_ret_str(r2));
		goto out;
	}
	snprintf(who, sizeof(who), "changing thread before %s", desc);
	ok &= kt_snap_check(&op.snap[0], KT_EXPECT_AREA, who);
	for (i = 0; i < c->nops; i++) {
		const struct cred_op *o = &c->ops[i];
		bool ret_ok = o->ret == ANY_RET ? op.val[i] >= 0 :
						  op.val[i] == o->ret;

		snprintf(who, sizeof(who), "changing thread after %s", o->name);
		if (!ret_ok) {
			ksft_print_msg("%s: returned %s\n", who,
				       kt_ret_str(op.val[i]));
			ok = false;
		}
		ok &= kt_snap_check(&op.snap[1 + i], KT_EXPECT_AREA, who);
		ok &= check_expect(o, &op.snap[i].sys, &op.snap[1 + i].sys,
				   who);
	}
	ok &= kt_snap_check(&by.snap[1], KT_EXPECT_AREA,
			      "other raw thread afterwards");
	if (!kt_ids_eq(&by.snap[0].sys, &by.snap[1].sys) || by.val[0]) {
		ksft_print_msg("other raw thread: ids changed or %ld of %ld loop reads differed\n",
			       by.val[0], by.val[1]);
		ok = false;
	}
	ok &= kt_snap_check(&m1, KT_EXPECT_AREA, "main afterwards");
	if (!kt_ids_eq(&m0.area_ids, &m1.area_ids)) {
		kt_ids_diff("main", "before", &m0.area_ids, "after",
			    &m1.area_ids);
		ok = false;
	}
	ksft_test_result(ok,
			 "raw %s in one raw CLONE_KTLS thread: its area and vDSO equal its syscalls (new ids as expected); another raw thread (%ld looped reads) and main unchanged\n",
			 desc, by.val[1]);
out:
	kt_thread_free(&op);
	kt_thread_free(&by);
}

/* ---- the main thread of a single-threaded child ---- */

struct main_res {
	struct kt_snap before, after;
	long ret;
};

static int main_change_fn(void *arg)
{
	struct main_res *r = arg;

	kt_snap_take(&r->before, &kt_tls_area);
	r->ret = kt_sys3(SYS_setresuid, 1001, 1002, 1003);
	kt_snap_take(&r->after, &kt_tls_area);
	return 0;
}

static void test_main_thread(bool root)
{
	struct main_res *r;
	int st;
	bool ok;

	if (!root) {
		ksft_test_result_skip("raw setresuid in the main thread: needs root\n");
		return;
	}
	r = kt_shared_alloc(sizeof(*r));
	st = kt_fork_run(main_change_fn, r);
	ok = WIFEXITED(st) && !WEXITSTATUS(st) && r->ret == 0;
	ok &= kt_snap_check(&r->after, KT_EXPECT_AREA,
			      "child main after setresuid");
	ok &= r->after.sys.uid == 1001 && r->after.sys.euid == 1002;
	ksft_test_result(ok,
			 "raw setresuid(1001, 1002, 1003) in a forked child's registered main thread -> %s (%s): area and vDSO show uid %ld euid %ld, expected 1001 1002\n",
			 kt_ret_str(r->ret), kt_status_str(st),
			 r->after.area_ids.uid, r->after.area_ids.euid);
}

/* ---- glibc's process-wide setresuid, pthreads registered ---- */

struct glibc_res {
	struct kt_snap main_after, pt_after;
	long pt_reg;
	int setres_ret;
};

static pthread_barrier_t gbar;

static void *glibc_pt_fn(void *arg)
{
	struct glibc_res *r = arg;

	r->pt_reg = kt_register();
	pthread_barrier_wait(&gbar);
	/* main calls setresuid() now */
	pthread_barrier_wait(&gbar);
	kt_snap_take(&r->pt_after, &kt_tls_area);
	kt_unregister();
	return NULL;
}

static int glibc_fn(void *arg)
{
	struct glibc_res *r = arg;
	pthread_t th;

	pthread_barrier_init(&gbar, NULL, 2);
	if (pthread_create(&th, NULL, glibc_pt_fn, r))
		return 250;
	pthread_barrier_wait(&gbar);
	r->setres_ret = setresuid(1011, 1011, 1011);
	pthread_barrier_wait(&gbar);
	pthread_join(th, NULL);
	kt_snap_take(&r->main_after, &kt_tls_area);
	return 0;
}

static void test_glibc(bool root)
{
	struct glibc_res *r;
	int st;
	bool ok;

	if (!root) {
		ksft_test_result_skip("glibc setresuid over registered threads: needs root\n");
		return;
	}
	r = kt_shared_alloc(sizeof(*r));
	st = kt_fork_run(glibc_fn, r);
	ok = WIFEXITED(st) && !WEXITSTATUS(st) && !r->setres_ret &&
	     !r->pt_reg;
	ok &= kt_snap_check(&r->main_after, KT_EXPECT_AREA, "main");
	ok &= kt_snap_check(&r->pt_after, KT_EXPECT_AREA, "pthread");
	ok &= r->main_after.sys.uid == 1011 && r->pt_after.sys.uid == 1011;
	ksft_test_result(ok,
			 "glibc setresuid(1011, 1011, 1011) (all threads) with a registered main and a REGISTERed pthread (%s): both areas and vDSO show uid 1011 (main %ld, pthread %ld)\n",
			 kt_status_str(st), r->main_after.area_ids.uid,
			 r->pt_after.area_ids.uid);
}

int main(void)
{
	bool root;
	size_t i;

	ksft_print_header();
	kt_setup(true);
	root = geteuid() == 0;
	if (kt_sys2(SYS_capget, &cap_hdr, cap_cur))
		ksft_exit_fail_msg("capget failed\n");
	memcpy(cap_drop, cap_cur, sizeof(cap_drop));
	cap_drop[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));

	ksft_set_plan(ARRAY_SIZE(cases) + 2);
	if (!root)
		ksft_print_msg("not root: only the credential commits that change nothing run\n");
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i], root);
	test_main_thread(root);
	test_glibc(root);

	ksft_finished();
	return 0;
}
