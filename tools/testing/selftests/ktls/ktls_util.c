// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the KTLS selftests; see ktls_util.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/futex.h>

#include "../kselftest.h"
#include "../vDSO/parse_vdso.h"
#include "ktls_util.h"

__thread struct ktls_area ktls_tls_area
	__attribute__((tls_model("initial-exec")));
long ktls_offset;
/*
 * The vDSO's view of the process (struct vdso_ktls_data, kernel-internal):
 * the last vvar page, right below the vDSO text.
 */
struct ktls_vdso_data_view {
	int64_t offset;
	uint64_t key;
};

static const uint64_t *ktls_vvar_key;

KTLS_RAW uint64_t ktls_key(void)
{
	return ktls_vvar_key ? __atomic_load_n(ktls_vvar_key, __ATOMIC_RELAXED) : 0;
}

KTLS_RAW bool ktls_area_valid(const struct ktls_area *area, unsigned long tp)
{
	uint64_t key = ktls_key();

	return key && __atomic_load_n(&area->owner, __ATOMIC_RELAXED) == (tp ^ key);
}

KTLS_RAW bool ktls_fast_path(struct ktls_area *area)
{
	uint32_t tid = __atomic_load_n(&area->tid, __ATOMIC_RELAXED);
	uint32_t sentinel = tid ^ 0x40000000;
	bool fast;

	__atomic_store_n(&area->tid, sentinel, __ATOMIC_RELAXED);
	fast = (uint32_t)ktls_vdso.gettid() == sentinel;
	__atomic_store_n(&area->tid, tid, __ATOMIC_RELAXED);
	return fast;
}

struct ktls_vdso_fns ktls_vdso;
bool ktls_vdso_ok;

#define KTLS_STACK_SIZE	(128 * 1024)

/* What a system call the kernel lacks returns (asm-generic/errno.h). */
#define KTLS_ERRNO_NOSYS	38

long ktls_set_offset(long offset)
{
	struct ktls_layout l = {
		.size = KTLS_AREA_SIZE,
		.alignment = KTLS_AREA_ALIGN,
		.offset = offset,
	};

	long ret = ktls_prctl(PR_KTLS_SET_OFFSET, &l, sizeof(l), 0);

	return ret;
}

KTLS_RAW void ktls_futex_wait(int *addr, int val)
{
	ktls_sys4(SYS_futex, addr, FUTEX_WAIT, val, NULL);
}

KTLS_RAW void ktls_futex_wake(int *addr)
{
	ktls_sys3(SYS_futex, addr, FUTEX_WAKE, 0x7fffffff);
}

KTLS_RAW void ktls_wait_for(int *addr, int val)
{
	int v;

	while ((v = __atomic_load_n(addr, __ATOMIC_SEQ_CST)) != val)
		ktls_futex_wait(addr, v);
}

KTLS_RAW void ktls_post(int *addr, int val)
{
	__atomic_store_n(addr, val, __ATOMIC_SEQ_CST);
	ktls_futex_wake(addr);
}

/* One vDSO symbol, or NULL; counts the ones found in *n. */
static void *ktls_vdso_sym(const char *name, int *n)
{
	void *sym = vdso_sym("LINUX_2.6", name);

	if (sym)
		(*n)++;
	return sym;
}

int ktls_vdso_init(void)
{
	return ktls_vdso_init_at(getauxval(AT_SYSINFO_EHDR));
}

/*
 * The vDSO's choice of thread pointer: RDFSBASE where the kernel enabled
 * FSGSBASE for user space, the TCB's self pointer (%fs:0) otherwise.
 */
static bool ktls_vdso_rdfsbase;

/* The kernel can read the u32 at @addr: FUTEX_WAIT, 0 s, any value. */
static KTLS_RAW bool ktls_readable32(unsigned long addr)
{
	struct timespec zero = { 0, 0 };
	long ret = ktls_sys4(SYS_futex, addr, FUTEX_WAIT_PRIVATE, 0, &zero);

	return ret == -ETIMEDOUT || ret == -EAGAIN;
}

KTLS_RAW bool ktls_peek(unsigned long addr, uint64_t *val)
{
	unsigned long a;

	for (a = addr & ~3UL; a < addr + 8; a += 4)
		if (!ktls_readable32(a))
			return false;
	__builtin_memcpy(val, (const void *)addr, 8);
	return true;
}

