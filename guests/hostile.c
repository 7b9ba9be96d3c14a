/*
 * The hostile guest: fires thousands of hypercalls with random and
 * pathological arguments at every port of the kit's ABI and checks that
 * each one is answered with a result or a clean error. The hypervisor must
 * survive all of it without touching memory outside the guest.
 *
 * argv: hostile SEED COUNT [fs]   ("fs" adds the filesystem ports)
 * Returns the number of answers that broke the ABI's promises (0 = good).
 *
 * Calls that make the HOST write into guest memory (read) only ever point
 * into the scratch buffer or at invalid addresses, so the guest does not
 * overwrite its own code or stack and can keep firing.
 */
#include "rt/hypercall.h"
#include "rt/print.h"
#include "rt/random.h"
#include "rt/string.h"

#define SCRATCH_SIZE 8192

/*
 * The calls, raw: this guest tests the hypervisor's side of the ABI, so it
 * uses none of the labs' guest functions (a student's may not exist yet).
 */
static int64_t raw_print(const char *str)
{
	return hypercall_out(HC_PORT_PRINT, gva32(str));
}

static int raw_exits(void)
{
	return (int)hypercall_in(HC_PORT_EXITS);
}

static int raw_read(int fd, void *buf, int len)
{
	struct hc_io args = { .buf = (uintptr_t)buf, .fd = fd, .len = len };

	return (int)hypercall_out(HC_PORT_READ, gva32(&args));
}

static int raw_close(int fd)
{
	return (int)hypercall_out(HC_PORT_CLOSE, (uint32_t)fd);
}

static uint8_t scratch[SCRATCH_SIZE];
static uint64_t rng;
static uint32_t mapped_end;
static int broken;

static uint64_t next_random(void)
{
	return xorshift64(&rng);
}

/* Addresses that are wrong in every interesting way. */
static uint32_t bad_address(void)
{
	const uint32_t fixed[] = {
		0xffffffff, 0xfffffff0, 0x80000000, 0x7fffffff,
		mapped_end, mapped_end + 1, mapped_end + 0x1000, mapped_end + 0x100000,
		0x40000000, 0x3ffffffc,
	};

	return fixed[next_random() % (sizeof(fixed) / sizeof(fixed[0]))];
}

/* Anything the host may read: any 32-bit value, or a bad address. */
static uint32_t any_address(void)
{
	switch (next_random() % 4) {
	case 0: return bad_address();
	case 1: return (uint32_t)next_random() % (mapped_end + 0x2000);
	case 2: return mapped_end - (uint32_t)(next_random() % 64);
	default: return (uint32_t)next_random();
	}
}

/* Where the host may write: inside scratch, straddling its end, or a bad address. */
static uint64_t writable_address(void)
{
	switch (next_random() % 3) {
	case 0: return bad_address();
	case 1: return (uintptr_t)scratch + next_random() % SCRATCH_SIZE;
	default: return next_random(); /* 64-bit garbage: non-canonical or unmapped */
	}
}

static int32_t any_length(void)
{
	const int32_t fixed[] = { 0, 1, -1, -4096, 0x7fffffff, (int32_t)0x80000000, 4096, 65536 };

	if (next_random() % 2)
		return fixed[next_random() % (sizeof(fixed) / sizeof(fixed[0]))];
	return (int32_t)(next_random() % (SCRATCH_SIZE * 2));
}

static void expect(int ok, const char *what, int64_t got)
{
	if (!ok) {
		broken++;
		if (broken <= 10)
			printf("hostile: UNEXPECTED answer to %s: %ld\n", what, (long)got);
	}
}

static int is_errno(int64_t r)
{
	return r < 0 && r >= -4095;
}

static void fire_print(void)
{
	int64_t r = raw_print((const char *)(uintptr_t)any_address());

	expect(r >= 0 || r == -HC_EFAULT, "print(random)", r);
}

static void fire_exits(void)
{
	static int last;
	int now = raw_exits();

	expect(now > last, "exits() not increasing", now);
	last = now;
}

static void fire_open(void)
{
	int64_t r = hypercall_out(HC_PORT_OPEN, any_address());

	expect(r >= 0 || is_errno(r), "open(random)", r);
}

static void fire_openat(void)
{
	struct hc_open *b = (struct hc_open *)scratch;
	uint32_t where = next_random() % 2 ? (uint32_t)(uintptr_t)b : any_address();
	int64_t r;

	b->path = next_random() % 2 ? (uint64_t)any_address() : next_random();
	b->flags = (uint32_t)next_random();
	b->mode = (uint32_t)next_random();
	r = hypercall_out(HC_PORT_OPENAT, where);
	expect(r >= 0 || is_errno(r), "openat(random)", r);
}

