// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Cross-check ktls_vdso_lookup() against libelf: every dynamic symbol of
 * the image, with its version from .gnu.version/.gnu.version_d, is found
 * at the same place when the lookup's rules (see src/elf_lookup.h) admit it
 * and not found otherwise; names absent from the image are not found.
 *
 * Images: the host's vDSO (the whole [vdso] mapping, whose section
 * headers libelf needs) and the file named by KTLS_VDSO_IMAGE, e.g. a
 * kernel build's arch/x86/entry/vdso/vdso64.so.dbg.
 */
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "elf_lookup.h"

struct xsym {
	const char *name;
	const char *version;	/* NULL: no version definition */
	bool by_version;	/* matches a lookup with its version */
	bool by_default;	/* matches a lookup with a NULL version */
	bool inside;		/* lies in the image: found, else malformed */
	long off;		/* file offset of the value */
};

struct xcheck {
	struct tst_image img;
	Elf *elf;
	struct xsym *syms;
	size_t nr;
	size_t admitted;
};

static Elf_Scn *find_section(Elf *elf, Elf64_Word type, GElf_Shdr *shdr)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, shdr) && shdr->sh_type == type)
			return scn;
	return NULL;
}

/* Name of version index @ndx from .gnu.version_d, or NULL. */
static const char *verdef_name(Elf *elf, unsigned int ndx)
{
	Elf_Scn *scn;
	GElf_Shdr shdr;
	GElf_Verdef vd;
	GElf_Verdaux aux;
	Elf_Data *data;
	size_t off = 0;

	scn = find_section(elf, SHT_GNU_verdef, &shdr);
	data = scn ? elf_getdata(scn, NULL) : NULL;
	if (!data)
		return NULL;
	while (gelf_getverdef(data, off, &vd)) {
		if (vd.vd_ndx == ndx &&
		    gelf_getverdaux(data, off + vd.vd_aux, &aux))
			return elf_strptr(elf, shdr.sh_link, aux.vda_name);
		if (!vd.vd_next)
			break;
		off += vd.vd_next;
	}
	return NULL;
}

/* File offset of @vaddr through libelf's program headers, or -1. */
static long elf_vaddr_off(Elf *elf, uint64_t vaddr, uint64_t len)
{
	GElf_Phdr ph;
	size_t i, n;

	if (elf_getphdrnum(elf, &n))
		return -1;
	for (i = 0; i < n; i++)
		if (gelf_getphdr(elf, i, &ph) && ph.p_type == PT_LOAD &&
		    vaddr >= ph.p_vaddr && vaddr - ph.p_vaddr < ph.p_filesz &&
		    len <= ph.p_filesz - (vaddr - ph.p_vaddr))
			return ph.p_offset + (vaddr - ph.p_vaddr);
	return -1;
}

static void xcheck_load(struct xcheck *x, const char *label)
{
	GElf_Ehdr eh;
	Elf_Data *symdata, *verdata = NULL;
	GElf_Shdr shdr, vshdr;
	Elf_Scn *scn, *vscn;
	GElf_Versym vs;
	struct xsym *s;
	GElf_Sym sym;
	size_t i, n;
	int type, bind;
	bool ok;

	assert_int_not_equal(elf_version(EV_CURRENT), EV_NONE);
	x->elf = elf_memory((char *)x->img.buf, x->img.size);
	assert_non_null(x->elf);
	if (!gelf_getehdr(x->elf, &eh) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_machine != EM_X86_64)
		fail_msg("%s: not an x86-64 ELF64 image", label);
	scn = find_section(x->elf, SHT_DYNSYM, &shdr);
	assert_non_null(scn);
	symdata = elf_getdata(scn, NULL);
	assert_non_null(symdata);
	vscn = find_section(x->elf, SHT_GNU_versym, &vshdr);
	if (vscn)
		verdata = elf_getdata(vscn, NULL);

	n = shdr.sh_size / shdr.sh_entsize;
	x->syms = (struct xsym *)calloc(n, sizeof(*x->syms));
	assert_non_null(x->syms);
	for (i = 1; i < n; i++) {
		assert_non_null(gelf_getsym(symdata, i, &sym));
		s = &x->syms[x->nr++];
		s->name = elf_strptr(x->elf, shdr.sh_link, sym.st_name);
		assert_non_null(s->name);
		type = GELF_ST_TYPE(sym.st_info);
		bind = GELF_ST_BIND(sym.st_info);
		s->off = elf_vaddr_off(x->elf, sym.st_value,
				       sym.st_size ? sym.st_size : 1);
		ok = sym.st_shndx != SHN_UNDEF &&
		     sym.st_shndx < SHN_LORESERVE &&
		     (bind == STB_GLOBAL || bind == STB_WEAK) &&
		     (type == STT_FUNC || type == STT_OBJECT ||
		      type == STT_NOTYPE);
		/* not inside: e.g. in the .bss of a file image */
		s->inside = s->off >= 0;
		s->version = NULL;
		s->by_version = false;
		s->by_default = ok;
		if (verdata) {
			assert_non_null(gelf_getversym(verdata, i, &vs));
			if (vs & 0x7fff)
				s->version = verdef_name(x->elf, vs & 0x7fff);
			s->by_version = ok && s->version;
			s->by_default = ok && (vs & 0x7fff) && !(vs & 0x8000);
		}
		x->admitted += s->inside && (s->by_version || s->by_default);
	}
}

