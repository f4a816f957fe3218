// SPDX-License-Identifier: GPL-2.0
/*
 * KTLS ABI: the layout query, every rejected argument with its errno, the
 * registration state machine, and what REGISTER and UNREGISTER write.
 *
 * Every call that could change the process's state if the kernel wrongly
 * accepted it runs in a forked child, so that one wrong answer does not
 * spoil the checks after it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest.h"
#include "ktls_util.h"

#define SENTINEL1	0x5eed1234
#define SENTINEL2	0x0ddba11
#define PATTERN		0xa5

static long page_size;
static struct ktls_layout kernel_layout;

/* ---- prctl(PR_KTLS) in a forked child ---- */

#define LSZ	sizeof(struct ktls_layout)

/* A struct ktls_layout and the 16 bytes after it (a newer, larger one). */
union layout_buf {
	struct ktls_layout l;
	unsigned char b[2 * LSZ];
};

struct prctl_call {
	unsigned long op;
	const void *arg;
	unsigned long size;
	unsigned long arg5;
	union layout_buf buf;	/* arg points here for the P_LAYOUT* kinds */
};

/* What the child found wrong besides the call's result (exit statuses). */
enum {
	C_GOT_LAYOUT = 240,	/* GET_LAYOUT: the 16 bytes are not the layout */
	C_GOT_TAIL,		/* GET_LAYOUT wrote beyond the 16 bytes */
	C_SET_LOST,		/* SET_OFFSET: GET_LAYOUT lacks the offset */
	C_REJ_WROTE,		/* a rejected call wrote the buffer */
	C_REJ_STATE,		/* a rejected call changed offset or area */
};

/* The offset GET_LAYOUT reports; LONG_MIN if it fails. */
static long cur_offset(void)
{
	struct ktls_layout l = { 0 };

	return kt_get_layout(&l) ? LONG_MIN : (long)l.offset;
}

/*
 * Make the call.  Then an accepted GET_LAYOUT must have written the layout
 * and no byte beyond its 16, an accepted SET_OFFSET must show in
 * GET_LAYOUT, and a rejected call must have written nothing and changed
 * neither the offset nor the main thread's area (its owner word).
 */
static int prctl_call_fn(void *arg)
{
	struct prctl_call *c = arg;
	bool own_buf = c->arg == &c->buf;
	union layout_buf before = c->buf;
	uint64_t owner = kt_tls_area.owner;
	long offset = cur_offset(), now;
	long ret = kt_prctl(c->op, c->arg, c->size, c->arg5);

	if (ret > 0)
		return 255;
	if (!ret && own_buf && c->op == PR_KTLS_GET_LAYOUT) {
		if (c->buf.l.size != KTLS_AREA_SIZE ||
		    c->buf.l.alignment != KTLS_AREA_ALIGN ||
		    c->buf.l.offset != offset) {
			ksft_print_msg("GET_LAYOUT wrote %u %u %lld, expected %u %u %ld\n",
				       c->buf.l.size, c->buf.l.alignment,
				       (long long)c->buf.l.offset,
				       KTLS_AREA_SIZE, KTLS_AREA_ALIGN, offset);
			return C_GOT_LAYOUT;
		}
		if (memcmp(c->buf.b + LSZ, before.b + LSZ, LSZ))
			return C_GOT_TAIL;
	}
	if (!ret && own_buf && c->op == PR_KTLS_SET_OFFSET) {
		now = cur_offset();
		if (now != c->buf.l.offset) {
			ksft_print_msg("GET_LAYOUT offset %ld after SET_OFFSET of %lld\n",
				       now, (long long)c->buf.l.offset);
			return C_SET_LOST;
		}
	}
	if (ret < 0) {
		if (own_buf && memcmp(&c->buf, &before, sizeof(before)))
			return C_REJ_WROTE;
		now = cur_offset();
		if (now != offset || kt_tls_area.owner != owner) {
			ksft_print_msg("%s: offset %ld -> %ld, owner word %#llx -> %#llx\n",
				       kt_ret_str(ret), offset, now,
				       (unsigned long long)owner,
				       (unsigned long long)kt_tls_area.owner);
			return C_REJ_STATE;
		}
	}
	return ret < 0 ? (int)-ret : 0;
}

/*
 * Run the call in a forked child: the errno it failed with, 0 on success,
 * 255 for a positive return, a C_* status, or -1 when the child was killed.
 */
static int errno_in_child(int (*fn)(void *), void *arg)
{
	int st = kt_fork_run(fn, arg);

	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	ksft_print_msg("child %s\n", kt_status_str(st));
	return -1;
}

static const char *child_err_str(int err)
{
	if (err < 0)
		return "child killed";
	switch (err) {
	case 255:
		return "a positive value";
	case C_GOT_LAYOUT:
		return "0, but not the layout written";
	case C_GOT_TAIL:
		return "0, but bytes beyond the 16 of the layout written";
	case C_SET_LOST:
		return "0, but GET_LAYOUT does not return the offset";
	case C_REJ_WROTE:
		return "an error, but the buffer written";
	case C_REJ_STATE:
		return "an error, but the offset or the area changed";
	}
	return kt_errname(err);
}

