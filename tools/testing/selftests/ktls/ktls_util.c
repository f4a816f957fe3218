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

__thread struct ktls_area kt_tls_area
	__attribute__((tls_model("initial-exec")));
long kt_offset;
/*
 * The vDSO's view of the process (struct vdso_ktls_data, kernel-internal):
 * the last vvar page, right below the vDSO text.
 */
struct kt_vdso_data_view {
	__s64 offset;
	__u64 key;
};

static const __u64 *kt_vvar_key;

KT_RAW __u64 kt_key(void)
{
	return kt_vvar_key ? __atomic_load_n(kt_vvar_key, __ATOMIC_RELAXED) : 0;
}

KT_RAW bool kt_area_valid(const struct ktls_area *area, unsigned long tp)
{
	__u64 key = kt_key();

	return key && __atomic_load_n(&area->owner, __ATOMIC_RELAXED) == (tp ^ key);
}

KT_RAW bool kt_fast_path(struct ktls_area *area)
{
	__u32 tid = __atomic_load_n(&area->tid, __ATOMIC_RELAXED);
	__u32 sentinel = tid ^ 0x40000000;
	bool fast;

	__atomic_store_n(&area->tid, sentinel, __ATOMIC_RELAXED);
	fast = (__u32)kt_vdso.gettid() == sentinel;
	__atomic_store_n(&area->tid, tid, __ATOMIC_RELAXED);
	return fast;
}

struct kt_vdso_fns kt_vdso;
bool kt_vdso_ok;

#define KT_STACK_SIZE	(128 * 1024)

/* What a system call the kernel lacks returns (asm-generic/errno.h). */
#define KT_ERRNO_NOSYS	38

long kt_set_offset(long offset)
{
	struct ktls_layout l = kt_layout(offset);

	return kt_prctl(PR_KTLS_SET_OFFSET, &l, sizeof(l), 0);
}

KT_RAW void kt_futex_wait(int *addr, int val)
{
	kt_sys4(SYS_futex, addr, FUTEX_WAIT, val, NULL);
}

KT_RAW void kt_futex_wake(int *addr)
{
	kt_sys3(SYS_futex, addr, FUTEX_WAKE, 0x7fffffff);
}

KT_RAW void kt_wait_for(int *addr, int val)
{
	int v;

	while ((v = __atomic_load_n(addr, __ATOMIC_SEQ_CST)) != val)
		kt_futex_wait(addr, v);
}

KT_RAW void kt_post(int *addr, int val)
{
	__atomic_store_n(addr, val, __ATOMIC_SEQ_CST);
	kt_futex_wake(addr);
}

/* One vDSO symbol, or NULL; counts the ones found in *n. */
static void *kt_vdso_sym(const char *name, int *n)
{
	void *sym = vdso_sym("LINUX_2.6", name);

	if (sym)
		(*n)++;
	return sym;
}

int kt_vdso_init(void)
{
	return kt_vdso_init_at(getauxval(AT_SYSINFO_EHDR));
}

/*
 * The vDSO's choice of thread pointer: RDFSBASE where the kernel enabled
 * FSGSBASE for user space, the TCB's self pointer (%fs:0) otherwise.
 */
static bool kt_vdso_rdfsbase;

/* The kernel can read the u32 at @addr: FUTEX_WAIT, 0 s, any value. */
static KT_RAW bool kt_readable32(unsigned long addr)
{
	struct timespec zero = { 0, 0 };
	long ret = kt_sys4(SYS_futex, addr, FUTEX_WAIT_PRIVATE, 0, &zero);

	return ret == -ETIMEDOUT || ret == -EAGAIN;
}

/* Read 8 bytes at @addr, false if they are not readable. */
static KT_RAW bool kt_peek(unsigned long addr, __u64 *val)
{
	unsigned long a;

	for (a = addr & ~3UL; a < addr + 8; a += 4)
		if (!kt_readable32(a))
			return false;
	__builtin_memcpy(val, (const void *)addr, 8);
	return true;
}

