#include "ns_error.h"
#include "util/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *clone_hint(int err)
{
	switch (err) {
	case EPERM:
		return "user namespaces are refused here: check sysctl user.max_user_namespaces, "
		       "kernel.unprivileged_userns_clone and AppArmor's "
		       "kernel.apparmor_restrict_unprivileged_userns, or run as root";
	case ENOSPC:
	case EUSERS:
		return "a namespace limit is reached: raise sysctl user.max_user_namespaces "
		       "(and max_net/pid/... namespaces) or end other containers";
	case EINVAL:
		return "the kernel lacks a namespace type: it needs CONFIG_USER_NS, CONFIG_UTS_NS, "
		       "CONFIG_IPC_NS, CONFIG_NET_NS and CONFIG_PID_NS";
	case ENOMEM:
		return "out of memory, or the pid namespace is being torn down";
	default:
		return "";
	}
}

static const char *idmap_hint(int err)
{
	switch (err) {
	case EPERM:
		return "without CAP_SETUID/CAP_SETGID in the parent user namespace only your own "
		       "uid/gid can be mapped, and gid_map needs setgroups denied first";
	case EINVAL:
		return "the map is malformed, overlaps, or was already written (each map can be "
		       "written once)";
	default:
		return "";
	}
}

static const char *net_hint(enum ns_op op, int err)
{
	switch (err) {
	case EPERM:
		return op == NS_OP_VETH
			? "the host end of a veth pair needs CAP_NET_ADMIN in the host network "
			  "namespace: run as root, or use --net=slirp or --net=loopback"
			: "configuring a network namespace needs CAP_NET_ADMIN in the user namespace "
			  "that owns it";
	case EOPNOTSUPP:
		return "the veth driver is missing: load it with 'modprobe veth' (CONFIG_VETH)";
	case ENOSPC:
		return "every address slot of 10.11.0.0/16 is taken: end some containers";
	case EEXIST:
		return "an interface or address with this name already exists";
	case ESRCH:
		return "the container process is gone";
	default:
		return "";
	}
}

const char *ns_hint(enum ns_op op, int err)
{
	switch (op) {
	case NS_OP_CLONE:
		return clone_hint(err);
	case NS_OP_SETGROUPS:
		return err == ENOENT ? "the kernel is older than 3.19 and has no setgroups file" : "";
	case NS_OP_IDMAP:
		return idmap_hint(err);
	case NS_OP_HOSTNAME:
		return err == EINVAL ? "a hostname is at most 64 bytes" :
		       err == EPERM ? "the uts namespace must be owned by the container's user namespace" : "";
	case NS_OP_MOUNT:
		return err == EPERM
			? "the kernel refuses a fresh proc in a user namespace when the host's /proc "
			  "is partly hidden by over-mounts (as inside some containers)"
			: "";
	case NS_OP_VETH:
	case NS_OP_NETCONF:
		return net_hint(op, err);
	case NS_OP_SLIRP:
		return err == ENOENT ? "install slirp4netns (mk/deps.sh does), or use --net=loopback" :
		       err == EACCES ? "/dev/net/tun is not readable and writable for you: ask root "
				       "to 'chmod 0666 /dev/net/tun', or use --net=loopback" :
		       err == ECHILD ? "it exited before it was ready; its own words are above" : "";
	case NS_OP_SPAWN:
		return err == ENOENT ? "the program is not installed or not on PATH" : "";
	case NS_OP_OTHER:
		break;
	}
	return "";
}

void ns_report(enum ns_op op, int err, const char *what)
{
	const char *hint = ns_hint(op, err);

	if (*hint)
		kit_warn("%s: %s (%s)", what, strerror(err), hint);
	else
		kit_warn("%s: %s", what, strerror(err));
}

