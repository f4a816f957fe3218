// SPDX-License-Identifier: GPL-2.0
/*
 * Runs ktls_stress (from the folder of this program) in fresh processes:
 *
 *   ktls_soak [-T KB] [ktls_stress options]
 *	No kernel memory growth across ktls_stress's create/exit and
 *	REGISTER/UNREGISTER/fork cycles (its tests 4 and 5, -C): after a
 *	warm-up run (-C -W), "Slab:" of /proc/meminfo and, where the kernel
 *	has it, /proc/slabinfo, before and after a measured run.  -T: the
 *	Slab growth tolerance (256 kB).
 *
 *   ktls_soak --soak SECONDS [ktls_stress options]
 *	Whole ktls_stress runs, one after the other, for that long; one TAP
 *	result (tests/guest/trinity.sh runs it beside trinity).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest.h"

#define MAX_ARGS	64
#define MAX_CACHES	512

static char stress[4096];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Run ktls_stress with @args (args[0] is set here), its output in a
 * temporary file; print that output when @show or when the run did not
 * pass, and the first "SKIP" reason into @skip.  Returns the wait status;
 * *@joins is the "cycles:" count of its test 4 (-1 if not printed).
 */
static int run_stress(char **args, bool show, long *joins, char *skip,
		      size_t skip_len)
{
	char path[] = "/tmp/ktls_soak.XXXXXX", line[512], *p;
	int fd = mkstemp(path), st = -1;
	FILE *f;
	long n;
	pid_t pid;

	if (fd < 0)
		ksft_exit_fail_msg("mkstemp: %s\n", strerror(errno));
	unlink(path);
	args[0] = stress;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		execv(stress, args);
		_exit(99);
	}
	if (pid > 0)
		waitpid(pid, &st, 0);
	*joins = -1;
	if (skip)
		*skip = 0;
	show |= !WIFEXITED(st) || (WEXITSTATUS(st) && WEXITSTATUS(st) != KSFT_SKIP);
	f = fdopen(fd, "r");
	if (!f)
		ksft_exit_fail_msg("fdopen: %s\n", strerror(errno));
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		if (show)
			printf("#   %s", line);
		if (sscanf(line, "# cycles: %ld joins", &n) == 1)
			*joins = n;
		p = strstr(line, "SKIP");
		if (skip && !*skip && p)
			snprintf(skip, skip_len, "%s", p + 5);
	}
	fclose(f);
	if (!WIFEXITED(st))
		ksft_print_msg("ktls_stress: killed by signal %d\n",
			       WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return st;
}

static int exit_code(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* ---- the kernel's memory ---- */

/* A field of /proc/meminfo in kB ("Slab", "MemFree"...), or -1. */
static long meminfo_kb(const char *field)
{
	size_t n = strlen(field);
	char line[256];
	long kb = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, n) && line[n] == ':') {
			kb = strtol(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

/*
 * SLUB (the debug flavour) keeps freed objects on per-cpu slabs, and KASAN
 * keeps them in its quarantine, where /proc/slabinfo counts them as in
 * use: writing 1 to /sys/kernel/slab/NAME/shrink gives them back (and
 * drains the quarantine of that cache).  Nothing to do under SLOB.
 * Returns the number of caches shrunk.
 */
static int slab_shrink_all(void)
{
	DIR *d = opendir("/sys/kernel/slab");
	struct dirent *e;
	char path[512];
	int n = 0, fd;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink",
			 e->d_name);
		fd = open(path, O_WRONLY);
		if (fd < 0)
			continue;
		if (write(fd, "1", 1) == 1)
			n++;
		close(fd);
	}
	closedir(d);
	return n;
}

/*
 * The slab total, once frees deferred by RCU (task structs, stacks) have
 * landed: wait a little, shrink, read; again (up to 2 s) while it is above
 * @target (or, without one, still falling).
 */
static long slab_settled(long target)
{
	long kb = -1, best = -1;
	int i;

	for (i = 0; i < 10; i++) {
		usleep(i ? 200000 : 100000);
		slab_shrink_all();
		kb = meminfo_kb("Slab");
		if (kb < 0)
			return -1;
		if (best >= 0 && target < 0 && kb >= best)
			break;
		if (best < 0 || kb < best)
			best = kb;
		if (target >= 0 && kb <= target)
			break;
	}
	return best;
}

struct slab_cache {
	char name[48];
	long active, objsize;
};

/* Read /proc/slabinfo; returns the number of caches, -errno if absent. */
static int slabinfo_read(struct slab_cache *c, int max)
{
	char line[512];
	FILE *f = fopen("/proc/slabinfo", "r");
	int n = 0;

	if (!f)
		return -errno;
	while (n < max && fgets(line, sizeof(line), f)) {
		long active, num, size;
		char name[48];

		if (line[0] == '#' || !strncmp(line, "slabinfo", 8))
			continue;
		if (sscanf(line, "%47s %ld %ld %ld", name, &active, &num,
			   &size) != 4)
			continue;
		strcpy(c[n].name, name);
		c[n].active = active;
		c[n].objsize = size;
		n++;
	}
	fclose(f);
	return n;
}

/* The largest growth in active objects of a cache, its index in @after. */
static long slab_growth(const struct slab_cache *before, int nb,
			const struct slab_cache *after, int na, long tol,
			int *worst)
{
	long g, worst_growth = 0;
	int i, j;

	*worst = -1;
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb; j++) {
			if (strcmp(after[i].name, before[j].name))
				continue;
			g = after[i].active - before[j].active;
			if (g > worst_growth) {
				worst_growth = g;
				*worst = i;
			}
			if (g > tol)
				ksft_print_msg("slab %s: %ld -> %ld active objects of %ld bytes\n",
					       after[i].name, before[j].active,
					       after[i].active, after[i].objsize);
			break;
		}
	}
	return worst_growth;
}

