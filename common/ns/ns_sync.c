#include "ns_sync.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int ns_pipe_open(struct ns_pipe *p)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) < 0) {
		p->read_fd = p->write_fd = -1;
		return -errno;
	}
	p->read_fd = fds[0];
	p->write_fd = fds[1];
	return 0;
}

void ns_close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

void ns_pipe_close(struct ns_pipe *p)
{
	ns_close_fd(&p->read_fd);
	ns_close_fd(&p->write_fd);
}

int ns_pipe_send(int fd, const void *msg, size_t len)
{
	return write_all(fd, msg, len);
}

int ns_pipe_recv(int fd, void *msg, size_t len)
{
	char *p = msg;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
