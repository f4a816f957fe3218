// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Bounds-checked symbol lookup in an ELF64 image such as the vDSO.
 *
 * Every read goes through ktls_elf_read(), which copies from the image
 * after checking the range, so the image needs no alignment and nothing
 * outside [base, base + size) is ever touched.  Addresses in the dynamic
 * section are translated to file offsets through the PT_LOAD headers; a
 * table must lie wholly within one PT_LOAD's file extent and the image.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "elf_lookup.h"

/* ktls_elf.have bits */
#define KTLS_ELF_SYMTAB		(1U << 0)
#define KTLS_ELF_HASH		(1U << 1)
#define KTLS_ELF_GNU_HASH	(1U << 2)
#define KTLS_ELF_VERSYM		(1U << 3)
#define KTLS_ELF_VERDEF		(1U << 4)

/*
 * A parsed image.  Table fields are virtual addresses from the dynamic
 * section, translated on each access; stroff is the string table's file
 * offset, already checked to hold strsz bytes.
 */
struct ktls_elf {
	const void *base;
	size_t size;
	uint64_t phoff;
	unsigned int phnum;
	unsigned int have;
	uint64_t stroff, strsz;
	uint64_t symtab, hash, gnu_hash, versym, verdef, verdefnum;
};

bool ktls_elf_read(const void *base, size_t size, uint64_t off, void *dst,
		   size_t len)
{
	if (off > size || len > size - off)
		return false;
	memcpy(dst, (const unsigned char *)base + off, len);
	return true;
}

int ktls_elf_check_ehdr(const void *base, size_t size, Elf64_Ehdr *eh)
{
	uint64_t phsize;

	if (!ktls_elf_read(base, size, 0, eh, sizeof(*eh)))
		return -ENOEXEC;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != KTLS_ELF_DATA ||
	    eh->e_ident[EI_VERSION] != EV_CURRENT ||
	    eh->e_type != ET_DYN ||
	    eh->e_machine != KTLS_ARCH_ELF_MACHINE ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phnum == 0 || eh->e_phnum == PN_XNUM)
		return -ENOEXEC;
	phsize = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	if (eh->e_phoff > size || phsize > size - eh->e_phoff)
		return -ENOEXEC;
	return 0;
}

/* Program header @i; the table was bounds-checked by ktls_elf_check_ehdr(). */
static bool elf_phdr(const struct ktls_elf *elf, unsigned int i,
		     Elf64_Phdr *ph)
{
	return ktls_elf_read(elf->base, elf->size,
			     elf->phoff + (uint64_t)i * sizeof(*ph),
			     ph, sizeof(*ph));
}

/* File offset of [@vaddr, @vaddr + @len), within one PT_LOAD and the image. */
static int elf_vaddr_off(const struct ktls_elf *elf, uint64_t vaddr,
			 uint64_t len, uint64_t *off)
{
	Elf64_Phdr ph;
	uint64_t delta;
	unsigned int i;

	for (i = 0; i < elf->phnum; i++) {
		if (!elf_phdr(elf, i, &ph))
			return -ENOEXEC;
		if (ph.p_type != PT_LOAD || vaddr < ph.p_vaddr)
			continue;
		delta = vaddr - ph.p_vaddr;
		if (delta > ph.p_filesz || len > ph.p_filesz - delta)
			continue;
		if (ph.p_offset > elf->size ||
		    delta > elf->size - ph.p_offset ||
		    len > elf->size - ph.p_offset - delta)
			return -ENOEXEC;
		*off = ph.p_offset + delta;
		return 0;
	}
	return -ENOEXEC;
}

/* Read entry @index of @entsize bytes from the table at @vaddr. */
static int elf_read_entry(const struct ktls_elf *elf, uint64_t vaddr,
			  uint64_t index, size_t entsize, void *dst)
{
	uint64_t addr, off;

	if (__builtin_mul_overflow(index, entsize, &addr) ||
	    __builtin_add_overflow(addr, vaddr, &addr) ||
	    elf_vaddr_off(elf, addr, entsize, &off) ||
	    !ktls_elf_read(elf->base, elf->size, off, dst, entsize))
		return -ENOEXEC;
	return 0;
}

