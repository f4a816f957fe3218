// SPDX-License-Identifier: GPL-2.0
/*
 * libktls_demo: threads made with ktls_pthread_create() read their IDs
 * through libktls (the KTLS vDSO functions where the kernel has them, the
 * system calls otherwise) while they use the C library as any thread
 * does: printf(), malloc().  Every value is checked against its system
 * call; the exit status is 0 only when all of them agree.  Built as C++
 * (the same file), each thread also throws and catches an exception that
 * carries its tid.
 *
 * Build: cc -O2 libktls_demo.c $(pkg-config --cflags --libs ktls) -pthread
 *    or: c++ -x c++ -O2 libktls_demo.c $(pkg-config --cflags --libs ktls) -pthread
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <ktls/ktls.h>
#ifdef __cplusplus
#include <stdexcept>
#include <string>
#endif

#define NR_THREADS	4

/* Prints one line per check; returns the number that disagreed. */
static int check_ids(const char *who)
{
	struct {
		const char *name;
		long ktls, sys;
	} ids[] = {
		{ "tid", ktls_gettid(), syscall(SYS_gettid) },
		{ "pid", ktls_getpid(), syscall(SYS_getpid) },
		{ "uid", ktls_getuid(), syscall(SYS_getuid) },
		{ "euid", ktls_geteuid(), syscall(SYS_geteuid) },
		{ "gid", ktls_getgid(), syscall(SYS_getgid) },
		{ "egid", ktls_getegid(), syscall(SYS_getegid) },
	};
	char *line = (char *)malloc(256);	/* this thread's heap block */
	int bad = 0, len = 0;
	size_t i;

	if (!line)
		return 1;
	len += snprintf(line + len, 256 - len, "%-10s", who);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		bad += ids[i].ktls != ids[i].sys;
		len += snprintf(line + len, 256 - len, " %s %ld%s", ids[i].name,
				ids[i].ktls,
				ids[i].ktls != ids[i].sys ? " MISMATCH" : "");
	}
	printf("%s  %s\n", line, ktls_errno_location() ? "area errno slot" :
	       "no errno slot");
	free(line);
	return bad;
}

static void *thread_fn(void *arg)
{
	char who[16];
	long bad;

	snprintf(who, sizeof(who), "thread %d", *(int *)arg);
	bad = check_ids(who);
#ifdef __cplusplus
	/* C++ in the thread: an exception thrown and caught, holding the tid. */
	try {
		throw std::runtime_error(std::to_string(ktls_gettid()));
	} catch (const std::runtime_error &e) {
		bad += std::stol(e.what()) != syscall(SYS_gettid);
	}
#endif
	/* the return value is the number of mismatches */
	return (void *)bad;
}

int main(void)
{
	unsigned int features = ktls_features();
	int index[NR_THREADS], bad, i, err;
	pthread_t th[NR_THREADS];
	void *ret;

	printf("libktls features: %s, %s%s\n",
	       features & KTLS_FEATURE_VDSO ? "vDSO accessors" :
	       "no vDSO accessors (system calls)",
	       features & KTLS_FEATURE_KERNEL ? "kernel registration" :
	       "no kernel registration",
	       features & KTLS_FEATURE_LIBC ? ", the C library registered" :
	       "");
	/* Register the offset and the main thread; fine to fail: ENOTSUP. */
	err = ktls_setup();
	if (err)
		printf("ktls_setup(): %s: the accessors make the system calls\n",
		       strerror(-err));

	bad = check_ids("main");
	for (i = 0; i < NR_THREADS; i++) {
		index[i] = i + 1;
		err = ktls_pthread_create(&th[i], NULL, thread_fn, &index[i]);
		if (err) {
			fprintf(stderr, "ktls_pthread_create: %s\n",
				strerror(err));
			return 1;
		}
	}
	for (i = 0; i < NR_THREADS; i++) {
		if (pthread_join(th[i], &ret))
			return 1;
		bad += (int)(long)ret;
	}
	printf("%s\n", bad ? "MISMATCH: libktls disagrees with the system calls"
	       : "all IDs agree with the system calls");
	return bad ? 1 : 0;
}
