// SPDX-License-Identifier: GPL-2.0
/*
 * ktls_bench: what the KTLS vDSO accessors cost, next to the system calls
 * they replace and to the other ways of reading per-thread kernel data.
 *
 * Runs on the patched kernel (in the guest) and on any other kernel,
 * where the KTLS rows say "n/a".  One run measures every method,
 * interleaved in rounds, pinned to one CPU (see bench.h):
 *
 *  - __vdso_ktls_{gettid,getuid,getpid}: in the registered main thread
 *    (the fast path) and in a pthread, which has no area (glibc does not
 *    pass CLONE_KTLS): the fallback path, a system call;
 *  - syscall(SYS_gettid), glibc gettid(), getuid(), getpid();
 *  - __vdso_getcpu, the rseq cpu_id load, a plain __thread load;
 *  - ktls_gettid() of libktls, when it was built;
 *  - scale: creating and joining N raw clone3() threads with and without
 *    CLONE_KTLS, a credential change with N threads alive, and the
 *    memory KTLS takes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/auxvec.h>
#include <linux/ktls.h>
#ifdef HAVE_LIBKTLS
#include <ktls/ktls.h>
#endif

#include "bench.h"
#include "rawthread.h"

/* The area: the same offset from the thread pointer in every thread. */
static __thread struct ktls_area bench_area
	__attribute__((tls_model("initial-exec")));

static bool have_vdso;		/* the vDSO exports the accessors */
static bool have_kernel;	/* prctl(PR_KTLS, PR_KTLS_GET_LAYOUT) works */
static bool fast_ok;		/* the main thread's accessors use its area */
static long reg_offset;	/* the registered offset */
static char no_ktls[160];	/* why the KTLS rows do not run */
static char no_fast[160];	/* why the fast path rows do not run */

typedef unsigned int (*fn0_t)(void);
static fn0_t v_gettid, v_getuid, v_getpid, v_geteuid;
static int *(*v_errno_location)(void);

static bool scale = true;

static long pr_ktls(unsigned long op, void *p, unsigned long size)
{
	return prctl(PR_KTLS, op, (unsigned long)p, size, 0UL) ? -errno : 0;
}

static int extra_opt(int opt, const char *arg)
{
	(void)arg;
	if (opt == 'S') {
		scale = false;
		return 0;
	}
	return -1;
}

/* Find the accessors, register the offset and the main thread. */
static void setup_ktls(void)
{
	struct ktls_layout l = { 0 };
	char *tp = __builtin_thread_pointer();
	long ret;

	v_gettid = (fn0_t)bench_vdso_sym("__vdso_ktls_gettid");
	v_getuid = (fn0_t)bench_vdso_sym("__vdso_ktls_getuid");
	v_getpid = (fn0_t)bench_vdso_sym("__vdso_ktls_getpid");
	v_geteuid = (fn0_t)bench_vdso_sym("__vdso_ktls_geteuid");
	v_errno_location = (int *(*)(void))
		bench_vdso_sym("__vdso_ktls_errno_location");
	have_vdso = v_gettid && v_getuid && v_getpid && v_geteuid &&
		    v_errno_location;
	ret = pr_ktls(PR_KTLS_GET_LAYOUT, &l, sizeof(l));
	have_kernel = ret == 0;
	if (!have_vdso) {
		snprintf(no_ktls, sizeof(no_ktls),
			 "n/a: no KTLS in this kernel (no __vdso_ktls_* in the vDSO)");
		snprintf(no_fast, sizeof(no_fast), "%s", no_ktls);
		return;
	}
	if (!have_kernel) {
		snprintf(no_fast, sizeof(no_fast),
			 "n/a: prctl(PR_KTLS, PR_KTLS_GET_LAYOUT) failed: %s",
			 strerror(-ret));
		return;
	}
	if (l.offset) {
		/* A C library registered already: use its offset. */
		reg_offset = l.offset;
		bench_add_text("note:       offset %ld was registered at start-up; the main thread uses it",
			       reg_offset);
	} else {
		reg_offset = (char *)&bench_area - tp;
		l.offset = reg_offset;
		l.size = sizeof(bench_area);
		l.alignment = __alignof__(bench_area);
		ret = pr_ktls(PR_KTLS_SET_OFFSET, &l, sizeof(l));
		if (ret) {
			snprintf(no_fast, sizeof(no_fast),
				 "n/a: PR_KTLS_SET_OFFSET(%ld): %s",
				 reg_offset, strerror(-ret));
			return;
		}
	}
	ret = pr_ktls(PR_KTLS_REGISTER, NULL, 0);
	if (ret && ret != -EBUSY) {
		snprintf(no_fast, sizeof(no_fast),
			 "n/a: PR_KTLS_REGISTER: %s", strerror(-ret));
		return;
	}
	/* The vDSO must see the registered offset, and its slot. */
	if (v_errno_location() != (int *)(tp + reg_offset +
					  offsetof(struct ktls_area,
						   errno_value))) {
		snprintf(no_fast, sizeof(no_fast),
			 "n/a: registered, but __vdso_ktls_errno_location() does not see the area");
		return;
	}
	if ((long)v_gettid() != syscall(SYS_gettid)) {
		snprintf(no_fast, sizeof(no_fast),
			 "n/a: __vdso_ktls_gettid() != syscall(SYS_gettid)");
		return;
	}
	fast_ok = true;
}

