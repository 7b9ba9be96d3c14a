/*
 * lab-c --queue, host side: the queue's state, its setup, the notify, the
 * ports (queue.h; the ABI: common/abi/hypercall.h, "the request queue").
 * The requests themselves are carried out in queue_run.c.
 *
 * The host keeps its own copies of everything that steers it: the size and
 * areas (checked once, at setup), its position in the available ring and
 * its used index. The guest's idx fields are read once per notify (avail)
 * or only written (used), so a guest scribbling over its rings can make
 * its own requests fail, never the host misbehave.
 */
#include "queue.h"

#include "util/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hc_queue_create_raw(struct hc_files *files, const struct phys_mem *window,
			struct hc_queue **out)
{
	struct hc_queue *q = calloc(1, sizeof(*q));

	if (!q)
		return -ENOMEM;
	pthread_mutex_init(&q->lock, NULL);
	q->files = files;
	q->window = *window;
	*out = q;
	return 0;
}

struct hc_queue *hc_queue_create(struct hc_files *files, const struct phys_mem *window)
{
	struct hc_queue *q;

	if (hc_queue_create_raw(files, window, &q) < 0)
		die("cannot allocate the request queue: out of memory");
	return q;
}

void hc_queue_destroy(struct hc_queue *q)
{
	if (!q)
		return;
	pthread_mutex_destroy(&q->lock);
	free(q->batch);
	free(q);
}

/* --- the areas --------------------------------------------------------------- */

static bool overlaps(uint64_t a, uint64_t a_len, uint64_t b, uint64_t b_len)
{
	return a < b + b_len && b < a + a_len;
}

static uint64_t desc_bytes(uint32_t size) { return HC_QDESC_BYTES((uint64_t)size); }
static uint64_t avail_bytes(uint32_t size) { return HC_QAVAIL_BYTES((uint64_t)size); }
static uint64_t used_bytes(uint32_t size) { return HC_QUSED_BYTES((uint64_t)size); }

bool queue_range_ok(const struct hc_queue *q, uint64_t gpa, uint64_t len)
{
	return gpa != 0 && phys_range_ok(&q->window, gpa, len) &&
	       !overlaps(gpa, len, q->desc, desc_bytes(q->size)) &&
	       !overlaps(gpa, len, q->avail, avail_bytes(q->size)) &&
	       !overlaps(gpa, len, q->used, used_bytes(q->size));
}

/* An area of the setup block: inside the window, not at 0 (EFAULT), aligned (EINVAL). */
static int check_area(const struct hc_queue *q, uint64_t gpa, uint64_t len, uint64_t align)
{
	if (gpa == 0 || !phys_range_ok(&q->window, gpa, len))
		return -HC_EFAULT;
	return gpa % align ? -HC_EINVAL : 0;
}

static int check_setup(const struct hc_queue *q, const struct hc_qsetup *s)
{
	uint32_t n = s->size;
	int err;

	if (s->flags || n == 0 || n > HC_QUEUE_SIZE_MAX || (n & (n - 1)))
		return -HC_EINVAL;
	err = check_area(q, s->desc, desc_bytes(n), 16);
	if (!err)
		err = check_area(q, s->avail, avail_bytes(n), 2);
	if (!err)
		err = check_area(q, s->used, used_bytes(n), 4);
	if (err)
		return err;
	if (overlaps(s->desc, desc_bytes(n), s->avail, avail_bytes(n)) ||
	    overlaps(s->desc, desc_bytes(n), s->used, used_bytes(n)) ||
	    overlaps(s->avail, avail_bytes(n), s->used, used_bytes(n)))
		return -HC_EINVAL;
	return 0;
}

static int install(struct hc_queue *q, const struct hc_qsetup *s)
{
	struct hc_qused *used = (struct hc_qused *)(q->window.host + s->used);

	q->batch = calloc(s->size, sizeof(*q->batch));
	if (!q->batch)
		return -HC_ENOMEM;
	q->size = s->size;
	q->desc = s->desc;
	q->avail = s->avail;
	q->used = s->used;
	q->next_avail = q->used_idx = 0;
	__atomic_store_n(&used->flags, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&used->idx, 0, __ATOMIC_RELEASE);
	q->live = true;
	return 0;
}

int64_t hc_queue_setup(struct hc_queue *q, uint64_t block)
{
	struct hc_qsetup s;
	int err;

	pthread_mutex_lock(&q->lock);
	if (q->live) {
		err = -HC_EBUSY;
	} else if (block == 0 || !phys_range_ok(&q->window, block, sizeof(s))) {
		err = -HC_EFAULT;
	} else {
		memcpy(&s, q->window.host + block, sizeof(s)); /* once: the guest may change it */
		err = check_setup(q, &s);
		if (!err)
			err = install(q, &s);
	}
	pthread_mutex_unlock(&q->lock);
	return err;
}

