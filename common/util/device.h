/* Why a device node cannot be opened, and what would let the user open it. */
#ifndef KIT_DEVICE_H
#define KIT_DEVICE_H

#include <stddef.h>

/*
 * Advice for a device node that the calling user may not open (EACCES/EPERM),
 * from its owner, group and mode as they are on this machine: join its group
 * when the group may use it and the user is not in it; otherwise run as root
 * or have an administrator grant access. Writes one sentence into buf.
 */
const char *device_access_advice(const char *path, char *buf, size_t size);

#endif
