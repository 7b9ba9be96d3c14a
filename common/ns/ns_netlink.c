#include "ns_netlink.h"

#include <errno.h>
#include <net/if.h> /* before the linux/ headers, which then skip their own copy */
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <poll.h>
#include <stdalign.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* A request under construction: header, fixed part, then attributes. */
struct nl_req {
	alignas(NLMSG_ALIGNTO) char buf[1024];
	struct nlmsghdr *hdr;
	int overflow;
};

static void req_init(struct nl_req *r, uint16_t type, uint16_t flags, const void *fixed, size_t len)
{
	memset(r->buf, 0, sizeof(r->buf));
	r->hdr = (struct nlmsghdr *)r->buf;
	r->hdr->nlmsg_type = type;
	r->hdr->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	r->hdr->nlmsg_len = NLMSG_LENGTH(len);
	memcpy(NLMSG_DATA(r->hdr), fixed, len);
	r->overflow = 0;
}

/* Append raw bytes, padded to the netlink alignment. */
static void *req_append(struct nl_req *r, size_t len)
{
	size_t at = NLMSG_ALIGN(r->hdr->nlmsg_len);

	if (at + RTA_ALIGN(len) > sizeof(r->buf)) {
		r->overflow = 1;
		return NULL;
	}
	r->hdr->nlmsg_len = (uint32_t)(at + RTA_ALIGN(len));
	return r->buf + at;
}

static struct rtattr *req_attr(struct nl_req *r, uint16_t type, const void *data, size_t len)
{
	struct rtattr *rta = req_append(r, RTA_LENGTH(len));

	if (!rta)
		return NULL;
	rta->rta_type = type;
	rta->rta_len = (uint16_t)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	return rta;
}

static void req_attr_str(struct nl_req *r, uint16_t type, const char *s)
{
	req_attr(r, type, s, strlen(s) + 1);
}

/* A nested attribute: begin it, append its contents, then end it. */
static struct rtattr *req_nest_begin(struct nl_req *r, uint16_t type)
{
	return req_attr(r, type, NULL, 0);
}

static void req_nest_end(struct nl_req *r, struct rtattr *nest)
{
	if (nest)
		nest->rta_len = (uint16_t)(r->buf + r->hdr->nlmsg_len - (char *)nest);
}

int ns_nl_open(struct ns_nl *nl)
{
	nl->seq = 1;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	return nl->fd < 0 ? -errno : 0;
}

void ns_nl_close(struct ns_nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

/* The acknowledgement of request SEQ: its error field (0 or -errno). */
static int wait_ack(struct ns_nl *nl, uint32_t seq)
{
	alignas(NLMSG_ALIGNTO) char buf[8192];

	for (;;) {
		ssize_t n = recv(nl->fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
				return -EPROTO;
			return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
		}
	}
}

static int transact(struct ns_nl *nl, struct nl_req *r)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	uint32_t seq = nl->seq++;

	if (r->overflow)
		return -EMSGSIZE;
	r->hdr->nlmsg_seq = seq;
	for (;;) {
		ssize_t n = sendto(nl->fd, r->buf, r->hdr->nlmsg_len, 0,
				   (struct sockaddr *)&kernel, sizeof(kernel));

		if (n >= 0)
			break;
		if (errno != EINTR)
			return -errno;
	}
	return wait_ack(nl, seq);
}

/* One RTM_NEWLINK for the pair, with these interface indexes (0: the kernel's choice). */
static int new_veth_once(struct ns_nl *nl, const struct ns_nl_veth *v, unsigned index,
			 unsigned peer_index)
{
	struct ifinfomsg up = {
		.ifi_family = AF_UNSPEC, .ifi_index = (int)index,
		.ifi_flags = IFF_UP, .ifi_change = IFF_UP,
	};
	struct ifinfomsg plain = { .ifi_family = AF_UNSPEC, .ifi_index = (int)peer_index };
	uint32_t pid = (uint32_t)v->peer_pid;
	struct rtattr *linkinfo, *data, *peerinfo;
	struct nl_req r;
	void *peer_hdr;

	req_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &up, sizeof(up));
	req_attr_str(&r, IFLA_IFNAME, v->name);
	linkinfo = req_nest_begin(&r, IFLA_LINKINFO);
	req_attr_str(&r, IFLA_INFO_KIND, "veth");
	data = req_nest_begin(&r, IFLA_INFO_DATA);
	/* The peer is described by its own ifinfomsg followed by its attributes. */
	peerinfo = req_nest_begin(&r, VETH_INFO_PEER);
	/* Not up: the kernel configures the peer before it links the pair, and
	 * bringing up a veth without its peer fails with ENOTCONN. */
	peer_hdr = req_append(&r, sizeof(plain));
	if (peer_hdr)
		memcpy(peer_hdr, &plain, sizeof(plain));
	req_attr_str(&r, IFLA_IFNAME, v->peer);
	req_attr(&r, IFLA_NET_NS_PID, &pid, sizeof(pid));
	req_nest_end(&r, peerinfo);
	req_nest_end(&r, data);
	req_nest_end(&r, linkinfo);
	return transact(nl, &r);
}

int ns_nl_new_veth(struct ns_nl *nl, const struct ns_nl_veth *v)
{
	int ret = new_veth_once(nl, v, v->index, v->peer_index);

	/*
	 * A wished-for index already taken: an RTM_NEWLINK whose ifi_index
	 * names an existing link is a request to change that link, which
	 * NLM_F_EXCL refuses with EEXIST, exactly as for a taken name; a taken
	 * peer index is EBUSY. Ask again without indexes: the kernel chooses
	 * them, and an EEXIST now really means the name.
	 */
	if ((ret == -EEXIST || ret == -EBUSY) && (v->index || v->peer_index))
		ret = new_veth_once(nl, v, 0, 0);
	return ret;
}

