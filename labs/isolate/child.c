/*
 * The child of clone(2): the assignment's child_func. It starts inside all
 * the new namespaces, waits until the parent has written its maps and made
 * the veth pair, sets up the inside, and becomes PROGRAM.
 */
#include "isolate.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

void child_fail(enum ns_op op, int err, const char *what)
{
	ns_report(op, err, what);
	_exit(EXIT_ISOLATE_FAILED);
}

int child_func(struct child_args *a)
{
	struct go_message go;

	ns_close_fd(&a->go.write_fd); /* else our own copy would hide the parent's death */
	/* Die with the parent, SIGKILL included; the pipe covers a parent already gone. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (ns_pipe_recv(a->go.read_fd, &go, sizeof(go)) < 0)
		_exit(EXIT_ISOLATE_FAILED); /* the parent gave up, or died */

	enter_userns(&go, a->go.read_fd);
	setup_utsns(a->cfg->hostname);
	setup_mntns();
	setup_netns_inside(&go);
	exec_program(a->cfg); /* the pipe is close-on-exec */
}

/*
 * The file execvp(3) tried first for NAME: NAME itself when it has a '/',
 * else the first file of that name in a folder of $PATH. Folders we cannot
 * search are passed over, as the shells do: a program in none of the others
 * is "not found", whatever execvp said (it says EACCES when a folder of
 * $PATH, such as one under /root, is closed to the container's root).
 */
static bool find_program(const char *name, char *path, size_t len)
{
	const char *list = getenv("PATH");
	struct stat st;

	if (strchr(name, '/'))
		return snprintf(path, len, "%s", name) < (int)len && stat(path, &st) == 0;
	for (list = list ? list : "/bin:/usr/bin"; *list; list += *list == ':') {
		size_t dirlen = strcspn(list, ":");
		int n = snprintf(path, len, "%.*s%s%s", (int)dirlen, list, dirlen ? "/" : "", name);

		list += dirlen;
		if (n > 0 && (size_t)n < len && stat(path, &st) == 0)
			return true;
	}
	return false;
}

/*
 * What PATH starts with: "#!INTERPRETER ..." gives INTERPRETER in buf and
 * 1; anything else (an ELF file) 0; -1 if we cannot read it.
 */
static int interpreter_of(const char *path, char *buf, size_t len)
{
	char head[256] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, head, sizeof(head) - 1) : -1;
	const char *start = head + 2;

	if (fd >= 0)
		close(fd);
	if (n < 0)
		return -1;
	if (n < 2 || head[0] != '#' || head[1] != '!')
		return 0;
	head[n] = '\0';
	start += strspn(start, " \t");
	snprintf(buf, len, "%.*s", (int)strcspn(start, " \t\n"), start);
	return 1;
}

/*
 * execvp PROGRAM. When that fails, exit as the shells do: 127 when there
 * is no such program, 126 when it cannot run. execve(2) says ENOENT both
 * for a missing PROGRAM and for a missing interpreter of an existing one
 * (a script's #! line, or an ELF file's dynamic loader): that second case
 * is 126, "bad interpreter", as bash reports it.
 */
void exec_program(const struct isolate_config *cfg)
{
	const char *name = cfg->argv[0];
	char path[4096], interp[256];
	int err;

	if (cfg->exec_sigmask)
		sigprocmask(SIG_SETMASK, cfg->exec_sigmask, NULL);
	execvp(name, cfg->argv);
	err = errno;
	if (!find_program(name, path, sizeof(path))) {
		kit_warn("%s: command not found", name);
		_exit(EXIT_NOT_FOUND);
	}
	if (err != ENOENT) {
		kit_warn("%s: %s", name, strerror(err));
		_exit(EXIT_CANNOT_RUN);
	}
	switch (interpreter_of(path, interp, sizeof(interp))) {
	case 1:
		kit_warn("%s: bad interpreter %s: %s", name, interp, strerror(ENOENT));
		break;
	case 0:
		kit_warn("%s: cannot run: its ELF interpreter (the dynamic loader) is missing", name);
		break;
	default:
		kit_warn("%s: cannot run: the interpreter it names (#! line or ELF loader) is missing",
		      name);
	}
	_exit(EXIT_CANNOT_RUN);
}
