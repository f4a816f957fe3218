// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ktls_vdso_lookup() on malformed images derived from the host's vDSO:
 * truncations, targeted corruptions of every structure it reads, and
 * random mutations.  Each image is an exact-size heap copy, so under
 * ASan any read outside it is caught; a found address must lie inside it.
 * KTLS_MUTATE_ITERS and KTLS_MUTATE_SEED tune the random part.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "elf_lookup.h"

#define NAME	"__vdso_clock_gettime"
#define VERSION	"LINUX_2.6"

/* Look every name up with and without a version; results must be allowed. */
static void check_all(const unsigned char *buf, size_t size)
{
	static const char *const versions[] = { NULL, VERSION, "LINUX_X" };
	size_t i, v;
	void *addr;
	int ret;

	for (i = 0; i < tst_nr_vdso_names; i++) {
		for (v = 0; v < ARRAY_SIZE(versions); v++) {
			addr = NULL;
			ret = ktls_vdso_lookup(buf, size, tst_vdso_names[i],
					       versions[v], &addr);
			tst_check_result(ret, addr, buf, size);
		}
	}
	tst_check_result(ktls_vdso_lookup(buf, size, "no_such_symbol", NULL,
					  &addr), addr, buf, size);
}

static void test_truncated(void **state)
{
	struct tst_image host;
	unsigned char *buf;
	size_t len, i;
	void *addr;

	(void)state;
	tst_host_vdso(&host);
	for (len = 0; len <= host.size; len++) {
		buf = tst_dup(host.buf, len);
		check_all(buf, len);
		if (len < sizeof(Elf64_Ehdr))
			assert_int_equal(ktls_vdso_lookup(buf, len, NAME, NULL,
							  &addr), -ENOEXEC);
		free(buf);
	}
	for (i = 0; i < tst_nr_vdso_names; i++)
		assert_int_equal(ktls_vdso_lookup(host.buf, host.size,
						  tst_vdso_names[i], VERSION,
						  &addr), 0);
	tst_image_free(&host);
}

/* Where a patch goes. */
enum where {
	IN_EHDR,	/* @off into the ELF header */
	IN_PHDR,	/* @off into the first program header of type @arg */
	IN_DYN,		/* the value of dynamic entry @arg */
	DYN_TAG,	/* the tag of dynamic entry @arg */
	IN_TABLE,	/* @off into the table that dynamic entry @arg names */
	EACH_SYM,	/* @off into every symbol but the first */
	EACH_VERSYM,	/* every version index */
	EACH_GNU_BUCKET,
	EACH_GNU_CHAIN,	/* @value ANDed into every chain word */
	EACH_SYSV_CHAIN_SELF, /* every chain links to itself */
	IN_VERDEF,	/* @off into every version definition */
	IN_VERDAUX,	/* @off into the first aux of every definition */
};

/*
 * The table below names only the members an entry needs, in declaration
 * order; the rest are zero, in C++ as in C, where g++ would warn.
 */
#ifdef __cplusplus
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif

struct patch {
	const char *what;
	enum where where;
	int64_t arg;
	size_t off;
	int width;
	uint64_t value;
	bool sysv;		/* hide DT_GNU_HASH first */
	uint32_t nchain;	/* then, if not 0, set DT_HASH's nchain */
	const char *name;
	const char *version;
	int expect;
};

static void put(struct tst_image *img, long off, int width, uint64_t value)
{
	assert_true(off >= 0 && (size_t)off + width <= img->size);
	memcpy(img->buf + off, &value, width);	/* little endian */
}

static uint64_t get(const struct tst_image *img, long off, int width)
{
	uint64_t value = 0;

	assert_true(off >= 0 && (size_t)off + width <= img->size);
	memcpy(&value, img->buf + off, width);
	return value;
}

static long table(const struct tst_image *img, int64_t tag)
{
	return tst_vaddr_off(img, tst_dyn_value(img, tag));
}

