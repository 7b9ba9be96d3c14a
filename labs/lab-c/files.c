/* The filesystem hypercalls: part (c) of the assignment. See hc_fs.h. */
#include "files.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

/* Host pieces handed to one readv/writev (the kernel takes up to IOV_MAX = 1024). */
#define IO_PIECES 256
/* Mode of a file the assignment-style open() creates. */
#define OPEN_CREATE_MODE 0644

/* --- the table ------------------------------------------------------------ */

int hc_files_create_raw(const char *root_dir, struct hc_files **out, const char **why)
{
	struct hc_files *f = calloc(1, sizeof(*f));
	int err;

	*why = "cannot be allocated";
	if (!f)
		return -ENOMEM;
	err = sandbox_open_root(&f->sandbox, root_dir, why);
	if (err) {
		free(f);
		return err;
	}
	pthread_mutex_init(&f->lock, NULL);
	for (int i = 0; i < HC_MAX_FILES; i++)
		f->host_fd[i] = -1;
	f->current = -1;
	*out = f;
	return 0;
}

struct hc_files *hc_files_create(const char *root_dir)
{
	struct hc_files *f;
	const char *why;
	int err = hc_files_create_raw(root_dir, &f, &why);

	if (err)
		die_with(EXIT_USAGE, "root directory '%s' %s: %s", root_dir, why, strerror(-err));
	return f;
}

