#include "lab.h"
#include "boot.h"
#include "util/opts.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

void lab_options_init(struct lab_options *o)
{
	*o = (struct lab_options){ .mem = VM_MEM_DEFAULT, .timeout = VM_TIMEOUT_DEFAULT };
}

static uint64_t parse_mem(const char *arg)
{
	uint64_t v;

	if (parse_size(arg, &v) < 0)
		die_usage("--mem '%s': expected a size such as 2M or 64M", arg);
	if (v < VM_MEM_MIN || v > VM_MEM_MAX || v % 4096)
		die_usage("--mem %s: use a multiple of 4 KiB from 64K to 2G", arg);
	return v;
}

bool lab_common_option(int c, char **argv, struct lab_options *o, void (*usage)(void))
{
	switch (c) {
	case 'g':
		o->guest_file = optarg;
		return true;
	case 'm':
		o->mem = parse_mem(optarg);
		return true;
	case 't':
		o->trace = true;
		return true;
	case 'T':
		if (parse_seconds(optarg, &o->timeout) < 0)
			die_usage("--timeout '%s': expected a positive number of seconds", optarg);
		return true;
	case 'h':
		usage();
		exit(EXIT_OK);
	case ':':
		die_usage("option '%s' needs a value", argv[optind - 1]);
	case '?':
		die_usage("unknown option '%s'", argv[optind - 1]);
	}
	return false;
}

void lab_boot(struct lab_vm *l, const struct lab_options *o, struct guest_image builtin,
	      int argc, char *const argv[])
{
	memset(l, 0, sizeof(*l));
	if (o->guest_file)
		guest_image_load(o->guest_file, o->mem, &l->image);
	else
		l->image = builtin;
	vm_create(&l->vm);
	l->vm.timeout = o->timeout;
	l->vm.trace = o->trace;
	vm_add_memory(&l->vm, o->mem);
	vcpu_create(&l->vm, &l->vcpu, 0);
	boot_instance(&l->vcpu, 0, o->mem, &l->image, argc, argv, &l->layout);
	lab_register_guest_ports(&l->vm);
}

int lab_run(struct lab_vm *l)
{
	enum vcpu_end end = vcpu_run(&l->vcpu);

	if (end != VCPU_HALTED)
		return EXIT_FAIL;
	if (!lab_guest_succeeded(&l->vcpu, end)) {
		kit_warn("the guest reported exit status %d before halting (its main() returned "
		      "non-zero)", l->vcpu.guest_status);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

void lab_free(struct lab_vm *l)
{
	vcpu_destroy(&l->vcpu);
	vm_destroy(&l->vm);
	guest_image_free(&l->image);
}
