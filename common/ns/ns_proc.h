/*
 * Looking at processes and their namespaces through /proc: namespace ids,
 * comm names, status fields, children. Used by isolate and by the ns-*
 * demonstrations. Every function returns 0 (or a count) or -errno.
 */
#ifndef KIT_NS_PROC_H
#define KIT_NS_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The six namespace types of the assignment, in its order of creation. */
enum ns_type { NS_USER, NS_UTS, NS_IPC, NS_NET, NS_PID, NS_MNT, NS_TYPE_COUNT };

/* "user", "uts", ... : the file name under /proc/PID/ns/. */
const char *ns_type_name(enum ns_type type);

/* A namespace's id is the inode number of /proc/PID/ns/TYPE (what lsns shows). */
int ns_id_of(pid_t pid, enum ns_type type, uint64_t *id);

/* The same for any file of /proc/PID/ns/, e.g. "cgroup". */
int ns_id_by_name(pid_t pid, const char *name, uint64_t *id);

/* All six ids of a process at once; ids[type]. */
int ns_ids_of(pid_t pid, uint64_t ids[NS_TYPE_COUNT]);

/* Read a small /proc (or other) file into buf, NUL-terminated. Bytes read or -errno. */
ssize_t ns_read_text(const char *path, char *buf, size_t len);

/* Write text to a file in one write(2), as /proc's control files want. */
int ns_write_text(const char *path, const char *text);

/* The comm of a process (no trailing newline). */
int ns_comm_of(pid_t pid, char *buf, size_t len);

/* Set our own comm, like 'echo NAME > /proc/$$/comm' (at most 15 bytes are kept). */
int ns_set_comm(const char *name);

/* Pids whose comm is exactly NAME (like ps -e -o pid,comm | grep), up to max. Count or -errno. */
int ns_pids_by_comm(const char *name, pid_t *pids, int max);

/* One "Key:\tvalue" line of /proc/PID/status: the value, spaces kept. */
int ns_status_field(pid_t pid, const char *key, char *buf, size_t len);

/* The parent pid, from /proc/PID/status (0 when the parent is outside our pid namespace). */
pid_t ns_parent_of(pid_t pid);

/* Direct children of a process (all its threads), up to max. Count or -errno. */
int ns_children_of(pid_t pid, pid_t *kids, int max);

/*
 * Whether SIG would take its default action in PID: neither caught (SigCgt)
 * nor ignored (SigIgn). A pid namespace's init drops such signals from its
 * own namespace and from ancestors, SIGKILL and SIGSTOP excepted
 * (pid_namespaces(7)).
 */
bool ns_signal_is_default(pid_t pid, int sig);

/* The effective capability mask of a process (CapEff). */
int ns_cap_effective(pid_t pid, uint64_t *caps);

#endif
