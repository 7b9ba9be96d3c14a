/* Run one command with a hard timeout, in its own process group, capturing its output. */
#ifndef GRADER_RUNNER_H
#define GRADER_RUNNER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define RUN_OUTPUT_CAP (1u << 20)
#define RUN_KILL_GRACE 1.0     /* seconds between SIGTERM and SIGKILL */
#define RUN_STRAGGLER_GRACE 0.2 /* seconds to drain output after the command itself exited */

struct run_spec {
	char *const *argv;  /* argv[0] is looked up in PATH */
	const char *cwd;    /* NULL: the grader's own */
	char *const *env;   /* NULL: the grader's own */
	double timeout;     /* seconds */
	size_t output_cap;  /* 0: RUN_OUTPUT_CAP */
	bool ignore_stop;   /* cleanup (rm of a scratch folder): runs to its end (or timeout) after a stop signal */
};

struct run_result {
	struct buf output;  /* stdout and stderr merged, in order, up to the cap */
	size_t dropped;     /* bytes past the cap */
	bool timed_out;
	bool interrupted;   /* the grader got a stop signal meanwhile (see grade_stop_signal) */
	bool exited;        /* exited normally: exit_status is valid */
	int exit_status;
	int term_signal;    /* the signal that ended it, if !exited */
	int spawn_error;    /* errno when the command could not be started */
	double seconds;
};

/*
 * Start argv in a new session (so it and everything it starts form one process
 * group), stdin from /dev/null, stdout+stderr into one pipe. Past the timeout,
 * the group gets SIGTERM, then SIGKILL. Leftover processes of the group are
 * killed once the command exits. Returns 0, or -errno when it could not start.
 */
int run_command(const struct run_spec *spec, struct run_result *res);
void run_result_free(struct run_result *res);

/* Seconds on the monotonic clock. */
double now_seconds(void);

/* Set by the handlers of SIGINT, SIGTERM, SIGHUP and SIGPIPE (0 when none arrived). */
extern volatile sig_atomic_t grade_stop_signal;
void install_stop_handlers(void);

/*
 * A copy of environ without the variables a parent make leaves behind (so a
 * build started by the grader is not confused by `make grade`'s jobserver),
 * plus the given NAME=VALUE assignments (replacing any of the same name).
 * Free with free_env().
 */
char **env_with(const char *const *assignments);
void free_env(char **env);

#endif
