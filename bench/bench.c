// SPDX-License-Identifier: GPL-2.0
/*
 * Shared machinery of the ktls benchmarks; see bench.h.
 */
#include <cpuid.h>
#include <errno.h>
#include <getopt.h>
#include <gnu/libc-version.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/klog.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#if __has_include(<sys/rseq.h>)
#include <sys/rseq.h>
#define HAVE_GLIBC_RSEQ 1
#endif

#include "parse_vdso.h"
#include "bench.h"
#ifdef HAVE_LIBKTLS
#include <ktls/ktls.h>
#endif

#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE		(1 << 1)
#endif

struct bench_row bench_rows[BENCH_MAX_ROWS];
int bench_nrows;
struct bench_machine bench_machine;
volatile unsigned long bench_sink;

struct bench_opts bench_opts = {
	.outdir = "results",
	.cpu = -1,
	.reps = 41,
	.warmup = 2,
	.batch_us = 250,
};

static char bench_text[16][200];
static int bench_ntext;

/* ---- options ---- */

static void bench_usage(FILE *f, const char *extra)
{
	fprintf(f,
		"usage: %s [options]\n"
		"  -o, --output DIR    write DIR/%s.csv and .json (default results)\n"
		"      --no-output     write no files\n"
		"  -C, --csv-stdout    also print the CSV between marker lines\n"
		"  -c, --cpu N         pin to CPU N (default: the last allowed CPU)\n"
		"  -r, --reps N        measured repetitions per method (default 41)\n"
		"  -t, --batch-us US   duration of one batch (default 250)\n"
		"  -w, --warmup N      warm-up batches per method (default 2)\n"
		"  -q, --quick         -r 9 -t 100 and fewer scale repetitions\n"
		"  -n, --name NAME     file stem of the outputs (default %s)\n"
		"%s",
		bench_opts.prog, bench_opts.prog, bench_opts.prog,
		extra ? extra : "");
}

void bench_parse_opts(int argc, char **argv, const char *prog,
		      const char *usage_extra,
		      int (*extra)(int opt, const char *arg))
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "no-output", no_argument, NULL, 'N' },
		{ "csv-stdout", no_argument, NULL, 'C' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "reps", required_argument, NULL, 'r' },
		{ "batch-us", required_argument, NULL, 't' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "quick", no_argument, NULL, 'q' },
		{ "name", required_argument, NULL, 'n' },
		{ "image", required_argument, NULL, 'i' },
		{ "no-scale", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool reps_set = false, batch_set = false;
	int opt;

	bench_opts.prog = prog;
	while ((opt = getopt_long(argc, argv, "o:Cc:r:t:w:qn:i:Sh", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'o':
			bench_opts.outdir = optarg;
			break;
		case 'N':
			bench_opts.outdir = NULL;
			break;
		case 'C':
			bench_opts.csv_stdout = true;
			break;
		case 'c':
			bench_opts.cpu = atoi(optarg);
			break;
		case 'r':
			bench_opts.reps = atoi(optarg);
			reps_set = true;
			break;
		case 't':
			bench_opts.batch_us = atof(optarg);
			batch_set = true;
			break;
		case 'w':
			bench_opts.warmup = atoi(optarg);
			break;
		case 'q':
			bench_opts.quick = true;
			break;
		case 'n':
			bench_opts.prog = optarg;
			break;
		case 'h':
			bench_usage(stdout, usage_extra);
			exit(0);
		default:
			if (extra && extra(opt, optarg) == 0)
				break;
			bench_usage(stderr, usage_extra);
			exit(2);
		}
	}
	if (optind < argc) {
		bench_usage(stderr, usage_extra);
		exit(2);
	}
	if (bench_opts.quick) {
		if (!reps_set)
			bench_opts.reps = 9;
		if (!batch_set)
			bench_opts.batch_us = 100;
	}
	if (bench_opts.reps < 1)
		bench_opts.reps = 1;
	if (bench_opts.reps > BENCH_MAX_REPS)
		bench_opts.reps = BENCH_MAX_REPS;
	if (bench_opts.batch_us < 1)
		bench_opts.batch_us = 1;
	if (bench_opts.warmup < 0)
		bench_opts.warmup = 0;
}

int bench_pin(int cpu)
{
	cpu_set_t set;
	int i, last = -1;

	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		for (i = 0; i < CPU_SETSIZE; i++)
			if (CPU_ISSET(i, &set))
				last = i;
	}
	if (cpu < 0)
		cpu = last >= 0 ? last : 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "sched_setaffinity(cpu %d): %s\n", cpu,
			strerror(errno));
		exit(1);
	}
	bench_machine.cpu = cpu;
	return cpu;
}

