/*
 * ns-d's eyes: what exists before, during and after a teardown (interfaces,
 * proc mounts, the processes that hold each namespace, the processes still
 * alive), and waiting until the kernel is done with a kill.
 */
#ifndef KIT_NS_D_LOOK_H
#define KIT_NS_D_LOOK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ns/ns_net.h"
#include "ns/ns_proc.h"

#define MAX_TREE 16

/* What we look at before, during and after. */
struct snapshot {
	char interfaces[512];            /* the interfaces of our network namespace */
	int proc_mounts;                 /* proc mounts in our mount namespace */
	int inner_proc_mounts;           /* and in the container's (-1: no such namespace) */
	int holders[NS_TYPE_COUNT];      /* processes holding each container namespace */
	int alive;                       /* processes of the container's tree alive */
};

/* The container being looked at: its namespaces and its processes. */
struct subject {
	uint64_t ids[NS_TYPE_COUNT];
	pid_t pids[MAX_TREE];
	int npids;
	struct ns_veth veth;
	bool have_veth;
	unsigned long long since;        /* ns_boot_ticks() when its teardown began; 0 before */
};

/* Look now. */
void take_snapshot(const struct subject *s, struct snapshot *snap);

/* Print it: "  WHEN    interfaces here: ...", then the rest indented. */
void print_snapshot(const char *when, const struct subject *s, const struct snapshot *snap);

/* Is everything as before: interfaces, mounts, no holder, nothing alive? */
bool same_as_before(const struct snapshot *before, const struct snapshot *after);

/*
 * After a kill of KILLED: wait until it is gone and every process of the
 * subject it took with it is gone too, then look. Bounded by NS_WAIT_MS.
 */
void settle_after_kill(const struct subject *s, pid_t killed, struct snapshot *now);

/* Wait until everything is as before (namespaces and veths go asynchronously), then look. */
void settle_all_gone(const struct subject *s, const struct snapshot *before, struct snapshot *now);

/* Is SIG blocked in PID, and pending for it (sent, never delivered)? */
bool blocked_and_pending(pid_t pid, int sig);

#endif