int kt_vdso_init_at(unsigned long base)
{
	int n = 0;

	kt_vdso_rdfsbase = kt_have_fsgsbase();

	memset(&kt_vdso, 0, sizeof(kt_vdso));
	kt_vdso_ok = false;
	if (!base)
		return 0;
	vdso_init_from_sysinfo_ehdr(base);
	kt_vdso.gettid = kt_vdso_sym("__vdso_ktls_gettid", &n);
	kt_vdso.getpid = kt_vdso_sym("__vdso_ktls_getpid", &n);
	kt_vdso.getuid = kt_vdso_sym("__vdso_ktls_getuid", &n);
	kt_vdso.geteuid = kt_vdso_sym("__vdso_ktls_geteuid", &n);
	kt_vdso.getgid = kt_vdso_sym("__vdso_ktls_getgid", &n);
	kt_vdso.getegid = kt_vdso_sym("__vdso_ktls_getegid", &n);
	kt_vdso.errno_location =
		kt_vdso_sym("__vdso_ktls_errno_location", &n);
	kt_vdso_ok = n == 7;
	if (kt_vdso_ok)
		kt_vvar_key = (const __u64 *)(base - sysconf(_SC_PAGESIZE)) +
				offsetof(struct kt_vdso_data_view, key) / 8;
	return n;
}

KT_RAW void kt_ids_sys(struct kt_ids *ids)
{
	ids->tid = kt_sys0(SYS_gettid);
	ids->pid = kt_sys0(SYS_getpid);
	ids->uid = kt_sys0(SYS_getuid);
	ids->euid = kt_sys0(SYS_geteuid);
	ids->gid = kt_sys0(SYS_getgid);
	ids->egid = kt_sys0(SYS_getegid);
}

KT_RAW void kt_ids_vdso(struct kt_ids *ids)
{
	ids->tid = kt_vdso.gettid();
	ids->pid = kt_vdso.getpid();
	ids->uid = kt_vdso.getuid();
	ids->euid = kt_vdso.geteuid();
	ids->gid = kt_vdso.getgid();
	ids->egid = kt_vdso.getegid();
}

KT_RAW void kt_ids_area(const struct ktls_area *area, struct kt_ids *ids)
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

bool kt_ids_eq(const struct kt_ids *a, const struct kt_ids *b)
{
	return a->tid == b->tid && a->pid == b->pid && a->uid == b->uid &&
	       a->euid == b->euid && a->gid == b->gid && a->egid == b->egid;
}

/* One field of kt_ids_diff(). */
static void kt_id_diff(const char *who, const char *field,
		       const char *a_name, long a, const char *b_name, long b)
{
	if (a != b)
		ksft_print_msg("%s: %s %s=%ld but %s=%ld\n",
			       who, field, a_name, a, b_name, b);
}

void kt_ids_diff(const char *who, const char *a_name,
		 const struct kt_ids *a, const char *b_name,
		 const struct kt_ids *b)
{
	kt_id_diff(who, "tid", a_name, a->tid, b_name, b->tid);
	kt_id_diff(who, "pid", a_name, a->pid, b_name, b->pid);
	kt_id_diff(who, "uid", a_name, a->uid, b_name, b->uid);
	kt_id_diff(who, "euid", a_name, a->euid, b_name, b->euid);
	kt_id_diff(who, "gid", a_name, a->gid, b_name, b->gid);
	kt_id_diff(who, "egid", a_name, a->egid, b_name, b->egid);
}

KT_RAW void kt_snap_take(struct kt_snap *s, const struct ktls_area *area)
{
	struct ktls_layout l;

	s->fs = kt_get_fs();
	kt_ids_sys(&s->sys);
	s->vdso_done = false;
	s->errno_loc = NULL;
	if (kt_vdso_ok) {
		kt_ids_vdso(&s->vdso);
		s->errno_loc = kt_vdso.errno_location();
		s->vdso_done = true;
	}
	s->key = kt_key();
	s->offset = kt_get_layout(&l) ? 0 : l.offset;
	if (kt_vdso_rdfsbase)
		s->vdso_tp = s->fs;
	else if (!kt_peek(s->fs, &s->vdso_tp))
		s->vdso_tp = 0;
	s->area = area;
	if (area) {
		s->area_owner = __atomic_load_n(&area->owner, __ATOMIC_RELAXED);
		kt_ids_area(area, &s->area_ids);
		s->area_errno = __atomic_load_n(&area->errno_value,
						__ATOMIC_RELAXED);
	}
	__atomic_store_n(&s->taken, true, __ATOMIC_SEQ_CST);
}

