/*
 * lab-c --queue, host side: the request queue, a split virtqueue for the
 * file calls (the ABI and every rule: common/abi/hypercall.h, "the request
 * queue"). The guest's descriptors and rings live in its own memory; one
 * notify makes the host carry out every request made available since the
 * last one and publish each result in the used ring, for one exit.
 *
 *   queue.c       setup, notify, the ports: the queue's own state, the
 *                 available index, publishing results, a broken queue
 *   queue_run.c   the requests: each chain copied out of guest memory once
 *                 and checked, then carried out in ring order through the
 *                 instance's file table (hc_files_open/read/write/close),
 *                 adjacent reads or writes of one file merged into one call,
 *                 links honoured
 *
 * Addresses are guest-physical, checked against a window: the part of guest
 * RAM the device may touch (lab-c: the instance's memory below its page
 * tables). Nothing outside the window is ever read or written.
 */
#ifndef LAB_C_QUEUE_H
#define LAB_C_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "abi/hypercall.h"
#include "files.h"
#include "kvm/guest_access.h"
#include "kvm/guest_mem.h"
#include "kvm/kvm.h"

/* What a queue did: for lab-c's summary, the benchmark and the tests. */
struct hc_queue_stats {
	uint64_t notifies;     /* notifies answered, refused ones included */
	uint64_t requests;     /* requests finished (used entries written) */
	uint64_t failed;       /* of which with a negative result, cancelled ones included */
	uint64_t host_calls;   /* calls into the file table they took: a merged run is one */
};

/* One data buffer of a request, as the chain named it (guest-physical). */
struct queue_span {
	uint64_t gpa;
	uint32_t len;
	bool host_writes;      /* HC_QDESC_F_WRITE */
};

/* A request as copied out of guest memory (queue_run.c), and its outcome. */
struct queue_request {
	uint16_t head;         /* as the available ring named it */
	int32_t error;         /* nonzero: the chain is refused with this -HC_Exxx */
	bool linked;           /* HC_QREQ_F_LINK, when the header could be read */
	struct hc_qreq hdr;
	uint64_t hdr_gpa;
	int ndata;
	struct queue_span data[HC_QUEUE_CHAIN_MAX - 1];
	uint64_t total;        /* bytes of all data buffers */
	int64_t result;
};

struct hc_queue {
	pthread_mutex_t lock;
	struct hc_files *files;
	struct phys_mem window;        /* what the device may touch: [0, window.size) */
	bool live;                     /* set up */
	char broken[200];              /* why the queue is broken, "" while it is not */
	bool broken_said;              /* the one line on stderr was written */
	uint32_t size;
	uint64_t desc, avail, used;    /* guest-physical addresses of the areas */
	uint16_t next_avail;           /* the host's own position in the available ring */
	uint16_t used_idx;             /* the host's own used index (never read back) */
	struct queue_request *batch;   /* room for one notify's requests (size of them) */
	struct hc_queue_stats stats;
};

/*
 * A queue for the file table files (not owned), whose device may touch the
 * guest-physical range [0, window->size) backed at window->host. 0 or
 * -ENOMEM. The plain one dies.
 */
int hc_queue_create_raw(struct hc_files *files, const struct phys_mem *window,
			struct hc_queue **out);
struct hc_queue *hc_queue_create(struct hc_files *files, const struct phys_mem *window);
/* NULL is fine. */
void hc_queue_destroy(struct hc_queue *q);

/*
 * The two calls, as the port handlers make them (the tests call them
 * directly). setup: block is the guest-physical address of a struct
 * hc_qsetup. notify: which is the queue's number (EAX); v is the calling
 * vCPU, for console output (NULL in tests); deadline the run's --timeout
 * in CLOCK_MONOTONIC seconds (0: none). Each returns what goes into RAX.
 */
int64_t hc_queue_setup(struct hc_queue *q, uint64_t block);
int64_t hc_queue_notify(struct hc_queue *q, uint32_t which, struct vcpu *v, double deadline);

/* Why the queue is broken, or NULL while it is not. */
const char *hc_queue_broken(struct hc_queue *q);
struct hc_queue_stats hc_queue_stats(struct hc_queue *q);

/*
 * Install HC_PORT_QUEUE_SETUP and HC_PORT_QUEUE_NOTIFY on vm for queue q
 * (one queue per VM: the instance lab-c runs).
 */
void hc_register_queue(struct vm *vm, struct hc_queue *q);

/* --- queue_run.c: one notify's requests ------------------------------------- */

/*
 * Carry out the n requests made available at the queue's next_avail, in
 * ring order, publishing each result as it is known (queue_publish). g is
 * the device's view of memory (the window, no paging, the deadline).
 * Returns how many were finished: fewer than n only when the deadline passed.
 */
uint16_t queue_run(struct hc_queue *q, const struct guest_view *g, struct vcpu *v, uint16_t n);

/* Write request r's used entry (queue.c); the used index is raised at the end of the notify. */
void queue_publish(struct hc_queue *q, const struct queue_request *r);

/* true when the range lies inside the window, not at 0, and clear of the three areas. */
bool queue_range_ok(const struct hc_queue *q, uint64_t gpa, uint64_t len);

#endif
