// SPDX-License-Identifier: GPL-2.0
/*
 * Checks of a built x86-64 vDSO image for the KTLS accessors, read with
 * libelf/gelf:
 *
 *  (a) each __vdso_ktls_* accessor is in .dynsym: STT_FUNC, STB_GLOBAL,
 *      defined in an executable section, non-zero size, default version
 *      LINUX_2.6 (.gnu.version + .gnu.version_d);
 *  (b) no dynamic relocations: no SHT_REL/SHT_RELA/SHT_RELR section with
 *      entries; DT_REL/DT_RELA/DT_JMPREL/DT_RELR absent or of size 0, no
 *      DT_TEXTREL;
 *  (c) __ex_table exists (so IMAGE must be vdso64.so.dbg: the build strips
 *      it from vdso64.so), at an address equal to its file offset (the
 *      kernel locates it by offset), and its entries (pairs of 32-bit
 *      offsets from the start of the section: faulting instruction,
 *      fixup) are listed as absolute addresses and all land in executable
 *      sections;
 *  (d) every instruction of the accessors (symbol value .. value + size)
 *      that accesses memory through %fs has an __ex_table entry at its
 *      address, whose fixup lies inside the same function.  Instruction
 *      boundaries come from objdump -d (binutils).
 *
 * Output is TAP; the exit status is 1 if any check failed, 2 on a usage
 * or I/O error.
 *
 * Usage: vdso_image_check IMAGE
 *        vdso_image_check --dump-self OUT   write this process's vDSO
 *                                           (AT_SYSINFO_EHDR) to OUT
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef DT_RELRSZ
#define DT_RELRSZ	35
#endif
#ifndef DT_RELR
#define DT_RELR		36
#endif
#ifndef SHT_RELR
#define SHT_RELR	19
#endif

#define VERSION_NAME	"LINUX_2.6"

static const char *const accessors[] = {
	"__vdso_ktls_gettid",
	"__vdso_ktls_getpid",
	"__vdso_ktls_getuid",
	"__vdso_ktls_geteuid",
	"__vdso_ktls_getgid",
	"__vdso_ktls_getegid",
	"__vdso_ktls_errno_location",
};
#define NR_ACCESSORS	(sizeof(accessors) / sizeof(accessors[0]))

struct func {
	bool found;
	GElf_Addr addr;
	GElf_Xword size;
};

struct extable_entry {
	GElf_Addr from, to;
};

struct insn {
	GElf_Addr addr;
	bool fs;		/* a memory operand with the %fs: prefix */
	char text[96];
};

static const char *image;
static Elf *elf;
static size_t shstrndx;
static unsigned int nr_checks;
static bool failed;

static struct func funcs[NR_ACCESSORS];
static struct extable_entry *extable;
static size_t nr_extable;
static struct insn *insns;
static size_t nr_insns;

/* One TAP line: "ok N - ..." or "not ok N - ...". */
static void __attribute__((format(printf, 2, 3))) check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", ok ? "" : "not ", ++nr_checks);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok)
		failed = true;
}

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fputs("vdso_image_check: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	printf("Bail out! %s: cannot check the image\n", image ? image : "");
	exit(2);
}

static const char *scn_name(const GElf_Shdr *sh)
{
	const char *n = elf_strptr(elf, shstrndx, sh->sh_name);

	return n ? n : "?";
}

static Elf_Scn *find_scn_type(GElf_Word type)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == type)
			return scn;
	return NULL;
}

static Elf_Scn *find_scn_name(const char *name)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && !strcmp(scn_name(&sh), name))
			return scn;
	return NULL;
}

/* Whether @addr lies in an allocated, executable section. */
static bool in_exec_section(GElf_Addr addr)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if ((sh.sh_flags & (SHF_ALLOC | SHF_EXECINSTR)) !=
		    (SHF_ALLOC | SHF_EXECINSTR))
			continue;
		if (addr >= sh.sh_addr && addr < sh.sh_addr + sh.sh_size)
			return true;
	}
	return false;
}

/*
 * "name+0xoff" for the function symbol containing @addr, from .symtab if
 * the image has one (the .dbg image), else .dynsym.
 */
