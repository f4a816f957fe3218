// SPDX-License-Identifier: GPL-2.0
/*
 * KTLS ABI: the layout query, rejected arguments with their errno in each
 * state (ktls_hostile sweeps the arguments' ranges), the registration
 * state machine, and what REGISTER and UNREGISTER write.
 *
 * Three fixtures bring each test's process to one state of that machine:
 * fresh (nothing set), offset (SET_OFFSET done) and registered (main
 * REGISTERed too).  Every call that could change the process's state if
 * the kernel wrongly accepted it runs in a forked child, so that one wrong
 * answer does not spoil the checks after it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "ktls_util.h"

#define SENTINEL1	0x5eed1234
#define SENTINEL2	0x0ddba11
#define PATTERN		0xa5

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
	C_SET_LOST = 240,	/* SET_OFFSET: GET_LAYOUT lacks the offset */
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
 * Run in a forked child (kt_fork_exit_code(): the errno the call failed
 * with, 0 on success, 255 for a positive return, a C_* status, or -1 when
 * the child was killed).  Make the call.  Then an accepted SET_OFFSET must
 * show in GET_LAYOUT, and a rejected call must have written nothing and
 * changed neither the offset nor the main thread's area (its owner word).
 * (No row has GET_LAYOUT accepted: ktls_hostile's usizes checks those.)
 */
static int prctl_call_fn(void *arg)
{
	struct prctl_call *c = arg;
	bool own_buf = c->arg == &c->buf;
	union layout_buf before = c->buf;
	__u64 owner = kt_tls_area.owner;
	long offset = cur_offset(), now;
	long ret = kt_prctl(c->op, c->arg, c->size, c->arg5);

	if (ret > 0)
		return 255;
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

static const char *child_err_str(int err)
{
	if (err < 0)
		return "child killed";
	switch (err) {
	case 255:
		return "a positive value";
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
};

static const char *const ptr_names[] = {
	[P_NULL] = "NULL",
	[P_LAYOUT] = "&layout+16 bytes 0xa5",
	[P_LAYOUT_ZT] = "&layout+16 zero bytes",
	[P_LAYOUT_Z8] = "&layout+8 zero bytes+8 bytes 0xa5",
};

/* Which layout values a SET_OFFSET case passes. */
enum layout_kind {
	L_GOOD,
	L_OFF_PLUS8,
	L_OFF_PLUS32,
	L_ALIGN_32,
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

/*
 * Each case that ktls_hostile makes with the same input and a superset
 * of these checks is left to it (the sizes of the struct, the layout
 * pointers, offsets and sizes and alignments, the operations and arg5
 * bits): here are the states it does not set up and the values it does
 * not sweep.
 */
static const struct arg_case before_set_cases[] = {
	{ PR_KTLS_GET_LAYOUT, P_LAYOUT, LSZ, 0x53053053, L_GOOD, EINVAL,
	  "arg5 0x53053053" },
	/* SET_OFFSET; a larger struct must have zeros beyond the 16 bytes. */
	{ PR_KTLS_SET_OFFSET, P_LAYOUT_Z8, 24, 0, L_GOOD, 0,
	  "size 24, its last 8 bytes zero, non-zero bytes beyond the size" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, 24, 0, L_GOOD, E2BIG,
	  "size 24, its last 8 bytes non-zero" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, LSZ, 0, L_OFF_PLUS8, EINVAL,
	  "offset static+8 (misaligned)" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, LSZ, 0, L_OFF_PLUS32, EINVAL,
	  "offset static+32 (misaligned)" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, LSZ, 0, L_ALIGN_32, EINVAL,
	  "alignment 32" },
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
	{ PR_KTLS_GET_LAYOUT | 1UL << 5, P_LAYOUT, LSZ, 0, L_GOOD, EINVAL,
	  "GET_LAYOUT with bit 5" },
};

static const struct arg_case after_set_cases[] = {
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, LSZ, 0, L_GOOD, EBUSY,
	  "same offset again" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT_ZT, 24, 0, L_GOOD, EBUSY,
	  "same offset again, size 24 with its last 8 bytes zero" },
	{ PR_KTLS_SET_OFFSET, P_LAYOUT, LSZ, 0, L_OFF_OTHER, EBUSY,
	  "another offset (static-64)" },
	{ PR_KTLS_UNREGISTER, P_NULL, 0, 0, L_GOOD, ENOENT,
	  "offset set, thread not registered" },
	{ PR_KTLS_REGISTER, P_LAYOUT, 0, 0, L_GOOD, EINVAL,
	  "non-NULL arg, offset set" },
	{ PR_KTLS_REGISTER, P_NULL, 8, 0, L_GOOD, EINVAL,
	  "size 8, offset set" },
	{ PR_KTLS_REGISTER, P_NULL, LSZ, 0, L_GOOD, EINVAL,
	  "size 16, offset set" },
	{ PR_KTLS_REGISTER, P_NULL, 0, 0x53053053, L_GOOD, EINVAL,
	  "arg5 0x53053053, offset set" },
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
};

static void fill_layout(struct ktls_layout *l, enum layout_kind k)
{
	/* L_OFF_OTHER: another valid offset. */
	static const long delta[] = {
		[L_OFF_PLUS8] = 8, [L_OFF_PLUS32] = 32, [L_OFF_OTHER] = -64,
	};

	*l = kt_layout(kt_offset + delta[k]);
	if (k == L_ALIGN_32)
		l->alignment = 32;
}

/* The case's call in a child: what kt_fork_exit_code() returns. */
static int run_arg_case(const struct arg_case *c)
{
	struct prctl_call call = {
		.op = c->op,
		.size = c->size,
		.arg5 = c->arg5,
	};
	struct ktls_layout *l = &call.buf.l;

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
	}
	return kt_fork_exit_code(prctl_call_fn, &call);
}

/* Every case of the table @c gives the errno it expects. */
static void arg_cases(struct __test_metadata *_metadata,
		      const struct arg_case *c, size_t n)
{
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		err = run_arg_case(&c[i]);
		EXPECT_EQ(c[i].expect, err)
			TH_LOG("prctl(PR_KTLS, %s, %s, %lu, %#lx) [%s] -> %s, expected %s",
			       op_str(c[i].op), ptr_names[c[i].ptr], c[i].size,
			       c[i].arg5, c[i].what, child_err_str(err),
			       kt_errname(c[i].expect));
	}
}

/* ---- the fixtures: the process brought to a state ---- */

enum phase { FRESH, OFFSET, REGISTERED };

static void abi_setup(struct __test_metadata *_metadata, enum phase phase)
{
	kt_require(&kernel_layout);
	kt_vdso_init();
	if (phase >= OFFSET)
		ASSERT_EQ(0, kt_set_offset(kt_offset));
	if (phase >= REGISTERED) {
		kt_tls_area.errno_value = SENTINEL1;
		ASSERT_EQ(0, kt_register());
	}
}

/* Nothing set: the process as exec left it. */
FIXTURE(fresh) {
};

FIXTURE_SETUP(fresh)
{
	abi_setup(_metadata, FRESH);
}

FIXTURE_TEARDOWN(fresh)
{
}

/* SET_OFFSET done, the main thread not registered. */
FIXTURE(offset) {
};

FIXTURE_SETUP(offset)
{
	abi_setup(_metadata, OFFSET);
}

FIXTURE_TEARDOWN(offset)
{
}

/* SET_OFFSET done and the main thread REGISTERed. */
FIXTURE(registered) {
};

FIXTURE_SETUP(registered)
{
	abi_setup(_metadata, REGISTERED);
}

FIXTURE_TEARDOWN(registered)
{
}

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
	kt_wait_for(t->arg, 1);
	return 0;
}

