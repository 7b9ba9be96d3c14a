/*
 * lab-c --queue: the request queue (labs/lab-c/queue.c, queue_run.c; the ABI:
 * common/abi/hypercall.h, "the request queue").
 *
 *   hc      the host side driven directly over a guest memory image (no
 *           KVM): setup and its refusals, the four operations, ring order,
 *           merged reads and writes, links, every hostile chain with its
 *           exact answer, a notify with nothing new, index wrap-around, a
 *           broken queue, rings rewritten by another thread while the host
 *           reads them, the timeout, and thousands of random queues. The
 *           guest memory sits between two canary zones that must stay
 *           untouched (and `make check` runs this under ASan too).
 *   guest   on KVM: `lab-c --queue cp`'s guest copying 0 B .. 64 MiB with
 *           several chunks and batches (checksums, exits per request),
 *           refusals, EFBIG mid-copy, a notify stalled past --timeout, and
 *           the hostile queue guest (guests/hostile_queue.c) with random
 *           queues and the pathological ones.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "lab-b/hypercalls.h"
#include "lab-c/files.h"
#include "lab-c/queue.h"
#include "lab/boot.h"
#include "lab/lab.h"
#include "util/clock.h"
#include "util/util.h"

#include "test_files.h"

GUEST_IMAGE_FILE(lab_c_queue, "lab-c-queue")
GUEST_IMAGE_FILE(hostile_queue, "hostile-queue")

/* --- files on the host ------------------------------------------------------ */


/* --- hc: the host side over a guest memory image ------------------------------ */

/*
 * Guest-physical layout of the image (the window is all of it):
 *   0x1000 setup block, 0x2000 descriptors, 0x8000 available ring,
 *   0x9000 used ring, 0x10000 headers (16 bytes each), 0x18000 paths,
 *   0x20000 .. MEM data buffers.
 */
#define MEM (2u << 20)
#define CANARY (64u << 10)
#define SETUP_GPA 0x1000u
#define DESC_GPA 0x2000u
#define AVAIL_GPA 0x8000u
#define USED_GPA 0x9000u
#define HDR_GPA 0x10000u
#define PATH_GPA 0x18000u
#define DATA_GPA 0x20000u

struct hc_fixture {
	struct tree t;
	uint8_t *block;          /* canary, guest memory, canary */
	struct phys_mem mem;
	struct hc_files *f;
	struct hc_queue *q;
	uint32_t size;
	uint16_t posted, reaped;
	double deadline;
};

static void check_canaries(const struct hc_fixture *x)
{
	for (uint32_t i = 0; i < CANARY; i++)
		if (x->block[i] != 0xa5 || x->block[CANARY + MEM + i] != 0xa5)
			fail_msg("the host wrote outside guest memory, %s it",
				 x->block[i] != 0xa5 ? "below" : "above");
}

static int hc_setup(void **state)
{
	struct hc_fixture *x = calloc(1, sizeof(*x));
	const char *why;

	make_tree(&x->t);
	x->block = malloc(MEM + 2 * CANARY);
	memset(x->block, 0xa5, MEM + 2 * CANARY);
	memset(x->block + CANARY, 0, MEM);
	x->mem = (struct phys_mem){ .host = x->block + CANARY, .size = MEM };
	assert_int_equal(hc_files_create_raw(x->t.root, &x->f, &why), 0);
	assert_int_equal(hc_queue_create_raw(x->f, &x->mem, &x->q), 0);
	*state = x;
	return 0;
}

static int hc_teardown(void **state)
{
	struct hc_fixture *x = *state;

	check_canaries(x);
	hc_queue_destroy(x->q);
	hc_files_destroy(x->f);
	free(x->block);
	assert_int_equal(entries_in(x->t.outside), 1);
	free_tree(&x->t);
	free(x);
	return 0;
}

static void *at(struct hc_fixture *x, uint64_t gpa)
{
	return x->mem.host + gpa;
}

static int64_t setup_with(struct hc_fixture *x, uint64_t desc, uint64_t avail, uint64_t used,
			  uint32_t size, uint32_t flags)
{
	struct hc_qsetup s = { .desc = desc, .avail = avail, .used = used, .size = size,
			       .flags = flags };

	memcpy(at(x, SETUP_GPA), &s, sizeof(s));
	return hc_queue_setup(x->q, SETUP_GPA);
}

static void setup_queue(struct hc_fixture *x, uint32_t size)
{
	x->size = size;
	assert_int_equal(setup_with(x, DESC_GPA, AVAIL_GPA, USED_GPA, size, 0), 0);
}

static void put_desc(struct hc_fixture *x, uint16_t i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	struct hc_qdesc d = { .addr = addr, .len = len, .flags = flags, .next = next };

	memcpy(at(x, DESC_GPA + 16ull * i), &d, sizeof(d));
}

/* Header number n (at HDR_GPA + 16n); returns its address. */
static uint64_t put_hdr(struct hc_fixture *x, uint32_t n, uint16_t op, uint16_t flags, int32_t fd,
			uint32_t open_flags, uint32_t mode)
{
	struct hc_qreq h = { .op = op, .flags = flags, .fd = fd, .open_flags = open_flags,
			     .mode = mode };
	uint64_t gpa = HDR_GPA + 16ull * n;

	memcpy(at(x, gpa), &h, sizeof(h));
	return gpa;
}

/*
 * Request in descriptors 2i, 2i + 1 with header i: op on fd, data [buf, buf + len)
 * (none when len is 0), host-writable for a read.
 */
static void put_req(struct hc_fixture *x, uint16_t i, uint16_t op, uint16_t flags, int32_t fd,
		    uint64_t buf, uint32_t len)
{
	uint64_t hdr = put_hdr(x, i, op, flags, fd, 0, 0);

	put_desc(x, (uint16_t)(2 * i), hdr, 16, len ? HC_QDESC_F_NEXT : 0, (uint16_t)(2 * i + 1));
	if (len)
		put_desc(x, (uint16_t)(2 * i + 1), buf, len,
			 op == HC_QOP_READ ? HC_QDESC_F_WRITE : 0, 0);
}