static uint32_t nr_syms(const struct tst_image *img)
{
	return get(img, table(img, DT_HASH) + 4, 4);
}

static void apply(struct tst_image *img, const struct patch *p)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img->buf;
	long off = -1, gnu, sysv, vd;
	uint32_t i, n, nbuckets;

	switch (p->where) {
	case IN_EHDR:
		put(img, p->off, p->width, p->value);
		break;
	case IN_PHDR:
		for (i = 0; i < eh->e_phnum; i++) {
			off = eh->e_phoff + i * sizeof(Elf64_Phdr);
			if (get(img, off, 4) == (uint64_t)p->arg)
				break;
		}
		assert_true(i < eh->e_phnum);
		put(img, off + p->off, p->width, p->value);
		break;
	case IN_DYN:
		put(img, tst_dyn_entry(img, p->arg) + 8, 8, p->value);
		break;
	case DYN_TAG:
		put(img, tst_dyn_entry(img, p->arg), 8, p->value);
		break;
	case IN_TABLE:
		put(img, table(img, p->arg) + p->off, p->width, p->value);
		break;
	case EACH_SYM:
		off = table(img, DT_SYMTAB);
		for (i = 1, n = nr_syms(img); i < n; i++)
			put(img, off + i * sizeof(Elf64_Sym) + p->off,
			    p->width, p->value);
		break;
	case EACH_VERSYM:
		off = table(img, DT_VERSYM);
		for (i = 1, n = nr_syms(img); i < n; i++)
			put(img, off + 2 * i, 2, p->value);
		break;
	case EACH_GNU_BUCKET:
	case EACH_GNU_CHAIN:
		gnu = table(img, DT_GNU_HASH);
		nbuckets = get(img, gnu, 4);
		off = gnu + 16 + 8 * get(img, gnu + 8, 4);
		if (p->where == EACH_GNU_BUCKET) {
			for (i = 0; i < nbuckets; i++)
				put(img, off + 4 * i, 4, p->value);
			break;
		}
		off += 4 * nbuckets;
		n = nr_syms(img) - get(img, gnu + 4, 4);
		for (i = 0; i < n; i++)
			put(img, off + 4 * i, 4, get(img, off + 4 * i, 4) &
			    p->value);
		break;
	case EACH_SYSV_CHAIN_SELF:
		sysv = table(img, DT_HASH);
		off = sysv + 8 + 4 * get(img, sysv, 4);
		for (i = 0, n = nr_syms(img); i < n; i++)
			put(img, off + 4 * i, 4, i);
		if (p->nchain)
			put(img, sysv + 4, 4, p->nchain);
		break;
	case IN_VERDEF:
	case IN_VERDAUX:
		vd = table(img, DT_VERDEF);
		for (;;) {
			off = p->where == IN_VERDEF ? vd :
			      vd + (long)get(img, vd + 12, 4);
			n = get(img, vd + 16, 4);	/* vd_next */
			put(img, off + p->off, p->width, p->value);
			if (!n)
				break;
			vd += n;
		}
		break;
	}
}

#define EH(field)	offsetof(Elf64_Ehdr, field), \
			sizeof(((Elf64_Ehdr *)0)->field)
#define PH(field)	offsetof(Elf64_Phdr, field), \
			sizeof(((Elf64_Phdr *)0)->field)
#define SYM(field)	offsetof(Elf64_Sym, field), \
			sizeof(((Elf64_Sym *)0)->field)
#define VD(field)	offsetof(Elf64_Verdef, field), \
			sizeof(((Elf64_Verdef *)0)->field)
#define VDA(field)	offsetof(Elf64_Verdaux, field), \
			sizeof(((Elf64_Verdaux *)0)->field)
#define BIG		0xffffffffffffff00ULL
#define ANY		1	/* any allowed result */

