// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the generic KTLS vDSO accessors (lib/vdso_ktls/ktls.c),
 * compiled unchanged against the mock hooks in mock/asm/vdso/ktls.h.
 *
 * Every u32 accessor (gettid, getpid, getuid, geteuid, getgid, getegid) runs
 * the same list of cases; __cvdso_ktls_errno_location() has its own.  The
 * area's fields and the mocked system calls hold values that differ from
 * each other, from the memory around the area (KTLS_FILL) and from the
 * mock's fault poison, so a read of the wrong field, at the wrong offset,
 * after a fault, or a wrong system call, gives a wrong value.
 *
 * Build: see Makefile (make test).  KTLS_GENERIC_C names the file under
 * test; the Makefile's mutants target points it at broken copies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <asm/vdso/ktls.h>

#ifndef KTLS_GENERIC_C
#define KTLS_GENERIC_C "../../lib/vdso_ktls/ktls.c"
#endif
#include KTLS_GENERIC_C

struct ktls_mock ktls_mock;

/* A thread pointer as glibc would have it: user half, 64-byte aligned. */
#define TP		0x00007f5a3c001040UL
/* Another thread's thread pointer in the same process. */
#define OTHER_TP	(TP + 0x201000UL)
/* The byte pattern of the window outside any area. */
#define KTLS_FILL	0xa5
#define FILL32		0xa5a5a5a5U

/* Field values of a valid area: distinct, none equal to FILL32 or poison. */
#define V_TID		0x11110001U
#define V_PID		0x22220002U
#define V_UID		0x33330003U
#define V_EUID		0x44440004U
#define V_GID		0x55550005U
#define V_EGID		0x66660006U
#define V_ERRNO		0x77770007
#define V_RESERVED	0x88880008U

/* What the mocked system call @nr returns: differs from every field. */
#define SYSRET(nr)	(0xc0de0000L + (nr))

#define ERRNO_OFF	offsetof(struct ktls_area, errno_value)

struct accessor {
	const char *name;
	__u32 (*call)(void);
	size_t field;
	__u32 value;
	long nr;
};

static __u32 call_gettid(void)	{ return (__u32)__cvdso_ktls_gettid(); }
static __u32 call_getpid(void)	{ return (__u32)__cvdso_ktls_getpid(); }
static __u32 call_getuid(void)	{ return __cvdso_ktls_getuid(); }
static __u32 call_geteuid(void)	{ return __cvdso_ktls_geteuid(); }
static __u32 call_getgid(void)	{ return __cvdso_ktls_getgid(); }
static __u32 call_getegid(void)	{ return __cvdso_ktls_getegid(); }

#define ACCESSOR(fn, f, v, n) \
	static const struct accessor acc_##fn = { \
		#fn, call_##fn, offsetof(struct ktls_area, f), v, n \
	}

ACCESSOR(gettid, tid, V_TID, __NR_gettid);
ACCESSOR(getpid, pid, V_PID, __NR_getpid);
ACCESSOR(getuid, uid, V_UID, __NR_getuid);
ACCESSOR(geteuid, euid, V_EUID, __NR_geteuid);
ACCESSOR(getgid, gid, V_GID, __NR_getgid);
ACCESSOR(getegid, egid, V_EGID, __NR_getegid);

/* ---- arranging the mock ---- */

static struct ktls_area *area_at(unsigned long addr)
{
	struct ktls_area *a = ktls_mock_addr(addr, sizeof(*a));

	assert_non_null(a);
	return a;
}

/* A fully valid-looking area at simulated address @addr, tp word @owner. */
static void write_area(unsigned long addr, __u64 owner)
{
	struct ktls_area *a = area_at(addr);
	unsigned int i;

	a->tp = owner;
	a->tid = V_TID;
	a->pid = V_PID;
	a->uid = V_UID;
	a->euid = V_EUID;
	a->gid = V_GID;
	a->egid = V_EGID;
	a->errno_value = V_ERRNO;
	for (i = 0; i < 7; i++)
		a->reserved[i] = V_RESERVED;
}

/* Center the memory window on simulated address @addr. */
static void window_around(unsigned long addr)
{
	ktls_mock.win = addr - KTLS_MOCK_WIN_SIZE / 2;
}

/*
 * The normal valid state: thread pointer @tp (also the load base), offset
 * @offset registered, no sharers, an area at @tp + @offset owned by @tp.
 */
