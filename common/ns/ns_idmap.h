/*
 * uid/gid maps of a user namespace (user_namespaces(7)): lines
 * "INSIDE OUTSIDE COUNT" in /proc/PID/uid_map and gid_map, written once, by
 * a process in the namespace's parent (or in it) that holds CAP_SETUID /
 * CAP_SETGID over it.
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

/* "0 1000 1\n" into buf. Bytes written, or -ENOSPC. */
int ns_idmap_format(const struct ns_idmap *map, char *buf, size_t len);

/* Write one map line to /proc/PID/{uid_map,gid_map}. 0 or -errno. */
int ns_write_uid_map(pid_t pid, const struct ns_idmap *map);
int ns_write_gid_map(pid_t pid, const struct ns_idmap *map);

/* Write "deny" (or "allow") to /proc/PID/setgroups. 0 or -errno. */
int ns_write_setgroups(pid_t pid, bool allow);

/*
 * Map uid 0 and gid 0 inside PID's user namespace to the given ids outside,
 * one id each. Unprivileged writers can only map their own effective ids
 * and must deny setgroups(2) before gid_map is written (else an
 * unprivileged user could drop a supplementary group that denies access);
 * deny_setgroups does that. On failure *failed_step says which file.
 */
int ns_map_root_to(pid_t pid, uid_t uid, gid_t gid, bool deny_setgroups,
		   const char **failed_step);

#endif
