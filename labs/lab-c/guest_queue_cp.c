/*
 * The lab-c --queue guest: `cp SRC DST` through the request queue
 * (guest_queue.h), many requests per exit.
 *
 * argv, as the host lays it out: lab-c cp SRC DST CHUNK FORCE BATCH
 *
 * The copy, in batches of BATCH requests (one notify, one exit each):
 *   - M buffers of CHUNK bytes, next to each other after our image. A group
 *     is M reads, one into each buffer, then M writes, one out of each: the
 *     host does the M reads with one readv and the M writes with one writev
 *     (adjacent buffers, one file: queue_run.c merges them). A batch is
 *     BATCH / 2M groups; M is as many buffers as make MERGE_BYTES, at most
 *     BATCH / 2, and as fit in memory.
 *   - Every request carries HC_QREQ_F_LINK: in order, each runs only if the
 *     one before it completed in full. So a write never sends a buffer its
 *     read did not fill, and when the LAST request of a batch completed in
 *     full, so did all the others: the guest checks one result per batch.
 *   - The chains and the ring entries never change, lap after lap: a batch
 *     costs the guest a few instructions (here every guest instruction is
 *     emulated, ~0.3-1 us each), whatever BATCH is. The ring names one
 *     group's chains again and again.
 *   - The first short read is the end of the file: its group's writes were
 *     cancelled by the link; the guest writes what that group read (its
 *     buffers are adjacent) as one more request.
 * The two opens go in one notify (the second linked to the first, so DST is
 * not created when SRC cannot be opened), the two closes in another.
 */
#include <stdarg.h>
#include <stdbool.h>

#include "lab-b/guest_hypercalls.h"
#include "lab-c/guest_files.h"
#include "lab-c/guest_say.h"
#include "lab-c/guest_queue.h"
#include "rt/format.h"
#include "rt/hypercall.h"
#include "rt/print.h"
#include "rt/string.h"

/* Data the buffers of one group hold: one host readv and one writev of this much. */
#define MERGE_BYTES (256u << 10)
#define STACK_RESERVE (32u << 10)
#define PAGE 4096u

extern char __guest_end[];

/* Headers live here, outside the buffers: a read never lands on a header. */
static struct hc_qreq read_hdr = { .op = HC_QOP_READ, .flags = HC_QREQ_F_LINK };
static struct hc_qreq write_hdr = { .op = HC_QOP_WRITE, .flags = HC_QREQ_F_LINK };
static struct hc_qreq open_in = { .op = HC_QOP_OPEN, .flags = HC_QREQ_F_LINK,
				  .open_flags = HC_O_RDONLY };
static struct hc_qreq open_out = { .op = HC_QOP_OPEN, .mode = 0644 };
static struct hc_qreq close_in = { .op = HC_QOP_CLOSE };
static struct hc_qreq close_out = { .op = HC_QOP_CLOSE };

