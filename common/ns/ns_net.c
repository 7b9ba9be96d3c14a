/*
 * The container's network over rtnetlink (ns_netlink.c). With
 * NS_TOOL_IP each step instead runs ip(8) (ns_net_ip.c): the marked
 * "ip(8) branch" at the top of the four steps below.
 */
#include "ns_net.h"
#include "ns_net_ip.h"
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

/* The pair; in a fresh namespace with the indexes we wish for (a concurrent isolate may take them first). */
static int new_pair(struct ns_nl *nl, pid_t child, const struct ns_veth *v, int fresh)
{
	struct ns_nl_veth pair = { .name = v->host_if, .peer = v->peer_if, .peer_pid = child };

	if (fresh) {
		pair.index = NS_FRESH_HOST_INDEX;
		pair.peer_index = NS_FRESH_PEER_INDEX;
	}
	return ns_nl_new_veth(nl, &pair);
}

/* Lines 32-36 of the assignment: the pair with its peer over there, our end addressed and up. */
static int create_pair(enum ns_net_tool tool, pid_t child, const struct ns_veth *v, int fresh)
{
	struct ns_nl nl;
	unsigned ifindex;
	int ret;

	if (tool == NS_TOOL_IP) /* the ip(8) branch */
		return ns_ip_create_pair(child, v, fresh);
	ret = ns_nl_open(&nl);
	if (ret < 0)
		return ret;
	ret = new_pair(&nl, child, v, fresh);
	if (ret == 0) {
		ifindex = if_nametoindex(v->host_if);
		ret = ifindex ? ns_nl_add_ipv4(&nl, ifindex, v->host_addr, v->prefix) : -errno;
		if (ret < 0)
			ns_nl_del_link(&nl, v->host_if);
	}
	ns_nl_close(&nl);
	return ret;
}

int ns_veth_create(enum ns_net_tool tool, pid_t child, struct ns_veth *v)
{
	int fresh = fresh_namespace();

	for (int n = 0; n < NS_SLOT_COUNT; n++) {
		int ret;

		ns_veth_plan(ns_slot_order(n), v);
		if (if_nametoindex(v->host_if))
			continue; /* taken: skip without paying for a failed create */
		ret = create_pair(tool, child, v, fresh);
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
	struct ns_nl nl;
	int ret;

	snprintf(new_name, sizeof(new_name), "isz-%u", v->host_index);
	if (tool == NS_TOOL_IP) /* the ip(8) branch */
		return ns_ip_retire(v, new_name);
	ret = ns_nl_open(&nl);
	if (ret < 0)
		return ret;
	ret = ns_nl_del_ipv4(&nl, v->host_index, v->host_addr, v->prefix);
	if (ret == 0)
		ret = ns_nl_link_down(&nl, v->host_index);
	if (ret == 0)
		ret = ns_nl_link_rename(&nl, v->host_index, new_name);
	ns_nl_close(&nl);
	return ret;
}

static int link_up(enum ns_net_tool tool, const char *ifname)
{
	unsigned ifindex = if_nametoindex(ifname);
	struct ns_nl nl;
	int ret;

	if (tool == NS_TOOL_IP) /* the ip(8) branch */
		return ns_ip_link_up(ifname);
	if (!ifindex)
		return -ENODEV;
	ret = ns_nl_open(&nl);
	if (ret == 0) {
		ret = ns_nl_link_up(&nl, ifindex);
		ns_nl_close(&nl);
	}
	return ret;
}

static int add_addr(enum ns_net_tool tool, const char *ifname, struct in_addr addr, unsigned prefix)
{
	unsigned ifindex = if_nametoindex(ifname);
	struct ns_nl nl;
	int ret;

	if (tool == NS_TOOL_IP) /* the ip(8) branch */
		return ns_ip_add_addr(ifname, addr, prefix);
	if (!ifindex)
		return -ENODEV;
	ret = ns_nl_open(&nl);
	if (ret == 0) {
		ret = ns_nl_add_ipv4(&nl, ifindex, addr, prefix);
		ns_nl_close(&nl);
	}
	return ret;
}

/* Bring the container end up and wait until it can carry packets (see ns_nl_wait_link_running). */
static int peer_up(enum ns_net_tool tool, const struct ns_veth *v)
{
	unsigned ifindex = if_nametoindex(v->peer_if);
	struct ns_nl watch;
	int ret;

	if (!ifindex)
		return -ENODEV;
	if (ns_nl_open_link_watch(&watch) < 0)
		watch.fd = -1;
	ret = link_up(tool, v->peer_if);
	if (ret == 0 && watch.fd >= 0)
		ns_nl_wait_link_running(&watch, ifindex, 2000); /* late is better than never */
	ns_nl_close(&watch);
	return ret;
}

int ns_net_setup_inside(enum ns_net_tool tool, const struct ns_veth *v, enum ns_net_step *failed)
{
	int ret;

	*failed = NS_STEP_LO_UP;
	ret = link_up(tool, "lo");
	if (ret < 0 || !v)
		return ret;
	*failed = NS_STEP_PEER_ADDR;
	ret = add_addr(tool, v->peer_if, v->peer_addr, v->prefix);
	if (ret < 0)
		return ret;
	*failed = NS_STEP_PEER_UP;
	return peer_up(tool, v);
}

const char *ns_net_step_text(enum ns_net_step step)
{
	switch (step) {
	case NS_STEP_LO_UP:
		return "cannot bring lo up";
	case NS_STEP_PEER_ADDR:
		return "cannot address the container end";
	case NS_STEP_PEER_UP:
		return "cannot bring the container end up";
	}
	return "cannot configure the network";
}