int ktls_vdso_init_at(unsigned long base)
{
	int n = 0;

	ktls_vdso_rdfsbase = ktls_have_fsgsbase();

	memset(&ktls_vdso, 0, sizeof(ktls_vdso));
	ktls_vdso_ok = false;
	if (!base)
		return 0;
	vdso_init_from_sysinfo_ehdr(base);
	ktls_vdso.gettid = ktls_vdso_sym("__vdso_ktls_gettid", &n);
	ktls_vdso.getpid = ktls_vdso_sym("__vdso_ktls_getpid", &n);
	ktls_vdso.getuid = ktls_vdso_sym("__vdso_ktls_getuid", &n);
	ktls_vdso.geteuid = ktls_vdso_sym("__vdso_ktls_geteuid", &n);
	ktls_vdso.getgid = ktls_vdso_sym("__vdso_ktls_getgid", &n);
	ktls_vdso.getegid = ktls_vdso_sym("__vdso_ktls_getegid", &n);
	ktls_vdso.errno_location =
		ktls_vdso_sym("__vdso_ktls_errno_location", &n);
	ktls_vdso_ok = n == 7;
	if (ktls_vdso_ok)
		ktls_vvar_key = (const uint64_t *)(base - sysconf(_SC_PAGESIZE)) +
				offsetof(struct ktls_vdso_data_view, key) / 8;
	return n;
}

KTLS_RAW void ktls_ids_sys(struct ktls_ids *ids)
{
	ids->tid = ktls_sys0(SYS_gettid);
	ids->pid = ktls_sys0(SYS_getpid);
	ids->uid = ktls_sys0(SYS_getuid);
	ids->euid = ktls_sys0(SYS_geteuid);
	ids->gid = ktls_sys0(SYS_getgid);
	ids->egid = ktls_sys0(SYS_getegid);
}

KTLS_RAW void ktls_ids_vdso(struct ktls_ids *ids)
{
	ids->tid = ktls_vdso.gettid();
	ids->pid = ktls_vdso.getpid();
	ids->uid = ktls_vdso.getuid();
	ids->euid = ktls_vdso.geteuid();
	ids->gid = ktls_vdso.getgid();
	ids->egid = ktls_vdso.getegid();
}

KTLS_RAW void ktls_ids_area(const struct ktls_area *area, struct ktls_ids *ids)
{
	/*
	 * The kernel writes the area: one load per field.  The fields are
	 * unsigned; compare them as the syscalls return.
	 */
	ids->tid = (pid_t)__atomic_load_n(&area->tid, __ATOMIC_RELAXED);
	ids->pid = (pid_t)__atomic_load_n(&area->pid, __ATOMIC_RELAXED);
	ids->uid = (uid_t)__atomic_load_n(&area->uid, __ATOMIC_RELAXED);
	ids->euid = (uid_t)__atomic_load_n(&area->euid, __ATOMIC_RELAXED);
	ids->gid = (gid_t)__atomic_load_n(&area->gid, __ATOMIC_RELAXED);
	ids->egid = (gid_t)__atomic_load_n(&area->egid, __ATOMIC_RELAXED);
}

bool ktls_ids_eq(const struct ktls_ids *a, const struct ktls_ids *b)
{
	return a->tid == b->tid && a->pid == b->pid && a->uid == b->uid &&
	       a->euid == b->euid && a->gid == b->gid && a->egid == b->egid;
}

/* One field of ktls_ids_diff(). */
static void ktls_id_diff(const char *who, const char *field,
			 const char *a_name, long a, const char *b_name, long b)
{
	if (a != b)
		ksft_print_msg("%s: %s %s=%ld but %s=%ld\n",
			       who, field, a_name, a, b_name, b);
}

void ktls_ids_diff(const char *who, const char *a_name,
		   const struct ktls_ids *a, const char *b_name,
		   const struct ktls_ids *b)
{
	ktls_id_diff(who, "tid", a_name, a->tid, b_name, b->tid);
	ktls_id_diff(who, "pid", a_name, a->pid, b_name, b->pid);
	ktls_id_diff(who, "uid", a_name, a->uid, b_name, b->uid);
	ktls_id_diff(who, "euid", a_name, a->euid, b_name, b->euid);
	ktls_id_diff(who, "gid", a_name, a->gid, b_name, b->gid);
	ktls_id_diff(who, "egid", a_name, a->egid, b_name, b->egid);
}

