#include "ns_proc.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* The file names under /proc/PID/ns/. */
static const char *const ns_type_names[NS_TYPE_COUNT] = {
	[NS_USER] = "user", [NS_UTS] = "uts", [NS_IPC] = "ipc",
	[NS_NET] = "net", [NS_PID] = "pid", [NS_MNT] = "mnt",
};

const char *ns_type_name(enum ns_type type)
{
	return type < NS_TYPE_COUNT ? ns_type_names[type] : "?";
}

int ns_id_by_name(pid_t pid, const char *name, uint64_t *id)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
	if (stat(path, &st) < 0)
		return -errno;
	*id = (uint64_t)st.st_ino;
	return 0;
}

int ns_id_of(pid_t pid, enum ns_type type, uint64_t *id)
{
	return ns_id_by_name(pid, ns_type_name(type), id);
}

int ns_ids_of(pid_t pid, uint64_t ids[NS_TYPE_COUNT])
{
	for (int t = 0; t < NS_TYPE_COUNT; t++) {
		int ret = ns_id_of(pid, (enum ns_type)t, &ids[t]);

		if (ret < 0)
			return ret;
	}
	return 0;
}

ssize_t ns_read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t used = 0;

	if (len == 0)
		return -EINVAL;
	if (fd < 0)
		return -errno;
	while (used < len - 1) {
		ssize_t n = read(fd, buf + used, len - 1 - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;

			close(fd);
			return -err;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	close(fd);
	return (ssize_t)used;
}

int ns_write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(text);
	ssize_t n;
	int err = 0;

	if (fd < 0)
		return -errno;
	/* One write: uid_map and friends reject a map split across writes. */
	n = write(fd, text, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) < 0 && err == 0)
		err = -errno;
	return err;
}

int ns_comm_of(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	n = ns_read_text(path, buf, len);
	if (n < 0)
		return (int)n;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int ns_set_comm(const char *name)
{
	return prctl(PR_SET_NAME, name, 0, 0, 0) < 0 ? -errno : 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int ns_pids_by_comm(const char *name, pid_t *pids, int max)
{
	DIR *dir = opendir("/proc");
	struct dirent *de;
	int count = 0;

	if (!dir)
		return -errno;
	while ((de = readdir(dir)) != NULL && count < max) {
		char comm[32];
		pid_t pid;

		if (!all_digits(de->d_name))
			continue;
		pid = (pid_t)atoi(de->d_name);
		if (ns_comm_of(pid, comm, sizeof(comm)) == 0 && strcmp(comm, name) == 0)
			pids[count++] = pid;
	}
	closedir(dir);
	return count;
}

int ns_status_field(pid_t pid, const char *key, char *buf, size_t len)
{
	char path[64], text[4096];
	size_t keylen = strlen(key);
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	n = ns_read_text(path, text, sizeof(text));
	if (n < 0)
		return (int)n;
	for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, key, keylen) == 0 && line[keylen] == ':') {
			char *value = line + keylen + 1;
			size_t vlen;

			value += strspn(value, " \t");
			vlen = strcspn(value, "\n");
			if (vlen >= len)
				return -ENOBUFS;
			memcpy(buf, value, vlen);
			buf[vlen] = '\0';
			return 0;
		}
	}
	return -ENOENT;
}

pid_t ns_parent_of(pid_t pid)
{
	char value[32];

	if (ns_status_field(pid, "PPid", value, sizeof(value)) < 0)
		return -1;
	return (pid_t)atoi(value);
}

static int append_children(const char *path, pid_t *kids, int count, int max)
{
	char text[4096];
	char *p = text;

	if (ns_read_text(path, text, sizeof(text)) < 0)
		return count; /* the thread ended meanwhile */
	while (*p && count < max) {
		char *end;
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		kids[count++] = (pid_t)pid;
		p = end;
	}
	return count;
}

int ns_children_of(pid_t pid, pid_t *kids, int max)
{
	char path[320]; /* "/proc/PID/task/" + d_name (up to 255) + "/children" */
	DIR *dir;
	struct dirent *de;
	int count = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir)) != NULL) {
		if (!all_digits(de->d_name))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/children", (int)pid, de->d_name);
		count = append_children(path, kids, count, max);
	}
	closedir(dir);
	return count;
}

static int status_mask(pid_t pid, const char *key, uint64_t *mask)
{
	char value[32];
	int ret = ns_status_field(pid, key, value, sizeof(value));

	if (ret < 0)
		return ret;
	*mask = strtoull(value, NULL, 16);
	return 0;
}

bool ns_signal_is_default(pid_t pid, int sig)
{
	uint64_t caught, ignored, bit = 1ULL << (sig - 1);

	if (status_mask(pid, "SigCgt", &caught) < 0 || status_mask(pid, "SigIgn", &ignored) < 0)
		return false; /* gone, or unreadable: nothing to emulate */
	return !(caught & bit) && !(ignored & bit);
}

int ns_cap_effective(pid_t pid, uint64_t *caps)
{
	return status_mask(pid, "CapEff", caps);
}
