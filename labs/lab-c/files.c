/*
 * Part (c), host side: the filesystem hypercalls c.1-c.4, one port each.
 *
 *   c.1 open(path)      OUT to HC_PORT_OPEN, EAX = the path's guest-virtual
 *                       address. We copy the string out through the caller's
 *                       page tables and open it inside the sandbox root.
 *   c.2 read(buf, len)  Two parameters do not fit in EAX, so the guest puts a
 *   c.3 write(buf, len) struct hc_io {buf, fd, len} in its memory and passes
 *                       the block's address. We read the block, check every
 *                       byte of [buf, buf + len), then readv/writev straight
 *                       between the file and the guest's pages.
 *   c.4 close()         OUT to HC_PORT_CLOSE, EAX = the descriptor.
 *   openat(block)       beyond the assignment: a struct hc_open {path, flags, mode}.
 * Each answer (a descriptor, a byte count, or -HC_Exxx) goes back in RAX.
 *
 * The descriptor table these calls use (one per instance) is file_table.c;
 * the guest side is guest_files.c; the ABI is common/abi/hypercall.h.
 */
#include "files.h"

#include "util/util.h"

#include <errno.h>
#include <signal.h>

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

/* An argument block, copied out of guest memory once (the guest may change it meanwhile). */
static int guest_block(const struct guest_view *g, uint32_t gva, void *block, uint64_t size)
{
	if (gva == 0 || guest_read(g, block, gva, size) < 0)
		return -HC_EFAULT;
	return 0;
}

/* c.1 */
int64_t hc_fs_open(struct hc_files *f, const struct guest_view *g, uint32_t path_gva)
{
	char path[HC_PATH_MAX];
	int err = guest_path(g, path_gva, path);

	__atomic_add_fetch(&f->stats.calls, 1, __ATOMIC_RELAXED);
	return err ? err : hc_files_open(f, path, NULL);
}

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

/* c.2 */
int64_t hc_fs_read(struct hc_files *f, const struct guest_view *g, uint32_t block)
{
	struct hc_io io;
	int err = guest_block(g, block, &io, sizeof(io));

	__atomic_add_fetch(&f->stats.calls, 1, __ATOMIC_RELAXED);
	return err ? err : hc_files_read(f, g, io.fd, io.buf, io.len);
}

/* c.3 */
int64_t hc_fs_write(struct hc_files *f, const struct guest_view *g, struct vcpu *v,
		    uint32_t block)
{
	struct hc_io io;
	int err = guest_block(g, block, &io, sizeof(io));

	__atomic_add_fetch(&f->stats.calls, 1, __ATOMIC_RELAXED);
	return err ? err : hc_files_write(f, g, v, io.fd, io.buf, io.len);
}

/* c.4 */
int64_t hc_fs_close(struct hc_files *f, uint32_t fd)
{
	__atomic_add_fetch(&f->stats.calls, 1, __ATOMIC_RELAXED);
	return hc_files_close(f, (int32_t)fd);
}

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
