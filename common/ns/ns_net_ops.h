/*
 * The two ways ns_net.c can configure links: rtnetlink (ns_net_nl.c) and
 * ip(8) (ns_net_ip.c). Internal to the namespace layer.
 */
#ifndef KIT_NS_NET_OPS_H
#define KIT_NS_NET_OPS_H

#include "ns_net.h"

struct ns_net_ops {
	/* Create the pair, host end up and addressed; -EEXIST if the name is taken.
	 * fresh: lo is the only interface here (see pick_indexes in ns_net.c). */
	int (*create)(pid_t child, const struct ns_veth *v, int fresh);
	int (*retire)(const struct ns_veth *v, const char *new_name);
	int (*link_up)(const char *ifname);
	int (*add_addr)(const char *ifname, struct in_addr addr, unsigned prefix);
};

extern const struct ns_net_ops ns_net_netlink_ops;
extern const struct ns_net_ops ns_net_ip_ops;

/* The indexes a fresh namespace gets: see pick_indexes in ns_net.c. */
#define NS_FRESH_HOST_INDEX 2
#define NS_FRESH_PEER_INDEX 3

#endif