/* An open of path (copied to PATH_GPA + 256i) in descriptors 2i, 2i + 1. */
static void put_open(struct hc_fixture *x, uint16_t i, const char *path, uint32_t flags,
		     uint16_t req_flags)
{
	uint64_t hdr = put_hdr(x, i, HC_QOP_OPEN, req_flags, 0, flags, 0644);
	uint64_t p = PATH_GPA + 256ull * i;

	memcpy(at(x, p), path, strlen(path) + 1);
	put_desc(x, (uint16_t)(2 * i), hdr, 16, HC_QDESC_F_NEXT, (uint16_t)(2 * i + 1));
	put_desc(x, (uint16_t)(2 * i + 1), p, (uint32_t)strlen(path) + 1, 0, 0);
}

static void post(struct hc_fixture *x, uint16_t head)
{
	uint16_t *ring = at(x, AVAIL_GPA + 4);

	ring[x->posted++ & (x->size - 1)] = head;
}

static int64_t notify(struct hc_fixture *x)
{
	memcpy(at(x, AVAIL_GPA + 2), &x->posted, 2);
	return hc_queue_notify(x->q, 0, NULL, x->deadline);
}

static uint16_t used_idx(struct hc_fixture *x)
{
	uint16_t idx;

	memcpy(&idx, at(x, USED_GPA + 2), 2);
	return idx;
}

/* The next result in the used ring; checks it answers the head posted in that place. */
static int32_t reap(struct hc_fixture *x)
{
	struct hc_qused_elem e;
	uint16_t *ring = at(x, AVAIL_GPA + 4);
	uint16_t k = x->reaped++;

	assert_true((uint16_t)(used_idx(x) - k) >= 1);
	memcpy(&e, at(x, USED_GPA + 4 + 8ull * (k & (x->size - 1))), sizeof(e));
	assert_int_equal(e.id, ring[k & (x->size - 1)]);
	return e.result;
}

/* One request in descriptors 0/1, alone in a notify: its result. */
static int32_t one(struct hc_fixture *x)
{
	post(x, 0);
	assert_int_equal(notify(x), 1);
	return reap(x);
}

static int32_t open_file(struct hc_fixture *x, const char *path, uint32_t flags)
{
	put_open(x, 0, path, flags, 0);
	return one(x);
}

static void test_setup_refused(void **state)
{
	struct hc_fixture *x = *state;
	static const uint32_t bad_sizes[] = { 0, 3, 6, 100, HC_QUEUE_SIZE_MAX * 2, 65535, 65536,
					      0x80000000u, 0xffffffffu };

	assert_int_equal(hc_queue_notify(x->q, 0, NULL, 0), -HC_ENXIO); /* never set up */
	for (size_t i = 0; i < ARRAY_SIZE(bad_sizes); i++)
		assert_int_equal(setup_with(x, DESC_GPA, AVAIL_GPA, USED_GPA, bad_sizes[i], 0),
				 -HC_EINVAL);
	assert_int_equal(setup_with(x, DESC_GPA, AVAIL_GPA, USED_GPA, 8, 1), -HC_EINVAL);
	/* The block itself: at 0, past the end, straddling it. */
	assert_int_equal(hc_queue_setup(x->q, 0), -HC_EFAULT);
	assert_int_equal(hc_queue_setup(x->q, MEM), -HC_EFAULT);
	assert_int_equal(hc_queue_setup(x->q, MEM - 8), -HC_EFAULT);
	assert_int_equal(hc_queue_setup(x->q, UINT64_MAX - 4), -HC_EFAULT);
	/* Areas at 0, outside, straddling, wrapping, misaligned, overlapping. */
	assert_int_equal(setup_with(x, 0, AVAIL_GPA, USED_GPA, 8, 0), -HC_EFAULT);
	assert_int_equal(setup_with(x, DESC_GPA, AVAIL_GPA, MEM - 16, 8, 0), -HC_EFAULT);
	assert_int_equal(setup_with(x, DESC_GPA, UINT64_MAX - 15, USED_GPA, 8, 0), -HC_EFAULT);
	assert_int_equal(setup_with(x, MEM + 4096, AVAIL_GPA, USED_GPA, 8, 0), -HC_EFAULT);
	assert_int_equal(setup_with(x, DESC_GPA + 8, AVAIL_GPA, USED_GPA, 8, 0), -HC_EINVAL);
	assert_int_equal(setup_with(x, DESC_GPA, AVAIL_GPA + 1, USED_GPA, 8, 0), -HC_EINVAL);
	assert_int_equal(setup_with(x, DESC_GPA, AVAIL_GPA, USED_GPA + 2, 8, 0), -HC_EINVAL);
	assert_int_equal(setup_with(x, DESC_GPA, DESC_GPA + 64, USED_GPA, 8, 0), -HC_EINVAL);
	assert_int_equal(setup_with(x, DESC_GPA, AVAIL_GPA, AVAIL_GPA + 16, 8, 0), -HC_EINVAL);
	assert_int_equal(setup_with(x, USED_GPA + 32, AVAIL_GPA, USED_GPA, 8, 0), -HC_EINVAL);
	assert_int_equal(hc_queue_notify(x->q, 0, NULL, 0), -HC_ENXIO); /* still not set up */
	/* A good one, then not twice; a queue number other than 0 does not exist. */
	setup_queue(x, HC_QUEUE_SIZE_MAX);
	assert_int_equal(setup_with(x, DESC_GPA, AVAIL_GPA, USED_GPA, 8, 0), -HC_EBUSY);
	assert_int_equal(hc_queue_notify(x->q, 1, NULL, 0), -HC_ENXIO);
	assert_int_equal(hc_queue_notify(x->q, 0, NULL, 0), 0);
	assert_null(hc_queue_broken(x->q));
}

static void test_open_read_write_close(void **state)
{
	struct hc_fixture *x = *state;
	char got[32];
	int32_t in, out;

	put_file(x->t.root, "data.txt", "hello queue", 11);
	setup_queue(x, 8);
	in = open_file(x, "data.txt", HC_O_RDONLY);
	out = open_file(x, "/out.txt", HC_O_WRONLY | HC_O_CREAT | HC_O_EXCL);
	assert_int_equal(in, 0);
	assert_int_equal(out, 1);
	put_req(x, 0, HC_QOP_READ, 0, in, DATA_GPA, 100);
	assert_int_equal(one(x), 11);
	assert_memory_equal(at(x, DATA_GPA), "hello queue", 11);
	put_req(x, 0, HC_QOP_WRITE, 0, out, DATA_GPA, 11);
	assert_int_equal(one(x), 11);
	put_req(x, 0, HC_QOP_READ, 0, in, DATA_GPA, 100);
	assert_int_equal(one(x), 0); /* end of file */
	put_req(x, 0, HC_QOP_CLOSE, 0, in, 0, 0);
	assert_int_equal(one(x), 0);
	put_req(x, 0, HC_QOP_CLOSE, 0, in, 0, 0);
	assert_int_equal(one(x), -HC_EBADF);
	put_req(x, 0, HC_QOP_CLOSE, 0, out, 0, 0);
	assert_int_equal(one(x), 0);
	assert_int_equal(file_read(x->t.root, "out.txt", got, sizeof(got)), 11);
	assert_memory_equal(got, "hello queue", 11);
	assert_int_equal(open_file(x, "out.txt", HC_O_WRONLY | HC_O_CREAT | HC_O_EXCL), -HC_EEXIST);
	assert_int_equal(open_file(x, "../outside/secret.txt", HC_O_RDONLY), -HC_ENOENT);
	assert_int_equal(hc_files_open_count(x->f), 0);
}

