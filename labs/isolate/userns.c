/*
 * Step 1 of the assignment: the user namespace and its maps (lines 12-13).
 *
 * Whom is the container's root outside? Never the host's root by default:
 * a root that is root outside too can write host-wide /proc/sys (e.g.
 * kernel.core_pattern, which runs a program as real root outside every
 * namespace), create host cgroups and read /etc/shadow, because the kernel
 * checks files and most of /proc against the ids outside. So (--help says
 * the same):
 *   - an ordinary user: its own uid and gid, one id each, setgroups denied
 *     (the only map an unprivileged writer may write, user_namespaces(7));
 *   - root behind sudo: the user who ran sudo ($SUDO_UID, $SUDO_GID);
 *   - root with a range of its own in /etc/subuid and /etc/subgid
 *     (subuid(5)): that range, inside ids 0..COUNT-1;
 *   - root otherwise: nobody (65534:65534), one id. Not the 100000 that
 *     useradd hands out as the first subordinate range: that range belongs
 *     to a user, whose own containers we must not share ids with.
 *   - --map-root-to-host-root: root, as the kit did before; explicit only.
 */
#include "isolate.h"
#include "ns/ns_proc.h"
#include "util/util.h"

#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define NOBODY 65534UL

/* A positive id from an environment variable, or 0 when absent or not a number. */
static unsigned long env_id(const char *text)
{
	char *end;
	unsigned long id;

	if (!text || *text < '0' || *text > '9')
		return 0;
	id = strtoul(text, &end, 10);
	return *end || id >= (unsigned long)(uid_t)-1 ? 0 : id;
}

static bool subordinate_ranges(const struct id_sources *from, struct root_map *map)
{
	unsigned long ustart, ucount, gstart, gcount;

	if (ns_subid_range(from->subuid, "root", 0, &ustart, &ucount) < 0 ||
	    ns_subid_range(from->subgid, "root", 0, &gstart, &gcount) < 0)
		return false;
	map->uids = (struct ns_idmap){ 0, ustart, ucount };
	map->gids = (struct ns_idmap){ 0, gstart, gcount };
	return true;
}

void choose_root_map(const struct id_sources *from, struct root_map *map)
{
	unsigned long sudo_uid = env_id(from->sudo_uid), sudo_gid = env_id(from->sudo_gid);

	map->deny_setgroups = false;
	if (from->euid != 0 || !from->initial_userns) {
		map->uids = (struct ns_idmap){ 0, from->euid, 1 };
		map->gids = (struct ns_idmap){ 0, from->egid, 1 };
		map->deny_setgroups = true;
		map->why = from->euid != 0 ? "yourself: rootless"
					   : "yourself: root of a user namespace, not of the host";
	} else if (from->host_root) {
		map->uids = map->gids = (struct ns_idmap){ 0, 0, 1 };
		map->why = "root: --map-root-to-host-root";
	} else if (sudo_uid && sudo_gid) {
		map->uids = (struct ns_idmap){ 0, sudo_uid, 1 };
		map->gids = (struct ns_idmap){ 0, sudo_gid, 1 };
		map->why = "the user who ran sudo";
	} else if (subordinate_ranges(from, map)) {
		map->why = "root's range in /etc/subuid and /etc/subgid";
	} else {
		map->uids = map->gids = (struct ns_idmap){ 0, NOBODY, 1 };
		map->why = "nobody: no sudo user, no range for root in /etc/subuid";
	}
}

#ifndef STUB_ns_userns /* SOLUTION ns_userns ((2)(d), step 1): the uid and gid maps */
/* The initial user namespace maps every id to itself: "0 0 4294967295". */
static bool in_initial_userns(void)
{
	char map[128];
	unsigned long inside, outside, count;
	char *newline;

	if (ns_read_text("/proc/self/uid_map", map, sizeof(map)) <= 0)
		return false;
	newline = strchr(map, '\n');
	return sscanf(map, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0 &&
	       outside == 0 && count == 4294967295UL && (!newline || !newline[1]);
}

/* Parent side, between clone and "go": choose the ids and write the maps. */
int setup_userns(struct container *c, const struct isolate_config *cfg)
{
	struct id_sources from = {
		.euid = geteuid(), .egid = getegid(), .initial_userns = in_initial_userns(),
		.sudo_uid = getenv("SUDO_UID"), .sudo_gid = getenv("SUDO_GID"),
		.subuid = "/etc/subuid", .subgid = "/etc/subgid",
		.host_root = cfg->map_root_to_host_root,
	};
	enum ns_idmap_file failed;
	char what[96];
	int ret;

	choose_root_map(&from, &c->map);
	ret = ns_write_maps(c->pid, &c->map.uids, &c->map.gids, c->map.deny_setgroups, &failed);
	if (ret < 0) {
		snprintf(what, sizeof(what), "cannot write /proc/%d/%s", (int)c->pid,
			 ns_idmap_file_name(failed));
		ns_report(failed == NS_SETGROUPS ? NS_OP_SETGROUPS : NS_OP_IDMAP, -ret, what);
	}
	return ret;
}
#else
int setup_userns(struct container *c, const struct isolate_config *cfg)
{
	/*
	 * Step 1 (lines 12-13): from outside, map uid 0 and gid 0 of the child's
	 * user namespace to ids of ours: choose_root_map() says which ones, and
	 * common/ns/ns_idmap.h writes /proc/PID/uid_map, setgroups and gid_map.
	 * Without maps the child cannot become uid 0 in its namespace (enter_userns).
	 */
	(void)c;
	(void)cfg;
	kit_not_written("setup_userns(), the uid and gid maps", "labs/isolate/userns.c");
	return -ENOSYS; /* the container cannot go on without them: isolate exits 125 */
}
#endif /* SOLUTION ns_userns */

/*
 * Child side, once the maps are written: become uid 0 and gid 0 of the
 * namespace. clone(2) kept our ids of outside: as root, that is still the
 * host's uid 0, which the map no longer names, and files would still see
 * us as their owner. setresuid(0) inside makes us the mapped id outside.
 * The host's supplementary groups go too (root's gid 0 among them), where
 * setgroups(2) is allowed. A change of the effective ids clears the
 * parent-death signal (prctl(2)): set it again, then make sure the parent
 * did not die in between (its end of the go pipe would be closed).
 */
void enter_userns(const struct go_message *go, int go_fd)
{
	struct pollfd parent = { .fd = go_fd, .events = POLLIN };

	if (go->drop_groups && setgroups(0, NULL) < 0)
		child_fail(NS_OP_IDMAP, errno, "cannot drop the supplementary groups");
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		child_fail(NS_OP_IDMAP, errno, "cannot become uid 0 in the new user namespace");
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (poll(&parent, 1, 0) > 0 && (parent.revents & POLLHUP))
		_exit(EXIT_ISOLATE_FAILED); /* the parent died before the prctl */
}