static void arrange_valid_at(unsigned long tp, long offset)
{
	ktls_mock.vd.offset = offset;
	ktls_mock.vd.tp_sharers = 0;
	ktls_mock.tp = tp;
	ktls_mock.base = tp;
	window_around(tp + offset);
	write_area(tp + offset, tp);
}

static void arrange_valid(long offset)
{
	arrange_valid_at(TP, offset);
}

static void set_owner(__u64 owner)
{
	area_at(ktls_mock.base + ktls_mock.vd.offset)->tp = owner;
}

static int setup(void **state)
{
	static const long nrs[] = {
		__NR_gettid, __NR_getpid, __NR_getuid,
		__NR_geteuid, __NR_getgid, __NR_getegid,
	};
	unsigned int i;

	(void)state;
	memset(&ktls_mock, 0, sizeof(ktls_mock));
	memset(ktls_mock.mem, KTLS_FILL, sizeof(ktls_mock.mem));
	for (i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++)
		ktls_mock.sys_ret[nrs[i]] = SYSRET(nrs[i]);
	return 0;
}

/* ---- expected outcomes ---- */

static const struct accessor *acc_of(void **state)
{
	return *state;
}

/* The field's value, read with the tp word check first, no system call. */
static void expect_field(const struct accessor *acc, __u32 got)
{
	long off = ktls_mock.vd.offset;

	assert_int_equal(got, acc->value);
	assert_int_equal(ktls_mock.nr_syscalls, 0);
	assert_int_equal(ktls_mock.nr_loads, 2);
	assert_int_equal(ktls_mock.loads[0].off, off);
	assert_int_equal(ktls_mock.loads[0].size, 8);
	assert_true(ktls_mock.loads[0].ok);
	assert_int_equal(ktls_mock.loads[1].off, off + (long)acc->field);
	assert_int_equal(ktls_mock.loads[1].size, 4);
	assert_true(ktls_mock.loads[1].ok);
}

/* Exactly one system call, the accessor's, and its result returned. */
static void expect_syscall(const struct accessor *acc, __u32 got)
{
	assert_int_equal(ktls_mock.nr_syscalls, 1);
	assert_int_equal(ktls_mock.sys_nr[0], acc->nr);
	assert_int_equal(got, (__u32)SYSRET(acc->nr));
}

/* ---- u32 accessors: valid areas ---- */

/*
 * Input: offset -64 (area just below the TCB, as in glibc's static TLS),
 * area owned by the thread pointer.
 * Expected: the field's value, loads of the tp word then the field, no
 * system call.
 */
static void test_valid_neg_offset(void **state)
{
	arrange_valid(-64);
	expect_field(acc_of(state), acc_of(state)->call());
}

/*
 * Input: offset +192 (area above the thread pointer, inside the TCB).
 * Expected: the field's value, no system call.
 */
static void test_valid_pos_offset(void **state)
{
	arrange_valid(192);
	expect_field(acc_of(state), acc_of(state)->call());
}

/*
 * Input: offset -KTLS_OFFSET_MAX, the most negative registrable one.
 * Expected: the field's value, no system call.
 */
static void test_valid_min_offset(void **state)
{
	arrange_valid(-KTLS_OFFSET_MAX);
	expect_field(acc_of(state), acc_of(state)->call());
}

/*
 * Input: offset +KTLS_OFFSET_MAX, the largest registrable one.
 * Expected: the field's value, no system call.
 */
static void test_valid_max_offset(void **state)
{
	arrange_valid(KTLS_OFFSET_MAX);
	expect_field(acc_of(state), acc_of(state)->call());
}

/*
 * Input: valid area, but the thread pointer has bits above 32 that a
 * truncating comparison or address computation would lose
 * (0xffff8000 0000 1040 - a pointer with the top bit set, offset -64).
 * Expected: the field's value, no system call.
 */
static void test_valid_high_tp(void **state)
{
	arrange_valid_at(0xffff800000001040UL, -64);
	expect_field(acc_of(state), acc_of(state)->call());
}

/* ---- u32 accessors: no valid area ---- */

/*
 * Input: no offset registered (vvar offset 0), although an area that
 * looks valid sits at the thread pointer itself (tp + 0).
 * Expected: one system call, its result; the area is never loaded.
 */
static void test_no_offset(void **state)
{
	arrange_valid(0);
	expect_syscall(acc_of(state), acc_of(state)->call());
	assert_int_equal(ktls_mock.nr_loads, 0);
}

