/*
 * Part (b), host side: the print() and exits() hypercalls (the ports are
 * defined in common/abi/hypercall.h, the guest side is guest_hypercalls.c).
 */
#ifndef LAB_B_HYPERCALLS_H
#define LAB_B_HYPERCALLS_H

#include "kvm/kvm.h"

/* Install the handlers of HC_PORT_PRINT and HC_PORT_EXITS on vm. */
void hc_register_print_exits(struct vm *vm);

#endif
