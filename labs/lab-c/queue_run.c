/*
 * lab-c --queue: carrying out one notify's requests (queue.h).
 *
 * Each request is read out of guest memory once: its head from the
 * available ring, each descriptor of its chain, its header, and an open's
 * path, each copied before it is looked at, so a guest that rewrites its
 * rings meanwhile changes nothing the host already decided. Every buffer is
 * checked against the window and the queue's own areas before any byte
 * moves; the file table checks them again when it moves them.
 *
 * Order: one request after the other, in ring order, each published as soon
 * as its result is known. The one shortcut: reads (or writes) that follow
 * each other on one file, each into (from) the memory right after the
 * previous one's, are one call to the file table, a single readv (writev).
 * For a regular file that gives what one call per request gives: a read
 * falls short only at the end of the file, so the requests after it would
 * have read nothing; a write falls short only when the file refuses more,
 * so those after it are carried out one by one and get the error. To look
 * ahead, a run reads the next request early; a read run never takes in one
 * whose header lies in memory the run fills first (one at a time it would
 * read a different header), and the request that ends a run is read again
 * at its own turn.
 */
#include "queue.h"

#include <string.h>

/* --- reading a request out of guest memory ----------------------------------- */

static uint16_t avail_entry(const struct hc_queue *q, uint16_t pos)
{
	const uint16_t *ring = (const uint16_t *)(q->window.host + q->avail + 4);

	return __atomic_load_n(&ring[pos & (q->size - 1)], __ATOMIC_RELAXED);
}

static struct hc_qdesc copy_desc(const struct hc_queue *q, uint16_t i)
{
	struct hc_qdesc d;

	memcpy(&d, q->window.host + q->desc + sizeof(d) * i, sizeof(d));
	return d;
}

static int32_t check_desc(const struct hc_queue *q, const struct hc_qdesc *d)
{
	if (d->flags & ~(HC_QDESC_F_NEXT | HC_QDESC_F_WRITE))
		return -HC_EINVAL;
	return queue_range_ok(q, d->addr, d->len) ? 0 : -HC_EFAULT;
}

/* The chain's first descriptor: the header, host-readable, exactly one struct hc_qreq. */
static int32_t take_header(const struct hc_queue *q, const struct hc_qdesc *d,
			   struct queue_request *r)
{
	if ((d->flags & HC_QDESC_F_WRITE) || d->len != sizeof(r->hdr))
		return -HC_EINVAL;
	memcpy(&r->hdr, q->window.host + d->addr, sizeof(r->hdr));
	r->hdr_gpa = d->addr;
	r->linked = r->hdr.flags & HC_QREQ_F_LINK;
	return 0;
}

static void take_data(const struct hc_qdesc *d, struct queue_request *r)
{
	r->data[r->ndata++] = (struct queue_span){ .gpa = d->addr, .len = d->len,
						   .host_writes = d->flags & HC_QDESC_F_WRITE };
	r->total += d->len;
}

/* Walk the chain from r->head, each descriptor copied once; at most HC_QUEUE_CHAIN_MAX. */
static int32_t read_chain(const struct hc_queue *q, struct queue_request *r)
{
	uint16_t i = r->head;

	if (i >= q->size)
		return -HC_EINVAL;
	for (int n = 0;; n++) {
		struct hc_qdesc d;
		int32_t err;

		if (n == HC_QUEUE_CHAIN_MAX)
			return -HC_ELOOP; /* too long, or a loop: the same answer */
		d = copy_desc(q, i);
		err = check_desc(q, &d);
		if (!err && n == 0)
			err = take_header(q, &d, r);
		else if (!err)
			take_data(&d, r);
		if (err)
			return err;
		if (!(d.flags & HC_QDESC_F_NEXT))
			return 0;
		if (d.next >= q->size)
			return -HC_EINVAL;
		i = d.next;
	}
}

