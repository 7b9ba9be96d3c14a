/*
 * Several guest instances in one VM, one vCPU and one host thread each
 * (lab-e). Instance i owns guest-physical [i * slice, (i + 1) * slice) and
 * has its own page table there, mapping the same guest-virtual range onto
 * its own slice (layout.h): the instances cannot reach each other.
 */
#ifndef KIT_MULTI_H
#define KIT_MULTI_H

#include <pthread.h>

#include "kvm/guest_image.h"
#include "kvm/kvm.h"
#include "lab/layout.h"

#define MULTI_MAX_VCPUS 4
#define MULTI_MAX_ARGS 8

struct instance {
	struct vcpu vcpu;
	struct instance_layout layout;
	pthread_t thread;
	enum vcpu_end end;
	int status;               /* main's return value when halted */
	uint64_t answer;          /* what the slice holds at its guest-virtual 0x400 */
	double started, ended;    /* CLOCK_MONOTONIC seconds */
};

struct multi_vm {
	struct vm vm;
	int count;
	uint64_t slice;
	struct instance inst[MULTI_MAX_VCPUS];
};

/*
 * Create the VM with count * slice bytes, one vCPU per instance, and boot
 * image in every slice with the arguments args_for(i) gives.
 */
void multi_boot(struct multi_vm *m, int count, uint64_t slice, const struct guest_image *img,
		double timeout, bool trace,
		int (*args_for)(int instance, char **argv, void *ctx), void *ctx);

/* Run every instance on its own thread at once and wait for all of them. */
void multi_run(struct multi_vm *m);

void multi_free(struct multi_vm *m);

double monotonic_seconds(void);

#endif
