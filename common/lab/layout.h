/*
 * The kit's standard guest layout (lab-b, lab-c, lab-e; lab-a keeps
 * kvm-hello-world's own). One "instance" owns the guest-physical range
 * [base, base + size):
 *
 *   guest-virtual                          guest-physical
 *   0 ............ image, data, bss  --->  base
 *   ...            free, stack grows down
 *   stack_top = mapped_end (RSP)     --->  base + mapped_end
 *                  (not mapped)            page tables: [tables, base + size)
 *
 * Guest-virtual [0, mapped_end) maps onto [base, base + mapped_end), read
 * and write. The page tables sit above, in the instance's own memory and
 * outside its mapping, so the guest can neither see nor break them; a
 * pointer into them is an unmapped address, like any past mapped_end.
 */
#ifndef KIT_LAYOUT_H
#define KIT_LAYOUT_H

#include "kvm/guest_mem.h"
#include "kvm/paging.h"

struct instance_layout {
	gpa_t base;
	uint64_t size;
	gpa_t tables;          /* guest-physical start of the page-table pool */
	gva_t mapped_end;      /* guest-virtual [0, mapped_end) is mapped */
	gva_t stack_top;       /* initial RSP */
	gpa_t cr3;             /* the PML4 */
	unsigned table_pages;  /* table pages in use */
};

/* Room kept for the stack when checking an image fits. */
#define LAYOUT_MIN_STACK (16u << 10)

/*
 * Build the tables for an instance. base and size must be 4 KiB multiples
 * inside mem. 0, or -EINVAL / -ENOMEM.
 */
int layout_instance(struct phys_mem *mem, gpa_t base, uint64_t size,
		    struct instance_layout *out);

/* Largest image that fits with LAYOUT_MIN_STACK of stack to spare. */
uint64_t layout_max_image(const struct instance_layout *l);

#endif
