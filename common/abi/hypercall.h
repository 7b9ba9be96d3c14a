/*
 * The kit's hypercall ABI: the one definition, included by the hypervisor
 * (labs/lab-b/hypercalls.c, labs/lab-c/files.c) and by the guests (guests/rt/hypercall.h).
 *
 * Calling convention
 * ------------------
 * A hypercall is ONE port-I/O instruction, so it costs exactly one exit.
 * The port number says which hypercall it is.
 *
 *   OUT hypercalls   `outl %eax, %dx`: EAX carries the one 32-bit argument,
 *                    a value or the guest-virtual address of a string or of
 *                    an argument block. The hypervisor answers in RAX
 *                    before the guest resumes (KVM's synced registers), so
 *                    the result needs no second exit. RAX is a signed
 *                    64-bit value: >= 0 is success, -HC_Exxx an error.
 *   IN hypercalls    `inl %dx, %eax`: the hypervisor supplies the 32-bit
 *                    result in EAX, as the CPU does for any IN.
 *
 * The hypervisor tells the two apart by kvm_run->io.direction
 * (KVM_EXIT_IO_OUT or KVM_EXIT_IO_IN). Every port takes 4-byte accesses and
 * one direction only; another size, the other direction, string I/O
 * (INS/OUTS) or an unknown port stops the vCPU with a report: there is no
 * way to answer such a call.
 *
 * Pointers
 * --------
 * Every address a guest passes is guest-virtual. The hypervisor translates
 * it through the CALLING vCPU's page tables (its CR3), page by page, and
 * checks every byte; a buffer may cross pages. An address that is not
 * mapped, not writable where the call writes, or beyond guest memory gives
 * -HC_EFAULT and nothing is read or written. Argument blocks are passed by
 * a 32-bit address (they must lie below 4 GiB); the buffers they point to
 * are 64-bit addresses.
 *
 * The NULL address (0) is never a valid argument: a string, buffer or block
 * at address 0 gives -HC_EFAULT in every call, even where the guest maps
 * page 0 (the kit's guests have their code there).
 *
 * Limits
 * ------
 * No string or buffer a call names may be longer than the calling guest's
 * memory (its RAM: --mem, at most 2 GiB). A longer one gives -HC_E2BIG and
 * nothing is moved. Page tables may map many virtual pages onto one physical
 * page, so a string's virtual length is not bounded by RAM otherwise: this
 * bounds the work of every call. Paths are shorter still (HC_PATH_MAX).
 * A call that is still working when the guest's --timeout passes (a write
 * to a pipe nobody reads) is cut short, and the run ends as timed out.
 *
 * Ending a run
 * ------------
 * A guest ends its run with HLT, as kvm-hello-world's does. The run is a
 * success unless the guest first reported a non-zero status on
 * HC_PORT_STATUS (the kit's runtime does so when main() returns non-zero).
 * RAX and the 8 bytes at guest-virtual HC_ANSWER_SLOT (0x400, where the
 * original guest leaves its 42) are the guest's to use: labs show them,
 * and judge them only where the question is about them (lab-a, lab-e).
 *
 * Errors are Linux errno numbers, negated, defined below so guests need no
 * libc.
 */
#ifndef KIT_HYPERCALL_H
#define KIT_HYPERCALL_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

/* --- ports ------------------------------------------------------------------ */

/* Byte console, as in kvm-hello-world: OUT 1 byte, one exit per byte. No result. */
#define HC_PORT_CONSOLE 0x00E9

/* print(str): OUT, EAX = address of a NUL-terminated string, of any length
 * up to the guest's memory size (see Limits). Written out with one write.
 * RAX = bytes written, or -HC_EFAULT, -HC_E2BIG, -HC_EIO. */
#define HC_PORT_PRINT   0x0500

/* exits(): IN. EAX = the number of exits this vCPU has taken since it was
 * created, counting every exit reason and counting this call's own exit.
 * So `b = exits(); X; a = exits();` gives a - b - 1 exits for X. */
#define HC_PORT_EXITS   0x0501

/* open(path): OUT, EAX = address of the path. Opens for reading and writing,
 * creating the file (mode 0644) if missing; an existing file that may only
 * be read (no write permission, read-only file system) is opened read-only,
 * so writes to it give -HC_EBADF. The file becomes the guest's "current
 * file" for the assignment-style read/write/close.
 * RAX = a guest descriptor (small integer, 0 .. HC_MAX_FILES - 1), or -errno. */
#define HC_PORT_OPEN    0x0510

