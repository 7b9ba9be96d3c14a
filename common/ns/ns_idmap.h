/*
 * uid/gid maps of a user namespace (user_namespaces(7)): lines
 * "INSIDE OUTSIDE COUNT" in /proc/PID/uid_map and gid_map, written once, by
 * a process in the namespace's parent (or in it) that holds CAP_SETUID /
 * CAP_SETGID over it; and the subordinate id ranges of /etc/subuid and
 * /etc/subgid (subuid(5)), which say which ids a user may map.
 */
#ifndef KIT_NS_IDMAP_H
#define KIT_NS_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* One map line: COUNT ids from INSIDE on map to OUTSIDE on. */
struct ns_idmap {
	unsigned long inside, outside, count;
};

/* The files of /proc/PID that a mapping writes, in the order it writes them. */
enum ns_idmap_file { NS_UID_MAP, NS_SETGROUPS, NS_GID_MAP };

/* "uid_map", "setgroups", "gid_map". */
const char *ns_idmap_file_name(enum ns_idmap_file file);

/* "0 1000 1\n" into buf. Bytes written, or -ENOSPC. */
int ns_idmap_format(const struct ns_idmap *map, char *buf, size_t len);

/* Write one map line to /proc/PID/{uid_map,gid_map}. 0 or -errno. */
int ns_write_uid_map(pid_t pid, const struct ns_idmap *map);
int ns_write_gid_map(pid_t pid, const struct ns_idmap *map);

/* Write "deny" (or "allow") to /proc/PID/setgroups. 0 or -errno. */
int ns_write_setgroups(pid_t pid, bool allow);

/*
 * Write PID's uid_map, then (when deny_setgroups) "deny" to its setgroups,
 * then its gid_map. Unprivileged writers can only map their own effective
 * ids and must deny setgroups(2) before gid_map is written (else an
 * unprivileged user could drop a supplementary group that denies access).
 * 0, or -errno with *failed naming the file that refused.
 */
int ns_write_maps(pid_t pid, const struct ns_idmap *uids, const struct ns_idmap *gids,
		  bool deny_setgroups, enum ns_idmap_file *failed);

/* ns_write_maps with uid 0 and gid 0 inside mapped to UID and GID outside, one id each. */
int ns_map_root_to(pid_t pid, uid_t uid, gid_t gid, bool deny_setgroups,
		   enum ns_idmap_file *failed);

/*
 * The first range of USER (by name, or by its number ID) in a subuid(5)
 * style file ("NAME:START:COUNT" lines): *start and *count. 0, -ENOENT when
 * the file has no range for the user, or -errno when it cannot be read.
 */
int ns_subid_range(const char *file, const char *user, unsigned long id,
		   unsigned long *start, unsigned long *count);

#endif
