// SPDX-License-Identifier: GPL-2.0
/*
 * host_vdso: the "real hardware" rows.  Runs the KTLS accessors of the
 * built vDSO image (vdso64.so) on the host, whose kernel has no KTLS,
 * next to the host's own system calls.
 *
 * The image is mapped by the host loader of tests/vdso/vdso_load.h, with
 * five vvar pages laid out before it as the patched kernel lays them, so
 * the text finds ktls_page RIP-relatively at image - PAGE_SIZE.  That
 * page gets a struct
 * vdso_ktls_data whose offset points at an initial-exec __thread struct
 * ktls_area of this program and whose key is HOST_KEY; the area is filled
 * as the kernel fills it (owner = the thread pointer XOR the key, ids from
 * the system calls).  The accessors are found in the copy's own dynamic
 * symbol table (parse_vdso.c, given the copy's address) and timed like
 * the guest rows:
 *
 *  - fast path: the area is valid;
 *  - fallback: the area's owner word is 0, so the accessor makes the
 *    host's real system call; and "no offset": the vvar offset is 0 (a
 *    process that never registered);
 *  - twice: once as the image is (alternatives not applied: the thread
 *    pointer comes from mov %fs:0, the no-FSGSBASE path, and getcpu uses
 *    LSL), once with the image's FSGSBASE and RDPID alternatives applied
 *    by this program as the kernel would on this CPU (rdfsbase, rdpid).
 *
 * The host kernel knows nothing of the copy's exception table, so only
 * cases with valid pointers run.
 */
#include <cpuid.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/ktls.h>
#include <vdso/ktls.h>

#include "bench.h"
#include "vdso_load.h"
#ifdef HAVE_LIBKTLS
#include <ktls/ktls.h>
#endif

#ifndef VDSO_IMAGE
#define VDSO_IMAGE	"build/obj/arch/x86/entry/vdso/vdso64.so"
#endif
#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE		(1 << 1)
#endif

/* A tid no thread has: a row that returns it read the area. */
#define MAGIC_TID		0x7ffffff0

/* The copy's address-space key: bit 63 set, low 6 bits clear, as the kernel's. */
#define HOST_KEY		0xc6a4a7935bd1e900ULL

static __thread struct ktls_area host_area
	__attribute__((tls_model("initial-exec")));

typedef unsigned int (*fn0_t)(void);

/*
 * ST_FAST: valid area; ST_OWNER0: owner word 0 (fallback rows);
 * ST_NOKEY: owner word = the thread pointer without the key (checked, not
 * timed); ST_NOOFF: vvar offset 0.
 */
enum state { ST_FAST, ST_OWNER0, ST_NOKEY, ST_NOOFF };

struct copy {
	const char *where;	/* row label */
	bool patch;		/* apply FSGSBASE and RDPID alternatives */
	struct vdso_copy m;	/* the mapped image */
	struct vdso_ktls_data *vd;
	fn0_t gettid, getuid, getpid;
	int *(*errno_location)(void);
	void *getcpu;
	char na[160];
};

static const char *image_path = VDSO_IMAGE;
static unsigned char *image;
static size_t image_size;
static long area_offset;

static struct copy copies[2] = {
	{ .where = "host-mapped: mov %fs:0", .patch = false },
	{ .where = "host-mapped: rdfsbase", .patch = true },
};

static int extra_opt(int opt, const char *arg)
{
	if (opt == 'i') {
		image_path = arg;
		return 0;
	}
	return -1;
}

static void set_state(struct copy *c, enum state s)
{
	uint64_t tp = (uint64_t)(uintptr_t)__builtin_thread_pointer();

	c->vd->offset = s == ST_NOOFF ? 0 : area_offset;
	c->vd->key = HOST_KEY;
	host_area.owner = s == ST_OWNER0 ? 0 : s == ST_NOKEY ? tp : tp ^ HOST_KEY;
}

