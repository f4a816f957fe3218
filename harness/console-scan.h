/* SPDX-License-Identifier: GPL-2.0 */
/*
 * console-scan: read the serial console of a test VM and decide whether
 * the run passed: the guest's top-level TAP results, and any kernel
 * report (panic, oops, BUG, WARNING, sanitizer or lockdep splat).  With
 * --tap FILE the TAP results are read from FILE, the copy the guest wrote
 * to its results share, and the console only for kernel reports.
 */
#ifndef KTLS_CONSOLE_SCAN_H
#define KTLS_CONSOLE_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#define CS_MAX_NOTES	16
#define CS_NOTE_LEN	160

struct cs_result {
	long plan;		/* N from "1..N"; -1 when no plan was seen */
	long passed;
	long failed;
	long skipped;
	long last_number;	/* highest test number seen */
	long kernel_reports;	/* kernel lines that report a bug */
	bool bad_order;		/* a test number out of sequence */
	size_t nnotes;
	char notes[CS_MAX_NOTES][CS_NOTE_LEN];	/* failed tests, reports */
};

void cs_init(struct cs_result *r);
/* Feed one console line (with or without its "\r\n"). */
void cs_line(struct cs_result *r, const char *line);
/* Feed one line for kernel reports only; true when it is one. */
bool cs_report_line(struct cs_result *r, const char *line);
/* True when the run is a pass: plan met, no failure, no kernel report. */
bool cs_ok(const struct cs_result *r);
/* Is this console line a kernel report?  (Exposed for the tests.) */
bool cs_is_kernel_report(const char *line);

#endif
