/*
 * The hello guest: kvm-hello-world's guest.c in long mode, written here in
 * the same shape and built the same way (no runtime, no headers but the
 * compiler's): it prints "Hello, world!\n" one byte per OUT to port 0xE9
 * (one exit per byte), stores 42 at guest address 0x400 and halts with
 * RAX = 42. _start comes first in the image, which is entered at 0.
 *
 * tests/original-guest.sh also builds this file exactly as the original's
 * Makefile does (gcc -O2 -m64 -ffreestanding -fno-pic, ld with a binary
 * output script) and runs that image on every KVM lab.
 */
#include <stdint.h>

static inline void outb(uint16_t port, uint8_t value)
{
	asm volatile("outb %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

void __attribute__((noreturn, section(".start"))) _start(void)
{
	/* The answer's address, through an empty asm: gcc 12 warns about a
	 * store to a small constant address, taking it for NULL + offset. */
	volatile long *answer = (volatile long *)0x400;

	asm("" : "+r"(answer));
	for (const char *p = "Hello, world!\n"; *p; ++p)
		outb(0xE9, (uint8_t)*p);
	*answer = 42;
	for (;;)
		asm volatile("hlt" : : "a"(42) : "memory");
}
