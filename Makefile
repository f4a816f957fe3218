# SPDX-License-Identifier: GPL-2.0
#
# ktls: Kernel Thread Local Storage for Linux x86-64.
#
#   make run     build what is missing, boot the patched kernel, show the
#                accessors working and the benchmark table
#   make test    every test: host unit tests, then the guest tests under
#                QEMU on both CPU models (with and without FSGSBASE)
#
# Other targets: deps kernel initramfs host host-test vm-test vm-run clean.
# Outputs go to build/ (see README.md).

SHELL := /bin/bash
BUILD := build
HOSTCC ?= gcc
HOST_CFLAGS := -O2 -g -Wall -Wextra -Werror
VM_CPUS ?= max qemu64

.PHONY: all run test deps kernel initramfs host host-test vm-test vm-run clean

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

# Host unit tests (cmocka, TAP output).
host-test: $(BUILD)/host/test_console_scan
	@echo "== host: harness unit tests"
	@CMOCKA_MESSAGE_OUTPUT=TAP $(BUILD)/host/test_console_scan

vm-test: initramfs host
	@for cpu in $(VM_CPUS); do \
		KTLS_VM_CPU=$$cpu harness/vm.sh test || exit 1; \
	done

vm-run: initramfs host
	@harness/vm.sh run

test: host-test vm-test
	@echo "make test: all host and guest tests passed"

run: vm-run

clean:
	rm -rf $(BUILD)/obj $(BUILD)/guest $(BUILD)/host $(BUILD)/initramfs* $(BUILD)/stage
