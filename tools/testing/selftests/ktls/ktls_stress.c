// SPDX-License-Identifier: GPL-2.0
/*
 * KTLS under load, bounded so that a run fits a TCG-emulated 2-CPU guest
 * (every count can be raised from the command line for longer runs):
 *
 *  1. Many raw clone3(CLONE_KTLS) threads read every vDSO accessor in
 *     a loop and compare them with the system calls, while other threads
 *     change their own credentials (raw setresgid/setresuid, per thread in
 *     the kernel) and check theirs after each change.  Nobody may ever see
 *     another thread's tid or ids.
 *  2. fork, vfork and exec storms from registered threads (exec'd images
 *     re-check themselves), exec from a non-leader thread, while readers
 *     read and must stay right.
 *  3. Signals (a tgkill storm and an interval timer) delivered during the
 *     reads, to registered threads, pthreads and main; the handlers read
 *     and check.
 *  4. Threads created and exiting on recycled TCBs while others read: a new
 *     thread never shows the dead one's values, exit clears the area before
 *     CLONE_CHILD_CLEARTID reports the thread gone, and the kernel never
 *     writes the area after that.
 *  5. Thousands of REGISTER/UNREGISTER cycles (main and raw threads at
 *     once) and fork cycles.
 *
 * Tests 2 to 5 also stop at their share of a time budget (-B, 30 s by
 * default), so that a slow host or a debug kernel shortens them instead of
 * overrunning; they print how much they did.  Each still makes every kind
 * of event it checks at least once, so that no result rests on zero events.
 * ktls_stress -h lists the options.  -C runs tests 4 and 5 alone and -W
 * makes that an unreported warm-up: ktls_soak compares the kernel's slab
 * memory across such runs, and repeats whole runs for a soak.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "ktls_util.h"

#define EXE_PATH	"/proc/self/exe"
#define EXEC_ARG	"--exec-check"
#define CANARY		0x5a5a5a5a5a5a5a5aULL
#define NR_RECYCLED	4
#define ID_BASE		200000
#define ID_STRIDE	1000

/* ---- parameters ---- */

static struct {
	int threads;		/* -t: threads of test 1 */
	int changers;		/* -c: of which change their credentials */
	int reads;		/* -r: reader loop iterations in test 1 */
	int cred_cycles;	/* -k: credential cycles per changer */
	int forkers;		/* -p: registered threads forking in test 2 */
	int forks;		/* -f: fork rounds per forker */
	int execs;		/* -e: execs from a non-leader thread */
	int sig_readers;	/* -s: KTLS readers in test 3 */
	int signals;		/* -n: signal handler runs wanted in test 3 */
	int joins;		/* -j: create/join cycles in test 4 */
	int regs;		/* -g: REGISTER/UNREGISTER cycles in test 5 */
	int procs;		/* -o: fork cycles in test 5 */
	int bg_readers;		/* -b: readers during tests 2 and 4 */
	int budget;		/* -B: seconds for tests 2 to 5 at most */
	bool cycles_only;	/* -C: tests 4 and 5 alone (ktls_soak) */
	bool warm_up;		/* -W: with -C, a tenth and no results */
} P = {
	.threads = 256,
	.changers = 16,
	.reads = 1500,
	.cred_cycles = 40,
	.forkers = 4,
	.forks = 16,
	.execs = 6,
	.sig_readers = 16,
	.signals = 2000,
	.joins = 2000,
	.regs = 4000,
	.procs = 150,
	.bg_readers = 6,
	.budget = 30,
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The end of a test's share of the time budget (-B): loops stop there, so
 * that a slow emulator or a debug kernel (KASAN) shortens a run instead of
 * overrunning it; the results say how many rounds were done.  Warm-up
 * rounds get a tenth.
 */
static double deadline(double share, bool report)
{
	return now() + P.budget * share * (report ? 1 : 0.1);
}

static void print_usage(const char *prog)
{
	printf("usage: %s [-m MULT] [-t THREADS] [-c CHANGERS] [-r READS] [-k CRED_CYCLES]\n"
	       "          [-p FORKERS] [-f FORKS] [-e EXECS] [-s SIG_READERS] [-n SIGNALS]\n"
	       "          [-j JOINS] [-g REG_CYCLES] [-o PROC_CYCLES] [-b BG_READERS]\n"
	       "          [-B BUDGET_SECONDS] [-C [-W]]\n"
	       "-m multiplies every count (not the thread numbers) for longer runs;\n"
	       "-B bounds the time of tests 2 to 5 (default 30 s; -m multiplies it too);\n"
	       "-C runs tests 4 and 5 alone, -W as a warm-up (ktls_soak uses them).\n",
	       prog);
}

/* The options that set a count: -m multiplies the "scaled" ones. */
static const struct {
	int opt;
	int *val;
	bool scaled;
} opts[] = {
	{ 't', &P.threads, false }, { 'c', &P.changers, false },
	{ 'r', &P.reads, true }, { 'k', &P.cred_cycles, true },
	{ 'p', &P.forkers, false }, { 'f', &P.forks, true },
	{ 'e', &P.execs, true }, { 's', &P.sig_readers, false },
	{ 'n', &P.signals, true }, { 'j', &P.joins, true },
	{ 'g', &P.regs, true }, { 'o', &P.procs, true },
	{ 'b', &P.bg_readers, false }, { 'B', &P.budget, true },
};

static int *opt_val(int opt)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(opts); i++)
		if (opts[i].opt == opt)
			return opts[i].val;
	return NULL;
}

static void parse_args(int argc, char **argv)
{
	int opt, mult = 1;
	size_t i;

	while ((opt = getopt(argc, argv, "m:t:c:r:k:p:f:e:s:n:j:g:o:b:B:CWh")) != -1) {
		if (opt_val(opt)) {
			*opt_val(opt) = atoi(optarg);
		} else if (opt == 'm') {
			mult = atoi(optarg);
		} else if (opt == 'C') {
			P.cycles_only = true;
		} else if (opt == 'W') {
			P.warm_up = true;
		} else {
			print_usage(argv[0]);
			exit(opt == 'h' ? 0 : KSFT_FAIL);
		}
	}
	for (i = 0; mult > 1 && i < ARRAY_SIZE(opts); i++)
		if (opts[i].scaled)
			*opts[i].val *= mult;
	if (P.threads < 2)
		P.threads = 2;
	if (P.changers > P.threads / 2)
		P.changers = P.threads / 2;
	if (P.changers < 1)
		P.changers = 1;
	if (P.forkers < 1)
		P.forkers = 1;
	if (P.sig_readers < 1)
		P.sig_readers = 1;
	if (P.bg_readers < 1)
		P.bg_readers = 1;
}

static bool is_root;
static long main_tid, main_pid;
static char *exec_argv0[] = { EXE_PATH, EXEC_ARG, "0", NULL };

static bool main_right(const char *who)
{
	struct kt_snap s;

	kt_snap_take(&s, &kt_tls_area);
	return kt_snap_check(&s, KT_EXPECT_AREA, who);
}

/* ---- readers ---- */

/*
 * A raw reader, credential changer, signal reader or REGISTER cycler, and
 * what it reports.  Its struct kt_thread comes first: wk() gets the worker
 * from the thread (raw-safe).
 */
struct worker {
	struct kt_thread t;
	long rounds;		/* at least this many rounds */
	long done, wrong;	/* rounds (reads, changes, cycles), wrong ones */
	long tid;		/* its tid, as it saw it */
	long foreign_tid;	/* reader: the first other tid served (0: none) */
	bool lenient;		/* reader: errno_location may be NULL while
				 * thread pointer sharers live
				 */
	bool changer;
	long index, cycles;	/* changer: its index, credential cycles */
	unsigned long first_bits;	/* the first wrong round's bits */
	struct kt_snap first_wrong;	/* reader, changer: its first wrong look */
	struct kt_ids wrong_vdso, wrong_sys, wrong_area;	/* changer */
	void *altstack;		/* signal reader: its sigaltstack (or NULL) */
	long altstack_ret;
};

