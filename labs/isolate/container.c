/*
 * create_namespaces(): the parent's side of the assignment's skeleton. One
 * clone(2) makes the child inside every new namespace; the parent, still
 * in the host's namespaces, writes the child's maps (setup_userns) and
 * makes its network (setup_netns), then tells it "go" over a pipe.
 */
#include "isolate.h"
#include "ns/ns_proc.h"
#include "ns/ns_spawn.h"
#include "util/util.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef STUB_ns_clone /* SOLUTION ns_clone ((2)(d)): the namespaces clone(2) creates */
/* The assignment's six, and a cgroup namespace: the host's cgroup paths stay hidden. */
#define CONTAINER_FLAGS (CLONE_NEWUSER | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | \
			 CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWCGROUP)
#else
/*
 * (2)(d): which CLONE_NEW* flags make the child in the assignment's new
 * namespaces (clone(2))? With none, the child stays in ours and the steps
 * below fail, each saying why.
 */
#define CONTAINER_FLAGS 0
#endif /* SOLUTION ns_clone */

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
		_exit(child_func(args)); /* never returns: it execs or exits */
	*pid = (pid_t)ret;
	return 0;
}

static void describe(const struct container *c)
{
	uint64_t ids[NS_TYPE_COUNT], cgroup = 0;

	if (ns_ids_of(c->pid, ids) < 0)
		return;
	ns_id_by_name(c->pid, "cgroup", &cgroup);
	kit_warn("container init is pid %d here; namespaces user:[%llu] uts:[%llu] ipc:[%llu] "
	      "net:[%llu] pid:[%llu] mnt:[%llu] cgroup:[%llu]",
	      (int)c->pid, (unsigned long long)ids[NS_USER], (unsigned long long)ids[NS_UTS],
	      (unsigned long long)ids[NS_IPC], (unsigned long long)ids[NS_NET],
	      (unsigned long long)ids[NS_PID], (unsigned long long)ids[NS_MNT],
	      (unsigned long long)cgroup);
	kit_warn("uid 0 inside is uid %lu outside, gid 0 is gid %lu (%s)%s", c->map.uids.outside,
	      c->map.gids.outside, c->map.why, c->map.deny_setgroups ? "; setgroups denied" : "");
}

/* Give up on a child that is waiting for "go": it sees EOF and exits; make sure. */
static void abandon_child(struct container *c)
{
	int wstatus;

	ns_close_fd(&c->go_fd);
	kill(c->pid, SIGKILL);
	ns_wait(c->pid, &wstatus);
	release_container(c);
}

/* Set up from outside, then "go". 0, or -errno after saying what failed. */
static int set_up_and_go(struct container *c, const struct isolate_config *cfg)
{
	struct go_message go;
	int ret = setup_userns(c, cfg);

	if (ret == 0)
		ret = setup_netns(c, cfg);
	if (ret < 0)
		return ret;
	if (cfg->verbose)
		describe(c);
	go = (struct go_message){ .net = c->net, .tool = c->tool, .slot = c->veth.slot,
				  .drop_groups = !c->map.deny_setgroups };
	ret = ns_pipe_send(c->go_fd, &go, sizeof(go));
	if (ret < 0)
		kit_warn("the container's init died during set-up");
	return ret;
}

int create_namespaces(struct container *c, const struct isolate_config *cfg)
{
	struct child_args args = { .cfg = cfg };
	int ret;

	memset(c, 0, sizeof(*c));
	c->slirp.exit_fd = c->go_fd = -1;
	c->rootless = geteuid() != 0;
	c->tool = cfg->tool;
	ret = ns_pipe_open(&args.go);
	if (ret < 0) {
		ns_report(NS_OP_OTHER, -ret, "cannot create a pipe");
		return ret;
	}
	ret = clone_child(&args, &c->pid);
	ns_close_fd(&args.go.read_fd);
	c->go_fd = args.go.write_fd; /* kept open while we live: see enter_userns */
	if (ret < 0) {
		ns_close_fd(&c->go_fd);
		ns_report(NS_OP_CLONE, -ret, "cannot create the namespaces (clone)");
		return ret;
	}
	ret = set_up_and_go(c, cfg);
	if (ret < 0)
		abandon_child(c);
	return ret;
}

void release_container(struct container *c)
{
	if (c->net == NET_VETH) {
		/* It dies with the container's network namespace; retiring it
		 * frees its slot (the lone instance's 10.11.12.13) right now. */
		ns_veth_retire(c->tool, &c->veth);
		c->net = NET_LOOPBACK;
	}
	if (c->slirp.pid > 0 || c->slirp.exit_fd >= 0)
		ns_slirp_stop(&c->slirp);
	ns_close_fd(&c->go_fd);
}
