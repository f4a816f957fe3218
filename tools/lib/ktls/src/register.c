// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Registration of libktls's area with the kernel (see <linux/ktls.h>).
 *
 * The area is an initial-exec __thread variable: static TLS sits at the
 * same offset from the thread pointer in every thread, which is what
 * prctl(PR_KTLS, PR_KTLS_SET_OFFSET) registers.
 *
 * Unless the C library owns the registration: a C library that registers
 * at start-up and gives each of its threads an area (glibc with the KTLS
 * series) exports what it registered, __ktls_offset and __ktls_size, as
 * glibc exports __rseq_offset and __rseq_size.  When __ktls_size is not 0,
 * libktls's offset is the C library's and libktls registers none.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <string.h>

#include "internal.h"

static __thread struct ktls_area ktls_tls_area
	__attribute__((tls_model("initial-exec")));

/* The C library's registration: its offset, or NULL when it has none. */
static const ptrdiff_t *libc_offset;

/*
 * Looked up once, at load time (dlsym() is not async-signal-safe): the
 * C library registers before any constructor runs.  dlsym() sees the
 * symbols of dynamically linked programs only; a static program keeps
 * libktls's own area.
 */
__attribute__((constructor))
static void ktls_libc_lookup(void)
{
	const unsigned int *size = dlsym(RTLD_DEFAULT, "__ktls_size");
	const ptrdiff_t *offset = dlsym(RTLD_DEFAULT, "__ktls_offset");

	if (size && offset && *size && *offset)
		__atomic_store_n(&libc_offset, offset, __ATOMIC_RELEASE);
}

bool ktls_libc_owns(void)
{
	return __atomic_load_n(&libc_offset, __ATOMIC_ACQUIRE) != NULL;
}

enum {
	KTLS_SUPPORT_UNKNOWN,
	KTLS_SUPPORT_YES,
	KTLS_SUPPORT_NO,
};

static int ktls_support;

/* prctl(PR_KTLS, @op, @arg, @size, 0): 0 or a negative errno. */
static long ktls_prctl(unsigned long op, void *arg, size_t size)
{
	return ktls_arch_syscall6(SYS_prctl, PR_KTLS, op, (long)arg, size, 0,
				  0);
}

/*
 * PR_KTLS_GET_LAYOUT; kernels without KTLS reject PR_KTLS as an unknown
 * prctl option (EINVAL).
 */
static int ktls_get_layout(struct ktls_layout *layout)
{
	long ret;

	*layout = (struct ktls_layout){ 0 };
	ret = ktls_prctl(PR_KTLS_GET_LAYOUT, layout, sizeof(*layout));
	if (ret == -EINVAL || ret == -ENOSYS)
		return -ENOTSUP;
	return ret;
}

bool ktls_kernel_supported(void)
{
	int support = __atomic_load_n(&ktls_support, __ATOMIC_RELAXED);
	struct ktls_layout layout;

	if (support == KTLS_SUPPORT_UNKNOWN) {
		if (ktls_auxval(AT_KTLS_SIZE) || !ktls_get_layout(&layout))
			support = KTLS_SUPPORT_YES;
		else
			support = KTLS_SUPPORT_NO;
		__atomic_store_n(&ktls_support, support, __ATOMIC_RELAXED);
	}
	return support == KTLS_SUPPORT_YES;
}

/*
 * Size and alignment the kernel asks for: auxv first, then
 * PR_KTLS_GET_LAYOUT.
 */
static int ktls_query_layout(size_t *size, size_t *alignment)
{
	unsigned long auxv_size = ktls_auxval(AT_KTLS_SIZE);
	unsigned long auxv_align = ktls_auxval(AT_KTLS_ALIGN);
	struct ktls_layout layout;
	int ret;

	if (auxv_size && auxv_align) {
		*size = auxv_size;
		*alignment = auxv_align;
		return 0;
	}
	ret = ktls_get_layout(&layout);
	if (ret)
		return ret;
	*size = layout.size;
	*alignment = layout.alignment;
	return 0;
}

/* The thread group's registered offset (0 when none). */
static int ktls_registered_offset(ptrdiff_t *offset)
{
	struct ktls_layout layout;
	int ret;

	ret = ktls_get_layout(&layout);
	if (ret)
		return ret;
	*offset = layout.offset;
	return 0;
}

KTLS_API ptrdiff_t ktls_offset(void)
{
	const ptrdiff_t *libc = __atomic_load_n(&libc_offset, __ATOMIC_ACQUIRE);

	if (libc)
		return *libc;
	return (char *)&ktls_tls_area - (char *)ktls_arch_thread_pointer();
}

/*
 * More than one thread in the process (/proc/self/task), so that a caller
 * who registers too late gets -EBUSY on every kernel, not -ENOTSUP on one
 * without KTLS and -EBUSY on one with it.  False when /proc is not there:
 * the kernel then still refuses (its test also counts CLONE_VM children).
 */
static bool ktls_multithreaded(void)
{
	int saved = errno, n = 0;
	struct dirent *d;
	DIR *dir;

	dir = opendir("/proc/self/task");
	if (!dir) {
		errno = saved;
		return false;
	}
	while ((d = readdir(dir)) && n < 2)
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			n++;
	closedir(dir);
	errno = saved;
	return n > 1;
}

KTLS_API int ktls_set_offset(void)
{
	struct ktls_layout layout = {
		.size = sizeof(ktls_tls_area),
		.alignment = __alignof__(ktls_tls_area),
		.offset = ktls_offset(),
	};
	size_t size, alignment;
	ptrdiff_t current;
	int ret;

	if (ktls_libc_owns())
		return 0;	/* registered by the C library at start-up */
	if (ktls_multithreaded())
		return ktls_registered_offset(&current) || current != layout.offset ?
		       -EBUSY : 0;
	ret = ktls_query_layout(&size, &alignment);
	if (ret)
		return ret;
	if (size > layout.size || alignment > layout.alignment)
		return -ENOSPC;

	ret = ktls_prctl(PR_KTLS_SET_OFFSET, &layout, sizeof(layout));
	if (ret == -EBUSY && !ktls_registered_offset(&current) &&
	    current == layout.offset)
		return 0;
	return ret;
}

/*
 * The kernel puts the area at the registered offset, so register only
 * when that is ktls_offset(): under another offset (another runtime's, or
 * a static program's C library's) the kernel would write memory libktls
 * does not own.  The offset is stable here: it is set only while the
 * process is single-threaded and cleared only by execve().
 *
 * Nothing is needed at thread exit: the kernel forgets the thread's area
 * when it exits (and writes nothing more), so the C library may free or
 * reuse the thread's TLS; a thread that later gets the same thread
 * pointer never reads the old values, as the kernel invalidates the area
 * when a task arrives at a thread pointer.
 */
KTLS_API int ktls_register_thread(void)
{
	ptrdiff_t offset;
	int ret;

	if (!ktls_kernel_supported())
		return -ENOTSUP;
	ret = ktls_registered_offset(&offset);
	if (ret)
		return ret;
	if (!offset)
		return -ENOENT;
	if (offset != ktls_offset())
		return -EBUSY;
	ret = ktls_prctl(PR_KTLS_REGISTER, NULL, 0);
	return ret == -EBUSY ? 0 : ret;
}

KTLS_API int ktls_unregister_thread(void)
{
	if (!ktls_kernel_supported())
		return -ENOTSUP;
	return ktls_prctl(PR_KTLS_UNREGISTER, NULL, 0);
}

KTLS_API int ktls_setup(void)
{
	int ret = ktls_set_offset();

	return ret ? ret : ktls_register_thread();
}
