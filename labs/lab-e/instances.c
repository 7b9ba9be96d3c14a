/* Part (e)'s instances: memory, vCPUs, boot in user mode, threads (instances.h). */
#include "instances.h"
#include "supervisor.h"
#include "user_mode.h"

#include "abi/hypercall.h"
#include "lab/boot.h"
#include "util/clock.h"
#include "util/util.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

void instances_create(struct multi_vm *m, int count, uint64_t slice, double timeout, bool trace)
{
	memset(m, 0, sizeof(*m));
	m->count = count;
	m->slice_size = slice;
	vm_create(&m->vm);
	m->vm.timeout = timeout;
	m->vm.trace = trace;
	m->vm.tag_output = true;     /* "[vcpuN +t ms] " before each line of guest output */
	m->vm.tag_time = true;
	/* kvm-hello-world's 2 MiB, once per instance: one slot, sliced by the page tables. */
	vm_add_memory(&m->vm, (uint64_t)count * slice);
	for (int i = 0; i < count; i++) {
		m->inst[i].m = m;
		m->inst[i].id = i;
		/* vCPU i: its own registers, its own CR3, its own kvm_run. */
		vcpu_create(&m->vm, &m->inst[i].vcpu, i);
	}
}

/* Each step of a boot, 0 or -errno; *why names the step that failed. */
static int boot_raw(struct instance *in, const struct guest_image *img, int argc,
		    char *const argv[], const char **why)
{
	struct phys_mem *mem = &in->m->vm.mem;
	struct slice *s = &in->slice;
	gpa_t base = (gpa_t)in->id * in->m->slice_size;
	struct instance_layout stack;
	gva_t argv_gva, rsp;
	int err;

	/* A fresh slice (an instance booted again must not find its last run's bss): the
	 * pages read as zero on the next touch, for us and, through KVM, for the guest. */
	*why = "clear its slice";
	if (madvise(mem->host + base, in->m->slice_size, MADV_DONTNEED) < 0)
		return -errno;
	*why = "build its page table";
	if (slice_build(mem, base, in->m->slice_size, s) != 0)
		return -ENOSPC;
	*why = "load the guest image";
	if (img->size > slice_max_image(s))
		return -EFBIG;
	memcpy(slice_host(mem, s, 0, img->size), img->data, img->size);
	*why = "place the guest's arguments";
	stack = (struct instance_layout){ .cr3 = s->cr3, .stack_top = s->user_end };
	err = boot_push_args(mem, &stack, argc, argv, &argv_gva, &rsp);
	if (err)
		return err;
	*why = "write its GDT, TSS and IDT";
	err = user_mode_install(&in->m->vm, mem, s);
	if (err)
		return err;
	*why = "enter user mode";
	return user_mode_enter_raw(&in->vcpu, s, 0, rsp, (uint64_t)argc, argv_gva);
}

void instance_boot(struct instance *in, const struct guest_image *img, int argc,
		   char *const argv[])
{
	const char *why;
	int err;

	memset(&in->fault, 0, sizeof(in->fault));
	in->vcpu.guest_status = 0;
	in->vcpu.status_reported = false;
	err = boot_raw(in, img, argc, argv, &why);
	if (err == -EFBIG)
		die_with(EXIT_USAGE, "guest image %s (%zu bytes) does not fit in a slice of %llu "
			 "bytes with room for its stack and supervisor pages: give it more with "
			 "--mem", img->name, img->size, (unsigned long long)in->m->slice_size);
	if (err == -E2BIG)
		die_with(EXIT_USAGE, "the guest's arguments take more than %u bytes", BOOT_ARGS_MAX);
	if (err == -ERANGE)
		die("instance %d: a registered port lies past the I/O bitmap (ports 0 to %#x)",
		    in->id, IOMAP_PORTS - 1);
	if (err == -ENOSPC)
		die_with(EXIT_USAGE, "a slice of %llu bytes leaves no room for a guest: give it "
			 "more with --mem", (unsigned long long)in->m->slice_size);
	if (err)
		die("instance %d: cannot %s: %s", in->id, why, strerror(-err));
}

/* How the run ended, from the run loop's verdict and the fault handler's report. */
static enum instance_end classify(const struct instance *in, enum vcpu_end end)
{
	if (end != VCPU_HALTED)
		return INSTANCE_FAILED;
	return in->fault.reported && !in->fault.halt ? INSTANCE_FAULTED : INSTANCE_HALTED;
}

void instance_run(struct instance *in)
{
	const uint64_t *slot = slice_host(&in->m->vm.mem, &in->slice, HC_ANSWER_SLOT, 8);
	enum vcpu_end end;

	in->started = monotonic_seconds();
	end = vcpu_run(&in->vcpu);
	in->ended = monotonic_seconds();
	in->end = classify(in, end);
	in->status = in->vcpu.guest_status;
	in->answer = slot ? *slot : 0;
}

static void *thread_main(void *p)
{
	struct instance *in = p;

	if (in->body)
		in->body(in, in->body_ctx);
	else
		instance_run(in);
	return NULL;
}

#ifndef STUB_e1 /* SOLUTION e1 (e.1): the vCPUs run at once, one thread each */
void instances_run(struct multi_vm *m)
{
	/* KVM_RUN blocks its thread while the vCPU runs: one thread per vCPU. */
	m->vm.tag_epoch = monotonic_seconds();
	for (int i = 0; i < m->count; i++)
		if (pthread_create(&m->inst[i].thread, NULL, thread_main, &m->inst[i]) != 0)
			die("cannot start the thread of vCPU %d", i);
	for (int i = 0; i < m->count; i++)
		pthread_join(m->inst[i].thread, NULL);
}
#else
void instances_run(struct multi_vm *m)
{
	/*
	 * e.1: the instances run one after another on this thread. KVM_RUN
	 * blocks its caller while its vCPU runs: how do they run at the same
	 * time (thread_main is ready for it)?
	 */
	kit_not_written("running the vCPUs at once", "labs/lab-e/instances.c");
	m->vm.tag_epoch = monotonic_seconds();
	for (int i = 0; i < m->count; i++)
		thread_main(&m->inst[i]);
}
#endif /* SOLUTION e1 */

void instances_free(struct multi_vm *m)
{
	for (int i = 0; i < m->count; i++)
		vcpu_destroy(&m->inst[i].vcpu);
	vm_destroy(&m->vm);
}
