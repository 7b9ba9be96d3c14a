/*
 * Part (e): several instances of a guest in one VM, one vCPU and one host
 * thread each. The answer to e.1, in the order it happens:
 *   instances_create  the VM with count x slice bytes (the memory doubled
 *                     for two instances) and one vCPU per instance;
 *   instance_boot     instance i's slice and page table (slice.h), its image
 *                     and main(argc, argv), its entry at CPL 3 (user_mode.h);
 *   instances_run     one thread per vCPU, each in KVM_RUN, all joined.
 */
#ifndef LAB_E_INSTANCES_H
#define LAB_E_INSTANCES_H

#include <pthread.h>

#include "kvm/guest_image.h"
#include "kvm/kvm.h"
#include "slice.h"

#define MULTI_MAX_VCPUS 4
#define MULTI_MAX_ARGS 8

/* What the instance's fault handler reported (faults.h). */
struct fault {
	bool reported;
	bool halt;                /* a #GP on HLT: the instance's normal end, not a fault */
	unsigned vector;
	uint64_t error, rip, rsp, rflags, cs, cr2, cr3, rax, rdx;   /* at the faulting instruction */
	char what[200];           /* "#GP(0) at RIP 0x7a1: tried to load CR3 (...)" */
};

enum instance_end {
	INSTANCE_HALTED,          /* ran to its HLT in user mode */
	INSTANCE_FAULTED,         /* stopped by its fault handler, with a report */
	INSTANCE_FAILED,          /* stopped by the run loop: timeout, bad port, triple fault */
};

struct multi_vm;

struct instance {
	struct vcpu vcpu;
	struct slice slice;
	struct multi_vm *m;
	int id;
	pthread_t thread;
	/* The thread's work; NULL runs the booted instance once (instance_run). */
	void (*body)(struct instance *in, void *ctx);
	void *body_ctx;
	enum instance_end end;
	int status;               /* what it reported on HC_PORT_STATUS (0: success) */
	uint64_t answer;          /* its guest-virtual HC_ANSWER_SLOT after the run */
	struct fault fault;
	double started, ended;    /* CLOCK_MONOTONIC seconds */
};

struct multi_vm {
	struct vm vm;
	int count;
	uint64_t slice_size;
	bool quiet_faults;        /* faults.c prints no report (the caller prints its own) */
	struct instance inst[MULTI_MAX_VCPUS];
};

/* The VM with count * slice bytes of memory and count vCPUs; dies on failure. */
void instances_create(struct multi_vm *m, int count, uint64_t slice, double timeout, bool trace);

/*
 * Boot img in instance in's slice (cleared first) with the given arguments,
 * entered in user mode. Register every port first: the I/O bitmap opens
 * exactly those. Dies with one line (exit 2 when the image or arguments
 * do not fit).
 */
void instance_boot(struct instance *in, const struct guest_image *img, int argc,
		   char *const argv[]);

/* Run the booted instance to its end and record how it ended. */
void instance_run(struct instance *in);

/* Start every instance's thread at once, then join them all. */
void instances_run(struct multi_vm *m);

void instances_free(struct multi_vm *m);

#endif