static const struct patch patches[] = {
	/* ELF header */
	{ "bad magic", IN_EHDR, 0, 1, 1, 'X', .expect = -ENOEXEC },
	{ "ELFCLASS32", IN_EHDR, 0, EI_CLASS, 1, ELFCLASS32,
	  .expect = -ENOEXEC },
	{ "big endian", IN_EHDR, 0, EI_DATA, 1, ELFDATA2MSB,
	  .expect = -ENOEXEC },
	{ "EI_VERSION 0", IN_EHDR, 0, EI_VERSION, 1, 0, .expect = -ENOEXEC },
	{ "ET_EXEC", IN_EHDR, 0, EH(e_type), ET_EXEC, .expect = -ENOEXEC },
	{ "EM_386", IN_EHDR, 0, EH(e_machine), EM_386, .expect = -ENOEXEC },
	{ "e_phentsize 32", IN_EHDR, 0, EH(e_phentsize), 32,
	  .expect = -ENOEXEC },
	{ "e_phnum 0", IN_EHDR, 0, EH(e_phnum), 0, .expect = -ENOEXEC },
	{ "e_phnum PN_XNUM", IN_EHDR, 0, EH(e_phnum), PN_XNUM,
	  .expect = -ENOEXEC },
	{ "e_phnum 1000", IN_EHDR, 0, EH(e_phnum), 1000, .expect = -ENOEXEC },
	{ "e_phoff huge", IN_EHDR, 0, EH(e_phoff), BIG, .expect = -ENOEXEC },
	{ "e_phoff at end", IN_EHDR, 0, EH(e_phoff), 0x1000,
	  .expect = -ENOEXEC },
	/* program headers */
	{ "no PT_DYNAMIC", IN_PHDR, PT_DYNAMIC, PH(p_type), PT_NULL,
	  .expect = -ENOEXEC },
	{ "PT_DYNAMIC offset huge", IN_PHDR, PT_DYNAMIC, PH(p_offset), BIG,
	  .expect = -ENOEXEC },
	{ "PT_DYNAMIC filesz huge", IN_PHDR, PT_DYNAMIC, PH(p_filesz), BIG,
	  .expect = -ENOEXEC },
	{ "PT_DYNAMIC filesz 8", IN_PHDR, PT_DYNAMIC, PH(p_filesz), 8,
	  .expect = -ENOEXEC },
	{ "no PT_LOAD", IN_PHDR, PT_LOAD, PH(p_type), PT_NULL,
	  .expect = -ENOEXEC },
	{ "PT_LOAD filesz 0x100", IN_PHDR, PT_LOAD, PH(p_filesz), 0x100,
	  .expect = -ENOEXEC },
	/* only what is read must be in the image, not the whole segment */
	{ "PT_LOAD filesz huge", IN_PHDR, PT_LOAD, PH(p_filesz), BIG,
	  .expect = 0 },
	{ "PT_LOAD offset huge", IN_PHDR, PT_LOAD, PH(p_offset), BIG,
	  .expect = -ENOEXEC },
	{ "PT_LOAD vaddr moved", IN_PHDR, PT_LOAD, PH(p_vaddr), 0x100000,
	  .expect = -ENOEXEC },
	/* dynamic section */
	{ "DT_STRTAB huge", IN_DYN, DT_STRTAB, .value = BIG,
	  .expect = -ENOEXEC },
	{ "DT_STRSZ huge", IN_DYN, DT_STRSZ, .value = BIG,
	  .expect = -ENOEXEC },
	{ "DT_STRSZ 0", IN_DYN, DT_STRSZ, .value = 0, .expect = -ENOEXEC },
	{ "DT_STRSZ 4", IN_DYN, DT_STRSZ, .value = 4, .expect = -ENOEXEC },
	{ "DT_SYMTAB huge", IN_DYN, DT_SYMTAB, .value = BIG,
	  .expect = -ENOEXEC },
	{ "DT_SYMTAB at end", IN_DYN, DT_SYMTAB, .value = 0x1518,
	  .expect = -ENOEXEC },
	{ "DT_SYMENT 16", IN_DYN, DT_SYMENT, .value = 16, .expect = -ENOEXEC },
	{ "no DT_STRTAB", DYN_TAG, DT_STRTAB, .value = DT_DEBUG,
	  .expect = -ENOEXEC },
	{ "no DT_STRSZ", DYN_TAG, DT_STRSZ, .value = DT_DEBUG,
	  .expect = -ENOEXEC },
	{ "no DT_SYMTAB", DYN_TAG, DT_SYMTAB, .value = DT_DEBUG,
	  .expect = -ENOEXEC },
	{ "DT_GNU_HASH huge", IN_DYN, DT_GNU_HASH, .value = BIG,
	  .expect = -ENOEXEC },
	{ "DT_GNU_HASH at end", IN_DYN, DT_GNU_HASH, .value = 0x1518,
	  .expect = -ENOEXEC },
	{ "DT_HASH huge", IN_DYN, DT_HASH, .value = BIG, .sysv = true,
	  .expect = -ENOEXEC },
	/* DT_GNU_HASH */
	{ "gnu nbuckets 0", IN_TABLE, DT_GNU_HASH, 0, 4, 0,
	  .expect = -ENOEXEC },
	{ "gnu nbuckets huge", IN_TABLE, DT_GNU_HASH, 0, 4, 0xfffffff0,
	  .expect = -ENOEXEC },
	{ "gnu symoffset huge", IN_TABLE, DT_GNU_HASH, 4, 4, 0xffffffff,
	  .expect = -ENOEXEC },
	{ "gnu bloom size 0", IN_TABLE, DT_GNU_HASH, 8, 4, 0,
	  .expect = -ENOEXEC },
	{ "gnu bloom size 3", IN_TABLE, DT_GNU_HASH, 8, 4, 3,
	  .expect = -ENOEXEC },
	{ "gnu bloom size 2^31", IN_TABLE, DT_GNU_HASH, 8, 4, 1U << 31,
	  .expect = -ENOEXEC },
	{ "gnu bloom shift 32", IN_TABLE, DT_GNU_HASH, 12, 4, 32,
	  .expect = -ENOEXEC },
	{ "gnu bloom empty", IN_TABLE, DT_GNU_HASH, 16, 8, 0,
	  .expect = -ENOENT },
	{ "gnu buckets huge", EACH_GNU_BUCKET, .value = 0xfffffff0,
	  .expect = -ENOEXEC },
	{ "gnu buckets 0", EACH_GNU_BUCKET, .value = 0, .expect = -ENOENT },
	/*
	 * A wrong version makes the walk go on past the symbol, into the
	 * bytes after the chains, until an odd word or the image's end.
	 */
	{ "gnu chains endless", EACH_GNU_CHAIN, .value = ~1ULL,
	  .version = "LINUX_X", .expect = ANY },
	/* DT_HASH */
	{ "sysv nbucket 0", IN_TABLE, DT_HASH, 0, 4, 0, .sysv = true,
	  .expect = -ENOEXEC },
	{ "sysv nbucket huge", IN_TABLE, DT_HASH, 0, 4, 0xfffffff0,
	  .sysv = true, .expect = -ENOEXEC },
	{ "sysv nchain 0", IN_TABLE, DT_HASH, 4, 4, 0, .sysv = true,
	  .expect = -ENOEXEC },
	{ "sysv chains loop", EACH_SYSV_CHAIN_SELF, .sysv = true,
	  .version = "LINUX_X", .expect = -ENOEXEC },
	/* the loop must end long before 2^32 links */
	{ "sysv chains loop, nchain huge", EACH_SYSV_CHAIN_SELF,
	  .sysv = true, .nchain = 0xffffffff, .version = "LINUX_X",
	  .expect = -ENOEXEC },
	/* symbols */
	{ "st_name huge", EACH_SYM, 0, SYM(st_name), 0xfffffff0,
	  .expect = -ENOEXEC },
	{ "st_value huge", EACH_SYM, 0, SYM(st_value), BIG,
	  .expect = -ENOEXEC },
	{ "st_size huge", EACH_SYM, 0, SYM(st_size), BIG,
	  .expect = -ENOEXEC },
	{ "st_shndx SHN_UNDEF", EACH_SYM, 0, SYM(st_shndx), SHN_UNDEF,
	  .expect = -ENOENT },
	{ "st_shndx SHN_ABS", EACH_SYM, 0, SYM(st_shndx), SHN_ABS,
	  .expect = -ENOENT },
	{ "STT_SECTION", EACH_SYM, 0, SYM(st_info),
	  ELF64_ST_INFO(STB_GLOBAL, STT_SECTION), .expect = -ENOENT },
	{ "STB_LOCAL", EACH_SYM, 0, SYM(st_info),
	  ELF64_ST_INFO(STB_LOCAL, STT_FUNC), .expect = -ENOENT },
	/* versions */
	{ "DT_VERSYM huge", IN_DYN, DT_VERSYM, .value = BIG,
	  .expect = -ENOEXEC },
	{ "DT_VERSYM huge, any version", IN_DYN, DT_VERSYM, .value = BIG,
	  .version = "", .expect = -ENOEXEC },
	{ "versym local", EACH_VERSYM, .value = 0, .expect = -ENOENT },
	{ "versym hidden", EACH_VERSYM, .value = 0x8002, .expect = 0 },
	{ "versym hidden, default", EACH_VERSYM, .value = 0x8002,
	  .version = "", .expect = -ENOENT },
	{ "versym unknown", EACH_VERSYM, .value = 7, .expect = -ENOENT },
	{ "versym unknown, default", EACH_VERSYM, .value = 7, .version = "",
	  .expect = 0 },
	{ "no DT_VERSYM", DYN_TAG, DT_VERSYM, .value = DT_DEBUG,
	  .expect = -ENOENT },
	{ "no DT_VERSYM, default", DYN_TAG, DT_VERSYM, .value = DT_DEBUG,
	  .version = "", .expect = 0 },
	{ "no DT_VERDEF", DYN_TAG, DT_VERDEF, .value = DT_DEBUG,
	  .expect = -ENOENT },
	{ "DT_VERDEF huge", IN_DYN, DT_VERDEF, .value = BIG,
	  .expect = -ENOEXEC },
	{ "DT_VERDEFNUM 0", IN_DYN, DT_VERDEFNUM, .value = 0,
	  .expect = -ENOENT },
	{ "vd_version 2", IN_VERDEF, 0, VD(vd_version), 2,
	  .expect = -ENOEXEC },
	{ "vd_cnt 0", IN_VERDEF, 0, VD(vd_cnt), 0, .expect = -ENOEXEC },
	{ "vd_aux huge", IN_VERDEF, 0, VD(vd_aux), 0xfffffff0,
	  .expect = -ENOEXEC },
	{ "vd_next huge", IN_VERDEF, 0, VD(vd_next), 0xfffffff0,
	  .expect = -ENOEXEC },
	{ "vda_name huge", IN_VERDAUX, 0, VDA(vda_name), 0xfffffff0,
	  .expect = -ENOEXEC },
};

