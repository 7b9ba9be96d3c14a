/*
 * Part (c), one step further, guest side: the request queue, virtio's
 * "driver" half (the ABI: common/abi/hypercall.h, "the request queue"; the
 * host: labs/lab-c/queue.c). The guest owns the descriptor table and the
 * available ring and writes them; the host writes the used ring.
 *
 *   1. describe a request: a chain of descriptors, header first (gq_request)
 *   2. make it available: its head into the available ring (gq_post)
 *   3. repeat 1-2 for as many requests as the ring holds
 *   4. notify: the new available index, then ONE port write (gq_notify);
 *      the host has finished every request when it returns
 *   5. reap: each result in the used ring, in the order posted (gq_reap)
 *
 * Addresses in the queue are guest-physical. lab-c's layout maps
 * guest-virtual [0, mapped_end) onto guest-physical [0, mapped_end), so
 * here a pointer's value is its physical address (gq_phys).
 */
#ifndef LAB_C_GUEST_QUEUE_H
#define LAB_C_GUEST_QUEUE_H

#include <stdint.h>

#include "abi/hypercall.h"
#include "rt/hypercall.h"

struct gq {
	struct hc_qdesc *desc;
	struct hc_qavail *avail;
	struct hc_qused *used;
	uint16_t size;
	uint16_t posted;     /* requests made available (avail->idx from the next notify on) */
	uint16_t reaped;     /* used entries taken */
};

/* The guest-physical address of p (identity in lab-c's layout, see above). */
static inline uint64_t gq_phys(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/*
 * Set up the queue with size entries (a power of two, at most
 * HC_QUEUE_SIZE_MAX), its areas in our own memory. 0 or -HC_Exxx.
 */
int gq_setup(struct gq *q, uint16_t size);

/*
 * A request in descriptors first and first + 1: header hdr, then the data
 * buffer [buf, buf + len) if len > 0 (host-writable for a read). The
 * header must stay in place until the request is reaped. (These small
 * calls are inline: every guest instruction is emulated here.)
 */
static inline void gq_request(struct gq *q, uint16_t first, const struct hc_qreq *hdr,
			      const void *buf, uint32_t len)
{
	struct hc_qdesc *d = &q->desc[first];

	d[0] = (struct hc_qdesc){ .addr = gq_phys(hdr), .len = sizeof(*hdr),
				  .flags = len ? HC_QDESC_F_NEXT : 0, .next = (uint16_t)(first + 1) };
	if (len)
		d[1] = (struct hc_qdesc){ .addr = gq_phys(buf), .len = len,
					  .flags = hdr->op == HC_QOP_READ ? HC_QDESC_F_WRITE : 0 };
}

/* Make the request whose chain starts at descriptor head available at the next notify. */
static inline void gq_post(struct gq *q, uint16_t head)
{
	q->avail->ring[q->posted++ & (q->size - 1)] = head;
}

/*
 * Make the next n ring entries available again as they already are: a
 * guest that keeps the same requests in the same ring positions lap after
 * lap (as cp does) writes the ring once and then only moves the index.
 */
static inline void gq_repost(struct gq *q, uint16_t n)
{
	q->posted = (uint16_t)(q->posted + n);
}

/*
 * Publish what was posted (the available index) and notify: one exit.
 * Returns how many requests the host finished, or -HC_Exxx. The ring
 * entries are written before the index (program order, and x86 keeps
 * stores in order); the OUT's memory clobber keeps the compiler from
 * moving them past it.
 */
static inline int gq_notify(struct gq *q)
{
	q->avail->idx = q->posted;
	return (int)hypercall_out(HC_PORT_QUEUE_NOTIFY, 0);
}

/* The next result in the used ring, or NULL when all are taken. */
static inline const struct hc_qused_elem *gq_reap(struct gq *q)
{
	if (q->reaped == *(volatile uint16_t *)&q->used->idx)
		return 0;
	return &q->used->ring[q->reaped++ & (q->size - 1)];
}

/* Take every result still in the used ring, unread (after an early end of a batch). */
static inline void gq_drain(struct gq *q)
{
	q->reaped = *(volatile uint16_t *)&q->used->idx;
}

/* The used entry k places after the next one to reap (without taking it). */
static inline const struct hc_qused_elem *gq_peek(const struct gq *q, uint16_t k)
{
	return &q->used->ring[(uint16_t)(q->reaped + k) & (q->size - 1)];
}

/*
 * One request on its own (descriptors 0 and 1): post, notify, reap.
 * Its result, or the notify's error.
 */
int gq_call(struct gq *q, const struct hc_qreq *hdr, const void *buf, uint32_t len);

#endif
