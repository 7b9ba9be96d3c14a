/*
 * One instance's slice of guest-physical memory and its own page table (e.1:
 * "double the memory, each instance uses half; a distinct page table for
 * each instance"). Instance i owns guest-physical [base, base + size) with
 * base = i * size. Its table maps the same guest-virtual addresses in every
 * instance, each onto its own slice (guest-virtual = offset in the slice):
 *
 *   guest-virtual         what                         page rights (U/S, R/W)
 *   0 .. user_end         image, data, bss, stack      user, read-write
 *   desc (= user_end)     GDT, TSS, IDT                supervisor, read-only
 *   traps                 CPL-0 fault handlers          supervisor, read-only
 *   kstack                kernel stack                  supervisor, read-write
 *   tables .. size        its page tables               not mapped
 *   size ..               (nothing: no other slice)    not mapped
 *
 * The instance runs at CPL 3 (user_mode.h), so the CPU refuses it every
 * supervisor page, and it cannot load CR3 to use a table of its own making.
 */
#ifndef LAB_E_SLICE_H
#define LAB_E_SLICE_H

#include "kvm/guest_mem.h"

struct slice {
	gpa_t base;             /* guest-physical start; guest-virtual 0 maps here */
	uint64_t size;
	gva_t user_end;         /* guest-virtual [0, user_end) is the instance's (RSP starts here) */
	gva_t desc, traps, kstack, kstack_top;   /* the supervisor pages (supervisor.h) */
	gva_t tables;           /* offset of the page-table pool: never mapped */
	gpa_t cr3;              /* guest-physical address of its PML4 */
	unsigned table_pages;   /* pages of the pool in use */
};

/* Room kept for the stack when checking that an image fits. */
#define SLICE_MIN_STACK (16u << 10)

/*
 * Lay out [base, base + size) of mem and build its page table there.
 * base and size must be 4 KiB multiples inside mem. 0, or -EINVAL (no room).
 */
int slice_build(struct phys_mem *mem, gpa_t base, uint64_t size, struct slice *s);

/* Guest-physical address of the instance's guest-virtual va (va < size). */
static inline gpa_t slice_gpa(const struct slice *s, gva_t va)
{
	return s->base + va;
}

/* Host pointer to [va, va + len) of the slice, or NULL outside it. */
void *slice_host(const struct phys_mem *mem, const struct slice *s, gva_t va, uint64_t len);

/* Largest image that fits below the stack. */
uint64_t slice_max_image(const struct slice *s);

#endif