static int check_memory(long tol, int argc, char **argv)
{
	static struct slab_cache before[MAX_CACHES], after[MAX_CACHES];
	char *args[MAX_ARGS + 4] = { NULL, "-C" }, skip[256];
	long s0, s1, free0, free1, joins, growth, obj_tol;
	int nb, na, i, st, shrunk, worst;

	for (i = 1; i < argc && i < MAX_ARGS; i++)
		args[i + 1] = argv[i];
	ksft_print_header();
	/* Warm-up: caches and per-cpu lists reach their working size. */
	args[i + 1] = "-W";
	st = run_stress(args, false, &joins, skip, sizeof(skip));
	if (exit_code(st) == KSFT_SKIP)
		ksft_exit_skip("ktls_stress: %s", skip);
	if (exit_code(st))
		ksft_exit_fail_msg("warm-up ktls_stress -C -W: exit %d\n",
				   exit_code(st));
	args[i + 1] = NULL;
	ksft_set_plan(3);

	s0 = slab_settled(-1);
	free0 = meminfo_kb("MemFree");
	shrunk = slab_shrink_all();
	nb = slabinfo_read(before, MAX_CACHES);
	st = run_stress(args, true, &joins, NULL, 0);
	s1 = slab_settled(s0 >= 0 ? s0 + tol : -1);
	free1 = meminfo_kb("MemFree");
	slab_shrink_all();
	na = slabinfo_read(after, MAX_CACHES);

	ksft_test_result(!exit_code(st) && joins > 0,
			 "ktls_stress -C (tests 4 and 5) between the measurements passed (exit %d, %ld joins)\n",
			 exit_code(st), joins);
	ksft_print_msg("memory: Slab %ld -> %ld kB, MemFree %ld -> %ld kB (%s)\n",
		       s0, s1, free0, free1,
		       "MemFree is shown only: page cache and per-cpu page lists move it");
	if (s0 >= 0 && s1 >= 0)
		ksft_test_result(s1 - s0 <= tol,
				 "kernel slab memory across a ktls_stress -C run (%ld create/exit cycles): /proc/meminfo Slab %ld kB before, %ld kB after (settled%s), growth %ld kB, tolerance %ld kB (per-cpu and partial slabs, RCU-deferred frees; one leaked task_struct per thread cycle would be megabytes)\n",
				 joins, s0, s1, shrunk ? ", caches shrunk" : "",
				 s1 - s0, tol);
	else
		ksft_test_result_skip("/proc/meminfo has no Slab: line to compare\n");

	if (nb < 0 || na < 0) {
		ksft_test_result_skip("no /proc/slabinfo (%s): %s\n",
				      strerror(-(nb < 0 ? nb : na)),
				      "tinyconfig kernels use SLOB, which has none; per-cache counts not compared, the Slab: total above is the check");
		ksft_finished();
	}
	/*
	 * A leak of one object per thread or per cycle grows its cache by
	 * thousands; per-cpu and partial slabs move a cache by at most a
	 * few slabs' worth.
	 */
	obj_tol = joins / 4 < 64 ? 64 : joins / 4;
	growth = slab_growth(before, nb, after, na, obj_tol, &worst);
	ksft_test_result(growth <= obj_tol,
			 "/proc/slabinfo, %d caches (%d shrunk first): the largest growth in active objects is %ld (%s), tolerance %ld (a quarter of the %ld thread cycles: a leak of one object per thread would exceed it)\n",
			 na, shrunk, growth, worst >= 0 ? after[worst].name : "none",
			 obj_tol, joins);
	ksft_finished();
	return 0;
}

/* ---- soak: whole runs in fresh processes ---- */

static int run_soak(int secs, int argc, char **argv)
{
	char *args[MAX_ARGS + 2] = { NULL }, skip[256];
	int i, st, runs = 0, failed = 0;
	double end = now() + secs;
	long joins;

	for (i = 1; i < argc && i < MAX_ARGS; i++)
		args[i] = argv[i];
	ksft_print_header();
	while (now() < end && !failed) {
		st = run_stress(args, false, &joins, skip, sizeof(skip));
		if (!runs && exit_code(st) == KSFT_SKIP)
			ksft_exit_skip("ktls_stress: %s", skip);
		if (!runs)
			ksft_set_plan(1);
		runs++;
		if (exit_code(st)) {
			failed = 1;
			ksft_print_msg("run %d: exit %d (its output above)\n",
				       runs, exit_code(st));
		}
	}
	ksft_test_result(runs && !failed,
			 "soak: %d whole ktls_stress runs in %d s, %s\n",
			 runs, secs, failed ? "one failed" : "all passed");
	ksft_finished();
	return 0;
}

int main(int argc, char **argv)
{
	ssize_t n = readlink("/proc/self/exe", stress, sizeof(stress) - 16);
	char *slash;

	if (n <= 0)
		ksft_exit_fail_msg("readlink /proc/self/exe: %s\n",
				   strerror(errno));
	stress[n] = 0;
	slash = strrchr(stress, '/');
	strcpy(slash ? slash + 1 : stress, "ktls_stress");
	if (argc > 2 && !strcmp(argv[1], "--soak"))
		return run_soak(atoi(argv[2]), argc - 2, argv + 2);
	if (argc > 2 && !strcmp(argv[1], "-T"))
		return check_memory(atol(argv[2]), argc - 2, argv + 2);
	return check_memory(256, argc, argv);
}
