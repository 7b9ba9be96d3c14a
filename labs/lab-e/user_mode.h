/*
 * Running an instance in user mode (CPL 3), so that its page table is a
 * boundary it cannot move: at CPL 3 the CPU refuses MOV to CR3, LGDT/LIDT,
 * every supervisor-only page, and port I/O that the TSS's I/O bitmap does
 * not open. A fault goes through the instance's IDT to a CPL-0 stub
 * (traps.S) that reports it to the host (faults.h) and halts.
 *
 * Why an I/O bitmap and not IOPL = 3: IOPL 3 would open every port to the
 * instance (the fault-report port too, so it could forge reports) and let
 * it execute CLI/STI/POPF on IF; the bitmap opens exactly the hypercall
 * ports the host answers. (And on the PVM host the kit is built on, IOPL 3
 * is dropped from RFLAGS: only the bitmap works there.)
 */
#ifndef LAB_E_USER_MODE_H
#define LAB_E_USER_MODE_H

#include "kvm/kvm.h"
#include "slice.h"

/*
 * Fill the instance's descriptor page (GDT, TSS with RSP0 = the kernel
 * stack and an I/O bitmap opening every port registered on vm except
 * LAB_E_PORT_FAULT, IDT with a gate per exception) and copy the trap stubs
 * into its trap page. Register the ports first. 0, or -ERANGE when a
 * registered port lies beyond the bitmap.
 */
int user_mode_install(const struct vm *vm, const struct phys_mem *mem, const struct slice *s);

/*
 * Put vCPU v in 64-bit mode at CPL 3: CR3 = the slice's table, CS and SS
 * user segments (DPL 3, selectors with RPL 3), TR, GDTR and IDTR on the
 * descriptor page, RFLAGS with IOPL 0 and IF 0, RIP = entry, RSP = rsp,
 * RDI = argc and RSI = argv (main's arguments). 0 or -errno.
 */
int user_mode_enter_raw(struct vcpu *v, const struct slice *s, gva_t entry, gva_t rsp,
			uint64_t argc, gva_t argv);

#endif