KTLS_RAW void ktls_snap_take(struct ktls_snap *s, const struct ktls_area *area)
{
	struct ktls_layout l;

	s->fs = ktls_get_fs();
	ktls_ids_sys(&s->sys);
	s->vdso_done = false;
	s->errno_loc = NULL;
	if (ktls_vdso_ok) {
		ktls_ids_vdso(&s->vdso);
		s->errno_loc = ktls_vdso.errno_location();
		s->vdso_done = true;
	}
	s->key = ktls_key();
	s->offset = ktls_get_layout(&l) ? 0 : l.offset;
	if (ktls_vdso_rdfsbase)
		s->vdso_tp = s->fs;
	else if (!ktls_peek(s->fs, &s->vdso_tp))
		s->vdso_tp = 0;
	s->area = area;
	if (area) {
		s->area_owner = __atomic_load_n(&area->owner, __ATOMIC_RELAXED);
		ktls_ids_area(area, &s->area_ids);
		s->area_errno = __atomic_load_n(&area->errno_value,
						__ATOMIC_RELAXED);
	}
	__atomic_store_n(&s->taken, true, __ATOMIC_SEQ_CST);
}

bool ktls_snap_check(const struct ktls_snap *s, enum ktls_expect e,
		     const char *who)
{
	unsigned int bad = ktls_snap_bad(s, e);

	if (!bad)
		return true;
	ksft_print_msg("%s: %s\n", who, ktls_bad_str(bad));
	if (bad & KTLS_BAD_VDSO)
		ktls_ids_diff(who, "vdso", &s->vdso, "syscall", &s->sys);
	if (bad & KTLS_BAD_IDS)
		ktls_ids_diff(who, "area", &s->area_ids, "syscall", &s->sys);
	if (bad & (KTLS_BAD_TP | KTLS_BAD_CLAIM))
		ksft_print_msg("%s: area owner=%#llx, thread pointer %#lx ^ key %#llx = %#llx\n",
			       who, (unsigned long long)s->area_owner, s->fs,
			       (unsigned long long)s->key,
			       (unsigned long long)(s->fs ^ s->key));
	if (bad & KTLS_BAD_ERRNO)
		ksft_print_msg("%s: errno_location()=%p, tp %#lx, offset %ld, area %p\n",
			       who, s->errno_loc, s->fs, s->offset, s->area);
	return false;
}

long ktls_static_offset(void)
{
	return (long)((char *)&ktls_tls_area - (char *)ktls_tp());
}

void ktls_require(struct ktls_layout *layout)
{
	struct ktls_layout l = { 0 };
	long ret;

	ret = ktls_get_layout(&l);
	if (ret == -EINVAL || ret == -KTLS_ERRNO_NOSYS)
		ksft_exit_skip("kernel without KTLS: prctl(GET_LAYOUT) returned %s\n",
			       ktls_ret_str(ret));
	if (ret)
		ksft_exit_fail_msg("prctl(PR_KTLS_GET_LAYOUT) returned %s, expected 0\n",
				   ktls_ret_str(ret));
	if (l.offset)
		ksft_exit_skip("KTLS offset %lld set at start-up (by libc?): tests set their own\n",
			       (long long)l.offset);
	ktls_offset = ktls_static_offset();
	if (!ktls_offset || ktls_offset % KTLS_AREA_ALIGN ||
	    ktls_offset < -KTLS_OFFSET_MAX || ktls_offset > KTLS_OFFSET_MAX)
		ksft_exit_skip("static TLS offset %ld of the area not usable (libc TLS layout)\n",
			       ktls_offset);
	if (layout)
		*layout = l;
}

const char *ktls_setup_or_why(void)
{
	struct ktls_layout l;

	if (ktls_get_layout(&l))
		return "kernel without KTLS";
	if (ktls_vdso_init() != 7)
		return "vDSO without the KTLS accessors";
	ktls_setup(true);
	return NULL;
}

