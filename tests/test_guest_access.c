/*
 * Guest-virtual access through page tables: ranges crossing pages, past the
 * end of memory, unmapped, read-only, wrapping values. No KVM needed: the
 * view is built over an ordinary buffer with the kit's page-table builder.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kvm/guest_access.h"
#include "lab/layout.h"

#define MEM (2ull << 20)

/*
 * Guest-virtual layout used by most tests:
 *   0x0000-0x3fff  -> gpa 0x10000 (4 pages, read/write)
 *   0x4000-0x4fff  -> gpa 0x30000 (read/write, not contiguous with the above)
 *   0x5000-0x5fff  unmapped
 *   0x6000-0x6fff  -> gpa 0x40000 read-only
 *   0x7000-0x7fff  -> gpa MEM - 0x1000 (the last page of memory)
 *   0x8000-0x8fff  -> gpa MEM (past the end: mapped, but not RAM)
 *   0x9000-0x9fff  -> gpa 0x50000 read/write, user (U/S set)
 *   0xa000-0xafff  -> gpa 0x60000 read-only, user
 */
struct fixture {
	struct phys_mem mem;
	struct guest_view g;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct pt_builder b;

	f->mem = (struct phys_mem){ .host = calloc(1, MEM), .size = MEM };
	assert_int_equal(pt_init(&b, &f->mem, 0x100000, 0x110000), 0);
	assert_int_equal(pt_map(&b, 0x0, 0x10000, 0x4000, PTE_WRITABLE, PT_USE_4K), 0);
	assert_int_equal(pt_map(&b, 0x4000, 0x30000, 0x1000, PTE_WRITABLE, PT_USE_4K), 0);
	assert_int_equal(pt_map(&b, 0x6000, 0x40000, 0x1000, 0, PT_USE_4K), 0);
	assert_int_equal(pt_map(&b, 0x7000, MEM - 0x1000, 0x1000, PTE_WRITABLE, PT_USE_4K), 0);
	assert_int_equal(pt_map(&b, 0x8000, MEM, 0x1000, PTE_WRITABLE, PT_USE_4K), 0);
	assert_int_equal(pt_map(&b, 0x9000, 0x50000, 0x1000, PTE_WRITABLE | PTE_USER, PT_USE_4K), 0);
	assert_int_equal(pt_map(&b, 0xa000, 0x60000, 0x1000, PTE_USER, PT_USE_4K), 0);
	f->g = guest_view_long_mode(&f->mem, b.root);
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

/*
 * A caller at CPL 3 (lab-e's instances) reaches only user pages, and never
 * writes a read-only one: a hypercall must not do for a user-mode guest what
 * its own instructions could not (write its IDT, say, through read()).
 */
static void test_user_mode_reaches_only_user_pages(void **state)
{
	struct fixture *f = *state;
	struct guest_view user = f->g;
	uint8_t buf[16] = { 0 };

	user.user = true;
	assert_int_equal(guest_check(&user, 0x9000, 0x1000, true), 0);
	assert_int_equal(guest_write(&user, 0x9ff8, buf, 8), 0);
	assert_int_equal(guest_check(&user, 0xa000, 16, false), 0);
	assert_int_equal(guest_check(&user, 0xa000, 16, true), -EFAULT);
	assert_int_equal(guest_check(&user, 0x0, 16, false), -EFAULT);        /* supervisor page */
	assert_int_equal(guest_check(&user, 0x8ff8, 16, false), -EFAULT);     /* starts on one */
	assert_int_equal(guest_read(&user, buf, 0x9ff8, 16), 0);              /* user RW, then user RO */
	assert_int_equal(guest_write(&user, 0x9ff8, buf, 16), -EFAULT);      /* ... not writable */
	/* At CPL 0 the supervisor page is fine; the read-only one stays so (CR0.WP). */
	assert_int_equal(guest_check(&f->g, 0x0, 16, true), 0);
	assert_int_equal(guest_check(&f->g, 0xa000, 16, true), -EFAULT);
}

static void test_translate_reports_page_remainder(void **state)
{
	struct fixture *f = *state;
	uint8_t *host;
	uint64_t avail;

	assert_int_equal(guest_translate(&f->g, 0x1ff0, false, &host, &avail), 0);
	assert_ptr_equal(host, f->mem.host + 0x11ff0);
	assert_int_equal(avail, 0x10);
	assert_int_equal(guest_translate(&f->g, 0x5000, false, &host, &avail), -EFAULT);
	assert_int_equal(guest_translate(&f->g, 0x8000, false, &host, &avail), -EFAULT);
}

static void test_iov_merges_contiguous_pages(void **state)
{
	struct fixture *f = *state;
	struct iovec iov[4];
	uint64_t covered;

	/* 0x0ff8..0x4007: three contiguous host pieces merge, the fourth page does not. */
	assert_int_equal(guest_iov(&f->g, 0xff8, 0x3010, false, iov, 4, &covered), 2);
	assert_int_equal(covered, 0x3010);
	assert_ptr_equal(iov[0].iov_base, f->mem.host + 0x10ff8);
	assert_int_equal(iov[0].iov_len, 0x3008);
	assert_ptr_equal(iov[1].iov_base, f->mem.host + 0x30000);
	assert_int_equal(iov[1].iov_len, 8);
	/* With room for one piece only, it stops there and says how far it got. */
	assert_int_equal(guest_iov(&f->g, 0xff8, 0x3010, false, iov, 1, &covered), 1);
	assert_int_equal(covered, 0x3008);
}

static void test_ranges_that_fault(void **state)
{
	struct fixture *f = *state;
	struct iovec iov[4];
	uint64_t covered;

	/* Runs into the unmapped page by one byte. */
	assert_int_equal(guest_check(&f->g, 0x4000, 0x1001, false), -EFAULT);
	assert_int_equal(guest_check(&f->g, 0x4000, 0x1000, false), 0);
	/* Last byte of memory is fine; one more is past the end. */
	assert_int_equal(guest_check(&f->g, 0x7fff, 1, true), 0);
	assert_int_equal(guest_check(&f->g, 0x7fff, 2, true), -EFAULT);
	/* Wrapping lengths and addresses. */
	assert_int_equal(guest_check(&f->g, 0x10, UINT64_MAX, false), -EFAULT);
	assert_int_equal(guest_check(&f->g, UINT64_MAX, 2, false), -EFAULT);
	assert_int_equal(guest_iov(&f->g, 0x10, UINT64_MAX - 8, false, iov, 4, &covered), -EFAULT);
	/* Non-canonical. */
	assert_int_equal(guest_check(&f->g, 0x0000800000000000ull, 1, false), -EFAULT);
	/* Zero bytes anywhere are fine: nothing is touched. */
	assert_int_equal(guest_check(&f->g, 0x5000, 0, true), 0);
}

static void test_write_permission(void **state)
{
	struct fixture *f = *state;
	uint8_t byte = 7;

	assert_int_equal(guest_check(&f->g, 0x6000, 1, false), 0);
	assert_int_equal(guest_write(&f->g, 0x6000, &byte, 1), -EFAULT);
	assert_int_equal(f->mem.host[0x40000], 0);
	/* With CR0.WP clear, ring 0 may write to read-only pages, as on the CPU. */
	f->g.cr0 &= ~(1ull << 16);
	assert_int_equal(guest_write(&f->g, 0x6000, &byte, 1), 0);
	assert_int_equal(f->mem.host[0x40000], 7);
}

static void test_copy_across_pages(void **state)
{
	struct fixture *f = *state;
	char out[16] = { 0 };

	assert_int_equal(guest_write(&f->g, 0x3ffa, "hello, pages", 12), 0);
	assert_memory_equal(f->mem.host + 0x13ffa, "hello,", 6);
	assert_memory_equal(f->mem.host + 0x30000, " pages", 6);
	assert_int_equal(guest_read(&f->g, out, 0x3ffa, 12), 0);
	assert_string_equal(out, "hello, pages");
	/* A failing copy writes nothing, not a prefix. */
	memset(f->mem.host + 0x30000, 0, 0x1000);
	assert_int_equal(guest_write(&f->g, 0x4ffe, "abcd", 4), -EFAULT);
	assert_int_equal(f->mem.host[0x30ffe], 0);
}

static void test_strings(void **state)
{
	struct fixture *f = *state;
	struct iovec iov[4];
	uint64_t len;
	char buf[64];

	/* A string across the non-contiguous page boundary: two pieces. */
	memcpy(f->mem.host + 0x13ffc, "abcd", 4);
	memcpy(f->mem.host + 0x30000, "efg", 4);
	assert_int_equal(guest_string(&f->g, 0x3ffc, 1000, iov, 4, &len), 2);
	assert_int_equal(len, 7);
	assert_int_equal(guest_string_copy(&f->g, 0x3ffc, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "abcdefg");
	/* Too long for the limit or the buffer. */
	assert_int_equal(guest_string(&f->g, 0x3ffc, 6, iov, 4, &len), -E2BIG);
	assert_int_equal(guest_string_copy(&f->g, 0x3ffc, buf, 7), -ENAMETOOLONG);
	/* The empty string. */
	assert_int_equal(guest_string(&f->g, 0x2000, 10, iov, 4, &len), 0);
	assert_int_equal(len, 0);
	/* No NUL before an unmapped page, or before the end of memory. */
	memset(f->mem.host + 0x30000, 'x', 0x1000);
	assert_int_equal(guest_string(&f->g, 0x4000, UINT64_MAX, iov, 4, &len), -EFAULT);
	memset(f->mem.host + MEM - 0x1000, 'y', 0x1000);
	assert_int_equal(guest_string(&f->g, 0x7000, UINT64_MAX, iov, 4, &len), -EFAULT);
	/* An unmapped start. */
	assert_int_equal(guest_string(&f->g, 0x5000, 10, iov, 4, &len), -EFAULT);
}

static void test_no_paging_and_unknown_modes(void **state)
{
	struct fixture *f = *state;
	struct guest_view flat = { .mem = &f->mem };
	struct guest_view pae32 = f->g;
	uint8_t *host;
	uint64_t avail;

	/* Paging off: virtual is physical, bounded by memory. */
	assert_int_equal(guest_translate(&flat, 0x1234, false, &host, &avail), 0);
	assert_ptr_equal(host, f->mem.host + 0x1234);
	assert_int_equal(guest_check(&flat, MEM - 1, 1, false), 0);
	assert_int_equal(guest_check(&flat, MEM - 1, 2, false), -EFAULT);
	/* Paging without long mode is not understood: refused, not guessed. */
	pae32.efer = 0;
	assert_int_equal(guest_translate(&pae32, 0x1000, false, &host, &avail), -EFAULT);
}

static void test_standard_layout(void **state)
{
	struct phys_mem mem = { .host = calloc(1, 4 << 20), .size = 4 << 20 };
	struct instance_layout l0, l1;
	struct guest_view g;
	uint8_t *host;
	uint64_t avail;

	(void)state;
	assert_int_equal(layout_instance(&mem, 0, 2 << 20, &l0), 0);
	assert_int_equal(layout_instance(&mem, 2 << 20, 2 << 20, &l1), 0);
	assert_true(l0.mapped_end < (2 << 20));
	assert_int_equal(l0.stack_top, l0.mapped_end);
	/* Same guest-virtual address, each instance's own half. */
	g = guest_view_long_mode(&mem, l1.cr3);
	assert_int_equal(guest_translate(&g, 0x400, false, &host, &avail), 0);
	assert_ptr_equal(host, mem.host + (2 << 20) + 0x400);
	g = guest_view_long_mode(&mem, l0.cr3);
	assert_int_equal(guest_translate(&g, 0x400, false, &host, &avail), 0);
	assert_ptr_equal(host, mem.host + 0x400);
	/* The tables themselves and everything above the mapping are unreachable. */
	assert_int_equal(guest_check(&g, l0.mapped_end - 1, 1, true), 0);
	assert_int_equal(guest_check(&g, l0.mapped_end, 1, false), -EFAULT);
	assert_int_equal(guest_check(&g, l0.tables, 1, false), -EFAULT);
	/* An unaligned base still works (every page 4 KiB). */
	assert_int_equal(layout_instance(&mem, 0x101000, 0x100000, &l1), 0);
	g = guest_view_long_mode(&mem, l1.cr3);
	assert_int_equal(guest_translate(&g, 0, false, &host, &avail), 0);
	assert_ptr_equal(host, mem.host + 0x101000);
	assert_int_equal(layout_instance(&mem, 0, 0x1000, &l1), -EINVAL);
	assert_int_equal(layout_instance(&mem, 4 << 20, 0x100000, &l1), -EINVAL);
	free(mem.host);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_user_mode_reaches_only_user_pages),
		T(test_translate_reports_page_remainder),
		T(test_iov_merges_contiguous_pages),
		T(test_ranges_that_fault),
		T(test_write_permission),
		T(test_copy_across_pages),
		T(test_strings),
		T(test_no_paging_and_unknown_modes),
		cmocka_unit_test(test_standard_layout),
	};

	return cmocka_run_group_tests_name("guest_access", tests, NULL, NULL);
}
