/* The container's network configured over rtnetlink (ns_netlink.c). */
#include "ns_net_ops.h"
#include "ns_netlink.h"

#include <errno.h>

/* Open a socket, run one step, close. */
#define WITH_NL(nl, ret, step)              \
	do {                                \
		ret = ns_nl_open(&nl);      \
		if (ret == 0) {             \
			ret = (step);       \
			ns_nl_close(&nl);   \
		}                           \
	} while (0)

static int new_pair(struct ns_nl *nl, pid_t child, const struct ns_veth *v, int fresh)
{
	struct ns_nl_veth pair = { .name = v->host_if, .peer = v->peer_if, .peer_pid = child };
	int ret;

	if (fresh) {
		pair.index = NS_FRESH_HOST_INDEX;
		pair.peer_index = NS_FRESH_PEER_INDEX;
		ret = ns_nl_new_veth(nl, &pair);
		if (ret != -EBUSY)
			return ret;
		pair.index = pair.peer_index = 0; /* a concurrent isolate took the index first */
	}
	return ns_nl_new_veth(nl, &pair);
}

static int create(pid_t child, const struct ns_veth *v, int fresh)
{
	struct ns_nl nl;
	unsigned ifindex;
	int ret = ns_nl_open(&nl);

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

static int retire_steps(struct ns_nl *nl, const struct ns_veth *v, const char *new_name)
{
	int ret = ns_nl_del_ipv4(nl, v->host_index, v->host_addr, v->prefix);

	if (ret == 0)
		ret = ns_nl_link_down(nl, v->host_index);
	if (ret == 0)
		ret = ns_nl_link_rename(nl, v->host_index, new_name);
	return ret;
}

static int retire(const struct ns_veth *v, const char *new_name)
{
	struct ns_nl nl;
	int ret;

	WITH_NL(nl, ret, retire_steps(&nl, v, new_name));
	return ret;
}

static int link_up(const char *ifname)
{
	unsigned ifindex = if_nametoindex(ifname);
	struct ns_nl nl;
	int ret;

	if (!ifindex)
		return -ENODEV;
	WITH_NL(nl, ret, ns_nl_link_up(&nl, ifindex));
	return ret;
}

static int add_addr(const char *ifname, struct in_addr addr, unsigned prefix)
{
	unsigned ifindex = if_nametoindex(ifname);
	struct ns_nl nl;
	int ret;

	if (!ifindex)
		return -ENODEV;
	WITH_NL(nl, ret, ns_nl_add_ipv4(&nl, ifindex, addr, prefix));
	return ret;
}

const struct ns_net_ops ns_net_netlink_ops = {
	.create = create, .retire = retire,
	.link_up = link_up, .add_addr = add_addr,
};
