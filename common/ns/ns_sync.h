/*
 * Parent/child synchronisation over a pipe, as the assignment's skeleton
 * does it. The reader blocks until the writer sends a message; if the
 * writer dies first, every write end closes and the reader sees EOF, so a
 * child never waits forever for a parent that is gone.
 */
#ifndef KIT_NS_SYNC_H
#define KIT_NS_SYNC_H

#include <stddef.h>

struct ns_pipe {
	int read_fd;
	int write_fd;
};

/* A close-on-exec pipe: the program exec'd at the end inherits neither end. */
int ns_pipe_open(struct ns_pipe *p);
void ns_pipe_close(struct ns_pipe *p);

/* Close *fd if open and mark it closed (-1). */
void ns_close_fd(int *fd);

/* Send a fixed-size message. 0 or -errno (-EPIPE when the reader is gone). */
int ns_pipe_send(int fd, const void *msg, size_t len);

/* Receive a fixed-size message. 0, -EPIPE on EOF (writer gone), or -errno. */
int ns_pipe_recv(int fd, void *msg, size_t len);

#endif
