#include "ns_show.h"
#include "ns_error.h"
#include "ns_proc.h"
#include "ns_spawn.h"
#include "util/util.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_KIDS 64

void ns_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int ns_self_exe(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* The command line, arguments joined by spaces, our own path shortened to its name. */
static void cmdline_of(pid_t pid, char *out, size_t len)
{
	char path[64], raw[512];
	ssize_t n;
	size_t used = 0;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	n = ns_read_text(path, raw, sizeof(raw));
	out[0] = '\0';
	for (ssize_t i = 0; n > 0 && i < n; i += (ssize_t)strlen(raw + i) + 1) {
		const char *arg = raw + i;
		const char *slash = strrchr(arg, '/');

		if (slash)
			arg = slash + 1; /* /work/main/ns-a -> ns-a */
		used += (size_t)snprintf(out + used, used < len ? len - used : 0, "%s%s",
					 used ? " " : "", arg);
		if (used >= len)
			break;
	}
	if (used >= len && len > 4)
		strcpy(out + len - 4, "...");
}

/* The pid in the process's own (innermost) pid namespace: the last NSpid field. */
static long inner_pid(pid_t pid)
{
	char value[128];
	char *last;

	if (ns_status_field(pid, "NSpid", value, sizeof(value)) < 0)
		return -1;
	last = strrchr(value, '\t');
	last = last ? last : strrchr(value, ' ');
	return atol(last ? last + 1 : value);
}

/* Print a line without the blanks that column padding leaves at its end. */
static void put_trimmed(char *line)
{
	size_t n = strlen(line);

	while (n > 0 && line[n - 1] == ' ')
		line[--n] = '\0';
	puts(line);
}

void ns_show_tree_header(void)
{
	char line[256];

	snprintf(line, sizeof(line), "  %-7s %-5s %-44s %-10s %-10s %-10s %-10s %-10s %-10s", "PID",
		 "NSPID", "COMMAND", "user", "uts", "ipc", "net", "pid", "mnt");
	put_trimmed(line);
}

static void show_one(pid_t pid, int depth, const uint64_t parent_ids[NS_TYPE_COUNT],
		     uint64_t ids[NS_TYPE_COUNT])
{
	char cmd[128], label[160], line[512];
	size_t used;

	cmdline_of(pid, cmd, sizeof(cmd));
	snprintf(label, sizeof(label), "%*s%s%s", 2 * depth, "", depth ? "`-" : "", cmd);
	used = (size_t)snprintf(line, sizeof(line), "  %-7d %-5ld %-44.44s", (int)pid,
				inner_pid(pid), label);
	for (int t = 0; t < NS_TYPE_COUNT && used < sizeof(line); t++) {
		if (ids[t] != parent_ids[t])
			used += (size_t)snprintf(line + used, sizeof(line) - used, " %-10llu",
						 (unsigned long long)ids[t]);
		else
			used += (size_t)snprintf(line + used, sizeof(line) - used, " %-10s", "\"");
	}
	put_trimmed(line);
}

static void show_subtree(pid_t pid, int depth, const uint64_t parent_ids[NS_TYPE_COUNT])
{
	uint64_t ids[NS_TYPE_COUNT];
	pid_t kids[MAX_KIDS];
	int n;

	if (ns_ids_of(pid, ids) < 0)
		return;
	show_one(pid, depth, parent_ids, ids);
	n = ns_children_of(pid, kids, MAX_KIDS);
	for (int i = 0; i < n; i++)
		show_subtree(kids[i], depth + 1, ids);
}

void ns_show_tree(pid_t root)
{
	uint64_t ours[NS_TYPE_COUNT];

	if (ns_ids_of(getpid(), ours) < 0)
		return;
	show_subtree(root, 0, ours);
	fflush(stdout);
}

pid_t ns_find_in_tree(pid_t root, const char *name)
{
	pid_t kids[MAX_KIDS];
	char comm[32];
	int n;

	if (ns_comm_of(root, comm, sizeof(comm)) < 0)
		return 0;
	if (strcmp(comm, name) == 0)
		return root;
	n = ns_children_of(root, kids, MAX_KIDS);
	for (int i = 0; i < n; i++) {
		pid_t found = ns_find_in_tree(kids[i], name);

		if (found)
			return found;
	}
	return 0;
}

pid_t ns_wait_in_tree(pid_t root, const char *name, int timeout_ms)
{
	for (int waited = 0; waited <= timeout_ms; waited += 2) {
		pid_t found = ns_find_in_tree(root, name);

		if (found)
			return found;
		if (!ns_alive(root))
			return 0; /* it ended (a failed set-up): nothing will appear */
		ns_sleep_ms(2);
	}
	return 0;
}

int ns_count_tree(pid_t root)
{
	pid_t kids[MAX_KIDS];
	char comm[32];
	int n, count = 1;

	if (ns_comm_of(root, comm, sizeof(comm)) < 0)
		return 0;
	n = ns_children_of(root, kids, MAX_KIDS);
	for (int i = 0; i < n; i++)
		count += ns_count_tree(kids[i]);
	return count;
}

void ns_require_userns(void)
{
	char path[4096];
	int wstatus, err;
	pid_t pid = fork();

	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) < 0 ? errno : 0);
	if (pid < 0 || ns_wait(pid, &wstatus) < 0)
		die("cannot fork: %s", strerror(errno));
	err = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : EINVAL;
	if (err) {
		ns_report(NS_OP_CLONE, err, "cannot create a user namespace");
		exit(EXIT_SKIP);
	}
	if (ns_find_program("unshare", path, sizeof(path)) < 0)
		die_with(EXIT_SKIP, "unshare(1) is not installed (Debian package util-linux)");
}

