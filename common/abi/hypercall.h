/*
 * The kit's hypercall ABI: the one definition, included by the hypervisor
 * (labs/lab-b/hypercalls.c, labs/lab-c/files.c, labs/lab-c/queue.c) and by the guests
 * (guests/rt/hypercall.h).
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
 * Every address a guest passes is guest-virtual (except in the request
 * queue, whose addresses are guest-physical, as a device's are: see there).
 * The hypervisor translates it through the CALLING vCPU's page tables (its
 * CR3), page by page, and checks every byte; a buffer may cross pages. An address that is not
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

/* --- the request queue (lab-c --queue) ----------------------------------------------- */

/*
 * The file calls above cost one exit each. The queue carries the same
 * operations, many per exit, in the manner of virtio's split virtqueue
 * (written here from the virtio 1.x specification's description).
 *
 * Memory. Three areas in guest RAM, set up once:
 *   descriptor table  struct hc_qdesc[size]: one buffer each, {addr, len,
 *                     flags, next}; NEXT chains them, WRITE marks a buffer
 *                     the host writes (otherwise the host only reads it)
 *   available ring    struct hc_qavail + u16 ring[size]: the guest writes the
 *                     head descriptor of each request, then raises idx
 *   used ring         struct hc_qused + struct hc_qused_elem ring[size]: the
 *                     host writes {head, result} of each finished request,
 *                     then raises idx
 * size is a power of two, 1 .. HC_QUEUE_SIZE_MAX. Both idx are free-running
 * 16-bit counters that start at 0 and wrap at 65536; entry k lives at
 * ring[k % size]. Areas aligned 16 (descriptors), 2 (available), 4 (used),
 * none overlapping another.
 *
 * Addresses are GUEST-PHYSICAL, as in virtio: a device reads and writes
 * memory without the CPU's page tables. (The kit's layout maps
 * guest-virtual [0, mapped_end) onto guest-physical [0, mapped_end) in
 * lab-c, so there a pointer's value is its guest-physical address.) Every
 * byte is checked against the queue's window, the instance's own memory
 * below its page tables (lab-c: guest-physical [0, mapped_end)): a device
 * without an IOMMU must check everything itself. Address 0 is never valid
 * (the NULL rule above).
 *
 * A request is a chain: a header descriptor (host-readable, exactly
 * sizeof(struct hc_qreq) bytes), then its data descriptors:
 *   HC_QOP_OPEN    one host-readable buffer holding the path, NUL within its
 *                  len (at most HC_PATH_MAX). Result: a descriptor, as openat.
 *   HC_QOP_READ    host-writable buffers, filled in order. Result: bytes
 *                  read, fewer than asked only at end of file; 0 at the end.
 *   HC_QOP_WRITE   host-readable buffers, written in order. Result: bytes
 *                  written (all, or what the file took before refusing).
 *   HC_QOP_CLOSE   no data. Result: 0.
 * At most HC_QUEUE_CHAIN_MAX descriptors per chain, header included. The
 * result (or -HC_Exxx) is in the request's used element: unlike virtio's
 * len, it is signed, since a chain the host refuses has no trustworthy
 * buffer to carry a status.
 *
 * Ports.
 *   HC_PORT_QUEUE_SETUP   OUT, EAX = guest-physical address of a struct
 *                         hc_qsetup. RAX = 0, or -HC_EINVAL (size, flags,
 *                         alignment, overlap), -HC_EFAULT (block or an area
 *                         outside the window, or at 0), -HC_EBUSY (already
 *                         set up: once per run).
 *   HC_PORT_QUEUE_NOTIFY  OUT, EAX = 0 (the queue's number). The host takes
 *                         every request made available since the last
 *                         notify and finishes them all before the guest
 *                         resumes. RAX = how many it finished, or -HC_ENXIO
 *                         (no queue set up; EAX not 0), -HC_EIO (the queue
 *                         is broken). One exit per notify, whatever the count.
 *
 * Order. Requests are carried out one after the other in ring order and
 * completed in that order: used entry k answers available entry k. A chain
 * may be named by several available entries, even in one notify: each is a
 * request of its own, its chain read when its turn comes. Reads
 * (or writes) that follow each other on one file with adjacent buffers may
 * be done by one host call, with the same results and file contents.
 * A request with HC_QREQ_F_LINK makes the next one depend on it: if it does
 * not complete in full (every byte moved; open or close succeeded), the
 * next one is not carried out and gets -HC_ECANCELED, and so does each
 * following one while the cancelled ones carry the flag. So a read and the
 * write of its buffer can go in one batch, and a guest whose last request
 * completed in full knows the whole linked batch did. Links end at the
 * last request of a notify.
 *
 * Hostile queues. Everything in the areas is the guest's and may change at
 * any time: the host reads avail idx once per notify, each ring entry,
 * descriptor and header once, and uses only its copies; it never reads the
 * used ring back. Outcomes:
 *   a head or next index >= size, flags other than NEXT|WRITE,
 *   a header of the wrong size or host-writable, a data buffer of the
 *   wrong direction or count, unknown request flags -> -HC_EINVAL (used entry)
 *   an unknown op                                  -> -HC_EOPNOTSUPP
 *   a chain longer than HC_QUEUE_CHAIN_MAX (a loop is one)   -> -HC_ELOOP
 *   a buffer at 0, outside the window, or overlapping one of the three
 *   areas                                                     -> -HC_EFAULT
 *   a request longer than the window or INT32_MAX bytes        -> -HC_E2BIG
 *   a path with no NUL in HC_PATH_MAX bytes -> -HC_ENAMETOOLONG (-HC_EINVAL if shorter)
 *   a notify with nothing new -> RAX 0
 *   (a request that gets through carries the errors of the file call
 *   it makes: -HC_EBADF, -HC_ENOENT, ...)
 *   avail idx more than size ahead of the host: the queue is BROKEN; the
 *   host says so in one line on stderr, and every later notify is -HC_EIO
 *   (the guest keeps running; nothing more is read or written).
 * A notify still working when the run's --timeout passes stops between
 * requests: those finished are published, the rest are left, and the run
 * ends as timed out.
 *
 * Notification suppression (virtio's flags and event indexes) is not
 * needed: the host has no thread of its own that could poll the ring, and
 * it never interrupts the guest (the guest runs with interrupts off; the
 * results are there when the OUT returns). avail.flags is ignored, used.flags
 * is always 0.
 */
