// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the KTLS accessors of a built vDSO image (vdso64.so.dbg) on the
 * host: the image is loaded into anonymous memory with a writable page
 * standing for the vvar ktls_page below it, and called directly.  Faults
 * inside the accessors are handled as the kernel does
 * (fixup_vdso_exception(), arch/x86/entry/vdso/extable.c): a SIGSEGV or
 * SIGBUS whose RIP is an __ex_table "from" address resumes at its fixup,
 * with RDI = trap number, RSI = error code, RDX = fault address (0 for
 * #GP).  So this exercises the real machine code: the x86 hooks'
 * exception-table entries, their register use across a fault, and the
 * generic logic as compiled for the vDSO.
 *
 * Each scenario runs twice where the CPU allows: with the image as built
 * (the thread pointer read from %fs:0) and with the FSGSBASE alternatives
 * applied (RDFSBASE), as apply_alternatives() would on such a CPU.
 *
 * The area under test is a __thread variable of this process (so it lies
 * at a fixed offset from the thread pointer, as libc would place it); its
 * fields hold fake values, so a value read from the area and one from the
 * system call can be told apart.  The ktls_page holds the offset and a key
 * (KEY: bit 63 set, low 6 bits clear, as the kernel makes them), and a
 * valid area's owner word is the thread pointer XORed with that key.
 *
 * Output is TAP; exit status 1 if a check failed, 2 on a setup error.
 * Build without the stack protector: some scenarios run with FS base 0.
 *
 * Usage: vdso_exec_test IMAGE.dbg
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <uapi/linux/ktls.h>
#include <vdso/ktls.h>

#include "vdso_load.h"

#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE		(1 << 1)
#endif

#define PAGE			4096UL
#define DECOY_ADDR		0x10000000UL
#define NEG_TCB_ADDR		0x30000000UL

/* This address space's key, and another one's (a fork() copy's). */
#define KEY			0xc6a4a7935bd1e900ULL
#define WRONG_KEY		0x9e3779b97f4a7c40ULL

#define ERRNO_OFF		offsetof(struct ktls_area, errno_value)

enum { GETTID, GETPID, GETUID, GETEUID, GETGID, GETEGID, NR_U32 };

static const char *const names[NR_U32 + 1] = {
	"__vdso_ktls_gettid", "__vdso_ktls_getpid", "__vdso_ktls_getuid",
	"__vdso_ktls_geteuid", "__vdso_ktls_getgid", "__vdso_ktls_getegid",
	"__vdso_ktls_errno_location",
};
static const long nrs[NR_U32] = {
	SYS_gettid, SYS_getpid, SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid,
};
/* Fake field values of the area: no real id looks like these. */
static const __u32 fakes[NR_U32] = {
	0x7ac10001, 0x7ac10002, 0x7ac10003, 0x7ac10004, 0x7ac10005, 0x7ac10006,
};

/* The image as read, and its copy that runs. */
static unsigned char *file;
static size_t file_size;
static struct vdso_copy copy;		/* vdso_load.h */
static unsigned char *base;		/* load address of the image */
static struct vdso_ktls_data *kpage;	/* its ktls_page */
static long kpage_off;
static unsigned long fn_off[NR_U32 + 1];
static struct { unsigned long from, to; } *extable;
static size_t nr_extable;

static unsigned int (*u32_fn[NR_U32])(void);
static int *(*errno_fn)(void);

/* Fault emulation state; read in the handler. */
static volatile unsigned int nr_fixups, nr_foreign;

static __thread struct ktls_area my_area;
static unsigned long my_tp;
static __u32 real[NR_U32];

static unsigned int nr_checks;
static bool failed;

static void __attribute__((format(printf, 2, 3))) check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", ok ? "" : "not ", ++nr_checks);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		failed = true;
}

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(2);
}

/* ---- loading the image ---- */

static Elf_Scn *scn_named(Elf *elf, size_t shstrndx, const char *name, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, sh))
			continue;
		n = elf_strptr(elf, shstrndx, sh->sh_name);
		if (n && !strcmp(n, name))
			return scn;
	}
	return NULL;
}

