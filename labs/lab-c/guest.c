/*
 * The lab-c guest: files on the host, reached through hypercalls.
 *
 * With no arguments from the host it runs the assignment's scenario: it
 * opens a host file, reads it, prints it, writes a new file and closes
 * it, with open(), read(), write() and close(), one exit each. This very
 * text is what it reads by default (the first 1 KiB of labs/lab-c/guest.c).
 *
 * `cat PATH` and `cp SRC DST` do what their names say, a chunk at a time.
 * The host reads the file straight into our buffer and writes it from
 * there: the guest never copies a byte, it only says where and how much.
 *
 * Every path resolves inside the host's sandbox root: "/" is that root,
 * ".." stops there, and symlinks cannot lead out of it.
 */
#include <stdarg.h>

#include "rt/format.h"
#include "lab-c/guest_files.h"
#include "lab-c/guest_say.h"
#include "lab-b/guest_hypercalls.h"
#include "rt/hypercall.h"
#include "rt/print.h"
#include "rt/string.h"

/* Room left below the stack pointer when placing the transfer buffer. */
#define STACK_RESERVE (32u << 10)
#define PAGE 4096u

extern char __guest_end[];

/*
 * The transfer buffer: from the first page after the image and its bss up
 * to STACK_RESERVE below our stack. NULL when size bytes do not fit there.
 */
