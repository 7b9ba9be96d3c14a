/*
 * The container's network configured by running ip(8), one process per
 * step, as the assignment does by hand: each argv is an array, never a
 * command line pasted together. ns_net.c calls these in its ip(8) branch.
 */
#include "ns_net_ip.h"
#include "ns_proc.h"
#include "ns_spawn.h"
#include "util/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Run ip; 0, or -errno. Unless quiet, say what ip said when it failed. */
static int run_ip(char *const argv[], int quiet, char *out, size_t len)
{
	char scratch[1024];
	int ret;

	if (!out) {
		out = scratch;
		len = sizeof(scratch);
	}
	ret = ns_run_capture(argv, out, len, 10000);
	if (ret > 0 && !quiet && out[0])
		kit_warn("ip %s %s: %.*s", argv[1], argv[2], (int)strcspn(out, "\n"), out);
	return ret == 0 ? 0 : ret < 0 ? ret : -EIO;
}

static void prefix_text(struct in_addr addr, unsigned prefix, char *buf, size_t len)
{
	char text[INET_ADDRSTRLEN];

	snprintf(buf, len, "%s/%u", ns_addr_text(addr, text), prefix);
}

#define CAP_NET_ADMIN_BIT (1ULL << 12) /* CAP_NET_ADMIN, capability(7) */

/*
 * Why "ip link add" failed: someone else's interface (try another slot),
 * no CAP_NET_ADMIN (ip says so only in words, so ask the kernel which
 * capabilities we hold), or another error, which ip explained.
 */
static int add_error(const struct ns_veth *v, const char *out)
{
	uint64_t caps = 0;

	if (if_nametoindex(v->host_if))
		return -EEXIST;
	if (ns_cap_effective(getpid(), &caps) == 0 && !(caps & CAP_NET_ADMIN_BIT))
		return -EPERM;
	kit_warn("ip link add: %.*s", (int)strcspn(out, "\n"), out);
	return -EIO;
}

static int add_pair(pid_t child, const struct ns_veth *v, int fresh)
{
	char pid[16], host_index[16], peer_index[16], out[1024];
	char *plain[] = { "ip", "link", "add", (char *)v->host_if, "type", "veth", "peer", "name",
			  (char *)v->peer_if, "netns", pid, NULL };
	char *indexed[] = { "ip", "link", "add", (char *)v->host_if, "index", host_index, "type",
			    "veth", "peer", "name", (char *)v->peer_if, "index", peer_index, "netns",
			    pid, NULL };

	snprintf(pid, sizeof(pid), "%d", (int)child);
	snprintf(host_index, sizeof(host_index), "%d", NS_FRESH_HOST_INDEX);
	snprintf(peer_index, sizeof(peer_index), "%d", NS_FRESH_PEER_INDEX);
	if (fresh && run_ip(indexed, 1, out, sizeof(out)) == 0)
		return 0;
	if (run_ip(plain, 1, out, sizeof(out)) == 0)
		return 0;
	return add_error(v, out);
}

int ns_ip_create_pair(pid_t child, const struct ns_veth *v, int fresh)
{
	char addr[INET_ADDRSTRLEN + 4];
	char *address[] = { "ip", "addr", "add", addr, "dev", (char *)v->host_if, NULL };
	char *up[] = { "ip", "link", "set", (char *)v->host_if, "up", NULL };
	char *del[] = { "ip", "link", "del", (char *)v->host_if, NULL };
	int ret = add_pair(child, v, fresh);

	if (ret < 0)
		return ret;
	prefix_text(v->host_addr, v->prefix, addr, sizeof(addr));
	ret = run_ip(address, 0, NULL, 0);
	if (ret == 0)
		ret = run_ip(up, 0, NULL, 0);
	if (ret < 0)
		run_ip(del, 1, NULL, 0);
	return ret;
}

int ns_ip_retire(const struct ns_veth *v, const char *new_name)
{
	char addr[INET_ADDRSTRLEN + 4];
	char *flush[] = { "ip", "addr", "del", addr, "dev", (char *)v->host_if, NULL };
	char *down[] = { "ip", "link", "set", (char *)v->host_if, "down", NULL };
	char *rename[] = { "ip", "link", "set", (char *)v->host_if, "name", (char *)new_name, NULL };
	int ret;

	prefix_text(v->host_addr, v->prefix, addr, sizeof(addr));
	ret = run_ip(flush, 1, NULL, 0);
	if (ret == 0)
		ret = run_ip(down, 1, NULL, 0);
	if (ret == 0)
		ret = run_ip(rename, 1, NULL, 0);
	return ret == 0 ? 0 : -ENODEV;
}

int ns_ip_link_up(const char *ifname)
{
	char *up[] = { "ip", "link", "set", (char *)ifname, "up", NULL };

	return run_ip(up, 0, NULL, 0);
}

int ns_ip_add_addr(const char *ifname, struct in_addr addr, unsigned prefix)
{
	char text[INET_ADDRSTRLEN + 4];
	char *add[] = { "ip", "addr", "add", text, "dev", (char *)ifname, NULL };

	prefix_text(addr, prefix, text, sizeof(text));
	return run_ip(add, 0, NULL, 0);
}