/*
 * Input: valid area, tp_sharers 1 (a vfork() child shares the TCB).
 * Expected: one system call, its result; the area is never loaded.
 */
static void test_tp_sharers(void **state)
{
	arrange_valid(-64);
	ktls_mock.vd.tp_sharers = 1;
	expect_syscall(acc_of(state), acc_of(state)->call());
	assert_int_equal(ktls_mock.nr_loads, 0);
}

/*
 * Input: valid area, tp_sharers 0x10000 (zero in its low 16 bits, so a
 * narrowed test would miss it).
 * Expected: one system call, its result.
 */
static void test_tp_sharers_high(void **state)
{
	arrange_valid(-64);
	ktls_mock.vd.tp_sharers = 0x10000;
	expect_syscall(acc_of(state), acc_of(state)->call());
	assert_int_equal(ktls_mock.nr_loads, 0);
}

/*
 * Input: thread pointer unreadable (hook returns 0), offset +128, and the
 * memory at 0 + 128 holds a cleared area (tp word 0, which equals the
 * "thread pointer" 0) with valid-looking fields.
 * Expected: one system call, its result.
 */
static void test_tp_zero(void **state)
{
	arrange_valid_at(0, 128);
	expect_syscall(acc_of(state), acc_of(state)->call());
}

/*
 * Input: valid area, but the load of the tp word faults (injected on the
 * first load; the mock's poison makes the tp word look right).
 * Expected: one system call, its result; no second load.
 */
static void test_tp_word_fault(void **state)
{
	arrange_valid(-64);
	ktls_mock.fault_on_load = 1;
	expect_syscall(acc_of(state), acc_of(state)->call());
	assert_int_equal(ktls_mock.nr_loads, 1);
}

/*
 * Input: offset -64 registered, but nothing is mapped at tp - 64 (the
 * window lies past it; a thread whose TCB reserves no area).
 * Expected: one system call, its result.
 */
static void test_tp_word_unmapped(void **state)
{
	arrange_valid(-64);
	ktls_mock.win = TP + 4096;
	expect_syscall(acc_of(state), acc_of(state)->call());
}

/*
 * Input: offset registered, memory mapped, the tp word is garbage
 * (0xdeadbeefcafef00d: a TCB that never registered).
 * Expected: one system call, its result.
 */
static void test_tp_word_garbage(void **state)
{
	arrange_valid(-64);
	set_owner(0xdeadbeefcafef00dULL);
	expect_syscall(acc_of(state), acc_of(state)->call());
}

/*
 * Input: the tp word is 0 (area unregistered, or its thread exited).
 * Expected: one system call, its result.
 */
static void test_tp_word_zero(void **state)
{
	arrange_valid(-64);
	set_owner(0);
	expect_syscall(acc_of(state), acc_of(state)->call());
}

/*
 * Input: the tp word is another thread's thread pointer (the area was
 * written for OTHER_TP, e.g. a TCB reused by a new thread).
 * Expected: one system call, its result.
 */
static void test_tp_word_other_thread(void **state)
{
	arrange_valid(-64);
	set_owner(OTHER_TP);
	expect_syscall(acc_of(state), acc_of(state)->call());
}

/*
 * Input: the tp word equals the thread pointer in its low 32 bits only
 * (bit 44 differs).
 * Expected: one system call, its result.
 */
static void test_tp_word_high_bits_differ(void **state)
{
	arrange_valid(-64);
	set_owner(TP ^ (1ULL << 44));
	expect_syscall(acc_of(state), acc_of(state)->call());
}

/*
 * Input: the tp word equals the thread pointer in its high 32 bits only
 * (it names the neighbouring 64-byte TCB: tp + 64).
 * Expected: one system call, its result.
 */
static void test_tp_word_low_bits_differ(void **state)
{
	arrange_valid(-64);
	set_owner(TP + 64);
	expect_syscall(acc_of(state), acc_of(state)->call());
}

/*
 * Input: the tp word is valid, then the load of the field faults
 * (injected on the second load).
 * Expected: one system call, its result (not the poisoned load value).
 */
static void test_field_fault(void **state)
{
	arrange_valid(-64);
	ktls_mock.fault_on_load = 2;
	expect_syscall(acc_of(state), acc_of(state)->call());
	assert_int_equal(ktls_mock.nr_loads, 2);
	assert_true(ktls_mock.loads[0].ok);
	assert_false(ktls_mock.loads[1].ok);
}