static const char *op_str(unsigned long op)
{
	static const char *const names[] = {
		[PR_KTLS_GET_LAYOUT] = "PR_KTLS_GET_LAYOUT",
		[PR_KTLS_SET_OFFSET] = "PR_KTLS_SET_OFFSET",
		[PR_KTLS_REGISTER] = "PR_KTLS_REGISTER",
		[PR_KTLS_UNREGISTER] = "PR_KTLS_UNREGISTER",
	};
	static char b[64];
	unsigned long low = op & 0xff;

	if (op < ARRAY_SIZE(names) && names[op])
		return names[op];
	if (low < ARRAY_SIZE(names) && names[low])
		snprintf(b, sizeof(b), "%s|%#lx", names[low], op & ~0xffUL);
	else
		snprintf(b, sizeof(b), "%#lx", op);
	return b;
}

/* ---- the argument table ---- */

enum ptr_kind {
	P_NULL,		/* NULL */
	P_LAYOUT,	/* a layout, then 16 bytes PATTERN */
	P_LAYOUT_ZT,	/* a layout, then 16 zero bytes */
	P_LAYOUT_Z8,	/* a layout, then 8 zero bytes, 8 bytes PATTERN */
	P_LAYOUT_NZ31,	/* a layout, then 15 zero bytes and 0x01 */
	P_RDONLY,	/* a read-only page holding a good layout */
	P_NONE,		/* a PROT_NONE page */
};

static const char *const ptr_names[] = {
	[P_NULL] = "NULL",
	[P_LAYOUT] = "&layout+16 bytes 0xa5",
	[P_LAYOUT_ZT] = "&layout+16 zero bytes",
	[P_LAYOUT_Z8] = "&layout+8 zero bytes+8 bytes 0xa5",
	[P_LAYOUT_NZ31] = "&layout+15 zero bytes+0x01",
	[P_RDONLY] = "read-only page",
	[P_NONE] = "PROT_NONE page",
};

/* Which layout values a SET_OFFSET case passes. */
enum layout_kind {
	L_GOOD,
	L_OFF_ZERO,
	L_OFF_PLUS8,
	L_OFF_PLUS32,
	L_OFF_BELOW_MIN,
	L_OFF_ABOVE_MAX,
	L_SIZE_63,
	L_SIZE_0,
	L_ALIGN_32,
	L_ALIGN_0,
	L_ALIGN_96,
	L_ALIGN_65,
	L_OFF_OTHER,
};

struct arg_case {
	unsigned long op;
	enum ptr_kind ptr;
	unsigned long size;
	unsigned long arg5;
	enum layout_kind layout;
	int expect;
	const char *what;
};

