// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ktls_vdso_lookup() on the host's real vDSO: in place, on copies, with
 * either hash table, against glibc's own view of the vDSO.
 */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "elf_lookup.h"

static void test_clock_gettime(void **state)
{
	int (*fn)(clockid_t, struct timespec *);
	struct timespec before, now, after;
	void *addr = NULL;

	(void)state;
	assert_int_equal(ktls_vdso_sym("__vdso_clock_gettime", "LINUX_2.6",
				       &addr), 0);
	fn = (int (*)(clockid_t, struct timespec *))addr;
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &before), 0);
	assert_int_equal(fn(CLOCK_MONOTONIC, &now), 0);
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &after), 0);
	assert_true(now.tv_sec > before.tv_sec ||
		    (now.tv_sec == before.tv_sec &&
		     now.tv_nsec >= before.tv_nsec));
	assert_true(after.tv_sec > now.tv_sec ||
		    (after.tv_sec == now.tv_sec &&
		     after.tv_nsec >= now.tv_nsec));
}

static void test_getcpu(void **state)
{
	long (*fn)(unsigned int *, unsigned int *, void *);
	unsigned int cpu = ~0U, node = ~0U;
	void *addr = NULL;

	(void)state;
	assert_int_equal(ktls_vdso_sym("__vdso_getcpu", "LINUX_2.6", &addr),
			 0);
	fn = (long (*)(unsigned int *, unsigned int *, void *))addr;
	assert_int_equal(fn(&cpu, &node, NULL), 0);
	assert_true(cpu < (unsigned int)sysconf(_SC_NPROCESSORS_CONF));
}

/* glibc's dynamic linker knows the vDSO as linux-vdso.so.1. */
static void test_agrees_with_dlvsym(void **state)
{
	void *handle, *ours, *theirs;
	size_t i;

	(void)state;
	handle = dlopen("linux-vdso.so.1", RTLD_NOW | RTLD_NOLOAD);
	if (!handle)
		skip();
	for (i = 0; i < tst_nr_vdso_names; i++) {
		theirs = dlvsym(handle, tst_vdso_names[i], "LINUX_2.6");
		assert_non_null(theirs);
		assert_int_equal(ktls_vdso_sym(tst_vdso_names[i], "LINUX_2.6",
					       &ours), 0);
		assert_ptr_equal(ours, theirs);
	}
	dlclose(handle);
}

static void test_versions(void **state)
{
	void *versioned, *dflt;
	size_t i;

	(void)state;
	for (i = 0; i < tst_nr_vdso_names; i++) {
		assert_int_equal(ktls_vdso_sym(tst_vdso_names[i], "LINUX_2.6",
					       &versioned), 0);
		assert_int_equal(ktls_vdso_sym(tst_vdso_names[i], NULL, &dflt),
				 0);
		assert_ptr_equal(versioned, dflt);
		assert_int_equal(ktls_vdso_sym(tst_vdso_names[i], "LINUX_2.5",
					       &dflt), -ENOENT);
		assert_int_equal(ktls_vdso_sym(tst_vdso_names[i], "LINUX_2.6.",
					       &dflt), -ENOENT);
		assert_int_equal(ktls_vdso_sym(tst_vdso_names[i], "", &dflt),
				 -ENOENT);
		/* The base version names the object, not its symbols. */
		assert_int_equal(ktls_vdso_sym(tst_vdso_names[i],
					       "linux-vdso.so.1", &dflt),
				 -ENOENT);
	}
}

static void test_missing_names(void **state)
{
	static const char *const missing[] = {
		"", "__vdso_", "__vdso_clock_gettim", "__vdso_clock_gettimeX",
		"__VDSO_CLOCK_GETTIME", "__vdso_no_such_function",
		/* the version definition's ABS symbol is not a function */
		"LINUX_2.6",
	};
	void *addr = (void *)1;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(missing); i++) {
		assert_int_equal(ktls_vdso_sym(missing[i], NULL, &addr),
				 -ENOENT);
		assert_int_equal(ktls_vdso_sym(missing[i], "LINUX_2.6", &addr),
				 -ENOENT);
	}
	assert_ptr_equal(addr, (void *)1);
}

static void test_bad_arguments(void **state)
{
	const void *image;
	size_t size;
	void *addr;

	(void)state;
	assert_int_equal(ktls_vdso_image(&image, &size), 0);
	assert_int_equal(ktls_vdso_lookup(NULL, size, "__vdso_time", NULL,
					  &addr), -EINVAL);
	assert_int_equal(ktls_vdso_lookup(image, size, NULL, NULL, &addr),
			 -EINVAL);
	assert_int_equal(ktls_vdso_lookup(image, size, "__vdso_time", NULL,
					  NULL), -EINVAL);
	assert_int_equal(ktls_vdso_image(NULL, &size), -EINVAL);
	assert_int_equal(ktls_vdso_image(&image, NULL), -EINVAL);
}