/*
 * Input: no valid area (offset 0), and the system call returns a value
 * with the top bit set (0xfffffffe, e.g. a uid of (uid_t)-2).
 * Expected: that value, all 32 bits of it.
 */
static void test_syscall_result_full_width(void **state)
{
	const struct accessor *acc = acc_of(state);

	arrange_valid(0);
	ktls_mock.sys_ret[acc->nr] = 0xfffffffeL;
	assert_int_equal(acc->call(), 0xfffffffeU);
	assert_int_equal(ktls_mock.nr_syscalls, 1);
	assert_int_equal(ktls_mock.sys_nr[0], acc->nr);
}

/* ---- __cvdso_ktls_errno_location() ---- */

/* The pointer must be exactly tp + offset + offsetof(errno_value). */
static void expect_errno_ptr(int *p, unsigned long tp, long offset)
{
	assert_int_equal((unsigned long)p,
			 tp + (unsigned long)offset + ERRNO_OFF);
	assert_int_equal(ktls_mock.nr_syscalls, 0);
	assert_int_equal(ktls_mock.nr_loads, 1);
	assert_int_equal(ktls_mock.loads[0].off, offset);
	assert_int_equal(ktls_mock.loads[0].size, 8);
}

/* NULL, and never a system call. */
static void expect_errno_null(int *p)
{
	assert_null(p);
	assert_int_equal(ktls_mock.nr_syscalls, 0);
}

/*
 * Input: offset -64, area owned by the thread pointer.
 * Expected: tp - 64 + offsetof(errno_value), which is the area's
 * errno_value slot in the window; one load (the tp word), no syscall.
 */
static void test_errno_valid_neg_offset(void **state)
{
	int *p;

	(void)state;
	arrange_valid(-64);
	p = __cvdso_ktls_errno_location();
	expect_errno_ptr(p, TP, -64);
	assert_ptr_equal(ktls_mock_addr((unsigned long)p, sizeof(int)),
			 &area_at(TP - 64)->errno_value);
}

/*
 * Input: offset +192.
 * Expected: tp + 192 + offsetof(errno_value), no system call.
 */
static void test_errno_valid_pos_offset(void **state)
{
	(void)state;
	arrange_valid(192);
	expect_errno_ptr(__cvdso_ktls_errno_location(), TP, 192);
}

/*
 * Input: offset -KTLS_OFFSET_MAX.
 * Expected: tp - KTLS_OFFSET_MAX + offsetof(errno_value), no system call.
 */
static void test_errno_valid_min_offset(void **state)
{
	(void)state;
	arrange_valid(-KTLS_OFFSET_MAX);
	expect_errno_ptr(__cvdso_ktls_errno_location(), TP, -KTLS_OFFSET_MAX);
}

/*
 * Input: offset +KTLS_OFFSET_MAX.
 * Expected: tp + KTLS_OFFSET_MAX + offsetof(errno_value), no system call.
 */
static void test_errno_valid_max_offset(void **state)
{
	(void)state;
	arrange_valid(KTLS_OFFSET_MAX);
	expect_errno_ptr(__cvdso_ktls_errno_location(), TP, KTLS_OFFSET_MAX);
}

/*
 * Input: thread pointer 0xffff800000001040 (bits above 32), offset -64.
 * Expected: exactly that tp - 64 + offsetof(errno_value), all 64 bits.
 */
static void test_errno_valid_high_tp(void **state)
{
	(void)state;
	arrange_valid_at(0xffff800000001040UL, -64);
	expect_errno_ptr(__cvdso_ktls_errno_location(),
			 0xffff800000001040UL, -64);
}

/* Input: no offset (area-like bytes at tp + 0). Expected: NULL, no syscall. */
static void test_errno_no_offset(void **state)
{
	(void)state;
	arrange_valid(0);
	expect_errno_null(__cvdso_ktls_errno_location());
	assert_int_equal(ktls_mock.nr_loads, 0);
}

/* Input: valid area, tp_sharers 1. Expected: NULL, no syscall. */
static void test_errno_tp_sharers(void **state)
{
	(void)state;
	arrange_valid(-64);
	ktls_mock.vd.tp_sharers = 1;
	expect_errno_null(__cvdso_ktls_errno_location());
	assert_int_equal(ktls_mock.nr_loads, 0);
}

