/*
 * Port I/O for guests. Every helper is asm volatile with a "memory" clobber:
 * the port access is a side effect the compiler must neither drop, merge,
 * nor move across memory accesses (the assignment's snippets lack volatile,
 * and gcc -O2 then hoists an `in` out of a loop).
 */
#ifndef GUEST_IO_H
#define GUEST_IO_H

#include <stdint.h>

#include "abi/hypercall.h"

static inline void outb(uint16_t port, uint8_t value)
{
	asm volatile("outb %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

static inline void outl(uint16_t port, uint32_t value)
{
	asm volatile("outl %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t value;

	asm volatile("inl %1, %0" : "=a"(value) : "Nd"(port) : "memory");
	return value;
}

/*
 * A pointer to a fixed guest address. gcc 12 takes small constant addresses
 * for offsets from NULL and warns; passing the value through an empty asm
 * makes it an ordinary pointer.
 */
static inline void *guest_addr(uintptr_t addr)
{
	void *p;

	asm("" : "=r"(p) : "0"(addr));
	return p;
}

/* Guest-virtual HC_ANSWER_SLOT (0x400), kept free by rt/start.S: where a guest leaves its 42. */
extern volatile uint64_t answer_slot;

/* Stop the vCPU for good: HLT with interrupts off, RAX = code for the host. */
static inline __attribute__((noreturn)) void halt(uint64_t code)
{
	for (;;)
		asm volatile("hlt" : : "a"(code) : "memory");
}

#endif