bool kt_snap_check(const struct kt_snap *s, enum kt_expect e,
		   const char *who)
{
	unsigned int bad = kt_snap_bad(s, e);

	if (!bad)
		return true;
	ksft_print_msg("%s: %s\n", who, kt_bad_str(bad));
	if (bad & KT_BAD_VDSO)
		kt_ids_diff(who, "vdso", &s->vdso, "syscall", &s->sys);
	if (bad & KT_BAD_IDS)
		kt_ids_diff(who, "area", &s->area_ids, "syscall", &s->sys);
	if (bad & (KT_BAD_TP | KT_BAD_CLAIM))
		ksft_print_msg("%s: area owner=%#llx, thread pointer %#lx ^ key %#llx = %#llx\n",
			       who, (unsigned long long)s->area_owner, s->fs,
			       (unsigned long long)s->key,
			       (unsigned long long)(s->fs ^ s->key));
	if (bad & KT_BAD_ERRNO)
		ksft_print_msg("%s: errno_location()=%p, tp %#lx, offset %ld, area %p\n",
			       who, s->errno_loc, s->fs, s->offset, s->area);
	return false;
}

long kt_static_offset(void)
{
	return (long)((char *)&kt_tls_area - (char *)kt_tp());
}

void kt_require(struct ktls_layout *layout)
{
	struct ktls_layout l = { 0 };
	long ret;

	ret = kt_get_layout(&l);
	if (ret == -EINVAL || ret == -KT_ERRNO_NOSYS)
		ksft_exit_skip("kernel without KTLS: prctl(GET_LAYOUT) returned %s\n",
			       kt_ret_str(ret));
	if (ret)
		ksft_exit_fail_msg("prctl(PR_KTLS_GET_LAYOUT) returned %s, expected 0\n",
				   kt_ret_str(ret));
	if (l.offset)
		ksft_exit_skip("KTLS offset %lld set at start-up (by libc?): tests set their own\n",
			       (long long)l.offset);
	kt_offset = kt_static_offset();
	if (!kt_offset || kt_offset % KTLS_AREA_ALIGN ||
	    kt_offset < -KTLS_OFFSET_MAX || kt_offset > KTLS_OFFSET_MAX)
		ksft_exit_skip("static TLS offset %ld of the area not usable (libc TLS layout)\n",
			       kt_offset);
	if (layout)
		*layout = l;
}

void kt_require_vdso(void)
{
	struct ktls_layout l;
	const char *why = NULL;

	/*
	 * kselftest_harness.h ends each test's process with _exit(), which
	 * would drop what ksft_print_msg() left in a full buffer (stdout a
	 * pipe or a file): line buffering.
	 */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (kt_get_layout(&l))
		why = "kernel without KTLS";
	else if (kt_vdso_init() != 7)
		why = "vDSO without the KTLS accessors";
	if (why) {
		ksft_print_header();
		ksft_exit_skip("%s\n", why);
	}
}

const char *kt_setup_or_why(void)
{
	struct ktls_layout l;
	long ret;

	if (kt_get_layout(&l))
		return "kernel without KTLS";
	if (kt_vdso_init() != 7)
		return "vDSO without the KTLS accessors";
	kt_require(NULL);
	ret = kt_set_offset(kt_offset);
	if (ret)
		ksft_exit_fail_msg("prctl(SET_OFFSET, offset=%ld) returned %s, expected 0\n",
				   kt_offset, kt_ret_str(ret));
	if (!kt_key())
		ksft_exit_fail_msg("no KTLS key in the vvar page after SET_OFFSET\n");
	ret = kt_register();
	if (ret)
		ksft_exit_fail_msg("REGISTER in main thread returned %s, expected 0\n",
				   kt_ret_str(ret));
	return NULL;
}

/* ---- raw threads ---- */

/* The child's side of kt_thread_spawn(): kt_clone3() calls it. */
static KT_RAW void kt_thread_entry(void *arg)
{
	struct kt_thread *t = arg;

	t->ret = t->fn(t);
	__atomic_store_n(&t->done, 1, __ATOMIC_SEQ_CST);
	for (;;)
		kt_sys1(SYS_exit, t->ret & 0xff);
}