static bool sym_value(Elf *elf, GElf_Word type, const char *name, GElf_Addr *val)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *d;
		size_t i;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != type || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		for (i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *n;

			if (!gelf_getsym(d, i, &s))
				continue;
			n = elf_strptr(elf, sh.sh_link, s.st_name);
			if (n && !strcmp(n, name)) {
				*val = s.st_value;
				return true;
			}
		}
	}
	return false;
}

static int32_t le32(const unsigned char *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
			 (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

static void read_image(const char *path)
{
	size_t shstrndx, i, nph;
	GElf_Shdr sh;
	GElf_Addr v;
	Elf_Scn *scn;
	Elf_Data *d;
	char err[160];
	Elf *elf;

	if (vdso_read_file(path, &file, &file_size, err, sizeof(err)))
		die("%s", err);

	elf_version(EV_CURRENT);
	elf = elf_memory((char *)file, file_size);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx) ||
	    elf_getphdrnum(elf, &nph))
		die("%s: not an ELF image: %s", path, elf_errmsg(-1));
	/* __ex_table entries are file offsets: the image must load as laid out. */
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, i, &ph) && ph.p_type == PT_LOAD &&
		    ph.p_offset != ph.p_vaddr)
			die("%s: unexpected PT_LOAD layout", path);
	}

	for (i = 0; i <= NR_U32; i++) {
		if (!sym_value(elf, SHT_DYNSYM, names[i], &v))
			die("%s: no %s in .dynsym", path, names[i]);
		fn_off[i] = v;
	}
	if (!sym_value(elf, SHT_SYMTAB, "ktls_page", &v))
		die("%s: no ktls_page in .symtab (use the .dbg image)", path);
	kpage_off = (long)v;
	if (kpage_off != -(long)((VDSO_VVAR_PAGES - VDSO_KTLS_PAGE) * PAGE))
		die("%s: ktls_page at %ld, expected %ld (vvar page %d of %d)", path,
		    kpage_off, -(long)((VDSO_VVAR_PAGES - VDSO_KTLS_PAGE) * PAGE),
		    VDSO_KTLS_PAGE, VDSO_VVAR_PAGES);

	scn = scn_named(elf, shstrndx, "__ex_table", &sh);
	if (!scn || !(d = elf_getdata(scn, NULL)) || d->d_size % 8)
		die("%s: no usable __ex_table", path);
	nr_extable = d->d_size / 8;
	extable = calloc(nr_extable + 1, sizeof(*extable));
	if (!extable)
		die("out of memory");
	for (i = 0; i < nr_extable; i++) {
		const unsigned char *p = (const unsigned char *)d->d_buf + 8 * i;

		extable[i].from = sh.sh_offset + le32(p);
		extable[i].to = sh.sh_offset + le32(p + 4);
	}
	elf_end(elf);
}

/* Map the image (vdso_load.h); apply its FSGSBASE alternatives if asked. */
static void load_image(bool fsgsbase)
{
	static const int fsgs[] = { X86_FEATURE_FSGSBASE };
	char err[160];
	size_t i;

	vdso_copy_unmap(&copy);
	if (vdso_copy_map(&copy, file, file_size, err, sizeof(err)) ||
	    (fsgsbase && vdso_copy_patch(&copy, fsgs, 1, err, sizeof(err))) ||
	    vdso_copy_seal(&copy, err, sizeof(err)))
		die("loading the image: %s", err);
	if (fsgsbase && !copy.patched)
		die("the image has no FSGSBASE alternative");
	base = copy.base;
	kpage = copy.ktls;
	for (i = 0; i < NR_U32; i++)
		u32_fn[i] = (unsigned int (*)(void))(base + fn_off[i]);
	errno_fn = (int *(*)(void))(base + fn_off[NR_U32]);
}

