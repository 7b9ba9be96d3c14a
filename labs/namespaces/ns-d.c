/*
 * ns-d: question (d). Set up everything the assignment's sequence sets up,
 * list what exists, tear it down, and list again.
 *
 * Every resource involved is reference-counted by the kernel: a namespace
 * lives while a process is in it or holds a file descriptor to it (or a
 * bind mount of /proc/PID/ns/X, or a child namespace for user and pid
 * namespaces); a veth pair lives while its network namespace does; a mount
 * lives while its mount namespace does. So tearing down means ending the
 * processes, and the question is which ones: this program shows that
 * killing the top of the assignment's tree is not enough, what is; that
 * in the one-command form (unshare --fork without --kill-child) killing
 * the unshare leaves PID 1 running, and that one kill of PID 1 is the
 * cleanup; and that isolate's single clone(2) needs one kill.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "isolate/isolate.h"
#include "ns-d-look.h"
#include "ns/ns_error.h"
#include "ns/ns_idmap.h"
#include "ns/ns_netlink.h"
#include "ns/ns_proc.h"
#include "ns/ns_show.h"
#include "ns/ns_spawn.h"
#include "ns/ns_stages.h"
#include "ns/ns_sync.h"
#include "util/util.h"

#define CONTROL_FD 3 /* the pipe on which the net stage hears which veth slot it got */

static char self[4096];

static void help(void)
{
	printf("usage: ns-d [--help]\n"
	       "Question (d), live: run the assignment's sequence (with its veth pair when\n"
	       "run as root), list the namespaces, interfaces, mounts and processes it\n"
	       "made, tear it down, and list again; then the same for the one-command\n"
	       "form (unshare --fork ... without --kill-child) and for isolate's way.\n"
	       "The veth pair is made in the network namespace ns-d runs in; run it under\n"
	       "'unshare --net' to keep it off the host's.\n"
	       "Exit status: 0 when nothing is left behind, 1 otherwise, 77 when user\n"
	       "namespaces are unavailable.\n");
}

/* ---------------- the stages (the child shell's column) ---------------- */

/* Lines 43-45, in the net stage: hear which veth slot we got, configure our end. */
static void configure_our_veth_end(void)
{
	struct ns_veth veth;
	enum ns_net_step step;
	int slot, ret;

	if (ns_pipe_recv(CONTROL_FD, &slot, sizeof(slot)) < 0)
		die("the parent went away");
	if (slot >= 0)
		ns_veth_plan(slot, &veth);
	ret = ns_net_setup_inside(NS_TOOL_NETLINK, slot >= 0 ? &veth : NULL, &step);
	if (ret < 0)
		die("%s: %s", ns_net_step_text(step), strerror(-ret));
}

static const int control_fds[1] = { CONTROL_FD };

/* common/ns/ns_stages.c runs the column; the control pipe travels down to the net stage. */
static const struct ns_stages stages = {
	.self = self, .pass_fds = control_fds, .npass = 1, .at_net = configure_our_veth_end,
};

static int run_stage(const char *name, const char *arg)
{
	return ns_stage_run(&stages, name, arg);
}

/* ---------------- the assignment's sequence ---------------- */

/* Lines 32-36 from the parent's side: the pair, its host end addressed and up. */
static int add_veth(struct subject *s, pid_t net_stage)
{
	int ret = ns_veth_create(NS_TOOL_NETLINK, net_stage, &s->veth);
	char host[INET_ADDRSTRLEN], peer[INET_ADDRSTRLEN];

	if (ret < 0) {
		ns_report(NS_OP_VETH, -ret, "no veth pair");
		return -1;
	}
	s->have_veth = true;
	printf("  veth: %s %s/%u here <-> %s %s/%u in the net stage's namespace\n",
	       s->veth.host_if, ns_addr_text(s->veth.host_addr, host), s->veth.prefix,
	       s->veth.peer_if, ns_addr_text(s->veth.peer_addr, peer), s->veth.prefix);
	return s->veth.slot;
}

