// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile KTLS registration arguments: each argument over its range, each
 * with its documented errno, nothing crashing, nothing left behind.
 *
 *  - the operation: 0..8, large and negative values, each operation with
 *    bits above it, each with every operation's arguments; every bit of
 *    the fifth argument with each operation;
 *  - the size of the struct: GET_LAYOUT and SET_OFFSET with 0..40 bytes
 *    and larger, SET_OFFSET with zero and non-zero bytes beyond the
 *    kernel's 16 (E2BIG), and a struct cut short by a PROT_NONE page;
 *  - SET_OFFSET offsets 0, +-1, +-63, +-64, +-KTLS_OFFSET_MAX,
 *    +-(KTLS_OFFSET_MAX + 64), +-2^32, LONG_MIN, LONG_MAX; an accepted one
 *    then REGISTERs a thread, and clone3(CLONE_KTLS) creates one, whose
 *    area lies that far from its thread pointer;
 *  - sizes and alignments 0, 1, 63, 64, 65, 96, 128, UINT32_MAX, crossed;
 *  - the layout pointer: NULL, unmapped, PROT_NONE, read-only, straddling
 *    the end of a mapping or of the user address space, kernel addresses
 *    (vsyscall page, direct map), non-canonical, wrapping;
 *  - the area (thread pointer + offset): thread pointer 0, misaligned;
 *    area unmapped, PROT_NONE, read-only, in the vDSO text, in the KTLS
 *    vvar page, in the program's text; the last 64 bytes of the user
 *    address space, and just beyond; non-canonical; thread pointer and
 *    offset that wrap below 0 or above 2^64; thread pointer in kernel
 *    memory.  Each through REGISTER in a raw thread whose thread pointer we
 *    choose (clone3's tls, or WRFSBASE where clone3 cannot set it) and
 *    through clone3(CLONE_KTLS) with that tls.
 *
 * Every case runs in a forked child that registers what it needs, so that
 * a wrong acceptance cannot spoil the rest.  After each rejected call the
 * child checks that nothing was registered: GET_LAYOUT reports the offset
 * it had, REGISTER or UNREGISTER answers as before (EBUSY/ENOENT), no area
 * or buffer memory was written (nor SET_OFFSET's source, nor the owner
 * word of a main thread not registered), no thread appeared, and the vDSO
 * accessors of the main thread and of the calling thread still equal the
 * syscalls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "ktls_util.h"

/* x86-64 with 4-level paging: the first address beyond user space. */
#define TASK_SIZE_MAX_X86	0x00007ffffffff000UL
#define KERNEL_DIRECT_MAP	0xffff888000000000UL
#define VSYSCALL_ADDR		0xffffffffff600000UL
#define NON_CANONICAL		0x8000000000000000UL
#define PATTERN			0xa5

/* What went wrong in a child, as bits of its exit status. */
enum {
	V_CALL		= 1 << 0,	/* the call did not return as expected */
	V_LAYOUT	= 1 << 1,	/* GET_LAYOUT offset changed */
	V_STATE		= 1 << 2,	/* registration state changed */
	V_VDSO		= 1 << 3,	/* accessors != syscalls, errno_location */
	V_MEM		= 1 << 4,	/* memory written that must not be */
	V_THREAD	= 1 << 5,	/* a thread appeared, or one is missing */
	V_SETUP		= 1 << 6,	/* the case could not be set up */
};

static const char *v_str(int v)
{
	static const char *const names[] = {
		"wrong-return", "offset-changed", "registration-changed",
		"vdso/errno_location-wrong", "memory-written", "thread-count",
		"setup-failed",
	};

	if (v < 0)
		return "child killed";
	return v ? kt_bits_str(v, names, ARRAY_SIZE(names)) : "all checks passed";
}

/* What a child reports besides its exit status. */
struct shared {
	long ret;		/* the call's return value */
	long ret2;		/* a second call's (clone3 without the flag) */
	long expect;		/* what the child expected of the call */
	int skip;		/* the case cannot run here: why */
	char why[128];
};

static struct shared *sh;
static long page_size;
static bool fsgsbase;
static struct ktls_layout kernel_layout;

/* Each test's process never registers: its cases' children do. */
FIXTURE(hostile) {
};

FIXTURE_SETUP(hostile)
{
	page_size = sysconf(_SC_PAGESIZE);
	kt_require(&kernel_layout);
	kt_vdso_init();
	fsgsbase = kt_have_fsgsbase();
	sh = kt_shared_alloc(sizeof(*sh));
	TH_LOG("static TLS offset %ld, FSGSBASE %s", kt_offset,
	       fsgsbase ? "usable" : "not usable");
}

FIXTURE_TEARDOWN(hostile)
{
}

/* Run @fn in a child; its V_* bits, or -1 if it was killed. */
static int in_child(int (*fn)(void *), void *arg)
{
	memset(sh, 0, sizeof(*sh));
	sh->ret = LONG_MIN;
	return kt_fork_exit_code(fn, arg);
}

/* ---- checks in a child ---- */

static int nr_threads_now(void)
{
	char line[128];
	int n = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* The thread count, once a joined thread is fully gone (up to 0.2 s). */
static int nr_threads(int want)
{
	int i, n = nr_threads_now();

	for (i = 0; i < 40 && want > 0 && n != want; i++) {
		usleep(5000);
		n = nr_threads_now();
	}
	return n;
}

/*
 * The process's registration as we left it: GET_LAYOUT's offset, the main
 * thread's area (or none), vDSO == syscalls, and a probe that answers
 * without changing anything: REGISTER -EBUSY when registered, else
 * UNREGISTER -ENOENT (or REGISTER -ENOENT without an offset).
 */
static int verify_main(const char *who, long offset, bool registered)
{
	struct ktls_layout l = { 0, 0, 0x1234 };
	struct kt_snap s;
	long r, want;
	int v = 0;

	r = kt_get_layout(&l);
	if (r || l.offset != offset || l.size != kernel_layout.size ||
	    l.alignment != kernel_layout.alignment) {
		ksft_print_msg("%s: GET_LAYOUT=%s size %u align %u offset %lld, want 0 %u %u %ld\n",
			       who, kt_ret_str(r), l.size, l.alignment,
			       (long long)l.offset, kernel_layout.size,
			       kernel_layout.alignment, offset);
		v |= V_LAYOUT;
	}
	kt_snap_take(&s, &kt_tls_area);
	if (!kt_snap_check(&s, registered ? KT_EXPECT_AREA :
			     KT_EXPECT_NO_AREA, who))
		v |= V_VDSO;
	/* Main never registered, or UNREGISTERed: nothing wrote its area. */
	if (!registered && s.area_owner) {
		ksft_print_msg("%s: main's owner word %#llx, expected 0\n", who,
			       (unsigned long long)s.area_owner);
		v |= V_STATE;
	}
	if (registered) {
		r = kt_register();
		want = -EBUSY;
	} else if (offset) {
		r = kt_unregister();
		want = -ENOENT;
	} else {
		r = kt_register();
		want = -ENOENT;
	}
	if (r != want) {
		ksft_print_msg("%s: %s -> %s, expected %s (main %s)\n", who,
			       want == -EBUSY || !offset ? "REGISTER" :
			       "UNREGISTER", kt_ret_str(r),
			       kt_ret_str(want),
			       registered ? "registered" : "not registered");
		v |= V_STATE;
	}
	return v;
}

/* SET_OFFSET @offset (if not 0), then REGISTER main if @reg. */
static int main_setup(long offset, bool reg)
{
	long r = 0;

	if (offset)
		r = kt_set_offset(offset);
	if (!r && reg)
		r = kt_register();
	if (r)
		ksft_print_msg("setup: SET_OFFSET(%ld)%s -> %s\n", offset,
			       reg ? " + REGISTER" : "", kt_ret_str(r));
	return r ? V_SETUP : 0;
}

/* ---- 1. the operation and the fifth argument ---- */

static const unsigned long ops[] = {
	PR_KTLS_GET_LAYOUT,
	PR_KTLS_SET_OFFSET,
	PR_KTLS_UNREGISTER,
	PR_KTLS_REGISTER,
};

static const char *op_name(unsigned long op)
{
	switch (op) {
	case PR_KTLS_GET_LAYOUT: return "GET_LAYOUT";
	case PR_KTLS_SET_OFFSET: return "SET_OFFSET";
	case PR_KTLS_UNREGISTER: return "UNREGISTER";
	case PR_KTLS_REGISTER: return "REGISTER";
	}
	return "none";
}

/* The arguments each operation is called with here. */
static const char *op_args(unsigned long op)
{
	switch (op) {
	case PR_KTLS_GET_LAYOUT: return "&buf, 16";
	case PR_KTLS_SET_OFFSET: return "&layout, 16";
	}
	return "NULL, 0";
}

/* Values of the operation that are no operation, with every operation. */
static const unsigned long no_ops[] = {
	0, 5, 6, 7, 8, 0x10, 0xff, 0x100, 0x7fffffff, 0x80000000, 0xffffffff,
	1UL << 32, LONG_MAX, 1UL << 63, ~1UL, ~0UL, PR_KTLS,
};

/* Bits or'ed into an operation: what a truncating kernel would drop. */
static const unsigned long op_high_bits[] = {
	0x100, 1UL << 31, 1UL << 32, 1UL << 63, 0xffffffff00000000UL,
};

struct op_case {
	unsigned long op;	/* the KTLS operation whose arguments are passed */
	unsigned long val;	/* the operation passed */
	unsigned long arg5;
};

/*
 * Each operation runs in the state where it alone succeeds, and where a
 * wrong acceptance shows: GET_LAYOUT and UNREGISTER registered, SET_OFFSET
 * with no offset, REGISTER with the offset set.  Only val == op with a
 * fifth argument of 0 is valid.
 */
static int op_child(void *arg)
{
	const struct op_case *c = arg;
	bool valid = c->val == c->op && !c->arg5;
	unsigned char buf[2 * sizeof(struct ktls_layout)];
	struct ktls_layout good = kt_layout(kt_offset);
	bool reg_before = c->op != PR_KTLS_SET_OFFSET &&
			  c->op != PR_KTLS_REGISTER;
	long off_before = c->op == PR_KTLS_SET_OFFSET ? 0 : kt_offset;
	long off_after = off_before;
	bool reg_after = reg_before;
	const void *ptr = NULL;
	unsigned long size = 0;
	size_t i;
	int v;

	v = main_setup(off_before, reg_before);
	if (v)
		return v;
	memset(buf, PATTERN, sizeof(buf));
	switch (c->op) {
	case PR_KTLS_GET_LAYOUT:
		ptr = buf;
		size = sizeof(good);
		break;
	case PR_KTLS_SET_OFFSET:
		ptr = &good;
		size = sizeof(good);
		break;
	}
	sh->ret = kt_prctl(c->val, ptr, size, c->arg5);
	if (sh->ret != (valid ? 0 : -EINVAL))
		v |= V_CALL;
	/* SET_OFFSET's source is never written. */
	if (good.size != KTLS_AREA_SIZE || good.alignment != KTLS_AREA_ALIGN ||
	    good.offset != kt_offset)
		v |= V_MEM;
	if (valid && c->op == PR_KTLS_SET_OFFSET)
		off_after = kt_offset;
	if (valid && c->op == PR_KTLS_UNREGISTER)
		reg_after = false;
	if (valid && c->op == PR_KTLS_REGISTER)
		reg_after = true;
	if (c->op == PR_KTLS_GET_LAYOUT) {
		struct ktls_layout got;

		/* The layout when accepted, and no byte beyond its 16. */
		memcpy(&got, buf, sizeof(got));
		if (valid && !sh->ret &&
		    (got.size != KTLS_AREA_SIZE ||
		     got.alignment != KTLS_AREA_ALIGN ||
		     got.offset != kt_offset))
			v |= V_CALL;
		/* A rejected GET_LAYOUT writes nothing. */
		for (i = valid ? sizeof(good) : 0; i < sizeof(buf); i++)
			if (buf[i] != PATTERN)
				v |= V_MEM;
	}
	return v | verify_main("after the call", off_after, reg_after);
}

/* What a sweep found wrong: how many cases, and which. */
static int sweep_bad;
static char sweep_wrong[1024];

static void sweep_start(void)
{
	sweep_bad = 0;
	sweep_wrong[0] = 0;
}

static void sweep_fail(const char *what)
{
	size_t n = strlen(sweep_wrong);

	sweep_bad++;
	snprintf(sweep_wrong + n, sizeof(sweep_wrong) - n, " %s", what);
}

static void op_try(const struct op_case *c)
{
	int v = in_child(op_child, (void *)c);
	char what[160];

	if (!v)
		return;
	snprintf(what, sizeof(what), "op=%#lx,arg5=%#lx:%s(%s)", c->val,
		 c->arg5, kt_ret_str(sh->ret), v_str(v));
	sweep_fail(what);
}

/*
 * prctl(PR_KTLS, op, its arguments, 0) for each op -> 0; for the values
 * that are no operation (0, 5..8, 0x10, 0xff, 0x100, 2^31-1, 2^31,
 * 2^32-1, 2^32, LONG_MAX, LONG_MIN, -2, -1, PR_KTLS) and each op with bit
 * 8, 31, 32, 63 or bits 32..63 set -> -EINVAL; arg5 1 << b for b = 0..63
 * -> -EINVAL in the state where arg5 0 succeeds.  Afterwards GET_LAYOUT
 * offset, registration state, buffer and vDSO as before (or as the op
 * leaves them).
 */
TEST_F_TIMEOUT(hostile, ops, 300)
{
	size_t o, i;

	for (o = 0; o < ARRAY_SIZE(ops); o++) {
		struct op_case c = { ops[o], ops[o], 0 };

		sweep_start();
		op_try(&c);
		for (i = 0; i < ARRAY_SIZE(no_ops); i++) {
			c.val = no_ops[i];
			op_try(&c);
		}
		for (i = 0; i < ARRAY_SIZE(op_high_bits); i++) {
			c.val = ops[o] | op_high_bits[i];
			op_try(&c);
		}
		EXPECT_EQ(0, sweep_bad)
			TH_LOG("op %s, state of %s: %d wrong:%s", op_name(ops[o]),
			       op_args(ops[o]), sweep_bad, sweep_wrong);
	}
	for (o = 0; o < ARRAY_SIZE(ops); o++) {
		sweep_start();
		for (i = 0; i < 64; i++) {
			struct op_case c = { ops[o], ops[o], 1UL << i };

			op_try(&c);
		}
		EXPECT_EQ(0, sweep_bad)
			TH_LOG("arg5 bits with %s: %d wrong:%s", op_name(ops[o]),
			       sweep_bad, sweep_wrong);
	}
}

/* ---- 2. the size of the struct (prctl's fourth argument) ---- */

/*
 * The struct at @pos in a writable page that a PROT_NONE page follows.
 * GET_LAYOUT: registered, the page filled with PATTERN; SET_OFFSET: no
 * offset, the page zero but for the layout and the byte at @nz.
 */
struct usize_case {
	unsigned long op;
	unsigned long size;
	long nz;		/* SET_OFFSET: this byte of the struct 0xa5 (-1: none) */
	size_t pos;
	long expect;
};

static int usize_child(void *arg)
{
	const struct usize_case *c = arg;
	bool get = c->op == PR_KTLS_GET_LAYOUT;
	struct ktls_layout good = kt_layout(kt_offset);
	unsigned char *p, *s, *copy = malloc(page_size);
	struct ktls_layout got;
	size_t i;
	int v;

	v = main_setup(get ? kt_offset : 0, get);
	if (v)
		return v;
	p = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!copy || p == MAP_FAILED ||
	    mprotect(p + page_size, page_size, PROT_NONE))
		return V_SETUP;
	s = p + c->pos;
	memset(p, get ? PATTERN : 0, page_size);
	if (!get) {
		memcpy(s, &good, sizeof(good));
		if (c->nz >= 0)
			s[c->nz] = PATTERN;
	}
	memcpy(copy, p, page_size);
	sh->ret = kt_prctl(c->op, s, c->size, 0);
	if (sh->ret != c->expect)
		v |= V_CALL;
	/* SET_OFFSET's source is never written. */
	if (!get && memcmp(copy, p, page_size))
		v |= V_MEM;
	if (get) {
		memcpy(&got, s, sizeof(got));
		if (!sh->ret && (got.size != KTLS_AREA_SIZE ||
				 got.alignment != KTLS_AREA_ALIGN ||
				 got.offset != kt_offset))
			v |= V_CALL;
		/* The 16 bytes when accepted, no other byte of the page. */
		for (i = 0; i < (size_t)page_size; i++)
			if (p[i] != PATTERN &&
			    (sh->ret || i < c->pos || i >= c->pos + sizeof(got)))
				v |= V_MEM;
		return v | verify_main("after GET_LAYOUT", kt_offset, true);
	}
	return v | verify_main(sh->ret ? "after the rejected SET_OFFSET" :
			       "after SET_OFFSET", sh->ret ? 0 : kt_offset,
			       false);
}

static void usize_try(const struct usize_case *c)
{
	int v = in_child(usize_child, (void *)c);
	char what[160];

	if (!v)
		return;
	snprintf(what, sizeof(what), "size=%#lx,nz=%ld,pos=%zu:%s(%s)",
		 c->size, c->nz, c->pos, kt_ret_str(sh->ret), v_str(v));
	sweep_fail(what);
}

/* SET_OFFSET with a struct of @size bytes at the start of the page. */
static void usize_set(unsigned long size)
{
	struct usize_case c = {
		PR_KTLS_SET_OFFSET, size, -1, 0,
		size < KTLS_LAYOUT_SIZE_VER0 ? -EINVAL : 0
	};

	usize_try(&c);
	if (size < KTLS_LAYOUT_SIZE_VER0)
		return;
	/* A non-zero byte within the size, beyond the kernel's 16. */
	c.expect = -E2BIG;
	if (size > KTLS_LAYOUT_SIZE_VER0) {
		c.nz = KTLS_LAYOUT_SIZE_VER0;
		usize_try(&c);
	}
	if (size > KTLS_LAYOUT_SIZE_VER0 + 1) {
		c.nz = size - 1;
		usize_try(&c);
	}
	/* The byte just beyond the size is not the kernel's to read. */
	if (size < (unsigned long)page_size) {
		c.nz = size;
		c.expect = 0;
		usize_try(&c);
	}
}

/*
 * GET_LAYOUT with size 0..40, 64, 4095, 4096, 4097, 2^32, ULONG_MAX:
 * -EINVAL below 16 with no byte written, else 0 with the layout in the
 * first 16 bytes and no other byte of the page written.  SET_OFFSET with
 * size 0..40, 64 and a page, the bytes beyond the 16 zero: -EINVAL below
 * 16, else 0; byte 16 or the last byte 0xa5 -> -E2BIG; the byte just
 * beyond the size 0xa5 -> 0; ending at the end of a page: size 32 -> 0,
 * size 33 (its last byte in a PROT_NONE page) -> -EFAULT; size 2^32 and
 * ULONG_MAX -> -EFAULT; the offset registered exactly when accepted.
 * GET_LAYOUT offset, registration and vDSO as before.
 */
TEST_F_TIMEOUT(hostile, usizes, 300)
{
	static const unsigned long big[] = {
		64, 4095, 4096, 4097, 1UL << 32, ~0UL,
	};
	struct usize_case c = { PR_KTLS_GET_LAYOUT, 0, -1, 0, 0 };
	unsigned long size;
	size_t i;

	sweep_start();
	for (size = 0; size <= 40; size++) {
		c.size = size;
		c.expect = size < KTLS_LAYOUT_SIZE_VER0 ? -EINVAL : 0;
		usize_try(&c);
	}
	for (i = 0; i < ARRAY_SIZE(big); i++) {
		c.size = big[i];
		c.expect = 0;
		usize_try(&c);
	}
	EXPECT_EQ(0, sweep_bad)
		TH_LOG("GET_LAYOUT sizes: %d wrong:%s", sweep_bad, sweep_wrong);

	sweep_start();
	for (size = 0; size <= 40; size++)
		usize_set(size);
	usize_set(64);
	usize_set(page_size);
	/* The struct at the end of the page, a PROT_NONE page after it. */
	c.op = PR_KTLS_SET_OFFSET;
	c.nz = -1;
	c.pos = page_size - 32;
	c.size = 32;
	c.expect = 0;
	usize_try(&c);
	c.size = 33;
	c.expect = -EFAULT;
	usize_try(&c);
	c.pos = 0;
	c.size = 1UL << 32;
	usize_try(&c);
	c.size = ~0UL;
	usize_try(&c);
	EXPECT_EQ(0, sweep_bad)
		TH_LOG("SET_OFFSET sizes: %d wrong:%s", sweep_bad, sweep_wrong);
}

/* ---- 3. offsets ---- */

/*
 * A raw thread whose thread pointer we choose tries REGISTER; what it saw
 * comes back in struct reg_probe (in MAP_SHARED memory).
 */
struct reg_probe {
	unsigned long tp;	/* the thread pointer to run on */
	bool wrfs;		/* set it with WRFSBASE in the thread */
	unsigned long area;	/* tp + offset */
	bool readable;		/* the area can be read by user space */
	long reg, reg2, unreg, unreg2, layout_ret;
	long layout_off;
	unsigned long fs;	/* the FS base the thread ran on */
	struct kt_snap after, unregistered;
	int done;		/* __atomic: the thread finished */
};

/* The raw thread has filled in @p. */
static bool probe_finished(const struct reg_probe *p)
{
	return __atomic_load_n(&p->done, __ATOMIC_ACQUIRE);
}

static KT_RAW int reg_probe_fn(struct kt_thread *t)
{
	struct reg_probe *p = t->arg;
	const struct ktls_area *area = (const struct ktls_area *)p->area;
	unsigned long own = kt_get_fs();
	struct ktls_layout l;

	if (p->wrfs)
		kt_wrfsbase(p->tp);
	p->fs = kt_get_fs();
	p->reg = kt_register();
	l.offset = 0x1234;
	p->layout_ret = kt_get_layout(&l);
	p->layout_off = l.offset;
	kt_snap_take(&p->after, p->reg == 0 || p->readable ? area : NULL);
	if (p->reg == 0) {
		p->unreg = kt_unregister();
		kt_snap_take(&p->unregistered, area);
	} else {
		/* Rejected: the same answer again, and no area to remove. */
		p->reg2 = kt_register();
	}
	p->unreg2 = kt_unregister();
	if (p->wrfs)
		kt_wrfsbase(own);
	__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
	return 0;
}

/* Judge a reg_probe against @expect (0 or -errno); V_* bits. */
static int judge_probe(const struct reg_probe *p, long expect, long offset)
{
	int v = 0;

	if (!probe_finished(p)) {
		ksft_print_msg("the raw thread did not finish\n");
		return V_SETUP;
	}
	if (p->fs != p->tp) {
		ksft_print_msg("the raw thread ran on FS base %#lx, not %#lx\n",
			       p->fs, p->tp);
		v |= V_SETUP;
	}
	if (p->reg != expect)
		v |= V_CALL;
	if (p->layout_ret || p->layout_off != offset) {
		ksft_print_msg("raw thread: GET_LAYOUT -> %s offset %ld, expected 0 %ld\n",
			       kt_ret_str(p->layout_ret), p->layout_off,
			       offset);
		v |= V_LAYOUT;
	}
	if (p->reg == 0) {
		if (!kt_snap_check(&p->after, KT_EXPECT_AREA,
				   "raw thread after REGISTER"))
			v |= V_VDSO;
		if (p->unreg || p->unregistered.area_owner != 0 ||
		    !kt_snap_check(&p->unregistered, KT_EXPECT_NO_AREA,
				     "raw thread after UNREGISTER")) {
			ksft_print_msg("raw thread: UNREGISTER -> %s, tp %#llx\n",
				       kt_ret_str(p->unreg),
				       (unsigned long long)p->unregistered.area_owner);
			v |= V_STATE;
		}
	} else {
		if (!kt_snap_check(&p->after, p->readable ?
				     KT_EXPECT_NO_AREA : KT_EXPECT_NONE,
				     "raw thread after the rejected REGISTER"))
			v |= V_VDSO;
		if (p->reg2 != p->reg) {
			ksft_print_msg("raw thread: REGISTER again -> %s, first %s\n",
				       kt_ret_str(p->reg2),
				       kt_ret_str(p->reg));
			v |= V_STATE;
		}
	}
	if (p->unreg2 != -ENOENT) {
		ksft_print_msg("raw thread: final UNREGISTER -> %s, expected -ENOENT\n",
			       kt_ret_str(p->unreg2));
		v |= V_STATE;
	}
	return v;
}

/* A clone3(CLONE_KTLS) thread that was accepted checks its area. */
static KT_RAW int clone_ok_fn(struct kt_thread *t)
{
	struct reg_probe *p = t->arg;

	kt_snap_take(&p->after, (const struct ktls_area *)p->area);
	p->unreg = kt_unregister();
	kt_snap_take(&p->unregistered, (const struct ktls_area *)p->area);
	p->fs = kt_get_fs();
	__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Reserve [tp page, area page] @offset apart (|offset| up to
 * KTLS_OFFSET_MAX) without committing memory, and make the two pages
 * usable; the raw thread's TCB and area.
 */
static int reserve_far(long offset, unsigned long *tp, unsigned long *area)
{
	size_t span = (size_t)labs(offset) + 2 * page_size;
	char *base = mmap(NULL, span, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	unsigned long lo, hi;

	if (base == MAP_FAILED)
		return -errno;
	lo = (unsigned long)base;
	hi = lo + (size_t)labs(offset);
	/* tp + offset == area, both page aligned. */
	*tp = offset > 0 ? lo : hi;
	*area = *tp + offset;
	if (mprotect((void *)lo, page_size, PROT_READ | PROT_WRITE) ||
	    mprotect((void *)hi, page_size, PROT_READ | PROT_WRITE))
		return -errno;
	((unsigned long *)*tp)[0] = *tp;
	return 0;
}

struct offset_case {
	long offset;
	long expect;		/* SET_OFFSET's result */
	const char *what;
};

static int offset_child(void *arg)
{
	const struct offset_case *c = arg;
	struct ktls_layout l = kt_layout(c->offset);
	struct reg_probe *p;
	struct kt_thread t;
	unsigned long tp = 0, area = 0;
	int v = 0;
	long r;

	sh->ret = kt_prctl(PR_KTLS_SET_OFFSET, &l, sizeof(l), 0);
	if (sh->ret != c->expect)
		v |= V_CALL;
	if (l.size != KTLS_AREA_SIZE || l.alignment != KTLS_AREA_ALIGN ||
	    l.offset != c->offset)
		v |= V_MEM;	/* SET_OFFSET wrote its source */
	if (sh->ret)
		return v | verify_main("after the rejected SET_OFFSET", 0,
				       false);
	v |= verify_main("after SET_OFFSET", c->offset, false);

	/* Accepted: a thread whose area is that far from its TCB. */
	p = kt_shared_alloc(sizeof(*p));
	if (kt_thread_prepare(&t, 0))
		return v | V_SETUP;
	if (labs(c->offset) < page_size) {
		tp = t.tls;
		area = tp + c->offset;
	} else {
		r = reserve_far(c->offset, &tp, &area);
		if (r) {
			ksft_print_msg("reserving %ld bytes: %s\n",
				       labs(c->offset), kt_ret_str(r));
			return v | V_SETUP;
		}
	}
	p->tp = tp;
	p->area = area;
	p->readable = true;
	r = kt_thread_spawn(&t, KT_THREAD_FLAGS, tp, 0, reg_probe_fn, p);
	if (r <= 0)
		return v | V_SETUP;
	kt_thread_join(&t);
	v |= judge_probe(p, 0, c->offset);
	sh->ret2 = p->reg;

	/* And clone3(CLONE_KTLS) with that thread pointer. */
	memset(p, 0, sizeof(*p));
	p->tp = tp;
	p->area = area;
	r = kt_thread_spawn(&t, KT_THREAD_FLAGS | CLONE_KTLS, tp, 0,
			    clone_ok_fn, p);
	if (r <= 0) {
		ksft_print_msg("clone3(CLONE_KTLS, tls %#lx) -> %s, expected a thread\n",
			       tp, kt_ret_str(r));
		return v | V_CALL;
	}
	kt_thread_join(&t);
	if (!probe_finished(p) || p->fs != tp ||
	    !kt_snap_check(&p->after, KT_EXPECT_AREA,
			     "clone3(CLONE_KTLS) thread") ||
	    p->unreg || p->unregistered.area_owner)
		v |= V_VDSO;
	return v;
}

/*
 * SET_OFFSET of each offset: refused ones leave no offset, no area,
 * REGISTER -ENOENT and vDSO == syscalls; after an accepted one GET_LAYOUT
 * returns it, and a raw thread with its area that far from its TCB
 * REGISTERs (area right, UNREGISTER clears it), as does a
 * clone3(CLONE_KTLS) thread.
 */
TEST_F_TIMEOUT(hostile, offsets, 300)
{
	static const struct offset_case cases[] = {
		{ 0, -EINVAL, "0" },
		{ 1, -EINVAL, "+1 (misaligned)" },
		{ -1, -EINVAL, "-1 (misaligned)" },
		{ 63, -EINVAL, "+63 (misaligned)" },
		{ -63, -EINVAL, "-63 (misaligned)" },
		{ 64, 0, "+64" },
		{ -64, 0, "-64" },
		{ KTLS_OFFSET_MAX, 0, "+KTLS_OFFSET_MAX" },
		{ -KTLS_OFFSET_MAX, 0, "-KTLS_OFFSET_MAX" },
		{ KTLS_OFFSET_MAX + 64, -EINVAL, "+(KTLS_OFFSET_MAX + 64)" },
		{ -KTLS_OFFSET_MAX - 64, -EINVAL, "-(KTLS_OFFSET_MAX + 64)" },
		{ 1L << 32, -EINVAL, "+2^32 (0 in 32 bits)" },
		{ -(1L << 32), -EINVAL, "-2^32" },
		{ LONG_MIN, -EINVAL, "LONG_MIN (-LONG_MIN overflows)" },
		{ LONG_MAX, -EINVAL, "LONG_MAX" },
		{ LONG_MIN + 64, -EINVAL, "LONG_MIN + 64" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct offset_case *c = &cases[i];
		int v = in_child(offset_child, (void *)c);

		EXPECT_EQ(0, v)
			TH_LOG("offset %s (%#lx): SET_OFFSET -> %s, expected %s: %s",
			       c->what, (unsigned long)c->offset, kt_ret_str(sh->ret),
			       kt_ret_str(c->expect), v_str(v));
	}
}

/* ---- 4. sizes and alignments ---- */

struct size_case {
	__u32 size, alignment;
	long offset;
};

static int size_child(void *arg)
{
	const struct size_case *c = arg;
	struct ktls_layout l = {
		.size = c->size,
		.alignment = c->alignment,
		.offset = c->offset,
	};
	int v = 0;

	sh->ret = kt_prctl(PR_KTLS_SET_OFFSET, &l, sizeof(l), 0);
	if (l.size != c->size || l.alignment != c->alignment ||
	    l.offset != c->offset)
		v |= V_MEM;	/* SET_OFFSET wrote its source */
	return v | verify_main(sh->ret ? "after the rejected SET_OFFSET" :
			       "after SET_OFFSET", sh->ret ? 0 : c->offset,
			       false);
}

static bool pow2(__u32 x)
{
	return x && !(x & (x - 1));
}

/*
 * SET_OFFSET with offset -4096 and each size x alignment: 0 for size >=
 * 64 and alignment 64, 128 or 4096, -EINVAL otherwise, GET_LAYOUT (the
 * offset, the kernel's size and alignment), registration and vDSO as
 * expected afterwards.  Alignment 128 with an offset that is a multiple
 * of 64 but not of 128: the header reads as -EINVAL, Documentation's
 * KTLS_AREA_ALIGN rule as 0; either is taken, with a consistent state.
 */
TEST_F_TIMEOUT(hostile, sizes, 300)
{
	static const __u32 vals[] = {
		0, 1, 63, 64, 65, 96, 128, 4096, UINT32_MAX,
	};
	size_t i, j;
	char line[512];
	struct size_case amb = { 64, 128, -(128L * 32 + 64) };
	int v;

	for (i = 0; i < ARRAY_SIZE(vals); i++) {
		int bad = 0;

		line[0] = 0;
		for (j = 0; j < ARRAY_SIZE(vals); j++) {
			struct size_case c = { vals[i], vals[j], -4096 };
			bool ok = c.size >= KTLS_AREA_SIZE &&
				  c.alignment >= KTLS_AREA_ALIGN &&
				  pow2(c.alignment);
			size_t n = strlen(line);

			v = in_child(size_child, &c);
			if (v || sh->ret != (ok ? 0 : -EINVAL))
				bad++;
			snprintf(line + n, sizeof(line) - n, " %u:%s%s",
				 vals[j], kt_ret_str(sh->ret),
				 v || sh->ret != (ok ? 0 : -EINVAL) ? "(WRONG)" : "");
		}
		EXPECT_EQ(0, bad)
			TH_LOG("size %u, alignment:result =%s", vals[i], line);
	}
	/*
	 * The header asks for "an offset that is a multiple of alignment";
	 * the kernel checks KTLS_AREA_ALIGN, which Documentation names.  Both
	 * answers are consistent with a document; report which one it is.
	 */
	v = in_child(size_child, &amb);
	EXPECT_TRUE(!v && (sh->ret == 0 || sh->ret == -EINVAL))
		TH_LOG("alignment 128, offset %ld -> %s: %s", amb.offset,
		       kt_ret_str(sh->ret), v_str(v));
}

/* ---- 5. the layout pointer ---- */

enum ptr_kind {
	P_NULL, P_UNMAPPED, P_NONE, P_RDONLY, P_STRADDLE, P_TOP, P_VSYSCALL,
	P_DIRECT, P_NONCANON, P_WRAP, P_ODD,
};

static const char *const ptr_names[] = {
	[P_NULL] = "NULL",
	[P_UNMAPPED] = "an unmapped page",
	[P_NONE] = "a PROT_NONE page",
	[P_RDONLY] = "a read-only page holding a valid layout",
	[P_STRADDLE] = "the last 8 bytes of a page before a PROT_NONE page",
	[P_TOP] = "the last 8 bytes below the end of user space (0x7ffffffff000)",
	[P_VSYSCALL] = "the vsyscall page 0xffffffffff600000",
	[P_DIRECT] = "the kernel direct map 0xffff888000000000",
	[P_NONCANON] = "non-canonical 0x8000000000000000",
	[P_WRAP] = "0xfffffffffffffff8 (pointer + 16 wraps)",
	[P_ODD] = "an odd address in a writable page (control)",
};

struct ptr_case {
	enum ptr_kind k;
	unsigned long op;
};

static char *map_page(int prot)
{
	char *p = mmap(NULL, page_size, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);

	return p == MAP_FAILED ? NULL : p;
}

static int ptr_child(void *arg)
{
	const struct ptr_case *c = arg;
	bool get = c->op == PR_KTLS_GET_LAYOUT;
	struct ktls_layout good = kt_layout(kt_offset);
	unsigned char *watch = NULL;
	size_t watch_len = 0, i;
	long expect = -EFAULT;
	char *ptr = NULL, *p;
	int v;

	/* GET_LAYOUT registered; SET_OFFSET in a process without offset. */
	v = main_setup(get ? kt_offset : 0, get);
	if (v)
		return v;
	switch (c->k) {
	case P_NULL:
		break;
	case P_UNMAPPED:
		ptr = map_page(PROT_READ | PROT_WRITE);
		if (!ptr || munmap(ptr, page_size))
			return V_SETUP;
		break;
	case P_NONE:
		ptr = map_page(PROT_NONE);
		break;
	case P_RDONLY:
		ptr = map_page(PROT_READ | PROT_WRITE);
		if (!ptr)
			return V_SETUP;
		memcpy(ptr, &good, sizeof(good));
		mprotect(ptr, page_size, PROT_READ);
		watch = (unsigned char *)ptr;
		watch_len = sizeof(good);
		if (!get)
			expect = 0;
		break;
	case P_STRADDLE:
		p = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return V_SETUP;
		mprotect(p + page_size, page_size, PROT_NONE);
		ptr = p + page_size - 8;
		memcpy(ptr, &good, 8);	/* size and alignment */
		/* A partial copy_to_user() may write the first 8 bytes. */
		break;
	case P_TOP:
		p = mmap((void *)(TASK_SIZE_MAX_X86 - page_size), page_size,
			 PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED) {
			sh->skip = 1;
			snprintf(sh->why, sizeof(sh->why),
				 "cannot map the last user page: %s",
				 strerror(errno));
			return 0;
		}
		ptr = p + page_size - 8;
		memset(ptr, PATTERN, 8);
		watch = (unsigned char *)ptr;
		watch_len = 8;
		break;
	case P_VSYSCALL:
		ptr = (char *)VSYSCALL_ADDR;
		break;
	case P_DIRECT:
		ptr = (char *)KERNEL_DIRECT_MAP;
		break;
	case P_NONCANON:
		ptr = (char *)NON_CANONICAL;
		break;
	case P_WRAP:
		ptr = (char *)~7UL;
		break;
	case P_ODD:
		p = map_page(PROT_READ | PROT_WRITE);
		if (!p)
			return V_SETUP;
		ptr = p + 1;
		memcpy(ptr, &good, sizeof(good));
		expect = 0;
		break;
	}
	{
		unsigned char before[16];

		if (watch)
			memcpy(before, watch, watch_len);
		sh->ret = kt_prctl(c->op, ptr, sizeof(good), 0);
		if (sh->ret != expect)
			v |= V_CALL;
		for (i = 0; watch && i < watch_len; i++)
			if (watch[i] != before[i])
				v |= V_MEM;
	}
	if (get && !sh->ret && c->k == P_ODD) {
		struct ktls_layout got;

		memcpy(&got, ptr, sizeof(got));
		if (got.offset != kt_offset || got.size != KTLS_AREA_SIZE)
			v |= V_CALL;
	}
	if (get)
		return v | verify_main("after GET_LAYOUT", kt_offset, true);
	return v | verify_main("after SET_OFFSET", sh->ret ? 0 : kt_offset,
			       false);
}

/*
 * Each layout pointer kind with GET_LAYOUT and SET_OFFSET: the expected
 * errno, no byte written where it must not be, GET_LAYOUT offset,
 * registration state and vDSO as before (or as set).
 */
TEST_F_TIMEOUT(hostile, pointers, 300)
{
	static const enum ptr_kind kinds[] = {
		P_NULL, P_UNMAPPED, P_NONE, P_RDONLY, P_STRADDLE, P_TOP,
		P_VSYSCALL, P_DIRECT, P_NONCANON, P_WRAP, P_ODD,
	};
	size_t i, o;

	for (o = 0; o < 2; o++) {
		unsigned long op = o ? PR_KTLS_SET_OFFSET :
				       PR_KTLS_GET_LAYOUT;

		for (i = 0; i < ARRAY_SIZE(kinds); i++) {
			struct ptr_case c = { kinds[i], op };
			int v = in_child(ptr_child, &c);
			long expect = kinds[i] == P_ODD ||
				      (kinds[i] == P_RDONLY && o) ? 0 : -EFAULT;

			if (sh->skip) {
				TH_LOG("skipped: layout pointer: %s to %s: %s",
				       op_name(op), ptr_names[kinds[i]],
				       sh->why);
				continue;
			}
			EXPECT_EQ(0, v)
				TH_LOG("%s(%s) -> %s, expected %s: %s", op_name(op),
				       ptr_names[kinds[i]], kt_ret_str(sh->ret), kt_ret_str(expect),
				       v_str(v));
		}
	}
}

/* ---- 6. the area ---- */

enum area_kind {
	A_OWN, A_TP0, A_TP_PLUS1, A_TP_PLUS8, A_TP_PLUS32, A_UNMAPPED, A_NONE,
	A_RDONLY, A_VDSO_TEXT, A_VVAR, A_PROG_TEXT, A_LAST64, A_BEYOND,
	A_NONCANON, A_WRAP_LOW, A_WRAP_LOW_MAX, A_WRAP_HIGH, A_TP_KERNEL,
	A_VSYSCALL, A_TP_TOP,
	NR_AREA_KINDS
};

struct area_kind_info {
	const char *what;
	long offset;		/* 0: the static TLS offset (main registered) */
	long expect;		/* REGISTER's and clone3's result */
};

static const struct area_kind_info area_info[NR_AREA_KINDS] = {
	[A_OWN] = { "own TCB, area in its block (control)", 0, 0 },
	[A_TP0] = { "thread pointer 0", 0, -EINVAL },
	[A_TP_PLUS1] = { "TCB + 1 (area misaligned)", 0, -EINVAL },
	[A_TP_PLUS8] = { "TCB + 8 (area misaligned)", 0, -EINVAL },
	[A_TP_PLUS32] = { "TCB + 32 (area misaligned)", 0, -EINVAL },
	[A_UNMAPPED] = { "area page unmapped", 0, -EFAULT },
	[A_NONE] = { "area page PROT_NONE", 0, -EFAULT },
	[A_RDONLY] = { "area page read-only", 0, -EFAULT },
	[A_VDSO_TEXT] = { "area in the vDSO's text", 0, -EFAULT },
	[A_VVAR] = { "area in the vvar KTLS data page", 0, -EFAULT },
	[A_PROG_TEXT] = { "area in the program's text", 0, -EFAULT },
	[A_LAST64] = { "area = the last 64 bytes of user space (mapped), offset +64",
		       64, 0 },
	[A_BEYOND] = { "area = 0x7ffffffff000, just beyond user space, offset +64",
		       64, -EFAULT },
	[A_NONCANON] = { "area non-canonical: tls 0x7fffffffe000 + KTLS_OFFSET_MAX",
			 KTLS_OFFSET_MAX, -EFAULT },
	[A_WRAP_LOW] = { "tls 0x40 with offset -4096 (wraps below 0)", -4096,
			 -EFAULT },
	[A_WRAP_LOW_MAX] = { "tls 0x1000 with offset -KTLS_OFFSET_MAX (wraps below 0)",
			     -KTLS_OFFSET_MAX, -EFAULT },
	[A_WRAP_HIGH] = { "thread pointer 0xffffffffffffffc0 with offset +64 (wraps above 2^64)",
			  64, -EFAULT },
	[A_TP_KERNEL] = { "thread pointer in the kernel direct map 0xffff888000000000",
			  0, -EFAULT },
	[A_VSYSCALL] = { "area in the vsyscall page 0xffffffffff600000", 0,
			 -EFAULT },
	[A_TP_TOP] = {
		"thread pointer 0x7ffffffff000 (end of user space) with the area below it mapped",
		0, 0
	},
};

struct area_case {
	enum area_kind k;
	bool clone;		/* clone3(CLONE_KTLS) rather than REGISTER */
};

static int area_child(void *arg)
{
	const struct area_case *c = arg;
	const struct area_kind_info *info = &area_info[c->k];
	long offset = info->offset ? info->offset : kt_offset;
	bool main_reg = !info->offset;
	bool wrfs = false, readable = false, writable_pattern = false;
	unsigned long tp = 0, area, apage;
	unsigned char before[KTLS_AREA_SIZE];
	struct reg_probe *p = kt_shared_alloc(sizeof(*p));
	struct kt_thread t;
	int v, threads;
	long r;

	v = main_setup(offset, main_reg);
	if (v)
		return v;
	if (kt_thread_prepare(&t, 0))
		return V_SETUP;
	area = t.tls + offset;
	apage = area & ~(page_size - 1);
	switch (c->k) {
	case A_OWN:
		tp = t.tls;
		readable = true;
		writable_pattern = true;
		break;
	case A_TP0:
		tp = 0;
		break;
	case A_TP_PLUS1:
		tp = t.tls + 1;
		break;
	case A_TP_PLUS8:
		tp = t.tls + 8;
		break;
	case A_TP_PLUS32:
		tp = t.tls + 32;
		break;
	case A_UNMAPPED:
		tp = t.tls;
		if (apage == (t.tls & ~(page_size - 1)))
			return V_SETUP;	/* the TCB would go too */
		munmap((void *)apage, page_size);
		break;
	case A_NONE:
		tp = t.tls;
		mprotect((void *)apage, page_size, PROT_NONE);
		break;
	case A_RDONLY:
		tp = t.tls;
		memset((void *)area, PATTERN, KTLS_AREA_SIZE);
		mprotect((void *)apage, page_size, PROT_READ);
		readable = true;
		break;
	case A_VDSO_TEXT:
		area = kt_find_mapping("[vdso]", NULL);
		tp = area - offset;
		readable = area != 0;
		break;
	case A_VVAR:
		area = kt_find_mapping("[vvar]", NULL);
		area = area ? area + 4 * page_size : 0;
		tp = area - offset;
		readable = area != 0;
		break;
	case A_PROG_TEXT:
		area = (unsigned long)area_child & ~(KTLS_AREA_ALIGN - 1UL);
		tp = area - offset;
		readable = true;
		break;
	case A_LAST64:
	case A_TP_TOP: {
		char *m = mmap((void *)(TASK_SIZE_MAX_X86 - page_size),
			       page_size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS |
			       MAP_FIXED_NOREPLACE, -1, 0);

		if (m == MAP_FAILED) {
			sh->skip = 1;
			snprintf(sh->why, sizeof(sh->why),
				 "cannot map the last user page: %s",
				 strerror(errno));
			return 0;
		}
		area = TASK_SIZE_MAX_X86 - KTLS_AREA_SIZE;
		tp = area - offset;
		readable = true;
		writable_pattern = true;
		/* The TCB's self pointer, for the vDSO without FSGSBASE. */
		if (c->k == A_LAST64)
			*(unsigned long *)tp = tp;
		if (c->k == A_TP_TOP) {
			/* offset is the static one: TP beyond user space. */
			tp = TASK_SIZE_MAX_X86;
			area = tp + offset;
			if (area < TASK_SIZE_MAX_X86 - page_size)
				return V_SETUP;
			wrfs = true;
		}
		break;
	}
	case A_BEYOND:
		area = TASK_SIZE_MAX_X86;
		tp = area - offset;
		break;
	case A_NONCANON:
		tp = TASK_SIZE_MAX_X86 - page_size;
		area = tp + offset;
		break;
	case A_WRAP_LOW:
		tp = 0x40;
		area = tp + offset;
		break;
	case A_WRAP_LOW_MAX:
		tp = 0x1000;
		area = tp + offset;
		break;
	case A_WRAP_HIGH:
		tp = ~0UL - 63;
		area = tp + offset;
		wrfs = true;
		break;
	case A_TP_KERNEL:
		tp = KERNEL_DIRECT_MAP;
		area = tp + offset;
		wrfs = true;
		break;
	case A_VSYSCALL:
		area = VSYSCALL_ADDR;
		tp = area - offset;
		wrfs = true;
		break;
	case NR_AREA_KINDS:
		break;
	}
	if ((c->k == A_VDSO_TEXT || c->k == A_VVAR) && !area)
		return V_SETUP;
	if (wrfs && !c->clone && !fsgsbase) {
		sh->skip = 1;
		snprintf(sh->why, sizeof(sh->why),
			 "no FSGSBASE: no way to run on thread pointer %#lx",
			 tp);
		return 0;
	}
	if (writable_pattern)
		memset((void *)area, PATTERN, KTLS_AREA_SIZE);
	if (readable)
		memcpy(before, (void *)area, KTLS_AREA_SIZE);
	threads = nr_threads(0);

	p->tp = tp;
	p->wrfs = wrfs && !c->clone;
	p->area = area;
	p->readable = readable;
	if (!c->clone) {
		/* A raw thread on the thread pointer tries REGISTER. */
		r = kt_thread_spawn(&t, KT_THREAD_FLAGS,
				    p->wrfs ? t.tls : tp, 0, reg_probe_fn, p);
		if (r <= 0) {
			ksft_print_msg("raw thread with tls %#lx: clone3 -> %s\n",
				       tp, kt_ret_str(r));
			return v | V_SETUP;
		}
		kt_thread_join(&t);
		sh->ret = p->reg;
		sh->expect = info->expect;
		v |= judge_probe(p, info->expect, offset);
	} else {
		long expect = info->expect;

		/* The architecture refuses such a tls first (EPERM). */
		if (tp >= TASK_SIZE_MAX_X86)
			expect = -EPERM;
		sh->expect = expect;
		r = kt_thread_spawn(&t, KT_THREAD_FLAGS | CLONE_KTLS,
				    tp, 0, clone_ok_fn, p);
		sh->ret = r > 0 ? 0 : r;
		if (r > 0) {
			kt_thread_join(&t);
			if (!probe_finished(p) || p->fs != tp ||
			    !kt_snap_check(&p->after, KT_EXPECT_AREA,
					     "clone3(CLONE_KTLS) thread") ||
			    p->unreg || p->unregistered.area_owner)
				v |= V_VDSO;
		}
		if (sh->ret != expect)
			v |= V_CALL;
		if (expect == -EPERM) {
			/* The same without CLONE_KTLS. */
			r = kt_thread_spawn(&t, KT_THREAD_FLAGS, tp, 0,
					    clone_ok_fn, p);
			sh->ret2 = r > 0 ? 0 : r;
			if (r > 0)
				kt_thread_join(&t);
			if (sh->ret2 != -EPERM)
				v |= V_CALL;
		}
	}
	/* Nothing written into an area that was refused. */
	if (readable && (c->clone ? sh->ret : p->reg) != 0 &&
	    memcmp(before, (void *)area, KTLS_AREA_SIZE)) {
		ksft_print_msg("the refused area at %#lx was written\n", area);
		v |= V_MEM;
	}
	r = nr_threads(threads);
	if (r != threads) {
		ksft_print_msg("threads: %d before, %ld after\n", threads, r);
		v |= V_THREAD;
	}
	return v | verify_main("main after the case", offset, main_reg);
}

/*
 * Each area kind through REGISTER in a raw thread (expected: the area
 * right and UNREGISTER clearing its owner word where accepted; REGISTER
 * again giving the same and the area's memory unchanged where refused;
 * GET_LAYOUT offset kept, UNREGISTER -ENOENT after, accessors == syscalls
 * in the thread and in main, main's registration kept, no thread left)
 * and through clone3(CLONE_KTLS) with that tls (no thread on failure, the
 * area's memory unchanged, main's registration and vDSO kept; a tls
 * beyond user space is refused with -EPERM by the architecture, as
 * without CLONE_KTLS).
 */
TEST_F_TIMEOUT(hostile, areas, 300)
{
	int k, clone;

	for (k = 0; k < NR_AREA_KINDS; k++) {
		for (clone = 0; clone < 2; clone++) {
			struct area_case c = { k, clone };
			const struct area_kind_info *info = &area_info[k];
			int v = in_child(area_child, &c);

			if (sh->skip) {
				TH_LOG("skipped: area: %s: %s: %s",
				       clone ? "clone3(CLONE_KTLS)" : "REGISTER in a raw thread",
				       info->what, sh->why);
				continue;
			}
			EXPECT_EQ(0, v)
				TH_LOG("area: %s, %s -> %s, expected %s: %s",
				       clone ? "clone3(CLONE_KTLS) with that tls" :
				       "REGISTER in a raw thread", info->what,
				       kt_ret_str(sh->ret),
				       kt_ret_str(clone ? sh->expect : info->expect),
				       v_str(v));
		}
	}
}

int main(int argc, char **argv)
{
	kt_require_vdso();
	return test_harness_run(argc, argv);
}
