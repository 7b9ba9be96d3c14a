/*
 * Steps 2 and 6 of the assignment, in the child: the hostname of the new
 * uts namespace (line 21) and the mounts of the new mount namespace
 * (line 54, and what the container must not be able to change).
 *
 * The root filesystem stays shared with the host, as the assignment says;
 * what the kernel shows of the host through /proc and /sys is cut down:
 *   - a new proc for the new pid namespace (ps sees only the container);
 *   - /proc/sys and /proc/sysrq-trigger read-only: most sysctls are
 *     host-wide (kernel.core_pattern, vm.*), whatever namespace writes them;
 *   - a new sysfs for the new network namespace, read-only: the host's
 *     /sys shows the host's interfaces and carries its cgroup mounts.
 * The container's root cannot undo these against the host: the id maps
 * (userns.c) make it an unprivileged user there. (Inside its own mount
 * namespace it could remount them, as root of it; that changes nothing
 * for the host, since the files stay the kernel's, checked by owner.)
 */
#include "isolate.h"
#include "util/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#define LOCKED_DOWN (MS_NOSUID | MS_NODEV | MS_NOEXEC)

#ifndef STUB_ns_utsns /* SOLUTION ns_utsns ((2)(d), step 2): the hostname */
void setup_utsns(const char *hostname)
{
	if (sethostname(hostname, strlen(hostname)) < 0)
		child_fail(NS_OP_HOSTNAME, errno, "cannot set the hostname");
}
#else
void setup_utsns(const char *hostname)
{
	/* Step 2 (line 21): the new uts namespace's hostname, with a system call. */
	(void)hostname;
	kit_not_written("setup_utsns(), the hostname", "labs/isolate/mntns.c");
}
#endif /* SOLUTION ns_utsns */

#ifndef STUB_ns_mntns /* SOLUTION ns_mntns ((2)(d), step 6): the mounts */
/*
 * Make PATH (a folder or a file) read-only in our mount namespace: bind it
 * onto itself, remount. Nothing to do where it does not exist (a kernel
 * without CONFIG_MAGIC_SYSRQ has no /proc/sysrq-trigger).
 */
static void make_read_only(const char *path)
{
	char what[64];

	if (access(path, F_OK) < 0 && errno == ENOENT)
		return;
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0 ||
	    mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | LOCKED_DOWN, NULL) < 0) {
		snprintf(what, sizeof(what), "cannot make %s read-only", path);
		child_fail(NS_OP_MOUNT, errno, what);
	}
}

void setup_mntns(void)
{
	/* Our mount events must not propagate back to the host's mount namespace. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		child_fail(NS_OP_MOUNT, errno, "cannot make / private in the new mount namespace");
	/* A proc for the new pid namespace: ps then sees only the container. */
	if (mount("proc", "/proc", "proc", LOCKED_DOWN, NULL) < 0)
		child_fail(NS_OP_MOUNT, errno, "cannot mount a new /proc");
	make_read_only("/proc/sys");
	make_read_only("/proc/sysrq-trigger");
	/* A sysfs shows the network devices of the namespace that mounts it. */
	if (mount("sysfs", "/sys", "sysfs", MS_RDONLY | LOCKED_DOWN, NULL) < 0)
		child_fail(NS_OP_MOUNT, errno, "cannot mount a new read-only /sys");
}
#else
void setup_mntns(void)
{
	/*
	 * Step 6 (line 54): a /proc of the new pid namespace, without our mount
	 * events reaching the host's mount namespace; and what the container must
	 * not change of the host: /proc/sys, /proc/sysrq-trigger, /sys (see above).
	 */
	kit_not_written("setup_mntns(), the mounts", "labs/isolate/mntns.c");
}
#endif /* SOLUTION ns_mntns */