int kt_thread_prepare(struct kt_thread *t, unsigned int prep)
{
	size_t page = sysconf(_SC_PAGESIZE);
	long off = kt_offset ? kt_offset : kt_static_offset();
	size_t below, above;
	char *map;

	memset(t, 0, sizeof(*t));
	below = page;
	if (off < 0)
		below = ((size_t)-off + page - 1) / page * page;
	above = page;
	if (off > 0)
		above = ((size_t)off + KTLS_AREA_SIZE + page - 1) / page * page;
	t->stack_size = KT_STACK_SIZE;
	t->map_len = page + t->stack_size + below + above;
	map = mmap(NULL, t->map_len, PROT_READ | PROT_WRITE,
		   ((prep & KT_PREP_SHARED) ? MAP_SHARED : MAP_PRIVATE) |
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

KT_RAW long kt_thread_spawn(struct kt_thread *t, __u64 flags,
			    unsigned long tls, int sig, kt_thread_fn fn,
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
	ret = kt_clone3(&ca, t->set_tid ? CLONE_ARGS_SIZE_VER1 :
			CLONE_ARGS_SIZE_VER0, kt_thread_entry, t);
	t->tid = ret;
	return ret;
}

KT_RAW long kt_thread_run(struct kt_thread *t, __u64 flags,
			  unsigned long tls, kt_thread_fn fn, void *arg)
{
	long ret = kt_thread_spawn(t, flags, tls, 0, fn, arg);

	if (ret > 0)
		kt_thread_join(t);
	return ret;
}

KT_RAW int kt_thread_snap(struct kt_thread *t)
{
	kt_snap_take(t->arg, t->area);
	return 0;
}

long kt_thread_start(struct kt_thread *t, kt_thread_fn fn, void *arg)
{
	int ret = kt_thread_prepare(t, 0);

	if (ret)
		return ret;
	return kt_thread_spawn(t, KT_THREAD_FLAGS | CLONE_KTLS,
				 t->tls, 0, fn, arg);
}

KT_RAW void kt_thread_join(struct kt_thread *t)
{
	int v;

	while ((v = __atomic_load_n(&t->ctid, __ATOMIC_SEQ_CST)) != 0)
		kt_futex_wait(&t->ctid, v);
}

void kt_thread_free(struct kt_thread *t)
{
	if (t->map)
		munmap(t->map, t->map_len);
	t->map = NULL;
}

/* ---- processes ---- */

void *kt_shared_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		ksft_exit_fail_msg("mmap(MAP_SHARED, %zu): %s\n", size,
				   strerror(errno));
	return p;
}

pid_t kt_last_child;

int kt_fork_run(int (*fn)(void *arg), void *arg)
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
	kt_last_child = pid;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			ksft_exit_fail_msg("waitpid: %s\n", strerror(errno));
	return status;
}

int kt_fork_exit_code(int (*fn)(void *arg), void *arg)
{
	int st = kt_fork_run(fn, arg);

	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	ksft_print_msg("child %s\n", kt_status_str(st));
	return -1;
}

unsigned long kt_find_mapping(const char *name, unsigned long *end)
{
	unsigned long lo = 0, hi = 0;
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, name) &&
			sscanf(line, "%lx-%lx", &lo, &hi) == 2;
	if (f)
		fclose(f);
	if (end)
		*end = found ? hi : 0;
	return found ? lo : 0;
}

static char *kt_buf(void)
{
	static char bufs[8][64];
	static unsigned int n;

	return bufs[n++ % 8];
}

const char *kt_status_str(int status)
{
	char *b = kt_buf();

	if (WIFEXITED(status))
		snprintf(b, 64, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(b, 64, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(b, 64, "wait status %#x", status);
	return b;
}

const char *kt_errname(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ 0, "0" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" },
		{ E2BIG, "E2BIG" }, { ESRCH, "ESRCH" }, { EINTR, "EINTR" },
		{ ENOMEM, "ENOMEM" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
		{ EEXIST, "EEXIST" }, { EINVAL, "EINVAL" },
		{ KT_ERRNO_NOSYS, "ENOSYS" }, { EAGAIN, "EAGAIN" },
		{ ENOSPC, "ENOSPC" },
	};
	size_t i;
	char *b;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].err == err)
			return names[i].name;
	b = kt_buf();
	snprintf(b, 64, "errno %d", err);
	return b;
}

const char *kt_ret_str(long ret)
{
	char *b;

	if (ret < 0 && ret > -4096) {
		b = kt_buf();
		snprintf(b, 64, "-%s", kt_errname(-ret));
		return b;
	}
	b = kt_buf();
	snprintf(b, 64, "%ld", ret);
	return b;
}

/* ---- checks without output ---- */

KT_RAW unsigned int kt_snap_bad(const struct kt_snap *s,
				enum kt_expect e)
{
	bool own = e == KT_EXPECT_AREA;
	bool claim = s->area && s->area_owner == (s->fs ^ s->key);
	int *slot = s->offset && (long)s->vdso_tp > 0 ?
		(int *)(s->vdso_tp + s->offset +
			offsetof(struct ktls_area, errno_value)) : NULL;
	unsigned int bad = 0;

