// SPDX-License-Identifier: GPL-2.0
/*
 * KTLS and threads: 64 raw clone3(CLONE_KTLS) threads each see their
 * own ids in their own area, also while they, pthreads and main read the
 * vDSO accessors at once; pthreads (no CLONE_KTLS) have no area until
 * they REGISTER, and an area is given regardless of the creating
 * thread's own registration.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "ktls_util.h"

#define NR_THREADS	64
#define NR_PTHREADS	8
#define NR_PT_LOOPERS	4
#define LOOPS		5000

FIXTURE(threads) {
};

FIXTURE_SETUP(threads)
{
	kt_setup_or_skip(_metadata);
}

FIXTURE_TEARDOWN(threads)
{
}

/* What each of the many threads saw, alone and with all alive. */
struct many_seen {
	struct kt_snap first, all;
	long layout_ret, layout_offset;
	unsigned long self_word;	/* %fs:0, the fake TCB's self word */
	long bad;			/* loop_body()'s wrong answers */
};

static struct kt_thread threads[NR_THREADS];
static struct many_seen seen[NR_THREADS];
static int arrived;		/* __atomic and futex helpers only */
static int go_all;

/*
 * LOOPS calls of the 7 accessors: each must equal the thread's own
 * syscalls (looked at every 256th round), its errno slot and, if given,
 * its area; the number of wrong answers.
 */
static KT_RAW long loop_body(int *slot, const struct ktls_area *area)
{
	struct kt_ids ref, v;
	long bad = 0;
	int i;

	kt_ids_sys(&ref);
	for (i = 0; i < LOOPS; i++) {
		kt_ids_vdso(&v);
		if (!kt_ids_eq(&v, &ref))
			bad++;
		if (kt_vdso.errno_location() != slot)
			bad++;
		if ((i & 255) == 0) {
			kt_ids_sys(&v);
			if (!kt_ids_eq(&v, &ref))
				bad++;
			if (area) {
				kt_ids_area(area, &v);
				if (!kt_ids_eq(&v, &ref))
					bad++;
			}
		}
	}
	return bad;
}

static KT_RAW int many_fn(struct kt_thread *t)
{
	struct many_seen *m = t->arg;
	struct ktls_layout l = { 0 };

	kt_snap_take(&m->first, t->area);
	m->layout_ret = kt_get_layout(&l);
	m->layout_offset = l.offset;
	m->self_word = kt_tp();
	__atomic_add_fetch(&arrived, 1, __ATOMIC_SEQ_CST);
	kt_futex_wake(&arrived);
	kt_wait_for(&go_all, 1);
	/* Again, now that all the threads exist at once; then the loop. */
	kt_snap_take(&m->all, t->area);
	m->bad = loop_body(&t->area->errno_value, t->area);
	return 0;
}

static void *pt_looper_fn(void *arg)
{
	kt_wait_for(&go_all, 1);
	*(long *)arg = loop_body(&kt_tls_area.errno_value, NULL);
	return NULL;
}

/*
 * 64 raw clone3(CLONE_VM|..|CLONE_THREAD|CLONE_SETTLS|CLONE_KTLS)
 * threads.  Each, alone and with all alive: owner word == its TCB ^ key,
 * area ids == its gettid/getpid/get*id, vDSO == syscalls, errno_location
 * == &its area.errno_value; area tid == clone3's return, area pid == the
 * process's; GET_LAYOUT gives the process's offset.  The main thread
 * reads distinct positive tids (not its own) from the live areas.  Then
 * they, 4 pthreads and main each call the 7 accessors LOOPS times at
 * once: no answer differs from the thread's own syscalls, errno slot or
 * area.  Exit writes nothing to the areas; main's own area stays right.
 */