void hc_files_destroy(struct hc_files *f)
{
	if (!f)
		return;
	for (int i = 0; i < HC_MAX_FILES; i++)
		if (f->host_fd[i] >= 0)
			close(f->host_fd[i]);
	sandbox_close(&f->sandbox);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

void hc_files_allow_consoles(struct hc_files *f)
{
	f->consoles = true;
}

void hc_files_attach(struct vcpu *v, struct hc_files *f)
{
	v->lab_state = f;
}

int hc_files_open_count(struct hc_files *f)
{
	int n = 0;

	pthread_mutex_lock(&f->lock);
	for (int i = 0; i < HC_MAX_FILES; i++)
		n += f->host_fd[i] >= 0;
	pthread_mutex_unlock(&f->lock);
	return n;
}

/* The slot a guest descriptor names, or -EBADF. */
static int slot_of(const struct hc_files *f, int32_t fd)
{
	if (fd == HC_FD_CURRENT)
		return f->current >= 0 ? f->current : -HC_EBADF;
	if (fd < 0 || fd >= HC_MAX_FILES || f->host_fd[fd] < 0)
		return -HC_EBADF;
	return fd;
}

static int free_slot(const struct hc_files *f)
{
	for (int i = 0; i < HC_MAX_FILES; i++)
		if (f->host_fd[i] < 0)
			return i;
	return -HC_EMFILE;
}

/* --- open ----------------------------------------------------------------- */

/* The ABI's HC_O_* flags as host O_* flags; guest bits never reach the kernel. */
static int host_open_flags(uint32_t flags, uint32_t mode, int *out)
{
	static const int access[] = { O_RDONLY, O_WRONLY, O_RDWR };
	uint32_t acc = flags & HC_O_ACCMODE;

	if ((flags & ~(uint32_t)HC_O_ALL) || acc > HC_O_RDWR || (mode & ~0777u))
		return -HC_EINVAL;
	if ((flags & HC_O_EXCL) && !(flags & HC_O_CREAT))
		return -HC_EINVAL;
	if ((flags & HC_O_TRUNC) && acc == HC_O_RDONLY)
		return -HC_EINVAL;
	*out = access[acc] | (flags & HC_O_CREAT ? O_CREAT : 0) |
	       (flags & HC_O_TRUNC ? O_TRUNC : 0) | (flags & HC_O_APPEND ? O_APPEND : 0) |
	       (flags & HC_O_EXCL ? O_EXCL : 0);
	return 0;
}

/*
 * Open path in the sandbox, keeping only regular files. O_NONBLOCK while
 * opening so that a FIFO cannot block the host; cleared afterwards.
 */
static int open_regular(struct hc_files *f, const char *path, int flags, unsigned mode)
{
	int fd = sandbox_open(&f->sandbox, path, flags | O_NONBLOCK, mode);
	struct stat st;
	int err = 0;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		err = -errno;
	else if (S_ISDIR(st.st_mode))
		err = -HC_EISDIR;
	else if (!S_ISREG(st.st_mode))
		err = -HC_EACCES;
	else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

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

/* The assignment's open(): read-write and create; read-only if only reading is allowed. */
static int open_read_write(struct hc_files *f, const char *path)
{
	int fd = open_regular(f, path, O_RDWR | O_CREAT, OPEN_CREATE_MODE);

	if (fd == -EACCES || fd == -EPERM || fd == -EROFS || fd == -ETXTBSY) {
		int ro = open_regular(f, path, O_RDONLY, 0);

		if (ro >= 0)
			return ro; /* writes to it then fail with EBADF */
	}
	return fd;
}

/* Steps shared by both opens: a free slot first (no file is created when the table is full). */
static int open_into_slot(struct hc_files *f, const struct guest_view *g, uint64_t path_gva,
			  const int *flags, unsigned mode)
{
	char path[HC_PATH_MAX];
	int slot = free_slot(f), err, fd;

	if (slot < 0)
		return slot;
	err = guest_path(g, path_gva, path);
	if (err)
		return err;
	fd = flags ? open_regular(f, path, *flags, mode) : open_read_write(f, path);
	if (fd < 0)
		return fd;
	f->host_fd[slot] = fd;
	return slot;
}

int64_t hc_fs_open(struct hc_files *f, const struct guest_view *g, uint32_t path_gva)
{
	int slot;

	pthread_mutex_lock(&f->lock);
	f->stats.calls++;
	slot = open_into_slot(f, g, path_gva, NULL, 0);
	if (slot >= 0)
		f->current = slot;
	pthread_mutex_unlock(&f->lock);
	return slot;
}

int64_t hc_fs_openat(struct hc_files *f, const struct guest_view *g, uint32_t block)
{
	struct hc_open args;
	int ret, flags;

	pthread_mutex_lock(&f->lock);
	f->stats.calls++;
	if (block == 0 || guest_read(g, &args, block, sizeof(args)) < 0)
		ret = -HC_EFAULT;
	else
		ret = host_open_flags(args.flags, args.mode, &flags);
	if (ret == 0)
		ret = open_into_slot(f, g, args.path, &flags, args.mode);
	pthread_mutex_unlock(&f->lock);
	return ret;
}

/* --- read and write ----------------------------------------------------------- */

/*
 * Move len bytes between host descriptor fd and guest memory at buf (into
 * the guest when to_guest), straight from or to the guest's pages. The
 * caller has checked the whole range. Returns bytes moved, or -errno if
 * nothing moved.
 */
static int64_t transfer(int fd, const struct guest_view *g, gva_t buf, uint64_t len,
			bool to_guest)
{
	struct iovec iov[IO_PIECES];
	uint64_t done = 0, covered;

	while (done < len) {
		int n = guest_iov(g, buf + done, len - done, to_guest, iov, IO_PIECES, &covered);
		ssize_t r;

		if (n < 0)
			return done ? (int64_t)done : -HC_EFAULT;
		r = to_guest ? readv(fd, iov, n) : writev(fd, iov, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return done ? (int64_t)done : -errno;
		done += (uint64_t)r;
		if (to_guest && (uint64_t)r < covered)
			break; /* end of file */
		if (!to_guest && r == 0)
			return done ? (int64_t)done : -HC_EIO;
	}
	return (int64_t)done;
}

/* Console writes go through the vCPU's output path (whole lines, tags, lock). */
static int64_t to_console(struct vcpu *v, int32_t which, const struct guest_view *g,
			  gva_t buf, uint64_t len)
{
	struct iovec iov[IOV_MAX_BATCH];
	uint64_t done = 0, covered;

	if (which == HC_FD_STDERR || !v) {
		fflush(stdout);
		return transfer(which == HC_FD_STDERR ? STDERR_FILENO : STDOUT_FILENO, g, buf,
				len, false);
	}
	while (done < len) {
		int n = guest_iov(g, buf + done, len - done, false, iov, IOV_MAX_BATCH, &covered);

		if (n < 0)
			return done ? (int64_t)done : -HC_EFAULT;
		if (vcpu_write_out(v, iov, n) < 0)
			return done ? (int64_t)done : -HC_EIO;
		done += covered;
	}
	return (int64_t)done;
}

/* The hc_io block, checked: its descriptor's slot in *slot (or a console), its buffer whole. */
static int64_t check_io(struct hc_files *f, const struct guest_view *g, uint32_t block,
			bool to_guest, struct hc_io *io, int *slot)
{
	if (block == 0 || guest_read(g, io, block, sizeof(*io)) < 0)
		return -HC_EFAULT;
	if (!to_guest && f->consoles && (io->fd == HC_FD_STDOUT || io->fd == HC_FD_STDERR))
		*slot = io->fd;
	else if ((*slot = slot_of(f, io->fd)) < 0)
		return *slot;
	if (io->len < 0)
		return -HC_EINVAL;
	if (io->len == 0)
		return 0;
	if (io->buf == 0 || guest_check(g, io->buf, (uint64_t)io->len, to_guest) < 0)
		return -HC_EFAULT;
	return 1;
}

int64_t hc_fs_read(struct hc_files *f, const struct guest_view *g, uint32_t block)
{
	struct hc_io io;
	int slot;
	int64_t ret;

	pthread_mutex_lock(&f->lock);
	f->stats.calls++;
	ret = check_io(f, g, block, true, &io, &slot);
	if (ret > 0)
		ret = transfer(f->host_fd[slot], g, io.buf, (uint64_t)io.len, true);
	if (ret > 0) {
		f->stats.reads++;
		f->stats.bytes_read += (uint64_t)ret;
	}
	pthread_mutex_unlock(&f->lock);
	return ret;
}

int64_t hc_fs_write(struct hc_files *f, const struct guest_view *g, struct vcpu *v,
		    uint32_t block)
{
	struct hc_io io;
	int slot;
	int64_t ret;

	pthread_mutex_lock(&f->lock);
	f->stats.calls++;
	ret = check_io(f, g, block, false, &io, &slot);
	if (ret > 0 && slot < 0)
		ret = to_console(v, slot, g, io.buf, (uint64_t)io.len);
	else if (ret > 0)
		ret = transfer(f->host_fd[slot], g, io.buf, (uint64_t)io.len, false);
	if (ret > 0 && slot >= 0) {
		f->stats.writes++;
		f->stats.bytes_written += (uint64_t)ret;
	}
	pthread_mutex_unlock(&f->lock);
	return ret;
}

/* --- close ---------------------------------------------------------------------- */

int64_t hc_fs_close(struct hc_files *f, uint32_t fd)
{
	int slot, err = 0;

	pthread_mutex_lock(&f->lock);
	f->stats.calls++;
	slot = slot_of(f, (int32_t)fd);
	if (slot >= 0) {
		/* Linux frees the descriptor even when close reports an error. */
		if (close(f->host_fd[slot]) < 0 && errno != EINTR)
			err = -errno;
		f->host_fd[slot] = -1;
		if (f->current == slot)
			f->current = -1;
	}
	pthread_mutex_unlock(&f->lock);
	return slot < 0 ? slot : err;
}

/* --- the ports ------------------------------------------------------------------ */

enum fs_call { FS_OPEN, FS_OPENAT, FS_READ, FS_WRITE, FS_CLOSE };

static enum pio_result on_fs(struct vcpu *v, struct pio *io, void *opaque)
{
	enum fs_call call = (enum fs_call)(uintptr_t)opaque;
	struct hc_files *files = v->lab_state;
	struct guest_view g;
	int64_t ret;

	if (!files) {
		vcpu_fail(v, "filesystem hypercall on port 0x%04x, but no file table is attached "
			  "to vCPU %d (host bug: call hc_files_attach)", io->port, v->id);
		return PIO_STOP;
	}
	if (call == FS_CLOSE) {
		vcpu_set_rax(v, (uint64_t)hc_fs_close(files, io->value));
		return PIO_DONE;
	}
	g = guest_view_of(v);
	switch (call) {
	case FS_OPEN:
		ret = hc_fs_open(files, &g, io->value);
		break;
	case FS_OPENAT:
		ret = hc_fs_openat(files, &g, io->value);
		break;
	case FS_READ:
		ret = hc_fs_read(files, &g, io->value);
		break;
	default:
		ret = hc_fs_write(files, &g, v, io->value);
		break;
	}
	vcpu_set_rax(v, (uint64_t)ret);
	return PIO_DONE;
}

void hc_register_fs(struct vm *vm)
{
	static const struct { uint16_t port; const char *name; enum fs_call call; } calls[] = {
		{ HC_PORT_OPEN, "open", FS_OPEN },     { HC_PORT_OPENAT, "openat", FS_OPENAT },
		{ HC_PORT_READ, "read", FS_READ },     { HC_PORT_WRITE, "write", FS_WRITE },
		{ HC_PORT_CLOSE, "close", FS_CLOSE },
	};

	/* Past RLIMIT_FSIZE the kernel sends SIGXFSZ, which kills by default; ignored, write gets EFBIG. */
	signal(SIGXFSZ, SIG_IGN);
	for (size_t i = 0; i < ARRAY_SIZE(calls); i++)
		vm_on_port(vm, &(struct port_spec){ .port = calls[i].port, .dirs = PIO_DIR_OUT,
						    .size = 4, .name = calls[i].name, .fn = on_fs,
						    .opaque = (void *)(uintptr_t)calls[i].call });
}
