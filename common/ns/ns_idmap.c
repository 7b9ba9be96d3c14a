#include "ns_idmap.h"
#include "ns_proc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const file_names[] = {
	[NS_UID_MAP] = "uid_map", [NS_SETGROUPS] = "setgroups", [NS_GID_MAP] = "gid_map",
};

const char *ns_idmap_file_name(enum ns_idmap_file file)
{
	return (size_t)file < sizeof(file_names) / sizeof(file_names[0]) ? file_names[file] : "?";
}

int ns_idmap_format(const struct ns_idmap *map, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%lu %lu %lu\n", map->inside, map->outside, map->count);

	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

static int write_map(pid_t pid, enum ns_idmap_file file, const struct ns_idmap *map)
{
	char path[64], line[96];
	int ret = ns_idmap_format(map, line, sizeof(line));

	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, ns_idmap_file_name(file));
	return ns_write_text(path, line);
}

int ns_write_uid_map(pid_t pid, const struct ns_idmap *map)
{
	return write_map(pid, NS_UID_MAP, map);
}

int ns_write_gid_map(pid_t pid, const struct ns_idmap *map)
{
	return write_map(pid, NS_GID_MAP, map);
}

int ns_write_setgroups(pid_t pid, bool allow)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, ns_idmap_file_name(NS_SETGROUPS));
	return ns_write_text(path, allow ? "allow" : "deny");
}

int ns_write_maps(pid_t pid, const struct ns_idmap *uids, const struct ns_idmap *gids,
		  bool deny_setgroups, enum ns_idmap_file *failed)
{
	int ret;

	*failed = NS_UID_MAP;
	ret = ns_write_uid_map(pid, uids);
	if (ret < 0)
		return ret;
	if (deny_setgroups) {
		*failed = NS_SETGROUPS;
		ret = ns_write_setgroups(pid, false);
		if (ret < 0)
			return ret;
	}
	*failed = NS_GID_MAP;
	return ns_write_gid_map(pid, gids);
}

int ns_map_root_to(pid_t pid, uid_t uid, gid_t gid, bool deny_setgroups,
		   enum ns_idmap_file *failed)
{
	struct ns_idmap uids = { 0, uid, 1 }, gids = { 0, gid, 1 };

	return ns_write_maps(pid, &uids, &gids, deny_setgroups, failed);
}

/* "NAME:START:COUNT": true with the numbers when the line is well formed and NAME is ours. */
static bool parse_subid_line(const char *line, const char *user, const char *id_text,
			     unsigned long *start, unsigned long *count)
{
	size_t name_len = strcspn(line, ":\n");
	char *end;

	if (line[name_len] != ':')
		return false;
	if (!((strlen(user) == name_len && strncmp(line, user, name_len) == 0) ||
	      (strlen(id_text) == name_len && strncmp(line, id_text, name_len) == 0)))
		return false;
	line += name_len + 1;
	if (*line < '0' || *line > '9')
		return false;
	*start = strtoul(line, &end, 10);
	if (*end != ':' || end[1] < '0' || end[1] > '9')
		return false;
	*count = strtoul(end + 1, &end, 10);
	return (*end == '\n' || *end == '\0') && *count > 0;
}

int ns_subid_range(const char *file, const char *user, unsigned long id,
		   unsigned long *start, unsigned long *count)
{
	char text[65536], id_text[24];
	ssize_t n = ns_read_text(file, text, sizeof(text));

	if (n < 0)
		return (int)n;
	snprintf(id_text, sizeof(id_text), "%lu", id);
	for (char *line = text; *line;) {
		size_t len = strcspn(line, "\n");

		if (parse_subid_line(line, user, id_text, start, count))
			return 0;
		line += len + (line[len] == '\n');
	}
	return -ENOENT;
}