TEST_F_TIMEOUT(threads, many_threads, 300)
{
	long main_tid = kt_raw_gettid(), main_pid = kt_raw_getpid();
	long tids[NR_THREADS], pt_bad[NR_PT_LOOPERS] = { 0 };
	pthread_t th[NR_PT_LOOPERS];
	int started = 0, i, j, n;
	char who[64];

	for (i = 0; i < NR_THREADS; i++) {
		long ret = kt_thread_start(&threads[i], many_fn, &seen[i]);

		EXPECT_LT(0, ret) TH_LOG("thread %d: clone3(CLONE_KTLS) -> %s",
					 i, kt_ret_str(ret));
		if (ret <= 0)
			break;
		started++;
	}
	ASSERT_LT(0, started);
	for (i = 0; i < NR_PT_LOOPERS; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, pt_looper_fn,
					    &pt_bad[i]));

	/* All alive: read every area from the main thread. */
	while ((n = __atomic_load_n(&arrived, __ATOMIC_SEQ_CST)) < started)
		kt_futex_wait(&arrived, n);
	for (i = 0; i < started; i++)
		tids[i] = (pid_t)threads[i].area->tid;
	for (i = 0; i < started; i++) {
		EXPECT_LT(0, tids[i]);
		EXPECT_NE(main_tid, tids[i]);
		for (j = 0; j < i; j++)
			EXPECT_NE(tids[j], tids[i]) TH_LOG("threads %d, %d", j, i);
	}
	kt_post(&go_all, 1);
	/* Main loops too, on its own area. */
	EXPECT_EQ(0, loop_body(&kt_tls_area.errno_value, &kt_tls_area));
	for (i = 0; i < started; i++)
		kt_thread_join(&threads[i]);
	for (i = 0; i < NR_PT_LOOPERS; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(0, pt_bad[i]) TH_LOG("pthread %d", i);
	}

	for (i = 0; i < started; i++) {
		struct kt_thread *t = &threads[i];
		struct many_seen *m = &seen[i];

		snprintf(who, sizeof(who), "thread %d (first look)", i);
		kt_expect_snap(_metadata, &m->first, KT_EXPECT_AREA, who);
		snprintf(who, sizeof(who), "thread %d (all alive)", i);
		kt_expect_snap(_metadata, &m->all, KT_EXPECT_AREA, who);
		EXPECT_EQ(t->tls, m->first.fs) TH_LOG("thread %d FS base", i);
		EXPECT_EQ(t->tls, m->self_word) TH_LOG("thread %d %%fs:0", i);
		EXPECT_EQ(t->tid, m->first.area_ids.tid) TH_LOG("thread %d", i);
		EXPECT_EQ(t->tid, m->first.sys.tid) TH_LOG("thread %d", i);
		EXPECT_EQ(t->tid, tids[i]) TH_LOG("thread %d: main's read", i);
		EXPECT_EQ(main_pid, m->first.area_ids.pid) TH_LOG("thread %d", i);
		EXPECT_EQ(0, m->layout_ret) TH_LOG("thread %d GET_LAYOUT", i);
		EXPECT_EQ(kt_offset, m->layout_offset) TH_LOG("thread %d", i);
		EXPECT_EQ(0, m->bad) TH_LOG("thread %d: wrong loop answers", i);
		EXPECT_EQ(t->tls ^ kt_key(), t->area->owner)
			TH_LOG("thread %d: owner word after exit", i);
	}
	kt_expect_self(_metadata, KT_EXPECT_AREA, "main");
	for (i = 0; i < NR_THREADS; i++)
		kt_thread_free(&threads[i]);
}

/* ---- pthreads ---- */

struct pt_seen {
	struct kt_snap before, registered, after;
	long reg_ret, unreg_ret;
	__u64 owner_before;
	unsigned long self_tp;
};

static pthread_barrier_t pt_barrier;

static void *pt_fn(void *arg)
{
	struct pt_seen *r = arg;

	r->self_tp = kt_tp();
	r->owner_before = kt_tls_area.owner;
	kt_snap_take(&r->before, &kt_tls_area);
	/* Everyone has looked before anyone registers. */
	pthread_barrier_wait(&pt_barrier);
	r->reg_ret = kt_register();
	kt_snap_take(&r->registered, &kt_tls_area);
	pthread_barrier_wait(&pt_barrier);
	r->unreg_ret = kt_unregister();
	kt_snap_take(&r->after, &kt_tls_area);
	return NULL;
}

/*
 * 8 pthreads (glibc, no CLONE_KTLS): before REGISTER the owner word is
 * not valid, vDSO == syscalls, errno_location is the static-TLS slot;
 * REGISTER -> 0 makes that area hold their own ids and owner word;
 * UNREGISTER -> 0 zeroes the owner word.  Main's area is unaffected.
 */
