// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of harness/console-scan.c: what the harness concludes from a
 * VM's serial console.  Each test feeds console lines as QEMU delivers
 * them and checks the counts and the verdict.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#define CONSOLE_SCAN_NO_MAIN
#include "console-scan.c"

static void feed(struct cs_result *r, const char *const *lines)
{
	cs_init(r);
	for (; *lines; lines++)
		cs_line(r, *lines);
}

/* Input: a clean run with a pass, a skip and nested output.  Outcome: ok. */
static void test_all_pass(void **state)
{
	static const char *const log[] = {
		"[    0.000000] Linux version 6.1.192 ...\r\n",
		"TAP version 13\n", "1..2\n", "# vdso_test_abi\n",
		"# ok 1 nested results are not counted\n",
		"# not ok 2 nested failure is the program's business\n",
		"ok 1 vdso_test_abi\n", "ok 2 ktls_ns # SKIP no user ns\n", NULL,
	};
	struct cs_result r;

	(void)state;
	feed(&r, log);
	assert_int_equal(r.plan, 2);
	assert_int_equal(r.passed, 1);
	assert_int_equal(r.skipped, 1);
	assert_int_equal(r.failed, 0);
	assert_true(cs_ok(&r));
}

/* Input: one "not ok".  Outcome: failed=1, not ok, the test named in a note. */
static void test_failure(void **state)
{
	static const char *const log[] = {
		"1..2\n", "ok 1 a\n", "not ok 2 b # exit=1\r\n", NULL,
	};
	struct cs_result r;

	(void)state;
	feed(&r, log);
	assert_int_equal(r.failed, 1);
	assert_false(cs_ok(&r));
	assert_int_equal(r.nnotes, 1);
	assert_non_null(strstr(r.notes[0], "not ok 2 b # exit=1"));
	assert_null(strchr(r.notes[0], '\r'));
}

/* Input: all tests pass but the kernel printed a WARNING.  Outcome: not ok. */
static void test_kernel_warning(void **state)
{
	static const char *const log[] = {
		"1..1\n",
		"[   12.345678] WARNING: CPU: 0 PID: 1 at kernel/ktls.c:10 f+0x1/0x2\n",
		"ok 1 a\n", NULL,
	};
	struct cs_result r;

	(void)state;
	feed(&r, log);
	assert_int_equal(r.kernel_reports, 1);
	assert_false(cs_ok(&r));
}

/* Input: a panic before any result.  Outcome: not ok (plan not met). */
static void test_panic_breaks_off(void **state)
{
	static const char *const log[] = {
		"TAP version 13\n", "1..3\n", "ok 1 a\n",
		"[    3.000000] Kernel panic - not syncing: Attempted to kill init!\n",
		NULL,
	};
	struct cs_result r;

	(void)state;
	feed(&r, log);
	assert_int_equal(r.kernel_reports, 1);
	assert_int_equal(r.last_number, 1);
	assert_false(cs_ok(&r));
}

/* Input: results stop short of the plan, no kernel report.  Outcome: not ok. */
static void test_short_run(void **state)
{
	static const char *const log[] = { "1..3\n", "ok 1 a\n", "ok 2 b\n", NULL };
	struct cs_result r;

	(void)state;
	feed(&r, log);
	assert_int_equal(r.passed, 2);
	assert_false(cs_ok(&r));
}

/* Input: no plan at all (the guest never ran).  Outcome: not ok. */
static void test_no_plan(void **state)
{
	static const char *const log[] = { "[    0.1] early boot\n", NULL };
	struct cs_result r;

	(void)state;
	feed(&r, log);
	assert_int_equal(r.plan, -1);
	assert_false(cs_ok(&r));
}

/* Input: numbers out of sequence.  Outcome: not ok. */
static void test_out_of_order(void **state)
{
	static const char *const log[] = { "1..2\n", "ok 2 b\n", "ok 1 a\n", NULL };
	struct cs_result r;

	(void)state;
	feed(&r, log);
	assert_true(r.bad_order);
	assert_false(cs_ok(&r));
}

