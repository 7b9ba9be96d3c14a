/*
 * Part (c), host side: the filesystem hypercalls c.1-c.4, one port each:
 * open(path) (c.1), read(buf, len) (c.2), write(buf, len) (c.3) and close()
 * (c.4), plus openat (a path, flags and mode). Each answer (a descriptor, a
 * byte count, or -HC_Exxx) goes back in RAX.
 *
 * The descriptor table these calls use (one per instance) is file_table.c
 * and file_io.c; the guest side is guest_files.c; the ABI is
 * common/abi/hypercall.h.
 */
#include "files.h"

#include "util/util.h"

#include <errno.h>
#include <signal.h>

/* An argument block, copied out of guest memory once (the guest may change it meanwhile). */
static inline int guest_block(const struct guest_view *g, uint32_t gva, void *block, uint64_t size)
{
	if (gva == 0 || guest_read(g, block, gva, size) < 0)
		return -HC_EFAULT;
	return 0;
}

#ifndef STUB_c1 /* SOLUTION c1 (c.1): open(), host side */
/* The guest's path, copied out of its memory (at most HC_PATH_MAX with the NUL). */
static int guest_path(const struct guest_view *g, uint64_t gva, char *path)
{
	int err;

	if (gva == 0)
		return -HC_EFAULT;
	err = guest_string_copy(g, gva, path, HC_PATH_MAX);
	if (err == -ENAMETOOLONG)
		return -HC_ENAMETOOLONG;
	return err ? -HC_EFAULT : 0;
}

/* EAX held the path's address: copy the path out, open it inside the sandbox. */
int64_t hc_fs_open(struct hc_files *f, const struct guest_view *g, uint32_t path_gva)
{
	char path[HC_PATH_MAX];
	int err = guest_path(g, path_gva, path);

	__atomic_add_fetch(&f->stats.calls, 1, __ATOMIC_RELAXED);
	return err ? err : hc_files_open(f, path, NULL);
}

/* EAX held the address of a struct hc_open: the path, flags and mode. */
int64_t hc_fs_openat(struct hc_files *f, const struct guest_view *g, uint32_t block)
{
	char path[HC_PATH_MAX];
	struct hc_open how;
	int err = guest_block(g, block, &how, sizeof(how));

	__atomic_add_fetch(&f->stats.calls, 1, __ATOMIC_RELAXED);
	if (!err)
		err = guest_path(g, how.path, path);
	return err ? err : hc_files_open(f, path, &how);
}
#else
int64_t hc_fs_open(struct hc_files *f, const struct guest_view *g, uint32_t path_gva)
{
	/*
	 * c.1: EAX held the guest-virtual address of the path. Copy the string
	 * out of guest memory through the caller's page tables (guest_access.h),
	 * refusing what the ABI refuses, then open it in the table (hc_files_open).
	 */
	(void)g;
	(void)path_gva;
	__atomic_add_fetch(&f->stats.calls, 1, __ATOMIC_RELAXED);
	kit_not_written("open(), host side", "labs/lab-c/files.c");
	return -HC_ENOSYS;
}

int64_t hc_fs_openat(struct hc_files *f, const struct guest_view *g, uint32_t block)
{
	/* c.1 with flags: EAX held the address of a struct hc_open (guest_block copies it). */
	(void)g;
	(void)block;
	__atomic_add_fetch(&f->stats.calls, 1, __ATOMIC_RELAXED);
	kit_not_written("openat(), host side", "labs/lab-c/files.c");
	return -HC_ENOSYS;
}
#endif /* SOLUTION c1 */

#ifndef STUB_c2 /* SOLUTION c2 (c.2): read(), host side */
/* EAX held the address of a struct hc_io {buf, fd, len}: read it once, then the file. */
int64_t hc_fs_read(struct hc_files *f, const struct guest_view *g, uint32_t block)
{
	struct hc_io io;
	int err = guest_block(g, block, &io, sizeof(io));

	__atomic_add_fetch(&f->stats.calls, 1, __ATOMIC_RELAXED);
	return err ? err : hc_files_read(f, g, io.fd, io.buf, io.len);
}
#else
int64_t hc_fs_read(struct hc_files *f, const struct guest_view *g, uint32_t block)
{
	/* c.2: two parameters (and a descriptor) in one 32-bit EAX: what did the guest pass? */
	(void)g;
	(void)block;
	__atomic_add_fetch(&f->stats.calls, 1, __ATOMIC_RELAXED);
	kit_not_written("read(), host side", "labs/lab-c/files.c");
	return -HC_ENOSYS;
}
#endif /* SOLUTION c2 */

