/*
 * Guest output. Byte-at-a-time console output (port 0xE9, as in
 * kvm-hello-world) is buffered per vCPU and written a line at a time;
 * whole strings (the print hypercall) go out in one writev. With several
 * vCPUs every line is tagged "[vcpuN] " and written under a lock, so lines
 * never interleave mid-way.
 */
#include "kvm.h"
#include "util/clock.h"
#include "util/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * All of iov, unless the vCPU's --timeout passes first (stdout may be a
 * pipe nobody reads): then -EINTR, and the run loop ends the run.
 */
static int writev_all(const struct vcpu *v, int fd, struct iovec *iov, int iovcnt)
{
	while (iovcnt > 0) {
		ssize_t n = writev(fd, iov, iovcnt > IOV_MAX_BATCH ? IOV_MAX_BATCH : iovcnt);

		if (vcpu_out_of_time(v))
			return -EINTR;
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

static size_t format_tag(const struct vcpu *v, char *tag, size_t size)
{
	double ms;

	if (!v->vm->tag_time)
		return (size_t)snprintf(tag, size, "[vcpu%d] ", v->id);
	ms = (monotonic_seconds() - v->vm->tag_epoch) * 1e3;
	return (size_t)snprintf(tag, size, "[vcpu%d %+9.3f ms] ", v->id, ms);
}

/* One locked writev to stdout, with the vCPU's tag in front when tagged. */
static int emit(struct vcpu *v, const struct iovec *iov, int iovcnt, bool tagged)
{
	struct iovec all[IOV_MAX_BATCH + 1];
	char tag[48];
	int n = 0, err;

	if (iovcnt > IOV_MAX_BATCH)
		return -E2BIG;
	if (tagged) {
		all[n].iov_base = tag;
		all[n++].iov_len = format_tag(v, tag, sizeof(tag));
	}
	for (int i = 0; i < iovcnt; i++)
		all[n++] = iov[i];
	pthread_mutex_lock(&v->vm->out_lock);
	fflush(stdout); /* anything the host printf'd comes first */
	err = writev_all(v, STDOUT_FILENO, all, n);
	pthread_mutex_unlock(&v->vm->out_lock);
	return err;
}

void vcpu_console_flush(struct vcpu *v)
{
	struct iovec iov = { .iov_base = v->line, .iov_len = v->line_len };

	if (v->line_len)
		emit(v, &iov, 1, v->vm->tag_output);
	v->line_len = 0;
}

void vcpu_console_byte(struct vcpu *v, uint8_t byte)
{
	v->line[v->line_len++] = (char)byte;
	if (byte == '\n' || v->line_len == sizeof(v->line))
		vcpu_console_flush(v);
}

/* Tagged output goes through the line buffer so every line gets its tag. */
static void append_lines(struct vcpu *v, const char *p, size_t len)
{
	while (len) {
		const char *nl = memchr(p, '\n', len);
		size_t take = nl ? (size_t)(nl - p) + 1 : len;
		size_t room = sizeof(v->line) - v->line_len;

		if (take > room)
			take = room;
		memcpy(v->line + v->line_len, p, take);
		v->line_len += (unsigned)take;
		if (v->line[v->line_len - 1] == '\n' || v->line_len == sizeof(v->line))
			vcpu_console_flush(v);
		p += take;
		len -= take;
	}
}

int vcpu_write_out(struct vcpu *v, const struct iovec *iov, int iovcnt)
{
	if (v->vm->tag_output) {
		for (int i = 0; i < iovcnt; i++)
			append_lines(v, iov[i].iov_base, iov[i].iov_len);
		return 0;
	}
	vcpu_console_flush(v); /* a partial console line goes first */
	return emit(v, iov, iovcnt, false);
}