/* The live image's size: its PT_LOAD extent, inside the [vdso] mapping. */
static void test_image_size(void **state)
{
	struct tst_image mapping;
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph;
	const void *image;
	size_t size;
	int i;

	(void)state;
	assert_int_equal(ktls_vdso_image(&image, &size), 0);
	tst_host_vdso_mapping(&mapping);
	assert_int_equal(memcmp(image, mapping.buf, size), 0);
	assert_true(size <= mapping.size);
	eh = (const Elf64_Ehdr *)image;
	ph = (const Elf64_Phdr *)((const char *)image + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD)
			assert_true(ph[i].p_offset + ph[i].p_filesz <= size);
	tst_image_free(&mapping);
}

/* Every name resolves in @img at the same offset as in the live vDSO. */
static void assert_same_offsets(const struct tst_image *img)
{
	const void *live;
	void *ours, *theirs;
	size_t size, i;

	assert_int_equal(ktls_vdso_image(&live, &size), 0);
	for (i = 0; i < tst_nr_vdso_names; i++) {
		assert_int_equal(ktls_vdso_lookup(img->buf, img->size,
						  tst_vdso_names[i],
						  "LINUX_2.6", &ours), 0);
		assert_int_equal(ktls_vdso_sym(tst_vdso_names[i], "LINUX_2.6",
					       &theirs), 0);
		assert_int_equal((char *)ours - (char *)img->buf,
				 (char *)theirs - (char *)live);
	}
}

/* Copies at any alignment: the lookup reads with memcpy. */
static void test_unaligned_copy(void **state)
{
	struct tst_image host, shifted;
	unsigned char *buf;
	size_t shift;

	(void)state;
	tst_host_vdso(&host);
	for (shift = 1; shift < 8; shift++) {
		buf = (unsigned char *)malloc(host.size + shift);
		assert_non_null(buf);
		memcpy(buf + shift, host.buf, host.size);
		shifted.buf = buf + shift;
		shifted.size = host.size;
		assert_same_offsets(&shifted);
		free(buf);
	}
	tst_image_free(&host);
}

static void retag(struct tst_image *img, int64_t from, int64_t to)
{
	long off = tst_dyn_entry(img, from);
	Elf64_Sxword tag = to;

	assert_true(off >= 0);
	memcpy(img->buf + off, &tag, sizeof(tag));
}

/* DT_GNU_HASH alone, DT_HASH alone, and neither. */
static void test_hash_tables(void **state)
{
	struct tst_image img;
	void *addr;

	(void)state;
	tst_host_vdso(&img);
	assert_true(tst_dyn_entry(&img, DT_HASH) >= 0);
	assert_true(tst_dyn_entry(&img, DT_GNU_HASH) >= 0);
	assert_same_offsets(&img);

	retag(&img, DT_HASH, DT_DEBUG);
	assert_same_offsets(&img);
	retag(&img, DT_DEBUG, DT_HASH);

	retag(&img, DT_GNU_HASH, DT_DEBUG);
	assert_same_offsets(&img);

	retag(&img, DT_HASH, DT_DEBUG);
	assert_int_equal(ktls_vdso_lookup(img.buf, img.size, "__vdso_time",
					  NULL, &addr), -ENOEXEC);
	tst_image_free(&img);
}

/* With both tables, DT_GNU_HASH is the one used. */
static void test_gnu_hash_preferred(void **state)
{
	struct tst_image img;
	uint32_t zero = 0;
	void *addr;
	long off;

	(void)state;
	tst_host_vdso(&img);
	off = tst_vaddr_off(&img, tst_dyn_value(&img, DT_HASH));
	assert_true(off >= 0);
	memcpy(img.buf + off, &zero, sizeof(zero));	/* nbucket */
	assert_same_offsets(&img);

	off = tst_vaddr_off(&img, tst_dyn_value(&img, DT_GNU_HASH));
	assert_true(off >= 0);
	memcpy(img.buf + off, &zero, sizeof(zero));	/* nbuckets */
	assert_int_equal(ktls_vdso_lookup(img.buf, img.size, "__vdso_time",
					  NULL, &addr), -ENOEXEC);
	tst_image_free(&img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clock_gettime),
		cmocka_unit_test(test_getcpu),
		cmocka_unit_test(test_agrees_with_dlvsym),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_missing_names),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_image_size),
		cmocka_unit_test(test_unaligned_copy),
		cmocka_unit_test(test_hash_tables),
		cmocka_unit_test(test_gnu_hash_preferred),
	};

	return cmocka_run_group_tests_name("ktls_lookup", tests, NULL, NULL);
}