static void fill_area(void)
{
	host_area.owner = (uintptr_t)__builtin_thread_pointer() ^ HOST_KEY;
	host_area.tid = syscall(SYS_gettid);
	host_area.pid = syscall(SYS_getpid);
	host_area.uid = syscall(SYS_getuid);
	host_area.euid = syscall(SYS_geteuid);
	host_area.gid = syscall(SYS_getgid);
	host_area.egid = syscall(SYS_getegid);
}

static int map_copy(struct copy *c)
{
	unsigned int a, b, cx, d;
	int features[2], n = 0;
	char err[120];

	if (vdso_copy_map(&c->m, image, image_size, err, sizeof(err))) {
		snprintf(c->na, sizeof(c->na), "n/a: %s: %s", image_path, err);
		return -1;
	}
	c->vd = c->m.ktls;
	if (c->patch) {
		if (!(getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE)) {
			snprintf(c->na, sizeof(c->na),
				 "n/a: this kernel has not enabled FSGSBASE (HWCAP2)");
			return -1;
		}
		features[n++] = X86_FEATURE_FSGSBASE;
		if (__get_cpuid_count(7, 0, &a, &b, &cx, &d) && (cx & (1U << 22)))
			features[n++] = X86_FEATURE_RDPID;
		if (vdso_copy_patch(&c->m, features, n, err, sizeof(err)) ||
		    !c->m.patched) {
			snprintf(c->na, sizeof(c->na),
				 "n/a: cannot apply the image's alternatives");
			return -1;
		}
	}
	if (vdso_copy_seal(&c->m, err, sizeof(err))) {
		snprintf(c->na, sizeof(c->na), "n/a: %s", err);
		return -1;
	}
	c->gettid = (fn0_t)vdso_copy_sym(&c->m, "__vdso_ktls_gettid");
	c->getuid = (fn0_t)vdso_copy_sym(&c->m, "__vdso_ktls_getuid");
	c->getpid = (fn0_t)vdso_copy_sym(&c->m, "__vdso_ktls_getpid");
	c->errno_location = (int *(*)(void))
		vdso_copy_sym(&c->m, "__vdso_ktls_errno_location");
	c->getcpu = vdso_copy_sym(&c->m, "__vdso_getcpu");
	if (!c->gettid || !c->getuid || !c->getpid || !c->errno_location) {
		snprintf(c->na, sizeof(c->na),
			 "n/a: %s has no __vdso_ktls_* symbols", image_path);
		return -1;
	}
	return 0;
}

/* Prove that each path is the one it claims to be. */
static int check_copy(struct copy *c)
{
	long tid = syscall(SYS_gettid);
	unsigned int cpu = ~0U;
	const char *why = NULL;

	/* A magic tid in the area tells an area read apart from a system call. */
	set_state(c, ST_FAST);
	host_area.tid = MAGIC_TID;
	if ((long)c->gettid() != MAGIC_TID)
		why = "the fast path does not read the area (magic tid)";
	if (!why && c->errno_location() != &host_area.errno_value)
		why = "errno_location() does not see the area";
	set_state(c, ST_NOKEY);
	if (!why && (long)c->gettid() != tid)
		why = "an owner word without the key is trusted";
	if (!why && c->errno_location() != &host_area.errno_value)
		why = "errno_location() does not return the slot of an invalid area";
	set_state(c, ST_OWNER0);
	if (!why && ((long)c->gettid() != tid || c->getuid() != getuid() ||
		     (pid_t)c->getpid() != getpid()))
		why = "the owner = 0 fallback does not make the system call";
	if (!why && c->errno_location() != &host_area.errno_value)
		why = "errno_location() does not return the slot when the owner word is 0";
	set_state(c, ST_NOOFF);
	if (!why && (c->errno_location() || (long)c->gettid() != tid))
		why = "the offset = 0 fallback does not make the system call";
	host_area.tid = tid;
	set_state(c, ST_FAST);
	if (!why && ((long)c->gettid() != tid || c->getuid() != getuid() ||
		     (pid_t)c->getpid() != getpid()))
		why = "the fast path disagrees with the system calls";
	if (!why && c->getcpu &&
	    (((long (*)(unsigned int *, void *, void *))c->getcpu)(&cpu, NULL,
								   NULL) ||
	     (int)cpu != sched_getcpu()))
		c->getcpu = NULL;	/* its row says n/a */
	set_state(c, ST_FAST);
	if (why) {
		snprintf(c->na, sizeof(c->na), "n/a: check failed: %s", why);
		return -1;
	}
	return 0;
}

