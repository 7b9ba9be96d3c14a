/*
 * The hostile queue guest: attacks the host's request queue (lab-c --queue;
 * the ABI: common/abi/hypercall.h, "the request queue") with bad setups,
 * the pathological chains the ABI names, thousands of random batches
 * (random descriptors, headers, ring entries and counts), and at last an
 * available index further ahead than the ring holds. Each answer must be
 * what the ABI promises; the host must survive all of it without touching
 * memory outside the guest.
 *
 * argv: hostile-queue SEED COUNT   the attacks, COUNT random batches
 *       hostile-queue SEED stall   one batch of console writes that blocks
 *                                  (the host's stdout a pipe nobody reads),
 *                                  to show --timeout ends the run
 * Returns the number of answers that broke the ABI's promises (0 = good).
 *
 * The host writes guest memory only where a host-writable buffer points.
 * Those always point into scratch, at the queue's own areas (which the
 * host must refuse), or at invalid addresses, so the guest never has its
 * own code or stack overwritten and can keep firing. Addresses are
 * guest-physical; in the kit's layout they equal guest-virtual ones.
 */
#include "rt/hypercall.h"
#include "rt/print.h"
#include "rt/random.h"
#include "rt/string.h"

#define QSIZE 64u
#define SCRATCH 16384u
#define DESC_BYTES HC_QDESC_BYTES(QSIZE)
#define AVAIL_AT DESC_BYTES
#define USED_AT ((AVAIL_AT + HC_QAVAIL_BYTES(QSIZE) + 3) & ~3u)
#define AREA_BYTES (USED_AT + HC_QUSED_BYTES(QSIZE))

/* The queue's areas, then scratch: scratch lies after the areas. */
static struct {
	uint8_t areas[AREA_BYTES];
	uint8_t scratch[SCRATCH] __attribute__((aligned(16)));
} mem __attribute__((aligned(4096)));

static struct hc_qdesc *const ring_desc = (struct hc_qdesc *)mem.areas;
static struct hc_qavail *const ring_avail = (struct hc_qavail *)(mem.areas + AVAIL_AT);
static struct hc_qused *const ring_used = (struct hc_qused *)(mem.areas + USED_AT);

static uint16_t posted, reaped;
static uint64_t rng;
static uint64_t mapped_end;
static int broken;

static uint64_t next_random(void)
{
	return xorshift64(&rng);
}

