/*
 * The assignment's "child shell" column, run for real (ns-a, ns-d): each
 * step is a stage of the calling program, re-executed as
 * `PROGRAM --stage NAME`, that does what the shell did at that point and
 * then runs the next unshare command and waits for it, as an interactive
 * shell waits for its foreground command:
 *
 *   user  line 4: comm "my-user-ns"; wait for lines 12-13 (the uid_map);
 *         line 20: unshare --ipc --uts ... --stage uts
 *   uts   line 21: hostname isolated; line 26: unshare --net ... --stage net
 *   net   line 27: comm "my-net-ns"; the program's own work (ns-d: its end of
 *         the veth); line 53: unshare --pid --mount --fork ... --stage pid
 *   pid   line 54: mount -t proc proc /proc; then stay, as the last shell
 *   hold  stay alive under a name (default "my-pid-ns") until killed
 *
 * `PROGRAM --stage NAME exec` is the same step done the minimal way: the
 * shell replaces itself with the next command (`exec unshare ...`) instead
 * of running it as a child, and no unshare but the last forks (--fork is
 * needed only for the pid namespace), so one process goes through the
 * user, uts and net steps with one pid.
 */
#ifndef KIT_NS_STAGES_H
#define KIT_NS_STAGES_H

#include <stdbool.h>
#include <sys/types.h>

struct ns_stages {
	const char *self;          /* the program's own executable */
	const int *pass_fds;       /* descriptors handed down the whole chain */
	int npass;
	void (*at_net)(void);      /* extra work of the net stage, or NULL */
};

/*
 * The first command of the sequence (line 3): unshare -U --kill-child ...
 * --stage user; with exec_form, unshare -U ... --stage user exec (what the
 * shell would run as `exec unshare -U bash`).
 */
void ns_stages_first_command(const struct ns_stages *s, bool exec_form, char *argv[9]);

/* The pid of the stage named comm under top; kills the tree and dies if none appears. */
pid_t ns_stages_wait(pid_t top, const char *comm);

/* Run stage NAME (with its optional argument: "exec", or hold's name); dies on an unknown stage. */
int ns_stage_run(const struct ns_stages *s, const char *name, const char *arg);

/*
 * The start every ns-* demo shares: find our executable, run a stage for
 * `--stage NAME [ARG]`, print help for --help, refuse other arguments.
 * Returns true, with *status set, when the call was a stage or --help.
 */
bool ns_demo_dispatch(int argc, char **argv, char *self, int self_size, void (*help)(void),
		      int (*stage)(const char *name, const char *arg), int *status);

#endif
