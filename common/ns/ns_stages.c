#include "ns_stages.h"
#include "ns_proc.h"
#include "ns_show.h"
#include "ns_spawn.h"
#include "util/util.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>


/*
 * Run the next command of the sequence and wait for it, as the shell would;
 * or, in the exec form, become it (`exec unshare ...`: same process, same
 * pid, and the descriptors passed down stay open, not being close-on-exec).
 */
static int run_next(const struct ns_stages *s, bool exec_next, char *const argv[])
{
	struct ns_spawn_opts opts = { .pass_fds = s->pass_fds, .npass = s->npass };
	char path[4096];
	int ret;

	if (exec_next) {
		ret = ns_find_program(argv[0], path, sizeof(path));
		if (ret == 0)
			execv(path, argv);
		die("%s: %s", argv[0], strerror(ret < 0 ? -ret : errno));
	}
	ret = ns_run(argv, s->npass ? &opts : NULL);
	if (ret < 0)
		die("%s: %s", argv[0], strerror(-ret));
	return ret;
}

/*
 * The command of the next step: unshare FLAGS, then in the assignment's form
 * --kill-child (which implies --fork), then -- PROGRAM --stage NAME [exec].
 */
static void next_command(const struct ns_stages *s, const char *const *flags, bool exec_form,
			 const char *stage, char **argv, size_t max)
{
	size_t n = 0;

	argv[n++] = "unshare";
	while (*flags && n + 7 < max)
		argv[n++] = (char *)*flags++;
	if (!exec_form)
		argv[n++] = "--kill-child";
	argv[n++] = "--";
	argv[n++] = (char *)s->self;
	argv[n++] = "--stage";
	argv[n++] = (char *)stage;
	if (exec_form)
		argv[n++] = "exec";
	argv[n] = NULL;
}

void ns_stages_first_command(const struct ns_stages *s, bool exec_form, char *argv[9])
{
	static const char *const flags[] = { "-U", NULL };

	next_command(s, flags, exec_form, "user", argv, 9);
}

pid_t ns_stages_wait(pid_t top, const char *comm)
{
	pid_t pid = ns_wait_in_tree(top, comm, NS_WAIT_MS);

	if (!pid) {
		kill(top, SIGKILL);
		die("no process named %s appeared under pid %d", comm, (int)top);
	}
	return pid;
}

static int stage_user(const struct ns_stages *s, bool exec_next)
{
	static const char *const flags[] = { "--ipc", "--uts", NULL };
	char map[64] = "", *next[12];

	next_command(s, flags, exec_next, "uts", next, 12);
	ns_set_comm("my-user-ns");
	for (int waited = 0; !map[0] || map[0] == '\n'; waited++) {
		if (waited > NS_WAIT_MS)
			die("nobody wrote our uid_map");
		ns_sleep_ms(1);
		ns_read_text("/proc/self/uid_map", map, sizeof(map));
	}
	return run_next(s, exec_next, next);
}

static int stage_uts(const struct ns_stages *s, bool exec_next)
{
	static const char *const flags[] = { "--net", NULL };
	char *next[12];

	next_command(s, flags, exec_next, "net", next, 12);
	if (sethostname("isolated", 8) < 0)
		die("sethostname: %s", strerror(errno));
	return run_next(s, exec_next, next);
}

/* Line 53 forks in both forms: a pid namespace gets its first process only by a fork. */
static int stage_net(const struct ns_stages *s, bool exec_next)
{
	static const char *const flags[] = { "--pid", "--mount", "--fork", NULL };
	char *next[12];

	next_command(s, flags, exec_next, "pid", next, 12);
	ns_set_comm("my-net-ns");
	if (s->at_net)
		s->at_net();
	return run_next(s, exec_next, next);
}

static int stage_hold(const char *name)
{
	ns_set_comm(name ? name : "my-pid-ns");
	for (int i = 0; i < 600; i++) /* a minute at most, if nobody ends us */
		ns_sleep_ms(100);
	return 0;
}

static int stage_pid(void)
{
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die("mount /proc: %s", strerror(errno));
	return stage_hold(NULL);
}

int ns_stage_run(const struct ns_stages *s, const char *name, const char *arg)
{
	bool exec_next = arg && strcmp(arg, "exec") == 0;

	if (strcmp(name, "user") == 0)
		return stage_user(s, exec_next);
	if (strcmp(name, "uts") == 0)
		return stage_uts(s, exec_next);
	if (strcmp(name, "net") == 0)
		return stage_net(s, exec_next);
	if (strcmp(name, "pid") == 0)
		return stage_pid();
	if (strcmp(name, "hold") == 0)
		return stage_hold(arg);
	die_usage("unknown stage '%s'", name);
}

bool ns_demo_dispatch(int argc, char **argv, char *self, int self_size, void (*help)(void),
		      int (*stage)(const char *name, const char *arg), int *status)
{
	if (ns_self_exe(self, (size_t)self_size) < 0)
		die("cannot find our own executable: %s", strerror(errno));
	if (argc >= 3 && strcmp(argv[1], "--stage") == 0) {
		*status = stage(argv[2], argc > 3 ? argv[3] : NULL);
		return true;
	}
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		help();
		*status = EXIT_OK;
		return true;
	}
	if (argc != 1)
		die_usage("unexpected argument '%s'", argv[1]);
	return false;
}
