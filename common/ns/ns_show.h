/*
 * Printing for the ns-* demonstrations: process trees with their namespace
 * ids, and finding the processes of a tree by name, as the assignment's
 * "ps -e -o pid,comm | grep" does.
 */
#ifndef KIT_NS_SHOW_H
#define KIT_NS_SHOW_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ns_proc.h"

/*
 * Print ROOT and its descendants, one per line: pid here, pid in its own
 * pid namespace, command line, and the six namespace ids. An id is printed
 * when it differs from the parent's (a namespace created at that step) and
 * shown as '"' when it is the parent's. ROOT is compared with the caller.
 */
void ns_show_tree(pid_t root);

/* The header line of ns_show_tree's table. */
void ns_show_tree_header(void);

/* The first process in ROOT's tree (ROOT included) whose comm is NAME, or 0. */
pid_t ns_find_in_tree(pid_t root, const char *name);

/*
 * How long the demonstrations wait for something the kernel or a process
 * they started will do (a stage to appear, a process to die, a namespace
 * to be freed). A bound that only a broken or stuck run reaches, never a
 * time anything needs: each wait ends as soon as its condition holds.
 */
#define NS_WAIT_MS 30000

/* Wait up to timeout_ms for such a process; 0 when none appeared or ROOT ended. */
pid_t ns_wait_in_tree(pid_t root, const char *name, int timeout_ms);

/* Count the processes of ROOT's tree (0 when ROOT is gone). */
int ns_count_tree(pid_t root);

/* The pids of ROOT's tree, ROOT first, parents before children. Count. */
int ns_collect_tree(pid_t root, pid_t *pids, int max);

/*
 * Adopt our orphaned descendants (PR_SET_CHILD_SUBREAPER), so that when a
 * tree is killed from the top its zombies come to us to be reaped.
 */
void ns_become_subreaper(void);

/* Reap our children until none is left or timeout_ms passes. Returns how many remain. */
int ns_reap_children(int timeout_ms);

/* Is PID running (not gone, not a zombie)? */
bool ns_alive(pid_t pid);

/*
 * How many processes hold the namespace TYPE:[ID]: those in it, plus those
 * with an open file descriptor to it (as ip netns or a bind mount would
 * keep it alive; those two are not counted). An id is the inode number of
 * the namespace's file, which the kernel hands out again as soon as the
 * namespace is freed: once it may be gone, pass STARTED_BY (ns_boot_ticks()
 * taken while it still lived), and processes started later, which may be
 * in a new namespace with the old number, are not counted. 0: count all.
 */
int ns_count_holders(enum ns_type type, uint64_t id, unsigned long long started_by);

/* Now, in the clock ticks since boot that /proc/PID/stat counts a start time in. */
unsigned long long ns_boot_ticks(void);

/* Our own executable, to re-run ourselves as a later stage. 0 or -errno. */
int ns_self_exe(char *buf, size_t len);

/*
 * Exit EXIT_SKIP (77) with a one-line reason when this machine cannot
 * create user namespaces, or lacks unshare(1).
 */
void ns_require_userns(void);

/* Sleep this many milliseconds. */
void ns_sleep_ms(int ms);

#endif
