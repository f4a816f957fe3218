# SPDX-License-Identifier: GPL-2.0
#
# ktls: Kernel Thread Local Storage for Linux x86-64.
#
#   make run     build what is missing, boot the patched kernel, show the
#                accessors working and the benchmark table (make bench:
#                also the host rows, CSV and plot in build/bench-results/)
#   make test    every test: host unit tests, the tests of the tests, the
#                guest tests under QEMU on both CPU models (with and
#                without FSGSBASE) and on the debug kernel,
#                selftests-compare and test-glibc-smoke
#
#   make test-debug          the guest tests on the debug kernel (KASAN,
#                            lockdep, UBSAN, kmemleak; KTLS_CONFIG=debug)
#   make test-repeat RUNS=3  the guest tests several times in a row with the
#                            host's CPUs busy (debug kernel by default)
#   make selftests-compare   the base tree's vDSO, rseq, clone3 and x86
#                            selftests on the patched and the unpatched kernel
#
#   make glibc               glibc 2.36 with the KTLS series (libc/glibc/) in
#                            build/glibc/
#   make test-glibc-smoke    its KTLS tests and a smoke subset of glibc's
#                            tests in the guest: patched kernel with KTLS on
#                            and off, and the base kernel (part of make test)
#   make test-glibc          the full selection (nptl, posix, signal, misc,
#                            rt, elf TLS) in the same three configurations,
#                            then xz, stress-ng and the glibc benchmark
#
#   make fuzz                libFuzzer on libktls's vDSO lookup (FUZZ_TIME=60)
#   make patches             the patch series (patches/) as mail in
#                            build/patches/
#   make rebase              move the series to the newest linux-source-6.1
#                            (VERSION=...) and record it
#   make patches-check       checkpatch --strict, bisectable -Werror builds,
#                            git am of the series
#
# Other targets: deps kernel initramfs host host-test vdso-check test-tests
# (the tests of the tests) vm-test vm-run clean.
# Outputs go to build/ (see README.md).

SHELL := /bin/bash
BUILD := build
HOSTCC ?= gcc
HOST_CFLAGS := -O2 -g -Wall -Wextra -Werror
VM_CPUS ?= max qemu64

.PHONY: all run test test-debug selftests-compare bench fuzz patches patches-check rebase deps kernel initramfs host \
	glibc test-glibc test-glibc-smoke \
	host-test vdso-check test-tests test-repeat vm-test vm-run clean

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
host-test: deps
	@echo "== host: Documentation/userspace-api/ktls.rst and the kernel-doc it pulls in"
	@tests/docs/check-rst.sh
	@echo "== host: generic vDSO accessor logic (mock arch hooks)"
	@$(MAKE) -s --no-print-directory -C tests/vdso test
	@echo "== host: libktls (fallback path on this kernel, lookup, malformed images)"
	@$(MAKE) -s --no-print-directory -C tools/lib/ktls WERROR=1 test

# Checks of the built vDSO image: libelf facts, exception-table coverage,
# and its accessors run on this host with the kernel's fixup emulated.
vdso-check: kernel
	@echo "== host: the built vDSO image"
	@$(MAKE) -s --no-print-directory -C tests/vdso check-image exec-image
	@echo "== host: libktls lookup against libelf on the built vDSO image"
	@KTLS_VDSO_IMAGE=$(CURDIR)/$(BUILD)/obj/arch/x86/entry/vdso/vdso64.so.dbg \
		$(MAKE) -s --no-print-directory -C tools/lib/ktls WERROR=1 test-crosscheck
	@echo "== host: <ktls/ktls.h> beside the built kernel's installed <linux/ktls.h>"
	@$(MAKE) -s --no-print-directory -C tools/lib/ktls \
		KHDR_DIR=$(CURDIR)/$(BUILD)/obj/usr/include check-khdr

