/*
 * How a guest makes a hypercall (the ABI is common/abi/hypercall.h): ONE
 * port-I/O instruction, so one exit. The lab's own guest files build their
 * calls on these two (labs/lab-b/guest_hypercalls.c, labs/lab-c/guest_files.c).
 */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <stdint.h>

#include "abi/hypercall.h"

/*
 * An OUT hypercall: the argument goes out in EAX; the hypervisor puts the
 * result in RAX before we resume, so RAX is both input and output here.
 */
static inline int64_t hypercall_out(uint16_t port, uint32_t arg)
{
	uint64_t rax = arg;

	asm volatile("outl %k0, %w1" : "+a"(rax) : "Nd"(port) : "memory");
	return (int64_t)rax;
}

/* An IN hypercall: the hypervisor's 32-bit answer arrives in EAX. */
static inline uint32_t hypercall_in(uint16_t port)
{
	uint32_t eax;

	asm volatile("inl %w1, %0" : "=a"(eax) : "Nd"(port) : "memory");
	return eax;
}

/* Addresses handed to the hypervisor are 32-bit: the kit's guests live below 4 GiB. */
static inline uint32_t gva32(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

#endif
