#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

volatile sig_atomic_t grade_stop_signal;

static void on_stop_signal(int sig)
{
	grade_stop_signal = sig;
}

void install_stop_handlers(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal }; /* no SA_RESTART: poll must wake */

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL); /* e.g. `grade | head`: stop and clean up, do not just die */
}

double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool same_name(const char *assignment, const char *other)
{
	size_t len = strcspn(assignment, "=");

	return strncmp(assignment, other, len) == 0 && other[len] == '=';
}

static bool inherited_from_make(const char *entry)
{
	static const char *const names[] = { "MAKEFLAGS=", "MFLAGS=", "MAKELEVEL=", "MAKEOVERRIDES=" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (same_name(names[i], entry))
			return true;
	return false;
}

char **env_with(const char *const *assignments)
{
	size_t count = 0, extra = 0, n = 0;
	char **env;

	while (environ && environ[count])
		count++;
	while (assignments && assignments[extra])
		extra++;
	env = xcalloc(count + extra + 1, sizeof(*env));
	for (size_t i = 0; i < count; i++) {
		bool replaced = false;

		for (size_t j = 0; j < extra; j++)
			replaced = replaced || same_name(assignments[j], environ[i]);
		if (!replaced && !inherited_from_make(environ[i]))
			env[n++] = xstrdup(environ[i]);
	}
	for (size_t j = 0; j < extra; j++)
		env[n++] = xstrdup(assignments[j]);
	return env;
}

void free_env(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

static int spawn_in_session(const struct run_spec *spec, int out_fd, pid_t *pid)
{
	posix_spawn_file_actions_t actions;
	posix_spawnattr_t attr;
	sigset_t defaults, empty;
	int rc;

	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&actions, out_fd, STDERR_FILENO);
	if (spec->cwd)
		posix_spawn_file_actions_addchdir_np(&actions, spec->cwd);

	posix_spawnattr_init(&attr);
	sigemptyset(&empty);
	sigemptyset(&defaults);
	sigaddset(&defaults, SIGINT);
	sigaddset(&defaults, SIGTERM);
	sigaddset(&defaults, SIGHUP);
	sigaddset(&defaults, SIGPIPE);
	sigaddset(&defaults, SIGQUIT);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	posix_spawnattr_setsigmask(&attr, &empty);
	/* A new session: a new process group we can kill as a whole, and no terminal. */
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

	rc = posix_spawnp(pid, spec->argv[0], &actions, &attr, spec->argv,
			  spec->env ? spec->env : environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&actions);
	return rc;
}

/* Read what is available. Returns false at end of file. */
static bool drain(int fd, struct run_result *res, size_t cap)
{
	char chunk[65536];

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n == 0)
			return false;
		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		size_t keep = res->output.len < cap ? cap - res->output.len : 0;
		if (keep > (size_t)n)
			keep = (size_t)n;
		buf_append(&res->output, chunk, keep);
		res->dropped += (size_t)n - keep;
	}
}

/* Has the command itself exited? (Leaves it a zombie: its pid stays the group's id.) */
static bool leader_exited(pid_t pid)
{
	siginfo_t info = { 0 };

	return waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

/* A descriptor that polls readable when the process exits; -1 on kernels before 5.3. */
static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	return -1;
#endif
}

static int poll_ms(double until, bool tick)
{
	double left = until - now_seconds();
	int ms = left <= 0 ? 0 : left > 0.1 ? 100 : (int)(left * 1000) + 1;

	return tick && ms > 10 ? 10 : ms; /* without a pidfd, look at the process every 10 ms */
}

struct collector {
	pid_t pid;
	int out_fd, pid_fd;
	size_t cap;
	bool pipe_open, leader_alive, terminating;
	double deadline, leader_gone;
};

static void wait_for_events(struct collector *c, struct run_result *res)
{
	struct pollfd pfds[2];
	nfds_t n = 0;
	size_t out_slot = 2;

	if (c->pipe_open) {
		out_slot = n;
		pfds[n++] = (struct pollfd){ .fd = c->out_fd, .events = POLLIN };
	}
	if (c->leader_alive && c->pid_fd >= 0)
		pfds[n++] = (struct pollfd){ .fd = c->pid_fd, .events = POLLIN };
	if (poll(pfds, n, poll_ms(c->deadline, c->leader_alive && c->pid_fd < 0)) > 0 && out_slot < 2 &&
	    pfds[out_slot].revents)
		c->pipe_open = drain(c->out_fd, res, c->cap);
}

/*
 * Collect output until the command has exited and the pipe is closed (a
 * program may close its output before it exits, and what it leaves running
 * may hold the pipe after it exits), or the deadline, or a stop signal.
 */
static void collect(pid_t pid, int fd, const struct run_spec *spec, double start, struct run_result *res)
{
	struct collector c = {
		.pid = pid, .out_fd = fd, .pid_fd = open_pidfd(pid),
		.cap = spec->output_cap ? spec->output_cap : RUN_OUTPUT_CAP,
		.pipe_open = true, .leader_alive = true, .deadline = start + spec->timeout,
	};

	for (;;) {
		wait_for_events(&c, res);
		if (grade_stop_signal && !spec->ignore_stop) {
			res->interrupted = true;
			break;
		}
		double now = now_seconds();
		if (c.leader_alive && leader_exited(pid)) {
			c.leader_alive = false;
			c.leader_gone = now;
		}
		if (!c.leader_alive && (!c.pipe_open || now - c.leader_gone >= RUN_STRAGGLER_GRACE))
			break;
		if (now >= c.deadline && c.terminating)
			break;
		if (now >= c.deadline && c.leader_alive) {
			res->timed_out = true;
			c.terminating = true;
			kill(-pid, SIGTERM);
			c.deadline = now + RUN_KILL_GRACE; /* let it print its last words */
		}
	}
	if (c.pid_fd >= 0)
		close(c.pid_fd);
}

static void record_status(struct run_result *res, int status)
{
	if (WIFEXITED(status)) {
		res->exited = true;
		res->exit_status = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		res->term_signal = WTERMSIG(status);
	}
}

int run_command(const struct run_spec *spec, struct run_result *res)
{
	double start = now_seconds();
	int pipefd[2];
	pid_t pid;
	int status = 0, rc;

	*res = (struct run_result){ 0 };
	buf_append(&res->output, "", 0);
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		res->spawn_error = errno;
		return -res->spawn_error;
	}
	rc = spawn_in_session(spec, pipefd[1], &pid);
	close(pipefd[1]);
	if (rc != 0) {
		close(pipefd[0]);
		res->spawn_error = rc;
		res->seconds = now_seconds() - start;
		return -rc;
	}
	fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
	collect(pid, pipefd[0], spec, start, res);
	close(pipefd[0]);
	/* The leader is not reaped yet, so its pid still names this group only. */
	kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	record_status(res, status);
	res->seconds = now_seconds() - start;
	return 0;
}

void run_result_free(struct run_result *res)
{
	buf_free(&res->output);
}
