/*
 * A guest for lab-a (--guest) that rewrites kvm-hello-world's page tables
 * (guest-physical 0x2000-0x4fff, which the original maps and leaves
 * writable) so that they link back into themselves: every PDPT and PD entry
 * but the first points at the PD, which then also serves as a page table.
 * Still mapped as before where it runs, it then leaves 42 as the original
 * does. lab-a's a.4 listing must stay short (tests/test_programs.c).
 */
#include <stdint.h>

#define PDPT 0x3000
#define PD 0x4000
#define TABLE_ENTRY 0x7 /* present, writable, user: a pointer to a lower table */

static inline void outb(uint16_t port, uint8_t value)
{
	asm volatile("outb %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

/* An address through an empty asm: gcc 12 warns about stores to small constants. */
static volatile uint64_t *at(uintptr_t addr)
{
	volatile uint64_t *p = (volatile uint64_t *)addr;

	asm("" : "+r"(p));
	return p;
}

void __attribute__((noreturn, section(".start"))) _start(void)
{
	for (int i = 1; i < 512; i++) {
		at(PDPT)[i] = PD | TABLE_ENTRY;
		at(PD)[i] = PD | TABLE_ENTRY;
	}
	for (const char *p = "cyclic tables\n"; *p; ++p)
		outb(0xE9, (uint8_t)*p);
	*at(0x400) = 42;
	for (;;)
		asm volatile("hlt" : : "a"(42) : "memory");
}