/* 32 reads into adjacent buffers are one host call; so are 32 writes; in ring order. */
static void test_merged_in_order(void **state)
{
	struct hc_fixture *x = *state;
	int32_t in, out;
	int64_t calls;

	put_random_file(x->t.root, "src", 32 * 4096);
	setup_queue(x, 128);
	in = open_file(x, "src", HC_O_RDONLY);
	out = open_file(x, "dst", HC_O_WRONLY | HC_O_CREAT);
	for (uint16_t i = 0; i < 32; i++)
		put_req(x, i, HC_QOP_READ, 0, in, DATA_GPA + 4096ull * i, 4096);
	for (uint16_t i = 32; i < 64; i++)
		put_req(x, i, HC_QOP_WRITE, 0, out, DATA_GPA + 4096ull * (i - 32), 4096);
	for (uint16_t i = 0; i < 64; i++)
		post(x, (uint16_t)(2 * i));
	calls = (int64_t)hc_queue_stats(x->q).host_calls;
	assert_int_equal(notify(x), 64);
	assert_int_equal(hc_queue_stats(x->q).host_calls - (uint64_t)calls, 2);
	for (int i = 0; i < 64; i++)
		assert_int_equal(reap(x), 4096);
	assert_true(file_checksum(x->t.root, "src") == file_checksum(x->t.root, "dst"));
	/* Buffers that are not adjacent: one call each, the same results. */
	put_req(x, 0, HC_QOP_CLOSE, 0, in, 0, 0);
	assert_int_equal(one(x), 0);
	in = open_file(x, "src", HC_O_RDONLY);
	for (uint16_t i = 0; i < 32; i++) {
		put_req(x, i, HC_QOP_READ, 0, in, DATA_GPA + 8192ull * i, 4096);
		post(x, (uint16_t)(2 * i));
	}
	calls = (int64_t)hc_queue_stats(x->q).host_calls;
	assert_int_equal(notify(x), 32);
	assert_int_equal(hc_queue_stats(x->q).host_calls - (uint64_t)calls, 32);
	for (int i = 0; i < 32; i++)
		assert_int_equal(reap(x), 4096);
}

/*
 * In order means in order: a read that fills the memory holding the next
 * request's header changes that request, as if each ran alone. The file
 * holds a header (a read of descriptor 9); the first read lands it over the
 * second request's own header, whose buffer comes right after the first's.
 */
static void test_read_over_next_header(void **state)
{
	struct hc_fixture *x = *state;
	struct hc_qreq bad = { .op = HC_QOP_READ, .fd = 9 };
	int32_t in;

	put_file(x->t.root, "hdr", &bad, sizeof(bad));
	setup_queue(x, 8);
	in = open_file(x, "hdr", HC_O_RDONLY);
	put_req(x, 0, HC_QOP_READ, 0, in, DATA_GPA, 16);
	put_hdr(x, 1, HC_QOP_READ, 0, in, 0, 0);
	memcpy(at(x, DATA_GPA), at(x, HDR_GPA + 16), 16); /* request 1's header, in R0's buffer */
	put_desc(x, 2, DATA_GPA, 16, HC_QDESC_F_NEXT, 3);
	put_desc(x, 3, DATA_GPA + 16, 16, HC_QDESC_F_WRITE, 0);
	post(x, 0);
	post(x, 2);
	assert_int_equal(notify(x), 2);
	assert_int_equal(reap(x), 16);
	assert_int_equal(reap(x), -HC_EBADF);
}

/*
 * A merged run that meets the end of the file: what sequential reads give
 * (4096, 4096, 1808, then 0s); with links, the rest are cancelled instead.
 */
static void test_end_of_file_in_a_run(void **state)
{
	struct hc_fixture *x = *state;
	int32_t in;

	put_random_file(x->t.root, "src", 10000);
	setup_queue(x, 16);
	for (int linked = 0; linked < 2; linked++) {
		in = open_file(x, "src", HC_O_RDONLY);
		for (uint16_t i = 0; i < 6; i++) {
			put_req(x, i, HC_QOP_READ, linked ? HC_QREQ_F_LINK : 0, in,
				DATA_GPA + 4096ull * i, 4096);
			post(x, (uint16_t)(2 * i));
		}
		assert_int_equal(notify(x), 6);
		assert_int_equal(reap(x), 4096);
		assert_int_equal(reap(x), 4096);
		assert_int_equal(reap(x), 1808);
		for (int i = 3; i < 6; i++)
			assert_int_equal(reap(x), linked ? -HC_ECANCELED : 0);
		put_req(x, 0, HC_QOP_CLOSE, 0, in, 0, 0);
		assert_int_equal(one(x), 0);
	}
}

/*
 * Links: a request that does not complete in full cancels the next, and
 * the next after it while the cancelled ones carry the flag; an unlinked
 * request ends the chain; a link ends with its notify.
 */
