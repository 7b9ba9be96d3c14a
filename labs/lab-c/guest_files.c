/*
 * Part (c), guest side: open(), read(), write(), close(), one exit each.
 *
 *   open(path)       OUT to HC_PORT_OPEN, EAX = the path's guest-virtual address.
 *   read(buf, len)   two parameters do not fit in one 32-bit EAX: they travel in
 *   write(buf, len)  a struct hc_io {buf, fd, len} on our stack, and EAX carries
 *                    the block's address. The host reads the block, then moves
 *                    the bytes straight between the file and buf.
 *   close()          OUT to HC_PORT_CLOSE, EAX = the descriptor.
 * The result comes back in RAX (>= 0, or -HC_Exxx) without a second exit.
 * The host side is labs/lab-c/files.c; the ports are in common/abi/hypercall.h.
 */
#include "guest_files.h"

#include "rt/hypercall.h"

static int file_open(const char *path)
{
	return (int)hypercall_out(HC_PORT_OPEN, gva32(path));
}

static int file_openat(const char *path, uint32_t flags, uint32_t mode)
{
	struct hc_open args = { .path = (uintptr_t)path, .flags = flags, .mode = mode };

	return (int)hypercall_out(HC_PORT_OPENAT, gva32(&args));
}

static int file_read(int fd, void *buf, int len)
{
	struct hc_io args = { .buf = (uintptr_t)buf, .fd = fd, .len = len };

	return (int)hypercall_out(HC_PORT_READ, gva32(&args));
}

static int file_write(int fd, const void *buf, int len)
{
	struct hc_io args = { .buf = (uintptr_t)buf, .fd = fd, .len = len };

	return (int)hypercall_out(HC_PORT_WRITE, gva32(&args));
}

static int file_close(int fd)
{
	return (int)hypercall_out(HC_PORT_CLOSE, (uint32_t)fd);
}

int open(const char *path)
{
	return file_open(path);
}

int read(void *buf, int len)
{
	return file_read(HC_FD_CURRENT, buf, len);
}

int write(void *buf, int len)
{
	return file_write(HC_FD_CURRENT, buf, len);
}

void close(void)
{
	(void)file_close(HC_FD_CURRENT);
}

int fd_open(const char *path, uint32_t flags, uint32_t mode)
{
	return file_openat(path, flags, mode);
}

int fd_read(int fd, void *buf, int len)
{
	return file_read(fd, buf, len);
}

int fd_write(int fd, const void *buf, int len)
{
	return file_write(fd, buf, len);
}

int fd_close(int fd)
{
	return file_close(fd);
}

int fd_write_all(int fd, const void *buf, int len)
{
	const char *p = buf;
	int done = 0;

	while (done < len) {
		int n = file_write(fd, p + done, len - done);

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
