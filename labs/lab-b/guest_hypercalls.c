/*
 * Part (b), guest side: print() and exits(), one exit each.
 *
 *   print(str)  OUT to port HC_PORT_PRINT with EAX = the string's
 *               guest-virtual address. The hypervisor finds the bytes
 *               through this vCPU's page tables and writes them out: the
 *               whole string for one exit, whatever its length.
 *   exits()     IN from port HC_PORT_EXITS: the hypervisor answers in EAX.
 *
 * The host side is labs/lab-b/hypercalls.c; the ports are defined in
 * common/abi/hypercall.h.
 */
#include "guest_hypercalls.h"

#include "rt/hypercall.h"

int64_t print_result(const char *str)
{
	return hypercall_out(HC_PORT_PRINT, gva32(str));
}

void print(const char *str)
{
	(void)print_result(str);
}

int exits(void)
{
	return (int)hypercall_in(HC_PORT_EXITS);
}