/* ---- rows ---- */

int bench_add(const char *section, const char *name, const char *path,
	      const char *where_str, const char *unit)
{
	struct bench_row *r;

	if (bench_nrows >= BENCH_MAX_ROWS) {
		fprintf(stderr, "bench: too many rows\n");
		exit(1);
	}
	r = &bench_rows[bench_nrows];
	memset(r, 0, sizeof(*r));
	r->section = section;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->path = path ? path : "";
	r->where_str = where_str ? where_str : "";
	r->unit = unit ? unit : "ns/call";
	r->ref = -1;
	return bench_nrows++;
}

struct bench_row *bench_row(int i)
{
	return &bench_rows[i];
}

void bench_set_na(int i, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(bench_rows[i].na, sizeof(bench_rows[i].na), fmt, ap);
	va_end(ap);
}

void bench_set_note(int i, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(bench_rows[i].note, sizeof(bench_rows[i].note), fmt, ap);
	va_end(ap);
}

void bench_set_samples(int i, const double *s, int n, long batch)
{
	struct bench_row *r = &bench_rows[i];

	r->samples = calloc(n, sizeof(double));
	if (!r->samples)
		exit(1);
	memcpy(r->samples, s, n * sizeof(double));
	r->reps = n;
	r->batch = batch;
	bench_stats(r);
}

void bench_set_value(int i, double v)
{
	bench_set_samples(i, &v, 1, 1);
}

void bench_add_text(const char *fmt, ...)
{
	va_list ap;

	if (bench_ntext >= (int)(sizeof(bench_text) / sizeof(bench_text[0])))
		return;
	va_start(ap, fmt);
	vsnprintf(bench_text[bench_ntext++], sizeof(bench_text[0]), fmt, ap);
	va_end(ap);
}

/* ---- common methods ---- */

static __attribute__((noinline)) unsigned int sys_gettid(void)
{
	return syscall(SYS_gettid);
}

static __attribute__((noinline)) long sys_getcpu(unsigned int *cpu,
						 unsigned int *node,
						 void *cache)
{
	return syscall(SYS_getcpu, cpu, node, cache);
}

static __thread unsigned int bench_tls_var = 1;

static __attribute__((noinline)) unsigned int tls_load(void)
{
	return READ_ONCE_U32(bench_tls_var);
}

#ifdef HAVE_GLIBC_RSEQ
static __attribute__((noinline)) unsigned int rseq_cpu_id(void)
{
	const struct rseq *rs = (const struct rseq *)
		((char *)__builtin_thread_pointer() + __rseq_offset);

	return READ_ONCE_U32(rs->cpu_id);
}
#endif

int bench_add_fn0(const char *name, const char *path, const char *where_str,
		  void *fn, int ref)
{
	int i = bench_add("calls", name, path, where_str, "ns/call");

	bench_rows[i].kind = BENCH_FN0;
	bench_rows[i].fn = fn;
	bench_rows[i].ref = ref;
	return i;
}

int bench_add_getcpu(const char *name, const char *path, void *fn, int ref)
{
	int i = bench_add("calls", name, path, "main thread", "ns/call");

	bench_rows[i].kind = BENCH_GETCPU;
	bench_rows[i].fn = fn;
	bench_rows[i].ref = ref;
	return i;
}

void bench_add_syscalls(struct bench_refs *refs)
{
	refs->sys_gettid = bench_add_fn0("syscall(SYS_gettid)", "syscall",
					 "main thread", (void *)sys_gettid,
					 -1);
	refs->glibc_gettid = bench_add_fn0("gettid() glibc", "syscall",
					   "main thread", (void *)gettid, -1);
	refs->getuid = bench_add_fn0("getuid() glibc", "syscall",
				     "main thread", (void *)getuid, -1);
	refs->getpid = bench_add_fn0("getpid() glibc", "syscall",
				     "main thread", (void *)getpid, -1);
	refs->sys_getcpu = bench_add_getcpu("syscall(SYS_getcpu)", "syscall",
					    (void *)sys_getcpu, -1);
}

#ifdef HAVE_LIBKTLS
static void run_libktls_gettid(struct bench_row *r, long n)
{
	(void)r;
	while (n-- > 0)
		bench_sink = ktls_gettid();
}
#endif

int bench_add_libktls_gettid(const char *path, const char *where_str,
			     int ref)
{
	int i = bench_add("calls", "ktls_gettid() libktls", path, where_str,
			  "ns/call");

	bench_rows[i].ref = ref;
#ifdef HAVE_LIBKTLS
	bench_rows[i].kind = BENCH_CUSTOM;
	bench_rows[i].run = run_libktls_gettid;
#else
	bench_set_na(i, "n/a: built without libktls (tools/lib/ktls did not build; see build/bench/libktls.log)");
#endif
	return i;
}

