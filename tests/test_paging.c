/* Page-table builder and walker, over an ordinary buffer: no KVM needed. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kvm/paging.h"

#define MEM (8ull << 20)

struct fixture {
	struct phys_mem mem;
	struct pt_builder b;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->mem.size = MEM;
	f->mem.host = calloc(1, MEM);
	/* Tables from the top 64 KiB. */
	assert_int_equal(pt_init(&f->b, &f->mem, MEM - 0x10000, MEM), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->mem.host);
	free(f);
	return 0;
}

static void test_hello_world_layout(void **state)
{
	struct phys_mem mem = { .host = calloc(1, 2 << 20), .size = 2 << 20 };
	struct pt_builder b;
	struct pt_walk w;
	uint64_t *pml4, *pdpt, *pd;

	(void)state;
	assert_int_equal(pt_init(&b, &mem, 0x2000, 0x5000), 0);
	assert_int_equal(pt_map(&b, 0, 0, 2 << 20, PTE_WRITABLE | PTE_USER, PT_USE_2M), 0);
	assert_int_equal(b.root, 0x2000);
	assert_int_equal(b.tables, 3);
	pml4 = (uint64_t *)(mem.host + 0x2000);
	pdpt = (uint64_t *)(mem.host + 0x3000);
	pd = (uint64_t *)(mem.host + 0x4000);
	assert_int_equal(pml4[0], 0x3000 | PTE_PRESENT | PTE_WRITABLE | PTE_USER);
	assert_int_equal(pdpt[0], 0x4000 | PTE_PRESENT | PTE_WRITABLE | PTE_USER);
	assert_int_equal(pd[0], 0x0 | PTE_PRESENT | PTE_WRITABLE | PTE_USER | PTE_HUGE);
	assert_int_equal(pd[1], 0);

	assert_int_equal(pt_walk(&mem, 0x2000, 0x400, &w), PT_OK);
	assert_int_equal(w.steps, 3);
	assert_int_equal(w.gpa, 0x400);
	assert_int_equal(w.page_size, PAGE_SIZE_2M);
	assert_int_equal(w.step[2].index, 0);
	assert_int_equal(pt_walk(&mem, 0x2000, 0x200000, &w), PT_NOT_PRESENT);
	assert_int_equal(w.step[2].index, 1);
	free(mem.host);
}

static void test_4k_pages_and_offsets(void **state)
{
	struct fixture *f = *state;
	struct pt_walk w;

	assert_int_equal(pt_map(&f->b, 0x400000, 0x123000, 0x3000, PTE_WRITABLE, PT_USE_4K), 0);
	assert_int_equal(pt_walk(&f->mem, f->b.root, 0x401abc, &w), PT_OK);
	assert_int_equal(w.gpa, 0x124abc);
	assert_int_equal(w.page_size, PAGE_SIZE_4K);
	assert_int_equal(w.steps, 4);
	assert_int_equal(w.step[3].index, 1);
	assert_true(w.writable);
	assert_int_equal(pt_walk(&f->mem, f->b.root, 0x403000, &w), PT_NOT_PRESENT);
	assert_int_equal(pt_walk(&f->mem, f->b.root, 0x3ff000, &w), PT_NOT_PRESENT);
}

static void test_largest_page_chosen(void **state)
{
	struct fixture *f = *state;
	struct pt_walk w;

	/* 4 KiB up to the 2 MiB line, a 2 MiB page, then 4 KiB again. */
	assert_int_equal(pt_map(&f->b, 0x1ff000, 0x1ff000, 0x202000, 0,
				PT_USE_4K | PT_USE_2M), 0);
	assert_int_equal(pt_walk(&f->mem, f->b.root, 0x1ff000, &w), PT_OK);
	assert_int_equal(w.page_size, PAGE_SIZE_4K);
	assert_int_equal(pt_walk(&f->mem, f->b.root, 0x300000, &w), PT_OK);
	assert_int_equal(w.page_size, PAGE_SIZE_2M);
	assert_int_equal(w.gpa, 0x300000);
	assert_int_equal(pt_walk(&f->mem, f->b.root, 0x400fff, &w), PT_OK);
	assert_int_equal(w.page_size, PAGE_SIZE_4K);
	assert_false(w.writable);
}

static void test_1g_page(void **state)
{
	struct fixture *f = *state;
	struct pt_walk w;

	assert_int_equal(pt_map(&f->b, 0x40000000, 0, PAGE_SIZE_1G, PTE_WRITABLE, PT_USE_1G), 0);
	assert_int_equal(pt_walk(&f->mem, f->b.root, 0x40000000 + 0x12345678, &w), PT_OK);
	assert_int_equal(w.page_size, PAGE_SIZE_1G);
	assert_int_equal(w.steps, 2);
	assert_int_equal(w.gpa, 0x12345678);
}