static void test_links(void **state)
{
	struct hc_fixture *x = *state;
	int32_t in;

	put_random_file(x->t.root, "src", 8192);
	setup_queue(x, 16);
	in = open_file(x, "src", HC_O_RDONLY);
	put_req(x, 0, HC_QOP_READ, HC_QREQ_F_LINK, 9, DATA_GPA, 10);           /* EBADF */
	put_req(x, 1, HC_QOP_READ, HC_QREQ_F_LINK, in, DATA_GPA, 10);          /* cancelled */
	put_req(x, 2, HC_QOP_READ, 0, in, DATA_GPA, 10);                       /* cancelled, ends it */
	put_req(x, 3, HC_QOP_READ, HC_QREQ_F_LINK, in, DATA_GPA, 10);          /* runs: 10 */
	put_req(x, 4, HC_QOP_CLOSE, HC_QREQ_F_LINK, 12, 0, 0);                 /* runs: EBADF */
	put_req(x, 5, HC_QOP_READ, 0, in, DATA_GPA, 10);                       /* cancelled */
	put_req(x, 6, HC_QOP_READ, HC_QREQ_F_LINK, in, 0, 10);                 /* EFAULT (refused) */
	for (uint16_t i = 0; i < 7; i++)
		post(x, (uint16_t)(2 * i));
	assert_int_equal(notify(x), 7);
	assert_int_equal(reap(x), -HC_EBADF);
	assert_int_equal(reap(x), -HC_ECANCELED);
	assert_int_equal(reap(x), -HC_ECANCELED);
	assert_int_equal(reap(x), 10);
	assert_int_equal(reap(x), -HC_EBADF);
	assert_int_equal(reap(x), -HC_ECANCELED);
	assert_int_equal(reap(x), -HC_EFAULT);
	/* The failed link at the end of that notify does not reach into this one. */
	put_req(x, 0, HC_QOP_READ, 0, in, DATA_GPA, 10);
	assert_int_equal(one(x), 10);
	/* A short read breaks a link too: 8192 - 20 bytes are left. */
	put_req(x, 0, HC_QOP_READ, HC_QREQ_F_LINK, in, DATA_GPA, 65536);
	put_req(x, 1, HC_QOP_READ, 0, in, DATA_GPA, 10);
	post(x, 0);
	post(x, 2);
	assert_int_equal(notify(x), 2);
	assert_int_equal(reap(x), 8192 - 20);
	assert_int_equal(reap(x), -HC_ECANCELED);
}

/* A chain in descriptors [0, n) with header 0 and data buffers of 16 bytes. */
static void put_long_chain(struct hc_fixture *x, uint16_t n)
{
	uint64_t hdr = put_hdr(x, 0, HC_QOP_READ, 0, 0, 0, 0);

	put_desc(x, 0, hdr, 16, HC_QDESC_F_NEXT, 1);
	for (uint16_t i = 1; i < n; i++)
		put_desc(x, i, DATA_GPA + 16ull * i, 16,
			 HC_QDESC_F_WRITE | (i + 1 < n ? HC_QDESC_F_NEXT : 0), (uint16_t)(i + 1));
}