/*
 * Compare the string at @stroff of the dynamic string table with @s:
 * 0 if equal, -ENOENT if not, -ENOEXEC if it leaves the table unterminated.
 */
static int elf_strcmp(const struct ktls_elf *elf, uint64_t stroff,
		      const char *s)
{
	const char *p;
	uint64_t i;

	if (stroff >= elf->strsz)
		return -ENOEXEC;
	p = (const char *)elf->base + elf->stroff + stroff;
	for (i = 0; i < elf->strsz - stroff; i++) {
		if (p[i] != s[i])
			return -ENOENT;
		if (!p[i])
			return 0;
	}
	return -ENOEXEC;
}

static int elf_parse_dynamic(struct ktls_elf *elf)
{
	uint64_t off, end, strtab = 0, syment = sizeof(Elf64_Sym);
	bool have_strtab = false, have_strsz = false;
	Elf64_Phdr ph;
	Elf64_Dyn dyn;
	unsigned int i;

	for (i = 0; i < elf->phnum; i++) {
		if (!elf_phdr(elf, i, &ph))
			return -ENOEXEC;
		if (ph.p_type == PT_DYNAMIC)
			break;
	}
	if (i == elf->phnum || ph.p_offset > elf->size ||
	    ph.p_filesz > elf->size - ph.p_offset)
		return -ENOEXEC;

	end = ph.p_offset + ph.p_filesz;
	for (off = ph.p_offset; end - off >= sizeof(dyn); off += sizeof(dyn)) {
		if (!ktls_elf_read(elf->base, elf->size, off, &dyn, sizeof(dyn)))
			return -ENOEXEC;
		if (dyn.d_tag == DT_NULL)
			break;
		switch (dyn.d_tag) {
		case DT_STRTAB:
			strtab = dyn.d_un.d_ptr;
			have_strtab = true;
			break;
		case DT_STRSZ:
			elf->strsz = dyn.d_un.d_val;
			have_strsz = true;
			break;
		case DT_SYMTAB:
			elf->symtab = dyn.d_un.d_ptr;
			elf->have |= KTLS_ELF_SYMTAB;
			break;
		case DT_SYMENT:
			syment = dyn.d_un.d_val;
			break;
		case DT_HASH:
			elf->hash = dyn.d_un.d_ptr;
			elf->have |= KTLS_ELF_HASH;
			break;
		case DT_GNU_HASH:
			elf->gnu_hash = dyn.d_un.d_ptr;
			elf->have |= KTLS_ELF_GNU_HASH;
			break;
		case DT_VERSYM:
			elf->versym = dyn.d_un.d_ptr;
			elf->have |= KTLS_ELF_VERSYM;
			break;
		case DT_VERDEF:
			elf->verdef = dyn.d_un.d_ptr;
			elf->have |= KTLS_ELF_VERDEF;
			break;
		case DT_VERDEFNUM:
			elf->verdefnum = dyn.d_un.d_val;
			break;
		}
	}

	if (!have_strtab || !have_strsz || syment != sizeof(Elf64_Sym) ||
	    !(elf->have & KTLS_ELF_SYMTAB) ||
	    !(elf->have & (KTLS_ELF_HASH | KTLS_ELF_GNU_HASH)))
		return -ENOEXEC;
	return elf_vaddr_off(elf, strtab, elf->strsz, &elf->stroff);
}

static int elf_open(struct ktls_elf *elf, const void *base, size_t size)
{
	Elf64_Ehdr eh;
	int ret;

	memset(elf, 0, sizeof(*elf));
	ret = ktls_elf_check_ehdr(base, size, &eh);
	if (ret)
		return ret;
	elf->base = base;
	elf->size = size;
	elf->phoff = eh.e_phoff;
	elf->phnum = eh.e_phnum;
	return elf_parse_dynamic(elf);
}

