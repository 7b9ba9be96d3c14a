#include "guest_access.h"
#include "kvm.h"
#include "x86.h"
#include "util/clock.h"

#include <errno.h>
#include <string.h>

struct guest_view guest_view_of(struct vcpu *v)
{
	const struct kvm_sregs *s = vcpu_sregs(v);

	/* CPL is SS.DPL (and CS.DPL for ordinary code): either at 3 means user mode. */
	return (struct guest_view){ .mem = &v->vm->mem, .cr0 = s->cr0, .cr3 = s->cr3,
				    .cr4 = s->cr4, .efer = s->efer,
				    .user = s->ss.dpl == 3 || s->cs.dpl == 3,
				    .deadline = v->timer_armed ? v->deadline : 0 };
}

bool guest_view_out_of_time(const struct guest_view *g)
{
	return g->deadline > 0 && monotonic_seconds() >= g->deadline;
}

struct guest_view guest_view_long_mode(const struct phys_mem *mem, gpa_t cr3)
{
	return (struct guest_view){ .mem = mem, .cr0 = CR0_PG | CR0_WP | 1, .cr3 = cr3,
				    .cr4 = CR4_PAE, .efer = EFER_LMA };
}

/* The guest-physical address of gva, and the size of the page it lies in. */
static int to_physical(const struct guest_view *g, gva_t gva, bool write, gpa_t *gpa,
		       uint64_t *page_size)
{
	struct pt_walk w;

	if (!(g->cr0 & CR0_PG)) {
		/* No paging: virtual is physical (real mode, flat protected mode). */
		*gpa = gva;
		*page_size = PAGE_SIZE_4K;
		return 0;
	}
	/* Only 4-level long-mode paging is understood; anything else is refused. */
	if (!(g->efer & EFER_LMA) || !(g->cr4 & CR4_PAE) || (g->cr4 & CR4_LA57))
		return -EFAULT;
	if (pt_walk(g->mem, g->cr3, gva, &w) != PT_OK)
		return -EFAULT;
	/* A user-mode caller reaches only user pages, as its own accesses would. */
	if (g->user && !w.user)
		return -EFAULT;
	/* With CR0.WP clear, ring 0 may write to read-only pages, as the CPU allows;
	 * user mode never may. */
	if (write && !w.writable && (g->user || (g->cr0 & CR0_WP)))
		return -EFAULT;
	*gpa = w.gpa;
	*page_size = w.page_size;
	return 0;
}

int guest_translate(const struct guest_view *g, gva_t gva, bool write,
		    uint8_t **host, uint64_t *avail)
{
	gpa_t gpa;
	uint64_t page_size, in_page;
	int err = to_physical(g, gva, write, &gpa, &page_size);

	if (err)
		return err;
	if (gpa >= g->mem->size)
		return -EFAULT;
	in_page = page_size - (gpa & (page_size - 1));
	*host = g->mem->host + gpa;
	*avail = in_page < g->mem->size - gpa ? in_page : g->mem->size - gpa;
	return 0;
}

/* Zero or negative: a length past the top of the address space never fits. */
static bool range_wraps(gva_t gva, uint64_t len)
{
	return len && gva + len - 1 < gva;
}

int guest_iov(const struct guest_view *g, gva_t gva, uint64_t len, bool write,
	      struct iovec *iov, int max, uint64_t *covered)
{
	int n = 0;
	uint64_t done = 0;

	if (range_wraps(gva, len))
		return -EFAULT;
	while (done < len) {
		uint8_t *host;
		uint64_t avail;
		int err = guest_translate(g, gva + done, write, &host, &avail);

		if (err)
			return err;
		if (avail > len - done)
			avail = len - done;
		if (n > 0 && (uint8_t *)iov[n - 1].iov_base + iov[n - 1].iov_len == host) {
			iov[n - 1].iov_len += avail;
		} else {
			if (n == max)
				break;
			iov[n].iov_base = host;
			iov[n++].iov_len = avail;
		}
		done += avail;
	}
	*covered = done;
	return n;
}

int guest_check(const struct guest_view *g, gva_t gva, uint64_t len, bool write)
{
	struct iovec iov[8];
	uint64_t done = 0, covered;

	while (done < len) {
		int n = guest_iov(g, gva + done, len - done, write, iov, 8, &covered);

		if (n < 0)
			return n;
		done += covered;
	}
	return 0;
}

/* Copy between a host buffer and guest memory, in the direction write says. */
static int guest_copy(const struct guest_view *g, gva_t gva, uint8_t *buf, uint64_t len,
		      bool write)
{
	int err = guest_check(g, gva, len, write);

	if (err)
		return err;
	while (len) {
		uint8_t *host;
		uint64_t avail;

		guest_translate(g, gva, write, &host, &avail);
		if (avail > len)
			avail = len;
		if (write)
			memcpy(host, buf, avail);
		else
			memcpy(buf, host, avail);
		gva += avail;
		buf += avail;
		len -= avail;
	}
	return 0;
}

int guest_read(const struct guest_view *g, void *dst, gva_t src, uint64_t len)
{
	return guest_copy(g, src, dst, len, false);
}

int guest_write(const struct guest_view *g, gva_t dst, const void *src, uint64_t len)
{
	return guest_copy(g, dst, (uint8_t *)src, len, true);
}

int guest_string(const struct guest_view *g, gva_t gva, uint64_t limit,
		 struct iovec *iov, int max, uint64_t *len)
{
	int n = 0;
	uint64_t total = 0;

	for (;;) {
		uint8_t *host, *nul;
		uint64_t avail, take;
		int err = guest_translate(g, gva + total, false, &host, &avail);

		if (err)
			return err;
		nul = memchr(host, 0, avail);
		take = nul ? (uint64_t)(nul - host) : avail;
		if (take > limit - total)
			return -E2BIG;
		if (take && iov) {
			if (n > 0 && (uint8_t *)iov[n - 1].iov_base + iov[n - 1].iov_len == host)
				iov[n - 1].iov_len += take;
			else if (n == max)
				return -ENOBUFS;
			else
				iov[n++] = (struct iovec){ .iov_base = host, .iov_len = take };
		}
		total += take;
		if (nul) {
			*len = total;
			return n;
		}
		if (gva + total < gva)
			return -EFAULT; /* ran off the top of the address space */
	}
}

int guest_string_copy(const struct guest_view *g, gva_t gva, char *buf, uint64_t size)
{
	struct iovec iov[8];
	uint64_t len, off = 0;
	int n;

	if (size == 0)
		return -ENAMETOOLONG;
	n = guest_string(g, gva, size - 1, iov, (int)(sizeof(iov) / sizeof(iov[0])), &len);
	if (n == -E2BIG)
		return -ENAMETOOLONG;
	if (n < 0)
		return -EFAULT; /* unmapped, or (impossible for size <= 8 pages) too many pieces */
	for (int i = 0; i < n; i++) {
		memcpy(buf + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	buf[off] = '\0';
	return 0;
}
