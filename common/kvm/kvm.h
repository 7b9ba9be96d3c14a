/*
 * The kit's KVM helper layer: a VM with one block of guest memory at
 * guest-physical 0, vCPUs put straight into 64-bit long mode, and one run
 * loop that dispatches port-I/O exits to handlers registered per port.
 *
 * Errors come in two tiers. The *_raw functions return 0 or -errno for
 * callers (and tests) that handle failure; the plain ones print one precise
 * line (what failed, errno, what to do) and exit. Opening /dev/kvm is the
 * exception that matters to the grader: when KVM is missing or forbidden the
 * plain variant exits with EXIT_SKIP (77).
 *
 * Exits are counted per vCPU: vcpu->exits is the number of times KVM_RUN
 * returned to this process for that vCPU, whatever the reason (port I/O,
 * HLT, a signal, an error). Exits that KVM handles inside the kernel never
 * reach userspace and are not counted.
 */
#ifndef KIT_KVM_H
#define KIT_KVM_H

#include <linux/kvm.h>
#include <pthread.h>
#include <sys/uio.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <time.h>

#include "guest_mem.h"

#define KVM_DEVICE_DEFAULT "/dev/kvm"
/* Tests point this at a missing path to exercise the skip path. */
#define KVM_DEVICE_ENV "KIT_KVM_DEVICE"

#define VM_MEM_DEFAULT   (2ull << 20)
#define VM_MEM_MIN       (64ull << 10)
#define VM_MEM_MAX       (2ull << 30)   /* stays below KVM's TSS area at 0xfffbd000 */
#define VM_MAX_PORTS     32
#define VM_MAX_VCPUS     8
#define VM_TIMEOUT_DEFAULT 10.0         /* seconds */
/* The three guest pages KVM needs for its real-mode TSS on Intel (KVM_SET_TSS_ADDR). */
#define VM_TSS_GPA       0xfffbd000ull

struct vcpu;

/* One port-I/O exit, as the handler sees it. */
struct pio {
	uint16_t port;
	bool out;          /* OUT (guest to host) or IN (host to guest) */
	uint8_t size;      /* access size: 1, 2 or 4 bytes */
	uint32_t count;    /* > 1 only for INS/OUTS string instructions */
	uint8_t *data;     /* count * size bytes inside the vCPU's kvm_run area */
	uint32_t value;    /* OUT: the first value written, zero-extended */
};

enum pio_result {
	PIO_DONE,          /* handled; resume the guest */
	PIO_STOP,          /* stop this vCPU; the handler called vcpu_fail() */
};

typedef enum pio_result (*pio_fn)(struct vcpu *v, struct pio *io, void *opaque);

enum { PIO_DIR_IN = 1, PIO_DIR_OUT = 2 };

/* What a port accepts; anything else stops the vCPU with a report. */
struct port_spec {
	uint16_t port;
	uint8_t dirs;      /* PIO_DIR_IN | PIO_DIR_OUT */
	uint8_t size;      /* required access size, 0 for any */
	bool strings_ok;   /* accept INS/OUTS with count > 1 */
	const char *name;  /* for reports and --trace */
	pio_fn fn;
	void *opaque;
	uint64_t exits;    /* exits on this port, every vCPU's (counted by the run loop) */
};

/* Where vm_create_raw failed: opening the device, or a KVM ioctl after it. */
enum vm_step { VM_STEP_OPEN, VM_STEP_KVM_IOCTL };

struct vm {
	enum vm_step failed_step;    /* valid when vm_create_raw failed */
	int kvm_fd;
	int fd;
	struct phys_mem mem;         /* guest-physical [0, size) at host mem.host */
	int run_size;                /* bytes of each vCPU's kvm_run mapping */
	bool sync_regs;              /* KVM_CAP_SYNC_REGS covers regs and sregs */
	struct port_spec ports[VM_MAX_PORTS];
	unsigned nports;
	double timeout;              /* seconds per vCPU run; 0 = none */
	bool trace;                  /* one line per exit on stderr */
	bool tag_output;             /* prefix console lines with "[vcpuN] " */
	bool tag_time;               /* ... and "+12.345 ms" since tag_epoch */
	double tag_epoch;            /* CLOCK_MONOTONIC seconds */
	pthread_mutex_t out_lock;    /* whole lines from several vCPUs never interleave */
};

enum vcpu_end {
	VCPU_HALTED,                 /* the guest executed HLT */
	VCPU_FAILED,                 /* stopped with a report (see vcpu->why) */
	VCPU_TIMED_OUT,              /* ran past vm->timeout */
};