#define HC_PORT_QUEUE_SETUP  0x0520
#define HC_PORT_QUEUE_NOTIFY 0x0521

#define HC_QUEUE_SIZE_MAX  1024
#define HC_QUEUE_CHAIN_MAX 16

/* hc_qdesc.flags */
#define HC_QDESC_F_NEXT  0x1    /* the chain continues at next */
#define HC_QDESC_F_WRITE 0x2    /* the host writes this buffer (else it only reads it) */

/* hc_qreq.op */
#define HC_QOP_OPEN  1
#define HC_QOP_READ  2
#define HC_QOP_WRITE 3
#define HC_QOP_CLOSE 4

/* hc_qreq.flags */
#define HC_QREQ_F_LINK 0x1      /* the next request runs only if this one completes in full */

/* Bytes of each area for a queue of n entries. */
#define HC_QDESC_BYTES(n)  (16u * (n))
#define HC_QAVAIL_BYTES(n) (4u + 2u * (n))
#define HC_QUSED_BYTES(n)  (4u + 8u * (n))

#ifndef __ASSEMBLER__

struct hc_qdesc {
	uint64_t addr;     /* guest-physical */
	uint32_t len;
	uint16_t flags;    /* HC_QDESC_F_* */
	uint16_t next;     /* the next descriptor's index, with HC_QDESC_F_NEXT */
};

struct hc_qavail {
	uint16_t flags;    /* ignored (see above) */
	uint16_t idx;      /* requests made available so far, free-running */
	uint16_t ring[];   /* head descriptor indexes */
};

struct hc_qused_elem {
	uint32_t id;       /* the head descriptor index the request was made available with */
	int32_t result;    /* what the request returns: >= 0, or -HC_Exxx */
};

struct hc_qused {
	uint16_t flags;    /* 0 */
	uint16_t idx;      /* requests finished so far, free-running */
	struct hc_qused_elem ring[];
};

/* The header of every request (the first descriptor of its chain). */
struct hc_qreq {
	uint16_t op;       /* HC_QOP_* */
	uint16_t flags;    /* HC_QREQ_F_* */
	int32_t fd;        /* READ, WRITE, CLOSE: a descriptor, as for read/write/close */
	uint32_t open_flags; /* OPEN: HC_O_* */
	uint32_t mode;     /* OPEN: permission bits for HC_O_CREAT */
};

/* HC_PORT_QUEUE_SETUP's block: where the three areas are, and the size. */
struct hc_qsetup {
	uint64_t desc, avail, used;  /* guest-physical addresses of the areas */
	uint32_t size;               /* entries: a power of two, 1 .. HC_QUEUE_SIZE_MAX */
	uint32_t flags;              /* 0 */
};

#endif /* __ASSEMBLER__ */

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
	X(EOPNOTSUPP, 95) X(EDQUOT, 122) X(ECANCELED, 125)

#ifndef __ASSEMBLER__
#define HC_ERROR_ENUM(name, number) HC_##name = number,
enum hc_error { HC_ERRORS(HC_ERROR_ENUM) };
#undef HC_ERROR_ENUM
#endif

#endif