/*
 * A pthread has no area (UNREGISTER says ENOENT), so the accessors make
 * the system call.  errno_location() cannot tell: it returns the thread's
 * slot whenever an offset is registered, area or not.
 */
static void *check_no_area(void *arg)
{
	*(bool *)arg = (!have_kernel ||
			pr_ktls(PR_KTLS_UNREGISTER, NULL, 0) == -ENOENT) &&
		       (long)v_gettid() == syscall(SYS_gettid);
	return NULL;
}

/* ---- scale: thread creation ---- */

#define SCALE_MAX	256

static struct rawthread_pool pool;
static int scale_err;		/* a clone3() error inside a timed batch */
static volatile int gate;

static void *pthread_nop(void *arg)
{
	return arg;
}

static void run_create(struct bench_row *r, long rounds)
{
	bool ktls = r->arg != NULL;
	int n = r->iarg, i, started;
	long k, tid;

	for (k = 0; k < rounds; k++) {
		for (started = 0; started < n; started++) {
			tid = rawthread_start(&pool.t[started], ktls, NULL);
			if (tid < 0) {
				scale_err = -tid;
				break;
			}
		}
		for (i = 0; i < started; i++)
			rawthread_join(&pool.t[i]);
	}
}

static void run_pthread_create(struct bench_row *r, long rounds)
{
	static pthread_t th[SCALE_MAX];
	int n = r->iarg, i;
	long k;

	for (k = 0; k < rounds; k++) {
		for (i = 0; i < n; i++)
			if (pthread_create(&th[i], NULL, pthread_nop, NULL))
				break;
		n = i;
		for (i = 0; i < n; i++)
			pthread_join(th[i], NULL);
	}
}

static int add_create_row(int n, int kind)
{
	static const char *const what[] = {
		"clone3 threads", "clone3 threads + CLONE_KTLS",
		"pthreads (glibc)",
	};
	char name[96];
	int i;

	snprintf(name, sizeof(name), "create+join %d %s", n, what[kind]);
	i = bench_add("scale", name, kind == 1 ? "ktls" : "plain",
		      "main thread", "ns/thread");
	bench_row(i)->kind = BENCH_CUSTOM;
	bench_row(i)->run = kind == 2 ? run_pthread_create : run_create;
	bench_row(i)->arg = kind == 1 ? (void *)1 : NULL;
	bench_row(i)->iarg = n;
	bench_row(i)->per = n;
	return i;
}

static int scale_reps(void)
{
	int reps = bench_opts.reps;

	if (reps > (bench_opts.quick ? 5 : 11))
		reps = bench_opts.quick ? 5 : 11;
	return reps;
}

