/*
 * ns-c: question (c). Why does the child shell rename itself (lines 4 and
 * 27) and why does the parent shell look it up with ps (lines 9-10, 29-30)?
 *
 * The parent shell has to act on the child shell's namespaces from outside:
 * write /proc/PID/uid_map (lines 12-13) and move the veth peer into
 * /proc/PID/ns/net (line 36). For that it needs the PID of exactly that
 * process, as the parent's pid namespace numbers it, and only once the
 * process has entered its new namespace. This program shows each of those
 * three needs live, with stand-in "shells" (child processes).
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ns/ns_idmap.h"
#include "ns/ns_proc.h"
#include "ns/ns_show.h"
#include "ns/ns_spawn.h"
#include "ns/ns_sync.h"
#include "util/util.h"

/* A stand-in shell: a child that does its steps when told, and says when done. */
struct shell {
	pid_t pid;
	int go_fd;   /* we write one byte per step */
	int done_fd; /* it answers one byte per step done */
};

static void help(void)
{
	printf("usage: ns-c [--help]\n"
	       "Question (c), live: why the assignment renames the child shell\n"
	       "(echo NAME > /proc/$$/comm) and why the parent finds it with ps.\n"
	       "Exit status: 0, 1 on failure, 77 when user namespaces are unavailable.\n");
}

static unsigned long long ns_of(pid_t pid, enum ns_type type)
{
	uint64_t id = 0;

	ns_id_of(pid, type, &id);
	return (unsigned long long)id;
}

/* Block until the parent says go (or dies). */
static void await_go(int fd)
{
	char byte;

	if (ns_pipe_recv(fd, &byte, 1) < 0)
		_exit(0);
}

static void report_done(int fd)
{
	char byte = 1;

	ns_pipe_send(fd, &byte, 1);
}

/* Wait until the shell has done the step it was told to do. */
static void step_done(struct shell *sh)
{
	char byte;

	if (ns_pipe_recv(sh->done_fd, &byte, 1) < 0)
		die("stand-in shell %d died", (int)sh->pid);
}

/* Tell the shell to do its next step; it does it while we go on. */
static void step(struct shell *sh)
{
	char byte = 1;

	ns_pipe_send(sh->go_fd, &byte, 1);
}

/*
 * The shell's life: called "bash"; on the first go, unshare FLAGS (0: none);
 * on the second, rename itself to NAME (the assignment's line 4 / 27);
 * then wait to be killed. Each step done is acknowledged.
 */
static struct shell start_shell(int flags, const char *name)
{
	struct ns_pipe go, done;
	struct shell sh;

	if (ns_pipe_open(&go) < 0 || ns_pipe_open(&done) < 0)
		die("pipe: %s", strerror(errno));
	fflush(stdout);
	sh.pid = fork();
	if (sh.pid < 0)
		die("fork: %s", strerror(errno));
	if (sh.pid == 0) {
		ns_close_fd(&go.write_fd);
		ns_close_fd(&done.read_fd);
		ns_set_comm("bash");
		report_done(done.write_fd);
		await_go(go.read_fd);
		if (flags && unshare(flags) < 0)
			die("unshare: %s", strerror(errno));
		report_done(done.write_fd);
		await_go(go.read_fd);
		ns_set_comm(name);
		report_done(done.write_fd);
		await_go(go.read_fd); /* EOF when the parent is done */
		_exit(0);
	}
	ns_close_fd(&go.read_fd);
	ns_close_fd(&done.write_fd);
	sh.go_fd = go.write_fd;
	sh.done_fd = done.read_fd;
	step_done(&sh); /* it is called bash now */
	return sh;
}

static void end_shell(struct shell *sh)
{
	int wstatus;

	ns_close_fd(&sh->go_fd);
	ns_close_fd(&sh->done_fd);
	kill(sh->pid, SIGKILL);
	ns_wait(sh->pid, &wstatus);
}

/* Print "ps -e -o pid,comm | grep NAME" restricted to our children, with their namespaces. */
static int show_matches(const char *name)
{
	pid_t pids[256], kids[64];
	int n = ns_pids_by_comm(name, pids, 256), k = ns_children_of(getpid(), kids, 64), mine = 0;

	for (int i = 0; i < n; i++) {
		for (int j = 0; j < k; j++) {
			if (pids[i] != kids[j])
				continue;
			printf("      pid %-7d comm %-11s user:[%llu] net:[%llu]\n", (int)pids[i], name,
			       ns_of(pids[i], NS_USER), ns_of(pids[i], NS_NET));
			mine++;
		}
	}
	printf("      (%d of the %d processes called \"%s\" on this machine are ours)\n", mine, n,
	       name);
	return mine;
}

