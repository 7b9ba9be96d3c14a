/*
 * lab-e's fault handlers: the only code that runs at CPL 0 in an instance.
 * The host copies this image into each instance's trap page (supervisor-
 * only, read-only) and points the IDT's 32 exception gates at its stubs.
 *
 * A fault at CPL 3 makes the CPU switch to the kernel stack (TSS.RSP0) and
 * push SS, RSP, RFLAGS, CS, RIP and, for some vectors, an error code. Each
 * stub pushes a 0 where the CPU pushes no error code, then its vector, and
 * jumps to `report`, which saves RAX and RDX, tells the host with one OUT
 * (the host reads the frame from the kernel stack: supervisor.h), puts RAX
 * and RDX back and halts. HLT at CPL 0 ends the vCPU's run; the host decides
 * what the fault meant: a #GP on a HLT instruction is the instance's normal
 * end (HLT is privileged at CPL 3), anything else stopped it.
 *
 * Position-independent (relative jumps only): linked at 0, run anywhere.
 */
#include "supervisor.h"

	.section .start, "ax"
	.code64

	.globl _start
_start:
	.set vector, 0
	.rept TRAP_VECTORS
	.balign TRAP_STUB_BYTES
	/* Vectors with a CPU-pushed error code: #DF #TS #NP #SS #GP #PF #AC #CP #VC #SX. */
	.if (vector == 8) || (vector >= 10 && vector <= 14) || (vector == 17) || \
	    (vector == 21) || (vector == 29) || (vector == 30)
	.else
	pushq $0
	.endif
	pushq $vector
	jmp report
	.set vector, vector + 1
	.endr

	.balign TRAP_STUB_BYTES
report:
	push %rax
	push %rdx
	mov $LAB_E_PORT_FAULT, %dx
	outl %eax, %dx
	pop %rdx
	pop %rax
1:	hlt
	jmp 1b

	.section .note.GNU-stack, "", @progbits
