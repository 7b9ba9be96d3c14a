#include "ns_spawn.h"
#include "ns_sync.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

double ns_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int try_dir(const char *dir, size_t dirlen, const char *name, char *path, size_t len)
{
	int n = snprintf(path, len, "%.*s/%s", (int)dirlen, dir, name);

	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return access(path, X_OK) == 0 ? 0 : -ENOENT;
}

static int search_list(const char *list, const char *name, char *path, size_t len)
{
	while (list && *list) {
		size_t dirlen = strcspn(list, ":");

		if (dirlen > 0 && try_dir(list, dirlen, name, path, len) == 0)
			return 0;
		list += dirlen;
		if (*list == ':')
			list++;
	}
	return -ENOENT;
}

int ns_find_program(const char *name, char *path, size_t len)
{
	if (strchr(name, '/')) {
		if ((size_t)snprintf(path, len, "%s", name) >= len)
			return -ENAMETOOLONG;
		return access(path, X_OK) == 0 ? 0 : -errno;
	}
	if (search_list(getenv("PATH"), name, path, len) == 0)
		return 0;
	return search_list("/usr/sbin:/sbin:/usr/bin:/bin", name, path, len);
}

/* Move fds above the range the program will see them at, so dup2s cannot collide. */
static int lift_fds(const int *fds, int n, int *lifted)
{
	for (int i = 0; i < n; i++) {
		lifted[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3 + n);
		if (lifted[i] < 0) {
			int err = -errno;

			while (i-- > 0)
				close(lifted[i]);
			return err;
		}
	}
	return 0;
}

static int build_actions(posix_spawn_file_actions_t *fa, const struct ns_spawn_opts *opts,
			 const int *lifted)
{
	int ret = 0;

	if (opts->output_fd > 0) {
		ret = ret ? ret : posix_spawn_file_actions_adddup2(fa, opts->output_fd, 1);
		ret = ret ? ret : posix_spawn_file_actions_adddup2(fa, opts->output_fd, 2);
	}
	if (opts->error_fd > 0)
		ret = ret ? ret : posix_spawn_file_actions_adddup2(fa, opts->error_fd, 2);
	if (opts->quiet_stdout)
		ret = ret ? ret : posix_spawn_file_actions_addopen(fa, 1, "/dev/null", O_WRONLY, 0);
	if (opts->quiet_stderr)
		ret = ret ? ret : posix_spawn_file_actions_addopen(fa, 2, "/dev/null", O_WRONLY, 0);
	for (int i = 0; i < opts->npass && !ret; i++)
		ret = posix_spawn_file_actions_adddup2(fa, lifted[i], 3 + i);
	return -ret;
}

static void build_attrs(posix_spawnattr_t *attr)
{
	sigset_t none, defaults;

	sigemptyset(&none);
	sigemptyset(&defaults);
	for (int sig = 1; sig < 32; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaddset(&defaults, sig);
	posix_spawnattr_setsigmask(attr, &none);
	posix_spawnattr_setsigdefault(attr, &defaults);
	posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
}

int ns_spawn(char *const argv[], const struct ns_spawn_opts *opts, pid_t *pid)
{
	static const struct ns_spawn_opts plain;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	char path[4096];
	int lifted[8];
	int ret;

	opts = opts ? opts : &plain;
	if (opts->npass < 0 || opts->npass > (int)(sizeof(lifted) / sizeof(lifted[0])))
		return -EINVAL;
	ret = ns_find_program(argv[0], path, sizeof(path));
	if (ret < 0)
		return ret;
	ret = lift_fds(opts->pass_fds, opts->npass, lifted);
	if (ret < 0)
		return ret;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	build_attrs(&attr);
	ret = build_actions(&fa, opts, lifted);
	if (ret == 0)
		ret = -posix_spawn(pid, path, &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	for (int i = 0; i < opts->npass; i++)
		close(lifted[i]);
	return ret;
}

int ns_wait(pid_t pid, int *wstatus)
{
	while (waitpid(pid, wstatus, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

int ns_exit_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 255;
}

int ns_run(char *const argv[], const struct ns_spawn_opts *opts)
{
	pid_t pid;
	int wstatus;
	int ret = ns_spawn(argv, opts, &pid);

	if (ret < 0)
		return ret;
	ret = ns_wait(pid, &wstatus);
	return ret < 0 ? ret : ns_exit_code(wstatus);
}

/* Read the pipe until EOF or the deadline. 0, or -ETIMEDOUT. */
static int drain(int fd, char *out, size_t len, double deadline)
{
	size_t used = 0;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		double left = deadline - ns_now_ms();
		char sink[4096];
		ssize_t n;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)left + 1) < 0 && errno != EINTR)
			return -errno;
		if (pfd.revents == 0)
			continue;
		if (used + 1 < len)
			n = read(fd, out + used, len - 1 - used);
		else
			n = read(fd, sink, sizeof(sink)); /* keep the writer from blocking */
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : 0;
		if (used + 1 < len)
			used += (size_t)n;
		out[used] = '\0';
	}
}

int ns_run_capture(char *const argv[], char *out, size_t len, int timeout_ms)
{
	struct ns_pipe p;
	struct ns_spawn_opts opts = { 0 };
	pid_t pid;
	int wstatus, ret;

	if (len == 0)
		return -EINVAL;
	out[0] = '\0';
	ret = ns_pipe_open(&p);
	if (ret < 0)
		return ret;
	opts.output_fd = p.write_fd;
	ret = ns_spawn(argv, &opts, &pid);
	ns_close_fd(&p.write_fd);
	if (ret < 0) {
		ns_pipe_close(&p);
		return ret;
	}
	ret = drain(p.read_fd, out, len, ns_now_ms() + timeout_ms);
	ns_pipe_close(&p);
	if (ret == -ETIMEDOUT)
		kill(pid, SIGKILL);
	if (ns_wait(pid, &wstatus) < 0)
		return -ECHILD;
	return ret < 0 ? ret : ns_exit_code(wstatus);
}