/* Room for buffers: from the first page after our image up to STACK_RESERVE below the stack. */
static uint64_t buffer_room(char **start)
{
	uintptr_t first = ((uintptr_t)__guest_end + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
	volatile char here;

	*start = (char *)first;
	return first + STACK_RESERVE < (uintptr_t)&here ? (uintptr_t)&here - STACK_RESERVE - first
							 : 0;
}

/* Buffers per group: a power of two, MERGE_BYTES of them, at most batch / 2, that fit. 0: none fits. */
static uint32_t buffer_count(uint32_t chunk, uint32_t batch, uint64_t room)
{
	uint32_t m = 1;

	while (m * 2 <= batch / 2 && (uint64_t)m * 2 * chunk <= MERGE_BYTES)
		m *= 2;
	while (m && (uint64_t)m * chunk > room)
		m /= 2;
	return m;
}

struct copy {
	struct gq q;
	uint32_t chunk, batch, m;
	char *buf;
	uint64_t bytes;        /* written so far */
	const char *src, *dst;
};

/* Open SRC, then (linked) DST, in one notify. 0, or 1 with the reason said. */
static int open_both(struct copy *c, int force, int *in, int *out)
{
	const struct hc_qused_elem *a, *b;
	int done;

	*in = *out = -1;
	open_out.open_flags = HC_O_WRONLY | HC_O_CREAT | (force ? HC_O_TRUNC : HC_O_EXCL);
	gq_request(&c->q, 0, &open_in, c->src, strlen(c->src) + 1);
	gq_request(&c->q, 2, &open_out, c->dst, strlen(c->dst) + 1);
	gq_post(&c->q, 0);
	gq_post(&c->q, 2);
	done = gq_notify(&c->q);
	a = gq_reap(&c->q);
	b = gq_reap(&c->q);
	if (done != 2 || !a || !b) {
		complain("cp: the request queue answered %d to the opens\n", done);
		return 1;
	}
	*in = a->result;
	*out = b->result;
	if (*in < 0)
		complain("cp: cannot open %s: %s (%d)\n", c->src, fs_errname(*in), *in);
	else if (*out == -HC_EEXIST)
		complain("cp: %s exists: refusing to overwrite it (pass --force)\n", c->dst);
	else if (*out < 0)
		complain("cp: cannot open %s: %s (%d)\n", c->dst, fs_errname(*out), *out);
	return *in < 0 || *out < 0;
}

/* Close SRC and (when open) DST in one notify. 0, or 1 with the reason said. */
static int close_both(struct copy *c, int in, int out)
{
	int done, closed = 0;

	close_in.fd = in;
	close_out.fd = out;
	gq_request(&c->q, 0, &close_in, 0, 0);
	gq_post(&c->q, 0);
	if (out >= 0) {
		gq_request(&c->q, 2, &close_out, 0, 0);
		gq_post(&c->q, 2);
	}
	done = gq_notify(&c->q);
	if (out >= 0 && done == 2)
		closed = gq_peek(&c->q, 1)->result; /* DST's: where a late write error shows */
	gq_drain(&c->q);
	if (closed < 0)
		complain("cp: closing %s failed: %s\n", c->dst, fs_errname(closed));
	return done < 0 || closed < 0;
}

/* Descriptor d in two 8-byte stores: addr, then {len, flags, next} (the ABI's layout). */
#define DESC_TAIL(len, flags, next) \
	((uint64_t)(len) | (uint64_t)(flags) << 32 | (uint64_t)(next) << 48)
#define NEXT_STEP (2ull << 48) /* the next request's header names the descriptor 2 further on */

static inline void put_desc(struct hc_qdesc *d, uint64_t addr, uint64_t tail)
{
	d->addr = addr;
	__builtin_memcpy(&d->len, &tail, sizeof(tail));
}

/* m requests of one kind, one per buffer, from descriptor d on. Returns the next descriptor. */
static struct hc_qdesc *put_requests(const struct copy *c, struct hc_qdesc *d,
				     const struct hc_qreq *hdr, uint64_t data_tail,
				     uint64_t *hdr_tail)
{
	char *buf = c->buf;

	for (uint32_t p = 0; p < c->m; p++, d += 2, buf += c->chunk, *hdr_tail += NEXT_STEP) {
		put_desc(d, gq_phys(hdr), *hdr_tail);
		put_desc(d + 1, gq_phys(buf), data_tail);
	}
	return d;
}

/*
 * Copy n 4-byte words forward, one at a time (REP MOVSL): with dst after src
 * in one array this repeats src's first dst - src bytes, the way a ring of
 * one pattern is filled with one emulated instruction.
 */
static inline void repeat_forward(void *dst, const void *src, uint32_t words)
{
	uint64_t n = words;

	asm volatile("rep movsl" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

/*
 * The ring names the group's 2m heads (0, 2, 4, ...) over and over, the
 * first of them at the next entry to post: one period written, then
 * repeated to the end of the ring (its size is a multiple of 2m, so the
 * pattern also continues across the wrap).
 */
static void fill_ring(struct gq *q, uint32_t period)
{
	uint16_t *ring = q->avail->ring;

	for (uint32_t i = 0; i < period; i++)
		ring[i] = (uint16_t)(2 * ((i - q->posted) & (period - 1)));
	repeat_forward(ring + period, ring, (q->size - period) / 2);
}

/*
 * The data phase's requests, built once: one group, m reads (buffers 0 ..
 * m-1) then m writes (the same buffers), request j in descriptors 2j and
 * 2j + 1. Every batch is batch / 2m laps of the same group, and every batch
 * after it posts the same ring entries again (gq_repost). A chain may be
 * named again before it is used: each entry is a request of its own (see
 * the ABI). Every guest instruction is costly here, so this writes 4m
 * descriptors and one period of the ring, and nothing per batch.
 */
static void build_batch(struct copy *c)
{
	uint64_t hdr_tail = DESC_TAIL(sizeof(struct hc_qreq), HC_QDESC_F_NEXT, 1);
	struct hc_qdesc *d;

	d = put_requests(c, c->q.desc, &read_hdr, DESC_TAIL(c->chunk, HC_QDESC_F_WRITE, 0),
			 &hdr_tail);
	put_requests(c, d, &write_hdr, DESC_TAIL(c->chunk, 0, 0), &hdr_tail);
	fill_ring(&c->q, 2 * c->m);
}

/* After a short write of done of len bytes: write the rest on its own, to learn the error. */
static int write_error(struct copy *c, char *buf, uint32_t len, int32_t done)
{
	int r = gq_call(&c->q, &write_hdr, buf + done, len - (uint32_t)done);

	c->bytes += (uint64_t)done;
	return r < 0 ? r : -HC_EIO;
}

/* The last group's data, len bytes from the first buffer on (they are adjacent): one request. */
static int write_tail(struct copy *c, uint32_t len)
{
	int r = len ? gq_call(&c->q, &write_hdr, c->buf, len) : 0;

	if (r < 0 || (uint32_t)r == len) {
		c->bytes += r < 0 ? 0 : len;
		return r < 0 ? r : 0;
	}
	return write_error(c, c->buf, len, r);
}

static bool done_in_full(const struct copy *c, uint32_t k)
{
	return gq_peek(&c->q, (uint16_t)k)->result == (int32_t)c->chunk;
}

/*
 * The batch's links make its results monotone: requests in full, the first
 * one that was not, then cancelled ones. So a few looks find that one
 * instead of a look at each: at 0, 1, 3, 7, ... until one is short (the
 * end of a file often falls at a batch's start: one look), then bisection
 * in between. done if all were in full.
 */
static uint32_t first_short(const struct copy *c, uint32_t done)
{
	uint32_t lo = 0, hi = 1;

	while (hi <= done && done_in_full(c, hi - 1)) {
		lo = hi;
		hi = 2 * hi + 1;
	}
	hi = hi <= done ? hi - 1 : done; /* short, or done: the answer lies in [lo, hi] */
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (done_in_full(c, mid))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The batch that did not complete in full. Its first short request is a
 * write (the file refused: learn the error), or a read: an error, or the
 * end of the file, and then what its group read is written out. 0 at a
 * clean end, or -HC_Exxx with *failed naming the side.
 */
static int finish_batch(struct copy *c, int done, const char **failed)
{
	uint32_t group = 2 * c->m, j, p;
	int32_t r;

	*failed = "reading";
	if (done < 0)
		return done;
	j = first_short(c, (uint32_t)done);
	if (j == (uint32_t)done)
		return -HC_EIO; /* the host stopped early: the run's time is up */
	p = j % group;
	r = gq_peek(&c->q, (uint16_t)j)->result;
	gq_drain(&c->q);
	/* The writes before j were in full: m per group, and those of j's own group. */
	c->bytes += (uint64_t)(j / group * c->m + (p > c->m ? p - c->m : 0)) * c->chunk;
	if (p >= c->m || r >= 0)
		*failed = "writing";
	if (p >= c->m)
		return r < 0 ? r
			     : write_error(c, c->buf + (uint64_t)(p - c->m) * c->chunk, c->chunk, r);
	return r < 0 ? r : write_tail(c, p * c->chunk + (uint32_t)r);
}

static int copy_data(struct copy *c, int in, int out, const char **failed)
{
	uint16_t last = (uint16_t)(c->batch - 1);
	uint32_t rounds = 0;
	int done, err;

	read_hdr.fd = in;
	write_hdr.fd = out;
	build_batch(c);
	for (;;) {
		gq_repost(&c->q, (uint16_t)c->batch);
		done = gq_notify(&c->q);
		/* Links: the last one in full means every one in full. */
		if (done != (int)c->batch || gq_peek(&c->q, last)->result != (int32_t)c->chunk)
			break;
		c->q.reaped = (uint16_t)(c->q.reaped + c->batch);
		rounds++;
	}
	c->bytes += (uint64_t)rounds * (c->batch / 2) * c->chunk;
	err = finish_batch(c, done, failed);
	gq_drain(&c->q); /* what an early end left unread */
	return err;
}

static int cp(struct copy *c, int force)
{
	uint64_t room = buffer_room(&c->buf);
	const char *failed = "";
	int in, out, err, closed;

	c->m = buffer_count(c->chunk, c->batch, room);
	if (!c->chunk || !c->m) {
		complain("lab-c guest: a %u-byte buffer does not fit in guest memory "
			 "(give the guest more with --mem)\n", c->chunk);
		return 2;
	}
	/* Room for one group's chains (4m descriptors) and a batch of ring entries. */
	err = gq_setup(&c->q, (uint16_t)(4 * c->m > c->batch ? 2 * c->batch : c->batch));
	if (err < 0) {
		complain("cp: the host refused the request queue: %s (%d)\n", fs_errname(err), err);
		return 1;
	}
	if (open_both(c, force, &in, &out)) {
		if (in >= 0)
			close_both(c, in, -1);
		return 1;
	}
	err = copy_data(c, in, out, &failed);
	closed = close_both(c, in, out);
	if (err) {
		complain("cp: %s %s failed after %lu bytes: %s (%d)\n", failed,
			 failed[0] == 'r' ? c->src : c->dst, (unsigned long)c->bytes,
			 fs_errname(err), err);
		return 1;
	}
	return closed;
}

int main(int argc, char **argv)
{
	struct copy c = { 0 };

	if (argc != 7 || strcmp(argv[1], "cp")) {
		complain("lab-c queue guest: unexpected arguments (%d): expected cp SRC DST CHUNK "
			 "FORCE BATCH\n", argc);
		return 2;
	}
	c.src = argv[2];
	c.dst = argv[3];
	c.chunk = parse_u32(argv[4]);
	c.batch = parse_u32(argv[6]);
	if (c.batch < 2 || c.batch > HC_QUEUE_SIZE_MAX / 2 || (c.batch & (c.batch - 1))) {
		complain("lab-c queue guest: batch %u: expected a power of two from 2 to %u\n",
			 c.batch, HC_QUEUE_SIZE_MAX / 2);
		return 2;
	}
	return cp(&c, argv[5][0] == '1');
}
