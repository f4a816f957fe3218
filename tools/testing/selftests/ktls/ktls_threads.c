// SPDX-License-Identifier: GPL-2.0
/*
 * KTLS and threads: 64 raw clone3(CLONE_KTLS) threads each see their
 * own ids in their own area, pthreads (no CLONE_KTLS) have no area
 * until they REGISTER, and an area is given regardless of the creating
 * thread's own registration.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest.h"
#include "ktls_util.h"

#define NR_THREADS	64
#define NR_PTHREADS	8

static struct kt_thread threads[NR_THREADS];
static int arrived;		/* __atomic and futex helpers only */
static int go_all;

static KT_RAW int many_fn(struct kt_thread *t)
{
	struct ktls_layout l = { 0 };

	kt_snap_take(&t->snap[0], t->area);
	t->val[0] = kt_get_layout(&l);
	t->val[1] = l.offset;
	t->val[2] = kt_tp();		/* %fs:0, the fake TCB's self word */
	__atomic_add_fetch(&arrived, 1, __ATOMIC_SEQ_CST);
	kt_futex_wake(&arrived);
	kt_wait_for(&go_all, 1);
	/* Again, now that all the threads exist at once. */
	kt_snap_take(&t->snap[1], t->area);
	return 0;
}

static void test_many(void)
{
	long main_tid = kt_raw_gettid(), main_pid = kt_raw_getpid();
	long tids[NR_THREADS];
	struct kt_snap ms;
	int started = 0, i, j;
	bool ok_snap = true, ok_tid = true, ok_layout = true, distinct = true;
	bool cleared = true;
	char who[64];

	for (i = 0; i < NR_THREADS; i++) {
		long ret = kt_thread_start(&threads[i], many_fn, NULL);

		if (ret <= 0) {
			ksft_print_msg("thread %d: clone3(CLONE_KTLS) -> %s\n",
				       i, kt_ret_str(ret));
			break;
		}
		started++;
	}
	ksft_test_result(started == NR_THREADS,
			 "%d raw clone3(CLONE_VM|..|CLONE_THREAD|CLONE_SETTLS|CLONE_KTLS) threads started, expected %d\n",
			 started, NR_THREADS);

	/* All alive: read every area from the main thread. */
	for (;;) {
		int n = __atomic_load_n(&arrived, __ATOMIC_SEQ_CST);

		if (n >= started)
			break;
		kt_futex_wait(&arrived, n);
	}
	for (i = 0; i < started; i++)
		tids[i] = (pid_t)threads[i].area->tid;
	for (i = 0; i < started; i++) {
		if (tids[i] == main_tid || tids[i] <= 0)
			distinct = false;
		for (j = 0; j < i; j++)
			if (tids[i] == tids[j])
				distinct = false;
	}
	kt_post(&go_all, 1);
	for (i = 0; i < started; i++)
		kt_thread_join(&threads[i]);

	for (i = 0; i < started; i++) {
		struct kt_thread *t = &threads[i];

		snprintf(who, sizeof(who), "thread %d (first look)", i);
		if (!kt_snap_check(&t->snap[0], KT_EXPECT_AREA, who))
			ok_snap = false;
		snprintf(who, sizeof(who), "thread %d (all alive)", i);
		if (!kt_snap_check(&t->snap[1], KT_EXPECT_AREA, who))
			ok_snap = false;
		if (t->snap[0].fs != t->tls || (unsigned long)t->val[2] != t->tls) {
			ksft_print_msg("thread %d: FS base %#lx, %%fs:0 %#lx, expected TCB %#lx\n",
				       i, t->snap[0].fs, t->val[2], t->tls);
			ok_snap = false;
		}
		if (t->snap[0].area_ids.tid != t->tid ||
		    t->snap[0].sys.tid != t->tid || tids[i] != t->tid ||
		    t->snap[0].area_ids.pid != main_pid) {
			ksft_print_msg("thread %d: area tid %ld (main read %ld), gettid %ld\n",
				       i, t->snap[0].area_ids.tid, tids[i],
				       t->snap[0].sys.tid);
			ksft_print_msg("thread %d: clone3 -> %ld; area pid %ld, process %ld\n",
				       i, t->tid, t->snap[0].area_ids.pid, main_pid);
			ok_tid = false;
		}
		if (t->val[0] != 0 || t->val[1] != kt_offset) {
			ksft_print_msg("thread %d: GET_LAYOUT -> %s offset %ld\n",
				       i, kt_ret_str(t->val[0]), t->val[1]);
			ok_layout = false;
		}
		if (t->area->owner != (t->tls ^ kt_key())) {
			ksft_print_msg("thread %d: owner %#llx after exit, not %#llx\n",
				       i, (unsigned long long)t->area->owner,
				       (unsigned long long)(t->tls ^ kt_key()));
			cleared = false;
		}
	}
	ksft_test_result(started && ok_snap,
			 "each thread, alone and with all %d alive: owner word == its TCB ^ key, area ids == its gettid/getpid/get*id, vDSO == syscalls, errno_location == &its area.errno_value\n",
			 started);
	ksft_test_result(started && ok_tid,
			 "each thread's area tid == its gettid == clone3's return value, area pid == the process's pid %ld\n",
			 main_pid);
	ksft_test_result(started && distinct,
			 "the %d area tids read by the main thread while all threads live are distinct, positive and not the main tid %ld\n",
			 started, main_tid);
	ksft_test_result(started && ok_layout,
			 "GET_LAYOUT in each thread -> 0 with offset %ld (the process's)\n",
			 kt_offset);
	ksft_test_result(started && cleared,
			 "after the threads exited, each area's owner word is as they left it (exit writes nothing)\n");
	kt_snap_take(&ms, &kt_tls_area);
	ksft_test_result(kt_snap_check(&ms, KT_EXPECT_AREA, "main"),
			 "main thread's own area still right after the threads (tid %ld)\n",
			 main_tid);
	for (i = 0; i < NR_THREADS; i++)
		kt_thread_free(&threads[i]);
}

