// SPDX-License-Identifier: GPL-2.0
/*
 * libktls_demo: the same IDs through libktls, which uses the vDSO
 * accessors where the kernel exports them and the system calls otherwise.
 *
 * Build: cc -O2 libktls_demo.c $(pkg-config --cflags --libs ktls) -lpthread
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <ktls/ktls.h>

struct ids {
	pid_t ktls_tid, sys_tid;
	uid_t ktls_uid, sys_uid;
	int has_area;
};

static int mismatches;

/* Runs in every kind of thread; uses no glibc TLS (errno, stdio). */
static int sample(void *arg)
{
	struct ids *ids = arg;

	ids->ktls_tid = ktls_gettid();
	ids->sys_tid = syscall(SYS_gettid);
	ids->ktls_uid = ktls_getuid();
	ids->sys_uid = syscall(SYS_getuid);
	ids->has_area = ktls_errno_location() != NULL;
	return 0;
}

static void *pthread_sample(void *arg)
{
	sample(arg);
	return NULL;
}

static void show(const char *who, const struct ids *ids)
{
	int ok = ids->ktls_tid == ids->sys_tid && ids->ktls_uid == ids->sys_uid;

	printf("%-30s %8d %8d %8u %8u   %s%s\n", who, ids->ktls_tid,
	       ids->sys_tid, ids->ktls_uid, ids->sys_uid,
	       ids->has_area ? "area" : "no area: syscall",
	       ok ? "" : "   MISMATCH");
	mismatches += !ok;
}

int main(void)
{
	struct ktls_thread *kt;
	struct ids ids;
	pthread_t pt;
	int ret;

	printf("libktls features: %s%s\n",
	       ktls_features() & KTLS_FEATURE_VDSO ? "vDSO accessors " : "no vDSO accessors ",
	       ktls_features() & KTLS_FEATURE_KERNEL ? "+ kernel registration" : "(system calls only)");
	printf("%-30s %8s %8s %8s %8s   %s\n", "thread", "ktls tid", "sys tid",
	       "ktls uid", "sys uid", "path");
	sample(&ids);
	show("main, before ktls_setup()", &ids);

	ret = ktls_setup();
	if (ret) {
		printf("ktls_setup(): %s: only the system-call path is shown\n",
		       strerror(-ret));
	} else {
		sample(&ids);
		show("main, after ktls_setup()", &ids);
		ret = ktls_thread_create(&kt, sample, &ids, 0);
		if (ret == 0 && ktls_thread_join(kt, NULL) == 0)
			show("ktls_thread_create() thread", &ids);
		else
			printf("ktls_thread_create(): %s\n", strerror(-ret));
	}
	pthread_create(&pt, NULL, pthread_sample, &ids);
	pthread_join(pt, NULL);
	show("pthread (no area)", &ids);
	return mismatches ? 1 : 0;
}
