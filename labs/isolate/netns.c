/*
 * Step 4 of the assignment: the network namespace and its veth pair
 * (lines 32-36 on the parent's side, 43-45 on the child's).
 *
 * The host end of a veth pair lives in the host's network namespace, so
 * creating it needs CAP_NET_ADMIN there: the parent does it, before "go",
 * with the pair's other end created directly in the child's namespace.
 * Without that privilege (rootless) isolate uses slirp4netns, a network
 * stack in user space, or only lo. The addresses and names come from
 * common/ns/ns_net.h (a /30 per container, so any number run side by side).
 */
#include "isolate.h"
#include "util/util.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* Rootless networking: slirp4netns if it can work, else loopback only. */
static void choose_rootless_net(struct container *c, const struct isolate_config *cfg,
				const char *why)
{
	int usable = ns_slirp_usable();

	if (usable == 0 && ns_slirp_start(&c->slirp, c->pid) == 0) {
		c->net = NET_SLIRP;
		if (!cfg->quiet)
			kit_warn("note: %s; using slirp4netns user-mode networking instead "
			      "(container " NS_SLIRP_ADDR ", host " NS_SLIRP_HOST ")", why);
		return;
	}
	c->net = NET_LOOPBACK;
	if (!cfg->quiet)
		kit_warn("note: %s; loopback only (%s)", why,
		      usable == -ENOENT ? "install slirp4netns for user-mode networking" :
		      usable == -EACCES ? "slirp4netns needs read-write access to /dev/net/tun" :
		      "slirp4netns failed to start");
}

#ifndef STUB_ns_netns /* SOLUTION ns_netns ((2)(d), step 4): the veth pair, outside */
static int setup_veth(struct container *c, const struct isolate_config *cfg)
{
	char host[INET_ADDRSTRLEN], peer[INET_ADDRSTRLEN];
	int ret = ns_veth_create(c->tool, c->pid, &c->veth);

	if (ret == -EPERM && cfg->net == NET_AUTO) {
		choose_rootless_net(c, cfg, "no veth pair: its host end needs CAP_NET_ADMIN in the "
				    "host network namespace");
		return 0;
	}
	if (ret < 0) {
		ns_report(NS_OP_VETH, -ret, "cannot create the veth pair");
		return ret;
	}
	c->net = NET_VETH;
	if (cfg->verbose)
		kit_warn("veth %s %s/%u (host) <-> %s %s/%u (container)", c->veth.host_if,
		      ns_addr_text(c->veth.host_addr, host), c->veth.prefix, c->veth.peer_if,
		      ns_addr_text(c->veth.peer_addr, peer), c->veth.prefix);
	return 0;
}
#else
static int setup_veth(struct container *c, const struct isolate_config *cfg)
{
	/*
	 * Step 4 (lines 32-36): a veth pair whose host end stays here, addressed
	 * and up, and whose other end is made in the child's network namespace
	 * (common/ns/ns_net.h: ns_veth_create). Until then: only lo inside.
	 */
	(void)cfg;
	kit_not_written("setup_netns(), the veth pair", "labs/isolate/netns.c");
	c->net = NET_LOOPBACK;
	return 0;
}
#endif /* SOLUTION ns_netns */

static int setup_slirp(struct container *c)
{
	int ret = ns_slirp_usable();

	if (ret == 0)
		ret = ns_slirp_start(&c->slirp, c->pid);
	if (ret < 0) {
		ns_report(NS_OP_SLIRP, -ret, "cannot start slirp4netns");
		return ret;
	}
	c->net = NET_SLIRP;
	return 0;
}

/* Parent side, between clone and "go". 0, or -errno after saying why. */
int setup_netns(struct container *c, const struct isolate_config *cfg)
{
	switch (cfg->net) {
	case NET_AUTO:
		if (!c->rootless)
			return setup_veth(c, cfg);
		choose_rootless_net(c, cfg, "rootless: no veth pair, because its host end needs "
				    "CAP_NET_ADMIN in the host network namespace");
		return 0;
	case NET_VETH:
		return setup_veth(c, cfg);
	case NET_SLIRP:
		return setup_slirp(c);
	case NET_LOOPBACK:
		c->net = NET_LOOPBACK;
		return 0;
	}
	return -EINVAL;
}

#ifndef STUB_ns_netns /* SOLUTION ns_netns ((2)(d), step 4): lo and the veth's end, inside */
/* Child side, inside the new network namespace: lo up, and our end of the veth. */
void setup_netns_inside(const struct go_message *go)
{
	enum ns_net_step failed;
	struct ns_veth veth;
	int ret = 0;

	if (go->net == NET_VETH) {
		ns_veth_plan(go->slot, &veth);
		ret = ns_net_setup_inside(go->tool, &veth, &failed);
	} else if (go->net == NET_LOOPBACK) {
		ret = ns_net_setup_inside(go->tool, NULL, &failed);
	} /* slirp4netns --configure has brought up tap0 and lo already */
	if (ret < 0)
		child_fail(NS_OP_NETCONF, -ret, ns_net_step_text(failed));
}
#else
void setup_netns_inside(const struct go_message *go)
{
	/* Step 4 (lines 43-45), inside: lo up, and our end of the pair addressed and up. */
	(void)go;
	kit_not_written("setup_netns_inside(), lo and the container's end", "labs/isolate/netns.c");
}
#endif /* SOLUTION ns_netns */
