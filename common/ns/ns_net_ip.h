/*
 * The ip(8) branch of ns_net.c (isolate --net-tool=ip): each step of the
 * container's network as one ip process, the way the assignment types it,
 * started with posix_spawn and an argv array, never a shell. Internal to
 * the namespace layer; each function returns 0 or -errno.
 */
#ifndef KIT_NS_NET_IP_H
#define KIT_NS_NET_IP_H

#include "ns_net.h"

/* ip link add HOST [index N] type veth peer name PEER [index M] netns CHILD;
 * then address HOST and bring it up. -EEXIST if HOST exists already. */
int ns_ip_create_pair(pid_t child, const struct ns_veth *v, int fresh);

/* ip addr del, ip link set down, ip link set name NEW_NAME. */
int ns_ip_retire(const struct ns_veth *v, const char *new_name);

/* ip link set IFNAME up. */
int ns_ip_link_up(const char *ifname);

/* ip addr add ADDR/PREFIX dev IFNAME. */
int ns_ip_add_addr(const char *ifname, struct in_addr addr, unsigned prefix);

#endif
