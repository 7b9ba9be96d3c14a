#include "ns_net.h"
#include "ns_netlink.h"
#include "ns_spawn.h"
#include "util.h"

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

/* ---- rtnetlink ---- */

/* Is lo the only interface here, as in a fresh network namespace? */
static int only_loopback_here(void)
{
	struct if_nameindex *all = if_nameindex();
	int only_lo = all && all[0].if_index == 1 && all[1].if_index == 0;

	if (all)
		if_freenameindex(all);
	return only_lo;
}

/*
 * Create the pair. The kernel brings a veth's carrier up from a work item
 * that runs at once only for "urgent" links, those whose index differs
 * from their peer's (linkwatch_urgent_event); others wait up to a second.
 * The container end is always index 2 (after lo) in its new namespace, and
 * in a namespace holding only lo, as the tests' are, the host end would be
 * 2 as well. There we choose the indexes ourselves (any but 1 is free).
 */
static int nl_new_pair(struct ns_nl *nl, pid_t child, const struct ns_veth *v)
{
	struct ns_nl_veth pair = { .name = v->host_if, .peer = v->peer_if, .peer_pid = child };
	int ret;

	if (only_loopback_here()) {
		pair.index = 2;
		pair.peer_index = 3;
		ret = ns_nl_new_veth(nl, &pair);
		if (ret != -EBUSY)
			return ret;
		pair.index = pair.peer_index = 0; /* a concurrent isolate took 2 first */
	}
	return ns_nl_new_veth(nl, &pair);
}

static int nl_create(pid_t child, const struct ns_veth *v)
{
	struct ns_nl nl;
	unsigned ifindex;
	int ret = ns_nl_open(&nl);

	if (ret < 0)
		return ret;
	ret = nl_new_pair(&nl, child, v);
	if (ret == 0) {
		ifindex = if_nametoindex(v->host_if);
		ret = ifindex ? ns_nl_add_ipv4(&nl, ifindex, v->host_addr, v->prefix) : -errno;
		if (ret < 0)
			ns_nl_del_link(&nl, v->host_if);
	}
	ns_nl_close(&nl);
	return ret;
}

static int nl_delete(const struct ns_veth *v)
{
	struct ns_nl nl;
	int ret = ns_nl_open(&nl);

	if (ret < 0)
		return ret;
	ret = ns_nl_del_link(&nl, v->host_if);
	ns_nl_close(&nl);
	return ret;
}

/* Address the container end, bring it up, and wait until it can carry packets. */
static int nl_peer_up(struct ns_nl *nl, const struct ns_veth *v, const char **step)
{
	unsigned peer = if_nametoindex(v->peer_if);
	struct ns_nl watch;
	int ret;

	*step = "address the container end";
	if (!peer)
		return -ENODEV;
	ret = ns_nl_add_ipv4(nl, peer, v->peer_addr, v->prefix);
	if (ret < 0)
		return ret;
	*step = "bring the container end up";
	if (ns_nl_open_link_watch(&watch) < 0)
		watch.fd = -1;
	ret = ns_nl_link_up(nl, peer);
	if (ret == 0 && watch.fd >= 0)
		ns_nl_wait_link_running(&watch, peer, 1000); /* late is better than never */
	ns_nl_close(&watch);
	return ret;
}

static int nl_inside(const struct ns_veth *v, const char **step)
{
	struct ns_nl nl;
	unsigned lo = if_nametoindex("lo");
	int ret = ns_nl_open(&nl);

	*step = "rtnetlink socket";
	if (ret < 0)
		return ret;
	*step = "bring lo up";
	ret = lo ? ns_nl_link_up(&nl, lo) : -ENODEV;
	if (ret == 0 && v)
		ret = nl_peer_up(&nl, v, step);
	ns_nl_close(&nl);
	return ret;
}

static int nl_retire(const struct ns_veth *v, const char *retired)
{
	struct ns_nl nl;
	int ret = ns_nl_open(&nl);

	if (ret < 0)
		return ret;
	ret = ns_nl_del_ipv4(&nl, v->host_index, v->host_addr, v->prefix);
	if (ret == 0)
		ret = ns_nl_link_down(&nl, v->host_index);
	if (ret == 0)
		ret = ns_nl_link_rename(&nl, v->host_index, retired);
	ns_nl_close(&nl);
	return ret;
}

/* ---- ip(8): same steps, one process each ---- */

/* Run ip with these arguments; on failure show what ip said. Exit code or -errno. */
static int run_ip(char *const argv[], int quiet)
{
	char out[1024];
	int ret = ns_run_capture(argv, out, sizeof(out), 10000);

	if (ret > 0 && !quiet && out[0])
		warnx("%s: %.*s", argv[1], (int)strcspn(out, "\n"), out);
	return ret;
}

/* Why "ip link add" failed: someone else's interface (try another slot), or a real error. */
static int ip_add_error(const struct ns_veth *v, const char *out)
{
	if (if_nametoindex(v->host_if))
		return -EEXIST;
	if (strstr(out, "Operation not permitted"))
		return -EPERM;
	warnx("ip link add: %.*s", (int)strcspn(out, "\n"), out);
	return -EIO;
}