static inline struct worker *wk(struct kt_thread *t)
{
	return (struct worker *)t;
}

/* Shared with the threads: __atomic accesses and the futex helpers only. */
static int rd_go, rd_stop, rd_arrived;
static long readers_active;

/* Before the threads start: no go, no stop, nobody arrived. */
static void rd_reset(int stop)
{
	__atomic_store_n(&rd_go, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&rd_stop, stop, __ATOMIC_RELAXED);
	__atomic_store_n(&rd_arrived, 0, __ATOMIC_RELAXED);
}

static KT_RAW void reader_arrive(void)
{
	__atomic_add_fetch(&rd_arrived, 1, __ATOMIC_SEQ_CST);
	kt_futex_wake(&rd_arrived);
}

static KT_RAW int reader_fn(struct kt_thread *t)
{
	int *slot = &t->area->errno_value;
	bool lenient = wk(t)->lenient;
	struct kt_ids ref, v;
	long i, bad = 0;
	int *loc;

	kt_ids_sys(&ref);
	wk(t)->tid = ref.tid;
	reader_arrive();
	kt_wait_for(&rd_go, 1);
	__atomic_add_fetch(&readers_active, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < wk(t)->rounds || !__atomic_load_n(&rd_stop, __ATOMIC_RELAXED);
	     i++) {
		bool wrong = false;

		kt_ids_vdso(&v);
		if (!kt_ids_eq(&v, &ref)) {
			wrong = true;
			if (v.tid != ref.tid && !wk(t)->foreign_tid)
				wk(t)->foreign_tid = v.tid;
		}
		loc = kt_vdso.errno_location();
		if (loc != slot && (!lenient || loc))
			wrong = true;
		if ((i & 31) == 0) {
			kt_ids_sys(&v);
			if (!kt_ids_eq(&v, &ref))
				wrong = true;
			kt_ids_area(t->area, &v);
			if (!kt_ids_eq(&v, &ref) ||
			    !kt_area_valid(t->area, t->tls))
				wrong = true;
		}
		if (wrong) {
			bad++;
			if (!wk(t)->first_wrong.taken)
				kt_snap_take(&wk(t)->first_wrong, t->area);
		}
	}
	__atomic_sub_fetch(&readers_active, 1, __ATOMIC_SEQ_CST);
	wk(t)->done = i;
	wk(t)->wrong = bad;
	return 0;
}

/* Wait until @n threads called reader_arrive(). */
static void wait_arrived(int n)
{
	for (;;) {
		int v = __atomic_load_n(&rd_arrived, __ATOMIC_SEQ_CST);

		if (v >= n)
			return;
		kt_futex_wait(&rd_arrived, v);
	}
}

/*
 * Start raw threads w[0..n) running @fn, their worker fields filled in
 * before (kt_thread_prepare() clears the struct kt_thread alone): how many
 * started.
 */
static int workers_start(struct worker *w, int n, __u64 flags,
			 kt_thread_fn fn)
{
	int i;

	for (i = 0; i < n; i++) {
		struct kt_thread *t = &w[i].t;
		long ret = kt_thread_prepare(t, 0);

		if (!ret)
			ret = kt_thread_spawn(t, flags, t->tls, 0, fn, NULL);
		if (ret <= 0) {
			ksft_print_msg("thread %d: %s\n", i, kt_ret_str(ret));
			kt_thread_free(t);
			break;
		}
	}
	return i;
}

struct readers {
	struct worker *t;
	int n;
};

/* Start @n readers that run until rd_stop (at least 16 iterations). */
static void bg_readers_start(struct readers *r, int n, bool lenient)
{
	int i;

	r->t = calloc(n, sizeof(*r->t));
	if (!r->t)
		ksft_exit_fail_msg("calloc: out of memory\n");
	rd_reset(0);
	for (i = 0; i < n; i++) {
		r->t[i].rounds = 16;
		r->t[i].lenient = lenient;
	}
	r->n = workers_start(r->t, n, KT_THREAD_FLAGS | CLONE_KTLS, reader_fn);
	wait_arrived(r->n);
	kt_post(&rd_go, 1);
}

/* Stop them; returns the wrong answers, prints the details. */
static long bg_readers_stop(struct readers *r, const char *what, long *iters)
{
	long bad = 0, it = 0;
	char who[96];
	int i;

	__atomic_store_n(&rd_stop, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < r->n; i++) {
		struct kt_thread *t = &r->t[i].t;

		kt_thread_join(t);
		bad += wk(t)->wrong;
		it += wk(t)->done;
		if (wk(t)->wrong) {
			snprintf(who, sizeof(who), "%s reader %d (tid %ld)",
				 what, i, wk(t)->tid);
			ksft_print_msg("%s: %ld of %ld answers wrong, first foreign tid %ld\n",
				       who, wk(t)->wrong, wk(t)->done, wk(t)->foreign_tid);
			kt_snap_check(&wk(t)->first_wrong, wk(t)->lenient ?
					KT_EXPECT_AREA_SHARED :
					KT_EXPECT_AREA, who);
		}
		kt_thread_free(t);
	}
	free(r->t);
	r->t = NULL;
	if (iters)
		*iters = it;
	return bad;
}

/* ---- 1. readers and credential changers ---- */

static long cred_steps, cred_overlap;	/* __atomic accesses */

/*
 * One credential change in a changer thread, then its checks: the call
 * returned 0, the ids are the ones set, and the vDSO, the area and
 * errno_location agree with the system calls.
 */
static KT_RAW unsigned int cred_step(struct kt_thread *t, long nr, long a,
				     long b, long c,
				     const struct kt_ids *want)
{
	struct kt_ids v, s, ar;
	unsigned int bad = 0;

	if (kt_sys3(nr, a, b, c))
		bad |= 1;
	kt_ids_vdso(&v);
	kt_ids_sys(&s);
	kt_ids_area(t->area, &ar);
	if (!kt_ids_eq(&v, &s))
		bad |= 2;
	if (!kt_ids_eq(&s, want))
		bad |= 4;
	if (!kt_ids_eq(&ar, &s))
		bad |= 8;
	if (kt_vdso.errno_location() != &t->area->errno_value)
		bad |= 16;
	if (v.tid != wk(t)->tid)
		bad |= 32;
	__atomic_add_fetch(&cred_steps, 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&readers_active, __ATOMIC_RELAXED))
		__atomic_add_fetch(&cred_overlap, 1, __ATOMIC_RELAXED);
	if (bad && !wk(t)->first_wrong.taken) {
		kt_snap_take(&wk(t)->first_wrong, t->area);
		wk(t)->wrong_vdso = v;
		wk(t)->wrong_sys = s;
		wk(t)->wrong_area = ar;
		wk(t)->first_bits = bad;
	}
	return bad;
}

/*
 * A changer (struct worker: changes done, wrong ones, its index and
 * tid, the first wrong step's bits).  Changer k moves between
 * root and ids of its own (ID_BASE + k * ID_STRIDE + ...), so that a
 * value seen elsewhere can be traced back to it.
 */