static void test_bad_requests(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(pt_map(&f->b, 0x1001, 0, 0x1000, 0, PT_USE_4K), -EINVAL);
	assert_int_equal(pt_map(&f->b, 0, 0x10, 0x1000, 0, PT_USE_4K), -EINVAL);
	assert_int_equal(pt_map(&f->b, 0, 0, 0, 0, PT_USE_4K), -EINVAL);
	assert_int_equal(pt_map(&f->b, 0, 0, 0x1000, 0, 0), -EINVAL);
	/* Non-canonical, and a range that crosses the canonical hole. */
	assert_int_equal(pt_map(&f->b, 0x0000800000000000ull, 0, 0x1000, 0, PT_USE_4K), -EINVAL);
	assert_int_equal(pt_map(&f->b, 0x00007ffffffff000ull, 0, 0x2000, 0, PT_USE_4K), -EINVAL);
	/* Wrapping. */
	assert_int_equal(pt_map(&f->b, 0xfffffffffffff000ull, 0, 0x2000, 0, PT_USE_4K), -EINVAL);
	/* Mapping twice is refused, not silently replaced. */
	assert_int_equal(pt_map(&f->b, 0x5000, 0x5000, 0x1000, 0, PT_USE_4K), 0);
	assert_int_equal(pt_map(&f->b, 0x5000, 0x6000, 0x1000, 0, PT_USE_4K), -EINVAL);
	/* Pools outside memory or unaligned. */
	assert_int_equal(pt_init(&f->b, &f->mem, MEM, MEM + 0x1000), -EINVAL);
	assert_int_equal(pt_init(&f->b, &f->mem, 0x100, 0x2000), -EINVAL);
}

static void test_pool_exhaustion(void **state)
{
	struct fixture *f = *state;
	struct pt_builder b;

	(void)state;
	assert_int_equal(pt_init(&b, &f->mem, 0, 0x2000), 0); /* PML4 + one more page */
	assert_int_equal(pt_map(&b, 0, 0, 0x1000, 0, PT_USE_4K), -ENOMEM);
}

static void test_walk_hostile_tables(void **state)
{
	struct fixture *f = *state;
	uint64_t *pml4 = (uint64_t *)(f->mem.host + f->b.root);
	struct pt_walk w;

	/* An entry pointing past the end of memory. */
	pml4[0] = (MEM + 0x1000) | PTE_PRESENT;
	assert_int_equal(pt_walk(&f->mem, f->b.root, 0x1000, &w), PT_TABLE_OUTSIDE);
	/* PS in a PML4 entry is reserved. */
	pml4[0] = 0x1000 | PTE_PRESENT | PTE_HUGE;
	assert_int_equal(pt_walk(&f->mem, f->b.root, 0x1000, &w), PT_RESERVED);
	/* A CR3 outside memory. */
	assert_int_equal(pt_walk(&f->mem, MEM, 0x1000, &w), PT_TABLE_OUTSIDE);
	/* Non-canonical. */
	assert_int_equal(pt_walk(&f->mem, f->b.root, 0x0000800000000000ull, &w), PT_NONCANONICAL);
	/* A self-referencing table is walked, not looped on: 4 steps at most. */
	pml4[0] = f->b.root | PTE_PRESENT;
	assert_int_equal(pt_walk(&f->mem, f->b.root, 0x10, &w), PT_OK);
	assert_int_equal(w.steps, 4);
	assert_int_equal(w.gpa, f->b.root + 0x10);
}

struct collected {
	struct pt_mapping m[8];
	int n;
};

static int collect(const struct pt_mapping *m, void *ctx)
{
	struct collected *c = ctx;

	if (c->n < 8)
		c->m[c->n] = *m;
	c->n++;
	return 0;
}

static void test_enumerate_merges_runs(void **state)
{
	struct fixture *f = *state;
	struct collected c = { 0 };

	assert_int_equal(pt_map(&f->b, 0, 0x100000, 0x4000, PTE_WRITABLE, PT_USE_4K), 0);
	assert_int_equal(pt_map(&f->b, 0x4000, 0x200000, 0x1000, PTE_WRITABLE, PT_USE_4K), 0);
	assert_int_equal(pt_map(&f->b, 0xffff800000000000ull, 0, 0x1000, 0, PT_USE_4K), 0);
	assert_int_equal(pt_for_each_mapping(&f->mem, f->b.root, collect, &c), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.m[0].va, 0);
	assert_int_equal(c.m[0].len, 0x4000);
	assert_int_equal(c.m[0].pages, 4);
	assert_int_equal(c.m[1].pa, 0x200000);
	assert_int_equal(c.m[2].va, 0xffff800000000000ull);
	assert_false(c.m[2].writable);
}

static void test_enumerate_cycles_bounded(void **state)
{
	struct fixture *f = *state;
	uint64_t *pml4 = (uint64_t *)(f->mem.host + f->b.root);
	struct collected c = { 0 };

	/* Every PML4 entry points back at the PML4: an exponential tree if unbounded. */
	for (int i = 0; i < 512; i++)
		pml4[i] = f->b.root | PTE_PRESENT;
	assert_int_equal(pt_for_each_mapping(&f->mem, f->b.root, collect, &c), -ELOOP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_world_layout),
		cmocka_unit_test_setup_teardown(test_4k_pages_and_offsets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_largest_page_chosen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_1g_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_exhaustion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_hostile_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enumerate_merges_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enumerate_cycles_bounded, setup, teardown),
	};

	return cmocka_run_group_tests_name("paging", tests, NULL, NULL);
}