/* Every hostile chain the ABI names, one request each, with its exact answer. */
static void test_hostile_chains(void **state)
{
	struct hc_fixture *x = *state;
	uint8_t before[4096];
	int32_t in;
	char *long_path = malloc(HC_PATH_MAX + 1);

	put_random_file(x->t.root, "src", 65536);
	setup_queue(x, 32);
	in = open_file(x, "src", HC_O_RDONLY);
	assert_int_equal(in, 0);

	/* Indexes out of range: the head, and a next. */
	post(x, 32);
	post(x, 0xffff);
	assert_int_equal(notify(x), 2);
	assert_int_equal(reap(x), -HC_EINVAL);
	assert_int_equal(reap(x), -HC_EINVAL);
	put_req(x, 0, HC_QOP_READ, 0, in, DATA_GPA, 16);
	put_desc(x, 0, HDR_GPA, 16, HC_QDESC_F_NEXT, 32);
	assert_int_equal(one(x), -HC_EINVAL);
	/* Loops and chains too long; the longest allowed one works. */
	put_desc(x, 0, HDR_GPA, 16, HC_QDESC_F_NEXT, 0);
	assert_int_equal(one(x), -HC_ELOOP);
	put_req(x, 0, HC_QOP_READ, 0, in, DATA_GPA, 16);
	put_desc(x, 1, DATA_GPA, 16, HC_QDESC_F_WRITE | HC_QDESC_F_NEXT, 0);
	assert_int_equal(one(x), -HC_ELOOP);
	put_long_chain(x, HC_QUEUE_CHAIN_MAX + 1);
	assert_int_equal(one(x), -HC_ELOOP);
	put_long_chain(x, HC_QUEUE_CHAIN_MAX);
	assert_int_equal(one(x), 16 * (HC_QUEUE_CHAIN_MAX - 1));
	/* Flags: an unknown descriptor flag (virtio's INDIRECT), unknown request flags. */
	put_req(x, 0, HC_QOP_READ, 0, in, DATA_GPA, 16);
	put_desc(x, 1, DATA_GPA, 16, HC_QDESC_F_WRITE | 4, 0);
	assert_int_equal(one(x), -HC_EINVAL);
	put_req(x, 0, HC_QOP_READ, 0x8000, in, DATA_GPA, 16);
	assert_int_equal(one(x), -HC_EINVAL);
	/* The header: host-writable, too short, too long. */
	put_req(x, 0, HC_QOP_READ, 0, in, DATA_GPA, 16);
	put_desc(x, 0, HDR_GPA, 16, HC_QDESC_F_NEXT | HC_QDESC_F_WRITE, 1);
	assert_int_equal(one(x), -HC_EINVAL);
	put_desc(x, 0, HDR_GPA, 15, HC_QDESC_F_NEXT, 1);
	assert_int_equal(one(x), -HC_EINVAL);
	put_desc(x, 0, HDR_GPA, 17, HC_QDESC_F_NEXT, 1);
	assert_int_equal(one(x), -HC_EINVAL);
	/* Data in the wrong direction, or the wrong count; unknown operations. */
	put_req(x, 0, HC_QOP_READ, 0, in, DATA_GPA, 16);
	put_desc(x, 1, DATA_GPA, 16, 0, 0);
	assert_int_equal(one(x), -HC_EINVAL);
	put_req(x, 0, HC_QOP_WRITE, 0, in, DATA_GPA, 16);
	put_desc(x, 1, DATA_GPA, 16, HC_QDESC_F_WRITE, 0);
	assert_int_equal(one(x), -HC_EINVAL);
	put_req(x, 0, HC_QOP_OPEN, 0, 0, 0, 0);
	assert_int_equal(one(x), -HC_EINVAL);
	put_req(x, 0, HC_QOP_CLOSE, 0, in, DATA_GPA, 16);
	assert_int_equal(one(x), -HC_EINVAL);
	for (uint16_t op = 0; op < 8; op += 5) {
		put_req(x, 0, op, 0, in, DATA_GPA, 16);
		assert_int_equal(one(x), -HC_EOPNOTSUPP);
	}
	put_req(x, 0, 0xffff, 0, in, 0, 0);
	assert_int_equal(one(x), -HC_EOPNOTSUPP);
	/* Addresses: 0, past the end, straddling it, wrapping. */
	put_req(x, 0, HC_QOP_READ, 0, in, 0, 16);
	assert_int_equal(one(x), -HC_EFAULT);
	put_req(x, 0, HC_QOP_READ, 0, in, MEM, 16);
	assert_int_equal(one(x), -HC_EFAULT);
	put_req(x, 0, HC_QOP_READ, 0, in, MEM - 8, 16);
	assert_int_equal(one(x), -HC_EFAULT);
	put_req(x, 0, HC_QOP_READ, 0, in, UINT64_MAX - 7, 16);
	assert_int_equal(one(x), -HC_EFAULT);
	put_req(x, 0, HC_QOP_READ, 0, in, DATA_GPA, 16);
	put_desc(x, 0, 0, 16, HC_QDESC_F_NEXT, 1);
	assert_int_equal(one(x), -HC_EFAULT);
	/* Buffers on the queue's own areas: refused, and the areas are not written
	 * (used entries 8 .. 15 were published long before and are not again here). */
	memcpy(before, at(x, USED_GPA), sizeof(before));
	put_req(x, 0, HC_QOP_READ, 0, in, USED_GPA + 64, 64);
	assert_int_equal(one(x), -HC_EFAULT);
	put_req(x, 0, HC_QOP_READ, 0, in, DESC_GPA + 16 * 31, 64);
	assert_int_equal(one(x), -HC_EFAULT);
	put_req(x, 0, HC_QOP_READ, 0, in, AVAIL_GPA - 8, 16);
	assert_int_equal(one(x), -HC_EFAULT);
	put_req(x, 0, HC_QOP_WRITE, 0, in, USED_GPA, 8);
	assert_int_equal(one(x), -HC_EFAULT);
	put_req(x, 0, HC_QOP_READ, 0, in, DATA_GPA, 16);
	put_desc(x, 0, DESC_GPA + 16 * 5, 16, HC_QDESC_F_NEXT, 1); /* the header in the table */
	assert_int_equal(one(x), -HC_EFAULT);
	assert_int_equal(memcmp(before + 4 + 8 * 8, at(x, USED_GPA + 4 + 8 * 8), 64), 0);
	/* Aliased buffers adding up to more than memory (the ABI's Limits). */
	put_hdr(x, 0, HC_QOP_READ, 0, in, 0, 0);
	put_desc(x, 0, HDR_GPA, 16, HC_QDESC_F_NEXT, 1);
	put_desc(x, 1, DATA_GPA, MEM - DATA_GPA, HC_QDESC_F_WRITE | HC_QDESC_F_NEXT, 2);
	put_desc(x, 2, DATA_GPA, MEM - DATA_GPA, HC_QDESC_F_WRITE, 0);
	assert_int_equal(one(x), -HC_E2BIG);
	/* Paths: no NUL within the buffer; longer than HC_PATH_MAX. */
	put_open(x, 0, "src", HC_O_RDONLY, 0);
	put_desc(x, 1, PATH_GPA, 3, 0, 0);
	assert_int_equal(one(x), -HC_EINVAL);
	memset(long_path, 'a', HC_PATH_MAX);
	memcpy(at(x, DATA_GPA), long_path, HC_PATH_MAX);
	put_desc(x, 1, DATA_GPA, HC_PATH_MAX, 0, 0);
	assert_int_equal(one(x), -HC_ENAMETOOLONG);
	memset(at(x, DATA_GPA + HC_PATH_MAX), 0, 1);
	put_desc(x, 1, DATA_GPA, HC_PATH_MAX + 1, 0, 0);
	assert_int_equal(one(x), -HC_ENAMETOOLONG);
	/* The queue and the file still work. */
	put_req(x, 0, HC_QOP_READ, 0, in, DATA_GPA, 16);
	assert_int_equal(one(x), 16);
	assert_null(hc_queue_broken(x->q));
	free(long_path);
}

/* A notify with nothing new answers 0 and writes nothing. */
static void test_nothing_new(void **state)
{
	struct hc_fixture *x = *state;

	setup_queue(x, 4);
	assert_int_equal(notify(x), 0);
	put_req(x, 0, HC_QOP_CLOSE, 0, 3, 0, 0);
	assert_int_equal(one(x), -HC_EBADF);
	assert_int_equal(notify(x), 0);
	assert_int_equal(notify(x), 0);
	assert_int_equal(used_idx(x), 1);
	assert_int_equal(hc_queue_stats(x->q).requests, 1);
}

/* Free-running 16-bit indexes wrap at 65536: 70 000 requests through a ring of 4. */
static void test_indexes_wrap(void **state)
{
	struct hc_fixture *x = *state;
	int32_t in;

	put_random_file(x->t.root, "src", 100);
	setup_queue(x, 4);
	in = open_file(x, "src", HC_O_RDONLY);
	put_req(x, 0, HC_QOP_READ, 0, in, DATA_GPA, 1);
	for (int round = 0; round < 17500; round++) {
		for (int i = 0; i < 4; i++)
			post(x, 0);
		assert_int_equal(notify(x), 4);
		for (int i = 0; i < 4; i++) {
			int32_t r = reap(x);

			if (r != (round * 4 + i < 100 ? 1 : 0))
				fail_msg("request %d answered %d", round * 4 + i, r);
		}
	}
	assert_int_equal(used_idx(x), (uint16_t)70001);
}

/* An available index further ahead than the ring holds: broken for good, nothing touched. */
static void test_broken_queue(void **state)
{
	struct hc_fixture *x = *state;
	uint8_t used[64];

	setup_queue(x, 8);
	put_req(x, 0, HC_QOP_CLOSE, 0, 3, 0, 0);
	assert_int_equal(one(x), -HC_EBADF);
	memcpy(used, at(x, USED_GPA), sizeof(used));
	x->posted = (uint16_t)(x->posted + 9);
	assert_int_equal(notify(x), -HC_EIO);
	assert_non_null(hc_queue_broken(x->q));
	assert_non_null(strstr(hc_queue_broken(x->q), "more than the ring's 8 entries"));
	x->posted = (uint16_t)(x->posted - 8); /* back to one new request: still refused */
	assert_int_equal(notify(x), -HC_EIO);
	assert_memory_equal(used, at(x, USED_GPA), sizeof(used));
	assert_int_equal(setup_with(x, DESC_GPA, AVAIL_GPA, USED_GPA, 8, 0), -HC_EBUSY);
	assert_int_equal(hc_queue_stats(x->q).requests, 1);
}

