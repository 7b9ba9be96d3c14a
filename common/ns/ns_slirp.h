/*
 * Rootless networking with slirp4netns(1): a user-mode TCP/IP stack that
 * runs as the invoking user, joins the container's user and network
 * namespaces, opens a tap device there and relays the container's traffic
 * through ordinary sockets of the host. No CAP_NET_ADMIN on the host is
 * needed. Inside: tap0 10.0.2.100/24, gateway (the host) 10.0.2.2.
 */
#ifndef KIT_NS_SLIRP_H
#define KIT_NS_SLIRP_H

#include <stddef.h>
#include <sys/types.h>

#define NS_SLIRP_TAP "tap0"
#define NS_SLIRP_ADDR "10.0.2.100"
#define NS_SLIRP_HOST "10.0.2.2"

struct ns_slirp {
	pid_t pid;      /* 0 when not running */
	int exit_fd;    /* closing it tells slirp4netns to exit */
};

/*
 * Can slirp4netns work for us? 0, or -ENOENT (not installed) or -EACCES
 * (/dev/net/tun not readable and writable by the invoking user).
 */
int ns_slirp_usable(void);

/*
 * Start slirp4netns for the network namespace of process CHILD and wait
 * until it has configured tap0 and lo. It exits when exit_fd closes, which
 * also happens when we die, even by SIGKILL: slirp4netns holds the tap
 * device, and the tap device holds the network namespace, so it must not
 * outlive us. 0 or -errno.
 */
int ns_slirp_start(struct ns_slirp *s, pid_t child);

/* Ask slirp4netns to exit and reap it. */
void ns_slirp_stop(struct ns_slirp *s);

#endif
