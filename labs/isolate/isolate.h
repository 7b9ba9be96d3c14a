/*
 * isolate: the container of the assignment's part (2), built with one
 * clone(2) in the order and with the names of the assignment's skeleton:
 *
 *   parent (isolate)                       child (becomes PROGRAM)
 *   ------------------------------------   ----------------------------------
 *   create_namespaces()      container.c   child_func()               child.c
 *     clone(NEWUSER|NEWUTS|NEWIPC|           PR_SET_PDEATHSIG(SIGKILL)
 *           NEWNET|NEWPID|NEWNS|NEWCGROUP)   wait for "go" on the pipe
 *     setup_userns(): uid_map, gid_map          (EOF: parent died -> exit)
 *                                userns.c
 *     setup_netns(): veth pair / slirp
 *                                 netns.c
 *     send "go" ------------------------->   enter_userns(): become uid 0 userns.c
 *                                            setup_utsns(): the hostname
 *                                            setup_mntns(): / private, new
 *                                              /proc, read-only /proc/sys,
 *                                              new read-only /sys   mntns.c
 *                                            setup_netns_inside(): lo and
 *                                              the container end    netns.c
 *                                            exec_program(): execvp
 *   wait, pass signals on      isolate.c
 *
 * The kernel creates the user namespace first when CLONE_NEWUSER comes
 * with other CLONE_NEW* flags (user_namespaces(7)), so the child holds all
 * capabilities over the other namespaces; as PID 1 of the new pid
 * namespace it takes every process of the container with it when it dies,
 * and with them the network namespace and its veth pair.
 */
#ifndef KIT_ISOLATE_H
#define KIT_ISOLATE_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "ns/ns_error.h"
#include "ns/ns_idmap.h"
#include "ns/ns_net.h"
#include "ns/ns_slirp.h"
#include "ns/ns_sync.h"

/* Exit codes as env(1) and chroot(1) use them. */
#define EXIT_ISOLATE_FAILED 125 /* the container could not be set up */
#define EXIT_CANNOT_RUN 126     /* PROGRAM found but it cannot run */
#define EXIT_NOT_FOUND 127      /* PROGRAM not found */

enum net_mode {
	NET_AUTO,      /* veth when allowed, else slirp4netns, else loopback */
	NET_VETH,      /* veth pair to the host (needs CAP_NET_ADMIN here) */
	NET_SLIRP,     /* user-mode networking through slirp4netns */
	NET_LOOPBACK,  /* an empty network namespace with lo up */
};

/* What the command line asked for. */
struct isolate_config {
	char *const *argv;            /* PROGRAM and its arguments */
	const char *hostname;
	enum net_mode net;
	enum ns_net_tool tool;
	bool map_root_to_host_root;   /* --map-root-to-host-root: the old, unsafe way */
	const sigset_t *exec_sigmask; /* the mask PROGRAM starts with; NULL: ours */
	bool quiet;                   /* no notes about what rootless mode cannot do */
	bool verbose;                 /* describe each step on stderr */
};

/* Whom uid 0 and gid 0 inside are outside, and why (setup_userns). */
struct root_map {
	struct ns_idmap uids, gids;
	bool deny_setgroups;          /* rootless: setgroups(2) denied */
	const char *why;              /* "the user behind sudo", ... */
};

/* A running container, as the parent sees it. */
struct container {
	pid_t pid;                /* the container's init, as our pid namespace sees it */
	bool rootless;            /* not root: only our own ids mapped, setgroups denied */
	struct root_map map;
	enum net_mode net;        /* the network actually set up */
	enum ns_net_tool tool;
	struct ns_veth veth;      /* when net == NET_VETH */
	struct ns_slirp slirp;    /* when net == NET_SLIRP */
	int go_fd;                /* our end of the pipe; its closing tells the child we died */
};

/* What the parent tells the child once the outside is ready (EOF instead: give up). */
struct go_message {
	enum net_mode net;
	enum ns_net_tool tool;
	int slot;                 /* the veth slot, when net == NET_VETH */
	bool drop_groups;         /* setgroups(2) is allowed: drop the host's supplementary groups */
};

/* What the child needs: the configuration and its end of the pipe. */
struct child_args {
	const struct isolate_config *cfg;
	struct ns_pipe go;
};

/* container.c: clone, set up from outside, let the child run. 0, or -errno after saying why. */
int create_namespaces(struct container *c, const struct isolate_config *cfg);
/* Release what lives outside the container (veth, slirp4netns), after its init was reaped. */
void release_container(struct container *c);

/* child.c: the child's whole life; never returns. */
int child_func(struct child_args *args);

/* userns.c: where the choice of ids looks (the real places, or a test's). */
struct id_sources {
	uid_t euid;
	gid_t egid;
	bool initial_userns;              /* we are in the host's user namespace */
	const char *sudo_uid, *sudo_gid;  /* $SUDO_UID and $SUDO_GID, or NULL */
	const char *subuid, *subgid;      /* /etc/subuid and /etc/subgid */
	bool host_root;                   /* --map-root-to-host-root */
};
void choose_root_map(const struct id_sources *from, struct root_map *map);
int setup_userns(struct container *c, const struct isolate_config *cfg);
void enter_userns(const struct go_message *go, int go_fd);

/* netns.c */
int setup_netns(struct container *c, const struct isolate_config *cfg);
void setup_netns_inside(const struct go_message *go);

/* mntns.c, and the hostname */
void setup_utsns(const char *hostname);
void setup_mntns(void);

/* child.c: execvp PROGRAM, or exit 126/127 saying why (never returns). */
void exec_program(const struct isolate_config *cfg) __attribute__((noreturn));
/* Report a failed step of the child and exit 125. */
void child_fail(enum ns_op op, int err, const char *what) __attribute__((noreturn));

/* options.c */
void parse_args(int argc, char **argv, struct isolate_config *cfg);
int net_mode_parse(const char *text, enum net_mode *mode);
const char *net_mode_name(enum net_mode mode);
/* NULL when NAME is a valid hostname, else why not (into why). */
const char *hostname_error(const char *name, char *why, size_t len);

#endif
