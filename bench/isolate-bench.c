/*
 * bench-isolate: start-up time of "isolate true" side by side with
 *   - unshare --user --map-root-user --uts --ipc --net --pid --mount --fork --mount-proc true
 *     (all six namespaces, no veth: the target is isolate <= 1.5x this),
 *   - the assignment's shell sequence of unshare and ip commands
 *     (bench/isolate-shell-seq.sh),
 *   - isolate configuring its veth with ip(8) instead of rtnetlink, and
 *     isolate with loopback only, to show where the time goes.
 * Each round runs every command once, in turn, so that a noisy machine
 * slows them alike; the table gives medians, ratios are times (this / that,
 * lower is better). It all runs in a network namespace made for the
 * purpose, never in the machine's own.
 *
 * usage: isolate-bench [--rounds N] [--isolate PATH] [--script PATH]
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "ns/ns_idmap.h"
#include "ns/ns_netlink.h"
#include "ns/ns_show.h"
#include "ns/ns_spawn.h"
#include "util/opts.h"
#include "util/util.h"

#define MAX_ROUNDS 1000

struct contender {
	const char *label;
	char *argv[16];
	double ms[MAX_ROUNDS];
	double median;
};

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median_of(double *values, int n)
{
	qsort(values, (size_t)n, sizeof(*values), by_value);
	return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* One timed run; output discarded. Exits on a failed run: a broken contender has no time. */
static double time_one(struct contender *c)
{
	struct ns_spawn_opts opts = { .quiet_stdout = 1 };
	double t0 = ns_now_ms();
	pid_t pid;
	int wstatus, ret = ns_spawn(c->argv, &opts, &pid);

	if (ret == 0)
		ret = ns_wait(pid, &wstatus);
	if (ret < 0 || ns_exit_code(wstatus) != 0)
		die("%s failed (%s)", c->label, ret < 0 ? strerror(-ret) : "non-zero status");
	return ns_now_ms() - t0;
}

/* A throwaway network namespace (and mount namespace) for all of it. */
static void enter_sandbox(void)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	enum ns_idmap_file step;
	struct ns_nl nl;

	if (uid != 0 || unshare(CLONE_NEWNET | CLONE_NEWNS) < 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS) < 0)
			die_with(EXIT_SKIP, "cannot create a network namespace to run in: %s",
				 strerror(errno));
		if (ns_map_root_to(getpid(), uid, gid, true, &step) < 0)
			die("cannot write our own %s", ns_idmap_file_name(step));
	}
	mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	if (ns_nl_open(&nl) == 0) {
		ns_nl_link_up(&nl, 1);
		ns_nl_close(&nl);
	}
}

static void print_table(struct contender *cs, int n, int rounds, const struct contender *base)
{
	printf("isolate start-up: median of %d rounds, each command once per round, in a\n"
	       "throwaway network namespace (time ratio = this / bare unshare, lower is better)\n\n",
	       rounds);
	printf("  %-58s %9s %8s\n", "command", "median", "ratio");
	for (int i = 0; i < n; i++)
		printf("  %-58s %6.2f ms %7.2fx\n", cs[i].label, cs[i].median,
		       cs[i].median / base->median);
	putchar('\n');
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "isolate", required_argument, NULL, 'i' },
		{ "script", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char *isolate = "./isolate", *script = "bench/isolate-shell-seq.sh";
	long rounds = 30;
	int opt;

	kit_set_progname("isolate-bench");
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 'r' && parse_long_in(optarg, 1, MAX_ROUNDS, &rounds) == 0)
			continue;
		if (opt == 'i' || opt == 's') {
			*(opt == 'i' ? &isolate : &script) = optarg;
			continue;
		}
		if (opt == 'h') {
			printf("usage: isolate-bench [--rounds N] [--isolate PATH] [--script PATH]\n");
			return EXIT_OK;
		}
		die_usage("bad option or value");
	}

	struct contender cs[] = {
		{ .label = "unshare --user --map-root-user ... --mount-proc true",
		  .argv = { "unshare", "--user", "--map-root-user", "--uts", "--ipc", "--net", "--pid",
			    "--mount", "--fork", "--mount-proc", "true", NULL } },
		{ .label = "isolate true (veth over rtnetlink)", .argv = { isolate, "true", NULL } },
		{ .label = "isolate --net-tool=ip true (veth with ip(8))",
		  .argv = { isolate, "--net-tool=ip", "true", NULL } },
		{ .label = "isolate --net=loopback true (no veth)",
		  .argv = { isolate, "--net=loopback", "true", NULL } },
		{ .label = "assignment's shell sequence (unshare + ip)", .argv = { script, "true", NULL } },
	};
	int n = (int)ARRAY_SIZE(cs);

	enter_sandbox();
	for (int i = 0; i < n; i++)
		time_one(&cs[i]); /* warm up: page cache, first-run costs */
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < n; i++)
			cs[i].ms[r] = time_one(&cs[i]);
	for (int i = 0; i < n; i++)
		cs[i].median = median_of(cs[i].ms, (int)rounds);

	print_table(cs, n, (int)rounds, &cs[0]);
	printf("BENCH isolate.start.ratio_vs_unshare %.2f x\n", cs[1].median / cs[0].median);
	printf("BENCH isolate.start.ratio_vs_shell %.2f x\n", cs[1].median / cs[4].median);
	printf("BENCH isolate.start.ms %.2f ms\n", cs[1].median);
	printf("BENCH isolate.start.netlink_vs_ip %.2f x\n", cs[1].median / cs[2].median);
	return EXIT_OK;
}
