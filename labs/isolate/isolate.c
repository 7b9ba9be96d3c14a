/*
 * isolate: run PROGRAM in new user, uts, ipc, net, pid and mount namespaces,
 * following the six steps of the assignment (answers/namespaces.md, (d)/(e)).
 *
 * The namespaces are created by ns_container_start() (common/ns/ns_container.c)
 * with one clone(2); this file is the command: options, signal forwarding,
 * and the exit status env(1) and chroot(1) would give.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ns/ns_container.h"
#include "ns/ns_proc.h"
#include "ns/ns_spawn.h"
#include "util/util.h"

#define USAGE "usage: isolate [OPTIONS] PROGRAM [ARGS...]"
#define MAX_HOSTNAME 64

static void help(void)
{
	printf(USAGE "\n"
	       "Run PROGRAM (found on PATH) as PID 1 and as uid 0 of new user, uts, ipc,\n"
	       "network, pid and mount namespaces. The root filesystem is shared; /proc is\n"
	       "a fresh one for the new pid namespace.\n"
	       "\n"
	       "Options:\n"
	       "  --hostname NAME   hostname inside (default: isolated)\n"
	       "  --net MODE        auto (default), veth, slirp or loopback:\n"
	       "                      veth      a veth pair to the host; needs root (CAP_NET_ADMIN\n"
	       "                                in the host network namespace)\n"
	       "                      slirp     user-mode networking with slirp4netns: container\n"
	       "                                10.0.2.100, host 10.0.2.2; needs no privilege\n"
	       "                      loopback  only lo\n"
	       "                      auto      veth as root, else slirp if usable, else loopback\n"
	       "  --net-tool TOOL   netlink (default): configure links over rtnetlink;\n"
	       "                    ip: run ip(8) for each step, as the assignment does\n"
	       "  -q, --quiet       no notes about what rootless mode cannot do\n"
	       "  -v, --verbose     describe namespaces, ids and addresses on stderr\n"
	       "  -h, --help        this text\n"
	       "\n"
	       "Addresses: a lone container gets veth iso-12-13 10.11.12.13/30 on the host and\n"
	       "peer0 10.11.12.14/30 inside. Containers running side by side take the next\n"
	       "/30 of 10.11.0.0/16 (10.11.12.17/.18 on iso-12-17, ...): the host end is\n"
	       "named after its address, and creating it claims the slot atomically.\n"
	       "\n"
	       "Privileges: as root, uid 0 inside is uid 0 outside and the veth pair is made.\n"
	       "As another user, uid 0 and gid 0 inside map to your own uid and gid only,\n"
	       "setgroups(2) is denied, and there is no veth (see --net).\n"
	       "\n"
	       "Exit status: PROGRAM's; 128+N if it died of signal N; 125 if isolate itself\n"
	       "failed; 126 if PROGRAM cannot run; 127 if it was not found; 2 on a usage error.\n"
	       "SIGINT, SIGTERM, SIGHUP and SIGQUIT are passed on to PROGRAM. PID 1 ignores\n"
	       "signals it has no handler for, so for those isolate carries out the default\n"
	       "action itself: it kills the container and exits 128+N.\n");
}

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "isolate: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n" USAGE "\nTry 'isolate --help'.\n");
	exit(EXIT_USAGE);
}

static void parse_args(int argc, char **argv, struct ns_config *cfg)
{
	enum { OPT_HOSTNAME = 256, OPT_NET, OPT_NET_TOOL };
	static const struct option longopts[] = {
		{ "hostname", required_argument, NULL, OPT_HOSTNAME },
		{ "net", required_argument, NULL, OPT_NET },
		{ "net-tool", required_argument, NULL, OPT_NET_TOOL },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int opt;

	opterr = 0;
	/* '+': options end at PROGRAM, so "isolate ls -l" passes -l to ls. */
	while ((opt = getopt_long(argc, argv, "+qvh", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_HOSTNAME:
			if (!*optarg || strlen(optarg) > MAX_HOSTNAME)
				usage_error("--hostname: '%s' is not 1 to 64 characters", optarg);
			cfg->hostname = optarg;
			break;
		case OPT_NET:
			if (ns_net_mode_parse(optarg, &cfg->net) < 0)
				usage_error("--net: '%s' is not auto, veth, slirp or loopback", optarg);
			break;
		case OPT_NET_TOOL:
			if (strcmp(optarg, "netlink") == 0)
				cfg->tool = NS_TOOL_NETLINK;
			else if (strcmp(optarg, "ip") == 0)
				cfg->tool = NS_TOOL_IP;
			else
				usage_error("--net-tool: '%s' is not netlink or ip", optarg);
			break;
		case 'q':
			cfg->quiet = true;
			break;
		case 'v':
			cfg->verbose = true;
			break;
		case 'h':
			help();
			exit(EXIT_OK);
		default:
			usage_error("unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		usage_error("%s", "no PROGRAM given");
	cfg->argv = argv + optind;
}

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
static int wait_for_container(struct ns_container *c, const sigset_t *set)
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
			warnx("slirp4netns exited (%d); the container has no network now",
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
			warnx("cannot wait for the container: %s", strerror(errno));
			return NS_EXIT_FAILURE;
		}
	}
}

int main(int argc, char **argv)
{
	struct ns_config cfg = { .hostname = "isolated", .net = NS_NET_AUTO, .tool = NS_TOOL_NETLINK };
	struct ns_container c;
	sigset_t set, saved;
	int status;

	kit_set_progname("isolate");
	parse_args(argc, argv, &cfg);
	/* An inherited SIG_IGN for SIGCHLD would make the kernel reap our child for us. */
	signal(SIGCHLD, SIG_DFL);
	/* Block before clone: a signal arriving during set-up waits until we can pass it on. */
	wait_set(&set);
	sigprocmask(SIG_BLOCK, &set, &saved);
	cfg.exec_sigmask = &saved;
	if (ns_container_start(&c, &cfg) < 0)
		return NS_EXIT_FAILURE;
	status = wait_for_container(&c, &set);
	ns_container_release(&c);
	return status;
}