static const struct arg_case before_set_cases[] = {
	/* GET_LAYOUT: a size of at least 16 gets the 16 bytes, no more. */
	{ PR_KTLS_GET_LAYOUT, P_LAYOUT, 0, 0, L_GOOD, EINVAL, "size 0" },
	{ PR_KTLS_GET_LAYOUT, P_LAYOUT, 15, 0, L_GOOD, EINVAL, "size 15" },
	{ PR_KTLS_GET_LAYOUT, P_LAYOUT, 17, 0, L_GOOD, 0,
	  "size 17: the layout written, the 17th byte and after untouched" },
	{ PR_KTLS_GET_LAYOUT, P_LAYOUT, 32, 0, L_GOOD, 0,
	  "size 32: the layout written, the last 16 bytes untouched" },
	{ PR_KTLS_GET_LAYOUT, P_LAYOUT, LSZ, 1, L_GOOD, EINVAL, "arg5 1" },
	{ PR_KTLS_GET_LAYOUT, P_LAYOUT, LSZ, 0x53053053, L_GOOD, EINVAL,
	  "arg5 0x53053053" },
	{ PR_KTLS_GET_LAYOUT, P_NULL, LSZ, 0, L_GOOD, EFAULT,
	  "NULL destination" },
	{ PR_KTLS_GET_LAYOUT, P_RDONLY, LSZ, 0, L_GOOD, EFAULT,
	  "read-only destination" },
	{ PR_KTLS_GET_LAYOUT, P_NONE, LSZ, 0, L_GOOD, EFAULT,
	  "PROT_NONE destination" },
	/* SET_OFFSET; a larger struct must have zeros beyond the 16 bytes. */
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, 0, 0, L_GOOD, EINVAL, "size 0" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, 15, 0, L_GOOD, EINVAL, "size 15" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT_ZT, 24, 0, L_GOOD, 0,
	  "size 24, its last 8 bytes zero: taken as the 16-byte layout" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT_Z8, 24, 0, L_GOOD, 0,
	  "size 24, its last 8 bytes zero, non-zero bytes beyond the size" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, 24, 0, L_GOOD, E2BIG,
	  "size 24, its last 8 bytes non-zero" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT_NZ31, 32, 0, L_GOOD, E2BIG,
	  "size 32, its last byte non-zero" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, LSZ, 1, L_GOOD, EINVAL, "arg5 1" },
	{ PR_KTLS_SET_OFFSET, P_NULL, LSZ, 0, L_GOOD, EFAULT,
	  "NULL source" },
	{ PR_KTLS_SET_OFFSET, P_NONE, LSZ, 0, L_GOOD, EFAULT,
	  "PROT_NONE source" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, LSZ, 0, L_OFF_ZERO, EINVAL,
	  "offset 0" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, LSZ, 0, L_OFF_PLUS8, EINVAL,
	  "offset static+8 (misaligned)" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, LSZ, 0, L_OFF_PLUS32, EINVAL,
	  "offset static+32 (misaligned)" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, LSZ, 0, L_OFF_BELOW_MIN, EINVAL,
	  "offset -(KTLS_OFFSET_MAX+64)" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, LSZ, 0, L_OFF_ABOVE_MAX, EINVAL,
	  "offset KTLS_OFFSET_MAX+64" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, LSZ, 0, L_SIZE_63, EINVAL,
	  "size 63" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, LSZ, 0, L_SIZE_0, EINVAL,
	  "size 0" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, LSZ, 0, L_ALIGN_32, EINVAL,
	  "alignment 32" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, LSZ, 0, L_ALIGN_0, EINVAL,
	  "alignment 0" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, LSZ, 0, L_ALIGN_96, EINVAL,
	  "alignment 96 (not a power of two)" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, LSZ, 0, L_ALIGN_65, EINVAL,
	  "alignment 65 (not a power of two)" },
	/*
	 * UNREGISTER / REGISTER.  Their bad arguments are tried where
	 * ENOENT cannot apply (after SET_OFFSET, while registered), as the
	 * header does not order EINVAL before ENOENT.
	 */
	{ PR_KTLS_UNREGISTER, P_NULL, 0, 0, L_GOOD, ENOENT,
	  "no area registered" },
	{ PR_KTLS_REGISTER, P_NULL, 0, 0, L_GOOD, ENOENT,
	  "no offset registered" },
	/* No operation: nothing written, nothing registered. */
	{ 0, P_LAYOUT, LSZ, 0, L_GOOD, EINVAL, "op 0" },
	{ 5, P_LAYOUT, LSZ, 0, L_GOOD, EINVAL, "op 5, one past the last" },
	{ 6, P_NULL, 0, 0, L_GOOD, EINVAL, "op 6" },
	{ 0x100, P_LAYOUT, LSZ, 0, L_GOOD, EINVAL, "op 0x100 (0 in 8 bits)" },
	{ PR_KTLS_GET_LAYOUT | 0x100, P_LAYOUT, LSZ, 0, L_GOOD, EINVAL,
	  "GET_LAYOUT in the low 8 bits" },
	{ PR_KTLS_SET_OFFSET | 0x100, P_LAYOUT, LSZ, 0, L_GOOD, EINVAL,
	  "SET_OFFSET in the low 8 bits, a good layout" },
	{ ~0UL, P_LAYOUT, LSZ, 0, L_GOOD, EINVAL, "op -1" },
	{ PR_KTLS_GET_LAYOUT | 1UL << 32, P_LAYOUT, LSZ, 0, L_GOOD, EINVAL,
	  "GET_LAYOUT in the low 32 bits" },
	{ PR_KTLS_REGISTER | 1UL << 32, P_NULL, 0, 0, L_GOOD, EINVAL,
	  "REGISTER in the low 32 bits" },
	{ PR_KTLS_GET_LAYOUT | 1UL << 5, P_LAYOUT, LSZ, 0, L_GOOD, EINVAL,
	  "GET_LAYOUT with bit 5" },
	{ PR_KTLS_REGISTER | 1UL << 31, P_NULL, 0, 0, L_GOOD, EINVAL,
	  "REGISTER with bit 31" },
	{ 1UL << 31, P_LAYOUT, LSZ, 0, L_GOOD, EINVAL, "op 1 << 31" },
};

static const struct arg_case after_set_cases[] = {
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, LSZ, 0, L_GOOD, EBUSY,
	  "same offset again" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT_ZT, 24, 0, L_GOOD, EBUSY,
	  "same offset again, size 24 with its last 8 bytes zero" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, LSZ, 0, L_OFF_OTHER, EBUSY,
	  "another offset (static-64)" },
	{ PR_KTLS_GET_LAYOUT, P_LAYOUT, 32, 0, L_GOOD, 0,
	  "size 32, offset set: the layout written, the last 16 bytes untouched" },
	{ PR_KTLS_UNREGISTER, P_NULL, 0, 0, L_GOOD, ENOENT,
	  "offset set, thread not registered" },
	{ PR_KTLS_REGISTER, P_LAYOUT, 0, 0, L_GOOD, EINVAL,
	  "non-NULL arg, offset set" },
	{ PR_KTLS_REGISTER, P_NULL, 8, 0, L_GOOD, EINVAL,
	  "size 8, offset set" },
	{ PR_KTLS_REGISTER, P_NULL, LSZ, 0, L_GOOD, EINVAL,
	  "size 16, offset set" },
	{ PR_KTLS_REGISTER, P_NULL, 0, 1, L_GOOD, EINVAL,
	  "arg5 1, offset set" },
	{ PR_KTLS_REGISTER, P_NULL, 0, 0x53053053, L_GOOD, EINVAL,
	  "arg5 0x53053053, offset set" },
	{ PR_KTLS_REGISTER | 1UL << 32, P_NULL, 0, 0, L_GOOD, EINVAL,
	  "REGISTER in the low 32 bits, offset set" },
};

