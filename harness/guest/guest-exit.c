// SPDX-License-Identifier: GPL-2.0
/*
 * guest-exit CODE: end the VM through QEMU's isa-debug-exit device
 * (iobase 0xf4), which makes QEMU exit with status (CODE << 1) | 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>

int main(int argc, char **argv)
{
	int code;

	if (argc != 2) {
		fprintf(stderr, "usage: guest-exit CODE\n");
		return 2;
	}
	code = atoi(argv[1]);
	if (ioperm(0xf4, 4, 1)) {
		perror("guest-exit: ioperm");
		return 1;
	}
	fflush(NULL);
	outl(code, 0xf4);
	return 1;	/* Not reached when the device is present. */
}
