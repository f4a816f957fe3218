// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ktls-vdso-dump FILE: write the running process's vDSO, as sized by
 * ktls_vdso_image(), to FILE (the fuzzer's seed).  Linked with
 * libktls.a: the lookup is internal.
 */
#include <stdio.h>
#include <string.h>

#include "elf_lookup.h"

int main(int argc, char **argv)
{
	const void *image;
	size_t size;
	FILE *f;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 2;
	}
	ret = ktls_vdso_image(&image, &size);
	if (ret) {
		fprintf(stderr, "ktls_vdso_image: %s\n", strerror(-ret));
		return 1;
	}
	f = fopen(argv[1], "wb");
	if (!f || fwrite(image, 1, size, f) != size || fclose(f)) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