static void scale_create(void)
{
	static const int ns[] = { 1, 16, SCALE_MAX };
	int idx[16], m = 0, i, ktls_row;

	for (i = 0; i < 3; i++) {
		int plain = add_create_row(ns[i], 0);

		idx[m++] = plain;
		ktls_row = add_create_row(ns[i], 1);
		bench_row(ktls_row)->ref = plain;
		if (!fast_ok)
			bench_set_na(ktls_row, "%s", no_fast);
		else
			idx[m++] = ktls_row;
		idx[m++] = add_create_row(ns[i], 2);
	}
	scale_err = 0;
	bench_run_rows(idx, m, scale_reps());
	if (scale_err)
		for (i = 0; i < m; i++)
			if (bench_row(idx[i])->run == run_create)
				bench_set_note(idx[i], "a clone3() failed: %s",
					       strerror(scale_err));
}

/* ---- scale: credential change with N threads alive ---- */

static long raw_geteuid(void)
{
	return syscall(SYS_geteuid);
}

static void run_setresuid(struct bench_row *r, long n)
{
	long i;

	(void)r;
	for (i = 0; i < n; i++)
		syscall(SYS_setresuid, -1, (i & 1) ? 0 : 1, -1);
}

static void restore_euid(struct bench_row *r)
{
	(void)r;
	if (raw_geteuid() != 0)
		syscall(SYS_setresuid, -1, 0, -1);
}

static void prep_with_area(struct bench_row *r)
{
	(void)r;
	pr_ktls(PR_KTLS_REGISTER, NULL, 0);
}

static void prep_without_area(struct bench_row *r)
{
	(void)r;
	if (have_kernel)
		pr_ktls(PR_KTLS_UNREGISTER, NULL, 0);
}

static int add_cred_row(int n, bool area, bool ktls_threads)
{
	char name[96];
	int i;

	snprintf(name, sizeof(name), "setresuid euid 0<->1, %s, %d %s threads",
		 area ? "area" : "no area", n, ktls_threads ? "KTLS" : "plain");
	i = bench_add("scale", name, area ? "ktls" : "plain", "main thread",
		      "ns/call");
	bench_row(i)->kind = BENCH_CUSTOM;
	bench_row(i)->run = run_setresuid;
	bench_row(i)->prepare = area ? prep_with_area : prep_without_area;
	bench_row(i)->finish = restore_euid;
	return i;
}

static void scale_creds(void)
{
	static const int ns[] = { 0, 16, SCALE_MAX };
	bool root = getuid() == 0 && geteuid() == 0;
	bool can = root;
	int i, k;

	if (root) {
		can = syscall(SYS_setresuid, -1, 1, -1) == 0;
		syscall(SYS_setresuid, -1, 0, -1);
		if (can && fast_ok) {
			/* The area follows the change on return to user. */
			syscall(SYS_setresuid, -1, 1, -1);
			if (bench_area.euid != 1 && reg_offset ==
			    (char *)&bench_area - (char *)__builtin_thread_pointer())
				bench_add_text("warning:    the area's euid did not follow setresuid()");
			syscall(SYS_setresuid, -1, 0, -1);
		}
	}
	for (i = 0; i < 3; i++) {
		int n = ns[i], started = 0, idx[2], m = 0;
		int with = -1, without;

		if (fast_ok) {
			with = add_cred_row(n, true, true);
			idx[m++] = with;
		}
		without = add_cred_row(n, false, fast_ok);
		idx[m++] = without;
		if (with >= 0)
			bench_row(with)->ref = without;
		if (!can) {
			for (k = 0; k < m; k++)
				bench_set_na(idx[k], "n/a: %s",
					     root ? "setresuid() failed" :
					     "needs root (toggles euid 0<->1)");
			continue;
		}
		gate = 0;
		for (; started < n; started++)
			if (rawthread_start(&pool.t[started], fast_ok,
					    &gate) < 0)
				break;
		if (started < n) {
			for (k = 0; k < m; k++)
				bench_set_na(idx[k], "n/a: could only start %d threads",
					     started);
		} else {
			bench_run_rows(idx, m, scale_reps());
		}
		rawthread_open_gate(&gate);
		for (k = 0; k < started; k++)
			rawthread_join(&pool.t[k]);
	}
	restore_euid(NULL);
	if (fast_ok)
		pr_ktls(PR_KTLS_REGISTER, NULL, 0);
	if (!fast_ok)
		bench_add_text("note:       no KTLS: the credential rows run without areas, for reference");
}

