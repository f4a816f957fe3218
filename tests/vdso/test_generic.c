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
 * A valid area's owner word is its thread pointer XORed with the address
 * space's key (vvar data); KEY is this address space's, OTHER_KEY another
 * one's (a fork() child, another process sharing the memory).  Both have
 * bit 63 set and their low 6 bits clear, as the kernel's keys have.
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
/*
 * A user thread pointer with bits above 32 and bit 31 set: a comparison
 * or address truncated to 32 bits, or a sign test of the low 32 bits,
 * gets it wrong.
 */
#define HIGH_TP		0x00007ffe80001040UL
/* The largest 64-byte aligned thread pointer that is positive as a long. */
#define MAX_TP		0x7fffffffffffffc0UL
/* Negative as a long: a kernel-half address, and bit 63 alone. */
#define NEG_TP		0xffff800000001040UL
#define MIN_NEG_TP	0x8000000000000040UL
/* This address space's key, and another address space's. */
#define KEY		0xd1b54a32d192ed00ULL
#define OTHER_KEY	0x9e3779b97f4a7c40ULL
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

/* A fully valid-looking area at simulated address @addr, owner word @owner. */
static void write_area(unsigned long addr, __u64 owner)
{
	struct ktls_area *a = area_at(addr);
	unsigned int i;

	a->owner = owner;
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
 * @offset and key KEY registered, an area at @tp + @offset whose owner word
 * is @tp ^ KEY.
 */
static void arrange_valid_at(unsigned long tp, long offset)
{
	ktls_mock.vd.offset = offset;
	ktls_mock.vd.key = KEY;
	ktls_mock.tp = tp;
	ktls_mock.base = tp;
	window_around(tp + offset);
	write_area(tp + offset, tp ^ KEY);
}

static void arrange_valid(long offset)
{
	arrange_valid_at(TP, offset);
}

static void set_owner(__u64 owner)
{
	area_at(ktls_mock.base + ktls_mock.vd.offset)->owner = owner;
}

/*
 * Thread pointer KEY (negative as a long), offset -64, and the area there
 * all zero: owner word 0, which is KEY ^ KEY, so (owner ^ key) == tp holds.
 * Only the sign test of the thread pointer rejects it.
 */
static void arrange_zeroed_area_tp_key(void)
{
	arrange_valid_at((unsigned long)KEY, -64);
	memset(area_at((unsigned long)KEY - 64), 0, sizeof(struct ktls_area));
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

/* The field's value, read with the owner word check first, no system call. */
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
 * owner word tp ^ key.
 * Expected: the field's value, loads of the owner word then the field, no
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
 * Input: valid area, thread pointer HIGH_TP (0x00007ffe80001040: bits
 * above 32 that a truncating comparison would lose, and bit 31 set, so
 * its low 32 bits are negative as an int), offset -64.
 * Expected: the field's value, no system call.
 */
static void test_valid_high_tp(void **state)
{
	arrange_valid_at(HIGH_TP, -64);
	expect_field(acc_of(state), acc_of(state)->call());
}

/*
 * Input: valid area, thread pointer MAX_TP (0x7fffffffffffffc0, the
 * largest aligned value that is positive as a long), offset -64.
 * Expected: the field's value, no system call (only 0 and negative
 * thread pointers are rejected).
 */
static void test_valid_max_tp(void **state)
{
	arrange_valid_at(MAX_TP, -64);
	expect_field(acc_of(state), acc_of(state)->call());
}

/*
 * Input: another address space, with key OTHER_KEY in its vvar data and
 * owner word tp ^ OTHER_KEY (its own area).
 * Expected: the field's value, no system call: the key is the one read
 * from the vvar data.
 */
static void test_valid_other_key(void **state)
{
	arrange_valid(-64);
	ktls_mock.vd.key = OTHER_KEY;
	set_owner(TP ^ OTHER_KEY);
	expect_field(acc_of(state), acc_of(state)->call());
}

/* ---- u32 accessors: no valid area ---- */

/*
 * Input: no offset registered (vvar offset 0), although an area that
 * looks valid (owner tp ^ key) sits at the thread pointer itself (tp + 0).
 * Expected: one system call, its result; the area is never loaded.
 */
static void test_no_offset(void **state)
{
	arrange_valid(0);
	expect_syscall(acc_of(state), acc_of(state)->call());
	assert_int_equal(ktls_mock.nr_loads, 0);
}

/*
 * Input: thread pointer unreadable (hook returns 0), offset +128, and the
 * memory at 0 + 128 holds a valid-looking area for thread pointer 0
 * (owner word 0 ^ key).
 * Expected: one system call, its result; the area is never loaded.
 */
static void test_tp_zero(void **state)
{
	arrange_valid_at(0, 128);
	expect_syscall(acc_of(state), acc_of(state)->call());
	assert_int_equal(ktls_mock.nr_loads, 0);
}

/*
 * Input: thread pointer NEG_TP (0xffff800000001040: negative as a long,
 * its low 32 bits positive), offset -64, and a valid-looking area for it
 * there (owner word NEG_TP ^ key).
 * Expected: one system call, its result; the area is never loaded.
 */
static void test_tp_negative(void **state)
{
	arrange_valid_at(NEG_TP, -64);
	expect_syscall(acc_of(state), acc_of(state)->call());
	assert_int_equal(ktls_mock.nr_loads, 0);
}

/*
 * Input: thread pointer MIN_NEG_TP (0x8000000000000040: bit 63 the only
 * high bit), offset -64, valid-looking area for it (owner MIN_NEG_TP ^ key).
 * Expected: one system call, its result; the area is never loaded.
 */
static void test_tp_min_negative(void **state)
{
	arrange_valid_at(MIN_NEG_TP, -64);
	expect_syscall(acc_of(state), acc_of(state)->call());
	assert_int_equal(ktls_mock.nr_loads, 0);
}

/*
 * Input: thread pointer equal to the key (a key-like, negative value),
 * offset -64, and the area there entirely zero: its owner word 0 equals
 * tp ^ key.
 * Expected: one system call, its result (not the zeroed field); the area
 * is never loaded.
 */
static void test_zeroed_area_tp_key(void **state)
{
	arrange_zeroed_area_tp_key();
	expect_syscall(acc_of(state), acc_of(state)->call());
	assert_int_equal(ktls_mock.nr_loads, 0);
}

/*
 * Input: valid area, but the load of the owner word faults (injected on
 * the first load; the mock's poison is tp ^ key, a matching owner word).
 * Expected: one system call, its result; no second load.
 */
static void test_owner_fault(void **state)
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
static void test_owner_unmapped(void **state)
{
	arrange_valid(-64);
	ktls_mock.win = TP + 4096;
	expect_syscall(acc_of(state), acc_of(state)->call());
}

/*
 * Input: the owner word is the thread pointer itself, not XORed with the
 * key (key != 0): an area written by anything but this address space's
 * kernel state.
 * Expected: one system call, its result.
 */
static void test_owner_is_tp(void **state)
{
	arrange_valid(-64);
	set_owner(TP);
	expect_syscall(acc_of(state), acc_of(state)->call());
}

/*
 * Input: the owner word is tp ^ OTHER_KEY: the area was valid in another
 * address space (a fork() copy, or memory shared with another process).
 * Expected: one system call, its result.
 */
static void test_owner_other_key(void **state)
{
	arrange_valid(-64);
	set_owner(TP ^ OTHER_KEY);
	expect_syscall(acc_of(state), acc_of(state)->call());
}

/*
 * Input: offset registered, memory mapped, the owner word is garbage
 * (0xdeadbeefcafef00d: a TCB that never registered).
 * Expected: one system call, its result.
 */
static void test_owner_garbage(void **state)
{
	arrange_valid(-64);
	set_owner(0xdeadbeefcafef00dULL);
	expect_syscall(acc_of(state), acc_of(state)->call());
}

/*
 * Input: the owner word is 0 (area unregistered or invalidated).
 * Expected: one system call, its result.
 */
static void test_owner_zero(void **state)
{
	arrange_valid(-64);
	set_owner(0);
	expect_syscall(acc_of(state), acc_of(state)->call());
}

/*
 * Input: the owner word is another thread's (OTHER_TP ^ key: the area was
 * written for OTHER_TP, e.g. a TCB reused by a new thread).
 * Expected: one system call, its result.
 */
static void test_owner_other_thread(void **state)
{
	arrange_valid(-64);
	set_owner(OTHER_TP ^ KEY);
	expect_syscall(acc_of(state), acc_of(state)->call());
}

/*
 * Input: the owner word matches tp ^ key in its low 32 bits only (bit 44
 * differs).
 * Expected: one system call, its result.
 */
static void test_owner_high_bits_differ(void **state)
{
	arrange_valid(-64);
	set_owner((TP ^ (1ULL << 44)) ^ KEY);
	expect_syscall(acc_of(state), acc_of(state)->call());
}

/*
 * Input: the owner word matches tp ^ key in its high 32 bits only (it
 * names the neighbouring 64-byte TCB: (tp + 64) ^ key).
 * Expected: one system call, its result.
 */
static void test_owner_low_bits_differ(void **state)
{
	arrange_valid(-64);
	set_owner((TP + 64) ^ KEY);
	expect_syscall(acc_of(state), acc_of(state)->call());
}

/*
 * Input: the owner word is valid, then the load of the field faults
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

/*
 * The pointer must be exactly tp + offset + offsetof(errno_value), found
 * with one successful probe load at the slot itself (the owner word is
 * not read) and no system call.
 */
static void expect_errno_ptr(int *p, unsigned long tp, long offset)
{
	assert_int_equal((unsigned long)p,
			 tp + (unsigned long)offset + ERRNO_OFF);
	assert_int_equal(ktls_mock.nr_syscalls, 0);
	assert_int_equal(ktls_mock.nr_loads, 1);
	assert_int_equal(ktls_mock.loads[0].off, offset + (long)ERRNO_OFF);
	assert_true(ktls_mock.loads[0].ok);
}

/* NULL, and never a system call. */
static void expect_errno_null(int *p)
{
	assert_null(p);
	assert_int_equal(ktls_mock.nr_syscalls, 0);
}

/*
 * Input: offset -64, owner word tp ^ key.
 * Expected: tp - 64 + offsetof(errno_value), which is the area's
 * errno_value slot in the window; one load (the slot), no syscall.
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
 * Input: thread pointer HIGH_TP (bits above 32, bit 31 set), offset -64.
 * Expected: exactly HIGH_TP - 64 + offsetof(errno_value), all 64 bits.
 */
static void test_errno_valid_high_tp(void **state)
{
	(void)state;
	arrange_valid_at(HIGH_TP, -64);
	expect_errno_ptr(__cvdso_ktls_errno_location(), HIGH_TP, -64);
}

/*
 * Input: thread pointer MAX_TP (largest positive), offset -64.
 * Expected: MAX_TP - 64 + offsetof(errno_value), no system call.
 */
static void test_errno_valid_max_tp(void **state)
{
	(void)state;
	arrange_valid_at(MAX_TP, -64);
	expect_errno_ptr(__cvdso_ktls_errno_location(), MAX_TP, -64);
}

/*
 * Input: owner word tp without the key (not a valid area), slot mapped.
 * Expected: the slot, tp - 64 + offsetof(errno_value); no system call.
 */
static void test_errno_owner_is_tp(void **state)
{
	(void)state;
	arrange_valid(-64);
	set_owner(TP);
	expect_errno_ptr(__cvdso_ktls_errno_location(), TP, -64);
}

/*
 * Input: owner word tp ^ OTHER_KEY (a fork() copy), slot mapped.
 * Expected: the slot (the child's own errno, as a __thread variable would
 * be); no system call.
 */
static void test_errno_owner_other_key(void **state)
{
	(void)state;
	arrange_valid(-64);
	set_owner(TP ^ OTHER_KEY);
	expect_errno_ptr(__cvdso_ktls_errno_location(), TP, -64);
}

/* Input: owner word 0 (unregistered), slot mapped. Expected: the slot. */
static void test_errno_owner_zero(void **state)
{
	(void)state;
	arrange_valid(-64);
	set_owner(0);
	expect_errno_ptr(__cvdso_ktls_errno_location(), TP, -64);
}

/*
 * Input: owner word garbage (0xdeadbeefcafef00d), slot mapped.
 * Expected: the slot, no system call.
 */
static void test_errno_owner_garbage(void **state)
{
	(void)state;
	arrange_valid(-64);
	set_owner(0xdeadbeefcafef00dULL);
	expect_errno_ptr(__cvdso_ktls_errno_location(), TP, -64);
}

/*
 * Input: owner word OTHER_TP ^ key (another thread's), slot mapped.
 * Expected: the slot, no system call.
 */
static void test_errno_owner_other_thread(void **state)
{
	(void)state;
	arrange_valid(-64);
	set_owner(OTHER_TP ^ KEY);
	expect_errno_ptr(__cvdso_ktls_errno_location(), TP, -64);
}

/*
 * Input: offset -64; the window starts exactly at the errno slot, so the
 * owner word (32 bytes below it) is unmapped and the slot mapped.
 * Expected: the slot, no system call: only the slot is probed.
 */
static void test_errno_owner_unmapped_slot_mapped(void **state)
{
	(void)state;
	arrange_valid(-64);
	ktls_mock.win = TP - 64 + ERRNO_OFF;
	expect_errno_ptr(__cvdso_ktls_errno_location(), TP, -64);
}

/*
 * Input: offset -64; the window ends exactly at the errno slot, so the
 * owner word (valid, tp ^ key) is mapped and the slot is not.
 * Expected: NULL, no system call.
 */
static void test_errno_slot_unmapped_owner_mapped(void **state)
{
	(void)state;
	arrange_valid(-64);
	ktls_mock.win = TP - 64 + ERRNO_OFF - KTLS_MOCK_WIN_SIZE;
	expect_errno_null(__cvdso_ktls_errno_location());
}

/*
 * Input: nothing mapped at tp - 64 (window past the area).
 * Expected: NULL, no syscall.
 */
static void test_errno_unmapped(void **state)
{
	(void)state;
	arrange_valid(-64);
	ktls_mock.win = TP + 4096;
	expect_errno_null(__cvdso_ktls_errno_location());
}

/*
 * Input: valid area, but the probe load of the slot faults (injected on
 * the first load).
 * Expected: NULL, no syscall, one load.
 */
static void test_errno_probe_fault(void **state)
{
	(void)state;
	arrange_valid(-64);
	ktls_mock.fault_on_load = 1;
	expect_errno_null(__cvdso_ktls_errno_location());
	assert_int_equal(ktls_mock.nr_loads, 1);
}

/*
 * Input: no offset (valid-looking area at tp + 0).
 * Expected: NULL, no syscall, no load.
 */
static void test_errno_no_offset(void **state)
{
	(void)state;
	arrange_valid(0);
	expect_errno_null(__cvdso_ktls_errno_location());
	assert_int_equal(ktls_mock.nr_loads, 0);
}

/*
 * Input: thread pointer unreadable (0), offset +128, memory mapped at
 * 0 + 128 (an area with owner word 0 ^ key).
 * Expected: NULL, no syscall, no load.
 */
static void test_errno_tp_zero(void **state)
{
	(void)state;
	arrange_valid_at(0, 128);
	expect_errno_null(__cvdso_ktls_errno_location());
	assert_int_equal(ktls_mock.nr_loads, 0);
}

/*
 * Input: thread pointer NEG_TP (negative as a long), offset -64, slot
 * mapped.
 * Expected: NULL, no syscall, no load.
 */
static void test_errno_tp_negative(void **state)
{
	(void)state;
	arrange_valid_at(NEG_TP, -64);
	expect_errno_null(__cvdso_ktls_errno_location());
	assert_int_equal(ktls_mock.nr_loads, 0);
}

/*
 * Input: thread pointer MIN_NEG_TP (0x8000000000000040), offset -64, slot
 * mapped.
 * Expected: NULL, no syscall, no load.
 */
static void test_errno_tp_min_negative(void **state)
{
	(void)state;
	arrange_valid_at(MIN_NEG_TP, -64);
	expect_errno_null(__cvdso_ktls_errno_location());
	assert_int_equal(ktls_mock.nr_loads, 0);
}

/*
 * Input: thread pointer equal to the key, zeroed area at tp - 64 (mapped).
 * Expected: NULL, no syscall, no load.
 */
static void test_errno_zeroed_area_tp_key(void **state)
{
	(void)state;
	arrange_zeroed_area_tp_key();
	expect_errno_null(__cvdso_ktls_errno_location());
	assert_int_equal(ktls_mock.nr_loads, 0);
}

/* ---- the mock itself ---- */

/*
 * Input: a valid area read directly through the mock's hooks.
 * Expected: loads inside the window succeed, a load straddling its end,
 * one past it, or one wrapping below it fails; a faulting 64-bit load
 * yields the valid owner word tp ^ key as poison; the Nth-load fault
 * fires only on the Nth load; the syscall mock logs numbers and returns
 * the configured value.  (Guards the mock, so the tests above are not
 * vacuous.)
 */
static void test_mock_sanity(void **state)
{
	__u64 v64;
	__u32 v32;

	(void)state;
	arrange_valid(-64);
	assert_true(__arch_ktls_load_u64(-64, &v64));
	assert_int_equal(v64, TP ^ KEY);
	assert_true(__arch_ktls_load_u32(-64 + 8, &v32));
	assert_int_equal(v32, V_TID);
	ktls_mock.win = TP - 64 - KTLS_MOCK_WIN_SIZE + 4;
	assert_false(__arch_ktls_load_u64(-64, &v64));
	assert_int_equal(v64, TP ^ KEY);
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

/*
 * Input: the constants of these tests.
 * Expected: KEY and OTHER_KEY are keys as the kernel makes them (bit 63
 * set, low 6 bits clear, different); the valid thread pointers are
 * positive and the negative ones negative as longs.  (Guards the tests'
 * premises.)
 */
static void test_constants(void **state)
{
	(void)state;
	assert_true(KEY >> 63);
	assert_true(OTHER_KEY >> 63);
	assert_int_equal(KEY & 63, 0);
	assert_int_equal(OTHER_KEY & 63, 0);
	assert_true(KEY != OTHER_KEY);
	assert_true((long)TP > 0 && (long)OTHER_TP > 0);
	assert_true((long)HIGH_TP > 0 && (int)(unsigned int)HIGH_TP < 0);
	assert_true((long)MAX_TP > 0 && (long)(MAX_TP + 64) < 0);
	assert_true((long)NEG_TP < 0 && (int)(unsigned int)NEG_TP > 0);
	assert_true((long)MIN_NEG_TP < 0);
	assert_true((long)KEY < 0);
}

#define T(name, fn, acc) { name, fn, setup, NULL, (void *)(acc) }

#define U32_TESTS(fn) \
	T(#fn ": valid, offset -64 -> field", test_valid_neg_offset, &acc_##fn), \
	T(#fn ": valid, offset +192 -> field", test_valid_pos_offset, &acc_##fn), \
	T(#fn ": valid, offset -KTLS_OFFSET_MAX -> field", test_valid_min_offset, &acc_##fn), \
	T(#fn ": valid, offset +KTLS_OFFSET_MAX -> field", test_valid_max_offset, &acc_##fn), \
	T(#fn ": valid, tp above 32 bits, bit 31 set -> field", test_valid_high_tp, &acc_##fn), \
	T(#fn ": valid, largest positive tp -> field", test_valid_max_tp, &acc_##fn), \
	T(#fn ": valid in another address space (its key) -> field", test_valid_other_key, &acc_##fn), \
	T(#fn ": no offset -> syscall", test_no_offset, &acc_##fn), \
	T(#fn ": thread pointer 0 -> syscall", test_tp_zero, &acc_##fn), \
	T(#fn ": thread pointer negative -> syscall", test_tp_negative, &acc_##fn), \
	T(#fn ": thread pointer 0x8000000000000040 -> syscall", test_tp_min_negative, &acc_##fn), \
	T(#fn ": zeroed area, tp == key -> syscall", test_zeroed_area_tp_key, &acc_##fn), \
	T(#fn ": owner word load faults -> syscall", test_owner_fault, &acc_##fn), \
	T(#fn ": owner word unmapped -> syscall", test_owner_unmapped, &acc_##fn), \
	T(#fn ": owner word tp without key -> syscall", test_owner_is_tp, &acc_##fn), \
	T(#fn ": owner word tp ^ other key (fork copy) -> syscall", test_owner_other_key, &acc_##fn), \
	T(#fn ": owner word garbage -> syscall", test_owner_garbage, &acc_##fn), \
	T(#fn ": owner word 0 -> syscall", test_owner_zero, &acc_##fn), \
	T(#fn ": owner word other thread -> syscall", test_owner_other_thread, &acc_##fn), \
	T(#fn ": owner word high bits differ -> syscall", test_owner_high_bits_differ, &acc_##fn), \
	T(#fn ": owner word low bits differ -> syscall", test_owner_low_bits_differ, &acc_##fn), \
	T(#fn ": field load faults -> syscall", test_field_fault, &acc_##fn), \
	T(#fn ": syscall result 0xfffffffe kept", test_syscall_result_full_width, &acc_##fn)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T("mock: window, fault injection, syscall log", test_mock_sanity, NULL),
		T("constants: keys and thread pointers as assumed", test_constants, NULL),
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
		T("errno_location: valid, tp above 32 bits, bit 31 set", test_errno_valid_high_tp, NULL),
		T("errno_location: valid, largest positive tp", test_errno_valid_max_tp, NULL),
		T("errno_location: owner word tp without key -> slot", test_errno_owner_is_tp, NULL),
		T("errno_location: owner word tp ^ other key -> slot", test_errno_owner_other_key, NULL),
		T("errno_location: owner word 0 -> slot", test_errno_owner_zero, NULL),
		T("errno_location: owner word garbage -> slot", test_errno_owner_garbage, NULL),
		T("errno_location: owner word other thread -> slot", test_errno_owner_other_thread, NULL),
		T("errno_location: owner word unmapped, slot mapped -> slot", test_errno_owner_unmapped_slot_mapped, NULL),
		T("errno_location: slot unmapped, owner word mapped -> NULL", test_errno_slot_unmapped_owner_mapped, NULL),
		T("errno_location: area unmapped -> NULL", test_errno_unmapped, NULL),
		T("errno_location: slot probe faults -> NULL", test_errno_probe_fault, NULL),
		T("errno_location: no offset -> NULL", test_errno_no_offset, NULL),
		T("errno_location: thread pointer 0 -> NULL", test_errno_tp_zero, NULL),
		T("errno_location: thread pointer negative -> NULL", test_errno_tp_negative, NULL),
		T("errno_location: thread pointer 0x8000000000000040 -> NULL", test_errno_tp_min_negative, NULL),
		T("errno_location: zeroed area, tp == key -> NULL", test_errno_zeroed_area_tp_key, NULL),
	};

	return cmocka_run_group_tests_name("ktls generic vDSO accessors",
					   tests, NULL, NULL);
}
