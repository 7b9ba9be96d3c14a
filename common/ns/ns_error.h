/*
 * Failure reporting for the namespace layer, in the style of bubblewrap:
 * one line that says what failed, why (errno), and what to do about it.
 */
#ifndef KIT_NS_ERROR_H
#define KIT_NS_ERROR_H

/* The steps that can fail, each with its own hints. */
enum ns_op {
	NS_OP_CLONE,      /* clone(2)/unshare(2) with CLONE_NEW* */
	NS_OP_SETGROUPS,  /* writing /proc/PID/setgroups */
	NS_OP_IDMAP,      /* writing /proc/PID/uid_map or gid_map */
	NS_OP_HOSTNAME,   /* sethostname(2) */
	NS_OP_MOUNT,      /* mount(2), e.g. of a fresh /proc */
	NS_OP_VETH,       /* creating the veth pair */
	NS_OP_NETCONF,    /* addresses, links up */
	NS_OP_SLIRP,      /* starting slirp4netns */
	NS_OP_SPAWN,      /* starting a helper program */
	NS_OP_OTHER,
};

/* A hint for this step and errno, or "" when there is nothing to add. */
const char *ns_hint(enum ns_op op, int err);

/*
 * Print "prog: WHAT: strerror(err) (hint)" to stderr. err is a positive
 * errno value (callers that hold -errno pass -ret).
 */
void ns_report(enum ns_op op, int err, const char *what);

#endif