struct vcpu {
	struct vm *vm;
	int id;
	int fd;
	struct kvm_run *run;         /* shared with KVM: exit details, sync regs */
	uint64_t exits;              /* every return from KVM_RUN (see above) */
	uint64_t io_exits;           /* of which port I/O */
	char why[200];               /* the one-line reason of a VCPU_FAILED end */
	/* Register access: synced by KVM into run->s.regs, or fetched by ioctl. */
	struct kvm_regs *regs;
	struct kvm_sregs *sregs;
	struct kvm_regs regs_buf;
	struct kvm_sregs sregs_buf;
	bool regs_fresh, sregs_fresh;
	bool rax_set;                /* a handler answered in RAX on this exit */
	/* Console (port 0xE9 style byte output) line buffer. */
	char line[1024];
	unsigned line_len;
	void *lab_state;             /* the lab's own per-vCPU state (lab-c: its file table) */
	int32_t guest_status;        /* what the guest reported as its exit status, 0 if nothing */
	bool status_reported;
	timer_t timer;
	bool timer_armed;
	double deadline;             /* CLOCK_MONOTONIC seconds */
};

/* --- VM ------------------------------------------------------------------ */

/* Open KVM and create an empty VM. -errno; *why says which step failed. */
int vm_create_raw(struct vm *vm, const char **why);
/* The same; on failure one line and exit (77 when KVM is missing or forbidden). */
void vm_create(struct vm *vm);
/* Back guest-physical [0, size) with fresh zeroed host memory (4 KiB multiple). */
int vm_add_memory_raw(struct vm *vm, uint64_t size);
void vm_add_memory(struct vm *vm, uint64_t size);
void vm_destroy(struct vm *vm);

/* Register a port handler. -EEXIST, -ENOSPC or -EINVAL; the plain one dies. */
int vm_on_port_raw(struct vm *vm, const struct port_spec *spec);
void vm_on_port(struct vm *vm, const struct port_spec *spec);
const struct port_spec *vm_port(const struct vm *vm, uint16_t port);

/*
 * One line on out: "PREFIX: exits by port: console (0x00e9) 14, print
 * (0x0500) 1, ...", every registered port with the exits the run loop
 * counted on it: the hypervisor's own count of each hypercall's cost.
 */
void vm_print_port_exits(const struct vm *vm, const char *prefix, FILE *out);

/* --- vCPU ---------------------------------------------------------------- */

int vcpu_create_raw(struct vm *vm, struct vcpu *v, int id);
void vcpu_create(struct vm *vm, struct vcpu *v, int id);
void vcpu_destroy(struct vcpu *v);

/*
 * 64-bit long mode with paging: CR3 = page_table_root, flat 64-bit code and
 * data segments, RIP = entry, RSP = stack_top, RFLAGS = 0x2 (interrupts off).
 */
int vcpu_enter_long_mode_raw(struct vcpu *v, gpa_t page_table_root, gva_t entry, gva_t stack_top);
void vcpu_enter_long_mode(struct vcpu *v, gpa_t page_table_root, gva_t entry, gva_t stack_top);

/* RDI, RSI and RSP at entry: how the kit passes main(argc, argv) to a guest. */
int vcpu_set_main_args_raw(struct vcpu *v, uint64_t argc, gva_t argv, gva_t stack_top);

/* Registers as of the last exit (synced or fetched on first use). */
struct kvm_regs *vcpu_regs(struct vcpu *v);
struct kvm_sregs *vcpu_sregs(struct vcpu *v);
/* Set the guest's RAX for when it resumes: the hypercall return register. */
void vcpu_set_rax(struct vcpu *v, uint64_t value);

/*
 * Run until the guest halts, a handler stops it, an exit cannot be handled
 * or the timeout passes. Any end but VCPU_HALTED has printed a report on
 * stderr: the reason, the exit's details and the registers.
 */
enum vcpu_end vcpu_run(struct vcpu *v);

/*
 * Has this run's --timeout passed? The kick signal interrupts a blocked
 * system call in a handler (EINTR); handlers that loop check this, stop,
 * and the run loop then ends the run as timed out.
 */
bool vcpu_out_of_time(const struct vcpu *v);

/* Record why the vCPU stops (used by handlers before returning PIO_STOP). */
void vcpu_fail(struct vcpu *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write the report of the current exit and registers to stderr. */
void vcpu_report(struct vcpu *v, const char *headline);

/* --- Output from the guest ------------------------------------------------ */

/* A byte for the console: buffered per vCPU, written a whole line at a time. */
void vcpu_console_byte(struct vcpu *v, uint8_t byte);
/* Write any partial console line. Called when a vCPU run ends. */
void vcpu_console_flush(struct vcpu *v);
/*
 * Write up to IOV_MAX_BATCH pieces with one writev; with vm->tag_output,
 * through the line buffer instead, so each line is tagged and whole.
 */
#define IOV_MAX_BATCH 64
int vcpu_write_out(struct vcpu *v, const struct iovec *iov, int iovcnt);

const char *kvm_exit_name(uint32_t reason);

#endif
