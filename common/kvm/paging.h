/*
 * x86-64 4-level page tables: build them in guest memory, walk them the way
 * the MMU does, and describe what they map. Pure code: no KVM needed, so the
 * unit tests drive it over an ordinary buffer.
 *
 * Levels are numbered as the SDM does: 4 = PML4, 3 = PDPT, 2 = PD, 1 = PT.
 * Each table is one 4 KiB page of 512 eight-byte entries; a virtual address
 * selects entry (va >> (12 + 9 * (level - 1))) & 511 at each level.
 */
#ifndef KIT_PAGING_H
#define KIT_PAGING_H

#include "guest_mem.h"

#define PTE_PRESENT   (1ull << 0)
#define PTE_WRITABLE  (1ull << 1)
#define PTE_USER      (1ull << 2)
#define PTE_ACCESSED  (1ull << 5)
#define PTE_DIRTY     (1ull << 6)
#define PTE_HUGE      (1ull << 7)   /* PS: this entry maps a 2 MiB / 1 GiB page */
#define PTE_NX        (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

#define PAGE_SIZE_4K  0x1000ull
#define PAGE_SIZE_2M  0x200000ull
#define PAGE_SIZE_1G  0x40000000ull

/* Which page sizes pt_map() may use. */
enum pt_sizes {
	PT_USE_4K = 1 << 0,
	PT_USE_2M = 1 << 1,
	PT_USE_1G = 1 << 2,
};

/* Builder state: tables come one page at a time from a pool of guest pages. */
struct pt_builder {
	struct phys_mem *mem;
	gpa_t root;        /* guest-physical address of the PML4: the CR3 value */
	gpa_t pool_next;   /* next free table page */
	gpa_t pool_end;    /* end of the pool (exclusive) */
	unsigned tables;   /* table pages used so far, the PML4 included */
};

/* Take the PML4 from the pool. 0, or -EINVAL (pool unaligned or outside memory). */
int pt_init(struct pt_builder *b, struct phys_mem *mem, gpa_t pool_start, gpa_t pool_end);

/*
 * Map [va, va + len) to [pa, pa + len) with the given PTE_* permission bits
 * (PTE_PRESENT is implied), using the largest allowed page size that the
 * alignment permits at each step. All of va, pa and len must be 4 KiB
 * aligned and va canonical. Returns 0, -EINVAL (alignment, overflow, a range
 * already mapped by a huge page) or -ENOMEM (pool exhausted).
 */
int pt_map(struct pt_builder *b, gva_t va, gpa_t pa, uint64_t len, uint64_t flags,
	   unsigned sizes);

/* Why a walk stopped. */
enum pt_fault {
	PT_OK = 0,
	PT_NONCANONICAL,      /* bits 63..48 are not copies of bit 47 */
	PT_NOT_PRESENT,       /* an entry on the way has P = 0 */
	PT_TABLE_OUTSIDE,     /* an entry points at a table outside guest memory */
	PT_RESERVED,          /* PS set where the architecture forbids it (PML4) */
};

struct pt_step {
	int level;            /* 4..1 */
	unsigned index;       /* 0..511 */
	gpa_t table;          /* guest-physical address of the table */
	uint64_t entry;       /* the entry's value */
};

struct pt_walk {
	struct pt_step step[4];
	int steps;            /* how many levels were visited */
	enum pt_fault fault;
	gpa_t gpa;            /* the translation (valid when fault == PT_OK) */
	uint64_t page_size;   /* 4 KiB, 2 MiB or 1 GiB */
	bool writable;        /* R/W set at every level */
	bool user;            /* U/S set at every level: CPL 3 may use the page */
};

/* Translate va through the tables rooted at root (a CR3 value). */
enum pt_fault pt_walk(const struct phys_mem *mem, gpa_t root, gva_t va, struct pt_walk *w);

/* One run of virtually and physically contiguous pages with equal rights. */
struct pt_mapping {
	gva_t va;
	gpa_t pa;
	uint64_t len;
	uint64_t page_size;   /* of the pages in this run */
	uint64_t pages;       /* how many */
	bool writable;
	bool user;
};

/* pt_for_each_mapping() gives up with -ELOOP after visiting this many tables. */
#define PT_ENUM_MAX_TABLES 4096

/*
 * Call fn for each run of what the tables map, in virtual-address order.
 * Stops early when fn returns non-zero and returns that value; returns
 * -EFAULT if a table lies outside guest memory, -ELOOP past PT_ENUM_MAX_TABLES
 * tables (a guest may link its tables into cycles).
 */
int pt_for_each_mapping(const struct phys_mem *mem, gpa_t root,
			int (*fn)(const struct pt_mapping *m, void *ctx), void *ctx);

/* Index of va at a level (4..1). */
static inline unsigned pt_index(gva_t va, int level)
{
	return (unsigned)(va >> (12 + 9 * (level - 1))) & 511;
}

/* Bytes one entry covers at a level: 4 KiB, 2 MiB, 1 GiB, 512 GiB. */
static inline uint64_t pt_entry_span(int level)
{
	return 1ull << (12 + 9 * (level - 1));
}

static inline bool va_is_canonical(gva_t va)
{
	uint64_t top = va >> 47;

	return top == 0 || top == 0x1ffff;
}

const char *pt_level_name(int level);
const char *pt_fault_name(enum pt_fault f);

#endif
