/*
 * Faults of an instance running at CPL 3 are reported, not triple faults.
 * The CPU delivers the exception through the instance's IDT to its CPL-0
 * stub (traps.S), which does one OUT to LAB_E_PORT_FAULT with the frame on
 * its kernel stack; the handler here reads the frame, records it in the
 * instance (struct fault) and prints one report:
 *
 *   lab-e: instance 1 stopped: #GP(0) at RIP 0x1234: tried to load CR3 (...)
 *
 * HLT is privileged at CPL 3, so an instance's last instruction raises #GP
 * too: a #GP on a HLT instruction is recorded as its normal halt (RAX as it
 * was at the HLT), as the kit's ABI ends a run ("Ending a run").
 *
 * The port is closed to user mode by the I/O bitmap; the handler also
 * refuses a report unless it comes from CPL 0 with the frame exactly where
 * the CPU puts it, so an instance can neither forge nor garble a report.
 */
#ifndef LAB_E_FAULTS_H
#define LAB_E_FAULTS_H

#include "instances.h"

/*
 * Handle LAB_E_PORT_FAULT on m's VM (every vCPU must be an instance of m).
 * Unless m->quiet_faults, each fault is reported on stderr as it happens.
 */
void faults_register(struct multi_vm *m);

/* Print in's fault report (two lines) on stderr. */
void fault_print(const struct instance *in);

/* --- explain.c: what a fault means, in words --------------------------------- */

/* "#GP", "#PF", ... or "vector N". */
const char *fault_vector_name(unsigned vector);

/* Is the instruction at the fault's RIP a HLT? (bytes: what the host read there) */
bool fault_on_hlt(const uint8_t *bytes, unsigned n);

/*
 * One sentence about what the instance tried: the instruction (for #GP,
 * #UD), the access and the address (for #PF), named after in's layout.
 */
void fault_explain(const struct instance *in, const uint8_t *bytes, unsigned n, char *out,
		   size_t size);

#endif