static const struct arg_case registered_cases[] = {
	{ PR_KTLS_REGISTER, P_NULL, 0, 0, L_GOOD, EBUSY,
	  "REGISTER twice" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, LSZ, 0, L_GOOD, EBUSY,
	  "SET_OFFSET after REGISTER" },
	{ PR_KTLS_UNREGISTER, P_LAYOUT, 0, 0, L_GOOD, EINVAL,
	  "non-NULL arg while registered" },
	{ PR_KTLS_UNREGISTER, P_NULL, 4, 0, L_GOOD, EINVAL,
	  "size 4 while registered" },
	{ PR_KTLS_UNREGISTER, P_NULL, LSZ, 0, L_GOOD, EINVAL,
	  "size 16 while registered" },
	{ PR_KTLS_UNREGISTER, P_NULL, 0, 7, L_GOOD, EINVAL,
	  "arg5 7 while registered" },
	{ PR_KTLS_UNREGISTER | PR_KTLS_GET_LAYOUT, P_LAYOUT, LSZ, 0, L_GOOD,
	  EINVAL, "op 5 (UNREGISTER | GET_LAYOUT) while registered" },
	{ PR_KTLS_UNREGISTER | 1UL << 32, P_NULL, 0, 0, L_GOOD, EINVAL,
	  "UNREGISTER in the low 32 bits while registered" },
};

static void *rdonly_page, *none_page;

static void fill_layout(struct ktls_layout *l, enum layout_kind k)
{
	l->size = KTLS_AREA_SIZE;
	l->alignment = KTLS_AREA_ALIGN;
	l->offset = kt_offset;
	switch (k) {
	case L_GOOD:
		break;
	case L_OFF_ZERO:
		l->offset = 0;
		break;
	case L_OFF_PLUS8:
		l->offset += 8;
		break;
	case L_OFF_PLUS32:
		l->offset += 32;
		break;
	case L_OFF_BELOW_MIN:
		l->offset = -(KTLS_OFFSET_MAX + 64);
		break;
	case L_OFF_ABOVE_MAX:
		l->offset = KTLS_OFFSET_MAX + 64;
		break;
	case L_OFF_OTHER:	/* a different valid offset */
		l->offset -= 64;
		break;
	case L_SIZE_63:
		l->size = 63;
		break;
	case L_SIZE_0:
		l->size = 0;
		break;
	case L_ALIGN_32:
		l->alignment = 32;
		break;
	case L_ALIGN_0:
		l->alignment = 0;
		break;
	case L_ALIGN_96:
		l->alignment = 96;
		break;
	case L_ALIGN_65:
		l->alignment = 65;
		break;
	}
}

static void run_arg_case(const char *phase, const struct arg_case *c)
{
	struct prctl_call call = {
		.op = c->op,
		.size = c->size,
		.arg5 = c->arg5,
	};
	struct ktls_layout *l = &call.buf.l;
	char lstr[80] = "";
	int err;

	/* GET_LAYOUT's destination holds PATTERN: any byte written shows. */
	memset(call.buf.b, PATTERN, sizeof(call.buf.b));
	if (c->op != PR_KTLS_GET_LAYOUT)
		fill_layout(l, c->layout);
	switch (c->ptr) {
	case P_NULL:
		call.arg = NULL;
		break;
	case P_LAYOUT:
		call.arg = &call.buf;
		break;
	case P_LAYOUT_ZT:
		memset(call.buf.b + LSZ, 0, LSZ);
		call.arg = &call.buf;
		break;
	case P_LAYOUT_Z8:
		memset(call.buf.b + LSZ, 0, 8);
		call.arg = &call.buf;
		break;
	case P_LAYOUT_NZ31:
		memset(call.buf.b + LSZ, 0, LSZ);
		call.buf.b[2 * LSZ - 1] = 1;
		call.arg = &call.buf;
		break;
	case P_RDONLY:
		call.arg = rdonly_page;
		break;
	case P_NONE:
		call.arg = none_page;
		break;
	}
	if (c->op == PR_KTLS_SET_OFFSET && c->ptr != P_NULL && c->ptr != P_NONE)
		snprintf(lstr, sizeof(lstr), "; layout size=%u align=%u offset=%lld",
			 l->size, l->alignment, (long long)l->offset);
	err = errno_in_child(prctl_call_fn, &call);
	ksft_test_result(err == c->expect,
			 "%s: prctl(PR_KTLS, %s, %s, %lu, %#lx) [%s%s] -> %s, expected %s\n",
			 phase, op_str(c->op), ptr_names[c->ptr], c->size,
			 c->arg5, c->what, lstr, child_err_str(err),
			 kt_errname(c->expect));
}

static void run_arg_cases(const char *phase, const struct arg_case *c,
			  size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		run_arg_case(phase, &c[i]);
}

/* ---- SET_OFFSET accepted at the edges (in children) ---- */

