/*
 * Part (c), one step further, guest side: the request queue (guest_queue.h;
 * its small calls are inline there). The three areas live in our bss,
 * sized for the largest queue; a smaller queue uses the start of each.
 */
#include "guest_queue.h"

#include "rt/hypercall.h"

#define AREA_BYTES (HC_QDESC_BYTES(HC_QUEUE_SIZE_MAX) + HC_QAVAIL_BYTES(HC_QUEUE_SIZE_MAX) + \
		    HC_QUSED_BYTES(HC_QUEUE_SIZE_MAX) + 4)

/* Zero, as the host expects a fresh ring (bss is zeroed guest RAM). */
static uint8_t areas[AREA_BYTES] __attribute__((aligned(4096)));

int gq_setup(struct gq *q, uint16_t size)
{
	uint32_t avail_at = HC_QDESC_BYTES(size);
	uint32_t used_at = (avail_at + HC_QAVAIL_BYTES(size) + 3) & ~3u;
	struct hc_qsetup s = { .desc = gq_phys(areas), .avail = gq_phys(areas + avail_at),
			       .used = gq_phys(areas + used_at), .size = size };

	q->desc = (struct hc_qdesc *)areas;
	q->avail = (struct hc_qavail *)(areas + avail_at);
	q->used = (struct hc_qused *)(areas + used_at);
	q->size = size;
	q->posted = q->reaped = 0;
	return (int)hypercall_out(HC_PORT_QUEUE_SETUP, gva32(&s));
}

int gq_call(struct gq *q, const struct hc_qreq *hdr, const void *buf, uint32_t len)
{
	const struct hc_qused_elem *e;
	int done;

	gq_request(q, 0, hdr, buf, len);
	gq_post(q, 0);
	done = gq_notify(q);
	e = gq_reap(q);
	if (done < 0)
		return done;
	return e ? e->result : -HC_EIO;
}