static uint64_t phys(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static void expect(int ok, const char *what, int64_t got)
{
	if (!ok) {
		broken++;
		if (broken <= 10)
			printf("hostile-queue: UNEXPECTED answer to %s: %ld\n", what, (long)got);
	}
}

/* --- the raw calls (no lab code: this tests the host's side of the ABI) ------- */

static int64_t raw_setup(uint64_t d, uint64_t a, uint64_t u, uint32_t size, uint32_t flags)
{
	struct hc_qsetup *s = (struct hc_qsetup *)mem.scratch;

	*s = (struct hc_qsetup){ .desc = d, .avail = a, .used = u, .size = size, .flags = flags };
	return hypercall_out(HC_PORT_QUEUE_SETUP, gva32(s));
}

static int64_t notify(void)
{
	ring_avail->idx = posted;
	return hypercall_out(HC_PORT_QUEUE_NOTIFY, 0);
}

static void put_desc(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	ring_desc[i] = (struct hc_qdesc){ .addr = addr, .len = len, .flags = flags, .next = next };
}

/* Header n in scratch (16 bytes each, from the start of scratch's second KiB). */
static uint64_t put_hdr(uint32_t n, uint16_t op, uint16_t flags, int32_t fd)
{
	struct hc_qreq *h = (struct hc_qreq *)(mem.scratch + 1024 + 16 * (n % 64));

	*h = (struct hc_qreq){ .op = op, .flags = flags, .fd = fd };
	return phys(h);
}

static void post(uint16_t head)
{
	ring_avail->ring[posted++ % QSIZE] = head;
}

/* The result of the next used entry; also checks it answers the head posted there. */
static int32_t reap(void)
{
	struct hc_qused_elem e = ring_used->ring[reaped % QSIZE];

	expect(e.id == ring_avail->ring[reaped % QSIZE], "used id matching the available entry", e.id);
	reaped++;
	return e.result;
}

/* A request in descriptors 0 and 1 (header 0), alone in a notify: its result. */
static int32_t one(uint16_t op, uint16_t flags, int32_t fd, uint64_t buf, uint32_t len,
		   uint16_t data_flags)
{
	int64_t done;

	put_desc(0, put_hdr(0, op, flags, fd), 16, len ? HC_QDESC_F_NEXT : 0, 1);
	put_desc(1, buf, len, data_flags, 0);
	post(0);
	done = notify();
	expect(done == 1, "notify of one request", done);
	return done == 1 ? reap() : -9999;
}

/* --- setup ------------------------------------------------------------------------- */

static void expect_setup(int64_t want, uint64_t d, uint64_t a, uint64_t u, uint32_t size,
			 uint32_t flags, const char *what)
{
	int64_t r = raw_setup(d, a, u, size, flags);

	expect(r == want, what, r);
	if (want < 0 && want != -HC_EBUSY)
		expect(notify() == -HC_ENXIO, "notify after a refused setup", 0);
}

static void attack_setup(void)
{
	uint64_t d = phys(ring_desc), a = phys(ring_avail), u = phys(ring_used);

	expect(notify() == -HC_ENXIO, "notify before any setup", 0);
	expect(hypercall_out(HC_PORT_QUEUE_SETUP, 0) == -HC_EFAULT, "setup(NULL)", 0);
	expect(hypercall_out(HC_PORT_QUEUE_SETUP, (uint32_t)mapped_end - 8) == -HC_EFAULT,
	       "setup block straddling the end", 0);
	expect_setup(-HC_EINVAL, d, a, u, 0, 0, "size 0");
	expect_setup(-HC_EINVAL, d, a, u, 3, 0, "size 3");
	expect_setup(-HC_EINVAL, d, a, u, HC_QUEUE_SIZE_MAX * 2, 0, "size too big");
	expect_setup(-HC_EINVAL, d, a, u, QSIZE, 4, "setup flags");
	expect_setup(-HC_EINVAL, d + 8, a, u, QSIZE, 0, "descriptors misaligned");
	expect_setup(-HC_EINVAL, d, a + 1, u, QSIZE, 0, "available ring misaligned");
	expect_setup(-HC_EFAULT, d, a, mapped_end - 8, QSIZE, 0, "used ring past the end");
	expect_setup(-HC_EFAULT, 0, a, u, QSIZE, 0, "descriptors at 0");
	expect_setup(-HC_EFAULT, d, 0xfffffffffffffff0ull, u, QSIZE, 0, "ring at the top");
	expect_setup(-HC_EINVAL, d, d + 16, u, QSIZE, 0, "overlapping areas");
	expect_setup(0, d, a, u, QSIZE, 0, "a good setup");
	expect_setup(-HC_EBUSY, d, a, u, QSIZE, 0, "a second setup");
}

/* --- the chains the ABI names --------------------------------------------------- */

static void attack_chains(void)
{
	uint64_t buf = phys(mem.scratch + 8192);
	uint64_t big = mapped_end - phys(mem.scratch);
	int32_t r;

	expect(notify() == 0, "a notify with nothing new", 0);
	post(QSIZE);
	post(0xffff);
	expect(notify() == 2, "notify of two bad heads", 0);
	expect(reap() == -HC_EINVAL, "head == size", 0);
	expect(reap() == -HC_EINVAL, "head 0xffff", 0);
	put_desc(0, put_hdr(0, HC_QOP_READ, 0, 0), 16, HC_QDESC_F_NEXT, 0); /* a loop */
	post(0);
	expect(notify() == 1 && reap() == -HC_ELOOP, "a chain that loops", 0);
	r = one(HC_QOP_READ, 0, 0, phys(ring_used), 64, HC_QDESC_F_WRITE);
	expect(r == -HC_EFAULT, "a read into the used ring", r);
	r = one(HC_QOP_READ, 0, 0, phys(ring_desc) + 64, 16, HC_QDESC_F_WRITE);
	expect(r == -HC_EFAULT, "a read into the descriptor table", r);
	r = one(HC_QOP_READ, 0, 0, 0, 16, HC_QDESC_F_WRITE);
	expect(r == -HC_EFAULT, "a read into NULL", r);
	r = one(HC_QOP_READ, 0, 0, mapped_end - 4, 16, HC_QDESC_F_WRITE);
	expect(r == -HC_EFAULT, "a read straddling the end", r);
	r = one(HC_QOP_READ, 0, 0, buf, 16, 0);
	expect(r == -HC_EINVAL, "a read into a host-readable buffer", r);
	r = one(7, 0, 0, buf, 16, 0);
	expect(r == -HC_EOPNOTSUPP, "an unknown operation", r);
	/* Two aliased buffers adding up to more than memory. */
	put_desc(0, put_hdr(0, HC_QOP_WRITE, 0, 3), 16, HC_QDESC_F_NEXT, 1);
	put_desc(1, phys(mem.scratch), (uint32_t)big, HC_QDESC_F_NEXT, 2);
	put_desc(2, phys(mem.scratch), (uint32_t)big, 0, 0);
	post(0);
	expect(notify() == 1, "notify", 0);
	r = reap();
	expect(r == -HC_E2BIG, "a write longer than memory", r);
	/* A link: a read of a closed descriptor cancels the close after it. */
	put_desc(0, put_hdr(0, HC_QOP_READ, HC_QREQ_F_LINK, 15), 16, HC_QDESC_F_NEXT, 1);
	put_desc(1, buf, 16, HC_QDESC_F_WRITE, 0);
	put_desc(2, put_hdr(1, HC_QOP_CLOSE, 0, 15), 16, 0, 0);
	post(0);
	post(2);
	expect(notify() == 2, "notify of a link", 0);
	r = reap();
	expect(r == -HC_EBADF, "read of a closed descriptor", r);
	r = reap();
	expect(r == -HC_ECANCELED, "the request linked after it", r);
}

/* --- random batches ------------------------------------------------------------------ */

/* Where the host may write: inside scratch, on the queue's areas, or nowhere valid. */
static void writable_buffer(uint64_t *addr, uint32_t *len)
{
	uint32_t off = (uint32_t)(next_random() % SCRATCH);

	switch (next_random() % 4) {
	case 0:
	case 1:
		*addr = phys(mem.scratch) + off;
		*len = (uint32_t)(next_random() % (SCRATCH - off + 1));
		break;
	case 2:
		*addr = phys(mem.areas) + next_random() % AREA_BYTES;
		*len = (uint32_t)(next_random() % 600);
		break;
	default: {
		static const uint64_t bad[] = { 0, 0xfffffffffffffff8ull, 0x8000000000000000ull };

		*addr = next_random() % 2 ? mapped_end + next_random() % 0x10000 : bad[next_random() % 3];
		*len = (uint32_t)next_random();
	}
	}
}

static void random_desc(uint16_t i)
{
	uint64_t v = next_random();
	uint16_t next = (uint16_t)(v % 8 ? (v >> 8) % QSIZE : v >> 8);
	uint16_t flags = (uint16_t)((v >> 24) & HC_QDESC_F_NEXT);
	uint64_t addr;
	uint32_t len;

	if (v % 3 == 0) { /* host-readable: any address at all */
		addr = next_random() % 2 ? next_random() % (mapped_end + 0x2000) : next_random();
		len = (uint32_t)(next_random() % 3 ? next_random() % 5000 : next_random());
	} else {
		writable_buffer(&addr, &len);
		flags |= HC_QDESC_F_WRITE;
	}
	if (v % 50 == 0)
		flags |= (uint16_t)(v >> 40) & ~(HC_QDESC_F_WRITE | HC_QDESC_F_NEXT); /* junk */
	put_desc(i, addr, len, flags, next);
}

/* A random header: often a real operation on a plausible descriptor, or an open's path. */
static void random_header(uint16_t i)
{
	uint16_t op = (uint16_t)(next_random() % 6);
	struct hc_qreq *h;
	uint64_t hdr = put_hdr(i, op, (uint16_t)(next_random() % 3), (int32_t)(next_random() % 22) - 4);

	h = (struct hc_qreq *)(uintptr_t)hdr;
	h->open_flags = (uint32_t)(next_random() % 2 ? next_random() & 0xff : next_random());
	h->mode = (uint32_t)next_random() % 01000;
	/* Mostly a chain whose header this is, so requests get past the chain checks. */
	if (next_random() % 4)
		put_desc(i, hdr, 16, next_random() % 8 ? HC_QDESC_F_NEXT : 0,
			 (uint16_t)(next_random() % QSIZE));
}

static void random_batch(void)
{
	uint16_t n = (uint16_t)(next_random() % (QSIZE + 1));
	int64_t done;

	for (uint16_t i = 0; i < QSIZE; i++) {
		if (next_random() % 3 == 0)
			random_desc(i);
		if (next_random() % 5 == 0)
			random_header(i);
	}
	for (uint16_t i = 0; i < n; i++)
		post((uint16_t)(next_random() % (QSIZE + 2)));
	done = notify();
	expect(done == n, "notify of a random batch", done);
	for (uint16_t i = 0; i < n && done == n; i++) {
		int32_t r = reap();

		expect(r >= -4095, "a random request", r);
	}
	reaped = posted;
}

/* At last: an available index more than the ring holds ahead. Broken, for good. */
static void attack_index(void)
{
	int64_t r;

	posted = (uint16_t)(posted + QSIZE + 1);
	r = notify();
	expect(r == -HC_EIO, "an index too far ahead", r);
	posted = (uint16_t)(posted - QSIZE);
	r = notify();
	expect(r == -HC_EIO, "a notify after the queue broke", r);
}

/* Writes to the host's stdout, 64 of them, more than a pipe holds: the host blocks. */
static int stall(void)
{
	memset(mem.scratch, 'q', SCRATCH);
	expect(raw_setup(phys(ring_desc), phys(ring_avail), phys(ring_used), QSIZE, 0) == 0, "setup", 0);
	put_desc(0, put_hdr(0, HC_QOP_WRITE, 0, HC_FD_STDOUT), 16, HC_QDESC_F_NEXT, 1);
	put_desc(1, phys(mem.scratch), SCRATCH, 0, 0);
	for (uint16_t i = 0; i < QSIZE; i++)
		post(0);
	notify();
	printf("hostile-queue: the stalled notify returned: was --timeout honoured?\n");
	return 1;
}

int main(int argc, char **argv)
{
	const char *last = argv[argc - 1];
	uint32_t count;

	rng = (argc > 1 ? parse_u32(argv[1]) : 1) * 2654435761u + 1;
	/* The host put the argument strings at the very top of the mapping. */
	mapped_end = (uint64_t)(uintptr_t)(last + strlen(last) + 1);
	if (argc > 2 && !strcmp(argv[2], "stall"))
		return stall();
	count = argc > 2 ? parse_u32(argv[2]) : 1000;
	attack_setup();
	attack_chains();
	for (uint32_t i = 0; i < count; i++)
		random_batch();
	attack_index();
	printf("hostile-queue: bad setups, the named chains, %u random batches, a broken "
	       "queue; %d broken answers\n", count, broken);
	return broken;
}
