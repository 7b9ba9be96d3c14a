/*
 * The hello guest: the long-mode behaviour of kvm-hello-world's guest.c.
 * It prints "Hello, world!\n" one byte per OUT to port 0xE9 (one exit per
 * byte), stores 42 at guest address 0x400 and halts with RAX = 42.
 * No runtime: _start is the first byte of the image, entered at 0.
 */
#include <stdint.h>

#include "rt/io.h"

#define CONSOLE_PORT 0xE9
#define ANSWER_ADDR 0x400

__attribute__((section(".start"), noreturn)) void _start(void)
{
	for (const char *p = "Hello, world!\n"; *p; ++p)
		outb(CONSOLE_PORT, (uint8_t)*p);
	*(volatile uint64_t *)guest_addr(ANSWER_ADDR) = 42;
	halt(42);
}