# Tests of the tests: each check must fail on a broken input.  The console
# scanner on crafted kernel reports, the generic accessor tests on mutants
# of lib/vdso_ktls/ktls.c, the image checker on the stock vDSO and on
# defective copies of the built one.  (In the guest, inject_fail.sh does
# the same for the guest harness.)
test-tests: kernel $(BUILD)/host/test_console_scan
	@echo "== tests of the tests: the console scanner on crafted reports"
	@CMOCKA_MESSAGE_OUTPUT=TAP $(BUILD)/host/test_console_scan
	@$(MAKE) -s --no-print-directory -C tests/vdso mutants check-stock check-negative
	@echo "== tests of the tests: the documentation check on a broken copy (must fail)"
	@sed 's/:identifiers: ktls_layout ktls_area/:identifiers: ktls_layout ktls_none/' \
		Documentation/userspace-api/ktls.rst > $(BUILD)/host/broken.rst
	@if tests/docs/check-rst.sh $(BUILD)/host/broken.rst >/dev/null 2>&1; then \
		echo "not ok - check-rst.sh passed a document naming an unknown structure"; exit 1; \
	else echo "ok - check-rst.sh fails on a document naming an unknown structure"; fi

# The series of patches/ as mailing-list patches in build/patches/, and its
# checks: checkpatch --strict, a -Werror build after each patch, git am.
# harness/series.sh edits the series as git commits; make rebase moves it
# to another linux-source-6.1 (VERSION=..., default the newest) and
# records that version in patches/base-version.
patches: deps
	@harness/format-patches.sh

rebase: deps
	@harness/series.sh rebase $(VERSION)

patches-check: deps
	@harness/check-patches.sh

# libFuzzer on libktls's vDSO symbol lookup, for FUZZ_TIME seconds.
fuzz: deps
	@$(MAKE) -s --no-print-directory -C tools/lib/ktls fuzz

vm-test: initramfs host
	@for cpu in $(VM_CPUS); do \
		KTLS_VM_CPU=$$cpu harness/vm.sh test || exit 1; \
	done

vm-run: initramfs host
	@harness/vm.sh run

# Benchmarks: the guest table (part of vm-run), its CSV, the host rows
# (the built vDSO image mapped on this machine, next to the host's real
# system calls) and a plot, all under build/bench-results/.
bench: vm-run
	@mkdir -p $(BUILD)/bench-results
	@cp $(BUILD)/results/default-run-max/ktls_bench-guest.csv $(BUILD)/bench-results/
	@echo "== host: the built vDSO's accessors on this machine's CPU"
	@$(MAKE) -s --no-print-directory -C bench host
	@$(MAKE) -s --no-print-directory -C bench plot

test: host-test vdso-check test-tests vm-test test-debug selftests-compare test-glibc-smoke
	@echo "make test: all host and guest tests passed"

test-debug: initramfs host
	@KTLS_CONFIG=debug harness/kernel.sh
	@KTLS_CONFIG=debug KTLS_VM_CPU=max harness/vm.sh test

# The guest tests RUNS times in a row with the host's CPUs busy, on the
# debug kernel unless KTLS_CONFIG says otherwise: no result may depend on
# timing.
RUNS ?= 3
test-repeat: initramfs host
	@KTLS_CONFIG=$${KTLS_CONFIG:-debug} harness/kernel.sh
	@KTLS_CONFIG=$${KTLS_CONFIG:-debug} harness/repeat.sh $(RUNS)

selftests-compare: initramfs host
	@harness/upstream-selftests.sh

run: bench
# glibc on KTLS (libc/glibc/series), built out of tree in build/glibc/;
# its tests run with make check on the host and each test program in the
# guest, in three configurations (KTLS on, glibc.pthread.ktls=0, base kernel).
glibc: deps
	@harness/glibc.sh build
test-glibc-smoke: initramfs host
	@harness/glibc-vm.sh smoke on off base
test-glibc: initramfs host
	@harness/glibc-vm.sh full on off base
	@harness/glibc-vm.sh programs on base

clean:
	rm -rf $(BUILD)