int bench_add_rseq(int ref)
{
	int i = bench_add_fn0("rseq cpu_id load (__rseq_offset)", "load",
			      "main thread", NULL, ref);

#ifdef HAVE_GLIBC_RSEQ
	if (__rseq_size == 0)
		bench_set_na(i, "n/a: glibc did not register rseq (__rseq_size == 0)");
	else
		bench_rows[i].fn = (void *)rseq_cpu_id;
#else
	bench_set_na(i, "n/a: C library without <sys/rseq.h> (__rseq_offset)");
#endif
	return i;
}

int bench_add_tls_floor(void)
{
	return bench_add_fn0("__thread load (floor)", "load", "main thread",
			     (void *)tls_load, -1);
}

void *bench_vdso_sym(const char *name)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);

	if (!base)
		return NULL;
	/* Re-initialised on every call: host_vdso also parses its copy. */
	vdso_init_from_sysinfo_ehdr(base);
	return vdso_sym("LINUX_2.6", name);
}

/* ---- timing ---- */

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * The batch timer: CLOCK_MONOTONIC where it is fine-grained and cheap
 * (clocksource tsc); otherwise, as in a TCG guest whose TSC the kernel
 * declared unstable (leaving jiffies, 4 ms), the TSC itself at the rate
 * the kernel measured at boot, or calibrated here.
 */
static bool timer_tsc;
static double tsc_per_ns;

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a" (lo), "=d" (hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static uint64_t timer_now(void)
{
	return timer_tsc ? rdtsc() : bench_now_ns();
}

static double timer_ns(uint64_t t0, uint64_t t1)
{
	return timer_tsc ? (double)(t1 - t0) / tsc_per_ns : (double)(t1 - t0);
}

uint64_t bench_timer_now(void)
{
	return timer_now();
}

double bench_timer_ns(uint64_t t0, uint64_t t1)
{
	return timer_ns(t0, t1);
}

/* The kernel's TSC rate from its log ("tsc: ... MHz"), 0 if not found. */
static double tsc_mhz_from_klog(void)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	double mhz = 0, v;
	char *buf, *p;

	if (len <= 0)
		return 0;
	buf = malloc(len + 1);
	if (!buf)
		return 0;
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	if (len > 0) {
		buf[len] = 0;
		for (p = buf; (p = strstr(p, "tsc: ")); p++) {
			if (sscanf(p, "tsc: Detected %lf MHz", &v) == 1 ||
			    sscanf(p, "tsc: Refined TSC clocksource calibration: %lf MHz",
				   &v) == 1)
				mhz = v;	/* the last one wins */
		}
	}
	free(buf);
	return mhz;
}

static void timer_init(void)
{
	struct bench_machine *m = &bench_machine;
	struct timespec res = { 0 };
	uint64_t t0, c0, t1, c1;
	double mhz, want;
	const char *env;

	clock_getres(CLOCK_MONOTONIC, &res);
	m->clock_res_ns = res.tv_sec * 1e9 + res.tv_nsec;
	/* KTLS_BENCH_TIMER=tsc forces the TSC path (for testing it). */
	env = getenv("KTLS_BENCH_TIMER");
	if (!(env && !strcmp(env, "tsc")) && !strcmp(m->clocksource, "tsc") &&
	    m->clock_res_ns <= 1000) {
		snprintf(m->timer, sizeof(m->timer),
			 "CLOCK_MONOTONIC (clocksource tsc, resolution %.0f ns)",
			 m->clock_res_ns);
		return;
	}
	timer_tsc = true;
	mhz = tsc_mhz_from_klog();
	if (mhz > 0) {
		tsc_per_ns = mhz / 1000;
		snprintf(m->timer, sizeof(m->timer),
			 "rdtsc at %.3f MHz (kernel log); clocksource %.31s, resolution %.0f ns",
			 mhz, m->clocksource, m->clock_res_ns);
		return;
	}
	want = m->clock_res_ns * 100;
	if (want < 2e8)
		want = 2e8;
	t0 = bench_now_ns();
	c0 = rdtsc();
	do {
		t1 = bench_now_ns();
		c1 = rdtsc();
	} while (t1 - t0 < want);
	tsc_per_ns = (double)(c1 - c0) / (double)(t1 - t0);
	snprintf(m->timer, sizeof(m->timer),
		 "rdtsc at %.3f MHz (calibrated over %.0f ms); clocksource %.31s, resolution %.0f ns",
		 tsc_per_ns * 1000, (t1 - t0) / 1e6, m->clocksource,
		 m->clock_res_ns);
}

