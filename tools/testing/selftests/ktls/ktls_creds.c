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

#include "../kselftest_harness.h"
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

FIXTURE(creds) {
};

FIXTURE_SETUP(creds)
{
	kt_setup_or_skip(_metadata);
	ASSERT_EQ(0, kt_sys2(SYS_capget, &cap_hdr, cap_cur));
	memcpy(cap_drop, cap_cur, sizeof(cap_drop));
	cap_drop[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
}

FIXTURE_TEARDOWN(creds)
{
}

/* What the changing thread saw: before, and after each operation. */
struct op_seen {
	const struct cred_case *c;
	struct kt_snap snap[3];
	long ret[2];
};

/* What the bystander thread saw while the other one changed. */
struct bystander {
	struct kt_snap first, last;
	long wrong, reads;
	int stop;		/* __atomic */
};

static KT_RAW int op_fn(struct kt_thread *t)
{
	struct op_seen *o = t->arg;
	int i;

	kt_snap_take(&o->snap[0], t->area);
	for (i = 0; i < o->c->nops; i++) {
		o->ret[i] = do_op(&o->c->ops[i]);
		kt_snap_take(&o->snap[1 + i], t->area);
	}
	return 0;
}

/*
 * A second raw thread reads its own vDSO accessors and area in a loop
 * while the first one changes its credentials: nothing may change for it.
 */
static KT_RAW int bystander_fn(struct kt_thread *t)
{
	struct bystander *b = t->arg;
	struct kt_ids ref, v, a;

	kt_snap_take(&b->first, t->area);
	ref = b->first.sys;
	while (!__atomic_load_n(&b->stop, __ATOMIC_SEQ_CST)) {
		kt_ids_area(t->area, &a);
		if (!kt_ids_eq(&a, &ref))
			b->wrong++;
		kt_ids_vdso(&v);
		if (!kt_ids_eq(&v, &ref))
			b->wrong++;
		b->reads++;
	}
	kt_snap_take(&b->last, t->area);
	return 0;
}

/* One id after op: op's expected value, or the one before if KEEP. */
static long want(long expected, long before)
{
	return expected == KEEP ? before : expected;
}

/*
 * Each operation of cases[] (the id changes need root) in one raw
 * CLONE_KTLS thread: it returns as expected, and its area and vDSO equal
 * its syscalls, which show the new ids (tid and pid unchanged).  Another
 * raw thread, reading its own area and vDSO in a loop, and main see no
 * change.
 */
TEST_F_TIMEOUT(creds, raw_ops_in_one_thread, 300)
{
	bool root = geteuid() == 0;
	struct kt_thread op, by;
	struct bystander b;
	struct op_seen o;
	struct kt_snap m0, m1;
	size_t k;
	int i;

	for (k = 0; k < ARRAY_SIZE(cases); k++) {
		const struct cred_case *c = &cases[k];

		if (c->root && !root) {
			TH_LOG("%s: needs root, left out", c->ops[0].name);
			continue;
		}
		memset(&b, 0, sizeof(b));
		memset(&o, 0, sizeof(o));
		o.c = c;
		kt_snap_take(&m0, &kt_tls_area);
		ASSERT_LT(0, kt_thread_start(&by, bystander_fn, &b));
		while (!__atomic_load_n(&b.first.taken, __ATOMIC_SEQ_CST))
			kt_sys0(SYS_sched_yield);
		ASSERT_LT(0, kt_thread_start(&op, op_fn, &o));
		kt_thread_join(&op);
		kt_post(&b.stop, 1);
		kt_thread_join(&by);
		kt_snap_take(&m1, &kt_tls_area);

		kt_expect_snap(_metadata, &o.snap[0], KT_EXPECT_AREA,
			       c->ops[0].name);
		for (i = 0; i < c->nops; i++) {
			const struct cred_op *p = &c->ops[i];
			const struct kt_ids *s0 = &o.snap[i].sys;
			const struct kt_ids *s1 = &o.snap[1 + i].sys;

			EXPECT_TRUE(p->ret == ANY_RET ? o.ret[i] >= 0 :
				    o.ret[i] == p->ret)
				TH_LOG("%s returned %s", p->name, kt_ret_str(o.ret[i]));
			kt_expect_snap(_metadata, &o.snap[1 + i],
				       KT_EXPECT_AREA, p->name);
			EXPECT_EQ(want(p->uid, s0->uid), s1->uid) TH_LOG("%s", p->name);
			EXPECT_EQ(want(p->euid, s0->euid), s1->euid) TH_LOG("%s", p->name);
			EXPECT_EQ(want(p->gid, s0->gid), s1->gid) TH_LOG("%s", p->name);
			EXPECT_EQ(want(p->egid, s0->egid), s1->egid) TH_LOG("%s", p->name);
			EXPECT_EQ(s0->tid, s1->tid) TH_LOG("%s", p->name);
			EXPECT_EQ(s0->pid, s1->pid) TH_LOG("%s", p->name);
		}
		kt_expect_snap(_metadata, &b.last, KT_EXPECT_AREA,
			       "other raw thread afterwards");
		EXPECT_TRUE(kt_ids_eq(&b.first.sys, &b.last.sys))
			TH_LOG("%s: other thread's ids changed", c->ops[0].name);
		EXPECT_EQ(0, b.wrong)
			TH_LOG("%s: %ld of %ld loop reads differed",
			       c->ops[0].name, b.wrong, b.reads);
		kt_expect_snap(_metadata, &m1, KT_EXPECT_AREA,
			       "main afterwards");
		EXPECT_TRUE(kt_ids_eq(&m0.area_ids, &m1.area_ids))
			TH_LOG("%s: main's area ids changed", c->ops[0].name);
		kt_thread_free(&op);
		kt_thread_free(&by);
	}
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

/*
 * Raw setresuid(1001, 1002, 1003) in a forked child's registered main
 * thread -> 0: its area and vDSO show uid 1001, euid 1002.
 */
TEST_F(creds, raw_setresuid_in_main)
{
	struct main_res *r = kt_shared_alloc(sizeof(*r));
	int st;

	if (geteuid() != 0)
		SKIP(return, "setresuid needs root");
	st = kt_fork_run(main_change_fn, r);
	kt_expect_exit0(_metadata, st, "child");
	EXPECT_EQ(0, r->ret);
	kt_expect_snap(_metadata, &r->after, KT_EXPECT_AREA,
		       "child main after setresuid");
	EXPECT_EQ(1001, r->after.sys.uid);
	EXPECT_EQ(1002, r->after.sys.euid);
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

/*
 * glibc's setresuid(1011, 1011, 1011) (all threads) with a registered
 * main and a REGISTERed pthread: both areas and vDSO show uid 1011.
 */
TEST_F(creds, glibc_setresuid_all_threads)
{
	struct glibc_res *r = kt_shared_alloc(sizeof(*r));
	int st;

	if (geteuid() != 0)
		SKIP(return, "setresuid needs root");
	st = kt_fork_run(glibc_fn, r);
	kt_expect_exit0(_metadata, st, "child");
	EXPECT_EQ(0, r->setres_ret);
	EXPECT_EQ(0, r->pt_reg);
	kt_expect_snap(_metadata, &r->main_after, KT_EXPECT_AREA, "main");
	kt_expect_snap(_metadata, &r->pt_after, KT_EXPECT_AREA, "pthread");
	EXPECT_EQ(1011, r->main_after.sys.uid);
	EXPECT_EQ(1011, r->pt_after.sys.uid);
}

int main(int argc, char **argv)
{
	kt_require_vdso();
	return test_harness_run(argc, argv);
}
