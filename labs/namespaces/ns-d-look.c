#include "ns-d-look.h"
#include "ns/ns_show.h"

#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Mounts of a proc on /proc in PID's mount namespace (mountinfo: "ID PARENT DEV ROOT /proc ... - proc"). */
static int count_proc_mounts(pid_t pid)
{
	char path[64], text[65536];
	int count = 0;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	if (ns_read_text(path, text, sizeof(text)) < 0)
		return -1;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char root[256], point[256];

		if (sscanf(line, "%*s %*s %*s %255s %255s", root, point) == 2 &&
		    strcmp(point, "/proc") == 0 && strstr(line, " - proc "))
			count++;
	}
	return count;
}

void take_snapshot(const struct subject *s, struct snapshot *snap)
{
	struct if_nameindex *all = if_nameindex();
	size_t used = 0;

	memset(snap, 0, sizeof(*snap));
	for (int i = 0; all && all[i].if_index; i++)
		used += (size_t)snprintf(snap->interfaces + used, sizeof(snap->interfaces) - used,
					 "%s%s", i ? " " : "", all[i].if_name);
	if (all)
		if_freenameindex(all);
	snap->proc_mounts = count_proc_mounts(getpid());
	snap->inner_proc_mounts = s->npids && ns_alive(s->pids[s->npids - 1])
					  ? count_proc_mounts(s->pids[s->npids - 1]) : -1;
	for (int t = 0; t < NS_TYPE_COUNT; t++)
		snap->holders[t] = s->ids[t] ? ns_count_holders((enum ns_type)t, s->ids[t], s->since) : 0;
	for (int i = 0; i < s->npids; i++)
		snap->alive += ns_alive(s->pids[i]);
	if (s->npids && !ns_alive(s->pids[s->npids - 1]))
		snap->inner_proc_mounts = -1; /* it died while we looked */
}

void print_snapshot(const char *when, const struct subject *s, const struct snapshot *snap)
{
	printf("  %-7s interfaces here: %s\n", when, snap->interfaces);
	printf("  %-7s proc mounts in our mount namespace: %d\n", "", snap->proc_mounts);
	if (!s->ids[NS_USER])
		return;
	if (snap->inner_proc_mounts >= 0)
		printf("  %-7s proc mounts in the container's: %d (the host's, copied, and its own)\n",
		       "", snap->inner_proc_mounts);
	printf("  %-7s processes holding the container's namespaces:", "");
	for (int t = 0; t < NS_TYPE_COUNT; t++)
		printf(" %s:%d", ns_type_name((enum ns_type)t), snap->holders[t]);
	printf("\n  %-7s processes of the container's tree alive: %d of %d\n", "", snap->alive,
	       s->npids);
}

static int holders_total(const struct snapshot *snap)
{
	int total = 0;

	for (int t = 0; t < NS_TYPE_COUNT; t++)
		total += snap->holders[t];
	return total;
}

bool same_as_before(const struct snapshot *before, const struct snapshot *after)
{
	return strcmp(before->interfaces, after->interfaces) == 0 &&
	       before->proc_mounts == after->proc_mounts && holders_total(after) == 0 &&
	       after->alive == 0;
}

/* Has PID a SIGKILL pending (sent, the process not yet gone)? */
static bool dying(pid_t pid)
{
	char thread[32], shared[32];
	unsigned long long bit = 1ULL << (SIGKILL - 1);

	if (ns_status_field(pid, "SigPnd", thread, sizeof(thread)) < 0 ||
	    ns_status_field(pid, "ShdPnd", shared, sizeof(shared)) < 0)
		return false;
	return ((strtoull(thread, NULL, 16) | strtoull(shared, NULL, 16)) & bit) != 0;
}

/*
 * After a kill of KILLED: wait until it is gone and every process of the
 * subject it took with it (--kill-child sends SIGKILL to its child while
 * it exits) is gone too, then look. Bounded by NS_WAIT_MS.
 */
void settle_after_kill(const struct subject *s, pid_t killed, struct snapshot *now)
{
	for (int waited = 0; waited < NS_WAIT_MS; waited += 2) {
		bool busy = ns_alive(killed);

		ns_reap_children(0);
		for (int i = 0; i < s->npids && !busy; i++)
			busy = ns_alive(s->pids[i]) && dying(s->pids[i]);
		if (!busy)
			break;
		ns_sleep_ms(2);
	}
	take_snapshot(s, now);
}

/* Wait until everything is as before: namespaces and the veth go asynchronously. */
void settle_all_gone(const struct subject *s, const struct snapshot *before,
			    struct snapshot *now)
{
	for (int waited = 0; waited < NS_WAIT_MS; waited += 4) {
		ns_reap_children(0);
		take_snapshot(s, now);
		if (same_as_before(before, now))
			return;
		ns_sleep_ms(4);
	}
}

/* Is SIG blocked in PID, and pending for it (sent, never delivered)? */
bool blocked_and_pending(pid_t pid, int sig)
{
	char blocked[32], pending[32];
	unsigned long long bit = 1ULL << (sig - 1);

	return ns_status_field(pid, "SigBlk", blocked, sizeof(blocked)) == 0 &&
	       ns_status_field(pid, "ShdPnd", pending, sizeof(pending)) == 0 &&
	       (strtoull(blocked, NULL, 16) & bit) && (strtoull(pending, NULL, 16) & bit);
}
