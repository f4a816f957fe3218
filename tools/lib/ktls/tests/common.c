// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "elf_lookup.h"

const char *const tst_vdso_names[] = {
	"__vdso_clock_gettime",
	"__vdso_gettimeofday",
	"__vdso_time",
	"__vdso_getcpu",
	"__vdso_clock_getres",
};
const size_t tst_nr_vdso_names = ARRAY_SIZE(tst_vdso_names);

unsigned char *tst_dup(const void *src, size_t len)
{
	unsigned char *p = (unsigned char *)malloc(len ? len : 1);

	assert_non_null(p);
	memcpy(p, src, len);
	return p;
}

void tst_host_vdso(struct tst_image *img)
{
	const void *image;

	assert_int_equal(ktls_vdso_image(&image, &img->size), 0);
	img->buf = tst_dup(image, img->size);
}

void tst_host_vdso_mapping(struct tst_image *img)
{
	unsigned long start = 0, end = 0;
	char line[512];
	FILE *f;

	f = fopen("/proc/self/maps", "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "[vdso]")) {
			assert_int_equal(sscanf(line, "%lx-%lx", &start, &end),
					 2);
			break;
		}
	}
	fclose(f);
	assert_true(end > start);
	img->size = end - start;
	img->buf = tst_dup((void *)start, img->size);
}

int tst_load_file(const char *path, struct tst_image *img)
{
	FILE *f = fopen(path, "rb");
	long len = -1;
	int ret = 0;

	if (!f)
		return -errno;
	if (!fseek(f, 0, SEEK_END))
		len = ftell(f);
	if (len < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -EIO;
	}
	img->size = len;
	img->buf = (unsigned char *)malloc(len ? len : 1);
	if (!img->buf || fread(img->buf, 1, len, f) != (size_t)len)
		ret = -EIO;
	fclose(f);
	return ret;
}

void tst_image_free(struct tst_image *img)
{
	free(img->buf);
	img->buf = NULL;
	img->size = 0;
}

long tst_vaddr_off(const struct tst_image *img, uint64_t vaddr)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img->buf;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(img->buf + eh->e_phoff);
	int i;

	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && vaddr >= ph[i].p_vaddr &&
		    vaddr - ph[i].p_vaddr < ph[i].p_filesz)
			return ph[i].p_offset + (vaddr - ph[i].p_vaddr);
	return -1;
}

long tst_dyn_entry(const struct tst_image *img, int64_t tag)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img->buf;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(img->buf + eh->e_phoff);
	const Elf64_Dyn *dyn;
	int i;

	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_DYNAMIC)
			continue;
		for (dyn = (const Elf64_Dyn *)(img->buf + ph[i].p_offset);
		     dyn->d_tag != DT_NULL; dyn++)
			if (dyn->d_tag == tag)
				return (const unsigned char *)dyn - img->buf;
	}
	return -1;
}

uint64_t tst_dyn_value(const struct tst_image *img, int64_t tag)
{
	long off = tst_dyn_entry(img, tag);
	Elf64_Dyn dyn;

	assert_true(off >= 0);
	memcpy(&dyn, img->buf + off, sizeof(dyn));
	return dyn.d_un.d_val;
}

uint64_t tst_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

unsigned long tst_env_ulong(const char *name, unsigned long def)
{
	const char *s = getenv(name);

	return s && *s ? strtoul(s, NULL, 0) : def;
}

void tst_check_result(int ret, void *addr, const void *image, size_t size)
{
	const unsigned char *p = (const unsigned char *)addr;
	const unsigned char *base = (const unsigned char *)image;

	if (ret == 0) {
		assert_true(p >= base && p < base + size);
		return;
	}
	if (ret != -ENOENT && ret != -ENOEXEC)
		fail_msg("unexpected lookup result %d", ret);
}
