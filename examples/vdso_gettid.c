// SPDX-License-Identifier: GPL-2.0
/*
 * vdso_gettid: call __vdso_ktls_gettid() found through the vDSO, next to
 * the system call's answer, in a thread without an area and in one with
 * an area.  The area is registered with prctl(PR_KTLS, ...).
 *
 * The vDSO is found with getauxval(AT_SYSINFO_EHDR) and its symbol looked
 * up with the kernel's reference parser (tools/testing/selftests/vDSO/
 * parse_vdso.c).  Build against the KTLS kernel's UAPI headers (make
 * headers_install; PR_KTLS is in its <linux/prctl.h>):
 * cc -O2 -isystem <obj>/usr/include vdso_gettid.c parse_vdso.c -lpthread
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/ktls.h>

#include "parse_vdso.h"

typedef int (*gettid_fn)(void);

static gettid_fn vdso_gettid;
static int mismatches;

/* The area: the same offset from the thread pointer in every thread. */
static __thread struct ktls_area area __attribute__((tls_model("initial-exec")));

/*
 * @path: what the accessor does in this thread.  The vDSO cannot tell:
 * __vdso_ktls_errno_location() returns the thread's errno slot whenever
 * an offset is registered and the slot is mapped, area or not.
 */
static void show(const char *who, const char *path)
{
	int v = vdso_gettid();
	long s = syscall(SYS_gettid);

	printf("%-34s %18d %19ld   %s%s\n", who, v, s, path,
	       v == s ? "" : "   MISMATCH");
	mismatches += v != s;
}

static void *no_area_thread(void *arg)
{
	(void)arg;
	show("pthread (no CLONE_KTLS)", "no area: syscall");
	return NULL;
}

static int ktls(unsigned long op, void *p, unsigned long size)
{
	return prctl(PR_KTLS, op, (unsigned long)p, size, 0UL) ? -errno : 0;
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
	if (!vdso_gettid) {
		printf("this kernel's vDSO has no __vdso_ktls_gettid\n");
		return 0;
	}

	printf("%-34s %18s %19s   %s\n", "thread", "__vdso_ktls_gettid",
	       "syscall(SYS_gettid)", "path");
	show("main, before registration", "no offset: syscall");
	ret = ktls(PR_KTLS_SET_OFFSET, &layout, sizeof(layout));
	if (!ret)
		ret = ktls(PR_KTLS_REGISTER, NULL, 0);
	if (ret) {
		printf("registration failed: %s\n", strerror(-ret));
		return 1;
	}
	show("main, registered", "area");
	pthread_create(&t, NULL, no_area_thread, NULL);
	pthread_join(t, NULL);
	return mismatches ? 1 : 0;
}