static void prep_state(struct bench_row *r)
{
	set_state(r->arg, r->iarg);
}

/*
 * The libktls row of a copy: libktls's table (the library's own, const
 * for programs) pointed at the copy's functions before every batch, as
 * libktls's constructor points it at the running kernel's vDSO.
 */
static void prep_libktls(struct bench_row *r)
{
#ifdef HAVE_LIBKTLS
	struct ktls_accessors *t = (struct ktls_accessors *)&ktls_accessors;
	struct copy *c = r->arg;

	t->gettid = (pid_t (*)(void))c->gettid;
	t->getpid = (pid_t (*)(void))c->getpid;
	t->getuid = (uid_t (*)(void))c->getuid;
	t->errno_location = c->errno_location;
#endif
	prep_state(r);
}

/* Does the libktls row reach the copy's fast path?  (A magic tid.) */
static bool libktls_reads_copy(int row)
{
	bool ok = false;
#ifdef HAVE_LIBKTLS
	pid_t tid = host_area.tid;

	prep_libktls(bench_row(row));
	host_area.tid = MAGIC_TID;
	ok = ktls_gettid() == MAGIC_TID;
	host_area.tid = tid;
#endif
	(void)row;
	return ok;
}

static int add_copy_row(struct copy *c, const char *name, const char *path,
			fn0_t fn, enum state s, int ref)
{
	int i = bench_add_fn0(name, path, c->where, (void *)fn, ref);

	bench_row(i)->arg = c;
	bench_row(i)->iarg = s;
	bench_row(i)->prepare = prep_state;
	if (c->na[0])
		bench_set_na(i, "%s", c->na);
	return i;
}