static KT_RAW int changer_fn(struct kt_thread *t)
{
	long base = ID_BASE + wk(t)->index * ID_STRIDE;
	long c, cycles = wk(t)->cycles;
	struct kt_ids want;
	long bad = 0, steps = 0;

	kt_ids_sys(&want);
	wk(t)->tid = want.tid;
	reader_arrive();
	kt_wait_for(&rd_go, 1);
	for (c = 0; c < cycles; c++) {
		long id = base + (c % (ID_STRIDE / 2)) * 2;

		if (is_root) {
			want.gid = id;
			want.egid = id + 1;
			bad += !!cred_step(t, SYS_setresgid, id, id + 1, 0,
					   &want);
			want.uid = id;
			want.euid = id + 1;
			bad += !!cred_step(t, SYS_setresuid, id, id + 1, 0,
					   &want);
			want.uid = 0;
			want.euid = 0;
			bad += !!cred_step(t, SYS_setresuid, 0, 0, 0, &want);
			want.gid = 0;
			want.egid = 0;
			bad += !!cred_step(t, SYS_setresgid, 0, 0, 0, &want);
			steps += 4;
		} else {
			bad += !!cred_step(t, SYS_setresuid, -1, -1, -1, &want);
			bad += !!cred_step(t, SYS_setresgid, -1, -1, -1, &want);
			steps += 2;
		}
	}
	wk(t)->done = steps;
	wk(t)->wrong = bad;
	return 0;
}

static KT_RAW int changer_or_reader_fn(struct kt_thread *t)
{
	return wk(t)->changer ? changer_fn(t) : reader_fn(t);
}

static const char *trace_id(long id)
{
	static char buf[64];

	if (id >= ID_BASE && id < ID_BASE + P.changers * ID_STRIDE)
		snprintf(buf, sizeof(buf), " (an id of changer %ld)",
			 (id - ID_BASE) / ID_STRIDE);
	else
		buf[0] = 0;
	return buf;
}

static void do_readers_changers(struct __test_metadata *_metadata)
{
	int n = P.threads, nc = P.changers, every = n / nc;
	long rbad = 0, riters = 0, cbad = 0, csteps = 0, foreign = 0;
	struct worker *thr = calloc(n, sizeof(*thr));
	bool distinct = true, cleared = true;
	int i, j, started, nr, ncs = 0;
	long *tids;
	char who[96];
	double t0;

	tids = calloc(n, sizeof(*tids));
	if (!thr || !tids)
		ksft_exit_fail_msg("calloc: out of memory\n");
	rd_reset(1);		/* readers run exactly P.reads iterations */
	__atomic_store_n(&cred_steps, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&cred_overlap, 0, __ATOMIC_RELAXED);
	t0 = now();
	for (i = 0; i < n; i++) {
		struct worker *w = &thr[i];

		w->changer = i % every == every - 1 && ncs < nc;
		if (w->changer) {
			w->cycles = P.cred_cycles;
			w->index = ncs++;
		} else {
			/* Half of them stop early: exits while others read. */
			w->rounds = i & 1 ? P.reads : P.reads / 2;
		}
	}
	started = workers_start(thr, n, KT_THREAD_FLAGS | CLONE_KTLS,
				changer_or_reader_fn);
	for (i = 0, ncs = 0; i < started; i++)
		ncs += thr[i].changer;
	nr = started - ncs;
	wait_arrived(started);
	/* All alive: the tids in their areas are theirs and distinct. */
	for (i = 0; i < started; i++) {
		tids[i] = (pid_t)thr[i].t.area->tid;
		if (tids[i] != thr[i].t.tid || tids[i] == main_tid)
			distinct = false;
		for (j = 0; j < i && distinct; j++)
			if (tids[j] == tids[i])
				distinct = false;
	}
	kt_post(&rd_go, 1);
	for (i = 0; i < started; i++)
		kt_thread_join(&thr[i].t);
	ksft_print_msg("test 1: %d threads ran in %.2f s\n", started,
		       now() - t0);

	for (i = 0; i < started; i++) {
		struct kt_thread *t = &thr[i].t;

		if (t->area->owner != (t->tls ^ kt_key()))
			cleared = false;
		if (wk(t)->changer) {
			csteps += wk(t)->done;
			cbad += wk(t)->wrong;
			if (wk(t)->wrong) {
				snprintf(who, sizeof(who),
					 "changer %ld (tid %ld)", wk(t)->index,
					 wk(t)->tid);
				ksft_print_msg("%s: %ld of %ld changes wrong, first bits %#lx %s\n",
					       who, wk(t)->wrong, wk(t)->done, wk(t)->first_bits,
					       "(1 call failed, 2 vdso!=syscalls, 4 ids not the ones set, 8 area!=syscalls, 16 errno_location, 32 tid)");
				kt_ids_diff(who, "vdso", &wk(t)->wrong_vdso,
					    "syscall", &wk(t)->wrong_sys);
				kt_ids_diff(who, "area", &wk(t)->wrong_area,
					    "syscall", &wk(t)->wrong_sys);
			}
			continue;
		}
		riters += wk(t)->done;
		rbad += wk(t)->wrong;
		if (wk(t)->foreign_tid)
			foreign++;
		if (wk(t)->wrong) {
			snprintf(who, sizeof(who), "reader %d (tid %ld)", i,
				 wk(t)->tid);
			ksft_print_msg("%s: %ld of %ld wrong; first foreign tid %ld; uid %ld%s\n",
				       who, wk(t)->wrong, wk(t)->done, wk(t)->foreign_tid,
				       wk(t)->first_wrong.vdso.uid,
				       trace_id(wk(t)->first_wrong.vdso.uid));
			kt_snap_check(&wk(t)->first_wrong, KT_EXPECT_AREA, who);
		}
	}
	EXPECT_TRUE(started == n && distinct)
		TH_LOG("test 1: %d of %d threads started, tids distinct: %d",
		       started, n, distinct);
	EXPECT_TRUE(started && !rbad && !foreign)
		TH_LOG("test 1: %d readers, %ld rounds: %ld wrong, %ld foreign tids",
		       nr, riters, rbad, foreign);
	EXPECT_TRUE(started && !cbad && csteps)
		TH_LOG("test 1: %d changers, %ld changes: %ld wrong", ncs, csteps,
		       cbad);
	EXPECT_TRUE(started && cleared && main_right("main after test 1"))
		TH_LOG("test 1: owner words as the threads left them: %d", cleared);
	for (i = 0; i < started; i++)
		kt_thread_free(&thr[i].t);
	free(thr);
	free(tids);
}

/* ---- 2. fork, vfork and exec storms ---- */

/* Not yet gone (its CLONE_CHILD_CLEARTID word not cleared). */
static bool thread_alive(struct kt_thread *t)
{
	return __atomic_load_n(&t->ctid, __ATOMIC_RELAXED) != 0;
}

struct forker {
	struct kt_thread vf;		/* stack of the CLONE_VFORK children */
	const struct ktls_area *area;	/* the forking thread's */
	long rounds, tid;		/* rounds to make; its tid */
	long forks, fork_bad, vforks, vfork_bad, execs, exec_bad, own_bad;
	int first_fork_st, first_vfork_st, first_exec_st;
	unsigned int first_own_bad;
};

/* The child of a raw fork() in a registered thread: judge itself. */
static KT_RAW int fork_child_check(struct kt_thread *t, long parent_tid)
{
	struct kt_snap s;
	unsigned int bad;

	kt_snap_take(&s, t->area);
	bad = kt_snap_bad(&s, KT_EXPECT_AREA);
	if (s.sys.tid != s.sys.pid || s.area_ids.tid != s.sys.tid ||
	    s.area_ids.tid == parent_tid)
		bad |= 1 << 7;
	return bad;
}

/* A CLONE_VM|CLONE_VFORK child sharing the forker's thread pointer. */
static KT_RAW int vfork_child_fn(struct kt_thread *vf)
{
	struct forker *f = vf->arg;
	struct kt_snap s;
	unsigned int bad;

	kt_snap_take(&s, f->area);
	bad = kt_snap_bad(&s, KT_EXPECT_SHARER);
	if (s.sys.tid == f->tid || s.sys.tid != s.sys.pid)
		bad |= 1 << 7;
	return bad;
}