/* What each operation takes: its buffers' count and direction, its flags, its length. */
static int32_t check_request(const struct hc_queue *q, const struct queue_request *r)
{
	bool host_writes = r->hdr.op == HC_QOP_READ;

	if (r->hdr.flags & ~HC_QREQ_F_LINK)
		return -HC_EINVAL;
	switch (r->hdr.op) {
	case HC_QOP_OPEN:
		return r->ndata == 1 && !r->data[0].host_writes ? 0 : -HC_EINVAL;
	case HC_QOP_CLOSE:
		return r->ndata == 0 ? 0 : -HC_EINVAL;
	case HC_QOP_READ:
	case HC_QOP_WRITE:
		for (int i = 0; i < r->ndata; i++)
			if (r->data[i].host_writes != host_writes)
				return -HC_EINVAL;
		/* Aliased buffers can add up to more than memory: the ABI's Limits. */
		return r->total > q->window.size || r->total > INT32_MAX ? -HC_E2BIG : 0;
	default:
		return -HC_EOPNOTSUPP;
	}
}

static void read_request(const struct hc_queue *q, uint16_t pos, struct queue_request *r)
{
	*r = (struct queue_request){ .head = avail_entry(q, pos) };
	r->error = read_chain(q, r);
	if (!r->error)
		r->error = check_request(q, r);
}

/* --- carrying requests out ------------------------------------------------------ */

struct batch {
	struct hc_queue *q;
	const struct guest_view *g;   /* the device's view: the window, no paging */
	struct vcpu *v;
	uint16_t n;                   /* requests available in this notify */
	uint16_t read;                /* q->batch[0 .. read) are read out of guest memory */
	uint16_t done;                /* ... and [0 .. done) finished and published */
	uint16_t merge_from;          /* those before it were in a merged call already */
	bool cancel;                  /* a broken link cancels the next request */
};

static struct queue_request *request(struct batch *b, uint16_t k)
{
	if (k == b->read)
		read_request(b->q, (uint16_t)(b->q->next_avail + k), &b->q->batch[b->read++]);
	return &b->q->batch[k];
}

/* Did r do all it was asked (all bytes moved, the open or close succeeded)? Links need it. */
static bool in_full(const struct queue_request *r)
{
	if (r->result < 0)
		return false;
	return r->hdr.op == HC_QOP_READ || r->hdr.op == HC_QOP_WRITE
		       ? (uint64_t)r->result == r->total
		       : true;
}

static void finish(struct batch *b, struct queue_request *r)
{
	queue_publish(b->q, r);
	b->cancel = r->linked && !in_full(r);
	b->done++;
}

/* One call to the file table: len bytes of r's file into or out of guest-physical gpa. */
static int64_t move(struct batch *b, const struct queue_request *r, uint64_t gpa, uint64_t len)
{
	struct hc_files *f = b->q->files;

	b->q->stats.host_calls++;
	if (r->hdr.op == HC_QOP_READ)
		return hc_files_read(f, b->g, r->hdr.fd, gpa, (int32_t)len);
	return hc_files_write(f, b->g, b->v, r->hdr.fd, gpa, (int32_t)len);
}

/* A read or write on its own: its buffers in order, up to the first one not filled (emptied). */
static int64_t run_io(struct batch *b, const struct queue_request *r)
{
	int64_t moved = 0;

	if (r->total == 0)
		return move(b, r, 0, 0); /* 0, or the descriptor's error */
	for (int i = 0; i < r->ndata; i++) {
		const struct queue_span *s = &r->data[i];
		int64_t got;

		if (s->len == 0)
			continue;
		got = move(b, r, s->gpa, s->len);
		if (got < 0)
			return moved ? moved : got;
		moved += got;
		if (got < s->len || guest_view_out_of_time(b->g))
			break;
	}
	return moved;
}