static void show_ambiguity(void)
{
	struct shell plain = start_shell(0, "bash");
	struct shell user = start_shell(CLONE_NEWUSER, "my-user-ns");
	struct shell net = start_shell(CLONE_NEWUSER | CLONE_NEWNET, "my-net-ns");
	struct shell *all[] = { &plain, &user, &net };
	struct ns_idmap map = { 0, geteuid(), 1 };
	int ret;

	for (int i = 0; i < 3; i++)
		step(all[i]); /* each does its unshare */
	for (int i = 0; i < 3; i++)
		step_done(all[i]);
	printf("1. Which process? Every shell is called bash. Three stand-ins: one in our\n"
	       "   namespaces, one after unshare -U, one after unshare -U --net.\n"
	       "   ps -e -o pid,comm | grep bash:\n");
	show_matches("bash");
	ret = ns_write_uid_map(plain.pid, &map);
	printf("   Picking the wrong one fails, or worse: writing uid_map of pid %d, which is\n"
	       "   in our own user namespace -> %s\n", (int)plain.pid,
	       ret ? strerror(-ret) : "ok (?)");
	for (int i = 0; i < 3; i++)
		step(all[i]); /* each renames itself: line 4 / 27 */
	for (int i = 0; i < 3; i++)
		step_done(all[i]);
	printf("   After line 4 (echo my-user-ns > /proc/$$/comm), grep my-user-ns:\n");
	show_matches("my-user-ns");
	printf("   and after line 27, grep my-net-ns:\n");
	show_matches("my-net-ns");
	for (int i = 0; i < 3; i++)
		end_shell(all[i]);
}

static void show_timing(void)
{
	struct shell sh = start_shell(CLONE_NEWUSER | CLONE_NEWNET, "my-net-ns");
	unsigned long long before, after, ours = ns_of(getpid(), NS_NET);
	pid_t found;

	before = ns_of(sh.pid, NS_NET); /* it has not run unshare yet: it waits for us */
	step(&sh); /* it runs unshare --net */
	step(&sh); /* then renames itself */
	found = ns_wait_in_tree(sh.pid, "my-net-ns", NS_WAIT_MS);
	after = ns_of(sh.pid, NS_NET);
	printf("\n2. When? The name is set after unshare returned, so seeing it means the new\n"
	       "   namespace exists. Looked up before, by its pid alone:\n"
	       "      /proc/%d/ns/net before its unshare: net:[%llu]  %s\n"
	       "      once \"my-net-ns\" is visible (pid %d):  net:[%llu]  %s\n"
	       "   'ip link set peer0 netns /proc/%d/ns/net' in the first moment would have\n"
	       "   left peer0 in our own namespace.\n",
	       (int)sh.pid, before, before == ours ? "= ours" : "(new)", (int)found, after,
	       after == ours ? "= ours" : "(new)", (int)sh.pid);
	end_shell(&sh);
}

/* A process that enters a new pid namespace: its child is pid 1 there. */
static void show_pid_view(void)
{
	struct ns_pipe report;
	char nspid[64] = "", init_comm[32] = "";
	pid_t inner = 0, outer;
	int wstatus;

	if (ns_pipe_open(&report) < 0)
		die("pipe: %s", strerror(errno));
	fflush(stdout);
	outer = fork();
	if (outer == 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWPID) < 0)
			die("unshare: %s", strerror(errno));
		if (fork() == 0) {
			pid_t me = getpid(); /* what $$ says in there */

			ns_pipe_send(report.write_fd, &me, sizeof(me));
			pause();
		}
		pause();
	}
	ns_close_fd(&report.write_fd);
	ns_pipe_recv(report.read_fd, &inner, sizeof(inner));
	{
		pid_t kids[4];
		int n;

		for (int i = 0; i < NS_WAIT_MS / 2 && (n = ns_children_of(outer, kids, 4)) < 1; i++)
			ns_sleep_ms(2);
		if (n >= 1)
			ns_status_field(kids[0], "NSpid", nspid, sizeof(nspid));
		for (char *tab = strchr(nspid, '\t'); tab; tab = strchr(tab, '\t'))
			*tab = ' ';
		ns_comm_of(1, init_comm, sizeof(init_comm));
		printf("\n3. Whose numbering? A shell in a new pid namespace says $$ = %d. In the\n"
		       "   parent's /proc that is pid 1, %s, not the shell. Its NSpid line\n"
		       "   (pid in each namespace, outermost first) is \"%s\": the parent needs the\n"
		       "   first number, which only a lookup from outside gives it.\n",
		       (int)inner, init_comm, nspid);
		if (n >= 1)
			kill(kids[0], SIGKILL);
	}
	ns_pipe_close(&report);
	kill(outer, SIGKILL);
	ns_wait(outer, &wstatus);
}

int main(int argc, char **argv)
{
	kit_set_progname("ns-c");
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		help();
		return EXIT_OK;
	}
	if (argc != 1)
		die_usage("unexpected argument '%s'", argv[1]);
	ns_require_userns();
	ns_become_subreaper();
	show_ambiguity();
	show_timing();
	show_pid_view();
	printf("\nisolate needs none of this: clone(2) returns the child's pid in our pid\n"
	       "namespace, and the child waits on a pipe until the maps are written\n"
	       "(create_namespaces in labs/isolate/container.c, child_func in\n"
	       "labs/isolate/child.c).\n");
	ns_reap_children(1000);
	return EXIT_OK;
}
