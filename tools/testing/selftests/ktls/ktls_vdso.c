// SPDX-License-Identifier: GPL-2.0
/*
 * The KTLS vDSO accessors against their system calls in every kind of
 * thread: registered, unregistered, pthreads, raw threads with a fresh
 * TCB, a thread pointer of 0 or pointing at inaccessible memory, a thread
 * pointer moved with arch_prctl, an area overwritten by user space, signal
 * handlers and 64 threads at once; and __vdso_ktls_errno_location.
 *
 * Cases that could crash (a bogus thread pointer) run in forked children:
 * being killed is a failure, not the end of the run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest.h"
#include "ktls_util.h"

#define NR_LOOPERS	64
#define NR_PT_LOOPERS	4
#define LOOPS		5000

static long page_size;

static void check_main(const char *when, enum kt_expect e)
{
	struct kt_snap s;

	kt_snap_take(&s, &kt_tls_area);
	ksft_test_result(kt_snap_check(&s, e, when),
			 "%s: vDSO accessors == syscalls (tid %ld uid %ld), errno_location %s\n",
			 when, s.sys.tid, s.sys.uid,
			 "== &area.errno_value");
}

static void test_unregistered_main(void)
{
	struct kt_snap s;
	long un, re;
	bool ok;

	un = kt_unregister();
	kt_snap_take(&s, &kt_tls_area);
	re = kt_register();
	ok = !un && !re;
	ok &= kt_snap_check(&s, KT_EXPECT_NO_AREA, "main unregistered");
	ksft_test_result(ok,
			 "main thread after UNREGISTER (%s): vDSO == syscalls, errno_location the slot; REGISTER again -> %s\n",
			 kt_ret_str(un), kt_ret_str(re));
}

static void *pt_snap_fn(void *arg)
{
	kt_snap_take(arg, &kt_tls_area);
	return NULL;
}

static void test_pthread(void)
{
	struct kt_snap s = { 0 };
	pthread_t th;
	bool ok;

	ok = !pthread_create(&th, NULL, pt_snap_fn, &s);
	if (ok)
		pthread_join(th, NULL);
	ok &= kt_snap_check(&s, KT_EXPECT_NO_AREA, "pthread");
	ksft_test_result(ok,
			 "pthread (no CLONE_KTLS): vDSO == syscalls (tid %ld), errno_location its static-TLS slot\n",
			 s.sys.tid);
}

static KT_RAW int snap_fn(struct kt_thread *t)
{
	kt_snap_take(&t->snap[0], t->area);
	return 0;
}

static void test_raw(bool with_area, bool fake_copy)
{
	struct kt_thread t;
	uint64_t flags = KT_THREAD_FLAGS;
	const char *what;
	long ret;
	bool ok;

	if (with_area)
		what = "raw CLONE_KTLS thread";
	else if (fake_copy)
		what = "raw thread without area whose area memory copies main's (tp = main's TP)";
	else
		what = "raw thread with a fresh TCB and no CLONE_KTLS";
	if (with_area)
		flags |= CLONE_KTLS;
	if (kt_thread_prepare(&t, 0))
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	if (fake_copy)
		memcpy(t.area, &kt_tls_area, sizeof(*t.area));
	ret = kt_thread_spawn(&t, flags, t.tls, 0, snap_fn, NULL);
	if (ret > 0)
		kt_thread_join(&t);
	ok = ret > 0;
	if (ok)
		ok &= kt_snap_check(&t.snap[0], with_area ? KT_EXPECT_AREA :
				      KT_EXPECT_NO_AREA, what);
	ok &= t.snap[0].sys.tid == ret;
	ksft_test_result(ok,
			 "%s (%s): vDSO == syscalls (tid %ld), errno_location %s\n",
			 what, kt_ret_str(ret), t.snap[0].vdso.tid,
			 "== &area.errno_value");
	kt_thread_free(&t);
}

/* ---- bogus thread pointers, in children ---- */

enum bogus {
	B_CLONE_TLS0,		/* clone3 CLONE_SETTLS tls=0 */
	B_SETFS0,		/* KTLS thread, then ARCH_SET_FS 0 */
	B_CLONE_TLS_NONE,	/* clone3 tls in a PROT_NONE mapping */
	B_SETFS_NONE,		/* KTLS thread, then ARCH_SET_FS there */
};