bool ns_alive(pid_t pid)
{
	char path[64], stat[512];
	char *end;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (ns_read_text(path, stat, sizeof(stat)) < 0)
		return false;
	end = strrchr(stat, ')'); /* "pid (comm) S ...": comm may hold spaces */
	return end && end[1] == ' ' && end[2] != 'Z' && end[2] != 'X';
}

static int collect(pid_t pid, pid_t *pids, int count, int max)
{
	pid_t kids[MAX_KIDS];
	int n;

	if (count >= max || !ns_alive(pid))
		return count;
	pids[count++] = pid;
	n = ns_children_of(pid, kids, MAX_KIDS);
	for (int i = 0; i < n; i++)
		count = collect(kids[i], pids, count, max);
	return count;
}

int ns_collect_tree(pid_t root, pid_t *pids, int max)
{
	return collect(root, pids, 0, max);
}

void ns_become_subreaper(void)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

int ns_reap_children(int timeout_ms)
{
	for (int waited = 0;; waited += 2) {
		pid_t kids[MAX_KIDS];
		int alive;

		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		alive = ns_children_of(getpid(), kids, MAX_KIDS);
		if (alive <= 0 || waited >= timeout_ms)
			return alive < 0 ? 0 : alive;
		ns_sleep_ms(2);
	}
}

/* Does process PID have an open fd to the namespace named TARGET ("net:[123]")? */
static bool holds_fd(const char *pid, const char *target)
{
	char path[600], link[64];
	struct dirent *de;
	bool found = false;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	dir = opendir(path);
	while (dir && !found && (de = readdir(dir)) != NULL) {
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/%s/fd/%s", pid, de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			found = strcmp(link, target) == 0;
		}
	}
	if (dir)
		closedir(dir);
	return found;
}

unsigned long long ns_boot_ticks(void)
{
	struct timespec ts;
	long hz = sysconf(_SC_CLK_TCK);

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (unsigned long long)ts.tv_sec * (unsigned long long)hz +
	       (unsigned long long)ts.tv_nsec * (unsigned long long)hz / 1000000000ULL;
}

/* When PID started, in clock ticks since boot (field 22 of /proc/PID/stat); 0 if unknown. */
static unsigned long long start_ticks(const char *pid)
{
	char path[64], stat[1024];
	unsigned long long ticks = 0;
	char *p;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	if (ns_read_text(path, stat, sizeof(stat)) < 0 || !(p = strrchr(stat, ')')))
		return 0;
	/* after "pid (comm)": state is field 3, starttime field 22 */
	if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
			  "%*d %*d %llu", &ticks) != 1)
		return 0;
	return ticks;
}

int ns_count_holders(enum ns_type type, uint64_t id, unsigned long long started_by)
{
	char target[64];
	struct dirent *de;
	int count = 0;
	DIR *proc = opendir("/proc");

	snprintf(target, sizeof(target), "%s:[%llu]", ns_type_name(type), (unsigned long long)id);
	while (proc && (de = readdir(proc)) != NULL) {
		uint64_t in;
		pid_t pid = (pid_t)atoi(de->d_name);

		if (pid <= 0 || !ns_alive(pid))
			continue;
		if (started_by && start_ticks(de->d_name) > started_by)
			continue;
		if ((ns_id_of(pid, type, &in) == 0 && in == id) || holds_fd(de->d_name, target))
			count++;
	}
	if (proc)
		closedir(proc);
	return count;
}