static const char *sym_of(GElf_Addr addr, char *buf, size_t len)
{
	Elf_Scn *scn = find_scn_type(SHT_SYMTAB);
	const char *best = NULL;
	GElf_Addr best_addr = 0;
	Elf_Data *data;
	GElf_Shdr sh;
	size_t i, n;

	if (!scn)
		scn = find_scn_type(SHT_DYNSYM);
	if (scn && gelf_getshdr(scn, &sh) && (data = elf_getdata(scn, NULL))) {
		n = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
		for (i = 0; i < n; i++) {
			GElf_Sym s;

			if (!gelf_getsym(data, i, &s) ||
			    GELF_ST_TYPE(s.st_info) != STT_FUNC)
				continue;
			if (addr < s.st_value ||
			    addr >= s.st_value + (s.st_size ? s.st_size : 1))
				continue;
			/* Prefer the __vdso_ name of an alias pair. */
			if (best && best_addr == s.st_value &&
			    strncmp(best, "__vdso_", 7) == 0)
				continue;
			best = elf_strptr(elf, sh.sh_link, s.st_name);
			best_addr = s.st_value;
		}
	}
	if (best)
		snprintf(buf, len, "%s+0x%" PRIx64, best, (uint64_t)(addr - best_addr));
	else
		snprintf(buf, len, "?");
	return buf;
}

static void check_header(void)
{
	GElf_Ehdr eh;

	if (!gelf_getehdr(elf, &eh))
		die("%s: not an ELF file: %s", image, elf_errmsg(-1));
	check(gelf_getclass(elf) == ELFCLASS64 && eh.e_machine == EM_X86_64 &&
	      eh.e_type == ET_DYN,
	      "ELF header: ELFCLASS64, EM_X86_64, ET_DYN (class %d, machine %u, type %u)",
	      gelf_getclass(elf), eh.e_machine, eh.e_type);
}

/* The name of version index @ndx in .gnu.version_d, or NULL. */
static const char *verdef_name(GElf_Half ndx)
{
	Elf_Scn *scn = find_scn_type(SHT_GNU_verdef);
	Elf_Data *data;
	GElf_Shdr sh;
	GElf_Verdef vd;
	GElf_Verdaux va;
	size_t off = 0;

	if (!scn || !gelf_getshdr(scn, &sh) || !(data = elf_getdata(scn, NULL)))
		return NULL;
	while (gelf_getverdef(data, off, &vd)) {
		if (vd.vd_ndx == ndx && vd.vd_cnt > 0 &&
		    gelf_getverdaux(data, off + vd.vd_aux, &va))
			return elf_strptr(elf, sh.sh_link, va.vda_name);
		if (!vd.vd_next)
			break;
		off += vd.vd_next;
	}
	return NULL;
}

/* (a) */
static void check_symbols(void)
{
	Elf_Scn *dynsym = find_scn_type(SHT_DYNSYM);
	Elf_Scn *versym = find_scn_type(SHT_GNU_versym);
	Elf_Data *sdata = NULL, *vdata = NULL;
	GElf_Shdr sh;
	size_t i, k, n = 0;

	if (dynsym && gelf_getshdr(dynsym, &sh) && sh.sh_entsize) {
		sdata = elf_getdata(dynsym, NULL);
		n = sh.sh_size / sh.sh_entsize;
	}
	check(sdata != NULL, ".dynsym present (%zu symbols)", n);
	check(versym != NULL && (vdata = elf_getdata(versym, NULL)) != NULL &&
	      find_scn_type(SHT_GNU_verdef) != NULL,
	      ".gnu.version and .gnu.version_d present");

	for (k = 0; k < NR_ACCESSORS; k++) {
		const char *want = accessors[k];
		char why[256] = "";
		GElf_Versym ver = 0;
		const char *vname = NULL;
		GElf_Shdr tsh;
		Elf_Scn *tscn;
		GElf_Sym s;
		bool ok;

		for (i = 0; sdata && i < n; i++) {
			const char *name;

			if (!gelf_getsym(sdata, i, &s))
				continue;
			name = elf_strptr(elf, sh.sh_link, s.st_name);
			if (name && !strcmp(name, want))
				break;
		}
		if (!sdata || i >= n) {
			check(false, "missing %s in .dynsym", want);
			continue;
		}
		if (vdata && gelf_getversym(vdata, i, &ver))
			vname = verdef_name(ver & 0x7fff);
		tscn = s.st_shndx != SHN_UNDEF && s.st_shndx < SHN_LORESERVE ?
		       elf_getscn(elf, s.st_shndx) : NULL;

		if (GELF_ST_TYPE(s.st_info) != STT_FUNC)
			snprintf(why, sizeof(why), "type %d, not STT_FUNC",
				 GELF_ST_TYPE(s.st_info));
		else if (GELF_ST_BIND(s.st_info) != STB_GLOBAL)
			snprintf(why, sizeof(why), "binding %d, not STB_GLOBAL",
				 GELF_ST_BIND(s.st_info));
		else if (!tscn || !gelf_getshdr(tscn, &tsh) ||
			 !(tsh.sh_flags & SHF_EXECINSTR))
			snprintf(why, sizeof(why),
				 "not defined in an executable section (shndx %u)",
				 s.st_shndx);
		else if (!s.st_size)
			snprintf(why, sizeof(why), "size 0");
		else if (!vname || strcmp(vname, VERSION_NAME))
			snprintf(why, sizeof(why), "version %s (index %u), not %s",
				 vname ? vname : "none", ver & 0x7fff, VERSION_NAME);
		else if (ver & 0x8000)
			snprintf(why, sizeof(why), "version %s is hidden, not the default",
				 VERSION_NAME);
		ok = !why[0];
		if (ok) {
			funcs[k].found = true;
			funcs[k].addr = s.st_value;
			funcs[k].size = s.st_size;
			check(true, "%s@@%s: FUNC GLOBAL, defined at 0x%" PRIx64 ", size %" PRIu64,
			      want, VERSION_NAME, (uint64_t)s.st_value, (uint64_t)s.st_size);
		} else {
			check(false, "%s: %s", want, why);
		}
	}
}

