#include "ns_slirp.h"
#include "ns_spawn.h"
#include "ns_sync.h"
#include "util/util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int ns_slirp_usable(void)
{
	char path[4096];

	if (ns_find_program("slirp4netns", path, sizeof(path)) < 0)
		return -ENOENT;
	/* access() checks with the real uid, which is whom slirp4netns runs as. */
	if (access("/dev/net/tun", R_OK | W_OK) < 0)
		return errno == ENOENT ? -ENOENT : -EACCES;
	return 0;
}

static void show_log(int fd)
{
	char text[2048];
	ssize_t n;

	if (fd < 0)
		return;
	n = pread(fd, text, sizeof(text) - 1, 0);
	if (n <= 0)
		return;
	text[n] = '\0';
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		kit_warn("slirp4netns: %s", line);
}

int ns_slirp_start(struct ns_slirp *s, pid_t child)
{
	struct ns_pipe ready, quit;
	char pid[16];
	/* fds 3 and 4 in slirp4netns are ready and exit (see pass_fds below). */
	char *argv[] = { "slirp4netns", "--configure", "--mtu=65520", "--disable-host-loopback",
			 "--ready-fd=3", "--exit-fd=4", pid, NS_SLIRP_TAP, NULL };
	struct ns_spawn_opts opts = { 0 };
	int fds[2], ret, log_fd;
	char byte;

	s->pid = 0;
	s->exit_fd = -1;
	snprintf(pid, sizeof(pid), "%d", (int)child);
	ret = ns_pipe_open(&ready);
	if (ret < 0)
		return ret;
	ret = ns_pipe_open(&quit);
	if (ret < 0) {
		ns_pipe_close(&ready);
		return ret;
	}
	fds[0] = ready.write_fd;
	fds[1] = quit.read_fd;
	opts.pass_fds = fds;
	opts.npass = 2;
	opts.quiet_stdout = 1; /* it prints "starting slirp, MTU=..."; errors still show */
	/* Its chatter ("sent tapfd=...") goes to a memory file, shown only if it fails. */
	log_fd = memfd_create("slirp4netns-log", MFD_CLOEXEC);
	opts.error_fd = log_fd;
	ret = ns_spawn(argv, &opts, &s->pid);
	ns_close_fd(&ready.write_fd);
	ns_close_fd(&quit.read_fd);
	if (ret == 0 && ns_pipe_recv(ready.read_fd, &byte, 1) < 0) {
		ret = -ECHILD; /* it exited before it was ready */
		show_log(log_fd);
	}
	ns_pipe_close(&ready);
	ns_close_fd(&log_fd);
	s->exit_fd = quit.write_fd;
	if (ret < 0)
		ns_slirp_stop(s);
	return ret;
}

void ns_slirp_stop(struct ns_slirp *s)
{
	int wstatus;

	ns_close_fd(&s->exit_fd);
	if (s->pid > 0)
		ns_wait(s->pid, &wstatus);
	s->pid = 0;
}