int main(int argc, char **argv)
{
	struct bench_target targets[6];
	struct bench_refs refs;
	int host_getcpu, nt = 0, k, i;
	char err[160] = "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	bench_parse_opts(argc, argv, "host_vdso",
			 "  -i, --image FILE    the vDSO image (default " VDSO_IMAGE ")\n",
			 extra_opt);
	bench_machine_probe();
	bench_pin(bench_opts.cpu);

	area_offset = (char *)&host_area - (char *)__builtin_thread_pointer();
	fill_area();
	if (vdso_read_file(image_path, &image, &image_size, err, sizeof(err)))
		for (k = 0; k < 2; k++)
			snprintf(copies[k].na, sizeof(copies[k].na), "n/a: %s", err);
	for (k = 0; k < 2; k++)
		if (!copies[k].na[0] && !map_copy(&copies[k]))
			check_copy(&copies[k]);

	bench_add_syscalls(&refs);
	host_getcpu = bench_add_getcpu("__vdso_getcpu (host's own vDSO)",
				       "vdso",
				       bench_vdso_sym("__vdso_getcpu"),
				       refs.sys_getcpu);
	if (!bench_row(host_getcpu)->fn)
		bench_set_na(host_getcpu, "n/a: no __vdso_getcpu in the host's vDSO");
	for (k = 0; k < 2; k++) {
		struct copy *c = &copies[k];
		int fast[3], fb[3];

		fast[0] = add_copy_row(c, "__vdso_ktls_gettid", "fast",
				       c->gettid, ST_FAST, refs.sys_gettid);
		fast[1] = add_copy_row(c, "__vdso_ktls_getuid", "fast",
				       c->getuid, ST_FAST, refs.getuid);
		fast[2] = add_copy_row(c, "__vdso_ktls_getpid", "fast",
				       c->getpid, ST_FAST, refs.getpid);
		fb[0] = add_copy_row(c, "__vdso_ktls_gettid", "fallback",
				     c->gettid, ST_OWNER0, refs.sys_gettid);
		fb[1] = add_copy_row(c, "__vdso_ktls_getuid", "fallback",
				     c->getuid, ST_OWNER0, refs.getuid);
		fb[2] = add_copy_row(c, "__vdso_ktls_getpid", "fallback",
				     c->getpid, ST_OWNER0, refs.getpid);
		i = bench_add_libktls_gettid("fast", c->where, fast[0]);
		bench_row(i)->arg = c;
		bench_row(i)->iarg = ST_FAST;
		bench_row(i)->prepare = prep_libktls;
		if (bench_row(i)->na[0] == 0 && c->na[0])
			bench_set_na(i, "%s", c->na);
		else if (bench_row(i)->na[0] == 0 && !libktls_reads_copy(i))
			bench_set_na(i, "n/a: check failed: ktls_gettid() does not read the copy's area (magic tid)");
		if (k == 0)
			bench_set_note(i, "libktls's table pointed at the copy's functions: the inline accessor's dispatch vs its pointer call");
		i = add_copy_row(c, "__vdso_ktls_gettid", "no offset",
				 c->gettid, ST_NOOFF, refs.sys_gettid);
		if (k == 0)
			bench_set_note(i, "vvar offset 0: a process that never registered");
		i = bench_add_getcpu("__vdso_getcpu", "vdso", c->getcpu,
				     refs.sys_getcpu);
		bench_row(i)->where_str = c->where;
		if (c->na[0])
			bench_set_na(i, "%s", c->na);
		else if (!c->getcpu)
			bench_set_na(i, "n/a: the copy's __vdso_getcpu is missing or wrong");
		for (i = 0; i < 3; i++)
			targets[nt++] = (struct bench_target){
				fast[i], fb[i], bench_row(fast[i])->ref };
	}
	bench_add_rseq(refs.sys_getcpu);
	bench_add_tls_floor();

	bench_add_text("image:      %s (%zu bytes), copied after 5 vvar pages; ktls_page = image - 4096",
		       image_path, image_size);
	bench_add_text("            holds struct vdso_ktls_data {offset %ld, key 0x%llx} for a __thread area",
		       area_offset, (unsigned long long)HOST_KEY);
	bench_add_text("            whose owner word is the thread pointer XOR the key");
	bench_add_text("            \"host-mapped: mov %%fs:0\": alternatives NOT applied (a user-space copy):");
	bench_add_text("            the thread pointer is read with mov %%fs:0 (no-FSGSBASE path), getcpu uses LSL");
	if (copies[1].m.patched)
		bench_add_text("            \"host-mapped: rdfsbase\": host_vdso applied %u FSGSBASE/RDPID alternatives itself",
			       copies[1].m.patched);
	bench_add_text("            fallback = area owner word 0, no offset = vvar offset 0: the host's real system call");
	bench_add_text("            vDSO exception fixups do not work in a copy: only valid-pointer cases run");
	bench_add_text("calls:      every row is an indirect call in a loop; the __thread row is that floor");

	bench_run_calls();

	bench_print_header(stdout, "host_vdso: the built vDSO's KTLS accessors, host-mapped, vs the host's system calls");
	bench_print_table(stdout, "calls", "ns per call");
	bench_print_notes(stdout);
	bench_print_targets(stdout, targets, nt, host_getcpu);
	for (k = 0; k < 2; k++)
		vdso_copy_unmap(&copies[k].m);
	return bench_write_outputs() ? 1 : 0;
}