/* ---- pthreads ---- */

struct pt_result {
	struct kt_snap before, registered, after;
	long reg_ret, unreg_ret;
	uint64_t tp_before;
	unsigned long self_tp;
};

static pthread_barrier_t pt_barrier;

static void *pt_fn(void *arg)
{
	struct pt_result *r = arg;

	r->self_tp = kt_tp();
	r->tp_before = kt_tls_area.owner;
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

static void test_pthreads(void)
{
	static struct pt_result res[NR_PTHREADS];
	pthread_t th[NR_PTHREADS];
	bool ok_before = true, ok_reg = true, ok_after = true;
	struct kt_snap ms;
	int i, n = 0;
	char who[64];

	pthread_barrier_init(&pt_barrier, NULL, NR_PTHREADS);
	for (i = 0; i < NR_PTHREADS; i++) {
		if (pthread_create(&th[i], NULL, pt_fn, &res[i]))
			break;
		n++;
	}
	if (n != NR_PTHREADS) {
		/* Cannot meet the barrier: give up loudly. */
		ksft_exit_fail_msg("pthread_create failed after %d threads\n",
				   n);
	}
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&pt_barrier);

	for (i = 0; i < n; i++) {
		struct pt_result *r = &res[i];

		snprintf(who, sizeof(who), "pthread %d before REGISTER", i);
		if (!kt_snap_check(&r->before, KT_EXPECT_NO_AREA, who) ||
		    r->tp_before == (r->self_tp ^ kt_key())) {
			ok_before = false;
		}
		snprintf(who, sizeof(who), "pthread %d after REGISTER", i);
		if (r->reg_ret ||
		    !kt_snap_check(&r->registered, KT_EXPECT_AREA, who)) {
			ksft_print_msg("%s: REGISTER -> %s\n", who,
				       kt_ret_str(r->reg_ret));
			ok_reg = false;
		}
		snprintf(who, sizeof(who), "pthread %d after UNREGISTER", i);
		if (r->unreg_ret || r->after.area_owner != 0 ||
		    !kt_snap_check(&r->after, KT_EXPECT_NO_AREA, who)) {
			ksft_print_msg("%s: UNREGISTER -> %s, tp %#llx\n", who,
				       kt_ret_str(r->unreg_ret),
				       (unsigned long long)r->after.area_owner);
			ok_after = false;
		}
	}
	ksft_test_result(ok_before,
			 "%d pthreads (glibc, no CLONE_KTLS): owner word not valid, vDSO == syscalls, errno_location its static-TLS slot\n",
			 n);
	ksft_test_result(ok_reg,
			 "REGISTER in each pthread -> 0, then its static-TLS area holds its own tid/ids and owner word, errno_location == &area.errno_value\n");
	ksft_test_result(ok_after,
			 "UNREGISTER in each pthread -> 0, owner 0, vDSO == syscalls, errno_location still the slot\n");
	kt_snap_take(&ms, &kt_tls_area);
	ksft_test_result(kt_snap_check(&ms, KT_EXPECT_AREA, "main"),
			 "main thread's area unaffected by the pthreads' REGISTER/UNREGISTER\n");
}

