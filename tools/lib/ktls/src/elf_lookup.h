/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef _KTLS_ELF_LOOKUP_H
#define _KTLS_ELF_LOOKUP_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define KTLS_ELF_DATA	ELFDATA2LSB
#else
#define KTLS_ELF_DATA	ELFDATA2MSB
#endif

/* Bits of an Elf64_Versym entry; not every <elf.h> names them. */
#define KTLS_VERSYM_HIDDEN	0x8000
#define KTLS_VERSYM_VERSION	0x7fff

#ifdef __cplusplus
extern "C" {
#endif

/*
 * vDSO symbol lookup (elf_lookup.c, vdso.c); internal, not exported.
 * The lookup tests, the fuzzer and ktls-vdso-dump link it from libktls.a.
 *
 * ktls_vdso_lookup() finds @name in the ELF64 image [@image, @image +
 * @image_size) through its dynamic section (DT_GNU_HASH, else DT_HASH)
 * and stores the symbol's address inside the image in *@addr.  Offsets
 * are file offsets, which for the vDSO are its mapped layout.  Only
 * defined (not SHN_UNDEF or SHN_ABS) global or weak symbols of type
 * STT_FUNC, STT_OBJECT or STT_NOTYPE are found.  With @version, the
 * symbol must carry that version (DT_VERSYM and DT_VERDEF); with NULL,
 * its default (non-hidden) version.  It never reads outside the image,
 * allocates nothing and is async-signal-safe.
 *
 * Returns 0, -EINVAL (a NULL argument), -ENOENT (no such symbol or
 * version) or -ENOEXEC (malformed image: not an ELF64 shared object for
 * this machine, or a header, table, string or hash chain out of bounds
 * or inconsistent).
 */
int ktls_vdso_lookup(const void *image, size_t image_size, const char *name,
		     const char *version, void **addr);

/*
 * The running process's vDSO: its address from getauxval(AT_SYSINFO_EHDR)
 * and its size, the end of its last PT_LOAD file extent.  -ENXIO when
 * there is no vDSO, -ENOEXEC when its headers are not sane.
 */
int ktls_vdso_image(const void **image, size_t *image_size);

/* ktls_vdso_lookup() in the running process's vDSO. */
int ktls_vdso_sym(const char *name, const char *version, void **addr);

/* Copy [@off, @off + @len) of the image to @dst; false if out of bounds. */
bool ktls_elf_read(const void *base, size_t size, uint64_t off, void *dst,
		   size_t len);

/* Read and check the ELF header and the extent of the program headers. */
int ktls_elf_check_ehdr(const void *base, size_t size, Elf64_Ehdr *eh);

#ifdef __cplusplus
}
#endif

#endif /* _KTLS_ELF_LOOKUP_H */