/* ---- fault emulation: fixup_vdso_exception() ---- */

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	greg_t *g = uc->uc_mcontext.gregs;
	unsigned long ip = g[REG_RIP];
	size_t i;

	(void)si;
	for (i = 0; i < nr_extable; i++) {
		if (ip != (unsigned long)base + extable[i].from)
			continue;
		g[REG_RIP] = (greg_t)(base + extable[i].to);
		g[REG_RDI] = g[REG_TRAPNO];
		g[REG_RSI] = g[REG_ERR];
		g[REG_RDX] = g[REG_TRAPNO] == 14 ? g[REG_CR2] : 0;
		nr_fixups++;
		return;
	}
	/* Not an accessor's fault: report it and die, as the kernel would. */
	nr_foreign++;
	signal(sig, SIG_DFL);
}

static void install_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL) || sigaction(SIGBUS, &sa, NULL))
		die("sigaction: %s", strerror(errno));
}

/* ---- scenarios ---- */

static long raw_syscall2(long nr, long a, long b)
{
	long ret;

	asm volatile("syscall" : "=a" (ret) : "0" (nr), "D" (a), "S" (b)
		     : "rcx", "r11", "memory");
	return ret;
}

static void reset_area(void)
{
	memset(&my_area, 0, sizeof(my_area));
	my_area.owner = my_tp ^ KEY;
	my_area.tid = fakes[GETTID];
	my_area.pid = fakes[GETPID];
	my_area.uid = fakes[GETUID];
	my_area.euid = fakes[GETEUID];
	my_area.gid = fakes[GETGID];
	my_area.egid = fakes[GETEGID];
	kpage->offset = (long)((unsigned long)&my_area - my_tp);
	kpage->key = KEY;
	nr_fixups = 0;
}

/*
 * Every u32 accessor gives the real id (its system call), with at least
 * @min_fixups faults fixed up; errno_location returns exactly @want_errno
 * (NULL, or the slot at the thread pointer plus the offset).
 */
static void expect_syscalls(const char *variant, const char *what,
			    unsigned int min_fixups, int *want_errno)
{
	char bad[512] = "";
	unsigned int i;
	int *p;

	for (i = 0; i < NR_U32; i++) {
		__u32 got = u32_fn[i]();

		if (got != real[i])
			snprintf(bad + strlen(bad), sizeof(bad) - strlen(bad),
				 " %s=0x%x (want 0x%x%s)", names[i] + 12, got, real[i],
				 got == fakes[i] ? ", the area's value" : "");
	}
	p = errno_fn();
	if (p != want_errno)
		snprintf(bad + strlen(bad), sizeof(bad) - strlen(bad),
			 " errno_location=%p (want %p)", (void *)p, (void *)want_errno);
	if (nr_fixups < min_fixups)
		snprintf(bad + strlen(bad), sizeof(bad) - strlen(bad),
			 " %u fixups (want >= %u)", nr_fixups, min_fixups);
	check(!bad[0], "%s: %s -> system call for every accessor, errno_location %s%s%s",
	      variant, what, want_errno ? "the slot" : "NULL",
	      bad[0] ? ":" : "", bad);
}

/* Call every accessor; append to @bad those not served from the area. */
static void fields_from_area(char *bad, size_t len)
{
	unsigned int i;

	for (i = 0; i < NR_U32; i++) {
		__u32 got = u32_fn[i]();

		if (got != fakes[i])
			snprintf(bad + strlen(bad), len - strlen(bad),
				 " %s=0x%x", names[i] + 12, got);
	}
}

/* An area that claims the fake IDs, with owner word @owner. */
static void fill_decoy(struct ktls_area *a, __u64 owner)
{
	memset(a, 0, sizeof(*a));
	a->owner = owner;
	a->tid = fakes[GETTID];
	a->pid = fakes[GETPID];
	a->uid = fakes[GETUID];
	a->euid = fakes[GETEUID];
	a->gid = fakes[GETGID];
	a->egid = fakes[GETEGID];
}

/*
 * Call every accessor with the FS base at @fsbase (no libc and no TLS in
 * between), then append to @bad what differs from the system calls and
 * from @want_errno; @fake names whose fake IDs came back.
 */