static int set_with_vm_child_fn(void *arg)
{
	struct kt_thread t;
	long ret, pid;
	int st, go = 0;

	(void)arg;
	if (kt_thread_prepare(&t, 0))
		return 250;
	pid = kt_thread_spawn(&t, CLONE_VM, 0, SIGCHLD, wait_go_fn, &go);
	if (pid < 0)
		return 251;
	ret = kt_set_offset(kt_offset);
	kt_post(&go, 1);
	waitpid(pid, &st, __WALL);
	return ret < 0 ? (int)-ret : 0;
}

/* ---- clone3(CLONE_KTLS) rejected (in children) ---- */

/*
 * The flags and the state: each on the thread's own fake TCB.  The thread
 * pointers and areas clone3 refuses (0, misaligned, read-only, PROT_NONE
 * ...) are ktls_hostile's areas test, as is REGISTER in a raw thread.
 */
struct clone_case {
	__u64 flags;
	int sig;
	int expect;
	const char *what;
};

static KT_RAW int nop_fn(struct kt_thread *t)
{
	(void)t;
	return 0;
}

static int clone_case_fn(void *arg)
{
	struct clone_case *c = arg;
	struct kt_thread t;
	long ret;
	int st;

	if (kt_thread_prepare(&t, 0))
		return 250;
	ret = kt_thread_spawn(&t, c->flags, t.tls, c->sig, nop_fn, NULL);
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
	{ KT_THREAD_FLAGS | CLONE_KTLS, 0, ENOENT, "no offset registered" },
};

