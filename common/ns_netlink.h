/*
 * Just enough rtnetlink (rtnetlink(7), netlink(7)) to do what the
 * assignment does with ip(8): create a veth pair whose peer lands in
 * another network namespace, add IPv4 addresses, bring links up, delete a
 * link. Each call is one request and its acknowledgement, in the network
 * namespace the socket was opened in. Every function returns 0 or -errno.
 */
#ifndef KIT_NS_NETLINK_H
#define KIT_NS_NETLINK_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/types.h>

struct ns_nl {
	int fd;
	uint32_t seq;
};

int ns_nl_open(struct ns_nl *nl);
void ns_nl_close(struct ns_nl *nl);

/*
 * Create veth NAME here, up, and its peer PEER (down) in the network
 * namespace of process PEER_PID. Fails with -EEXIST if NAME exists here.
 */
int ns_nl_new_veth(struct ns_nl *nl, const char *name, const char *peer, pid_t peer_pid);

/* Set IFF_UP on the link with this index. */
int ns_nl_link_up(struct ns_nl *nl, unsigned ifindex);

/* Add ADDR/PREFIX to the link with this index. */
int ns_nl_add_ipv4(struct ns_nl *nl, unsigned ifindex, struct in_addr addr, unsigned prefix);

/* Delete the link called NAME (for a veth, both ends go). */
int ns_nl_del_link(struct ns_nl *nl, const char *name);

/*
 * A socket that hears about links appearing and going (RTMGRP_LINK), for
 * ns_nl_wait_link_gone. Open it before the link can go, so no news is missed.
 */
int ns_nl_open_link_watch(struct ns_nl *nl);

/*
 * Wait until link IFINDEX no longer exists, at most timeout_ms. 0, or
 * -ETIMEDOUT. Cheap: it sleeps until the kernel announces RTM_DELLINK.
 */
int ns_nl_wait_link_gone(struct ns_nl *nl, unsigned ifindex, int timeout_ms);

#endif
