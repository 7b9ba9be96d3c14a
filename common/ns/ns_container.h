/*
 * A container as the assignment builds it, with one clone(2):
 *
 *   parent (isolate)                      child (becomes PROGRAM)
 *   ----------------------------------    ---------------------------------
 *   clone(NEWUSER|NEWUTS|NEWIPC|NEWNET|   PR_SET_PDEATHSIG(SIGKILL)
 *         NEWPID|NEWNS)                   wait for "go" on the pipe
 *   write uid_map, setgroups, gid_map        (EOF: parent died -> exit)
 *   network: veth pair / slirp4netns
 *   send "go" -------------------------->  sethostname
 *                                          make / private, mount /proc
 *                                          lo up (+ container veth end)
 *                                          execvp(PROGRAM)
 *
 * The kernel creates the user namespace first when CLONE_NEWUSER comes
 * with other CLONE_NEW* flags (user_namespaces(7)), so the child holds all
 * capabilities over the other five namespaces; as PID 1 of the new pid
 * namespace it takes every process of the container with it when it dies,
 * and with them the network namespace and its veth pair.
 */
#ifndef KIT_NS_CONTAINER_H
#define KIT_NS_CONTAINER_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "ns_net.h"
#include "ns_slirp.h"

/* Exit codes as env(1) and chroot(1) use them. */
#define NS_EXIT_FAILURE 125    /* the container could not be set up */
#define NS_EXIT_CANNOT_RUN 126 /* PROGRAM found but not executable */
#define NS_EXIT_NOT_FOUND 127  /* PROGRAM not found */

enum ns_net_mode {
	NS_NET_AUTO,      /* veth when allowed, else slirp4netns, else loopback */
	NS_NET_VETH,      /* veth pair to the host (needs CAP_NET_ADMIN here) */
	NS_NET_SLIRP,     /* user-mode networking through slirp4netns */
	NS_NET_LOOPBACK,  /* an empty network namespace with lo up */
};

struct ns_config {
	char *const *argv;            /* PROGRAM and its arguments */
	const char *hostname;
	enum ns_net_mode net;
	enum ns_net_tool tool;
	const sigset_t *exec_sigmask; /* the mask PROGRAM starts with; NULL: ours */
	bool quiet;                   /* no notes about what rootless mode cannot do */
	bool verbose;                 /* describe each step on stderr */
};

struct ns_container {
	pid_t pid;                /* the container's init, as our pid namespace sees it */
	bool rootless;            /* not root: only our own ids mapped, setgroups denied */
	enum ns_net_mode net;     /* the network actually set up */
	enum ns_net_tool tool;
	struct ns_veth veth;      /* when net == NS_NET_VETH */
	struct ns_slirp slirp;    /* when net == NS_NET_SLIRP */
};

/* Parse "auto", "veth", "slirp", "loopback". 0 or -EINVAL. */
int ns_net_mode_parse(const char *text, enum ns_net_mode *mode);
const char *ns_net_mode_name(enum ns_net_mode mode);

/*
 * Create the namespaces, configure them and let the child exec PROGRAM.
 * Returns 0 with c->pid running, or -errno after saying what failed (one
 * line on stderr) and releasing everything. PROGRAM not found / not
 * executable is not an error here: the child exits 127 / 126.
 */
int ns_container_start(struct ns_container *c, const struct ns_config *cfg);

/*
 * Release what lives outside the container: retire the veth pair (see
 * ns_veth_retire), stop slirp4netns. Call it after the init has been
 * reaped. Safe to call twice.
 */
void ns_container_release(struct ns_container *c);

#endif