static KT_RAW int vfork_exec_fn(struct kt_thread *vf)
{
	(void)vf;
	kt_sys3(SYS_execve, EXE_PATH, exec_argv0, environ);
	return 99;
}

static KT_RAW int wait_child(long pid)
{
	int st = 0;
	long r;

	do
		r = kt_sys4(SYS_wait4, pid, &st, __WALL, NULL);
	while (r == -EINTR);
	return r == pid ? st : -1;
}

static KT_RAW void forker_note(long *bad, int *first, int st)
{
	if (st == 0)
		return;
	if (!*bad)
		*first = st;
	(*bad)++;
}

static int storm_stop;		/* __atomic accesses */

/*
 * Rounds 3 and 7 of a forker exec (from a fork, then from a vfork child);
 * every 4th round of main's loop posix_spawns.
 */
#define STORM_MIN_ROUNDS 8

static KT_RAW int forker_fn(struct kt_thread *t)
{
	struct forker *f = t->arg;
	long r, pid;
	struct kt_snap s;
	unsigned int bad;
	int st;

	f->tid = kt_raw_gettid();
	f->area = t->area;
	/*
	 * At least STORM_MIN_ROUNDS rounds, whatever the budget: each kind
	 * of child, the exec'd ones included, is made at least once.
	 */
	for (r = 0; r < f->rounds; r++) {
		if (r >= STORM_MIN_ROUNDS &&
		    __atomic_load_n(&storm_stop, __ATOMIC_RELAXED))
			break;
		/* fork(): the child's area is at the same TCB and shows it. */
		pid = kt_sys0(SYS_fork);
		if (pid == 0)
			for (;;)
				kt_sys1(SYS_exit_group,
					fork_child_check(t, f->tid));
		st = pid > 0 ? wait_child(pid) : -1;
		f->forks++;
		forker_note(&f->fork_bad, &f->first_fork_st, st);

		/* A vfork-like child sharing this thread pointer. */
		pid = kt_thread_spawn(&f->vf, CLONE_VM | CLONE_VFORK, 0,
				      SIGCHLD, vfork_child_fn, f);
		st = pid > 0 ? wait_child(pid) : -1;
		f->vforks++;
		forker_note(&f->vfork_bad, &f->first_vfork_st, st);

		/* Every 4th round, exec: from a fork or a vfork child. */
		if ((r & 3) == 3) {
			if (r & 4) {
				pid = kt_thread_spawn(&f->vf,
						      CLONE_VM | CLONE_VFORK,
						      0, SIGCHLD,
						      vfork_exec_fn, t);
			} else {
				pid = kt_sys0(SYS_fork);
				if (pid == 0) {
					kt_sys3(SYS_execve, EXE_PATH,
						exec_argv0, environ);
					for (;;)
						kt_sys1(SYS_exit_group, 99);
				}
			}
			st = pid > 0 ? wait_child(pid) : -1;
			f->execs++;
			forker_note(&f->exec_bad, &f->first_exec_st, st);
		}

		/* Our own area, with other forkers' sharers perhaps alive. */
		kt_snap_take(&s, t->area);
		bad = kt_snap_bad(&s, KT_EXPECT_AREA);
		if (bad && !f->own_bad)
			f->first_own_bad = bad;
		f->own_bad += !!bad;
	}
	return 0;
}

/* What main's vfork child saw (it writes them, main reads them after). */
static long vf_tid, vf_vdso_tid, vf_vdso_pid;
static int *vf_errno;

static KT_RAW pid_t main_vfork(void)
{
	pid_t pid = vfork();

	if (pid == 0) {
		__atomic_store_n(&vf_tid, kt_raw_gettid(), __ATOMIC_RELAXED);
		__atomic_store_n(&vf_vdso_tid, kt_vdso.gettid(),
				 __ATOMIC_RELAXED);
		__atomic_store_n(&vf_vdso_pid, kt_vdso.getpid(),
				 __ATOMIC_RELAXED);
		__atomic_store_n(&vf_errno, kt_vdso.errno_location(),
				 __ATOMIC_RELAXED);
		_exit(0);
	}
	return pid;
}

/* What main's first wrong vfork child saw. */
static void vfork_report(pid_t pid, int st, long tid, long vtid, long vpid,
			 int *eloc)
{
	ksft_print_msg("main vfork child %d: status %#x, gettid %ld, vDSO tid %ld pid %ld\n",
		       pid, st, tid, vtid, vpid);
	ksft_print_msg("main vfork child %d: errno_location %p (main's slot %p)\n",
		       pid, eloc, &kt_tls_area.errno_value);
}

/* One exec from a non-leader thread, in a child process. */
struct nl_exec {
	struct kt_thread reader, execer;
	int go;				/* the reader runs */
	char pid_arg[24];
	char *argv[4];
};

static KT_RAW int nl_spin_fn(struct kt_thread *t)
{
	struct nl_exec *x = t->arg;
	struct kt_ids v;

	kt_post(&x->go, 1);
	for (;;)
		kt_ids_vdso(&v);
	return 0;
}

static KT_RAW int nl_exec_fn(struct kt_thread *t)
{
	struct nl_exec *x = t->arg;

	kt_wait_for(&x->go, 1);
	kt_sys3(SYS_execve, EXE_PATH, x->argv, environ);
	return 99;
}

static int nl_exec_child(void *arg)
{
	struct nl_exec *x = arg;

	snprintf(x->pid_arg, sizeof(x->pid_arg), "%d", getpid());
	x->argv[0] = EXE_PATH;
	x->argv[1] = EXEC_ARG;
	x->argv[2] = x->pid_arg;
	x->argv[3] = NULL;
	if (kt_thread_spawn(&x->reader, KT_THREAD_FLAGS | CLONE_KTLS,
			    x->reader.tls, 0, nl_spin_fn, x) <= 0)
		return 98;
	if (kt_thread_spawn(&x->execer, KT_THREAD_FLAGS | CLONE_KTLS,
			    x->execer.tls, 0, nl_exec_fn, x) <= 0)
		return 98;
	/* The exec in the other thread ends this one. */
	for (;;)
		pause();
	return 97;
}

static void nl_exec_report(int st)
{
	ksft_print_msg("exec from a non-leader thread: %s (%s)\n",
		       kt_status_str(st),
		       WIFEXITED(st) ? kt_exec_bits_str(WEXITSTATUS(st)) : "");
}

