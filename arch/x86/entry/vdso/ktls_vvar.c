// SPDX-License-Identifier: GPL-2.0-only
/*
 * The per-address-space KTLS page of the x86 vvar area.
 *
 * The vDSO's KTLS accessors read the registered offset and the address
 * space's key from the vvar page at ktls_page.  That page belongs to the
 * address space's struct ktls_mm (kernel/ktls.c): it is published when
 * the thread group registers its offset, replaced by fork() with a copy
 * that has the same offset and a new key, freed with the address space,
 * and mapped at fault time, as the time namespace page is.  An address
 * space without one maps the zero page, which reads as "no offset".
 */
#include <linux/ktls.h>
#include <linux/mm.h>
#include <linux/mmu_context.h>

#include <asm/vdso.h>

/* Make @km the KTLS state of @mm and map its page from now on. */
int arch_ktls_mm_publish(struct mm_struct *mm, struct ktls_mm *km)
{
	mmap_write_lock(mm);
	if (mm->context.ktls) {
		mmap_write_unlock(mm);
		return -EBUSY;
	}
	/* Pairs with smp_load_acquire() in vdso_ktls_pfn() and kernel/ktls.c. */
	smp_store_release(&mm->context.ktls, km);
	vdso_ktls_zap(mm);
	mmap_write_unlock(mm);
	return 0;
}

/*
 * Called by dup_mmap() with both address spaces locked: the child gets
 * state of its own, with the same offset and a new key.
 */
int vdso_ktls_dup_mmap(struct mm_struct *oldmm, struct mm_struct *mm)
{
	if (!oldmm->context.ktls)
		return 0;
	mm->context.ktls = ktls_mm_dup(oldmm->context.ktls);
	if (!mm->context.ktls)
		return -ENOMEM;
	/* dup_mmap() copied the parent's PTE for its page: drop it. */
	vdso_ktls_zap(mm);
	return 0;
}

void vdso_ktls_destroy_context(struct mm_struct *mm)
{
	ktls_mm_free(mm->context.ktls);
	mm->context.ktls = NULL;
}

/* The page frame to map at ktls_page for @addr in @mm. */
unsigned long vdso_ktls_pfn(struct mm_struct *mm, unsigned long addr)
{
	/* Pairs with smp_store_release() in arch_ktls_mm_publish(). */
	struct ktls_mm *km = smp_load_acquire(&mm->context.ktls);

	return km ? page_to_pfn(ktls_mm_page(km)) : my_zero_pfn(addr);
}