/* Does symbol @index carry @version (or, for NULL, a default version)? */
static int elf_check_version(const struct ktls_elf *elf, uint64_t index,
			     const char *version)
{
	Elf64_Verdaux aux;
	Elf64_Verdef vd;
	Elf64_Versym vs;
	uint64_t cur, n;

	if (!(elf->have & KTLS_ELF_VERSYM))
		return version ? -ENOENT : 0;
	if (elf_read_entry(elf, elf->versym, index, sizeof(vs), &vs))
		return -ENOEXEC;
	if ((vs & KTLS_VERSYM_VERSION) == VER_NDX_LOCAL)
		return -ENOENT;
	if (!version)
		return (vs & KTLS_VERSYM_HIDDEN) ? -ENOENT : 0;
	if (!(elf->have & KTLS_ELF_VERDEF))
		return -ENOENT;

	cur = elf->verdef;
	for (n = 0; n < elf->verdefnum; n++) {
		if (elf_read_entry(elf, cur, 0, sizeof(vd), &vd) ||
		    vd.vd_version != VER_DEF_CURRENT)
			return -ENOEXEC;
		if (vd.vd_ndx == (vs & KTLS_VERSYM_VERSION)) {
			if (!vd.vd_cnt ||
			    __builtin_add_overflow(cur, vd.vd_aux, &cur) ||
			    elf_read_entry(elf, cur, 0, sizeof(aux), &aux))
				return -ENOEXEC;
			return elf_strcmp(elf, aux.vda_name, version);
		}
		if (!vd.vd_next)
			break;
		if (__builtin_add_overflow(cur, vd.vd_next, &cur))
			return -ENOEXEC;
	}
	return -ENOENT;
}

/*
 * Is symbol @index the one looked up?  0 with *@addr set, -ENOENT if not,
 * -ENOEXEC if the symbol is malformed.
 */
static int elf_match_sym(const struct ktls_elf *elf, uint64_t index,
			 const char *name, const char *version, void **addr)
{
	unsigned char type, bind;
	uint64_t off;
	Elf64_Sym sym;
	int ret;

	if (elf_read_entry(elf, elf->symtab, index, sizeof(sym), &sym))
		return -ENOEXEC;
	ret = elf_strcmp(elf, sym.st_name, name);
	if (ret)
		return ret;

	type = ELF64_ST_TYPE(sym.st_info);
	bind = ELF64_ST_BIND(sym.st_info);
	if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE ||
	    (bind != STB_GLOBAL && bind != STB_WEAK) ||
	    (type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE))
		return -ENOENT;

	ret = elf_check_version(elf, index, version);
	if (ret)
		return ret;

	/* The whole symbol, at least one byte, must be in the image. */
	if (elf_vaddr_off(elf, sym.st_value, sym.st_size ? sym.st_size : 1,
			  &off))
		return -ENOEXEC;
	*addr = (void *)((const unsigned char *)elf->base + off);
	return 0;
}

static uint32_t elf_gnu_hash(const char *name)
{
	const unsigned char *s = (const unsigned char *)name;
	uint32_t h = 5381;

	while (*s)
		h = h * 33 + *s++;
	return h;
}

static uint32_t elf_sysv_hash(const char *name)
{
	const unsigned char *s = (const unsigned char *)name;
	uint32_t h = 0, g;

	while (*s) {
		h = (h << 4) + *s++;
		g = h & 0xf0000000;
		if (g)
			h ^= g >> 24;
		h &= ~g;
	}
	return h;
}