/* (b) */
static void check_relocations(void)
{
	static const struct {
		GElf_Sxword tag, size_tag;
		const char *name;
	} rels[] = {
		{ DT_REL, DT_RELSZ, "DT_REL" },
		{ DT_RELA, DT_RELASZ, "DT_RELA" },
		{ DT_JMPREL, DT_PLTRELSZ, "DT_JMPREL" },
		{ DT_RELR, DT_RELRSZ, "DT_RELR" },
	};
	char bad[512] = "";
	Elf_Scn *scn = NULL;
	Elf_Data *data;
	GElf_Shdr sh;
	GElf_Dyn dyn;
	size_t i, j, n;
	bool have_dynamic = false;

	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if ((sh.sh_type == SHT_REL || sh.sh_type == SHT_RELA ||
		     sh.sh_type == SHT_RELR) && sh.sh_size)
			snprintf(bad + strlen(bad), sizeof(bad) - strlen(bad),
				 " %s(%" PRIu64 " bytes)", scn_name(&sh),
				 (uint64_t)sh.sh_size);
	}
	check(!bad[0], "no SHT_REL/SHT_RELA/SHT_RELR section with entries%s%s",
	      bad[0] ? ":" : "", bad);

	bad[0] = '\0';
	scn = find_scn_type(SHT_DYNAMIC);
	if (scn && gelf_getshdr(scn, &sh) && sh.sh_entsize &&
	    (data = elf_getdata(scn, NULL))) {
		have_dynamic = true;
		n = sh.sh_size / sh.sh_entsize;
		for (j = 0; j < sizeof(rels) / sizeof(rels[0]); j++) {
			bool tag = false, size_tag = false;
			GElf_Xword size = 0;

			for (i = 0; i < n && gelf_getdyn(data, i, &dyn); i++) {
				if (dyn.d_tag == DT_NULL)
					break;
				if (dyn.d_tag == rels[j].tag)
					tag = true;
				if (dyn.d_tag == rels[j].size_tag) {
					size_tag = true;
					size = dyn.d_un.d_val;
				}
			}
			if (tag && (!size_tag || size))
				snprintf(bad + strlen(bad), sizeof(bad) - strlen(bad),
					 " %s(size %" PRIu64 "%s)", rels[j].name,
					 (uint64_t)size, size_tag ? "" : ", no size tag");
		}
		for (i = 0; i < n && gelf_getdyn(data, i, &dyn); i++) {
			if (dyn.d_tag == DT_NULL)
				break;
			if (dyn.d_tag == DT_TEXTREL)
				snprintf(bad + strlen(bad), sizeof(bad) - strlen(bad),
					 " DT_TEXTREL");
		}
	}
	check(have_dynamic && !bad[0],
	      ".dynamic: DT_REL/DT_RELA/DT_JMPREL/DT_RELR absent or empty, no DT_TEXTREL%s%s",
	      !have_dynamic ? ": no .dynamic section" : bad[0] ? ":" : "", bad);
}

