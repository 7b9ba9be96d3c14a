/*
 * Part (c): moving bytes between a host file and guest memory, straight from
 * or to the guest's own pages (readv/writev on their host pieces, found
 * through the calling vCPU's page tables): the guest never copies a byte,
 * and neither do we. files.h has the semantics.
 */
#include "files.h"

#include "util/util.h"

#include <errno.h>
#include <stdio.h>
#include <sys/uio.h>
#include <unistd.h>

/* Host pieces handed to one readv/writev (the kernel takes up to IOV_MAX = 1024). */
#define IO_PIECES 256

/*
 * Move len bytes between host descriptor fd and guest memory at buf (into
 * the guest when to_guest), straight from or to the guest's pages. The
 * caller has checked the whole range. Returns bytes moved, or -errno if
 * nothing moved. Stops early when the run's --timeout has passed.
 */
int64_t hc_transfer(int fd, const struct guest_view *g, gva_t buf, uint64_t len,
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
		if (r < 0 && errno == EINTR && !guest_view_out_of_time(g))
			continue;
		if (r < 0)
			return done ? (int64_t)done : hc_errno(errno);
		done += (uint64_t)r;
		if (to_guest && (uint64_t)r < covered)
			break; /* end of file */
		if (!to_guest && r == 0)
			return done ? (int64_t)done : -HC_EIO;
		if (guest_view_out_of_time(g))
			break;
	}
	return (int64_t)done;
}

/* Console writes go through the vCPU's output path (whole lines, tags, lock). */
int64_t hc_to_console(struct vcpu *v, int32_t which, const struct guest_view *g,
			  gva_t buf, uint64_t len)
{
	struct iovec iov[IOV_MAX_BATCH];
	uint64_t done = 0, covered;

	if (which == HC_FD_STDERR || !v) {
		fflush(stdout);
		return hc_transfer(which == HC_FD_STDERR ? STDERR_FILENO : STDOUT_FILENO, g, buf,
				len, false);
	}
	while (done < len && !guest_view_out_of_time(g)) {
		int n = guest_iov(g, buf + done, len - done, false, iov, IOV_MAX_BATCH, &covered);

		if (n < 0)
			return done ? (int64_t)done : -HC_EFAULT;
		if (vcpu_write_out(v, iov, n) < 0)
			return done ? (int64_t)done : -HC_EIO;
		done += covered;
	}
	return (int64_t)done;
}

/* A buffer the call may use: a valid length, not NULL, every byte reachable. 1 to go on. */
int64_t hc_check_buffer(const struct guest_view *g, gva_t buf, int32_t len, bool to_guest)
{
	if (len < 0)
		return -HC_EINVAL;
	if (len == 0)
		return 0;
	if ((uint64_t)len > g->mem->size)
		return -HC_E2BIG; /* bounds the call's work, whatever the page tables alias */
	if (buf == 0 || guest_check(g, buf, (uint64_t)len, to_guest) < 0)
		return -HC_EFAULT;
	return 1;
}

#ifndef STUB_c2 /* SOLUTION c2 (c.2): read(), host side: into guest memory */
int64_t hc_files_read(struct hc_files *f, const struct guest_view *g, int32_t fd, gva_t buf,
		      int32_t len)
{
	int64_t ret;
	int slot;

	pthread_mutex_lock(&f->lock);
	slot = hc_files_slot(f, fd);
	ret = slot < 0 ? slot : hc_check_buffer(g, buf, len, true);
	if (ret > 0)
		ret = hc_transfer(f->host_fd[slot], g, buf, (uint64_t)len, true);
	if (ret > 0) {
		f->stats.reads++;
		f->stats.bytes_read += (uint64_t)ret;
	}
	pthread_mutex_unlock(&f->lock);
	return ret;
}

#else
int64_t hc_files_read(struct hc_files *f, const struct guest_view *g, int32_t fd, gva_t buf,
		      int32_t len)
{
	/*
	 * c.2: under f->lock, the descriptor's slot (hc_files_slot), the buffer
	 * checked whole (hc_check_buffer), then the bytes from the host file
	 * into guest memory (hc_transfer); count them in f->stats.
	 */
	(void)f;
	(void)g;
	(void)fd;
	(void)buf;
	(void)len;
	kit_not_written("reading a file into guest memory", "labs/lab-c/file_io.c");
	return -HC_ENOSYS;
}

#endif /* SOLUTION c2 */

#ifndef STUB_c3 /* SOLUTION c3 (c.3): write(), host side: from guest memory */
int64_t hc_files_write(struct hc_files *f, const struct guest_view *g, struct vcpu *v,
		       int32_t fd, gva_t buf, int32_t len)
{
	bool console = f->consoles && (fd == HC_FD_STDOUT || fd == HC_FD_STDERR);
	int64_t ret;
	int slot;

	pthread_mutex_lock(&f->lock);
	slot = console ? fd : hc_files_slot(f, fd);
	ret = !console && slot < 0 ? slot : hc_check_buffer(g, buf, len, false);
	if (ret > 0 && console)
		ret = hc_to_console(v, fd, g, buf, (uint64_t)len);
	else if (ret > 0)
		ret = hc_transfer(f->host_fd[slot], g, buf, (uint64_t)len, false);
	if (ret > 0 && !console) {
		f->stats.writes++;
		f->stats.bytes_written += (uint64_t)ret;
	}
	pthread_mutex_unlock(&f->lock);
	return ret;
}

#else
int64_t hc_files_write(struct hc_files *f, const struct guest_view *g, struct vcpu *v,
		       int32_t fd, gva_t buf, int32_t len)
{
	/* c.3: as read, the other way; HC_FD_STDOUT/STDERR go to hc_to_console when allowed. */
	(void)f;
	(void)g;
	(void)v;
	(void)fd;
	(void)buf;
	(void)len;
	kit_not_written("writing guest memory into a file", "labs/lab-c/file_io.c");
	return -HC_ENOSYS;
}

#endif /* SOLUTION c3 */

#ifndef STUB_c4 /* SOLUTION c4 (c.4): close(), host side */
int64_t hc_files_close(struct hc_files *f, int32_t fd)
{
	int slot, err = 0;

	pthread_mutex_lock(&f->lock);
	slot = hc_files_slot(f, fd);
	if (slot >= 0) {
		/* Linux frees the descriptor even when close reports an error. */
		if (close(f->host_fd[slot]) < 0 && errno != EINTR)
			err = hc_errno(errno);
		f->host_fd[slot] = -1;
		if (f->current == slot)
			f->current = -1;
	}
	pthread_mutex_unlock(&f->lock);
	return slot < 0 ? slot : err;
}
#else
int64_t hc_files_close(struct hc_files *f, int32_t fd)
{
	/* c.4: close the slot's host descriptor and free the slot (the current file too). */
	(void)f;
	(void)fd;
	kit_not_written("closing a file of the table", "labs/lab-c/file_io.c");
	return -HC_ENOSYS;
}
#endif /* SOLUTION c4 */