/* How many symbols, @inside the image or not, match @name and @version. */
static int admits(const struct xcheck *x, const char *name,
		  const char *version, bool inside)
{
	const struct xsym *s;
	int n = 0;
	size_t i;

	for (i = 0; i < x->nr; i++) {
		s = &x->syms[i];
		if (strcmp(s->name, name) || s->inside != inside)
			continue;
		if (version ? s->by_version && !strcmp(s->version, version) :
		    s->by_default)
			n++;
	}
	return n;
}

/* Look @name up; check it against libelf's view, and @s if unique. */
static void expect(const struct xcheck *x, const char *name,
		   const char *version, const struct xsym *s)
{
	int n = admits(x, name, version, true), ret;
	void *addr;

	ret = ktls_vdso_lookup(x->img.buf, x->img.size, name, version, &addr);
	if (!n && admits(x, name, version, false)) {
		if (ret != -ENOEXEC)
			fail_msg("%s@%s: %d, not -ENOEXEC", name, version,
				 ret);
		return;
	}
	if (!n) {
		if (ret != -ENOENT)
			fail_msg("%s@%s: %d, not -ENOENT", name, version, ret);
		return;
	}
	if (ret)
		fail_msg("%s@%s: %d", name, version, ret);
	if (n == 1 && s)
		assert_int_equal((unsigned char *)addr - x->img.buf, s->off);
}

static void xcheck_run(struct xcheck *x, const char *label)
{
	const struct xsym *s;
	char other[256];
	size_t i;

	xcheck_load(x, label);
	print_message("# %s: %zu dynamic symbols, %zu found by the rules\n",
		      label, x->nr, x->admitted);
	assert_true(x->admitted > 0);
	for (i = 0; i < x->nr; i++) {
		s = &x->syms[i];
		if (s->version)
			expect(x, s->name, s->version,
			       s->by_version ? s : NULL);
		expect(x, s->name, NULL, s->by_default ? s : NULL);
		expect(x, s->name, "KTLS_NO_SUCH_VERSION", NULL);

		/* near misses of the name */
		snprintf(other, sizeof(other), "%sX", s->name);
		expect(x, other, NULL, NULL);
		if (*s->name) {
			snprintf(other, sizeof(other), "%s", s->name);
			other[strlen(other) - 1] ^= 0x20;
			expect(x, other, NULL, NULL);
			other[strlen(other) - 1] = 0;
			expect(x, other, NULL, NULL);
		}
	}
	elf_end(x->elf);
	free(x->syms);
}

static void test_host_vdso(void **state)
{
	struct xcheck *x = (struct xcheck *)calloc(1, sizeof(*x));

	(void)state;
	assert_non_null(x);
	tst_host_vdso_mapping(&x->img);
	xcheck_run(x, "host vDSO");
	tst_image_free(&x->img);
	free(x);
}

static void test_image_file(void **state)
{
	const char *path = getenv("KTLS_VDSO_IMAGE");
	struct xcheck *x;

	(void)state;
	if (!path || !*path) {
		print_message("# KTLS_VDSO_IMAGE not set\n");
		skip();
	}
	x = (struct xcheck *)calloc(1, sizeof(*x));
	assert_non_null(x);
	if (tst_load_file(path, &x->img))
		fail_msg("cannot read %s", path);
	xcheck_run(x, path);
	tst_image_free(&x->img);
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_vdso),
		cmocka_unit_test(test_image_file),
	};

	return cmocka_run_group_tests_name("ktls_crosscheck", tests, NULL,
					   NULL);
}