static int32_t le32(const unsigned char *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
			 (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

/* (c) */
static void check_extable(void)
{
	Elf_Scn *scn = find_scn_name("__ex_table");
	Elf_Data *data = NULL;
	bool all_exec = true;
	char s1[128], s2[128];
	GElf_Shdr sh;
	size_t i;

	if (!scn || !gelf_getshdr(scn, &sh) || !(data = elf_getdata(scn, NULL)) ||
	    !data->d_buf) {
		/*
		 * The build strips it from vdso64.so (OBJCOPYFLAGS -S
		 * --remove-section __ex_table); vdso2c copies it from the
		 * .dbg image into vdso-image-64.c.
		 */
		check(false, "__ex_table: section missing%s",
		      find_scn_type(SHT_SYMTAB) ? "" :
		      " (a stripped vdso64.so has none by design: check vdso64.so.dbg)");
		return;
	}
	/*
	 * vdso2c records the section's file offset as extable_base, and
	 * fixup_vdso_exception() adds it to the vDSO's load address: that
	 * is right only if offset and address agree.
	 */
	check(sh.sh_size && sh.sh_size % 8 == 0 && data->d_size == sh.sh_size &&
	      sh.sh_addr == sh.sh_offset,
	      "__ex_table at 0x%" PRIx64 " (file offset 0x%" PRIx64 "): %" PRIu64
	      " bytes, whole 8-byte entries, address == offset",
	      (uint64_t)sh.sh_addr, (uint64_t)sh.sh_offset, (uint64_t)sh.sh_size);
	nr_extable = data->d_size / 8;
	extable = calloc(nr_extable ? nr_extable : 1, sizeof(*extable));
	if (!extable)
		die("out of memory");
	for (i = 0; i < nr_extable; i++) {
		const unsigned char *p = (const unsigned char *)data->d_buf + 8 * i;
		struct extable_entry *e = &extable[i];

		e->from = sh.sh_addr + (GElf_Sxword)le32(p);
		e->to = sh.sh_addr + (GElf_Sxword)le32(p + 4);
		printf("# __ex_table[%zu]: from 0x%" PRIx64 " (%s) -> to 0x%" PRIx64 " (%s)\n",
		       i, (uint64_t)e->from, sym_of(e->from, s1, sizeof(s1)),
		       (uint64_t)e->to, sym_of(e->to, s2, sizeof(s2)));
		if (!in_exec_section(e->from) || !in_exec_section(e->to))
			all_exec = false;
	}
	check(all_exec, "__ex_table: %zu entries, all from/to addresses in executable sections",
	      nr_extable);
}

/* Disassemble the image with objdump -d into insns[]. */
static bool disassemble(void)
{
	size_t cap = 0;
	char line[512];
	int pfd[2], status;
	FILE *f;
	pid_t pid;

	if (pipe(pfd))
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		dup2(pfd[1], STDOUT_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		execlp("objdump", "objdump", "-d", "-w", "--no-show-raw-insn",
		       image, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	f = fdopen(pfd[0], "r");
	if (!f)
		die("fdopen: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		unsigned long long addr;
		char *colon, *end;

		/* "    f7b:\tmov    %fs:0x0,%rsi" */
		addr = strtoull(line, &end, 16);
		colon = end;
		if (end == line || *colon != ':' || colon[1] != '\t')
			continue;
		if (nr_insns == cap) {
			cap = cap ? 2 * cap : 1024;
			insns = realloc(insns, cap * sizeof(*insns));
			if (!insns)
				die("out of memory");
		}
		insns[nr_insns].addr = addr;
		insns[nr_insns].fs = strstr(colon, "%fs:") != NULL;
		snprintf(insns[nr_insns].text, sizeof(insns[nr_insns].text),
			 "%s", colon + 2);
		insns[nr_insns].text[strcspn(insns[nr_insns].text, "\n")] = '\0';
		nr_insns++;
	}
	fclose(f);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return false;
	return nr_insns > 0;
}

/* (d) */
static void check_fs_accesses(void)
{
	size_t i, j, k;

	if (!disassemble()) {
		check(false, "objdump -d %s: failed or no instructions", image);
		return;
	}
	for (k = 0; k < NR_ACCESSORS; k++) {
		const struct func *fn = &funcs[k];
		char list[512] = "", bad[512] = "";
		unsigned int nr_fs = 0;
		bool at_start = false;

		if (!fn->found) {
			check(false, "%s: no valid symbol, %%fs: accesses not checked",
			      accessors[k]);
			continue;
		}
		for (i = 0; i < nr_insns; i++) {
			const struct insn *in = &insns[i];
			const struct extable_entry *e = NULL;

			if (in->addr < fn->addr || in->addr >= fn->addr + fn->size)
				continue;
			if (in->addr == fn->addr)
				at_start = true;
			if (!in->fs)
				continue;
			nr_fs++;
			for (j = 0; j < nr_extable; j++)
				if (extable[j].from == in->addr)
					e = &extable[j];
			snprintf(list + strlen(list), sizeof(list) - strlen(list),
				 "%s0x%" PRIx64, nr_fs > 1 ? " " : "",
				 (uint64_t)in->addr);
			if (!e)
				snprintf(bad + strlen(bad), sizeof(bad) - strlen(bad),
					 " 0x%" PRIx64 " (%s) has no entry;",
					 (uint64_t)in->addr, in->text);
			else if (e->to < fn->addr || e->to >= fn->addr + fn->size)
				snprintf(bad + strlen(bad), sizeof(bad) - strlen(bad),
					 " 0x%" PRIx64 " fixup 0x%" PRIx64 " outside the function;",
					 (uint64_t)in->addr, (uint64_t)e->to);
		}
		if (!at_start)
			check(false, "%s: objdump shows no instruction at 0x%" PRIx64,
			      accessors[k], (uint64_t)fn->addr);
		else if (!nr_fs)
			check(false, "%s: no %%fs: access found (the accessor cannot read the area)",
			      accessors[k]);
		else
			check(!bad[0], "%s: %u %%fs: accesses (%s)%s%s", accessors[k],
			      nr_fs, list, bad[0] ? ", not covered by __ex_table:" :
			      ", each with an __ex_table entry and a fixup inside the function",
			      bad);
	}
}

/* Write this process's vDSO, as mapped, to @out. */
static int dump_self(const char *out)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	unsigned long start, end, size = 0;
	char line[512];
	FILE *maps, *f;

	if (!base) {
		fprintf(stderr, "vdso_image_check: no AT_SYSINFO_EHDR\n");
		return 2;
	}
	maps = fopen("/proc/self/maps", "r");
	if (!maps) {
		perror("/proc/self/maps");
		return 2;
	}
	while (fgets(line, sizeof(line), maps))
		if (strstr(line, "[vdso]") &&
		    sscanf(line, "%lx-%lx", &start, &end) == 2 && start == base)
			size = end - start;
	fclose(maps);
	if (!size) {
		fprintf(stderr, "vdso_image_check: [vdso] at 0x%lx not in /proc/self/maps\n",
			base);
		return 2;
	}
	f = fopen(out, "wb");
	if (!f || fwrite((const void *)base, 1, size, f) != size || fclose(f)) {
		perror(out);
		return 2;
	}
	printf("# dumped this host's vDSO (0x%lx, %lu bytes) to %s\n", base, size, out);
	return 0;
}

int main(int argc, char **argv)
{
	int fd;

	if (argc == 3 && !strcmp(argv[1], "--dump-self"))
		return dump_self(argv[2]);
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: %s IMAGE\n       %s --dump-self OUT\n",
			argv[0], argv[0]);
		return 2;
	}
	image = argv[1];
	if (elf_version(EV_CURRENT) == EV_NONE)
		die("libelf: %s", elf_errmsg(-1));
	fd = open(image, O_RDONLY);
	if (fd < 0)
		die("%s: %s", image, strerror(errno));
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF)
		die("%s: not an ELF file: %s", image, elf_errmsg(-1));
	if (elf_getshdrstrndx(elf, &shstrndx))
		die("%s: no section header string table: %s", image, elf_errmsg(-1));

	printf("TAP version 13\n# vDSO image: %s\n", image);
	check_header();
	check_symbols();
	check_relocations();
	check_extable();
	check_fs_accesses();
	printf("1..%u\n", nr_checks);
	if (failed)
		printf("# FAILED: %s is not a valid KTLS vDSO image\n", image);

	elf_end(elf);
	close(fd);
	free(extable);
	free(insns);
	return failed ? 1 : 0;
}
