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
 * does the same for the minimal forms: the same commands with `exec`
 * (each shell replaced by its unshare: one process, one pid, through the
 * first three steps), one unshare command, and one clone(2) (what isolate
 * does).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isolate/isolate.h"
#include "ns/ns_idmap.h"
#include "ns/ns_proc.h"
#include "ns/ns_show.h"
#include "ns/ns_spawn.h"
#include "ns/ns_stages.h"
#include "ns/ns_sync.h"
#include "util/util.h"

#define REPORT_FD 3 /* where the stages of the exec form report their pid */

static char self[4096]; /* our executable, run again for each stage */

static void help(void)
{
	printf("usage: ns-a [--help]\n"
	       "Question (a): build the process hierarchy of the assignment's unshare\n"
	       "sequence for real, print it with each process's namespace ids, then do the\n"
	       "same for the minimal forms (each shell doing 'exec unshare ...'; one\n"
	       "unshare command; one clone(2)).\n"
	       "In the tables an id is printed where a process's namespace differs from its\n"
	       "parent's (the namespace was created there) and '\"' where it is the parent's.\n"
	       "Exit status: 0, 1 on failure, 77 when user namespaces are unavailable.\n");
}

/* The child shell's column: common/ns/ns_stages.c runs it as stages of this program. */
static const struct ns_stages stages = { .self = self };

/* What a stage of the exec form tells the parent: its name and its pid as it sees it. */
struct stage_report {
	char stage[8];
	int pid;
};

/* A stage; in the exec form it first says who it is on REPORT_FD, which exec keeps open. */
static int run_stage(const char *name, const char *arg)
{
	if (arg && strcmp(arg, "exec") == 0) {
		struct stage_report r = { .pid = (int)getpid() };

		snprintf(r.stage, sizeof(r.stage), "%s", name);
		ns_pipe_send(REPORT_FD, &r, sizeof(r));
	}
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
	left = ns_reap_children(NS_WAIT_MS);
	printf("  ended: SIGKILL to all %d; %s\n\n", n,
	       left ? "SOME ARE STILL ALIVE" : "all gone, and their namespaces with them");
}

/* Start the sequence, find the user stage (lines 9-10), write its maps (lines 12-13). */
static pid_t start_sequence(bool exec_form, const int *report)
{
	struct ns_spawn_opts opts = { .pass_fds = report, .npass = report ? 1 : 0 };
	enum ns_idmap_file step;
	char *first[9];
	pid_t top, user;
	int ret;

	ns_stages_first_command(&stages, exec_form, first);
	fflush(stdout);
	ret = ns_spawn(first, &opts, &top);
	if (ret < 0)
		die("cannot run unshare: %s", strerror(-ret));
	user = ns_stages_wait(top, "my-user-ns");
	ret = ns_map_root_to(user, geteuid(), getegid(), geteuid() != 0, &step);
	if (ret < 0) {
		kill(top, SIGKILL);
		die("cannot write %s of pid %d: %s", ns_idmap_file_name(step), (int)user,
		    strerror(-ret));
	}
	return top;
}

static void show_sequence(void)
{
	pid_t top = start_sequence(false, NULL);

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

/* Read the four stage reports of the exec form: false if they do not come. */
static bool read_reports(int fd, struct stage_report r[4])
{
	for (int i = 0; i < 4; i++)
		if (ns_pipe_recv(fd, &r[i], sizeof(r[i])) < 0)
			return false;
	return true;
}

static void show_exec_form(void)
{
	struct stage_report r[4];
	struct ns_pipe report;
	pid_t top, leaf;
	bool got, same;
	int fds[1];

	if (ns_pipe_open(&report) < 0)
		die("pipe: %s", strerror(errno));
	fds[0] = report.write_fd;
	top = start_sequence(true, fds);
	ns_close_fd(&report.write_fd);
	leaf = ns_stages_wait(top, "my-pid-ns");
	got = read_reports(report.read_fd, r);
	ns_pipe_close(&report);
	if (!got)
		die("the stages of the exec form did not report");
	same = r[0].pid == (int)top && r[1].pid == (int)top && r[2].pid == (int)top;
	printf("2. Minimal by hand: the same commands, but each shell runs the next one\n"
	       "   with exec (exec unshare ...), which replaces the shell in the same\n"
	       "   process. Only line 53 forks, because a pid namespace gets its first\n"
	       "   process by a fork; no --kill-child is needed for the other steps:\n\n");
	for (int i = 0; i < 3; i++)
		printf("   stage %-4s pid %d\n", r[i].stage, r[i].pid);
	printf("   stage %-4s pid %d inside, %d here (forked by unshare --pid --fork)\n\n",
	       r[3].stage, r[3].pid, (int)leaf);
	ns_show_tree_header();
	ns_show_tree(top);
	printf("\n  %s\n  %d processes: pid %d (the shell, exec'd into each unshare in turn,\n"
	       "  now unshare --pid --fork waiting) and its child, PID 1 of the new pid namespace.\n",
	       same ? "user, uts and net stages ran in one process: exec keeps the pid"
		    : "THE STAGES RAN IN DIFFERENT PROCESSES", ns_count_tree(top), (int)top);
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
	printf("3. Minimal with unshare(1): one command creates all six namespaces:\n"
	       "   unshare --user --map-root-user --uts --ipc --net --pid --mount --fork --mount-proc\n\n");
	ns_show_tree_header();
	ns_show_tree(top);
	printf("\n  %d processes: unshare must fork once (the pid namespace applies to its\n"
	       "  children) and waits; the shells in between are gone.\n", ns_count_tree(top));
	end_tree(top);
}

/*
 * isolate's own container (labs/isolate/container.c), running sleep: a
 * program of the system, which the container's root (an unprivileged user
 * outside, see labs/isolate/userns.c) can run wherever ns-a itself lies.
 */
static void show_clone(void)
{
	char *argv[] = { "/bin/sleep", "60", NULL };
	struct isolate_config cfg = { .argv = argv, .hostname = "isolated", .net = NET_LOOPBACK,
				      .quiet = true };
	struct container c;
	pid_t leaf;
	int wstatus;

	if (create_namespaces(&c, &cfg) < 0)
		exit(EXIT_FAIL);
	leaf = ns_wait_in_tree(c.pid, "sleep", NS_WAIT_MS);
	printf("4. Minimal with clone(2), as isolate does it (labs/isolate/container.c): one\n"
	       "   clone with all the CLONE_NEW* flags; the caller writes the maps and stays\n"
	       "   outside to wait, the child is PID 1 and becomes the program:\n\n");
	ns_show_tree_header();
	ns_show_tree(getpid());
	printf("\n  %d processes, and only the container's is inside.\n", ns_count_tree(getpid()));
	kill(c.pid, SIGKILL);
	ns_wait(c.pid, &wstatus);
	release_container(&c);
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
	show_exec_form();
	show_one_unshare();
	show_clone();
	return EXIT_OK;
}