static const char *const bogus_names[] = {
	[B_CLONE_TLS0] = "raw thread created with CLONE_SETTLS tls=0",
	[B_SETFS0] = "CLONE_KTLS thread after arch_prctl(ARCH_SET_FS, 0)",
	[B_CLONE_TLS_NONE] = "raw thread created with tls in a PROT_NONE mapping",
	[B_SETFS_NONE] = "CLONE_KTLS thread after arch_prctl(ARCH_SET_FS, PROT_NONE address)",
};

struct bogus_res {
	struct kt_snap snap;
	long setfs_ret;
	unsigned long want_fs;
};

static struct bogus_res *bres;

static KT_RAW int bogus_fn(struct kt_thread *t)
{
	if (t->val[0]) {
		bres->setfs_ret = kt_set_fs(t->val[1]);
		/* From here on nothing may touch %fs. */
	}
	kt_snap_take(&bres->snap, NULL);
	return 0;
}

static int bogus_child(void *arg)
{
	enum bogus k = (enum bogus)(long)arg;
	struct kt_thread t;
	unsigned long none, bad;
	uint64_t flags = KT_THREAD_FLAGS;
	unsigned long tls;
	long ret;

	if (kt_thread_prepare(&t, 0))
		return 250;
	none = (unsigned long)mmap(NULL, 1 << 20, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (none == (unsigned long)MAP_FAILED)
		return 251;
	bad = none + (1 << 19);
	tls = t.tls;
	switch (k) {
	case B_CLONE_TLS0:
		tls = 0;
		break;
	case B_CLONE_TLS_NONE:
		tls = bad;
		break;
	case B_SETFS0:
		flags |= CLONE_KTLS;
		t.val[0] = 1;
		t.val[1] = 0;
		break;
	case B_SETFS_NONE:
		flags |= CLONE_KTLS;
		t.val[0] = 1;
		t.val[1] = bad;
		break;
	}
	bres->want_fs = t.val[0] ? (unsigned long)t.val[1] : tls;
	ret = kt_thread_spawn(&t, flags, tls, 0, bogus_fn, NULL);
	if (ret <= 0)
		return 252;
	kt_thread_join(&t);
	return 0;
}

static void test_bogus(enum bogus k)
{
	int st;
	bool ok;

	memset(bres, 0, sizeof(*bres));
	st = kt_fork_run(bogus_child, (void *)(long)k);
	ok = WIFEXITED(st) && !WEXITSTATUS(st) && !bres->setfs_ret;
	ok &= kt_snap_check(&bres->snap, KT_EXPECT_NONE, bogus_names[k]);
	ok &= bres->snap.fs == bres->want_fs;
	ok &= !bres->snap.vdso_done || !bres->snap.errno_loc;
	ksft_test_result(ok,
			 "%s (fs %#lx): child %s (expected exit 0, no crash); vDSO == syscalls, errno_location NULL\n",
			 bogus_names[k], bres->snap.fs, kt_status_str(st));
}

/* ---- moving the thread pointer with arch_prctl ---- */

static struct kt_thread other;	/* a second TCB, never run */
static bool is_root;

static KT_RAW int move_fn(struct kt_thread *t)
{
	const uint32_t *from = (const uint32_t *)t->area;
	uint32_t *to = (uint32_t *)other.area;
	int i;

	kt_snap_take(&t->snap[0], t->area);
	/*
	 * The new TCB's area holds a copy: it claims the old TP.  Word by
	 * word, with single loads and stores (no memcpy call).
	 */
	for (i = 0; i < (int)(sizeof(struct ktls_area) / 4); i++)
		__atomic_store_n(&to[i], __atomic_load_n(&from[i], __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
	t->val[0] = kt_set_fs(other.tls);
	kt_snap_take(&t->snap[1], other.area);
	t->val[1] = kt_set_fs(t->tls);
	kt_snap_take(&t->snap[2], t->area);
	if (is_root) {
		t->val[2] = kt_sys3(SYS_setresuid, -1, 1009, -1);
		kt_snap_take(&t->snap[3], t->area);
	}
	return 0;
}

static void test_move_tp(void)
{
	struct kt_thread t;
	long ret;
	bool ok;

	if (kt_thread_prepare(&other, 0))
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	ret = kt_thread_start(&t, move_fn, NULL);
	if (ret > 0)
		kt_thread_join(&t);
	ok = ret > 0 && !t.val[0] && !t.val[1];
	if (ok) {
		ok &= kt_snap_check(&t.snap[0], KT_EXPECT_AREA,
				      "before arch_prctl");
		ok &= kt_snap_check(&t.snap[1], KT_EXPECT_NO_AREA,
				      "on the second TCB");
		ok &= kt_snap_check(&t.snap[2], KT_EXPECT_NO_AREA,
				      "back on the first TCB");
		if (is_root) {
			ok &= !t.val[2];
			ok &= kt_snap_check(&t.snap[3], KT_EXPECT_NO_AREA,
					      "back, after setresuid(-1, 1009, -1)");
			ok &= t.snap[3].vdso.euid == 1009;
		}
	}
	ksft_test_result(ok,
			 "CLONE_KTLS thread (%s) moves its TP with ARCH_SET_FS to a TCB holding a copy of its area, then back%s: no area either way (vDSO == syscalls, owner word not valid)\n",
			 kt_ret_str(ret),
			 is_root ? ", then setresuid(-1, 1009, -1): vDSO euid 1009" :
			 " (not root: no credential change)");
	kt_thread_free(&t);
}

static KT_RAW int move_register_fn(struct kt_thread *t)
{
	t->val[0] = kt_set_fs(other.tls);
	t->val[1] = kt_register();
	kt_snap_take(&t->snap[0], other.area);
	t->val[2] = kt_unregister();
	return 0;
}

static void test_move_register(void)
{
	struct kt_thread t;
	long ret;
	bool ok;

	memset(other.area, 0, sizeof(*other.area));
	ret = kt_thread_start(&t, move_register_fn, NULL);
	if (ret > 0)
		kt_thread_join(&t);
	ok = ret > 0 && !t.val[0] && !t.val[1] && !t.val[2];
	if (ret > 0)
		ok &= kt_snap_check(&t.snap[0], KT_EXPECT_AREA,
				      "REGISTER on the new TCB");
	ksft_test_result(ok,
			 "after ARCH_SET_FS to a new TCB (%s), REGISTER -> %s gives an area there (tid %ld); UNREGISTER -> %s\n",
			 kt_ret_str(t.val[0]), kt_ret_str(t.val[1]),
			 t.snap[0].area_ids.tid, kt_ret_str(t.val[2]));
	kt_thread_free(&t);
	kt_thread_free(&other);
}

/* ---- an area overwritten by user space ---- */

static void test_garbage(void)
{
	static const struct {
		uint8_t fill;
		int tp_kind;	/* 0: fill, 1: 0, 2: another TP, 3: no key */
		const char *what;
	} pats[] = {
		{ 0xa5, 0, "all 0xa5 (owner 0xa5a5a5a5a5a5a5a5)" },
		{ 0x5a, 1, "fields 0x5a, owner 0" },
		{ 0x3c, 2, "fields 0x3c, owner = (thread pointer + 64) ^ key" },
		{ 0x77, 3, "fields 0x77, owner = the thread pointer, without the key" },
	};
	struct ktls_area saved;
	struct kt_snap s;
	int32_t errno_value;
	size_t i;

	memcpy(&saved, &kt_tls_area, sizeof(saved));
	for (i = 0; i < ARRAY_SIZE(pats); i++) {
		errno_value = kt_tls_area.errno_value;
		memset(&kt_tls_area, pats[i].fill, sizeof(kt_tls_area));
		kt_tls_area.errno_value = errno_value;
		if (pats[i].tp_kind == 1)
			kt_tls_area.owner = 0;
		else if (pats[i].tp_kind == 2)
			kt_tls_area.owner = (kt_tp() + 64) ^ kt_key();
		else if (pats[i].tp_kind == 3)
			kt_tls_area.owner = kt_tp();
		kt_snap_take(&s, &kt_tls_area);
		memcpy(&kt_tls_area, &saved, sizeof(saved));
		ksft_test_result(kt_snap_check(&s, KT_EXPECT_NO_AREA,
					       pats[i].what),
				 "main's area overwritten by user space (%s): vDSO == syscalls (tid %ld uid %ld), errno_location the slot\n",
				 pats[i].what, s.sys.tid, s.sys.uid);
	}
	check_main("main's area restored from a saved copy", KT_EXPECT_AREA);
}

#define NR_GARBAGE 5

/* ---- signal handlers ---- */

static struct kt_snap sig_snap;
/* Set before each signal, read by the handler: __atomic accesses. */
static const struct ktls_area *sig_area;

static KT_RAW void sig_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	kt_snap_take(&sig_snap, __atomic_load_n(&sig_area, __ATOMIC_RELAXED));
}

static KT_RAW int sig_wait_fn(struct kt_thread *t)
{
	kt_post(&t->go, 1);
	kt_wait_for(&t->go, 2);
	return 0;
}

static void *pt_sig_fn(void *arg)
{
	(void)arg;
	__atomic_store_n(&sig_area, &kt_tls_area, __ATOMIC_RELAXED);
	kt_sys3(SYS_tgkill, kt_raw_getpid(), kt_raw_gettid(), SIGUSR1);
	return NULL;
}

static void test_signals(void)
{
	struct sigaction sa = { 0 };
	struct kt_thread t;
	pthread_t th;
	long ret;
	bool ok;

	sa.sa_sigaction = sig_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		ksft_exit_fail_msg("sigaction: %s\n", strerror(errno));

	memset(&sig_snap, 0, sizeof(sig_snap));
	__atomic_store_n(&sig_area, &kt_tls_area, __ATOMIC_RELAXED);
	kt_sys3(SYS_tgkill, kt_raw_getpid(), kt_raw_gettid(), SIGUSR1);
	ksft_test_result(kt_snap_check(&sig_snap, KT_EXPECT_AREA,
				       "handler in main"),
			 "SIGUSR1 handler in the registered main thread: area right, vDSO == syscalls, errno_location == &area.errno_value\n");

	memset(&sig_snap, 0, sizeof(sig_snap));
	ret = kt_thread_start(&t, sig_wait_fn, NULL);
	ok = ret > 0;
	if (ok) {
		kt_wait_for(&t.go, 1);
		__atomic_store_n(&sig_area, t.area, __ATOMIC_RELAXED);
		kt_sys3(SYS_tgkill, kt_raw_getpid(), ret, SIGUSR1);
		while (!__atomic_load_n(&sig_snap.taken, __ATOMIC_SEQ_CST))
			kt_sys0(SYS_sched_yield);
		kt_post(&t.go, 2);
		kt_thread_join(&t);
		ok &= kt_snap_check(&sig_snap, KT_EXPECT_AREA,
				      "handler in raw thread");
		ok &= sig_snap.sys.tid == ret;
	}
	ksft_test_result(ok,
			 "SIGUSR1 handler in a CLONE_KTLS thread (%s): its own area and tid %ld, vDSO == syscalls\n",
			 kt_ret_str(ret), sig_snap.sys.tid);

	memset(&sig_snap, 0, sizeof(sig_snap));
	ok = !pthread_create(&th, NULL, pt_sig_fn, NULL);
	if (ok)
		pthread_join(th, NULL);
	ok &= kt_snap_check(&sig_snap, KT_EXPECT_NO_AREA,
			      "handler in pthread");
	ksft_test_result(ok,
			 "SIGUSR1 handler in a pthread without area: vDSO == syscalls (tid %ld), errno_location its slot\n",
			 sig_snap.sys.tid);
	signal(SIGUSR1, SIG_DFL);
}

/* ---- many threads at once ---- */

static struct kt_thread loopers[NR_LOOPERS];
static int loop_go;		/* futex helpers only */

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

static KT_RAW int looper_fn(struct kt_thread *t)
{
	kt_wait_for(&loop_go, 1);
	t->val[0] = loop_body(&t->area->errno_value, t->area);
	return 0;
}

static void *pt_looper_fn(void *arg)
{
	kt_wait_for(&loop_go, 1);
	*(long *)arg = loop_body(&kt_tls_area.errno_value, NULL);
	return NULL;
}

static void test_loopers(void)
{
	long pt_bad[NR_PT_LOOPERS] = { 0 };
	pthread_t th[NR_PT_LOOPERS];
	int i, n = 0, npt = 0;
	long bad = 0;

	for (i = 0; i < NR_LOOPERS; i++) {
		if (kt_thread_start(&loopers[i], looper_fn, NULL) <= 0)
			break;
		n++;
	}
	for (i = 0; i < NR_PT_LOOPERS; i++) {
		if (pthread_create(&th[i], NULL, pt_looper_fn, &pt_bad[i]))
			break;
		npt++;
	}
	kt_post(&loop_go, 1);
	/* Main loops too, on its own area. */
	bad += loop_body(&kt_tls_area.errno_value, &kt_tls_area);
	for (i = 0; i < n; i++) {
		kt_thread_join(&loopers[i]);
		bad += loopers[i].val[0];
		kt_thread_free(&loopers[i]);
	}
	for (i = 0; i < npt; i++) {
		pthread_join(th[i], NULL);
		bad += pt_bad[i];
	}
	ksft_test_result(n == NR_LOOPERS && npt == NR_PT_LOOPERS && !bad,
			 "%d CLONE_KTLS threads, %d pthreads and main each call the 7 accessors %d times at once: %ld answers differed from the thread's own syscalls/errno slot (expected 0)\n",
			 n, npt, LOOPS, bad);
}

/* ---- errno_location slots ---- */

static KT_RAW int errno_fn(struct kt_thread *t)
{
	int *p = kt_vdso.errno_location();

	t->val[0] = (long)p;
	if (p)
		*p = (int)kt_raw_gettid();
	return 0;
}

static void test_errno_slots(void)
{
	struct kt_thread a, b;
	long ra, rb;
	int32_t mine = 0x4e4e4e;
	bool ok;

	kt_tls_area.errno_value = mine;
	ra = kt_thread_start(&a, errno_fn, NULL);
	rb = kt_thread_start(&b, errno_fn, NULL);
	if (ra > 0)
		kt_thread_join(&a);
	if (rb > 0)
		kt_thread_join(&b);
	ok = ra > 0 && rb > 0 &&
	     a.val[0] == (long)&a.area->errno_value &&
	     b.val[0] == (long)&b.area->errno_value &&
	     a.area->errno_value == ra && b.area->errno_value == rb &&
	     kt_tls_area.errno_value == mine &&
	     kt_vdso.errno_location() == &kt_tls_area.errno_value;
	ksft_test_result(ok,
			 "errno_location in two CLONE_KTLS threads -> %#lx and %#lx (expected their &area.errno_value %p %p); each stored its tid (%d %d, expected %ld %ld); main's slot kept %#x (expected %#x)\n",
			 a.val[0], b.val[0], (void *)&a.area->errno_value,
			 (void *)&b.area->errno_value, a.area->errno_value,
			 b.area->errno_value, ra, rb,
			 kt_tls_area.errno_value, mine);
	kt_thread_free(&a);
	kt_thread_free(&b);
}

int main(void)
{
	page_size = sysconf(_SC_PAGESIZE);
	ksft_print_header();
	kt_setup(true);
	if (!kt_vdso_ok)
		ksft_exit_skip("the vDSO lacks the __vdso_ktls_* functions (found %d of 7)\n",
			       kt_vdso_init());
	is_root = geteuid() == 0;
	bres = kt_shared_alloc(sizeof(*bres));
	ksft_set_plan(1 + 1 + 1 + 3 + 4 + 2 + NR_GARBAGE + 3 + 1 + 1);

	check_main("registered initial thread", KT_EXPECT_AREA);
	test_unregistered_main();
	test_pthread();
	test_raw(true, false);
	test_raw(false, false);
	test_raw(false, true);
	test_bogus(B_CLONE_TLS0);
	test_bogus(B_SETFS0);
	test_bogus(B_CLONE_TLS_NONE);
	test_bogus(B_SETFS_NONE);
	test_move_tp();
	test_move_register();
	test_garbage();
	test_signals();
	test_loopers();
	test_errno_slots();

	ksft_finished();
	return 0;
}