static void do_storms(struct __test_metadata *_metadata)
{
	int nf = P.forkers, i, started = 0, st;
	struct kt_thread *thr = calloc(nf, sizeof(*thr));
	struct forker *fk = calloc(nf, sizeof(*fk));
	long forks = 0, fork_bad = 0, vforks = 0, vfork_bad = 0;
	long execs = 0, exec_bad = 0, own_bad = 0, rbad, riters;
	long mv = 0, mv_bad = 0, sp = 0, sp_bad = 0, nl = 0, nl_bad = 0;
	double t0 = now(), end = deadline(0.2, true);
	struct readers rd;
	bool cut = false;

	if (!thr || !fk)
		ksft_exit_fail_msg("calloc: out of memory\n");
	__atomic_store_n(&storm_stop, 0, __ATOMIC_RELAXED);
	bg_readers_start(&rd, P.bg_readers, true);
	for (i = 0; i < nf; i++) {
		struct kt_thread *t = &thr[i];

		if (kt_thread_prepare(&fk[i].vf, 0) ||
		    kt_thread_prepare(t, 0))
			break;
		fk[i].rounds = P.forks;
		if (kt_thread_spawn(t, KT_THREAD_FLAGS | CLONE_KTLS,
				    t->tls, 0, forker_fn, &fk[i]) <= 0)
			break;
		started++;
	}

	/* Meanwhile main: glibc vfork() and posix_spawn() (vfork + exec). */
	for (i = 0; i < P.forks && (i < STORM_MIN_ROUNDS || now() < end);
	     i++) {
		long tid, vtid, vpid;
		int *eloc;
		pid_t pid;
		int err;

		__atomic_store_n(&vf_tid, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&vf_vdso_tid, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&vf_vdso_pid, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&vf_errno, (int *)1, __ATOMIC_RELAXED);
		pid = main_vfork();
		st = -1;
		if (pid > 0)
			waitpid(pid, &st, 0);
		mv++;
		tid = __atomic_load_n(&vf_tid, __ATOMIC_RELAXED);
		vtid = __atomic_load_n(&vf_vdso_tid, __ATOMIC_RELAXED);
		vpid = __atomic_load_n(&vf_vdso_pid, __ATOMIC_RELAXED);
		eloc = __atomic_load_n(&vf_errno, __ATOMIC_RELAXED);
		if (pid <= 0 || st || tid != pid || vtid != pid || vpid != pid ||
		    (eloc && eloc != &kt_tls_area.errno_value)) {
			if (!mv_bad)
				vfork_report(pid, st, tid, vtid, vpid, eloc);
			mv_bad++;
		}
		if (i % 4 != 3)
			continue;
		err = posix_spawn(&pid, EXE_PATH, NULL, NULL, exec_argv0,
				  environ);
		st = -1;
		if (!err)
			waitpid(pid, &st, 0);
		sp++;
		if (err || st) {
			ksft_print_msg("posix_spawn %s %s: %s, %s\n", EXE_PATH,
				       EXEC_ARG, strerror(err),
				       kt_status_str(st));
			sp_bad++;
		}
	}
	for (i = 0; i < started; i++)
		while (thread_alive(&thr[i]) && now() < end)
			usleep(10000);
	if (now() >= end) {
		cut = true;
		__atomic_store_n(&storm_stop, 1, __ATOMIC_SEQ_CST);
	}
	for (i = 0; i < started; i++)
		kt_thread_join(&thr[i]);

	/* Exec from a non-leader thread, while another thread reads. */
	for (i = 0; i < P.execs && (i < 1 || now() < end); i++) {
		struct nl_exec *x = kt_shared_alloc(sizeof(*x));
		bool ok;

		if (kt_thread_prepare(&x->reader, 0) ||
		    kt_thread_prepare(&x->execer, 0))
			ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
		st = kt_fork_run(nl_exec_child, x);
		ok = WIFEXITED(st) && !WEXITSTATUS(st);
		if (!ok)
			nl_exec_report(st);
		nl++;
		nl_bad += !ok;
		kt_thread_free(&x->reader);
		kt_thread_free(&x->execer);
		munmap(x, sizeof(*x));
	}
	rbad = bg_readers_stop(&rd, "storm", &riters);
	cut |= mv < P.forks || nl < P.execs;
	ksft_print_msg("test 2: storms ran in %.2f s%s\n", now() - t0,
		       cut ? " (time budget reached: fewer rounds)" : "");

	for (i = 0; i < started; i++) {
		struct forker *f = &fk[i];

		forks += f->forks;
		fork_bad += f->fork_bad;
		vforks += f->vforks;
		vfork_bad += f->vfork_bad;
		execs += f->execs;
		exec_bad += f->exec_bad;
		own_bad += f->own_bad;
		if (f->fork_bad)
			ksft_print_msg("forker %d: %ld fork children wrong, first %s (bits %s)\n",
				       i, f->fork_bad,
				       kt_status_str(f->first_fork_st),
				       WIFEXITED(f->first_fork_st) ?
				       kt_bad_str(WEXITSTATUS(f->first_fork_st)) : "-");
		if (f->vfork_bad)
			ksft_print_msg("forker %d: %ld vfork children wrong, first %s (bits %s)\n",
				       i, f->vfork_bad,
				       kt_status_str(f->first_vfork_st),
				       WIFEXITED(f->first_vfork_st) ?
				       kt_bad_str(WEXITSTATUS(f->first_vfork_st)) : "-");
		if (f->exec_bad)
			ksft_print_msg("forker %d: %ld exec children wrong, first %s (%s)\n",
				       i, f->exec_bad,
				       kt_status_str(f->first_exec_st),
				       WIFEXITED(f->first_exec_st) ?
				       kt_exec_bits_str(WEXITSTATUS(f->first_exec_st)) : "-");
		if (f->own_bad)
			ksft_print_msg("forker %d: its own area wrong %ld times, first %s\n",
				       i, f->own_bad,
				       kt_bad_str(f->first_own_bad));
		kt_thread_free(&thr[i]);
		kt_thread_free(&f->vf);
	}
	EXPECT_TRUE(started == nf && forks && !fork_bad && !vfork_bad &&
		    !own_bad)
		TH_LOG("test 2: %d of %d forkers; %ld + %ld (v)forks wrong of %ld + %ld; own %ld",
		       started, nf, fork_bad, vfork_bad, forks, vforks, own_bad);
	EXPECT_TRUE(execs && !exec_bad && !sp_bad)
		TH_LOG("test 2: %ld execs, %ld posix_spawns: %ld + %ld wrong", execs,
		       sp, exec_bad, sp_bad);
	EXPECT_TRUE(mv && !mv_bad)
		TH_LOG("test 2: %ld vfork() children of main: %ld wrong", mv, mv_bad);
	EXPECT_TRUE(nl && !nl_bad)
		TH_LOG("test 2: %ld non-leader execs: %ld wrong", nl, nl_bad);
	EXPECT_TRUE(!rbad && rd.n == P.bg_readers)
		TH_LOG("test 2: %d of %d readers, %ld rounds: %ld wrong", rd.n,
		       P.bg_readers, riters, rbad);
	EXPECT_TRUE(main_right("main after the storms"))
		TH_LOG("test 2: main's area after the storms");
	free(thr);
	free(fk);
}

/* ---- 3. signals during the reads ---- */

#define MAX_SIG_SLOTS	64
#define ALT_STACK_SIZE	(32 * 1024)

/* Shared with the handlers: __atomic accesses only. */
static long sig_tids[MAX_SIG_SLOTS];
static const struct ktls_area *sig_areas[MAX_SIG_SLOTS];
static long sig_handled[MAX_SIG_SLOTS + 1];
static int sig_nslots;
static long sig_bad, sig_alarms;
static struct kt_snap sig_first_bad;
static int sig_first_taken;
static enum kt_expect sig_first_e;

/* The handler runs in slot @i so far (slot sig_nslots: the pthreads). */
static long sig_count(int i)
{
	return __atomic_load_n(&sig_handled[i], __ATOMIC_RELAXED);
}

static KT_RAW void check_handler(int sig, siginfo_t *si, void *uc)
{
	long tid = kt_raw_gettid();
	const struct ktls_area *area = NULL;
	enum kt_expect e = KT_EXPECT_NONE;
	struct kt_snap s;
	int i, n = __atomic_load_n(&sig_nslots, __ATOMIC_SEQ_CST);

	(void)si;
	(void)uc;
	for (i = 0; i < n; i++) {
		if (__atomic_load_n(&sig_tids[i], __ATOMIC_RELAXED) == tid) {
			area = sig_areas[i];
			e = KT_EXPECT_AREA;
			break;
		}
	}
	__builtin_memset(&s, 0, sizeof(s));
	kt_snap_take(&s, area);
	if (kt_snap_bad(&s, e) || s.sys.tid != tid) {
		__atomic_add_fetch(&sig_bad, 1, __ATOMIC_SEQ_CST);
		if (!__atomic_exchange_n(&sig_first_taken, 1,
					 __ATOMIC_SEQ_CST)) {
			sig_first_bad = s;
			sig_first_e = e;
		}
	}
	__atomic_add_fetch(&sig_handled[i], 1, __ATOMIC_SEQ_CST);
	if (sig == SIGALRM)
		__atomic_add_fetch(&sig_alarms, 1, __ATOMIC_SEQ_CST);
}

