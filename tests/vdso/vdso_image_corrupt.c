// SPDX-License-Identifier: GPL-2.0
/*
 * Writes a copy of a vDSO image with one defect, for the negative tests of
 * vdso_image_check (make check-image): each defect must make the checker
 * fail with a given message.  Edits go through libelf with the file's
 * layout kept (ELF_F_LAYOUT), so nothing but the defect changes.
 *
 * Usage: vdso_image_corrupt KIND IN OUT
 *
 * KIND:
 *   weak           __vdso_ktls_gettid bound STB_WEAK
 *   object         __vdso_ktls_gettid typed STT_OBJECT
 *   undef          __vdso_ktls_getpid made undefined (SHN_UNDEF)
 *   base-version   __vdso_ktls_getuid given the base version (index 1)
 *   hidden         __vdso_ktls_geteuid's version marked hidden
 *   dt-rela        a DT_RELA entry (no DT_RELASZ) in .dynamic
 *   sht-rela       a non-empty section retyped SHT_RELA
 *   no-extable     __ex_table renamed away
 *   extable-from   the __ex_table entry of the second %fs: access of
 *                  __vdso_ktls_getgid moved by one byte
 *   extable-to     that entry's fixup pointed into __vdso_ktls_getegid
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static Elf *elf;
static size_t shstrndx;

static void __attribute__((noreturn)) fail(const char *what)
{
	int err = elf_errno();

	fprintf(stderr, "vdso_image_corrupt: %s: %s\n", what,
		err ? elf_errmsg(err) : strerror(errno));
	exit(2);
}

static Elf_Scn *scn_by(GElf_Word type, const char *name, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, sh))
			continue;
		n = elf_strptr(elf, shstrndx, sh->sh_name);
		if (name ? n && !strcmp(n, name) : sh->sh_type == type)
			return scn;
	}
	fail(name ? name : "section type");
}

/* The .dynsym index of @name. */
static size_t dynsym_index(const char *name, Elf_Data **data, GElf_Sym *s)
{
	GElf_Shdr sh;
	Elf_Scn *scn = scn_by(SHT_DYNSYM, NULL, &sh);
	size_t i;

	*data = elf_getdata(scn, NULL);
	for (i = 0; *data && i < sh.sh_size / sh.sh_entsize; i++) {
		const char *n;

		if (!gelf_getsym(*data, i, s))
			continue;
		n = elf_strptr(elf, sh.sh_link, s->st_name);
		if (n && !strcmp(n, name))
			return i;
	}
	fail(name);
}

static void edit_sym(const char *name, int kind)
{
	Elf_Data *data;
	GElf_Sym s;
	size_t i = dynsym_index(name, &data, &s);

	if (kind == 0)
		s.st_info = GELF_ST_INFO(STB_WEAK, GELF_ST_TYPE(s.st_info));
	else if (kind == 1)
		s.st_info = GELF_ST_INFO(GELF_ST_BIND(s.st_info), STT_OBJECT);
	else
		s.st_shndx = SHN_UNDEF;
	if (!gelf_update_sym(data, i, &s))
		fail("gelf_update_sym");
	elf_flagdata(data, ELF_C_SET, ELF_F_DIRTY);
}

static void edit_versym(const char *name, bool hide)
{
	Elf_Data *sdata, *vdata;
	GElf_Versym v;
	GElf_Shdr sh;
	GElf_Sym s;
	size_t i = dynsym_index(name, &sdata, &s);

	vdata = elf_getdata(scn_by(SHT_GNU_versym, NULL, &sh), NULL);
	if (!vdata || !gelf_getversym(vdata, i, &v))
		fail("versym");
	v = hide ? (v | 0x8000) : 1;
	if (!gelf_update_versym(vdata, i, &v))
		fail("gelf_update_versym");
	elf_flagdata(vdata, ELF_C_SET, ELF_F_DIRTY);
}

static void add_dt_rela(void)
{
	GElf_Shdr sh;
	Elf_Data *data = elf_getdata(scn_by(SHT_DYNAMIC, NULL, &sh), NULL);
	GElf_Dyn d;
	size_t i;

	/* Replace DT_FLAGS or DT_SYMBOLIC, which the checker ignores. */
	for (i = 0; data && gelf_getdyn(data, i, &d) && d.d_tag != DT_NULL; i++) {
		if (d.d_tag != DT_FLAGS && d.d_tag != DT_SYMBOLIC)
			continue;
		d.d_tag = DT_RELA;
		d.d_un.d_ptr = 0x100;
		if (!gelf_update_dyn(data, i, &d))
			fail("gelf_update_dyn");
		elf_flagdata(data, ELF_C_SET, ELF_F_DIRTY);
		return;
	}
	fail("no DT_FLAGS/DT_SYMBOLIC to replace");
}

