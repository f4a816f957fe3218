// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Built against an installed libktls only: <ktls/ktls.h> must suffice. */
#include <ktls/ktls.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	struct ktls_area area;
	void *addr;

	if (ktls_getpid() != getpid() || ktls_getuid() != getuid() ||
	    sizeof(area) != KTLS_AREA_SIZE) {
		fprintf(stderr, "install check: wrong values\n");
		return 1;
	}
	if (ktls_vdso_sym("__vdso_clock_gettime", KTLS_VDSO_VERSION, &addr)) {
		fprintf(stderr, "install check: no __vdso_clock_gettime\n");
		return 1;
	}
	return 0;
}
