/*
 * Part (b), guest side: print() (b.1) and exits() (b.2), each ONE hypercall,
 * so one exit. The host side is labs/lab-b/hypercalls.c; the ports and the
 * calling convention are in common/abi/hypercall.h.
 */
#include "guest_hypercalls.h"

#include "rt/hypercall.h"
#include "rt/print.h"

#ifndef STUB_b1 /* SOLUTION b1 (b.1): print(), guest side */
/*
 * OUT to port HC_PORT_PRINT with EAX = the string's guest-virtual address.
 * The hypervisor finds the bytes through this vCPU's page tables and writes
 * them out: the whole string for one exit, whatever its length.
 */
int64_t print_result(const char *str)
{
	return hypercall_out(HC_PORT_PRINT, gva32(str));
}
#else
int64_t print_result(const char *str)
{
	/*
	 * b.1: hand the whole string to the hypervisor in ONE exit. What can one
	 * port-I/O instruction carry (rt/hypercall.h), and which port is print's
	 * (common/abi/hypercall.h)? The host's answer comes back in RAX.
	 * Until then the string goes out one byte per exit, as the original does.
	 */
	not_written("print(), guest side", "labs/lab-b/guest_hypercalls.c");
	console_puts(str);
	return -HC_ENOSYS;
}
#endif /* SOLUTION b1 */

void print(const char *str)
{
	(void)print_result(str);
}

#ifndef STUB_b2 /* SOLUTION b2 (b.2): exits(), guest side */
/* IN from port HC_PORT_EXITS: the hypervisor's answer arrives in EAX. */
int exits(void)
{
	return (int)hypercall_in(HC_PORT_EXITS);
}
#else
int exits(void)
{
	/* b.2: ask the hypervisor, in one exit, how many exits this vCPU has taken. */
	not_written("exits(), guest side", "labs/lab-b/guest_hypercalls.c");
	return 0;
}
#endif /* SOLUTION b2 */