static void test_corrupted(void **state)
{
	const struct patch *p;
	struct tst_image host, img;
	const char *version;
	void *addr;
	size_t i;
	int ret;

	(void)state;
	tst_host_vdso(&host);
	for (i = 0; i < ARRAY_SIZE(patches); i++) {
		p = &patches[i];
		img.size = host.size;
		img.buf = tst_dup(host.buf, host.size);
		if (p->sysv)
			put(&img, tst_dyn_entry(&img, DT_GNU_HASH), 8,
			    DT_DEBUG);
		apply(&img, p);
		/* "" stands for NULL: the default version */
		version = p->version ? (*p->version ? p->version : NULL) :
			  VERSION;
		addr = NULL;
		ret = ktls_vdso_lookup(img.buf, img.size,
				       p->name ? p->name : NAME, version,
				       &addr);
		if (p->expect != ANY && ret != p->expect)
			fail_msg("%s: got %d, expected %d", p->what, ret,
				 p->expect);
		tst_check_result(ret, addr, img.buf, img.size);
		check_all(img.buf, img.size);
		tst_image_free(&img);
	}
	tst_image_free(&host);
}

/* One random mutation: a bit, a byte, or a 2, 4 or 8-byte field. */
static void mutate(unsigned char *buf, size_t size, size_t span,
		   uint64_t *rng)
{
	static const uint64_t special[] = {
		0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0xffffffff,
		0x8000000000000000ULL, ~0ULL,
	};
	uint64_t r = tst_rand(rng), value;
	size_t off, width;

	if (span > size)
		span = size;
	if (!span)
		return;
	off = tst_rand(rng) % span;
	switch (r % 4) {
	case 0:
		buf[off] ^= 1 << (r >> 8) % 8;
		return;
	case 1:
		buf[off] = r >> 8;
		return;
	default:
		width = 2 << (r >> 8) % 3;
		if (off + width > size)
			return;
		value = (r >> 16) % 2 ? special[(r >> 20) % 10] :
			tst_rand(rng) % (2 * size);
		memcpy(buf + off, &value, width);
	}
}