/* ---- memory ---- */

/* ---- scale: an ID map write beside N unrelated threads with areas ---- */

#define IDMAP_UNRELATED	10000
#define IDMAP_ROUNDS	7

/* Time one write of @text to /proc/@pid/@file; 0 with *why on failure. */
static double proc_write_ns(pid_t pid, const char *file, const char *text,
			    const char **why)
{
	static char buf[128];
	char path[64];
	double t = 0;
	uint64_t t0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	fd = open(path, O_WRONLY);
	if (fd >= 0) {
		t0 = bench_timer_now();
		if (write(fd, text, strlen(text)) == (ssize_t)strlen(text))
			t = bench_timer_ns(t0, bench_timer_now());
		close(fd);
	}
	if (!t) {
		snprintf(buf, sizeof(buf), "%s %s: %s", fd < 0 ? "open" : "write",
			 path, strerror(errno));
		*why = buf;
	}
	return t;
}

/*
 * In a fork child that has an area in a new user namespace: t[0] the
 * write of its uid_map, t[1] the write of its setgroups file (a /proc
 * write of the same kind that KTLS is not part of, the control).
 * Returns false with *why on failure.
 */
static bool idmap_write_once(double t[2], const char **why)
{
	int go[2], ready[2], status = 0;
	bool ok = false;
	char c = 0;
	pid_t pid;

	*why = "pipe";
	if (pipe(go) || pipe(ready))
		return false;
	pid = fork();
	if (pid == 0) {
		/* The fork child keeps the main thread's area. */
		c = unshare(CLONE_NEWUSER) ? errno : 0;
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(v_getuid() == (uid_t)syscall(SYS_getuid) ? 0 : 3);
	}
	*why = "fork";
	if (pid > 0 && read(ready[0], &c, 1) == 1) {
		*why = "unshare(CLONE_NEWUSER) in the child";
		ok = !c && (t[1] = proc_write_ns(pid, "setgroups", "deny", why)) &&
		     (t[0] = proc_write_ns(pid, "uid_map", "0 0 1\n", why));
	}
	if (pid > 0 && (write(go[1], &c, 1) != 1 ||
			waitpid(pid, &status, 0) != pid ||
			!WIFEXITED(status) || WEXITSTATUS(status))) {
		if (ok)
			*why = "the child's vDSO getuid() != getuid() after the map write";
		ok = false;
	}
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
	return ok;
}

/*
 * Room for IDMAP_UNRELATED threads: a tiny kernel allows 4096 pids, and
 * a 1 GiB guest about 8000 threads.
 */
static void idmap_raise(const char *knob)
{
	FILE *f = fopen(knob, "r+");
	int max = 0;

	if (f && fscanf(f, "%d", &max) == 1 && max < IDMAP_UNRELATED + 1000) {
		rewind(f);
		fprintf(f, "%d\n", IDMAP_UNRELATED * 3);
	}
	if (f)
		fclose(f);
}

/*
 * Two rows for @n unrelated threads with areas alive: the uid_map write
 * and its control.  Returns the index of the first; @ref is the first row
 * of the n = 1 pair, or -1.
 */