/* A signal reader: sets up an alternate stack (odd ones), then reads. */
static KT_RAW int sig_reader_fn(struct kt_thread *t)
{
	if (wk(t)->altstack) {
		stack_t ss = {
			.ss_sp = wk(t)->altstack,
			.ss_size = ALT_STACK_SIZE,
		};

		wk(t)->altstack_ret = kt_sys2(SYS_sigaltstack, &ss, NULL);
	}
	return reader_fn(t);
}

static int pt_stop;		/* __atomic accesses */

static void *pt_reader_fn(void *arg)
{
	long *bad = arg;
	struct kt_ids ref, v;

	kt_ids_sys(&ref);
	while (!__atomic_load_n(&pt_stop, __ATOMIC_RELAXED)) {
		kt_ids_vdso(&v);
		if (!kt_ids_eq(&v, &ref) ||
		    kt_vdso.errno_location() != &kt_tls_area.errno_value)
			(*bad)++;
	}
	return NULL;
}

static void do_signals(struct __test_metadata *_metadata)
{
	int n = P.sig_readers > MAX_SIG_SLOTS - 1 ? MAX_SIG_SLOTS - 1 :
		P.sig_readers;
	struct worker *thr = calloc(n, sizeof(*thr));
	char *alt = calloc(n, ALT_STACK_SIZE);
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	long rbad = 0, riters = 0, sent = 0, pt_bad[2] = { 0, 0 };
	long handled = 0, altfail = 0, bad;
	int i, started, unsignalled = 0, npt = 0, nslots;
	struct sigaction sa = { 0 };
	pthread_t pt[2];
	double t0 = now(), end = deadline(0.15, true);

	if (!thr || !alt)
		ksft_exit_fail_msg("calloc: out of memory\n");
	sa.sa_sigaction = check_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) || sigaction(SIGALRM, &sa, NULL))
		ksft_exit_fail_msg("sigaction: %s\n", strerror(errno));
	for (i = 0; i <= MAX_SIG_SLOTS; i++)
		__atomic_store_n(&sig_handled[i], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&sig_bad, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&sig_alarms, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&sig_first_taken, 0, __ATOMIC_RELAXED);
	/* Slot 0: main, registered. */
	__atomic_store_n(&sig_tids[0], main_tid, __ATOMIC_RELAXED);
	sig_areas[0] = &kt_tls_area;
	__atomic_store_n(&sig_nslots, 1, __ATOMIC_SEQ_CST);

	rd_reset(0);
	for (i = 0; i < n; i++) {
		thr[i].rounds = 16;
		if (i & 1)
			thr[i].altstack = alt + (size_t)i * ALT_STACK_SIZE;
	}
	started = workers_start(thr, n, KT_THREAD_FLAGS | CLONE_KTLS,
				sig_reader_fn);
	wait_arrived(started);
	for (i = 0; i < started; i++) {
		__atomic_store_n(&sig_tids[1 + i], thr[i].tid,
				 __ATOMIC_RELAXED);
		sig_areas[1 + i] = thr[i].t.area;
		if (thr[i].altstack_ret) {
			ksft_print_msg("signal reader %d: sigaltstack -> %s\n",
				       i, kt_ret_str(thr[i].altstack_ret));
			altfail++;
		}
	}
	__atomic_store_n(&sig_nslots, 1 + started, __ATOMIC_SEQ_CST);
	__atomic_store_n(&pt_stop, 0, __ATOMIC_RELAXED);
	for (i = 0; i < 2; i++)
		if (!pthread_create(&pt[i], NULL, pt_reader_fn, &pt_bad[i]))
			npt++;
	kt_post(&rd_go, 1);
	setitimer(ITIMER_REAL, &it, NULL);
	/*
	 * Until the handlers ran P.signals times (or the budget): a pending
	 * SIGUSR1 absorbs the next ones, so give the readers the CPU.
	 */
	for (i = 0; started && (i < 2 * started || now() < end); i++) {
		long h = 0;
		int k;

		for (k = 0; k <= started + 1; k++)
			h += sig_count(k);
		if (h >= P.signals)
			break;
		if (!kt_sys3(SYS_tgkill, main_pid, thr[i % started].tid,
			     SIGUSR1))
			sent++;
		kt_sys0(SYS_sched_yield);
	}
	setitimer(ITIMER_REAL, &off, NULL);
	/* Main reads through its own signals too. */
	kt_sys3(SYS_tgkill, main_pid, main_tid, SIGUSR1);
	__atomic_store_n(&pt_stop, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < npt; i++)
		pthread_join(pt[i], NULL);
	rbad = bg_readers_stop(&(struct readers){ thr, started }, "signal",
			       &riters);
	/* bg_readers_stop freed thr; the slots keep the counts. */
	nslots = __atomic_load_n(&sig_nslots, __ATOMIC_SEQ_CST);
	for (i = 0; i <= nslots; i++)
		handled += sig_count(i);
	/* Each reader sent at least two signals must have handled one. */
	for (i = 0; sent >= 2L * started && i < started; i++)
		if (!sig_count(1 + i))
			unsignalled++;
	signal(SIGUSR1, SIG_DFL);
	signal(SIGALRM, SIG_DFL);
	free(alt);
	ksft_print_msg("test 3: signals ran in %.2f s\n", now() - t0);
	if (__atomic_load_n(&sig_first_taken, __ATOMIC_SEQ_CST)) {
		ksft_print_msg("first wrong handler look (expected %s):\n",
			       sig_first_e == KT_EXPECT_AREA ?
			       "its own area" : "no area");
		kt_snap_check(&sig_first_bad, sig_first_e, "handler");
	}
	bad = __atomic_load_n(&sig_bad, __ATOMIC_SEQ_CST);
	EXPECT_TRUE(started == n && sent && !bad && !unsignalled &&
		    sig_count(0) && !altfail)
		TH_LOG("test 3: %d of %d readers, %ld sent, %ld handled (main %ld)",
		       started, n, sent, handled, sig_count(0));
	EXPECT_EQ(0, bad + unsignalled + altfail)
		TH_LOG("test 3: %ld wrong, %d unsignalled, %ld sigaltstack failures",
		       bad, unsignalled, altfail);
	EXPECT_TRUE(!rbad && !pt_bad[0] && !pt_bad[1])
		TH_LOG("test 3: readers' %ld rounds: %ld wrong; pthreads: %ld wrong",
		       riters, rbad, pt_bad[0] + pt_bad[1]);
}

/* ---- 4. threads exiting on recycled TCBs while others read ---- */

/* What a short-lived thread saw of itself. */
struct short_seen {
	long bad, area_tid, sys_tid;
	bool probe;		/* exit only when told (go) */
	int go;
};

static KT_RAW int short_fn(struct kt_thread *t)
{
	struct short_seen *w = t->arg;
	struct kt_snap s;

	kt_snap_take(&s, t->area);
	w->bad = kt_snap_bad(&s, KT_EXPECT_AREA);
	w->area_tid = s.area_ids.tid;
	w->sys_tid = s.sys.tid;
	/* In the probe, exit only when told. */
	if (w->probe)
		kt_wait_for(&w->go, 1);
	return 0;
}

/*
 * The probe's helper sleeps in FUTEX_WAIT on the exiting thread's
 * CLONE_CHILD_CLEARTID word, as a joining pthread_join() would: the wake
 * of a real waiter makes the exit path take longer between clearing that
 * word and going on.
 */
static int probe_seq, probe_done, probe_quit;	/* __atomic and futex */
static int *probe_word;
static int probe_val;