void ktls_setup(bool reg)
{
	long ret;

	ktls_require(NULL);
	ktls_vdso_init();
	if (!ktls_vdso_ok)
		ksft_print_msg("vDSO lacks the __vdso_ktls_* functions: vDSO checks are skipped\n");
	ret = ktls_set_offset(ktls_offset);
	if (ret)
		ksft_exit_fail_msg("prctl(SET_OFFSET, offset=%ld) returned %s, expected 0\n",
				   ktls_offset, ktls_ret_str(ret));
	if (!ktls_key())
		ksft_exit_fail_msg("no KTLS key in the vvar page after SET_OFFSET\n");
	if (reg) {
		ret = ktls_register();
		if (ret)
			ksft_exit_fail_msg("REGISTER in main thread returned %s, expected 0\n",
					   ktls_ret_str(ret));
	}
}

/* ---- raw threads ---- */

/*
 * long ktls_clone3_asm(struct clone_args *args, size_t size,
 *			struct ktls_thread *t)
 *
 * The child starts on t's stack with every register but rax, rcx and r11
 * as the parent had them, so t travels in r8.
 */
__asm__("	.text\n"
	"	.p2align 4\n"
	"	.globl ktls_clone3_asm\n"
	"	.hidden ktls_clone3_asm\n"
	"	.type ktls_clone3_asm, @function\n"
	"ktls_clone3_asm:\n"
	"	mov %rdx, %r8\n"
	"	mov $435, %eax\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jz 1f\n"
	"	ret\n"
	"1:	xor %ebp, %ebp\n"
	"	mov %r8, %rdi\n"
	"	call ktls_thread_entry\n"
	"	ud2\n"
	"	.size ktls_clone3_asm, .-ktls_clone3_asm\n");

/* Called by ktls_clone3_asm in the child only; never returns. */
__attribute__((visibility("hidden"))) __attribute_used__ KTLS_RAW
void ktls_thread_entry(struct ktls_thread *t)
{
	t->ret = t->fn(t);
	__atomic_store_n(&t->done, 1, __ATOMIC_SEQ_CST);
	for (;;)
		ktls_sys1(SYS_exit, t->ret & 0xff);
}

int ktls_thread_prepare(struct ktls_thread *t, unsigned int prep)
{
	size_t page = sysconf(_SC_PAGESIZE);
	long off = ktls_offset ? ktls_offset : ktls_static_offset();
	size_t below, above;
	char *map;

	memset(t, 0, sizeof(*t));
	below = page;
	if (off < 0)
		below = ((size_t)-off + page - 1) / page * page;
	above = page;
	if (off > 0)
		above = ((size_t)off + KTLS_AREA_SIZE + page - 1) / page * page;
	t->stack_size = KTLS_STACK_SIZE;
	t->map_len = page + t->stack_size + below + above;
	map = mmap(NULL, t->map_len, PROT_READ | PROT_WRITE,
		   ((prep & KTLS_PREP_SHARED) ? MAP_SHARED : MAP_PRIVATE) |
		   MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return -errno;
	/* Guard page under the stack. */
	mprotect(map, page, PROT_NONE);
	t->map = map;
	t->stack = map + page;
	t->tls = (unsigned long)(t->stack + t->stack_size + below);
	((unsigned long *)t->tls)[0] = t->tls;	/* tcb */
	((unsigned long *)t->tls)[2] = t->tls;	/* self */
	t->area = (struct ktls_area *)(t->tls + off);
	return 0;
}

KTLS_RAW long ktls_thread_spawn(struct ktls_thread *t, uint64_t flags,
				unsigned long tls, int sig, ktls_thread_fn fn,
				void *arg)
{
	struct clone_args ca;
	long ret;

	__builtin_memset(&ca, 0, sizeof(ca));
	t->fn = fn;
	t->arg = arg;
	t->ret = 0;
	t->done = 0;
	t->ctid = 0;
	ca.flags = flags;
	ca.parent_tid = (unsigned long)&t->ctid;
	ca.child_tid = (unsigned long)&t->ctid;
	ca.exit_signal = sig;
	ca.stack = (unsigned long)t->stack;
	ca.stack_size = t->stack_size;
	ca.tls = tls;
	if (t->set_tid) {
		ca.set_tid = (unsigned long)&t->set_tid;
		ca.set_tid_size = 1;
	}
	ret = ktls_clone3_asm(&ca, t->set_tid ? CLONE_ARGS_SIZE_VER1 :
			      CLONE_ARGS_SIZE_VER0, t);
	t->tid = ret;
	return ret;
}

long ktls_thread_start(struct ktls_thread *t, ktls_thread_fn fn, void *arg)
{
	int ret = ktls_thread_prepare(t, 0);

	if (ret)
		return ret;
	return ktls_thread_spawn(t, KTLS_THREAD_FLAGS | CLONE_KTLS,
				 t->tls, 0, fn, arg);
}

KTLS_RAW void ktls_thread_join(struct ktls_thread *t)
{
	int v;

	while ((v = __atomic_load_n(&t->ctid, __ATOMIC_SEQ_CST)) != 0)
		ktls_futex_wait(&t->ctid, v);
}

void ktls_thread_free(struct ktls_thread *t)
{
	if (t->map)
		munmap(t->map, t->map_len);
	t->map = NULL;
}

/* ---- processes ---- */

void *ktls_shared_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		ksft_exit_fail_msg("mmap(MAP_SHARED, %zu): %s\n", size,
				   strerror(errno));
	return p;
}