static void call_on_fs(unsigned long fsbase, int *want_errno,
		       const char *fake, char *bad, size_t len)
{
	long set_ret, restore_ret;
	__u32 got[NR_U32];
	unsigned int i;
	int *ep;

	set_ret = raw_syscall2(SYS_arch_prctl, ARCH_SET_FS, (long)fsbase);
	for (i = 0; i < NR_U32; i++)
		got[i] = u32_fn[i]();
	ep = errno_fn();
	restore_ret = raw_syscall2(SYS_arch_prctl, ARCH_SET_FS, (long)my_tp);
	if (set_ret || restore_ret)
		die("arch_prctl(ARCH_SET_FS) failed");

	for (i = 0; i < NR_U32; i++)
		if (got[i] != real[i])
			snprintf(bad + strlen(bad), len - strlen(bad),
				 " %s=0x%x%s%s%s", names[i] + 12, got[i],
				 got[i] == fakes[i] ? " (" : "",
				 got[i] == fakes[i] ? fake : "",
				 got[i] == fakes[i] ? ")" : "");
	if (ep != want_errno)
		snprintf(bad + strlen(bad), len - strlen(bad),
			 " errno_location=%p (want %p)", (void *)ep,
			 (void *)want_errno);
}

/*
 * Run every accessor with FS base @fsbase (a PROT_NONE page there unless
 * 0) and offset @offset, decoy areas at @fsbase + @offset; require the
 * system call.  The thread pointer is unreadable (%fs:0 faults: 0), except
 * with RDFSBASE and a non-zero FS base, where it is the bare FS base: then
 * errno_location returns the decoy's slot (mapped), else NULL.
 */
