// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The running process's vDSO.
 *
 * Its size comes from its own program headers: the end of the furthest
 * PT_LOAD file extent, which holds every table the lookup reads.  The
 * kernel maps the vDSO file image verbatim and page-rounded, so those
 * bytes are mapped; the headers must lie in the first page (the least the
 * kernel maps) and the size is capped at KTLS_VDSO_MAX_SIZE.  Parsing
 * /proc/self/maps was rejected: it needs a mounted /proc, file I/O and
 * buffers, and is not async-signal-safe.
 */
#include <errno.h>
#include <sys/auxv.h>

#include "internal.h"
#include "elf_lookup.h"

#define KTLS_VDSO_MAX_SIZE	(1UL << 20)

unsigned long ktls_auxval(unsigned long type)
{
	int saved = errno;
	unsigned long val = getauxval(type);

	errno = saved;
	return val;
}

int ktls_vdso_image(const void **image, size_t *image_size)
{
	const void *base = (const void *)ktls_auxval(AT_SYSINFO_EHDR);
	size_t page = ktls_auxval(AT_PAGESZ);
	uint64_t end, size;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	unsigned int i;
	int ret;

	if (!image || !image_size)
		return -EINVAL;
	if (!base)
		return -ENXIO;
	if (!page)
		page = 4096;

	ret = ktls_elf_check_ehdr(base, page, &eh);
	if (ret)
		return ret;
	size = eh.e_phoff + (uint64_t)eh.e_phnum * sizeof(ph);
	for (i = 0; i < eh.e_phnum; i++) {
		if (!ktls_elf_read(base, page, eh.e_phoff + i * sizeof(ph),
				   &ph, sizeof(ph)))
			return -ENOEXEC;
		if (ph.p_type != PT_LOAD)
			continue;
		if (ph.p_offset > KTLS_VDSO_MAX_SIZE ||
		    ph.p_filesz > KTLS_VDSO_MAX_SIZE - ph.p_offset)
			return -ENOEXEC;
		end = ph.p_offset + ph.p_filesz;
		if (end > size)
			size = end;
	}
	*image = base;
	*image_size = size;
	return 0;
}

int ktls_vdso_sym(const char *name, const char *version, void **addr)
{
	const void *image;
	size_t size;
	int ret;

	ret = ktls_vdso_image(&image, &size);
	if (ret)
		return ret;
	return ktls_vdso_lookup(image, size, name, version, addr);
}
