#include "paging.h"

#include <errno.h>
#include <string.h>

#define ENTRIES 512

static uint64_t *table_at(const struct phys_mem *mem, gpa_t table)
{
	return phys_ptr(mem, table, PAGE_SIZE_4K);
}

static int alloc_table(struct pt_builder *b, gpa_t *out)
{
	uint64_t *t;

	if (b->pool_next >= b->pool_end || b->pool_end - b->pool_next < PAGE_SIZE_4K)
		return -ENOMEM;
	t = table_at(b->mem, b->pool_next);
	if (!t)
		return -ENOMEM;
	memset(t, 0, PAGE_SIZE_4K);
	*out = b->pool_next;
	b->pool_next += PAGE_SIZE_4K;
	b->tables++;
	return 0;
}

int pt_init(struct pt_builder *b, struct phys_mem *mem, gpa_t pool_start, gpa_t pool_end)
{
	memset(b, 0, sizeof(*b));
	b->mem = mem;
	if ((pool_start | pool_end) & (PAGE_SIZE_4K - 1) || pool_start >= pool_end ||
	    !phys_range_ok(mem, pool_start, pool_end - pool_start))
		return -EINVAL;
	b->pool_next = pool_start;
	b->pool_end = pool_end;
	return alloc_table(b, &b->root);
}

/* The table an entry points to, created when absent. */
static int next_table(struct pt_builder *b, uint64_t *entry, gpa_t *out)
{
	int err;

	if (*entry & PTE_PRESENT) {
		if (*entry & PTE_HUGE)
			return -EINVAL; /* already covered by a large page */
		*out = *entry & PTE_ADDR_MASK;
		return 0;
	}
	err = alloc_table(b, out);
	if (err)
		return err;
	/* Intermediate entries grant everything; the leaf decides the rights. */
	*entry = *out | PTE_PRESENT | PTE_WRITABLE | PTE_USER;
	return 0;
}

static int leaf_level(gva_t va, gpa_t pa, uint64_t left, unsigned sizes)
{
	if ((sizes & PT_USE_1G) && !((va | pa) & (PAGE_SIZE_1G - 1)) && left >= PAGE_SIZE_1G)
		return 3;
	if ((sizes & PT_USE_2M) && !((va | pa) & (PAGE_SIZE_2M - 1)) && left >= PAGE_SIZE_2M)
		return 2;
	return 1;
}

static int map_one(struct pt_builder *b, gva_t va, gpa_t pa, int leaf, uint64_t flags)
{
	gpa_t table = b->root;
	uint64_t *entry;
	int err;

	for (int level = 4; level > leaf; level--) {
		entry = &table_at(b->mem, table)[pt_index(va, level)];
		err = next_table(b, entry, &table);
		if (err)
			return err;
	}
	entry = &table_at(b->mem, table)[pt_index(va, leaf)];
	if (*entry & PTE_PRESENT)
		return -EINVAL; /* never silently replace a mapping */
	*entry = pa | flags | PTE_PRESENT | (leaf > 1 ? PTE_HUGE : 0);
	return 0;
}

int pt_map(struct pt_builder *b, gva_t va, gpa_t pa, uint64_t len, uint64_t flags,
	   unsigned sizes)
{
	flags &= PTE_WRITABLE | PTE_USER | PTE_NX;
	if ((va | pa | len) & (PAGE_SIZE_4K - 1) || len == 0 || !sizes)
		return -EINVAL;
	if (va + len < va || pa + len < pa || pa + len - 1 > PTE_ADDR_MASK)
		return -EINVAL;
	if (!va_is_canonical(va) || !va_is_canonical(va + len - 1) ||
	    (va >> 47) != ((va + len - 1) >> 47))
		return -EINVAL;

	while (len) {
		int leaf = leaf_level(va, pa, len, sizes);
		uint64_t step = pt_entry_span(leaf);
		int err = map_one(b, va, pa, leaf, flags);

		if (err)
			return err;
		va += step;
		pa += step;
		len -= step;
	}
	return 0;
}

enum pt_fault pt_walk(const struct phys_mem *mem, gpa_t root, gva_t va, struct pt_walk *w)
{
	gpa_t table = root & PTE_ADDR_MASK;

	memset(w, 0, sizeof(*w));
	w->writable = true;
	w->user = true;
	if (!va_is_canonical(va))
		return w->fault = PT_NONCANONICAL;