/* An index that moved backwards is 65535 ahead: broken too. */

static void test_index_moved_backwards(void **state)
{
	struct hc_fixture *x = *state;

	setup_queue(x, 8);
	x->posted = (uint16_t)(x->posted - 1);
	assert_int_equal(notify(x), -HC_EIO);
	assert_non_null(hc_queue_broken(x->q));
}

/* The run's --timeout already passed: the host takes nothing; afterwards all of it. */
static void test_timeout(void **state)
{
	struct hc_fixture *x = *state;

	setup_queue(x, 8);
	put_req(x, 0, HC_QOP_CLOSE, 0, 3, 0, 0);
	for (int i = 0; i < 5; i++)
		post(x, 0);
	x->deadline = monotonic_seconds() - 1;
	assert_int_equal(notify(x), 0);
	assert_int_equal(used_idx(x), 0);
	x->deadline = 0;
	assert_int_equal(notify(x), 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(reap(x), -HC_EBADF);
}

/* --- a guest thread rewriting its rings while the host reads them ------------------ */

struct racer {
	struct hc_fixture *x;
	bool stop;                /* atomic: set by the test's thread */
	uint64_t rng;
};

static uint64_t racer_random(struct racer *r)
{
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 7;
	r->rng ^= r->rng << 17;
	return r->rng;
}

/* An address that is fine, on the rings, at 0, or past the end. */
static uint64_t any_gpa(uint64_t v)
{
	static const uint64_t fixed[] = { 0, DESC_GPA, AVAIL_GPA + 2, USED_GPA, MEM - 8, MEM,
					  UINT64_MAX - 3, HDR_GPA, PATH_GPA };

	return v % 3 ? DATA_GPA + (v >> 8) % (MEM - DATA_GPA) : fixed[(v >> 4) % ARRAY_SIZE(fixed)];
}

static void *racer_main(void *arg)
{
	struct racer *r = arg;
	struct hc_fixture *x = r->x;

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		uint64_t v = racer_random(r);
		volatile uint8_t *p;

		switch (v % 4) {
		case 0: /* a descriptor's address and length */
			p = at(x, DESC_GPA + 16 * ((v >> 8) % x->size));
			*(volatile uint64_t *)p = any_gpa(v >> 16);
			*(volatile uint32_t *)(p + 8) = (uint32_t)(v >> 40) % 70000;
			break;
		case 1: /* its flags and next */
			p = at(x, DESC_GPA + 16 * ((v >> 8) % x->size));
			*(volatile uint32_t *)(p + 12) = (uint32_t)(v >> 20);
			break;
		case 2: /* a header */
			p = at(x, HDR_GPA + 16 * ((v >> 8) % x->size));
			*(volatile uint16_t *)p = (uint16_t)(v >> 20) % 6;
			*(volatile uint32_t *)(p + 4) = (uint32_t)(v >> 32) % 20;
			break;
		default: /* a ring entry */
			p = at(x, AVAIL_GPA + 4 + 2 * ((v >> 8) % x->size));
			*(volatile uint16_t *)p = (uint16_t)((v >> 20) % (x->size + 2));
		}
	}
	return NULL;
}

/*
 * Another vCPU of the guest rewrites descriptors, headers and ring entries
 * as fast as it can while the host carries out notifies: every answer is
 * still a count or an error, every result in range, and nothing outside
 * guest memory or outside the root is touched (canaries, ASan).
 */
