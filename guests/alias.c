/*
 * A guest that makes print() as costly as it can, to show the hypervisor's
 * work per call is bounded (common/abi/hypercall.h, "Limits").
 *
 *   alias huge    Build page tables of our own in which every virtual page
 *                 from 1 GiB up to 128 TiB (the whole lower half of the
 *                 address space but our first GiB) maps onto ONE physical
 *                 page full of 'x', load them, and print() the string at
 *                 1 GiB: it has no NUL for 127.9 TiB of address space.
 *                 The host must answer -HC_E2BIG after the guest's memory
 *                 size, not walk it all. Returns 0 if it did.
 *   alias long=N  print() one ordinary string of N bytes (for a stdout pipe
 *                 nobody reads: the run's --timeout must still end it).
 * Runs at CPL 0 in the kit's standard layout: `./lab-b --guest
 * build/guests/alias.bin --message huge`, and tests/test_bounds.c.
 */
#include "abi/hypercall.h"
#include "rt/hypercall.h"
#include "rt/print.h"
#include "rt/string.h"

#define PAGE 4096
#define PTE_PRESENT 1ull
#define PTE_WRITABLE 2ull
#define PTE_HUGE (1ull << 7)
#define ALIAS_VA (1ull << 30) /* 1 GiB: below 4 GiB, as print()'s 32-bit argument must be */

static uint64_t pml4[512] __attribute__((aligned(PAGE)));
static uint64_t low_pdpt[512] __attribute__((aligned(PAGE)));
static uint64_t low_pd[512] __attribute__((aligned(PAGE)));
static uint64_t alias_pdpt[512] __attribute__((aligned(PAGE)));
static uint64_t alias_pd[512] __attribute__((aligned(PAGE)));
static uint64_t alias_pt[512] __attribute__((aligned(PAGE)));
static char xs[PAGE] __attribute__((aligned(PAGE)));

extern char __guest_end[];

/* Our code and data are identity-mapped in the first GiB (the kit's layout, base 0). */
static uint64_t phys(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static void build_alias_tables(void)
{
	const uint64_t rw = PTE_PRESENT | PTE_WRITABLE;

	for (int i = 0; i < 512; i++) {
		low_pd[i] = ((uint64_t)i << 21) | rw | PTE_HUGE; /* 0-1 GiB, 2 MiB pages */
		alias_pt[i] = phys(xs) | rw;
		alias_pd[i] = phys(alias_pt) | rw;
		alias_pdpt[i] = phys(alias_pd) | rw;
	}
	low_pdpt[0] = phys(low_pd) | rw;
	for (int i = 1; i < 512; i++)
		low_pdpt[i] = phys(alias_pd) | rw; /* 1-512 GiB */
	pml4[0] = phys(low_pdpt) | rw;
	for (int i = 1; i < 256; i++)
		pml4[i] = phys(alias_pdpt) | rw;
	memset(xs, 'x', sizeof(xs));
	asm volatile("mov %0, %%cr3" : : "r"(phys(pml4)) : "memory");
}

/* The guest's print(), raw: this guest tests the host, not a lab's guest functions. */
static int64_t raw_print(uint64_t str)
{
	return hypercall_out(HC_PORT_PRINT, (uint32_t)str);
}

static int huge(void)
{
	int64_t r;

	build_alias_tables();
	r = raw_print(ALIAS_VA);
	printf("alias: print() of a string with no NUL in 127.9 TiB of aliased pages = %ld\n",
	       (long)r);
	return r == -HC_E2BIG ? 0 : 1;
}

static int long_string(uint32_t n)
{
	char *s = (char *)(((uintptr_t)__guest_end + PAGE - 1) & ~(uintptr_t)(PAGE - 1));

	memset(s, 'y', n);
	s[n] = '\0';
	return raw_print(phys(s)) == (int64_t)n ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "huge"))
		return huge();
	if (argc == 2 && !memcmp(argv[1], "long=", 5))
		return long_string(parse_u32(argv[1] + 5));
	return 2;
}
