// SPDX-License-Identifier: GPL-2.0
/*
 * The KTLS vDSO accessors against their system calls in every kind of
 * thread: registered, unregistered, pthreads, raw threads with a fresh
 * TCB, a thread pointer of 0 or pointing at inaccessible memory, a thread
 * pointer moved with arch_prctl, an area overwritten by user space and
 * signal handlers; and __vdso_ktls_errno_location.  64 threads at once:
 * ktls_threads.
 *
 * Cases that could crash (a bogus thread pointer) run in forked children
 * of the test's process, which judges their fate.
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

#include "../kselftest_harness.h"
#include "ktls_util.h"

FIXTURE(vdso) {
};

FIXTURE_SETUP(vdso)
{
	kt_setup_or_skip(_metadata);
}

FIXTURE_TEARDOWN(vdso)
{
}

/*
 * A raw thread on a fresh TCB without CLONE_KTLS (its area memory may hold
 * a copy of main's, which claims main's thread pointer): vDSO == syscalls,
 * no area.  With CLONE_KTLS: ktls_threads' many_raw_threads.
 */
TEST_F(vdso, raw_threads_no_area)
{
	static const char *const what[] = {
		"raw thread without an area",
		"raw thread, a copy of main's area in its TCB",
	};
	struct kt_thread t;
	struct kt_snap s;
	int fake_copy;
	long ret;

	for (fake_copy = 0; fake_copy <= 1; fake_copy++) {
		ASSERT_EQ(0, kt_thread_prepare(&t, 0));
		if (fake_copy)
			memcpy(t.area, &kt_tls_area, sizeof(*t.area));
		ret = kt_thread_run(&t, KT_THREAD_FLAGS, t.tls, kt_thread_snap, &s);
		ASSERT_LT(0, ret) TH_LOG("%s: %s", what[fake_copy], kt_ret_str(ret));
		kt_expect_snap(_metadata, &s, KT_EXPECT_NO_AREA, what[fake_copy]);
		EXPECT_EQ(ret, s.sys.tid) TH_LOG("%s", what[fake_copy]);
		kt_thread_free(&t);
	}
}

/* ---- bogus thread pointers, in children ---- */

/*
 * The bogus thread pointer: 0, or an address in a PROT_NONE mapping; set
 * by clone3's tls, or by ARCH_SET_FS in a CLONE_KTLS thread.
 */
static const struct bogus_case {
	bool prot_none, set_fs;
	const char *what;
} bogus_cases[] = {
	{ false, false, "clone3 CLONE_SETTLS tls=0" },
	{ false, true, "CLONE_KTLS thread, then ARCH_SET_FS 0" },
	{ true, false, "clone3 tls in a PROT_NONE mapping" },
	{ true, true, "CLONE_KTLS thread, then ARCH_SET_FS to a PROT_NONE address" },
};

/* Shared with the test's process. */
struct bogus_res {
	struct kt_snap snap;
	long setfs_ret;
	unsigned long want_fs;
	bool setfs;		/* the thread moves its FS base to want_fs */
};

static struct bogus_res *bres;

static KT_RAW int bogus_fn(struct kt_thread *t)
{
	if (bres->setfs) {
		bres->setfs_ret = kt_set_fs(bres->want_fs);
		/* From here on nothing may touch %fs. */
	}
	kt_snap_take(&bres->snap, NULL);
	return 0;
}

