/*
 * The container's network: a veth pair, named and addressed so that any
 * number of containers can run side by side.
 *
 * Addresses come from 10.11.0.0/16, cut into 16384 /30 blocks ("slots").
 * Slot S holds 10.11.0.0 + 4*S: +1 is the host end, +2 the container end.
 * The host end is called "iso-C-D" after its address 10.11.C.D; the
 * container end is "peer0" (names only need to be unique per namespace).
 * A lone container gets slot 771 = 10.11.12.12/30, i.e. the assignment's
 * 10.11.12.13 (host) and 10.11.12.14 (container). Concurrent ones take
 * 772, 773, ... (wrapping to 0). A slot is claimed by creating its host
 * interface: the kernel refuses a second interface of the same name
 * (EEXIST), which makes the claim atomic without any lock file, and the
 * slot is free again as soon as the interface is gone.
 */
#ifndef KIT_NS_NET_H
#define KIT_NS_NET_H

#include <net/if.h>
#include <netinet/in.h>
#include <sys/types.h>

#define NS_SLOT_COUNT 16384
#define NS_SLOT_LONE 771
#define NS_SLOT_PREFIX 30
#define NS_PEER_NAME "peer0"

struct ns_veth {
	int slot;
	char host_if[IF_NAMESIZE];
	char peer_if[IF_NAMESIZE];
	struct in_addr host_addr;
	struct in_addr peer_addr;
	unsigned prefix;
	unsigned host_index;     /* ifindex of the host end, once created */
};

/*
 * How links and addresses are configured. Every step goes over rtnetlink
 * (ns_netlink.c); NS_TOOL_IP runs ip(8) for the same step instead, as the
 * assignment does by hand (ns_net_ip.c, the one marked branch in each step).
 */
enum ns_net_tool { NS_TOOL_NETLINK, NS_TOOL_IP };

/*
 * The interface indexes a pair gets in a fresh namespace (one holding only
 * lo): see fresh_namespace() in ns_net.c.
 */
#define NS_FRESH_HOST_INDEX 2
#define NS_FRESH_PEER_INDEX 3

/* Names and addresses of slot S (0 <= S < NS_SLOT_COUNT). */
void ns_veth_plan(int slot, struct ns_veth *v);

/* The n-th slot to try: the lone slot first, then upwards, wrapping. */
int ns_slot_order(int n);

/*
 * Host side: claim a slot, create the pair with its peer in the network
 * namespace of process CHILD, address the host end and bring it up.
 * Fills *v. 0, -ENOSPC when every slot is taken, or -errno (-EPERM without
 * CAP_NET_ADMIN here).
 */
int ns_veth_create(enum ns_net_tool tool, pid_t child, struct ns_veth *v);

/*
 * Host side, once the container's init has been reaped: retire the pair so
 * its slot is free at once. The pair dies with the container's network
 * namespace, but the kernel tears a namespace down in the background,
 * after an RCU grace period (~20 ms on an idle machine), and deleting the
 * pair ourselves (RTM_DELLINK) blocks in rcu_barrier() for as long. So we
 * remove the host end's address (with its local and /30 routes, which
 * would otherwise be torn down later under the next container's feet),
 * take it down, and rename it "isz-IFINDEX", freeing the name and so the
 * slot; all in well under a millisecond. The kernel removes it with the
 * namespace shortly after. If it is already gone, nothing is done.
 */
int ns_veth_retire(enum ns_net_tool tool, const struct ns_veth *v);

/* The container side's steps, for telling which one failed. */
enum ns_net_step { NS_STEP_LO_UP, NS_STEP_PEER_ADDR, NS_STEP_PEER_UP };

/* "cannot bring lo up", ...: what failed, for a message. */
const char *ns_net_step_text(enum ns_net_step step);

/*
 * Container side, run inside the new network namespace (lines 43-45):
 * loopback up, and when v is not NULL the peer addressed and up. 0, or
 * -errno with *failed naming the step.
 */
int ns_net_setup_inside(enum ns_net_tool tool, const struct ns_veth *v, enum ns_net_step *failed);

/* "10.11.12.13" into buf (at least INET_ADDRSTRLEN). */
const char *ns_addr_text(struct in_addr addr, char *buf);

#endif
