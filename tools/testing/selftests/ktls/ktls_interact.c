// SPDX-License-Identifier: GPL-2.0
/*
 * KTLS beside the kernel features that distribution kernels enable and
 * that touch its paths: a seccomp filter on the system calls the vDSO
 * falls back to, clone3() set_tid, a vDSO moved with ARCH_MAP_VDSO_64
 * (checkpoint/restore), and an area whose memory userfaultfd provides.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/userfaultfd.h>

#include "../kselftest_harness.h"
#include "../vDSO/parse_vdso.h"
#include "ktls_util.h"

#ifndef ARCH_MAP_VDSO_64
#define ARCH_MAP_VDSO_64	0x2003
#endif

FIXTURE(interact) {
};

FIXTURE_SETUP(interact)
{
	kt_setup_or_skip(_metadata);
}

FIXTURE_TEARDOWN(interact)
{
}

static void *pthread_getuid(void *arg)
{
	*(uid_t *)arg = kt_vdso.getuid();
	return NULL;
}

/*
 * Input: a seccomp filter that makes getuid() fail with EPERM.  Expected:
 * the registered main thread is served its uid from its area without a
 * system call; a pthread without an area, and main once unregistered, get
 * what the filtered system call returns (-EPERM as a uid), so the
 * fallback is a real system call that seccomp sees.
 */
TEST_F(interact, seccomp_filter_on_fallback)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getuid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = ARRAY_SIZE(insns), .filter = insns,
	};
	uid_t uid = kt_raw_getuid(), in_thread = 0;
	pthread_t pt;

	ASSERT_EQ(0, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		SKIP(return, "no seccomp filters: %s", strerror(errno));
	EXPECT_EQ((uid_t)-EPERM, (uid_t)kt_raw_getuid());
	EXPECT_EQ(uid, kt_vdso.getuid());
	ASSERT_EQ(0, pthread_create(&pt, NULL, pthread_getuid, &in_thread));
	ASSERT_EQ(0, pthread_join(pt, NULL));
	EXPECT_EQ((uid_t)-EPERM, in_thread);
	ASSERT_EQ(0, kt_unregister());
	EXPECT_EQ((uid_t)-EPERM, kt_vdso.getuid());
}

/*
 * Input: clone3(CLONE_KTLS) with set_tid choosing the thread's TID (the
 * highest free one below pid_max).  Expected: its area holds that TID,
 * and the vDSO serves it.
 */
static pid_t highest_pid(void)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	int max = 0;

	if (f && fscanf(f, "%d", &max) != 1)
		max = 0;
	if (f)
		fclose(f);
	return max - 1;
}

TEST_F(interact, clone3_set_tid)
{
	struct kt_thread t;
	struct kt_snap s;
	long ret;

	if (geteuid())
		SKIP(return, "set_tid needs CAP_CHECKPOINT_RESTORE");
	ASSERT_EQ(0, kt_thread_prepare(&t, 0));
	ret = -EEXIST;
	for (t.set_tid = highest_pid(); t.set_tid > 1 && ret == -EEXIST; t.set_tid--)
		ret = kt_thread_spawn(&t, KT_THREAD_FLAGS | CLONE_KTLS, t.tls,
				      0, kt_thread_snap, &s);
	t.set_tid++;
	ASSERT_EQ(t.set_tid, ret) TH_LOG("clone3 -> %s", kt_ret_str(ret));
	kt_thread_join(&t);
	kt_expect_snap(_metadata, &s, KT_EXPECT_AREA, "set_tid thread");
	EXPECT_EQ(t.set_tid, s.area_ids.tid);
	EXPECT_EQ(t.set_tid, s.vdso.tid);
	kt_thread_free(&t);
}

/*
 * Input: the vvar and vDSO mappings removed and the vDSO mapped again
 * elsewhere with arch_prctl(ARCH_MAP_VDSO_64), as CRIU restores it.
 * Expected: the moved vDSO finds the process's KTLS page and serves the
 * registered main thread from its area.  In a child, as the old mappings
 * are gone for good.
 */
