/*
 * Entry of runtime-based guests: the host sets RSP and enters here at 0.
 * `call` leaves RSP 8 off 16-byte alignment, as the SysV ABI expects at a
 * function's entry. main's return value is handed to the host in RAX at HLT.
 */
	.section .start, "ax"
	.globl _start
_start:
	call main
1:	hlt
	jmp 1b

	.section .note.GNU-stack, "", @progbits
