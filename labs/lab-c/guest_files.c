/*
 * Part (c), guest side: open() (c.1), read() (c.2), write() (c.3) and
 * close() (c.4), each ONE hypercall, so one exit; the result comes back in
 * RAX (>= 0, or -HC_Exxx). The assignment's read/write/close work on the
 * "current file", the one open() opened; the fd_* forms name a descriptor.
 * The host side is labs/lab-c/files.c; the ports are in common/abi/hypercall.h.
 */
#include "guest_files.h"

#include "rt/hypercall.h"
#include "rt/print.h"

#ifndef STUB_c1 /* SOLUTION c1 (c.1): open(), guest side */
/* OUT to HC_PORT_OPEN, EAX = the path's guest-virtual address. */
int open(const char *path)
{
	return (int)hypercall_out(HC_PORT_OPEN, gva32(path));
}

/* OUT to HC_PORT_OPENAT, EAX = the address of a struct hc_open on our stack. */
int fd_open(const char *path, uint32_t flags, uint32_t mode)
{
	struct hc_open args = { .path = (uintptr_t)path, .flags = flags, .mode = mode };

	return (int)hypercall_out(HC_PORT_OPENAT, gva32(&args));
}
#else
int open(const char *path)
{
	/* c.1: one hypercall with the path's address; the host answers a descriptor. */
	(void)path;
	not_written("open(), guest side", "labs/lab-c/guest_files.c");
	return -HC_ENOSYS;
}

int fd_open(const char *path, uint32_t flags, uint32_t mode)
{
	/* c.1, with flags and mode: three values, one 32-bit argument (struct hc_open). */
	(void)path;
	(void)flags;
	(void)mode;
	not_written("fd_open(), guest side", "labs/lab-c/guest_files.c");
	return -HC_ENOSYS;
}
#endif /* SOLUTION c1 */

#ifndef STUB_c2 /* SOLUTION c2 (c.2): read(), guest side */
/*
 * Two parameters (three, with the descriptor) do not fit in one 32-bit EAX:
 * they travel in a struct hc_io {buf, fd, len} on our stack, and EAX carries
 * the block's address. The host reads the block, then moves the bytes
 * straight from the file into buf.
 */
int fd_read(int fd, void *buf, int len)
{
	struct hc_io args = { .buf = (uintptr_t)buf, .fd = fd, .len = len };

	return (int)hypercall_out(HC_PORT_READ, gva32(&args));
}
#else
int fd_read(int fd, void *buf, int len)
{
	/* c.2: how do the descriptor, the buffer and the length reach the host in one exit? */
	(void)fd;
	(void)buf;
	(void)len;
	not_written("read(), guest side", "labs/lab-c/guest_files.c");
	return -HC_ENOSYS;
}
#endif /* SOLUTION c2 */

#ifndef STUB_c3 /* SOLUTION c3 (c.3): write(), guest side */
/* As read: a struct hc_io on our stack; the host takes the bytes from buf. */
int fd_write(int fd, const void *buf, int len)
{
	struct hc_io args = { .buf = (uintptr_t)buf, .fd = fd, .len = len };

	return (int)hypercall_out(HC_PORT_WRITE, gva32(&args));
}
#else
int fd_write(int fd, const void *buf, int len)
{
	/* c.3: as read, in the other direction. */
	(void)fd;
	(void)buf;
	(void)len;
	not_written("write(), guest side", "labs/lab-c/guest_files.c");
	return -HC_ENOSYS;
}
#endif /* SOLUTION c3 */

#ifndef STUB_c4 /* SOLUTION c4 (c.4): close(), guest side */
/* OUT to HC_PORT_CLOSE, EAX = the descriptor. */
int fd_close(int fd)
{
	return (int)hypercall_out(HC_PORT_CLOSE, (uint32_t)fd);
}
#else
int fd_close(int fd)
{
	/* c.4: one hypercall with the descriptor. */
	(void)fd;
	not_written("close(), guest side", "labs/lab-c/guest_files.c");
	return -HC_ENOSYS;
}
#endif /* SOLUTION c4 */

/* The assignment's forms work on the current file (HC_FD_CURRENT). */
int read(void *buf, int len)
{
	return fd_read(HC_FD_CURRENT, buf, len);
}

int write(void *buf, int len)
{
	return fd_write(HC_FD_CURRENT, buf, len);
}

void close(void)
{
	(void)fd_close(HC_FD_CURRENT);
}

int fd_write_all(int fd, const void *buf, int len)
{
	const char *p = buf;
	int done = 0;

	while (done < len) {
		int n = fd_write(fd, p + done, len - done);

		if (n < 0)
			return done ? done : n;
		if (n == 0)
			return done ? done : -HC_EIO;
		done += n;
	}
	return done;
}

const char *fs_errname(int err)
{
#define HC_ERROR_NAME(name, number) case number: return #name;
	switch (err < 0 ? -err : err) {
	HC_ERRORS(HC_ERROR_NAME)
	default: return "E?";
	}
#undef HC_ERROR_NAME
}
