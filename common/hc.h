/*
 * Host side of the kit's hypercalls (the ABI: hypercall.h). Each register
 * function installs the port handlers of one group on a VM.
 */
#ifndef KIT_HC_H
#define KIT_HC_H

#include "hypercall.h"
#include "kvm.h"

/* HC_PORT_CONSOLE: bytes to stdout, line-buffered per vCPU. */
void hc_register_console(struct vm *vm);
/* HC_PORT_PRINT and HC_PORT_EXITS: part (b). */
void hc_register_print_exits(struct vm *vm);

#endif
