// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Built against an installed libktls only: <ktls/ktls.h> must suffice.
 * The inline accessors, the table behind them, and a thread from
 * ktls_pthread_create().
 */
#include <ktls/ktls.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static void *thread_fn(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)(ktls_gettid() == (pid_t)syscall(SYS_gettid));
}

int main(void)
{
	struct ktls_area area;
	pthread_t th;
	void *ret = NULL;

	if (ktls_getpid() != getpid() || ktls_getuid() != getuid() ||
	    ktls_gettid() != ktls_accessors.gettid() ||
	    sizeof(area) != KTLS_AREA_SIZE) {
		fprintf(stderr, "install check: wrong values\n");
		return 1;
	}
	if (ktls_pthread_create(&th, NULL, thread_fn, NULL) ||
	    pthread_join(th, &ret) || ret != (void *)1) {
		fprintf(stderr, "install check: ktls_pthread_create failed\n");
		return 1;
	}
	return 0;
}
