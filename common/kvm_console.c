/*
 * Guest output. Byte-at-a-time console output (port 0xE9, as in
 * kvm-hello-world) is buffered per vCPU and written a line at a time;
 * whole strings (the print hypercall) go out in one writev. With several
 * vCPUs every line is tagged "[vcpuN] " and written under a lock, so lines
 * never interleave mid-way.
 */
#include "kvm.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

static int writev_all(int fd, struct iovec *iov, int iovcnt)
{
	while (iovcnt > 0) {
		ssize_t n = writev(fd, iov, iovcnt > IOV_MAX_BATCH ? IOV_MAX_BATCH : iovcnt);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		while (iovcnt > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			iovcnt--;
		}
		if (iovcnt > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

int vcpu_write_out(struct vcpu *v, const struct iovec *iov, int iovcnt)
{
	struct iovec all[IOV_MAX_BATCH + 1];
	char tag[24];
	int n = 0, err;

	if (iovcnt > IOV_MAX_BATCH)
		return -E2BIG;
	if (v->vm->tag_output) {
		all[n].iov_base = tag;
		all[n++].iov_len = (size_t)snprintf(tag, sizeof(tag), "[vcpu%d] ", v->id);
	}
	for (int i = 0; i < iovcnt; i++)
		all[n++] = iov[i];
	pthread_mutex_lock(&v->vm->out_lock);
	fflush(stdout); /* anything the host printf'd comes first */
	err = writev_all(STDOUT_FILENO, all, n);
	pthread_mutex_unlock(&v->vm->out_lock);
	return err;
}

void vcpu_console_flush(struct vcpu *v)
{
	struct iovec iov = { .iov_base = v->line, .iov_len = v->line_len };

	if (v->line_len)
		vcpu_write_out(v, &iov, 1);
	v->line_len = 0;
}

void vcpu_console_byte(struct vcpu *v, uint8_t byte)
{
	v->line[v->line_len++] = (char)byte;
	if (byte == '\n' || v->line_len == sizeof(v->line))
		vcpu_console_flush(v);
}