static void fire_rw(uint16_t port)
{
	struct hc_io *b = (struct hc_io *)(scratch + SCRATCH_SIZE - sizeof(*b));
	uint32_t where = next_random() % 2 ? (uint32_t)(uintptr_t)b : any_address();
	int64_t r;

	b->buf = port == HC_PORT_READ ? writable_address() : any_address();
	b->fd = (int32_t)(next_random() % 24) - 4;
	b->len = any_length();
	r = hypercall_out(port, where);
	expect(r >= 0 || is_errno(r), port == HC_PORT_READ ? "read(random)" : "write(random)", r);
}

static void fire_close(void)
{
	int64_t r = hypercall_out(HC_PORT_CLOSE, (uint32_t)(next_random() % 40) - 8);

	expect(r == 0 || r == -HC_EBADF, "close(random)", r);
}

/* The cases the issue names, with the exact answers the ABI promises. */
/* print()'s hard cases: no NUL before the end, the first unmapped byte, NULL. */
static void print_pathological(char *tail)
{
	/* A string running off the end of mapped memory with no NUL. */
	memset(tail, 'x', 3);
	expect(raw_print(tail) == -HC_EFAULT, "print(no NUL before the end)", raw_print(tail));
	expect(raw_print((const char *)(uintptr_t)mapped_end) == -HC_EFAULT,
	       "print(first unmapped byte)", 0);
	expect(raw_print((const char *)0xffffffffu) == -HC_EFAULT, "print(0xffffffff)", 0);
	/* NULL is never an argument, though page 0 holds our code (the ABI's one rule). */
	expect(raw_print(0) == -HC_EFAULT, "print(NULL)", raw_print(0));
}

static void fire_pathological(int fs)
{
	char *tail = (char *)(uintptr_t)(mapped_end - 3);
	struct hc_io *straddling = (struct hc_io *)(uintptr_t)(mapped_end - 8);

	if (!fs) {
		print_pathological(tail);
		return;
	}
	/* NULL, for a path and for an argument block: -EFAULT, as for print(). */
	expect(hypercall_out(HC_PORT_OPEN, 0) == -HC_EFAULT, "open(NULL)", 0);
	expect(hypercall_out(HC_PORT_OPENAT, 0) == -HC_EFAULT, "openat(NULL block)", 0);
	expect(hypercall_out(HC_PORT_READ, 0) == -HC_EFAULT, "read(NULL block)", 0);
	expect(hypercall_out(HC_PORT_WRITE, 0) == -HC_EFAULT, "write(NULL block)", 0);
	/* An argument block straddling the end of memory. */
	expect(hypercall_out(HC_PORT_READ, (uint32_t)(uintptr_t)straddling) == -HC_EFAULT,
	       "read(block straddling the end)", 0);
	/* A random open may have left a current file: close it, then nothing is open. */
	(void)raw_close(HC_FD_CURRENT);
	expect(raw_read(HC_FD_CURRENT, scratch, 16) == -HC_EBADF, "read(no open file)", 0);
	expect(raw_close(HC_FD_CURRENT) == -HC_EBADF, "close(nothing open)", 0);
	expect(raw_read(HC_FD_CURRENT, scratch, -1) < 0, "read(len -1)", 0);
}

int main(int argc, char **argv)
{
	uint32_t count = argc > 2 ? parse_u32(argv[2]) : 1000;
	int fs = argc > 3 && strcmp(argv[3], "fs") == 0;
	const char *last = argv[argc - 1];

	rng = (argc > 1 ? parse_u32(argv[1]) : 1) * 2654435761u + 1;
	/* The host put the argument strings at the very top of the mapping. */
	mapped_end = (uint32_t)(uintptr_t)(last + strlen(last) + 1);

	for (uint32_t i = 0; i < count; i++) {
		/* print/exits, or the file calls alone: each part judged on its own. */
		switch (fs ? 2 + next_random() % 5 : next_random() % 2) {
		case 0: fire_print(); break;
		case 1: fire_exits(); break;
		case 2: fire_open(); break;
		case 3: fire_openat(); break;
		case 4: fire_rw(HC_PORT_READ); break;
		case 5: fire_rw(HC_PORT_WRITE); break;
		default: fire_close(); break;
		}
	}
	fire_pathological(fs);
	printf("hostile: %u random calls, then the pathological ones; %d broken answers\n",
	       count, broken);
	return broken;
}
