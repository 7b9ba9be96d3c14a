/*
 * The guest's file calls (part c): each one is ONE hypercall, one exit.
 * Failures return -errno (a negative HC_Exxx from hypercall.h).
 *
 * The assignment's functions work on a single "current file", the one the
 * last open() opened:
 *   open(path)        read-write, created (0644) if missing; read-only if
 *                     the file may only be read. Returns a descriptor.
 *   read(buf, len)    up to len bytes into buf; 0 at end of file.
 *   write(buf, len)   len bytes from buf (fewer only if the file refused
 *                     the rest: disk full, file size limit).
 *   close()           closes the current file.
 * The host moves the bytes between the file and buf itself; the guest
 * never copies them. Two parameters travel in a struct hc_io block whose
 * address is the hypercall's one 32-bit argument (see hypercall.h).
 *
 * Beyond the assignment, descriptor forms keep several files open at once.
 */
#ifndef LAB_C_GUEST_FILES_H
#define LAB_C_GUEST_FILES_H

#include <stdint.h>

#include "abi/hypercall.h"

int open(const char *path);
int read(void *buf, int len);
int write(void *buf, int len);
void close(void);

/* flags: HC_O_*; mode: permission bits when HC_O_CREAT creates the file. */
int fd_open(const char *path, uint32_t flags, uint32_t mode);
int fd_read(int fd, void *buf, int len);
/* HC_FD_STDOUT / HC_FD_STDERR write to the host's console, when it allows. */
int fd_write(int fd, const void *buf, int len);
int fd_close(int fd);

/* Write all of buf, calling fd_write again after a short write. Bytes written or -errno. */
int fd_write_all(int fd, const void *buf, int len);

/* "ENOENT" for HC_ENOENT and so on; "E?" for numbers it does not know. */
const char *fs_errname(int err);

#endif