static const struct clone_case clone_after_set[] = {
	{ VMFLAGS | CLONE_SETTLS | CLONE_KTLS, SIGCHLD, EINVAL,
	  "without CLONE_THREAD" },
	{ (KT_THREAD_FLAGS & ~CLONE_SETTLS) | CLONE_KTLS, 0, EINVAL,
	  "without CLONE_SETTLS" },
	{ CLONE_KTLS, SIGCHLD, EINVAL, "alone (a fork-like clone)" },
};

/* Every clone3(CLONE_KTLS) case of @c gives the errno it expects. */
static void clone_cases(struct __test_metadata *_metadata,
			const struct clone_case *c, size_t n)
{
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		err = kt_fork_exit_code(clone_case_fn, (void *)&c[i]);
		EXPECT_EQ(c[i].expect, err)
			TH_LOG("clone3(flags=%#llx) with CLONE_KTLS %s -> %s, expected %s",
			       (unsigned long long)c[i].flags, c[i].what,
			       err == 0 ? "a new thread" : child_err_str(err),
			       kt_errname(c[i].expect));
	}
}

/* ---- checks in the main thread ---- */

/* GET_LAYOUT before SET_OFFSET -> 0, size 64, alignment 64, offset 0. */
TEST_F(fresh, get_layout)
{
	struct ktls_layout l = { 0xdead, 0xbeef, 0x1234 };

	ASSERT_EQ(0, kt_get_layout(&l));
	EXPECT_EQ((__u32)KTLS_AREA_SIZE, l.size);
	EXPECT_EQ((__u32)KTLS_AREA_ALIGN, l.alignment);
	EXPECT_EQ(0, l.offset);
}

/* The auxiliary vector's AT_KTLS_SIZE and AT_KTLS_ALIGN: 64 and 64. */
TEST_F(fresh, auxv)
{
	EXPECT_EQ(kernel_layout.size, getauxval(AT_KTLS_SIZE));
	EXPECT_EQ(kernel_layout.alignment, getauxval(AT_KTLS_ALIGN));
	EXPECT_EQ(64UL, getauxval(AT_KTLS_SIZE));
	EXPECT_EQ(64UL, getauxval(AT_KTLS_ALIGN));
}

TEST_F(fresh, rejected_arguments)
{
	arg_cases(_metadata, before_set_cases, ARRAY_SIZE(before_set_cases));
}

/* SET_OFFSET while a second thread (a pthread) exists -> EBUSY. */
TEST_F(fresh, set_offset_beside_pthread)
{
	EXPECT_EQ(EBUSY, kt_fork_exit_code(set_with_pthread_fn, NULL));
}

/* SET_OFFSET while a CLONE_VM child process exists -> EBUSY. */
TEST_F(fresh, set_offset_beside_clone_vm_child)
{
	EXPECT_EQ(EBUSY, kt_fork_exit_code(set_with_vm_child_fn, NULL));
}

TEST_F(fresh, clone_ktls_without_offset)
{
	clone_cases(_metadata, clone_before_set, ARRAY_SIZE(clone_before_set));
}

/*
 * SET_OFFSET of the static TLS offset -> 0; GET_LAYOUT returns it (size
 * and alignment 64); the main thread's area is not written, and it has
 * none: the vDSO equals the system calls, errno_location is the slot.
 */
TEST_F(fresh, set_offset)
{
	struct ktls_layout l = { 0 };

	ASSERT_EQ(0, kt_set_offset(kt_offset));
	ASSERT_EQ(0, kt_get_layout(&l));
	EXPECT_EQ(kt_offset, l.offset);
	EXPECT_EQ(64U, l.size);
	EXPECT_EQ(64U, l.alignment);
	EXPECT_EQ(0UL, kt_tls_area.owner);
	kt_expect_self(_metadata, KT_EXPECT_NO_AREA,
		       "offset set, initial thread not registered");
}

TEST_F(offset, rejected_arguments)
{
	arg_cases(_metadata, after_set_cases, ARRAY_SIZE(after_set_cases));
}