static int idmap_rows(int n, int ref)
{
	static volatile int idmap_gate;
	struct rawthread_pool p = { 0 };
	double s[2][IDMAP_ROUNDS], t[2];
	const char *why = "";
	char name[2][96];
	int i[2], j, k, started = 0;

	snprintf(name[0], sizeof(name[0]), "uid_map write, %d unrelated threads with areas", n);
	snprintf(name[1], sizeof(name[1]), "setgroups write (control), %d unrelated threads", n);
	for (j = 0; j < 2; j++) {
		i[j] = bench_add("scale", name[j], j ? "plain" : "ktls", "per write",
				 "ns/write");
		bench_row(i[j])->ref = ref < 0 ? -1 : ref + j;
	}
	idmap_gate = 0;
	if (n > 1 && rawthread_pool_init(&p, n, reg_offset) == 0)
		for (; started < n; started++)
			if (rawthread_start(&p.t[started], true, &idmap_gate) <= 0)
				break;
	for (k = 0; k < IDMAP_ROUNDS && idmap_write_once(t, &why); k++) {
		s[0][k] = t[0];
		s[1][k] = t[1];
	}
	rawthread_open_gate(&idmap_gate);
	for (j = 0; j < started; j++)
		rawthread_join(&p.t[j]);
	rawthread_pool_free(&p);
	for (j = 0; j < 2; j++) {
		if (n > 1 && started < n)
			bench_set_na(i[j], "n/a: started %d of %d threads", started, n);
		else if (k < IDMAP_ROUNDS)
			bench_set_na(i[j], "n/a: %s", why);
		else
			bench_set_samples(i[j], s[j], IDMAP_ROUNDS, 1);
	}
	return i[0];
}

static void scale_idmap(void)
{
	int i;

	if (!fast_ok || geteuid()) {
		i = bench_add("scale", "uid_map write", "ktls", "per write",
			      "ns/write");
		bench_set_na(i, "%s", !fast_ok ? no_fast : "n/a: needs root");
		return;
	}
	idmap_raise("/proc/sys/kernel/pid_max");
	idmap_raise("/proc/sys/kernel/threads-max");
	i = idmap_rows(IDMAP_UNRELATED, idmap_rows(1, -1));
	bench_set_note(i, "the write marks the areas of the namespace's own tasks only; compare the control's growth");
}

static void scale_memory(void)
{
	unsigned long auxv_size = getauxval(AT_KTLS_SIZE);
	unsigned long vvar = 0, vclock = 0;
	char line[512];
	FILE *f;
	int i;

	i = bench_add("memory", "KTLS area per thread",
		      auxv_size ? "auxv" : "sizeof", "in static TLS", "bytes");
	bench_set_value(i, auxv_size ? auxv_size : sizeof(struct ktls_area));
	bench_set_note(i, "%s; no page of its own: the area is part of each thread's static TLS block",
		       auxv_size ? "AT_KTLS_SIZE" :
		       "sizeof(struct ktls_area); this kernel has no AT_KTLS_SIZE");
	f = fopen("/proc/self/maps", "r");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long a, b;

		if (sscanf(line, "%lx-%lx", &a, &b) != 2)
			continue;
		if (strstr(line, "[vvar]"))
			vvar += b - a;
		else if (strstr(line, "[vvar_vclock]"))
			vclock += b - a;
	}
	if (f)
		fclose(f);
	i = bench_add("memory", "[vvar] mapping", "maps", "per process",
		      "pages");
	if (vvar)
		bench_set_value(i, vvar / sysconf(_SC_PAGESIZE));
	else
		bench_set_na(i, "n/a: no [vvar] in /proc/self/maps");
	if (vclock) {
		i = bench_add("memory", "[vvar_vclock] mapping", "maps",
			      "per process", "pages");
		bench_set_value(i, vclock / sysconf(_SC_PAGESIZE));
	}
	i = bench_add("memory", "KTLS vvar page", "vvar", "per process",
		      "pages");
	if (have_vdso && have_kernel) {
		bench_set_value(i, 1);
		bench_set_note(i, "the 5th [vvar] page (struct vdso_ktls_data); the shared zero page until PR_KTLS_SET_OFFSET");
	} else {
		bench_set_na(i, "%s", no_ktls[0] ? no_ktls : no_fast);
	}
}

