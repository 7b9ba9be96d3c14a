#include "instances.h"

#include "abi/hypercall.h"
#include "lab/boot.h"
#include "util/util.h"

#include <string.h>
#include <time.h>


double monotonic_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

void multi_boot(struct multi_vm *m, int count, uint64_t slice, const struct guest_image *img,
		double timeout, bool trace,
		int (*args_for)(int instance, char **argv, void *ctx), void *ctx)
{
	memset(m, 0, sizeof(*m));
	m->count = count;
	m->slice = slice;
	vm_create(&m->vm);
	m->vm.timeout = timeout;
	m->vm.trace = trace;
	m->vm.tag_output = true;
	m->vm.tag_time = true;
	vm_add_memory(&m->vm, (uint64_t)count * slice);
	for (int i = 0; i < count; i++) {
		char *argv[MULTI_MAX_ARGS + 1] = { 0 };
		int argc = args_for(i, argv, ctx);

		vcpu_create(&m->vm, &m->inst[i].vcpu, i);
		boot_instance(&m->inst[i].vcpu, (gpa_t)i * slice, slice, img, argc, argv,
			      &m->inst[i].layout);
	}
}

/* After the run: the outcome and what the slice holds at its own guest-virtual 0x400. */
static void collect(struct multi_vm *m, struct instance *in)
{
	in->status = in->vcpu.guest_status;
	memcpy(&in->answer, m->vm.mem.host + in->layout.base + HC_ANSWER_SLOT, sizeof(in->answer));
}

struct thread_arg {
	struct multi_vm *m;
	struct instance *in;
};

static void *run_thread(void *p)
{
	struct thread_arg *a = p;

	a->in->started = monotonic_seconds();
	a->in->end = vcpu_run(&a->in->vcpu);
	a->in->ended = monotonic_seconds();
	collect(a->m, a->in);
	return NULL;
}

void multi_run(struct multi_vm *m)
{
	struct thread_arg args[MULTI_MAX_VCPUS];

	m->vm.tag_epoch = monotonic_seconds();
	for (int i = 0; i < m->count; i++) {
		args[i] = (struct thread_arg){ .m = m, .in = &m->inst[i] };
		if (pthread_create(&m->inst[i].thread, NULL, run_thread, &args[i]) != 0)
			die("cannot start the thread of vCPU %d", i);
	}
	for (int i = 0; i < m->count; i++)
		pthread_join(m->inst[i].thread, NULL);
}

void multi_free(struct multi_vm *m)
{
	for (int i = 0; i < m->count; i++)
		vcpu_destroy(&m->inst[i].vcpu);
	vm_destroy(&m->vm);
}
