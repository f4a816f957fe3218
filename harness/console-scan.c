// SPDX-License-Identifier: GPL-2.0
/*
 * console-scan: decide a test VM's outcome from its serial console.
 *
 *   console-scan [--label NAME] CONSOLE-LOG
 *
 * Prints "NAME: P passed, F failed, S skipped" and the failed tests and
 * kernel reports; exits 0 when the TAP plan was met with no failure and
 * the kernel reported nothing, 1 otherwise, 2 on a usage error.
 *
 * Kernel lines are told from the guest's output by their printk time
 * stamp ("[    1.234567] "), which CONFIG_PRINTK_TIME adds; the guest's
 * TAP output never starts with one, and the output of each test program
 * is indented with "# " by the guest's runner.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console-scan.h"

static const char *const kernel_report_marks[] = {
	"Kernel panic", "Oops:", "BUG:", "WARNING:", "general protection fault",
	"KASAN:", "UBSAN:", "kernel BUG at", "possible circular locking",
	"possible recursive locking", "inconsistent lock state",
	"suspicious RCU usage", "kmemleak:", "Unable to handle kernel",
	"INFO: task", "watchdog: BUG", "rcu: INFO", "segfault at",
};

void cs_init(struct cs_result *r)
{
	memset(r, 0, sizeof(*r));
	r->plan = -1;
}

static void cs_note(struct cs_result *r, const char *what, const char *line)
{
	size_t n;

	if (r->nnotes >= CS_MAX_NOTES)
		return;
	snprintf(r->notes[r->nnotes], CS_NOTE_LEN, "%s: %s", what, line);
	n = strcspn(r->notes[r->nnotes], "\r\n");
	r->notes[r->nnotes][n] = '\0';
	r->nnotes++;
}

/* Length of a printk time stamp "[ 12.345678] " at the start, or 0. */
static size_t printk_stamp_len(const char *s)
{
	const char *p = s;

	if (*p++ != '[')
		return 0;
	while (*p == ' ')
		p++;
	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p++ != '.' || !isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p++ != ']')
		return 0;
	return (size_t)(p - s);
}

bool cs_is_kernel_report(const char *line)
{
	size_t i, stamp = printk_stamp_len(line);

	if (!stamp)
		return false;
	for (i = 0; i < sizeof(kernel_report_marks) / sizeof(*kernel_report_marks); i++)
		if (strstr(line + stamp, kernel_report_marks[i]))
			return true;
	return false;
}

/* Does the TAP description carry a SKIP directive? */
static bool tap_skip(const char *desc)
{
	const char *hash = strchr(desc, '#');

	if (!hash)
		return false;
	hash++;
	while (*hash == ' ')
		hash++;
	return strncasecmp(hash, "SKIP", 4) == 0;
}

static void cs_result_line(struct cs_result *r, const char *line, bool ok)
{
	const char *p = line + (ok ? 2 : 6);
	char *end;
	long num;

	if (*p != ' ')
		return;
	errno = 0;
	num = strtol(p, &end, 10);
	if (end == p || errno)
		return;
	if (num != r->last_number + 1)
		r->bad_order = true;
	r->last_number = num;
	if (!ok) {
		r->failed++;
		cs_note(r, "failed", line);
	} else if (tap_skip(end)) {
		r->skipped++;
	} else {
		r->passed++;
	}
}

bool cs_report_line(struct cs_result *r, const char *line)
{
	if (!cs_is_kernel_report(line))
		return false;
	r->kernel_reports++;
	cs_note(r, "kernel", line);
	return true;
}

void cs_line(struct cs_result *r, const char *line)
{
	if (cs_report_line(r, line))
		return;
	/* Only top-level TAP counts: nested output is indented or "# ". */
	if (strncmp(line, "ok ", 3) == 0)
		cs_result_line(r, line, true);
	else if (strncmp(line, "not ok ", 7) == 0)
		cs_result_line(r, line, false);
	else if (strncmp(line, "1..", 3) == 0 && r->plan < 0)
		r->plan = strtol(line + 3, NULL, 10);
}

bool cs_ok(const struct cs_result *r)
{
	return r->plan >= 0 && r->last_number == r->plan && !r->bad_order &&
	       r->failed == 0 && r->kernel_reports == 0;
}

#ifndef CONSOLE_SCAN_NO_MAIN
int main(int argc, char **argv)
{
	const char *label = "vm-test", *tap = NULL;
	struct cs_result r;
	long run_failed;
	char line[4096];
	size_t i;
	FILE *f;

	while (argc >= 4 && (strcmp(argv[1], "--label") == 0 ||
			     strcmp(argv[1], "--tap") == 0)) {
		if (argv[1][2] == 'l')
			label = argv[2];
		else
			tap = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: console-scan [--label NAME] [--tap TAP-FILE] CONSOLE-LOG\n");
		return 2;
	}
	cs_init(&r);
	/*
	 * With --tap, the results come from the file the guest wrote, and
	 * the console is read for kernel reports only.
	 */
	if (tap) {
		f = fopen(tap, "r");
		if (!f) {
			fprintf(stderr, "console-scan: %s: %s\n", tap, strerror(errno));
			return 2;
		}
		while (fgets(line, sizeof(line), f))
			cs_line(&r, line);
		fclose(f);
	}
	f = fopen(argv[1], "r");
	if (!f) {
		fprintf(stderr, "console-scan: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		if (tap)
			cs_report_line(&r, line);
		else
			cs_line(&r, line);
	}
	fclose(f);

	for (i = 0; i < r.nnotes; i++)
		printf("%s: %s\n", label, r.notes[i]);
	if (r.plan < 0)
		printf("%s: no TAP plan %s\n", label, tap ? "in the results file" : "on the console");
	else if (r.last_number != r.plan || r.bad_order)
		printf("%s: TAP plan 1..%ld but results ran to %ld%s\n", label,
		       r.plan, r.last_number, r.bad_order ? ", out of order" : "");
	if (r.kernel_reports)
		printf("%s: %ld kernel report line(s)\n", label, r.kernel_reports);
	/* A run that broke off or made the kernel complain counts as one
	 * failure of its own, beside the failed tests. */
	run_failed = (r.plan < 0 || r.last_number != r.plan || r.bad_order ||
		      r.kernel_reports) ? 1 : 0;
	printf("%s: %ld passed, %ld failed, %ld skipped\n", label,
	       r.passed, r.failed + run_failed, r.skipped);
	return cs_ok(&r) ? 0 : 1;
}
#endif