static __attribute__((noinline)) void run_fn0(void *p, long n)
{
	unsigned int (*fn)(void) = (unsigned int (*)(void))p;
	unsigned long acc = 0;
	long i;

	for (i = 0; i < n; i++)
		acc += fn();
	bench_sink = acc;
}

static __attribute__((noinline)) void run_getcpu(void *p, long n)
{
	long (*fn)(unsigned int *, unsigned int *, void *) =
		(long (*)(unsigned int *, unsigned int *, void *))p;
	unsigned long acc = 0;
	unsigned int cpu = 0;
	long i;

	for (i = 0; i < n; i++) {
		fn(&cpu, NULL, NULL);
		acc += cpu;
	}
	bench_sink = acc;
}

/* Involuntary context switches of the calling thread so far. */
static long nivcsw(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		return 0;
	return ru.ru_nivcsw;
}

static double local_batch(struct bench_row *r, long n)
{
	long cs = nivcsw();
	uint64_t t0, t1;
	double ns;

	if (r->prepare)
		r->prepare(r);
	t0 = timer_now();
	switch (r->kind) {
	case BENCH_FN0:
		run_fn0(r->fn, n);
		break;
	case BENCH_GETCPU:
		run_getcpu(r->fn, n);
		break;
	case BENCH_CUSTOM:
		r->run(r, n);
		break;
	}
	t1 = timer_now();
	ns = timer_ns(t0, t1) / (double)n;
	if (r->finish)
		r->finish(r);
	r->preempted = nivcsw() != cs;
	return ns;
}

/* The worker pthread: runs batches of BENCH_WORKER rows on request. */
static struct {
	pthread_t thread;
	sem_t go, done;
	struct bench_row *row;
	long n;
	double ns;
	bool stop, started;
} worker;

static void sem_wait_intr(sem_t *s)
{
	while (sem_wait(s) && errno == EINTR)
		;
}

static void *worker_main(void *arg)
{
	(void)arg;
	for (;;) {
		sem_wait_intr(&worker.go);
		if (worker.stop)
			break;
		worker.ns = local_batch(worker.row, worker.n);
		sem_post(&worker.done);
	}
	return NULL;
}

int bench_worker_start(void)
{
	int ret;

	sem_init(&worker.go, 0, 0);
	sem_init(&worker.done, 0, 0);
	ret = pthread_create(&worker.thread, NULL, worker_main, NULL);
	if (ret)
		return -ret;
	worker.started = true;
	return 0;
}

void bench_worker_stop(void)
{
	if (!worker.started)
		return;
	worker.stop = true;
	sem_post(&worker.go);
	pthread_join(worker.thread, NULL);
	worker.started = false;
}

double bench_time_batch(struct bench_row *r, long n)
{
	if (r->where != BENCH_WORKER)
		return local_batch(r, n);
	worker.row = r;
	worker.n = n;
	sem_post(&worker.go);
	sem_wait_intr(&worker.done);
	return worker.ns;
}