static pid_t set_up_sequence(struct subject *s)
{
	char *first[9];
	struct ns_pipe control;
	enum ns_idmap_file step;
	pid_t top, user, leaf;
	int fds[1], slot, ret;

	if (ns_pipe_open(&control) < 0)
		die("pipe: %s", strerror(errno));
	fds[0] = control.read_fd;
	ns_stages_first_command(&stages, false, first);
	ret = ns_spawn(first, &(struct ns_spawn_opts){ .pass_fds = fds, .npass = 1 }, &top);
	if (ret < 0)
		die("cannot run unshare: %s", strerror(-ret));
	ns_close_fd(&control.read_fd);
	user = ns_stages_wait(top, "my-user-ns");
	ret = ns_map_root_to(user, geteuid(), getegid(), geteuid() != 0, &step);
	if (ret < 0)
		die("cannot write %s of pid %d: %s", ns_idmap_file_name(step), (int)user,
		    strerror(-ret));
	slot = add_veth(s, ns_stages_wait(top, "my-net-ns"));
	ns_pipe_send(control.write_fd, &slot, sizeof(slot));
	ns_pipe_close(&control);
	leaf = ns_stages_wait(top, "my-pid-ns");
	ns_ids_of(leaf, s->ids);
	s->npids = ns_collect_tree(top, s->pids, MAX_TREE);
	return top;
}

static bool show_sequence(void)
{
	struct subject s = { 0 };
	struct snapshot before, during, after;
	pid_t top;

	printf("1. The assignment's sequence (4 unshare commands, 4 stand-in shells).\n\n");
	take_snapshot(&s, &before);
	print_snapshot("before", &s, &before);
	top = set_up_sequence(&s);
	take_snapshot(&s, &during);
	print_snapshot("during", &s, &during);
	ns_show_tree_header();
	ns_show_tree(top);

	s.since = ns_boot_ticks(); /* see ns_count_holders: ids are handed out again */
	kill(top, SIGKILL);
	settle_after_kill(&s, top, &after);
	printf("\n  a) kill -KILL %d (the first unshare) only. --kill-child passes its death\n"
	       "     to its own child, and a shell killed passes nothing on:\n", (int)top);
	print_snapshot("left", &s, &after);

	for (int i = 0; i < s.npids; i++)
		kill(s.pids[i], SIGKILL);
	settle_all_gone(&s, &before, &after);
	printf("\n  b) kill -KILL every process of the tree (or exit each shell, innermost\n"
	       "     first). No 'ip link del', no 'umount': the veth went with the network\n"
	       "     namespace, /proc with the mount namespace, every namespace with its last\n"
	       "     process:\n");
	print_snapshot("after", &s, &after);
	printf("  %s\n\n", same_as_before(&before, &after) ? "=> nothing left behind"
							   : "=> SOMETHING IS LEFT BEHIND");
	return same_as_before(&before, &after);
}

/* ---------------- the one-command form ---------------- */

static pid_t start_one_command(struct subject *s)
{
	char *argv[] = { "unshare", "--user", "--map-root-user", "--uts", "--ipc", "--net", "--pid",
			 "--mount", "--fork", "--mount-proc", "--", self, "--stage", "hold", NULL };
	pid_t top, leaf;
	int ret = ns_spawn(argv, NULL, &top);

	if (ret < 0)
		die("cannot run unshare: %s", strerror(-ret));
	leaf = ns_stages_wait(top, "my-pid-ns");
	ns_ids_of(leaf, s->ids);
	s->npids = ns_collect_tree(top, s->pids, MAX_TREE);
	return top;
}

