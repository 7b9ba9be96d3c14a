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

/* A veth pair to create. */
struct ns_nl_veth {
	const char *name;     /* this end, here; created up */
	const char *peer;     /* the other end, created down ... */
	pid_t peer_pid;       /* ... in this process's network namespace */
	unsigned index;       /* interface indexes wished for (0: the kernel's choice); */
	unsigned peer_index;  /* the peer's is honoured only when index is given too */
};

/*
 * Create the pair, with the wished-for indexes where they are free and the
 * kernel's choice where they are not. -EEXIST if NAME exists here.
 */
int ns_nl_new_veth(struct ns_nl *nl, const struct ns_nl_veth *v);

/* Set IFF_UP on the link with this index. */
int ns_nl_link_up(struct ns_nl *nl, unsigned ifindex);

/* Clear IFF_UP: the link's routes go, its addresses stop being used. */
int ns_nl_link_down(struct ns_nl *nl, unsigned ifindex);

/* Rename the link with this index (it must be down). */
int ns_nl_link_rename(struct ns_nl *nl, unsigned ifindex, const char *name);

/* Add ADDR/PREFIX to the link with this index. */
int ns_nl_add_ipv4(struct ns_nl *nl, unsigned ifindex, struct in_addr addr, unsigned prefix);

/* Remove ADDR/PREFIX from the link with this index. */
int ns_nl_del_ipv4(struct ns_nl *nl, unsigned ifindex, struct in_addr addr, unsigned prefix);

/* Delete the link called NAME (for a veth, both ends go). */
int ns_nl_del_link(struct ns_nl *nl, const char *name);

/*
 * A socket that hears about links changing (RTMGRP_LINK), for the waits
 * below. Open it before the change can happen, so no news is missed.
 */
int ns_nl_open_link_watch(struct ns_nl *nl);

/*
 * Wait until link IFINDEX no longer exists, at most timeout_ms. 0, or
 * -ETIMEDOUT. Cheap: it sleeps until the kernel announces RTM_DELLINK.
 */
int ns_nl_wait_link_gone(struct ns_nl *nl, unsigned ifindex, int timeout_ms);

/*
 * Wait until the kernel announces link IFINDEX as operationally up with a
 * real queueing discipline, at most timeout_ms. 0, or -ETIMEDOUT. Needed
 * after bringing a veth up: the carrier comes on at once, but the kernel
 * attaches the qdisc later, from its link-watch work, and until then every
 * packet sent goes to noop_qdisc and is dropped (a first ARP request lost
 * costs a ping its one-second answer). The announcement comes after.
 */
int ns_nl_wait_link_running(struct ns_nl *nl, unsigned ifindex, int timeout_ms);

#endif