/* ---- nesting and unregistered creators ---- */

static struct kt_thread outer, inner;

static KT_RAW int inner_fn(struct kt_thread *t)
{
	kt_snap_take(&t->snap[0], t->area);
	return 0;
}

static KT_RAW int outer_fn(struct kt_thread *t)
{
	kt_snap_take(&t->snap[0], t->area);
	t->val[0] = kt_thread_spawn(&inner,
				    KT_THREAD_FLAGS | CLONE_KTLS,
				    inner.tls, 0, inner_fn, NULL);
	if (t->val[0] > 0)
		kt_thread_join(&inner);
	/* The outer thread's area is unaffected by its child. */
	kt_snap_take(&t->snap[1], t->area);
	return 0;
}

static void test_nested(void)
{
	bool ok;
	long ret;

	if (kt_thread_prepare(&inner, 0))
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	ret = kt_thread_start(&outer, outer_fn, NULL);
	if (ret > 0)
		kt_thread_join(&outer);
	ok = ret > 0 && outer.val[0] > 0;
	if (ok) {
		ok &= kt_snap_check(&outer.snap[0], KT_EXPECT_AREA,
				      "outer");
		ok &= kt_snap_check(&inner.snap[0], KT_EXPECT_AREA,
				      "inner");
		ok &= kt_snap_check(&outer.snap[1], KT_EXPECT_AREA,
				      "outer after inner");
		ok &= inner.snap[0].sys.tid == outer.val[0];
	}
	ksft_test_result(ok,
			 "a CLONE_KTLS thread (%s) creates one (%s): both areas right, inner tid == clone3's return\n",
			 kt_ret_str(ret), kt_ret_str(outer.val[0]));
	kt_thread_free(&outer);
	kt_thread_free(&inner);
}

static void test_unregistered_creator(void)
{
	struct kt_thread t;
	struct kt_snap ms;
	long unreg, ret, reg;
	bool ok;

	unreg = kt_unregister();
	ret = kt_thread_start(&t, inner_fn, NULL);
	if (ret > 0)
		kt_thread_join(&t);
	reg = kt_register();
	kt_snap_take(&ms, &kt_tls_area);
	ok = !unreg && ret > 0 && !reg;
	if (ret > 0)
		ok &= kt_snap_check(&t.snap[0], KT_EXPECT_AREA, "child");
	ok &= kt_snap_check(&ms, KT_EXPECT_AREA, "main re-registered");
	ksft_test_result(ok,
			 "main UNREGISTER (%s), then clone3(CLONE_KTLS) (%s) still gives the child a right area; main REGISTER again (%s)\n",
			 kt_ret_str(unreg), kt_ret_str(ret),
			 kt_ret_str(reg));
	kt_thread_free(&t);
}

int main(void)
{
	ksft_print_header();
	kt_setup(true);
	ksft_set_plan(7 + 4 + 1 + 1);

	test_many();
	test_pthreads();
	test_nested();
	test_unregistered_creator();

	ksft_finished();
	return 0;
}