static bool show_one_command(void)
{
	struct subject s = { 0 };
	struct snapshot before, during, after;
	pid_t top, init;

	printf("2. The one-command form, without --kill-child:\n"
	   "   unshare --user --map-root-user --uts --ipc --net --pid --mount --fork --mount-proc\n\n");
	take_snapshot(&s, &before);
	top = start_one_command(&s);
	init = s.pids[s.npids - 1];
	take_snapshot(&s, &during);
	print_snapshot("during", &s, &during);

	s.since = ns_boot_ticks();
	kill(top, SIGTERM);
	printf("\n  a) kill -TERM %d (unshare): %s\n", (int)top,
	       blocked_and_pending(top, SIGTERM)
		       ? "nothing happens: unshare --fork blocks SIGINT and\n"
			 "     SIGTERM while it waits for its child; the signal stays pending"
		       : "unshare took it");
	kill(top, SIGKILL);
	settle_after_kill(&s, top, &after);
	printf("  b) kill -KILL %d (unshare): PID 1 (pid %d here) %s\n", (int)top, (int)init,
	       ns_alive(init) ? "is still running,\n     orphaned, and holds every namespace:"
			      : "is gone:");
	print_snapshot("left", &s, &after);

	kill(init, SIGKILL);
	settle_all_gone(&s, &before, &after);
	printf("  c) kill -KILL %d (PID 1): the kernel kills the rest of its pid namespace;\n"
	       "     had it been the first kill, unshare would have exited by itself:\n",
	       (int)init);
	print_snapshot("after", &s, &after);
	printf("  %s\n\n", same_as_before(&before, &after) ? "=> nothing left behind"
							   : "=> SOMETHING IS LEFT BEHIND");
	return same_as_before(&before, &after);
}

/* ---------------- isolate's way ---------------- */

/* isolate's container (labs/isolate/container.c) running sleep, which its root can reach anywhere. */
static bool show_isolate(void)
{
	char *argv[] = { "/bin/sleep", "60", NULL };
	struct isolate_config cfg = { .argv = argv, .hostname = "isolated", .net = NET_AUTO,
				      .quiet = true };
	struct snapshot before, during, after;
	struct subject s = { 0 };
	struct container c;
	struct ns_nl watch;
	double t0;
	int wstatus;

	printf("3. isolate's way: one clone(2) (labs/isolate/container.c).\n\n");
	take_snapshot(&s, &before);
	print_snapshot("before", &s, &before);
	if (ns_nl_open_link_watch(&watch) < 0)
		watch.fd = -1;
	if (create_namespaces(&c, &cfg) < 0)
		exit(EXIT_FAIL);
	if (!ns_wait_in_tree(c.pid, "sleep", NS_WAIT_MS)) {
		ns_wait(c.pid, &wstatus);
		release_container(&c);
		die_with(EXIT_FAIL, "isolate's container ended before it ran sleep (exit status %d): "
			 "see its message above", WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
	}
	ns_ids_of(c.pid, s.ids);
	s.npids = ns_collect_tree(c.pid, s.pids, MAX_TREE);
	take_snapshot(&s, &during);
	print_snapshot("during", &s, &during);

	t0 = ns_now_ms();
	s.since = ns_boot_ticks();
	kill(c.pid, SIGKILL); /* what PR_SET_PDEATHSIG does if isolate itself is killed */
	ns_wait(c.pid, &wstatus);
	if (c.net == NET_VETH && watch.fd >= 0 &&
	    ns_nl_wait_link_gone(&watch, c.veth.host_index, NS_WAIT_MS) == 0)
		printf("\n  kill -KILL %d (its PID 1): %s vanished by itself %.1f ms later, when the\n"
		       "  kernel's cleanup of the network namespace ran.\n", (int)c.pid,
		       c.veth.host_if, ns_now_ms() - t0);
	else
		printf("\n  kill -KILL %d (its PID 1).\n", (int)c.pid);
	ns_nl_close(&watch);
	release_container(&c);
	settle_all_gone(&s, &before, &after);
	print_snapshot("after", &s, &after);
	printf("  %s\n", same_as_before(&before, &after) ? "=> nothing left behind"
							 : "=> SOMETHING IS LEFT BEHIND");
	return same_as_before(&before, &after);
}

int main(int argc, char **argv)
{
	bool clean;

	int status;

	kit_set_progname("ns-d");
	if (ns_demo_dispatch(argc, argv, self, sizeof(self), help, run_stage, &status))
		return status;
	ns_require_userns();
	ns_become_subreaper();
	clean = show_sequence();
	clean = show_one_command() && clean;
	clean = show_isolate() && clean;
	return clean ? EXIT_OK : EXIT_FAIL;
}