static void decoy_scenario(const char *variant, bool fsgsbase,
			   unsigned long fsbase, long offset)
{
	static const __u64 words[] = { 0, 4, 5, 6, 14 };
	unsigned long decoy_addr = fsbase + offset;
	unsigned char *decoy, *tcb = NULL;
	int *want_errno = NULL;
	unsigned int w;

	decoy = mmap((void *)decoy_addr, PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (decoy != (void *)decoy_addr)
		die("mmap decoy at 0x%lx: %s", decoy_addr, strerror(errno));
	if (fsbase) {
		tcb = mmap((void *)fsbase, PAGE, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (tcb != (void *)fsbase)
			die("mmap PROT_NONE at 0x%lx: %s", fsbase, strerror(errno));
		if (fsgsbase)
			want_errno = (int *)(decoy_addr + ERRNO_OFF);
	}
	for (w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		struct ktls_area *a = (struct ktls_area *)decoy;
		char bad[256] = "";

		fill_decoy(a, words[w] ^ KEY);
		reset_area();
		kpage->offset = offset;
		call_on_fs(fsbase, want_errno, "the decoy's", bad, sizeof(bad));
		check(!bad[0], "%s: FS base 0x%lx%s, offset 0x%lx, decoy owner word %llu ^ key at 0x%lx -> system call, errno_location %s%s%s",
		      variant, fsbase, fsbase ? " (PROT_NONE)" : "", offset,
		      (unsigned long long)words[w], decoy_addr,
		      want_errno ? "the decoy's slot" : "NULL",
		      bad[0] ? ":" : "", bad);
	}
	munmap(decoy, PAGE);
	if (tcb)
		munmap(tcb, PAGE);
}

/*
 * A TCB whose self pointer (%fs:0) is negative as a long: FS base
 * NEG_TCB_ADDR, a readable page whose first word is @self, offset +128,
 * and there an area that would validate for thread pointer @self (owner
 * word @owner, normally self ^ key).  Without FSGSBASE the thread pointer
 * is @self: every accessor must take the system call and errno_location
 * return NULL, no fault.  With RDFSBASE the thread pointer is the FS base,
 * which the owner word does not match: system calls, and errno_location
 * returns the area's slot.
 */
static void negative_tp_scenario(const char *variant, bool fsgsbase,
				 __u64 self, __u64 owner, const char *what)
{
	unsigned long fsbase = NEG_TCB_ADDR;
	const long offset = 128;
	unsigned char *tcb;
	struct ktls_area *a;
	int *want_errno = fsgsbase ? (int *)(fsbase + offset + ERRNO_OFF) : NULL;
	char bad[256] = "";

	tcb = mmap((void *)fsbase, PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (tcb != (void *)fsbase)
		die("mmap TCB at 0x%lx: %s", fsbase, strerror(errno));
	*(__u64 *)tcb = self;
	a = (struct ktls_area *)(tcb + offset);
	fill_decoy(a, owner);
	reset_area();
	kpage->offset = offset;
	call_on_fs(fsbase, want_errno, "the area's", bad, sizeof(bad));
	if (nr_fixups)
		snprintf(bad + strlen(bad), sizeof(bad) - strlen(bad),
			 " %u fixups (want 0)", nr_fixups);
	check(!bad[0], "%s: TCB self pointer 0x%llx (%s), offset %ld -> system call, errno_location %s%s%s",
	      variant, (unsigned long long)self, what, offset,
	      want_errno ? "the slot at the FS base" : "NULL",
	      bad[0] ? ":" : "", bad);
	munmap(tcb, PAGE);
}

static void run_scenarios(const char *variant, bool fsgsbase)
{
	int *slot = &my_area.errno_value;
	unsigned char *pages;
	char bad[256] = "";
	int *p;

	/* Valid area: every field from the area, errno slot exact, no fault. */
	reset_area();
	fields_from_area(bad, sizeof(bad));
	p = errno_fn();
	check(!bad[0] && p == slot && !nr_fixups,
	      "%s: valid area at tp%+ld, owner tp ^ key -> fields from the area, errno_location exact%s%s",
	      variant, (long)kpage->offset, bad[0] ? ":" : "", bad);

	/* The same under another key: the image reads the key from the page. */
	reset_area();
	kpage->key = WRONG_KEY;
	my_area.owner = my_tp ^ WRONG_KEY;
	bad[0] = 0;
	fields_from_area(bad, sizeof(bad));
	p = errno_fn();
	check(!bad[0] && p == slot && !nr_fixups,
	      "%s: valid area under another key (page and owner word) -> fields from the area%s%s",
	      variant, bad[0] ? ":" : "", bad);

	reset_area();
	kpage->offset = 0;
	expect_syscalls(variant, "no offset", 0, NULL);

	reset_area();
	my_area.owner = my_tp;
	expect_syscalls(variant, "owner word == tp without the key", 0, slot);

	reset_area();
	my_area.owner = my_tp ^ WRONG_KEY;
	expect_syscalls(variant, "owner word == tp ^ another key (fork copy)", 0, slot);

	reset_area();
	my_area.owner = (my_tp ^ 0x1000) ^ KEY;
	expect_syscalls(variant, "owner word of another TCB", 0, slot);

	reset_area();
	my_area.owner = 0;
	expect_syscalls(variant, "owner word 0", 0, slot);

	/*
	 * Three pages: readable, PROT_NONE, readable.  An area inside the
	 * PROT_NONE page: #PF on the owner word (and on the errno probe),
	 * fixed up.
	 */
	pages = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pages == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	if (mprotect(pages + PAGE, PAGE, PROT_NONE))
		die("mprotect: %s", strerror(errno));
	reset_area();
	kpage->offset = (long)((unsigned long)(pages + PAGE) - my_tp);
	expect_syscalls(variant, "area unmapped (#PF on the owner word and the errno slot)",
			NR_U32 + 1, NULL);

	/* Non-canonical area address: #GP, fixed up. */
	reset_area();
	kpage->offset = (long)(0x0000800000000000UL - my_tp);
	expect_syscalls(variant, "area non-canonical (#GP on the owner word)", NR_U32 + 1, NULL);

	/* Kernel area address: #PF (protection), fixed up. */
	reset_area();
	kpage->offset = (long)(0xffff888000000000UL - my_tp);
	expect_syscalls(variant, "area at a kernel address (#PF)", NR_U32 + 1, NULL);

	/*
	 * Owner word valid at the end of the first page, the fields and the
	 * errno slot in the PROT_NONE one: each field load faults, and so
	 * does the errno probe.
	 */
	reset_area();
	*(__u64 *)(pages + PAGE - 8) = my_tp ^ KEY;
	kpage->offset = (long)((unsigned long)(pages + PAGE - 8) - my_tp);
	expect_syscalls(variant, "owner word valid, fields and errno slot unreadable",
			NR_U32 + 1, NULL);

	/*
	 * Owner word (valid) in the PROT_NONE page, the errno slot at the
	 * start of the third page: the accessors fault on the owner word,
	 * errno_location returns the slot.
	 */
	reset_area();
	kpage->offset = (long)((unsigned long)(pages + 2 * PAGE - ERRNO_OFF) - my_tp);
	expect_syscalls(variant, "owner word unreadable, errno slot readable", NR_U32,
			(int *)(pages + 2 * PAGE));
	munmap(pages, 3 * PAGE);

	/*
	 * The thread pointer unreadable: FS base 0, or FS base at a page
	 * with no TCB (PROT_NONE).  %fs:0 faults (RDFSBASE gives 0 or the
	 * bare base), so every accessor must take the system call.  A decoy
	 * area sits where the area load lands, both with the registered
	 * offset and with an offset register clobbered by the fixup (RDX =
	 * fault address); its owner word is, XORed with the key, one of the
	 * values the kernel's fixup leaves in RDI/RSI (trap 14, error code
	 * 4, 5 or 6) or the fixup's thread pointer 0: an accessor that keeps
	 * the thread pointer or the offset in RDI, RSI or RDX across the
	 * fault, or that accepts thread pointer 0, would believe it.
	 */
	decoy_scenario(variant, fsgsbase, 0, DECOY_ADDR);
	decoy_scenario(variant, fsgsbase, DECOY_ADDR / 2, DECOY_ADDR / 2);

	/*
	 * A thread pointer that is negative as a long (read from a TCB self
	 * pointer; RDFSBASE cannot give one), with an area that matches it:
	 * the key itself with owner word 0 (== key ^ key, as in zeroed
	 * memory), and two
	 * kernel-half values with owner word self ^ key.
	 */
	negative_tp_scenario(variant, fsgsbase, KEY, 0, "the key, owner word 0");
	negative_tp_scenario(variant, fsgsbase, 0xffff888000001000ULL,
			     0xffff888000001000ULL ^ KEY, "kernel half, owner self ^ key");
	negative_tp_scenario(variant, fsgsbase, 0x8000000000000000ULL,
			     0x8000000000000000ULL ^ KEY, "bit 63 alone, owner self ^ key");
	check(!nr_foreign, "%s: no fault outside the exception table", variant);
}

int main(int argc, char **argv)
{
	unsigned long fsbase = 0;
	unsigned int i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s IMAGE.dbg\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n# vDSO image: %s\n", argv[1]);
	read_image(argv[1]);
	install_handler();

	asm volatile("movq %%fs:0, %0" : "=r" (my_tp));
	if (syscall(SYS_arch_prctl, ARCH_GET_FS, &fsbase) || fsbase != my_tp)
		die("FS base 0x%lx is not the TCB self pointer 0x%lx", fsbase, my_tp);
	for (i = 0; i < NR_U32; i++)
		real[i] = (__u32)syscall(nrs[i]);

	load_image(false);
	run_scenarios("movq %fs:0", false);
	if (getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE) {
		load_image(true);
		run_scenarios("rdfsbase", true);
	} else {
		printf("ok %u - rdfsbase: # SKIP no FSGSBASE for user space on this CPU/kernel\n",
		       ++nr_checks);
	}
	printf("1..%u\n", nr_checks);
	return failed ? 1 : 0;
}