pid_t ktls_last_child;

int ktls_fork_run(int (*fn)(void *arg), void *arg)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		ksft_exit_fail_msg("fork: %s\n", strerror(errno));
	if (pid == 0) {
		int ret;

		ret = fn(arg);

		fflush(stdout);
		_exit(ret);
	}
	ktls_last_child = pid;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			ksft_exit_fail_msg("waitpid: %s\n", strerror(errno));
	return status;
}

static char *ktls_buf(void)
{
	static char bufs[8][64];
	static unsigned int n;

	return bufs[n++ % 8];
}

const char *ktls_status_str(int status)
{
	char *b = ktls_buf();

	if (WIFEXITED(status))
		snprintf(b, 64, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(b, 64, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(b, 64, "wait status %#x", status);
	return b;
}

const char *ktls_errname(int err)
{
	char *b;

	switch (err) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case E2BIG: return "E2BIG";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case KTLS_ERRNO_NOSYS: return "ENOSYS";
	case EAGAIN: return "EAGAIN";
	case ENOSPC: return "ENOSPC";
	}
	b = ktls_buf();
	snprintf(b, 64, "errno %d", err);
	return b;
}

const char *ktls_ret_str(long ret)
{
	char *b;

	if (ret < 0 && ret > -4096) {
		b = ktls_buf();
		snprintf(b, 64, "-%s", ktls_errname(-ret));
		return b;
	}
	b = ktls_buf();
	snprintf(b, 64, "%ld", ret);
	return b;
}

/* ---- checks without output ---- */

KTLS_RAW unsigned int ktls_snap_bad(const struct ktls_snap *s,
				    enum ktls_expect e)
{
	bool own = e == KTLS_EXPECT_AREA;
	bool claim = s->area && s->area_owner == (s->fs ^ s->key);
	int *slot = s->offset && (long)s->vdso_tp > 0 ?
		(int *)(s->vdso_tp + s->offset +
			offsetof(struct ktls_area, errno_value)) : NULL;
	unsigned int bad = 0;

	if (!__atomic_load_n(&s->taken, __ATOMIC_SEQ_CST))
		return KTLS_BAD_NOSNAP;
	if (s->vdso_done && !ktls_ids_eq(&s->vdso, &s->sys))
		bad |= KTLS_BAD_VDSO;
	if (own && !s->area)
		return bad | KTLS_BAD_NOAREA;
	if (own && !claim)
		bad |= KTLS_BAD_TP;
	if (own && !ktls_ids_eq(&s->area_ids, &s->sys))
		bad |= KTLS_BAD_IDS;
	if (!own && e != KTLS_EXPECT_NONE && claim)
		bad |= KTLS_BAD_CLAIM;
	/*
	 * errno_location is the slot at the thread pointer plus the offset,
	 * valid area or not: exactly that where the area is known to be
	 * there, else that or NULL (unmapped); NULL without an offset.
	 */
	if (s->vdso_done && e != KTLS_EXPECT_NONE) {
		if (!slot || (s->area && &s->area->errno_value == slot)) {
			if (s->errno_loc != slot)
				bad |= KTLS_BAD_ERRNO;
		} else if (s->errno_loc && s->errno_loc != slot) {
			bad |= KTLS_BAD_ERRNO;
		}
	}
	return bad;
}

const char *ktls_bad_str(unsigned int bad)
{
	static const char *const names[] = {
		"no-snapshot", "vdso!=syscalls", "no-area-address",
		"area-owner!=thread-pointer^key", "area-ids!=syscalls",
		"area-without-owner-claims-tp", "errno_location-wrong",
	};
	static char bufs[4][192];
	static unsigned int n;
	char *b = bufs[n++ % 4];
	unsigned int i;

	if (!bad)
		return "right";
	b[0] = 0;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (bad & (1U << i))
			snprintf(b + strlen(b), 192 - strlen(b), "%s%s",
				 b[0] ? "," : "", names[i]);
	if (bad >> ARRAY_SIZE(names))
		snprintf(b + strlen(b), 192 - strlen(b), "%s%#x",
			 b[0] ? "," : "", bad);
	return b;
}

/* ---- the FS base ---- */

#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE		0x2	/* bit 1 */
#endif

bool ktls_have_fsgsbase(void)
{
	return getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE;
}

/* ---- the exec'd image ---- */

int ktls_exec_image_check(long pid)
{
	struct ktls_layout l = { 0 };
	struct ktls_snap s;
	int bits = 0;
	long ret;

	ktls_vdso_init();
	ret = ktls_get_layout(&l);
	if (ret || l.offset != 0) {
		ksft_print_msg("exec'd image: GET_LAYOUT -> %s offset %lld, expected 0 offset 0\n",
			       ktls_ret_str(ret), (long long)l.offset);
		bits |= KTLS_EXEC_OFFSET;
	}
	ktls_snap_take(&s, &ktls_tls_area);
	if (!ktls_snap_check(&s, KTLS_EXPECT_NO_AREA, "exec'd image"))
		bits |= KTLS_EXEC_ACCESSORS;
	if (s.sys.tid != s.sys.pid) {
		ksft_print_msg("exec'd image: gettid %ld != getpid %ld\n",
			       s.sys.tid, s.sys.pid);
		bits |= KTLS_EXEC_TID;
	}
	if (pid > 0 && s.sys.pid != pid) {
		ksft_print_msg("exec'd image: getpid %ld, expected %ld\n",
			       s.sys.pid, pid);
		bits |= KTLS_EXEC_PID;
	}
	ret = ktls_register();
	if (ret != -ENOENT) {
		ksft_print_msg("exec'd image: REGISTER -> %s, expected -ENOENT\n",
			       ktls_ret_str(ret));
		bits |= KTLS_EXEC_REGISTER;
	}
	ktls_offset = ktls_static_offset();
	ret = ktls_set_offset(ktls_offset);
	if (!ret)
		ret = ktls_register();
	ktls_snap_take(&s, &ktls_tls_area);
	if (ret || !ktls_snap_check(&s, KTLS_EXPECT_AREA,
				    "exec'd image registered")) {
		ksft_print_msg("exec'd image: SET_OFFSET+REGISTER -> %s\n",
			       ktls_ret_str(ret));
		bits |= KTLS_EXEC_FRESH;
	}
	fflush(stdout);
	return bits;
}

const char *ktls_exec_bits_str(int bits)
{
	static char bufs[4][128];
	static unsigned int n;
	char *b = bufs[n++ % 4];

	if (bits < 0 || bits > 63)
		return "not an exec-check status";
	if (!bits)
		return "all right";
	snprintf(b, 128, "%s%s%s%s%s%s",
		 bits & KTLS_EXEC_OFFSET ? " offset!=0" : "",
		 bits & KTLS_EXEC_ACCESSORS ? " accessors" : "",
		 bits & KTLS_EXEC_REGISTER ? " REGISTER!=-ENOENT" : "",
		 bits & KTLS_EXEC_TID ? " tid!=pid" : "",
		 bits & KTLS_EXEC_PID ? " pid" : "",
		 bits & KTLS_EXEC_FRESH ? " fresh-registration" : "");
	return b + 1;
}

/* ---- the kernel's memory ---- */

long ktls_meminfo_kb(const char *field)
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
