/*
 * ns-b: question (b). What breaks when the namespaces are created in
 * another order, and when the uid/gid maps (lines 12-13) come later?
 *
 * Each case runs live in a child process with the raw system calls:
 * unshare(2), sethostname(2), mount(2), an rtnetlink request, execve(2),
 * and reports the outcome with errno and the owner of the namespace
 * involved (ioctl NS_GET_USERNS, ioctl_ns(2)).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ns/ns_idmap.h"
#include "ns/ns_netlink.h"
#include "ns/ns_proc.h"
#include "ns/ns_show.h"
#include "ns/ns_spawn.h"
#include "ns/ns_stages.h"
#include "util/util.h"

#define NOBODY 65534

static char self[4096];

static void help(void)
{
	printf("usage: ns-b [--help]\n"
	       "Question (b), live: create namespaces in other orders than the assignment's\n"
	       "and write the uid/gid maps late, and show what fails and why.\n"
	       "Cases needing root are skipped (and said so) for an ordinary user.\n"
	       "Exit status: 0, 1 on failure, 77 when user namespaces are unavailable.\n");
}

static const char *outcome(int ret)
{
	static char text[96];

	if (ret == 0)
		return "ok";
	snprintf(text, sizeof(text), "%s (%s)", strerrorname_np(ret), strerror(ret));
	return text;
}

/*
 * The user namespace that owns our namespace of TYPE (ioctl_ns(2)
 * NS_GET_USERNS), or 0 when the kernel refuses to tell (EPERM): the owner
 * is outside our own user namespace, i.e. an ancestor such as the initial one.
 */
static unsigned long long owner_of(enum ns_type type)
{
	char path[64];
	struct stat st;
	int fd, owner;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_type_name(type));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	owner = fd < 0 ? -1 : ioctl(fd, NS_GET_USERNS);
	if (fd >= 0)
		close(fd);
	if (owner < 0 || fstat(owner, &st) < 0)
		return 0;
	close(owner);
	return (unsigned long long)st.st_ino;
}

static unsigned long long my_ns(enum ns_type type)
{
	uint64_t id = 0;

	ns_id_of(getpid(), type, &id);
	return (unsigned long long)id;
}

/* Run fn in a child process and wait for it; its output is the report. */
static void in_child(int (*fn)(int), int arg)
{
	int wstatus;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		int code = fn(arg);

		fflush(stdout);
		_exit(code);
	}
	ns_wait(pid, &wstatus);
	if (ns_exit_code(wstatus) != 0)
		kit_warn("a case failed unexpectedly (status %d)", ns_exit_code(wstatus));
}

/* ---------------- 1. order ---------------- */

static int sys_unshare(int flags)
{
	return unshare(flags) < 0 ? errno : 0;
}

/*
 * Give up privilege: become uid 65534 if we are root of the machine; if we
 * are root only of a user namespace (where 65534 may not be mapped), drop
 * every capability instead, which is what the kernel looks at.
 */
static void become_unprivileged(void)
{
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct none[2] = { { 0 } };

	if (geteuid() != 0)
		return;
	if (setgroups(0, NULL) == 0 && setresgid(NOBODY, NOBODY, NOBODY) == 0 &&
	    setresuid(NOBODY, NOBODY, NOBODY) == 0)
		return;
	if (syscall(SYS_capset, &header, none) < 0)
		die("cannot drop our capabilities: %s", strerror(errno));
}

/* As an unprivileged user, only CLONE_NEWUSER needs no capability. */
static int case_unprivileged(int unused)
{
	(void)unused;
	become_unprivileged();
	printf("  as uid %d: unshare(CLONE_NEWIPC) first      -> %s\n", (int)getuid(),
	       outcome(sys_unshare(CLONE_NEWIPC)));
	printf("  as uid %d: unshare(CLONE_NEWUSER)           -> %s\n", (int)getuid(),
	       outcome(sys_unshare(CLONE_NEWUSER)));
	printf("             then unshare(CLONE_NEWIPC)       -> %s\n",
	       outcome(sys_unshare(CLONE_NEWIPC)));
	return 0;
}

