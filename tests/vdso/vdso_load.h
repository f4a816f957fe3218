/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host loader of a built vDSO image, shared by the image tests
 * (vdso_exec_test.c) and the host benchmark (bench/host_vdso.c): it runs
 * the image's code in an ordinary process on a kernel without KTLS.
 *
 * The image's PT_LOAD segments are copied into anonymous memory after
 * the five vvar pages the patched kernel lays out before the text (vvar,
 * pvclock, hvclock, timens, ktls: vvar_start = -5 pages), so the text
 * finds ktls_page RIP-relatively one page below the image.  The pages
 * stay writable: the caller plays the kernel and fills struct
 * vdso_ktls_data.  Symbols are found in the copy's own dynamic symbol
 * table with the kernel's reference parser (parse_vdso.c).
 *
 * Every function returns 0 or -1 with a reason in err[len].
 */
#ifndef VDSO_LOAD_H
#define VDSO_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <vdso/ktls.h>

#define VDSO_VVAR_PAGES		5
#define VDSO_KTLS_PAGE		4	/* ktls_page = vvar_start + 4 pages */

/* Feature numbers of the 6.1 kernel's cpufeatures.h. */
#define X86_FEATURE_FSGSBASE	(9 * 32 + 0)
#define X86_FEATURE_RDPID	(16 * 32 + 22)

struct vdso_copy {
	const unsigned char *image;	/* the file, kept by the caller */
	size_t image_size;
	unsigned char *map;		/* the vvar pages, then the image */
	size_t map_len;
	unsigned char *base;		/* the image's load address */
	size_t span;			/* its PT_LOAD extent, in whole pages */
	struct vdso_ktls_data *ktls;	/* its ktls_page */
	unsigned int patched;		/* alternative sites applied */
};

/* Read the file at @path into a new buffer. */
int vdso_read_file(const char *path, unsigned char **buf, size_t *size,
		   char *err, size_t len);

/*
 * Map a copy of the ELF image [@image, @image + @size) at @c; @image must
 * stay until vdso_copy_unmap().
 */
int vdso_copy_map(struct vdso_copy *c, const unsigned char *image,
		  size_t size, char *err, size_t len);

/*
 * apply_alternatives() for the @n features in @features, as the kernel
 * would on a CPU that has them; their replacements must have no relative
 * operands.  Padding is the kernel's P6 NOPs.
 */
int vdso_copy_patch(struct vdso_copy *c, const int *features, int n,
		    char *err, size_t len);

/* Make the image read-only and executable; the vvar pages stay writable. */
int vdso_copy_seal(struct vdso_copy *c, char *err, size_t len);

/* The address of @name (version LINUX_2.6) in the copy, or NULL. */
void *vdso_copy_sym(const struct vdso_copy *c, const char *name);

void vdso_copy_unmap(struct vdso_copy *c);

#endif /* VDSO_LOAD_H */