static int bogus_child(void *arg)
{
	const struct bogus_case *c = arg;
	struct kt_thread t;
	unsigned long none;

	if (kt_thread_prepare(&t, 0))
		return 250;
	none = (unsigned long)mmap(NULL, 1 << 20, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (none == (unsigned long)MAP_FAILED)
		return 251;
	bres->want_fs = c->prot_none ? none + (1 << 19) : 0;
	bres->setfs = c->set_fs;
	return kt_thread_run(&t, KT_THREAD_FLAGS | (c->set_fs ? CLONE_KTLS : 0),
			     c->set_fs ? t.tls : bres->want_fs, bogus_fn,
			     NULL) > 0 ? 0 : 252;
}

/*
 * Each case in a child, which exits 0 (no crash); its thread's vDSO ==
 * syscalls, errno_location NULL, and the FS base is the bogus one.
 */
TEST_F(vdso, bogus_thread_pointers)
{
	const struct bogus_case *c;
	int st;

	for (c = bogus_cases; c < bogus_cases + ARRAY_SIZE(bogus_cases); c++) {
		bres = kt_shared_alloc(sizeof(*bres));
		st = kt_fork_run(bogus_child, (void *)c);
		kt_expect_exit0(_metadata, st, c->what);
		EXPECT_EQ(0, bres->setfs_ret) TH_LOG("%s", c->what);
		kt_expect_snap(_metadata, &bres->snap, KT_EXPECT_NONE, c->what);
		EXPECT_EQ(bres->want_fs, bres->snap.fs) TH_LOG("%s", c->what);
		EXPECT_TRUE(!bres->snap.vdso_done || !bres->snap.errno_loc)
			TH_LOG("%s", c->what);
	}
}

/* ---- moving the thread pointer with arch_prctl ---- */

/* What a thread moving its thread pointer saw, and its returns. */
struct move {
	struct kt_thread other;	/* a second TCB, never run */
	struct kt_snap before, there, back, changed;
	long set_there, set_back, setresuid, reg, unreg;
	bool root;
};

static KT_RAW int move_fn(struct kt_thread *t)
{
	struct move *m = t->arg;
	const __u32 *from = (const __u32 *)t->area;
	__u32 *to = (__u32 *)m->other.area;
	int i;

	kt_snap_take(&m->before, t->area);
	/*
	 * The new TCB's area holds a copy: it claims the old TP.  Word by
	 * word, with single loads and stores (no memcpy call).
	 */
	for (i = 0; i < (int)(sizeof(struct ktls_area) / 4); i++)
		__atomic_store_n(&to[i], __atomic_load_n(&from[i], __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
	m->set_there = kt_set_fs(m->other.tls);
	kt_snap_take(&m->there, m->other.area);
	m->set_back = kt_set_fs(t->tls);
	kt_snap_take(&m->back, t->area);
	if (m->root) {
		m->setresuid = kt_sys3(SYS_setresuid, -1, 1009, -1);
		kt_snap_take(&m->changed, t->area);
	}
	return 0;
}

/*
 * A CLONE_KTLS thread moves its TP with ARCH_SET_FS to a TCB holding a
 * copy of its area, then back: no area either way (vDSO == syscalls,
 * owner word not valid); as root, then setresuid(-1, 1009, -1) shows
 * euid 1009 in the vDSO.
 */
TEST_F(vdso, move_tp_and_back)
{
	static struct move m;
	struct kt_thread t;

	m.root = geteuid() == 0;
	ASSERT_EQ(0, kt_thread_prepare(&m.other, 0));
	ASSERT_LT(0, kt_thread_start(&t, move_fn, &m));
	kt_thread_join(&t);
	ASSERT_EQ(0, m.set_there);
	ASSERT_EQ(0, m.set_back);
	kt_expect_snap(_metadata, &m.before, KT_EXPECT_AREA,
		       "before arch_prctl");
	kt_expect_snap(_metadata, &m.there, KT_EXPECT_NO_AREA,
		       "on the second TCB");
	kt_expect_snap(_metadata, &m.back, KT_EXPECT_NO_AREA,
		       "back on the first TCB");
	if (m.root) {
		EXPECT_EQ(0, m.setresuid);
		kt_expect_snap(_metadata, &m.changed, KT_EXPECT_NO_AREA,
			       "back, after setresuid(-1, 1009, -1)");
		EXPECT_EQ(1009, m.changed.vdso.euid);
	}
	kt_thread_free(&t);
	kt_thread_free(&m.other);
}

static KT_RAW int move_register_fn(struct kt_thread *t)
{
	struct move *m = t->arg;

	m->set_there = kt_set_fs(m->other.tls);
	m->reg = kt_register();
	kt_snap_take(&m->there, m->other.area);
	m->unreg = kt_unregister();
	return 0;
}

/*
 * After ARCH_SET_FS to a new TCB, REGISTER -> 0 gives an area there;
 * UNREGISTER -> 0.
 */
TEST_F(vdso, move_tp_then_register)
{
	static struct move m;
	struct kt_thread t;

	ASSERT_EQ(0, kt_thread_prepare(&m.other, 0));
	ASSERT_LT(0, kt_thread_start(&t, move_register_fn, &m));
	kt_thread_join(&t);
	EXPECT_EQ(0, m.set_there);
	EXPECT_EQ(0, m.reg);
	EXPECT_EQ(0, m.unreg);
	kt_expect_snap(_metadata, &m.there, KT_EXPECT_AREA,
		       "REGISTER on the new TCB");
	kt_thread_free(&t);
	kt_thread_free(&m.other);
}

/* ---- an area overwritten by user space ---- */

/*
 * Main's area overwritten by user space (four patterns, the errno slot
 * kept): vDSO == syscalls, errno_location the slot; restored from a saved
 * copy, the area is right again.
 */
TEST_F(vdso, area_overwritten)
{
	static const struct {
		__u8 fill;
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
	__s32 errno_value;
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
		kt_expect_snap(_metadata, &s, KT_EXPECT_NO_AREA, pats[i].what);
	}
	kt_expect_self(_metadata, KT_EXPECT_AREA,
		       "main's area restored from a saved copy");
}

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

/* The raw thread's handshake with the test (__atomic, futex helpers). */
static int sig_go;

static KT_RAW int sig_wait_fn(struct kt_thread *t)
{
	kt_post(&sig_go, 1);
	kt_wait_for(&sig_go, 2);
	return 0;
}

static void *pt_sig_fn(void *arg)
{
	(void)arg;
	__atomic_store_n(&sig_area, &kt_tls_area, __ATOMIC_RELAXED);
	kt_sys3(SYS_tgkill, kt_raw_getpid(), kt_raw_gettid(), SIGUSR1);
	return NULL;
}

static void handle_sigusr1(struct __test_metadata *_metadata)
{
	struct sigaction sa = { 0 };

	sa.sa_sigaction = sig_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
}

/*
 * SIGUSR1 handler in the registered main thread: area right, vDSO ==
 * syscalls, errno_location == &area.errno_value.
 */
TEST_F(vdso, signal_in_main)
{
	handle_sigusr1(_metadata);
	__atomic_store_n(&sig_area, &kt_tls_area, __ATOMIC_RELAXED);
	kt_sys3(SYS_tgkill, kt_raw_getpid(), kt_raw_gettid(), SIGUSR1);
	kt_expect_snap(_metadata, &sig_snap, KT_EXPECT_AREA, "handler in main");
}

/* SIGUSR1 handler in a CLONE_KTLS thread: its own area and tid. */
TEST_F(vdso, signal_in_raw_thread)
{
	struct kt_thread t;
	long ret;

	handle_sigusr1(_metadata);
	ret = kt_thread_start(&t, sig_wait_fn, NULL);
	ASSERT_LT(0, ret) TH_LOG("%s", kt_ret_str(ret));
	kt_wait_for(&sig_go, 1);
	__atomic_store_n(&sig_area, t.area, __ATOMIC_RELAXED);
	kt_sys3(SYS_tgkill, kt_raw_getpid(), ret, SIGUSR1);
	while (!__atomic_load_n(&sig_snap.taken, __ATOMIC_SEQ_CST))
		kt_sys0(SYS_sched_yield);
	kt_post(&sig_go, 2);
	kt_thread_join(&t);
	kt_expect_snap(_metadata, &sig_snap, KT_EXPECT_AREA,
		       "handler in raw thread");
	EXPECT_EQ(ret, sig_snap.sys.tid);
	kt_thread_free(&t);
}

/* SIGUSR1 handler in a pthread without area: vDSO == syscalls. */
TEST_F(vdso, signal_in_pthread)
{
	pthread_t th;

	handle_sigusr1(_metadata);
	ASSERT_EQ(0, pthread_create(&th, NULL, pt_sig_fn, NULL));
	pthread_join(th, NULL);
	kt_expect_snap(_metadata, &sig_snap, KT_EXPECT_NO_AREA,
		       "handler in pthread");
}

/* ---- errno_location slots ---- */

static KT_RAW int errno_fn(struct kt_thread *t)
{
	int *p = kt_vdso.errno_location();

	*(int **)t->arg = p;
	if (p)
		*p = (int)kt_raw_gettid();
	return 0;
}

/*
 * errno_location in two CLONE_KTLS threads gives their &area.errno_value;
 * each stores its tid there; main's slot keeps its value and
 * errno_location in main is still its slot.
 */
TEST_F(vdso, errno_slots)
{
	const __s32 mine = 0x4e4e4e;
	struct kt_thread a, b;
	int *pa = NULL, *pb = NULL;
	long ra, rb;

	kt_tls_area.errno_value = mine;
	ra = kt_thread_start(&a, errno_fn, &pa);
	ASSERT_LT(0, ra);
	rb = kt_thread_start(&b, errno_fn, &pb);
	ASSERT_LT(0, rb);
	kt_thread_join(&a);
	kt_thread_join(&b);
	EXPECT_EQ(&a.area->errno_value, pa);
	EXPECT_EQ(&b.area->errno_value, pb);
	EXPECT_EQ(ra, a.area->errno_value);
	EXPECT_EQ(rb, b.area->errno_value);
	EXPECT_EQ(mine, kt_tls_area.errno_value);
	EXPECT_EQ(&kt_tls_area.errno_value, kt_vdso.errno_location());
	kt_thread_free(&a);
	kt_thread_free(&b);
}

int main(int argc, char **argv)
{
	kt_require_vdso();
	return test_harness_run(argc, argv);
}
