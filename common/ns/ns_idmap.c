#include "ns_idmap.h"
#include "ns_proc.h"

#include <errno.h>
#include <stdio.h>

int ns_idmap_format(const struct ns_idmap *map, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%lu %lu %lu\n", map->inside, map->outside, map->count);

	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

static int write_map(pid_t pid, const char *file, const struct ns_idmap *map)
{
	char path[64], line[96];
	int ret = ns_idmap_format(map, line, sizeof(line));

	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	return ns_write_text(path, line);
}

int ns_write_uid_map(pid_t pid, const struct ns_idmap *map)
{
	return write_map(pid, "uid_map", map);
}

int ns_write_gid_map(pid_t pid, const struct ns_idmap *map)
{
	return write_map(pid, "gid_map", map);
}

int ns_write_setgroups(pid_t pid, bool allow)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	return ns_write_text(path, allow ? "allow" : "deny");
}

int ns_map_root_to(pid_t pid, uid_t uid, gid_t gid, bool deny_setgroups,
		   const char **failed_step)
{
	struct ns_idmap uids = { 0, uid, 1 }, gids = { 0, gid, 1 };
	int ret;

	*failed_step = "uid_map";
	ret = ns_write_uid_map(pid, &uids);
	if (ret < 0)
		return ret;
	if (deny_setgroups) {
		*failed_step = "setgroups";
		ret = ns_write_setgroups(pid, false);
		if (ret < 0)
			return ret;
	}
	*failed_step = "gid_map";
	return ns_write_gid_map(pid, &gids);
}
