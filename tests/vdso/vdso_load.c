// SPDX-License-Identifier: GPL-2.0
/* The host loader of a built vDSO image; see vdso_load.h. */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "parse_vdso.h"
#include "vdso_load.h"

#define ALTINSTR_FLAG_INV	(1 << 15)

/* struct alt_instr of the 6.1 kernel, as in .altinstructions. */
struct alt_instr {
	int32_t instr_offset;
	int32_t repl_offset;
	uint16_t cpuid;
	uint8_t instrlen;
	uint8_t replacementlen;
} __attribute__((packed));

#define fail(err, len, ...)	(snprintf(err, len, __VA_ARGS__), -1)

int vdso_read_file(const char *path, unsigned char **buf, size_t *size,
		   char *err, size_t len)
{
	FILE *f = fopen(path, "rb");
	long n;

	*buf = NULL;
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0) {
		if (f)
			fclose(f);
		return fail(err, len, "cannot read %s: %s", path,
			    errno ? strerror(errno) : "empty");
	}
	rewind(f);
	*size = n;
	*buf = malloc(n);
	if (!*buf || fread(*buf, 1, n, f) != (size_t)n) {
		fclose(f);
		free(*buf);
		*buf = NULL;
		return fail(err, len, "cannot read %s", path);
	}
	fclose(f);
	return 0;
}

static const Elf64_Ehdr *image_ehdr(const unsigned char *image, size_t size)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)image;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_machine != EM_X86_64 || eh->e_type != ET_DYN ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > size)
		return NULL;
	return eh;
}

int vdso_copy_map(struct vdso_copy *c, const unsigned char *image,
		  size_t size, char *err, size_t len)
{
	size_t page = sysconf(_SC_PAGESIZE), span = 0;
	const Elf64_Ehdr *eh = image_ehdr(image, size);
	const Elf64_Phdr *ph;
	int i;

	memset(c, 0, sizeof(*c));
	c->image = image;
	c->image_size = size;
	if (!eh)
		return fail(err, len, "not an x86-64 vDSO image");
	ph = (const Elf64_Phdr *)(image + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (ph[i].p_offset + ph[i].p_filesz > size ||
		    ph[i].p_filesz > ph[i].p_memsz)
			return fail(err, len, "bad PT_LOAD");
		if (ph[i].p_vaddr + ph[i].p_memsz > span)
			span = ph[i].p_vaddr + ph[i].p_memsz;
	}
	span = (span + page - 1) / page * page;
	if (!span || span > (1 << 20))
		return fail(err, len, "no usable PT_LOAD");
	c->map_len = VDSO_VVAR_PAGES * page + span;
	c->map = mmap(NULL, c->map_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->map == MAP_FAILED) {
		c->map = NULL;
		return fail(err, len, "mmap: %s", strerror(errno));
	}
	c->base = c->map + VDSO_VVAR_PAGES * page;
	c->span = span;
	c->ktls = (struct vdso_ktls_data *)(c->map + VDSO_KTLS_PAGE * page);
	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD)
			memcpy(c->base + ph[i].p_vaddr, image + ph[i].p_offset,
			       ph[i].p_filesz);
	return 0;
}

/* The copy's section @name, from the file's section headers, or NULL. */
static unsigned char *copy_section(const struct vdso_copy *c,
				   const char *name, size_t *size)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)c->image;
	const Elf64_Shdr *sh, *strs;
	size_t n = strlen(name) + 1;
	int i;

	if (!eh->e_shoff || eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    eh->e_shstrndx >= eh->e_shnum ||
	    eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(*sh) > c->image_size)
		return NULL;
	sh = (const Elf64_Shdr *)(c->image + eh->e_shoff);
	strs = &sh[eh->e_shstrndx];
	for (i = 0; i < eh->e_shnum; i++) {
		uint64_t at = strs->sh_offset + sh[i].sh_name;

		if (at + n > c->image_size ||
		    memcmp(c->image + at, name, n))
			continue;
		if (sh[i].sh_addr + sh[i].sh_size > c->span)
			return NULL;
		*size = sh[i].sh_size;
		return c->base + sh[i].sh_addr;
	}
	return NULL;
}

/* The kernel's P6 NOPs (x86_nops), 1 to 8 bytes. */
static const unsigned char nops[8][8] = {
	{ 0x90 },
	{ 0x66, 0x90 },
	{ 0x0f, 0x1f, 0x00 },
	{ 0x0f, 0x1f, 0x40, 0x00 },
	{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
};

static void add_nops(unsigned char *p, int n)
{
	while (n > 0) {
		int k = n > 8 ? 8 : n;

		memcpy(p, nops[k - 1], k);
		p += k;
		n -= k;
	}
}

int vdso_copy_patch(struct vdso_copy *c, const int *features, int n,
		    char *err, size_t len)
{
	unsigned char *sec, *lo = c->base, *hi = c->base + c->span;
	size_t size, i;
	int k;

	sec = copy_section(c, ".altinstructions", &size);
	if (!sec)
		return fail(err, len, "no .altinstructions");
	for (i = 0; i + sizeof(struct alt_instr) <= size;
	     i += sizeof(struct alt_instr)) {
		struct alt_instr *a = (struct alt_instr *)(sec + i);
		unsigned char *instr = (unsigned char *)&a->instr_offset + a->instr_offset;
		unsigned char *repl = (unsigned char *)&a->repl_offset + a->repl_offset;

		if (a->cpuid & ALTINSTR_FLAG_INV)
			continue;
		for (k = 0; k < n && features[k] != a->cpuid; k++)
			;
		if (k == n)
			continue;
		if (instr < lo || instr + a->instrlen > hi || repl < lo ||
		    repl + a->replacementlen > hi ||
		    a->replacementlen > a->instrlen)
			return fail(err, len, "alternative out of bounds");
		memcpy(instr, repl, a->replacementlen);
		add_nops(instr + a->replacementlen,
			 a->instrlen - a->replacementlen);
		c->patched++;
	}
	return 0;
}

int vdso_copy_seal(struct vdso_copy *c, char *err, size_t len)
{
	if (mprotect(c->base, c->span, PROT_READ | PROT_EXEC))
		return fail(err, len, "mprotect: %s", strerror(errno));
	return 0;
}

void *vdso_copy_sym(const struct vdso_copy *c, const char *name)
{
	vdso_init_from_sysinfo_ehdr((uintptr_t)c->base);
	return vdso_sym("LINUX_2.6", name);
}

void vdso_copy_unmap(struct vdso_copy *c)
{
	if (c->map)
		munmap(c->map, c->map_len);
	memset(c, 0, sizeof(*c));
}