static long calibrate(struct bench_row *r)
{
	double target = bench_opts.batch_us * 1000.0;
	long n = 1;
	int i;

	for (i = 0; i < 64; i++) {
		double total = bench_time_batch(r, n) * n;
		double want;

		if (total >= target)
			break;
		if (total < target / 64)
			want = n * 32.0;
		else
			want = n * target / total * 1.05 + 1;
		if (want > (1L << 30))
			want = 1L << 30;
		if ((long)want <= n)
			break;
		n = (long)want;
	}
	return n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(const double *s, int n, double p)
{
	int k = (int)lround(p * (n - 1));

	return s[k];
}

void bench_stats(struct bench_row *r)
{
	double *s;
	int n = r->reps;

	if (!n)
		return;
	s = malloc(n * sizeof(*s));
	if (!s)
		exit(1);
	memcpy(s, r->samples, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	r->min = s[0];
	r->max = s[n - 1];
	r->p10 = pct(s, n, 0.10);
	r->p90 = pct(s, n, 0.90);
	r->median = n & 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	r->done = true;
	free(s);
}

static bool runnable(const struct bench_row *r)
{
	return !strcmp(r->section, "calls") && !r->na[0] &&
	       (r->fn || r->kind == BENCH_CUSTOM);
}

/* xorshift64, fixed seed: the same orders on every run. */
static unsigned int bench_rand(void)
{
	static uint64_t x = 0x9e3779b97f4a7c15ULL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x >> 32;
}

void bench_run_rows(const int *idx, int m, int reps)
{
	int i, k, rep;

	for (k = 0; k < m; k++) {
		struct bench_row *r = &bench_rows[idx[k]];

		r->samples = calloc(reps, sizeof(double));
		if (!r->samples)
			exit(1);
		r->batch = calibrate(r);
		for (i = 0; i < bench_opts.warmup; i++)
			bench_time_batch(r, r->batch);
	}
	/*
	 * Rounds: every method once per round, in a new random order each
	 * time, so that no method always follows the same neighbour.
	 */
	for (rep = 0; rep < reps; rep++) {
		int order[BENCH_MAX_ROWS];

		for (k = 0; k < m; k++)
			order[k] = idx[k];
		for (k = m - 1; k > 0; k--) {
			int j = bench_rand() % (k + 1), t = order[k];

			order[k] = order[j];
			order[j] = t;
		}
		for (k = 0; k < m; k++) {
			struct bench_row *r = &bench_rows[order[k]];

			/*
			 * A batch during which another task ran on the CPU is
			 * taken again (up to 3 times); thread creation switches
			 * to its own children, so those rows keep theirs.
			 */
			for (i = 0; i < 4; i++) {
				r->samples[rep] = bench_time_batch(r, r->batch);
				if (!r->preempted || r->kind == BENCH_CUSTOM)
					break;
				if (i < 3)
					r->redone++;
			}
		}
	}
	for (k = 0; k < m; k++) {
		struct bench_row *r = &bench_rows[idx[k]];

		if (r->per > 0)
			for (rep = 0; rep < reps; rep++)
				r->samples[rep] /= r->per;
		r->reps = reps;
		bench_stats(r);
	}
}

void bench_run_calls(void)
{
	int idx[BENCH_MAX_ROWS], m = 0, i;

	for (i = 0; i < bench_nrows; i++)
		if (runnable(&bench_rows[i]))
			idx[m++] = i;
	bench_run_rows(idx, m, bench_opts.reps);
}

/* ---- machine ---- */

static void read_line_value(const char *file, const char *key, char *buf,
			    size_t len)
{
	char line[512];
	FILE *f = fopen(file, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon;

		if (key && strncmp(line, key, strlen(key)))
			continue;
		colon = key ? strchr(line, ':') : NULL;
		colon = colon ? colon + 2 : line;
		colon[strcspn(colon, "\n")] = 0;
		if (strlen(colon) >= len)
			colon[len - 1] = 0;
		memcpy(buf, colon, strlen(colon) + 1);
		break;
	}
	fclose(f);
}

void bench_machine_probe(void)
{
	struct bench_machine *m = &bench_machine;
	unsigned int a, b, c, d;
	double l1, l5, l15;
	struct utsname u;
	FILE *f;

	snprintf(m->cpu_model, sizeof(m->cpu_model), "unknown");
	read_line_value("/proc/cpuinfo", "model name", m->cpu_model,
			sizeof(m->cpu_model));
	if (uname(&u) == 0)
		snprintf(m->kernel, sizeof(m->kernel), "%s %s", u.release,
			 u.version);
	snprintf(m->clocksource, sizeof(m->clocksource), "?");
	read_line_value("/sys/devices/system/clocksource/clocksource0/current_clocksource",
			NULL, m->clocksource, sizeof(m->clocksource));
	snprintf(m->libc, sizeof(m->libc), "glibc %s", gnu_get_libc_version());
	m->fsgsbase = getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE;
	m->ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf %lf %lf", &l1, &l5, &l15) == 3)
			snprintf(m->loadavg, sizeof(m->loadavg),
				 "%.2f %.2f %.2f", l1, l5, l15);
		fclose(f);
	}
	timer_init();

	snprintf(m->hypervisor, sizeof(m->hypervisor), "bare");
	if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1U << 31))) {
		__cpuid(0x40000000, a, b, c, d);
		memcpy(m->hv_vendor + 0, &b, 4);
		memcpy(m->hv_vendor + 4, &c, 4);
		memcpy(m->hv_vendor + 8, &d, 4);
		m->hv_vendor[12] = 0;
		if (!strcmp(m->hv_vendor, "TCGTCGTCGTCG"))
			snprintf(m->hypervisor, sizeof(m->hypervisor), "TCG");
		else if (!strcmp(m->hv_vendor, "KVMKVMKVM"))
			snprintf(m->hypervisor, sizeof(m->hypervisor), "KVM");
		else if (m->hv_vendor[0])
			snprintf(m->hypervisor, sizeof(m->hypervisor), "%s",
				 m->hv_vendor);
		else
			snprintf(m->hypervisor, sizeof(m->hypervisor),
				 "hypervisor");
	}
}

/* ---- outputs ---- */

