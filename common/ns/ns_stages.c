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

#define STAGE_TIMEOUT_MS 5000

/* Run the next command of the sequence and wait for it, as the shell would. */
static int run_next(const struct ns_stages *s, char *const argv[])
{
	struct ns_spawn_opts opts = { .pass_fds = s->pass_fds, .npass = s->npass };
	int ret = ns_run(argv, s->npass ? &opts : NULL);

	if (ret < 0)
		die("%s: %s", argv[0], strerror(-ret));
	return ret;
}

void ns_stages_first_command(const struct ns_stages *s, char *argv[8])
{
	char *first[] = { "unshare", "-U", "--kill-child", "--", (char *)s->self, "--stage", "user",
			  NULL };

	memcpy(argv, first, sizeof(first));
}

pid_t ns_stages_wait(pid_t top, const char *comm)
{
	pid_t pid = ns_wait_in_tree(top, comm, STAGE_TIMEOUT_MS);

	if (!pid) {
		kill(top, SIGKILL);
		die("no process named %s appeared under pid %d", comm, (int)top);
	}
	return pid;
}

static int stage_user(const struct ns_stages *s)
{
	char map[64] = "";
	char *next[] = { "unshare", "--ipc", "--uts", "--kill-child", "--", (char *)s->self,
			 "--stage", "uts", NULL };

	ns_set_comm("my-user-ns");
	for (int waited = 0; !map[0] || map[0] == '\n'; waited++) {
		if (waited > STAGE_TIMEOUT_MS)
			die("nobody wrote our uid_map");
		ns_sleep_ms(1);
		ns_read_text("/proc/self/uid_map", map, sizeof(map));
	}
	return run_next(s, next);
}

static int stage_uts(const struct ns_stages *s)
{
	char *next[] = { "unshare", "--net", "--kill-child", "--", (char *)s->self, "--stage", "net",
			 NULL };

	if (sethostname("isolated", 8) < 0)
		die("sethostname: %s", strerror(errno));
	return run_next(s, next);
}

static int stage_net(const struct ns_stages *s)
{
	char *next[] = { "unshare", "--pid", "--mount", "--fork", "--kill-child", "--",
			 (char *)s->self, "--stage", "pid", NULL };

	ns_set_comm("my-net-ns");
	if (s->at_net)
		s->at_net();
	return run_next(s, next);
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
	if (strcmp(name, "user") == 0)
		return stage_user(s);
	if (strcmp(name, "uts") == 0)
		return stage_uts(s);
	if (strcmp(name, "net") == 0)
		return stage_net(s);
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
