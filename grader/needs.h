/*
 * What the machine can do, probed once per run by the grader's own code (never
 * by the graded programs): the `needs` of a check are met or not before it
 * runs, and an unmet one SKIPs it with the real reason.
 */
#ifndef GRADER_NEEDS_H
#define GRADER_NEEDS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "buf.h"
#include "rubric.h"

#define UNPRIVILEGED_UID 65534 /* nobody: whom root runs a rootless check as */
#define UNPRIVILEGED_GID 65534
/* $UNPRIVILEGED in a check run by root: the command prefix that runs a program as that user. */
#define UNPRIVILEGED_PREFIX "setpriv --reuid=65534 --regid=65534 --clear-groups"

struct need_probe {
	bool probed;
	bool met;
	char text[600]; /* met: what was found ("/dev/kvm opens, API 12"); unmet: why and what to do */
};

struct machine {
	struct need_probe kvm, root, userns, unprivileged;
	const char *const *optins; /* --with NAMEs, NULL-terminated (or NULL) */
};

/* Probe every need the given checks name (each at most once). */
void machine_probe(struct machine *m, unsigned needs);
/* The probe of one need (NEED_KVM ...), probing it now if it was not yet. */
const struct need_probe *machine_need(struct machine *m, enum need need);
bool machine_opted_in(const struct machine *m, const char *name);

/*
 * Why the device cannot be opened and what will work, from its owner, group
 * and mode (st NULL when stat failed): root, the group that has access (only
 * when one does), or asking the admin. err is the errno of open().
 */
void kvm_access_advice(struct buf *out, const char *device, int err, const struct stat *st);

/*
 * The first folder of path (itself included) that uid/gid cannot enter, or
 * NULL when it can reach path; probed in a child that drops to uid/gid.
 * Free the result. *probe_failed is set when the child could not drop privileges.
 */
char *unreachable_folder(const char *path, uid_t uid, gid_t gid, bool *probe_failed);

/* "drwx------ root:root" for a stat. */
void describe_mode(struct buf *out, const struct stat *st);

#endif