/* --- notify --------------------------------------------------------------------- */

static void break_queue(struct hc_queue *q, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void break_queue(struct hc_queue *q, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q->broken, sizeof(q->broken), fmt, ap);
	va_end(ap);
}

void queue_publish(struct hc_queue *q, const struct queue_request *r)
{
	struct hc_qused_elem e = { .id = r->head, .result = (int32_t)r->result };
	uint64_t at = q->used + 4 + 8ull * (q->used_idx & (q->size - 1));

	memcpy(q->window.host + at, &e, sizeof(e));
	q->used_idx++;
	q->stats.requests++;
	q->stats.failed += r->result < 0;
}

static int64_t notify_locked(struct hc_queue *q, uint32_t which, struct vcpu *v, double deadline)
{
	const struct hc_qavail *avail = (const void *)(q->window.host + q->avail);
	struct hc_qused *used = (struct hc_qused *)(q->window.host + q->used);
	struct guest_view g = { .mem = &q->window, .deadline = deadline }; /* no paging: physical */
	uint16_t n, done;

	q->stats.notifies++;
	if (!q->live || which != 0)
		return -HC_ENXIO;
	if (q->broken[0])
		return -HC_EIO;
	/* Read once: everything this notify does follows from this one value. */
	n = (uint16_t)(__atomic_load_n(&avail->idx, __ATOMIC_ACQUIRE) - q->next_avail);
	if (n > q->size) {
		break_queue(q, "its available index jumped %u requests ahead of the host's %u, "
			    "more than the ring's %u entries hold", n, q->next_avail, q->size);
		return -HC_EIO;
	}
	done = n ? queue_run(q, &g, v, n) : 0;
	q->next_avail = (uint16_t)(q->next_avail + done);
	__atomic_store_n(&used->idx, q->used_idx, __ATOMIC_RELEASE);
	return done;
}

int64_t hc_queue_notify(struct hc_queue *q, uint32_t which, struct vcpu *v, double deadline)
{
	int64_t ret;

	pthread_mutex_lock(&q->lock);
	ret = notify_locked(q, which, v, deadline);
	pthread_mutex_unlock(&q->lock);
	return ret;
}

const char *hc_queue_broken(struct hc_queue *q)
{
	const char *why;

	pthread_mutex_lock(&q->lock);
	why = q->broken[0] ? q->broken : NULL;
	pthread_mutex_unlock(&q->lock);
	return why;
}

struct hc_queue_stats hc_queue_stats(struct hc_queue *q)
{
	struct hc_queue_stats s;

	pthread_mutex_lock(&q->lock);
	s = q->stats;
	pthread_mutex_unlock(&q->lock);
	return s;
}

/* --- the ports ------------------------------------------------------------------ */

static enum pio_result on_setup(struct vcpu *v, struct pio *io, void *opaque)
{
	vcpu_set_rax(v, (uint64_t)hc_queue_setup(opaque, io->value));
	return PIO_DONE;
}

/* true, with why the queue broke in why, the first time it is asked after it broke. */
static bool report_once(struct hc_queue *q, char *why, size_t size)
{
	bool first;

	pthread_mutex_lock(&q->lock);
	first = q->broken[0] && !q->broken_said;
	if (first)
		snprintf(why, size, "%s", q->broken);
	q->broken_said = q->broken[0];
	pthread_mutex_unlock(&q->lock);
	return first;
}

static enum pio_result on_notify(struct vcpu *v, struct pio *io, void *opaque)
{
	struct hc_queue *q = opaque;
	int64_t ret = hc_queue_notify(q, io->value, v, v->timer_armed ? v->deadline : 0);
	char why[sizeof(q->broken)];

	/* A broken queue is said once, in one line; the guest sees -EIO and goes on. */
	if (ret == -HC_EIO && report_once(q, why, sizeof(why)))
		kit_warn("the guest's request queue is broken: %s; every later notify is refused "
		      "(-EIO)", why);
	vcpu_set_rax(v, (uint64_t)ret);
	return PIO_DONE;
}

void hc_register_queue(struct vm *vm, struct hc_queue *q)
{
	vm_on_port(vm, &(struct port_spec){ .port = HC_PORT_QUEUE_SETUP, .dirs = PIO_DIR_OUT,
					    .size = 4, .name = "queue-setup", .fn = on_setup,
					    .opaque = q });
	vm_on_port(vm, &(struct port_spec){ .port = HC_PORT_QUEUE_NOTIFY, .dirs = PIO_DIR_OUT,
					    .size = 4, .name = "queue-notify", .fn = on_notify,
					    .opaque = q });
}
