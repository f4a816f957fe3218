// SPDX-License-Identifier: GPL-2.0
/*
 * libktls under the KTLS glibc: libktls must defer to glibc's
 * registration, and read the areas glibc gives its pthreads.  Run by
 * tests/glibc/programs.sh three ways; the expected outcome is the
 * argument:
 *
 *   libktls_defer libc     KTLS glibc, KTLS on: KTLS_FEATURE_LIBC, libktls's
 *                          offset is glibc's __ktls_offset and the kernel's
 *                          registered offset, ktls_set_offset() is 0, and
 *                          in every pthread the area at the thread pointer
 *                          plus that offset holds the thread's own tid,
 *                          which ktls_gettid() returns
 *   libktls_defer own      KTLS glibc with glibc.pthread.ktls=0, or the
 *                          stock glibc: no KTLS_FEATURE_LIBC; ktls_setup()
 *                          registers libktls's own offset (on a KTLS
 *                          kernel); ktls_gettid() is right in every thread
 *
 * The oracles: dlsym() of glibc's symbols, the kernel's registered
 * offset (prctl(PR_KTLS, PR_KTLS_GET_LAYOUT)), the gettid system call.
 * Prints TAP; exits 1 when a check failed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <ktls/ktls.h>

#define NR_THREADS 4

static int n, failed;
static ptrdiff_t offset;
static int libc;

static void check(int ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	failed |= !ok;
}

static void *thread_fn(void *arg)
{
	long tid = syscall(SYS_gettid);
	long *res = arg;
	const struct ktls_area *area;

	res[0] = tid;
	res[1] = ktls_gettid();
	res[2] = -1;
	if (libc) {
		area = (const void *)((char *)__builtin_thread_pointer() +
				      offset);
		res[2] = area->tid;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const unsigned int *gsize = dlsym(RTLD_DEFAULT, "__ktls_size");
	const ptrdiff_t *goffset = dlsym(RTLD_DEFAULT, "__ktls_offset");
	unsigned int features = ktls_features();
	long res[NR_THREADS][3];
	pthread_t th[NR_THREADS];
	ptrdiff_t registered = 0;
	int i, ret, kernel = !!(features & KTLS_FEATURE_KERNEL);

	if (argc != 2 || (strcmp(argv[1], "libc") && strcmp(argv[1], "own"))) {
		fprintf(stderr, "usage: %s libc|own\n", argv[0]);
		return 2;
	}
	libc = !strcmp(argv[1], "libc");
	offset = ktls_offset();
	printf("# glibc __ktls_size %d, __ktls_offset %td; ktls_offset() %td, features %#x\n",
	       gsize ? (int)*gsize : -1, goffset ? *goffset : 0, offset,
	       features);
	if (libc) {
		check(gsize && goffset && *gsize && offset == *goffset &&
		      (features & KTLS_FEATURE_LIBC),
		      "libktls uses glibc's registration (KTLS_FEATURE_LIBC, ktls_offset() == __ktls_offset)");
		ret = ktls_set_offset();
		if (!ret) {
			struct ktls_layout layout;

			ret = prctl(PR_KTLS, PR_KTLS_GET_LAYOUT,
				    (unsigned long)&layout, sizeof(layout),
				    0UL) ? -errno : 0;
			registered = layout.offset;
		}
		check(ret == 0 && registered == offset,
		      "ktls_set_offset() is 0 and the kernel's offset is glibc's (%td)",
		      registered);
	} else {
		check(!(features & KTLS_FEATURE_LIBC) &&
		      (!goffset || offset != *goffset),
		      "no C library registration: libktls's own offset %td",
		      offset);
		ret = ktls_setup();
		check(kernel ? ret == 0 : ret == -ENOTSUP,
		      "ktls_setup() = %d (expected %d)", ret,
		      kernel ? 0 : -ENOTSUP);
	}
	for (i = 0; i < NR_THREADS; i++)
		if (pthread_create(&th[i], NULL, thread_fn, res[i]))
			return 1;
	for (i = 0; i < NR_THREADS; i++) {
		pthread_join(th[i], NULL);
		check(res[i][1] == res[i][0] &&
		      (!libc || res[i][2] == res[i][0]),
		      "pthread %d: gettid %ld, ktls_gettid() %ld, area tid %ld",
		      i, res[i][0], res[i][1], res[i][2]);
	}
	printf("1..%d\n", n);
	return failed;
}
