/* Why a device node cannot be opened, and what would let the user open it. */
#ifndef KIT_DEVICE_H
#define KIT_DEVICE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* UID's user name, or its number when it has none, as ls -l shows an owner. */
void user_name(char *out, size_t size, uid_t uid);

/* "crw------- root:root", as ls -l shows a file's kind, mode, owner and group. */
const char *device_mode_text(const struct stat *st, char *buf, size_t size);

/*
 * For a device node the calling user may not open (EACCES/EPERM): who may,
 * and what will work for this user, from its owner, group and mode as they
 * are on this machine: "PATH is crw------- root:root and USER may not open
 * it: run as root (sudo), or have the admin give you access: ...". Joining
 * a group is suggested only when a non-root group may read and write it.
 * st: the node's status if the caller has it, or NULL to look it up. One
 * sentence into buf, which it returns.
 */
const char *device_access_advice(const char *path, const struct stat *st, char *buf,
				 size_t size);

#endif
