#include "ns_net.h"
#include "ns_net_ops.h"
#include "ns_netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define POOL_BASE 0x0a0b0000u /* 10.11.0.0 */

void ns_veth_plan(int slot, struct ns_veth *v)
{
	uint32_t base = POOL_BASE + 4u * (uint32_t)slot;

	memset(v, 0, sizeof(*v));
	v->slot = slot;
	v->prefix = NS_SLOT_PREFIX;
	v->host_addr.s_addr = htonl(base + 1);
	v->peer_addr.s_addr = htonl(base + 2);
	snprintf(v->host_if, sizeof(v->host_if), "iso-%u-%u", ((base + 1) >> 8) & 0xff,
		 (base + 1) & 0xff);
	snprintf(v->peer_if, sizeof(v->peer_if), "%s", NS_PEER_NAME);
}

int ns_slot_order(int n)
{
	return (NS_SLOT_LONE + n) % NS_SLOT_COUNT;
}

const char *ns_addr_text(struct in_addr addr, char *buf)
{
	return inet_ntop(AF_INET, &addr, buf, INET_ADDRSTRLEN);
}

static const struct ns_net_ops *ops_for(enum ns_net_tool tool)
{
	return tool == NS_TOOL_IP ? &ns_net_ip_ops : &ns_net_netlink_ops;
}

/*
 * Is lo the only interface here, as in a fresh network namespace? Then the
 * pair gets indexes we choose. The kernel turns a veth's carrier on from a
 * work item that runs at once only for "urgent" links, those whose index
 * differs from their peer's (linkwatch_urgent_event); others wait up to a
 * second. The container end is index 2 (after lo) in its new namespace,
 * and in a namespace holding only lo, as the tests' are, the host end
 * would be 2 as well.
 */
static int fresh_namespace(void)
{
	struct if_nameindex *all = if_nameindex();
	int only_lo = all && all[0].if_index == 1 && all[1].if_index == 0;

	if (all)
		if_freenameindex(all);
	return only_lo;
}

int ns_veth_create(enum ns_net_tool tool, pid_t child, struct ns_veth *v)
{
	int fresh = fresh_namespace();

	for (int n = 0; n < NS_SLOT_COUNT; n++) {
		int ret;

		ns_veth_plan(ns_slot_order(n), v);
		if (if_nametoindex(v->host_if))
			continue; /* taken: skip without paying for a failed create */
		ret = ops_for(tool)->create(child, v, fresh);
		if (ret == 0)
			v->host_index = if_nametoindex(v->host_if);
		if (ret != -EEXIST)
			return ret;
	}
	return -ENOSPC;
}

int ns_veth_retire(enum ns_net_tool tool, const struct ns_veth *v)
{
	char new_name[IF_NAMESIZE];

	snprintf(new_name, sizeof(new_name), "isz-%u", v->host_index);
	return ops_for(tool)->retire(v, new_name);
}

/* Bring the container end up and wait until it can carry packets (see ns_nl_wait_link_running). */
static int peer_up(const struct ns_net_ops *ops, const struct ns_veth *v)
{
	unsigned ifindex = if_nametoindex(v->peer_if);
	struct ns_nl watch;
	int ret;

	if (!ifindex)
		return -ENODEV;
	if (ns_nl_open_link_watch(&watch) < 0)
		watch.fd = -1;
	ret = ops->link_up(v->peer_if);
	if (ret == 0 && watch.fd >= 0)
		ns_nl_wait_link_running(&watch, ifindex, 2000); /* late is better than never */
	ns_nl_close(&watch);
	return ret;
}

int ns_net_setup_inside(enum ns_net_tool tool, const struct ns_veth *v, const char **step)
{
	const struct ns_net_ops *ops = ops_for(tool);
	int ret;

	*step = "bring lo up";
	ret = ops->link_up("lo");
	if (ret < 0 || !v)
		return ret;
	*step = "address the container end";
	ret = ops->add_addr(v->peer_if, v->peer_addr, v->prefix);
	if (ret < 0)
		return ret;
	*step = "bring the container end up";
	return peer_up(ops, v);
}