TEST_F_TIMEOUT(threads, pthreads_register, 120)
{
	static struct pt_seen res[NR_PTHREADS];
	pthread_t th[NR_PTHREADS];
	char who[64];
	int i;

	pthread_barrier_init(&pt_barrier, NULL, NR_PTHREADS);
	/* A thread missing would leave the others at the barrier. */
	for (i = 0; i < NR_PTHREADS; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, pt_fn, &res[i]));
	for (i = 0; i < NR_PTHREADS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&pt_barrier);

	for (i = 0; i < NR_PTHREADS; i++) {
		struct pt_seen *r = &res[i];

		snprintf(who, sizeof(who), "pthread %d before REGISTER", i);
		kt_expect_snap(_metadata, &r->before, KT_EXPECT_NO_AREA, who);
		EXPECT_NE(r->self_tp ^ kt_key(), r->owner_before) TH_LOG("%s", who);
		snprintf(who, sizeof(who), "pthread %d after REGISTER", i);
		EXPECT_EQ(0, r->reg_ret) TH_LOG("%s", who);
		kt_expect_snap(_metadata, &r->registered, KT_EXPECT_AREA, who);
		snprintf(who, sizeof(who), "pthread %d after UNREGISTER", i);
		EXPECT_EQ(0, r->unreg_ret) TH_LOG("%s", who);
		EXPECT_EQ(0UL, r->after.area_owner) TH_LOG("%s", who);
		kt_expect_snap(_metadata, &r->after, KT_EXPECT_NO_AREA, who);
	}
	kt_expect_self(_metadata, KT_EXPECT_AREA, "main");
}

/* ---- nesting and unregistered creators ---- */

struct nest {
	struct kt_thread inner;
	struct kt_snap outer_before, outer_after, inner_seen;
	long inner_tid;		/* clone3's return in the outer thread */
};

static KT_RAW int outer_fn(struct kt_thread *t)
{
	struct nest *n = t->arg;

	kt_snap_take(&n->outer_before, t->area);
	n->inner_tid = kt_thread_run(&n->inner, KT_THREAD_FLAGS | CLONE_KTLS,
				     n->inner.tls, kt_thread_snap,
				     &n->inner_seen);
	/* The outer thread's area is unaffected by its child. */
	kt_snap_take(&n->outer_after, t->area);
	return 0;
}

/*
 * A CLONE_KTLS thread creates one: both areas right, the inner thread's
 * tid == clone3's return.
 */
TEST_F(threads, nested)
{
	static struct nest n;
	struct kt_thread outer;

	ASSERT_EQ(0, kt_thread_prepare(&n.inner, 0));
	ASSERT_LT(0, kt_thread_start(&outer, outer_fn, &n));
	kt_thread_join(&outer);
	ASSERT_LT(0, n.inner_tid) TH_LOG("%s", kt_ret_str(n.inner_tid));
	kt_expect_snap(_metadata, &n.outer_before, KT_EXPECT_AREA, "outer");
	kt_expect_snap(_metadata, &n.inner_seen, KT_EXPECT_AREA, "inner");
	kt_expect_snap(_metadata, &n.outer_after, KT_EXPECT_AREA,
		       "outer after inner");
	EXPECT_EQ(n.inner_tid, n.inner_seen.sys.tid);
	kt_thread_free(&outer);
	kt_thread_free(&n.inner);
}

/*
 * Main UNREGISTERs, then clone3(CLONE_KTLS) still gives the child a right
 * area; main REGISTERs again.
 */
TEST_F(threads, unregistered_creator)
{
	struct kt_thread t;
	struct kt_snap child;

	ASSERT_EQ(0, kt_unregister());
	ASSERT_LT(0, kt_thread_start(&t, kt_thread_snap, &child));
	kt_thread_join(&t);
	ASSERT_EQ(0, kt_register());
	kt_expect_snap(_metadata, &child, KT_EXPECT_AREA, "child");
	kt_expect_self(_metadata, KT_EXPECT_AREA, "main");
	kt_thread_free(&t);
}

int main(int argc, char **argv)
{
	kt_require_vdso();
	return test_harness_run(argc, argv);
}