	if (!__atomic_load_n(&s->taken, __ATOMIC_SEQ_CST))
		return KT_BAD_NOSNAP;
	if (s->vdso_done && !kt_ids_eq(&s->vdso, &s->sys))
		bad |= KT_BAD_VDSO;
	if (own && !s->area)
		return bad | KT_BAD_NOAREA;
	if (own && !claim)
		bad |= KT_BAD_TP;
	if (own && !kt_ids_eq(&s->area_ids, &s->sys))
		bad |= KT_BAD_IDS;
	if (!own && e != KT_EXPECT_NONE && claim)
		bad |= KT_BAD_CLAIM;
	/*
	 * errno_location is the slot at the thread pointer plus the offset,
	 * valid area or not: exactly that where the area is known to be
	 * there, else that or NULL (unmapped); NULL without an offset.
	 */
	if (s->vdso_done && e != KT_EXPECT_NONE) {
		if (!slot || (s->area && &s->area->errno_value == slot)) {
			if (s->errno_loc != slot)
				bad |= KT_BAD_ERRNO;
		} else if (s->errno_loc && s->errno_loc != slot) {
			bad |= KT_BAD_ERRNO;
		}
	}
	return bad;
}

const char *kt_bits_str(unsigned int bits, const char *const *names,
			unsigned int n)
{
	static char bufs[4][192];
	static unsigned int k;
	char *b = bufs[k++ % 4];
	unsigned int i;

	b[0] = 0;
	for (i = 0; i < n; i++)
		if (bits & (1U << i))
			snprintf(b + strlen(b), 192 - strlen(b), "%s%s",
				 b[0] ? "," : "", names[i]);
	if (bits >> n)
		snprintf(b + strlen(b), 192 - strlen(b), "%s%#x",
			 b[0] ? "," : "", bits);
	return b;
}

const char *kt_bad_str(unsigned int bad)
{
	static const char *const names[] = {
		"no-snapshot", "vdso!=syscalls", "no-area-address",
		"area-owner!=thread-pointer^key", "area-ids!=syscalls",
		"area-without-owner-claims-tp", "errno_location-wrong",
	};

	return bad ? kt_bits_str(bad, names, ARRAY_SIZE(names)) : "right";
}

/* ---- the FS base ---- */

#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE		0x2	/* bit 1 */
#endif

bool kt_have_fsgsbase(void)
{
	return getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE;
}

/* ---- the exec'd image ---- */

int kt_exec_image_check(long pid)
{
	struct ktls_layout l = { 0 };
	struct kt_snap s;
	int bits = 0;
	long ret;

	kt_vdso_init();
	ret = kt_get_layout(&l);
	if (ret || l.offset != 0) {
		ksft_print_msg("exec'd image: GET_LAYOUT -> %s offset %lld, expected 0 offset 0\n",
			       kt_ret_str(ret), (long long)l.offset);
		bits |= KT_EXEC_OFFSET;
	}
	kt_snap_take(&s, &kt_tls_area);
	if (!kt_snap_check(&s, KT_EXPECT_NO_AREA, "exec'd image"))
		bits |= KT_EXEC_ACCESSORS;
	if (s.sys.tid != s.sys.pid) {
		ksft_print_msg("exec'd image: gettid %ld != getpid %ld\n",
			       s.sys.tid, s.sys.pid);
		bits |= KT_EXEC_TID;
	}
	if (pid > 0 && s.sys.pid != pid) {
		ksft_print_msg("exec'd image: getpid %ld, expected %ld\n",
			       s.sys.pid, pid);
		bits |= KT_EXEC_PID;
	}
	ret = kt_register();
	if (ret != -ENOENT) {
		ksft_print_msg("exec'd image: REGISTER -> %s, expected -ENOENT\n",
			       kt_ret_str(ret));
		bits |= KT_EXEC_REGISTER;
	}
	kt_offset = kt_static_offset();
	ret = kt_set_offset(kt_offset);
	if (!ret)
		ret = kt_register();
	kt_snap_take(&s, &kt_tls_area);
	if (ret || !kt_snap_check(&s, KT_EXPECT_AREA,
				  "exec'd image registered")) {
		ksft_print_msg("exec'd image: SET_OFFSET+REGISTER -> %s\n",
			       kt_ret_str(ret));
		bits |= KT_EXEC_FRESH;
	}
	fflush(stdout);
	return bits;
}

const char *kt_exec_bits_str(int bits)
{
	static const char *const names[] = {
		"offset!=0", "accessors", "REGISTER!=-ENOENT", "tid!=pid", "pid",
		"fresh-registration",
	};

	if (bits < 0 || bits > 63)
		return "not an exec-check status";
	return bits ? kt_bits_str(bits, names, ARRAY_SIZE(names)) : "all right";
}