TEST_F(offset, clone_ktls_rejected)
{
	clone_cases(_metadata, clone_after_set, ARRAY_SIZE(clone_after_set));
}

/*
 * REGISTER in the main thread -> 0: the area's owner word is the thread
 * pointer ^ key, its ids equal the syscalls, the vDSO equals the
 * syscalls, errno_location is the slot; errno_value is kept.
 */
TEST_F(offset, register)
{
	struct kt_snap s;

	kt_tls_area.errno_value = SENTINEL1;
	ASSERT_EQ(0, kt_register());
	kt_snap_take(&s, &kt_tls_area);
	kt_expect_snap(_metadata, &s, KT_EXPECT_AREA, "main after REGISTER");
	EXPECT_EQ(SENTINEL1, s.area_errno);
}

TEST_F(registered, rejected_arguments)
{
	arg_cases(_metadata, registered_cases, ARRAY_SIZE(registered_cases));
}

static int nop_child_fn(void *arg)
{
	(void)arg;
	return 0;
}

/*
 * errno_value is user space's: after credential commits that change
 * nothing and a fork it still holds what was written; a value written
 * through errno_location() reads back from the area.
 */
TEST_F(registered, errno_value_kept)
{
	int *p;

	kt_tls_area.errno_value = SENTINEL2;
	kt_sys3(SYS_setresuid, -1, -1, -1);
	kt_sys3(SYS_setresgid, -1, -1, -1);
	kt_fork_run(nop_child_fn, NULL);
	kt_sys0(SYS_getppid);
	EXPECT_EQ(SENTINEL2, kt_tls_area.errno_value);
	p = kt_vdso.errno_location();
	ASSERT_NE(NULL, p);
	*p = 4242;
	EXPECT_EQ(4242, kt_tls_area.errno_value);
}

/* A raw thread's look at its area, then its wait for the test. */
struct exit_seen {
	struct kt_snap snap;
	int go;
};

static KT_RAW int snap_wait_fn(struct kt_thread *t)
{
	struct exit_seen *e = t->arg;

	kt_snap_take(&e->snap, t->area);
	kt_wait_for(&e->go, 1);
	return 0;
}

/*
 * clone3(CLONE_KTLS): the thread's area is right while it lives; its exit
 * writes nothing (the owner word stays tp ^ key); a thread without an
 * area arriving at the dead one's TCB is not served from that word.
 */
TEST_F(registered, thread_exit)
{
	struct exit_seen e = { 0 };
	struct kt_thread t;
	__u64 alive, dead;

	ASSERT_LT(0, kt_thread_start(&t, snap_wait_fn, &e));
	while (!__atomic_load_n(&e.snap.taken, __ATOMIC_SEQ_CST))
		kt_sys0(SYS_sched_yield);
	kt_expect_snap(_metadata, &e.snap, KT_EXPECT_AREA,
		       "raw CLONE_KTLS thread");
	alive = t.area->owner;
	kt_post(&e.go, 1);
	kt_thread_join(&t);
	dead = t.area->owner;
	EXPECT_EQ(t.tls ^ kt_key(), alive);
	EXPECT_EQ(alive, dead);
	/* A thread without an area arrives at the dead one's TCB. */
	ASSERT_LT(0, kt_thread_run(&t, KT_THREAD_FLAGS, t.tls, snap_wait_fn,
				   &e));
	kt_expect_snap(_metadata, &e.snap, KT_EXPECT_NO_AREA,
		       "thread on a dead thread's TCB");
	kt_thread_free(&t);
}

/*
 * UNREGISTER -> 0: owner word 0, errno_value kept, vDSO == syscalls,
 * errno_location still the slot; again -> -ENOENT; REGISTER again -> 0
 * with a valid area.
 */
TEST_F(registered, unregister)
{
	struct kt_snap s;

	ASSERT_EQ(0, kt_unregister());
	kt_snap_take(&s, &kt_tls_area);
	EXPECT_EQ(0UL, s.area_owner);
	EXPECT_EQ(SENTINEL1, s.area_errno);
	kt_expect_snap(_metadata, &s, KT_EXPECT_NO_AREA, "after UNREGISTER");
	EXPECT_EQ(-ENOENT, kt_unregister());
	ASSERT_EQ(0, kt_register());
	kt_expect_self(_metadata, KT_EXPECT_AREA, "after re-REGISTER");
}

int main(int argc, char **argv)
{
	kt_require_vdso();
	return test_harness_run(argc, argv);
}