static KT_RAW int probe_waiter_fn(struct kt_thread *t)
{
	int seq = 0;
	int *word;

	(void)t;
	for (;;) {
		kt_wait_for(&probe_seq, seq + 1);
		seq++;
		if (__atomic_load_n(&probe_quit, __ATOMIC_SEQ_CST))
			break;
		word = __atomic_load_n(&probe_word, __ATOMIC_RELAXED);
		kt_futex_wait(word, __atomic_load_n(&probe_val,
						    __ATOMIC_RELAXED));
		/* The exit woke one waiter: pass it on to the joiner. */
		kt_futex_wake(word);
		kt_post(&probe_done, seq);
	}
	return 0;
}

/* The next round of the helper (only main posts probe_seq). */
static int probe_next(void)
{
	return __atomic_load_n(&probe_seq, __ATOMIC_RELAXED) + 1;
}

/*
 * Join by spinning on the CLONE_CHILD_CLEARTID word, to look at the area
 * the moment the word reads 0; yield after a while (one CPU), and sleep
 * at last.
 */
static void spin_join(struct kt_thread *t)
{
	long spins = 0;

	while (__atomic_load_n(&t->ctid, __ATOMIC_ACQUIRE)) {
		if (++spins > 100000) {
			kt_thread_join(t);
			return;
		}
		if (spins > 20000)
			kt_sys0(SYS_sched_yield);
	}
}

struct join_res {
	long cycles, wrong, tp_late, canary_hit, first_tp;
	unsigned int first_bad;
};

/* What tests 4 and 5 really did (printed for ktls_soak). */
static long join_done, reg_done, proc_done;

/*
 * Create and join @cycles threads on NR_RECYCLED TCBs in turn.  After each
 * join, read the area's tp (exit must have cleared it), then write a
 * canary there, as user space reusing the memory would; when the TCB comes
 * round again the canary must still be there.  With @probe, the threads
 * exit on our signal while we spin on their CLONE_CHILD_CLEARTID word and
 * a helper waits on it in the kernel.
 */
static void join_cycles(int cycles, bool probe, double end,
			struct join_res *r)
{
	struct kt_thread t[NR_RECYCLED], helper;
	struct short_seen seen[NR_RECYCLED];
	bool canary[NR_RECYCLED] = { false };
	int i, k, y;

	memset(r, 0, sizeof(*r));
	for (k = 0; k < NR_RECYCLED; k++)
		if (kt_thread_prepare(&t[k], 0))
			ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	__atomic_store_n(&probe_seq, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&probe_done, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&probe_quit, 0, __ATOMIC_RELAXED);
	if (probe && kt_thread_prepare(&helper, 0) == 0 &&
	    kt_thread_spawn(&helper, KT_THREAD_FLAGS | CLONE_KTLS,
			    helper.tls, 0, probe_waiter_fn, NULL) <= 0)
		ksft_exit_fail_msg("probe helper: clone3 failed\n");
	for (i = 0; i < cycles && ((i & 15) || now() < end); i++) {
		struct kt_thread *s = &t[i % NR_RECYCLED];
		struct short_seen *w = &seen[i % NR_RECYCLED];
		struct ktls_area *a = s->area;	/* __atomic: the kernel's too */
		long tid;
		__u64 tp;

		k = i % NR_RECYCLED;
		/* The canary we left after the last join on this TCB. */
		if (canary[k] &&
		    __atomic_load_n(&a->owner, __ATOMIC_RELAXED) != CANARY)
			r->canary_hit++;
		w->bad = -1;
		w->area_tid = -1;
		w->sys_tid = -1;
		w->probe = probe;
		__atomic_store_n(&w->go, 0, __ATOMIC_RELAXED);
		tid = kt_thread_spawn(s, KT_THREAD_FLAGS | CLONE_KTLS,
				      s->tls, 0, short_fn, w);
		if (tid <= 0) {
			ksft_print_msg("cycle %d: clone3(CLONE_KTLS) -> %s\n",
				       i, kt_ret_str(tid));
			r->wrong++;
			canary[k] = false;
			continue;
		}
		if (probe) {
			__atomic_store_n(&probe_word, &s->ctid, __ATOMIC_RELAXED);
			__atomic_store_n(&probe_val, tid, __ATOMIC_RELAXED);
			kt_post(&probe_seq, probe_next());
			/* Let the helper get into FUTEX_WAIT. */
			for (y = 0; y < 3; y++)
				kt_sys0(SYS_sched_yield);
			kt_post(&w->go, 1);
			spin_join(s);
		} else {
			kt_thread_join(s);
		}
		/* Exit writes nothing: the word is as the thread left it. */
		tp = __atomic_load_n(&a->owner, __ATOMIC_RELAXED);
		if (tp != (s->tls ^ kt_key())) {
			if (!r->tp_late)
				r->first_tp = tp;
			r->tp_late++;
		}
		/* User space reuses the memory: the kernel must leave it be. */
		__atomic_store_n(&a->owner, CANARY, __ATOMIC_RELAXED);
		canary[k] = true;
		if (probe)
			kt_wait_for(&probe_done,
				    __atomic_load_n(&probe_seq, __ATOMIC_RELAXED));
		r->cycles++;
		if (w->bad || w->area_tid != tid || w->sys_tid != tid) {
			if (!r->wrong)
				r->first_bad = w->bad;
			r->wrong++;
		}
	}
	if (probe) {
		__atomic_store_n(&probe_quit, 1, __ATOMIC_SEQ_CST);
		kt_post(&probe_seq, probe_next());
		kt_thread_join(&helper);
		kt_thread_free(&helper);
	}
	/* Let the last exits finish, then look at the last canaries. */
	usleep(20000);
	for (k = 0; k < NR_RECYCLED; k++) {
		if (canary[k] && t[k].area->owner != CANARY)
			r->canary_hit++;
		kt_thread_free(&t[k]);
	}
}

static void do_exits(struct __test_metadata *_metadata, bool report)
{
	struct join_res r, p;
	struct readers rd;
	long rbad, riters;
	int cycles = report ? P.joins : P.joins / 10;
	double t0 = now(), t1;

	bg_readers_start(&rd, P.bg_readers, false);
	join_cycles(cycles, false, deadline(0.2, report), &r);
	rbad = bg_readers_stop(&rd, "exit", &riters);
	t1 = now();
	join_cycles(cycles / 2, true, deadline(0.1, report), &p);
	if (report)
		join_done = r.cycles + p.cycles;
	if (!report) {
		if (r.wrong || rbad || p.wrong)
			ksft_print_msg("warm-up: %ld + %ld join cycles wrong, %ld reads wrong\n",
				       r.wrong, p.wrong, rbad);
		return;
	}
	ksft_print_msg("test 4: %ld joins with readers in %.2f s, %ld probe joins in %.2f s%s\n",
		       r.cycles, t1 - t0, p.cycles, now() - t1,
		       r.cycles < cycles || p.cycles < cycles / 2 ?
		       " (time budget reached: fewer cycles)" : "");
	EXPECT_TRUE(r.cycles > 0 && p.cycles > 0 && !r.wrong && !p.wrong)
		TH_LOG("test 4: %ld + %ld joins: %ld wrong%s%s", r.cycles, p.cycles,
		       r.wrong + p.wrong, r.wrong ? ", first: " : "",
		       r.wrong ? kt_bad_str(r.first_bad) : "");
	EXPECT_TRUE(!r.tp_late && !p.tp_late)
		TH_LOG("test 4: owner word changed at exit in %ld + %ld joins (first %#lx)",
		       r.tp_late, p.tp_late, r.tp_late ? r.first_tp : p.first_tp);
	EXPECT_TRUE(!r.canary_hit && !p.canary_hit)
		TH_LOG("test 4: canary overwritten in %ld + %ld joins", r.canary_hit,
		       p.canary_hit);
	EXPECT_TRUE(!rbad)
		TH_LOG("test 4: %d readers while the threads came and went (%ld rounds): %ld wrong",
		       rd.n, riters, rbad);
}