static void test_random_mutations(void **state)
{
	unsigned long iters = tst_env_ulong("KTLS_MUTATE_ITERS", 200000);
	uint64_t rng = tst_env_ulong("KTLS_MUTATE_SEED", 1) | 1;
	unsigned long i, n, found = 0, missing = 0, malformed = 0;
	struct tst_image host;
	unsigned char *buf;
	size_t span;
	void *addr;
	int ret;

	(void)state;
	tst_host_vdso(&host);
	for (i = 0; i < iters; i++) {
		buf = tst_dup(host.buf, host.size);
		/* mostly the headers and tables, sometimes anywhere */
		span = i % 4 ? 0x800 : host.size;
		for (n = 1 + tst_rand(&rng) % 8; n; n--)
			mutate(buf, host.size, span, &rng);
		check_all(buf, host.size);
		ret = ktls_vdso_lookup(buf, host.size, NAME, VERSION, &addr);
		found += ret == 0;
		missing += ret == -ENOENT;
		malformed += ret == -ENOEXEC;
		free(buf);
	}
	print_message("# %lu mutated images: %lu found, %lu not found, "
		      "%lu malformed\n", iters, found, missing, malformed);
	tst_image_free(&host);
}

/* A valid ELF header followed by random bytes, at random lengths. */
static void test_random_garbage(void **state)
{
	uint64_t rng = tst_env_ulong("KTLS_MUTATE_SEED", 1) | 1;
	struct tst_image host;
	unsigned char *buf;
	size_t len, j;
	int i;

	(void)state;
	tst_host_vdso(&host);
	for (i = 0; i < 2000; i++) {
		len = tst_rand(&rng) % 4096;
		buf = (unsigned char *)malloc(len ? len : 1);
		assert_non_null(buf);
		for (j = 0; j < len; j++)
			buf[j] = tst_rand(&rng);
		memcpy(buf, host.buf, len < 64 ? len : 64);
		check_all(buf, len);
		free(buf);
	}
	tst_image_free(&host);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupted),
		cmocka_unit_test(test_random_mutations),
		cmocka_unit_test(test_random_garbage),
	};

	return cmocka_run_group_tests_name("ktls_malformed", tests, NULL,
					   NULL);
}
