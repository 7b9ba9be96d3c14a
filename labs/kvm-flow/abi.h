/*
 * What the kvm-flow host (flow.c) and its guest (guest.c) agree on: the
 * ports, the MMIO window and the guest's report. Included by both sides.
 *
 * Every demo is the same guest image; argv[1] names the demo.
 */
#ifndef KVM_FLOW_ABI_H
#define KVM_FLOW_ABI_H

#include <stdint.h>

/*
 * OUT 4 bytes, EAX = the guest-virtual address of a struct flow_report.
 * Reaches user space: the host reads the report and answers nothing.
 */
#define FLOW_PORT_REPORT 0x0600
/* OUT 4 bytes to a port only this process handles: a plain exit to user space. */
#define FLOW_PORT_USER   0x0601
/* OUT 4 bytes to a port the host hands to KVM as an ioeventfd: handled in the kernel. */
#define FLOW_PORT_KICK   0x0602

/*
 * The MMIO window: guest-virtual FLOW_MMIO_GVA maps (through the guest's
 * page tables, which the host extends) to guest-physical FLOW_MMIO_GPA,
 * where no memory slot lies. The host serves FLOW_MMIO_SIZE bytes there as
 * a tiny device: registers that keep what is written, zero at start.
 */
#define FLOW_MMIO_GVA  0x200000ull
#define FLOW_MMIO_GPA  0xc0000000ull
#define FLOW_MMIO_SIZE 16
#define FLOW_REG_SCRATCH 0   /* 4-byte register: the MMIO demo writes, reads, adds */
#define FLOW_REG_DIVISOR 8   /* 4-byte register, never written: reads 0 */

/* An MSR no x86 CPU or KVM defines: RDMSR of it must raise #GP. */
#define FLOW_BOGUS_MSR 0x4b46f10eu
/* An MSR KVM always emulates itself (the local APIC base). */
#define FLOW_MSR_APIC_BASE 0x1bu

/* What a report says. */
enum flow_what {
	FLOW_PHASE_START = 1,    /* exits demo: the loops begin after this */
	FLOW_PHASE_CPUID,        /* value = loops done */
	FLOW_PHASE_RDMSR,
	FLOW_PHASE_KICK,
	FLOW_PHASE_USER,
	FLOW_SPIN_READY,         /* signal demo: value = address of the counter, aux = of the stop flag */
	FLOW_MMIO_CHECK,         /* mmio demo: value = what the guest read, aux = what it expected */
	FLOW_PROBE_START,        /* fault demo: the next instruction should fault with vector */
	FLOW_FAULT_CAUGHT,       /* fault demo: the guest's own IDT handler caught vector */
	FLOW_FAULT_MISSING,      /* fault demo: the probe completed without the expected fault */
	FLOW_UNEXPECTED_FAULT,   /* any demo: a fault nothing expected; the guest halts */
};

struct flow_report {
	uint32_t what;           /* enum flow_what */
	uint32_t vector;         /* FLOW_FAULT_*: the exception vector expected or caught */
	uint64_t error_code;     /* the error code the CPU pushed (0 for #DE) */
	uint64_t rip;            /* where the fault happened */
	uint64_t value;
	uint64_t aux;
};

/* Exception vectors the guest's IDT handles. */
#define FLOW_VEC_DE 0
#define FLOW_VEC_UD 6
#define FLOW_VEC_GP 13
#define FLOW_VEC_PF 14

#endif
