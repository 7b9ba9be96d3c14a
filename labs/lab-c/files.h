/*
 * Part (c): the filesystem hypercalls, host side (the ABI: common/abi/hypercall.h).
 *
 * Each guest instance has its own struct hc_files: a table of at most
 * HC_MAX_FILES open files, the "current file" of the assignment-style
 * calls, and a sandbox root that every guest path resolves inside. The
 * guest only ever sees small table indexes, never a host descriptor.
 *
 *   files.c       the hypercalls c.1-c.4: take the arguments out of guest
 *                 memory, call the table, answer in RAX
 *   file_table.c  the table: slots, opening only regular files (without
 *                 side effects on anything else)
 *   file_io.c     read, write, close: bytes straight between a host file
 *                 and guest memory
 *
 * Semantics (beyond hypercall.h):
 *   read    up to len bytes; fewer only at end of file. A failure after some
 *           bytes moved returns the count (the next call reports the error).
 *   write   all len bytes, retrying short writes; if the file refuses part
 *           way (EFBIG past RLIMIT_FSIZE, ENOSPC), the bytes written so far,
 *           and the next write returns the error, as write(2) does.
 *   buffers the NULL address (0) is -EFAULT even where the guest maps it;
 *           len < 0 is -EINVAL; len 0 is 0 without touching anything; len
 *           beyond the guest's memory is -E2BIG.
 *   files   only regular files: a directory is -EISDIR, a FIFO, socket or
 *           device -EACCES, found out before the file is opened for I/O
 *           (an O_PATH look first), so no driver's open() runs and no FIFO
 *           reader is woken. Flags outside HC_O_ALL, access mode 3,
 *           HC_O_EXCL without HC_O_CREAT, HC_O_TRUNC without write access
 *           and mode bits beyond 0777 are -EINVAL.
 *   errors  only the ABI's named errors: any other host errno is -EIO.
 * All calls of one instance are serialised by its lock.
 */
#ifndef LAB_C_FILES_H
#define LAB_C_FILES_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "abi/hypercall.h"
#include "kvm/guest_access.h"
#include "kvm/kvm.h"
#include "sandbox.h"

/* What an instance did: for the labs' summaries and the tests. */
struct hc_fs_stats {
	uint64_t calls;              /* every filesystem hypercall, failed ones too */
	uint64_t reads, writes;      /* read and write calls that moved bytes (to files) */
	uint64_t bytes_read;
	uint64_t bytes_written;
};

struct hc_files {
	pthread_mutex_t lock;
	struct sandbox sandbox;
	int host_fd[HC_MAX_FILES];   /* -1 where the slot is free */
	int current;                 /* slot of the current file, or -1 */
	bool consoles;               /* HC_FD_STDOUT / HC_FD_STDERR may be written */
	struct hc_fs_stats stats;
};

/* --- the table (file_table.c, file_io.c) ------------------------------------------------ */

/*
 * A table rooted at root_dir. 0, or -errno with *why saying what is wrong
 * with the directory. The plain one dies with EXIT_USAGE, naming root_dir.
 */
int hc_files_create_raw(const char *root_dir, struct hc_files **out, const char **why);
struct hc_files *hc_files_create(const char *root_dir);
/* Closes every file still open. NULL is fine. */
void hc_files_destroy(struct hc_files *f);

/* Give the guest write access to the host's stdout and stderr (HC_FD_STDOUT/STDERR). */
void hc_files_allow_consoles(struct hc_files *f);

/* The table the filesystem calls of vCPU v use (one per instance): v->lab_state. */
void hc_files_attach(struct vcpu *v, struct hc_files *f);

/* Open files in the table (for tests and summaries). */
int hc_files_open_count(struct hc_files *f);

/*
 * The calls with their arguments already out of guest memory, each under
 * the table's lock (files.c and lab-c's request queue use them):
 *   open   path inside the sandbox; how NULL is the assignment's open()
 *          (read-write, created if missing, read-only when only reading is
 *          allowed), which also makes it the current file. Slot or -HC_Exxx.
 *   read   len bytes of descriptor fd into guest memory at buf (g: the
 *   write  caller's view); write takes them from there (v, for console
 *          output: may be NULL). Bytes moved or -HC_Exxx.
 *   close  0 or -HC_Exxx.
 */
int64_t hc_files_open(struct hc_files *f, const char *path, const struct hc_open *how);
int64_t hc_files_read(struct hc_files *f, const struct guest_view *g, int32_t fd, gva_t buf,
		      int32_t len);
int64_t hc_files_write(struct hc_files *f, const struct guest_view *g, struct vcpu *v,
		       int32_t fd, gva_t buf, int32_t len);
int64_t hc_files_close(struct hc_files *f, int32_t fd);

/* The table slot a guest descriptor names (HC_FD_CURRENT too), or -HC_EBADF. */
int hc_files_slot(const struct hc_files *f, int32_t fd);

/*
 * Tools for read and write (file_io.c):
 *   hc_check_buffer  1 when [buf, buf + len) may be used (every byte reachable,
 *                    writable when to_guest), 0 for len 0, else -HC_EINVAL,
 *                    -HC_E2BIG (longer than guest memory) or -HC_EFAULT
 *   hc_transfer      len bytes between host descriptor fd and guest memory at
 *                    buf (into the guest when to_guest), straight from or to the
 *                    guest's pages: bytes moved, or -HC_Exxx if none moved
 *   hc_to_console    the same to the host's stdout (through the vCPU's output
 *                    path: whole lines, tags) or stderr (which HC_FD_STDERR)
 */
int64_t hc_check_buffer(const struct guest_view *g, gva_t buf, int32_t len, bool to_guest);
int64_t hc_transfer(int fd, const struct guest_view *g, gva_t buf, uint64_t len, bool to_guest);
int64_t hc_to_console(struct vcpu *v, int32_t which, const struct guest_view *g, gva_t buf,
		      uint64_t len);

/* A host errno as the ABI's negative error: itself when named there, else -HC_EIO. */
int hc_errno(int err);

/* --- the hypercalls (files.c) --------------------------------------------------- */

/*
 * Install HC_PORT_OPEN .. HC_PORT_CLOSE on vm. A vCPU without a table
 * attached is stopped with a report (a host bug, not the guest's). Also
 * ignores SIGXFSZ in this process, so a write past RLIMIT_FSIZE returns
 * EFBIG to the guest instead of killing the hypervisor.
 */
void hc_register_fs(struct vm *vm);

/*
 * The hypercalls themselves, as the port handlers call them once the
 * 32-bit argument is out of EAX: arg is a guest-virtual address (open,
 * openat, read, write) or a descriptor (close). g is the calling vCPU's
 * view of memory; v is used only for console output (NULL in tests: the
 * consoles are then written directly). Each returns what goes into RAX.
 */
int64_t hc_fs_open(struct hc_files *f, const struct guest_view *g, uint32_t path);
int64_t hc_fs_openat(struct hc_files *f, const struct guest_view *g, uint32_t block);
int64_t hc_fs_read(struct hc_files *f, const struct guest_view *g, uint32_t block);
int64_t hc_fs_write(struct hc_files *f, const struct guest_view *g, struct vcpu *v,
		    uint32_t block);
int64_t hc_fs_close(struct hc_files *f, uint32_t fd);

#endif
