// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target for ktls_vdso_lookup(): any input is an image.  The
 * lookup must not crash or read outside the input (ASan), and a found
 * address must lie inside it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "elf_lookup.h"

static const char *const names[] = {
	"__vdso_clock_gettime", "__vdso_gettimeofday", "__vdso_time",
	"__vdso_getcpu", "__vdso_clock_getres", "__vdso_getrandom",
	"__vdso_ktls_gettid", "__vdso_ktls_errno_location", "LINUX_2.6",
	"clock_gettime", "",
};

static const char *const versions[] = { NULL, "LINUX_2.6", "LINUX_2.5" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i, v;
	void *addr;
	int ret;

	if (!data)	/* an empty input may come without a buffer */
		return 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
			addr = NULL;
			ret = ktls_vdso_lookup(data, size, names[i],
					       versions[v], &addr);
			if (ret == 0 && ((const uint8_t *)addr < data ||
					 (const uint8_t *)addr >= data + size))
				__builtin_trap();
			if (ret && ret != -ENOENT && ret != -ENOEXEC)
				__builtin_trap();
		}
	}
	return 0;
}