/* Bring lo up in our network namespace over rtnetlink (ip link set lo up). */
static int lo_up(void)
{
	struct ns_nl nl;
	int ret = ns_nl_open(&nl);

	if (ret == 0) {
		ret = ns_nl_link_up(&nl, 1);
		ns_nl_close(&nl);
	}
	return -ret;
}

/* Mount a proc for our new pid namespace, in a child (the first process in it). */
static int proc_mount(void)
{
	int wstatus;
	pid_t pid = fork();

	if (pid == 0)
		_exit(mount("proc", "/proc", "proc", 0, NULL) < 0 ? errno : 0);
	if (pid < 0 || ns_wait(pid, &wstatus) < 0)
		return errno;
	return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : EINTR;
}

struct order_case {
	const char *what;     /* the namespace(s) created first */
	int flags;
	enum ns_type type;    /* whose owner we show */
	const char *action;
	int (*act)(void);
};

static int do_sethostname(void)
{
	return sethostname("isolated", 8) < 0 ? errno : 0;
}

static const struct order_case order_cases[] = {
	{ "uts", CLONE_NEWUTS, NS_UTS, "sethostname(\"isolated\")", do_sethostname },
	{ "net", CLONE_NEWNET, NS_NET, "ip link set lo up (rtnetlink)", lo_up },
	{ "pid+mnt", CLONE_NEWPID | CLONE_NEWNS, NS_MNT, "mount -t proc proc /proc", proc_mount },
};

/* arg: index into order_cases, negated-minus-one for the assignment's order (user first). */
static int case_order(int arg)
{
	int user_first = arg < 0;
	const struct order_case *c = &order_cases[user_first ? -arg - 1 : arg];
	unsigned long long id, owner, ours;
	int ret = user_first ? sys_unshare(CLONE_NEWUSER) : sys_unshare(c->flags);

	if (ret == 0)
		ret = user_first ? sys_unshare(c->flags) : sys_unshare(CLONE_NEWUSER);
	if (ret != 0)
		die("unshare: %s", strerror(ret));
	mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL); /* keep a proc mount, if any, to us */
	/* Read the ids now: after a new proc is mounted, our own /proc entry is gone. */
	id = my_ns(c->type);
	owner = owner_of(c->type);
	ours = my_ns(NS_USER);
	ret = c->act();
	printf("  %-8s %-8s %-30s -> %s\n", user_first ? "user" : c->what,
	       user_first ? c->what : "user", c->action, outcome(ret));
	if (owner == ours)
		printf("  %17s %s namespace %llu is owned by our user namespace %llu\n", "",
		       ns_type_name(c->type), id, owner);
	else
		printf("  %17s %s namespace %llu is owned by an ancestor of our user namespace\n"
		       "  %17s %llu (NS_GET_USERNS: EPERM), where we hold no capability\n", "",
		       ns_type_name(c->type), id, "", ours);
	return 0;
}

static void show_order(void)
{
	printf("1. Order. Only CLONE_NEWUSER can be done without privilege; every other\n"
	       "   namespace needs CAP_SYS_ADMIN, and is owned by the user namespace its\n"
	       "   creator was in, which decides who may administer it later.\n\n");
	in_child(case_unprivileged, 0);
	if (geteuid() != 0) {
		printf("\n  (As root, the others could be created first; that case needs root and is\n"
		       "  skipped here.)\n\n");
		return;
	}
	printf("\n  As root, in a child that creates X then user (reversed) or user then X:\n\n");
	printf("  %-8s %-8s %-30s    %s\n", "first", "second", "action inside", "result");
	for (int i = 0; i < (int)ARRAY_SIZE(order_cases); i++) {
		in_child(case_order, i);
		in_child(case_order, -i - 1);
	}
	putchar('\n');
}

/* ---------------- 2. late maps ---------------- */

static void report_ids(const char *when)
{
	uint64_t caps = 0;

	ns_cap_effective(getpid(), &caps);
	printf("  %-40s uid %-5d CapEff %016llx", when, (int)getuid(), (unsigned long long)caps);
}

