/* One instance's slice and its page table: the layout in slice.h. */
#include "slice.h"
#include "supervisor.h"

#include "kvm/paging.h"

#include <errno.h>
#include <stddef.h>

/*
 * Table pages the pool needs: a PML4 and a PDPT (the kit's memory stays
 * below 2 GiB), a PD per GiB plus one, and page tables where 2 MiB pages
 * cannot be used: the tail of the user range and the supervisor pages (a
 * PT or two), or everything when the slice is not 2 MiB aligned.
 */
static uint64_t pool_pages(gpa_t base, uint64_t size)
{
	uint64_t pds = (size >> 30) + 2;
	uint64_t pts = (base & (PAGE_SIZE_2M - 1)) ? (size >> 21) + 2 : 3;

	return 2 + pds + pts;
}

static void place(struct slice *s, gpa_t base, uint64_t size, uint64_t pool)
{
	s->base = base;
	s->size = size;
	s->tables = size - pool;
	s->desc = s->tables - SUP_PAGES_SIZE + SUP_PAGE_DESC;
	s->traps = s->tables - SUP_PAGES_SIZE + SUP_PAGE_TRAPS;
	s->kstack = s->tables - SUP_PAGES_SIZE + SUP_PAGE_KSTACK;
	s->kstack_top = s->kstack + PAGE_SIZE_4K;
	s->user_end = s->desc;
}

/* Map one page of the slice with the given rights (PTE_USER absent: supervisor only). */
static int map_page(struct pt_builder *b, const struct slice *s, gva_t va, uint64_t rights)
{
	return pt_map(b, va, slice_gpa(s, va), PAGE_SIZE_4K, rights, PT_USE_4K);
}

int slice_build(struct phys_mem *mem, gpa_t base, uint64_t size, struct slice *s)
{
	uint64_t pool = pool_pages(base, size) * PAGE_SIZE_4K;
	struct pt_builder b;
	int err;

	if ((base | size) & (PAGE_SIZE_4K - 1) || !phys_range_ok(mem, base, size) ||
	    size < pool + SUP_PAGES_SIZE + SLICE_MIN_STACK + PAGE_SIZE_4K)
		return -EINVAL;
	place(s, base, size, pool);
	err = pt_init(&b, mem, slice_gpa(s, s->tables), base + size);
#ifndef STUB_e1 /* SOLUTION e1 (e.1): each instance's page table maps its own half */
	/* The instance's own memory: user pages, read-write, onto ITS slice only. */
	if (!err)
		err = pt_map(&b, 0, base, s->user_end, PTE_USER | PTE_WRITABLE,
			     PT_USE_4K | PT_USE_2M | PT_USE_1G);
#else
	/*
	 * e.1: this maps every instance's guest-virtual [0, user_end) onto the
	 * FIRST slice, as kvm-hello-world's one page table did: the instances
	 * then share one memory. Map each onto its own slice (base).
	 */
	if (!err)
		err = pt_map(&b, 0, 0, s->user_end, PTE_USER | PTE_WRITABLE,
			     PT_USE_4K | PT_USE_2M | PT_USE_1G);
#endif /* SOLUTION e1 */
	/* The supervisor pages: present, but no user access (U/S = 0). */
	if (!err)
		err = map_page(&b, s, s->desc, 0);
	if (!err)
		err = map_page(&b, s, s->traps, 0);
	if (!err)
		err = map_page(&b, s, s->kstack, PTE_WRITABLE);
	s->cr3 = b.root;
	s->table_pages = b.tables;
	return err;
}

void *slice_host(const struct phys_mem *mem, const struct slice *s, gva_t va, uint64_t len)
{
	if (va > s->size || len > s->size - va)
		return NULL;
	return phys_ptr(mem, slice_gpa(s, va), len);
}

uint64_t slice_max_image(const struct slice *s)
{
	return s->user_end - SLICE_MIN_STACK;
}