void bench_print_header(FILE *f, const char *title)
{
	struct bench_machine *m = &bench_machine;
	int i;

	fprintf(f, "== %s\n", title);
	fprintf(f, "cpu:        %s (%d online, pinned to cpu %d)\n",
		m->cpu_model, m->ncpus, m->cpu);
	fprintf(f, "kernel:     %s\n", m->kernel);
	fprintf(f, "runs under: %s%s%s%s\n", m->hypervisor,
		m->hv_vendor[0] ? " (cpuid 0x40000000 \"" : "",
		m->hv_vendor, m->hv_vendor[0] ? "\")" : "");
	if (!strcmp(m->hypervisor, "TCG"))
		fprintf(f, "            QEMU TCG: these are EMULATION figures, good only for comparing\n"
			   "            paths that are all emulated, not for hardware costs\n");
	else if (!strcmp(m->hypervisor, "KVM"))
		fprintf(f, "            KVM guest: user-mode code runs natively; system calls\n"
			   "            do not leave the guest\n");
	fprintf(f, "timer:      %s\n", m->timer);
	if (m->loadavg[0])
		fprintf(f, "loadavg:    %s (at start; other work on the CPU shows in p90/max)\n",
			m->loadavg);
	fprintf(f, "libc:       %s; FSGSBASE %s\n", m->libc,
		m->fsgsbase ? "enabled (HWCAP2: the vDSO reads the thread pointer with rdfsbase)" :
		"not enabled (the vDSO reads the thread pointer with mov %fs:0)");
	fprintf(f, "method:     %d reps x ~%.0f us batches, %d warm-up batches, rounds in random order;\n"
		   "            a batch preempted by another task is taken again (at most 3 times)\n",
		bench_opts.reps, bench_opts.batch_us, bench_opts.warmup);
	for (i = 0; i < bench_ntext; i++)
		fprintf(f, "%s\n", bench_text[i]);
}

/*
 * The ratio of row @a to row @b: the median, over the repetitions, of
 * the ratio of their samples of the same round (one round puts
 * them close in time, so slow drifts of the machine cancel); the ratio
 * of the medians when they were not measured together.  -1: none.
 */
static double ratio_of(int a, int b)
{
	const struct bench_row *x, *y;
	double *q, v;
	int i, n;

	if (a < 0 || b < 0)
		return -1;
	x = &bench_rows[a];
	y = &bench_rows[b];
	if (!x->done || !y->done || y->median <= 0)
		return -1;
	n = x->reps;
	if (n < 2 || y->reps != n || !x->samples || !y->samples)
		return x->median / y->median;
	q = malloc(n * sizeof(*q));
	if (!q)
		return x->median / y->median;
	for (i = 0; i < n; i++)
		q[i] = y->samples[i] > 0 ? x->samples[i] / y->samples[i] : 0;
	qsort(q, n, sizeof(*q), cmp_double);
	v = n & 1 ? q[n / 2] : (q[n / 2 - 1] + q[n / 2]) / 2;
	free(q);
	return v;
}

static void fmt_num(char *buf, size_t len, double v)
{
	if (v < 10)
		snprintf(buf, len, "%.2f", v);
	else if (v < 1000)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.0f", v);
}

static void fmt_ratio(char *buf, size_t len, const struct bench_row *r)
{
	const struct bench_row *ref;
	double ratio;

	buf[0] = 0;
	ratio = ratio_of(r - bench_rows, r->ref);
	if (ratio < 0)
		return;
	ref = &bench_rows[r->ref];
	if (ratio < 0.8)
		snprintf(buf, len, "%.0fx faster than %s", 1 / ratio,
			 ref->name);
	else
		snprintf(buf, len, "%+.1f%% vs %s", (ratio - 1) * 100,
			 ref->name);
}

void bench_print_table(FILE *f, const char *section, const char *title)
{
	char med[32], p10[32], p90[32], mn[32], mx[32], ratio[160];
	int i;

	fprintf(f, "\n-- %s\n", title);
	fprintf(f, "%-50s %-9s %-22s %9s %-9s %19s %21s  %s\n", "method",
		"path", "where", "median", "unit", "p10 .. p90",
		"min .. max", "vs the call it replaces (paired)");
	for (i = 0; i < bench_nrows; i++) {
		const struct bench_row *r = &bench_rows[i];

		if (strcmp(r->section, section))
			continue;
		if (!r->done) {
			fprintf(f, "%-50s %-9s %-22s %9s %-9s  %s\n", r->name,
				r->path, r->where_str, "-", r->unit,
				r->na[0] ? r->na : "n/a: not run");
			continue;
		}
		fmt_num(med, sizeof(med), r->median);
		fmt_num(p10, sizeof(p10), r->p10);
		fmt_num(p90, sizeof(p90), r->p90);
		fmt_num(mn, sizeof(mn), r->min);
		fmt_num(mx, sizeof(mx), r->max);
		fmt_ratio(ratio, sizeof(ratio), r);
		if (r->reps > 1)
			fprintf(f, "%-50s %-9s %-22s %9s %-9s %8s .. %-8s %9s .. %-9s  %s\n",
				r->name, r->path, r->where_str, med, r->unit,
				p10, p90, mn, mx, ratio);
		else
			fprintf(f, "%-50s %-9s %-22s %9s %-9s\n", r->name,
				r->path, r->where_str, med, r->unit);
	}
}