static char *transfer_buffer(uint32_t size)
{
	uintptr_t start = ((uintptr_t)__guest_end + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
	volatile char here;

	if (start + size + STACK_RESERVE > (uintptr_t)&here)
		return 0;
	return (char *)start;
}

static char *buffer_or_complain(uint32_t size)
{
	char *buf = size ? transfer_buffer(size) : 0;

	if (!size)
		complain("lab-c guest: the chunk size must be at least 1 byte\n");
	else if (!buf)
		complain("lab-c guest: a %u-byte buffer does not fit in guest memory "
			 "(give the guest more with --mem)\n", size);
	return buf;
}

/* --- the assignment's scenario ------------------------------------------- */

static int exits_before;

static void measure_start(void)
{
	exits_before = exits();
}

/* Exits taken since measure_start(), without the two exits() calls themselves. */
static int measured_exits(void)
{
	return exits() - exits_before - 1;
}

static void show(int step, const char *call, int result, int cost)
{
	printf("step %d  %-40s = %-5d %-7s [%d exit%s]\n", step, call, result,
	       result < 0 ? fs_errname(result) : "", cost, cost == 1 ? "" : "s");
}

/* close() returns nothing (the assignment's signature); the next call shows its effect. */
static void show_close(int step, int cost)
{
	printf("step %d  %-40s = %-13s [%d exit%s]\n", step, "close()", "(void)", cost,
	       cost == 1 ? "" : "s");
}

/* Steps 1-4: open the input, read it, print it, close it. */
static int read_and_print(const char *in, char *buf, uint32_t size)
{
	char call[300];
	int fd, n, printed, c;

	format(call, sizeof(call), "open(\"%s\")", in);
	measure_start();
	fd = open(in);
	show(1, call, fd, measured_exits());
	if (fd < 0) {
		complain("lab-c guest: cannot open %s inside the root: run lab-c from the kit's "
			 "top folder, or name another file with --in\n", in);
		return -1;
	}
	format(call, sizeof(call), "read(buf, %u)", size);
	measure_start();
	n = read(buf, (int)size);
	show(2, call, n, measured_exits());
	if (n < 0)
		return -1;
	buf[n] = '\0';
	print("-------- the bytes read, printed with print():\n");
	measure_start();
	printed = (int)print_result(buf);
	c = measured_exits();
	if (n && buf[n - 1] != '\n')
		print("\n");
	print("--------\n");
	show(3, "print(buf)", printed, c);
	measure_start();
	close();
	show_close(4, measured_exits());
	measure_start();
	c = read(buf, 1);
	printf("        %-40s = %-5d %-7s (as it should: nothing is open)\n",
	       "read(buf, 1) after close()", c, fs_errname(c));
	return c == -HC_EBADF ? n : -1;
}

/* Step 5: create the output, refusing to overwrite a file unless forced. */
static int create_output(const char *out, int force)
{
	uint32_t how = HC_O_WRONLY | HC_O_CREAT | (force ? HC_O_TRUNC : HC_O_EXCL);
	char call[300];
	int fd, c;

	format(call, sizeof(call), "fd_open(\"%s\", %s), fd_close", out,
	       force ? "TRUNC" : "EXCL");
	measure_start();
	fd = fd_open(out, how, 0644);
	if (fd >= 0)
		fd_close(fd);
	c = measured_exits();
	show(5, call, fd, c);
	if (fd == -HC_EEXIST)
		complain("lab-c guest: %s exists: refusing to overwrite it "
			 "(pass --force, or choose another --out)\n", out);
	return fd < 0 ? -1 : 0;
}

/* Steps 6-8: open the output, write what was read, close it. */
static int write_output(const char *out, char *buf, int n)
{
	char call[300];
	int fd, w;

	format(call, sizeof(call), "open(\"%s\")", out);
	measure_start();
	fd = open(out);
	show(6, call, fd, measured_exits());
	if (fd < 0)
		return -1;
	format(call, sizeof(call), "write(buf, %d)", n);
	measure_start();
	w = write(buf, n);
	show(7, call, w, measured_exits());
	measure_start();
	close();
	show_close(8, measured_exits());
	return w == n ? 0 : -1;
}

static int scenario(const char *in, const char *out, uint32_t size, int force)
{
	char *buf = buffer_or_complain(size + 1);
	int start = exits(), n;

	if (!buf)
		return 2;
	printf("lab-c guest: the assignment's scenario: read %s, print it, write %s\n", in, out);
	n = read_and_print(in, buf, size);
	if (n < 0 || create_output(out, force) < 0 || write_output(out, buf, n) < 0) {
		printf("lab-c guest: the scenario FAILED (see the step above)\n");
		return 1;
	}
	printf("lab-c guest: done: %d bytes from %s are now in %s; %d exits in all\n", n, in,
	       out, exits() - start);
	return 0;
}

/* --- cat and cp ------------------------------------------------------------- */

static int open_or_complain(const char *who, const char *path, uint32_t flags)
{
	int fd = fd_open(path, flags, 0644);

	if (fd == -HC_EEXIST)
		complain("%s: %s exists: refusing to overwrite it (pass --force)\n", who, path);
	else if (fd < 0)
		complain("%s: cannot open %s: %s (%d)\n", who, path, fs_errname(fd), fd);
	return fd;
}

struct copy {
	uint64_t bytes;      /* written so far */
	int error;           /* -errno of the failed call, 0 if none */
	const char *failed;  /* "reading" or "writing" */
};

/* After a short write of done bytes: the rest. n when all went, else -errno. */
static int64_t finish_write(int out, const char *buf, int n, int done, struct copy *c)
{
	while (done < n) {
		int w = fd_write(out, buf + done, n - done);

		if (w <= 0) {
			c->bytes += (uint64_t)done;
			return w ? w : -HC_EIO;
		}
		done += w;
	}
	return n;
}

/*
 * The loop that moves the data: per chunk one read and one write, two
 * exits. The argument blocks are built once; per chunk the guest stores
 * only the length, as every instruction it runs is costly here.
 */
static void copy_loop(int in, int out, char *buf, uint32_t chunk, struct copy *c)
{
	struct hc_io rd = { .buf = (uintptr_t)buf, .fd = in, .len = (int32_t)chunk };
	struct hc_io wr = { .buf = (uintptr_t)buf, .fd = out };
	int64_t n, w;

	for (;;) {
		n = hypercall_out(HC_PORT_READ, gva32(&rd));
		if (n <= 0) {
			c->error = (int)n;
			c->failed = "reading";
			return;
		}
		wr.len = (int32_t)n;
		w = hypercall_out(HC_PORT_WRITE, gva32(&wr));
		if (w > 0 && w < n)
			w = finish_write(out, buf, (int)n, (int)w, c);
		if (w != n) {
			c->error = w < 0 ? (int)w : -HC_EIO;
			c->failed = "writing";
			return;
		}
		c->bytes += (uint64_t)n;
	}
}

static int cat(const char *path, uint32_t chunk)
{
	char *buf = buffer_or_complain(chunk);
	struct copy c = { 0 };
	int fd;

	if (!buf)
		return 2;
	fd = open_or_complain("cat", path, HC_O_RDONLY);
	if (fd < 0)
		return 1;
	copy_loop(fd, HC_FD_STDOUT, buf, chunk, &c);
	fd_close(fd);
	if (c.error)
		complain("cat: %s %s failed: %s (%d)\n", c.failed,
			 c.failed[0] == 'r' ? path : "the standard output", fs_errname(c.error),
			 c.error);
	return c.error ? 1 : 0;
}

static int cp(const char *src, const char *dst, uint32_t chunk, int force)
{
	char *buf = buffer_or_complain(chunk);
	struct copy c = { 0 };
	int in, out, closed;

	if (!buf)
		return 2;
	in = open_or_complain("cp", src, HC_O_RDONLY);
	if (in < 0)
		return 1;
	out = open_or_complain("cp", dst, HC_O_WRONLY | HC_O_CREAT |
				   (force ? HC_O_TRUNC : HC_O_EXCL));
	if (out < 0) {
		fd_close(in);
		return 1;
	}
	copy_loop(in, out, buf, chunk, &c);
	fd_close(in);
	closed = fd_close(out);
	if (c.error) {
		complain("cp: %s %s failed after %lu bytes: %s (%d)\n", c.failed,
			 c.failed[0] == 'r' ? src : dst, (unsigned long)c.bytes,
			 fs_errname(c.error), c.error);
		return 1;
	}
	if (closed < 0) {
		complain("cp: closing %s failed: %s\n", dst, fs_errname(closed));
		return 1;
	}
	/* Success is said by the host: formatting text is costly where each instruction is emulated. */
	return 0;
}

/*
 * argv, as the host lays it out:
 *   lab-c scenario IN OUT CHUNK FORCE
 *   lab-c cat PATH CHUNK
 *   lab-c cp SRC DST CHUNK FORCE
 */
int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "scenario"))
		return scenario(argv[2], argv[3], parse_u32(argv[4]), argv[5][0] == '1');
	if (argc == 4 && !strcmp(argv[1], "cat"))
		return cat(argv[2], parse_u32(argv[3]));
	if (argc == 6 && !strcmp(argv[1], "cp"))
		return cp(argv[2], argv[3], parse_u32(argv[4]), argv[5][0] == '1');
	complain("lab-c guest: unexpected arguments (%d): expected scenario, cat or cp\n", argc);
	return 2;
}
