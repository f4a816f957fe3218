// SPDX-License-Identifier: GPL-2.0
/*
 * vdso_gettid: call __vdso_ktls_gettid() found through the vDSO, next to
 * the system call's answer, in a thread without an area and in one with
 * an area.
 *
 * The vDSO is found with getauxval(AT_SYSINFO_EHDR) and its symbol looked
 * up with the kernel's reference parser (tools/testing/selftests/vDSO/
 * parse_vdso.c).  Build: cc -O2 vdso_gettid.c parse_vdso.c -lpthread
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/ktls.h>

#include "parse_vdso.h"

typedef int (*gettid_fn)(void);
typedef int *(*errno_location_fn)(void);

static gettid_fn vdso_gettid;
static errno_location_fn vdso_errno_location;
static int mismatches;

/* The area: the same offset from the thread pointer in every thread. */
static __thread struct ktls_area area __attribute__((tls_model("initial-exec")));

static void show(const char *who)
{
	int v = vdso_gettid();
	long s = syscall(SYS_gettid);

	printf("%-34s %18d %19ld   %s%s\n", who, v, s,
	       vdso_errno_location() ? "area" : "no area: syscall",
	       v == s ? "" : "   MISMATCH");
	mismatches += v != s;
}

static void *no_area_thread(void *arg)
{
	(void)arg;
	show("pthread (no CLONE_RSEQ_KTLS)");
	return NULL;
}

static int ktls(void *p, unsigned int len, int flags)
{
	return syscall(SYS_rseq, p, len, flags, 0) ? -errno : 0;
}

int main(void)
{
	struct ktls_layout layout = {
		.size = sizeof(area),
		.alignment = __alignof__(area),
		.offset = (char *)&area - (char *)__builtin_thread_pointer(),
	};
	pthread_t t;
	int ret;

	vdso_init_from_sysinfo_ehdr(getauxval(AT_SYSINFO_EHDR));
	vdso_gettid = (gettid_fn)vdso_sym("LINUX_2.6", "__vdso_ktls_gettid");
	vdso_errno_location = (errno_location_fn)
		vdso_sym("LINUX_2.6", "__vdso_ktls_errno_location");
	if (!vdso_gettid || !vdso_errno_location) {
		printf("this kernel's vDSO has no __vdso_ktls_gettid\n");
		return 0;
	}

	printf("%-34s %18s %19s   %s\n", "thread", "__vdso_ktls_gettid",
	       "syscall(SYS_gettid)", "path");
	show("main, before registration");
	ret = ktls(&layout, sizeof(layout), RSEQ_FLAG_KTLS_SET_OFFSET);
	if (!ret)
		ret = ktls(NULL, 0, RSEQ_FLAG_KTLS_REGISTER);
	if (ret) {
		printf("registration failed: %s\n", strerror(-ret));
		return 1;
	}
	show("main, registered");
	pthread_create(&t, NULL, no_area_thread, NULL);
	pthread_join(t, NULL);
	return mismatches ? 1 : 0;
}