/* Input: valid area, tp_sharers 0x10000. Expected: NULL, no syscall. */
static void test_errno_tp_sharers_high(void **state)
{
	(void)state;
	arrange_valid(-64);
	ktls_mock.vd.tp_sharers = 0x10000;
	expect_errno_null(__cvdso_ktls_errno_location());
}

/*
 * Input: thread pointer unreadable (0), cleared area (tp word 0) at
 * 0 + 128.  Expected: NULL, no syscall.
 */
static void test_errno_tp_zero(void **state)
{
	(void)state;
	arrange_valid_at(0, 128);
	expect_errno_null(__cvdso_ktls_errno_location());
}

/*
 * Input: valid area, the tp word load faults (poisoned to look right).
 * Expected: NULL, no syscall.
 */
static void test_errno_tp_word_fault(void **state)
{
	(void)state;
	arrange_valid(-64);
	ktls_mock.fault_on_load = 1;
	expect_errno_null(__cvdso_ktls_errno_location());
}

/* Input: nothing mapped at tp - 64. Expected: NULL, no syscall. */
static void test_errno_tp_word_unmapped(void **state)
{
	(void)state;
	arrange_valid(-64);
	ktls_mock.win = TP + 4096;
	expect_errno_null(__cvdso_ktls_errno_location());
}

/* Input: tp word garbage. Expected: NULL, no syscall. */
static void test_errno_tp_word_garbage(void **state)
{
	(void)state;
	arrange_valid(-64);
	set_owner(0xdeadbeefcafef00dULL);
	expect_errno_null(__cvdso_ktls_errno_location());
}

/* Input: tp word 0 (unregistered/exited). Expected: NULL, no syscall. */
static void test_errno_tp_word_zero(void **state)
{
	(void)state;
	arrange_valid(-64);
	set_owner(0);
	expect_errno_null(__cvdso_ktls_errno_location());
}

/* Input: tp word is another thread's tp. Expected: NULL, no syscall. */
static void test_errno_tp_word_other_thread(void **state)
{
	(void)state;
	arrange_valid(-64);
	set_owner(OTHER_TP);
	expect_errno_null(__cvdso_ktls_errno_location());
}

/* Input: tp word differs in bit 44 only. Expected: NULL, no syscall. */
static void test_errno_tp_word_high_bits_differ(void **state)
{
	(void)state;
	arrange_valid(-64);
	set_owner(TP ^ (1ULL << 44));
	expect_errno_null(__cvdso_ktls_errno_location());
}

/* Input: tp word is tp + 64. Expected: NULL, no syscall. */
static void test_errno_tp_word_low_bits_differ(void **state)
{
	(void)state;
	arrange_valid(-64);
	set_owner(TP + 64);
	expect_errno_null(__cvdso_ktls_errno_location());
}

/* ---- the mock itself ---- */

/*
 * Input: a valid area read directly through the mock's hooks.
 * Expected: loads inside the window succeed, a load straddling its end,
 * one past it, or one wrapping below it fails; the Nth-load fault fires
 * only on the Nth load; the syscall mock logs numbers and returns the
 * configured value.  (Guards the mock, so the tests above are not
 * vacuous.)
 */
static void test_mock_sanity(void **state)
{
	__u64 v64;
	__u32 v32;

	(void)state;
	arrange_valid(-64);
	assert_true(__arch_ktls_load_u64(-64, &v64));
	assert_int_equal(v64, TP);
	assert_true(__arch_ktls_load_u32(-64 + 8, &v32));
	assert_int_equal(v32, V_TID);
	ktls_mock.win = TP - 64 - KTLS_MOCK_WIN_SIZE + 4;
	assert_false(__arch_ktls_load_u64(-64, &v64));
	assert_int_equal(v64, TP);
	ktls_mock.win = TP - 64 + 1;
	assert_false(__arch_ktls_load_u32(-64, &v32));
	assert_int_equal(v32, KTLS_MOCK_POISON32);
	arrange_valid(-64);
	ktls_mock.nr_loads = 0;
	ktls_mock.fault_on_load = 2;
	assert_true(__arch_ktls_load_u32(-64 + 8, &v32));
	assert_false(__arch_ktls_load_u32(-64 + 8, &v32));
	assert_true(__arch_ktls_load_u32(-64 + 8, &v32));
	assert_int_equal(__arch_ktls_syscall0(__NR_getuid), SYSRET(__NR_getuid));
	assert_int_equal(ktls_mock.nr_syscalls, 1);
	assert_int_equal(ktls_mock.sys_nr[0], __NR_getuid);
}

