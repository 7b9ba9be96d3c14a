#include "layout.h"

#include <errno.h>

/*
 * Table pages needed to map size bytes at base: a PML4 and a PDPT, a PD per
 * GiB (plus one for a range straddling a GiB line), and PTs where 2 MiB pages
 * cannot be used: the unaligned tail, or everything when base is not 2 MiB
 * aligned.
 */
static uint64_t pool_pages(gpa_t base, uint64_t size)
{
	uint64_t pds = size / PAGE_SIZE_1G + 2;
	uint64_t pts = (base & (PAGE_SIZE_2M - 1)) ? size / PAGE_SIZE_2M + 2 : 2;

	return 2 + pds + pts;
}

int layout_instance(struct phys_mem *mem, gpa_t base, uint64_t size,
		    struct instance_layout *out)
{
	struct pt_builder b;
	uint64_t pool = pool_pages(base, size) * PAGE_SIZE_4K;
	int err;

	if ((base | size) & (PAGE_SIZE_4K - 1) || !phys_range_ok(mem, base, size) ||
	    size < pool + LAYOUT_MIN_STACK + PAGE_SIZE_4K)
		return -EINVAL;
	out->base = base;
	out->size = size;
	out->tables = base + size - pool;
	out->mapped_end = size - pool;
	out->stack_top = out->mapped_end;
	err = pt_init(&b, mem, out->tables, base + size);
	if (!err)
		err = pt_map(&b, 0, base, out->mapped_end, PTE_WRITABLE,
			     PT_USE_4K | PT_USE_2M | PT_USE_1G);
	out->cr3 = b.root;
	out->table_pages = b.tables;
	return err;
}

uint64_t layout_max_image(const struct instance_layout *l)
{
	return l->mapped_end - LAYOUT_MIN_STACK;
}