/* openat(block): OUT, EAX = address of struct hc_open. RAX = descriptor or -errno. */
#define HC_PORT_OPENAT  0x0511

/* read(block) / write(block): OUT, EAX = address of struct hc_io. Data moves
 * directly between the host file and guest memory. RAX = bytes moved, 0 at
 * end of file, or -errno. fd HC_FD_CURRENT means the current file. */
#define HC_PORT_READ    0x0512
#define HC_PORT_WRITE   0x0513

/* close(fd): OUT, EAX = descriptor (HC_FD_CURRENT for the current file).
 * RAX = 0 or -errno (-HC_EBADF for a descriptor not open). */
#define HC_PORT_CLOSE   0x0514

/* status(code): OUT, EAX = the guest's exit status, reported before its
 * final HLT (the kit's runtime reports main()'s non-zero return value).
 * Zero, or never reporting, means success. No result. */
#define HC_PORT_STATUS  0x0600

/* Guest-virtual address where a guest may leave its answer (the original's 42). */
#define HC_ANSWER_SLOT  0x400

/* --- argument blocks ----------------------------------------------------------- */

#ifndef __ASSEMBLER__ /* the argument blocks are C; guests/rt/start.S needs only numbers */

/* openat: the path, the kit's own open flags (below) and a mode for creation. */
struct hc_open {
	uint64_t path;     /* guest-virtual address of the NUL-terminated path */
	uint32_t flags;    /* HC_O_* */
	uint32_t mode;     /* permission bits for HC_O_CREAT, e.g. 0644 */
};

/* read / write: the descriptor, the length, and the buffer. */
struct hc_io {
	uint64_t buf;      /* guest-virtual address of the buffer */
	int32_t fd;        /* a descriptor from open/openat, or HC_FD_CURRENT */
	int32_t len;       /* bytes; negative is -HC_EINVAL */
};

#endif /* __ASSEMBLER__ */

#define HC_FD_CURRENT (-1)
/*
 * The host's standard output and standard error, for write only, when the
 * host grants them (lab-c does; -HC_EBADF otherwise). print() stops at a
 * NUL; these carry any bytes with their length, e.g. a file for `cat`.
 */
#define HC_FD_STDOUT  (-2)
#define HC_FD_STDERR  (-3)

/* Open flags of the ABI (translated by the host; host O_* bits are never trusted). */
#define HC_O_RDONLY  0x0
#define HC_O_WRONLY  0x1
#define HC_O_RDWR    0x2
#define HC_O_ACCMODE 0x3
#define HC_O_CREAT   0x10
#define HC_O_TRUNC   0x20
#define HC_O_APPEND  0x40
#define HC_O_EXCL    0x80
#define HC_O_ALL     (HC_O_ACCMODE | HC_O_CREAT | HC_O_TRUNC | HC_O_APPEND | HC_O_EXCL)

/* Descriptors a guest may hold open at once. */
#define HC_MAX_FILES 16

/* Longest path accepted, NUL included. */
#define HC_PATH_MAX 4096

/* --- errors (negated in RAX) --------------------------------------------------- */

/*
 * Linux's numbers, so a host errno passes through unchanged. These are every
 * error a call can return: an error the host meets that is not in this list
 * reaches the guest as -HC_EIO. HC_ERRORS(X) lists them as X(NAME, NUMBER),
 * for the tables that must know them all (the host's errno filter, the
 * guest's error names).
 */
#define HC_ERRORS(X)                                                                    \
	X(EPERM, 1) X(ENOENT, 2) X(EINTR, 4) X(EIO, 5) X(ENXIO, 6) X(E2BIG, 7)          \
	X(EBADF, 9) X(EAGAIN, 11) X(ENOMEM, 12) X(EACCES, 13) X(EFAULT, 14)             \
	X(EBUSY, 16) X(EEXIST, 17) X(EXDEV, 18) X(ENOTDIR, 20) X(EISDIR, 21)            \
	X(EINVAL, 22) X(EMFILE, 24) X(ETXTBSY, 26) X(EFBIG, 27) X(ENOSPC, 28)           \
	X(EROFS, 30) X(ENAMETOOLONG, 36) X(ENOSYS, 38) X(ELOOP, 40) X(EOVERFLOW, 75)    \
	X(EOPNOTSUPP, 95) X(EDQUOT, 122)

#ifndef __ASSEMBLER__
#define HC_ERROR_ENUM(name, number) HC_##name = number,
enum hc_error { HC_ERRORS(HC_ERROR_ENUM) };
#undef HC_ERROR_ENUM
#endif

#endif