void bench_print_notes(FILE *f)
{
	int i, n = 0;

	for (i = 0; i < bench_nrows; i++) {
		if (!bench_rows[i].note[0])
			continue;
		if (!n++)
			fprintf(f, "\nnotes:\n");
		fprintf(f, "  %s: %s\n", bench_rows[i].name,
			bench_rows[i].note);
	}
}

/* CSV fields never contain commas or quotes: they are replaced. */
static void csv_str(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == ',' ? ';' : *s == '"' ? '\'' : *s, f);
}

static void write_csv(FILE *f)
{
	int i;

	fprintf(f, "program,section,method,path,where,unit,batch,reps,median,p10,p90,min,max,ref,ratio,status\n");
	for (i = 0; i < bench_nrows; i++) {
		const struct bench_row *r = &bench_rows[i];
		const struct bench_row *ref = r->ref >= 0 ?
			&bench_rows[r->ref] : NULL;

		csv_str(f, bench_opts.prog);
		fputc(',', f);
		csv_str(f, r->section);
		fputc(',', f);
		csv_str(f, r->name);
		fputc(',', f);
		csv_str(f, r->path);
		fputc(',', f);
		csv_str(f, r->where_str);
		fputc(',', f);
		csv_str(f, r->unit);
		if (r->done)
			fprintf(f, ",%ld,%d,%.4f,%.4f,%.4f,%.4f,%.4f,", r->batch,
				r->reps, r->median, r->p10, r->p90, r->min,
				r->max);
		else
			fprintf(f, ",,,,,,,,");
		if (ref)
			csv_str(f, ref->name);
		fputc(',', f);
		if (ratio_of(i, r->ref) >= 0)
			fprintf(f, "%.5f", ratio_of(i, r->ref));
		fputc(',', f);
		csv_str(f, r->done ? "ok" : r->na[0] ? r->na : "n/a: not run");
		fputc('\n', f);
	}
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void write_json(FILE *f)
{
	struct bench_machine *m = &bench_machine;
	int i, k;

	fprintf(f, "{\n  \"program\": ");
	json_str(f, bench_opts.prog);
	fprintf(f, ",\n  \"machine\": {\"cpu_model\": ");
	json_str(f, m->cpu_model);
	fprintf(f, ", \"kernel\": ");
	json_str(f, m->kernel);
	fprintf(f, ", \"runs_under\": ");
	json_str(f, m->hypervisor);
	fprintf(f, ", \"clocksource\": ");
	json_str(f, m->clocksource);
	fprintf(f, ", \"timer\": ");
	json_str(f, m->timer);
	fprintf(f, ", \"loadavg\": ");
	json_str(f, m->loadavg);
	fprintf(f, ", \"libc\": ");
	json_str(f, m->libc);
	fprintf(f, ", \"fsgsbase\": %s, \"cpu\": %d, \"ncpus\": %d},\n",
		m->fsgsbase ? "true" : "false", m->cpu, m->ncpus);
	fprintf(f, "  \"reps\": %d, \"batch_us\": %.0f, \"warmup\": %d,\n",
		bench_opts.reps, bench_opts.batch_us, bench_opts.warmup);
	fprintf(f, "  \"notes\": [");
	for (i = 0; i < bench_ntext; i++) {
		fprintf(f, "%s", i ? ", " : "");
		json_str(f, bench_text[i]);
	}
	fprintf(f, "],\n  \"rows\": [\n");
	for (i = 0; i < bench_nrows; i++) {
		const struct bench_row *r = &bench_rows[i];

		fprintf(f, "    {\"section\": ");
		json_str(f, r->section);
		fprintf(f, ", \"method\": ");
		json_str(f, r->name);
		fprintf(f, ", \"path\": ");
		json_str(f, r->path);
		fprintf(f, ", \"where\": ");
		json_str(f, r->where_str);
		fprintf(f, ", \"unit\": ");
		json_str(f, r->unit);
		if (r->ref >= 0) {
			fprintf(f, ", \"replaces\": ");
			json_str(f, bench_rows[r->ref].name);
			if (ratio_of(i, r->ref) >= 0)
				fprintf(f, ", \"ratio\": %.5f",
					ratio_of(i, r->ref));
		}
		if (r->done) {
			fprintf(f, ", \"batch\": %ld, \"reps\": %d, \"median\": %.4f, \"p10\": %.4f, \"p90\": %.4f, \"min\": %.4f, \"max\": %.4f, \"samples\": [",
				r->batch, r->reps, r->median, r->p10, r->p90,
				r->min, r->max);
			for (k = 0; k < r->reps; k++)
				fprintf(f, "%s%.4f", k ? ", " : "",
					r->samples[k]);
			fprintf(f, "], \"redone\": %d", r->redone);
		}
		fprintf(f, ", \"status\": ");
		json_str(f, r->done ? "ok" : r->na[0] ? r->na : "n/a: not run");
		if (r->note[0]) {
			fprintf(f, ", \"note\": ");
			json_str(f, r->note);
		}
		fprintf(f, "}%s\n", i + 1 < bench_nrows ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
}

static int mkdir_p(const char *dir)
{
	char buf[4096];
	char *p;

	snprintf(buf, sizeof(buf), "%s", dir);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -1;
	return 0;
}

int bench_write_outputs(void)
{
	char path[4096];
	int ret = 0;
	FILE *f;

	if (bench_opts.csv_stdout) {
		printf("\n=== csv begin %s ===\n", bench_opts.prog);
		write_csv(stdout);
		printf("=== csv end %s ===\n", bench_opts.prog);
	}
	if (!bench_opts.outdir)
		return 0;
	if (mkdir_p(bench_opts.outdir)) {
		fprintf(stderr, "mkdir %s: %s\n", bench_opts.outdir,
			strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s.csv", bench_opts.outdir,
		 bench_opts.prog);
	f = fopen(path, "w");
	if (f) {
		write_csv(f);
		ret |= fclose(f);
		printf("wrote %s\n", path);
	} else {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		ret = -1;
	}
	snprintf(path, sizeof(path), "%s/%s.json", bench_opts.outdir,
		 bench_opts.prog);
	f = fopen(path, "w");
	if (f) {
		write_json(f);
		ret |= fclose(f);
		printf("wrote %s\n", path);
	} else {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		ret = -1;
	}
	return ret;
}

void bench_print_targets(FILE *f, const struct bench_target *t, int n,
			 int getcpu)
{
	char lab[160];
	int i;

	fprintf(f, "\ntargets (informational): fast path <= __vdso_getcpu and >= 30x faster than\n"
		   "the system call it replaces; fallback <= +10%% over that system call\n"
		   "(ratios: median of the per-round ratios)\n");
	for (i = 0; i < n; i++) {
		const struct bench_row *ref = &bench_rows[t[i].ref];
		double r;

		if (t[i].fast >= 0) {
			const struct bench_row *fa = &bench_rows[t[i].fast];

			snprintf(lab, sizeof(lab), "%s (%s, %s)", fa->name,
				 fa->path, fa->where_str);
			r = ratio_of(t[i].fast, getcpu);
			if (r < 0)
				fprintf(f, "  %-60s <= __vdso_getcpu: n/a\n",
					lab);
			else
				fprintf(f, "  %-60s %6.2f ns vs __vdso_getcpu %.2f ns (x%.2f): %s\n",
					lab, fa->median,
					bench_rows[getcpu].median, r,
					r <= 1.0 ? "met" : "MISSED");
			r = ratio_of(t[i].fast, t[i].ref);
			if (r < 0)
				fprintf(f, "  %-60s >= 30x faster than %s: n/a\n",
					lab, ref->name);
			else
				fprintf(f, "  %-60s %6.0fx faster than %s: %s\n",
					lab, 1 / r, ref->name,
					1 / r >= 30 ? "met" : "MISSED");
		}
		if (t[i].fallback >= 0) {
			const struct bench_row *fb = &bench_rows[t[i].fallback];

			snprintf(lab, sizeof(lab), "%s (%s, %s)", fb->name,
				 fb->path, fb->where_str);
			r = ratio_of(t[i].fallback, t[i].ref);
			if (r < 0)
				fprintf(f, "  %-60s <= +10%% over %s: n/a\n",
					lab, ref->name);
			else
				fprintf(f, "  %-60s %+6.1f%% vs %s: %s\n",
					lab, (r - 1) * 100, ref->name,
					r <= 1.10 ? "met" : "MISSED");
		}
	}
}