static int set_up_flag(struct ns_nl *nl, unsigned ifindex, unsigned up)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC, .ifi_index = (int)ifindex,
		.ifi_flags = up, .ifi_change = IFF_UP,
	};
	struct nl_req r;

	req_init(&r, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	return transact(nl, &r);
}

int ns_nl_link_up(struct ns_nl *nl, unsigned ifindex)
{
	return set_up_flag(nl, ifindex, IFF_UP);
}

int ns_nl_link_down(struct ns_nl *nl, unsigned ifindex)
{
	return set_up_flag(nl, ifindex, 0);
}

int ns_nl_link_rename(struct ns_nl *nl, unsigned ifindex, const char *name)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = (int)ifindex };
	struct nl_req r;

	req_init(&r, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	req_attr_str(&r, IFLA_IFNAME, name);
	return transact(nl, &r);
}

static int change_ipv4(struct ns_nl *nl, uint16_t type, uint16_t flags, unsigned ifindex,
		       struct in_addr addr, unsigned prefix)
{
	struct ifaddrmsg ifa = {
		.ifa_family = AF_INET, .ifa_prefixlen = (unsigned char)prefix,
		.ifa_scope = RT_SCOPE_UNIVERSE, .ifa_index = ifindex,
	};
	struct nl_req r;

	req_init(&r, type, flags, &ifa, sizeof(ifa));
	req_attr(&r, IFA_LOCAL, &addr, sizeof(addr));
	req_attr(&r, IFA_ADDRESS, &addr, sizeof(addr));
	return transact(nl, &r);
}

int ns_nl_add_ipv4(struct ns_nl *nl, unsigned ifindex, struct in_addr addr, unsigned prefix)
{
	return change_ipv4(nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, addr, prefix);
}

int ns_nl_del_ipv4(struct ns_nl *nl, unsigned ifindex, struct in_addr addr, unsigned prefix)
{
	return change_ipv4(nl, RTM_DELADDR, 0, ifindex, addr, prefix);
}

int ns_nl_del_link(struct ns_nl *nl, const char *name)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_req r;

	req_init(&r, RTM_DELLINK, 0, &ifi, sizeof(ifi));
	req_attr_str(&r, IFLA_IFNAME, name);
	return transact(nl, &r);
}

int ns_nl_open_link_watch(struct ns_nl *nl)
{
	struct sockaddr_nl groups = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int ret = ns_nl_open(nl);

	if (ret == 0 && bind(nl->fd, (struct sockaddr *)&groups, sizeof(groups)) < 0) {
		ret = -errno;
		ns_nl_close(nl);
	}
	return ret;
}

static int link_exists(unsigned ifindex)
{
	char name[IF_NAMESIZE];

	return if_indextoname(ifindex, name) != NULL;
}

/* What a notification must say about a link for the wait to end. */
enum link_news { LINK_DELETED, LINK_RUNNING };

/* IF_OPER_UP of linux/if.h (RFC 2863 "up"), whose header clashes with net/if.h. */
#define OPER_UP 6

/*
 * Running for real: operational state up and a queueing discipline other
 * than noop attached. IFF_RUNNING alone is not enough: a fresh veth's
 * operstate is "unknown", which counts as running before the kernel's
 * link-watch work has attached the qdisc.
 */
static int is_running(const struct nlmsghdr *h)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi)));
	int oper_up = 0, qdisc_ready = 0;

	for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_OPERSTATE && RTA_PAYLOAD(a) >= 1)
			oper_up = *(const unsigned char *)RTA_DATA(a) == OPER_UP;
		if (a->rta_type == IFLA_QDISC)
			qdisc_ready = strncmp(RTA_DATA(a), "noop", RTA_PAYLOAD(a)) != 0;
	}
	return oper_up && qdisc_ready;
}

static int is_news(const char *buf, ssize_t len, unsigned ifindex, enum link_news want)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)buf;

	for (; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
		const struct ifinfomsg *ifi = NLMSG_DATA(h);

		if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)) || (unsigned)ifi->ifi_index != ifindex)
			continue;
		if (want == LINK_DELETED && h->nlmsg_type == RTM_DELLINK)
			return 1;
		if (want == LINK_RUNNING && h->nlmsg_type == RTM_NEWLINK && is_running(h))
			return 1;
	}
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wait_news(struct ns_nl *nl, unsigned ifindex, enum link_news want, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;

	for (;;) {
		alignas(NLMSG_ALIGNTO) char buf[8192];
		struct pollfd pfd = { .fd = nl->fd, .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t n;

		/* Lost news (ENOBUFS) is covered by looking for ourselves. */
		if (want == LINK_DELETED && !link_exists(ifindex))
			return 0;
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue; /* timeout or EINTR: check again */
		n = recv(nl->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0 && is_news(buf, n, ifindex, want))
			return 0;
	}
}

int ns_nl_wait_link_gone(struct ns_nl *nl, unsigned ifindex, int timeout_ms)
{
	return wait_news(nl, ifindex, LINK_DELETED, timeout_ms);
}

int ns_nl_wait_link_running(struct ns_nl *nl, unsigned ifindex, int timeout_ms)
{
	return wait_news(nl, ifindex, LINK_RUNNING, timeout_ms);
}