	for (int level = 4; level >= 1; level--) {
		const uint64_t *t = table_at(mem, table);
		struct pt_step *s = &w->step[w->steps];

		if (!t)
			return w->fault = PT_TABLE_OUTSIDE;
		s->level = level;
		s->index = pt_index(va, level);
		s->table = table;
		s->entry = t[s->index];
		w->steps++;

		if (!(s->entry & PTE_PRESENT))
			return w->fault = PT_NOT_PRESENT;
		if (!(s->entry & PTE_WRITABLE))
			w->writable = false;
		if (!(s->entry & PTE_USER))
			w->user = false;
		if (level == 1 || (s->entry & PTE_HUGE)) {
			uint64_t span = pt_entry_span(level);

			if (level == 4)
				return w->fault = PT_RESERVED;
			/* A huge page's base ignores the bits below its own size. */
			w->page_size = span;
			w->gpa = (s->entry & PTE_ADDR_MASK & ~(span - 1)) | (va & (span - 1));
			return w->fault = PT_OK;
		}
		table = s->entry & PTE_ADDR_MASK;
	}
	return w->fault = PT_NOT_PRESENT; /* not reached */
}

/* Enumeration state: the run being grown, flushed when the next page does not extend it. */
struct enum_state {
	const struct phys_mem *mem;
	int (*fn)(const struct pt_mapping *m, void *ctx);
	void *ctx;
	struct pt_mapping run;
	bool have_run;
	unsigned tables_left;   /* a guest can build cyclic tables: bound the work */
};

static int flush_run(struct enum_state *st)
{
	int ret = 0;

	if (st->have_run)
		ret = st->fn(&st->run, st->ctx);
	st->have_run = false;
	return ret;
}

static int add_page(struct enum_state *st, gva_t va, uint64_t entry, uint64_t size,
		    bool writable, bool user)
{
	gpa_t pa = entry & PTE_ADDR_MASK & ~(size - 1);
	struct pt_mapping *r = &st->run;
	int ret;

	if (st->have_run && r->va + r->len == va && r->pa + r->len == pa &&
	    r->page_size == size && r->writable == writable && r->user == user) {
		r->len += size;
		r->pages++;
		return 0;
	}
	ret = flush_run(st);
	if (ret)
		return ret;
	*r = (struct pt_mapping){ .va = va, .pa = pa, .len = size, .page_size = size,
				  .pages = 1, .writable = writable, .user = user };
	st->have_run = true;
	return 0;
}

/* Sign-extend bit 47 so the upper half prints as canonical addresses. */
static gva_t canonical(gva_t va)
{
	return (va & (1ull << 47)) ? va | 0xffff000000000000ull : va;
}

static int walk_table(struct enum_state *st, gpa_t table, int level, gva_t base,
		      bool writable, bool user)
{
	const uint64_t *t = table_at(st->mem, table);

	if (!t)
		return -EFAULT;
	if (st->tables_left-- == 0)
		return -ELOOP;
	for (unsigned i = 0; i < ENTRIES; i++) {
		uint64_t e = t[i];
		gva_t va = canonical(base + (uint64_t)i * pt_entry_span(level));
		bool w = writable && (e & PTE_WRITABLE);
		bool u = user && (e & PTE_USER);
		int ret;

		if (!(e & PTE_PRESENT))
			continue;
		if (level == 1 || ((e & PTE_HUGE) && level < 4))
			ret = add_page(st, va, e, pt_entry_span(level), w, u);
		else
			ret = walk_table(st, e & PTE_ADDR_MASK, level - 1, va, w, u);
		if (ret)
			return ret;
	}
	return 0;
}

int pt_for_each_mapping(const struct phys_mem *mem, gpa_t root,
			int (*fn)(const struct pt_mapping *m, void *ctx), void *ctx)
{
	struct enum_state st = { .mem = mem, .fn = fn, .ctx = ctx,
				 .tables_left = PT_ENUM_MAX_TABLES };
	int ret = walk_table(&st, root & PTE_ADDR_MASK, 4, 0, true, true);

	if (ret)
		return ret;
	return flush_run(&st);
}

const char *pt_level_name(int level)
{
	static const char *const names[] = { "?", "PT", "PD", "PDPT", "PML4" };

	return level >= 1 && level <= 4 ? names[level] : names[0];
}

const char *pt_fault_name(enum pt_fault f)
{
	switch (f) {
	case PT_OK: return "mapped";
	case PT_NONCANONICAL: return "non-canonical address";
	case PT_NOT_PRESENT: return "not mapped (an entry on the way is not present)";
	case PT_TABLE_OUTSIDE: return "page table outside guest memory";
	case PT_RESERVED: return "reserved bit set in a page-table entry";
	}
	return "unknown";
}