static int moved_vdso_child(void *arg)
{
	unsigned long vvar, vvar_end, vdso, vdso_end, to;
	size_t len;
	void *hole;
	long ret;

	vvar = kt_find_mapping("[vvar]", &vvar_end);
	vdso = kt_find_mapping("[vdso]", &vdso_end);
	if (!vvar || !vdso || vvar_end != vdso)
		return 10;
	len = vdso_end - vvar;
	/* A free range, away from the old one. */
	hole = mmap(NULL, len + (64 << 20), PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (hole == MAP_FAILED)
		return 11;
	to = ((unsigned long)hole + (32 << 20)) & ~0xfffUL;
	munmap(hole, len + (64 << 20));
	if (munmap((void *)vvar, len))
		return 12;
	/* It returns the image's size. */
	ret = kt_sys2(SYS_arch_prctl, ARCH_MAP_VDSO_64, to);
	if (ret == -EINVAL)
		return 13;
	if (ret < 0)
		return 18;
	vdso = kt_find_mapping("[vdso]", &vdso_end);
	if (!vdso || vdso == vvar_end)
		return 14;
	if (kt_vdso_init_at(vdso) != 7)
		return 15;
	if (kt_vdso.gettid() != kt_raw_gettid() ||
	    kt_vdso.getpid() != kt_raw_getpid())
		return 16;
	return kt_fast_path(&kt_tls_area) ? 0 : 17;
}

TEST_F(interact, arch_map_vdso_64)
{
	int status = kt_fork_run(moved_vdso_child, NULL);

	if (WIFEXITED(status) && WEXITSTATUS(status) == 13)
		SKIP(return, "no ARCH_MAP_VDSO_64 (CHECKPOINT_RESTORE off)");
	kt_expect_exit0(_metadata, status,
			"child (1x: mappings, 15 lookup, 16 values, 17 not fast, 18 map)");
}

/*
 * Input: a CLONE_KTLS thread whose area page is registered with
 * userfaultfd and not yet populated, so the kernel's first write of the
 * area waits for the handler; before the handler resolves the fault it
 * creates and joins another thread of the address space.  Expected: no
 * deadlock (the kernel does not hold its locks over the fault), and the
 * thread's area is right once the page is provided.
 */
TEST_F(interact, userfaultfd_area)
{
	long page = sysconf(_SC_PAGESIZE);
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_zeropage zero = { 0 };
	struct kt_thread t, other;
	struct uffd_msg msg;
	struct kt_snap s, so;
	struct pollfd pfd;
	unsigned long area_page;
	long uffd;

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		SKIP(return, "no userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));
	ASSERT_EQ(0, kt_thread_prepare(&t, 0));
	area_page = (unsigned long)t.area & -page;
	/* A fresh, never touched page for the area. */
	ASSERT_EQ((void *)area_page, mmap((void *)area_page, page,
					  PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	reg.range.start = area_page;
	reg.range.len = page;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));

	ASSERT_LT(0, kt_thread_spawn(&t, KT_THREAD_FLAGS | CLONE_KTLS, t.tls,
				     0, kt_thread_snap, &s));
	pfd.fd = uffd;
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, 10000)) TH_LOG("no fault reported in 10 s");
	ASSERT_EQ((ssize_t)sizeof(msg), read(uffd, &msg, sizeof(msg)));
	EXPECT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);
	EXPECT_EQ(area_page, msg.arg.pagefault.address & -page);

	/* The address space's registry must not be held by the waiter. */
	ASSERT_EQ(0, kt_thread_prepare(&other, 0));
	ASSERT_LT(0, kt_thread_run(&other, KT_THREAD_FLAGS | CLONE_KTLS,
				   other.tls, kt_thread_snap, &so));
	kt_expect_snap(_metadata, &so, KT_EXPECT_AREA, "other thread");

	zero.range.start = area_page;
	zero.range.len = page;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_ZEROPAGE, &zero));
	kt_thread_join(&t);
	kt_expect_snap(_metadata, &s, KT_EXPECT_AREA, "userfaultfd thread");
	kt_thread_free(&t);
	kt_thread_free(&other);
	close(uffd);
}

/*
 * Input: a process in a new user namespace cycles UNREGISTER/REGISTER
 * while another writes the namespace's uid_map, 40 times.  Expected:
 * once the write is done and the cycling stops (registered), the area
 * and the vDSO give the mapped uid, never the unmapped 65534: a map write
 * that lands during REGISTER is not lost.
 */
struct idmap_race {
	int ready, stop;
};

static int idmap_race_child(struct idmap_race *r)
{
	if (unshare(CLONE_NEWUSER))
		return 10;
	kt_post(&r->ready, 1);
	do {
		if (kt_unregister() || kt_register())
			return 11;
	} while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE));
	if (kt_raw_getuid() != 0)
		return 12;
	if (kt_vdso.getuid() != 0 || kt_tls_area.uid != 0)
		return 13;
	return 0;
}

TEST_F(interact, idmap_write_during_register)
{
	struct idmap_race *r = kt_shared_alloc(sizeof(*r));
	char path[64], map[32];
	int i, fd, status;
	pid_t pid;

	if (geteuid())
		SKIP(return, "writing another process's uid_map needs root");
	snprintf(map, sizeof(map), "0 %d 1\n", (int)geteuid());
	for (i = 0; i < 40; i++) {
		__atomic_store_n(&r->ready, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&r->stop, 0, __ATOMIC_RELAXED);
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0)
			_exit(idmap_race_child(r));
		kt_wait_for(&r->ready, 1);
		usleep(i * 50);
		snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
		fd = open(path, O_WRONLY);
		ASSERT_LE(0, fd);
		EXPECT_EQ((ssize_t)strlen(map), write(fd, map, strlen(map)));
		close(fd);
		__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("round %d: %s (10 unshare, 11 cycle, 12 uid, 13 area/vDSO stale)",
			       i, kt_status_str(status));
	}
	munmap(r, sizeof(*r));
}

int main(int argc, char **argv)
{
	kt_require_vdso();
	return test_harness_run(argc, argv);
}
