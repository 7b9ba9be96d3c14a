/* The console port every kit guest may use: kvm-hello-world's port 0xE9. */
#include "lab.h"

#include "abi/hypercall.h"

static enum pio_result on_console(struct vcpu *v, struct pio *io, void *opaque)
{
	(void)opaque;
	for (uint32_t i = 0; i < io->count; i++)
		vcpu_console_byte(v, io->data[i]);
	return PIO_DONE;
}

void lab_register_console(struct vm *vm)
{
	vm_on_port(vm, &(struct port_spec){ .port = HC_PORT_CONSOLE, .dirs = PIO_DIR_OUT,
					    .size = 1, .strings_ok = true, .name = "console",
					    .fn = on_console });
}
