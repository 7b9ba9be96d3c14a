/*
 * Starting helper programs (ip, slirp4netns, unshare, ps) with posix_spawn:
 * an argv array, never a shell and never a command line pasted together.
 */
#ifndef KIT_NS_SPAWN_H
#define KIT_NS_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Find NAME on PATH, then in /usr/sbin and /sbin, which an ordinary user's
 * PATH often lacks (Debian keeps ip there). A NAME with a '/' is taken as
 * is. 0, or -ENOENT.
 */
int ns_find_program(const char *name, char *path, size_t len);

/* How a spawned program starts. Zero-initialise, then fill what you need. */
struct ns_spawn_opts {
	const int *pass_fds;  /* these fds appear in the program as 3, 4, ... */
	int npass;
	int output_fd;        /* > 0: the program's stdout and stderr go here */
	int error_fd;         /* > 0: the program's stderr goes here */
	int quiet_stdout;     /* stdout goes to /dev/null */
	int quiet_stderr;     /* stderr goes to /dev/null */
};

/*
 * Start argv[0] (looked up with ns_find_program) with an empty signal mask
 * and default signal dispositions. 0 and *pid, or -errno.
 */
int ns_spawn(char *const argv[], const struct ns_spawn_opts *opts, pid_t *pid);

/* waitpid, retrying on EINTR. 0 and *wstatus, or -errno. */
int ns_wait(pid_t pid, int *wstatus);

/* A wait status as a shell shows it: the exit code, or 128+N for signal N. */
int ns_exit_code(int wstatus);

/* Spawn, wait, and return the program's exit code (as ns_exit_code), or -errno. */
int ns_run(char *const argv[], const struct ns_spawn_opts *opts);

/*
 * Spawn, collect stdout and stderr (merged) into out (NUL-terminated,
 * truncated to len-1), wait at most timeout_ms (then SIGKILL). Returns the
 * exit code, or -ETIMEDOUT, or -errno.
 */
int ns_run_capture(char *const argv[], char *out, size_t len, int timeout_ms);

/* Milliseconds on the monotonic clock, for timeouts and measurements. */
double ns_now_ms(void);

#endif
