#include "ns_container.h"
#include "ns_error.h"
#include "ns_idmap.h"
#include "ns_proc.h"
#include "ns_spawn.h"
#include "ns_sync.h"
#include "util/util.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CONTAINER_FLAGS (CLONE_NEWUSER | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | \
			 CLONE_NEWPID | CLONE_NEWNS)

/* What the parent tells the child once the outside is ready (EOF instead: give up). */
struct go_message {
	enum ns_net_mode net;
	enum ns_net_tool tool;
	int slot;               /* the veth slot, when net == NS_NET_VETH */
};

struct child_args {
	const struct ns_config *cfg;
	struct ns_pipe go;
};

static const char *const mode_names[] = {
	[NS_NET_AUTO] = "auto", [NS_NET_VETH] = "veth",
	[NS_NET_SLIRP] = "slirp", [NS_NET_LOOPBACK] = "loopback",
};

int ns_net_mode_parse(const char *text, enum ns_net_mode *mode)
{
	for (size_t i = 0; i < ARRAY_SIZE(mode_names); i++) {
		if (strcmp(text, mode_names[i]) == 0) {
			*mode = (enum ns_net_mode)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *ns_net_mode_name(enum ns_net_mode mode)
{
	return (size_t)mode < ARRAY_SIZE(mode_names) ? mode_names[mode] : "?";
}

/* ---------------- the child: runs inside all six new namespaces ---------------- */

static void child_fail(enum ns_op op, int err, const char *what)
{
	ns_report(op, err, what);
	_exit(NS_EXIT_FAILURE);
}

static void child_setup_mounts(void)
{
	/* Our mount events must not propagate back to the host's mount namespace. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		child_fail(NS_OP_MOUNT, errno, "cannot make / private in the new mount namespace");
	/* A proc for the new pid namespace: ps then sees only the container. */
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		child_fail(NS_OP_MOUNT, errno, "cannot mount a new /proc");
}

static void child_setup_net(const struct go_message *go)
{
	struct ns_veth veth;
	const char *step = "";
	int ret = 0;

	if (go->net == NS_NET_VETH) {
		ns_veth_plan(go->slot, &veth);
		ret = ns_net_setup_inside(go->tool, &veth, &step);
	} else if (go->net == NS_NET_LOOPBACK) {
		ret = ns_net_setup_inside(go->tool, NULL, &step);
	} /* slirp4netns --configure has brought up tap0 and lo already */
	if (ret < 0)
		child_fail(NS_OP_NETCONF, -ret, step);
}

static void child_exec(const struct ns_config *cfg)
{
	int err;

	if (cfg->exec_sigmask)
		sigprocmask(SIG_SETMASK, cfg->exec_sigmask, NULL);
	execvp(cfg->argv[0], cfg->argv);
	err = errno;
	/* As env(1): 127 when there is no such program, 126 when it cannot run. */
	warnx("%s: %s", cfg->argv[0], err == ENOENT ? "command not found" : strerror(err));
	_exit(err == ENOENT ? NS_EXIT_NOT_FOUND : NS_EXIT_CANNOT_RUN);
}

static int container_main(struct child_args *a)
{
	struct go_message go;

	ns_close_fd(&a->go.write_fd); /* else our own copy would hide the parent's death */
	/* Die with the parent, SIGKILL included; the pipe covers a parent already gone. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (ns_pipe_recv(a->go.read_fd, &go, sizeof(go)) < 0)
		_exit(NS_EXIT_FAILURE); /* the parent gave up, or died */
	ns_close_fd(&a->go.read_fd);

	if (sethostname(a->cfg->hostname, strlen(a->cfg->hostname)) < 0)
		child_fail(NS_OP_HOSTNAME, errno, "cannot set the hostname");
	child_setup_mounts();
	child_setup_net(&go);
	child_exec(a->cfg);
	return NS_EXIT_FAILURE;
}

/* ---------------- the parent: stays in the caller's namespaces ---------------- */

/*
 * clone(2) through syscall(2) and without a stack: with no CLONE_VM the
 * child gets a copy-on-write copy of our memory, stack included, and like
 * fork(2) returns 0 on it (bubblewrap does the same). No child stack to
 * size and free, and sanitizers see an ordinary stack.
 */
static int clone_child(struct child_args *args, pid_t *pid)
{
	long ret;

	fflush(NULL); /* the child must not inherit and later flush our buffered output */
	/* SIGCHLD: the exit signal, so we are notified and can waitpid. */
	ret = syscall(SYS_clone, (unsigned long)(CONTAINER_FLAGS | SIGCHLD), NULL, NULL, NULL, 0UL);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		_exit(container_main(args)); /* never returns: it execs or exits */
	*pid = (pid_t)ret;
	return 0;
}

static int map_ids(struct ns_container *c)
{
	const char *step;
	char what[96];
	int ret = ns_map_root_to(c->pid, geteuid(), getegid(), c->rootless, &step);

	if (ret < 0) {
		snprintf(what, sizeof(what), "cannot write /proc/%d/%s", (int)c->pid, step);
		ns_report(step[0] == 's' ? NS_OP_SETGROUPS : NS_OP_IDMAP, -ret, what);
	}
	return ret;
}

/* Rootless networking: slirp4netns if it can work, else loopback only. */
static void choose_rootless_net(struct ns_container *c, const struct ns_config *cfg, const char *why)
{
	int usable = ns_slirp_usable();

	if (usable == 0 && ns_slirp_start(&c->slirp, c->pid) == 0) {
		c->net = NS_NET_SLIRP;
		if (!cfg->quiet)
			warnx("note: %s; using slirp4netns user-mode networking instead "
			      "(container " NS_SLIRP_ADDR ", host " NS_SLIRP_HOST ")", why);
		return;
	}
	c->net = NS_NET_LOOPBACK;
	if (!cfg->quiet)
		warnx("note: %s; loopback only (%s)", why,
		      usable == -ENOENT ? "install slirp4netns for user-mode networking" :
		      usable == -EACCES ? "slirp4netns needs read-write access to /dev/net/tun" :
		      "slirp4netns failed to start");
}

static int setup_veth(struct ns_container *c, const struct ns_config *cfg)
{
	char host[INET_ADDRSTRLEN], peer[INET_ADDRSTRLEN];
	int ret = ns_veth_create(c->tool, c->pid, &c->veth);

	if (ret == -EPERM && cfg->net == NS_NET_AUTO) {
		choose_rootless_net(c, cfg, "no veth pair: its host end needs CAP_NET_ADMIN in the "
				    "host network namespace");
		return 0;
	}
	if (ret < 0) {
		ns_report(NS_OP_VETH, -ret, "cannot create the veth pair");
		return ret;
	}
	c->net = NS_NET_VETH;
	if (cfg->verbose)
		warnx("veth %s %s/%u (host) <-> %s %s/%u (container)", c->veth.host_if,
		      ns_addr_text(c->veth.host_addr, host), c->veth.prefix, c->veth.peer_if,
		      ns_addr_text(c->veth.peer_addr, peer), c->veth.prefix);
	return 0;
}

static int setup_net(struct ns_container *c, const struct ns_config *cfg)
{
	int ret;

	switch (cfg->net) {
	case NS_NET_AUTO:
		if (!c->rootless)
			return setup_veth(c, cfg);
		choose_rootless_net(c, cfg, "rootless: no veth pair, because its host end needs "
				    "CAP_NET_ADMIN in the host network namespace");
		return 0;
	case NS_NET_VETH:
		return setup_veth(c, cfg);
	case NS_NET_SLIRP:
		ret = ns_slirp_usable();
		if (ret == 0)
			ret = ns_slirp_start(&c->slirp, c->pid);
		if (ret < 0) {
			ns_report(NS_OP_SLIRP, -ret, "cannot start slirp4netns");
			return ret;
		}
		c->net = NS_NET_SLIRP;
		return 0;
	case NS_NET_LOOPBACK:
		c->net = NS_NET_LOOPBACK;
		return 0;
	}
	return -EINVAL;
}

static void describe(const struct ns_container *c)
{
	uint64_t ids[NS_TYPE_COUNT];

	if (ns_ids_of(c->pid, ids) < 0)
		return;
	warnx("container init is pid %d here; namespaces user:[%llu] uts:[%llu] ipc:[%llu] "
	      "net:[%llu] pid:[%llu] mnt:[%llu]; uid 0 inside is uid %d outside%s",
	      (int)c->pid, (unsigned long long)ids[NS_USER], (unsigned long long)ids[NS_UTS],
	      (unsigned long long)ids[NS_IPC], (unsigned long long)ids[NS_NET],
	      (unsigned long long)ids[NS_PID], (unsigned long long)ids[NS_MNT], (int)geteuid(),
	      c->rootless ? "; setgroups denied" : "");
}

/* Give up on a child that is waiting for "go": it sees EOF and exits; make sure. */
static void abandon_child(struct ns_container *c)
{
	int wstatus;

	kill(c->pid, SIGKILL);
	ns_wait(c->pid, &wstatus);
	ns_container_release(c);
}

int ns_container_start(struct ns_container *c, const struct ns_config *cfg)
{
	struct child_args args = { .cfg = cfg };
	struct go_message go;
	int ret;

	memset(c, 0, sizeof(*c));
	c->slirp.exit_fd = -1;
	c->rootless = geteuid() != 0;
	c->tool = cfg->tool;
	ret = ns_pipe_open(&args.go);
	if (ret < 0) {
		ns_report(NS_OP_OTHER, -ret, "cannot create a pipe");
		return ret;
	}
	ret = clone_child(&args, &c->pid);
	ns_close_fd(&args.go.read_fd);
	if (ret < 0) {
		ns_pipe_close(&args.go);
		ns_report(NS_OP_CLONE, -ret, "cannot create the namespaces (clone)");
		return ret;
	}
	ret = map_ids(c);
	if (ret == 0)
		ret = setup_net(c, cfg);
	if (ret == 0 && cfg->verbose)
		describe(c);
	go = (struct go_message){ .net = c->net, .tool = c->tool, .slot = c->veth.slot };
	if (ret == 0) {
		ret = ns_pipe_send(args.go.write_fd, &go, sizeof(go));
		if (ret < 0)
			warnx("the container's init died during set-up");
	}
	ns_pipe_close(&args.go);
	if (ret < 0)
		abandon_child(c);
	return ret;
}

void ns_container_release(struct ns_container *c)
{
	if (c->net == NS_NET_VETH) {
		/* It dies with the container's network namespace; retiring it
		 * frees its slot (the lone instance's 10.11.12.13) right now. */
		ns_veth_retire(c->tool, &c->veth);
		c->net = NS_NET_LOOPBACK;
	}
	if (c->slirp.pid > 0 || c->slirp.exit_fd >= 0)
		ns_slirp_stop(&c->slirp);
}
