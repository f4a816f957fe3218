/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 hooks for the generic KTLS vDSO accessors (lib/vdso_ktls/ktls.c).
 * Included from arch/x86/entry/vdso/vktls.c, after "extable.h".
 */
#ifndef __ASM_VDSO_KTLS_H
#define __ASM_VDSO_KTLS_H

#ifndef __ASSEMBLY__

#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <asm/alternative.h>
#include <asm/cpufeatures.h>
#include <asm/unistd.h>
#include <vdso/ktls.h>

/* The process's KTLS page in the vvar area (see vdso-layout.lds.S). */
extern struct vdso_ktls_data ktls_page
	__attribute__((visibility("hidden")));

static __always_inline const struct vdso_ktls_data *__arch_get_vdso_ktls_data(void)
{
	return &ktls_page;
}

/*
 * Loads with an exception-table entry: a bad address makes the fault
 * handler resume at the fixup label (fixup_vdso_exception()) instead of
 * raising SIGSEGV, with the asm's result still at its preset value.
 * fixup_vdso_exception() also stores the trap number, error code and
 * fault address in %rdi, %rsi and %rdx, so every such asm declares them
 * clobbered; otherwise the compiler may keep a live value there.
 */
#define KTLS_FIXUP_CLOBBERS	"rdi", "rsi", "rdx"

/*
 * The thread pointer is the FS base.  RDFSBASE reads it directly where the
 * kernel enabled FSGSBASE; elsewhere the psABI's TCB self pointer at %fs:0
 * stands for it.  A fault there (FS base 0 or unmapped) leaves 0.
 */
static __always_inline unsigned long __arch_ktls_thread_pointer(void)
{
	unsigned long tp = 0;

	asm volatile("1: " ALTERNATIVE("movq %%fs:0, %[tp]",
				       "rdfsbase %[tp]", X86_FEATURE_FSGSBASE)
		     "\n2:\n"
		     _ASM_VDSO_EXTABLE_HANDLE(1b, 2b)
		     : [tp] "+r" (tp)
		     :
		     : KTLS_FIXUP_CLOBBERS);
	return tp;
}

static __always_inline bool __arch_ktls_load_u64(long off, __u64 *val)
{
	unsigned long v = 0;
	bool ok = false;

	asm volatile("1: movq %%fs:(%[off]), %[v]\n"
		     "   movb $1, %[ok]\n"
		     "2:\n"
		     _ASM_VDSO_EXTABLE_HANDLE(1b, 2b)
		     : [v] "+r" (v), [ok] "+q" (ok)
		     : [off] "r" (off)
		     : KTLS_FIXUP_CLOBBERS);
	*val = v;
	return ok;
}

/*
 * A 32-bit field is the low half of an 8-byte load (little-endian).  The
 * area is 64-byte aligned and 8 bytes from its last ID field are still
 * inside it, so the load never crosses into other memory.
 */
static_assert(__builtin_offsetof(struct ktls_area, egid) + 8 <= KTLS_AREA_SIZE);

static __always_inline bool __arch_ktls_load_u32(long off, __u32 *val)
{
	__u64 v;
	bool ok = __arch_ktls_load_u64(off, &v);

	*val = (__u32)v;
	return ok;
}

static __always_inline long __arch_ktls_syscall0(long nr)
{
	long ret;

	asm volatile("syscall"
		     : "=a" (ret)
		     : "0" (nr)
		     : "rcx", "r11", "memory");
	return ret;
}

/* The exported functions (arch/x86/entry/vdso/vktls.c). */
int __vdso_ktls_gettid(void);
int __vdso_ktls_getpid(void);
unsigned int __vdso_ktls_getuid(void);
unsigned int __vdso_ktls_geteuid(void);
unsigned int __vdso_ktls_getgid(void);
unsigned int __vdso_ktls_getegid(void);
int *__vdso_ktls_errno_location(void);

#endif /* !__ASSEMBLY__ */

#endif /* __ASM_VDSO_KTLS_H */