/* ---- 5. REGISTER/UNREGISTER and fork cycles ---- */

#define NR_REG_THREADS	4

static KT_RAW unsigned int reg_cycle(const struct ktls_area *area)
{
	struct kt_snap s;
	unsigned int bad = 0;

	if (kt_register())
		bad |= 1 << 8;
	kt_snap_take(&s, area);
	bad |= kt_snap_bad(&s, KT_EXPECT_AREA);
	if (kt_unregister())
		bad |= 1 << 9;
	kt_snap_take(&s, area);
	bad |= kt_snap_bad(&s, KT_EXPECT_NO_AREA);
	if (s.area_owner != 0)
		bad |= 1 << 10;
	return bad;
}

static int reg_stop;		/* __atomic accesses */

static KT_RAW int reg_thread_fn(struct kt_thread *t)
{
	long i;

	kt_wait_for(&rd_go, 1);
	/* At least one cycle, whatever the budget. */
	for (i = 0; i < wk(t)->rounds; i++) {
		if (i && __atomic_load_n(&reg_stop, __ATOMIC_RELAXED))
			break;
		unsigned int bad = reg_cycle(t->area);

		if (bad) {
			if (!wk(t)->wrong)
				wk(t)->first_bits = bad;
			wk(t)->wrong++;
		}
		wk(t)->done++;
	}
	return 0;
}

static int proc_child_fn(void *arg)
{
	(void)arg;
	/* A fork child of the registered main: its area, then cycle it. */
	if (!main_right("fork child"))
		return 1;
	if (kt_unregister())
		return 2;
	return reg_cycle(&kt_tls_area) || kt_register() ? 3 : 0;
}

static void do_cycles(struct __test_metadata *_metadata, bool report)
{
	struct worker thr[NR_REG_THREADS] = { 0 };
	int n = report ? P.regs : P.regs / 10, procs = report ? P.procs :
		P.procs / 10;
	long main_cycles = 0, main_bad = 0, th_cycles = 0, th_bad = 0;
	long proc_bad = 0, i;
	unsigned int first = 0;
	int started, st;
	double t0 = now(), end = deadline(0.15, report);

	__atomic_store_n(&rd_go, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&reg_stop, 0, __ATOMIC_RELAXED);
	for (i = 0; i < NR_REG_THREADS; i++)
		thr[i].rounds = n / 2 / NR_REG_THREADS;
	/* No CLONE_KTLS: the threads opt in themselves. */
	started = workers_start(thr, NR_REG_THREADS, KT_THREAD_FLAGS,
				reg_thread_fn);
	kt_post(&rd_go, 1);
	if (kt_unregister())
		main_bad++;
	for (i = 0; i < n / 2 && ((i & 63) || now() < end); i++) {
		unsigned int bad = reg_cycle(&kt_tls_area);

		if (bad) {
			if (!main_bad)
				first = bad;
			main_bad++;
		}
		main_cycles++;
	}
	if (kt_register())
		main_bad++;
	/* The threads finish their cycles, unless the budget is spent. */
	for (i = 0; i < started; i++)
		while (thread_alive(&thr[i].t) && now() < end)
			usleep(10000);
	__atomic_store_n(&reg_stop, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < started; i++) {
		kt_thread_join(&thr[i].t);
		th_cycles += thr[i].done;
		th_bad += thr[i].wrong;
		if (thr[i].wrong)
			ksft_print_msg("raw thread %ld: %ld of %ld cycles wrong, first %s %s\n",
				       i, thr[i].wrong, thr[i].done,
				       kt_bad_str(thr[i].first_bits),
				       "(256 REGISTER failed, 512 UNREGISTER failed, 1024 tp left)");
		kt_thread_free(&thr[i].t);
	}
	if (main_bad)
		ksft_print_msg("main: %ld of %ld cycles wrong, first %s\n",
			       main_bad, main_cycles, kt_bad_str(first));
	for (i = 0; i < procs && (i < 10 || now() < end + P.budget * 0.05);
	     i++) {
		st = kt_fork_run(proc_child_fn, NULL);
		if (st) {
			if (!proc_bad)
				ksft_print_msg("fork child: %s\n",
					       kt_status_str(st));
			proc_bad++;
		}
	}
	if (!report) {
		if (main_bad || th_bad || proc_bad)
			ksft_print_msg("warm-up: %ld + %ld + %ld cycles wrong\n",
				       main_bad, th_bad, proc_bad);
		return;
	}
	reg_done = main_cycles + th_cycles;
	proc_done = i;
	ksft_print_msg("test 5: cycles ran in %.2f s%s\n", now() - t0,
		       main_cycles + th_cycles < n - NR_REG_THREADS * 2 ||
		       i < procs ? " (time budget reached: fewer cycles)" : "");
	EXPECT_TRUE(main_cycles && !main_bad && started == NR_REG_THREADS &&
		    th_cycles && !th_bad && main_right("main after the cycles"))
		TH_LOG("test 5: %ld main cycles, %ld in %d threads: %ld + %ld wrong",
		       main_cycles, th_cycles, started, main_bad, th_bad);
	EXPECT_TRUE(!proc_bad)
		TH_LOG("test 5: %ld fork children: %ld wrong", i, proc_bad);
}

/* Each test's process: registered, its parameters logged. */
FIXTURE(stress) {
};

FIXTURE_SETUP(stress)
{
	kt_setup_or_skip(_metadata);
	is_root = geteuid() == 0;
	main_tid = kt_raw_gettid();
	main_pid = kt_raw_getpid();
}

FIXTURE_TEARDOWN(stress)
{
}

TEST_F_TIMEOUT(stress, readers_and_changers, 600)
{
	if (P.cycles_only)
		SKIP(return, "-C: tests 4 and 5 alone");
	do_readers_changers(_metadata);
}

TEST_F_TIMEOUT(stress, fork_vfork_exec_storms, 600)
{
	if (P.cycles_only)
		SKIP(return, "-C: tests 4 and 5 alone");
	do_storms(_metadata);
}

TEST_F_TIMEOUT(stress, signals, 600)
{
	if (P.cycles_only)
		SKIP(return, "-C: tests 4 and 5 alone");
	do_signals(_metadata);
}

TEST_F_TIMEOUT(stress, exits_on_recycled_tcbs, 600)
{
	do_exits(_metadata, !P.warm_up);
	/* For ktls_soak, which scales its slab tolerance by the joins. */
	ksft_print_msg("cycles: %ld joins\n", join_done);
}

TEST_F_TIMEOUT(stress, register_and_fork_cycles, 600)
{
	do_cycles(_metadata, !P.warm_up);
	ksft_print_msg("registration cycles: %ld, fork cycles: %ld\n",
		       reg_done, proc_done);
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], EXEC_ARG))
		return kt_exec_image_check(atol(argv[2]));
	parse_args(argc, argv);
	kt_require_vdso();
	ksft_print_msg("parameters: %d threads (%d changers) x %d reads, %d credential cycles\n",
		       P.threads, P.changers, P.reads, P.cred_cycles);
	ksft_print_msg("parameters: %d forkers x %d rounds, %d non-leader execs\n",
		       P.forkers, P.forks, P.execs);
	ksft_print_msg("parameters: %d signal readers, %d handler runs\n",
		       P.sig_readers, P.signals);
	ksft_print_msg("parameters: %d join, %d register, %d fork cycles; %d background readers\n",
		       P.joins, P.regs, P.procs, P.bg_readers);
	ksft_print_msg("parameters: time budget %d s\n", P.budget);
	/* The options are ours, not the harness's. */
	return test_harness_run(1, argv);
}
