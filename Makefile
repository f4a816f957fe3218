# SPDX-License-Identifier: GPL-2.0
#
# ktls: Kernel Thread Local Storage for Linux x86-64.
#
#   make run     build what is missing, boot the patched kernel, show the
#                accessors working and the benchmark table
#   make test    every test: host unit tests, then the guest tests under
#                QEMU on both CPU models (with and without FSGSBASE)
#
#   make test-debug          the guest tests on the debug kernel (KASAN,
#                            lockdep, UBSAN, kmemleak; KTLS_CONFIG=debug)
#   make selftests-compare   the base tree's vDSO, rseq, clone3 and x86
#                            selftests on the patched and the unpatched kernel
#
# Other targets: deps kernel initramfs host host-test vm-test vm-run clean.
# Outputs go to build/ (see README.md).

SHELL := /bin/bash
BUILD := build
HOSTCC ?= gcc
HOST_CFLAGS := -O2 -g -Wall -Wextra -Werror
VM_CPUS ?= max qemu64

.PHONY: all run test test-debug selftests-compare deps kernel initramfs host \
	host-test vdso-check vm-test vm-run clean

all: kernel initramfs host

deps:
	@harness/deps.sh

kernel: deps
	@harness/kernel.sh

initramfs: kernel
	@harness/initramfs.sh

# Host-side tools of the harness.
host: $(BUILD)/host/console-scan

$(BUILD)/host/console-scan: harness/console-scan.c harness/console-scan.h | deps
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $<

$(BUILD)/host/test_console_scan: tests/harness/test_console_scan.c harness/console-scan.c harness/console-scan.h | deps
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -Iharness -o $@ $< -lcmocka

# Host unit tests (cmocka, TAP output) and documentation checks.
host-test: $(BUILD)/host/test_console_scan
	@echo "== host: harness unit tests"
	@CMOCKA_MESSAGE_OUTPUT=TAP $(BUILD)/host/test_console_scan
	@echo "== host: reStructuredText of Documentation/userspace-api/ktls.rst"
	@rst2pseudoxml --halt=warning --report=warning \
		Documentation/userspace-api/ktls.rst /dev/null && echo "ok ktls.rst"
	@echo "== host: generic vDSO accessor logic (mock arch hooks)"
	@$(MAKE) -s --no-print-directory -C tests/vdso test mutants

# Checks of the built vDSO image: libelf facts, exception-table coverage,
# and its accessors run on this host with the kernel's fixup emulated.
vdso-check: kernel
	@echo "== host: the built vDSO image"
	@$(MAKE) -s --no-print-directory -C tests/vdso check-image exec-image

vm-test: initramfs host
	@for cpu in $(VM_CPUS); do \
		KTLS_VM_CPU=$$cpu harness/vm.sh test || exit 1; \
	done

vm-run: initramfs host
	@harness/vm.sh run

test: host-test vdso-check vm-test test-debug selftests-compare
	@echo "make test: all host and guest tests passed"

test-debug: initramfs host
	@KTLS_CONFIG=debug harness/kernel.sh
	@KTLS_CONFIG=debug KTLS_VM_CPU=max harness/vm.sh test

selftests-compare: initramfs host
	@harness/upstream-selftests.sh

run: vm-run

clean:
	rm -rf $(BUILD)/obj $(BUILD)/obj-debug $(BUILD)/obj-base $(BUILD)/guest $(BUILD)/host $(BUILD)/initramfs* $(BUILD)/stage