/*
 * Only lines with a printk time stamp are kernel reports: a test that
 * prints "BUG:" or "WARNING:" itself (indented by the runner) is not one.
 */
static void test_report_needs_stamp(void **state)
{
	(void)state;
	assert_true(cs_is_kernel_report("[    1.000000] BUG: kernel NULL pointer dereference\n"));
	assert_true(cs_is_kernel_report("[ 1234.5] Oops: 0002 [#1] SMP\n"));
	assert_true(cs_is_kernel_report("[    2.000000] ==================================================================\n") == false);
	assert_true(cs_is_kernel_report("[    2.000000] BUG: KASAN: slab-out-of-bounds in f\n"));
	assert_false(cs_is_kernel_report("# BUG: printed by a test\n"));
	assert_false(cs_is_kernel_report("WARNING: without a stamp\n"));
	assert_false(cs_is_kernel_report("[abc] BUG: not a stamp\n"));
	assert_false(cs_is_kernel_report("[    1.000000] ktls: all fine\n"));
}

/* Input: "ok" lines without a number or with junk.  Outcome: not counted. */
static void test_malformed_results_ignored(void **state)
{
	static const char *const log[] = {
		"1..1\n", "ok\n", "okay 1 x\n", "not ok x\n", "ok 1 a\n", NULL,
	};
	struct cs_result r;

	(void)state;
	feed(&r, log);
	assert_int_equal(r.passed, 1);
	assert_int_equal(r.failed, 0);
	assert_true(cs_ok(&r));
}

/* Input: more notes than fit.  Outcome: the first CS_MAX_NOTES kept, no overflow. */
static void test_notes_bounded(void **state)
{
	char line[64];
	struct cs_result r;
	int i;

	(void)state;
	cs_init(&r);
	cs_line(&r, "1..40\n");
	for (i = 1; i <= 40; i++) {
		snprintf(line, sizeof(line), "not ok %d t%d\n", i, i);
		cs_line(&r, line);
	}
	assert_int_equal(r.failed, 40);
	assert_int_equal(r.nnotes, CS_MAX_NOTES);
	assert_non_null(strstr(r.notes[0], "t1"));
}

/*
 * Input: the results from a file (all pass) and a console whose own TAP
 * lines would fail and which holds one kernel WARNING, fed with
 * cs_report_line() as console-scan --tap does.  Outcome: the console's
 * TAP lines are not counted, the WARNING is, and the run is not ok.
 */
static void test_tap_file_and_console_reports(void **state)
{
	static const char *const tap[] = { "1..1\n", "ok 1 a\n", NULL };
	static const char *const console[] = {
		"not ok 1 a stale console line\n", "1..5\n",
		"[    2.000000] WARNING: CPU: 0 PID: 1 at kernel/ktls.c:1 x+0x1/0x2\n",
		NULL,
	};
	const char *const *l;
	struct cs_result r;

	(void)state;
	feed(&r, tap);
	for (l = console; *l; l++)
		cs_report_line(&r, *l);
	assert_int_equal(r.plan, 1);
	assert_int_equal(r.passed, 1);
	assert_int_equal(r.failed, 0);
	assert_int_equal(r.kernel_reports, 1);
	assert_false(cs_ok(&r));
	assert_false(cs_report_line(&r, "ok 2 not a report\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_pass),
		cmocka_unit_test(test_failure),
		cmocka_unit_test(test_kernel_warning),
		cmocka_unit_test(test_panic_breaks_off),
		cmocka_unit_test(test_short_run),
		cmocka_unit_test(test_no_plan),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_report_needs_stamp),
		cmocka_unit_test(test_malformed_results_ignored),
		cmocka_unit_test(test_notes_bounded),
		cmocka_unit_test(test_tap_file_and_console_reports),
	};

	return cmocka_run_group_tests_name("console-scan", tests, NULL, NULL);
}