/* The path, copied once; its NUL must lie within the buffer. */
static int64_t run_open(struct batch *b, const struct queue_request *r)
{
	const struct queue_span *s = &r->data[0];
	uint32_t take = s->len < HC_PATH_MAX ? s->len : HC_PATH_MAX;
	struct hc_open how = { .flags = r->hdr.open_flags, .mode = r->hdr.mode };
	char path[HC_PATH_MAX];

	memcpy(path, b->q->window.host + s->gpa, take);
	if (!memchr(path, '\0', take))
		return s->len >= HC_PATH_MAX ? -HC_ENAMETOOLONG : -HC_EINVAL;
	b->q->stats.host_calls++;
	return hc_files_open(b->q->files, path, &how);
}

static void run_one(struct batch *b, struct queue_request *r)
{
	switch (r->hdr.op) {
	case HC_QOP_OPEN:
		r->result = run_open(b, r);
		break;
	case HC_QOP_CLOSE:
		b->q->stats.host_calls++;
		r->result = hc_files_close(b->q->files, r->hdr.fd);
		break;
	default:
		r->result = run_io(b, r);
	}
}

/* A read or write whose buffers follow each other: one range, so it may share a call. */
static bool one_range(const struct queue_request *r)
{
	if (r->error || r->total == 0 || (r->hdr.op != HC_QOP_READ && r->hdr.op != HC_QOP_WRITE))
		return false;
	for (int i = 1; i < r->ndata; i++)
		if (r->data[i].gpa != r->data[i - 1].gpa + r->data[i - 1].len)
			return false;
	return true;
}

struct run {
	uint16_t op;
	int32_t fd;
	uint64_t start, end;          /* the guest-physical range of the requests taken so far */
};

static bool joins(const struct run *run, const struct queue_request *r)
{
	bool header_filled = run->op == HC_QOP_READ && r->hdr_gpa < run->end &&
			     run->start < r->hdr_gpa + sizeof(r->hdr);

	return one_range(r) && r->hdr.op == run->op && r->hdr.fd == run->fd &&
	       r->data[0].gpa == run->end && run->end - run->start + r->total <= INT32_MAX &&
	       !header_filled;
}

/*
 * Request k and those after it that join it, with one call. Each gets its
 * share in order; the first one that does not get all of it takes what is
 * left (or the call's error) and ends the run: those after it are carried
 * out one by one, as they would have been without the merge.
 */
static void run_merged(struct batch *b, uint16_t k)
{
	struct queue_request *first = request(b, k);
	struct run run = { .op = first->hdr.op, .fd = first->hdr.fd, .start = first->data[0].gpa,
			   .end = first->data[0].gpa + first->total };
	uint16_t end = (uint16_t)(k + 1);
	int64_t got;

	while (end < b->n && joins(&run, request(b, end)))
		run.end += b->q->batch[end++].total;
	/* The one that did not join is read again at its turn: the run may write over its header. */
	if (b->read > end)
		b->read = end;
	if (end == k + 1) {
		run_one(b, first);
		finish(b, first);
		return;
	}
	got = move(b, first, run.start, run.end - run.start);
	for (uint16_t i = k; i < end; i++) {
		struct queue_request *r = &b->q->batch[i];

		if (got >= (int64_t)r->total) {
			r->result = (int64_t)r->total;
			got -= r->result;
			finish(b, r);
			continue;
		}
		r->result = got; /* what was left, or the call's error (then i == k) */
		finish(b, r);
		b->merge_from = end;
		return;
	}
}

uint16_t queue_run(struct hc_queue *q, const struct guest_view *g, struct vcpu *v, uint16_t n)
{
	struct batch b = { .q = q, .g = g, .v = v, .n = n };

	while (b.done < n && !guest_view_out_of_time(g)) {
		struct queue_request *r = request(&b, b.done);

		if (b.cancel) {
			r->result = -HC_ECANCELED;
		} else if (r->error) {
			r->result = r->error;
		} else if (one_range(r) && b.done >= b.merge_from) {
			run_merged(&b, b.done);
			continue;
		} else {
			run_one(&b, r);
		}
		finish(&b, r);
	}
	return b.done;
}
