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

/* Copy [@off, @off + @len) of the image to @dst; false if out of bounds. */
bool ktls_elf_read(const void *base, size_t size, uint64_t off, void *dst,
		   size_t len);

/* Read and check the ELF header and the extent of the program headers. */
int ktls_elf_check_ehdr(const void *base, size_t size, Elf64_Ehdr *eh);

#endif /* _KTLS_ELF_LOOKUP_H */