/* DT_GNU_HASH: header, Bloom filter, buckets, then one chain per symbol. */
static int elf_lookup_gnu(const struct ktls_elf *elf, const char *name,
			  const char *version, void **addr)
{
	uint32_t hdr[4], nbuckets, symoffset, bloom_size, bloom_shift;
	uint32_t h = elf_gnu_hash(name), bucket, chain;
	uint64_t bloom, buckets, chains, word, mask, i;
	int ret;

	if (elf_read_entry(elf, elf->gnu_hash, 0, sizeof(hdr), hdr))
		return -ENOEXEC;
	nbuckets = hdr[0];
	symoffset = hdr[1];
	bloom_size = hdr[2];
	bloom_shift = hdr[3];
	if (!nbuckets || !bloom_size || (bloom_size & (bloom_size - 1)) ||
	    bloom_shift >= 32)
		return -ENOEXEC;

	/* Sizes are 32-bit counts, so these cannot overflow 64 bits... */
	bloom = elf->gnu_hash + sizeof(hdr);
	buckets = bloom + (uint64_t)bloom_size * sizeof(word);
	chains = buckets + (uint64_t)nbuckets * sizeof(bucket);
	/* ...but the start address can wrap. */
	if (chains < elf->gnu_hash)
		return -ENOEXEC;

	if (elf_read_entry(elf, bloom, (h / 64) & (bloom_size - 1),
			   sizeof(word), &word))
		return -ENOEXEC;
	mask = (1ULL << (h % 64)) | (1ULL << ((h >> bloom_shift) % 64));
	if ((word & mask) != mask)
		return -ENOENT;

	if (elf_read_entry(elf, buckets, h % nbuckets, sizeof(bucket), &bucket))
		return -ENOEXEC;
	if (!bucket)
		return -ENOENT;
	if (bucket < symoffset)
		return -ENOEXEC;

	/* Each step reads further into the image, so the walk ends. */
	for (i = bucket; ; i++) {
		if (elf_read_entry(elf, chains, i - symoffset, sizeof(chain),
				   &chain))
			return -ENOEXEC;
		if ((chain | 1) == (h | 1)) {
			ret = elf_match_sym(elf, i, name, version, addr);
			if (ret != -ENOENT)
				return ret;
		}
		if (chain & 1)
			return -ENOENT;
	}
}

/*
 * DT_HASH: nbucket, nchain, buckets, chains.  A chain has fewer links than
 * there are symbols, which are at most nchain and fit in the image: a
 * longer walk is a loop.
 */
static int elf_lookup_sysv(const struct ktls_elf *elf, const char *name,
			   const char *version, void **addr)
{
	uint32_t hdr[2], nbucket, nchain, i;
	uint64_t buckets, chains, steps, max_steps;
	int ret;

	if (elf_read_entry(elf, elf->hash, 0, sizeof(hdr), hdr))
		return -ENOEXEC;
	nbucket = hdr[0];
	nchain = hdr[1];
	if (!nbucket)
		return -ENOEXEC;
	buckets = elf->hash + sizeof(hdr);
	chains = buckets + (uint64_t)nbucket * sizeof(i);
	if (chains < elf->hash)
		return -ENOEXEC;

	max_steps = elf->size / sizeof(Elf64_Sym);
	if (max_steps > nchain)
		max_steps = nchain;

	if (elf_read_entry(elf, buckets, elf_sysv_hash(name) % nbucket,
			   sizeof(i), &i))
		return -ENOEXEC;
	for (steps = 0; i != STN_UNDEF; steps++) {
		if (i >= nchain || steps >= max_steps)
			return -ENOEXEC;
		ret = elf_match_sym(elf, i, name, version, addr);
		if (ret != -ENOENT)
			return ret;
		if (elf_read_entry(elf, chains, i, sizeof(i), &i))
			return -ENOEXEC;
	}
	return -ENOENT;
}

int ktls_vdso_lookup(const void *image, size_t image_size, const char *name,
		     const char *version, void **addr)
{
	struct ktls_elf elf;
	int ret;

	if (!image || !name || !addr)
		return -EINVAL;
	ret = elf_open(&elf, image, image_size);
	if (ret)
		return ret;
	if (elf.have & KTLS_ELF_GNU_HASH)
		return elf_lookup_gnu(&elf, name, version, addr);
	return elf_lookup_sysv(&elf, name, version, addr);
}
