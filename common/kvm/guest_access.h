/*
 * Reaching guest memory through a guest-virtual address, the way the guest
 * itself would: through the calling vCPU's own page tables (its CR3), page
 * by page, checking every byte. A range may cross pages, a page may be
 * unmapped or read-only, an address may lie past the end of guest memory:
 * each of these is -EFAULT, and nothing outside guest memory is ever touched.
 *
 * The core works on a guest_view (memory + control registers) so the unit
 * tests drive it without KVM; guest_view_of() takes the view of a vCPU.
 */
#ifndef KIT_GUEST_ACCESS_H
#define KIT_GUEST_ACCESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "guest_mem.h"
#include "paging.h"

struct vcpu;

struct guest_view {
	const struct phys_mem *mem;
	uint64_t cr0, cr3, cr4, efer;
	bool user;          /* the caller runs at CPL 3: only user pages (U/S) are reachable */
	double deadline;    /* CLOCK_MONOTONIC seconds when the run's --timeout passes; 0: none */
};

/* The view of the vCPU's state at its current exit (registers, CPL, timeout). */
struct guest_view guest_view_of(struct vcpu *v);

/*
 * Has the caller's --timeout passed? Handlers whose work can be long (a
 * write to a pipe nobody reads) check it between pieces and stop early;
 * the run loop then ends the run as timed out.
 */
bool guest_view_out_of_time(const struct guest_view *g);

/* A view with paging in 4-level long mode rooted at cr3 (for tests and tools). */
struct guest_view guest_view_long_mode(const struct phys_mem *mem, gpa_t cr3);

/*
 * Translate the byte at gva: its host address and how many bytes from there
 * on are contiguous in the same page and inside guest memory. 0 or -EFAULT.
 */
int guest_translate(const struct guest_view *g, gva_t gva, bool write,
		    uint8_t **host, uint64_t *avail);

/* 0 when every byte of [gva, gva + len) is reachable (writable if write). */
int guest_check(const struct guest_view *g, gva_t gva, uint64_t len, bool write);

/*
 * Fill iov with the host pieces of [gva, gva + len), merging pieces that
 * are contiguous in host memory, at most max of them. Returns the number
 * of pieces and stores the bytes they cover (less than len when max ran
 * out; call again from gva + covered). -EFAULT on the first bad byte.
 */
int guest_iov(const struct guest_view *g, gva_t gva, uint64_t len, bool write,
	      struct iovec *iov, int max, uint64_t *covered);

int guest_read(const struct guest_view *g, void *dst, gva_t src, uint64_t len);
int guest_write(const struct guest_view *g, gva_t dst, const void *src, uint64_t len);

/*
 * A NUL-terminated guest string, at most limit bytes before its NUL: its
 * host pieces (as guest_iov) and its length without the NUL. -EFAULT if it
 * runs into an unmapped page or the end of memory before a NUL, -E2BIG if
 * it is longer than limit, -ENOBUFS if it needs more than max pieces. With
 * iov NULL it only measures the string. Its work is bounded by limit.
 */
int guest_string(const struct guest_view *g, gva_t gva, uint64_t limit,
		 struct iovec *iov, int max, uint64_t *len);

/* A guest string copied into buf (NUL-terminated); -ENAMETOOLONG if it does not fit. */
int guest_string_copy(const struct guest_view *g, gva_t gva, char *buf, uint64_t size);

#endif
