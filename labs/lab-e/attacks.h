/*
 * lab-e --attack: the ways out a hostile instance tries, one per boot. The
 * one list, read by the host (attack.c: what to expect, what to print) and
 * by the guest (guest_attack.c: the code of each). X(name, what it tries).
 * Every attack but the last must end in a fault report; the last must see
 * every hypercall refused with -EFAULT.
 */
#ifndef LAB_E_ATTACKS_H
#define LAB_E_ATTACKS_H

#define LAB_E_ATTACKS(X)                                                                  \
	X(cr3,        "load CR3 with the other instance's page-table root")                \
	X(lidt,       "load an IDT of its own, in its own memory")                         \
	X(tables,     "write its own page tables, at their guest-physical address")        \
	X(idt,        "rewrite a gate of its IDT (found with SIDT)")                       \
	X(gdt,        "make its code segment DPL 0 in the GDT (found with SGDT)")          \
	X(tss,        "open the fault-report port in the TSS's I/O bitmap")                \
	X(handlers,   "jump into the CPL-0 fault handlers")                                \
	X(kstack,     "plant a frame on the kernel stack")                                 \
	X(iret,       "IRET into CPL 0")                                                   \
	X(syscall,    "SYSCALL into a kernel")                                             \
	X(int,        "INT 14: enter the page-fault handler by hand")                     \
	X(iopl,       "raise its IOPL to 3 with POPF, then OUT to the report port")       \
	X(report,     "forge a fault report (OUT to the report port)")                     \
	X(other,      "write the other instance's answer and page tables by their "         \
		      "guest-physical addresses")                                          \
	X(hypercalls, "make the host read or write supervisor pages and the other slice "  \
		      "through hypercall pointers")

/* The attack that must be refused, not stopped. */
#define LAB_E_ATTACK_REFUSED "hypercalls"

#endif