/* What line 20 would do now: create uts and ipc namespaces. */
static void try_line_20(void)
{
	printf("  unshare(UTS|IPC) -> %s\n", outcome(sys_unshare(CLONE_NEWUTS | CLONE_NEWIPC)));
	fflush(stdout);
}

/* The child after unshare(CLONE_NEWUSER), before and after its execve. */
static int case_late_map(int unused)
{
	char *argv[] = { self, "--stage", "unmapped", NULL };

	(void)unused;
	if (unshare(CLONE_NEWUSER) < 0)
		die("unshare(CLONE_NEWUSER): %s", strerror(errno));
	report_ids("after unshare(CLONE_NEWUSER), no map:");
	printf("  (before any execve: the caps of unshare(2) itself)\n");
	fflush(stdout);
	execv(self, argv);
	die("execv %s: %s", self, strerror(errno));
}

/* Stage "unmapped": we were exec'd in the new user namespace, still without maps. */
static int stage_unmapped(void)
{
	char map[64] = "";
	char *argv[] = { self, "--stage", "mapped", NULL };

	report_ids("after execve, no map yet:");
	try_line_20();
	ns_set_comm("ns-b-unmapped"); /* the parent finds us by this name, as in lines 9-10 */
	for (int waited = 0; !map[0]; waited++) {
		if (waited > NS_WAIT_MS)
			die("nobody wrote our uid_map");
		ns_sleep_ms(1);
		ns_read_text("/proc/self/uid_map", map, sizeof(map));
	}
	report_ids("maps written now (late):");
	try_line_20();
	execv(self, argv);
	die("execv %s: %s", self, strerror(errno));
}

/* Stage "mapped": exec'd as uid 0 of the user namespace. Stays until SIGUSR1. */
static int stage_mapped(void)
{
	struct timespec limit = { 5, 0 };
	sigset_t usr1;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	report_ids("after the next execve, as uid 0:");
	try_line_20();
	ns_set_comm("ns-b-mapped");
	sigtimedwait(&usr1, NULL, &limit);
	return 0;
}

static void show_late_map(void)
{
	struct ns_idmap map = { 0, geteuid(), 1 };
	enum ns_idmap_file step;
	int wstatus, ret;
	pid_t stage, pid;

	printf("2. Maps written late (lines 12-13 after line 20). A process in a new user\n"
	       "   namespace has every capability there, but execve(2) recomputes\n"
	       "   capabilities from the uid, and an unmapped uid is not 0:\n\n");
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(case_late_map(0));
	stage = ns_wait_in_tree(pid, "ns-b-unmapped", NS_WAIT_MS);
	if (!stage || ns_map_root_to(stage, geteuid(), getegid(), geteuid() != 0, &step) < 0)
		kit_warn("could not write the maps of pid %d", (int)stage);
	ret = stage && ns_wait_in_tree(pid, "ns-b-mapped", NS_WAIT_MS) ? ns_write_uid_map(stage, &map)
								 : -ESRCH;
	kill(stage, SIGUSR1);
	ns_wait(pid, &wstatus);
	printf("\n  Writing uid_map a second time -> %s: a map is written once.\n",
	       outcome(-ret));
	printf("  So the maps must be written before the shell runs unshare again: a late\n"
	       "  map gives uid 0, but capabilities come back only at the next execve.\n");
}

static int run_stage(const char *name, const char *arg)
{
	(void)arg;
	if (strcmp(name, "unmapped") == 0)
		return stage_unmapped();
	if (strcmp(name, "mapped") == 0)
		return stage_mapped();
	die_usage("unknown stage '%s'", name);
}

int main(int argc, char **argv)
{
	int status;

	kit_set_progname("ns-b");
	if (ns_demo_dispatch(argc, argv, self, sizeof(self), help, run_stage, &status))
		return status;
	ns_require_userns();
	show_order();
	show_late_map();
	return EXIT_OK;
}
