/*
 * lab-e's supervisor pages: what each instance has besides its own memory so
 * that it can run in user mode (CPL 3) and still be stopped cleanly when it
 * faults. One set per instance, inside its own slice, right above the memory
 * it may use (see slice.h for the whole picture):
 *
 *   slice offset (= guest-virtual)
 *   desc            descriptor page: GDT, TSS with its I/O bitmap, IDT   supervisor, read-only
 *   desc + 0x1000   trap stubs: the CPL-0 fault handlers (traps.S)       supervisor, read-only
 *   desc + 0x2000   kernel stack: the CPU pushes a fault's frame here    supervisor, read-write
 *   desc + 0x3000   page tables (the first page is the PML4 = CR3)       not mapped at all
 *
 * Plain #defines only: the host (user_mode.c, faults.c), the trap stubs
 * (traps.S) and the attacking guest (guest_attack.c) all include it.
 */
#ifndef LAB_E_SUPERVISOR_H
#define LAB_E_SUPERVISOR_H

/* The trap stubs report a fault here: OUT, from CPL 0 only (no user may reach it). */
#define LAB_E_PORT_FAULT 0x0700

/* Pages after the instance's own memory, in this order; then its page tables. */
#define SUP_PAGE_DESC   0x0000
#define SUP_PAGE_TRAPS  0x1000
#define SUP_PAGE_KSTACK 0x2000
#define SUP_PAGES_SIZE  0x3000

/* Inside the descriptor page. */
#define SUP_GDT 0x000          /* 7 entries: null, 4 segments, the TSS (16 bytes) */
#define SUP_TSS 0x080          /* 104 bytes, then the I/O bitmap */
#define SUP_IDT 0x400          /* TRAP_VECTORS gates of 16 bytes */

/* GDT selectors. User selectors carry RPL 3 (the low two bits). */
#define SEL_KERNEL_CODE 0x08
#define SEL_KERNEL_DATA 0x10
#define SEL_USER_DATA   0x1b
#define SEL_USER_CODE   0x23
#define SEL_TSS         0x28
#define GDT_ENTRIES     7

/* TSS fields (Intel SDM vol. 3, "64-bit task state segment"). */
#define TSS_RSP0        0x04
#define TSS_IOMAP_BASE  0x66
#define TSS_SIZE        0x68   /* the I/O bitmap follows right after */
/* The bitmap covers ports 0 .. IOMAP_PORTS - 1; every port above lies past the TSS limit: denied. */
#define IOMAP_PORTS     0x1000

/* Exceptions 0-31 each have a stub of TRAP_STUB_BYTES at the start of the trap page. */
#define TRAP_VECTORS    32
#define TRAP_STUB_BYTES 16

/*
 * The frame the report port sees on the kernel stack (lowest address
 * first): RDX and RAX saved by the stub, the vector and error code it (or
 * the CPU) pushed, then what the CPU pushed on the way from CPL 3 to CPL 0.
 */
#define FRAME_RDX    0
#define FRAME_RAX    1
#define FRAME_VECTOR 2
#define FRAME_ERROR  3
#define FRAME_RIP    4
#define FRAME_CS     5
#define FRAME_RFLAGS 6
#define FRAME_RSP    7
#define FRAME_SS     8
#define FRAME_WORDS  9

#endif