static int ip_create(pid_t child, const struct ns_veth *v)
{
	char pid[16], addr[INET_ADDRSTRLEN + 4], text[INET_ADDRSTRLEN], out[1024];
	char *add[] = { "ip", "link", "add", (char *)v->host_if, "type", "veth", "peer", "name",
			(char *)v->peer_if, "netns", pid, NULL };
	char *address[] = { "ip", "addr", "add", addr, "dev", (char *)v->host_if, NULL };
	char *up[] = { "ip", "link", "set", (char *)v->host_if, "up", NULL };
	char *del[] = { "ip", "link", "del", (char *)v->host_if, NULL };
	int ret;

	snprintf(pid, sizeof(pid), "%d", (int)child);
	snprintf(addr, sizeof(addr), "%s/%u", ns_addr_text(v->host_addr, text), v->prefix);
	ret = ns_run_capture(add, out, sizeof(out), 10000);
	if (ret < 0)
		return ret;
	if (ret > 0)
		return ip_add_error(v, out);
	ret = run_ip(address, 0);
	if (ret == 0)
		ret = run_ip(up, 0);
	if (ret != 0) {
		run_ip(del, 1);
		return ret < 0 ? ret : -EIO;
	}
	return 0;
}

static int ip_delete(const struct ns_veth *v)
{
	char *del[] = { "ip", "link", "del", (char *)v->host_if, NULL };
	int ret = run_ip(del, 1);

	return ret == 0 ? 0 : ret < 0 ? ret : -ENODEV;
}

static int ip_retire(const struct ns_veth *v, const char *retired)
{
	char addr[INET_ADDRSTRLEN + 4], text[INET_ADDRSTRLEN];
	char *flush[] = { "ip", "addr", "del", addr, "dev", (char *)v->host_if, NULL };
	char *down[] = { "ip", "link", "set", (char *)v->host_if, "down", NULL };
	char *rename[] = { "ip", "link", "set", (char *)v->host_if, "name", (char *)retired, NULL };
	int ret;

	snprintf(addr, sizeof(addr), "%s/%u", ns_addr_text(v->host_addr, text), v->prefix);
	ret = run_ip(flush, 1);
	if (ret == 0)
		ret = run_ip(down, 1);
	if (ret == 0)
		ret = run_ip(rename, 1);
	return ret == 0 ? 0 : ret < 0 ? ret : -ENODEV;
}

static int ip_inside(const struct ns_veth *v, const char **step)
{
	char addr[INET_ADDRSTRLEN + 4], text[INET_ADDRSTRLEN];
	char *lo_up[] = { "ip", "link", "set", "lo", "up", NULL };
	char *address[] = { "ip", "addr", "add", addr, "dev", NULL, NULL };
	char *peer_up[] = { "ip", "link", "set", NULL, "up", NULL };
	int ret;

	*step = "ip link set lo up";
	ret = run_ip(lo_up, 0);
	if (ret != 0 || !v)
		return ret == 0 ? 0 : ret < 0 ? ret : -EIO;
	snprintf(addr, sizeof(addr), "%s/%u", ns_addr_text(v->peer_addr, text), v->prefix);
	address[5] = (char *)v->peer_if;
	peer_up[3] = (char *)v->peer_if;
	*step = "ip addr add (container end)";
	ret = run_ip(address, 0);
	if (ret == 0) {
		*step = "ip link set (container end) up";
		ret = run_ip(peer_up, 0);
	}
	return ret == 0 ? 0 : ret < 0 ? ret : -EIO;
}

/* ---- the public verbs ---- */

int ns_veth_create(enum ns_net_tool tool, pid_t child, struct ns_veth *v)
{
	for (int n = 0; n < NS_SLOT_COUNT; n++) {
		int ret;

		ns_veth_plan(ns_slot_order(n), v);
		if (if_nametoindex(v->host_if))
			continue; /* taken: skip without paying for a failed create */
		ret = tool == NS_TOOL_IP ? ip_create(child, v) : nl_create(child, v);
		if (ret == 0)
			v->host_index = if_nametoindex(v->host_if);
		if (ret != -EEXIST)
			return ret;
	}
	return -ENOSPC;
}

int ns_veth_delete(enum ns_net_tool tool, const struct ns_veth *v)
{
	return tool == NS_TOOL_IP ? ip_delete(v) : nl_delete(v);
}

int ns_veth_retire(enum ns_net_tool tool, const struct ns_veth *v)
{
	char retired[IF_NAMESIZE];

	snprintf(retired, sizeof(retired), "isz-%u", v->host_index);
	return tool == NS_TOOL_IP ? ip_retire(v, retired) : nl_retire(v, retired);
}

int ns_net_setup_inside(enum ns_net_tool tool, const struct ns_veth *v, const char **step)
{
	return tool == NS_TOOL_IP ? ip_inside(v, step) : nl_inside(v, step);
}
