/*
 * Entry of runtime-based guests: the host sets RSP (and RDI = argc,
 * RSI = argv) and enters here at guest-virtual 0.
 *
 * Guest-virtual 0x400 is kept free as the answer slot: kvm-hello-world's
 * guest leaves 42 there, and so can every kit guest (HC_ANSWER_SLOT)
 * without overwriting its own code. The first instruction jumps over it.
 *
 * `call` leaves RSP 8 off 16-byte alignment, as the SysV ABI expects at a
 * function's entry. The run ends as the ABI says (common/abi/hypercall.h,
 * "Ending a run"): main's non-zero return value is reported on the status
 * port, then HLT, with the value also in RAX.
 */
#include "abi/hypercall.h"

	.section .start, "ax"
	.globl _start
_start:
	jmp 2f

	.org HC_ANSWER_SLOT
	.globl answer_slot
answer_slot:
	.quad 0

2:	call main
	test %eax, %eax
	jz 1f
	mov $HC_PORT_STATUS, %dx
	outl %eax, %dx
1:	hlt
	jmp 1b

	.section .note.GNU-stack, "", @progbits