static void test_rings_change_while_read(void **state)
{
	struct hc_fixture *x = *state;
	struct racer r = { .x = x, .rng = 0x9e3779b97f4a7c15ull };
	pthread_t t;

	put_random_file(x->t.root, "src", 300000);
	setup_queue(x, 32);
	for (uint16_t i = 0; i < 32; i++)
		put_req(x, i, i % 2 ? HC_QOP_WRITE : HC_QOP_READ, 0, i % 4,
			DATA_GPA + 4096ull * i, 4096);
	assert_int_equal(pthread_create(&t, NULL, racer_main, &r), 0);
	for (int round = 0; round < 3000; round++) {
		int64_t done;

		if (round % 500 == 0)
			put_open(x, 0, round % 1000 ? "src" : "w", HC_O_RDWR | HC_O_CREAT, 0);
		for (int i = 0; i < 16; i++)
			post(x, (uint16_t)(2 * i));
		done = notify(x);
		if (done != 16)
			fail_msg("round %d: notify answered %lld", round, (long long)done);
		for (int i = 0; i < 16; i++) {
			struct hc_qused_elem e;

			memcpy(&e, at(x, USED_GPA + 4 + 8ull * (x->reaped++ & (x->size - 1))), 8);
			if (e.result < -4095 || e.result > (int32_t)MEM)
				fail_msg("round %d: result %d", round, e.result);
		}
	}
	__atomic_store_n(&r.stop, true, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	check_canaries(x);
	assert_null(hc_queue_broken(x->q));
}

/* --- random queues -------------------------------------------------------------------- */

static void random_desc(struct hc_fixture *x, uint16_t i)
{
	uint64_t v = next_random();
	uint16_t flags = v % 8 ? (uint16_t)((v >> 8) & 3) : (uint16_t)(v >> 8);

	put_desc(x, i, v % 5 ? any_gpa(next_random()) : next_random(),
		 v % 7 ? (uint32_t)(next_random() % 9000) : (uint32_t)next_random(), flags,
		 (uint16_t)(v % 11 ? (v >> 24) % x->size : v >> 24));
}

static void random_queue(struct hc_fixture *x)
{
	uint64_t v = next_random();
	int64_t done;
	uint16_t n = (uint16_t)(v % (x->size + 1));

	for (uint16_t i = 0; i < x->size; i++) {
		if (next_random() % 4 == 0)
			random_desc(x, i);
		if (next_random() % 4 == 0)
			put_hdr(x, i, (uint16_t)(next_random() % 6), (uint16_t)(next_random() % 3),
				(int32_t)(next_random() % 24) - 4, (uint32_t)next_random() % 0x100,
				(uint32_t)next_random() % 01000);
	}
	for (uint16_t i = 0; i < n; i++)
		post(x, (uint16_t)(next_random() % (x->size + 2)));
	done = notify(x);
	if (done != n)
		fail_msg("notify of %u answered %lld", n, (long long)done);
	for (uint16_t i = 0; i < n; i++) {
		int32_t r = reap(x);

		if (r < -4095)
			fail_msg("result %d", r);
	}
}

/* 5000 notifies of random chains, headers and ring entries: every answer in range. */
static void test_random_queues(void **state)
{
	struct hc_fixture *x = *state;

	put_random_file(x->t.root, "src", 100000);
	seed_random(0x5eed);
	setup_queue(x, 16);
	for (uint16_t i = 0; i < 7; i++)
		put_req(x, i, (uint16_t)(2 + i % 3), 0, i % 5, DATA_GPA + 8192ull * i, 8192);
	put_open(x, 7, "src", HC_O_RDWR, 0);
	for (int i = 0; i < 5000; i++)
		random_queue(x);
	check_canaries(x);
	assert_null(hc_queue_broken(x->q));
}

/* --- guest: lab-c --queue cp and the hostile queue guest on KVM ------------------------- */

struct run {
	enum vcpu_end end;
	int64_t status;
	uint64_t exits;
	struct hc_queue_stats stats;
	bool broken;               /* the queue broke */
	uint64_t bytes_written;
	char output[4096];         /* the start of what the guest printed (stdout and stderr) */
	char said[2048];           /* lines from anywhere in it that start with "hostile-queue:" */
};

/* The hostile guest's own lines, among whatever random bytes it had the host print. */
static void collect_said(FILE *out, struct run *r)
{
	char line[512];
	size_t len = 0;

	rewind(out);
	while (fgets(line, sizeof(line), out))
		if (!strncmp(line, "hostile-queue:", 14) && len + strlen(line) < sizeof(r->said)) {
			strcpy(r->said + len, line);
			len += strlen(line);
		}
}

/*
 * Run an image with a file table rooted at root and a queue over the
 * instance's mapped memory, its output captured (stdout to out_fd when >= 0,
 * else with stderr into r->output). false: no KVM here.
 */
static bool run_queue_image(struct guest_image img, const char *root, uint64_t mem, int argc,
			    char **argv, double timeout, int out_fd, struct run *r)
{
	struct vm vm;
	struct vcpu v;
	struct instance_layout layout;
	struct hc_files *files;
	struct hc_queue *q;
	struct phys_mem window;
	struct capture cap;
	const char *why;

	memset(r, 0, sizeof(*r));
	if (!boot_test_guest(&vm, &v, &img, mem, timeout, argc, argv, &layout))
		return false;
	assert_int_equal(hc_files_create_raw(root, &files, &why), 0);
	hc_files_allow_consoles(files);
	window = (struct phys_mem){ .host = vm.mem.host, .size = layout.mapped_end };
	assert_int_equal(hc_queue_create_raw(files, &window, &q), 0);
	hc_register_print_exits(&vm);
	hc_register_fs(&vm);
	hc_register_queue(&vm, q);
	hc_files_attach(&v, files);

	capture_start(&cap, out_fd);
	r->end = vcpu_run(&v);
	capture_stop(&cap, r->output, sizeof(r->output));
	collect_said(cap.file, r);
	capture_close(&cap);

	r->status = v.guest_status;
	r->exits = v.exits;
	r->stats = hc_queue_stats(q);
	r->broken = hc_queue_broken(q) != NULL;
	r->bytes_written = files->stats.bytes_written;
	hc_queue_destroy(q);
	hc_files_destroy(files);
	vcpu_destroy(&v);
	vm_destroy(&vm);
	return true;
}

static void run_qcp(const char *root, uint64_t mem, char **argv, struct run *r)
{
	if (!run_queue_image(guest_image_lab_c_queue(), root, mem, 7, argv, 60, -1, r))
		skip();
}

static void copy_and_compare(struct tree *t, size_t size, uint32_t chunk,
			     uint32_t batch, uint64_t mem)
{
	char c[16], b[16];
	char *argv[] = { "lab-c", "cp", "src.bin", "dst.bin", c, "1", b, NULL };
	struct run r;

	snprintf(c, sizeof(c), "%u", chunk);
	snprintf(b, sizeof(b), "%u", batch);
	put_random_file(t->root, "src.bin", size);
	run_qcp(t->root, mem, argv, &r);
	if (r.end != VCPU_HALTED || r.status != 0)
		fail_msg("queue cp of %zu bytes, chunk %u, batch %u: end %d, status %lld: %s", size,
			 chunk, batch, r.end, (long long)r.status, r.output);
	assert_int_equal(file_size(t->root, "dst.bin"), (long long)size);
	assert_true(file_checksum(t->root, "src.bin") == file_checksum(t->root, "dst.bin"));
	assert_int_equal(r.bytes_written, size);
	/* Exits: setup, opens, one per batch of data, the tail, closes, HLT. */
	if (r.exits > 5 + (2 * (size / chunk) + 2) / batch + 2)
		fail_msg("%zu bytes in chunks of %u, batches of %u: %llu exits", size, chunk, batch,
			 (unsigned long long)r.exits);
}

static void test_cp_sizes(void **state)
{
	static const size_t sizes[] = { 0, 1, 4095, 4097, 65537, 1234567 };
	static const uint32_t chunks[] = { 4096, 1 << 20, 1000 };
	static const uint32_t batches[] = { 2, 64, 512 };

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		for (size_t c = 0; c < ARRAY_SIZE(chunks); c++)
			for (size_t b = 0; b < ARRAY_SIZE(batches); b++)
				copy_and_compare(*state, sizes[i], chunks[c], batches[b], 8 << 20);
}

/* 64 MiB, and at 4 KiB chunks in batches of 64 at most one exit per 32 requests. */
static void test_cp_64_mib(void **state)
{
	struct tree *t = *state;
	char *argv[] = { "lab-c", "cp", "src.bin", "dst.bin", "4096", "1", "64", NULL };
	struct run r;

	copy_and_compare(t, 64 << 20, 65536, 64, 8 << 20);
	run_qcp(t->root, 4 << 20, argv, &r);
	assert_int_equal(r.status, 0);
	assert_true(file_checksum(t->root, "src.bin") == file_checksum(t->root, "dst.bin"));
	assert_true(r.stats.requests >= 2 * 16384);
	assert_true(r.exits * 32 <= r.stats.requests);
}

static void test_cp_refusals(void **state)
{
	struct tree *t = *state;
	char *keep[] = { "lab-c", "cp", "src", "keep.txt", "4096", "0", "64", NULL };
	char *missing[] = { "lab-c", "cp", "missing", "out", "4096", "0", "64", NULL };
	char *escape[] = { "lab-c", "cp", "../outside/secret.txt", "out", "4096", "0", "64", NULL };
	char *to_dir[] = { "lab-c", "cp", "src", "/", "4096", "1", "64", NULL };
	char got[16];
	struct run r;

	put_file(t->root, "src", "new", 3);
	put_file(t->root, "keep.txt", "precious", 8);
	run_qcp(t->root, 2 << 20, keep, &r);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.output, "keep.txt exists: refusing to overwrite it"));
	assert_int_equal(file_read(t->root, "keep.txt", got, sizeof(got)), 8);
	/* A source that cannot be opened: the destination is not even created (the link). */
	run_qcp(t->root, 2 << 20, missing, &r);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.output, "cannot open missing: ENOENT"));
	assert_int_equal(file_size(t->root, "out"), -1);
	run_qcp(t->root, 2 << 20, escape, &r);
	assert_int_equal(r.status, 1);
	assert_int_equal(file_size(t->root, "out"), -1);
	run_qcp(t->root, 2 << 20, to_dir, &r);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.output, "cannot open /: EISDIR"));
	assert_int_equal(entries_in(t->root), 2);
}

