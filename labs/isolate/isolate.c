/*
 * isolate: run PROGRAM in new user, uts, ipc, net, pid, mount and cgroup
 * namespaces, following the six steps of the assignment's part (2)
 * (answers/namespaces.md, (d) and (e)). Read this folder in this order:
 *
 *   isolate.c    main(): options, create_namespaces(), wait, exit status
 *   container.c  create_namespaces(): clone, then the parent's steps
 *   userns.c     setup_userns(): whom the container's root is outside
 *   netns.c      setup_netns(): the veth pair (or slirp4netns), both sides
 *   child.c      child_func(): the child's steps, then execvp PROGRAM
 *   mntns.c      setup_utsns(), setup_mntns(): hostname, /proc, /sys
 *   options.c    the command line and --help
 *
 * The mechanisms underneath (clone flags aside) are in common/ns/: the id
 * maps (ns_idmap.c), rtnetlink (ns_netlink.c, ns_net.c), posix_spawn
 * (ns_spawn.c), the pipe (ns_sync.c), /proc (ns_proc.c), messages
 * (ns_error.c).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isolate.h"
#include "ns/ns_proc.h"
#include "ns/ns_spawn.h"
#include "util/util.h"

/* The signals we pass on, plus SIGCHLD; all blocked and taken with sigwaitinfo. */
static void wait_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGQUIT);
	sigaddset(set, SIGCHLD);
}

/*
 * Pass SIG on to the container's init. A terminal's ^C (si_code SI_KERNEL)
 * already went to our whole process group, the init included, so only
 * signals sent to isolate alone are re-sent. If the init has no handler
 * for SIG, the kernel drops it (pid_namespaces(7)): carry out the default
 * action, termination, ourselves. Returns SIG if we did, else 0.
 */
static int forward_signal(pid_t init, const siginfo_t *si)
{
	if (si->si_code != SI_KERNEL)
		kill(init, si->si_signo);
	if (!ns_signal_is_default(init, si->si_signo))
		return 0;
	kill(init, SIGKILL);
	return si->si_signo;
}

/* Wait for the init to end, passing signals on. Returns its exit status as env(1) would. */
static int wait_for_container(struct container *c, const sigset_t *set)
{
	int emulated = 0;

	for (;;) {
		siginfo_t si;
		int wstatus;
		pid_t done;

		if (sigwaitinfo(set, &si) < 0)
			continue; /* EINTR: a stop/continue */
		if (si.si_signo != SIGCHLD) {
			int sig = forward_signal(c->pid, &si);

			emulated = sig ? sig : emulated;
			continue;
		}
		/* SIGCHLD merges: look at everything that may have ended. */
		if (c->slirp.pid > 0 && waitpid(c->slirp.pid, &wstatus, WNOHANG) == c->slirp.pid) {
			kit_warn("slirp4netns exited (%d); the container has no network now",
			      ns_exit_code(wstatus));
			c->slirp.pid = 0;
		}
		done = waitpid(c->pid, &wstatus, WNOHANG);
		if (done == c->pid) {
			if (emulated && WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
				return 128 + emulated;
			return ns_exit_code(wstatus);
		}
		if (done < 0 && errno != EINTR) {
			kit_warn("cannot wait for the container: %s", strerror(errno));
			return EXIT_ISOLATE_FAILED;
		}
	}
}

int main(int argc, char **argv)
{
	struct isolate_config cfg = { .hostname = "isolated", .net = NET_AUTO,
				      .tool = NS_TOOL_NETLINK };
	struct container c;
	sigset_t set, saved;
	int status;

	kit_set_progname("isolate");
	parse_args(argc, argv, &cfg);
	if (cfg.map_root_to_host_root && !cfg.quiet && geteuid() == 0)
		kit_warn("note: --map-root-to-host-root: the container's root is the host's root");
	/* An inherited SIG_IGN for SIGCHLD would make the kernel reap our child for us. */
	signal(SIGCHLD, SIG_DFL);
	/* Block before clone: a signal arriving during set-up waits until we can pass it on. */
	wait_set(&set);
	sigprocmask(SIG_BLOCK, &set, &saved);
	cfg.exec_sigmask = &saved;
	if (create_namespaces(&c, &cfg) < 0)
		return EXIT_ISOLATE_FAILED;
	status = wait_for_container(&c, &set);
	release_container(&c);
	return status;
}
