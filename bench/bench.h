/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared machinery of the ktls benchmarks (ktls_bench, host_vdso):
 * methods, interleaved timing, statistics, the machine header, and the
 * table, CSV and JSON outputs.
 *
 * A method is a function reached through a pointer, called in a loop of
 * "batch" calls.  The batch size is calibrated so that one batch takes
 * about --batch-us microseconds; after warm-up, the methods take turns
 * for --reps rounds (each round in a new random order; a batch during
 * which another task ran is taken again), and each round gives one
 * sample of ns per call per method.  Ratios between two methods are the
 * median of their per-round ratios.  Every row includes the cost of an
 * indirect call and of the loop; the plain __thread row measures that
 * floor.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BENCH_MAX_ROWS		96
#define BENCH_MAX_REPS		1001

#define READ_ONCE_U32(x)	(*(const volatile uint32_t *)&(x))

/* Where a method's batches run. */
enum bench_where {
	BENCH_MAIN,		/* the main (calling) thread */
	BENCH_WORKER,		/* the worker pthread (no KTLS area) */
};

/* How a method's function is called. */
enum bench_kind {
	BENCH_FN0,		/* unsigned int fn(void) */
	BENCH_GETCPU,		/* long fn(unsigned *cpu, unsigned *node, void *) */
	BENCH_CUSTOM,		/* run(row, n) does the calls itself */
};

struct bench_row;
typedef void (*bench_run_fn)(struct bench_row *r, long n);
typedef void (*bench_hook_fn)(struct bench_row *r);

struct bench_row {
	/* Description. */
	const char *section;	/* "calls", "scale", "memory" */
	char name[96];		/* what is called */
	const char *path;	/* "fast", "fallback", "syscall", ... */
	const char *where_str;	/* "main thread", "pthread, no area", ... */
	const char *unit;	/* "ns/call", "ns/thread", "bytes", ... */
	char note[160];		/* shown under the table */
	/* Method (section "calls" and timed scale rows). */
	enum bench_kind kind;
	enum bench_where where;
	void *fn;
	bench_run_fn run;	/* BENCH_CUSTOM */
	bench_hook_fn prepare;	/* untimed, before every batch */
	bench_hook_fn finish;	/* untimed, after every batch */
	void *arg;
	long iarg;
	double per;		/* > 0: samples are divided by it (per thread) */
	int ref;		/* index of the row this one replaces, -1 */
	/* Results. */
	char na[160];		/* "" when it ran; else why not ("n/a: ...") */
	long batch;		/* calls per batch */
	int reps;
	double *samples;
	double median, p10, p90, min, max;
	bool done;
	bool preempted;		/* the last batch was switched out */
	int redone;		/* batches repeated because of that */
};

struct bench_opts {
	const char *prog;	/* file stem of the outputs */
	const char *outdir;	/* NULL: no files */
	bool csv_stdout;	/* also print the CSV between markers */
	int cpu;		/* -1: choose */
	int reps;
	int warmup;		/* warm-up batches per method */
	double batch_us;	/* target duration of one batch */
	bool quick;
};

extern struct bench_row bench_rows[BENCH_MAX_ROWS];
extern int bench_nrows;
extern struct bench_opts bench_opts;
extern volatile unsigned long bench_sink;

/* Options shared by both programs; returns 0, or exits. */
void bench_parse_opts(int argc, char **argv, const char *prog,
		      const char *usage_extra,
		      int (*extra)(int opt, const char *arg));
/* Pin the process (and later threads) to one CPU; returns it. */
int bench_pin(int cpu);

/* Add a row; returns its index. */
int bench_add(const char *section, const char *name, const char *path,
	      const char *where_str, const char *unit);
struct bench_row *bench_row(int i);
void bench_set_na(int i, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void bench_set_note(int i, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A row with a single value (memory, info). */
void bench_set_value(int i, double v);
/* A row from samples measured elsewhere (copied). */
void bench_set_samples(int i, const double *s, int n, long batch);

/* Common method rows; each returns its index. */
int bench_add_fn0(const char *name, const char *path, const char *where_str,
		  void *fn, int ref);
int bench_add_getcpu(const char *name, const char *path, void *fn, int ref);
/* syscall(SYS_gettid), gettid(), getuid(), getpid(), syscall(SYS_getcpu) */
struct bench_refs {
	int sys_gettid, glibc_gettid, getuid, getpid, sys_getcpu;
};
void bench_add_syscalls(struct bench_refs *refs);
/* rseq cpu_id through __rseq_offset, and a plain __thread load. */
int bench_add_rseq(int ref);
/*
 * "ktls_gettid() libktls": the inline accessor of <ktls/ktls.h> as a
 * program calls it (one load from libktls's table, one indirect call),
 * in the timed loop itself; @ref is normally the pointer call of the
 * function the table points to, so the ratio is libktls's dispatch.
 * n/a when the program was built without libktls (HAVE_LIBKTLS).
 */
int bench_add_libktls_gettid(const char *path, const char *where_str,
			     int ref);
int bench_add_tls_floor(void);
/* The running kernel's vDSO symbol (parse_vdso), or NULL. */
void *bench_vdso_sym(const char *name);

/* Start the worker pthread used by BENCH_WORKER rows. */
int bench_worker_start(void);
void bench_worker_stop(void);

/* Time one batch of @n calls of row @r; returns ns per call. */
double bench_time_batch(struct bench_row *r, long n);
/* Calibrate, warm up and measure rows @idx[0..m) in rounds. */
void bench_run_rows(const int *idx, int m, int reps);
/* bench_run_rows() over every runnable "calls" row. */
void bench_run_calls(void);
/* Sort samples and compute the statistics of a row. */
void bench_stats(struct bench_row *r);
/* Monotonic time in ns. */
uint64_t bench_now_ns(void);
/* The batch timer (the TSC where CLOCK_MONOTONIC is coarse, as under TCG). */
uint64_t bench_timer_now(void);
double bench_timer_ns(uint64_t t0, uint64_t t1);

/* Machine description. */
struct bench_machine {
	char cpu_model[128];
	char kernel[256];
	char hypervisor[32];	/* "TCG", "KVM", "bare", "Microsoft Hv", ... */
	char hv_vendor[16];
	char clocksource[32];
	double clock_res_ns;
	char timer[160];	/* how batches are timed */
	char loadavg[64];	/* /proc/loadavg at start */
	char libc[32];
	bool fsgsbase;		/* HWCAP2_FSGSBASE: kernel enabled FSGSBASE */
	int cpu;
	int ncpus;
};
extern struct bench_machine bench_machine;
void bench_machine_probe(void);

/* Outputs. */
void bench_print_header(FILE *f, const char *title);
void bench_print_table(FILE *f, const char *section, const char *title);
void bench_print_notes(FILE *f);
void bench_add_text(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));	/* lines for the header */
int bench_write_outputs(void);

/* Informational targets (never an exit status). */
struct bench_target {
	int fast, fallback, ref;
};
void bench_print_targets(FILE *f, const struct bench_target *t, int n,
			 int getcpu);

#endif /* BENCH_H */
