/*
 * ns-a: question (a). What process hierarchy does the assignment's
 * sequence of unshare commands build, and how small can it be?
 *
 * It runs the sequence for real: the "child shell" column becomes stages
 * of this same program (ns-a --stage NAME), each doing what the shell did
 * at that point and then running the next unshare command and waiting for
 * it, as an interactive shell waits for its foreground command. The
 * "parent shell" column is this program's main(): it finds the stages by
 * their comm (lines 9-10) and writes their uid/gid maps (lines 12-13).
 * Then it prints the tree with the namespace ids of every process, and
 * does the same for the minimal forms: one unshare command, and one
 * clone(2) (what isolate does).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ns/ns_container.h"
#include "ns/ns_idmap.h"
#include "ns/ns_proc.h"
#include "ns/ns_show.h"
#include "ns/ns_spawn.h"
#include "ns/ns_stages.h"
#include "util/util.h"

#define STAGE_TIMEOUT_MS 5000

static char self[4096]; /* our executable, run again for each stage */

static void help(void)
{
	printf("usage: ns-a [--help]\n"
	       "Question (a): build the process hierarchy of the assignment's unshare\n"
	       "sequence for real, print it with each process's namespace ids, then do the\n"
	       "same for the minimal forms (one unshare command; one clone(2)).\n"
	       "In the tables an id is printed where a process's namespace differs from its\n"
	       "parent's (the namespace was created there) and '\"' where it is the parent's.\n"
	       "Exit status: 0, 1 on failure, 77 when user namespaces are unavailable.\n");
}

/* The child shell's column: common/ns/ns_stages.c runs it as stages of this program. */
static const struct ns_stages stages = { .self = self };

static int run_stage(const char *name, const char *arg)
{
	return ns_stage_run(&stages, name, arg);
}

/* ---------------- the parent shell's part, and the report ---------------- */

/*
 * End a tree: SIGKILL every process in it. Killing only the top is not
 * enough for the assignment's sequence: --kill-child passes the death of an
 * unshare to its own child only, and a shell killed by SIGKILL passes
 * nothing on (ns-d shows what that leaves behind).
 */
static void end_tree(pid_t top)
{
	pid_t pids[64];
	int n = ns_collect_tree(top, pids, 64), left;

	for (int i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	left = ns_reap_children(2000);
	printf("  ended: SIGKILL to all %d; %s\n\n", n,
	       left ? "SOME ARE STILL ALIVE" : "all gone, and their namespaces with them");
}

static void show_sequence(void)
{
	char *first[8];
	const char *step;
	pid_t top, user;
	int ret;

	ns_stages_first_command(&stages, first);
	ret = ns_spawn(first, NULL, &top);
	if (ret < 0)
		die("cannot run unshare: %s", strerror(-ret));
	user = ns_stages_wait(top, "my-user-ns"); /* lines 9-10 */
	ret = ns_map_root_to(user, geteuid(), getegid(), geteuid() != 0, &step);
	if (ret < 0) {
		kill(top, SIGKILL);
		die("cannot write %s of pid %d: %s", step, (int)user, strerror(-ret));
	}
	ns_stages_wait(top, "my-pid-ns");
	printf("1. The assignment's sequence (lines 3, 20, 26, 53; uid 0 mapped to uid %d).\n"
	       "   --kill-child implies --fork, so each unshare stays as the parent of the\n"
	       "   shell it started; a stage of ns-a stands for each shell:\n\n",
	       (int)geteuid());
	ns_show_tree_header();
	ns_show_tree(top);
	printf("\n  %d processes for one container: 4 unshare + 4 shells. Only the last shell\n"
	       "  is in the new pid namespace (unshare --pid moves its children, not itself).\n",
	       ns_count_tree(top));
	end_tree(top);
}

static void show_one_unshare(void)
{
	char *argv[] = { "unshare", "--user", "--map-root-user", "--uts", "--ipc", "--net", "--pid",
			 "--mount", "--fork", "--mount-proc", "--kill-child", "--", self, "--stage",
			 "hold", "my-container", NULL };
	pid_t top;
	int ret = ns_spawn(argv, NULL, &top);

	if (ret < 0)
		die("cannot run unshare: %s", strerror(-ret));
	ns_stages_wait(top, "my-container");
	printf("2. Minimal with unshare(1): one command creates all six namespaces:\n"
	       "   unshare --user --map-root-user --uts --ipc --net --pid --mount --fork --mount-proc\n\n");
	ns_show_tree_header();
	ns_show_tree(top);
	printf("\n  %d processes: unshare must fork once (the pid namespace applies to its\n"
	       "  children) and waits; the shells in between are gone.\n", ns_count_tree(top));
	end_tree(top);
}

static void show_clone(void)
{
	char *argv[] = { self, "--stage", "hold", "my-container", NULL };
	struct ns_config cfg = { .argv = argv, .hostname = "isolated", .net = NS_NET_LOOPBACK,
				 .quiet = true };
	struct ns_container c;
	pid_t leaf;
	int wstatus;

	if (ns_container_start(&c, &cfg) < 0)
		exit(EXIT_FAIL);
	leaf = ns_wait_in_tree(c.pid, "my-container", STAGE_TIMEOUT_MS);
	printf("3. Minimal with clone(2), as isolate does it (common/ns/ns_container.c): one\n"
	       "   clone with all six CLONE_NEW* flags; the caller writes the maps and stays\n"
	       "   outside to wait, the child is PID 1 and becomes the program:\n\n");
	ns_show_tree_header();
	ns_show_tree(getpid());
	printf("\n  %d processes, and only the container's is inside.\n", ns_count_tree(getpid()));
	kill(c.pid, SIGKILL);
	ns_wait(c.pid, &wstatus);
	ns_container_release(&c);
	printf("  ended: SIGKILL to pid %d; it is %s\n", (int)c.pid,
	       leaf && ns_alive(leaf) ? "STILL ALIVE" : "gone");
}

int main(int argc, char **argv)
{
	int status;

	kit_set_progname("ns-a");
	if (ns_demo_dispatch(argc, argv, self, sizeof(self), help, run_stage, &status))
		return status;
	ns_require_userns();
	ns_become_subreaper();
	show_sequence();
	show_one_unshare();
	show_clone();
	return EXIT_OK;
}