struct set_case {
	uint32_t size, alignment;
	int64_t offset;
	const char *what;
};

static int set_then_get_fn(void *arg)
{
	struct set_case *c = arg;
	struct ktls_layout l = {
		.size = c->size,
		.alignment = c->alignment,
		.offset = c->offset,
	};
	struct ktls_layout g = { 0 };
	long ret;

	ret = kt_prctl(PR_KTLS_SET_OFFSET, &l, sizeof(l), 0);
	if (ret)
		return (int)-ret;
	if (kt_get_layout(&g))
		return 200;
	if (g.offset != c->offset)
		return 201;
	/* GET_LAYOUT reports the kernel's size and alignment, not ours. */
	if (g.size != kernel_layout.size ||
	    g.alignment != kernel_layout.alignment)
		return 202;
	return 0;
}

static void test_set_edges(void)
{
	struct set_case edges[] = {
		{ 64, 64, -KTLS_OFFSET_MAX, "offset -KTLS_OFFSET_MAX" },
		{ 64, 64, KTLS_OFFSET_MAX, "offset +KTLS_OFFSET_MAX" },
		{ 64, 64, 64, "offset +64" },
		{ 128, 64, kt_offset, "size 128 (larger than the kernel's)" },
		{ 64, 128, kt_offset & ~127L,
		  "alignment 128, offset a multiple of 128" },
		{ 64, 4096, -4096, "alignment 4096, offset -4096" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(edges); i++) {
		int err = errno_in_child(set_then_get_fn, &edges[i]);
		const char *why = err == 200 ? "GET_LAYOUT failed" :
				  err == 201 ? "GET_LAYOUT offset differs" :
				  err == 202 ? "GET_LAYOUT size/alignment not the kernel's" :
				  child_err_str(err);

		ksft_test_result(err == 0,
				 "SET_OFFSET accepts size=%u align=%u offset=%lld (%s), then GET_LAYOUT returns it: %s, expected 0\n",
				 edges[i].size, edges[i].alignment,
				 (long long)edges[i].offset, edges[i].what,
				 err ? why : "0");
	}
}

#define NR_SET_EDGES 6

/* ---- SET_OFFSET while the address space is shared ---- */

static void *block_fn(void *arg)
{
	char c;

	while (read(*(int *)arg, &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static int set_with_pthread_fn(void *arg)
{
	pthread_t th;
	int fds[2];
	long ret;

	(void)arg;
	if (pipe(fds) || pthread_create(&th, NULL, block_fn, &fds[0]))
		return 250;
	ret = kt_set_offset(kt_offset);
	close(fds[1]);
	pthread_join(th, NULL);
	return ret < 0 ? (int)-ret : 0;
}

static KT_RAW int wait_go_fn(struct kt_thread *t)
{
	kt_wait_for(&t->go, 1);
	return 0;
}

static int set_with_vm_child_fn(void *arg)
{
	struct kt_thread t;
	long ret, pid;
	int st;

	(void)arg;
	if (kt_thread_prepare(&t, 0))
		return 250;
	pid = kt_thread_spawn(&t, CLONE_VM, 0, SIGCHLD, wait_go_fn, NULL);
	if (pid < 0)
		return 251;
	ret = kt_set_offset(kt_offset);
	kt_post(&t.go, 1);
	waitpid(pid, &st, __WALL);
	return ret < 0 ? (int)-ret : 0;
}

/* ---- clone3(CLONE_KTLS) rejected (in children) ---- */

enum tls_kind {
	T_OWN,		/* the fake TCB */
	T_ZERO,		/* tls = 0 */
	T_MISALIGNED,	/* fake TCB + 8: area not 64-aligned */
	T_AREA_RDONLY,	/* the area's page is read-only */
	T_AREA_NONE,	/* the area's page is PROT_NONE */
};

static const char *const tls_names[] = {
	[T_OWN] = "own TCB",
	[T_ZERO] = "tls 0",
	[T_MISALIGNED] = "TCB+8 (area misaligned)",
	[T_AREA_RDONLY] = "area page read-only",
	[T_AREA_NONE] = "area page PROT_NONE",
};

struct clone_case {
	uint64_t flags;
	int sig;
	enum tls_kind tls;
	int expect;
	const char *what;
};

static KT_RAW int nop_fn(struct kt_thread *t)
{
	(void)t;
	return 0;
}

static unsigned long setup_tls(struct kt_thread *t, enum tls_kind k)
{
	unsigned long apage = (unsigned long)t->area & ~(page_size - 1);

	switch (k) {
	case T_OWN:
		break;
	case T_ZERO:
		return 0;
	case T_MISALIGNED:
		return t->tls + 8;
	case T_AREA_RDONLY:
		mprotect((void *)apage, page_size, PROT_READ);
		break;
	case T_AREA_NONE:
		mprotect((void *)apage, page_size, PROT_NONE);
		break;
	}
	return t->tls;
}

static int clone_case_fn(void *arg)
{
	struct clone_case *c = arg;
	struct kt_thread t;
	unsigned long tls;
	long ret;
	int st;

	if (kt_thread_prepare(&t, 0))
		return 250;
	tls = setup_tls(&t, c->tls);
	ret = kt_thread_spawn(&t, c->flags, tls, c->sig, nop_fn, NULL);
	if (ret > 0) {
		if (c->flags & CLONE_THREAD)
			kt_thread_join(&t);
		else
			waitpid(ret, &st, __WALL);
		return 0;
	}
	return (int)-ret;
}

#define VMFLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND)

static const struct clone_case clone_before_set[] = {
	{ KT_THREAD_FLAGS | CLONE_KTLS, 0, T_OWN, ENOENT,
	  "no offset registered" },
};

static const struct clone_case clone_after_set[] = {
	{ VMFLAGS | CLONE_SETTLS | CLONE_KTLS, SIGCHLD, T_OWN, EINVAL,
	  "without CLONE_THREAD" },
	{ (KT_THREAD_FLAGS & ~CLONE_SETTLS) | CLONE_KTLS, 0, T_OWN,
	  EINVAL, "without CLONE_SETTLS" },
	{ CLONE_KTLS, SIGCHLD, T_OWN, EINVAL,
	  "alone (a fork-like clone)" },
	{ KT_THREAD_FLAGS | CLONE_KTLS, 0, T_ZERO, EINVAL,
	  "thread pointer 0" },
	{ KT_THREAD_FLAGS | CLONE_KTLS, 0, T_MISALIGNED, EINVAL,
	  "area not 64-aligned" },
	{ KT_THREAD_FLAGS | CLONE_KTLS, 0, T_AREA_RDONLY, EFAULT,
	  "area not writable" },
	{ KT_THREAD_FLAGS | CLONE_KTLS, 0, T_AREA_NONE, EFAULT,
	  "area not mapped accessibly" },
};

static void run_clone_cases(const char *phase, const struct clone_case *c,
			    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int err = errno_in_child(clone_case_fn, (void *)&c[i]);

		ksft_test_result(err == c[i].expect,
				 "%s: clone3(flags=%#llx, tls=%s) with CLONE_KTLS %s -> %s, expected %s\n",
				 phase, (unsigned long long)c[i].flags,
				 tls_names[c[i].tls], c[i].what,
				 err == 0 ? "a new thread" : child_err_str(err),
				 kt_errname(c[i].expect));
	}
}

/* ---- REGISTER from a raw thread with a bad area (in children) ---- */

static KT_RAW int register_fn(struct kt_thread *t)
{
	t->val[0] = kt_register();
	if (!t->val[0]) {
		kt_snap_take(&t->snap[0], t->area);
		t->val[1] = kt_unregister();
	}
	return 0;
}

static int register_case_fn(void *arg)
{
	enum tls_kind k = (enum tls_kind)(long)arg;
	struct kt_thread t;
	unsigned long tls;
	long ret;

	if (kt_thread_prepare(&t, 0))
		return 250;
	tls = setup_tls(&t, k);
	ret = kt_thread_spawn(&t, KT_THREAD_FLAGS, tls, 0, register_fn,
			      NULL);
	if (ret < 0)
		return 251;
	kt_thread_join(&t);
	if (t.val[0] == 0 && k == T_OWN) {
		/* Registered: the area was right, and UNREGISTER worked. */
		if (!kt_snap_check(&t.snap[0], KT_EXPECT_AREA,
				   "raw thread after REGISTER"))
			return 252;
		if (t.val[1] != 0 || t.area->owner != 0)
			return 253;
	}
	return t.val[0] < 0 ? (int)-t.val[0] : 0;
}

static void test_register_cases(void)
{
	static const struct {
		enum tls_kind k;
		int expect;
	} kinds[] = {
		{ T_OWN, 0 },
		{ T_ZERO, EINVAL },
		{ T_MISALIGNED, EINVAL },
		{ T_AREA_RDONLY, EFAULT },
		{ T_AREA_NONE, EFAULT },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		int err = errno_in_child(register_case_fn,
					 (void *)(long)kinds[i].k);
		const char *why = err == 252 ? "area wrong after REGISTER" :
				  err == 253 ? "UNREGISTER failed or left tp" :
				  err == 250 || err == 251 ? "setup failed" :
				  child_err_str(err);

		ksft_test_result(err == kinds[i].expect,
				 "REGISTER in a raw thread (no CLONE_KTLS) with %s -> %s, expected %s%s\n",
				 tls_names[kinds[i].k], why,
				 kt_errname(kinds[i].expect),
				 kinds[i].k == T_OWN ?
				 " (area right, UNREGISTER clears tp)" : "");
	}
}

#define NR_REGISTER_CASES 5

/* ---- checks in the main thread ---- */

static void test_unregistered_process(const char *when)
{
	struct kt_snap s;

	if (!kt_vdso_ok) {
		ksft_test_result_skip("%s: vDSO lacks __vdso_ktls_*\n", when);
		return;
	}
	kt_snap_take(&s, &kt_tls_area);
	ksft_test_result(kt_snap_check(&s, KT_EXPECT_NO_AREA, when),
			 "%s: vDSO accessors equal gettid/getpid/getuid/geteuid/getgid/getegid, errno_location NULL without an offset (else the slot), owner word not valid\n",
			 when);
}

static void test_layout(void)
{
	struct ktls_layout l = { 0xdead, 0xbeef, 0x1234 };
	long ret = kt_get_layout(&l);

	ksft_test_result(!ret && l.size == KTLS_AREA_SIZE &&
			 l.alignment == KTLS_AREA_ALIGN && l.offset == 0,
			 "GET_LAYOUT before SET_OFFSET -> %s size=%u alignment=%u offset=%lld, expected 0 64 64 0\n",
			 kt_ret_str(ret), l.size, l.alignment,
			 (long long)l.offset);
	kernel_layout = l;
}

static void test_auxv(void)
{
	unsigned long sz = getauxval(AT_KTLS_SIZE);
	unsigned long al = getauxval(AT_KTLS_ALIGN);

	ksft_test_result(sz == kernel_layout.size &&
			 al == kernel_layout.alignment && sz == 64 && al == 64,
			 "auxv AT_KTLS_SIZE=%lu AT_KTLS_ALIGN=%lu, expected the GET_LAYOUT values %u %u (64 64)\n",
			 sz, al, kernel_layout.size, kernel_layout.alignment);
}

static void test_set_busy(void)
{
	int err = errno_in_child(set_with_pthread_fn, NULL);

	ksft_test_result(err == EBUSY,
			 "SET_OFFSET while a second thread (pthread) exists -> %s, expected EBUSY\n",
			 err >= 250 && err < 255 ? "setup failed" :
			 child_err_str(err));
	err = errno_in_child(set_with_vm_child_fn, NULL);
	ksft_test_result(err == EBUSY,
			 "SET_OFFSET while a CLONE_VM child process exists -> %s, expected EBUSY\n",
			 err >= 250 && err < 255 ? "setup failed" :
			 child_err_str(err));
}

static void test_set(void)
{
	struct ktls_layout l = { 0 };
	long ret = kt_set_offset(kt_offset);
	long ret2;

	ksft_test_result(ret == 0,
			 "SET_OFFSET size=64 align=64 offset=%ld (the static TLS offset) -> %s, expected 0\n",
			 kt_offset, kt_ret_str(ret));
	ret2 = kt_get_layout(&l);
	ksft_test_result(!ret2 && l.offset == kt_offset && l.size == 64 &&
			 l.alignment == 64,
			 "GET_LAYOUT after SET_OFFSET -> %s size=%u alignment=%u offset=%lld, expected 0 64 64 %ld\n",
			 kt_ret_str(ret2), l.size, l.alignment,
			 (long long)l.offset, kt_offset);
	ksft_test_result(kt_tls_area.owner == 0,
			 "SET_OFFSET does not write the main thread's area: owner=%#llx, expected 0\n",
			 (unsigned long long)kt_tls_area.owner);
}

static void test_register(void)
{
	struct kt_snap s;
	long ret;

	kt_tls_area.errno_value = SENTINEL1;
	ret = kt_register();
	ksft_test_result(ret == 0, "REGISTER in the main thread -> %s, expected 0\n",
			 kt_ret_str(ret));
	kt_snap_take(&s, &kt_tls_area);
	ksft_test_result(kt_snap_check(&s, KT_EXPECT_AREA,
				       "main after REGISTER"),
			 "after REGISTER: area tp == thread pointer %#lx, tid/pid/uid/euid/gid/egid equal the syscalls, vDSO equals syscalls, errno_location == &area.errno_value\n",
			 kt_tp());
	ksft_test_result(s.area_errno == SENTINEL1,
			 "REGISTER keeps errno_value: %#x written before, %#x after, expected %#x\n",
			 SENTINEL1, s.area_errno, SENTINEL1);
}

static int nop_child_fn(void *arg)
{
	(void)arg;
	return 0;
}

static void test_errno_value_kept(void)
{
	int32_t seen1, seen2 = 0;
	bool via_loc = true;

	kt_tls_area.errno_value = SENTINEL2;
	/* Credential commits that change nothing, and a fork. */
	kt_sys3(SYS_setresuid, -1, -1, -1);
	kt_sys3(SYS_setresgid, -1, -1, -1);
	kt_fork_run(nop_child_fn, NULL);
	kt_sys0(SYS_getppid);
	seen1 = kt_tls_area.errno_value;
	if (kt_vdso_ok) {
		int *p = kt_vdso.errno_location();

		if (p) {
			*p = 4242;
			seen2 = kt_tls_area.errno_value;
		}
		via_loc = p && seen2 == 4242;
	}
	kt_tls_area.errno_value = SENTINEL1;
	ksft_test_result(seen1 == SENTINEL2 && via_loc,
			 "errno_value is user space's: %#x written, after setresuid(-1,-1,-1)/setresgid(-1,-1,-1)/fork it reads %#x (expected %#x); writing 4242 through errno_location() reads back %d from the area\n",
			 SENTINEL2, seen1, SENTINEL2, seen2);
}

static KT_RAW int snap_wait_fn(struct kt_thread *t)
{
	kt_snap_take(&t->snap[0], t->area);
	kt_wait_for(&t->go, 1);
	return 0;
}

static void test_thread_exit(void)
{
	struct kt_thread t;
	uint64_t alive = 0, dead = 0;
	bool ok = false, after = false;
	long ret;

	ret = kt_thread_start(&t, snap_wait_fn, NULL);
	if (ret > 0) {
		while (!__atomic_load_n(&t.snap[0].taken, __ATOMIC_SEQ_CST))
			kt_sys0(SYS_sched_yield);
		ok = kt_snap_check(&t.snap[0], KT_EXPECT_AREA,
				   "raw CLONE_KTLS thread");
		alive = t.area->owner;
		kt_post(&t.go, 1);
		kt_thread_join(&t);
		dead = t.area->owner;
		/* A thread without an area arrives at the dead one's TCB. */
		if (kt_thread_spawn(&t, KT_THREAD_FLAGS, t.tls, 0,
				    snap_wait_fn, NULL) > 0) {
			kt_post(&t.go, 1);
			kt_thread_join(&t);
			after = kt_snap_check(&t.snap[0], KT_EXPECT_NO_AREA,
					      "thread on a dead thread's TCB");
		}
	}
	ksft_test_result(ret > 0 && ok,
			 "clone3(CLONE_KTLS) -> %s; the thread's area has tp == its TCB and its ids, vDSO equal syscalls\n",
			 kt_ret_str(ret));
	ksft_test_result(ret > 0 && alive == (t.tls ^ kt_key()) && dead == alive,
			 "thread exit writes nothing: owner word while alive %#llx (expected tp ^ key %#llx), after exit %#llx (expected the same)\n",
			 (unsigned long long)alive, (unsigned long long)(t.tls ^ kt_key()),
			 (unsigned long long)dead);
	ksft_test_result(after,
			 "a thread without an area on the dead thread's TCB: the old owner word is invalidated, vDSO == its own syscalls\n");
	kt_thread_free(&t);
}

static void test_unregister(void)
{
	struct kt_snap s;
	long ret, ret2, ret3;

	ret = kt_unregister();
	kt_snap_take(&s, &kt_tls_area);
	ksft_test_result(ret == 0 && s.area_owner == 0 &&
			 s.area_errno == SENTINEL1,
			 "UNREGISTER -> %s with owner=%#llx errno_value=%#x, expected 0 with owner 0, errno_value %#x kept\n",
			 kt_ret_str(ret), (unsigned long long)s.area_owner,
			 s.area_errno, SENTINEL1);
	if (kt_vdso_ok)
		ksft_test_result(kt_snap_check(&s, KT_EXPECT_NO_AREA,
					       "after UNREGISTER"),
				 "after UNREGISTER: vDSO accessors equal the syscalls, errno_location still the slot\n");
	else
		ksft_test_result_skip("after UNREGISTER: vDSO lacks __vdso_ktls_*\n");
	ret2 = kt_unregister();
	ksft_test_result(ret2 == -ENOENT,
			 "UNREGISTER again -> %s, expected -ENOENT\n",
			 kt_ret_str(ret2));
	ret3 = kt_register();
	kt_snap_take(&s, &kt_tls_area);
	ksft_test_result(ret3 == 0 &&
			 kt_snap_check(&s, KT_EXPECT_AREA,
				       "after re-REGISTER"),
			 "REGISTER after UNREGISTER -> %s, expected 0 with a valid area\n",
			 kt_ret_str(ret3));
}

int main(void)
{
	page_size = sysconf(_SC_PAGESIZE);
	ksft_print_header();
	kt_require(NULL);
	kt_vdso_init();

	rdonly_page = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	none_page = mmap(NULL, page_size, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rdonly_page == MAP_FAILED || none_page == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	fill_layout(rdonly_page, L_GOOD);
	mprotect(rdonly_page, page_size, PROT_READ);

	ksft_set_plan(3 + ARRAY_SIZE(before_set_cases) + NR_SET_EDGES + 2 +
		      ARRAY_SIZE(clone_before_set) + 3 + 1 +
		      ARRAY_SIZE(after_set_cases) +
		      ARRAY_SIZE(clone_after_set) + NR_REGISTER_CASES +
		      3 + ARRAY_SIZE(registered_cases) + 1 + 3 + 4);

	/* A process that never registered anything. */
	test_unregistered_process("fresh process");
	test_layout();
	test_auxv();
	run_arg_cases("before SET_OFFSET", before_set_cases,
		      ARRAY_SIZE(before_set_cases));
	test_set_edges();
	test_set_busy();
	run_clone_cases("before SET_OFFSET", clone_before_set,
			ARRAY_SIZE(clone_before_set));

	/* The process has an offset; the main thread has no area yet. */
	test_set();
	test_unregistered_process("offset set, initial thread not registered");
	run_arg_cases("offset set", after_set_cases,
		      ARRAY_SIZE(after_set_cases));
	run_clone_cases("offset set", clone_after_set,
			ARRAY_SIZE(clone_after_set));
	test_register_cases();

	/* The main thread registered. */
	test_register();
	run_arg_cases("initial thread registered", registered_cases,
		      ARRAY_SIZE(registered_cases));
	test_errno_value_kept();
	test_thread_exit();
	test_unregister();

	ksft_finished();
	return 0;
}
