/*
 * Entry of runtime-based guests: the host sets RSP (and RDI = argc,
 * RSI = argv) and enters here at guest-virtual 0.
 *
 * Guest-virtual 0x400 is kept free as the answer slot: kvm-hello-world's
 * guest leaves 42 there, and so can every kit guest (rt/io.h ANSWER_SLOT)
 * without overwriting its own code. The first instruction jumps over it.
 *
 * `call` leaves RSP 8 off 16-byte alignment, as the SysV ABI expects at a
 * function's entry. main's return value goes to the host in RAX at HLT.
 */
	.section .start, "ax"
	.globl _start
_start:
	jmp 2f

	.org 0x400
	.globl answer_slot
answer_slot:
	.quad 0

2:	call main
1:	hlt
	jmp 1b

	.section .note.GNU-stack, "", @progbits