/* In a child: a queued cp under a 100000-byte RLIMIT_FSIZE. 0 when the guest was told EFBIG and failed. */
static int copy_past_file_size_limit(void *arg)
{
	struct tree *t = arg;
	char *argv[] = { "lab-c", "cp", "src.bin", "dst.bin", "16384", "1", "64", NULL };
	struct rlimit small = { .rlim_cur = 100000, .rlim_max = RLIM_INFINITY };
	struct run r;

	if (setrlimit(RLIMIT_FSIZE, &small) < 0 ||
	    !run_queue_image(guest_image_lab_c_queue(), t->root, 2 << 20, 7, argv, 60, -1, &r))
		return 77;
	return r.end == VCPU_HALTED && r.status == 1 &&
	       strstr(r.output, "writing dst.bin failed after 100000 bytes: EFBIG") ? 0 : 1;
}

/* Past RLIMIT_FSIZE mid-copy, with the writes merged: EFBIG, and exactly how far it got. */
static void test_cp_file_size_limit(void **state)
{
	struct tree *t = *state;
	int status;

	put_random_file(t->root, "src.bin", 300000);
	status = status_in_child(copy_past_file_size_limit, t);
	if (status == 77)
		skip();
	assert_int_equal(status, 0);
	assert_int_equal(file_size(t->root, "dst.bin"), 100000);
}

/*
 * The hostile queue guest (guests/hostile_queue.c) under a live root: the
 * pathological cases with their exact answers, BATCHES random queues, then a
 * broken queue. The host survives; nothing appears outside the root. (Under
 * PVM the guest's own instructions are emulated, ~5 ms a random batch; on
 * VMX/SVM hardware they run natively and a batch costs its one exit.)
 */
static void hostile(struct tree *t, const char *seed, uint64_t mem,
		    const char *batches, uint64_t min_requests)
{
	char *argv[] = { "hostile-queue", (char *)seed, (char *)batches, NULL };
	struct run r;

	if (!run_queue_image(guest_image_hostile_queue(), t->root, mem, 3, argv, 60, -1, &r))
		skip();
	if (r.end != VCPU_HALTED || r.status != 0)
		fail_msg("hostile queue guest, seed %s: end %d, %lld broken answers: %s", seed,
			 r.end, (long long)r.status, r.said);
	assert_true(r.broken);
	assert_true(r.stats.requests > min_requests);
	assert_int_equal(entries_in(t->outside), 1);
}

/* Some 15,000 random requests in 2 MiB of guest memory, then 3,000 each in
 * a small memory (256 KiB) and in one whose end is not 2 MiB-aligned. */
static void test_hostile_queue_guest(void **state)
{
	hostile(*state, "1", 2 << 20, "500", 10000);
	hostile(*state, "2", 256 << 10, "100", 2000);
	hostile(*state, "3", (3 << 20) + 0x5000, "100", 2000);
}

/*
 * A notify stuck writing to a pipe nobody reads: --timeout ends the run
 * within a few seconds, the handler's time included.
 */
static void test_timeout_inside_a_notify(void **state)
{
	struct tree *t = *state;
	char *argv[] = { "hostile-queue", "1", "stall", NULL };
	int pipe_fds[2];
	double start;
	struct run r;

	assert_int_equal(pipe(pipe_fds), 0);
	start = monotonic_seconds();
	if (!run_queue_image(guest_image_hostile_queue(), t->root, 4 << 20, 3, argv, 1,
			     pipe_fds[1], &r))
		skip();
	assert_int_equal(r.end, VCPU_TIMED_OUT);
	assert_true(monotonic_seconds() - start < 5);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
}

int main(void)
{
	const struct CMUnitTest hc_tests[] = {
#define HC(t) cmocka_unit_test_setup_teardown(t, hc_setup, hc_teardown)
		HC(test_setup_refused),
		HC(test_open_read_write_close),
		HC(test_merged_in_order),
		HC(test_read_over_next_header),
		HC(test_end_of_file_in_a_run),
		HC(test_links),
		HC(test_hostile_chains),
		HC(test_nothing_new),
		HC(test_indexes_wrap),
		HC(test_broken_queue),
		HC(test_index_moved_backwards),
		HC(test_timeout),
		HC(test_rings_change_while_read),
		HC(test_random_queues),
	};
	const struct CMUnitTest guest_tests[] = {
#define GUEST(t) cmocka_unit_test_setup_teardown(t, tree_setup, tree_teardown)
		GUEST(test_cp_sizes),
		GUEST(test_cp_64_mib),
		GUEST(test_cp_refusals),
		GUEST(test_cp_file_size_limit),
		GUEST(test_hostile_queue_guest),
		GUEST(test_timeout_inside_a_notify),
	};
	int failed = 0;

	umask(022);
	signal(SIGPIPE, SIG_IGN);
	failed += cmocka_run_group_tests_name("queue.hc", hc_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("queue.guest", guest_tests, NULL, NULL);
	return failed ? 1 : 0;
}
