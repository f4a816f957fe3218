/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host mock of the architecture hooks of lib/vdso_ktls/ktls.c, so that the
 * generic KTLS vDSO logic compiles unchanged in a user-space test and runs
 * against a state the test controls:
 *
 *  - ktls_mock.vd:	the process's struct vdso_ktls_data (the vvar page:
 *			offset and key);
 *  - ktls_mock.tp:	what __arch_ktls_thread_pointer() returns (0 stands
 *			for "unreadable", as on x86 when %fs:0 faults);
 *  - ktls_mock.base:	the address that loads are relative to (the FS base
 *			on x86); normally equal to tp;
 *  - a memory window:	ktls_mock.mem[] holds the bytes of the simulated
 *			addresses [win, win + KTLS_MOCK_WIN_SIZE); a load
 *			that is not entirely inside it faults, and so does
 *			load number ktls_mock.fault_on_load (1-based, 0 for
 *			none);
 *  - a system call mock: every call is logged (ktls_mock.sys_nr[]) and
 *			returns ktls_mock.sys_ret[nr].
 *
 * Addresses are simulated (unsigned long arithmetic, wrapping like the
 * CPU's), so a test can place the thread pointer anywhere, 0 included, and
 * use offsets beyond 32 bits.
 *
 * A faulting load returns false and still writes *val, with a poison that
 * is the most dangerous value for the caller: the valid owner word for a
 * 64-bit load (tp ^ vd.key, so that code which ignored the fault would see
 * a matching owner word) and KTLS_MOCK_POISON32 for a 32-bit load.
 */
#ifndef __MOCK_ASM_VDSO_KTLS_H
#define __MOCK_ASM_VDSO_KTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <asm/unistd.h>
#include <linux/types.h>
#include <vdso/ktls.h>

#ifndef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#endif
#ifndef likely
#define likely(x)		__builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x)		__builtin_expect(!!(x), 0)
#endif
#ifndef READ_ONCE
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#endif

#define KTLS_MOCK_WIN_SIZE	16384
#define KTLS_MOCK_MAX_LOG	16
#define KTLS_MOCK_NR_MAX	512
#define KTLS_MOCK_POISON32	0xfa17fa17U

struct ktls_mock_load {
	long off;		/* offset from the base, as passed by the caller */
	unsigned int size;	/* 4 or 8 */
	bool ok;
};

struct ktls_mock {
	struct vdso_ktls_data vd;
	unsigned long tp;
	unsigned long base;
	unsigned long win;
	unsigned char mem[KTLS_MOCK_WIN_SIZE] __attribute__((aligned(64)));
	unsigned int fault_on_load;

	unsigned int nr_tp_reads;
	unsigned int nr_loads;
	struct ktls_mock_load loads[KTLS_MOCK_MAX_LOG];

	unsigned int nr_syscalls;
	long sys_nr[KTLS_MOCK_MAX_LOG];
	long sys_ret[KTLS_MOCK_NR_MAX];
};

extern struct ktls_mock ktls_mock;

/*
 * The bytes of the window at simulated address @addr, or NULL when the
 * @size bytes there are not all inside the window.
 */
static inline void *ktls_mock_addr(unsigned long addr, size_t size)
{
	unsigned long rel = addr - ktls_mock.win;

	if (rel >= KTLS_MOCK_WIN_SIZE || size > KTLS_MOCK_WIN_SIZE - rel)
		return NULL;
	return &ktls_mock.mem[rel];
}

static inline bool ktls_mock_load(long off, void *val, unsigned int size)
{
	unsigned int n = ++ktls_mock.nr_loads;
	void *src = ktls_mock_addr(ktls_mock.base + (unsigned long)off, size);
	bool ok = src && n != ktls_mock.fault_on_load;

	if (n <= KTLS_MOCK_MAX_LOG)
		ktls_mock.loads[n - 1] = (struct ktls_mock_load){ off, size, ok };
	if (ok) {
		memcpy(val, src, size);
	} else if (size == 8) {
		__u64 poison = ktls_mock.tp ^ ktls_mock.vd.key;

		memcpy(val, &poison, 8);
	} else {
		__u32 poison = KTLS_MOCK_POISON32;

		memcpy(val, &poison, 4);
	}
	return ok;
}

static __always_inline const struct vdso_ktls_data *__arch_get_vdso_ktls_data(void)
{
	return &ktls_mock.vd;
}

static __always_inline unsigned long __arch_ktls_thread_pointer(void)
{
	ktls_mock.nr_tp_reads++;
	return ktls_mock.tp;
}

static __always_inline bool __arch_ktls_load_u64(long off, __u64 *val)
{
	return ktls_mock_load(off, val, sizeof(*val));
}

static __always_inline bool __arch_ktls_load_u32(long off, __u32 *val)
{
	return ktls_mock_load(off, val, sizeof(*val));
}

static __always_inline long __arch_ktls_syscall0(long nr)
{
	unsigned int n = ++ktls_mock.nr_syscalls;

	if (n <= KTLS_MOCK_MAX_LOG)
		ktls_mock.sys_nr[n - 1] = nr;
	if (nr < 0 || nr >= KTLS_MOCK_NR_MAX)
		return -38;	/* -ENOSYS */
	return ktls_mock.sys_ret[nr];
}

#endif /* __MOCK_ASM_VDSO_KTLS_H */
