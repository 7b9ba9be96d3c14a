/*
 * Guest-physical memory as the host sees it, and the three kinds of address
 * the kit deals with. They are all integers underneath; the names say which
 * address space a value lives in:
 *   gva_t  guest-virtual   (what the guest's code uses; goes through its page tables)
 *   gpa_t  guest-physical  (what the guest's page tables point at; KVM memory slot offsets)
 *   host pointers (void *, uint8_t *) are host-virtual addresses in this process.
 */
#ifndef KIT_GUEST_MEM_H
#define KIT_GUEST_MEM_H

#include <stdbool.h>
#include <stdint.h>

typedef uint64_t gva_t;
typedef uint64_t gpa_t;

/* One contiguous block of guest-physical memory [0, size) backed at host. */
struct phys_mem {
	uint8_t *host;
	uint64_t size;
};

/* true when [gpa, gpa + len) lies inside guest memory (overflow-safe). */
static inline bool phys_range_ok(const struct phys_mem *m, gpa_t gpa, uint64_t len)
{
	return gpa <= m->size && len <= m->size - gpa;
}

/* Host pointer for [gpa, gpa + len), or NULL when any byte is outside. */
static inline void *phys_ptr(const struct phys_mem *m, gpa_t gpa, uint64_t len)
{
	return phys_range_ok(m, gpa, len) ? m->host + gpa : 0;
}

#endif