int main(int argc, char **argv)
{
	struct bench_refs refs;
	struct bench_target targets[3];
	int fast[3], fallback[3], getcpu, lib, i;
	const char *names[3] = {
		"__vdso_ktls_gettid", "__vdso_ktls_getuid", "__vdso_ktls_getpid"
	};
	fn0_t *fns[3] = { &v_gettid, &v_getuid, &v_getpid };
	bool pthread_fallback = false;
	pthread_t th;

	setvbuf(stdout, NULL, _IOLBF, 0);
	bench_parse_opts(argc, argv, "ktls_bench",
			 "  -S, --no-scale      skip the scale section\n",
			 extra_opt);
	bench_machine_probe();
	bench_pin(bench_opts.cpu);
	/* Before any thread exists: SET_OFFSET needs a single thread. */
	setup_ktls();
	if (pool.map == NULL && scale &&
	    rawthread_pool_init(&pool, SCALE_MAX, reg_offset ? reg_offset :
				(char *)&bench_area -
				(char *)__builtin_thread_pointer())) {
		fprintf(stderr, "cannot map the raw threads' stacks\n");
		scale = false;
	}
	if (have_vdso) {
		pthread_create(&th, NULL, check_no_area, &pthread_fallback);
		pthread_join(th, NULL);
	}
	if (bench_worker_start()) {
		fprintf(stderr, "pthread_create failed\n");
		return 1;
	}

	for (i = 0; i < 3; i++) {
		fast[i] = bench_add_fn0(names[i], "fast",
					"main thread (area)", *fns[i], -1);
		if (!fast_ok)
			bench_set_na(fast[i], "%s", no_fast);
	}
	for (i = 0; i < 3; i++) {
		fallback[i] = bench_add_fn0(names[i], "fallback",
					    "pthread (no area)", *fns[i], -1);
		bench_row(fallback[i])->where = BENCH_WORKER;
		if (!have_vdso)
			bench_set_na(fallback[i], "%s", no_ktls);
		else if (!pthread_fallback)
			bench_set_na(fallback[i], "n/a: in a pthread the accessor did not take the fallback path");
	}
	/* libktls's inline accessor against the vDSO function it calls. */
	lib = bench_add_libktls_gettid(fast_ok ? "fast" : "fallback",
				       "main thread (area)", fast[0]);
#ifdef HAVE_LIBKTLS
	if (!(ktls_features() & KTLS_FEATURE_VDSO)) {
		bench_row(lib)->path = "syscall";
		bench_row(lib)->ref = -1;
		bench_set_note(lib, "libktls found no KTLS vDSO function: it makes the system call");
	}
#endif
	bench_add_syscalls(&refs);
	getcpu = bench_add_getcpu("__vdso_getcpu", "vdso",
				  bench_vdso_sym("__vdso_getcpu"),
				  refs.sys_getcpu);
	if (!bench_row(getcpu)->fn)
		bench_set_na(getcpu, "n/a: no __vdso_getcpu in the vDSO");
	bench_add_rseq(refs.sys_getcpu);
	bench_add_tls_floor();
	for (i = 0; i < 3; i++) {
		int ref = i == 0 ? refs.sys_gettid :
			  i == 1 ? refs.getuid : refs.getpid;

		bench_row(fast[i])->ref = ref;
		bench_row(fallback[i])->ref = ref;
		targets[i] = (struct bench_target){ fast[i], fallback[i], ref };
	}
	/* Its dispatch against the vDSO function; or the call it makes. */
	if (bench_row(lib)->ref < 0)
		bench_row(lib)->ref = refs.sys_gettid;
	if (fast_ok)
		bench_add_text("area:       main thread registered, offset %ld from the thread pointer; the pthread has none",
			       reg_offset);
	bench_add_text("calls:      every row is an indirect call in a loop; the __thread row is that floor");

	bench_run_calls();
	bench_worker_stop();
	if (scale) {
		scale_create();
		scale_creds();
		scale_idmap();
	}
	scale_memory();

	bench_print_header(stdout, "ktls_bench: KTLS accessors vs system calls");
	bench_print_table(stdout, "calls", "ns per call");
	if (scale)
		bench_print_table(stdout, "scale",
				  "scale (raw threads pre-mapped: the time is clone3 + first return + exit + join)");
	bench_print_table(stdout, "memory", "memory");
	bench_print_notes(stdout);
	bench_print_targets(stdout, targets, 3, getcpu);
	rawthread_pool_free(&pool);
	return bench_write_outputs() ? 1 : 0;
}