static void retype(const char *name, GElf_Word type)
{
	GElf_Shdr sh;
	Elf_Scn *scn = scn_by(0, name, &sh);

	/* libelf wants whole entries: keep the first one, in place. */
	sh.sh_type = type;
	sh.sh_entsize = gelf_fsize(elf, type == SHT_RELA ? ELF_T_RELA : ELF_T_REL,
				   1, EV_CURRENT);
	if (sh.sh_size < sh.sh_entsize)
		fail("section smaller than one relocation");
	sh.sh_size = sh.sh_entsize;
	if (!gelf_update_shdr(scn, &sh))
		fail("gelf_update_shdr");
	elf_flagshdr(scn, ELF_C_SET, ELF_F_DIRTY);
}

static void rename_extable(void)
{
	GElf_Shdr sh, other;
	Elf_Scn *scn = scn_by(0, "__ex_table", &sh);

	scn_by(0, ".comment", &other);
	sh.sh_name = other.sh_name;
	if (!gelf_update_shdr(scn, &sh))
		fail("gelf_update_shdr");
	elf_flagshdr(scn, ELF_C_SET, ELF_F_DIRTY);
}

static int32_t get32(const unsigned char *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
			 (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

static void put32(unsigned char *p, int32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/*
 * Edit the __ex_table entry of the second entry inside getgid (its tp
 * word load): from moved by one, or fixup moved into getegid.
 */
static void edit_extable(bool to)
{
	Elf_Data *sdata, *data;
	GElf_Sym gid, egid;
	GElf_Shdr sh;
	Elf_Scn *scn;
	unsigned char *p;
	unsigned int seen = 0;
	size_t i;

	dynsym_index("__vdso_ktls_getgid", &sdata, &gid);
	dynsym_index("__vdso_ktls_getegid", &sdata, &egid);
	scn = scn_by(0, "__ex_table", &sh);
	data = elf_getdata(scn, NULL);
	for (i = 0; data && i + 8 <= data->d_size; i += 8) {
		GElf_Addr from;

		p = (unsigned char *)data->d_buf + i;
		from = sh.sh_addr + (GElf_Sxword)get32(p);
		if (from < gid.st_value || from >= gid.st_value + gid.st_size ||
		    ++seen != 2)
			continue;
		if (to)
			put32(p + 4, (int32_t)(egid.st_value + 4 - sh.sh_addr));
		else
			put32(p, get32(p) + 1);
		elf_flagdata(data, ELF_C_SET, ELF_F_DIRTY);
		return;
	}
	fail("no second __ex_table entry in __vdso_ktls_getgid");
}

static void copy(const char *in, const char *out)
{
	char buf[65536];
	ssize_t n;
	int ifd = open(in, O_RDONLY);
	int ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (ifd < 0 || ofd < 0)
		fail(ifd < 0 ? in : out);
	while ((n = read(ifd, buf, sizeof(buf))) > 0)
		if (write(ofd, buf, n) != n)
			fail(out);
	if (n < 0)
		fail(in);
	close(ifd);
	close(ofd);
}

int main(int argc, char **argv)
{
	const char *kind;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: %s KIND IN OUT\n", argv[0]);
		return 2;
	}
	kind = argv[1];
	copy(argv[2], argv[3]);
	if (elf_version(EV_CURRENT) == EV_NONE)
		fail("libelf");
	fd = open(argv[3], O_RDWR);
	if (fd < 0)
		fail(argv[3]);
	elf = elf_begin(fd, ELF_C_RDWR, NULL);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		fail(argv[3]);
	elf_flagelf(elf, ELF_C_SET, ELF_F_LAYOUT);

	if (!strcmp(kind, "weak"))
		edit_sym("__vdso_ktls_gettid", 0);
	else if (!strcmp(kind, "object"))
		edit_sym("__vdso_ktls_gettid", 1);
	else if (!strcmp(kind, "undef"))
		edit_sym("__vdso_ktls_getpid", 2);
	else if (!strcmp(kind, "base-version"))
		edit_versym("__vdso_ktls_getuid", false);
	else if (!strcmp(kind, "hidden"))
		edit_versym("__vdso_ktls_geteuid", true);
	else if (!strcmp(kind, "dt-rela"))
		add_dt_rela();
	else if (!strcmp(kind, "sht-rela"))
		retype(".comment", SHT_RELA);
	else if (!strcmp(kind, "no-extable"))
		rename_extable();
	else if (!strcmp(kind, "extable-from"))
		edit_extable(false);
	else if (!strcmp(kind, "extable-to"))
		edit_extable(true);
	else {
		fprintf(stderr, "vdso_image_corrupt: unknown kind %s\n", kind);
		return 2;
	}
	if (elf_update(elf, ELF_C_WRITE) < 0)
		fail("elf_update");
	elf_end(elf);
	close(fd);
	return 0;
}