#ifndef STUB_c3 /* SOLUTION c3 (c.3): write(), host side */
/* As read: the struct hc_io, then the bytes from guest memory into the file. */
int64_t hc_fs_write(struct hc_files *f, const struct guest_view *g, struct vcpu *v,
		    uint32_t block)
{
	struct hc_io io;
	int err = guest_block(g, block, &io, sizeof(io));

	__atomic_add_fetch(&f->stats.calls, 1, __ATOMIC_RELAXED);
	return err ? err : hc_files_write(f, g, v, io.fd, io.buf, io.len);
}
#else
int64_t hc_fs_write(struct hc_files *f, const struct guest_view *g, struct vcpu *v,
		    uint32_t block)
{
	/* c.3: as read, the other way. */
	(void)g;
	(void)v;
	(void)block;
	__atomic_add_fetch(&f->stats.calls, 1, __ATOMIC_RELAXED);
	kit_not_written("write(), host side", "labs/lab-c/files.c");
	return -HC_ENOSYS;
}
#endif /* SOLUTION c3 */

#ifndef STUB_c4 /* SOLUTION c4 (c.4): close(), host side */
/* EAX held the descriptor. */
int64_t hc_fs_close(struct hc_files *f, uint32_t fd)
{
	__atomic_add_fetch(&f->stats.calls, 1, __ATOMIC_RELAXED);
	return hc_files_close(f, (int32_t)fd);
}
#else
int64_t hc_fs_close(struct hc_files *f, uint32_t fd)
{
	/* c.4: EAX held the descriptor (HC_FD_CURRENT for the current file). */
	(void)fd;
	__atomic_add_fetch(&f->stats.calls, 1, __ATOMIC_RELAXED);
	kit_not_written("close(), host side", "labs/lab-c/files.c");
	return -HC_ENOSYS;
}
#endif /* SOLUTION c4 */

/* --- the ports ------------------------------------------------------------------ */

/* The calling vCPU's table, or a report: a vCPU without one is the host's bug. */
static struct hc_files *files_of(struct vcpu *v, struct pio *io)
{
	if (!v->lab_state)
		vcpu_fail(v, "filesystem hypercall on port 0x%04x, but no file table is attached "
			  "to vCPU %d (host bug: call hc_files_attach)", io->port, v->id);
	return v->lab_state;
}

/* Answer in RAX and resume the guest. */
static enum pio_result answer(struct vcpu *v, int64_t result)
{
	vcpu_set_rax(v, (uint64_t)result);
	return PIO_DONE;
}

static enum pio_result on_open(struct vcpu *v, struct pio *io, void *opaque)
{
	struct hc_files *f = files_of(v, io);
	struct guest_view g = guest_view_of(v);

	(void)opaque;
	return f ? answer(v, hc_fs_open(f, &g, io->value)) : PIO_STOP;
}

static enum pio_result on_openat(struct vcpu *v, struct pio *io, void *opaque)
{
	struct hc_files *f = files_of(v, io);
	struct guest_view g = guest_view_of(v);

	(void)opaque;
	return f ? answer(v, hc_fs_openat(f, &g, io->value)) : PIO_STOP;
}

static enum pio_result on_read(struct vcpu *v, struct pio *io, void *opaque)
{
	struct hc_files *f = files_of(v, io);
	struct guest_view g = guest_view_of(v);

	(void)opaque;
	return f ? answer(v, hc_fs_read(f, &g, io->value)) : PIO_STOP;
}

static enum pio_result on_write(struct vcpu *v, struct pio *io, void *opaque)
{
	struct hc_files *f = files_of(v, io);
	struct guest_view g = guest_view_of(v);

	(void)opaque;
	return f ? answer(v, hc_fs_write(f, &g, v, io->value)) : PIO_STOP;
}

static enum pio_result on_close(struct vcpu *v, struct pio *io, void *opaque)
{
	struct hc_files *f = files_of(v, io);

	(void)opaque;
	return f ? answer(v, hc_fs_close(f, io->value)) : PIO_STOP;
}

void hc_register_fs(struct vm *vm)
{
	static const struct { uint16_t port; const char *name; pio_fn fn; } calls[] = {
		{ HC_PORT_OPEN, "open", on_open },   { HC_PORT_OPENAT, "openat", on_openat },
		{ HC_PORT_READ, "read", on_read },   { HC_PORT_WRITE, "write", on_write },
		{ HC_PORT_CLOSE, "close", on_close },
	};

	/* Past RLIMIT_FSIZE the kernel sends SIGXFSZ, which kills by default; ignored, write gets EFBIG. */
	signal(SIGXFSZ, SIG_IGN);
	for (size_t i = 0; i < ARRAY_SIZE(calls); i++)
		vm_on_port(vm, &(struct port_spec){ .port = calls[i].port, .dirs = PIO_DIR_OUT,
						    .size = 4, .name = calls[i].name,
						    .fn = calls[i].fn });
}