#define T(name, fn, acc) { name, fn, setup, NULL, (void *)(acc) }

#define U32_TESTS(fn) \
	T(#fn ": valid, offset -64 -> field", test_valid_neg_offset, &acc_##fn), \
	T(#fn ": valid, offset +192 -> field", test_valid_pos_offset, &acc_##fn), \
	T(#fn ": valid, offset -KTLS_OFFSET_MAX -> field", test_valid_min_offset, &acc_##fn), \
	T(#fn ": valid, offset +KTLS_OFFSET_MAX -> field", test_valid_max_offset, &acc_##fn), \
	T(#fn ": valid, tp above 32 bits -> field", test_valid_high_tp, &acc_##fn), \
	T(#fn ": no offset -> syscall", test_no_offset, &acc_##fn), \
	T(#fn ": tp_sharers 1 -> syscall", test_tp_sharers, &acc_##fn), \
	T(#fn ": tp_sharers 0x10000 -> syscall", test_tp_sharers_high, &acc_##fn), \
	T(#fn ": thread pointer 0 -> syscall", test_tp_zero, &acc_##fn), \
	T(#fn ": tp word load faults -> syscall", test_tp_word_fault, &acc_##fn), \
	T(#fn ": tp word unmapped -> syscall", test_tp_word_unmapped, &acc_##fn), \
	T(#fn ": tp word garbage -> syscall", test_tp_word_garbage, &acc_##fn), \
	T(#fn ": tp word 0 -> syscall", test_tp_word_zero, &acc_##fn), \
	T(#fn ": tp word other thread -> syscall", test_tp_word_other_thread, &acc_##fn), \
	T(#fn ": tp word high bits differ -> syscall", test_tp_word_high_bits_differ, &acc_##fn), \
	T(#fn ": tp word low bits differ -> syscall", test_tp_word_low_bits_differ, &acc_##fn), \
	T(#fn ": field load faults -> syscall", test_field_fault, &acc_##fn), \
	T(#fn ": syscall result 0xfffffffe kept", test_syscall_result_full_width, &acc_##fn)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T("mock: window, fault injection, syscall log", test_mock_sanity, NULL),
		U32_TESTS(gettid),
		U32_TESTS(getpid),
		U32_TESTS(getuid),
		U32_TESTS(geteuid),
		U32_TESTS(getgid),
		U32_TESTS(getegid),
		T("errno_location: valid, offset -64 -> tp-64+32", test_errno_valid_neg_offset, NULL),
		T("errno_location: valid, offset +192 -> tp+192+32", test_errno_valid_pos_offset, NULL),
		T("errno_location: valid, offset -KTLS_OFFSET_MAX", test_errno_valid_min_offset, NULL),
		T("errno_location: valid, offset +KTLS_OFFSET_MAX", test_errno_valid_max_offset, NULL),
		T("errno_location: valid, tp above 32 bits", test_errno_valid_high_tp, NULL),
		T("errno_location: no offset -> NULL", test_errno_no_offset, NULL),
		T("errno_location: tp_sharers 1 -> NULL", test_errno_tp_sharers, NULL),
		T("errno_location: tp_sharers 0x10000 -> NULL", test_errno_tp_sharers_high, NULL),
		T("errno_location: thread pointer 0 -> NULL", test_errno_tp_zero, NULL),
		T("errno_location: tp word load faults -> NULL", test_errno_tp_word_fault, NULL),
		T("errno_location: tp word unmapped -> NULL", test_errno_tp_word_unmapped, NULL),
		T("errno_location: tp word garbage -> NULL", test_errno_tp_word_garbage, NULL),
		T("errno_location: tp word 0 -> NULL", test_errno_tp_word_zero, NULL),
		T("errno_location: tp word other thread -> NULL", test_errno_tp_word_other_thread, NULL),
		T("errno_location: tp word high bits differ -> NULL", test_errno_tp_word_high_bits_differ, NULL),
		T("errno_location: tp word low bits differ -> NULL", test_errno_tp_word_low_bits_differ, NULL),
	};

	return cmocka_run_group_tests_name("ktls generic vDSO accessors",
					   tests, NULL, NULL);
}
