/*
 * The two ports every kit guest may use, whatever the lab (the ABI is
 * common/abi/hypercall.h): kvm-hello-world's console, and the status a
 * guest reports before its final HLT.
 */
#include "lab.h"

#include "abi/hypercall.h"

static enum pio_result on_console(struct vcpu *v, struct pio *io, void *opaque)
{
	(void)opaque;
	for (uint32_t i = 0; i < io->count; i++)
		vcpu_console_byte(v, io->data[i]);
	return PIO_DONE;
}

static enum pio_result on_status(struct vcpu *v, struct pio *io, void *opaque)
{
	(void)opaque;
	v->guest_status = (int32_t)io->value;
	v->status_reported = true;
	return PIO_DONE;
}

void lab_register_console(struct vm *vm)
{
	vm_on_port(vm, &(struct port_spec){ .port = HC_PORT_CONSOLE, .dirs = PIO_DIR_OUT,
					    .size = 1, .strings_ok = true, .name = "console",
					    .fn = on_console });
}

void lab_register_guest_ports(struct vm *vm)
{
	lab_register_console(vm);
	vm_on_port(vm, &(struct port_spec){ .port = HC_PORT_STATUS, .dirs = PIO_DIR_OUT,
					    .size = 4, .name = "status", .fn = on_status });
}

bool lab_guest_succeeded(const struct vcpu *v, enum vcpu_end end)
{
	return end == VCPU_HALTED && v->guest_status == 0;
}
